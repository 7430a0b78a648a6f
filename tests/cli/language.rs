//! Tests: human output in Spanish or English (docs/commands.md#language).
//! A front-desk day in Spanish with no English word in it; the locale picks
//! Spanish and `APPT_LANG` overrides it; JSON, error codes and `--help` are
//! the same in both languages.

use crate::common::*;
use serde_json::Value;

/// Words only the English catalogue uses: none may show in Spanish output.
const ENGLISH: &[&str] = &[
    "Booked",
    "not found",
    "Doctor",
    "Patient",
    "Appointment",
    "Monday",
    "Mon",
    "Jun",
    "hint:",
    "error:",
    "warning:",
    "Added",
    "Marked",
    "Cancelled",
    "Cancel",
    "Status",
    "Time",
    "Date",
    "Phone",
    "Service",
    "with",
    "token",
    "free",
    "clinic-wide",
    "Clinic",
    "Reminders",
    "reminder",
    "scheduled",
    "checked_in",
    "cancelled",
    "pending",
    "Database",
    "window",
    "Nothing",
    "appointment",
    "or",
];

/// What a Spanish run printed, stdout and stderr, and its exit code.
fn run(env: &Env, lang: &[(&str, &str)], args: &[&str]) -> (String, String, i32) {
    let mut c = env.cmd();
    for (k, v) in lang {
        c.env(k, v);
    }
    let out = c.args(args).output().expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn es(env: &Env, args: &[&str]) -> String {
    let (out, err, code) = run(env, &[("APPT_LANG", "es")], args);
    assert_eq!(code, 0, "appt {args:?}: {err}");
    no_english(args, &out);
    no_english(args, &err);
    out
}

/// Fails when a word of the English catalogue shows in `text`, as a word.
fn no_english(args: &[&str], text: &str) {
    for w in ENGLISH {
        let found = text.match_indices(w).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + w.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric())
                && !after.is_some_and(|c| c.is_alphanumeric())
        });
        assert!(
            !found,
            "appt {args:?}: English {w:?} in Spanish output:\n{text}"
        );
    }
}

fn json_of(env: &Env, lang: &[(&str, &str)], args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let (out, err, code) = run(env, lang, &all);
    assert_eq!(code, 0, "appt {args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("appt {args:?}: {e}: {out}"))
}

#[test]
fn a_front_desk_day_reads_in_spanish() {
    let env = Env::new();
    let out = es(
        &env,
        &[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
        ],
    );
    assert!(out.contains("Clínica agregada: Central"), "{out}");
    let out = es(
        &env,
        &[
            "doctor",
            "add",
            "Dra. Ana García",
            "--specialty",
            "Medicina General",
        ],
    );
    assert!(out.contains("Médico agregado: Dra. Ana García"), "{out}");
    let out = es(
        &env,
        &[
            "window",
            "add",
            "--doctor",
            "Dra. Ana García",
            "--days",
            "mon-fri",
            "--from",
            "09:00",
            "--to",
            "12:00",
        ],
    );
    assert!(out.contains("Horario agregado"), "{out}");
    let out = es(
        &env,
        &[
            "slots",
            "--doctor",
            "Dra. Ana García",
            "--date",
            "2026-06-15",
        ],
    );
    assert!(
        out.contains("lun 15 jun 2026") && out.contains("Hora"),
        "{out}"
    );
    let out = es(
        &env,
        &[
            "book",
            "--doctor",
            "Dra. Ana García",
            "--date",
            "2026-06-15",
            "--time",
            "10:00",
            "--phone",
            "+50377654321",
            "--name",
            "Juan Pérez",
        ],
    );
    assert!(out.starts_with("Cita reservada"), "{out}");
    assert!(
        out.contains("con Dra. Ana García") && out.contains("ficha 1 [programada]"),
        "{out}"
    );
    let first = json_of(&env, &[], &["list"])["appointments"][0]["id"]
        .as_str()
        .expect("an ID")
        .to_string();
    es(
        &env,
        &[
            "book",
            "--doctor",
            "Dra. Ana García",
            "--date",
            "2026-06-15",
            "--time",
            "11:00",
            "--phone",
            "+50370000001",
            "--name",
            "Rosa Díaz",
        ],
    );
    let out = es(&env, &["agenda", "--date", "2026-06-15"]);
    assert!(out.contains("lunes 15 de junio de 2026"), "{out}");
    assert!(out.contains("Paciente") && out.contains("libre"), "{out}");
    let out = es(&env, &["list"]);
    assert!(
        out.contains("Fecha") && out.contains("Estado") && out.contains("programada"),
        "{out}"
    );
    let out = es(&env, &["show", &first]);
    assert!(
        out.contains("Cita ") && out.contains("Médico") && out.contains("lun 15 jun 2026"),
        "{out}"
    );
    let out = es(&env, &["status", &first, "checked_in"]);
    assert!(out.starts_with("Llegada registrada"), "{out}");
    let out = es(
        &env,
        &["cancel", "Rosa Díaz", "--reason", "No puede venir", "--yes"],
    );
    assert!(out.starts_with("Cita cancelada"), "{out}");
    let out = es(&env, &["history", &first]);
    assert!(
        out.contains("cita reservada") && out.contains("Historial de"),
        "{out}"
    );
    let out = es(&env, &["clinic", "show", "Central"]);
    assert!(out.contains("  Plazo de cancelación  "), "{out}");
    let (_, err, _) = run(
        &env,
        &[("APPT_LANG", "es")],
        &[
            "book",
            "--doctor",
            "Nadie",
            "--date",
            "2026-06-15",
            "--time",
            "10:00",
            "--phone",
            "+50370000003",
        ],
    );
    no_english(
        &["book", "--doctor", "Nadie"],
        &err.replacen("error:", "", 1),
    );
    es(&env, &["remind", "list"]);
    es(&env, &["queue"]);
    es(&env, &["patient", "list"]);

    // An error and its hint, in Spanish; its code stays.
    let (out, err, code) = run(&env, &[("APPT_LANG", "es")], &["show", "ffffffff"]);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(err.starts_with("error: Cita no encontrada"), "{err}");
    no_english(&["show"], &err.replacen("error:", "", 1));
    let taken = [
        "book",
        "--doctor",
        "Dra. Ana García",
        "--date",
        "2026-06-15",
        "--time",
        "10:00",
        "--phone",
        "+50370000002",
        "--name",
        "Mario Ruiz",
    ];
    let (_, err, code) = run(&env, &[("APPT_LANG", "es")], &taken);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.starts_with("error: El médico no está disponible a esa hora\nsugerencia: libre más tarde ese día a las 10:30"),
        "{err}"
    );
    no_english(&taken, &err.replacen("error:", "", 1));
    let (_, err, _) = run(&env, &[("APPT_LANG", "es")], &["cancel", &first, "--yes"]);
    assert!(err.contains("falta --reason"), "{err}");
}

