//! Tests: who does what (docs/rules.md#who-does-what, issue 62) — a clinic
//! of several specialties, each doctor's services and each window's, and
//! every tool that offers a time agreeing on which.

use crate::common::{s, Env};
use crate::serve::{token, Server};
use serde_json::Value;
use std::collections::BTreeSet;

/// Monday 1 June 2026, 07:00 in San Salvador.
const NOW: &str = "2026-06-01T13:00:00Z";

/// A clinic in San Salvador as a new user sets it up: a general
/// practitioner whose two windows take general visits only, a pediatrician
/// who does pediatrics and vaccinations (her window names none), a dentist
/// whose window takes cleanings (an hour on a half-hour grid), a doctor with
/// no limits, and a clinic-wide vaccination morning on Saturdays; a few
/// visits booked; the booking page on with every doctor and service.
fn santa_lucia() -> Env {
    let mut env = Env::new();
    env.now = NOW.into();
    env.ok(&[
        "clinic",
        "add",
        "Clínica Santa Lucía",
        "--timezone",
        "America/El_Salvador",
        "--country-code",
        "+503",
        "--notify",
        "off",
    ]);
    for (name, minutes) in [
        ("Consulta general", "30"),
        ("Consulta pediátrica", "20"),
        ("Limpieza dental", "60"),
        ("Vacuna", "15"),
    ] {
        env.ok(&[
            "service",
            "add",
            name,
            "--minutes",
            minutes,
            "--online",
            "yes",
        ]);
    }
    env.ok(&[
        "doctor",
        "add",
        "Dr. Carlos Méndez",
        "--specialty",
        "Medicina general",
    ]);
    env.ok(&[
        "doctor",
        "add",
        "Dra. Rosa Ramírez",
        "--specialty",
        "Pediatría",
        "--services",
        "Consulta pediátrica,vacuna",
    ]);
    env.ok(&[
        "doctor",
        "add",
        "Dr. Jorge Alvarado",
        "--specialty",
        "Odontología",
    ]);
    env.ok(&["doctor", "add", "Dra. Lucía López"]);
    let window = |who: &[&str], days: &str, from: &str, to: &str, services: Option<&str>| {
        let mut args = vec!["window", "add"];
        args.extend_from_slice(who);
        args.extend(["--days", days, "--from", from, "--to", to]);
        if let Some(s) = services {
            args.extend(["--services", s]);
        }
        env.ok(&args);
    };
    window(
        &["-d", "Méndez"],
        "lun-vie",
        "08:00",
        "12:00",
        Some("Consulta general"),
    );
    window(
        &["-d", "Méndez"],
        "lun-vie",
        "14:00",
        "17:00",
        Some("Consulta general"),
    );
    window(&["-d", "Ramírez"], "lun-vie", "08:00", "11:00", None);
    window(
        &["-d", "Alvarado"],
        "lun-sáb",
        "08:00",
        "12:00",
        Some("Limpieza dental"),
    );
    window(&["-d", "López"], "lun-vie", "13:00", "16:00", None);
    window(&["--clinic-wide"], "sáb", "08:00", "10:00", Some("Vacuna"));
    for doctor in ["Méndez", "Ramírez", "Alvarado", "López"] {
        env.ok(&["doctor", "update", doctor, "--online", "yes"]);
    }
    env.ok(&[
        "clinic",
        "update",
        "Clínica Santa Lucía",
        "--public-url",
        "https://citas.santalucia.example",
        "--slug",
        "santa-lucia",
        "--online-booking",
        "on",
        "--web-notice",
        "0m",
    ]);
    // Some visits, so that the days are not all alike: each booked
    // naming no service where one is implied.
    for (doctor, date, time, phone, service) in [
        ("Méndez", "2026-06-02", "09:00", "70000001", None),
        ("Méndez", "2026-06-03", "15:30", "70000002", None),
        ("Ramírez", "2026-06-02", "08:30", "70000003", Some("Vacuna")),
        ("Alvarado", "2026-06-04", "10:00", "70000004", None),
        ("López", "2026-06-05", "13:30", "70000005", None),
    ] {
        let mut args = vec![
            "book", "-d", doctor, "-D", date, "-t", time, "--phone", phone, "--name", "Paciente",
        ];
        if let Some(s) = service {
            args.extend(["--service", s]);
        }
        env.ok(&args);
    }
    env
}

