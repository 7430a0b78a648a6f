//! Tests: the patients' answers and the providers' receipts reaching `appt
//! serve` (docs/rules.md#answers): a reminder through WhatsApp as its
//! template with reply buttons, Meta's verification, a button that confirms,
//! a "2" by SMS that cancels, a cancel inside the window refused with the
//! clinic's phone, words for the inbox, statuses, and every request signed
//! here with the providers' own schemes (HMAC-SHA256 of the body,
//! HMAC-SHA1 of the URL and sorted parameters), independently of appt's code.

use crate::channels::{
    add_sms, check_twilio, check_whatsapp, no_more, providers, remind_due, secret_file, seen,
    stalling, the_24h_reminder, twilio_sent, Seen, DAY_BEFORE, TUE, TW_SID, TW_TOKEN, WA_TOKEN,
};
use crate::common::{s, Env};
use crate::serve::{request, send, Resp, Server};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const APP_SECRET: &str = "metaAPPsecret0for0signing";
const VERIFY: &str = "verify-me-0123";
const PUBLIC: &str = "https://citas.central.example";

fn wa_sent(id: &str) -> (u16, &'static str, String) {
    (
        200,
        "",
        json!({"messaging_product":"whatsapp","messages":[{"id": id}]}).to_string(),
    )
}

/// The clinic's WhatsApp channel with its app secret and verify token, and
/// a template for reminders (patient, date, time).
fn add_whatsapp(env: &Env, api: &str) {
    let token = secret_file(env, "wa.token", WA_TOKEN);
    let app = secret_file(env, "wa.app", APP_SECRET);
    let verify = secret_file(env, "wa.verify", VERIFY);
    env.ok(&[
        "channel",
        "add",
        "whatsapp",
        "--phone-number-id",
        "106540352242922",
        "--token-file",
        &token,
        "--app-secret-file",
        &app,
        "--verify-token-file",
        &verify,
        "--api-url",
        &format!("{api}/v21.0"),
        "--template",
        "reminder=cita_recordatorio:es:patient,date,time",
    ]);
}

/// Env::clinic with the clinic's phone, its public URL and Spanish.
fn clinic() -> Env {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--phone",
        "+50322223333",
        "--public-url",
        PUBLIC,
        "--language",
        "es",
        "--cancel-window",
        "12h",
        "--country-code",
        "+503",
    ]);
    env
}

