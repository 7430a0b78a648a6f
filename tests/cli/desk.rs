//! Tests: the front desk's walk-ins, queue and waitlist (docs/rules.md#walk-ins).

use crate::common::{s, Env, MONDAY_8AM};
use serde_json::{json, Value};

/// Monday 2026-06-15 in El Salvador (UTC−6): local time HH:MM as an instant.
fn monday(hm: &str) -> String {
    let (h, m) = hm.split_once(':').unwrap();
    format!("2026-06-15T{:02}:{m}:00Z", h.parse::<u32>().unwrap() + 6)
}

const TUE: &str = "2026-06-16";

fn walk_in(env: &Env, phone: &str) -> Value {
    env.ok(&[
        "book",
        "--walk-in",
        "--doctor",
        "Dr. García",
        "--phone",
        phone,
        "--name",
        "Walk In",
    ])["appointment"]
        .clone()
}

#[test]
fn a_walk_in_takes_the_first_free_slot_from_now_checked_in_with_the_next_token() {
    let mut env = Env::clinic();
    env.at(&monday("09:10"));
    env.book("2026-06-15", "09:30", "+50370000001");
    let w = walk_in(&env, "+50370000002");
    assert_eq!(
        w["start_time"], "10:00",
        "09:30 is taken: the next free slot"
    );
    assert_eq!(w["status"], "checked_in");
    assert_eq!(w["source"], "walk_in");
    assert_eq!(w["token_number"], 2);
    assert_eq!(w["checked_in_at"], monday("09:10"));
    let types: Vec<Value> = env.ok(&["history", s(&w["id"])])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].clone())
        .collect();
    assert_eq!(types, ["appointment.booked", "appointment.checked_in"]);
    // A walk-in needs no notice, and a slot starting right now is "from now on".
    env.at(&monday("10:30"));
    let now = walk_in(&env, "+50370000003");
    assert_eq!(now["start_time"], "10:30");
    assert_eq!(now["token_number"], 3);
}

#[test]
fn a_walk_in_that_renames_a_patient_says_so_once_on_the_booked_event() {
    // docs/commands.md#appt-events: the rename is the booking's news; the arrival a walk-in
    // records at once carries the appointment, not the rename again.
    let mut env = Env::clinic();
    env.at(&monday("09:10"));
    env.book(TUE, "10:00", "+50370000002");
    let w = walk_in(&env, "+50370000002");
    let events = env.ok(&["history", s(&w["id"])])["events"].clone();
    let (booked, arrived) = (&events[0], &events[1]);
    assert_eq!(booked["type"], "appointment.booked", "{events}");
    assert_eq!(booked["data"]["patient_previous_name"], "Test Patient");
    assert_eq!(arrived["type"], "appointment.checked_in", "{events}");
    assert!(
        arrived["data"].get("patient_previous_name").is_none(),
        "{events}"
    );
    assert_eq!(
        arrived["data"]["appointment"]["patient"]["full_name"],
        "Walk In"
    );
}

#[test]
fn a_walk_in_joins_a_window_with_places_now_itself() {
    let mut env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "17:00",
        "--capacity",
        "3",
    ]);
    env.at(&monday("14:10"));
    let args = [
        "book",
        "--walk-in",
        "--clinic-wide",
        "--service",
        "General Checkup",
        "--phone",
        "+50370000001",
        "--name",
        "Ana",
    ];
    let a = env.ok(&args)["appointment"].clone();
    assert_eq!(a["start_time"], "14:10");
    assert_eq!(a["end_time"], "14:40");
    assert_eq!(a["status"], "checked_in");
}

