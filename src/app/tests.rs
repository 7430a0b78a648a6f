//! The use cases on their own, through the store on an in-memory SQLite
//! database: what a second front end gets when it calls `app/` directly,
//! without the command line in between.

use super::book::{self, BookRequest, Booking};
use super::change::{self, CancelRequest, Changed, RescheduleRequest, StatusRequest};
use super::remind::{self, DueRequest};
use super::schedule::WhenInput;
use super::slots::{self, SlotsRequest};
use super::{clinic, doctor, schedule, service, window, Store};
use crate::core::{Actor, Status};
use crate::error::Code;
use chrono::{DateTime, Utc};

/// Who the events name: the front end says (here, a desk of its own).
pub(super) fn desk() -> Actor {
    Actor::Cli("ana".into())
}

/// Monday 2026-06-15, 08:00 in El Salvador.
pub(super) fn monday_8am() -> DateTime<Utc> {
    "2026-06-15T14:00:00Z".parse().unwrap()
}

/// A clinic with Dr. García, mornings Monday to Friday, 30-minute slots.
fn clinic_with_a_doctor() -> Store {
    let mut st = Store::in_memory().unwrap();
    set_up(&mut st);
    st
}

/// [`clinic_with_a_doctor`] on a given store.
pub(super) fn set_up(st: &mut Store) {
    let now = monday_8am();
    clinic::add(
        st,
        "Central",
        &clinic::SettingsInput {
            timezone: Some("America/El_Salvador".into()),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    doctor::add(
        st,
        &doctor::DoctorInput {
            name: Some("Dr. García".into()),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    service::add(st, "General Checkup", 30, now).unwrap();
    window::add(
        st,
        &window::WindowInput {
            doctor: Some("Dr. García".into()),
            days: Some("mon-fri".into()),
            from: "09:00".into(),
            to: "13:00".into(),
            ..Default::default()
        },
        now,
    )
    .unwrap();
}

/// The one appointment a booking without a repeat made.
pub(super) fn one(b: Booking) -> book::Booked {
    match b {
        Booking::One(b) => b,
        Booking::Series(s) => panic!("a series of {}", s.appointments.len()),
    }
}

/// The one appointment a change without `series` made.
fn changed(c: Changed) -> crate::core::Appointment {
    match c {
        Changed::One(a) => a,
        Changed::Series(s) => panic!("a series of {}", s.appointments.len()),
    }
}

pub(super) fn request(time: &str, phone: &str) -> BookRequest {
    BookRequest {
        doctor: Some("Dr. García".into()),
        when: WhenInput {
            date: Some("2026-06-16".into()),
            time: Some(time.into()),
            at: None,
        },
        phone: Some(phone.into()),
        name: Some("Ana López".into()),
        source: "manual".into(),
        ..Default::default()
    }
}

#[test]
fn one_booking_wins_a_slot_and_the_next_gets_the_conflict_with_suggestions() {
    let mut st = clinic_with_a_doctor();
    let first = one(book::book(
        &mut st,
        &request("10:00", "+50370000001"),
        &desk(),
        monday_8am(),
    )
    .unwrap());
    assert_eq!(first.appointment.status, Status::Scheduled);
    assert_eq!(first.appointment.token_number, 1);
    let e = book::book(
        &mut st,
        &request("10:00", "+50370000002"),
        &desk(),
        monday_8am(),
    )
    .unwrap_err();
    assert_eq!(e.code, Code::AppointmentConflict);
    assert_eq!(e.details["suggested_times"][0], "10:30", "{}", e.details);
    // The slot is no longer offered.
    let day = slots::day(
        &mut st,
        &SlotsRequest {
            doctor: Some("Dr. García".into()),
            date: "2026-06-16".into(),
            ..Default::default()
        },
        monday_8am(),
    )
    .unwrap();
    assert_eq!(day.free().count(), 7, "eight slots, one taken");
}

#[test]
fn an_external_reference_books_once_whatever_the_replay_says() {
    let mut st = clinic_with_a_doctor();
    let mut r = request("10:00", "+50370000001");
    r.external_ref = Some("wa-1".into());
    let first = one(book::book(&mut st, &r, &desk(), monday_8am()).unwrap());
    r.when.time = Some("11:00".into());
    let again = one(book::book(&mut st, &r, &desk(), monday_8am()).unwrap());
    assert!(again.idempotent);
    assert_eq!(again.appointment.id, first.appointment.id);
    assert_eq!(again.appointment.starts_at, first.appointment.starts_at);
}

/// A move of appointment `id` to `time` the same day, nothing else asked.
pub(super) fn move_request(id: &str, time: &str) -> RescheduleRequest {
    RescheduleRequest {
        id: id.into(),
        clinic: None,
        when: WhenInput {
            date: None,
            time: Some(time.into()),
            at: None,
        },
        doctor: None,
        duration: None,
        reason: None,
        force: false,
        past_calendar: false,
        no_notify: false,
        visit: Default::default(),
        seen_from: None,
        series: false,
    }
}

#[test]
fn a_move_keeps_the_id_and_a_cancel_frees_the_time() {
    let mut st = clinic_with_a_doctor();
    let a = one(book::book(
        &mut st,
        &request("10:00", "+50370000001"),
        &desk(),
        monday_8am(),
    )
    .unwrap())
    .appointment;
    let moved = changed(
        change::reschedule(
            &mut st,
            &move_request(&a.id, "11:00"),
            &desk(),
            monday_8am(),
        )
        .unwrap(),
    );
    assert_eq!(moved.id, a.id);
    assert_eq!(moved.token_number, a.token_number, "same doctor, same day");
    assert_eq!((moved.starts_at - a.starts_at).num_minutes(), 60);
    let cancelled = changed(
        change::cancel(
            &mut st,
            &CancelRequest {
                id: a.id.clone(),
                reason: Some("No puede venir".into()),
                force: false,
                no_notify: false,
                ..CancelRequest::default()
            },
            &desk(),
            monday_8am(),
        )
        .unwrap(),
    );
    assert_eq!(cancelled.status, Status::Cancelled);
    // The freed 11:00 takes another patient.
    book::book(
        &mut st,
        &request("11:00", "+50370000002"),
        &desk(),
        monday_8am(),
    )
    .unwrap();
}

#[test]
fn the_events_name_the_actor_the_front_end_hands_over_and_system_for_an_offer() {
    // docs/rules.md#events: `app` reads no environment for it; another
    // front end names its own actor.
    let mut st = clinic_with_a_doctor();
    let board = Actor::Cli("board-pc".into());
    let a = one(book::book(
        &mut st,
        &request("10:00", "+50370000001"),
        &board,
        monday_8am(),
    )
    .unwrap())
    .appointment;
    super::waitlist::add(
        &mut st,
        &super::waitlist::AddRequest {
            doctor: "Dr. García".into(),
            date: "2026-06-16".into(),
            phone: Some("+50370000011".into()),
            name: Some("Beto".into()),
            ..Default::default()
        },
        monday_8am(),
    )
    .unwrap();
    let cancel = CancelRequest {
        id: a.id.clone(),
        reason: Some("Viaje".into()),
        force: false,
        no_notify: true,
        ..CancelRequest::default()
    };
    change::cancel(&mut st, &cancel, &desk(), monday_8am()).unwrap();
    let events = super::list::history(&mut st, &a.id, monday_8am())
        .unwrap()
        .events;
    let by: Vec<(&str, Option<&str>)> = events
        .iter()
        .map(|e| (e.kind.as_str(), e.actor.as_deref()))
        .collect();
    assert_eq!(
        by,
        [
            ("appointment.booked", Some("cli:board-pc")),
            ("appointment.cancelled", Some("cli:ana")),
            ("appointment.slot_offered", Some("system")),
        ]
    );
}

#[test]
fn statuses_move_only_forward_and_arrival_waits_for_the_day() {
    let mut st = clinic_with_a_doctor();
    let a = one(book::book(
        &mut st,
        &request("10:00", "+50370000001"),
        &desk(),
        monday_8am(),
    )
    .unwrap())
    .appointment;
    let set = |st: &mut Store, to: &str, now| {
        change::set_status(
            st,
            &StatusRequest {
                id: a.id.clone(),
                status: to.into(),
                diagnosis: Some("Gripe".into()),
                prescription: None,
                follow_up: None,
                notes: None,
            },
            &desk(),
            now,
        )
    };
    // Tuesday's visit: nobody arrives for it on Monday.
    let e = set(&mut st, "checked_in", monday_8am()).unwrap_err();
    assert_eq!(e.code, Code::InvalidStateTransition);
    set(&mut st, "confirmed", monday_8am()).unwrap();
    let tuesday: DateTime<Utc> = "2026-06-16T15:50:00Z".parse().unwrap();
    set(&mut st, "checked_in", tuesday).unwrap();
    let e = set(&mut st, "confirmed", tuesday).unwrap_err();
    assert_eq!(e.code, Code::InvalidStateTransition, "never backwards");
    let done = set(&mut st, "completed", tuesday).unwrap();
    assert_eq!(done.appointment.status, Status::Completed);
}

#[test]
fn a_reminder_is_delivered_once_however_often_the_sweep_runs() {
    let mut st = clinic_with_a_doctor();
    book::book(
        &mut st,
        &request("10:00", "+50370000001"),
        &desk(),
        monday_8am(),
    )
    .unwrap();
    // The 24 h reminder is due on Monday at 10:00 local.
    let due_at: DateTime<Utc> = "2026-06-15T16:00:00Z".parse().unwrap();
    let sweep = |st: &mut Store| {
        let mut seen = Vec::new();
        remind::due(st, &DueRequest::default(), due_at, &mut |r, _, _| {
            seen.push(r.id.clone());
            Ok(())
        })
        .unwrap();
        seen
    };
    let first = sweep(&mut st);
    assert_eq!(first.len(), 2, "the confirmation and the 24 h reminder");
    assert!(sweep(&mut st).is_empty(), "nothing twice");
}

/// A doctor's day (`slots`, a booking) asks for its closures and busy times
/// in one statement, and answers as the two reads apart would: the same
/// day, in the same order, each closure and appointment once however many
/// rows the statement gives them.
fn a_doctors_day_at_once(st: &mut Store) {
    set_up(st);
    let now = monday_8am();
    let mut booked = Vec::new();
    for (time, phone) in [
        ("09:00", "+50370000001"),
        ("09:30", "+50370000002"),
        ("10:00", "+50370000003"),
    ] {
        booked.push(one(
            book::book(st, &request(time, phone), &desk(), now).unwrap()
        ));
    }
    let cancel = CancelRequest {
        id: booked[1].appointment.id.clone(),
        reason: Some("No puede venir".into()),
        force: false,
        no_notify: true,
        ..CancelRequest::default()
    };
    change::cancel(st, &cancel, &desk(), now).unwrap();
    // Three closures touch the day, given clinic's first, then by their
    // first day, not as added; one does not touch it.
    for (doctor, from, to, reason) in [
        (Some("Dr. García"), "2026-06-15", "2026-06-17", "congreso"),
        (Some("Dr. García"), "2026-06-10", "2026-06-20", "vacaciones"),
        (None, "2026-06-16", "2026-06-16", "feriado"),
        (Some("Dr. García"), "2026-06-18", "2026-06-18", "otro"),
    ] {
        let c = super::closure::ClosureInput {
            clinic: None,
            doctor: doctor.map(String::from),
            from: from.into(),
            to: Some(to.into()),
            reason: Some(reason.into()),
        };
        super::closure::add(st, &c, now).unwrap();
    }
    let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 16).unwrap();
    let day = |st: &mut Store, at_once: bool| {
        st.read(|tx| {
            let t = schedule::target(tx, None, Some("Dr. García"))?;
            let before = tx.statements_sent();
            let d = if at_once {
                schedule::load_day(tx, &t, date, None, None)?
            } else {
                schedule::Calendar::load(tx, &t, date, date)?.day(tx, date, None, None)?
            };
            let busy: Vec<&str> = d.busy.iter().map(|b| b.id.as_str()).collect();
            let doctor = [t.doctor.as_ref().unwrap().id.as_str()];
            let closed = crate::store::closures::touching(tx, &t.clinic.id, &doctor, date, date)?;
            let closed: Vec<&str> = closed.iter().filter_map(|c| c.reason.as_deref()).collect();
            let shown = format!(
                "{:?} {:?} {busy:?} {:?} {closed:?}",
                d.windows, d.closure, d.limits
            );
            Ok((shown, tx.statements_sent() - before))
        })
        .unwrap()
    };
    let (apart, apart_sent) = day(st, false);
    let (at_once, at_once_sent) = day(st, true);
    assert_eq!(at_once, apart);
    assert!(apart.contains("Some(Some(\"feriado\"))"), "{apart}");
    assert!(
        apart.ends_with(r#"["feriado", "vacaciones", "congreso"]"#),
        "{apart}"
    );
    let active = [&booked[0], &booked[2]].map(|b| b.appointment.id.as_str());
    assert!(apart.contains(&format!("{active:?}")), "{apart}");
    if st.backend() == crate::store::db::Backend::Postgres {
        // The windows, then closures and busy times together, where apart
        // the windows, the closures and the busy times are three; the
        // doctor's own busy times (docs/calendars.md) one more either way.
        assert_eq!((apart_sent, at_once_sent), (4, 3));
    }
}

#[test]
fn a_doctors_closures_and_busy_times_are_read_together() {
    a_doctors_day_at_once(&mut Store::in_memory().unwrap());
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_doctors_closures_and_busy_times_are_read_together_on_postgres() {
    crate::store::on_scratch_pg(a_doctors_day_at_once);
}

/// The appointments booked on the request's doctor's days of June and
/// July 2026, as `list` finds them.
fn booked_in_june_and_july(st: &mut Store) -> Vec<crate::core::Appointment> {
    let all = super::list::ListRequest {
        clinic: None,
        zone: crate::core::zone::el_salvador(),
        date: None,
        from: Some("2026-06-01".into()),
        to: Some("2026-07-31".into()),
        status: None,
        doctor: None,
        patient: None,
        source: None,
        series: None,
        visit: Default::default(),
        seen_from: None,
        page: 1,
        limit: 500,
    };
    super::list::list(st, &all, monday_8am())
        .unwrap()
        .appointments
}

#[test]
fn a_request_with_a_repeat_books_a_series_never_one_appointment() {
    // Every front end calls the one entry point; it alone reads the repeat.
    let mut st = clinic_with_a_doctor();
    let mut r = request("10:00", "+50370000001");
    r.repeat = Some(super::repeat::RepeatInput {
        frequency: Some("weekly".into()),
        count: Some(3),
        ..Default::default()
    });
    let _ = book::book(&mut st, &r, &desk(), monday_8am()).unwrap();
    let made = booked_in_june_and_july(&mut st);
    let dates: Vec<String> = made.iter().map(|a| a.local_date.to_string()).collect();
    assert_eq!(dates, ["2026-06-16", "2026-06-23", "2026-06-30"]);
    let series = made[0].series_id.clone();
    assert!(series.is_some(), "a series, not three bookings");
    assert!(made.iter().all(|a| a.series_id == series));
}

#[test]
fn a_change_with_series_moves_or_cancels_the_series_never_one_occurrence() {
    let mut st = clinic_with_a_doctor();
    let mut r = request("10:00", "+50370000001");
    r.repeat = Some(super::repeat::RepeatInput {
        frequency: Some("weekly".into()),
        count: Some(3),
        ..Default::default()
    });
    let Booking::Series(booked) = book::book(&mut st, &r, &desk(), monday_8am()).unwrap() else {
        panic!("a repeat books a series");
    };
    let first = booked.appointments[0].id.clone();
    let moved = RescheduleRequest {
        id: first.clone(),
        when: WhenInput {
            time: Some("11:00".into()),
            ..Default::default()
        },
        series: true,
        ..Default::default()
    };
    let done = change::reschedule(&mut st, &moved, &desk(), monday_8am()).unwrap();
    assert!(matches!(&done, Changed::Series(s) if s.appointments.len() == 3));
    let cancel = CancelRequest {
        id: first,
        reason: Some("Tratamiento terminado".into()),
        series: true,
        ..Default::default()
    };
    let done = change::cancel(&mut st, &cancel, &desk(), monday_8am()).unwrap();
    assert!(matches!(&done, Changed::Series(s) if s.appointments.len() == 3));
    let made = booked_in_june_and_july(&mut st);
    assert!(made.iter().all(|a| a.status == Status::Cancelled));
    let times: Vec<String> = made
        .iter()
        .map(|a| crate::core::time::to_local(a.timezone, a.starts_at).1)
        .collect();
    assert_eq!(times, ["11:00", "11:00", "11:00"]);
}

/// A phone asking again for a calendar it holds, nothing changed, is
/// answered on PostgreSQL in one round trip (the feed's row, with the read
/// transaction's opening and snapshot): the clinic and the ETag's statement
/// are kept by the connection until the snapshot moves (three round trips
/// before). Once a visit is booked the ETag is read again, and differs.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn an_unchanged_feed_is_answered_in_one_round_trip_on_postgres() {
    use super::feed::{self, Key, Pick};
    crate::store::on_scratch_pg(|st| {
        set_up(st);
        let now = monday_8am();
        let url = clinic::SettingsInput {
            public_url: Some("https://citas.example.com".into()),
            ..Default::default()
        };
        clinic::update(st, "Central", None, &url, false, now).unwrap();
        let req = feed::AddRequest {
            name: "garcia".into(),
            doctor: Some("Dr. García".into()),
            ..Default::default()
        };
        let token = feed::add_then(st, &req, now, &mut |_| Ok(()))
            .unwrap()
            .token;
        let ask = |st: &mut Store| {
            let before = st.pg_waits();
            let tag = feed::open(st, Key::Token(&token), now, Pick::Nothing)
                .unwrap()
                .etag;
            (tag, st.pg_waits() - before)
        };
        // The first answer records the ETag on the feed: a write, after
        // which the next reads again.
        let (first, _) = ask(st);
        assert_eq!(ask(st).0, first);
        assert_eq!(ask(st), (first.clone(), 1), "kept: the feed's row alone");
        one(book::book(st, &request("10:00", "+50370000001"), &desk(), now).unwrap());
        let (booked, waits) = ask(st);
        assert_ne!(booked, first, "a visit booked changes the calendar");
        assert!(waits > 1, "read again after the write: {waits}");
        assert_eq!(ask(st).0, booked);
        assert_eq!(ask(st), (booked, 1));
    });
}
