//! Tests: `appt book`, docs/rules.md#booking rule by rule.

use crate::common::{s, Env};
use serde_json::json;

#[test]
fn books_and_returns_the_full_object() {
    let env = Env::clinic();
    let v = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "10:00",
        "--phone",
        "+503 7765-4321",
        "--name",
        "Juan Pérez",
        "--service",
        "general checkup",
        "--reason",
        "Revisión anual",
    ]);
    assert_eq!(v["idempotent"], false);
    let a = &v["appointment"];
    assert_eq!(a["date"], "2026-06-15");
    assert_eq!(a["start_time"], "10:00");
    assert_eq!(a["end_time"], "10:30");
    assert_eq!(a["starts_at"], "2026-06-15T16:00:00Z");
    assert_eq!(a["ends_at"], "2026-06-15T16:30:00Z");
    assert_eq!(a["timezone"], "America/El_Salvador");
    assert_eq!(a["status"], "scheduled");
    assert_eq!(a["token_number"], 1);
    assert_eq!(a["source"], "manual");
    assert_eq!(a["session"], "Morning");
    assert_eq!(a["patient"]["phone"], "+50377654321");
    assert_eq!(a["patient"]["full_name"], "Juan Pérez");
    assert_eq!(a["doctor"]["full_name"], "Dr. García");
    assert_eq!(a["service"]["name"], "General Checkup");
    assert_eq!(a["reason"], "Revisión anual");
    // Every field of docs/commands.md#the-appointment-object is present.
    for f in [
        "id",
        "clinic_id",
        "doctor_id",
        "patient_id",
        "service_id",
        "date",
        "start_time",
        "end_time",
        "duration_minutes",
        "starts_at",
        "ends_at",
        "timezone",
        "status",
        "token_number",
        "source",
        "session",
        "batch",
        "reason",
        "notes",
        "diagnosis",
        "prescription",
        "follow_up_required",
        "follow_up_date",
        "cancellation_reason",
        "external_reference_id",
        "patient",
        "doctor",
        "service",
        "created_at",
        "updated_at",
        "confirmed_at",
        "checked_in_at",
        "started_at",
        "completed_at",
        "cancelled_at",
        "no_show_at",
        "series_id",
        "urgency",
        "modality",
        "visit_type",
        "payer",
        "overbooked",
        "resources",
    ] {
        assert!(a.get(f).is_some(), "missing {f}");
    }
    assert_eq!(a.as_object().unwrap().len(), 43);
    let shown = env.ok(&["show", &s(&a["id"])[..8]]);
    assert_eq!(&shown, a);
}

#[test]
fn conflict_names_the_other_and_suggests_times() {
    let env = Env::clinic();
    let first = env.book("2026-06-15", "10:00", "+50370000001");
    let before = env.snapshot();
    let d = env.fails(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
            "--time",
            "10:00",
            "--phone",
            "+50370000002",
            "--name",
            "B",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], first["id"]);
    assert_eq!(d["suggested_times"], json!(["10:30", "11:00", "11:30"]));
    assert_eq!(env.snapshot(), before, "a refused booking changes nothing");
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// `book --doctor "Dr. García" --date D --time T --phone P --name "Test Patient"` and `extra`.
fn garcia<'a>(date: &'a str, time: &'a str, phone: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
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
        "Test Patient",
    ];
    v.extend_from_slice(extra);
    v
}

/// The full error object (code, message, details) of a refusal that changed nothing.
fn refused_error(env: &Env, args: &[&str], code: &str, exit: i32) -> serde_json::Value {
    let before = env.snapshot();
    let (got_exit, e) = env.err(args);
    assert_eq!(e["code"], code, "appt {args:?}: {e}");
    assert_eq!(got_exit, exit, "appt {args:?}: exit code for {code}");
    assert_eq!(env.snapshot(), before, "appt {args:?} changed the database");
    e
}

/// The only window of the fixture clinic (Dr. García, Mon–Fri 09:00–13:00).
fn garcia_window(env: &Env) -> String {
    let ws = env.ok(&["window", "list", "--doctor", "Dr. García"]);
    let ws = ws["windows"].as_array().expect("windows");
    assert_eq!(ws.len(), 1, "{ws:?}");
    s(&ws[0]["id"]).to_string()
}

/// A second doctor with a Mon–Fri window at the same clinic.
fn add_lopez(env: &Env, from: &str, to: &str, extra: &[&str]) {
    env.ok(&["doctor", "add", "Dr. López", "--specialty", "Pediatría"]);
    let mut args = vec![
        "window",
        "add",
        "--doctor",
        "Dr. López",
        "--days",
        "mon-fri",
        "--from",
        from,
        "--to",
        to,
    ];
    args.extend_from_slice(extra);
    env.ok(&args);
}

fn lopez<'a>(date: &'a str, time: &'a str, phone: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = garcia(date, time, phone, extra);
    v[2] = "Dr. López";
    v
}

// ---------------------------------------------------------------------------
// Rule 1: values
// ---------------------------------------------------------------------------

#[test]
fn rule1_missing_fields_are_named_without_prompting() {
    let env = Env::clinic();
    let d = env.refused(
        &["book", "--doctor", "Dr. García", "--no-input"],
        "VALIDATION_ERROR",
        2,
    );
    let keys: Vec<&String> = d.as_object().expect("details").keys().collect();
    for f in ["date", "time", "phone"] {
        assert!(d.get(f).is_some(), "missing field {f} not named: {d}");
    }
    assert!(keys.len() >= 3, "{d}");

    // Only the time left out.
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
            "--phone",
            "+50370000001",
            "--name",
            "A",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("time").is_some(), "{d}");
    assert_eq!(d.as_object().unwrap().len(), 1, "{d}");

    // A new patient needs a name.
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
            "--time",
            "10:00",
            "--phone",
            "+50370000001",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("name").is_some(), "{d}");
}

#[test]
fn rule1_bad_date_is_a_date_error() {
    let env = Env::clinic();
    for bad in ["2026-13-01", "2026-02-30", "15/06/2026", "someday"] {
        let d = env.refused(
            &garcia(bad, "10:00", "+50370000001", &[]),
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["date"].is_string(), "{bad}: {d}");
        assert_eq!(d.as_object().unwrap().len(), 1, "{bad}: {d}");
    }
}

