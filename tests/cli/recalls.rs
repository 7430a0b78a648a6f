//! Tests: recalls (docs/rules.md#recalls) — a completed visit with a
//! follow-up date puts its patient on the recall list from that date until
//! they book again with that doctor or service; `recall send` (and `remind
//! due` for a clinic with `--recalls on`) sends each one message, once,
//! however many run at once; the API shows a token's clinic only; a
//! patient's export carries their recalls and an erased one leaves the list.

use crate::channels::{add_sms, providers, twilio_sent};
use crate::common::*;
use crate::serve::{token, Server};
use serde_json::Value;
use std::process::Stdio;

/// Tuesday 16 June, 10:00 in El Salvador: the morning's first visits are over.
const TUE_10: &str = "2026-06-16T16:00:00Z";
/// Friday 26 June, 08:00 in El Salvador.
const FRI_26: &str = "2026-06-26T14:00:00Z";

/// Books Dr. García on Tuesday 16 June at `time` for `name`, with the
/// checkup when `checkup`; returns the appointment's ID.
fn book(env: &Env, time: &str, phone: &str, name: &str, checkup: bool) -> String {
    let mut args = vec![
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        time,
        "-P",
        phone,
        "--name",
        name,
    ];
    if checkup {
        args.extend(["-s", "General Checkup"]);
    }
    s(&env.ok(&args)["appointment"]["id"]).to_string()
}

/// Completes visit `id` at the env's clock, with a follow-up on `date`
/// when one is given.
fn complete(env: &Env, id: &str, follow_up: Option<&str>) {
    let mut args = vec!["status", id, "completed", "--diagnosis", "J00"];
    if let Some(d) = follow_up {
        args.extend(["--follow-up", d]);
    }
    env.ok(&args);
}

/// The recall list (`recall list --json ARGS`): each recall's patient
/// name and status.
fn listed(env: &Env, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["recall", "list"];
    all.extend_from_slice(args);
    env.ok(&all)["recalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                s(&r["patient"]["full_name"]).to_string(),
                s(&r["status"]).to_string(),
            )
        })
        .collect()
}

fn pair(name: &str, status: &str) -> (String, String) {
    (name.to_string(), status.to_string())
}

/// Ana's checkup on Tuesday, completed with a follow-up on Friday 26 June,
/// and Pedro's visit completed without one; the clock on that Friday.
fn recalled() -> (Env, String) {
    let mut env = Env::clinic();
    let ana = book(&env, "09:00", "+50370001111", "Ana López", true);
    let pedro = book(&env, "09:30", "+50370002222", "Pedro Paz", false);
    env.at(TUE_10);
    complete(&env, &ana, Some("2026-06-26"));
    complete(&env, &pedro, None);
    env.at(FRI_26);
    (env, ana)
}

