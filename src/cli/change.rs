//! Changes to an existing appointment: `reschedule`, `cancel`, `status`,
//! `update`. Each writes the appointment and records its event in one transaction.

use super::book::check_text;
use super::clinic::parse_minutes_in;
use super::prompt::Ask;
use super::schedule::{parse_when, place, resolve_when, target, token_scope, Target, WhenArgs};
use super::Ctx;
use crate::core::slots::Request;
use crate::core::{status as machine, time, Appointment, Status};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::{appointments, clinics, doctors, events, patients, reminders};
use serde_json::{json, Value};

#[derive(Debug, clap::Args)]
pub struct RescheduleArgs {
    /// Appointment ID (or unique prefix)
    pub id: String,
    #[command(flatten)]
    pub when: WhenArgs,
    /// Move to another doctor
    #[arg(long)]
    pub doctor: Option<String>,
    /// New length in minutes [default: unchanged]
    #[arg(long, value_name = "M")]
    pub duration: Option<i64>,
    /// Why it moved (kept in the event)
    #[arg(long)]
    pub reason: Option<String>,
    /// Move even inside the clinic's cancellation window
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    /// Appointment ID (or unique prefix)
    pub id: String,
    /// Why it is cancelled (required)
    #[arg(long)]
    pub reason: Option<String>,
    /// Cancel even inside the clinic's cancellation window
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Appointment ID (or unique prefix)
    pub id: String,
    /// confirmed, checked_in, in_progress, completed or no_show
    pub status: String,
    /// Diagnosis (required for completed when the clinic says so)
    #[arg(long)]
    pub diagnosis: Option<String>,
    /// Prescription
    #[arg(long)]
    pub prescription: Option<String>,
    /// Follow-up date (sets follow_up_required)
    #[arg(long, value_name = "DATE")]
    pub follow_up: Option<String>,
    /// Notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// Appointment ID (or unique prefix)
    pub id: String,
    /// Reason for the visit
    #[arg(long)]
    pub reason: Option<String>,
    /// Notes
    #[arg(long)]
    pub notes: Option<String>,
    /// Diagnosis
    #[arg(long)]
    pub diagnosis: Option<String>,
    /// Prescription
    #[arg(long)]
    pub prescription: Option<String>,
    /// Follow-up date (sets follow_up_required)
    #[arg(long, value_name = "DATE", conflicts_with = "no_follow_up")]
    pub follow_up: Option<String>,
    /// Clear the follow-up
    #[arg(long)]
    pub no_follow_up: bool,
}

