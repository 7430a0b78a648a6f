//! Damaged data: a stored value appt cannot read back is `DATABASE_ERROR`
//! (exit 6) naming the table, the row's ID and the column, never shown as a
//! plausible value; `check` lists every such row; no stored value makes appt
//! panic. A property test damages a small database at random.

use crate::common::{on_postgres, s, Env};
use serde_json::{json, Value};

/// Lets the next writes store what appt's schema would refuse: on
/// PostgreSQL its CHECK and exclusion constraints go (SQLite's CHECKs are
/// bypassed per statement).
fn allow_damage(env: &Env) {
    if on_postgres() {
        env.exec(
            "DO $$ DECLARE r record; BEGIN \
             FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint \
               WHERE contype IN ('c', 'x') AND connamespace = current_schema()::regnamespace LOOP \
               EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname); \
             END LOOP; END $$",
        );
    }
}

/// Sets one stored value straight in the database (`value` is SQL: a number
/// or a quoted text), as a careless script or a damaged disk would.
fn damage(env: &Env, table: &str, column: &str, id: &str, value: &str) {
    let set = format!(
        "UPDATE {table} SET {column} = {value} WHERE id = {}",
        env.key_literal(table, id)
    );
    if on_postgres() {
        env.exec(&set);
    } else {
        env.exec(&format!("PRAGMA ignore_check_constraints = ON; {set};"));
    }
}

/// The value as stored now, as SQL (to put it back).
fn stored(env: &Env, table: &str, column: &str, id: &str, integer: bool) -> String {
    let v = env.rows(&format!(
        "SELECT {column}, CASE WHEN {column} IS NULL THEN 'null' ELSE 'v' END FROM {table} WHERE id = {}",
        env.key_literal(table, id)
    ));
    let (v, null) = (&v[0][0], &v[0][1]);
    if null == "null" {
        "NULL".into()
    } else if integer {
        v.clone()
    } else {
        quoted(v)
    }
}

/// Runs `args` (with `--json`); (exit code, the error object when it failed).
fn run(env: &Env, args: &[&str]) -> (i32, Value) {
    let out = env.cmd().args(args).arg("--json").output().expect("run");
    let code = out.status.code().unwrap_or(-1);
    let err = if code == 0 {
        Value::Null
    } else {
        serde_json::from_slice::<Value>(String::from_utf8_lossy(&out.stderr).trim().as_bytes())
            .map(|v| v["error"].clone())
            .unwrap_or_else(|_| json!({"stderr": String::from_utf8_lossy(&out.stderr)}))
    };
    (code, err)
}

/// `check --json`: (exit code, the damaged-value rows it lists).
fn damaged_rows(env: &Env) -> (i32, Vec<Value>) {
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("check prints JSON");
    let rows = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["check"] == "damaged_value")
        .map(|v| {
            assert_eq!(v["rows"].as_array().unwrap().len(), 1, "{v}");
            v["rows"][0].clone()
        })
        .collect();
    (out.status.code().unwrap_or(-1), rows)
}

/// A clinic with two bookings tomorrow (one with its reminders, events and
/// a note), a closure, a waitlist entry and a webhook: every table has rows.
/// Returns the env and the first appointment's ID.
fn clinic_with_rows() -> (Env, String) {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    env.book("2026-06-16", "11:00", "+50370000002");
    env.ok(&["update", s(&a["id"]), "--notes", "allergic to penicillin"]);
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-20",
        "--to",
        "2026-06-21",
    ]);
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--phone",
        "+50370000003",
        "--name",
        "Waiting Patient",
    ]);
    env.ok(&["webhook", "add", "http://127.0.0.1:9/hook"]);
    allow_damage(&env);
    (env, s(&a["id"]).to_string())
}

/// A damage: table, row, column, the value (SQL), and the commands that must refuse it.
type Case<'a> = (&'a str, &'a str, &'a str, &'a str, Vec<Vec<&'a str>>);