#[test]
fn a_walk_in_without_an_open_window_or_a_free_slot_is_refused() {
    let mut env = Env::clinic();
    let args = [
        "book",
        "--walk-in",
        "--doctor",
        "Dr. García",
        "--phone",
        "+50370000009",
        "--name",
        "Walk In",
    ];
    // 08:00: the window opens at 09:00.
    env.at(MONDAY_8AM);
    let d = env.refused(&args, "OUTSIDE_AVAILABILITY", 5);
    assert_eq!(d["windows"][0], "09:00-13:00");
    // 12:40: open, but no slot starts from now on before 13:00.
    env.at(&monday("12:40"));
    env.refused(&args, "OUTSIDE_AVAILABILITY", 5);
    // 12:10: the one slot left is taken.
    env.at(MONDAY_8AM);
    env.book("2026-06-15", "12:30", "+50370000001");
    env.at(&monday("12:10"));
    let d = env.refused(&args, "APPOINTMENT_CONFLICT", 4);
    assert!(d["conflicting_appointment_id"].is_string());
    // A walk-in is now: no date or time with it.
    let mut with_date = args.to_vec();
    with_date.extend(["--date", "today"]);
    env.refused(&with_date, "USAGE_ERROR", 2);
}

/// A second doctor with the same hours.
fn add_perez(env: &Env) {
    env.ok(&["doctor", "add", "Dra. Pérez"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dra. Pérez",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
}

fn book_at(env: &Env, doctor: &str, date: &str, time: &str, phone: &str) -> Value {
    env.ok(&[
        "book", "--doctor", doctor, "--date", date, "--time", time, "--phone", phone, "--name",
        phone,
    ])["appointment"]
        .clone()
}

/// The tokens of the first doctor's line of `queue`, in its order.
fn queue_tokens(env: &Env) -> Vec<Value> {
    env.ok(&["queue", "--doctor", "Dr. García"])["doctors"][0]["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["token_number"].clone())
        .collect()
}

#[test]
fn the_queue_is_today_per_doctor_in_time_order_and_next_calls_the_earliest_checked_in() {
    let mut env = Env::clinic();
    add_perez(&env);
    let first = book_at(&env, "Dr. García", "2026-06-15", "11:00", "+50370000001");
    let second = book_at(&env, "Dr. García", "2026-06-15", "09:30", "+50370000002");
    let other = book_at(&env, "Dra. Pérez", "2026-06-15", "10:00", "+50370000003");
    book_at(&env, "Dr. García", TUE, "10:00", "+50370000004");
    let gone = book_at(&env, "Dr. García", "2026-06-15", "12:00", "+50370000005");
    env.ok(&["cancel", s(&gone["id"]), "--reason", "No puede"]);

    let q = env.ok(&["queue"]);
    assert_eq!(q["date"], "2026-06-15");
    let lines = q["doctors"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["doctor"]["full_name"], "Dr. García");
    assert_eq!(
        queue_tokens(&env),
        [2, 1],
        "time order (09:30 before 11:00); cancelled and tomorrow's left out"
    );
    assert_eq!(lines[1]["appointments"][0]["id"], other["id"]);
    let only = env.ok(&["queue", "--doctor", "dra. perez"]);
    assert_eq!(only["doctors"].as_array().unwrap().len(), 1);

    env.at(&monday("09:00"));
    env.refused(&["queue", "next", "--doctor", "Dr. García"], "NOT_FOUND", 3);
    let (_, e) = env.err(&["queue", "next", "--doctor", "Dr. García"]);
    assert_eq!(e["message"], "Checked-in patient not found", "{e}");
    // The 11:00 patient arrives first, but the 09:30 one is called first.
    env.ok(&["status", s(&first["id"]), "checked_in"]);
    env.ok(&["status", s(&second["id"]), "checked_in"]);
    let called = env.ok(&["queue", "next", "--doctor", "Dr. García"]);
    assert_eq!(called["id"], second["id"]);
    assert_eq!(called["status"], "in_progress");
    assert_eq!(called["started_at"], monday("09:00"));
    let called = env.ok(&["queue", "next", "--doctor", "Dr. García"]);
    assert_eq!(called["id"], first["id"]);
    env.refused(&["queue", "next", "--doctor", "Dr. García"], "NOT_FOUND", 3);
    let statuses: Vec<Value> = env.ok(&["queue", "--doctor", "Dr. García"])["doctors"][0]
        ["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(statuses, ["in_progress", "in_progress"]);
}

#[test]
fn a_clinic_that_calls_by_token_calls_the_lowest_token_and_a_walk_in_waits_from_its_arrival() {
    let mut env = Env::clinic();
    let c = env.ok(&["clinic", "show", "Central"]);
    assert_eq!(
        (&c["queue_order"], &c["late_after"]),
        (&json!("time"), &json!(10))
    );
    let late = book_at(&env, "Dr. García", "2026-06-15", "11:00", "+50370000001");
    let early = book_at(&env, "Dr. García", "2026-06-15", "09:30", "+50370000002");
    env.at(&monday("09:10"));
    env.ok(&["status", s(&late["id"]), "checked_in"]);
    // A walk-in at 09:12 is put in the 10:00 slot; by time it waits from 09:12.
    env.at(&monday("09:12"));
    let w = walk_in(&env, "+50370000003");
    assert_eq!(
        (&w["start_time"], &w["token_number"]),
        (&json!("10:00"), &json!(3))
    );
    env.at(&monday("09:20"));
    env.ok(&["status", s(&early["id"]), "checked_in"]);
    // By time: 09:12 (the walk-in's arrival), 09:30, 11:00.
    assert_eq!(queue_tokens(&env), [3, 2, 1]);
    let board_order: Vec<Value> = env.ok(&["queue"])["doctors"][0]["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(
        board_order,
        [w["id"].clone(), early["id"].clone(), late["id"].clone()]
    );

    let c = env.ok(&["clinic", "update", "Central", "--queue-order", "token"]);
    assert_eq!(c["queue_order"], "token");
    assert_eq!(queue_tokens(&env), [1, 2, 3]);
    let called = env.ok(&["queue", "next", "--doctor", "Dr. García"]);
    assert_eq!(called["id"], late["id"], "the lowest token");
    env.ok(&["clinic", "update", "Central", "--queue-order", "time"]);
    let called = env.ok(&["queue", "next", "--doctor", "Dr. García"]);
    assert_eq!(called["id"], w["id"], "the walk-in came at 09:12");
    let d = env.refused(
        &["clinic", "update", "Central", "--queue-order", "arrival"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d["queue_order"].as_str().unwrap().contains("time or token"),
        "{d}"
    );
}

#[test]
fn a_visit_nobody_came_to_past_the_clinics_lateness_is_late_in_queue_and_agenda() {
    let mut env = Env::clinic();
    let nine = book_at(&env, "Dr. García", "2026-06-15", "09:00", "+50370000001");
    let ten = book_at(&env, "Dr. García", "2026-06-15", "10:00", "+50370000002");
    let came = book_at(&env, "Dr. García", "2026-06-15", "09:30", "+50370000003");
    env.at(&monday("09:25"));
    env.ok(&["status", s(&came["id"]), "checked_in"]);
    let late_of = |env: &Env| -> Vec<(Value, Value)> {
        env.ok(&["queue"])["doctors"][0]["appointments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["token_number"].clone(), a["late"].clone()))
            .collect()
    };
    // 09:10 is ten minutes past 09:00: not late yet.
    env.at(&monday("09:10"));
    assert_eq!(late_of(&env)[0], (json!(1), json!(false)));
    env.at(&monday("09:41"));
    assert_eq!(
        late_of(&env),
        [
            (json!(1), json!(true)),
            (json!(3), json!(false)),
            (json!(2), json!(false))
        ],
        "the 09:30 patient arrived; 10:00 has not begun"
    );
    let agenda = env.ok(&["agenda"]);
    let rows: Vec<(Value, Value)> = agenda["doctors"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "appointment")
        .map(|r| (r["appointment"]["id"].clone(), r["late"].clone()))
        .collect();
    assert_eq!(rows[0], (nine["id"].clone(), json!(true)));
    assert!(rows.contains(&(ten["id"].clone(), json!(false))));
    for (lang, word) in [("en", "scheduled, late"), ("es", "programada, atrasada")] {
        for cmd in ["queue", "agenda"] {
            let out = env
                .cmd()
                .env("APPT_LANG", lang)
                .env("COLUMNS", "80")
                .arg(cmd)
                .output()
                .unwrap();
            assert!(out.status.success());
            let text = String::from_utf8_lossy(&out.stdout);
            let marked: Vec<String> = text
                .lines()
                .map(str::to_lowercase)
                .filter(|l| l.contains(word))
                .collect();
            assert_eq!(marked.len(), 1, "{cmd} in {lang}: {text}");
            assert!(marked[0].contains("09:00"), "{text}");
        }
    }
    // A clinic that waits an hour: not late yet.
    env.ok(&["clinic", "update", "Central", "--late-after", "60"]);
    assert_eq!(late_of(&env)[0], (json!(1), json!(false)));
    env.refused(
        &["clinic", "update", "Central", "--late-after", "soon"],
        "VALIDATION_ERROR",
        2,
    );
}

fn wait(env: &Env, phone: &str, name: &str) -> Value {
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--phone",
        phone,
        "--name",
        name,
    ])
}

fn waiting(env: &Env) -> Vec<Value> {
    env.ok(&["waitlist", "list"])["waitlist"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn waitlist_add_list_and_remove() {
    let mut env = Env::clinic();
    let e = wait(&env, "+50370000001", "Beto");
    assert_eq!(e["date"], TUE);
    assert_eq!(e["doctor"]["full_name"], "Dr. García");
    assert_eq!(e["patient"]["phone"], "+50370000001");
    assert_eq!(e["offers"], 0);
    // Asked again: the same place in the line.
    assert_eq!(wait(&env, "+50370000001", "Beto")["id"], e["id"]);
    assert_eq!(waiting(&env).len(), 1);
    env.refused(
        &[
            "waitlist",
            "add",
            "--doctor",
            "Dr. García",
            "--date",
            "yesterday",
            "--phone",
            "+50370000002",
            "--name",
            "Tarde",
        ],
        "VALIDATION_ERROR",
        2,
    );
    env.refused(
        &[
            "waitlist",
            "add",
            "--doctor",
            "Dr. Nadie",
            "--date",
            TUE,
            "--phone",
            "+50370000002",
            "--name",
            "X",
        ],
        "NOT_FOUND",
        3,
    );
    // Once its date has passed, an entry is no longer listed.
    env.at("2026-06-17T15:00:00Z");
    assert!(waiting(&env).is_empty());
    env.at(MONDAY_8AM);
    let removed = env.ok(&["waitlist", "remove", &s(&e["id"])[..8]]);
    assert_eq!(removed["id"], e["id"]);
    assert!(waiting(&env).is_empty());
    env.refused(&["waitlist", "remove", s(&e["id"])], "NOT_FOUND", 3);
}

#[test]
fn a_freed_time_is_offered_once_to_the_next_waiting_patient() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "09:00", "+50370000001");
    let moved = env.book(TUE, "09:30", "+50370000002");
    let beto = wait(&env, "+50370000011", "Beto");
    let carla = wait(&env, "+50370000012", "Carla");

    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    let events = env.ok(&["history", s(&a["id"])])["events"].clone();
    let offered = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "appointment.slot_offered")
        .expect("a slot_offered event");
    assert_eq!(offered["data"]["waitlist"]["id"], beto["id"]);
    assert_eq!(offered["data"]["date"], TUE);
    assert_eq!(offered["data"]["time"], "09:00");
    assert_eq!(offered["data"]["starts_at"], "2026-06-16T15:00:00Z");

    let lines = env.sweep_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let offer = &lines[0];
    assert_eq!(offer["kind"], "waitlist_offer");
    assert_eq!(offer["offset"], Value::Null);
    assert_eq!(
        offer["appointment"],
        Value::Null,
        "not the other patient's visit"
    );
    assert_eq!(offer["offer"]["waitlist"]["patient"]["full_name"], "Beto");
    assert_eq!(offer["offer"]["time"], "09:00");
    assert!(env.sweep_lines().is_empty(), "an offer goes out once");

    // Moved away: the freed 09:30 goes to the entry offered the fewest times.
    env.ok(&["reschedule", s(&moved["id"]), "--time", "11:00"]);
    let dir = env.dir.path().to_path_buf();
    let hook = format!("env | grep '^APPT_' >> {}/offer.env", dir.display());
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", &hook])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let vars = std::fs::read_to_string(dir.join("offer.env")).unwrap();
    for want in [
        "APPT_KIND=waitlist_offer",
        "APPT_PATIENT_NAME=Carla",
        "APPT_PATIENT_PHONE=+50370000012",
        "APPT_LOCAL_DATE=2026-06-16",
        "APPT_LOCAL_TIME=09:30",
        "APPT_DOCTOR_NAME=Dr. García",
    ] {
        assert!(vars.lines().any(|l| l == want), "{want} not in\n{vars}");
    }
    assert!(vars.contains(&format!("APPT_WAITLIST_ID={}", s(&carla["id"]))));
    // Ordinary reminders say so.
    env.at("2026-06-15T17:00:00Z");
    let lines = env.sweep_lines();
    assert!(!lines.is_empty());
    assert!(lines
        .iter()
        .all(|l| l["kind"] == "reminder" && l["offset"] == "24h"));
    // Booking the offered time is a normal booking, which ends the wait.
    env.at(MONDAY_8AM);
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--time",
        "09:00",
        "--patient",
        "+50370000011",
    ]);
    let left: Vec<Value> = waiting(&env).iter().map(|e| e["id"].clone()).collect();
    assert_eq!(left, [carla["id"].clone()]);
    // Scripts following the log see each offer.
    let offers = env.lines(&["events", "--type", "appointment.slot_offered"]);
    assert_eq!(offers.len(), 2);
    assert_eq!(offers[1]["data"]["waitlist"]["id"], carla["id"]);
}

#[test]
fn booking_ends_the_wait_and_withdraws_an_offer_not_yet_sent() {
    let env = Env::clinic();
    let a = env.book(TUE, "09:00", "+50370000001");
    wait(&env, "+50370000011", "Beto");
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--time",
        "09:00",
        "--patient",
        "+50370000011",
    ]);
    assert!(waiting(&env).is_empty());
    assert!(env.sweep_lines().is_empty(), "the offer was withdrawn");
    let offers = env.ok(&["remind", "list", "--kind", "waitlist_offer"])["reminders"].clone();
    assert_eq!(offers[0]["status"], "cancelled");
    // A time that frees up with nobody waiting offers nothing.
    let b = env.book(TUE, "10:00", "+50370000002");
    env.ok(&["cancel", s(&b["id"]), "--reason", "Viaje"]);
    assert!(env.sweep_lines().is_empty());
}

