//! Subject access (docs/privacy.md#subject-access): `appt patient export`
//! and `GET /v1/patients/{id}/export` give everything appt holds about one
//! patient — and nothing of anyone else's, no link's token, the national ID
//! only when asked — and record each export as an event; a token limited to
//! a clinic gets that clinic's part, and another clinic's patient is as
//! missing.

use crate::common::*;
use crate::export::fhir_validators_accept;
use crate::serve::{token, Server};
use serde_json::Value;

const TUE: &str = "2026-06-16";
const WED: &str = "2026-06-17";
const THU: &str = "2026-06-18";
const ANA: &str = "+50370001111";
const BETO: &str = "+50370002222";
const EXPORT: &str = "patients:export";

/// Env::clinic with notifications on and links in the messages.
fn linked() -> Env {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--notify",
        "on",
        "--public-url",
        "https://citas.example",
    ]);
    env
}

fn book(env: &Env, date: &str, time: &str, phone: &str, name: &str) -> Value {
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
        name,
        "--reason",
        "Control",
    ])["appointment"]
        .clone()
}

/// Ana López: a visit booked and moved, another booked and cancelled (its
/// time offered to Beto Ruiz, who waited for it), and a time Beto freed
/// offered to her while she waited; the sweeps sent
/// the messages (with links) as they came. Returns the env, Ana's two
/// visits, her waitlist entry, and each sweep's lines.
fn ana_with_a_history() -> (Env, [Value; 2], Value, [Vec<Value>; 3]) {
    let env = linked();
    let moved = book(&env, TUE, "09:00", ANA, "Ana López");
    let first = env.sweep_lines();
    env.ok(&[
        "reschedule",
        s(&moved["id"]),
        "-t",
        "10:00",
        "--reason",
        "Pidió más tarde",
    ]);
    let cancelled = book(&env, WED, "09:00", ANA, "Ana López");
    let second = env.sweep_lines();
    // Beto waits for her Wednesday: her cancelling offers it to him.
    env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "--date",
        WED,
        "-P",
        BETO,
        "--name",
        "Beto Ruiz",
    ]);
    env.ok(&["cancel", s(&cancelled["id"]), "--reason", "Viaje"]);
    let beto = book(&env, THU, "09:00", BETO, "Beto Ruiz");
    let entry = env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "--date",
        THU,
        "-P",
        ANA,
    ]);
    env.ok(&["cancel", s(&beto["id"]), "--reason", "Trabajo"]);
    let third = env.sweep_lines();
    (env, [moved, cancelled], entry, [first, second, third])
}

