//! The desk types Spanish (docs/commands.md#spanish-input): dates, days of a
//! window, statuses and durations in either language's words, whatever the
//! language of the desk; `4/12` read in the clinic's `--date-order`; an
//! error about such a value lists the desk's own language's words first.
//! The clock is Monday 15 June 2026, 08:00 in El Salvador.

use crate::common::{s, Env, MONDAY_8AM};
use crate::serve::{token, Server};
use serde_json::{json, Value};

/// `appt ARGS --json` with the desk speaking `lang`: exit 0, its JSON.
fn ok_in(env: &Env, lang: &str, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .env("APPT_LANG", lang)
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "APPT_LANG={lang} appt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// `appt ARGS` (human output) with the desk speaking `lang`, expected to
/// fail: its stderr.
fn refused_in(env: &Env, lang: &str, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("APPT_LANG", lang)
        .args(args)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "appt {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A Spanish clinic (its dates day first) with Dra. Ruiz on weekdays.
fn spanish_clinic() -> Env {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Clínica Santa Lucía",
        "--timezone",
        "America/El_Salvador",
        "--language",
        "es",
        "--notify",
        "off",
    ]);
    env.ok(&["doctor", "add", "Dra. Ruiz"]);
    let w = env.ok(&[
        "window", "add", "-d", "Ruiz", "--days", "lun-vie", "--from", "09:00", "--to", "13:00",
    ]);
    assert_eq!(w["days"], "mon-fri", "{w}");
    env
}

fn book_in(env: &Env, lang: &str, date: &str, time: &str, phone: &str) -> Value {
    ok_in(
        env,
        lang,
        &[
            "book",
            "-d",
            "Ruiz",
            "-D",
            date,
            "-t",
            time,
            "-P",
            phone,
            "--name",
            "Ana López",
        ],
    )["appointment"]
        .clone()
}

#[test]
fn dates_are_typed_in_either_language_whatever_the_desks() {
    let env = spanish_clinic();
    assert_eq!(
        env.ok(&["clinic", "show", "Santa Lucía"])["date_order"],
        "dmy"
    );
    // (typed, the local date it is), with the desk in each language.
    let mut n = 0;
    for lang in ["es", "en"] {
        for (typed, date) in [
            ("hoy", "2026-06-15"),
            ("mañana", "2026-06-16"),
            ("MANANA", "2026-06-16"),
            ("pasado mañana", "2026-06-17"),
            ("jueves", "2026-06-18"),
            ("viernes", "2026-06-19"),
            ("lunes", "2026-06-15"),
            ("mar", "2026-06-16"),
            ("tomorrow", "2026-06-16"),
            ("friday", "2026-06-19"),
            ("3/7", "2026-07-03"),
            ("03/07/2026", "2026-07-03"),
            ("2026-07-03", "2026-07-03"),
            ("+3", "2026-06-18"),
        ] {
            n += 1;
            let time = format!("{:02}:{:02}", 9 + n / 2 % 4, n % 2 * 30);
            let a = book_in(&env, lang, typed, &time, &format!("+5037000{n:04}"));
            assert_eq!(a["date"], date, "{lang}: {typed}");
            ok_in(&env, lang, &["cancel", s(&a["id"]), "-r", "prueba"]);
        }
    }
    // `ayer`: a list of yesterday's day, in the clinic's zone.
    let l = ok_in(&env, "es", &["list", "-D", "ayer"]);
    assert_eq!(l["appointments"].as_array().unwrap().len(), 0, "{l}");
    // The slots of the day after tomorrow.
    let slots = ok_in(
        &env,
        "es",
        &["slots", "-d", "Ruiz", "--date", "pasado mañana"],
    );
    assert_eq!(slots["date"], "2026-06-17", "{slots}");
}