/// `appt ARGS` human output (no --json), which must succeed.
fn human(env: &Env, args: &[&str]) -> String {
    let out = env.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `appt ARGS` human output at `columns` wide.
fn human_at(env: &Env, args: &[&str], columns: &str) -> String {
    let out = env
        .cmd()
        .args(args)
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_table_that_shows_a_waitlist_offer_shows_the_offered_time() {
    // docs/commands.md#appt-remind: a receptionist calling from the table
    // offers the freed 09:30, never the time the other patient moved to.
    let env = Env::clinic();
    let moved = env.book(TUE, "09:30", "+50370000002");
    wait(&env, "+50370000011", "Beto");
    env.ok(&["reschedule", s(&moved["id"]), "--time", "11:00"]);
    for args in [&["remind", "list"][..], &["remind", "due", "--dry-run"][..]] {
        for columns in ["200", "80"] {
            let out = human_at(&env, args, columns);
            let row = out
                .lines()
                .find(|l| l.contains("Beto"))
                .unwrap_or_else(|| panic!("{args:?} at {columns}: no offer row in\n{out}"));
            // The date whole (`Tue 16 Jun 2026`) or short (`2026-06-16`).
            assert!(
                row.contains("09:30") && (row.contains(TUE) || row.contains("16 Jun")),
                "{args:?} at {columns}: not the offered date and time in {row:?}\n{out}"
            );
            assert!(!row.contains("11:00"), "{args:?} at {columns}: {row:?}");
        }
    }
}

#[test]
fn a_day_without_free_slots_says_why_and_when_the_next_free_day_is() {
    let env = Env::clinic();
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-17",
        "--reason",
        "Congreso médico",
    ]);
    let closed = human(
        &env,
        &["slots", "--doctor", "Dr. García", "--date", "2026-06-17"],
    );
    assert!(
        closed.contains("closed: Congreso médico; next free day Thu 18 Jun 2026 at 09:00"),
        "{closed}"
    );
    let all = human(
        &env,
        &[
            "slots",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-17",
            "--all",
        ],
    );
    assert!(all.contains("closed: Congreso médico"), "{all}");
    assert!(!all.contains("OUTSIDE_AVAILABILITY"), "{all}");

    let saturday = human(
        &env,
        &["slots", "--doctor", "Dr. García", "--date", "2026-06-20"],
    );
    assert!(
        saturday.contains(
            "not working on Saturdays (works mon-fri); next free day Mon 22 Jun 2026 at 09:00"
        ),
        "{saturday}"
    );

    // Every slot of Tuesday taken (and Wednesday closed).
    for (i, t) in [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
    ]
    .iter()
    .enumerate()
    {
        env.book(TUE, t, &format!("+5037300{i:04}"));
    }
    let full = human(&env, &["slots", "--doctor", "Dr. García", "--date", TUE]);
    assert!(
        full.contains("no free slots; next free day Thu 18 Jun 2026 at 09:00"),
        "{full}"
    );
    let all = human(
        &env,
        &["slots", "--doctor", "Dr. García", "--date", TUE, "--all"],
    );
    assert!(all.contains("taken"), "{all}");
}

