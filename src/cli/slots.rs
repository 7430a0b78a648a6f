//! `appt slots`: the free (or, with `--all`, every) grid slot of a day.

use super::clinic::parse_minutes_in;
use super::prompt::Ask;
use super::schedule::{load_day, request, target, Target};
use super::Ctx;
use crate::core::slots::Request;
use crate::core::slots::Slot;
use crate::core::time;
use crate::error::{Error, Result};
use crate::output::{human, Report};
use crate::store::services;
use chrono::NaiveDate;
use comfy_table::Cell;
use serde_json::{json, Value};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The doctor
    #[arg(long, conflicts_with = "clinic_wide")]
    pub doctor: Option<String>,
    /// The clinic-wide windows instead of a doctor's
    #[arg(long)]
    pub clinic_wide: bool,
    /// The date: YYYY-MM-DD, today, tomorrow or +N
    #[arg(long)]
    pub date: Option<String>,
    /// Slots long enough for this service
    #[arg(long)]
    pub service: Option<String>,
    /// Slots long enough for this many minutes
    #[arg(long, value_name = "M")]
    pub duration: Option<i64>,
    /// Only this session (Morning, Afternoon, …)
    #[arg(long)]
    pub session: Option<String>,
    /// Every grid slot, with why the unavailable ones are not offered
    #[arg(long)]
    pub all: bool,
}

/// The day's slots for a target, as `slots` shows them and `book` offers them.
pub struct DaySlots {
    pub duration: Option<i64>,
    pub rows: Vec<Value>,
    pub free: Vec<(String, String)>,
}

pub fn compute(
    conn: &rusqlite::Connection,
    ctx: &Ctx,
    t: &Target,
    date: NaiveDate,
    req: &Request,
    all: bool,
) -> Result<DaySlots> {
    let data = load_day(conn, t, date, req.service_id, None)?;
    let day = data.day(&t.clinic, ctx.now);
    let slots = crate::core::booking::slots(&day, req);
    let tz = t.clinic.timezone;
    let row = |s: &Slot| {
        let mut v = json!({
            "start_time": time::to_local(tz, s.start).1,
            "end_time": time::to_local(tz, s.end).1,
            "starts_at": time::fmt_utc(s.start),
            "ends_at": time::fmt_utc(s.end),
            "remaining": s.remaining,
            "window_id": s.span.window.id,
            "session": s.span.window.session,
            "batch": s.span.window.batch,
        });
        if all {
            v["available"] = json!(s.refusal.is_none());
            v["reason"] = json!(s.refusal);
        }
        v
    };
    let shown: Vec<&Slot> = slots
        .iter()
        .filter(|s| all || s.refusal.is_none())
        .collect();
    Ok(DaySlots {
        duration: req
            .duration
            .or(data.windows.first().map(|w| w.slot_minutes)),
        rows: shown.iter().map(|s| row(s)).collect(),
        free: slots
            .iter()
            .filter(|s| s.refusal.is_none())
            .map(|s| (time::to_local(tz, s.start).1, time::fmt_utc(s.start)))
            .collect(),
    })
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    if a.doctor.is_none() && !a.clinic_wide {
        ask.missing("doctor", "--doctor or --clinic-wide");
    }
    let date = ask.text_or(a.date, "date", "--date", "Date", Some("today"))?;
    ask.finish()?;
    if let Some(d) = a.duration {
        parse_minutes_in("duration", d, 5, 480).map_err(|(f, e)| Error::field(&f, e))?;
    }
    let st = ctx.open()?;
    let t = target(&st.conn, ctx, a.doctor.as_deref())?;
    let tz = t.clinic.timezone;
    let date = time::parse_date(&date.unwrap_or_default(), time::local_today(tz, ctx.now))
        .map_err(|e| Error::field("date", e))?;
    let service = a
        .service
        .as_deref()
        .map(|s| services::find_for_booking(&st.conn, s))
        .transpose()?;
    let req = request(a.duration, service.as_ref(), a.session.as_deref());
    let ds = compute(&st.conn, ctx, &t, date, &req, a.all)?;
    let json = json!({
        "doctor_id": t.doctor.as_ref().map(|d| &d.id),
        "clinic_id": t.clinic.id,
        "date": date.to_string(),
        "timezone": tz.name(),
        "duration_minutes": ds.duration,
        "slots": ds.rows,
    });
    let who = t
        .doctor
        .as_ref()
        .map(|d| human::clean(&d.full_name))
        .unwrap_or_else(|| "clinic-wide".into());
    let title = format!(
        "{who} at {}, {} ({})",
        human::clean(&t.clinic.name),
        date.format("%a %d %b %Y"),
        tz.name()
    );
    let human = if ds.rows.is_empty() {
        format!("{title}: no free slots")
    } else {
        let mut tb = human::table(if a.all {
            &["Time", "Left", "Session", "Batch", "Available"][..]
        } else {
            &["Time", "Left", "Session", "Batch"][..]
        });
        for r in &ds.rows {
            let mut cells = vec![
                Cell::new(format!(
                    "{}–{}",
                    r["start_time"].as_str().unwrap_or(""),
                    r["end_time"].as_str().unwrap_or("")
                )),
                Cell::new(r["remaining"].to_string()),
                Cell::new(human::clean(r["session"].as_str().unwrap_or("—"))),
                Cell::new(human::clean(r["batch"].as_str().unwrap_or("—"))),
            ];
            if a.all {
                cells.push(Cell::new(r["reason"].as_str().unwrap_or("yes")));
            }
            tb.add_row(cells);
        }
        format!("{title}\n{tb}")
    };
    Ok(Report::new(json, human))
}
