//! Changes to an existing appointment: `reschedule`, `cancel`, `set_status`,
//! `update`. Each writes the appointment and records its event in one
//! transaction, naming the actor the front end hands over (docs/rules.md#events),
//! and returns the appointment as saved. A move or a cancellation of a
//! series (the request's `series`) is [`super::series`]'s, chosen here.

use super::notify::{self, News};
use super::schedule::{
    parse_when, place, resolve_when, target, token_scope, Placement, Target, WhenInput,
};
use super::series::{self, SeriesChanged};
use super::values::{self, check_text, Problems};
use super::visit::{VisitChecked, VisitInput};
use super::{appointment_ref, waitlist};
use crate::core::slots::Request;
use crate::core::{changes, status as machine, time, words, Actor, Appointment, Clinic, Status};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{appointments, clinics, doctors, events, patients, queue, reminders, Store};
use crate::wire;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

/// Saves the appointment and records its event with `extra` data, made by
/// `actor`; returns it as saved.
fn commit(
    tx: &Tx,
    a: &Appointment,
    kind: &str,
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

fn follow_up(tx: &Tx, a: &Appointment, v: &str, now: DateTime<Utc>) -> Result<NaiveDate> {
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

/// What a move or a cancellation changed: one appointment, or a series'
/// occurrences (a request with `series`).
// Returned once per request and matched at once: boxing the one
// appointment would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Changed {
    One(Appointment),
    Series(SeriesChanged),
}

impl Changed {
    /// The appointments changed: the one, or the series' occurrences in
    /// date order.
    pub fn appointments(&self) -> &[Appointment] {
        match self {
            Changed::One(a) => std::slice::from_ref(a),
            Changed::Series(s) => &s.appointments,
        }
    }
}

/// Moves the appointment `r.id`, or with `r.series` it and the later
/// occurrences of its series, made by `actor`.
pub fn reschedule(
    st: &mut Store,
    r: &RescheduleRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changed> {
    if r.series {
        return series::reschedule(st, r, actor, now).map(Changed::Series);
    }
    reschedule_appointment(st, r, actor, now).map(Changed::One)
}

fn reschedule_appointment(
    st: &mut Store,
    r: &RescheduleRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let mut bad = Problems::default();
    let _ = parse_when(&r.when, now.date_naive(), None, &mut bad);
    let why = check_move(r, &mut bad);
    bad.finish()?;
    st.write(|tx| {
        let a = appointment_ref::find(tx, &r.id, now)?;
        let (t, cancel_window) = destination(tx, r, &a)?;
        check_movable(&a, cancel_window, r.force, now)?;
        let start = new_start(r, &a, &t, now)?;
        let Some(spot) = place_move(tx, now, &a, &t, start, r.duration)? else {
            // Moving to the time it already has changes nothing and records nothing.
            return Ok(a);
        };
        let send = t.clinic.settings.notify && !r.no_notify;
        let news = Notice { send, series: None };
        move_to(tx, a, &t, &spot, r, why.as_deref(), news, actor, now)
    })
    .map_err(|e| super::seen::refusal(st, e, r.seen_from.as_deref()))
}

/// Rule 1 for a move's own values (its length and reason; problems go to
/// `bad`): the reason, checked.
pub(super) fn check_move(r: &RescheduleRequest, bad: &mut Problems) -> Option<String> {
    if let Some(d) = r.duration {
        bad.take("duration", values::minutes_in("duration", d, 5, 480));
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

/// Whether the appointment `id` may move now without `--force`: its status,
/// and the cancellation window of its clinic (what a terminal checks before
/// it asks the new date and time, docs/rules.md#reschedule-and-cancel).
pub fn may_move(st: &mut Store, id: &str, now: DateTime<Utc>) -> Result<()> {
    st.read(|tx| {
        let a = appointment_ref::find(tx, id, now)?;
        let clinic = clinics::get(tx, &a.clinic_id)?;
        check_movable(&a, clinic.settings.cancel_window, false, now)
    })
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
    duration: Option<i64>,
) -> Result<Option<Placement>> {
    let doctor = t.doctor.as_ref().map(|d| d.id.as_str());
    let duration = duration.unwrap_or(a.duration_minutes);
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
fn destination(tx: &Tx, r: &RescheduleRequest, a: &Appointment) -> Result<(Target, i64)> {
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
        clinic: home,
        doctor: a
            .doctor_id
            .as_deref()
            .map(|d| doctors::get(tx, d))
            .transpose()?,
    })
}

/// The new start: `--time` alone keeps the date, `--date` alone keeps the time.
fn new_start(
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
    let saved = commit(
        tx,
        &a,
        "appointment.rescheduled",
        json!({"reason": why, "forced": r.force}),
        actor,
        now,
    )?;
    // After the move: the old times never meet the one-at-a-time constraint.
    appointments::set_solo(tx, &a.id, spot.solo())?;
    waitlist::offer_freed(tx, &before, now)?;
    waitlist::booked(
        tx,
        &saved.patient_id,
        saved.doctor_id.as_deref(),
        saved.local_date,
        now,
    )?;
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
}

/// Cancels the appointment `c.id`, or with `c.series` it and the later
/// active occurrences of its series, made by `actor`.
pub fn cancel(
    st: &mut Store,
    c: &CancelRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Changed> {
    if c.series {
        return series::cancel(st, c, actor, now).map(Changed::Series);
    }
    cancel_appointment(st, c, actor, now).map(Changed::One)
}

fn cancel_appointment(
    st: &mut Store,
    c: &CancelRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let (reason, told) = cancel_reason(c)?;
    st.write(|tx| {
        let a = appointment_ref::find(tx, &c.id, now)?;
        let settings = clinics::get(tx, &a.clinic_id)?.settings;
        let news = Notice {
            send: settings.notify && !c.no_notify,
            series: None,
        };
        cancel_one(
            tx,
            a,
            &reason,
            told.as_deref(),
            c.force,
            settings.cancel_window,
            news,
            actor,
            now,
        )
    })
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
        "appointment.cancelled",
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

/// A move along the status line (docs/rules.md#statuses).
#[derive(Debug, Clone, Default)]
pub struct StatusRequest {
    pub id: String,
    pub status: String,
    pub diagnosis: Option<String>,
    pub prescription: Option<String>,
    pub follow_up: Option<String>,
    pub notes: Option<String>,
}

impl StatusRequest {
    /// Rule 1: the status (required, one of the marks) and the texts it fills in.
    pub fn check(&self) -> Result<(Status, Filled)> {
        if self.status.is_empty() {
            return Err(Error::field(
                "status",
                crate::text::msg!("e-status_is_required"),
            ));
        }
        let to = words::status(&self.status).ok_or_else(|| {
            Error::field(
                "status",
                crate::text::msg!("e-status_must_be_confirmed_checked_in_in"),
            )
        })?;
        let mut bad = Problems::default();
        let diagnosis = check_text("diagnosis", self.diagnosis.as_deref(), &mut bad);
        let prescription = check_text("prescription", self.prescription.as_deref(), &mut bad);
        let notes = check_text("notes", self.notes.as_deref(), &mut bad);
        bad.finish()?;
        let filled = Filled {
            diagnosis,
            prescription,
            notes,
            follow_up: self.follow_up.clone(),
        };
        Ok((to, filled))
    }
}

/// [`set_status`]'s answer: the appointment, and whether it was in that
/// status already (nothing to fill in given), which changes nothing.
#[derive(Debug)]
pub struct StatusSet {
    pub appointment: Appointment,
    pub already: bool,
}

pub fn set_status(
    st: &mut Store,
    s: &StatusRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<StatusSet> {
    let (to, filled) = s.check()?;
    st.write(|tx| {
        let a = appointment_ref::find(tx, &s.id, now)?;
        // Asked for what it is: said so, nothing written (a final status
        // is refused as any change of it is).
        if a.status == to && !to.is_final() && filled.is_empty() {
            return Ok(StatusSet {
                appointment: a,
                already: true,
            });
        }
        Ok(StatusSet {
            appointment: advance(tx, a, to, filled, actor, now)?,
            already: false,
        })
    })
}

/// What a status change may fill in.
#[derive(Default)]
pub struct Filled {
    pub diagnosis: Option<String>,
    pub prescription: Option<String>,
    pub notes: Option<String>,
    pub follow_up: Option<String>,
}

impl Filled {
    fn is_empty(&self) -> bool {
        self.diagnosis.is_none()
            && self.prescription.is_none()
            && self.notes.is_none()
            && self.follow_up.is_none()
    }
}

/// Moves `a` to `to` inside the caller's write transaction, by the rules of
/// docs/rules.md#statuses, and records the event, made by `actor`.
pub fn advance(
    tx: &Tx,
    mut a: Appointment,
    to: Status,
    f: Filled,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let Filled {
        diagnosis,
        prescription,
        notes,
        follow_up: follow,
    } = f;
    machine::check_transition(a.status, to, now, a.starts_at)?;
    machine::check_visit_day(
        a.status,
        to,
        a.local_date,
        time::local_today(a.timezone, now),
    )?;
    let clinic = clinics::get(tx, &a.clinic_id)?;
    if to == Status::Completed
        && clinic.settings.require_diagnosis
        && diagnosis.is_none()
        && a.diagnosis.is_none()
    {
        return Err(Error::field(
            "diagnosis",
            crate::text::msg!("e-diagnosis_is_required_to_complete_an_appointment"),
        ));
    }
    if let Some(f) = &follow {
        a.follow_up_date = Some(follow_up(tx, &a, f, now)?);
        a.follow_up_required = true;
    }
    a.diagnosis = diagnosis.or(a.diagnosis.take());
    a.prescription = prescription.or(a.prescription.take());
    a.notes = notes.or(a.notes.take());
    let at = Some(now);
    match to {
        Status::Confirmed => a.confirmed_at = at,
        Status::CheckedIn => a.checked_in_at = at,
        Status::InProgress => a.started_at = at,
        // A finished visit needs no reminder of it (docs/commands.md#appt-export: `check` flags one).
        Status::Completed => {
            a.completed_at = at;
            reminders::cancel_pending(tx, &a.id, now)?;
        }
        Status::NoShow => {
            a.no_show_at = at;
            patients::count_no_show(tx, &a.patient_id, now)?;
            reminders::cancel_pending(tx, &a.id, now)?;
        }
        Status::Scheduled | Status::Cancelled => {}
    }
    a.status = to;
    a.updated_at = now;
    commit(
        tx,
        &a,
        &format!("appointment.{}", to.as_str()),
        json!({}),
        actor,
        now,
    )
}

/// Edits of an active appointment's text fields and follow-up.
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    pub id: String,
    pub reason: Option<String>,
    pub notes: Option<String>,
    pub diagnosis: Option<String>,
    pub prescription: Option<String>,
    pub follow_up: Option<String>,
    pub no_follow_up: bool,
    /// What kind of visit (docs/rules.md#visits); None leaves each as it is.
    pub visit: VisitInput,
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

pub fn update(
    st: &mut Store,
    u: &UpdateRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let mut bad = Problems::default();
    let fields = [
        (
            "reason",
            check_text("reason", u.reason.as_deref(), &mut bad),
        ),
        ("notes", check_text("notes", u.notes.as_deref(), &mut bad)),
        (
            "diagnosis",
            check_text("diagnosis", u.diagnosis.as_deref(), &mut bad),
        ),
        (
            "prescription",
            check_text("prescription", u.prescription.as_deref(), &mut bad),
        ),
    ];
    let given = ("follow_up", u.follow_up.is_some());
    super::values::not_both(&mut bad, given, ("no_follow_up", u.no_follow_up));
    let visit = u.visit.check(&mut bad);
    bad.finish()?;
    if fields.iter().all(|(_, v)| v.is_none())
        && u.follow_up.is_none()
        && !u.no_follow_up
        && u.visit.is_empty()
    {
        return Err(Error::field(
            "fields",
            crate::text::msg!("e-nothing_to_change_give_reason_notes_diagnosis"),
        ));
    }
    st.write(|tx| {
        let mut a = appointment_ref::find(tx, &u.id, now)?;
        if a.status.is_final() {
            return Err(Error::new(
                Code::InvalidStateTransition,
                crate::text::msg!(
                    "e-cannot_update_a_appointment",
                    a = crate::text::Arg::word("status-", a.status.as_str())
                ),
            )
            .details(json!({"status": a.status.as_str()})));
        }
        let mut changed: Vec<&str> = Vec::new();
        for (name, v) in fields {
            if let Some(v) = v {
                changed.push(name);
                let slot = match name {
                    "reason" => &mut a.reason,
                    "notes" => &mut a.notes,
                    "diagnosis" => &mut a.diagnosis,
                    _ => &mut a.prescription,
                };
                *slot = Some(v);
            }
        }
        if let Some(f) = &u.follow_up {
            a.follow_up_date = Some(follow_up(tx, &a, f, now)?);
            a.follow_up_required = true;
            changed.push("follow_up");
        }
        if u.no_follow_up {
            a.follow_up_date = None;
            a.follow_up_required = false;
            changed.push("follow_up");
        }
        changed.extend(visit_changes(tx, &mut a, &visit)?);
        a.updated_at = now;
        commit(
            tx,
            &a,
            "appointment.updated",
            json!({"changed": changed}),
            actor,
            now,
        )
    })
}
