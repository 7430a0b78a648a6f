//! Tests: changes to an existing appointment — `reschedule`, `cancel`, `status`,
//! `update` and `history` (docs/rules.md#reschedule-and-cancel, docs/rules.md#statuses, docs/rules.md#reminders-and-notifications first bullet, docs/rules.md#events).

use crate::common::{s, Env, MONDAY_8AM};
use serde_json::Value;

const DR: &str = "Dr. García";
const P1: &str = "+50370000001";
const P2: &str = "+50370000002";
const P3: &str = "+50370000003";

/// Seconds since the epoch of an RFC 3339 instant.
fn epoch(rfc: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc)
        .unwrap_or_else(|e| panic!("{rfc}: {e}"))
        .timestamp()
}

/// The appointment's reminders as (offset minutes, due epoch, status), in a stable order.
fn reminders(env: &Env, id: &str) -> Vec<(i64, i64, String)> {
    env.rows(&format!(
        "SELECT offset_minutes, due_at, {} FROM reminders WHERE appointment_id = {} \
         ORDER BY 3, due_at",
        crate::common::name_of_number::<appt::core::MessageStatus>("status"),
        env.id_literal(id)
    ))
    .into_iter()
    .map(|r| (r[0].parse().unwrap(), r[1].parse().unwrap(), r[2].clone()))
    .collect()
}

fn with_status(rows: &[(i64, i64, String)], status: &str) -> Vec<(i64, i64)> {
    rows.iter()
        .filter(|r| r.2 == status)
        .map(|r| (r.0, r.1))
        .collect()
}

/// The appointment's event types, oldest first.
fn history_types(env: &Env, id: &str) -> Vec<String> {
    env.ok(&["history", id])["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| s(&e["type"]).to_string())
        .collect()
}

/// The newest event of the appointment.
fn last_event(env: &Env, id: &str) -> Value {
    let h = env.ok(&["history", id]);
    h["events"]
        .as_array()
        .expect("events")
        .last()
        .expect("an event")
        .clone()
}

fn id(a: &Value) -> String {
    s(&a["id"]).to_string()
}

fn status(env: &Env, id: &str, to: &str) -> Value {
    env.ok(&["status", id, to])
}

// ---------------------------------------------------------------- reschedule

#[test]
fn reschedule_keeps_the_id_and_moves_the_times() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let before_created = a["created_at"].clone();
    let r = env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-17",
        "--time",
        "11:00",
    ]);
    assert_eq!(r["id"], a["id"]);
    assert_eq!(r["date"], "2026-06-17");
    assert_eq!(r["start_time"], "11:00");
    assert_eq!(r["end_time"], "11:30");
    assert_eq!(r["starts_at"], "2026-06-17T17:00:00Z");
    assert_eq!(r["ends_at"], "2026-06-17T17:30:00Z");
    assert_eq!(r["status"], "scheduled");
    assert_eq!(r["patient"], a["patient"]);
    assert_eq!(r["created_at"], before_created);
    assert_eq!(r["updated_at"], MONDAY_8AM);
    // The stored object is what was printed.
    assert_eq!(env.ok(&["show", &id(&a)]), r);
    // The old time is free again: another patient can take it.
    env.book("2026-06-16", "10:00", P2);
}

#[test]
fn reschedule_onto_another_appointment_conflicts_and_changes_nothing() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let b = env.book("2026-06-16", "11:00", P2);
    let before = env.snapshot();
    let d = env.fails(
        &[
            "reschedule",
            &id(&b),
            "--date",
            "2026-06-16",
            "--time",
            "10:00",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], a["id"]);
    // A longer appointment reaching into the other one conflicts too.
    env.fails(
        &[
            "reschedule",
            &id(&b),
            "--date",
            "2026-06-16",
            "--time",
            "09:30",
            "--duration",
            "60",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(
        env.snapshot(),
        before,
        "a refused reschedule changes nothing"
    );
}

#[test]
fn reschedule_never_conflicts_with_itself() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    // Same start, longer: overlaps only its own old time.
    let r = env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--duration",
        "60",
    ]);
    assert_eq!(r["start_time"], "10:00");
    assert_eq!(r["end_time"], "11:00");
    assert_eq!(r["duration_minutes"], 60);
    // Half an hour later, still overlapping its own current 10:00–11:00.
    let r = env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-16",
        "--time",
        "10:30",
    ]);
    assert_eq!(r["start_time"], "10:30");
    assert_eq!(r["end_time"], "11:30");
    // The same patient on the same day is not a duplicate of itself either.
    assert_eq!(r["status"], "scheduled");
}

