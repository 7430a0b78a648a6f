//! `appt show` and `appt history`.

use super::choice::{given, Kind, References};
use super::prompt::Ask;
use super::Ctx;
use crate::app::list;
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Appointment ID or prefix, or the patient's phone or name (a terminal picks from today's)
    pub id: Option<String>,
}

/// The appointment asked about: as given, else picked from today's on a terminal.
fn which(ctx: &Ctx, st: &mut crate::app::Store, id: Option<String>) -> Result<String> {
    let mut ask = Ask::new(ctx);
    let id = ask.appointment(st, id)?;
    ask.finish()?;
    Ok(id.unwrap_or_default())
}

pub fn show(ctx: &Ctx, a: ShowArgs) -> Result<Report> {
    let mut st = ctx.open()?;
    let id = which(ctx, &mut st, a.id)?;
    let appt = list::show(&mut st, &id, ctx.now)?;
    Ok(ctx.report(
        || json::appointment(&appt),
        || human::appointment_card(&appt),
    ))
}

pub fn history(ctx: &Ctx, a: ShowArgs) -> Result<Report> {
    let mut st = ctx.open()?;
    let id = which(ctx, &mut st, a.id)?;
    let h = list::history(&mut st, &id, ctx.now)?;
    Ok(ctx.report(|| json::history(&h), || human::history(&h)))
}

impl References for ShowArgs {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([(Kind::Appointment, self.id.as_mut())])
    }
}
