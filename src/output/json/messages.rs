//! What goes out, as JSON: `remind list`, `remind due`, `webhook list` and
//! `webhook deliver`.

use super::{list, reminder};
use crate::core::Appointment;
use crate::store::webhooks::Webhook;
use crate::wire::{opt_ts, to_json, ts};
use serde::Serialize;
use serde_json::Value;

/// `remind list --json`.
pub fn reminders(rows: &[(crate::store::reminders::Reminder, Appointment)]) -> Value {
    list(
        "reminders",
        rows.iter().map(|(r, a)| reminder(r, a)).collect(),
    )
}

/// `remind due --exec --json`: the sweep's counts.
pub fn sweep(s: &crate::app::remind::Sweep) -> Value {
    #[derive(Serialize)]
    struct View {
        sent: i64,
        failed: i64,
        expired: i64,
        cancelled: i64,
        /// What the clinics' retention removed, only when it removed
        /// something (`purge --json`'s `purged`).
        #[serde(skip_serializing_if = "Option::is_none")]
        purged: Option<Value>,
    }
    to_json(View {
        sent: s.sent,
        failed: s.failed,
        expired: s.expired,
        cancelled: s.cancelled,
        purged: s
            .purged
            .as_ref()
            .filter(|p| p.any())
            .map(|p| super::purged(p)["purged"].clone()),
    })
}

#[derive(Serialize)]
struct WebhookView<'a> {
    id: &'a str,
    url: String,
    events: Option<&'a [String]>,
    has_secret: bool,
    clinical: bool,
    last_event_id: i64,
    delivered: i64,
    attempts: i64,
    next_attempt_at: Option<String>,
    last_error: Option<String>,
    created_at: String,
}

/// A webhook; the secret itself is never shown, nor a password in its URL.
pub fn webhook(w: &Webhook) -> Value {
    to_json(WebhookView {
        id: &w.id,
        url: w.shown_url(),
        events: w.events.as_deref(),
        has_secret: w.secret.is_some(),
        clinical: w.clinical,
        last_event_id: w.cursor,
        delivered: w.delivered,
        attempts: w.attempts,
        next_attempt_at: opt_ts(w.next_attempt_at),
        last_error: w.shown_error(),
        created_at: ts(w.created_at),
    })
}

/// `webhook deliver --json`.
pub fn delivered(d: &crate::app::outbox::webhook::Delivered) -> Value {
    #[derive(Serialize)]
    struct View {
        delivered: i64,
        failed: usize,
    }
    to_json(View {
        delivered: d.delivered,
        failed: d.failures.len(),
    })
}
