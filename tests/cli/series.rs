//! Tests: series (docs/rules.md#series) — `book --repeat`, all or nothing or
//! `--skip-conflicts`, one confirmation, reminders per occurrence, `cancel
//! --series`, `reschedule --series`, `list --series`, DST in New York and
//! London, a kill inside the transaction, the API, import and exports.

use crate::common::{kill_at, s, Env, PG_KEY};
use crate::concurrency::race;
use crate::serve::{token, Server};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Tuesday 16 June 2026 (the suite's clock is Monday 15 June, 08:00 in El Salvador).
const TUE: &str = "2026-06-16";

fn series_args<'a>(date: &'a str, time: &'a str, phone: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
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
        "Ana López",
    ];
    args.extend_from_slice(more);
    args
}

/// Each occurrence as (date, local start time).
fn when(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| (s(&a["date"]).to_string(), s(&a["start_time"]).to_string()))
        .collect()
}

fn field<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a[key]))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_weekly_series_books_each_date_at_the_same_local_time_under_one_series_id() {
    let env = Env::clinic();
    let v = env.ok(&series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "weekly", "--count", "4"],
    ));
    let id = s(&v["series_id"]).to_string();
    assert_eq!(id.len(), 36, "{v}");
    assert_eq!(v["idempotent"], false);
    assert_eq!(v["skipped"], json!([]));
    let list = &v["appointments"];
    assert_eq!(
        when(list),
        pairs(&[
            ("2026-06-16", "09:00"),
            ("2026-06-23", "09:00"),
            ("2026-06-30", "09:00"),
            ("2026-07-07", "09:00")
        ])
    );
    assert!(field(list, "series_id").iter().all(|x| *x == id));
    // One patient for all; each its own appointment, token and booked event.
    let patients: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["patient"]["id"]))
        .collect();
    assert!(patients.iter().all(|p| *p == patients[0]));
    assert_eq!(env.rows("SELECT count(*) FROM patients"), [["1"]]);
    assert_eq!(
        env.rows(&format!(
            "SELECT count(*) FROM events WHERE {}",
            crate::common::event_is("appointment.booked")
        )),
        [["4"]]
    );
    // `list --series` by the ID, a prefix of it, or an occurrence's ID.
    for key in [id.as_str(), &id[..8], s(&list[2]["id"])] {
        let got = env.ok(&["list", "--series", key]);
        assert_eq!(when(&got["appointments"]), when(list), "{key}");
    }
    // What the booking answered is what was stored, every field of every occurrence.
    assert_eq!(env.ok(&["list", "--series", &id])["appointments"], *list);
    // `show` names the series; a single booking has none.
    assert_eq!(
        env.ok(&["show", s(&list[1]["id"])])["series_id"],
        id.as_str()
    );
    let single = env.book(TUE, "11:00", "+50370000002");
    assert_eq!(single["series_id"], Value::Null);
    env.fails(
        &["list", "--series", s(&single["id"])],
        "VALIDATION_ERROR",
        2,
    );
    env.fails(&["list", "--series", "ffffffff"], "NOT_FOUND", 3);
    // The desk's words, in Spanish.
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(series_args(
            TUE,
            "12:00",
            "+50370000003",
            &["--repeat", "weekly", "--count", "2"],
        ))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("Reservadas 2 citas de la serie "),
        "{said}"
    );
    // El Salvador keeps one offset all year: the same UTC time each week.
    let utc: Vec<&str> = field(list, "starts_at").iter().map(|t| &t[11..]).collect();
    assert!(utc.iter().all(|t| *t == "15:00:00Z"), "{utc:?}");
}

