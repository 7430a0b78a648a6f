//! Tests: calendar feeds (docs/feeds.md) — `feed add|list|revoke`, the
//! calendar `GET /cal/<token>.ics` (what it shows and never shows, its
//! ETag and 304s, a change seen at the next request, a revoked feed 404
//! at once), the read-only CalDAV collection spoken to byte by byte, and
//! real clients: curl's conditional requests, the `caldav` library,
//! vdirsyncer (its `http` and `caldav` storages) and khal, before and after
//! the day changes.

use crate::common::*;
use crate::serve::{request, send, Resp, Server};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Monday 2026-06-15 and Tuesday, in El Salvador.
const MON: &str = "2026-06-15";
const TUE: &str = "2026-06-16";

/// The clinic of `Env::clinic`, its public URL `url`, and three visits
/// of Dr. García: Monday 10:00 (with a clinical record, a reason and a
/// national ID), Monday 11:00 and Tuesday 09:00.
fn clinic_with_visits(url: &str) -> (Env, Vec<Value>) {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--public-url", url]);
    let first = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        MON,
        "-t",
        "10:00",
        "-P",
        "+503 7012-3456",
        "--name",
        "Lucía del Carmen Castro",
        "--service",
        "General Checkup",
        "--reason",
        "Dolor torácico desde ayer",
        "--national-id",
        "04567890-1",
    ])["appointment"]
        .clone();
    write_clinical_record(&env, &first);
    let second = env.book(MON, "11:00", "+503 7012-9999");
    let third = env.book(TUE, "09:00", "+503 7012-8888");
    (env, vec![first, second, third])
}

/// `feed add ARGS --json`: the document, with `url` and `token`.
fn add(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["feed", "add"];
    all.extend_from_slice(args);
    env.ok(&all)
}

/// One request with these headers (and a body); `Connection: close`.
fn ask(srv: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut all = vec![("Connection", "close")];
    all.extend_from_slice(headers);
    send(&srv.addr, &request(method, path, &all, body.as_bytes()))
}

/// `Authorization: Basic` for any user and `password`.
fn basic(password: &str) -> String {
    use base64::Engine as _;
    let both = format!("phone:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(both)
    )
}

/// The calendar's path on the server, from `feed add`'s URL.
fn cal_path(added: &Value) -> String {
    let url = s(&added["url"]);
    let at = url.find("/cal/").expect("a /cal/ address");
    url[at..].to_string()
}

/// iCalendar's content lines, unfolded.
fn unfolded(text: &str) -> String {
    text.replace("\r\n ", "")
}

/// The VEVENT of `uid` in `calendar`, unfolded.
fn vevent<'a>(calendar: &'a str, uid: &str) -> Option<&'a str> {
    calendar
        .split("BEGIN:VEVENT\r\n")
        .skip(1)
        .map(|e| e.split("END:VEVENT").next().unwrap_or(""))
        .find(|e| e.contains(&format!("UID:{uid}\r\n")))
}

/// Guessing feeds' addresses counts against the address, as guessing API
/// tokens does (docs/feeds.md): after the limit even the right address
/// waits, and the guesses are each a plain 404 before it.
#[test]
fn guessing_feeds_addresses_must_wait_like_guessing_tokens() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.example/",
    ]);
    let a = add(&env, &["garcia", "-d", "Dr. García"]);
    let srv = Server::start(&env, &[]);
    for i in 0..20 {
        let r = ask(&srv, "GET", &format!("/cal/cal_guess{i:02}.ics"), &[], "");
        assert_eq!(r.status, 404, "guess {i}: {}", r.body);
    }
    let r = ask(&srv, "GET", "/cal/cal_guess21.ics", &[], "");
    assert_eq!((r.status, r.code()), (429, "RATE_LIMITED".into()));
    assert_eq!(ask(&srv, "GET", &cal_path(&a), &[], "").status, 429);
}

