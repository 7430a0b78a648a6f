//! Tests: `appt slots`, docs/rules.md#windows-and-slots — the JSON shape, the grid, what removes a
//! slot (closures, closed windows, notice, past, horizon, capacity) and `--all`.
//!
//! The clock is the fixture's Monday 2026-06-15 08:00 in El Salvador (UTC-6).

use crate::common::{s, Env};
use serde_json::{json, Value};

/// `appt slots --doctor Dr. García --date DATE [extra…]`.
fn slots(env: &Env, date: &str, extra: &[&str]) -> Value {
    let mut args = vec!["slots", "--doctor", "Dr. García", "--date", date];
    args.extend_from_slice(extra);
    env.ok(&args)
}

/// The `start_time`s of a slots answer, in order.
fn times(v: &Value) -> Vec<String> {
    v["slots"]
        .as_array()
        .unwrap_or_else(|| panic!("no slots array: {v}"))
        .iter()
        .map(|x| s(&x["start_time"]).to_string())
        .collect()
}

/// The `--all` slot starting at `hhmm` (the first one, if a fold repeats it).
fn slot_at<'a>(v: &'a Value, hhmm: &str) -> &'a Value {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["start_time"] == hhmm)
        .unwrap_or_else(|| panic!("no slot at {hhmm}: {v}"))
}

/// (start_time, reason) for every slot of an `--all` answer; reason is "" when available.
fn reasons(v: &Value) -> Vec<(String, String)> {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let available = x["available"]
                .as_bool()
                .unwrap_or_else(|| panic!("no `available` in {x}"));
            if available {
                assert!(x["reason"].is_null(), "available slot with a reason: {x}");
            } else {
                assert!(
                    x["reason"].is_string(),
                    "unavailable slot without a reason: {x}"
                );
            }
            (
                s(&x["start_time"]).to_string(),
                x["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn strs(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

const MORNING: [&str; 8] = [
    "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
];

/// Books a doctor (any) with extra flags; returns the appointment.
fn book(env: &Env, who: &[&str], date: &str, time: &str, phone: &str, extra: &[&str]) -> Value {
    let mut args = vec!["book"];
    args.extend_from_slice(who);
    args.extend_from_slice(&[
        "--date", date, "--time", time, "--phone", phone, "--name", "Paciente",
    ]);
    args.extend_from_slice(extra);
    env.ok(&args)["appointment"].clone()
}

#[test]
fn json_has_exactly_the_spec_shape() {
    let env = Env::new();
    let clinic = env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    let doctor = env.ok(&["doctor", "add", "Dr. García"]);
    let window = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
        "--session",
        "Morning",
        "--batch",
        "MA",
    ]);
    let v = slots(&env, "2026-06-15", &[]);
    let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want_top = vec![
        "doctor_id",
        "clinic_id",
        "date",
        "timezone",
        "duration_minutes",
        "slots",
    ];
    want_top.sort();
    let mut got_top = top.clone();
    got_top.sort();
    assert_eq!(got_top, want_top, "{v}");
    assert_eq!(v["doctor_id"], doctor["id"]);
    assert_eq!(v["clinic_id"], clinic["id"]);
    assert_eq!(v["date"], "2026-06-15");
    assert_eq!(v["timezone"], "America/El_Salvador");
    assert_eq!(v["duration_minutes"], 30);
    assert_eq!(times(&v), strs(&MORNING));
    assert_eq!(
        v["slots"][0],
        json!({
            "start_time": "09:00",
            "end_time": "09:30",
            "starts_at": "2026-06-15T15:00:00Z",
            "ends_at": "2026-06-15T15:30:00Z",
            "remaining": 1,
            "window_id": window["id"],
            "session": "Morning",
            "batch": "MA",
        })
    );
    let last = &v["slots"][7];
    assert_eq!(last["start_time"], "12:30");
    assert_eq!(last["end_time"], "13:00");
    assert_eq!(last["starts_at"], "2026-06-15T18:30:00Z");
    assert_eq!(last["ends_at"], "2026-06-15T19:00:00Z");
    // Without --all there is no `available`/`reason`: every slot listed is free.
    for x in v["slots"].as_array().unwrap() {
        assert_eq!(x.as_object().unwrap().len(), 8, "{x}");
    }
}

#[test]
fn grid_starts_at_the_window_from_every_slot_minutes() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. Ruiz"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. Ruiz",
        "--days",
        "mon-fri",
        "--from",
        "09:10",
        "--to",
        "10:30",
        "--slot-minutes",
        "20",
    ]);
    let v = env.ok(&["slots", "--doctor", "Dr. Ruiz", "--date", "2026-06-15"]);
    assert_eq!(times(&v), strs(&["09:10", "09:30", "09:50", "10:10"]));
    assert_eq!(
        v["duration_minutes"], 20,
        "no service, no --duration: the window's slot"
    );
    assert_eq!(v["slots"][3]["end_time"], "10:30");
    assert_eq!(v["slots"][0]["session"], Value::Null);
    assert_eq!(v["slots"][0]["batch"], Value::Null);
}

