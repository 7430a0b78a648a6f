//! Tests: `appt webhook add|list|remove|deliver`, docs/errors.md and docs/rules.md#events, against a
//! small HTTP server on 127.0.0.1 written here with std only.

use crate::common::{s, write_clinical_record, Env, MESSAGE_VIEW_LEAVES_OUT};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// A scripted HTTP server
// ---------------------------------------------------------------------------

/// What the server does with one request.
#[derive(Debug, Clone, Copy)]
enum Reply {
    /// Answer with this status, `Content-Length: 0`, `Connection: close`.
    Status(u16),
    /// Read the request and never answer (until the client gives up).
    Hang,
}

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    /// Header names lowercased.
    headers: HashMap<String, String>,
    /// The raw body bytes, exactly as received.
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn event_id(&self) -> i64 {
        self.json()["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("event id is not an integer: {}", self.json()))
    }

    fn kind(&self) -> String {
        s(&self.json()["type"]).to_string()
    }
}

/// Listens on 127.0.0.1 (an OS-chosen port), records every request and answers
/// each with the next scripted reply (200 once the script is used up).
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Request>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// At most this many connections per server: every loop is bounded.
const MAX_CONNECTIONS: usize = 1000;

impl Server {
    fn start() -> Self {
        Self::with(&[])
    }

    fn with(replies: &[Reply]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(replies.iter().copied().collect::<VecDeque<_>>()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, script, stop) = (seen.clone(), script.clone(), stop.clone());
            std::thread::spawn(move || {
                for _ in 0..MAX_CONNECTIONS {
                    let Ok((stream, _)) = listener.accept() else {
                        break;
                    };
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    serve(stream, &seen, &script, &stop);
                }
            })
        };
        Server {
            port,
            seen,
            script,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Every request received so far, in arrival order.
    fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }

