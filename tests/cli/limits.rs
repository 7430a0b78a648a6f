//! Tests: daily limits (docs/rules.md#daily-limits) — a doctor's and a
//! service's cap on a local day's active appointments, in every place a
//! booking is made or a slot is offered.

use crate::common::{s, Env};
use crate::concurrency::race;
use crate::serve::{token, Server};
use serde_json::{json, Value};

const TUE: &str = "2026-06-16";
const WED: &str = "2026-06-17";

fn book_args<'a>(date: &'a str, time: &'a str, phone: &'a str) -> Vec<&'a str> {
    vec![
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        date,
        "--time",
        time,
        "--phone",
        phone,
        "--name",
        "Paciente",
    ]
}

fn with<'a>(mut args: Vec<&'a str>, more: &[&'a str]) -> Vec<&'a str> {
    args.extend_from_slice(more);
    args
}

/// The clinic of `Env::clinic`, Dr. García taking at most `n` a day.
fn capped(n: &str) -> Env {
    let env = Env::clinic();
    env.ok(&["doctor", "update", "Dr. García", "--max-per-day", n]);
    env
}

fn starts(v: &Value) -> Vec<String> {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["start_time"]).to_string())
        .collect()
}

#[test]
fn a_doctors_full_day_refuses_the_next_booking_with_daily_limit_and_writes_nothing() {
    let env = capped("2");
    env.book(TUE, "09:00", "+50370000001");
    env.book(TUE, "11:00", "+50370000002");
    let d = env.refused(&book_args(TUE, "10:00", "+50370000003"), "DAILY_LIMIT", 4);
    // Exactly the documented details: nothing to suggest on a full day.
    assert_eq!(d, json!({"limit": 2, "scope": "doctor"}));
    // Another day has its own two.
    env.book(WED, "10:00", "+50370000003");
    // The human answer says why, and where to look instead.
    let out = env
        .cmd()
        .args(book_args(TUE, "10:00", "+50370000004"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "The doctor takes at most 2 appointments a day, and Tuesday 16 June 2026 has them"
        ),
        "{said}"
    );
    assert!(said.contains("hint: the day is full"), "{said}");
}

#[test]
fn only_active_appointments_count_so_a_cancellation_frees_a_place() {
    let env = capped("1");
    let a = env.book(TUE, "09:00", "+50370000001");
    env.refused(&book_args(TUE, "10:00", "+50370000002"), "DAILY_LIMIT", 4);
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    env.book(TUE, "10:00", "+50370000002");
}

#[test]
fn max_per_day_takes_1_to_1000_or_none_and_refuses_anything_else() {
    let env = Env::clinic();
    for bad in ["0", "-1", "1001", "two", "", "2.5"] {
        let flag = format!("--max-per-day={bad}");
        let d = env.refused(
            &["doctor", "update", "Dr. García", &flag],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["max_per_day"].is_string(), "{bad}: {d}");
        let d = env.refused(
            &["service", "update", "General Checkup", &flag],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["max_per_day"].is_string(), "{bad}: {d}");
    }
    // Shown as null until set, then in show, list and the update's answer.
    assert_eq!(
        env.ok(&["doctor", "show", "Dr. García"])["max_per_day"],
        Value::Null
    );
    let d = env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "1000"]);
    assert_eq!(d["max_per_day"], 1000);
    assert_eq!(
        env.ok(&["doctor", "show", "Dr. García"])["max_per_day"],
        1000
    );
    assert_eq!(
        env.ok(&["doctor", "list"])["doctors"][0]["max_per_day"],
        1000
    );
    let sv = env.ok(&["service", "update", "General Checkup", "--max-per-day", "4"]);
    assert_eq!(sv["max_per_day"], 4);
    assert_eq!(
        env.ok(&["service", "list"])["services"][0]["max_per_day"],
        4
    );
    // Other fields leave the limit as it is.
    let d = env.ok(&["doctor", "update", "Dr. García", "--specialty", "Cirugía"]);
    assert_eq!(d["max_per_day"], 1000);
    let sv = env.ok(&["service", "update", "General Checkup", "--minutes", "45"]);
    assert_eq!(sv["max_per_day"], 4);
    // `none` (any case) takes it away.
    let d = env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "None"]);
    assert_eq!(d["max_per_day"], Value::Null);
    let sv = env.ok(&[
        "service",
        "update",
        "General Checkup",
        "--max-per-day",
        "none",
    ]);
    assert_eq!(sv["max_per_day"], Value::Null);
    // The tables show it too.
    env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "12"]);
    let out = env.cmd().args(["doctor", "list"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("Per day") && table.contains("12"), "{table}");
    let out = env.cmd().args(["service", "list"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("Per day") && table.contains('—'), "{table}");
}

#[test]
fn service_add_takes_max_per_day_as_service_update_does() {
    let env = Env::clinic();
    for bad in ["0", "1001", "two", ""] {
        let flag = format!("--max-per-day={bad}");
        let d = env.refused(
            &["service", "add", "Ecografía", "--minutes", "20", &flag],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["max_per_day"].is_string(), "{bad}: {d}");
    }
    let sv = env.ok(&[
        "service",
        "add",
        "Sin tope",
        "--minutes",
        "20",
        "--max-per-day",
        "None",
    ]);
    assert_eq!(sv["max_per_day"], Value::Null);
    let sv = env.ok(&[
        "service",
        "add",
        "Ecografía",
        "--minutes",
        "20",
        "--max-per-day",
        "1",
    ]);
    assert_eq!(sv["max_per_day"], 1);
    let listed = env.ok(&["service", "list"])["services"].clone();
    let echo = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Ecografía")
        .unwrap();
    assert_eq!(echo["max_per_day"], 1);
    // The limit holds from the first booking.
    env.ok(&with(
        book_args(TUE, "09:00", "+50370000001"),
        &["--service", "Ecografía"],
    ));
    env.refused(
        &with(
            book_args(TUE, "10:00", "+50370000002"),
            &["--service", "Ecografía"],
        ),
        "DAILY_LIMIT",
        4,
    );
}

#[test]
fn a_lifted_limit_books_again() {
    let env = capped("1");
    env.book(TUE, "09:00", "+50370000001");
    env.refused(&book_args(TUE, "10:00", "+50370000002"), "DAILY_LIMIT", 4);
    env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "none"]);
    env.book(TUE, "10:00", "+50370000002");
}

