//! Tests: local input (docs/rules.md#phones) — a clinic's country code lets
//! the desk type local numbers; time zones are matched ignoring case, with
//! spaces for underscores, and a miss names the closest zones.

use crate::common::{s, Env};
use serde_json::{json, Value};

/// `appt ARGS` in human mode: (exit code, stderr).
fn human(env: &Env, args: &[&str]) -> (i32, String) {
    let out = env.cmd().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `Env::clinic()` whose clinic reads local numbers in +503.
fn salvadoran() -> Env {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    env
}

/// Books Dr. García at 09:00 on `date` for `who` (flags).
fn book(env: &Env, date: &str, who: &[&str]) -> Value {
    let mut args = vec![
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        date,
        "--time",
        "09:00",
    ];
    args.extend_from_slice(who);
    env.ok(&args)["appointment"].clone()
}

// ---------------------------------------------------------------- the setting

#[test]
fn a_clinic_keeps_its_country_code_until_cleared() {
    let env = Env::new();
    let c = env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
        "--country-code",
        "+503",
    ]);
    assert_eq!(c["country_code"], "+503", "{c}");
    assert_eq!(env.ok(&["clinic", "show", "Central"]), c);
    assert_eq!(
        env.rows("SELECT country_code FROM clinics"),
        [["+503".to_string()]]
    );
    // The schema keeps what appt writes, whatever writes to it.
    assert!(env
        .try_exec("UPDATE clinics SET country_code = '503'")
        .is_err());
    assert!(env
        .try_exec("UPDATE clinics SET country_code = '+5030'")
        .is_err());
    let other = env.ok(&["clinic", "add", "Norte", "--timezone", "UTC"]);
    assert_eq!(other["country_code"], Value::Null, "none by default");

    let out = env
        .cmd()
        .args(["clinic", "show", "Central"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.lines().any(|l| l.trim() == "Country code       +503"),
        "{shown}"
    );

    // Refused when it is not + and 1–3 digits; the stored one is kept.
    for bad in ["503", "+5030", "+0", "+50a", "plus"] {
        let d = env.refused(
            &["clinic", "update", "Central", "--country-code", bad],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["country_code"].is_string(), "{bad}: {d}");
    }
    env.refused(
        &[
            "clinic",
            "add",
            "Sur",
            "--timezone",
            "UTC",
            "--country-code",
            "503",
        ],
        "VALIDATION_ERROR",
        2,
    );
    // The form is right, but no country answers to it (issue 43 item 5):
    // refused at `clinic add` and `clinic update` alike, in the desk's words.
    for bad in ["+999", "+800"] {
        let d = env.refused(
            &["clinic", "update", "Central", "--country-code", bad],
            "VALIDATION_ERROR",
            2,
        );
        let why = d["country_code"].as_str().unwrap_or_default();
        assert!(why.contains("no country"), "{bad}: {d}");
        let out = env
            .cmd()
            .env("APPT_LANG", "es")
            .args(["clinic", "update", "Central", "--country-code", bad])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("ningún país"), "{bad}: {err}");
    }
    env.refused(
        &[
            "clinic",
            "add",
            "Sur",
            "--timezone",
            "UTC",
            "--country-code",
            "+999",
        ],
        "VALIDATION_ERROR",
        2,
    );
    let u = env.ok(&["clinic", "update", "Central", "--country-code", "+1"]);
    assert_eq!(u["country_code"], "+1");
    // `none` (or blank) clears it.
    let u = env.ok(&["clinic", "update", "Central", "--country-code", "none"]);
    assert_eq!(u["country_code"], Value::Null);
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    let u = env.ok(&["clinic", "update", "Central", "--country-code="]);
    assert_eq!(u["country_code"], Value::Null);
    assert_eq!(
        env.ok(&["clinic", "show", "Central"])["country_code"],
        Value::Null
    );
}

// ---------------------------------------------------------------- booking

