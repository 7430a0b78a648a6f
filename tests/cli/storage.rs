//! Tests: the database file — pragmas, schema versions, damage, modes, paths, locks.

use crate::common::{s, Env};
use rusqlite::Connection;
use std::process::Command;

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
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
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
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
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
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
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
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
    // A path given is made only in a folder that exists.
    let other = home.path().join("elsewhere/x.db");
    let out = run(&[("APPT_DB", other.display().to_string())]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!home.path().join("elsewhere").exists());
    std::fs::create_dir(home.path().join("elsewhere")).unwrap();
    let out = run(&[("APPT_DB", other.display().to_string())]);
    assert!(out.status.success());
    assert!(other.exists());
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
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
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
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

// ---------------------------------------------------------------- files that are not appt's

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The names in the database's folder, sorted.
fn folder(env: &Env) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A SQLite file in rollback-journal mode (the default of other programs), made by `sql`.
fn sqlite_file(env: &Env, sql: &str) {
    let conn = Connection::open(&env.db).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn files_that_are_not_appts_are_refused_and_left_byte_for_byte() {
    for (what, sql) in [
        ("user_version -1, empty", "PRAGMA user_version = -1;"),
        (
            "user_version -1 with a table",
            "CREATE TABLE notes (x); PRAGMA user_version = -1;",
        ),
        (
            "another program's clinics table",
            "CREATE TABLE clinics (id INTEGER PRIMARY KEY, name TEXT); \
             INSERT INTO clinics (name) VALUES ('Vet clinic');",
        ),
        (
            "a clinics table and user_version 1",
            "CREATE TABLE clinics (id, name); PRAGMA user_version = 1;",
        ),
        (
            "another program's application_id",
            "PRAGMA application_id = 42;",
        ),
        (
            "a user_version from no appt",
            "CREATE TABLE t (x); PRAGMA user_version = 99;",
        ),
    ] {
        let env = Env::new();
        sqlite_file(&env, sql);
        let bytes = std::fs::read(&env.db).unwrap();
        let names = folder(&env);
        for args in [
            vec!["clinic", "list"],
            vec!["init"],
            vec![
                "patient",
                "add",
                "--name",
                "Ana",
                "--phone",
                "+50370000001",
                "--national-id",
                "1",
            ],
        ] {
            let (code, e) = env.err(&args);
            assert_eq!((code, s(&e["code"])), (6, "DATABASE_ERROR"), "{what}: {e}");
            let message = s(&e["message"]);
            assert!(
                message.contains("is not an appt database"),
                "{what}: {message}"
            );
            assert!(!message.contains("CREATE"), "{what}: SQL in {message}");
            // Human output too: no panic, an error line.
            let out = env.cmd().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(6), "{what}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.starts_with("error: "), "{what}: {stderr}");
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        }
        assert!(
            std::fs::read(&env.db).unwrap() == bytes,
            "{what}: file changed"
        );
        assert_eq!(folder(&env), names, "{what}: files appeared beside it");
        assert_eq!(mode(&env.db), 0o644, "{what}: mode changed");
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn an_older_appt_database_is_upgraded_and_stamped() {
    let fresh = Env::new();
    fresh.ok(&["init"]);
    let conn = Connection::open(&fresh.db).unwrap();
    let pragma = |c: &Connection, p: &str| -> i64 {
        c.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
            .unwrap()
    };
    let current = pragma(&conn, "user_version");
    assert_eq!(pragma(&conn, "application_id"), 0x6170_7074, "appt's stamp");
    drop(conn);
    let v1 = &migration(include_str!("../../src/store/schema/sqlite/001_init.sql"));
    let v2 = &migration(include_str!(
        "../../src/store/schema/sqlite/002_webhooks.sql"
    ));
    let v3 = &migration(include_str!(
        "../../src/store/schema/sqlite/003_reliability.sql"
    ));
    // Files written by an appt from before the stamp: version 1, and the newest schema.
    for (what, sql) in [
        ("version 1", format!("{v1}; PRAGMA user_version = 1;")),
        (
            "version 3 unstamped",
            format!("{v1}; {v2}; {v3}; PRAGMA user_version = 3;"),
        ),
    ] {
        let env = Env::new();
        sqlite_file(&env, &sql);
        env.ok(&[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
        ]);
        let conn = Connection::open(&env.db).unwrap();
        assert_eq!(pragma(&conn, "user_version"), current, "{what}");
        assert_eq!(pragma(&conn, "application_id"), 0x6170_7074, "{what}");
        assert_eq!(env.ok(&["clinic", "list"])["clinics"][0]["name"], "Central");
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_failing_migration_is_a_database_error_without_sql() {
    // An appt database at version 1 that somehow already has version 2's table.
    let env = Env::new();
    let v1 = &migration(include_str!("../../src/store/schema/sqlite/001_init.sql"));
    sqlite_file(
        &env,
        &format!(
            "{v1}; CREATE TABLE webhooks (id TEXT); PRAGMA user_version = 1; \
             PRAGMA application_id = {};",
            0x6170_7074
        ),
    );
    let (code, e) = env.err(&["clinic", "list"]);
    assert_eq!((code, s(&e["code"])), (6, "DATABASE_ERROR"), "{e}");
    let message = s(&e["message"]);
    assert!(message.contains("schema version 2"), "{message}");
    assert!(!message.contains("CREATE"), "SQL in {message}");
    let conn = Connection::open(&env.db).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1, "the failed migration was rolled back");
}

// ---------------------------------------------------------------- first use, many processes at once

/// Starts `appt --db DB ARGS --json` for every entry before waiting for any.
fn spawn_all(runs: &[(std::path::PathBuf, Vec<&str>)]) -> Vec<std::process::Output> {
    use std::process::Stdio;
    let bin = assert_cmd::cargo::cargo_bin("appt");
    let children: Vec<_> = runs
        .iter()
        .map(|(db, args)| {
            Command::new(&bin)
                .arg("--db")
                .arg(db)
                .args(args)
                .arg("--json")
                .env("APPT_NOW", crate::common::MONDAY_8AM)
                .env_remove("APPT_CLINIC")
                .env_remove("APPT_KEY")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn first_use_waits_while_another_process_writes_the_new_file() {
    // Another appt has just created the file and holds the write lock (as while
    // it creates the schema). Turning on WAL must wait for it, like any write.
    let env = Env::new();
    std::fs::File::create(&env.db).unwrap();
    let holder = Connection::open(&env.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("appt");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(&bin)
                .args(["--db", env.db.to_str().unwrap(), "clinic", "list", "--json"])
                .env("APPT_NOW", &env.now)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(400));
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        env.ok(&["clinic", "list"])["clinics"],
        serde_json::json!([])
    );
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn concurrent_first_use_of_new_databases_always_succeeds() {
    // Rounds of processes racing to create one new database: every command
    // that makes one must succeed, none "database is locked"; a list that
    // runs before any of them finds no database, and says so.
    let dir = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 4] = [
        &["init"],
        &["clinic", "list"],
        &["patient", "list"],
        &[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
        ],
    ];
    for round in 0..12 {
        std::fs::create_dir(dir.path().join(format!("r{round}"))).unwrap();
        let db = dir.path().join(format!("r{round}/appt.db"));
        let runs: Vec<_> = (0..10)
            .map(|i| (db.clone(), commands[i % commands.len()].to_vec()))
            .collect();
        let outs = spawn_all(&runs);
        let failed: Vec<String> = outs
            .iter()
            .zip(&runs)
            .filter(|(o, (_, args))| {
                // Only one `clinic add` of the round can win the name.
                let lost_the_name = args.get(1) == Some(&"add") && o.status.code() == Some(2);
                let too_early = args.get(1) == Some(&"list")
                    && o.status.code() == Some(6)
                    && String::from_utf8_lossy(&o.stderr).contains("no database at");
                !o.status.success() && !lost_the_name && !too_early
            })
            .map(|(o, (_, args))| format!("{args:?}: {}", String::from_utf8_lossy(&o.stderr)))
            .collect();
        assert!(failed.is_empty(), "round {round}: {failed:#?}");
        let clinics = outs
            .iter()
            .zip(&runs)
            .filter(|(o, (_, args))| args.get(1) == Some(&"add") && o.status.success())
            .count();
        assert_eq!(clinics, 1, "round {round}: one clinic add wins");
    }
}

// ---------------------------------------------------------------- modes

/// `appt ARGS --json` on the default database of a user whose home is
/// `home`, run by `sh` under `umask`.
fn under_umask(
    umask: &str,
    home: &std::path::Path,
    now: &str,
    args: &[&str],
) -> std::process::Output {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("appt"))
        .args(args)
        .arg("--json")
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("APPT_DB")
        .env("APPT_NOW", now)
        .env_remove("APPT_CLINIC")
        .env_remove("APPT_KEY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "umask {umask}: appt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn folders_and_files_appt_creates_are_private_whatever_the_umask() {
    for umask in ["000", "022", "277"] {
        // Only the default location's folders are made (a given path's
        // folder must exist): a home with none of them.
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(".local/share/appt/appt.db");
        let seen = dir.path().join("seen");
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
            &[
                "book",
                "--doctor",
                "Dr. García",
                "--date",
                "2026-06-16",
                "--time",
                "10:00",
                "--phone",
                "+50370000001",
                "--name",
                "Ana",
            ],
        ] {
            under_umask(umask, dir.path(), crate::common::MONDAY_8AM, args);
        }
        // The 24 h reminder is due at 16:00Z; its hook runs while appt has the
        // database open, so it sees the -wal and -shm files.
        let hook = format!(
            "stat -c %a '{db}-wal' '{db}-shm' > '{seen}'",
            db = db.display(),
            seen = seen.display()
        );
        under_umask(
            umask,
            dir.path(),
            "2026-06-15T16:30:00Z",
            &["remind", "due", "--exec", &hook],
        );
        assert_eq!(
            std::fs::read_to_string(&seen).unwrap(),
            "600\n600\n",
            "umask {umask}: -wal and -shm"
        );
        for folder in [".local", ".local/share", ".local/share/appt"] {
            assert_eq!(
                mode(&dir.path().join(folder)),
                0o700,
                "umask {umask}: {folder}/"
            );
        }
        assert_eq!(mode(&db), 0o600, "umask {umask}: the database");
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn an_existing_database_with_wider_modes_is_tightened_on_open() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::clinic();
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana",
        "--phone",
        "+50370000001",
        "--national-id",
        "1234",
    ]);
    // Keep the WAL open, as another running appt would.
    let conn = Connection::open(&env.db).unwrap();
    let _: i64 = conn
        .query_row("SELECT count(*) FROM clinics", [], |r| r.get(0))
        .unwrap();
    // (Not the key file: one others could read is refused, never tightened;
    // see keys.rs.)
    let files: Vec<_> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| std::path::PathBuf::from(format!("{}{suffix}", env.db.display())))
        .collect();
    for (f, m) in files.iter().zip([0o644, 0o666, 0o640]) {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(m)).unwrap();
    }
    env.ok(&["clinic", "list"]);
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    // An existing folder is the user's: its mode is left alone.
    std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    env.ok(&["clinic", "list"]);
    assert_eq!(mode(env.dir.path()), 0o755);
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn another_programs_wal_database_is_not_checkpointed_either() {
    // Another program's WAL-mode file with committed changes still in its -wal:
    // appt's connection closing must not fold them into the file.
    let env = Env::new();
    let conn = Connection::open(&env.db).unwrap();
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )
    .unwrap();
    let _: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    conn.execute_batch(
        "PRAGMA wal_autocheckpoint = 0; CREATE TABLE clinics (id, name); \
         INSERT INTO clinics VALUES (1, 'Vet');",
    )
    .unwrap();
    drop(conn);
    let wal = std::path::PathBuf::from(format!("{}-wal", env.db.display()));
    let before = (
        std::fs::read(&env.db).unwrap(),
        std::fs::read(&wal).unwrap(),
    );
    assert!(!before.1.is_empty(), "frames left in the WAL");
    let names = folder(&env);
    let (code, e) = env.err(&["clinic", "list"]);
    assert_eq!((code, s(&e["code"])), (6, "DATABASE_ERROR"), "{e}");
    let after = (
        std::fs::read(&env.db).unwrap(),
        std::fs::read(&wal).unwrap(),
    );
    assert!(after == before, "the file or its WAL changed");
    assert_eq!(folder(&env), names);
}

/// A migration's SQL as appt runs it: the active statuses put in where it
/// says `{ACTIVE}`.
fn migration(sql: &str) -> String {
    sql.replace(
        "{ACTIVE}",
        "('scheduled','confirmed','checked_in','in_progress')",
    )
}
