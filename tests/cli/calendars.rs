//! Tests: a doctor's own calendar (docs/calendars.md) — an ICS address
//! served by a fake that checks each request and can change, fail, stall,
//! redirect or answer too much; the busy times it gives blocking `slots`,
//! `book`, `reschedule`, `next` and the API; what is kept of it.

use crate::common::{s, Env};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tuesday 16 June 2026, 10:00–11:00 in El Salvador (UTC-6): a surgery.
pub(crate) const SURGERY: &str =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n\
BEGIN:VEVENT\r\nUID:s1@google.com\r\nDTSTART:20260616T160000Z\r\nDTEND:20260616T170000Z\r\n\
SUMMARY:Cirugía del señor Quintanilla\r\nDESCRIPTION:Quirófano 3\r\n\
ATTENDEE;CN=Dra. Menjívar:mailto:menjivar@hospital.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// What the fake answers, and every request it read.
#[derive(Default)]
pub(crate) struct Fake {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) etag: Option<String>,
    pub(crate) stall: Duration,
    pub(crate) location: Option<String>,
    pub(crate) seen: Vec<(String, Vec<(String, String)>)>,
}

pub(crate) struct Server {
    pub(crate) url: String,
    pub(crate) fake: Arc<Mutex<Fake>>,
}

impl Server {
    /// A calendar at `http://127.0.0.1:PORT/cal.ics` answering `body`
    /// with an ETag of its own, `304` to a request that has it.
    pub(crate) fn ics(body: &str) -> Server {
        let fake = Arc::new(Mutex::new(Fake {
            status: 200,
            body: body.to_string(),
            etag: Some("\"v1\"".into()),
            ..Fake::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/cal.ics", listener.local_addr().unwrap());
        let shared = Arc::clone(&fake);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let f = Arc::clone(&shared);
                std::thread::spawn(move || answer(conn, &f));
            }
        });
        Server { url, fake }
    }

    fn set(&self, change: impl FnOnce(&mut Fake)) {
        change(&mut self.fake.lock().unwrap());
    }

    fn requests(&self) -> usize {
        self.fake.lock().unwrap().seen.len()
    }

    fn last_header(&self, name: &str) -> Option<String> {
        let f = self.fake.lock().unwrap();
        let (_, headers) = f.seen.last()?;
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

fn answer(mut conn: std::net::TcpStream, fake: &Mutex<Fake>) {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head = loop {
        let n = conn.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return;
        }
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).to_string();
        if let Some((h, _)) = text.split_once("\r\n\r\n") {
            break h.to_string();
        }
    };
    let mut lines = head.lines();
    let method = lines
        .next()
        .unwrap_or("")
        .split(' ')
        .next()
        .unwrap_or("")
        .to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let (status, body, etag, stall, location) = {
        let mut f = fake.lock().unwrap();
        f.seen.push((method.clone(), headers.clone()));
        (
            f.status,
            f.body.clone(),
            f.etag.clone(),
            f.stall,
            f.location.clone(),
        )
    };
    std::thread::sleep(stall);
    let asked = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("if-none-match"))
        .map(|(_, v)| v.clone());
    // An ICS address does not speak WebDAV.
    let (status, body) = if method == "PROPFIND" {
        (405, String::new())
    } else if status == 200 && asked.is_some() && asked == etag {
        (304, String::new())
    } else {
        (status, body)
    };
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(t) = &etag {
        out.push_str(&format!("ETag: {t}\r\n"));
    }
    if let Some(l) = &location {
        out.push_str(&format!("Location: {l}\r\n"));
    }
    out.push_str("Content-Type: text/calendar\r\n\r\n");
    let _ = conn.write_all(out.as_bytes());
    let _ = conn.write_all(body.as_bytes());
}

/// Central with Dr. García (09:00–13:00 Mon–Fri) and his hospital's
/// calendar, read once.
fn with_calendar(body: &str) -> (Env, Server) {
    let env = Env::clinic();
    let server = Server::ics(body);
    let added = env.ok(&[
        "calendar",
        "add",
        "garcia-hospital",
        "-d",
        "García",
        "--url",
        &server.url,
    ]);
    assert_eq!(added["kind"], "ics");
    assert_eq!(added["busy_times"], 1);
    assert_eq!(added["stale"], false);
    (env, server)
}