/// Saves the appointment, records its event with `extra` data, and reports it.
fn commit(
    tx: rusqlite::Transaction,
    a: &Appointment,
    kind: &str,
    extra: Value,
    verb: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Report> {
    appointments::save(&tx, a)?;
    let saved = appointments::get(&tx, &a.id)?;
    let mut data = json!({"appointment": json::appointment(&saved)});
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    events::record(&tx, kind, &saved.id, &data, now)?;
    tx.commit()?;
    Ok(Report::new(
        json::appointment(&saved),
        human::confirm(verb, &saved),
    ))
}

fn follow_up(
    a: &Appointment,
    v: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::NaiveDate> {
    time::parse_date(v, time::local_today(a.timezone, now))
        .map_err(|e| Error::field("follow_up", e))
}

pub fn reschedule(ctx: &Ctx, r: RescheduleArgs) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    let when = if r.when.at.is_some() {
        r.when
    } else {
        WhenArgs {
            date: ask.text_or(r.when.date, "date", "--date", "New date", Some("today"))?,
            time: ask.text(r.when.time, "time", "--time (or --at)", "New time (HH:MM)")?,
            at: None,
        }
    };
    ask.finish()?;
    let mut bad = Vec::new();
    let _ = parse_when(&when, ctx.now.date_naive(), &mut bad);
    if let Some(d) = r.duration {
        if let Err(e) = parse_minutes_in("duration", d, 5, 480) {
            bad.push(e);
        }
    }
    let why = check_text("reason", &r.reason, &mut bad);
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let mut st = ctx.open()?;
    let tx = st.write()?;
    let mut a = appointments::find(&tx, &r.id)?;
    let home = clinics::get(&tx, &a.clinic_id)?;
    let cancel_window = home.settings.cancel_window;
    let t = match (&r.doctor, &a.doctor_id) {
        (Some(d), _) => target(&tx, ctx, Some(d))?,
        (None, Some(d)) => Target {
            clinic: home,
            doctor: Some(doctors::get(&tx, d)?),
        },
        (None, None) => Target {
            clinic: home,
            doctor: None,
        },
    };
    machine::check_reschedule(a.status)?;
    machine::check_cancel_window(ctx.now, a.starts_at, cancel_window, r.force)?;

    let when = parse_when(
        &when,
        time::local_today(t.clinic.timezone, ctx.now),
        &mut bad,
    )
    .ok_or_else(|| Error::fields(bad.clone()))?;
    let start = resolve_when(&t.clinic, when)?;
    let req = Request {
        duration: Some(r.duration.unwrap_or(a.duration_minutes)),
        service_id: a.service_id.as_deref(),
        session: None,
    };
    let spot = place(
        &tx,
        ctx.now,
        &t,
        start,
        &req,
        Some(&a.patient_id),
        Some(&a.id),
    )?;

    let previous = json!({
        "starts_at": time::fmt_utc(a.starts_at), "ends_at": time::fmt_utc(a.ends_at), "date": a.local_date.to_string(),
        "start_time": time::to_local(a.timezone, a.starts_at).1, "doctor_id": a.doctor_id, "token_number": a.token_number,
    });
    let old_scope = token_scope(a.doctor_id.as_deref(), a.window_id.as_deref().unwrap_or(""));
    let scope = t.token_scope(&spot.window.id);
    if scope != old_scope || spot.date != a.local_date {
        a.token_number = appointments::next_token(&tx, &scope, spot.date)?;
    }
    a.clinic_id = t.clinic.id.clone();
    a.doctor_id = t.doctor.as_ref().map(|d| d.id.clone());
    a.window_id = Some(spot.window.id.clone());
    a.local_date = spot.date;
    a.starts_at = spot.start;
    a.ends_at = spot.end;
    a.duration_minutes = spot.duration;
    a.session = spot.window.session.clone();
    a.batch = spot.window.batch.clone();
    a.status = Status::Scheduled;
    a.confirmed_at = None;
    a.updated_at = ctx.now;
    reminders::cancel_pending(&tx, &a.id, ctx.now)?;
    reminders::schedule(
        &tx,
        &a.id,
        a.starts_at,
        &t.clinic.settings.reminders,
        ctx.now,
    )?;
    commit(
        tx,
        &a,
        "appointment.rescheduled",
        json!({"previous": previous, "reason": why, "forced": r.force}),
        "Rescheduled",
        ctx.now,
    )
}

pub fn cancel(ctx: &Ctx, c: CancelArgs) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    let reason = ask.text(
        c.reason.filter(|r| !r.trim().is_empty()),
        "reason",
        "--reason",
        "Cancellation reason",
    )?;
    ask.finish()?;
    let mut bad = Vec::new();
    let reason = check_text("reason", &reason, &mut bad).ok_or_else(|| {
        if bad.is_empty() {
            Error::field("reason", "--reason is required")
        } else {
            Error::fields(bad.clone())
        }
    })?;
    let mut st = ctx.open()?;
    let tx = st.write()?;
    let mut a = appointments::find(&tx, &c.id)?;
    machine::check_cancel(a.status)?;
    let settings = clinics::get(&tx, &a.clinic_id)?.settings;
    machine::check_cancel_window(ctx.now, a.starts_at, settings.cancel_window, c.force)?;
    a.status = Status::Cancelled;
    a.cancelled_at = Some(ctx.now);
    a.cancellation_reason = Some(reason);
    a.updated_at = ctx.now;
    reminders::cancel_pending(&tx, &a.id, ctx.now)?;
    commit(
        tx,
        &a,
        "appointment.cancelled",
        json!({"forced": c.force}),
        "Cancelled",
        ctx.now,
    )
}