#[test]
fn daily_every_n_and_until_pick_the_dates_and_more_than_104_is_refused() {
    let env = Env::clinic();
    // Every 2 days from Tuesday until Monday the 22nd; Thursday is in, Saturday has no window.
    let v = env.ok(&series_args(
        TUE,
        "10:00",
        "+50370000001",
        &[
            "--repeat",
            "daily",
            "--every",
            "2",
            "--until",
            "2026-06-22",
            "--skip-conflicts",
        ],
    ));
    assert_eq!(
        when(&v["appointments"]),
        pairs(&[
            ("2026-06-16", "10:00"),
            ("2026-06-18", "10:00"),
            ("2026-06-22", "10:00")
        ])
    );
    assert_eq!(
        v["skipped"],
        json!([{"date": "2026-06-20", "code": "OUTSIDE_AVAILABILITY", "message": "No availability on Saturday 20 June 2026"}])
    );
    // Over the most, by count or by until; a bad frequency, step or end.
    for (more, field) in [
        (vec!["--repeat", "weekly", "--count", "105"], "count"),
        (vec!["--repeat", "daily", "--until", "2026-12-31"], "until"),
        (
            vec!["--repeat", "weekly", "--every", "0", "--count", "2"],
            "every",
        ),
        (vec!["--repeat", "weekly"], "count"),
        (vec!["--repeat", "weekly", "--until", "2026-06-01"], "until"),
    ] {
        let d = env.refused(
            &series_args(TUE, "11:00", "+50370000002", &more),
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get(field).is_some(), "{more:?}: {d}");
    }
    // Flags a series needs, and a walk-in, are usage errors before anything runs.
    env.refused(
        &series_args(TUE, "11:00", "+50370000002", &["--count", "3"]),
        "USAGE_ERROR",
        2,
    );
    env.refused(
        &series_args(
            TUE,
            "11:00",
            "+50370000002",
            &["--repeat", "monthly", "--count", "3"],
        ),
        "USAGE_ERROR",
        2,
    );
}

#[test]
fn one_occurrence_refused_books_nothing_and_lists_each_failing_date_with_suggestions() {
    let env = Env::clinic();
    env.book("2026-06-30", "09:00", "+50370000009");
    env.ok(&[
        "closure",
        "add",
        "--from",
        "2026-07-07",
        "--to",
        "2026-07-07",
        "--reason",
        "Feriado",
    ]);
    let d = env.refused(
        &series_args(
            TUE,
            "09:00",
            "+50370000001",
            &["--repeat", "weekly", "--count", "4"],
        ),
        "SERIES_REFUSED",
        4,
    );
    assert_eq!(d["total"], 4);
    let occ = &d["occurrences"];
    assert_eq!(field(occ, "date"), ["2026-06-30", "2026-07-07"]);
    assert_eq!(
        field(occ, "code"),
        ["APPOINTMENT_CONFLICT", "OUTSIDE_AVAILABILITY"]
    );
    assert_eq!(
        occ[0]["message"],
        "Doctor is not available at the requested time"
    );
    assert_eq!(
        occ[0]["suggested_times"],
        json!(["09:30", "10:00", "10:30"])
    );
    assert_eq!(occ[1]["message"], "Closed on Tuesday 7 July 2026: Feriado");
    assert_eq!(occ[1]["suggested_times"], json!([]));
    // The human answer names the dates and the way out.
    let out = env
        .cmd()
        .args(series_args(
            TUE,
            "09:00",
            "+50370000001",
            &["--repeat", "weekly", "--count", "4"],
        ))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("2 of 4 occurrences cannot be booked (2026-06-30 APPOINTMENT_CONFLICT, 2026-07-07 OUTSIDE_AVAILABILITY)"),
        "{said}"
    );
    assert!(said.contains("--skip-conflicts"), "{said}");
    // With --skip-conflicts the other two are booked and the two listed.
    let v = env.ok(&series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "weekly", "--count", "4", "--skip-conflicts"],
    ));
    assert_eq!(
        field(&v["appointments"], "date"),
        ["2026-06-16", "2026-06-23"]
    );
    assert_eq!(
        field(&v["skipped"], "code"),
        ["APPOINTMENT_CONFLICT", "OUTSIDE_AVAILABILITY"]
    );
    // When no occurrence can be booked, --skip-conflicts books nothing either.
    env.refused(
        &series_args(
            TUE,
            "09:00",
            "+50370000002",
            &["--repeat", "weekly", "--count", "2", "--skip-conflicts"],
        ),
        "SERIES_REFUSED",
        4,
    );
}

