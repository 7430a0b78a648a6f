//! The events the bench writes for every appointment, in the stored shape
//! the store writes (docs/rules.md#events): a booking nothing of the row
//! (schema 50), each change its `was`, the columns it changed with their
//! previous values, the patient, doctor and service by ID. The events are those the appointment's row tells of: its
//! booking, then the changes that took it to the status it reached, one for
//! each of its `sequence` (a completed visit was checked in, started and
//! completed).

use appt::core::{AppointmentRow, EventKind, Status};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

/// One event as stored: when, its type, the appointment, its data, who.
pub struct Written {
    pub at: i64,
    /// Its place among the appointment's events made at the same instant.
    pub step: u8,
    pub kind: EventKind,
    pub appointment_id: String,
    pub data: String,
    pub actor: &'static str,
}

/// Who books through each source (`source`), as the front ends name
/// themselves (docs/rules.md#events).
fn booked_by(source: &str) -> &'static str {
    match source {
        "manual" | "phone" => "cli:recepcion",
        "whatsapp" => "api:whatsapp",
        "web" => "patient",
        "import" => "import",
        _ => "api:agenda",
    }
}

fn instant(t: DateTime<Utc>) -> Value {
    json!(t.timestamp())
}

/// The events of appointment `a` as it finally is (`a.status`, its
/// instants and clinical fields), booked at `a.created_at`.
pub fn of(a: &AppointmentRow) -> Vec<Written> {
    let created = a.created_at;
    let mut out = vec![Written {
        at: created.timestamp(),
        step: 0,
        kind: EventKind::Booked,
        appointment_id: a.id.clone(),
        // A booking stores nothing of its row (schema 50).
        data: "{}".into(),
        actor: booked_by(&a.source),
    }];
    let mut change = |at: DateTime<Utc>, kind: EventKind, was: Value, actor: &'static str| {
        let step = out.len() as u8;
        out.push(Written {
            at: at.timestamp(),
            step,
            kind,
            appointment_id: a.id.clone(),
            data: was.to_string(),
            actor,
        });
    };
    let scheduled = json!(Status::Scheduled.as_str());
    match a.status {
        Status::Confirmed => {
            let at = a.confirmed_at.unwrap_or(created);
            let was = json!({"was": {"status": scheduled, "confirmed_at": null,
                "updated_at": created.timestamp()}});
            change(at, EventKind::Confirmed, was, "patient");
        }
        Status::Cancelled => {
            let at = a.cancelled_at.unwrap_or(created);
            let was = json!({"was": {"status": scheduled, "cancelled_at": null,
                "cancellation_reason": null, "updated_at": created.timestamp()}, "forced": false});
            change(at, EventKind::Cancelled, was, "cli:recepcion");
        }
        Status::NoShow => {
            let at = a.no_show_at.unwrap_or(created);
            let was = json!({"was": {"status": scheduled, "no_show_at": null,
                "updated_at": created.timestamp()}});
            change(at, EventKind::NoShow, was, "cli:recepcion");
        }
        Status::Completed => {
            let arrived = a
                .checked_in_at
                .unwrap_or(a.starts_at - Duration::minutes(10));
            let started = a.started_at.unwrap_or(a.starts_at);
            let done = a.completed_at.unwrap_or(started);
            let was = json!({"was": {"status": scheduled, "checked_in_at": null,
                "updated_at": created.timestamp()}});
            change(arrived, EventKind::CheckedIn, was, "board:recepcion");
            let was = json!({"was": {"status": Status::CheckedIn.as_str(), "started_at": null,
                "updated_at": arrived.timestamp()}});
            change(started, EventKind::InProgress, was, "cli:medico");
            let mut was = Map::new();
            was.insert("status".into(), json!(Status::InProgress.as_str()));
            was.insert("completed_at".into(), Value::Null);
            was.insert("updated_at".into(), instant(started));
            if a.diagnosis.is_some() {
                was.insert("diagnosis".into(), Value::Null);
            }
            if a.prescription.is_some() {
                was.insert("prescription".into(), Value::Null);
            }
            if a.follow_up_required {
                was.insert("follow_up_required".into(), json!(false));
                was.insert("follow_up_date".into(), Value::Null);
            }
            change(
                done,
                EventKind::Completed,
                json!({ "was": was }),
                "cli:medico",
            );
        }
        _ => {}
    }
    out
}
