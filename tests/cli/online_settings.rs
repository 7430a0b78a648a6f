//! Tests: the settings of the online booking page
//! (docs/commands.md#appt-clinic-addlistshowupdate): a clinic's
//! `--online-booking`, `--slug`, `--web-horizon`, `--web-notice` and
//! `--web-hold`, and a doctor's and a service's `--online`; their defaults,
//! their checks, their JSON and cards, and a schema-33 database upgraded.

use crate::common::{s, Env};
use serde_json::Value;

fn clinic(env: &Env, name: &str) -> Value {
    env.ok(&["clinic", "show", name])
}

/// The human output of `args` (whole, not fitted to a terminal).
fn human(env: &Env, lang: &str, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("APPT_LANG", lang)
        .args(args)
        .output()
        .expect("run");
    assert!(out.status.success(), "appt {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_new_clinic_has_the_pages_defaults_and_the_slug_of_its_name() {
    let env = Env::new();
    let c = env.ok(&[
        "clinic",
        "add",
        "Clínica San Benito",
        "--timezone",
        "America/El_Salvador",
    ]);
    assert_eq!(c["online_booking"], false, "{c}");
    assert_eq!(c["slug"], "clinica-san-benito", "{c}");
    assert_eq!(c["web_horizon"], "30d", "{c}");
    assert_eq!(c["web_notice"], "2h", "{c}");
    assert_eq!(c["web_hold"], "10m", "{c}");
    // Stored: NULL for the slug of the name, the defaults in minutes.
    assert_eq!(
        env.rows("SELECT online_booking, slug, web_horizon, web_notice, web_hold FROM clinics"),
        [["0", "NULL", "43200", "120", "10"]]
    );
    // The slug follows the name until the clinic gives its own.
    let c = env.ok(&[
        "clinic",
        "update",
        "Clínica San Benito",
        "--name",
        "Niños & Cía. (Sur)",
    ]);
    assert_eq!(c["slug"], "ninos-cia-sur", "{c}");
}

#[test]
fn each_setting_is_set_and_read_back() {
    let env = Env::clinic();
    let c = env.ok(&[
        "clinic",
        "update",
        "Central",
        "--online-booking",
        "on",
        "--slug",
        "san-benito-2",
        "--web-horizon",
        "14d",
        "--web-notice",
        "0m",
        "--web-hold",
        "15m",
    ]);
    let shown = clinic(&env, "Central");
    assert_eq!(c, shown);
    assert_eq!(shown["online_booking"], true, "{shown}");
    assert_eq!(shown["slug"], "san-benito-2");
    assert_eq!(shown["web_horizon"], "14d");
    assert_eq!(shown["web_notice"], "0m");
    assert_eq!(shown["web_hold"], "15m");
    // Durations in other words, and the bounds of a hold.
    let c = env.ok(&[
        "clinic",
        "update",
        "Central",
        "--web-notice",
        "90 min",
        "--web-horizon",
        "2 días",
    ]);
    assert_eq!(c["web_horizon"], "2d", "{c}");
    assert_eq!(c["web_notice"], "1h30m", "{c}");
    for (hold, shown) in [("1m", "1m"), ("60m", "1h"), ("1h", "1h")] {
        let c = env.ok(&["clinic", "update", "Central", "--web-hold", hold]);
        assert_eq!(c["web_hold"], shown, "{hold}: {c}");
    }
    // `none` gives the clinic back the slug of its name; off turns the page off.
    let c = env.ok(&[
        "clinic",
        "update",
        "Central",
        "--slug",
        "none",
        "--online-booking",
        "off",
    ]);
    assert_eq!(c["slug"], "central", "{c}");
    assert_eq!(c["online_booking"], false, "{c}");
    assert_eq!(env.rows("SELECT slug FROM clinics"), [["NULL"]]);
    // Set on add too.
    let c = env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
        "--online-booking",
        "yes",
        "--slug",
        "norte-1",
        "--web-hold",
        "5m",
    ]);
    assert_eq!(
        (&c["online_booking"], s(&c["slug"]), s(&c["web_hold"])),
        (&Value::Bool(true), "norte-1", "5m")
    );
}

