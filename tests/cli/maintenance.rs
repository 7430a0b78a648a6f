//! Tests: looking after the database file — `demo` never replaces a real
//! database, `check` finds broken invariants, `backup` copies while others write.

use crate::common::{s, Env};
use serde_json::Value;
use std::path::Path;

/// Every file in the folder with its bytes, to show a refusal touched nothing.
fn folder(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

fn demo(env: &Env) -> std::process::Output {
    env.cmd().args(["demo", "--json"]).output().unwrap()
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn demo_refuses_a_clinic_database_and_leaves_it_and_its_key_untouched() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
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
    assert!(Path::new(&format!("{}.key", env.db.display())).exists());
    let before = folder(env.dir.path());
    let d = env.fails(&["demo"], "VALIDATION_ERROR", 2);
    let why = s(&d["db"]);
    assert!(why.contains(&env.db.display().to_string()), "{why}");
    assert!(why.contains("not an appt demo database"), "{why}");
    assert_eq!(folder(env.dir.path()), before, "files changed or appeared");
    // The human message names the file too.
    let out = env.cmd().arg("demo").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&env.db.display().to_string()), "{err}");
    assert_eq!(folder(env.dir.path()), before);
    assert_eq!(env.ok(&["list"])["total"], 1);
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn demo_replaces_its_own_database_run_after_run() {
    let env = Env::new();
    for _ in 0..2 {
        let out = demo(&env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["db"], env.db.display().to_string());
        assert_eq!(v["booked"], 12);
        // A fresh demo each time, not a second one on top of the first.
        assert_eq!(
            env.ok(&["list", "--from", "today", "--to", "+10"])["total"],
            12
        );
        assert_eq!(
            env.ok(&["clinic", "list"])["clinics"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

/// The demo's own agenda writes its clinic's phones as the desk reads them
/// (docs/rules.md#phones), as `appt agenda` on it does afterwards.
#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn the_demos_agenda_writes_its_clinics_phones_in_national_form() {
    let env = Env::new();
    let out = env.cmd().arg("demo").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!shown.contains("+503"), "{shown}");
    let later = env.cmd().arg("agenda").output().unwrap();
    let later = String::from_utf8_lossy(&later.stdout);
    let phone = |text: &str| {
        text.split_whitespace()
            .find(|w| w.len() == 9 && w.as_bytes()[4] == b'-')
            .map(str::to_string)
    };
    assert!(phone(&shown).is_some(), "{shown}");
    assert_eq!(phone(&shown), phone(&later), "{shown}\n{later}");
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn demo_refuses_any_other_file_even_an_empty_one() {
    let env = Env::new();
    for content in [&b"my notes, not a database\n"[..], b""] {
        std::fs::write(&env.db, content).unwrap();
        let before = folder(env.dir.path());
        env.fails(&["demo"], "VALIDATION_ERROR", 2);
        assert_eq!(folder(env.dir.path()), before);
    }
    // Another program's SQLite file, too.
    std::fs::remove_file(&env.db).unwrap();
    let other = rusqlite::Connection::open(&env.db).unwrap();
    other
        .execute_batch(
            "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('x', '1');",
        )
        .unwrap();
    drop(other);
    let before = folder(env.dir.path());
    env.fails(&["demo"], "VALIDATION_ERROR", 2);
    assert_eq!(folder(env.dir.path()), before);
}

// ---------------------------------------------------------------------------
// appt check
// ---------------------------------------------------------------------------

/// `appt check --json`: (exit code, report on stdout, error on stderr).
fn check(env: &Env) -> (i32, Value, String) {
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Expects `check` to fail with exactly the violations of `kind` (and no
/// others); returns them.
fn violations(env: &Env, kind: &str) -> Vec<Value> {
    let (code, report, stderr) = check(env);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["ok"], false);
    let err: Value = serde_json::from_str(stderr.trim()).expect("JSON error on stderr");
    assert_eq!(err["error"]["code"], "DATABASE_ERROR");
    let all = report["violations"].as_array().unwrap().clone();
    assert!(
        all.iter().all(|v| v["check"] == kind),
        "only {kind} violations expected: {report}"
    );
    assert!(!all.is_empty());
    all
}

fn ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["appointment_id"]).to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Writes straight into the database what appt itself would refuse. On
/// PostgreSQL the exclusion constraint would refuse an overlap too: it goes
/// first, so that `check` is what finds it.
fn plant(env: &Env, sql: &str) {
    if crate::common::on_postgres() {
        env.exec("ALTER TABLE appointments DROP CONSTRAINT IF EXISTS appt_doctor_no_overlap");
    }
    env.exec(sql);
}

fn cw_book(env: &Env, time: &str, phone: &str) -> Value {
    env.ok(&[
        "book",
        "--clinic-wide",
        "--date",
        "2026-06-16",
        "--time",
        time,
        "--phone",
        phone,
        "--name",
        "Test Patient",
        "--service",
        "General Checkup",
    ])["appointment"]
        .clone()
}

fn clinic_wide(env: &Env) {
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
}

#[test]
fn check_is_clean_after_normal_use() {
    let mut env = Env::clinic();
    clinic_wide(&env);
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let b = env.book("2026-06-15", "11:00", "+50370000002");
    let c = env.book("2026-06-16", "09:00", "+50370000003");
    let d = env.book("2026-06-16", "10:00", "+50370000004");
    cw_book(&env, "14:00", "+50370000005");
    cw_book(&env, "14:00", "+50370000006");
    env.ok(&[
        "reschedule",
        s(&c["id"]),
        "--date",
        "2026-06-17",
        "--time",
        "09:00",
    ]);
    env.ok(&["cancel", s(&d["id"]), "--reason", "travel"]);
    env.book("2026-06-16", "10:00", "+50370000007");
    env.at("2026-06-15T16:30:00Z"); // 10:30 local
    env.ok(&["status", s(&a["id"]), "checked_in"]);
    env.ok(&["status", s(&a["id"]), "completed", "--diagnosis", "ok"]);
    env.at("2026-06-15T17:30:00Z");
    env.ok(&["status", s(&b["id"]), "no_show"]);
    let out = env.cmd().args(["remind", "due"]).output().unwrap();
    assert!(out.status.success());
    let (code, report, stderr) = check(&env);
    assert_eq!(
        (code, &report),
        (
            0,
            &serde_json::json!({"ok": true, "violations": [], "stale_calendars": []})
        ),
        "{stderr}"
    );
    let out = env.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "OK: no problems found"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn check_finds_a_doctor_double_booked() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let b = env.book("2026-06-16", "11:00", "+50370000002");
    let other = env.book("2026-06-16", "12:00", "+50370000003");
    // A cancelled visit at the same time is no clash.
    env.ok(&["cancel", s(&other["id"]), "--reason", "x"]);
    plant(
        &env,
        &format!(
            "UPDATE appointments SET starts_at = starts_at - 3600 + 900, ends_at = ends_at - 3600 + 900 WHERE id = {};
             UPDATE appointments SET starts_at = starts_at - 7200, ends_at = ends_at - 7200 WHERE id = {};",
            env.id_literal(s(&b["id"])),
            env.id_literal(s(&other["id"]))
        ),
    );
    let v = violations(&env, "capacity");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        ids(&v[0]),
        sorted(vec![s(&a["id"]).into(), s(&b["id"]).into()])
    );
    let m = s(&v[0]["message"]);
    assert!(
        m.contains("Dr. García") && m.contains("2026-06-16 10:15"),
        "{m}"
    );
    assert_eq!(v[0]["rows"][0]["window_capacity"], 1);
    assert_eq!(v[0]["rows"][0]["start_time"], "10:00");
    // The human report names the check and every appointment involved.
    let out = env.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[capacity]"), "{text}");
    for id in [&a["id"], &b["id"]] {
        assert!(text.contains(&s(id)[..8]), "{text}");
    }
    assert!(text
        .lines()
        .all(|l| l.chars().count() <= 80 || !l.starts_with("  ")));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: 1 problem found"));
}

#[test]
fn check_counts_clinic_wide_capacity_per_service() {
    let env = Env::clinic();
    clinic_wide(&env);
    env.ok(&["service", "add", "Vacunación", "--minutes", "30"]);
    let a = cw_book(&env, "14:00", "+50370000001");
    let b = cw_book(&env, "14:00", "+50370000002");
    let c = cw_book(&env, "14:30", "+50370000003");
    // Two at once is the window's capacity; the same time in another service is
    // no clash either.
    plant(
        &env,
        &format!(
            "UPDATE appointments SET service_id = (SELECT id FROM services WHERE name = 'Vacunación'),
                 starts_at = starts_at - 1800, ends_at = ends_at - 1800 WHERE id = {}",
            env.id_literal(s(&c["id"]))
        ),
    );
    assert_eq!(check(&env).0, 0);
    plant(
        &env,
        &format!(
            "UPDATE appointments SET service_id = (SELECT service_id FROM appointments WHERE id = {}) WHERE id = {}",
            env.id_literal(s(&a["id"])),
            env.id_literal(s(&c["id"]))
        ),
    );
    let v = violations(&env, "capacity");
    assert_eq!(v.len(), 1);
    assert_eq!(
        ids(&v[0]),
        sorted(vec![
            s(&a["id"]).into(),
            s(&b["id"]).into(),
            s(&c["id"]).into()
        ])
    );
    assert!(s(&v[0]["message"]).contains("capacity of 2"), "{}", v[0]);
}

#[test]
fn check_finds_a_token_handed_out_twice() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let b = env.book("2026-06-16", "11:00", "+50370000002");
    // Same token on another day is fine.
    env.book("2026-06-17", "11:00", "+50370000003");
    assert_eq!(check(&env).0, 0);
    plant(
        &env,
        &format!(
            "UPDATE appointments SET token_number = 1 WHERE id = {}",
            env.id_literal(s(&b["id"]))
        ),
    );
    let v = violations(&env, "tokens");
    assert_eq!(v.len(), 1);
    assert_eq!(
        ids(&v[0]),
        sorted(vec![s(&a["id"]).into(), s(&b["id"]).into()])
    );
    assert!(
        s(&v[0]["message"]).contains("token 1 on 2026-06-16"),
        "{}",
        v[0]
    );
}

#[test]
fn check_finds_a_token_the_counter_would_hand_out_again() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let b = env.book("2026-06-16", "11:00", "+50370000002");
    env.ok(&["cancel", s(&b["id"]), "--reason", "x"]);
    assert_eq!(check(&env).0, 0);
    // Even a cancelled appointment's token is never handed out again.
    plant(&env, "UPDATE tokens SET last = 1");
    let v = violations(&env, "tokens");
    assert_eq!(v.len(), 1);
    assert_eq!(ids(&v[0]), [s(&b["id"])]);
    assert!(
        s(&v[0]["message"]).contains("token 2 on 2026-06-16"),
        "{}",
        v[0]
    );
}

