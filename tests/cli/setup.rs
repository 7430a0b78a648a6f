//! Tests: setup — `init`, `clinic`, `doctor`, `service`, `window`, `closure` and
//! `patient` (docs/commands.md, docs/commands.md#appt-clinic-addlistshowupdate, docs/commands.md, docs/rules.md#windows-and-slots, docs/security.md). Every refusal is checked for its code,
//! its exit class, an empty stdout and an unchanged database.

use crate::common::{s, Env};
use serde_json::Value;
use std::collections::BTreeSet;

/// A duration as docs/commands.md#appt-clinic-addlistshowupdate writes it (`90m`, `2h`, `1h30m`, `1d`) → minutes, so the
/// tests compare values rather than one spelling of them.
fn mins(text: &str) -> i64 {
    let mut total = 0;
    let mut num = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            'd' => 1440,
            'h' => 60,
            'm' => 1,
            _ => panic!("not a duration: {text}"),
        };
        total += num
            .parse::<i64>()
            .unwrap_or_else(|_| panic!("not a duration: {text}"))
            * unit;
        num.clear();
    }
    assert!(num.is_empty(), "not a duration: {text}");
    total
}

fn reminder_minutes(v: &Value) -> BTreeSet<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("reminders is not an array: {v}"))
        .iter()
        .map(|r| mins(s(r)))
        .collect()
}

fn keys(details: &Value) -> BTreeSet<String> {
    details
        .as_object()
        .unwrap_or_else(|| panic!("details is not an object: {details}"))
        .keys()
        .cloned()
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|k| k.to_string()).collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|x| s(&x["id"]).to_string())
        .collect()
}

/// An empty database with one clinic in El Salvador (UTC-6, no DST).
fn one_clinic() -> Env {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    env
}

/// The week of Monday 2026-06-15 — the days on which `window list --date` shows `id`.
fn weekdays_of(env: &Env, id: &str) -> Vec<&'static str> {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    (0..7)
        .filter(|i| {
            let date = format!("2026-06-{}", 15 + i);
            let v = env.ok(&["window", "list", "--date", &date]);
            ids(&v["windows"]).iter().any(|w| w == id)
        })
        .map(|i| NAMES[i])
        .collect()
}

// ---------------------------------------------------------------- init

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn init_creates_the_database_with_its_folder_and_is_idempotent() {
    let mut env = Env::new();
    env.db = env.dir.path().join("nested/deeper/appt.db");
    // A path given is made only in a folder that exists.
    env.fails(&["init"], "DATABASE_ERROR", 6);
    assert!(!env.dir.path().join("nested").exists());
    std::fs::create_dir_all(env.dir.path().join("nested/deeper")).unwrap();
    let v = env.ok(&["init"]);
    assert_eq!(v["ok"], true, "{v}");
    assert!(env.db.is_file(), "init did not create {}", env.db.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&env.db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "database mode {:o}", mode & 0o777);
    }
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    let before = env.snapshot();
    let again = env.ok(&["init"]);
    assert_eq!(again["ok"], true, "{again}");
    assert_eq!(
        env.snapshot(),
        before,
        "a second init must not touch the data"
    );
    assert_eq!(
        env.ok(&["clinic", "list"])["clinics"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

// ---------------------------------------------------------------- clinic

#[test]
fn clinic_add_shows_the_defaults_of_section_1_1() {
    let env = Env::new();
    let c = env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    assert_eq!(c["name"], "Central");
    assert_eq!(c["timezone"], "America/El_Salvador");
    assert_eq!(c["slot_minutes"], 30);
    assert_eq!(mins(s(&c["min_notice"])), 0);
    assert_eq!(mins(s(&c["horizon"])), 365 * 1440);
    assert_eq!(mins(s(&c["cancel_window"])), 0);
    assert_eq!(
        reminder_minutes(&c["reminders"]),
        BTreeSet::from([24 * 60, 120])
    );
    assert_eq!(c["duplicate_check"], true);
    assert_eq!(c["require_diagnosis"], true);
    assert!(!s(&c["id"]).is_empty());
    assert_eq!(
        env.ok(&["clinic", "show", s(&c["id"])]),
        c,
        "show equals add"
    );
}

#[test]
fn clinic_add_takes_every_setting() {
    let env = Env::new();
    let c = env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/New_York",
        "--slot-minutes",
        "20",
        "--min-notice",
        "90m",
        "--horizon",
        "1d",
        "--cancel-window",
        "1h30m",
        "--reminders",
        "48h,2h,30m",
        "--duplicate-check",
        "off",
        "--require-diagnosis",
        "off",
    ]);
    assert_eq!(c["timezone"], "America/New_York");
    assert_eq!(c["slot_minutes"], 20);
    assert_eq!(mins(s(&c["min_notice"])), 90);
    assert_eq!(mins(s(&c["horizon"])), 1440);
    assert_eq!(mins(s(&c["cancel_window"])), 90);
    assert_eq!(
        reminder_minutes(&c["reminders"]),
        BTreeSet::from([2880, 120, 30])
    );
    assert_eq!(c["duplicate_check"], false);
    assert_eq!(c["require_diagnosis"], false);
    // The settings are stored, not only echoed.
    let shown = env.ok(&["clinic", "show", "Norte"]);
    assert_eq!(shown, c);

    let d = env.ok(&[
        "clinic",
        "add",
        "Sur",
        "--timezone",
        "Europe/Madrid",
        "--min-notice",
        "2h",
        "--horizon",
        "2h",
        "--reminders",
        "none",
        "--duplicate-check",
        "on",
        "--require-diagnosis",
        "on",
    ]);
    assert_eq!(mins(s(&d["min_notice"])), 120);
    assert_eq!(mins(s(&d["horizon"])), 120);
    assert_eq!(
        d["reminders"],
        serde_json::json!([]),
        "none disables reminders"
    );
    assert_eq!(d["duplicate_check"], true);
    assert_eq!(d["require_diagnosis"], true);
}

