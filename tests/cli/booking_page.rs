//! Tests: the clinic's booking page (docs/booking.md) as a patient's phone
//! would use it, plain HTTP forms against a real `appt serve`: the steps,
//! the hold and its code through a fake Twilio, the desk refused with
//! `SLOT_HELD` meanwhile, the booking with source and actor `web`; holds
//! that expire or fail five times free the time; the limits on codes and
//! holds; and a page that never tells a known phone from an unknown one.

use crate::channels::{add_sms, providers, seen, twilio_sent, Seen};
use crate::common::{s, Env};
use crate::serve::{request, send, Resp, Server};
use serde_json::Value;
use std::sync::mpsc::Receiver;

/// Tuesday 16 June 2026, 09:00 in El Salvador.
const NINE: &str = "2026-06-16T15:00:00Z";
const NINE_THIRTY: &str = "2026-06-16T15:30:00Z";

/// Env::clinic's Central, in Spanish, online, its checkup and Dr. García
/// on the page, an SMS channel to a fake Twilio (its requests on the
/// receiver); the clock Monday 08:00.
fn online() -> (Env, Receiver<Seen>, String, String) {
    let env = Env::clinic();
    let (api, rx) = providers(vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    let (service, doctor) = put_online(&env);
    (env, rx, service, doctor)
}

/// Central online in Spanish, its checkup and Dr. García on the page:
/// their IDs.
pub(crate) fn put_online(env: &Env) -> (String, String) {
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.central.example",
        "--online-booking",
        "on",
        "--language",
        "es",
        "--country-code",
        "+503",
    ]);
    let service = env.ok(&["service", "update", "General Checkup", "--online", "yes"]);
    let doctor = env.ok(&["doctor", "update", "Dr. García", "--online", "yes"]);
    (s(&service["id"]).to_string(), s(&doctor["id"]).to_string())
}

/// The form token the page's forms carry now, as a browser reads it off
/// the page (docs/booking.md#forms): from the first day of the first
/// service that shows a form to post.
fn form_token(server: &Server) -> String {
    let after = |html: &str, mark: &str| {
        html.find(mark)
            .map(|i| &html[i + mark.len()..])
            .and_then(|rest| rest.split('"').next())
            .map(str::to_string)
    };
    let services = server.call("GET", "/b/central", None, None).body;
    let service = after(&services, "name=\"service\" value=\"").expect("a service");
    for day in 15..=30 {
        let page = server
            .call(
                "GET",
                &format!("/b/central?service={service}&doctor=any&date=2026-06-{day}"),
                None,
                None,
            )
            .body;
        if let Some(token) = after(&page, "name=\"form\" value=\"") {
            return token;
        }
    }
    panic!("no form to post on the page");
}

/// `fields` with the page's form token, as its own forms post them.
fn with_token(server: &Server, fields: &[(&str, &str)]) -> String {
    let token = form_token(server);
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    if !fields.iter().any(|(k, _)| *k == "form") {
        all.push(("form", &token));
    }
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(all)
        .finish()
}

pub(crate) fn post(server: &Server, fields: &[(&str, &str)]) -> Resp {
    post_with(server, fields, &[])
}

/// [`post`] with more headers (a browser's `Origin`, `Sec-Fetch-Site`).
fn post_with(server: &Server, fields: &[(&str, &str)], more: &[(&str, &str)]) -> Resp {
    let body = with_token(server, fields);
    let mut headers = vec![
        ("Connection", "close"),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    headers.extend_from_slice(more);
    send(
        &server.addr,
        &request("POST", "/b/central", &headers, body.as_bytes()),
    )
}

/// Holds `at` with Dr. García for `phone`; the page's answer.
pub(crate) fn hold(server: &Server, service: &str, doctor: &str, at: &str, phone: &str) -> Resp {
    hold_named(server, service, doctor, at, phone, "Lucía Castro")
}

/// The hold's ID in a code page.
pub(crate) fn hold_id(page: &str) -> String {
    let at = page.find("name=\"hold\" value=\"").expect("a code page") + 19;
    page[at..].split('"').next().unwrap().to_string()
}

/// The 6-digit code in the SMS the fake Twilio took.
pub(crate) fn code_of(sms: &Seen) -> String {
    let body = form_urlencoded::parse(sms.body.as_bytes())
        .find(|(k, _)| k == "Body")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let digits: String = body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_default()
        .to_string();
    assert_eq!(digits.len(), 6, "{body}");
    digits
}

fn desk_books_nine(env: &Env, phone: &str) -> std::process::Output {
    env.cmd()
        .args([
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            "09:00",
            "--phone",
            phone,
            "--name",
            "Otro Paciente",
            "--json",
        ])
        .output()
        .unwrap()
}

#[test]
fn a_patient_books_on_the_page_with_the_code_sent_to_their_phone() {
    let (env, rx, service, doctor) = online();
    let server = Server::start(&env, &[]);
    // The steps, in Spanish, by plain GET forms.
    let first = server.call("GET", "/b/central", None, None);
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("General Checkup"), "{}", first.body);
    assert!(first.body.contains("Reserve una cita"), "{}", first.body);
    assert!(first
        .header("content-security-policy")
        .is_some_and(|c| c.contains("default-src 'none'")));
    let english = server.call("GET", "/b/central?lang=en", None, None);
    assert!(english.body.contains("Book an appointment"));
    let doctors = server.call("GET", &format!("/b/central?service={service}"), None, None);
    assert!(
        doctors.body.contains("Dr. García") && doctors.body.contains("El primero que esté libre")
    );
    let days = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor=any"),
        None,
        None,
    );
    assert!(days.body.contains("value=\"2026-06-16\""), "{}", days.body);
    let times = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor={doctor}&date=2026-06-16"),
        None,
        None,
    );
    assert!(
        times.body.contains(&format!("{doctor}|{NINE}")),
        "{}",
        times.body
    );

    // The local phone, a hold, and the code by SMS.
    let held = hold(&server, &service, &doctor, NINE, "7000-1111");
    assert_eq!(held.status, 200, "{}", held.body);
    assert!(held.body.contains("Le enviamos un código"), "{}", held.body);
    let sms = seen(&rx);
    let to = form_urlencoded::parse(sms.body.as_bytes())
        .find(|(k, _)| k == "To")
        .map(|(_, v)| v.into_owned());
    assert_eq!(to.as_deref(), Some("+50370001111"));
    let code = code_of(&sms);
    let id = hold_id(&held.body);
    assert!(!held.body.contains(&code), "the page never shows the code");

    // Meanwhile the time is the patient's: the desk is refused, and the
    // desk's slots say why.
    let out = desk_books_nine(&env, "+50370002222");
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "SLOT_HELD", "{e}");
    assert_eq!(e["error"]["details"]["until"], "2026-06-15T14:10:00Z");
    let slots = env.ok(&[
        "slots",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--all",
    ]);
    let nine = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["starts_at"] == NINE)
        .cloned()
        .unwrap();
    assert_eq!(nine["reason"], "SLOT_HELD", "{nine}");
    // Nor does the page offer it again.
    let again = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor={doctor}&date=2026-06-16"),
        None,
        None,
    );
    assert!(!again.body.contains(&format!("{doctor}|{NINE}")));

    // A wrong code, then the right one: booked, by the page.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", wrong)],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("no es correcto"));
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", &code)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Su cita está reservada"), "{}", r.body);
    // minijinja writes `/` as `&#x2f;` in attributes, which browsers read back.
    assert!(
        r.body
            .contains("https:&#x2f;&#x2f;citas.central.example&#x2f;p&#x2f;"),
        "{}",
        r.body
    );
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    let a = &list["appointments"][0];
    assert_eq!(a["source"], "web", "{a}");
    // "Add it to your calendar": the visit as a calendar file, without the patient.
    let marker = "&#x2f;p&#x2f;";
    let at = r.body.find(marker).unwrap() + marker.len();
    let token = r.body[at..].split('"').next().unwrap().to_string();
    assert!(r.body.contains(&format!("{token}.ics")), "{}", r.body);
    let ics = server.call("GET", &format!("/p/{token}.ics"), None, None);
    assert_eq!(ics.status, 200, "{}", ics.body);
    assert_eq!(
        ics.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert!(ics.body.contains("BEGIN:VEVENT"), "{}", ics.body);
    assert!(
        ics.body.contains(&format!("UID:{}", s(&a["id"]))),
        "{}",
        ics.body
    );
    assert!(
        ics.body
            .contains("DTSTART;TZID=America/El_Salvador:20260616T090000"),
        "{}",
        ics.body
    );
    assert!(!ics.body.contains("Castro") && !ics.body.contains("70001111"));
    assert_eq!(server.call("GET", "/p/forged.ics", None, None).status, 404);
    assert_eq!(a["patient"]["phone"], "+50370001111");
    let history = env.ok(&["history", s(&a["id"])]);
    assert_eq!(history["events"][0]["actor"], "web", "{history}");
    // The hold is over with its booking: the code books nothing twice.
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", &code)],
    );
    assert_eq!(r.status, 409);
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");
}

