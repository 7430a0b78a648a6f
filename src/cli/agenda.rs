//! `appt agenda`: the front desk's day sheet — per doctor, in time order,
//! appointments with free slots shown as gaps.

use super::choice::{given, Kind, References};
use super::Ctx;
use crate::app::agenda;
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt agenda\n  appt agenda -D tomorrow -d \"Dr. García\"\n  appt agenda --days 5 --json | jq '.days[].doctors[].closed'"
)]
pub struct Args {
    /// The first day: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N or -N, or in Spanish (hoy, mañana, lunes) [default: today]
    #[arg(short = 'D', long, value_name = "DATE", allow_negative_numbers = true)]
    pub date: Option<String>,
    /// Only this doctor
    #[arg(short, long)]
    pub doctor: Option<String>,
    /// How many consecutive days, from the first
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub days: i64,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let days = agenda::agenda(
        &mut ctx.open_to_read()?,
        ctx.clinic.as_deref(),
        a.date.as_deref(),
        a.doctor.as_deref(),
        a.days,
        ctx.now,
    )?;
    Ok(ctx.report_stream(
        days,
        |days, out, indented| json::agenda_days(days, out, indented),
        |days| {
            days.iter()
                .map(human::agenda)
                .collect::<Vec<_>>()
                .join("\n\n")
        },
    ))
}

impl References for Args {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([(Kind::Doctor, self.doctor.as_mut())])
    }
}