#[test]
fn clinic_timezone_must_be_an_iana_name() {
    let env = Env::new();
    env.ok(&["init"]);
    for tz in ["Mars/Olympus", "+06:00", "Central Time", "America/Nowhere"] {
        let d = env.refused(
            &["clinic", "add", "Central", "--timezone", tz],
            "VALIDATION_ERROR",
            2,
        );
        assert_eq!(keys(&d), set(&["timezone"]), "{tz}: {d}");
    }
    assert_eq!(
        env.ok(&["clinic", "list"])["clinics"],
        serde_json::json!([])
    );

    // The same check on update; the stored zone is kept.
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    let d = env.refused(
        &["clinic", "update", "Central", "--timezone", "Mars/Olympus"],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(keys(&d), set(&["timezone"]));
    assert_eq!(
        env.ok(&["clinic", "show", "Central"])["timezone"],
        "America/El_Salvador"
    );
}

#[test]
fn clinic_add_needs_a_name_and_a_timezone() {
    let env = Env::new();
    env.ok(&["init"]);
    let d = env.refused(&["clinic", "add", "Central"], "VALIDATION_ERROR", 2);
    assert!(d.get("timezone").is_some(), "{d}");
    let d = env.refused(
        &["clinic", "add", "--timezone", "America/El_Salvador"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("name").is_some(), "{d}");
    let d = env.refused(
        &["clinic", "add", "   ", "--timezone", "America/El_Salvador"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("name").is_some(), "a blank name: {d}");
}

#[test]
fn clinic_several_bad_settings_give_one_detail_each() {
    let env = Env::new();
    env.ok(&["init"]);
    let d = env.refused(
        &[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "Mars/Olympus",
            "--slot-minutes",
            "0",
            "--min-notice",
            "soon",
            "--horizon",
            "1x",
            "--cancel-window",
            "30m1h",
            "--reminders",
            "24h,often",
            "--duplicate-check",
            "maybe",
            "--require-diagnosis",
            "sometimes",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(
        keys(&d),
        set(&[
            "timezone",
            "slot_minutes",
            "min_notice",
            "horizon",
            "cancel_window",
            "reminders",
            "duplicate_check",
            "require_diagnosis",
        ]),
        "{d}"
    );
    for (k, v) in d.as_object().unwrap() {
        assert!(!s(v).is_empty(), "{k} has no message");
    }
}

#[test]
fn clinic_durations_refuse_what_is_not_a_duration() {
    let env = one_clinic();
    // `--flag=value` so that a leading '-' is read as a value, not a flag.
    for bad in [
        "90",
        "m",
        "-5m",
        "1h1h",
        "30m1h",
        "1.5h",
        "2 hours 3 h",
        "dos horas",
        "",
    ] {
        let arg = format!("--min-notice={bad}");
        let d = env.refused(
            &["clinic", "update", "Central", &arg],
            "VALIDATION_ERROR",
            2,
        );
        assert_eq!(keys(&d), set(&["min_notice"]), "{bad:?}: {d}");
    }
    // Spaces and words in either language (docs/commands.md#spanish-input).
    for (typed, shown) in [
        ("2 hours", "2h"),
        ("30 min", "30m"),
        ("1 día", "1d"),
        ("2 horas", "2h"),
    ] {
        let c = env.ok(&["clinic", "update", "Central", "--min-notice", typed]);
        assert_eq!(c["min_notice"], shown, "{typed}");
    }
    for bad in ["0", "481", "-30"] {
        let arg = format!("--slot-minutes={bad}");
        let d = env.refused(
            &["clinic", "update", "Central", &arg],
            "VALIDATION_ERROR",
            2,
        );
        assert_eq!(keys(&d), set(&["slot_minutes"]), "{bad}: {d}");
    }
}

#[test]
fn clinic_names_are_unique_case_insensitively() {
    let env = one_clinic();
    for name in ["Central", "CENTRAL", "central", "  cEnTrAl  "] {
        let d = env.refused(
            &["clinic", "add", name, "--timezone", "America/New_York"],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("name").is_some(), "{name:?}: {d}");
    }
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    let d = env.refused(
        &["clinic", "update", "Norte", "--name", "CENTRAL"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("name").is_some(), "{d}");
    // Renaming a clinic to its own name in another case is not a clash.
    let c = env.ok(&["clinic", "update", "central", "--name", "CENTRAL"]);
    assert_eq!(c["name"], "CENTRAL");
    assert_eq!(
        env.ok(&["clinic", "list"])["clinics"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn clinic_list_show_and_update() {
    let env = one_clinic();
    let norte = env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/Mexico_City",
    ]);
    let list = env.ok(&["clinic", "list"]);
    let names: BTreeSet<&str> = list["clinics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["name"]))
        .collect();
    assert_eq!(names, BTreeSet::from(["Central", "Norte"]));
    let id = s(&norte["id"]);
    for r in [id, &id[..8], &id[..4], "norte", "NORTE"] {
        assert_eq!(env.ok(&["clinic", "show", r])["id"], norte["id"], "by {r}");
    }

    // A partial update changes only what it names.
    let mut later = Env::new();
    later.db = env.db.clone();
    later.at("2026-06-16T10:00:00Z");
    let u = later.ok(&[
        "clinic",
        "update",
        "Norte",
        "--slot-minutes",
        "15",
        "--cancel-window",
        "2h",
        "--reminders",
        "1d",
    ]);
    assert_eq!(u["slot_minutes"], 15);
    assert_eq!(mins(s(&u["cancel_window"])), 120);
    assert_eq!(reminder_minutes(&u["reminders"]), BTreeSet::from([1440]));
    assert_eq!(u["timezone"], "America/Mexico_City");
    assert_eq!(u["min_notice"], norte["min_notice"]);
    assert_eq!(u["horizon"], norte["horizon"]);
    assert_eq!(u["duplicate_check"], true);
    assert_eq!(u["require_diagnosis"], true);
    assert_eq!(u["updated_at"], "2026-06-16T10:00:00Z");
    assert_eq!(u["created_at"], norte["created_at"]);
    let u = env.ok(&[
        "clinic",
        "update",
        &id[..6],
        "--name",
        "Norte II",
        "--timezone",
        "America/Bogota",
        "--min-notice",
        "1d",
        "--horizon",
        "30d",
        "--duplicate-check",
        "off",
        "--require-diagnosis",
        "off",
        "--reminders",
        "none",
    ]);
    assert_eq!(u["id"], norte["id"]);
    assert_eq!(u["name"], "Norte II");
    assert_eq!(u["timezone"], "America/Bogota");
    assert_eq!(mins(s(&u["min_notice"])), 1440);
    assert_eq!(mins(s(&u["horizon"])), 30 * 1440);
    assert_eq!(u["duplicate_check"], false);
    assert_eq!(u["require_diagnosis"], false);
    assert_eq!(u["reminders"], serde_json::json!([]));
    assert_eq!(u["slot_minutes"], 15, "kept from the previous update");
    assert_eq!(env.ok(&["clinic", "show", "norte ii"]), u);
    // What is typed of the new name finds it (the old name was its start).
    assert_eq!(env.ok(&["clinic", "show", "Norte"]), u);
    env.fails(&["clinic", "show", "Sur"], "NOT_FOUND", 3);
}

#[test]
fn clinic_update_refuses_bad_values_and_unknown_clinics() {
    let env = one_clinic();
    let d = env.refused(
        &[
            "clinic",
            "update",
            "Central",
            "--horizon",
            "0m",
            "--duplicate-check",
            "yes please",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(keys(&d), set(&["horizon", "duplicate_check"]), "{d}");
    env.refused(
        &["clinic", "update", "Nowhere", "--slot-minutes", "15"],
        "NOT_FOUND",
        3,
    );
    env.refused(&["clinic", "show", "Nowhere"], "NOT_FOUND", 3);
}

// ---------------------------------------------------------------- doctor

#[test]
fn doctor_add_list_and_show() {
    let env = one_clinic();
    let g = env.ok(&[
        "doctor",
        "add",
        "Dr. García",
        "--specialty",
        "Medicina General",
        "--slot-minutes",
        "20",
    ]);
    assert_eq!(g["full_name"], "Dr. García");
    assert_eq!(g["specialty"], "Medicina General");
    assert_eq!(g["slot_minutes"], 20);
    assert_eq!(g["active"], true);
    let l = env.ok(&["doctor", "add", "Dra. López"]);
    assert_eq!(l["specialty"], Value::Null);
    assert_eq!(l["slot_minutes"], Value::Null);
    assert_eq!(l["active"], true);
    let list = env.ok(&["doctor", "list"]);
    let mut got = ids(&list["doctors"]);
    got.sort();
    let mut want = vec![s(&g["id"]).to_string(), s(&l["id"]).to_string()];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(env.ok(&["doctor", "show", "dr. garcía"]), g);
    assert_eq!(env.ok(&["doctor", "show", &s(&l["id"])[..5]]), l);
    env.refused(&["doctor", "show", "Dr. House"], "NOT_FOUND", 3);
}

#[test]
fn doctor_add_refuses_bad_values() {
    let env = one_clinic();
    let d = env.refused(&["doctor", "add"], "VALIDATION_ERROR", 2);
    assert!(d.get("name").is_some(), "{d}");
    for m in ["0", "4", "481"] {
        let d = env.refused(
            &["doctor", "add", "Dr. García", "--slot-minutes", m],
            "VALIDATION_ERROR",
            2,
        );
        assert_eq!(keys(&d), set(&["slot_minutes"]), "{m}: {d}");
    }
    assert_eq!(
        env.ok(&["doctor", "list"])["doctors"],
        serde_json::json!([])
    );
}

#[test]
fn doctor_update_changes_each_field() {
    let mut env = Env::clinic();
    let g = env.ok(&["doctor", "show", "Dr. García"]);
    env.at("2026-06-15T15:00:00Z");
    let u = env.ok(&[
        "doctor",
        "update",
        "DR. GARCÍA",
        "--name",
        "Dr. Ana García",
        "--specialty",
        "Pediatría",
        "--slot-minutes",
        "15",
    ]);
    assert_eq!(u["id"], g["id"]);
    assert_eq!(u["full_name"], "Dr. Ana García");
    assert_eq!(u["specialty"], "Pediatría");
    assert_eq!(u["slot_minutes"], 15);
    assert_eq!(u["active"], true);
    assert_eq!(u["updated_at"], "2026-06-15T15:00:00Z");
    assert_eq!(env.ok(&["doctor", "show", s(&g["id"])]), u);
    // Words of the new name find it; the old name's, changed, do not.
    assert_eq!(env.ok(&["doctor", "show", "Dr. García"]), u);
    env.fails(&["doctor", "show", "Dr. Gómez"], "NOT_FOUND", 3);

    let off = env.ok(&["doctor", "update", "Dr. Ana García", "--active", "false"]);
    assert_eq!(off["active"], false);
    assert_eq!(off["full_name"], "Dr. Ana García", "untouched fields stay");
    assert_eq!(off["specialty"], "Pediatría");
    let listed = env.ok(&["doctor", "list"]);
    assert_eq!(listed["doctors"][0]["active"], false);
    let on = env.ok(&["doctor", "update", "Dr. Ana García", "--active", "true"]);
    assert_eq!(on["active"], true);
}

#[test]
fn doctor_update_refuses_bad_values() {
    let env = Env::clinic();
    for (flag, value, key) in [
        ("--active", "maybe", "active"),
        ("--slot-minutes", "0", "slot_minutes"),
        ("--slot-minutes", "481", "slot_minutes"),
        ("--name", "  ", "name"),
    ] {
        let d = env.refused(
            &["doctor", "update", "Dr. García", flag, value],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get(key).is_some(), "{flag} {value:?}: {d}");
    }
    env.refused(
        &["doctor", "update", "Dr. House", "--active", "false"],
        "NOT_FOUND",
        3,
    );
}

#[test]
fn an_inactive_doctor_takes_no_bookings() {
    let env = Env::clinic();
    env.ok(&["doctor", "update", "Dr. García", "--active", "false"]);
    let args = [
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--phone",
        "+50370000001",
        "--name",
        "Ana",
    ];
    env.refused(&args, "NOT_FOUND", 3);
    env.ok(&["doctor", "update", "Dr. García", "--active", "true"]);
    let v = env.ok(&args);
    assert_eq!(v["appointment"]["start_time"], "10:00");
}

// ---------------------------------------------------------------- service

#[test]
fn service_add_list_and_update() {
    let env = one_clinic();
    let a = env.ok(&["service", "add", "General Checkup", "--minutes", "30"]);
    assert_eq!(a["name"], "General Checkup");
    assert_eq!(a["duration_minutes"], 30);
    let b = env.ok(&["service", "add", "Vacunación", "--minutes", "15"]);
    let list = env.ok(&["service", "list"]);
    let mut got = ids(&list["services"]);
    got.sort();
    let mut want = vec![s(&a["id"]).to_string(), s(&b["id"]).to_string()];
    want.sort();
    assert_eq!(got, want);

    let u = env.ok(&[
        "service",
        "update",
        "general checkup",
        "--name",
        "Consulta General",
        "--minutes",
        "45",
    ]);
    assert_eq!(u["id"], a["id"]);
    assert_eq!(u["name"], "Consulta General");
    assert_eq!(u["duration_minutes"], 45);
    let u = env.ok(&["service", "update", &s(&b["id"])[..6], "--minutes", "20"]);
    assert_eq!(u["name"], "Vacunación", "name kept");
    assert_eq!(u["duration_minutes"], 20);
    let list = env.ok(&["service", "list"]);
    let by_name: Vec<(&str, i64)> = list["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (s(&x["name"]), x["duration_minutes"].as_i64().unwrap()))
        .collect();
    assert!(by_name.contains(&("Consulta General", 45)), "{by_name:?}");
    assert!(by_name.contains(&("Vacunación", 20)), "{by_name:?}");
}

#[test]
fn service_names_are_unique_and_minutes_bounded() {
    let env = one_clinic();
    env.ok(&["service", "add", "General Checkup", "--minutes", "30"]);
    env.ok(&["service", "add", "Vaccine", "--minutes", "15"]);
    for name in ["GENERAL CHECKUP", "general checkup"] {
        let d = env.refused(
            &["service", "add", name, "--minutes", "20"],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("name").is_some(), "{d}");
    }
    let d = env.refused(
        &["service", "update", "Vaccine", "--name", "general CHECKUP"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("name").is_some(), "{d}");
    for m in ["0", "4", "481", "-15"] {
        let arg = format!("--minutes={m}");
        let d = env.refused(&["service", "add", "X-Ray", &arg], "VALIDATION_ERROR", 2);
        assert_eq!(keys(&d), set(&["minutes"]), "{m}: {d}");
        env.refused(
            &["service", "update", "Vaccine", &arg],
            "VALIDATION_ERROR",
            2,
        );
    }
    let d = env.refused(&["service", "add", "X-Ray"], "VALIDATION_ERROR", 2);
    assert!(
        d.get("minutes").is_some(),
        "missing --minutes is named: {d}"
    );
}

#[test]
fn a_removed_service_is_no_longer_listed_or_bookable() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Vaccine", "--minutes", "30"]);
    let gone = env.ok(&["service", "remove", "GENERAL checkup"]);
    assert!(
        gone["ok"] == true || gone["name"] == "General Checkup",
        "remove prints {{\"ok\":true}} or the removed object: {gone}"
    );
    let listed = env.ok(&["service", "list"]);
    let names: Vec<&str> = listed["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["name"]))
        .collect();
    assert_eq!(names, vec!["Vaccine"]);
    let d = env.refused(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            "10:00",
            "--phone",
            "+50370000001",
            "--name",
            "Ana",
            "--service",
            "General Checkup",
        ],
        "INVALID_APPOINTMENT_TYPE",
        5,
    );
    assert!(d.is_object(), "{d}");
    env.refused(
        &["service", "update", "General Checkup", "--minutes", "20"],
        "NOT_FOUND",
        3,
    );
    env.refused(&["service", "remove", "General Checkup"], "NOT_FOUND", 3);
    // The other service still books.
    let v = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--phone",
        "+50370000001",
        "--name",
        "Ana",
        "--service",
        "vaccine",
    ]);
    assert_eq!(v["appointment"]["service"]["name"], "Vaccine");
}

// ---------------------------------------------------------------- window

#[test]
fn window_days_take_ranges_and_lists() {
    let env = one_clinic();
    let mut n = 0;
    for (days, want) in [
        ("mon-fri", vec!["mon", "tue", "wed", "thu", "fri"]),
        ("mon,wed,fri", vec!["mon", "wed", "fri"]),
        (
            "mon-fri,sun",
            vec!["mon", "tue", "wed", "thu", "fri", "sun"],
        ),
        ("sat", vec!["sat"]),
        ("Tue,THU", vec!["tue", "thu"]),
    ] {
        n += 1;
        let doctor = format!("Dr. {n}");
        env.ok(&["doctor", "add", &doctor]);
        let w = env.ok(&[
            "window", "add", "--doctor", &doctor, "--days", days, "--from", "09:00", "--to",
            "12:00",
        ]);
        assert_eq!(
            w["date"],
            Value::Null,
            "{days}: a weekly window has no date"
        );
        assert_eq!(weekdays_of(&env, s(&w["id"])), want, "--days {days}");
    }
}

#[test]
fn window_days_refuse_what_is_not_a_day() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    for bad in ["funday", "mon,,tue", "mon-", "1-5", "mo"] {
        let d = env.refused(
            &[
                "window",
                "add",
                "--doctor",
                "Dr. García",
                "--days",
                bad,
                "--from",
                "09:00",
                "--to",
                "12:00",
            ],
            "VALIDATION_ERROR",
            2,
        );
        assert_eq!(keys(&d), set(&["days"]), "{bad}: {d}");
    }
}

#[test]
fn a_date_window_applies_on_its_date_and_replaces_the_weekly_ones() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    let weekly = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let dated = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--from",
        "14:00",
        "--to",
        "16:00",
    ]);
    assert_eq!(dated["date"], "2026-06-17");
    assert_eq!(dated["days"], Value::Null);
    assert_eq!(dated["from"], "14:00");
    assert_eq!(dated["to"], "16:00");
    let on = |date: &str| ids(&env.ok(&["window", "list", "--date", date])["windows"]);
    assert_eq!(on("2026-06-17"), vec![s(&dated["id"]).to_string()]);
    assert_eq!(on("2026-06-16"), vec![s(&weekly["id"]).to_string()]);
    assert_eq!(on("2026-06-24"), vec![s(&weekly["id"]).to_string()]);
    // Without --date, both are listed.
    assert_eq!(
        env.ok(&["window", "list"])["windows"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A date window on a Saturday, where no weekly window applies.
    let sat = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-20",
        "--from",
        "09:00",
        "--to",
        "11:00",
    ]);
    assert_eq!(on("2026-06-20"), vec![s(&sat["id"]).to_string()]);
}

#[test]
fn window_validity_dates_bound_a_weekly_window() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    let w = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
        "--valid-from",
        "2026-06-16",
        "--valid-to",
        "2026-06-18",
    ]);
    assert_eq!(w["valid_from"], "2026-06-16");
    assert_eq!(w["valid_to"], "2026-06-18");
    assert_eq!(weekdays_of(&env, s(&w["id"])), vec!["tue", "wed", "thu"]);
    let d = env.refused(
        &[
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "sat",
            "--from",
            "09:00",
            "--to",
            "13:00",
            "--valid-from",
            "2026-07-01",
            "--valid-to",
            "2026-06-01",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d.get("valid_to").is_some() || d.get("valid_from").is_some(),
        "{d}"
    );
    let d = env.refused(
        &[
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "sat",
            "--from",
            "09:00",
            "--to",
            "13:00",
            "--valid-from",
            "2026-02-30",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(keys(&d), set(&["valid_from"]), "{d}");
}

#[test]
fn window_slot_length_defaults_to_the_doctors_then_the_clinics() {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
        "--slot-minutes",
        "15",
    ]);
    env.ok(&["doctor", "add", "Dr. Veinte", "--slot-minutes", "20"]);
    env.ok(&["doctor", "add", "Dr. Nadie"]);
    let add = |doctor: &str, days: &str, extra: &[&str]| {
        let mut args = vec![
            "window", "add", "--doctor", doctor, "--days", days, "--from", "09:00", "--to", "12:00",
        ];
        args.extend_from_slice(extra);
        env.ok(&args)
    };
    assert_eq!(
        add("Dr. Veinte", "mon", &[])["slot_minutes"],
        20,
        "the doctor's"
    );
    assert_eq!(
        add("Dr. Nadie", "mon", &[])["slot_minutes"],
        15,
        "the clinic's"
    );
    assert_eq!(
        add("Dr. Veinte", "tue", &["--slot-minutes", "10"])["slot_minutes"],
        10,
        "the window's own"
    );
    // The clinic's default is read when the window is added.
    env.ok(&["clinic", "update", "Central", "--slot-minutes", "45"]);
    assert_eq!(add("Dr. Nadie", "tue", &[])["slot_minutes"], 45);
}

#[test]
fn window_records_capacity_session_batch_services_and_owner() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    let checkup = env.ok(&["service", "add", "General Checkup", "--minutes", "30"]);
    let vaccine = env.ok(&["service", "add", "Vaccine", "--minutes", "15"]);
    env.ok(&["service", "add", "X-Ray", "--minutes", "20"]);
    let plain = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon",
        "--from",
        "09:00",
        "--to",
        "12:00",
    ]);
    assert_eq!(plain["capacity"], 1, "default capacity");
    assert_eq!(plain["status"], "open");
    assert_eq!(plain["services"], serde_json::json!([]));
    assert_eq!(plain["session"], Value::Null);
    assert_eq!(plain["batch"], Value::Null);
    assert_eq!(plain["clinic_wide"], false);
    assert_eq!(
        plain["doctor_id"],
        env.ok(&["doctor", "show", "Dr. García"])["id"]
    );
    let clinic_id = env.ok(&["clinic", "show", "Central"])["id"].clone();
    assert_eq!(plain["clinic_id"], clinic_id);

    let w = env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--days",
        "mon-fri",
        "--from",
        "07:00",
        "--to",
        "11:00",
        "--capacity",
        "4",
        "--session",
        "Morning",
        "--batch",
        "Lote A",
        "--services",
        "general checkup,VACCINE",
    ]);
    assert_eq!(w["doctor_id"], Value::Null);
    assert_eq!(w["clinic_wide"], true);
    assert_eq!(w["clinic_id"], clinic_id);
    assert_eq!(w["capacity"], 4);
    assert_eq!(w["session"], "Morning");
    assert_eq!(w["batch"], "Lote A");
    assert_eq!(w["from"], "07:00");
    assert_eq!(w["to"], "11:00");
    let got: BTreeSet<String> = w["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(x).to_string())
        .collect();
    let want: BTreeSet<String> = [&checkup, &vaccine]
        .iter()
        .map(|x| s(&x["id"]).to_string())
        .collect();
    assert_eq!(got, want);
    // Listed as added.
    let listed = env.ok(&["window", "list"]);
    let found = listed["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == w["id"])
        .expect("listed");
    let without_services = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("services");
        v
    };
    assert_eq!(without_services(found), without_services(&w));
    let listed_services: BTreeSet<String> = found["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(x).to_string())
        .collect();
    assert_eq!(listed_services, want);
    // --doctor filter.
    let mine = env.ok(&["window", "list", "--doctor", "Dr. García"]);
    assert_eq!(ids(&mine["windows"]), vec![s(&plain["id"]).to_string()]);

    env.refused(
        &[
            "window",
            "add",
            "--clinic-wide",
            "--days",
            "sat",
            "--from",
            "07:00",
            "--to",
            "11:00",
            "--services",
            "Cirugía",
        ],
        "NOT_FOUND",
        3,
    );
}

#[test]
fn window_add_refuses_bad_values_one_detail_each() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    let d = env.refused(
        &[
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "someday",
            "--from",
            "9xm",
            "--to",
            "25:00",
            "--capacity",
            "0",
            "--slot-minutes",
            "1",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert_eq!(
        keys(&d),
        set(&["days", "from", "to", "capacity", "slot_minutes"]),
        "{d}"
    );
    let d = env.refused(
        &[
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "mon",
            "--from",
            "13:00",
            "--to",
            "09:00",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("to").is_some() || d.get("from").is_some(), "{d}");
    let d = env.refused(
        &[
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "mon",
            "--from",
            "09:00",
            "--to",
            "09:00",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d.get("to").is_some() || d.get("from").is_some(),
        "empty window: {d}"
    );
    // Nothing given: every missing flag is named.
    let d = env.refused(&["window", "add"], "VALIDATION_ERROR", 2);
    for k in ["doctor", "days", "from", "to"] {
        assert!(d.get(k).is_some(), "missing {k} not named: {d}");
    }
    env.refused(
        &[
            "window",
            "add",
            "--doctor",
            "Dr. House",
            "--days",
            "mon",
            "--from",
            "09:00",
            "--to",
            "12:00",
        ],
        "NOT_FOUND",
        3,
    );
    assert_eq!(
        env.ok(&["window", "list"])["windows"],
        serde_json::json!([])
    );
}

#[test]
fn window_needs_a_clinic_when_there_are_several() {
    let env = one_clinic();
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["doctor", "add", "Dr. García"]);
    let args = [
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon",
        "--from",
        "09:00",
        "--to",
        "12:00",
    ];
    let d = env.refused(&args, "VALIDATION_ERROR", 2);
    assert!(d.get("clinic").is_some(), "{d}");
    let mut with = args.to_vec();
    with.extend_from_slice(&["--clinic", "norte"]);
    let w = env.ok(&with);
    assert_eq!(w["clinic_id"], env.ok(&["clinic", "show", "Norte"])["id"]);
    let only_norte = env.ok(&["window", "list", "--clinic", "Norte"]);
    assert_eq!(ids(&only_norte["windows"]), vec![s(&w["id"]).to_string()]);
    let only_central = env.ok(&["window", "list", "--clinic", "Central"]);
    assert_eq!(only_central["windows"], serde_json::json!([]));
}

fn window(owner: &[&str], when: &[&str], from: &str, to: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec!["window".into(), "add".into()];
    args.extend(owner.iter().map(|x| x.to_string()));
    args.extend(when.iter().map(|x| x.to_string()));
    args.extend(["--from".into(), from.into(), "--to".into(), to.into()]);
    args.extend(extra.iter().map(|x| x.to_string()));
    args
}

fn refuse_overlap(env: &Env, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.refused(&args, "WINDOW_OVERLAP", 4);
}

fn accept(env: &Env, args: &[String]) -> Value {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.ok(&args)
}

#[test]
fn overlapping_weekly_windows_of_one_doctor_are_refused() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    let doc = ["--doctor", "Dr. García"];
    accept(
        &env,
        &window(&doc, &["--days", "mon-fri"], "09:00", "13:00", &[]),
    );
    // Monday is common; 12:00–14:00 meets 09:00–13:00.
    refuse_overlap(
        &env,
        &window(&doc, &["--days", "mon"], "12:00", "14:00", &[]),
    );
    // Inside it.
    refuse_overlap(
        &env,
        &window(&doc, &["--days", "wed,sat"], "10:00", "11:00", &[]),
    );
    // Around it.
    refuse_overlap(
        &env,
        &window(&doc, &["--days", "fri-sun"], "08:00", "14:00", &[]),
    );
    // Overlap within common validity dates (Saturdays 2026-06-20 and 2026-06-27).
    accept(
        &env,
        &window(
            &doc,
            &["--days", "sat"],
            "09:00",
            "13:00",
            &["--valid-to", "2026-06-30"],
        ),
    );
    refuse_overlap(
        &env,
        &window(
            &doc,
            &["--days", "sat,sun"],
            "12:00",
            "15:00",
            &["--valid-from", "2026-06-20"],
        ),
    );
    assert_eq!(
        env.ok(&["window", "list"])["windows"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn overlapping_clinic_wide_windows_of_one_clinic_are_refused() {
    let env = one_clinic();
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    let cw = ["--clinic-wide", "--clinic", "Central"];
    accept(
        &env,
        &window(&cw, &["--days", "mon-fri"], "08:00", "12:00", &[]),
    );
    refuse_overlap(
        &env,
        &window(&cw, &["--days", "wed"], "11:00", "15:00", &[]),
    );
    // Another clinic's clinic-wide window at the same times is fine.
    accept(
        &env,
        &window(
            &["--clinic-wide", "--clinic", "Norte"],
            &["--days", "mon-fri"],
            "08:00",
            "12:00",
            &[],
        ),
    );
    // A doctor's window at the same times is another owner.
    env.ok(&["doctor", "add", "Dr. García"]);
    accept(
        &env,
        &window(
            &["--doctor", "Dr. García", "--clinic", "Central"],
            &["--days", "mon-fri"],
            "08:00",
            "12:00",
            &[],
        ),
    );
}

#[test]
fn two_date_windows_on_one_date_are_refused() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    let doc = ["--doctor", "Dr. García"];
    accept(
        &env,
        &window(&doc, &["--date", "2026-06-20"], "09:00", "12:00", &[]),
    );
    refuse_overlap(
        &env,
        &window(&doc, &["--date", "2026-06-20"], "11:30", "13:00", &[]),
    );
    accept(
        &env,
        &window(&doc, &["--date", "2026-06-20"], "12:00", "13:00", &[]),
    );
    accept(
        &env,
        &window(&doc, &["--date", "2026-06-21"], "09:00", "12:00", &[]),
    );
    let cw = ["--clinic-wide"];
    accept(
        &env,
        &window(&cw, &["--date", "2026-06-20"], "09:00", "12:00", &[]),
    );
    refuse_overlap(
        &env,
        &window(&cw, &["--date", "2026-06-20"], "08:00", "09:30", &[]),
    );
}

#[test]
fn a_doctors_windows_at_two_clinics_may_not_overlap() {
    let env = one_clinic();
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["doctor", "add", "Dr. García"]);
    accept(
        &env,
        &window(
            &["--doctor", "Dr. García", "--clinic", "Central"],
            &["--days", "mon,wed"],
            "09:00",
            "13:00",
            &[],
        ),
    );
    refuse_overlap(
        &env,
        &window(
            &["--doctor", "Dr. García", "--clinic", "Norte"],
            &["--days", "wed"],
            "12:00",
            "16:00",
            &[],
        ),
    );
    // Afternoons at the other branch are fine.
    accept(
        &env,
        &window(
            &["--doctor", "Dr. García", "--clinic", "Norte"],
            &["--days", "mon,wed"],
            "13:00",
            "17:00",
            &[],
        ),
    );
}

#[test]
fn a_doctors_windows_in_two_time_zones_overlap_in_real_time() {
    // Central (UTC-6) Mon 09:00–13:00 is 15:00–19:00Z; Norte in New York (UTC-4 in
    // June, UTC-5 in winter) Mon 14:00–16:00 is 18:00–20:00Z (19:00–21:00Z in winter):
    // the doctor would be at both branches at once, although the local times differ.
    let env = one_clinic();
    env.ok(&["clinic", "add", "Norte", "--timezone", "America/New_York"]);
    env.ok(&["doctor", "add", "Dr. García"]);
    accept(
        &env,
        &window(
            &["--doctor", "Dr. García", "--clinic", "Central"],
            &["--days", "mon"],
            "09:00",
            "13:00",
            &[],
        ),
    );
    refuse_overlap(
        &env,
        &window(
            &["--doctor", "Dr. García", "--clinic", "Norte"],
            &["--days", "mon"],
            "14:00",
            "16:00",
            &[],
        ),
    );
}

#[test]
fn windows_that_do_not_overlap_are_accepted() {
    let env = one_clinic();
    env.ok(&["doctor", "add", "Dr. García"]);
    env.ok(&["doctor", "add", "Dra. López"]);
    let doc = ["--doctor", "Dr. García"];
    accept(
        &env,
        &window(&doc, &["--days", "mon-fri"], "09:00", "13:00", &[]),
    );
    // Back to back.
    accept(
        &env,
        &window(&doc, &["--days", "mon-fri"], "13:00", "17:00", &[]),
    );
    accept(
        &env,
        &window(&doc, &["--days", "mon-fri"], "07:00", "09:00", &[]),
    );
    // Disjoint weekdays.
    accept(
        &env,
        &window(&doc, &["--days", "sat"], "09:00", "13:00", &[]),
    );
    // Disjoint validity.
    accept(
        &env,
        &window(
            &doc,
            &["--days", "sun"],
            "09:00",
            "13:00",
            &["--valid-to", "2026-06-30"],
        ),
    );
    accept(
        &env,
        &window(
            &doc,
            &["--days", "sun"],
            "10:00",
            "12:00",
            &["--valid-from", "2026-07-01"],
        ),
    );
    // A date window over a weekly one replaces it on that date.
    accept(
        &env,
        &window(&doc, &["--date", "2026-06-15"], "10:00", "11:00", &[]),
    );
    // Another doctor at the same times.
    accept(
        &env,
        &window(
            &["--doctor", "Dra. López"],
            &["--days", "mon-fri"],
            "09:00",
            "13:00",
            &[],
        ),
    );
    assert_eq!(
        env.ok(&["window", "list"])["windows"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
}

#[test]
fn window_close_open_and_remove() {
    let env = Env::clinic();
    let w = env.ok(&["window", "list"])["windows"][0].clone();
    let id = s(&w["id"]).to_string();
    let closed = env.ok(&["window", "close", &id[..8]]);
    assert_eq!(closed["id"], w["id"]);
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        env.ok(&["window", "list"])["windows"][0]["status"],
        "closed"
    );
    let book = [
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-16",
        "--time",
        "10:00",
        "--phone",
        "+50370000001",
        "--name",
        "Ana",
    ];
    env.refused(&book, "SLOT_INACTIVE", 4);
    let opened = env.ok(&["window", "open", &id[..6]]);
    assert_eq!(opened["status"], "open");
    assert_eq!(env.ok(&["window", "list"])["windows"][0]["status"], "open");
    env.ok(&book);

    // A window without upcoming appointments can go.
    let extra = env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "sat",
        "--from",
        "09:00",
        "--to",
        "12:00",
    ]);
    let removed = env.ok(&["window", "remove", s(&extra["id"])]);
    assert!(
        removed["ok"] == true || removed["id"] == extra["id"],
        "{removed}"
    );
    assert_eq!(
        ids(&env.ok(&["window", "list"])["windows"]),
        vec![id.clone()]
    );
    env.refused(&["window", "remove", s(&extra["id"])], "NOT_FOUND", 3);
    env.refused(&["window", "close", "0000ffff"], "NOT_FOUND", 3);
    env.refused(&["window", "open", "0000ffff"], "NOT_FOUND", 3);
}

// ---------------------------------------------------------------- closure

#[test]
fn closure_add_list_and_remove() {
    let env = Env::clinic();
    let leave = env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-22",
        "--to",
        "2026-06-26",
        "--reason",
        "Vacaciones",
    ]);
    assert_eq!(
        leave["doctor_id"],
        env.ok(&["doctor", "show", "Dr. García"])["id"]
    );
    assert_eq!(leave["clinic_id"], Value::Null);
    assert_eq!(leave["from"], "2026-06-22");
    assert_eq!(leave["to"], "2026-06-26");
    assert_eq!(leave["reason"], "Vacaciones");
    let holiday = env.ok(&[
        "closure",
        "add",
        "--clinic",
        "central",
        "--from",
        "2026-12-25",
        "--reason",
        "Navidad",
    ]);
    assert_eq!(
        holiday["clinic_id"],
        env.ok(&["clinic", "show", "Central"])["id"]
    );
    assert_eq!(holiday["doctor_id"], Value::Null);
    assert_eq!(holiday["from"], "2026-12-25");
    assert_eq!(holiday["to"], "2026-12-25", "--to defaults to --from");
    let no_reason = env.ok(&[
        "closure",
        "add",
        "--clinic",
        "Central",
        "--from",
        "2027-01-01",
    ]);
    assert_eq!(no_reason["reason"], Value::Null);

    let all = env.ok(&["closure", "list"]);
    let mut got = ids(&all["closures"]);
    got.sort();
    let mut want: Vec<String> = [&leave, &holiday, &no_reason]
        .iter()
        .map(|x| s(&x["id"]).to_string())
        .collect();
    want.sort();
    assert_eq!(got, want);
    let mine = env.ok(&["closure", "list", "--doctor", "Dr. García"]);
    assert_eq!(ids(&mine["closures"]), vec![s(&leave["id"]).to_string()]);

    let gone = env.ok(&["closure", "remove", &s(&holiday["id"])[..8]]);
    assert!(gone["ok"] == true || gone["id"] == holiday["id"], "{gone}");
    let left = ids(&env.ok(&["closure", "list"])["closures"]);
    assert_eq!(left.len(), 2);
    assert!(!left.contains(&s(&holiday["id"]).to_string()));
    env.refused(&["closure", "remove", s(&holiday["id"])], "NOT_FOUND", 3);
}