#[test]
fn a_hold_that_expires_or_fails_five_times_frees_the_time() {
    let (mut env, rx, service, doctor) = online();
    let server = Server::start(&env, &[]);
    let held = hold(&server, &service, &doctor, NINE, "7000-1111");
    assert_eq!(held.status, 200, "{}", held.body);
    let code = code_of(&seen(&rx));
    let id = hold_id(&held.body);
    // Eleven minutes on: the hold is over, the desk books the time, and the
    // code books nothing.
    drop(server);
    env.at("2026-06-15T14:11:00Z");
    let out = desk_books_nine(&env, "+50370002222");
    assert!(out.status.success(), "{out:?}");
    // What the patient typed goes with the hold at the next sweep.
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "1");
    let sweep = env.cmd().args(["remind", "due"]).output().unwrap();
    assert!(sweep.status.success(), "{sweep:?}");
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");
    let server = Server::start(&env, &[]);
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", &code)],
    );
    assert_eq!(r.status, 409, "{}", r.body);

    // Five wrong codes end another hold at once.
    let held = hold(&server, &service, &doctor, NINE_THIRTY, "7000-3333");
    assert_eq!(held.status, 200, "{}", held.body);
    let code = code_of(&seen(&rx));
    let id = hold_id(&held.body);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for n in 1..=5 {
        let r = post(
            &server,
            &[("action", "verify"), ("hold", &id), ("code", wrong)],
        );
        let want = if n < 5 { 400 } else { 409 };
        assert_eq!(r.status, want, "try {n}: {}", r.body);
    }
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", &code)],
    );
    assert_eq!(r.status, 409, "the right code after five wrong ones");
    let out = env
        .cmd()
        .args([
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            "09:30",
            "--phone",
            "+50370004444",
            "--name",
            "Otra Más",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn codes_and_holds_are_limited_per_phone_and_the_page_never_tells_a_known_phone() {
    let (mut env, rx, service, doctor) = online();
    // A patient the clinic knows, by the phone typed on the page.
    env.book("2026-06-17", "10:00", "+50370001111");
    let server = Server::start(&env, &[]);
    let known = hold(&server, &service, &doctor, NINE, "7000-1111");
    let unknown = hold(&server, &service, &doctor, NINE_THIRTY, "7000-9999");
    assert_eq!((known.status, unknown.status), (200, 200));
    let strip = |b: &str| b.replace(&hold_id(b), "").replace("09:30", "09:00");
    assert_eq!(strip(&known.body), strip(&unknown.body));
    seen(&rx);
    seen(&rx);
    // Two live holds for one phone at most.
    let second = hold(
        &server,
        &service,
        &doctor,
        "2026-06-16T16:00:00Z",
        "7000-1111",
    );
    assert_eq!(second.status, 200, "{}", second.body);
    seen(&rx);
    let third = hold(
        &server,
        &service,
        &doctor,
        "2026-06-16T16:30:00Z",
        "7000-1111",
    );
    assert_eq!(third.status, 429, "{}", third.body);
    assert!(third.header("retry-after").is_some());
    assert!(third.body.contains("Demasiados intentos"));
    // An hour's codes: three for a phone, holds over or not. Eleven
    // minutes on the holds are over; a third code goes, a fourth does not.
    drop(server);
    env.at("2026-06-15T14:11:00Z");
    let server = Server::start(&env, &[]);
    let later = hold(
        &server,
        &service,
        &doctor,
        "2026-06-16T16:30:00Z",
        "7000-1111",
    );
    assert_eq!(later.status, 200, "{}", later.body);
    seen(&rx);
    let fourth = hold(
        &server,
        &service,
        &doctor,
        "2026-06-16T17:00:00Z",
        "7000-1111",
    );
    assert_eq!(
        fourth.status, 429,
        "a fourth code within the hour: {}",
        fourth.body
    );
    let wait: i64 = fourth.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(wait, 49 * 60, "until the first code is an hour old");
    crate::channels::no_more(&rx);
}

/// The `i`-th half hour of Dr. García's weekday mornings from Tuesday 16
/// June on, as the page gives a time: three a morning (of its eight), as
/// many as the page holds of one day at once (docs/rules.md#holds).
fn half_hour(i: usize) -> String {
    const WEEKDAYS: [usize; 11] = [16, 17, 18, 19, 22, 23, 24, 25, 26, 29, 30];
    let (day, slot) = (WEEKDAYS[i / 3], i % 3);
    let minutes = 15 * 60 + 30 * slot;
    format!("2026-06-{day}T{:02}:{:02}:00Z", minutes / 60, minutes % 60)
}

/// A refusal of the rate limits, shown as a page: `429`, `Retry-After`,
/// the page's words for it.
fn assert_limited(r: &Resp) -> u64 {
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        r.header("content-type")
    );
    assert!(r.body.contains("Demasiados intentos"), "{}", r.body);
    r.header("retry-after")
        .and_then(|w| w.parse().ok())
        .expect("Retry-After in seconds")
}

/// One address (every test client is 127.0.0.1) holds ten times at once
/// at most, whatever phones it types: each phone here holds one.
#[test]
fn an_address_holds_ten_times_at_once_at_most_whatever_the_phones() {
    let env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let server = Server::start(&env, &[]);
    for i in 0..10 {
        let r = hold(
            &server,
            &service,
            &doctor,
            &half_hour(i),
            &format!("7100-{i:04}"),
        );
        assert_eq!(r.status, 200, "hold {i}: {}", r.body);
    }
    let eleventh = hold(&server, &service, &doctor, &half_hour(10), "7100-0010");
    // Until a hold ends: the clinic's --web-hold.
    assert_eq!(assert_limited(&eleventh), 600);
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "10");
}