#[test]
fn the_locale_picks_spanish_and_appt_lang_overrides_it() {
    let env = Env::clinic();
    let spanish = run(&env, &[("LANG", "es_SV.UTF-8")], &["doctor", "list"]).0;
    assert!(
        spanish.contains("Nombre") && spanish.contains("Especialidad"),
        "{spanish}"
    );
    let spanish = run(&env, &[("LC_ALL", "es_ES.UTF-8")], &["doctor", "list"]).0;
    assert!(spanish.contains("Especialidad"), "{spanish}");
    let english = run(
        &env,
        &[("LANG", "es_SV.UTF-8"), ("APPT_LANG", "en")],
        &["doctor", "list"],
    )
    .0;
    assert!(english.contains("Specialty"), "{english}");
    let english = run(&env, &[], &["doctor", "list"]).0;
    assert!(english.contains("Specialty"), "{english}");
}

#[test]
fn json_codes_and_help_are_the_same_in_both_languages() {
    let env = Env::clinic();
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "10:00",
        "--phone",
        "+50377654321",
        "--name",
        "Juan Pérez",
    ]);
    let spanish = [("APPT_LANG", "es")];
    for args in [
        &["list"][..],
        &["agenda", "--date", "2026-06-15"],
        &["slots", "--doctor", "Dr. García", "--date", "2026-06-15"],
        &["clinic", "list"],
        &["remind", "list"],
    ] {
        assert_eq!(
            json_of(&env, &[], args),
            json_of(&env, &spanish, args),
            "appt {args:?}"
        );
    }
    // An error document keeps its English message and code.
    let english = run(&env, &[], &["show", "ffffffff", "--json"]);
    let in_spanish = run(&env, &spanish, &["show", "ffffffff", "--json"]);
    assert_eq!(english.1, in_spanish.1);
    assert_eq!(english.2, in_spanish.2);
    assert!(english.1.contains("NOT_FOUND"));
    // --help stays English.
    for args in [&["--help"][..], &["book", "--help"]] {
        assert_eq!(
            run(&env, &[], args).0,
            run(&env, &spanish, args).0,
            "appt {args:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Messages by ID: every ID the source names is in the catalogues, every entry
// is used, and no error is built from a sentence of its own.

/// The string literals of `text` (escapes and line continuations resolved).
fn literals(text: &str) -> Vec<String> {
    let b: Vec<char> = text.chars().collect();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        match b[i] {
            '/' if b.get(i + 1) == Some(&'/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '\'' if b.get(i + 2) == Some(&'\'') => i += 3,
            '\'' if b.get(i + 1) == Some(&'\\') => i += 4,
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' {
                        match b.get(i + 1) {
                            Some('\n') => {
                                i += 2;
                                while i < b.len() && b[i].is_whitespace() {
                                    i += 1;
                                }
                                continue;
                            }
                            Some('n') => s.push('\n'),
                            Some(c) => s.push(*c),
                            None => {}
                        }
                        i += 2;
                        continue;
                    }
                    s.push(b[i]);
                    i += 1;
                }
                out.push(s);
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The text of a call from `start` (just past its opening bracket) to its close.
fn call(text: &str, start: usize) -> &str {
    let (mut depth, mut in_str, mut esc) = (1, false, false);
    for (i, c) in text[start..].char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[start..start + i];
                }
            }
            _ => {}
        }
    }
    &text[start..]
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The product code of every source file (each file up to its tests).
fn sources() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| !f.ends_with("tests.rs"))
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("source");
            let text = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_string();
            (f, text)
        })
        .collect()
}

