//! `appt service add|list|update|remove`.

use super::clinic::{check_name, parse_minutes_in};
use super::prompt::Ask;
use super::Ctx;
use crate::core::Service;
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::{self, services};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a service
    Add {
        /// Name, e.g. "General Checkup" (unique, case-insensitive)
        name: Option<String>,
        /// Duration in minutes (5–480)
        #[arg(long, value_name = "M")]
        minutes: Option<i64>,
    },
    /// List services
    List,
    /// Rename a service or change its duration
    Update {
        /// Service name or ID
        service: String,
        /// New name
        #[arg(long)]
        name: Option<String>,
        /// New duration in minutes
        #[arg(long, value_name = "M")]
        minutes: Option<i64>,
    },
    /// Remove a service (its past appointments keep it)
    Remove {
        /// Service name or ID
        service: String,
    },
}

fn minutes(m: i64) -> Result<i64> {
    parse_minutes_in("minutes", m, 5, 480).map_err(|(f, e)| Error::field(&f, e))
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add { name, minutes: m } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "NAME", "Service name")?;
            let m = ask.text(
                m.map(|m| m.to_string()),
                "minutes",
                "--minutes",
                "Duration in minutes",
            )?;
            ask.finish()?;
            let m: i64 = m
                .unwrap_or_default()
                .trim()
                .parse()
                .map_err(|_| Error::field("minutes", "minutes must be a whole number"))?;
            let s = Service {
                id: store::new_id(),
                name: check_name("name", &name.unwrap_or_default())?,
                duration_minutes: minutes(m)?,
                created_at: ctx.now,
                updated_at: ctx.now,
            };
            let mut st = ctx.open()?;
            let tx = st.write()?;
            services::insert(&tx, &s)?;
            tx.commit()?;
            Ok(Report::new(
                json::service(&s),
                format!(
                    "Added service {} ({} min) {}",
                    s.name,
                    s.duration_minutes,
                    human::short(&s.id)
                ),
            ))
        }
        Cmd::List => {
            let st = ctx.open()?;
            let all = services::list(&st.conn)?;
            Ok(Report::new(
                json::list("services", all.iter().map(json::service).collect()),
                human::services(&all),
            ))
        }
        Cmd::Update {
            service,
            name,
            minutes: m,
        } => {
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let mut s = services::find(&tx, &service)?;
            if let Some(n) = name {
                s.name = check_name("name", &n)?;
            }
            if let Some(m) = m {
                s.duration_minutes = minutes(m)?;
            }
            s.updated_at = ctx.now;
            services::update(&tx, &s)?;
            tx.commit()?;
            Ok(Report::new(
                json::service(&s),
                format!("Updated service {}", s.name),
            ))
        }
        Cmd::Remove { service } => {
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let s = services::find(&tx, &service)?;
            services::remove(&tx, &s.id, ctx.now)?;
            tx.commit()?;
            Ok(Report::new(
                json::service(&s),
                format!("Removed service {}", s.name),
            ))
        }
    }
}
