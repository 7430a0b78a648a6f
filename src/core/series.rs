//! A series' limits and dates (docs/rules.md#series): how often it may
//! repeat, how many occurrences it may have, the dates it gives, which
//! refusals of an occurrence `--skip-conflicts` may skip, and when a series
//! goes ahead. `app::repeat` reads what was typed; `app::series` books.

use crate::error::Code;
use chrono::{Duration, NaiveDate};

/// The most occurrences one series may have.
pub const MAX_OCCURRENCES: i64 = 104;

/// The longest step between occurrences, in days or weeks.
pub const MAX_EVERY: i64 = 52;

/// How often a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    Weekly,
}

impl Frequency {
    /// `daily` or `weekly`, as `--repeat` takes them.
    pub fn parse(s: &str) -> Option<Frequency> {
        match s {
            "daily" => Some(Frequency::Daily),
            "weekly" => Some(Frequency::Weekly),
            _ => None,
        }
    }

    /// Days between occurrences `every` steps apart.
    pub fn step(self, every: i64) -> i64 {
        let days = match self {
            Frequency::Daily => 1,
            Frequency::Weekly => 7,
        };
        days * every
    }
}

/// Whether `--every` may be `every`.
pub fn every_allowed(every: i64) -> bool {
    (1..=MAX_EVERY).contains(&every)
}

/// Whether a series may have `n` occurrences.
pub fn count_allowed(n: i64) -> bool {
    (1..=MAX_OCCURRENCES).contains(&n)
}

/// How many occurrences `step` days apart run from `first` to `until`
/// (both included); None when `until` is before `first`.
pub fn count_until(first: NaiveDate, until: NaiveDate, step: i64) -> Option<i64> {
    (until >= first).then(|| (until - first).num_days() / step + 1)
}

/// The `n` occurrences' dates, `step` days apart from `first`.
pub fn dates(first: NaiveDate, step: i64, n: i64) -> Vec<NaiveDate> {
    (0..n).map(|i| first + Duration::days(i * step)).collect()
}

/// Whether an occurrence refused with `code` was refused by a booking rule
/// (a time taken, a closed day…), which `--skip-conflicts` may skip; a
/// failure of the request or the database stops the series.
pub fn skippable(code: Code) -> bool {
    !matches!(
        code,
        Code::Database | Code::Internal | Code::Validation | Code::NotFound | Code::AmbiguousId
    )
}

/// Whether a series whose occurrences were `placed` and `refused` goes
/// ahead: something to book, and nothing refused unless `skip_conflicts`.
pub fn goes_ahead(placed: usize, refused: usize, skip_conflicts: bool) -> bool {
    placed > 0 && (refused == 0 || skip_conflicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn steps_counts_and_dates() {
        assert_eq!(Frequency::parse("weekly").map(|f| f.step(2)), Some(14));
        assert_eq!(Frequency::parse("daily").map(|f| f.step(1)), Some(1));
        assert_eq!(Frequency::parse("monthly"), None);
        assert!(every_allowed(52) && !every_allowed(53) && !every_allowed(0));
        assert!(count_allowed(104) && !count_allowed(105) && !count_allowed(0));
        assert_eq!(count_until(d("2026-03-03"), d("2026-03-08"), 2), Some(3));
        assert_eq!(count_until(d("2026-03-03"), d("2026-03-02"), 1), None);
        assert_eq!(
            dates(d("2026-03-03"), 7, 3),
            [d("2026-03-03"), d("2026-03-10"), d("2026-03-17")]
        );
    }

    #[test]
    fn a_series_goes_ahead_whole_or_skipping_only_what_a_rule_refused() {
        assert!(goes_ahead(3, 0, false));
        assert!(!goes_ahead(2, 1, false));
        assert!(goes_ahead(2, 1, true));
        assert!(!goes_ahead(0, 3, true));
        assert!(skippable(Code::SlotFull) && skippable(Code::PastAppointment));
        assert!(!skippable(Code::Database) && !skippable(Code::Validation));
    }
}
