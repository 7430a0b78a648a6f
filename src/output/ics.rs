//! The iCalendar export (RFC 5545): one VEVENT per appointment, written as it
//! comes. The `icalendar` crate escapes TEXT values and folds lines at 75
//! octets (never inside a UTF-8 character) with CRLF endings; appt writes the
//! VCALENDAR around the events itself, so the calendar is never held whole.
//!
//! Times are the clinic's local times (`DTSTART;TZID=America/New_York:…`),
//! and the calendar carries a VTIMEZONE for each zone its events are in,
//! written after them (RFC 5545 does not order a calendar's components): the
//! offset in force at the first event and every change of offset up to the
//! last, read from the same tz database appt schedules with, so a calendar
//! program needs no rules of its own. Words (SUMMARY, DESCRIPTION) are in the
//! clinic's language.
//!
//! An occurrence of a series is one event with its own UID and a
//! `RELATED-TO` naming the series.
//!
//! A calendar file travels (phones, shared calendars): it names the doctor,
//! the service and the clinic, never the patient, unless `--include-patient`.

use super::export::{Options, Out};
use super::lang::{self, fill, text_in, Lang};
use crate::app::export::Sink;
use crate::core::zone::Tz;
use crate::core::{Appointment, Language, Status};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use icalendar::{CalendarDateTime, Component, Event, EventLike, EventStatus, Property};
use std::io::Write;

/// The calendar's PRODID (RFC 5545 §3.7.3).
pub const PRODID: &str = concat!("-//appt//appt ", env!("CARGO_PKG_VERSION"), "//EN");

