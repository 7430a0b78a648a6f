//! Tests: `appt events`, the event log as JSON Lines.

use crate::common::{s, Env};
use serde_json::{json, Value};
use std::process::Stdio;

fn stream(env: &Env, args: &[&str]) -> Vec<Value> {
    env.lines(&[&["events"], args].concat())
}

#[test]
fn events_stream_oldest_first_and_resume_after_an_id() {
    let env = Env::clinic();
    assert!(stream(&env, &[]).is_empty());
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let id = s(&a["id"]).to_string();
    env.ok(&["status", &id, "confirmed"]);
    env.ok(&["reschedule", &id, "--date", "2026-06-16", "--time", "11:00"]);
    let b = env.book("2026-06-16", "12:00", "+50370000002");
    env.ok(&["cancel", s(&b["id"]), "--reason", "x"]);
    let all = stream(&env, &[]);
    let types: Vec<&str> = all.iter().map(|e| s(&e["type"])).collect();
    assert_eq!(
        types,
        [
            "appointment.booked",
            "appointment.confirmed",
            "appointment.rescheduled",
            "appointment.booked",
            "appointment.cancelled"
        ]
    );
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
    for e in &all {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
        assert!(e["data"]["appointment"]["id"].is_string());
    }
    assert_eq!(all[2]["data"]["previous"]["start_time"], "10:00");
    // Each line is the event as every other document writes one: keys in
    // order, as `history` has it.
    let out = env.cmd().arg("events").output().unwrap();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(line, v.to_string());
    }
    // History shows the same events of one appointment.
    let history = env.ok(&["history", &id])["events"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(history, all[..3].to_vec());
    // Resume after the second: the rest, in order.
    let after = ids[1].to_string();
    let rest = stream(&env, &["--after", &after]);
    assert_eq!(rest, all[2..].to_vec());
    assert_eq!(
        stream(&env, &["--after", &after, "--limit", "2"]),
        all[2..4].to_vec()
    );
    let booked = stream(&env, &["--type", "appointment.booked"]);
    assert_eq!(booked.len(), 2);
    assert!(stream(&env, &["--after", &ids[4].to_string()]).is_empty());
}

#[test]
fn events_refuse_bad_filters() {
    let env = Env::clinic();
    env.fails(
        &["events", "--type", "appointment.exploded"],
        "VALIDATION_ERROR",
        2,
    );
    env.fails(&["events", "--after=-1"], "VALIDATION_ERROR", 2);
    env.fails(&["events", "--limit", "0"], "VALIDATION_ERROR", 2);
    let (code, e) = env.err(&["events", "--after", "abc"]);
    assert_eq!((code, e["code"].as_str()), (2, Some("USAGE_ERROR")));
    // In Spanish, each names what was typed as the desk typed it.
    for (args, said) in [
        (
            &["--type", "x"][..],
            "el tipo de evento (--type) debe ser uno de",
        ),
        (&["--after=-1"][..], "--after debe ser un ID de evento"),
        (&["--limit", "0"][..], "el límite debe ser 1 o más"),
    ] {
        let out = env
            .cmd()
            .env("APPT_LANG", "es")
            .env("COLUMNS", "200")
            .arg("events")
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(said), "{args:?}: {text}");
    }
}

/// Writes `n` `appointment.updated` events of appointment `id` straight into
/// the log: a long log without thousands of commands.
fn add_updates(env: &Env, id: &str, n: i64) {
    let values: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "({}, {}, {}, '{{}}')",
                crate::common::event_code("appointment.updated"),
                env.id_literal(id),
                1_781_532_000 + i
            )
        })
        .collect();
    env.exec(&format!(
        "INSERT INTO events (type, appointment_id, created_at, data) VALUES {}",
        values.join(",")
    ));
}

#[test]
fn a_long_log_streams_across_pages() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    // 1,200 updates: more than one page of the stream.
    add_updates(&env, s(&a["id"]), 1200);
    let all = stream(&env, &[]);
    assert_eq!(all.len(), 1201);
    assert!(all
        .windows(2)
        .all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()));
    assert_eq!(stream(&env, &["--limit", "1100"]).len(), 1100);
}

#[test]
fn a_failed_write_to_stdout_is_an_error_not_a_silent_success() {
    // docs/commands.md#conventions: a full disk or a closed pipe is exit 1, for streams and for
    // one-shot output alike.
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        &["events"][..],
        &["events", "--json"],
        &["list", "--date", "2026-06-16"],
        &["list", "--date", "2026-06-16", "--json"],
        &["doctor", "list"],
    ] {
        let out = env.raw(args).stdout(full()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "appt {args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("INTERNAL_ERROR") || err.contains("cannot write to standard output"),
            "appt {args:?}: {err}"
        );
    }
}

