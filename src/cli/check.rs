//! `appt check`: SQLite's integrity and foreign-key checks plus appt's own
//! invariants and every stored value it cannot read back; `--full` checks
//! every index against its table too. Prints every violation with its rows;
//! exit 0 when clean, else `DATABASE_ERROR` (6) after the report.
//! `--setup` checks the installation instead (`app::setup`).

use super::Ctx;
use crate::app::shortfall::Shortfall;
use crate::app::{maintenance, setup};
use crate::error::Result;
use crate::output::{human, json, Report};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt check\n  appt check --full\n  appt check --json | jq '.violations[].message'\n  appt check --setup --backup-dir /var/backups/appt"
)]
pub struct Args {
    /// Also check every index entry against its table (SQLite's integrity_check;
    /// several times slower on a large file than the page and constraint check done by default)
    #[arg(long, conflicts_with = "setup")]
    pub full: bool,
    /// Check the installation instead: the database and its key, the
    /// clinics' public URLs, the channels' credentials, the reminder
    /// timer, the last backup and the free disk space
    #[arg(long)]
    pub setup: bool,
    /// Where the backups are, for --setup (read only by it: the service's
    /// environment sets APPT_BACKUP_DIR for every command)
    #[arg(
        long,
        value_name = "DIR",
        env = "APPT_BACKUP_DIR",
        default_value = "/var/backups/appt"
    )]
    pub backup_dir: PathBuf,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    if a.setup {
        return setup(ctx, a.backup_dir);
    }
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

/// `check --setup`: every finding; exit 0 only when all hold.
fn setup(ctx: &Ctx, backup_dir: PathBuf) -> Result<Report> {
    let r = setup::SetupRequest {
        key: ctx.key()?,
        backup_dir,
    };
    let found = setup::check(|| ctx.open(), &r, ctx.now);
    let failing = found.iter().filter(|f| !f.ok).count();
    let mut report = ctx.report(
        || json::installation(&found),
        || human::installation(&found),
    );
    report.partial = (failing > 0).then(|| Shortfall::Setup { count: failing }.error());
    Ok(report)
}
