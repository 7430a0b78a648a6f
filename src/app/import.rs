//! `import`: JSON Lines of booking requests, each booked by the same use case
//! as `book` ([`book::check`] and [`book::book_in`], which books a series
//! for a line with a repeat: the same code, not a copy). Lines are committed in batches, each line in an attempt of its
//! own ([`Tx::attempt`]), so a rejected line rolls back alone and the rest
//! go on; a rerun of lines that carry `external_ref` books nothing twice.
//! The events of what it books name `import` as who made the change
//! (docs/rules.md#events).

use super::book::{self, BookRequest};
use super::repeat::RepeatInput;
use super::schedule::WhenInput;
use super::visit::VisitInput;
use crate::core::Actor;
use crate::error::{Code, Error, Result};
use crate::store::ahead::LookAhead;
use crate::store::db::Tx;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::io::BufRead;

/// A write transaction ends after this many lines or this long, whichever
/// comes first. Big batches write each touched index page once for many
/// lines (appointment, patient and reminder IDs are random, so every line
/// touches pages all over the file); the time limit keeps the write lock
/// short enough for a front desk booking meanwhile (it waits, docs/security.md's busy
/// timeout is 10 s). The bench commits its import floor as often
/// (benches/million.rs).
const BATCH: usize = 10_000;
pub const BATCH_TIME: std::time::Duration = std::time::Duration::from_secs(2);

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
    /// The patient's e-mail and preferred channel (docs/rules.md#which-channel).
    email: Option<String>,
    channel: Option<String>,
    service: Option<String>,
    duration: Option<i64>,
    session: Option<String>,
    reason: Option<String>,
    notes: Option<String>,
    source: Option<String>,
    external_ref: Option<String>,
    /// `false`: no confirmation message (the seeds' `send_notification`).
    notify: Option<bool>,
    /// A series (docs/rules.md#series): `daily` or `weekly`, with `every`,
    /// `count` or `until`, and `skip_conflicts`.
    repeat: Option<String>,
    every: Option<i64>,
    count: Option<i64>,
    until: Option<String>,
    #[serde(default)]
    skip_conflicts: bool,
    /// What kind of visit (docs/rules.md#visits), in either language.
    urgency: Option<String>,
    modality: Option<String>,
    visit_type: Option<String>,
    payer: Option<String>,
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
            email: self.email,
            channel: self.channel,
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
            repeat: RepeatInput::given(
                self.repeat,
                self.every,
                self.count,
                self.until,
                self.skip_conflicts,
            ),
            overbook: None,
            seen_from: None,
            visit: VisitInput {
                urgency: self.urgency,
                modality: self.modality,
                visit_type: self.visit_type,
                payer: self.payer,
            },
            hold: None,
            resource: None,
            overbook_resource: false,
            past_calendar: false,
        }
    }
}

/// The longest line read whole: a booking request is a few hundred bytes, so
/// anything longer is rejected (its bytes skipped, never held) and the rest go on.
const MAX_LINE: usize = 64 * 1024;

/// How many rejected lines are kept with their error; past it they are only
/// counted, so a file of a million bad lines takes no more memory than one
/// of a thousand.
pub const MAX_ERRORS: usize = 1_000;

/// A line that was not booked (kept beside the shortfall it makes).
pub use super::shortfall::Rejected;

/// What an import did (or, dry, would do).
#[derive(Debug, Default)]
pub struct Imported {
    pub booked: usize,
    /// Lines whose `external_ref` was already booked.
    pub idempotent: usize,
    /// The first [`MAX_ERRORS`] rejected lines, in file order.
    pub rejected: Vec<Rejected>,
    /// Every rejected line, kept or not.
    pub rejected_count: usize,
}

impl Imported {
    /// The rejected lines, as the error the summary ends with.
    pub fn shortfall(&self) -> Option<super::shortfall::Shortfall<'_>> {
        self.rejected
            .first()
            .map(|first| super::shortfall::Shortfall::Rejected {
                count: self.rejected_count,
                first,
            })
    }

    fn reject(&mut self, line: usize, error: Error) {
        self.rejected_count += 1;
        if self.rejected.len() < MAX_ERRORS {
            self.rejected.push(Rejected { line, error });
        }
    }
}

