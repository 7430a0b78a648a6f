//! Windows on a date, their slot grid and capacity. Slots are laid out in
//! elapsed time from the window's start instant, so a DST change inside a window
//! neither loses nor doubles an hour.

use super::model::{Recurrence, Window};
use super::offer::Offered;
use super::time;
use crate::core::zone::Tz;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::borrow::Cow;

/// What is asked for, besides the start.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// Minutes; None takes the window's slot length.
    pub duration: Option<i64>,
    pub service_id: Option<&'a str>,
    pub session: Option<&'a str>,
    /// Minutes kept free before and after the appointment
    /// (docs/rules.md#buffers): the service's for a new booking, the
    /// appointment's own for a move.
    pub buffer_before: i64,
    pub buffer_after: i64,
    /// The resource asked for (`book --resource`, its ID): its group gives
    /// it or nothing (docs/rules.md#rooms-and-equipment).
    pub resource: Option<&'a str>,
    /// The desk's `--force`: a busy time in the doctor's own calendar does
    /// not refuse the time (docs/calendars.md).
    pub outside_ok: bool,
}

impl Request<'_> {
    /// The time an appointment of this request from `start` to `end` holds:
    /// its own, with its buffers (docs/rules.md#buffers).
    pub fn held(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        held(start, end, self.buffer_before, self.buffer_after)
    }
}

/// `[start - before, end + after)`: the time an appointment holds with its
/// buffers (minutes), docs/rules.md#buffers.
pub fn held(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    before: i64,
    after: i64,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start - Duration::minutes(before.max(0)),
        end + Duration::minutes(after.max(0)),
    )
}

/// An active appointment that holds capacity.
#[derive(Debug, Clone)]
pub struct Busy {
    pub id: String,
    /// The appointment's own start and end.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The time it holds: its own with the buffers it was booked with
    /// (docs/rules.md#buffers). What capacity counts.
    pub held_from: DateTime<Utc>,
    pub held_to: DateTime<Utc>,
    /// Booked in a one-at-a-time window: its time is never shared, not even
    /// with the buffer of a booking in a window that takes several.
    pub solo: bool,
}

impl Busy {
    /// An appointment from `start` to `end` with its buffers (minutes).
    pub fn new(
        id: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        before: i64,
        after: i64,
    ) -> Busy {
        let (held_from, held_to) = held(start, end, before, after);
        Busy {
            id,
            start,
            end,
            held_from,
            held_to,
            solo: false,
        }
    }

    /// Does the time it holds meet `[from, to)`?
    pub fn holds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.held_from < to && from < self.held_to
    }
}

/// One resource of a group as a day sees it: the visits that hold it.
#[derive(Debug, Clone)]
pub struct Held {
    pub id: String,
    pub name: String,
    pub kind: super::resource_kind::ResourceKind,
    pub capacity: i64,
    /// Its active visits over the day, each with the time it holds
    /// (buffers included).
    pub busy: Vec<Busy>,
    /// Its own hours that day, when it has any (then it is free only
    /// within one); none at all on a day it is closed. None: it keeps its
    /// clinic's hours.
    pub open: Option<Vec<(DateTime<Utc>, DateTime<Utc>)>>,
    /// The booking page's holds on it, live or not, each with the time its
    /// visit would hold: [`super::resources::at`] takes those live at a
    /// time as visits (docs/rules.md#holds).
    pub holds: Vec<Hold>,
}

impl Held {
    /// What a visit given it shows.
    pub fn given(&self) -> super::resource_kind::Given {
        super::resource_kind::Given {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
        }
    }

    /// Has it a place left for the whole of `[from, to)`?
    pub fn free(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.free_beside(&[], from, to)
    }

    /// [`Held::free`] with the times `more` taken besides its visits.
    pub fn free_beside(&self, more: &[Busy], from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        let open = self
            .open
            .as_ref()
            .is_none_or(|spans| spans.iter().any(|(a, b)| *a <= from && to <= *b));
        open && peak(self.busy.iter().chain(more), from, to) < self.capacity
    }
}

