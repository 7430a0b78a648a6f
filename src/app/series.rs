//! Series (docs/rules.md#series): `book --repeat` books one occurrence on
//! each date of a repeat at the same local time, each through every booking
//! rule; `cancel --series` and `reschedule --series` change an occurrence and
//! every later active one. Each is one transaction: all or nothing, or with
//! `--skip-conflicts` the occurrences that can be booked. Front ends reach
//! them through the one entry point of each ([`super::book::book`],
//! [`change::cancel`], [`change::reschedule`]), which chooses a series from
//! the request.

use super::book_one::{self as book, BookRequest, Checked};
use super::change_one::{self as change, CancelRequest, Notice, RescheduleRequest};
use super::notify::{self, News};
use super::repeat::Repeat;
use super::schedule::{parse_when, place_on, resolve_when, Calendar, Placement, When};
use super::values::Problems;
use crate::core::{series, time, Actor, Appointment};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::keys::Keys;
use crate::store::{self, appointments, clinics, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

/// What a series booking did.
#[derive(Debug, Clone)]
pub struct SeriesBooked {
    pub series_id: String,
    pub appointments: Vec<Appointment>,
    /// The occurrences `--skip-conflicts` left out, with why.
    pub skipped: Vec<Skipped>,
    /// The external reference was already booked: this is its series.
    pub idempotent: bool,
    /// The name the patient had, when this booking's name replaced it.
    pub renamed_from: Option<String>,
}

/// A series' occurrences cancelled or moved together.
#[derive(Debug, Clone)]
pub struct SeriesChanged {
    pub series_id: String,
    pub appointments: Vec<Appointment>,
}

/// An occurrence that could not be booked or moved.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub date: NaiveDate,
    pub error: Error,
}

