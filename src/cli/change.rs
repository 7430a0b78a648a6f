//! Changes to an existing appointment: `reschedule`, `cancel`, `status`,
//! `update`, each through its use case.

use super::choice::{given, Kind, References};
use super::prompt::{self, check, Ask};
use super::schedule::WhenArgs;
use super::visit::VisitChangeArgs;
use super::Ctx;
use crate::app::change::{
    self, CancelRequest, Changed, RescheduleRequest, StatusRequest, UpdateRequest,
};
use crate::app::slots::SlotsRequest;
use crate::app::{list, Store};
use crate::core::{status, time, words, Appointment, Status};
use crate::error::{Code, Result};
use crate::output::lang::{self, tr, Msg};
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt reschedule 3f2a -t 11:00\n  appt reschedule 3f2a -D tomorrow -r \"Patient asked\"\n  appt reschedule 3f2a -D +7 -t 09:00 -d \"Dra. Rivera\"\n  appt reschedule 3f2a --series -t 10:00"
)]
pub struct RescheduleArgs {
    /// Appointment ID or prefix, or the patient's phone or name (a terminal picks from today's)
    pub id: Option<String>,
    #[command(flatten)]
    pub when: WhenArgs,
    /// Move to another doctor
    #[arg(short, long)]
    pub doctor: Option<String>,
    /// New length in minutes (else the length stays)
    #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
    pub duration: Option<i64>,
    /// Why it moved (kept in the event)
    #[arg(short, long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Move even inside the clinic's cancellation window, or into a busy time of the doctor's own calendar
    #[arg(long)]
    pub force: bool,
    /// Send the patient no "rescheduled" message
    #[arg(long)]
    pub no_notify: bool,
    /// Move this occurrence of a series and every later one to --time, each on its own date
    #[arg(long, requires = "time", conflicts_with_all = ["date", "at", "doctor"])]
    pub series: bool,
    #[command(flatten)]
    pub visit: VisitChangeArgs,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt cancel 3f2a -r \"Patient called\"\n  appt cancel 3f2a -r \"Doctor ill\" --force\n  appt cancel 3f2a -r \"Phone typo\" --tell-patient \"The doctor is ill\"\n  appt cancel 3f2a --series -r \"Treatment ended\""
)]
pub struct CancelArgs {
    /// Appointment ID or prefix, or the patient's phone or name (a terminal picks from today's)
    pub id: Option<String>,
    /// Why it is cancelled (required). Kept for the clinic: the patient is never sent it
    #[arg(short, long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The reason the patient's "cancelled" message gives (without it, the message gives none)
    #[arg(long, value_name = "TEXT")]
    pub tell_patient: Option<String>,
    /// Cancel even inside the clinic's cancellation window
    #[arg(long)]
    pub force: bool,
    /// Send the patient no "cancelled" message
    #[arg(long)]
    pub no_notify: bool,
    /// Do not ask for confirmation (only a terminal asks)
    #[arg(short, long)]
    pub yes: bool,
    /// Cancel this occurrence of a series and every later active one
    #[arg(long)]
    pub series: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt status 3f2a confirmed\n  appt status 3f2a checked_in\n  appt status 3f2a completed --diagnosis \"Common cold\" --follow-up +14"
)]
pub struct StatusArgs {
    /// Appointment ID or prefix, or the patient's phone or name (a terminal picks from today's)
    pub id: Option<String>,
    /// confirmed, checked_in, in_progress, completed or no_show, or in Spanish: confirmada, llegó (en sala), "en consulta", atendida, ausente (a terminal asks)
    pub status: Option<String>,
    /// Diagnosis (required for completed when the clinic says so)
    #[arg(long, value_name = "TEXT")]
    pub diagnosis: Option<String>,
    /// Prescription
    #[arg(long, value_name = "TEXT")]
    pub prescription: Option<String>,
    /// Follow-up date (sets follow_up_required)
    #[arg(long, allow_negative_numbers = true, value_name = "DATE")]
    pub follow_up: Option<String>,
    /// Notes
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt update 3f2a --notes \"Bring previous X-rays\"\n  appt update 3f2a -r \"Follow-up of blood tests\"\n  appt update 3f2a --no-follow-up"
)]
pub struct UpdateArgs {
    /// Appointment ID or prefix, or the patient's phone or name (a terminal picks from today's)
    pub id: Option<String>,
    /// Reason for the visit
    #[arg(short, long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Notes
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// Diagnosis
    #[arg(long, value_name = "TEXT")]
    pub diagnosis: Option<String>,
    /// Prescription
    #[arg(long, value_name = "TEXT")]
    pub prescription: Option<String>,
    /// Follow-up date (sets follow_up_required)
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "DATE",
        conflicts_with = "no_follow_up"
    )]
    pub follow_up: Option<String>,
    /// Clear the follow-up
    #[arg(long)]
    pub no_follow_up: bool,
    #[command(flatten)]
    pub visit: VisitChangeArgs,
}

