//! A calendar feed's rules (docs/feeds.md): its name (the CalDAV
//! collection's path), how much of the patient it shows, the days it
//! covers, and the time range a CalDAV query asks for. Pure: the store
//! keeps a feed, `app::feed` opens it, `output::feed` writes it.

use super::time::local_today;
use super::zone::Tz;
use crate::error::{Error, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// The longest name a feed may have.
pub const NAME_MAX: usize = 64;

/// The most days a feed reaches back or ahead.
pub const DAYS_MAX: i64 = 366;

/// How often a client should ask again (`REFRESH-INTERVAL`,
/// `X-PUBLISHED-TTL`): every 15 minutes.
pub const REFRESH: &str = "PT15M";

/// How much of the patient an event names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// The service alone.
    None,
    /// `L. C.` for Lucía Castro (the default).
    #[default]
    Initials,
    /// The patient's name as stored.
    Names,
}

impl Show {
    pub const ALL: [Show; 3] = [Show::None, Show::Initials, Show::Names];

    pub fn as_str(self) -> &'static str {
        match self {
            Show::None => "none",
            Show::Initials => "initials",
            Show::Names => "names",
        }
    }

    /// `none`, `initials`, `names` (and the desk's Spanish: `ninguno`,
    /// `iniciales`, `nombres`).
    pub fn parse(s: &str) -> Option<Show> {
        match s.trim().to_lowercase().as_str() {
            "none" | "ninguno" | "nada" => Some(Show::None),
            "initials" | "iniciales" => Some(Show::Initials),
            "names" | "name" | "nombres" | "nombre" => Some(Show::Names),
            _ => None,
        }
    }
}

/// `name` trimmed, when it is 1 to 64 ASCII letters, digits, `.`, `_` or
/// `-`, starting with a letter or digit: a name that stands in a URL's path
/// as it is, and that a script types as it is (a feed's, a doctor's own
/// calendar's).
pub fn slug(name: &str) -> Option<String> {
    let name = name.trim();
    (super::access::is_name(name, NAME_MAX)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric()))
    .then(|| name.to_string())
}

/// A feed's name, a [`slug`] (its CalDAV address ends in it: `/dav/<name>/`).
pub fn check_name(name: &str) -> Result<String> {
    slug(name).ok_or_else(|| {
        Error::field(
            "name",
            crate::text::msg!("e-feed_name_must_be", n = NAME_MAX),
        )
    })
}

/// The path of a clinic's public URL (`https://x.example/appt/` is
/// `/appt`, a bare host ``): what a CalDAV href starts with, as the
/// clinic's proxy passes requests on.
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

/// `--days-back` or `--days-ahead`: whole days within `lo..=366`.
pub fn check_days(field: &str, days: i64, lo: i64) -> Result<i64> {
    if (lo..=DAYS_MAX).contains(&days) {
        Ok(days)
    } else {
        Err(Error::field(
            field,
            crate::text::msg!(
                "e-feed_days_must_be",
                flag = format!("--{}", field.replace('_', "-")),
                lo = lo,
                hi = DAYS_MAX
            ),
        ))
    }
}