#[test]
fn reschedule_re_runs_the_booking_rules() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let before = env.snapshot();
    // Outside the window (afternoon), off the grid, in the past, past the window end.
    env.fails(
        &[
            "reschedule",
            &id(&a),
            "--date",
            "2026-06-16",
            "--time",
            "15:00",
        ],
        "OUTSIDE_AVAILABILITY",
        5,
    );
    env.fails(
        &[
            "reschedule",
            &id(&a),
            "--date",
            "2026-06-16",
            "--time",
            "10:10",
        ],
        "INVALID_TIME_SLOT",
        5,
    );
    env.fails(
        &[
            "reschedule",
            &id(&a),
            "--date",
            "2026-06-12",
            "--time",
            "10:00",
        ],
        "PAST_APPOINTMENT",
        5,
    );
    env.fails(
        &[
            "reschedule",
            &id(&a),
            "--date",
            "2026-06-16",
            "--time",
            "12:30",
            "--duration",
            "60",
        ],
        "INVALID_TIME_SLOT",
        5,
    );
    env.fails(
        &[
            "reschedule",
            &id(&a),
            "--date",
            "2026-06-16",
            "--time",
            "25:00",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn reschedule_sends_a_confirmed_appointment_back_to_scheduled() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let c = status(&env, &id(&a), "confirmed");
    assert_eq!(c["status"], "confirmed");
    let r = env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-16",
        "--time",
        "11:00",
    ]);
    assert_eq!(r["status"], "scheduled");
}

#[test]
fn reschedule_token_changes_only_with_the_date_or_the_doctor() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. López"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. López",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "17:00",
    ]);
    let a = env.book("2026-06-16", "10:00", P1);
    let b = env.book("2026-06-16", "11:00", P2);
    assert_eq!(a["token_number"], 1);
    assert_eq!(b["token_number"], 2);
    // Another time, same day and doctor: same token.
    let r = env.ok(&[
        "reschedule",
        &id(&b),
        "--date",
        "2026-06-16",
        "--time",
        "12:00",
    ]);
    assert_eq!(r["token_number"], 2);
    // Another day: the next token of that day (one is already taken there).
    env.book("2026-06-17", "09:00", P3);
    let r = env.ok(&[
        "reschedule",
        &id(&b),
        "--date",
        "2026-06-17",
        "--time",
        "12:00",
    ]);
    assert_eq!(r["date"], "2026-06-17");
    assert_eq!(r["token_number"], 2);
    // Another doctor, same day: that doctor's next token.
    env.ok(&[
        "book",
        "--doctor",
        "Dr. López",
        "--date",
        "2026-06-16",
        "--time",
        "14:00",
        "--phone",
        P3,
        "--name",
        "C",
    ]);
    let r = env.ok(&[
        "reschedule",
        &id(&a),
        "--doctor",
        "Dr. López",
        "--date",
        "2026-06-16",
        "--time",
        "15:00",
    ]);
    assert_eq!(r["doctor"]["full_name"], "Dr. López");
    assert_ne!(r["doctor_id"], a["doctor_id"]);
    assert_eq!(r["token_number"], 2);
    // Dr. García's tokens of the 16th are never reused: a new booking gets 3.
    let n = env.book("2026-06-16", "09:00", "+50370000009");
    assert_eq!(n["token_number"], 3);
}

#[test]
fn reschedule_replaces_pending_reminders() {
    let env = Env::clinic();
    // Tomorrow 10:00 (16:00Z): both default offsets are still ahead.
    let a = env.book("2026-06-16", "10:00", P1);
    let day1 = epoch("2026-06-15T16:00:00Z");
    let h2 = epoch("2026-06-16T14:00:00Z");
    assert_eq!(
        reminders(&env, &id(&a)),
        vec![
            (1440, day1, "pending".to_string()),
            (120, h2, "pending".to_string())
        ]
    );
    // Today 11:00 (17:00Z): the 24h reminder would be in the past, so only 2h exists.
    let today = env.book("2026-06-15", "11:00", P2);
    assert_eq!(
        reminders(&env, &id(&today)),
        vec![(120, epoch("2026-06-15T15:00:00Z"), "pending".to_string())]
    );

    env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-17",
        "--time",
        "11:00",
    ]);
    let rows = reminders(&env, &id(&a));
    assert_eq!(
        with_status(&rows, "cancelled"),
        vec![(1440, day1), (120, h2)]
    );
    assert_eq!(
        with_status(&rows, "pending"),
        vec![
            (1440, epoch("2026-06-16T17:00:00Z")),
            (120, epoch("2026-06-17T15:00:00Z"))
        ]
    );
    assert_eq!(rows.len(), 4);

    // Moved to today noon (18:00Z): only the 2h reminder is still ahead.
    env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-15",
        "--time",
        "12:00",
    ]);
    let rows = reminders(&env, &id(&a));
    assert_eq!(
        with_status(&rows, "pending"),
        vec![(120, epoch("2026-06-15T16:00:00Z"))]
    );
    assert_eq!(with_status(&rows, "cancelled").len(), 4);
}

