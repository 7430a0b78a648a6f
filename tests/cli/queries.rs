//! Tests: the read side — `list`, `count`, `show`, `agenda` (docs/commands.md#appt-list, docs/commands.md).

use crate::common::{s, Env, MONDAY_8AM};
use serde_json::{json, Value};

const P1: &str = "+50370000001";
const P2: &str = "+50370000002";
const P3: &str = "+50370000003";
const P4: &str = "+50370000004";

fn book(env: &Env, doctor: &str, date: &str, time: &str, phone: &str, source: &str) -> Value {
    env.ok(&[
        "book", "--doctor", doctor, "--date", date, "--time", time, "--phone", phone, "--name",
        phone, "--source", source,
    ])["appointment"]
        .clone()
}

/// The IDs of a `list` answer, in order.
fn ids(v: &Value) -> Vec<String> {
    v["appointments"]
        .as_array()
        .unwrap_or_else(|| panic!("no appointments array: {v}"))
        .iter()
        .map(|a| s(&a["id"]).to_string())
        .collect()
}

fn id(a: &Value) -> String {
    s(&a["id"]).to_string()
}

/// Two clinics: Central (Dr. García, mornings) and Norte (Dr. López, mornings),
/// and seven appointments booked out of start order.
struct World {
    env: Env,
    /// Central, Mon 15 10:00, P1, manual
    mon10: Value,
    /// Central, Mon 15 11:00, P2, whatsapp — confirmed
    mon11: Value,
    /// Central, Tue 16 09:00, P1, whatsapp
    tue09: Value,
    /// Norte, Tue 16 09:00, P3, manual (Dr. López)
    tue09_norte: Value,
    /// Central, Wed 17 12:00, P3, web — cancelled
    wed12: Value,
    /// Central, Thu 18 09:30, P2, phone
    thu0930: Value,
    /// Central, Fri 19 09:00, P4, whatsapp
    fri09: Value,
}