#[test]
fn each_occurrence_meets_every_booking_rule_daily_limits_and_duplicates_included() {
    let env = Env::clinic();
    env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "1"]);
    env.book("2026-06-17", "12:00", "+50370000009");
    let d = env.refused(
        &series_args(
            TUE,
            "10:00",
            "+50370000001",
            &["--repeat", "daily", "--count", "3"],
        ),
        "SERIES_REFUSED",
        4,
    );
    assert_eq!(field(&d["occurrences"], "code"), ["DAILY_LIMIT"]);
    assert_eq!(field(&d["occurrences"], "date"), ["2026-06-17"]);
    // The patient's own visit that day is a duplicate (the clinic checks them).
    env.ok(&["doctor", "update", "Dr. García", "--max-per-day", "none"]);
    env.ok(&["clinic", "update", "Central", "--duplicate-check", "on"]);
    env.book("2026-06-18", "12:00", "+50370000001");
    let d = env.refused(
        &series_args(
            TUE,
            "10:00",
            "+50370000001",
            &["--repeat", "daily", "--count", "3"],
        ),
        "SERIES_REFUSED",
        4,
    );
    assert_eq!(field(&d["occurrences"], "code"), ["DUPLICATE_BOOKING"]);
    assert_eq!(field(&d["occurrences"], "date"), ["2026-06-18"]);
}

#[test]
fn one_confirmation_covers_the_series_and_each_reminder_goes_once() {
    let mut env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--notify", "on"]);
    let v = env.ok(&series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "daily", "--count", "3"],
    ));
    let ids: Vec<String> = field(&v["appointments"], "id")
        .iter()
        .map(|x| x.to_string())
        .collect();
    let lines = env.sweep_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["kind"], "confirmation");
    assert_eq!(lines[0]["appointment"]["id"], ids[0].as_str());
    let text = s(&lines[0]["message"]);
    assert!(
        text.contains(
            "booked for Tuesday 16 June at 09:00 (3 visits, the last on Thursday 18 June)"
        ),
        "{text}"
    );
    // Each occurrence has its own 24 h and 2 h reminders, sent once however
    // many sweeps run.
    let mut sent: HashMap<(String, String), usize> = HashMap::new();
    for now in [
        "2026-06-15T15:00:00Z",
        "2026-06-16T13:00:00Z",
        "2026-06-16T13:01:00Z",
        "2026-06-16T15:00:00Z",
        "2026-06-17T13:00:00Z",
        "2026-06-17T15:00:00Z",
        "2026-06-17T15:02:00Z",
        "2026-06-18T13:00:00Z",
        "2026-06-18T13:05:00Z",
    ] {
        env.at(now);
        for l in env.sweep_lines() {
            let key = (
                s(&l["appointment"]["id"]).to_string(),
                l["offset"].to_string(),
            );
            *sent.entry(key).or_default() += 1;
        }
    }
    assert_eq!(sent.len(), 6, "{sent:?}");
    assert!(sent.values().all(|n| *n == 1), "{sent:?}");
    for id in &ids {
        assert_eq!(sent.keys().filter(|(a, _)| a == id).count(), 2, "{id}");
    }
}

#[test]
fn the_confirmation_reads_in_spanish_at_a_spanish_clinic() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--notify",
        "on",
        "--language",
        "es",
    ]);
    env.ok(&series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "weekly", "--count", "10"],
    ));
    let lines = env.sweep_lines();
    assert_eq!(lines.len(), 1);
    let text = s(&lines[0]["message"]);
    assert!(
        text.contains("quedó reservada para el martes 16 de junio a las 09:00 (10 citas, la última el martes 18 de agosto)"),
        "{text}"
    );
}

