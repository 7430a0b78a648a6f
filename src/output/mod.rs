//! What appt prints: JSON views (dedicated `Serialize` structs, so the wire
//! shape never changes by accident) and human tables, cards and confirmations.
//! Commands return a `Report`; `main` prints it once, in the chosen format.
//! Streams (events, due reminders) write JSON Lines as they go with `emit_line`;
//! a failed write to stdout is an error (exit 1), never a silent success.

pub mod board;
pub(crate) mod booking;
pub(crate) mod charts;
pub(crate) mod dav;
pub(crate) mod desk;
pub(crate) mod export;
pub(crate) mod feed;
mod fhir;
pub(crate) mod file;
pub mod fit;
pub mod human;
pub(crate) mod ics;
pub(crate) mod json;
pub mod lang;
pub(crate) mod out;
pub(crate) mod page;
mod patient_page;
pub(crate) mod phone;
pub mod reader;
pub(crate) mod report_compare;
pub(crate) mod report_file;
pub(crate) mod report_page;
mod rows;
mod xlsx;

use serde_json::Value;

/// A JSON document written out as it is serialised: `(out, indented)`.
pub type JsonStream = Box<dyn FnOnce(&mut dyn std::io::Write, bool) -> std::io::Result<()>>;

/// A command's result in both formats.
pub struct Report {
    pub json: Value,
    /// Writes the JSON document straight from its views, for the documents
    /// too big to build as a tree first (a day sheet, a page of a list);
    /// printed instead of `json`. Its flag asks for indented text.
    pub json_stream: Option<JsonStream>,
    pub human: String,
    /// A sweep that finished but had failures (`DELIVERY_FAILED`): its result is
    /// printed and this error follows on stderr, with its exit code.
    pub partial: Option<crate::error::Error>,
    /// Printed on stderr after the result: something the user should fix that
    /// did not stop the command (a missing national-ID key while listing).
    pub warnings: Vec<crate::error::Error>,
    /// What the command committed before printing, named for the error when
    /// the result then cannot be written: the change stays made, and whoever
    /// retries must learn that it was (docs/errors.md, "Output that fails").
    pub made: Option<Made>,
}

/// A committed change: what it was and the ID of what it made or changed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Made {
    /// `appointment booked`, `clinic added`, …
    pub what: String,
    /// What it made or changed, when it is one thing.
    pub id: Option<String>,
    /// The kind of record that is, where a front end says more of it (an
    /// appointment: `appt show` shows it).
    #[serde(skip)]
    pub entity: Option<crate::error::Entity>,
}

impl Report {
    pub fn new(json: Value, human: impl Into<String>) -> Self {
        Report {
            json,
            json_stream: None,
            human: human.into(),
            partial: None,
            warnings: Vec::new(),
            made: None,
        }
    }

    /// Names the change this command committed (see [`Report::made`]).
    pub fn made(mut self, what: impl Into<String>, id: impl Into<String>) -> Self {
        self.made = Some(Made {
            what: what.into(),
            id: Some(id.into()),
            entity: None,
        });
        self
    }

    /// [`Report::made`] of an appointment: `appointment VERB`.
    pub fn made_appointment(mut self, verb: &str, id: impl Into<String>) -> Self {
        self.made = Some(Made {
            what: format!("appointment {verb}"),
            id: Some(id.into()),
            entity: Some(crate::error::Entity::Appointment),
        });
        self
    }

    /// Names a committed change that is not one thing (an import's lines).
    pub fn saved(mut self, what: impl Into<String>) -> Self {
        self.made = Some(Made {
            what: what.into(),
            id: None,
            entity: None,
        });
        self
    }

    pub fn warn(mut self, warnings: impl IntoIterator<Item = crate::error::Error>) -> Self {
        self.warnings.extend(warnings);
        self
    }

    /// Nothing (more) to print: a quiet sweep, or a stream already written.
    pub fn quiet() -> Self {
        Report {
            json: Value::Null,
            json_stream: None,
            human: String::new(),
            partial: None,
            warnings: Vec::new(),
            made: None,
        }
    }
}

/// Writes one JSON Lines record to stdout and flushes it, so a stream's reader
/// sees each record as it happens. A failed write (full disk, closed pipe) is
/// an error: the caller must not treat the record as delivered.
pub fn emit_line(v: &Value) -> crate::error::Result<()> {
    emit(v.to_string())
}

/// One line (or a few) of text to stdout at once, for a person; a failed
/// write is an error (exit 1).
pub fn emit_text(text: &str) -> crate::error::Result<()> {
    emit(text.to_owned())
}

