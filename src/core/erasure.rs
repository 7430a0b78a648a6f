//! What erasing a patient does to the JSON appt keeps (docs/privacy.md#erasure):
//! the events of their appointments, the events and messages of the
//! waitlist offers made to them. Whatever the form an event was written in
//! — the compact one (`set`, `was`, IDs only) or an older one holding the
//! whole appointment object, with the patient's name and phone inside —
//! the patient's name and phone go, and with `--clinical` the clinical
//! record too. `appt check` asks the same question the other way round
//! ([`traces`]).

use super::access::CLINICAL_KEYS;
use serde_json::Value;

/// The name an erased patient is stored and shown under (JSON keeps these
/// words; a person reads them in their language).
pub const ERASED_NAME: &str = "Erased patient";

/// The phone column of an erased patient: unique, as the column is, and no
/// phone anyone can type or search for (the number is free for a new
/// patient). It reads as empty.
pub fn placeholder_phone(patient_id: &str) -> String {
    format!("erased:{patient_id}")
}

/// Whether `phone` is the placeholder of the erased patient `patient_id`.
pub fn is_placeholder(patient_id: &str, phone: &str) -> bool {
    phone == placeholder_phone(patient_id)
}

/// Takes the patient `patient_id`'s name and phone out of an event's or a
/// message's data: `patient_previous_name` goes, and every party object
/// that is theirs (`{"id", "full_name", "phone"}`, in an appointment
/// object or a waitlist entry written whole) keeps only the placeholder.
/// With `clinical` (an event of one of their appointments, erased with
/// `--clinical`), the clinical fields go too: out of a booking's `set`,
/// blank in a change's `was`, blank in a whole appointment object.
/// Whether anything changed.
pub fn scrub(data: &mut Value, patient_id: &str, clinical: bool) -> bool {
    let mut changed = false;
    if let Value::Object(map) = data {
        changed |= map.remove("patient_previous_name").is_some();
        if clinical {
            if let Some(Value::Object(set)) = map.get_mut("set") {
                for k in CLINICAL_KEYS {
                    changed |= set.remove(k).is_some();
                }
            }
            if let Some(Value::Object(was)) = map.get_mut("was") {
                for k in CLINICAL_KEYS {
                    if let Some(v) = was.get_mut(k) {
                        changed |= blank(k, v);
                    }
                }
            }
        }
    }
    changed | parties(data, patient_id, clinical)
}

/// Whether the data still holds the patient's name or phone: what
/// [`scrub`] would take out, not counting the clinical record.
pub fn traces(data: &Value, patient_id: &str) -> bool {
    scrub(&mut data.clone(), patient_id, false)
}

/// A waitlist offer's message data with its entry by IDs only: the
/// `patient`, `doctor` and `service` of a view written whole go (the view
/// is made again on reading). Whether anything changed.
pub fn offer_by_ids(data: &mut Value) -> bool {
    let Some(Value::Object(entry)) = data.pointer_mut("/offer/waitlist") else {
        return false;
    };
    let mut changed = false;
    for k in ["patient", "doctor", "service"] {
        changed |= entry.remove(k).is_some();
    }
    changed
}

/// Every object inside `v` that names the patient: their party objects
/// take the placeholder, and (with `clinical`) their appointment objects
/// lose the clinical fields.
fn parties(v: &mut Value, patient_id: &str, clinical: bool) -> bool {
    let mut changed = false;
    match v {
        Value::Object(map) => {
            let theirs = map.get("id").and_then(Value::as_str) == Some(patient_id)
                && map.contains_key("full_name");
            if theirs {
                changed |= set_text(map.get_mut("full_name"), ERASED_NAME);
                changed |= set_text(map.get_mut("phone"), "");
            }
            let their_appointment = clinical
                && map.contains_key("starts_at")
                && map.get("patient_id").and_then(Value::as_str) == Some(patient_id);
            if their_appointment {
                for k in CLINICAL_KEYS {
                    if let Some(v) = map.get_mut(k) {
                        changed |= blank(k, v);
                    }
                }
            }
            for inner in map.values_mut() {
                changed |= parties(inner, patient_id, clinical);
            }
        }
        Value::Array(items) => {
            for inner in items {
                changed |= parties(inner, patient_id, clinical);
            }
        }
        _ => {}
    }
    changed
}

fn set_text(v: Option<&mut Value>, to: &str) -> bool {
    match v {
        Some(v) if v.as_str() != Some(to) => {
            *v = Value::String(to.to_string());
            true
        }
        _ => false,
    }
}