/// One line of the input, as read.
enum Read {
    End,
    /// Its bytes, the line break left off.
    Line(Vec<u8>),
    /// Longer than [`MAX_LINE`]: skipped to its end.
    TooLong,
}

/// Reads the next line into `buf` (bytes, not text: a line that is not
/// UTF-8 is one bad line, not the end of the import); returns how many bytes
/// were consumed and what was read.
fn next_line(input: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<(u64, Read)> {
    buf.clear();
    let mut consumed = 0u64;
    let mut too_long = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            let read = if too_long {
                Read::TooLong
            } else if consumed == 0 {
                Read::End
            } else {
                Read::Line(std::mem::take(buf))
            };
            return Ok((consumed, read));
        }
        let (part, ended) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if !too_long && buf.len() + part.len() <= MAX_LINE {
            buf.extend_from_slice(part);
        } else {
            too_long = true;
            buf.clear();
        }
        let used = ended.unwrap_or(chunk.len());
        input.consume(used);
        consumed += used as u64;
        if ended.is_some() {
            if too_long {
                return Ok((consumed, Read::TooLong));
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok((consumed, Read::Line(std::mem::take(buf))));
        }
    }
}

/// The text of a line: a leading byte-order mark on the first line is not
/// part of it, and bytes that are not UTF-8 reject the line.
fn line_text(bytes: &[u8], number: usize) -> Result<&str> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) if number == 1 => rest,
        _ => bytes,
    };
    std::str::from_utf8(bytes).map_err(|e| {
        Error::field(
            "line",
            crate::text::msg!(
                "e-not_a_booking_request_the_line_is_2",
                a = e.valid_up_to() + 1
            ),
        )
    })
}

/// Lines read ahead, looked up together ([`look_up`]: a query for each kind
/// of question rather than one per line) and written together
/// ([`Tx::together`]). Only lines that have come already are read
/// ahead ([`Input`]).
const AHEAD: usize = 256;

/// A line read ahead.
struct Ahead {
    /// From 1.
    number: usize,
    /// Bytes read up to its end.
    read: u64,
    parsed: Result<(BookRequest, book::Checked)>,
}

/// Asks at once what the lines' bookings will ask one by one: the patients
/// with their phones, the appointments holding their external references,
/// the closures, busy times and last tokens of their doctors' days.
/// What it finds is kept in the transaction ([`Tx::keep`]); a line whose
/// phone cannot be read yet is asked for when it is booked.
fn look_up(tx: &Tx, ahead: &[Ahead], now: DateTime<Utc>) -> Result<()> {
    let parsed = || ahead.iter().filter_map(|a| a.parsed.as_ref().ok());
    let asks: Vec<book::ToAsk> = parsed()
        .map(|(req, checked)| book::to_ask(tx, req, checked, now))
        .collect();
    let refs: Vec<&str> = parsed()
        .filter_map(|(_, checked)| checked.external_ref())
        .collect();
    let mut ask = LookAhead::default();
    for a in &asks {
        if let Some(phone) = &a.phone {
            ask.phone(phone);
        }
        if let Some(d) = &a.day {
            ask.doctor_day(&d.clinic, &d.doctor, &d.token_scope, d.date, (d.from, d.to));
        }
    }
    for r in refs {
        ask.reference(r);
    }
    ask.ask(tx)
}

/// What every line shares: `--clinic` and `$APPT_KEY`.
pub struct ImportRequest {
    pub clinic: Option<String>,
    pub key: Option<String>,
    pub dry_run: bool,
}

