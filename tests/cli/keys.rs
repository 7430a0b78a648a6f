//! Tests: the national-ID key (docs/security.md) — made once, never replaced while sealed
//! IDs exist, refused when missing, wrong, readable by others or someone
//! else's; one bad ID never hides the others; each sealed ID bound to its
//! patient and naming its key's version; `appt key rotate`, killed anywhere.

use crate::common::{kill_at, on_postgres, s, Env, PG_KEY};
use rusqlite::Connection;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
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
        env.ok(&["init"]);
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
    // The old key restored (privately): everything reads again, nothing was lost.
    std::fs::write(&key, &saved).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
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
    for umask in ["000", "277"] {
        let env = Env::new();
        env.ok(&["init"]);
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

// ------------------------------------------------ sealed IDs bound to their patient

/// A patient's sealed ID as stored, in hex, either engine.
fn sealed_hex(env: &Env, phone: &str) -> String {
    let sql = if on_postgres() {
        format!("SELECT encode(national_id, 'hex') FROM patients WHERE phone = '{phone}'")
    } else {
        format!("SELECT lower(hex(national_id)) FROM patients WHERE phone = '{phone}'")
    };
    env.rows(&sql).remove(0).remove(0)
}

/// Stores `hex` as a patient's sealed ID, straight in the database.
fn set_sealed(env: &Env, phone: &str, hex: &str) {
    let value = if on_postgres() {
        format!("decode('{hex}', 'hex')")
    } else {
        format!("X'{hex}'")
    };
    env.exec(&format!(
        "UPDATE patients SET national_id = {value} WHERE phone = '{phone}'"
    ));
}

/// `appt check --json`: exit code and report.
fn check(env: &Env) -> (i32, Value) {
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!("check: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The `national_id` findings of a check report.
fn id_findings(report: &Value) -> Vec<Value> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["check"] == "national_id")
        .cloned()
        .collect()
}

/// (patient ID, problem) of every row of `findings`, sorted.
fn id_rows(findings: &[Value]) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = findings
        .iter()
        .flat_map(|v| v["rows"].as_array().unwrap().clone())
        .map(|r| {
            assert_eq!(r["column"], "national_id", "{r}");
            (
                s(&r["patient_id"]).to_string(),
                s(&r["problem"]).to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Every patient's (name, national ID, unreadable) from `patient list`.
fn listed(env: &Env) -> Vec<(String, Value, Value)> {
    let list = env.ok(&["patient", "list"]);
    list["patients"]
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
        .collect()
}

#[test]
fn swapped_sealed_ids_open_for_neither_patient_and_check_names_both() {
    let env = Env::clinic();
    let ana = add(&env, "Ana", "+50370000001", "A-1");
    let bea = add(&env, "Bea", "+50370000002", "B-2");
    add(&env, "Cata", "+50370000003", "C-3");
    assert_eq!(check(&env).0, 0);
    let (a, b) = (
        sealed_hex(&env, "+50370000001"),
        sealed_hex(&env, "+50370000002"),
    );
    set_sealed(&env, "+50370000001", &b);
    set_sealed(&env, "+50370000002", &a);
    // Neither shows the other's ID: each is unreadable, the others unaffected.
    assert_eq!(
        listed(&env),
        [
            ("Ana".into(), Value::Null, true.into()),
            ("Bea".into(), Value::Null, true.into()),
            ("Cata".into(), "C-3".into(), false.into()),
        ]
    );
    for phone in ["+50370000001", "+50370000002"] {
        let shown = env.ok(&["patient", "show", phone]);
        assert_eq!(shown["national_id"], Value::Null, "{shown}");
        assert_eq!(shown["national_id_unreadable"], true, "{shown}");
    }
    // `check` names both rows, and where each value came from.
    let (code, report) = check(&env);
    assert_eq!(code, 6, "{report}");
    assert_eq!(report["ok"], false);
    let findings = id_findings(&report);
    assert_eq!(findings.len(), 1, "{report}");
    let (ana_id, bea_id) = (s(&ana["id"]), s(&bea["id"]));
    let rows = id_rows(&findings);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let mut expected = vec![(ana_id, bea_id), (bea_id, ana_id)];
    expected.sort();
    for ((id, problem), (want, from)) in rows.iter().zip(expected) {
        assert_eq!(id, want);
        assert!(problem.contains(from), "{problem}");
    }
    let human = env.cmd().arg("check").output().unwrap();
    assert_eq!(human.status.code(), Some(6));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("[national_id]")
            && text.contains(&ana_id[..8])
            && text.contains(&bea_id[..8]),
        "{text}"
    );
    // Giving Ana's ID again repairs her row; Bea's is still reported.
    env.ok(&["patient", "update", "+50370000001", "--national-id", "A-1"]);
    let (code, report) = check(&env);
    assert_eq!(code, 6);
    let rows = id_rows(&id_findings(&report));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, bea_id);
}

#[test]
fn a_sealed_id_copied_onto_another_patient_does_not_open_there() {
    let env = Env::clinic();
    let ana = add(&env, "Ana", "+50370000001", "A-1");
    let bea = add(&env, "Bea", "+50370000002", "B-2");
    set_sealed(&env, "+50370000002", &sealed_hex(&env, "+50370000001"));
    assert_eq!(
        listed(&env),
        [
            ("Ana".into(), "A-1".into(), false.into()),
            ("Bea".into(), Value::Null, true.into()),
        ]
    );
    let (code, report) = check(&env);
    assert_eq!(code, 6, "{report}");
    let rows = id_rows(&id_findings(&report));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, s(&bea["id"]));
    assert!(rows[0].1.contains(s(&ana["id"])), "{rows:?}");
    // A damaged value is reported as such.
    set_sealed(&env, "+50370000002", &"07".repeat(40));
    let rows = id_rows(&id_findings(&check(&env).1));
    assert!(rows[0].1.contains("damaged"), "{rows:?}");
}

/// What an appt before schema 7 stored: a nonce and the ciphertext, no
/// header and no associated data.
fn sealed_by_an_older_appt(key_hex: &str, plain: &str) -> String {
    use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
    use chacha20poly1305::XChaCha20Poly1305;
    let key: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&key_hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let c = XChaCha20Poly1305::new_from_slice(&key).unwrap();
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    out.extend(c.encrypt(&nonce, plain.as_bytes()).unwrap());
    out.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn ids_sealed_by_an_older_appt_still_open_and_are_bound_at_the_next_seal() {
    let env = Env::clinic();
    let key = if on_postgres() {
        PG_KEY.to_string()
    } else {
        let k = "3c".repeat(32);
        std::fs::write(key_file(&env), &k).unwrap();
        std::fs::set_permissions(key_file(&env), std::fs::Permissions::from_mode(0o600)).unwrap();
        k
    };
    for (name, phone) in [
        ("Ana", "+50370000001"),
        ("Bea", "+50370000002"),
        ("Cata", "+50370000003"),
    ] {
        env.ok(&["patient", "add", "--name", name, "--phone", phone]);
    }
    // The database as an appt of schema 6 left it.
    set_sealed(&env, "+50370000001", &sealed_by_an_older_appt(&key, "A-1"));
    set_sealed(&env, "+50370000002", &sealed_by_an_older_appt(&key, "B-2"));
    let old_cata = sealed_by_an_older_appt(&key, "C-3");
    crate::common::undo_schema_12(&env);
    env.exec("DROP INDEX events_booked"); // schema 8's
    env.exec("DROP TABLE api_tokens"); // schema 11's
    env.exec("ALTER TABLE clinics DROP COLUMN country_code"); // schema 10's
    env.exec("ALTER TABLE events DROP COLUMN actor"); // schema 9's
    crate::common::set_schema_version(&env, 6);
    // Upgraded on open: the old values open as they are, marked format 0.
    assert_eq!(
        listed(&env),
        [
            ("Ana".into(), "A-1".into(), false.into()),
            ("Bea".into(), "B-2".into(), false.into()),
            ("Cata".into(), Value::Null, false.into()),
        ]
    );
    assert!(sealed_hex(&env, "+50370000001").starts_with("00"));
    assert_eq!(check(&env).0, 0);
    // The first seal binds them to their patients and records the key.
    add(&env, "Dina", "+50370000004", "D-4");
    for phone in ["+50370000001", "+50370000002", "+50370000004"] {
        assert!(
            sealed_hex(&env, phone).starts_with("0100000001"),
            "{phone}: format 1, key version 1"
        );
    }
    assert_eq!(
        env.rows("SELECT count(*) FROM meta WHERE key = 'national_id_key'"),
        [["1"]]
    );
    let ids: Vec<Value> = listed(&env).into_iter().map(|(_, id, _)| id).collect();
    assert_eq!(ids, ["A-1".into(), "B-2".into(), Value::Null, "D-4".into()]);
    assert_eq!(check(&env).0, 0);
    // Now an old, unbound value copied in (from an old copy of the
    // database) stands in for nobody: unreadable, and reported.
    set_sealed(&env, "+50370000003", &format!("00{old_cata}"));
    let (_, _, unreadable) = &listed(&env)[2];
    assert_eq!(unreadable, true);
    let (code, report) = check(&env);
    assert_eq!(code, 6);
    let rows = id_rows(&id_findings(&report));
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1.contains("unbound"), "{rows:?}");
    // And a bound swap is caught as on a new database.
    let (a, b) = (
        sealed_hex(&env, "+50370000001"),
        sealed_hex(&env, "+50370000002"),
    );
    set_sealed(&env, "+50370000001", &b);
    set_sealed(&env, "+50370000002", &a);
    assert_eq!(id_rows(&id_findings(&check(&env).1)).len(), 3);
}

// ------------------------------------------------------------- appt key rotate

/// `appt ARGS --json` with `APPT_KEY` set to `key`.
fn keyed(env: &Env, key: &str, args: &[&str]) -> Output {
    env.cmd()
        .env("APPT_KEY", key)
        .args(args)
        .arg("--json")
        .output()
        .unwrap()
}

/// Like [`Env::ok`], with `APPT_KEY` set to `key`.
fn keyed_ok(env: &Env, key: &str, args: &[&str]) -> Value {
    let out = keyed(env, key, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The lines of a key file, each a key.
fn key_lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn mode_of(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn key_rotate_seals_every_id_again_and_keeps_the_old_key_beside() {
    let env = Env::clinic();
    for i in 0..5 {
        add(
            &env,
            &format!("P{i}"),
            &format!("+5037000000{i}"),
            &format!("ID-{i}"),
        );
    }
    let key = key_file(&env);
    let old = std::fs::read_to_string(&key).unwrap();
    let r = env.ok(&["key", "rotate"]);
    let kept = PathBuf::from(format!("{}.1", key.display()));
    assert_eq!(r["version"], 2, "{r}");
    assert_eq!(r["resealed"], 5);
    assert_eq!(r["unreadable"], 0);
    assert_eq!(r["key_file"], key.display().to_string());
    assert_eq!(r["kept"], serde_json::json!([kept.display().to_string()]));
    assert!(
        r.get("key").is_none(),
        "a key file's key is never printed: {r}"
    );
    // The key file holds the new key alone; the old one is kept beside it.
    let lines = key_lines(&key);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("2:") && lines[0].len() == 66,
        "{lines:?}"
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap().trim(), old.trim());
    assert_eq!((mode_of(&key), mode_of(&kept)), (0o600, 0o600));
    let keys: Vec<String> = folder(&env)
        .into_iter()
        .filter(|f| f.starts_with("appt.db.key"))
        .collect();
    assert_eq!(
        keys,
        ["appt.db.key", "appt.db.key.1"],
        "no temporary file left"
    );
    // Every value names version 2, every ID opens, check is clean.
    for i in 0..5 {
        assert!(sealed_hex(&env, &format!("+5037000000{i}")).starts_with("0100000002"));
    }
    let ids: Vec<Value> = listed(&env).into_iter().map(|(_, id, _)| id).collect();
    assert_eq!(
        ids,
        (0..5)
            .map(|i| format!("ID-{i}").into())
            .collect::<Vec<Value>>()
    );
    assert_eq!(check(&env).0, 0);
    // The old key no longer opens them, and says which key they need.
    let out = keyed(&env, old.trim(), &["patient", "show", "+50370000001"]);
    assert_eq!(out.status.code(), Some(6));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    let message = s(&e["error"]["message"]);
    assert!(
        message.contains("APPT_KEY holds key version 1")
            && message.contains("sealed under key version 2"),
        "{message}"
    );
    // Put back as the key file, it is refused the same way, naming the new key.
    std::fs::rename(&key, env.dir.path().join("new.key")).unwrap();
    std::fs::copy(&kept, &key).unwrap();
    let message = key_refused(&env, &["patient", "show", "+50370000001"]);
    assert!(message.contains("key version 2"), "{message}");
    std::fs::rename(env.dir.path().join("new.key"), &key).unwrap();
    // Again, in words: version 3, the version 2 key kept.
    let out = env.cmd().args(["key", "rotate"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("version 3") && text.contains("appt.db.key.2"),
        "{text}"
    );
    assert!(key_lines(&key)[0].starts_with("3:"));
    assert_eq!(check(&env).0, 0);
    assert_eq!(
        env.ok(&["patient", "show", "+50370000004"])["national_id"],
        "ID-4"
    );
}

#[test]
fn key_rotate_with_appt_key_prints_the_new_key_and_the_old_one_stops_opening() {
    let env = Env::clinic();
    let old = if on_postgres() {
        PG_KEY.to_string()
    } else {
        "5a".repeat(32)
    };
    for i in 0..3 {
        let phone = format!("+5037000000{i}");
        let name = format!("P{i}");
        let id = format!("ID-{i}");
        keyed_ok(
            &env,
            &old,
            &[
                "patient",
                "add",
                "--name",
                &name,
                "--phone",
                &phone,
                "--national-id",
                &id,
            ],
        );
    }
    let r = keyed_ok(&env, &old, &["key", "rotate"]);
    assert_eq!(r["version"], 2, "{r}");
    assert_eq!(r["resealed"], 3);
    assert_eq!(r["key_file"], Value::Null);
    let new = s(&r["key"]).to_string();
    assert!(new.starts_with("2:") && new.len() == 66, "{new}");
    if !on_postgres() {
        assert!(
            !key_file(&env).exists(),
            "with APPT_KEY no key file is made"
        );
    }
    // The old key is refused, naming the version it lacks.
    let out = keyed(&env, &old, &["patient", "show", "+50370000001"]);
    assert_eq!(out.status.code(), Some(6));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    let message = s(&e["error"]["message"]).to_string();
    assert!(message.contains("sealed under key version 2"), "{message}");
    assert!(
        !message.contains(&old) && !message.contains(&new[2..]),
        "no key in messages"
    );
    // The new one opens every ID, and check passes with it.
    let list = keyed_ok(&env, &new, &["patient", "list"]);
    let ids: Vec<&Value> = list["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["national_id"])
        .collect();
    assert_eq!(ids, ["ID-0", "ID-1", "ID-2"]);
    assert_eq!(keyed_ok(&env, &new, &["check"])["ok"], true);
    // In words, the new key is shown with what to do with it.
    let out = env
        .cmd()
        .env("APPT_KEY", &new)
        .args(["key", "rotate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("APPT_KEY") && text.contains("\n3:"), "{text}");
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn key_rotate_on_a_database_without_ids_makes_its_first_key() {
    let env = Env::clinic();
    let r = env.ok(&["key", "rotate"]);
    assert_eq!(
        (r["version"].clone(), r["resealed"].clone()),
        (1.into(), 0.into())
    );
    assert_eq!(key_lines(&key_file(&env)).len(), 1);
    assert_eq!(r["kept"], serde_json::json!([]));
    add(&env, "Ana", "+50370000001", "A-1");
    assert_eq!(listed(&env)[0].1, "A-1");
}

// ------------------------------------------------ key rotate killed at any moment

/// `appt key rotate --json`, stopped at `step` by the debug-only hook (when
/// given), with `APPT_KEY` when given.
fn spawn_rotate(env: &Env, key: Option<&str>, step: Option<&str>) -> std::process::Child {
    let mut c = env.raw(&["key", "rotate", "--json"]);
    if let Some(k) = key.or(on_postgres().then_some(PG_KEY)) {
        c.env("APPT_KEY", k);
    }
    if let Some(step) = step {
        c.env("APPT_TEST_PAUSE", format!("key-rotate:{step}"));
    }
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Patients P0… with IDs ID-0…, sealed under `key` (the key file without it).
fn sealed_patients(env: &Env, n: usize, key: Option<&str>) {
    for i in 0..n {
        let args = [
            "patient",
            "add",
            "--name",
            &format!("P{i:02}"),
            "--phone",
            &format!("+503710000{i:02}"),
            "--national-id",
            &format!("ID-{i}"),
        ];
        match key {
            Some(k) => {
                keyed_ok(env, k, &args);
            }
            None => {
                env.ok(&args);
            }
        }
    }
}

/// `check` passes and every ID opens, with `key` (else the key file then on disk).
fn every_id_opens(env: &Env, n: usize, key: Option<&str>, when: &str) {
    let run = |args: &[&str]| match key {
        Some(k) => keyed(env, k, args),
        None => env.cmd().args(args).arg("--json").output().unwrap(),
    };
    let out = run(&["check"]);
    assert!(
        out.status.success(),
        "{when}: check: {} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["patient", "list"]);
    assert!(out.status.success(), "{when}: list: {out:?}");
    assert!(
        out.stderr.is_empty(),
        "{when}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<Value> = list["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["national_id"].clone())
        .collect();
    let want: Vec<Value> = (0..n).map(|i| format!("ID-{i}").into()).collect();
    assert_eq!(ids, want, "{when}");
}

const FILE_STEPS: [&str; 6] = [
    "start",
    "kept",
    "keyring",
    "resealed",
    "committed",
    "replaced",
];

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only: a server has no key file")]
#[cfg_attr(
    not(debug_assertions),
    ignore = "needs the debug-only APPT_TEST_PAUSE hook"
)]
fn key_rotate_killed_at_every_step_leaves_the_key_file_opening_every_id() {
    for step in FILE_STEPS {
        let env = Env::clinic();
        sealed_patients(&env, 12, None);
        kill_at(
            spawn_rotate(&env, None, Some(step)),
            &format!("key-rotate:{step}"),
        );
        every_id_opens(&env, 12, None, &format!("killed at {step}"));
        // Another rotation finishes the job: one key in the file, every ID
        // under it, no temporary file left.
        let r = env.ok(&["key", "rotate"]);
        assert_eq!(r["resealed"], 12, "after {step}: {r}");
        let lines = key_lines(&key_file(&env));
        assert_eq!(lines.len(), 1, "after {step}: {lines:?}");
        assert!(
            lines[0].starts_with(&format!("{}:", r["version"])),
            "{lines:?}"
        );
        every_id_opens(&env, 12, None, &format!("rotated again after {step}"));
        assert!(
            folder(&env).iter().all(|f| !f.ends_with(".tmp")),
            "after {step}: {:?}",
            folder(&env)
        );
    }
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "needs the debug-only APPT_TEST_PAUSE hook"
)]
fn key_rotate_with_appt_key_killed_at_every_step_leaves_one_key_opening_every_id() {
    let old = if on_postgres() {
        PG_KEY.to_string()
    } else {
        "6b".repeat(32)
    };
    for step in ["start", "resealed", "printed", "committed"] {
        let env = Env::clinic();
        sealed_patients(&env, 6, Some(&old));
        let printed = kill_at(
            spawn_rotate(&env, Some(&old), Some(step)),
            &format!("key-rotate:{step}"),
        );
        let new: Option<String> = serde_json::from_str::<Value>(printed.trim())
            .ok()
            .map(|v| s(&v["key"]).to_string());
        // The new key is printed before the change commits.
        assert_eq!(
            new.is_some(),
            matches!(step, "printed" | "committed"),
            "{step}: {printed}"
        );
        let committed = step == "committed";
        let works = if committed {
            new.clone().unwrap()
        } else {
            old.clone()
        };
        every_id_opens(&env, 6, Some(&works), &format!("killed at {step}"));
        // The other key is refused with DATABASE_ERROR, never shown IDs.
        let other = if committed { Some(old.clone()) } else { new };
        if let Some(other) = other {
            let out = keyed(&env, &other, &["patient", "show", "+50371000001"]);
            assert_eq!(out.status.code(), Some(6), "{step}: {out:?}");
        }
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only: a server has no key file")]
fn key_rotate_killed_at_random_moments_never_loses_an_id() {
    let env = Env::clinic();
    sealed_patients(&env, 40, None);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("seed {seed}");
    let mut reach = 30u64;
    let (mut kills, mut finished) = (0, 0);
    for round in 0..40 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = seed % reach.max(1);
        let mut child = spawn_rotate(&env, None, None);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let status = match child.try_wait().unwrap() {
            Some(status) => status,
            None => {
                child.kill().unwrap();
                child.wait().unwrap()
            }
        };
        use std::os::unix::process::ExitStatusExt;
        if status.signal() == Some(libc::SIGKILL) {
            kills += 1;
            reach = (reach * 11 / 10).min(1000);
        } else {
            assert!(status.success(), "round {round}: {status:?}");
            finished += 1;
            reach = (reach * 9 / 10).max(2);
        }
        every_id_opens(&env, 40, None, &format!("seed {seed}, round {round}"));
    }
    eprintln!("{kills} kills, {finished} finished");
    assert!(kills >= 10, "only {kills} of 40 rotations were killed");
}

// ------------------------------------------- key files others can read, or plant

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_key_file_others_can_read_or_write_is_refused_never_changed() {
    let env = Env::clinic();
    add(&env, "Ana", "+50370000001", "A-1");
    let key = key_file(&env);
    let name = key.display().to_string();
    for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o660] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        for args in [
            &["patient", "show", "+50370000001"][..],
            &[
                "patient",
                "add",
                "--name",
                "Bea",
                "--phone",
                "+50370000002",
                "--national-id",
                "B",
            ],
            &["key", "rotate"],
        ] {
            let message = key_refused(&env, args);
            assert!(message.contains(&format!("chmod 600 {name}")), "{message}");
            assert!(message.contains(&format!("{mode:04o}")), "{message}");
            assert_eq!(mode_of(&key), mode, "{args:?} changed the key file's mode");
        }
        // What needs no key still works; a list shows the ID unreadable, warned.
        env.ok(&["clinic", "list"]);
        assert_eq!(listed(&env)[0].2, true);
        // check cannot open the IDs: it says so and fails.
        let (code, report) = check(&env);
        assert_eq!(code, 6);
        assert!(
            id_findings(&report)[0]["message"]
                .as_str()
                .unwrap()
                .contains("chmod 600"),
            "{report}"
        );
        assert_eq!(mode_of(&key), mode);
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(listed(&env)[0].1, "A-1");
}

/// Whether this test runs as root (needed to give a file to another user).
fn root() -> bool {
    crate::common::as_root("give a file to another user")
}

fn owner(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().uid()
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_key_file_another_user_owns_is_refused_even_for_root_and_never_changed() {
    if !root() {
        return;
    }
    let env = Env::clinic();
    add(&env, "Ana", "+50370000001", "A-1");
    let key = key_file(&env);
    std::os::unix::fs::chown(&key, Some(65534), Some(65534)).unwrap();
    for mode in [0o600, 0o644] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        let message = key_refused(&env, &["patient", "show", "+50370000001"]);
        assert!(message.contains("another user (uid 65534)"), "{message}");
        assert!(message.contains("chown"), "{message}");
        env.ok(&["clinic", "list"]);
        assert_eq!(
            (owner(&key), mode_of(&key)),
            (65534, mode),
            "left as it was"
        );
    }
    std::os::unix::fs::chown(&key, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(listed(&env)[0].1, "A-1");
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_key_file_planted_before_the_first_seal_passes_the_same_checks() {
    let env = Env::clinic();
    let key = key_file(&env);
    let planted = "9d".repeat(32);
    std::fs::write(&key, &planted).unwrap();
    let bea = [
        "patient",
        "add",
        "--name",
        "Bea",
        "--phone",
        "+50370000002",
        "--national-id",
        "B-2",
    ];
    // Readable by others: refused, not adopted, not replaced.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let message = key_refused(&env, &bea);
    assert!(message.contains("chmod 600"), "{message}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), planted);
    assert_eq!(mode_of(&key), 0o644);
    // Another user's: refused, even private.
    if root() {
        std::os::unix::fs::chown(&key, Some(65534), None).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let message = key_refused(&env, &bea);
        assert!(message.contains("another user"), "{message}");
        std::os::unix::fs::chown(&key, Some(0), None).unwrap();
    }
    // The user's own private file is theirs to provide: adopted.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.ok(&bea);
    let shown = keyed_ok(&env, &planted, &["patient", "show", "+50370000002"]);
    assert_eq!(shown["national_id"], "B-2");
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn a_database_file_another_user_owns_with_loose_modes_is_refused_never_changed() {
    if !root() {
        return;
    }
    let env = Env::clinic();
    std::os::unix::fs::chown(&env.db, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = env.snapshot();
    let (code, e) = env.err(&["clinic", "list"]);
    assert_eq!((code, s(&e["code"])), (6, "DATABASE_ERROR"), "{e}");
    let message = s(&e["message"]);
    let name = env.db.display().to_string();
    assert!(
        message.contains(&name) && message.contains(&format!("chmod 600 {name}")),
        "{message}"
    );
    assert_eq!((owner(&env.db), mode_of(&env.db)), (65534, 0o644));
    assert_eq!(env.snapshot(), before);
    // Private, it may be used (root reads it); its owner is left as it is.
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.ok(&["clinic", "list"]);
    assert_eq!((owner(&env.db), mode_of(&env.db)), (65534, 0o600));
}
