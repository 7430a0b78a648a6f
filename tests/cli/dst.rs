//! Tests: daylight saving time, docs/rules.md#windows-and-slots — local times become instants with the
//! clinic's zone; slots are laid out in elapsed time; a spring-forward gap is
//! `NONEXISTENT_LOCAL_TIME`; a fall-back fold means its earlier instant unless
//! `--at` gives the offset.
//!
//! New York (EST UTC-5 / EDT UTC-4) springs forward on 2026-03-08 at 02:00 and
//! falls back on 2026-11-01 at 02:00. El Salvador (UTC-6) has no DST.

use crate::common::{s, Env};
use serde_json::{json, Value};

const NEW_YORK: &str = "America/New_York";
const EL_SALVADOR: &str = "America/El_Salvador";

/// A clinic in `tz` with Dr. Night and no windows yet; the clock is 2026-03-01
/// 12:00 UTC, before both changes.
fn clinic_in(tz: &str) -> Env {
    let mut env = Env::new();
    env.at("2026-03-01T12:00:00Z");
    env.ok(&["clinic", "add", "Branch", "--timezone", tz]);
    env.ok(&["doctor", "add", "Dr. Night"]);
    env
}

/// A one-date window for Dr. Night.
fn date_window(env: &Env, date: &str, from: &str, to: &str, slot: &str) -> Value {
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. Night",
        "--date",
        date,
        "--from",
        from,
        "--to",
        to,
        "--slot-minutes",
        slot,
    ])
}

fn slots(env: &Env, date: &str) -> Value {
    env.ok(&["slots", "--doctor", "Dr. Night", "--date", date])
}

/// (start_time, starts_at) of every slot.
fn starts(v: &Value) -> Vec<(String, String)> {
    v["slots"]
        .as_array()
        .unwrap_or_else(|| panic!("no slots array: {v}"))
        .iter()
        .map(|x| {
            (
                s(&x["start_time"]).to_string(),
                s(&x["starts_at"]).to_string(),
            )
        })
        .collect()
}

fn pairs(xs: &[(&str, &str)]) -> Vec<(String, String)> {
    xs.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn book_args<'a>(when: &[&'a str], phone: &'a str) -> Vec<&'a str> {
    let mut args = vec!["book", "--doctor", "Dr. Night"];
    args.extend_from_slice(when);
    args.extend_from_slice(&["--phone", phone, "--name", "Paciente"]);
    args
}

fn book(env: &Env, when: &[&str], phone: &str) -> Value {
    env.ok(&book_args(when, phone))["appointment"].clone()
}

#[test]
fn a_time_in_the_spring_forward_gap_is_refused_and_nothing_is_written() {
    let env = clinic_in(NEW_YORK);
    date_window(&env, "2026-03-08", "00:00", "06:00", "30");
    let before = env.snapshot();
    let d = env.fails(
        &book_args(&["--date", "2026-03-08", "--time", "02:30"], "+50370000001"),
        "NONEXISTENT_LOCAL_TIME",
        5,
    );
    assert_eq!(d["date"], "2026-03-08", "{d}");
    assert_eq!(d["time"], "02:30", "{d}");
    assert_eq!(d["timezone"], NEW_YORK, "{d}");
    assert_eq!(env.snapshot(), before, "a refused booking changes nothing");
    env.fails(
        &book_args(&["--date", "2026-03-08", "--time", "02:00"], "+50370000001"),
        "NONEXISTENT_LOCAL_TIME",
        5,
    );
    assert_eq!(env.snapshot(), before);
    // Either side of the gap exists.
    let a = book(
        &env,
        &["--date", "2026-03-08", "--time", "01:30"],
        "+50370000001",
    );
    assert_eq!(a["starts_at"], "2026-03-08T06:30:00Z");
    assert_eq!(a["start_time"], "01:30");
    assert_eq!(a["end_time"], "03:00", "01:30 EST + 30 min is 03:00 EDT");
    let b = book(
        &env,
        &["--date", "2026-03-08", "--time", "03:00"],
        "+50370000002",
    );
    assert_eq!(b["starts_at"], "2026-03-08T07:00:00Z");
    assert_eq!(b["start_time"], "03:00");
}

#[test]
fn the_same_local_time_books_fine_in_el_salvador() {
    let env = clinic_in(EL_SALVADOR);
    date_window(&env, "2026-03-08", "00:00", "06:00", "30");
    let a = book(
        &env,
        &["--date", "2026-03-08", "--time", "02:30"],
        "+50370000001",
    );
    assert_eq!(a["starts_at"], "2026-03-08T08:30:00Z");
    assert_eq!(a["date"], "2026-03-08");
    assert_eq!(a["start_time"], "02:30");
    assert_eq!(a["end_time"], "03:00");
    assert_eq!(a["timezone"], EL_SALVADOR);
}

