//! Reading stored values back. Every value appt parses when it reads a row
//! (an instant, a date, a time zone, a status or kind, minutes within their
//! range, a list of reminder offsets, a JSON object) goes through one of the
//! parsers here. A value appt did not write is `DATABASE_ERROR` naming the
//! table, the row's ID and the column — never a silent default (no 1970, no
//! UTC, no `scheduled`). Each table module lists the columns it parses
//! ([`Layout`]) and `appt check` runs the same parsers over every row, so what
//! a command would refuse, `check` lists.

use super::db::{Peek, Row};
use crate::core::access::Scope;
use crate::core::zone::Tz;
use crate::core::{limits, phone};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

/// The stored value `v` of `column` in `table`'s row `id` cannot be read back.
pub fn damaged(table: &str, id: &str, column: &str, problem: impl Into<crate::text::Msg>) -> Error {
    let problem = problem.into();
    Error::database(crate::text::msg!(
        "e-row",
        table = table,
        id = id,
        column = column,
        problem = problem
    ))
    .details(json!({"table": table, "id": id, "column": column}))
    .hint(crate::text::msg!("e-the_database_holds_a_value_appt_did"))
}

/// A stored value as a message shows it: short, quoted, control characters escaped.
pub fn shown(v: &str) -> String {
    const MAX: usize = 40;
    let mut s: String = v.chars().take(MAX).flat_map(char::escape_debug).collect();
    if v.chars().count() > MAX {
        s.push('…');
    }
    format!("'{s}'")
}

/// What a stored column must hold to be read back.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Epoch seconds of an instant appt can write (years 0001 to 9999).
    Instant,
    /// A `YYYY-MM-DD` calendar date.
    Date,
    /// An IANA time zone name.
    Zone,
    /// One of a fixed set of words (a reminder's status or kind).
    OneOf(&'static [&'static str]),
    /// Whole minutes (or a count) within `lo..=hi`.
    Range(i64, i64),
    /// A clinic's reminder offsets: positive minutes, comma-separated (empty for none).
    Offsets,
    /// A JSON object.
    Json,
    /// A clinic's country code: `+` and 1–3 digits (`+503`).
    CountryCode,
    /// An API token's scopes: known scopes, comma-separated, at least one.
    Scopes,
}

/// A column a table module parses, and whether it may be NULL.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
    pub null: bool,
}

/// A NOT NULL column of `kind`.
pub const fn col(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        null: false,
    }
}

/// A column of `kind` that may be NULL.
pub const fn opt(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        null: true,
    }
}

/// What `appt check` reads of a table: its ID column, the columns its
/// readers parse, and the rules that tie two columns together (a column, an
/// SQL condition true of a damaged row, and the problem).
pub struct Layout {
    pub name: &'static str,
    pub id: &'static str,
    pub cols: &'static [Col],
    pub rules: &'static [(&'static str, &'static str, &'static str)],
}

impl Kind {
    /// Whether `v` reads back as this kind; the problem when it does not.
    pub fn check(self, v: Peek, null: bool) -> Result<(), crate::text::Msg> {
        let wrong = || crate::text::msg!("e-holds_where_appt_keeps", a = v.what(), b = self.what());
        match (self, v) {
            (_, Peek::Null) if null => Ok(()),
            (_, Peek::Null) => Err(crate::text::msg!("e-is_null")),
            (Kind::Instant, Peek::Int(i)) => instant(i).map(drop),
            (Kind::Range(lo, hi), Peek::Int(i)) => range(i, lo, hi).map(drop),
            (Kind::Date, Peek::Text(t)) => date(t).map(drop),
            (Kind::Zone, Peek::Text(t)) => zone(t).map(drop),
            (Kind::OneOf(words), Peek::Text(t)) => one_of(t, words).map(drop),
            (Kind::Offsets, Peek::Text(t)) => offsets(t).map(drop),
            (Kind::Json, Peek::Text(t)) => json_valid(t),
            (Kind::CountryCode, Peek::Text(t)) => country_code(t).map(drop),
            (Kind::Scopes, Peek::Text(t)) => scopes(t).map(drop),
            _ => Err(wrong()),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Instant | Kind::Range(..) => "an integer",
            _ => "text",
        }
    }
}

/// The latest instant appt writes: 9999-12-31T23:59:59Z.
pub const LAST_SECOND: i64 = 253_402_300_799;
/// The earliest: 0001-01-01T00:00:00Z.
pub const FIRST_SECOND: i64 = -62_135_596_800;

pub fn instant(secs: i64) -> Result<DateTime<Utc>, crate::text::Msg> {
    (FIRST_SECOND..=LAST_SECOND)
        .contains(&secs)
        .then(|| DateTime::from_timestamp(secs, 0))
        .flatten()
        .ok_or_else(|| crate::text::msg!("e-is_not_an_instant_between_the_years", secs = secs))
}

