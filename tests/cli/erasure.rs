//! Tests: `appt patient erase` (docs/privacy.md#erasure) — a patient
//! erased on request leaves no trace of their name or phone in any table
//! (the SQLite file's own bytes, after a checkpoint and `VACUUM`, and every
//! column of every table on PostgreSQL), is found by nothing any more, and
//! keeps their appointments; `appt check` reports whatever a trace is left.

use crate::common::*;
use serde_json::{json, Value};

const NAME: &str = "Zoila Quintanilla";
/// The name the patient had before a booking renamed them.
const EARLIER: &str = "Zoé Xochiquetzal";
const PHONE: &str = "+50377001122";
const EMAIL: &str = "zq.privacy@example.org";
/// What must be nowhere once the patient is erased.
const TRACES: [&str; 5] = [
    "Quintanilla",
    "Xochiquetzal",
    "77001122",
    "zq.privacy",
    "7700-1122",
];

/// A clinic whose messages carry links, with notifications on.
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
        "--doctor",
        "Dr. García",
        "--date",
        date,
        "--time",
        time,
        "--phone",
        phone,
        "--name",
        name,
    ])["appointment"]
        .clone()
}

/// The patient everywhere appt keeps them: appointments (one booked under
/// an earlier name), an e-mail, a preferred channel and a national ID, messages delivered with
/// links and one whose failure the sender described with the phone, a
/// waitlist entry offered another patient's freed time. Returns their ID.
fn everywhere(env: &Env) -> String {
    let first = book(env, "2026-06-16", "10:00", PHONE, EARLIER);
    book(env, "2026-06-17", "10:00", PHONE, NAME);
    env.ok(&[
        "patient",
        "update",
        PHONE,
        "--email",
        EMAIL,
        "--channel",
        "whatsapp",
        "--national-id",
        "01234567-8",
    ]);
    let other = book(env, "2026-06-18", "10:00", "+50370000002", "Beatriz Otra");
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-18",
        "--phone",
        PHONE,
    ]);
    env.ok(&["cancel", s(&other["id"]), "--reason", "viaja"]);
    // Confirmations and the offer go out, with their links.
    let sent = env.sweep_lines();
    assert!(
        sent.iter().any(|l| l["kind"] == "waitlist_offer"),
        "{sent:?}"
    );
    // A message the sender could not deliver, and said why with the phone.
    book(env, "2026-06-19", "10:00", PHONE, NAME);
    let out = env
        .cmd()
        .args(["remind", "due", "--exec"])
        .arg("echo \"no route to $APPT_PATIENT_PHONE ($APPT_PATIENT_NAME)\" >&2; exit 1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    s(&first["patient_id"]).to_string()
}