#[test]
fn duration_comes_from_the_flag_then_the_service_then_the_window() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Long Consult", "--minutes", "60"]);

    let v = slots(&env, "2026-06-15", &["--duration", "60"]);
    assert_eq!(v["duration_minutes"], 60);
    assert_eq!(
        times(&v),
        strs(&["09:00", "10:00", "11:00", "12:00"]),
        "60-minute slots that can all be booked: 09:30 would overlap 09:00's"
    );
    assert_eq!(v["slots"][0]["end_time"], "10:00");
    assert_eq!(v["slots"][0]["ends_at"], "2026-06-15T16:00:00Z");
    assert_eq!(v["slots"][3]["end_time"], "13:00");

    // --all shows 12:30 with the reason a booking would give.
    let all = slots(&env, "2026-06-15", &["--duration", "60", "--all"]);
    assert_eq!(times(&all), strs(&MORNING));
    assert_eq!(slot_at(&all, "12:30")["available"], false);
    assert_eq!(slot_at(&all, "12:30")["reason"], "INVALID_TIME_SLOT");

    let v = slots(&env, "2026-06-15", &["--service", "long consult"]);
    assert_eq!(v["duration_minutes"], 60, "the service's duration");
    assert_eq!(times(&v), strs(&["09:00", "10:00", "11:00", "12:00"]));
    assert_eq!(v["slots"][0]["end_time"], "10:00");

    let v = slots(
        &env,
        "2026-06-15",
        &["--service", "Long Consult", "--duration", "90"],
    );
    assert_eq!(v["duration_minutes"], 90, "--duration beats the service");
    assert_eq!(times(&v), strs(&["09:00", "10:30"]));
    assert_eq!(v["slots"][0]["end_time"], "10:30");

    let v = slots(&env, "2026-06-15", &["--service", "General Checkup"]);
    assert_eq!(v["duration_minutes"], 30);
    assert_eq!(times(&v), strs(&MORNING));

    let v = slots(&env, "2026-06-15", &[]);
    assert_eq!(v["duration_minutes"], 30, "the window's slot_minutes");
    assert_eq!(times(&v), strs(&MORNING));
}

#[test]
fn a_bad_duration_or_service_is_refused() {
    let env = Env::clinic();
    let d = env.fails(
        &[
            "slots",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
            "--duration",
            "4",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("duration").is_some(), "{d}");
    env.fails(
        &[
            "slots",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
            "--service",
            "Nope",
        ],
        "INVALID_APPOINTMENT_TYPE",
        5,
    );
    env.fails(
        &["slots", "--doctor", "Dr. Nadie", "--date", "2026-06-15"],
        "NOT_FOUND",
        3,
    );
    let d = env.fails(
        &["slots", "--doctor", "Dr. García", "--date", "15/06/2026"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("date").is_some(), "{d}");
}

#[test]
fn a_doctor_closure_removes_the_day() {
    let env = Env::clinic();
    assert_eq!(times(&slots(&env, "2026-06-16", &[])), strs(&MORNING));
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-16",
        "--reason",
        "Leave",
    ]);
    let v = slots(&env, "2026-06-16", &[]);
    assert_eq!(v["slots"], json!([]), "{v}");
    let all = slots(&env, "2026-06-16", &["--all"]);
    let r = reasons(&all);
    assert_eq!(r.len(), 8, "--all still lists the grid: {all}");
    assert!(
        r.iter().all(|(_, why)| why == "OUTSIDE_AVAILABILITY"),
        "a closure refuses as OUTSIDE_AVAILABILITY: {r:?}"
    );
    // The days around it are untouched.
    assert_eq!(times(&slots(&env, "2026-06-15", &[])), strs(&MORNING));
    assert_eq!(times(&slots(&env, "2026-06-17", &[])), strs(&MORNING));
}