#[test]
fn the_clinics_date_order_reads_four_twelve() {
    let env = Env::clinic();
    // An English clinic reads month first; JSON and `clinic show` say so.
    let c = env.ok(&["clinic", "show", "Central"]);
    assert_eq!(c["date_order"], "mdy", "{c}");
    assert_eq!(
        env.book("7/3", "10:00", "+50370000001")["date"],
        "2026-07-03"
    );
    env.fails(&["list", "-D", "13/7"], "VALIDATION_ERROR", 2);
    // Day first once the clinic says so.
    let c = env.ok(&["clinic", "update", "Central", "--date-order", "dmy"]);
    assert_eq!(c["date_order"], "dmy");
    assert_eq!(
        env.book("3/7", "10:30", "+50370000002")["date"],
        "2026-07-03"
    );
    assert_eq!(
        env.book("13/7/2026", "10:00", "+50370000003")["date"],
        "2026-07-13"
    );
    // In the human card, in the desk's language.
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["clinic", "show", "Central"])
        .output()
        .unwrap();
    let card = String::from_utf8_lossy(&out.stdout);
    assert!(
        card.contains("Orden de fechas") && card.contains("día primero"),
        "{card}"
    );
    // A new clinic: its language's order unless it says otherwise.
    let c = env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
        "--language",
        "es",
    ]);
    assert_eq!(c["date_order"], "dmy");
    let c = env.ok(&[
        "clinic",
        "add",
        "Sur",
        "--timezone",
        "America/El_Salvador",
        "--language",
        "es",
        "--date-order",
        "mdy",
    ]);
    assert_eq!(c["date_order"], "mdy");
    let d = env.refused(
        &["clinic", "update", "Sur", "--date-order", "ymd"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d["date_order"].as_str().unwrap().contains("dmy or mdy"),
        "{d}"
    );
    // Several clinics and none named: the desk's language reads it.
    let l = ok_in(&env, "es", &["list", "-D", "3/7"]);
    assert_eq!(l["appointments"].as_array().unwrap().len(), 2, "{l}");
    let l = ok_in(&env, "en", &["list", "-D", "7/3"]);
    assert_eq!(l["appointments"].as_array().unwrap().len(), 2, "{l}");
}

#[test]
fn statuses_and_durations_in_the_desks_words() {
    let mut env = spanish_clinic();
    for lang in ["es", "en"] {
        env.at(MONDAY_8AM);
        let a = book_in(&env, lang, "hoy", "09:00", "+50370000001");
        let b = book_in(&env, lang, "hoy", "09:30", "+50370000002");
        let id = s(&a["id"]);
        env.at("2026-06-15T15:05:00Z");
        for (typed, status) in [
            ("confirmada", "confirmed"),
            ("llegó", "checked_in"),
            ("en consulta", "in_progress"),
        ] {
            let a = ok_in(&env, lang, &["status", id, typed]);
            assert_eq!(a["status"], status, "{lang} {typed}: {a}");
        }
        let a = ok_in(
            &env,
            lang,
            &["status", id, "atendida", "--diagnosis", "Gripe"],
        );
        assert_eq!(a["status"], "completed", "{a}");
        // `list --status` and `export --status` take the same words.
        let l = ok_in(&env, lang, &["list", "-D", "hoy", "--status", "atendida"]);
        assert_eq!(l["appointments"][0]["id"], a["id"], "{l}");
        env.at("2026-06-15T15:45:00Z");
        let b = ok_in(&env, lang, &["status", s(&b["id"]), "no se presentó"]);
        assert_eq!(b["status"], "no_show", "{b}");
        let l = ok_in(&env, lang, &["list", "-D", "hoy", "--status", "ausente"]);
        assert_eq!(l["appointments"].as_array().unwrap().len(), 1, "{l}");
        let rows = env.lines(&["export", "--format", "jsonl", "--status", "ausente"]);
        assert_eq!(rows.len(), 1, "{rows:?}");
        // The other language's turn starts from an empty day.
        env.exec("DELETE FROM reminders; DELETE FROM events; DELETE FROM appointments");
    }
    // Durations: a cancellation window of two hours, a notice of 30 minutes.
    let c = ok_in(
        &env,
        "es",
        &[
            "clinic",
            "update",
            "Santa Lucía",
            "--cancel-window",
            "2 h",
            "--min-notice",
            "30 min",
            "--horizon",
            "60 días",
            "--reminders",
            "1 día, 2 horas",
        ],
    );
    assert_eq!(c["cancel_window"], "2h", "{c}");
    assert_eq!(c["min_notice"], "30m");
    assert_eq!(c["horizon"], "60d");
    assert_eq!(c["reminders"], json!(["24h", "2h"]));
}

