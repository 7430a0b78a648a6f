//! `appt events`: the event log as JSON Lines, oldest first, for scripts that
//! follow along and resume after the last ID they saw.

use super::Ctx;
use crate::error::{Error, Result};
use crate::output::{emit_line, json, Report};
use crate::store::events::{self, TYPES};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only events after this ID (the last one you saw)
    #[arg(long, value_name = "EVENT_ID")]
    pub after: Option<i64>,
    /// Only events of this type, e.g. appointment.booked
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// At most this many
    #[arg(long, value_name = "N")]
    pub limit: Option<i64>,
}

/// Events are read a page at a time, so memory stays flat however long the log.
const PAGE: i64 = 1000;

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut bad = Vec::new();
    if let Some(k) = &a.kind {
        if !TYPES.contains(&k.as_str()) {
            bad.push((
                "type".to_string(),
                format!("type must be one of {}", TYPES.join(", ")),
            ));
        }
    }
    if a.after.is_some_and(|x| x < 0) {
        bad.push((
            "after".into(),
            "after must be an event ID (0 or more)".into(),
        ));
    }
    if a.limit.is_some_and(|l| l < 1) {
        bad.push(("limit".into(), "limit must be 1 or more".into()));
    }
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let st = ctx.open()?;
    let (mut after, mut left) = (a.after.unwrap_or(0), a.limit.unwrap_or(i64::MAX));
    while left > 0 {
        let page = events::after(&st.conn, after, a.kind.as_deref(), left.min(PAGE))?;
        for e in &page {
            emit_line(&json::event(e))?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == left.min(PAGE) => {
                after = last.id;
                left -= page.len() as i64;
            }
            _ => break,
        }
    }
    Ok(Report::quiet())
}