#[test]
fn a_clinic_closure_removes_the_day_for_doctors_and_clinic_wide() {
    let env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "15:00",
    ]);
    env.ok(&[
        "--clinic",
        "Central",
        "closure",
        "add",
        "--from",
        "2026-06-16",
        "--to",
        "2026-06-17",
        "--reason",
        "Holiday",
    ]);
    for date in ["2026-06-16", "2026-06-17"] {
        assert_eq!(slots(&env, date, &[])["slots"], json!([]), "{date}");
        let cw = env.ok(&["slots", "--clinic-wide", "--date", date]);
        assert_eq!(cw["slots"], json!([]), "{date} clinic-wide: {cw}");
    }
    assert_eq!(times(&slots(&env, "2026-06-18", &[])), strs(&MORNING));
    let cw = env.ok(&["slots", "--clinic-wide", "--date", "2026-06-18"]);
    assert_eq!(times(&cw), strs(&["14:00", "14:30"]));
}

#[test]
fn a_date_window_replaces_the_weekly_ones_on_its_date() {
    let env = Env::clinic();
    let dated = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--from",
        "14:00",
        "--to",
        "15:00",
        "--session",
        "Afternoon",
    ]);
    let v = slots(&env, "2026-06-17", &[]);
    assert_eq!(times(&v), strs(&["14:00", "14:30"]));
    assert_eq!(v["slots"][0]["window_id"], dated["id"]);
    assert_eq!(v["slots"][0]["session"], "Afternoon");
    assert_eq!(v["slots"][0]["starts_at"], "2026-06-17T20:00:00Z");
    assert_eq!(times(&slots(&env, "2026-06-16", &[])), strs(&MORNING));
    assert_eq!(times(&slots(&env, "2026-06-18", &[])), strs(&MORNING));
    // A date window on a day with no weekly window adds that day.
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-20",
        "--from",
        "10:00",
        "--to",
        "11:00",
    ]);
    assert_eq!(
        times(&slots(&env, "2026-06-20", &[])),
        strs(&["10:00", "10:30"])
    );
    assert_eq!(slots(&env, "2026-06-27", &[])["slots"], json!([]));
}

#[test]
fn valid_from_and_valid_to_bound_a_weekly_window_inclusively() {
    let env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "sat",
        "--from",
        "09:00",
        "--to",
        "10:00",
        "--valid-from",
        "2026-06-27",
        "--valid-to",
        "2026-07-04",
    ]);
    assert_eq!(slots(&env, "2026-06-20", &[])["slots"], json!([]));
    assert_eq!(
        times(&slots(&env, "2026-06-27", &[])),
        strs(&["09:00", "09:30"])
    );
    assert_eq!(
        times(&slots(&env, "2026-07-04", &[])),
        strs(&["09:00", "09:30"])
    );
    assert_eq!(slots(&env, "2026-07-11", &[])["slots"], json!([]));
}

#[test]
fn a_closed_window_offers_nothing_and_all_says_slot_inactive() {
    let env = Env::clinic();
    let w = env.ok(&["window", "list", "--doctor", "Dr. García"])["windows"][0].clone();
    assert_eq!(times(&slots(&env, "2026-06-15", &[])), strs(&MORNING));
    env.ok(&["window", "close", s(&w["id"])]);
    assert_eq!(slots(&env, "2026-06-15", &[])["slots"], json!([]));
    let all = slots(&env, "2026-06-15", &["--all"]);
    assert_eq!(
        reasons(&all),
        MORNING
            .iter()
            .map(|t| (t.to_string(), "SLOT_INACTIVE".to_string()))
            .collect::<Vec<_>>()
    );
    env.ok(&["window", "open", s(&w["id"])]);
    assert_eq!(times(&slots(&env, "2026-06-15", &[])), strs(&MORNING));
}

