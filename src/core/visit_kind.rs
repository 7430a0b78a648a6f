//! What kind of visit an appointment is, as clinics count them
//! (docs/rules.md#visits): its urgency, its modality, whether it is the
//! patient's first visit or a follow-up, and who pays (one of the clinic's
//! payers). The words typed for each, in either language, are
//! [`super::words`]'.

use crate::error::{Error, Result};

/// Declares a kind of visit: its values and their codes (what is stored
/// and what JSON shows), the first its default.
macro_rules! kind {
    ($(#[$doc:meta])* $name:ident { $first:ident => $first_code:literal $(, $value:ident => $code:literal)+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            #[default]
            $first,
            $($value,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$name::$first, $($name::$value),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $first_code,
                    $($name::$value => $code,)+
                }
            }

            /// The code as stored (`follow_up`), nothing else.
            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|k| k.as_str() == code)
            }

            /// The number stored (docs/performance.md#footprint): its
            /// place in [`Self::ALL`], from 1.
            pub const fn number(self) -> i64 {
                self as i64 + 1
            }

            /// The codes, for an error that lists them.
            pub fn codes() -> String {
                $name::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }

        impl $crate::core::Coded for $name {
            const ALL: &'static [$name] = $name::ALL;

            fn code(self) -> i64 {
                self.number()
            }

            fn name(self) -> &'static str {
                self.as_str()
            }
        }
    };
}

kind! {
    /// How soon the patient must be seen: `normal`, `urgent`, `emergency`.
    Urgency { Normal => "normal", Urgent => "urgent", Emergency => "emergency" }
}

kind! {
    /// Where the visit happens: at the clinic, by video, at the patient's home.
    Modality { InPerson => "in_person", Telemedicine => "telemedicine", Home => "home" }
}

kind! {
    /// The patient's first visit with the doctor (or, clinic-wide, at the
    /// clinic), or a follow-up of an earlier completed one.
    VisitType { First => "first", FollowUp => "follow_up" }
}

impl VisitType {
    /// What a visit is when nobody says: a follow-up when the patient has
    /// an earlier completed visit with the same doctor (clinic-wide, at
    /// the same clinic), else their first.
    pub fn derived(seen_before: bool) -> VisitType {
        if seen_before {
            VisitType::FollowUp
        } else {
            VisitType::First
        }
    }
}

/// A clinic's payers as typed (`"Privado,ISSS,Seguros Futuro"`): each
/// trimmed, blanks and repeats (case and accents ignored) left out, in the
/// order given. An empty list means the clinic keeps none.
pub fn payers(typed: &str) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    for p in typed
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !list.iter().any(|q| same(q, p)) {
            list.push(p.to_string());
        }
    }
    list
}

fn same(a: &str, b: &str) -> bool {
    super::words::plain(a) == super::words::plain(b)
}

/// The payer `typed` names among the clinic's `list`, spelt as the clinic
/// spells it (`isss` is `ISSS`); blank is none. A payer the clinic does not
/// keep is refused with the list.
pub fn payer(typed: &str, list: &[String]) -> Result<Option<String>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    if let Some(p) = list.iter().find(|p| same(p, typed)) {
        return Ok(Some(p.clone()));
    }
    let listed = list.join(", ");
    let err = if list.is_empty() {
        Error::field(
            "payer",
            crate::text::msg!("e-unknown_payer_none_kept", typed = typed),
        )
    } else {
        Error::field(
            "payer",
            crate::text::msg!("e-unknown_payer", typed = typed, listed = listed),
        )
    };
    Err(err.detail("payers", list.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_defaults() {
        assert_eq!(Urgency::default().as_str(), "normal");
        assert_eq!(Modality::default().as_str(), "in_person");
        assert_eq!(VisitType::default().as_str(), "first");
        assert_eq!(Urgency::parse("emergency"), Some(Urgency::Emergency));
        assert_eq!(Modality::codes(), "in_person, telemedicine, home");
        assert_eq!(VisitType::derived(true), VisitType::FollowUp);
    }

    /// Each kind is stored as its number: the numbers never change.
    #[test]
    fn each_kind_is_stored_as_its_number() {
        crate::core::coded::assert_numbered_in_order::<Urgency>();
        crate::core::coded::assert_numbered_in_order::<Modality>();
        crate::core::coded::assert_numbered_in_order::<VisitType>();
        assert_eq!(
            [
                Urgency::Emergency.number(),
                Modality::Home.number(),
                VisitType::FollowUp.number()
            ],
            [3, 3, 2]
        );
    }

    #[test]
    fn a_payer_is_one_of_the_clinics_spelt_its_way() {
        let list = payers(" Privado, ISSS ,,isss,Seguros Futuro");
        assert_eq!(list, ["Privado", "ISSS", "Seguros Futuro"]);
        assert_eq!(payer("isss", &list).unwrap().as_deref(), Some("ISSS"));
        assert_eq!(payer(" ", &list).unwrap(), None);
        let e = payer("Fosalud", &list).unwrap_err();
        assert!(
            e.to_string().contains("Privado, ISSS, Seguros Futuro"),
            "{e}"
        );
    }
}
