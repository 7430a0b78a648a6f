//! What every export format writes through: the options they share and a
//! buffered destination whose failures name it. A leaf below `export` and
//! each format's writer (`fhir`, `ics`, `rows`, `xlsx`, `report_file`).

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::io::{BufWriter, Write};

/// What every format needs besides the appointments.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The export's instant (DTSTAMP, the Bundle's timestamp): `$APPT_NOW` in tests.
    pub now: DateTime<Utc>,
    /// Whether calendar and FHIR files carry the patient's name, phone and ID.
    pub include_patient: bool,
}

/// A buffered destination whose failures name it.
pub struct Out<W: Write> {
    w: BufWriter<W>,
    what: String,
}

impl<W: Write> Out<W> {
    pub(crate) fn new(w: W, what: String) -> Self {
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