#[test]
fn a_services_limit_counts_that_service_per_doctor_per_day() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Cirugía", "--minutes", "30"]);
    env.ok(&["service", "update", "Cirugía", "--max-per-day", "1"]);
    env.ok(&["doctor", "add", "Dra. Ruiz"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dra. Ruiz",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let surgery = |doctor: &'static str, time: &'static str, phone: &'static str| {
        vec![
            "book",
            "--doctor",
            doctor,
            "--date",
            TUE,
            "--time",
            time,
            "--phone",
            phone,
            "--name",
            "Paciente",
            "--service",
            "Cirugía",
        ]
    };
    env.ok(&surgery("Dr. García", "09:00", "+50370000001"));
    let d = env.refused(
        &surgery("Dr. García", "10:00", "+50370000002"),
        "DAILY_LIMIT",
        4,
    );
    assert_eq!(d, json!({"limit": 1, "scope": "service"}));
    // The same service with another doctor, and another service (or none)
    // with the same doctor, are not limited by it.
    env.ok(&surgery("Dra. Ruiz", "10:00", "+50370000002"));
    env.ok(&with(
        book_args(TUE, "10:00", "+50370000003"),
        &["--service", "General Checkup"],
    ));
    env.book(TUE, "10:30", "+50370000004");
    // A slot asked for the service says so; asked without, it is free.
    let all = env.ok(&[
        "slots",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--service",
        "Cirugía",
        "--all",
    ]);
    let reasons: Vec<&str> = all["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["available"] == false)
        .map(|x| s(&x["reason"]))
        .collect();
    assert!(reasons.iter().all(|r| *r == "DAILY_LIMIT"), "{reasons:?}");
    assert!(env.ok(&[
        "slots",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--service",
        "Cirugía"
    ])["slots"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!starts(&env.ok(&["slots", "--doctor", "Dr. García", "--date", TUE])).is_empty());
    // `next` across the doctors: both have had their surgery on Tuesday.
    let n = env.ok(&[
        "next",
        "--service",
        "Cirugía",
        "--after",
        TUE,
        "--limit",
        "1",
    ]);
    assert_eq!(n["slots"][0]["date"], WED, "{n}");
    let n = env.ok(&["next", "--after", TUE, "--limit", "1"]);
    assert_eq!(n["slots"][0]["date"], TUE, "{n}");
}

#[test]
fn both_limits_at_once_the_doctors_answers_first() {
    let env = capped("1");
    env.ok(&["service", "update", "General Checkup", "--max-per-day", "1"]);
    env.ok(&with(
        book_args(TUE, "09:00", "+50370000001"),
        &["--service", "General Checkup"],
    ));
    let d = env.refused(
        &with(
            book_args(TUE, "10:00", "+50370000002"),
            &["--service", "General Checkup"],
        ),
        "DAILY_LIMIT",
        4,
    );
    assert_eq!(d["scope"], "doctor");
}

#[test]
fn a_clinic_wide_services_limit_counts_the_clinics_day() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Vacunación", "--minutes", "30"]);
    env.ok(&["service", "add", "Laboratorio", "--minutes", "30"]);
    env.ok(&["service", "update", "Vacunación", "--max-per-day", "2"]);
    env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "16:00",
        "--capacity",
        "5",
    ]);
    let cw = |time: &'static str, phone: &'static str, service: &'static str| {
        vec![
            "book",
            "--clinic-wide",
            "--date",
            TUE,
            "--time",
            time,
            "--phone",
            phone,
            "--name",
            "Paciente",
            "--service",
            service,
        ]
    };
    env.ok(&cw("14:00", "+50370000001", "Vacunación"));
    env.ok(&cw("15:00", "+50370000002", "Vacunación"));
    let d = env.refused(&cw("14:00", "+50370000003", "Vacunación"), "DAILY_LIMIT", 4);
    assert_eq!(d, json!({"limit": 2, "scope": "service"}));
    env.ok(&cw("14:00", "+50370000003", "Laboratorio"));
    // The doctor's own bookings of the service are not the clinic's.
    env.ok(&with(
        book_args(TUE, "09:00", "+50370000004"),
        &["--service", "Vacunación"],
    ));
    let v = env.ok(&[
        "slots",
        "--clinic-wide",
        "--date",
        TUE,
        "--service",
        "Vacunación",
    ]);
    assert!(starts(&v).is_empty(), "{v}");
    assert_eq!(
        env.ok(&[
            "slots",
            "--clinic-wide",
            "--date",
            WED,
            "--service",
            "Vacunación"
        ])["slots"][0]["start_time"],
        "14:00"
    );
}

