//! Tests: the people at the desk (docs/security.md#staff), on
//! both engines: `staff add|list|update|remove|pin`, a PIN kept only as a
//! salted Argon2id hash and read from a file or standard input (never the
//! command line), the first member a manager, the last manager kept, a
//! doctor linked to a doctor, and a refused change that changes nothing.

use crate::common::{s, Env};
use serde_json::Value;

/// `appt staff ARGS --pin-file -` with `pin` on standard input, `--json`.
fn with_pin(env: &Env, args: &[&str], pin: &str) -> std::process::Output {
    env.cmd()
        .args(args)
        .args(["--pin-file", "-", "--json"])
        .write_stdin(format!("{pin}\n"))
        .output()
        .expect("run")
}

/// Runs the env's commands as `name`, whose PIN is `pin`, from now on.
fn sign_in(env: &mut Env, name: &str, pin: &str) {
    let file = env.dir.path().join(format!("pin-{name}"));
    std::fs::write(&file, format!("{pin}\n")).unwrap();
    env.staff = Some((name.to_string(), file));
}

fn added(env: &Env, name: &str, more: &[&str], pin: &str) -> Value {
    let mut args = vec!["staff", "add", name];
    args.extend_from_slice(more);
    let out = with_pin(env, &args, pin);
    assert!(
        out.status.success(),
        "staff add {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The stored hash of `name`'s PIN.
fn hash_of(env: &Env, name: &str) -> String {
    env.rows(&format!("SELECT pin_hash FROM staff WHERE name = '{name}'"))[0][0].clone()
}

fn names(env: &Env) -> Vec<(String, String)> {
    env.ok(&["staff", "list"])["staff"]
        .as_array()
        .expect("staff")
        .iter()
        .map(|m| (s(&m["name"]).to_string(), s(&m["role"]).to_string()))
        .collect()
}

#[test]
fn staff_is_added_listed_updated_and_removed_with_pins_kept_as_salted_hashes() {
    let mut env = Env::clinic();
    assert_eq!(names(&env), []);
    let marta = added(&env, "Marta", &["--role", "manager"], "2468");
    sign_in(&mut env, "Marta", "2468");
    let keys: Vec<&str> = marta
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "clinic",
            "clinic_id",
            "created_at",
            "doctor",
            "doctor_id",
            "id",
            "name",
            "role",
            "updated_at"
        ]
    );
    assert_eq!(marta["role"], "manager");
    assert!(marta["clinic_id"].is_null(), "every clinic: {marta}");
    // Spanish roles; a doctor is one of the doctors.
    added(&env, "Lucía", &["--role", "recepción"], "1357");
    let ana = added(
        &env,
        "Ana",
        &["--role", "médico", "--doctor", "García"],
        "97531",
    );
    assert_eq!(ana["role"], "doctor");
    assert_eq!(ana["doctor"], "Dr. García");
    assert_eq!(
        names(&env),
        [
            ("Ana".to_string(), "doctor".to_string()),
            ("Lucía".to_string(), "reception".to_string()),
            ("Marta".to_string(), "manager".to_string())
        ]
    );

    // Each PIN is an Argon2id hash with a salt of its own; no PIN is stored.
    let (m, l) = (hash_of(&env, "Marta"), hash_of(&env, "Lucía"));
    assert!(m.starts_with("$argon2id$v=19$"), "{m}");
    assert!(!m.contains("2468") && !l.contains("1357"));
    let salt = |h: &str| h.split('$').nth(4).unwrap().to_string();
    assert_ne!(salt(&m), salt(&l));
    // `staff list` and the JSON never carry a hash.
    let listed = env.ok(&["staff", "list"]).to_string();
    assert!(
        !listed.contains("argon2") && !listed.contains(&salt(&m)),
        "{listed}"
    );

    // A new PIN is a new hash; the member is found by a name as people say it.
    let out = with_pin(&env, &["staff", "pin", "lucia"], "8642");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(hash_of(&env, "Lucía"), l);

    let u = env.ok(&[
        "staff",
        "update",
        "Lucía",
        "--role",
        "manager",
        "--name",
        "Lucía R.",
    ]);
    assert_eq!((s(&u["name"]), s(&u["role"])), ("Lucía R.", "manager"));
    let u = env.ok(&["staff", "update", "Lucía R.", "--works-at", "Central"]);
    assert_eq!(u["clinic"], "Central");
    let u = env.ok(&["staff", "update", "Lucía R.", "--works-at", "none"]);
    assert!(u["clinic_id"].is_null());

    let r = env.ok(&["staff", "remove", "Ana", "--yes"]);
    assert_eq!(r["name"], "Ana");
    assert_eq!(names(&env).len(), 2);
    assert_eq!(env.rows("SELECT count(*) FROM staff")[0][0], "2");
}