#[test]
fn a_spring_forward_window_keeps_elapsed_time() {
    let env = clinic_in(NEW_YORK);
    date_window(&env, "2026-03-08", "00:00", "06:00", "60");
    let v = slots(&env, "2026-03-08");
    assert_eq!(v["timezone"], NEW_YORK);
    assert_eq!(
        starts(&v),
        pairs(&[
            ("00:00", "2026-03-08T05:00:00Z"),
            ("01:00", "2026-03-08T06:00:00Z"),
            ("03:00", "2026-03-08T07:00:00Z"),
            ("04:00", "2026-03-08T08:00:00Z"),
            ("05:00", "2026-03-08T09:00:00Z"),
        ]),
        "five hours of elapsed time, no 02:00: {v}"
    );
    let one = &v["slots"][1];
    assert_eq!(one["end_time"], "03:00", "01:00 EST + 1h is 03:00 EDT");
    assert_eq!(one["ends_at"], "2026-03-08T07:00:00Z");
    let last = &v["slots"][4];
    assert_eq!(last["end_time"], "06:00");
    assert_eq!(last["ends_at"], "2026-03-08T10:00:00Z");

    let es = clinic_in(EL_SALVADOR);
    date_window(&es, "2026-03-08", "00:00", "06:00", "60");
    let v = slots(&es, "2026-03-08");
    assert_eq!(
        starts(&v),
        pairs(&[
            ("00:00", "2026-03-08T06:00:00Z"),
            ("01:00", "2026-03-08T07:00:00Z"),
            ("02:00", "2026-03-08T08:00:00Z"),
            ("03:00", "2026-03-08T09:00:00Z"),
            ("04:00", "2026-03-08T10:00:00Z"),
            ("05:00", "2026-03-08T11:00:00Z"),
        ]),
        "{v}"
    );
}

#[test]
fn an_ambiguous_time_is_the_earlier_instant_unless_at_gives_the_offset() {
    let env = clinic_in(NEW_YORK);
    date_window(&env, "2026-11-01", "00:00", "04:00", "30");
    let first = book(
        &env,
        &["--date", "2026-11-01", "--time", "01:30"],
        "+50370000001",
    );
    assert_eq!(first["starts_at"], "2026-11-01T05:30:00Z", "01:30 EDT");
    assert_eq!(first["ends_at"], "2026-11-01T06:00:00Z");
    assert_eq!(first["date"], "2026-11-01");
    assert_eq!(first["start_time"], "01:30");

    // The later 01:30 (EST) is another instant: it does not conflict.
    let second = book(&env, &["--at", "2026-11-01T01:30:00-05:00"], "+50370000002");
    assert_eq!(second["starts_at"], "2026-11-01T06:30:00Z", "01:30 EST");
    assert_eq!(second["ends_at"], "2026-11-01T07:00:00Z");
    assert_eq!(second["date"], "2026-11-01");
    assert_eq!(second["start_time"], "01:30");
    assert_ne!(first["id"], second["id"]);
    let listed = env.ok(&["list", "--date", "2026-11-01"]);
    assert_eq!(listed["total"], 2, "{listed}");

    // 01:30 again means the earlier instant, which is now taken by the first.
    let d = env.fails(
        &book_args(&["--date", "2026-11-01", "--time", "01:30"], "+50370000003"),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], first["id"]);
    // So does --at with the summer offset.
    let d = env.fails(
        &book_args(&["--at", "2026-11-01T01:30:00-04:00"], "+50370000003"),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], first["id"]);
    let d = env.fails(
        &book_args(&["--at", "2026-11-01T06:30:00Z"], "+50370000003"),
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], second["id"]);

    // Both 01:30 slots are taken; both 01:00 slots are free.
    let v = env.ok(&[
        "slots",
        "--doctor",
        "Dr. Night",
        "--date",
        "2026-11-01",
        "--all",
    ]);
    let taken: Vec<(String, String)> = v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["available"] == false)
        .map(|x| {
            assert_eq!(x["reason"], "APPOINTMENT_CONFLICT", "{x}");
            (
                s(&x["start_time"]).to_string(),
                s(&x["starts_at"]).to_string(),
            )
        })
        .collect();
    assert_eq!(
        taken,
        pairs(&[
            ("01:30", "2026-11-01T05:30:00Z"),
            ("01:30", "2026-11-01T06:30:00Z"),
        ])
    );
}

