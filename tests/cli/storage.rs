//! Tests: the database file — pragmas, schema versions, damage, modes, paths, locks.

use crate::common::Env;
use rusqlite::Connection;
use std::process::Command;

#[test]
fn newer_schema_is_refused_and_left_alone() {
    let env = Env::clinic();
    let conn = Connection::open(&env.db).unwrap();
    conn.execute_batch("PRAGMA user_version = 999").unwrap();
    drop(conn);
    let d = env.fails(&["doctor", "list"], "DATABASE_ERROR", 6);
    assert!(d.is_object());
    let conn = Connection::open(&env.db).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 999);
}

#[test]
fn a_non_database_file_is_a_database_error_not_a_panic() {
    let env = Env::new();
    std::fs::write(
        &env.db,
        b"this is not sqlite, just some text that goes on and on".repeat(100),
    )
    .unwrap();
    let (code, e) = env.err(&["clinic", "list"]);
    assert_eq!(code, 6);
    assert_eq!(e["code"], "DATABASE_ERROR");
    let out = env.cmd().args(["clinic", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[test]
fn wal_strict_and_private_files() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::clinic();
    env.book("2026-06-15", "10:00", "+50370000001");
    let conn = Connection::open(&env.db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let loose: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%STRICT%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(loose.is_empty(), "tables without STRICT: {loose:?}");
    // Keep the WAL open while checking, as a running appt would.
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", env.db.display());
        let m = std::fs::metadata(&p)
            .unwrap_or_else(|_| panic!("{p} exists"))
            .permissions()
            .mode();
        assert_eq!(m & 0o777, 0o600, "{p}");
    }
}

#[test]
fn default_path_comes_from_the_data_dir_and_appt_db_overrides_it() {
    let home = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("appt");
    let run = |extra: &[(&str, String)]| {
        let mut c = Command::new(&bin);
        c.args(["init", "--json"])
            .env("HOME", home.path())
            .env_remove("XDG_DATA_HOME")
            .env_remove("APPT_DB");
        for (k, v) in extra {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let default = home.path().join(".local/share/appt/appt.db");
    assert!(default.exists(), "created {}", default.display());
    let other = home.path().join("elsewhere/x.db");
    let out = run(&[("APPT_DB", other.display().to_string())]);
    assert!(out.status.success());
    assert!(other.exists());
}

#[test]
fn a_write_lock_held_past_the_timeout_is_a_database_error() {
    let env = Env::clinic();
    let before = env.snapshot();
    let conn = Connection::open(&env.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
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
            "+50370000001",
            "--name",
            "A",
        ],
        "DATABASE_ERROR",
        6,
    );
    assert!(d.is_object());
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn national_id_is_sealed_at_rest() {
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
    let raw = std::fs::read(&env.db).unwrap();
    let wal = std::fs::read(format!("{}-wal", env.db.display())).unwrap_or_default();
    for bytes in [&raw, &wal] {
        assert!(
            !bytes.windows(10).any(|w| w == b"04567890-1"),
            "plain national ID on disk"
        );
    }
    let p = env.ok(&["patient", "show", "+50370000009"]);
    assert_eq!(p["national_id"], "04567890-1");
    let key = std::fs::metadata(format!("{}.key", env.db.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
}
