//! Tests: patient notifications — confirmation, rescheduled and cancelled
//! messages queued with the change and delivered by `remind due` (docs/rules.md#reminders-and-notifications).

use crate::common::{s, Env};
use crate::reminders::{race, spawn_sweep, wait_lines};
use serde_json::Value;

const TUE: &str = "2026-06-16";

/// The common clinic with notifications on, as a new clinic has them.
fn clinic() -> Env {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--notify", "on"]);
    env
}

fn book(env: &Env, time: &str, phone: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--time",
        time,
        "--phone",
        phone,
        "--name",
        "Ana López",
    ];
    args.extend_from_slice(extra);
    env.ok(&args)["appointment"].clone()
}

fn kinds(lines: &[Value]) -> Vec<&str> {
    lines.iter().map(|l| s(&l["kind"])).collect()
}

#[test]
fn a_new_clinic_notifies_by_default_and_the_setting_turns_it_off() {
    let env = Env::new();
    let c = env.ok(&["clinic", "add", "Norte", "--timezone", "America/New_York"]);
    assert_eq!(c["notify"], true);
    let c = env.ok(&["clinic", "update", "Norte", "--notify", "off"]);
    assert_eq!(c["notify"], false);
    env.refused(
        &["clinic", "update", "Norte", "--notify", "maybe"],
        "VALIDATION_ERROR",
        2,
    );
}

#[test]
fn each_kind_is_delivered_once_with_its_news() {
    let env = clinic();
    let a = book(&env, "10:00", "+50370000001", &[]);
    let lines = env.sweep_lines();
    assert_eq!(kinds(&lines), ["confirmation"]);
    assert_eq!(lines[0]["appointment"]["start_time"], "10:00");
    assert_eq!(lines[0]["offset"], Value::Null);
    assert_eq!(lines[0]["status"], "sent");
    assert!(env.sweep_lines().is_empty(), "delivered once");

    env.ok(&["reschedule", s(&a["id"]), "--time", "11:00"]);
    let lines = env.sweep_lines();
    assert_eq!(kinds(&lines), ["rescheduled"]);
    assert_eq!(lines[0]["previous"]["start_time"], "10:00");
    assert_eq!(lines[0]["previous"]["date"], TUE);
    assert_eq!(lines[0]["appointment"]["start_time"], "11:00");

    env.ok(&[
        "cancel",
        s(&a["id"]),
        "--reason",
        "Viaje",
        "--tell-patient",
        "El doctor viaja",
    ]);
    let lines = env.sweep_lines();
    assert_eq!(kinds(&lines), ["cancelled"]);
    assert_eq!(lines[0]["reason"], "El doctor viaja");
    assert!(env.sweep_lines().is_empty());

    let listed = env.ok(&["remind", "list", "--kind", "confirmation"])["reminders"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["status"], "sent");
    env.fails(&["remind", "list", "--kind", "sms"], "VALIDATION_ERROR", 2);
}

