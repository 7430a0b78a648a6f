//! A feed's calendar (docs/feeds.md): what `GET /cal/<token>.ics` answers,
//! and each event of its CalDAV collection. The export's event
//! (`output::ics::event`: UID, SEQUENCE, local times with a VTIMEZONE,
//! STATUS) with the feed's own words: a SUMMARY in the clinic's language
//! naming the service (and, clinic-wide, the doctor) and the patient only
//! as the feed's `--show` says; never a DESCRIPTION, so never a reason,
//! a note, a diagnosis, a phone or a national ID.

use super::ics::event;
use super::lang::{fill, text_in};
use crate::app::feed::Opened;
use crate::core::feed::{initials, Show, REFRESH};
use crate::core::ical::{formatting_failed, line, text, vtimezone, PRODID};
use crate::core::Appointment;
use crate::error::Result;
use chrono::Duration;
use icalendar::Component;
use sha2::{Digest, Sha256};

/// The calendar's name on the phone: the doctor's, or the clinic's.
pub fn title(o: &Opened) -> String {
    o.feed
        .doctor
        .clone()
        .unwrap_or_else(|| o.feed.clinic.clone())
}

/// The patient as the feed shows them.
fn patient(o: &Opened, a: &Appointment) -> Option<String> {
    let l = o.language;
    match o.feed.show {
        Show::None => None,
        _ if a.patient_erased => Some(text_in(l, "patient-erased").to_string()),
        Show::Initials => Some(initials(&a.patient_name)),
        Show::Names => Some(a.patient_name.clone()),
    }
}

/// An event's SUMMARY: the service (`Appointment` when none), with the
/// doctor on a clinic's feed, after the patient as the feed shows them.
pub fn summary(o: &Opened, a: &Appointment) -> String {
    let l = o.language;
    let what = match &a.service_name {
        Some(s) => s.clone(),
        None => text_in(l, "ics-appointment").to_string(),
    };
    let s = match (&o.feed.doctor_id, &a.doctor_name) {
        (None, Some(d)) => fill(
            l,
            "ics-with",
            &[("what", what.into()), ("doctor", d.clone().into())],
        ),
        _ => what,
    };
    match patient(o, a) {
        Some(p) if !p.is_empty() => fill(
            l,
            "ics-for",
            &[("patient", p.into()), ("summary", s.into())],
        ),
        _ => s,
    }
}

/// One visit's VEVENT, CRLF-ended and folded.
pub fn vevent(o: &Opened, a: &Appointment, sequence: i64) -> Result<String> {
    let mut e = event(a, sequence, a.updated_at);
    e.summary(&text(&summary(o, a)));
    let mut buf = String::new();
    e.fmt_write(&mut buf).map_err(formatting_failed)?;
    Ok(buf)
}

/// A calendar's opening: the whole feed's (with its name and how often to
/// ask again) when `whole`, else one CalDAV resource's.
pub fn head(o: &Opened, whole: bool) -> Result<String> {
    let mut c = String::from("BEGIN:VCALENDAR\r\n");
    c.push_str(&line("VERSION", "2.0")?);
    c.push_str(&line("PRODID", PRODID)?);
    c.push_str(&line("CALSCALE", "GREGORIAN")?);
    if whole {
        let name = text(&title(o));
        c.push_str(&line("NAME", &name)?);
        c.push_str(&line("X-WR-CALNAME", &name)?);
        c.push_str(&line("X-WR-TIMEZONE", o.zone.name())?);
        c.push_str(&format!("REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}\r\n"));
        c.push_str(&line("X-PUBLISHED-TTL", REFRESH)?);
    }
    Ok(c)
}

/// A calendar's end: the VTIMEZONE of the clinic's zone over the feed's
/// days, and `END:VCALENDAR`.
pub fn tail(o: &Opened) -> String {
    let from = o.days.began(o.zone);
    let to = crate::core::time::window_edge(o.zone, o.days.to + Duration::days(1), 0);
    let mut c = vtimezone(o.zone, from, to);
    c.push_str("END:VCALENDAR\r\n");
    c
}

/// A calendar of `visits`: the whole feed's when `whole`, else one CalDAV
/// resource's.
pub fn calendar(o: &Opened, visits: &[(Appointment, i64)], whole: bool) -> Result<String> {
    let mut c = head(o, whole)?;
    for (a, seq) in visits {
        c.push_str(&vevent(o, a, *seq)?);
    }
    c.push_str(&tail(o));
    Ok(c)
}

/// The ETag of one event's resource: its text, hashed.
pub fn etag(calendar: &str) -> String {
    let d = Sha256::digest(calendar.as_bytes());
    let hex: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
