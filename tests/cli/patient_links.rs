//! A patient answering from their message's link (docs/api.md#patient-links):
//! the page `appt serve` gives for it, and its forms posted as a phone would.

use crate::common::*;
use crate::serve::{request, send, Resp, Server};
use serde_json::Value;
use std::time::Duration;

/// A clinic whose messages carry links, with notifications on.
fn linked(extra: &[&str]) -> Env {
    let env = Env::clinic();
    let mut args = vec![
        "clinic",
        "update",
        "Central",
        "--notify",
        "on",
        "--public-url",
        "https://citas.example",
    ];
    args.extend_from_slice(extra);
    env.ok(&args);
    env
}

/// The token of the link in the last message the sweep delivered for `id`
/// (of `kind`).
fn link_token(env: &Env, kind: &str) -> String {
    let lines = env.sweep_lines();
    let line = lines
        .iter()
        .rev()
        .find(|l| l["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} message in {lines:?}"));
    let link = s(&line["link"]);
    let token = link
        .strip_prefix("https://citas.example/p/")
        .unwrap_or_else(|| panic!("not a link of the clinic: {link}"));
    token.to_string()
}

/// Posts a form from the page of `token`.
fn post(srv: &Server, token: &str, fields: &[(&str, &str)]) -> Resp {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let headers = [
        ("Connection", "close"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    send(
        &srv.addr,
        &request("POST", &format!("/p/{token}"), &headers, body.as_bytes()),
    )
}

fn page(srv: &Server, token: &str) -> Resp {
    srv.call("GET", &format!("/p/{token}"), None, None)
}

fn status_of(env: &Env, id: &str) -> String {
    env.rows(&format!(
        "SELECT {} FROM appointments WHERE id = {}",
        status_name("status"),
        env.id_literal(id)
    ))[0][0]
        .clone()
}

#[test]
fn a_patient_confirms_moves_and_cancels_from_the_link() {
    let env = linked(&[]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    env.ok(&["update", s(&a["id"]), "--notes", "Trae exámenes previos"]);
    let token = link_token(&env, "confirmation");
    assert!(token.len() >= 22, "{token}");
    assert!(!token.contains(s(&a["id"])) && !token.contains("70001111"));
    let srv = Server::start(&env, &[]);
    // The page: what, when and with whom; nothing private.
    let before = env.snapshot();
    let r = page(&srv, &token);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert!(r.body.contains("<html lang=\"en\">"), "{}", r.body);
    assert!(r.body.contains("Dr. García") && r.body.contains("Tuesday 16 June at 10:00"));
    for private in ["70001111", "Trae exámenes", "Test Patient", s(&a["id"])] {
        assert!(!r.body.contains(private), "{private} on the page");
    }
    assert!(!r.body.contains("<script"), "the page needs no JavaScript");
    // Every control is labelled.
    assert!(r.body.contains("<label for=\"reason_other\">"));
    assert_eq!(env.snapshot(), before, "a GET changed something");
    // Confirm.
    let r = post(&srv, &token, &[("action", "confirm")]);
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("your appointment is confirmed"),
        "{}",
        r.body
    );
    assert_eq!(status_of(&env, s(&a["id"])), "confirmed");
    // Another time: one of the times the page offers.
    let page_now = page(&srv, &token).body;
    let at = page_now
        .split("name=\"at\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a time offered")
        .to_string();
    let r = post(&srv, &token, &[("action", "move"), ("at", &at)]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("has moved"), "{}", r.body);
    let moved = env.ok(&["show", s(&a["id"])]);
    assert_eq!(moved["starts_at"], at.as_str());
    // Cancel, with a reason typed.
    let r = post(
        &srv,
        &token,
        &[
            ("action", "cancel"),
            ("reason", ""),
            ("reason_other", "Viaje de trabajo"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("is cancelled"));
    let done = env.ok(&["show", s(&a["id"])]);
    assert_eq!(
        (
            done["status"].as_str(),
            done["cancellation_reason"].as_str()
        ),
        (Some("cancelled"), Some("Viaje de trabajo"))
    );
    // The patient's own reason is theirs: their message says it back.
    let lines = env.sweep_lines();
    let told = lines
        .iter()
        .find(|l| l["kind"] == "cancelled")
        .unwrap_or_else(|| panic!("no cancellation in {lines:?}"));
    assert_eq!(told["reason"], "Viaje de trabajo");
    assert!(s(&told["message"]).contains("Viaje de trabajo"), "{told}");
    // Each change names the patient as who made it.
    let actors: Vec<Value> = env.ok(&["history", s(&a["id"])])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].clone())
        .collect();
    assert_eq!(&actors[2..], &["patient", "patient", "patient"]);
    // Final: the page says so and offers nothing.
    let r = page(&srv, &token);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("can no longer be changed"));
    assert!(!r.body.contains("<form"), "{}", r.body);
    let before = env.snapshot();
    let r = post(&srv, &token, &[("action", "confirm")]);
    assert_eq!(r.status, 422);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn inside_the_cancellation_window_the_page_gives_the_clinics_phone() {
    let env = linked(&["--cancel-window", "48h", "--phone", "+503 2222-3333"]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    let srv = Server::start(&env, &[]);
    let r = page(&srv, &token);
    assert!(
        r.body.contains("call the clinic") && r.body.contains("2222"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("value=\"cancel\""),
        "a cancel button inside the window"
    );
    let before = env.snapshot();
    let r = post(
        &srv,
        &token,
        &[("action", "cancel"), ("reason", "No puedo")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("too close"), "{}", r.body);
    assert_eq!(env.snapshot(), before);
    assert_eq!(status_of(&env, s(&a["id"])), "scheduled");
}

#[test]
fn a_time_taken_meanwhile_says_so_and_offers_the_next_ones() {
    let env = linked(&[]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    let srv = Server::start(&env, &[]);
    let body = page(&srv, &token).body;
    let at = body
        .split("name=\"at\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    // The desk takes that time first.
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "--at",
        &at,
        "-P",
        "+50370009999",
        "--name",
        "Otro",
    ]);
    let r = post(&srv, &token, &[("action", "move"), ("at", &at)]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("just taken"), "{}", r.body);
    assert!(r.body.contains("name=\"at\""), "no next times offered");
    assert!(
        !r.body.contains(&format!("value=\"{at}\"")),
        "the taken time offered again"
    );
    assert_eq!(env.ok(&["show", s(&a["id"])])["start_time"], "10:00");
}

#[test]
fn forged_altered_or_truncated_links_get_the_same_404_page() {
    let env = linked(&[]);
    env.book("2026-06-16", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    let srv = Server::start(&env, &[]);
    assert_eq!(page(&srv, &token).status, 200);
    let mut altered: Vec<char> = token.chars().collect();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    let gone = page(&srv, "nothing-here").body;
    for bad in [
        altered.as_str(),
        &token[..token.len() - 4],
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%00%ff",
    ] {
        let r = page(&srv, bad);
        assert_eq!(r.status, 404, "{bad}");
        assert_eq!(r.body, gone, "{bad}");
        let r = post(&srv, bad, &[("action", "confirm")]);
        assert_eq!(r.status, 404, "{bad}");
    }
    assert_eq!(
        env.rows("SELECT count(*) FROM events WHERE actor = 'patient'")[0][0],
        "0"
    );
    // The token never reaches the log.
    let log = srv.log_when(|l| l.contains("GET /p/{token} 200"));
    assert!(!log.contains(&token), "{log}");
    assert!(log.contains("GET /p/{token} 200"), "{log}");
}

/// Eva waits for Dr. García on Tuesday; a 10:00 visit is cancelled and she
/// is offered its time: the env, and her offer's link token.
fn offered() -> (Env, String) {
    let env = linked(&[]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-P",
        "+50370002222",
        "--name",
        "Eva Espera",
    ]);
    env.sweep_lines();
    env.ok(&["cancel", s(&a["id"]), "-r", "Viaje"]);
    let token = link_token(&env, "waitlist_offer");
    (env, token)
}

#[test]
fn a_waitlist_offer_books_the_freed_time_once() {
    let (env, token) = offered();
    let srv = Server::start(&env, &[]);
    let r = page(&srv, &token);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Tuesday 16 June at 10:00"), "{}", r.body);
    assert!(!r.body.contains("Eva") && !r.body.contains("70002222"));
    let r = post(&srv, &token, &[("action", "take")]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("The time is yours"), "{}", r.body);
    let day = env.ok(&["list", "-D", "2026-06-16", "-S", "scheduled"]);
    assert_eq!(day["appointments"][0]["patient"]["phone"], "+50370002222");
    // Taken: the offer is closed.
    let before = env.snapshot();
    let r = post(&srv, &token, &[("action", "take")]);
    assert!(r.status == 409 || r.status == 422, "{}", r.status);
    assert!(r.body.contains("no longer available"), "{}", r.body);
    assert_eq!(env.snapshot(), before);
}

/// A freed time offered to a waitlist entry a clinic-limited token made for
/// another clinic's patient is booked as the entry was made: under the
/// name given, that patient's record left as it is
/// (docs/api.md#another-clinics-patient).
#[test]
fn an_offer_taken_by_another_clinics_patient_keeps_the_name_given() {
    let env = linked(&[]);
    env.second_clinic("Norte", "14:00", "17:00");
    let eva = env.ok(&[
        "-c",
        "Norte",
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-17",
        "-t",
        "14:00",
        "-P",
        "+50370002222",
        "--name",
        "Eva Norte",
    ])["appointment"]
        .clone();
    let a = env.ok(&[
        "-c",
        "Central",
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        "10:00",
        "-P",
        "+50370001111",
        "--name",
        "Test Patient",
    ])["appointment"]
        .clone();
    let t = crate::serve::token(
        &env,
        "central-bot",
        "appointments:read,appointments:write",
        &["--clinic", "Central"],
    );
    let srv = Server::start(&env, &[]);
    let r = srv.post(
        "/v1/waitlist",
        &t,
        serde_json::json!({"doctor": "Dr. García", "date": "2026-06-16",
                           "phone": "+50370002222", "name": "Eva Espera"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    env.sweep_lines();
    env.ok(&["cancel", s(&a["id"]), "-r", "Viaje"]);
    let token = link_token(&env, "waitlist_offer");
    let r = post(&srv, &token, &[("action", "take")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let day = env.ok(&[
        "-c",
        "Central",
        "list",
        "-D",
        "2026-06-16",
        "-S",
        "scheduled",
    ]);
    let taken = &day["appointments"][0];
    assert_eq!(taken["patient"]["phone"], "+50370002222");
    assert_eq!(taken["patient"]["full_name"], "Eva Espera");
    assert_eq!(taken["patient_id"], eva["patient_id"]);
    let eva_id = s(&eva["patient_id"]);
    assert_eq!(
        env.rows(&format!(
            "SELECT full_name FROM patients WHERE id = {}",
            env.id_literal(eva_id)
        )),
        vec![vec!["Eva Norte".to_string()]]
    );
    // Central's token still finds no patient of Norte's by her phone.
    let r = srv.get("/v1/appointments?patient=%2B50370002222", &t);
    assert_eq!(r.status, 404, "{}", r.body);
}

#[test]
fn a_spanish_clinics_page_reads_in_spanish() {
    let env = linked(&["--language", "es"]);
    env.book("2026-06-16", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    let srv = Server::start(&env, &[]);
    let r = page(&srv, &token);
    assert!(r.body.contains("<html lang=\"es\">"));
    assert!(
        r.body.contains("martes 16 de junio a las 10:00"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Confirmar") && r.body.contains("Cancelar la cita"));
    let r = post(&srv, &token, &[("action", "confirm")]);
    assert!(r.body.contains("su cita está confirmada"), "{}", r.body);
}

#[test]
fn a_link_once_the_visit_has_begun_offers_nothing() {
    let mut env = linked(&[]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    env.at("2026-06-16T16:05:00Z");
    let srv = Server::start(&env, &[]);
    let r = page(&srv, &token);
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("<form"), "{}", r.body);
    let r = post(&srv, &token, &[("action", "cancel"), ("reason", "x")]);
    assert_eq!(r.status, 422);
    assert_eq!(status_of(&env, s(&a["id"])), "scheduled");
    std::thread::sleep(Duration::from_millis(10));
}

/// A real browser opens the link and presses Confirm (Chromium through
/// Selenium, from `$APPT_PYTHON`'s venv); the database shows the
/// confirmation. Skipped where the browser is missing, but never under CI.
#[test]
fn a_real_browser_confirms_from_the_link() {
    let Some(crate::booking_page::Browser { python, .. }) = crate::booking_page::browser() else {
        return;
    };
    let env = linked(&["--language", "es"]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    let srv = Server::start(&env, &[]);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/confirm.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(format!("http://{}/p/{token}", srv.addr))
        .output()
        .expect("run the browser");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(status_of(&env, s(&a["id"])), "confirmed");
    let last = env.ok(&["history", s(&a["id"])])["events"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(
        (last["type"].as_str(), last["actor"].as_str()),
        (Some("appointment.confirmed"), Some("patient"))
    );
}

#[test]
fn the_last_reminders_link_still_confirms_and_calls_the_clinic_for_the_rest() {
    // The defaults a new clinic has: reminders 24h and 2h before; a
    // cancellation window of 2h.
    let mut env = linked(&["--cancel-window", "2h", "--phone", "+503 2222-3333"]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    env.sweep_lines();
    // Tuesday 08:00, two hours before: the 2h reminder goes out.
    env.at("2026-06-16T14:00:00Z");
    let token = link_token(&env, "reminder");
    // Opened five minutes later, inside the window.
    env.at("2026-06-16T14:05:00Z");
    let srv = Server::start(&env, &[]);
    let r = page(&srv, &token);
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("value=\"confirm\""),
        "no Confirm: {}",
        r.body
    );
    for gone in ["value=\"cancel\"", "value=\"move\"", "name=\"at\""] {
        assert!(
            !r.body.contains(gone),
            "{gone} inside the window: {}",
            r.body
        );
    }
    assert!(
        r.body
            .contains("<a href=\"tel:+50322223333\">+503 2222-3333</a>"),
        "the clinic's phone is no link: {}",
        r.body
    );
    let r = post(&srv, &token, &[("action", "confirm")]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("is confirmed"), "{}", r.body);
    assert_eq!(status_of(&env, s(&a["id"])), "confirmed");
    // Confirmed, it offers nothing more to press, and still the phone.
    let r = page(&srv, &token);
    assert!(!r.body.contains("value=\"confirm\""), "{}", r.body);
    assert!(r.body.contains("tel:+50322223333"), "{}", r.body);
}

#[test]
fn a_time_taken_with_no_other_free_one_says_there_is_none() {
    let env = linked(&[]);
    env.ok(&["doctor", "add", "Dra. Solo"]);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dra. Solo",
        "-D",
        "2026-06-17",
        "--from",
        "10:00",
        "--to",
        "11:00",
    ]);
    let a = env.ok(&[
        "book",
        "-d",
        "Dra. Solo",
        "-D",
        "2026-06-17",
        "-t",
        "10:00",
        "-P",
        "+50370001111",
        "--name",
        "Ana",
    ])["appointment"]
        .clone();
    let token = link_token(&env, "confirmation");
    let srv = Server::start(&env, &[]);
    let body = page(&srv, &token).body;
    let at = "2026-06-17T16:30:00Z";
    assert!(body.contains(&format!("value=\"{at}\"")), "{body}");
    env.ok(&[
        "book",
        "-d",
        "Dra. Solo",
        "--at",
        at,
        "-P",
        "+50370009999",
        "--name",
        "Otro",
    ]);
    let r = post(&srv, &token, &[("action", "move"), ("at", at)]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("no other free time"), "{}", r.body);
    assert!(
        !r.body.contains("These are the next free ones"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("name=\"at\""), "{}", r.body);
    assert_eq!(env.ok(&["show", s(&a["id"])])["start_time"], "10:00");
}

#[test]
fn a_freed_time_the_desk_took_first_closes_its_offer() {
    let (env, token) = offered();
    env.book("2026-06-16", "10:00", "+50370003333");
    let srv = Server::start(&env, &[]);
    let before = env.snapshot();
    let r = post(&srv, &token, &[("action", "take")]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("no longer available"), "{}", r.body);
    assert!(!r.body.contains("next free ones"), "{}", r.body);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_typed_reason_with_control_characters_is_refused_and_changes_nothing() {
    let env = linked(&[]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    let srv = Server::start(&env, &[]);
    let before = env.snapshot();
    for typed in ["No\0puedo", "No puedo\u{7}", "\u{1b}[31mrojo", "uno\ndos"] {
        let r = post(
            &srv,
            &token,
            &[
                ("action", "cancel"),
                ("reason", ""),
                ("reason_other", typed),
            ],
        );
        assert_eq!(r.status, 400, "{typed:?}: {}", r.body);
        assert!(r.body.contains("control characters"), "{}", r.body);
        assert_eq!(env.snapshot(), before, "{typed:?}");
    }
    let r = post(
        &srv,
        &token,
        &[
            ("action", "cancel"),
            ("reason", ""),
            ("reason_other", "Se me cruzó un viaje"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(status_of(&env, s(&a["id"])), "cancelled");
}

#[test]
fn a_patients_answer_waits_for_the_servers_write_turn_and_is_503_when_it_stops() {
    use crate::serve::{book_in_background, parse, token, WriteLock};
    use std::time::Instant;
    let env = linked(&[]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let before = status_of(&env, s(&a["id"]));
    let link = link_token(&env, "confirmation");
    let t = token(&env, "bot", "appointments:read,appointments:write", &[]);
    let mut srv = Server::start(&env, &[]);
    // Another process holds the write lock: a booking waits for it in the
    // database, holding the server's write turn; the patient's answer
    // waits for that turn.
    let held = WriteLock::take(&env);
    let body = serde_json::json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "11:00", "phone": "+50370002222", "name": "Ana López"});
    let booking = book_in_background(&srv, &t, "/v1/appointments", body.to_string());
    std::thread::sleep(Duration::from_millis(300));
    let answer = confirm_in_background(&srv, &link, 30);
    std::thread::sleep(Duration::from_millis(700));
    let told = Instant::now();
    srv.signal("TERM");
    let exit = srv.wait(Duration::from_secs(12));
    let took = told.elapsed();
    let (booking, answer) = (booking.join().unwrap(), answer.join().unwrap());
    drop(held);
    assert_eq!(exit, Some(0));
    // Waiting for its turn, it is answered at once, as the booking is.
    assert!(took < Duration::from_secs(2), "exited after {took:?}");
    assert!(!answer.is_empty(), "no answer; log:\n{}", srv.log());
    let r = parse(&answer);
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(parse(&booking).status, 503);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(status_of(&env, s(&a["id"])), before);
    assert_eq!(
        env.rows("SELECT count(*) FROM events WHERE actor = 'patient'")[0][0],
        "0"
    );
}

#[test]
fn a_patients_answer_begins_only_once_the_write_before_it_is_answered() {
    use crate::serve::{book_in_background, parse, token, WriteLock};
    use std::time::Instant;
    let env = linked(&[]);
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let before = status_of(&env, s(&a["id"]));
    let link = link_token(&env, "confirmation");
    let t = token(&env, "bot", "appointments:read,appointments:write", &[]);
    let srv = Server::start(&env, &[]);
    // The token's use is noted now, not when the lock is held.
    assert_eq!(srv.get("/v1/clinics", &t).status, 200);
    // Another process holds the write lock throughout: a booking holds the
    // server's write turn while it waits for the lock in the database (and
    // gives up after 10 s). The patient's answer, sent after it, waits for
    // the turn, and only then for the database: it is answered about 10 s
    // after the booking. Waiting in the database beside the booking
    // instead, it would give up with it.
    let held = WriteLock::take(&env);
    let body = serde_json::json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "11:00", "phone": "+50370002222", "name": "Ana López"});
    let booking = book_in_background(&srv, &t, "/v1/appointments", body.to_string());
    std::thread::sleep(Duration::from_millis(300));
    let answer = confirm_in_background(&srv, &link, 40);
    // When each was answered, to 20 ms.
    let until = Instant::now() + Duration::from_secs(40);
    let (mut booked, mut answered) = (None, None);
    while (booked.is_none() || answered.is_none()) && Instant::now() < until {
        if booked.is_none() && booking.is_finished() {
            booked = Some(Instant::now());
        }
        if answered.is_none() && answer.is_finished() {
            answered = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (booking, answer) = (booking.join().unwrap(), answer.join().unwrap());
    drop(held);
    let (booked, answered) = (
        booked.expect("booking answered"),
        answered.expect("answered"),
    );
    assert_eq!(parse(&booking).status, 503);
    let r = parse(&answer);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(
        answered >= booked + Duration::from_secs(5),
        "the patient's answer came {:?} after the booking's: it did not wait for the turn; log:\n{}",
        answered.saturating_duration_since(booked),
        srv.log()
    );
    assert_eq!(status_of(&env, s(&a["id"])), before);
}

/// Confirms from the page of `link` on a thread of its own, waiting up to
/// `patience` seconds for the answer: the bytes the server sent.
fn confirm_in_background(
    srv: &Server,
    link: &str,
    patience: u64,
) -> std::thread::JoinHandle<Vec<u8>> {
    use std::io::{Read, Write};
    let (addr, link) = (srv.addr.clone(), link.to_string());
    std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(patience)))
            .unwrap();
        let headers = [
            ("Connection", "close"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        let path = format!("/p/{link}");
        s.write_all(&request("POST", &path, &headers, b"action=confirm"))
            .unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    })
}

/// Issue 64's reproduction: at 10:59 the page offered 11:00, one minute
/// away, though the booking page keeps a 2-hour web notice; and only the
/// next 6 times, so a patient could not ask for Monday. The page's times
/// keep the web notice and horizon, a posted time outside them is refused,
/// and the patient picks a day.
#[test]
fn another_time_keeps_the_web_notice_and_horizon_and_the_patient_picks_a_day() {
    let mut env = linked(&[
        "--web-notice",
        "2h",
        "--web-horizon",
        "7d",
        "--language",
        "es",
    ]);
    let a = env.book("2026-06-17", "10:00", "+50370001111");
    let token = link_token(&env, "confirmation");
    // Monday 10:59 in El Salvador (16:59Z): 11:00 is a minute away.
    env.at("2026-06-15T16:59:00Z");
    let srv = Server::start(&env, &[]);
    let body = page(&srv, &token).body;
    let offered: Vec<String> = body
        .split("name=\"at\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_string))
        .collect();
    assert!(!offered.is_empty(), "{body}");
    for at in &offered {
        assert!(
            at.as_str() >= "2026-06-15T18:59:00Z",
            "{at} is inside the 2 h notice"
        );
    }
    // A day to pick, from today to the horizon.
    assert!(
        body.contains(
            r#"<input type="date" id="day" name="day" min="2026-06-15" max="2026-06-22""#
        ),
        "{body}"
    );
    // Monday the 22nd picked: its times, and only its.
    let r = srv.call("GET", &format!("/p/{token}?day=2026-06-22"), None, None);
    assert_eq!(r.status, 200);
    let monday: Vec<&str> = r
        .body
        .split("name=\"at\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(!monday.is_empty(), "{}", r.body);
    assert!(
        monday.iter().all(|at| at.starts_with("2026-06-22T")),
        "{monday:?}"
    );
    assert!(
        r.body.contains("lunes 22 de junio a las 09:00"),
        "{}",
        r.body
    );
    // A Saturday has none, and says so.
    let r = srv.call("GET", &format!("/p/{token}?day=2026-06-20"), None, None);
    assert!(
        r.body
            .contains("No hay horas libres el sábado 20 de junio de 2026."),
        "{}",
        r.body
    );
    // A time inside the notice posted all the same is refused; nothing moves.
    let before = env.snapshot();
    let r = post(
        &srv,
        &token,
        &[("action", "move"), ("at", "2026-06-15T17:00:00Z")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Esa hora ya no se puede tomar por aquí"),
        "{}",
        r.body
    );
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.ok(&["show", s(&a["id"])])["start_time"], "10:00");
}