#[test]
fn a_window_that_takes_only_some_services_names_them() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Vacuna", "--minutes", "15"]);
    let vacunas = |services: &str, date: &str| {
        env.ok(&[
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--date",
            date,
            "--from",
            "09:00",
            "--to",
            "10:00",
            "--services",
            services,
        ]);
    };
    let book = |date: &str, service: Option<&str>| {
        let mut args = vec![
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            date,
            "--time",
            "09:00",
            "--phone",
            "+50370000001",
            "--name",
            "Ana",
        ];
        if let Some(s) = service {
            args.extend(["--service", s]);
        }
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    // One service: implied, its slots shown by their service's length and
    // booked without naming it (docs/rules.md#who-does-what).
    vacunas("Vacuna", "2026-06-20");
    let text = human(
        &env,
        &["slots", "--doctor", "Dr. García", "--date", "2026-06-20"],
    );
    assert!(
        text.contains("09:00–09:15") && text.contains("Vacuna"),
        "{text}"
    );
    let a = &env.ok(&args(&book("2026-06-20", None)))["appointment"];
    assert_eq!(a["service"]["name"], "Vacuna", "{a}");
    // Two: each slot names the services that fit, and a booking names one.
    vacunas("Vacuna,General Checkup", "2026-06-27");
    let text = human(
        &env,
        &["slots", "--doctor", "Dr. García", "--date", "2026-06-27"],
    );
    let both =
        |t: &str| t.contains("Vacuna, General Checkup") || t.contains("General Checkup, Vacuna");
    assert!(both(&text), "{text}");
    let d = env.refused(&args(&book("2026-06-27", None)), "INVALID_TIME_SLOT", 5);
    assert_eq!(d["service_names"].as_array().map(Vec::len), Some(2), "{d}");
    let (_, e) = env.err(&args(&book("2026-06-27", None)));
    let message = s(&e["message"]);
    assert!(
        message.starts_with("The 09:00-10:00 window takes only ") && both(message),
        "{e}"
    );
    let a = &env.ok(&args(&book("2026-06-27", Some("general checkup"))))["appointment"];
    assert_eq!(a["service"]["name"], "General Checkup", "{a}");
}