/// `patient export ARGS` to stdout: the document.
fn export(env: &Env, args: &[&str]) -> (Value, String) {
    let out = env
        .cmd()
        .args(["patient", "export"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "patient export {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (doc, text)
}

fn exported_events(env: &Env) -> Vec<Value> {
    env.lines(&["events", "--type", "patient.exported"])
}

fn kinds(list: &Value, key: &str) -> Vec<String> {
    let mut k: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| s(&v[key]).to_string())
        .collect();
    k.sort();
    k
}

#[test]
fn the_document_holds_the_record_visits_events_messages_waitlist_and_links() {
    let (env, [moved, cancelled], entry, sent) = ana_with_a_history();
    let (doc, text) = export(&env, &[ANA]);

    let p = &doc["patient"];
    assert_eq!(p["full_name"], "Ana López");
    assert_eq!(p["phone"], ANA);
    assert_eq!(p["national_id"], Value::Null);
    assert_eq!(doc["national_id_included"], false);
    assert_eq!(doc["clinic_id"], Value::Null);
    assert_eq!(doc["exported_at"], MONDAY_8AM);

    // Every visit, in start order, as `show` shows it, with its events as
    // `history` shows them.
    let visits = doc["appointments"].as_array().unwrap();
    assert_eq!(visits.len(), 2, "{doc}");
    // But the freed time offered to Beto, in her cancelled visit's events,
    // keeps its time and not Beto's entry.
    for (v, a) in visits.iter().zip([&moved, &cancelled]) {
        assert_eq!(v["appointment"], env.ok(&["show", s(&a["id"])]));
        let mut history = env.ok(&["history", s(&a["id"])])["events"].clone();
        for e in history.as_array_mut().unwrap() {
            if e["type"] == "appointment.slot_offered" {
                assert_eq!(e["data"]["waitlist"]["patient"]["phone"], BETO);
                e["data"].as_object_mut().unwrap().remove("waitlist");
            }
        }
        assert_eq!(v["events"], history);
    }
    let offered = &visits[1]["events"][2];
    assert_eq!(offered["type"], "appointment.slot_offered");
    assert_eq!(offered["data"]["time"], "09:00");
    assert_eq!(offered["data"]["date"], WED);
    assert_eq!(
        kinds(&visits[0]["events"], "type"),
        ["appointment.booked", "appointment.rescheduled"]
    );
    assert_eq!(
        kinds(&visits[1]["events"], "type"),
        [
            "appointment.booked",
            "appointment.cancelled",
            "appointment.slot_offered"
        ]
    );
    assert_eq!(visits[1]["appointment"]["status"], "cancelled");

    // Her messages, with their states and texts; the offer of Beto's time.
    let messages = &doc["messages"];
    for kind in [
        "cancelled",
        "confirmation",
        "reminder",
        "rescheduled",
        "waitlist_offer",
    ] {
        assert!(
            kinds(messages, "kind").contains(&kind.to_string()),
            "{kind}: {messages}"
        );
    }
    for m in messages.as_array().unwrap() {
        assert!(s(&m["text"]).contains("Ana"), "{m}");
        assert!(
            ["pending", "sent", "cancelled"].contains(&s(&m["status"])),
            "{m}"
        );
    }
    let offer = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "waitlist_offer")
        .unwrap();
    assert_eq!(offer["appointment_id"], Value::Null, "Beto's visit");
    assert_eq!(offer["waitlist_id"], entry["id"]);
    assert_eq!(offer["status"], "sent");
    assert!(s(&offer["text"]).contains("09:00"), "{offer}");
    // A text is written as appt writes it now, its link withheld: the
    // messages sent after the last change read as they were delivered; the
    // first confirmation says the time the visit has now.
    let [first, second, third] = &sent;
    let by_id = |id: &Value| {
        messages
            .as_array()
            .unwrap()
            .iter()
            .find(|m| &m["id"] == id)
            .cloned()
    };
    assert_eq!(first.len(), 1, "{first:?}");
    let confirmed = by_id(&first[0]["id"]).expect("the first confirmation");
    assert_eq!(confirmed["status"], "sent");
    assert!(s(&first[0]["message"]).contains("09:00"), "{}", first[0]);
    assert!(s(&confirmed["text"]).contains("10:00"), "{confirmed}");
    for line in first.iter().chain(second).chain(third) {
        let link = line["link"].as_str().unwrap_or_default();
        if !link.is_empty() {
            let token = link.rsplit('/').next().unwrap();
            assert!(!text.contains(token), "a link's token in the export");
        }
        let Some(m) = by_id(&line["id"]) else {
            // Beto's own messages, the offer of her time included.
            assert!(line.to_string().contains(BETO), "{line}");
            assert!(!line.to_string().contains(ANA), "{line}");
            continue;
        };
        if first.contains(line) {
            continue;
        }
        let delivered = if link.is_empty() {
            s(&line["message"]).to_string()
        } else {
            s(&line["message"]).replace(link, "https://citas.example/p/…")
        };
        assert_eq!(m["text"], delivered.as_str(), "{line}");
    }

    // Her waitlist entry, and the links made for her: what and when only.
    assert_eq!(doc["waitlist"].as_array().unwrap().len(), 1);
    assert_eq!(doc["waitlist"][0]["id"], entry["id"]);
    assert_eq!(doc["waitlist"][0]["offers"], 1);
    let links = doc["links"].as_array().unwrap();
    assert_eq!(
        kinds(&doc["links"], "kind"),
        ["appointment", "appointment", "offer"]
    );
    for l in links {
        let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["created_at", "kind", "target_id"], "{l}");
    }
    let mut targets = kinds(&doc["links"], "target_id");
    let mut expected = vec![
        s(&moved["id"]).to_string(),
        s(&cancelled["id"]).to_string(),
        s(&offer["id"]).to_string(),
    ];
    targets.sort();
    expected.sort();
    assert_eq!(targets, expected);
    for nonce in env.rows("SELECT nonce FROM patient_links") {
        assert!(!text.contains(&nonce[0]), "a link's nonce in the export");
    }

    // Nothing of Beto's, whose freed time she was offered.
    for other in ["Beto", BETO, "Trabajo"] {
        assert!(!text.contains(other), "{other} in Ana's export");
    }

    // The export is on record: who and when, no personal data.
    let recorded = exported_events(&env);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let e = &recorded[0];
    assert_eq!(e["appointment_id"], Value::Null);
    assert_eq!(e["created_at"], MONDAY_8AM);
    assert!(s(&e["actor"]).starts_with("cli:"), "{e}");
    assert_eq!(
        e["data"],
        serde_json::json!({"patient_id": p["id"], "format": "json", "national_id_included": false})
    );
    // The next export lists it.
    let (again, _) = export(&env, &[s(&p["id"])]);
    assert_eq!(again["events"].as_array().unwrap().len(), 1);
    assert_eq!(again["events"][0]["id"], e["id"]);
    assert_eq!(exported_events(&env).len(), 2);
}

