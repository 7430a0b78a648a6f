//! `appt recall list|send`: the patients whose follow-up date has come
//! (docs/rules.md#recalls), and sending each due one its message once.

use super::Ctx;
use crate::app::recall::{self, ListRequest};
use crate::app::remind::{self, DueRequest};
use crate::error::Result;
use crate::output::desk;
use crate::output::lang::tr;
use crate::output::{emit_line, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// The clinic's recall list: completed visits whose follow-up date has come, with whether each was sent or booked
    #[command(
        after_help = "Examples:\n  appt recall list\n  appt recall list --status due\n  appt recall list --due-before +30 --json"
    )]
    List {
        /// Only recalls whose follow-up date is before this date (the date itself left out); default: up to today
        #[arg(long, value_name = "DATE")]
        due_before: Option<String>,
        /// Only this status: due, sent, booked
        #[arg(short = 'S', long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Send each due recall its one message, with a link to the booking page (through the clinic's channels, the hook, or as JSON lines)
    #[command(
        after_help = "Examples:\n  appt recall send\n  appt recall send --exec examples/remind-whatsapp.sh"
    )]
    Send {
        /// Run `sh -c CMD` once per recall, with its JSON on stdin and APPT_* variables; exit 0 = sent
        #[arg(long, value_name = "CMD")]
        exec: Option<String>,
        /// Send up to N messages to the providers at once (1–64)
        #[arg(long, value_name = "N", default_value_t = remind::CONCURRENCY)]
        concurrency: usize,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::List { due_before, status } => {
            let req = ListRequest {
                clinic: ctx.clinic.clone(),
                due_before,
                status,
                seen_from: None,
            };
            let all = recall::list(&mut ctx.open()?, &req, ctx.now)?;
            Ok(ctx.report(|| json::recalls(&all), || desk::recalls(&all)))
        }
        Cmd::Send { exec, concurrency } => send(ctx, exec, concurrency),
    }
}

fn send(ctx: &Ctx, exec: Option<String>, concurrency: usize) -> Result<Report> {
    let req = DueRequest {
        exec,
        dry_run: false,
        limit: None,
        key: ctx.key()?,
        concurrency: remind::check_concurrency(concurrency)?,
        kind: None, // `recalls` keeps to recalls itself
    };
    // Without --exec, stdout is the recalls themselves, one JSON line each.
    let sweep = remind::recalls(
        &mut ctx.open()?,
        ctx.clinic.as_deref(),
        &req,
        ctx.now,
        &mut |r, a, ready| emit_line(&json::reminder_delivered(r, a, ready)),
    )?;
    let mut report = if req.exec.is_none() || !sweep.busy() {
        Report::quiet()
    } else {
        ctx.report(
            || json::sweep(&sweep),
            || {
                tr!(
                    "c-recalls_sent",
                    a = sweep.sent,
                    b = sweep.failed,
                    c = sweep.cancelled
                )
            },
        )
    };
    report.partial = sweep.shortfall().map(|s| s.error());
    Ok(report)
}