#[test]
fn a_follow_up_is_recalled_from_its_date_until_the_patient_books_again() {
    let (mut env, ana) = recalled();
    // Before the date nobody is on the list; asked ahead, Ana is, and the
    // date itself is left out of "before".
    env.at(TUE_10);
    assert_eq!(listed(&env, &[]), vec![]);
    assert_eq!(
        listed(&env, &["--due-before", "2026-06-27"]),
        vec![pair("Ana López", "due")]
    );
    assert_eq!(listed(&env, &["--due-before", "2026-06-26"]), vec![]);
    env.at(FRI_26);
    let all = env.ok(&["recall", "list"]);
    let r = &all["recalls"][0];
    assert_eq!(r["id"], ana.as_str(), "{all}");
    assert_eq!(r["follow_up_date"], "2026-06-26");
    assert_eq!(r["doctor"]["name"], "Dr. García");
    assert_eq!(r["service"]["name"], "General Checkup");
    assert_eq!(
        (&r["sent_at"], &r["booked_appointment_id"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(listed(&env, &["-S", "sent"]), vec![]);
    assert_eq!(
        listed(&env, &["-S", "pendiente"]),
        vec![pair("Ana López", "due")]
    );
    env.refused(&["recall", "list", "-S", "later"], "VALIDATION_ERROR", 2);

    // Another doctor, another service: still due.
    env.ok(&["doctor", "add", "Dra. Rivas"]);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dra. Rivas",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "17:00",
    ]);
    let other = |service: bool| {
        let mut args = vec![
            "book",
            "-d",
            "Dra. Rivas",
            "-D",
            "2026-06-29",
            "-t",
            "14:00",
            "-P",
            "+50370001111",
        ];
        if service {
            args.extend(["-s", "General Checkup"]);
        }
        s(&env.ok(&args)["appointment"]["id"]).to_string()
    };
    let elsewhere = other(false);
    assert_eq!(listed(&env, &[]), vec![pair("Ana López", "due")]);
    env.ok(&["cancel", &elsewhere, "--reason", "no"]);
    // The same service with another doctor books it; cancelled, it is due again.
    let same_service = other(true);
    let v = env.ok(&["recall", "list"]);
    assert_eq!(v["recalls"][0]["status"], "booked");
    assert_eq!(
        v["recalls"][0]["booked_appointment_id"],
        same_service.as_str()
    );
    env.ok(&["cancel", &same_service, "--reason", "no"]);
    assert_eq!(listed(&env, &[]), vec![pair("Ana López", "due")]);
    // The same doctor books it too.
    let again = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-29",
        "-t",
        "09:00",
        "-P",
        "+50370001111",
    ])["appointment"]
        .clone();
    let v = env.ok(&["recall", "list", "-S", "booked"]);
    assert_eq!(v["recalls"][0]["booked_appointment_id"], again["id"], "{v}");
    // A booked recall is never sent.
    let out = env.cmd().args(["recall", "send"]).output().unwrap();
    assert!(out.status.success() && out.stdout.is_empty(), "{out:?}");
    // Missed, the visit books nothing: she is due again.
    env.at("2026-06-29T17:00:00Z");
    env.ok(&["status", s(&again["id"]), "no_show"]);
    assert_eq!(listed(&env, &[]), vec![pair("Ana López", "due")]);
}