#[test]
fn a_closure_blocks_bookings_until_removed() {
    let env = Env::clinic();
    let c = env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-16",
        "--to",
        "2026-06-17",
        "--reason",
        "Congreso médico",
    ]);
    let book = |date: &str| {
        vec![
            "book".to_string(),
            "--doctor".into(),
            "Dr. García".into(),
            "--date".into(),
            date.into(),
            "--time".into(),
            "10:00".into(),
            "--phone".into(),
            "+50370000001".into(),
            "--name".into(),
            "Ana".into(),
        ]
    };
    for date in ["2026-06-16", "2026-06-17"] {
        let args = book(date);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let d = env.refused(&args, "OUTSIDE_AVAILABILITY", 5);
        assert!(
            d.to_string().contains("Congreso médico"),
            "the reason is given: {d}"
        );
    }
    // The day after the closure is open (inclusive range).
    let args = book("2026-06-18");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.ok(&args);
    env.ok(&["closure", "remove", s(&c["id"])]);
    let args = book("2026-06-16");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.ok(&args);

    // A clinic closure closes every doctor of the clinic.
    env.ok(&[
        "closure",
        "add",
        "--clinic",
        "Central",
        "--from",
        "2026-06-19",
        "--reason",
        "Feriado",
    ]);
    let args = book("2026-06-19");
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args[8] = "+50370000002";
    let d = env.refused(&args, "OUTSIDE_AVAILABILITY", 5);
    assert!(d.to_string().contains("Feriado"), "{d}");
}