#[test]
fn a_fall_back_window_shows_the_repeated_hour_twice() {
    let env = clinic_in(NEW_YORK);
    date_window(&env, "2026-11-01", "00:00", "04:00", "60");
    let v = slots(&env, "2026-11-01");
    assert_eq!(
        starts(&v),
        pairs(&[
            ("00:00", "2026-11-01T04:00:00Z"),
            ("01:00", "2026-11-01T05:00:00Z"),
            ("01:00", "2026-11-01T06:00:00Z"),
            ("02:00", "2026-11-01T07:00:00Z"),
            ("03:00", "2026-11-01T08:00:00Z"),
        ]),
        "five hours of elapsed time: {v}"
    );
    assert_eq!(
        v["slots"][1]["end_time"], "01:00",
        "01:00 EDT + 1h is 01:00 EST"
    );
    assert_eq!(v["slots"][4]["end_time"], "04:00");
    assert_eq!(v["slots"][4]["ends_at"], "2026-11-01T09:00:00Z");

    let es = clinic_in(EL_SALVADOR);
    date_window(&es, "2026-11-01", "00:00", "04:00", "60");
    let v = slots(&es, "2026-11-01");
    assert_eq!(
        starts(&v),
        pairs(&[
            ("00:00", "2026-11-01T06:00:00Z"),
            ("01:00", "2026-11-01T07:00:00Z"),
            ("02:00", "2026-11-01T08:00:00Z"),
            ("03:00", "2026-11-01T09:00:00Z"),
        ])
    );
}

#[test]
fn a_weekly_window_stays_at_local_time_across_both_changes() {
    let env = clinic_in(NEW_YORK);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. Night",
        "--days",
        "mon-sun",
        "--from",
        "09:00",
        "--to",
        "17:00",
        "--slot-minutes",
        "60",
    ]);
    // (date, UTC instant of 09:00 local)
    let cases = [
        ("2026-03-07", "2026-03-07T14:00:00Z"), // Saturday, EST
        ("2026-03-08", "2026-03-08T13:00:00Z"), // the change day, EDT by 09:00
        ("2026-03-09", "2026-03-09T13:00:00Z"), // Monday, EDT
        ("2026-10-31", "2026-10-31T13:00:00Z"), // Saturday, EDT
        ("2026-11-01", "2026-11-01T14:00:00Z"), // the change day, EST by 09:00
        ("2026-11-02", "2026-11-02T14:00:00Z"), // Monday, EST
    ];
    for (date, utc) in cases {
        let v = slots(&env, date);
        let got = starts(&v);
        assert_eq!(got.len(), 8, "{date}: 09:00–17:00 is eight hours: {v}");
        assert_eq!(got[0], (String::from("09:00"), utc.to_string()), "{date}");
        let locals: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            locals,
            ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"],
            "{date}"
        );
        assert_eq!(v["slots"][7]["end_time"], "17:00", "{date}");
    }
    // A booking at 09:00 lands on the same instants.
    let sat = book(
        &env,
        &["--date", "2026-03-07", "--time", "09:00"],
        "+50370000001",
    );
    assert_eq!(sat["starts_at"], "2026-03-07T14:00:00Z");
    let mon = book(
        &env,
        &["--date", "2026-03-09", "--time", "09:00"],
        "+50370000001",
    );
    assert_eq!(mon["starts_at"], "2026-03-09T13:00:00Z");
    let sat = book(
        &env,
        &["--date", "2026-10-31", "--time", "09:00"],
        "+50370000001",
    );
    assert_eq!(sat["starts_at"], "2026-10-31T13:00:00Z");
    let mon = book(
        &env,
        &["--date", "2026-11-02", "--time", "09:00"],
        "+50370000001",
    );
    assert_eq!(mon["starts_at"], "2026-11-02T14:00:00Z");
    assert_eq!(mon["start_time"], "09:00");

    // El Salvador does not move.
    let es = clinic_in(EL_SALVADOR);
    es.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. Night",
        "--days",
        "mon-sun",
        "--from",
        "09:00",
        "--to",
        "17:00",
        "--slot-minutes",
        "60",
    ]);
    for (date, _) in cases {
        let got = starts(&slots(&es, date));
        assert_eq!(
            got[0],
            (String::from("09:00"), format!("{date}T15:00:00Z")),
            "{date}"
        );
    }
}