/// HMAC-SHA256 of `body` with the app secret, as Meta signs.
fn meta_signature(secret: &str, body: &[u8]) -> String {
    let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(body);
    let hex: String = m
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// POST /hooks/whatsapp with `body`, signed with `secret` (None: unsigned).
fn post_whatsapp(server: &Server, body: &Value, secret: Option<&str>) -> Resp {
    let bytes = body.to_string().into_bytes();
    let sig = secret.map(|s| meta_signature(s, &bytes));
    let mut headers = vec![
        ("Connection", "close"),
        ("Content-Type", "application/json"),
    ];
    if let Some(sig) = &sig {
        headers.push(("X-Hub-Signature-256", sig));
    }
    send(
        &server.addr,
        &request("POST", "/hooks/whatsapp", &headers, &bytes),
    )
}

/// Twilio's signature: base64 HMAC-SHA1 of the URL and each parameter's
/// name and value, sorted by name.
fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut m = <Hmac<sha1::Sha1> as Mac>::new_from_slice(token.as_bytes()).unwrap();
    m.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

/// POST a Twilio form to `path`, signed with `token` over the public URL.
fn post_twilio(server: &Server, path: &str, params: &[(&str, &str)], token: &str) -> Resp {
    post_twilio_signed(server, PUBLIC, token, path, params)
}

/// POST a Twilio form to `path` of `server`, signed with `token` as
/// Twilio signs it for the public URL `public`.
fn post_twilio_signed(
    server: &Server,
    public: &str,
    token: &str,
    path: &str,
    params: &[(&str, &str)],
) -> Resp {
    let sig = twilio_signature(token, &format!("{public}{path}"), params);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let headers = [
        ("Connection", "close"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Twilio-Signature", sig.as_str()),
    ];
    send(
        &server.addr,
        &request("POST", path, &headers, body.as_bytes()),
    )
}

/// A WhatsApp notification of messages from the patient's phone.
fn wa_messages(messages: Value) -> Value {
    json!({"object":"whatsapp_business_account","entry":[{"id":"0","changes":[{"field":"messages","value":{
        "messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"15550001111","phone_number_id":"106540352242922"},
        "contacts":[{"profile":{"name":"Ana"},"wa_id":"50370001111"}],
        "messages": messages}}]}]})
}

fn wa_statuses(statuses: Value) -> Value {
    json!({"object":"whatsapp_business_account","entry":[{"id":"0","changes":[{"field":"messages","value":{
        "messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"15550001111","phone_number_id":"106540352242922"},
        "statuses": statuses}}]}]})
}

fn show(env: &Env, a: &Value) -> Value {
    env.ok(&["show", s(&a["id"])])
}

fn text_of(r: &Seen) -> String {
    let body: Value = serde_json::from_str(&r.body).unwrap();
    s(&body["text"]["body"]).to_string()
}

fn sms_body(r: &Seen) -> String {
    form_urlencoded::parse(r.body.as_bytes())
        .find(|(k, _)| k == "Body")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn inbox(env: &Env, all: bool) -> Vec<Value> {
    let mut args = vec!["inbox"];
    if all {
        args.push("--all");
    }
    env.ok(&args)["messages"].as_array().unwrap().clone()
}

#[test]
fn a_whatsapp_reminder_goes_as_its_template_with_buttons_and_the_patients_button_confirms_it() {
    let mut env = clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![wa_sent("wamid.R1"), wa_sent("wamid.A1")]);
    add_whatsapp(&env, &api);
    env.at(DAY_BEFORE);
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 1), "{err}");
    // The approved template, its parameters in the order it declares, and
    // its quick-reply buttons' payloads naming the message.
    let body = check_whatsapp(&seen(&rx));
    let reminder = the_24h_reminder(&env, &a);
    let id = s(&reminder["id"]).to_string();
    assert_eq!(body["type"], "template", "{body}");
    assert_eq!(body["template"]["name"], "cita_recordatorio");
    assert_eq!(body["template"]["language"]["code"], "es");
    let components = body["template"]["components"].as_array().unwrap();
    let params: Vec<&str> = components[0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| s(&p["text"]))
        .collect();
    assert_eq!(components[0]["type"], "body");
    assert_eq!(params, ["Test", "martes 16 de junio", "10:00"]);
    assert_eq!(
        (&components[1]["sub_type"], &components[1]["index"]),
        (&json!("quick_reply"), &json!("0"))
    );
    assert_eq!(
        components[1]["parameters"][0]["payload"],
        format!("appt:confirm:{id}")
    );
    assert_eq!(components[2]["index"], "1");
    assert_eq!(
        components[2]["parameters"][0]["payload"],
        format!("appt:cancel:{id}")
    );

    let server = Server::start(&env, &[]);
    // Meta's verification: the challenge for the channel's verify token only.
    let ok = server.call(
        "GET",
        &format!(
            "/hooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444"
        ),
        None,
        None,
    );
    assert_eq!((ok.status, ok.body.as_str()), (200, "1158201444"));
    let wrong = server.call(
        "GET",
        "/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1",
        None,
        None,
    );
    assert_eq!((wrong.status, wrong.code()), (403, "BAD_SIGNATURE".into()));
    // Guesses are counted as failed logins are (issue 63): past the
    // twentieth in a minute the address waits, the right token too.
    for n in 2..=20 {
        let r = server.call(
            "GET",
            &format!(
                "/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess{n}&hub.challenge=1"
            ),
            None,
            None,
        );
        assert_eq!(r.status, 403, "guess {n}: {}", r.body);
    }
    let limited = server.call(
        "GET",
        &format!("/hooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=2"),
        None,
        None,
    );
    assert_eq!(
        (limited.status, limited.code()),
        (429, "RATE_LIMITED".into())
    );
    assert!(limited.header("retry-after").is_some());
    env.exec("DELETE FROM auth_failures");

    let tap = wa_messages(json!([{
        "from":"50370001111","id":"wamid.IN1","timestamp":"1781539300","type":"button",
        "context":{"from":"15550001111","id":"wamid.R1"},
        "button":{"payload": format!("appt:confirm:{id}"),"text":"Confirmar"}}]));
    // Unsigned, or signed with another secret: 403 and nothing changes.
    for secret in [None, Some("not-the-app-secret")] {
        let r = post_whatsapp(&server, &tap, secret);
        assert_eq!((r.status, r.code()), (403, "BAD_SIGNATURE".into()));
    }
    no_more(&rx);
    assert_eq!(show(&env, &a)["status"], "scheduled");
    assert!(inbox(&env, true).is_empty());

    // Signed: the visit is confirmed by the patient, who is told so.
    let r = post_whatsapp(&server, &tap, Some(APP_SECRET));
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = seen(&rx);
    check_whatsapp(&answer);
    assert_eq!(
        text_of(&answer),
        "Central: su cita del martes 16 de junio a las 10:00 quedó confirmada. ¡Gracias!"
    );
    assert_eq!(show(&env, &a)["status"], "confirmed");
    let history = env.ok(&["history", s(&a["id"])]);
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["actor"], "patient", "{history}");
    // Meta delivers again: nothing more happens.
    assert_eq!(post_whatsapp(&server, &tap, Some(APP_SECRET)).status, 200);
    no_more(&rx);
    let all = inbox(&env, true);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["outcome"], "confirmed");
    assert_eq!(all[0]["answer_status"], "sent");
    assert!(
        inbox(&env, false).is_empty(),
        "an answer acted on is not for the desk"
    );

    // Receipts: delivered, then read, with the provider's times.
    let st = wa_statuses(json!([
        {"id":"wamid.R1","status":"delivered","timestamp":"1781539140","recipient_id":"50370001111"},
        {"id":"wamid.R1","status":"read","timestamp":"1781539170","recipient_id":"50370001111"}
    ]));
    assert_eq!(post_whatsapp(&server, &st, Some(APP_SECRET)).status, 200);
    let m = the_24h_reminder(&env, &a);
    assert_eq!(m["status"], "read", "{m}");
    // `history` lists the message with its receipts, in words at the desk.
    let h = env.ok(&["history", s(&a["id"])]);
    let listed = h["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == m["id"])
        .cloned()
        .expect("the reminder in history");
    assert_eq!(
        (
            &listed["status"],
            &listed["channel"],
            &listed["provider_id"]
        ),
        (&json!("read"), &json!("whatsapp"), &json!("wamid.R1"))
    );
    assert_eq!(listed["read_at"], "2026-06-15T15:59:30Z");
    let out = env
        .cmd()
        .args(["history", s(&a["id"])])
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Mensajes") && text.contains("leído"),
        "{text}"
    );
    assert_eq!(m["delivered_at"], "2026-06-15T15:59:00Z");
    assert_eq!(m["read_at"], "2026-06-15T15:59:30Z");
    // A late failure does not undo what the phone said.
    let failed = wa_statuses(
        json!([{"id":"wamid.R1","status":"failed","timestamp":"1781539300",
        "errors":[{"code":131026,"title":"Message undeliverable"}]}]),
    );
    assert_eq!(
        post_whatsapp(&server, &failed, Some(APP_SECRET)).status,
        200
    );
    assert_eq!(the_24h_reminder(&env, &a)["status"], "read");

    // Anything else waits in the inbox, with the patient and their next visit.
    let words = wa_messages(json!([{
        "from":"50370001111","id":"wamid.IN2","timestamp":"1781539400","type":"text",
        "text":{"body":"¿Puedo llevar a mi hijo también?"}}]));
    assert_eq!(post_whatsapp(&server, &words, Some(APP_SECRET)).status, 200);
    no_more(&rx);
    let open = inbox(&env, false);
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["text"], "¿Puedo llevar a mi hijo también?");
    assert_eq!(open[0]["patient"]["phone"], "+50370001111");
    assert_eq!(open[0]["channel"], "whatsapp");
    assert_eq!(open[0]["next_visit"]["id"], a["id"]);
    // The API shows it to a token of the clinic.
    let token = env.ok(&["token", "add", "bot", "--scopes", "appointments:read"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let api_inbox = server.get("/v1/inbox", &token);
    assert_eq!(api_inbox.status, 200, "{}", api_inbox.body);
    assert_eq!(api_inbox.json()["messages"][0]["id"], open[0]["id"]);
    // In Spanish at the desk; done hides it.
    let out = env
        .cmd()
        .args(["inbox"])
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("¿Puedo llevar a mi hijo"), "{text}");
    let id = s(&open[0]["id"]);
    env.ok(&["inbox", "done", &id[..8]]);
    // An ID that is none of them: NOT_FOUND, said in the desk's language.
    let out = env
        .cmd()
        .args(["inbox", "done", "zzzz"])
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Mensaje no encontrado"), "{said}");
    assert!(inbox(&env, false).is_empty());
    assert_eq!(inbox(&env, true).len(), 2);

    // Inside the patient's 24 hours, a message without a template goes as
    // text (a confirmation of a new booking).
    env.ok(&["clinic", "update", "Central", "--notify", "on"]);
    env.at("2026-06-15T16:30:00Z");
    let (wa2, rx2) = providers(vec![wa_sent("wamid.C1")]);
    env.ok(&["channel", "remove", "whatsapp", "-y"]);
    add_whatsapp(&env, &wa2);
    env.book("2026-06-17", "09:00", "+50370001111");
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 1), "{err}");
    let body = check_whatsapp(&seen(&rx2));
    assert_eq!(body["type"], "text", "{body}");
    drop(server);
}

