//! Dates, times, durations and weekdays as the user writes them, and the one
//! place local wall-clock times become instants (through chrono-tz).

use crate::core::zone::Tz;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, Offset, TimeZone, Timelike,
    Utc,
};

use super::text::distance;
use super::words::{self, DateOrder};
use crate::error::Error;

/// `90m`, `2h`, `1h30m`, `1d`, and the same with spaces and words in either
/// language (`2 h`, `30 min`, `1 día`, `2 horas`, `1 h 30 min`,
/// docs/commands.md#spanish-input) → minutes. Units go from days down to
/// minutes, each once.
pub fn parse_duration(s: &str) -> Result<i64, crate::text::Msg> {
    let err = || crate::text::msg!("e-duration_must_look_like_90m_2h_1h30m", s = s);
    let t = s.trim();
    if t.is_empty() {
        return Err(err());
    }
    let mut total: i64 = 0;
    let mut last_rank = None;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (num, after) = rest.split_at(digits);
        let after = after.trim_start();
        let word_len = after.len() - after.trim_start_matches(char::is_alphabetic).len();
        let (word, after) = after.split_at(word_len);
        if num.is_empty() || num.len() > 7 || word.is_empty() {
            return Err(err());
        }
        let (unit, rank) = super::words::duration_unit(word).ok_or_else(err)?;
        if last_rank.is_some_and(|r| rank <= r) {
            return Err(err());
        }
        last_rank = Some(rank);
        total += num.parse::<i64>().map_err(|_| err())? * unit;
        rest = after.trim_start();
    }
    Ok(total)
}

/// A flag's minutes as the desk types them: a bare number is minutes (the
/// unit the flag's help names), anything else a duration ([`parse_duration`]).
pub fn parse_minutes(s: &str) -> Result<i64, crate::text::Msg> {
    match s.trim().parse::<i64>() {
        Ok(n) => Ok(n),
        Err(_) => parse_duration(s),
    }
}

/// A flag's seconds: a bare number is seconds, a number with `s` (`5s`,
/// `5 seg`, `30 segundos`) too, anything else a duration in minutes and up
/// ([`parse_duration`]).
pub fn parse_seconds(s: &str) -> Result<i64, crate::text::Msg> {
    let t = s.trim();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (num, unit) = t.split_at(digits);
    let seconds = matches!(
        words::plain(unit.trim()).as_str(),
        "" | "s" | "sec" | "secs" | "second" | "seconds" | "seg" | "segs" | "segundo" | "segundos"
    );
    match (num.parse::<i64>(), seconds) {
        (Ok(n), true) if num.len() <= 9 => Ok(n),
        _ => parse_duration(t).map(|m| m * 60),
    }
}

/// Minutes → the shortest of `1d`, `2h`, `1h30m`, `0m`.
pub fn format_duration(mut minutes: i64) -> String {
    if minutes == 0 {
        return "0m".into();
    }
    let mut out = String::new();
    for (unit, name) in [(1440, 'd'), (60, 'h'), (1, 'm')] {
        if minutes >= unit {
            out.push_str(&format!("{}{}", minutes / unit, name));
            minutes %= unit;
        }
    }
    out
}

/// Minutes in hours and minutes only (`24h`, `1h30m`): how reminder offsets are written.
pub fn format_offset(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// A time of day as the desk types it → minutes after midnight: `HH:MM`
/// (24 h), an hour alone (`9` is 09:00), with `am`/`pm` (`9am`, `9:30 pm`,
/// `12am` is midnight), or with `h` (`14h`, `14h30`)
/// (docs/commands.md#dates-times-durations). `24:00` only when `allow_24`
/// (a window's end).
pub fn parse_hhmm(s: &str, allow_24: bool) -> Result<i64, crate::text::Msg> {
    let err = || crate::text::msg!("e-time_must_be_in_hh_mm_format");
    let typed: String = s
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    let (clock, half) = match typed
        .strip_suffix("am")
        .map(|c| (c, Some(false)))
        .or_else(|| typed.strip_suffix("pm").map(|c| (c, Some(true))))
    {
        Some((c, half)) => (c, half),
        None => (typed.as_str(), None),
    };
    let (h, m) = match clock.split_once([':', 'h']) {
        Some((h, "")) if clock.ends_with('h') => (h, "00"),
        Some((h, m)) => (h, m),
        None => (clock, "00"),
    };
    if h.is_empty()
        || h.len() > 2
        || m.len() != 2
        || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
    {
        return Err(err());
    }
    let mut h: i64 = h.parse().map_err(|_| err())?;
    let m: i64 = m.parse().map_err(|_| err())?;
    if let Some(pm) = half {
        if !(1..=12).contains(&h) {
            return Err(err());
        }
        h = h % 12 + if pm { 12 } else { 0 };
    }
    if allow_24 && h == 24 && m == 0 {
        return Ok(1440);
    }
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(err());
    }
    Ok(h * 60 + m)
}

