//! `slots`: the grid slots of one day of a doctor (or the clinic-wide
//! windows), each judged by the booking rules, so a slot's refusal is what
//! booking it would answer.

use super::schedule::{load_day, request, target, Target};
use super::values;
use crate::core::booking;
use crate::core::slots::Request;
use crate::core::time;
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::{services, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// Which day's slots, of whom, for what.
#[derive(Debug, Clone, Default)]
pub struct SlotsRequest {
    /// `--clinic` (or `$APPT_CLINIC`).
    pub clinic: Option<String>,
    /// The doctor; None asks for the clinic-wide windows.
    pub doctor: Option<String>,
    pub date: String,
    pub service: Option<String>,
    pub duration: Option<i64>,
    pub session: Option<String>,
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
    pub refusal: Option<&'static str>,
}

/// A day's slots and whose they are.
pub struct DaySlots {
    pub target: Target,
    pub date: NaiveDate,
    /// The slot length asked for, else the first window's grid.
    pub duration: Option<i64>,
    /// Every grid slot, in time order.
    pub slots: Vec<Slot>,
}

impl DaySlots {
    pub fn free(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().filter(|s| s.refusal.is_none())
    }
}

pub fn day(st: &mut Store, r: &SlotsRequest, now: DateTime<Utc>) -> Result<DaySlots> {
    if let Some(d) = r.duration {
        values::duration("duration", d)?;
    }
    st.read(|tx| {
        let t = target(tx, r.clinic.as_deref(), r.doctor.as_deref())?;
        let date = time::parse_date(&r.date, time::local_today(t.clinic.timezone, now))
            .map_err(|e| Error::field("date", e))?;
        let service = r
            .service
            .as_deref()
            .map(|s| services::find_for_booking(tx, s))
            .transpose()?;
        let req = request(r.duration, service.as_ref(), r.session.as_deref());
        let (duration, slots) = judge(tx, now, &t, date, &req)?;
        Ok(DaySlots {
            target: t,
            date,
            duration,
            slots,
        })
    })
}

/// Every grid slot of `t`'s day, judged at `now`, and the slot length.
pub fn judge(
    tx: &Tx,
    now: DateTime<Utc>,
    t: &Target,
    date: NaiveDate,
    req: &Request,
) -> Result<(Option<i64>, Vec<Slot>)> {
    let data = load_day(tx, t, date, req.service_id, None)?;
    let day = data.day(&t.clinic, now);
    let slots = booking::slots(&day, req)
        .iter()
        .map(|s| Slot {
            start: s.start,
            end: s.end,
            remaining: s.remaining,
            window_id: s.span.window.id.clone(),
            session: s.span.window.session.clone(),
            batch: s.span.window.batch.clone(),
            refusal: s.refusal,
        })
        .collect();
    let duration = req
        .duration
        .or(data.windows.first().map(|w| w.slot_minutes));
    Ok((duration, slots))
}
