//! `appt key rotate`: a new national-ID key, every sealed ID sealed again
//! under it. The result is printed by the use case's hand-over (with
//! `$APPT_KEY`, before the change commits), not by `main`.

use super::Ctx;
use crate::app::key::{self, RotateRequest};
use crate::error::Result;
use crate::output::{self, human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Make a new national-ID key and seal every national ID again under it, in one transaction
    ///
    /// With the key file beside the database, the old key is kept as
    /// <key file>.<version> and the key file holds the new key once the IDs
    /// are sealed again; killed at any moment, the key file on disk opens
    /// every ID. With APPT_KEY (always on PostgreSQL), the new key is printed
    /// before the change commits: store it, then set APPT_KEY to it
    /// everywhere appt runs; the old key no longer opens the IDs.
    #[command(
        after_help = "Examples:\n  appt key rotate\n  appt key rotate --json | jq .kept\n  APPT_KEY=\"$(cat old.key)\" appt key rotate --json > new-key.json"
    )]
    Rotate(RotateArgs),
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {}

pub fn run(ctx: &Ctx, c: Cmd) -> Result<Report> {
    match c {
        Cmd::Rotate(RotateArgs {}) => rotate(ctx),
    }
}

fn rotate(ctx: &Ctx) -> Result<Report> {
    let mut st = ctx.open()?;
    let as_json = ctx.json;
    let done = key::rotate(&mut st, &RotateRequest { key: ctx.key()? }, &mut |r| {
        output::print_now(as_json, || json::key_rotated(r), || human::key_rotated(r))
    })?;
    Ok(Report::quiet().warn(done.warning))
}
