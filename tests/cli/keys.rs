//! Tests: the national-ID key (SPEC §9) — made once, never replaced while sealed
//! IDs exist, refused when missing or wrong, and one bad ID never hides the others.

use crate::common::{s, Env};
use rusqlite::Connection;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn key_file(env: &Env) -> PathBuf {
    PathBuf::from(format!("{}.key", env.db.display()))
}

fn add(env: &Env, name: &str, phone: &str, national_id: &str) -> Value {
    env.ok(&[
        "patient",
        "add",
        "--name",
        name,
        "--phone",
        phone,
        "--national-id",
        national_id,
    ])
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

/// Expects DATABASE_ERROR (exit 6) naming the key file and APPT_KEY, with the
/// database unchanged; returns the message.
fn key_refused(env: &Env, args: &[&str]) -> String {
    let before = env.snapshot();
    let (code, e) = env.err(args);
    assert_eq!(
        (code, s(&e["code"])),
        (6, "DATABASE_ERROR"),
        "{args:?}: {e}"
    );
    let message = s(&e["message"]).to_string();
    let key = key_file(env).display().to_string();
    assert!(message.contains(&key), "{args:?}: names {key}: {message}");
    assert!(message.contains("APPT_KEY"), "{args:?}: {message}");
    assert_eq!(env.snapshot(), before, "{args:?} changed the database");
    message
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn twelve_processes_sealing_on_a_fresh_database_agree_on_one_key() {
    let bin = assert_cmd::cargo::cargo_bin("appt");
    for round in 0..3 {
        let env = Env::new();
        let children: Vec<_> = (0..12)
            .map(|i| {
                Command::new(&bin)
                    .arg("--db")
                    .arg(&env.db)
                    .args(["patient", "add", "--name", &format!("P{i}")])
                    .args(["--phone", &format!("+5037000{i:04}")])
                    .args(["--national-id", &format!("ID-{i}"), "--json"])
                    .env("APPT_NOW", &env.now)
                    .env_remove("APPT_KEY")
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        for o in &outs {
            assert!(
                o.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let list = env.ok(&["patient", "list"]);
        let patients = list["patients"].as_array().unwrap();
        assert_eq!(patients.len(), 12, "round {round}");
        for p in patients {
            let i = &s(&p["full_name"])[1..];
            assert_eq!(p["national_id"], format!("ID-{i}"), "round {round}: {p}");
            assert_eq!(p["national_id_unreadable"], false, "round {round}: {p}");
        }
        assert_eq!(
            folder(&env),
            ["appt.db", "appt.db.key"],
            "round {round}: one key file, no temporary files left"
        );
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_missing_key_file_is_refused_and_never_replaced() {
    let env = Env::clinic();
    let ana = add(&env, "Ana", "+50370000001", "04567890-1");
    let key = key_file(&env);
    let saved = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    for args in [
        &[
            "patient",
            "add",
            "--name",
            "Bea",
            "--phone",
            "+50370000002",
            "--national-id",
            "1",
        ][..],
        &["patient", "show", "+50370000001"],
        &["patient", "update", "+50370000001", "--national-id", "2"],
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-15",
            "--time",
            "10:00",
            "--phone",
            "+50370000003",
            "--name",
            "Cata",
            "--national-id",
            "3",
        ],
    ] {
        let message = key_refused(&env, args);
        assert!(message.contains("missing"), "{message}");
        assert!(!key.exists(), "{args:?} made a new key file");
    }
    // What does not need the key still works, and makes no key either.
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Dina",
        "--phone",
        "+50370000004",
    ]);
    let list = env.ok(&["patient", "list"]);
    let listed = list["patients"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let a = listed.iter().find(|p| p["id"] == ana["id"]).unwrap();
    assert_eq!(a["national_id"], Value::Null);
    assert_eq!(a["national_id_unreadable"], true);
    let out = env.cmd().args(["patient", "list"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains(&key.display().to_string()),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(unreadable)"));
    // Changing another field does not need the key either; the ID is kept.
    let u = env.ok(&[
        "patient",
        "update",
        "+50370000001",
        "--email",
        "ana@example.com",
    ]);
    assert_eq!(u["email"], "ana@example.com");
    assert_eq!(u["national_id_unreadable"], true);
    assert!(!key.exists());
    // The old key restored: everything reads again, nothing was lost.
    std::fs::write(&key, &saved).unwrap();
    assert_eq!(
        env.ok(&["patient", "show", "+50370000001"])["national_id"],
        "04567890-1"
    );
    add(&env, "Bea", "+50370000002", "1");
    assert_eq!(
        env.ok(&["patient", "show", "+50370000002"])["national_id"],
        "1"
    );
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_wrong_or_damaged_key_is_refused_before_sealing() {
    let env = Env::clinic();
    add(&env, "Ana", "+50370000001", "04567890-1");
    let key = key_file(&env);
    let right = std::fs::read_to_string(&key).unwrap();
    let other = "ab".repeat(32);
    let bea = [
        "patient",
        "add",
        "--name",
        "Bea",
        "--phone",
        "+50370000002",
        "--national-id",
        "1",
    ];
    // Another valid key in the file.
    std::fs::write(&key, &other).unwrap();
    for args in [&bea[..], &["patient", "show", "+50370000001"]] {
        key_refused(&env, args);
        assert_eq!(std::fs::read_to_string(&key).unwrap(), other, "kept");
    }
    // A damaged (short) key file.
    std::fs::write(&key, &right[..20]).unwrap();
    for args in [&bea[..], &["patient", "show", "+50370000001"]] {
        let message = key_refused(&env, args);
        assert!(message.contains("damaged"), "{message}");
        assert_eq!(std::fs::read_to_string(&key).unwrap(), &right[..20], "kept");
    }
    // APPT_KEY wins over the file: the wrong one is refused, the right one works.
    let with_key = |k: &str, args: &[&str]| {
        env.cmd()
            .env("APPT_KEY", k)
            .args(args)
            .arg("--json")
            .output()
            .unwrap()
    };
    let out = with_key(&other, &bea);
    assert_eq!(out.status.code(), Some(6));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(s(&e["error"]["message"]).contains("APPT_KEY"), "{e}");
    assert!(with_key(&right, &bea).status.success());
    let shown = with_key(&right, &["patient", "show", "+50370000002"]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["national_id"], "1");
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn one_unreadable_id_never_hides_the_others() {
    let env = Env::clinic();
    add(&env, "Ana", "+50370000001", "A-1");
    let bea = add(&env, "Bea", "+50370000002", "B-2");
    add(&env, "Cata", "+50370000003", "C-3");
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Dina",
        "--phone",
        "+50370000004",
    ]);
    let conn = Connection::open(&env.db).unwrap();
    conn.execute(
        "UPDATE patients SET national_id = ?1 WHERE phone = '+50370000002'",
        [vec![7u8; 40]],
    )
    .unwrap();
    drop(conn);
    let list = env.ok(&["patient", "list"]);
    let by_name: Vec<(String, Value, Value)> = list["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                s(&p["full_name"]).to_string(),
                p["national_id"].clone(),
                p["national_id_unreadable"].clone(),
            )
        })
        .collect();
    assert_eq!(
        by_name,
        [
            ("Ana".into(), "A-1".into(), false.into()),
            ("Bea".into(), Value::Null, true.into()),
            ("Cata".into(), "C-3".into(), false.into()),
            ("Dina".into(), Value::Null, false.into()),
        ]
    );
    let human = env.cmd().args(["patient", "list"]).output().unwrap();
    assert!(human.status.success());
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(text.matches("(unreadable)").count(), 1, "{text}");
    // The key is right (the others open), so the one patient still shows.
    let shown = env.ok(&["patient", "show", "+50370000002"]);
    assert_eq!(shown["id"], bea["id"]);
    assert_eq!(shown["national_id_unreadable"], true);
    let card = env
        .cmd()
        .args(["patient", "show", "+50370000002"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&card.stdout).contains("(unreadable)"));
    // Giving the ID again repairs the row.
    let fixed = env.ok(&["patient", "update", "+50370000002", "--national-id", "B-2"]);
    assert_eq!(fixed["national_id"], "B-2");
    assert_eq!(fixed["national_id_unreadable"], false);
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn the_key_file_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    for umask in ["000", "277"] {
        let env = Env::new();
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
            .arg(assert_cmd::cargo::cargo_bin("appt"))
            .arg("--db")
            .arg(&env.db)
            .args(["patient", "add", "--name", "Ana", "--phone", "+50370000001"])
            .args(["--national-id", "1", "--json"])
            .env("APPT_NOW", &env.now)
            .env_remove("APPT_KEY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(key_file(&env))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "umask {umask}");
        assert_eq!(
            env.ok(&["patient", "show", "+50370000001"])["national_id"],
            "1"
        );
    }
}
