//! `appt inbox [--all]` and `appt inbox done ID` (see `app::inbox`).

use super::Ctx;
use crate::app::inbox;
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// Every message received, answers appt acted on and done ones too
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Mark a message done: the inbox no longer shows it
    #[command(after_help = "Examples:\n  appt inbox done 3f2a\n  appt inbox done 3f2a1b4c --json")]
    Done {
        /// The message's ID (its first characters are enough)
        #[arg(value_name = "ID")]
        id: String,
    },
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut st = ctx.open()?;
    match a.cmd {
        None => {
            let items = inbox::list(&mut st, ctx.clinic.as_deref(), None, a.all, ctx.now)?;
            Ok(ctx.report(|| json::inbox(&items), || human::inbox(&items)))
        }
        Some(Cmd::Done { id }) => {
            let m = inbox::done(&mut st, &id, None, ctx.now)?;
            Ok(ctx.report(
                || json::inbox_done(&m),
                || tr!("c-inbox_done", a = crate::output::human::short(&m.id)),
            ))
        }
    }
}
