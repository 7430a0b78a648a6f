//! `slots`: the grid slots of one day of a doctor (or the clinic-wide
//! windows), each judged by the booking rules, so a slot's refusal is what
//! booking it would answer.

use super::schedule::{load_day, request, target, Calendar, DayData, Target};
use super::values::{self, Problems};
use crate::core::booking;
use crate::core::slots::{DailyLimit, Request};
use crate::core::{time, Recurrence, Service};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{services, windows, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Which day's slots, of whom, for what.
#[derive(Debug, Clone, Default)]
pub struct SlotsRequest {
    /// `--clinic` (or `$APPT_CLINIC`).
    pub clinic: Option<String>,
    /// The doctor; None with `clinic_wide` asks for the clinic-wide windows.
    pub doctor: Option<String>,
    pub clinic_wide: bool,
    pub date: String,
    pub service: Option<String>,
    pub duration: Option<i64>,
    pub session: Option<String>,
    /// An appointment being moved: its own place counts as free.
    pub except: Option<String>,
    /// Whether a day with nothing free says why and looks ahead for the next
    /// free day ([`DaySlots::why`]): what a person reads and the pickers use;
    /// `--json` shows neither, so it is spared the look-ahead.
    pub explain: bool,
}

/// One grid slot.
#[derive(Debug, Clone)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Places left over the slot's whole length.
    pub remaining: i64,
    pub window_id: String,
    pub session: Option<String>,
    pub batch: Option<String>,
    /// None when bookable, else the code booking it would fail with.
    pub refusal: Option<crate::error::Code>,
    /// Taken only by the buffers around appointments (docs/rules.md#buffers).
    pub buffer: bool,
    /// Refused `RESOURCE_BUSY`: the rooms and equipment taken
    /// (docs/rules.md#rooms-and-equipment).
    pub busy_resources: Vec<String>,
    /// Offered: bookable together with every slot offered before it
    /// (`core::booking::slots`); what `slots`, `next` and the pickers list.
    pub offered: bool,
    /// When no service was named: the services that fit from it, the one
    /// the day implies or each of several (docs/rules.md#who-does-what);
    /// empty when a service was named or the window takes any.
    pub services: Vec<Service>,
}

/// A day's slots and whose they are.
pub struct DaySlots {
    pub target: Target,
    pub date: NaiveDate,
    /// The slot length asked for, else the first window's grid.
    pub duration: Option<i64>,
    /// Every grid slot, in time order.
    pub slots: Vec<Slot>,
    /// Why nothing is free, when nothing is (docs/commands.md#conventions: say why).
    pub why: Option<Why>,
}

