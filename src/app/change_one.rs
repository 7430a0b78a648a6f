//! One appointment moved or cancelled (docs/rules.md#changes): the
//! requests, the checks, the move's new place and the change committed with
//! its events and messages. Below both [`super::change`], which chooses
//! one appointment or a series, and [`super::series`], which changes each
//! occurrence through these.

use super::notify::{self, News};
use super::schedule::{parse_when, place, resolve_when, target, Placement, Target, WhenInput};
use super::values::{self, check_text, Problems};
use super::visit::{VisitChecked, VisitInput};
use super::waitlist;
use crate::core::check::token_scope;
use crate::core::slots::Request;
use crate::core::{
    changes, status as machine, time, Actor, Appointment, Clinic, EventKind, Status,
};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::{appointments, clinics, doctors, events, queue, reminders, resources};
use crate::wire;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

/// Saves the appointment and records its event with `extra` data, made by
/// `actor`; returns it as saved.
pub(super) fn commit(
    tx: &Tx,
    a: &Appointment,
    kind: EventKind,
    extra: Value,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let before = appointments::get(tx, &a.id)?;
    appointments::save(tx, a)?;
    let saved = appointments::get(tx, &a.id)?;
    // What is stored is what changed, with its values before
    // (docs/rules.md#events): the object is rebuilt on reading.
    let mut data = json!({ "was": changes::was(&before, &saved) });
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    events::record(tx, kind, &saved.id, &data, actor, now)?;
    Ok(saved)
}

pub(super) fn follow_up(
    tx: &Tx,
    a: &Appointment,
    v: &str,
    now: DateTime<Utc>,
) -> Result<NaiveDate> {
    let order = clinics::get(tx, &a.clinic_id)?.settings.date_order();
    time::parse_date(v, time::local_today(a.timezone, now), order)
        .map_err(|e| Error::field("follow_up", e))
}

/// A move to another time (or doctor).
#[derive(Debug, Clone, Default)]
pub struct RescheduleRequest {
    pub id: String,
    /// `--clinic` (or `$APPT_CLINIC`), for a move to another doctor.
    pub clinic: Option<String>,
    pub when: WhenInput,
    pub doctor: Option<String>,
    pub duration: Option<i64>,
    pub reason: Option<String>,
    pub force: bool,
    /// The desk's `--force` also books past a busy time in the doctor's
    /// own calendar (docs/calendars.md); a program's `force` does not.
    pub past_calendar: bool,
    /// `--no-notify`: no message for the patient.
    pub no_notify: bool,
    /// The clinic a caller limited to one sees from (an API token's,
    /// docs/security.md#clinics-apart): another clinic's appointments are
    /// never named.
    pub seen_from: Option<String>,
    /// `--series`: this occurrence and every later active one of its series
    /// move to `when.time`, each on its own date.
    pub series: bool,
    /// What kind of visit (docs/rules.md#visits) it becomes; None keeps
    /// each as it was (the visit type too: it is not derived again).
    pub visit: VisitInput,
}

/// Rule 1 for a move's own values (its length and reason; problems go to
/// `bad`): the reason, checked.
pub(super) fn check_move(r: &RescheduleRequest, bad: &mut Problems) -> Option<String> {
    if let Some(d) = r.duration {
        bad.take("duration", values::length_minutes("duration", d));
    }
    let _ = r.visit.check(bad);
    check_text("reason", r.reason.as_deref(), bad)
}

/// Whether `a` may move now: its status, and the cancellation window of the
/// clinic it moves from (`force` past it).
pub(super) fn check_movable(
    a: &Appointment,
    cancel_window: i64,
    force: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    machine::check_reschedule(a.status)?;
    machine::check_cancel_window(now, a.starts_at, cancel_window, force)
}

/// Where a move of `a` to `start` with `t` lands, by rules 5–8, for its
/// service and buffers and `duration` (else its own length); None when that
/// is where it is already.
pub(super) fn place_move(
    tx: &Tx,
    now: DateTime<Utc>,
    a: &Appointment,
    t: &Target,
    start: (DateTime<Utc>, NaiveDate),
    r: &RescheduleRequest,
) -> Result<Option<Placement>> {
    let doctor = t.doctor.as_ref().map(|d| d.id.as_str());
    let duration = r.duration.unwrap_or(a.duration_minutes);
    if start.0 == a.starts_at && doctor == a.doctor_id.as_deref() && duration == a.duration_minutes
    {
        return Ok(None);
    }
    let req = Request {
        duration: Some(duration),
        service_id: a.service_id.as_deref(),
        session: None,
        // A move keeps the buffers it was booked with (docs/rules.md#buffers).
        buffer_before: a.buffer_before,
        buffer_after: a.buffer_after,
        resource: None,
        outside_ok: r.past_calendar,
    };
    place(tx, now, t, start, &req, Some(&a.patient_id), Some(&a.id)).map(Some)
}

