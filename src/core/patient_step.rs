//! Booking's patient step (docs/rules.md#booking, rule 9): a booking names
//! its patient by phone. The phone's patient takes the name given: a new
//! name replaces the old, since family members share phones and the name
//! given is who comes. A phone nobody has makes a new patient. A patient
//! the booker may not change (another clinic's,
//! docs/api.md#another-clinics-patient) is left as they are.

/// What a booking does with the patient its phone names.
#[derive(Debug, PartialEq, Eq)]
pub enum PatientStep<'a> {
    /// Nobody has the phone: a new patient with the name given.
    Create,
    /// Found, and not the booker's to change: left as they are (the name
    /// given stays on the appointment).
    Leave,
    /// Found: the name given replaces theirs (`renamed_from`, the name they
    /// had, when it differs: the confirmation and the event say so), and a
    /// contact or national ID given replaces theirs.
    Update { renamed_from: Option<&'a str> },
}

/// The step for a booking that gives `name`, when the phone's patient is
/// `found` (their name), and whether the booker `may_change` them.
pub fn patient_step<'a>(found: Option<&'a str>, name: &str, may_change: bool) -> PatientStep<'a> {
    match found {
        None => PatientStep::Create,
        Some(_) if !may_change => PatientStep::Leave,
        Some(had) => PatientStep::Update {
            renamed_from: (had != name).then_some(had),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_name_replaces_the_old_and_a_new_phone_is_a_new_patient() {
        assert_eq!(patient_step(None, "Ana", true), PatientStep::Create);
        assert_eq!(patient_step(None, "Ana", false), PatientStep::Create);
        assert_eq!(
            patient_step(Some("Ana"), "Ana", true),
            PatientStep::Update { renamed_from: None }
        );
        assert_eq!(
            patient_step(Some("Ana"), "Luis", true),
            PatientStep::Update {
                renamed_from: Some("Ana")
            }
        );
        assert_eq!(patient_step(Some("Ana"), "Luis", false), PatientStep::Leave);
    }
}
