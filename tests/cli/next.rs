//! Tests: `appt next`, the first free slots across days and doctors.

use crate::common::{s, Env};
use serde_json::Value;

fn firsts(v: &Value) -> Vec<(String, String, String)> {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                s(&x["date"]).to_string(),
                s(&x["start_time"]).to_string(),
                s(&x["doctor"]["full_name"]).to_string(),
            )
        })
        .collect()
}

fn clinic_with_two_doctors() -> Env {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dra. López", "--specialty", "Pediatría"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dra. López",
        "--days",
        "mon-fri",
        "--from",
        "08:00",
        "--to",
        "09:00",
    ]);
    env
}

#[test]
fn the_first_time_anyone_can_see_the_patient() {
    let mut env = clinic_with_two_doctors();
    // Monday 08:20: López's 08:30 comes before García's 09:00.
    env.at("2026-06-15T14:20:00Z");
    let v = env.ok(&["next", "--limit", "3"]);
    assert_eq!(
        firsts(&v),
        [
            ("2026-06-15".into(), "08:30".into(), "Dra. López".into()),
            ("2026-06-15".into(), "09:00".into(), "Dr. García".into()),
            ("2026-06-15".into(), "09:30".into(), "Dr. García".into()),
        ]
    );
    let first = &v["slots"][0];
    for field in [
        "starts_at",
        "ends_at",
        "remaining",
        "window_id",
        "doctor_id",
        "date",
        "end_time",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    // Booked and closed times are skipped, days on.
    env.ok(&[
        "book",
        "--doctor",
        "Dra. López",
        "--date",
        "2026-06-15",
        "--time",
        "08:30",
        "--phone",
        "+50370000001",
        "--name",
        "Niña",
    ]);
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-15",
        "--to",
        "2026-06-16",
        "--reason",
        "Congreso",
    ]);
    let v = env.ok(&["next", "--limit", "2"]);
    assert_eq!(
        firsts(&v),
        [
            ("2026-06-16".into(), "08:00".into(), "Dra. López".into()),
            ("2026-06-16".into(), "08:30".into(), "Dra. López".into()),
        ]
    );
    // One specialty (typed without accents), one doctor, from a date on.
    let v = env.ok(&["next", "--specialty", "medicina general", "-n", "1"]);
    assert_eq!(
        firsts(&v),
        [("2026-06-17".into(), "09:00".into(), "Dr. García".into())]
    );
    let v = env.ok(&[
        "next",
        "--doctor",
        "dra lopez",
        "--after",
        "2026-06-19",
        "-n",
        "1",
    ]);
    assert_eq!(
        firsts(&v),
        [("2026-06-19".into(), "08:00".into(), "Dra. López".into())]
    );
    // A service's length: only slots it fits in (López's window ends at 09:00).
    env.ok(&["service", "add", "Larga", "--minutes", "90"]);
    let v = env.ok(&["next", "--service", "Larga", "-n", "1"]);
    assert_eq!(v["slots"][0]["doctor"]["full_name"], "Dr. García");
    assert_eq!(v["slots"][0]["end_time"], "10:30");
    // A clinic closure closes every doctor's day.
    env.ok(&[
        "closure",
        "add",
        "--clinic",
        "Central",
        "--from",
        "2026-06-17",
        "--to",
        "2026-06-17",
        "--reason",
        "Feriado",
    ]);
    let v = env.ok(&["next", "-n", "1", "--after", "2026-06-17"]);
    assert_eq!(
        firsts(&v),
        [("2026-06-18".into(), "08:00".into(), "Dra. López".into())]
    );
    // Nobody of that specialty.
    env.fails(&["next", "--specialty", "Cardiología"], "NOT_FOUND", 3);
    env.fails(&["next", "--limit", "0"], "VALIDATION_ERROR", 2);
}
