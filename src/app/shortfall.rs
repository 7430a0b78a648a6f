//! A run that finished but left something undone: `check` found problems,
//! `import` rejected lines, `remind due` or `webhook deliver` could not
//! deliver everything. Its result is printed whole, then this becomes the
//! error that follows it on stderr and gives the exit code — decided here,
//! once, for all four (docs/errors.md, "Partly failed runs").

use super::import::Rejected;
use super::{remind, webhook};
use crate::error::{Code, Error};
use serde_json::json;

pub enum Shortfall<'a> {
    /// `check`: how many problems, in which database.
    Problems { count: usize, location: &'a str },
    /// `import`: how many lines were rejected; the first one's class is the
    /// exit code, as a script would want.
    Rejected { count: usize, first: &'a Rejected },
    /// `remind due`: messages that were not delivered (retried later).
    Reminders(&'a [remind::Failure]),
    /// `webhook deliver`: events a webhook did not take (retried later).
    Webhooks(&'a [webhook::Failure]),
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Shortfall<'_> {
    pub fn error(&self) -> Error {
        match self {
            Shortfall::Problems { count, location } => Error::database(format!(
                "{} found in {location}",
                plural(*count, "problem", "problems")
            ))
            .details(json!({ "violations": count })),
            Shortfall::Rejected { count, first } => Error::new(
                first.error.code,
                format!(
                    "{} rejected; the first, line {}: {}",
                    plural(*count, "line", "lines"),
                    first.line,
                    first.error.message
                ),
            )
            .details(json!({ "rejected": count, "first_line": first.line })),
            Shortfall::Reminders(failed) => Error::new(
                Code::DeliveryFailed,
                format!(
                    "{} failed; they are retried on a later run",
                    plural(failed.len(), "reminder delivery", "reminder deliveries")
                ),
            )
            .details(json!({ "failed": failed.iter().map(|f| json!({
                "reminder_id": f.reminder_id,
                "error": f.error,
                "retry_at": f.retry_at.map(crate::core::time::fmt_utc),
            })).collect::<Vec<_>>() })),
            Shortfall::Webhooks(failed) => Error::new(
                Code::DeliveryFailed,
                format!(
                    "{} failed; they are retried on a later run",
                    plural(failed.len(), "webhook delivery", "webhook deliveries")
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