/// serde_json's words for a line that is not a request, as a message of the
/// catalogues (so that a Spanish desk reads them in Spanish); words of
/// serde's that the list does not know are shown as they are.
fn serde_words(why: &str) -> crate::text::Msg {
    use crate::text::{msg, Msg};
    const WHOLE: [(&str, &str); 12] = [
        ("expected value", "e-json_expected_value"),
        ("expected ident", "e-json_expected_ident"),
        ("EOF while parsing an object", "e-json_eof_object"),
        ("EOF while parsing a value", "e-json_eof_value"),
        ("EOF while parsing a string", "e-json_eof_string"),
        ("EOF while parsing a list", "e-json_eof_list"),
        ("trailing characters", "e-json_trailing_characters"),
        ("trailing comma", "e-json_trailing_comma"),
        ("key must be a string", "e-json_key_must_be_a_string"),
        ("expected `:`", "e-json_expected_colon"),
        ("expected `,` or `}`", "e-json_expected_comma_or_brace"),
        ("invalid number", "e-json_invalid_number"),
    ];
    if let Some((_, id)) = WHOLE.iter().find(|(w, _)| *w == why) {
        return Msg::new(*id);
    }
    let two = |rest: &str, id: &'static str| {
        rest.split_once(", expected ")
            .map(|(a, b)| msg!(id, a = a, b = b))
    };
    if let Some(m) = why
        .strip_prefix("invalid type: ")
        .and_then(|r| two(r, "e-json_invalid_type"))
    {
        return m;
    }
    if let Some((a, b)) = why
        .strip_prefix("unknown field ")
        .and_then(|r| r.split_once(", expected one of "))
    {
        return msg!("e-json_unknown_field", a = a, b = b);
    }
    if let Some(a) = why.strip_prefix("missing field ") {
        return msg!("e-json_missing_field", a = a);
    }
    if let Some(a) = why.strip_prefix("duplicate field ") {
        return msg!("e-json_duplicate_field", a = a);
    }
    Msg::verbatim(why)
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
        Error::field(
            "line",
            crate::text::msg!("e-not_a_booking_request", why = serde_words(&why)),
        )
    })?;
    let req = line.request(r.clinic.as_deref(), r.key.as_deref());
    let checked = book::check(&req, now)?;
    Ok((req, checked))
}

/// What an import reads: lines, and which of them have come already (on a
/// pipe, the next line may not have been written yet, and a line that has
/// come is booked without waiting for it).
pub trait Input: BufRead {
    /// The bytes read in and not consumed yet.
    fn waiting(&self) -> &[u8];
}

impl<R: std::io::Read> Input for std::io::BufReader<R> {
    fn waiting(&self) -> &[u8] {
        self.buffer()
    }
}

