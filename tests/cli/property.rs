//! Tests: a property test of the scheduling rules through the real use
//! cases of the library (`appt::app`), as a second front end calls them: for
//! any clinic — doctors' windows of 1–3 places with their own slot lengths,
//! a clinic-wide window, services of random lengths and buffers
//! (docs/rules.md#buffers), random daily limits on doctors and services
//! (docs/rules.md#daily-limits) — and any run of bookings, walk-ins, moves,
//! cancellations and changes of a service's buffers, whatever is refused,
//! what was written never lets `appt check` find a problem (no more held time
//! overlapping than a window's capacity, buffers included,
//! docs/rules.md#windows-and-slots) and no local day holds more than its
//! limits allow.
//!
//! On SQLite in memory; in the suite's PostgreSQL run (`APPT_TEST_PG`), on a
//! database of its own for each case (fewer cases: each makes a database).

use crate::common::{new_pg_database, pg_server};
use appt::app::book::{self, BookRequest};
use appt::app::change::{self, CancelRequest, RescheduleRequest};
use appt::app::schedule::WhenInput;
use appt::app::{clinic, doctor, maintenance, service, window, Create, Store};
use appt::core::{Actor, Status};
use appt::error::Code;
use appt::store::db::{On, Table, Tx};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::collections::HashMap;

/// A weekly window, Monday to Friday: from `from` (local minutes), `halves`
/// half-hours long (to 24:00 at most).
#[derive(Debug, Clone)]
struct WindowSpec {
    from: i64,
    halves: i64,
    slot: i64,
    capacity: i64,
}

impl WindowSpec {
    fn to(&self) -> i64 {
        (self.from + 30 * self.halves).min(1440)
    }

    /// A start of its grid.
    fn start(&self, k: &Slot) -> i64 {
        let n = (((self.to() - self.from) + self.slot - 1) / self.slot).max(1);
        let k = match k {
            Slot::First => 0,
            Slot::Last => n - 1,
            Slot::Any(i) => i.index(n as usize) as i64,
        };
        self.from + self.slot * k
    }
}

#[derive(Debug, Clone)]
struct ServiceSpec {
    minutes: i64,
    before: i64,
    after: i64,
    per_day: Option<i64>,
}

#[derive(Debug, Clone)]
struct DoctorSpec {
    windows: Vec<WindowSpec>,
    per_day: Option<i64>,
}

/// Where a time is: Tuesday or Wednesday, one of the owner's windows, a
/// start of its grid.
#[derive(Debug, Clone)]
struct At {
    wednesday: bool,
    window: Index,
    slot: Slot,
}

/// A start of a window's grid: its edges often, where buffers reach out of
/// the window (and past midnight).
#[derive(Debug, Clone)]
enum Slot {
    First,
    Last,
    Any(Index),
}

#[derive(Debug, Clone)]
enum Op {
    /// Book an owner (a doctor, or the clinic-wide windows) at a time, with a
    /// service or none, for the service's length or one given.
    Book {
        owner: Index,
        at: At,
        service: Option<Index>,
        duration: Option<i64>,
    },
    /// A walk-in, the clock at a minute inside one of the owner's windows.
    WalkIn {
        owner: Index,
        at: At,
        minute: Index,
        service: Option<Index>,
    },
    /// Move a booked appointment to another time of its owner.
    Move {
        which: Index,
        at: At,
    },
    Cancel {
        which: Index,
    },
    /// A service's buffers change: new bookings only.
    Buffers {
        service: Index,
        before: i64,
        after: i64,
    },
}

#[derive(Debug, Clone)]
struct Spec {
    doctors: Vec<DoctorSpec>,
    clinic_wide: Option<WindowSpec>,
    services: Vec<ServiceSpec>,
    ops: Vec<Op>,
}

fn window_spec() -> impl Strategy<Value = WindowSpec> {
    (
        // Midnight and late evening too: a buffer may reach into the next day.
        prop_oneof![
            2 => Just(0i64),
            2 => Just(1380i64),
            3 => (0i64..48).prop_map(|h| h * 30)
        ],
        1i64..=6,
        prop_oneof![Just(10i64), Just(15), Just(20), Just(30)],
        1i64..=3,
    )
        .prop_map(|(from, halves, slot, capacity)| WindowSpec {
            from,
            halves,
            slot,
            capacity,
        })
}