#[test]
fn reschedule_records_the_previous_times() {
    let mut env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    env.at("2026-06-15T15:00:00Z");
    let r = env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-17",
        "--time",
        "11:00",
        "--reason",
        "Patient asked",
    ]);
    assert_eq!(
        history_types(&env, &id(&a)),
        ["appointment.booked", "appointment.rescheduled"]
    );
    let e = last_event(&env, &id(&a));
    assert_eq!(e["created_at"], "2026-06-15T15:00:00Z");
    assert_eq!(e["data"]["appointment"], r);
    let prev = &e["data"]["previous"];
    assert_eq!(prev["starts_at"], a["starts_at"], "{e}");
    assert_eq!(prev["date"], "2026-06-16");
    assert_eq!(prev["start_time"], "10:00");
    assert_eq!(
        e["data"]["appointment"]["starts_at"],
        "2026-06-17T17:00:00Z"
    );
}

#[test]
fn only_scheduled_and_confirmed_appointments_move() {
    let mut env = Env::clinic();
    let checked_in = env.book("2026-06-15", "09:00", P1);
    status(&env, &id(&checked_in), "checked_in");
    let in_progress = env.book("2026-06-15", "09:30", P2);
    status(&env, &id(&in_progress), "in_progress");
    let cancelled = env.book("2026-06-15", "10:00", P3);
    env.ok(&["cancel", &id(&cancelled), "--reason", "Sick"]);
    let completed = env.book("2026-06-15", "10:30", "+50370000004");
    env.ok(&["status", &id(&completed), "completed", "--diagnosis", "OK"]);
    let no_show = env.book("2026-06-15", "11:00", "+50370000005");
    env.at("2026-06-15T17:30:00Z");
    status(&env, &id(&no_show), "no_show");

    let before = env.snapshot();
    for a in [&checked_in, &in_progress, &cancelled, &completed, &no_show] {
        env.fails(
            &[
                "reschedule",
                &id(a),
                "--date",
                "2026-06-16",
                "--time",
                "12:00",
            ],
            "INVALID_STATE_TRANSITION",
            5,
        );
    }
    assert_eq!(env.snapshot(), before);
}

// ---------------------------------------------------------------- cancel

#[test]
fn cancel_needs_a_reason() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let before = env.snapshot();
    let d = env.fails(&["--no-input", "cancel", &id(&a)], "VALIDATION_ERROR", 2);
    assert!(d.get("reason").is_some(), "details name the reason: {d}");
    let d = env.fails(
        &["cancel", &id(&a), "--reason", "  "],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("reason").is_some(), "details name the reason: {d}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn cancel_sets_reason_and_time_and_cancels_pending_reminders() {
    let mut env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    assert_eq!(reminders(&env, &id(&a)).len(), 2);
    env.at("2026-06-15T15:00:00Z");
    let c = env.ok(&["cancel", &id(&a), "--reason", "Patient travelling"]);
    assert_eq!(c["id"], a["id"]);
    assert_eq!(c["status"], "cancelled");
    assert_eq!(c["cancellation_reason"], "Patient travelling");
    assert_eq!(c["cancelled_at"], "2026-06-15T15:00:00Z");
    assert_eq!(c["updated_at"], "2026-06-15T15:00:00Z");
    assert_eq!(env.ok(&["show", &id(&a)]), c);
    let rows = reminders(&env, &id(&a));
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.2 == "cancelled"), "{rows:?}");

    assert_eq!(
        history_types(&env, &id(&a)),
        ["appointment.booked", "appointment.cancelled"]
    );
    let e = last_event(&env, &id(&a));
    assert_eq!(e["data"]["appointment"], c);
    assert_eq!(e["created_at"], "2026-06-15T15:00:00Z");
}