/// One address sends twenty codes an hour at most, whatever phones it
/// types: ten holds, over eleven minutes on, ten more, and the twenty-first
/// code waits until the first is an hour old though no hold is live.
#[test]
fn an_address_sends_twenty_codes_an_hour_at_most_whatever_the_phones() {
    let mut env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let mut phone = 0;
    for (now, batch) in [("2026-06-15T14:00:00Z", 10), ("2026-06-15T14:11:00Z", 10)] {
        env.at(now);
        let server = Server::start(&env, &[]);
        for i in 0..batch {
            phone += 1;
            let r = hold(
                &server,
                &service,
                &doctor,
                &half_hour(i),
                &format!("7200-{phone:04}"),
            );
            assert_eq!(r.status, 200, "code {phone} at {now}: {}", r.body);
        }
    }
    // Every hold over: what refuses is the codes the address was sent.
    env.at("2026-06-15T14:22:00Z");
    let server = Server::start(&env, &[]);
    let r = hold(&server, &service, &doctor, &half_hour(0), "7200-0021");
    assert_eq!(
        assert_limited(&r),
        38 * 60,
        "until the first code is an hour old"
    );
    assert_eq!(
        env.rows("SELECT count(*) FROM holds WHERE phone = '+50372000021'")[0][0],
        "0"
    );
}

/// `--web-notice` and `--web-horizon`: a time inside the notice or past
/// the horizon is not offered, and posting it all the same holds nothing
/// (`INSUFFICIENT_NOTICE`, `BEYOND_HORIZON`: 422 and the page's refusal),
/// though the desk, whose notice and horizon are wider, books both.
#[test]
fn the_page_offers_and_holds_nothing_inside_its_notice_or_past_its_horizon() {
    let (env, _rx, service, doctor) = online();
    // Monday 08:00: the page offers from Tuesday 10:00 to Wednesday 08:00.
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--web-notice",
        "26h",
        "--web-horizon",
        "2d",
    ]);
    let server = Server::start(&env, &[]);
    let tuesday = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor={doctor}&date=2026-06-16"),
        None,
        None,
    );
    assert_eq!(tuesday.status, 200, "{}", tuesday.body);
    let ten = "2026-06-16T16:00:00Z";
    assert!(
        !tuesday.body.contains(&format!("{doctor}|{NINE}")),
        "{}",
        tuesday.body
    );
    assert!(!tuesday.body.contains(&format!("{doctor}|{NINE_THIRTY}")));
    assert!(
        tuesday.body.contains(&format!("{doctor}|{ten}")),
        "{}",
        tuesday.body
    );
    let wednesday = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor=any&date=2026-06-17"),
        None,
        None,
    );
    assert_eq!(wednesday.status, 200);
    assert!(
        !wednesday.body.contains(&format!("{doctor}|")),
        "{}",
        wednesday.body
    );
    assert!(
        wednesday.body.contains("No hay horas libres"),
        "{}",
        wednesday.body
    );
    let days = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor=any"),
        None,
        None,
    );
    assert!(
        days.body.contains("value=\"2026-06-17\" disabled"),
        "{}",
        days.body
    );
    assert!(
        !days.body.contains("value=\"2026-06-16\" disabled"),
        "{}",
        days.body
    );

    // Posted all the same: refused as a page, the day's times again.
    let soon = hold(&server, &service, &doctor, NINE, "7000-1111");
    assert_eq!(soon.status, 422, "INSUFFICIENT_NOTICE: {}", soon.body);
    assert!(soon.body.contains("No se pudo reservar"), "{}", soon.body);
    assert!(
        soon.body.contains(&format!("{doctor}|{ten}")),
        "{}",
        soon.body
    );
    let far = hold(
        &server,
        &service,
        &doctor,
        "2026-06-17T15:00:00Z",
        "7000-1111",
    );
    assert_eq!(far.status, 422, "BEYOND_HORIZON: {}", far.body);
    assert!(far.body.contains("No se pudo reservar"), "{}", far.body);
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");
    drop(server);
    // The desk's own notice and horizon take both.
    assert!(desk_books_nine(&env, "+50370002222").status.success());
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--time",
        "09:00",
        "--phone",
        "+50370003333",
        "--name",
        "Otra Paciente",
    ]);
}

/// A code is good for ten minutes even where the hold is longer: with
/// `--web-hold 30m`, eleven minutes on, the hold still keeps the time from
/// the desk, but its code books nothing.
#[test]
fn a_code_older_than_ten_minutes_books_nothing_inside_a_longer_hold() {
    let (mut env, rx, service, doctor) = online();
    env.ok(&["clinic", "update", "Central", "--web-hold", "30m"]);
    let server = Server::start(&env, &[]);
    let held = hold(&server, &service, &doctor, NINE, "7000-1111");
    assert_eq!(held.status, 200, "{}", held.body);
    let code = code_of(&seen(&rx));
    let id = hold_id(&held.body);
    drop(server);
    env.at("2026-06-15T14:11:00Z");
    let out = desk_books_nine(&env, "+50370002222");
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "SLOT_HELD", "{e}");
    assert_eq!(e["error"]["details"]["until"], "2026-06-15T14:30:00Z");
    let server = Server::start(&env, &[]);
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", &code)],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("el código venció"), "{}", r.body);
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    assert_eq!(list["appointments"].as_array().unwrap().len(), 0, "{list}");
}

#[test]
fn a_clinic_not_online_has_no_page() {
    let (env, _rx, _, _) = online();
    let server = Server::start(&env, &[]);
    assert_eq!(server.call("GET", "/b/norte", None, None).status, 404);
    env.ok(&["clinic", "update", "Central", "--online-booking", "off"]);
    let r = server.call("GET", "/b/central", None, None);
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("Central"));
}

