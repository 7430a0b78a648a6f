//! What an event stores of an appointment (docs/rules.md#events): a booking
//! its fields that are set, a change the fields it changed with their
//! previous values, and undoing a change, which is how the object as it was
//! at each event is rebuilt from the row as it is now. The appointment's own
//! columns only: its patient, doctor, service and clinic by ID, never their
//! names or the patient's phone.

use super::model::{AppointmentRow, Status};
use super::overbook::Overbooked;
use super::{Modality, Urgency, VisitType};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

/// The columns an event may hold, in the order they are written.
pub const FIELDS: [&str; 35] = [
    "clinic_id",
    "doctor_id",
    "patient_id",
    "service_id",
    "local_date",
    "starts_at",
    "ends_at",
    "duration_minutes",
    "status",
    "token_number",
    "source",
    "session",
    "batch",
    "reason",
    "notes",
    "diagnosis",
    "prescription",
    "follow_up_required",
    "follow_up_date",
    "cancellation_reason",
    "external_reference_id",
    "series_id",
    "urgency",
    "modality",
    "visit_type",
    "payer",
    "overbooked",
    "created_at",
    "updated_at",
    "confirmed_at",
    "checked_in_at",
    "started_at",
    "completed_at",
    "cancelled_at",
    "no_show_at",
];

fn text(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::from(s.as_str()))
}

fn instant(t: DateTime<Utc>) -> Value {
    Value::from(t.timestamp())
}

fn maybe_instant(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, instant)
}

fn day(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Value::from(d.to_string()))
}

/// The value of column `field` of `r`, as an event stores it: instants as
/// seconds since the epoch, dates as `YYYY-MM-DD`.
fn value(r: &AppointmentRow, field: &str) -> Value {
    match field {
        "clinic_id" => Value::from(r.clinic_id.as_str()),
        "doctor_id" => text(&r.doctor_id),
        "patient_id" => Value::from(r.patient_id.as_str()),
        "service_id" => text(&r.service_id),
        "local_date" => day(Some(r.local_date)),
        "starts_at" => instant(r.starts_at),
        "ends_at" => instant(r.ends_at),
        "duration_minutes" => Value::from(r.duration_minutes),
        "status" => Value::from(r.status.as_str()),
        "token_number" => Value::from(r.token_number),
        "source" => Value::from(r.source.as_str()),
        "session" => text(&r.session),
        "batch" => text(&r.batch),
        "reason" => text(&r.reason),
        "notes" => text(&r.notes),
        "diagnosis" => text(&r.diagnosis),
        "prescription" => text(&r.prescription),
        "follow_up_required" => Value::from(r.follow_up_required),
        "follow_up_date" => day(r.follow_up_date),
        "cancellation_reason" => text(&r.cancellation_reason),
        "external_reference_id" => text(&r.external_reference_id),
        "series_id" => text(&r.series_id),
        "urgency" => Value::from(r.urgency.as_str()),
        "modality" => Value::from(r.modality.as_str()),
        "visit_type" => Value::from(r.visit_type.as_str()),
        "payer" => text(&r.payer),
        "overbooked" => r.overbooked.as_ref().map_or(Value::Null, |o| o.to_json()),
        "created_at" => instant(r.created_at),
        "updated_at" => instant(r.updated_at),
        "confirmed_at" => maybe_instant(r.confirmed_at),
        "checked_in_at" => maybe_instant(r.checked_in_at),
        "started_at" => maybe_instant(r.started_at),
        "completed_at" => maybe_instant(r.completed_at),
        "cancelled_at" => maybe_instant(r.cancelled_at),
        "no_show_at" => maybe_instant(r.no_show_at),
        _ => Value::Null,
    }
}

/// Every column of `r`, as an event stores them.
fn columns(r: &AppointmentRow) -> Map<String, Value> {
    FIELDS
        .iter()
        .map(|&f| (f.to_string(), value(r, f)))
        .collect()
}

/// Of `columns`, those a booking's event stores: the ones set (not null,
/// not false), but `created_at` and `updated_at` when they are the event's
/// own time `at`.
fn kept(columns: Map<String, Value>, at: DateTime<Utc>) -> Map<String, Value> {
    let at = instant(at);
    columns
        .into_iter()
        .filter(|(f, v)| {
            let unset = v.is_null() || *v == Value::Bool(false);
            let the_events_time = matches!(f.as_str(), "created_at" | "updated_at") && *v == at;
            !unset && !the_events_time
        })
        .collect()
}

/// Of `before`'s columns, those that differ in `after`'s.
fn differing(mut before: Map<String, Value>, after: &Map<String, Value>) -> Map<String, Value> {
    before.retain(|f, v| after.get(f) != Some(v));
    before
}

/// What a booking's event stores of `r`, booked at `at`: its fields that
/// are set (docs/rules.md#events).
pub fn set(r: &AppointmentRow, at: DateTime<Utc>) -> Map<String, Value> {
    kept(columns(r), at)
}