/// `HH:MM`, optionally with the UTC offset human output shows on a DST day
/// (`01:30 -04`, `01:30-05:00`, `09:00 +05:30`): the minutes, and the offset
/// in seconds when given.
pub fn parse_hhmm_offset(s: &str) -> Result<(i64, Option<i32>), crate::text::Msg> {
    let s = s.trim();
    let sign_at = s
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '+' | '-'))
        .map(|(i, _)| i);
    let Some(at) = sign_at else {
        return Ok((parse_hhmm(s, false)?, None));
    };
    let minutes = parse_hhmm(&s[..at], false)?;
    let bad = || crate::text::msg!("e-the_offset_must_be_like_05_05");
    let (sign, rest) = s[at..].split_at(1);
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) || rest.len() < 2 {
        return Err(bad());
    }
    let secs = (h * 3600 + m * 60) * if sign == "-" { -1 } else { 1 };
    Ok((minutes, Some(secs)))
}

pub fn format_hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A date as the desk types it, relative to `today` (the clinic's local
/// date): `YYYY-MM-DD`, `+N`/`-N` days, a relative day or a weekday in
/// either language (`mañana`, `pasado mañana`, `viernes`, `fri`: the next
/// one, today included), or `D/M` and `D/M/YYYY` read in `order`
/// (docs/commands.md#dates-times-durations).
pub fn parse_date(
    s: &str,
    today: NaiveDate,
    order: DateOrder,
) -> Result<NaiveDate, crate::text::Msg> {
    let t = s.trim().to_ascii_lowercase();
    let err = || crate::text::msg!("e-date_must_be_yyyy_mm_dd_today", dm = order.pattern());
    if let Some(n) = words::relative_day(&t) {
        return Ok(today + Duration::days(n));
    }
    if let Some(w) = words::weekday(&t) {
        return Ok(words::next_weekday(today, w));
    }
    match words::slashed(&t, today, order) {
        words::Slashed::Day(d) => return Ok(d),
        words::Slashed::NoSuchDay(e) => return Err(e),
        words::Slashed::Other => {}
    }
    for (sign, rest) in [(1, t.strip_prefix('+')), (-1, t.strip_prefix('-'))] {
        if let Some(n) = rest {
            let n: i64 = n.parse().map_err(|_| err())?;
            if !(0..=36600).contains(&n) {
                return Err(err());
            }
            return Ok(today + Duration::days(sign * n));
        }
    }
    let parts: Vec<&str> = t.split('-').collect();
    if t.len() != 10 || parts.len() != 3 || !t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Err(err());
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
        // The shape is right: the calendar has no such day (2026-02-30).
        match (parts[1].parse::<u32>(), parts[2].parse::<u32>()) {
            (Ok(m), Ok(_)) if (1..=12).contains(&m) => {
                crate::text::msg!("e-does_not_exist_that_month_has_no", t = t, a = parts[2])
            }
            _ => crate::text::msg!("e-does_not_exist_there_is_no_month", t = t, a = parts[1]),
        }
    })
}

/// A date checked before the clinic that reads it is known: `4/12` is
/// taken when either order reads a day in it (the clinic's order decides
/// later); a problem is told as `shown` reads it.
pub fn parse_date_either(
    s: &str,
    today: NaiveDate,
    shown: DateOrder,
) -> Result<NaiveDate, crate::text::Msg> {
    let other = match shown {
        DateOrder::Dmy => DateOrder::Mdy,
        DateOrder::Mdy => DateOrder::Dmy,
    };
    parse_date(s, today, shown).or_else(|e| parse_date(s, today, other).map_err(|_| e))
}

/// A date or an instant, as `--since` takes it: an RFC 3339 instant, or a
/// date (every form [`parse_date`] takes) meaning its local midnight in `tz`.
pub fn parse_since(
    s: &str,
    tz: Tz,
    today: NaiveDate,
    order: DateOrder,
) -> Result<DateTime<Utc>, crate::text::Msg> {
    // An instant has its `T` after the ten characters of its date.
    if s.trim()
        .get(10..11)
        .is_some_and(|c| c.eq_ignore_ascii_case("t"))
    {
        return parse_rfc3339(s);
    }
    let d = parse_date(s, today, order)
        .map_err(|e| crate::text::msg!("e-or_an_rfc_3339_time_such_as", e = e))?;
    Ok(window_edge(tz, d, 0))
}