/// Twenty patients on the page and five desks on the command line race
/// for one time: one of them has it (a hold or a booking), every other is
/// refused, the patients with the next free times; nothing is held or
/// booked twice.
#[test]
fn patients_and_desks_racing_for_one_time_leave_it_to_one() {
    const PATIENTS: usize = 20;
    const DESKS: usize = 5;
    let (env, _rx, service, doctor) = online();
    let server = Server::start(&env, &[]);
    let barrier = std::sync::Barrier::new(PATIENTS + DESKS);
    let (holds, desks) = std::thread::scope(|scope| {
        let patients: Vec<_> = (0..PATIENTS)
            .map(|i| {
                let (server, barrier, service, doctor) = (&server, &barrier, &service, &doctor);
                scope.spawn(move || {
                    let phone = format!("7100-{i:04}");
                    barrier.wait();
                    hold(server, service, doctor, NINE, &phone)
                })
            })
            .collect();
        let desks: Vec<_> = (0..DESKS)
            .map(|i| {
                let (env, barrier) = (&env, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    desk_books_nine(env, &format!("+50372{i:06}"))
                })
            })
            .collect();
        (
            patients
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            desks
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
        )
    });
    let held = holds.iter().filter(|r| r.status == 200).count();
    let booked = desks.iter().filter(|o| o.status.success()).count();
    assert_eq!(held + booked, 1, "holds {held}, desk bookings {booked}");
    for r in holds.iter().filter(|r| r.status != 200) {
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("Alguien tomó esa hora"), "{}", r.body);
        // The next free times are offered, never the one taken.
        assert!(
            r.body.contains(&format!("{doctor}|{NINE_THIRTY}")),
            "{}",
            r.body
        );
        assert!(!r.body.contains(&format!("{doctor}|{NINE}")), "{}", r.body);
    }
    for o in desks.iter().filter(|o| !o.status.success()) {
        assert_eq!(o.status.code(), Some(4), "{o:?}");
        let e: Value = serde_json::from_slice(&o.stderr).unwrap();
        let code = s(&e["error"]["code"]).to_string();
        assert!(
            ["SLOT_HELD", "APPOINTMENT_CONFLICT"].contains(&code.as_str()),
            "{e}"
        );
    }
    let taken = env.rows(&format!(
        "SELECT (SELECT count(*) FROM appointments WHERE status <> {1} AND starts_at = {0}) \
         + (SELECT count(*) FROM holds WHERE starts_at = {0})",
        1_781_622_000,
        crate::common::status_code("cancelled")
    ));
    assert_eq!(taken[0][0], "1");
}

/// A real browser books on the page as a patient's phone would (Chromium
/// through Selenium at 320 pixels, in Spanish), the code read here from the
/// fake Twilio and typed in; axe-core finds no accessibility violation on
/// any step. Skipped where the browser or axe-core is missing, but never
/// under CI.
#[test]
fn a_real_browser_books_on_the_page_in_spanish_and_axe_finds_nothing() {
    let Some(browser) = browser() else { return };
    let (env, rx, _, _) = online();
    let server = Server::start(&env, &[]);
    let said = browser.run("book.py", &format!("http://{}/b/central", server.addr), &rx);
    assert!(said.contains("booked: ok"), "{said}");
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    assert_eq!(list["appointments"][0]["source"], "web", "{list}");
}

/// A full day's waitlist joined in headless Chromium at 320 pixels, in
/// Spanish, axe-core finding nothing on any of its steps.
#[test]
fn a_real_browser_joins_a_full_days_waitlist_and_axe_finds_nothing() {
    let Some(browser) = browser() else { return };
    let (env, rx, service, _) = online();
    fill_tuesday(&env);
    let server = Server::start(&env, &[]);
    let said = browser.run(
        "wait.py",
        &format!(
            "http://{}/b/central?service={service}&doctor=any",
            server.addr
        ),
        &rx,
    );
    assert!(said.contains("waiting: ok"), "{said}");
    let w = env.ok(&["waitlist", "list"]);
    assert_eq!(
        w["waitlist"][0]["patient"]["full_name"], "Marta Díaz",
        "{w}"
    );
}

/// Python with Selenium, chromedriver and axe-core, when the machine has
/// them (under CI it must): None skips the test with a note.
pub struct Browser {
    pub python: std::ffi::OsString,
    pub axe: std::ffi::OsString,
}

/// Python with Selenium and axe-core for the browser tests: None skips
/// with a note, never under CI.
pub fn browser() -> Option<Browser> {
    use std::process::Command;
    let (Some(python), Some(axe)) = (
        std::env::var_os("APPT_PYTHON"),
        std::env::var_os("APPT_AXE"),
    ) else {
        crate::common::missing_tool("Python with Selenium ($APPT_PYTHON) and axe-core ($APPT_AXE)");
        return None;
    };
    let has = Command::new(&python)
        .args(["-c", "import selenium"])
        .status()
        .is_ok_and(|s| s.success());
    let driver = ["chromedriver", "/usr/bin/chromedriver"]
        .iter()
        .any(|d| Command::new(d).arg("--version").output().is_ok());
    if !has || !driver {
        crate::common::missing_tool("Selenium and chromedriver");
        return None;
    }
    Some(Browser { python, axe })
}

