//! The row exports: JSON Lines (one appointment object of docs/commands.md#the-appointment-object per line)
//! and CSV (RFC 4180: a header, CRLF line ends, fields quoted when they hold
//! a comma, a quote or a line break; text that would run as a formula
//! defused). Both write each row as it comes.

use super::json;
use super::out::Out;
use crate::app::export::Sink;
use crate::core::Appointment;
use crate::error::{Error, Result};
use serde_json::Value;
use std::io::Write;
use std::sync::LazyLock;

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

/// The CSV columns: every field of the appointment object (docs/commands.md#the-appointment-object) in its
/// order, the nested patient, doctor and service flattened as `patient.phone`.
pub static COLUMNS: LazyLock<Vec<&'static str>> = LazyLock::new(crate::wire::csv_columns);

/// A field of the object as CSV text: null (or a missing nested object) is
/// empty, numbers and booleans as JSON writes them, a validated phone as it
/// is, and any other text that a spreadsheet would run as a formula with a
/// leading `'` (see [`defuse`]).
fn cell(v: &Value, path: &str) -> String {
    let field = path.split('.').try_fold(v, |v, k| v.get(k));
    match field {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if path == "patient.phone" && is_e164(s) => s.clone(),
        Some(Value::String(s)) => defuse(s),
        // The rooms and equipment given: their names.
        Some(Value::Array(items)) => defuse(
            &items
                .iter()
                .filter_map(|i| i["name"].as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Some(other) => other.to_string(),
    }
}

/// A stored phone in E.164 form (`+` and up to 15 digits), as appt validates them.
fn is_e164(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| (1..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// OWASP's rule against CSV injection: text starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return, which a spreadsheet would run as a
/// formula, gets a leading `'` so it is shown as the text it is. IDs, dates,
/// times and statuses never start so; numbers and phones are not text.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
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
            other => Error::internal(crate::text::msg!(
                "e-cannot_write_a_csv_row",
                other = format!("{other:?}")
            )),
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
        self.record(COLUMNS.iter().copied())
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

    #[test]
    fn text_a_spreadsheet_would_run_gets_a_quote_and_phones_stay() {
        let v = json!({
            "reason": "=HYPERLINK(\"http://x\",\"y\")",
            "notes": "@SUM(1)",
            "source": "+cmd|' /C calc'!A0",
            "session": "-2+3",
            "batch": "\tx",
            "diagnosis": "\rx",
            "prescription": "a=b",
            "token_number": -1,
            "patient": {"phone": "+50370000001", "full_name": "+50370000001"},
        });
        assert_eq!(cell(&v, "reason"), "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(cell(&v, "notes"), "'@SUM(1)");
        assert_eq!(cell(&v, "source"), "'+cmd|' /C calc'!A0");
        assert_eq!(cell(&v, "session"), "'-2+3");
        assert_eq!(cell(&v, "batch"), "'\tx");
        assert_eq!(cell(&v, "diagnosis"), "'\rx");
        assert_eq!(cell(&v, "prescription"), "a=b");
        assert_eq!(cell(&v, "token_number"), "-1");
        assert_eq!(cell(&v, "patient.phone"), "+50370000001");
        assert_eq!(cell(&v, "patient.full_name"), "'+50370000001");
        let bad_phone = json!({"patient": {"phone": "+=1+2"}});
        assert_eq!(cell(&bad_phone, "patient.phone"), "'+=1+2");
    }
}
