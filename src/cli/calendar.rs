//! `appt calendar add|list|show|sync|remove`: a doctor's own calendars,
//! whose busy times block their slots (see `app::calendar`,
//! docs/calendars.md). The password comes from a file or standard input,
//! never from the command line.

use super::Ctx;
use crate::app::calendar::{self, AddRequest, Which};
use crate::error::Result;
use crate::output::{human, json, Report};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Connect a doctor's own calendar (ICS address or CalDAV); its busy times block their slots
    ///
    /// URL: the calendar's secret ICS address (https:// or webcal://, as
    /// Google, iCloud and Outlook give it) or a CalDAV calendar collection
    /// (Nextcloud, Radicale, iCloud). It is read at once: a calendar that
    /// cannot be read is not added. Only each busy time's start and end are
    /// kept; the address and password are stored sealed and never shown.
    #[command(
        after_help = "Examples:\n  appt calendar add hosp -d Ana --url webcal://p.example/ana.ics\n  appt calendar add nc -d Ana --url https://x/ --user a --password-file pw\n  appt calendar add nc -d Ana --url https://x/ --user a --password-stdin"
    )]
    Add(AddArgs),
    /// List the doctors' calendars: kind, host, busy times, last sync, stale since and why
    #[command(
        after_help = "Examples:\n  appt calendar list\n  appt calendar list --json | jq '.calendars[] | select(.stale)'"
    )]
    List,
    /// Show one calendar
    #[command(
        after_help = "Examples:\n  appt calendar show ana-hospital\n  appt calendar show ana-hospital --json"
    )]
    Show {
        /// The calendar's name
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Read calendars now (all, one, or a doctor's), for cron; exit 7 if one failed
    #[command(
        after_help = "Examples:\n  appt calendar sync\n  appt calendar sync ana-hospital\n  appt calendar sync --doctor \"Dra. Ana García\" --json"
    )]
    Sync {
        /// The calendar's name [default: every calendar]
        #[arg(value_name = "NAME", conflicts_with = "doctor")]
        name: Option<String>,
        /// The doctor whose calendars to read
        #[arg(short, long, value_name = "DOCTOR")]
        doctor: Option<String>,
    },
    /// Remove a calendar and the busy times read from it
    #[command(
        after_help = "Examples:\n  appt calendar remove ana-hospital\n  appt calendar remove ana-nc -y"
    )]
    Remove {
        /// The calendar's name
        #[arg(value_name = "NAME")]
        name: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A name for the calendar: 1 to 64 letters (a-z), digits, '.', '_' or '-'
    #[arg(value_name = "NAME")]
    name: String,
    /// The doctor whose calendar it is
    #[arg(short, long, value_name = "DOCTOR")]
    doctor: String,
    /// The ICS address (https://, webcal://) or the CalDAV calendar's
    #[arg(long, value_name = "URL")]
    url: String,
    /// The user to sign in as
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// Read the password from this file
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "password_stdin",
        requires = "user"
    )]
    password_file: Option<PathBuf>,
    /// Read the password from standard input
    #[arg(long, requires = "user")]
    password_stdin: bool,
    /// Also put the doctor's visits into it, move and delete them (CalDAV only)
    #[arg(long)]
    write: bool,
}

pub fn run(ctx: &Ctx, c: Cmd) -> Result<Report> {
    match c {
        Cmd::Add(a) => {
            let password = match (&a.password_file, a.password_stdin) {
                (Some(f), _) => Some(super::secret::read("password_file", f)?),
                (None, true) => Some(super::secret::read(
                    "password_stdin",
                    std::path::Path::new("-"),
                )?),
                (None, false) => None,
            };
            let req = AddRequest {
                name: a.name,
                doctor: a.doctor,
                url: a.url,
                user: a.user,
                password,
                write: a.write,
                key: ctx.key()?,
            };
            let added = calendar::add(&mut ctx.open()?, &req, ctx.now)?;
            let c = &added.calendar;
            Ok(ctx
                .report(|| json::calendar(c), || human::calendar_added(&added))
                .made("calendar added", c.name.clone()))
        }
        Cmd::List => {
            let all = calendar::list(&mut ctx.open()?)?;
            Ok(ctx.report(
                || json::list("calendars", all.iter().map(json::calendar).collect()),
                || human::calendars(&all),
            ))
        }
        Cmd::Show { name } => {
            let c = calendar::find(&mut ctx.open()?, &name)?;
            Ok(ctx.report(|| json::calendar(&c), || human::calendar(&c)))
        }
        Cmd::Sync { name, doctor } => {
            let which = match (name, doctor) {
                (Some(n), _) => Which::Named(n),
                (None, Some(d)) => Which::Doctor(d),
                (None, None) => Which::All,
            };
            let done = calendar::sync(&mut ctx.open()?, &which, ctx.key()?, ctx.now)?;
            let mut report = ctx.report(|| json::synced(&done), || human::synced(&done));
            // The others were read and saved; cron hears of the failed (exit 7).
            report.partial = calendar::shortfall(&done);
            Ok(report)
        }
        Cmd::Remove { name, yes } => {
            let mut st = ctx.open()?;
            let go = super::prompt::confirm(ctx, yes, || {
                let c = calendar::find(&mut st, &name)?;
                Ok(crate::output::lang::tr!(
                    "c-calendar_remove_q",
                    name = human::clean(&c.name),
                    doctor = human::clean(&c.doctor)
                ))
            })?;
            if !go {
                return Ok(super::prompt::declined(ctx));
            }
            let c = calendar::remove(&mut st, &name)?;
            Ok(ctx
                .report(|| json::calendar(&c), || human::calendar_removed(&c))
                .made("calendar removed", c.name.clone()))
        }
    }
}