#[test]
fn cancel_frees_the_slot_and_the_external_reference() {
    let env = Env::clinic();
    let book = |phone: &str| {
        env.ok(&[
            "book",
            "--doctor",
            DR,
            "--date",
            "2026-06-16",
            "--time",
            "10:00",
            "--phone",
            phone,
            "--name",
            "P",
            "--external-ref",
            "wa-123",
        ])
    };
    let first = book(P1);
    assert_eq!(first["idempotent"], false);
    // While active, the reference returns the same appointment.
    let again = book(P2);
    assert_eq!(again["idempotent"], true);
    assert_eq!(again["appointment"]["id"], first["appointment"]["id"]);
    // Another patient cannot take the slot.
    env.fails(
        &[
            "book",
            "--doctor",
            DR,
            "--date",
            "2026-06-16",
            "--time",
            "10:00",
            "--phone",
            P3,
            "--name",
            "C",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );

    env.ok(&[
        "cancel",
        s(&first["appointment"]["id"]),
        "--reason",
        "No longer needed",
    ]);

    // Same slot, same reference: a new, real booking.
    let second = book(P2);
    assert_eq!(second["idempotent"], false);
    assert_ne!(second["appointment"]["id"], first["appointment"]["id"]);
    assert_eq!(second["appointment"]["status"], "scheduled");
    assert_eq!(second["appointment"]["start_time"], "10:00");
    assert_eq!(second["appointment"]["external_reference_id"], "wa-123");
    assert_eq!(second["appointment"]["patient"]["phone"], P2);
}

#[test]
fn cancel_is_allowed_only_from_scheduled_confirmed_and_checked_in() {
    let mut env = Env::clinic();
    let sch = env.book("2026-06-15", "09:00", P1);
    let conf = env.book("2026-06-15", "09:30", P2);
    status(&env, &id(&conf), "confirmed");
    let chk = env.book("2026-06-15", "10:00", P3);
    status(&env, &id(&chk), "checked_in");
    let prog = env.book("2026-06-15", "10:30", "+50370000004");
    status(&env, &id(&prog), "in_progress");
    let done = env.book("2026-06-15", "11:00", "+50370000005");
    env.ok(&["status", &id(&done), "completed", "--diagnosis", "Fine"]);
    let gone = env.book("2026-06-15", "11:30", "+50370000006");
    env.at("2026-06-15T17:45:00Z");
    status(&env, &id(&gone), "no_show");

    for a in [&sch, &conf, &chk] {
        let c = env.ok(&["cancel", &id(a), "--reason", "Clinic closed"]);
        assert_eq!(c["status"], "cancelled");
    }
    let before = env.snapshot();
    for a in [&prog, &done, &gone, &sch] {
        env.fails(
            &["cancel", &id(a), "--reason", "Again"],
            "INVALID_STATE_TRANSITION",
            5,
        );
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn cancellation_window_refuses_unless_forced() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--cancel-window", "2h"]);
    // Today 09:00 and 09:30: one hour and an hour and a half from now.
    let a = env.book("2026-06-15", "09:00", P1);
    let b = env.book("2026-06-15", "09:30", P2);
    // Tomorrow is well outside the window.
    let far = env.book("2026-06-16", "10:00", P3);

    let before = env.snapshot();
    env.fails(
        &["cancel", &id(&a), "--reason", "Late"],
        "CANCELLATION_WINDOW",
        5,
    );
    env.fails(
        &[
            "reschedule",
            &id(&a),
            "--date",
            "2026-06-15",
            "--time",
            "12:00",
        ],
        "CANCELLATION_WINDOW",
        5,
    );
    assert_eq!(env.snapshot(), before);

    let r = env.ok(&[
        "reschedule",
        &id(&a),
        "--date",
        "2026-06-15",
        "--time",
        "12:00",
        "--force",
    ]);
    assert_eq!(r["start_time"], "12:00");
    let e = last_event(&env, &id(&a));
    assert_eq!(e["type"], "appointment.rescheduled");
    assert_eq!(e["data"]["forced"], true);

    let c = env.ok(&["cancel", &id(&b), "--reason", "Late", "--force"]);
    assert_eq!(c["status"], "cancelled");
    let e = last_event(&env, &id(&b));
    assert_eq!(e["type"], "appointment.cancelled");
    assert_eq!(e["data"]["forced"], true);

    // Outside the window no force is needed, and none is recorded.
    env.ok(&["cancel", &id(&far), "--reason", "Early enough"]);
    assert_eq!(last_event(&env, &id(&far))["data"]["forced"], false);
}

// ---------------------------------------------------------------- status

#[test]
fn status_moves_forward_setting_each_timestamp_and_recording_each_event() {
    let mut env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", P1);
    let a_id = id(&a);
    for f in [
        "confirmed_at",
        "checked_in_at",
        "started_at",
        "completed_at",
        "cancelled_at",
        "no_show_at",
    ] {
        assert_eq!(a[f], Value::Null, "{f}");
    }
    let steps = [
        ("confirmed", "confirmed_at", "2026-06-15T14:10:00Z"),
        ("checked_in", "checked_in_at", "2026-06-15T15:50:00Z"),
        ("in_progress", "started_at", "2026-06-15T16:02:00Z"),
    ];
    for (to, field, now) in steps {
        env.at(now);
        let v = status(&env, &a_id, to);
        assert_eq!(v["status"], to);
        assert_eq!(v[field], now, "{field}");
        assert_eq!(v["updated_at"], now);
    }
    env.at("2026-06-15T16:28:00Z");
    let v = env.ok(&[
        "status",
        &a_id,
        "completed",
        "--diagnosis",
        "Gripe común",
        "--prescription",
        "Paracetamol 500 mg",
        "--follow-up",
        "2026-07-01",
        "--notes",
        "Rest",
    ]);
    assert_eq!(v["status"], "completed");
    assert_eq!(v["completed_at"], "2026-06-15T16:28:00Z");
    assert_eq!(v["diagnosis"], "Gripe común");
    assert_eq!(v["prescription"], "Paracetamol 500 mg");
    assert_eq!(v["follow_up_required"], true);
    assert_eq!(v["follow_up_date"], "2026-07-01");
    assert_eq!(v["notes"], "Rest");
    // Earlier timestamps are kept.
    assert_eq!(v["confirmed_at"], "2026-06-15T14:10:00Z");
    assert_eq!(v["checked_in_at"], "2026-06-15T15:50:00Z");
    assert_eq!(v["started_at"], "2026-06-15T16:02:00Z");
    assert_eq!(env.ok(&["show", &a_id]), v);

    assert_eq!(
        history_types(&env, &a_id),
        [
            "appointment.booked",
            "appointment.confirmed",
            "appointment.checked_in",
            "appointment.in_progress",
            "appointment.completed"
        ]
    );
}

#[test]
fn status_may_skip_steps() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "09:00", P1);
    let v = status(&env, &id(&a), "in_progress");
    assert_eq!(v["status"], "in_progress");
    assert_eq!(v["started_at"], MONDAY_8AM);
    assert_eq!(v["confirmed_at"], Value::Null);

    let b = env.book("2026-06-15", "10:00", P2);
    let v = env.ok(&["status", &id(&b), "completed", "--diagnosis", "Sano"]);
    assert_eq!(v["status"], "completed");
    assert_eq!(v["completed_at"], MONDAY_8AM);

    let c = env.book("2026-06-15", "11:00", P3);
    let v = status(&env, &id(&c), "checked_in");
    assert_eq!(v["status"], "checked_in");
    assert_eq!(
        history_types(&env, &id(&c)),
        ["appointment.booked", "appointment.checked_in"]
    );
}