#[test]
fn slots_on_a_change_day_offer_what_booking_accepts() {
    // Every slot offered on both change days can be booked at its starts_at.
    let env = clinic_in(NEW_YORK);
    date_window(&env, "2026-03-08", "00:00", "06:00", "60");
    date_window(&env, "2026-11-01", "00:00", "04:00", "60");
    for date in ["2026-03-08", "2026-11-01"] {
        let offered = starts(&slots(&env, date));
        for (i, (_, at)) in offered.iter().enumerate() {
            let phone = format!("+5037000{:04}", i + 1);
            let mut args = book_args(&["--at", at], &phone);
            args.extend_from_slice(&["--reason", date]);
            let a = env.ok(&args)["appointment"].clone();
            assert_eq!(&a["starts_at"], &json!(at), "{date}");
            assert_eq!(a["date"], date);
        }
        assert_eq!(
            slots(&env, date)["slots"],
            json!([]),
            "{date} is fully booked"
        );
    }
}

/// `appt ARGS` without --json: (stdout, stderr, exit code).
fn human(env: &Env, args: &[&str]) -> (String, String, i32) {
    let out = env.cmd().args(args).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn on_a_clock_change_day_human_output_shows_each_time_with_its_offset() {
    let env = clinic_in(NEW_YORK);
    date_window(&env, "2026-11-01", "00:00", "03:00", "30");
    date_window(&env, "2026-11-02", "00:00", "03:00", "30");
    let (text, _, code) = human(
        &env,
        &["slots", "--doctor", "Dr. Night", "--date", "2026-11-01"],
    );
    assert_eq!(code, 0);
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("01:")).collect();
    for want in [
        "01:00 -04–01:30 -04",
        "01:30 -04–01:00 -05",
        "01:00 -05–01:30 -05",
    ] {
        assert!(
            rows.iter().any(|r| r.contains(want)),
            "{want} not in\n{text}"
        );
    }
    let mut seen = rows.clone();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), rows.len(), "two rows read the same:\n{text}");
    // The day after, and El Salvador that night, need no offsets.
    let (plain, _, _) = human(
        &env,
        &["slots", "--doctor", "Dr. Night", "--date", "2026-11-02"],
    );
    assert!(
        plain.contains("01:00–01:30") && !plain.contains(" -05"),
        "{plain}"
    );
    let es = clinic_in(EL_SALVADOR);
    date_window(&es, "2026-11-01", "00:00", "03:00", "30");
    let (plain, _, _) = human(
        &es,
        &["slots", "--doctor", "Dr. Night", "--date", "2026-11-01"],
    );
    assert!(
        plain.contains("01:30–02:00") && !plain.contains(" -06"),
        "{plain}"
    );

    // The conflict hint tells the two 01:00s apart, and suggested_at books the one meant.
    book(
        &env,
        &["--date", "2026-11-01", "--time", "01:00"],
        "+12125550111",
    );
    let taken = book_args(&["--date", "2026-11-01", "--time", "01:00"], "+12125550112");
    let (_, err, code) = human(&env, &taken);
    assert_eq!(code, 4);
    assert!(
        err.contains("hint: free later that day at 01:30 -04, 01:00 -05, 01:30 -05"),
        "{err}"
    );
    let d = env.fails(&taken, "APPOINTMENT_CONFLICT", 4);
    assert_eq!(d["suggested_times"], json!(["01:30", "01:00", "01:30"]));
    assert_eq!(
        d["suggested_at"],
        json!([
            "2026-11-01T05:30:00Z",
            "2026-11-01T06:00:00Z",
            "2026-11-01T06:30:00Z"
        ])
    );
    let later = book(&env, &["--at", "2026-11-01T06:00:00Z"], "+12125550112");
    assert_eq!(later["start_time"], "01:00");
    assert_eq!(later["starts_at"], "2026-11-01T06:00:00Z");
    // The time as the hint shows it books that very instant.
    let shown = book(
        &env,
        &["--date", "2026-11-01", "--time", "01:30 -05"],
        "+12125550113",
    );
    assert_eq!(shown["starts_at"], "2026-11-01T06:30:00Z");
    env.fails(
        &book_args(
            &["--date", "2026-11-01", "--time", "01:30 -06"],
            "+12125550114",
        ),
        "VALIDATION_ERROR",
        2,
    );
    let (list, _, _) = human(&env, &["list", "--date", "2026-11-01"]);
    assert!(
        list.contains("01:00 -04") && list.contains("01:00 -05"),
        "{list}"
    );
}