/// What of `TRACES` the database holds: every column of every table as
/// text, and on SQLite the file's own bytes (and its `-wal`'s) after a
/// checkpoint — and, with `vacuum`, a `VACUUM` — so nothing lingers in a
/// freed page unseen.
fn found_in(env: &Env, vacuum: bool) -> Vec<String> {
    let mut text = env.snapshot();
    if env.url().is_none() {
        let c = rusqlite::Connection::open(&env.db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        if vacuum {
            c.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                .unwrap();
        }
        drop(c);
        for file in [env.db.clone(), env.db.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    TRACES
        .iter()
        .filter(|t| text.contains(*t))
        .map(|t| t.to_string())
        .collect()
}

/// [`found_in`], after a checkpoint and a `VACUUM`.
fn found(env: &Env) -> Vec<String> {
    found_in(env, true)
}

#[test]
fn an_erased_patients_name_and_phone_are_in_no_table_and_their_appointments_stay() {
    let env = linked();
    let id = everywhere(&env);
    let before = found_in(&env, false);
    for t in ["Quintanilla", "Xochiquetzal", "77001122", "zq.privacy"] {
        assert!(
            before.contains(&t.to_string()),
            "{t} was never stored: {before:?}"
        );
    }
    let counts = |table: &str| env.rows(&format!("SELECT count(*) FROM {table}"))[0][0].clone();
    let links: i64 = counts("patient_links").parse().unwrap();
    assert!(
        links >= 3,
        "the confirmations' links and the offer's: {links}"
    );
    assert_eq!(counts("waitlist"), "1");
    let done = env.ok(&[
        "patient",
        "erase",
        PHONE,
        "--reason",
        "request 118",
        "--yes",
    ]);
    assert_eq!(done["patient"]["id"], id.as_str());
    assert_eq!(done["patient"]["full_name"], "Erased patient");
    assert_eq!(done["patient"]["phone"], "");
    assert_eq!(done["patient"]["email"], Value::Null);
    assert_eq!(done["patient"]["channel"], Value::Null);
    assert_eq!(done["patient"]["national_id"], Value::Null);
    assert_eq!(done["reason"], "request 118");
    assert_eq!(done["clinical"], false);
    assert_eq!(done["appointments"], 3);
    // Their visits still to come were cancelled with it (issue 63).
    assert_eq!(
        done["cancelled"].as_array().map(Vec::len),
        Some(3),
        "{done}"
    );
    // What the erasure replaced or deleted was overwritten, not only
    // freed: it is gone from the file before any VACUUM.
    assert_eq!(found_in(&env, false), Vec::<String>::new());
    assert_eq!(found(&env), Vec::<String>::new());
    assert_eq!(env.ok(&["check"])["ok"], true);
    // The appointments stay, statuses and all, under the placeholder.
    let list = env.ok(&["list", "--from", "2026-06-16", "--to", "2026-06-19"]);
    let theirs: Vec<&Value> = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["patient_id"] == id.as_str())
        .collect();
    assert_eq!(theirs.len(), 3);
    for a in theirs {
        assert_eq!(a["patient"]["full_name"], "Erased patient");
        assert_eq!(a["patient"]["phone"], "");
        assert_eq!(a["status"], "cancelled");
        // Their events are shown as the object was, without the patient.
        let history = env.ok(&["history", s(&a["id"])]);
        let text = history.to_string();
        assert!(
            !text.contains("Xochiquetzal") && !text.contains("77001122"),
            "{text}"
        );
    }
    // Their messages went with them: none pending, none holding what was said.
    let rows = env.rows(&format!(
        "SELECT {}, r.data IS NULL, r.last_error IS NULL FROM reminders r \
         JOIN appointments a ON a.id = r.appointment_id \
         WHERE a.patient_id = {} AND r.kind <> {}",
        crate::common::name_of_number::<appt::core::MessageStatus>("r.status"),
        env.id_literal(&id),
        crate::common::message_kind("waitlist_offer")
    ));
    assert!(!rows.is_empty());
    for r in rows {
        assert_ne!(r[0], "pending", "{r:?}");
        assert!(["1", "t", "true"].contains(&r[1].as_str()), "{r:?}");
        assert!(["1", "t", "true"].contains(&r[2].as_str()), "{r:?}");
    }
    // Their links and their wait went with them.
    assert_eq!(counts("patient_links"), "0");
    assert_eq!(counts("waitlist"), "0");
    let erased = env.rows(&format!(
        "SELECT data FROM events WHERE {}",
        crate::common::event_is("patient.erased")
    ));
    assert_eq!(erased.len(), 1);
    let data: Value = serde_json::from_str(&erased[0][0]).unwrap();
    assert_eq!(
        data,
        serde_json::json!({"patient_id": id, "reason": "request 118", "clinical": false})
    );
}

#[test]
fn an_erased_patient_is_found_by_nothing_and_their_phone_is_free() {
    let env = Env::clinic();
    let a = book(&env, "2026-06-16", "10:00", PHONE, NAME);
    let id = s(&a["patient_id"]).to_string();
    env.ok(&["patient", "erase", &id, "--reason", "request 7"]);
    for search in ["Quintanilla", "zoila", "7700", "Erased", "erased"] {
        let found = env.ok(&["patient", "list", "--search", search]);
        assert_eq!(found["patients"], serde_json::json!([]), "{search}");
    }
    assert_eq!(env.ok(&["patient", "list"])["patients"], json!([]));
    // Nor does a picker offer them (a shell's completion of a patient).
    for typed in ["", "Er", "Quin", "7700"] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("appt"))
            .args(["__complete", "bash", "--", "appt", "book", "-p", typed])
            .env("APPT_DB", &env.db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "", "{typed:?}");
    }
    // Named by ID, the patient is no one to show, change, book or wait.
    for args in [
        vec!["patient", "show", &id],
        vec!["patient", "update", &id, "--name", "Otra"],
        vec!["patient", "export", &id],
        vec![
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-17",
            "--time",
            "10:00",
            "--patient",
            &id,
        ],
        vec![
            "waitlist",
            "add",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-17",
            "--patient",
            &id,
        ],
    ] {
        let d = env.refused(&args, "NOT_FOUND", 3);
        assert_eq!(d["erased"], true, "{args:?}: {d}");
    }
    // By name or phone, they are simply not there.
    env.refused(&["patient", "show", NAME], "NOT_FOUND", 3);
    env.refused(&["patient", "show", PHONE], "NOT_FOUND", 3);
    // The phone is free: booking with it makes a new patient.
    let again = book(&env, "2026-06-17", "10:00", PHONE, NAME);
    assert_ne!(again["patient_id"], id.as_str());
    assert_eq!(again["patient"]["full_name"], NAME);
    // An export shows the erased patient's appointment as erased.
    let out = env
        .cmd()
        .args([
            "export",
            "--format",
            "csv",
            "--from",
            "2026-06-16",
            "--to",
            "2026-06-16",
        ])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{csv}");
    assert!(
        csv.contains("Erased patient") && !csv.contains("77001122"),
        "{csv}"
    );
    let out = env
        .cmd()
        .args(["export", "--format", "fhir", "--include-patient"])
        .args(["--from", "2026-06-16", "--to", "2026-06-16"])
        .output()
        .unwrap();
    let bundle: Value = serde_json::from_slice(&out.stdout).unwrap();
    let erased: Vec<&Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Patient")
        .collect();
    assert_eq!(erased.len(), 1, "{bundle}");
    assert_eq!(erased[0]["name"], json!([{"text": "Erased patient"}]));
    assert!(erased[0].get("telecom").is_none(), "{bundle}");
}