#[test]
fn status_never_moves_backwards_and_staying_writes_nothing() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", P1);
    let a_id = id(&a);
    // Asked for what it is: said so (exit 0), nothing written (issue 64).
    let before = env.snapshot();
    assert_eq!(
        env.ok(&["status", &a_id, "scheduled"])["status"],
        "scheduled"
    );
    assert_eq!(env.snapshot(), before);

    status(&env, &a_id, "checked_in");
    let before = env.snapshot();
    for to in ["scheduled", "confirmed"] {
        env.fails(&["status", &a_id, to], "INVALID_STATE_TRANSITION", 5);
    }
    env.ok(&["status", &a_id, "checked_in"]);
    assert_eq!(env.snapshot(), before);

    status(&env, &a_id, "in_progress");
    let before = env.snapshot();
    for to in ["confirmed", "checked_in"] {
        env.fails(&["status", &a_id, to], "INVALID_STATE_TRANSITION", 5);
    }
    env.ok(&["status", &a_id, "in_progress"]);
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.ok(&["show", &a_id])["status"], "in_progress");
}

#[test]
fn final_statuses_are_final() {
    let mut env = Env::clinic();
    let done = env.book("2026-06-15", "09:00", P1);
    env.ok(&["status", &id(&done), "completed", "--diagnosis", "OK"]);
    let gone = env.book("2026-06-15", "09:30", P2);
    env.ok(&["cancel", &id(&gone), "--reason", "Sick"]);
    let absent = env.book("2026-06-15", "10:00", P3);
    env.at("2026-06-15T16:30:00Z");
    status(&env, &id(&absent), "no_show");

    let before = env.snapshot();
    let (exit, e) = env.err(&["status", &id(&done), "confirmed"]);
    assert_eq!(exit, 5);
    assert_eq!(e["code"], "INVALID_STATE_TRANSITION");
    assert_eq!(e["message"], "Cannot update a completed appointment");
    for to in ["in_progress", "completed", "no_show"] {
        env.fails(
            &["status", &id(&done), to, "--diagnosis", "x"],
            "INVALID_STATE_TRANSITION",
            5,
        );
    }
    for a in [&gone, &absent] {
        for to in [
            "confirmed",
            "checked_in",
            "in_progress",
            "completed",
            "no_show",
        ] {
            env.fails(
                &["status", &id(a), to, "--diagnosis", "x"],
                "INVALID_STATE_TRANSITION",
                5,
            );
        }
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn completing_needs_a_diagnosis_when_the_clinic_requires_it() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", P1);
    status(&env, &id(&a), "in_progress");
    let before = env.snapshot();
    let d = env.fails(&["status", &id(&a), "completed"], "VALIDATION_ERROR", 2);
    assert!(d.get("diagnosis").is_some(), "details name diagnosis: {d}");
    assert_eq!(env.snapshot(), before);

    env.ok(&["clinic", "update", "Central", "--require-diagnosis", "off"]);
    let v = status(&env, &id(&a), "completed");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["diagnosis"], Value::Null);
    assert_eq!(v["completed_at"], MONDAY_8AM);
    assert_eq!(v["follow_up_required"], false);
    assert_eq!(v["follow_up_date"], Value::Null);
}