#[test]
fn closure_add_refuses_bad_values() {
    let env = Env::clinic();
    let d = env.refused(
        &[
            "closure",
            "add",
            "--doctor",
            "Dr. García",
            "--from",
            "2026-06-20",
            "--to",
            "2026-06-19",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("to").is_some(), "{d}");
    for bad in ["2026-13-01", "20/06/2026", "someday"] {
        let d = env.refused(
            &["closure", "add", "--doctor", "Dr. García", "--from", bad],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("from").is_some(), "{bad}: {d}");
    }
    // With one clinic, no doctor closes it (the only clinic is the default);
    // with two, which one must be said.
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    let d = env.refused(
        &["closure", "add", "--from", "2026-06-20"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d.get("doctor").is_some() || d.get("clinic").is_some(),
        "{d}"
    );
    let d = env.refused(
        &["closure", "add", "--doctor", "Dr. García"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("from").is_some(), "missing --from is named: {d}");
    env.refused(
        &[
            "closure",
            "add",
            "--doctor",
            "Dr. House",
            "--from",
            "2026-06-20",
        ],
        "NOT_FOUND",
        3,
    );
    env.refused(
        &[
            "closure",
            "add",
            "--clinic",
            "Nowhere",
            "--from",
            "2026-06-20",
        ],
        "NOT_FOUND",
        3,
    );
}

// ---------------------------------------------------------------- patient

#[test]
fn patient_add_normalises_the_phone_and_shows() {
    let env = one_clinic();
    let p = env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan Pérez",
        "--phone",
        "+503 7765-4321",
        "--email",
        "juan@example.com",
        "--national-id",
        "04567891-2",
    ]);
    assert_eq!(p["phone"], "+50377654321");
    assert_eq!(p["full_name"], "Juan Pérez");
    assert_eq!(p["email"], "juan@example.com");
    assert_eq!(p["national_id"], "04567891-2");
    assert_eq!(p["no_show_count"], 0);
    for r in [
        "+50377654321",
        "+503 7765-4321",
        "+503.7765.4321",
        "+503 (7765) 4321",
    ] {
        assert_eq!(card(&env, r), p, "by phone {r}");
    }
    assert_eq!(card(&env, &s(&p["id"])[..8]), p);
    let q = env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana",
        "--phone",
        "+1 (212) 555.0100",
    ]);
    assert_eq!(q["phone"], "+12125550100");
    assert_eq!(q["national_id"], Value::Null);
    assert_eq!(q["email"], Value::Null);
    let list = env.ok(&["patient", "list"]);
    assert_eq!(list["patients"].as_array().unwrap().len(), 2);
    env.refused(&["patient", "show", "+50399999999"], "NOT_FOUND", 3);
}