fn buffer() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), 0i64..=60]
}

fn service_spec() -> impl Strategy<Value = ServiceSpec> {
    (
        prop_oneof![
            Just(10i64),
            Just(15),
            Just(20),
            Just(30),
            Just(45),
            Just(60)
        ],
        buffer(),
        buffer(),
        proptest::option::weighted(0.3, 1i64..=5),
    )
        .prop_map(|(minutes, before, after, per_day)| ServiceSpec {
            minutes,
            before,
            after,
            per_day,
        })
}

fn at() -> impl Strategy<Value = At> {
    let slot = prop_oneof![
        1 => Just(Slot::First),
        1 => Just(Slot::Last),
        3 => any::<Index>().prop_map(Slot::Any)
    ];
    (any::<bool>(), any::<Index>(), slot).prop_map(|(wednesday, window, slot)| At {
        wednesday,
        window,
        slot,
    })
}

fn op() -> impl Strategy<Value = Op> {
    let service = proptest::option::weighted(0.8, any::<Index>());
    prop_oneof![
        6 => (any::<Index>(), at(), service.clone(), proptest::option::weighted(0.2, 10i64..=60))
            .prop_map(|(owner, at, service, duration)| Op::Book { owner, at, service, duration }),
        1 => (any::<Index>(), at(), any::<Index>(), service)
            .prop_map(|(owner, at, minute, service)| Op::WalkIn { owner, at, minute, service }),
        2 => (any::<Index>(), at()).prop_map(|(which, at)| Op::Move { which, at }),
        1 => any::<Index>().prop_map(|which| Op::Cancel { which }),
        1 => (any::<Index>(), buffer(), buffer())
            .prop_map(|(service, before, after)| Op::Buffers { service, before, after }),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(
            (
                prop::collection::vec(window_spec(), 1..=3),
                proptest::option::weighted(0.3, 1i64..=8),
            )
                .prop_map(|(windows, per_day)| DoctorSpec { windows, per_day }),
            1..=2,
        ),
        proptest::option::weighted(0.5, window_spec()),
        prop::collection::vec(service_spec(), 1..=3),
        prop::collection::vec(op(), 20..=50),
    )
        .prop_map(|(doctors, clinic_wide, services, ops)| Spec {
            doctors,
            clinic_wide,
            services,
            ops,
        })
}

/// Monday 2026-06-15 08:00 in El Salvador (UTC-6, no DST).
fn monday_8am() -> DateTime<Utc> {
    "2026-06-15T14:00:00Z".parse().unwrap()
}

fn day(wednesday: bool) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, if wednesday { 17 } else { 16 }).unwrap()
}

fn hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn desk() -> Actor {
    Actor::Cli("prop".into())
}

fn doctor_name(i: usize) -> String {
    format!("Dr. Prop {i}")
}

fn service_name(i: usize) -> String {
    format!("Servicio {i}")
}

