//! A doctor's own calendar (docs/calendars.md): the busy times an iCalendar
//! document holds over a span, and nothing else of it. calcard (Stalwart's
//! iCalendar library) parses it and expands its recurrences (RRULE, RDATE,
//! EXDATE, overridden instances) in the calendar's own VTIMEZONEs; this
//! module says which events are busy and keeps only their start and end.

use calcard::common::timezone::Tz;
use calcard::icalendar::dates::TimeOrDelta;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarProperty, ICalendarStatus,
    ICalendarTransparency, ICalendarValue,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// What a calendar's address is: an ICS file, or a CalDAV collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Ics,
    CalDav,
}

/// The kinds as stored.
pub const SOURCES: [&str; 2] = ["ics", "caldav"];

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Ics => SOURCES[0],
            Source::CalDav => SOURCES[1],
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "ics" => Some(Source::Ics),
            "caldav" => Some(Source::CalDav),
            _ => None,
        }
    }
}

/// A calendar's name, a [`super::feed::slug`] (scripts and the API name it
/// as it is: `/v1/calendars/<name>`).
pub fn check_name(name: &str) -> crate::error::Result<String> {
    super::feed::slug(name).ok_or_else(|| {
        crate::error::Error::field(
            "name",
            crate::text::msg!("e-calendar_name_must_be", n = super::feed::NAME_MAX),
        )
    })
}

/// One busy time: `[start, end)`, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Away {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Away {
    /// Whether it meets `[from, to)`.
    pub fn meets(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.start < to && from < self.end
    }
}

/// Why a document gave no busy times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not an iCalendar document (an HTML login page, a vCard).
    NotICalendar,
}

/// How many instances one recurring event may expand to: a rule with no
/// end is cut at the span's end first, so this bounds only a rule that
/// began long ago and repeats often (every 30 minutes since 2000).
const INSTANCES: usize = 100_000;