#[test]
fn cancel_series_cancels_the_occurrence_and_every_later_active_one_in_one_go() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--notify", "on"]);
    let v = env.ok(&series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "weekly", "--count", "4"],
    ));
    let ids: Vec<String> = field(&v["appointments"], "id")
        .iter()
        .map(|x| x.to_string())
        .collect();
    env.sweep_lines();
    // The last one was cancelled already: left as it is.
    env.ok(&["cancel", &ids[3], "--reason", "Viaje"]);
    env.sweep_lines();
    let got = env.ok(&["cancel", &ids[1], "--series", "--reason", "Alta médica"]);
    assert_eq!(got["series_id"], v["series_id"]);
    assert_eq!(
        field(&got["appointments"], "id"),
        [ids[1].as_str(), ids[2].as_str()]
    );
    let rows = env.rows(&format!(
        "SELECT {}, coalesce(cancellation_reason, '') FROM appointments WHERE series_id = '{}' ORDER BY starts_at",
        crate::common::status_name("status"),
        s(&v["series_id"])
    ));
    assert_eq!(
        rows,
        [
            ["scheduled", ""],
            ["cancelled", "Alta médica"],
            ["cancelled", "Alta médica"],
            ["cancelled", "Viaje"]
        ]
    );
    // One message for the patient, from the first one cancelled.
    let lines = env.sweep_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["kind"], "cancelled");
    assert_eq!(lines[0]["appointment"]["id"], ids[1].as_str());
    assert!(
        s(&lines[0]["message"]).contains(
            "The rest of the series is cancelled with it (2 visits, the last on Tuesday 30 June)"
        ),
        "{}",
        lines[0]["message"]
    );
    // A single appointment has no series; a reason is required.
    let single = env.book(TUE, "11:00", "+50370000002");
    let d = env.refused(
        &["cancel", s(&single["id"]), "--series", "--reason", "x"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("series").is_some(), "{d}");
    env.refused(&["cancel", &ids[0], "--series"], "VALIDATION_ERROR", 2);
}

#[test]
fn reschedule_series_moves_every_later_occurrence_to_the_new_time_or_none() {
    let env = Env::clinic();
    let v = env.ok(&series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "weekly", "--count", "3"],
    ));
    let ids: Vec<String> = field(&v["appointments"], "id")
        .iter()
        .map(|x| x.to_string())
        .collect();
    let blocker = env.book("2026-06-30", "11:00", "+50370000009");
    let d = env.refused(
        &["reschedule", &ids[1], "--series", "--time", "11:00"],
        "SERIES_REFUSED",
        4,
    );
    assert_eq!(field(&d["occurrences"], "date"), ["2026-06-30"]);
    assert_eq!(field(&d["occurrences"], "code"), ["APPOINTMENT_CONFLICT"]);
    env.ok(&["cancel", s(&blocker["id"]), "--reason", "x"]);
    let got = env.ok(&["reschedule", &ids[1], "--series", "--time", "11:00"]);
    assert_eq!(
        when(&got["appointments"]),
        pairs(&[("2026-06-23", "11:00"), ("2026-06-30", "11:00")])
    );
    let all = env.ok(&["list", "--series", &ids[0]]);
    assert_eq!(
        when(&all["appointments"]),
        pairs(&[
            ("2026-06-16", "09:00"),
            ("2026-06-23", "11:00"),
            ("2026-06-30", "11:00")
        ])
    );
    assert_eq!(
        env.rows(&format!(
            "SELECT count(*) FROM events WHERE {}",
            crate::common::event_is("appointment.rescheduled")
        )),
        [["2"]]
    );
    // A series moves by --time alone; on a single appointment it is refused.
    env.refused(
        &[
            "reschedule",
            &ids[1],
            "--series",
            "--time",
            "10:00",
            "--date",
            "2026-06-24",
        ],
        "USAGE_ERROR",
        2,
    );
    env.refused(&["reschedule", &ids[1], "--series"], "USAGE_ERROR", 2);
    let single = env.book(TUE, "12:00", "+50370000002");
    env.refused(
        &[
            "reschedule",
            s(&single["id"]),
            "--series",
            "--time",
            "12:30",
        ],
        "VALIDATION_ERROR",
        2,
    );
}

