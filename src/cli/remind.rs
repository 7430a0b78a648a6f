//! `appt remind due|list`: `due` is what cron runs every few minutes (see
//! `app::remind` for how a sweep claims and delivers).

use super::Ctx;
use crate::app::remind::{self, DueRequest};
use crate::output::lang::tr;

use crate::error::Result;
use crate::output::{emit_line, emit_text, human, json, Report};
use clap::Subcommand;
use std::io::IsTerminal;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)
    #[command(
        after_help = "Examples:\n  appt remind due --exec examples/remind-whatsapp.sh\n  appt remind due --dry-run\n  appt remind due --json -n 50 | jq -c ."
    )]
    Due {
        /// Run `sh -c CMD` once per reminder, with its JSON on stdin and APPT_* variables; exit 0 = sent
        #[arg(long, value_name = "CMD")]
        exec: Option<String>,
        /// Print what would be delivered and change nothing
        #[arg(long)]
        dry_run: bool,
        /// Deliver at most this many in this run
        #[arg(short = 'n', long, value_name = "N")]
        limit: Option<i64>,
        /// Send up to N messages to the providers at once (1–64)
        #[arg(long, value_name = "N", default_value_t = remind::CONCURRENCY)]
        concurrency: usize,
    },
    /// List reminders and the other messages `remind due` delivers
    #[command(
        after_help = "Examples:\n  appt remind list\n  appt remind list -S failed\n  appt remind list --kind confirmation -n 20 --json"
    )]
    List {
        /// Only this status: pending, sent, failed, cancelled, expired, or in Spanish (pendiente, enviado, fallido…)
        #[arg(short = 'S', long)]
        status: Option<String>,
        /// Only this kind: reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall, or in Spanish (recordatorio, confirmación, control…)
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// At most this many
        #[arg(short = 'n', long, value_name = "N", default_value_t = 500)]
        limit: i64,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Due {
            exec,
            dry_run,
            limit,
            concurrency,
        } => due(ctx, exec, dry_run, limit, concurrency),
        Cmd::List {
            status,
            kind,
            limit,
        } => {
            let rows = remind::list(&mut ctx.open()?, status.as_deref(), kind.as_deref(), limit)?;
            Ok(ctx.report(|| json::reminders(&rows), || human::reminders_list(&rows)))
        }
    }
}

fn due(
    ctx: &Ctx,
    exec: Option<String>,
    dry_run: bool,
    limit: Option<i64>,
    concurrency: usize,
) -> Result<Report> {
    let req = DueRequest {
        exec,
        dry_run,
        limit,
        key: ctx.key()?,
        concurrency: remind::check_concurrency(concurrency)?,
        kind: None,
    };
    // Without --exec, stdout is the reminders themselves: one JSON line
    // each for cron and scripts (piped, or --json), a readable line each
    // and a total for a person at a terminal.
    let person = !ctx.json && std::io::stdout().is_terminal();
    let sweep = remind::due(&mut ctx.open()?, &req, ctx.now, &mut |r, a, ready| {
        if person {
            return emit_text(&human::delivered(r, a, &ready.message));
        }
        emit_line(&json::reminder_delivered(r, a, ready))
    })?;
    if dry_run {
        // Scripts get the reminders as JSON Lines; a person a table and a summary.
        if ctx.json {
            for (r, a, text) in &sweep.would_deliver {
                emit_line(&json::reminder_would(r, a, text))?;
            }
            return Ok(Report::quiet());
        }
        return Ok(Report::new(
            serde_json::Value::Null,
            human::dry_sweep(&sweep),
        ));
    }
    let mut report = if (req.exec.is_none() && !person) || !sweep.busy() {
        Report::quiet()
    } else {
        ctx.report(
            || json::sweep(&sweep),
            || {
                let mut text = tr!(
                    "c-reminders_sent",
                    a = sweep.sent,
                    b = sweep.failed,
                    c = sweep.expired,
                    d = sweep.cancelled
                );
                // The retention's line, when it removed something.
                if let Some(p) = sweep.purged.as_ref().filter(|p| p.any()) {
                    text.push('\n');
                    text.push_str(&human::purged(p));
                }
                text
            },
        )
    };
    report.partial = sweep.shortfall().map(|s| s.error());
    Ok(report)
}