#[test]
fn rule1_bad_time_is_a_time_error() {
    let env = Env::clinic();
    for bad in ["9xm", "25:00", "10:60", "10h0", "13pm", ""] {
        let d = env.refused(
            &garcia("2026-06-15", bad, "+50370000001", &[]),
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["time"].is_string(), "{bad:?}: {d}");
        assert_eq!(d.as_object().unwrap().len(), 1, "{bad:?}: {d}");
    }
    let d = env.refused(
        &garcia("2026-06-15", "9xm", "+50370000001", &[]),
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(d["time"], "Write a time as 09:30, 9, 9am, 9:30 pm or 14h");
}

#[test]
fn rule1_bad_phone_is_a_phone_error() {
    let env = Env::clinic();
    for bad in [
        "77654321",
        "+503 7765-43x1",
        "+",
        "+0123456789",
        "+1234567890123456",
    ] {
        let d = env.refused(
            &garcia("2026-06-15", "10:00", bad, &[]),
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["phone"].is_string(), "{bad}: {d}");
        assert_eq!(d.as_object().unwrap().len(), 1, "{bad}: {d}");
    }
}

#[test]
fn rule1_phone_is_normalised_to_e164() {
    let env = Env::clinic();
    let a = &env.ok(&garcia("2026-06-15", "10:00", "+503 7765-4321", &[]))["appointment"];
    assert_eq!(a["patient"]["phone"], "+50377654321");
    let a = &env.ok(&garcia("2026-06-15", "10:30", "+1 (212) 555.0100", &[]))["appointment"];
    assert_eq!(a["patient"]["phone"], "+12125550100");
    // The stored patient is found by the normalised number.
    let p = env.ok(&["patient", "show", "+50377654321"]);
    assert_eq!(p["phone"], "+50377654321");
}

#[test]
fn rule1_duration_is_5_to_480_minutes() {
    let env = Env::clinic();
    for bad in ["4", "481", "0"] {
        let d = env.refused(
            &garcia("2026-06-15", "10:00", "+50370000001", &["--duration", bad]),
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["duration"].is_string(), "{bad}: {d}");
    }
    let d = env.refused(
        &garcia("2026-06-15", "10:00", "+50370000001", &["--duration=-30"]),
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["duration"].is_string(), "{d}");
    // 480 is a valid value: it only fails later, because it runs past 13:00.
    env.refused(
        &garcia(
            "2026-06-15",
            "10:00",
            "+50370000001",
            &["--duration", "480"],
        ),
        "INVALID_TIME_SLOT",
        5,
    );
    // 5 is the shortest allowed.
    let a = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--duration", "5"],
    ))["appointment"];
    assert_eq!(a["duration_minutes"], 5);
    assert_eq!(a["end_time"], "10:05");
}

#[test]
fn rule1_unknown_source_is_refused() {
    let env = Env::clinic();
    let d = env.refused(
        &garcia("2026-06-15", "10:00", "+50370000001", &["--source", "fax"]),
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["source"].is_string(), "{d}");
}

#[test]
fn rule1_several_bad_fields_give_one_entry_each() {
    let env = Env::clinic();
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-13-01",
            "--time",
            "9xm",
            "--phone",
            "abc",
            "--name",
            "X",
            "--duration",
            "4",
            "--source",
            "fax",
        ],
        "VALIDATION_ERROR",
        2,
    );
    let mut keys: Vec<&str> = d
        .as_object()
        .expect("details object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, ["date", "duration", "phone", "source", "time"], "{d}");
    for (_, v) in d.as_object().unwrap() {
        assert!(v.is_string() && !s(v).is_empty(), "{d}");
    }
}

#[test]
fn rule1_comes_before_references() {
    let env = Env::clinic();
    // An unknown doctor and a bad time: the value answers first.
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. Nobody",
            "--date",
            "2026-06-15",
            "--time",
            "9xm",
            "--phone",
            "+50370000001",
            "--name",
            "A",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["time"].is_string(), "{d}");
    // Likewise an unknown service and a bad phone.
    let d = env.refused(
        &garcia("2026-06-15", "10:00", "12345", &["--service", "Nope"]),
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["phone"].is_string(), "{d}");
}

// ---------------------------------------------------------------------------
// Rule 2: references
// ---------------------------------------------------------------------------

#[test]
fn rule2_unknown_doctor_is_not_found() {
    let env = Env::clinic();
    let mut args = garcia("2026-06-15", "10:00", "+50370000001", &[]);
    args[2] = "Dr. Nobody";
    let e = refused_error(&env, &args, "NOT_FOUND", 3);
    assert_eq!(e["message"], "Doctor not found");
}

#[test]
fn rule2_inactive_doctor_is_not_found() {
    let env = Env::clinic();
    env.ok(&["doctor", "update", "Dr. García", "--active", "false"]);
    let e = refused_error(
        &env,
        &garcia("2026-06-15", "10:00", "+50370000001", &[]),
        "NOT_FOUND",
        3,
    );
    assert_eq!(e["message"], "Doctor not found");
    // Active again, the same request books.
    env.ok(&["doctor", "update", "Dr. García", "--active", "true"]);
    env.ok(&garcia("2026-06-15", "10:00", "+50370000001", &[]));
}

#[test]
fn rule2_unknown_clinic_is_not_found() {
    let env = Env::clinic();
    env.refused(
        &garcia(
            "2026-06-15",
            "10:00",
            "+50370000001",
            &["--clinic", "Nowhere"],
        ),
        "NOT_FOUND",
        3,
    );
}

#[test]
fn rule2_unknown_service_is_an_invalid_appointment_type() {
    let env = Env::clinic();
    env.refused(
        &garcia(
            "2026-06-15",
            "10:00",
            "+50370000001",
            &["--service", "Cirugía"],
        ),
        "INVALID_APPOINTMENT_TYPE",
        5,
    );
    // A service ID prefix that matches nothing is just as unknown.
    env.refused(
        &garcia(
            "2026-06-15",
            "10:00",
            "+50370000001",
            &["--service", "0000ffff"],
        ),
        "INVALID_APPOINTMENT_TYPE",
        5,
    );
}

