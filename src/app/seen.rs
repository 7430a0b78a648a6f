//! What a caller that sees from one clinic (an API token limited to it,
//! docs/security.md#clinics-apart) may learn from a refusal: the
//! appointments of other clinics a rule met are left unnamed; and from a
//! patient's record: their no-shows at that clinic. Which patients it finds
//! is [`super::phones::find_patient`]'s and [`super::phones::phone_holder`]'s.

use crate::core::Patient;
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::{appointments, patient_visits, Store};
use serde_json::Value;

/// Patient `p` as seen from `clinic`: their no-shows counted at that clinic
/// alone, as the record's own count is every clinic's. Nothing changes for
/// a caller that sees every clinic.
pub fn patient(tx: &Tx, p: &mut Patient, clinic: Option<&str>) -> Result<()> {
    if let Some(clinic) = clinic {
        p.no_show_count = patient_visits::no_shows_at(tx, &p.id, clinic)?;
    }
    Ok(())
}

/// `e` as seen from `clinic`: every appointment ID in its details (a key
/// ending in `appointment_id`, however deep: a duplicate, the appointment
/// in a time's way, a series' conflicts) that is not of that clinic is
/// made null. Nothing changes for a caller that sees every clinic.
pub fn refusal(st: &mut Store, mut e: Error, clinic: Option<&str>) -> Error {
    let Some(clinic) = clinic else {
        return e;
    };
    let mut named = Vec::new();
    collect(&e.details, &mut named);
    if named.is_empty() {
        return e;
    }
    // What cannot be read is not shown either.
    let ours: Vec<String> = st
        .read(|tx| {
            let mut ours = Vec::new();
            for id in &named {
                if appointments::get(tx, id).is_ok_and(|a| a.clinic_id == clinic) {
                    ours.push(id.clone());
                }
            }
            Ok(ours)
        })
        .unwrap_or_default();
    hide(&mut e.details, &ours);
    e
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                match child {
                    Value::String(id) if k.ends_with("appointment_id") => out.push(id.clone()),
                    _ => collect(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

fn hide(v: &mut Value, ours: &[String]) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match child {
                    Value::String(id) if k.ends_with("appointment_id") => {
                        if !ours.contains(id) {
                            *child = Value::Null;
                        }
                    }
                    _ => hide(child, ours),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| hide(i, ours)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_appointment_id_not_the_clinics_is_hidden_however_deep() {
        let mut v = json!({
            "existing_appointment_id": "b",
            "conflicts": [{"conflicting_appointment_id": "a", "date": "2026-06-16"}],
            "buffer": true,
        });
        let mut named = Vec::new();
        collect(&v, &mut named);
        named.sort();
        assert_eq!(named, ["a", "b"]);
        hide(&mut v, &["a".to_string()]);
        assert_eq!(
            v,
            json!({
                "existing_appointment_id": null,
                "conflicts": [{"conflicting_appointment_id": "a", "date": "2026-06-16"}],
                "buffer": true,
            })
        );
    }
}