#[test]
fn spanish_turns_the_page_on() {
    let env = Env::clinic();
    for (typed, on) in [("sí", true), ("no", false), ("SI", true), ("off", false)] {
        let c = env.ok(&["clinic", "update", "Central", "--online-booking", typed]);
        assert_eq!(c["online_booking"], on, "{typed}: {c}");
    }
    env.refused(
        &["clinic", "update", "Central", "--online-booking", "quizás"],
        "VALIDATION_ERROR",
        2,
    );
}

#[test]
fn bad_settings_are_refused_and_change_nothing() {
    let env = Env::clinic();
    for bad in [
        "San-Benito",
        "-central",
        "central-",
        "clínica",
        "san benito",
        "a_b",
        "",
    ] {
        // `--slug=…`: a value starting with `-` is not read as a flag.
        let d = env.refused(
            &["clinic", "update", "Central", &format!("--slug={bad}")],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["slug"].is_string(), "{bad:?}: {d}");
    }
    let long = "a".repeat(61);
    env.refused(
        &["clinic", "update", "Central", "--slug", &long],
        "VALIDATION_ERROR",
        2,
    );
    let sixty = "a".repeat(60);
    let c = env.ok(&["clinic", "update", "Central", "--slug", &sixty]);
    assert_eq!(c["slug"], sixty.as_str());
    for (flag, value) in [
        ("--web-hold", "2h"),
        ("--web-hold", "0m"),
        ("--web-hold", "61m"),
        ("--web-horizon", "0m"),
        ("--web-horizon", "soon"),
        ("--web-notice", "-1h"),
    ] {
        let d = env.refused(
            &["clinic", "update", "Central", &format!("{flag}={value}")],
            "VALIDATION_ERROR",
            2,
        );
        let field = flag.trim_start_matches("--").replace('-', "_");
        assert!(d[&field].is_string(), "{flag} {value}: {d}");
    }
    // Every bad field at once, the good ones not applied either.
    let d = env.refused(
        &[
            "clinic",
            "update",
            "Central",
            "--web-hold",
            "2h",
            "--slug",
            "Bad",
            "--online-booking",
            "on",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["web_hold"].is_string() && d["slug"].is_string(), "{d}");
    assert_eq!(clinic(&env, "Central")["online_booking"], false);
}

#[test]
fn two_clinics_never_share_a_booking_page() {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Clínica San Benito",
        "--timezone",
        "America/El_Salvador",
    ]);
    // Another name with the same slug (Ω is no letter of a slug), or the
    // slug given.
    let d = env.refused(
        &[
            "clinic",
            "add",
            "Clínica San Benito Ω",
            "--timezone",
            "America/El_Salvador",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["slug"].is_string(), "{d}");
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    let d = env.refused(
        &["clinic", "update", "Norte", "--slug", "clinica-san-benito"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(s(&d["slug"]).contains("Clínica San Benito"), "{d}");
    // A rename onto another clinic's slug, and a slug another clinic's name gives.
    env.refused(
        &[
            "clinic",
            "update",
            "Norte",
            "--name",
            "Clinica San Benito Ω",
        ],
        "VALIDATION_ERROR",
        2,
    );
    env.ok(&["clinic", "update", "Norte", "--slug", "sb"]);
    env.refused(
        &["clinic", "add", "SB", "--timezone", "America/El_Salvador"],
        "VALIDATION_ERROR",
        2,
    );
    // With a slug of its own, the name is free: and a clinic keeps its own slug.
    let c = env.ok(&[
        "clinic",
        "add",
        "Clinica San Benito (2)",
        "--timezone",
        "America/El_Salvador",
        "--slug",
        "san-benito-2",
    ]);
    assert_eq!(c["slug"], "san-benito-2");
    env.ok(&["clinic", "update", "Norte", "--slug", "sb"]);
    env.ok(&["clinic", "update", "Clínica San Benito", "--web-hold", "5m"]);
}

#[test]
fn doctors_and_services_are_offered_online_only_when_asked() {
    let env = Env::clinic();
    let d = env.ok(&["doctor", "show", "Dr. García"]);
    assert_eq!(d["online"], false, "{d}");
    let sv = &env.ok(&["service", "list"])["services"][0];
    assert_eq!(sv["online"], false, "{sv}");
    let d = env.ok(&["doctor", "update", "Dr. García", "--online", "yes"]);
    assert_eq!(d["online"], true, "{d}");
    assert_eq!(env.ok(&["doctor", "show", "Dr. García"])["online"], true);
    assert_eq!(env.ok(&["doctor", "list"])["doctors"][0]["online"], true);
    let sv = env.ok(&["service", "update", "General Checkup", "--online", "sí"]);
    assert_eq!(sv["online"], true, "{sv}");
    assert_eq!(env.ok(&["service", "list"])["services"][0]["online"], true);
    // On add; and back off in any of the words.
    let d = env.ok(&["doctor", "add", "Dra. Rivera", "--online", "on"]);
    assert_eq!(d["online"], true, "{d}");
    let sv = env.ok(&[
        "service",
        "add",
        "Vacunación",
        "--minutes",
        "15",
        "--online",
        "yes",
    ]);
    assert_eq!(sv["online"], true, "{sv}");
    let d = env.ok(&["doctor", "update", "Dra. Rivera", "--online", "no"]);
    assert_eq!(d["online"], false, "{d}");
    let sv = env.ok(&["service", "update", "Vacunación", "--online", "off"]);
    assert_eq!(sv["online"], false, "{sv}");
    // Anything else is refused, naming the field.
    let d = env.refused(
        &["doctor", "update", "Dr. García", "--online", "tal vez"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["online"].is_string(), "{d}");
    let d = env.refused(
        &["service", "update", "General Checkup", "--online", "2"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["online"].is_string(), "{d}");
    env.refused(
        &["doctor", "add", "Dr. Nadie", "--online", "x"],
        "VALIDATION_ERROR",
        2,
    );
}

#[test]
fn the_cards_and_lists_show_the_settings_in_both_languages() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--online-booking",
        "on",
        "--public-url",
        "https://citas.example.com",
        "--web-hold",
        "15m",
    ]);
    let en = human(&env, "en", &["clinic", "show", "Central"]);
    for line in [
        "Online booking",
        "https://citas.example.com/b/central",
        "Web horizon",
        "30d",
        "Web notice",
        "2h",
        "Web hold",
        "15m",
    ] {
        assert!(en.contains(line), "{line}: {en}");
    }
    let es = human(&env, "es", &["clinic", "show", "Central"]);
    for line in ["Reservas en línea", "Página de reservas", "Aviso web"] {
        assert!(es.contains(line), "{line}: {es}");
    }
    // Lists show Online once the page offers a doctor or a service.
    assert!(!human(&env, "en", &["doctor", "list"]).contains("Online"));
    env.ok(&["doctor", "update", "Dr. García", "--online", "yes"]);
    env.ok(&["service", "update", "General Checkup", "--online", "yes"]);
    for what in ["doctor", "service"] {
        let t = human(&env, "en", &[what, "list"]);
        assert!(t.contains("Online"), "{t}");
        let t = human(&env, "es", &[what, "list"]);
        assert!(t.contains("En línea"), "{t}");
    }
}

#[test]
fn the_settings_come_to_a_schema_33_database() {
    let env = Env::clinic();
    crate::common::undo_schema_34(&env);
    crate::common::set_schema_version(&env, 33);
    let c = clinic(&env, "Central");
    assert_eq!(
        (&c["online_booking"], s(&c["slug"]), s(&c["web_hold"])),
        (&Value::Bool(false), "central", "10m"),
        "{c}"
    );
    assert_eq!(env.ok(&["doctor", "show", "Dr. García"])["online"], false);
    let c = env.ok(&["clinic", "update", "Central", "--web-hold", "20m"]);
    assert_eq!(c["web_hold"], "20m");
    // The database's own rule refuses a hold appt never writes.
    assert!(env.try_exec("UPDATE clinics SET web_hold = 61").is_err());
    assert!(env.try_exec("UPDATE clinics SET web_hold = 0").is_err());
}