pub fn status(ctx: &Ctx, s: StatusArgs) -> Result<Report> {
    let to = Status::parse(&s.status).ok_or_else(|| {
        Error::field(
            "status",
            "status must be confirmed, checked_in, in_progress, completed or no_show",
        )
    })?;
    let mut bad = Vec::new();
    let diagnosis = check_text("diagnosis", &s.diagnosis, &mut bad);
    let prescription = check_text("prescription", &s.prescription, &mut bad);
    let notes = check_text("notes", &s.notes, &mut bad);
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let mut st = ctx.open()?;
    let tx = st.write()?;
    let mut a = appointments::find(&tx, &s.id)?;
    machine::check_transition(a.status, to, ctx.now, a.starts_at)?;
    let clinic = clinics::get(&tx, &a.clinic_id)?;
    if to == Status::Completed
        && clinic.settings.require_diagnosis
        && diagnosis.is_none()
        && a.diagnosis.is_none()
    {
        return Err(Error::field(
            "diagnosis",
            "--diagnosis is required to complete an appointment at this clinic",
        ));
    }
    if let Some(f) = &s.follow_up {
        a.follow_up_date = Some(follow_up(&a, f, ctx.now)?);
        a.follow_up_required = true;
    }
    a.diagnosis = diagnosis.or(a.diagnosis);
    a.prescription = prescription.or(a.prescription);
    a.notes = notes.or(a.notes);
    let now = Some(ctx.now);
    match to {
        Status::Confirmed => a.confirmed_at = now,
        Status::CheckedIn => a.checked_in_at = now,
        Status::InProgress => a.started_at = now,
        // A finished visit needs no reminder of it (SPEC §10: `check` flags one).
        Status::Completed => {
            a.completed_at = now;
            reminders::cancel_pending(&tx, &a.id, ctx.now)?;
        }
        Status::NoShow => {
            a.no_show_at = now;
            patients::count_no_show(&tx, &a.patient_id, ctx.now)?;
            reminders::cancel_pending(&tx, &a.id, ctx.now)?;
        }
        Status::Scheduled | Status::Cancelled => {}
    }
    a.status = to;
    a.updated_at = ctx.now;
    let verb = format!("Marked {}", to.as_str());
    commit(
        tx,
        &a,
        &format!("appointment.{}", to.as_str()),
        json!({}),
        &verb,
        ctx.now,
    )
}

pub fn update(ctx: &Ctx, u: UpdateArgs) -> Result<Report> {
    let mut bad = Vec::new();
    let fields = [
        ("reason", check_text("reason", &u.reason, &mut bad)),
        ("notes", check_text("notes", &u.notes, &mut bad)),
        ("diagnosis", check_text("diagnosis", &u.diagnosis, &mut bad)),
        (
            "prescription",
            check_text("prescription", &u.prescription, &mut bad),
        ),
    ];
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    if fields.iter().all(|(_, v)| v.is_none()) && u.follow_up.is_none() && !u.no_follow_up {
        return Err(Error::field(
            "fields",
            "Nothing to change: give --reason, --notes, --diagnosis, --prescription or --follow-up",
        ));
    }
    let mut st = ctx.open()?;
    let tx = st.write()?;
    let mut a = appointments::find(&tx, &u.id)?;
    if a.status.is_final() {
        return Err(Error::new(
            crate::error::Code::InvalidStateTransition,
            format!("Cannot update a {} appointment", a.status.as_str()),
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
        a.follow_up_date = Some(follow_up(&a, f, ctx.now)?);
        a.follow_up_required = true;
        changed.push("follow_up");
    }
    if u.no_follow_up {
        a.follow_up_date = None;
        a.follow_up_required = false;
        changed.push("follow_up");
    }
    a.updated_at = ctx.now;
    commit(
        tx,
        &a,
        "appointment.updated",
        json!({"changed": changed}),
        "Updated",
        ctx.now,
    )
}