#[test]
fn a_move_within_a_full_day_does_not_count_itself_but_a_move_onto_it_is_refused() {
    let env = capped("2");
    let a = env.book(TUE, "09:00", "+50370000001");
    env.book(TUE, "09:30", "+50370000002");
    let w = env.book(WED, "09:00", "+50370000003");
    let moved = env.ok(&["reschedule", s(&a["id"]), "--time", "11:00"]);
    assert_eq!(moved["start_time"], "11:00");
    let d = env.refused(
        &["reschedule", s(&w["id"]), "--date", TUE, "--time", "12:00"],
        "DAILY_LIMIT",
        4,
    );
    assert_eq!(d, json!({"limit": 2, "scope": "doctor"}));
    // Slots for the move count the day without the appointment being moved.
    let all = env.ok(&["slots", "--doctor", "Dr. García", "--date", TUE, "--all"]);
    let twelve = all["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["start_time"] == "12:00")
        .unwrap()
        .clone();
    assert_eq!(twelve["reason"], "DAILY_LIMIT");
}

#[test]
fn a_full_day_offers_no_slot_says_why_and_next_skips_it() {
    let env = capped("2");
    env.book(TUE, "09:00", "+50370000001");
    env.book(TUE, "12:30", "+50370000002");
    let v = env.ok(&["slots", "--doctor", "Dr. García", "--date", TUE]);
    assert!(starts(&v).is_empty(), "{v}");
    let all = env.ok(&["slots", "--doctor", "Dr. García", "--date", TUE, "--all"]);
    let reasons: Vec<(&str, &str)> = all["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (s(&x["start_time"]), x["reason"].as_str().unwrap_or("-")))
        .collect();
    assert_eq!(reasons.len(), 8);
    // Every slot of the day, the booked ones included: the day's limit
    // comes before the time's places (docs/rules.md#booking rule 8).
    assert!(
        reasons.iter().all(|(_, r)| *r == "DAILY_LIMIT"),
        "{reasons:?}"
    );
    // A person is told why, and the next day with room.
    let out = env
        .cmd()
        .args(["slots", "--doctor", "Dr. García", "--date", TUE])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("the doctor's limit of 2 appointments a day is reached")
            && said.contains("next free day Wed 17 Jun 2026 at 09:00"),
        "{said}"
    );
    let out = env
        .cmd()
        .args(["slots", "--doctor", "Dr. García", "--date", TUE, "--all"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("day's limit reached"));
    // `next` from Tuesday skips to Wednesday.
    let n = env.ok(&[
        "next",
        "--doctor",
        "Dr. García",
        "--after",
        TUE,
        "--limit",
        "1",
    ]);
    assert_eq!(n["slots"][0]["date"], WED, "{n}");
    // The agenda has no free rows on the full day.
    let ag = env.ok(&["agenda", "--date", TUE]);
    assert_eq!(ag["doctors"][0]["free_slots"], json!([]), "{ag}");
    assert!(!ag["doctors"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kind"] == "free"));
    let ag = env.ok(&["agenda", "--date", WED]);
    assert_eq!(ag["doctors"][0]["free_slots"][0], "09:00");
}

#[test]
fn a_walk_in_counts_and_is_refused_on_a_full_day() {
    let mut env = capped("2");
    // Monday 09:10 local.
    env.at("2026-06-15T15:10:00Z");
    env.book("2026-06-15", "11:00", "+50370000001");
    let walk = |phone: &'static str| {
        vec![
            "book",
            "--walk-in",
            "--doctor",
            "Dr. García",
            "--phone",
            phone,
            "--name",
            "Walk In",
        ]
    };
    let w = env.ok(&walk("+50370000002"))["appointment"].clone();
    assert_eq!(w["status"], "checked_in");
    // A checked-in walk-in is active: it took the day's second place.
    let d = env.refused(&walk("+50370000003"), "DAILY_LIMIT", 4);
    assert_eq!(d, json!({"limit": 2, "scope": "doctor"}));
    env.refused(
        &book_args("2026-06-15", "12:00", "+50370000003"),
        "DAILY_LIMIT",
        4,
    );
}

#[test]
fn import_lines_over_the_limit_are_refused_by_line() {
    let env = capped("2");
    let line = |time: &str, phone: &str| {
        json!({"doctor": "Dr. García", "date": TUE, "time": time, "phone": phone, "name": "Paciente"})
            .to_string()
    };
    let path = env.dir.path().join("in.jsonl");
    std::fs::write(
        &path,
        [
            line("09:00", "+50370000001"),
            line("09:30", "+50370000002"),
            line("10:00", "+50370000003"),
            line("10:30", "+50370000004"),
        ]
        .join("\n")
            + "\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["import", &path.display().to_string(), "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["booked"], 2, "{v}");
    let errors: Vec<(i64, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), s(&e["code"])))
        .collect();
    assert_eq!(errors, [(3, "DAILY_LIMIT"), (4, "DAILY_LIMIT")]);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn the_api_answers_409_daily_limit() {
    let env = capped("1");
    let t = token(&env, "bot", "appointments:read,appointments:write", &[]);
    let srv = Server::start(&env, &[]);
    let body = |time: &str, phone: &str| json!({"doctor": "Dr. García", "date": TUE, "time": time, "phone": phone, "name": "Ana"});
    let r = srv.post("/v1/appointments", &t, body("09:00", "+50370000001"));
    assert_eq!(r.status, 201, "{}", r.body);
    let before = env.snapshot();
    let r = srv.post("/v1/appointments", &t, body("10:00", "+50370000002"));
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "DAILY_LIMIT");
    assert_eq!(
        r.json()["error"]["details"],
        json!({"limit": 1, "scope": "doctor"})
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn the_refusal_and_the_reason_read_in_spanish() {
    let env = capped("1");
    env.book(TUE, "09:00", "+50370000001");
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(book_args(TUE, "10:00", "+50370000002"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("El médico atiende como máximo 1 cita al día, y el martes 16 de junio de 2026 ya la tiene"),
        "{said}"
    );
    // One is one, in English too.
    let out = env
        .cmd()
        .args(book_args(TUE, "10:00", "+50370000002"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "The doctor takes at most 1 appointment a day, and Tuesday 16 June 2026 has it"
        ),
        "{said}"
    );
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["slots", "--doctor", "Dr. García", "--date", TUE])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("el médico ya tiene su máximo de 1 cita al día"),
        "{said}"
    );
}

#[test]
fn many_processes_booking_the_last_places_of_a_capped_day_book_exactly_the_cap() {
    let env = capped("5");
    env.book(TUE, "09:00", "+50370000001");
    env.book(TUE, "09:30", "+50370000002");
    // Eight processes for six free times; three places are left.
    let times = [
        "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "10:00", "11:00",
    ];
    let runs: Vec<Vec<String>> = times
        .iter()
        .enumerate()
        .map(|(n, t)| {
            book_args(TUE, t, &format!("+5037100{n:04}"))
                .iter()
                .map(|a| a.to_string())
                .collect()
        })
        .collect();
    let outs = race(&env, runs);
    let won = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 3, "exactly the places left are booked");
    for o in outs.iter().filter(|o| !o.status.success()) {
        let e: Value = serde_json::from_slice(&o.stderr).unwrap();
        let code = s(&e["error"]["code"]);
        assert!(
            code == "DAILY_LIMIT" || code == "APPOINTMENT_CONFLICT",
            "{e}"
        );
    }
    let active = env.rows(&format!(
        "SELECT count(*) FROM appointments WHERE local_date = {} AND status = {}",
        crate::common::day_number(TUE),
        crate::common::status_code("scheduled")
    ));
    assert_eq!(active[0][0], "5");
}

#[test]
fn check_finds_a_stored_limit_out_of_range() {
    let env = capped("3");
    env.exec("UPDATE doctors SET max_per_day = 0");
    env.exec("UPDATE services SET max_per_day = 5000");
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("max_per_day"), "{text}");
    assert!(
        text.contains("doctors") && text.contains("services"),
        "{text}"
    );
}