/// A group of resources any one of which will do, in the order listed.
pub type Group = Vec<Held>;

/// A time held for a patient typing the code the booking page sent them
/// (docs/rules.md#holds): it takes one place of its doctor's time, as an
/// appointment would, until `until`.
#[derive(Debug, Clone)]
pub struct Hold {
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// The windows of one owner (a doctor, or a clinic's clinic-wide windows) that
/// apply on `date`: its date windows when it has any that day, else its weekly
/// windows for that weekday within their validity. Sorted by start.
pub fn windows_on<'w, I>(windows: I, date: NaiveDate) -> Vec<&'w Window>
where
    I: IntoIterator<Item = &'w Window>,
    I::IntoIter: Clone,
{
    let windows = windows.into_iter();
    let dated: Vec<&Window> = windows
        .clone()
        .filter(|w| w.recurrence == Recurrence::Date(date))
        .collect();
    let mut out = if !dated.is_empty() {
        dated
    } else {
        windows
            .filter(|w| matches!(w.recurrence, Recurrence::Weekly(_)) && applies(w, date))
            .collect()
    };
    out.sort_by_key(|w| w.from);
    out
}

/// Does the window, on its own, apply on `date` (its date, or its weekday within validity)?
pub fn applies(w: &Window, date: NaiveDate) -> bool {
    match w.recurrence {
        Recurrence::Date(d) => d == date,
        Recurrence::Weekly(mask) => {
            mask & time::weekday_bit(date) != 0
                && w.valid_from.is_none_or(|f| f <= date)
                && w.valid_to.is_none_or(|t| date <= t)
        }
    }
}

/// A window laid out on one date.
#[derive(Debug, Clone)]
pub struct Span<'a> {
    pub window: &'a Window,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The services possible in it: the window's, narrowed by its doctor's
    /// ([`Day::done_by`], docs/rules.md#who-does-what).
    pub offered: Offered,
}

impl<'a> Span<'a> {
    pub fn new(window: &'a Window, tz: Tz, date: NaiveDate) -> Self {
        Span {
            window,
            start: time::window_edge(tz, date, window.from),
            end: time::window_edge(tz, date, window.to),
            offered: super::offer::offered(&[], &window.services),
        }
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    pub fn on_grid(&self, t: DateTime<Utc>) -> bool {
        (t - self.start).num_seconds() % (self.window.slot_minutes.max(1) * 60) == 0
    }

    /// Every grid start from the window's start, in elapsed time.
    pub fn grid(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let step = Duration::minutes(self.window.slot_minutes.max(1));
        std::iter::successors(Some(self.start), move |t| Some(*t + step))
            .take_while(|t| *t < self.end)
    }

    pub fn label(&self) -> String {
        format!(
            "{}-{}",
            time::format_hhmm(self.window.from),
            time::format_hhmm(self.window.to)
        )
    }
}

/// The most times held by `busy` (buffers included) overlapping at any
/// instant of `[start, end)`.
pub fn peak<'b>(
    busy: impl Iterator<Item = &'b Busy>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> i64 {
    most_at_once(busy.map(|b| (b.held_from, b.held_to)), start, end)
}

/// The most of `times` overlapping at any instant of `[start, end)`.
fn most_at_once<T: Ord + Copy>(times: impl Iterator<Item = (T, T)>, start: T, end: T) -> i64 {
    // A day's grid asks this several times a slot, and for each room a
    // group has (`next` across fifty doctors' days): the few times a slot
    // meets are kept on the stack, a list made only past them.
    const ON_STACK: usize = 16;
    let mut stack = [(start, 0i64); ON_STACK];
    let mut n = 0;
    let mut heap: Vec<(T, i64)> = Vec::new();
    for (from, to) in times {
        let (s, e) = (from.max(start), to.min(end));
        if s < e {
            if heap.is_empty() && n + 2 <= ON_STACK {
                stack[n] = (s, 1);
                stack[n + 1] = (e, -1);
                n += 2;
            } else {
                if heap.is_empty() {
                    heap.extend_from_slice(&stack[..n]);
                }
                heap.extend([(s, 1), (e, -1)]);
            }
        }
    }
    let edges: &mut [(T, i64)] = match heap.is_empty() {
        true => &mut stack[..n],
        false => &mut heap,
    };
    if edges.len() <= 2 {
        return edges.len() as i64 / 2;
    }
    // At one instant, an ending frees its place before a start takes one.
    edges.sort_unstable();
    let (mut now, mut most) = (0, 0);
    for (_, d) in edges.iter() {
        now += d;
        most = most.max(now);
    }
    most
}

