//! Tests: retention (docs/privacy.md#retention) — `appt purge --before DATE`
//! and a clinic's `--retain-messages`, applied by `remind due`: what goes is
//! exactly what a dry run counts, later visits and the appointments
//! themselves stay as they were, and a purge killed half-way is finished by
//! the next.

use crate::common::*;
use serde_json::{json, Value};

const TUE: &str = "2026-06-16";
/// A Tuesday two weeks on: a visit no purge of these tests reaches.
const LATER: &str = "2026-06-30";
/// Tuesday 16 June, 08:30 in El Salvador.
const TUE_0830: &str = "2026-06-16T14:30:00Z";
/// Tuesday 16 June, 11:30 in El Salvador: the morning's visits are over.
const TUE_1130: &str = "2026-06-16T17:30:00Z";
/// A fortnight on, after every visit of these tests.
const JULY: &str = "2026-07-01T14:00:00Z";

/// The clinic of [`Env::clinic`] telling patients of their bookings, with
/// links in its messages, a patient free to book twice a day, and `extra`
/// settings.
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
        "--duplicate-check",
        "off",
    ];
    args.extend_from_slice(extra);
    env.ok(&args);
    env
}

/// Books Dr. García for `name` at `phone`; returns the appointment's ID.
fn book(env: &Env, date: &str, time: &str, phone: &str, name: &str) -> String {
    let v = env.ok(&[
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
    ]);
    s(&v["appointment"]["id"]).to_string()
}