fn world() -> World {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["doctor", "add", "Dr. López", "--specialty", "Pediatría"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. López",
        "--clinic",
        "Norte",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let g = "Dr. García";
    let wed12 = book(&env, g, "2026-06-17", "12:00", P3, "web");
    let fri09 = book(&env, g, "2026-06-19", "09:00", P4, "whatsapp");
    let mon11 = book(&env, g, "2026-06-15", "11:00", P2, "whatsapp");
    let tue09_norte = book(&env, "Dr. López", "2026-06-16", "09:00", P3, "manual");
    let thu0930 = book(&env, g, "2026-06-18", "09:30", P2, "phone");
    let mon10 = book(&env, g, "2026-06-15", "10:00", P1, "manual");
    let tue09 = book(&env, g, "2026-06-16", "09:00", P1, "whatsapp");
    env.ok(&["status", &id(&mon11), "confirmed"]);
    env.ok(&["cancel", &id(&wed12), "--reason", "Viaje"]);
    World {
        env,
        mon10,
        mon11,
        tue09,
        tue09_norte,
        wed12,
        thu0930,
        fri09,
    }
}

fn all_in_order(w: &World) -> Vec<String> {
    // Ties on start (Tue 09:00 at both clinics) may come in either order.
    vec![
        id(&w.mon10),
        id(&w.mon11),
        id(&w.tue09),
        id(&w.tue09_norte),
        id(&w.wed12),
        id(&w.thu0930),
        id(&w.fri09),
    ]
}

/// Compares ignoring the order of the two appointments that start at the same instant.
fn same_up_to_tie(got: Vec<String>, w: &World) -> bool {
    let want = all_in_order(w);
    let mut swapped = want.clone();
    swapped.swap(2, 3);
    got == want || got == swapped
}

// ---------------------------------------------------------------- list

#[test]
fn list_everything_in_start_order_with_paging_fields() {
    let w = world();
    let v = w.env.ok(&["list"]);
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["appointments", "limit", "page", "total"]);
    assert_eq!(v["total"], 7);
    assert_eq!(v["page"], 1);
    assert_eq!(v["limit"], 50);
    assert!(same_up_to_tie(ids(&v), &w), "{:?}", ids(&v));
    // Each entry is the full appointment object.
    let first = &v["appointments"][0];
    assert_eq!(first, &w.env.ok(&["show", &id(&w.mon10)]));
    // Start order, never booking order.
    let starts: Vec<&str> = v["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["starts_at"]))
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[test]
fn list_by_date_and_by_inclusive_range() {
    let w = world();
    let v = w
        .env
        .ok(&["list", "--clinic", "Central", "--date", "2026-06-15"]);
    assert_eq!(ids(&v), [id(&w.mon10), id(&w.mon11)]);
    assert_eq!(v["total"], 2);

    // Both ends are included.
    let v = w.env.ok(&[
        "list",
        "--clinic",
        "Central",
        "--from",
        "2026-06-16",
        "--to",
        "2026-06-18",
    ]);
    assert_eq!(ids(&v), [id(&w.tue09), id(&w.wed12), id(&w.thu0930)]);
    assert_eq!(v["total"], 3);

    // Open-ended on either side.
    let v = w
        .env
        .ok(&["list", "--clinic", "Central", "--from", "2026-06-18"]);
    assert_eq!(ids(&v), [id(&w.thu0930), id(&w.fri09)]);
    let v = w
        .env
        .ok(&["list", "--clinic", "Central", "--to", "2026-06-15"]);
    assert_eq!(ids(&v), [id(&w.mon10), id(&w.mon11)]);

    // Friendly dates, in the clinic's time zone.
    let v = w
        .env
        .ok(&["list", "--clinic", "Central", "--date", "today"]);
    assert_eq!(ids(&v), [id(&w.mon10), id(&w.mon11)]);
    let v = w
        .env
        .ok(&["list", "--clinic", "Central", "--date", "tomorrow"]);
    assert_eq!(ids(&v), [id(&w.tue09)]);
    let v = w.env.ok(&["list", "--clinic", "Central", "--date", "+4"]);
    assert_eq!(ids(&v), [id(&w.fri09)]);

    // A day with nothing.
    let v = w.env.ok(&["list", "--date", "2026-06-20"]);
    assert_eq!(v["appointments"], json!([]));
    assert_eq!(v["total"], 0);
}

#[test]
fn list_by_status_doctor_patient_source_and_clinic() {
    let w = world();
    let e = &w.env;

    let v = e.ok(&["list", "--status", "confirmed"]);
    assert_eq!(ids(&v), [id(&w.mon11)]);
    let v = e.ok(&["list", "--status", "cancelled"]);
    assert_eq!(ids(&v), [id(&w.wed12)]);
    assert_eq!(v["appointments"][0]["status"], "cancelled");
    let v = e.ok(&["list", "--status", "scheduled"]);
    assert_eq!(v["total"], 5);

    let v = e.ok(&["list", "--doctor", "Dr. López"]);
    assert_eq!(ids(&v), [id(&w.tue09_norte)]);
    let v = e.ok(&["list", "--doctor", "dr. garcía"]);
    assert_eq!(v["total"], 6);
    assert!(!ids(&v).contains(&id(&w.tue09_norte)));

    let v = e.ok(&["list", "--patient", P1]);
    assert_eq!(ids(&v), [id(&w.mon10), id(&w.tue09)]);
    // The phone as people write it.
    let v = e.ok(&["list", "--patient", "+503 7000-0002"]);
    assert_eq!(ids(&v), [id(&w.mon11), id(&w.thu0930)]);

    let v = e.ok(&["list", "--source", "whatsapp"]);
    assert_eq!(ids(&v), [id(&w.mon11), id(&w.tue09), id(&w.fri09)]);
    let v = e.ok(&["list", "--source", "phone"]);
    assert_eq!(ids(&v), [id(&w.thu0930)]);

    let v = e.ok(&["list", "--clinic", "Norte"]);
    assert_eq!(ids(&v), [id(&w.tue09_norte)]);
    let v = e.ok(&["list", "--clinic", "Central"]);
    assert_eq!(v["total"], 6);

    // Filters combine.
    let v = e.ok(&[
        "list",
        "--source",
        "whatsapp",
        "--patient",
        P1,
        "--from",
        "2026-06-16",
        "--to",
        "2026-06-30",
    ]);
    assert_eq!(ids(&v), [id(&w.tue09)]);
    let v = e.ok(&["list", "--status", "confirmed", "--source", "manual"]);
    assert_eq!(v["total"], 0);
}

#[test]
fn list_pages() {
    let w = world();
    let e = &w.env;
    let all = ids(&e.ok(&["list", "--limit", "500"]));
    assert_eq!(all.len(), 7);

    let p1 = e.ok(&["list", "--limit", "3"]);
    assert_eq!(
        (p1["total"].clone(), p1["page"].clone(), p1["limit"].clone()),
        (json!(7), json!(1), json!(3))
    );
    assert_eq!(ids(&p1), all[0..3]);
    let p2 = e.ok(&["list", "--limit", "3", "--page", "2"]);
    assert_eq!(p2["page"], 2);
    assert_eq!(p2["total"], 7);
    assert_eq!(ids(&p2), all[3..6]);
    let p3 = e.ok(&["list", "--limit", "3", "--page", "3"]);
    assert_eq!(ids(&p3), all[6..7]);
    let p4 = e.ok(&["list", "--limit", "3", "--page", "4"]);
    assert_eq!(p4["appointments"], json!([]));
    assert_eq!(p4["total"], 7);
    // Far past the end is empty too, never page 1 again.
    let far = e.ok(&["list", "--limit", "2", "--page", "4611686018427387904"]);
    assert_eq!(far["appointments"], json!([]));
    assert_eq!(far["page"], json!(4611686018427387904i64));
    // A page whose offset overflows is refused, not wrapped round.
    let d = e.fails(
        &["list", "--limit", "2", "--page", "9223372036854775807"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("page").is_some(), "{d}");

    // Paging applies after filtering.
    let v = e.ok(&[
        "list", "--source", "whatsapp", "--limit", "2", "--page", "2",
    ]);
    assert_eq!(v["total"], 3);
    assert_eq!(ids(&v), [id(&w.fri09)]);
}

#[test]
fn list_refuses_bad_values() {
    let w = world();
    let e = &w.env;
    let d = e.fails(&["list", "--limit", "501"], "VALIDATION_ERROR", 2);
    assert!(d.get("limit").is_some(), "{d}");
    let d = e.fails(&["list", "--limit", "0"], "VALIDATION_ERROR", 2);
    assert!(d.get("limit").is_some(), "{d}");
    let d = e.fails(&["list", "--page", "0"], "VALIDATION_ERROR", 2);
    assert!(d.get("page").is_some(), "{d}");
    let d = e.fails(&["list", "--status", "lost"], "VALIDATION_ERROR", 2);
    assert!(d.get("status").is_some(), "{d}");
    let d = e.fails(&["list", "--source", "fax"], "VALIDATION_ERROR", 2);
    assert!(d.get("source").is_some(), "{d}");
    let d = e.fails(&["list", "--date", "15/06/2026"], "VALIDATION_ERROR", 2);
    assert!(d.get("date").is_some(), "{d}");
    e.fails(
        &["list", "--from", "2026-06-18", "--to", "2026-06-16"],
        "VALIDATION_ERROR",
        2,
    );
    e.fails(&["list", "--doctor", "Dr. Nobody"], "NOT_FOUND", 3);
    e.fails(&["list", "--patient", "+50379999999"], "NOT_FOUND", 3);
    e.fails(&["list", "--clinic", "Sur"], "NOT_FOUND", 3);
}

#[test]
fn list_human_output_is_a_table_on_stdout() {
    let w = world();
    let out = w
        .env
        .cmd()
        .args(["list", "--date", "2026-06-15"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "not JSON");
    for want in [
        "Mon 15 Jun 2026",
        "10:00",
        "11:00",
        P1,
        P2,
        "Dr. García",
        "confirmed",
        &s(&w.mon10["id"])[..8],
        &s(&w.mon11["id"])[..8],
    ] {
        assert!(text.contains(want), "missing {want} in:\n{text}");
    }
    assert!(!text.contains(&s(&w.tue09["id"])[..8]), "{text}");
}

// ---------------------------------------------------------------- count

#[test]
fn count_counts_creations_since_a_day_ago_by_default() {
    let mut env = Env::clinic();
    let g = "Dr. García";
    // Two days ago: outside the default 24 h.
    env.at("2026-06-13T14:00:00Z");
    book(&env, g, "2026-06-16", "09:00", P1, "whatsapp");
    // 23 h ago, 2 h ago and now.
    env.at("2026-06-14T15:00:00Z");
    let b = book(&env, g, "2026-06-16", "09:30", P2, "whatsapp");
    env.at("2026-06-15T12:00:00Z");
    book(&env, g, "2026-06-16", "10:00", P3, "web");
    env.at(MONDAY_8AM);
    let d = book(&env, g, "2026-06-16", "10:30", P4, "whatsapp");
    env.ok(&["cancel", &id(&d), "--reason", "Duplicado"]);

    let v = env.ok(&["count"]);
    assert_eq!(v, json!({"count": 3, "since": "2026-06-14T14:00:00Z"}));
    let v = env.ok(&["count", "--source", "whatsapp"]);
    assert_eq!(v["count"], 2);
    let v = env.ok(&["count", "--source", "web"]);
    assert_eq!(v["count"], 1);
    let v = env.ok(&["count", "--source", "phone"]);
    assert_eq!(v["count"], 0);
    // Status is the status now.
    let v = env.ok(&["count", "--status", "cancelled"]);
    assert_eq!(v["count"], 1);
    let v = env.ok(&["count", "--status", "scheduled", "--source", "whatsapp"]);
    assert_eq!(v["count"], 1);

    // --since is inclusive and echoed back in UTC.
    let v = env.ok(&["count", "--since", "2026-06-14T15:00:00Z"]);
    assert_eq!(v, json!({"count": 3, "since": "2026-06-14T15:00:00Z"}));
    let v = env.ok(&["count", "--since", "2026-06-14T09:00:01-06:00"]);
    assert_eq!(v, json!({"count": 2, "since": "2026-06-14T15:00:01Z"}));
    let v = env.ok(&[
        "count",
        "--since",
        "2026-01-01T00:00:00Z",
        "--source",
        "whatsapp",
    ]);
    assert_eq!(v["count"], 3);

    // Reschedules and status changes are not creations.
    env.ok(&["status", s(&b["id"]), "confirmed"]);
    env.ok(&[
        "reschedule",
        s(&b["id"]),
        "--date",
        "2026-06-17",
        "--time",
        "09:00",
    ]);
    assert_eq!(env.ok(&["count"])["count"], 3);

    // The default window follows the clock.
    env.at("2026-06-16T13:00:00Z");
    assert_eq!(env.ok(&["count"])["count"], 1);
    assert_eq!(env.ok(&["count"])["since"], "2026-06-15T13:00:00Z");
}

#[test]
fn a_clinics_count_is_its_own_and_a_file_of_schema_15_gains_its_index() {
    let env = Env::clinic();
    let g = "Dr. García";
    book(&env, g, "2026-06-16", "09:00", P1, "whatsapp");
    book(&env, g, "2026-06-16", "09:30", P2, "web");
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["doctor", "add", "Dr. Solo"]);
    env.ok(&[
        "--clinic", "Norte", "window", "add", "--doctor", "Dr. Solo", "--days", "mon-fri",
        "--from", "09:00", "--to", "12:00",
    ]);
    book(&env, "Dr. Solo", "2026-06-16", "09:00", P3, "whatsapp");
    let count = |args: &[&str]| env.ok(args)["count"].as_i64().expect("a count");
    let counts = || {
        [
            count(&["count"]),
            count(&["--clinic", "Central", "count"]),
            count(&["--clinic", "Norte", "count"]),
            count(&["--clinic", "Central", "count", "--source", "whatsapp"]),
            count(&[
                "--clinic",
                "Central",
                "count",
                "--status",
                "scheduled",
                "--source",
                "web",
            ]),
            count(&["--clinic", "Norte", "count", "--status", "cancelled"]),
        ]
    };
    assert_eq!(counts(), [3, 2, 1, 1, 1, 0]);

    // Schema 16 counts from indexes of their own, and schema 24 from a
    // clinic's alone: a database of schema 15 gains it at its first use,
    // and counts alike.
    crate::common::undo_schema_16(&env);
    crate::common::set_schema_version(&env, 15);
    let indexes = |env: &Env| crate::common::index_names(env, "LIKE 'appt%created'");
    assert_eq!(indexes(&env), ["appt_created"]);
    assert_eq!(counts(), [3, 2, 1, 1, 1, 0]);
    assert_eq!(indexes(&env), ["appt_clinic_created"]);
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn count_refuses_bad_values() {
    let env = Env::clinic();
    let d = env.fails(&["count", "--since", "2026-02-30"], "VALIDATION_ERROR", 2);
    assert!(s(&d["since"]).contains("does not exist"), "{d}");
    let d = env.fails(&["count", "--since", "last week"], "VALIDATION_ERROR", 2);
    assert!(d.get("since").is_some(), "{d}");
    // A date means its local midnight; relative dates work too (docs/commands.md#conventions).
    let v = env.ok(&["count", "--since", "yesterday"]);
    assert_eq!(v["since"], "2026-06-14T06:00:00Z");
    let v = env.ok(&["count", "--since", "2026-06-15"]);
    assert_eq!(v["since"], "2026-06-15T06:00:00Z");
    let d = env.fails(&["count", "--source", "fax"], "VALIDATION_ERROR", 2);
    assert!(d.get("source").is_some(), "{d}");
    let d = env.fails(&["count", "--status", "lost"], "VALIDATION_ERROR", 2);
    assert!(d.get("status").is_some(), "{d}");
    assert_eq!(env.ok(&["count"])["count"], 0);
}

// ---------------------------------------------------------------- show

#[test]
fn show_by_prefix() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", P1);
    let full = env.ok(&["show", s(&a["id"])]);
    assert_eq!(full, a);
    assert_eq!(env.ok(&["show", &s(&a["id"])[..8]]), a);
    assert_eq!(env.ok(&["show", &s(&a["id"])[..4]]), a);
    assert_eq!(env.ok(&["show", &s(&a["id"])[..8].to_uppercase()]), a);
    env.fails(&["show", "zzzzzzzz"], "NOT_FOUND", 3);
    env.fails(
        &["show", "00000000-0000-4000-8000-000000000000"],
        "NOT_FOUND",
        3,
    );

    // Human output: a card naming the patient, doctor, time and status.
    let out = env
        .cmd()
        .args(["show", &s(&a["id"])[..8]])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        s(&a["id"]),
        "Test Patient",
        P1,
        "Dr. García",
        "10:00",
        "scheduled",
    ] {
        assert!(text.contains(want), "missing {want} in:\n{text}");
    }
}

// ---------------------------------------------------------------- agenda

#[test]
fn agenda_json_is_the_day_sheet() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. López", "--specialty", "Pediatría"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. López",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "15:00",
    ]);
    let g = "Dr. García";
    let late = book(&env, g, "2026-06-15", "11:00", P2, "whatsapp");
    let early = book(&env, g, "2026-06-15", "10:00", P1, "manual");
    let lopez = book(&env, "Dr. López", "2026-06-15", "14:30", P3, "phone");
    // Another day does not show.
    book(&env, g, "2026-06-16", "10:00", P4, "manual");

    let v = env.ok(&["agenda", "--date", "2026-06-15"]);
    assert_eq!(v["date"], "2026-06-15");
    let doctors = v["doctors"].as_array().expect("doctors");
    assert_eq!(doctors.len(), 2, "{v}");
    let by_name = |n: &str| {
        doctors
            .iter()
            .find(|d| d["doctor"]["full_name"] == n)
            .unwrap_or_else(|| panic!("no section for {n}: {v}"))
            .clone()
    };
    let garcia = by_name("Dr. García");
    assert_eq!(garcia["doctor"]["id"], early["doctor_id"]);
    // Appointments in time order, as full objects.
    let appts = garcia["appointments"].as_array().unwrap();
    assert_eq!(appts.len(), 2);
    assert_eq!(appts[0], env.ok(&["show", &id(&early)]));
    assert_eq!(appts[1]["id"], late["id"]);
    // Free slots are the gaps, from now on.
    assert_eq!(
        garcia["free_slots"],
        json!(["09:00", "09:30", "10:30", "11:30", "12:00", "12:30"])
    );
    let lopez_s = by_name("Dr. López");
    assert_eq!(lopez_s["appointments"][0]["id"], lopez["id"]);
    assert_eq!(lopez_s["free_slots"], json!(["14:00"]));

    // --doctor keeps only that doctor's section.
    let v = env.ok(&["agenda", "--date", "2026-06-15", "--doctor", "Dr. López"]);
    assert_eq!(v["doctors"].as_array().unwrap().len(), 1);
    assert_eq!(v["doctors"][0]["doctor"]["full_name"], "Dr. López");

    // Default date is today (in the clinic's zone).
    assert_eq!(env.ok(&["agenda"])["date"], "2026-06-15");
    // Later in the day the past slots are no longer free.
    let mut env = env;
    env.at("2026-06-15T17:10:00Z");
    let v = env.ok(&["agenda", "--doctor", "Dr. García"]);
    assert_eq!(
        v["doctors"][0]["free_slots"],
        json!(["11:30", "12:00", "12:30"])
    );
    assert_eq!(v["doctors"][0]["appointments"].as_array().unwrap().len(), 2);
}

