//! `appt closure add|list|remove`.

use super::choice::{given, Kind, References};
use super::prompt::{self, Ask};
use super::Ctx;
use crate::app::closure::{self, ClosureInput};
use crate::error::Result;
use crate::output::lang::{self, tr};
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates
    #[command(
        after_help = "Examples:\n  appt closure add -d 7b2e --from 2026-07-01 --to 2026-07-15 -r Vacation\n  appt closure add -c Central --from 2026-09-15 -r \"Independence Day\"\n  appt closure add -d \"Dr. García\" --from tomorrow -r \"Sick leave\"\n  appt closure add --resource Ecógrafo --from lunes -r mantenimiento"
    )]
    Add {
        /// The doctor who takes no bookings (else the clinic given with --clinic)
        #[arg(short, long)]
        doctor: Option<String>,
        /// First closed date
        #[arg(long, allow_negative_numbers = true, value_name = "DATE")]
        from: Option<String>,
        /// Last closed date [default: the from date]
        #[arg(long, allow_negative_numbers = true, value_name = "DATE")]
        to: Option<String>,
        /// Why, e.g. "Holiday" (shown to the front desk when a booking is refused)
        #[arg(short, long, value_name = "TEXT")]
        reason: Option<String>,
        /// Close a room or a machine instead (maintenance): it is given to no visit those days
        #[arg(
            long,
            value_name = "RESOURCE",
            conflicts_with = "doctor",
            requires = "from"
        )]
        resource: Option<String>,
    },
    /// List closures
    #[command(
        after_help = "Examples:\n  appt closure list\n  appt closure list -d \"Dr. García\" --json\n  appt closure list --resource Ecógrafo"
    )]
    List {
        /// Only this doctor's closures
        #[arg(short, long)]
        doctor: Option<String>,
        /// A room's or a machine's closures instead
        #[arg(long, value_name = "RESOURCE", conflicts_with = "doctor")]
        resource: Option<String>,
    },
    /// Delete a closure
    #[command(
        after_help = "Examples:\n  appt closure remove 9c1d\n  appt closure remove 9c1d2e3f --json\n  appt closure remove 9c1d -y"
    )]
    Remove {
        /// Closure ID (or unique prefix)
        #[arg(value_name = "ID")]
        closure: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            resource: Some(resource),
            from,
            to,
            reason,
            ..
        } => {
            let dates = (from.as_deref().unwrap_or_default(), to.as_deref());
            let c = crate::app::resource::add_closure(
                &mut ctx.open()?,
                &resource,
                dates,
                reason.as_deref(),
                ctx.now,
            )?;
            Ok(ctx
                .report(
                    || json::resource_closure(&c),
                    || {
                        tr!(
                            "c-resource_closed",
                            a = human::clean(&c.resource.name),
                            from = c.from.to_string(),
                            to = c.to.to_string()
                        )
                    },
                )
                .made("resource closed", &c.id))
        }
        Cmd::Add {
            mut doctor,
            from,
            to,
            reason,
            resource: None,
        } => {
            let mut ask = Ask::new(ctx);
            // A terminal picks a doctor or the whole clinic; elsewhere no
            // doctor closes the clinic (the only one, when there is one).
            if doctor.is_none() && ctx.clinic.is_none() && ask.interactive() {
                let mut st = ctx.open()?;
                ask.doctor(Some(&mut st), &mut doctor, &mut false, true)?;
            }
            let from = ask.date(from, "from", "--from", || tr!("p-first_closed"), "today")?;
            ask.finish()?;
            let input = ClosureInput {
                clinic: ctx.clinic.clone(),
                doctor,
                from: from.unwrap_or_default(),
                to,
                reason,
            };
            let c = closure::add(&mut ctx.open()?, &input, ctx.now)?;
            Ok(ctx
                .report(
                    || json::closure(&c.closure),
                    || {
                        // One day shows once: `Cerrado Central 2026-12-25`.
                        let a = human::clean(&lang::message(&c.who));
                        let (from, to, id) =
                            (c.closure.from, c.closure.to, human::short(&c.closure.id));
                        if from == to {
                            tr!("c-closure_added_day", a = a, b = from, d = id)
                        } else {
                            tr!("c-closure_added", a = a, b = from, c = to, d = id)
                        }
                    },
                )
                .made("closure added", &c.closure.id))
        }
        Cmd::List {
            resource: Some(r), ..
        } => {
            let own = crate::app::resource::own_time(&mut ctx.open()?, &r)?;
            Ok(ctx.report(
                || {
                    json::list(
                        "closures",
                        own.closures.iter().map(json::resource_closure).collect(),
                    )
                },
                || human::resource_closures(&own.closures),
            ))
        }
        Cmd::List { doctor, .. } => {
            let all = closure::list(&mut ctx.open()?, ctx.clinic.as_deref(), doctor.as_deref())?;
            Ok(ctx.report(
                || {
                    json::list(
                        "closures",
                        all.iter().map(|c| json::closure(&c.closure)).collect(),
                    )
                },
                || human::closures(&all),
            ))
        }
        Cmd::Remove { closure, yes } => {
            let mut st = ctx.open()?;
            if let Some(c) = crate::app::resource::find_closure(&mut st, &closure)? {
                return remove_resource_closure(ctx, st, c, yes);
            }
            let mut id = closure;
            let go = prompt::confirm(ctx, yes, || {
                let c = closure::find(&mut st, &id)?;
                id = c.id.clone();
                Ok(remove_question(
                    &c.id,
                    (c.from, c.to),
                    None,
                    c.reason.as_deref(),
                ))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let c = closure::remove(&mut st, &id)?;
            Ok(ctx
                .report(
                    || json::closure(&c),
                    || tr!("c-closure_removed", a = human::short(&c.id)),
                )
                .made("closure removed", &c.id))
        }
    }
}

/// `closure remove`'s question: the closure's ID, dates, whose (a room's
/// or machine's name) and reason.
fn remove_question(
    id: &str,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    whose: Option<&str>,
    reason: Option<&str>,
) -> String {
    let whose = whose.map(|w| format!(" · {}", human::clean(w)));
    let reason = reason.map(|r| format!(", {}", human::clean(r)));
    tr!(
        "c-closure_remove_q",
        a = human::short(id),
        b = crate::output::lang::date_short(from),
        c = crate::output::lang::date_short(to),
        reason = format!(
            "{}{}",
            whose.unwrap_or_default(),
            reason.unwrap_or_default()
        )
    )
}

/// `closure remove ID` of a room's or machine's closure.
fn remove_resource_closure(
    ctx: &Ctx,
    mut st: crate::app::Store,
    c: crate::app::resource::ClosureAdded,
    yes: bool,
) -> Result<Report> {
    let go = prompt::confirm(ctx, yes, || {
        let whose = Some(c.resource.name.as_str());
        Ok(remove_question(
            &c.id,
            (c.from, c.to),
            whose,
            c.reason.as_deref(),
        ))
    })?;
    if !go {
        return Ok(prompt::declined(ctx));
    }
    let c = crate::app::resource::remove_closure(&mut st, &c.id)?;
    Ok(ctx
        .report(
            || json::resource_closure(&c),
            || tr!("c-closure_removed", a = human::short(&c.id)),
        )
        .made("resource closure removed", &c.id))
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Add { doctor, .. } => given([(Kind::Doctor, doctor.as_mut())]),
            Cmd::List { doctor, resource } => given([
                (Kind::Doctor, doctor.as_mut()),
                (Kind::Resource, resource.as_mut()),
            ]),
            Cmd::Remove { closure, .. } => vec![(Kind::Closure, closure)],
        }
    }
}