/// A patient's initials as a feed shows them: the first letter of each
/// word of their name, capitalised and followed by a dot, leaving out the
/// small words of a Spanish or Portuguese name (`Lucía del Carmen Castro`
/// is `L. C. C.`).
pub fn initials(name: &str) -> String {
    const SMALL: [&str; 9] = ["de", "del", "la", "las", "los", "y", "da", "do", "dos"];
    name.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty() && !SMALL.contains(&w.to_lowercase().as_str()))
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The days a feed covers on `now`: from `days_back` days before the
/// clinic's today to `days_ahead` days after it, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Days {
    pub fn on(zone: Tz, now: DateTime<Utc>, days_back: i64, days_ahead: i64) -> Days {
        let today = local_today(zone, now);
        Days {
            from: today - Duration::days(days_back),
            to: today + Duration::days(days_ahead),
        }
    }

    /// When the first day began: the feed last changed by itself then, as
    /// a day went out of it.
    pub fn began(&self, zone: Tz) -> DateTime<Utc> {
        super::time::window_edge(zone, self.from, 0)
    }

    /// The days of a CalDAV query's time range (`[start, end)`, in UTC)
    /// within the feed's: `None` when they do not meet. A day is taken
    /// whole; the visits are then held to the range itself.
    pub fn within(&self, zone: Tz, range: &TimeRange) -> Option<Days> {
        let from = match range.start {
            Some(s) => self.from.max(s.with_timezone(&zone).date_naive()),
            None => self.from,
        };
        let to = match range.end {
            Some(e) => self.to.min(e.with_timezone(&zone).date_naive()),
            None => self.to,
        };
        (from <= to).then_some(Days { from, to })
    }
}

/// A CalDAV `time-range` (RFC 4791 §9.9): either end may be left open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Whether a visit `[starts, ends)` overlaps the range (RFC 4791
    /// §9.9's rule for an event with a DTEND).
    pub fn overlaps(&self, starts: DateTime<Utc>, ends: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| ends > s) && self.end.is_none_or(|e| starts < e)
    }

    /// A `start` or `end` attribute: a UTC DATE-TIME, `20261126T000000Z`.
    pub fn instant(s: &str) -> Option<DateTime<Utc>> {
        NaiveDateTime::parse_from_str(s.trim(), "%Y%m%dT%H%M%SZ")
            .ok()
            .map(|t| Utc.from_utc_datetime(&t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::zone;

    #[test]
    fn initials_leave_out_the_small_words_and_keep_accents() {
        assert_eq!(initials("Lucía del Carmen Castro"), "L. C. C.");
        assert_eq!(initials("ángel de la torre"), "Á. T.");
        assert_eq!(initials("Mary-Jane O'Neil"), "M. J. O.");
        assert_eq!(initials("  "), "");
    }

    #[test]
    fn a_public_urls_path_leads_the_hrefs() {
        assert_eq!(path_of("https://x.example/appt/"), "/appt");
        assert_eq!(path_of("https://x.example"), "");
        assert_eq!(path_of("http://x.example:8080/"), "");
    }

    #[test]
    fn a_name_stands_in_a_path_as_it_is() {
        assert_eq!(
            check_name(" dra-garcia.day_1 ").unwrap(),
            "dra-garcia.day_1"
        );
        for bad in ["", ".", "..", "-x", "a/b", "garcía", "a b", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_days_are_the_clinics_and_a_query_narrows_them() {
        let ny = zone::new_york();
        // 03:00 UTC on 26 November is still the 25th in New York.
        let now = TimeRange::instant("20261126T030000Z").unwrap();
        let d = Days::on(ny, now, 30, 90);
        assert_eq!(d.from, NaiveDate::from_ymd_opt(2026, 10, 26).unwrap());
        assert_eq!(d.to, NaiveDate::from_ymd_opt(2027, 2, 23).unwrap());
        let range = TimeRange {
            start: TimeRange::instant("20261201T050000Z"),
            end: TimeRange::instant("20261202T050000Z"),
        };
        let w = d.within(ny, &range).unwrap();
        assert_eq!(
            (w.from, w.to),
            (range_day(2026, 12, 1), range_day(2026, 12, 2))
        );
        let past = TimeRange {
            start: None,
            end: TimeRange::instant("20260101T000000Z"),
        };
        assert_eq!(d.within(ny, &past), None);
        assert!(range.overlaps(
            TimeRange::instant("20261201T044500Z").unwrap(),
            TimeRange::instant("20261201T051500Z").unwrap()
        ));
        assert!(!range.overlaps(
            TimeRange::instant("20261201T043000Z").unwrap(),
            TimeRange::instant("20261201T050000Z").unwrap()
        ));
    }

    fn range_day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
}
