//! Tests: `appt book`, SPEC §5.2 rule by rule.

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
    // Every field of SPEC §6 is present.
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
    ] {
        assert!(a.get(f).is_some(), "missing {f}");
    }
    assert_eq!(a.as_object().unwrap().len(), 36);
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