/// Writes `line` and its end to stdout in one write (stdout's own buffer
/// would hand them over in two), and flushes it.
fn emit(mut line: String) -> crate::error::Result<()> {
    use std::io::Write;
    line.push('\n');
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

/// JSON Lines to stdout through one buffer: a stream of many lines costs a
/// write per 64 KiB, not per line. [`Lines::finish`] flushes; a failed write
/// is an error (exit 1).
pub struct Lines {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Lines {
    pub fn new() -> Lines {
        Lines {
            out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
        }
    }

    pub fn line(&mut self, text: &str) -> crate::error::Result<()> {
        use std::io::Write;
        writeln!(self.out, "{text}").map_err(stdout_failed)
    }

    /// Hands on what is buffered, so a reader following along sees it now.
    pub fn finish(&mut self) -> crate::error::Result<()> {
        use std::io::Write;
        self.out.flush().map_err(stdout_failed)
    }
}

impl Default for Lines {
    fn default() -> Self {
        Lines::new()
    }
}

/// Writes a result to stdout now, in the format asked for, and flushes it: for
/// a result that must be out before its change commits (a new key). A failed
/// write is an error, so the change can be rolled back.
pub fn print_now(
    json: bool,
    doc: impl FnOnce() -> Value,
    text: impl FnOnce() -> String,
) -> crate::error::Result<()> {
    use std::io::{IsTerminal, Write};
    let body = if json {
        let doc = doc();
        let shown = if std::io::stdout().is_terminal() {
            serde_json::to_string_pretty(&doc)
        } else {
            serde_json::to_string(&doc)
        };
        shown.unwrap_or_default()
    } else {
        human::neutralise(&text(), human::colour())
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{body}")
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

/// The error for a write to stdout that failed (exit 1).
pub fn stdout_failed(e: std::io::Error) -> crate::error::Error {
    crate::error::Error::internal(crate::text::msg!(
        "e-cannot_write_to_standard_output",
        e = e
    ))
}

/// The error for a result that could not be written after its change was
/// committed: still exit 1 (the output failed), but it says what was made
/// and where to find it, so nobody makes it again.
pub fn made_but_not_shown(e: crate::error::Error, made: &Made) -> crate::error::Error {
    let what = match &made.id {
        Some(id) => format!("{} ({id})", made.what),
        None => made.what.clone(),
    };
    let mut err = crate::error::Error::internal(crate::text::msg!(
        "e-the_change_was_saved_all_the_same",
        a = e.msg,
        what = what
    ))
    .details(serde_json::json!({ "committed": made }));
    if let (Some(crate::error::Entity::Appointment), Some(id)) = (made.entity, &made.id) {
        err = err.hint(crate::text::msg!(
            "e-appt_show_shows_it_booking_again_with",
            a = human::short(id)
        ));
    }
    err
}

/// A warning as stderr shows it: `warning: …` (and its hint) for people,
/// `{"warning":{code,message,details}}` with `--json`.
pub fn warning_text(w: &crate::error::Error, json: bool) -> String {
    if json {
        return serde_json::json!({"warning": w.to_json()["error"]}).to_string();
    }
    let clean = |m: &lang::Msg| human::clean(&lang::message(m));
    let mut text = lang::tr!("o-warning", message = clean(&w.msg));
    if let Some(hint) = &w.hint {
        text.push_str(&format!("\n{}", lang::tr!("o-hint", hint = clean(hint))));
    }
    fit::wrap_lines(&text, fit::message_width())
}

/// An error as stderr shows it: `error: …`, its hint and any candidates for
/// people, the error document with `--json`. Messages quote what was typed
/// and what is stored: never raw to the terminal.
pub fn error_text(e: &crate::error::Error, json: bool) -> String {
    if json {
        return e.to_json().to_string();
    }
    let clean = human::clean;
    let translated = |m: &lang::Msg| human::clean(&lang::message(m));
    let mut text = lang::tr!("o-error", message = translated(&e.msg));
    // Which database, when the message does not say (the desk may have several).
    if let Some(db) = e.details.get("database").and_then(|d| d.as_str()) {
        if !e.message.contains(db) {
            text.push_str(&format!(
                "\n{}",
                lang::tr!("o-database", database = clean(db))
            ));
        }
    }
    if let Some(hint) = &e.hint {
        text.push_str(&format!(
            "\n{}",
            lang::tr!("o-hint", hint = translated(hint))
        ));
    }
    if let Some(c) = e.details.get("candidates").and_then(|t| t.as_array()) {
        for cand in c {
            text.push_str(&format!(
                "\n  {}  {}",
                clean(cand["id"].as_str().unwrap_or("")),
                clean(cand["name"].as_str().unwrap_or(""))
            ));
        }
    }
    fit::wrap_lines(&text, fit::message_width())
}