#[test]
fn a_closed_pipe_is_an_error_not_a_silent_success() {
    // A reader that closes the pipe at once must not pass for one that read
    // the stream to the end: exit 1 and the error on stderr, as for a full
    // disk.
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    // 3,000 lines, some 400 KB: more than a pipe holds (64 KiB), so appt is
    // still writing when it finds the reader gone.
    add_updates(&env, s(&a["id"]), 3000);
    for args in [&["events"][..], &["events", "--json"]] {
        let mut child = env
            .raw(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "appt {args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("cannot write to standard output"),
            "appt {args:?}: {err}"
        );
        if args.contains(&"--json") {
            let e: Value = serde_json::from_str(err.trim()).expect("a JSON error");
            assert_eq!(e["error"]["code"], "INTERNAL_ERROR", "{e}");
        }
    }
}

// ---------------------------------------------------------------- actor

/// `appt ARGS --json` run by the OS user `user` (`$USER`); its JSON.
fn as_user(env: &Env, user: &str, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .env("USER", user)
        .env("LOGNAME", "someone-else")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success(), "appt {args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Each event of the appointment: (type, actor).
fn actors(env: &Env, id: &str) -> Vec<(String, Value)> {
    env.ok(&["history", id])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (s(&e["type"]).to_string(), e["actor"].clone()))
        .collect()
}

fn by(kind: &str, actor: &str) -> (String, Value) {
    (format!("appointment.{kind}"), Value::from(actor))
}

#[test]
fn every_event_names_who_made_the_change() {
    // docs/rules.md#events: `cli:<OS user>` for a command run here,
    // `system` for what appt does by itself (a waitlist offer).
    let mut env = Env::clinic();
    let book = |user: &str, time: &str, phone: &str| {
        as_user(
            &env,
            user,
            &[
                "book",
                "-d",
                "Dr. García",
                "-D",
                "2026-06-15",
                "-t",
                time,
                "-P",
                phone,
                "--name",
                "Ana",
            ],
        )["appointment"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let a = book("maria", "10:00", "+50370000001");
    let b = book("jose", "10:30", "+50370000002");
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--phone",
        "+50370000011",
        "--name",
        "Beto",
    ]);
    as_user(&env, "jose", &["reschedule", &a, "-t", "11:00"]);
    as_user(&env, "rosa", &["update", &a, "--notes", "Trae exámenes"]);
    as_user(&env, "rosa", &["cancel", &b, "--reason", "Viaje"]);
    env.at("2026-06-15T16:55:00Z");
    as_user(&env, "rosa", &["status", &a, "checked_in"]);
    as_user(&env, "dr-garcia", &["queue", "next", "-d", "Dr. García"]);
    assert_eq!(
        actors(&env, &a),
        [
            by("booked", "cli:maria"),
            by("rescheduled", "cli:jose"),
            // The 10:00 it freed, offered to Beto by appt itself.
            by("slot_offered", "system"),
            by("updated", "cli:rosa"),
            by("checked_in", "cli:rosa"),
            by("in_progress", "cli:dr-garcia"),
        ]
    );
    assert_eq!(
        actors(&env, &b),
        [
            by("booked", "cli:jose"),
            by("cancelled", "cli:rosa"),
            // Beto is offered the 10:30 it freed as well.
            by("slot_offered", "system")
        ]
    );
    // `events` carries it too, the key in its place among the others.
    let all = stream(&env, &[]);
    assert!(all.iter().all(|e| e["actor"].is_string()), "{all:?}");
    let keys: Vec<&str> = all[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "actor",
            "appointment_id",
            "created_at",
            "data",
            "id",
            "type"
        ]
    );

    // A walk-in's two events are the desk's.
    env.at("2026-06-15T17:05:00Z");
    let w = as_user(
        &env,
        "maria",
        &[
            "book",
            "--walk-in",
            "-d",
            "Dr. García",
            "-P",
            "+50370000003",
            "--name",
            "Luz",
        ],
    );
    assert_eq!(
        actors(&env, s(&w["appointment"]["id"])),
        [by("booked", "cli:maria"), by("checked_in", "cli:maria")]
    );
}