#[test]
fn an_sms_answer_cancels_by_the_desks_rules_and_inside_the_window_is_refused_with_the_clinics_phone(
) {
    let mut env = clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![
        twilio_sent("SM0001"),
        twilio_sent("SM0002"),
        twilio_sent("SM0003"),
    ]);
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let (code, _, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    // The reminder says how to answer, in the clinic's language, and asks
    // Twilio to report to the clinic's public URL.
    let sent = seen(&rx);
    check_twilio(&sent);
    let form: Vec<(String, String)> = form_urlencoded::parse(sent.body.as_bytes())
        .into_owned()
        .collect();
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert!(
        field("Body")
            .unwrap()
            .ends_with("\nResponda 1 para confirmar, 2 para cancelar."),
        "{form:?}"
    );
    assert_eq!(
        field("StatusCallback").as_deref(),
        Some("https://citas.central.example/hooks/twilio/status")
    );

    let server = Server::start(&env, &[]);
    let status = [
        ("AccountSid", TW_SID),
        ("From", "+15550001111"),
        ("To", "+50370001111"),
        ("MessageSid", "SM0001"),
        ("MessageStatus", "delivered"),
        ("ErrorCode", ""),
    ];
    // A signature made with another token: 403, nothing changed.
    let r = post_twilio(&server, "/hooks/twilio/status", &status, "wrong-token");
    assert_eq!((r.status, r.code()), (403, "BAD_SIGNATURE".into()));
    assert_eq!(the_24h_reminder(&env, &a)["status"], "sent");
    let r = post_twilio(&server, "/hooks/twilio/status", &status, TW_TOKEN);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert_eq!(the_24h_reminder(&env, &a)["status"], "delivered");
    // The patient's card shows it too, with its channel, as data and in words.
    let card = env.ok(&["patient", "show", "+50370001111"]);
    let m = &card["messages"][0];
    assert_eq!(
        (&m["kind"], &m["status"], &m["channel"], &m["provider_id"]),
        (
            &json!("reminder"),
            &json!("delivered"),
            &json!("sms"),
            &json!("SM0001")
        ),
        "{card}"
    );
    let out = env
        .cmd()
        .args(["patient", "show", "+50370001111"])
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Mensajes") && text.contains("entregado") && text.contains("sms"),
        "{text}"
    );

    // "2" a day ahead: cancelled by the patient, and told so by SMS.
    let two = [
        ("AccountSid", TW_SID),
        ("From", "+50370001111"),
        ("To", "+15550001111"),
        ("MessageSid", "SMin01"),
        ("Body", " 2 "),
        ("NumMedia", "0"),
    ];
    let r = post_twilio(&server, "/hooks/twilio/sms", &two, TW_TOKEN);
    assert_eq!(r.status, 200, "{}", r.body);
    let told = seen(&rx);
    check_twilio(&told);
    assert_eq!(
        sms_body(&told),
        "Central: su cita del martes 16 de junio a las 10:00 quedó cancelada."
    );
    let cancelled = show(&env, &a);
    assert_eq!(cancelled["status"], "cancelled");
    let history = env.ok(&["history", s(&a["id"])]);
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["actor"], "patient", "{history}");

    // Inside the 12-hour window a "no" is refused and answered with the
    // clinic's phone; the visit stays.
    let b = env.book("2026-06-16", "11:00", "+50370001111");
    env.at("2026-06-16T08:00:00Z");
    drop(server);
    let server = Server::start(&env, &[]);
    let no = [
        ("AccountSid", TW_SID),
        ("From", "+50370001111"),
        ("To", "+15550001111"),
        ("MessageSid", "SMin02"),
        ("Body", "No"),
    ];
    assert_eq!(
        post_twilio(&server, "/hooks/twilio/sms", &no, TW_TOKEN).status,
        200
    );
    let words = sms_body(&seen(&rx));
    assert!(words.contains("ya no se puede cancelar"), "{words}");
    assert!(words.contains("2222-3333"), "{words}");
    assert_eq!(show(&env, &b)["status"], "scheduled");
    let all = inbox(&env, true);
    assert_eq!(all[0]["outcome"], "refused", "{all:?}");
    no_more(&rx);
}

