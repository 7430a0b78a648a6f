//! Where the booking rules meet the database: who is booked (doctor or
//! clinic-wide, at which clinic), the day's windows, closures and competing
//! appointments, and docs/rules.md#booking rules 4–8 in order. Shared by `slots`, `book`
//! and `reschedule`, so all three judge a time the same way.

use super::away::{holds_of, AcrossDays};
use super::day_windows::DayWindows;
use super::resource;
use super::values::Problems;
use crate::core::booking;
use crate::core::check::token_scope;
use crate::core::limits;
use crate::core::overbook;
use crate::core::resources::Given;
use crate::core::slots::Request;
use crate::core::slots::{windows_on, Busy, DailyLimit, Day, Hold, LimitScope};
use crate::core::time::{self, Local};
use crate::core::{Clinic, Closure, DateOrder, Doctor, Owner, Service, Window};
use crate::error::{Code, Error, Result};
use crate::store::ahead::LookAhead;
use crate::store::db::Tx;
use crate::store::{appointments, calendars, clinics, closures, doctors, services, windows};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;
use std::sync::Arc;

/// Who a booking is with, and where. The clinic is shared: a clinic's
/// day asks for each of its doctors at once.
pub struct Target {
    pub clinic: Arc<Clinic>,
    /// None for the clinic's clinic-wide windows.
    pub doctor: Option<Doctor>,
}

impl Target {
    pub fn owner(&self) -> Owner {
        match &self.doctor {
            Some(d) => Owner::Doctor(d.id.clone()),
            None => Owner::ClinicWide(self.clinic.id.clone()),
        }
    }

    pub fn token_scope(&self, window_id: &str) -> String {
        token_scope(self.doctor.as_ref().map(|d| d.id.as_str()), window_id)
    }
}

/// What is asked for when a service may be named: the duration from the flag,
/// else the service's (else, later, the window's), and the service's buffers
/// (docs/rules.md#buffers).
pub fn request<'a>(
    duration: Option<i64>,
    service: Option<&'a Service>,
    session: Option<&'a str>,
) -> Request<'a> {
    Request {
        duration: duration.or(service.map(|s| s.duration_minutes)),
        service_id: service.map(|s| s.id.as_str()),
        session,
        buffer_before: service.map_or(0, |s| s.buffer_before),
        buffer_after: service.map_or(0, |s| s.buffer_after),
        resource: None,
        outside_ok: false,
    }
}

/// Resolves a doctor (or clinic-wide, None) and the clinic: the one `given`
/// (`--clinic`/`$APPT_CLINIC`), else the one clinic where the doctor has
/// windows, else the only clinic.
pub fn target(conn: &Tx, given: Option<&str>, doctor: Option<&str>) -> Result<Target> {
    let Some(d) = doctor else {
        let clinic = clinics::default(conn, given)?;
        return Ok(Target {
            clinic: Arc::new(clinic),
            doctor: None,
        });
    };
    if given.is_none() {
        LookAhead::doctor(conn, d.trim())?;
    }
    let doctor = doctors::find_active(conn, d)?;
    let clinic = match given {
        Some(c) => clinics::find(conn, c)?,
        None => {
            let mut at = clinics::of_doctor(conn, &doctor.id)?;
            match at.len() {
                1 => at.remove(0),
                0 => clinics::default(conn, None)?,
                _ => {
                    return Err(Error::field(
                        "clinic",
                        crate::text::msg!(
                            "e-works_at_several_clinics_give_clinic",
                            a = doctor.full_name
                        ),
                    ))
                }
            }
        }
    };
    Ok(Target {
        clinic: Arc::new(clinic),
        doctor: Some(doctor),
    })
}

/// When, as given: `date` with `time`, or `at` (RFC 3339 with offset).
#[derive(Debug, Clone, Default)]
pub struct WhenInput {
    pub date: Option<String>,
    pub time: Option<String>,
    pub at: Option<String>,
}

/// A requested start: a local date and time (with the UTC offset that picks
/// one of a fall-back night's two, when given), or an instant with its offset.
#[derive(Debug, Clone, Copy)]
pub enum When {
    Local(NaiveDate, i64),
    LocalAt(NaiveDate, i64, i32),
    At(DateTime<Utc>),
}

/// A date typed at a clinic that reads `4/12` in `order`, or (None) at a
/// clinic not known yet: either order, a problem told in the desk's.
pub fn read_date(
    typed: &str,
    today: NaiveDate,
    order: Option<DateOrder>,
) -> std::result::Result<NaiveDate, crate::text::Msg> {
    match order {
        Some(o) => time::parse_date(typed, today, o),
        None => time::parse_date_either(typed, today, super::values::desk_order()),
    }
}

