//! `appt purge --before DATE [--dry-run]`: for the visits that ended before
//! DATE, what a clinic need not keep goes (docs/privacy.md#retention); see
//! `app::purge` for what and how.

use super::Ctx;
use crate::app::purge::{self, PurgeRequest};
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt purge --before 2025-01-01 --dry-run\n  appt purge --before -365\n  appt purge --before 2025-01-01 --clinic Central --json"
)]
pub struct Args {
    /// What ended before this day goes: YYYY-MM-DD, today, -N (days ago), …, in each clinic's time zone
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub before: String,
    /// Count what would go, per table, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let req = PurgeRequest {
        before: a.before,
        clinic: ctx.clinic.clone(),
        dry_run: a.dry_run,
    };
    let done = purge::purge(&mut ctx.open()?, &req, ctx.now)?;
    Ok(ctx.report(|| json::purged(&done), || human::purged(&done)))
}