#[test]
fn whatsapp_falls_back_to_sms_outside_the_window_without_a_template_and_erasure_takes_the_patients_words(
) {
    let env = clinic();
    env.ok(&["clinic", "update", "Central", "--notify", "on"]);
    let (wa, wa_rx) = providers(vec![wa_sent("wamid.X")]);
    let (tw, tw_rx) = providers(vec![twilio_sent("SM0009")]);
    add_whatsapp(&env, &wa);
    add_sms(&env, &tw);
    // A confirmation has no template and the patient never wrote: SMS.
    let a = env.book(TUE, "10:00", "+50370001111");
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 1), "{err}");
    assert_eq!(lines[0]["channel"], "sms");
    check_twilio(&seen(&tw_rx));
    no_more(&wa_rx);

    // The patient writes: kept, then erased with the patient.
    let server = Server::start(&env, &[]);
    let words = wa_messages(json!([{
        "from":"50370001111","id":"wamid.IN9","timestamp":"1781452800","type":"text",
        "text":{"body":"Hola, tengo una pregunta"}}]));
    assert_eq!(post_whatsapp(&server, &words, Some(APP_SECRET)).status, 200);
    drop(server);
    let kept = inbox(&env, false);
    assert_eq!(kept.len(), 1);
    let patient = s(&kept[0]["patient"]["id"]).to_string();
    env.ok(&[
        "patient",
        "erase",
        &patient,
        "--reason",
        "request 12",
        "--yes",
    ]);
    assert!(inbox(&env, true).is_empty());
    let check = env.ok(&["check"]);
    assert_eq!(check["ok"], true, "{check}");
    // Their visit still to come went with the erasure (issue 63).
    assert_eq!(show(&env, &a)["status"], "cancelled");
}

