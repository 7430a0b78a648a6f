//! Clinics stay apart (docs/security.md#clinics-apart): a token limited to
//! one clinic finds only the patients that clinic knows (another clinic's
//! patient answers exactly as a missing one), its idempotency keys are its
//! own, its refusals name no other clinic's appointment, and a token without
//! `clinical` does not learn that clinical fields changed.

use crate::common::*;
use crate::serve::{request, token, Resp, Server};
use serde_json::{json, Value};

const RW: &str = "appointments:read,appointments:write";
const ALL: &str = "appointments:read,appointments:write,clinical";

/// Env::clinic's Central (Dr. García Mon–Fri 09:00–13:00) and Norte, where
/// Dr. García works Mon–Fri 14:00–17:00. Sara and Samuel are Central's
/// patients only; Eva is Norte's.
fn two_clinics() -> (Env, Value) {
    let env = Env::clinic();
    env.second_clinic("Norte", "14:00", "17:00");
    let sara = book_at(
        &env,
        "Central",
        "2026-06-16",
        "10:00",
        "+50370001111",
        "Sara Central",
    );
    book_at(
        &env,
        "Central",
        "2026-06-16",
        "10:30",
        "+50370001112",
        "Samuel Central",
    );
    book_at(
        &env,
        "Norte",
        "2026-06-16",
        "14:00",
        "+50370002222",
        "Eva Norte",
    );
    (env, sara)
}

/// Books Dr. García at `clinic` from the command line (which sees every clinic).
fn book_at(env: &Env, clinic: &str, date: &str, time: &str, phone: &str, name: &str) -> Value {
    env.ok(&book_args(clinic, date, time, phone, name, &[]))["appointment"].clone()
}

/// The command line booking Dr. García at `clinic`, with `more` after it.
fn book_args<'a>(
    clinic: &'a str,
    date: &'a str,
    time: &'a str,
    phone: &'a str,
    name: &'a str,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
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
    args.extend_from_slice(more);
    args
}

/// Puts `phone` (named `name`) on Dr. García's waitlist at `clinic` for `date`.
fn wait_at(env: &Env, clinic: &str, date: &str, phone: &str, name: &str) {
    env.ok(&[
        "-c",
        clinic,
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        date,
        "-P",
        phone,
        "--name",
        name,
    ]);
}

/// How many wait on `clinic`'s waitlist.
fn waiting_at(env: &Env, clinic: &str) -> String {
    env.rows(&format!(
        "SELECT count(*) FROM waitlist w JOIN clinics c ON c.id = w.clinic_id WHERE c.name = '{clinic}'"
    ))[0][0]
        .clone()
}

/// An answer's status and body with `typed` written as X, to set beside a
/// missing reference's.
fn as_ref(r: &Resp, typed: &str) -> (u16, String) {
    (r.status, r.body.replace(typed, "X"))
}

