//! iCalendar's pieces (RFC 5545) shared by whatever writes a calendar: the
//! export (`output::ics`) and the invitation an e-mail carries
//! (`core::email`). Here because both a front end and `app` need them and
//! `app` may not call a front end: a TEXT value cleaned of what RFC 5545
//! forbids, a folded content line, local times with their zone's name, the
//! VTIMEZONE of a zone over a span, and a status as an event's STATUS.

use super::zone::Tz;
use super::Status;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use icalendar::{CalendarDateTime, EventStatus, Property};

/// A calendar's PRODID (RFC 5545 §3.7.3).
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
pub fn text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

pub fn formatting_failed(_: std::fmt::Error) -> Error {
    Error::internal(crate::text::msg!("e-cannot_format_a_calendar_line"))
}

/// One property as a folded content line, CRLF included.
pub fn line(key: &str, value: &str) -> Result<String> {
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

/// The VTIMEZONE of `zone` over `[from, to]` (RFC 5545 §3.6.5): one
/// observance for the offset in force at its start, one for each change
/// within it. An observance's DTSTART is the local time it begins at, in
/// the offset before it.
pub fn vtimezone(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let mut v = String::from("BEGIN:VTIMEZONE\r\n");
    v.push_str(&format!("TZID:{}\r\n", zone.name()));
    for r in zone.rules(from, to) {
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
pub fn local(zone: Tz, t: DateTime<Utc>) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: t.with_timezone(&zone).naive_local(),
        tzid: zone.name().to_string(),
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

#[cfg(test)]
mod backslash_tests {
    /// RFC 5545 §3.3.11: a backslash in a TEXT value is written `\\`, so a
    /// name typed with `\n` or `\;` in it reads back as typed (issue 63).
    #[test]
    fn a_literal_backslash_is_escaped() {
        let l = super::line("SUMMARY", &super::text("Ann\\n\\;x")).unwrap();
        assert_eq!(l, "SUMMARY:Ann\\\\n\\\\\\;x\r\n");
        use icalendar::Component;
        let mut e = icalendar::Event::new();
        e.summary(&super::text("Ann\\n"));
        let mut out = String::new();
        e.fmt_write(&mut out).unwrap();
        assert!(out.contains("SUMMARY:Ann\\\\n\r\n"), "{out}");
    }
}