/// A patient's one-line answer goes once the server has given back its
/// write turn: while the provider takes 4 seconds over it, a booking through
/// the API is made at once, and the answer is still recorded sent.
#[test]
fn a_slow_provider_answering_a_patient_holds_up_no_booking() {
    let mut env = clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = stalling(Duration::from_secs(4), vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let tok = crate::serve::token(&env, "desk", "appointments:read,appointments:write", &[]);
    let server = Server::start(&env, &[]);
    let one = [
        ("AccountSid", TW_SID),
        ("From", "+50370001111"),
        ("To", "+15550001111"),
        ("MessageSid", "SMin01"),
        ("Body", "Sí"),
    ];
    std::thread::scope(|scope| {
        let answered = scope.spawn(|| post_twilio(&server, "/hooks/twilio/sms", &one, TW_TOKEN));
        // The visit is confirmed and the provider has the answer, not yet answered.
        let told = seen(&rx);
        assert!(
            sms_body(&told).contains("confirmada"),
            "{}",
            sms_body(&told)
        );
        assert_eq!(show(&env, &a)["status"], "confirmed");
        let started = Instant::now();
        let booked = server.post(
            "/v1/appointments",
            &tok,
            json!({"doctor": "Dr. García", "date": TUE, "time": "11:00",
                "phone": "+50370002222", "name": "Berta Díaz"}),
        );
        let took = started.elapsed();
        assert_eq!(booked.status, 201, "{}", booked.body);
        assert!(
            took < Duration::from_secs(2),
            "a booking waited {took:?} for the patient's answer"
        );
        assert_eq!(answered.join().unwrap().status, 200);
    });
    let all = inbox(&env, true);
    assert_eq!(all[0]["outcome"], "confirmed", "{all:?}");
    assert_eq!(all[0]["answer_status"], "sent", "{all:?}");
    no_more(&rx);
}

/// Each clinic's inbox is its own: a patient writing to Norte's number is
/// in Norte's inbox, and a token limited to Central neither lists it nor
/// may name Norte (404, as a clinic it does not know); a token for every
/// clinic lists both.
#[test]
fn a_clinics_token_sees_its_own_inbox_only() {
    let env = clinic();
    let (api, _rx) = providers(vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    add_norte(&env, &api);
    let server = Server::start(&env, &[]);
    for (public, to, id, words) in [
        (PUBLIC, "+15550001111", "SMc1", "Hola Central"),
        (
            "https://citas.norte.example",
            "+15550002222",
            "SMn1",
            "Hola Norte, ¿tienen pediatra?",
        ),
    ] {
        let m = [
            ("AccountSid", TW_SID),
            ("From", "+50377770000"),
            ("To", to),
            ("MessageSid", id),
            ("Body", words),
        ];
        let r = post_twilio_signed(&server, public, TW_TOKEN, "/hooks/twilio/sms", &m);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let central = crate::serve::token(
        &env,
        "central",
        "appointments:read",
        &["--clinic", "Central"],
    );
    let every = crate::serve::token(&env, "every", "appointments:read", &[]);
    let listed = server.get("/v1/inbox", &central);
    assert_eq!(listed.status, 200, "{}", listed.body);
    let texts: Vec<Value> = listed.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("Hola Central")], "{}", listed.body);
    assert!(!listed.body.contains("Norte"), "{}", listed.body);
    let asked = server.get("/v1/inbox?clinic=Norte", &central);
    assert_eq!((asked.status, asked.code()), (404, "NOT_FOUND".into()));
    assert!(!asked.body.contains("pediatra"), "{}", asked.body);
    let all = server.get("/v1/inbox", &every);
    assert_eq!(all.json()["messages"].as_array().unwrap().len(), 2);
    let norte = server.get("/v1/inbox?clinic=Norte", &every);
    assert_eq!(
        norte.json()["messages"][0]["text"],
        "Hola Norte, ¿tienen pediatra?"
    );
}

/// Norte, Dr. García's second clinic (14:00–17:00), at its own public URL
/// in El Salvador, answering by SMS from +15550002222 through `api`.
fn add_norte(env: &Env, api: &str) {
    env.second_clinic("Norte", "14:00", "17:00");
    env.ok(&[
        "clinic",
        "update",
        "Norte",
        "--public-url",
        "https://citas.norte.example",
        "--country-code",
        "+503",
    ]);
    let out = env
        .cmd()
        .args([
            "channel",
            "add",
            "sms",
            "--clinic",
            "Norte",
            "--account-sid",
            TW_SID,
            "--from",
            "+15550002222",
            "--api-url",
            api,
        ])
        .env("APPT_TWILIO_AUTH_TOKEN", TW_TOKEN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// Meta's verification answers only a subscription (`hub.mode=subscribe`)
/// with the channel's verify token; anything else is 403 and echoes nothing.
#[test]
fn only_a_subscription_with_the_verify_token_is_answered() {
    let env = clinic();
    let (api, _rx) = providers(vec![wa_sent("wamid.X")]);
    add_whatsapp(&env, &api);
    let server = Server::start(&env, &[]);
    for query in [
        format!("hub.mode=unsubscribe&hub.verify_token={VERIFY}&hub.challenge=77"),
        format!("hub.verify_token={VERIFY}&hub.challenge=77"),
        "hub.mode=subscribe&hub.challenge=77".to_string(),
    ] {
        let r = server.call("GET", &format!("/hooks/whatsapp?{query}"), None, None);
        assert_eq!(
            (r.status, r.code()),
            (403, "BAD_SIGNATURE".into()),
            "{query}"
        );
        assert!(!r.body.contains("77"), "{query}: {}", r.body);
    }
}

/// Twilio's `undelivered` (or `failed`) before any `delivered`: the message
/// is recorded failed with Twilio's code and message, and not tried again;
/// a late `delivered` for it changes nothing.
#[test]
fn an_sms_undelivered_before_delivery_is_recorded_failed_with_twilios_reason() {
    let mut env = clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let (code, _, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    check_twilio(&seen(&rx));
    let server = Server::start(&env, &[]);
    let receipt = |status: &'static str, code: &'static str, message: &'static str| {
        [
            ("AccountSid", TW_SID),
            ("From", "+15550001111"),
            ("To", "+50370001111"),
            ("MessageSid", "SM0001"),
            ("MessageStatus", status),
            ("ErrorCode", code),
            ("ErrorMessage", message),
        ]
    };
    let sent = receipt("sent", "", "");
    assert_eq!(
        post_twilio(&server, "/hooks/twilio/status", &sent, TW_TOKEN).status,
        200
    );
    assert_eq!(the_24h_reminder(&env, &a)["status"], "sent");
    let lost = receipt("undelivered", "30003", "Unreachable destination handset");
    assert_eq!(
        post_twilio(&server, "/hooks/twilio/status", &lost, TW_TOKEN).status,
        200
    );
    let m = the_24h_reminder(&env, &a);
    assert_eq!(m["status"], "failed", "{m}");
    assert_eq!(
        m["last_error"], "30003 Unreachable destination handset",
        "{m}"
    );
    // Twilio signs the whole URL it was given, its query too (issue 63): a
    // webhook configured with a query is taken; a query added to a request
    // signed without it is refused.
    let with_query = "/hooks/twilio/status?clinic=central";
    assert_eq!(
        post_twilio(&server, with_query, &sent, TW_TOKEN).status,
        200
    );
    let sig = twilio_signature(TW_TOKEN, &format!("{PUBLIC}/hooks/twilio/status"), &sent);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(sent)
        .finish();
    let added = send(
        &server.addr,
        &request(
            "POST",
            with_query,
            &[
                ("Connection", "close"),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Twilio-Signature", sig.as_str()),
            ],
            body.as_bytes(),
        ),
    );
    assert_eq!((added.status, added.code()), (403, "BAD_SIGNATURE".into()));
    let late = receipt("delivered", "", "");
    assert_eq!(
        post_twilio(&server, "/hooks/twilio/status", &late, TW_TOKEN).status,
        200
    );
    assert_eq!(the_24h_reminder(&env, &a)["status"], "failed");
    // Failed for good: a later sweep sends nothing.
    env.at("2026-06-15T18:00:00Z");
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 0), "{err}");
    no_more(&rx);
    // The desk confirms the visit afterwards. The report counts the reminder
    // failed, not sent, so the visit is not one confirmed after a reminder
    // was sent, though the failed message keeps the time it was sent.
    env.at("2026-06-15T18:30:00Z");
    env.ok(&["status", a["id"].as_str().unwrap(), "confirmed"]);
    let r = env.ok(&["report", "--from", TUE, "--to", TUE]);
    let m = &r["messages"];
    assert_eq!(
        (&m["sent"], &m["failed"], &m["confirmed_after_reminder"]),
        (&json!(0), &json!(1), &json!(0)),
        "{m}"
    );
}

/// A provider's request the database cannot take (another process holds
/// its write lock past the wait) is answered 503 and changes nothing; the
/// provider's next try goes through, once.
#[test]
fn a_patients_answer_the_database_cannot_take_is_503_and_its_retry_goes_through() {
    use crate::serve::WriteLock;
    let mut env = clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![twilio_sent("SM0002")]);
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let server = Server::start(&env, &[]);
    let one = [
        ("AccountSid", TW_SID),
        ("From", "+50370001111"),
        ("To", "+15550001111"),
        ("MessageSid", "SMin01"),
        ("Body", "Sí"),
    ];
    let held = WriteLock::take(&env);
    let r = post_twilio(&server, "/hooks/twilio/sms", &one, TW_TOKEN);
    drop(held);
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(show(&env, &a)["status"], "scheduled");
    assert!(inbox(&env, true).is_empty());
    let again = post_twilio(&server, "/hooks/twilio/sms", &one, TW_TOKEN);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(show(&env, &a)["status"], "confirmed");
    assert!(sms_body(&seen(&rx)).contains("confirmada"));
    no_more(&rx);
}