#[test]
fn no_show_only_after_the_start_and_counts_against_the_patient() {
    let mut env = Env::clinic();
    // Today 11:00 (17:00Z): its 2h reminder is pending.
    let a = env.book("2026-06-15", "11:00", P1);
    assert_eq!(
        with_status(&reminders(&env, &id(&a)), "pending"),
        vec![(120, epoch("2026-06-15T15:00:00Z"))]
    );
    assert_eq!(env.ok(&["patient", "show", P1])["no_show_count"], 0);

    env.at("2026-06-15T16:59:00Z");
    let before = env.snapshot();
    env.fails(
        &["status", &id(&a), "no_show"],
        "INVALID_STATE_TRANSITION",
        5,
    );
    assert_eq!(env.snapshot(), before);

    env.at("2026-06-15T17:15:00Z");
    let v = status(&env, &id(&a), "no_show");
    assert_eq!(v["status"], "no_show");
    assert_eq!(v["no_show_at"], "2026-06-15T17:15:00Z");
    assert_eq!(env.ok(&["patient", "show", P1])["no_show_count"], 1);
    let rows = reminders(&env, &id(&a));
    assert!(
        rows.iter().all(|r| r.2 == "cancelled"),
        "no-show cancels pending reminders: {rows:?}"
    );
    assert_eq!(
        history_types(&env, &id(&a)),
        ["appointment.booked", "appointment.no_show"]
    );

    // A second no-show of the same patient, this time from confirmed.
    env.at(MONDAY_8AM);
    let b = env.book("2026-06-16", "09:00", P1);
    status(&env, &id(&b), "confirmed");
    env.at("2026-06-16T15:20:00Z");
    assert_eq!(status(&env, &id(&b), "no_show")["status"], "no_show");
    assert_eq!(env.ok(&["patient", "show", P1])["no_show_count"], 2);
}

#[test]
fn no_show_is_refused_once_the_patient_arrived() {
    let mut env = Env::clinic();
    let a = env.book("2026-06-15", "09:00", P1);
    status(&env, &id(&a), "checked_in");
    let b = env.book("2026-06-15", "09:30", P2);
    status(&env, &id(&b), "in_progress");
    env.at("2026-06-15T17:00:00Z");
    let before = env.snapshot();
    for x in [&a, &b] {
        env.fails(
            &["status", &id(x), "no_show"],
            "INVALID_STATE_TRANSITION",
            5,
        );
    }
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.ok(&["patient", "show", P1])["no_show_count"], 0);
}

// ---------------------------------------------------------------- update

#[test]
fn update_edits_text_fields_and_records_an_event() {
    let mut env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", P1);
    env.at("2026-06-15T14:30:00Z");
    let v = env.ok(&[
        "update",
        &id(&a),
        "--reason",
        "Dolor de cabeza",
        "--notes",
        "Trae exámenes",
        "--diagnosis",
        "Migraña",
        "--prescription",
        "Ibuprofeno",
        "--follow-up",
        "2026-06-30",
    ]);
    assert_eq!(v["reason"], "Dolor de cabeza");
    assert_eq!(v["notes"], "Trae exámenes");
    assert_eq!(v["diagnosis"], "Migraña");
    assert_eq!(v["prescription"], "Ibuprofeno");
    assert_eq!(v["follow_up_required"], true);
    assert_eq!(v["follow_up_date"], "2026-06-30");
    assert_eq!(v["status"], "scheduled");
    assert_eq!(v["starts_at"], a["starts_at"]);
    assert_eq!(v["updated_at"], "2026-06-15T14:30:00Z");
    assert_eq!(env.ok(&["show", &id(&a)]), v);
    let e = last_event(&env, &id(&a));
    assert_eq!(e["type"], "appointment.updated");
    assert_eq!(e["data"]["appointment"], v);

    // Only what is given changes; --no-follow-up clears the follow-up.
    let v = env.ok(&["update", &id(&a), "--no-follow-up"]);
    assert_eq!(v["follow_up_required"], false);
    assert_eq!(v["follow_up_date"], Value::Null);
    assert_eq!(v["reason"], "Dolor de cabeza");
    assert_eq!(v["diagnosis"], "Migraña");

    // Active but not scheduled: still editable.
    status(&env, &id(&a), "in_progress");
    let v = env.ok(&["update", &id(&a), "--notes", "En consulta"]);
    assert_eq!(v["notes"], "En consulta");
    assert_eq!(v["status"], "in_progress");
    assert_eq!(
        history_types(&env, &id(&a)),
        [
            "appointment.booked",
            "appointment.updated",
            "appointment.updated",
            "appointment.in_progress",
            "appointment.updated"
        ]
    );
}

