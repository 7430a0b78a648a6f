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
//!
//! What an e-mail's invitation writes the same way (a TEXT value, a folded
//! line, a local time, a VTIMEZONE, a STATUS) is `core::ical`'s.

use super::lang::{self, fill, text_in, Lang};
use super::out::{Options, Out};
use crate::app::export::Sink;
use crate::core::ical::{formatting_failed, line, local, status, text, PRODID};
use crate::core::zone::Tz;
use crate::core::{Appointment, Language};
use crate::error::Result;
use chrono::{DateTime, Utc};
use icalendar::{Component, Event, EventLike};
use std::io::Write;

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

/// One visit as a calendar file, in `l` (a patient's "add to calendar" on
/// their link's page and the booking page's last one): the event the
/// export writes for it, never the patient's name or phone.
pub fn one(a: &Appointment, sequence: i64, l: Language, now: DateTime<Utc>) -> Result<String> {
    let mut bytes = Vec::new();
    {
        let opts = Options {
            now,
            include_patient: false,
        };
        let mut c = Calendar::new(Out::new(&mut bytes, "calendar".into()), opts);
        c.language(l);
        c.begin()?;
        c.appointment(a, sequence)?;
        c.end()?;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
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

/// A visit as an event, without its words (SUMMARY, DESCRIPTION), which
/// the export and a feed (`output::feed`) write each their own way: its
/// UID, DTSTAMP, local start and end, SEQUENCE, LOCATION, CREATED,
/// LAST-MODIFIED, STATUS and, for an occurrence of a series, RELATED-TO.
pub fn event(a: &Appointment, sequence: i64, stamp: DateTime<Utc>) -> Event {
    let mut e = Event::new();
    e.uid(&a.id)
        .timestamp(stamp)
        .starts(local(a.timezone, a.starts_at))
        .ends(local(a.timezone, a.ends_at))
        .sequence(u32::try_from(sequence.max(0)).unwrap_or(u32::MAX))
        .location(&text(&location(a)))
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
    e
}

/// Where a visit is: its clinic, and the rooms and equipment it was given
/// (docs/rules.md#rooms-and-equipment), `Central · Sala 1, Ecógrafo`.
fn location(a: &Appointment) -> String {
    if a.resources.is_empty() {
        return a.clinic_name.clone();
    }
    let names: Vec<&str> = a.resources.iter().map(|r| r.name.as_str()).collect();
    format!("{} · {}", a.clinic_name, names.join(", "))
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
        let mut e = event(a, sequence, self.opts.now);
        e.summary(&text(&summary(l, a, include)))
            .description(&text(&description(l, a, include)));
        self.covers(a.timezone, a.starts_at, a.ends_at);
        self.buf.clear();
        e.fmt_write(&mut self.buf).map_err(formatting_failed)?;
        self.out.put(self.buf.as_bytes())
    }

    fn end(&mut self) -> Result<()> {
        let zones: String = self
            .zones
            .iter()
            .map(|s| crate::core::ical::vtimezone(s.zone, s.from, s.to))
            .collect();
        self.out.put(zones.as_bytes())?;
        self.out.put(b"END:VCALENDAR\r\n")?;
        self.out.finish()
    }
}
