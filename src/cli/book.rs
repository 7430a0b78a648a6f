//! `appt book`: SPEC §5.2 in order — values, references, idempotency, local
//! time, time rules, availability, duplicates, capacity — then one write.
//! Prompts (on a terminal) happen before the write lock is taken.

use super::clinic::{check_name, parse_minutes_in};
use super::patient::{check_national_id, check_phone};
use super::prompt::Ask;
use super::schedule::{parse_when, place, request, resolve_when, target, WhenArgs};
use super::slots::compute;
use super::Ctx;
use crate::core::{time, Appointment, Status, SOURCES};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::{self, appointments, doctors, events, patients, reminders, services, Store};
use serde_json::json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The doctor (name or ID)
    #[arg(long, conflicts_with = "clinic_wide")]
    pub doctor: Option<String>,
    /// Book into a clinic-wide window (no doctor)
    #[arg(long)]
    pub clinic_wide: bool,
    #[command(flatten)]
    pub when: WhenArgs,
    /// An existing patient: ID, prefix or phone
    #[arg(long, conflicts_with_all = ["phone", "name", "national_id"])]
    pub patient: Option<String>,
    /// The patient's phone (E.164); creates the patient if new
    #[arg(long)]
    pub phone: Option<String>,
    /// The patient's full name (replaces the stored one)
    #[arg(long)]
    pub name: Option<String>,
    /// The patient's national ID (stored encrypted)
    #[arg(long)]
    pub national_id: Option<String>,
    /// Service (appointment type) by name or ID
    #[arg(long)]
    pub service: Option<String>,
    /// Length in minutes, 5–480 [default: the service's, else the window's slot]
    #[arg(long, value_name = "M")]
    pub duration: Option<i64>,
    /// Only in a window of this session (Morning, Afternoon, …)
    #[arg(long)]
    pub session: Option<String>,
    /// Reason for the visit
    #[arg(long)]
    pub reason: Option<String>,
    /// Notes
    #[arg(long)]
    pub notes: Option<String>,
    /// Where the booking came from: manual, phone, whatsapp, web, walk_in, import, api
    #[arg(long, default_value = "manual")]
    pub source: String,
    /// The caller's own ID for this booking: booking it again returns the same appointment
    #[arg(long, value_name = "REF")]
    pub external_ref: Option<String>,
}

pub const MAX_TEXT: usize = 2000;

pub fn check_text(
    field: &str,
    v: &Option<String>,
    bad: &mut Vec<(String, String)>,
) -> Option<String> {
    let v = v.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > MAX_TEXT {
        bad.push((
            field.into(),
            format!("{field} must be at most {MAX_TEXT} characters"),
        ));
        return None;
    }
    Some(v.to_string())
}

/// On a terminal: pick what was left out (doctor, date, a free slot, the patient).
fn prompt_missing(ctx: &Ctx, st: &Store, a: &mut Args) -> Result<()> {
    let mut ask = Ask::new(ctx);
    if a.doctor.is_none() && !a.clinic_wide {
        if ask.interactive() {
            let ds: Vec<_> = doctors::list(&st.conn)?
                .into_iter()
                .filter(|d| d.active)
                .collect();
            if ds.is_empty() {
                return Err(Error::not_found("Doctor").hint("add one with `appt doctor add NAME`"));
            }
            let names: Vec<String> = ds
                .iter()
                .map(|d| format!("{} — {}", d.full_name, d.specialty.as_deref().unwrap_or("")))
                .collect();
            a.doctor = Some(ds[ask.pick("Doctor", &names)?].id.clone());
        } else {
            ask.missing("doctor", "--doctor or --clinic-wide");
        }
    }
    if a.when.at.is_none() {
        a.when.date = ask.text_or(a.when.date.take(), "date", "--date", "Date", Some("today"))?;
        if a.when.time.is_none() {
            if ask.interactive() {
                a.when.time = Some(pick_slot(ctx, st, a)?);
            } else {
                ask.missing("time", "--time (or --at)");
            }
        }
    }
    if a.patient.is_none() && a.phone.is_none() {
        a.phone = ask.text(None, "phone", "--phone or --patient", "Patient phone")?;
        if let Some(p) = &a.phone {
            let known = check_phone(p)
                .ok()
                .map(|p| patients::by_phone(&st.conn, &p))
                .transpose()?
                .flatten();
            if known.is_none() && a.name.is_none() {
                a.name = ask.text(None, "name", "--name", "Patient's full name")?;
            }
        }
    }
    ask.finish()
}

fn pick_slot(ctx: &Ctx, st: &Store, a: &Args) -> Result<String> {
    let t = target(&st.conn, ctx, a.doctor.as_deref())?;
    let date = time::parse_date(
        a.when.date.as_deref().unwrap_or("today"),
        time::local_today(t.clinic.timezone, ctx.now),
    )
    .map_err(|e| Error::field("date", e))?;
    let service = a
        .service
        .as_deref()
        .map(|s| services::find_for_booking(&st.conn, s))
        .transpose()?;
    let req = request(a.duration, service.as_ref(), a.session.as_deref());
    let free = compute(&st.conn, ctx, &t, date, &req, false)?.free;
    if free.is_empty() {
        return Err(Error::new(
            crate::error::Code::OutsideAvailability,
            format!("No free slots on {date}"),
        ));
    }
    let labels: Vec<String> = free.iter().map(|(l, _)| l.clone()).collect();
    Ok(labels[Ask::new(ctx).pick("Free slot", &labels)?].clone())
}