#[test]
fn update_refuses_final_appointments() {
    let mut env = Env::clinic();
    let done = env.book("2026-06-15", "09:00", P1);
    env.ok(&["status", &id(&done), "completed", "--diagnosis", "OK"]);
    let gone = env.book("2026-06-15", "09:30", P2);
    env.ok(&["cancel", &id(&gone), "--reason", "Sick"]);
    let absent = env.book("2026-06-15", "10:00", P3);
    env.at("2026-06-15T16:30:00Z");
    status(&env, &id(&absent), "no_show");
    let before = env.snapshot();
    for a in [&done, &gone, &absent] {
        env.fails(
            &["update", &id(a), "--notes", "late note"],
            "INVALID_STATE_TRANSITION",
            5,
        );
    }
    assert_eq!(env.snapshot(), before);
}

// ---------------------------------------------------------------- history

#[test]
fn history_lists_every_event_oldest_first_with_the_full_object() {
    let mut env = Env::clinic();
    let booked = env.book("2026-06-16", "10:00", P1);
    let a_id = id(&booked);
    env.at("2026-06-15T14:05:00Z");
    let confirmed = status(&env, &a_id, "confirmed");
    env.at("2026-06-15T14:10:00Z");
    let updated = env.ok(&["update", &a_id, "--notes", "Ayuno"]);
    env.at("2026-06-15T14:15:00Z");
    let moved = env.ok(&[
        "reschedule",
        &a_id,
        "--date",
        "2026-06-16",
        "--time",
        "11:00",
    ]);
    env.at("2026-06-15T14:20:00Z");
    let cancelled = env.ok(&["cancel", &a_id, "--reason", "Viaje"]);

    // Another appointment's events do not show up.
    env.book("2026-06-16", "12:00", P2);

    let h = env.ok(&["history", &a_id[..8]]);
    assert_eq!(h.as_object().unwrap().len(), 3, "{h}");
    assert_eq!(h["appointment_id"], a_id.as_str());
    // Its reminders, cancelled with it; none of the other appointment's.
    let messages = h["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4, "{h}");
    assert!(messages
        .iter()
        .all(|m| m["appointment_id"] == a_id.as_str() && m["status"] == "cancelled"));
    let events = h["events"].as_array().unwrap();
    let expected = [
        ("appointment.booked", MONDAY_8AM, &booked),
        ("appointment.confirmed", "2026-06-15T14:05:00Z", &confirmed),
        ("appointment.updated", "2026-06-15T14:10:00Z", &updated),
        ("appointment.rescheduled", "2026-06-15T14:15:00Z", &moved),
        ("appointment.cancelled", "2026-06-15T14:20:00Z", &cancelled),
    ];
    assert_eq!(events.len(), expected.len(), "{h}");
    let mut last_id = i64::MIN;
    for (e, (kind, at, obj)) in events.iter().zip(expected) {
        let mut keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "actor",
                "appointment_id",
                "created_at",
                "data",
                "id",
                "type"
            ],
            "{e}"
        );
        assert_eq!(e["type"], kind);
        assert_eq!(e["appointment_id"], a_id.as_str());
        assert_eq!(e["created_at"], at, "{kind}");
        assert_eq!(&e["data"]["appointment"], obj, "{kind}");
        let n = e["id"].as_i64().expect("integer event id");
        assert!(n > last_id, "events oldest first");
        last_id = n;
    }
    assert_eq!(
        events.last().unwrap()["data"]["appointment"],
        env.ok(&["show", &a_id])
    );
}

#[test]
fn changes_to_an_unknown_appointment_are_not_found() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", P1);
    let before = env.snapshot();
    let unknown = "00000000-0000-4000-8000-000000000000";
    env.fails(&["cancel", unknown, "--reason", "x"], "NOT_FOUND", 3);
    env.fails(&["status", unknown, "confirmed"], "NOT_FOUND", 3);
    env.fails(
        &[
            "reschedule",
            unknown,
            "--date",
            "2026-06-16",
            "--time",
            "11:00",
        ],
        "NOT_FOUND",
        3,
    );
    env.fails(&["update", unknown, "--notes", "x"], "NOT_FOUND", 3);
    env.fails(&["history", unknown], "NOT_FOUND", 3);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn reschedule_accepts_an_rfc3339_start() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let r = env.ok(&["reschedule", &id(&a), "--at", "2026-06-16T11:30:00-06:00"]);
    assert_eq!(r["date"], "2026-06-16");
    assert_eq!(r["start_time"], "11:30");
    assert_eq!(r["starts_at"], "2026-06-16T17:30:00Z");
    assert_eq!(r["token_number"], a["token_number"]);
    let r = env.ok(&["reschedule", &id(&a), "--at", "2026-06-17T15:00:00Z"]);
    assert_eq!(r["date"], "2026-06-17");
    assert_eq!(r["start_time"], "09:00");
}