/// A stored date, exactly as appt writes it (`YYYY-MM-DD`: no sign, no
/// missing zero, four digits of year). Read digit by digit: every row of a
/// day sheet carries one, and formatting each back to compare cost more than
/// the rest of its date handling.
pub fn date(s: &str) -> Result<NaiveDate, crate::text::Msg> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| Some((num(0..4)?, num(5..7)?, num(8..10)?)))
        .flatten()
        .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y as i32, m, d))
        .ok_or_else(|| crate::text::msg!("e-is_not_a_date_yyyy_mm_dd", a = shown(s)))
}

pub fn zone(s: &str) -> Result<Tz, crate::text::Msg> {
    s.parse::<Tz>()
        .map_err(|_| crate::text::msg!("e-is_not_a_time_zone", a = shown(s)))
}

pub fn one_of<'a>(s: &'a str, words: &[&str]) -> Result<&'a str, crate::text::Msg> {
    if words.contains(&s) {
        Ok(s)
    } else {
        Err(crate::text::msg!(
            "e-is_not_one_of",
            a = shown(s),
            b = words.join(", ")
        ))
    }
}

pub fn range(v: i64, lo: i64, hi: i64) -> Result<i64, crate::text::Msg> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else if hi == i64::MAX {
        Err(crate::text::msg!("e-is_below", v = v, lo = lo))
    } else {
        Err(crate::text::msg!(
            "e-is_outside_to",
            v = v,
            lo = lo,
            hi = hi
        ))
    }
}

/// `1440,120` (largest first, as appt writes them); empty for none.
pub fn offsets(s: &str) -> Result<Vec<i64>, crate::text::Msg> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|m| m.parse::<i64>().ok().filter(|m| *m > 0))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| crate::text::msg!("e-is_not_a_list_of_reminder_offsets", a = shown(s)))
}

/// A country code exactly as appt writes it (`+503`; never blank or `none`).
pub fn country_code(s: &str) -> Result<String, crate::text::Msg> {
    match phone::country_code_written(s) {
        Ok(Some(c)) if c == s => Ok(c),
        _ => Err(crate::text::msg!("e-is_not_a_country_code", a = shown(s))),
    }
}

/// An API token's scopes exactly as appt writes them (`appointments:read,clinical`).
pub fn scopes(s: &str) -> Result<Vec<Scope>, crate::text::Msg> {
    let list = s
        .split(',')
        .map(|one| Scope::ALL.into_iter().find(|sc| sc.as_str() == one))
        .collect::<Option<Vec<Scope>>>()
        .filter(|l| !l.is_empty());
    list.ok_or_else(|| crate::text::msg!("e-is_not_a_list_of_scopes", a = shown(s)))
}

/// A JSON object (appt stores no other JSON).
pub fn json(s: &str) -> Result<Value, crate::text::Msg> {
    json_valid(s)?;
    serde_json::from_str(s).map_err(|e| crate::text::msg!("e-is_not_a_json_object", e = e))
}

/// Like [`json`], without building the document (`check` reads every event).
fn json_valid(s: &str) -> Result<(), crate::text::Msg> {
    if !s.trim_start().starts_with('{') {
        return Err(crate::text::msg!("e-is_not_a_json_object_2", a = shown(s)));
    }
    serde_json::from_str::<serde::de::IgnoredAny>(s)
        .map(drop)
        .map_err(|e| crate::text::msg!("e-is_not_a_json_object", e = e))
}

/// One row as stored in a table, named by its ID: each value read through it
/// that appt cannot read back is `DATABASE_ERROR` naming the table, this row
/// and the column.
pub struct Fields<'a, 'r> {
    row: &'a Row<'r>,
    table: &'static str,
    /// Borrowed from the row when it is text: most rows read are never
    /// named, and a reader that keeps the ID copies it.
    id: std::borrow::Cow<'a, str>,
}

