//! `appt import FILE|-`: JSON Lines of booking requests, each through the
//! booking use case; a progress bar on a terminal, a summary at the end.

use super::Ctx;
use crate::app::import::{self, ImportRequest, Input};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use std::io::{BufReader, IsTerminal};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each line is one booking, its fields named as book's flags in\nsnake_case (a new patient needs a name; external_ref makes a rerun safe):\n  {\"doctor\":\"Ruiz\",\"date\":\"+1\",\"time\":\"10:00\",\"phone\":\"+50370000001\"}\n\nExamples:\n  appt import bookings.jsonl\n  appt import bookings.jsonl --dry-run --json | jq .errors\n  some-export | appt import -"
)]
pub struct Args {
    /// JSON Lines file of booking requests, or - for standard input
    #[arg(value_name = "FILE|-")]
    pub file: PathBuf,
    /// Check every line against every rule, book nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    // A buffer of a few hundred lines: the lines already in it are looked
    // up together (app::import's read-ahead).
    const BUFFER: usize = 64 * 1024;
    let (mut input, size): (Box<dyn Input>, Option<u64>) = if a.file.as_os_str() == "-" {
        (
            Box::new(BufReader::with_capacity(BUFFER, std::io::stdin())),
            None,
        )
    } else {
        let f = std::fs::File::open(&a.file).map_err(|e| {
            Error::field(
                "file",
                crate::text::msg!("e-cannot_read", a = a.file.display(), e = e),
            )
        })?;
        let size = f.metadata().ok().map(|m| m.len());
        (Box::new(BufReader::with_capacity(BUFFER, f)), size)
    };
    // Progress only for a person watching: never on a pipe or a log.
    let bar = std::io::stderr().is_terminal().then(|| {
        let (bar, template) = match size {
            Some(n) => (
                indicatif::ProgressBar::new(n),
                "{bar:30} {percent:>3}%  {msg}",
            ),
            None => (indicatif::ProgressBar::new_spinner(), "{spinner} {msg}"),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    });
    let req = ImportRequest {
        clinic: ctx.clinic.clone(),
        key: ctx.key()?,
        dry_run: a.dry_run,
    };
    let done = import::import(
        &mut ctx.open()?,
        input.as_mut(),
        &req,
        ctx.now,
        &mut |read, lines| {
            if let Some(b) = &bar {
                b.set_position(read);
                b.set_message(format!("line {lines}"));
            }
        },
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut report = ctx.report(
        || json::imported(&done, a.dry_run),
        || human::imported(&done, a.dry_run),
    );
    if !a.dry_run && done.booked > 0 {
        report = report.saved(format!(
            "{} line{} booked (every line with an external_ref is booked once however often it is imported)",
            done.booked,
            if done.booked == 1 { "" } else { "s" }
        ));
    }
    report.partial = done.shortfall().map(|s| s.error());
    Ok(report)
}
