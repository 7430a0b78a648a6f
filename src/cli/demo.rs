//! `appt demo`: seeds a sample clinic into its own database (never the user's
//! real one) through the same commands a user runs, then shows today's agenda
//! and tomorrow's free slots.

use super::{agenda, book, clinic, doctor, service, slots, window, Ctx};
use crate::core::time;
use crate::error::{Error, Result};
use crate::output::Report;
use crate::store::{meta, Store};
use chrono::{Duration, TimeZone};
use serde_json::json;
use std::path::PathBuf;

const TZ: &str = "America/El_Salvador";

fn demo_path(ctx: &Ctx) -> Result<PathBuf> {
    if let Some(p) = &ctx.db_flag {
        return Ok(p.clone());
    }
    directories::ProjectDirs::from("", "", "appt")
        .map(|d| d.data_dir().join("demo.db"))
        .ok_or_else(|| {
            Error::internal("cannot find a data folder for the demo database; give --db PATH")
        })
}

pub fn run(ctx: &Ctx) -> Result<Report> {
    let path = demo_path(ctx)?;
    if std::fs::symlink_metadata(&path).is_ok() {
        // Only a database this command made is replaced: anything else at the
        // path (a clinic's real database above all) is left exactly as it is.
        if !meta::is_demo_file(&path) {
            let problem = format!(
                "{} exists and is not an appt demo database; appt demo replaces only its own",
                path.display()
            );
            return Err(Error::field("db", problem)
                .hint("give the demo another --db PATH, or move that file away first"));
        }
        // A fresh demo each run: only the demo's own files are removed.
        for ext in ["", "-wal", "-shm", ".key"] {
            let mut p = path.clone().into_os_string();
            p.push(ext);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    // Marked before anything is seeded, so even a demo cut short is replaceable.
    meta::mark_demo(&Store::open(&path)?.conn)?;
    let tz: chrono_tz::Tz = TZ.parse().map_err(|_| Error::internal("demo zone"))?;
    let today = time::local_today(tz, ctx.now);
    // Book as of this morning's midnight, so today's earlier slots can hold visits too.
    let midnight = tz
        .from_local_datetime(&today.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(ctx.now);
    let seed = Ctx {
        json: false,
        interactive: false,
        db: path.clone(),
        db_flag: Some(path.clone()),
        clinic: Some("Clínica San Benito".into()),
        now: midnight,
    };
    let quiet = Ctx {
        clinic: None,
        ..seed.clone()
    };
    clinic::run(
        &quiet,
        clinic::Cmd::Add {
            name: Some("Clínica San Benito".into()),
            settings: clinic::SettingsArgs {
                timezone: Some(TZ.into()),
                slot_minutes: Some(30),
                min_notice: None,
                horizon: None,
                cancel_window: Some("2h".into()),
                reminders: None,
                duplicate_check: None,
                require_diagnosis: None,
            },
        },
    )?;
    for (name, specialty) in [
        ("Dra. Ana García", "Medicina General"),
        ("Dr. Luis Martínez", "Pediatría"),
    ] {
        doctor::run(
            &seed,
            doctor::Cmd::Add {
                name: Some(name.into()),
                specialty: Some(specialty.into()),
                slot_minutes: None,
            },
        )?;
    }
    for (name, minutes) in [
        ("Consulta general", 30),
        ("Control pediátrico", 30),
        ("Vacunación", 15),
    ] {
        service::run(
            &seed,
            service::Cmd::Add {
                name: Some(name.into()),
                minutes: Some(minutes),
            },
        )?;
    }
    let win = |doctor: &str, days: &str, from: &str, to: &str, session: &str| window::AddArgs {
        doctor: Some(doctor.into()),
        clinic_wide: false,
        days: Some(days.into()),
        date: None,
        from: Some(from.into()),
        to: Some(to.into()),
        slot_minutes: None,
        capacity: None,
        session: Some(session.into()),
        batch: None,
        services: None,
        valid_from: None,
        valid_to: None,
    };
    for w in [
        win("Dra. Ana García", "mon-fri", "08:00", "12:00", "Morning"),
        win("Dra. Ana García", "mon-fri", "13:00", "17:00", "Afternoon"),
        win(
            "Dr. Luis Martínez",
            "mon-fri",
            "14:00",
            "18:00",
            "Afternoon",
        ),
        win("Dr. Luis Martínez", "sat,sun", "08:00", "12:00", "Morning"),
    ] {
        window::run(&seed, window::Cmd::Add(w))?;
    }
    let patients = [
        ("María López", "+503 7012-3456"),
        ("José Hernández", "+503 7123-4567"),
        ("Carmen Rivera", "+503 7234-5678"),
        ("Carlos Ramírez", "+503 7345-6789"),
        ("Rosa Martínez", "+503 7456-7890"),
        ("Pedro Flores", "+503 7567-8901"),
    ];
    // A dozen bookings over this week: the first free slots of each day for each doctor.
    let mut booked = 0;
    'days: for offset in 0..7 {
        let date = today + Duration::days(offset);
        for doc in ["Dra. Ana García", "Dr. Luis Martínez"] {
            let free = slots::run(&seed, slots_args(doc, &date.to_string()))?;
            let times: Vec<String> = free.json["slots"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .filter_map(|x| x["start_time"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            for t in times
                .iter()
                .step_by(3)
                .take(if offset == 0 { 3 } else { 1 })
            {
                let (name, phone) = patients[booked % patients.len()];
                book::run(
                    &seed,
                    book_args(doc, &date.to_string(), t, name, phone, booked),
                )?;
                booked += 1;
                if booked == 12 {
                    break 'days;
                }
            }
        }
    }

    let show = Ctx {
        db: path.clone(),
        db_flag: Some(path.clone()),
        clinic: None,
        ..ctx_clone(ctx)
    };
    let st = show.open()?;
    let (agenda_json, agenda_text) = agenda::build(&show, &st.conn, Some("today"), None)?;
    let mut free_json = Vec::new();
    let mut free_text = String::from("Free slots tomorrow:");
    for doc in ["Dra. Ana García", "Dr. Luis Martínez"] {
        let r = slots::run(&show, slots_args(doc, "tomorrow"))?;
        free_text.push_str(&format!("\n\n{}", r.human));
        free_json.push(r.json);
    }
    Ok(Report::new(
        json!({"db": path.display().to_string(), "booked": booked, "agenda": agenda_json, "tomorrow": free_json}),
        format!(
            "Demo database: {}\n(explore it with: appt --db '{}' list)\n\n{agenda_text}\n\n{free_text}",
            path.display(),
            path.display()
        ),
    ))
}

fn ctx_clone(ctx: &Ctx) -> Ctx {
    Ctx {
        json: ctx.json,
        interactive: false,
        db: ctx.db.clone(),
        db_flag: ctx.db_flag.clone(),
        clinic: None,
        now: ctx.now,
    }
}

fn slots_args(doctor: &str, date: &str) -> slots::Args {
    slots::Args {
        doctor: Some(doctor.into()),
        clinic_wide: false,
        date: Some(date.into()),
        service: None,
        duration: None,
        session: None,
        all: false,
    }
}

fn book_args(doctor: &str, date: &str, at: &str, name: &str, phone: &str, n: usize) -> book::Args {
    let service = if doctor.starts_with("Dr. Luis") {
        "Control pediátrico"
    } else {
        "Consulta general"
    };
    book::Args {
        doctor: Some(doctor.into()),
        clinic_wide: false,
        when: super::schedule::WhenArgs {
            date: Some(date.into()),
            time: Some(at.into()),
            at: None,
        },
        patient: None,
        phone: Some(phone.into()),
        name: Some(name.into()),
        national_id: None,
        service: Some(service.into()),
        duration: None,
        session: None,
        reason: Some(["Control anual", "Dolor de cabeza", "Vacuna", "Seguimiento"][n % 4].into()),
        notes: None,
        source: ["manual", "whatsapp", "phone", "web"][n % 4].into(),
        external_ref: None,
    }
}
