//! `appt agenda`: the front desk's day sheet — per doctor, in time order,
//! appointments with free slots shown as gaps.

use super::schedule::Target;
use super::slots::compute;
use super::Ctx;
use crate::core::slots::Request;
use crate::core::{time, Appointment, Status};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::appointments::{self, Filter};
use crate::store::{clinics, doctors, windows};
use comfy_table::Cell;
use serde_json::{json, Value};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The day [default: today]
    #[arg(long)]
    pub date: Option<String>,
    /// Only this doctor
    #[arg(long)]
    pub doctor: Option<String>,
}

/// One section of the sheet: a doctor, or the clinic-wide windows.
struct Section {
    title: String,
    json_doctor: Value,
    appointments: Vec<Appointment>,
    free: Vec<(String, String)>,
}

pub fn build(
    ctx: &Ctx,
    conn: &rusqlite::Connection,
    date: Option<&str>,
    doctor: Option<&str>,
) -> Result<(Value, String)> {
    let clinic = clinics::default(conn, ctx.clinic.as_deref())?;
    let tz = clinic.timezone;
    let date = time::parse_date(date.unwrap_or("today"), time::local_today(tz, ctx.now))
        .map_err(|e| Error::field("date", e))?;
    let only = doctor.map(|d| doctors::find(conn, d)).transpose()?;
    let f = Filter {
        clinic_id: Some(clinic.id.clone()),
        from: Some(date),
        to: Some(date),
        ..Filter::default()
    };
    let (all, _) = appointments::list(conn, &f, 0, 100_000)?;
    let all: Vec<Appointment> = all
        .into_iter()
        .filter(|a| a.status != Status::Cancelled)
        .collect();
    let ws = windows::list(conn, Some(&clinic.id), None)?;

    let mut owners: Vec<Option<String>> = ws
        .iter()
        .map(|w| w.doctor_id.clone())
        .chain(all.iter().map(|a| a.doctor_id.clone()))
        .collect();
    owners.sort();
    owners.dedup();
    let mut sections = Vec::new();
    for owner in owners {
        if let Some(o) = &only {
            if owner.as_deref() != Some(o.id.as_str()) {
                continue;
            }
        }
        let doc = owner
            .as_deref()
            .map(|d| doctors::get(conn, d))
            .transpose()?;
        let t = Target {
            clinic: clinic.clone(),
            doctor: doc.clone(),
        };
        let free = if doc.as_ref().is_none_or(|d| d.active) {
            compute(conn, ctx, &t, date, &Request::default(), false)?.free
        } else {
            vec![]
        };
        let appts: Vec<Appointment> = all
            .iter()
            .filter(|a| a.doctor_id == owner)
            .cloned()
            .collect();
        if appts.is_empty() && free.is_empty() {
            continue;
        }
        sections.push(Section {
            title: match &doc {
                Some(d) => format!(
                    "{}{}",
                    human::clean(&d.full_name),
                    d.specialty
                        .as_deref()
                        .map(|s| format!(" — {}", human::clean(s)))
                        .unwrap_or_default()
                ),
                None => "Clinic-wide".into(),
            },
            json_doctor: doc
                .as_ref()
                .map(|d| json!({"id": d.id, "full_name": d.full_name, "specialty": d.specialty}))
                .unwrap_or(Value::Null),
            appointments: appts,
            free,
        });
    }

    sections.sort_by(|a, b| {
        (a.json_doctor.is_null(), &a.title).cmp(&(b.json_doctor.is_null(), &b.title))
    });
    let json = json!({
        "date": date.to_string(), "clinic_id": clinic.id, "timezone": tz.name(),
        "doctors": sections.iter().map(|s| json!({
            "doctor": s.json_doctor,
            "appointments": s.appointments.iter().map(json::appointment).collect::<Vec<_>>(),
            "free_slots": s.free.iter().map(|(l, _)| l).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let mut text = format!(
        "{} — {} ({})",
        human::clean(&clinic.name),
        date.format("%A %d %B %Y"),
        tz.name()
    );
    if sections.is_empty() {
        text.push_str("\nNothing scheduled and no windows open.");
    }
    for s in &sections {
        // Appointments and free slots interleaved by start instant.
        let mut rows: Vec<(String, Vec<Cell>)> = s
            .appointments
            .iter()
            .map(|a| {
                (
                    time::fmt_utc(a.starts_at),
                    vec![
                        Cell::new(a.token_number),
                        Cell::new(format!(
                            "{}–{}",
                            time::to_local(tz, a.starts_at).1,
                            time::to_local(tz, a.ends_at).1
                        )),
                        Cell::new(human::clean(&a.patient_name)),
                        Cell::new(human::clean(&a.patient_phone)),
                        human::status_cell(a.status),
                        Cell::new(human::short(&a.id)),
                    ],
                )
            })
            .collect();
        rows.extend(s.free.iter().map(|(label, at)| {
            (
                at.clone(),
                vec![
                    Cell::new(""),
                    Cell::new(label),
                    Cell::new("· free ·"),
                    Cell::new(""),
                    Cell::new(""),
                    Cell::new(""),
                ],
            )
        }));
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let mut t = human::table(&["Tok", "Time", "Patient", "Phone", "Status", "ID"]);
        for (_, r) in rows {
            t.add_row(r);
        }
        text.push_str(&format!("\n\n{}\n{t}", s.title));
    }
    Ok((json, text))
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let st = ctx.open()?;
    let (json, text) = build(ctx, &st.conn, a.date.as_deref(), a.doctor.as_deref())?;
    Ok(Report::new(json, text))
}