#[test]
fn the_os_user_is_user_else_logname_else_the_password_databases_name() {
    use std::os::unix::fs::MetadataExt;
    let env = Env::clinic();
    let book = |time: &str, vars: &[(&str, &str)]| {
        // A patient of their own for each: no duplicate booking.
        let phone = format!("+5037000{}", time.replace(':', ""));
        let mut c = env.cmd();
        c.env_remove("USER").env_remove("LOGNAME");
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c
            .args([
                "book",
                "-d",
                "Dr. García",
                "-D",
                "2026-06-16",
                "-t",
                time,
                "-P",
                &phone,
                "--name",
                "Ana",
                "--json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        actors(&env, s(&v["appointment"]["id"])).remove(0).1
    };
    assert_eq!(
        book("09:00", &[("USER", "ana"), ("LOGNAME", "root")]),
        "cli:ana"
    );
    assert_eq!(book("09:30", &[("LOGNAME", "luis")]), "cli:luis");
    // A blank name, or one that could drive a terminal, is passed over.
    assert_eq!(
        book("10:00", &[("USER", " "), ("LOGNAME", "luis")]),
        "cli:luis"
    );
    // Neither: the name the password database gives the user (asked of
    // `id`, not of appt's code), else the user's number.
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let name = String::from_utf8_lossy(&id.stdout).trim().to_string();
    let uid = std::fs::metadata(env.dir.path()).unwrap().uid();
    let expected = if id.status.success() && !name.is_empty() {
        format!("cli:{name}")
    } else {
        format!("cli:{uid}")
    };
    assert_eq!(
        book("10:30", &[("USER", "a\u{1b}[2J")]),
        Value::from(expected.clone())
    );
    assert_eq!(book("11:00", &[]), Value::from(expected));
}

#[test]
fn an_import_names_import_and_a_sweep_records_nothing_in_anyone_s_name() {
    let env = Env::clinic();
    let line = r#"{"doctor":"Dr. García","date":"2026-06-16","time":"10:00","phone":"+50370000001","name":"Ana"}"#;
    let file = env.dir.path().join("in.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    let done = as_user(&env, "maria", &["import", file.to_str().unwrap()]);
    assert_eq!(done["booked"], 1, "{done}");
    let imported = stream(&env, &[]);
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0]["actor"], "import");
    // `remind due` (cron) delivers messages; it changes no appointment, so
    // it records no event (docs/rules.md#events).
    let mut env = env;
    env.at("2026-06-15T16:00:00Z");
    let out = env
        .cmd()
        .env("USER", "cron")
        .args(["remind", "due"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        crate::common::json_lines(&out.stdout).len(),
        1,
        "the 24h reminder went out"
    );
    assert_eq!(stream(&env, &[]), imported);
}

#[test]
fn events_from_before_appt_named_the_actor_show_none() {
    // The upgrade to schema 9 leaves earlier events without an actor: `null`
    // in JSON, `—` in `history`, and a new event beside them names its own.
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let id = s(&a["id"]);
    // The database as an appt of schema 8 left it.
    crate::common::undo_schema_12(&env);
    env.exec("DROP TABLE api_tokens"); // schema 11's
    env.exec("ALTER TABLE clinics DROP COLUMN country_code"); // schema 10's
    env.exec("ALTER TABLE events DROP COLUMN actor");
    crate::common::set_schema_version(&env, 8);
    as_user(&env, "rosa", &["status", id, "confirmed"]);
    assert_eq!(
        actors(&env, id),
        [
            ("appointment.booked".to_string(), Value::Null),
            by("confirmed", "cli:rosa")
        ]
    );
    let all = stream(&env, &[]);
    assert_eq!(all[0]["actor"], Value::Null);
    assert!(all[0].as_object().unwrap().contains_key("actor"));
    let out = env.cmd().args(["history", id]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let booked = text.lines().find(|l| l.contains("booked")).unwrap();
    assert!(booked.contains('—'), "{text}");
}

#[test]
fn history_shows_who_made_each_change_at_80_columns() {
    let env = Env::clinic();
    let a = as_user(
        &env,
        "recepcion",
        &[
            "book",
            "-d",
            "Dr. García",
            "-D",
            "2026-06-16",
            "-t",
            "10:00",
            "-P",
            "+50370000001",
            "--name",
            "Ana",
        ],
    );
    let id = s(&a["appointment"]["id"]);
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--phone",
        "+50370000011",
        "--name",
        "Beto",
    ]);
    as_user(&env, "recepcion", &["reschedule", id, "-t", "11:30"]);
    let out = env
        .cmd()
        .env("COLUMNS", "80")
        .args(["history", id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    for l in text.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(l) <= 80,
            "wider than 80:\n{text}"
        );
    }
    let row = |what: &str| {
        text.lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no {what} row:\n{text}"))
    };
    // Who, in words: the desk's user, not the stored `cli:recepcion`.
    assert!(row("booked").contains("recepcion"), "{text}");
    assert!(row("rescheduled").contains("recepcion"), "{text}");
    assert!(!text.contains("cli:"), "{text}");
    // The offer's row: appt made it, and its start is the time offered.
    let offered = row("offered");
    assert!(
        offered.contains("appt") && offered.contains("10:00"),
        "{text}"
    );
    let header = text.lines().find(|l| l.contains('#')).unwrap();
    assert!(header.contains("By"), "{text}");
    // In Spanish at 80 columns: no stored word shows.
    let out = env
        .cmd()
        .env("COLUMNS", "80")
        .env("APPT_LANG", "es")
        .args(["history", id])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("recepcion"), "{text}");
    assert!(!text.contains("cli:") && !text.contains("system"), "{text}");
    // JSON keeps the stored actor.
    let events = env.ok(&["history", id])["events"].clone();
    assert_eq!(events[0]["actor"], "cli:recepcion", "{events}");
}

