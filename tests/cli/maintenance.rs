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

#[test]
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
