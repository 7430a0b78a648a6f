//! `appt waitlist add|list|remove` (docs/rules.md#walk-ins).

use super::choice::{given, Kind, References};
use super::prompt;
use super::prompt::Ask;
use super::Ctx;
use crate::app::waitlist::{self, AddRequest};
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{desk, human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first
    #[command(
        after_help = "Examples:\n  appt waitlist add -d \"Dr. García\" -D tomorrow -P +50370001111 --name Ana\n  appt waitlist add -d \"dr garcia\" -D 2026-06-16 -p \"ana lopez\"\n  appt waitlist add -d \"Dr. García\" -D +3 -P +50370001111 -s Vacunación"
    )]
    Add {
        /// The doctor the patient wants (a terminal asks)
        #[arg(short, long)]
        doctor: Option<String>,
        /// The date the patient wants: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, viernes) (a terminal asks)
        #[arg(short = 'D', long, allow_negative_numbers = true, value_name = "DATE")]
        date: Option<String>,
        /// An existing patient: ID, prefix, phone or name
        #[arg(short, long, conflicts_with_all = ["phone", "name", "email", "channel"])]
        patient: Option<String>,
        /// The patient's phone (E.164, or local to a clinic with a country
        /// code); creates the patient if new
        #[arg(short = 'P', long, value_name = "PHONE")]
        phone: Option<String>,
        /// The patient's full name (for a new patient)
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The patient's email (replaces the stored one)
        #[arg(long)]
        email: Option<String>,
        /// How the patient prefers to be sent messages: whatsapp, sms, email
        /// or none (replaces the stored one)
        #[arg(long, value_name = "CHANNEL")]
        channel: Option<String>,
        /// The service wanted
        #[arg(short, long)]
        service: Option<String>,
    },
    /// Who is waiting, from today on
    #[command(
        after_help = "Examples:\n  appt waitlist list\n  appt waitlist list --json | jq -r '.waitlist[].patient.phone'"
    )]
    List,
    /// Take an entry off the waitlist
    #[command(
        after_help = "Examples:\n  appt waitlist remove 3f2a\n  appt waitlist remove 3f2a1b4c --json\n  appt waitlist remove 3f2a -y"
    )]
    Remove {
        /// Waitlist entry ID (or unique prefix)
        #[arg(value_name = "ID")]
        entry: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            mut doctor,
            date,
            patient,
            mut phone,
            mut name,
            mut email,
            channel,
            service,
        } => {
            let mut st = ctx.open()?;
            let mut ask = Ask::new(ctx);
            ask.doctor(Some(&mut st), &mut doctor, &mut false, false)?;
            let date = ask.date(date, "date", "--date", || tr!("p-date_wanted"), "tomorrow")?;
            ask.patient(
                &mut st,
                doctor.as_deref(),
                &patient,
                &mut phone,
                &mut name,
                &mut email,
            )?;
            ask.finish()?;
            let req = AddRequest {
                clinic: ctx.clinic.clone(),
                doctor: doctor.unwrap_or_default(),
                date: date.unwrap_or_default(),
                patient,
                phone,
                name,
                email,
                channel,
                service,
                seen_from: None,
            };
            let (e, existing) = waitlist::add(&mut st, &req, ctx.now)?;
            Ok(ctx
                .report(
                    || json::waitlist_entry(&e),
                    || {
                        let verb = if existing {
                            crate::text::msg!("v-already_waiting")
                        } else {
                            crate::text::msg!("v-waiting")
                        };
                        desk::waiting(&verb, &e)
                    },
                )
                .made("waitlist entry added", &e.id))
        }
        Cmd::List => {
            let all = waitlist::list(&mut ctx.open()?, ctx.clinic.as_deref(), ctx.now)?;
            Ok(ctx.report(
                || json::list("waitlist", all.iter().map(json::waitlist_entry).collect()),
                || desk::waitlist(&all),
            ))
        }
        Cmd::Remove { entry, yes } => {
            let mut st = ctx.open()?;
            let mut id = entry;
            let go = prompt::confirm(ctx, yes, || {
                let e = waitlist::find(&mut st, &id)?;
                id = e.id.clone();
                Ok(tr!(
                    "c-waitlist_remove_q",
                    a = human::clean(&e.patient_name),
                    b = human::clean(&e.patient_phone),
                    c = human::clean(&e.doctor_name),
                    d = e.date
                ))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let e = waitlist::remove(&mut st, &id, ctx.now)?;
            Ok(ctx
                .report(
                    || json::waitlist_entry(&e),
                    || desk::waiting(&crate::text::msg!("v-removed_waitlist"), &e),
                )
                .made("waitlist entry removed", &e.id))
        }
    }
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Add {
                doctor,
                patient,
                service,
                ..
            } => given([
                (Kind::Doctor, doctor.as_mut()),
                (Kind::Patient, patient.as_mut()),
                (Kind::Service, service.as_mut()),
            ]),
            Cmd::Remove { entry, .. } => vec![(Kind::WaitlistEntry, entry)],
            _ => Vec::new(),
        }
    }
}