/// Issue 64's reproduction: a patient who got only a confirmation (which
/// offers no numbers) wrote `2` and her visit was cancelled. A bare digit
/// answers only a reminder; a typed `no` or `cancelar` asks first, and
/// only the `sí` that answers that question cancels (a `no` keeps it).
#[test]
fn a_bare_digit_answers_only_a_reminder_and_a_typed_cancel_is_asked_first() {
    let env = clinic();
    env.ok(&["clinic", "update", "Central", "--notify", "on"]);
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![
        twilio_sent("SM0001"),
        twilio_sent("SM0002"),
        twilio_sent("SM0003"),
        twilio_sent("SM0004"),
    ]);
    add_sms(&env, &api);
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 1), "the confirmation: {err}");
    let confirmation = sms_body(&seen(&rx));
    assert!(!confirmation.contains("Responda 1"), "{confirmation}");
    let server = Server::start(&env, &[]);
    let mut n = 0;
    let mut say = |body: &str| {
        n += 1;
        let sid = format!("SMin{n:02}");
        let p = [
            ("AccountSid", TW_SID),
            ("From", "+50370001111"),
            ("To", "+15550001111"),
            ("MessageSid", sid.as_str()),
            ("Body", body),
        ];
        let r = post_twilio(&server, "/hooks/twilio/sms", &p, TW_TOKEN);
        assert_eq!(r.status, 200, "{}", r.body);
    };
    // `2` after a confirmation: kept for the desk, nothing cancelled, no answer.
    say("2");
    assert_eq!(show(&env, &a)["status"], "scheduled");
    let kept = inbox(&env, false);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0]["text"], "2");
    // A typed cancel is asked back; the visit stays until she says yes.
    say("Cancelar");
    let asked = sms_body(&seen(&rx));
    assert!(
        asked.contains("¿cancelar su cita del martes 16 de junio a las 10:00? Responda SÍ"),
        "{asked}"
    );
    assert_eq!(show(&env, &a)["status"], "scheduled");
    say("sí");
    assert!(sms_body(&seen(&rx)).contains("quedó cancelada"));
    assert_eq!(show(&env, &a)["status"], "cancelled");
    // A `no` to the question keeps the visit.
    let b = env.book("2026-06-17", "10:00", "+50370001111");
    say("no");
    assert!(sms_body(&seen(&rx)).contains("¿cancelar su cita del miércoles 17 de junio"));
    say("no");
    assert_eq!(show(&env, &b)["status"], "scheduled");
    no_more(&rx);
}