#[test]
fn minimum_notice_hides_the_early_slots() {
    let env = Env::clinic();
    assert_eq!(times(&slots(&env, "2026-06-15", &[]))[0], "09:00");
    env.ok(&["clinic", "update", "Central", "--min-notice", "2h"]);
    // Now is 08:00: the earliest start is 10:00, which is allowed.
    let v = slots(&env, "2026-06-15", &[]);
    assert_eq!(
        times(&v),
        strs(&["10:00", "10:30", "11:00", "11:30", "12:00", "12:30"])
    );
    let all = slots(&env, "2026-06-15", &["--all"]);
    let r = reasons(&all);
    assert_eq!(r[0], ("09:00".into(), "INSUFFICIENT_NOTICE".into()));
    assert_eq!(r[1], ("09:30".into(), "INSUFFICIENT_NOTICE".into()));
    assert_eq!(r[2], ("10:00".into(), String::new()));
    // The next day is far enough.
    assert_eq!(times(&slots(&env, "2026-06-16", &[])), strs(&MORNING));
}

#[test]
fn past_slots_are_gone_and_all_says_past_appointment() {
    let mut env = Env::clinic();
    env.at("2026-06-15T16:10:00Z"); // 10:10 local
    let v = slots(&env, "2026-06-15", &[]);
    assert_eq!(
        times(&v),
        strs(&["10:30", "11:00", "11:30", "12:00", "12:30"])
    );
    let r = reasons(&slots(&env, "2026-06-15", &["--all"]));
    for t in ["09:00", "09:30", "10:00"] {
        assert!(
            r.contains(&(t.to_string(), "PAST_APPOINTMENT".to_string())),
            "{t}: {r:?}"
        );
    }
    // A start exactly at now is past too; past is judged before notice.
    env.at("2026-06-15T16:00:00Z");
    env.ok(&["clinic", "update", "Central", "--min-notice", "2h"]);
    let r = reasons(&slots(&env, "2026-06-15", &["--all"]));
    assert_eq!(
        r,
        vec![
            ("09:00".to_string(), "PAST_APPOINTMENT".to_string()),
            ("09:30".into(), "PAST_APPOINTMENT".into()),
            ("10:00".into(), "PAST_APPOINTMENT".into()),
            ("10:30".into(), "INSUFFICIENT_NOTICE".into()),
            ("11:00".into(), "INSUFFICIENT_NOTICE".into()),
            ("11:30".into(), "INSUFFICIENT_NOTICE".into()),
            ("12:00".into(), String::new()),
            ("12:30".into(), String::new()),
        ]
    );
    // A day in the past offers nothing.
    assert_eq!(slots(&env, "2026-06-12", &[])["slots"], json!([]));
}

#[test]
fn the_horizon_cuts_off_far_slots() {
    let env = Env::clinic();
    assert_eq!(times(&slots(&env, "2026-06-17", &[])), strs(&MORNING));
    // Now is Monday 08:00; 1d1h later is Tuesday 09:00, which is still allowed.
    env.ok(&["clinic", "update", "Central", "--horizon", "1d1h"]);
    let v = slots(&env, "2026-06-16", &[]);
    assert_eq!(times(&v), strs(&["09:00"]));
    let r = reasons(&slots(&env, "2026-06-16", &["--all"]));
    assert_eq!(r[0], ("09:00".into(), String::new()));
    assert!(
        r[1..].iter().all(|(_, why)| why == "BEYOND_HORIZON"),
        "{r:?}"
    );
    assert_eq!(slots(&env, "2026-06-17", &[])["slots"], json!([]));
    assert_eq!(times(&slots(&env, "2026-06-15", &[])), strs(&MORNING));
}