#[test]
fn check_finds_an_appointment_without_its_booked_event() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    env.book("2026-06-16", "11:00", "+50370000002");
    env.ok(&["update", s(&a["id"]), "--notes", "allergic to penicillin"]);
    plant(
        &env,
        &format!(
            "DELETE FROM events WHERE appointment_id = {} AND {}",
            env.id_literal(s(&a["id"])),
            crate::common::event_is("appointment.booked")
        ),
    );
    let v = violations(&env, "booked_event");
    assert_eq!(v.len(), 1);
    assert_eq!(ids(&v[0]), [s(&a["id"])]);
    assert!(s(&v[0]["message"]).contains("2026-06-16 10:00"), "{}", v[0]);
}

#[test]
fn check_finds_a_pending_reminder_of_a_finished_appointment() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    env.book("2026-06-16", "11:00", "+50370000002");
    plant(
        &env,
        &format!(
            "UPDATE appointments SET status = {} WHERE id = {}",
            crate::common::status_code("cancelled"),
            env.id_literal(s(&a["id"]))
        ),
    );
    let v = violations(&env, "pending_reminder");
    assert_eq!(v.len(), 2, "the 24h and the 2h reminder");
    for x in &v {
        let r = &x["rows"][0];
        assert_eq!(r["appointment_id"], a["id"]);
        assert_eq!(r["status"], "pending");
        assert_eq!(r["appointment_status"], "cancelled");
        assert!(r["reminder_id"].is_string());
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn check_finds_a_broken_foreign_key() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    plant(
        &env,
        "PRAGMA foreign_keys = OFF;
         INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, kind, created_at, updated_at)
         VALUES (x'00112233445566778899aabbccddeeff', x'ffeeddccbbaa99887766554433221100', 60, 1, 2, 1, 1, 1);",
    );
    let v = violations(&env, "foreign_key");
    assert_eq!(v.len(), 1);
    let r = &v[0]["rows"][0];
    assert_eq!(r["table"], "reminders");
    assert_eq!(r["parent"], "appointments");
    assert_eq!(r["column"], "appointment_id");
    assert_eq!(r["value"], "ffeeddcc-bbaa-9988-7766-554433221100");
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn check_finds_a_damaged_file() {
    let env = Env::clinic();
    for (i, t) in ["09:00", "09:30", "10:00", "10:30"].iter().enumerate() {
        env.book("2026-06-16", t, &format!("+5037000000{i}"));
    }
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'appt_clinic_created'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let page: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    // Scribble over the index's page (not its header) in the file itself.
    let mut bytes = std::fs::read(&env.db).unwrap();
    let at = ((root - 1) * page + 8) as usize;
    for b in &mut bytes[at..at + 64] {
        *b = 0x5a;
    }
    std::fs::write(&env.db, bytes).unwrap();
    // By default SQLite's quick_check reads every page; --full runs its
    // integrity_check, which also checks each index against its table.
    for (args, pragma) in [
        (&["check", "--json"][..], "quick_check"),
        (&["check", "--full", "--json"][..], "integrity_check"),
    ] {
        let out = env.cmd().args(args).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(6), "{report}");
        let v = report["violations"].as_array().unwrap();
        let integrity = v
            .iter()
            .find(|v| v["check"] == "integrity")
            .expect("integrity violation");
        assert!(
            s(&integrity["message"]).starts_with(&format!("SQLite's {pragma} found")),
            "{integrity}"
        );
        assert!(!integrity["rows"].as_array().unwrap().is_empty());
        for r in integrity["rows"].as_array().unwrap() {
            let p = s(&r["problem"]);
            assert!(
                !p.is_empty() && !p.contains('\n'),
                "one problem a row: {p:?}"
            );
        }
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn check_of_a_missing_database_creates_nothing() {
    let env = Env::new();
    for args in [
        &["check"][..],
        &["backup", "copy.db"],
        &["list"],
        &["agenda"],
    ] {
        let details = env.fails(args, "DATABASE_ERROR", 6);
        assert_eq!(
            details["database"],
            env.db.display().to_string(),
            "{args:?}"
        );
        let out = env.cmd().args(args).output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("hint: run `appt init`"), "{args:?}: {said}");
    }
    assert!(folder(env.dir.path()).is_empty());
}