/// A clinical field blank: `follow_up_required` false, the others null.
fn blank(key: &str, v: &mut Value) -> bool {
    let empty = if key == "follow_up_required" {
        Value::Bool(false)
    } else {
        Value::Null
    };
    if *v == empty {
        return false;
    }
    *v = empty;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P: &str = "0b7e5c1a-0000-4000-8000-000000000001";

    fn old_booked() -> Value {
        json!({
            "appointment": {
                "id": "a1", "patient_id": P, "starts_at": "2026-06-16T16:00:00Z",
                "patient": {"id": P, "full_name": "Zoila Quintanilla", "phone": "+50377001122"},
                "doctor": {"id": "d1", "full_name": "Dr. García", "specialty": null},
                "diagnosis": "flu", "prescription": "rest",
                "follow_up_required": true, "follow_up_date": "2026-07-01",
                "notes": "called twice"
            },
            "patient_previous_name": "Zoila Q."
        })
    }

    #[test]
    fn an_old_event_loses_the_name_and_phone_and_keeps_the_rest() {
        let mut e = old_booked();
        assert!(traces(&e, P));
        assert!(scrub(&mut e, P, false));
        assert!(!traces(&e, P));
        let text = e.to_string();
        assert!(
            !text.contains("Zoila") && !text.contains("77001122"),
            "{text}"
        );
        assert_eq!(e["appointment"]["patient"]["full_name"], ERASED_NAME);
        assert_eq!(e["appointment"]["patient"]["phone"], "");
        assert_eq!(e["appointment"]["doctor"]["full_name"], "Dr. García");
        assert_eq!(e["appointment"]["diagnosis"], "flu");
        assert_eq!(e["appointment"]["notes"], "called twice");
        // A second time changes nothing.
        assert!(!scrub(&mut e, P, false));
    }

    #[test]
    fn clinical_blanks_the_record_in_every_form() {
        let mut e = old_booked();
        assert!(scrub(&mut e, P, true));
        let a = &e["appointment"];
        assert_eq!(a["diagnosis"], Value::Null);
        assert_eq!(a["prescription"], Value::Null);
        assert_eq!(a["follow_up_required"], false);
        assert_eq!(a["follow_up_date"], Value::Null);
        assert_eq!(a["notes"], "called twice");

        let mut booked = json!({"set": {"patient_id": P, "status": "scheduled",
            "diagnosis": "flu", "follow_up_required": true}});
        assert!(scrub(&mut booked, P, true));
        assert_eq!(
            booked,
            json!({"set": {"patient_id": P, "status": "scheduled"}})
        );

        let mut updated = json!({"was": {"diagnosis": "flu", "prescription": null,
            "follow_up_required": true, "reason": "cough"}, "changed": ["diagnosis"]});
        assert!(scrub(&mut updated, P, true));
        assert_eq!(
            updated,
            json!({"was": {"diagnosis": null, "prescription": null,
                "follow_up_required": false, "reason": "cough"}, "changed": ["diagnosis"]})
        );
        assert!(!scrub(&mut updated, P, true));
    }

    #[test]
    fn another_patients_party_is_left_alone() {
        let mut offered = json!({"waitlist": {"patient_id": "other",
            "patient": {"id": "other", "full_name": "Ana", "phone": "+50370000000"}}});
        let before = offered.clone();
        assert!(!traces(&offered, P));
        assert!(!scrub(&mut offered, P, true));
        assert_eq!(offered, before);
    }

    #[test]
    fn a_compact_event_holds_no_trace_but_a_previous_name() {
        let booked = json!({"set": {"patient_id": P, "status": "scheduled"}});
        assert!(!traces(&booked, P));
        let renamed = json!({"set": {"patient_id": P}, "patient_previous_name": "Zoila"});
        assert!(traces(&renamed, P));
    }

    #[test]
    fn an_offer_keeps_its_entry_by_ids() {
        let mut m = json!({"offer": {"starts_at": "2026-06-16T16:00:00Z", "waitlist": {
            "id": "w1", "patient_id": P, "doctor_id": "d1",
            "patient": {"id": P, "full_name": "Zoila", "phone": "+50377001122"},
            "doctor": {"id": "d1", "full_name": "Dr. García", "specialty": null},
            "service": null}}});
        assert!(offer_by_ids(&mut m));
        assert_eq!(
            m,
            json!({"offer": {"starts_at": "2026-06-16T16:00:00Z", "waitlist": {
                "id": "w1", "patient_id": P, "doctor_id": "d1"}}})
        );
        assert!(!offer_by_ids(&mut m));
    }

    #[test]
    fn the_placeholder_phone_is_no_phone() {
        let ph = placeholder_phone(P);
        assert!(is_placeholder(P, &ph));
        assert!(!is_placeholder("other", &ph));
        assert!(crate::core::phone::normalize(&ph, Some("+503")).is_err());
    }
}