#[test]
fn a_patient_is_found_as_other_patient_commands_find_them() {
    let (env, _, _, _) = ana_with_a_history();
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    let id = s(&export(&env, &[ANA]).0["patient"]["id"]).to_string();
    for typed in [id.as_str(), &id[..8], "Ana López", "ana lopez", "7000-1111"] {
        let got = export(&env, &[typed]).0;
        assert_eq!(got["patient"]["id"], id.as_str(), "{typed}");
    }
    let before = exported_events(&env).len();
    env.refused(&["patient", "export", "Nadie Nunca"], "NOT_FOUND", 3);
    env.refused(&["patient", "export", "+50379999999"], "NOT_FOUND", 3);
    assert_eq!(exported_events(&env).len(), before);
}

#[test]
fn the_national_id_only_with_the_flag() {
    let env = Env::clinic();
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Luis Mena",
        "-P",
        ANA,
        "--national-id",
        "01234567-8",
        "--email",
        "luis@example.com",
    ]);
    let (doc, text) = export(&env, &[ANA]);
    assert!(!text.contains("01234567"), "{text}");
    assert_eq!(doc["patient"]["national_id"], Value::Null);
    assert_eq!(doc["patient"]["email"], "luis@example.com");
    assert_eq!(doc["national_id_included"], false);
    let (doc, _) = export(&env, &[ANA, "--include-national-id"]);
    assert_eq!(doc["patient"]["national_id"], "01234567-8");
    assert_eq!(doc["national_id_included"], true);

    let fhir = |args: &[&str]| -> Value {
        let mut all = vec![ANA, "--format", "fhir"];
        all.extend_from_slice(args);
        export(&env, &all).0
    };
    let without = fhir(&[]);
    assert!(!without.to_string().contains("01234567"));
    let with = fhir(&["--include-national-id"]);
    let patient = &with["entry"][0]["resource"];
    assert_eq!(patient["resourceType"], "Patient");
    assert_eq!(patient["identifier"][0]["value"], "01234567-8");
    assert_eq!(
        patient["telecom"],
        serde_json::json!([{"system": "phone", "value": ANA},
                           {"system": "email", "value": "luis@example.com"}])
    );

    let recorded: Vec<(Value, Value)> = exported_events(&env)
        .iter()
        .map(|e| {
            (
                e["data"]["format"].clone(),
                e["data"]["national_id_included"].clone(),
            )
        })
        .collect();
    assert_eq!(
        recorded,
        [
            ("json".into(), false.into()),
            ("json".into(), true.into()),
            ("fhir".into(), false.into()),
            ("fhir".into(), true.into())
        ]
    );
    for e in exported_events(&env) {
        let data = e["data"].to_string();
        for private in ["Luis", ANA, "01234567", "luis@"] {
            assert!(!data.contains(private), "{private} in {data}");
        }
    }
}

