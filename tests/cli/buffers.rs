//! Tests: buffers (docs/rules.md#buffers) — the minutes a service keeps the
//! doctor free before and after each of its appointments, copied onto each
//! appointment when it is booked, in every place a time is judged: slots,
//! `slots --all`'s reasons, suggestions, booking, moving, walk-ins, `next`,
//! windows of several places, `check`, and PostgreSQL's own constraint.
//!
//! The clock is the fixture's Monday 2026-06-15 08:00 in El Salvador (UTC-6,
//! no DST); the day looked at is Tuesday.

use crate::common::{s, Env};
use serde_json::{json, Value};

const TUE: &str = "2026-06-16";

/// The fixture's clinic with three more services: "Limpieza" (30 minutes,
/// 30 kept free after), "Cirugía" (30 minutes, 30 kept free before) and
/// "Sutura" (30 minutes, 15 before and 15 after).
fn clinic() -> Env {
    let env = Env::clinic();
    for (name, flags) in [
        ("Limpieza", ["--buffer-after", "30"]),
        ("Cirugía", ["--buffer-before", "30"]),
    ] {
        env.ok(&[
            "service",
            "add",
            name,
            "--minutes",
            "30",
            flags[0],
            flags[1],
        ]);
    }
    env.ok(&[
        "service",
        "add",
        "Sutura",
        "--minutes",
        "30",
        "--buffer-before",
        "15",
        "--buffer-after",
        "15",
    ]);
    env
}

/// `book` of `doctor` at `date` `time` for a patient, with `extra` flags.
fn book_on<'a>(
    doctor: &'a str,
    date: &'a str,
    time: &'a str,
    phone: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "book", "--doctor", doctor, "--date", date, "--time", time, "--phone", phone, "--name",
        "Paciente",
    ];
    args.extend_from_slice(extra);
    args
}

/// `book` of Dr. García at `time` on Tuesday, with `extra` flags.
fn book_args<'a>(time: &'a str, phone: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    book_on("Dr. García", TUE, time, phone, extra)
}

/// Books Dr. García on Tuesday, with a service when given; returns the appointment.
fn book(env: &Env, time: &str, phone: &str, service: Option<&str>) -> Value {
    let extra: Vec<&str> = service.map(|s| vec!["--service", s]).unwrap_or_default();
    env.ok(&book_args(time, phone, &extra))["appointment"].clone()
}

/// The free `start_time`s of Dr. García's Tuesday, for a service when given.
fn free(env: &Env, service: Option<&str>) -> Vec<String> {
    let mut args = vec!["slots", "--doctor", "Dr. García", "--date", TUE];
    if let Some(s) = service {
        args.extend(["--service", s]);
    }
    starts(&env.ok(&args))
}

fn starts(v: &Value) -> Vec<String> {
    v["slots"]
        .as_array()
        .unwrap_or_else(|| panic!("no slots: {v}"))
        .iter()
        .map(|x| s(&x["start_time"]).to_string())
        .collect()
}