// ---------------------------------------------------------------------------
// appt backup
// ---------------------------------------------------------------------------

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// `appt backup ARGS` run through `sh` with a given umask.
fn backup_with_umask(env: &Env, umask: &str, args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("appt");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$@\""))
        .arg("sh")
        .arg(bin)
        .arg("--db")
        .arg(&env.db)
        .arg("backup")
        .args(args)
        .arg("--json")
        .env("APPT_NOW", &env.now)
        .env_remove("APPT_DB")
        .env_remove("APPT_KEY")
        .output()
        .unwrap()
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn backup_while_others_keep_booking_is_a_clean_private_copy() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--days",
        "mon-fri",
        "--from",
        "08:00",
        "--to",
        "18:00",
        "--capacity",
        "100",
    ]);
    let stop = Arc::new(AtomicBool::new(false));
    let booked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (stop, booked) = (stop.clone(), booked.clone());
            let (db, now) = (env.db.clone(), env.now.clone());
            std::thread::spawn(move || {
                let bin = assert_cmd::cargo::cargo_bin("appt");
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let out = std::process::Command::new(&bin)
                        .arg("--db")
                        .arg(&db)
                        .args([
                            "book",
                            "--clinic-wide",
                            "--date",
                            &format!("2026-06-{}", 16 + i % 4),
                        ])
                        .args(["--time", &format!("{:02}:00", 8 + i % 10)])
                        .args(["--phone", &format!("+5037{w}{i:06}"), "--name", "Loop"])
                        .env("APPT_NOW", &now)
                        .env_remove("APPT_CLINIC")
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    booked.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    // The writers get going; one that fails stops its thread, so the wait
    // has a deadline rather than hanging the suite.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while booked.load(Ordering::Relaxed) < 6 {
        assert!(
            std::time::Instant::now() < deadline && writers.iter().all(|w| !w.is_finished()),
            "the writers booked {} in 120 s, or one of them failed",
            booked.load(Ordering::Relaxed)
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut copies = Vec::new();
    for n in 0..4 {
        let copy = env.dir.path().join(format!("copy{n}.db"));
        let out = backup_with_umask(&env, "000", &[copy.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["path"], copy.display().to_string());
        assert_eq!(v["bytes"], std::fs::metadata(&copy).unwrap().len());
        copies.push(copy);
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let total = env.ok(&["list", "--from", "today", "--to", "+30", "--limit", "500"])["total"]
        .as_u64()
        .unwrap();
    let mut last = 0;
    for copy in &copies {
        assert_eq!(mode(copy), 0o600, "{}", copy.display());
        // A single file: nothing beside it.
        for suffix in ["-wal", "-shm", "-journal"] {
            assert!(!Path::new(&format!("{}{suffix}", copy.display())).exists());
        }
        let mut c = Env::new();
        c.db = copy.clone();
        c.at(&env.now.clone());
        assert_eq!(check(&c).0, 0, "{}", copy.display());
        let n = c.ok(&["list", "--from", "today", "--to", "+30", "--limit", "500"])["total"]
            .as_u64()
            .unwrap();
        assert!(
            n >= last && n <= total,
            "{n} in the copy, {total} in the source"
        );
        last = n;
    }
    assert!(last > 0);
    // No temporary files left behind.
    let names: Vec<String> = folder(env.dir.path()).into_iter().map(|(n, _)| n).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn backup_refuses_an_existing_file_without_force() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let copy = env.dir.path().join("copy.db");
    std::fs::write(&copy, b"last week's backup").unwrap();
    let before = folder(env.dir.path());
    let d = env.fails(&["backup", copy.to_str().unwrap()], "VALIDATION_ERROR", 2);
    assert!(s(&d["file"]).contains("--force"), "{d}");
    assert_eq!(folder(env.dir.path()), before);
    // The database itself is never a target, --force or not.
    env.fails(
        &["backup", env.db.to_str().unwrap(), "--force"],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(folder(env.dir.path()), before);
    // --force replaces it whole, private even under a restrictive umask.
    let out = backup_with_umask(&env, "277", &[copy.to_str().unwrap(), "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&copy), 0o600);
    let mut c = Env::new();
    c.db = copy.clone();
    assert_eq!(check(&c).0, 0);
    assert_eq!(c.ok(&["list", "--date", "2026-06-16"])["total"], 1);
    // A copy still open elsewhere (its -wal exists) is not replaced under it.
    let held = rusqlite::Connection::open(&copy).unwrap();
    held.execute_batch("PRAGMA wal_autocheckpoint=0; DELETE FROM events;")
        .unwrap();
    let before = std::fs::read(&copy).unwrap();
    env.fails(
        &["backup", copy.to_str().unwrap(), "--force"],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    drop(held);
    // A folder that does not exist: an I/O failure, nothing left behind.
    let (code, e) = env.err(&[
        "backup",
        env.dir.path().join("no/such/dir/x.db").to_str().unwrap(),
    ]);
    assert_eq!((code, s(&e["code"])), (1, "INTERNAL_ERROR"));
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn backup_reports_sealed_national_ids_and_their_key() {
    let env = Env::clinic();
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
    let copy = env.dir.path().join("copy.db");
    let v = env.ok(&["backup", copy.to_str().unwrap()]);
    assert_eq!(v["sealed_national_ids"], 1);
    let out = env
        .cmd()
        .args(["backup", copy.to_str().unwrap(), "--force"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{}.key", env.db.display())),
        "{text}"
    );
    // Restored beside its key, the copy reads the sealed ID.
    std::fs::copy(
        format!("{}.key", env.db.display()),
        format!("{}.key", copy.display()),
    )
    .unwrap();
    let mut c = Env::new();
    c.db = copy;
    assert_eq!(
        c.ok(&["patient", "show", "+50370000009"])["national_id"],
        "04567890-1"
    );
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_backup_killed_midway_leaves_nothing_once_the_next_one_ran() {
    use std::time::{Duration, Instant};
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    // 64 MiB of pages, so that a copy is still being written when it is killed.
    env.exec(
        "CREATE TABLE pad(b BLOB); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64) \
         INSERT INTO pad SELECT randomblob(1048576) FROM n;",
    );
    let out = env.dir.path().join("backups");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("appt-copy.db");
    let target_arg = target.to_str().unwrap();
    for _ in 0..2 {
        let before = names_in(&out);
        let mut backup = env
            .raw(&["backup", target_arg])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed once its hidden partial copy holds a MiB: midway.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let underway = names_in(&out).iter().any(|n| {
                !before.contains(n)
                    && n.starts_with(".appt-copy.db.")
                    && !n.ends_with("-journal")
                    && std::fs::metadata(out.join(n)).is_ok_and(|m| m.len() > 1 << 20)
            });
            if underway {
                break;
            }
            assert!(
                backup.try_wait().unwrap().is_none(),
                "the backup ended before it could be killed"
            );
            assert!(Instant::now() < deadline, "no partial copy appeared");
            std::thread::sleep(Duration::from_millis(1));
        }
        backup.kill().unwrap(); // SIGKILL
        backup.wait().unwrap();
    }
    let left = names_in(&out);
    assert!(!target.exists(), "{left:?}");
    assert!(
        left.len() >= 2,
        "each killed backup left its copy: {left:?}"
    );
    // A backup into another file leaves them be; the next into the same target removes them.
    env.ok(&["backup", out.join("other.db").to_str().unwrap()]);
    assert_eq!(names_in(&out).len(), left.len() + 1);
    std::fs::remove_file(out.join("other.db")).unwrap();
    env.ok(&["backup", target_arg]);
    assert_eq!(names_in(&out), ["appt-copy.db"]);
    let mut copy = Env::new();
    copy.db = target;
    assert_eq!(copy.ok(&["list", "--date", "2026-06-16"])["total"], 1);
}

/// Runs `appt --db PATH ARGS --json`, failing the test rather than hanging
/// when appt blocks on the path (a FIFO).
fn with_db(env: &Env, db: &Path, args: &[&str]) -> (Option<i32>, Value) {
    use std::time::{Duration, Instant};
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("appt"));
    let mut child = cmd
        .arg("--db")
        .arg(db)
        .args(args)
        .env("APPT_NOW", &env.now)
        .env_remove("APPT_DB")
        .env_remove("APPT_KEY")
        .arg("--json")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("appt --db {} {args:?} hung", db.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let v = serde_json::from_str(err.trim()).unwrap_or(Value::String(err.into_owned()));
    (out.status.code(), v)
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_database_path_that_is_no_regular_file_is_refused_and_nothing_made_beside_it() {
    let env = Env::new();
    let dir = env.dir.path();
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let folder = dir.join("folder");
    std::fs::create_dir(&folder).unwrap();
    let to_null = dir.join("to-null");
    std::os::unix::fs::symlink("/dev/null", &to_null).unwrap();
    let beside_null: Vec<String> = ["-journal", "-wal", "-shm", ".key"]
        .iter()
        .map(|s| format!("/dev/null{s}"))
        .collect();
    let existed: Vec<bool> = beside_null.iter().map(|p| Path::new(p).exists()).collect();
    let before = names_in(dir);
    for db in [fifo.as_path(), &folder, &to_null, Path::new("/dev/null")] {
        for args in [
            &["init"][..],
            &["list"],
            &["clinic", "add", "X", "--timezone", "UTC"],
            &["check"],
        ] {
            let (code, e) = with_db(&env, db, args);
            assert_eq!(code, Some(6), "--db {} {args:?}: {e}", db.display());
            assert_eq!(e["error"]["code"], "DATABASE_ERROR", "{e}");
            let message = s(&e["error"]["message"]);
            assert!(message.contains(&db.display().to_string()), "{message}");
            assert_eq!(names_in(dir), before, "--db {} {args:?}", db.display());
            assert!(names_in(&folder).is_empty());
            let now: Vec<bool> = beside_null.iter().map(|p| Path::new(p).exists()).collect();
            assert_eq!(
                now,
                existed,
                "--db {} {args:?} made a file in /dev",
                db.display()
            );
        }
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn backup_never_replaces_a_fifo_or_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let env = Env::clinic();
    let fifo = env.dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let before = names_in(env.dir.path());
    let d = env.fails(
        &["backup", fifo.to_str().unwrap(), "--force"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(s(&d["file"]).contains("not a regular file"), "{d}");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(names_in(env.dir.path()), before);
}

/// The demo's clinic speaks Spanish: its sessions are named in Spanish too,
/// so a Spanish desk reads no English session in `slots` or `window list`.
#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn the_demos_sessions_are_named_in_its_clinics_language() {
    let env = Env::new();
    let out = env.cmd().arg("demo").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let windows = env.ok(&["window", "list"]);
    let mut sessions: Vec<&str> = windows["windows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["session"].as_str())
        .collect();
    sessions.sort();
    sessions.dedup();
    assert_eq!(sessions, ["Mañana", "Tarde"]);
}