#[test]
fn erasing_twice_answers_the_same_and_records_one_erasure() {
    let mut env = Env::clinic();
    let a = book(&env, "2026-06-16", "10:00", PHONE, NAME);
    let id = s(&a["patient_id"]).to_string();
    let first = env.ok(&["patient", "erase", PHONE, "--reason", "request 7"]);
    let before = env.snapshot();
    env.at("2026-06-20T14:00:00Z");
    let again = env.ok(&["patient", "erase", &id, "--reason", "request 7"]);
    assert_eq!(again, first);
    assert_eq!(env.snapshot(), before, "erasing again wrote something");
    // The clinical record asked for later is erased then, and recorded.
    env.at("2026-06-21T14:00:00Z");
    let more = env.ok(&[
        "patient",
        "erase",
        &id,
        "--reason",
        "request 9",
        "--clinical",
    ]);
    assert_eq!(more["clinical"], true);
    assert_eq!(more["reason"], "request 9");
    assert_eq!(more["erased_at"], first["erased_at"]);
    let n = env.rows(&format!(
        "SELECT count(*) FROM events WHERE {}",
        crate::common::event_is("patient.erased")
    ));
    assert_eq!(n[0][0], "2");
}

#[test]
fn the_clinical_record_stays_unless_asked_and_then_leaves_the_events_too() {
    let env = Env::clinic();
    let a = book(&env, "2026-06-16", "10:00", PHONE, NAME);
    let record = write_clinical_record(&env, &a);
    let b = book(&env, "2026-06-17", "10:00", "+50370000003", "Otro Paciente");
    write_clinical_record(&env, &b);
    env.ok(&["patient", "erase", PHONE, "--reason", "request 7"]);
    let kept = env.ok(&["show", s(&a["id"])]);
    assert_eq!(kept["diagnosis"], record[0]);
    env.ok(&[
        "patient",
        "erase",
        s(&a["patient_id"]),
        "--reason",
        "request 8",
        "--clinical",
    ]);
    let shown = env.ok(&["show", s(&a["id"])]);
    assert_eq!(shown["diagnosis"], Value::Null);
    assert_eq!(shown["prescription"], Value::Null);
    assert_eq!(shown["follow_up_required"], false);
    assert_eq!(shown["follow_up_date"], Value::Null);
    assert_eq!(
        shown["notes"], record[3],
        "the desk's notes are no clinical record"
    );
    let history = env.ok(&["history", s(&a["id"])]).to_string();
    for word in &record[..2] {
        assert!(!history.contains(word), "{word} in {history}");
    }
    // Another patient's record is theirs.
    assert_eq!(env.ok(&["show", s(&b["id"])])["diagnosis"], record[0]);
}

