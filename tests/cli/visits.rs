//! Tests: visits as clinics count them (docs/rules.md#visits): each
//! appointment's urgency, modality, visit type and payer — defaults, the
//! visit type derived, the clinic's payers, the words in either language,
//! `show`, the filters of `list`, `import` and the API.

use crate::common::{s, Env};
use crate::serve::{token, Server};
use serde_json::{json, Value};

fn visit(a: &Value) -> Value {
    json!([a["urgency"], a["modality"], a["visit_type"], a["payer"]])
}

/// Books Dr. García at `time` on Tuesday (or on the `-D` in `extra`).
fn book(env: &Env, time: &str, phone: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "book",
        "-d",
        "Dr. García",
        "-t",
        time,
        "-P",
        phone,
        "--name",
        "Ana",
    ];
    if !extra.contains(&"-D") {
        args.extend_from_slice(&["-D", "2026-06-16"]);
    }
    args.extend_from_slice(extra);
    env.ok(&args)["appointment"].clone()
}

fn payers(env: &Env) {
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--payers",
        "Privado, ISSS,Seguros Futuro",
    ]);
}

#[test]
fn a_visit_is_normal_in_person_and_the_first_until_one_was_completed() {
    let mut env = Env::clinic();
    let a = book(&env, "09:00", "+50370000001", &[]);
    assert_eq!(visit(&a), json!(["normal", "in_person", "first", null]));
    // Booked before the first was seen: still a first visit.
    let b = book(&env, "10:00", "+50370000001", &["-D", "2026-06-17"]);
    assert_eq!(b["visit_type"], "first");
    env.at("2026-06-16T15:30:00Z");
    env.ok(&["status", s(&a["id"]), "completed", "--diagnosis", "J00"]);
    let c = book(&env, "11:00", "+50370000001", &["-D", "2026-06-18"]);
    assert_eq!(c["visit_type"], "follow_up");
    // Another patient, and the same patient with another doctor, are first visits.
    let d = book(&env, "11:30", "+50370000002", &["-D", "2026-06-18"]);
    assert_eq!(d["visit_type"], "first");
    env.ok(&["doctor", "add", "Dra. Ruiz"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dra. Ruiz",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "16:00",
    ]);
    let e = env.ok(&[
        "book",
        "-d",
        "Dra. Ruiz",
        "-D",
        "2026-06-19",
        "-t",
        "14:00",
        "-P",
        "+50370000001",
    ])["appointment"]
        .clone();
    assert_eq!(e["visit_type"], "first");
    // Said, it is not derived.
    let f = book(
        &env,
        "12:00",
        "+50370000001",
        &["-D", "2026-06-22", "--visit-type", "primera vez"],
    );
    assert_eq!(f["visit_type"], "first");
    // The earlier visit still counts as it was.
    assert_eq!(env.ok(&["show", s(&b["id"])])["visit_type"], "first");
}

