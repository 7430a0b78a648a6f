//! IANA time zones for chrono, from the tz database bundled into appt.
//!
//! appt used chrono-tz, which compiles every zone's transitions into static
//! tables of pointers: 29,000 of them that the dynamic loader had to relocate
//! at every start of the (position-independent) executable, some 300 pages
//! written before `main` — a third of what `appt show` cost
//! (docs/performance.md#start-up). Here the data is jiff's bundled copy of
//! the tz database: the zones' TZif files as bytes, which need no relocation,
//! read when a zone is first named, once per process. A zone is then a
//! `Copy` handle, as chrono-tz's was, and implements chrono's [`TimeZone`],
//! so every conversion of a local time into an instant still goes through
//! the zone's rules: a time the clocks skip has no instant, one they repeat
//! has two.

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc,
};
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

/// A zone: its IANA name and its rules, loaded once per process.
#[derive(Clone, Copy)]
pub struct Tz(&'static Loaded);

struct Loaded {
    name: &'static str,
    zone: jiff::tz::TimeZone,
}

static UTC_ZONE: Loaded = Loaded {
    name: "UTC",
    zone: jiff::tz::TimeZone::UTC,
};

/// Coordinated Universal Time.
pub static UTC: Tz = Tz(&UTC_ZONE);

/// The zones named so far in this process (a handful: the clinics').
static LOADED: Mutex<Vec<&'static Loaded>> = Mutex::new(Vec::new());

fn database() -> &'static jiff::tz::TimeZoneDatabase {
    static DB: OnceLock<jiff::tz::TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(jiff::tz::TimeZoneDatabase::bundled)
}

impl Tz {
    /// The zone of this exact IANA name (`America/El_Salvador`), or None.
    pub fn named(name: &str) -> Option<Tz> {
        if name == UTC_ZONE.name {
            return Some(UTC);
        }
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(z) = loaded.iter().find(|z| z.name == name) {
            return Some(Tz(z));
        }
        // The database matches names in any case; a zone is only its exact name.
        let zone = database().get(name).ok()?;
        if zone.iana_name() != Some(name) {
            return None;
        }
        let z: &'static Loaded = Box::leak(Box::new(Loaded {
            name: Box::leak(name.to_owned().into_boxed_str()),
            zone,
        }));
        loaded.push(z);
        Some(Tz(z))
    }

    /// The IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// The zone's rules over `[from, to]`, as a calendar's VTIMEZONE writes
    /// them: the offset in force at `from`, then each change of offset up to
    /// `to`, in order.
    pub fn rules(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Rule> {
        let at = |t: DateTime<Utc>| {
            jiff::Timestamp::from_second(t.timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        };
        let zone = &self.0.zone;
        let first = zone.to_offset_info(at(from));
        let mut rules = vec![Rule {
            since: None,
            from_seconds: first.offset().seconds(),
            to_seconds: first.offset().seconds(),
            abbreviation: first.abbreviation().to_string(),
            dst: first.dst().is_dst(),
        }];
        let end = at(to);
        let mut before = first.offset().seconds();
        for t in zone.following(at(from)) {
            if t.timestamp() > end {
                break;
            }
            let since = DateTime::from_timestamp(t.timestamp().as_second(), 0);
            rules.push(Rule {
                since,
                from_seconds: before,
                to_seconds: t.offset().seconds(),
                abbreviation: t.abbreviation().to_string(),
                dst: t.dst().is_dst(),
            });
            before = t.offset().seconds();
        }
        rules
    }

    fn fixed(&self, offset: jiff::tz::Offset) -> ZoneOffset {
        ZoneOffset {
            tz: *self,
            fix: FixedOffset::east_opt(offset.seconds())
                .unwrap_or(FixedOffset::east_opt(0).unwrap()),
        }
    }
}

/// Every IANA zone name the database knows, sorted.
pub fn names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<&'static str> = database()
            .available()
            .map(|n| &*Box::leak(n.as_str().to_owned().into_boxed_str()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    })
}

impl PartialEq for Tz {
    fn eq(&self, other: &Tz) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Tz {}

impl std::hash::Hash for Tz {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.name.hash(h)
    }
}

impl fmt::Debug for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

/// Not an IANA zone name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownZone;

impl fmt::Display for UnknownZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an IANA time zone name")
    }
}

impl std::error::Error for UnknownZone {}

impl FromStr for Tz {
    type Err = UnknownZone;
    fn from_str(s: &str) -> Result<Tz, UnknownZone> {
        Tz::named(s).ok_or(UnknownZone)
    }
}

/// A zone's offset from UTC at some instant.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ZoneOffset {
    tz: Tz,
    fix: FixedOffset,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fix
    }
}

