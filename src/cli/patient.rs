//! `appt patient add|list|show|update`.

use super::prompt::Ask;
use super::Ctx;
use crate::app::patient::{self, PatientInput};
use crate::error::Result;
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a patient (unique by phone)
    Add {
        /// Full name
        #[arg(long)]
        name: Option<String>,
        /// Phone in E.164; spaces, dashes, dots and parentheses are removed
        #[arg(long)]
        phone: Option<String>,
        /// National ID (stored encrypted)
        #[arg(long)]
        national_id: Option<String>,
        /// Email address
        #[arg(long)]
        email: Option<String>,
    },
    /// List patients, optionally searching name and phone
    List {
        /// Text found in the name or the phone
        #[arg(long)]
        search: Option<String>,
        /// At most this many [default: 200]
        #[arg(long, default_value_t = 200)]
        limit: i64,
    },
    /// Show a patient
    Show {
        /// Patient ID, prefix or phone
        patient: String,
    },
    /// Change a patient
    Update {
        /// Patient ID, prefix or phone
        patient: String,
        /// New full name
        #[arg(long)]
        name: Option<String>,
        /// New phone
        #[arg(long)]
        phone: Option<String>,
        /// New national ID
        #[arg(long)]
        national_id: Option<String>,
        /// New email
        #[arg(long)]
        email: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            phone,
            national_id,
            email,
        } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "--name", "Full name")?;
            let phone = ask.text(phone, "phone", "--phone", "Phone (+503…)")?;
            ask.finish()?;
            let input = PatientInput {
                name,
                phone,
                national_id,
                email,
                key: ctx.key()?,
            };
            let p = patient::add(&mut ctx.open()?, &input, ctx.now)?;
            Ok(ctx.report(
                || json::patient(&p),
                || {
                    format!(
                        "Added patient {} {} {}",
                        human::clean(&p.full_name),
                        human::clean(&p.phone),
                        human::short(&p.id)
                    )
                },
            ))
        }
        Cmd::List { search, limit } => {
            let found = patient::list(&mut ctx.open()?, search.as_deref(), limit, ctx.key()?)?;
            let all = &found.value;
            Ok(ctx
                .report(
                    || json::list("patients", all.iter().map(json::patient).collect()),
                    || human::patients(all),
                )
                .warn(found.warning))
        }
        Cmd::Show { patient } => {
            let card = patient::show(&mut ctx.open()?, &patient, ctx.key()?, ctx.now)?;
            Ok(ctx.report(
                || {
                    let mut v = json::patient(&card.patient);
                    v["upcoming"] = card.upcoming.iter().map(json::appointment).collect();
                    v["recent"] = card.recent.iter().map(json::appointment).collect();
                    v
                },
                || human::patient_visits(&card),
            ))
        }
        Cmd::Update {
            patient,
            name,
            phone,
            national_id,
            email,
        } => {
            let input = PatientInput {
                name,
                phone,
                national_id,
                email,
                key: ctx.key()?,
            };
            let done = patient::update(&mut ctx.open()?, &patient, &input, ctx.now)?;
            let p = &done.value;
            Ok(ctx
                .report(
                    || json::patient(p),
                    || {
                        format!(
                            "Updated patient {} {}",
                            human::clean(&p.full_name),
                            human::clean(&p.phone)
                        )
                    },
                )
                .warn(done.warning))
        }
    }
}
