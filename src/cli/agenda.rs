//! `appt agenda`: the front desk's day sheet — per doctor, in time order,
//! appointments with free slots shown as gaps.

use super::Ctx;
use crate::app::agenda;
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The day [default: today]
    #[arg(long)]
    pub date: Option<String>,
    /// Only this doctor
    #[arg(long)]
    pub doctor: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let sheet = agenda::agenda(
        &mut ctx.open()?,
        ctx.clinic.as_deref(),
        a.date.as_deref(),
        a.doctor.as_deref(),
        ctx.now,
    )?;
    Ok(ctx.report(|| json::agenda(&sheet), || human::agenda(&sheet)))
}
