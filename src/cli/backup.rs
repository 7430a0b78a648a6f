//! `appt backup FILE [--force]`: a consistent copy of the database while other
//! processes keep working, mode 0600, never half-written, never over an
//! existing file without `--force`.

use super::Ctx;
use crate::app::maintenance;
use crate::error::{Error, Result};
use crate::output::lang::tr;
use crate::output::{json, Report};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt backup ~/backups/appt-$(date +%F).db\n  appt backup /mnt/usb/appt.db --force"
)]
pub struct Args {
    /// Where to write the copy (a single SQLite file, mode 0600)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    if a.file.as_os_str().is_empty() {
        return Err(Error::field(
            "file",
            crate::text::msg!("e-file_must_not_be_empty"),
        ));
    }
    let mut st = ctx.open()?;
    let done = maintenance::backup(&mut st, &a.file, a.force)?;
    let mut text = tr!(
        "c-backed_up",
        a = st.location,
        b = done.path.display(),
        c = done.bytes
    );
    if done.sealed_ids > 0 {
        let key = match st.key_path() {
            Some(k) if super::env_nonempty("APPT_KEY")?.is_none() => k.display().to_string(),
            _ => "$APPT_KEY".into(),
        };
        text.push_str(&tr!("c-backup_sealed", a = done.sealed_ids, key = key));
    }
    Ok(ctx
        .report(|| json::backup(&done, &st.location), || text)
        .saved(format!("backup written to {}", done.path.display())))
}