/// Rule 1 for the time: `date` with `time`, or `at`. Problems go to `bad`.
/// `order` is the clinic's way of reading `4/12`; None before the clinic is
/// known (either way is taken, and the clinic's decides later).
pub fn parse_when(
    w: &WhenInput,
    today: NaiveDate,
    order: Option<DateOrder>,
    bad: &mut Problems,
) -> Option<When> {
    super::values::not_both(bad, ("at", w.at.is_some()), ("date", w.date.is_some()));
    super::values::not_both(bad, ("at", w.at.is_some()), ("time", w.time.is_some()));
    if let Some(at) = w.at.as_deref() {
        return bad.take("at", time::parse_rfc3339(at)).map(When::At);
    }
    let d = w
        .date
        .as_deref()
        .and_then(|d| bad.take("date", read_date(d, today, order)));
    let t = w
        .time
        .as_deref()
        .and_then(|t| bad.take("time", time::parse_hhmm_offset(t)));
    match (d, t) {
        (Some(d), Some((t, None))) => Some(When::Local(d, t)),
        (Some(d), Some((t, Some(offset)))) => Some(When::LocalAt(d, t, offset)),
        _ => None,
    }
}

/// Rule 4: a local time that does not exist is refused; a folded one is its earlier instant.
pub fn resolve_when(clinic: &Clinic, when: When) -> Result<(DateTime<Utc>, NaiveDate)> {
    let tz = clinic.timezone;
    let gap = |date: NaiveDate, minutes: i64| {
        Error::new(
            Code::NonexistentLocalTime,
            crate::text::msg!("e-does_not_exist_in_the_clocks_skip", date = date, a = time::format_hhmm(minutes), b = tz.name()),
        )
        .details(json!({"date": date.to_string(), "time": time::format_hhmm(minutes), "timezone": tz.name()}))
    };
    match when {
        When::At(t) => Ok((t, time::to_local(tz, t).0)),
        When::LocalAt(date, minutes, offset) => {
            let candidates = match time::resolve_local(tz, date, minutes) {
                Local::One(t) => vec![t],
                Local::Fold(a, b) => vec![a, b],
                Local::Gap => return Err(gap(date, minutes)),
            };
            candidates
                .into_iter()
                .find(|t| time::offset_secs(tz, *t) == offset)
                .map(|t| (t, date))
                .ok_or_else(|| {
                    Error::field(
                        "time",
                        crate::text::msg!(
                            "e-is_not_at_that_utc_offset_in",
                            date = date,
                            a = time::format_hhmm(minutes),
                            b = tz.name()
                        ),
                    )
                })
        }
        When::Local(date, minutes) => match time::resolve_local(tz, date, minutes) {
            Local::One(t) | Local::Fold(t, _) => Ok((t, date)),
            Local::Gap => Err(gap(date, minutes)),
        },
    }
}

/// Everything one owner's day needs from the database.
#[derive(Clone)]
pub struct DayData {
    pub date: NaiveDate,
    pub windows: DayWindows,
    pub closure: Option<Option<String>>,
    pub busy: Arc<[Busy]>,
    /// The daily limits that apply, with what counts against each
    /// (docs/rules.md#daily-limits).
    pub limits: Vec<DailyLimit>,
    /// The holds on the doctor's time (docs/rules.md#holds), live or not:
    /// [`DayData::day`] keeps those live at its `now`.
    pub holds: Vec<Hold>,
    /// The services the doctor does (IDs; empty: every one, and for the
    /// clinic-wide windows), docs/rules.md#who-does-what.
    pub doctor_services: Vec<String>,
    /// The rooms and equipment the service judged for needs, with their
    /// visits (docs/rules.md#rooms-and-equipment): the clinic's, shared by
    /// the doctors' days of one date.
    pub needs: Arc<[crate::core::resources::Group]>,
    /// The doctor's busy times in their own calendars that meet the day's
    /// span (docs/calendars.md).
    pub outside: Vec<crate::core::outside::Away>,
}

