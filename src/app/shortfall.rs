//! A run that finished but left something undone: `check` found problems,
//! `import` rejected lines, `remind due` or `webhook deliver` could not
//! deliver everything. Its result is printed whole, then this becomes the
//! error that follows it on stderr and gives the exit code — decided here,
//! once, for all four (docs/errors.md, "Partly failed runs").

use crate::error::{Code, Error};
use chrono::{DateTime, Utc};
use serde_json::json;

/// A message `remind due` did not deliver, to be retried at `retry_at`
/// (None: failed for good).
pub struct ReminderFailure {
    pub reminder_id: String,
    pub error: String,
    pub retry_at: Option<DateTime<Utc>>,
}

/// An event a webhook did not take, retried at `retry_at`.
pub struct WebhookFailure {
    pub webhook_id: String,
    pub event_id: i64,
    pub error: String,
    pub retry_at: DateTime<Utc>,
}

/// An import's line that was not booked.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// From 1.
    pub line: usize,
    pub error: Error,
}

pub enum Shortfall<'a> {
    /// `check`: how many problems, in which database.
    Problems { count: usize, location: &'a str },
    /// `check --setup`: how many findings do not hold.
    Setup { count: usize },
    /// `import`: how many lines were rejected; the first one's class is the
    /// exit code, as a script would want.
    Rejected { count: usize, first: &'a Rejected },
    /// `remind due`: messages that were not delivered (retried later).
    Reminders(&'a [ReminderFailure]),
    /// `webhook deliver`: events a webhook did not take (retried later).
    Webhooks(&'a [WebhookFailure]),
}

impl Shortfall<'_> {
    pub fn error(&self) -> Error {
        match self {
            Shortfall::Problems { count, location } => Error::database(crate::text::msg!(
                "e-found_in",
                a = crate::text::msg!("e-problems", n = *count),
                location = location
            ))
            .details(json!({ "violations": count })),
            Shortfall::Setup { count } => {
                Error::database(crate::text::msg!("e-setup_findings", n = *count))
                    .details(json!({ "failing": count }))
            }
            Shortfall::Rejected { count, first } => Error::new(
                first.error.code,
                crate::text::msg!(
                    "e-rejected_the_first_line",
                    a = crate::text::msg!("e-lines", n = *count),
                    b = first.line,
                    c = first.error.msg
                ),
            )
            .details(json!({ "rejected": count, "first_line": first.line })),
            Shortfall::Reminders(failed) => Error::new(
                Code::DeliveryFailed,
                crate::text::msg!(
                    "e-failed_they_are_retried_on_a_later",
                    a = crate::text::msg!("e-reminder_deliveries", n = failed.len())
                ),
            )
            .details(json!({ "failed": failed.iter().map(|f| json!({
                "reminder_id": f.reminder_id,
                "error": f.error,
                "retry_at": f.retry_at.map(crate::core::time::fmt_utc),
            })).collect::<Vec<_>>() })),
            Shortfall::Webhooks(failed) => Error::new(
                Code::DeliveryFailed,
                crate::text::msg!(
                    "e-failed_they_are_retried_on_a_later",
                    a = crate::text::msg!("e-webhook_deliveries", n = failed.len())
                ),
            )
            .details(json!({ "failed": failed.iter().map(|f| json!({
                "webhook_id": f.webhook_id,
                "event_id": f.event_id,
                "error": f.error,
                "retry_at": crate::core::time::fmt_utc(f.retry_at),
            })).collect::<Vec<_>>() })),
        }
    }
}
