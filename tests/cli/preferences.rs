//! Tests: a patient's preferred channel and e-mail (docs/rules.md#which-channel):
//! set at the desk in either language, through the API, an import and a
//! waitlist entry; shown, exported and erased; and `remind due` routing each
//! message by it through the fake providers of [`crate::channels`].

use crate::channels::{
    add_sms, add_whatsapp, no_more, providers, remind_due, seen, the_24h_reminder, twilio_sent,
    Seen, TUE,
};
use crate::common::{s, Env};
use serde_json::{json, Value};
use std::sync::mpsc;

const ANA: &str = "+50370001111";
const BETO: &str = "+50370002222";
const CARLA: &str = "+50370003333";
const DORA: &str = "+50370004444";

fn whatsapp_sent(id: &str) -> (u16, &'static str, String) {
    (
        200,
        "",
        json!({"messaging_product":"whatsapp","messages":[{"id": id}]}).to_string(),
    )
}

/// Where a Twilio request sends to (`To`).
fn twilio_to(r: &Seen) -> String {
    form_urlencoded::parse(r.body.as_bytes())
        .find(|(k, _)| k == "To")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Where a WhatsApp request sends to (`to`, E.164 without its `+`).
fn whatsapp_to(r: &Seen) -> String {
    let body: Value = serde_json::from_str(&r.body).expect("JSON body");
    s(&body["to"]).to_string()
}

/// Every request that reached a fake provider within a short while.
fn all_seen(rx: &mpsc::Receiver<Seen>) -> Vec<Seen> {
    std::iter::from_fn(|| rx.recv_timeout(std::time::Duration::from_millis(500)).ok()).collect()
}

/// The clinic's channels: WhatsApp first, then SMS.
fn whatsapp_then_sms(env: &Env) -> (mpsc::Receiver<Seen>, mpsc::Receiver<Seen>) {
    let (wa, wa_rx) = providers(vec![whatsapp_sent("wamid.P1")]);
    let (tw, tw_rx) = providers(vec![twilio_sent("SMP001")]);
    add_sms(env, &tw);
    add_whatsapp(env, &wa);
    env.ok(&["channel", "order", "whatsapp,sms"]);
    (wa_rx, tw_rx)
}

fn patient(env: &Env, phone: &str) -> Value {
    env.ok(&["patient", "show", phone])
}

#[test]
fn remind_due_routes_each_message_by_its_patients_preferred_channel() {
    let mut env = Env::clinic();
    let ana = env.book(TUE, "10:00", ANA);
    let beto = env.book(TUE, "10:30", BETO);
    let carla = env.book(TUE, "11:00", CARLA);
    let dora = env.book(TUE, "11:30", DORA);
    env.ok(&["patient", "update", ANA, "--channel", "sms"]);
    env.ok(&["patient", "update", CARLA, "--channel", "none"]);
    // E-mail preferred where the clinic sends no e-mail: the clinic's order.
    env.ok(&[
        "patient",
        "update",
        DORA,
        "--channel",
        "email",
        "--email",
        "dora@example.org",
    ]);
    let (wa_rx, tw_rx) = whatsapp_then_sms(&env);
    // Every 24h reminder is due, none of the 2h ones.
    env.at("2026-06-15T17:30:00Z");
    let (code, lines, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), 4, "{lines:?}");
    // A preference for SMS goes by SMS, whatever the clinic's order.
    let sms = all_seen(&tw_rx);
    assert_eq!(
        sms.iter().map(twilio_to).collect::<Vec<_>>(),
        [ANA],
        "only Ana's by SMS"
    );
    // No preference (and one the clinic cannot meet) follows the order.
    let mut whatsapp: Vec<String> = all_seen(&wa_rx).iter().map(whatsapp_to).collect();
    whatsapp.sort();
    assert_eq!(whatsapp, ["50370002222", "50370004444"]);
    for (a, channel) in [(&ana, "sms"), (&beto, "whatsapp"), (&dora, "whatsapp")] {
        let r = the_24h_reminder(&env, a);
        assert_eq!(r["status"], "sent", "{r}");
        assert_eq!(r["channel"], channel, "{r}");
    }
    // `none`: no channel at all, printed as without channels.
    let r = the_24h_reminder(&env, &carla);
    assert_eq!(r["status"], "sent", "{r}");
    assert!(r.get("channel").is_none(), "{r}");
    let printed: Vec<&Value> = lines
        .iter()
        .filter(|l| l["appointment"]["id"] == carla["id"])
        .collect();
    assert_eq!(printed.len(), 1, "{lines:?}");
    assert!(printed[0].get("channel").is_none(), "{}", printed[0]);
    // Cleared, the preference gives way to the order again.
    env.ok(&["patient", "update", CARLA, "--channel", ""]);
    assert_eq!(patient(&env, CARLA)["channel"], Value::Null);
    // Every 2h reminder is due.
    env.at("2026-06-16T15:30:00Z");
    let (code, _, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    let mut whatsapp: Vec<String> = all_seen(&wa_rx).iter().map(whatsapp_to).collect();
    whatsapp.sort();
    assert_eq!(whatsapp, ["50370002222", "50370003333", "50370004444"]);
}

#[test]
fn a_waitlist_offer_goes_by_the_waiting_patients_own_preference() {
    let env = Env::clinic();
    let a = env.book(TUE, "09:00", ANA);
    // The patient who frees the time wants nothing sent; the waiting one, SMS.
    env.ok(&["patient", "update", ANA, "--channel", "none"]);
    let entry = env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        TUE,
        "-P",
        BETO,
        "--name",
        "Beto",
        "--channel",
        "sms",
    ]);
    assert_eq!(patient(&env, BETO)["channel"], "sms", "{entry}");
    let (wa_rx, tw_rx) = whatsapp_then_sms(&env);
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    let (code, lines, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["kind"], "waitlist_offer");
    assert_eq!(lines[0]["channel"], "sms", "{}", lines[0]);
    assert_eq!(twilio_to(&seen(&tw_rx)), BETO);
    no_more(&wa_rx);
}

