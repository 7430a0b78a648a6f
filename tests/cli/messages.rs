//! Tests: what patients read — a clinic's language, phone, public URL and
//! templates, the ready text of every kind of message, and its signed link
//! (docs/rules.md#messages, docs/security.md#patient-links).

use crate::common::{s, Env};
use serde_json::Value;

const TUE: &str = "2026-06-16";
const URL: &str = "https://citas.example";

/// The common clinic with notifications on, in `lang`, with a phone and a
/// public URL (given with a trailing slash, which is trimmed).
fn clinic(lang: &str) -> Env {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--notify",
        "on",
        "--language",
        lang,
        "--phone",
        "2222-3333",
        "--public-url",
        "https://citas.example/",
    ]);
    env
}

fn book(env: &Env, date: &str, time: &str, phone: &str, name: &str) -> Value {
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        date,
        "--time",
        time,
        "--phone",
        phone,
        "--name",
        name,
    ])["appointment"]
        .clone()
}

/// The one message a sweep delivers.
fn one(env: &Env) -> Value {
    let mut lines = env.sweep_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines.remove(0)
}

/// A waiting patient for Dr. García on `date`.
fn wait(env: &Env, date: &str) {
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        date,
        "--phone",
        "+50370000002",
        "--name",
        "Beto Ruiz",
    ]);
}

/// The token of a patient's link, checked for its shape.
fn token(link: &str) -> &str {
    let t = link
        .strip_prefix(&format!("{URL}/p/"))
        .unwrap_or_else(|| panic!("not a link under the public URL: {link}"));
    assert_eq!(t.len(), 43, "{t}");
    assert!(
        t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
        "{t}"
    );
    t
}

#[test]
fn the_settings_are_set_shown_listed_and_checked() {
    // docs/commands.md#appt-clinic-addlistshowupdate
    let env = Env::new();
    let c = env.ok(&["clinic", "add", "Norte", "--timezone", "America/New_York"]);
    assert_eq!(c["language"], "en");
    assert_eq!(c["phone"], Value::Null);
    assert_eq!(c["public_url"], Value::Null);
    assert_eq!(c["templates"], serde_json::json!({}));
    let c = env.ok(&[
        "clinic",
        "add",
        "Sur",
        "--timezone",
        "America/El_Salvador",
        "--language",
        "ES",
        "--phone",
        " +503 2222-3333 ",
        "--public-url",
        "https://citas.example/sur/",
    ]);
    assert_eq!(c["language"], "es");
    assert_eq!(c["phone"], "+503 2222-3333");
    assert_eq!(c["public_url"], "https://citas.example/sur");
    let shown = env.ok(&["clinic", "show", "Sur"]);
    assert_eq!(shown["public_url"], "https://citas.example/sur");
    let listed = env.ok(&["clinic", "list"]);
    let langs: Vec<&str> = listed["clinics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["language"]))
        .collect();
    assert_eq!(langs, ["en", "es"]);
    let out = env.cmd().args(["clinic", "show", "Sur"]).output().unwrap();
    let card = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Language",
        "es",
        "+503 2222-3333",
        "Public URL",
        "https://citas.example/sur",
    ] {
        assert!(card.contains(line), "{line} not in\n{card}");
    }
    for (flag, value, field) in [
        ("--language", "fr", "language"),
        ("--phone", "call us", "phone"),
        ("--phone", "12", "phone"),
        ("--public-url", "citas.example", "public_url"),
        ("--public-url", "ftp://citas.example", "public_url"),
        ("--public-url", "https://u:pw@citas.example", "public_url"),
        ("--public-url", "https://citas.example/?x=1", "public_url"),
        ("--public-url", "https://citas.example/#top", "public_url"),
    ] {
        let d = env.refused(
            &["clinic", "update", "Sur", flag, value],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d[field].is_string(), "{flag} {value}: {d}");
    }
    let c = env.ok(&[
        "clinic",
        "update",
        "Sur",
        "--phone",
        "none",
        "--public-url",
        "none",
        "--language",
        "en",
    ]);
    assert_eq!(c["phone"], Value::Null);
    assert_eq!(c["public_url"], Value::Null);
    assert_eq!(c["language"], "en");
}