#[test]
fn an_error_lists_the_desks_own_words_first() {
    let env = spanish_clinic();
    let book = |d: &str| {
        vec![
            "book",
            "-d",
            "Ruiz",
            "-D",
            d,
            "-t",
            "10:00",
            "-P",
            "+50370000001",
            "--name",
            "Ana",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let args = book("el otro martes");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let es = refused_in(&env, "es", &args);
    let first = |text: &str, a: &str, b: &str| {
        let (i, j) = (text.find(a), text.find(b));
        assert!(i.is_some() && j.is_some(), "{a} and {b} in {text}");
        i < j
    };
    assert!(es.contains("La fecha debe ser"), "{es}");
    assert!(first(&es, "mañana", "tomorrow"), "{es}");
    assert!(first(&es, "D/M", "tomorrow"), "the clinic's order: {es}");
    let en = refused_in(&env, "en", &args);
    assert!(en.contains("Date must be"), "{en}");
    assert!(first(&en, "tomorrow", "mañana"), "{en}");
    // A status, a day range, a duration.
    let a = book_in(&env, "es", "mañana", "10:00", "+50370000002");
    let es = refused_in(&env, "es", &["status", s(&a["id"]), "llegada"]);
    assert!(first(&es, "llegó", "checked_in"), "{es}");
    let en = refused_in(&env, "en", &["list", "--status", "llegada"]);
    assert!(first(&en, "checked_in", "llegó"), "{en}");
    let es = refused_in(
        &env,
        "es",
        &[
            "window", "add", "-d", "Ruiz", "--days", "feriados", "--from", "14:00", "--to", "15:00",
        ],
    );
    assert!(first(&es, "lun-vie", "mon-fri"), "{es}");
    let es = refused_in(
        &env,
        "es",
        &[
            "clinic",
            "update",
            "Santa Lucía",
            "--cancel-window",
            "dos horas",
        ],
    );
    assert!(first(&es, "2 horas", "2 hours"), "{es}");
    // `appt status llegó` alone: the word is the status, the appointment is
    // what is missing (off a terminal nothing picks it).
    let d = env.fails(&["status", "llegó"], "VALIDATION_ERROR", 2);
    assert!(d.get("id").is_some() && d.get("status").is_none(), "{d}");
    // JSON keeps the English codes whatever was typed.
    let a = ok_in(&env, "es", &["status", s(&a["id"]), "confirmada"]);
    assert_eq!(a["status"], "confirmed");
}

#[test]
fn an_import_line_and_the_apis_query_fields_take_the_words() {
    let env = spanish_clinic();
    let path = env.dir.path().join("in.jsonl");
    let lines = [
        json!({"doctor": "Ruiz", "date": "mañana", "time": "09:00", "phone": "+50370000001", "name": "Ana"}),
        json!({"doctor": "Ruiz", "date": "viernes", "time": "09:00", "phone": "+50370000002", "name": "Beto"}),
        json!({"doctor": "Ruiz", "date": "3/7", "time": "09:00", "phone": "+50370000003", "name": "Carla"}),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    let v = env.ok(&["import", path.to_str().unwrap()]);
    assert_eq!(v["booked"], 3, "{v}");
    let dates: Vec<String> = env.ok(&["list", "--from", "hoy", "--to", "+30"])["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["date"]).to_string())
        .collect();
    assert_eq!(dates, ["2026-06-16", "2026-06-19", "2026-07-03"]);
    let a = env.ok(&["list", "-D", "mañana"])["appointments"][0].clone();
    env.ok(&["status", s(&a["id"]), "confirmada"]);
    // The API's query fields take a command's words.
    let t = token(&env, "lector", "appointments:read", &[]);
    let srv = Server::start(&env, &[]);
    let r = srv.get("/v1/appointments?date=ma%C3%B1ana&status=confirmada", &t);
    assert_eq!(r.status, 200, "{}", r.body);
    let found = r.json();
    assert_eq!(
        found["appointments"].as_array().unwrap().len(),
        1,
        "{found}"
    );
    assert_eq!(found["appointments"][0]["id"], a["id"]);
    let r = srv.get("/v1/slots?doctor=Ruiz&date=pasado+ma%C3%B1ana", &t);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["date"], "2026-06-17");
}

/// The board opens on a day typed in Spanish, read at the clinic
/// (docs/board.md): `mañana`, and `19/6` day first.
#[test]
fn the_board_opens_on_a_day_typed_in_spanish() {
    let env = spanish_clinic();
    for (typed, title) in [
        ("mañana", "martes 16 de junio de 2026"),
        ("19/6", "viernes 19 de junio de 2026"),
    ] {
        let t = crate::prompts::Tmux::start_sized(
            &env,
            120,
            "APPT_LANG=es",
            &format!("board --date {typed}"),
        );
        let screen = t.wait_for(title);
        assert!(screen.contains("Clínica Santa Lucía"), "{screen}");
        t.keys(&["q"]);
        t.wait_for("EXIT=0");
    }
}
