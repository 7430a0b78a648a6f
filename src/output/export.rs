//! `appt export`'s formats: one writer per format (`ics`, `fhir`, `rows` for
//! JSON Lines and CSV, `xlsx`), each a [`Sink`] that writes every appointment as it
//! comes, so an export of any size runs in constant memory. A failed write is
//! an error (exit 1), never a silent success. A patient's export
//! ([`patient_document`]) is one small document, written whole.

pub use super::out::{Options, Out};
use super::{fhir, ics, rows, xlsx};
use crate::app::export::Sink;
use crate::app::patient_export::{Format as PatientFormat, PatientExport};
use crate::error::Result;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ics,
    Fhir,
    Jsonl,
    Csv,
    Xlsx,
}

/// The writer of `format` over `out`; `what` names the destination in errors
/// ("standard output", a file's path).
pub fn sink<'w, W: Write + 'w>(
    format: Format,
    opts: Options,
    out: W,
    what: impl Into<String>,
) -> Box<dyn Sink + 'w> {
    let out = Out::new(out, what.into());
    match format {
        Format::Ics => Box::new(ics::Calendar::new(out, opts)),
        Format::Fhir => Box::new(fhir::Bundle::new(out, opts)),
        Format::Jsonl => Box::new(rows::JsonLines::new(out)),
        Format::Csv => Box::new(rows::Csv::new(out)),
        Format::Xlsx => Box::new(xlsx::Sheet::new(out, opts)),
    }
}

/// `patient export`'s document in its format (docs/commands.md#appt-patient-export):
/// appt's own JSON (indented for a person to read, or compact), a FHIR R4
/// Bundle, or a page to print in the clinic's language.
pub fn patient_document(e: &PatientExport, indented: bool) -> Result<Vec<u8>> {
    match e.format {
        PatientFormat::Fhir => fhir::patient_bundle(e),
        PatientFormat::Html => Ok(super::patient_page::page(e)),
        PatientFormat::Json => {
            let doc = super::json::patient_export(e);
            let mut bytes = if indented {
                serde_json::to_vec_pretty(&doc)?
            } else {
                serde_json::to_vec(&doc)?
            };
            bytes.push(b'\n');
            Ok(bytes)
        }
    }
}
