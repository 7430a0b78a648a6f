//! `appt book`: prompts (on a terminal) for what was left out, then books
//! through the one booking use case (docs/rules.md#booking).

use super::choice::{given, Kind, References};
use super::prompt::Ask;
use super::schedule::WhenArgs;
use super::visit::VisitArgs;
use super::Ctx;
use crate::app::book::{self, BookRequest, Booked, Booking};
use crate::app::repeat::RepeatInput;
use crate::app::series::SeriesBooked;
use crate::app::slots::SlotsRequest;
use crate::app::Store;
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt book -d \"Dr. García\" -D +1 -t 10:00 -P +50370123456 --name Ana\n  appt book --walk-in -d \"Dr. García\" -P +50370123456 --name Ana\n  appt book --at 2026-11-01T01:30:00-05:00 -d \"Dr. Smith\" -p +15550100\n  appt book -d \"Dr. García\" -t 09:00 -p 3f2a --repeat weekly --count 10"
)]
pub struct Args {
    /// The doctor (name or ID)
    #[arg(short, long, conflicts_with = "clinic_wide")]
    pub doctor: Option<String>,
    /// Book into a clinic-wide window (no doctor)
    #[arg(long)]
    pub clinic_wide: bool,
    #[command(flatten)]
    pub when: WhenArgs,
    /// An existing patient: ID, prefix or phone
    #[arg(short, long, conflicts_with_all = ["phone", "name", "national_id", "email", "channel"])]
    pub patient: Option<String>,
    /// The patient's phone (E.164, or local to a clinic with a country
    /// code); creates the patient if new
    #[arg(short = 'P', long)]
    pub phone: Option<String>,
    /// The patient's full name (replaces the stored one)
    #[arg(long)]
    pub name: Option<String>,
    /// The patient's national ID (stored encrypted)
    #[arg(long)]
    pub national_id: Option<String>,
    /// The patient's email (replaces the stored one)
    #[arg(long)]
    pub email: Option<String>,
    /// How the patient prefers to be sent messages: whatsapp, sms, email or
    /// none (replaces the stored one)
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// Service (appointment type) by name or ID
    #[arg(short, long)]
    pub service: Option<String>,
    /// Length in minutes, 5–480 [default: the service's, else the window's slot]
    #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
    pub duration: Option<i64>,
    /// Only in a window of this session (Morning, Afternoon, …)
    #[arg(long)]
    pub session: Option<String>,
    /// Reason for the visit
    #[arg(short, long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Notes
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// Where the booking came from: manual, phone, whatsapp, web, walk_in, import, api
    #[arg(long, value_name = "SOURCE", default_value = "manual")]
    pub source: String,
    /// The caller's own ID for this booking at its clinic: booking it again there returns the same appointment
    #[arg(long, value_name = "REF")]
    pub external_ref: Option<String>,
    /// A patient who walked in: the first free slot from now in the window
    /// open now, checked in, with the day's next token
    #[arg(long, conflicts_with_all = ["date", "time", "at"])]
    pub walk_in: bool,
    /// Send the patient no confirmation message
    #[arg(long)]
    pub no_notify: bool,
    /// Fit the visit in where availability or capacity would refuse it (an
    /// emergency), recorded with why and by whom: the reason given here,
    /// else --reason. Never a past time, a duplicate, or more than the
    /// clinic's --max-overbook-per-day for the doctor
    #[arg(
        long,
        value_name = "TEXT",
        num_args = 0..=1,
        default_missing_value = "",
        conflicts_with_all = ["walk_in", "repeat", "clinic_wide"]
    )]
    pub overbook: Option<String>,
    /// The room or machine to give it, of a group its service needs [default: the first free]
    #[arg(long, value_name = "RESOURCE")]
    pub resource: Option<String>,
    /// With --overbook: its rooms and machines may be overbooked too (else never)
    #[arg(long, requires = "overbook")]
    pub overbook_resource: bool,
    /// Book even into a time the doctor's own calendar says they are busy
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub visit: VisitArgs,
    /// Book a series: the same local time every day or every week
    #[arg(long, value_name = "daily|weekly", value_parser = ["daily", "weekly"], hide_possible_values = true, conflicts_with = "walk_in")]
    pub repeat: Option<String>,
    /// A series every N days or weeks [default: 1]
    #[arg(long, value_name = "N", requires = "repeat")]
    pub every: Option<i64>,
    /// How many occurrences a series has (at most 104)
    #[arg(long, value_name = "N", requires = "repeat", conflicts_with = "until")]
    pub count: Option<i64>,
    /// The last date a series may fall on
    #[arg(
        long,
        value_name = "DATE",
        requires = "repeat",
        allow_negative_numbers = true
    )]
    pub until: Option<String>,
    /// Book the occurrences that can be booked and list the others
    #[arg(long, requires = "repeat")]
    pub skip_conflicts: bool,
}