#[test]
fn a_hook_gets_the_kind_and_each_kinds_own_variables() {
    let env = clinic();
    let dir = env.dir.path().to_path_buf();
    let hook = format!(
        "{{ echo \"$APPT_KIND|$APPT_LOCAL_TIME|$APPT_PREVIOUS_DATE $APPT_PREVIOUS_TIME|$APPT_CANCELLATION_REASON|$APPT_PATIENT_PHONE\"; }} >> {}/kinds.log",
        dir.display()
    );
    let run = || {
        let out = env
            .cmd()
            .args(["remind", "due", "--exec", &hook, "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let a = book(&env, "10:00", "+50370000001", &[]);
    assert_eq!(run()["sent"], 1);
    env.ok(&["reschedule", s(&a["id"]), "--date", TUE, "--time", "11:30"]);
    run();
    env.ok(&[
        "cancel",
        s(&a["id"]),
        "--reason",
        "Mudanza",
        "--tell-patient",
        "Se mudó",
    ]);
    run();
    let log = std::fs::read_to_string(dir.join("kinds.log")).unwrap();
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "confirmation|10:00| ||+50370000001",
            "rescheduled|11:30|2026-06-16 10:00||+50370000001",
            "cancelled|11:30| |Se mudó|+50370000001",
        ]
    );
}

#[test]
fn no_notify_the_clinic_setting_and_an_import_line_opt_out() {
    let env = clinic();
    // Each step on its own: a later change withdraws earlier news anyway.
    let a = book(&env, "10:00", "+50370000001", &["--no-notify"]);
    assert!(env.sweep_lines().is_empty(), "book --no-notify");
    env.ok(&["reschedule", s(&a["id"]), "--time", "11:00", "--no-notify"]);
    assert!(env.sweep_lines().is_empty(), "reschedule --no-notify");
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje", "--no-notify"]);
    assert!(env.sweep_lines().is_empty());

    let lines = [
        r#"{"doctor":"Dr. García","date":"2026-06-16","time":"09:00","phone":"+50370000002","name":"Uno","notify":false}"#,
        r#"{"doctor":"Dr. García","date":"2026-06-16","time":"09:30","phone":"+50370000003","name":"Dos"}"#,
    ];
    let file = env.dir.path().join("in.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    env.ok(&["import", file.to_str().unwrap()]);
    let sent = env.sweep_lines();
    assert_eq!(kinds(&sent), ["confirmation"]);
    assert_eq!(sent[0]["appointment"]["patient"]["full_name"], "Dos");

    env.ok(&["clinic", "update", "Central", "--notify", "off"]);
    book(&env, "12:00", "+50370000004", &[]);
    assert!(env.sweep_lines().is_empty(), "the clinic turned them off");
}

#[test]
fn a_patient_who_has_arrived_is_not_asked_to_confirm() {
    let mut env = clinic();
    // Booked on Monday and told; moved on Tuesday at 10:05.
    let moved = book(&env, "12:00", "+50370000002", &[]);
    assert_eq!(kinds(&env.sweep_lines()), ["confirmation"]);
    env.at("2026-06-16T16:05:00Z");
    env.ok(&["reschedule", s(&moved["id"]), "--time", "11:30"]);
    // Booked at 10:05 for 11:00; both patients arrive at 10:10, before the sweep.
    let a = book(&env, "11:00", "+50370000001", &[]);
    let later = book(&env, "12:30", "+50370000003", &[]);
    env.at("2026-06-16T16:10:00Z");
    env.ok(&["status", s(&a["id"]), "checked_in"]);
    env.ok(&["status", s(&moved["id"]), "in_progress"]);
    env.at("2026-06-16T16:15:00Z");
    let lines = env.sweep_lines();
    assert_eq!(kinds(&lines), ["confirmation"], "{lines:?}");
    assert_eq!(lines[0]["appointment_id"], later["id"]);
    let cancelled = env.ok(&["remind", "list", "--status", "cancelled"])["reminders"].clone();
    let cancelled: Vec<(&str, &str)> = cancelled
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (s(&r["kind"]), s(&r["appointment_id"])))
        .collect();
    assert!(
        cancelled.contains(&("confirmation", s(&a["id"]))),
        "{cancelled:?}"
    );
    assert!(
        cancelled.contains(&("rescheduled", s(&moved["id"]))),
        "{cancelled:?}"
    );
}

#[test]
fn the_desks_reason_is_internal_and_the_patient_is_told_only_tell_patient() {
    let env = clinic();
    let quiet = book(&env, "10:00", "+50370000001", &[]);
    let told = book(&env, "11:00", "+50370000002", &[]);
    env.sweep_lines();
    let internal = "Número mal escrito";
    env.ok(&["cancel", s(&quiet["id"]), "--reason", internal]);
    env.ok(&[
        "cancel",
        s(&told["id"]),
        "--reason",
        internal,
        "--tell-patient",
        "La doctora está enferma",
    ]);
    // The desk keeps its reason.
    assert_eq!(
        env.ok(&["show", s(&quiet["id"])])["cancellation_reason"],
        internal
    );
    let dir = env.dir.path().to_path_buf();
    let hook = format!(
        "{{ echo \"$APPT_MESSAGE\"; env | grep ^APPT_CANCELLATION_REASON; cat; echo; }} >> {}/sent.txt",
        dir.display()
    );
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", &hook])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let sent = std::fs::read_to_string(dir.join("sent.txt")).unwrap();
    let mut parts = sent.lines();
    let mut each = Vec::new();
    for _ in 0..2 {
        let message = parts.next().unwrap().to_string();
        let mut var = None;
        let mut line = parts.next().unwrap();
        if let Some(v) = line.strip_prefix("APPT_CANCELLATION_REASON=") {
            var = Some(v.to_string());
            line = parts.next().unwrap();
        }
        let json: Value = serde_json::from_str(line).unwrap();
        each.push((message, var, json));
    }
    each.sort_by_key(|(_, _, j)| j["appointment"]["start_time"].as_str().map(str::to_string));
    let (message, var, json) = &each[0];
    assert_eq!(json["appointment_id"], quiet["id"]);
    assert!(!message.contains(internal), "{message}");
    assert!(message.contains("has been cancelled."), "{message}");
    assert_eq!(var, &None);
    assert_eq!(json.get("reason"), None, "{json}");
    let (message, var, json) = &each[1];
    assert_eq!(json["appointment_id"], told["id"]);
    assert!(message.contains("(La doctora está enferma)"), "{message}");
    assert!(!message.contains(internal), "{message}");
    assert_eq!(var.as_deref(), Some("La doctora está enferma"));
    assert_eq!(json["reason"], "La doctora está enferma");
    // Nor does the hook's JSON carry the desk's words anywhere, for a hook
    // to forward.
    assert!(!sent.contains(internal), "{sent}");
}

#[test]
fn only_the_latest_news_goes_out() {
    let env = clinic();
    // Booked then cancelled before the sweep: only the cancellation.
    let a = book(&env, "09:00", "+50370000001", &[]);
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    // A cancellation waiting for the sweep is news, not a leftover reminder.
    assert_eq!(env.ok(&["check"])["ok"], true);
    let lines = env.sweep_lines();
    assert_eq!(kinds(&lines), ["cancelled"]);
    let withdrawn = env.ok(&["remind", "list", "--kind", "confirmation"])["reminders"].clone();
    assert_eq!(withdrawn[0]["status"], "cancelled");

    // Two moves: one message, from the original time to the final one.
    let b = book(&env, "10:00", "+50370000002", &[]);
    assert_eq!(kinds(&env.sweep_lines()), ["confirmation"]);
    env.ok(&["reschedule", s(&b["id"]), "--time", "11:00"]);
    env.ok(&["reschedule", s(&b["id"]), "--time", "12:00"]);
    let lines = env.sweep_lines();
    assert_eq!(kinds(&lines), ["rescheduled"]);
    assert_eq!(lines[0]["previous"]["start_time"], "10:00");
    assert_eq!(lines[0]["appointment"]["start_time"], "12:00");

    // Moved before the confirmation went out: a confirmation of the new time.
    let c = book(&env, "09:30", "+50370000003", &[]);
    env.ok(&["reschedule", s(&c["id"]), "--time", "12:30"]);
    let lines = env.sweep_lines();
    assert_eq!(kinds(&lines), ["confirmation"]);
    assert_eq!(lines[0]["appointment"]["start_time"], "12:30");
}

#[test]
fn a_sweep_racing_a_cancel_never_sends_the_confirmation_after_the_cancellation() {
    let env = clinic();
    let a = book(&env, "10:00", "+50370000001", &[]);
    let log = env.dir.path().join("sent.log");
    let slow = format!("echo \"$APPT_KIND\" >> {}; sleep 1.5", log.display());
    let mut first = spawn_sweep(&env, &slow);
    wait_lines(&log, 1);
    // The confirmation is on its way when the desk cancels.
    env.ok(&["cancel", s(&a["id"]), "--reason", "Viaje"]);
    let fast = format!("echo \"$APPT_KIND\" >> {}", log.display());
    let second = env
        .cmd()
        .args(["remind", "due", "--exec", &fast])
        .output()
        .unwrap();
    assert!(second.status.success());
    assert_eq!(
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        ["confirmation"],
        "the cancellation waits for the confirmation in flight"
    );
    assert!(first.wait().unwrap().success());
    let third = env
        .cmd()
        .args(["remind", "due", "--exec", &fast])
        .output()
        .unwrap();
    assert!(third.status.success());
    assert_eq!(
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        ["confirmation", "cancelled"]
    );
    let all = env.ok(&["remind", "list"])["reminders"].clone();
    let status = |kind: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("confirmation"), "sent", "it did go out");
    assert_eq!(status("cancelled"), "sent");
}

