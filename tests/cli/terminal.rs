//! Tests: human output fits the terminal (docs/commands.md#conventions "Output"): at 80 columns
//! every table, title and confirmation fits, and IDs, dates and times are
//! whole — less important columns are dropped and long names cut with an
//! ellipsis instead. `COLUMNS` sets the width; a real 80-column terminal
//! (tmux) is measured too; a pipe without `COLUMNS` gets every column whole.

use crate::common::{s, Env};
use crate::prompts::Tmux;
use unicode_width::UnicodeWidthStr;

const LONG_PATIENT: &str = "José Antonio Hernández Martínez de la Cruz";
const LONG_DOCTOR: &str = "Dra. María Fernanda Gutiérrez Villalobos";

/// A clinic whose every name is long: each table is at its widest.
fn long_names() -> Env {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Clínica Médica Familiar San Benito de Palermo",
        "--timezone",
        "America/El_Salvador",
        "--cancel-window",
        "2h",
        "--min-notice",
        "30m",
    ]);
    env.ok(&[
        "doctor",
        "add",
        LONG_DOCTOR,
        "--specialty",
        "Medicina Familiar y Comunitaria",
        "--slot-minutes",
        "30",
    ]);
    env.ok(&[
        "service",
        "add",
        "Consulta de seguimiento pediátrico integral",
        "--minutes",
        "30",
    ]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        LONG_DOCTOR,
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
        "--session",
        "Mañana extendida de consulta",
        "--batch",
        "Lote A-1 primera fila",
        "--capacity",
        "2",
        "--valid-from",
        "2026-06-01",
        "--valid-to",
        "2026-12-31",
    ]);
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        LONG_DOCTOR,
        "--from",
        "2026-07-01",
        "--to",
        "2026-07-15",
        "--reason",
        "Congreso internacional de medicina familiar en Ciudad de Guatemala",
    ]);
    env.ok(&[
        "webhook",
        "add",
        "https://integraciones.clinica-san-benito.example.com/hooks/appt/eventos/entrantes",
        "--events",
        "appointment.booked,appointment.cancelled,appointment.rescheduled",
        "--secret",
        "s3cret",
    ]);
    env
}

/// Books the long-named patient with the long-named doctor; returns the appointment.
fn book(env: &Env, date: &str, time: &str) -> serde_json::Value {
    env.ok(&[
        "book",
        "--doctor",
        LONG_DOCTOR,
        "--date",
        date,
        "--time",
        time,
        "--phone",
        "+503 7012-3456",
        "--name",
        LONG_PATIENT,
        "--national-id",
        "01234567-8",
        "--service",
        "Consulta de seguimiento pediátrico integral",
        "--reason",
        "Fiebre alta desde hace tres días, dolor de garganta y tos persistente",
    ])["appointment"]
        .clone()
}

/// `appt ARGS` for a human in `lang` with `COLUMNS=columns`: succeeds, and
/// no line is wider.
fn at_width(env: &Env, columns: &str, lang: &str, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("COLUMNS", columns)
        .env("APPT_LANG", lang)
        .args(args)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "appt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let most: usize = columns.parse().unwrap();
    for line in text.lines() {
        assert!(
            line.width() <= most,
            "appt {args:?} ({lang}): a line of {} columns at COLUMNS={columns}:\n{line}\n\n{text}",
            line.width()
        );
    }
    text
}

