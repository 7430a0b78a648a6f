//! `appt doctor add|list|show|update`.

use super::choice::{Kind, References};
use super::prompt::Ask;
use super::Ctx;
use crate::app::doctor::{self, DoctorInput};
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a doctor
    #[command(
        after_help = "Examples:\n  appt doctor add \"Dr. García\" --specialty \"Medicina General\"\n  appt doctor add \"Dra. Rivera\" --specialty Pediatría --slot-minutes 20\n  appt doctor add \"Dr. Alvarado\" --services \"Limpieza dental,Extracción\"\n  appt doctor add \"Dr. García\" --same-name"
    )]
    Add {
        /// Full name, e.g. "Dr. García"
        name: Option<String>,
        /// Specialty, e.g. "Medicina General"
        #[arg(long, value_name = "SPECIALTY")]
        specialty: Option<String>,
        /// Slot length in minutes of this doctor's windows that name none [default: the clinic's]
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        slot_minutes: Option<i64>,
        /// Whether the online booking page offers the doctor: yes|no (no by default)
        #[arg(long, value_name = "yes|no")]
        online: Option<String>,
        /// The services the doctor does, comma-separated, or all (the default): a window takes only these
        #[arg(long, value_name = "SERVICES")]
        services: Option<String>,
        /// Add a doctor whose name another doctor already has
        #[arg(long)]
        same_name: bool,
    },
    /// List doctors
    #[command(
        after_help = "Examples:\n  appt doctor list\n  appt doctor list --json | jq -r '.doctors[] | select(.active).full_name'"
    )]
    List,
    /// Show a doctor
    #[command(
        after_help = "Examples:\n  appt doctor show \"Dr. García\"\n  appt doctor show garcia --json"
    )]
    Show {
        /// Doctor name or ID
        doctor: String,
    },
    /// Change a doctor
    #[command(
        after_help = "Examples:\n  appt doctor update \"Dr. García\" --specialty Cardiología\n  appt doctor update \"Dr. García\" --active false\n  appt doctor update \"Dra. Rivera\" --max-per-day 12 --online yes\n  appt doctor update \"Dr. Méndez\" --services \"Consulta general\""
    )]
    Update {
        /// Doctor name or ID
        doctor: String,
        /// New full name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// New specialty
        #[arg(long, value_name = "SPECIALTY")]
        specialty: Option<String>,
        /// New slot length in minutes of this doctor's windows that name none
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        slot_minutes: Option<i64>,
        /// Whether the doctor takes bookings: true|false
        #[arg(long, value_name = "true|false")]
        active: Option<String>,
        /// The most active appointments a day (1–1000), at all clinics; none takes the cap away
        #[arg(long, value_name = "N")]
        max_per_day: Option<String>,
        /// Whether the online booking page offers the doctor: yes|no
        #[arg(long, value_name = "yes|no")]
        online: Option<String>,
        /// The services the doctor does, comma-separated, or all: a window takes only these
        #[arg(long, value_name = "SERVICES")]
        services: Option<String>,
        /// Rename to a name another doctor already has
        #[arg(long)]
        same_name: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            specialty,
            slot_minutes,
            online,
            services,
            same_name,
        } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "NAME", || tr!("p-doctor_name"))?;
            ask.finish()?;
            let input = DoctorInput {
                name,
                specialty,
                slot_minutes,
                active: None,
                same_name,
                max_per_day: None,
                online,
                services,
            };
            let d = doctor::add(&mut ctx.open()?, &input, ctx.now)?;
            Ok(ctx
                .report(
                    || json::doctor(&d),
                    || {
                        tr!(
                            "c-doctor_added",
                            a = human::clean(&d.full_name),
                            b = human::short(&d.id)
                        )
                    },
                )
                .made("doctor added", &d.id))
        }
        Cmd::List => {
            let all = doctor::list(&mut ctx.open()?)?;
            Ok(ctx.report(
                || json::list("doctors", all.doctors.iter().map(json::doctor).collect()),
                || human::doctors(&all.doctors, |d| all.services_of(d)),
            ))
        }
        Cmd::Show { doctor } => {
            let one = doctor::show(&mut ctx.open()?, &doctor)?;
            Ok(ctx.report(
                || json::doctor(&one.doctors[0]),
                || human::doctors(&one.doctors, |d| one.services_of(d)),
            ))
        }
        Cmd::Update {
            doctor,
            name,
            specialty,
            slot_minutes,
            active,
            max_per_day,
            online,
            services,
            same_name,
        } => {
            let input = DoctorInput {
                name,
                specialty,
                slot_minutes,
                active,
                same_name,
                max_per_day,
                online,
                services,
            };
            let d = doctor::update(&mut ctx.open()?, &doctor, &input, ctx.now)?;
            Ok(ctx
                .report(
                    || json::doctor(&d),
                    || tr!("c-doctor_updated", a = human::clean(&d.full_name)),
                )
                .made("doctor updated", &d.id))
        }
    }
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Show { doctor } | Cmd::Update { doctor, .. } => vec![(Kind::Doctor, doctor)],
            _ => Vec::new(),
        }
    }
}