#[test]
fn rule2_service_by_case_insensitive_name_or_id() {
    let env = Env::clinic();
    let a = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--service", "GENERAL checkup"],
    ))["appointment"];
    assert_eq!(a["service"]["name"], "General Checkup");
    assert_eq!(a["duration_minutes"], 30);
    let id = s(&a["service_id"]).to_string();
    let b = &env.ok(&garcia(
        "2026-06-16",
        "10:00",
        "+50370000001",
        &["--service", &id],
    ))["appointment"];
    assert_eq!(b["service_id"], id.as_str());
    let c = &env.ok(&garcia(
        "2026-06-17",
        "10:00",
        "+50370000001",
        &["--service", &id[..8]],
    ))["appointment"];
    assert_eq!(c["service_id"], id.as_str());
}

#[test]
fn rule2_unknown_patient_is_not_found() {
    let env = Env::clinic();
    let base = [
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "10:00",
        "--patient",
    ];
    let mut args = base.to_vec();
    args.push("+50370009999");
    env.refused(&args, "NOT_FOUND", 3);
    // Known by phone (in any spelling) or by ID prefix, the patient books.
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana Ruiz",
        "--phone",
        "+50370009999",
    ]);
    let mut args = base.to_vec();
    args.push("+503 7000-9999");
    let a = &env.ok(&args)["appointment"];
    assert_eq!(a["patient"]["full_name"], "Ana Ruiz");
    let pid = s(&a["patient_id"]).to_string();
    let mut args = base.to_vec();
    args[4] = "2026-06-16";
    args.push(&pid[..8]);
    let b = &env.ok(&args)["appointment"];
    assert_eq!(b["patient_id"], pid.as_str());
}

// ---------------------------------------------------------------------------
// Rule 3: idempotency
// ---------------------------------------------------------------------------

#[test]
fn rule3_external_ref_replays_the_same_appointment() {
    let env = Env::clinic();
    let first = env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--external-ref", "wa-123"],
    ));
    assert_eq!(first["idempotent"], false);
    assert_eq!(first["appointment"]["external_reference_id"], "wa-123");

    let before = env.snapshot();
    let again = env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--external-ref", "wa-123"],
    ));
    assert_eq!(again["idempotent"], true);
    assert_eq!(again["appointment"], first["appointment"]);
    // Whatever else the request says: another time, patient and source.
    let other = env.ok(&garcia(
        "2026-06-16",
        "11:30",
        "+50370000002",
        &["--external-ref", "wa-123", "--source", "whatsapp"],
    ));
    assert_eq!(other["idempotent"], true);
    assert_eq!(other["appointment"]["id"], first["appointment"]["id"]);
    assert_eq!(other["appointment"]["start_time"], "10:00");
    assert_eq!(env.snapshot(), before, "a replay writes nothing");
}

#[test]
fn rule3_replay_wins_over_later_rules() {
    let mut env = Env::clinic();
    let first = env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--external-ref", "R-1"],
    ));
    // Later the same day the requested time is past and off-grid: still a replay.
    env.at("2026-06-15T17:00:00Z");
    let before = env.snapshot();
    let again = env.ok(&garcia(
        "2026-06-15",
        "09:10",
        "+50370000001",
        &["--external-ref", "R-1"],
    ));
    assert_eq!(again["idempotent"], true);
    assert_eq!(again["appointment"]["id"], first["appointment"]["id"]);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn rule3_references_are_checked_before_the_replay() {
    let env = Env::clinic();
    env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--external-ref", "R-1"],
    ));
    env.refused(
        &garcia(
            "2026-06-15",
            "10:00",
            "+50370000001",
            &["--external-ref", "R-1", "--service", "Nope"],
        ),
        "INVALID_APPOINTMENT_TYPE",
        5,
    );
    let mut args = garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--external-ref", "R-1"],
    );
    args[2] = "Dr. Nobody";
    env.refused(&args, "NOT_FOUND", 3);
}

#[test]
fn rule3_cancelling_frees_the_external_ref() {
    let env = Env::clinic();
    let first = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--external-ref", "R-9"],
    ))["appointment"];
    env.ok(&["cancel", s(&first["id"]), "--reason", "Paciente no puede"]);
    let again = env.ok(&garcia(
        "2026-06-15",
        "11:00",
        "+50370000001",
        &["--external-ref", "R-9"],
    ));
    assert_eq!(again["idempotent"], false);
    assert_ne!(again["appointment"]["id"], first["id"]);
    assert_eq!(again["appointment"]["start_time"], "11:00");
    assert_eq!(again["appointment"]["status"], "scheduled");
    assert_eq!(again["appointment"]["external_reference_id"], "R-9");
    // And the new one is now what the reference replays.
    let third = env.ok(&garcia(
        "2026-06-15",
        "12:00",
        "+50370000001",
        &["--external-ref", "R-9"],
    ));
    assert_eq!(third["idempotent"], true);
    assert_eq!(third["appointment"]["id"], again["appointment"]["id"]);
}

#[test]
fn rule3_only_active_appointments_hold_the_ref() {
    let env = Env::clinic();
    let first = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--external-ref", "R-5"],
    ))["appointment"];
    // Checked in is still active: a replay.
    env.ok(&["status", s(&first["id"]), "checked_in"]);
    let again = env.ok(&garcia(
        "2026-06-15",
        "11:00",
        "+50370000001",
        &["--external-ref", "R-5"],
    ));
    assert_eq!(again["idempotent"], true);
    assert_eq!(again["appointment"]["status"], "checked_in");
    // Completed is final: the reference books anew.
    env.ok(&[
        "status",
        s(&first["id"]),
        "completed",
        "--diagnosis",
        "Sano",
    ]);
    let fresh = env.ok(&garcia(
        "2026-06-16",
        "11:00",
        "+50370000001",
        &["--external-ref", "R-5"],
    ));
    assert_eq!(fresh["idempotent"], false);
    assert_ne!(fresh["appointment"]["id"], first["id"]);
}