fn changed(ctx: &Ctx, verb: &Msg, a: &Appointment) -> Report {
    ctx.report(|| json::appointment(a), || human::confirm(verb, a))
        .made_appointment(&verb.english().to_lowercase(), &a.id)
}

/// One appointment moved or cancelled, or a series' occurrences together.
fn changed_either(ctx: &Ctx, verb: &Msg, done: &Changed) -> Report {
    let s = match done {
        Changed::One(a) => return changed(ctx, verb, a),
        Changed::Series(s) => s,
    };
    let (id, list) = (&s.series_id, &s.appointments);
    ctx.report(
        || json::series(id, list, &[], None),
        || human::series(verb, id, list, &[]),
    )
    .made(format!("series {}", verb.english().to_lowercase()), id)
}

/// The appointment a command is about: as given, else picked on a terminal
/// from today's, else missing (reported with the rest by `ask.finish`).
fn which(
    ask: &mut Ask,
    opened: &mut Option<Store>,
    ctx: &Ctx,
    id: Option<String>,
) -> Result<String> {
    if id.is_some() || !ask.interactive() {
        return Ok(ask.appointment_given(id));
    }
    Ok(ask
        .appointment(ctx.open_once(opened)?, None)?
        .unwrap_or_default())
}

pub fn reschedule(ctx: &Ctx, mut r: RescheduleArgs) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    let mut opened = None;
    // Only the visits that can move are offered (scheduled or confirmed).
    let id = match r.id.take() {
        Some(id) => id,
        None if ask.interactive() => ask
            .appointment_where(ctx.open_once(&mut opened)?, None, |a| {
                status::check_reschedule(a.status).is_ok()
            })?
            .unwrap_or_default(),
        None => ask.appointment_given(None),
    };
    // On a terminal, a visit inside the clinic's cancellation window is
    // said so before anything else is asked, and moved only if the desk
    // says to go ahead (as --force).
    if ask.interactive() && !r.force && !id.is_empty() {
        let st = ctx.open_once(&mut opened)?;
        match crate::app::change::may_move(st, &id, ctx.now) {
            Err(e) if e.code == Code::CancellationWindow => {
                prompt::say(&lang::message(&e.msg));
                if !prompt::confirm(ctx, false, || Ok(tr!("p-force_move")))? {
                    return Ok(prompt::declined(ctx));
                }
                r.force = true;
            }
            other => other?,
        }
    }
    // `--time` alone keeps the date and `--date` alone the time; with neither,
    // a terminal asks for the date and offers that day's free slots.
    if r.when.at.is_none() && r.when.date.is_none() && r.when.time.is_none() {
        if ask.interactive() {
            let st = ctx.open_once(&mut opened)?;
            r.when.at = Some(pick_new_time(ctx, st, &mut ask, &id, &r)?);
        } else {
            ask.missing(
                "date",
                crate::text::msg!("e-flag_or", a = "--date", b = "--time"),
            );
            ask.missing(
                "time",
                crate::text::msg!("e-flag_or_also", a = "--time", b = "--at"),
            );
        }
    }
    ask.finish()?;
    let st = ctx.open_once(&mut opened)?;
    let req = RescheduleRequest {
        id,
        clinic: ctx.clinic.clone(),
        when: r.when.into(),
        doctor: r.doctor,
        duration: r.duration,
        reason: r.reason,
        force: r.force,
        past_calendar: r.force,
        no_notify: r.no_notify,
        seen_from: None,
        series: r.series,
        visit: r.visit.into(),
    };
    let moved = change::reschedule(st, &req, &ctx.actor(), ctx.now)?;
    Ok(changed_either(
        ctx,
        &crate::text::msg!("v-rescheduled"),
        &moved,
    ))
}