/// The day sheet leaves cancelled visits out (docs/commands.md#appt-agenda),
/// also when the slot was booked again, and with `--doctor` too.
#[test]
fn the_agenda_leaves_cancelled_visits_out_even_under_a_new_booking() {
    let env = Env::clinic();
    let g = "Dr. García";
    let gone = book(&env, g, "2026-06-15", "10:00", P1, "manual");
    env.ok(&["cancel", &id(&gone), "--reason", "Viaje"]);
    let again = book(&env, g, "2026-06-15", "10:00", P2, "phone");
    let other = book(&env, g, "2026-06-15", "11:00", P3, "web");
    env.ok(&["cancel", &id(&other), "--reason", "Enfermedad"]);
    for args in [
        vec!["agenda", "--date", "2026-06-15"],
        vec!["agenda", "--date", "2026-06-15", "--doctor", g],
    ] {
        let v = env.ok(&args);
        let section = &v["doctors"][0];
        assert_eq!(ids(section), vec![id(&again)], "{v}");
        let rows: Vec<&Value> = section["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "appointment")
            .collect();
        assert_eq!(rows.len(), 1, "{v}");
        // The cancelled 11:00 is free again.
        assert!(section["free_slots"]
            .as_array()
            .unwrap()
            .contains(&json!("11:00")));
    }
}

#[test]
fn agenda_human_output_is_readable() {
    let env = Env::clinic();
    let a = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "10:00",
        "--phone",
        P1,
        "--name",
        "Juan Pérez",
    ])["appointment"]
        .clone();
    env.ok(&["status", &id(&a), "confirmed"]);
    let out = env
        .cmd()
        .args(["agenda", "--date", "2026-06-15"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "not JSON");
    for want in [
        "Central",
        "Dr. García",
        "Juan Pérez",
        P1,
        "confirmed",
        "10:00",
        "09:00",
        "free",
        &s(&a["id"])[..8],
    ] {
        assert!(text.contains(want), "missing {want} in:\n{text}");
    }
    // Time order: the free slots from 09:00 come before the 10:00
    // appointment, which comes before the run of free slots from 10:30
    // (one row: docs/commands.md#appt-agenda).
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {text}"))
    };
    assert!(at("09:00") < at("Juan Pérez"));
    assert!(at("Juan Pérez") < at("10:30–13:00"));
    assert!(text.contains("· 5 free ·"), "{text}");
    assert!(text.contains("1 booked · 0 arrived · 7 free"), "{text}");
    // No colour codes when not on a terminal.
    assert!(!text.contains('\u{1b}'), "{text:?}");

    // An empty day says so.
    let out = env
        .cmd()
        .args(["agenda", "--date", "2026-06-20"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8(out.stdout).unwrap().trim().is_empty());
}