#[test]
fn all_lists_every_grid_slot_with_why_not() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let free = slots(&env, "2026-06-15", &[]);
    assert_eq!(
        times(&free),
        strs(&["09:00", "09:30", "10:30", "11:00", "11:30", "12:00", "12:30"])
    );
    let all = slots(&env, "2026-06-15", &["--all"]);
    let r = reasons(&all);
    assert_eq!(r.len(), 8);
    for (t, why) in &r {
        let want = if t == "10:00" {
            "APPOINTMENT_CONFLICT"
        } else {
            ""
        };
        assert_eq!(why, want, "{t}");
    }
    assert_eq!(slot_at(&all, "10:00")["remaining"], 0);
    assert_eq!(slot_at(&all, "09:30")["remaining"], 1);
    for x in all["slots"].as_array().unwrap() {
        assert_eq!(
            x.as_object().unwrap().len(),
            10,
            "8 fields + available + reason: {x}"
        );
    }
    // A 60-minute request overlapping the booking is refused for its whole length.
    let r = reasons(&slots(&env, "2026-06-15", &["--all", "--duration", "60"]));
    assert_eq!(r[1], ("09:30".into(), "APPOINTMENT_CONFLICT".into()));
    assert_eq!(r[2], ("10:00".into(), "APPOINTMENT_CONFLICT".into()));
    assert_eq!(
        r[0],
        ("09:00".into(), String::new()),
        "09:00–10:00 ends as it starts"
    );
    assert_eq!(r[3], ("10:30".into(), String::new()));
    // Cancelling frees the slot again.
    env.ok(&["cancel", s(&a["id"]), "--reason", "Patient called"]);
    assert_eq!(times(&slots(&env, "2026-06-15", &[])), strs(&MORNING));
}

/// A clinic with Dr. Ruiz, capacity 2, Mon–Fri 09:00–11:00 on a 30-minute grid.
fn capacity_two() -> Env {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. Ruiz"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. Ruiz",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "11:00",
        "--capacity",
        "2",
    ]);
    env
}

fn ruiz(env: &Env, extra: &[&str]) -> Value {
    let mut args = vec!["slots", "--doctor", "Dr. Ruiz", "--date", "2026-06-15"];
    args.extend_from_slice(extra);
    env.ok(&args)
}

#[test]
fn capacity_counts_down_and_a_full_slot_is_slot_full() {
    let env = capacity_two();
    let v = ruiz(&env, &[]);
    assert_eq!(v["slots"][0]["remaining"], 2);
    book(
        &env,
        &["--doctor", "Dr. Ruiz"],
        "2026-06-15",
        "09:00",
        "+50370000001",
        &[],
    );
    let v = ruiz(&env, &[]);
    assert_eq!(times(&v), strs(&["09:00", "09:30", "10:00", "10:30"]));
    assert_eq!(slot_at(&v, "09:00")["remaining"], 1);
    assert_eq!(slot_at(&v, "09:30")["remaining"], 2);
    book(
        &env,
        &["--doctor", "Dr. Ruiz"],
        "2026-06-15",
        "09:00",
        "+50370000002",
        &[],
    );
    let v = ruiz(&env, &[]);
    assert_eq!(times(&v), strs(&["09:30", "10:00", "10:30"]));
    let all = ruiz(&env, &["--all"]);
    let full = slot_at(&all, "09:00");
    assert_eq!(full["available"], false);
    assert_eq!(full["reason"], "SLOT_FULL");
    assert_eq!(full["remaining"], 0);
    // Booking agrees with what slots said.
    let d = env.fails(
        &[
            "book",
            "--doctor",
            "Dr. Ruiz",
            "--date",
            "2026-06-15",
            "--time",
            "09:00",
            "--phone",
            "+50370000003",
            "--name",
            "C",
        ],
        "SLOT_FULL",
        4,
    );
    assert_eq!(d["capacity"], 2);
}

#[test]
fn capacity_is_judged_over_the_whole_length() {
    let env = capacity_two();
    for p in ["+50370000001", "+50370000002"] {
        book(
            &env,
            &["--doctor", "Dr. Ruiz"],
            "2026-06-15",
            "09:30",
            p,
            &[],
        );
    }
    // 30 minutes at 09:00 ends as the two start: free.
    let v = ruiz(&env, &[]);
    assert_eq!(times(&v), strs(&["09:00", "10:00", "10:30"]));
    assert_eq!(slot_at(&v, "09:00")["remaining"], 2);
    // 60 minutes at 09:00 runs into them: full.
    let v = ruiz(&env, &["--duration", "60"]);
    assert_eq!(times(&v), strs(&["10:00"]));
    let r = reasons(&ruiz(&env, &["--duration", "60", "--all"]));
    assert_eq!(r[0], ("09:00".into(), "SLOT_FULL".into()));
    assert_eq!(r[1], ("09:30".into(), "SLOT_FULL".into()));
    assert_eq!(r[2], ("10:00".into(), String::new()));
    assert_eq!(r[3], ("10:30".into(), "INVALID_TIME_SLOT".into()));
}