/// Whether a change is told to the patient, and the series it covers
/// (docs/rules.md#series: one message for a series' change).
#[derive(Clone, Copy)]
pub(super) struct Notice<'a> {
    pub send: bool,
    pub series: Option<&'a Value>,
}

/// Where a move goes: the doctor asked for (at the clinic asked for), else
/// the appointment's own; and the cancellation window of the clinic it is
/// moved from.
pub(super) fn destination(
    tx: &Tx,
    r: &RescheduleRequest,
    a: &Appointment,
) -> Result<(Target, i64)> {
    let home = clinics::get(tx, &a.clinic_id)?;
    let cancel_window = home.settings.cancel_window;
    let t = match &r.doctor {
        Some(d) => target(tx, r.clinic.as_deref(), Some(d))?,
        None => home_target(tx, a, home)?,
    };
    Ok((t, cancel_window))
}

/// The appointment's own doctor (or clinic-wide) at `home`, its clinic.
pub(super) fn home_target(tx: &Tx, a: &Appointment, home: Clinic) -> Result<Target> {
    Ok(Target {
        clinic: std::sync::Arc::new(home),
        doctor: a
            .doctor_id
            .as_deref()
            .map(|d| doctors::get(tx, d))
            .transpose()?,
    })
}

/// The new start: `--time` alone keeps the date, `--date` alone keeps the time.
pub(super) fn new_start(
    r: &RescheduleRequest,
    a: &Appointment,
    t: &Target,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, NaiveDate)> {
    let (date, hm) = time::to_local(a.timezone, a.starts_at);
    let given = if r.when.at.is_some() {
        r.when.clone()
    } else {
        WhenInput {
            date: r.when.date.clone().or(Some(date.to_string())),
            time: r.when.time.clone().or(Some(hm)),
            at: None,
        }
    };
    let mut bad = Problems::default();
    let when = parse_when(
        &given,
        time::local_today(t.clinic.timezone, now),
        Some(t.clinic.settings.date_order()),
        &mut bad,
    );
    bad.finish()?;
    let when = when.ok_or_else(|| {
        Error::field(
            "time",
            crate::text::msg!("e-date_or_time_or_at_is_required"),
        )
    })?;
    resolve_when(&t.clinic, when)
}

/// Writes the move to `spot`: a new token when the doctor or the date
/// changes, back to `scheduled`, reminders again, the event, the freed time
/// offered to the waitlist, and the patient told.
#[allow(clippy::too_many_arguments)]
pub(super) fn move_to(
    tx: &Tx,
    mut a: Appointment,
    t: &Target,
    spot: &Placement,
    r: &RescheduleRequest,
    why: Option<&str>,
    news: Notice,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let before = a.clone();
    let old_scope = token_scope(a.doctor_id.as_deref(), a.window_id.as_deref().unwrap_or(""));
    let scope = t.token_scope(spot.window_id().unwrap_or_default());
    if scope != old_scope || spot.date != a.local_date {
        a.token_number = queue::next_token(tx, &scope, spot.date)?;
    }
    a.clinic_id = t.clinic.id.clone();
    a.doctor_id = t.doctor.as_ref().map(|d| d.id.clone());
    a.window_id = spot.window_id().map(String::from);
    a.local_date = spot.date;
    a.starts_at = spot.start;
    a.ends_at = spot.end;
    a.duration_minutes = spot.duration;
    a.session = spot.session();
    a.batch = spot.batch();
    // Moved by the rules: what it once passed over is behind it (the
    // event keeps it, docs/rules.md#overbooking).
    a.overbooked = None;
    a.status = Status::Scheduled;
    a.confirmed_at = None;
    a.updated_at = now;
    // Its words were read by rule 1 (`check_move`); the payer at its clinic now.
    let mut unread = Problems::default();
    let visit = r.visit.check(&mut unread);
    unread.finish()?;
    visit_changes(tx, &mut a, &visit)?;
    reminders::cancel_pending(tx, &a.id, now)?;
    reminders::schedule(tx, &a.id, a.starts_at, &t.clinic.settings.reminders, now)?;
    // Its rooms and equipment for the new time (docs/rules.md#rooms-and-equipment).
    let given: Vec<&str> = spot.resources.iter().map(|r| r.id.as_str()).collect();
    resources::give(tx, &a, &given, &spot.resources_overbooked)?;
    let saved = commit(
        tx,
        &a,
        EventKind::Rescheduled,
        json!({"reason": why, "forced": r.force}),
        actor,
        now,
    )?;
    // After the move: the old times never meet the one-at-a-time constraint.
    appointments::set_solo(tx, &a.id, spot.solo())?;
    waitlist::offer_freed(tx, &before, now)?;
    waitlist::booked(tx, &saved, now)?;
    notify::tell(
        tx,
        news.send,
        &saved,
        News::Moved {
            previous: &wire::previous(&before),
            series: news.series,
        },
        now,
    )?;
    Ok(saved)
}