    /// Appends replies to the script.
    fn then(&self, replies: &[Reply]) {
        self.script.lock().unwrap().extend(replies.iter().copied());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn serve(
    mut stream: TcpStream,
    seen: &Mutex<Vec<Request>>,
    script: &Mutex<VecDeque<Reply>>,
    stop: &AtomicBool,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    // Request line and headers, up to the blank line.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 64 * 1024 {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    // Exactly Content-Length body bytes.
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(16 * 1024 * 1024);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(len);
    seen.lock().unwrap().push(Request {
        method,
        path,
        headers,
        body,
    });
    let reply = script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Reply::Status(200));
    match reply {
        Reply::Status(code) => {
            let reason = match code {
                200 => "OK",
                201 => "Created",
                204 => "No Content",
                302 => "Found",
                404 => "Not Found",
                500 => "Internal Server Error",
                _ => "Status",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {code} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        Reply::Hang => {
            // Say nothing until the client hangs up, the test ends, or 30 s pass.
            let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline && !stop.load(Ordering::SeqCst) {
                match stream.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(_) => break,
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// One run of `appt webhook deliver` (with `--json` when asked): (exit, stdout, stderr).
fn deliver(env: &Env, json: bool) -> (i32, String, String) {
    let mut c = env.cmd();
    c.args(["webhook", "deliver"]);
    if json {
        c.arg("--json");
    }
    let out = c.output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `webhook deliver --json` that succeeds with something to report.
fn deliver_ok(env: &Env) -> Value {
    let (code, out, err) = deliver(env, true);
    assert_eq!(code, 0, "deliver should succeed: stdout {out} stderr {err}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("bad JSON {e}: {out}"))
}

/// `webhook deliver` with nothing to do: exit 0, nothing on stdout.
fn deliver_quiet(env: &Env) {
    for json in [false, true] {
        let (code, out, err) = deliver(env, json);
        assert_eq!(code, 0, "quiet deliver (json={json}): stderr {err}");
        assert!(
            out.is_empty(),
            "deliver with nothing to do printed (json={json}): {out}"
        );
    }
}

/// `webhook deliver --json` where some delivery failed: exit 7, the summary on
/// stdout, DELIVERY_FAILED on stderr. Returns the summary.
fn deliver_fails(env: &Env) -> Value {
    let (code, out, err) = deliver(env, true);
    assert_eq!(code, 7, "deliver should exit 7: stdout {out} stderr {err}");
    let e: Value = serde_json::from_str(err.trim())
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {err}"));
    assert_eq!(e["error"]["code"], "DELIVERY_FAILED", "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{e}"
    );
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("bad summary JSON {e}: {out}"))
}

/// The whole event log (`appt events`), oldest first.
fn events(env: &Env) -> Vec<Value> {
    let out = env.cmd().args(["events", "--json"]).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {e}: {l}")))
        .collect()
}

fn add(env: &Env, url: &str, extra: &[&str]) -> Value {
    let mut args = vec!["webhook", "add", url];
    args.extend_from_slice(extra);
    env.ok(&args)
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn kinds(reqs: &[Request]) -> Vec<String> {
    reqs.iter().map(Request::kind).collect()
}

fn ids(reqs: &[Request]) -> Vec<i64> {
    reqs.iter().map(Request::event_id).collect()
}

fn ids_of(events: &[Value]) -> Vec<i64> {
    events.iter().map(|e| e["id"].as_i64().unwrap()).collect()
}

const PLUS_1_MIN: &str = "2026-06-15T14:01:00Z";
const PLUS_6_MIN: &str = "2026-06-15T14:06:00Z";

// ---------------------------------------------------------------------------
// add / list / remove
// ---------------------------------------------------------------------------

#[test]
fn add_list_remove_and_the_secret_is_never_printed() {
    let env = Env::clinic();
    let secret = "s3cr3t-Sup3r-Hidden";
    let signed = add(
        &env,
        "https://hooks.example.com/appt",
        &[
            "--events",
            "appointment.booked,appointment.cancelled",
            "--secret",
            secret,
        ],
    );
    assert_eq!(signed["url"], "https://hooks.example.com/appt");
    assert_eq!(
        signed["events"],
        json!(["appointment.booked", "appointment.cancelled"])
    );
    assert_eq!(signed["has_secret"], true);
    assert!(!signed.to_string().contains(secret), "{signed}");
    let plain = add(&env, "http://127.0.0.1:9/plain", &[]);
    assert_eq!(plain["has_secret"], false);
    assert!(plain["events"].is_null(), "all types: {plain}");
    assert_ne!(plain["id"], signed["id"]);

    let list = env.ok(&["webhook", "list"]);
    let hooks = list["webhooks"].as_array().expect("webhooks array");
    assert_eq!(hooks.len(), 2, "{list}");
    let by_id = |id: &Value| hooks.iter().find(|w| w["id"] == *id).unwrap().clone();
    assert_eq!(by_id(&signed["id"])["has_secret"], true);
    assert_eq!(
        by_id(&signed["id"])["url"],
        "https://hooks.example.com/appt"
    );
    assert_eq!(
        by_id(&signed["id"])["events"],
        json!(["appointment.booked", "appointment.cancelled"])
    );
    assert_eq!(by_id(&plain["id"])["has_secret"], false);
    assert!(!list.to_string().contains(secret), "{list}");

    // Human output never shows it either.
    for args in [
        vec!["webhook", "list"],
        vec![
            "webhook",
            "add",
            "https://other.example.com/x",
            "--secret",
            secret,
        ],
    ] {
        let out = env.cmd().args(&args).output().expect("run");
        assert!(out.status.success(), "{args:?}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(secret), "{args:?} printed the secret: {all}");
    }

    // Remove by a short prefix.
    let id = s(&signed["id"]).to_string();
    let removed = env.ok(&["webhook", "remove", &id[..6]]);
    assert!(!removed.to_string().contains(secret), "{removed}");
    let left = env.ok(&["webhook", "list"]);
    let left = left["webhooks"].as_array().unwrap();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|w| w["id"] != signed["id"]));
    assert!(left.iter().any(|w| w["id"] == plain["id"]));

    // Gone for good: removing again, or an unknown ID, is NOT_FOUND.
    env.fails(&["webhook", "remove", &id], "NOT_FOUND", 3);
    env.fails(
        &["webhook", "remove", "00000000-0000-4000-8000-000000000000"],
        "NOT_FOUND",
        3,
    );
}

#[test]
fn empty_list_is_an_empty_array() {
    let env = Env::clinic();
    assert_eq!(env.ok(&["webhook", "list"]), json!({"webhooks": []}));
}

#[test]
fn bad_url_or_unknown_event_type_is_a_validation_error() {
    let env = Env::clinic();
    let before = env.snapshot();
    for url in [
        "ftp://example.com/hook",
        "example.com/hook",
        "http://",
        "https://",
        "mailto:someone@example.com",
        "file:///etc/passwd",
        "",
    ] {
        let details = env.fails(&["webhook", "add", url], "VALIDATION_ERROR", 2);
        assert!(details.get("url").is_some(), "{url:?}: {details}");
    }
    for events in [
        "appointment.exploded",
        "appointment.booked,nope",
        "booked",
        ",",
    ] {
        let details = env.fails(
            &[
                "webhook",
                "add",
                "https://example.com/hook",
                "--events",
                events,
            ],
            "VALIDATION_ERROR",
            2,
        );
        assert!(details.get("events").is_some(), "{events:?}: {details}");
    }
    // Both wrong at once: one entry per bad field.
    let details = env.fails(
        &["webhook", "add", "gopher://x", "--events", "bogus"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        details.get("url").is_some() && details.get("events").is_some(),
        "{details}"
    );
    assert_eq!(
        env.snapshot(),
        before,
        "a refused add wrote to the database"
    );
    assert_eq!(env.ok(&["webhook", "list"])["webhooks"], json!([]));
}

#[test]
fn every_event_type_is_accepted() {
    let env = Env::clinic();
    let all = "appointment.booked,appointment.rescheduled,appointment.cancelled,\
               appointment.confirmed,appointment.checked_in,appointment.in_progress,\
               appointment.completed,appointment.no_show,appointment.updated";
    let w = add(&env, "https://example.com/hook", &["--events", all]);
    assert_eq!(w["events"].as_array().unwrap().len(), 9, "{w}");
}

// ---------------------------------------------------------------------------
// deliver: body, headers, signature
// ---------------------------------------------------------------------------

#[test]
fn delivers_only_events_after_the_webhook_was_added_signed_with_the_exact_body() {
    let mut env = Env::clinic();
    let server = Server::start();
    let secret = "whsec_test_123";
    // Booked before the webhook exists: never sent.
    let early = env.book("2026-06-16", "09:00", "+50370000001");
    env.at("2026-06-15T14:02:00Z");
    add(&env, &server.url(), &["--secret", secret]);
    env.at("2026-06-15T14:05:00Z");
    let a = env.book("2026-06-16", "10:00", "+50370000002");

    let summary = deliver_ok(&env);
    assert_eq!(summary, json!({"delivered": 1, "failed": 0}));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "only the later event: {:?}", kinds(&reqs));
    let r = &reqs[0];

    // The event log says which event this is.
    let log = events(&env);
    let ev = log
        .iter()
        .find(|e| e["appointment_id"] == a["id"])
        .expect("booked event of a");
    assert!(log.iter().any(|e| e["appointment_id"] == early["id"]));

    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/hook");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("x-appt-event"), Some("appointment.booked"));
    assert_eq!(
        r.header("x-appt-delivery"),
        Some(ev["id"].to_string().as_str())
    );
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );

    // Signature: HMAC-SHA256 of the raw bytes received, with the secret.
    let sig = r.header("x-appt-signature").expect("signature header");
    assert_eq!(sig, format!("sha256={}", hmac_hex(secret, &r.body)));
    assert_ne!(
        sig,
        format!("sha256={}", hmac_hex("another secret", &r.body)),
        "signature must depend on the secret"
    );

    // Body: exactly id, type, created_at, actor, data.
    let body = r.json();
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["actor", "created_at", "data", "id", "type"],
        "{body}"
    );
    assert_eq!(body["id"], ev["id"]);
    assert!(body["id"].is_i64(), "{body}");
    assert_eq!(body["type"], "appointment.booked");
    assert_eq!(body["created_at"], "2026-06-15T14:05:00Z");
    // Who booked it (docs/rules.md#events): the OS user who ran `book`.
    assert_eq!(body["actor"], ev["actor"]);
    assert!(s(&body["actor"]).starts_with("cli:"), "{body}");
    // The message view (docs/security.md#what-leaves-appt): the §6 object
    // without the keys a message never needs.
    let mut view = a.clone();
    for k in MESSAGE_VIEW_LEAVES_OUT {
        view.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(body["data"]["appointment"], view, "data.appointment");
    assert_eq!(
        body["data"].as_object().unwrap().len(),
        ev["data"].as_object().unwrap().len()
    );
    assert_eq!(body["data"]["appointment"]["status"], "scheduled");

    // Nothing new: quiet, and the server hears nothing more.
    deliver_quiet(&env);
    assert_eq!(server.requests().len(), 1);
}

/// A member of staff's event arrives as `events` prints it: the OS account
/// of their terminal beside them (docs/rules.md#webhooks); any other
/// actor's without one.
#[test]
fn a_staff_members_event_arrives_with_the_os_account_beside_them() {
    let env = Env::clinic();
    let server = Server::start();
    let a = env.book("2026-06-16", "10:00", "+50370000002");
    add(&env, &server.url(), &[]);
    let b = env.book("2026-06-16", "11:00", "+50370000003");
    crate::sessions::add_manager(&env);
    let out = env
        .cmd()
        .env("USER", "recepcion")
        .env("APPT_STAFF", "Marta")
        .env("APPT_STAFF_PIN_FILE", env.dir.path().join("pin"))
        .args(["status", s(&a["id"]), "confirmed", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(deliver_ok(&env), json!({"delivered": 2, "failed": 0}));
    let bodies: Vec<Value> = server.requests().iter().map(|r| r.json()).collect();
    let (booked, confirmed) = (&bodies[0], &bodies[1]);
    assert_eq!(booked["data"]["appointment"]["id"], b["id"], "{booked}");
    assert!(s(&booked["actor"]).starts_with("cli:"), "{booked}");
    assert!(booked.get("os_user").is_none(), "{booked}");
    assert_eq!(confirmed["type"], "appointment.confirmed", "{confirmed}");
    assert_eq!(confirmed["actor"], "staff:Marta", "{confirmed}");
    assert_eq!(confirmed["os_user"], "recepcion", "{confirmed}");
}

#[test]
fn no_signature_header_without_a_secret() {
    let env = Env::clinic();
    let server = Server::start();
    let w = add(&env, &server.url(), &[]);
    assert_eq!(w["has_secret"], false);
    env.book("2026-06-16", "09:00", "+50370000001");
    assert_eq!(deliver_ok(&env), json!({"delivered": 1, "failed": 0}));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].header("x-appt-signature"),
        None,
        "{:?}",
        reqs[0].headers
    );
    assert_eq!(reqs[0].header("x-appt-event"), Some("appointment.booked"));
}

#[test]
fn a_signed_webhook_signs_every_event() {
    let env = Env::clinic();
    let server = Server::start();
    let secret = "k";
    add(&env, &server.url(), &["--secret", secret]);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    env.ok(&["cancel", s(&a["id"]), "--reason", "No puede"]);
    assert_eq!(deliver_ok(&env)["delivered"], 3);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(
            r.header("x-appt-signature"),
            Some(format!("sha256={}", hmac_hex(secret, &r.body)).as_str()),
            "{}",
            r.kind()
        );
        assert_eq!(r.header("x-appt-event"), Some(r.kind().as_str()));
        assert_eq!(
            r.header("x-appt-delivery"),
            Some(r.event_id().to_string().as_str())
        );
    }
}

#[test]
fn removed_webhook_gets_nothing() {
    let env = Env::clinic();
    let server = Server::start();
    let w = add(&env, &server.url(), &[]);
    env.ok(&["webhook", "remove", s(&w["id"])]);
    env.book("2026-06-16", "09:00", "+50370000001");
    deliver_quiet(&env);
    assert!(server.requests().is_empty());
}

#[test]
fn no_webhooks_is_quiet() {
    let env = Env::clinic();
    env.book("2026-06-16", "09:00", "+50370000001");
    deliver_quiet(&env);
}

// ---------------------------------------------------------------------------
// deliver: order, no duplicates, subscriptions
// ---------------------------------------------------------------------------

/// Whether any of `words` is in any body `server` received.
fn heard_any(server: &Server, words: &[&str]) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .filter(|body| words.iter().any(|w| body.contains(w)))
        .collect()
}

#[test]
fn a_webhook_gets_the_message_view_unless_added_clinical() {
    let env = Env::clinic();
    let plain = Server::start();
    let clinical = Server::start();
    assert_eq!(add(&env, &plain.url(), &[])["clinical"], false);
    assert_eq!(
        add(&env, &clinical.url(), &["--clinical"])["clinical"],
        true
    );
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    let words = write_clinical_record(&env, &a);
    assert_eq!(deliver_ok(&env)["delivered"], 4);

    let said = heard_any(&plain, &words);
    assert!(
        said.is_empty(),
        "the clinical record reached a plain webhook: {said:?}"
    );
    let reqs = plain.requests();
    assert_eq!(kinds(&reqs), ["appointment.booked", "appointment.updated"]);
    for r in &reqs {
        let body = r.json();
        let appointment = body["data"]["appointment"].as_object().unwrap();
        for k in MESSAGE_VIEW_LEAVES_OUT {
            assert!(!appointment.contains_key(k), "{k} in {body}");
        }
        assert_eq!(appointment["patient"]["phone"], "+50370000001");
    }
    // Nor does it learn which clinical fields changed.
    assert_eq!(reqs[1].json()["data"]["changed"], json!([]));

    // The clinical webhook gets the whole event, as the log holds it.
    let log = events(&env);
    let full: Vec<Value> = clinical
        .requests()
        .iter()
        .map(|r| r.json()["data"].clone())
        .collect();
    let logged: Vec<Value> = log.iter().map(|e| e["data"].clone()).collect();
    assert_eq!(full, logged);
    assert_eq!(full[1]["appointment"]["diagnosis"], words[0]);
    assert_eq!(
        full[1]["changed"],
        json!(["notes", "diagnosis", "prescription", "follow_up"])
    );
}

#[test]
fn a_webhook_added_before_schema_18_gets_the_message_view() {
    let env = Env::clinic();
    let server = Server::start();
    add(&env, &server.url(), &[]);
    crate::common::undo_schema_18(&env);
    crate::common::set_schema_version(&env, 17);
    let listed = env.ok(&["webhook", "list"])["webhooks"][0].clone();
    assert_eq!(listed["clinical"], false, "{listed}");
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    let words = write_clinical_record(&env, &a);
    assert_eq!(deliver_ok(&env)["delivered"], 2);
    assert!(heard_any(&server, &words).is_empty());
}

#[test]
fn several_events_arrive_in_event_order_once() {
    let mut env = Env::clinic();
    let server = Server::start();
    add(&env, &server.url(), &[]);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    env.ok(&[
        "reschedule",
        s(&a["id"]),
        "--date",
        "2026-06-17",
        "--time",
        "11:00",
    ]);
    let b = env.book("2026-06-16", "10:00", "+50370000002");
    env.ok(&["update", s(&b["id"]), "--notes", "Trae exámenes"]);
    env.ok(&["cancel", s(&b["id"]), "--reason", "Cambio de planes"]);

    let log = events(&env);
    assert_eq!(log.len(), 6, "{log:?}");
    assert_eq!(deliver_ok(&env), json!({"delivered": 6, "failed": 0}));
    let reqs = server.requests();
    assert_eq!(ids(&reqs), ids_of(&log), "event-id order, each once");
    assert_eq!(
        kinds(&reqs),
        [
            "appointment.booked",
            "appointment.confirmed",
            "appointment.rescheduled",
            "appointment.booked",
            "appointment.updated",
            "appointment.cancelled"
        ]
    );
    for (r, e) in reqs.iter().zip(&log) {
        assert_eq!(
            r.json()["data"]["appointment"]["id"],
            e["data"]["appointment"]["id"],
            "event {}",
            e["id"]
        );
        assert_eq!(r.header("x-appt-event"), e["type"].as_str());
    }
    // The reschedule carries the moved appointment.
    let moved = reqs[2].json();
    assert_eq!(moved["data"]["appointment"]["date"], "2026-06-17");
    assert_eq!(moved["data"]["appointment"]["start_time"], "11:00");
    assert_eq!(reqs[5].json()["data"]["appointment"]["status"], "cancelled");

    // Again, and later: nothing new is sent.
    deliver_quiet(&env);
    env.at("2026-06-15T15:00:00Z");
    deliver_quiet(&env);
    assert_eq!(server.requests().len(), 6);

    // A new change goes out alone (the moved visit, confirmed again).
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    assert_eq!(deliver_ok(&env), json!({"delivered": 1, "failed": 0}));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 7);
    assert_eq!(reqs[6].kind(), "appointment.confirmed");
    assert!(reqs[6].event_id() > reqs[5].event_id());
    assert_eq!(reqs[6].json()["created_at"], "2026-06-15T15:00:00Z");
    deliver_quiet(&env);
    assert_eq!(server.requests().len(), 7);
}

#[test]
fn only_subscribed_types_are_sent() {
    let env = Env::clinic();
    let picky = Server::start();
    let all = Server::start();
    add(
        &env,
        &picky.url(),
        &["--events", "appointment.confirmed, appointment.cancelled"],
    );
    add(&env, &all.url(), &[]);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    let b = env.book("2026-06-16", "10:00", "+50370000002");
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    env.ok(&["status", s(&b["id"]), "confirmed"]);

    assert_eq!(deliver_ok(&env), json!({"delivered": 8, "failed": 0}));
    let got = picky.requests();
    assert_eq!(
        kinds(&got),
        [
            "appointment.confirmed",
            "appointment.cancelled",
            "appointment.confirmed"
        ]
    );
    assert_eq!(got[0].json()["data"]["appointment"]["id"], a["id"]);
    assert_eq!(got[2].json()["data"]["appointment"]["id"], b["id"]);
    let got_ids = ids(&got);
    assert!(got_ids.windows(2).all(|w| w[0] < w[1]), "{got_ids:?}");
    assert_eq!(all.requests().len(), 5);
    assert_eq!(ids(&all.requests()), ids_of(&events(&env)));

    // Skipped types are not sent later either.
    deliver_quiet(&env);
    assert_eq!(picky.requests().len(), 3);
    assert_eq!(all.requests().len(), 5);
}

// ---------------------------------------------------------------------------
// deliver: failures and retries
// ---------------------------------------------------------------------------

#[test]
fn a_500_fails_with_exit_7_and_is_retried_only_after_the_backoff_in_order() {
    let mut env = Env::clinic();
    let server = Server::with(&[Reply::Status(500)]);
    let secret = "retry-secret";
    add(&env, &server.url(), &["--secret", secret]);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    let log = events(&env);
    assert_eq!(log.len(), 2);

    // First run: the first event fails and holds back the second.
    let summary = deliver_fails(&env);
    assert_eq!(summary, json!({"delivered": 0, "failed": 1}));
    let reqs = server.requests();
    assert_eq!(ids(&reqs), [log[0]["id"].as_i64().unwrap()]);

    // Running again at once, or one minute later: too early, nothing is sent.
    deliver_quiet(&env);
    env.at(PLUS_1_MIN);
    deliver_quiet(&env);
    assert_eq!(
        server.requests().len(),
        1,
        "retried before the 5-minute backoff"
    );

    // Six minutes later: the failed event, then the held-back one, in order.
    env.at(PLUS_6_MIN);
    assert_eq!(deliver_ok(&env), json!({"delivered": 2, "failed": 0}));
    let reqs = server.requests();
    assert_eq!(
        ids(&reqs),
        [
            log[0]["id"].as_i64().unwrap(),
            log[0]["id"].as_i64().unwrap(),
            log[1]["id"].as_i64().unwrap()
        ]
    );
    // The retry is the same event, body and signature.
    assert_eq!(reqs[1].json(), reqs[0].json());
    assert_eq!(
        reqs[1].header("x-appt-delivery"),
        reqs[0].header("x-appt-delivery")
    );
    for r in &reqs {
        assert_eq!(
            r.header("x-appt-signature"),
            Some(format!("sha256={}", hmac_hex(secret, &r.body)).as_str())
        );
    }
    // Nothing is sent twice once delivered.
    deliver_quiet(&env);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn failure_without_json_exits_7_with_an_error_on_stderr_only() {
    let env = Env::clinic();
    let server = Server::with(&[Reply::Status(500)]);
    add(&env, &server.url(), &[]);
    env.book("2026-06-16", "09:00", "+50370000001");
    let (code, out, err) = deliver(&env, false);
    assert_eq!(code, 7, "stdout {out} stderr {err}");
    assert!(err.starts_with("error:"), "stderr: {err}");
    assert!(!out.contains("error"), "errors go to stderr: {out}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn any_non_2xx_is_a_failure_and_any_2xx_a_success() {
    let mut env = Env::clinic();
    let server = Server::with(&[
        Reply::Status(404),
        Reply::Status(201),
        Reply::Status(302),
        Reply::Status(204),
    ]);
    add(&env, &server.url(), &[]);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    let log = ids_of(&events(&env));

    // 404: failed.
    assert_eq!(deliver_fails(&env), json!({"delivered": 0, "failed": 1}));
    // +6 min: 201 delivers the first, 302 fails the second (no redirect followed).
    env.at(PLUS_6_MIN);
    assert_eq!(deliver_fails(&env), json!({"delivered": 1, "failed": 1}));
    // Well past any backoff: 204 delivers the second.
    env.at("2026-06-15T15:00:00Z");
    assert_eq!(deliver_ok(&env), json!({"delivered": 1, "failed": 0}));
    assert_eq!(
        ids(&server.requests()),
        [log[0], log[0], log[1], log[1]],
        "each failed event retried, in order"
    );
    deliver_quiet(&env);
}

#[test]
fn a_success_resets_the_backoff_for_the_next_failure() {
    let mut env = Env::clinic();
    // 1st event: fails, then succeeds on retry; 2nd event fails in that same run.
    let server = Server::with(&[Reply::Status(500), Reply::Status(200), Reply::Status(500)]);
    add(&env, &server.url(), &[]);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    let log = ids_of(&events(&env));

    assert_eq!(deliver_fails(&env), json!({"delivered": 0, "failed": 1}));
    env.at(PLUS_6_MIN);
    assert_eq!(deliver_fails(&env), json!({"delivered": 1, "failed": 1}));
    // The 2nd event has failed once: its retry is 5 min after 14:06.
    let w = env.ok(&["webhook", "list"])["webhooks"][0].clone();
    assert_eq!(w["attempts"], 1, "{w}");
    assert_eq!(w["next_attempt_at"], "2026-06-15T14:11:00Z", "{w}");
    env.at("2026-06-15T14:12:00Z");
    assert_eq!(deliver_ok(&env), json!({"delivered": 1, "failed": 0}));
    assert_eq!(ids(&server.requests()), [log[0], log[0], log[1], log[1]]);
}

#[test]
fn backoff_grows_after_repeated_failures() {
    let mut env = Env::clinic();
    let server = Server::with(&[Reply::Status(500), Reply::Status(503)]);
    add(&env, &server.url(), &[]);
    env.book("2026-06-16", "09:00", "+50370000001");

    deliver_fails(&env); // 14:00, 1st failure: retry after 5 min
    env.at(PLUS_6_MIN);
    deliver_fails(&env); // 14:06, 2nd failure: retry after 10 min
    assert_eq!(server.requests().len(), 2);
    env.at("2026-06-15T14:12:00Z"); // 6 min after: too early now
    deliver_quiet(&env);
    assert_eq!(server.requests().len(), 2, "backoff did not grow");
    env.at("2026-06-15T14:17:00Z");
    assert_eq!(deliver_ok(&env), json!({"delivered": 1, "failed": 0}));
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_failing_webhook_does_not_hold_back_another() {
    let mut env = Env::clinic();
    let broken = Server::with(&[Reply::Status(500)]);
    let healthy = Server::start();
    // The broken one is older, so it is tried first.
    env.at("2026-06-15T13:59:00Z");
    add(&env, &broken.url(), &[]);
    env.at(common_now());
    add(&env, &healthy.url(), &[]);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "confirmed"]);
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    let log = ids_of(&events(&env));
    assert_eq!(log.len(), 3);

    assert_eq!(deliver_fails(&env), json!({"delivered": 3, "failed": 1}));
    assert_eq!(
        ids(&healthy.requests()),
        log,
        "healthy webhook got everything"
    );
    assert_eq!(
        ids(&broken.requests()),
        [log[0]],
        "broken one stops at its failure"
    );

    // Too early for the broken one; nothing for the healthy one.
    env.at(PLUS_1_MIN);
    deliver_quiet(&env);
    assert_eq!(broken.requests().len(), 1);
    assert_eq!(healthy.requests().len(), 3);

    // Later the broken one catches up, in order, and the healthy one gets no repeats.
    env.at(PLUS_6_MIN);
    assert_eq!(deliver_ok(&env), json!({"delivered": 3, "failed": 0}));
    assert_eq!(ids(&broken.requests()), [log[0], log[0], log[1], log[2]]);
    assert_eq!(healthy.requests().len(), 3);
}

#[test]
fn a_refused_connection_is_a_failure() {
    let mut env = Env::clinic();
    // The discard port, where nothing listens: a port freed just now could be
    // taken by a server another test starts meanwhile.
    let healthy = Server::start();
    env.at("2026-06-15T13:59:00Z");
    add(&env, "http://127.0.0.1:9/hook", &[]);
    env.at(common_now());
    add(&env, &healthy.url(), &[]);
    env.book("2026-06-16", "09:00", "+50370000001");
    assert_eq!(deliver_fails(&env), json!({"delivered": 1, "failed": 1}));
    assert_eq!(healthy.requests().len(), 1);
    // Still refused at the retry: still a failure.
    env.at(PLUS_6_MIN);
    assert_eq!(deliver_fails(&env), json!({"delivered": 0, "failed": 1}));
}

#[test]
fn a_server_that_never_answers_fails_after_the_timeout() {
    let mut env = Env::clinic();
    let server = Server::with(&[Reply::Hang]);
    add(&env, &server.url(), &[]);
    env.book("2026-06-16", "09:00", "+50370000001");
    let started = Instant::now();
    assert_eq!(deliver_fails(&env), json!({"delivered": 0, "failed": 1}));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(30),
        "timed out after {took:?}, expected about 10 s"
    );
    assert_eq!(server.requests().len(), 1);
    // Answered at the retry: delivered, the same event.
    server.then(&[Reply::Status(200)]);
    env.at(PLUS_6_MIN);
    assert_eq!(deliver_ok(&env), json!({"delivered": 1, "failed": 0}));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body);
}

// ---------------------------------------------------------------------------
// Secrets: a password in the URL, the signing secret off the command line
// ---------------------------------------------------------------------------

/// Runs `appt ARGS` for a human and with `--json`; returns what each printed
/// (stdout and stderr together) and the JSON run's exit code.
fn both_outputs(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let mut all = String::new();
    let mut code = None;
    for json in [false, true] {
        let mut c = env.cmd();
        c.args(args);
        if json {
            c.arg("--json");
        }
        let out = c.output().expect("run");
        code = out.status.code();
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    (code, all)
}

#[test]
fn a_password_in_a_webhook_url_is_shown_masked_and_still_sent() {
    let mut env = Env::clinic();
    let password = "Hook-Pa55word";
    let server = Server::start();
    let url = format!("http://crm:{password}@127.0.0.1:{}/hook", server.port);
    let masked = format!("http://crm:***@127.0.0.1:{}/hook", server.port);
    let w = add(&env, &url, &[]);
    assert_eq!(w["url"], masked.as_str(), "{w}");
    // Nothing listens on the discard port: its delivery fails and says why.
    let refused = add(
        &env,
        &format!("http://crm:{password}@127.0.0.1:9/down"),
        &[],
    );
    assert_eq!(refused["url"], "http://crm:***@127.0.0.1:9/down");
    let (_, human_add) = both_outputs(
        &env,
        &[
            "webhook",
            "add",
            &format!("http://u:{password}@127.0.0.1:9/x"),
        ],
    );
    assert!(
        human_add.contains("http://u:***@127.0.0.1:9/x"),
        "{human_add}"
    );
    env.book("2026-06-16", "09:00", "+50370000001");
    let (code, out, err) = deliver(&env, false);
    assert_eq!(code, 7, "{out}{err}");
    let mut delivered = format!("{out}{err}");
    // The retries, due 5 minutes later, fail again: reported in JSON this time.
    env.at(PLUS_6_MIN);
    let (code, out, err) = deliver(&env, true);
    assert_eq!(code, 7, "{out}{err}");
    assert!(err.contains("Connection Failed"), "{err}");
    delivered.push_str(&format!("{out}{err}"));
    let (_, listed) = both_outputs(&env, &["webhook", "list"]);
    assert!(listed.contains(&masked), "{listed}");
    for (what, text) in [
        ("add", &human_add),
        ("deliver", &delivered),
        ("list", &listed),
    ] {
        assert!(
            !text.contains(password),
            "{what} printed the password:\n{text}"
        );
    }
    // Delivered with the password (HTTP basic auth): only display hides it.
    let reqs = server.requests();
    assert!(!reqs.is_empty());
    let auth = reqs[0]
        .header("authorization")
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        auth, "Basic Y3JtOkhvb2stUGE1NXdvcmQ=",
        "crm:{password} in base64"
    );

    // An error recorded by an older appt, quoting the whole URL: shown masked.
    env.exec(&format!(
        "UPDATE webhooks SET last_error = 'http://crm:{password}@127.0.0.1:9/down: Connection Failed' \
         WHERE id = '{}'",
        s(&refused["id"])
    ));
    let (_, listed) = both_outputs(&env, &["webhook", "list"]);
    assert!(!listed.contains(password), "{listed}");
    assert!(
        listed.contains("http://crm:***@127.0.0.1:9/down"),
        "{listed}"
    );

    // Candidates of an ambiguous prefix, on stderr, masked too.
    env.exec(&format!(
        "UPDATE webhooks SET id = 'abcd0000-0000-4000-8000-00000000000' || \
         CASE WHEN id = '{}' THEN '1' ELSE '2' END WHERE id IN ('{}', '{}')",
        s(&w["id"]),
        s(&w["id"]),
        s(&refused["id"])
    ));
    let d = env.fails(&["webhook", "remove", "abcd", "-y"], "AMBIGUOUS_ID", 2);
    assert_eq!(d["candidates"].as_array().map(Vec::len), Some(2), "{d}");
    let (_, ambiguous) = both_outputs(&env, &["webhook", "remove", "abcd", "-y"]);
    assert!(ambiguous.contains("crm:***@"), "{ambiguous}");
    assert!(!ambiguous.contains(password), "{ambiguous}");
    let (_, removed) = both_outputs(
        &env,
        &[
            "webhook",
            "remove",
            "abcd0000-0000-4000-8000-000000000001",
            "-y",
        ],
    );
    assert!(!removed.contains(password), "{removed}");
}

#[test]
fn a_url_that_cannot_be_delivered_to_is_refused_at_add() {
    let env = Env::clinic();
    for url in [
        "http://u:pa/ss@example.com/x",
        "http://exa mple.com/",
        "https://[::1/x",
    ] {
        let d = env.refused(&["webhook", "add", url], "VALIDATION_ERROR", 2);
        assert!(d["url"].is_string(), "{url}: {d}");
    }
}

#[test]
fn the_signing_secret_comes_from_a_file_or_stdin_off_the_command_line() {
    let mut env = Env::clinic();
    let server = Server::start();
    let dir = env.dir.path().to_path_buf();
    let file = dir.join("crm.secret");
    std::fs::write(&file, "from-a-F1le\n").unwrap();
    let by_file = add(
        &env,
        &server.url(),
        &["--secret-file", file.to_str().unwrap()],
    );
    assert_eq!(by_file["has_secret"], true);
    let piped = env
        .cmd()
        .args(["webhook", "add", &server.url(), "--secret", "-", "--json"])
        .write_stdin("from-St4ndard-input\r\n")
        .output()
        .unwrap();
    assert!(piped.status.success(), "{piped:?}");
    env.book("2026-06-16", "09:00", "+50370000001");
    assert_eq!(deliver_ok(&env), json!({"delivered": 2, "failed": 0}));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let mut signatures: Vec<String> = reqs
        .iter()
        .map(|r| r.header("x-appt-signature").unwrap_or_default().to_string())
        .collect();
    signatures.sort();
    let mut want = vec![
        format!("sha256={}", hmac_hex("from-a-F1le", &reqs[0].body)),
        format!("sha256={}", hmac_hex("from-St4ndard-input", &reqs[0].body)),
    ];
    want.sort();
    assert_eq!(reqs[0].body, reqs[1].body);
    assert_eq!(
        signatures, want,
        "each signed with its secret, line break trimmed"
    );

    // An empty or missing file, or empty stdin, is a mistake, not "unsigned".
    env.at("2026-06-15T14:30:00Z");
    let empty = dir.join("empty.secret");
    std::fs::write(&empty, "\n").unwrap();
    for bad in [&empty, &dir.join("missing.secret")] {
        let d = env.refused(
            &[
                "webhook",
                "add",
                &server.url(),
                "--secret-file",
                bad.to_str().unwrap(),
            ],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d["secret_file"].is_string(), "{d}");
    }
    let out = env
        .cmd()
        .args(["webhook", "add", &server.url(), "--secret", "-", "--json"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // Only one way at a time.
    let (code, _) = env.err(&[
        "webhook",
        "add",
        &server.url(),
        "--secret",
        "x",
        "--secret-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    // The help says why the command line is the worst place for it.
    let help = env
        .cmd()
        .args(["webhook", "add", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--secret-file"), "{help}");
    assert!(help.contains("visible to other users"), "{help}");
}

fn common_now() -> &'static str {
    crate::common::MONDAY_8AM
}