/// The new time of a move, picked on a terminal: the date (its own, unless
/// past), then a free slot of the doctor it moves to, for its service and
/// length, its own place counting as free.
fn pick_new_time(
    ctx: &Ctx,
    st: &mut Store,
    ask: &mut Ask,
    id: &str,
    r: &RescheduleArgs,
) -> Result<String> {
    let a = list::show(st, id, ctx.now)?;
    // Refused moves fail before anything is asked.
    status::check_reschedule(a.status)?;
    prompt::say(&human::confirm(&crate::text::msg!("v-moving"), &a));
    let today = time::local_today(a.timezone, ctx.now);
    let default = if a.local_date >= today {
        a.local_date.to_string()
    } else {
        "today".to_string()
    };
    let date = ask.typed(&tr!("p-new_date"), Some(&default), &check::date)?;
    let doctor = r.doctor.clone().or(a.doctor_id.clone());
    let mut req = SlotsRequest {
        // A move to another doctor finds their clinic as `reschedule` does.
        clinic: match r.doctor {
            Some(_) => ctx.clinic.clone(),
            None => Some(a.clinic_id.clone()),
        },
        clinic_wide: doctor.is_none(),
        doctor,
        date,
        service: a.service_id.clone(),
        duration: Some(r.duration.unwrap_or(a.duration_minutes)),
        session: None,
        except: Some(a.id.clone()),
        explain: true,
    };
    ask.slot(st, &mut req, true, Some(a.starts_at))
}

pub fn cancel(ctx: &Ctx, c: CancelArgs) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    let mut opened = None;
    let mut id = which(&mut ask, &mut opened, ctx, c.id)?;
    // On a terminal: what is about to be cancelled is read first, so a wrong
    // ID or a visit that cannot be cancelled fails before anything is asked.
    let shown = if ask.interactive() && !c.yes {
        let st = ctx.open_once(&mut opened)?;
        let a = list::show(st, &id, ctx.now)?;
        status::check_cancel(a.status)?;
        // Which visit, before its reason is asked.
        prompt::say(&human::confirm(&crate::text::msg!("v-cancelling"), &a));
        id = a.id.clone();
        Some(a)
    } else {
        None
    };
    let reason = ask.text(
        c.reason.filter(|r| !r.trim().is_empty()),
        "reason",
        "--reason",
        || tr!("p-cancel_reason"),
    )?;
    ask.finish()?;
    let go = prompt::confirm(ctx, c.yes, || {
        let question = shown.as_ref().map_or_else(
            || tr!("c-cancel_q_id", id = id),
            |a| {
                tr!(
                    "c-cancel_q",
                    a = human::short(&a.id),
                    b = human::patient_of(a),
                    c = a
                        .doctor_name
                        .as_deref()
                        .map_or_else(|| tr!("c-the_clinic"), human::clean),
                    d = human::when(a)
                )
            },
        );
        Ok(match c.series {
            true => format!("{question} {}", tr!("c-cancel_series_q")),
            false => question,
        })
    })?;
    if !go {
        return Ok(prompt::declined(ctx));
    }
    let req = CancelRequest {
        id,
        reason,
        tell_patient: c.tell_patient,
        force: c.force,
        no_notify: c.no_notify,
        series: c.series,
        seen_from: None,
    };
    let st = ctx.open_once(&mut opened)?;
    let cancelled = change::cancel(st, &req, &ctx.actor(), ctx.now)?;
    Ok(changed_either(
        ctx,
        &crate::text::msg!("v-cancelled"),
        &cancelled,
    ))
}