impl Browser {
    /// Runs `tests/browser/SCRIPT URL`, typing the code the fake Twilio
    /// took when it asks (`CODE?`); what it printed, once it succeeded.
    fn run(&self, script: &str, url: &str, rx: &Receiver<Seen>) -> String {
        use std::io::{BufRead, BufReader, Write};
        use std::process::{Command, Stdio};
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser")
            .join(script);
        let mut child = Command::new(&self.python)
            .arg(&script)
            .arg(url)
            .env("APPT_AXE", &self.axe)
            .env(
                "APPT_SHOTS",
                std::env::var_os("APPT_SHOTS").unwrap_or_default(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the browser");
        let mut said = String::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                break;
            }
            said.push_str(&line);
            if line.trim() == "CODE?" {
                let code = code_of(&seen(rx));
                writeln!(child.stdin.as_mut().unwrap(), "{code}").unwrap();
            }
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{said}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        said
    }
}

/// A clinic with no channel for phones: `serve --exec` runs the hook with
/// the code, as `remind due --exec` runs one (`kind` `verification`), and
/// the code it got books.
#[test]
fn a_clinic_without_a_channel_sends_the_code_through_serves_hook() {
    let env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let file = env.dir.path().join("code.json");
    let hook = format!(
        "cat > '{}'; echo \"$APPT_KIND\" >> '{}'",
        file.display(),
        file.display()
    );
    let server = Server::start(&env, &["--exec", &hook]);
    let held = hold(&server, &service, &doctor, NINE, "7000-1111");
    assert_eq!(held.status, 200, "{}", held.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let written = loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.ends_with("verification\n") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // The JSON on the hook's stdin (no newline after it), then $APPT_KIND.
    let (json, kind) = written
        .rsplit_once('}')
        .expect("the hook's input and APPT_KIND");
    assert_eq!(kind.trim(), "verification");
    let input: Value = serde_json::from_str(&format!("{json}}}")).unwrap();
    assert_eq!(input["kind"], "verification");
    assert_eq!(input["patient_phone"], "+50370001111");
    let message = s(&input["message"]);
    let code: String = message
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_default()
        .to_string();
    assert_eq!(code.len(), 6, "{message}");
    let r = post(
        &server,
        &[
            ("action", "verify"),
            ("hold", &hold_id(&held.body)),
            ("code", &code),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Su cita está reservada"));
}

/// A day with hours but no free time offers its waitlist (a day without
/// hours does not): the patient gives name and phone, the code goes to the
/// phone, and the right code puts them on the doctor's waitlist for that
/// day. The code's hold keeps no time: the desk books a freed time
/// meanwhile. Once waiting, a time freed that day is offered to them.
#[test]
fn a_full_day_offers_its_waitlist_and_the_code_puts_the_patient_on_it() {
    let (env, rx, service, doctor) = online();
    let taken = fill_tuesday(&env);
    let server = Server::start(&env, &[]);
    let days = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor={doctor}"),
        None,
        None,
    );
    assert!(
        days.body.contains(
            "value=\"2026-06-16\" required> martes 16 de junio <span class=\"none\">(completo"
        ),
        "{}",
        days.body
    );
    assert!(
        days.body.contains("value=\"2026-06-20\" disabled"),
        "Saturday has no hours: {}",
        days.body
    );
    let tuesday = format!("/b/central?service={service}&doctor={doctor}&date=2026-06-16");
    let full = server.call("GET", &tuesday, None, None);
    assert!(
        full.body.contains("name=\"action\" value=\"wait\""),
        "{}",
        full.body
    );
    assert!(
        full.body.contains("Anótese en su lista de espera"),
        "{}",
        full.body
    );
    assert!(!full.body.contains("name=\"slot\""), "{}", full.body);
    // Whoever is first free: the patient says whom to wait for.
    let any = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor=any&date=2026-06-16"),
        None,
        None,
    );
    assert!(
        any.body
            .contains(&format!("name=\"doctor\" value=\"{doctor}\" required")),
        "{}",
        any.body
    );
    // A day off the page's fourteen is refused, and holds nothing.
    let join = |date: &str, phone: &str| {
        post(
            &server,
            &[
                ("action", "wait"),
                ("service", &service),
                ("doctor", &doctor),
                ("date", date),
                ("name", "Marta Díaz"),
                ("phone", phone),
            ],
        )
    };
    let far = join("2026-07-30", "7000-3333");
    assert_eq!(far.status, 400, "{}", far.body);
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");

    let asked = join("2026-06-16", "7000-3333");
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains("martes 16 de junio"), "{}", asked.body);
    let sms = seen(&rx);
    assert!(sms.body.contains("lista+de+espera"), "{}", sms.body);
    let code = code_of(&sms);
    let id = hold_id(&asked.body);
    // The hold keeps no time: a time freed meanwhile is the desk's to book.
    env.ok(&["cancel", &taken[2], "--reason", "viaje"]);
    let out = env
        .cmd()
        .args([
            "book",
            "-d",
            "Dr. García",
            "-D",
            "2026-06-16",
            "-t",
            "10:00",
            "-P",
            "+50371009999",
            "--name",
            "En Mostrador",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", wrong)],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        env.ok(&["waitlist", "list"])["waitlist"],
        serde_json::json!([])
    );
    let r = post(
        &server,
        &[("action", "verify"), ("hold", &id), ("code", &code)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Quedó en la lista de espera"), "{}", r.body);
    let w = env.ok(&["waitlist", "list"]);
    let entry = &w["waitlist"][0];
    assert_eq!(
        (
            &entry["patient"]["full_name"],
            &entry["patient"]["phone"],
            &entry["date"]
        ),
        (
            &"Marta Díaz".into(),
            &"+50370003333".into(),
            &"2026-06-16".into()
        ),
        "{w}"
    );
    assert_eq!(entry["doctor"]["id"], doctor.as_str());
    assert_eq!(entry["service"]["id"], service.as_str());
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");
    // A time freed that day is offered to her.
    env.ok(&["cancel", &taken[5], "--reason", "viaje"]);
    let offers = env.ok(&["remind", "list", "--kind", "waitlist_offer"]);
    assert_eq!(offers["reminders"].as_array().unwrap().len(), 1, "{offers}");
}

/// Posts a hold as a proxy would, `forwarded` in `X-Forwarded-For`.
fn hold_forwarded(server: &Server, forwarded: &str, fields: &[(&str, &str)]) -> Resp {
    post_with(server, fields, &[("X-Forwarded-For", forwarded)])
}

/// Behind a proxy named with `--trusted-proxy`, the limits per address
/// count the client the proxy names: ten holds from one patient's address,
/// the eleventh refused, another address's taken. From anyone else the
/// header is not believed: changing it escapes no limit.
#[test]
fn behind_a_trusted_proxy_the_limits_count_the_client_it_names() {
    let env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let mut phone = 0;
    let mut post_as = |server: &Server, forwarded: &str, i: usize| {
        phone += 1;
        let slot = format!("{doctor}|{}", half_hour(i));
        let number = format!("7300-{phone:04}");
        hold_forwarded(
            server,
            forwarded,
            &[
                ("action", "hold"),
                ("service", &service),
                ("slot", &slot),
                ("name", "Lucía Castro"),
                ("phone", &number),
            ],
        )
    };
    let proxied = Server::start(&env, &["--trusted-proxy", "127.0.0.1"]);
    for i in 0..10 {
        let r = post_as(&proxied, "198.51.100.1, 203.0.113.7", i);
        assert_eq!(r.status, 200, "hold {i}: {}", r.body);
    }
    let r = post_as(&proxied, "203.0.113.7", 0);
    assert!(assert_limited(&r) > 0);
    let r = post_as(&proxied, "203.0.113.8", 1);
    assert_eq!(
        r.status, 409,
        "another client's hold is judged, not limited: {}",
        r.body
    );
    assert_eq!(
        env.rows("SELECT count(*) FROM holds WHERE address = '203.0.113.7'")[0][0],
        "10"
    );
    drop(proxied);
    // Not a trusted proxy: every request is the connection's, whatever it says.
    let direct = Server::start(&env, &[]);
    for i in 0..10 {
        let r = post_as(&direct, &format!("192.0.2.{i}"), i + 10);
        assert_eq!(r.status, 200, "hold {i}: {}", r.body);
    }
    let r = post_as(&direct, "192.0.2.200", 20);
    assert!(assert_limited(&r) > 0, "{}", r.body);
    assert_eq!(
        env.rows("SELECT count(*) FROM holds WHERE address = '127.0.0.1'")[0][0],
        "10"
    );
}

/// Books every time of Dr. García's Tuesday 16 June at the desk (eight
/// patients): a full day. Their IDs, in time order.
fn fill_tuesday(env: &Env) -> Vec<String> {
    [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
    ]
    .iter()
    .enumerate()
    .map(|(i, time)| {
        let a = env.ok(&[
            "book",
            "-d",
            "Dr. García",
            "-D",
            "2026-06-16",
            "-t",
            time,
            "-P",
            &format!("+5037100000{i}"),
            "--name",
            &format!("Paciente {i}"),
        ]);
        s(&a["appointment"]["id"]).to_string()
    })
    .collect()
}

/// Phones nobody owns cannot empty a doctor's day (issue 63): the page
/// holds at most a third of a day's free times at once, whatever phones
/// and addresses ask (Dr. García's Tuesday has eight: three); the fourth
/// is `RATE_LIMITED`, and the desk still sees the other five free and
/// books one of them.
#[test]
fn a_doctors_day_is_held_a_third_at_most() {
    let env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let server = Server::start(&env, &[]);
    let tuesday = |k: usize| {
        let minutes = 15 * 60 + 30 * k;
        format!("2026-06-16T{:02}:{:02}:00Z", minutes / 60, minutes % 60)
    };
    for k in 0..3 {
        let r = hold(
            &server,
            &service,
            &doctor,
            &tuesday(k),
            &format!("7400-{k:04}"),
        );
        assert_eq!(r.status, 200, "hold {k}: {}", r.body);
    }
    let fourth = hold(&server, &service, &doctor, &tuesday(3), "7400-0003");
    assert_eq!(assert_limited(&fourth), 600);
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "3");
    let day = env.ok(&["slots", "-d", "García", "--date", "2026-06-16"]);
    assert_eq!(day["slots"].as_array().unwrap().len(), 5, "{day}");
    env.ok(&[
        "book",
        "-d",
        "García",
        "-D",
        "2026-06-16",
        "-t",
        "10:30",
        "-P",
        "+50370000099",
        "--name",
        "Ana Ruiz",
    ]);
}

/// An IPv6 host is one client to the limits, whatever address of its /64
/// it writes from (issue 63): ten holds from ten addresses of one /64, the
/// eleventh refused; another /64 is another client.
#[test]
fn an_ipv6_host_is_counted_by_its_64() {
    let env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let server = Server::start(&env, &["--trusted-proxy", "127.0.0.1"]);
    let post_as = |forwarded: &str, i: usize| {
        let slot = format!("{doctor}|{}", half_hour(i));
        let number = format!("7500-{i:04}");
        hold_forwarded(
            &server,
            forwarded,
            &[
                ("action", "hold"),
                ("service", &service),
                ("slot", &slot),
                ("name", "Lucía Castro"),
                ("phone", &number),
            ],
        )
    };
    for i in 0..10 {
        let r = post_as(&format!("2001:db8:1:2::{:x}", i + 1), i);
        assert_eq!(r.status, 200, "hold {i}: {}", r.body);
    }
    let r = post_as("2001:db8:1:2:ffff:ffff:ffff:9", 10);
    assert!(assert_limited(&r) > 0);
    let r = post_as("2001:db8:1:3::1", 11);
    assert_eq!(r.status, 200, "another /64: {}", r.body);
    assert_eq!(
        env.rows("SELECT count(*) FROM holds WHERE address = '2001:db8:1:2::/64'")[0][0],
        "10"
    );
}

/// Subject access is everything appt keeps about the patient (issue 63):
/// what they wrote to the clinic's channels (`inbox`) and the times the
/// booking page holds for their phone with what they typed there
/// (`holds`), never a hold's code or address.
#[test]
fn a_patients_export_holds_what_they_wrote_and_the_times_held_for_them() {
    let env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let a = env.book("2026-06-15", "10:00", "+50371000001");
    let patient = s(&a["patient_id"]).to_string();
    let clinic = s(&a["clinic_id"]).to_string();
    env.exec(&format!(
        "INSERT INTO inbox (id, clinic_id, channel, kind, provider_id, patient_id, body, \
         received_at, outcome) VALUES ('in-1', {}, 'sms', 'sms', 'SM9', {}, \
         'Buenas, no voy a poder ir el martes', 1781539300, 'inbox')",
        env.id_literal(&clinic),
        env.id_literal(&patient)
    ));
    let server = Server::start(&env, &[]);
    let r = hold(&server, &service, &doctor, &half_hour(0), "7100-0001");
    assert_eq!(r.status, 200, "{}", r.body);
    let out = env
        .cmd()
        .args(["patient", "export", "+50371000001"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inbox = doc["inbox"].as_array().expect("inbox");
    assert_eq!(inbox.len(), 1, "{doc}");
    assert_eq!(inbox[0]["body"], "Buenas, no voy a poder ir el martes");
    let holds = doc["holds"].as_array().expect("holds");
    assert_eq!(holds.len(), 1, "{doc}");
    assert_eq!(holds[0]["name"], "Lucía Castro");
    assert_eq!(holds[0]["phone"], "+50371000001");
    assert_eq!(holds[0]["starts_at"], half_hour(0));
    let keys: Vec<&String> = holds[0].as_object().unwrap().keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("code") || k.contains("address") || k.contains("attempts")),
        "{keys:?}"
    );
}

/// An erasure leaves nothing of the patient on the booking page's side
/// (issue 63): the time held for their phone with the name typed there and
/// the code sent to it go, their visit still to come is listed before the
/// question and cancelled with it (its time free again), and neither the
/// database (on SQLite its file and write-ahead log, with `serve` still
/// running; on PostgreSQL a `pg_dump`) nor a backup made after holds the
/// phone or the name.
#[test]
fn an_erasure_takes_the_holds_and_codes_of_the_phone_and_cancels_what_is_to_come() {
    let env = Env::clinic();
    let (service, doctor) = put_online(&env);
    let booked = env.ok(&[
        "book",
        "-d",
        "García",
        "-D",
        "2026-06-16",
        "-t",
        "12:00",
        "-P",
        "+50371009988",
        "--name",
        "Yolanda Zepeda",
    ]);
    let server = Server::start(&env, &[]);
    let r = hold_named(
        &server,
        &service,
        &doctor,
        &half_hour(0),
        "7100-9988",
        "Yolanda Zúñiga",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let traces = ["Zepeda", "Zúñiga", "71009988"];
    // Every table as text, and what a copy of the database holds: on
    // SQLite the file and its write-ahead log, on PostgreSQL a `pg_dump`.
    let text_of = |env: &Env| {
        let mut text = env.snapshot();
        match env.url() {
            None => {
                for file in [env.db.clone(), env.db.with_extension("db-wal")] {
                    if let Ok(bytes) = std::fs::read(&file) {
                        text.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
            }
            Some(url) => {
                // The password by the environment, not on the command line.
                let url = url
                    .split_once("?pool_mode=")
                    .map_or(url.as_str(), |(at, _)| at);
                let (scheme, after) = url.split_once("://").expect("a URL");
                let (who, rest) = after.split_once('@').expect("user@host");
                let (user, password) = who.split_once(':').unwrap_or((who, ""));
                let dump = std::process::Command::new("pg_dump")
                    .args(["--data-only", "--no-owner", "--dbname"])
                    .arg(format!("{scheme}://{user}@{rest}"))
                    .env("PGPASSWORD", password)
                    .output()
                    .expect("pg_dump");
                assert!(dump.status.success(), "{dump:?}");
                text.push_str(&String::from_utf8_lossy(&dump.stdout));
            }
        }
        text
    };
    let before = text_of(&env);
    assert!(traces.iter().all(|t| before.contains(t)), "never stored");
    // The question names the visit it cancels.
    let out = env
        .cmd()
        .env("APPT_LANG", "en")
        .args([
            "patient",
            "erase",
            "+50371009988",
            "--reason",
            "request 7",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("visit still to come was cancelled"), "{said}");
    let a = env.ok(&["show", s(&booked["appointment"]["id"])]);
    assert_eq!(a["status"], "cancelled");
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");
    assert_eq!(env.rows("SELECT count(*) FROM web_codes")[0][0], "0");
    // Nothing of them in the database (the server still has it open), nor
    // in a backup made after the erasure.
    let after = text_of(&env);
    for t in traces {
        assert!(!after.contains(t), "{t} is still stored");
    }
    if env.url().is_none() {
        let copy = env.dir.path().join("after.db");
        env.ok(&["backup", copy.to_str().unwrap()]);
        let bytes = String::from_utf8_lossy(&std::fs::read(&copy).unwrap()).to_string();
        for t in traces {
            assert!(!bytes.contains(t), "{t} is in the backup");
        }
    }
    drop(server);
}

/// Holds `at` with `doctor` for `phone`, typing `name` on the page.
fn hold_named(
    server: &Server,
    service: &str,
    doctor: &str,
    at: &str,
    phone: &str,
    name: &str,
) -> Resp {
    let slot = format!("{doctor}|{at}");
    post(
        server,
        &[
            ("action", "hold"),
            ("service", service),
            ("slot", &slot),
            ("name", name),
            ("phone", phone),
        ],
    )
}

/// A page elsewhere cannot have its visitors' browsers ask for codes
/// (issue 63): a POST that a browser says came from another site
/// (`Origin`, `Sec-Fetch-Site: cross-site`), or that brings no form token
/// of the page, is refused with 403, nothing held and no code sent; the
/// page's own form, at its public URL or at the address it was reached at,
/// is taken.
#[test]
fn a_post_from_another_site_or_without_the_pages_token_is_refused() {
    let (env, rx, service, doctor) = online();
    let server = Server::start(&env, &[]);
    let slot = format!("{doctor}|{NINE}");
    let fields = [
        ("action", "hold"),
        ("service", service.as_str()),
        ("slot", slot.as_str()),
        ("name", "Lucía Castro"),
        ("phone", "7100-0001"),
    ];
    for more in [
        vec![("Origin", "https://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Origin", "https://citas.central.example.evil.example")],
    ] {
        let r = post_with(&server, &fields, &more);
        assert_eq!(r.status, 403, "{more:?}: {}", r.body);
        assert!(
            r.body.contains("no se envió desde esta página"),
            "{}",
            r.body
        );
    }
    let mut forged = fields.to_vec();
    forged.push(("form", "AAAAAAAAAAAAAAAAAAAAAA"));
    assert_eq!(post(&server, &forged).status, 403);
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let none = send(
        &server.addr,
        &request(
            "POST",
            "/b/central",
            &[
                ("Connection", "close"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        ),
    );
    assert_eq!(none.status, 403, "{}", none.body);
    assert_eq!(env.rows("SELECT count(*) FROM holds")[0][0], "0");
    assert_eq!(env.rows("SELECT count(*) FROM web_codes")[0][0], "0");
    crate::channels::no_more(&rx);
    // The page's own form: from its public URL, or the address asked.
    let r = post_with(
        &server,
        &fields,
        &[
            ("Origin", "https://citas.central.example"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

/// What the codes may cost the clinic (issue 63): a code goes only to a
/// phone of the clinic's country (an international network, another
/// country, a premium US number refused, nothing held or sent) unless
/// `--web-countries` names that country too; and past the clinic's
/// `--web-codes-per-hour`, whoever asks, the page offers the clinic's
/// phone instead.
#[test]
fn codes_go_only_to_the_clinics_countries_and_at_most_so_many_an_hour() {
    let (env, rx, service, doctor) = online();
    env.ok(&["clinic", "update", "Central", "--phone", "2222-3333"]);
    let server = Server::start(&env, &["--trusted-proxy", "127.0.0.1"]);
    let ask = |phone: &str, i: usize, from: &str| {
        let slot = format!("{doctor}|{}", half_hour(i));
        hold_forwarded(
            &server,
            from,
            &[
                ("action", "hold"),
                ("service", &service),
                ("slot", &slot),
                ("name", "Lucía Castro"),
                ("phone", phone),
            ],
        )
    };
    // An international network's number is no phone the page takes.
    let r = ask("+882 1234 5678 90", 0, "198.51.100.1");
    assert_eq!(r.status, 400, "{}", r.body);
    for phone in ["+234 803 123 4567", "+1 900 555 0100"] {
        let r = ask(phone, 0, "198.51.100.1");
        assert_eq!(r.status, 400, "{phone}: {}", r.body);
        assert!(
            r.body.contains("solo a teléfonos del país"),
            "{phone}: {}",
            r.body
        );
        assert!(r.body.contains("2222-3333"), "{}", r.body);
    }
    assert_eq!(env.rows("SELECT count(*) FROM web_codes")[0][0], "0");
    crate::channels::no_more(&rx);
    let c = env.ok(&[
        "clinic",
        "update",
        "Central",
        "--web-countries",
        "+234",
        "--web-codes-per-hour",
        "2",
    ]);
    assert_eq!(c["web_countries"], serde_json::json!(["+234"]));
    assert_eq!(c["web_codes_per_hour"], 2);
    assert_eq!(ask("+234 803 123 4567", 0, "198.51.100.1").status, 200);
    assert_eq!(ask("7100-0002", 1, "198.51.100.2").status, 200);
    // A third code this hour, from anyone: the clinic's phone instead.
    let r = ask("7100-0003", 2, "198.51.100.3");
    assert!(r.body.contains("no puede enviar más códigos"), "{}", r.body);
    assert!(r.body.contains("2222-3333"), "{}", r.body);
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    assert_eq!(env.rows("SELECT count(*) FROM web_codes")[0][0], "2");
    // A code's phone is kept as a digest under the link key: neither the
    // number nor its plain SHA-256 (reversed in seconds by hashing every
    // number of the country) is in the table.
    let kept = env.rows("SELECT phone_hash FROM web_codes").concat();
    for phone in ["+2348031234567", "+50371000002"] {
        use sha2::Digest;
        for plain in [phone.to_string(), format!("phone:{phone}")] {
            let hex: String = sha2::Sha256::digest(plain.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert!(!kept.contains(&hex), "{plain}'s plain digest is kept");
        }
        assert!(!kept.iter().any(|k| k.contains(&phone[1..])));
    }
}

/// Norte, Dr. García's second clinic, and a patient only it knows: `phone`
/// named `name`, booked there on Wednesday the 17th.
fn known_at_norte(env: &Env, phone: &str, name: &str) {
    env.second_clinic("Norte", "14:00", "17:00");
    env.ok(&[
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
        phone,
        "--name",
        name,
    ]);
}

/// A phone only another clinic knows, booked on this clinic's page, is
/// that patient's, but their record is the other clinic's to change: it
/// keeps its name, and the name typed on the page goes on this clinic's
/// appointment (docs/booking.md, docs/api.md#another-clinics-patient).
#[test]
fn a_patient_only_another_clinic_knows_keeps_their_record_when_booking_on_the_page() {
    let (env, rx, service, doctor) = online();
    known_at_norte(&env, "+50370001111", "Lucía Norte");
    let server = Server::start(&env, &[]);
    let held = hold(&server, &service, &doctor, NINE, "7000-1111");
    assert_eq!(held.status, 200, "{}", held.body);
    let code = code_of(&seen(&rx));
    let r = post(
        &server,
        &[
            ("action", "verify"),
            ("hold", &hold_id(&held.body)),
            ("code", &code),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Su cita está reservada"), "{}", r.body);
    assert_eq!(
        env.rows("SELECT full_name FROM patients WHERE phone = '+50370001111'"),
        vec![vec!["Lucía Norte".to_string()]]
    );
    let central = env.ok(&["-c", "Central", "list", "--date", "2026-06-16"]);
    assert_eq!(
        central["appointments"][0]["patient"]["full_name"], "Lucía Castro",
        "{central}"
    );
    assert_eq!(
        env.rows("SELECT count(*) FROM events WHERE data LIKE '%Lucía Norte%'")[0][0],
        "0"
    );
}

/// The same on the page's waitlist: a phone only another clinic knows
/// joins this clinic's waitlist under the name typed, and its record keeps
/// its name and e-mail.
#[test]
fn a_patient_only_another_clinic_knows_keeps_their_record_when_joining_the_pages_waitlist() {
    let (env, rx, service, doctor) = online();
    fill_tuesday(&env);
    known_at_norte(&env, "+50370003333", "Marta Norte");
    let server = Server::start(&env, &[]);
    let asked = post(
        &server,
        &[
            ("action", "wait"),
            ("service", &service),
            ("doctor", &doctor),
            ("date", "2026-06-16"),
            ("name", "Marta Díaz"),
            ("phone", "7000-3333"),
            ("email", "marta@example.com"),
        ],
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    let code = code_of(&seen(&rx));
    let r = post(
        &server,
        &[
            ("action", "verify"),
            ("hold", &hold_id(&asked.body)),
            ("code", &code),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        env.rows(
            "SELECT full_name, coalesce(email, '-') FROM patients WHERE phone = '+50370003333'"
        ),
        vec![vec!["Marta Norte".to_string(), "-".to_string()]]
    );
    assert_eq!(
        env.rows("SELECT patient_name_given FROM waitlist"),
        vec![vec!["Marta Díaz".to_string()]]
    );
}

/// The days of a day step, each with how the page shows it: `free`,
/// `full` or `off` (no hours).
fn days_shown(page: &str) -> Vec<(String, &'static str)> {
    page.lines()
        .filter_map(|l| {
            let at = l.find("name=\"date\" value=\"")? + 19;
            let date = l[at..].split('"').next()?.to_string();
            let shown = if l.contains("(full") {
                "full"
            } else if l.contains("disabled") {
                "off"
            } else {
                "free"
            };
            Some((date, shown))
        })
        .collect()
}

/// The day step reads its fourteen days' holds and the doctor's own
/// calendar once for all of them: its first day, busy all morning in
/// Dr. García's calendar, and its last (a Sunday he works), two times held
/// on the page and the other six booked at the desk, are both full, and
/// nothing else changes, for whoever is first free and for him.
#[test]
fn the_day_step_counts_the_holds_and_busy_times_of_its_first_and_last_days() {
    let (env, _sms, service, doctor) = online();
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dr. García",
        "--days",
        "sun",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let server = Server::start(&env, &[]);
    let days = |who: &str| {
        let page = server.call(
            "GET",
            &format!("/b/central?lang=en&service={service}&doctor={who}"),
            None,
            None,
        );
        assert_eq!(page.status, 200, "{}", page.body);
        days_shown(&page.body)
    };
    let before = days("any");
    assert_eq!(before.len(), 14, "{before:?}");
    assert_eq!(before[0], ("2026-06-15".to_string(), "free"));
    assert_eq!(before[13], ("2026-06-28".to_string(), "free"));
    assert_eq!(days(&doctor), before);
    // Monday 15 June 2026, 09:00–13:00 in El Salvador (UTC-6).
    let calendar = crate::calendars::Server::ics(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//appt tests//EN\r\nBEGIN:VEVENT\r\n\
         UID:first@example\r\nDTSTART:20260615T150000Z\r\nDTEND:20260615T190000Z\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let added = env.ok(&[
        "calendar",
        "add",
        "garcia-hospital",
        "-d",
        "García",
        "--url",
        &calendar.url,
    ]);
    assert_eq!(added["busy_times"], 1, "{added}");
    // Sunday 28 June: 12:00 and 12:30 held, 09:00 to 11:30 booked.
    for (i, at) in ["2026-06-28T18:00:00Z", "2026-06-28T18:30:00Z"]
        .iter()
        .enumerate()
    {
        let r = hold(&server, &service, &doctor, at, &format!("7400-100{i}"));
        assert_eq!(r.status, 200, "hold {at}: {}", r.body);
    }
    for (i, time) in ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
        .iter()
        .enumerate()
    {
        env.ok(&[
            "book",
            "-d",
            "García",
            "-D",
            "2026-06-28",
            "-t",
            time,
            "-P",
            &format!("+5037200000{i}"),
            "--name",
            &format!("Paciente {i}"),
        ]);
    }
    let mut after = before.clone();
    after[0].1 = "full";
    after[13].1 = "full";
    assert_eq!(days("any"), after);
    assert_eq!(days(&doctor), after);
}