#[test]
fn history_says_each_event_in_words_at_80_columns_in_both_languages() {
    let env = Env::clinic();
    // Booked today, so that the patient can arrive; a slot freed tomorrow
    // offered to the waitlist.
    let today = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-15",
        "-t",
        "10:00",
        "-P",
        "+50370000001",
        "--name",
        "Ana",
    ]);
    let today = s(&today["appointment"]["id"]).to_string();
    env.ok(&["status", &today, "checked_in"]);
    let later = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        "10:00",
        "-P",
        "+50370000002",
        "--name",
        "Beto",
    ]);
    let later = s(&later["appointment"]["id"]).to_string();
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--phone",
        "+50370000011",
        "--name",
        "Carla",
    ]);
    env.ok(&["reschedule", &later, "-t", "11:30"]);
    let history = |lang: &str, width: &str, id: &str| {
        let out = env
            .cmd()
            .env("COLUMNS", width)
            .env("APPT_LANG", lang)
            .args(["history", id])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    for width in ["80", "200"] {
        let mut all = String::new();
        for (lang, arrived, offered) in [
            ("en", "checked in", "slot offered"),
            ("es", "llegó", "cupo ofrecido"),
        ] {
            let a = history(lang, width, &today);
            let b = history(lang, width, &later);
            assert!(a.contains(arrived), "{lang} at {width}:\n{a}");
            assert!(b.contains(offered), "{lang} at {width}:\n{b}");
            if lang == "es" {
                // No stored word at all (English shows statuses as codes).
                assert!(!a.contains('_') && !b.contains('_'), "{a}\n{b}");
            }
            all.push_str(&a);
            all.push_str(&b);
        }
        // No stored type shows, whole or cut.
        for stored in ["appointment.", "slot_offered"] {
            assert!(!all.contains(stored), "{stored} at {width}:\n{all}");
        }
    }
    // JSON keeps the stored types.
    let types: Vec<Value> = env.ok(&["history", &later])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].clone())
        .collect();
    assert!(
        types.contains(&Value::from("appointment.slot_offered")),
        "{types:?}"
    );
    let types = env.ok(&["history", &today])["events"].to_string();
    assert!(types.contains("\"appointment.checked_in\""), "{types}");
}

/// The appointment object `show` gives now.
fn object(env: &Env, id: &str) -> Value {
    env.ok(&["show", id])
}

