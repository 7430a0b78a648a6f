//! The row exports: JSON Lines (one appointment object of SPEC §6 per line)
//! and CSV (RFC 4180: a header, CRLF line ends, fields quoted when they hold
//! a comma, a quote or a line break). Both write each row as it comes.

use super::export::Out;
use super::json;
use crate::app::export::Sink;
use crate::core::Appointment;
use crate::error::{Error, Result};
use serde_json::Value;
use std::io::Write;

pub struct JsonLines<W: Write> {
    out: Out<W>,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: Out<W>) -> Self {
        JsonLines { out }
    }
}

impl<W: Write> Sink for JsonLines<W> {
    fn begin(&mut self) -> Result<()> {
        Ok(())
    }

    fn appointment(&mut self, a: &Appointment, _sequence: i64) -> Result<()> {
        let mut line = serde_json::to_vec(&json::appointment(a))?;
        line.push(b'\n');
        self.out.put(&line)
    }

    fn end(&mut self) -> Result<()> {
        self.out.finish()
    }
}

/// The CSV columns: every field of the appointment object (SPEC §6) in its
/// order, the nested patient, doctor and service flattened as `patient.phone`.
pub const COLUMNS: [&str; 42] = [
    "id",
    "clinic_id",
    "doctor_id",
    "patient_id",
    "service_id",
    "date",
    "start_time",
    "end_time",
    "duration_minutes",
    "starts_at",
    "ends_at",
    "timezone",
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
    "patient.id",
    "patient.full_name",
    "patient.phone",
    "doctor.id",
    "doctor.full_name",
    "doctor.specialty",
    "service.id",
    "service.name",
    "service.duration_minutes",
    "created_at",
    "updated_at",
    "confirmed_at",
    "checked_in_at",
    "started_at",
    "completed_at",
    "cancelled_at",
    "no_show_at",
];

/// A field of the object as CSV text: null (or a missing nested object) is
/// empty, numbers and booleans as JSON writes them.
fn cell(v: &Value, path: &str) -> String {
    let field = path.split('.').try_fold(v, |v, k| v.get(k));
    match field {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub struct Csv<W: Write> {
    w: csv::Writer<Out<W>>,
}

impl<W: Write> Csv<W> {
    pub fn new(out: Out<W>) -> Self {
        Csv {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
        }
    }

    fn failed(&self, e: csv::Error) -> Error {
        match e.into_kind() {
            csv::ErrorKind::Io(e) => self.w.get_ref().failed(e),
            other => Error::internal(format!("cannot write a CSV row: {other:?}")),
        }
    }

    fn record<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> Result<()> {
        match self.w.write_record(fields) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }
}

impl<W: Write> Sink for Csv<W> {
    fn begin(&mut self) -> Result<()> {
        self.record(COLUMNS)
    }

    fn appointment(&mut self, a: &Appointment, _sequence: i64) -> Result<()> {
        let v = json::appointment(a);
        let cells: Vec<String> = COLUMNS.iter().map(|c| cell(&v, c)).collect();
        self.record(cells.iter().map(String::as_str))
    }

    fn end(&mut self) -> Result<()> {
        if let Err(e) = self.w.flush() {
            return Err(self.w.get_ref().failed(e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_text_and_null_is_empty() {
        let v = json!({"a": null, "n": 3, "b": false, "s": "x,y", "p": {"q": "r"}, "d": null});
        assert_eq!(cell(&v, "a"), "");
        assert_eq!(cell(&v, "n"), "3");
        assert_eq!(cell(&v, "b"), "false");
        assert_eq!(cell(&v, "s"), "x,y");
        assert_eq!(cell(&v, "p.q"), "r");
        assert_eq!(cell(&v, "d.full_name"), "");
    }
}