/// `appt ARGS` as a person reads it in `lang`, 80 columns wide.
fn human(env: &Env, lang: &str, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("APPT_LANG", lang)
        .env("COLUMNS", "80")
        .args(args)
        .output()
        .expect("run");
    assert!(out.status.success(), "appt {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The starts (UTC, RFC 3339) of a JSON list of slots.
fn starts(slots: &Value) -> BTreeSet<String> {
    slots
        .as_array()
        .expect("slots")
        .iter()
        .map(|x| s(&x["starts_at"]).to_string())
        .collect()
}

/// The times the booking page offers in its HTML, each `DOCTOR|START`.
fn page_times(html: &str, doctor: &str) -> BTreeSet<String> {
    let mark = format!("{doctor}|");
    html.match_indices(&mark)
        .map(|(i, _)| html[i + mark.len()..i + mark.len() + 20].to_string())
        .collect()
}

/// `slots`, `next`, `agenda`'s free slots, `GET /v1/slots` and the booking
/// page's times are the same set for every doctor (and the clinic-wide
/// windows) on every day of two weeks, no service named (docs/rules.md#who-does-what).
#[test]
fn every_tool_offers_the_same_times_for_every_doctor_and_day() {
    let env = santa_lucia();
    let tok = token(&env, "bot", "appointments:read", &[]);
    let server = Server::start(&env, &[]);
    let doctors = env.ok(&["doctor", "list"])["doctors"].clone();
    let services = env.ok(&["service", "list"])["services"].clone();
    let mut some = 0;
    for day in 0..14 {
        let date = (chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
            + chrono::Duration::days(day))
        .to_string();
        let agenda = env.ok(&["agenda", "--date", &date]);
        let sheet_of = |id: Option<&str>| -> BTreeSet<String> {
            agenda["doctors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["doctor"]["id"].as_str() == id)
                .map(|d| {
                    d["rows"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|r| r["kind"] == "free")
                        .map(|r| s(&r["starts_at"]).to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        for d in doctors.as_array().unwrap() {
            let id = s(&d["id"]);
            let name = s(&d["full_name"]);
            let slots = starts(&env.ok(&["slots", "-d", id, "--date", &date])["slots"]);
            let api = server.get(&format!("/v1/slots?doctor={id}&date={date}"), &tok);
            assert_eq!(api.status, 200, "{}", api.body);
            let next = env.ok(&["next", "-d", id, "--after", &date, "--limit", "100"]);
            let next: BTreeSet<String> = next["slots"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["date"] == date.as_str())
                .map(|x| s(&x["starts_at"]).to_string())
                .collect();
            let mut page = BTreeSet::new();
            for service in services.as_array().unwrap() {
                let html = server
                    .call(
                        "GET",
                        &format!(
                            "/b/santa-lucia?service={}&doctor={id}&date={date}",
                            s(&service["id"])
                        ),
                        None,
                        None,
                    )
                    .body;
                page.extend(page_times(&html, id));
            }
            let what = format!("{name} on {date}");
            assert_eq!(starts(&api.json()["slots"]), slots, "GET /v1/slots: {what}");
            assert_eq!(next, slots, "next: {what}");
            assert_eq!(sheet_of(Some(id)), slots, "agenda: {what}");
            assert_eq!(page, slots, "the booking page: {what}");
            some += slots.len();
        }
        // The clinic-wide windows.
        let slots = starts(&env.ok(&["slots", "--clinic-wide", "--date", &date])["slots"]);
        let api = server.get(&format!("/v1/slots?clinic_wide=true&date={date}"), &tok);
        assert_eq!(starts(&api.json()["slots"]), slots, "clinic-wide on {date}");
        assert_eq!(sheet_of(None), slots, "agenda, clinic-wide on {date}");
    }
    assert!(some > 200, "a fortnight of free times: {some}");
}

/// The five symptoms of issue 62, each gone: `next` and `slots` of a doctor
/// whose windows take one service, booking without naming it, `agenda`'s
/// free count, and a doctor of several services answering for each.
#[test]
fn one_service_possible_is_implied_and_several_are_each_answered() {
    let env = santa_lucia();
    // Méndez's windows take general visits only: implied.
    let next = env.ok(&["next", "-d", "Méndez"]);
    assert!(!next["slots"].as_array().unwrap().is_empty(), "{next}");
    let day = env.ok(&["slots", "-d", "Méndez", "--date", "2026-06-02"]);
    assert_eq!(day["duration_minutes"], 30);
    let first = &day["slots"][0];
    assert_eq!(first["services"][0]["name"], "Consulta general", "{first}");
    let a = &env.ok(&[
        "book",
        "-d",
        "Méndez",
        "-D",
        "2026-06-02",
        "-t",
        "08:00",
        "--phone",
        "70000011",
        "--name",
        "Ana Ruiz",
    ])["appointment"];
    assert_eq!(a["service"]["name"], "Consulta general", "{a}");
    let es = human(&env, "es", &["agenda", "-D", "2026-06-08", "-d", "Méndez"]);
    assert!(es.contains("14 libres"), "{es}");
    // Alvarado's cleanings take an hour: implied, at their length.
    let day = env.ok(&["slots", "-d", "Alvarado", "--date", "2026-06-08"]);
    assert_eq!(day["duration_minutes"], 60);
    assert_eq!(s(&day["slots"][0]["end_time"]), "09:00");
    // Ramírez does two services: each slot names both; booking names one.
    let day = env.ok(&["slots", "-d", "Ramírez", "--date", "2026-06-08"]);
    let names: Vec<&str> = day["slots"][0]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["name"]))
        .collect();
    assert_eq!(names, ["Consulta pediátrica", "Vacuna"], "{day}");
    let beto = |service: Option<&str>| {
        let mut args = vec![
            "book",
            "-d",
            "Ramírez",
            "-D",
            "2026-06-08",
            "-t",
            "08:00",
            "--phone",
            "70000012",
            "--name",
            "Beto",
        ];
        args.extend(service.map(|s| ["--service", s]).into_iter().flatten());
        env.fails(&args, "INVALID_TIME_SLOT", 5)
    };
    beto(None);
    // A service the doctor does not do is refused, though the window takes any.
    let e = beto(Some("Consulta general"));
    assert_eq!(
        e["service_names"],
        serde_json::json!(["Consulta pediátrica", "Vacuna"])
    );
    // `slots` naming a service she does not do says why.
    let text = human(
        &env,
        "es",
        &[
            "slots",
            "-d",
            "Ramírez",
            "-D",
            "2026-06-08",
            "-s",
            "Consulta general",
        ],
    );
    assert!(text.contains("Consulta pediátrica, Vacuna"), "{text}");
}

/// The booking page, walked as a parent choosing pediatrics: only the
/// pediatrician is offered, her days have times, and "first free" finds hers.
#[test]
fn the_booking_page_offers_only_the_doctors_who_do_the_service() {
    let env = santa_lucia();
    let server = Server::start(&env, &[]);
    let get = |query: &str| {
        let r = server.call("GET", &format!("/b/santa-lucia{query}"), None, None);
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    };
    let id = |what: &str, name: &str| {
        env.ok(&[what, "show", name])["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let services = env.ok(&["service", "list"]);
    let pediatrics = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Consulta pediátrica")
        .map(|x| s(&x["id"]).to_string())
        .unwrap();
    let (ramirez, mendez, lopez) = (
        id("doctor", "Ramírez"),
        id("doctor", "Méndez"),
        id("doctor", "López"),
    );
    let doctors = get(&format!("?service={pediatrics}"));
    assert!(doctors.contains("Dra. Rosa Ramírez"), "{doctors}");
    // López does every service in a window that takes any: she is offered too.
    assert!(doctors.contains("Dra. Lucía López"), "{doctors}");
    assert!(
        !doctors.contains("Méndez") && !doctors.contains("Alvarado"),
        "{doctors}"
    );
    // Her days: every weekday has times, Saturday and Sunday none.
    let days = get(&format!("?service={pediatrics}&doctor={ramirez}"));
    assert!(days.contains("2026-06-02"), "{days}");
    // A doctor who does not do it, asked by a crafted address, is asked again.
    let wrong = get(&format!("?service={pediatrics}&doctor={mendez}"));
    assert!(!wrong.contains(&format!("{mendez}|")), "{wrong}");
    // "First free": only among those who do it.
    let any = get(&format!("?service={pediatrics}&doctor=any&date=2026-06-02"));
    assert!(any.contains(&format!("{ramirez}|")), "{any}");
    assert!(!any.contains(&format!("{mendez}|")), "{any}");
    // Saturday: nobody does pediatrics; the day offers nothing.
    let saturday = get(&format!("?service={pediatrics}&doctor=any&date=2026-06-06"));
    assert!(!saturday.contains(&format!("{ramirez}|")), "{saturday}");
    assert!(!saturday.contains(&format!("{lopez}|")), "{saturday}");
}

/// `doctor add|update --services`, shown in `doctor list` and the API; an
/// unknown service is NOT_FOUND naming it; a service in use is not removed;
/// a window in which the doctor does nothing is warned of and checked.
#[test]
fn a_doctors_services_are_set_shown_and_guarded() {
    let env = santa_lucia();
    let e = env.refused(
        &[
            "doctor",
            "update",
            "Méndez",
            "--services",
            "Consulta general,Cardiología",
        ],
        "NOT_FOUND",
        3,
    );
    assert_eq!(e["service"], "Cardiología", "{e}");
    let (_, err) = env.err(&["doctor", "add", "Dr. Nuevo", "--services", "Rayos X"]);
    assert!(s(&err["message"]).contains("Rayos X"), "{err}");
    let list = env.ok(&["doctor", "list"]);
    let ramirez = list["doctors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["full_name"] == "Dra. Rosa Ramírez")
        .unwrap()
        .clone();
    assert_eq!(
        ramirez["services"].as_array().unwrap().len(),
        2,
        "{ramirez}"
    );
    let tok = token(&env, "bot", "appointments:read", &[]);
    let server = Server::start(&env, &[]);
    let api = server.get("/v1/doctors", &tok).json();
    assert!(
        api["doctors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["services"] == ramirez["services"]),
        "{api}"
    );
    // Shown by name, whole, at 80 columns in both languages.
    for lang in ["es", "en"] {
        let doctors = human(&env, lang, &["doctor", "list"]);
        assert!(doctors.contains("Consulta pediátrica, Vacuna"), "{doctors}");
        assert!(doctors.contains("Dra. Rosa Ramírez"), "{doctors}");
        let windows = human(&env, lang, &["window", "list"]);
        assert!(
            windows.contains("Dr. Jorge Alvarado") && windows.contains("Limpieza dental"),
            "{windows}"
        );
        for t in [&doctors, &windows] {
            assert!(t.lines().all(|l| l.chars().count() <= 80), "{t}");
        }
    }
    // A transfer carries what each doctor does.
    let copy = env.dir.path().join("copy.db");
    env.ok(&["transfer", "--to", copy.to_str().unwrap()]);
    let copied = Env::on(copy.to_str().unwrap()).ok(&["doctor", "list"]);
    assert_eq!(copied["doctors"], list["doctors"]);
    // `all` again: every service.
    let d = env.ok(&["doctor", "update", "López", "--services", "todos"]);
    assert_eq!(d["services"], serde_json::json!([]));
    // A service a doctor does, or a visit to come takes, stays.
    let e = env.refused(&["service", "remove", "Vacuna"], "VALIDATION_ERROR", 2);
    assert_eq!(
        (e["doctors"].as_i64(), e["future_appointments"].as_i64()),
        (Some(1), Some(1))
    );
    let e = env.refused(
        &["service", "remove", "Limpieza dental"],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(
        (e["doctors"].as_i64(), e["future_appointments"].as_i64()),
        (Some(0), Some(1))
    );
    // Nor a service only a window takes: booking there would imply a
    // service no longer bookable.
    env.ok(&["service", "add", "Rayos X", "--minutes", "20"]);
    env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--date",
        "2026-06-20",
        "--from",
        "11:00",
        "--to",
        "12:00",
        "--services",
        "Rayos X",
    ]);
    let e = env.refused(&["service", "remove", "Rayos X"], "VALIDATION_ERROR", 2);
    assert_eq!(e["windows"].as_i64(), Some(1), "{e}");
    // A window in which the doctor does nothing: warned, and `check` says so.
    let out = env
        .cmd()
        .env("APPT_LANG", "en")
        .args([
            "window",
            "add",
            "-d",
            "Ramírez",
            "--days",
            "sáb",
            "--from",
            "08:00",
            "--to",
            "10:00",
            "--services",
            "Limpieza dental",
        ])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("does none of the services"), "{err}");
    let check = env.cmd().args(["check", "--json"]).output().expect("run");
    let found = String::from_utf8_lossy(&check.stdout).to_string();
    assert!(found.contains("window_services"), "{found}");
}