#[test]
fn the_words_are_taken_in_either_language_and_an_unknown_one_is_refused() {
    let env = Env::clinic();
    payers(&env);
    let a = book(
        &env,
        "09:00",
        "+50370000001",
        &[
            "--urgency",
            "URGENTE",
            "--modality",
            "Telemedicina",
            "--visit-type",
            "control",
            "--payer",
            "isss",
        ],
    );
    assert_eq!(
        visit(&a),
        json!(["urgent", "telemedicine", "follow_up", "ISSS"])
    );
    let b = book(
        &env,
        "09:30",
        "+50370000002",
        &[
            "--urgency",
            "emergencia",
            "--modality",
            "a domicilio",
            "--visit-type",
            "seguimiento",
        ],
    );
    assert_eq!(visit(&b), json!(["emergency", "home", "follow_up", null]));
    let c = book(
        &env,
        "10:00",
        "+50370000003",
        &["--urgency", "emergency", "--modality", "in_person"],
    );
    assert_eq!(visit(&c), json!(["emergency", "in_person", "first", null]));
    let d = env.refused(
        &[
            "book",
            "-d",
            "Dr. García",
            "-D",
            "2026-06-16",
            "-t",
            "11:00",
            "-P",
            "+50370000004",
            "--name",
            "Eva",
            "--urgency",
            "pronto",
            "--modality",
            "carta",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(s(&d["urgency"]).contains("urgente"), "{d}");
    assert!(s(&d["modality"]).contains("telemedicina"), "{d}");
    // In Spanish, the refusal is said in Spanish.
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args([
            "book",
            "-d",
            "Dr. García",
            "-D",
            "2026-06-16",
            "-t",
            "11:00",
            "-P",
            "+50370000004",
            "--name",
            "Eva",
            "--visit-type",
            "tercera",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Tipo de consulta desconocido 'tercera'"),
        "{err}"
    );
}

#[test]
fn a_payer_is_one_of_the_clinics_and_an_unknown_one_is_refused_with_the_list() {
    let env = Env::clinic();
    let book_payer = |payer: &str| {
        vec![
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
            "Ana",
            "--payer",
            payer,
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let args = book_payer("ISSS");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // A clinic that keeps none refuses every payer.
    env.refused(&args, "VALIDATION_ERROR", 2);
    payers(&env);
    let c = env.ok(&["clinic", "show", "Central"]);
    assert_eq!(c["payers"], json!(["Privado", "ISSS", "Seguros Futuro"]));
    let bad = book_payer("Fosalud");
    let bad: Vec<&str> = bad.iter().map(String::as_str).collect();
    let d = env.refused(&bad, "VALIDATION_ERROR", 2);
    assert_eq!(d["payers"], json!(["Privado", "ISSS", "Seguros Futuro"]));
    assert!(
        s(&d["payer"]).contains("Privado, ISSS, Seguros Futuro"),
        "{d}"
    );
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(&bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "Pagador desconocido 'Fosalud': use uno de estos: Privado, ISSS, Seguros Futuro"
        ),
        "{err}"
    );
    let a = env.ok(&args)["appointment"].clone();
    assert_eq!(a["payer"], "ISSS");
    // An update to an unknown payer changes nothing; a blank one clears it.
    env.refused(
        &["update", s(&a["id"]), "--payer", "Fosalud"],
        "VALIDATION_ERROR",
        2,
    );
    let u = env.ok(&["update", s(&a["id"]), "--payer", ""]);
    assert_eq!(u["payer"], Value::Null);
}

#[test]
fn show_says_what_kind_of_visit_in_either_language() {
    let env = Env::clinic();
    payers(&env);
    let a = book(
        &env,
        "09:00",
        "+50370000001",
        &[
            "--urgency",
            "urgent",
            "--modality",
            "home",
            "--payer",
            "Privado",
        ],
    );
    let show = |lang: &str| {
        let out = env
            .cmd()
            .env("APPT_LANG", lang)
            .args(["show", s(&a["id"])])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let en = show("en");
    for line in [
        "Urgency   urgent",
        "Modality  home visit",
        "Visit     first visit",
        "Payer     Privado",
    ] {
        assert!(en.contains(line), "{line:?} in {en}");
    }
    let es = show("es");
    for line in [
        "Urgencia  urgente",
        "Modalidad a domicilio",
        "Consulta  primera vez",
        "Pagador   Privado",
    ] {
        assert!(es.contains(line), "{line:?} in {es}");
    }
}

#[test]
fn update_and_reschedule_change_them_and_history_rebuilds_each() {
    let env = Env::clinic();
    payers(&env);
    let a = book(&env, "09:00", "+50370000001", &[]);
    let id = s(&a["id"]).to_string();
    let u = env.ok(&["update", &id, "--urgency", "urgente", "--payer", "privado"]);
    assert_eq!(
        visit(&u),
        json!(["urgent", "in_person", "first", "Privado"])
    );
    let r = env.ok(&[
        "reschedule",
        &id,
        "-t",
        "10:00",
        "--modality",
        "telemedicina",
    ])["appointment"]
        .clone();
    let r = if r.is_null() {
        env.ok(&["show", &id])
    } else {
        r
    };
    assert_eq!(
        visit(&r),
        json!(["urgent", "telemedicine", "first", "Privado"])
    );
    let history = env.ok(&["history", &id])["events"].clone();
    let seen: Vec<Value> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| visit(&e["data"]["appointment"]))
        .collect();
    assert_eq!(
        seen,
        [
            json!(["normal", "in_person", "first", null]),
            json!(["urgent", "in_person", "first", "Privado"]),
            json!(["urgent", "telemedicine", "first", "Privado"]),
        ]
    );
    let updated = &history[1]["data"]["changed"];
    assert_eq!(*updated, json!(["urgency", "payer"]));
}

#[test]
fn list_filters_by_each_in_either_language() {
    let env = Env::clinic();
    payers(&env);
    book(
        &env,
        "09:00",
        "+50370000001",
        &["--urgency", "urgent", "--payer", "ISSS"],
    );
    book(
        &env,
        "09:30",
        "+50370000002",
        &["--modality", "telemedicine", "--visit-type", "follow_up"],
    );
    book(&env, "10:00", "+50370000003", &["--payer", "Privado"]);
    let total = |extra: &[&str]| {
        let mut args = vec!["list", "-D", "2026-06-16"];
        args.extend_from_slice(extra);
        env.ok(&args)["total"].as_i64().unwrap()
    };
    assert_eq!(total(&[]), 3);
    assert_eq!(total(&["--urgency", "urgente"]), 1);
    assert_eq!(total(&["--urgency", "normal"]), 2);
    assert_eq!(total(&["--modality", "telemedicina"]), 1);
    assert_eq!(total(&["--visit-type", "primera vez"]), 2);
    assert_eq!(total(&["--visit-type", "control"]), 1);
    assert_eq!(total(&["--payer", "ISSS"]), 1);
    assert_eq!(total(&["--clinic", "Central", "--payer", "privado"]), 1);
    env.refused(&["list", "--urgency", "pronto"], "VALIDATION_ERROR", 2);
}

#[test]
fn an_import_line_names_them_in_snake_case() {
    let env = Env::clinic();
    payers(&env);
    let line = json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "09:00",
        "phone": "+50370000001", "name": "Ana", "urgency": "urgente", "modality": "home",
        "visit_type": "control", "payer": "Seguros Futuro"});
    let bad = json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "09:30",
        "phone": "+50370000002", "name": "Eva", "payer": "Fosalud"});
    let path = env.dir.path().join("in.jsonl");
    std::fs::write(&path, format!("{line}\n{bad}\n")).unwrap();
    let out = env
        .cmd()
        .args(["import", &path.display().to_string(), "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["booked"], 1, "{v}");
    assert_eq!(v["errors"][0]["code"], "VALIDATION_ERROR", "{v}");
    let listed = env.ok(&["list", "-D", "2026-06-16"]);
    assert_eq!(
        visit(&listed["appointments"][0]),
        json!(["urgent", "home", "follow_up", "Seguros Futuro"])
    );
}

#[test]
fn the_api_books_updates_and_lists_them() {
    let env = Env::clinic();
    payers(&env);
    let t = token(&env, "desk", "appointments:read,appointments:write", &[]);
    let srv = Server::start(&env, &[]);
    let body = json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "09:00",
        "phone": "+50370000001", "name": "Ana", "urgency": "emergencia",
        "modality": "telemedicine", "payer": "isss"});
    let r = srv.call("POST", "/v1/appointments", Some(&t), Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    let a = r.json()["appointment"].clone();
    assert_eq!(
        visit(&a),
        json!(["emergency", "telemedicine", "first", "ISSS"])
    );
    let bad = json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "09:30",
        "phone": "+50370000002", "name": "Eva", "payer": "Fosalud"});
    let r = srv.call("POST", "/v1/appointments", Some(&t), Some(&bad));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["details"]["payers"][1], "ISSS");
    let path = format!("/v1/appointments/{}", s(&a["id"]));
    let r = srv.call(
        "PATCH",
        &path,
        Some(&t),
        Some(&json!({"visit_type": "seguimiento"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["visit_type"], "follow_up");
    let r = srv.call(
        "GET",
        "/v1/appointments?urgency=emergency&modality=telemedicina",
        Some(&t),
        None,
    );
    assert_eq!(r.json()["total"], 1, "{}", r.body);
    let r = srv.call("GET", "/v1/appointments?visit_type=first", Some(&t), None);
    assert_eq!(r.json()["total"], 0, "{}", r.body);
}

#[test]
fn a_telemedicine_visit_s_messages_carry_the_clinic_s_video_link() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--notify",
        "on",
        "--video-url",
        "https://meet.example.com/central?pwd=7",
    ]);
    let c = env.ok(&["clinic", "show", "Central"]);
    assert_eq!(c["video_url"], "https://meet.example.com/central?pwd=7");
    env.refused(
        &["clinic", "update", "Central", "--video-url", "meet example"],
        "VALIDATION_ERROR",
        2,
    );
    book(
        &env,
        "09:00",
        "+50370000001",
        &["--modality", "telemedicina"],
    );
    book(&env, "09:30", "+50370000002", &[]);
    let sent = env.sweep_lines();
    let text = |phone: &str| {
        sent.iter()
            .find(|m| m["appointment"]["patient"]["phone"] == phone)
            .map(|m| s(&m["message"]).to_string())
            .unwrap_or_else(|| panic!("no message to {phone}: {sent:?}"))
    };
    assert!(
        text("+50370000001")
            .contains("The visit is by video: https://meet.example.com/central?pwd=7"),
        "{sent:?}"
    );
    assert!(!text("+50370000002").contains("video"), "{sent:?}");
    env.ok(&["clinic", "update", "Central", "--language", "es"]);
    book(
        &env,
        "10:00",
        "+50370000003",
        &["--modality", "telemedicine"],
    );
    let sent = env.sweep_lines();
    let es = sent
        .iter()
        .find(|m| m["appointment"]["patient"]["phone"] == "+50370000003")
        .unwrap();
    assert!(
        s(&es["message"])
            .contains("La consulta es por video: https://meet.example.com/central?pwd=7"),
        "{es}"
    );
}

