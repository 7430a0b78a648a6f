//! What each role may do (docs/security.md#roles): the one place that
//! decides it. Every front end says what a use of appt needs (a command,
//! a route) and asks here; the use cases ask here whether a person writes
//! a visit's clinical fields, and every view of a visit whether its reader
//! sees them. No staff, or appt itself: every door stays as it was.

use super::access::{strip_own, Scope};
use super::staff::{Person, Role};
use crate::error::{Code, Error, Result};
use serde_json::json;

/// What a use of appt asks of the person who runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The desk's work: book, move, cancel, check in, read the day and
    /// patients' cards (without the clinical fields a person may not see).
    Desk,
    /// The clinical record: a doctor's own patients' visits, or a manager.
    Clinical,
    /// Settings, staff, channels, tokens, feeds, reports, exports and
    /// erasures.
    Manage,
}

impl Need {
    /// The least role that meets it.
    pub const fn least(self) -> Role {
        match self {
            Need::Desk => Role::Reception,
            Need::Clinical => Role::Doctor,
            Need::Manage => Role::Manager,
        }
    }
}

impl Role {
    /// Whether this role meets `need`: each role meets all that the one
    /// before it does.
    pub fn may(self, need: Need) -> bool {
        self >= need.least()
    }
}

impl Scope {
    /// What a token's scope asks of the member of staff it is tied to.
    pub fn need(self) -> Need {
        match self {
            Scope::AppointmentsRead | Scope::AppointmentsWrite | Scope::AppointmentsOverbook => {
                Need::Desk
            }
            Scope::Clinical => Need::Clinical,
            Scope::PatientsExport
            | Scope::PatientsErase
            | Scope::ReportsRead
            | Scope::CalendarsAdmin => Need::Manage,
        }
    }
}

/// `FORBIDDEN` naming the role `need` asks for, unless `role` meets it.
pub fn allow(role: Role, need: Need) -> Result<()> {
    if role.may(need) {
        return Ok(());
    }
    let least = need.least().as_str();
    Err(Error::new(
        Code::Forbidden,
        crate::text::msg!("e-role_needed", role = least),
    )
    .details(json!({"role_needed": least, "role": role.as_str()})))
}

/// Whether `person` (None: no staff, or appt itself) reads and writes the
/// clinical fields of a visit with the doctor `doctor_id`: a manager every
/// visit's, a doctor their own patients', reception none.
pub fn sees_clinical(person: Option<&Person>, doctor_id: Option<&str>) -> bool {
    match person {
        None => true,
        Some(p) => match p.role {
            Role::Manager => true,
            Role::Doctor => doctor_id.is_some() && p.doctor_id.as_deref() == doctor_id,
            Role::Reception => false,
        },
    }
}

/// Whether `a`'s clinical fields hold anything.
pub fn holds_clinical(a: &super::model::AppointmentRow) -> bool {
    a.diagnosis.is_some()
        || a.prescription.is_some()
        || a.follow_up_required
        || a.follow_up_date.is_some()
}

/// `FORBIDDEN` for a person writing the clinical fields of a visit they
/// may not see.
pub fn may_write_clinical(person: Option<&Person>, doctor_id: Option<&str>) -> Result<()> {
    match person {
        Some(p) if !sees_clinical(person, doctor_id) => {
            let e = allow(p.role, Need::Clinical);
            Err(e.err().unwrap_or_else(|| {
                Error::new(
                    Code::Forbidden,
                    crate::text::msg!("e-clinical_of_own_patients"),
                )
                .details(json!({"role_needed": Role::Manager.as_str(), "role": p.role.as_str()}))
            }))
        }
        _ => Ok(()),
    }
}

/// Takes out of an answer `v` the clinical fields `person` may not see:
/// an object that names its visit's doctor (`doctor_id`: an appointment's)
/// keeps them when its doctor is theirs, every other object loses them,
/// however deep (an event's data, a recall), and so do `changed` lists.
/// Nobody, or a manager: nothing is taken.
pub fn strip_unseen(person: Option<&Person>, v: &mut serde_json::Value) {
    use serde_json::Value;
    if person.is_none_or(|p| p.role == Role::Manager) {
        return;
    }
    match v {
        Value::Object(map) => {
            let doctor = map.get("doctor_id").and_then(Value::as_str);
            if !sees_clinical(person, doctor) {
                strip_own(map);
            }
            for (_, child) in map.iter_mut() {
                strip_unseen(person, child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| strip_unseen(person, i)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(role: Role, doctor: Option<&str>) -> Person {
        Person {
            name: "x".into(),
            role,
            doctor_id: doctor.map(str::to_string),
            os_user: None,
        }
    }

    #[test]
    fn each_role_meets_what_the_one_before_it_does() {
        let table = [
            (Role::Reception, [true, false, false]),
            (Role::Doctor, [true, true, false]),
            (Role::Manager, [true, true, true]),
        ];
        for (role, may) in table {
            for (need, ok) in [Need::Desk, Need::Clinical, Need::Manage]
                .into_iter()
                .zip(may)
            {
                assert_eq!(role.may(need), ok, "{role:?} {need:?}");
                let r = allow(role, need);
                assert_eq!(r.is_ok(), ok);
                if let Err(e) = r {
                    assert_eq!(e.code, Code::Forbidden);
                    assert_eq!(e.details["role_needed"], need.least().as_str());
                }
            }
        }
    }

    #[test]
    fn a_doctor_sees_their_own_patients_clinical_fields_only() {
        let own = person(Role::Doctor, Some("d1"));
        let (d1, d2) = (Some("d1"), Some("d2"));
        assert!(sees_clinical(Some(&own), d1));
        assert!(!sees_clinical(Some(&own), d2));
        assert!(!sees_clinical(Some(&own), None));
        assert!(sees_clinical(Some(&person(Role::Manager, None)), d2));
        assert!(!sees_clinical(Some(&person(Role::Reception, None)), d1));
        assert!(sees_clinical(None, d1));
        assert!(may_write_clinical(Some(&own), d1).is_ok());
        let e = may_write_clinical(Some(&own), d2).unwrap_err();
        assert_eq!(e.code, Code::Forbidden);
        let e = may_write_clinical(Some(&person(Role::Reception, None)), d1).unwrap_err();
        assert_eq!(e.details["role_needed"], "doctor");
    }
}