#[cfg(unix)]
#[test]
fn output_writes_a_private_file_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _, _, _) = ana_with_a_history();
    let path = env.dir.path().join("ana.json");
    let said = env.ok(&["patient", "export", ANA, "-o", path.to_str().unwrap()]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["patient"]["phone"], ANA);
    assert_eq!(said["output"], path.to_str().unwrap());
    assert_eq!(said["format"], "json");
    assert_eq!(said["appointments"], 2);
    assert_eq!(said["patient_id"], doc["patient"]["id"]);
    // A person reads one line.
    let out = env
        .cmd()
        .args(["patient", "export", ANA, "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "Exported everything held about Ana López to {} (json)\n",
            path.display()
        )
    );
    assert_eq!(exported_events(&env).len(), 2);
}

#[test]
fn a_write_that_fails_is_an_error_and_records_nothing() {
    let (env, _, _, _) = ana_with_a_history();
    let missing = env.dir.path().join("no/such/folder/ana.json");
    env.refused(
        &["patient", "export", ANA, "-o", missing.to_str().unwrap()],
        "INTERNAL_ERROR",
        1,
    );
    assert!(!missing.exists());
    // Standard output that cannot take the document: the export was read
    // and the event written in its transaction, and both are given up.
    let before = env.snapshot();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = env
        .raw(&["patient", "export", ANA])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"),
        "{out:?}"
    );
    assert_eq!(env.snapshot(), before);
    assert!(exported_events(&env).is_empty());
}

#[test]
fn fhir_is_a_bundle_of_the_patient_and_their_appointments() {
    let (env, [moved, cancelled], _, _) = ana_with_a_history();
    let path = env.dir.path().join("ana-fhir.json");
    env.ok(&[
        "patient",
        "export",
        ANA,
        "--format",
        "fhir",
        "-o",
        path.to_str().unwrap(),
    ]);
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    let of = |kind: &str| -> Vec<Value> {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"].clone())
            .filter(|r| r["resourceType"] == kind)
            .collect()
    };
    let patients = of("Patient");
    assert_eq!(patients.len(), 1);
    assert_eq!(patients[0]["name"][0]["text"], "Ana López");
    assert_eq!(of("Practitioner").len(), 1);
    let apps = of("Appointment");
    assert_eq!(apps.len(), 2);
    assert_eq!(apps[0]["id"], moved["id"]);
    assert_eq!(apps[1]["id"], cancelled["id"]);
    assert_eq!(apps[1]["status"], "cancelled");
    assert!(!b.to_string().contains("Beto"));
    fhir_validators_accept(&path);
    assert_eq!(exported_events(&env)[0]["data"]["format"], "fhir");
}

