//! Patient notifications (docs/rules.md#reminders-and-notifications): `book`, `reschedule` and `cancel` queue
//! one message for the patient in their own transaction, delivered by
//! `remind due` like a reminder. Only the latest news goes out: a change
//! withdraws the appointment's notifications not yet delivered.

use crate::core::message::Kind;
use crate::core::Appointment;
use crate::error::Result;
use crate::store::db::Tx;
use crate::store::reminders;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// What happened to the appointment. `series` (docs/rules.md#series), when
/// the news covers a series' occurrences from this one on: how many and the
/// last date (`{"count","last_date"}`), for the message's `{series}`.
pub enum News<'a> {
    Booked {
        series: Option<&'a Value>,
    },
    /// Moved; `previous` holds the times it had.
    Moved {
        previous: &'a Value,
        series: Option<&'a Value>,
    },
    /// `reason`: what the patient is told, never the desk's own reason.
    Cancelled {
        reason: Option<&'a str>,
        series: Option<&'a Value>,
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
        News::Booked { .. } => Vec::new(),
        _ => reminders::pending_notices(tx, &a.id)?,
    };
    for p in &pending {
        reminders::supersede(tx, &p.id, now)?;
    }
    if !send {
        return Ok(());
    }
    let was = |kind: Kind| pending.iter().find(|p| p.kind == kind);
    let (kind, data, series) = match news {
        News::Booked { series } => (Kind::Confirmation, None, series),
        News::Moved { series, .. } if was(Kind::Confirmation).is_some() => {
            (Kind::Confirmation, None, series)
        }
        News::Moved { previous, series } => match was(Kind::Rescheduled) {
            Some(earlier) => (Kind::Rescheduled, earlier.data.clone(), series),
            None => (
                Kind::Rescheduled,
                Some(json!({ "previous": previous })),
                series,
            ),
        },
        News::Cancelled { reason, series } => (
            Kind::Cancelled,
            reason.map(|r| json!({ "reason": r })),
            series,
        ),
    };
    let data = match series {
        Some(s) => {
            let mut d = data.unwrap_or_else(|| json!({}));
            d["series"] = s.clone();
            Some(d)
        }
        None => data,
    };
    reminders::queue(tx, &a.id, kind, data.as_ref(), None, now)
}