/// The inbox is readable and answerable where the desk works (issue 64):
/// `inbox show ID` shows a message whole (the list cuts it at 80 columns),
/// and `inbox reply ID TEXT` answers through the channel it came by —
/// sent, the message is done; refused by the provider, `DELIVERY_FAILED`
/// with its reason and the message stays.
#[test]
fn the_desk_reads_a_message_whole_and_answers_it_through_its_channel() {
    let env = clinic();
    env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![
        twilio_sent("SMout1"),
        (
            400,
            "",
            json!({"code": 21610, "message": "Attempt to send to unsubscribed recipient"})
                .to_string(),
        ),
        twilio_sent("SMout2"),
    ]);
    add_sms(&env, &api);
    let server = Server::start(&env, &[]);
    let long = "Buenas, no voy a poder llegar el martes porque mi hija está enferma, \
                ¿me puede dar otra hora la otra semana en la tarde? Gracias";
    for (sid, body) in [("SMin01", long), ("SMin02", "¿Atienden sábados?")] {
        let p = [
            ("AccountSid", TW_SID),
            ("From", "+50370001111"),
            ("To", "+15550001111"),
            ("MessageSid", sid),
            ("Body", body),
        ];
        assert_eq!(
            post_twilio(&server, "/hooks/twilio/sms", &p, TW_TOKEN).status,
            200
        );
    }
    let listed = inbox(&env, false);
    let id = |text: &str| s(&listed.iter().find(|m| m["text"] == text).unwrap()["id"]).to_string();
    let (first, second) = (id(long), id("¿Atienden sábados?"));
    // Shown whole, wrapped at 80 columns, in Spanish.
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .env("COLUMNS", "80")
        .args(["inbox", "show", &first[..8]])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        shown.contains("de Test Patient 7000-1111 por sms"),
        "{shown}"
    );
    assert!(
        shown.contains("Próxima cita: mar 16 jun 2026 10:00"),
        "{shown}"
    );
    assert!(shown.contains("otra hora la otra semana"), "{shown}");
    assert!(shown.contains("Gracias"), "{shown}");
    assert!(shown.lines().all(|l| l.chars().count() <= 80), "{shown}");
    // Answered through Twilio, to her phone; done.
    let done = env.ok(&["inbox", "reply", &first[..8], "Claro, la llamamos hoy."]);
    assert!(done["done_at"].is_string(), "{done}");
    let sent = seen(&rx);
    check_twilio(&sent);
    assert_eq!(sms_body(&sent), "Central: Claro, la llamamos hoy.");
    assert!(sent.body.contains("To=%2B50370001111"), "{}", sent.body);
    let open: Vec<Value> = inbox(&env, false);
    assert!(open.iter().all(|m| s(&m["id"]) != first), "{open:?}");
    // The provider refuses the next one: an error with its reason, the
    // message still there for the desk, marked as not answered.
    let before = inbox(&env, false).len();
    let e = env.fails(
        &["inbox", "reply", &second[..8], "Sí, de 8 a 12."],
        "DELIVERY_FAILED",
        7,
    );
    assert!(e.to_string().contains("21610"), "{e}");
    seen(&rx);
    assert_eq!(inbox(&env, false).len(), before);
    // An empty answer is refused before anything is sent.
    env.fails(
        &["inbox", "reply", &second[..8], "  "],
        "VALIDATION_ERROR",
        2,
    );
    no_more(&rx);
    // On the board: Tab to the inbox, Enter reads the message, `r` answers
    // it through the channel it came by; sent, it is done and leaves the pane.
    let t = crate::board::Board::start(&env, (80, 24), "", "");
    t.ready();
    t.keys(&["Tab"]);
    t.wait_until("the inbox's keys", |s| s.contains("Enter read  r answer"));
    t.keys(&["Enter"]);
    t.wait_for("¿Atienden sábados?");
    t.keys(&["r"]);
    t.wait_status("Answer (goes by the channel it came by)");
    t.answer("Sí, de 8 a 12.");
    t.wait_status("Answer sent to 7000-1111; the message is done.");
    let sent = seen(&rx);
    check_twilio(&sent);
    assert_eq!(sms_body(&sent), "Central: Sí, de 8 a 12.");
    assert!(sent.body.contains("To=%2B50370001111"), "{}", sent.body);
    let shown = t.screen();
    assert!(!shown.contains("¿Atienden sábados?"), "{shown}");
    assert!(inbox(&env, false).iter().all(|m| s(&m["id"]) != second));
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
    no_more(&rx);
}