// ---------------------------------------------------------------------------
// Rule 5: time (past, notice, horizon)
// ---------------------------------------------------------------------------

#[test]
fn rule5_start_at_or_before_now_is_past() {
    let mut env = Env::clinic();
    env.at("2026-06-15T16:00:00Z"); // 10:00 local
    env.refused(
        &garcia("2026-06-15", "10:00", "+50370000001", &[]),
        "PAST_APPOINTMENT",
        5,
    );
    env.refused(
        &garcia("2026-06-15", "09:30", "+50370000001", &[]),
        "PAST_APPOINTMENT",
        5,
    );
    env.refused(
        &garcia("2026-06-12", "10:00", "+50370000001", &[]),
        "PAST_APPOINTMENT",
        5,
    );
    let a = &env.ok(&garcia("2026-06-15", "10:30", "+50370000001", &[]))["appointment"];
    assert_eq!(a["start_time"], "10:30");
}

#[test]
fn rule5_past_answers_before_availability() {
    let mut env = Env::clinic();
    env.at("2026-06-15T16:00:00Z"); // 10:00 local
                                    // Past and off the grid.
    env.refused(
        &garcia("2026-06-15", "09:10", "+50370000001", &[]),
        "PAST_APPOINTMENT",
        5,
    );
    // Past and outside every window.
    env.refused(
        &garcia("2026-06-15", "07:00", "+50370000001", &[]),
        "PAST_APPOINTMENT",
        5,
    );
    // Past and in a closed window.
    let w = garcia_window(&env);
    env.ok(&["window", "close", &w]);
    env.refused(
        &garcia("2026-06-15", "09:00", "+50370000001", &[]),
        "PAST_APPOINTMENT",
        5,
    );
}

#[test]
fn rule5_minimum_notice() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--min-notice", "2h"]);
    // Now is 08:00: the earliest start is 10:00.
    env.refused(
        &garcia("2026-06-15", "09:30", "+50370000001", &[]),
        "INSUFFICIENT_NOTICE",
        5,
    );
    // Off the grid too: notice answers first.
    env.refused(
        &garcia("2026-06-15", "09:10", "+50370000001", &[]),
        "INSUFFICIENT_NOTICE",
        5,
    );
    let a = &env.ok(&garcia("2026-06-15", "10:00", "+50370000001", &[]))["appointment"];
    assert_eq!(a["start_time"], "10:00");
}

#[test]
fn rule5_booking_horizon() {
    let mut env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--horizon", "7d"]);
    env.at("2026-06-15T15:00:00Z"); // Monday 09:00 local
    env.refused(
        &garcia("2026-06-22", "09:30", "+50370000001", &[]),
        "BEYOND_HORIZON",
        5,
    );
    env.refused(
        &garcia("2026-07-15", "10:00", "+50370000001", &[]),
        "BEYOND_HORIZON",
        5,
    );
    // Beyond the horizon and off the grid: the horizon answers first.
    env.refused(
        &garcia("2026-06-22", "09:10", "+50370000001", &[]),
        "BEYOND_HORIZON",
        5,
    );
    // Exactly now + 7 days is within.
    let a = &env.ok(&garcia("2026-06-22", "09:00", "+50370000001", &[]))["appointment"];
    assert_eq!(a["starts_at"], "2026-06-22T15:00:00Z");
}

// ---------------------------------------------------------------------------
// Rule 6: availability
// ---------------------------------------------------------------------------

#[test]
fn rule6_outside_every_window_lists_the_days_windows() {
    let env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon",
        "--from",
        "15:00",
        "--to",
        "17:00",
        "--session",
        "Afternoon",
    ]);
    let d = env.refused(
        &garcia("2026-06-15", "14:00", "+50370000001", &[]),
        "OUTSIDE_AVAILABILITY",
        5,
    );
    assert_eq!(d["windows"], json!(["09:00-13:00", "15:00-17:00"]), "{d}");
    // Tuesday has only the morning.
    let d = env.refused(
        &garcia("2026-06-16", "13:00", "+50370000001", &[]),
        "OUTSIDE_AVAILABILITY",
        5,
    );
    assert_eq!(d["windows"], json!(["09:00-13:00"]), "{d}");
    // Saturday has none.
    let d = env.refused(
        &garcia("2026-06-20", "10:00", "+50370000001", &[]),
        "OUTSIDE_AVAILABILITY",
        5,
    );
    assert_eq!(d["windows"], json!([]), "{d}");
}

#[test]
fn rule6_clinic_wide_without_a_window_is_outside_availability() {
    let env = Env::clinic();
    let d = env.refused(
        &[
            "book",
            "--clinic-wide",
            "--date",
            "2026-06-15",
            "--time",
            "10:00",
            "--phone",
            "+50370000001",
            "--name",
            "A",
        ],
        "OUTSIDE_AVAILABILITY",
        5,
    );
    assert_eq!(d["windows"], json!([]), "{d}");
}

#[test]
fn rule6_closure_gives_its_reason() {
    let env = Env::clinic();
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-16",
        "--to",
        "2026-06-17",
        "--reason",
        "Vacaciones",
    ]);
    for date in ["2026-06-16", "2026-06-17"] {
        let d = env.refused(
            &garcia(date, "10:00", "+50370000001", &[]),
            "OUTSIDE_AVAILABILITY",
            5,
        );
        assert_eq!(d["closure_reason"], "Vacaciones", "{date}: {d}");
    }
    env.ok(&garcia("2026-06-18", "10:00", "+50370000001", &[]));

    // A whole-clinic closure.
    env.ok(&[
        "closure",
        "add",
        "--clinic",
        "Central",
        "--from",
        "2026-06-19",
        "--reason",
        "Feriado",
    ]);
    let d = env.refused(
        &garcia("2026-06-19", "10:00", "+50370000001", &[]),
        "OUTSIDE_AVAILABILITY",
        5,
    );
    assert_eq!(d["closure_reason"], "Feriado", "{d}");
}