#[test]
fn an_idempotency_key_belongs_to_the_clinic_it_was_booked_at() {
    let (env, _) = two_clinics();
    let at_central = token(&env, "central-bot", ALL, &["--clinic", "Central"]);
    let at_norte = token(&env, "norte-bot", ALL, &["--clinic", "Norte"]);
    let srv = Server::start(&env, &[]);
    let book = |t: &str, body: Value| {
        let bearer = format!("Bearer {t}");
        let headers = [
            ("Connection", "close"),
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", "order-1001"),
        ];
        let bytes = request(
            "POST",
            "/v1/appointments",
            &headers,
            body.to_string().as_bytes(),
        );
        srv.raw(&bytes)
    };
    let b = book(
        &at_central,
        json!({"doctor": "Dr. García", "date": "2026-06-17", "time": "09:00",
               "phone": "+50370005555", "name": "Berta Privada", "notes": "llamar antes"}),
    );
    assert_eq!(b.status, 201, "{}", b.body);
    let b = b.json()["appointment"].clone();
    // The same key at Norte is Norte's own booking, not Central's replayed.
    let a = book(
        &at_norte,
        json!({"doctor": "Dr. García", "date": "2026-06-17", "time": "14:00",
               "phone": "+50370006666", "name": "Ana Norte"}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let made = a.json();
    assert_eq!(made["idempotent"], false);
    assert!(
        !a.body.contains("Berta")
            && !a.body.contains("+50370005555")
            && !a.body.contains(s(&b["id"]))
    );
    let a = made["appointment"].clone();
    assert_eq!(a["patient"]["full_name"], "Ana Norte");
    assert_ne!(a["clinic_id"], b["clinic_id"]);
    // Each clinic's replay answers its own appointment.
    for (t, mine) in [(&at_norte, &a), (&at_central, &b)] {
        let again = book(
            t,
            json!({"doctor": "Dr. García", "date": "2026-06-17", "time": "11:00", "phone": "+50370007777", "name": "Otro"}),
        );
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["idempotent"], true);
        assert_eq!(again.json()["appointment"]["id"], mine["id"]);
    }
    let held = env.rows(&format!(
        "SELECT count(*) FROM appointments WHERE external_reference_id = 'order-1001' AND status = {}",
        status_code("scheduled")
    ));
    assert_eq!(held[0][0], "2");
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn a_clinics_token_finds_only_the_patients_it_knows() {
    let (env, sara) = two_clinics();
    let sara_id = s(&sara["patient_id"]).to_string();
    let t = token(&env, "norte-bot", RW, &["--clinic", "Norte"]);
    let every = token(&env, "desk-bot", RW, &[]);
    let srv = Server::start(&env, &[]);
    let list = |t: &str, typed: &str| {
        srv.get(
            &format!("/v1/appointments?date=2026-06-16&patient={typed}"),
            t,
        )
    };
    // The token that sees every clinic finds Central's patients: what
    // follows is the clinic's limit at work, not patients that are not there.
    let r = list(&every, "Sa");
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "AMBIGUOUS_ID"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Samuel Central"), "{}", r.body);
    assert_eq!(list(&every, "Sara").status, 200);

    // Norte's token: by part of a name, a whole name, a phone (in E.164 or
    // local), an ID prefix or a whole ID, Sara is as missing as no one.
    let prefix = &sara_id[..4];
    let cases = [
        ("Sa", "Nobody"),
        ("Sara", "Nobody"),
        ("Sara%20Central", "Nobody%20Central"),
        ("%2B50370001111", "%2B50379999999"),
        ("70001111", "79999999"),
        (prefix, "ffff"),
        (sara_id.as_str(), "00000000-0000-4000-8000-000000000000"),
    ];
    let plain = |typed: &str| typed.replace("%20", " ").replace("%2B", "+");
    for (foreign, nobody) in cases {
        let r = list(&t, foreign);
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "NOT_FOUND"),
            "{foreign}: {}",
            r.body
        );
        assert_eq!(
            as_ref(&r, &plain(foreign)),
            as_ref(&list(&t, nobody), &plain(nobody)),
            "{foreign} answers as {nobody} does"
        );
        assert!(
            !r.body.contains("Samuel") && !r.body.contains("+50370001112"),
            "{}",
            r.body
        );
    }
    // A waitlist entry or a booking naming her is refused as one naming no one.
    for path in ["/v1/waitlist", "/v1/appointments"] {
        let ask = |patient: &str| {
            let mut b = json!({"doctor": "Dr. García", "date": "2026-06-17", "patient": patient});
            if path == "/v1/appointments" {
                b["time"] = json!("15:00");
            }
            srv.post(path, &t, b)
        };
        let (r, missing) = (ask("Sara"), ask("Nobody"));
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "NOT_FOUND"),
            "{path}: {}",
            r.body
        );
        assert_eq!(as_ref(&r, "Sara"), as_ref(&missing, "Nobody"), "{path}");
        let r = ask(prefix);
        assert_eq!(as_ref(&r, prefix), as_ref(&ask("ffff"), "ffff"), "{path}");
    }
    // Her phone alone is a new patient's: a name is asked for, as for any new phone.
    let by_phone = |phone: &str, name: Option<&str>| {
        let mut b =
            json!({"doctor": "Dr. García", "date": "2026-06-17", "time": "15:00", "phone": phone});
        if let Some(n) = name {
            b["name"] = json!(n);
        }
        srv.post("/v1/appointments", &t, b)
    };
    let r = by_phone("+50370001111", None);
    assert_eq!(
        as_ref(&r, "+50370001111"),
        as_ref(&by_phone("+50379999999", None), "+50379999999")
    );
    assert_eq!(r.status, 400, "{}", r.body);
    // Booked with a name, it is hers (phones are unique) and says nothing of
    // what was there: the name given, no previous name.
    let r = by_phone("+50370001111", Some("Sara Otra"));
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    assert_eq!(v["appointment"]["patient"]["full_name"], "Sara Otra");
    assert_eq!(v["appointment"]["patient_id"], json!(sara_id));
    assert_eq!(v["patient_previous_name"], Value::Null);
    assert!(!r.body.contains("Sara Central"), "{}", r.body);
    // Norte knows her only by the name it gave: her record is not found
    // through that booking (docs/api.md#another-clinics-patient).
    let r = srv.get("/v1/appointments?patient=Sa", &t);
    assert_eq!(r.status, 404, "{}", r.body);
    // A waitlist entry makes a patient known too.
    let r = srv.post(
        "/v1/waitlist",
        &every,
        json!({"clinic": "Norte", "doctor": "Dr. García", "date": "2026-06-18", "patient": "Samuel"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = srv.post(
        "/v1/waitlist",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-18", "patient": "Samuel"}),
    );
    assert_eq!(r.status, 200, "the same entry: {}", r.body);
}

#[test]
fn refusals_name_no_appointment_of_another_clinic() {
    let (env, _) = two_clinics();
    let t = token(&env, "norte-bot", RW, &["--clinic", "Norte"]);
    let every = token(&env, "desk-bot", RW, &[]);
    // Eva, Norte's patient, is also booked at Central on Wednesday; Central
    // has a surgery on Thursday whose cleaning runs into Norte's afternoon.
    let eva_central = book_at(
        &env,
        "Central",
        "2026-06-17",
        "10:00",
        "+50370002222",
        "Eva Norte",
    );
    env.ok(&[
        "service",
        "add",
        "Cirugía",
        "--minutes",
        "30",
        "--buffer-after",
        "90",
    ]);
    let surgery = env.ok(&[
        "-c",
        "Central",
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-18",
        "-t",
        "12:30",
        "-P",
        "+50370004444",
        "--name",
        "Leo Central",
        "-s",
        "Cirugía",
    ])["appointment"]
        .clone();
    let eva = book_at(
        &env,
        "Norte",
        "2026-06-19",
        "14:00",
        "+50370002222",
        "Eva Norte",
    );
    let srv = Server::start(&env, &[]);
    let book = |t: &str, date: &str| {
        srv.post(
            "/v1/appointments",
            t,
            json!({"clinic": "Norte", "doctor": "Dr. García", "date": date, "time": "14:00", "phone": "+50370002222"}),
        )
    };
    let cases = [
        (
            "2026-06-17",
            "DUPLICATE_BOOKING",
            "existing_appointment_id",
            &eva_central,
        ),
        (
            "2026-06-18",
            "APPOINTMENT_CONFLICT",
            "conflicting_appointment_id",
            &surgery,
        ),
    ];
    for (date, code, key, other) in cases {
        // The token of every clinic is told which appointment is in the way.
        let r = book(&every, date);
        assert_eq!(r.code(), code, "{}", r.body);
        assert_eq!(r.json()["error"]["details"][key], other["id"]);
        // Norte's is refused alike, without the other clinic's appointment.
        let r = book(&t, date);
        assert_eq!((r.status, r.code().as_str()), (409, code), "{}", r.body);
        assert_eq!(r.json()["error"]["details"][key], Value::Null, "{}", r.body);
        assert!(!r.body.contains(s(&other["id"])), "{}", r.body);
    }
    // A move into the surgery's cleaning is refused alike.
    let r = srv.post(
        &format!("/v1/appointments/{}/reschedule", s(&eva["id"])),
        &t,
        json!({"date": "2026-06-18", "time": "14:00"}),
    );
    assert_eq!(r.code(), "APPOINTMENT_CONFLICT", "{}", r.body);
    assert_eq!(
        r.json()["error"]["details"]["conflicting_appointment_id"],
        Value::Null
    );
    assert!(!r.body.contains(s(&surgery["id"])), "{}", r.body);
    // Norte's own appointment in the way is named.
    let r = srv.post(
        "/v1/appointments",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-19", "time": "14:00", "phone": "+50370008888", "name": "Otro"}),
    );
    assert_eq!(r.code(), "APPOINTMENT_CONFLICT", "{}", r.body);
    assert_eq!(
        r.json()["error"]["details"]["conflicting_appointment_id"],
        eva["id"]
    );
}

#[test]
fn a_token_without_clinical_does_not_learn_that_clinical_fields_changed() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let doctor = token(&env, "doctor", ALL, &[]);
    let bot = token(&env, "bot", "appointments:read", &[]);
    let srv = Server::start(&env, &[]);
    let path = format!("/v1/appointments/{}", s(&a["id"]));
    for body in [
        json!({"diagnosis": "Embarazo de 20 semanas, G2P1", "notes": "llamar antes"}),
        json!({"prescription": "Ácido fólico", "follow_up": "+30"}),
    ] {
        let r = srv.call("PATCH", &path, Some(&doctor), Some(&body));
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let changed = |t: &str, url: &str| -> Vec<Value> {
        let v = srv.get(url, t).json();
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "appointment.updated")
            .map(|e| e["data"]["changed"].clone())
            .collect()
    };
    for url in [format!("{path}/history"), "/v1/events".to_string()] {
        assert_eq!(
            changed(&doctor, &url),
            [
                json!(["notes", "diagnosis"]),
                json!(["prescription", "follow_up"])
            ],
            "{url}"
        );
        assert_eq!(changed(&bot, &url), [json!(["notes"]), json!([])], "{url}");
        let body = srv.get(&url, &bot).body;
        for word in ["diagnosis", "prescription", "follow_up", "Embarazo"] {
            assert!(!body.contains(word), "{url}: {word} in {body}");
        }
    }
}

#[test]
fn a_database_of_schema_16_keeps_references_apart_after_its_upgrade() {
    let (env, _) = two_clinics();
    let booked = |clinic: &str, time: &str, phone: &str| {
        let at = ["-D", "2026-06-17", "-t", time];
        let who = ["-P", phone, "--name", "Ref", "--external-ref", "order-7"];
        env.ok(&[&["-c", clinic, "book", "-d", "Dr. García"][..], &at, &who].concat())
    };
    crate::common::undo_schema_17(&env);
    crate::common::set_schema_version(&env, 16);
    let first = booked("Central", "09:00", "+50370005555");
    assert_eq!(first["idempotent"], false);
    // The upgrade made the reference Central's: Norte's is a booking of its own.
    let second = booked("Norte", "14:00", "+50370006666");
    assert_eq!(second["idempotent"], false, "{second}");
    assert_ne!(second["appointment"]["id"], first["appointment"]["id"]);
    let again = booked("Norte", "15:00", "+50370007777");
    assert_eq!(again["idempotent"], true);
    assert_eq!(again["appointment"]["id"], second["appointment"]["id"]);
    assert_eq!(env.ok(&["check"])["ok"], true);
}

/// Issue 63's fourth reproduction: Norte's token booked Central's patient
/// with another name, and Central's `list` and `history` showed the new one.
#[test]
fn a_clinics_token_booking_another_clinics_patient_changes_nothing_of_theirs() {
    let (env, sara) = two_clinics();
    let sara_id = s(&sara["patient_id"]).to_string();
    let central_events = || env.ok(&["history", s(&sara["id"])]).to_string();
    let before = central_events();
    let t = token(&env, "norte-bot", RW, &["--clinic", "Norte"]);
    let exports = token(
        &env,
        "norte-export",
        "patients:export,clinical",
        &["--clinic", "Norte"],
    );
    let srv = Server::start(&env, &[]);
    let r = srv.post(
        "/v1/appointments",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-17", "time": "15:00",
               "phone": "+50370001111", "name": "Sara Otra",
               "email": "otra@example.com", "channel": "email"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let booked = r.json()["appointment"].clone();
    // The booking is hers (phones are unique), under the name Norte gave.
    assert_eq!(booked["patient_id"], json!(sara_id));
    assert_eq!(booked["patient"]["full_name"], "Sara Otra");
    assert!(!r.body.contains("Sara Central"), "{}", r.body);
    // Her record is as Central made it: name, e-mail, channel.
    assert_eq!(
        env.rows(&format!(
            "SELECT full_name, coalesce(email, '-'), coalesce(channel, '-') FROM patients WHERE id = {}",
            env.id_literal(&sara_id)
        )),
        vec![vec!["Sara Central".to_string(), "-".into(), "-".into()]]
    );
    assert_eq!(
        env.rows(&format!(
            "SELECT patient_name_given FROM appointments WHERE id = {}",
            env.id_literal(s(&booked["id"]))
        )),
        vec![vec!["Sara Otra".to_string()]]
    );
    // Central's desk sees her as before, with no event of a new name.
    let central = env.ok(&["-c", "Central", "list", "-D", "2026-06-16"]);
    assert!(central.to_string().contains("Sara Central"), "{central}");
    assert!(!central.to_string().contains("Sara Otra"), "{central}");
    assert_eq!(central_events(), before);
    // Norte's token reads its appointment by the name it gave, and nothing
    // of her record: not by a lookup, not by an export.
    let r = srv.get(&format!("/v1/appointments/{}", s(&booked["id"])), &t);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Sara Otra") && !r.body.contains("Sara Central"));
    // Changed later, its events show it as it was with the name Norte
    // gave, the booking as much as the change (each rebuilt past the
    // change, whose patient is read again).
    let path = format!("/v1/appointments/{}", s(&booked["id"]));
    let r = srv.post(
        &format!("{path}/status"),
        &t,
        json!({"status": "confirmed"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for url in [format!("{path}/history"), "/v1/events".to_string()] {
        let r = srv.get(&url, &t);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body.matches("\"Sara Otra\"").count(),
            2,
            "{url}: {}",
            r.body
        );
        assert!(!r.body.contains("Sara Central"), "{url}: {}", r.body);
    }
    let r = srv.get("/v1/appointments?patient=%2B50370001111", &t);
    assert_eq!(r.status, 404, "{}", r.body);
    let r = srv.get(&format!("/v1/patients/{sara_id}/export"), &exports);
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "NOT_FOUND"),
        "{}",
        r.body
    );
    // Booked again by Norte, she is still Central's Sara.
    let r = srv.post(
        "/v1/appointments",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-18", "time": "15:00",
               "phone": "+50370001111", "name": "Sarita"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["appointment"]["patient"]["full_name"], "Sarita");
    let names = env.rows(&format!(
        "SELECT full_name FROM patients WHERE id = {}",
        env.id_literal(&sara_id)
    ));
    assert_eq!(names, vec![vec!["Sara Central".to_string()]]);
    // Her erasure takes the names given too.
    env.ok(&["patient", "erase", &sara_id, "--reason", "asked", "--yes"]);
    assert_eq!(
        env.rows(&format!(
            "SELECT count(*) FROM appointments WHERE patient_id = {} \
             AND patient_name_given IS NOT NULL",
            env.id_literal(&sara_id)
        )),
        vec![vec!["0".to_string()]]
    );
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn a_patient_waiting_at_another_clinic_is_waitlisted_anew() {
    let (env, _) = two_clinics();
    let theirs = env.ok(&[
        "-c",
        "Central",
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-18",
        "-P",
        "+50370001112",
    ]);
    let t = token(&env, "norte-bot", RW, &["--clinic", "Norte"]);
    let srv = Server::start(&env, &[]);
    let r = srv.post(
        "/v1/waitlist",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-18", "phone": "+50370001112", "name": "Samuel Otro"}),
    );
    assert_eq!(r.status, 201, "a new entry, not Central's: {}", r.body);
    assert!(!r.body.contains(s(&theirs["id"])), "{}", r.body);
    assert!(!r.body.contains("Samuel Central"), "{}", r.body);
    assert_eq!(
        (waiting_at(&env, "Central"), waiting_at(&env, "Norte")),
        ("1".into(), "1".into())
    );
    // Samuel's record is Central's still: Norte's entry keeps its name.
    assert!(r.body.contains("Samuel Otro"), "{}", r.body);
    assert_eq!(
        env.rows(&format!(
            "SELECT full_name FROM patients WHERE id = {}",
            env.id_literal(s(&theirs["patient_id"]))
        )),
        vec![vec!["Samuel Central".to_string()]]
    );
}

/// A time freed at one clinic is offered to someone waiting at that
/// clinic, never at another clinic of the same doctor (a time elsewhere is
/// not what they wait for, and the offer's event is the freeing clinic's);
/// and its offer shows the name the clinic gave
/// (docs/api.md#another-clinics-patient).
#[test]
fn a_time_freed_at_a_clinic_is_offered_to_its_own_waitlist_under_the_name_it_gave() {
    let (env, _) = two_clinics();
    // Wanda waits at Central for Dr. García's day, who works at Norte too.
    wait_at(
        &env,
        "Central",
        "2026-06-16",
        "+50370003333",
        "Wanda Central",
    );
    let t = token(&env, "norte-bot", RW, &["--clinic", "Norte"]);
    let srv = Server::start(&env, &[]);
    let eva = env.rows(
        "SELECT a.id FROM appointments a JOIN clinics c ON c.id = a.clinic_id WHERE c.name = 'Norte'",
    )[0][0]
        .clone();
    let offers = || {
        env.rows(&format!(
            "SELECT count(*) FROM events WHERE {}",
            crate::common::event_is("appointment.slot_offered")
        ))[0][0]
            .clone()
    };
    // Norte's 14:00 freed: nobody waits at Norte, so no one is offered it.
    let r = srv.post(
        &format!("/v1/appointments/{eva}/cancel"),
        &t,
        json!({"reason": "asked"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(offers(), "0");
    assert_eq!(
        env.rows(&format!(
            "SELECT count(*) FROM reminders WHERE kind = {}",
            crate::common::message_kind("waitlist_offer")
        ))[0][0],
        "0"
    );
    let r = srv.get("/v1/events", &t);
    assert!(!r.body.contains("Wanda"), "{}", r.body);
    // Norte puts Central's Sara on its waitlist under another name; a time
    // Norte frees is offered to her, shown under Norte's name only.
    let r = srv.post(
        "/v1/waitlist",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-16", "phone": "+50370001111", "name": "Sara Otra"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = srv.post(
        "/v1/appointments",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "15:00",
               "phone": "+50370002223", "name": "Ezequiel Norte"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let freed = s(&r.json()["appointment"]["id"]).to_string();
    let r = srv.post(
        &format!("/v1/appointments/{freed}/cancel"),
        &t,
        json!({"reason": "asked"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(offers(), "1");
    for url in [
        format!("/v1/appointments/{freed}/history"),
        "/v1/events".to_string(),
    ] {
        let r = srv.get(&url, &t);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body.contains("appointment.slot_offered"),
            "{url}: {}",
            r.body
        );
        assert!(r.body.contains("\"Sara Otra\""), "{url}: {}", r.body);
        assert!(!r.body.contains("Sara Central"), "{url}: {}", r.body);
    }
    // Her entry gone, the offer's entry shows no name rather than Central's.
    let entry = env.rows("SELECT id FROM waitlist WHERE patient_name_given = 'Sara Otra'");
    env.ok(&["waitlist", "remove", &entry[0][0]]);
    let r = srv.get("/v1/events?type=appointment.slot_offered", &t);
    let offered = &r.json()["events"][0]["data"]["waitlist"];
    assert_eq!(offered["patient"]["full_name"], "", "{}", r.body);
    assert_eq!(offered["id"], json!(entry[0][0]), "{}", r.body);
    assert!(offered.get("name_given").is_none(), "{}", r.body);
    assert!(!r.body.contains("Sara Central"), "{}", r.body);
}

/// Booking a patient at one clinic ends their wait there, not at another
/// clinic of the same doctor: that entry is the other clinic's.
#[test]
fn a_booking_at_one_clinic_leaves_the_patients_wait_at_another() {
    let (env, _) = two_clinics();
    let waiting = |clinic: &str| waiting_at(&env, clinic);
    for clinic in ["Central", "Norte"] {
        wait_at(&env, clinic, "2026-06-17", "+50370003333", "Wanda");
    }
    assert_eq!(
        (waiting("Central"), waiting("Norte")),
        ("1".into(), "1".into())
    );
    let t = token(&env, "norte-bot", RW, &["--clinic", "Norte"]);
    let srv = Server::start(&env, &[]);
    let r = srv.post(
        "/v1/appointments",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-17", "time": "15:00",
               "phone": "+50370003333"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // Her wait at Norte is over; Central's entry is as Central left it.
    assert_eq!(
        (waiting("Central"), waiting("Norte")),
        ("1".into(), "0".into())
    );
    // Booked at Central instead, she waits nowhere.
    let id = s(&r.json()["appointment"]["id"]).to_string();
    let r = srv.post(
        &format!("/v1/appointments/{id}/cancel"),
        &t,
        json!({"reason": "asked"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    book_at(
        &env,
        "Central",
        "2026-06-17",
        "09:00",
        "+50370003333",
        "Wanda",
    );
    assert_eq!(
        (waiting("Central"), waiting("Norte")),
        ("0".into(), "0".into())
    );
}

/// A clinic's token asking for a series by a prefix or an occurrence's ID
/// is answered from its own clinic's appointments: never another clinic's
/// series found, nor another clinic's visit named as "not part of a
/// series" (and so never another clinic's visits as the candidates of an
/// ambiguous prefix, which the same look-up would give).
#[test]
fn a_clinics_token_finds_no_series_or_visit_of_another_clinic() {
    let (env, sara) = two_clinics();
    let weekly = env.ok(&book_args(
        "Central",
        "2026-06-17",
        "09:00",
        "+50370005001",
        "Paciente Central",
        &["--repeat", "weekly", "--count", "2"],
    ));
    let series = env
        .rows("SELECT DISTINCT series_id FROM appointments WHERE series_id IS NOT NULL")[0][0]
        .clone();
    assert!(weekly.to_string().contains(&series), "{weekly}");
    // From the command line, which sees every clinic, each one is found.
    let listed = env.ok(&["list", "--series", &series[..8]]);
    assert_eq!(listed["total"], 2, "{listed}");
    let (_, err) = env.err(&["list", "--series", s(&sara["id"])]);
    assert!(err.to_string().contains(&s(&sara["id"])[..8]), "{err}");
    // A Norte token is told of neither.
    let t = token(
        &env,
        "norte-bot",
        "appointments:read",
        &["--clinic", "Norte"],
    );
    let srv = Server::start(&env, &[]);
    let sara_id = s(&sara["id"]);
    for asked in [&series[..8], series.as_str(), &sara_id[..8], sara_id] {
        let r = srv.get(&format!("/v1/appointments?series={asked}"), &t);
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "NOT_FOUND"),
            "{asked}: {}",
            r.body
        );
        assert!(!r.body.contains(&sara_id[..8]), "{asked}: {}", r.body);
        assert!(!r.body.contains(&series[..8]), "{asked}: {}", r.body);
    }
}

/// A clinic's token erasing a patient both clinics know erases the person
/// (docs/privacy.md#erasure), and its answer counts and names that clinic's
/// appointments only: never another clinic's visits or how many there are.
#[test]
fn a_clinics_token_erasing_a_shared_patient_is_told_of_its_own_visits_only() {
    let (env, sara) = two_clinics();
    // Booked at Norte too, from the desk: a patient both clinics know.
    let norte = book_at(
        &env,
        "Norte",
        "2026-06-17",
        "15:00",
        "+50370001111",
        "Sara Central",
    );
    let norte = s(&norte["id"]).to_string();
    let eraser = token(&env, "norte-dpo", "patients:erase", &["--clinic", "Norte"]);
    let srv = Server::start(&env, &[]);
    let patient = s(&sara["patient_id"]);
    let r = srv.post(
        &format!("/v1/patients/{patient}/erase"),
        &eraser,
        json!({"reason": "pidió ser borrada"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let done = r.json();
    assert_eq!(done["appointments"], 1, "{done}");
    assert_eq!(done["cancelled"], json!([norte]), "{done}");
    assert!(!r.body.contains(s(&sara["id"])), "{}", r.body);
    // The person is erased: both clinics' visits to come are cancelled, and
    // the command line, which sees every clinic, is told of both.
    let all = env.ok(&[
        "patient",
        "erase",
        patient,
        "--reason",
        "pidió ser borrada",
        "--yes",
    ]);
    assert_eq!(all["appointments"], 2, "{all}");
    assert_eq!(all["cancelled"].as_array().map(Vec::len), Some(2), "{all}");
}

/// A clinic's token booking a patient judges "first" or "follow-up" by its
/// own clinic's visits: a visit completed with the same doctor at another
/// clinic is not its to learn of; the desk, which sees every clinic,
/// counts it.
#[test]
fn a_clinics_token_does_not_learn_of_a_visit_at_another_clinic_from_the_visit_type() {
    let (mut env, sara) = two_clinics();
    env.at("2026-06-16T17:00:00Z");
    env.ok(&[
        "status",
        s(&sara["id"]),
        "completed",
        "--diagnosis",
        "Control",
    ]);
    let t = token(&env, "norte-bot", RW, &["--clinic", "Norte"]);
    let srv = Server::start(&env, &[]);
    let r = srv.post(
        "/v1/appointments",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-17", "time": "15:00",
               "phone": "+50370001111", "name": "Sara Otra"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["appointment"]["visit_type"], "first", "{}", r.body);
    let desk = book_at(
        &env,
        "Norte",
        "2026-06-18",
        "15:00",
        "+50370001111",
        "Sara Central",
    );
    assert_eq!(desk["visit_type"], "follow_up", "{desk}");
}

/// A patient's no-shows are counted on their record across every clinic; a
/// clinic's token is given those at its own clinic, in an export as in an
/// erasure's answer. The desk, which sees every clinic, is given them all.
#[test]
fn a_clinics_token_counts_a_shared_patients_no_shows_at_its_clinic_alone() {
    let (mut env, sara) = two_clinics();
    // Known at Norte too, under her own name (booked there from the desk).
    book_at(
        &env,
        "Norte",
        "2026-06-17",
        "15:00",
        "+50370001111",
        "Sara Central",
    );
    let patient = s(&sara["patient_id"]).to_string();
    // Central's visit passes without her (12:00 in San Salvador).
    env.at("2026-06-16T18:00:00Z");
    env.ok(&["status", s(&sara["id"]), "no_show"]);
    assert_eq!(env.ok(&["patient", "show", &patient])["no_show_count"], 1);
    let exporter = token(
        &env,
        "norte-export",
        "patients:export",
        &["--clinic", "Norte"],
    );
    let eraser = token(&env, "norte-dpo", "patients:erase", &["--clinic", "Norte"]);
    let central = token(
        &env,
        "central-export",
        "patients:export",
        &["--clinic", "Central"],
    );
    let all = env.ok(&["patient", "export", &patient]);
    assert_eq!(all["patient"]["no_show_count"], 1, "{all}");
    let srv = Server::start(&env, &[]);
    let r = srv.get(&format!("/v1/patients/{patient}/export"), &exporter);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["patient"]["no_show_count"], 0, "{}", r.body);
    // Central's token is given the one at Central.
    let r = srv.get(&format!("/v1/patients/{patient}/export"), &central);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["patient"]["no_show_count"], 1, "{}", r.body);
    let r = srv.post(
        &format!("/v1/patients/{patient}/erase"),
        &eraser,
        json!({"reason": "pidió ser borrada"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["patient"]["no_show_count"], 0, "{}", r.body);
    // The record keeps its count; the desk is given it.
    let all = env.ok(&[
        "patient",
        "erase",
        &patient,
        "--reason",
        "pidió ser borrada",
        "--yes",
    ]);
    assert_eq!(all["patient"]["no_show_count"], 1, "{all}");
}

/// A series' occurrence the desk moved to another clinic is that clinic's:
/// the series' own clinic's token neither moves nor cancels it with the
/// series (nor is told of it), and the desk's move of the series moves it
/// by its own clinic's hours, never back to the series' clinic.
#[test]
fn a_series_change_leaves_an_occurrence_moved_to_another_clinic_to_it() {
    let (env, _) = two_clinics();
    let series = env.ok(&book_args(
        "Central",
        "2026-06-23",
        "10:00",
        "+50370003333",
        "Rita Serie",
        &["--repeat", "weekly", "--count", "3"],
    ));
    let ids: Vec<String> = series["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["id"]).to_string())
        .collect();
    // The desk moves the second to Norte, the same day at 15:00.
    env.ok(&[
        "-c",
        "Norte",
        "reschedule",
        &ids[1],
        "-d",
        "Dr. García",
        "-D",
        "2026-06-30",
        "-t",
        "15:00",
    ]);
    let moved = || {
        env.rows(&format!(
            "SELECT c.name, {}, a.starts_at FROM appointments a \
             JOIN clinics c ON c.id = a.clinic_id WHERE a.id = {}",
            status_name("a.status"),
            env.id_literal(&ids[1])
        ))
    };
    let at_norte = moved();
    assert_eq!(at_norte[0][0], "Norte");
    // The desk's series move takes it at Norte, whose hours 11:00 is not
    // in: the whole move is refused, nothing changed.
    let before = env.snapshot();
    let refused = env.refused(
        &["reschedule", &ids[0], "--series", "-t", "11:00"],
        "SERIES_REFUSED",
        4,
    );
    let said = refused["occurrences"].to_string();
    assert!(said.contains("2026-06-30"), "{refused}");
    assert_eq!(env.snapshot(), before);
    let central = token(&env, "central-bot", RW, &["--clinic", "Central"]);
    let srv = Server::start(&env, &[]);
    let r = srv.post(
        &format!("/v1/appointments/{}/reschedule", ids[0]),
        &central,
        json!({"time": "11:00", "series": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let ids_of = |v: &Value| -> Vec<String> {
        v["appointments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| s(&a["id"]).to_string())
            .collect()
    };
    assert_eq!(ids_of(&r.json()), [ids[0].clone(), ids[2].clone()]);
    assert!(!r.body.contains(&ids[1]), "{}", r.body);
    assert_eq!(moved(), at_norte);
    let r = srv.post(
        &format!("/v1/appointments/{}/cancel", ids[0]),
        &central,
        json!({"reason": "Alta", "series": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(ids_of(&r.json()), [ids[0].clone(), ids[2].clone()]);
    assert_eq!(moved(), at_norte);
    assert_eq!(at_norte[0][1], "scheduled");
}

/// A clinic's allowance of overbookings a day counts the doctor's
/// overbookings at that clinic: a doctor who works at two clinics used up
/// Norte's two, and Central may still overbook (nor is Central told of
/// Norte's by a refusal).
#[test]
fn a_clinics_overbookings_a_day_count_its_own_and_not_another_clinics() {
    let (env, _) = two_clinics();
    let args = |clinic: &'static str, time: &'static str, phone: &'static str| {
        book_args(
            clinic,
            "2026-06-16",
            time,
            phone,
            "Urgencia",
            &["--overbook", "Herida"],
        )
    };
    // Norte's 14:00 is Eva's: two overbookings over her, the third refused.
    for phone in ["+50370004001", "+50370004002"] {
        env.ok(&args("Norte", "14:00", phone));
    }
    let full = env.refused(&args("Norte", "14:00", "+50370004003"), "SLOT_FULL", 4);
    assert_eq!(full["max_overbook_per_day"], 2, "{full}");
    // Central's 10:00 is Sara's: Central's own two are still to give.
    let b = env.ok(&args("Central", "10:00", "+50370004004"));
    assert_eq!(
        b["appointment"]["overbooked"]["rule"], "APPOINTMENT_CONFLICT",
        "{b}"
    );
}