/// What a local wall-clock time is in a zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Local {
    One(DateTime<Utc>),
    /// A fall-back fold: the earlier and the later instant.
    Fold(DateTime<Utc>, DateTime<Utc>),
    /// A spring-forward gap: no such local time.
    Gap,
}

pub fn resolve_local(tz: Tz, date: NaiveDate, minutes: i64) -> Local {
    let (date, minutes) = if minutes >= 1440 {
        (date + Duration::days(minutes / 1440), minutes % 1440)
    } else {
        (date, minutes)
    };
    let Some(time) = NaiveTime::from_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0)
    else {
        return Local::Gap;
    };
    match tz.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Local::One(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            Local::Fold(a.min(b), a.max(b))
        }
        LocalResult::None => Local::Gap,
    }
}

/// A window edge as an instant: a fold takes the earlier instant; a time in a
/// spring-forward gap moves to the gap's end (the first local minute that exists).
pub fn window_edge(tz: Tz, date: NaiveDate, minutes: i64) -> DateTime<Utc> {
    for shift in 0..=240 {
        if let Local::One(t) | Local::Fold(t, _) = resolve_local(tz, date, minutes + shift) {
            return t;
        }
    }
    // No zone has a gap of four hours; keep going in UTC arithmetic.
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)) + Duration::minutes(minutes)
}

/// The local date and `HH:MM` of an instant.
pub fn to_local(tz: Tz, t: DateTime<Utc>) -> (NaiveDate, String) {
    let l = t.with_timezone(&tz);
    (l.date_naive(), fmt_hm(l.hour(), l.minute()))
}

/// Whether the zone's clocks change during this local date (a DST day).
pub fn clock_changes_on(tz: Tz, date: NaiveDate) -> bool {
    let offset = |t: DateTime<Utc>| offset_secs(tz, t);
    let start = window_edge(tz, date, 0);
    let end = window_edge(tz, date + Duration::days(1), 0);
    offset(start) != offset(end - Duration::seconds(1))
}

/// The UTC offset of an instant in the zone, in seconds.
pub fn offset_secs(tz: Tz, t: DateTime<Utc>) -> i32 {
    t.with_timezone(&tz).offset().fix().local_minus_utc()
}

/// The UTC offset of an instant in the zone: `-04`, `+05:30`.
pub fn format_utc_offset(tz: Tz, t: DateTime<Utc>) -> String {
    let secs = offset_secs(tz, t);
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    if m == 0 {
        format!("{sign}{h:02}")
    } else {
        format!("{sign}{h:02}:{m:02}")
    }
}

/// `HH:MM` of an instant in the zone, and on a day the clocks change, with
/// its UTC offset (`01:30 -04`), so the two 01:30s of a fall-back night differ.
pub fn local_hm(tz: Tz, t: DateTime<Utc>) -> String {
    let (date, hm) = to_local(tz, t);
    if clock_changes_on(tz, date) {
        format!("{hm} {}", format_utc_offset(tz, t))
    } else {
        hm
    }
}

/// The last date appt writes.
pub const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");

/// `t` plus `minutes` (a notice, a horizon), or None when that lies past
/// the last instant appt writes: a setting so long it never runs out.
pub fn after_minutes(t: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
    Duration::try_minutes(minutes)
        .and_then(|d| t.checked_add_signed(d))
        .filter(|t| t.date_naive() <= LAST_DATE)
}

/// `date` plus the whole days of `minutes`, at most [`LAST_DATE`].
pub fn date_after_minutes(date: NaiveDate, minutes: i64) -> NaiveDate {
    Duration::try_minutes(minutes)
        .and_then(|d| date.checked_add_signed(d))
        .map_or(LAST_DATE, |d| d.min(LAST_DATE))
}

pub fn local_today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// RFC 3339 UTC with `Z`, whole seconds.
pub fn fmt_utc(t: DateTime<Utc>) -> String {
    // Digits written by hand: a day sheet formats thousands of instants, and
    // the formatting machinery costs more than the query that read them.
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    let mut s = String::with_capacity(20);
    digits(&mut s, year as u32, 4);
    for (sep, v) in [('-', t.month()), ('-', t.day()), ('T', t.hour())] {
        s.push(sep);
        digits(&mut s, v, 2);
    }
    for v in [t.minute(), t.second()] {
        s.push(':');
        digits(&mut s, v, 2);
    }
    s.push('Z');
    s
}

/// `HH:MM`.
fn fmt_hm(hour: u32, minute: u32) -> String {
    let mut s = String::with_capacity(5);
    digits(&mut s, hour, 2);
    s.push(':');
    digits(&mut s, minute, 2);
    s
}