#[test]
fn back_to_back_bookings_do_not_add_up() {
    // Capacity counts appointments overlapping at any one instant: 09:00–09:30 and
    // 09:30–10:00 never overlap, so 09:00–10:00 still has one place left of two.
    let env = capacity_two();
    book(
        &env,
        &["--doctor", "Dr. Ruiz"],
        "2026-06-15",
        "09:00",
        "+50370000001",
        &[],
    );
    book(
        &env,
        &["--doctor", "Dr. Ruiz"],
        "2026-06-15",
        "09:30",
        "+50370000002",
        &[],
    );
    let v = ruiz(&env, &["--duration", "60", "--all"]);
    assert_eq!(slot_at(&v, "09:00")["remaining"], 1);
    assert_eq!(slot_at(&v, "09:30")["remaining"], 1);
    assert_eq!(slot_at(&v, "10:00")["remaining"], 2);
    // Offered: the ones that can all be booked (09:30 would take 09:00's
    // last place).
    let v = ruiz(&env, &["--duration", "60"]);
    assert_eq!(times(&v), strs(&["09:00", "10:00"]));
    book(
        &env,
        &["--doctor", "Dr. Ruiz"],
        "2026-06-15",
        "09:00",
        "+50370000003",
        &["--duration", "60"],
    );
    let r = reasons(&ruiz(&env, &["--all"]));
    assert_eq!(r[0], ("09:00".into(), "SLOT_FULL".into()));
    assert_eq!(r[1], ("09:30".into(), "SLOT_FULL".into()));
    assert_eq!(r[2], ("10:00".into(), String::new()));
}

#[test]
fn clinic_wide_windows_count_each_service_apart() {
    let env = Env::clinic();
    let clinic = env.ok(&["clinic", "show", "Central"]);
    env.ok(&["service", "add", "Vaccination", "--minutes", "30"]);
    env.ok(&["service", "add", "Lab Test", "--minutes", "30"]);
    let w = env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "10:00",
        "--session",
        "Nursing",
        "--batch",
        "N1",
    ]);
    let v = env.ok(&[
        "slots",
        "--clinic-wide",
        "--date",
        "2026-06-15",
        "--service",
        "Vaccination",
    ]);
    assert_eq!(v["doctor_id"], Value::Null);
    assert!(
        v.as_object().unwrap().contains_key("doctor_id"),
        "doctor_id present as null"
    );
    assert_eq!(v["clinic_id"], clinic["id"]);
    assert_eq!(v["timezone"], "America/El_Salvador");
    assert_eq!(times(&v), strs(&["09:00", "09:30"]));
    assert_eq!(v["slots"][0]["window_id"], w["id"]);
    assert_eq!(v["slots"][0]["batch"], "N1");
    // Dr. García's own window is not clinic-wide.
    assert!(v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["window_id"] == w["id"]));

    book(
        &env,
        &["--clinic-wide"],
        "2026-06-15",
        "09:00",
        "+50370000001",
        &["--service", "Vaccination"],
    );
    let vac = env.ok(&[
        "slots",
        "--clinic-wide",
        "--date",
        "2026-06-15",
        "--service",
        "Vaccination",
    ]);
    assert_eq!(times(&vac), strs(&["09:30"]));
    let vac_all = env.ok(&[
        "slots",
        "--clinic-wide",
        "--date",
        "2026-06-15",
        "--service",
        "Vaccination",
        "--all",
    ]);
    assert_eq!(slot_at(&vac_all, "09:00")["reason"], "APPOINTMENT_CONFLICT");
    let lab = env.ok(&[
        "slots",
        "--clinic-wide",
        "--date",
        "2026-06-15",
        "--service",
        "Lab Test",
    ]);
    assert_eq!(
        times(&lab),
        strs(&["09:00", "09:30"]),
        "another service counts apart"
    );
    assert_eq!(slot_at(&lab, "09:00")["remaining"], 1);
    book(
        &env,
        &["--clinic-wide"],
        "2026-06-15",
        "09:00",
        "+50370000002",
        &["--service", "Lab Test"],
    );
    let lab = env.ok(&[
        "slots",
        "--clinic-wide",
        "--date",
        "2026-06-15",
        "--service",
        "Lab Test",
    ]);
    assert_eq!(times(&lab), strs(&["09:30"]));
    // Neither clinic-wide booking holds Dr. García.
    assert_eq!(times(&slots(&env, "2026-06-15", &[])), strs(&MORNING));
}