#[test]
fn a_damaged_value_is_a_database_error_naming_its_table_row_and_column() {
    let (env, appt) = clinic_with_rows();
    let one = |sql: &str| env.rows(sql)[0][0].clone();
    let clinic = one("SELECT id FROM clinics");
    let doctor = one("SELECT id FROM doctors");
    let window = one("SELECT id FROM windows");
    let reminder = one(&format!(
        "SELECT id FROM reminders WHERE appointment_id = {} ORDER BY due_at LIMIT 1",
        env.id_literal(&appt)
    ));
    let event = one(&format!(
        "SELECT id FROM events WHERE appointment_id = {} ORDER BY id LIMIT 1",
        env.id_literal(&appt)
    ));
    // (table, row, column, damaged value, commands that must refuse it)
    let cases: Vec<Case> = vec![
        (
            "clinics",
            &clinic,
            "timezone",
            "'Mars/Base'",
            vec![
                vec!["show", &appt],
                vec!["agenda", "--date", "2026-06-16"],
                vec!["clinic", "list"],
            ],
        ),
        (
            // A status's number appt never gave (schema 60).
            "appointments",
            &appt,
            "status",
            "9",
            vec![vec!["show", &appt], vec!["list", "--date", "2026-06-16"]],
        ),
        (
            "appointments",
            &appt,
            "starts_at",
            "99999999999999",
            vec![vec!["show", &appt]],
        ),
        (
            "appointments",
            &appt,
            "created_at",
            "-99999999999999",
            vec![vec!["show", &appt]],
        ),
        (
            "appointments",
            &appt,
            "local_date",
            // A day number past 9999-12-31 (schema 60).
            "9999999",
            vec![vec!["show", &appt]],
        ),
        (
            "appointments",
            &appt,
            "duration_minutes",
            "0",
            vec![vec!["show", &appt]],
        ),
        (
            "clinics",
            &clinic,
            "reminders",
            "'1440,soon'",
            vec![vec!["clinic", "list"]],
        ),
        (
            "clinics",
            &clinic,
            "min_notice",
            "-5",
            vec![vec!["clinic", "list"]],
        ),
        (
            "clinics",
            &clinic,
            "country_code",
            "'503'",
            vec![vec!["clinic", "list"]],
        ),
        (
            "clinics",
            &clinic,
            "slot_minutes",
            "0",
            vec![vec!["agenda", "--date", "2026-06-16"], vec!["next"]],
        ),
        (
            "doctors",
            &doctor,
            "slot_minutes",
            "0",
            vec![vec!["agenda", "--date", "2026-06-16"], vec!["next"]],
        ),
        (
            "windows",
            &window,
            "slot_minutes",
            "0",
            vec![
                vec!["agenda", "--date", "2026-06-16"],
                vec!["next"],
                vec!["slots", "--doctor", "Dr. García", "--date", "2026-06-16"],
            ],
        ),
        (
            "windows",
            &window,
            "end_minute",
            "100000",
            vec![vec!["window", "list"]],
        ),
        (
            "windows",
            &window,
            "weekdays",
            "0",
            vec![vec!["window", "list"]],
        ),
        // A status's or a kind's number appt never gave (schema 57).
        (
            "reminders",
            &reminder,
            "status",
            "6",
            vec![vec!["remind", "list"]],
        ),
        (
            "reminders",
            &reminder,
            "kind",
            "0",
            vec![vec!["remind", "list"]],
        ),
        (
            "reminders",
            &reminder,
            "data",
            "'{'",
            vec![vec!["remind", "list"]],
        ),
        (
            "events",
            &event,
            "data",
            "'{\"appointment\":'",
            vec![vec!["history", &appt], vec!["events"]],
        ),
        // A type's number appt never gave (schema 56).
        (
            "events",
            &event,
            "type",
            "13",
            vec![vec!["history", &appt], vec!["events"]],
        ),
    ];
    for (table, id, column, value, refusing) in cases {
        let integer = !value.starts_with('\'');
        let before = stored(&env, table, column, id, integer);
        damage(&env, table, column, id, value);
        let what = format!("{table}.{column} = {value}");
        for args in &refusing {
            let mut details = env.fails(args, "DATABASE_ERROR", 6);
            // Every DATABASE_ERROR names its database (a URL without its password).
            let database = details["database"].take();
            let shown = database.as_str().unwrap_or_default();
            match env.url() {
                None => assert_eq!(shown, env.db.display().to_string(), "{what}"),
                Some(url) => {
                    let password = url
                        .split_once("://")
                        .and_then(|(_, rest)| rest.split_once('@'))
                        .and_then(|(user, _)| user.split_once(':'))
                        .map(|(_, p)| p.to_string())
                        .unwrap_or_default();
                    assert!(shown.starts_with("postgres"), "{what}: {shown}");
                    assert!(
                        password.is_empty() || !shown.contains(&password),
                        "{what}: {shown}"
                    );
                }
            }
            details.as_object_mut().unwrap().remove("database");
            assert_eq!(
                details,
                json!({"table": table, "id": id, "column": column}),
                "{what}: appt {args:?}"
            );
        }
        let (_, e) = run(&env, &refusing[0]);
        let message = s(&e["message"]);
        assert!(
            message.starts_with(&format!("{table} row {id}: {column} ")),
            "{what}: {message}"
        );
        let (code, rows) = damaged_rows(&env);
        assert_eq!(code, 6, "{what}: check must fail");
        assert!(
            rows.iter()
                .any(|r| r["table"] == table && r["id"] == *id && r["column"] == column),
            "{what}: check lists {rows:?}"
        );
        damage(&env, table, column, id, &before);
        let (code, rows) = damaged_rows(&env);
        assert_eq!((code, rows.len()), (0, 0), "{what}: put back");
    }
}

