//! `appt report`: a clinic's figures over a period (docs/reports.md).

use super::Ctx;
use crate::app::report::{self, ReportRequest};
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt report\n  appt report --from 2026-06-01 --to 2026-06-30\n  appt report -d \"Dra. Ana García\" --json"
)]
pub struct Args {
    /// The first date of the period [default: 28 days before --to]
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub from: Option<String>,
    /// The last date of the period, included [default: yesterday]
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub to: Option<String>,
    /// Only this doctor's visits
    #[arg(short, long)]
    pub doctor: Option<String>,
    /// Only this service's visits
    #[arg(long)]
    pub service: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let req = ReportRequest {
        clinic: ctx.clinic.clone(),
        from: a.from,
        to: a.to,
        doctor: a.doctor,
        service: a.service,
    };
    let r = report::report(&mut ctx.open()?, &req, ctx.now)?;
    Ok(ctx.report(|| json::report(&r), || human::report(&r)))
}