/// What a change's event stores: each field that differs between `before`
/// and `after`, with its value before (a null kept).
pub fn was(before: &AppointmentRow, after: &AppointmentRow) -> Map<String, Value> {
    differing(columns(before), &columns(after))
}

/// Whether column `f` holds an instant.
fn is_instant(f: &str) -> bool {
    matches!(
        f,
        "starts_at"
            | "ends_at"
            | "created_at"
            | "updated_at"
            | "confirmed_at"
            | "checked_in_at"
            | "started_at"
            | "completed_at"
            | "cancelled_at"
            | "no_show_at"
    )
}

/// The columns of an appointment object as an older appt stored it whole
/// in an event: `date` for `local_date`, instants as RFC 3339 text.
fn columns_of_object(obj: &Map<String, Value>) -> Result<Map<String, Value>, Unreadable> {
    FIELDS
        .iter()
        .map(|&f| {
            let key = if f == "local_date" { "date" } else { f };
            let v = match obj.get(key) {
                Some(Value::String(t)) if is_instant(f) => super::time::parse_rfc3339(t)
                    .map(instant)
                    .map_err(|_| Unreadable(f.into()))?,
                Some(v) => v.clone(),
                None => Value::Null,
            };
            Ok((f.to_string(), v))
        })
        .collect()
}

/// What a booking's event stores, from the whole object an older appt
/// stored (schema 21's rewriting).
pub fn set_of_object(
    obj: &Map<String, Value>,
    at: DateTime<Utc>,
) -> Result<Map<String, Value>, Unreadable> {
    Ok(kept(columns_of_object(obj)?, at))
}

/// What a change's event stores, from the whole objects an older appt
/// stored before and after it.
pub fn was_of_objects(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> Result<Map<String, Value>, Unreadable> {
    Ok(differing(
        columns_of_object(before)?,
        &columns_of_object(after)?,
    ))
}

/// Why a stored value cannot be put back: the field's name.
#[derive(Debug, PartialEq, Eq)]
pub struct Unreadable(pub String);

fn want_text(v: &Value, f: &str) -> Result<Option<String>, Unreadable> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(Unreadable(f.into())),
    }
}

fn want_instant(v: &Value, f: &str) -> Result<Option<DateTime<Utc>>, Unreadable> {
    match v {
        Value::Null => Ok(None),
        v => v
            .as_i64()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(Some)
            .ok_or_else(|| Unreadable(f.into())),
    }
}

fn want_day(v: &Value, f: &str) -> Result<Option<NaiveDate>, Unreadable> {
    want_text(v, f)?
        .map(|s| s.parse().map_err(|_| Unreadable(f.into())))
        .transpose()
}

fn want_int(v: &Value, f: &str) -> Result<i64, Unreadable> {
    v.as_i64().ok_or_else(|| Unreadable(f.into()))
}

fn some<T>(v: Option<T>, f: &str) -> Result<T, Unreadable> {
    v.ok_or_else(|| Unreadable(f.into()))
}

/// Puts back the values a change's event stored (its `was`): `r` becomes the
/// appointment as it was before that change.
pub fn undo(r: &mut AppointmentRow, was: &Map<String, Value>) -> Result<(), Unreadable> {
    for (f, v) in was {
        let f = f.as_str();
        match f {
            "clinic_id" => r.clinic_id = some(want_text(v, f)?, f)?,
            "doctor_id" => r.doctor_id = want_text(v, f)?,
            "patient_id" => r.patient_id = some(want_text(v, f)?, f)?,
            "service_id" => r.service_id = want_text(v, f)?,
            "local_date" => r.local_date = some(want_day(v, f)?, f)?,
            "starts_at" => r.starts_at = some(want_instant(v, f)?, f)?,
            "ends_at" => r.ends_at = some(want_instant(v, f)?, f)?,
            "duration_minutes" => r.duration_minutes = want_int(v, f)?,
            "status" => {
                r.status = some(v.as_str().and_then(Status::parse), f)?;
            }
            "token_number" => r.token_number = want_int(v, f)?,
            "source" => r.source = some(want_text(v, f)?, f)?,
            "session" => r.session = want_text(v, f)?,
            "batch" => r.batch = want_text(v, f)?,
            "reason" => r.reason = want_text(v, f)?,
            "notes" => r.notes = want_text(v, f)?,
            "diagnosis" => r.diagnosis = want_text(v, f)?,
            "prescription" => r.prescription = want_text(v, f)?,
            "follow_up_required" => {
                r.follow_up_required = some(v.as_bool(), f)?;
            }
            "follow_up_date" => r.follow_up_date = want_day(v, f)?,
            "cancellation_reason" => r.cancellation_reason = want_text(v, f)?,
            "external_reference_id" => r.external_reference_id = want_text(v, f)?,
            "series_id" => r.series_id = want_text(v, f)?,
            "urgency" => r.urgency = some(v.as_str().and_then(Urgency::parse), f)?,
            "modality" => r.modality = some(v.as_str().and_then(Modality::parse), f)?,
            "visit_type" => r.visit_type = some(v.as_str().and_then(VisitType::parse), f)?,
            "payer" => r.payer = want_text(v, f)?,
            "overbooked" => {
                r.overbooked = match v {
                    Value::Null => None,
                    v => Some(some(Overbooked::from_json(v), f)?),
                }
            }
            "created_at" => r.created_at = some(want_instant(v, f)?, f)?,
            "updated_at" => r.updated_at = some(want_instant(v, f)?, f)?,
            "confirmed_at" => r.confirmed_at = want_instant(v, f)?,
            "checked_in_at" => r.checked_in_at = want_instant(v, f)?,
            "started_at" => r.started_at = want_instant(v, f)?,
            "completed_at" => r.completed_at = want_instant(v, f)?,
            "cancelled_at" => r.cancelled_at = want_instant(v, f)?,
            "no_show_at" => r.no_show_at = want_instant(v, f)?,
            _ => return Err(Unreadable(f.into())),
        }
    }
    Ok(())
}

