//! `appt check`: SQLite's integrity and foreign-key checks plus appt's own
//! invariants and every stored value it cannot read back; `--full` checks
//! every index against its table too. Prints every violation with its rows;
//! exit 0 when clean, else `DATABASE_ERROR` (6) after the report.

use super::Ctx;
use crate::app::maintenance;
use crate::app::shortfall::Shortfall;
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt check\n  appt check --full\n  appt check --json | jq '.violations[].message'"
)]
pub struct Args {
    /// Also check every index entry against its table (SQLite's integrity_check;
    /// several times slower on a large file than the page and constraint check done by default)
    #[arg(long)]
    pub full: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut st = ctx.open()?;
    let found = maintenance::check(&mut st, ctx.key()?, a.full)?;
    let stale = crate::app::calendar::stale(&mut st)?;
    let mut report = ctx.report(
        || json::check(&found, &stale),
        || human::check(&found, &stale),
    );
    report.partial = (!found.is_empty())
        .then(|| Shortfall::Problems {
            count: found.len(),
            location: &st.location,
        })
        .map(|s| s.error());
    Ok(report)
}
