//! Who does what (docs/rules.md#who-does-what): the services possible at a
//! time are the doctor's (`doctor add|update --services`, every service by
//! default) narrowed by the window's (`window add --services`); the
//! booking page offers only its online services, and only the doctors who
//! do the one chosen ([`does`]). Decided here, once: `book`,
//! `slots`, `next`, `agenda`, the board, the API and the booking page all
//! ask, so they always agree.

use super::model::Window;

/// The services possible in one window of one doctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offered {
    /// Neither the doctor nor the window names services: any service, or
    /// none (the window's own slot length).
    Any,
    /// Only these services (IDs), in the window's order; empty when the
    /// doctor does none of those the window takes.
    Only(Vec<String>),
}

impl Offered {
    /// Whether a booking of `service` (None: no service named) fits.
    pub fn allows(&self, service: Option<&str>) -> bool {
        match (self, service) {
            (Offered::Any, _) => true,
            (Offered::Only(ids), Some(s)) => ids.iter().any(|i| i == s),
            (Offered::Only(_), None) => false,
        }
    }

    /// The one service possible, which a booking that names none takes.
    pub fn implied(&self) -> Option<&str> {
        match self {
            Offered::Only(ids) if ids.len() == 1 => Some(&ids[0]),
            _ => None,
        }
    }

    /// Nothing at all is possible: the doctor does none of the window's services.
    pub fn is_empty(&self) -> bool {
        matches!(self, Offered::Only(ids) if ids.is_empty())
    }
}

/// What a doctor does: `doctor` the doctor's services (empty: every
/// service), `window` the window's allow-list (empty: any).
pub fn offered(doctor: &[String], window: &[String]) -> Offered {
    match (doctor.is_empty(), window.is_empty()) {
        (true, true) => Offered::Any,
        (false, true) => Offered::Only(doctor.to_vec()),
        (true, false) => Offered::Only(window.to_vec()),
        (false, false) => Offered::Only(
            window
                .iter()
                .filter(|s| doctor.contains(s))
                .cloned()
                .collect(),
        ),
    }
}

/// What a day of windows is judged for when no service is named
/// (docs/rules.md#who-does-what).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    /// Some window takes any service, or none: judged without one too.
    pub open: bool,
    /// Every service some window allows, once each, in the order met.
    pub services: Vec<String>,
}

impl Choices {
    /// The one service the whole day allows, which a question naming none takes.
    pub fn implied(&self) -> Option<&str> {
        match (self.open, self.services.as_slice()) {
            (false, [one]) => Some(one),
            _ => None,
        }
    }

    /// The services to judge the day for, one at a time: None for "no
    /// service" where some window takes any; the implied or each possible
    /// service otherwise.
    pub fn passes(&self) -> Vec<Option<&str>> {
        let open = self.open.then_some(None);
        open.into_iter()
            .chain(self.services.iter().map(|s| Some(s.as_str())))
            .collect()
    }
}

/// The choices of a doctor's (`doctor`, as for [`offered`]) windows.
pub fn choices<'w>(doctor: &[String], windows: impl IntoIterator<Item = &'w Window>) -> Choices {
    let mut c = Choices::default();
    for w in windows {
        match offered(doctor, &w.services) {
            Offered::Any => c.open = true,
            Offered::Only(ids) => {
                for id in ids {
                    if !c.services.contains(&id) {
                        c.services.push(id);
                    }
                }
            }
        }
    }
    c
}

/// Whether a doctor (`doctor`'s services) does `service` in any of
/// `windows`: the booking page offers only those doctors.
pub fn does<'w>(
    doctor: &[String],
    windows: impl IntoIterator<Item = &'w Window>,
    service: &str,
) -> bool {
    windows
        .into_iter()
        .any(|w| offered(doctor, &w.services).allows(Some(service)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn window(services: &[&str]) -> Window {
        Window {
            id: "w".into(),
            clinic_id: "c".into(),
            doctor_id: Some("d".into()),
            recurrence: crate::core::Recurrence::Weekly(0b11111),
            from: 540,
            to: 720,
            slot_minutes: 30,
            capacity: 1,
            session: None,
            batch: None,
            services: ids(services),
            valid_from: None,
            valid_to: None,
            open: true,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_doctors_services_narrowed_by_the_windows() {
        assert_eq!(offered(&[], &[]), Offered::Any);
        assert_eq!(offered(&ids(&["g"]), &[]), Offered::Only(ids(&["g"])));
        assert_eq!(
            offered(&[], &ids(&["g", "p"])),
            Offered::Only(ids(&["g", "p"]))
        );
        assert_eq!(
            offered(&ids(&["p", "d"]), &ids(&["g", "p"])),
            Offered::Only(ids(&["p"]))
        );
        let none = offered(&ids(&["d"]), &ids(&["g"]));
        assert!(none.is_empty());
        assert!(!none.allows(Some("g")) && !none.allows(Some("d")) && !none.allows(None));
    }

    #[test]
    fn one_service_possible_is_implied_several_are_not() {
        assert_eq!(offered(&ids(&["g"]), &[]).implied(), Some("g"));
        assert_eq!(offered(&[], &ids(&["g"])).implied(), Some("g"));
        assert_eq!(offered(&[], &ids(&["g", "p"])).implied(), None);
        assert_eq!(Offered::Any.implied(), None);
        assert!(Offered::Any.allows(None) && Offered::Any.allows(Some("x")));
        assert!(!offered(&ids(&["g"]), &[]).allows(None));
    }

    #[test]
    fn a_days_choices_gather_every_window() {
        let (gp, ped, any) = (window(&["g"]), window(&["p"]), window(&[]));
        let c = choices(&[], [&gp, &gp]);
        assert_eq!(c.implied(), Some("g"));
        assert_eq!(c.passes(), [Some("g")]);
        let c = choices(&[], [&gp, &ped]);
        assert_eq!(c.implied(), None);
        assert_eq!(c.passes(), [Some("g"), Some("p")]);
        let c = choices(&[], [&gp, &any]);
        assert_eq!(c.passes(), [None, Some("g")]);
        assert_eq!(c.implied(), None);
        // A doctor who does only pediatrics: the open window implies it.
        let c = choices(&ids(&["p"]), [&any, &gp]);
        assert_eq!(c.implied(), Some("p"));
        assert_eq!(choices(&[], []).passes(), Vec::<Option<&str>>::new());
        assert!(does(&ids(&["p"]), [&any], "p"));
        assert!(!does(&ids(&["p"]), [&gp], "p"));
        assert!(!does(&[], [&gp], "p"));
    }
}