#[test]
fn check_lists_every_damaged_row_and_still_runs_the_other_checks() {
    let (env, a) = clinic_with_rows();
    let b = env.rows(&format!(
        "SELECT id FROM appointments WHERE id <> {}",
        env.id_literal(&a)
    ))[0][0]
        .clone();
    let clinic = env.rows("SELECT id FROM clinics")[0][0].clone();
    damage(&env, "appointments", "status", &a, "9");
    damage(&env, "appointments", "source", &b, "0");
    damage(&env, "appointments", "follow_up_date", &b, "'2026-13-01'");
    damage(&env, "clinics", "timezone", &clinic, "'UTC+6'");
    env.exec(&format!(
        "DELETE FROM events WHERE appointment_id = {} AND {}",
        env.id_literal(&b),
        crate::common::event_is("appointment.booked")
    ));
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let damaged: Vec<(String, String, String)> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["check"] == "damaged_value")
        .map(|v| {
            let r = &v["rows"][0];
            assert_eq!(
                s(&v["message"]),
                format!(
                    "{} row {}: {} {}",
                    s(&r["table"]),
                    s(&r["id"]),
                    s(&r["column"]),
                    s(&r["problem"])
                )
            );
            (
                s(&r["table"]).into(),
                s(&r["id"]).into(),
                s(&r["column"]).into(),
            )
        })
        .collect();
    let mut expected = vec![
        ("appointments".to_string(), a.clone(), "status".to_string()),
        ("appointments".into(), b.clone(), "follow_up_date".into()),
        ("appointments".into(), b.clone(), "source".into()),
        ("clinics".into(), clinic.clone(), "timezone".into()),
    ];
    let mut got = damaged.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "{report}");
    let value = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rows"][0]["id"] == json!(a))
        .unwrap();
    assert_eq!(value["rows"][0]["value"], "9");
    // The damage does not stop the invariants: the missing event is found too.
    assert!(
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["check"] == "booked_event" && v["rows"][0]["appointment_id"] == json!(b)),
        "{report}"
    );
    // Humans see it too.
    let out = env.cmd().arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("appointments row {a}: status 9 is outside 1 to 7")),
        "{text}"
    );
}

