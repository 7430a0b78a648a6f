//! Reads done ahead (`store::ahead`) keep what each read they stand for
//! then finds: the same answer, and not one statement more.

use super::book;
use super::closure::{self, ClosureInput};
use super::tests::{desk, monday_8am, one, request, set_up};
use super::Store;
use crate::error::Result;
use crate::store::ahead::LookAhead;
use crate::store::asked::Asked;
use crate::store::db::Tx;
use crate::store::{appointments, clinics, closures, doctors, patients, queue, windows};
use chrono::{DateTime, NaiveDate, Utc};

const PHONE: &str = "+50370000001";

/// What the reads a booking makes of a doctor's day answer.
fn reads(tx: &Tx, day: &Day) -> Result<String> {
    let doctors = [day.doctor.as_str()];
    let patient = patients::by_phone(tx, PHONE)?.map(|p| p.patient.id);
    let nobody = patients::by_phone(tx, "+50370009999")?.map(|p| p.patient.id);
    let held = appointments::by_external_ref(tx, &day.clinic, "wa-1")?.map(|a| a.id.clone());
    let free = appointments::by_external_ref(tx, &day.clinic, "wa-9")?.map(|a| a.id.clone());
    let busy = appointments::busy_for_doctor(tx, &day.doctor, day.from, day.to, None)?;
    let closed = closures::touching(tx, &day.clinic, &doctors, day.date, day.date)?;
    Ok(format!(
        "{patient:?} {nobody:?} {held:?} {free:?} {busy:?} {closed:?}"
    ))
}

/// What the reads of a doctor named by ID answer.
fn doctor_reads(tx: &Tx, id: &str) -> Result<String> {
    let d = doctors::get(tx, id)?;
    let ws = windows::of_owner(tx, &crate::core::Owner::Doctor(id.into()))?;
    let cs = clinics::of_doctor(tx, id)?;
    Ok(format!("{d:?} {ws:?} {cs:?}"))
}

struct Day {
    clinic: String,
    doctor: String,
    scope: String,
    date: NaiveDate,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn look_ahead_fills_what_each_read_finds(st: &mut Store) {
    set_up(st);
    let now = monday_8am();
    let mut first = request("09:00", PHONE);
    first.external_ref = Some("wa-1".into());
    let booked = one(book::book(st, &first, &desk(), now).unwrap());
    book::book(st, &request("10:00", "+50370000002"), &desk(), now).unwrap();
    let c = ClosureInput {
        clinic: None,
        doctor: Some("Dr. García".into()),
        from: "2026-06-16".into(),
        to: None,
        reason: Some("congreso".into()),
    };
    closure::add(st, &c, now).unwrap();
    let a = &booked.appointment;
    let day = Day {
        clinic: a.clinic_id.clone(),
        doctor: a.doctor_id.clone().unwrap(),
        scope: a.doctor_id.clone().unwrap(),
        date: a.local_date,
        from: "2026-06-16T06:00:00Z".parse().unwrap(),
        to: "2026-06-17T06:00:00Z".parse().unwrap(),
    };
    // Each read on its own, nothing asked ahead.
    let apart = st.read(|tx| reads(tx, &day)).unwrap();
    let doctor_apart = st.read(|tx| doctor_reads(tx, &day.doctor)).unwrap();
    assert!(apart.contains(&a.id), "{apart}");
    assert!(apart.contains("congreso"), "{apart}");

    // An import's next lines, asked at once: then the reads send nothing.
    let ahead = st
        .read(|tx| {
            let mut ask = LookAhead::default();
            ask.phone(PHONE);
            ask.phone("+50370009999");
            ask.reference("wa-1");
            ask.reference("wa-9");
            ask.doctor_day(
                &day.clinic,
                &day.doctor,
                &day.scope,
                day.date,
                (day.from, day.to),
            );
            ask.ask(tx)?;
            let last = Asked::LastToken {
                scope: &day.scope,
                on: day.date,
            };
            assert!(tx.is_kept(&last), "the day's last token");
            let before = tx.statements_sent();
            let found = reads(tx, &day)?;
            assert_eq!(tx.statements_sent(), before, "every read was kept");
            Ok(found)
        })
        .unwrap();
    assert_eq!(ahead, apart);

    // One doctor's day, and a doctor named by ID: the same.
    let (day_ahead, doctor_ahead) = st
        .read(|tx| {
            LookAhead::day(tx, &day.clinic, &day.doctor, day.date, (day.from, day.to))?;
            LookAhead::doctor(tx, &day.doctor)?;
            let before = tx.statements_sent();
            let busy = appointments::busy_for_doctor(tx, &day.doctor, day.from, day.to, None)?;
            let closed = closures::touching(tx, &day.clinic, &[&day.doctor], day.date, day.date)?;
            let doctor = doctor_reads(tx, &day.doctor)?;
            assert_eq!(tx.statements_sent(), before, "every read was kept");
            Ok((format!("{busy:?} {closed:?}"), doctor))
        })
        .unwrap();
    assert!(apart.ends_with(&day_ahead), "{apart}\n{day_ahead}");
    assert_eq!(doctor_ahead, doctor_apart);

    // The last token asked ahead is the one counted on.
    let next = st
        .write(|tx| {
            let mut ask = LookAhead::default();
            ask.doctor_day(
                &day.clinic,
                &day.doctor,
                &day.scope,
                day.date,
                (day.from, day.to),
            );
            ask.ask(tx)?;
            queue::next_token(tx, &day.scope, day.date)
        })
        .unwrap();
    assert_eq!(next, 3, "two given that day");
}

#[test]
fn an_imports_look_ahead_fills_what_each_read_then_finds() {
    look_ahead_fills_what_each_read_finds(&mut Store::in_memory().unwrap());
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn an_imports_look_ahead_fills_what_each_read_then_finds_on_postgres() {
    crate::store::on_scratch_pg(look_ahead_fills_what_each_read_finds);
}