/// Books each line of `input`; `progress` is told how many bytes and lines
/// have been read.
pub fn import(
    st: &mut Store,
    input: &mut dyn Input,
    r: &ImportRequest,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(u64, usize),
) -> Result<Imported> {
    let keys = st.keys(r.key.clone());
    let limit = batch_lines();
    // SQLite keeps its own small page cache and temporary files here, as
    // for every command: an import's writes touch index pages all over a
    // big file, and a larger cache, or savepoint journals kept in memory,
    // held every one of them, so its memory grew with the database (1,000
    // lines: 19 MB on an empty database, 98 MB at a million appointments;
    // docs/performance.md#footprint).
    let mut done = Imported::default();
    let mut number = 0usize;
    let mut read = 0u64;
    let mut bytes = Vec::new();
    // A dry run checks the whole file in one transaction it then rolls back,
    // so later lines see the earlier ones as booked.
    // Returns whether the input has ended.
    // Each line booked in an attempt of its own: whether it was booked
    // before (its external reference), or why not.
    let book_all = |tx: &Tx, ahead: &[Ahead]| -> Result<Vec<Result<bool>>> {
        let mut outcomes = Vec::with_capacity(ahead.len());
        for line in ahead {
            let outcome = line
                .parsed
                .as_ref()
                .map_err(Error::clone)
                .and_then(|(req, checked)| {
                    // A series line books all its occurrences or none.
                    tx.attempt(|tx| {
                        book::book_in(tx, req, checked, &keys, &Actor::Import, now)
                            .map(|b| b.idempotent())
                    })
                });
            match outcome {
                // The database is unusable: no later line can do better.
                Err(e) if e.code == Code::Database || e.code == Code::Internal => return Err(e),
                outcome => outcomes.push(outcome),
            }
        }
        Ok(outcomes)
    };
    let mut batch = |tx: &Tx, done: &mut Imported| -> Result<bool> {
        let mut in_batch = 0;
        let started = std::time::Instant::now();
        while r.dry_run || (in_batch < limit && started.elapsed() < BATCH_TIME) {
            // The next lines, read and parsed, then looked up together.
            let room = if r.dry_run {
                AHEAD
            } else {
                AHEAD.min(limit - in_batch)
            };
            let mut ahead: Vec<Ahead> = Vec::with_capacity(room);
            let mut ended = false;
            // A line not come whole yet is waited for only when none is ahead.
            while ahead.len() < room && (ahead.is_empty() || input.waiting().contains(&b'\n')) {
                let (n, line) = next_line(input, &mut bytes).map_err(|e| {
                    Error::internal(crate::text::msg!("e-cannot_read_the_import", e = e))
                })?;
                read += n;
                let text = match line {
                    Read::End => {
                        ended = true;
                        break;
                    }
                    Read::Line(b) => {
                        bytes = b;
                        number += 1;
                        line_text(&bytes, number)
                    }
                    Read::TooLong => {
                        number += 1;
                        Err(Error::field(
                            "line",
                            crate::text::msg!(
                                "e-not_a_booking_request_the_line_is",
                                a = MAX_LINE / 1024
                            ),
                        ))
                    }
                };
                if text.as_ref().is_ok_and(|t| t.trim().is_empty()) {
                    continue;
                }
                ahead.push(Ahead {
                    number,
                    read,
                    parsed: text.and_then(|t| parse(t.trim(), r, now)),
                });
            }
            if ahead.is_empty() {
                return Ok(true);
            }
            look_up(tx, &ahead, now)?;
            // Their writes go together; if the database refuses them, line by
            // line, so that only the line it refuses is rejected.
            let outcomes = match tx.together(|tx| book_all(tx, &ahead))? {
                Some(outcomes) => outcomes,
                None => book_all(tx, &ahead)?,
            };
            for (line, outcome) in ahead.iter().zip(outcomes) {
                in_batch += 1;
                match outcome {
                    Ok(true) => done.idempotent += 1,
                    Ok(_) => done.booked += 1,
                    Err(error) => done.reject(line.number, error),
                }
                progress(line.read, line.number);
            }
            if ended {
                return Ok(true);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<Option<Vec<u8>>> {
        let mut r = std::io::BufReader::with_capacity(7, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        let mut total = 0;
        loop {
            let (n, read) = next_line(&mut r, &mut buf).unwrap();
            total += n;
            match read {
                Read::End => break,
                Read::Line(b) => out.push(Some(b)),
                Read::TooLong => out.push(None),
            }
        }
        assert_eq!(total, input.len() as u64, "every byte is counted once");
        out
    }

    #[test]
    fn lines_are_bytes_cut_at_line_feeds_and_bounded() {
        let long = vec![b'x'; MAX_LINE + 1];
        let mut input = b"a\r\nb\xff\n\n".to_vec();
        input.extend(&long);
        input.extend(b"\nlast");
        assert_eq!(
            lines(&input),
            [
                Some(b"a".to_vec()),
                Some(b"b\xff".to_vec()),
                Some(Vec::new()),
                None,
                Some(b"last".to_vec())
            ]
        );
        let exact = vec![b'y'; MAX_LINE];
        assert_eq!(lines(&exact), [Some(exact.clone())]);
        assert_eq!(lines(&long), [None]);
        assert!(lines(b"").is_empty());
    }

    #[test]
    fn a_byte_order_mark_counts_only_before_the_first_line() {
        assert_eq!(line_text(b"\xEF\xBB\xBF{}", 1).unwrap(), "{}");
        assert_eq!(line_text(b"\xEF\xBB\xBF{}", 2).unwrap(), "\u{feff}{}");
        let e = line_text(b"ab\xe9", 3).unwrap_err();
        assert!(e.message.contains("column 3"), "{}", e.message);
    }
}
