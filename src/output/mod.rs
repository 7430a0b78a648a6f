//! What appt prints: JSON views (dedicated `Serialize` structs, so the wire
//! shape never changes by accident) and human tables, cards and confirmations.
//! Commands return a `Report`; `main` prints it once, in the chosen format.

pub mod human;
pub mod json;

use serde_json::Value;

/// A command's result in both formats.
pub struct Report {
    pub json: Value,
    pub human: String,
    /// A non-zero exit that is not an error (e.g. a sweep with failed deliveries).
    pub exit_code: i32,
}

impl Report {
    pub fn new(json: Value, human: impl Into<String>) -> Self {
        Report {
            json,
            human: human.into(),
            exit_code: 0,
        }
    }
}