#[test]
fn check_reports_what_an_erasure_left_and_erasing_again_takes_it_out() {
    let env = linked();
    let id = everywhere(&env);
    env.ok(&["patient", "erase", &id, "--reason", "request 7"]);
    let offer = env.rows(&format!(
        "SELECT id FROM reminders WHERE kind = {}",
        crate::common::message_kind("waitlist_offer")
    ))[0][0]
        .clone();
    // What a careless script or an old copy could put back.
    env.exec(&format!(
        "UPDATE patients SET email = 'back@example.org', channel = 'sms' WHERE id = {key};
         UPDATE events SET data = '{{\"set\":{{\"patient_id\":\"{id}\"}},\"patient_previous_name\":\"Zoé\"}}'
           WHERE id = (SELECT min(e.id) FROM events e JOIN appointments a ON a.id = e.appointment_id
                       WHERE a.patient_id = {key});
         UPDATE reminders SET status = {pending}, last_error = 'x' WHERE id = {offer_id};
         INSERT INTO patient_links (nonce, kind, target_id, created_at)
           VALUES ('00112233445566778899aabbccddeeff', 'offer', {offer_id}, 0);
         INSERT INTO waitlist (id, clinic_id, doctor_id, patient_id, local_date, offers, seq, created_at)
           SELECT 'w-back', clinic_id, doctor_id, patient_id, '2026-06-20', 0, 99, 0
           FROM appointments WHERE patient_id = {key} LIMIT 1;",
        key = env.id_literal(&id),
        pending = crate::common::message_status("pending"),
        offer_id = env.id_literal(&offer)
    ));
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut tables = std::collections::BTreeMap::new();
    for v in report["violations"].as_array().unwrap() {
        assert_eq!(v["check"], "erased_patient", "{v}");
        for r in v["rows"].as_array().unwrap() {
            assert_eq!(r["patient_id"], id.as_str(), "{r}");
            tables
                .entry(s(&r["table"]).to_string())
                .or_insert_with(Vec::new)
                .push(s(&r["column"]).to_string());
        }
    }
    let expected: std::collections::BTreeMap<String, Vec<String>> = [
        ("events", vec!["data"]),
        ("patient_links", vec!["target_id"]),
        ("patients", vec!["email", "channel"]),
        ("reminders", vec!["status", "last_error"]),
        ("waitlist", vec!["patient_id"]),
    ]
    .into_iter()
    .map(|(t, c)| (t.to_string(), c.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(tables, expected, "{report}");
    env.ok(&["patient", "erase", &id, "--reason", "request 7"]);
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn an_erased_patient_reads_as_erased_in_spanish_and_the_reason_is_required() {
    let env = Env::clinic();
    book(&env, "2026-06-16", "10:00", PHONE, NAME);
    env.refused(&["patient", "erase", PHONE], "VALIDATION_ERROR", 2);
    env.refused(
        &["patient", "erase", PHONE, "--reason", "  "],
        "VALIDATION_ERROR",
        2,
    );
    env.ok(&["patient", "erase", PHONE, "--reason", "solicitud 3"]);
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["list", "--date", "2026-06-16"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Paciente borrado"), "{text}");
    assert!(!text.contains("Erased patient"), "{text}");
}

// ------------------------------------------------------------------ HTTP

#[test]
fn a_token_with_patients_erase_erases_and_one_of_another_clinic_finds_no_one() {
    use crate::serve::{token, Server};
    let env = Env::clinic();
    let a = book(&env, "2026-06-16", "10:00", PHONE, NAME);
    let other = book(&env, "2026-06-16", "11:00", "+50370000009", "Otro");
    env.second_clinic("Norte", "14:00", "17:00");
    let id = s(&a["patient_id"]).to_string();
    let eraser = token(&env, "privacy-desk", "patients:erase", &[]);
    let norte = token(&env, "norte-desk", "patients:erase", &["--clinic", "Norte"]);
    let desk = token(&env, "front", "appointments:read,appointments:write", &[]);
    let exporter = token(&env, "dpo", "patients:export", &[]);
    let srv = Server::start(&env, &[]);
    let path = |id: &str| format!("/v1/patients/{id}/erase");
    let ask = json!({"reason": "request 12"});
    // Without the scope; for the clinical record without `clinical`.
    let r = srv.post(&path(&id), &desk, ask.clone());
    assert_eq!(
        (r.status, r.code()),
        (403, "INSUFFICIENT_SCOPE".into()),
        "{}",
        r.body
    );
    let r = srv.post(
        &path(&id),
        &eraser,
        json!({"reason": "r", "clinical": true}),
    );
    assert_eq!(
        (r.status, r.code()),
        (403, "INSUFFICIENT_SCOPE".into()),
        "{}",
        r.body
    );
    // Another clinic's patient is exactly as one that does not exist.
    // (A token's use is recorded: the patient's rows are what must not change.)
    let held = || {
        env.rows(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM patients WHERE erased_at IS NULL)",
        )
    };
    let before = held();
    let nobody = uuid::Uuid::new_v4().to_string();
    let theirs = srv.post(&path(&id), &norte, ask.clone());
    let missing = srv.post(&path(&nobody), &norte, ask.clone());
    assert_eq!(
        (theirs.status, missing.status),
        (404, 404),
        "{}",
        theirs.body
    );
    assert_eq!(
        theirs.body.replace(&id, "ID"),
        missing.body.replace(&nobody, "ID")
    );
    for not_an_id in ["4f1c", "%2B50377001122", "Zoila"] {
        let r = srv.post(&path(not_an_id), &eraser, ask.clone());
        assert_eq!(
            (r.status, r.code()),
            (404, "NOT_FOUND".into()),
            "{}",
            r.body
        );
    }
    assert_eq!(held(), before);
    // Erased, and erased again: the same document, one event.
    let done = srv.post(&path(&id), &eraser, ask.clone());
    assert_eq!(done.status, 200, "{}", done.body);
    let doc = done.json();
    assert_eq!(doc["patient"]["full_name"], "Erased patient");
    assert_eq!(doc["appointments"], 1);
    let again = srv.post(&path(&id), &eraser, json!({"reason": "request 12"}));
    assert_eq!(again.json(), doc);
    // Exported, the erased patient is no one either.
    let r = srv.get(&format!("/v1/patients/{id}/export"), &exporter);
    assert_eq!(
        (r.status, r.code()),
        (404, "NOT_FOUND".into()),
        "{}",
        r.body
    );
    assert_eq!(r.json()["error"]["details"]["erased"], true);
    let events = env.rows(&format!(
        "SELECT actor FROM events WHERE {}",
        crate::common::event_is("patient.erased")
    ));
    assert_eq!(events, [["api:privacy-desk"]]);
    // What the API shows of the appointment after.
    let shown = srv.get(&format!("/v1/appointments/{}", s(&a["id"])), &desk);
    assert_eq!(
        shown.json()["patient"],
        json!({"id": id, "full_name": "Erased patient", "phone": ""})
    );
    assert!(!shown.body.contains("Quintanilla"));
    // The reason is required here too.
    let r = srv.post(&path(s(&other["patient_id"])), &eraser, json!({}));
    assert_eq!(
        (r.status, r.code()),
        (400, "VALIDATION_ERROR".into()),
        "{}",
        r.body
    );
}

// ------------------------------------------------------------------ a race

/// Many processes book the patient at once, by ID and by phone (without a
/// name: only the patient the phone holds can be booked so), while one
/// erases them: each booking is refused, or was made before and is
/// anonymised with the rest — no copy of the name or phone is left.
#[test]
fn an_erasure_racing_bookings_leaves_every_booking_refused_or_anonymised() {
    let env = Env::clinic();
    let a = book(&env, "2026-06-16", "09:00", PHONE, NAME);
    let id = s(&a["patient_id"]).to_string();
    // A day each (one active appointment a day is the duplicate rule's).
    let days = [
        "2026-06-17",
        "2026-06-18",
        "2026-06-19",
        "2026-06-22",
        "2026-06-23",
        "2026-06-24",
        "2026-06-25",
        "2026-06-26",
        "2026-06-29",
        "2026-06-30",
        "2026-07-01",
        "2026-07-02",
    ];
    let booking = |n: usize| -> Vec<String> {
        let mut args = vec![
            "book".to_string(),
            "--doctor".into(),
            "Dr. García".into(),
            "--date".into(),
            days[n].into(),
            "--time".into(),
            "10:00".into(),
        ];
        if n.is_multiple_of(2) {
            args.extend(["--patient".into(), id.clone()]);
        } else {
            args.extend(["--phone".into(), PHONE.into()]);
        }
        args
    };
    let mut runs: Vec<Vec<String>> = (0..12).map(booking).collect();
    runs.insert(
        6,
        ["patient", "erase", &id, "--reason", "request 5"]
            .map(String::from)
            .to_vec(),
    );
    let outs = crate::concurrency::race(&env, runs);
    let erased = &outs[6];
    assert!(erased.status.success(), "{erased:?}");
    let mut booked = 0;
    for (i, o) in outs.iter().enumerate().filter(|(i, _)| *i != 6) {
        if o.status.success() {
            booked += 1;
            continue;
        }
        let e: Value = serde_json::from_slice(&o.stderr).expect("a JSON error");
        let code = s(&e["error"]["code"]);
        // By ID: the patient was erased; by phone: nobody has it, and a
        // new patient needs a name.
        assert!(
            ["NOT_FOUND", "VALIDATION_ERROR"].contains(&code),
            "run {i}: {e}"
        );
    }
    let theirs = env.rows(&format!(
        "SELECT count(*) FROM appointments WHERE patient_id = {}",
        env.id_literal(&id)
    ));
    assert_eq!(theirs[0][0], (1 + booked).to_string());
    assert_eq!(env.rows("SELECT count(*) FROM patients")[0][0], "1");
    assert_eq!(found(&env), Vec::<String>::new());
    assert_eq!(env.ok(&["check"])["ok"], true);
}