#[test]
fn a_local_number_books_the_same_patient_as_its_e164_form() {
    let env = salvadoran();
    let first = book(
        &env,
        "2026-06-15",
        &["--phone", "+503 7765-4321", "--name", "Ana López"],
    );
    let ana = s(&first["patient_id"]).to_string();
    // The same number typed as the desk says it: no name needed, same patient.
    for (date, who) in [
        ("2026-06-16", vec!["--phone", "7765-4321"]),
        ("2026-06-17", vec!["--phone", "(7765) 43.21"]),
        ("2026-06-18", vec!["--patient", "7765-4321"]),
        ("2026-06-19", vec!["--patient", "77654321"]),
    ] {
        let a = book(&env, date, &who);
        assert_eq!(a["patient_id"], json!(ana), "{who:?}: {a}");
        assert_eq!(a["patient"]["phone"], "+50377654321", "{who:?}");
    }
    assert_eq!(env.rows("SELECT count(*) FROM patients")[0][0], "1");
    // A new local number makes a patient stored in E.164.
    let b = book(
        &env,
        "2026-06-22",
        &["--phone", "7012-3456", "--name", "Luis Pérez"],
    );
    assert_ne!(b["patient_id"], json!(ana));
    assert_eq!(b["patient"]["phone"], "+50370123456");
    // Finding the patient by the local number: card, list, update.
    let card = env.ok(&["patient", "show", "7765 4321"]);
    assert_eq!(card["id"], json!(ana), "{card}");
    let listed = env.ok(&[
        "list",
        "--from",
        "2026-06-15",
        "--to",
        "2026-06-30",
        "--patient",
        "7765-4321",
    ]);
    assert_eq!(listed["appointments"].as_array().unwrap().len(), 5);
    // Where an appointment is expected: the patient's visit today.
    assert_eq!(env.ok(&["show", "7765 4321"])["id"], first["id"]);
    let done = env.ok(&["status", "7765-4321", "checked_in"]);
    assert_eq!(done["id"], first["id"]);
    assert_eq!(done["status"], "checked_in");
    let p = env.ok(&["patient", "update", "7765-4321", "--phone", "7765-0000"]);
    assert_eq!(p["phone"], "+50377650000");
    assert_eq!(env.ok(&["patient", "show", "77650000"])["id"], json!(ana));
}

/// Issue 43 item 5: `-P 7788` at a +503 clinic was stored as `+5037788`.
/// El Salvador's numbers have eight digits, and none starts with 9; the
/// error says so in the desk's language, with a number as they write it.
#[test]
fn a_number_too_short_or_not_of_the_country_is_refused_in_both_languages() {
    let env = salvadoran();
    for phone in [
        "7788",
        "+5037788",
        "7012-34567",
        "9999-9999",
        "+50399999999",
    ] {
        let d = env.refused(
            &[
                "book",
                "-d",
                "Dr. García",
                "-D",
                "2026-06-15",
                "-t",
                "09:00",
                "-P",
                phone,
                "--name",
                "Ana",
            ],
            "VALIDATION_ERROR",
            2,
        );
        assert!(
            d["phone"].as_str().unwrap().contains("+503"),
            "{phone}: {d}"
        );
    }
    let args = [
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-15",
        "-t",
        "09:00",
        "-P",
        "7788",
        "--name",
        "Ana",
    ];
    let (code, err) = human(&env, &args);
    assert_eq!(code, 2);
    assert!(
        err.contains("'7788' is too short for a phone number of +503") && err.contains("2123-4567"),
        "{err}"
    );
    let out = env
        .cmd()
        .args(args)
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'7788' es muy corto para un teléfono de +503: se escriben como 2123-4567"),
        "{err}"
    );
    assert_eq!(env.rows("SELECT count(*) FROM patients")[0][0], "0");
}

