//! Tests: moving between engines with `transfer`, and what only a PostgreSQL
//! server has (connection failures, its own constraint, its lock timeout,
//! the key from `$APPT_KEY`). The rest of the suite runs on both engines.

use crate::common::{pg_server, s, Env, PG_KEY};
use serde_json::Value;
use std::path::PathBuf;

/// A clinic with two bookings (one with a national ID), a cancellation, a
/// webhook and the reminders and events they made.
fn busy_clinic() -> Env {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let b = env.book("2026-06-16", "11:00", "+50370000002");
    env.ok(&["cancel", s(&b["id"]), "--reason", "Viaje"]);
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana",
        "--phone",
        "+50370000009",
        "--national-id",
        "04567890-1",
    ]);
    env.ok(&["webhook", "add", "http://127.0.0.1:9/hook"]);
    env
}

/// The same database seen through another `--db`.
fn at(env: &Env, db: PathBuf) -> Env {
    let mut other = Env::new();
    other.db = db;
    other.now = env.now.clone();
    other
}

fn rows_of(v: &Value) -> Vec<(String, i64)> {
    v["rows"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (k.clone(), n.as_i64().unwrap()))
        .collect()
}

/// The key does not travel with the rows: it goes beside a copy in a file by
/// hand, private (a key file others can read is refused).
fn key_beside(from: &Env, to: &std::path::Path) {
    let key = match std::fs::read_to_string(format!("{}.key", from.db.display())) {
        Ok(k) => k,
        Err(_) => PG_KEY.to_string(),
    };
    if !to.to_string_lossy().starts_with("postgres") {
        let file = format!("{}.key", to.display());
        std::fs::write(&file, key).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Copies `from` into the empty database `to` and checks the copy: the same
/// rows, the same answers, and it takes new work (events number on).
fn copy_and_use(from: &Env, to: PathBuf) {
    let before = from.snapshot();
    let done = from.ok(&["transfer", "--to", to.to_str().unwrap()]);
    assert_eq!(done["ok"], true, "{done}");
    let rows = rows_of(&done);
    let count = |t: &str| rows.iter().find(|(n, _)| n == t).unwrap().1;
    assert_eq!(count("appointments"), 2);
    assert_eq!(count("patients"), 3);
    assert_eq!(count("webhooks"), 1);
    assert!(count("events") >= 3 && count("reminders") >= 2, "{done}");
    assert_eq!(from.snapshot(), before, "the source is only read");

    key_beside(from, &to);
    let copy = at(from, to);
    for args in [
        &["list", "--date", "2026-06-16"][..],
        &["patient", "show", "+50370000009"],
        &["remind", "list"],
        &["webhook", "list"],
        &["clinic", "list"],
    ] {
        assert_eq!(
            copy.ok(args),
            from.ok(args),
            "appt {args:?} differs on the copy"
        );
    }
    let last = |env: &Env| {
        env.lines(&["events"])
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .max()
            .unwrap()
    };
    let before_last = last(&copy);
    copy.book("2026-06-16", "12:00", "+50370000003");
    assert!(
        last(&copy) > before_last,
        "new events number on after the copied ones"
    );
    assert_eq!(copy.ok(&["check"])["ok"], true);
    // Into a database that already has rows: refused, nothing written.
    let again = copy.snapshot();
    let d = from.refused(
        &["transfer", "--to", copy.db.to_str().unwrap()],
        "VALIDATION_ERROR",
        2,
    );
    assert!(s(&d["to"]).contains("not empty"), "{d}");
    assert_eq!(copy.snapshot(), again);
}

#[test]
fn transfer_copies_everything_into_an_empty_file() {
    let env = busy_clinic();
    let file = env.dir.path().join("copy.db");
    copy_and_use(&env, file);
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn transfer_moves_a_file_to_a_server_and_back() {
    let server = pg_server().expect("APPT_TEST_PG names the test server");
    // From a clinic's file to the server …
    let mut file_env = Env::new();
    file_env.db = file_env.dir.path().join("clinic.db");
    for args in [
        &[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
        ][..],
        &["doctor", "add", "Dr. García"],
        &[
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
        ],
    ] {
        file_env.ok(args);
    }
    file_env.book("2026-06-16", "10:00", "+50370000001");
    let b = file_env.book("2026-06-16", "11:00", "+50370000002");
    file_env.ok(&["cancel", s(&b["id"]), "--reason", "Viaje"]);
    file_env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana",
        "--phone",
        "+50370000009",
        "--national-id",
        "04567890-1",
    ]);
    file_env.ok(&["webhook", "add", "http://127.0.0.1:9/hook"]);
    // The server has no key file: the clinic's key goes with it as APPT_KEY.
    let key = std::fs::read_to_string(format!("{}.key", file_env.db.display())).unwrap();
    assert_eq!(key.trim(), key.trim().to_lowercase());
    let server_db = PathBuf::from(crate::common::new_pg_database(&server));
    let out = file_env
        .cmd()
        .env("APPT_KEY", key.trim())
        .args(["transfer", "--to", server_db.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let on_server = at(&file_env, server_db.clone());
    let shown = on_server
        .cmd()
        .env("APPT_KEY", key.trim())
        .args(["patient", "show", "+50370000009", "--json"])
        .output()
        .unwrap();
    let p: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(p["national_id"], "04567890-1", "{shown:?}");
    assert_eq!(
        on_server.ok(&["list", "--date", "2026-06-16"])["appointments"],
        file_env.ok(&["list", "--date", "2026-06-16"])["appointments"]
    );
    // … and back from the server into a new file.
    let back = file_env.dir.path().join("back.db");
    let out = on_server
        .cmd()
        .args(["transfer", "--to", back.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let returned = at(&file_env, back);
    assert_eq!(
        returned.ok(&["list", "--date", "2026-06-16"]),
        file_env.ok(&["list", "--date", "2026-06-16"])
    );
    returned.book("2026-06-16", "12:00", "+50370000003");
    on_server.book("2026-06-16", "12:30", "+50370000004");
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_server_that_cannot_be_used_is_exit_6_and_never_shows_the_password() {
    let env = Env::new();
    let good = env.db.to_str().unwrap().to_string();
    let (auth, rest) = good.split_once('@').unwrap();
    let (user, real_password) = auth.rsplit_once(':').unwrap_or((auth, "\u{0}"));
    let real_password = real_password.to_string();
    let wrong_password = format!("{user}:not-the-Pa55word@{rest}");
    let (host_part, _) = rest.rsplit_once('/').unwrap();
    let (host, _) = host_part.rsplit_once(':').unwrap_or((host_part, ""));
    let cases = [
        wrong_password.clone(),
        // Nothing listens there.
        format!("{user}:not-the-Pa55word@{host}:1/postgres"),
        // No such database.
        format!("{}/appt_no_such_database", good.rsplit_once('/').unwrap().0),
    ];
    for url in cases {
        for json in [true, false] {
            let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("appt"));
            c.args(["--db", &url, "list"]).env("APPT_KEY", PG_KEY);
            if json {
                c.arg("--json");
            }
            let out = c.output().unwrap();
            assert_eq!(out.status.code(), Some(6), "{url}: {out:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("DATABASE_ERROR") || !json, "{err}");
            assert!(
                !err.contains("not-the-Pa55word"),
                "the password was shown: {err}"
            );
            assert!(
                !err.contains(&real_password),
                "the password was shown: {err}"
            );
        }
    }
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn the_server_itself_refuses_a_doctor_booked_twice_at_once() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    // An active appointment the booking rules cannot see (longer than any
    // bookable one, starting the evening before) overlapping 10:30: the
    // constraint is the database's own backstop.
    env.exec(&format!(
        "UPDATE appointments SET starts_at = starts_at - 36000, duration_minutes = 630 WHERE id = '{}'",
        s(&a["id"])
    ));
    let d = env.refused(
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
            "Test Patient",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert!(d.is_object(), "{d}");
    // Straight SQL meets the same constraint.
    let err = env
        .try_exec(&format!(
            "INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, local_date, starts_at, \
             ends_at, duration_minutes, status, token_number, source, created_at, updated_at, solo) \
             SELECT 'x-overlap', clinic_id, doctor_id, window_id, patient_id, local_date, starts_at + 60, \
             ends_at + 60, duration_minutes, 'scheduled', 99, 'manual', 0, 0, 1 FROM appointments WHERE id = '{}'",
            s(&a["id"])
        ))
        .unwrap_err();
    assert!(
        err.contains("appt_doctor_no_overlap") || err.contains("23P01"),
        "{err}"
    );
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_writer_waits_ten_seconds_for_the_lock_then_gives_up_cleanly() {
    let env = Env::clinic();
    let before = env.snapshot();
    let url = env.db.to_str().unwrap().to_string();
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    // The same key every write transaction takes first.
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&0x6170_7074_0001_i64])
        .unwrap();
    let t = std::time::Instant::now();
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
            "Test Patient",
        ],
        "DATABASE_ERROR",
        6,
    );
    let waited = t.elapsed().as_secs_f64();
    assert!((9.0..30.0).contains(&waited), "waited {waited} s: {d}");
    drop(holder);
    assert_eq!(env.snapshot(), before);
    // Reads never wait for writers.
    env.ok(&["list"]);
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_server_database_takes_its_key_from_appt_key_only() {
    let env = Env::clinic();
    let out = env
        .cmd()
        .env_remove("APPT_KEY")
        .args([
            "patient",
            "add",
            "--name",
            "Ana",
            "--phone",
            "+50370000009",
            "--national-id",
            "04567890-1",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("APPT_KEY"), "{err}");
    // A patient without an ID needs no key.
    let ok = env
        .cmd()
        .env_remove("APPT_KEY")
        .args(["patient", "add", "--name", "Ana", "--phone", "+50370000009"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
}

/// Every appointment of `env` as JSON Lines, in a fixed order.
fn exported(env: &Env) -> Vec<Value> {
    let mut all = env.lines(&["export", "--format", "jsonl"]);
    all.sort_by(|a, b| s(&a["id"]).cmp(s(&b["id"])));
    all
}

#[test]
fn transfer_copies_hundreds_of_rows_a_few_hundred_per_insert() {
    // More rows than one insert takes (appointments, patients, reminders,
    // events), so every table is copied in full inserts and a remainder.
    let env = busy_clinic();
    let mut lines = Vec::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 6, 17).unwrap();
    while lines.len() < 300 {
        if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            for slot in 0..8 {
                let n = lines.len();
                lines.push(
                    serde_json::json!({
                        "doctor": "Dr. García", "date": day.to_string(),
                        "time": format!("{:02}:{:02}", 9 + slot / 2, slot % 2 * 30),
                        "phone": format!("+50375{n:06}"), "name": format!("Paciente {n}"),
                    })
                    .to_string(),
                );
            }
        }
        day += chrono::Duration::days(1);
    }
    let file = env.dir.path().join("bulk.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let done = env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(done["booked"], lines.len(), "{done}");

    let mut targets = vec![env.dir.path().join("copy.db")];
    if let Some(server) = pg_server() {
        targets.push(PathBuf::from(crate::common::new_pg_database(&server)));
    }
    for to in targets {
        let copied = env.ok(&["transfer", "--to", to.to_str().unwrap()]);
        let rows = rows_of(&copied);
        let count = |t: &str| rows.iter().find(|(n, _)| n == t).unwrap().1;
        assert_eq!(count("appointments") as usize, lines.len() + 2, "{copied}");
        assert!(
            count("reminders") > 600 && count("events") > 300,
            "{copied}"
        );
        key_beside(&env, &to);
        let copy = at(&env, to);
        assert_eq!(exported(&copy), exported(&env));
        assert_eq!(copy.ok(&["remind", "list"]), env.ok(&["remind", "list"]));
        assert_eq!(copy.ok(&["check"])["ok"], true);
    }
}