#[test]
fn a_feed_is_a_secret_address_shown_once_and_kept_as_its_hash() {
    let env = Env::clinic();
    // No public URL: nothing to start the address with; nothing is saved.
    let e = env.refused(
        &["feed", "add", "garcia", "-d", "Dr. García"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(e["public_url"].is_string(), "{e}");
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.example/appt/",
    ]);

    let a = add(&env, &["garcia", "-d", "Dr. García"]);
    let token = s(&a["token"]).to_string();
    assert!(token.starts_with("cal_") && token.len() >= 47, "{token}");
    assert_eq!(
        s(&a["url"]),
        format!("https://citas.example/appt/cal/{token}.ics")
    );
    assert_eq!(s(&a["caldav"]), "https://citas.example/appt/dav/garcia/");
    assert_eq!(
        (s(&a["show"]), &a["days_back"], &a["days_ahead"]),
        ("initials", &Value::from(30), &Value::from(90))
    );
    assert_eq!(s(&a["doctor"]), "Dr. García");
    // Kept as its SHA-256 and its first 8 characters, never itself.
    let rows = env.rows("SELECT hash, prefix FROM feeds");
    assert_eq!(rows[0][1], token[..8]);
    assert_eq!(rows[0][0].len(), 64);
    assert!(!env.snapshot().contains(&token));
    let list = env.ok(&["feed", "list"]);
    assert!(!list.to_string().contains(&token));
    assert_eq!(s(&list["feeds"][0]["status"]), "active");
    let human = env.cmd().args(["feed", "list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&human.stdout).contains(&token));

    // The human form prints the address alone on a line, once.
    let out = env
        .cmd()
        .args(["feed", "add", "desk", "--show", "nombres"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let urls: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("https://citas.example/appt/cal/cal_"))
        .collect();
    assert_eq!(urls.len(), 1, "{text}");
    assert!(
        text.contains("https://citas.example/appt/dav/desk/"),
        "{text}"
    );
    let list = env.ok(&["feed", "list"]);
    let desk = list["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "desk")
        .unwrap();
    assert_eq!((s(&desk["show"]), &desk["doctor"]), ("names", &Value::Null));

    // Refusals name the field and change nothing.
    let before = env.snapshot();
    for (args, field) in [
        (vec!["feed", "add", "garcia", "-d", "Dr. García"], "name"),
        (vec!["feed", "add", "garcía-2", "-d", "Dr. García"], "name"),
        (vec!["feed", "add", "x", "--days-ahead", "0"], "days_ahead"),
        (vec!["feed", "add", "x", "--days-back", "400"], "days_back"),
    ] {
        let e = env.fails(&args, "VALIDATION_ERROR", 2);
        assert!(e[field].is_string(), "{args:?}: {e}");
    }
    env.fails(
        &["feed", "add", "x", "--show", "everyone"],
        "USAGE_ERROR",
        2,
    );
    env.fails(&["feed", "add", "x", "-d", "Dr. Nadie"], "NOT_FOUND", 3);
    env.fails(&["feed", "revoke", "nobody"], "NOT_FOUND", 3);
    assert_eq!(env.snapshot(), before);

    // Revoked by its prefix; it stays listed as revoked, its name free again.
    let r = env.ok(&["feed", "revoke", &token[..8]]);
    assert_eq!((s(&r["name"]), s(&r["status"])), ("garcia", "revoked"));
    add(&env, &["garcia", "-d", "Dr. García"]);
}

#[test]
fn the_calendar_shows_the_visits_as_the_feed_says_and_nothing_clinical() {
    let (mut env, visits) = clinic_with_visits("https://citas.example");
    let initials = add(&env, &["garcia", "-d", "Dr. García"]);
    let names = add(
        &env,
        &["garcia-names", "-d", "Dr. García", "--show", "names"],
    );
    let none = add(&env, &["garcia-none", "-d", "Dr. García", "--show", "none"]);
    let short = add(
        &env,
        &[
            "garcia-today",
            "-d",
            "Dr. García",
            "--days-ahead",
            "1",
            "--days-back",
            "0",
        ],
    );
    let srv = Server::start(&env, &[]);
    let get = |a: &Value| {
        let r = ask(&srv, "GET", &cal_path(a), &[], "");
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.header("content-type"),
            Some("text/calendar; charset=utf-8")
        );
        r
    };
    let r = get(&initials);
    let cal = unfolded(&r.body);
    for line in [
        "BEGIN:VCALENDAR\r\n",
        "VERSION:2.0\r\n",
        "REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n",
        "X-PUBLISHED-TTL:PT15M\r\n",
        "X-WR-CALNAME:Dr. García\r\n",
        "BEGIN:VTIMEZONE\r\nTZID:America/El_Salvador\r\n",
        "END:VCALENDAR\r\n",
    ] {
        assert!(cal.contains(line), "{line:?} in\n{cal}");
    }
    assert!(r.body.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    let first = vevent(&cal, s(&visits[0]["id"])).expect("the first visit");
    assert!(
        first.contains("DTSTART;TZID=America/El_Salvador:20260615T100000\r\n"),
        "{first}"
    );
    assert!(
        first.contains("DTEND;TZID=America/El_Salvador:20260615T103000\r\n"),
        "{first}"
    );
    assert!(
        first.contains("SUMMARY:L. C. C.: General Checkup\r\n"),
        "{first}"
    );
    assert!(
        first.contains("SEQUENCE:1\r\n"),
        "its record was written: {first}"
    );
    assert!(first.contains("STATUS:TENTATIVE\r\n"), "{first}");
    assert_eq!(cal.matches("BEGIN:VEVENT").count(), 3);
    // Never the patient's name, phone or ID, nor anything clinical.
    let clinical = write_clinical_record(&env, &visits[1]);
    let cal = unfolded(&get(&initials).body);
    for never in clinical.iter().copied().chain([
        "Lucía",
        "Castro",
        "Test Patient",
        "7012",
        "04567890",
        "Dolor",
        "DESCRIPTION",
    ]) {
        assert!(!cal.contains(never), "{never:?} in\n{cal}");
    }
    // --show names and none.
    let cal = unfolded(&get(&names).body);
    assert!(
        cal.contains("SUMMARY:Lucía del Carmen Castro: General Checkup\r\n"),
        "{cal}"
    );
    assert!(!cal.contains("7012"), "{cal}");
    let cal = unfolded(&get(&none).body);
    assert!(cal.contains("SUMMARY:General Checkup\r\n"), "{cal}");
    assert!(cal.contains("SUMMARY:Appointment\r\n"), "{cal}");
    assert!(!cal.contains("T. P."), "{cal}");
    // Its days: today and tomorrow only.
    let cal = unfolded(&get(&short).body);
    assert_eq!(cal.matches("BEGIN:VEVENT").count(), 3);
    // Nothing of the token reaches the log.
    let token = s(&initials["token"]);
    let log = srv.log_when(|l| l.matches("GET /cal/{token} 200").count() >= 5);
    assert_eq!(log.matches("GET /cal/{token} 200").count(), 5, "{log}");
    assert!(!log.contains(&token[4..]), "{log}");
    drop(srv);
    // A day later, Monday has left the short feed.
    env.at("2026-06-16T14:00:00Z");
    let srv = Server::start(&env, &[]);
    let r = ask(&srv, "GET", &cal_path(&short), &[], "");
    assert_eq!(
        unfolded(&r.body).matches("BEGIN:VEVENT").count(),
        1,
        "Monday is gone"
    );
}

#[test]
fn a_change_is_seen_at_the_next_request_and_an_unchanged_calendar_is_a_304() {
    let (mut env, visits) = clinic_with_visits("https://citas.example");
    let a = add(&env, &["garcia", "-d", "Dr. García"]);
    let path = cal_path(&a);
    let first = Server::start(&env, &[]);
    let r = ask(&first, "GET", &path, &[], "");
    let etag = r.header("etag").expect("an ETag").to_string();
    let modified = r
        .header("last-modified")
        .expect("a Last-Modified")
        .to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(modified, "Mon, 15 Jun 2026 14:00:00 GMT");
    // Within the same second a date cannot tell a change: no 304 by it.
    let r = ask(
        &first,
        "GET",
        &path,
        &[("If-Modified-Since", modified.as_str())],
        "",
    );
    assert_eq!(r.status, 200);
    drop(first);
    // Five minutes later nothing changed: 304, no body, the same validators.
    env.at("2026-06-15T14:05:00Z");
    // One worker: the server's own writes are made on the connection that
    // reads the feed (SQLite keeps its signature until anyone writes).
    let bot = crate::serve::token(&env, "bot", "appointments:write", &[]);
    let srv = Server::start(&env, &["--threads", "1"]);
    let get = |headers: &[(&str, &str)]| ask(&srv, "GET", &path, headers, "");
    let weak = format!("\"other\", W/{etag}");
    for held in [
        ("If-None-Match", etag.as_str()),
        ("If-None-Match", weak.as_str()),
        ("If-Modified-Since", modified.as_str()),
    ] {
        let r = get(&[held]);
        assert_eq!((r.status, r.body.as_str()), (304, ""), "{held:?}");
        assert_eq!(r.header("etag"), Some(etag.as_str()));
        assert_eq!(r.header("last-modified"), Some(modified.as_str()));
    }
    let stale = get(&[("If-None-Match", "\"not-it\"")]);
    assert_eq!(stale.status, 200);
    let uid = s(&visits[1]["id"]);
    let seq_of = |cal: &str| {
        let e = vevent(cal, uid).unwrap_or_else(|| panic!("{uid} in {cal}"));
        e.lines()
            .find_map(|l| l.strip_prefix("SEQUENCE:"))
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    let was = seq_of(&stale.body);

    // Each change: a new ETag, the calendar as it is now.
    let mut last = etag.clone();
    let mut changed = |what: &str| -> String {
        let r = get(&[("If-None-Match", last.as_str())]);
        assert_eq!(r.status, 200, "after {what}");
        let now = r.header("etag").unwrap().to_string();
        assert_ne!(now, last, "after {what}");
        last = now;
        unfolded(&r.body)
    };
    env.ok(&["reschedule", uid, "-D", MON, "-t", "12:00"]);
    let r = get(&[("If-Modified-Since", modified.as_str())]);
    assert_eq!(r.status, 200, "a date before the change");
    assert_eq!(
        r.header("last-modified"),
        Some("Mon, 15 Jun 2026 14:05:00 GMT")
    );
    let cal = changed("a move");
    let e = vevent(&cal, uid).unwrap();
    assert!(
        e.contains("DTSTART;TZID=America/El_Salvador:20260615T120000\r\n"),
        "{e}"
    );
    assert!(seq_of(&cal) > was);
    let moved = seq_of(&cal);
    env.ok(&["cancel", uid, "--reason", "El paciente viajó"]);
    let cal = changed("a cancellation");
    let e = vevent(&cal, uid).expect("a cancelled visit is still listed");
    assert!(e.contains("STATUS:CANCELLED\r\n"), "{e}");
    assert!(seq_of(&cal) > moved);
    assert!(!cal.contains("viajó"));
    env.book(TUE, "10:00", "+503 7012-7777");
    let cal = changed("a booking");
    assert_eq!(cal.matches("BEGIN:VEVENT").count(), 4);
    let booked = srv.post(
        "/v1/appointments",
        &bot,
        serde_json::json!({"doctor": "Dr. García", "date": TUE, "time": "11:00",
            "phone": "+503 7012-6666", "name": "Rosa Díaz"}),
    );
    assert_eq!(booked.status, 201, "{}", booked.body);
    let cal = changed("a booking through the server itself");
    assert_eq!(cal.matches("BEGIN:VEVENT").count(), 5);
    env.ok(&[
        "patient",
        "update",
        "+503 7012-3456",
        "--name",
        "Marta Ruiz",
    ]);
    let cal = changed("a patient's new name");
    assert!(cal.contains("SUMMARY:M. R.: General Checkup\r\n"), "{cal}");
    env.ok(&[
        "service",
        "update",
        "General Checkup",
        "--name",
        "Consulta general",
    ]);
    let cal = changed("a service's new name");
    assert!(cal.contains("SUMMARY:M. R.: Consulta general\r\n"), "{cal}");
    // Moved beyond its last day, a visit leaves it.
    env.ok(&[
        "reschedule",
        s(&visits[2]["id"]),
        "-D",
        "2026-12-01",
        "-t",
        "09:00",
    ]);
    let cal = changed("a move past its days");
    assert!(vevent(&cal, s(&visits[2]["id"])).is_none());
    let r = get(&[("If-None-Match", last.as_str())]);
    assert_eq!(r.status, 304);

    // Revoked: 404 from the next request, with or without validators.
    env.ok(&["feed", "revoke", "garcia"]);
    for headers in [vec![], vec![("If-None-Match", last.as_str())]] {
        let r = get(&headers);
        assert_eq!((r.status, r.code()), (404, "NOT_FOUND".into()));
    }
    let r = ask(&srv, "GET", "/cal/cal_nothing.ics", &[], "");
    assert_eq!((r.status, r.code()), (404, "NOT_FOUND".into()));
}

/// A PROPFIND's body asking for these properties of DAV: and CalDAV.
/// Two servers behind one address answer a feed alike: the same ETag and
/// bytes, each one's ETag a 304 at the other, and a change seen by both
/// (docs/operations.md#several-servers).
#[test]
fn two_servers_give_a_feed_the_same_etag() {
    let (env, visits) = clinic_with_visits("https://citas.example");
    let path = cal_path(&add(&env, &["garcia", "-d", "Dr. García"]));
    let (a, b) = (Server::start(&env, &[]), Server::start(&env, &[]));
    let (ra, rb) = (
        ask(&a, "GET", &path, &[], ""),
        ask(&b, "GET", &path, &[], ""),
    );
    assert_eq!((ra.status, rb.status), (200, 200));
    let etag = ra.header("etag").expect("an ETag").to_string();
    assert_eq!(rb.header("etag"), Some(etag.as_str()));
    assert_eq!(ra.body, rb.body);
    for srv in [&a, &b] {
        let r = ask(srv, "GET", &path, &[("If-None-Match", etag.as_str())], "");
        assert_eq!(r.status, 304);
    }
    env.ok(&["cancel", s(&visits[1]["id"]), "--reason", "Travel"]);
    let (ra, rb) = (
        ask(&a, "GET", &path, &[], ""),
        ask(&b, "GET", &path, &[], ""),
    );
    let changed = ra.header("etag").expect("an ETag").to_string();
    assert_ne!(changed, etag);
    assert_eq!(rb.header("etag"), Some(changed.as_str()));
    assert_eq!(ra.body, rb.body);
}

fn propfind(props: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>"#
    )
}

const XML: (&str, &str) = ("Content-Type", "application/xml; charset=utf-8");

#[test]
fn the_caldav_collection_reads_as_rfc_4791_says_and_refuses_every_write() {
    let (env, visits) = clinic_with_visits("http://placeholder.example");
    let a = add(&env, &["garcia", "-d", "Dr. García"]);
    let other = add(&env, &["desk"]);
    let srv = Server::start(&env, &[]);
    let auth = basic(s(&a["token"]));
    let login = [("Authorization", auth.as_str())];
    let dav = |method: &str, path: &str, more: &[(&str, &str)], body: &str| {
        let mut h = login.to_vec();
        h.extend_from_slice(more);
        ask(&srv, method, path, &h, body)
    };

    // OPTIONS for anyone; everything else asks for the login.
    let r = ask(&srv, "OPTIONS", "/dav/garcia/", &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("dav"), Some("1, calendar-access"));
    assert!(r.header("allow").unwrap().contains("REPORT"));
    for (headers, status) in [
        (vec![], 401),
        (vec![("Authorization", "Basic cGhvbmU6bm9wZQ==")], 401),
        (vec![("Authorization", "Bearer x")], 401),
    ] {
        let r = ask(&srv, "PROPFIND", "/dav/garcia/", &headers, "");
        assert_eq!((r.status, r.code()), (status, "UNAUTHORIZED".into()));
        assert_eq!(
            r.header("www-authenticate"),
            Some("Basic realm=\"appt\", charset=\"UTF-8\"")
        );
    }
    // Another feed's token opens its own collection only.
    let r = ask(
        &srv,
        "PROPFIND",
        "/dav/garcia/",
        &[("Authorization", &basic(s(&other["token"])))],
        "",
    );
    assert_eq!(r.status, 401);
    // A name that is no feed's is answered as one that is (issue 63):
    // without a valid login, nothing tells them apart.
    let r = dav("PROPFIND", "/dav/nobody/", &[], "");
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED".into()));
    let r = ask(
        &srv,
        "PROPFIND",
        "/dav/nobody/",
        &[("Authorization", &basic(s(&other["token"])))],
        "",
    );
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED".into()));

    // The home (principal and calendar home) and the calendar in it.
    let body = propfind(
        "<d:resourcetype/><d:current-user-principal/><c:calendar-home-set/><d:displayname/>",
    );
    let r = dav("PROPFIND", "/dav/", &[("Depth", "1"), XML], &body);
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert!(r.body.contains("<D:href>/dav/</D:href>"), "{}", r.body);
    assert!(r
        .body
        .contains("<C:calendar-home-set><D:href>/dav/</D:href></C:calendar-home-set>"));
    assert!(
        r.body.contains("<D:response><D:href>/dav/garcia/</D:href>"),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"));
    assert!(
        !r.body.contains("/dav/desk/"),
        "another feed's collection: {}",
        r.body
    );

    // Depth 0: the calendar's properties; an unknown one named 404.
    let body = propfind("<d:displayname/><cs:getctag/><d:getetag/><c:supported-calendar-component-set/><d:current-user-privilege-set/><x:color xmlns:x=\"http://apple.com/ns/ical/\"/>");
    let r = dav("PROPFIND", "/dav/garcia/", &[("Depth", "0"), XML], &body);
    assert_eq!(r.status, 207);
    let feed = ask(&srv, "GET", &cal_path(&a), &[], "");
    let etag = feed.header("etag").unwrap();
    for part in [
        "<D:displayname>Dr. García</D:displayname>".to_string(),
        format!("<CS:getctag>{}</CS:getctag>", etag.trim_matches('"')),
        "<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/></C:supported-calendar-component-set>".into(),
        "<D:current-user-privilege-set><D:privilege><D:read/></D:privilege></D:current-user-privilege-set>".into(),
        "<X:color xmlns:X=\"http://apple.com/ns/ical/\"/></D:prop><D:status>HTTP/1.1 404 Not Found".into(),
    ] {
        assert!(r.body.contains(&part), "{part} in {}", r.body);
    }
    assert_eq!(r.body.matches("<D:response>").count(), 1);
    // Depth 1: each visit a resource with its ETag.
    let r = dav(
        "PROPFIND",
        "/dav/garcia/",
        &[("Depth", "1"), XML],
        &propfind("<d:getetag/>"),
    );
    assert_eq!(r.body.matches("<D:response>").count(), 4, "{}", r.body);
    for v in &visits {
        assert!(r
            .body
            .contains(&format!("<D:href>/dav/garcia/{}.ics</D:href>", s(&v["id"]))));
    }

    // A calendar-query over Tuesday: Tuesday's visit, with its data.
    let query = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260616T060000Z" end="20260617T060000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let r = dav("REPORT", "/dav/garcia/", &[("Depth", "1"), XML], query);
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(r.body.matches("<D:response>").count(), 1, "{}", r.body);
    let tue = s(&visits[2]["id"]);
    assert!(r.body.contains(&format!("UID:{tue}")), "{}", r.body);
    assert!(r.body.contains("BEGIN:VTIMEZONE"));
    // Tasks: none.
    let todo = query.replace("name=\"VEVENT\"", "name=\"VTODO\"");
    let r = dav("REPORT", "/dav/garcia/", &[XML], &todo);
    assert_eq!(r.body.matches("<D:response>").count(), 0, "{}", r.body);
    // A multiget: each href answered, one not the feed's 404.
    let mon = s(&visits[0]["id"]);
    let multiget = format!(
        r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>/dav/garcia/{mon}.ics</d:href><d:href>/dav/garcia/00000000-0000-0000-0000-000000000000.ics</d:href></c:calendar-multiget>"#
    );
    let r = dav("REPORT", "/dav/garcia/", &[XML], &multiget);
    assert_eq!(r.body.matches("<D:response>").count(), 2, "{}", r.body);
    assert!(r.body.contains(&format!("UID:{mon}")));
    assert!(r.body.contains("<D:href>/dav/garcia/00000000-0000-0000-0000-000000000000.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status>"));
    // An event's GET: its calendar, its ETag the one the REPORT gave.
    let r = dav("GET", &format!("/dav/garcia/{mon}.ics"), &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    let e = r.header("etag").unwrap().replace('"', "&quot;");
    let listed = dav(
        "PROPFIND",
        "/dav/garcia/",
        &[("Depth", "1"), XML],
        &propfind("<d:getetag/>"),
    );
    assert!(
        listed.body.contains(&format!("<D:getetag>{e}</D:getetag>")),
        "{}",
        listed.body
    );
    let r = dav(
        "GET",
        "/dav/garcia/00000000-0000-0000-0000-000000000000.ics",
        &[],
        "",
    );
    assert_eq!(r.status, 404);
    // A body that is not XML, or not DAV.
    let r = dav(
        "REPORT",
        "/dav/garcia/",
        &[("Content-Type", "application/json")],
        "{}",
    );
    assert_eq!((r.status, r.code()), (415, "UNSUPPORTED_MEDIA_TYPE".into()));
    let r = dav(
        "REPORT",
        "/dav/garcia/",
        &[XML],
        "<sync-collection xmlns=\"DAV:\"/>",
    );
    assert_eq!((r.status, r.code()), (400, "VALIDATION_ERROR".into()));

    // Every write is 403, and nothing is written.
    let before = env.snapshot();
    let ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    for (method, path) in [
        ("PUT", format!("/dav/garcia/{mon}.ics")),
        ("PUT", "/dav/garcia/new.ics".to_string()),
        ("DELETE", format!("/dav/garcia/{mon}.ics")),
        ("PROPPATCH", "/dav/garcia/".into()),
        ("MKCALENDAR", "/dav/garcia/other/".into()),
        ("MOVE", format!("/dav/garcia/{mon}.ics")),
        ("POST", "/dav/garcia/".into()),
    ] {
        let r = dav(method, &path, &[("Content-Type", "text/calendar")], ics);
        assert_eq!(
            (r.status, r.code()),
            (403, "READ_ONLY".into()),
            "{method} {path}"
        );
    }
    let r = ask(&srv, "DELETE", &format!("/dav/garcia/{mon}.ics"), &[], "");
    assert_eq!(r.status, 401, "a stranger is asked who they are first");
    assert_eq!(env.snapshot(), before);
    // RFC 6764's pointer for a client given the host alone.
    let r = ask(&srv, "PROPFIND", "/.well-known/caldav", &[], "");
    assert_eq!((r.status, r.header("location")), (301, Some("/dav/")));

    // Revoked: its login is good no more, at once.
    env.ok(&["feed", "revoke", "garcia"]);
    let r = dav("PROPFIND", "/dav/garcia/", &[("Depth", "0")], "");
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED".into()));
    let r = dav("PROPFIND", "/dav/", &[("Depth", "0")], "");
    assert_eq!(r.status, 401);
    let log = srv.log();
    assert!(!log.contains(&s(&a["token"])[4..]), "{log}");
}

/// `$APPT_CALDAV_PYTHON` with caldav, vdirsyncer, khal and icalendar (a
/// venv of their own: .ci/run), or None where it is not set (never under CI).
fn python() -> Option<PathBuf> {
    let Some(python) = std::env::var_os("APPT_CALDAV_PYTHON") else {
        crate::common::missing_tool("caldav, vdirsyncer and khal ($APPT_CALDAV_PYTHON)");
        return None;
    };
    let python = PathBuf::from(python);
    let has = Command::new(&python)
        .args(["-c", "import caldav, icalendar, vdirsyncer, khal"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has,
        "caldav, vdirsyncer and khal in $APPT_CALDAV_PYTHON (.ci/run installs them)"
    );
    Some(python)
}

/// tests/feeds/clients.py against the server: what the clients saw.
fn clients(python: &Path, srv: &Server, added: &Value, work: &Path, day: &str) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/feeds/clients.py");
    let out = Command::new(python)
        .arg(script)
        .args([
            &format!("http://{}", srv.addr),
            s(&added["name"]),
            s(&added["token"]),
        ])
        .arg(work)
        .arg(day)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the clients failed:\n{}\n{}\nserver:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        srv.log()
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A synced folder's events, whatever their file names: sorted.
fn events_of(folder: &Value) -> Vec<String> {
    let mut all: Vec<String> = folder
        .as_object()
        .unwrap()
        .values()
        .map(|e| e.to_string())
        .collect();
    all.sort();
    all
}

#[test]
fn real_clients_follow_the_doctors_day_by_subscription_and_by_caldav() {
    let Some(python) = python() else { return };
    let (env, visits) = clinic_with_visits("http://placeholder.example");
    let srv = Server::start(&env, &[]);
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        &format!("http://{}", srv.addr),
    ]);
    let a = add(&env, &["garcia", "-d", "Dr. García"]);
    let work = env.dir.path().join("phone");
    let seen = clients(&python, &srv, &a, &work, MON);
    assert_eq!(
        seen["caldav"]["calendars"][0],
        serde_json::json!([format!("http://{}/dav/garcia/", srv.addr), "Dr. García"])
    );
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| s(&e["uid"]).to_string())
            .collect()
    };
    // Monday's two visits, by a time range, and each again by a multiget.
    let monday = vec![
        s(&visits[0]["id"]).to_string(),
        s(&visits[1]["id"]).to_string(),
    ];
    assert_eq!(ids(&seen["caldav"]["events"]), monday);
    assert_eq!(seen["caldav"]["events"][0]["start"], "2026-06-15T16:00:00Z");
    assert_eq!(
        seen["caldav"]["events"][0]["summary"],
        "L. C. C.: General Checkup"
    );
    let mut sorted = monday.clone();
    sorted.sort();
    assert_eq!(seen["caldav"]["multiget"], serde_json::json!(sorted));
    // The account's folder holds the three visits by their IDs; the
    // subscription's the same events (vdirsyncer's http storage names
    // them by a hash of their text).
    let dav = &seen["synced"]["dav"];
    assert_eq!(dav.as_object().unwrap().len(), 3, "{dav}");
    assert_eq!(
        dav[s(&visits[2]["id"])]["start"],
        "2026-06-16T15:00:00Z",
        "{dav}"
    );
    assert_eq!(events_of(&seen["synced"]["feed"]), events_of(dav));
    // khal lists Monday from both.
    let khal: Vec<&str> = seen["khal"].as_array().unwrap().iter().map(s).collect();
    assert!(
        khal.contains(&"feed|10:00-10:30|L. C. C.: General Checkup|TENTATIVE"),
        "{khal:?}"
    );
    assert!(
        khal.contains(&"dav|11:00-11:30|T. P.: Appointment|TENTATIVE"),
        "{khal:?}"
    );
    assert_eq!(khal.len(), 4, "{khal:?}");

    // The day changes: one visit moves, one is cancelled, one is booked.
    env.ok(&["reschedule", s(&visits[0]["id"]), "-D", MON, "-t", "12:00"]);
    env.ok(&["cancel", s(&visits[1]["id"]), "--reason", "viaje"]);
    let new = env.book(MON, "09:00", "+503 7012-5555");
    let seen = clients(&python, &srv, &a, &work, MON);
    let dav = &seen["synced"]["dav"];
    assert_eq!(dav.as_object().unwrap().len(), 4, "{dav}");
    assert_eq!(dav[s(&visits[0]["id"])]["start"], "2026-06-15T18:00:00Z");
    assert_eq!(dav[s(&visits[1]["id"])]["status"], "CANCELLED");
    assert!(dav[s(&new["id"])].is_object(), "{dav}");
    assert!(dav[s(&visits[0]["id"])]["sequence"].as_u64() > Some(1));
    assert_eq!(events_of(&seen["synced"]["feed"]), events_of(dav));
    let khal: Vec<&str> = seen["khal"].as_array().unwrap().iter().map(s).collect();
    assert!(
        khal.contains(&"feed|12:00-12:30|L. C. C.: General Checkup|TENTATIVE"),
        "{khal:?}"
    );
    assert!(
        khal.contains(&"dav|09:00-09:30|T. P.: Appointment|TENTATIVE"),
        "{khal:?}"
    );
    assert!(
        khal.iter()
            .any(|l| l.starts_with("feed|11:00-11:30|") && l.ends_with("CANCELLED")),
        "{khal:?}"
    );
}

#[test]
fn a_clinics_feed_is_the_desks_calendar_in_the_clinics_language_and_no_other_clinics() {
    let env = Env::clinic();
    env.second_clinic("Norte", "14:00", "17:00");
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.example",
        "--language",
        "es",
    ]);
    env.ok(&["doctor", "add", "Dra. Ana López"]);
    env.ok(&[
        "window",
        "add",
        "-c",
        "Central",
        "-d",
        "Dra. Ana López",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let garcia = env.ok(&[
        "book",
        "-c",
        "Central",
        "-d",
        "Dr. García",
        "-D",
        MON,
        "-t",
        "09:00",
        "-P",
        "+503 7012-1111",
        "--name",
        "Rosa Díaz",
    ])["appointment"]
        .clone();
    let lopez = env.ok(&[
        "book",
        "-c",
        "Central",
        "-d",
        "Dra. Ana López",
        "-D",
        MON,
        "-t",
        "09:00",
        "-P",
        "+503 7012-2222",
        "--name",
        "José Martí",
        "--service",
        "General Checkup",
    ])["appointment"]
        .clone();
    let norte = env.ok(&[
        "book",
        "-c",
        "Norte",
        "-d",
        "Dr. García",
        "-D",
        MON,
        "-t",
        "15:00",
        "-P",
        "+503 7012-3333",
        "--name",
        "Otro Paciente",
    ])["appointment"]
        .clone();
    // Dr. García works at two clinics: the clinic is asked for.
    env.fails(
        &["feed", "add", "garcia", "-d", "Dr. García"],
        "VALIDATION_ERROR",
        2,
    );
    let desk = add(&env, &["recepcion", "-c", "Central"]);
    let garcia_feed = add(&env, &["garcia", "-c", "Central", "-d", "Dr. García"]);
    assert_eq!(desk["doctor"], Value::Null);
    let srv = Server::start(&env, &[]);
    let cal = unfolded(&ask(&srv, "GET", &cal_path(&desk), &[], "").body);
    assert!(cal.contains("X-WR-CALNAME:Central\r\n"), "{cal}");
    assert!(
        cal.contains("SUMMARY:R. D.: Cita con Dr. García\r\n"),
        "{cal}"
    );
    assert!(
        cal.contains("SUMMARY:J. M.: General Checkup con Dra. Ana López\r\n"),
        "{cal}"
    );
    assert!(vevent(&cal, s(&garcia["id"])).is_some() && vevent(&cal, s(&lopez["id"])).is_some());
    assert!(
        vevent(&cal, s(&norte["id"])).is_none(),
        "Norte's visit in Central's feed"
    );
    assert!(!cal.contains("Otro"));
    let cal = unfolded(&ask(&srv, "GET", &cal_path(&garcia_feed), &[], "").body);
    assert_eq!(cal.matches("BEGIN:VEVENT").count(), 1, "{cal}");
    assert!(cal.contains("SUMMARY:R. D.: Cita\r\n"), "{cal}");
    // The erased patient is no longer named.
    env.ok(&[
        "patient",
        "erase",
        "+503 7012-1111",
        "--reason",
        "request 7",
    ]);
    let cal = unfolded(&ask(&srv, "GET", &cal_path(&garcia_feed), &[], "").body);
    assert!(!cal.contains("R. D."), "{cal}");
}

#[test]
fn across_new_yorks_spring_forward_the_feed_carries_both_offsets() {
    let mut env = Env::new();
    env.at("2027-03-01T15:00:00Z");
    env.ok(&[
        "clinic",
        "add",
        "Midtown",
        "--timezone",
        "America/New_York",
        "--notify",
        "off",
        "--public-url",
        "https://ny.example",
    ]);
    env.ok(&["doctor", "add", "Dr. Lee"]);
    env.ok(&[
        "window", "add", "-d", "Dr. Lee", "--days", "mon-fri", "--from", "09:00", "--to", "12:00",
    ]);
    let before = env.ok(&[
        "book",
        "-d",
        "Dr. Lee",
        "-D",
        "2027-03-12",
        "-t",
        "09:00",
        "-P",
        "+1 212 555 0100",
        "--name",
        "Ann Lee",
    ])["appointment"]
        .clone();
    let after = env.ok(&[
        "book",
        "-d",
        "Dr. Lee",
        "-D",
        "2027-03-15",
        "-t",
        "09:00",
        "-P",
        "+1 212 555 0101",
        "--name",
        "Bob Ray",
    ])["appointment"]
        .clone();
    let a = add(&env, &["lee", "-d", "Dr. Lee"]);
    let srv = Server::start(&env, &[]);
    let body = ask(&srv, "GET", &cal_path(&a), &[], "").body;
    let cal = unfolded(&body);
    assert!(
        cal.contains("DTSTART;TZID=America/New_York:20270312T090000\r\n"),
        "{cal}"
    );
    assert!(
        cal.contains("DTSTART;TZID=America/New_York:20270315T090000\r\n"),
        "{cal}"
    );
    assert!(
        cal.contains("TZOFFSETTO:-0500") && cal.contains("TZOFFSETTO:-0400"),
        "{cal}"
    );
    // Read by icalendar and vobject, which appt did not write: 14:00Z, then 13:00Z.
    let file = env.dir.path().join("lee.ics");
    std::fs::write(&file, &body).unwrap();
    let Some(parsed) = crate::export::validate("check_ics.py", &[file.as_os_str()]) else {
        return;
    };
    let parsed: Value = serde_json::from_str(&parsed).unwrap();
    for parser in ["icalendar", "vobject"] {
        let events = parsed[parser]["events"].as_array().unwrap();
        let start = |id: &str| {
            events
                .iter()
                .find(|e| e["uid"] == id)
                .map(|e| e["dtstart"].clone())
                .unwrap()
        };
        assert_eq!(start(s(&before["id"])), "2027-03-12T14:00:00Z", "{parser}");
        assert_eq!(start(s(&after["id"])), "2027-03-15T13:00:00Z", "{parser}");
    }
}

/// `curl -sS -D - -o BODY ARGS URL`: the status, the ETag and the body.
fn curl(url: &str, args: &[&str], work: &Path) -> (u16, Option<String>, String) {
    let body = work.join("curl-body");
    // A 304 writes no body: the file of the last answer must not stand in.
    let _ = std::fs::remove_file(&body);
    let out = Command::new("curl")
        .args(["-sS", "-D", "-", "-o"])
        .arg(&body)
        .args(args)
        .arg(url)
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = String::from_utf8(out.stdout).unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let etag = head.lines().find_map(|l| {
        l.split_once(':')
            .filter(|(n, _)| n.eq_ignore_ascii_case("etag"))
            .map(|(_, v)| v.trim().to_string())
    });
    (
        status,
        etag,
        std::fs::read_to_string(&body).unwrap_or_default(),
    )
}

#[test]
fn curl_asks_again_and_gets_a_304_until_a_booking_changes_the_day() {
    let (env, _) = clinic_with_visits("https://citas.example");
    let a = add(&env, &["garcia", "-d", "Dr. García"]);
    let srv = Server::start(&env, &[]);
    let url = format!("http://{}{}", srv.addr, cal_path(&a));
    let work = env.dir.path();
    let (status, etag, body) = curl(&url, &[], work);
    assert_eq!(status, 200);
    assert_eq!(body.matches("BEGIN:VEVENT").count(), 3);
    let etag = etag.expect("an ETag");
    let held = format!("If-None-Match: {etag}");
    let (status, again, body) = curl(&url, &["-H", &held], work);
    assert_eq!(
        (status, again.as_deref(), body.as_str()),
        (304, Some(etag.as_str()), "")
    );
    let booked = env.book(TUE, "11:00", "+503 7012-4444");
    let (status, new, body) = curl(&url, &["-H", &held], work);
    assert_eq!(status, 200);
    assert_ne!(new.as_deref(), Some(etag.as_str()), "a new ETag");
    assert!(body.contains(&format!("UID:{}", s(&booked["id"]))));
    let held = format!("If-None-Match: {}", new.unwrap());
    assert_eq!(curl(&url, &["-H", &held], work).0, 304);
    // Revoked: 404 at once, whatever the client holds.
    env.ok(&["feed", "revoke", "garcia"]);
    assert_eq!(curl(&url, &["-H", &held], work).0, 404);
}

/// A name with a backslash in it reads back in a calendar app as it was
/// typed (issue 63): RFC 5545 §3.3.11 writes a literal backslash `\\`, so
/// `Ann\n\;Z` is neither a line break nor an escaped semicolon there.
#[test]
fn a_backslash_in_a_name_is_written_escaped() {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.example",
    ]);
    let a = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        MON,
        "-t",
        "10:00",
        "-P",
        "+503 7012-3456",
        "--name",
        "Ann\\n\\;Z",
    ])["appointment"]
        .clone();
    let names = add(
        &env,
        &["garcia-names", "-d", "Dr. García", "--show", "names"],
    );
    let srv = Server::start(&env, &[]);
    let r = ask(&srv, "GET", &cal_path(&names), &[], "");
    assert_eq!(r.status, 200, "{}", r.body);
    let cal = unfolded(&r.body);
    let event = vevent(&cal, s(&a["id"])).expect("the visit");
    assert!(event.contains("SUMMARY:Ann\\\\n\\\\\\;Z: "), "{event}");
}