#[test]
fn rule6_closed_window_is_slot_inactive() {
    let env = Env::clinic();
    let w = garcia_window(&env);
    env.ok(&["window", "close", &w]);
    env.refused(
        &garcia("2026-06-15", "10:00", "+50370000001", &[]),
        "SLOT_INACTIVE",
        4,
    );
    // Outside the closed window's hours it is still outside availability.
    env.refused(
        &garcia("2026-06-15", "14:00", "+50370000001", &[]),
        "OUTSIDE_AVAILABILITY",
        5,
    );
    env.ok(&["window", "open", &w]);
    env.ok(&garcia("2026-06-15", "10:00", "+50370000001", &[]));
}

#[test]
fn rule6_off_grid_start_is_an_invalid_time_slot() {
    let env = Env::clinic();
    for t in ["09:10", "10:15", "12:59"] {
        env.refused(
            &garcia("2026-06-15", t, "+50370000001", &[]),
            "INVALID_TIME_SLOT",
            5,
        );
    }
}

#[test]
fn rule6_running_past_the_window_end_is_an_invalid_time_slot() {
    let env = Env::clinic();
    env.refused(
        &garcia("2026-06-15", "12:30", "+50370000001", &["--duration", "60"]),
        "INVALID_TIME_SLOT",
        5,
    );
    env.ok(&["service", "add", "Ultrasonido", "--minutes", "45"]);
    env.refused(
        &garcia(
            "2026-06-15",
            "12:30",
            "+50370000001",
            &["--service", "Ultrasonido"],
        ),
        "INVALID_TIME_SLOT",
        5,
    );
    // Ending exactly at 13:00 fits.
    let a = &env.ok(&garcia(
        "2026-06-15",
        "12:00",
        "+50370000001",
        &["--duration", "60"],
    ))["appointment"];
    assert_eq!(a["end_time"], "13:00");
}

#[test]
fn rule6_window_service_allow_list() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Vacunación", "--minutes", "15"]);
    add_lopez(
        &env,
        "14:00",
        "16:00",
        &["--slot-minutes", "15", "--services", "Vacunación"],
    );
    env.refused(
        &lopez(
            "2026-06-15",
            "14:00",
            "+50370000001",
            &["--service", "General Checkup"],
        ),
        "INVALID_TIME_SLOT",
        5,
    );
    let a = &env.ok(&lopez(
        "2026-06-15",
        "14:00",
        "+50370000001",
        &["--service", "vacunación"],
    ))["appointment"];
    assert_eq!(a["service"]["name"], "Vacunación");
    assert_eq!(a["end_time"], "14:15");
}

#[test]
fn rule6_session_must_match_the_window() {
    let env = Env::clinic();
    env.refused(
        &garcia(
            "2026-06-15",
            "10:00",
            "+50370000001",
            &["--session", "Afternoon"],
        ),
        "INVALID_TIME_SLOT",
        5,
    );
    let a = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--session", "Morning"],
    ))["appointment"];
    assert_eq!(a["session"], "Morning");
}

#[test]
fn rule6_answers_before_duplicates() {
    let env = Env::clinic();
    env.book("2026-06-15", "10:00", "+50370000001");
    // Same patient, same (no) service, same date, but off the grid.
    env.refused(
        &garcia("2026-06-15", "11:10", "+50370000001", &[]),
        "INVALID_TIME_SLOT",
        5,
    );
}

// ---------------------------------------------------------------------------
// Rule 7: duplicates
// ---------------------------------------------------------------------------

#[test]
fn rule7_same_phone_service_and_date_is_a_duplicate() {
    let env = Env::clinic();
    let first = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--service", "General Checkup"],
    ))["appointment"];
    // The same phone in another spelling, another time the same day.
    let d = env.refused(
        &garcia(
            "2026-06-15",
            "11:00",
            "+503 7000-0001",
            &["--service", "general checkup"],
        ),
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], first["id"]);
    // By --patient, too.
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
            "--time",
            "11:30",
            "--patient",
            "+50370000001",
            "--service",
            "General Checkup",
        ],
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], first["id"]);
}

#[test]
fn rule7_duplicates_span_doctors() {
    let env = Env::clinic();
    add_lopez(&env, "14:00", "17:00", &[]);
    let first = env.book("2026-06-15", "10:00", "+50370000001");
    // Same phone, same (no) service, same local date, but with another doctor.
    let d = env.refused(
        &lopez("2026-06-15", "14:00", "+50370000001", &[]),
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], first["id"]);
}

#[test]
fn rule7_another_service_or_date_is_not_a_duplicate() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Control", "--minutes", "30"]);
    env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--service", "General Checkup"],
    ));
    env.ok(&garcia(
        "2026-06-15",
        "11:00",
        "+50370000001",
        &["--service", "Control"],
    ));
    // No service is a service of its own.
    env.ok(&garcia("2026-06-15", "11:30", "+50370000001", &[]));
    env.ok(&garcia(
        "2026-06-16",
        "10:00",
        "+50370000001",
        &["--service", "General Checkup"],
    ));
    // Another patient at another time, same service and date.
    env.ok(&garcia(
        "2026-06-15",
        "12:00",
        "+50370000002",
        &["--service", "General Checkup"],
    ));
}

#[test]
fn rule7_no_service_counts_as_one_service() {
    let env = Env::clinic();
    let first = env.book("2026-06-15", "10:00", "+50370000001");
    let d = env.refused(
        &garcia("2026-06-15", "12:00", "+50370000001", &[]),
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], first["id"]);
}

#[test]
fn rule7_only_active_appointments_count() {
    let env = Env::clinic();
    let first = env.book("2026-06-15", "10:00", "+50370000001");
    env.ok(&["cancel", s(&first["id"]), "--reason", "Cambio de planes"]);
    env.ok(&garcia("2026-06-15", "11:00", "+50370000001", &[]));
}

#[test]
fn rule7_duplicate_check_off_allows_it() {
    let env = Env::clinic();
    env.book("2026-06-15", "10:00", "+50370000001");
    env.ok(&["clinic", "update", "Central", "--duplicate-check", "off"]);
    let a = env.book("2026-06-15", "11:00", "+50370000001");
    assert_eq!(a["status"], "scheduled");
}

