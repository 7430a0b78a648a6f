//! The arithmetic of `appt report` (docs/reports.md): which visits a figure
//! counts, the rates with the counts behind them, the lead-time buckets,
//! median and p90 by nearest rank, and the weekday and hour bins, all in the
//! clinic's local time. The store hands the period's visits in; nothing here
//! reads a database or a clock.

use super::zone::Tz;
use super::Status;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use std::collections::BTreeMap;

/// One appointment of the period, as a report reads it: no patient in it.
#[derive(Debug, Clone)]
pub struct Visit {
    pub doctor_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub buffer_before: i64,
    pub buffer_after: i64,
    pub status: Status,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// The statuses whose time a visit holds: active ones, completed and no-shows.
pub fn holds_time(status: Status) -> bool {
    status != Status::Cancelled
}

/// The weekdays' names as JSON and the tables key them, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The lead-time buckets, in order.
pub const LEADS: [&str; 3] = ["same_day", "within_week", "later"];

/// The period a report sets its figures beside (docs/reports.md#beside-the-previous-period):
/// for whole months (the 1st to a month's last day), as many months just
/// before; for any other period, as many days just before.
pub fn previous(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let end = from.pred_opt().unwrap_or(from);
    let whole_months = from.day() == 1 && to.succ_opt().is_some_and(|d| d.day() == 1);
    if whole_months {
        let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
        if let Some(start) = from.checked_sub_months(chrono::Months::new(months as u32)) {
            return (start, end);
        }
    }
    (from - (to - from) - chrono::Duration::days(1), end)
}

/// How a rate moved from the previous period, in percentage points: None
/// where either period has no rate.
pub fn change_in_points(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    Some((now? - before?) * 100.0)
}

/// A count over a count; `rate` is None when nothing was due.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
}

impl Rate {
    pub fn rate(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }
}

/// The bucket of a lead of `days` local calendar days: the same day (or a
/// visit recorded after it happened), 1–7 days, more.
pub fn lead_bucket(days: i64) -> &'static str {
    match days {
        ..=0 => "same_day",
        1..=7 => "within_week",
        _ => "later",
    }
}

/// The `p`-th percentile (0 < p ≤ 1) of `sorted` by nearest rank: the value
/// at rank ⌈p·n⌉ (1-based). None for no values.
pub fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The local date and hour of an instant at the clinic.
pub fn local(tz: Tz, t: DateTime<Utc>) -> (NaiveDate, u32) {
    let l = t.with_timezone(&tz);
    (l.date_naive(), l.hour())
}

/// The index in [`WEEKDAYS`] of a date.
pub fn weekday(d: NaiveDate) -> usize {
    d.weekday().num_days_from_monday() as usize
}

/// Local calendar days from booking to visit.
pub fn lead_days(tz: Tz, v: &Visit) -> i64 {
    (local(tz, v.starts_at).0 - local(tz, v.created_at).0).num_days()
}

/// Was `v` cancelled within the clinic's cancellation window: at most
/// `window` minutes before it started (or after)?
pub fn late_cancelled(v: &Visit, window: i64) -> bool {
    v.status == Status::Cancelled
        && v.cancelled_at
            .is_some_and(|c| (v.starts_at - c).num_seconds() <= window * 60)
}

/// Minutes a visit holds, its buffers included.
pub fn held_minutes(v: &Visit) -> i64 {
    (v.ends_at - v.starts_at).num_minutes() + v.buffer_before + v.buffer_after
}

/// A rate overall and by doctor, weekday, local hour and lead time.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    pub overall: Rate,
    /// Keyed by doctor ID (empty for clinic-wide visits).
    pub by_doctor: BTreeMap<String, Rate>,
    pub by_weekday: BTreeMap<usize, Rate>,
    pub by_hour: BTreeMap<u32, Rate>,
    pub by_lead: BTreeMap<usize, Rate>,
}