impl DayData {
    /// The same day as judged for `service_id`: what counts against the
    /// service's daily limit and, for the clinic-wide windows, the
    /// appointments of that service that compete with it (a doctor's
    /// appointments compete whatever their service). Read again only where
    /// the service changes them.
    pub fn for_service(
        &self,
        conn: &Tx,
        t: &Target,
        service_id: Option<&str>,
        except: Option<&str>,
    ) -> Result<DayData> {
        let mut day = self.clone();
        let Some((from, to)) = competing(t.clinic.timezone, self.windows.iter(), self.date) else {
            return Ok(day);
        };
        if t.doctor.is_none() {
            day.busy =
                appointments::busy_clinic_wide(conn, &t.clinic.id, service_id, from, to, except)?
                    .into();
        }
        day.limits = daily_limits(conn, t, self.date, service_id, except, &mut None)?;
        let span = (self.date, (from, to));
        day.needs = resource::needs_on(conn, &t.clinic, service_id, span, except)?.into();
        Ok(day)
    }

    /// The services the day is judged for when none is named
    /// (docs/rules.md#who-does-what).
    pub fn choices(&self) -> crate::core::offer::Choices {
        crate::core::offer::choices(&self.doctor_services, self.windows.iter())
    }

    /// The services possible in the window `window_id` that day.
    pub fn offered(&self, window_id: &str) -> crate::core::offer::Offered {
        let window = self.windows.iter().find(|w| w.id == window_id);
        crate::core::offer::offered(
            &self.doctor_services,
            window.map_or(&[][..], |w| &w.services[..]),
        )
    }

    /// The first daily limit the day has reached, if any.
    pub fn limit_reached(&self) -> Option<&DailyLimit> {
        self.limits.iter().find(|l| l.taken >= l.limit)
    }
}

/// `t`'s daily limits on `date` (docs/rules.md#daily-limits): the doctor's,
/// then the service's, each with the active appointments that count against
/// it (`except` one being moved). Nothing is counted when neither has a
/// limit, so that a day of many doctors (`next`, the booking page) counts
/// only where a limit can apply. `service_cap` is the service's own limit
/// once read (None until then): a day of many doctors reads it once, not
/// once a doctor.
fn daily_limits(
    conn: &Tx,
    t: &Target,
    date: NaiveDate,
    service_id: Option<&str>,
    except: Option<&str>,
    service_cap: &mut Option<Option<i64>>,
) -> Result<Vec<DailyLimit>> {
    let doctor_cap = t.doctor.as_ref().and_then(|d| d.max_per_day);
    if doctor_cap.is_none() {
        let cap = match *service_cap {
            Some(cap) => cap,
            None => *service_cap.insert(match service_id.map(|s| services::get(conn, s)) {
                None => None,
                Some(Ok(s)) => s.max_per_day,
                // An unknown service has no limit, as `day_counts` reads it.
                Some(Err(e)) if e.code == Code::NotFound => None,
                Some(Err(e)) => return Err(e),
            }),
        };
        if cap.is_none() {
            return Ok(Vec::new());
        }
    }
    let doctor = t.doctor.as_ref().map(|d| d.id.as_str());
    let (service_cap, every, of_service) =
        appointments::day_counts(conn, doctor, &t.clinic.id, service_id, date, except)?;
    let doctor = doctor_cap.map(|limit| DailyLimit {
        limit,
        scope: LimitScope::Doctor,
        taken: every,
    });
    let service = service_cap.map(|limit| DailyLimit {
        limit,
        scope: LimitScope::Service,
        taken: of_service,
    });
    Ok(doctor.into_iter().chain(service).collect())
}

/// Loads the day's windows (date windows replacing weekly ones), any closure, and
/// the active appointments competing for capacity (`except` one being moved).
/// A doctor's closures and busy times are asked for together.
pub fn load_day(
    conn: &Tx,
    t: &Target,
    date: NaiveDate,
    service_id: Option<&str>,
    except: Option<&str>,
) -> Result<DayData> {
    if except.is_none() {
        if let Some((doctor, span)) = doctor_day(conn, t, date)? {
            LookAhead::day(conn, &t.clinic.id, &doctor, date, span)?;
        }
    }
    Calendar::load(conn, t, date, date)?.day(conn, date, service_id, except)
}

/// A doctor's (or the clinic-wide) calendar over a run of days: its windows
/// and the closures that touch those days, read once; each day then reads
/// only its appointments (`next`, a day's "next free day").
pub struct Calendar<'t> {
    pub target: &'t Target,
    /// The windows read for it, shared with the other calendars read with
    /// it (a clinic's, kept by the connection), and which of them are the
    /// owner's: none is copied for each doctor.
    windows: Arc<[Window]>,
    own: Vec<usize>,
    /// Clinic closures first, then the owner's own (the first covering a day
    /// gives its reason).
    closures: Vec<Closure>,
}