#[test]
fn every_kind_reads_in_spanish_with_the_phone_and_one_link_per_target() {
    // docs/rules.md#messages
    let mut env = clinic("es");
    let a = book(&env, TUE, "10:00", "+50370000001", "María José Pérez");
    let m = one(&env);
    assert_eq!(m["kind"], "confirmation");
    let link = s(&m["link"]).to_string();
    token(&link);
    assert_eq!(
        m["message"],
        format!(
            "Hola María, su cita con Dr. García en Central quedó reservada para el martes 16 de \
             junio a las 10:00. Para confirmar, cancelar o cambiar la hora: {link} Si tiene dudas, \
             llame al 2222-3333."
        )
    );

    env.ok(&[
        "reschedule",
        s(&a["id"]),
        "--date",
        "2026-06-17",
        "--time",
        "11:30",
    ]);
    let m = one(&env);
    assert_eq!(
        m["message"],
        format!(
            "Hola María, su cita con Dr. García en Central cambió del martes 16 de junio a las \
             10:00 al miércoles 17 de junio a las 11:30. Para confirmar, cancelar o cambiar la \
             hora: {link} Si tiene dudas, llame al 2222-3333."
        )
    );
    assert_eq!(m["link"], link.as_str(), "one link per appointment");

    // The 24 h reminder: Tuesday 11:30 local is 17:30Z.
    env.at("2026-06-16T17:30:00Z");
    let m = one(&env);
    assert_eq!(m["kind"], "reminder");
    assert_eq!(
        m["message"],
        format!(
            "Hola María, le recordamos su cita con Dr. García en Central el miércoles 17 de junio \
             a las 11:30. Para confirmar, cancelar o cambiar la hora: {link} Si tiene dudas, llame \
             al 2222-3333."
        )
    );
    assert_eq!(m["link"], link.as_str());

    wait(&env, "2026-06-17");
    env.ok(&[
        "cancel",
        s(&a["id"]),
        "--reason",
        "Número mal escrito",
        "--tell-patient",
        "viaje",
    ]);
    let mut lines = env.sweep_lines();
    lines.sort_by(|a, b| s(&a["kind"]).cmp(s(&b["kind"])));
    let kinds: Vec<&str> = lines.iter().map(|l| s(&l["kind"])).collect();
    assert_eq!(kinds, ["cancelled", "waitlist_offer"]);
    assert_eq!(
        lines[0]["message"],
        "Hola María, su cita con Dr. García en Central del miércoles 17 de junio a las 11:30 fue \
         cancelada (motivo: viaje). Para una nueva cita, llame al 2222-3333."
    );
    assert_eq!(lines[0]["link"], Value::Null, "a cancellation has no link");
    let offer = s(&lines[1]["link"]).to_string();
    token(&offer);
    assert_ne!(offer, link, "the offer has a link of its own");
    assert_eq!(
        lines[1]["message"],
        format!(
            "Hola Beto, se liberó una hora con Dr. García en Central: el miércoles 17 de junio a \
             las 11:30. Resérvela aquí: {offer} Para reservarla por teléfono, llame al 2222-3333."
        )
    );
}