impl Rates {
    fn add(&mut self, tz: Tz, v: &Visit, hit: bool) {
        let (date, hour) = local(tz, v.starts_at);
        let lead = LEADS
            .iter()
            .position(|l| *l == lead_bucket(lead_days(tz, v)))
            .unwrap_or(0);
        let doctor = v.doctor_id.clone().unwrap_or_default();
        for r in [
            &mut self.overall,
            self.by_doctor.entry(doctor).or_default(),
            self.by_weekday.entry(weekday(date)).or_default(),
            self.by_hour.entry(hour).or_default(),
            self.by_lead.entry(lead).or_default(),
        ] {
            r.denominator += 1;
            r.numerator += i64::from(hit);
        }
    }
}

/// Lead time over the non-cancelled visits, in days.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LeadTime {
    pub count: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

/// The figures a period's visits give (utilisation's open minutes come from
/// the calendars: [`Figures::booked`] is its other half).
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub no_show: Rates,
    pub late_cancellation: Rates,
    pub lead_time: LeadTime,
    /// Non-cancelled bookings by (weekday, local hour).
    pub busiest: BTreeMap<(usize, u32), i64>,
    /// Bookings by source, then by status.
    pub sources: BTreeMap<String, BTreeMap<String, i64>>,
    /// Minutes held by (doctor ID, local date of the visit).
    pub booked: BTreeMap<(String, NaiveDate), i64>,
}

/// Everything a report counts of `visits` at a clinic in `tz` whose
/// cancellation window is `cancel_window` minutes.
pub fn figures(tz: Tz, cancel_window: i64, visits: &[Visit]) -> Figures {
    let mut f = Figures::default();
    let mut leads = Vec::new();
    for v in visits {
        *f.sources
            .entry(v.source.clone())
            .or_default()
            .entry(v.status.as_str().to_string())
            .or_default() += 1;
        let late = late_cancelled(v, cancel_window);
        let due = matches!(v.status, Status::Completed | Status::NoShow);
        if due {
            f.no_show.add(tz, v, v.status == Status::NoShow);
        }
        if due || late {
            f.late_cancellation.add(tz, v, late);
        }
        if !holds_time(v.status) {
            continue;
        }
        let (date, hour) = local(tz, v.starts_at);
        leads.push(lead_days(tz, v));
        *f.busiest.entry((weekday(date), hour)).or_default() += 1;
        *f.booked
            .entry((v.doctor_id.clone().unwrap_or_default(), date))
            .or_default() += held_minutes(v);
    }
    leads.sort_unstable();
    f.lead_time = LeadTime {
        count: leads.len(),
        median: nearest_rank(&leads, 0.5),
        p90: nearest_rank(&leads, 0.9),
    };
    f
}

