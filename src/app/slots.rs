//! `slots`: the grid slots of one day of a doctor (or the clinic-wide
//! windows), each judged by the booking rules, so a slot's refusal is what
//! booking it would answer.

use super::schedule::{load_day, request, target, Calendar, DayData, Target};
use super::values::{self, Problems};
use crate::core::booking;
use crate::core::slots::{DailyLimit, Request};
use crate::core::{time, Recurrence};
use crate::error::{Error, Result};
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
    /// Offered: bookable together with every slot offered before it
    /// (`core::booking::slots`); what `slots`, `next` and the pickers list.
    pub offered: bool,
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
            bad.take("duration", values::minutes_in("duration", d, 5, 480));
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
        let req = request(r.duration, service.as_ref(), r.session.as_deref());
        let (data, duration, slots) = judge_except(tx, now, &t, date, &req, r.except.as_deref())?;
        let why = if !r.explain || slots.iter().any(|s| s.refusal.is_none()) {
            None
        } else {
            Some(why(tx, now, &t, &data, &req)?)
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
fn why(tx: &Tx, now: DateTime<Utc>, t: &Target, data: &DayData, req: &Request) -> Result<Why> {
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
        let allowed: Vec<&String> = data.windows.iter().flat_map(|w| &w.services).collect();
        let any_open = data.windows.iter().any(|w| w.services.is_empty());
        match (any_open, req.service_id) {
            (false, None) if !allowed.is_empty() => {
                let mut names = Vec::new();
                for id in allowed {
                    let name = services::get(tx, id)?.name;
                    if !names.contains(&name) {
                        names.push(name);
                    }
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
        let slots = judge_in(tx, now, &calendar, day, req)?;
        if let Some(s) = slots.iter().find(|s| s.refusal.is_none()) {
            next_free = Some((day, s.start));
            break;
        }
        day += Duration::days(1);
    }
    Ok(Why { reason, next_free })
}

/// Every grid slot of one day of a run of days ([`Calendar`]), judged at
/// `now`: the bookable and the refused ones.
pub fn judge_in(
    tx: &Tx,
    now: DateTime<Utc>,
    calendar: &Calendar,
    date: NaiveDate,
    req: &Request,
) -> Result<Vec<Slot>> {
    let data = calendar.day(tx, date, req.service_id, None)?;
    Ok(judged(&data, calendar.target, now, req))
}

/// The slots of a loaded day, judged at `now`.
pub fn judged(data: &DayData, t: &Target, now: DateTime<Utc>, req: &Request) -> Vec<Slot> {
    judged_if(data, t, now, req, |_| true)
}

/// The offered slots of [`judged`] (`next`): the others are never made.
pub fn free(data: &DayData, t: &Target, now: DateTime<Utc>, req: &Request) -> Vec<Slot> {
    judged_if(data, t, now, req, |s| s.offered)
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
            offered: s.offered,
        })
        .collect()
}

/// Every grid slot of `t`'s day, judged at `now`, with the appointment
/// `except` (one being moved) not taking its place; also the day as loaded
/// and the slot length.
fn judge_except(
    tx: &Tx,
    now: DateTime<Utc>,
    t: &Target,
    date: NaiveDate,
    req: &Request,
    except: Option<&str>,
) -> Result<(DayData, Option<i64>, Vec<Slot>)> {
    let data = load_day(tx, t, date, req.service_id, except)?;
    let slots = judged(&data, t, now, req);
    let duration = req
        .duration
        .or(data.windows.first().map(|w| w.slot_minutes));
    Ok((data, duration, slots))
}