/// On a terminal: pick what was left out (doctor, date, the service the
/// day's hours need, a free slot, the patient).
fn prompt_missing(ctx: &Ctx, st: &mut Store, a: &mut Args) -> Result<()> {
    let mut ask = Ask::new(ctx);
    ask.doctor(Some(&mut *st), &mut a.doctor, &mut a.clinic_wide, false)?;
    if a.when.at.is_none() && !a.walk_in {
        let prompted = a.when.date.is_none();
        a.when.date = ask.date(
            a.when.date.take(),
            "date",
            "--date",
            || tr!("p-date"),
            "today",
        )?;
        if a.when.time.is_none() {
            if ask.interactive() {
                let mut req = SlotsRequest {
                    clinic: ctx.clinic.clone(),
                    doctor: a.doctor.clone(),
                    clinic_wide: a.clinic_wide,
                    date: a.when.date.take().unwrap_or_else(|| "today".into()),
                    service: a.service.take(),
                    duration: a.duration,
                    session: a.session.clone(),
                    except: None,
                    explain: true,
                };
                a.when.at = Some(ask.slot(st, &mut req, prompted, None)?);
                a.service = req.service;
            } else {
                ask.missing(
                    "time",
                    crate::text::msg!("e-flag_or_also", a = "--time", b = "--at"),
                );
            }
        }
    }
    ask.patient(
        st,
        a.doctor.as_deref(),
        &a.patient,
        &mut a.phone,
        &mut a.name,
        &mut a.email,
    )?;
    // Who pays, where the clinic keeps its payers (docs/rules.md#visits);
    // the rest of the kind of visit has its defaults.
    if ask.interactive() && a.visit.payer.is_none() {
        let payers = book::payers_for(st, ctx.clinic.as_deref(), a.doctor.as_deref());
        if !payers.is_empty() {
            let mut items = payers.clone();
            items.push(tr!("p-no_payer"));
            let i = ask.pick(&tr!("p-payer"), &items)?;
            a.visit.payer = payers.get(i).cloned();
        }
    }
    ask.finish()
}

pub fn run(ctx: &Ctx, mut a: Args) -> Result<Report> {
    let mut st = ctx.open()?;
    prompt_missing(ctx, &mut st, &mut a)?;
    let req = BookRequest {
        clinic: ctx.clinic.clone(),
        doctor: a.doctor,
        clinic_wide: a.clinic_wide,
        when: a.when.into(),
        patient: a.patient,
        phone: a.phone,
        name: a.name,
        national_id: a.national_id,
        email: a.email,
        channel: a.channel,
        service: a.service,
        duration: a.duration,
        session: a.session,
        reason: a.reason.clone(),
        notes: a.notes,
        source: a.source,
        external_ref: a.external_ref,
        key: ctx.key()?,
        walk_in: a.walk_in,
        no_notify: a.no_notify,
        repeat: RepeatInput::given(a.repeat, a.every, a.count, a.until, a.skip_conflicts),
        seen_from: None,
        visit: a.visit.into(),
        overbook: a.overbook.map(|why| {
            if why.is_empty() {
                a.reason.clone().unwrap_or_default()
            } else {
                why
            }
        }),
        hold: None,
        resource: a.resource,
        overbook_resource: a.overbook_resource,
        past_calendar: a.force,
    };
    Ok(match book::book(&mut st, &req, &ctx.actor(), ctx.now)? {
        Booking::One(booked) => one_booked(ctx, &booked, req.walk_in),
        Booking::Series(booked) => series_booked(ctx, &booked),
    })
}

/// One appointment booked (or found by its external reference).
fn one_booked(ctx: &Ctx, booked: &Booked, walk_in: bool) -> Report {
    let appt = &booked.appointment;
    ctx.report(
        || json::booked(booked),
        || {
            if booked.idempotent {
                let r = appt.external_reference_id.as_deref().unwrap_or_default();
                let verb = crate::text::Msg::new("v-already").arg("ref", human::clean(r));
                return human::confirm(&verb, appt);
            }
            let verb = if walk_in {
                crate::text::msg!("v-walk_in")
            } else {
                crate::text::msg!("v-booked")
            };
            let mut text = human::confirm(&verb, appt);
            if let Some(old) = &booked.renamed_from {
                text.push_str(&tr!(
                    "c-renamed",
                    a = human::clean(&appt.patient_phone),
                    b = human::clean(old),
                    c = human::clean(&appt.patient_name)
                ));
            }
            text
        },
    )
    .made_appointment("booked", &appt.id)
}

/// A series booked (or found by its external reference).
fn series_booked(ctx: &Ctx, booked: &SeriesBooked) -> Report {
    let (id, list, skipped) = (&booked.series_id, &booked.appointments, &booked.skipped);
    ctx.report(
        || json::series(id, list, skipped, Some(booked.idempotent)),
        || human::series(&crate::text::msg!("v-booked"), id, list, skipped),
    )
    .made("series booked", id)
}

impl References for Args {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([
            (Kind::Doctor, self.doctor.as_mut()),
            (Kind::Patient, self.patient.as_mut()),
            (Kind::Service, self.service.as_mut()),
        ])
    }
}
