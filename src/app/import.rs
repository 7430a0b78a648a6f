//! `import`: JSON Lines of booking requests, each booked by the same use case
//! as `book` ([`book::check`] and [`book::book_in`]: the same code, not a
//! copy). Lines are committed in batches with a savepoint each, so a rejected
//! line rolls back alone and the rest go on; a rerun of lines that carry
//! `external_ref` books nothing twice.

use super::book::{self, BookRequest};
use super::schedule::WhenInput;
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::io::BufRead;

/// A write transaction ends after this many lines or this long, whichever
/// comes first. Big batches write each touched index page once for many
/// lines (appointment, patient and reminder IDs are random, so every line
/// touches pages all over the file); the time limit keeps the write lock
/// short enough for a front desk booking meanwhile (it waits, SPEC §9's busy
/// timeout is 10 s).
const BATCH: usize = 10_000;
const BATCH_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Lines per batch. Test builds read `APPT_IMPORT_BATCH`, so that the
/// suite can cross batch boundaries with a few lines.
fn batch_lines() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("APPT_IMPORT_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    BATCH
}

/// One line: the fields of `book`'s flags, in snake_case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    clinic: Option<String>,
    doctor: Option<String>,
    #[serde(default)]
    clinic_wide: bool,
    date: Option<String>,
    time: Option<String>,
    at: Option<String>,
    patient: Option<String>,
    phone: Option<String>,
    name: Option<String>,
    national_id: Option<String>,
    service: Option<String>,
    duration: Option<i64>,
    session: Option<String>,
    reason: Option<String>,
    notes: Option<String>,
    source: Option<String>,
    external_ref: Option<String>,
    /// `false`: no confirmation message (the seeds' `send_notification`).
    notify: Option<bool>,
}

impl Line {
    fn request(self, clinic: Option<&str>, key: Option<&str>) -> BookRequest {
        BookRequest {
            clinic: self.clinic.or(clinic.map(str::to_string)),
            doctor: self.doctor,
            clinic_wide: self.clinic_wide,
            when: WhenInput {
                date: self.date,
                time: self.time,
                at: self.at,
            },
            patient: self.patient,
            phone: self.phone,
            name: self.name,
            national_id: self.national_id,
            service: self.service,
            duration: self.duration,
            session: self.session,
            reason: self.reason,
            notes: self.notes,
            source: self.source.unwrap_or_else(|| "import".into()),
            external_ref: self.external_ref,
            key: key.map(str::to_string),
            walk_in: false,
            no_notify: self.notify == Some(false),
        }
    }
}

/// A line that was not booked.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// From 1.
    pub line: usize,
    pub error: Error,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Imported {
    pub booked: usize,
    /// Lines whose `external_ref` was already booked.
    pub idempotent: usize,
    pub rejected: Vec<Rejected>,
}

/// What every line shares: `--clinic` and `$APPT_KEY`.
pub struct ImportRequest {
    pub clinic: Option<String>,
    pub key: Option<String>,
    pub dry_run: bool,
}

/// The request a line asks for, or why it is not one.
fn parse(
    text: &str,
    r: &ImportRequest,
    now: DateTime<Utc>,
) -> Result<(BookRequest, book::Checked)> {
    let line: Line = serde_json::from_str(text).map_err(|e| {
        // serde's "at line 1 column N" counts within the line, not the file.
        let why = e.to_string();
        let why = why.split(" at line ").next().unwrap_or(&why).to_string();
        Error::field("line", format!("not a booking request: {why}"))
    })?;
    let req = line.request(r.clinic.as_deref(), r.key.as_deref());
    let checked = book::check(&req, now)?;
    Ok((req, checked))
}

/// Books each line of `input`; `progress` is told how many bytes and lines
/// have been read.
pub fn import(
    st: &mut Store,
    input: &mut dyn BufRead,
    r: &ImportRequest,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(u64, usize),
) -> Result<Imported> {
    let keys = st.keys(r.key.clone());
    let limit = batch_lines();
    st.for_bulk_writes()?;
    let mut done = Imported::default();
    let mut number = 0usize;
    let mut read = 0u64;
    // A dry run checks the whole file in one transaction it then rolls back,
    // so later lines see the earlier ones as booked.
    // Returns whether the input has ended.
    let mut batch = |tx: &Tx, done: &mut Imported| -> Result<bool> {
        let mut in_batch = 0;
        let mut text = String::new();
        let started = std::time::Instant::now();
        while r.dry_run || (in_batch < limit && started.elapsed() < BATCH_TIME) {
            text.clear();
            let n = input
                .read_line(&mut text)
                .map_err(|e| Error::internal(format!("cannot read the import: {e}")))?;
            if n == 0 {
                return Ok(true);
            }
            read += n as u64;
            number += 1;
            if text.trim().is_empty() {
                continue;
            }
            in_batch += 1;
            let outcome = parse(text.trim(), r, now).and_then(|(req, checked)| {
                tx.attempt(|tx| book::book_in(tx, &req, &checked, &keys, now))
            });
            match outcome {
                Ok(b) if b.idempotent => done.idempotent += 1,
                Ok(_) => done.booked += 1,
                // The database is unusable: no later line can do better.
                Err(e) if e.code == Code::Database || e.code == Code::Internal => return Err(e),
                Err(error) => done.rejected.push(Rejected {
                    line: number,
                    error,
                }),
            }
            progress(read, number);
        }
        Ok(false)
    };
    loop {
        let ended = if r.dry_run {
            st.rehearse(|tx| batch(tx, &mut done))?
        } else {
            st.write(|tx| batch(tx, &mut done))?
        };
        if ended {
            return Ok(done);
        }
    }
}