/// Books the series `repeat` (`r`'s, checked) asks for, made by `actor`,
/// inside the caller's write transaction: [`book::book_in`] chooses it.
pub(super) fn book_in(
    tx: &Tx,
    r: &BookRequest,
    c: &Checked,
    repeat: &Repeat,
    keys: &Keys,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<SeriesBooked> {
    // Rules 2 and 3, once for the series.
    let mut p = book::prepare(tx, r, c)?;
    if let Some(found) = book::already_booked(tx, c, &p)? {
        return again(tx, found);
    }
    // Rules 4–8 for each date; nothing is written before all are judged.
    let clinic = &p.target.clinic;
    let today = time::local_today(clinic.timezone, now);
    let mut none = Problems::default();
    let order = clinic.settings.date_order();
    let first = parse_when(&r.when, today, Some(order), &mut none);
    none.finish()?;
    let first = first
        .ok_or_else(|| Error::field("time", crate::text::msg!("e-date_and_time_are_required")))?;
    let (date, minutes) = local_of(clinic.timezone, first);
    // A series naming no service takes the one its first visit's window
    // implies (docs/rules.md#who-does-what).
    if p.service.is_none() {
        let start = super::schedule::resolve_when(clinic, first)?;
        p.service = super::schedule::implied_service(tx, &p.target, start)?;
    }
    let clinic = &p.target.clinic;
    let req = p.request(r);
    let patient_id = p.existing.as_ref().map(|e| e.id.as_str());
    let mut spots: Vec<Placement> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let dates = repeat.dates(date, today, order)?;
    // The windows and closures of every date, read once.
    let last = dates.last().copied().unwrap_or(date);
    let calendar = Calendar::load(tx, &p.target, date, last)?;
    for (i, day) in dates.into_iter().enumerate() {
        // The first keeps what was typed (an offset, an instant); the rest
        // are the same local time on their own date.
        let when = if i == 0 {
            first
        } else {
            When::Local(day, minutes)
        };
        let placed = resolve_when(clinic, when)
            .and_then(|start| place_on(tx, now, &calendar, start, &req, patient_id, None));
        match placed {
            Ok(spot) => spots.push(spot),
            Err(e) if series::skippable(e.code) => skipped.push(Skipped {
                date: day,
                error: e,
            }),
            Err(e) => return Err(e),
        }
    }
    if !series::goes_ahead(spots.len(), skipped.len(), repeat.skip_conflicts) {
        return Err(refused(
            Doing::Booking,
            spots.len() + skipped.len(),
            &skipped,
        ));
    }
    // Rule 9: the patient once, then every occurrence.
    let who = book::write_patient(tx, c, &p, keys, now)?;
    let series_id = store::new_id();
    let mut booked = Vec::with_capacity(spots.len());
    for (i, spot) in spots.iter().enumerate() {
        let series = Some((series_id.as_str(), i == 0));
        let token = book::token(tx, &p, spot)?;
        let saved = book::insert(tx, r, c, &p, (spot, None), token, &who, series, now)?;
        book::tell(tx, r, &saved, &who, i == 0, actor, now)?;
        booked.push(saved);
        super::test_pause(&format!("series:book:{}", booked.len()));
    }
    // One confirmation covers the series.
    let send = clinic.settings.notify && !r.no_notify;
    let summary = summary(&booked);
    let news = News::Booked {
        series: Some(&summary),
    };
    notify::tell(tx, send, &booked[0], news, now)?;
    book::as_stored(tx, &booked)?;
    Ok(SeriesBooked {
        series_id,
        appointments: booked,
        skipped,
        idempotent: false,
        renamed_from: who.renamed_from,
    })
}

/// The answer to a series booked again with the same external reference:
/// the series as it is now (or the single appointment holding it).
fn again(tx: &Tx, found: Appointment) -> Result<SeriesBooked> {
    let appointments = match &found.series_id {
        Some(s) => crate::store::series::of_series(tx, s, None)?,
        None => vec![found.clone()],
    };
    Ok(SeriesBooked {
        series_id: found.series_id.clone().unwrap_or_default(),
        appointments,
        skipped: Vec::new(),
        idempotent: true,
        renamed_from: None,
    })
}

/// The local date and minutes of a requested start.
fn local_of(tz: crate::core::zone::Tz, when: When) -> (NaiveDate, i64) {
    match when {
        When::Local(d, m) | When::LocalAt(d, m, _) => (d, m),
        When::At(t) => {
            let local = t.with_timezone(&tz);
            let m = local.time().signed_duration_since(chrono::NaiveTime::MIN);
            (local.date_naive(), m.num_minutes())
        }
    }
}

/// What a series refusal is about.
#[derive(Clone, Copy, PartialEq)]
enum Doing {
    Booking,
    Moving,
}

/// `SERIES_REFUSED`: each failing date with its code, message and suggested times.
fn refused(doing: Doing, total: usize, failed: &[Skipped]) -> Error {
    let occurrences: Vec<Value> = failed
        .iter()
        .map(|s| {
            json!({
                "date": s.date.to_string(),
                "code": s.error.code.as_str(),
                "message": s.error.message,
                "suggested_times": s.error.details.get("suggested_times").cloned().unwrap_or_else(|| json!([])),
            })
        })
        .collect();
    let mut list: Vec<String> = failed
        .iter()
        .take(3)
        .map(|s| format!("{} {}", s.date, s.error.code.as_str()))
        .collect();
    if failed.len() > 3 {
        list.push("…".into());
    }
    let (n, list) = (failed.len(), list.join(", "));
    let (message, hint) = match doing {
        Doing::Booking => (
            crate::text::msg!(
                "e-series_cannot_be_booked",
                n = n,
                total = total,
                list = list
            ),
            crate::text::msg!("e-series_skip_conflicts_hint"),
        ),
        Doing::Moving => (
            crate::text::msg!(
                "e-series_cannot_be_moved",
                n = n,
                total = total,
                list = list
            ),
            crate::text::msg!("e-series_move_hint"),
        ),
    };
    Error::new(Code::SeriesRefused, message)
        .details(json!({"occurrences": occurrences, "total": total}))
        .hint(hint)
}

/// What one message about a series says of it: how many occurrences it
/// covers and the last one's date.
fn summary(list: &[Appointment]) -> Value {
    json!({
        "count": list.len(),
        "last_date": list.last().map(|a| a.local_date.to_string()),
    })
}

/// The series of an appointment: its ID, or an error naming why not.
fn series_of(a: &Appointment) -> Result<String> {
    a.series_id.clone().ok_or_else(|| {
        Error::field(
            "series",
            crate::text::msg!("e-not_part_of_a_series", a = &a.id[..8]),
        )
    })
}

/// `cancel ID --series`: the occurrence and every later active one, with one
/// reason, in one transaction; one message tells the patient.
pub(super) fn cancel(
    st: &mut Store,
    c: &CancelRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<SeriesChanged> {
    let (reason, told) = change::cancel_reason(c)?;
    st.write(|tx| {
        let a = super::appointment_ref::find(tx, &c.id, now)?;
        let series = series_of(&a)?;
        let list = from_on(tx, &series, &a, c.seen_from.as_deref())?;
        let summary = summary(&list);
        let mut done = Vec::with_capacity(list.len());
        for (i, o) in list.into_iter().enumerate() {
            // Each by its own clinic's rules: one moved to another clinic
            // has that clinic's cancellation window (each clinic read once
            // a transaction: `clinics::get`).
            let settings = clinics::get(tx, &o.clinic_id)?.settings;
            let news = Notice {
                send: i == 0 && settings.notify && !c.no_notify,
                series: Some(&summary),
            };
            done.push(change::cancel_one(
                tx,
                o,
                &reason,
                told.as_deref(),
                c.force,
                settings.cancel_window,
                news,
                actor,
                now,
            )?);
            super::test_pause(&format!("series:cancel:{}", done.len()));
        }
        Ok(SeriesChanged {
            series_id: series,
            appointments: done,
        })
    })
}

/// The occurrences of `series` from `a` on that a series change covers: `a`
/// itself (whatever its status, so that its own rule answers) and every
/// later active one; for a caller limited to clinic `seen_from` (a clinic's
/// token), those at that clinic only: one the desk moved to another clinic
/// is not the token's to change, nor to learn of.
fn from_on(
    tx: &Tx,
    series: &str,
    a: &Appointment,
    seen_from: Option<&str>,
) -> Result<Vec<Appointment>> {
    let mut list = vec![a.clone()];
    list.extend(
        crate::store::series::of_series(tx, series, Some(a.starts_at))?
            .into_iter()
            .filter(|o| o.id != a.id && seen_from.is_none_or(|c| o.clinic_id == c)),
    );
    Ok(list)
}

/// `reschedule ID --series --time HH:MM`: the occurrence and every later
/// active one to a new local time, each on its own date; all or nothing.
pub(super) fn reschedule(
    st: &mut Store,
    r: &RescheduleRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<SeriesChanged> {
    let mut bad = Problems::default();
    if r.when.date.is_some() || r.when.at.is_some() || r.doctor.is_some() {
        bad.add("series", crate::text::msg!("e-series_moves_by_time"));
    }
    let minutes = match r.when.time.as_deref() {
        None => {
            bad.add("time", crate::text::msg!("e-time_required_to_move_series"));
            None
        }
        Some(t) => bad.take("time", time::parse_hhmm(t, false)),
    };
    let why = change::check_move(r, &mut bad);
    bad.finish()?;
    let minutes = minutes.unwrap_or_default();
    st.write(|tx| {
        let a = super::appointment_ref::find(tx, &r.id, now)?;
        let series = series_of(&a)?;
        let list = from_on(tx, &series, &a, r.seen_from.as_deref())?;
        let mut moves = Vec::with_capacity(list.len());
        let mut failed = Vec::new();
        for o in list {
            let date = o.local_date;
            // At its own clinic, by that clinic's zone and hours: one moved
            // to another clinic stays there.
            let home = clinics::get(tx, &o.clinic_id)?;
            match plan_move(tx, &o, &home, minutes, r, now) {
                Ok(Some((t, spot))) => moves.push((o, t, spot)),
                Ok(None) => {}
                Err(e) if series::skippable(e.code) => failed.push(Skipped { date, error: e }),
                Err(e) => return Err(e),
            }
        }
        if !failed.is_empty() {
            return Err(refused(Doing::Moving, moves.len() + failed.len(), &failed));
        }
        let summary = summary(&moves.iter().map(|m| m.0.clone()).collect::<Vec<_>>());
        let mut done = Vec::with_capacity(moves.len());
        for (i, (o, t, spot)) in moves.into_iter().enumerate() {
            let news = Notice {
                send: i == 0 && t.clinic.settings.notify && !r.no_notify,
                series: Some(&summary),
            };
            done.push(change::move_to(
                tx,
                o,
                &t,
                &spot,
                r,
                why.as_deref(),
                news,
                actor,
                now,
            )?);
            super::test_pause(&format!("series:move:{}", done.len()));
        }
        Ok(SeriesChanged {
            series_id: series,
            appointments: done,
        })
    })
    .map_err(|e| super::seen::refusal(st, e, r.seen_from.as_deref()))
}

/// One occurrence's move to `minutes` on its own date, judged as a
/// reschedule is; None when it is there already.
fn plan_move(
    tx: &Tx,
    o: &Appointment,
    home: &crate::core::Clinic,
    minutes: i64,
    r: &RescheduleRequest,
    now: DateTime<Utc>,
) -> Result<Option<(super::schedule::Target, Placement)>> {
    change::check_movable(o, home.settings.cancel_window, r.force, now)?;
    let t = change::home_target(tx, o, home.clone())?;
    let start = resolve_when(&t.clinic, When::Local(o.local_date, minutes))?;
    Ok(change::place_move(tx, now, o, &t, start, r)?.map(|spot| (t, spot)))
}

/// `list --series`: a series by its ID (or a unique prefix), or by the ID of
/// one of its occurrences; for a caller limited to clinic `seen_from` (a
/// clinic's token), among that clinic's appointments only, an occurrence
/// by its whole ID, so that no other clinic's series or visit is named.
pub fn find(tx: &Tx, input: &str, seen_from: Option<&str>) -> Result<String> {
    let input = input.trim().to_ascii_lowercase();
    let found = crate::store::series::series_like(tx, &input, seen_from, 2)?;
    match found.as_slice() {
        [one] => return Ok(one.clone()),
        [_, _] => {
            return Err(Error::new(
                Code::AmbiguousId,
                crate::text::msg!("e-prefix_starts_several_series", input = input),
            )
            .details(json!({"candidates": found})))
        }
        _ => {}
    }
    let occurrence = match seen_from {
        None => appointments::find(tx, &input),
        Some(clinic) => appointments::get(tx, &input).and_then(|a| {
            if a.clinic_id == clinic {
                Ok(a)
            } else {
                Err(Error::not_found(crate::error::Entity::Appointment))
            }
        }),
    };
    match occurrence {
        Ok(a) => series_of(&a),
        Err(e) if e.code == Code::NotFound => Err(Error::not_found(crate::error::Entity::Series)),
        Err(e) => Err(e),
    }
}