/// The IDs of a catalogue: each line that starts a message.
fn catalogue_ids(name: &str) -> std::collections::BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("src/text").join(name)).expect("catalogue");
    text.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" = ").or_else(|| l.split_once(" =")))
        .map(|(id, _)| id.trim().to_string())
        .collect()
}

/// The kinds of ID the source builds from a value (`status-{code}`), and
/// so never names whole.
const BUILT: &[&str] = &[
    // A booking source as a report says it (`source-web`).
    "source-",
    "h-feed_show_",
    "status-",
    "reminder-",
    "event-",
    "b-is-",
    "col-",
    "purge-",
    "v-marked_",
    "kind-",
    "day-",
    "order-",
    "queue_order-",
    "urgency-",
    "modality-",
    "visit_type-",
    "x-",
    "xr-",
    "overbook_rule-",
    "recall-",
    "lead-",
];

fn is_id(s: &str) -> bool {
    let Some((prefix, rest)) = s.split_once('-') else {
        return false;
    };
    !rest.is_empty()
        && prefix.len() <= 7
        && prefix.chars().all(|c| c.is_ascii_lowercase())
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '#')
}

#[test]
fn every_message_id_is_in_both_catalogues_and_every_entry_is_used() {
    let en = catalogue_ids("en.ftl");
    let es = catalogue_ids("es.ftl");
    assert_eq!(en, es, "en.ftl and es.ftl hold different IDs");
    let mut used = std::collections::BTreeSet::new();
    let mut unknown = Vec::new();
    for (f, text) in sources() {
        for lit in literals(&text) {
            if en.contains(&lit) {
                used.insert(lit);
            } else if is_id(&lit)
                && lit.starts_with(|c: char| c.is_ascii_lowercase())
                && ["e-", "h-", "c-", "p-", "d-", "b-", "v-", "pg-"]
                    .iter()
                    .any(|p| lit.starts_with(p))
            {
                unknown.push(format!("{}: {lit}", f.display()));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "message IDs with no entry in src/text/en.ftl and es.ftl:\n{}",
        unknown.join("\n")
    );
    // The message of text from outside appt is `text`.
    let unused: Vec<_> = en
        .iter()
        .filter(|id| !used.contains(*id))
        .filter(|id| !BUILT.iter().any(|p| id.starts_with(p)))
        .filter(|id| *id != "text")
        .collect();
    assert!(
        unused.is_empty(),
        "catalogue entries no source names (remove them, or name the kind of ID built from a value in BUILT):\n{unused:#?}"
    );
}

/// What may build a message from text rather than an ID: text from outside
/// appt (a driver's, a library's or the system's words), passed as it is.
const VERBATIM_ALLOWED: &[&str] = &["Msg::verbatim(", ".to_string().into()"];

#[test]
fn no_error_is_built_from_a_sentence_of_its_own() {
    let triggers = [
        "Error::new(",
        "Error::field(",
        "Error::internal(",
        "Error::database(",
        ".hint(",
        "bad.add(",
        "Msg::from(",
        "damaged(",
    ];
    let mut found = Vec::new();
    for (f, text) in sources() {
        for t in triggers {
            for (at, _) in text.match_indices(t) {
                let inside = call(&text, at + t.len());
                let sentence = literals(inside)
                    .into_iter()
                    .find(|l| l.trim().contains(' ') && !is_id(l))
                    .filter(|_| !VERBATIM_ALLOWED.iter().any(|v| inside.contains(v)));
                let formatted = inside.contains("format!(")
                    && !inside.contains("msg!(")
                    && !VERBATIM_ALLOWED.iter().any(|v| inside.contains(v));
                if sentence.is_some() || formatted {
                    let line = text[..at].lines().count();
                    found.push(format!(
                        "{}:{line}: {}",
                        f.display(),
                        inside.trim().chars().take(90).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "errors built from a sentence rather than a message ID (see docs/commands.md#language):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_local_number_refused_for_want_of_a_country_code_is_said_in_spanish() {
    let env = crate::common::Env::clinic();
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args([
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            "10:00",
            "--phone",
            "7765-4321",
            "--name",
            "Ana",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("no tiene código de país"), "{said}");
    assert!(said.contains("para escribir números locales"), "{said}");
    for english in ["has no country code", "to type local numbers", "hint:"] {
        assert!(!said.contains(english), "{english} in {said}");
    }
}
