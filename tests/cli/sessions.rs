//! Tests: signing in (docs/security.md#signing-in), on both engines. Once a
//! database has staff, a command that asks for a person is
//! `SIGN_IN_REQUIRED` (exit 8) without one and changes nothing; a script
//! names its person with `APPT_STAFF` and `APPT_STAFF_PIN_FILE`, and its
//! events name them (`staff:<name>`); the sweeps cron runs need nobody;
//! five wrong PINs lock a name for 15 minutes even tried at once; a
//! session belongs to the terminal it was opened on (tmux).

use crate::common::Env;
use crate::prompts::Tmux;
use serde_json::Value;
use std::path::Path;

/// A clinic with Marta, its manager, whose PIN is 2468 (in `pin`), and a
/// wrong PIN in `bad`.
fn with_manager() -> Env {
    let env = Env::clinic();
    add_manager(&env);
    env
}

/// Makes Marta, PIN 2468 (in `pin`; a wrong one in `bad`), env's manager.
pub(crate) fn add_manager(env: &Env) {
    std::fs::write(env.dir.path().join("pin"), "2468\n").unwrap();
    std::fs::write(env.dir.path().join("bad"), "1111\n").unwrap();
    let out = env
        .cmd()
        .args([
            "staff",
            "add",
            "Marta",
            "--role",
            "manager",
            "--pin-file",
            "-",
        ])
        .write_stdin("2468\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// `appt ARGS --json` as `name` with the PIN in `pin_file` (of env's folder).
fn as_staff(env: &Env, name: &str, pin_file: &str, args: &[&str]) -> std::process::Output {
    env.cmd()
        .env("APPT_STAFF", name)
        .env("APPT_STAFF_PIN_FILE", env.dir.path().join(pin_file))
        .args(args)
        .arg("--json")
        .output()
        .unwrap()
}

fn error_of(out: &std::process::Output) -> Value {
    assert!(out.stdout.is_empty(), "{out:?}");
    serde_json::from_slice::<Value>(&out.stderr).unwrap()["error"].clone()
}

#[test]
fn once_there_is_staff_a_command_asks_who_runs_it_and_its_events_name_them() {
    let env = Env::clinic();
    // Without staff, appt runs as it always has, as the OS user.
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let id = a["id"].as_str().unwrap().to_string();
    let actor =
        |env: &Env| env.rows("SELECT actor FROM events ORDER BY id DESC LIMIT 1")[0][0].clone();
    assert!(actor(&env).starts_with("cli:"), "{}", actor(&env));

    add_manager(&env);
    // Nobody signed in: refused, exit 8, nothing changed, in both languages.
    let d = env.refused(&["cancel", &id, "--reason", "x"], "SIGN_IN_REQUIRED", 8);
    assert!(d.is_null() || d.is_object());
    env.refused(&["list"], "SIGN_IN_REQUIRED", 8);
    env.refused(&["staff", "list"], "SIGN_IN_REQUIRED", 8);
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Nadie ha iniciado sesión") && err.contains("appt login"),
        "{err}"
    );
    // A name without its PIN names nobody.
    let out = env
        .cmd()
        .env("APPT_STAFF", "Marta")
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8));
    assert_eq!(error_of(&out)["code"], "SIGN_IN_REQUIRED");

    // A name that is no one's names nobody, and lists no one.
    let out = as_staff(&env, "Nadie", "pin", &["list"]);
    assert_eq!(out.status.code(), Some(8));
    let e = error_of(&out);
    assert_eq!(e["code"], "SIGN_IN_REQUIRED", "{e}");
    assert!(!e.to_string().contains("Marta"), "{e}");

    // A script names its person, with the OS account beside them: the event
    // names both, and history says who.
    let out = env
        .cmd()
        .env("USER", "recepcion")
        .env("APPT_STAFF", "marta")
        .env("APPT_STAFF_PIN_FILE", env.dir.path().join("pin"))
        .args(["cancel", &id, "--reason", "Llamó", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(actor(&env), "staff:Marta");
    let history = |json: bool| {
        let mut c = env.cmd();
        c.env("APPT_STAFF", "Marta")
            .env("APPT_STAFF_PIN_FILE", env.dir.path().join("pin"))
            .env("COLUMNS", "120")
            .args(["history", &id]);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let shown = history(false);
    assert!(
        shown.contains("Marta (recepcion)") && !shown.contains("staff:Marta"),
        "{shown}"
    );
    let events = serde_json::from_str::<Value>(&history(true)).unwrap()["events"].clone();
    let (booked, cancelled) = (&events[0], &events[1]);
    assert_eq!(cancelled["actor"], "staff:Marta", "{cancelled}");
    assert_eq!(cancelled["os_user"], "recepcion", "{cancelled}");
    // Any other actor has no account beside it: the OS user is its name.
    assert!(booked["actor"].as_str().unwrap().starts_with("cli:"));
    assert!(booked.get("os_user").is_none(), "{booked}");
    // The stream and the API's history carry it too.
    let out = env
        .cmd()
        .env("APPT_STAFF", "Marta")
        .env("APPT_STAFF_PIN_FILE", env.dir.path().join("pin"))
        .args(["events"])
        .output()
        .unwrap();
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .map(str::to_string);
    let last: Value = serde_json::from_str(&last.unwrap_or_default()).unwrap();
    assert_eq!(last["os_user"], "recepcion", "{last}");

    // The sweeps cron runs need nobody, with or without --as system.
    assert!(env
        .cmd()
        .args(["remind", "due"])
        .output()
        .unwrap()
        .status
        .success());
    assert!(env
        .cmd()
        .args(["--as", "system", "remind", "due", "--json"])
        .output()
        .unwrap()
        .status
        .success());
    // --as system is for the sweeps alone; --as names nobody else.
    env.refused(&["--as", "system", "list"], "FORBIDDEN", 8);
    env.refused(&["--as", "marta", "remind", "due"], "VALIDATION_ERROR", 2);
}

#[test]
fn five_wrong_pins_lock_the_name_for_fifteen_minutes_even_tried_at_once() {
    let mut env = with_manager();
    // Eight tries at once with a wrong PIN: five are checked, three meet the lock.
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let mut c = env.raw(&["list", "--json"]);
            if env.url().is_some() {
                c.env("APPT_KEY", crate::common::PG_KEY);
            }
            c.env("APPT_STAFF", "Marta")
                .env("APPT_STAFF_PIN_FILE", env.dir.path().join("bad"))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = tries
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut wrong = 0;
    let mut locked = 0;
    for out in &outs {
        assert_eq!(out.status.code(), Some(8), "{out:?}");
        let e = error_of(out);
        assert_eq!(e["code"], "SIGN_IN_REQUIRED", "{e}");
        if e["details"]["tries_left"].is_number() {
            wrong += 1;
        } else {
            assert_eq!(e["details"]["locked_until"], "2026-06-15T14:15:00Z", "{e}");
            locked += 1;
        }
        // The PIN tried is in no error.
        assert!(!String::from_utf8_lossy(&out.stderr).contains("1111"));
    }
    assert_eq!((wrong, locked), (5, 3));
    // The right PIN does not open a locked name.
    let out = as_staff(&env, "Marta", "pin", &["list"]);
    assert_eq!(
        error_of(&out)["details"]["locked_until"],
        "2026-06-15T14:15:00Z"
    );
    // Fifteen minutes on it does, and sets the count back.
    env.at("2026-06-15T14:15:00Z");
    let out = as_staff(&env, "Marta", "pin", &["list"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        env.rows("SELECT failed_pins, locked_until FROM staff")[0],
        ["0", "NULL"]
    );
}

/// The shell line that runs `appt ARGS` on env's database from inside a
/// tmux pane (the pane's own first command has these already).
fn appt_line(env: &Env, sessions: &Path, now: &str, args: &str) -> String {
    format!(
        "env APPT_SESSIONS={} APPT_NOW={now} {} --db {} {args}",
        sessions.display(),
        assert_cmd::cargo::cargo_bin("appt").display(),
        env.db.display()
    )
}

#[test]
fn a_session_belongs_to_the_terminal_it_was_opened_on() {
    let env = with_manager();
    let sessions = env.dir.path().join("sessions");
    let vars = format!(
        "TZ=America/El_Salvador APPT_SESSIONS={}",
        sessions.display()
    );
    // Terminal A signs in; the PIN is never shown.
    let a = Tmux::start_sized(
        &env,
        100,
        &vars,
        &format!(
            "login Marta; read x; {}; read w; {}; read y; {}; read z; {}",
            appt_line(&env, &sessions, &env.now, "whoami"),
            // Eight hours on, the session has ended.
            appt_line(&env, &sessions, "2026-06-15T22:00:00Z", "whoami"),
            appt_line(&env, &sessions, &env.now, "logout"),
            appt_line(&env, &sessions, &env.now, "whoami"),
        ),
    );
    a.wait_for("PIN");
    a.keys(&["2468", "Enter"]);
    a.wait_for("Signed in as Marta (manager) at this terminal until 2026-06-15 16:00");
    assert!(!a.scrollback().contains("2468"));
    let files: Vec<_> = std::fs::read_dir(&sessions)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let secret = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        !env.snapshot().contains(secret.trim()),
        "the secret is stored"
    );
    a.keys(&["Enter"]);
    a.wait_for("Marta (manager)\n");
    a.keys(&["Enter"]);
    a.wait_for("Nobody is signed in at this terminal");

    // Terminal B, with A's session file copied to where B would look, is nobody.
    let b = Tmux::start_sized(
        &env,
        100,
        &vars,
        &format!(
            "logout --json > {}; read x; {}",
            env.dir.path().join("b.json").display(),
            appt_line(&env, &sessions, &env.now, "whoami --json"),
        ),
    );
    let b_file = loop {
        if let Ok(t) = std::fs::read_to_string(env.dir.path().join("b.json")) {
            if let Ok(v) = serde_json::from_str::<Value>(&t) {
                break v["session_file"].as_str().unwrap().to_string();
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_ne!(Path::new(&b_file), files[0]);
    std::fs::copy(&files[0], &b_file).unwrap();
    b.keys(&["Enter"]);
    let (s, code) = b.exit();
    assert_eq!(code, 8, "{s}");
    assert!(s.contains("SIGN_IN_REQUIRED"), "{s}");

    // A signs out: its file goes, and it is nobody again.
    a.keys(&["Enter"]);
    a.wait_for("Signed out of this terminal");
    a.keys(&["Enter"]);
    let (s, code) = a.exit();
    assert_eq!(code, 8, "{s}");
    assert!(!Path::new(&files[0]).exists());
    assert_eq!(env.rows("SELECT count(*) FROM staff_sessions")[0][0], "0");
}

#[test]
fn a_session_lasts_the_clinics_session_hours_unless_for_says_otherwise() {
    let env = with_manager();
    let out = as_staff(
        &env,
        "Marta",
        "pin",
        &["clinic", "update", "Central", "--session-hours", "3h"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(env.rows("SELECT session_hours FROM clinics")[0][0], "3");
    let bad = as_staff(
        &env,
        "Marta",
        "pin",
        &["clinic", "update", "Central", "--session-hours", "25"],
    );
    let e = error_of(&bad);
    assert!(e["details"]["session_hours"].is_string(), "{e}");
    let sessions = env.dir.path().join("sessions");
    let vars = format!("APPT_SESSIONS={}", sessions.display());
    // Unasked, the clinic's three hours; with --for, those.
    let t = Tmux::start_sized(
        &env,
        100,
        &vars,
        &format!(
            "login Marta --json; read x; {}",
            appt_line(&env, &sessions, &env.now, "login Marta --for 5 --json")
        ),
    );
    t.wait_for("PIN");
    t.keys(&["2468", "Enter"]);
    t.wait_for("\"expires_at\": \"2026-06-15T17:00:00Z\"");
    t.keys(&["Enter"]);
    t.wait_until("the second PIN asked", |s| s.matches("PIN:").count() == 2);
    t.keys(&["2468", "Enter"]);
    t.wait_for("\"expires_at\": \"2026-06-15T19:00:00Z\"");
}