/// What `appt status` can mark.
const MARKS: [&str; 5] = [
    "confirmed",
    "checked_in",
    "in_progress",
    "completed",
    "no_show",
];

pub fn status(ctx: &Ctx, mut s: StatusArgs) -> Result<Report> {
    // `appt status checked_in` (or `llegó`): the one word given is the
    // status, and the appointment is picked.
    let a_mark = |w: &str| words::status(w).is_some_and(|st| MARKS.contains(&st.as_str()));
    if s.status.is_none() && s.id.as_deref().is_some_and(a_mark) {
        s.status = s.id.take();
    }
    let mut ask = Ask::new(ctx);
    let mut opened = None;
    let id = which(&mut ask, &mut opened, ctx, s.id)?;
    let status = match s.status {
        Some(v) => Some(v),
        None if ask.interactive() => {
            // The statuses in the desk's words (`en sala`, `atendida`).
            let items: Vec<String> = MARKS
                .iter()
                .map(|m| lang::t(&format!("status-{m}")).to_string())
                .collect();
            Some(MARKS[ask.pick(&tr!("p-new_status"), &items)?].to_string())
        }
        None => {
            ask.missing("status", "STATUS");
            None
        }
    };
    // Completing at a clinic that requires a diagnosis asks for it.
    let mut diagnosis = s.diagnosis;
    let completing = status.as_deref().and_then(words::status) == Some(Status::Completed);
    if completing && diagnosis.is_none() && ask.interactive() {
        let st = ctx.open_once(&mut opened)?;
        let a = list::show(st, &id, ctx.now)?;
        if crate::app::clinic::show(st, &a.clinic_id)?
            .settings
            .require_diagnosis
        {
            diagnosis = ask.text(None, "diagnosis", "--diagnosis", || tr!("p-diagnosis"))?;
        }
    }
    ask.finish()?;
    let req = StatusRequest {
        id,
        status: status.unwrap_or_default(),
        diagnosis,
        prescription: s.prescription,
        follow_up: s.follow_up,
        notes: s.notes,
    };
    let st = ctx.open_once(&mut opened)?;
    let set = change::set_status(st, &req, &ctx.actor(), ctx.now)?;
    let a = &set.appointment;
    if set.already {
        // Nothing changed: said so, nothing made.
        let verb = crate::text::msg!(
            "v-status_already",
            a = crate::text::Arg::word("status-", a.status.as_str())
        );
        return Ok(ctx.report(|| json::appointment(a), || human::confirm(&verb, a)));
    }
    Ok(changed(
        ctx,
        &Msg::new(format!("v-marked_{}", a.status.as_str())),
        a,
    ))
}

pub fn update(ctx: &Ctx, u: UpdateArgs) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    let mut opened = None;
    let id = which(&mut ask, &mut opened, ctx, u.id)?;
    ask.finish()?;
    let req = UpdateRequest {
        id,
        reason: u.reason,
        notes: u.notes,
        diagnosis: u.diagnosis,
        prescription: u.prescription,
        follow_up: u.follow_up,
        no_follow_up: u.no_follow_up,
        visit: u.visit.into(),
    };
    let st = ctx.open_once(&mut opened)?;
    let a = change::update(st, &req, &ctx.actor(), ctx.now)?;
    Ok(changed(ctx, &crate::text::msg!("v-updated"), &a))
}

impl References for RescheduleArgs {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([
            (Kind::Appointment, self.id.as_mut()),
            (Kind::Doctor, self.doctor.as_mut()),
        ])
    }
}

impl References for CancelArgs {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([(Kind::Appointment, self.id.as_mut())])
    }
}

impl References for StatusArgs {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([(Kind::Appointment, self.id.as_mut())])
    }
}

impl References for UpdateArgs {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([(Kind::Appointment, self.id.as_mut())])
    }
}