#[test]
fn settings_too_long_for_the_calendar_never_panic() {
    let (env, appt) = clinic_with_rows();
    let clinic = env.rows("SELECT id FROM clinics")[0][0].clone();
    for column in ["min_notice", "horizon", "cancel_window"] {
        damage(&env, "clinics", column, &clinic, &i64::MAX.to_string());
    }
    env.exec("UPDATE clinics SET reminders = '9223372036854775807,1440'");
    // Nothing is far enough ahead for a notice past the calendar's end.
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-17",
            "--time",
            "10:00",
            "--phone",
            "+50370000009",
            "--name",
            "Late Patient",
        ],
        "INSUFFICIENT_NOTICE",
        5,
    );
    assert_eq!(d["earliest"], Value::Null, "{d}");
    let slots = env.ok(&["slots", "--doctor", "Dr. García", "--date", "2026-06-17"]);
    assert_eq!(slots["slots"].as_array().map(Vec::len), Some(0), "{slots}");
    env.ok(&["next"]);
    // A cancellation window longer than any duration holds every start.
    env.refused(
        &["cancel", &appt, "--reason", "x"],
        "CANCELLATION_WINDOW",
        5,
    );
    // A notice and horizon that fit: a reminder offset reaching past the
    // calendar's start is never ahead, so only the 24 h one is made.
    for column in ["min_notice", "horizon"] {
        damage(
            &env,
            "clinics",
            column,
            &clinic,
            if column == "horizon" { "525600" } else { "0" },
        );
    }
    let b = env.book("2026-06-17", "10:00", "+50370000009");
    let offsets = env.rows(&format!(
        "SELECT offset_minutes FROM reminders WHERE appointment_id = {} AND kind = {}",
        env.id_literal(s(&b["id"])),
        crate::common::message_kind("reminder")
    ));
    assert_eq!(offsets, [["1440"]]);
    let (code, rows) = damaged_rows(&env);
    assert_eq!((code, rows.len()), (0, 0), "huge is not damage: {rows:?}");
}

/// A column the property test damages: table, column, and whether it holds
/// integers (else text). IDs and references are left alone (a broken
/// reference is the foreign-key check's), and so is `doctors.active` (an
/// inactive doctor is rightly not found).
const TARGETS: &[(&str, &str, bool)] = &[
    ("clinics", "name", false),
    ("clinics", "timezone", false),
    ("clinics", "slot_minutes", true),
    ("clinics", "min_notice", true),
    ("clinics", "horizon", true),
    ("clinics", "cancel_window", true),
    ("clinics", "reminders", false),
    ("clinics", "duplicate_check", true),
    ("clinics", "notify", true),
    ("clinics", "created_at", true),
    ("clinics", "updated_at", true),
    ("doctors", "full_name", false),
    ("doctors", "name_key", false),
    ("doctors", "specialty", false),
    ("doctors", "slot_minutes", true),
    ("doctors", "created_at", true),
    ("services", "name", false),
    ("services", "duration_minutes", true),
    ("services", "updated_at", true),
    ("windows", "weekdays", true),
    ("windows", "date", false),
    ("windows", "start_minute", true),
    ("windows", "end_minute", true),
    ("windows", "slot_minutes", true),
    ("windows", "capacity", true),
    ("windows", "session", false),
    ("windows", "valid_from", false),
    ("windows", "valid_to", false),
    ("windows", "open", true),
    ("windows", "created_at", true),
    ("closures", "from_date", false),
    ("closures", "to_date", false),
    ("closures", "reason", false),
    ("closures", "created_at", true),
    ("patients", "full_name", false),
    ("patients", "phone", false),
    ("patients", "email", false),
    ("patients", "no_show_count", true),
    ("patients", "created_at", true),
    ("patients", "updated_at", true),
    ("appointments", "local_date", true),
    ("appointments", "starts_at", true),
    ("appointments", "ends_at", true),
    ("appointments", "duration_minutes", true),
    ("appointments", "status", true),
    ("appointments", "token_number", true),
    ("appointments", "source", true),
    ("appointments", "urgency", true),
    ("appointments", "modality", true),
    ("appointments", "visit_type", true),
    ("appointments", "session", false),
    ("appointments", "notes", false),
    ("appointments", "follow_up_required", true),
    ("appointments", "follow_up_date", false),
    ("appointments", "sequence", true),
    ("appointments", "created_at", true),
    ("appointments", "updated_at", true),
    ("appointments", "confirmed_at", true),
    ("appointments", "cancelled_at", true),
    ("reminders", "offset_minutes", true),
    ("reminders", "due_at", true),
    ("reminders", "status", true),
    ("reminders", "attempts", true),
    ("reminders", "next_attempt_at", true),
    ("reminders", "sent_at", true),
    ("reminders", "claimed_until", true),
    ("reminders", "kind", true),
    ("reminders", "data", false),
    ("events", "type", false),
    ("events", "created_at", true),
    ("events", "data", false),
    ("waitlist", "local_date", false),
    ("waitlist", "offers", true),
    ("waitlist", "created_at", true),
    ("webhooks", "url", false),
    ("webhooks", "events", false),
    ("webhooks", "cursor", true),
    ("webhooks", "next_attempt_at", true),
    ("webhooks", "created_at", true),
];