/// Human output writes a number of the clinic's country as the desk does
/// (`7012-3456`), any other in international form; JSON keeps E.164.
#[test]
fn tables_and_cards_write_home_numbers_national_and_others_international() {
    let env = salvadoran();
    book(
        &env,
        "2026-06-15",
        &["-P", "7012-3456", "--name", "Ana López"],
    );
    let b = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-15",
        "-t",
        "09:30",
        "-P",
        "+1 212 555 0100",
        "--name",
        "Bob Smith",
    ]);
    assert_eq!(b["appointment"]["patient"]["phone"], "+12125550100");
    for lang in ["en", "es"] {
        let out = env
            .cmd()
            .args(["agenda", "-D", "2026-06-15"])
            .env("APPT_LANG", lang)
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        let table = String::from_utf8_lossy(&out.stdout);
        assert!(table.contains("7012-3456"), "{lang}: {table}");
        assert!(table.contains("+1 212-555-0100"), "{lang}: {table}");
        assert!(!table.contains("+50370123456"), "{lang}: {table}");
        let card = env
            .cmd()
            .args(["patient", "show", "7012-3456"])
            .env("APPT_LANG", lang)
            .output()
            .unwrap();
        let card = String::from_utf8_lossy(&card.stdout);
        assert!(
            card.contains("7012-3456") && !card.contains("+503"),
            "{lang}: {card}"
        );
    }
    assert_eq!(
        env.ok(&["patient", "show", "7012-3456"])["phone"],
        "+50370123456"
    );
    // A clinic of another country: every number in international form.
    env.ok(&["clinic", "update", "Central", "--country-code", "+44"]);
    let out = env.cmd().args(["patient", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        list.contains("+503 7012 3456") && list.contains("+1 212-555-0100"),
        "{list}"
    );
    // A clinic of no country code: every number as stored.
    env.ok(&["clinic", "update", "Central", "--country-code", "none"]);
    let out = env.cmd().args(["patient", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        list.contains("+50370123456") && list.contains("+12125550100"),
        "{list}"
    );
}

#[test]
fn without_a_country_code_a_local_number_is_refused_with_a_hint() {
    let env = Env::clinic();
    let args = [
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "09:00",
        "--phone",
        "7765-4321",
        "--name",
        "Ana López",
    ];
    let d = env.refused(&args, "VALIDATION_ERROR", 2);
    assert!(s(&d["phone"]).contains("E.164"), "{d}");
    let (code, err) = human(&env, &args);
    assert_eq!(code, 2);
    assert!(
        err.contains("appt clinic update Central --country-code"),
        "{err}"
    );
    // A patient given by a local number: not found, and the same advice.
    book(
        &env,
        "2026-06-15",
        &["--phone", "+50377654321", "--name", "Ana López"],
    );
    let by_patient = [
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "09:00",
        "--patient",
        "7765-4321",
    ];
    env.refused(&by_patient, "NOT_FOUND", 3);
    let (_, err) = human(&env, &by_patient);
    assert!(err.contains("--country-code"), "{err}");
    for args in [
        &["patient", "show", "7765-4321"][..],
        &["show", "7765-4321"],
        &["status", "7765-4321", "checked_in"],
    ] {
        let (code, err) = human(&env, args);
        assert_eq!(code, 3, "{args:?}: {err}");
        assert!(err.contains("--country-code"), "{args:?}: {err}");
    }
    // patient add and waitlist add too.
    let add = ["patient", "add", "--name", "Luis", "-P", "7012-3456"];
    let d = env.refused(&add, "VALIDATION_ERROR", 2);
    assert!(d["phone"].is_string(), "{d}");
    let (_, err) = human(&env, &add);
    assert!(err.contains("--country-code"), "{err}");
    env.refused(
        &[
            "waitlist",
            "add",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--phone",
            "7012-3456",
            "--name",
            "Luis",
        ],
        "VALIDATION_ERROR",
        2,
    );
    // What is no phone at all is refused as before, wherever the clinic is.
    let d = env.refused(
        &["patient", "add", "--name", "Luis", "-P", "70x2"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["phone"].is_string());
}

#[test]
fn the_waitlist_reads_a_local_number_in_the_clinics_code() {
    let env = salvadoran();
    book(
        &env,
        "2026-06-16",
        &["--phone", "+50377654321", "--name", "Ana López"],
    );
    let args = |who: &[&'static str]| {
        let mut a = vec![
            "waitlist",
            "add",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-17",
        ];
        a.extend_from_slice(who);
        a
    };
    let e = env.ok(&args(&["--phone", "7765-4321"]));
    let again = env.ok(&args(&["--patient", "7765-4321"]));
    assert_eq!(e["id"], again["id"], "the same patient keeps their place");
    let new = env.ok(&args(&["--phone", "7012 3456", "--name", "Luis"]));
    assert_eq!(new["patient"]["phone"], "+50370123456", "{new}");
}

// ---------------------------------------------------------------- import

#[test]
fn import_lines_read_local_numbers_in_their_clinics_code() {
    let env = salvadoran();
    // A second clinic, with no country code, where Dr. Ruiz works.
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["doctor", "add", "Dr. Ruiz"]);
    env.ok(&[
        "window", "add", "--clinic", "Norte", "--doctor", "Dr. Ruiz", "--days", "mon-fri",
        "--from", "09:00", "--to", "13:00",
    ]);
    env.ok(&[
        "book",
        "--clinic",
        "Central",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--time",
        "09:00",
        "--phone",
        "+50377654321",
        "--name",
        "Ana López",
    ]);
    let line = |doctor: &str, time: &str, phone: &str, name: Option<&str>| {
        let mut v = json!({"doctor": doctor, "date": "2026-06-16", "time": time, "phone": phone});
        if let Some(n) = name {
            v["name"] = json!(n);
        }
        v.to_string()
    };
    let path = env.dir.path().join("in.jsonl");
    std::fs::write(
        &path,
        [
            line("Dr. García", "09:30", "7765-4321", None),
            line("Dr. García", "10:00", "7012 3456", Some("Luis Pérez")),
            line("Dr. Ruiz", "10:00", "7111-2222", Some("Marta Gómez")),
            line("Dr. Ruiz", "10:30", "+503 7111-2222", Some("Marta Gómez")),
        ]
        .join("\n")
            + "\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["import", path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["booked"], 3, "{v}");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["line"], 3, "{v}");
    assert_eq!(errors[0]["code"], "VALIDATION_ERROR", "{v}");
    let phones = env.rows(
        "SELECT p.phone, count(*) FROM appointments a JOIN patients p ON p.id = a.patient_id \
         GROUP BY p.phone ORDER BY p.phone",
    );
    assert_eq!(
        phones,
        [
            ["+50370123456".to_string(), "1".into()],
            ["+50371112222".into(), "1".into()],
            ["+50377654321".into(), "2".into()],
        ]
    );
}

// ---------------------------------------------------------------- no single clinic

#[test]
fn with_several_clinics_a_local_number_takes_the_code_they_share_or_the_given_clinics() {
    let env = salvadoran();
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
        "--country-code",
        "+503",
    ]);
    // Both +503: a patient added with no clinic named is read in it.
    let p = env.ok(&["patient", "add", "--name", "Ana", "-P", "7765-4321"]);
    assert_eq!(p["phone"], "+50377654321");
    assert_eq!(env.ok(&["patient", "show", "7765-4321"])["id"], p["id"]);
    // Clinics that differ: the desk must say which.
    env.ok(&[
        "clinic",
        "add",
        "Guate",
        "--timezone",
        "America/Guatemala",
        "--country-code",
        "+502",
    ]);
    let add = ["patient", "add", "--name", "Luis", "-P", "5555-1234"];
    env.refused(&add, "VALIDATION_ERROR", 2);
    let (_, err) = human(&env, &add);
    assert!(err.contains("--clinic"), "{err}");
    let p = env.ok(&[
        "patient",
        "add",
        "--name",
        "Luis",
        "-P",
        "5555-1234",
        "--clinic",
        "Guate",
    ]);
    assert_eq!(p["phone"], "+50255551234");
    let p = env.ok(&["patient", "show", "5555-1234", "--clinic", "Guate"]);
    assert_eq!(p["phone"], "+50255551234");
    // A number with its + needs no clinic at all.
    let p = env.ok(&["patient", "add", "--name", "Rosa", "-P", "+1 212 555 0100"]);
    assert_eq!(p["phone"], "+12125550100");
}

