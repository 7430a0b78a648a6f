//! Tests: audited overbooking (docs/rules.md#overbooking) — what it passes
//! over and what it never does, the clinic's allowance per doctor and day
//! (with many processes at once), what it records, the agenda's mark, the
//! API's scope; and `count --by` (docs/commands.md#appt-count).

use crate::common::{s, Env};
use crate::serve::{token, Server};
use serde_json::{json, Value};

/// `book` Dr. García on Tuesday at `time` for a new patient, with `extra`.
fn book_args<'a>(time: &'a str, phone: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        time,
        "-P",
        phone,
        "--name",
        "Ana",
    ];
    args.extend_from_slice(extra);
    args
}

fn overbook(env: &Env, time: &str, phone: &str, why: &str) -> Value {
    env.ok(&book_args(time, phone, &["--overbook", why]))["appointment"].clone()
}

#[test]
fn an_overbooking_passes_over_a_taken_time_and_records_why_who_and_which_rule() {
    let env = Env::clinic();
    let first = env.book("2026-06-16", "10:00", "+50370000001");
    // Without --overbook every rule refuses as it did.
    let d = env.refused(
        &book_args("10:00", "+50370000002", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], first["id"]);
    let a = overbook(&env, "10:00", "+50370000002", "Dolor torácico");
    let o = &a["overbooked"];
    assert_eq!(o["reason"], "Dolor torácico");
    assert_eq!(o["rule"], "APPOINTMENT_CONFLICT");
    assert!(s(&o["by"]).starts_with("cli:"), "{o}");
    assert_eq!(a["start_time"], "10:00");
    assert_eq!(a["status"], "scheduled");
    assert_eq!(a["token_number"], 2);
    // As shown, as stored, and in its event.
    assert_eq!(env.ok(&["show", s(&a["id"])])["overbooked"], *o);
    let h = env.ok(&["history", s(&a["id"])]);
    assert_eq!(h["events"][0]["type"], "appointment.booked");
    assert_eq!(h["events"][0]["data"]["appointment"]["overbooked"], *o);
    // The one overbooked visit is no over-capacity finding.
    let c = env.ok(&["check"]);
    assert_eq!(c["ok"], true, "{c}");
    // A later booking at that time is refused as before, and slots never
    // offer it, not even once the first visit is cancelled.
    env.refused(
        &book_args("10:00", "+50370000003", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    env.ok(&["cancel", s(&first["id"]), "-r", "Viaje"]);
    let slots = env.ok(&["slots", "-d", "Dr. García", "-D", "2026-06-16"]);
    let starts: Vec<&str> = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["start_time"]))
        .collect();
    assert!(!starts.contains(&"10:00"), "{starts:?}");
    assert!(starts.contains(&"10:30"), "{starts:?}");
}

#[test]
fn outside_the_hours_off_the_grid_or_on_a_closed_day_it_says_which_rule() {
    let env = Env::clinic();
    let late = overbook(&env, "15:00", "+50370000001", "Urgencia");
    assert_eq!(late["overbooked"]["rule"], "OUTSIDE_AVAILABILITY");
    // Outside every window: the clinic's grid, no session.
    assert_eq!(late["end_time"], "15:30");
    assert_eq!(late["session"], Value::Null);
    let off = overbook(&env, "09:10", "+50370000002", "Urgencia");
    assert_eq!(off["overbooked"]["rule"], "INVALID_TIME_SLOT");
    assert_eq!(off["session"], "Morning");
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-17",
        "--to",
        "2026-06-17",
        "--reason",
        "Congreso",
    ]);
    let closed = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-17",
        "-t",
        "09:00",
        "-P",
        "+50370000003",
        "--name",
        "Ana",
        "--overbook",
        "Herida",
    ])["appointment"]
        .clone();
    assert_eq!(closed["overbooked"]["rule"], "OUTSIDE_AVAILABILITY");
    // A time the rules allow is booked as any other: nothing passed over.
    let free = overbook(&env, "11:00", "+50370000004", "Por si acaso");
    assert_eq!(free["overbooked"], Value::Null);
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn it_never_passes_over_a_past_time_a_duplicate_or_a_missing_reason() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let past = [
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-15",
        "-t",
        "07:00",
        "-P",
        "+50370000009",
        "--name",
        "Ana",
        "--overbook",
        "Urgencia",
    ];
    env.refused(&past, "PAST_APPOINTMENT", 5);
    // The same patient, the same day (the duplicate rule is on).
    let d = env.refused(
        &book_args("11:00", "+50370000001", &["--overbook", "Otra vez"]),
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], a["id"]);
    // No reason: neither --overbook's nor --reason.
    let d = env.refused(
        &book_args("10:00", "+50370000002", &["--overbook"]),
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["overbook"].is_string(), "{d}");
    // --reason gives it when --overbook gives none.
    let b = env.ok(&book_args(
        "10:00",
        "+50370000002",
        &["--overbook", "--reason", "Fiebre alta"],
    ))["appointment"]
        .clone();
    assert_eq!(b["overbooked"]["reason"], "Fiebre alta");
    assert_eq!(b["reason"], "Fiebre alta");
    // One visit with a doctor: not a walk-in nor a series.
    env.refused(
        &book_args(
            "10:00",
            "+50370000003",
            &["--overbook", "x", "--repeat", "weekly", "--count", "2"],
        ),
        "USAGE_ERROR",
        2,
    );
}

