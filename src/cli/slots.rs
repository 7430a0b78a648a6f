//! `appt slots`: the free (or, with `--all`, every) grid slot of a day.

use super::choice::{given, Kind, References};
use super::prompt::Ask;
use super::Ctx;
use crate::app::slots::{self, SlotsRequest};
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt slots -d \"Dr. García\" -D tomorrow\n  appt slots -d \"Dr. García\" -D 2026-06-16 -s \"General Checkup\"\n  appt slots --clinic-wide -D today --all\n  appt slots -d \"Dr. García\" -D +1 --duration 60 --json"
)]
pub struct Args {
    /// The doctor
    #[arg(short, long, conflicts_with = "clinic_wide")]
    pub doctor: Option<String>,
    /// The clinic-wide windows instead of a doctor's
    #[arg(long)]
    pub clinic_wide: bool,
    /// The date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)
    #[arg(short = 'D', long, value_name = "DATE", allow_negative_numbers = true)]
    pub date: Option<String>,
    /// Slots long enough for this service
    #[arg(short, long)]
    pub service: Option<String>,
    /// Slots long enough for this many minutes
    #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
    pub duration: Option<i64>,
    /// Only this session (Morning, Afternoon, …)
    #[arg(long)]
    pub session: Option<String>,
    /// Every grid slot, with why the unavailable ones are not offered
    #[arg(short, long)]
    pub all: bool,
}

pub fn run(ctx: &Ctx, mut a: Args) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    // Off a terminal nothing is picked: missing flags fail before the database is opened.
    let mut st = ask.interactive().then(|| ctx.open_to_read()).transpose()?;
    ask.doctor(st.as_mut(), &mut a.doctor, &mut a.clinic_wide, false)?;
    let date = ask.date(a.date, "date", "--date", || tr!("p-date"), "today")?;
    ask.finish()?;
    let mut st = match st {
        Some(st) => st,
        None => ctx.open_to_read()?,
    };
    let mut req = SlotsRequest {
        clinic: ctx.clinic.clone(),
        doctor: a.doctor,
        clinic_wide: a.clinic_wide,
        date: date.unwrap_or_default(),
        service: a.service,
        duration: a.duration,
        session: a.session,
        except: None,
        explain: !ctx.json || ctx.interactive,
    };
    let mut day = slots::day(&mut st, &req, ctx.now)?;
    // Hours that take only some services: on a terminal, pick one and list again.
    if Ask::new(ctx).service_for(&mut req, &day)? {
        day = slots::day(&mut st, &req, ctx.now)?;
    }
    Ok(ctx.report(
        || json::day_slots(&day, a.all),
        || human::day_slots(&day, a.all),
    ))
}

impl References for Args {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([
            (Kind::Doctor, self.doctor.as_mut()),
            (Kind::Service, self.service.as_mut()),
        ])
    }
}