impl<'t> Calendar<'t> {
    pub fn load(
        conn: &Tx,
        target: &'t Target,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Calendar<'t>> {
        let windows: Arc<[Window]> = own_windows(conn, target)?.into();
        let doctors: Vec<&str> = target.doctor.iter().map(|d| d.id.as_str()).collect();
        let closures = closures::touching(conn, &target.clinic.id, &doctors, from, to)?;
        Ok(Calendar {
            target,
            own: (0..windows.len()).collect(),
            windows,
            closures,
        })
    }

    /// The calendars of several doctors of one clinic, read in two queries
    /// (`next` across a clinic's doctors).
    pub fn of_doctors(
        conn: &Tx,
        clinic: &Clinic,
        targets: &'t [Target],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Calendar<'t>>> {
        let windows = windows::list(conn, Some(&clinic.id), None)?;
        Self::of_doctors_among(conn, clinic, &windows, targets, from, to)
    }

    /// [`Calendar::of_doctors`], from the clinic's windows a caller has read
    /// already (the day sheet): the closures in one query.
    pub fn of_doctors_among(
        conn: &Tx,
        clinic: &Clinic,
        windows: &Arc<[Window]>,
        targets: &'t [Target],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Calendar<'t>>> {
        let doctor = |t: &'t Target| t.doctor.as_ref().map(|d| d.id.as_str());
        let ids: Vec<&str> = targets.iter().filter_map(doctor).collect();
        let closures = closures::touching(conn, &clinic.id, &ids, from, to)?;
        // Each owner's windows, found once (fifty doctors' calendars would
        // each go through every window of the clinic).
        let mut owned: std::collections::HashMap<Option<&str>, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, w) in windows.iter().enumerate() {
            owned.entry(w.doctor_id.as_deref()).or_default().push(i);
        }
        Ok(targets
            .iter()
            .map(|t| Calendar {
                target: t,
                windows: Arc::clone(windows),
                own: owned.get(&doctor(t)).cloned().unwrap_or_default(),
                closures: closures
                    .iter()
                    .filter(|c| c.doctor_id.is_none() || c.doctor_id.as_deref() == doctor(t))
                    .cloned()
                    .collect(),
            })
            .collect())
    }

    /// One day of it, with the active appointments competing for capacity
    /// (`except` one being moved).
    pub fn day(
        &self,
        conn: &Tx,
        date: NaiveDate,
        service_id: Option<&str>,
        except: Option<&str>,
    ) -> Result<DayData> {
        let t = self.target;
        let (windows, span) = self.open_on(date);
        let busy = match (span, &t.doctor) {
            (None, _) => Vec::new(),
            (Some((from, to)), Some(d)) => {
                appointments::busy_for_doctor(conn, &d.id, from, to, except)?
            }
            (Some((from, to)), None) => {
                appointments::busy_clinic_wide(conn, &t.clinic.id, service_id, from, to, except)?
            }
        };
        // A day with no window open offers nothing to limit.
        let limits = match span {
            Some(_) => daily_limits(conn, t, date, service_id, except, &mut None)?,
            None => Vec::new(),
        };
        let mut day = self.with(date, windows, busy.into(), limits);
        if let Some(span) = span {
            day.needs =
                resource::needs_on(conn, &t.clinic, service_id, (date, span), except)?.into();
        }
        if let (Some((from, to)), Some(d)) = (span, &t.doctor) {
            day.holds = holds_of(conn, &t.clinic, &[d.id.as_str()], from, to, except)?
                .into_iter()
                .map(|(_, h)| h)
                .collect();
            day.outside = calendars::busy_of(conn, &[d.id.as_str()], from, to)?
                .into_iter()
                .map(|(_, a)| a)
                .collect();
        }
        Ok(day)
    }

    /// The owner's windows.
    fn own(&self) -> impl Iterator<Item = &Window> + Clone {
        self.own.iter().map(|&i| &self.windows[i])
    }

    /// The minutes open on `date` (docs/reports.md#utilisation): the
    /// windows that apply that day and are open, overlaps counted once,
    /// none on a day a closure covers.
    pub fn open_minutes(&self, date: NaiveDate) -> i64 {
        if self.closures.iter().any(|c| c.from <= date && date <= c.to) {
            return 0;
        }
        let tz = self.target.clinic.timezone;
        let spans = windows_on(self.own(), date)
            .into_iter()
            .filter(|w| w.open)
            .map(|w| (w.from, w.to))
            .collect();
        crate::core::report::open_minutes(spans, |m| time::window_edge(tz, date, m))
    }

    /// The windows open on `date` and the span of time whose appointments
    /// compete with them (None when none is open): the windows' time, widened
    /// by the longest buffer either side, which an appointment in them may
    /// hold beyond their edges (docs/rules.md#buffers).
    fn open_on(&self, date: NaiveDate) -> (DayWindows, Option<Span>) {
        // Each window taken back to its place among the owner's.
        let on: Vec<usize> = windows_on(self.own(), date)
            .into_iter()
            .filter_map(|w| {
                self.own
                    .iter()
                    .copied()
                    .find(|&i| std::ptr::eq(&self.windows[i], w))
            })
            .collect();
        let on = DayWindows::new(Arc::clone(&self.windows), on);
        let span = competing(self.target.clinic.timezone, on.iter(), date);
        (on, span)
    }

    fn with(
        &self,
        date: NaiveDate,
        windows: DayWindows,
        busy: Arc<[Busy]>,
        limits: Vec<DailyLimit>,
    ) -> DayData {
        let closure = self
            .closures
            .iter()
            .find(|c| c.from <= date && date <= c.to)
            .map(|c| c.reason.clone());
        DayData {
            date,
            windows,
            closure,
            busy,
            limits,
            holds: Vec::new(),
            needs: Vec::new().into(),
            outside: Vec::new(),
            doctor_services: self
                .target
                .doctor
                .as_ref()
                .map(|d| d.services.clone())
                .unwrap_or_default(),
        }
    }
}

/// The one service a booking at `start` (on its local `date`) that names
/// none takes (docs/rules.md#who-does-what): the only one possible in the
/// open window holding the start. None when any service is possible there,
/// several are, or no window holds it (the rules then say why).
pub fn implied_service(
    conn: &Tx,
    t: &Target,
    (start, date): (DateTime<Utc>, NaiveDate),
) -> Result<Option<Service>> {
    let calendar = Calendar::load(conn, t, date, date)?;
    let (windows, _) = calendar.open_on(date);
    let refs: Vec<&Window> = windows.iter().filter(|w| w.open).collect();
    let day = Day::new(t.clinic.timezone, date, start, &t.clinic.settings, &refs)
        .done_by(t.doctor.as_ref().map_or(&[][..], |d| &d.services[..]));
    let implied = day
        .spans
        .iter()
        .find(|s| s.contains(start))
        .and_then(|s| s.offered.implied());
    implied.map(|id| services::get(conn, id)).transpose()
}

/// A stretch of time: from, to.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The span of time whose appointments compete with the windows `on`
/// (those open on `date`), or None when none is: [`Calendar::open_on`].
fn competing<'w>(
    tz: crate::core::zone::Tz,
    on: impl Iterator<Item = &'w Window> + Clone,
    date: NaiveDate,
) -> Option<Span> {
    let first = on.clone().map(|w| w.from).min()?;
    let last = on.map(|w| w.to).max()?;
    let buffer = Duration::minutes(*limits::BUFFER.end());
    Some((
        time::window_edge(tz, date, first) - buffer,
        time::window_edge(tz, date, last) + Duration::minutes(appointments::MAX_MINUTES) + buffer,
    ))
}

/// The doctor's day a booking at `date` will read the busy times of (the
/// doctor and the span [`Calendar::day`] asks for), read from the windows
/// alone: an import looks many lines' up at once.
pub fn doctor_day(conn: &Tx, t: &Target, date: NaiveDate) -> Result<Option<(String, Span)>> {
    let Some(d) = &t.doctor else {
        return Ok(None);
    };
    let windows = own_windows(conn, t)?;
    let on = windows_on(&windows, date);
    Ok(competing(t.clinic.timezone, on.into_iter(), date).map(|span| (d.id.clone(), span)))
}

/// The target's own windows at its clinic.
fn own_windows(conn: &Tx, t: &Target) -> Result<Vec<Window>> {
    Ok(windows::of_owner(conn, &t.owner())?
        .into_iter()
        .filter(|w| w.clinic_id == t.clinic.id)
        .collect())
}

/// The same day of several doctors' calendars, their appointments read in
/// one query (`next` across a clinic's doctors), with each doctor's daily
/// limits for `service_id` (a query for each doctor a limit can apply to).
/// Appointments whose time ends before `not_before` are left out: `next`
/// asks only for slots still to come, which they cannot meet.
pub fn doctors_day(
    conn: &Tx,
    calendars: &[Calendar],
    date: NaiveDate,
    service_id: Option<&str>,
    not_before: Option<DateTime<Utc>>,
) -> Result<Vec<DayData>> {
    doctors_day_of(conn, calendars, date, service_id, not_before, None)
}

/// [`doctors_day`], taking the holds and outside busy times from `across`
/// when it holds the date.
pub fn doctors_day_of(
    conn: &Tx,
    calendars: &[Calendar],
    date: NaiveDate,
    service_id: Option<&str>,
    not_before: Option<DateTime<Utc>>,
    across: Option<&AcrossDays>,
) -> Result<Vec<DayData>> {
    let open: Vec<_> = calendars.iter().map(|c| c.open_on(date)).collect();
    let asked: Vec<&str> = calendars
        .iter()
        .zip(&open)
        .filter(|(_, (_, span))| span.is_some())
        .filter_map(|(c, _)| c.target.doctor.as_ref().map(|d| d.id.as_str()))
        .collect();
    let spans = open.iter().filter_map(|(_, span)| *span);
    let mut busy = Vec::new();
    if let (Some(from), Some(to)) = (
        spans.clone().map(|(from, _)| from).min(),
        spans.map(|(_, to)| to).max(),
    ) {
        // One span for all: an appointment outside a doctor's own windows
        // overlaps none of their slots.
        let from = not_before.map_or(from, |n| n.max(from));
        busy = appointments::busy_for_doctors(conn, &asked, from, to)?;
    }
    let mut holds = Vec::new();
    let mut outside = Vec::new();
    let mut needs: Arc<[crate::core::resources::Group]> = Vec::new().into();
    if let (Some(first), Some(from), Some(to)) = (
        calendars.first(),
        open.iter()
            .filter_map(|(_, span)| *span)
            .map(|(f, _)| f)
            .min(),
        open.iter()
            .filter_map(|(_, span)| *span)
            .map(|(_, t)| t)
            .max(),
    ) {
        (holds, outside) = match across.filter(|a| a.holds_date(date)) {
            Some(a) => a.of(&asked, (from, to)),
            None => (
                holds_of(conn, &first.target.clinic, &asked, from, to, None)?,
                calendars::busy_of(conn, &asked, from, to)?,
            ),
        };
        // The clinic's rooms the service needs, read once for every doctor.
        let from = not_before.map_or(from, |n| n.max(from));
        let span = (date, (from, to));
        needs = resource::needs_on(conn, &first.target.clinic, service_id, span, None)?.into();
    }
    // `asked` holds the open calendars' doctors in their order.
    let mut busy = busy.into_iter();
    let mut service_cap = None;
    calendars
        .iter()
        .zip(open)
        .map(|(c, (windows, span))| {
            let mine = match (&c.target.doctor, span) {
                (Some(_), Some(_)) => busy.next().unwrap_or_else(|| Vec::new().into()),
                _ => Vec::new().into(),
            };
            let limits = match span {
                Some(_) => daily_limits(conn, c.target, date, service_id, None, &mut service_cap)?,
                None => Vec::new(),
            };
            let mut day = c.with(date, windows, mine, limits);
            if span.is_some() {
                day.needs = needs.clone();
            }
            if let Some(d) = &c.target.doctor {
                day.holds = holds
                    .iter()
                    .filter(|(of, _)| *of == d.id)
                    .map(|(_, h)| h.clone())
                    .collect();
                day.outside = outside
                    .iter()
                    .filter(|(of, _)| *of == d.id)
                    .map(|(_, a)| *a)
                    .collect();
            }
            Ok(day)
        })
        .collect()
}

impl DayData {
    pub fn day<'a>(&'a self, clinic: &'a Clinic, now: DateTime<Utc>) -> Day<'a> {
        let refs: Vec<&Window> = self.windows.iter().collect();
        let mut day = Day::new(clinic.timezone, self.date, now, &clinic.settings, &refs)
            .done_by(&self.doctor_services);
        day.closure = self.closure.clone();
        day.busy = std::borrow::Cow::Borrowed(&self.busy);
        day.outside = &self.outside;
        day.limits = self.limits.clone();
        // A live hold takes a place of a room as a visit would.
        day.needs = match crate::core::resources::at(&self.needs, now) {
            Some(live) => std::borrow::Cow::Owned(live),
            None => std::borrow::Cow::Borrowed(&self.needs[..]),
        };
        // A live hold takes a place of the doctor's time as an appointment would.
        day.held = self
            .holds
            .iter()
            .filter(|h| h.until > now)
            .cloned()
            .collect();
        if !day.held.is_empty() {
            let mut busy = self.busy.to_vec();
            busy.extend(
                day.held
                    .iter()
                    .map(|h| Busy::new(h.id.clone(), h.start, h.end, 0, 0)),
            );
            day.busy = std::borrow::Cow::Owned(busy);
        }
        day
    }
}

/// Where an appointment lands once rules 5–8 pass (or an overbooking
/// passed over 6 or 8).
pub struct Placement {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub date: NaiveDate,
    pub duration: i64,
    /// The window it sits in: None only for an overbooking outside every
    /// window (or on a closed day).
    pub window: Option<Window>,
    /// The refusal an overbooking passed over (docs/rules.md#overbooking).
    pub passed_over: Option<Code>,
    /// The rooms and equipment it gets, one per group its service needs
    /// (docs/rules.md#rooms-and-equipment).
    pub resources: Vec<Given>,
    /// The IDs of those given past their capacity (`--overbook-resource`).
    pub resources_overbooked: Vec<String>,
}

impl Placement {
    pub fn window_id(&self) -> Option<&str> {
        self.window.as_ref().map(|w| w.id.as_str())
    }

