//! `demo`: a sample clinic seeded into its own database through the same use
//! cases a front desk runs. Only a database `demo` made itself is ever replaced.

use super::{book, clinic, doctor, service, slots, window};
use crate::core::{time, Actor};
use crate::error::{Error, Result};
use crate::store::{files, meta, Create, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::Path;

pub const CLINIC: &str = "Clínica San Benito";
pub const DOCTORS: [&str; 2] = ["Dra. Ana García", "Dr. Luis Martínez"];
const TZ: &str = "America/El_Salvador";
/// The demo clinic's phone, as its messages give it.
pub const PHONE: &str = "2250-1000";

/// Whether `path` holds a demo database that [`create`] would replace.
pub fn exists(path: &Path) -> bool {
    !crate::store::is_url(path)
        && std::fs::symlink_metadata(path).is_ok()
        && meta::is_demo_file(path)
}

/// Makes a fresh demo database at `path`: an earlier demo there is replaced;
/// anything else (a clinic's real database above all) is refused, untouched.
pub fn create(path: &Path, folders: Create) -> Result<Store> {
    if crate::store::is_url(path) {
        return Err(Error::field(
            "db",
            crate::text::msg!("e-appt_demo_seeds_a_database_file_of"),
        ));
    }
    if std::fs::symlink_metadata(path).is_ok() {
        if !meta::is_demo_file(path) {
            let problem = crate::text::msg!("e-exists_and_is_not_an_appt_demo", a = path.display());
            return Err(Error::field("db", problem)
                .hint(crate::text::msg!("e-give_the_demo_another_db_path_or")));
        }
        // A fresh demo each run: only the demo's own files are removed.
        for ext in ["", "-wal", "-shm", ".key", ".link-key"] {
            let _ = std::fs::remove_file(files::with_suffix(path, ext));
        }
    }
    let mut st = Store::open(path, folders)?;
    // Marked before anything is seeded, so even a demo cut short is replaceable.
    st.write(meta::mark_demo)?;
    Ok(st)
}

/// Seeds the clinic, its doctors, services and windows, and a dozen bookings
/// over the week from `now`'s date, booked by `actor`; returns how many were booked.
pub fn seed(st: &mut Store, actor: &Actor, now: DateTime<Utc>) -> Result<usize> {
    let tz: crate::core::zone::Tz = TZ
        .parse()
        .map_err(|_| Error::internal(crate::text::msg!("e-demo_zone")))?;
    let today = time::local_today(tz, now);
    // Book as of this morning's midnight, so today's earlier slots can hold visits too.
    let midnight = tz
        .from_local_datetime(&today.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    set_up(st, midnight)?;
    book_week(st, tz, today, actor, midnight)
}

/// The clinic, its doctors, services and weekly hours.
fn set_up(st: &mut Store, at: DateTime<Utc>) -> Result<()> {
    clinic::add(
        st,
        CLINIC,
        &clinic::SettingsInput {
            timezone: Some(TZ.into()),
            slot_minutes: Some(30),
            cancel_window: Some("2h".into()),
            country_code: Some("+503".into()),
            language: Some("es".into()),
            phone: Some(PHONE.into()),
            ..Default::default()
        },
        at,
    )?;
    for (name, specialty) in DOCTORS.iter().zip(["Medicina General", "Pediatría"]) {
        doctor::add(
            st,
            &doctor::DoctorInput {
                name: Some(name.to_string()),
                specialty: Some(specialty.into()),
                ..Default::default()
            },
            at,
        )?;
    }
    for (name, minutes) in [
        ("Consulta general", 30),
        ("Control pediátrico", 30),
        ("Vacunación", 15),
    ] {
        service::add(st, name, minutes, at)?;
    }
    for (doctor, days, from, to, session) in [
        (DOCTORS[0], "mon-fri", "08:00", "12:00", "Mañana"),
        (DOCTORS[0], "mon-fri", "13:00", "17:00", "Tarde"),
        (DOCTORS[1], "mon-fri", "14:00", "18:00", "Tarde"),
        (DOCTORS[1], "sat,sun", "08:00", "12:00", "Mañana"),
    ] {
        window::add(
            st,
            &window::WindowInput {
                clinic: Some(CLINIC.into()),
                doctor: Some(doctor.into()),
                days: Some(days.into()),
                from: from.into(),
                to: to.into(),
                session: Some(session.into()),
                ..Default::default()
            },
            at,
        )?;
    }
    Ok(())
}

const PATIENTS: [(&str, &str); 6] = [
    ("María López", "+503 7012-3456"),
    ("José Hernández", "+503 7123-4567"),
    ("Carmen Rivera", "+503 7234-5678"),
    ("Carlos Ramírez", "+503 7345-6789"),
    ("Rosa Martínez", "+503 7456-7890"),
    ("Pedro Flores", "+503 7567-8901"),
];

/// A dozen bookings over this week: the first free slots of each day for
/// each doctor (three today, one a day after); returns how many.
fn book_week(
    st: &mut Store,
    tz: crate::core::zone::Tz,
    today: chrono::NaiveDate,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<usize> {
    let mut booked = 0;
    for offset in 0..7 {
        let date = (today + Duration::days(offset)).to_string();
        for doc in DOCTORS {
            let day = slots::day(
                st,
                &slots::SlotsRequest {
                    clinic: Some(CLINIC.into()),
                    doctor: Some(doc.into()),
                    date: date.clone(),
                    ..Default::default()
                },
                at,
            )?;
            let times: Vec<String> = day.free().map(|s| time::to_local(tz, s.start).1).collect();
            for t in times
                .iter()
                .step_by(3)
                .take(if offset == 0 { 3 } else { 1 })
            {
                if booked == 12 {
                    return Ok(booked);
                }
                book::book(st, &visit(booked, doc, &date, t), actor, at)?;
                booked += 1;
            }
        }
    }
    Ok(booked)
}

/// The `n`th demo booking: patients, reasons and sources in turn.
fn visit(n: usize, doctor: &str, date: &str, time: &str) -> book::BookRequest {
    let (name, phone) = PATIENTS[n % PATIENTS.len()];
    book::BookRequest {
        clinic: Some(CLINIC.into()),
        doctor: Some(doctor.into()),
        when: super::schedule::WhenInput {
            date: Some(date.into()),
            time: Some(time.into()),
            at: None,
        },
        phone: Some(phone.into()),
        name: Some(name.into()),
        service: Some(
            if doctor == DOCTORS[1] {
                "Control pediátrico"
            } else {
                "Consulta general"
            }
            .into(),
        ),
        reason: Some(["Control anual", "Dolor de cabeza", "Vacuna", "Seguimiento"][n % 4].into()),
        source: ["manual", "whatsapp", "phone", "web"][n % 4].into(),
        ..Default::default()
    }
}