#[test]
fn every_kind_reads_in_english_across_a_clock_change_without_phone_or_link() {
    // docs/rules.md#messages: New York leaves daylight time on Sunday 1 November 2026.
    let mut env = Env::new();
    env.at("2026-10-26T14:00:00Z");
    env.ok(&["clinic", "add", "Norte", "--timezone", "America/New_York"]);
    env.ok(&["doctor", "add", "Dr. García"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let a = book(&env, "2026-10-30", "10:00", "+12125550101", "John Smith");
    let m = one(&env);
    assert_eq!(
        m["message"],
        "Hello John, your appointment with Dr. García at Norte is booked for Friday 30 October at \
         10:00."
    );
    assert!(m.get("link").is_none(), "no public URL, no link: {m}");
    env.ok(&[
        "reschedule",
        s(&a["id"]),
        "--date",
        "2026-11-02",
        "--time",
        "09:00",
    ]);
    assert_eq!(
        one(&env)["message"],
        "Hello John, your appointment with Dr. García at Norte has moved from Friday 30 October \
         at 10:00 to Monday 2 November at 09:00."
    );
    // 24 h before Monday 09:00 EST (14:00Z) is Sunday 14:00Z, after the change.
    env.at("2026-11-01T14:00:00Z");
    assert_eq!(
        one(&env)["message"],
        "Hello John, this is a reminder of your appointment with Dr. García at Norte on Monday 2 \
         November at 09:00."
    );
    wait(&env, "2026-11-02");
    env.ok(&[
        "cancel",
        s(&a["id"]),
        "--reason",
        "Wrong number",
        "--tell-patient",
        "Travel",
    ]);
    let mut lines = env.sweep_lines();
    lines.sort_by(|a, b| s(&a["kind"]).cmp(s(&b["kind"])));
    assert_eq!(
        lines[0]["message"],
        "Hello John, your appointment with Dr. García at Norte on Monday 2 November at 09:00 has \
         been cancelled (Travel)."
    );
    assert_eq!(
        lines[1]["message"],
        "Hello Beto, a time has come free with Dr. García at Norte: Monday 2 November at 09:00."
    );
}

#[test]
fn a_clinics_template_replaces_the_text_is_checked_when_set_and_restored() {
    // docs/rules.md#messages
    let env = clinic("es");
    let c = env.ok(&[
        "clinic",
        "update",
        "Central",
        "--template",
        "confirmation={patient}: {date}, {time}[ ({reason})] {{ok}}[ {link}]",
    ]);
    assert_eq!(
        c["templates"]["confirmation"],
        "{patient}: {date}, {time}[ ({reason})] {{ok}}[ {link}]"
    );
    book(&env, TUE, "10:00", "+50370000001", "Ana López");
    let m = one(&env);
    assert_eq!(
        m["message"],
        format!("Ana: martes 16 de junio, 10:00 {{ok}} {}", s(&m["link"]))
    );
    for (bad, says) in [
        ("reminder=Hola {nombre}", "'nombre'"),
        ("reminder=Hola {patient", "unmatched '{'"),
        ("reminder=Hola [{link}", "unmatched '['"),
        ("reminder=[a [b]]", "inside another"),
        ("sms=Hola", "Unknown message kind 'sms'"),
        ("reminder", "KIND=TEXT"),
    ] {
        let d = env.refused(
            &["clinic", "update", "Central", "--template", bad],
            "VALIDATION_ERROR",
            2,
        );
        assert!(s(&d["template"]).contains(says), "{bad}: {d}");
    }
    // In Spanish too.
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args([
            "clinic",
            "update",
            "Central",
            "--template",
            "reminder={nombre}",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Marcador desconocido 'nombre'"), "{err}");

    let c = env.ok(&["clinic", "update", "Central", "--template", "confirmation="]);
    assert_eq!(c["templates"], serde_json::json!({}));
    book(&env, TUE, "11:00", "+50370000003", "Eva Díaz");
    let m = one(&env);
    assert!(
        s(&m["message"]).starts_with("Hola Eva, su cita con Dr. García en Central quedó reservada"),
        "{m}"
    );
}

#[test]
fn a_link_is_opaque_stable_and_kept_apart_from_the_database() {
    // docs/security.md#patient-links
    let env = clinic("en");
    let a = book(&env, TUE, "10:00", "+50370000001", "Ana López");
    let m = one(&env);
    let link = s(&m["link"]).to_string();
    let t = token(&link);
    let id = s(&a["id"]);
    for part in [
        id,
        &id[..8],
        &id.replace('-', "")[..12],
        "Ana",
        "50370000001",
    ] {
        assert!(!t.contains(part), "{part} in {t}");
    }
    let rows = env.rows("SELECT kind, target_id FROM patient_links");
    assert_eq!(rows, [vec!["appointment".to_string(), id.to_string()]]);
    // The nonce is stored, the token is not: the MAC needs the link key.
    let stored = env.rows("SELECT nonce FROM patient_links");
    assert!(!t.contains(&stored[0][0]) && stored[0][0].len() == 32);
    env.ok(&["reschedule", id, "--time", "11:00"]);
    assert_eq!(one(&env)["link"], link.as_str(), "the same link next time");
    assert_eq!(env.rows("SELECT count(*) FROM patient_links")[0][0], "1");
    if !crate::common::on_postgres() {
        use std::os::unix::fs::PermissionsExt;
        let key_file = format!("{}.link-key", env.db.display());
        let meta = std::fs::metadata(&key_file).expect("the link key file beside the database");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    // A link key that is not one is refused, and named; the message waits.
    book(&env, TUE, "12:00", "+50370000003", "Eva Díaz");
    let out = env
        .cmd()
        .env("APPT_LINK_KEY", "not-a-key")
        .args(["remind", "due", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("APPT_LINK_KEY"));
    assert_eq!(one(&env)["kind"], "confirmation");
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only")]
fn a_server_database_needs_its_link_key_from_the_environment() {
    // docs/security.md#patient-links: no file beside a server database.
    let env = clinic("en");
    book(&env, TUE, "10:00", "+50370000001", "Ana López");
    let out = env
        .cmd()
        .env_remove("APPT_LINK_KEY")
        .args(["remind", "due", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("APPT_LINK_KEY"), "{err}");
    // Nothing was delivered: the message waits for the next run.
    assert_eq!(one(&env)["kind"], "confirmation");
}

#[test]
fn a_hook_gets_the_message_and_the_link_and_never_the_link_key() {
    // docs/security.md#secrets-in-hooks-argv-and-messages
    let env = clinic("es");
    book(&env, TUE, "10:00", "+50370000001", "María Pérez");
    let dump = env.dir.path().join("env.txt");
    let hook = format!("env > {}", dump.display());
    let link_key = "5ec2e7000000000000000000000000000000000000000000000000000000abcd";
    let out = env
        .cmd()
        .env("APPT_LINK_KEY", link_key)
        .env("APPT_MESSAGE", "stale")
        .args(["remind", "due", "--exec", &hook])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let seen = std::fs::read_to_string(&dump).unwrap();
    assert!(
        !seen.contains(link_key),
        "the hook saw the link key:\n{seen}"
    );
    assert!(!seen.contains("APPT_LINK_KEY="), "{seen}");
    assert!(!seen.contains("APPT_MESSAGE=stale"), "{seen}");
    let var = |name: &str| {
        seen.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in\n{seen}"))
            .to_string()
    };
    let link = var("APPT_LINK");
    token(&link);
    assert_eq!(
        var("APPT_MESSAGE"),
        format!(
            "Hola María, su cita con Dr. García en Central quedó reservada para el martes 16 de \
             junio a las 10:00. Para confirmar, cancelar o cambiar la hora: {link} Si tiene dudas, \
             llame al 2222-3333."
        )
    );
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn the_demo_clinic_speaks_spanish_and_gives_its_phone() {
    let env = Env::new();
    let out = env.cmd().args(["demo", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let c = env.ok(&["clinic", "show", "Clínica San Benito"]);
    assert_eq!(c["language"], "es");
    assert_eq!(c["phone"], "2250-1000");
    let lines = env.sweep_lines();
    assert!(!lines.is_empty());
    for l in &lines {
        let text = s(&l["message"]);
        assert!(text.starts_with("Hola "), "{text}");
        assert!(text.contains("llame al 2250-1000"), "{text}");
    }
}
