//! `appt webhook add|list|remove|deliver` (see `app::webhook`).

use super::choice::{Kind, References};
use super::prompt::{self, Ask};
use super::Ctx;
use crate::app::outbox::webhook;
use crate::output::lang::tr;

use crate::error::Result;
use crate::output::{human, json, Report};
use clap::Subcommand;
use std::path::{Path, PathBuf};

/// The signing secret: `--secret S`, `--secret -` (standard input) or
/// `--secret-file FILE`, trailing line breaks trimmed.
fn read_secret(secret: Option<String>, file: Option<&Path>) -> Result<Option<String>> {
    match (secret.as_deref(), file) {
        (Some("-"), _) => super::secret::read("secret", Path::new("-")).map(Some),
        (_, Some(path)) => super::secret::read("secret_file", path).map(Some),
        _ => Ok(secret),
    }
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a webhook: events recorded from now on are POSTed to URL
    #[command(
        after_help = "Examples:\n  appt webhook add https://crm.example/appt --secret-file crm.secret\n  printf %s \"$KEY\" | appt webhook add https://crm.example/appt --secret -\n  appt webhook add https://crm.example/appt --events appointment.cancelled\n  appt webhook add https://emr.example/in --clinical --secret-file emr.key"
    )]
    Add {
        /// http:// or https:// address (a password in it is never shown: user:***@host)
        #[arg(value_name = "URL")]
        url: Option<String>,
        /// Only these event types (comma-separated) [default: all]
        #[arg(long, value_name = "TYPES")]
        events: Option<String>,
        /// Sign each body with this secret: X-Appt-Signature: sha256=<hex HMAC-SHA256>.
        /// `-` reads it from standard input. A secret written on the command line
        /// is visible to other users of the machine (ps): prefer --secret-file or -
        #[arg(long, value_name = "SECRET", conflicts_with = "secret_file")]
        secret: Option<String>,
        /// Read the signing secret from FILE (trailing line breaks trimmed)
        #[arg(long, value_name = "FILE")]
        secret_file: Option<PathBuf>,
        /// Send the whole appointment object, diagnosis, prescription, follow-up
        /// and notes included. Without it the receiver gets the message view,
        /// as hooks do (for a system that keeps the clinical record)
        #[arg(long)]
        clinical: bool,
    },
    /// List webhooks and how their deliveries stand
    #[command(
        after_help = "Examples:\n  appt webhook list\n  appt webhook list --json | jq '.webhooks[] | {url, last_error}'"
    )]
    List,
    /// Remove a webhook
    #[command(
        after_help = "Examples:\n  appt webhook remove 2b7c\n  appt webhook remove 2b7c9d0e --json\n  appt webhook remove 2b7c -y"
    )]
    Remove {
        /// Webhook ID (or unique prefix)
        #[arg(value_name = "ID")]
        webhook: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
    /// POST every undelivered event (cron runs this every few minutes)
    #[command(
        after_help = "Examples:\n  appt webhook deliver\n  */5 * * * * appt --db /srv/appt/clinic.db webhook deliver --json\n  appt webhook deliver --json | jq .delivered"
    )]
    Deliver,
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            url,
            events,
            secret,
            secret_file,
            clinical,
        } => {
            let secret = read_secret(secret, secret_file.as_deref())?;
            let mut ask = Ask::new(ctx);
            let url = ask.text(url, "url", "URL", || tr!("p-webhook_url"))?;
            ask.finish()?;
            let w = webhook::add(
                &mut ctx.open()?,
                &url.unwrap_or_default(),
                events.as_deref(),
                secret.as_deref(),
                clinical,
                ctx.now,
            )?;
            Ok(ctx.report(
                || json::webhook(&w),
                || {
                    tr!(
                        "c-webhook_added",
                        a = human::short(&w.id),
                        b = human::clean(&w.shown_url())
                    )
                },
            ))
        }
        Cmd::List => {
            let all = webhook::list(&mut ctx.open()?)?;
            Ok(ctx.report(
                || json::list("webhooks", all.iter().map(json::webhook).collect()),
                || human::webhooks(&all),
            ))
        }
        Cmd::Remove { webhook, yes } => {
            let mut st = ctx.open()?;
            let mut id = webhook;
            let go = prompt::confirm(ctx, yes, || {
                let w = webhook::find(&mut st, &id)?;
                id = w.id.clone();
                Ok(tr!(
                    "c-webhook_remove_q",
                    a = human::short(&w.id),
                    b = human::clean(&w.shown_url())
                ))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let w = webhook::remove(&mut st, &id)?;
            Ok(ctx.report(
                || json::webhook(&w),
                || {
                    tr!(
                        "c-webhook_removed",
                        a = human::short(&w.id),
                        b = human::clean(&w.shown_url())
                    )
                },
            ))
        }
        Cmd::Deliver => {
            let done = webhook::deliver(&mut ctx.open()?, ctx.now)?;
            let failed = done.failures.len() as i64;
            let mut report = if done.delivered + failed == 0 {
                Report::quiet()
            } else {
                ctx.report(
                    || json::delivered(&done),
                    || tr!("c-webhooks_sent", a = done.delivered, failed = failed),
                )
            };
            report.partial = done.shortfall().map(|s| s.error());
            Ok(report)
        }
    }
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Remove { webhook, .. } => vec![(Kind::Webhook, webhook)],
            _ => Vec::new(),
        }
    }
}