#[test]
fn rule7_answers_before_capacity() {
    let env = Env::clinic();
    let first = env.book("2026-06-15", "10:00", "+50370000001");
    // The same patient asks for the very same (taken) time again.
    let d = env.refused(
        &garcia("2026-06-15", "10:00", "+50370000001", &[]),
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], first["id"]);
}

// ---------------------------------------------------------------------------
// Rule 8: capacity
// ---------------------------------------------------------------------------

#[test]
fn rule8_partial_overlap_with_a_long_booking_conflicts() {
    let env = Env::clinic();
    let long = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--duration", "60"],
    ))["appointment"];
    assert_eq!(long["end_time"], "11:00");
    // 10:30 falls inside 10:00–11:00.
    let d = env.refused(
        &garcia("2026-06-15", "10:30", "+50370000002", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], long["id"]);
    assert_eq!(d["suggested_times"], json!(["11:00", "11:30", "12:00"]));
    // 09:30–10:30 runs into it.
    let d = env.refused(
        &garcia("2026-06-15", "09:30", "+50370000002", &["--duration", "60"]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], long["id"]);
    assert_eq!(d["suggested_times"], json!(["11:00", "11:30", "12:00"]));
    // Back to back is fine on both sides.
    env.book("2026-06-15", "09:30", "+50370000003");
    env.book("2026-06-15", "11:00", "+50370000004");
}

#[test]
fn rule8_suggestions_skip_taken_times_and_keep_the_duration() {
    let env = Env::clinic();
    env.book("2026-06-15", "10:00", "+50370000001");
    env.book("2026-06-15", "11:00", "+50370000002");
    let d = env.refused(
        &garcia("2026-06-15", "10:00", "+50370000003", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["suggested_times"], json!(["10:30", "11:30", "12:00"]));
    // A 60-minute request: 10:30 would run into 11:00, 12:30 past 13:00.
    let d = env.refused(
        &garcia("2026-06-15", "09:30", "+50370000003", &["--duration", "60"]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["suggested_times"], json!(["11:30", "12:00"]));
}

#[test]
fn rule8_fewer_suggestions_near_the_end_of_the_day() {
    let env = Env::clinic();
    let noon = env.book("2026-06-15", "12:00", "+50370000001");
    let d = env.refused(
        &garcia("2026-06-15", "12:00", "+50370000002", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], noon["id"]);
    assert_eq!(d["suggested_times"], json!(["12:30"]));
    let last = env.book("2026-06-15", "12:30", "+50370000003");
    let d = env.refused(
        &garcia("2026-06-15", "12:30", "+50370000002", &[]),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], last["id"]);
    assert_eq!(d["suggested_times"], json!([]));
}

#[test]
fn rule8_cancelled_appointments_free_the_time() {
    let env = Env::clinic();
    let first = env.book("2026-06-15", "10:00", "+50370000001");
    env.ok(&["cancel", s(&first["id"]), "--reason", "No puede"]);
    let again = env.book("2026-06-15", "10:00", "+50370000002");
    assert_eq!(again["start_time"], "10:00");
}

#[test]
fn rule8_slot_full_when_capacity_is_used_up() {
    let env = Env::clinic();
    add_lopez(&env, "14:00", "17:00", &["--capacity", "2"]);
    env.ok(&lopez("2026-06-15", "14:00", "+50370000001", &[]));
    env.ok(&lopez("2026-06-15", "14:00", "+50370000002", &[]));
    let d = env.refused(
        &lopez("2026-06-15", "14:00", "+50370000003", &[]),
        "SLOT_FULL",
        4,
    );
    assert_eq!(d["capacity"], 2);
    assert_eq!(d["suggested_times"], json!(["14:30", "15:00", "15:30"]));
    // At 14:30 one place remains; then 14:30 is full too.
    env.ok(&lopez("2026-06-15", "14:30", "+50370000003", &[]));
    env.ok(&lopez("2026-06-15", "14:30", "+50370000004", &[]));
    // Capacity holds over the whole length: 15:00–16:00 is free, but a
    // 60-minute visit at 14:00 or 14:30 meets two others.
    let d = env.refused(
        &lopez("2026-06-15", "14:00", "+50370000005", &["--duration", "60"]),
        "SLOT_FULL",
        4,
    );
    assert_eq!(d["suggested_times"], json!(["15:00", "15:30", "16:00"]));
}

#[test]
fn rule8_clinic_wide_capacity_counts_per_service() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Vacunación", "--minutes", "30"]);
    env.ok(&["service", "add", "Laboratorio", "--minutes", "30"]);
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
        "2",
    ]);
    let cw = |time: &'static str, phone: &'static str, service: &'static str| {
        vec![
            "book",
            "--clinic-wide",
            "--date",
            "2026-06-15",
            "--time",
            time,
            "--phone",
            phone,
            "--name",
            "Test Patient",
            "--service",
            service,
        ]
    };
    env.ok(&cw("14:00", "+50370000001", "Vacunación"));
    env.ok(&cw("14:00", "+50370000002", "Vacunación"));
    let d = env.refused(&cw("14:00", "+50370000003", "Vacunación"), "SLOT_FULL", 4);
    assert_eq!(d["capacity"], 2);
    assert_eq!(d["suggested_times"], json!(["14:30", "15:00", "15:30"]));
    // Another service has its own two places at the same time.
    env.ok(&cw("14:00", "+50370000003", "Laboratorio"));
    env.ok(&cw("14:00", "+50370000004", "Laboratorio"));
    // The doctor's window is not touched by clinic-wide bookings.
    env.book("2026-06-15", "10:00", "+50370000005");
}

