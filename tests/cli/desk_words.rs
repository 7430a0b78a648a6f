//! What the desk types and reads (issue 64): times as people say them
//! (`9`, `9am`, `9:30 pm`, `14h`), a status asked for twice said as it is,
//! durations with units on every flag that takes one, `feed revoke -y`, a
//! message's `to` and `created_at` in `history` and `patient show`, and a
//! clinic put online at once (`clinic update --all-online`).

use crate::common::{s, Env};
use serde_json::Value;

/// `appt ARGS` in `lang`: exit code, stdout and stderr.
fn run(env: &Env, lang: &str, args: &[&str]) -> (i32, String, String) {
    let out = env
        .cmd()
        .env("APPT_LANG", lang)
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn book_at(env: &Env, date: &str, time: &str, phone: &str) -> Value {
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        date,
        "-t",
        time,
        "-P",
        phone,
        "--name",
        "Ana Ruiz",
    ])["appointment"]
        .clone()
}

#[test]
fn times_are_read_as_the_desk_says_them() {
    let env = Env::clinic();
    for (i, (typed, date, start)) in [
        ("9", "2026-06-16", "09:00"),
        ("9:30 am", "2026-06-16", "09:30"),
        ("10AM", "2026-06-16", "10:00"),
        ("11h", "2026-06-16", "11:00"),
        ("11h30", "2026-06-16", "11:30"),
        ("12pm", "2026-06-16", "12:00"),
        ("12:30 p.m.", "2026-06-16", "12:30"),
    ]
    .into_iter()
    .enumerate()
    {
        let a = book_at(&env, date, typed, &format!("+503700010{i:02}"));
        assert_eq!(a["start_time"], start, "{typed}: {a}");
    }
    // What is no time is refused as before, in either language.
    for typed in ["25", "13pm", "9:5", "nueve"] {
        let e = env.fails(
            &[
                "book",
                "-d",
                "Dr. García",
                "-D",
                "2026-06-17",
                "-t",
                typed,
                "-P",
                "+50370009999",
                "--name",
                "X",
            ],
            "VALIDATION_ERROR",
            2,
        );
        assert!(e["time"].is_string(), "{typed}: {e}");
    }
    // A window's hours too.
    let w = env.ok(&[
        "window",
        "add",
        "-d",
        "Dr. García",
        "--days",
        "sat",
        "--from",
        "8am",
        "--to",
        "12pm",
    ]);
    assert_eq!((s(&w["from"]), s(&w["to"])), ("08:00", "12:00"), "{w}");
}

#[test]
fn a_status_asked_for_twice_says_it_already_is_and_changes_nothing() {
    let env = Env::clinic();
    let a = book_at(&env, "2026-06-15", "10:00", "+50370001111");
    let id = s(&a["id"]);
    env.ok(&["status", id, "confirmed"]);
    let before = env.snapshot();
    for (lang, said) in [("en", "Already confirmed"), ("es", "Ya estaba confirmada")] {
        let (code, out, err) = run(&env, lang, &["status", id, "confirmado"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(said), "{lang}: {out}");
        assert!(!out.contains("confirmed") || lang == "en", "{out}");
    }
    let again = env.ok(&["status", id, "confirmed"]);
    assert_eq!(again["status"], "confirmed");
    assert_eq!(env.snapshot(), before, "nothing written, no event");
    // Backwards is still refused.
    env.ok(&["status", id, "llegó"]);
    env.fails(&["status", id, "confirmed"], "INVALID_STATE_TRANSITION", 5);
}

#[test]
fn every_flag_that_takes_a_duration_takes_units() {
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
        "+50370001111",
        "--name",
        "Ana Ruiz",
        "--duration",
        "1h",
    ])["appointment"]
        .clone();
    assert_eq!(a["duration_minutes"], 60, "{a}");
    let svc = env.ok(&["service", "add", "Ecografía", "--minutes", "1 h 30 min"]);
    assert_eq!(svc["duration_minutes"], 90, "{svc}");
    let d = env.ok(&["doctor", "update", "Dr. García", "--slot-minutes", "20m"]);
    assert_eq!(d["slot_minutes"], 20, "{d}");
    // Seconds where seconds make sense: `--max-lag 5s` as much as `5`.
    for lag in ["5s", "5", "30 segundos", "1m"] {
        let (code, _, err) = run(&env, "en", &["--max-lag", lag, "doctor", "list"]);
        assert_eq!(code, 0, "--max-lag {lag}: {err}");
    }
    let (code, _, err) = run(&env, "es", &["--max-lag", "2h", "doctor", "list"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&env, "es", &["book", "--duration", "media hora"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn feed_revoke_takes_yes_as_the_other_removals_do() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.example",
    ]);
    env.ok(&["feed", "add", "garcia", "-d", "Dr. García"]);
    let f = env.ok(&["feed", "revoke", "garcia", "-y"]);
    assert!(f["revoked_at"].is_string(), "{f}");
    let f = env.ok(&["feed", "list"]);
    assert!(f["feeds"][0]["revoked_at"].is_string(), "{f}");
}