/// `v`'s last `width` decimal digits, zero-padded.
fn digits(s: &mut String, v: u32, width: u32) {
    for p in (0..width).rev() {
        let d = (v / 10u32.pow(p)) % 10;
        s.push(char::from(b'0' + d as u8));
    }
}

pub fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, crate::text::Msg> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| crate::text::msg!("e-must_be_an_rfc_3339_date_time"))
}

/// An IANA time zone as the desk types it (docs/commands.md#dates-times-durations):
/// any case, spaces for underscores (`america/el salvador`,
/// `AMERICA/NEW_YORK` → `America/New_York`). A miss is `VALIDATION_ERROR`
/// whose hint names the closest zones.
pub fn parse_timezone(s: &str) -> Result<Tz, Error> {
    if let Ok(tz) = s.trim().parse::<Tz>() {
        return Ok(tz);
    }
    let key = zone_key(s);
    if let Some(tz) = crate::core::zone::names()
        .iter()
        .find(|z| zone_key(z) == key)
        .and_then(|z| Tz::named(z))
    {
        return Ok(tz);
    }
    let e = Error::field(
        "timezone",
        crate::text::msg!("e-is_not_an_iana_time_zone_name", s = s.trim()),
    );
    let near = closest_zones(s);
    Err(if near.is_empty() {
        e
    } else {
        e.hint(crate::text::msg!(
            "e-did_you_mean",
            a = crate::text::Msg::either(&near)
        ))
    })
}