#[test]
fn rule8_clinic_wide_capacity_counts_bookings_of_a_replaced_window() {
    // A date window that replaces the weekly one inherits the bookings already
    // made in the weekly one (docs/rules.md#windows-and-slots): capacity counts by time, not by row.
    let env = Env::clinic();
    env.ok(&["service", "add", "Vacunación", "--minutes", "30"]);
    let cw_window = |when: &[&'static str]| {
        let mut args = vec!["window", "add", "--clinic-wide"];
        args.extend_from_slice(when);
        args.extend_from_slice(&["--from", "09:00", "--to", "12:00"]);
        env.ok(&args)
    };
    cw_window(&["--days", "mon-fri"]);
    let cw = |phone: &'static str| {
        vec![
            "book",
            "--clinic-wide",
            "--date",
            "2026-06-16",
            "--time",
            "09:00",
            "--phone",
            phone,
            "--name",
            "Test Patient",
            "--service",
            "Vacunación",
        ]
    };
    let first = env.ok(&cw("+50370000001"))["appointment"].clone();
    cw_window(&["--date", "2026-06-16"]);
    let d = env.refused(&cw("+50370000002"), "APPOINTMENT_CONFLICT", 4);
    assert_eq!(d["conflicting_appointment_id"], first["id"]);
    let all = env.ok(&[
        "slots",
        "--clinic-wide",
        "--date",
        "2026-06-16",
        "--service",
        "Vacunación",
        "--all",
    ]);
    let nine = &all["slots"][0];
    assert_eq!(nine["start_time"], "09:00");
    assert_eq!(nine["available"], false);
    assert_eq!(nine["reason"], "APPOINTMENT_CONFLICT");
    // 09:30 in the date window is free.
    assert_eq!(all["slots"][1]["available"], true);
}

// ---------------------------------------------------------------------------
// Rule 9: the write
// ---------------------------------------------------------------------------

#[test]
fn rule9_patient_upserted_by_phone_new_name_replaces_old() {
    let env = Env::clinic();
    let mut args = garcia("2026-06-15", "10:00", "+50370000001", &[]);
    args[10] = "Juan Pérez";
    let a = &env.ok(&args)["appointment"];
    let mut args = garcia("2026-06-16", "10:00", "+503 7000 0001", &[]);
    args[10] = "Juan Carlos Pérez";
    let b = &env.ok(&args)["appointment"];
    assert_eq!(b["patient_id"], a["patient_id"]);
    assert_eq!(b["patient"]["full_name"], "Juan Carlos Pérez");
    let p = env.ok(&["patient", "show", "+50370000001"]);
    assert_eq!(p["id"], a["patient_id"]);
    assert_eq!(p["full_name"], "Juan Carlos Pérez");
    let ps = env.ok(&["patient", "list"]);
    assert_eq!(ps["patients"].as_array().unwrap().len(), 1);
    // A known phone needs no name, and keeps the stored one.
    let c = &env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--time",
        "10:00",
        "--phone",
        "+50370000001",
    ])["appointment"];
    assert_eq!(c["patient_id"], a["patient_id"]);
    assert_eq!(c["patient"]["full_name"], "Juan Carlos Pérez");
}

#[test]
fn rule9_tokens_count_per_doctor_per_local_date() {
    let env = Env::clinic();
    add_lopez(&env, "09:00", "13:00", &[]);
    let tokens: Vec<i64> = ["09:00", "11:30", "10:00"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let phone = format!("+5037000000{i}");
            env.book("2026-06-15", t, &phone)["token_number"]
                .as_i64()
                .unwrap()
        })
        .collect();
    // In booking order, not time order.
    assert_eq!(tokens, [1, 2, 3]);
    // Another doctor counts on its own.
    let l = &env.ok(&lopez("2026-06-15", "10:00", "+50370000010", &[]))["appointment"];
    assert_eq!(l["token_number"], 1);
    // The next date starts again.
    assert_eq!(
        env.book("2026-06-16", "10:00", "+50370000001")["token_number"],
        1
    );
    let l = &env.ok(&lopez("2026-06-15", "10:30", "+50370000011", &[]))["appointment"];
    assert_eq!(l["token_number"], 2);
}

#[test]
fn rule9_tokens_and_duplicates_follow_the_local_date_not_utc() {
    let env = Env::clinic();
    add_lopez(&env, "17:00", "20:00", &[]);
    // 18:30 and 19:00 on the 15th in El Salvador are already the 16th in UTC.
    let a = &env.ok(&lopez("2026-06-15", "18:30", "+50370000001", &[]))["appointment"];
    assert_eq!(a["date"], "2026-06-15");
    assert_eq!(a["starts_at"], "2026-06-16T00:30:00Z");
    assert_eq!(a["token_number"], 1);
    let b = &env.ok(&lopez("2026-06-15", "19:00", "+50370000002", &[]))["appointment"];
    assert_eq!(b["token_number"], 2);
    let c = &env.ok(&lopez("2026-06-16", "17:00", "+50370000003", &[]))["appointment"];
    assert_eq!(c["starts_at"], "2026-06-16T23:00:00Z");
    assert_eq!(c["token_number"], 1);
    // The patient of 18:30 already has a (no-service) booking on the local 15th.
    let d = env.refused(
        &garcia("2026-06-15", "10:00", "+50370000001", &[]),
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], a["id"]);
    // …and none on the local 16th, though 00:30Z is on the 16th.
    env.book("2026-06-16", "10:00", "+50370000001");
}

#[test]
fn rule9_tokens_are_never_reused_after_a_cancel() {
    let env = Env::clinic();
    env.book("2026-06-15", "09:00", "+50370000001");
    let two = env.book("2026-06-15", "09:30", "+50370000002");
    let three = env.book("2026-06-15", "10:00", "+50370000003");
    assert_eq!(three["token_number"], 3);
    env.ok(&["cancel", s(&two["id"]), "--reason", "No viene"]);
    env.ok(&["cancel", s(&three["id"]), "--reason", "No viene"]);
    let next = env.book("2026-06-15", "09:30", "+50370000004");
    assert_eq!(next["token_number"], 4);
}

#[test]
fn rule9_at_takes_an_rfc3339_offset() {
    let env = Env::clinic();
    // 12:00 at UTC-4 is 16:00Z, 10:00 in El Salvador.
    let a = &env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--at",
        "2026-06-15T12:00:00-04:00",
        "--phone",
        "+50370000001",
        "--name",
        "A",
    ])["appointment"];
    assert_eq!(a["date"], "2026-06-15");
    assert_eq!(a["start_time"], "10:00");
    assert_eq!(a["starts_at"], "2026-06-15T16:00:00Z");
    let b = &env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--at",
        "2026-06-15T17:00:00Z",
        "--phone",
        "+50370000002",
        "--name",
        "B",
    ])["appointment"];
    assert_eq!(b["start_time"], "11:00");
    // A bad --at is a value error on the `at` field.
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--at",
            "2026-06-15 10:00",
            "--phone",
            "+50370000003",
            "--name",
            "C",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["at"].is_string(), "{d}");
}

