//! `appt show` and `appt history`.

use super::Ctx;
use crate::app::list;
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Appointment ID (or unique prefix, at least 4 characters)
    pub id: String,
}

pub fn show(ctx: &Ctx, a: ShowArgs) -> Result<Report> {
    let appt = list::show(&mut ctx.open()?, &a.id, ctx.now)?;
    Ok(ctx.report(
        || json::appointment(&appt),
        || human::appointment_card(&appt),
    ))
}

pub fn history(ctx: &Ctx, a: ShowArgs) -> Result<Report> {
    let (appt, evs) = list::history(&mut ctx.open()?, &a.id, ctx.now)?;
    Ok(ctx.report(
        || json::history(&appt, &evs),
        || human::history(&appt, &evs),
    ))
}