/// An SQL text literal.
fn quoted(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

fn integers() -> impl proptest::strategy::Strategy<Value = i64> {
    use proptest::prelude::*;
    prop_oneof![
        Just(0i64),
        Just(-1),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(1440),
        Just(1441),
        Just(253_402_300_800),
        Just(-62_135_596_801),
        -10..10i64,
        0..2000i64,
        any::<i64>(),
    ]
}

fn texts() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        Just(String::new()),
        Just("2026-02-30".to_string()),
        Just("2026-6-16".to_string()),
        Just("+2026-06-16".to_string()),
        Just("-1199-01-01".to_string()),
        Just("2026-06-16".to_string()),
        Just("Scheduled".to_string()),
        Just("cancelled".to_string()),
        Just("zzz".to_string()),
        Just("Mars/Base".to_string()),
        Just("America/New_York".to_string()),
        Just("{".to_string()),
        Just("null".to_string()),
        Just("{\"offer\":1}".to_string()),
        Just("1440,abc".to_string()),
        Just("0".to_string()),
        Just("-5".to_string()),
        "[a-z_/,:0-9-]{0,12}",
        "\\PC{0,16}",
    ]
}

/// How a read shows a stored value back.
#[derive(Clone, Copy)]
enum Shown {
    Text,
    Int,
    /// Epoch seconds, shown as RFC 3339 UTC.
    Instant,
    /// An event's stored data (a JSON object): every key shown as stored,
    /// beside what the event shows of its appointment (a booking shows it
    /// whatever else it stores; docs/rules.md#events), but the changes'
    /// own `was` and `set`, which are shown as the appointment they undo.
    EventData,
}

/// Where a read shows a damaged column back as it is: the command, the key
/// of its objects holding the row's ID, the field, and how.
fn shown_by(table: &str, column: &str) -> Option<(Vec<&'static str>, &'static str, String, Shown)> {
    use Shown::*;
    let export = vec!["export", "--format", "jsonl"];
    let (command, key, field, how) = match (table, column) {
        ("clinics", "timezone") => (export, "clinic_id", "timezone", Text),
        ("appointments", c) => {
            let (field, how) = match c {
                "starts_at" | "ends_at" | "created_at" | "updated_at" | "confirmed_at"
                | "cancelled_at" => (c, Instant),
                "duration_minutes" | "token_number" => (c, Int),
                // A status and a source are shown by their names, never their
                // numbers, and the local date as a date, never its day number.
                "session" | "notes" | "follow_up_date" => (c, Text),
                _ => return None,
            };
            (export, "id", field, how)
        }
        ("reminders", c) => {
            // A status and a kind are shown by their names, never their numbers.
            let how = match c {
                "due_at" | "sent_at" | "next_attempt_at" => Instant,
                _ => return None,
            };
            (vec!["remind", "list"], "id", c, how)
        }
        ("events", "data") => (vec!["events"], "id", "data", EventData),
        ("events", "created_at") => (vec!["events"], "id", "created_at", Instant),
        ("events", "type") => (vec!["events"], "id", "type", Text),
        _ => return None,
    };
    Some((command, key, field.to_string(), how))
}

/// The objects a read printed: JSON Lines, or the one document's list.
fn objects(stdout: &[u8]) -> Vec<Value> {
    let text = String::from_utf8_lossy(stdout);
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(doc)) => doc
            .values()
            .find_map(|v| v.as_array().cloned())
            .unwrap_or_default(),
        _ => text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect(),
    }
}

/// What the value written reads back as, if anything can.
fn expected(how: Shown, integer: i64, text: &str) -> Option<Value> {
    match how {
        Shown::Text => Some(json!(text)),
        Shown::Int => Some(json!(integer)),
        Shown::Instant => chrono::DateTime::from_timestamp(integer, 0)
            .map(|t| json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())),
        Shown::EventData => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_object),
    }
}

