//! `appt queue [--doctor D]` and `appt queue next --doctor D` (docs/rules.md#the-queue).

use super::choice::{given, Kind, References};
use super::prompt::Ask;
use super::Ctx;
use crate::app::queue;
use crate::error::Result;
use crate::output::{desk, human, json, Report};
use clap::Subcommand;

#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  appt queue\n  appt queue -d \"Dr. García\"\n  appt queue next -d \"Dr. García\"\n  appt queue --json | jq '.doctors[].appointments[].token_number'"
)]
pub struct Args {
    /// Only this doctor's queue
    #[arg(short, long)]
    pub doctor: Option<String>,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Call the next patient: the first checked-in appointment of today in the
    /// clinic's queue order (--queue-order: the earliest appointment, a
    /// walk-in at its arrival; or the lowest token) moves to in_progress
    #[command(
        after_help = "Examples:\n  appt queue next -d \"Dr. García\"\n  appt queue next -d \"dr garcia\" --json | jq .token_number"
    )]
    Next {
        /// The doctor calling (a terminal asks)
        #[arg(short, long)]
        doctor: Option<String>,
    },
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut st = ctx.open()?;
    match a.cmd {
        Some(Cmd::Next { mut doctor }) => {
            let mut ask = Ask::new(ctx);
            ask.doctor(Some(&mut st), &mut doctor, &mut false, false)?;
            ask.finish()?;
            let doctor = doctor.unwrap_or_default();
            let appt = queue::next(
                &mut st,
                ctx.clinic.as_deref(),
                &doctor,
                &ctx.actor(),
                ctx.now,
            )?;
            Ok(ctx.report(
                || json::appointment(&appt),
                || {
                    human::confirm(
                        &crate::text::msg!("v-next", token = appt.token_number),
                        &appt,
                    )
                },
            ))
        }
        None => {
            let q = queue::today(&mut st, ctx.clinic.as_deref(), a.doctor.as_deref(), ctx.now)?;
            Ok(ctx.report(|| json::queue(&q), || desk::queue(&q)))
        }
    }
}

impl References for Args {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        let doctor = match &mut self.cmd {
            Some(Cmd::Next { doctor }) => doctor,
            None => &mut self.doctor,
        };
        given([(Kind::Doctor, doctor.as_mut())])
    }
}