#[test]
fn patient_add_refuses_bad_values() {
    let env = one_clinic();
    for bad in [
        "77654321",
        "+",
        "+0123456789",
        "+503 7765-43x1",
        "+1234567890123456",
        "",
    ] {
        let d = env.refused(
            &["patient", "add", "--name", "Ana", "--phone", bad],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("phone").is_some(), "{bad:?}: {d}");
    }
    for bad in ["nobody", "a@b", "x y@example.com", "@example.com"] {
        let d = env.refused(
            &[
                "patient",
                "add",
                "--name",
                "Ana",
                "--phone",
                "+50370000001",
                "--email",
                bad,
            ],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("email").is_some(), "{bad:?}: {d}");
    }
    let d = env.refused(&["patient", "add"], "VALIDATION_ERROR", 2);
    assert!(d.get("name").is_some() && d.get("phone").is_some(), "{d}");
    assert_eq!(
        env.ok(&["patient", "list"])["patients"],
        serde_json::json!([])
    );
}

#[test]
fn a_phone_belongs_to_one_patient() {
    let env = one_clinic();
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan",
        "--phone",
        "+503 7765-4321",
    ]);
    let ana = env.ok(&["patient", "add", "--name", "Ana", "--phone", "+50370000002"]);
    for spelling in ["+50377654321", "+503-7765-4321", "+503 (7765) 4321"] {
        let d = env.refused(
            &["patient", "add", "--name", "Otro", "--phone", spelling],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("phone").is_some(), "{spelling}: {d}");
    }
    let d = env.refused(
        &[
            "patient",
            "update",
            s(&ana["id"]),
            "--phone",
            "+503 7765 4321",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d.get("phone").is_some(), "{d}");
    assert_eq!(
        env.ok(&["patient", "list"])["patients"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn patient_search_by_name_or_phone() {
    let env = one_clinic();
    let juan = env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan Pérez",
        "--phone",
        "+50377654321",
    ]);
    let ana = env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana María Pérez",
        "--phone",
        "+50370001111",
    ]);
    let luis = env.ok(&[
        "patient",
        "add",
        "--name",
        "Luis Gómez",
        "--phone",
        "+12125550100",
    ]);
    let found = |text: &str| -> BTreeSet<String> {
        ids(&env.ok(&["patient", "list", "--search", text])["patients"])
            .into_iter()
            .collect()
    };
    let id = |p: &Value| s(&p["id"]).to_string();
    assert_eq!(found("pérez"), BTreeSet::from([id(&juan), id(&ana)]));
    assert_eq!(found("PÉREZ"), BTreeSet::from([id(&juan), id(&ana)]));
    assert_eq!(found("luis"), BTreeSet::from([id(&luis)]));
    assert_eq!(found("María"), BTreeSet::from([id(&ana)]));
    assert_eq!(found("7765"), BTreeSet::from([id(&juan)]));
    assert_eq!(found("7765-4321"), BTreeSet::from([id(&juan)]));
    assert_eq!(found("+1 212"), BTreeSet::from([id(&luis)]));
    assert_eq!(found("Zacarías"), BTreeSet::new());
    assert_eq!(
        found("%"),
        BTreeSet::new(),
        "% is literal text, not a wildcard"
    );
    assert_eq!(
        found("_"),
        BTreeSet::new(),
        "_ is literal text, not a wildcard"
    );
    assert_eq!(
        env.ok(&["patient", "list"])["patients"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn patient_update_changes_each_field() {
    let mut env = one_clinic();
    let p = env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan Pérez",
        "--phone",
        "+50377654321",
        "--national-id",
        "04567891-2",
    ]);
    env.at("2026-06-16T09:00:00Z");
    let u = env.ok(&[
        "patient",
        "update",
        "+503 7765-4321",
        "--name",
        "Juan A. Pérez",
        "--phone",
        "+503 7000-0009",
        "--email",
        "juan@example.org",
    ]);
    assert_eq!(u["id"], p["id"]);
    assert_eq!(u["full_name"], "Juan A. Pérez");
    assert_eq!(u["phone"], "+50370000009");
    assert_eq!(u["email"], "juan@example.org");
    assert_eq!(u["national_id"], "04567891-2", "kept when not given");
    assert_eq!(u["updated_at"], "2026-06-16T09:00:00Z");
    assert_eq!(card(&env, "+50370000009"), u);
    env.fails(&["patient", "show", "+50377654321"], "NOT_FOUND", 3);
    let u = env.ok(&[
        "patient",
        "update",
        &s(&p["id"])[..8],
        "--national-id",
        "99999999-9",
    ]);
    assert_eq!(u["national_id"], "99999999-9");
    assert_eq!(
        env.ok(&["patient", "show", s(&p["id"])])["national_id"],
        "99999999-9"
    );
    env.refused(
        &[
            "patient",
            "update",
            "+50370000009",
            "--email",
            "not-an-email",
        ],
        "VALIDATION_ERROR",
        2,
    );
    env.refused(
        &["patient", "update", "+50399999999", "--name", "X"],
        "NOT_FOUND",
        3,
    );
}

