//! A series' repeat (docs/rules.md#series): `--repeat daily|weekly
//! [--every N] (--count N | --until DATE)` as typed, its rule 1, and the
//! dates it gives. A leaf below [`super::book`], [`super::book_one`] and
//! [`super::series`].
use super::values::Problems;
use crate::core::series::{self, Frequency, MAX_EVERY, MAX_OCCURRENCES};
use crate::core::{time, DateOrder};
use crate::error::{Error, Result};
use chrono::NaiveDate;

/// `--repeat daily|weekly [--every N] (--count N | --until DATE)` as typed,
/// with `--skip-conflicts`.
#[derive(Debug, Clone, Default)]
pub struct RepeatInput {
    pub frequency: Option<String>,
    pub every: Option<i64>,
    pub count: Option<i64>,
    pub until: Option<String>,
    pub skip_conflicts: bool,
}

impl RepeatInput {
    /// The repeat a request's fields ask for, None when they name none
    /// (so that `count` without `repeat` is refused, not ignored).
    pub fn given(
        frequency: Option<String>,
        every: Option<i64>,
        count: Option<i64>,
        until: Option<String>,
        skip_conflicts: bool,
    ) -> Option<RepeatInput> {
        let any = frequency.is_some()
            || every.is_some()
            || count.is_some()
            || until.is_some()
            || skip_conflicts;
        any.then_some(RepeatInput {
            frequency,
            every,
            count,
            until,
            skip_conflicts,
        })
    }
}

/// A repeat after rule 1.
#[derive(Debug, Clone)]
pub struct Repeat {
    /// Days between occurrences: 1 or 7, times `--every`.
    pub(super) step: i64,
    pub(super) end: End,
    pub(super) skip_conflicts: bool,
}

#[derive(Debug, Clone)]
pub(super) enum End {
    Count(i64),
    /// As typed: a relative date is the clinic's, known inside the write.
    Until(String),
}

/// Rule 1 for a repeat: every bad field named with the request's others.
pub fn check(
    r: &RepeatInput,
    walk_in: bool,
    today: NaiveDate,
    bad: &mut Problems,
) -> Option<Repeat> {
    let frequency = match r.frequency.as_deref() {
        Some(f) => {
            let frequency = Frequency::parse(f);
            if frequency.is_none() {
                bad.add("repeat", crate::text::msg!("e-repeat_daily_or_weekly"));
            }
            frequency
        }
        None => {
            bad.add("repeat", crate::text::msg!("e-repeat_fields_need_repeat"));
            None
        }
    };
    if walk_in {
        bad.add("repeat", crate::text::msg!("e-walk_in_cannot_repeat"));
    }
    let every = r.every.unwrap_or(1);
    if !series::every_allowed(every) {
        bad.add(
            "every",
            crate::text::msg!("e-every_must_be_between", a = MAX_EVERY),
        );
    }
    let end = match (r.count, &r.until) {
        (Some(_), Some(_)) => {
            bad.add("count", crate::text::msg!("e-count_or_until_not_both"));
            None
        }
        (None, None) => {
            bad.add("count", crate::text::msg!("e-series_needs_count_or_until"));
            None
        }
        (Some(n), None) if !series::count_allowed(n) => {
            bad.add(
                "count",
                crate::text::msg!("e-count_must_be_between", a = MAX_OCCURRENCES),
            );
            None
        }
        (Some(n), None) => Some(End::Count(n)),
        (None, Some(u)) => bad
            .take("until", super::schedule::read_date(u, today, None))
            .map(|_| End::Until(u.clone())),
    };
    Some(Repeat {
        step: frequency?.step(every),
        end: end?,
        skip_conflicts: r.skip_conflicts,
    })
}

impl Repeat {
    /// The occurrences' local dates from `first`: `--count` of them, or up to
    /// `--until` (read in the clinic's `today`); more than the most is refused.
    pub(super) fn dates(
        &self,
        first: NaiveDate,
        today: NaiveDate,
        order: DateOrder,
    ) -> Result<Vec<NaiveDate>> {
        let n = match &self.end {
            End::Count(n) => *n,
            End::Until(u) => {
                let until =
                    time::parse_date(u, today, order).map_err(|e| Error::field("until", e))?;
                series::count_until(first, until, self.step).ok_or_else(|| {
                    Error::field(
                        "until",
                        crate::text::msg!("e-until_before_first", until = until, first = first),
                    )
                })?
            }
        };
        if !series::count_allowed(n) {
            return Err(Error::field(
                "until",
                crate::text::msg!("e-series_too_long", a = MAX_OCCURRENCES, n = n),
            ));
        }
        Ok(series::dates(first, self.step, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    fn repeat(
        frequency: &str,
        every: Option<i64>,
        count: Option<i64>,
        until: Option<&str>,
    ) -> Result<Repeat> {
        let mut bad = Problems::default();
        let input = RepeatInput {
            frequency: Some(frequency.into()),
            every,
            count,
            until: until.map(String::from),
            skip_conflicts: false,
        };
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let r = check(&input, false, today, &mut bad);
        bad.finish()?;
        Ok(r.unwrap())
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_step_by_days_or_weeks_and_stop_at_count_or_until() {
        let today = d("2026-03-01");
        let weekly = repeat("weekly", None, Some(3), None).unwrap();
        assert_eq!(
            weekly
                .dates(d("2026-03-03"), today, DateOrder::Dmy)
                .unwrap(),
            [d("2026-03-03"), d("2026-03-10"), d("2026-03-17")]
        );
        let every2 = repeat("daily", Some(2), None, Some("2026-03-08")).unwrap();
        assert_eq!(
            every2
                .dates(d("2026-03-03"), today, DateOrder::Dmy)
                .unwrap(),
            [d("2026-03-03"), d("2026-03-05"), d("2026-03-07")]
        );
        let long = repeat("daily", None, None, Some("2027-03-01")).unwrap();
        let e = long
            .dates(d("2026-03-03"), today, DateOrder::Dmy)
            .unwrap_err();
        assert_eq!(e.code, Code::Validation);
        assert!(e.message.contains("at most 104"), "{}", e.message);
        let before = repeat("daily", None, None, Some("2026-03-02")).unwrap();
        assert_eq!(
            before
                .dates(d("2026-03-03"), today, DateOrder::Dmy)
                .unwrap_err()
                .code,
            Code::Validation
        );
        // 104 weekly is two years: allowed; 105 is not.
        assert_eq!(
            repeat("weekly", None, Some(104), None)
                .unwrap()
                .dates(d("2026-03-03"), today, DateOrder::Dmy)
                .unwrap()
                .len(),
            104
        );
        assert!(repeat("weekly", None, Some(105), None).is_err());
    }

    #[test]
    fn a_repeat_needs_one_end_a_known_frequency_and_a_sane_step() {
        assert!(repeat("monthly", None, Some(3), None).is_err());
        assert!(repeat("weekly", None, None, None).is_err());
        assert!(repeat("weekly", None, Some(3), Some("2026-04-01")).is_err());
        assert!(repeat("weekly", Some(0), Some(3), None).is_err());
        assert!(repeat("weekly", Some(53), Some(3), None).is_err());
        assert!(repeat("weekly", None, Some(0), None).is_err());
        assert!(repeat("weekly", None, None, Some("someday")).is_err());
    }
}