/// Times held, in the order they begin, so that a question about
/// `[from, to)` reads only the few that can meet it, not the whole day: a
/// day's grid asks one for each slot, and the booking page's "whoever is
/// first free" judges every doctor's day at each request. Its peak is
/// [`peak`]'s over the same times. Kept in microseconds from the epoch
/// (appt's instants are whole seconds), which compare as one number.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    times: Vec<Micros>,
    /// The longest time held: a time that begins this long before `from`
    /// or earlier has ended by `from`.
    longest: i64,
}

/// A [`Busy`] on a [`Timeline`].
#[derive(Debug, Clone, Copy)]
struct Micros {
    held_from: i64,
    held_to: i64,
    start: i64,
    end: i64,
    solo: bool,
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

impl Timeline {
    pub fn of<'b>(busy: impl Iterator<Item = &'b Busy>) -> Timeline {
        let mut line = Timeline {
            times: busy.map(Micros::from).collect(),
            longest: 0,
        };
        line.times.sort_by_key(|t| t.held_from);
        line.longest = line
            .times
            .iter()
            .map(|t| t.held_to - t.held_from)
            .max()
            .unwrap_or(0);
        line
    }

    /// Takes `t` too, in its place.
    pub fn add(&mut self, b: &Busy) {
        let t = Micros::from(b);
        self.longest = self.longest.max(t.held_to - t.held_from);
        let at = self.times.partition_point(|x| x.held_from <= t.held_from);
        self.times.insert(at, t);
    }

    /// The times held that meet `[from, to)`.
    fn meeting(&self, from: i64, to: i64) -> impl Iterator<Item = &Micros> + '_ {
        let reach = from.saturating_sub(self.longest);
        let first = self.times.partition_point(|x| x.held_from <= reach);
        let past = self.times.partition_point(|x| x.held_from < to);
        self.times[first..past.max(first)]
            .iter()
            .filter(move |x| x.held_from < to && from < x.held_to)
    }

    /// [`peak`]: the most times held at once in `[from, to)`.
    pub fn peak(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let (from, to) = (micros(from), micros(to));
        most_at_once(
            self.meeting(from, to).map(|x| (x.held_from, x.held_to)),
            from,
            to,
        )
    }

    /// The most of the visits' own times (buffers left out) at once in
    /// `[start, end)` (an own time lies inside its held time, so it meets
    /// only where that does).
    pub fn peak_unbuffered(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
        let (start, end) = (micros(start), micros(end));
        most_at_once(
            self.meeting(start, end).map(|x| (x.start, x.end)),
            start,
            end,
        )
    }

    /// Does a one-at-a-time time meet `[from, to)`?
    pub fn solo_meeting(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.meeting(micros(from), micros(to)).any(|x| x.solo)
    }
}

impl From<&Busy> for Micros {
    fn from(t: &Busy) -> Micros {
        Micros {
            held_from: micros(t.held_from),
            held_to: micros(t.held_to),
            start: micros(t.start),
            end: micros(t.end),
            solo: t.solo,
        }
    }
}

/// Whose daily limit a day meets (docs/rules.md#daily-limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    /// The doctor's: every active appointment of the doctor that day.
    Doctor,
    /// The service's: the doctor's (or the clinic's clinic-wide) active
    /// appointments of that service that day.
    Service,
}

impl LimitScope {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitScope::Doctor => "doctor",
            LimitScope::Service => "service",
        }
    }
}

