//! `appt next`: the first free slots, across days and doctors.

use super::choice::{given, Kind, References};
use super::Ctx;
use crate::app::next::{self, NextRequest};
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt next\n  appt next --specialty pediatria -n 3\n  appt next -d \"Dr. García\" -s \"General Checkup\" --after +7"
)]
pub struct Args {
    /// Only this doctor
    #[arg(short, long, conflicts_with = "specialty")]
    pub doctor: Option<String>,
    /// Only doctors of this specialty
    #[arg(long)]
    pub specialty: Option<String>,
    /// Slots long enough for this service
    #[arg(short, long)]
    pub service: Option<String>,
    /// From this date on instead of now: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, lunes)
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub after: Option<String>,
    /// How many slots [default: 5]
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<i64>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let req = NextRequest {
        clinic: ctx.clinic.clone(),
        doctor: a.doctor,
        specialty: a.specialty,
        service: a.service,
        after: a.after,
        limit: a.limit,
    };
    let found = next::next(&mut ctx.open_to_read()?, &req, ctx.now)?;
    Ok(ctx.report(|| json::next_slots(&found), || human::next_slots(&found)))
}

impl References for Args {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([
            (Kind::Doctor, self.doctor.as_mut()),
            (Kind::Service, self.service.as_mut()),
        ])
    }
}
