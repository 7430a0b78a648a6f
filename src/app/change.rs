//! Changes to an existing appointment: `reschedule`, `cancel`, `set_status`,
//! `update`. Each writes the appointment and records its event in one
//! transaction, naming the actor the front end hands over (docs/rules.md#events),
//! and returns the appointment as saved. A move or a cancellation of a
//! series (the request's `series`) is [`super::series`]'s, chosen here.

use super::appointment_ref;
use super::change_one::{
    cancel_one, cancel_reason, check_movable, check_move, commit, destination, follow_up, move_to,
    new_start, place_move, visit_changes, Notice,
};
pub use super::change_one::{CancelRequest, RescheduleRequest};
use super::schedule::parse_when;
use super::series::{self, SeriesChanged};
use super::values::{check_text, Problems};
use super::visit::VisitInput;
use crate::core::{roles, status as machine, time, words, Actor, Appointment, EventKind, Status};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{clinics, patients, reminders, Store};
use chrono::{DateTime, Utc};
use serde_json::json;

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
        let Some(spot) = place_move(tx, now, &a, &t, start, r)? else {
            // Moving to the time it already has changes nothing and records nothing.
            return Ok(a);
        };
        let send = t.clinic.settings.notify && !r.no_notify;
        let news = Notice { send, series: None };
        move_to(tx, a, &t, &spot, r, why.as_deref(), news, actor, now)
    })
    .map_err(|e| super::seen::refusal(st, e, r.seen_from.as_deref()))
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
    if diagnosis.is_some() || prescription.is_some() || follow.is_some() {
        roles::may_write_clinical(actor.person(), a.doctor_id.as_deref())?;
    }
    let kind = machine::check_transition(a.status, to, now, a.starts_at)?;
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
    commit(tx, &a, kind, json!({}), actor, now)
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
        let clinical = u.diagnosis.is_some()
            || u.prescription.is_some()
            || u.follow_up.is_some()
            || u.no_follow_up;
        if clinical {
            roles::may_write_clinical(actor.person(), a.doctor_id.as_deref())?;
        }
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
            EventKind::Updated,
            json!({"changed": changed}),
            actor,
            now,
        )
    })
}