/// A daily limit that applies to a day, and how many active appointments
/// already count against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyLimit {
    pub limit: i64,
    pub scope: LimitScope,
    pub taken: i64,
}

/// One day of one owner: everything the slot and booking rules look at.
pub struct Day<'a> {
    pub tz: Tz,
    pub date: NaiveDate,
    pub now: DateTime<Utc>,
    pub settings: &'a super::Settings,
    pub spans: Vec<Span<'a>>,
    /// Some(reason) when a closure covers the date.
    pub closure: Option<Option<String>>,
    /// Active appointments that compete for capacity: the doctor's (at any
    /// clinic), or the clinic's clinic-wide ones of the service, whichever
    /// window row they were booked in (docs/rules.md#windows-and-slots).
    /// Borrowed from the day as read, which a day's grid judges unchanged.
    pub busy: Cow<'a, [Busy]>,
    /// The daily limits that apply, the doctor's first (docs/rules.md#daily-limits).
    pub limits: Vec<DailyLimit>,
    /// The holds live at `now` (each also in `busy`, by its ID).
    pub held: Vec<Hold>,
    /// The groups of rooms and equipment the service asked for needs at
    /// this clinic, each resource with its visits that day
    /// (docs/rules.md#rooms-and-equipment); empty when it needs none.
    pub needs: Cow<'a, [Group]>,
    /// The doctor's busy times in their own calendars that meet the day
    /// (docs/calendars.md), sorted by start.
    pub outside: &'a [super::outside::Away],
}

/// A grid slot and what the booking rules say of it.
#[derive(Debug, Clone)]
pub struct Slot<'a> {
    pub span: &'a Span<'a>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub remaining: i64,
    /// None when the slot can be booked, else the rule's error code.
    pub refusal: Option<crate::error::Code>,
    /// Taken only by buffers (docs/rules.md#buffers): refused for capacity,
    /// and it would have room if no buffer counted.
    pub buffer: bool,
    /// Offered: bookable, and bookable beside every slot offered before it
    /// (docs/rules.md#windows-and-slots). A slot longer than the grid's step
    /// (a 40-minute service on a 30-minute grid) overlaps the next grid
    /// start; only the slots that can all be booked together are offered.
    pub offered: bool,
}

