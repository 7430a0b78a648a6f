//! `appt transfer --to DB`: copy everything into an empty database of either
//! kind (a file to a server, or back).

use super::Ctx;
use crate::app::{maintenance, Create};
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{json, Report};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt --db clinic.db transfer --to postgres://appt@db.example/clinics\n  APPT_TRANSFER_TO=postgres://appt:PASSWORD@db/clinics appt transfer\n  appt --db postgres://appt@db.example/clinics transfer --to copy.db"
)]
pub struct Args {
    /// The empty database to copy into: a file path or a postgres:// URL. A
    /// password on the command line is visible to other users (ps): give a
    /// URL with a password in APPT_TRANSFER_TO instead
    #[arg(
        long,
        value_name = "PATH|URL",
        env = "APPT_TRANSFER_TO",
        hide_env_values = true
    )]
    pub to: PathBuf,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut st = ctx.open()?;
    let mut target = ctx.open_at(&a.to, Create::File)?;
    let (to, copied) = maintenance::transfer(&mut st, &mut target)?;
    ctx.tell(&mut target);
    let total: i64 = copied.iter().map(|(_, n)| n).sum();
    Ok(ctx.report(
        || json::transferred(&st.location, &to, &copied),
        || {
            let per: Vec<String> = copied
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            tr!(
                "c-transferred",
                total = total,
                a = st.location,
                to = to,
                b = per.join(", ")
            )
        },
    ))
}