/// Puts a booking's stored fields (its `set`) onto `r`, the fields it
/// leaves out as a booking leaves them (null, false, or the event's time
/// `at`): the appointment as it was booked, whatever `r` held.
pub fn redo_booking(
    r: &mut AppointmentRow,
    set: &Map<String, Value>,
    at: DateTime<Utc>,
) -> Result<(), Unreadable> {
    let mut all = Map::new();
    for f in FIELDS {
        let v = match (set.get(f), f) {
            (Some(v), _) => v.clone(),
            (None, "created_at" | "updated_at") => instant(at),
            (None, "follow_up_required") => Value::Bool(false),
            // Booked before these were kept (schema 28): as the migration left them.
            (None, "urgency" | "modality" | "visit_type") => value(r, f),
            (None, _) => Value::Null,
        };
        all.insert(f.to_string(), v);
    }
    undo(r, &all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::AppointmentRow;

    fn row() -> AppointmentRow {
        let t = DateTime::from_timestamp(1_764_079_200, 0).unwrap();
        AppointmentRow {
            window_id: Some("w".into()),
            local_date: "2026-11-25".parse().unwrap(),
            token_number: 3,
            reason: Some("Control".into()),
            ..AppointmentRow::sample("a", t)
        }
    }

    #[test]
    fn a_booking_stores_what_is_set_and_not_the_events_own_time() {
        let r = row();
        let s = set(&r, r.created_at);
        assert_eq!(s.get("reason"), Some(&Value::from("Control")));
        assert!(!s.contains_key("created_at") && !s.contains_key("session"));
        assert!(!s.contains_key("follow_up_required"));
        let later = set(&r, r.created_at + chrono::Duration::seconds(1));
        assert_eq!(later.get("created_at"), Some(&Value::from(1_764_079_200)));
        let mut back = row();
        back.reason = None;
        back.status = Status::Cancelled;
        redo_booking(&mut back, &s, r.created_at).unwrap();
        assert_eq!(format!("{back:?}"), format!("{r:?}"));
    }

    #[test]
    fn undoing_a_change_gives_the_appointment_before_it() {
        let before = row();
        let mut after = row();
        after.status = Status::Confirmed;
        after.confirmed_at = Some(after.starts_at);
        after.diagnosis = Some("J00".into());
        let w = was(&before, &after);
        let keys: Vec<&str> = w.keys().map(String::as_str).collect();
        assert_eq!(keys, ["confirmed_at", "diagnosis", "status"]);
        assert_eq!(w["confirmed_at"], Value::Null);
        undo(&mut after, &w).unwrap();
        assert_eq!(format!("{after:?}"), format!("{before:?}"));
        let bad: Map<String, Value> = [("status".to_string(), Value::from("lost"))]
            .into_iter()
            .collect();
        assert_eq!(undo(&mut after, &bad), Err(Unreadable("status".into())));
    }

    #[test]
    fn a_whole_object_an_older_appt_stored_gives_the_same_columns() {
        let before = row();
        let mut after = row();
        after.status = Status::Cancelled;
        after.cancelled_at = Some(after.starts_at);
        let object = |r: &AppointmentRow| -> Map<String, Value> {
            let mut m = Map::new();
            for f in FIELDS {
                let v = value(r, f);
                let v = match v.as_i64() {
                    Some(t) if is_instant(f) => Value::from(crate::core::time::fmt_utc(
                        DateTime::from_timestamp(t, 0).unwrap(),
                    )),
                    _ => v,
                };
                m.insert(
                    if f == "local_date" {
                        "date".into()
                    } else {
                        f.into()
                    },
                    v,
                );
            }
            m.insert("patient".into(), serde_json::json!({"full_name": "Ana"}));
            m
        };
        let at = before.created_at;
        assert_eq!(
            set_of_object(&object(&before), at).unwrap(),
            set(&before, at)
        );
        assert_eq!(
            was_of_objects(&object(&before), &object(&after)).unwrap(),
            was(&before, &after)
        );
    }
}