/// A clinic in `zone` whose doctor works every day from 00:00 to 12:00 (the
/// small hours of DST changes included).
fn clinic_in(zone: &str) -> Env {
    let mut env = Env::new();
    env.at("2026-02-01T12:00:00Z");
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        zone,
        "--notify",
        "off",
    ]);
    env.ok(&["doctor", "add", "Dr. García"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon-sun",
        "--from",
        "00:00",
        "--to",
        "12:00",
    ]);
    env
}

#[test]
fn nine_oclock_stays_nine_oclock_across_the_change_in_new_york_and_london() {
    for (zone, first, before, after) in [
        ("America/New_York", "2026-03-03", "14:00:00Z", "13:00:00Z"),
        ("Europe/London", "2026-03-24", "09:00:00Z", "08:00:00Z"),
    ] {
        let env = clinic_in(zone);
        let v = env.ok(&series_args(
            first,
            "09:00",
            "+12125550201",
            &["--repeat", "weekly", "--count", "3"],
        ));
        let list = &v["appointments"];
        assert!(
            field(list, "start_time").iter().all(|t| *t == "09:00"),
            "{zone}: {v}"
        );
        let utc: Vec<&str> = field(list, "starts_at").iter().map(|t| &t[11..]).collect();
        assert_eq!(utc, [before, after, after], "{zone}");
    }
    // And back in the autumn (New York falls back on 1 November).
    let env = clinic_in("America/New_York");
    let v = env.ok(&series_args(
        "2026-10-27",
        "09:00",
        "+12125550201",
        &["--repeat", "weekly", "--count", "2"],
    ));
    let utc: Vec<&str> = field(&v["appointments"], "starts_at")
        .iter()
        .map(|t| &t[11..])
        .collect();
    assert_eq!(utc, ["13:00:00Z", "14:00:00Z"]);
}

#[test]
fn an_occurrence_on_a_missing_local_time_is_named_and_a_doubled_one_takes_the_earlier_instant() {
    let env = clinic_in("America/New_York");
    // 02:30 does not exist on 8 March 2026 in New York.
    let d = env.refused(
        &series_args(
            "2026-03-07",
            "02:30",
            "+12125550201",
            &["--repeat", "daily", "--count", "3"],
        ),
        "SERIES_REFUSED",
        4,
    );
    let occ = &d["occurrences"];
    assert_eq!(field(occ, "date"), ["2026-03-08"]);
    assert_eq!(field(occ, "code"), ["NONEXISTENT_LOCAL_TIME"]);
    assert!(
        s(&occ[0]["message"]).contains("Sunday 8 March 2026 02:30 does not exist"),
        "{d}"
    );
    let v = env.ok(&series_args(
        "2026-03-07",
        "02:30",
        "+12125550201",
        &["--repeat", "daily", "--count", "3", "--skip-conflicts"],
    ));
    assert_eq!(
        field(&v["appointments"], "date"),
        ["2026-03-07", "2026-03-09"]
    );
    // 01:30 happens twice on 1 November: the earlier (EDT, 05:30Z), as a single booking takes it.
    let v = env.ok(&series_args(
        "2026-10-31",
        "01:30",
        "+12125550202",
        &["--repeat", "daily", "--count", "3"],
    ));
    assert_eq!(
        field(&v["appointments"], "starts_at"),
        [
            "2026-10-31T05:30:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-02T06:30:00Z"
        ]
    );
    // An instant typed (`--at`, the later 01:30) is the first occurrence as
    // typed; the others are its local time.
    let typed = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--at",
        "2026-11-01T01:30:00-05:00",
        "--phone",
        "+12125550204",
        "--name",
        "Cy",
        "--repeat",
        "weekly",
        "--count",
        "2",
    ]);
    assert_eq!(
        field(&typed["appointments"], "starts_at"),
        ["2026-11-01T06:30:00Z", "2026-11-08T06:30:00Z"]
    );
    assert_eq!(
        field(&typed["appointments"], "start_time"),
        ["01:30", "01:30"]
    );
    // A single booking of 01:30 that day lands on the same (earlier) instant.
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-11-01",
            "--time",
            "01:30",
            "--phone",
            "+12125550203",
            "--name",
            "Bo",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert_eq!(d["conflicting_appointment_id"], v["appointments"][1]["id"]);
}