/// Minutes open of a day's windows, given as local minutes `[from, to)`:
/// overlapping windows count once; `edge` turns a local minute of the day
/// into its instant, so a day whose clocks change counts the minutes it has.
pub fn open_minutes(mut spans: Vec<(i64, i64)>, edge: impl Fn(i64) -> DateTime<Utc>) -> i64 {
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (from, to) in spans {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
        .iter()
        .map(|(from, to)| (edge(*to) - edge(*from)).num_minutes().max(0))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn tz() -> Tz {
        crate::core::zone::el_salvador()
    }

    #[test]
    fn the_previous_period_is_the_months_or_the_days_just_before() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let prev = |a: &str, b: &str| {
            let (x, y) = previous(d(a), d(b));
            (x.to_string(), y.to_string())
        };
        let p = |a: &str, b: &str| (a.to_string(), b.to_string());
        // A month: the month before, however long.
        assert_eq!(
            prev("2026-03-01", "2026-03-31"),
            p("2026-02-01", "2026-02-28")
        );
        assert_eq!(
            prev("2026-01-01", "2026-01-31"),
            p("2025-12-01", "2025-12-31")
        );
        // Two months: the two before.
        assert_eq!(
            prev("2026-11-01", "2026-12-31"),
            p("2026-09-01", "2026-10-31")
        );
        // Days: as many just before.
        assert_eq!(
            prev("2026-06-15", "2026-06-26"),
            p("2026-06-03", "2026-06-14")
        );
        assert_eq!(
            prev("2026-03-01", "2026-03-30"),
            p("2026-01-30", "2026-02-28")
        );
        assert_eq!(
            prev("2026-06-15", "2026-06-15"),
            p("2026-06-14", "2026-06-14")
        );
        assert_eq!(
            change_in_points(Some(0.25), Some(0.2)).map(|x| (x * 10.0).round()),
            Some(50.0)
        );
        assert_eq!(change_in_points(None, Some(0.2)), None);
    }

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        // El Salvador is UTC−6 all year.
        Utc.with_ymd_and_hms(2026, 3, d, h + 6, 0, 0).unwrap()
    }

    fn visit(day: u32, hour: u32, booked_day: u32, status: &str) -> Visit {
        Visit {
            doctor_id: Some("d1".into()),
            starts_at: at(day, hour),
            ends_at: at(day, hour) + chrono::Duration::minutes(30),
            buffer_before: 5,
            buffer_after: 10,
            status: Status::parse(status).unwrap(),
            source: "manual".into(),
            created_at: at(booked_day, 8),
            cancelled_at: None,
        }
    }

    #[test]
    fn nearest_rank_takes_the_ceiling_rank() {
        assert_eq!(nearest_rank(&[], 0.5), None);
        assert_eq!(nearest_rank(&[4], 0.9), Some(4));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 0.5), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4, 5], 0.5), Some(3));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 0.9), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 0.9), Some(10));
    }

    #[test]
    fn lead_buckets_split_at_the_day_and_the_week() {
        assert_eq!(lead_bucket(-1), "same_day");
        assert_eq!(lead_bucket(0), "same_day");
        assert_eq!(lead_bucket(1), "within_week");
        assert_eq!(lead_bucket(7), "within_week");
        assert_eq!(lead_bucket(8), "later");
    }

    #[test]
    fn rates_are_none_without_a_denominator() {
        assert_eq!(Rate::default().rate(), None);
        let r = Rate {
            numerator: 1,
            denominator: 4,
        };
        assert_eq!(r.rate(), Some(0.25));
    }

    #[test]
    fn a_late_cancellation_is_within_the_window_before_the_start() {
        let mut v = visit(10, 9, 1, "cancelled");
        v.cancelled_at = Some(v.starts_at - chrono::Duration::minutes(120));
        assert!(late_cancelled(&v, 120));
        assert!(!late_cancelled(&v, 119));
        v.status = Status::Completed;
        assert!(!late_cancelled(&v, 120));
    }

    #[test]
    fn figures_count_each_visit_where_it_belongs() {
        let mut late = visit(11, 14, 11, "cancelled");
        late.cancelled_at = Some(late.starts_at - chrono::Duration::minutes(30));
        let mut early = visit(11, 15, 1, "cancelled");
        early.cancelled_at = Some(early.starts_at - chrono::Duration::days(3));
        let all = [
            visit(9, 9, 9, "completed"),   // Monday, same day
            visit(10, 9, 5, "no_show"),    // Tuesday, within a week
            visit(10, 10, 1, "scheduled"), // later
            late,
            early,
        ];
        let f = figures(tz(), 60, &all);
        assert_eq!(
            f.no_show.overall,
            Rate {
                numerator: 1,
                denominator: 2
            }
        );
        assert_eq!(
            f.late_cancellation.overall,
            Rate {
                numerator: 1,
                denominator: 3
            }
        );
        assert_eq!(f.no_show.by_weekday[&1].numerator, 1);
        assert_eq!(f.late_cancellation.by_lead[&0].denominator, 2);
        assert_eq!(f.lead_time.count, 3);
        assert_eq!(f.lead_time.median, Some(5));
        assert_eq!(f.lead_time.p90, Some(9));
        assert_eq!(f.busiest[&(1, 9)], 1);
        assert_eq!(f.sources["manual"]["cancelled"], 2);
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        assert_eq!(f.booked[&("d1".to_string(), day)], 90);
    }

    #[test]
    fn overlapping_windows_open_once() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let edge = |m| crate::core::time::window_edge(tz(), day, m);
        assert_eq!(
            open_minutes(vec![(540, 720), (600, 780), (840, 900)], edge),
            300
        );
        assert_eq!(open_minutes(vec![], edge), 0);
    }
}