#[test]
fn the_fhir_export_gives_priority_the_v2_0276_type_the_modality_and_the_payer() {
    let mut env = Env::clinic();
    payers(&env);
    let emergency = book(
        &env,
        "09:00",
        "+50370000001",
        &["--urgency", "emergencia", "--payer", "isss"],
    );
    let first = book(&env, "09:30", "+50370000002", &["--modality", "domicilio"]);
    let follow = book(
        &env,
        "10:00",
        "+50370000003",
        &["--urgency", "urgent", "--visit-type", "control"],
    );
    env.at("2026-06-16T15:35:00Z");
    let walk_in = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "--walk-in",
        "-P",
        "+50370000004",
        "--name",
        "Luis",
    ])["appointment"]
        .clone();
    let path = crate::export::export_file(&env, "visits.json", &["--format", "fhir"]);
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let of = |a: &Value| {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .find(|r| r["id"] == a["id"])
            .cloned()
            .unwrap()
    };
    let kind = |r: &Value| {
        let c = &r["appointmentType"]["coding"][0];
        assert_eq!(c["system"], "http://terminology.hl7.org/CodeSystem/v2-0276");
        (r["priority"].clone(), s(&c["code"]).to_string())
    };
    assert_eq!(kind(&of(&emergency)), (json!(1), "EMERGENCY".into()));
    assert_eq!(kind(&of(&first)), (json!(5), "ROUTINE".into()));
    assert_eq!(kind(&of(&follow)), (json!(3), "FOLLOWUP".into()));
    assert_eq!(kind(&of(&walk_in)), (json!(5), "WALKIN".into()));
    assert_eq!(
        of(&emergency)["extension"],
        json!([
            {"url": "urn:appt:fhir:modality", "valueString": "in_person"},
            {"url": "urn:appt:fhir:payer", "valueString": "ISSS"}
        ])
    );
    assert_eq!(
        of(&first)["extension"],
        json!([{"url": "urn:appt:fhir:modality", "valueString": "home"}])
    );
    crate::export::fhir_validators_accept(&path);
}
