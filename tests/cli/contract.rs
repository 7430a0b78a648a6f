//! Tests: the command-line contract (docs/commands.md#conventions, docs/errors.md) — exit codes per class, the
//! error document, plain-text errors, help, never prompting off a terminal,
//! references (ID prefixes, names, phones, ambiguity), relative dates in the
//! clinic's zone, `$APPT_NOW`, and hostile input.

use crate::common::{s, Env};
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

/// Exit code, stdout and stderr of a raw run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_os(env: &Env, args: &[OsString], stdin: Option<&str>) -> Run {
    let mut c = env.cmd();
    c.args(args).timeout(Duration::from_secs(30));
    if let Some(text) = stdin {
        c.write_stdin(text.to_string());
    }
    let out = c.output().expect("run");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(env: &Env, args: &[&str]) -> Run {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    run_os(env, &args, None)
}

/// The JSON error document a failed `--json` run printed on stderr.
fn error_doc(r: &Run) -> Value {
    let v: Value = serde_json::from_str(r.stderr.trim())
        .unwrap_or_else(|e| panic!("stderr is not one JSON document ({e}): {}", r.stderr));
    let err = v["error"].clone();
    assert!(err["code"].is_string(), "no error.code: {v}");
    assert!(err["message"].is_string(), "no error.message: {v}");
    assert!(err.get("details").is_some(), "no error.details: {v}");
    err
}

fn keys(details: &Value) -> BTreeSet<String> {
    details
        .as_object()
        .unwrap_or_else(|| panic!("details is not an object: {details}"))
        .keys()
        .cloned()
        .collect()
}

fn book_args<'a>(doctor: &'a str, date: &'a str, time: &'a str, phone: &'a str) -> Vec<&'a str> {
    vec![
        "book",
        "--doctor",
        doctor,
        "--date",
        date,
        "--time",
        time,
        "--phone",
        phone,
        "--name",
        "Test Patient",
    ]
}

// ---------------------------------------------------------------- exit codes