#[test]
fn a_doctor_has_the_clinics_allowance_of_overbookings_a_day() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let a = overbook(&env, "10:00", "+50370000002", "Uno");
    overbook(&env, "10:00", "+50370000003", "Dos");
    let d = env.refused(
        &book_args("10:00", "+50370000004", &["--overbook", "Tres"]),
        "SLOT_FULL",
        4,
    );
    assert_eq!(d["max_overbook_per_day"], 2);
    // Another day has its own; a cancelled overbooking frees its place.
    let other = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-17",
        "-t",
        "15:00",
        "-P",
        "+50370000004",
        "--name",
        "Ana",
        "--overbook",
        "Tres",
    ]);
    assert_eq!(
        other["appointment"]["overbooked"]["rule"],
        "OUTSIDE_AVAILABILITY"
    );
    env.ok(&["cancel", s(&a["id"]), "-r", "Se fue"]);
    overbook(&env, "10:00", "+50370000005", "Cuatro");
    // The clinic's setting: 0 turns overbooking off; 51 is too many.
    let c = env.ok(&["clinic", "update", "Central", "--max-overbook-per-day", "0"]);
    assert_eq!(c["max_overbook_per_day"], 0);
    env.refused(
        &book_args("10:00", "+50370000006", &["--overbook", "No"]),
        "SLOT_FULL",
        4,
    );
    let d = env.refused(
        &[
            "clinic",
            "update",
            "Central",
            "--max-overbook-per-day",
            "51",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["max_overbook_per_day"].is_string(), "{d}");
}

#[test]
fn many_processes_overbooking_at_once_never_pass_the_allowance() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let children: Vec<_> = (0..8)
        .map(|i| {
            let phone = format!("+5037100000{i}");
            let args = book_args("10:00", &phone, &["--overbook", "Urgencia", "--json"])
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>();
            env.raw(&args.iter().map(String::as_str).collect::<Vec<_>>())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut codes = Vec::new();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        if out.status.success() {
            codes.push("ok".to_string());
        } else {
            let e: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
            codes.push(s(&e["error"]["code"]).to_string());
        }
    }
    codes.sort();
    assert_eq!(
        codes,
        ["SLOT_FULL"; 6]
            .iter()
            .map(|c| c.to_string())
            .chain(["ok".to_string(), "ok".to_string()])
            .collect::<Vec<_>>()
    );
    let day = env.ok(&["list", "-D", "2026-06-16"]);
    let over = day["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["overbooked"].is_null())
        .count();
    assert_eq!(over, 2);
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn a_moved_overbooking_is_placed_by_the_rules_and_its_event_keeps_what_it_was() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let a = overbook(&env, "10:00", "+50370000002", "Urgencia");
    // Moving it to a time that is taken is refused as for any visit.
    env.book("2026-06-16", "11:00", "+50370000003");
    env.refused(
        &["reschedule", s(&a["id"]), "-t", "11:00"],
        "APPOINTMENT_CONFLICT",
        4,
    );
    let moved = env.ok(&["reschedule", s(&a["id"]), "-t", "11:30"]);
    assert_eq!(moved["overbooked"], Value::Null);
    let h = env.ok(&["history", s(&a["id"])]);
    let booked = &h["events"][0]["data"]["appointment"];
    assert_eq!(booked["overbooked"]["reason"], "Urgencia");
}

#[test]
fn the_agenda_marks_an_overbooked_or_urgent_visit_and_says_what_the_marks_mean() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    overbook(&env, "10:00", "+50370000002", "Urgencia");
    env.ok(&book_args(
        "11:00",
        "+50370000003",
        &["--urgency", "emergency"],
    ));
    for (lang, legend) in [
        ("en", "! urgent · !! emergency · + overbooked"),
        ("es", "! urgente · !! emergencia · + sobrecupo"),
    ] {
        let out = env
            .cmd()
            .args(["agenda", "-D", "2026-06-16"])
            .env("APPT_LANG", lang)
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(text.contains(legend), "{text}");
        assert!(text.lines().any(|l| l.contains(" 2+ ")), "{text}");
        assert!(text.lines().any(|l| l.contains(" 3!! ")), "{text}");
        let list = env
            .cmd()
            .args(["list", "-D", "2026-06-16"])
            .env("APPT_LANG", lang)
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&list.stdout).contains("2+"));
    }
    // The card says why, who and what it passed over, in words.
    let day = env.ok(&["list", "-D", "2026-06-16"]);
    let over = day["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| !a["overbooked"].is_null())
        .unwrap();
    for (lang, said) in [("es", "Urgencia (por "), ("en", "Urgencia (by ")] {
        let out = env
            .cmd()
            .args(["show", s(&over["id"])])
            .env("APPT_LANG", lang)
            .output()
            .unwrap();
        let card = String::from_utf8_lossy(&out.stdout);
        let line = card.lines().find(|l| l.contains(said)).unwrap_or_default();
        let rule = if lang == "es" {
            ", sobre la hora ocupada)"
        } else {
            ", past the time taken)"
        };
        assert!(line.ends_with(rule), "{card}");
        assert!(!card.contains("APPOINTMENT_CONFLICT"), "{card}");
    }
}