impl fmt::Debug for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.fix)
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.fix)
    }
}

/// One stretch of a zone's time ([`Tz::rules`]): from `since` (None: the
/// stretch in force when the period starts) the offset `to_seconds` east of
/// UTC, after `from_seconds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub since: Option<DateTime<Utc>>,
    pub from_seconds: i32,
    pub to_seconds: i32,
    pub abbreviation: String,
    pub dst: bool,
}

/// The years jiff's civil times cover; chrono's reach further.
fn civil(t: &NaiveDateTime) -> jiff::civil::DateTime {
    use chrono::Datelike;
    let year = t.year().clamp(-9999, 9999) as i16;
    jiff::civil::DateTime::new(
        year,
        t.month() as i8,
        t.day() as i8,
        t.hour() as i8,
        t.minute() as i8,
        t.second().min(59) as i8,
        0,
    )
    .unwrap_or(jiff::civil::DateTime::constant(year, 1, 1, 0, 0, 0, 0))
}

impl TimeZone for Tz {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Tz {
        offset.tz
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        use jiff::tz::AmbiguousOffset;
        match self.0.zone.to_ambiguous_timestamp(civil(local)).offset() {
            AmbiguousOffset::Unambiguous { offset } => LocalResult::Single(self.fixed(offset)),
            AmbiguousOffset::Gap { .. } => LocalResult::None,
            AmbiguousOffset::Fold { before, after } => {
                LocalResult::Ambiguous(self.fixed(before), self.fixed(after))
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        let secs = utc.and_utc().timestamp();
        let at = jiff::Timestamp::from_second(secs).unwrap_or(if secs < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        self.fixed(self.0.zone.to_offset(at))
    }
}

/// America/El_Salvador, a zone without DST (for tests and the bench).
#[doc(hidden)]
pub fn el_salvador() -> Tz {
    Tz::named("America/El_Salvador").expect("a bundled zone")
}

/// America/New_York, a zone with DST (for tests and the bench).
#[doc(hidden)]
pub fn new_york() -> Tz {
    Tz::named("America/New_York").expect("a bundled zone")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};

    fn local(tz: Tz, d: (i32, u32, u32), h: u32, m: u32) -> LocalResult<chrono::DateTime<Tz>> {
        tz.from_local_datetime(
            &NaiveDate::from_ymd_opt(d.0, d.1, d.2)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap(),
        )
    }

    #[test]
    fn names_are_exact_and_handles_compare_by_name() {
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(ny.name(), "America/New_York");
        assert_eq!(ny, Tz::named("America/New_York").unwrap());
        assert!("america/new_york".parse::<Tz>().is_err());
        assert!("Mars/Olympus_Mons".parse::<Tz>().is_err());
        assert!("../../etc/passwd".parse::<Tz>().is_err());
        assert_eq!("UTC".parse::<Tz>().unwrap(), UTC);
        assert!(names().contains(&"America/El_Salvador"));
        assert!(names().len() > 400, "{}", names().len());
    }

    #[test]
    fn local_times_become_instants_through_the_zones_rules() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // Spring forward: 02:30 does not exist.
        assert!(matches!(local(ny, (2026, 3, 8), 2, 30), LocalResult::None));
        // Fall back: 01:30 happens twice, EDT first.
        match local(ny, (2026, 11, 1), 1, 30) {
            LocalResult::Ambiguous(a, b) => {
                assert_eq!(
                    a.with_timezone(&Utc).to_rfc3339(),
                    "2026-11-01T05:30:00+00:00"
                );
                assert_eq!(
                    b.with_timezone(&Utc).to_rfc3339(),
                    "2026-11-01T06:30:00+00:00"
                );
            }
            other => panic!("{other:?}"),
        }
        let london: Tz = "Europe/London".parse().unwrap();
        let summer = local(london, (2026, 7, 1), 9, 0).single().unwrap();
        assert_eq!(summer.offset().fix().local_minus_utc(), 3600);
        let sv: Tz = "America/El_Salvador".parse().unwrap();
        let t = local(sv, (2026, 3, 8), 2, 30).single().unwrap();
        assert_eq!(
            t.with_timezone(&Utc).to_rfc3339(),
            "2026-03-08T08:30:00+00:00"
        );
        // And back: an instant shown in the zone.
        let back = Utc
            .with_ymd_and_hms(2026, 11, 1, 6, 30, 0)
            .unwrap()
            .with_timezone(&ny);
        assert_eq!(back.naive_local().to_string(), "2026-11-01 01:30:00");
        assert_eq!(back.offset().fix().local_minus_utc(), -5 * 3600);
    }
}