#[test]
fn each_event_shows_the_appointment_as_it_was_at_that_moment() {
    // What is stored is only what changed; what is shown is rebuilt from
    // it. For every kind of event, the object shown is the object `show`
    // gave right after the change.
    let mut env = Env::clinic();
    env.ok(&["doctor", "add", "Dra. Ruiz"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dra. Ruiz",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    env.ok(&["clinic", "update", "Central", "--payers", "Privado,ISSS"]);
    let mut seen: Vec<(String, Value)> = Vec::new();
    let mut after = |env: &Env, id: &str| seen.push((id.to_string(), object(env, id)));
    let a = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        "09:00",
        "-P",
        "+50370000001",
        "--name",
        "Ana Uno",
        "--reason",
        "Control",
        "--urgency",
        "urgent",
        "--payer",
        "Privado",
    ])["appointment"]
        .clone();
    let a = s(&a["id"]).to_string();
    after(&env, &a);
    env.ok(&["status", &a, "confirmed"]);
    after(&env, &a);
    env.ok(&[
        "update",
        &a,
        "--notes",
        "Trae exámenes",
        "--diagnosis",
        "J00",
        "--urgency",
        "emergencia",
        "--visit-type",
        "control",
        "--payer",
        "isss",
    ]);
    after(&env, &a);
    env.ok(&[
        "reschedule",
        &a,
        "-d",
        "Dra. Ruiz",
        "-D",
        "2026-06-16",
        "-t",
        "10:00",
        "--reason",
        "Agenda",
        "--modality",
        "telemedicina",
    ]);
    after(&env, &a);
    let b = s(&env.book("2026-06-16", "11:00", "+50370000002")["id"]).to_string();
    after(&env, &b);
    env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-P",
        "+50370000003",
        "--name",
        "Eva Espera",
    ]);
    env.ok(&["cancel", &b, "--reason", "Viaje"]);
    after(&env, &b);
    env.at("2026-06-16T15:55:00Z");
    for st in ["checked_in", "in_progress", "completed"] {
        env.ok(&["status", &a, st]);
        after(&env, &a);
    }
    let c = s(&env.book("2026-06-16", "12:00", "+50370000004")["id"]).to_string();
    after(&env, &c);
    env.at("2026-06-16T18:30:00Z");
    env.ok(&["status", &c, "no_show"]);
    after(&env, &c);
    let w = env.ok(&[
        "book",
        "--walk-in",
        "-d",
        "Dr. García",
        "-P",
        "+50370000005",
        "--name",
        "Walk In",
    ])["appointment"]
        .clone();
    let w = s(&w["id"]).to_string();
    seen.push((w.clone(), object(&env, &w)));
    seen.push((w.clone(), object(&env, &w)));

    let all = stream(&env, &[]);
    let shown: Vec<(String, Value)> = all
        .iter()
        .filter(|e| e["type"] != "appointment.slot_offered")
        .map(|e| {
            (
                s(&e["appointment_id"]).to_string(),
                e["data"]["appointment"].clone(),
            )
        })
        .collect();
    let kinds: std::collections::BTreeSet<&str> = all.iter().map(|e| s(&e["type"])).collect();
    assert_eq!(kinds.len(), 10, "every kind of event: {kinds:?}");
    assert_eq!(shown.len(), seen.len());
    for (i, (got, want)) in shown.iter().zip(&seen).enumerate() {
        assert_eq!(got, want, "event {i} ({})", all[i]["type"]);
    }
    // History shows the same, one appointment at a time; a move its
    // previous time; an offer its waiting patient by name.
    let history = env.ok(&["history", &a])["events"].clone();
    let moved = &history.as_array().unwrap()[3];
    assert_eq!(moved["data"]["previous"]["start_time"], "09:00");
    assert_eq!(moved["data"]["reason"], "Agenda");
    let offer = all
        .iter()
        .find(|e| e["type"] == "appointment.slot_offered")
        .unwrap();
    assert_eq!(
        offer["data"]["waitlist"]["patient"]["full_name"],
        "Eva Espera"
    );
    assert_eq!(offer["data"]["waitlist"]["offers"], 1);
    assert_eq!(offer["data"]["time"], "11:00");
    for (i, e) in history.as_array().unwrap().iter().enumerate() {
        let same = all.iter().find(|x| x["id"] == e["id"]).unwrap();
        assert_eq!(e, same, "history's event {i} is the stream's");
    }
}

#[test]
fn an_event_stores_what_changed_and_names_the_patient_by_id_only() {
    let env = Env::clinic();
    let a = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        "09:00",
        "-P",
        "+50370000001",
        "--name",
        "Ana Uno",
    ])["appointment"]
        .clone();
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    // The same phone, another name: the booking names the old one, once.
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-17",
        "-t",
        "09:00",
        "-P",
        "+50370000001",
        "--name",
        "Ana Dos",
    ]);
    let rows = env.rows("SELECT type, data FROM events ORDER BY id");
    let data: Vec<Value> = rows
        .iter()
        .map(|r| serde_json::from_str(&r[1]).unwrap())
        .collect();
    for (r, d) in rows.iter().zip(&data) {
        assert!(
            !r[1].contains("50370000001") && !r[1].contains("Ana Dos"),
            "{}",
            r[1]
        );
        assert!(d.get("appointment").is_none(), "{d}");
    }
    // A booking stores nothing of the row it made: the row is shown as
    // it is now, every later change undone.
    assert_eq!(data[0], serde_json::json!({}));
    let was = data[1]["was"].as_object().unwrap();
    // (The clock did not move: `updated_at` is the same.)
    let keys: Vec<&str> = was.keys().map(String::as_str).collect();
    assert_eq!(keys, ["confirmed_at", "status"], "{was:?}");
    assert_eq!(was["status"], "scheduled");
    assert_eq!(data[2]["patient_previous_name"], "Ana Uno");
    // Shown: the patient as they are now, by the ID the event stores.
    let first = &stream(&env, &[])[0];
    assert_eq!(
        first["data"]["appointment"]["patient"]["full_name"],
        "Ana Dos"
    );
    assert_eq!(
        first["data"]["appointment"]["patient"]["phone"],
        "+50370000001"
    );
}

