//! `appt waitlist add|list|remove` (SPEC §5.7).

use super::Ctx;
use crate::app::waitlist::{self, AddRequest};
use crate::error::Result;
use crate::output::{desk, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first
    Add {
        /// The doctor the patient wants
        #[arg(long)]
        doctor: String,
        /// The date the patient wants
        #[arg(long, allow_negative_numbers = true, value_name = "DATE")]
        date: String,
        /// An existing patient: ID, prefix, phone or name
        #[arg(long, conflicts_with_all = ["phone", "name"])]
        patient: Option<String>,
        /// The patient's phone (E.164); creates the patient if new
        #[arg(long)]
        phone: Option<String>,
        /// The patient's full name (for a new patient)
        #[arg(long)]
        name: Option<String>,
        /// The service wanted
        #[arg(long)]
        service: Option<String>,
    },
    /// Who is waiting, from today on
    List,
    /// Take an entry off the waitlist
    Remove {
        /// Waitlist entry ID (or unique prefix)
        entry: String,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            doctor,
            date,
            patient,
            phone,
            name,
            service,
        } => {
            let req = AddRequest {
                clinic: ctx.clinic.clone(),
                doctor,
                date,
                patient,
                phone,
                name,
                service,
            };
            let (e, existing) = waitlist::add(&mut ctx.open()?, &req, ctx.now)?;
            Ok(ctx.report(
                || json::waitlist_entry(&e),
                || {
                    let verb = if existing {
                        "Already waiting"
                    } else {
                        "Waiting"
                    };
                    desk::waiting(verb, &e)
                },
            ))
        }
        Cmd::List => {
            let all = waitlist::list(&mut ctx.open_existing()?, ctx.clinic.as_deref(), ctx.now)?;
            Ok(ctx.report(
                || json::list("waitlist", all.iter().map(json::waitlist_entry).collect()),
                || desk::waitlist(&all),
            ))
        }
        Cmd::Remove { entry } => {
            let e = waitlist::remove(&mut ctx.open()?, &entry, ctx.now)?;
            Ok(ctx.report(
                || json::waitlist_entry(&e),
                || desk::waiting("Removed from the waitlist", &e),
            ))
        }
    }
}