// ---------------------------------------------------------------- time zones

#[test]
fn a_zone_is_matched_ignoring_case_with_spaces_for_underscores() {
    let env = Env::new();
    for (name, typed, zone) in [
        ("Central", "america/el salvador", "America/El_Salvador"),
        ("Norte", "AMERICA/NEW_YORK", "America/New_York"),
        ("Sur", " america/port au prince ", "America/Port-au-Prince"),
    ] {
        let c = env.ok(&["clinic", "add", name, "--timezone", typed]);
        assert_eq!(c["timezone"], zone, "{typed}");
    }
    // Stored as the IANA name.
    assert_eq!(
        env.rows("SELECT timezone FROM clinics WHERE name = 'Central'"),
        [["America/El_Salvador".to_string()]]
    );
    let u = env.ok(&["clinic", "update", "Norte", "--timezone", "america/chicago"]);
    assert_eq!(u["timezone"], "America/Chicago");
}

#[test]
fn a_missed_zone_names_the_closest_ones() {
    let env = Env::new();
    env.ok(&["init"]);
    let args = [
        "clinic",
        "add",
        "Central",
        "--timezone",
        "america/el_salvadr",
    ];
    let d = env.refused(&args, "VALIDATION_ERROR", 2);
    assert!(d["timezone"].is_string(), "{d}");
    let (code, err) = human(&env, &args);
    assert_eq!(code, 2);
    assert!(
        err.contains("hint: did you mean America/El_Salvador"),
        "{err}"
    );
    // On update too, with the other problems of the same command.
    env.ok(&["clinic", "add", "Central", "--timezone", "UTC"]);
    let (_, err) = human(
        &env,
        &[
            "clinic",
            "update",
            "Central",
            "--timezone",
            "amrica/new yrok",
            "--country-code",
            "1",
        ],
    );
    assert!(err.contains("did you mean America/New_York"), "{err}");
    assert!(err.contains("Country code"), "{err}");
    // Nothing close: no suggestion.
    let (_, err) = human(
        &env,
        &["clinic", "update", "Central", "--timezone", "Mars/Olympus"],
    );
    assert!(!err.contains("did you mean"), "{err}");
}

// ---------------------------------------------------------------- upgrade

#[test]
fn clinics_from_before_the_upgrade_have_no_country_code_until_given_one() {
    let env = Env::clinic();
    // The database as an appt of schema 9 left it.
    crate::common::undo_schema_12(&env);
    env.exec("DROP TABLE api_tokens"); // schema 11's
    env.exec("ALTER TABLE clinics DROP COLUMN country_code");
    crate::common::set_schema_version(&env, 9);
    assert_eq!(
        env.ok(&["clinic", "show", "Central"])["country_code"],
        Value::Null
    );
    let c = env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    assert_eq!(c["country_code"], "+503");
    let p = env.ok(&["patient", "add", "--name", "Ana", "-P", "7765-4321"]);
    assert_eq!(p["phone"], "+50377654321");
}