    /// It holds its time alone (a one-at-a-time window, booked by the
    /// rules): what the database's own guard against overlaps covers. An
    /// overbooking overlaps by design.
    pub fn solo(&self) -> bool {
        self.passed_over.is_none() && self.window.as_ref().is_some_and(|w| w.capacity == 1)
    }

    pub fn session(&self) -> Option<String> {
        self.window.as_ref().and_then(|w| w.session.clone())
    }

    pub fn batch(&self) -> Option<String> {
        self.window.as_ref().and_then(|w| w.batch.clone())
    }
}

/// A window's refusal of a service says which services it takes, by name.
fn name_services(conn: &Tx, mut e: Error) -> Error {
    let ids: Vec<String> = match e.details.get("services").and_then(|s| s.as_array()) {
        Some(ids) if e.code == Code::InvalidTimeSlot && !ids.is_empty() => ids
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect(),
        _ => return e,
    };
    let names: Vec<String> = ids
        .iter()
        .filter_map(|id| services::get(conn, id).ok().map(|s| s.name))
        .collect();
    let window = e.details["window"].as_str().unwrap_or("this").to_string();
    e.msg = crate::text::msg!(
        "e-the_window_takes_only",
        window = window,
        a = names.join(", ")
    );
    e.message = e.msg.english();
    e.details["service_names"] = json!(names);
    e
}

/// Rule 7, when the clinic checks duplicates.
fn check_duplicate(
    conn: &Tx,
    t: &Target,
    date: NaiveDate,
    req: &Request,
    patient_id: Option<&str>,
    except: Option<&str>,
) -> Result<()> {
    if let (true, Some(p)) = (t.clinic.settings.duplicate_check, patient_id) {
        let others = appointments::same_day(conn, p, date, except)?;
        if let Some(existing) = booking::find_duplicate(&others, req.service_id) {
            return Err(booking::duplicate_error(existing));
        }
    }
    Ok(())
}

/// A walk-in's place (docs/rules.md#walk-ins): the window open now, now itself or the
/// first free slot from now on; the duplicate rule still holds.
pub fn place_walk_in(
    conn: &Tx,
    now: DateTime<Utc>,
    t: &Target,
    req: &Request,
    patient_id: Option<&str>,
) -> Result<Placement> {
    let date = time::local_today(t.clinic.timezone, now);
    let data = load_day(conn, t, date, req.service_id, None)?;
    let day = data.day(&t.clinic, now);
    // To the minute: appointments start on whole minutes.
    let here = DateTime::from_timestamp(now.timestamp().div_euclid(60) * 60, 0).unwrap_or(now);
    let (span, start, end) =
        booking::walk_in(&day, here, req).map_err(|e| name_services(conn, e))?;
    check_duplicate(conn, t, date, req, patient_id, None)?;
    Ok(Placement {
        start,
        end,
        date,
        duration: (end - start).num_minutes(),
        window: Some(span.window.clone()),
        passed_over: None,
        resources: booking::assign_resources(&day, start, end, req, &[])?,
        resources_overbooked: Vec::new(),
    })
}

/// Rules 5–8, in order, for a start already resolved by rule 4 (`resolve_when`).
pub fn place(
    conn: &Tx,
    now: DateTime<Utc>,
    t: &Target,
    start: (DateTime<Utc>, NaiveDate),
    req: &Request,
    patient_id: Option<&str>,
    except: Option<&str>,
) -> Result<Placement> {
    let calendar = Calendar::load(conn, t, start.1, start.1)?;
    place_on(conn, now, &calendar, start, req, patient_id, except)
}

/// [`place`] on a calendar read already for the date (a series reads its
/// dates' calendar once).
pub fn place_on(
    conn: &Tx,
    now: DateTime<Utc>,
    calendar: &Calendar,
    (start, date): (DateTime<Utc>, NaiveDate),
    req: &Request,
    patient_id: Option<&str>,
    except: Option<&str>,
) -> Result<Placement> {
    let t = calendar.target;
    booking::check_time(now, start, &t.clinic.settings)?;
    let data = calendar.day(conn, date, req.service_id, except)?;
    let day = data.day(&t.clinic, now);
    let span = booking::locate(&day, start)?;
    let duration = req.duration.unwrap_or(span.window.slot_minutes);
    let end = start + Duration::minutes(duration);
    booking::check_fit(span, start, end, req).map_err(|e| name_services(conn, e))?;
    booking::check_outside(&day, start, end, req)?;
    check_duplicate(conn, t, date, req, patient_id, except)?;
    let fixed = Request {
        duration: Some(duration),
        ..req.clone()
    };
    booking::check_capacity_suggesting(&day, span, start, end, &fixed)?;
    // A moved visit keeps the rooms it had where they are free (read only
    // where its service needs some).
    let had: Vec<String> = match except.filter(|_| !day.needs.is_empty()) {
        Some(id) => crate::store::resources::given(conn, &[id])?
            .into_iter()
            .map(|(_, r)| r.id)
            .collect(),
        None => Vec::new(),
    };
    Ok(Placement {
        start,
        end,
        date,
        duration,
        window: Some(span.window.clone()),
        passed_over: None,
        resources: booking::assign_resources(&day, start, end, &fixed, &had)?,
        resources_overbooked: Vec::new(),
    })
}

/// An overbooking's place (docs/rules.md#overbooking): where rules 5–8
/// would refuse it only for availability (6) or capacity (8), the time
/// asked for all the same, while the doctor has overbookings left that day.
/// A time the rules allow is placed as any booking is, passing over nothing.
/// With `rooms` (`--overbook-resource`) its rooms and machines may be
/// overbooked too; without, a room is never.
pub fn place_overbooked(
    conn: &Tx,
    now: DateTime<Utc>,
    t: &Target,
    (start, date): (DateTime<Utc>, NaiveDate),
    req: &Request,
    (patient_id, rooms): (Option<&str>, bool),
) -> Result<Placement> {
    let Some(doctor) = &t.doctor else {
        return Err(Error::field(
            "overbook",
            crate::text::msg!("e-overbook_needs_a_doctor"),
        ));
    };
    let calendar = Calendar::load(conn, t, date, date)?;
    let passed_over = match place_on(conn, now, &calendar, (start, date), req, patient_id, None) {
        Ok(spot) => return Ok(spot),
        Err(e) if overbook::passes_over(e.code) => e.code,
        Err(e) if rooms && e.code == Code::ResourceBusy => e.code,
        Err(e) => return Err(e),
    };
    // Rule 7 holds still: a refusal of rule 6 came before it was asked.
    check_duplicate(conn, t, date, req, patient_id, None)?;
    let taken = appointments::overbooked_on(conn, &doctor.id, &t.clinic.id, date)?;
    overbook::check_allowance(taken, t.clinic.settings.max_overbook_per_day)?;
    let data = calendar.day(conn, date, req.service_id, None)?;
    let mut day = data.day(&t.clinic, now);
    // The window whose time holds the start, open or closed, gives its
    // session and grid; outside every window, the clinic's grid.
    let window = day
        .spans
        .iter()
        .find(|s| s.contains(start))
        .map(|s| s.window.clone());
    let duration = req.duration.unwrap_or(
        window
            .as_ref()
            .map_or(t.clinic.settings.slot_minutes, |w| w.slot_minutes),
    );
    let end = start + Duration::minutes(duration);
    // The doctor's time may be overbooked; a room never is.
    let (from, to) = req.held(start, end);
    let needs = resource::needs_on(conn, &t.clinic, req.service_id, (date, (from, to)), None)?;
    let live = crate::core::resources::at(&needs, now);
    day.needs = std::borrow::Cow::Owned(live.unwrap_or(needs));
    let (resources, resources_overbooked) =
        match booking::assign_resources(&day, start, end, req, &[]) {
            Ok(given) => (given, Vec::new()),
            Err(e) if rooms && e.code == Code::ResourceBusy => {
                booking::overbook_resources(&day, start, end, req)
            }
            Err(e) => return Err(e),
        };
    Ok(Placement {
        start,
        end,
        date,
        duration,
        window,
        passed_over: Some(passed_over),
        resources,
        resources_overbooked,
    })
}