#[test]
fn each_class_of_failure_has_its_exit_code() {
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    env.ok(&["doctor", "add", "Dr. Twin"]);
    env.ok(&["doctor", "add", "Dr. Twin", "--same-name"]);

    assert_eq!(run(&env, &["clinic", "list", "--json"]).code, 0);

    let cases: Vec<(Vec<&str>, &str, i32)> = vec![
        (vec!["clinic", "list", "--bogus"], "USAGE_ERROR", 2),
        (
            vec!["clinic", "add", "X", "--timezone", "Nope/Nope"],
            "VALIDATION_ERROR",
            2,
        ),
        (vec!["doctor", "show", "dr. twin"], "AMBIGUOUS_ID", 2),
        (vec!["doctor", "show", "Dr. Nobody"], "NOT_FOUND", 3),
        (
            vec![
                "window",
                "add",
                "--doctor",
                "Dr. García",
                "--days",
                "mon",
                "--from",
                "10:00",
                "--to",
                "11:00",
            ],
            "WINDOW_OVERLAP",
            4,
        ),
        (
            book_args("Dr. García", "2026-06-16", "10:00", "+50370000002"),
            "APPOINTMENT_CONFLICT",
            4,
        ),
        (
            book_args("Dr. García", "2026-06-16", "11:00", "+50370000001"),
            "DUPLICATE_BOOKING",
            4,
        ),
        (
            book_args("Dr. García", "2026-06-12", "10:00", "+50370000003"),
            "PAST_APPOINTMENT",
            5,
        ),
        (
            book_args("Dr. García", "2026-06-16", "15:00", "+50370000003"),
            "OUTSIDE_AVAILABILITY",
            5,
        ),
    ];
    for (args, code, exit) in cases {
        let d = env.refused(&args, code, exit);
        assert!(d.is_object(), "{args:?}: details must be an object: {d}");
    }
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only: a file that is not a database")]
fn a_file_that_is_not_a_database_is_exit_6() {
    let env = Env::new();
    std::fs::write(&env.db, vec![0x42u8; 8192]).unwrap();
    env.fails(&["clinic", "list"], "DATABASE_ERROR", 6);
    assert_eq!(
        std::fs::read(&env.db).unwrap(),
        vec![0x42u8; 8192],
        "left as it was"
    );
}

#[test]
fn a_database_written_by_a_newer_appt_is_exit_6() {
    let env = Env::new();
    env.ok(&["init"]);
    if crate::common::on_postgres() {
        env.exec("UPDATE appt_schema SET version = version + 1");
    } else {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", v + 1))
            .unwrap();
    }
    env.fails(&["clinic", "list"], "DATABASE_ERROR", 6);
    env.fails(
        &[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
        ],
        "DATABASE_ERROR",
        6,
    );
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn an_unreadable_key_file_is_a_clean_error_not_a_crash() {
    // An I/O failure (the key file beside the database cannot be read) must end
    // with an error code, never a panic, an abort or a stack overflow.
    let env = Env::new();
    env.ok(&["init"]);
    let mut key = env.db.clone().into_os_string();
    key.push(".key");
    // A folder where the key file beside the database would be.
    std::fs::create_dir(&key).unwrap();
    let before = env.snapshot();
    let r = run(
        &env,
        &[
            "patient",
            "add",
            "--name",
            "Ana",
            "--phone",
            "+50370000001",
            "--national-id",
            "123",
            "--json",
        ],
    );
    if r.code == 0 {
        // A key file elsewhere is allowed; then the ID must still round-trip.
        let p = env.ok(&["patient", "show", "+50370000001"]);
        assert_eq!(p["national_id"], "123");
        return;
    }
    assert!(
        r.code == 1 || r.code == 6,
        "exit {} (expected 1 INTERNAL_ERROR or 6 DATABASE_ERROR): {}",
        r.code,
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let e = error_doc(&r);
    let want = if r.code == 1 {
        "INTERNAL_ERROR"
    } else {
        "DATABASE_ERROR"
    };
    assert_eq!(e["code"], want);
    assert_eq!(env.snapshot(), before);
}

// ---------------------------------------------------------------- usage errors

#[test]
fn argument_parsing_errors_are_usage_errors_exit_2() {
    let env = Env::clinic();
    let before = env.snapshot();
    for args in [
        vec!["clinic", "list", "--bogus"],
        vec!["frobnicate"],
        vec!["clinic"],
        vec!["clinic", "show"],
        vec!["clinic", "update"],
        vec!["doctor", "add", "Dr. X", "--slot-minutes", "abc"],
        vec!["service", "add", "X", "--minutes", "1.5"],
        vec![
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--clinic-wide",
            "--days",
            "sat",
            "--from",
            "09:00",
            "--to",
            "10:00",
        ],
        vec![
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "sat",
            "--date",
            "2026-06-20",
            "--from",
            "09:00",
            "--to",
            "10:00",
        ],
        vec!["doctor", "add", "Dr. X", "--specialty"],
        vec!["clinic", "list", "extra"],
        vec![],
    ] {
        let mut with_json = args.clone();
        with_json.push("--json");
        let r = run(&env, &with_json);
        assert_eq!(r.code, 2, "{with_json:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{with_json:?} printed {}", r.stdout);
        let e = error_doc(&r);
        assert_eq!(e["code"], "USAGE_ERROR", "{with_json:?}: {e}");
        assert!(!s(&e["message"]).is_empty());

        let r = run(&env, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?} printed {}", r.stdout);
        assert!(!r.stderr.trim().is_empty(), "{args:?}: nothing on stderr");
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_json_after_double_dash_is_a_value_not_the_switch() {
    // clap reads `--json` after `--` as a value: a refused command line is
    // answered in plain text then, as clap would have read it.
    let env = Env::clinic();
    for args in [
        vec!["book", "--bogus", "--", "--json"],
        vec!["doctor", "add", "--", "--json", "extra"],
    ] {
        let r = run(&env, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: "),
            "{args:?} answered {}",
            r.stderr
        );
    }
    // Before `--`, anywhere, it is the switch.
    let r = run(&env, &["book", "--json", "--bogus"]);
    assert_eq!(error_doc(&r)["code"], "USAGE_ERROR");
}

#[test]
fn without_json_errors_are_plain_text_on_stderr() {
    let env = Env::clinic();
    let before = env.snapshot();
    for (args, exit) in [
        (vec!["clinic", "add", "X", "--timezone", "Nope/Nope"], 2),
        (vec!["doctor", "show", "Dr. Nobody"], 3),
        (
            book_args("Dr. García", "2026-06-12", "10:00", "+50370000003"),
            5,
        ),
        (
            vec![
                "window",
                "add",
                "--doctor",
                "Dr. García",
                "--days",
                "mon",
                "--from",
                "10:00",
                "--to",
                "11:00",
            ],
            4,
        ),
        (vec!["clinic", "list", "--bogus"], 2),
    ] {
        let r = run(&env, &args);
        assert_eq!(r.code, exit, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?} printed {}", r.stdout);
        assert!(
            r.stderr.starts_with("error: "),
            "{args:?}: stderr should start with `error: `: {}",
            r.stderr
        );
        assert!(
            serde_json::from_str::<Value>(r.stderr.trim()).is_err(),
            "{args:?}: JSON without --json: {}",
            r.stderr
        );
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn the_json_error_document_has_code_message_and_details() {
    let env = Env::clinic();
    let r = run(
        &env,
        &["clinic", "add", "X", "--timezone", "Nope/Nope", "--json"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    let whole: Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(
        keys(&whole),
        BTreeSet::from(["error".to_string()]),
        "{whole}"
    );
    let e = error_doc(&r);
    assert_eq!(e["code"], "VALIDATION_ERROR");
    assert!(e["details"]["timezone"].is_string(), "{e}");
    // Exactly one line of JSON: a script can read it with `jq`.
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}

#[test]
fn help_and_version_exit_0() {
    let env = Env::new();
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["help"],
        vec!["book", "--help"],
        vec!["window", "add", "--help"],
        vec!["help", "clinic", "add"],
        vec!["clinic", "--help", "--json"],
    ] {
        let r = run(&env, &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stdout.contains("Usage"),
            "{args:?}: no usage on stdout: {}",
            r.stdout
        );
    }
    let r = run(&env, &["book", "--help"]);
    for flag in [
        "--doctor",
        "--date",
        "--time",
        "--phone",
        "--patient",
        "--service",
    ] {
        assert!(r.stdout.contains(flag), "book --help lacks {flag}");
    }
    let r = run(&env, &["--version"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", r.stdout);
    assert!(!env.db.exists(), "--help must not create a database");
}

// ---------------------------------------------------------------- prompts

#[test]
fn off_a_terminal_a_missing_flag_is_named_never_prompted_for() {
    let env = Env::clinic();
    let before = env.snapshot();
    // stdin holds plausible answers: a prompt would read them and book.
    let answers = "Dr. García\n2026-06-16\n10:00\n+50370000001\nAna\n";
    for extra in [&[][..], &["--no-input"][..]] {
        let mut args: Vec<OsString> = vec!["book".into(), "--json".into()];
        args.extend(extra.iter().map(OsString::from));
        let r = run_os(&env, &args, Some(answers));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        let e = error_doc(&r);
        assert_eq!(e["code"], "VALIDATION_ERROR", "{e}");
        let k = keys(&e["details"]);
        for want in ["doctor", "time", "phone"] {
            assert!(k.contains(want), "{want} not named: {e}");
        }
    }
    // The same for the other commands that could ask.
    for (args, want) in [
        (vec!["doctor", "add"], vec!["name"]),
        (vec!["clinic", "add"], vec!["name", "timezone"]),
        (vec!["service", "add"], vec!["name", "minutes"]),
        (vec!["patient", "add"], vec!["name", "phone"]),
        (vec!["window", "add"], vec!["doctor", "days", "from", "to"]),
        (
            vec![
                "book",
                "--doctor",
                "Dr. García",
                "--date",
                "2026-06-16",
                "--time",
                "10:00",
            ],
            vec!["phone"],
        ),
    ] {
        for no_input in [false, true] {
            let mut a: Vec<OsString> = args.iter().map(OsString::from).collect();
            a.push("--json".into());
            if no_input {
                a.push("--no-input".into());
            }
            let r = run_os(&env, &a, Some("Something\n30\n+50370000009\n"));
            assert_eq!(r.code, 2, "{a:?}: {}", r.stderr);
            assert!(r.stdout.is_empty(), "{a:?}: {}", r.stdout);
            let e = error_doc(&r);
            assert_eq!(e["code"], "VALIDATION_ERROR", "{a:?}: {e}");
            let k = keys(&e["details"]);
            for w in &want {
                assert!(k.contains(*w), "{a:?}: {w} not named: {e}");
            }
        }
    }
    assert_eq!(env.snapshot(), before, "nothing was written");

    // cancel needs a reason: named, not asked for.
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let d = env.refused(
        &["cancel", s(&a["id"]), "--no-input"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("reason").is_some(), "{d}");
    let r = run_os(
        &env,
        &["cancel".into(), s(&a["id"]).into(), "--json".into()],
        Some("Changed my mind\n"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(env.ok(&["show", s(&a["id"])])["status"], "scheduled");
}

// ---------------------------------------------------------------- references

#[test]
fn references_take_a_unique_id_prefix_of_at_least_4_characters() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let doctor = env.ok(&["doctor", "show", "Dr. García"]);
    let clinic = env.ok(&["clinic", "show", "Central"]);
    let service = env.ok(&["service", "list"])["services"][0].clone();
    let window = env.ok(&["window", "list"])["windows"][0].clone();
    let patient = env.ok(&["patient", "show", "+50370000001"]);
    let closure = env.ok(&[
        "closure",
        "add",
        "--clinic",
        "Central",
        "--from",
        "2026-12-25",
    ]);

    for n in [36, 8, 5, 4] {
        let p = |v: &Value| s(&v["id"])[..n].to_string();
        assert_eq!(
            env.ok(&["doctor", "show", &p(&doctor)])["id"],
            doctor["id"],
            "{n}"
        );
        assert_eq!(
            env.ok(&["clinic", "show", &p(&clinic)])["id"],
            clinic["id"],
            "{n}"
        );
        assert_eq!(
            env.ok(&["patient", "show", &p(&patient)])["id"],
            patient["id"],
            "{n}"
        );
        assert_eq!(env.ok(&["show", &p(&a)])["id"], a["id"], "{n}");
        assert_eq!(
            env.ok(&["service", "update", &p(&service), "--minutes", "30"])["id"],
            service["id"]
        );
        assert_eq!(env.ok(&["window", "open", &p(&window)])["id"], window["id"]);
    }
    // Prefixes work where a command takes the reference as a flag, too.
    let b = env.ok(&[
        "book",
        "--doctor",
        &s(&doctor["id"])[..4],
        "--clinic",
        &s(&clinic["id"])[..4],
        "--date",
        "2026-06-16",
        "--time",
        "11:00",
        "--patient",
        &s(&patient["id"])[..4],
        "--service",
        &s(&service["id"])[..4],
    ])["appointment"]
        .clone();
    assert_eq!(b["doctor_id"], doctor["id"]);
    assert_eq!(b["patient_id"], patient["id"]);
    assert_eq!(b["service_id"], service["id"]);
    assert_eq!(b["clinic_id"], clinic["id"]);
    let gone = env.ok(&["closure", "remove", &s(&closure["id"])[..4]]);
    assert!(gone["ok"] == true || gone["id"] == closure["id"], "{gone}");

    // Three characters are too few, even when unique.
    for args in [
        vec!["doctor", "show", &s(&doctor["id"])[..3]],
        vec!["patient", "show", &s(&patient["id"])[..3]],
        vec!["show", &s(&a["id"])[..3]],
    ] {
        let mut with_json = args.clone();
        with_json.push("--json");
        let r = run(&env, &with_json);
        assert!(
            r.code == 2 || r.code == 3,
            "{args:?}: exit {} {}",
            r.code,
            r.stderr
        );
        assert!(r.stdout.is_empty());
        let e = error_doc(&r);
        assert!(
            e["code"] == "VALIDATION_ERROR" || e["code"] == "NOT_FOUND",
            "{args:?}: {e}"
        );
    }
}

#[test]
fn clinics_doctors_and_services_are_found_by_name_case_insensitively() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "add",
        "Sucursal Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    for name in ["Dr. García", "dr. garcía", "DR. GARCÍA", "dR. gArCíA"] {
        assert_eq!(
            env.ok(&["doctor", "show", name])["full_name"],
            "Dr. García",
            "{name:?}"
        );
    }
    for name in ["sucursal norte", "SUCURSAL NORTE", "Sucursal Norte"] {
        assert_eq!(
            env.ok(&["clinic", "show", name])["name"],
            "Sucursal Norte",
            "{name:?}"
        );
    }
    let v = env.ok(&[
        "book",
        "--doctor",
        "DR. GARCÍA",
        "--clinic",
        "CENTRAL",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--phone",
        "+50370000001",
        "--name",
        "Ana",
        "--service",
        "GENERAL checkup",
    ]);
    assert_eq!(v["appointment"]["service"]["name"], "General Checkup");
    assert_eq!(v["appointment"]["doctor"]["full_name"], "Dr. García");
    // Each typed word starts a word of the name (docs/commands.md#references);
    // the middle of a word is no match.
    assert_eq!(
        env.ok(&["doctor", "show", "García"])["full_name"],
        "Dr. García"
    );
    assert_eq!(
        env.ok(&["doctor", "show", "Dr. Garc"])["full_name"],
        "Dr. García"
    );
    env.refused(&["doctor", "show", "arcia"], "NOT_FOUND", 3);
    assert_eq!(
        env.ok(&["clinic", "show", "Sucursal"])["name"],
        "Sucursal Norte"
    );
    env.refused(&["clinic", "show", "ucursal"], "NOT_FOUND", 3);
    env.refused(
        &book_args("Dr. García", "2026-06-16", "11:00", "+50370000002")
            .into_iter()
            .chain(["--service", "Checkups"])
            .collect::<Vec<_>>(),
        "INVALID_APPOINTMENT_TYPE",
        5,
    );
}

#[test]
fn patients_are_found_by_phone_in_any_spelling() {
    let env = Env::clinic();
    let p = env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan Pérez",
        "--phone",
        "+503 7765-4321",
    ]);
    for spelling in ["+50377654321", "+503 7765-4321", "+503 (7765) 43.21"] {
        assert_eq!(
            env.ok(&["patient", "show", spelling])["id"],
            p["id"],
            "{spelling}"
        );
        let u = env.ok(&["patient", "update", spelling, "--email", "juan@example.com"]);
        assert_eq!(u["id"], p["id"]);
    }
    let v = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--patient",
        "+503 7765 4321",
    ]);
    assert_eq!(v["appointment"]["patient_id"], p["id"]);
    assert_eq!(v["appointment"]["patient"]["full_name"], "Juan Pérez");
    env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            "11:00",
            "--patient",
            "+50399999999",
        ],
        "NOT_FOUND",
        3,
    );
}

#[test]
fn an_ambiguous_id_prefix_is_ambiguous_id_with_the_candidates() {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    // Two doctors whose random IDs are given the same first four characters
    // (found by chance only after ~320 doctors, which is slow to add).
    let mut all: Vec<String> = Vec::new();
    for name in ["Dr. Uno", "Dra. Dos"] {
        let d = env.ok(&["doctor", "add", name]);
        let id = s(&d["id"]).to_string();
        let shared = format!("beef{}", &id[4..]);
        env.exec(&format!(
            "UPDATE doctors SET id = {} WHERE id = {}",
            env.id_literal(&shared),
            env.id_literal(&id)
        ));
        all.push(shared);
    }
    let (a, b) = (all[0].clone(), all[1].clone());
    let prefix = &a[..4];
    let before = env.snapshot();
    let d = env.fails(&["doctor", "show", prefix], "AMBIGUOUS_ID", 2);
    let candidates: BTreeSet<String> = d["candidates"]
        .as_array()
        .unwrap_or_else(|| panic!("no candidates array: {d}"))
        .iter()
        .map(|c| match c {
            Value::String(id) => id.clone(),
            other => s(&other["id"]).to_string(),
        })
        .collect();
    assert_eq!(candidates, BTreeSet::from([a.clone(), b.clone()]), "{d}");
    // Where a command takes the doctor as a flag, the same.
    env.fails(
        &[
            "window", "add", "--doctor", prefix, "--days", "mon", "--from", "09:00", "--to",
            "10:00",
        ],
        "AMBIGUOUS_ID",
        2,
    );
    env.fails(
        &["doctor", "update", prefix, "--active", "false"],
        "AMBIGUOUS_ID",
        2,
    );
    assert_eq!(
        env.snapshot(),
        before,
        "an ambiguous reference changes nothing"
    );
    // One character more (where they differ) picks one.
    let n = (4..36).find(|&n| a[..n] != b[..n]).unwrap();
    let unique = |id: &str| {
        (n..=36)
            .map(|k| &id[..k])
            .find(|p| all.iter().filter(|x| x.starts_with(p)).count() == 1)
            .unwrap()
            .to_string()
    };
    assert_eq!(env.ok(&["doctor", "show", &unique(&a)])["id"], a.as_str());
    assert_eq!(env.ok(&["doctor", "show", &unique(&b)])["id"], b.as_str());
    // Plain text: the candidates are listed for the front desk.
    let r = run(&env, &["doctor", "show", prefix]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains(&a) && r.stderr.contains(&b),
        "{}",
        r.stderr
    );
}

#[test]
fn a_name_shared_by_two_doctors_is_ambiguous() {
    let env = Env::clinic();
    let x = env.ok(&["doctor", "add", "Dr. Hernández", "--specialty", "Pediatría"]);
    // A second doctor of the same name (ignoring case and accents) needs --same-name.
    let before = env.snapshot();
    let d = env.fails(&["doctor", "add", "dr. hernandez"], "VALIDATION_ERROR", 2);
    assert!(d.get("name").is_some(), "{d}");
    assert_eq!(env.snapshot(), before);
    let y = env.ok(&[
        "doctor",
        "add",
        "dr. hernández",
        "--same-name",
        "--specialty",
        "Cardiología",
    ]);
    let d = env.refused(&["doctor", "show", "Dr. Hernández"], "AMBIGUOUS_ID", 2);
    let text = d.to_string();
    assert!(
        text.contains(s(&x["id"])) && text.contains(s(&y["id"])),
        "{d}"
    );
    // The candidates say which is which.
    assert!(
        text.contains("Pediatría") && text.contains("Cardiología"),
        "{d}"
    );
    env.refused(
        &[
            "window",
            "add",
            "--doctor",
            "DR. HERNÁNDEZ",
            "--days",
            "sat",
            "--from",
            "09:00",
            "--to",
            "10:00",
        ],
        "AMBIGUOUS_ID",
        2,
    );
    // Each is still reachable by its ID.
    assert_eq!(
        env.ok(&["doctor", "show", &s(&x["id"])[..8]])["id"],
        x["id"]
    );
}

#[test]
fn unknown_references_are_not_found_exit_3() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let mut other = s(&a["id"]).to_string();
    // An ID of the right shape that is not there.
    let head = if other.starts_with("00000000") {
        "11111111"
    } else {
        "00000000"
    };
    other.replace_range(0..8, head);
    for args in [
        vec!["clinic", "show", "Nowhere"],
        vec!["clinic", "update", "Nowhere", "--slot-minutes", "15"],
        vec!["doctor", "show", "Dr. Nobody"],
        vec!["doctor", "update", "abcdef12", "--active", "false"],
        vec!["service", "remove", "Cirugía"],
        vec!["service", "update", "Cirugía", "--minutes", "30"],
        vec!["window", "close", "ffff0000"],
        vec!["window", "remove", "ffff0000"],
        vec!["closure", "remove", "ffff0000"],
        vec!["patient", "show", "+50399999999"],
        vec!["patient", "update", "+50399999999", "--name", "X"],
        vec!["show", &other],
        vec!["cancel", &other, "--reason", "x"],
        book_args("Dr. Nobody", "2026-06-16", "11:00", "+50370000002"),
        vec![
            "book",
            "--doctor",
            "Dr. García",
            "--clinic",
            "Nowhere",
            "--date",
            "2026-06-16",
            "--time",
            "11:00",
            "--phone",
            "+50370000002",
            "--name",
            "B",
        ],
        vec!["window", "list", "--doctor", "Dr. Nobody"],
        vec![
            "closure",
            "add",
            "--doctor",
            "Dr. Nobody",
            "--from",
            "2026-06-20",
        ],
    ] {
        let d = env.refused(&args, "NOT_FOUND", 3);
        assert!(d.is_object(), "{args:?}: {d}");
    }
}

// ---------------------------------------------------------------- dates and the clock

#[test]
fn today_tomorrow_and_plus_n_are_dates_in_the_clinics_zone() {
    // 2026-06-15T20:00Z is Monday 14:00 in El Salvador but already Tuesday 05:00 in Tokyo.
    let mut env = Env::new();
    env.at("2026-06-15T20:00:00Z");
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["clinic", "add", "Tokyo", "--timezone", "Asia/Tokyo"]);
    let date_window = |clinic: &str, date: &str, from: &str| -> String {
        let w = env.ok(&[
            "window",
            "add",
            "--clinic-wide",
            "--clinic",
            clinic,
            "--date",
            date,
            "--from",
            from,
            "--to",
            "23:00",
        ]);
        s(&w["date"]).to_string()
    };
    assert_eq!(date_window("Central", "today", "08:00"), "2026-06-15");
    assert_eq!(date_window("Tokyo", "today", "08:00"), "2026-06-16");
    // +0 is today again: a second window that day overlaps the first.
    env.refused(
        &[
            "window",
            "add",
            "--clinic-wide",
            "--clinic",
            "Central",
            "--date",
            "+0",
            "--from",
            "22:00",
            "--to",
            "23:00",
        ],
        "WINDOW_OVERLAP",
        4,
    );
    for (word, central, tokyo) in [
        ("tomorrow", "2026-06-16", "2026-06-17"),
        ("TOMORROW", "2026-06-16", "2026-06-17"),
        ("+7", "2026-06-22", "2026-06-23"),
        ("+30", "2026-07-15", "2026-07-16"),
    ] {
        let from = if word == "TOMORROW" { "06:00" } else { "08:00" };
        if word == "TOMORROW" {
            // Same date as "tomorrow": 06:00–23:00 overlaps its 08:00–23:00.
            for clinic in ["Central", "Tokyo"] {
                env.refused(
                    &[
                        "window",
                        "add",
                        "--clinic-wide",
                        "--clinic",
                        clinic,
                        "--date",
                        word,
                        "--from",
                        from,
                        "--to",
                        "23:00",
                    ],
                    "WINDOW_OVERLAP",
                    4,
                );
            }
            continue;
        }
        assert_eq!(date_window("Central", word, from), central, "{word}");
        assert_eq!(date_window("Tokyo", word, from), tokyo, "{word}");
    }
    // Closures resolve their dates the same way.
    let c = env.ok(&[
        "closure", "add", "--clinic", "Tokyo", "--from", "today", "--to", "+2",
    ]);
    assert_eq!(c["from"], "2026-06-16");
    assert_eq!(c["to"], "2026-06-18");
    let c = env.ok(&[
        "closure", "add", "--clinic", "Central", "--from", "tomorrow",
    ]);
    assert_eq!(c["from"], "2026-06-16");

    // The other way round: 03:00Z on the 16th is still the 15th in El Salvador.
    env.at("2026-06-16T03:00:00Z");
    let c = env.ok(&["closure", "add", "--clinic", "Central", "--from", "today"]);
    assert_eq!(c["from"], "2026-06-15");
    let c = env.ok(&["closure", "add", "--clinic", "Tokyo", "--from", "today"]);
    assert_eq!(c["from"], "2026-06-16");
    // window list --date today, per clinic.
    let listed = env.ok(&["window", "list", "--clinic", "Central", "--date", "today"]);
    let dates: Vec<&str> = listed["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| s(&w["date"]))
        .collect();
    assert_eq!(dates, vec!["2026-06-15"]);
}

#[test]
fn relative_dates_book_in_the_clinics_zone() {
    // Monday 21:00 in El Salvador, already Tuesday in UTC.
    let mut env = Env::clinic();
    env.at("2026-06-16T03:00:00Z");
    let a = env.ok(&book_args(
        "Dr. García",
        "tomorrow",
        "09:00",
        "+50370000001",
    ))["appointment"]
        .clone();
    assert_eq!(a["date"], "2026-06-16");
    assert_eq!(a["starts_at"], "2026-06-16T15:00:00Z");
    let b = env.ok(&book_args("Dr. García", "+2", "09:00", "+50370000002"))["appointment"].clone();
    assert_eq!(b["date"], "2026-06-17");
    // "today" is Monday the 15th there, and 09:00 that day is past.
    env.refused(
        &book_args("Dr. García", "today", "09:00", "+50370000003"),
        "PAST_APPOINTMENT",
        5,
    );
}

#[test]
fn bad_dates_are_validation_errors() {
    let env = Env::clinic();
    // `yesterday` and `-N` are dates (docs/commands.md#conventions): a booking there is in the past.
    for past in ["yesterday", "-1"] {
        env.refused(
            &book_args("Dr. García", past, "10:00", "+50370000001"),
            "PAST_APPOINTMENT",
            5,
        );
    }
    // A day the calendar lacks says so.
    let d = env.refused(
        &book_args("Dr. García", "2026-02-30", "10:00", "+50370000001"),
        "VALIDATION_ERROR",
        2,
    );
    assert!(s(&d["date"]).contains("does not exist"), "{d}");
    for bad in [
        "someday",
        "+x",
        "+-1",
        "2026-02-30",
        "15/06/2026",
        "2026-6-1",
        "next week",
    ] {
        let d = env.refused(
            &book_args("Dr. García", bad, "10:00", "+50370000001"),
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("date").is_some(), "{bad}: {d}");
        let d = env.refused(
            &["closure", "add", "--clinic", "Central", "--from", bad],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("from").is_some(), "{bad}: {d}");
    }
    for bad in ["10x", "10:0", "25:00", "10:60", "ten"] {
        let d = env.refused(
            &book_args("Dr. García", "2026-06-16", bad, "+50370000001"),
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("time").is_some(), "{bad}: {d}");
    }
}

#[test]
fn appt_now_is_the_clock() {
    let mut env = Env::new();
    env.at("2026-06-15T08:00:00-06:00");
    let c = env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    assert_eq!(c["created_at"], "2026-06-15T14:00:00Z");
    env.at("2030-01-02T03:04:05Z");
    let d = env.ok(&["doctor", "add", "Dr. García"]);
    assert_eq!(d["created_at"], "2030-01-02T03:04:05Z");
    assert_eq!(d["updated_at"], "2030-01-02T03:04:05Z");
}

#[test]
fn an_invalid_appt_now_is_a_validation_error() {
    let mut env = Env::new();
    env.ok(&["init"]);
    let before = env.snapshot();
    for bad in [
        "yesterday",
        "2026-06-15",
        "2026-06-15 14:00",
        "2026-06-15T14:00:00",
        "1718460000",
    ] {
        env.at(bad);
        let d = env.fails(
            &[
                "clinic",
                "add",
                "Central",
                "--timezone",
                "America/El_Salvador",
            ],
            "VALIDATION_ERROR",
            2,
        );
        assert!(
            keys(&d)
                .iter()
                .any(|k| k.to_ascii_lowercase().contains("appt_now")),
            "{bad}: details should name APPT_NOW: {d}"
        );
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn an_appt_now_that_is_not_utf8_is_a_validation_error() {
    let env = Env::new();
    env.ok(&["init"]);
    let before = env.snapshot();
    let out = env
        .cmd()
        .env("APPT_NOW", OsStr::from_bytes(b"\xff\xfe2026"))
        .args([
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
            "--json",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(
        r.code, 2,
        "exit {}; stdout {}; stderr {}",
        r.code, r.stdout, r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(error_doc(&r)["code"], "VALIDATION_ERROR");
    assert_eq!(
        env.snapshot(),
        before,
        "the system clock must not be used instead"
    );
}

// ---------------------------------------------------------------- hostile input

#[test]
fn quotes_and_sql_are_stored_literally() {
    let env = Env::clinic();
    let sql = "Robert'); DROP TABLE appointments;--";
    let quoted = r#"O'Brien "Doc" \ ; -- %_"#;
    let c = env.ok(&["clinic", "add", quoted, "--timezone", "America/El_Salvador"]);
    assert_eq!(c["name"], quoted);
    assert_eq!(env.ok(&["clinic", "show", quoted])["id"], c["id"]);
    let d = env.ok(&["doctor", "add", sql, "--specialty", quoted]);
    assert_eq!(d["full_name"], sql);
    assert_eq!(d["specialty"], quoted);
    assert_eq!(env.ok(&["doctor", "show", sql])["id"], d["id"]);
    let sv = env.ok(&["service", "add", "x' OR '1'='1", "--minutes", "30"]);
    assert_eq!(
        env.ok(&["service", "update", "X' or '1'='1", "--minutes", "30"])["id"],
        sv["id"]
    );
    let p = env.ok(&[
        "patient",
        "add",
        "--name",
        "'); DROP TABLE patients;--",
        "--phone",
        "+50370000001",
    ]);
    assert_eq!(p["full_name"], "'); DROP TABLE patients;--");
    let found = env.ok(&["patient", "list", "--search", "drop table"]);
    assert_eq!(found["patients"].as_array().unwrap().len(), 1);
    let none = env.ok(&["patient", "list", "--search", "' OR 1=1 --"]);
    assert_eq!(
        none["patients"],
        serde_json::json!([]),
        "an injection finds nothing"
    );
    let a = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--patient",
        "+50370000001",
        "--reason",
        sql,
        "--notes",
        quoted,
    ])["appointment"]
        .clone();
    assert_eq!(a["reason"], sql);
    assert_eq!(a["notes"], quoted);
    let shown = env.ok(&["show", s(&a["id"])]);
    assert_eq!(shown["reason"], sql);
    assert_eq!(shown["notes"], quoted);
    for table in ["appointments", "patients", "clinics", "doctors", "services"] {
        let n = env.rows(&format!("SELECT count(*) FROM {table}"));
        assert_eq!(n.len(), 1, "table {table} is gone");
    }
    assert_eq!(env.rows("SELECT count(*) FROM appointments")[0][0], "1");
}

/// Runs an add/update carrying `long` text: either it is refused cleanly
/// (VALIDATION_ERROR naming `field`, nothing written) or it is stored whole.
/// Returns the stored object when accepted.
fn long_text(env: &Env, args: &[&str], field: &str) -> Option<Value> {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let before = env.snapshot();
    let r = run(env, &with_json);
    if r.code == 0 {
        return Some(
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout)),
        );
    }
    assert_eq!(
        r.code,
        2,
        "{field}: exit {} — {}",
        r.code,
        &r.stderr[..r.stderr.len().min(500)]
    );
    assert!(r.stdout.is_empty());
    let e = error_doc(&r);
    assert_eq!(e["code"], "VALIDATION_ERROR", "{field}");
    assert!(
        e["details"].get(field).is_some(),
        "{field} not named: {}",
        e["details"]
    );
    assert_eq!(env.snapshot(), before, "{field}: a refused command wrote");
    None
}

#[test]
fn ten_thousand_character_text_is_refused_cleanly_or_kept_whole() {
    let env = Env::clinic();
    let ascii = "a".repeat(10_000);
    let wide = "ñ".repeat(10_000);
    for long in [&ascii, &wide] {
        if let Some(v) = long_text(&env, &["clinic", "add", long, "--timezone", "UTC"], "name") {
            assert_eq!(&v["name"], long.as_str());
        }
        if let Some(v) = long_text(&env, &["doctor", "add", long], "name") {
            assert_eq!(&v["full_name"], long.as_str());
        }
        if let Some(v) = long_text(&env, &["service", "add", long, "--minutes", "30"], "name") {
            assert_eq!(&v["name"], long.as_str());
        }
        if let Some(v) = long_text(
            &env,
            &["doctor", "update", "Dr. García", "--specialty", long],
            "specialty",
        ) {
            assert_eq!(&v["specialty"], long.as_str());
            assert_eq!(
                &env.ok(&["doctor", "show", "Dr. García"])["specialty"],
                long.as_str()
            );
        }
        if let Some(v) = long_text(
            &env,
            &["patient", "add", "--name", long, "--phone", "+50370000001"],
            "name",
        ) {
            assert_eq!(&v["full_name"], long.as_str());
        }
        for (flag, field) in [("--reason", "reason"), ("--notes", "notes")] {
            let mut args = book_args("Dr. García", "2026-06-16", "10:00", "+50370000009");
            args.extend_from_slice(&[flag, long]);
            if let Some(v) = long_text(&env, &args, field) {
                assert_eq!(&v["appointment"][field], long.as_str());
                let id = s(&v["appointment"]["id"]).to_string();
                assert_eq!(&env.ok(&["show", &id])[field], long.as_str());
                env.ok(&["cancel", &id, "--reason", "test"]);
            }
        }
        let when = if long == &ascii {
            "2026-07-01"
        } else {
            "2026-07-02"
        };
        if let Some(v) = long_text(
            &env,
            &[
                "closure", "add", "--clinic", "Central", "--from", when, "--reason", long,
            ],
            "reason",
        ) {
            assert_eq!(&v["reason"], long.as_str());
            let listed = env.ok(&["closure", "list"]);
            let got = listed["closures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == v["id"])
                .expect("listed");
            assert_eq!(&got["reason"], long.as_str());
        }
        let day = if long == &ascii {
            "2026-07-04"
        } else {
            "2026-07-05"
        };
        if let Some(v) = long_text(
            &env,
            &[
                "window",
                "add",
                "--clinic-wide",
                "--date",
                day,
                "--from",
                "09:00",
                "--to",
                "10:00",
                "--session",
                long,
                "--batch",
                long,
            ],
            "session",
        ) {
            assert_eq!(&v["session"], long.as_str());
            assert_eq!(&v["batch"], long.as_str());
        }
        // Values with a format are refused, whatever their length.
        for (args, field) in [
            (
                vec!["patient", "add", "--name", "Ana", "--phone", long.as_str()],
                "phone",
            ),
            (
                vec![
                    "patient",
                    "add",
                    "--name",
                    "Ana",
                    "--phone",
                    "+50370000002",
                    "--email",
                    long.as_str(),
                ],
                "email",
            ),
            (
                vec![
                    "patient",
                    "add",
                    "--name",
                    "Ana",
                    "--phone",
                    "+50370000002",
                    "--national-id",
                    long.as_str(),
                ],
                "national_id",
            ),
            (
                vec!["clinic", "add", "X", "--timezone", long.as_str()],
                "timezone",
            ),
            (
                vec!["clinic", "update", "Central", "--min-notice", long.as_str()],
                "min_notice",
            ),
        ] {
            let d = env.refused(&args, "VALIDATION_ERROR", 2);
            assert!(d.get(field).is_some(), "{field}: {d}");
        }
    }
    // A 10k-character reference is simply not found.
    env.refused(&["doctor", "show", &ascii], "NOT_FOUND", 3);
    env.refused(&["show", &"a".repeat(10_000)], "NOT_FOUND", 3);
}

#[test]
fn invalid_utf8_arguments_are_usage_errors_never_a_panic() {
    let env = Env::clinic();
    let before = env.snapshot();
    let bad = OsStr::from_bytes(b"\xff\xfe");
    let mixed = OsStr::from_bytes(b"Dr. Garc\xeda"); // Latin-1 "í"
    let os = |xs: &[&str]| -> Vec<OsString> { xs.iter().map(OsString::from).collect() };
    let cases: Vec<Vec<OsString>> = vec![
        [
            os(&["clinic", "add"]),
            vec![bad.into()],
            os(&["--timezone", "UTC"]),
        ]
        .concat(),
        [os(&["doctor", "add"]), vec![mixed.into()]].concat(),
        [os(&["doctor", "show"]), vec![mixed.into()]].concat(),
        [
            os(&["doctor", "add", "Dr. X", "--specialty"]),
            vec![bad.into()],
        ]
        .concat(),
        [os(&["patient", "list", "--search"]), vec![bad.into()]].concat(),
        [
            os(&["window", "add", "--doctor", "Dr. García", "--days"]),
            vec![bad.into()],
            os(&["--from", "09:00", "--to", "10:00"]),
        ]
        .concat(),
        [
            os(&[
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
            ]),
            vec![mixed.into()],
        ]
        .concat(),
        [os(&["book", "--reason"]), vec![bad.into()]].concat(),
        vec![bad.into()],
        [os(&["clinic"]), vec![bad.into()]].concat(),
        [
            vec![OsString::from("--clinic"), bad.into()],
            os(&["clinic", "list"]),
        ]
        .concat(),
    ];
    for args in cases {
        let mut with_json = args.clone();
        with_json.push("--json".into());
        let r = run_os(&env, &with_json, None);
        assert_ne!(r.code, 101, "{with_json:?} panicked: {}", r.stderr);
        assert_eq!(r.code, 2, "{with_json:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{with_json:?}: {}", r.stdout);
        let e = error_doc(&r);
        assert_eq!(e["code"], "USAGE_ERROR", "{with_json:?}: {e}");

        let r = run_os(&env, &args, None);
        assert_ne!(r.code, 101, "{args:?} panicked: {}", r.stderr);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(r.stderr.starts_with("error:"), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(env.snapshot(), before);
}

#[test]
fn escape_sequences_in_stored_text_never_reach_the_terminal_raw() {
    // docs/commands.md#conventions: human output neutralises control characters; JSON keeps the text.
    let env = Env::clinic();
    let name = "Eve\u{1b}]0;pwned\u{7}\u{1b}[2J";
    let reason = "\u{1b}[31mrojo\u{7}";
    let a = env.ok(&[
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
        name,
        "--reason",
        reason,
    ])["appointment"]
        .clone();
    assert_eq!(
        a["patient"]["full_name"], name,
        "JSON keeps the text as stored"
    );
    assert_eq!(a["reason"], reason);
    let id = s(&a["id"]).to_string();
    for args in [
        vec!["list", "--date", "2026-06-16"],
        vec!["agenda", "--date", "2026-06-16"],
        vec!["show", &id],
        vec!["patient", "list"],
        vec!["patient", "show", "+50370000001"],
        vec!["remind", "list"],
        vec!["cancel", &id, "--reason", "\u{1b}[2Jbye"],
    ] {
        let r = run(&env, &args);
        assert_eq!(r.code, 0, "appt {args:?}: {}", r.stderr);
        for out in [&r.stdout, &r.stderr] {
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{7}'),
                "appt {args:?} printed a raw control character: {out:?}"
            );
        }
        assert!(r.stdout.contains('␛'), "appt {args:?}: {:?}", r.stdout);
    }
    // Errors quote what was typed: neutralised too.
    let r = run(&env, &["doctor", "show", "Dr.\u{1b}[2J"]);
    assert_eq!(r.code, 3);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
}