#[test]
fn reschedule_onto_a_day_the_patient_is_already_booked_is_a_duplicate() {
    let env = Env::clinic();
    let tue = env.book("2026-06-16", "10:00", P1);
    let wed = env.book("2026-06-17", "10:00", P1);
    let before = env.snapshot();
    let d = env.fails(
        &[
            "reschedule",
            &id(&wed),
            "--date",
            "2026-06-16",
            "--time",
            "11:00",
        ],
        "DUPLICATE_BOOKING",
        4,
    );
    assert_eq!(d["existing_appointment_id"], tue["id"]);
    assert_eq!(env.snapshot(), before);
    // Once the other is cancelled the day is free for this patient.
    env.ok(&["cancel", &id(&tue), "--reason", "Moving"]);
    let r = env.ok(&[
        "reschedule",
        &id(&wed),
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
    ]);
    assert_eq!(r["date"], "2026-06-16");
}

#[test]
fn arriving_happens_on_the_visits_day_not_before() {
    // docs/rules.md#statuses: checked_in, in_progress and completed only on or after the
    // appointment's local date.
    let mut env = Env::clinic();
    let next_week = env.book("2026-06-22", "10:00", P1);
    for to in ["checked_in", "in_progress", "completed"] {
        let d = env.refused(
            &["status", &id(&next_week), to, "--diagnosis", "x"],
            "INVALID_STATE_TRANSITION",
            5,
        );
        assert_eq!(d["to"], to, "{d}");
    }
    // Confirming ahead is fine; on the day (early, before the start) arriving is too.
    env.ok(&["status", &id(&next_week), "confirmed"]);
    env.at("2026-06-22T13:00:00Z");
    let v = status(&env, &id(&next_week), "checked_in");
    assert_eq!(v["status"], "checked_in");
}

#[test]
fn reschedule_with_only_a_time_or_only_a_date_keeps_the_other() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let v = env.ok(&["reschedule", &id(&a), "--time", "11:30"]);
    assert_eq!(
        (s(&v["date"]), s(&v["start_time"])),
        ("2026-06-16", "11:30")
    );
    let v = env.ok(&["reschedule", &id(&a), "--date", "2026-06-18"]);
    assert_eq!(
        (s(&v["date"]), s(&v["start_time"])),
        ("2026-06-18", "11:30")
    );
    // A move to the time it already has changes nothing and records nothing.
    let before = env.snapshot();
    let v = env.ok(&["reschedule", &id(&a), "--time", "11:30"]);
    assert_eq!(v["start_time"], "11:30");
    assert_eq!(env.snapshot(), before, "a no-op move wrote something");
    let h = env.ok(&["history", &id(&a)]);
    assert_eq!(h["events"].as_array().unwrap().len(), 3, "{h}");
    // Neither flag: named as missing.
    let d = env.fails(&["reschedule", &id(&a)], "VALIDATION_ERROR", 2);
    assert!(d.get("date").is_some() || d.get("time").is_some(), "{d}");
}

#[test]
fn a_booking_that_renames_a_patient_says_so() {
    // Family members share phones: a new name replaces the old one (
    // docs/rules.md#booking rule 9), and the confirmation and the event say so.
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", P1);
    let b = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--time",
        "10:00",
        "--phone",
        P1,
        "--name",
        "Hija Paciente",
    ]);
    assert_eq!(b["patient_previous_name"], "Test Patient");
    assert_eq!(b["appointment"]["patient"]["full_name"], "Hija Paciente");
    let h = env.ok(&["history", s(&b["appointment"]["id"])]);
    assert_eq!(
        h["events"][0]["data"]["patient_previous_name"],
        "Test Patient"
    );
    let out = env
        .cmd()
        .args([
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-18",
            "--time",
            "10:00",
            "--phone",
            P1,
            "--name",
            "Test Patient",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("was named Hija Paciente: now Test Patient"),
        "{text}"
    );
    // The same name again is no rename.
    let c = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-19",
        "--time",
        "10:00",
        "--phone",
        P1,
        "--name",
        "Test Patient",
    ]);
    assert_eq!(c["patient_previous_name"], Value::Null);
}
