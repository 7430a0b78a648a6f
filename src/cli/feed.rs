//! `appt feed add|list|revoke`: calendars a doctor's phone (or the desk's)
//! subscribes to (see `app::feed`, docs/feeds.md). `add` prints the new
//! feed's address before the change commits: an address whose printing
//! failed is never saved, so no working feed is left that nobody saw.

use super::Ctx;
use crate::app::feed::{self, AddRequest};
use crate::core::feed::Show;
use crate::error::Result;
use crate::output::{self, human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Publish a doctor's visits (or a clinic's) as a calendar; its secret address is printed once
    ///
    /// The address is `<public-url>/cal/<token>.ics`, for a phone's "subscribe
    /// to calendar"; the same calendar is a read-only CalDAV account at
    /// `<public-url>/dav/NAME/` (any user name, the token as the password).
    /// With --doctor, that doctor's visits at the clinic (--clinic, or the one
    /// clinic they work at); without, the whole clinic's, one calendar for
    /// the desk. appt keeps only the token's hash.
    #[command(
        after_help = "Examples:\n  appt feed add ana --doctor \"Dra. Ana García\"\n  appt feed add recepcion -c Central --show names --days-ahead 14\n  appt feed add ana-iniciales -d Ana --json | jq -r .url"
    )]
    Add(AddArgs),
    /// List calendar feeds: name, prefix, whose visits, how patients show (never the address)
    #[command(
        after_help = "Examples:\n  appt feed list\n  appt feed list --json | jq -r '.feeds[].name'"
    )]
    List,
    /// Revoke a calendar feed: its address and CalDAV account answer 404 from the next request
    #[command(
        after_help = "Examples:\n  appt feed revoke ana\n  appt feed revoke cal_x7Q -y\n  appt feed revoke recepcion --json"
    )]
    Revoke {
        /// The feed's name, or its prefix as `feed list` shows it (cal_x7Q)
        #[arg(value_name = "NAME")]
        name: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A name for the feed: 1 to 64 letters (a-z), digits, '.', '_' or '-'; the CalDAV address ends in it
    #[arg(value_name = "NAME")]
    name: String,
    /// The doctor whose visits it holds [default: the whole clinic's]
    #[arg(short, long, value_name = "DOCTOR")]
    doctor: Option<String>,
    /// How events name the patient: none, initials or names
    #[arg(long, value_name = "none|initials|names", value_parser = show, default_value = "initials")]
    show: Show,
    /// Days before today it still holds
    #[arg(long, value_name = "N", default_value_t = 30)]
    days_back: i64,
    /// Days after today it holds
    #[arg(long, value_name = "N", default_value_t = 90)]
    days_ahead: i64,
    /// Print the calendar's address as a QR code too, for the doctor's
    /// phone to read off the screen
    #[arg(long)]
    qr: bool,
}

/// `--show`, in English or Spanish (`iniciales`).
fn show(s: &str) -> std::result::Result<Show, String> {
    Show::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Show::ALL.iter().map(|s| s.as_str()).collect();
        format!("'{s}': {}", all.join(", "))
    })
}

pub fn run(ctx: &Ctx, c: Cmd) -> Result<Report> {
    match c {
        Cmd::Add(a) => add(ctx, a),
        Cmd::List => {
            let all = feed::list(&mut ctx.open()?)?;
            Ok(ctx.report(
                || json::list("feeds", all.iter().map(json::feed).collect()),
                || human::feeds(&all),
            ))
        }
        Cmd::Revoke { name, yes } => {
            let mut st = ctx.open()?;
            let go = super::prompt::confirm(ctx, yes, || {
                let f = feed::find_active(&mut st, &name)?;
                Ok(crate::output::lang::tr!(
                    "c-feed_revoke_q",
                    name = human::clean(&f.name)
                ))
            })?;
            if !go {
                return Ok(super::prompt::declined(ctx));
            }
            let f = feed::revoke(&mut st, &name, ctx.now)?;
            Ok(ctx
                .report(|| json::feed(&f), || human::feed_revoked(&f))
                .made("feed revoked", f.name.clone()))
        }
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<Report> {
    let req = AddRequest {
        name: a.name,
        doctor: a.doctor,
        clinic: ctx.clinic.clone(),
        show: Some(a.show),
        days_back: Some(a.days_back),
        days_ahead: Some(a.days_ahead),
    };
    let mut st = ctx.open()?;
    let (as_json, qr) = (ctx.json, a.qr);
    feed::add_then(&mut st, &req, ctx.now, &mut |added| {
        output::print_now(
            as_json,
            || json::feed_added(added),
            || human::feed_added(added, qr),
        )
    })?;
    Ok(Report::quiet())
}