/// docs/commands.md#appt-export: cancelled → CANCELLED, scheduled →
/// TENTATIVE, confirmed, checked in and in progress → CONFIRMED; a completed
/// or no-show visit is no plan any more, and has no STATUS.
pub fn status(s: Status) -> Option<EventStatus> {
    match s {
        Status::Cancelled => Some(EventStatus::Cancelled),
        Status::Scheduled => Some(EventStatus::Tentative),
        Status::Confirmed | Status::CheckedIn | Status::InProgress => Some(EventStatus::Confirmed),
        Status::Completed | Status::NoShow => None,
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

/// What the calendar calls an appointment, in `l`: the service and the
/// doctor (or, clinic-wide, the clinic); with `include_patient`, the
/// patient first.
pub fn summary(l: Lang, a: &Appointment, include_patient: bool) -> String {
    let what = match &a.service_name {
        Some(s) => s.clone(),
        None => text_in(l, "ics-appointment").to_string(),
    };
    let mut s = match &a.doctor_name {
        Some(d) => fill(
            l,
            "ics-with",
            &[("what", what.into()), ("doctor", d.clone().into())],
        ),
        None => fill(
            l,
            "ics-at",
            &[
                ("what", what.into()),
                ("clinic", a.clinic_name.clone().into()),
            ],
        ),
    };
    if include_patient {
        s = fill(
            l,
            "ics-for",
            &[("patient", patient(l, a).into()), ("summary", s.into())],
        );
    }
    s
}

/// The patient's name as the file shows it (an erased one in `l`'s words).
fn patient(l: Lang, a: &Appointment) -> String {
    if a.patient_erased {
        text_in(l, "patient-erased").to_string()
    } else {
        a.patient_name.clone()
    }
}

/// The event's DESCRIPTION in `l`: the reason for the visit and for a
/// cancellation, and with `--include-patient` who the patient is.
fn description(l: Lang, a: &Appointment, include_patient: bool) -> String {
    let line = |id: &str, v: &str| format!("{}: {v}", text_in(l, id));
    let mut lines = Vec::new();
    if include_patient {
        lines.push(line("ics-patient", &patient(l, a)));
        if !a.patient_phone.is_empty() {
            lines.push(line("ics-phone", &a.patient_phone));
        }
        lines.push(line("ics-patient_id", &a.patient_id));
    }
    if let Some(r) = &a.reason {
        lines.push(line("ics-reason", r));
    }
    if let Some(r) = &a.cancellation_reason {
        lines.push(line("ics-cancellation_reason", r));
    }
    lines.join("\n")
}

/// A zone the calendar's events are in, and the span they cover.
struct Span {
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

pub struct Calendar<W: Write> {
    out: Out<W>,
    opts: Options,
    lang: Lang,
    /// One event's text, reused from event to event.
    buf: String,
    zones: Vec<Span>,
}

impl<W: Write> Calendar<W> {
    pub fn new(out: Out<W>, opts: Options) -> Self {
        Calendar {
            out,
            opts,
            lang: lang::current(),
            buf: String::new(),
            zones: Vec::new(),
        }
    }

    fn covers(&mut self, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) {
        match self.zones.iter_mut().find(|s| s.zone.name() == zone.name()) {
            Some(s) => {
                s.from = s.from.min(from);
                s.to = s.to.max(to);
            }
            None => self.zones.push(Span { zone, from, to }),
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

/// `seconds` east of UTC as a UTC-OFFSET value (`-0500`).
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let m = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", m / 60, m % 60)
}

/// The VTIMEZONE of `s.zone` over the span (RFC 5545 §3.6.5): one
/// observance for the offset in force at its start, one for each change
/// within it. An observance's DTSTART is the local time it begins at, in
/// the offset before it.
fn vtimezone(s: &Span) -> String {
    let mut v = String::from("BEGIN:VTIMEZONE\r\n");
    v.push_str(&format!("TZID:{}\r\n", s.zone.name()));
    for r in s.zone.rules(s.from, s.to) {
        let kind = if r.dst { "DAYLIGHT" } else { "STANDARD" };
        let start = match r.since {
            Some(t) => (t + chrono::Duration::seconds(i64::from(r.from_seconds)))
                .format("%Y%m%dT%H%M%S")
                .to_string(),
            None => "19700101T000000".to_string(),
        };
        v.push_str(&format!("BEGIN:{kind}\r\nDTSTART:{start}\r\n"));
        v.push_str(&format!(
            "TZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            utc_offset(r.from_seconds),
            utc_offset(r.to_seconds)
        ));
        if !r.abbreviation.is_empty() && !r.abbreviation.starts_with(['+', '-']) {
            v.push_str(&format!("TZNAME:{}\r\n", r.abbreviation));
        }
        v.push_str(&format!("END:{kind}\r\n"));
    }
    v.push_str("END:VTIMEZONE\r\n");
    v
}

/// `t` as the clinic's local time with the zone's name, for DTSTART and DTEND.
fn local(zone: Tz, t: DateTime<Utc>) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: t.with_timezone(&zone).naive_local(),
        tzid: zone.name().to_string(),
    }
}

impl<W: Write> Sink for Calendar<W> {
    fn language(&mut self, l: Language) {
        self.lang = l;
    }

    fn begin(&mut self) -> Result<()> {
        let mut head = String::from("BEGIN:VCALENDAR\r\n");
        head.push_str(&line("VERSION", "2.0")?);
        head.push_str(&line("PRODID", PRODID)?);
        head.push_str(&line("CALSCALE", "GREGORIAN")?);
        self.out.put(head.as_bytes())
    }

    fn appointment(&mut self, a: &Appointment, sequence: i64) -> Result<()> {
        let l = self.lang;
        let include = self.opts.include_patient;
        let mut e = Event::new();
        e.uid(&a.id)
            .timestamp(self.opts.now)
            .starts(local(a.timezone, a.starts_at))
            .ends(local(a.timezone, a.ends_at))
            .sequence(u32::try_from(sequence.max(0)).unwrap_or(u32::MAX))
            .summary(&text(&summary(l, a, include)))
            .description(&text(&description(l, a, include)))
            .location(&text(&a.clinic_name))
            .created(a.created_at)
            .last_modified(a.updated_at)
            .add_property("X-APPT-STATUS", a.status.as_str());
        if let Some(s) = status(a.status) {
            e.status(s);
        }
        // Each occurrence of a series is an event of its own, related to its
        // series (docs/commands.md#appt-export).
        if let Some(series) = &a.series_id {
            e.add_property("RELATED-TO", series);
        }
        self.covers(a.timezone, a.starts_at, a.ends_at);
        self.buf.clear();
        e.fmt_write(&mut self.buf).map_err(formatting_failed)?;
        self.out.put(self.buf.as_bytes())
    }

    fn end(&mut self) -> Result<()> {
        let zones: String = self.zones.iter().map(vtimezone).collect();
        self.out.put(zones.as_bytes())?;
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