/// An answer to a clinic acts on the patient's next visit at that clinic,
/// however many visits they have ahead at another (the visits are read
/// at that clinic, not the patient's next twenty anywhere and then sorted).
#[test]
fn an_answer_finds_the_next_visit_at_its_clinic_past_twenty_at_another() {
    let env = clinic();
    let (api, _rx) = providers(vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    add_norte(&env, &api);
    let patient = [
        "-P",
        "+50377770000",
        "--name",
        "Rosa Méndez",
        "-d",
        "Dr. García",
    ];
    let weekly = [
        "-c",
        "Central",
        "book",
        "-D",
        "2026-06-16",
        "-t",
        "09:00",
        "--repeat",
        "weekly",
        "--count",
        "21",
    ];
    env.ok(&[&weekly[..], &patient[..]].concat());
    let at_norte = ["-c", "Norte", "book", "-D", "2026-12-01", "-t", "14:00"];
    let norte = env.ok(&[&at_norte[..], &patient[..]].concat())["appointment"].clone();
    let server = Server::start(&env, &[]);
    let m = [
        ("AccountSid", TW_SID),
        ("From", "+50377770000"),
        ("To", "+15550002222"),
        ("MessageSid", "SMn1"),
        ("Body", "Confirmo"),
    ];
    let r = post_twilio_signed(
        &server,
        "https://citas.norte.example",
        TW_TOKEN,
        "/hooks/twilio/sms",
        &m,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(show(&env, &norte)["status"], "confirmed");
    let central = env.rows(&format!(
        "SELECT count(*) FROM appointments a JOIN clinics c ON c.id = a.clinic_id \
         WHERE c.name = 'Central' AND a.status = {}",
        crate::common::status_code("confirmed")
    ));
    assert_eq!(central[0][0], "0");
}