/// `appt ARGS` on `env`, to stop at `step` inside its transaction.
fn paused(env: &Env, args: &[&str], step: &str) -> std::process::Child {
    env.raw(args)
        .env("APPT_KEY", PG_KEY)
        .env("APPT_TEST_PAUSE", step)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_series_killed_inside_its_transaction_books_nothing_and_a_rerun_books_it_all() {
    let env = Env::clinic();
    let series = series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "weekly", "--count", "6"],
    );
    let before = env.snapshot();
    kill_at(paused(&env, &series, "series:book:3"), "series:book:3");
    assert_eq!(
        env.snapshot(),
        before,
        "a killed series left something behind"
    );
    let v = env.ok(&series);
    assert_eq!(v["appointments"].as_array().unwrap().len(), 6);
    // Killed halfway through cancelling, the series is as it was.
    let ids = field(&v["appointments"], "id");
    let before = env.snapshot();
    let cancel = ["cancel", ids[0], "--series", "--reason", "x"];
    kill_at(paused(&env, &cancel, "series:cancel:2"), "series:cancel:2");
    assert_eq!(
        env.snapshot(),
        before,
        "a killed cancellation left something behind"
    );
}

#[test]
fn racing_series_for_the_same_times_book_exactly_one_whole_series() {
    let env = Env::clinic();
    let runs: Vec<Vec<String>> = (0..6)
        .map(|i| {
            series_args(
                TUE,
                "10:00",
                &format!("+5037000010{i}"),
                &["--repeat", "weekly", "--count", "4"],
            )
            .into_iter()
            .map(String::from)
            .collect()
        })
        .collect();
    let outs = race(&env, runs);
    let won = outs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "{outs:?}");
    for o in outs.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(4));
        let e: Value = serde_json::from_slice(&o.stderr).unwrap();
        assert_eq!(e["error"]["code"], "SERIES_REFUSED");
    }
    assert_eq!(
        env.rows("SELECT count(*), count(DISTINCT series_id), count(DISTINCT patient_id) FROM appointments"),
        [["4", "1", "1"]]
    );
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn the_api_books_moves_lists_and_cancels_a_series() {
    let env = Env::clinic();
    let t = token(&env, "bot", "appointments:read,appointments:write", &[]);
    let srv = Server::start(&env, &[]);
    let body = json!({"doctor": "Dr. García", "date": TUE, "time": "09:00", "phone": "+50370000001",
                      "name": "Ana", "repeat": "weekly", "count": 3});
    let r = srv.post("/v1/appointments", &t, body.clone());
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    let series = s(&v["series_id"]).to_string();
    assert_eq!(v["appointments"].as_array().unwrap().len(), 3);
    let location = r
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.clone());
    assert_eq!(location, Some(format!("/v1/appointments?series={series}")));
    // The same Idempotency-Key answers the same series, 200, booking nothing.
    let keyed = json!({"doctor": "Dr. García", "date": TUE, "time": "10:00", "phone": "+50370000002",
                       "name": "Bo", "repeat": "daily", "count": 2, "external_ref": "web-7"});
    let first = srv.post("/v1/appointments", &t, keyed.clone());
    assert_eq!(first.status, 201, "{}", first.body);
    let again = srv.post("/v1/appointments", &t, keyed);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["idempotent"], true);
    assert_eq!(again.json()["series_id"], first.json()["series_id"]);
    // A conflict is 409 SERIES_REFUSED, and nothing is written.
    let before = env.snapshot();
    let r = srv.post("/v1/appointments", &t, body);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "SERIES_REFUSED");
    // count without repeat is refused, not ignored.
    let r = srv.post("/v1/appointments", &t, json!({"doctor": "Dr. García", "date": TUE, "time": "12:00", "phone": "+50370000003", "name": "C", "count": 3}));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "VALIDATION_ERROR");
    assert_eq!(env.snapshot(), before);
    let listed = srv
        .get(&format!("/v1/appointments?series={}", &series[..8]), &t)
        .json();
    assert_eq!(
        field(&listed["appointments"], "series_id"),
        [series.as_str(); 3]
    );
    let second = s(&listed["appointments"][1]["id"]).to_string();
    let r = srv.post(
        &format!("/v1/appointments/{second}/reschedule"),
        &t,
        json!({"time": "11:30", "series": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        field(&r.json()["appointments"], "start_time"),
        ["11:30", "11:30"]
    );
    let r = srv.post(
        &format!("/v1/appointments/{second}/cancel"),
        &t,
        json!({"reason": "Alta", "series": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        field(&r.json()["appointments"], "status"),
        ["cancelled", "cancelled"]
    );
}

#[test]
fn an_import_line_books_a_whole_series_or_is_rejected_whole() {
    let env = Env::clinic();
    env.book("2026-06-30", "09:00", "+50370000009");
    let line = |time: &str, phone: &str| {
        json!({"doctor": "Dr. García", "date": TUE, "time": time, "phone": phone, "name": "Ana",
               "repeat": "weekly", "count": 3})
        .to_string()
    };
    let path = env.dir.path().join("in.jsonl");
    std::fs::write(
        &path,
        [line("09:00", "+50370000001"), line("10:00", "+50370000002")].join("\n") + "\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["import", path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["booked"], 1, "{v}");
    assert_eq!(v["errors"][0]["line"], 1, "{v}");
    assert_eq!(v["errors"][0]["code"], "SERIES_REFUSED", "{v}");
    assert_eq!(
        env.rows("SELECT count(*), count(DISTINCT series_id) FROM appointments WHERE series_id IS NOT NULL"),
        [["3", "1"]]
    );
}

#[test]
fn exports_carry_the_series_and_the_calendar_relates_each_occurrence_to_it() {
    let env = Env::clinic();
    let v = env.ok(&series_args(
        TUE,
        "09:00",
        "+50370000001",
        &["--repeat", "weekly", "--count", "2"],
    ));
    let series = s(&v["series_id"]);
    let out = env
        .cmd()
        .args(["export", "--format", "ics"])
        .output()
        .unwrap();
    let ics = String::from_utf8(out.stdout).unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(
        ics.matches(&format!("RELATED-TO:{series}")).count(),
        2,
        "{ics}"
    );
    for id in field(&v["appointments"], "id") {
        assert!(ics.contains(&format!("UID:{id}")), "{ics}");
    }
    let lines = env.lines(&["export", "--format", "jsonl"]);
    assert!(lines.iter().all(|l| l["series_id"] == series));
    let out = env
        .cmd()
        .args(["export", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let column = csv
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == "series_id")
        .expect("a series_id column");
    let first = csv.lines().nth(1).unwrap();
    assert_eq!(first.split(',').nth(column), Some(series), "{csv}");
}
