//! `appt list` and `appt count`.

use super::Ctx;
use crate::core::{time, Status, SOURCES};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::appointments::{self, Filter};
use crate::store::{clinics, doctors, patients};
use chrono::Duration;
use serde_json::json;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// One local date: YYYY-MM-DD, today, tomorrow or +N
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub date: Option<String>,
    /// From this local date (inclusive)
    #[arg(long)]
    pub from: Option<String>,
    /// To this local date (inclusive)
    #[arg(long)]
    pub to: Option<String>,
    /// Only this status
    #[arg(long)]
    pub status: Option<String>,
    /// Only this doctor's
    #[arg(long)]
    pub doctor: Option<String>,
    /// Only this patient's (ID, prefix or phone)
    #[arg(long)]
    pub patient: Option<String>,
    /// Only from this source
    #[arg(long)]
    pub source: Option<String>,
    /// Page number, from 1
    #[arg(long, default_value_t = 1)]
    pub page: i64,
    /// Appointments per page, at most 500
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

#[derive(Debug, clap::Args)]
pub struct CountArgs {
    /// Only from this source (e.g. whatsapp)
    #[arg(long)]
    pub source: Option<String>,
    /// Created at or after this RFC 3339 time [default: 24 hours ago]
    #[arg(long, value_name = "RFC3339")]
    pub since: Option<String>,
    /// Only with this status now
    #[arg(long)]
    pub status: Option<String>,
}

pub fn check_status(s: &Option<String>, bad: &mut Vec<(String, String)>) -> Option<Status> {
    let s = s.as_deref()?;
    Status::parse(s).or_else(|| {
        bad.push(("status".into(), format!("Unknown status '{s}'")));
        None
    })
}

pub fn check_source(s: &Option<String>, bad: &mut Vec<(String, String)>) -> Option<String> {
    let s = s.as_deref()?;
    if SOURCES.contains(&s) {
        Some(s.to_string())
    } else {
        bad.push((
            "source".into(),
            format!("source must be one of {}", SOURCES.join(", ")),
        ));
        None
    }
}

pub fn list(ctx: &Ctx, a: ListArgs) -> Result<Report> {
    let st = ctx.open()?;
    let clinic = match &ctx.clinic {
        Some(c) => Some(clinics::find(&st.conn, c)?),
        None => None,
    };
    let tz = match &clinic {
        Some(c) => c.timezone,
        None => clinics::default(&st.conn, None)
            .map(|c| c.timezone)
            .unwrap_or(chrono_tz::UTC),
    };
    let today = time::local_today(tz, ctx.now);
    let mut bad = Vec::new();
    let mut day = |field: &str, v: &Option<String>| {
        v.as_deref().and_then(|v| {
            time::parse_date(v, today)
                .map_err(|e| bad.push((field.to_string(), e)))
                .ok()
        })
    };
    let (from, to) = match &a.date {
        Some(_) => {
            let d = day("date", &a.date);
            (d, d)
        }
        None => (day("from", &a.from), day("to", &a.to)),
    };
    let status = check_status(&a.status, &mut bad);
    let source = check_source(&a.source, &mut bad);
    if !(1..=500).contains(&a.limit) {
        bad.push(("limit".into(), "limit must be between 1 and 500".into()));
    }
    // A page past the end is empty; one whose offset cannot be counted is refused.
    let offset = (a.page - 1).checked_mul(a.limit);
    if a.page < 1 {
        bad.push(("page".into(), "page must be 1 or more".into()));
    } else if offset.is_none() {
        bad.push(("page".into(), "page is too large".into()));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            bad.push(("to".into(), "to must not be before from".into()));
        }
    }
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let f = Filter {
        clinic_id: clinic.map(|c| c.id),
        from,
        to,
        status,
        doctor_id: a
            .doctor
            .as_deref()
            .map(|d| doctors::find(&st.conn, d))
            .transpose()?
            .map(|d| d.id),
        patient_id: a
            .patient
            .as_deref()
            .map(|p| patients::find(&st.conn, p))
            .transpose()?
            .map(|p| p.patient.id),
        source,
    };
    let (rows, total) = appointments::list(&st.conn, &f, offset.unwrap_or(0), a.limit)?;
    let mut text = human::appointments(&rows);
    let pages = (total + a.limit - 1) / a.limit;
    if pages > 1 {
        text.push_str(&format!(
            "\nPage {} of {pages} ({total} appointments)",
            a.page
        ));
    }
    Ok(Report::new(
        json!({"appointments": rows.iter().map(json::appointment).collect::<Vec<_>>(), "total": total, "page": a.page, "limit": a.limit}),
        text,
    ))
}

pub fn count(ctx: &Ctx, a: CountArgs) -> Result<Report> {
    let mut bad = Vec::new();
    let since = match &a.since {
        Some(s) => time::parse_rfc3339(s)
            .map_err(|e| bad.push(("since".into(), e)))
            .ok(),
        None => Some(ctx.now - Duration::hours(24)),
    };
    let status = check_status(&a.status, &mut bad);
    let source = check_source(&a.source, &mut bad);
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let since = since.unwrap_or(ctx.now);
    let st = ctx.open()?;
    let n = appointments::count_created(&st.conn, since, source.as_deref(), status)?;
    Ok(Report::new(
        json!({"count": n, "since": time::fmt_utc(since)}),
        n.to_string(),
    ))
}