#[test]
fn overlapping_sweeps_deliver_each_notification_exactly_once() {
    let env = clinic();
    let times = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"];
    for (i, t) in times.iter().enumerate() {
        book(&env, t, &format!("+5037000{i:04}"), &[]);
    }
    let log = env.dir.path().join("delivered.log");
    let hook = format!(
        "sleep 0.2; echo \"$APPT_KIND $APPT_REMINDER_ID\" >> {}",
        log.display()
    );
    for o in race(&env, 5, &hook) {
        assert!(o.status.success(), "{o:?}");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let mut ids: Vec<&str> = text.lines().collect();
    assert!(ids.iter().all(|l| l.starts_with("confirmation ")));
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(n, ids.len(), "a message was delivered twice:\n{text}");
    assert_eq!(n, 6);
}

#[test]
fn clinics_that_existed_before_the_upgrade_keep_notifications_off() {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Antigua",
        "--timezone",
        "America/El_Salvador",
    ]);
    // Take the database back to schema version 4, as an older appt left it.
    crate::common::undo_schema_12(&env);
    let downgrade = [
        "DROP TABLE api_tokens",
        "ALTER TABLE clinics DROP COLUMN country_code",
        "ALTER TABLE events DROP COLUMN actor",
        "DROP INDEX events_booked",
        "DROP INDEX appt_date",
        "DROP INDEX appt_status_start",
        "DROP INDEX appt_source_start",
        "DROP INDEX appt_doctor_date",
        "DROP INDEX reminders_due_at",
        "DROP INDEX reminders_kind",
        "DROP INDEX patients_search",
        "CREATE INDEX patients_name ON patients(name_key)",
        "DROP TABLE waitlist",
        "ALTER TABLE clinics DROP COLUMN notify",
        "ALTER TABLE reminders DROP COLUMN waitlist_id",
        "ALTER TABLE reminders DROP COLUMN data",
        "ALTER TABLE reminders DROP COLUMN kind",
    ];
    for sql in downgrade {
        env.exec(sql);
    }
    crate::common::set_schema_version(&env, 4);
    assert_eq!(env.ok(&["clinic", "show", "Antigua"])["notify"], false);
    let c = env.ok(&[
        "clinic",
        "add",
        "Nueva",
        "--timezone",
        "America/El_Salvador",
    ]);
    assert_eq!(c["notify"], true);
}