/// Why a day offers no free slot, and where the next one is.
#[derive(Debug, Clone)]
pub struct Why {
    pub reason: Reason,
    /// The first later day with a free slot (within the horizon), and its first slot.
    pub next_free: Option<(NaiveDate, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub enum Reason {
    /// A closure covers the day; its reason, if it gave one.
    Closed(Option<String>),
    /// No window on that day: the weekdays the doctor (or clinic-wide) works
    /// at this clinic (`mon-fri`), empty when none.
    DayOff(String),
    /// The windows take only these services, and none of them was asked for.
    NeedsService(Vec<String>),
    /// A daily limit the day has reached (docs/rules.md#daily-limits).
    DailyLimit(DailyLimit),
    /// Windows, but every slot is taken, past or otherwise refused.
    Full,
}

impl DaySlots {
    /// The slots offered: bookable, and all bookable together
    /// (docs/rules.md#windows-and-slots).
    pub fn free(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().filter(|s| s.offered)
    }
}

impl SlotsRequest {
    /// Rule 1: whose day (a doctor, or the clinic-wide windows), which day,
    /// and the length asked for; every bad field named at once.
    pub fn check(&self) -> Result<()> {
        let mut bad = Problems::default();
        if self.doctor.is_none() && !self.clinic_wide {
            bad.add(
                "doctor",
                crate::text::msg!("e-doctor_or_clinic_wide_is_required"),
            );
        }
        let doctor = ("doctor", self.doctor.is_some());
        values::not_both(&mut bad, doctor, ("clinic_wide", self.clinic_wide));
        if self.date.is_empty() {
            bad.add("date", crate::text::msg!("e-date_is_required"));
        }
        if let Some(d) = self.duration {
            bad.take("duration", values::length_minutes("duration", d));
        }
        bad.finish()
    }
}

pub fn day(st: &mut Store, r: &SlotsRequest, now: DateTime<Utc>) -> Result<DaySlots> {
    r.check()?;
    st.read(|tx| {
        let t = target(tx, r.clinic.as_deref(), r.doctor.as_deref())?;
        let date = time::parse_date(
            &r.date,
            time::local_today(t.clinic.timezone, now),
            t.clinic.settings.date_order(),
        )
        .map_err(|e| Error::field("date", e))?;
        let service = r
            .service
            .as_deref()
            .map(|s| services::find_for_booking(tx, s))
            .transpose()?;
        let asked = Asked {
            duration: r.duration,
            session: r.session.as_deref(),
            service: service.as_ref(),
        };
        let req = asked.request();
        let except = r.except.as_deref();
        let data = load_day(tx, &t, date, req.service_id, except)?;
        let slots = judged_for(tx, &data, &t, now, &asked, except, false)?;
        // The length asked for, else the service's (named or implied), else the grid's.
        let implied = data
            .choices()
            .implied()
            .map(|id| services::get(tx, id))
            .transpose()?;
        let duration = req
            .duration
            .or(implied.map(|s| s.duration_minutes))
            .or(data.windows.first().map(|w| w.slot_minutes));
        let why = if !r.explain || slots.iter().any(|s| s.refusal.is_none()) {
            None
        } else {
            Some(why(tx, now, &t, &data, &asked)?)
        };
        Ok(DaySlots {
            target: t,
            date,
            duration,
            slots,
            why,
        })
    })
}

/// How far past the date `why` looks for the next free day.
const LOOK_AHEAD_DAYS: i64 = 62;

/// Why `t` has nothing free on the day `data` holds, and the next day that has.
fn why(tx: &Tx, now: DateTime<Utc>, t: &Target, data: &DayData, asked: &Asked) -> Result<Why> {
    let req = &asked.request();
    let date = data.date;
    let reason = if let Some(reason) = &data.closure {
        Reason::Closed(reason.clone())
    } else if data.windows.is_empty() {
        let mask = windows::of_owner(tx, &t.owner())?
            .iter()
            .filter(|w| w.clinic_id == t.clinic.id && w.open)
            .filter_map(|w| match w.recurrence {
                Recurrence::Weekly(m) if w.valid_to.is_none_or(|to| to >= date) => Some(m),
                _ => None,
            })
            .fold(0u8, |a, m| a | m);
        Reason::DayOff(time::format_days(mask))
    } else {
        let choices = data.choices();
        match (choices.open, req.service_id) {
            // Nothing the doctor does is possible in these windows.
            (false, None) if choices.services.is_empty() => Reason::NeedsService(Vec::new()),
            (false, Some(asked)) if !choices.services.iter().any(|s| s == asked) => {
                let mut names = Vec::new();
                for id in &choices.services {
                    names.push(services::get(tx, id)?.name);
                }
                Reason::NeedsService(names)
            }
            _ => match data.limit_reached() {
                Some(l) => Reason::DailyLimit(l.clone()),
                None => Reason::Full,
            },
        }
    };
    let today = time::local_today(t.clinic.timezone, now);
    let last = time::date_after_minutes(today, t.clinic.settings.horizon)
        .min(date + Duration::days(LOOK_AHEAD_DAYS));
    let mut next_free = None;
    let mut day = date.max(today - Duration::days(1)) + Duration::days(1);
    let calendar = Calendar::load(tx, t, day, last)?;
    while day <= last {
        let slots = judge_in(tx, now, &calendar, day, asked)?;
        if let Some(s) = slots.iter().find(|s| s.refusal.is_none()) {
            next_free = Some((day, s.start));
            break;
        }
        day += Duration::days(1);
    }
    Ok(Why { reason, next_free })
}

/// What a question about slots asks for: a length, a session, and the
/// service if it names one.
#[derive(Clone, Copy, Default)]
pub struct Asked<'a> {
    pub duration: Option<i64>,
    pub session: Option<&'a str>,
    pub service: Option<&'a Service>,
}

impl<'a> Asked<'a> {
    pub fn request(&self) -> Request<'a> {
        request(self.duration, self.service, self.session)
    }