#[test]
fn the_first_member_is_a_manager_and_the_last_manager_stays() {
    let mut env = Env::clinic();
    // Nobody could manage a staff that begins without a manager.
    let out = with_pin(
        &env,
        &["staff", "add", "Lucía", "--role", "reception"],
        "1357",
    );
    assert_eq!(out.status.code(), Some(2));
    let e: Value = serde_json::from_slice(&out.stderr).expect("json");
    assert_eq!(e["error"]["code"], "VALIDATION_ERROR", "{e}");
    assert!(e["error"]["details"]["role"].is_string(), "{e}");
    assert_eq!(env.rows("SELECT count(*) FROM staff")[0][0], "0");

    added(&env, "Marta", &["--role", "gerente"], "2468");
    sign_in(&mut env, "Marta", "2468");
    added(&env, "Lucía", &["--role", "reception"], "1357");
    // The last manager can be neither removed nor made another role.
    let d = env.refused(
        &["staff", "remove", "Marta", "--yes"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["role"].is_string(), "{d}");
    env.refused(
        &["staff", "update", "Marta", "--role", "reception"],
        "VALIDATION_ERROR",
        2,
    );
    // With a second manager, either may go.
    env.ok(&["staff", "update", "Lucía", "--role", "manager"]);
    sign_in(&mut env, "Lucía", "1357");
    env.ok(&["staff", "update", "Marta", "--role", "reception"]);
    env.ok(&["staff", "remove", "Marta", "--yes"]);
    assert_eq!(names(&env), [("Lucía".to_string(), "manager".to_string())]);
}

#[test]
fn a_bad_member_or_pin_is_refused_and_changes_nothing() {
    let mut env = Env::clinic();
    added(&env, "Marta", &["--role", "manager"], "2468");
    sign_in(&mut env, "Marta", "2468");
    let before = env.snapshot();
    let refused = |args: &[&str], pin: &str, field: &str| {
        let out = with_pin(&env, args, pin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let e: Value = serde_json::from_slice(&out.stderr).expect("json");
        assert_eq!(e["error"]["code"], "VALIDATION_ERROR", "{args:?}: {e}");
        assert!(e["error"]["details"][field].is_string(), "{args:?}: {e}");
        // The PIN typed is in no error.
        assert!(!e.to_string().contains(pin) || pin.is_empty(), "{e}");
        assert_eq!(env.snapshot(), before, "{args:?} changed the database");
    };
    for pin in ["123", "123456789", "12a4", "١٢٣٤"] {
        refused(
            &["staff", "add", "Lucía", "--role", "reception"],
            pin,
            "pin",
        );
        refused(&["staff", "pin", "Marta"], pin, "pin");
    }
    refused(
        &["staff", "add", "marta", "--role", "reception"],
        "1357",
        "name",
    );
    refused(
        &["staff", "add", "Ana", "--role", "doctor"],
        "1357",
        "doctor",
    );
    refused(&["staff", "add", "Ana", "--role", "nurse"], "1357", "role");
    // Off a terminal without --pin-file there is nobody to ask.
    let d = env.refused(
        &["staff", "add", "Lucía", "--role", "reception"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["pin"].is_string(), "{d}");
    env.refused(
        &["staff", "update", "Nadie", "--role", "manager"],
        "NOT_FOUND",
        3,
    );
    env.refused(
        &["staff", "update", "Marta", "--doctor", "Nadie"],
        "NOT_FOUND",
        3,
    );
}

/// `appt staff add NAME --role ROLE` at a Spanish desk, the PIN on stdin.
fn add_in_spanish(env: &Env, name: &str, role: &str, pin: &str) -> std::process::Output {
    env.cmd()
        .env("APPT_LANG", "es")
        .args(["staff", "add", name, "--role", role, "--pin-file", "-"])
        .write_stdin(format!("{pin}\n"))
        .output()
        .expect("run")
}

#[test]
fn staff_speaks_spanish_at_the_desk() {
    let mut env = Env::clinic();
    let out = add_in_spanish(&env, "Lucía", "recepción", "1357");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("El personal necesita un gerente"), "{err}");
    let out = add_in_spanish(&env, "Marta", "gerente", "2468");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Se agregó a Marta al personal (gerente)"
    );
    sign_in(&mut env, "Marta", "2468");
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["staff", "list"])
        .output()
        .expect("run");
    let table = String::from_utf8_lossy(&out.stdout);
    // Every clinic: "todas", as clínicas are.
    assert!(
        table.contains("Rol") && table.contains("gerente") && table.contains("todas"),
        "{table}"
    );
}