/// Issue 43 item 7, in both languages at 80 columns: the agenda keeps the
/// service, `window list` the slot length and session, a closed day's
/// `slots` and `waitlist add` wrap at words, a table has one form of date,
/// and `patient show` lists no cancelled visit as upcoming.
#[test]
fn at_80_columns_the_desk_keeps_what_it_reads_in_both_languages() {
    let env = long_names();
    let a = book(&env, "2026-06-16", "09:00");
    let later = book(&env, "2026-06-17", "10:30");
    env.ok(&["cancel", s(&later["id"]), "--reason", "Viaje", "--yes"]);
    for lang in ["en", "es"] {
        let agenda = at_width(&env, "80", lang, &["agenda", "--date", "2026-06-16"]);
        assert!(
            one_line_has(&agenda, &["09:00", "Consulta"]),
            "{lang}: {agenda}"
        );

        let windows = at_width(&env, "80", lang, &["window", "list"]);
        assert!(
            one_line_has(&windows, &["09:00–13:00", "30m", "Mañana"]),
            "{lang}: {windows}"
        );

        // A closed day: a sentence, wrapped at words (143 columns before).
        let closed = at_width(
            &env,
            "80",
            lang,
            &["slots", "--doctor", LONG_DOCTOR, "--date", "2026-07-06"],
        );
        assert!(closed.lines().count() > 1, "{lang}: {closed}");
        let words = closed.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("Congreso internacional de medicina familiar en Ciudad de Guatemala"),
            "{lang}: no word split: {closed}"
        );

        let waiting = at_width(
            &env,
            "80",
            lang,
            &[
                "waitlist",
                "add",
                "--doctor",
                LONG_DOCTOR,
                "--date",
                "2026-06-18",
                "--phone",
                "+50370999998",
                "--name",
                "María de los Ángeles Hernández Castellanos de la Cruz",
            ],
        );
        assert!(waiting.lines().count() > 1, "{lang}: {waiting}");
        let words = waiting.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("María de los Ángeles Hernández Castellanos de la Cruz"),
            "{lang}: {waiting}"
        );
        assert!(
            !waiting.contains("2026-06-18"),
            "one form of date: {waiting}"
        );

        // The due time and the visit in one form (no ISO beside `15 jun`).
        let dry = at_width(&env, "80", lang, &["remind", "due", "--dry-run"]);
        assert!(!dry.contains("2026-06-"), "{lang}: {dry}");

        let card = at_width(&env, "80", lang, &["patient", "show", "+50370123456"]);
        let upcoming = card
            .split(if lang == "es" { "Recientes" } else { "Recent" })
            .next()
            .unwrap();
        assert!(upcoming.contains(&s(&a["id"])[..8]), "{lang}: {card}");
        assert!(
            !upcoming.contains(&s(&later["id"])[..8]),
            "{lang}: a cancelled visit is not upcoming: {card}"
        );
    }
    // Spanish writes the day as it is said: `mié 17 jun`, `mar 1 dic`, never `mar 01 dic`.
    let es = at_width(
        &env,
        "80",
        "es",
        &[
            "waitlist",
            "add",
            "--doctor",
            LONG_DOCTOR,
            "--date",
            "2026-12-01",
            "--phone",
            "+50370999997",
            "--name",
            "Ana",
        ],
    );
    assert!(es.contains("mar 1 dic 2026"), "{es}");
}

/// `appt ARGS` for a human with `COLUMNS=80`: succeeds, and no line is wider.
fn at_80(env: &Env, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("COLUMNS", "80")
        .args(args)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "appt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.trim().is_empty(), "appt {args:?} printed nothing");
    for line in text.lines() {
        assert!(
            line.width() <= 80,
            "appt {args:?}: a line of {} columns at COLUMNS=80:\n{line}\n\n{text}",
            line.width()
        );
    }
    text
}

/// Whether some line holds every one of `parts` (so none was wrapped away).
fn one_line_has(text: &str, parts: &[&str]) -> bool {
    text.lines().any(|l| parts.iter().all(|p| l.contains(p)))
}