/// How a zone name is compared: lowercase, each part between slashes
/// trimmed, runs of spaces, underscores and dashes between words as one `_`
/// (`port au prince` is `Port-au-Prince`; the sign of `Etc/GMT-5` stays).
fn zone_key(s: &str) -> String {
    s.split('/')
        .map(|part| {
            let chars: Vec<char> = part.trim().chars().collect();
            let mut out = String::new();
            for (i, &c) in chars.iter().enumerate() {
                let sign = c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit);
                if (c.is_whitespace() || c == '_' || c == '-') && !sign {
                    if !out.ends_with('_') {
                        out.push('_');
                    }
                } else {
                    out.extend(c.to_lowercase());
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Up to three zones closest to `typed`, closest first: by edits between the
/// folded names (or, when no `/` was typed, the city alone), or containing
/// what was typed (four characters or more).
pub fn closest_zones(typed: &str) -> Vec<&'static str> {
    let key = zone_key(typed);
    let len = key.chars().count();
    if len == 0 {
        return Vec::new();
    }
    let most = len.max(3) / 3;
    let mut scored: Vec<(usize, &'static str)> = crate::core::zone::names()
        .iter()
        .filter_map(|z| {
            let k = zone_key(z);
            let mut d = distance(&key, &k);
            if !key.contains('/') {
                let city = k.rsplit('/').next().unwrap_or(&k);
                d = d.min(distance(&key, city));
            }
            if len >= 4 && k.contains(&key) {
                d = 0;
            }
            (d <= most).then_some((d, *z))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(s: &str) -> Option<u32> {
    words::weekday(s)
}

/// `mon-fri`, `mon,wed,fri`, `mon-fri,sun`, and the same in Spanish
/// (`lun-vie`, `lun,mié,vie`, `sáb`) → a weekday mask (bit 0 = Monday).
pub fn parse_days(s: &str) -> Result<u8, crate::text::Msg> {
    let err = || crate::text::msg!("e-days_must_be_names_or_ranges_like", s = s);
    let mut mask = 0u8;
    for part in s.split(',') {
        if part.trim().is_empty() {
            return Err(err());
        }
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_index(a).ok_or_else(err)?, day_index(b).ok_or_else(err)?);
                let mut d = a;
                loop {
                    mask |= 1 << d;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => mask |= 1 << day_index(part).ok_or_else(err)?,
        }
    }
    Ok(mask)
}

/// A weekday mask → `mon-fri`, `mon,wed,fri`, `mon-fri,sun`.
pub fn format_days(mask: u8) -> String {
    format_days_with(mask, |d| DAY_NAMES[d].to_string())
}

/// A weekday mask (bit 0 Monday) written with `name` for each day (its
/// index, 0 Monday): a run of three days or more as `first-last`, the rest
/// one by one, joined by commas. The one way a mask is written: in
/// English here, in the chosen language by `output::lang::days`.
pub fn format_days_with(mask: u8, name: impl Fn(usize) -> String) -> String {
    let mut parts = Vec::new();
    let mut d = 0;
    while d < 7 {
        if mask & (1 << d) == 0 {
            d += 1;
            continue;
        }
        let start = d;
        while d + 1 < 7 && mask & (1 << (d + 1)) != 0 {
            d += 1;
        }
        parts.push(match d - start {
            0 => name(start),
            1 => format!("{},{}", name(start), name(d)),
            _ => format!("{}-{}", name(start), name(d)),
        });
        d += 1;
    }
    parts.join(",")
}

pub fn weekday_bit(date: NaiveDate) -> u8 {
    1 << date.weekday().num_days_from_monday()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_flags_minutes_and_seconds_take_units() {
        use super::{parse_minutes, parse_seconds};
        assert_eq!(parse_minutes("45"), Ok(45));
        assert_eq!(parse_minutes("1h30m"), Ok(90));
        assert_eq!(parse_minutes("1 h 30 min"), Ok(90));
        assert!(parse_minutes("45x").is_err());
        assert_eq!(parse_seconds("5"), Ok(5));
        assert_eq!(parse_seconds("5s"), Ok(5));
        assert_eq!(parse_seconds("30 segundos"), Ok(30));
        assert_eq!(parse_seconds("2m"), Ok(120));
        assert!(parse_seconds("s").is_err());
        assert!(parse_seconds("5 lunas").is_err());
    }

    #[test]
    fn a_time_is_read_as_the_desk_types_it() {
        use super::parse_hhmm;
        for (typed, minutes) in [
            ("09:00", 540),
            ("9:05", 545),
            ("9", 540),
            ("9am", 540),
            ("9 AM", 540),
            ("9:00 am", 540),
            ("9:30 p.m.", 1290),
            ("12am", 0),
            ("12pm", 720),
            ("14h", 840),
            ("14h30", 870),
            ("0", 0),
        ] {
            assert_eq!(parse_hhmm(typed, false), Ok(minutes), "{typed}");
        }
        for typed in [
            "", "25", "13pm", "0am", "9:5", "9h5", "9:00:00", "nueve", "9:60", "24:00", "-1", "h",
        ] {
            assert!(parse_hhmm(typed, false).is_err(), "{typed}");
        }
        assert_eq!(parse_hhmm("24:00", true), Ok(1440));
        assert_eq!(parse_hhmm("24h", true), Ok(1440));
    }

    /// docs/commands.md#dates-times-durations: any case, spaces for underscores.
    #[test]
    fn zones_are_matched_ignoring_case_with_spaces_for_underscores() {
        for (typed, zone) in [
            ("America/El_Salvador", "America/El_Salvador"),
            ("america/el salvador", "America/El_Salvador"),
            ("AMERICA/NEW_YORK", "America/New_York"),
            ("  america / new   york ", "America/New_York"),
            ("america/port au prince", "America/Port-au-Prince"),
            ("etc/gmt-5", "Etc/GMT-5"),
            ("utc", "UTC"),
        ] {
            assert_eq!(parse_timezone(typed).unwrap().name(), zone, "{typed}");
        }
        for bad in ["Mars/Olympus", "+06:00", "Central Time", "", "etc/gmt 5"] {
            let e = parse_timezone(bad).unwrap_err();
            assert_eq!(e.code, crate::error::Code::Validation, "{bad}");
            assert!(e.details.get("timezone").is_some(), "{bad}");
        }
    }

    /// No two zones fold to the same name, so the match is never a guess.
    #[test]
    fn every_zone_folds_to_a_name_of_its_own() {
        let mut keys: Vec<String> = crate::core::zone::names()
            .iter()
            .map(|z| zone_key(z))
            .collect();
        let all = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), all);
    }

    #[test]
    fn a_missed_zone_names_the_closest_ones() {
        let e = parse_timezone("america/el_salvadr").unwrap_err();
        let hint = e.hint.unwrap().english();
        assert!(
            hint.starts_with("did you mean America/El_Salvador"),
            "{hint}"
        );
        assert_eq!(
            closest_zones("america/el_salvadr")[0],
            "America/El_Salvador"
        );
        assert_eq!(closest_zones("el salvador")[0], "America/El_Salvador");
        assert_eq!(closest_zones("Amrica/New_Yrok")[0], "America/New_York");
        assert!(closest_zones("new york").contains(&"America/New_York"));
        assert!(closest_zones("Mars/Olympus").is_empty());
        assert!(parse_timezone("Mars/Olympus").unwrap_err().hint.is_none());
        assert!(closest_zones("").is_empty());
    }

    #[test]
    fn instants_and_local_times_are_written_as_chrono_writes_them() {
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        // From 0001 to 9999, every field's digits and paddings.
        let mut t = DateTime::parse_from_rfc3339("0001-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let end = DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z")
            .unwrap()
            .with_timezone(&Utc);
        while t < end {
            assert_eq!(fmt_utc(t), t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            let l = t.with_timezone(&tz);
            assert_eq!(
                to_local(tz, t),
                (l.date_naive(), l.format("%H:%M").to_string())
            );
            t += Duration::seconds(86_400 * 37 + 3_671);
        }
    }

    #[test]
    fn a_setting_too_long_for_the_calendar_never_runs_out() {
        let now = parse_rfc3339("2026-06-15T14:00:00Z").unwrap();
        assert_eq!(after_minutes(now, 90), Some(now + Duration::minutes(90)));
        for huge in [i64::MAX, i64::MAX / 60, 9_999_999 * 1440 * 1000] {
            assert_eq!(after_minutes(now, huge), None, "{huge}");
            assert_eq!(date_after_minutes(now.date_naive(), huge), LAST_DATE);
        }
        assert_eq!(
            date_after_minutes(now.date_naive(), 2 * 1440 + 5),
            now.date_naive() + Duration::days(2)
        );
    }

    #[test]
    fn a_time_may_carry_the_offset_human_output_shows() {
        assert_eq!(parse_hhmm_offset("01:30"), Ok((90, None)));
        assert_eq!(parse_hhmm_offset("01:30 -04"), Ok((90, Some(-4 * 3600))));
        assert_eq!(parse_hhmm_offset("01:30-05:00"), Ok((90, Some(-5 * 3600))));
        assert_eq!(parse_hhmm_offset("09:00 +05:30"), Ok((540, Some(19_800))));
        for bad in ["", "-", "é", "01:30 -x", "01:30 -99", "1:3 -05", "01:30 -"] {
            assert!(parse_hhmm_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_clock_change_day_shows_offsets_and_no_other_day_does() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let sv: Tz = "America/El_Salvador".parse().unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(clock_changes_on(ny, d("2026-11-01")));
        assert!(clock_changes_on(ny, d("2026-03-08")));
        assert!(!clock_changes_on(ny, d("2026-11-02")));
        assert!(!clock_changes_on(ny, d("2026-10-31")));
        assert!(!clock_changes_on(sv, d("2026-11-01")));
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // The two 01:30s of the fall-back night.
        assert_eq!(local_hm(ny, t("2026-11-01T05:30:00Z")), "01:30 -04");
        assert_eq!(local_hm(ny, t("2026-11-01T06:30:00Z")), "01:30 -05");
        assert_eq!(local_hm(ny, t("2026-11-02T06:30:00Z")), "01:30");
        assert_eq!(local_hm(sv, t("2026-11-01T07:30:00Z")), "01:30");
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            format_utc_offset(kolkata, t("2026-11-01T07:30:00Z")),
            "+05:30"
        );
    }
    use super::*;
    use crate::core::zone::{el_salvador, new_york};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn parse_date_en(s: &str, today: NaiveDate) -> Result<NaiveDate, crate::text::Msg> {
        parse_date(s, today, DateOrder::Mdy)
    }

    fn parse_since_en(
        s: &str,
        tz: Tz,
        today: NaiveDate,
    ) -> Result<DateTime<Utc>, crate::text::Msg> {
        parse_since(s, tz, today, DateOrder::Mdy)
    }

    /// docs/commands.md#spanish-input: every form of a date, in either
    /// language, across a month's and a year's end.
    #[test]
    fn dates_in_spanish_words_weekdays_and_the_clinics_order() {
        let dmy = |s: &str, today: &str| parse_date(s, d(today), DateOrder::Dmy);
        let mdy = |s: &str, today: &str| parse_date(s, d(today), DateOrder::Mdy);
        for (typed, today, want) in [
            ("hoy", "2026-11-25", "2026-11-25"),
            ("mañana", "2026-11-30", "2026-12-01"),
            ("MAÑANA", "2026-12-31", "2027-01-01"),
            ("manana", "2026-02-28", "2026-03-01"),
            ("pasado mañana", "2026-12-30", "2027-01-01"),
            ("pasado mañana", "2028-02-28", "2028-03-01"),
            ("ayer", "2027-01-01", "2026-12-31"),
            ("ayer", "2026-03-01", "2026-02-28"),
            ("tomorrow", "2026-12-31", "2027-01-01"),
            ("+3", "2026-12-30", "2027-01-02"),
            ("-1", "2026-01-01", "2025-12-31"),
            // Weekdays: the next one, today included (2026-11-25 is a Wednesday).
            ("miércoles", "2026-11-25", "2026-11-25"),
            ("mie", "2026-11-25", "2026-11-25"),
            ("jueves", "2026-11-25", "2026-11-26"),
            ("viernes", "2026-11-25", "2026-11-27"),
            ("Lunes", "2026-11-25", "2026-11-30"),
            ("lun", "2026-11-25", "2026-11-30"),
            ("martes", "2026-11-25", "2026-12-01"),
            ("monday", "2026-12-30", "2027-01-04"),
            ("fri", "2026-12-30", "2027-01-01"),
            ("sáb", "2026-12-31", "2027-01-02"),
            ("domingo", "2026-12-31", "2027-01-03"),
            // Day first: 4 December; with its year; the nearest without one.
            ("4/12", "2026-11-25", "2026-12-04"),
            ("04/12", "2026-11-25", "2026-12-04"),
            ("04/12/2026", "2026-11-25", "2026-12-04"),
            ("4/1", "2026-12-20", "2027-01-04"),
            ("31/12", "2027-01-03", "2026-12-31"),
            ("2026-12-04", "2026-11-25", "2026-12-04"),
        ] {
            assert_eq!(dmy(typed, today), Ok(d(want)), "{typed} on {today}");
        }
        // Month first for a clinic that reads dates so.
        assert_eq!(mdy("4/12", "2026-01-05"), Ok(d("2026-04-12")));
        assert_eq!(mdy("12/4/2026", "2026-01-05"), Ok(d("2026-12-04")));
        assert!(mdy("13/12", "2026-01-05")
            .unwrap_err()
            .english()
            .contains("no month 13"));
        assert!(dmy("30/2/2026", "2026-01-05")
            .unwrap_err()
            .english()
            .contains("does not exist"));
        // The error names the order the clinic reads and both languages' words.
        let e = dmy("someday", "2026-01-05").unwrap_err().english();
        assert!(
            e.contains("D/M") && e.contains("hoy") && e.contains("today"),
            "{e}"
        );
        assert!(mdy("someday", "2026-01-05")
            .unwrap_err()
            .english()
            .contains("M/D"));
        for bad in ["pasado", "2026/12/04", "4/12/26", "lu", "4-12"] {
            assert!(dmy(bad, "2026-11-25").is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_with_spaces_and_words_in_either_language() {
        for (s, m) in [
            ("2 h", 120),
            ("30 min", 30),
            ("1 día", 1440),
            ("1 dia", 1440),
            ("2 días", 2880),
            ("2d", 2880),
            ("2 horas", 120),
            ("1 hora", 60),
            ("45 minutos", 45),
            ("1 h 30 min", 90),
            ("1 hour 30 minutes", 90),
            ("3 days", 4320),
            (" 1H30M ", 90),
        ] {
            assert_eq!(parse_duration(s), Ok(m), "{s}");
        }
        for bad in [
            "2 x",
            "h",
            "30 min 1 h",
            "2 horas 3 h",
            "1 día y 2 h",
            "2.5h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        let e = parse_duration("dos horas").unwrap_err().english();
        assert!(e.contains("30 min") && e.contains("horas"), "{e}");
    }

    #[test]
    fn days_of_a_window_in_spanish() {
        assert_eq!(parse_days("lun-vie"), Ok(0b0011111));
        assert_eq!(parse_days("lun,mié,vie"), Ok(0b0010101));
        assert_eq!(parse_days("lun,mie,vie"), Ok(0b0010101));
        assert_eq!(parse_days("sáb"), Ok(0b0100000));
        assert_eq!(parse_days("Sábado,domingo"), Ok(0b1100000));
        assert_eq!(parse_days("lunes-viernes"), Ok(0b0011111));
        assert_eq!(parse_days("lun-fri"), Ok(0b0011111));
        let e = parse_days("feriado").unwrap_err().english();
        assert!(e.contains("mon-fri") && e.contains("lun-vie"), "{e}");
    }

    #[test]
    fn durations_round_trip() {
        for (s, m) in [
            ("90m", 90),
            ("2h", 120),
            ("1h30m", 90),
            ("1d", 1440),
            ("0m", 0),
            ("365d", 525600),
        ] {
            assert_eq!(parse_duration(s).unwrap(), m, "{s}");
        }
        assert_eq!(format_duration(90), "1h30m");
        assert_eq!(format_duration(1440), "1d");
        assert_eq!(format_offset(1440), "24h");
        assert_eq!(format_offset(90), "1h30m");
        assert_eq!(format_offset(45), "45m");
        for bad in ["", "90", "m", "1x", "30m1h", "1h1h", "-5m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_and_dates() {
        assert_eq!(parse_hhmm("09:30", false).unwrap(), 570);
        assert!(parse_hhmm("24:00", false).is_err());
        assert_eq!(parse_hhmm("24:00", true).unwrap(), 1440);
        for bad in ["9x", "25:00", "12:60", "12:5", "ab:cd"] {
            assert!(parse_hhmm(bad, false).is_err(), "{bad}");
        }
        let today = d("2026-06-15");
        assert_eq!(parse_date_en("today", today).unwrap(), today);
        assert_eq!(parse_date_en("tomorrow", today).unwrap(), d("2026-06-16"));
        assert_eq!(parse_date_en("+7", today).unwrap(), d("2026-06-22"));
        assert_eq!(parse_date_en("2026-02-28", today).unwrap(), d("2026-02-28"));
        assert_eq!(parse_date_en("yesterday", today).unwrap(), d("2026-06-14"));
        assert_eq!(parse_date_en("-30", today).unwrap(), d("2026-05-16"));
        for bad in ["15/06/2026", "+x", "-x", "2026-6-1", "someday"] {
            assert!(parse_date_en(bad, today).is_err(), "{bad}");
        }
        // A day the calendar does not have says so.
        let e = parse_date_en("2026-02-30", today).unwrap_err().english();
        assert!(e.contains("does not exist") && e.contains("30"), "{e}");
        assert!(parse_date_en("2026-13-01", today)
            .unwrap_err()
            .english()
            .contains("no month 13"));
        // --since: a date is its local midnight; an instant is itself.
        use crate::core::zone::el_salvador;
        assert_eq!(
            parse_since_en("2026-06-15", el_salvador(), today).unwrap(),
            parse_rfc3339("2026-06-15T06:00:00Z").unwrap()
        );
        assert_eq!(
            parse_since_en("yesterday", el_salvador(), today).unwrap(),
            parse_rfc3339("2026-06-14T06:00:00Z").unwrap()
        );
        assert_eq!(
            parse_since_en("2026-06-15T08:00:00-06:00", el_salvador(), today).unwrap(),
            parse_rfc3339("2026-06-15T14:00:00Z").unwrap()
        );
    }

    #[test]
    fn days() {
        assert_eq!(parse_days("mon-fri").unwrap(), 0b0011111);
        assert_eq!(parse_days("mon,wed,fri").unwrap(), 0b0010101);
        assert_eq!(parse_days("mon-fri,sun").unwrap(), 0b1011111);
        assert_eq!(parse_days("fri-mon").unwrap(), 0b1110001);
        assert_eq!(format_days(0b1011111), "mon-fri,sun");
        assert_eq!(format_days(0b0010101), "mon,wed,fri");
        assert_eq!(format_days(0b1100011), "mon,tue,sat,sun");
        let es = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
        assert_eq!(format_days_with(0b1011111, |d| es[d].into()), "lun-vie,dom");
        assert!(parse_days("funday").is_err());
        assert!(parse_days("mon,,tue").is_err());
    }

    #[test]
    fn spring_forward_gap_and_fall_back_fold() {
        // 2026-03-08 02:30 does not exist in New York.
        assert_eq!(resolve_local(new_york(), d("2026-03-08"), 150), Local::Gap);
        // 2026-11-01 01:30 happens twice: 05:30Z (EDT) and 06:30Z (EST).
        match resolve_local(new_york(), d("2026-11-01"), 90) {
            Local::Fold(a, b) => {
                assert_eq!(fmt_utc(a), "2026-11-01T05:30:00Z");
                assert_eq!(fmt_utc(b), "2026-11-01T06:30:00Z");
            }
            other => panic!("{other:?}"),
        }
        // El Salvador has no DST: the same local times are plain.
        assert!(matches!(
            resolve_local(el_salvador(), d("2026-03-08"), 150),
            Local::One(_)
        ));
        assert!(matches!(
            resolve_local(el_salvador(), d("2026-11-01"), 90),
            Local::One(_)
        ));
    }

    #[test]
    fn window_edges_in_a_gap_move_to_its_end() {
        let t = window_edge(new_york(), d("2026-03-08"), 150);
        assert_eq!(fmt_utc(t), "2026-03-08T07:00:00Z"); // 03:00 EDT
        let t = window_edge(new_york(), d("2026-03-08"), 120);
        assert_eq!(fmt_utc(t), "2026-03-08T07:00:00Z");
        let t = window_edge(new_york(), d("2026-03-08"), 60);
        assert_eq!(fmt_utc(t), "2026-03-08T06:00:00Z");
        let t = window_edge(el_salvador(), d("2026-06-15"), 1440);
        assert_eq!(fmt_utc(t), "2026-06-16T06:00:00Z");
    }
}
