//! A Spanish desk's whole day with nothing to decode (issue 64): the owner
//! of a clinic in San Salvador sets it up, the desk books, confirms,
//! reads and answers, the doctor's feed and the month's report, a
//! patient's erasure and the board — every command typed in Spanish in a
//! real terminal (tmux) 80 columns wide. Every screen is read as the desk
//! reads it, and the test fails on any line wider than 80, any English
//! word outside names, any ISO date (only `--json` writes those) and a
//! yes/no question whose choices are not on screen.

use crate::common::{s, Env};
use crate::prompts::Tmux;

/// Words an English screen has and a Spanish one must not: headings,
/// statuses, codes shown as words, the `hint:` label.
const ENGLISH: &[&str] = &[
    "scheduled",
    "confirmed",
    "checked_in",
    "in_progress",
    "completed",
    "cancelled",
    "no_show",
    "walk_in",
    "Patient",
    "Doctor",
    "Status",
    "Date",
    "Time",
    "Service",
    "Phone",
    // (`error:` is Spanish too; the hint's label is `sugerencia:`.)
    "hint:",
    "Nothing",
    "free",
    "booked",
    "none",
    "Added",
    "Booked",
    "Updated",
];

/// What is wrong with a screen the desk reads, if anything.
fn faults(screen: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in screen.lines() {
        if line.starts_with("EXIT=") {
            continue;
        }
        if line.chars().count() > 80 {
            found.push(format!("wider than 80: {line}"));
        }
        if let Some(date) = iso_date(line) {
            found.push(format!("an ISO date ({date}): {line}"));
        }
        for word in ENGLISH {
            let whole = line
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .any(|w| w == *word);
            if whole {
                found.push(format!("English `{word}`: {line}"));
            }
        }
    }
    found
}

/// The first `YYYY-MM-DD` in `line` outside a URL.
fn iso_date(line: &str) -> Option<String> {
    let words = line.split_whitespace().filter(|w| !w.contains("://"));
    for w in words {
        let b: Vec<char> = w.chars().collect();
        for i in 0..b.len().saturating_sub(9) {
            let d = &b[i..i + 10];
            let digits = |r: std::ops::Range<usize>| d[r].iter().all(|c| c.is_ascii_digit());
            if digits(0..4) && d[4] == '-' && digits(5..7) && d[7] == '-' && digits(8..10) {
                return Some(d.iter().collect());
            }
        }
    }
    None
}

/// `appt ARGS` at an 80-column Spanish terminal: the whole scrollback,
/// checked, and its exit code.
fn desk(env: &Env, args: &str) -> (String, i32) {
    let t = Tmux::start_in(env, (80, 40), "APPT_LANG=es", args);
    let (_, code) = t.exit();
    let all = t.scrollback();
    let bad = faults(&all);
    assert!(bad.is_empty(), "appt {args}:\n{}\n\n{all}", bad.join("\n"));
    (all, code)
}

fn desk_ok(env: &Env, args: &str) -> String {
    let (all, code) = desk(env, args);
    assert_eq!(code, 0, "appt {args}:\n{all}");
    all
}

#[test]
fn a_spanish_desks_day_at_80_columns_reads_as_spanish() {
    let mut env = Env::new();
    // The owner sets the clinic up.
    desk_ok(
        &env,
        "clinic add 'Clínica San Benito' --timezone America/El_Salvador --language es \
         --country-code +503 --cancel-window 2h --public-url https://citas.example \
         --phone 2222-3333",
    );
    for d in [
        "'Dra. Ana Ruiz' --specialty Pediatría",
        "'Dr. Luis Mejía'",
        "'Dra. Eva Paz'",
    ] {
        desk_ok(&env, &format!("doctor add {d}"));
    }
    desk_ok(&env, "service add Consulta --minutes 30");
    desk_ok(&env, "service add Ecografía --minutes '1 h'");
    desk_ok(
        &env,
        "--no-input window add -d Ruiz --days lun-vie --from 8 --to 12pm --slot-minutes 30",
    );
    desk_ok(
        &env,
        "--no-input window add -d Mejía --days lun-vie --from 14h --to 18h --slot-minutes 30",
    );
    desk_ok(
        &env,
        "--no-input window add -d Paz --days sáb --from 8am --to 12 --slot-minutes 30",
    );
    desk_ok(
        &env,
        "clinic update 'Clínica San Benito' --online-booking on --all-online",
    );
    desk_ok(&env, "window list");
    desk_ok(&env, "doctor list");

    // The desk's morning: Spanish words, local phones, times as said.
    let booked = env.ok(&[
        "book",
        "-d",
        "Ruiz",
        "-s",
        "consulta",
        "-D",
        "mañana",
        "-t",
        "9",
        "-P",
        "7012-3456",
        "--name",
        "Lucía Castro",
    ]);
    let lucia = s(&booked["appointment"]["id"]).to_string();
    desk_ok(
        &env,
        "book -d Ruiz -s consulta -D mañana -t '9:30 am' -P 7012-3457 --name 'Pedro Paz'",
    );
    desk_ok(&env, "list");
    desk_ok(&env, "agenda -D mañana");
    desk_ok(&env, "slots -d Ruiz -D mañana");
    desk_ok(&env, "next -d Mejía");
    desk_ok(&env, &format!("status {lucia} confirmado"));
    let again = desk_ok(&env, &format!("status {lucia} confirmado"));
    assert!(again.contains("Ya estaba confirmada"), "{again}");
    desk_ok(&env, &format!("history {lucia}"));
    desk_ok(&env, "patient show 7012-3456");
    desk_ok(&env, "remind due --dry-run");
    // A refusal, in Spanish and with no flag's English name.
    let (refused, code) = desk(&env, &format!("status {lucia} ausente"));
    assert_ne!(code, 0, "{refused}");
    assert!(refused.contains("como ausente"), "{refused}");
    // The doctor's calendar, the month's report, a patient's erasure.
    desk_ok(&env, "feed add ruiz -d Ruiz --qr");
    desk_ok(&env, "report --mes pasado");
    desk_ok(&env, "patient erase 7012-3457 --reason 'lo pidió' --yes");

    // The board: inside the 2 h window the cancel asks, and its whole
    // question and how to answer it are on the screen.
    env.at("2026-06-16T14:20:00Z");
    let t = Tmux::start_in(&env, (80, 24), "APPT_LANG=es", "board");
    t.wait_for("Clínica San Benito");
    t.keys(&["/"]);
    t.keys(&["Lucía", "Enter"]);
    t.keys(&["x"]);
    t.keys(&["Se", "Space", "fue", "Enter"]);
    let screen = t.wait_for("(s/n)");
    assert!(screen.contains("s y Enter: sí"), "{screen}");
    let bad = faults(&screen);
    assert!(bad.is_empty(), "board:\n{}\n\n{screen}", bad.join("\n"));
    t.keys(&["n", "Enter"]);
    t.keys(&["?"]);
    let help = t.wait_for("Tab");
    let bad = faults(&help);
    assert!(bad.is_empty(), "board help:\n{}\n\n{help}", bad.join("\n"));
    // Any key closes the help; then `q` quits.
    t.keys(&["Enter"]);
    t.wait_until("the help closed", |s| !s.contains("Tab  los mensajes"));
    t.keys(&["q"]);
    let (_, code) = t.exit();
    assert_eq!(code, 0);
    assert_eq!(env.ok(&["show", &lucia])["status"], "confirmed");
}