#[test]
fn every_table_fits_80_columns_with_ids_dates_and_times_whole() {
    let env = long_names();
    let a = book(&env, "2026-06-16", "09:00");
    let id = &s(&a["id"])[..8];
    let second = book(&env, "2026-06-17", "10:30");
    let id2 = &s(&second["id"])[..8];

    let list = at_80(&env, &["list"]);
    assert!(
        one_line_has(&list, &["Tue 16 Jun 2026", "09:00", id]),
        "{list}"
    );
    assert!(
        one_line_has(&list, &["Wed 17 Jun 2026", "10:30", id2]),
        "{list}"
    );
    assert!(list.contains('…'), "long names are cut:\n{list}");
    assert!(list.contains("scheduled"), "{list}");

    // The service (prenatal or consulta) matters more than the short ID
    // (issue 43): at 80 columns the ID goes first.
    let agenda = at_80(&env, &["agenda", "--date", "2026-06-16"]);
    assert!(one_line_has(&agenda, &["09:00", "Consulta"]), "{agenda}");
    assert!(
        agenda.contains("+50370123456"),
        "the agenda keeps the phone:\n{agenda}"
    );
    let wide = at_width(&env, "120", "en", &["agenda", "--date", "2026-06-16"]);
    assert!(one_line_has(&wide, &["09:00", "Consulta", id]), "{wide}");

    for args in [
        &["slots", "--doctor", LONG_DOCTOR, "--date", "2026-06-16"][..],
        &[
            "slots",
            "--doctor",
            LONG_DOCTOR,
            "--date",
            "2026-06-16",
            "--all",
        ],
    ] {
        let slots = at_80(&env, args);
        assert!(slots.contains("09:30–10:00"), "{slots}");
        assert!(slots.contains("Tue 16 Jun 2026"), "{slots}");
    }
    let next = at_80(&env, &["next"]);
    assert!(one_line_has(&next, &["Mon 15 Jun", "09:00"]), "{next}");

    let patients = at_80(&env, &["patient", "list"]);
    assert!(one_line_has(&patients, &["+50370123456"]), "{patients}");
    let card = at_80(&env, &["patient", "show", "+50370123456"]);
    assert!(
        one_line_has(&card, &["Tue 16 Jun 2026 09:00–09:30", "scheduled", id]),
        "{card}"
    );

    let doctors = at_80(&env, &["doctor", "list"]);
    let clinics = at_80(&env, &["clinic", "list"]);
    assert!(clinics.contains("America/El_Salvador"), "{clinics}");
    let services = at_80(&env, &["service", "list"]);
    let windows = at_80(&env, &["window", "list"]);
    assert!(
        windows.contains("09:00–13:00") && windows.contains("mon-fri"),
        "{windows}"
    );
    let closures = at_80(&env, &["closure", "list"]);
    assert!(
        one_line_has(&closures, &["2026-07-01", "2026-07-15"]),
        "{closures}"
    );
    assert!(doctors.contains('…'), "a long name is cut:\n{doctors}");
    assert!(
        services.contains("pediátrico integral"),
        "what fits is whole:\n{services}"
    );

    // At 80 columns the due time loses its year, never its kind.
    let reminders = at_80(&env, &["remind", "list"]);
    assert!(
        one_line_has(&reminders, &["15 Jun 09:00", "24h", "pending"]),
        "{reminders}"
    );
    assert!(
        one_line_has(&reminders, &["confirm", "pending"]),
        "{reminders}"
    );
    let webhooks = at_80(&env, &["webhook", "list"]);
    assert!(webhooks.contains("https://"), "{webhooks}");

    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        LONG_DOCTOR,
        "--date",
        "2026-06-16",
        "--phone",
        "+50370999999",
        "--name",
        "María de los Ángeles Hernández Castellanos de la Cruz",
    ]);
    let waitlist = at_80(&env, &["waitlist", "list"]);
    assert!(
        one_line_has(&waitlist, &["Tue 16 Jun", "+50370999999"]),
        "{waitlist}"
    );
    // In Spanish, the day as `list` writes it, not ISO.
    let espera = at_width(&env, "80", "es", &["waitlist", "list"]);
    assert!(
        one_line_has(&espera, &["mar 16 jun", "+50370999999"]),
        "{espera}"
    );
    assert!(!espera.contains("2026-06-16"), "{espera}");
    // Someone booked today, so that the queue has a row to fit.
    let today = book(&env, "2026-06-15", "11:00");
    let queue = at_80(&env, &["queue"]);
    assert!(queue.contains("Queue for Mon 15 Jun 2026"), "{queue}");
    assert!(
        one_line_has(&queue, &["11:00", &s(&today["id"])[..8]]),
        "{queue}"
    );
    let history = at_80(&env, &["history", id]);
    assert!(history.contains("booked"), "{history}");
    let show = at_80(&env, &["show", id]);
    assert!(show.contains("Tue 16 Jun 2026 09:00–09:30"), "{show}");

    let mut later = long_names();
    let b = book(&later, "2026-06-16", "09:00");
    later.at("2026-06-15T15:30:00Z");
    let dry = at_80(&later, &["remind", "due", "--dry-run"]);
    assert!(one_line_has(&dry, &["15 Jun 09:00", "24h"]), "{dry}");
    let moved = at_80(
        &later,
        &["reschedule", &s(&b["id"])[..8], "--time", "11:00"],
    );
    assert!(moved.contains("Tue 16 Jun 2026 11:00–11:30"), "{moved}");
}