/// `'a', 'b'`: IDs for an SQL `IN (…)`.
fn quoted(env: &Env, ids: &[&str]) -> String {
    ids.iter()
        .map(|id| env.id_literal(id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first column of the first row of `sql`, as a number.
fn number(env: &Env, sql: &str) -> i64 {
    env.rows(sql)[0][0].parse().unwrap()
}

/// Every row that belongs to the appointments `ids`: their messages, their
/// links (an offer's link through its message) and their events.
fn held_for(env: &Env, ids: &[&str]) -> Vec<Vec<String>> {
    let ids = quoted(env, ids);
    let mut rows = env.rows(&format!(
        "SELECT 'reminder', id, status, coalesce(data, ''), coalesce(last_error, '') \
         FROM reminders WHERE appointment_id IN ({ids}) ORDER BY id"
    ));
    rows.extend(env.rows(&format!(
        "SELECT 'link', nonce, kind, target_id FROM patient_links WHERE target_id IN ({ids}) \
         OR target_id IN (SELECT id FROM reminders WHERE appointment_id IN ({ids})) ORDER BY nonce"
    )));
    rows.extend(env.rows(&format!(
        "SELECT 'event', CAST(id AS TEXT), type, data FROM events \
         WHERE appointment_id IN ({ids}) ORDER BY id"
    )));
    rows
}

/// How many events of the appointments `ids` still hold a patient's name
/// or phone (any of `names`, or a phone of these tests).
fn naming(env: &Env, ids: &[&str], names: &[&str]) -> i64 {
    let like: Vec<String> = names
        .iter()
        .chain(&["+503700000"])
        .chain(&["patient_previous_name"])
        .map(|n| format!("data LIKE '%{n}%'"))
        .collect();
    number(
        env,
        &format!(
            "SELECT count(*) FROM events WHERE appointment_id IN ({}) AND ({})",
            quoted(env, ids),
            like.join(" OR ")
        ),
    )
}

/// What the appointments look like to a desk: every one of June and July,
/// and the count of those booked since June.
fn desk_view(env: &Env) -> (Value, Value) {
    (
        env.ok(&["list", "--from", "2026-06-01", "--to", "2026-07-31"]),
        env.ok(&["count", "--since", "2026-06-01"]),
    )
}

/// Tuesday's morning with its messages, links and events: Ana seen at
/// 09:00, Beto's 09:30 cancelled and offered to Cora (waiting), Ana again
/// at 10:00 under a new name (the booking records the name it replaced),
/// a no-show; and Beto again a fortnight later. Returns Tuesday's IDs and
/// the later one's; the clock is left in July.
fn a_tuesday_and_later(env: &mut Env) -> (Vec<String>, String) {
    let a = book(env, TUE, "09:00", "+50370000001", "Ana Uno");
    let b = book(env, TUE, "09:30", "+50370000002", "Beto Dos");
    let c = book(env, TUE, "10:00", "+50370000001", "Ana María Uno");
    let later = book(env, LATER, "09:00", "+50370000002", "Beto Dos");
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--phone",
        "+50370000003",
        "--name",
        "Cora Tres",
    ]);
    env.ok(&["cancel", &b, "--reason", "viaja"]);
    env.sweep_lines();
    env.at(TUE_0830);
    env.sweep_lines();
    env.at(TUE_1130);
    for to in ["checked_in", "in_progress"] {
        env.ok(&["status", &a, to]);
    }
    env.ok(&["status", &a, "completed", "--diagnosis", "Sana"]);
    env.ok(&["status", &c, "no_show"]);
    env.at(JULY);
    env.sweep_lines();
    (vec![a, b, c], later)
}

#[test]
fn a_purge_removes_exactly_what_its_dry_run_counts_and_nothing_of_later_visits() {
    let mut env = linked(&[]);
    let (tuesday, later) = a_tuesday_and_later(&mut env);
    let tuesday: Vec<&str> = tuesday.iter().map(String::as_str).collect();
    let names = ["Ana Uno", "Ana María Uno", "Beto Dos", "Cora Tres"];
    let ids = quoted(&env, &tuesday);
    // What is to go, read straight from the tables.
    let messages = number(
        &env,
        &format!(
            "SELECT count(*) FROM reminders WHERE appointment_id IN ({ids}) AND status <> {}",
            crate::common::message_status("pending")
        ),
    );
    let links = number(
        &env,
        &format!(
            "SELECT count(*) FROM patient_links WHERE target_id IN ({ids}) OR target_id IN \
             (SELECT id FROM reminders WHERE appointment_id IN ({ids}))"
        ),
    );
    assert!(messages >= 6, "{messages} messages");
    assert_eq!(links, 3, "Ana's two visits and Cora's offer");
    assert!(naming(&env, &tuesday, &names) > 0);
    let kept_later = held_for(&env, &[&later]);
    let desk = desk_view(&env);
    let before = held_for(&env, &tuesday);

    let before_snapshot = env.snapshot();
    let dry = env.ok(&["purge", "--before", "2026-06-20", "--dry-run"]);
    assert_eq!(
        env.snapshot(),
        before_snapshot,
        "a dry run changed something"
    );
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["purged"]["reminders"], messages);
    assert_eq!(dry["purged"]["patient_links"], links);
    let events = dry["purged"]["events"].as_i64().unwrap();
    assert!(events > 0, "{dry}");

    let done = env.ok(&["purge", "--before", "2026-06-20"]);
    assert_eq!(done["purged"], dry["purged"]);
    assert_eq!(done["dry_run"], false);
    // Exactly those rows: every message but those still pending went, every
    // link, and the events stayed, those counted emptied of the patients.
    let after = held_for(&env, &tuesday);
    let kind = |rows: &[Vec<String>], k: &str| -> Vec<Vec<String>> {
        rows.iter().filter(|r| r[0] == k).cloned().collect()
    };
    let pending: Vec<Vec<String>> = kind(&before, "reminder")
        .into_iter()
        .filter(|r| r[2] == "pending")
        .collect();
    assert_eq!(kind(&after, "reminder"), pending);
    assert!(kind(&after, "link").is_empty(), "{after:?}");
    let (old, new) = (kind(&before, "event"), kind(&after, "event"));
    assert_eq!(old.len(), new.len(), "an event went");
    let emptied = old.iter().zip(&new).filter(|(o, n)| o != n).count();
    assert_eq!(emptied as i64, events);
    for (o, n) in old.iter().zip(&new) {
        assert_eq!(o[..3], n[..3], "an event is still the same event");
    }
    assert_eq!(naming(&env, &tuesday, &names), 0, "{new:?}");
    // The later visit, the appointments and their counts as they were.
    assert_eq!(held_for(&env, &[&later]), kept_later);
    assert_eq!(desk_view(&env), desk);
    env.ok(&["check"]);
    // Nothing is left to go.
    let again = env.ok(&["purge", "--before", "2026-06-20"]);
    assert_eq!(
        again["purged"],
        json!({"reminders": 0, "patient_links": 0, "events": 0})
    );
}