pub fn run(ctx: &Ctx, mut a: Args) -> Result<Report> {
    let mut st = ctx.open()?;
    prompt_missing(ctx, &st, &mut a)?;

    // Rule 1: values.
    let mut bad: Vec<(String, String)> = Vec::new();
    let phone = a.phone.as_deref().and_then(|p| {
        check_phone(p)
            .map_err(|e| bad.push(("phone".into(), e.message)))
            .ok()
    });
    let name = a.name.as_deref().and_then(|n| {
        check_name("name", n)
            .map_err(|e| bad.push(("name".into(), e.message)))
            .ok()
    });
    let national_id = a.national_id.as_deref().and_then(|n| {
        check_national_id(n)
            .map_err(|e| bad.push(("national_id".into(), e.message)))
            .ok()
    });
    let _ = parse_when(&a.when, ctx.now.date_naive(), &mut bad);
    if let Some(d) = a.duration {
        if let Err(e) = parse_minutes_in("duration", d, 5, 480) {
            bad.push(e);
        }
    }
    if !SOURCES.contains(&a.source.as_str()) {
        bad.push((
            "source".into(),
            format!("source must be one of {}", SOURCES.join(", ")),
        ));
    }
    let reason = check_text("reason", &a.reason, &mut bad);
    let notes = check_text("notes", &a.notes, &mut bad);
    let external_ref = a
        .external_ref
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if external_ref
        .as_ref()
        .is_some_and(|r| r.chars().count() > 200)
    {
        bad.push((
            "external_ref".into(),
            "external_ref must be at most 200 characters".into(),
        ));
    }
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let keys = ctx.keys(&st)?;

    let tx = st.write()?;
    // Rule 2: references.
    let t = target(&tx, ctx, a.doctor.as_deref())?;
    let existing = match (&a.patient, &phone) {
        (Some(p), _) => Some(patients::find(&tx, p)?.patient),
        (None, Some(ph)) => patients::by_phone(&tx, ph)?.map(|s| s.patient),
        _ => None,
    };
    if existing.is_none() && name.is_none() {
        return Err(Error::field("name", "--name is required for a new patient"));
    }
    let service = a
        .service
        .as_deref()
        .map(|s| services::find_for_booking(&tx, s))
        .transpose()?;

    // Rule 3: idempotency, whatever else the request says.
    if let Some(r) = &external_ref {
        if let Some(found) = appointments::by_external_ref(&tx, r)? {
            return Ok(Report::new(
                json!({"idempotent": true, "appointment": json::appointment(&found)}),
                human::confirm(&format!("Already booked (ref {r}):"), &found),
            ));
        }
    }

    // Rule 4: the local time.
    let today = time::local_today(t.clinic.timezone, ctx.now);
    let mut none = Vec::new();
    let when = parse_when(&a.when, today, &mut none).ok_or_else(|| Error::fields(none))?;
    let start = resolve_when(&t.clinic, when)?;

    // Rules 5–8.
    let req = request(a.duration, service.as_ref(), a.session.as_deref());
    let spot = place(
        &tx,
        ctx.now,
        &t,
        start,
        &req,
        existing.as_ref().map(|p| p.id.as_str()),
        None,
    )?;

    // Rule 9: the write.
    let patient_id = match (&phone, &existing) {
        (Some(ph), _) => {
            let n = name
                .as_deref()
                .or(existing.as_ref().map(|p| p.full_name.as_str()))
                .unwrap_or_default();
            // Sealed inside the write: the key is checked (or made) against the IDs as they are now.
            let sealed = national_id
                .as_deref()
                .map(|id| keys.for_sealing(&tx)?.seal(id))
                .transpose()?;
            patients::upsert_by_phone(&tx, n, ph, sealed.as_deref(), ctx.now)?
        }
        (None, Some(p)) => p.id.clone(),
        (None, None) => return Err(Error::field("patient", "--patient or --phone is required")),
    };
    let token = appointments::next_token(&tx, &t.token_scope(&spot.window.id), spot.date)?;
    let appt = Appointment {
        id: store::new_id(),
        clinic_id: t.clinic.id.clone(),
        clinic_name: t.clinic.name.clone(),
        doctor_id: t.doctor.as_ref().map(|d| d.id.clone()),
        patient_id,
        service_id: service.as_ref().map(|s| s.id.clone()),
        window_id: Some(spot.window.id.clone()),
        local_date: spot.date,
        starts_at: spot.start,
        ends_at: spot.end,
        duration_minutes: spot.duration,
        timezone: t.clinic.timezone,
        status: Status::Scheduled,
        token_number: token,
        source: a.source.clone(),
        session: spot.window.session.clone().or(a.session.clone()),
        batch: spot.window.batch.clone(),
        reason,
        notes,
        diagnosis: None,
        prescription: None,
        follow_up_required: false,
        follow_up_date: None,
        cancellation_reason: None,
        external_reference_id: external_ref,
        patient_name: String::new(),
        patient_phone: String::new(),
        doctor_name: None,
        doctor_specialty: None,
        service_name: None,
        service_minutes: None,
        created_at: ctx.now,
        updated_at: ctx.now,
        confirmed_at: None,
        checked_in_at: None,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        no_show_at: None,
    };
    appointments::insert(&tx, &appt)?;
    reminders::schedule(
        &tx,
        &appt.id,
        appt.starts_at,
        &t.clinic.settings.reminders,
        ctx.now,
    )?;
    let saved = appointments::get(&tx, &appt.id)?;
    events::record(
        &tx,
        "appointment.booked",
        &saved.id,
        &json!({"appointment": json::appointment(&saved)}),
        ctx.now,
    )?;
    tx.commit()?;
    Ok(Report::new(
        json!({"idempotent": false, "appointment": json::appointment(&saved)}),
        human::confirm("Booked", &saved),
    ))
}
