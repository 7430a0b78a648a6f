//! Tests: `appt channel add|list|order|remove|test` (docs/commands.md#appt-channel),
//! against a fake WhatsApp Cloud API and a fake Twilio written here with std
//! only, each checking every request as the provider documents it.

use crate::common::{s, Env};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

pub(crate) const WA_TOKEN: &str = "EAAGtokenWHATSAPP0secret";
pub(crate) const TW_TOKEN: &str = "twilioAUTHtoken0secret99";
pub(crate) const TW_SID: &str = "AC0123456789abcdef0123456789abcdef";

/// One request as the fake provider read it.
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// A provider on 127.0.0.1 answering one request with `status`, `headers`
/// and `body`; the request comes back on the channel.
pub(crate) fn provider(
    status: u16,
    extra: &'static str,
    body: String,
) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((conn, _)) = listener.accept() else {
            return;
        };
        answer(conn, status, extra, &body, &tx, Duration::ZERO);
    });
    (url, rx)
}

/// A provider answering each request in turn with the next of `answers`
/// (the last one again once they run out), every request back on the channel.
pub(crate) fn providers(
    answers: Vec<(u16, &'static str, String)>,
) -> (String, mpsc::Receiver<Seen>) {
    stalling(Duration::ZERO, answers)
}

/// [`providers`], each connection on a thread of its own, the first one's
/// answer held back `stall` after its request came in (the message taken,
/// the sender not yet told).
pub(crate) fn stalling(
    stall: Duration,
    answers: Vec<(u16, &'static str, String)>,
) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for n in 0.. {
            let Ok((conn, _)) = listener.accept() else {
                return;
            };
            let (status, extra, body) = answers[n.min(answers.len() - 1)].clone();
            let tx = tx.clone();
            let wait = if n == 0 { stall } else { Duration::ZERO };
            std::thread::spawn(move || answer(conn, status, extra, &body, &tx, wait));
        }
    });
    (url, rx)
}

/// A provider answering every request `delay` after it came, each
/// connection on a thread of its own, with `answer`.
pub(crate) fn slow(
    delay: Duration,
    answer_with: (u16, &'static str, String),
) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || loop {
        let Ok((conn, _)) = listener.accept() else {
            return;
        };
        let (status, extra, body) = answer_with.clone();
        let tx = tx.clone();
        std::thread::spawn(move || answer(conn, status, extra, &body, &tx, delay));
    });
    (url, rx)
}

/// Reads one request from `conn`, sends it on `tx`, answers it `stall` later.
fn answer(
    mut conn: std::net::TcpStream,
    status: u16,
    extra: &str,
    body: &str,
    tx: &mpsc::Sender<Seen>,
    stall: Duration,
) {
    {
        conn.set_read_timeout(Some(Duration::from_secs(5))).ok();
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        let (head, mut rest) = loop {
            let n = conn.read(&mut buf).unwrap_or(0);
            if n == 0 {
                return;
            }
            raw.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&raw).to_string();
            if let Some((h, r)) = text.split_once("\r\n\r\n") {
                break (h.to_string(), r.as_bytes().to_vec());
            }
        };
        let mut lines = head.lines();
        let first: Vec<String> = lines
            .next()
            .unwrap_or("")
            .split(' ')
            .map(str::to_string)
            .collect();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while rest.len() < length {
            let n = conn.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            rest.extend_from_slice(&buf[..n]);
        }
        let _ = tx.send(Seen {
            method: first.first().cloned().unwrap_or_default(),
            path: first.get(1).cloned().unwrap_or_default(),
            headers,
            body: String::from_utf8_lossy(&rest).to_string(),
        });
        std::thread::sleep(stall);
        let answer = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = conn.write_all(answer.as_bytes());
    }
}

pub(crate) fn seen(rx: &mpsc::Receiver<Seen>) -> Seen {
    rx.recv_timeout(Duration::from_secs(15))
        .expect("the provider got a request")
}