/// Damages one value of a small database at random and runs every command
/// that reads: none panics (exit 101) or fails as a bug (exit 1); every
/// failure is `DATABASE_ERROR` naming a table, row and column that `check`
/// lists as damaged; when `check` finds nothing, every command works; and a
/// read that works shows the damaged value as it is stored, never a
/// plausible stand-in.
#[test]
fn no_damaged_value_makes_a_read_panic_or_lie() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let (env, appt) = clinic_with_rows();
    let doctor = env.rows("SELECT id FROM doctors")[0][0].clone();
    let commands: Vec<Vec<&str>> = vec![
        vec!["show", &appt],
        vec!["history", &appt],
        vec!["list", "--from", "2026-06-15", "--to", "2026-06-30"],
        vec!["agenda", "--date", "2026-06-16"],
        vec!["slots", "--doctor", &doctor, "--date", "2026-06-16"],
        vec!["next"],
        vec!["remind", "list"],
        vec!["events"],
        vec!["export", "--format", "jsonl"],
        vec!["check"],
    ];
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        // Each command connects to the server anew: fewer cases there.
        .unwrap_or(if on_postgres() { 8 } else { 32 });
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        0..TARGETS.len(),
        any::<prop::sample::Index>(),
        integers(),
        texts(),
    );
    runner
        .run(&strategy, |(t, row, int, text)| {
            let (table, column, integer) = TARGETS[t];
            let ids = env.rows(&format!("SELECT id FROM {table} ORDER BY id"));
            let id = ids[row.index(ids.len())][0].clone();
            let value = if integer {
                int.to_string()
            } else {
                quoted(&text)
            };
            let before = stored(&env, table, column, &id, integer);
            let what = format!("{table}.{column} of {id} = {value}");
            let set = format!(
                "UPDATE {table} SET {column} = {value} WHERE id = {}",
                env.key_literal(table, &id)
            );
            let set = if on_postgres() {
                set
            } else {
                format!("PRAGMA ignore_check_constraints = ON; {set};")
            };
            if env.try_exec(&set).is_err() {
                // A uniqueness rule refused it: nothing was damaged.
                return Ok(());
            }
            let (check_code, listed) = damaged_rows(&env);
            let mut outcome = Ok(());
            for args in &commands {
                let (code, e) = run(&env, args);
                let named = (
                    e["details"]["table"].as_str(),
                    e["details"]["id"].as_str(),
                    e["details"]["column"].as_str(),
                );
                let bad = if code == 0 {
                    None
                } else if code != 6 || e["code"] != "DATABASE_ERROR" {
                    Some(format!("exited {code}: {e}"))
                } else if args[0] == "check" {
                    None
                } else if check_code == 0 {
                    Some(format!("refused a database check finds clean: {e}"))
                } else if !listed
                    .iter()
                    .any(|r| (r["table"].as_str(), r["id"].as_str(), r["column"].as_str()) == named)
                {
                    Some(format!(
                        "names damage check does not list: {e}; check: {listed:?}"
                    ))
                } else {
                    None
                };
                if let Some(why) = bad {
                    outcome = Err(TestCaseError::fail(format!("{what}: appt {args:?} {why}")));
                    break;
                }
            }
            if let (Ok(()), Some((command, key, field, how))) = (&outcome, shown_by(table, column))
            {
                let mut args = command.clone();
                if args[0] == "remind" {
                    args.push("--json");
                }
                let out = env.cmd().args(&args).output().expect("run");
                if out.status.success() {
                    let want = expected(how, int, &text);
                    for o in objects(&out.stdout) {
                        let this = match &o[key] {
                            Value::String(s) => *s == id,
                            Value::Number(n) => n.to_string() == id,
                            _ => false,
                        };
                        let shown_as_stored = match (&how, &want) {
                            (Shown::EventData, Some(Value::Object(stored))) => {
                                stored.iter().all(|(k, v)| {
                                    matches!(k.as_str(), "was" | "set")
                                        || o[&field].get(k) == Some(v)
                                })
                            }
                            _ => Some(&o[&field]) == want.as_ref(),
                        };
                        if this && !shown_as_stored {
                            outcome = Err(TestCaseError::fail(format!(
                                "{what}: appt {args:?} shows {field} as {} (stored: {want:?})",
                                o[&field]
                            )));
                        }
                    }
                }
            }
            damage(&env, table, column, &id, &before);
            outcome
        })
        .unwrap();
}
