//! Patient notifications (docs/rules.md#reminders-and-notifications): `book`, `reschedule` and `cancel` queue
//! one message for the patient in their own transaction, delivered by
//! `remind due` like a reminder. Only the latest news goes out: a change
//! withdraws the appointment's notifications not yet delivered.

use crate::core::Appointment;
use crate::error::Result;
use crate::store::db::Tx;
use crate::store::reminders;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// What happened to the appointment.
pub enum News<'a> {
    Booked,
    /// Moved; `previous` holds the times it had.
    Moved {
        previous: &'a Value,
    },
    Cancelled {
        reason: &'a str,
    },
}

/// Withdraws the appointment's undelivered notifications and, when `send`
/// (the clinic's `--notify` and no `--no-notify`), queues the latest news.
/// A move the patient never heard of is still news of a booking (a
/// confirmation of the new time); two moves are one message from the
/// original time to the final one.
pub fn tell(tx: &Tx, send: bool, a: &Appointment, news: News, now: DateTime<Utc>) -> Result<()> {
    // A booking is the appointment's first news: nothing to withdraw (and
    // one query fewer for every `book` and every line of an import).
    let pending = match news {
        News::Booked => Vec::new(),
        _ => reminders::pending_notices(tx, &a.id)?,
    };
    for p in &pending {
        reminders::supersede(tx, &p.id, now)?;
    }
    if !send {
        return Ok(());
    }
    let was = |kind: &str| pending.iter().find(|p| p.kind == kind);
    let (kind, data) = match news {
        News::Booked => ("confirmation", None),
        News::Moved { .. } if was("confirmation").is_some() => ("confirmation", None),
        News::Moved { previous } => match was("rescheduled") {
            Some(earlier) => ("rescheduled", earlier.data.clone()),
            None => ("rescheduled", Some(json!({ "previous": previous }))),
        },
        News::Cancelled { reason } => ("cancelled", Some(json!({ "reason": reason }))),
    };
    reminders::queue(tx, &a.id, kind, data.as_ref(), None, now)
}