/// Every file in the database's folder (the database, `-wal`, `-shm`, key file).
fn folder_bytes(env: &Env) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.display().to_string(),
                std::fs::read(&p).unwrap_or_default(),
            )
        })
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

const ID: &str = "DUI-04567891-2-SECRET";
const NEW_ID: &str = "DUI-77777777-7-SECRET";

/// Two patients with national IDs (`ID`, `NEW_ID`), each read back as given.
fn two_national_ids() -> Env {
    let env = one_clinic();
    let p = env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan Pérez",
        "--phone",
        "+50377654321",
        "--national-id",
        ID,
    ]);
    assert_eq!(p["national_id"], ID);
    assert_eq!(
        env.ok(&["patient", "show", "+50377654321"])["national_id"],
        ID
    );
    let b = env.ok(&[
        "patient",
        "add",
        "--name",
        "Ana",
        "--phone",
        "+50370000002",
        "--national-id",
        NEW_ID,
    ]);
    assert_eq!(b["national_id"], NEW_ID);
    env
}

#[test]
fn a_national_id_is_read_back_as_given() {
    two_national_ids();
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only: the bytes are the SQLite file's")]
fn the_national_id_is_encrypted_at_rest() {
    let env = two_national_ids();
    for (file, bytes) in folder_bytes(&env) {
        for secret in [ID, NEW_ID, "04567891", "77777777"] {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{file} holds the national ID {secret} in plain text"
            );
        }
    }
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mut st = conn
        .prepare("SELECT phone, national_id FROM patients")
        .unwrap();
    let rows: Vec<(String, rusqlite::types::Value)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2);
    for (phone, v) in &rows {
        let raw: Vec<u8> = match v {
            rusqlite::types::Value::Blob(b) => b.clone(),
            rusqlite::types::Value::Text(t) => t.clone().into_bytes(),
            other => panic!("{phone}: national_id stored as {other:?}"),
        };
        for secret in [ID, NEW_ID] {
            assert!(
                !contains(&raw, secret.as_bytes()),
                "{phone}: plain text in the column"
            );
        }
        // An AEAD adds a nonce and a tag: the stored value is longer than the ID.
        assert!(raw.len() > ID.len(), "{phone}: {} bytes", raw.len());
    }
    // The same ID sealed twice does not give the same bytes (a fresh nonce each time).
    env.ok(&["patient", "update", "+50370000002", "--national-id", ID]);
    let again: Vec<u8> = conn
        .query_row(
            "SELECT national_id FROM patients WHERE phone = '+50370000002'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let first: Vec<u8> = conn
        .query_row(
            "SELECT national_id FROM patients WHERE phone = '+50377654321'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_ne!(again, first, "equal IDs must not give equal ciphertexts");
    assert_eq!(
        env.ok(&["patient", "show", "+50370000002"])["national_id"],
        ID
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for e in std::fs::read_dir(env.dir.path()).unwrap() {
            let p = e.unwrap().path();
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} has mode {mode:o}", p.display());
        }
    }
}

