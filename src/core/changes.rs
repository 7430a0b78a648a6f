//! What an event stores of an appointment (docs/rules.md#events): a change
//! the fields it changed with their previous values, a booking nothing of
//! the row (before schema 50, its fields that were set), and undoing a
//! change, which is how the object as it was at each event is rebuilt from
//! the row as it is now. The appointment's own
//! columns only: its patient, doctor, service and clinic by ID, never their
//! names or the patient's phone.

use super::appointment_fields::{Field, Kind, Value as Stored};
use super::model::{AppointmentRow, Status};
use super::overbook::Overbooked;
use super::{Modality, Urgency, VisitType};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

/// The fields an event may hold: those the appointment object shows, but
/// its ID, which the event has already.
fn fields() -> impl Iterator<Item = Field> {
    Field::ALL
        .into_iter()
        .filter(|f| f.shown() && *f != Field::Id)
}

fn instant(t: DateTime<Utc>) -> Value {
    Value::from(t.timestamp())
}

/// A field's value as an event stores it: instants as seconds since the
/// epoch, dates as `YYYY-MM-DD`.
fn stored(v: Stored) -> Value {
    match v {
        Stored::Text(t) => t.map_or(Value::Null, Value::from),
        Stored::Int(n) => Value::from(n),
        Stored::Bool(b) => Value::from(b),
        Stored::Day(d) => d.map_or(Value::Null, |d| Value::from(d.to_string())),
        Stored::Instant(t) => t.map_or(Value::Null, instant),
        Stored::Overbooked(o) => o.map_or(Value::Null, Overbooked::to_json),
    }
}

/// The value of field `f` of `r`, as an event stores it.
fn value(r: &AppointmentRow, f: Field) -> Value {
    stored(r.value(f))
}