#[test]
fn session_filter_keeps_only_that_session() {
    let env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "16:00",
        "--session",
        "Afternoon",
    ]);
    let every = slots(&env, "2026-06-15", &[]);
    assert_eq!(times(&every).len(), 12);
    let pm = slots(&env, "2026-06-15", &["--session", "Afternoon"]);
    assert_eq!(times(&pm), strs(&["14:00", "14:30", "15:00", "15:30"]));
    assert!(pm["slots"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["session"] == "Afternoon"));
    let am = slots(&env, "2026-06-15", &["--session", "morning"]);
    assert_eq!(times(&am), strs(&MORNING));
    assert!(am["slots"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["session"] == "Morning"));
    let none = slots(&env, "2026-06-15", &["--session", "Evening"]);
    assert_eq!(none["slots"], json!([]));
}

#[test]
fn dates_today_tomorrow_and_plus_n_are_the_clinics_local_dates() {
    let mut env = Env::clinic();
    let today = slots(&env, "today", &[]);
    assert_eq!(today["date"], "2026-06-15");
    assert_eq!(today["slots"][0]["starts_at"], "2026-06-15T15:00:00Z");
    assert_eq!(slots(&env, "tomorrow", &[])["date"], "2026-06-16");
    let plus = slots(&env, "+3", &[]);
    assert_eq!(plus["date"], "2026-06-18");
    assert_eq!(plus["slots"][0]["starts_at"], "2026-06-18T15:00:00Z");
    assert_eq!(slots(&env, "+0", &[])["date"], "2026-06-15");
    // 2026-06-16 03:00 UTC is still Monday evening in El Salvador.
    env.at("2026-06-16T03:00:00Z");
    assert_eq!(slots(&env, "today", &[])["date"], "2026-06-15");
    assert_eq!(slots(&env, "tomorrow", &[])["date"], "2026-06-16");
    let tue = slots(&env, "tomorrow", &[]);
    assert_eq!(times(&tue), strs(&MORNING));
}

#[test]
fn a_doctors_appointments_at_another_clinic_count() {
    // Dr. García also works 13:00–17:00 in New York (UTC-4 in June): 13:00 there is
    // 11:00 in El Salvador, so a booking at Central at 11:00 holds that hour.
    // `window add` refuses such a window (it meets the Central one in real time), so
    // it is written straight into the file, as an older database might hold it:
    // capacity must still count the doctor's appointments at every clinic.
    let env = Env::clinic();
    let manhattan = env.ok(&[
        "clinic",
        "add",
        "Manhattan",
        "--timezone",
        "America/New_York",
    ]);
    let refused = env.fails(
        &[
            "--clinic",
            "Manhattan",
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "mon-fri",
            "--from",
            "13:00",
            "--to",
            "17:00",
        ],
        "WINDOW_OVERLAP",
        4,
    );
    assert_eq!(refused["window"], "mon-fri 09:00-13:00");
    let doctor = env.ok(&["doctor", "show", "Dr. García"]);
    env.exec(&format!(
        "INSERT INTO windows (id, clinic_id, doctor_id, weekdays, start_minute, end_minute, slot_minutes, \
         capacity, open, created_at) VALUES ({}, {}, {}, 31, 780, 1020, 30, 1, 1, 0)",
        env.id_literal("00000000-0000-4000-8000-000000000001"),
        env.id_literal(s(&manhattan["id"])),
        env.id_literal(s(&doctor["id"]))
    ));
    let ny = |env: &Env| {
        env.ok(&[
            "--clinic",
            "Manhattan",
            "slots",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
        ])
    };
    let before = ny(&env);
    assert_eq!(before["timezone"], "America/New_York");
    assert_eq!(
        slot_at(&before, "13:00")["starts_at"],
        "2026-06-15T17:00:00Z"
    );
    book(
        &env,
        &["--doctor", "Dr. García", "--clinic", "Central"],
        "2026-06-15",
        "11:00",
        "+50370000001",
        &[],
    );
    let after = ny(&env);
    assert_eq!(times(&after)[0], "13:30", "{after}");
    let all = env.ok(&[
        "--clinic",
        "Manhattan",
        "slots",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--all",
    ]);
    assert_eq!(slot_at(&all, "13:00")["reason"], "APPOINTMENT_CONFLICT");
}

