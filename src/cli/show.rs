//! `appt show` and `appt history`.

use super::Ctx;
use crate::core::time;
use crate::error::Result;
use crate::output::{human, json, Report};
use crate::store::{appointments, events};
use serde_json::json;

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Appointment ID (or unique prefix, at least 4 characters)
    pub id: String,
}

pub fn show(ctx: &Ctx, a: ShowArgs) -> Result<Report> {
    let st = ctx.open()?;
    let appt = appointments::find(&st.conn, &a.id)?;
    Ok(Report::new(
        json::appointment(&appt),
        human::appointment_card(&appt),
    ))
}

pub fn history(ctx: &Ctx, a: ShowArgs) -> Result<Report> {
    let st = ctx.open()?;
    let appt = appointments::find(&st.conn, &a.id)?;
    let evs = events::of_appointment(&st.conn, &appt.id)?;
    let mut t = human::table(&["#", "When", "Event", "Status", "Start"]);
    for e in &evs {
        let (d, hm) = time::to_local(appt.timezone, e.created_at);
        let obj = &e.data["appointment"];
        t.add_row(vec![
            e.id.to_string(),
            format!("{d} {hm}"),
            e.kind.clone(),
            obj["status"].as_str().unwrap_or("").to_string(),
            format!(
                "{} {}",
                obj["date"].as_str().unwrap_or(""),
                obj["start_time"].as_str().unwrap_or("")
            ),
        ]);
    }
    Ok(Report::new(
        json!({"appointment_id": appt.id, "events": evs.iter().map(json::event).collect::<Vec<_>>()}),
        format!(
            "History of {} ({})\n{t}",
            human::short(&appt.id),
            appt.patient_name
        ),
    ))
}