#[test]
fn events_an_older_appt_stored_whole_are_rewritten_and_shown_the_same() {
    let mut env = Env::clinic();
    let a = s(&env.book("2026-06-16", "09:00", "+50370000001")["id"]).to_string();
    env.ok(&["status", &a, "confirmed"]);
    let b = s(&env.book("2026-06-16", "10:00", "+50370000002")["id"]).to_string();
    env.ok(&["update", &b, "--notes", "Ayunas"]);
    env.ok(&["reschedule", &b, "-D", "2026-06-16", "-t", "11:00"]);
    env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-P",
        "+50370000003",
        "--name",
        "Eva Espera",
    ]);
    env.ok(&["cancel", &b, "--reason", "Viaje"]);
    env.at("2026-06-16T15:55:00Z");
    env.ok(&[
        "book",
        "--walk-in",
        "-d",
        "Dr. García",
        "-P",
        "+50370000004",
        "--name",
        "Walk In",
    ]);
    let shown = stream(&env, &[]);
    let whole = |e: &Value| e["data"].to_string().replace('\'', "''");
    // As an older appt left them, its upgrade stopped half-way: the first
    // appointment's events already rewritten (the first batch), every
    // other event still whole, and how far it got in `meta`.
    let first_batch: Vec<&Value> = shown
        .iter()
        .filter(|e| e["appointment_id"] == a.as_str())
        .collect();
    for e in shown.iter().filter(|e| e["appointment_id"] != a.as_str()) {
        env.exec(&format!(
            "UPDATE events SET data = '{}' WHERE id = {}",
            whole(e),
            e["id"]
        ));
    }
    let cursor = first_batch.last().unwrap()["id"].clone();
    env.exec(&format!(
        "INSERT INTO meta (key, value) VALUES ('events_rewritten', '{cursor}')"
    ));
    crate::common::undo_schema_23(&env);
    crate::common::set_schema_version(&env, 20);
    let stored = env
        .rows("SELECT data FROM events ORDER BY id")
        .concat()
        .join("\n");
    assert!(
        stored.contains("Eva Espera") && stored.contains("50370000002"),
        "{stored}"
    );

    // The next command upgrades it, and shows every event as before.
    assert_eq!(stream(&env, &[]), shown);
    let stored = env.rows("SELECT data FROM events ORDER BY id").concat();
    for d in &stored {
        assert!(
            !d.contains("Test Patient") && !d.contains("5037000000"),
            "{d}"
        );
        assert!(!d.contains("\"appointment\""), "{d}");
    }
    assert!(env
        .rows("SELECT value FROM meta WHERE key = 'events_rewritten'")
        .is_empty());
    assert_eq!(env.ok(&["check"])["ok"], true);
}

/// What an appt before schema 50 stored of a booking shown as `object`
/// at `at` (seconds since the epoch): the appointment's own fields that
/// are set (not null, not false), instants as seconds since the epoch, the
/// date as `local_date`, and `created_at`/`updated_at` left out when they
/// are the event's own time.
fn stored_before_50(object: &Value, at: i64) -> Value {
    const PLAIN: [&str; 25] = [
        "clinic_id",
        "doctor_id",
        "patient_id",
        "service_id",
        "date",
        "duration_minutes",
        "status",
        "token_number",
        "source",
        "session",
        "batch",
        "reason",
        "notes",
        "diagnosis",
        "prescription",
        "follow_up_required",
        "follow_up_date",
        "cancellation_reason",
        "external_reference_id",
        "series_id",
        "payer",
        "urgency",
        "modality",
        "visit_type",
        "overbooked",
    ];
    const INSTANTS: [&str; 10] = [
        "starts_at",
        "ends_at",
        "created_at",
        "updated_at",
        "confirmed_at",
        "checked_in_at",
        "started_at",
        "completed_at",
        "cancelled_at",
        "no_show_at",
    ];
    let mut set = serde_json::Map::new();
    for k in PLAIN {
        let v = &object[k];
        if !v.is_null() && *v != Value::Bool(false) {
            let key = if k == "date" { "local_date" } else { k };
            set.insert(key.into(), v.clone());
        }
    }
    for k in INSTANTS {
        if let Some(t) = object[k].as_str() {
            let t = chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp();
            if !(matches!(k, "created_at" | "updated_at") && t == at) {
                set.insert(k.into(), t.into());
            }
        }
    }
    Value::Object(set)
}

