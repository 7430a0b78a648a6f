//! The iCalendar export (RFC 5545): one VEVENT per appointment, written as it
//! comes. The `icalendar` crate escapes TEXT values and folds lines at 75
//! octets (never inside a UTF-8 character) with CRLF endings; appt writes the
//! VCALENDAR around the events itself, so the calendar is never held whole.
//!
//! An occurrence of a series is one event with its own UID and a
//! `RELATED-TO` naming the series.
//!
//! A calendar file travels (phones, shared calendars): it names the doctor,
//! the service and the clinic, never the patient, unless `--include-patient`.

use super::export::{Options, Out};
use crate::app::export::Sink;
use crate::core::{Appointment, Status};
use crate::error::{Error, Result};
use icalendar::{Component, Event, EventLike, EventStatus, Property};
use std::io::Write;

/// The calendar's PRODID (RFC 5545 §3.7.3).
pub const PRODID: &str = concat!("-//appt//appt ", env!("CARGO_PKG_VERSION"), "//EN");

/// docs/commands.md#appt-export: cancelled → CANCELLED, scheduled → TENTATIVE, others → CONFIRMED.
pub fn status(s: Status) -> EventStatus {
    match s {
        Status::Cancelled => EventStatus::Cancelled,
        Status::Scheduled => EventStatus::Tentative,
        _ => EventStatus::Confirmed,
    }
}

/// Stored text as an iCalendar TEXT value may hold it: line breaks become `\n`
/// (escaped by the crate); other control characters, which RFC 5545 forbids
/// in TEXT, become spaces.
fn text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// What the calendar calls an appointment: the service and the doctor (or,
/// clinic-wide, the clinic). Never the patient.
pub fn summary(a: &Appointment) -> String {
    let what = a.service_name.as_deref().unwrap_or("Appointment");
    match &a.doctor_name {
        Some(d) => format!("{what} with {d}"),
        None => format!("{what} at {}", a.clinic_name),
    }
}

/// The event's DESCRIPTION: the reason for the visit and for a cancellation,
/// and with `--include-patient` who the patient is.
fn description(a: &Appointment, include_patient: bool) -> String {
    let mut lines = Vec::new();
    if include_patient {
        lines.push(format!("Patient: {}", a.patient_name));
        lines.push(format!("Phone: {}", a.patient_phone));
        lines.push(format!("Patient ID: {}", a.patient_id));
    }
    if let Some(r) = &a.reason {
        lines.push(format!("Reason: {r}"));
    }
    if let Some(r) = &a.cancellation_reason {
        lines.push(format!("Cancellation reason: {r}"));
    }
    lines.join("\n")
}

pub struct Calendar<W: Write> {
    out: Out<W>,
    opts: Options,
    /// One event's text, reused from event to event.
    buf: String,
}

impl<W: Write> Calendar<W> {
    pub fn new(out: Out<W>, opts: Options) -> Self {
        Calendar {
            out,
            opts,
            buf: String::new(),
        }
    }
}

fn formatting_failed(_: std::fmt::Error) -> Error {
    Error::internal(crate::text::msg!("e-cannot_format_a_calendar_line"))
}

/// One property as a folded content line, CRLF included.
fn line(key: &str, value: &str) -> Result<String> {
    Property::new(key, value)
        .try_into()
        .map_err(formatting_failed)
}

impl<W: Write> Sink for Calendar<W> {
    fn begin(&mut self) -> Result<()> {
        let mut head = String::from("BEGIN:VCALENDAR\r\n");
        head.push_str(&line("VERSION", "2.0")?);
        head.push_str(&line("PRODID", PRODID)?);
        head.push_str(&line("CALSCALE", "GREGORIAN")?);
        self.out.put(head.as_bytes())
    }

    fn appointment(&mut self, a: &Appointment, sequence: i64) -> Result<()> {
        let mut e = Event::new();
        e.uid(&a.id)
            .timestamp(self.opts.now)
            .starts(a.starts_at)
            .ends(a.ends_at)
            .sequence(u32::try_from(sequence.max(0)).unwrap_or(u32::MAX))
            .status(status(a.status))
            .summary(&text(&summary(a)))
            .location(&text(&a.clinic_name))
            .created(a.created_at)
            .last_modified(a.updated_at);
        let d = description(a, self.opts.include_patient);
        if !d.is_empty() {
            e.description(&text(&d));
        }
        // Each occurrence of a series is an event of its own, related to its
        // series (docs/commands.md#appt-export).
        if let Some(series) = &a.series_id {
            e.add_property("RELATED-TO", series);
        }
        self.buf.clear();
        e.fmt_write(&mut self.buf).map_err(formatting_failed)?;
        self.out.put(self.buf.as_bytes())
    }

    fn end(&mut self) -> Result<()> {
        self.out.put(b"END:VCALENDAR\r\n")?;
        self.out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let value = "Revisión anual, cardiología; niño \\ señora ".repeat(8);
        let l = line("DESCRIPTION", &text(&value)).unwrap();
        assert!(l.ends_with("\r\n"));
        let physical: Vec<&str> = l.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 4, "{l}");
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "line {i} is {} octets: {p:?}", p.len());
            if i > 0 {
                assert!(p.starts_with(' '), "a continuation starts with a space");
            }
        }
        // Unfolded, it is the escaped value again.
        let unfolded = l.trim_end_matches("\r\n").replace("\r\n ", "");
        let escaped = value
            .replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace(';', "\\;");
        assert_eq!(unfolded, format!("DESCRIPTION:{escaped}"));
    }

    #[test]
    fn control_characters_never_reach_a_text_value() {
        assert_eq!(text("a\r\nb\rc\u{1b}[31m\u{7}d\te"), "a\nb c [31m d\te");
        let l = line("SUMMARY", &text("one\r\ntwo")).unwrap();
        assert_eq!(l, "SUMMARY:one\\ntwo\r\n");
    }
}