#[test]
fn names_are_found_ignoring_case_and_accents_and_a_miss_names_the_closest() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dra. López", "--specialty", "Pediatría"]);
    env.ok(&["service", "add", "Vacunación", "--minutes", "15"]);
    // Most desks type without accents.
    assert_eq!(
        env.ok(&["doctor", "show", "dr. garcia"])["full_name"],
        "Dr. García"
    );
    assert_eq!(
        env.ok(&["doctor", "show", "DRA. LOPEZ"])["full_name"],
        "Dra. López"
    );
    assert_eq!(
        env.ok(&["service", "list"])["services"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "dra lopez",
        "--days",
        "sat",
        "--from",
        "09:00",
        "--to",
        "10:00",
    ])
    .get("id")
    .expect("window by an accent-free name");
    env.ok(&["clinic", "show", "CENTRAL"]);
    // A miss names the closest existing ones.
    let d = env.refused(&["doctor", "show", "Dr. Garsia"], "NOT_FOUND", 3);
    assert_eq!(d["closest"], serde_json::json!(["Dr. García"]));
    let out = env
        .cmd()
        .args(["doctor", "show", "Dr. Garsia"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean Dr. García?"), "{err}");
    // Patients: found by a name that matches one person; searched without accents.
    env.book("2026-06-16", "10:00", "+50370000001");
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan Pérez",
        "--phone",
        "+50370000002",
    ]);
    assert_eq!(
        env.ok(&["patient", "show", "juan perez"])["phone"],
        "+50370000002"
    );
    let found = env.ok(&["patient", "list", "--search", "perez"]);
    assert_eq!(found["patients"][0]["full_name"], "Juan Pérez");
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Juan Perez",
        "--phone",
        "+50370000003",
    ]);
    let d = env.refused(&["patient", "show", "JUAN PÉREZ"], "AMBIGUOUS_ID", 2);
    assert_eq!(d["candidates"].as_array().unwrap().len(), 2, "{d}");
}