/// A database of schema 49 takes schema 50 on its next command: each
/// booking's event stops storing the fields it set, a batch of events per
/// transaction (an upgrade stopped half-way goes on from where it got), and
/// every event is shown as before.
#[test]
fn bookings_stored_with_their_fields_lose_them_and_are_shown_the_same() {
    let mut env = Env::clinic();
    let a = s(&env.book("2026-06-16", "09:00", "+50370000001")["id"]).to_string();
    env.ok(&["status", &a, "confirmed"]);
    let b = s(&env.book("2026-06-16", "10:00", "+50370000002")["id"]).to_string();
    env.ok(&["update", &b, "--notes", "Ayunas", "--reason", "Control"]);
    env.ok(&["reschedule", &b, "-D", "2026-06-17", "-t", "11:00"]);
    env.ok(&["cancel", &b, "--reason", "Viaje"]);
    // The same phone under another name: the booking keeps the old one.
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-18",
        "-t",
        "09:00",
        "-P",
        "+50370000001",
        "--name",
        "Ana Dos",
    ]);
    env.at("2026-06-16T15:55:00Z");
    let walk_in = env.ok(&[
        "book",
        "--walk-in",
        "-d",
        "Dr. García",
        "-P",
        "+50370000004",
        "--name",
        "Walk In",
    ])["appointment"]["id"]
        .clone();
    let shown = stream(&env, &[]);
    let history = env.ok(&["history", &b]);
    // As appt stored them before schema 50, its upgrade stopped after a
    // first batch: that batch's booking without its fields, every other
    // with them, and how far it got in `meta`.
    let booked: Vec<&Value> = shown
        .iter()
        .filter(|e| e["type"] == "appointment.booked")
        .collect();
    assert_eq!(booked.len(), 4);
    for e in &booked[1..] {
        let at = chrono::DateTime::parse_from_rfc3339(s(&e["created_at"]))
            .unwrap()
            .with_timezone(&chrono::Utc);
        let set = stored_before_50(&e["data"]["appointment"], at.timestamp());
        // In the order an older appt wrote them.
        let mut data = format!("{{\"set\":{set}");
        if let Some(name) = e["data"].get("patient_previous_name") {
            data.push_str(&format!(",\"patient_previous_name\":{name}"));
        }
        data.push('}');
        env.exec(&format!(
            "UPDATE events SET data = '{}' WHERE id = {}",
            data.replace('\'', "''"),
            e["id"]
        ));
    }
    env.exec(&format!(
        "INSERT INTO meta (key, value) VALUES ('bookings_slimmed', '{}')",
        booked[0]["id"]
    ));
    crate::common::undo_schema_50(&env);
    crate::common::set_schema_version(&env, 49);
    let with_set = "SELECT id FROM events WHERE data LIKE '%\"set\"%'";
    assert_eq!(env.rows(with_set).len(), 3);
    let renamed = env.rows("SELECT data FROM events WHERE data LIKE '%Test Patient%'");
    assert_eq!(renamed.len(), 1, "{renamed:?}");

    // The next command upgrades it, and shows every event as before.
    assert_eq!(stream(&env, &[]), shown);
    assert_eq!(env.ok(&["history", &b]), history);
    assert!(env.rows(with_set).is_empty());
    let stored = env.rows(&format!(
        "SELECT data FROM events WHERE {} ORDER BY id",
        crate::common::event_is("appointment.booked")
    ));
    let stored: Vec<Value> = stored
        .iter()
        .map(|r| serde_json::from_str(&r[0]).unwrap())
        .collect();
    assert_eq!(
        stored,
        [
            json!({}),
            json!({}),
            json!({"patient_previous_name": "Test Patient"}),
            json!({}),
        ],
    );
    assert!(env
        .rows("SELECT value FROM meta WHERE key = 'bookings_slimmed'")
        .is_empty());
    assert_eq!(env.ok(&["check"])["ok"], true);
    // The walk-in arrived as it was booked: both its events show it so.
    let arrived: Vec<&Value> = shown
        .iter()
        .filter(|e| e["appointment_id"] == walk_in)
        .collect();
    assert_eq!(arrived.len(), 2);
    assert_eq!(arrived[0]["data"]["appointment"]["status"], "checked_in");
}

/// What the first batch of schema 56 leaves: the events' indexes gone, the
/// table the events are copied into holding those up to `upto`, as if the
/// upgrade had been killed after it.
fn numbered_up_to(env: &Env, upto: i64) {
    let code = crate::common::number_of_name::<appt::core::EventKind>("type");
    let table = match env.url() {
        Some(_) => "CREATE TABLE events_56 (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \
             type SMALLINT NOT NULL, appointment_id TEXT COLLATE \"C\" REFERENCES appointments(id), \
             created_at BIGINT NOT NULL, data TEXT COLLATE \"C\" NOT NULL, actor TEXT COLLATE \"C\", \
             os_user TEXT COLLATE \"C\");",
        None => "CREATE TABLE events_56 (id INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER NOT NULL, \
             appointment_id TEXT REFERENCES appointments(id), created_at INTEGER NOT NULL, \
             data TEXT NOT NULL, actor TEXT, os_user TEXT) STRICT;",
    };
    env.exec(&format!(
        "DROP INDEX events_appt; DROP INDEX events_offered; {table} \
         INSERT INTO events_56 (id, type, appointment_id, created_at, data, actor, os_user) \
         SELECT id, {code}, appointment_id, created_at, data, actor, os_user FROM events WHERE id <= {upto};"
    ));
}