/// A WhatsApp request as Meta documents it: POST /{phone-number-id}/messages,
/// the bearer token, JSON with the number without its `+`; a text (its
/// body) unless it is a template or an interactive message. The body.
pub(crate) fn check_whatsapp(r: &Seen) -> Value {
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v21.0/106540352242922/messages");
    assert_eq!(r.header("authorization"), format!("Bearer {WA_TOKEN}"));
    assert!(r.header("content-type").starts_with("application/json"));
    let body: Value = serde_json::from_str(&r.body).expect("JSON body");
    assert_eq!(body["messaging_product"], "whatsapp");
    assert_eq!(body["to"], "50370001111");
    match s(&body["type"]) {
        "text" => assert!(!s(&body["text"]["body"]).is_empty(), "{body}"),
        "template" => assert!(!s(&body["template"]["name"]).is_empty(), "{body}"),
        "interactive" => assert!(
            !s(&body["interactive"]["body"]["text"]).is_empty(),
            "{body}"
        ),
        other => panic!("a WhatsApp message of type {other:?}: {body}"),
    }
    body
}

/// A Twilio request as Twilio documents it: POST
/// /2010-04-01/Accounts/{sid}/Messages.json, basic auth sid:token, form fields.
pub(crate) fn check_twilio(r: &Seen) {
    use base64::Engine;
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.path,
        format!("/2010-04-01/Accounts/{TW_SID}/Messages.json")
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{TW_SID}:{TW_TOKEN}"));
    assert_eq!(r.header("authorization"), format!("Basic {basic}"));
    assert_eq!(
        r.header("content-type"),
        "application/x-www-form-urlencoded"
    );
    let form: Vec<(String, String)> = form_urlencoded::parse(r.body.as_bytes())
        .into_owned()
        .collect();
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(field("To"), "+50370001111");
    assert_eq!(field("From"), "+15550001111");
    assert!(field("Body").contains("Central"), "{form:?}");
}

/// A clinic in El Salvador (+503) with no channel.
fn clinic() -> Env {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
        "--country-code",
        "+503",
    ]);
    env
}

pub(crate) fn secret_file(env: &Env, name: &str, secret: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, format!("{secret}\n")).unwrap();
    path.display().to_string()
}

pub(crate) fn add_whatsapp(env: &Env, api: &str) -> Value {
    let token = secret_file(env, "wa.token", WA_TOKEN);
    env.ok(&[
        "channel",
        "add",
        "whatsapp",
        "--phone-number-id",
        "106540352242922",
        "--token-file",
        &token,
        "--api-url",
        &format!("{api}/v21.0"),
        "--template",
        "reminder=appt_reminder:es",
    ])
}