#[test]
fn two_managers_removing_each_other_at_once_leave_one() {
    let mut env = Env::clinic();
    added(&env, "Marta", &["--role", "manager"], "2468");
    sign_in(&mut env, "Marta", "2468");
    added(&env, "Lucía", &["--role", "manager"], "1357");
    added(&env, "Pedro", &["--role", "reception"], "9999");
    let dir = env.dir.path().to_path_buf();
    let pin = |name: &str| dir.join(format!("pin-{name}"));
    std::fs::write(pin("Lucía"), "1357\n").unwrap();
    for round in 0..6 {
        // Each demotes, or removes, the other, from a process of their own.
        let (a, b) = if round % 2 == 0 {
            (
                vec!["staff", "update", "Lucía", "--role", "reception"],
                vec!["staff", "update", "Marta", "--role", "reception"],
            )
        } else {
            (
                vec!["staff", "update", "Lucía", "--role", "reception"],
                vec!["staff", "remove", "Marta", "--yes"],
            )
        };
        let spawn = |who: &str, args: &[&str]| {
            let mut c = env.raw(args);
            c.arg("--json")
                .env("APPT_STAFF", who)
                .env("APPT_STAFF_PIN_FILE", pin(who))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().expect("spawn")
        };
        let (one, two) = (spawn("Marta", &a), spawn("Lucía", &b));
        let done = [
            one.wait_with_output().unwrap(),
            two.wait_with_output().unwrap(),
        ];
        let worked = done.iter().filter(|o| o.status.success()).count();
        assert_eq!(worked, 1, "round {round}: {done:?}");
        let managers = env.rows("SELECT name FROM staff WHERE role = 'manager'");
        assert_eq!(managers.len(), 1, "round {round}: {managers:?}");
        // The one left puts the other back for the next round.
        let left = managers[0][0].clone();
        let other = if left == "Marta" { "Lucía" } else { "Marta" };
        sign_in(
            &mut env,
            &left,
            if left == "Marta" { "2468" } else { "1357" },
        );
        if env.rows(&format!(
            "SELECT count(*) FROM staff WHERE name = '{other}'"
        ))[0][0]
            == "0"
        {
            let p = if other == "Marta" { "2468" } else { "1357" };
            added(&env, other, &["--role", "manager"], p);
        } else {
            env.ok(&["staff", "update", other, "--role", "manager"]);
        }
    }
}
