//! `appt agenda`: the front desk's day sheet — per doctor, in time order,
//! appointments with free slots shown as gaps.

use super::choice::{given, Kind, References};
use super::Ctx;
use crate::app::agenda;
use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt agenda\n  appt agenda -D tomorrow -d \"Dr. García\"\n  appt agenda -D mañana --resource Ecógrafo\n  appt agenda --days 5 --json | jq '.days[].doctors[].closed'"
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
    /// A room's or a machine's day: only the visits given it
    #[arg(long, value_name = "RESOURCE", conflicts_with = "doctor")]
    pub resource: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut st = ctx.open_to_read()?;
    // A doctor's agenda is their own day unless they name another.
    let own = ctx.actor().person().and_then(|p| p.doctor_id.clone());
    let doctor = a.doctor.clone().or(own.filter(|_| a.resource.is_none()));
    let days = match &a.resource {
        Some(r) => {
            let c = ctx.clinic.as_deref();
            agenda::of_resource(&mut st, c, a.date.as_deref(), r, a.days, ctx.now)?.1
        }
        None => agenda::agenda(
            &mut st,
            ctx.clinic.as_deref(),
            a.date.as_deref(),
            doctor.as_deref(),
            a.days,
            ctx.now,
        )?,
    };
    if ctx.json {
        // Written as it is printed: what it will show is noted now, to be
        // recorded first (docs/security.md#who-looked).
        let visits = days
            .iter()
            .flat_map(|d| &d.sections)
            .flat_map(|s| &s.appointments);
        for a in visits {
            crate::output::reader::shows_clinical(a, false);
        }
    }
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