/// `slots --all`'s (start_time, reason) pairs, reason "" when available.
fn reasons(env: &Env, who: &[&str], service: Option<&str>) -> Vec<(String, String)> {
    let mut args = vec!["slots"];
    args.extend_from_slice(who);
    args.extend(["--date", TUE, "--all"]);
    if let Some(s) = service {
        args.extend(["--service", s]);
    }
    env.ok(&args)["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                s(&x["start_time"]).to_string(),
                x["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pairs(xs: &[(&str, &str)]) -> Vec<(String, String)> {
    xs.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn strs(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

/// An appointment's stored buffers.
fn stored_buffers(env: &Env, id: &Value) -> (String, String) {
    let r = env.rows(&format!(
        "SELECT buffer_before, buffer_after FROM appointments WHERE id = {}",
        env.id_literal(s(id))
    ));
    (r[0][0].clone(), r[0][1].clone())
}

#[test]
fn a_service_keeps_its_buffers_shows_them_and_refuses_bad_ones() {
    let env = Env::clinic();
    let v = env.ok(&[
        "service",
        "add",
        "Cirugía",
        "--minutes",
        "60",
        "--buffer-before",
        "15",
        "--buffer-after",
        "30",
    ]);
    assert_eq!(
        (&v["buffer_before"], &v["buffer_after"]),
        (&json!(15), &json!(30))
    );
    // Only what is given changes.
    let v = env.ok(&["service", "update", "Cirugía", "--buffer-after", "20"]);
    assert_eq!(
        (&v["buffer_before"], &v["buffer_after"]),
        (&json!(15), &json!(20))
    );
    let list = env.ok(&["service", "list"]);
    let by_name = |n: &str| {
        list["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("Cirugía")["buffer_before"], 15);
    assert_eq!(by_name("Cirugía")["buffer_after"], 20);
    // None is 0.
    assert_eq!(by_name("General Checkup")["buffer_before"], 0);
    assert_eq!(by_name("General Checkup")["buffer_after"], 0);
    // Outside 0–240 minutes: VALIDATION_ERROR naming the field, nothing written.
    for (args, field) in [
        (
            vec![
                "service",
                "add",
                "Yeso",
                "--minutes",
                "30",
                "--buffer-before",
                "241",
            ],
            "buffer_before",
        ),
        (
            vec![
                "service",
                "add",
                "Yeso",
                "--minutes",
                "30",
                "--buffer-after=-5",
            ],
            "buffer_after",
        ),
        (
            vec!["service", "update", "Cirugía", "--buffer-before", "300"],
            "buffer_before",
        ),
        (
            vec!["service", "update", "Cirugía", "--buffer-after=-1"],
            "buffer_after",
        ),
    ] {
        let d = env.refused(&args, "VALIDATION_ERROR", 2);
        assert_eq!(
            d[field],
            format!("{field} must be between 0 and 240 minutes"),
            "{args:?}: {d}"
        );
    }
    // 240 and 0 are the edges.
    let v = env.ok(&[
        "service",
        "update",
        "Cirugía",
        "--buffer-before",
        "240",
        "--buffer-after",
        "0",
    ]);
    assert_eq!(
        (&v["buffer_before"], &v["buffer_after"]),
        (&json!(240), &json!(0))
    );
    // The table shows before/after, in 80 columns, in both languages.
    for (lang, header) in [("en", "Buffers"), ("es", "Márgenes")] {
        let out = env
            .cmd()
            .env("APPT_LANG", lang)
            .env("COLUMNS", "80")
            .args(["service", "list"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(header), "{text}");
        assert!(text.contains("240/0"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    }
}

#[test]
fn a_buffer_after_keeps_the_next_slot_free_and_booking_it_is_a_buffer_conflict() {
    let env = clinic();
    let a = book(&env, "10:00", "+50370000001", Some("Limpieza"));
    assert_eq!(stored_buffers(&env, &a["id"]), ("0".into(), "30".into()));
    // 10:30 is held by the cleaning: neither offered nor bookable.
    assert_eq!(
        free(&env, None),
        strs(&["09:00", "09:30", "11:00", "11:30", "12:00", "12:30"])
    );
    assert_eq!(
        reasons(&env, &["--doctor", "Dr. García"], None)[2..4],
        pairs(&[
            ("10:00", "APPOINTMENT_CONFLICT"),
            ("10:30", "APPOINTMENT_CONFLICT")
        ])
    );
    let d = env.refused(
        &book_args("10:30", "+50370000002", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], a["id"]);
    assert_eq!(d["buffer"], true);
    assert_eq!(d["suggested_times"], json!(["11:00", "11:30", "12:00"]));
    // The appointment itself in the way is no buffer's doing.
    let d = env.refused(
        &book_args("10:00", "+50370000002", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["buffer"], false);
    // The message says so, in both languages.
    for (lang, said) in [
        ("en", "too close to another appointment (buffer)"),
        ("es", "demasiado cerca de otra cita (margen)"),
    ] {
        let out = env
            .cmd()
            .env("APPT_LANG", lang)
            .args(book_args("10:30", "+50370000002", &[]))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4));
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(said), "{text}");
    }
    // Back to back before it, and after the cleaning, are fine.
    book(&env, "09:30", "+50370000003", None);
    book(&env, "11:00", "+50370000004", None);
}

#[test]
fn a_buffer_before_keeps_the_time_ahead_free_for_the_one_asked_for() {
    let env = clinic();
    let plain = book(&env, "10:00", "+50370000001", None);
    // Surgery needs 30 minutes before it: 10:30 would prepare during 10:00.
    // Offered are the ones that can all be booked: 09:30 would prepare
    // during 09:00's surgery (docs/rules.md#windows-and-slots).
    assert_eq!(
        free(&env, Some("Cirugía")),
        strs(&["09:00", "11:00", "12:00"])
    );
    assert_eq!(
        reasons(&env, &["--doctor", "Dr. García"], Some("Cirugía"))[..4],
        pairs(&[
            ("09:00", ""),
            ("09:30", ""),
            ("10:00", "APPOINTMENT_CONFLICT"),
            ("10:30", "APPOINTMENT_CONFLICT"),
        ])
    );
    let d = env.refused(
        &book_args("10:30", "+50370000002", &["--service", "Cirugía"]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], plain["id"]);
    assert_eq!(d["buffer"], true);
    // Suggestions are for the same service, its buffer counted.
    assert_eq!(d["suggested_times"], json!(["11:00", "11:30", "12:00"]));
    let c = book(&env, "11:00", "+50370000002", Some("Cirugía"));
    assert_eq!(stored_buffers(&env, &c["id"]), ("30".into(), "0".into()));
    // Now 10:30 is the surgery's preparation for anyone.
    assert!(!free(&env, None).contains(&"10:30".to_string()));
}

#[test]
fn a_buffer_never_meets_another_buffer() {
    let env = clinic();
    let a = book(&env, "09:00", "+50370000001", Some("Limpieza"));
    // 10:00 with 30 before would prepare during 09:30, Limpieza's cleaning:
    // two buffers, and neither appointment's own time, meet.
    let d = env.refused(
        &book_args("10:00", "+50370000002", &["--service", "Cirugía"]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(
        (&d["conflicting_appointment_id"], &d["buffer"]),
        (&a["id"], &json!(true))
    );
    // 10:30 prepares from 10:00, when the cleaning is over.
    book(&env, "10:30", "+50370000002", Some("Cirugía"));
    // 15 minutes either side: 11:30 prepares from 11:15, after the surgery.
    book(&env, "11:30", "+50370000003", Some("Sutura"));
    // Another one fits only where its 15 minutes meet no one's: 11:00 would
    // prepare in the surgery, 12:00 in the cleaning after 11:30; 12:30
    // starts as that cleaning ends.
    assert_eq!(free(&env, Some("Sutura")), strs(&["12:30"]));
}

#[test]
fn a_buffer_may_reach_outside_the_window() {
    let env = clinic();
    // The window's first slot with 30 minutes before it (08:30–09:00 is
    // outside any window), and its last with 30 after (13:00–13:30).
    let first = book(&env, "09:00", "+50370000001", Some("Cirugía"));
    let last = book(&env, "12:30", "+50370000002", Some("Limpieza"));
    assert_eq!(first["start_time"], "09:00");
    assert_eq!(last["end_time"], "13:00");
    // `check` finds nothing wrong with that.
    let report = env.ok(&["check"]);
    assert_eq!(
        report,
        json!({"ok": true, "violations": [], "stale_calendars": []})
    );
}

#[test]
fn a_move_keeps_its_buffers_and_meets_the_others() {
    let env = clinic();
    let cleaned = book(&env, "10:00", "+50370000001", Some("Limpieza"));
    let other = book(&env, "11:30", "+50370000002", None);
    // 11:00 with the cleaning to 12:00 meets 11:30.
    let d = env.refused(
        &["reschedule", s(&cleaned["id"]), "--time", "11:00"],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(
        (&d["conflicting_appointment_id"], &d["buffer"]),
        (&other["id"], &json!(true))
    );
    // A plain one moved into another's buffer is refused too.
    let d = env.refused(
        &["reschedule", s(&other["id"]), "--time", "10:30"],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(
        (&d["conflicting_appointment_id"], &d["buffer"]),
        (&cleaned["id"], &json!(true))
    );
    // The service no longer keeps anything free after; the appointment
    // booked with 30 minutes keeps them wherever it goes.
    env.ok(&["service", "update", "Limpieza", "--buffer-after", "0"]);
    let moved = env.ok(&["reschedule", s(&cleaned["id"]), "--time", "12:00"]);
    assert_eq!(moved["start_time"], "12:00");
    assert_eq!(
        stored_buffers(&env, &cleaned["id"]),
        ("0".into(), "30".into())
    );
    assert!(free(&env, None).contains(&"10:30".to_string()));
    assert!(!free(&env, None).contains(&"12:30".to_string()));
}

#[test]
fn a_changed_service_buffer_leaves_booked_appointments_as_they_were() {
    let env = clinic();
    let a = book(&env, "10:00", "+50370000001", Some("Limpieza"));
    env.ok(&["service", "update", "Limpieza", "--buffer-after", "0"]);
    // The one booked keeps its 30 minutes: 10:30 is still held.
    assert_eq!(stored_buffers(&env, &a["id"]), ("0".into(), "30".into()));
    assert!(!free(&env, None).contains(&"10:30".to_string()));
    env.refused(
        &book_args("10:30", "+50370000002", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    // A new one is booked with the service as it is now.
    let b = book(&env, "11:00", "+50370000003", Some("Limpieza"));
    assert_eq!(stored_buffers(&env, &b["id"]), ("0".into(), "0".into()));
    book(&env, "11:30", "+50370000004", None);
    // A larger buffer now does not reach back into what was booked.
    env.ok(&["service", "update", "Limpieza", "--buffer-after", "120"]);
    assert_eq!(stored_buffers(&env, &b["id"]), ("0".into(), "0".into()));
    let report = env.ok(&["check"]);
    assert_eq!(report["ok"], true, "{report}");
}

#[test]
fn a_walk_in_goes_to_the_first_slot_no_buffer_holds() {
    let mut env = clinic();
    // 11:00 with 30 minutes before holds 10:30: at 10:05 the first free
    // slot is 11:30, not 10:30.
    book(&env, "11:00", "+50370000001", Some("Cirugía"));
    env.at("2026-06-16T16:05:00Z");
    let walk_in = |phone: &str, extra: &[&str]| {
        let mut args = vec![
            "book",
            "--walk-in",
            "--doctor",
            "Dr. García",
            "--phone",
            phone,
            "--name",
            "Walk In",
        ];
        args.extend_from_slice(extra);
        env.ok(&args)["appointment"].clone()
    };
    let w = walk_in("+50370000002", &[]);
    assert_eq!(w["start_time"], "11:30");
    // A walk-in with its own buffer after: 12:00 would clean into nothing
    // booked, so it goes there (12:00–12:30, cleaning to 13:00).
    let w = walk_in("+50370000003", &["--service", "Limpieza"]);
    assert_eq!(w["start_time"], "12:00");
    assert_eq!(stored_buffers(&env, &w["id"]), ("0".into(), "30".into()));
    // Then 12:30 is the cleaning: nothing is left.
    env.refused(
        &[
            "book",
            "--walk-in",
            "--doctor",
            "Dr. García",
            "--phone",
            "+50370000004",
            "--name",
            "Walk In",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
}

#[test]
fn next_offers_what_the_buffers_leave() {
    let env = clinic();
    // Monday: 09:00 booked for a cleaning that runs to 10:00.
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "09:00",
        "--phone",
        "+50370000001",
        "--name",
        "Paciente",
        "--service",
        "Limpieza",
    ]);
    let first = |service: Option<&str>| {
        let mut args = vec!["next", "--doctor", "Dr. García", "-n", "1"];
        if let Some(s) = service {
            args.extend(["--service", s]);
        }
        let v = env.ok(&args);
        s(&v["slots"][0]["start_time"]).to_string()
    };
    assert_eq!(first(None), "10:00");
    // At 10:00, surgery's 30 minutes before and Sutura's 15 would fall in
    // the cleaning.
    assert_eq!(first(Some("Cirugía")), "10:30");
    assert_eq!(first(Some("Sutura")), "10:30");
}

/// `next` reads only the appointments that can still meet a slot to come
/// (held until after now, less the asked-for buffer before); just after an
/// appointment whose buffer still holds the doctor, it offers what `slots`
/// offers.
#[test]
fn next_just_after_an_appointment_offers_what_slots_offers() {
    let mut env = clinic();
    // 09:00–09:30, held until 09:45.
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "09:00",
        "--phone",
        "+50370000001",
        "--name",
        "Paciente",
        "--service",
        "Sutura",
    ]);
    // 09:40, 09:50 and 10:05 in El Salvador.
    for now in [
        "2026-06-15T15:40:00Z",
        "2026-06-15T15:50:00Z",
        "2026-06-15T16:05:00Z",
    ] {
        env.at(now);
        for service in [None, Some("Cirugía"), Some("Sutura"), Some("Limpieza")] {
            let with = |mut args: Vec<&'static str>| {
                if let Some(s) = service {
                    args.extend(["--service", s]);
                }
                args
            };
            let next = env.ok(&with(vec!["next", "--doctor", "Dr. García", "-n", "1"]));
            let slots = env.ok(&with(vec![
                "slots",
                "--doctor",
                "Dr. García",
                "--date",
                "2026-06-15",
            ]));
            assert_eq!(
                s(&next["slots"][0]["start_time"]),
                starts(&slots)[0],
                "at {now}, {service:?}"
            );
        }
    }
    // At 09:50 surgery's 30 minutes before 10:00 still meet the buffer.
    env.at("2026-06-15T15:50:00Z");
    let v = env.ok(&[
        "next",
        "--doctor",
        "Dr. García",
        "-n",
        "1",
        "--service",
        "Cirugía",
    ]);
    assert_eq!(v["slots"][0]["start_time"], "10:30");
}

#[test]
fn in_a_window_of_several_places_a_buffer_takes_a_place() {
    let env = clinic();
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
        "11:00",
        "--capacity",
        "2",
    ]);
    let ruiz = |time: &'static str, phone: &'static str, extra: &[&'static str]| {
        let mut args = vec![
            "book",
            "--doctor",
            "Dra. Ruiz",
            "--date",
            TUE,
            "--time",
            time,
            "--phone",
            phone,
            "--name",
            "Paciente",
        ];
        args.extend_from_slice(extra);
        args
    };
    env.ok(&ruiz("09:00", "+50370000001", &["--service", "Limpieza"]));
    env.ok(&ruiz("09:30", "+50370000002", &[]));
    // At 09:30 the cleaning and the second patient fill both places.
    let all = env.ok(&["slots", "--doctor", "Dra. Ruiz", "--date", TUE, "--all"]);
    let remaining: Vec<(String, i64, String)> = all["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                s(&x["start_time"]).to_string(),
                x["remaining"].as_i64().unwrap(),
                x["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        remaining,
        [
            ("09:00".to_string(), 1, String::new()),
            ("09:30".to_string(), 0, "SLOT_FULL".to_string()),
            ("10:00".to_string(), 2, String::new()),
            ("10:30".to_string(), 2, String::new()),
        ]
    );
    let d = env.refused(&ruiz("09:30", "+50370000003", &[]), "SLOT_FULL", 4);
    assert_eq!(d["capacity"], 2);
    // 09:00 has a place (the cleaning starts only after it).
    env.ok(&ruiz("09:00", "+50370000003", &[]));
    // Surgery at 10:00 prepares during 09:30, which is full.
    env.refused(
        &ruiz("10:00", "+50370000004", &["--service", "Cirugía"]),
        "SLOT_FULL",
        4,
    );
    let report = env.ok(&["check"]);
    assert_eq!(report["ok"], true, "{report}");
}

#[test]
fn clinic_wide_windows_count_buffers_per_service() {
    let env = clinic();
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
    ]);
    let cw = |time: &'static str, phone: &'static str| {
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
            "Limpieza",
        ]
    };
    let a = env.ok(&cw("14:00", "+50370000001"))["appointment"].clone();
    let d = env.refused(&cw("14:30", "+50370000002"), "APPOINTMENT_CONFLICT", 4);
    assert_eq!(
        (&d["conflicting_appointment_id"], &d["buffer"]),
        (&a["id"], &json!(true))
    );
    let (_, e) = env.err(&cw("14:30", "+50370000002"));
    assert_eq!(
        e["message"],
        "This time is too close to another booking (buffer)"
    );
    env.ok(&cw("15:00", "+50370000002"));
}

/// Writes what appt itself would refuse; on PostgreSQL the exclusion
/// constraint would refuse it too, so it goes first and `check` finds it.
fn plant(env: &Env, sql: &str) {
    if crate::common::on_postgres() {
        env.exec("ALTER TABLE appointments DROP CONSTRAINT IF EXISTS appt_doctor_no_overlap");
    }
    env.exec(sql);
}

#[test]
fn check_counts_the_time_held_with_buffers() {
    let env = clinic();
    let a = book(&env, "10:00", "+50370000001", None);
    let b = book(&env, "10:30", "+50370000002", None);
    book(&env, "11:30", "+50370000003", Some("Sutura"));
    book(&env, "09:00", "+50370000004", Some("Cirugía"));
    assert_eq!(
        env.ok(&["check"]),
        json!({"ok": true, "violations": [], "stale_calendars": []})
    );
    // Behind appt's back, 10:00 gets 15 minutes after it: it now holds
    // 10:30–10:45, which 10:30 has.
    plant(
        &env,
        &format!(
            "UPDATE appointments SET buffer_after = 15 WHERE id = {}",
            env.id_literal(s(&a["id"]))
        ),
    );
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v: Vec<&Value> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["check"] == "capacity")
        .collect();
    assert_eq!(v.len(), 1, "{report}");
    let mut ids: Vec<&str> = v[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["appointment_id"]))
        .collect();
    ids.sort();
    let mut want = vec![s(&a["id"]), s(&b["id"])];
    want.sort();
    assert_eq!(ids, want);
    let m = s(&v[0]["message"]);
    assert!(
        m.contains("buffers included") && m.contains("2026-06-16 10:30"),
        "{m}"
    );
    assert_eq!(v[0]["rows"][0]["buffer_after"], 15);
    let out = env.cmd().arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("buffers 0/15 min"), "{text}");
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn the_server_itself_refuses_a_solo_appointment_inside_anothers_buffer() {
    let env = clinic();
    let a = book(&env, "10:00", "+50370000001", Some("Limpieza"));
    let insert = |shift: i64, id: &str, token: i64| {
        env.try_exec(&format!(
            "INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, local_date, starts_at, \
             ends_at, duration_minutes, status, token_number, source, created_at, updated_at, solo) \
             SELECT {}, clinic_id, doctor_id, window_id, patient_id, local_date, starts_at + {shift}, \
             ends_at + {shift}, duration_minutes, status, {token}, source, 0, 0, 1 FROM appointments WHERE id = {}",
            env.id_literal(id),
            env.id_literal(s(&a["id"]))
        ))
    };
    let before = env.snapshot();
    // 10:30, in the cleaning: the constraint refuses it.
    let err = insert(1800, "00000000-0000-4000-8000-00000000b0ff", 98).unwrap_err();
    assert!(
        err.contains("appt_doctor_no_overlap") || err.contains("23P01"),
        "{err}"
    );
    assert_eq!(env.snapshot(), before);
    // 11:00, after it: accepted.
    insert(3600, "00000000-0000-4000-8000-0000000000af", 99).unwrap();
}

#[test]
fn a_buffer_reaches_across_midnight_into_the_other_day() {
    let env = clinic();
    env.ok(&["doctor", "add", "Dr. Noche"]);
    for (from, to) in [("00:00", "01:00"), ("23:00", "24:00")] {
        env.ok(&[
            "window",
            "add",
            "--doctor",
            "Dr. Noche",
            "--days",
            "mon-fri",
            "--from",
            from,
            "--to",
            to,
        ]);
    }
    let night =
        |date: &'static str, time: &'static str, phone: &'static str, extra: &[&'static str]| {
            book_on("Dr. Noche", date, time, phone, extra)
        };
    // Tuesday 23:30–24:00: Wednesday's 00:00 surgery would prepare during it.
    let late = env.ok(&night(TUE, "23:30", "+50370000001", &[]))["appointment"].clone();
    let d = env.refused(
        &night(
            "2026-06-17",
            "00:00",
            "+50370000002",
            &["--service", "Cirugía"],
        ),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(
        (&d["conflicting_appointment_id"], &d["buffer"]),
        (&late["id"], &json!(true))
    );
    let all = env.ok(&[
        "slots",
        "--doctor",
        "Dr. Noche",
        "--date",
        "2026-06-17",
        "--service",
        "Cirugía",
        "--all",
    ]);
    assert_eq!(all["slots"][0]["reason"], "APPOINTMENT_CONFLICT");
    assert_eq!(all["slots"][1]["reason"], Value::Null);
    // And the other way: Monday 23:30 with its cleaning to 00:30 keeps
    // Tuesday's first half hour free.
    env.ok(&night(
        "2026-06-15",
        "23:30",
        "+50370000003",
        &["--service", "Limpieza"],
    ));
    assert_eq!(
        env.ok(&["slots", "--doctor", "Dr. Noche", "--date", TUE])["slots"][0]["start_time"],
        "00:30"
    );
    env.refused(
        &night(TUE, "00:00", "+50370000004", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
}

#[test]
fn the_agenda_shows_a_slot_held_by_a_buffer_as_such() {
    let env = clinic();
    book(&env, "10:00", "+50370000001", Some("Limpieza"));
    for (lang, buffer, free) in [
        ("en", "buffer (kept free)", "4 free"),
        ("es", "margen (reservado)", "4 libres"),
    ] {
        let out = env
            .cmd()
            .env("APPT_LANG", lang)
            .args(["agenda", "--date", TUE])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        let line = |needle: &str| {
            text.lines()
                .find(|l| l.contains(needle))
                .map(str::to_string)
        };
        assert!(line(buffer).is_some_and(|l| l.contains("10:30")), "{text}");
        // Not counted free: two before the visit, four after the cleaning.
        assert!(line(free).is_some_and(|l| l.contains("11:00")), "{text}");
        assert!(!text.contains("10:30–"), "{text}");
    }
}

/// A one-at-a-time appointment's time is never shared, not even with the
/// buffer of a booking in the window next to its own that takes several
/// (docs/rules.md#buffers): whichever is booked first, the other is refused,
/// on both engines. (First met by the property test on PostgreSQL, whose
/// exclusion constraint refused such a move the rules had let through.)
#[test]
fn a_one_at_a_time_appointment_is_never_reached_by_a_buffer_from_the_window_next_to_it() {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
        "--notify",
        "off",
    ]);
    env.ok(&["doctor", "add", "Dr. Noche"]);
    for (days, from, to, capacity) in [
        ("mon", "23:00", "24:00", "3"),
        ("tue", "00:00", "00:30", "1"),
        ("tue", "09:00", "10:00", "1"),
    ] {
        env.ok(&[
            "window",
            "add",
            "--doctor",
            "Dr. Noche",
            "--days",
            days,
            "--from",
            from,
            "--to",
            to,
            "--slot-minutes",
            "10",
            "--capacity",
            capacity,
        ]);
    }
    env.ok(&[
        "service",
        "add",
        "Curación",
        "--minutes",
        "10",
        "--buffer-after",
        "27",
    ]);
    let args = |date: &'static str, time: &'static str, phone: &'static str, service: bool| {
        let extra: &[&'static str] = if service {
            &["--service", "Curación"]
        } else {
            &[]
        };
        book_on("Dr. Noche", date, time, phone, extra)
    };
    let x = env.ok(&args("2026-06-23", "00:00", "+50370000001", false))["appointment"].clone();
    let y = env.ok(&args("2026-06-23", "09:00", "+50370000002", true))["appointment"].clone();
    // Moved to 23:50 (a window of three places), its buffer would reach 00:17.
    let d = env.refused(
        &[
            "reschedule",
            s(&y["id"]),
            "--date",
            "2026-06-22",
            "--time",
            "23:50",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], x["id"]);
    assert_eq!(d["buffer"], true);
    // Booked there, the same; 23:20 (held until 23:57) is fine.
    env.refused(
        &args("2026-06-22", "23:50", "+50370000003", true),
        "APPOINTMENT_CONFLICT",
        4,
    );
    env.ok(&[
        "reschedule",
        s(&y["id"]),
        "--date",
        "2026-06-22",
        "--time",
        "23:20",
    ]);
    // The other way round: the buffer first, then the one-at-a-time time it reaches.
    env.ok(&["cancel", s(&x["id"]), "--reason", "x"]);
    env.ok(&[
        "reschedule",
        s(&y["id"]),
        "--date",
        "2026-06-22",
        "--time",
        "23:50",
    ]);
    env.refused(
        &args("2026-06-23", "00:00", "+50370000004", false),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn a_file_of_schema_14_gets_the_busy_index_and_still_judges_its_buffers() {
    // Schema 15 reads busy times from an index holding their buffers: a
    // database of schema 14 gains it at its first use, in place of the one
    // it had, and the buffers it kept still keep the doctor free.
    let env = clinic();
    book(&env, "10:00", "+50370000001", Some("Limpieza"));
    let before = free(&env, None);
    assert!(!before.contains(&"10:30".to_string()), "{before:?}");
    crate::common::undo_schema_15(&env);
    crate::common::set_schema_version(&env, 14);
    let indexes =
        |env: &Env| crate::common::index_names(env, "IN ('appt_doctor_busy', 'appt_doctor_start')");
    assert_eq!(indexes(&env), ["appt_doctor_start"]);
    assert_eq!(free(&env, None), before);
    assert_eq!(indexes(&env), ["appt_doctor_busy"]);
    assert_eq!(env.ok(&["check"])["ok"], true);
}
