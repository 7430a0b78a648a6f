//! Tests: output that cannot be written — a full or closed stdout or stderr
//! is an error with its exit code, never a panic, and a change that was
//! committed before its output failed is named on stderr (docs/errors.md).

use crate::common::{s, Env, PG_KEY};
use serde_json::Value;
use std::process::{Command, Stdio};

fn full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

/// `appt ARGS` run by `sh` with `redirect` applied (`2>&-`, `2>&1 | true`),
/// so descriptors can be closed and pipes broken as a shell would; returns
/// appt's own exit code.
fn through_shell(env: &Env, args: &[&str], redirect: &str) -> i32 {
    let raw = env.raw(args);
    let mut c = Command::new("bash");
    c.arg("-c")
        .arg(format!("\"$@\" {redirect}; exit ${{PIPESTATUS[0]}}"))
        .arg("bash")
        .arg(raw.get_program())
        .args(raw.get_args())
        .env("APPT_NOW", &env.now)
        .env("APPT_KEY", PG_KEY)
        .stdin(Stdio::null());
    c.status().expect("bash").code().unwrap_or(-1)
}

#[test]
fn an_error_with_stderr_full_or_closed_keeps_its_exit_code() {
    let env = Env::clinic();
    // stderr on a full disk: the message is lost, the code is not.
    let out = env
        .raw(&["show", "zzzz"])
        .stderr(full())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let out = env
        .raw(&["show", "zzzz", "--json"])
        .stderr(full())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    // stderr closed.
    assert_eq!(through_shell(&env, &["show", "zzzz"], "2>&-"), 3);
    // stdout and stderr both full: the output fails, and so does its error.
    let out = env
        .raw(&["doctor", "list"])
        .stdout(full())
        .stderr(full())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn a_reader_that_goes_away_never_makes_appt_panic() {
    let env = Env::clinic();
    for t in ["09:00", "09:30", "10:00", "10:30"] {
        env.book("2026-06-16", t, &format!("+5037000{}", t.replace(':', "")));
    }
    // Both streams into a pipe whose reader has already gone: the result
    // cannot be written, nor can the error saying so.
    for round in 0..10 {
        for args in [
            &["check"][..],
            &["agenda", "--date", "2026-06-16"],
            &["list", "--date", "2026-06-16"],
            &["show", "zzzz"],
        ] {
            let code = through_shell(&env, args, "2>&1 | true");
            assert_ne!(code, 101, "appt {args:?} panicked (round {round})");
            assert!(
                [0, 1, 3].contains(&code),
                "appt {args:?}: exit {code} (round {round})"
            );
        }
    }
}

fn appointments(env: &Env) -> Vec<Vec<String>> {
    env.rows("SELECT id, external_reference_id FROM appointments ORDER BY id")
}

#[test]
fn a_booking_whose_output_fails_says_it_was_saved_and_a_retry_returns_it() {
    let env = Env::clinic();
    let book = |ref_: &str| -> Vec<String> {
        [
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
            "--external-ref",
            ref_,
        ]
        .iter()
        .map(|a| a.to_string())
        .collect()
    };
    let args = book("wa-1");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // Human output into a full disk: exit 1, and stderr names the booking.
    let mut cmd = env.raw(&args);
    if crate::common::on_postgres() {
        cmd.env("APPT_KEY", PG_KEY);
    }
    let out = cmd.stdout(full()).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let rows = appointments(&env);
    assert_eq!(rows.len(), 1, "the booking was committed: {rows:?}");
    let id = &rows[0][0];
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write to standard output"), "{err}");
    assert!(err.contains("saved") && err.contains(id.as_str()), "{err}");
    assert!(err.contains("--external-ref"), "{err}");

    // The retry with the same reference finds it: no second booking.
    let again = env.ok(&args);
    assert_eq!(again["idempotent"], true, "{again}");
    assert_eq!(s(&again["appointment"]["id"]), id);
    assert_eq!(appointments(&env).len(), 1);

    // With --json the error carries what was committed, for a script.
    let args = book("wa-2");
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args[6] = "11:00";
    args[8] = "+50370000002";
    args.push("--json");
    let mut cmd = env.raw(&args);
    if crate::common::on_postgres() {
        cmd.env("APPT_KEY", PG_KEY);
    }
    let out = cmd.stdout(full()).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let e: Value = serde_json::from_slice(&out.stderr).expect("a JSON error on stderr");
    assert_eq!(e["error"]["code"], "INTERNAL_ERROR", "{e}");
    let committed = &e["error"]["details"]["committed"];
    assert_eq!(committed["what"], "appointment booked", "{e}");
    let made = s(&committed["id"]).to_string();
    assert!(
        appointments(&env)
            .iter()
            .any(|r| r[0] == made && r[1] == "wa-2"),
        "{made} is in the database"
    );
}

#[test]
fn a_read_whose_output_fails_claims_nothing_was_saved() {
    let env = Env::clinic();
    let out = env
        .raw(&["doctor", "list", "--json"])
        .stdout(full())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let e: Value = serde_json::from_slice(&out.stderr).expect("JSON");
    assert!(e["error"]["details"].get("committed").is_none(), "{e}");
}
