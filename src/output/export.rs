//! `appt export`'s formats: one writer per format (`ics`, `fhir`, `rows` for
//! JSON Lines and CSV, `xlsx`), each a [`Sink`] that writes every appointment as it
//! comes, so an export of any size runs in constant memory. A failed write is
//! an error (exit 1), never a silent success. A patient's export
//! ([`patient_document`]) is one small document, written whole.

use super::{fhir, ics, rows, xlsx};
use crate::app::export::Sink;
use crate::app::patient_export::{Format as PatientFormat, PatientExport};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::io::{BufWriter, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ics,
    Fhir,
    Jsonl,
    Csv,
    Xlsx,
}

/// What every format needs besides the appointments.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The export's instant (DTSTAMP, the Bundle's timestamp): `$APPT_NOW` in tests.
    pub now: DateTime<Utc>,
    /// Whether calendar and FHIR files carry the patient's name, phone and ID.
    pub include_patient: bool,
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

/// A buffered destination whose failures name it.
pub struct Out<W: Write> {
    w: BufWriter<W>,
    what: String,
}

impl<W: Write> Out<W> {
    pub(super) fn new(w: W, what: String) -> Self {
        Out {
            w: BufWriter::with_capacity(64 * 1024, w),
            what,
        }
    }

    /// The error for a failed write (INTERNAL_ERROR, exit 1).
    pub fn failed(&self, e: std::io::Error) -> Error {
        Error::internal(crate::text::msg!("e-cannot_write_to", a = self.what, e = e))
    }

    pub fn put(&mut self, bytes: &[u8]) -> Result<()> {
        match self.w.write_all(bytes) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Pushes everything buffered to the destination.
    pub fn finish(&mut self) -> Result<()> {
        match self.w.flush() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }
}

/// For writers (the CSV writer) that want an `io::Write`.
impl<W: Write> Write for Out<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}