/// A doctor named by its whole ID, as scripts and the API name one, is read
/// with its clinics at once (docs/performance.md) and judged as one named by
/// name: one with windows at two clinics needs `--clinic`, and an inactive
/// one is not found (docs/rules.md#booking, rule 2).
#[test]
fn a_doctor_named_by_id_at_two_clinics_needs_one_and_inactive_is_not_found() {
    let env = Env::clinic();
    let id = s(&env.ok(&["doctor", "show", "Dr. García"])["id"]).to_string();
    let args = ["slots", "--doctor", &id, "--date", "2026-06-16"];
    assert_eq!(times(&env.ok(&args))[0], "09:00");

    env.ok(&["clinic", "add", "Sur", "--timezone", "America/El_Salvador"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--clinic",
        "Sur",
        "--days",
        "sat",
        "--from",
        "08:00",
        "--to",
        "10:00",
    ]);
    let e = env.refused(&args, "VALIDATION_ERROR", 2);
    assert_eq!(
        e["clinic"], "Dr. García works at several clinics: give --clinic",
        "{e}"
    );
    let at_sur = [
        "slots",
        "--doctor",
        &id,
        "--clinic",
        "Sur",
        "--date",
        "2026-06-20",
    ];
    assert_eq!(times(&env.ok(&at_sur))[0], "08:00");

    env.ok(&["doctor", "update", "Dr. García", "--active", "false"]);
    env.refused(&args, "NOT_FOUND", 3);
}

/// Issue 43: a 40-minute service on a 30-minute grid offered eleven
/// "free" slots from 08:00 to 14:00 that overlapped and could not all be
/// booked. Offered now are those that can all be had together.
#[test]
fn a_service_longer_than_the_grid_is_offered_slots_that_can_all_be_booked() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Prenatal", "--minutes", "40"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--from",
        "08:00",
        "--to",
        "14:00",
    ]);
    let v = slots(&env, "2026-06-16", &["--service", "Prenatal"]);
    assert_eq!(v["duration_minutes"], 40);
    assert_eq!(
        times(&v),
        strs(&["08:00", "09:00", "10:00", "11:00", "12:00", "13:00"])
    );
    let all = slots(&env, "2026-06-16", &["--service", "Prenatal", "--all"]);
    let alone = all["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["available"] == true)
        .count();
    assert_eq!(
        alone, 11,
        "--all still says which times could be booked alone"
    );
    // Every one offered can be booked, one after the other.
    for (i, t) in times(&v).iter().enumerate() {
        let phone = format!("+5037000010{i}");
        env.ok(&[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            t,
            "--service",
            "Prenatal",
            "--phone",
            &phone,
            "--name",
            "Paciente",
        ]);
    }
    assert!(times(&slots(&env, "2026-06-16", &["--service", "Prenatal"])).is_empty());
    // A 30-minute visit at 08:00 leaves the 40-minute ones to start at 08:30.
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--from",
        "08:00",
        "--to",
        "14:00",
    ]);
    env.book("2026-06-17", "08:00", "+50370000201");
    let v = slots(&env, "2026-06-17", &["--service", "Prenatal"]);
    assert_eq!(
        times(&v),
        strs(&["08:30", "09:30", "10:30", "11:30", "12:30"])
    );
    // The table says the same, in both languages.
    for lang in ["en", "es"] {
        let out = env
            .cmd()
            .env("APPT_LANG", lang)
            .args([
                "slots",
                "-d",
                "Dr. García",
                "-D",
                "2026-06-17",
                "-s",
                "Prenatal",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("08:30") && text.contains("09:30"), "{text}");
        assert!(
            !text.contains("09:00"),
            "09:00 would overlap 08:30's: {text}"
        );
    }
}