#[test]
fn count_by_groups_the_visits_and_counts_overbookings_per_doctor() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--payers", "Privado,ISSS"]);
    env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&book_args(
        "09:30",
        "+50370000002",
        &["--urgency", "urgente", "--payer", "isss"],
    ));
    env.ok(&book_args(
        "10:00",
        "+50370000003",
        &["--urgency", "urgent", "--payer", "ISSS"],
    ));
    overbook(&env, "10:00", "+50370000004", "Urgencia");
    let c = env.ok(&["count", "--by", "urgency"]);
    assert_eq!(c["count"], 4);
    assert_eq!(c["by"], "urgency");
    assert_eq!(
        c["groups"],
        json!([{"key": "normal", "count": 2}, {"key": "urgent", "count": 2}])
    );
    let c = env.ok(&["count", "--by", "payer"]);
    assert_eq!(
        c["groups"],
        json!([{"key": "ISSS", "count": 2}, {"key": null, "count": 2}])
    );
    let c = env.ok(&["count", "--overbooked", "--by", "doctor"]);
    assert_eq!(c["count"], 1);
    assert_eq!(c["groups"][0]["name"], "Dr. García");
    assert_eq!(c["groups"][0]["count"], 1);
    assert_eq!(env.ok(&["count", "--overbooked"])["count"], 1);
    assert_eq!(env.ok(&["count"])["count"], 4);
    let d = env.refused(&["count", "--by", "colour"], "VALIDATION_ERROR", 2);
    assert!(s(&d["by"]).contains("visit_type"), "{d}");
    // The table, in Spanish.
    let out = env
        .cmd()
        .args(["count", "--by", "urgency"])
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Urgencia") && text.contains("urgente"),
        "{text}"
    );
}

#[test]
fn over_the_api_overbooking_needs_its_own_scope() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let rw = token(&env, "desk", "appointments:read,appointments:write", &[]);
    let ob = token(
        &env,
        "bot",
        "appointments:read,appointments:write,appointments:overbook",
        &[],
    );
    let srv = Server::start(&env, &[]);
    let body = |phone: &str, over: Value| {
        json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "10:00",
               "phone": phone, "name": "Ana", "overbook": over})
    };
    let r = srv.post(
        "/v1/appointments",
        &rw,
        body("+50370000002", json!({"reason": "Urgencia"})),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        r.json()["error"]["details"]["required"],
        "appointments:overbook"
    );
    let r = srv.post("/v1/appointments", &ob, body("+50370000002", json!({})));
    assert_eq!(r.status, 400, "{}", r.body);
    let r = srv.post("/v1/appointments", &ob, body("+50370000002", json!("x")));
    assert_eq!(r.status, 400, "{}", r.body);
    let r = srv.post(
        "/v1/appointments",
        &ob,
        body("+50370000002", json!({"reason": "Urgencia"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let o = &r.json()["appointment"]["overbooked"];
    assert_eq!(
        *o,
        json!({"reason": "Urgencia", "by": "api:bot", "rule": "APPOINTMENT_CONFLICT"})
    );
    // Without the object, the same token books by the rules.
    let r = srv.post(
        "/v1/appointments",
        &ob,
        json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "10:00",
               "phone": "+50370000003", "name": "Luis"}),
    );
    assert_eq!(r.status, 409, "{}", r.body);
    let c = srv.get("/v1/appointments/count?by=urgency&overbooked=true", &ob);
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.json()["groups"], json!([{"key": "normal", "count": 1}]));
}

#[test]
fn a_daily_limit_and_a_closed_window_are_passed_over_too() {
    let env = Env::clinic();
    env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "1"]);
    env.book("2026-06-16", "09:00", "+50370000001");
    env.refused(&book_args("11:00", "+50370000002", &[]), "DAILY_LIMIT", 4);
    let a = overbook(&env, "11:00", "+50370000002", "Urgencia");
    assert_eq!(a["overbooked"]["rule"], "DAILY_LIMIT");
    env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "none"]);
    // A window closed for the day.
    let w = env.ok(&["window", "list"])["windows"][0]["id"].clone();
    env.ok(&["window", "close", s(&w)]);
    let b = overbook(&env, "12:00", "+50370000003", "Urgencia");
    assert_eq!(b["overbooked"]["rule"], "SLOT_INACTIVE");
}