impl<'a> Day<'a> {
    pub fn new(
        tz: Tz,
        date: NaiveDate,
        now: DateTime<Utc>,
        settings: &'a super::Settings,
        windows: &[&'a Window],
    ) -> Self {
        Day {
            tz,
            date,
            now,
            settings,
            spans: windows.iter().map(|w| Span::new(w, tz, date)).collect(),
            closure: None,
            busy: Cow::Borrowed(&[]),
            limits: Vec::new(),
            held: Vec::new(),
            needs: Cow::Borrowed(&[]),
            outside: &[],
        }
    }

    /// The day of a doctor who does only `services` (IDs; empty: every
    /// service): each window offers what both allow
    /// (docs/rules.md#who-does-what).
    pub fn done_by(mut self, services: &[String]) -> Self {
        for span in &mut self.spans {
            span.offered = super::offer::offered(services, &span.window.services);
        }
        self
    }
}

/// Do two windows of one owner clash (docs/rules.md#windows-and-slots)? Weekly windows clash when
/// their times overlap on a common weekday within common validity dates; date
/// windows when they share a date; a date window never clashes with a weekly one.
pub fn clash(a: &Window, b: &Window) -> bool {
    if a.from >= b.to || b.from >= a.to {
        return false;
    }
    match (&a.recurrence, &b.recurrence) {
        (Recurrence::Date(x), Recurrence::Date(y)) => x == y,
        (Recurrence::Weekly(x), Recurrence::Weekly(y)) => {
            let common = x & y;
            if common == 0 {
                return false;
            }
            let lo = match (a.valid_from, b.valid_from) {
                (Some(p), Some(q)) => Some(p.max(q)),
                (p, q) => p.or(q),
            };
            let hi = match (a.valid_to, b.valid_to) {
                (Some(p), Some(q)) => Some(p.min(q)),
                (p, q) => p.or(q),
            };
            match (lo, hi) {
                (Some(lo), Some(hi)) => lo
                    .iter_days()
                    .take_while(|d| *d <= hi)
                    .take(7)
                    .any(|d| common & time::weekday_bit(d) != 0),
                _ => true,
            }
        }
        _ => false,
    }
}

/// Do a doctor's windows at clinics in two different zones ever meet in real
/// time? Checked on each date `a` applies from `from` on, for a year and a week
/// (every DST change of both zones), against `b` on the day before, of and after.
pub fn clash_in_time(a: &Window, tz_a: Tz, b: &Window, tz_b: Tz, from: NaiveDate) -> bool {
    let first = match a.recurrence {
        Recurrence::Date(d) => d,
        Recurrence::Weekly(_) => a.valid_from.map_or(from, |f| f.max(from)),
    };
    let days = if matches!(a.recurrence, Recurrence::Date(_)) {
        1
    } else {
        371
    };
    first
        .iter_days()
        .take(days)
        .filter(|d| applies(a, *d))
        .any(|d| {
            let sa = Span::new(a, tz_a, d);
            [d.pred_opt(), Some(d), d.succ_opt()]
                .into_iter()
                .flatten()
                .filter(|e| applies(b, *e))
                .any(|e| {
                    let sb = Span::new(b, tz_b, e);
                    sa.start < sb.end && sb.start < sa.end
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::zone::{el_salvador, new_york};
    use crate::core::Window;

    pub fn window(from: &str, to: &str, slot: i64, cap: i64, rec: Recurrence) -> Window {
        Window {
            id: format!("w-{from}"),
            clinic_id: "c".into(),
            doctor_id: Some("d".into()),
            recurrence: rec,
            from: time::parse_hhmm(from, false).unwrap(),
            to: time::parse_hhmm(to, true).unwrap(),
            slot_minutes: slot,
            capacity: cap,
            session: None,
            batch: None,
            services: vec![],
            valid_from: None,
            valid_to: None,
            open: true,
            created_at: Utc::now(),
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn busy(id: &str, s: &str, e: &str) -> Busy {
        Busy::new(id.into(), utc(s), utc(e), 0, 0)
    }

    #[test]
    fn clashes() {
        let a = window("09:00", "13:00", 30, 1, Recurrence::Weekly(0b0011111));
        let b = window("12:00", "14:00", 30, 1, Recurrence::Weekly(0b0000001));
        let c = window("13:00", "17:00", 30, 1, Recurrence::Weekly(0b0011111));
        let sat = window("09:00", "13:00", 30, 1, Recurrence::Weekly(0b0100000));
        let on = window("09:00", "13:00", 30, 1, Recurrence::Date(d("2026-06-15")));
        let on2 = window("12:30", "13:30", 30, 1, Recurrence::Date(d("2026-06-15")));
        assert!(clash(&a, &b));
        assert!(!clash(&a, &c), "back to back is fine");
        assert!(!clash(&a, &sat));
        assert!(!clash(&a, &on), "a date window replaces weekly ones");
        assert!(clash(&on, &on2));
        let mut later = b.clone();
        later.valid_from = Some(d("2026-07-01"));
        let mut earlier = a.clone();
        earlier.valid_to = Some(d("2026-06-30"));
        assert!(!clash(&earlier, &later), "disjoint validity");
        // Validity overlapping only on 2026-06-20 (a Saturday): no common weekday there.
        let mut x = a.clone();
        x.valid_from = Some(d("2026-06-20"));
        let mut y = b.clone();
        y.valid_to = Some(d("2026-06-20"));
        assert!(!clash(&x, &y));
    }

    #[test]
    fn windows_in_two_zones_clash_in_real_time() {
        // 09:00-13:00 in El Salvador is 15:00-19:00Z; 14:00-16:00 in New York is 18:00-20:00Z (EDT 19-21Z in summer... both overlap).
        let es = window("09:00", "13:00", 30, 1, Recurrence::Weekly(0b0000001));
        let ny = window("14:00", "16:00", 30, 1, Recurrence::Weekly(0b0000001));
        assert!(clash_in_time(
            &ny,
            new_york(),
            &es,
            el_salvador(),
            d("2026-06-15")
        ));
        assert!(clash_in_time(
            &es,
            el_salvador(),
            &ny,
            new_york(),
            d("2026-06-15")
        ));
        // The same local hours in the two zones never meet: 09-13 ES is 15-19Z, 09-10 NY is 13-14Z or 14-15Z.
        let ny_morning = window("09:00", "10:00", 30, 1, Recurrence::Weekly(0b0000001));
        assert!(!clash_in_time(
            &ny_morning,
            new_york(),
            &es,
            el_salvador(),
            d("2026-06-15")
        ));
        // 10:00-11:00 NY is 14:00-15:00Z in summer (no clash) but 15:00-16:00Z in winter: a clash.
        let ny_ten = window("10:00", "11:00", 30, 1, Recurrence::Weekly(0b0000001));
        assert!(clash_in_time(
            &ny_ten,
            new_york(),
            &es,
            el_salvador(),
            d("2026-06-15")
        ));
        let mut summer_only = ny_ten.clone();
        summer_only.valid_to = Some(d("2026-09-30"));
        assert!(!clash_in_time(
            &summer_only,
            new_york(),
            &es,
            el_salvador(),
            d("2026-06-15")
        ));
    }

    #[test]
    fn date_windows_replace_weekly_ones() {
        let weekly = window("09:00", "17:00", 30, 1, Recurrence::Weekly(0b0011111));
        let dated = window("10:00", "12:00", 30, 1, Recurrence::Date(d("2026-06-15")));
        let all = vec![weekly, dated];
        let on = windows_on(&all, d("2026-06-15")); // a Monday
        assert_eq!(on.len(), 1);
        assert_eq!(on[0].from, 600);
        assert_eq!(windows_on(&all, d("2026-06-16")).len(), 1);
        assert_eq!(windows_on(&all, d("2026-06-16"))[0].from, 540);
        assert!(windows_on(&all, d("2026-06-20")).is_empty()); // Saturday
    }

    #[test]
    fn validity_dates_are_inclusive() {
        let mut w = window("09:00", "17:00", 30, 1, Recurrence::Weekly(0b1111111));
        w.valid_from = Some(d("2026-06-10"));
        w.valid_to = Some(d("2026-06-12"));
        let all = vec![w];
        assert!(windows_on(&all, d("2026-06-09")).is_empty());
        assert_eq!(windows_on(&all, d("2026-06-10")).len(), 1);
        assert_eq!(windows_on(&all, d("2026-06-12")).len(), 1);
        assert!(windows_on(&all, d("2026-06-13")).is_empty());
    }

    #[test]
    fn peak_counts_the_whole_length_and_back_to_back_is_free() {
        let b = [
            busy("a", "2026-06-15T15:00:00Z", "2026-06-15T15:30:00Z"),
            busy("b", "2026-06-15T15:30:00Z", "2026-06-15T16:00:00Z"),
            busy("c", "2026-06-15T15:45:00Z", "2026-06-15T16:15:00Z"),
        ];
        let p = |s, e| peak(b.iter(), utc(s), utc(e));
        assert_eq!(p("2026-06-15T14:30:00Z", "2026-06-15T15:00:00Z"), 0);
        assert_eq!(p("2026-06-15T15:00:00Z", "2026-06-15T15:30:00Z"), 1);
        // Two that meet it one after the other: never more than one at once.
        assert_eq!(p("2026-06-15T15:00:00Z", "2026-06-15T15:45:00Z"), 1);
        assert_eq!(p("2026-06-15T15:00:00Z", "2026-06-15T16:30:00Z"), 2);
    }

    #[test]
    fn peak_counts_the_time_held_with_buffers() {
        // 15:00-15:30 with 15 minutes before and 10 after holds 14:45-15:40.
        let b = [Busy::new(
            "a".into(),
            utc("2026-06-15T15:00:00Z"),
            utc("2026-06-15T15:30:00Z"),
            15,
            10,
        )];
        let p = |s, e| peak(b.iter(), utc(s), utc(e));
        assert_eq!(p("2026-06-15T14:30:00Z", "2026-06-15T14:45:00Z"), 0);
        assert_eq!(p("2026-06-15T14:30:00Z", "2026-06-15T14:46:00Z"), 1);
        assert_eq!(p("2026-06-15T15:39:00Z", "2026-06-15T16:00:00Z"), 1);
        assert_eq!(p("2026-06-15T15:40:00Z", "2026-06-15T16:00:00Z"), 0);
        assert!(b[0].holds(utc("2026-06-15T15:35:00Z"), utc("2026-06-15T15:36:00Z")));
        assert_eq!(b[0].start, utc("2026-06-15T15:00:00Z"));
    }

    #[test]
    fn spring_forward_window_keeps_elapsed_time() {
        // 00:00-06:00 on 2026-03-08 in New York lasts five hours: no 02:xx slots.
        let w = window("00:00", "06:00", 60, 1, Recurrence::Weekly(0b1111111));
        let span = Span::new(&w, new_york(), d("2026-03-08"));
        let starts: Vec<String> = span
            .grid()
            .map(|t| time::to_local(new_york(), t).1)
            .collect();
        assert_eq!(starts, ["00:00", "01:00", "03:00", "04:00", "05:00"]);
    }

    #[test]
    fn fall_back_window_has_the_repeated_hour_twice() {
        let w = window("00:00", "04:00", 60, 1, Recurrence::Weekly(0b1111111));
        let span = Span::new(&w, new_york(), d("2026-11-01"));
        let starts: Vec<String> = span
            .grid()
            .map(|t| time::to_local(new_york(), t).1)
            .collect();
        assert_eq!(starts, ["00:00", "01:00", "01:00", "02:00", "03:00"]);
        let es = Span::new(&w, el_salvador(), d("2026-11-01"));
        assert_eq!(es.grid().count(), 4);
    }

    /// A doctor's window open every day, 09:00-12:00, 30-minute slots.
    fn day_window(cap: i64) -> Window {
        window("09:00", "12:00", 30, cap, Recurrence::Weekly(0b1111111))
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        el_salvador()
            .with_ymd_and_hms(2026, 6, 15, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date() -> NaiveDate {
        d("2026-06-15")
    }

    /// The slots offered for a service longer than the grid's step are
    /// those that can all be booked together: a 40-minute service on a
    /// 30-minute grid from 08:00 to 14:00 fits at 11 grid starts, but only
    /// 6 can be held at once (08:00, 09:00, … 13:00). Around a booking, the
    /// offered ones start where it ends.
    #[test]
    fn a_service_longer_than_the_grid_is_offered_only_slots_that_can_all_be_booked() {
        use crate::core::booking::{check_capacity, locate, slots};
        use crate::core::Settings;
        let settings = Settings::default();
        let mut w = day_window(1);
        w.from = 8 * 60;
        w.to = 14 * 60;
        let ws = [&w];
        let now = at(7, 0);
        let mut day = Day::new(el_salvador(), date(), now, &settings, &ws);
        let forty = Request {
            duration: Some(40),
            ..Request::default()
        };
        let hm = |slots: &[Slot], f: fn(&Slot) -> bool| -> Vec<String> {
            slots
                .iter()
                .filter(|s| f(s))
                .map(|s| time::to_local(el_salvador(), s.start).1)
                .collect()
        };
        let all = slots(&day, &forty);
        assert_eq!(hm(&all, |s| s.refusal.is_none()).len(), 11, "each alone");
        let offered = hm(&all, |s| s.offered);
        assert_eq!(
            offered,
            ["08:00", "09:00", "10:00", "11:00", "12:00", "13:00"]
        );
        // Offered together, none of them overlaps another: booking every one
        // of them in turn succeeds.
        let chosen: Vec<(DateTime<Utc>, DateTime<Utc>)> = all
            .iter()
            .filter(|s| s.offered)
            .map(|s| (s.start, s.end))
            .collect();
        drop(all);
        for (start, end) in chosen {
            {
                let span = locate(&day, start).unwrap();
                check_capacity(&day, span, start, end, &forty).unwrap();
            }
            let b = Busy::new(String::new(), start, end, 0, 0);
            day.busy.to_mut().push(b);
        }
        // A 30-minute visit at 08:00: the next 40-minute one starts at 08:30.
        let mut day = Day::new(el_salvador(), date(), now, &settings, &ws);
        day.busy
            .to_mut()
            .push(Busy::new("x".into(), at(8, 0), at(8, 30), 0, 0));
        let offered = hm(&slots(&day, &forty), |s| s.offered);
        assert_eq!(offered, ["08:30", "09:30", "10:30", "11:30", "12:30"]);
        // A slot of the grid's own length is offered wherever it is free.
        let thirty = Request::default();
        let all = slots(&day, &thirty);
        assert_eq!(hm(&all, |s| s.offered), hm(&all, |s| s.refusal.is_none()));
        assert_eq!(hm(&all, |s| s.offered).len(), 11);
        // A buffer after counts: 30 minutes and 10 after hold 40.
        let buffered = Request {
            buffer_after: 10,
            ..Request::default()
        };
        let day = Day::new(el_salvador(), date(), now, &settings, &ws);
        assert_eq!(hm(&slots(&day, &buffered), |s| s.offered).len(), 6);
        // Two places at once: two of each overlapping pair fit.
        let mut wide = day_window(2);
        wide.from = 8 * 60;
        wide.to = 10 * 60;
        let ws = [&wide];
        let day = Day::new(el_salvador(), date(), now, &settings, &ws);
        let offered = hm(&slots(&day, &forty), |s| s.offered);
        assert_eq!(offered, ["08:00", "08:30", "09:00"]);
    }

    /// A timeline answers as the whole list does, for every time asked:
    /// bookings of every length (one of a whole morning among short ones,
    /// which a look only at those beginning near the time would miss),
    /// buffers, one-at-a-time ones, and times added after it was made.
    #[test]
    fn a_timeline_answers_as_the_whole_day_does() {
        let base = "2025-03-10T08:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let at = |m: i64| base + Duration::minutes(m);
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % n) as i64
        };
        for round in 0..200 {
            let mut busy: Vec<Busy> = (0..next(12))
                .map(|i| {
                    let start = next(600);
                    let len = if i == 0 && round % 2 == 0 {
                        300
                    } else {
                        5 + next(60)
                    };
                    let mut b = Busy::new(
                        format!("b{i}"),
                        at(start),
                        at(start + len),
                        next(3) * 5,
                        next(3) * 5,
                    );
                    b.solo = next(4) == 0;
                    b
                })
                .collect();
            let mut line = Timeline::of(busy.iter());
            for _ in 0..3 {
                let start = next(600);
                let mut b = Busy::new("added".into(), at(start), at(start + 30), next(2) * 10, 0);
                b.solo = next(2) == 0;
                line.add(&b);
                busy.push(b);
            }
            for from in (0..660).step_by(5) {
                for len in [5, 30, 45, 120] {
                    let (f, t) = (at(from), at(from + len));
                    assert_eq!(
                        line.peak(f, t),
                        peak(busy.iter(), f, t),
                        "round {round}, {from}+{len}"
                    );
                    let own = most_at_once(busy.iter().map(|b| (b.start, b.end)), f, t);
                    assert_eq!(
                        line.peak_unbuffered(f, t),
                        own,
                        "round {round}, {from}+{len}"
                    );
                    let solo = busy.iter().any(|b| b.solo && b.holds(f, t));
                    assert_eq!(line.solo_meeting(f, t), solo, "round {round}, {from}+{len}");
                }
            }
        }
    }
}
