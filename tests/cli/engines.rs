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
    // The messages, their IDs kept as 16 bytes on either side, the same.
    assert!(!file_env.ok(&["remind", "list"])["reminders"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        on_server.ok(&["remind", "list"]),
        file_env.ok(&["remind", "list"])
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
    assert_eq!(
        returned.ok(&["remind", "list"]),
        file_env.ok(&["remind", "list"])
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
    let (pg_user, _, _, port, db) = parts(&good);
    let cases = [
        wrong_password.clone(),
        // Nothing listens there.
        format!("{user}:not-the-Pa55word@{host}:1/postgres"),
        // No such database.
        format!("{}/appt_no_such_database", good.rsplit_once('/').unwrap().0),
        // The wrong password as a parameter (`?` and `&`), and in the key=value form.
        format!("postgres://{pg_user}@{host}:{port}/{db}?password=not-the-Pa55word"),
        format!(
            "postgres://{pg_user}@{host}:{port}/{db}?application_name=t&password=not-the-Pa55word"
        ),
        format!("host={host} port={port} user={pg_user} password=not-the-Pa55word dbname={db}"),
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
        "UPDATE appointments SET starts_at = starts_at - 36000, duration_minutes = 630 WHERE id = {}",
        env.id_literal(s(&a["id"]))
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
             SELECT {}, clinic_id, doctor_id, window_id, patient_id, local_date, starts_at + 60, \
             ends_at + 60, duration_minutes, status, 99, source, 0, 0, 1 FROM appointments WHERE id = {}",
            env.id_literal("00000000-0000-4000-8000-0000000000aa"),
            env.id_literal(s(&a["id"]))
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
    let (exit, e) = env.err(&[
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
    ]);
    let waited = t.elapsed().as_secs_f64();
    assert_eq!(
        (e["code"].as_str(), exit),
        (Some("DATABASE_ERROR"), 6),
        "{e}"
    );
    assert!((9.0..30.0).contains(&waited), "waited {waited} s: {e}");
    // The lock's own refusal, not the statement sent behind it (which the
    // server refuses unrun, its transaction aborted).
    let message = e["message"].as_str().unwrap_or_default();
    assert!(message.contains("locked by another session"), "{e}");
    drop(holder);
    assert_eq!(env.snapshot(), before);
    // Reads never wait for writers.
    env.ok(&["list"]);
}

/// `pg_autoctl create postgres --dbname appt` installs
/// `pg_stat_statements` into the database it makes (docs/operations.md):
/// an extension's views are the server's, not another program's tables,
/// and appt makes its own beside them. Another program's table is still
/// refused.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_database_holding_an_extensions_views_takes_appts_tables_beside_them() {
    let env = Env::empty();
    env.exec("CREATE EXTENSION pg_stat_statements");
    env.ok(&["init"]);
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    assert_eq!(env.ok(&["check"])["ok"], true);
    assert_eq!(
        env.rows("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")[0][0],
        "1"
    );

    let other = Env::empty();
    other.exec("CREATE EXTENSION pg_stat_statements; CREATE TABLE invoices (id int)");
    let (exit, e) = other.err(&["init"]);
    assert_eq!((exit, s(&e["code"])), (6, "DATABASE_ERROR"), "{e}");
    assert!(s(&e["message"]).contains("other tables"), "{e}");
    assert_eq!(
        other.rows("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")[0][0],
        "1",
        "nothing of appt's was made beside it"
    );
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

/// `n` visits imported into `env`, eight a weekday with Dr. García from
/// 17 June 2026, each with a patient of its own; how many were booked.
fn import_weekdays(env: &Env, n: usize) -> usize {
    let mut lines = Vec::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 6, 17).unwrap();
    while lines.len() < n {
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
    lines.len()
}

#[test]
fn transfer_copies_hundreds_of_rows_a_few_hundred_per_insert() {
    // More rows than one insert takes (appointments, patients, reminders,
    // events), so every table is copied in full inserts and a remainder.
    let env = busy_clinic();
    let booked = import_weekdays(&env, 300);

    let mut targets = vec![env.dir.path().join("copy.db")];
    if let Some(server) = pg_server() {
        targets.push(PathBuf::from(crate::common::new_pg_database(&server)));
    }
    for to in targets {
        let copied = env.ok(&["transfer", "--to", to.to_str().unwrap()]);
        let rows = rows_of(&copied);
        let count = |t: &str| rows.iter().find(|(n, _)| n == t).unwrap().1;
        assert_eq!(count("appointments") as usize, booked + 2, "{copied}");
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

/// The copy's indexes and (PostgreSQL) exclusion constraints, each named
/// with what it is made of, and how many bytes they take but the keys' and
/// the unique constraints' (a transfer grows those as it goes).
fn indexes_of(db: &std::path::Path) -> (Vec<String>, u64) {
    let url = db.to_string_lossy();
    if url.starts_with("postgres") {
        let mut c = crate::common::pg_connect(&url);
        let made = c
            .query(
                "SELECT indexname || ': ' || indexdef FROM pg_indexes \
                 WHERE schemaname = current_schema() \
                 UNION ALL SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE contype = 'x' ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let bytes: i64 = c
            .query_one(
                "SELECT sum(pg_relation_size(indexrelid))::bigint FROM pg_index i \
                 JOIN pg_class t ON t.oid = i.indrelid \
                 WHERE t.relnamespace = current_schema()::regnamespace \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                                   WHERE c.conindid = i.indexrelid AND c.contype <> 'x')",
                &[],
            )
            .unwrap()
            .get(0);
        (made, bytes as u64)
    } else {
        let c = rusqlite::Connection::open(db).unwrap();
        let mut st = c
            .prepare("SELECT name || ': ' || coalesce(sql, '') FROM sqlite_schema WHERE type = 'index' ORDER BY 1")
            .unwrap();
        let made = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let used: i64 = c
            .query_row(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN \
                 (SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (made, used as u64)
    }
}

/// Each index of the copy made again from its rows, as `REINDEX` makes it.
fn reindexed(db: &std::path::Path) {
    let url = db.to_string_lossy();
    if url.starts_with("postgres") {
        crate::common::pg_connect(&url)
            .batch_execute(
                "REINDEX TABLE appointments; REINDEX TABLE events; \
                 REINDEX TABLE reminders; REINDEX TABLE patients",
            )
            .unwrap();
    } else {
        rusqlite::Connection::open(db)
            .unwrap()
            .execute_batch("REINDEX")
            .unwrap();
    }
}

#[test]
fn transfer_makes_the_indexes_once_the_rows_are_in_packed_and_as_they_were() {
    // 1,200 visits, their patients, messages and events, written in an
    // order none of their indexes has (an ID is random): an index grown
    // a row at a time is split as it goes.
    let env = busy_clinic();
    import_weekdays(&env, 1200);

    let mut targets = vec![(
        env.dir.path().join("copy.db"),
        env.dir.path().join("fresh.db"),
    )];
    if let Some(server) = pg_server() {
        targets.push((
            PathBuf::from(crate::common::new_pg_database(&server)),
            PathBuf::from(crate::common::new_pg_database(&server)),
        ));
    }
    for (to, fresh) in targets {
        // (Named by its engine: a server's URL holds its password.)
        let engine = if to.to_string_lossy().starts_with("postgres") {
            "server"
        } else {
            "file"
        };
        env.ok(&["transfer", "--to", to.to_str().unwrap()]);
        // (Held to the end: a database the suite made goes with its `Env`.)
        let fresh = at(&env, fresh);
        fresh.ok(&["init"]);
        let (made, bytes) = indexes_of(&to);
        // Every index and constraint made again as a new database has it.
        assert_eq!(made, indexes_of(&fresh.db).0, "{engine}");
        assert!(
            made.iter().any(|m| m.starts_with("appt_doctor_feed: ")),
            "{made:?}"
        );
        // Packed: made again from the rows, they take no fewer bytes.
        reindexed(&to);
        assert_eq!(bytes, indexes_of(&to).1, "{engine}");
        key_beside(&env, &to);
        let copy = at(&env, to);
        assert_eq!(exported(&copy), exported(&env));
        assert_eq!(copy.ok(&["check"])["ok"], true);
    }
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn transfer_to_a_server_vacuums_the_copy_and_says_so_when_it_cannot() {
    // A bulk load leaves a server's visibility map empty: until a VACUUM,
    // every index-only scan of the busy times reads the table too
    // (docs/operations.md#moving-between-engines).
    let server = pg_server().expect("APPT_TEST_PG names the test server");
    let env = busy_clinic();
    let visible = |url: &str, table: &str| -> (i32, i32) {
        let row = crate::common::pg_connect(url)
            .query_one(
                "SELECT (pg_relation_size($1::text::regclass) / current_setting('block_size')::int)::int, \
                 relallvisible FROM pg_class WHERE oid = $1::text::regclass",
                &[&table],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    let to = crate::common::new_pg_database(&server);
    env.ok(&["transfer", "--to", &to]);
    let (pages, all_visible) = visible(&to, "appointments");
    assert!(
        pages > 0 && all_visible == pages,
        "{pages} pages, {all_visible} all-visible"
    );

    // A session holding a lock VACUUM needs: the rows are committed all the
    // same, the command succeeds, and the user is told what is left to do.
    // (The webhooks' table, which has no index the transfer makes again
    // once its rows are in: dropping one waits for every other lock.)
    let held = crate::common::new_pg_database(&server);
    let copy = at(&env, PathBuf::from(&held));
    copy.ok(&["clinic", "list"]);
    let mut holder = crate::common::pg_connect(&held);
    let mut lock = holder.transaction().unwrap();
    lock.batch_execute("LOCK TABLE webhooks IN SHARE UPDATE EXCLUSIVE MODE")
        .unwrap();
    let out = env
        .cmd()
        .args(["transfer", "--to", &held])
        .output()
        .unwrap();
    lock.rollback().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{out:?}");
    assert!(
        err.contains("vacuuming the copy failed") && err.contains("VACUUM"),
        "{err}"
    );
    let password = server.split(['@', ':']).nth(2).unwrap();
    assert!(!err.contains(password), "{err}");
    assert_eq!(exported(&copy), exported(&env));
    let (pages, all_visible) = visible(&held, "webhooks");
    assert!(
        pages > 0 && all_visible < pages,
        "{pages} pages, {all_visible} all-visible"
    );
}

// ------------------------------------------------- deadlines, passwords, TLS

use crate::wire;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a password looks like in these tests: never to be seen in any output.
const SECRET: &str = "Pa55-Secret-zq7";

/// `appt --db CONN ARGS` with no appt settings from the environment.
fn appt_at(conn: &str, args: &[&str]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("appt"));
    c.arg("--db").arg(conn).args(args);
    for v in ["APPT_DB", "APPT_CLINIC", "NO_COLOR", "COLUMNS"] {
        c.env_remove(v);
    }
    c.env("APPT_KEY", PG_KEY)
        .env("APPT_NOW", crate::common::MONDAY_8AM)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// How one run ended: exit code, stderr, and how long it took.
struct Ended {
    code: Option<i32>,
    stderr: String,
    secs: f64,
    what: String,
}

/// Starts every run at once and waits for them all (a silent server makes
/// each take its deadline: together they take one).
fn all_at_once(runs: Vec<(String, Command)>) -> Vec<Ended> {
    let started: Vec<(String, Instant, Child)> = runs
        .into_iter()
        .map(|(what, mut c)| (what, Instant::now(), c.spawn().expect("appt starts")))
        .collect();
    started
        .into_iter()
        .map(|(what, t, child)| {
            let out = child.wait_with_output().expect("appt ends");
            Ended {
                code: out.status.code(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                secs: t.elapsed().as_secs_f64(),
                what,
            }
        })
        .collect()
}

/// The error a `--json` run printed on stderr.
fn json_error(e: &Ended) -> Value {
    let line = e
        .stderr
        .lines()
        .find(|l| l.starts_with("{\"error\""))
        .unwrap_or_else(|| panic!("{}: no JSON error on stderr: {}", e.what, e.stderr));
    serde_json::from_str::<Value>(line).unwrap()["error"].clone()
}

fn url_at(addr: SocketAddr, query: &str) -> String {
    format!("postgres://appt:{SECRET}@{addr}/clinic{query}")
}

#[test]
fn a_server_that_accepts_and_never_answers_fails_the_command_within_ten_seconds() {
    let silent = wire::silent();
    let mut runs = Vec::new();
    for json in [false, true] {
        let mut args = vec!["list"];
        if json {
            args.push("--json");
        }
        runs.push((format!("json={json}"), appt_at(&url_at(silent, ""), &args)));
    }
    for e in all_at_once(runs) {
        assert_eq!(e.code, Some(6), "{}: {}", e.what, e.stderr);
        assert!(
            (8.0..15.0).contains(&e.secs),
            "{}: took {} s",
            e.what,
            e.secs
        );
        assert!(
            e.stderr.contains("no answer from the server within 10 s"),
            "{}",
            e.stderr
        );
        assert!(!e.stderr.contains(SECRET), "{}", e.stderr);
    }
}

#[test]
fn reminder_sweeps_against_a_dead_server_end_within_the_deadline_and_never_pile_up() {
    // Two cron runs at once against a server that never answers: each
    // ends, DATABASE_ERROR, within the deadline.
    let silent = wire::silent();
    let url = url_at(silent, "");
    let runs = (0..2)
        .map(|i| {
            (
                format!("sweep {i}"),
                appt_at(&url, &["remind", "due", "--json"]),
            )
        })
        .collect();
    for e in all_at_once(runs) {
        assert_eq!(e.code, Some(6), "{}: {}", e.what, e.stderr);
        assert_eq!(json_error(&e)["code"], "DATABASE_ERROR");
        assert!(e.secs < 15.0, "{}: took {} s", e.what, e.secs);
    }
}

#[test]
fn a_server_that_stalls_after_login_fails_the_statement_instead_of_hanging() {
    // It lets appt log in, then never answers a statement: appt's own
    // deadline (35 s of silence while an answer is owed) ends the command.
    let stalls = wire::stalls_after_login();
    let url = url_at(stalls, "");
    let runs = vec![
        ("list".to_string(), appt_at(&url, &["list", "--json"])),
        (
            "sweep".to_string(),
            appt_at(&url, &["remind", "due", "--json"]),
        ),
        (
            "transfer".to_string(),
            appt_at(
                &url,
                &["transfer", "--to", "/nonexistent/copy.db", "--json"],
            ),
        ),
    ];
    for e in all_at_once(runs) {
        assert_eq!(e.code, Some(6), "{}: {}", e.what, e.stderr);
        let err = json_error(&e);
        assert_eq!(err["code"], "DATABASE_ERROR");
        assert!(
            s(&err["message"]).contains("no answer from the server within 35 s"),
            "{}: {err}",
            e.what
        );
        assert!(
            (30.0..50.0).contains(&e.secs),
            "{}: took {} s",
            e.what,
            e.secs
        );
    }
}

#[test]
fn transfer_to_a_dead_server_gets_the_same_deadline_and_never_shows_its_password() {
    let env = Env::new();
    env.ok(&["init"]);
    let silent = wire::silent();
    let runs = vec![
        (
            "silent".to_string(),
            appt_at(
                env.db.to_str().unwrap(),
                &["transfer", "--to", &url_at(silent, ""), "--json"],
            ),
        ),
        (
            "refused".to_string(),
            appt_at(
                env.db.to_str().unwrap(),
                &[
                    "transfer",
                    "--to",
                    &format!("postgres://appt@127.0.0.1:1/clinic?password={SECRET}"),
                ],
            ),
        ),
    ];
    for e in all_at_once(runs) {
        assert_eq!(e.code, Some(6), "{}: {}", e.what, e.stderr);
        assert!(e.secs < 15.0, "{}: took {} s", e.what, e.secs);
        assert!(!e.stderr.contains(SECRET), "{}: {}", e.what, e.stderr);
        assert!(
            e.stderr.contains("127.0.0.1"),
            "{}: names the server: {}",
            e.what,
            e.stderr
        );
    }
}

#[test]
fn a_password_is_never_shown_whatever_form_the_connection_string_takes() {
    let silent = wire::silent();
    let no_tls = wire::without_tls();
    // Each server, as host and port, with what the URL adds for it.
    let servers = [
        ("refused", "127.0.0.1".to_string(), "1".to_string(), ""),
        (
            "silent",
            silent.ip().to_string(),
            silent.port().to_string(),
            "",
        ),
        (
            "no TLS",
            no_tls.ip().to_string(),
            no_tls.port().to_string(),
            "sslmode=require",
        ),
        (
            "no such host",
            "appt-no-such-host.invalid".into(),
            "5432".into(),
            "",
        ),
        (
            "no CA file",
            "127.0.0.1".into(),
            "1".into(),
            "sslmode=verify-full sslrootcert=/nonexistent/ca.pem",
        ),
    ];
    let mut runs = Vec::new();
    for (name, host, port, extra) in &servers {
        let q = extra.replace(' ', "&");
        let amp = if q.is_empty() {
            String::new()
        } else {
            format!("&{q}")
        };
        let qm = if q.is_empty() {
            String::new()
        } else {
            format!("?{q}")
        };
        let forms = [
            format!("postgres://appt:{SECRET}@{host}:{port}/clinic{qm}"),
            format!("postgresql://appt@{host}:{port}/clinic?password={SECRET}{amp}"),
            format!(
                "postgres://appt@{host}:{port}/clinic?application_name=x{amp}&password={SECRET}"
            ),
            format!("host={host} port={port} user=appt password={SECRET} dbname=clinic {extra}"),
            format!(
                "host={host} port={port} user=appt password = '{SECRET}' dbname=clinic {extra}"
            ),
        ];
        for conn in forms {
            for json in [false, true] {
                let mut args = vec!["list"];
                if json {
                    args.push("--json");
                }
                runs.push((format!("{name}: {conn} json={json}"), appt_at(&conn, &args)));
            }
        }
    }
    // Strings the driver cannot read are refused as connection strings,
    // never taken for file names, and show no password either.
    for conn in [
        format!("postgres://appt@db.example/clinic?password={SECRET}&junk"),
        format!("postgres://appt:{SECRET}@db.example:notaport/clinic"),
        format!("host=db.example password='{SECRET}"),
        format!("host=db.example password={SECRET} sslmode=sometimes"),
    ] {
        runs.push((conn.clone(), appt_at(&conn, &["list", "--json"])));
    }
    for e in all_at_once(runs) {
        assert_eq!(e.code, Some(6), "{}: {}", e.what, e.stderr);
        assert!(
            !e.stderr.contains(SECRET),
            "{}: the password was shown: {}",
            e.what,
            e.stderr
        );
        assert!(e.stderr.contains("***"), "{}: {}", e.what, e.stderr);
        if e.what.ends_with("json=true") {
            assert_eq!(json_error(&e)["code"], "DATABASE_ERROR", "{}", e.what);
        }
        assert!(e.secs < 15.0, "{}: took {} s", e.what, e.secs);
    }
}

#[test]
fn require_or_stronger_against_a_server_without_tls_is_a_database_error() {
    let certs = Certificates::new();
    let no_tls = wire::without_tls();
    let ca = certs.ca.display();
    for (mode, extra) in [
        ("require", String::new()),
        ("verify-ca", format!("&sslrootcert={ca}")),
        ("verify-full", format!("&sslrootcert={ca}")),
    ] {
        let url = url_at(no_tls, &format!("?sslmode={mode}{extra}"));
        let out = appt_at(&url, &["list", "--json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(6), "{mode}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("DATABASE_ERROR"), "{mode}: {err}");
        assert!(
            err.contains(&format!(
                "the server does not support TLS, which sslmode={mode} requires"
            )),
            "{mode}: {err}"
        );
    }
}

/// A CA, another CA, and a server certificate for `localhost` signed by the
/// first, made with openssl in a folder of their own.
pub(crate) struct Certificates {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) ca: PathBuf,
    pub(crate) other_ca: PathBuf,
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
}

impl Certificates {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        std::fs::write(
            p("openssl.cnf"),
            "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = appt test\n\
             [ca]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
             subjectKeyIdentifier = hash\n\
             [server]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n\
             extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost\n",
        )
        .unwrap();
        let cnf = p("openssl.cnf");
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl (the TLS tests make their certificates with it)");
            assert!(out.status.success(), "openssl {args:?}: {out:?}");
        };
        let cnf = cnf.to_str().unwrap();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        for (name, subject) in [
            ("ca", "/CN=appt test CA"),
            ("other-ca", "/CN=appt other CA"),
        ] {
            let (k, c) = (format!("{name}.key"), format!("{name}.pem"));
            let mut args = vec![
                "req",
                "-x509",
                "-config",
                cnf,
                "-extensions",
                "ca",
                "-days",
                "2",
            ];
            args.extend(ec);
            args.extend(["-subj", subject, "-keyout", &k, "-out", &c]);
            openssl(&args);
        }
        let mut args = vec!["req", "-new", "-config", cnf, "-subj", "/CN=localhost"];
        args.extend(ec);
        args.extend(["-keyout", "server.key", "-out", "server.csr"]);
        openssl(&args);
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-days",
            "2",
            "-extfile",
            cnf,
            "-extensions",
            "server",
            "-out",
            "server.pem",
        ]);
        Certificates {
            ca: p("ca.pem"),
            other_ca: p("other-ca.pem"),
            cert: p("server.pem"),
            key: p("server.key"),
            dir,
        }
    }
}

/// The test server with TLS on and `certs`' certificate, until dropped
/// (then its own settings come back).
struct ServerTls {
    admin: postgres::Client,
}

impl ServerTls {
    fn with(certs: &Certificates) -> Self {
        use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
        let mut admin = postgres::Client::connect(&pg_server().unwrap(), postgres::NoTls).unwrap();
        // The server reads the files as its own user (appt's tests may run
        // as root): they become that user's, the key private to it.
        let data: String = admin.query_one("SHOW data_directory", &[]).unwrap().get(0);
        let owner = std::fs::metadata(&data).expect("the server's data folder");
        for f in [certs.dir.path(), &certs.cert, &certs.key] {
            chown(f, Some(owner.uid()), Some(owner.gid())).unwrap();
        }
        std::fs::set_permissions(&certs.key, std::fs::Permissions::from_mode(0o600)).unwrap();
        for sql in [
            format!(
                "ALTER SYSTEM SET ssl_cert_file = '{}'",
                certs.cert.display()
            ),
            format!("ALTER SYSTEM SET ssl_key_file = '{}'", certs.key.display()),
            "ALTER SYSTEM SET ssl = on".to_string(),
            "SELECT pg_reload_conf()".to_string(),
        ] {
            admin.batch_execute(&sql).unwrap();
        }
        ServerTls { admin }
    }
}

impl Drop for ServerTls {
    fn drop(&mut self) {
        for sql in [
            "ALTER SYSTEM RESET ssl_cert_file",
            "ALTER SYSTEM RESET ssl_key_file",
            "ALTER SYSTEM RESET ssl",
            "SELECT pg_reload_conf()",
        ] {
            let _ = self.admin.batch_execute(sql);
        }
    }
}

/// The parts of a test server's URL: user, password, host, port, database.
fn parts(url: &str) -> (String, String, String, u16, String) {
    let rest = url.split_once("://").unwrap().1;
    let (auth, rest) = rest.rsplit_once('@').unwrap();
    let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
    let (hostport, db) = rest.split_once('/').unwrap();
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "5432"));
    let db = db.split('?').next().unwrap();
    (
        user.into(),
        password.into(),
        host.into(),
        port.parse().unwrap(),
        db.into(),
    )
}

/// `url` with its host (and port, when given) replaced.
fn with_host(url: &str, host: &str, port: Option<u16>) -> String {
    let (user, password, _, old, db) = parts(url);
    let port = port.unwrap_or(old);
    format!("postgres://{user}:{password}@{host}:{port}/{db}")
}

/// Whether the server saw appt's connection to `conn` encrypted: appt is
/// made to wait for the write lock, and `pg_stat_ssl` is read meanwhile.
fn server_saw_tls(env: &Env, conn: &str) -> bool {
    let mut holder = postgres::Client::connect(env.db.to_str().unwrap(), postgres::NoTls).unwrap();
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&0x6170_7074_0001_i64])
        .unwrap();
    let name = format!("Clinic {}", uuid::Uuid::new_v4().simple());
    let child = appt_at(
        conn,
        &["clinic", "add", &name, "--timezone", "UTC", "--json"],
    )
    .spawn()
    .unwrap();
    let t = Instant::now();
    let seen = loop {
        let rows = holder
            .query(
                "SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
                 WHERE a.application_name = 'appt' AND a.datname = current_database() \
                 AND a.wait_event_type = 'Lock'",
                &[],
            )
            .unwrap();
        if let Some(r) = rows.first() {
            break r.get::<_, bool>(0);
        }
        assert!(
            t.elapsed() < Duration::from_secs(8),
            "appt never waited for the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&0x6170_7074_0001_i64])
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{conn}: {out:?}");
    seen
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn tls_to_the_server_is_used_and_checked_as_sslmode_asks() {
    let certs = Certificates::new();
    let _tls = ServerTls::with(&certs);
    let env = Env::new();
    env.ok(&["init"]);
    let url = env.db.to_str().unwrap().to_string();
    let by_name = with_host(&url, "localhost", None);
    let by_address = with_host(&url, "127.0.0.1", None);
    let (ca, other) = (certs.ca.display(), certs.other_ca.display());
    let run = |conn: &str| {
        appt_at(conn, &["clinic", "list", "--json"])
            .output()
            .unwrap()
    };

    // The server takes up the new certificate once it has reloaded.
    let full = format!("{by_name}?sslmode=verify-full&sslrootcert={ca}");
    let t = Instant::now();
    while !run(&full).status.success() {
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", run(&full));
        std::thread::sleep(Duration::from_millis(200));
    }

    // Encrypted when asked, in clear when told so: as the server saw it.
    assert!(server_saw_tls(
        &env,
        &format!("{by_address}?sslmode=require")
    ));
    assert!(server_saw_tls(&env, &full));
    assert!(!server_saw_tls(
        &env,
        &format!("{by_address}?sslmode=disable")
    ));
    let (user, password, _, port, db) = parts(&url);
    let kv = format!(
        "host=localhost port={port} user={user} password={password} dbname={db} \
         sslmode=verify-full sslrootcert='{ca}'"
    );
    assert!(server_saw_tls(&env, &kv));

    // verify-ca checks the CA but not the name.
    let ok = run(&format!("{by_address}?sslmode=verify-ca&sslrootcert={ca}"));
    assert!(ok.status.success(), "{ok:?}");

    for (conn, why) in [
        (
            format!("{by_address}?sslmode=verify-full&sslrootcert={ca}"),
            "not valid for name",
        ),
        (
            format!("{by_name}?sslmode=verify-full&sslrootcert={other}"),
            "UnknownIssuer",
        ),
        (
            format!("{by_name}?sslmode=verify-ca&sslrootcert={other}"),
            "UnknownIssuer",
        ),
        // As libpq: `require` with a CA file checks the chain.
        (
            format!("{by_name}?sslmode=require&sslrootcert={other}"),
            "UnknownIssuer",
        ),
        (
            format!("{by_name}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"),
            "/nonexistent/ca.pem",
        ),
    ] {
        let out = run(&conn);
        assert_eq!(out.status.code(), Some(6), "{conn}: {out:?}");
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], "DATABASE_ERROR", "{conn}");
        let message = s(&err["error"]["message"]);
        assert!(message.contains(why), "{conn}: {message}");
        assert!(
            message.contains("password=") || message.contains(":***@"),
            "{message}"
        );
    }
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_server_over_the_network_in_clear_is_warned_of_once() {
    use std::net::ToSocketAddrs;
    let env = Env::new();
    env.ok(&["init"]);
    let url = env.db.to_str().unwrap().to_string();
    let (_, _, host, port, _) = parts(&url);
    let upstream = (host.as_str(), port)
        .to_socket_addrs()
        .unwrap()
        .next()
        .unwrap();
    // The test server, reached over a network card through a relay that
    // refuses TLS, as a server without TLS on another machine would.
    let relay = wire::relay_in_clear(upstream);
    let lan = wire::network_address().to_string();
    let remote = with_host(&url, &lan, Some(relay));
    let local = with_host(&url, "localhost", Some(relay));
    let warning = "patient data travels in clear over the network";

    let out = appt_at(&remote, &["clinic", "list"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches(warning).count(), 1, "{err}");
    assert!(err.starts_with("warning: "), "{err}");
    assert!(
        err.contains("sslmode=verify-full"),
        "the hint names the fix: {err}"
    );

    let out = appt_at(&remote, &["clinic", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let line = String::from_utf8_lossy(&out.stderr);
    let w: Value = serde_json::from_str(line.trim()).unwrap();
    assert!(s(&w["warning"]["message"]).contains(warning), "{w}");

    // Said once even when a command opens two connections in clear.
    let target = Env::new();
    let to = with_host(target.db.to_str().unwrap(), &lan, Some(relay));
    let out = appt_at(&remote, &["transfer", "--to", &to])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .matches(warning)
            .count(),
        1
    );

    // Not when the user chose it, nor on this machine.
    for conn in [format!("{remote}?sslmode=disable"), local] {
        let out = appt_at(&conn, &["clinic", "list"]).output().unwrap();
        assert!(out.status.success(), "{conn}: {out:?}");
        assert!(
            out.stderr.is_empty(),
            "{conn}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn transfer_takes_its_target_from_the_environment_and_never_shows_its_password() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let password = "Tr4nsfer-Pa55word";
    // Nothing listens on port 1: the target cannot be reached.
    let bad = format!("postgres://appt:{password}@127.0.0.1:1/clinics");
    let by_flag = ["transfer", "--to", bad.as_str()];
    for (args, from_env) in [(&["transfer"][..], true), (&by_flag[..], false)] {
        for json in [false, true] {
            let mut c = env.cmd();
            c.args(args);
            if from_env {
                c.env("APPT_TRANSFER_TO", &bad);
            }
            if json {
                c.arg("--json");
            }
            let out = c.output().unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(6), "{args:?} {all}");
            assert!(all.contains("DATABASE_ERROR") || !json, "{all}");
            assert!(all.contains("127.0.0.1:1"), "names the server: {all}");
            assert!(
                !all.contains(password),
                "{args:?} printed the password: {all}"
            );
        }
    }
    // Neither --help nor a usage error shows the variable's value.
    for args in [&["transfer", "--help"][..], &["transfer", "--bogus"]] {
        let out = env
            .cmd()
            .args(args)
            .env("APPT_TRANSFER_TO", &bad)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            all.contains("APPT_TRANSFER_TO") || args[1] != "--help",
            "the help names the variable: {all}"
        );
        assert!(
            !all.contains(password),
            "{args:?} printed the password: {all}"
        );
    }
    // A target given that way is copied into like one given with --to.
    let copy = env.dir.path().join("copy.db");
    let out = env
        .cmd()
        .args(["transfer", "--json"])
        .env("APPT_TRANSFER_TO", &copy)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(copy.exists());
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(done["rows"]["appointments"], 1, "{done}");
}

/// The board's live refresh (docs/board.md#live) reads `Store::stamp`: it
/// stays put while nobody writes, and moves when another process books,
/// cancels or puts someone on the waitlist — on either engine.
#[test]
fn the_change_stamp_moves_with_another_process_s_writes_only() {
    use appt::app::{Create, Store};
    let env = Env::clinic();
    let mut st = Store::open(&env.db, Create::Never).expect("open");
    let first = st.stamp().expect("stamp");
    env.ok(&["list", "-D", "today"]);
    assert_eq!(st.stamp().expect("stamp"), first, "a read moved the stamp");
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let booked = st.stamp().expect("stamp");
    assert_ne!(booked, first, "a booking did not move the stamp");
    assert_eq!(st.stamp().expect("stamp"), booked);
    env.ok(&["cancel", s(&a["id"]), "--reason", "llamó"]);
    let cancelled = st.stamp().expect("stamp");
    assert_ne!(cancelled, booked, "a cancellation did not move the stamp");
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--phone",
        "+50370000002",
        "--name",
        "Espera Uno",
    ]);
    assert_ne!(
        st.stamp().expect("stamp"),
        cancelled,
        "a waitlist entry did not move the stamp"
    );
}