#[test]
fn an_ambiguous_appointment_prefix_shows_patient_doctor_and_time() {
    let env = Env::clinic();
    let a = s(&env.book("2026-06-16", "09:00", "+50370000001")["id"]).to_string();
    let b = s(&env.book("2026-06-17", "09:30", "+50370000002")["id"]).to_string();
    // Random IDs rarely share four characters: give the second the first's
    // four, with every row that names it (foreign keys off while it moves).
    // (and a fifth character unlike the first's, so five tell them apart).
    let fifth = if a.as_bytes()[4] == b'0' { '1' } else { '0' };
    let moved = format!("{}{fifth}{}", &a[..4], &b[5..]);
    let (moved, b) = (env.id_literal(&moved), env.id_literal(&b));
    let rename = format!(
        "UPDATE appointments SET id = {moved} WHERE id = {b}; \
         UPDATE reminders SET appointment_id = {moved} WHERE appointment_id = {b}; \
         UPDATE events SET appointment_id = {moved} WHERE appointment_id = {b};"
    );
    if crate::common::on_postgres() {
        env.exec(&format!(
            "BEGIN; SET LOCAL session_replication_role = replica; {rename} COMMIT;"
        ));
    } else {
        env.exec(&format!("PRAGMA foreign_keys = OFF; {rename}"));
    }
    let d = env.refused(&["show", &a[..4]], "AMBIGUOUS_ID", 2);
    let candidates = d["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2, "{d}");
    for c in candidates {
        assert_eq!(c["doctor"], "Dr. García", "{c}");
        assert_eq!(c["patient"], "Test Patient");
        assert!(c["start_time"].is_string() && c["date"].is_string(), "{c}");
    }
    // Five characters tell them apart again.
    assert_eq!(env.ok(&["show", &a[..5]])["id"], a.as_str());
}

#[test]
fn patient_show_lists_upcoming_and_recent_visits() {
    let mut env = Env::clinic();
    let past = env.book("2026-06-15", "10:00", "+50370000001");
    let soon = env.book("2026-06-16", "10:00", "+50370000001");
    let later = env.book("2026-06-18", "11:00", "+50370000001");
    env.book("2026-06-16", "11:00", "+50370000002");
    // Monday noon: the 10:00 visit is behind us.
    env.at("2026-06-15T18:00:00Z");
    let v = env.ok(&["patient", "show", "+50370000001"]);
    let ids = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|a| s(&a["id"]).to_string())
            .collect()
    };
    assert_eq!(ids("upcoming"), [s(&soon["id"]), s(&later["id"])]);
    assert_eq!(ids("recent"), [s(&past["id"])]);
    assert_eq!(v["phone"], "+50370000001");
    let out = env
        .cmd()
        .args(["patient", "show", "+50370000001"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Upcoming:") && text.contains("Thu 18 Jun 2026 11:00"),
        "{text}"
    );
    assert!(
        text.contains("Recent:") && text.contains("Mon 15 Jun 2026 10:00"),
        "{text}"
    );
}

/// `patient show` without its visits and messages: the patient object itself.
fn card(env: &Env, patient: &str) -> Value {
    let mut v = env.ok(&["patient", "show", patient]);
    let o = v.as_object_mut().unwrap();
    assert!(o.remove("upcoming").is_some() && o.remove("recent").is_some());
    // None has been sent to a patient added here.
    assert_eq!(o.remove("messages"), Some(serde_json::json!([])));
    v
}