#[test]
fn a_pipe_without_columns_gets_every_column_whole() {
    let env = long_names();
    let a = book(&env, "2026-06-16", "09:00");
    let out = env
        .cmd()
        .args(["list"])
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for whole in [
        LONG_PATIENT,
        LONG_DOCTOR,
        "+50370123456",
        "09:00–09:30",
        &s(&a["id"])[..8],
    ] {
        assert!(text.contains(whole), "{whole} missing:\n{text}");
    }
    // A COLUMNS that is not a width is ignored.
    let out = env
        .cmd()
        .args(["list"])
        .env("COLUMNS", "wide")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(LONG_PATIENT));
}

#[test]
fn at_120_columns_nothing_is_dropped_or_cut_that_fits() {
    let env = Env::clinic();
    env.book("2026-06-16", "09:00", "+50370000001");
    let out = env
        .cmd()
        .env("COLUMNS", "120")
        .args(["list"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for header in [
        "Date", "Time", "Tok", "Patient", "Phone", "Doctor", "Service", "Status", "ID",
    ] {
        assert!(
            text.contains(header),
            "{header} missing at 120 columns:\n{text}"
        );
    }
    assert!(!text.contains('…'), "{text}");
}

/// A real terminal 80 columns wide, `COLUMNS` unset: the width comes from the
/// terminal, and a table row wider than it would show up split across lines.
#[test]
fn in_an_80_column_terminal_list_and_agenda_rows_stay_on_one_line() {
    let env = long_names();
    let a = book(&env, "2026-06-16", "09:00");
    let id = &s(&a["id"])[..8];
    // The list keeps the short ID; the agenda, at 80 columns, keeps the
    // service in its place (its row is found by the patient's phone).
    for (args, key) in [("list", id), ("agenda --date 2026-06-16", "+50370123456")] {
        let t = Tmux::start_sized(&env, 80, "-u COLUMNS NO_COLOR=1", args);
        let screen = t.wait_for("EXIT=");
        assert!(screen.contains("EXIT=0"), "{screen}");
        let rows: Vec<&str> = screen.lines().filter(|l| l.contains(key)).collect();
        assert_eq!(rows.len(), 1, "{args}: the ID on one row:\n{screen}");
        assert!(
            rows[0].contains("09:00"),
            "{args}: time and ID on one line:\n{screen}"
        );
        assert!(
            rows[0].trim_end().ends_with('│'),
            "{args}: the row is whole:\n{screen}"
        );
        for l in screen.lines().filter(|l| l.starts_with('┌')) {
            assert!(
                l.trim_end().ends_with('┐'),
                "{args}: a wrapped border:\n{screen}"
            );
        }
    }
}

/// Characters that reorder, hide or break text: bidirectional overrides and
/// isolates, a zero-width space, line and paragraph separators, `\r\n`.
const SNEAKY: [&str; 14] = [
    "\u{202a}", "\u{202b}", "\u{202c}", "\u{202d}", "\u{202e}", "\u{2066}", "\u{2067}", "\u{2068}",
    "\u{2069}", "\u{200b}", "\u{2028}", "\u{2029}", "\r\n", "\n",
];

#[test]
fn bidi_overrides_and_line_breaks_in_names_never_reach_the_terminal_raw() {
    // docs/commands.md#conventions: neutralised like control characters in human output, at 80
    // columns; JSON carries the stored text exactly.
    let env = Env::clinic();
    for name in ["Dr. Ana\u{2028}Zed", "Dra. Ana\u{202e}Zed\r\nLópez"] {
        env.ok(&["doctor", "add", name]);
    }
    let mut booked = Vec::new();
    for (i, c) in SNEAKY.iter().enumerate() {
        let name = format!("Ana{c}Zed {i}");
        let (date, time) = if i < 8 {
            (
                "2026-06-16",
                format!("{:02}:{:02}", 9 + i / 2, 30 * (i % 2)),
            )
        } else {
            (
                "2026-06-17",
                format!("{:02}:{:02}", 9 + (i - 8) / 2, 30 * (i % 2)),
            )
        };
        let a = env.ok(&[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            date,
            "--time",
            &time,
            "--phone",
            &format!("+5037000{i:04}"),
            "--name",
            &name,
            "--reason",
            &format!("fever{c}cough"),
        ])["appointment"]
            .clone();
        assert_eq!(
            a["patient"]["full_name"],
            name.as_str(),
            "JSON keeps the text"
        );
        assert_eq!(a["reason"], format!("fever{c}cough").as_str());
        booked.push((a, name));
    }
    let (first, name) = &booked[4];
    assert_eq!(
        env.ok(&["show", s(&first["id"])])["patient"]["full_name"],
        name.as_str()
    );
    let mut runs: Vec<(Vec<String>, String, String)> = Vec::new();
    let mut human = |args: Vec<String>| {
        let out = env.cmd().env("COLUMNS", "80").args(&args).output().unwrap();
        runs.push((
            args,
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    };
    for date in ["2026-06-16", "2026-06-17"] {
        human(vec!["list".into(), "--date".into(), date.into()]);
        human(vec!["agenda".into(), "--date".into(), date.into()]);
    }
    human(vec!["patient".into(), "list".into()]);
    human(vec!["remind".into(), "list".into()]);
    for (a, _) in &booked {
        human(vec!["show".into(), s(&a["id"]).into()]);
        human(vec![
            "patient".into(),
            "show".into(),
            s(&a["patient"]["phone"]).into(),
        ]);
    }
    // An ambiguous name lists its candidates on stderr.
    human(vec!["doctor".into(), "list".into()]);
    human(vec!["doctor".into(), "show".into(), "Ana".into()]);
    for (args, stdout, stderr) in &runs {
        for out in [stdout, stderr] {
            for c in SNEAKY.iter().filter(|c| **c != "\n") {
                assert!(
                    !out.contains(c),
                    "appt {args:?} printed U+{:04X} raw:\n{out}",
                    c.chars().next().unwrap() as u32
                );
            }
            assert!(!out.contains('\r'), "appt {args:?}: a raw CR:\n{out}");
            for line in out.lines() {
                assert!(
                    line.width() <= 80,
                    "appt {args:?}: {} columns:\n{line}\n\n{out}",
                    line.width()
                );
                // A name stays on its line: a break in it never starts a new one.
                assert!(
                    !line.contains("Zed") || line.contains("Ana"),
                    "appt {args:?}: a name broken across lines:\n{out}"
                );
            }
        }
    }
    let stderr_of_ambiguous = &runs.last().unwrap().2;
    assert!(stderr_of_ambiguous.contains("Zed"), "{stderr_of_ambiguous}");
}