#[test]
fn a_preferred_channel_is_taken_in_either_language_and_shown_in_words() {
    let env = Env::clinic();
    let p = env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana López",
        "-P",
        ANA,
        "--email",
        "ana@example.org",
        "--channel",
        "Correo",
    ]);
    assert_eq!(p["channel"], "email", "{p}");
    assert_eq!(p["email"], "ana@example.org");
    let p = env.ok(&["patient", "update", ANA, "--channel", "NINGUNO"]);
    assert_eq!(p["channel"], "none", "{p}");
    let shown = |lang: &str| {
        let out = env
            .cmd()
            .env("APPT_LANG", lang)
            .args(["patient", "show", ANA])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let line = |text: &str, label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in {text}"))
            .to_string()
    };
    assert!(line(&shown("es"), "Canal").contains("ninguno: sin mensajes"));
    assert!(line(&shown("en"), "Channel").contains("none: no messages"));
    env.ok(&["patient", "update", ANA, "--channel", "whatsapp"]);
    assert!(line(&shown("es"), "Canal").contains("WhatsApp"));
    env.ok(&["patient", "update", ANA, "--channel", "correo electrónico"]);
    assert!(line(&shown("es"), "Canal").contains("correo electrónico"));
    env.ok(&["patient", "update", ANA, "--channel", "", "--email", ""]);
    let p = patient(&env, ANA);
    assert_eq!(
        (p["channel"].clone(), p["email"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(line(&shown("es"), "Canal").contains("el orden de la clínica"));
    assert!(line(&shown("en"), "Channel").contains("the clinic's order"));
    // The JSON value stays the English code, and `patient list` carries it.
    env.ok(&["patient", "update", ANA, "--channel", "texto"]);
    assert_eq!(
        env.ok(&["patient", "list"])["patients"][0]["channel"],
        "sms"
    );
}

#[test]
fn a_bad_channel_is_refused_naming_the_field_and_nothing_is_written() {
    let env = Env::clinic();
    let d = env.refused(
        &[
            "patient",
            "add",
            "--name",
            "Ana",
            "-P",
            ANA,
            "--channel",
            "paloma",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(s(&d["channel"]).contains("paloma"), "{d}");
    assert!(
        s(&d["channel"]).contains("whatsapp, sms, email or none"),
        "{d}"
    );
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana",
        "-P",
        ANA,
        "--channel",
        "sms",
    ]);
    let d = env.refused(
        &[
            "patient",
            "update",
            ANA,
            "--channel",
            "fax",
            "--name",
            "Otra",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("channel").is_some(), "{d}");
    // A booking says every bad field at once, and books nothing.
    let d = env.refused(
        &[
            "book",
            "-d",
            "Dr. García",
            "-D",
            TUE,
            "-t",
            "10:00",
            "-P",
            BETO,
            "--name",
            "Beto",
            "--channel",
            "paloma",
            "--email",
            "beto-at-example",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d.get("channel").is_some() && d.get("email").is_some(),
        "{d}"
    );
    // In Spanish, the desk's words first.
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["patient", "update", ANA, "--channel", "paloma"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Canal desconocido 'paloma'"), "{err}");
    assert!(err.contains("correo o ninguno"), "{err}");
    assert_eq!(patient(&env, ANA)["channel"], "sms");
}

#[test]
fn a_booking_and_an_import_set_the_patients_email_and_channel() {
    let env = Env::clinic();
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        TUE,
        "-t",
        "10:00",
        "-P",
        ANA,
        "--name",
        "Ana",
        "--email",
        "ana@example.org",
        "--channel",
        "whatsapp",
    ]);
    let p = patient(&env, ANA);
    assert_eq!(
        (s(&p["email"]), s(&p["channel"])),
        ("ana@example.org", "whatsapp")
    );
    // Booked again without them: kept.
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-17",
        "-t",
        "10:00",
        "-P",
        ANA,
        "--name",
        "Ana",
    ]);
    assert_eq!(patient(&env, ANA)["channel"], "whatsapp");
    // An existing patient by reference is changed with `patient update`.
    env.refused(
        &[
            "book",
            "-d",
            "Dr. García",
            "-D",
            TUE,
            "-t",
            "11:00",
            "-p",
            ANA,
            "--channel",
            "sms",
        ],
        "USAGE_ERROR",
        2,
    );
    let lines = [
        json!({"doctor": "Dr. García", "date": TUE, "time": "10:30", "phone": BETO, "name": "Beto",
               "email": "beto@example.org", "channel": "ninguno"}),
        json!({"doctor": "Dr. García", "date": "2026-06-18", "time": "11:00", "phone": ANA, "name": "Ana",
               "channel": "sms"}),
        json!({"doctor": "Dr. García", "date": TUE, "time": "11:30", "phone": CARLA, "name": "Carla",
               "channel": "paloma"}),
    ];
    let path = env.dir.path().join("in.jsonl");
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    let out = env
        .cmd()
        .args(["import", path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["booked"], 2, "{v}");
    assert_eq!(v["errors"][0]["line"], 3, "{v}");
    assert_eq!(v["errors"][0]["code"], "VALIDATION_ERROR", "{v}");
    let p = patient(&env, BETO);
    assert_eq!(
        (s(&p["email"]), s(&p["channel"])),
        ("beto@example.org", "none")
    );
    let p = patient(&env, ANA);
    assert_eq!(
        (s(&p["email"]), s(&p["channel"])),
        ("ana@example.org", "sms")
    );
    assert!(
        env.ok(&["patient", "list", "--search", "Carla"])["patients"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_api_takes_a_new_patients_email_and_channel_with_a_booking_and_a_waitlist_entry() {
    use crate::serve::{token, Server};
    let env = Env::clinic();
    let t = token(&env, "bot", "appointments:read,appointments:write", &[]);
    let srv = Server::start(&env, &[]);
    let booking = |time: &str, phone: &str, extra: Value| {
        let mut b = json!({"doctor": "Dr. García", "date": TUE, "time": time, "phone": phone, "name": "Ana"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let r = srv.post(
        "/v1/appointments",
        &t,
        booking(
            "10:00",
            ANA,
            json!({"email": "ana@example.org", "channel": "correo"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = patient(&env, ANA);
    assert_eq!(
        (s(&p["email"]), s(&p["channel"])),
        ("ana@example.org", "email")
    );
    let before = env.snapshot();
    let r = srv.post(
        "/v1/appointments",
        &t,
        booking("10:30", BETO, json!({"channel": "paloma"})),
    );
    assert_eq!(
        (r.status, r.code()),
        (400, "VALIDATION_ERROR".into()),
        "{}",
        r.body
    );
    assert!(
        r.json()["error"]["details"].get("channel").is_some(),
        "{}",
        r.body
    );
    assert_eq!(env.snapshot(), before, "a refused booking wrote");
    let r = srv.post(
        "/v1/waitlist",
        &t,
        json!({"doctor": "Dr. García", "date": TUE, "phone": CARLA, "name": "Carla",
               "email": "carla@example.org", "channel": "sms"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = patient(&env, CARLA);
    assert_eq!(
        (s(&p["email"]), s(&p["channel"])),
        ("carla@example.org", "sms")
    );
}

#[test]
fn a_patients_export_carries_the_preference_and_an_erasure_takes_it_and_the_email() {
    let env = Env::clinic();
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana",
        "-P",
        ANA,
        "--email",
        "ana@example.org",
        "--channel",
        "sms",
    ]);
    let out = env.cmd().args(["patient", "export", ANA]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let export: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(export["patient"]["channel"], "sms", "{export}");
    assert_eq!(export["patient"]["email"], "ana@example.org");
    let done = env.ok(&["patient", "erase", ANA, "--reason", "request 9", "--yes"]);
    assert_eq!(done["patient"]["channel"], Value::Null, "{done}");
    assert_eq!(done["patient"]["email"], Value::Null, "{done}");
    let id = s(&done["patient"]["id"]).to_string();
    let rows = env.rows(&format!(
        "SELECT count(*) FROM patients WHERE id = {} AND (channel IS NOT NULL OR email IS NOT NULL)",
        env.id_literal(&id)
    ));
    assert_eq!(rows[0][0], "0");
}

#[test]
fn a_preferred_channel_comes_to_a_schema_32_database() {
    let env = Env::clinic();
    env.book(TUE, "10:00", ANA);
    crate::common::undo_schema_33(&env);
    crate::common::set_schema_version(&env, 32);
    let p = patient(&env, ANA);
    assert_eq!(p["channel"], Value::Null, "{p}");
    let p = env.ok(&["patient", "update", ANA, "--channel", "sms"]);
    assert_eq!(p["channel"], "sms", "{p}");
    // The database's own rule refuses what appt never writes.
    assert!(env.try_exec("UPDATE patients SET channel = 'fax'").is_err());
}