    fn with(&self, service: Option<&'a Service>) -> Request<'a> {
        request(self.duration, service, self.session)
    }
}

/// Every grid slot of one day of a run of days ([`Calendar`]), judged at
/// `now` for what was asked ([`judged_for`]): the bookable and the refused ones.
pub fn judge_in(
    tx: &Tx,
    now: DateTime<Utc>,
    calendar: &Calendar,
    date: NaiveDate,
    asked: &Asked,
) -> Result<Vec<Slot>> {
    let req = asked.request();
    let data = calendar.day(tx, date, req.service_id, None)?;
    judged_for(tx, &data, calendar.target, now, asked, None, false)
}

/// The slots of a loaded day (read for the service named, else for none)
/// for what was asked (docs/rules.md#who-does-what): the service named;
/// else, judged for each service the day makes possible and put together,
/// a slot offered when one of them fits from it, with the services that
/// do; a day that implies one service is judged for it alone. With
/// `only_offered`, only the slots offered are kept (`next`, the booking page).
pub fn judged_for(
    tx: &Tx,
    data: &DayData,
    t: &Target,
    now: DateTime<Utc>,
    asked: &Asked,
    except: Option<&str>,
    only_offered: bool,
) -> Result<Vec<Slot>> {
    let keep = |s: &crate::core::slots::Slot| !only_offered || s.offered;
    let choices = data.choices();
    let passes = choices.passes();
    if asked.service.is_some() || passes.iter().all(Option::is_none) {
        return Ok(judged_if(data, t, now, &asked.request(), keep));
    }
    let mut judged = Vec::new();
    for pass in passes {
        let service = pass.map(|id| services::get(tx, id)).transpose()?;
        let mut slots = match pass {
            None => judged_if(data, t, now, &asked.request(), |_| true),
            Some(id) => {
                let day = data.for_service(tx, t, Some(id), except)?;
                judged_if(&day, t, now, &asked.with(service.as_ref()), |_| true)
            }
        };
        if let Some(s) = &service {
            for slot in slots.iter_mut().filter(|s| s.offered) {
                slot.services.push(s.clone());
            }
        }
        judged.push((pass, slots));
    }
    Ok(merge(data, judged)
        .into_iter()
        .filter(|s| !only_offered || s.offered)
        .collect())
}

fn judged_if(
    data: &DayData,
    t: &Target,
    now: DateTime<Utc>,
    req: &Request,
    keep: impl Fn(&crate::core::slots::Slot) -> bool,
) -> Vec<Slot> {
    let day = data.day(&t.clinic, now);
    booking::slots(&day, req)
        .iter()
        .filter(|s| keep(s))
        .map(|s| Slot {
            start: s.start,
            end: s.end,
            remaining: s.remaining,
            window_id: s.span.window.id.clone(),
            session: s.span.window.session.clone(),
            batch: s.span.window.batch.clone(),
            refusal: s.refusal,
            buffer: s.buffer,
            busy_resources: match s.refusal {
                Some(Code::ResourceBusy) => booking::busy_resources(&day, s.start, s.end, req),
                _ => Vec::new(),
            },
            offered: s.offered,
            services: Vec::new(),
        })
        .collect()
}

/// One day's slots judged for several services, put together slot by slot
/// (each judging lays out the same grid in the same order): a slot is the
/// first judging's that offers it, with every service offered from it;
/// else the first whose service its window allows, refusing as booking
/// that service would.
fn merge(data: &DayData, judged: Vec<(Option<&str>, Vec<Slot>)>) -> Vec<Slot> {
    let Some(n) = judged.first().map(|(_, s)| s.len()) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let at = |j: &(Option<&str>, Vec<Slot>)| j.1.get(i).cloned();
        let allowed: Vec<Slot> = judged
            .iter()
            .filter(|(pass, slots)| {
                slots
                    .get(i)
                    .is_some_and(|s| data.offered(&s.window_id).allows(*pass))
            })
            .filter_map(at)
            .collect();
        let fits: Vec<Service> = allowed
            .iter()
            .filter(|s| s.offered)
            .flat_map(|s| s.services.clone())
            .collect();
        let first = allowed
            .iter()
            .find(|s| s.offered)
            .or_else(|| allowed.iter().find(|s| s.refusal.is_none()))
            .or(allowed.first())
            .cloned()
            .or_else(|| judged.first().and_then(at));
        if let Some(mut slot) = first {
            slot.services = fits;
            out.push(slot);
        }
    }
    out
}