/// A database of schema 55 takes schema 56 on its next command: its events
/// copied, a batch per transaction, into a table that stores each type as
/// its number (an upgrade stopped half-way goes on from where it got),
/// every event shown as before, and their IDs going on after the last one
/// ever given.
#[test]
fn event_types_stored_as_names_are_numbered_and_shown_the_same() {
    let env = Env::clinic();
    let a = s(&env.book("2026-06-16", "09:00", "+50370000001")["id"]).to_string();
    env.ok(&["status", &a, "confirmed"]);
    let b = s(&env.book("2026-06-16", "10:00", "+50370000002")["id"]).to_string();
    env.ok(&["update", &b, "--notes", "Ayunas"]);
    env.ok(&["reschedule", &b, "-D", "2026-06-17", "-t", "11:00"]);
    env.ok(&["cancel", &b, "--reason", "Viaje"]);
    add_updates(&env, &a, 30);
    // The last event given is gone: its ID is never given again.
    let last = env.rows("SELECT max(id) FROM events")[0][0]
        .parse::<i64>()
        .unwrap();
    env.exec(&format!("DELETE FROM events WHERE id = {last}"));
    let shown = stream(&env, &[]);
    let history = env.ok(&["history", &b]);
    let kinds: Vec<&str> = shown.iter().map(|e| s(&e["type"])).collect();
    for k in [
        "appointment.booked",
        "appointment.confirmed",
        "appointment.updated",
        "appointment.rescheduled",
        "appointment.cancelled",
    ] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }

    crate::common::undo_schema_56(&env);
    crate::common::set_schema_version(&env, 55);
    let named = env.rows("SELECT DISTINCT type FROM events ORDER BY 1");
    assert!(
        named.iter().all(|r| r[0].starts_with("appointment.")),
        "{named:?}"
    );
    // Killed after a first batch of ten.
    numbered_up_to(&env, 10);

    // The next command upgrades it, and shows every event as before.
    assert_eq!(stream(&env, &[]), shown);
    assert_eq!(env.ok(&["history", &b]), history);
    assert_eq!(
        stream(&env, &["--type", "appointment.cancelled"]),
        shown
            .iter()
            .filter(|e| e["type"] == "appointment.cancelled")
            .cloned()
            .collect::<Vec<_>>()
    );
    let numbered = env.rows("SELECT DISTINCT type FROM events ORDER BY 1");
    assert!(
        numbered.iter().all(|r| r[0].parse::<i64>().is_ok()),
        "{numbered:?}"
    );
    assert_eq!(
        crate::common::index_names(&env, "IN ('events_appt', 'events_offered')"),
        ["events_appt", "events_offered"]
    );
    assert!(!crate::common::has_table(&env, "events_56"));
    assert_eq!(env.ok(&["check"])["ok"], true);
    // The next event's ID comes after the one deleted.
    env.ok(&["update", &a, "--notes", "Ayunas"]);
    let next = stream(&env, &["--after", &(last - 1).to_string()]);
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0]["id"], last + 1);
    assert_eq!(next[0]["type"], "appointment.updated");
}

/// A type appt never wrote stops schema 56 before it copies anything:
/// `DATABASE_ERROR` naming the event, the database left as it was.
#[test]
fn an_event_type_appt_never_wrote_stops_the_numbering_and_changes_nothing() {
    let env = Env::clinic();
    let a = s(&env.book("2026-06-16", "09:00", "+50370000001")["id"]).to_string();
    env.ok(&["status", &a, "confirmed"]);
    crate::common::undo_schema_56(&env);
    crate::common::set_schema_version(&env, 55);
    let id = env.rows("SELECT max(id) FROM events")[0][0].clone();
    env.exec(&format!(
        "UPDATE events SET type = 'appointment.Confirmed' WHERE id = {id}"
    ));
    let before = env.snapshot();
    let (exit, e) = env.err(&["events"]);
    assert_eq!((exit, s(&e["code"])), (6, "DATABASE_ERROR"), "{e}");
    let said = s(&e["message"]);
    for named in ["events", id.as_str(), "type", "'appointment.Confirmed'"] {
        assert!(said.contains(named), "{said}");
    }
    assert_eq!(env.snapshot(), before);
    // Mended, it goes on.
    env.exec(&format!(
        "UPDATE events SET type = 'appointment.confirmed' WHERE id = {id}"
    ));
    assert_eq!(stream(&env, &[]).len(), 2);
}