/// `feed add --qr` (issue 64): the address as a QR code drawn in the
/// terminal that a real decoder (`zbarimg`, from Debian's zbar-tools) reads
/// back as the address printed above it; every other line fits 80 columns.
#[test]
fn feed_add_qr_prints_a_code_a_phone_reads_as_the_address() {
    let (env, _) = clinic_with_visits("https://citas.central.example");
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args([
            "feed",
            "add",
            "garcia",
            "-d",
            "Dr. García",
            "--qr",
            "--width",
            "80",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let url = text
        .lines()
        .find(|l| l.starts_with("https://") && l.ends_with(".ics"))
        .expect("the address on a line of its own")
        .to_string();
    let code: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| matches!(c, '█' | '▀' | '▄' | ' ')))
        .collect();
    assert!(code.len() > 10, "a code of half blocks: {text}");
    for line in text.lines().filter(|l| *l != url) {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    // The drawing as a picture: a character is two modules one over the
    // other, `█` light in both; each module 4×4 pixels.
    let modules: Vec<Vec<bool>> = code
        .iter()
        .flat_map(|l| {
            let top = l
                .chars()
                .map(|c| matches!(c, '█' | '▀'))
                .collect::<Vec<_>>();
            let bottom = l
                .chars()
                .map(|c| matches!(c, '█' | '▄'))
                .collect::<Vec<_>>();
            [top, bottom]
        })
        .collect();
    let (w, h) = (modules[0].len() * 4, modules.len() * 4);
    let mut pbm = format!("P1\n{w} {h}\n");
    for row in &modules {
        let line: String = row
            .iter()
            .flat_map(|light| std::iter::repeat_n(if *light { "0 " } else { "1 " }, 4))
            .collect();
        for _ in 0..4 {
            pbm.push_str(&line);
            pbm.push('\n');
        }
    }
    let file = env.dir.path().join("qr.pbm");
    std::fs::write(&file, pbm).unwrap();
    let read = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&file)
        .output()
        .expect("zbarimg (zbar-tools) must be installed: .ci/run installs it");
    assert!(read.status.success(), "{read:?}");
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), url);
}