/// A cancellation; the reason is required. The reason is the desk's, kept
/// on the appointment and never sent; `tell_patient` is what the patient's
/// message says (docs/rules.md#reschedule-and-cancel).
#[derive(Debug, Clone, Default)]
pub struct CancelRequest {
    pub id: String,
    pub reason: Option<String>,
    /// The reason the patient is told, if any.
    pub tell_patient: Option<String>,
    pub force: bool,
    /// `--no-notify`: no message for the patient.
    pub no_notify: bool,
    /// `--series`: this occurrence and every later active one of its series.
    pub series: bool,
    /// The clinic of a caller limited to one (a clinic's token): a series'
    /// occurrences at another clinic are left as they are.
    pub seen_from: Option<String>,
}

/// A cancellation's reasons, checked: the desk's (required) and the one
/// the patient is told (if any).
pub(super) fn cancel_reason(c: &CancelRequest) -> Result<(String, Option<String>)> {
    let mut bad = Problems::default();
    let reason = check_text("reason", c.reason.as_deref(), &mut bad);
    let told = check_text("tell_patient", c.tell_patient.as_deref(), &mut bad);
    bad.finish()?;
    let reason = reason.ok_or_else(|| {
        Error::field("reason", crate::text::msg!("e-reason_is_required"))
            .hint(crate::text::msg!("e-give_the_reason"))
    })?;
    Ok((reason, told))
}

/// Cancels `a` inside the caller's write transaction: the status rules and
/// the clinic's cancellation window (`force` past it), its pending
/// reminders withdrawn, the event, the freed time offered to the waitlist,
/// and the patient told as `news` says: with `told`, never with the desk's
/// `reason`.
#[allow(clippy::too_many_arguments)]
pub(super) fn cancel_one(
    tx: &Tx,
    mut a: Appointment,
    reason: &str,
    told: Option<&str>,
    force: bool,
    cancel_window: i64,
    news: Notice,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    machine::check_cancel(a.status)?;
    machine::check_cancel_window(now, a.starts_at, cancel_window, force)?;
    a.status = Status::Cancelled;
    a.cancelled_at = Some(now);
    a.cancellation_reason = Some(reason.to_string());
    a.updated_at = now;
    reminders::cancel_pending(tx, &a.id, now)?;
    let saved = commit(
        tx,
        &a,
        EventKind::Cancelled,
        json!({"forced": force}),
        actor,
        now,
    )?;
    waitlist::offer_freed(tx, &saved, now)?;
    let told = News::Cancelled {
        reason: told,
        series: news.series,
    };
    notify::tell(tx, news.send, &saved, told, now)?;
    Ok(saved)
}

/// Puts the kind of visit given onto `a` (the payer read at its clinic);
/// the names of the fields given.
pub(super) fn visit_changes(
    tx: &Tx,
    a: &mut Appointment,
    visit: &VisitChecked,
) -> Result<Vec<&'static str>> {
    let payer = match visit.names_payer() {
        true => visit.payer(&clinics::get(tx, &a.clinic_id)?)?,
        false => None,
    };
    visit.apply(&mut a.row, payer);
    Ok([
        ("urgency", visit.urgency.is_some()),
        ("modality", visit.modality.is_some()),
        ("visit_type", visit.visit_type.is_some()),
        ("payer", visit.names_payer()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect())
}