#[test]
fn rule9_relative_dates_are_the_clinics_days() {
    let env = Env::clinic();
    let a = env.book("tomorrow", "10:00", "+50370000001");
    assert_eq!(a["date"], "2026-06-16");
    let b = env.book("+3", "10:00", "+50370000002");
    assert_eq!(b["date"], "2026-06-18");
    let c = env.book("today", "10:00", "+50370000003");
    assert_eq!(c["date"], "2026-06-15");
}

#[test]
fn rule9_source_is_stored() {
    let env = Env::clinic();
    let a = &env.ok(&garcia(
        "2026-06-15",
        "10:00",
        "+50370000001",
        &["--source", "whatsapp"],
    ))["appointment"];
    assert_eq!(a["source"], "whatsapp");
    let shown = env.ok(&["show", s(&a["id"])]);
    assert_eq!(shown["source"], "whatsapp");
    let c = env.ok(&["count", "--source", "whatsapp"]);
    assert_eq!(c["count"], 1);
}

#[test]
fn rule9_clinic_wide_booking_has_no_doctor_and_tokens_per_window() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Vacunación", "--minutes", "15"]);
    for (from, to, session) in [
        ("13:00", "15:00", "Afternoon"),
        ("15:00", "17:00", "Evening"),
    ] {
        env.ok(&[
            "window",
            "add",
            "--clinic-wide",
            "--days",
            "mon-fri",
            "--from",
            from,
            "--to",
            to,
            "--slot-minutes",
            "15",
            "--session",
            session,
        ]);
    }
    let cw = |time: &'static str, phone: &'static str| {
        vec![
            "book",
            "--clinic-wide",
            "--clinic",
            "Central",
            "--date",
            "2026-06-15",
            "--time",
            time,
            "--phone",
            phone,
            "--name",
            "Test Patient",
            "--service",
            "Vacunación",
        ]
    };
    let a = &env.ok(&cw("13:00", "+50370000001"))["appointment"];
    assert_eq!(a["doctor_id"], json!(null));
    assert_eq!(a["doctor"], json!(null));
    assert_eq!(a["token_number"], 1);
    assert_eq!(a["session"], "Afternoon");
    assert_eq!(a["end_time"], "13:15");
    let b = &env.ok(&cw("13:15", "+50370000002"))["appointment"];
    assert_eq!(b["token_number"], 2);
    // The other clinic-wide window has its own tokens.
    let c = &env.ok(&cw("15:00", "+50370000003"))["appointment"];
    assert_eq!(c["token_number"], 1);
    assert_eq!(c["session"], "Evening");
    // As does the doctor.
    assert_eq!(
        env.book("2026-06-15", "10:00", "+50370000004")["token_number"],
        1
    );
}

#[test]
fn rule9_booking_records_the_event() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let h = env.ok(&["history", s(&a["id"])]);
    let events = h["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{h}");
    assert_eq!(events[0]["type"], "appointment.booked");
}

// ---------------------------------------------------------------------------
// Human output
// ---------------------------------------------------------------------------

#[test]
fn human_output_confirms_on_stdout_and_errors_on_stderr() {
    let env = Env::clinic();
    let out = env
        .cmd()
        .args(garcia("2026-06-15", "10:00", "+50370000001", &[]))
        .output()
        .expect("run");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.trim_end().lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("Booked"), "{stdout}");
    assert!(stdout.contains("Test Patient"), "{stdout}");
    assert!(stdout.contains("Dr. García"), "{stdout}");
    assert!(stdout.contains("10:00"), "{stdout}");
    assert!(!stdout.trim_start().starts_with('{'), "not JSON: {stdout}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let before = env.snapshot();
    let out = env
        .cmd()
        .args(garcia("2026-06-15", "10:00", "+50370000002", &[]))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(4));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: Doctor is not available at the requested time"),
        "{stderr}"
    );
    assert!(stderr.contains("10:30"), "suggestions shown: {stderr}");
    assert_eq!(env.snapshot(), before);

    let out = env
        .cmd()
        .args(garcia("2026-06-15", "9xm", "+50370000002", &[]))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("09:30, 9, 9am"), "{stderr}");
}

#[test]
fn the_clinic_comes_from_the_doctors_windows() {
    let env = Env::clinic();
    env.ok(&["clinic", "add", "Norte", "--timezone", "America/New_York"]);
    env.ok(&["doctor", "add", "Dr. Solo"]);
    env.ok(&[
        "--clinic", "Norte", "window", "add", "--doctor", "Dr. Solo", "--days", "mon-fri",
        "--from", "09:00", "--to", "12:00",
    ]);
    let norte = env.ok(&["clinic", "show", "Norte"]);
    // Two clinics, no --clinic: Dr. Solo works only at Norte, so that is where (and in whose zone) it lands.
    let a = env.ok(&[
        "book",
        "--doctor",
        "Dr. Solo",
        "--date",
        "2026-06-16",
        "--time",
        "09:00",
        "--phone",
        "+50370000001",
        "--name",
        "A",
    ])["appointment"]
        .clone();
    assert_eq!(a["clinic_id"], norte["id"]);
    assert_eq!(a["starts_at"], "2026-06-16T13:00:00Z");
    // A doctor at two clinics needs --clinic.
    env.ok(&[
        "--clinic",
        "Norte",
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "sat",
        "--from",
        "09:00",
        "--to",
        "12:00",
    ]);
    let d = env.fails(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            "10:00",
            "--phone",
            "+50370000002",
            "--name",
            "B",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["clinic"].is_string(), "{d}");
    let b = env.ok(&[
        "--clinic",
        "Central",
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--phone",
        "+50370000002",
        "--name",
        "B",
    ]);
    assert_eq!(b["appointment"]["timezone"], "America/El_Salvador");
}