/// The busy times of `text` (one VCALENDAR) that meet `[from, to)`, sorted,
/// but the events whose UID is `ours` (the visits appt wrote there).
/// Floating times (and all-day dates) are read in `zone`. Busy: a VEVENT
/// neither `TRANSPARENT` nor `CANCELLED`; an all-day one only when it says
/// it is busy (`TRANSP:OPAQUE`, or Outlook's `BUSY`/`OOF`).
pub fn busy_times(
    text: &str,
    zone: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    ours: &dyn Fn(&str) -> bool,
) -> Result<Vec<Away>, Unreadable> {
    let mut ical = ICalendar::parse(text).map_err(|_| Unreadable::NotICalendar)?;
    cut_rules(&mut ical, to);
    utc_as_a_zone(&mut ical);
    let zone: Tz = zone.parse().unwrap_or(Tz::UTC);
    let mut out = Vec::new();
    for part in apart(&ical) {
        let expanded = part.expand_dates(zone, INSTANCES);
        for e in expanded.events {
            let Some(comp) = part.components.get(e.comp_id as usize) else {
                continue;
            };
            if comp.component_type != ICalendarComponentType::VEvent || !busy(comp) {
                continue;
            }
            // A visit appt wrote there is the clinic's own, not the doctor's.
            if comp.uid().is_some_and(ours) {
                continue;
            }
            let start = e.start.with_timezone(&Utc);
            let end = match e.end {
                TimeOrDelta::Time(t) => t.with_timezone(&Utc),
                TimeOrDelta::Delta(d) => start + d,
            };
            // An event of no length (a reminder at 09:00) keeps no time.
            let away = Away { start, end };
            if end > start && away.meets(from, to) {
                out.push(away);
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The document in parts that expand alone: the events of each recurring
/// UID (the rule and its overridden instances), and the rest together,
/// each with the document's VTIMEZONEs. A rule's instances counted against
/// [`INSTANCES`] are its own.
fn apart(ical: &ICalendar) -> Vec<ICalendar> {
    let Some(root) = ical.components.first() else {
        return Vec::new();
    };
    let kids = || root.component_ids.iter().map(|&i| i as usize);
    let is = |i: usize, t: ICalendarComponentType| {
        ical.components
            .get(i)
            .is_some_and(|c| c.component_type == t)
    };
    let zones: Vec<usize> = kids()
        .filter(|&i| is(i, ICalendarComponentType::VTimezone))
        .collect();
    let mut groups: Vec<(Option<&str>, Vec<usize>)> = vec![(None, Vec::new())];
    for i in kids().filter(|&i| is(i, ICalendarComponentType::VEvent)) {
        let c = &ical.components[i];
        let uid = c.uid().filter(|_| c.is_recurrent_or_override());
        match groups.iter_mut().find(|(u, _)| u.is_some() && *u == uid) {
            Some((_, g)) => g.push(i),
            None if uid.is_some() => groups.push((uid, vec![i])),
            None => groups[0].1.push(i),
        }
    }
    groups
        .into_iter()
        .filter(|(_, g)| !g.is_empty())
        .map(|(_, g)| {
            let mut part = ICalendar {
                components: vec![ICalendarComponent {
                    component_type: root.component_type.clone(),
                    entries: Vec::new(),
                    component_ids: Vec::new(),
                }],
            };
            for &i in zones.iter().chain(&g) {
                let id = copy(ical, i, &mut part);
                part.components[0].component_ids.push(id);
            }
            part
        })
        .collect()
}

/// Copies the component `i` of `from`, with its own components, into `to`;
/// returns its index there.
fn copy(from: &ICalendar, i: usize, to: &mut ICalendar) -> u32 {
    let c = &from.components[i];
    let at = to.components.len();
    to.components.push(ICalendarComponent {
        component_type: c.component_type.clone(),
        entries: c.entries.clone(),
        component_ids: Vec::new(),
    });
    for &k in &c.component_ids {
        let id = copy(from, k as usize, to);
        to.components[at].component_ids.push(id);
    }
    at as u32
}

/// Whether an event keeps its time: not cancelled, not transparent, and,
/// all day, marked busy.
fn busy(comp: &ICalendarComponent) -> bool {
    if comp.status() == Some(&ICalendarStatus::Cancelled) {
        return false;
    }
    match comp.transparency() {
        Some(ICalendarTransparency::Transparent) => false,
        Some(ICalendarTransparency::Opaque) => !all_day(comp) || said_busy(comp, true),
        _ => !all_day(comp) || said_busy(comp, false),
    }
}

/// An all-day event's busy: `TRANSP:OPAQUE` written out (`opaque`) unless
/// Outlook's status says free, or Outlook's `BUSY`/`OOF` without it.
fn said_busy(comp: &ICalendarComponent, opaque: bool) -> bool {
    let outlook = comp
        .entries
        .iter()
        .find_map(|e| match (&e.name, e.values.first()) {
            (ICalendarProperty::Other(n), Some(ICalendarValue::Text(v)))
                if n.eq_ignore_ascii_case("X-MICROSOFT-CDO-BUSYSTATUS") =>
            {
                Some(v.to_ascii_uppercase())
            }
            _ => None,
        });
    match outlook.as_deref() {
        Some("BUSY" | "OOF") => true,
        Some(_) => false,
        None => opaque,
    }
}

/// Whether the event's start is a date without a time (`VALUE=DATE`).
fn all_day(comp: &ICalendarComponent) -> bool {
    comp.entries.iter().any(|e| {
        e.name == ICalendarProperty::Dtstart
            && matches!(e.values.first(), Some(ICalendarValue::PartialDateTime(p)) if !p.has_time())
    })
}

/// Writes an event's UTC times (`DTSTART:20260609T160000Z`) as times in
/// the zone `UTC` (`DTSTART;TZID=UTC:20260609T160000`): calcard expands a
/// recurring event in its start's zone, and takes a start without a TZID
/// for one in the default zone, so that a weekly event at 16:00 UTC would
/// recur at 16:00 in the doctor's zone.
fn utc_as_a_zone(ical: &mut ICalendar) {
    use calcard::icalendar::{ICalendarParameter, ICalendarParameterName, ICalendarParameterValue};
    let timed = [
        ICalendarProperty::Dtstart,
        ICalendarProperty::Dtend,
        ICalendarProperty::Exdate,
        ICalendarProperty::Rdate,
        ICalendarProperty::RecurrenceId,
    ];
    for comp in &mut ical.components {
        if comp.component_type != ICalendarComponentType::VEvent {
            continue;
        }
        for entry in &mut comp.entries {
            if !timed.contains(&entry.name) || entry.tz_id().is_some() {
                continue;
            }
            let utc = |v: &ICalendarValue| {
                matches!(v, ICalendarValue::PartialDateTime(p)
                    if p.tz_hour == Some(0) && p.tz_minute.unwrap_or(0) == 0)
            };
            if entry.values.is_empty() || !entry.values.iter().all(utc) {
                continue;
            }
            for v in &mut entry.values {
                if let ICalendarValue::PartialDateTime(p) = v {
                    p.tz_hour = None;
                    p.tz_minute = None;
                    p.tz_minus = false;
                }
            }
            entry.params.push(ICalendarParameter {
                name: ICalendarParameterName::Tzid,
                value: ICalendarParameterValue::Text("UTC".into()),
            });
        }
    }
}

/// Ends every rule that runs past `to` (or never ends) two days after it,
/// so that expanding it stops there: the instances after `to` are never
/// read, and one endless rule cannot use up the others' instances.
fn cut_rules(ical: &mut ICalendar, to: DateTime<Utc>) {
    let cut = (to + Duration::days(2)).naive_utc();
    let stamp = calcard::common::PartialDateTime::from_utc_timestamp(cut.and_utc().timestamp());
    let floating = calcard::common::PartialDateTime {
        tz_hour: None,
        tz_minute: None,
        tz_minus: false,
        ..stamp
    };
    for comp in &mut ical.components {
        for entry in &mut comp.entries {
            if entry.name != ICalendarProperty::Rrule {
                continue;
            }
            for v in &mut entry.values {
                let ICalendarValue::RecurrenceRule(rule) = v else {
                    continue;
                };
                if rule.count.is_some() {
                    continue;
                }
                let later = rule.until.as_ref().is_none_or(|u| {
                    u.to_date_time_with_tz(Tz::Floating)
                        .is_none_or(|u| u.naive_local() > cut)
                });
                if later {
                    // A date-only UNTIL stays one (the rule's start is a date).
                    let date_only = rule.until.as_ref().is_some_and(|u| !u.has_time());
                    let mut until = floating.clone();
                    if date_only {
                        until.hour = None;
                        until.minute = None;
                        until.second = None;
                    }
                    rule.until = Some(until);
                }
            }
        }
    }
}

/// A visit as appt writes it into a doctor's calendar (`--write`): when,
/// and what the summary and location say; nothing clinical.
pub struct Visit<'a> {
    /// The appointment's ID: the event's UID.
    pub id: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub sequence: i64,
    /// The patient's initials and the service.
    pub summary: &'a str,
    /// The clinic.
    pub location: &'a str,
}

/// A visit's event, one VCALENDAR (CRLF-ended, folded): UID the
/// appointment's ID, its times in UTC, opaque.
pub fn visit_event(v: &Visit, stamp: DateTime<Utc>) -> crate::error::Result<String> {
    use super::ical::{line, text, PRODID};
    let utc = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut c = String::from("BEGIN:VCALENDAR\r\n");
    c.push_str(&line("VERSION", "2.0")?);
    c.push_str(&line("PRODID", PRODID)?);
    c.push_str("BEGIN:VEVENT\r\n");
    c.push_str(&line("UID", v.id)?);
    c.push_str(&line("DTSTAMP", &utc(stamp))?);
    c.push_str(&line("DTSTART", &utc(v.start))?);
    c.push_str(&line("DTEND", &utc(v.end))?);
    c.push_str(&line("SEQUENCE", &v.sequence.to_string())?);
    c.push_str(&line("SUMMARY", &text(v.summary))?);
    c.push_str(&line("LOCATION", &text(v.location))?);
    c.push_str(&line("STATUS", "CONFIRMED")?);
    c.push_str(&line("TRANSP", "OPAQUE")?);
    c.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
    Ok(c)
}

/// `away` cut at each UTC midnight, so that no stored piece is longer than
/// a day and a day's busy times are read from an index by their start
/// alone (`start > from - 1 day`).
pub fn pieces(away: Away) -> Vec<Away> {
    let mut out = Vec::new();
    let mut start = away.start;
    while start < away.end {
        let midnight = Utc.from_utc_datetime(
            &(start.date_naive() + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
        );
        let end = midnight.min(away.end);
        out.push(Away { start, end });
        start = end;
    }
    out
}

#[cfg(test)]
#[path = "outside_tests.rs"]
mod tests;