impl<'a, 'r> Fields<'a, 'r> {
    /// Row `row` of `table`, its ID in column `id` (text, or an integer).
    pub fn new(row: &'a Row<'r>, table: &'static str, id: usize) -> Result<Self> {
        let id = match row.peek(id)? {
            Peek::Text(t) => t.into(),
            Peek::Int(i) => i.to_string().into(),
            Peek::Id(b) => super::db::shown_id(b).into(),
            other => {
                return Err(Error::database(crate::text::msg!(
                    "e-a_row_has_for_its_id",
                    table = table,
                    a = other.what()
                )))
            }
        };
        Ok(Fields { row, table, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The damage in column `i`.
    pub fn damaged(&self, i: usize, problem: impl Into<crate::text::Msg>) -> Error {
        damaged(self.table, &self.id, &self.row.name(i), problem)
    }

    /// Column `i` as a plain value; NULL or the wrong type is damage.
    pub fn get<T: super::db::Column>(&self, i: usize) -> Result<T> {
        self.row.get(i).map_err(|_| {
            let problem = match self.row.peek(i) {
                Ok(Peek::Null) => crate::text::msg!("e-is_null"),
                Ok(v) => crate::text::msg!("e-holds_appt_cannot_read_there", a = v.what()),
                Err(e) => e.msg,
            };
            self.damaged(i, &problem)
        })
    }

    fn parse<S: super::db::Column, T>(
        &self,
        i: usize,
        f: impl FnOnce(S) -> Result<T, crate::text::Msg>,
    ) -> Result<T> {
        f(self.get(i)?).map_err(|p| self.damaged(i, &p))
    }

    fn parse_opt<S, T>(
        &self,
        i: usize,
        f: impl FnOnce(S) -> Result<T, crate::text::Msg>,
    ) -> Result<Option<T>>
    where
        Option<S>: super::db::Column,
    {
        match self.get::<Option<S>>(i)? {
            Some(v) => f(v).map(Some).map_err(|p| self.damaged(i, &p)),
            None => Ok(None),
        }
    }

    pub fn instant(&self, i: usize) -> Result<DateTime<Utc>> {
        self.parse(i, instant)
    }

    pub fn opt_instant(&self, i: usize) -> Result<Option<DateTime<Utc>>> {
        self.parse_opt(i, instant)
    }

    pub fn date(&self, i: usize) -> Result<NaiveDate> {
        self.parse(i, |s: String| date(&s))
    }

    /// A date kept as its day number (`db::day_number`), within the
    /// years appt writes.
    pub fn day(&self, i: usize) -> Result<NaiveDate> {
        self.parse(i, |n: i64| {
            range(n, DAYS.0, DAYS.1).map(|n| super::db::date_of_day(n).unwrap_or_default())
        })
    }

    pub fn opt_date(&self, i: usize) -> Result<Option<NaiveDate>> {
        self.parse_opt(i, |s: String| date(&s))
    }

    pub fn zone(&self, i: usize) -> Result<Tz> {
        self.parse(i, |s: String| zone(&s))
    }

    /// One of a kind's codes (`core::Urgency::parse`, …).
    pub fn code<T>(&self, i: usize, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        self.parse(i, |s: String| {
            parse(&s).ok_or_else(|| crate::text::msg!("e-not_a_value_appt_writes", a = shown(&s)))
        })
    }

    /// [`Self::code`] of a column that may be NULL.
    pub fn opt_code<T>(
        &self,
        i: usize,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        self.parse_opt(i, |s: String| {
            parse(&s).ok_or_else(|| crate::text::msg!("e-not_a_value_appt_writes", a = shown(&s)))
        })
    }

    pub fn one_of(&self, i: usize, words: &[&str]) -> Result<String> {
        self.parse(i, |s: String| one_of(&s, words).map(str::to_string))
    }

    /// A closed set's value, stored as one of its `words` and read by
    /// `parse` (an enum's own).
    pub fn named<T>(&self, i: usize, words: &[&str], parse: fn(&str) -> Option<T>) -> Result<T> {
        self.parse(i, |s: String| {
            one_of(&s, words).and_then(|w| {
                parse(w).ok_or_else(|| {
                    crate::text::msg!("e-is_not_one_of", a = shown(w), b = words.join(", "))
                })
            })
        })
    }

    /// A closed set's value, stored as its number within `codes` (what
    /// `check` holds the column to) and read by `parse` (an enum's own).
    pub fn numbered<T>(
        &self,
        i: usize,
        (lo, hi): (i64, i64),
        parse: fn(i64) -> Option<T>,
    ) -> Result<T> {
        self.parse(i, |v| {
            range(v, lo, hi).and_then(|v| {
                parse(v).ok_or_else(|| {
                    crate::text::msg!("e-not_a_value_appt_writes", a = v.to_string())
                })
            })
        })
    }

    /// Minutes (or a count) within `lo..=hi`.
    pub fn range(&self, i: usize, (lo, hi): (i64, i64)) -> Result<i64> {
        self.parse(i, |v| range(v, lo, hi))
    }

    pub fn opt_range(&self, i: usize, (lo, hi): (i64, i64)) -> Result<Option<i64>> {
        self.parse_opt(i, |v| range(v, lo, hi))
    }

    pub fn offsets(&self, i: usize) -> Result<Vec<i64>> {
        self.parse(i, |s: String| offsets(&s))
    }

    pub fn country_code(&self, i: usize) -> Result<Option<String>> {
        self.parse_opt(i, |s: String| country_code(&s))
    }

    pub fn scopes(&self, i: usize) -> Result<Vec<Scope>> {
        self.parse(i, |s: String| scopes(&s))
    }

    pub fn json(&self, i: usize) -> Result<Value> {
        self.parse(i, |s: String| json(&s))
    }

    pub fn opt_json(&self, i: usize) -> Result<Option<Value>> {
        self.parse_opt(i, |s: String| json(&s))
    }
}

/// The ranges appt keeps, as (lo, hi), for [`Kind::Range`] and [`Fields::range`].
pub const MINUTES: (i64, i64) = (*limits::MINUTES.start(), *limits::MINUTES.end());
pub const CAPACITY: (i64, i64) = (*limits::CAPACITY.start(), *limits::CAPACITY.end());
pub const PER_DAY: (i64, i64) = (*limits::PER_DAY.start(), *limits::PER_DAY.end());
/// [`limits::BUFFER`] as a pair.
pub const BUFFER: (i64, i64) = (*limits::BUFFER.start(), *limits::BUFFER.end());

/// The day numbers (`db::day_number`) of the dates appt writes: 0001-01-01
/// to 9999-12-31.
pub const DAYS: (i64, i64) = (-719_162, 2_932_896);
/// [`limits::WEB_HOLD`], as [`Kind::Range`] takes it.
pub const WEB_HOLD: (i64, i64) = (*limits::WEB_HOLD.start(), *limits::WEB_HOLD.end());
/// A duration setting (notice, horizon, cancellation window): no upper bound,
/// the rules' arithmetic is checked.
pub const NOT_NEGATIVE: (i64, i64) = (0, i64::MAX);
pub const POSITIVE: (i64, i64) = (1, i64::MAX);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_appt_writes_reads_back() {
        assert!(instant(0).is_ok());
        assert!(instant(LAST_SECOND).is_ok() && instant(FIRST_SECOND).is_ok());
        assert!(instant(LAST_SECOND + 1).is_err() && instant(FIRST_SECOND - 1).is_err());
        assert!(instant(i64::MIN).is_err() && instant(i64::MAX).is_err());
        assert_eq!(
            date("2026-06-15"),
            Ok(NaiveDate::from_ymd_opt(2026, 6, 15).unwrap())
        );
        for bad in [
            "2026-02-30",
            "2026-6-15",
            "+2026-06-15",
            "-1199-01-01",
            "20260615",
            "",
            "2026-06-15 ",
            "2026-06-1x",
            "2026_06_15",
            "2026-13-01",
            "2026-00-10",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
        assert_eq!(
            date("9999-12-31").map(|d| d.to_string()),
            Ok("9999-12-31".into())
        );
        assert_eq!(
            date("0001-01-01").map(|d| d.to_string()),
            Ok("0001-01-01".into())
        );
        assert!(zone("America/El_Salvador").is_ok());
        assert!(zone("Mars/Base").is_err() && zone("").is_err());
        assert_eq!(offsets(""), Ok(vec![]));
        assert_eq!(offsets("1440,120"), Ok(vec![1440, 120]));
        for bad in ["x", "1440,", "0", "-5", "1440;120", "none"] {
            assert!(offsets(bad).is_err(), "{bad}");
        }
        assert!(json("{\"a\":1}").is_ok() && json("{").is_err() && json("").is_err());
        assert!(json("null").is_err() && json("[1]").is_err() && json(" {}").is_ok());
        assert!(range(0, 5, 480).is_err() && range(480, 5, 480).is_ok());
        assert_eq!(country_code("+503"), Ok("+503".into()));
        for bad in ["503", "", "none", " +503", "+5030"] {
            assert!(country_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_day_number_counts_days_from_1970() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        use super::super::db::{date_of_day, day_number};
        assert_eq!(day_number(d(1970, 1, 1)), 0);
        assert_eq!(day_number(d(2026, 6, 16)), 20_620);
        assert_eq!(day_number(d(1969, 12, 31)), -1);
        assert_eq!((day_number(d(1, 1, 1)), day_number(d(9999, 12, 31))), DAYS);
        assert_eq!(date_of_day(20_620), Some(d(2026, 6, 16)));
        assert_eq!(date_of_day(i64::MAX), None);
    }

    #[test]
    fn a_damaged_value_names_table_row_and_column() {
        let e = damaged(
            "appointments",
            "3f2a",
            "status",
            crate::text::Msg::verbatim("'zzz' is not a status"),
        );
        assert_eq!(e.code, crate::error::Code::Database);
        assert_eq!(
            e.message,
            "appointments row 3f2a: status 'zzz' is not a status"
        );
        assert_eq!(
            e.details,
            json!({"table": "appointments", "id": "3f2a", "column": "status"})
        );
        assert_eq!(shown("a\u{1b}[31mb"), "'a\\u{1b}[31mb'");
        assert!(shown(&"x".repeat(100)).ends_with("…'"));
    }
}
