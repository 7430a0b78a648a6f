//! `appt list` and `appt count`.

use super::choice::{given, Kind, References};
use super::Ctx;
use crate::app::list::{self, CountRequest, ListRequest};
use crate::app::visit::VisitInput;

use crate::error::Result;
use crate::output::{human, json, Report};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt list -D today\n  appt list --from 2026-06-01 --to 2026-06-30 -d \"Dr. García\" -S completed\n  appt list -p +50370123456\n  appt list --source whatsapp --page 2 -n 100"
)]
pub struct ListArgs {
    /// One local date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, viernes)
    #[arg(
        short = 'D',
        long,
        value_name = "DATE",
        allow_negative_numbers = true,
        conflicts_with_all = ["from", "to"]
    )]
    pub date: Option<String>,
    /// From this local date (inclusive)
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub from: Option<String>,
    /// To this local date (inclusive)
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub to: Option<String>,
    /// Only this status: scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish (confirmada, llegó, atendida, ausente…)
    #[arg(short = 'S', long)]
    pub status: Option<String>,
    /// Only this doctor's
    #[arg(short, long)]
    pub doctor: Option<String>,
    /// Only this patient's (ID, prefix or phone)
    #[arg(short, long)]
    pub patient: Option<String>,
    /// Only from this source
    #[arg(long)]
    pub source: Option<String>,
    /// Only this series' occurrences (its ID or prefix, or one occurrence's ID)
    #[arg(long, value_name = "ID")]
    pub series: Option<String>,
    /// Only this urgency: normal, urgent, emergency (or urgente, emergencia)
    #[arg(long)]
    pub urgency: Option<String>,
    /// Only this modality: in_person, telemedicine, home (or presencial, telemedicina, domicilio)
    #[arg(long)]
    pub modality: Option<String>,
    /// Only first visits or follow-ups: first, follow_up (or "primera vez", control)
    #[arg(long, value_name = "TYPE")]
    pub visit_type: Option<String>,
    /// Only this payer's (case ignored)
    #[arg(long)]
    pub payer: Option<String>,
    /// Page number, from 1
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub page: i64,
    /// Appointments per page, at most 500
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50)]
    pub limit: i64,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt count --source whatsapp\n  appt count --since today -S cancelled\n  appt count --since 2026-06-15T08:00:00-06:00 --json\n  appt count --overbooked --by doctor --since 2026-06-01"
)]
pub struct CountArgs {
    /// Only from this source (e.g. whatsapp)
    #[arg(long)]
    pub source: Option<String>,
    /// Created since this date (its local midnight) or RFC 3339 time [default: 24 hours ago]
    #[arg(long, allow_negative_numbers = true, value_name = "DATE|RFC3339")]
    pub since: Option<String>,
    /// Only with this status now
    #[arg(short = 'S', long)]
    pub status: Option<String>,
    /// Count in groups: urgency, modality, visit_type, payer or doctor
    #[arg(long, value_name = "FIELD")]
    pub by: Option<String>,
    /// Only the overbooked visits (book --overbook)
    #[arg(long)]
    pub overbooked: bool,
}

pub fn list(ctx: &Ctx, a: ListArgs) -> Result<Report> {
    let req = ListRequest {
        clinic: ctx.clinic.clone(),
        zone: ctx.zone,
        date: a.date,
        from: a.from,
        to: a.to,
        status: a.status,
        doctor: a.doctor,
        patient: a.patient,
        source: a.source,
        series: a.series,
        visit: VisitInput {
            urgency: a.urgency,
            modality: a.modality,
            visit_type: a.visit_type,
            payer: a.payer,
        },
        page: a.page,
        limit: a.limit,
        seen_from: None,
    };
    let p = list::list(&mut ctx.open_to_read()?, &req, ctx.now)?;
    if ctx.json {
        // Written as it is printed: what it will show is noted now, to be
        // recorded first (docs/security.md#who-looked).
        for a in &p.appointments {
            crate::output::reader::shows_clinical(a, false);
        }
    }
    Ok(ctx.report_stream(
        p,
        |p, out, indented| {
            json::appointments_page(&p.appointments, (p.total, p.page, p.limit), out, indented)
        },
        |p| human::appointments_page(&p.appointments, (p.total, p.page, p.limit)),
    ))
}

pub fn count(ctx: &Ctx, a: CountArgs) -> Result<Report> {
    let req = CountRequest {
        clinic: ctx.clinic.clone(),
        since: a.since,
        zone: ctx.zone,
        source: a.source,
        status: a.status,
        by: a.by,
        overbooked: a.overbooked,
    };
    let counted = list::count(&mut ctx.open_to_read()?, &req, ctx.now)?;
    Ok(ctx.report(
        || json::count(&counted),
        || match counted.by {
            None => counted.count.to_string(),
            Some(_) => human::count_groups(&counted),
        },
    ))
}

impl References for ListArgs {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([
            (Kind::Doctor, self.doctor.as_mut()),
            (Kind::Patient, self.patient.as_mut()),
        ])
    }
}
