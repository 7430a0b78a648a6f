//! `appt service add|list|update|remove`.

use super::choice::{Kind, References};
use super::prompt::{self, check, Ask};
use super::Ctx;
use crate::app::service;
use crate::error::{Error, Result};
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a service
    #[command(
        after_help = "Examples:\n  appt service add \"General Checkup\" --minutes 30\n  appt service add Vacunación --minutes 15\n  appt service add Cirugía --minutes 60 --buffer-before 5 --buffer-after 30\n  appt service add Ecografía --minutes 20 --max-per-day 8"
    )]
    Add {
        /// Name, e.g. "General Checkup" (unique, case-insensitive)
        name: Option<String>,
        /// Duration in minutes (5–480)
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        minutes: Option<i64>,
        /// The most of this service a day (1–1000), per doctor or per clinic's clinic-wide hours; none (the default) for no cap
        #[arg(long, value_name = "N")]
        max_per_day: Option<String>,
        /// Minutes kept free before each appointment, e.g. to prepare (0–240; default 0)
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        buffer_before: Option<i64>,
        /// Minutes kept free after each appointment, e.g. to clean (0–240; default 0)
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        buffer_after: Option<i64>,
        /// Whether the online booking page offers the service: yes|no (no by default)
        #[arg(long, value_name = "yes|no")]
        online: Option<String>,
    },
    /// List services
    #[command(
        after_help = "Examples:\n  appt service list\n  appt service list --json | jq -r '.services[].name'"
    )]
    List,
    /// Rename a service, change its duration, its daily limit, its buffers or
    /// whether the booking page offers it
    #[command(
        after_help = "Examples:\n  appt service update \"General Checkup\" --minutes 45\n  appt service update Cirugía --max-per-day 4 --online yes\n  appt service update Cirugía --buffer-after 20   # new bookings only\n  appt service update Ecografía --needs \"Sala 1|Sala 2\" --needs Ecógrafo"
    )]
    Update {
        /// Service name or ID
        service: String,
        /// New name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// New duration in minutes
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        minutes: Option<i64>,
        /// The most of this service a day (1–1000), per doctor or per clinic's clinic-wide hours; none takes the cap away
        #[arg(long, value_name = "N")]
        max_per_day: Option<String>,
        /// New minutes kept free before each appointment (0–240), for bookings from now on
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        buffer_before: Option<i64>,
        /// New minutes kept free after each appointment (0–240), for bookings from now on
        #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
        buffer_after: Option<i64>,
        /// Whether the online booking page offers the service: yes|no
        #[arg(long, value_name = "yes|no")]
        online: Option<String>,
        /// Rooms or equipment it needs: one of each --needs, any of the names separated by | (none: nothing)
        #[arg(long, value_name = "RESOURCES")]
        needs: Vec<String>,
    },
    /// Remove a service (its past appointments keep it)
    #[command(
        after_help = "Examples:\n  appt service remove Vacunación\n  appt service remove 5d0e --json\n  appt service remove Vacunación -y"
    )]
    Remove {
        /// Service name or ID
        service: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            minutes: m,
            max_per_day,
            buffer_before,
            buffer_after,
            online,
        } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "NAME", || tr!("p-service_name"))?;
            let m = ask.value(
                m.map(|m| m.to_string()),
                "minutes",
                "--minutes",
                || tr!("p-minutes"),
                None,
                &check::minutes,
            )?;
            ask.finish()?;
            let m: i64 = m.unwrap_or_default().trim().parse().map_err(|_| {
                Error::field(
                    "minutes",
                    crate::text::msg!("e-minutes_must_be_a_whole_number"),
                )
            })?;
            let s = service::add_limited(
                &mut ctx.open()?,
                &name.unwrap_or_default(),
                m,
                &service::Buffers {
                    before: buffer_before,
                    after: buffer_after,
                },
                max_per_day.as_deref(),
                online.as_deref(),
                ctx.now,
            )?;
            Ok(ctx
                .report(
                    || json::service(&s),
                    || {
                        tr!(
                            "c-service_added",
                            a = human::clean(&s.name),
                            b = s.duration_minutes,
                            c = human::short(&s.id)
                        )
                    },
                )
                .made("service added", &s.id))
        }
        Cmd::List => {
            let all = service::list_needing(&mut ctx.open()?)?;
            Ok(ctx.report(
                || {
                    let items = all.iter().map(|(s, n)| json::service_needing(s, n));
                    json::list("services", items.collect())
                },
                || human::services(&all),
            ))
        }
        Cmd::Update {
            service,
            name,
            minutes,
            max_per_day,
            buffer_before,
            buffer_after,
            online,
            needs,
        } => {
            let u = service::ServiceUpdate {
                name,
                minutes,
                max_per_day,
                buffers: service::Buffers {
                    before: buffer_before,
                    after: buffer_after,
                },
                online,
                needs: (!needs.is_empty()).then_some(needs),
                clinic: ctx.clinic.clone(),
            };
            let mut st = ctx.open()?;
            let s = service::update(&mut st, &service, &u, ctx.now)?;
            let needs = service::needs(&mut st, &s.id)?;
            Ok(ctx
                .report(
                    || json::service_needing(&s, &needs),
                    || tr!("c-service_updated", a = human::clean(&s.name)),
                )
                .made("service updated", &s.id))
        }
        Cmd::Remove { service, yes } => {
            let mut st = ctx.open()?;
            let mut id = service;
            let go = prompt::confirm(ctx, yes, || {
                let s = service::find(&mut st, &id)?;
                id = s.id.clone();
                Ok(tr!("c-service_remove_q", a = human::clean(&s.name)))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let s = service::remove(&mut st, &id, ctx.now)?;
            Ok(ctx
                .report(
                    || json::service(&s),
                    || tr!("c-service_removed", a = human::clean(&s.name)),
                )
                .made("service removed", &s.id))
        }
    }
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Update { service, .. } | Cmd::Remove { service, .. } => {
                vec![(Kind::Service, service)]
            }
            _ => Vec::new(),
        }
    }
}