/// Every column of `r`, as an event stores them.
fn columns(r: &AppointmentRow) -> Map<String, Value> {
    let values = r.values();
    fields()
        .map(|f| (f.name().to_string(), stored(values[f as usize])))
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

/// What a booking's event stored of `r`, booked at `at`, before schema 50:
/// its fields that are set ([`set_of_object`] and [`redo_booking`] read
/// that form still).
#[cfg(test)]
pub fn set(r: &AppointmentRow, at: DateTime<Utc>) -> Map<String, Value> {
    kept(columns(r), at)
}

/// What a change's event stores: each field that differs between `before`
/// and `after`, with its value before (a null kept).
pub fn was(before: &AppointmentRow, after: &AppointmentRow) -> Map<String, Value> {
    differing(columns(before), &columns(after))
}

/// The columns of an appointment object as an older appt stored it whole
/// in an event: `date` for `local_date`, instants as RFC 3339 text.
fn columns_of_object(obj: &Map<String, Value>) -> Result<Map<String, Value>, Unreadable> {
    fields()
        .map(|f| {
            let v = match obj.get(f.object_key()) {
                Some(Value::String(t)) if f.kind() == Kind::Instant => {
                    super::time::parse_rfc3339(t)
                        .map(instant)
                        .map_err(|_| Unreadable(f.name().into()))?
                }
                Some(v) => v.clone(),
                None => Value::Null,
            };
            Ok((f.name().to_string(), v))
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
/// appointment as it was before that change. Answers whether it put back
/// one of the IDs an appointment's names are read by (its clinic, doctor,
/// patient or service), so that a rebuilding reads names only then.
pub fn undo(r: &mut AppointmentRow, was: &Map<String, Value>) -> Result<bool, Unreadable> {
    let mut renamed = false;
    for (name, v) in was {
        let f = name.as_str();
        let Some(field) = Field::named(f) else {
            return Err(Unreadable(f.into()));
        };
        renamed |= matches!(
            field,
            Field::ClinicId | Field::DoctorId | Field::PatientId | Field::ServiceId
        );
        match field {
            // Not what an event keeps (`fields`).
            Field::Id | Field::WindowId | Field::BufferBefore | Field::BufferAfter => {
                return Err(Unreadable(f.into()))
            }
            Field::ClinicId => r.clinic_id = some(want_text(v, f)?, f)?,
            Field::DoctorId => r.doctor_id = want_text(v, f)?,
            Field::PatientId => r.patient_id = some(want_text(v, f)?, f)?,
            Field::ServiceId => r.service_id = want_text(v, f)?,
            Field::LocalDate => r.local_date = some(want_day(v, f)?, f)?,
            Field::StartsAt => r.starts_at = some(want_instant(v, f)?, f)?,
            Field::EndsAt => r.ends_at = some(want_instant(v, f)?, f)?,
            Field::DurationMinutes => r.duration_minutes = want_int(v, f)?,
            Field::Status => r.status = some(v.as_str().and_then(Status::parse), f)?,
            Field::TokenNumber => r.token_number = want_int(v, f)?,
            Field::Source => r.source = some(want_text(v, f)?, f)?,
            Field::Session => r.session = want_text(v, f)?,
            Field::Batch => r.batch = want_text(v, f)?,
            Field::Reason => r.reason = want_text(v, f)?,
            Field::Notes => r.notes = want_text(v, f)?,
            Field::Diagnosis => r.diagnosis = want_text(v, f)?,
            Field::Prescription => r.prescription = want_text(v, f)?,
            Field::FollowUpRequired => r.follow_up_required = some(v.as_bool(), f)?,
            Field::FollowUpDate => r.follow_up_date = want_day(v, f)?,
            Field::CancellationReason => r.cancellation_reason = want_text(v, f)?,
            Field::ExternalReferenceId => r.external_reference_id = want_text(v, f)?,
            Field::SeriesId => r.series_id = want_text(v, f)?,
            Field::Urgency => r.urgency = some(v.as_str().and_then(Urgency::parse), f)?,
            Field::Modality => r.modality = some(v.as_str().and_then(Modality::parse), f)?,
            Field::VisitType => r.visit_type = some(v.as_str().and_then(VisitType::parse), f)?,
            Field::Payer => r.payer = want_text(v, f)?,
            Field::Overbooked => {
                r.overbooked = match v {
                    Value::Null => None,
                    v => Some(some(Overbooked::from_json(v), f)?),
                }
            }
            Field::CreatedAt => r.created_at = some(want_instant(v, f)?, f)?,
            Field::UpdatedAt => r.updated_at = some(want_instant(v, f)?, f)?,
            Field::ConfirmedAt => r.confirmed_at = want_instant(v, f)?,
            Field::CheckedInAt => r.checked_in_at = want_instant(v, f)?,
            Field::StartedAt => r.started_at = want_instant(v, f)?,
            Field::CompletedAt => r.completed_at = want_instant(v, f)?,
            Field::CancelledAt => r.cancelled_at = want_instant(v, f)?,
            Field::NoShowAt => r.no_show_at = want_instant(v, f)?,
        }
    }
    Ok(renamed)
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
    for f in fields() {
        let v = match (set.get(f.name()), f) {
            (Some(v), _) => v.clone(),
            (None, Field::CreatedAt | Field::UpdatedAt) => instant(at),
            (None, Field::FollowUpRequired) => Value::Bool(false),
            // Booked before these were kept (schema 28): as the migration left them.
            (None, Field::Urgency | Field::Modality | Field::VisitType) => value(r, f),
            (None, _) => Value::Null,
        };
        all.insert(f.name().to_string(), v);
    }
    undo(r, &all).map(|_| ())
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
        assert_eq!(undo(&mut after, &w), Ok(false), "no ID put back");
        assert_eq!(format!("{after:?}"), format!("{before:?}"));
        // Another doctor's: the names are to be read again.
        after.doctor_id = Some("other".into());
        let w = was(&before, &after);
        assert_eq!(undo(&mut after, &w), Ok(true));
        assert_eq!(after.doctor_id, before.doctor_id);
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
            for f in fields() {
                let v = value(r, f);
                let v = match v.as_i64() {
                    Some(t) if f.kind() == Kind::Instant => Value::from(
                        crate::core::time::fmt_utc(DateTime::from_timestamp(t, 0).unwrap()),
                    ),
                    _ => v,
                };
                m.insert(f.object_key().into(), v);
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