/// Many `recall send` at once, and again after: each due recall gets one
/// message, ever; the list then shows it sent.
#[test]
fn each_recall_is_sent_once_however_many_runs_race() {
    let mut env = Env::clinic();
    let mut ids = Vec::new();
    for (i, time) in ["09:00", "09:30", "10:00", "10:30"].iter().enumerate() {
        ids.push(book(
            &env,
            time,
            &format!("+5037000111{i}"),
            &format!("Paciente {i}"),
            true,
        ));
    }
    env.at("2026-06-16T17:00:00Z");
    for id in &ids {
        complete(&env, id, Some("2026-06-20"));
    }
    env.at(FRI_26);
    let runs: Vec<_> = (0..6)
        .map(|_| {
            env.raw(&["recall", "send"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut lines = Vec::new();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        lines.extend(json_lines(&out.stdout));
    }
    let mut sent: Vec<&str> = lines.iter().map(|l| s(&l["appointment_id"])).collect();
    sent.sort_unstable();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(sent, want, "{lines:?}");
    for l in &lines {
        assert_eq!(l["kind"], "recall");
        let text = s(&l["message"]);
        assert!(
            text.contains("follow-up visit with Dr. García at Central"),
            "{text}"
        );
        // The page is off: no link, nothing clinical.
        assert!(!text.contains("http"), "{text}");
        for k in MESSAGE_VIEW_LEAVES_OUT {
            assert!(l["appointment"].get(k).is_none(), "{k} in {l}");
        }
    }
    assert!(env.lines(&["recall", "send"]).is_empty());
    assert!(env.sweep_lines().is_empty());
    let v = env.ok(&["recall", "list"]);
    for r in v["recalls"].as_array().unwrap() {
        assert_eq!(r["status"], "sent", "{v}");
        assert_eq!(r["sent_at"], "2026-06-26T14:00:00Z", "{v}");
    }
    // The database allows one recall message a visit, whoever writes.
    let id = &ids[0];
    let second = env.try_exec(&format!(
        "INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, attempts, \
         created_at, updated_at, kind) VALUES ({}, {}, 0, 0, {}, 0, 0, 0, {})",
        env.id_literal("00000000-0000-4000-8000-00000000a9a1"),
        env.id_literal(id),
        crate::common::message_status("pending"),
        crate::common::message_kind("recall")
    ));
    assert!(second.is_err(), "a second recall message was stored");
}

/// `remind due` sends recalls only for a clinic that turned them on, with a
/// link to its booking page set to the visit's doctor and service once the
/// page is on; the hook gets `APPT_KIND=recall` and no clinical field.
#[test]
fn remind_due_sends_recalls_when_the_clinic_says_so_with_the_page_preset() {
    let (env, ana) = recalled();
    assert!(env.sweep_lines().is_empty());
    assert_eq!(listed(&env, &[]), vec![pair("Ana López", "due")]);
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--recalls",
        "sí",
        "--public-url",
        "https://citas.example",
        "--online-booking",
        "on",
        "--language",
        "es",
    ]);
    let v = env.ok(&["clinic", "show", "Central"]);
    assert_eq!(v["recalls"], true);
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let hook = format!(
        "cat > {0}.json; echo \"$APPT_KIND $APPT_PATIENT_NAME\" > {0}.env",
        seen.display()
    );
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", &hook])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let kind = std::fs::read_to_string(seen.with_extension("env")).unwrap();
    assert_eq!(kind.trim(), "recall Ana López");
    let line: Value =
        serde_json::from_str(&std::fs::read_to_string(seen.with_extension("json")).unwrap())
            .unwrap();
    assert_eq!(
        (&line["kind"], &line["appointment_id"]),
        (&"recall".into(), &ana.clone().into())
    );
    for k in MESSAGE_VIEW_LEAVES_OUT {
        assert!(!line.to_string().contains(k), "{k} in {line}");
    }
    let doctor = s(&env.ok(&["doctor", "show", "Dr. García"])["id"]).to_string();
    let service = env.ok(&["service", "list"])["services"][0]["id"].clone();
    let link = format!(
        "https://citas.example/b/central?service={}&doctor={doctor}",
        s(&service)
    );
    let text = s(&line["message"]);
    assert!(
        text.starts_with("Hola Ana, ya le corresponde su control con Dr. García"),
        "{text}"
    );
    assert!(text.contains(&link), "{text}");
    assert_eq!(listed(&env, &[]), vec![pair("Ana López", "sent")]);
    // Once.
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", "exit 1"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.is_empty(), "{out:?}");
}

/// Through the clinic's SMS channel: Twilio gets the recall's text, and the
/// list shows it sent.
#[test]
fn a_recall_goes_through_the_clinics_channel() {
    let (env, _) = recalled();
    let (api, rx) = providers(vec![twilio_sent("SMr1")]);
    add_sms(&env, &api);
    let out = env
        .cmd()
        .args(["recall", "send", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let got = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    assert!(got.path.ends_with("/Messages.json"), "{}", got.path);
    assert!(got.body.contains("follow-up"), "{}", got.body);
    assert!(got.body.contains("To=%2B50370001111"), "{}", got.body);
    let v = env.ok(&["recall", "list"]);
    assert_eq!(v["recalls"][0]["status"], "sent", "{v}");
    let m = env.ok(&["remind", "list", "--kind", "recall"]);
    assert_eq!(m["reminders"][0]["channel"], "sms", "{m}");
}

/// `GET /v1/recalls`: a clinic's token lists its own clinic's recalls and
/// may not name another; without the clinical scope the follow-up date is
/// left out.
#[test]
fn the_api_lists_a_clinics_own_recalls() {
    let (mut env, _) = recalled();
    env.at(MONDAY_8AM);
    env.second_clinic("Norte", "14:00", "17:00");
    let v = env.ok(&[
        "book",
        "-c",
        "Norte",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        "14:00",
        "-P",
        "+50370009999",
        "--name",
        "Nora Norte",
    ]);
    env.at("2026-06-16T21:00:00Z");
    complete(&env, s(&v["appointment"]["id"]), Some("2026-06-25"));
    env.at(FRI_26);
    let central = token(
        &env,
        "central",
        "appointments:read",
        &["--clinic", "Central"],
    );
    let clinical = token(&env, "all", "appointments:read,clinical", &[]);
    let server = Server::start(&env, &[]);
    let r = server.get("/v1/recalls", &central);
    assert_eq!(r.status, 200, "{}", r.body);
    let recalls = r.json()["recalls"].as_array().unwrap().clone();
    assert_eq!(recalls.len(), 1, "{}", r.body);
    assert_eq!(recalls[0]["patient"]["full_name"], "Ana López");
    assert!(recalls[0].get("follow_up_date").is_none(), "{}", r.body);
    assert!(!r.body.contains("Nora"), "{}", r.body);
    let asked = server.get("/v1/recalls?clinic=Norte", &central);
    assert_eq!((asked.status, asked.code()), (404, "NOT_FOUND".into()));
    assert!(!asked.body.contains("Nora"), "{}", asked.body);
    let all = server.get("/v1/recalls?status=due", &clinical);
    let both = all.json()["recalls"].as_array().unwrap().clone();
    assert_eq!(both.len(), 2, "{}", all.body);
    assert_eq!(both[0]["follow_up_date"], "2026-06-25");
    let bad = server.get("/v1/recalls?due_before=someday", &clinical);
    assert_eq!((bad.status, bad.code()), (400, "VALIDATION_ERROR".into()));
}

/// A patient's export carries their recalls; erased, they leave the list
/// and are never sent one.
#[test]
fn an_export_carries_the_recalls_and_an_erased_patient_leaves_the_list() {
    let (env, ana) = recalled();
    let phone = "+50370001111";
    let v = env.ok(&["patient", "export", phone]);
    assert_eq!(v["recalls"][0]["id"], ana.as_str(), "{v}");
    assert_eq!(v["recalls"][0]["status"], "due");
    env.ok(&["patient", "erase", phone, "--reason", "asked", "--yes"]);
    assert_eq!(listed(&env, &[]), vec![]);
    assert!(env.lines(&["recall", "send"]).is_empty());
}

/// The retention keeps a recall's message (it names nobody): were it
/// purged, the recall would be due again and sent twice.
#[test]
fn the_retention_keeps_what_says_a_recall_was_sent() {
    let (mut env, _) = recalled();
    env.ok(&["clinic", "update", "Central", "--retain-messages", "1d"]);
    assert_eq!(env.lines(&["recall", "send"]).len(), 1);
    env.at("2026-08-03T14:00:00Z");
    env.sweep_lines();
    assert_eq!(listed(&env, &[]), vec![pair("Ana López", "sent")]);
    assert!(env.lines(&["recall", "send"]).is_empty());
}

/// A recall's message that could not go (the hook failed) is not sent once
/// the patient has booked meanwhile: the next run drops it, and the list
/// says booked.
#[test]
fn a_recall_not_yet_sent_is_dropped_once_the_patient_books() {
    let (mut env, _) = recalled();
    let out = env
        .cmd()
        .args(["recall", "send", "--exec", "exit 1"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    // Still to go, retried later.
    let m = env.ok(&["remind", "list", "--kind", "recall"]);
    assert_eq!(m["reminders"][0]["status"], "pending", "{m}");
    assert_eq!(
        m["reminders"][0]["last_error"], "command exited with 1",
        "{m}"
    );
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-29",
        "-t",
        "09:00",
        "-P",
        "+50370001111",
    ]);
    env.at("2026-06-27T14:00:00Z");
    assert!(env.lines(&["recall", "send"]).is_empty());
    let m = env.ok(&["remind", "list", "--kind", "recall"]);
    assert_eq!(m["reminders"][0]["status"], "cancelled", "{m}");
    assert_eq!(listed(&env, &[]), vec![pair("Ana López", "booked")]);
}