#[test]
fn history_and_patient_show_list_each_message_with_whom_it_went_to_and_when_it_was_made() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--notify", "on"]);
    let a = book_at(&env, "2026-06-16", "09:00", "+50370001111");
    env.sweep_lines();
    let h = env.ok(&["history", s(&a["id"])]);
    let messages = h["messages"].as_array().unwrap();
    assert!(!messages.is_empty(), "{h}");
    for m in messages {
        assert_eq!(m["to"], "+50370001111", "{m}");
        assert_eq!(
            m["created_at"], "2026-06-15T14:00:00Z",
            "made with the booking: {m}"
        );
    }
    let card = env.ok(&["patient", "show", "+50370001111"]);
    let listed = card["messages"].as_array().unwrap();
    assert!(!listed.is_empty(), "{card}");
    assert!(listed
        .iter()
        .all(|m| m["to"] == "+50370001111" && m["created_at"].is_string()));
}

#[test]
fn a_clinic_goes_online_with_its_doctors_and_services_at_once() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dra. Solís"]);
    env.ok(&["service", "add", "Ecografía", "--minutes", "45"]);
    // Dra. Solís has no window here: she stays off the page.
    let (code, out, err) = run(
        &env,
        "es",
        &[
            "clinic",
            "update",
            "Central",
            "--online-booking",
            "on",
            "--all-online",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Ahora en la página de citas: 1 médico y 2 servicios"),
        "{out}"
    );
    let doctors = env.ok(&["doctor", "list"]);
    let online: Vec<(String, bool)> = doctors["doctors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (s(&d["full_name"]).to_string(), d["online"] == true))
        .collect();
    assert!(online.contains(&("Dr. García".into(), true)), "{doctors}");
    assert!(online.contains(&("Dra. Solís".into(), false)), "{doctors}");
    let services = env.ok(&["service", "list"]);
    assert!(
        services["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["online"] == true),
        "{services}"
    );
    // Again: nothing more to put on it.
    let (_, out, _) = run(&env, "en", &["clinic", "update", "Central", "--all-online"]);
    assert!(out.contains("was on the booking page already"), "{out}");
}

/// `remind due` at a terminal prints a readable line per message and a
/// total; piped it prints JSON Lines as cron and scripts read them; and
/// `--dry-run` shows each message's text as it would go (a new template,
/// `{video_url}` included, checked before a patient gets it).
#[test]
fn remind_due_speaks_to_a_person_at_a_terminal_and_json_lines_to_a_pipe() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--notify",
        "on",
        "--language",
        "es",
        "--video-url",
        "https://meet.example/central",
        "--template",
        "confirmation=Hola {patient}: {date} a las {time}. Video: {video_url}",
    ]);
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        "10:00",
        "-P",
        "+50370001111",
        "--name",
        "Ana Ruiz",
        "--modality",
        "video",
    ]);
    // A dry run shows the text, at a terminal and in its JSON.
    let (code, out, err) = run(&env, "es", &["remind", "due", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "Hola Ana: martes 16 de junio a las 10:00. Video: https://meet.example/central"
        ),
        "{out}"
    );
    let (_, out, _) = run(&env, "es", &["remind", "due", "--dry-run", "--json"]);
    let line: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert!(
        s(&line["message"]).contains("Video: https://meet.example/central"),
        "{line}"
    );
    // At a terminal: a line a person reads, and the total.
    let t = crate::prompts::Tmux::start_sized(&env, 80, "APPT_LANG=es", "remind due");
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("confirmación · Ana Ruiz"), "{screen}");
    assert!(screen.contains("Hola Ana: martes 16 de junio"), "{screen}");
    assert!(!screen.contains("{\""), "no JSON at a terminal: {screen}");
    for line in t.scrollback().lines() {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    // Piped: JSON Lines, and nothing left to send.
    book_at(&env, "2026-06-17", "10:00", "+50370002222");
    // The clinic's own text, which is long, wraps under its line.
    env.ok(&["clinic", "update", "Central", "--template", "confirmation="]);
    let t = crate::prompts::Tmux::start_sized(&env, 80, "APPT_LANG=es", "remind due --dry-run");
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("quedó reservada"), "{screen}");
    for line in t.scrollback().lines() {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    let (code, out, err) = run(&env, "es", &["remind", "due"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(lines[0]["kind"], "confirmation");
}