/// `calendar sync` where a calendar fails: what was read on stdout, then
/// `DELIVERY_FAILED` (exit 7) naming the failed ones.
fn sync_failing(env: &Env) -> Value {
    let out = env
        .cmd()
        .args(["calendar", "sync", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err: Value = serde_json::from_slice(&out.stderr).expect("an error");
    assert_eq!(err["error"]["code"], "DELIVERY_FAILED");
    assert_eq!(err["error"]["details"]["failed"][0], "garcia-hospital");
    serde_json::from_slice(&out.stdout).expect("what was read")
}

fn refusals(env: &Env, date: &str) -> Vec<(String, Value)> {
    let day = env.ok(&["slots", "-d", "García", "-D", date, "--all"]);
    day["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|x| (s(&x["start_time"]).to_string(), x["reason"].clone()))
        .collect()
}

#[test]
fn a_busy_time_blocks_slots_booking_moving_and_next_unless_the_desk_forces_it() {
    let (env, _server) = with_calendar(SURGERY);
    let day = refusals(&env, "2026-06-16");
    let at = |t: &str| {
        day.iter()
            .find(|(x, _)| x == t)
            .map(|(_, r)| r.clone())
            .unwrap()
    };
    assert_eq!(at("09:30"), Value::Null);
    assert_eq!(at("10:00"), "CALENDAR_BUSY");
    assert_eq!(at("10:30"), "CALENDAR_BUSY");
    assert_eq!(at("11:00"), Value::Null);
    let free = env.ok(&["slots", "-d", "García", "-D", "2026-06-16"]);
    let times: Vec<&str> = free["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["start_time"]))
        .collect();
    assert!(
        !times.contains(&"10:00") && times.contains(&"11:00"),
        "{times:?}"
    );

    let book = [
        "book",
        "-d",
        "García",
        "-D",
        "2026-06-16",
        "-t",
        "10:30",
        "-P",
        "+503 7012-3456",
        "--name",
        "Lucía Castro",
    ];
    let d = env.refused(&book, "CALENDAR_BUSY", 4);
    // When, never with what.
    assert_eq!(d["busy_from"], "2026-06-16T16:00:00Z");
    assert!(!d.to_string().contains("Cirug"));
    let mut forced = book.to_vec();
    forced.push("--force");
    let a = env.ok(&forced);
    assert_eq!(a["appointment"]["start_time"], "10:30");

    let other = env.ok(&[
        "book",
        "-d",
        "García",
        "-D",
        "2026-06-16",
        "-t",
        "12:00",
        "-P",
        "+503 7012-9999",
        "--name",
        "Mario Ruiz",
    ]);
    let id = s(&other["appointment"]["id"]).to_string();
    env.refused(&["reschedule", &id, "-t", "10:00"], "CALENDAR_BUSY", 4);
    let moved = env.ok(&["reschedule", &id, "-t", "10:00", "--force"]);
    assert_eq!(moved["start_time"], "10:00", "{moved}");

    // `next` from Tuesday 09:55 passes over the surgery (10:00 and 10:30
    // are the calendar's; 11:00 is the first free).
    let mut late = Env::on(env.db.to_str().unwrap());
    late.now = "2026-06-16T15:55:00Z".into();
    let next = late.ok(&["next", "-d", "García"]);
    assert_eq!(next["slots"][0]["start_time"], "11:00", "{next}");
}

#[test]
fn nothing_of_an_event_but_its_time_is_kept() {
    let (env, _server) = with_calendar(SURGERY);
    let kept = env.rows(
        "SELECT k.name, k.kind, k.host, coalesce(k.tag, ''), b.starts_at, b.ends_at \
         FROM calendars k JOIN calendar_busy b ON b.calendar_id = k.id",
    );
    assert_eq!(kept.len(), 1);
    let all = format!("{kept:?}");
    for word in [
        "Cirug",
        "Quirófano",
        "Quintanilla",
        "Menjívar",
        "hospital.example",
        "cal.ics",
    ] {
        assert!(!all.contains(word), "{word} kept: {all}");
    }
    if crate::common::pg_server().is_none() {
        // The whole file, its free pages included.
        env.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        let bytes = std::fs::read(&env.db).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for word in ["Cirug", "Quir", "Quintanilla", "Menj", "cal.ics"] {
            assert!(!text.contains(word), "{word} is in the database file");
        }
    }
}

#[test]
fn an_unchanged_calendar_costs_one_conditional_request_and_a_change_is_read() {
    let (env, server) = with_calendar(SURGERY);
    let before = server.requests();
    let synced = env.ok(&["calendar", "sync"]);
    assert_eq!(synced["calendars"][0]["outcome"], "unchanged");
    assert_eq!(server.requests(), before + 1);
    assert_eq!(
        server.last_header("If-None-Match").as_deref(),
        Some("\"v1\"")
    );

    // The surgery moves to 12:00–13:00.
    server.set(|f| {
        f.body = SURGERY
            .replace("T160000Z", "T180000Z")
            .replace("T170000Z", "T190000Z");
        f.etag = Some("\"v2\"".into());
    });
    let synced = env.ok(&["calendar", "sync", "garcia-hospital"]);
    assert_eq!(synced["calendars"][0]["outcome"], "read");
    let day = refusals(&env, "2026-06-16");
    let at = |t: &str| {
        day.iter()
            .find(|(x, _)| x == t)
            .map(|(_, r)| r.clone())
            .unwrap()
    };
    assert_eq!(at("10:00"), Value::Null);
    assert_eq!(at("12:30"), "CALENDAR_BUSY");
}

/// A database of schema 47 takes schema 48 on its next command: the busy
/// times read before still block, and the next read replaces them.
#[test]
fn busy_times_read_before_schema_48_are_kept_until_the_next_read() {
    let (env, server) = with_calendar(SURGERY);
    crate::common::undo_schema_48(&env);
    crate::common::set_schema_version(&env, 47);
    let day = refusals(&env, "2026-06-16");
    assert!(
        day.contains(&("10:00".into(), "CALENDAR_BUSY".into())),
        "{day:?}"
    );
    assert_eq!(env.ok(&["check"])["ok"], true);
    server.set(|f| {
        f.body = SURGERY
            .replace("T160000Z", "T180000Z")
            .replace("T170000Z", "T190000Z");
        f.etag = Some("\"v2\"".into());
    });
    env.ok(&["calendar", "sync"]);
    let day = refusals(&env, "2026-06-16");
    assert!(day.contains(&("10:00".into(), Value::Null)), "{day:?}");
    assert!(
        day.contains(&("12:30".into(), "CALENDAR_BUSY".into())),
        "{day:?}"
    );
    assert_eq!(
        env.ok(&["calendar", "show", "garcia-hospital"])["busy_times"],
        1
    );
}

#[test]
fn a_calendar_that_fails_keeps_its_busy_times_says_so_and_blocks_nothing_else() {
    let (env, server) = with_calendar(SURGERY);
    server.set(|f| f.status = 500);
    let d = sync_failing(&env);
    assert_eq!(d["calendars"][0]["outcome"], "failed");
    let list = env.ok(&["calendar", "list"]);
    let c = &list["calendars"][0];
    assert_eq!(c["stale"], true);
    assert_eq!(c["stale_since"], "2026-06-15T14:00:00Z");
    assert_eq!(c["reason"], "HTTP 500");
    assert_eq!(c["busy_times"], 1);
    // `check` says so, and the database is sound all the same.
    let check = env.ok(&["check"]);
    assert_eq!(check["ok"], true, "{check}");
    assert_eq!(check["stale_calendars"][0]["name"], "garcia-hospital");
    // The last good busy times still block; the rest of the day books.
    assert_eq!(refusals(&env, "2026-06-16")[2].1, "CALENDAR_BUSY");
    env.ok(&[
        "book",
        "-d",
        "García",
        "-D",
        "2026-06-16",
        "-t",
        "09:00",
        "-P",
        "+503 7012-3456",
        "--name",
        "Lucía Castro",
    ]);
    let human = env
        .cmd()
        .args(["calendar", "list"])
        .env("APPT_LANG", "es")
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("desactualizado desde"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");

    // Back: the next sync says it is fresh again.
    server.set(|f| f.status = 200);
    env.ok(&["calendar", "sync"]);
    assert_eq!(
        env.ok(&["calendar", "show", "garcia-hospital"])["stale"],
        false
    );
}

#[test]
fn a_stalled_server_is_given_up_after_ten_seconds() {
    let (env, server) = with_calendar(SURGERY);
    server.set(|f| f.stall = Duration::from_secs(30));
    let started = Instant::now();
    let d = sync_failing(&env);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(took >= Duration::from_secs(9), "took {took:?}");
    assert!(
        s(&d["calendars"][0]["reason"]).contains("10 seconds"),
        "{d}"
    );
}

#[test]
fn an_answer_too_large_a_redirect_elsewhere_and_a_web_page_are_refused() {
    let (env, server) = with_calendar(SURGERY);
    server.set(|f| {
        f.body = format!("{SURGERY}{}", "X".repeat(10 * 1024 * 1024 + 10));
        f.etag = Some("\"big\"".into());
    });
    let d = sync_failing(&env);
    assert!(s(&d["calendars"][0]["reason"]).contains("10 MB"), "{d}");

    server.set(|f| {
        f.status = 302;
        f.location = Some("https://127.0.0.1:1/cal.ics".into());
    });
    let d = sync_failing(&env);
    assert!(s(&d["calendars"][0]["reason"]).contains("redirect"), "{d}");
    // A redirect to itself: followed 3 times, then given up.
    let before = server.requests();
    let own = server.url.clone();
    server.set(|f| f.location = Some(own));
    let d = sync_failing(&env);
    assert!(s(&d["calendars"][0]["reason"]).contains("redirect"), "{d}");
    assert_eq!(server.requests(), before + 4, "the request and 3 redirects");

    // A login page where a calendar was: nothing of it is read, and the
    // surgery still blocks.
    let web = Server::ics("<html><body>Sign in</body></html>");
    let (_, e) = env.err(&["calendar", "add", "web", "-d", "García", "--url", &web.url]);
    assert_eq!(e["code"], "DELIVERY_FAILED");
    assert!(s(&e["message"]).contains("not a calendar"), "{e}");
    assert_eq!(
        env.ok(&["calendar", "list"])["calendars"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_address_and_the_password_are_sealed_and_never_shown() {
    let env = Env::clinic();
    let server = Server::ics(SURGERY);
    let url = format!("{}?token=s3cr3tT0ken", server.url);
    let out = env
        .cmd()
        .args([
            "calendar",
            "add",
            "garcia",
            "-d",
            "García",
            "--url",
            &url,
            "--user",
            "garcia",
            "--password-stdin",
            "--json",
        ])
        .write_stdin("pa55word-of-garcia\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Sent as HTTP Basic, to the address as typed.
    let auth = server.last_header("Authorization").unwrap();
    assert!(auth.starts_with("Basic "), "{auth}");
    for shown in [
        String::from_utf8_lossy(&out.stdout).to_string(),
        env.ok(&["calendar", "list"]).to_string(),
        env.ok(&["calendar", "show", "garcia"]).to_string(),
        format!(
            "{:?}",
            env.rows("SELECT name, host, coalesce(tag, '') FROM calendars")
        ),
    ] {
        assert!(
            !shown.contains("pa55word") && !shown.contains("s3cr3t"),
            "{shown}"
        );
    }
    // A plain address is refused, saying why, and nothing is kept.
    env.refused(
        &[
            "calendar",
            "add",
            "x",
            "-d",
            "García",
            "--url",
            "http://calendar.example/a.ics",
        ],
        "VALIDATION_ERROR",
        2,
    );
    env.refused(
        &[
            "calendar",
            "add",
            "garcia",
            "-d",
            "García",
            "--url",
            &server.url,
        ],
        "VALIDATION_ERROR",
        2,
    );
}

#[test]
fn several_servers_read_a_calendar_due_once() {
    let (env, server) = with_calendar(SURGERY);
    let before = server.requests();
    env.exec("UPDATE calendars SET due_at = 0");
    let first = crate::serve::Server::start(&env, &[]);
    let second = crate::serve::Server::start(&env, &[]);
    let until = Instant::now() + Duration::from_secs(10);
    while server.requests() == before && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Both looked at once when they started; give a second read time to come.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(server.requests(), before + 1, "read once, by one server");
    assert_eq!(
        server.last_header("If-None-Match").as_deref(),
        Some("\"v1\"")
    );
    let c = env.ok(&["calendar", "show", "garcia-hospital"]);
    assert_eq!(c["stale"], false);
    drop((first, second));
}

/// The address and password survive a key rotation (sealed again with the
/// channels' secrets); one moved onto another calendar does not open, and
/// `check` says so.
#[test]
#[cfg_attr(appt_test_pg, ignore = "rotates the key file beside a SQLite database")]
fn a_calendars_secrets_survive_a_key_rotation_and_check_reports_one_that_does_not_open() {
    let (env, server) = with_calendar(SURGERY);
    let other = Server::ics(SURGERY);
    env.ok(&[
        "calendar", "add", "otro", "-d", "García", "--url", &other.url,
    ]);
    let rotated = env.ok(&["key", "rotate"]);
    assert_eq!(rotated["channels_resealed"], 2, "{rotated}");
    let before = server.requests();
    env.ok(&["calendar", "sync", "garcia-hospital"]);
    assert_eq!(
        server.requests(),
        before + 1,
        "read with the address resealed"
    );
    env.exec(
        "UPDATE calendars SET secrets = (SELECT secrets FROM calendars WHERE name = 'otro') \
         WHERE name = 'garcia-hospital'",
    );
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["check"] == "channel_secret")
        .expect("reported");
    assert_eq!(bad["rows"][0]["table"], "calendars", "{report}");
}

/// Over HTTP: the calendars are for a token with `calendars:admin` alone;
/// the password comes in the body and never comes back; a booking into a
/// busy time is 409 `CALENDAR_BUSY`.
#[test]
fn over_http_the_calendars_are_for_the_calendars_admin_scope() {
    use crate::serve::{token, Server as Api};
    let (env, server) = with_calendar(SURGERY);
    let admin = token(&env, "cal", "calendars:admin", &[]);
    let desk = token(&env, "desk", "appointments:read,appointments:write", &[]);
    let api = Api::start(&env, &[]);
    let r = api.get("/v1/calendars", &admin);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["calendars"][0]["name"], "garcia-hospital");
    let r = api.get("/v1/calendars", &desk);
    assert_eq!((r.status, r.code()), (403, "INSUFFICIENT_SCOPE".into()));
    let r = api.get("/v1/appointments", &admin);
    assert_eq!(r.status, 403, "calendars:admin grants nothing else");

    let other = Server::ics(SURGERY);
    let body = serde_json::json!({
        "name": "otro", "doctor": "García", "url": other.url,
        "user": "garcia", "password": "s3cret-over-http",
    });
    let r = api.post("/v1/calendars", &admin, body);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["kind"], "ics");
    assert!(
        !r.body.contains("s3cret") && !r.body.contains("cal.ics"),
        "{}",
        r.body
    );
    assert!(other
        .last_header("Authorization")
        .unwrap()
        .starts_with("Basic "));

    let r = api.post(
        "/v1/calendars/garcia-hospital/sync",
        &admin,
        serde_json::json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["calendars"][0]["outcome"], "unchanged");
    server.set(|f| f.status = 503);
    let r = api.post(
        "/v1/calendars/garcia-hospital/sync",
        &admin,
        serde_json::json!({}),
    );
    assert_eq!((r.status, r.code()), (500, "DELIVERY_FAILED".into()));

    let r = api.call("DELETE", "/v1/calendars/otro", Some(&admin), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(api.get("/v1/calendars/otro", &admin).status, 404);

    let booking = serde_json::json!({
        "doctor": "García", "date": "2026-06-16", "time": "10:00",
        "phone": "+50370123456", "name": "Lucía Castro",
    });
    let r = api.post("/v1/appointments", &desk, booking.clone());
    assert_eq!(
        (r.status, r.code()),
        (409, "CALENDAR_BUSY".into()),
        "{}",
        r.body
    );
    // A program's `force` is the cancellation window's: it never moves a
    // visit into the doctor's own busy time.
    let mut at_noon = booking;
    at_noon["time"] = "12:00".into();
    let booked = api.post("/v1/appointments", &desk, at_noon);
    assert_eq!(booked.status, 201, "{}", booked.body);
    let id = s(&booked.json()["appointment"]["id"]).to_string();
    let moved = serde_json::json!({"time": "10:00", "force": true});
    let r = api.post(&format!("/v1/appointments/{id}/reschedule"), &desk, moved);
    assert_eq!(
        (r.status, r.code()),
        (409, "CALENDAR_BUSY".into()),
        "{}",
        r.body
    );
}

/// The booking page offers none of the doctor's busy times, and a patient
/// who asks for one anyway (a page left open) is told it is taken: 409.
#[test]
fn the_booking_page_offers_no_busy_time_and_refuses_one_asked_for() {
    let (env, _server) = with_calendar(SURGERY);
    let (api, _sms) = crate::channels::providers(vec![crate::channels::twilio_sent("SM0001")]);
    crate::channels::add_sms(&env, &api);
    let (service, doctor) = crate::booking_page::put_online(&env);
    let (service, doctor) = (service.as_str(), doctor.as_str());
    let web = crate::serve::Server::start(&env, &[]);
    let page = web.call(
        "GET",
        &format!("/b/central?service={service}&doctor={doctor}&date=2026-06-16"),
        None,
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let offered = |utc: &str| page.body.contains(&format!("{doctor}|{utc}"));
    assert!(offered("2026-06-16T15:30:00Z") && offered("2026-06-16T17:00:00Z"));
    assert!(!offered("2026-06-16T16:00:00Z") && !offered("2026-06-16T16:30:00Z"));
    let r = crate::booking_page::hold(&web, service, doctor, "2026-06-16T16:00:00Z", "7000-1111");
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");
}