/// `--format html`: a page to print and hand over, in the clinic's
/// language, holding what the JSON document holds (each message's text
/// as written now), every value escaped, nothing of another patient's.
#[test]
fn html_is_a_page_in_the_clinics_language_to_hand_over() {
    let (env, [moved, _], _, _) = ana_with_a_history();
    let page = |env: &Env| {
        let out = env
            .cmd()
            .args(["patient", "export", ANA, "--format", "html"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let (doc, _) = export(&env, &[ANA]);
    let html = page(&env);
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(
        html.contains("<h1>What we hold about Ana López</h1>"),
        "{html}"
    );
    for part in [
        "patient",
        "appointments",
        "history",
        "messages",
        "inbox",
        "holds",
        "waitlist",
        "recalls",
        "links",
        "events",
    ] {
        assert!(html.contains(&format!(r#"data-part="{part}""#)), "{part}");
    }
    // Each message as the JSON document writes it, escaped as HTML escapes.
    let messages = doc["messages"].as_array().unwrap();
    assert!(!messages.is_empty());
    for m in messages {
        let text = s(&m["text"]).replace('&', "&amp;").replace('/', "&#x2f;");
        assert!(html.contains(&text), "{text}\n{html}");
    }
    // The moved visit at its time now, in the clinic's zone.
    assert_eq!(moved["date"], TUE);
    assert!(html.contains("Tue 16 Jun 2026 10:00"), "{html}");
    assert!(!html.contains("Beto"), "another patient's name");
    assert!(!html.contains("<script"));
    // In the clinic's language, and what was typed cannot make markup.
    env.ok(&["clinic", "update", "Central", "--language", "es"]);
    env.ok(&["patient", "update", ANA, "--name", "Ana <i>López</i>"]);
    let html = page(&env);
    assert!(html.contains(r#"<html lang="es">"#));
    assert!(
        html.contains("<h1>Lo que guardamos de Ana &lt;i&gt;López&lt;&#x2f;i&gt;</h1>"),
        "{html}"
    );
    assert!(html.contains("mar 16 jun 2026 10:00"), "{html}");
    assert!(!html.contains("<i>"));
    // Each export is on record, in its format.
    let formats: Vec<Value> = exported_events(&env)
        .iter()
        .map(|e| e["data"]["format"].clone())
        .collect();
    assert_eq!(formats, ["json", "html", "html"]);
}

// ---------------------------------------------------------------------------
// GET /v1/patients/{id}/export

fn patient_id(env: &Env, phone: &str) -> String {
    env.ok(&["patient", "show", phone])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_api_exports_with_its_scope_only_and_records_who_asked() {
    let (env, _, _, _) = ana_with_a_history();
    let a = env.ok(&["list", "--patient", ANA])["appointments"][0].clone();
    write_clinical_record(&env, &a);
    let id = patient_id(&env, ANA);
    let exporter = token(&env, "dpo", &format!("{EXPORT},clinical"), &[]);
    let no_clinical = token(&env, "dpo-desk", EXPORT, &[]);
    let reader = token(
        &env,
        "reader",
        "appointments:read,appointments:write,clinical",
        &[],
    );
    let srv = Server::start(&env, &[]);
    let path = format!("/v1/patients/{id}/export");

    // (A token's first use of the minute is noted.)
    assert_eq!(srv.get("/v1/clinics", &reader).status, 200);
    let before = env.snapshot();
    let r = srv.get(&path, &reader);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.code(), "INSUFFICIENT_SCOPE");
    assert_eq!(r.json()["error"]["details"]["required"], EXPORT);
    assert_eq!(env.snapshot(), before, "a refused export is not recorded");

    let r = srv.get(&path, &exporter);
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = r.json();
    assert_eq!(doc["patient"]["id"], id.as_str());
    assert_eq!(doc["appointments"].as_array().unwrap().len(), 2);
    assert!(
        r.body.contains("Embarazo de 20 semanas"),
        "the clinical scope reads them"
    );
    let mine = exported_events(&env);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["actor"], "api:dpo");

    // Without `clinical`, no clinical key anywhere (events included).
    let r = srv.get(&path, &no_clinical);
    assert_eq!(r.status, 200, "{}", r.body);
    for word in [
        "diagnosis",
        "prescription",
        "follow_up",
        "Embarazo",
        "Ácido fólico",
    ] {
        assert!(!r.body.contains(word), "{word} without the clinical scope");
    }
    assert!(r.body.contains("Paga en efectivo"), "the desk's notes stay");

    // FHIR, and the national ID asked for.
    let r = srv.get(
        &format!("{path}?format=fhir&include_national_id=true"),
        &exporter,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["resourceType"], "Bundle");
    let last = exported_events(&env).pop().unwrap();
    assert_eq!(last["data"]["format"], "fhir");
    assert_eq!(last["data"]["national_id_included"], true);
    let r = srv.get(&format!("{path}?format=xml"), &exporter);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.json()["error"]["details"]["format"],
        "format must be json or fhir"
    );

    // The log names the route, never the patient.
    let log = srv.log_when(|l| l.matches("/v1/patients/{id}/export").count() >= 5);
    assert!(log.contains("GET /v1/patients/{id}/export"), "{log}");
    assert!(!log.contains(&id), "{log}");
    assert_eq!(exported_events(&env).len(), 3);
}

#[test]
fn a_clinics_token_exports_only_its_own_and_another_clinics_patient_is_missing() {
    let env = Env::clinic();
    env.second_clinic("Norte", "14:00", "17:00");
    for clinic in ["Central", "Norte"] {
        env.ok(&[
            "clinic",
            "update",
            clinic,
            "--notify",
            "on",
            "--public-url",
            "https://citas.example",
        ]);
    }
    let at = |clinic: &str, date: &str, time: &str, phone: &str, name: &str| {
        let args = [
            "-c",
            clinic,
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
            name,
        ];
        env.ok(&args)["appointment"].clone()
    };
    let central = at("Central", TUE, "10:00", ANA, "Ana López");
    let norte = at("Norte", WED, "15:00", ANA, "Ana López");
    at("Norte", TUE, "16:00", BETO, "Eva Norte");
    env.ok(&[
        "-c",
        "Norte",
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "--date",
        THU,
        "-P",
        ANA,
    ]);
    env.sweep_lines();
    let (ana, eva) = (patient_id(&env, ANA), patient_id(&env, BETO));
    let at_central = token(&env, "central-dpo", EXPORT, &["--clinic", "Central"]);
    let every = token(&env, "dpo", EXPORT, &[]);
    let srv = Server::start(&env, &[]);

    let r = srv.get(&format!("/v1/patients/{ana}/export"), &at_central);
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = r.json();
    let ids: Vec<&Value> = doc["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["appointment"]["id"])
        .collect();
    assert_eq!(ids, [&central["id"]]);
    assert_eq!(doc["clinic_id"], central["clinic_id"]);
    let about: Vec<&Value> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["appointment_id"])
        .collect();
    assert!(!about.is_empty());
    assert!(about.iter().all(|a| **a == central["id"]), "{about:?}");
    assert_eq!(kinds(&doc["links"], "target_id"), [s(&central["id"])]);
    assert_eq!(doc["waitlist"], serde_json::json!([]));
    assert_eq!(doc["events"], serde_json::json!([]));
    assert!(!r.body.contains(s(&norte["id"])), "Norte's visit");
    assert!(!r.body.contains(s(&norte["clinic_id"])), "Norte");
    let r = srv.get(&format!("/v1/patients/{ana}/export"), &every);
    let doc = r.json();
    assert_eq!(doc["appointments"].as_array().unwrap().len(), 2);
    assert_eq!(doc["links"].as_array().unwrap().len(), 2);
    assert_eq!(doc["waitlist"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["events"].as_array().unwrap().len(),
        1,
        "the first export"
    );

    // Eva is Norte's: to Central, exactly as a patient that does not exist.
    let before = env.snapshot();
    let nobody = uuid::Uuid::new_v4().to_string();
    let hidden = srv.get(&format!("/v1/patients/{eva}/export"), &at_central);
    let missing = srv.get(&format!("/v1/patients/{nobody}/export"), &at_central);
    assert_eq!(hidden.status, 404, "{}", hidden.body);
    assert_eq!(hidden.code(), "NOT_FOUND");
    assert_eq!(
        (hidden.status, hidden.body.replace(&eva, "X")),
        (missing.status, missing.body.replace(&nobody, "X"))
    );
    // A phone, a prefix or a name is no patient's ID here.
    for typed in [ANA, &ana[..8], "Ana%20L%C3%B3pez"] {
        let r = srv.get(&format!("/v1/patients/{typed}/export"), &every);
        assert_eq!(r.status, 404, "{typed}: {}", r.body);
    }
    assert_eq!(env.snapshot(), before, "nothing recorded for a miss");
}
