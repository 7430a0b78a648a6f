//! `appt doctor add|list|show|update`.

use super::clinic::{check_name, parse_minutes_in};
use super::prompt::Ask;
use super::Ctx;
use crate::core::Doctor;
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::{self, doctors};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a doctor
    Add {
        /// Full name, e.g. "Dr. García"
        name: Option<String>,
        /// Specialty, e.g. "Medicina General"
        #[arg(long)]
        specialty: Option<String>,
        /// Default slot length of this doctor's windows, in minutes
        #[arg(long, value_name = "M")]
        slot_minutes: Option<i64>,
    },
    /// List doctors
    List,
    /// Show a doctor
    Show {
        /// Doctor name or ID
        doctor: String,
    },
    /// Change a doctor
    Update {
        /// Doctor name or ID
        doctor: String,
        /// New full name
        #[arg(long)]
        name: Option<String>,
        /// New specialty
        #[arg(long)]
        specialty: Option<String>,
        /// New default slot length in minutes
        #[arg(long, value_name = "M")]
        slot_minutes: Option<i64>,
        /// Whether the doctor takes bookings: true|false
        #[arg(long, value_name = "true|false")]
        active: Option<String>,
    },
}

fn slot(m: Option<i64>) -> Result<Option<i64>> {
    m.map(|m| parse_minutes_in("slot_minutes", m, 5, 480).map_err(|(f, e)| Error::field(&f, e)))
        .transpose()
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            specialty,
            slot_minutes,
        } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "NAME", "Doctor's full name")?;
            ask.finish()?;
            let d = Doctor {
                id: store::new_id(),
                full_name: check_name("name", &name.unwrap_or_default())?,
                specialty: specialty
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
                slot_minutes: slot(slot_minutes)?,
                active: true,
                created_at: ctx.now,
                updated_at: ctx.now,
            };
            let mut st = ctx.open()?;
            let tx = st.write()?;
            doctors::insert(&tx, &d)?;
            tx.commit()?;
            Ok(Report::new(
                json::doctor(&d),
                format!("Added doctor {} {}", d.full_name, human::short(&d.id)),
            ))
        }
        Cmd::List => {
            let st = ctx.open()?;
            let all = doctors::list(&st.conn)?;
            Ok(Report::new(
                json::list("doctors", all.iter().map(json::doctor).collect()),
                human::doctors(&all),
            ))
        }
        Cmd::Show { doctor } => {
            let st = ctx.open()?;
            let d = doctors::find(&st.conn, &doctor)?;
            Ok(Report::new(
                json::doctor(&d),
                human::doctors(std::slice::from_ref(&d)),
            ))
        }
        Cmd::Update {
            doctor,
            name,
            specialty,
            slot_minutes,
            active,
        } => {
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let mut d = doctors::find(&tx, &doctor)?;
            if let Some(n) = name {
                d.full_name = check_name("name", &n)?;
            }
            if let Some(s) = specialty {
                d.specialty = Some(s.trim().to_string()).filter(|s| !s.is_empty());
            }
            if slot_minutes.is_some() {
                d.slot_minutes = slot(slot_minutes)?;
            }
            if let Some(a) = active {
                d.active = match a.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" => true,
                    "false" | "no" | "off" => false,
                    _ => return Err(Error::field("active", "active must be true or false")),
                };
            }
            d.updated_at = ctx.now;
            doctors::update(&tx, &d)?;
            tx.commit()?;
            Ok(Report::new(
                json::doctor(&d),
                format!("Updated doctor {}", d.full_name),
            ))
        }
    }
}