pub(crate) fn add_sms(env: &Env, api: &str) -> Value {
    let out = env
        .cmd()
        .args([
            "channel",
            "add",
            "sms",
            "--account-sid",
            TW_SID,
            "--from",
            "+15550001111",
            "--api-url",
            api,
            "--json",
        ])
        .env("APPT_TWILIO_AUTH_TOKEN", TW_TOKEN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `channel test NAME --to 7000-1111`: (exit code, stdout, stderr).
fn test_send(env: &Env, name: &str) -> (i32, String, String) {
    let out = env
        .cmd()
        .args(["channel", "test", name, "--to", "7000-1111", "--json"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn never_shows_secrets(text: &str) {
    for secret in [WA_TOKEN, TW_TOKEN] {
        assert!(!text.contains(secret), "a secret was shown: {text}");
    }
}

#[test]
fn channel_test_whatsapp_sends_the_documented_request_and_classifies_each_answer() {
    let env = clinic();
    let (api, rx) = provider(200, "", r#"{"messaging_product":"whatsapp","contacts":[{"input":"50370001111","wa_id":"50370001111"}],"messages":[{"id":"wamid.HBgLMTIz"}]}"#.into());
    let added = add_whatsapp(&env, &api);
    assert_eq!(added["settings"]["phone_number_id"], "106540352242922");
    assert_eq!(added["settings"]["templates"][0]["name"], "appt_reminder");
    never_shows_secrets(&added.to_string());
    let (code, out, err) = test_send(&env, "whatsapp");
    assert_eq!(code, 0, "{err}");
    check_whatsapp(&seen(&rx));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcome"], "sent");
    assert_eq!(v["provider_id"], "wamid.HBgLMTIz");

    // 429 with Retry-After: temporary, exit 7, the wait in the details.
    let cases = [
        (
            429,
            "Retry-After: 30\r\n",
            json!({"error":{"code":130429,"message":"Rate limit hit"}}),
            "temporary",
        ),
        (
            500,
            "",
            json!({"error":{"code":131000,"message":"Something went wrong"}}),
            "temporary",
        ),
        (
            400,
            "",
            json!({"error":{"code":131026,"message":"Message undeliverable","type":"OAuthException"}}),
            "permanent",
        ),
    ];
    for (status, headers, body, outcome) in cases {
        let d = &refused_through(&env, "whatsapp", status, headers, body, |r| {
            drop(check_whatsapp(r))
        });
        assert_eq!(d["outcome"], outcome, "{status}: {d}");
        assert_eq!(d["status"], status);
        match status {
            429 => assert_eq!(d["retry_after"], 30),
            400 => {
                assert_eq!(d["code"], "131026");
                assert_eq!(d["message"], "Message undeliverable");
            }
            _ => assert_eq!(d["retry_after"], Value::Null),
        }
    }
}

/// Points channel `name` at a fake provider answering `status`, `headers`
/// and `body`, runs `channel test`, holds the request to `check`, and
/// expects `DELIVERY_FAILED` (exit 7, nothing on stdout, no secret on
/// stderr): returns the error's details.
fn refused_through(
    env: &Env,
    name: &str,
    status: u16,
    headers: &'static str,
    body: Value,
    check: fn(&Seen),
) -> Value {
    let (api, rx) = provider(status, headers, body.to_string());
    env.exec(&format!(
        "UPDATE channels SET settings = replace(settings, '{}', '{api}') WHERE name = '{name}'",
        previous_api(env, name)
    ));
    let (code, out, err) = test_send(env, name);
    check(&seen(&rx));
    assert_eq!(code, 7, "{status}: {err}");
    assert!(out.is_empty());
    never_shows_secrets(&err);
    let e: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(e["error"]["code"], "DELIVERY_FAILED");
    e["error"]["details"].clone()
}

/// The base URL a channel holds now (`…/v21.0` for WhatsApp).
fn previous_api(env: &Env, name: &str) -> String {
    let v = env.ok(&["channel", "list"]);
    let c = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone();
    let url = s(&c["settings"]["api_url"]).to_string();
    url.trim_end_matches("/v21.0").to_string()
}

#[test]
fn channel_test_sms_sends_twilios_shape_and_classifies_each_answer() {
    let env = clinic();
    let (api, rx) = provider(
        201,
        "",
        json!({"sid":"SM0123456789abcdef","status":"queued"}).to_string(),
    );
    add_sms(&env, &api);
    let (code, out, err) = test_send(&env, "sms");
    assert_eq!(code, 0, "{err}");
    check_twilio(&seen(&rx));
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["provider_id"],
        "SM0123456789abcdef"
    );
    let cases = [
        (
            429,
            "Retry-After: 5\r\n",
            json!({"code":20429,"message":"Too Many Requests"}),
            "temporary",
        ),
        (
            503,
            "",
            json!({"code":20503,"message":"Service unavailable"}),
            "temporary",
        ),
        (
            400,
            "",
            json!({"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}),
            "permanent",
        ),
    ];
    for (status, headers, body, outcome) in cases {
        let d = refused_through(&env, "sms", status, headers, body, check_twilio);
        assert_eq!(d["outcome"], outcome);
        if status == 400 {
            assert_eq!(d["code"], "21211");
        }
        if status == 429 {
            assert_eq!(d["retry_after"], 5);
        }
    }
}

#[test]
fn channel_test_without_an_answer_in_time_is_temporary() {
    let env = clinic();
    // A port that accepts and never answers: the 10-second deadline.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let api = format!("http://{}", listener.local_addr().unwrap());
    let hold = std::thread::spawn(move || {
        let c = listener.accept();
        std::thread::sleep(Duration::from_secs(12));
        drop(c);
    });
    add_sms(&env, &api);
    let (code, _, err) = test_send(&env, "sms");
    assert_eq!(code, 7, "{err}");
    let d = serde_json::from_str::<Value>(err.trim()).unwrap()["error"]["details"].clone();
    assert_eq!(d["outcome"], "temporary");
    assert_eq!(d["reason"], "timeout");
    hold.join().unwrap();
}

#[test]
fn channel_add_list_order_remove_in_both_languages() {
    let env = clinic();
    add_whatsapp(&env, "http://127.0.0.1:9");
    add_sms(&env, "http://127.0.0.1:9");
    let pw = secret_file(&env, "smtp.pw", "smtpPASSWORD0secret");
    let email = env.ok(&[
        "channel",
        "add",
        "email",
        "--name",
        "Correo",
        "--smtp-url",
        "smtps://desk@mail.example:465",
        "--password-file",
        &pw,
        "--from",
        "desk@clinic.example",
    ]);
    assert_eq!(email["position"], 3);
    // A name is unique in its clinic, case aside.
    env.refused(
        &[
            "channel",
            "add",
            "email",
            "--name",
            "CORREO",
            "--smtp-url",
            "smtps://desk@mail.example:465",
            "--password-file",
            &pw,
            "--from",
            "desk@clinic.example",
        ],
        "VALIDATION_ERROR",
        2,
    );
    let names = |v: &Value| -> Vec<String> {
        v["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| s(&c["name"]).to_string())
            .collect()
    };
    assert_eq!(
        names(&env.ok(&["channel", "list"])),
        ["whatsapp", "sms", "Correo"]
    );
    let ordered = env.ok(&["channel", "order", "correo,sms"]);
    assert_eq!(names(&ordered), ["Correo", "sms", "whatsapp"]);
    assert_eq!(ordered["channels"][2]["position"], 3);
    env.refused(&["channel", "order", "sms,sms"], "VALIDATION_ERROR", 2);
    env.refused(&["channel", "order", "fax"], "NOT_FOUND", 3);
    // An e-mail channel is tested with an address, not a phone.
    let d = env.refused(
        &["channel", "test", "correo", "--to", "70001111"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(s(&d["to"]).contains("not an e-mail address"), "{d}");
    for (lang, header) in [("en", "Name"), ("es", "Nombre")] {
        let out = env
            .cmd()
            .args(["channel", "list", "--width", "80"])
            .env("APPT_LANG", lang)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success());
        assert!(text.contains(header) && text.contains("Correo"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        never_shows_secrets(&text);
        assert!(!text.contains("smtpPASSWORD"));
    }
    let removed = env.ok(&["channel", "remove", "SMS", "-y"]);
    assert_eq!(removed["name"], "sms");
    assert_eq!(names(&env.ok(&["channel", "list"])), ["Correo", "whatsapp"]);
    env.refused(&["channel", "remove", "sms", "-y"], "NOT_FOUND", 3);
    let out = env
        .cmd()
        .args(["channel", "remove", "whatsapp", "-y"])
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Canal quitado"));
}

#[test]
fn channel_add_refuses_bad_settings_naming_the_field_and_never_takes_a_secret_from_argv() {
    let env = clinic();
    let token = secret_file(&env, "t", WA_TOKEN);
    let d = env.refused(
        &[
            "channel",
            "add",
            "whatsapp",
            "--phone-number-id",
            "12a",
            "--token-file",
            &token,
            "--api-url",
            "ftp://x",
            "--template",
            "reminder=x",
        ],
        "VALIDATION_ERROR",
        2,
    );
    for field in ["phone_number_id", "api_url", "template"] {
        assert!(d.get(field).is_some(), "{field}: {d}");
    }
    let d = env.refused(
        &[
            "channel",
            "add",
            "sms",
            "--account-sid",
            TW_SID,
            "--from",
            "+15550001111",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("auth_token_file").is_some(), "{d}");
    let d = env.refused(
        &[
            "channel",
            "add",
            "email",
            "--smtp-url",
            "smtps://desk:pw@mail.example:465",
            "--password-file",
            &token,
            "--from",
            "nobody",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d.get("smtp_url").is_some() && d.get("from").is_some(),
        "{d}"
    );
    // There is no flag that takes a token itself.
    let out = env
        .cmd()
        .args([
            "channel",
            "add",
            "whatsapp",
            "--phone-number-id",
            "1",
            "--token",
            WA_TOKEN,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // From standard input.
    let out = env
        .cmd()
        .args([
            "channel",
            "add",
            "whatsapp",
            "--phone-number-id",
            "1",
            "--token-file",
            "-",
            "--json",
        ])
        .write_stdin(format!("{WA_TOKEN}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    never_shows_secrets(&String::from_utf8_lossy(&out.stdout));
}

/// The secrets are sealed: not in the file's bytes in clear, and they
/// survive a key rotation (and `check` stays clean).
#[test]
#[cfg_attr(appt_test_pg, ignore = "reads the SQLite file's bytes")]
fn channel_secrets_are_sealed_in_the_file_and_survive_key_rotation() {
    let env = clinic();
    let (api, rx) = provider(200, "", json!({"messages":[{"id":"wamid.1"}]}).to_string());
    add_whatsapp(&env, &api);
    add_sms(&env, "http://127.0.0.1:9");
    for secret in [WA_TOKEN, TW_TOKEN] {
        for file in [env.db.clone(), env.db.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} in clear in {}",
                    file.display()
                );
            }
        }
    }
    let rotated = env.ok(&["key", "rotate"]);
    assert_eq!(rotated["channels_resealed"], 2);
    assert_eq!(env.ok(&["check"])["ok"], true);
    let (code, _, err) = test_send(&env, "whatsapp");
    assert_eq!(code, 0, "{err}");
    check_whatsapp(&seen(&rx));
    // A sealed secret moved onto another channel does not open, and check says so.
    env.exec("UPDATE channels SET secrets = (SELECT secrets FROM channels WHERE name = 'sms') WHERE name = 'whatsapp'");
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["check"] == "channel_secret");
    assert!(found, "{report}");
    never_shows_secrets(&report.to_string());
}

/// A database of schema 29 takes schema 30 on its next command: channels
/// can be added.
#[test]
fn channels_come_to_a_schema_29_database() {
    let env = clinic();
    crate::common::undo_schema_30(&env);
    crate::common::set_schema_version(&env, 29);
    add_sms(&env, "http://127.0.0.1:9");
    assert_eq!(env.ok(&["channel", "list"])["channels"][0]["name"], "sms");
    assert_eq!(env.ok(&["check"])["ok"], true);
}

/// Tuesday 2026-06-16 10:00 in El Salvador: the 24h reminder is due on
/// Monday at 16:00Z.
pub(crate) const TUE: &str = "2026-06-16";
pub(crate) const DAY_BEFORE: &str = "2026-06-15T16:00:00Z";

pub(crate) fn twilio_sent(sid: &str) -> (u16, &'static str, String) {
    (201, "", json!({"sid": sid, "status": "queued"}).to_string())
}

/// `remind due` at the env's clock: (exit code, JSON lines, stderr).
pub(crate) fn remind_due(env: &Env) -> (i32, Vec<Value>, String) {
    let out = env.cmd().args(["remind", "due"]).output().unwrap();
    never_shows_secrets(&String::from_utf8_lossy(&out.stdout));
    never_shows_secrets(&String::from_utf8_lossy(&out.stderr));
    (
        out.status.code().unwrap_or(-1),
        crate::common::json_lines(&out.stdout),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

pub(crate) fn the_24h_reminder(env: &Env, appointment: &Value) -> Value {
    env.ok(&["remind", "list"])["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["appointment_id"] == appointment["id"] && r["offset"] == "24h")
        .cloned()
        .expect("the 24h reminder")
}

/// Two `remind due` started together (with the database's key, as every
/// run here): their outputs.
fn two_sweeps_at_once(env: &Env) -> Vec<std::process::Output> {
    let kids: Vec<_> = (0..2)
        .map(|_| {
            let mut c = env.raw(&["remind", "due"]);
            if env.url().is_some() {
                c.env("APPT_KEY", crate::common::PG_KEY);
            }
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    kids.into_iter()
        .map(|k| k.wait_with_output().expect("wait"))
        .collect()
}

/// Nothing more reached the provider.
pub(crate) fn no_more(rx: &mpsc::Receiver<Seen>) {
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "the provider got another request"
    );
}

#[test]
fn remind_due_sends_through_the_clinics_sms_channel_exactly_once() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let (code, lines, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    check_twilio(&seen(&rx));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["status"], "sent");
    assert_eq!(lines[0]["channel"], "sms");
    assert_eq!(lines[0]["provider_id"], "SM0001");
    // One run after the other: the second sends nothing.
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 0), "{err}");
    no_more(&rx);
    let r = the_24h_reminder(&env, &a);
    assert_eq!(r["status"], "sent");
    assert_eq!(r["channel"], "sms");
    assert_eq!(r["provider_id"], "SM0001");

    // Two runs started at once: one request between them.
    // (The 10:00's 2h reminder has expired by then: it is not sent.)
    let b = env.book("2026-06-17", "10:00", "+50370001111");
    env.at("2026-06-16T16:00:00Z");
    let outs = two_sweeps_at_once(&env);
    for o in &outs {
        assert!(o.status.success(), "{o:?}");
    }
    let printed: usize = outs
        .iter()
        .map(|o| crate::common::json_lines(&o.stdout).len())
        .sum();
    assert_eq!(printed, 1);
    check_twilio(&seen(&rx));
    no_more(&rx);
    assert_eq!(the_24h_reminder(&env, &b)["status"], "sent");
}

#[test]
fn remind_due_retries_a_providers_500_after_the_backoff_and_sends_once() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![
        (
            500,
            "",
            json!({"code":20500,"message":"Internal error"}).to_string(),
        ),
        twilio_sent("SM0002"),
    ]);
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let (code, lines, err) = remind_due(&env);
    assert_eq!(code, 7, "{err}");
    assert!(lines.is_empty());
    seen(&rx);
    let r = the_24h_reminder(&env, &a);
    assert_eq!(
        (r["status"].clone(), r["attempts"].clone()),
        (json!("pending"), json!(1))
    );
    assert!(s(&r["last_error"]).contains("Internal error"), "{r}");
    // Within the backoff nothing is tried; past it, sent once.
    env.at("2026-06-15T16:04:00Z");
    assert_eq!(remind_due(&env).0, 0);
    no_more(&rx);
    env.at("2026-06-15T16:05:00Z");
    let (code, lines, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), 1);
    check_twilio(&seen(&rx));
    let r = the_24h_reminder(&env, &a);
    assert_eq!(r["status"], "sent");
    assert_eq!(r["provider_id"], "SM0002");
    env.at("2026-06-15T17:00:00Z");
    assert_eq!(remind_due(&env).0, 0);
    no_more(&rx);
}

#[test]
fn remind_due_records_a_providers_400_failed_and_never_retries_it() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = providers(vec![(
        400,
        "",
        json!({"code":21211,"message":"The 'To' number is not a valid phone number.","status":400})
            .to_string(),
    )]);
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let (code, lines, err) = remind_due(&env);
    assert_eq!(code, 7, "{err}");
    assert!(lines.is_empty());
    seen(&rx);
    let r = the_24h_reminder(&env, &a);
    assert_eq!(r["status"], "failed", "{r}");
    assert!(s(&r["last_error"]).contains("21211"), "{r}");
    assert!(
        s(&r["last_error"]).contains("not a valid phone number"),
        "{r}"
    );
    env.at("2026-06-15T20:00:00Z");
    assert_eq!(remind_due(&env).0, 0);
    no_more(&rx);
}

#[test]
fn remind_due_uses_the_first_channel_in_the_clinics_order() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (wa, wa_rx) = providers(vec![(
        200,
        "",
        json!({"messaging_product":"whatsapp","messages":[{"id":"wamid.X1"}]}).to_string(),
    )]);
    let (tw, tw_rx) = providers(vec![twilio_sent("SM0003")]);
    add_sms(&env, &tw);
    add_whatsapp(&env, &wa);
    env.ok(&["channel", "order", "whatsapp,sms"]);
    env.at(DAY_BEFORE);
    let (code, lines, err) = remind_due(&env);
    assert_eq!(code, 0, "{err}");
    // Outside the patient's 24 hours: the reminder's template.
    let body = check_whatsapp(&seen(&wa_rx));
    assert_eq!(body["type"], "template", "{body}");
    assert_eq!(body["template"]["name"], "appt_reminder");
    no_more(&tw_rx);
    assert_eq!(lines[0]["channel"], "whatsapp");
    assert_eq!(the_24h_reminder(&env, &a)["provider_id"], "wamid.X1");
}

#[test]
fn a_sweep_killed_after_the_provider_took_the_message_sends_it_again_once_its_claim_lapses() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let (api, rx) = stalling(
        Duration::from_secs(8),
        vec![twilio_sent("SM0004"), twilio_sent("SM0005")],
    );
    add_sms(&env, &api);
    env.at(DAY_BEFORE);
    let mut c = env.raw(&["remind", "due"]);
    if env.url().is_some() {
        c.env("APPT_KEY", crate::common::PG_KEY);
    }
    let mut run = c
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The provider has the message; the sweep, killed, never hears so.
    check_twilio(&seen(&rx));
    run.kill().unwrap();
    run.wait().unwrap();
    // Still claimed: a run within the 10 minutes sends nothing.
    env.at("2026-06-15T16:09:00Z");
    assert_eq!(remind_due(&env).0, 0);
    no_more(&rx);
    assert_eq!(the_24h_reminder(&env, &a)["status"], "pending");
    // The claim lapsed: sent again, once (at least once across that window).
    env.at("2026-06-15T16:11:00Z");
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 1), "{err}");
    check_twilio(&seen(&rx));
    let r = the_24h_reminder(&env, &a);
    assert_eq!(r["status"], "sent");
    assert_eq!(r["provider_id"], "SM0005");
    env.at("2026-06-15T16:30:00Z");
    assert_eq!(remind_due(&env).0, 0);
    no_more(&rx);
}

#[test]
fn a_message_no_channel_reaches_is_printed_as_without_channels() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370001111");
    let pw = secret_file(&env, "smtp.pw", "smtpPASSWORD0secret");
    env.ok(&[
        "channel",
        "add",
        "email",
        "--smtp-url",
        "smtps://desk@mail.example:465",
        "--password-file",
        &pw,
        "--from",
        "desk@clinic.example",
    ]);
    env.at(DAY_BEFORE);
    let (code, lines, err) = remind_due(&env);
    assert_eq!((code, lines.len()), (0, 1), "{err}");
    assert_eq!(lines[0]["status"], "sent");
    assert!(lines[0].get("channel").is_none(), "{}", lines[0]);
    let r = the_24h_reminder(&env, &a);
    assert_eq!(r["status"], "sent");
    assert!(r.get("channel").is_none(), "{r}");
}

#[test]
fn remind_due_sends_several_at_once_so_a_slow_provider_does_not_stretch_the_sweep() {
    let mut env = Env::clinic();
    let phones: Vec<String> = (0..8).map(|i| format!("+5037000{:04}", 2000 + i)).collect();
    for (i, phone) in phones.iter().enumerate() {
        let time = format!("{:02}:{:02}", 9 + i / 2, (i % 2) * 30);
        env.book(TUE, &time, phone);
    }
    // Each answer takes 1.5 s: eight one after the other would take 12 s.
    let (api, rx) = slow(Duration::from_millis(1500), twilio_sent("SM0100"));
    add_sms(&env, &api);
    env.at("2026-06-15T18:45:00Z");
    let started = std::time::Instant::now();
    let out = env
        .cmd()
        .args(["remind", "due", "--concurrency", "8"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(crate::common::json_lines(&out.stdout).len(), 8);
    assert!(took < Duration::from_secs(8), "the sweep took {took:?}");
    // Each patient got exactly one message.
    let mut to: Vec<String> = (0..8)
        .map(|_| {
            let r = seen(&rx);
            form_urlencoded::parse(r.body.as_bytes())
                .find(|(k, _)| k == "To")
                .map(|(_, v)| v.into_owned())
                .unwrap()
        })
        .collect();
    to.sort();
    assert_eq!(to, phones);
    no_more(&rx);
    // --concurrency is checked.
    env.fails(
        &["remind", "due", "--concurrency", "0"],
        "VALIDATION_ERROR",
        2,
    );
}

/// An HTTPS Twilio on localhost with the test CA's certificate (Python's
/// own `http.server` and `ssl`): its port.
const HTTPS_TWILIO: &str = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        b = b'{"sid":"SMtls0001","status":"queued"}'
        self.send_response(201)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

#[test]
fn a_providers_https_is_verified_against_the_trust_store_ssl_cert_file_names() {
    use std::io::BufRead;
    let env = clinic();
    let certs = crate::engines::Certificates::new();
    /// The server, stopped however the test ends.
    struct Stopped(std::process::Child);
    impl Drop for Stopped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut server = Stopped(
        std::process::Command::new("python3")
            .args(["-c", HTTPS_TWILIO])
            .arg(&certs.cert)
            .arg(&certs.key)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3"),
    );
    let mut port = String::new();
    std::io::BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    add_sms(&env, &format!("https://localhost:{}", port.trim()));
    let send = |ca: &std::path::Path| {
        env.cmd()
            .args(["channel", "test", "sms", "--to", "7000-1111", "--json"])
            .env("SSL_CERT_FILE", ca)
            .output()
            .unwrap()
    };
    // A store that does not know the provider's CA: no connection, nothing sent.
    let refused = send(&certs.other_ca);
    assert_eq!(refused.status.code(), Some(7), "{refused:?}");
    let e: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(e["error"]["details"]["outcome"], "temporary", "{e}");
    // The store SSL_CERT_FILE names knows it: sent.
    let sent = send(&certs.ca);
    assert!(sent.status.success(), "{sent:?}");
    let v: Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(v["provider_id"], "SMtls0001", "{v}");
}