/// The clinic of `spec` in `st`, and each owner's windows as they were
/// added (a window that overlaps an earlier one of its owner is refused,
/// and left out).
fn setup(st: &mut Store, spec: &Spec) -> Vec<(Option<String>, Vec<WindowSpec>)> {
    let now = monday_8am();
    clinic::add(
        st,
        "Central",
        &clinic::SettingsInput {
            timezone: Some("America/El_Salvador".into()),
            notify: Some("off".into()),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    for (i, s) in spec.services.iter().enumerate() {
        let buffers = service::Buffers {
            before: Some(s.before),
            after: Some(s.after),
        };
        service::add_with(st, &service_name(i), s.minutes, &buffers, now).unwrap();
        if let Some(n) = s.per_day {
            let u = service::ServiceUpdate {
                max_per_day: Some(n.to_string()),
                ..Default::default()
            };
            service::update(st, &service_name(i), &u, now).unwrap();
        }
    }
    let mut owners = Vec::new();
    let add_window = |st: &mut Store, doctor: Option<String>, w: &WindowSpec| {
        window::add(
            st,
            &window::WindowInput {
                doctor,
                days: Some("mon-fri".into()),
                from: hhmm(w.from),
                to: hhmm(w.to()),
                slot_minutes: Some(w.slot),
                capacity: Some(w.capacity),
                ..Default::default()
            },
            now,
        )
        .is_ok()
    };
    for (i, d) in spec.doctors.iter().enumerate() {
        let name = doctor_name(i);
        doctor::add(
            st,
            &doctor::DoctorInput {
                name: Some(name.clone()),
                max_per_day: d.per_day.map(|n| n.to_string()),
                ..Default::default()
            },
            now,
        )
        .unwrap();
        let kept: Vec<WindowSpec> = d
            .windows
            .iter()
            .filter(|w| add_window(st, Some(name.clone()), w))
            .cloned()
            .collect();
        owners.push((Some(name), kept));
    }
    if let Some(w) = &spec.clinic_wide {
        assert!(add_window(st, None, w));
        owners.push((None, vec![w.clone()]));
    }
    owners
}

/// The local date and time `at` names among `windows`.
fn when(windows: &[WindowSpec], at: &At) -> WhenInput {
    let w = &windows[at.window.index(windows.len())];
    WhenInput {
        date: Some(day(at.wednesday).to_string()),
        time: Some(hhmm(w.start(&at.slot))),
        at: None,
    }
}

/// A refusal is a rule's answer: never a failure of appt, and never the
/// database's own backstop (PostgreSQL's exclusion constraint answers
/// `APPOINTMENT_CONFLICT` with no details) catching what the rules let by.
fn refusal(e: appt::error::Error, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !matches!(e.code, Code::Internal | Code::Database),
        "{what}: {} {}",
        e.code.as_str(),
        e.message
    );
    prop_assert!(
        !(e.code == Code::AppointmentConflict
            && e.details.get("conflicting_appointment_id").is_none()),
        "{what}: the database refused what the rules allowed: {}",
        e.message
    );
    Ok(())
}

/// Runs `spec` on an empty store and checks what it left.
fn run(st: &mut Store, spec: &Spec) -> Result<(), TestCaseError> {
    let owners = setup(st, spec);
    let now = monday_8am();
    // Booked appointments: (id, owner).
    let mut booked: Vec<(String, usize)> = Vec::new();
    let mut phone = 0;
    let mut request = |owner: &(Option<String>, Vec<WindowSpec>), service: &Option<Index>| {
        phone += 1;
        BookRequest {
            doctor: owner.0.clone(),
            clinic_wide: owner.0.is_none(),
            phone: Some(format!("+5037{phone:07}")),
            name: Some(format!("Paciente {phone}")),
            service: service
                .as_ref()
                .map(|s| service_name(s.index(spec.services.len()))),
            source: "manual".into(),
            ..Default::default()
        }
    };
    for (n, op) in spec.ops.iter().enumerate() {
        let what = format!("op {n} {op:?}");
        match op {
            Op::Book {
                owner,
                at,
                service,
                duration,
            } => {
                let o = owner.index(owners.len());
                if owners[o].1.is_empty() {
                    continue;
                }
                let mut r = request(&owners[o], service);
                r.when = when(&owners[o].1, at);
                r.duration = *duration;
                match book::book(st, &r, &desk(), now) {
                    Ok(b) => booked.extend(b.appointments().iter().map(|a| (a.id.clone(), o))),
                    Err(e) => refusal(e, &what)?,
                }
            }
            Op::WalkIn {
                owner,
                at,
                minute,
                service,
            } => {
                let o = owner.index(owners.len());
                let ws = &owners[o].1;
                if ws.is_empty() {
                    continue;
                }
                let w = &ws[at.window.index(ws.len())];
                let m = w.from + minute.index((w.to() - w.from) as usize) as i64;
                let local = day(at.wednesday).and_hms_opt(0, 0, 0).unwrap().and_utc();
                let here = local + Duration::minutes(m) + Duration::hours(6);
                let mut r = request(&owners[o], service);
                r.walk_in = true;
                match book::book(st, &r, &desk(), here) {
                    Ok(b) => booked.extend(b.appointments().iter().map(|a| (a.id.clone(), o))),
                    Err(e) => refusal(e, &what)?,
                }
            }
            Op::Move { which, at } => {
                if booked.is_empty() {
                    continue;
                }
                let (id, o) = booked[which.index(booked.len())].clone();
                let r = RescheduleRequest {
                    id,
                    when: when(&owners[o].1, at),
                    ..Default::default()
                };
                if let Err(e) = change::reschedule(st, &r, &desk(), now) {
                    refusal(e, &what)?;
                }
            }
            Op::Cancel { which } => {
                if booked.is_empty() {
                    continue;
                }
                let (id, _) = booked[which.index(booked.len())].clone();
                let r = CancelRequest {
                    id,
                    reason: Some("Viaje".into()),
                    ..Default::default()
                };
                if let Err(e) = change::cancel(st, &r, &desk(), now) {
                    refusal(e, &what)?;
                }
            }
            Op::Buffers {
                service: s,
                before,
                after,
            } => {
                let u = service::ServiceUpdate {
                    buffers: service::Buffers {
                        before: Some(*before),
                        after: Some(*after),
                    },
                    ..Default::default()
                };
                let name = service_name(s.index(spec.services.len()));
                service::update(st, &name, &u, now).unwrap();
            }
        }
    }
    let found = maintenance::check(st, None, false).unwrap();
    let said: Vec<String> = found
        .iter()
        .map(|v| format!("[{}] {}", v.check, v.message))
        .collect();
    prop_assert!(found.is_empty(), "check found:\n{}", said.join("\n"));
    within_limits(st, spec)?;
    if std::env::var("APPT_PROP_STATS").is_ok() {
        eprintln!("booked {} of {} ops", booked.len(), spec.ops.len());
    }
    Ok(())
}

/// No local day holds more active appointments than its doctor's limit, or
/// than its service's (per doctor, or per clinic's clinic-wide windows).
/// The limits never change during a run, so every day must be within them.
fn within_limits(st: &mut Store, spec: &Spec) -> Result<(), TestCaseError> {
    let active = format!(
        "({}, {}, {}, {})",
        Status::Scheduled.code(),
        Status::Confirmed.code(),
        Status::CheckedIn.code(),
        Status::InProgress.code()
    );
    let counts = |tx: &Tx| {
        tx.rows(
            On::reads(&[Table::Appointments, Table::Doctors, Table::Services]),
            &format!(
                "SELECT d.full_name, s.name, a.local_date FROM appointments a \
                 LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN services s ON s.id = a.service_id \
                 WHERE a.status IN {active}"
            ),
            &[],
            |r| {
                Ok((
                    r.get::<Option<String>>(0)?,
                    r.get::<Option<String>>(1)?,
                    // The local date's day number (schema 60).
                    r.get::<i64>(2)?.to_string(),
                ))
            },
        )
    };
    let rows = st.read(counts).unwrap();
    let mut by_doctor: HashMap<(String, String), i64> = HashMap::new();
    let mut by_service: HashMap<(Option<String>, String, String), i64> = HashMap::new();
    for (doctor, service, date) in rows {
        if let Some(d) = &doctor {
            *by_doctor.entry((d.clone(), date.clone())).or_default() += 1;
        }
        if let Some(s) = service {
            *by_service.entry((doctor, s, date)).or_default() += 1;
        }
    }
    for ((d, date), n) in &by_doctor {
        let i: usize = d.trim_start_matches("Dr. Prop ").parse().unwrap();
        if let Some(limit) = spec.doctors[i].per_day {
            prop_assert!(*n <= limit, "{d} has {n} on {date}, over {limit}");
        }
    }
    for ((d, s, date), n) in &by_service {
        let i: usize = s.trim_start_matches("Servicio ").parse().unwrap();
        if let Some(limit) = spec.services[i].per_day {
            prop_assert!(*n <= limit, "{s} has {n} on {date} for {d:?}, over {limit}");
        }
    }
    Ok(())
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// 64 cases on SQLite in memory; 12 on PostgreSQL, each on a new database.
#[test]
fn no_buffers_capacities_or_limits_let_check_find_an_overlap() {
    let server = pg_server();
    let mut runner = TestRunner::new(Config {
        cases: cases(if server.is_some() { 12 } else { 64 }),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&spec(), |spec| match &server {
            None => run(&mut Store::in_memory().unwrap(), &spec),
            Some(server) => {
                let url = new_pg_database(server);
                let outcome = {
                    let mut st = Store::open(std::path::Path::new(&url), Create::Never).unwrap();
                    run(&mut st, &spec)
                };
                let name = url.rsplit('/').next().unwrap_or_default();
                let name = name.split('?').next().unwrap_or_default();
                postgres::Client::connect(server, postgres::NoTls)
                    .and_then(|mut c| {
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    })
                    .unwrap();
                outcome
            }
        })
        .unwrap();
}