#[test]
fn the_example_hook_forwards_each_kinds_ready_text() {
    // docs/rules.md#messages: the hook only forwards APPT_MESSAGE.
    let env = clinic();
    env.ok(&["clinic", "update", "Central", "--language", "es"]);
    let dir = env.dir.path();
    let (sender, outbox, hook) = crate::common::fake_sender(dir);
    let run = || {
        let out = env
            .cmd()
            .args(["remind", "due", "--exec", &hook.display().to_string()])
            .env("WHATSAPP_SEND", &sender)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    let a = book(&env, "10:00", "+50370000001", &[]);
    run();
    env.ok(&["reschedule", s(&a["id"]), "--time", "11:30"]);
    run();
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--phone",
        "+50370000002",
        "--name",
        "Beto Ruiz",
    ]);
    env.ok(&[
        "cancel",
        s(&a["id"]),
        "--reason",
        "Viaje del doctor",
        "--tell-patient",
        "viaje",
    ]);
    run();
    let sent = std::fs::read_to_string(&outbox).unwrap();
    let mut sent: Vec<&str> = sent.lines().collect();
    sent[2..].sort_unstable();
    assert_eq!(
        sent,
        [
            "+50370000001|Hola Ana, su cita con Dr. García en Central quedó reservada para el martes 16 \
             de junio a las 10:00.",
            "+50370000001|Hola Ana, su cita con Dr. García en Central cambió del martes 16 de junio a \
             las 10:00 al martes 16 de junio a las 11:30.",
            "+50370000001|Hola Ana, su cita con Dr. García en Central del martes 16 de junio a las \
             11:30 fue cancelada (motivo: viaje).",
            "+50370000002|Hola Beto, se liberó una hora con Dr. García en Central: el martes 16 de \
             junio a las 11:30.",
        ]
    );
}
