//! `appt inbox [--all]` and `appt inbox done ID` (see `app::inbox`).

use super::prompt::Ask;
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
    /// Show one message whole, with who wrote and their next visit
    #[command(after_help = "Examples:\n  appt inbox show 3f2a\n  appt inbox show 3f2a --json")]
    Show {
        /// The message's ID (its first characters are enough)
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Answer a message through the channel it came by; sent, it is done
    #[command(
        after_help = "Examples:\n  appt inbox reply 3f2a \"Sí, la esperamos a las 10:00\"\n  appt inbox reply 3f2a --json \"Thank you\""
    )]
    Reply {
        /// The message's ID (its first characters are enough)
        #[arg(value_name = "ID")]
        id: String,
        /// The answer (asked for on a terminal when left out)
        #[arg(value_name = "TEXT")]
        text: Option<String>,
    },
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut st = ctx.open()?;
    match a.cmd {
        None => {
            let items = inbox::list(&mut st, ctx.clinic.as_deref(), None, a.all, ctx.now)?;
            Ok(ctx.report(|| json::inbox(&items), || human::inbox(&items)))
        }
        Some(Cmd::Show { id }) => {
            let item = inbox::show(&mut st, &id, None, ctx.now)?;
            Ok(ctx.report(
                || json::inbox(std::slice::from_ref(&item)),
                || human::inbox_message(&item),
            ))
        }
        Some(Cmd::Reply { id, text }) => {
            let mut ask = Ask::new(ctx);
            let text = ask.text(text, "text", "TEXT", || tr!("p-reply"))?;
            ask.finish()?;
            let done = inbox::reply(
                &mut st,
                &id,
                &text.unwrap_or_default(),
                None,
                ctx.key()?,
                ctx.now,
            )?;
            Ok(ctx
                .report(
                    || json::inbox_done(&done.message),
                    || {
                        tr!(
                            "c-inbox_replied",
                            a = crate::output::human::short(&done.message.id),
                            to = crate::output::human::clean(&done.to)
                        )
                    },
                )
                .made("inbox answered", &done.message.id))
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