#[test]
fn a_purge_says_per_table_what_went_and_a_bad_date_changes_nothing() {
    let mut env = linked(&[]);
    a_tuesday_and_later(&mut env);
    for bad in ["2026-02-30", "soon", "2026-6-1", ""] {
        let d = env.refused(&["purge", "--before", bad], "VALIDATION_ERROR", 2);
        assert!(d.get("before").is_some(), "{bad:?}: {d}");
    }
    env.refused(
        &["purge", "--before", "2026-06-20", "--clinic", "Nowhere"],
        "NOT_FOUND",
        3,
    );
    // A date as other dates are typed: 20 June is 11 days before 1 July.
    let dry = |before: &str| env.ok(&["purge", "--before", before, "--dry-run"]);
    assert_eq!(dry("-11"), dry("2026-06-20"));
    assert_eq!(dry("-11")["purged"]["patient_links"], 3);
    let out = env
        .cmd()
        .args(["purge", "--before", "2026-06-20", "--dry-run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Would purge: "), "{text}");
    assert!(text.contains(" messages, 3 patients' links, "), "{text}");
    assert!(text.contains("(dry run: nothing changed)"), "{text}");
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["purge", "--before", "2026-06-20", "-c", "Central"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Purgado: "), "{text}");
    assert!(text.contains("3 enlaces de pacientes"), "{text}");
    // What ended before today (and before now): nothing of July yet.
    let all = env.ok(&["purge", "--before", "tomorrow"]);
    assert_eq!(all["purged"]["patient_links"], 1, "the later visit's link");
}

/// `appt purge` on `env` with a batch of two visits, to stop inside its
/// `n`th transaction.
fn paused_purge(env: &Env, n: usize) -> std::process::Child {
    env.raw(&["purge", "--before", "2026-06-20", "--json"])
        .env("APPT_TEST_BATCH", "2")
        .env("APPT_TEST_PAUSE", format!("purge:{n}"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_purge_killed_half_way_leaves_a_sound_database_and_the_next_finishes_it() {
    let mut env = Env::clinic();
    let mut ids = Vec::new();
    for (i, (date, time)) in [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00",
    ]
    .iter()
    .map(|t| (TUE, *t))
    .chain([("2026-06-17", "09:00"), ("2026-06-17", "09:30")])
    .enumerate()
    {
        let name = format!("Paciente {i}");
        ids.push(book(&env, date, time, &format!("+5037100000{i}"), &name));
    }
    env.at(JULY);
    env.sweep_lines();
    let desk = desk_view(&env);
    let dry =
        |env: &Env| env.ok(&["purge", "--before", "2026-06-20", "--dry-run"])["purged"].clone();
    let whole = dry(&env);
    assert_eq!(whole["reminders"], 18, "{whole}");

    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (first, rest) = ids.split_at(4);
    let named = naming(&env, rest, &["Paciente"]);

    // Killed inside its third transaction: two batches of two visits done
    // (the first four in time), the third undone.
    kill_at(paused_purge(&env, 3), "purge:3");
    env.ok(&["check"]);
    let left = dry(&env);
    assert_eq!(left["reminders"], 18 - 4 * 2, "{left}");
    assert_eq!(naming(&env, first, &["Paciente"]), 0);
    assert_eq!(naming(&env, rest, &["Paciente"]), named);
    assert!(
        left["events"].as_i64() <= whole["events"].as_i64(),
        "{left}"
    );
    // The next run finishes it, and says what was left.
    let rest = env.ok(&["purge", "--before", "2026-06-20"]);
    assert_eq!(rest["purged"], left);
    assert_eq!(
        dry(&env),
        json!({"reminders": 0, "patient_links": 0, "events": 0})
    );
    assert_eq!(naming(&env, &ids, &["Paciente"]), 0);
    assert_eq!(desk_view(&env), desk);
    env.ok(&["check"]);
}

#[test]
fn remind_due_applies_a_clinics_retention_and_keeps_what_is_still_to_deliver() {
    let mut env = linked(&["--retain-messages", "3d"]);
    let a = book(&env, TUE, "09:00", "+50370000011", "Elena Once");
    let e = book(&env, TUE, "11:00", "+50370000013", "Gina Trece");
    let later = book(&env, LATER, "09:00", "+50370000012", "Fabio Doce");
    let names = ["Elena Once", "Gina Trece"];
    env.sweep_lines();
    env.at(TUE_0830);
    env.sweep_lines();
    // Gina's 2-hour reminder, due at 09:00, is held back as a failing
    // delivery is: it is still to deliver when the retention passes.
    env.exec(&format!(
        "UPDATE reminders SET next_attempt_at = 4102444800 \
         WHERE appointment_id = {} AND status = {}",
        env.id_literal(&e),
        crate::common::message_status("pending")
    ));
    let held = env.rows(&format!(
        "SELECT id FROM reminders WHERE appointment_id = {} AND status = {}",
        env.id_literal(&e),
        crate::common::message_status("pending")
    ));
    assert_eq!(held.len(), 1, "{held:?}");
    // A sweep with nothing due and nothing old enough says nothing.
    env.at("2026-06-17T15:00:00Z");
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", "true"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.is_empty(), "{out:?}");

    env.at("2026-06-21T15:00:00Z");
    let ids = quoted(&env, &[&a, &e]);
    let messages = number(
        &env,
        &format!(
            "SELECT count(*) FROM reminders WHERE appointment_id IN ({ids}) AND status <> {}",
            crate::common::message_status("pending")
        ),
    );
    let kept_later = held_for(&env, &[&later]);
    let desk = desk_view(&env);
    let out = env
        .cmd()
        .args(["remind", "due", "--dry-run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Would purge: {messages} messages, 2 patients' links"
        )),
        "{text}"
    );
    let v = env.ok(&["remind", "due", "--exec", "true"]);
    assert_eq!(v["sent"], 0);
    assert_eq!(v["purged"]["reminders"], messages, "{v}");
    assert_eq!(v["purged"]["patient_links"], 2, "{v}");
    // Gina's message still to deliver stayed; everything else of the two went.
    assert_eq!(
        env.rows(&format!(
            "SELECT id FROM reminders WHERE appointment_id IN ({ids})"
        )),
        held
    );
    assert_eq!(naming(&env, &[&a, &e], &names), 0);
    assert_eq!(held_for(&env, &[&later]), kept_later);
    assert_eq!(desk_view(&env), desk);
    // Run again, nothing goes, and cron hears nothing.
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", "true"])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(env.lines(&["remind", "due"]).is_empty());

    // A change to a visit the retention has passed is purged by the next run.
    env.ok(&["update", &a, "--notes", "Elena Once llamó"]);
    env.sweep_lines();
    assert_eq!(
        number(
            &env,
            &format!(
                "SELECT count(*) FROM events WHERE appointment_id = {} AND data LIKE '%+5037%'",
                env.id_literal(&a)
            )
        ),
        0
    );
    // Once Gina's message is let go (expired: her visit is over), the next
    // run purges it too.
    env.exec(&format!(
        "UPDATE reminders SET next_attempt_at = NULL WHERE status = {}",
        crate::common::message_status("pending")
    ));
    env.at("2026-06-22T15:00:00Z");
    let v = env.ok(&["remind", "due", "--exec", "true"]);
    assert_eq!(v["expired"], 1, "{v}");
    assert_eq!(v["purged"]["reminders"], 1, "{v}");
    assert!(env
        .rows(&format!(
            "SELECT id FROM reminders WHERE appointment_id IN ({ids})"
        ))
        .is_empty());
    env.ok(&["check"]);
}

#[test]
fn a_clinic_keeps_its_messages_for_ever_unless_told_how_long() {
    let env = Env::clinic();
    assert_eq!(
        env.ok(&["clinic", "show", "Central"])["retain_messages"],
        Value::Null
    );
    let v = env.ok(&["clinic", "update", "Central", "--retain-messages", "90d"]);
    assert_eq!(v["retain_messages"], "90d");
    assert_eq!(
        env.ok(&["clinic", "list"])["clinics"][0]["retain_messages"],
        "90d"
    );
    let card = env
        .cmd()
        .args(["clinic", "show", "Central"])
        .output()
        .unwrap();
    let card = String::from_utf8_lossy(&card.stdout).into_owned();
    let line = card.lines().find(|l| l.contains("Messages kept"));
    assert!(line.is_some_and(|l| l.ends_with(" 90d")), "{card}");
    for bad in ["0m", "soon", "3x"] {
        let d = env.refused(
            &["clinic", "update", "Central", "--retain-messages", bad],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("retain_messages").is_some(), "{bad}: {d}");
    }
    let v = env.ok(&["clinic", "update", "Central", "--retain-messages", "none"]);
    assert_eq!(v["retain_messages"], Value::Null);
    // The API's description of a clinic (GET /v1/clinics) names the same keys.
    let api: Value = serde_json::from_str(include_str!("../../src/serve/openapi.json")).unwrap();
    let clinic = &api["components"]["schemas"]["Clinic"];
    let mut required: Vec<&str> = clinic["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    required.sort_unstable();
    keys.sort_unstable();
    assert_eq!(required, keys);
    let v = env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
        "--retain-messages",
        "1d12h",
    ]);
    assert_eq!(v["retain_messages"], "1d12h");
}