#[test]
fn list_today_means_the_clinics_today() {
    let mut env = Env::clinic();
    let mon = env.book("2026-06-15", "12:30", P1);
    let tue = env.book("2026-06-16", "09:00", P2);
    // Monday 20:00 in El Salvador is already Tuesday in UTC.
    env.at("2026-06-16T02:00:00Z");
    let v = env.ok(&["list", "--date", "today"]);
    assert_eq!(ids(&v), [id(&mon)]);
    let v = env.ok(&["list", "--date", "tomorrow"]);
    assert_eq!(ids(&v), [id(&tue)]);
    assert_eq!(env.ok(&["agenda"])["date"], "2026-06-15");
}

#[test]
fn the_agenda_is_a_day_sheet_with_leave_places_left_and_several_days() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. López", "--specialty", "Pediatría"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. López",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "15:00",
        "--capacity",
        "3",
    ]);
    let a = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--phone",
        P1,
        "--name",
        "Juan Pérez",
        "--service",
        "General Checkup",
    ])["appointment"]
        .clone();
    book(&env, "Dr. López", "2026-06-16", "14:00", P2, "manual");
    // Dr. López is on leave on Wednesday; the clinic is closed on Thursday.
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. López",
        "--from",
        "2026-06-17",
        "--reason",
        "Vacaciones",
    ]);
    env.ok(&[
        "closure",
        "add",
        "--clinic",
        "Central",
        "--from",
        "2026-06-18",
        "--reason",
        "Feriado",
    ]);

    let v = env.ok(&["agenda", "--date", "2026-06-16", "--days", "3"]);
    let days = v["days"].as_array().expect("days");
    assert_eq!(days.len(), 3);
    let section = |day: &Value, name: &str| {
        day["doctors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["doctor"]["full_name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {day}"))
            .clone()
    };
    // Tuesday: rows interleave appointments and free slots, in time order.
    let tue = section(&days[0], "Dr. García");
    assert_eq!(tue["closed"], Value::Null);
    let rows = tue["rows"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (s(&r["kind"]), s(&r["start_time"])))
        .collect();
    assert_eq!(
        &kinds[..3],
        [
            ("free", "09:00"),
            ("free", "09:30"),
            ("appointment", "10:00")
        ]
    );
    assert_eq!(rows[2]["appointment"]["id"], a["id"]);
    // Places left when a window takes several at once.
    let lopez = section(&days[0], "Dr. López");
    let first_free = lopez["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "free")
        .unwrap();
    assert_eq!(
        (
            s(&first_free["start_time"]),
            first_free["remaining"].as_i64()
        ),
        ("14:00", Some(2))
    );
    // Wednesday: the doctor on leave is there, with the reason, not left out.
    let wed = section(&days[1], "Dr. López");
    assert_eq!(wed["closed"], "Vacaciones");
    assert_eq!(wed["rows"], json!([]));
    assert_eq!(section(&days[1], "Dr. García")["closed"], Value::Null);
    // Thursday: the whole clinic closed.
    for name in ["Dr. García", "Dr. López"] {
        assert_eq!(section(&days[2], name)["closed"], "Feriado");
    }
    // One day is the sheet itself (docs/commands.md#appt-list).
    let one = env.ok(&["agenda", "--date", "2026-06-17"]);
    assert_eq!(one["date"], "2026-06-17");

    // The human sheet: service column, places left, the reason.
    let text = String::from_utf8(
        env.cmd()
            .args(["agenda", "--date", "2026-06-16", "--days", "2"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for want in [
        "General Checkup",
        "· 2 free (5 places) ·",
        "Closed: Vacaciones",
        "Wednesday 17 June",
    ] {
        assert!(text.contains(want), "missing {want} in:\n{text}");
    }
    env.fails(&["agenda", "--days", "0"], "VALIDATION_ERROR", 2);
}

#[test]
fn with_several_clinics_today_is_the_machines_today() {
    // docs/commands.md#conventions: a command spanning several clinics reads relative dates in the
    // machine's zone (before, UTC: at 20:00 in El Salvador "today" was tomorrow).
    let mut env = Env::clinic();
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    let mon = env.book("2026-06-15", "12:30", P1);
    // Monday 20:00 in El Salvador is already Tuesday in UTC.
    env.at("2026-06-16T02:00:00Z");
    let today = |tz: &str| {
        let out = env
            .cmd()
            .env("TZ", tz)
            .args(["list", "--date", "today", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        ids(&v)
    };
    assert_eq!(today("America/El_Salvador"), [id(&mon)]);
    assert!(today("UTC").is_empty(), "in UTC it is already Tuesday");
    // `export` reads its dates as `list` does.
    let exported = |tz: &str| {
        let out = env
            .cmd()
            .env("TZ", tz)
            .args([
                "export", "--format", "jsonl", "--from", "today", "--to", "today",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    assert_eq!(exported("America/El_Salvador"), 1);
    assert_eq!(exported("UTC"), 0);
}
