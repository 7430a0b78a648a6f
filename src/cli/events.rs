//! `appt events`: the event log as JSON Lines, oldest first, for scripts that
//! follow along and resume after the last ID they saw.

use super::Ctx;
use crate::app::events;
use crate::error::Result;
use crate::output::{json, Lines, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt events\n  appt events --after 1520 --type appointment.cancelled\n  appt events -n 10 | jq -c '{id, type}'"
)]
pub struct Args {
    /// Only events after this ID (the last one you saw)
    #[arg(long, value_name = "EVENT_ID")]
    pub after: Option<i64>,
    /// Only events of this type, e.g. appointment.booked
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// At most this many
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<i64>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let (mut out, mut buf) = (Lines::new(), Vec::new());
    events::stream(
        &mut ctx.open()?,
        a.after,
        a.kind.as_deref(),
        a.limit,
        None,
        &mut |e, text| out.line(json::event_line_in(e, text, &mut buf)),
    )?;
    out.finish()?;
    Ok(Report::quiet())
}
