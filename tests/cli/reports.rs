//! Tests: `appt report` (docs/reports.md) — a history made through real
//! commands (bookings from several sources at several leads, completions,
//! no-shows, late and early cancellations, a closure, reminders sent and a
//! confirmation after one, a recall), and each figure of `report --json`
//! held against SQL written here, over the tables, on either engine. Also an
//! empty period, a clinic with one doctor, a day whose clocks change, a
//! bad date, and the Spanish tables at 80 columns.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// The period every test reports on: Monday 15 to Friday 26 June 2026.
pub(crate) const FROM: &str = "2026-06-15";
pub(crate) const TO: &str = "2026-06-26";
/// Saturday 27 June, 08:00 in El Salvador: the period is over.
const SAT_27: &str = "2026-06-27T14:00:00Z";
/// El Salvador's offset from UTC, in seconds (no DST).
const OFFSET: i64 = 6 * 3600;
/// Every appointment of the period, by its local date: 2026-06-15 to
/// 2026-06-26, as the table keeps them (their day numbers, since schema 60;
/// [`the_period_is_its_day_numbers`] holds them to the dates).
const IN_PERIOD: &str = "local_date >= 20619 AND local_date <= 20630";

#[test]
fn the_period_is_its_day_numbers() {
    assert_eq!(
        IN_PERIOD,
        format!(
            "local_date >= {} AND local_date <= {}",
            day_number(FROM),
            day_number(TO)
        )
    );
}

/// The UTC instant of a local time on a June 2026 day, `minutes` later.
fn utc(day: u32, hhmm: &str, minutes: i64) -> String {
    let h: i64 = hhmm[..2].parse().unwrap();
    let m: i64 = hhmm[3..].parse().unwrap();
    let t = chrono::NaiveDate::from_ymd_opt(2026, 6, day)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        + chrono::Duration::minutes(h * 60 + m + minutes)
        + chrono::Duration::seconds(OFFSET);
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Clone, Copy)]
enum Outcome {
    Completed,
    NoShow,
    LateCancel,
    EarlyCancel,
    Left,
}

/// Two doctors' fortnight: Dr. García mornings (closed Friday 19), Dra.
/// López afternoons with a service that has buffers; a 2-hour
/// cancellation window; 41 appointments made and ended at their clocks.
pub(crate) fn history() -> Env {
    let mut env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--cancel-window", "2h"]);
    env.ok(&["doctor", "add", "Dra. López"]);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dra. López",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "17:00",
    ]);
    env.ok(&[
        "service",
        "add",
        "Cleaning",
        "--minutes",
        "20",
        "--buffer-before",
        "5",
        "--buffer-after",
        "10",
    ]);
    env.ok(&["closure", "add", "-d", "Dr. García", "--from", "2026-06-19"]);
    let mut specs = Vec::new();
    for day in [15, 16, 17, 18, 22, 23, 24, 25, 26] {
        for t in ["09:00", "10:30", "12:00"] {
            specs.push(("Dr. García", day, t));
        }
    }
    for day in [15, 16, 17, 18, 19, 22, 23] {
        for t in ["14:00", "15:30"] {
            specs.push(("Dra. López", day, t));
        }
    }
    let sources = ["manual", "whatsapp", "api", "web", "phone"];
    let outcomes = [
        Outcome::Completed,
        Outcome::NoShow,
        Outcome::Completed,
        Outcome::LateCancel,
        Outcome::EarlyCancel,
        Outcome::Completed,
        Outcome::Left,
    ];
    let mut recall_made = false;
    for (i, (doctor, day, time)) in specs.into_iter().enumerate() {
        let lead = [0, 3, 10][i % 3];
        let booked_at = if lead == 0 {
            utc(day, "06:00", 0)
        } else {
            utc(day, "08:00", -lead * 24 * 60)
        };
        env.at(&booked_at);
        let phone = format!("+5037000{i:04}");
        let date = format!("2026-06-{day}");
        let mut args = vec![
            "book",
            "-d",
            doctor,
            "-D",
            &date,
            "-t",
            time,
            "-P",
            &phone,
            "--name",
            "Paciente",
            "--source",
            sources[i % 5],
        ];
        if doctor == "Dra. López" {
            args.extend(["-s", "Cleaning"]);
        }
        let id = s(&env.ok(&args)["appointment"]["id"]).to_string();
        match outcomes[i % 7] {
            Outcome::Completed => {
                env.at(&utc(day, time, 60));
                let mut args = vec!["status", id.as_str(), "completed", "--diagnosis", "J00"];
                if !recall_made {
                    args.extend(["--follow-up", "2026-06-24"]);
                    recall_made = true;
                }
                env.ok(&args);
            }
            Outcome::NoShow => {
                env.at(&utc(day, time, 60));
                env.ok(&["status", &id, "no_show"]);
            }
            Outcome::LateCancel => {
                env.at(&utc(day, time, -60));
                env.ok(&["cancel", &id, "-r", "late", "--force"]);
            }
            Outcome::EarlyCancel => {
                env.at(&utc(
                    day,
                    "06:01",
                    -lead * 24 * 60 + if lead == 0 { 0 } else { 120 },
                ));
                env.ok(&["cancel", &id, "-r", "early"]);
            }
            Outcome::Left => {}
        }
    }
    // The waitlist, on Monday 22 for Friday 26: two patients wait for Dr.
    // García; a freed 11:00 is offered to the first, who books it (filled);
    // a freed 11:30 goes to the second, who does not (made, not filled).
    env.at("2026-06-22T15:00:00Z");
    let booked = |env: &Env, phone: &str, time: &str| {
        let b = env.ok(&[
            "book",
            "-d",
            "Dr. García",
            "-D",
            "2026-06-26",
            "-t",
            time,
            "-P",
            phone,
            "--name",
            "Paciente",
        ]);
        s(&b["appointment"]["id"]).to_string()
    };
    let freed = [
        booked(&env, "+50371119001", "11:00"),
        booked(&env, "+50371119002", "11:30"),
    ];
    for phone in ["+50371119003", "+50371119004"] {
        env.ok(&[
            "waitlist",
            "add",
            "-d",
            "Dr. García",
            "--date",
            "2026-06-26",
            "-P",
            phone,
            "--name",
            "Paciente",
        ]);
    }
    env.ok(&["cancel", &freed[0], "-r", "freed"]);
    booked(&env, "+50371119003", "11:00");
    env.ok(&["cancel", &freed[1], "-r", "freed"]);
    // Reminders go out on the 24th, and one of the 25th's visits is
    // confirmed after its reminder.
    env.at("2026-06-24T15:00:00Z");
    env.sweep_lines();
    let sent = env.rows(&format!(
        "SELECT a.id FROM appointments a JOIN reminders m ON m.appointment_id = a.id \
         WHERE m.status = {} AND m.kind = {} AND a.status = {} \
         ORDER BY a.starts_at LIMIT 1",
        crate::common::message_status("sent"),
        crate::common::message_kind("reminder"),
        status_code("scheduled")
    ));
    if let Some(r) = sent.first() {
        env.at("2026-06-24T16:00:00Z");
        env.ok(&["status", &r[0], "confirmed"]);
    }
    // The reminder of the booking the waitlist filled fails: its hook
    // refuses it five times, the last for good.
    for minutes in [0, 5, 15, 35, 75] {
        env.at(&utc(25, "12:00", minutes));
        env.cmd()
            .args(["remind", "due", "--exec", "false"])
            .output()
            .unwrap();
    }
    env.at(SAT_27);
    env
}

/// One number of a row of `env.rows`.
fn n(v: &str) -> i64 {
    v.parse().unwrap_or(0)
}

/// The SQL expressions, over `appointments`, of a visit's local weekday
/// (Monday 0: 1 January 1970 was a Thursday), local hour, lead in local
/// days and the lead's bucket.
const WEEKDAY: &str = "(((starts_at - 21600) / 86400 + 3) % 7)";
const HOUR: &str = "(((starts_at - 21600) % 86400) / 3600)";
const LEAD: &str = "((starts_at - 21600) / 86400 - (created_at - 21600) / 86400)";
fn late() -> String {
    format!(
        "(status = {} AND starts_at - cancelled_at <= 7200)",
        status_code("cancelled")
    )
}

/// `status <> N`: the visits not cancelled.
fn not_cancelled() -> String {
    format!("status <> {}", status_code("cancelled"))
}

fn bucket() -> String {
    format!(
        "CASE WHEN {LEAD} <= 0 THEN 'same_day' WHEN {LEAD} <= 7 THEN 'within_week' \
         ELSE 'later' END"
    )
}

/// A rate's breakdown from JSON: key → (numerator, denominator), the rate
/// checked against them.
fn breakdown(list: &Value, key: &str) -> BTreeMap<String, (i64, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (
                r["numerator"].as_i64().unwrap(),
                r["denominator"].as_i64().unwrap(),
            );
            match b {
                0 => assert!(r["rate"].is_null()),
                _ => assert!((r["rate"].as_f64().unwrap() - a as f64 / b as f64).abs() < 1e-9),
            }
            let k = match &r[key] {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            (k, (a, b))
        })
        .collect()
}

/// The same breakdown by SQL: `key` over the visits `due`, `hit` counted.
fn by_sql(env: &Env, key: &str, due: &str, hit: &str) -> BTreeMap<String, (i64, i64)> {
    env.rows(&format!(
        "SELECT {key}, SUM(CASE WHEN {hit} THEN 1 ELSE 0 END), COUNT(*) FROM appointments \
         WHERE {IN_PERIOD} AND ({due}) GROUP BY {key}"
    ))
    .into_iter()
    .map(|r| (r[0].clone(), (n(&r[1]), n(&r[2]))))
    .collect()
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Both rates against SQL, in every breakdown.
fn check_rates(env: &Env, r: &Value) {
    let due_ns = format!("status IN {}", status_codes(&["completed", "no_show"]));
    let due_lc = format!("{due_ns} OR {}", late());
    for (name, due, hit) in [
        (
            "no_show_rate",
            due_ns.clone(),
            format!("status = {}", status_code("no_show")),
        ),
        ("late_cancellation_rate", due_lc, late()),
    ] {
        let f = &r[name];
        let all = by_sql(env, "clinic_id", &due, &hit);
        let (a, b) = all.values().next().copied().unwrap_or((0, 0));
        assert_eq!(
            (f["numerator"].as_i64(), f["denominator"].as_i64()),
            (Some(a), Some(b)),
            "{name}"
        );
        assert_eq!(
            breakdown(&f["by_doctor"], "doctor_id"),
            by_sql(env, "doctor_id", &due, &hit),
            "{name} by doctor"
        );
        let weekdays: BTreeMap<String, (i64, i64)> = by_sql(env, WEEKDAY, &due, &hit)
            .into_iter()
            .map(|(k, v)| (WEEKDAYS[n(&k) as usize].to_string(), v))
            .collect();
        assert_eq!(
            breakdown(&f["by_weekday"], "key"),
            weekdays,
            "{name} by weekday"
        );
        assert_eq!(
            breakdown(&f["by_hour"], "key"),
            by_sql(env, HOUR, &due, &hit),
            "{name} by hour"
        );
        assert_eq!(
            breakdown(&f["by_lead_time"], "key"),
            by_sql(env, &bucket(), &due, &hit),
            "{name} by lead time"
        );
    }
}

/// Utilisation against SQL: minutes held per doctor and local date, and
/// minutes open from the windows of that weekday unless a closure covers it.
fn check_utilisation(env: &Env, r: &Value) {
    let mut want: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for row in env.rows(&format!(
        "SELECT doctor_id, local_date, SUM((ends_at - starts_at) / 60 + buffer_before + buffer_after) \
         FROM appointments WHERE {IN_PERIOD} AND {} GROUP BY doctor_id, local_date",
        not_cancelled()
    )) {
        want.entry((row[0].clone(), date_of_day(&row[1]))).or_default().0 = n(&row[2]);
    }
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let last = chrono::NaiveDate::from_ymd_opt(2026, 6, 26).unwrap();
    while day <= last {
        use chrono::Datelike;
        let bit = 1 << day.weekday().num_days_from_monday();
        for row in env.rows(&format!(
            "SELECT w.doctor_id, SUM(w.end_minute - w.start_minute) FROM windows w \
             WHERE w.weekdays & {bit} <> 0 AND w.open = 1 AND NOT EXISTS (SELECT 1 FROM closures c \
             WHERE (c.doctor_id = w.doctor_id OR c.clinic_id = w.clinic_id) \
             AND c.from_date <= '{day}' AND c.to_date >= '{day}') GROUP BY w.doctor_id"
        )) {
            want.entry((row[0].clone(), day.to_string())).or_default().1 = n(&row[1]);
        }
        day += chrono::Duration::days(1);
    }
    let got: BTreeMap<(String, String), (i64, i64)> = r["utilisation"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                (s(&d["doctor"]["id"]).to_string(), s(&d["date"]).to_string()),
                (
                    d["booked_minutes"].as_i64().unwrap(),
                    d["open_minutes"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(got, want, "utilisation per doctor and day");
    let booked: i64 = want.values().map(|v| v.0).sum();
    let open: i64 = want.values().map(|v| v.1).sum();
    assert_eq!(r["utilisation"]["booked_minutes"], booked);
    assert_eq!(r["utilisation"]["open_minutes"], open);
    assert!(
        (r["utilisation"]["rate"].as_f64().unwrap() - booked as f64 / open as f64).abs() < 1e-9
    );
}

#[test]
fn every_figure_equals_its_sql() {
    let env = history();
    let r = env.ok(&["report", "--from", FROM, "--to", TO]);
    assert_eq!((s(&r["from"]), s(&r["to"])), (FROM, TO));
    let total = n(&env.rows(&format!(
        "SELECT COUNT(*) FROM appointments WHERE {IN_PERIOD}"
    ))[0][0]);
    assert_eq!(total, 44);

    check_utilisation(&env, &r);
    check_rates(&env, &r);
    // Both kinds of cancellation happened, and both rates have something.
    assert!(r["late_cancellation_rate"]["numerator"].as_i64().unwrap() > 0);
    assert!(r["no_show_rate"]["numerator"].as_i64().unwrap() > 0);

    // Lead time: nearest rank over the sorted leads of the visits not cancelled.
    let leads: Vec<i64> = env
        .rows(&format!(
            "SELECT {LEAD} FROM appointments WHERE {IN_PERIOD} AND {} ORDER BY 1",
            not_cancelled()
        ))
        .iter()
        .map(|r| n(&r[0]))
        .collect();
    let rank = |p: f64| leads[((p * leads.len() as f64).ceil() as usize).max(1) - 1];
    assert_eq!(r["lead_time"]["count"], leads.len());
    assert_eq!(r["lead_time"]["median_days"], rank(0.5));
    assert_eq!(r["lead_time"]["p90_days"], rank(0.9));

    // Busiest: bookings not cancelled by local weekday and hour.
    let busiest: BTreeMap<(String, String), i64> = env
        .rows(&format!(
            "SELECT {WEEKDAY}, {HOUR}, COUNT(*) FROM appointments WHERE {IN_PERIOD} \
             AND {} GROUP BY 1, 2",
            not_cancelled()
        ))
        .into_iter()
        .map(|x| {
            (
                (WEEKDAYS[n(&x[0]) as usize].to_string(), x[1].clone()),
                n(&x[2]),
            )
        })
        .collect();
    let got: BTreeMap<(String, String), i64> = r["busiest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                (s(&b["weekday"]).to_string(), b["hour"].to_string()),
                b["bookings"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, busiest);

    // Sources: every booking by source and status.
    let mut sources: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for x in env.rows(&format!(
        "SELECT {}, {}, COUNT(*) FROM appointments WHERE {IN_PERIOD} GROUP BY source, status",
        source_name("source"),
        status_name("status")
    )) {
        sources
            .entry(x[0].clone())
            .or_default()
            .insert(x[1].clone(), n(&x[2]));
    }
    assert_eq!(sources.len(), 5);
    for src in r["sources"].as_array().unwrap() {
        let want = &sources[s(&src["source"])];
        let got: BTreeMap<String, i64> = serde_json::from_value(src["by_status"].clone()).unwrap();
        assert_eq!(&got, want);
        assert_eq!(
            src["bookings"].as_i64().unwrap(),
            want.values().sum::<i64>()
        );
    }
    assert_eq!(r["sources"].as_array().unwrap().len(), sources.len());

    // Messages: the reminders of the period's visits, and the visits
    // confirmed after one was sent.
    let m = &env.rows(&format!(
        "SELECT SUM(CASE WHEN m.status = {sent} THEN 1 ELSE 0 END), \
         SUM(CASE WHEN m.delivered_at IS NULL THEN 0 ELSE 1 END), \
         SUM(CASE WHEN m.status = {failed} THEN 1 ELSE 0 END) \
         FROM reminders m JOIN appointments a ON a.id = m.appointment_id \
         WHERE m.kind = {reminder} AND a.{}",
        IN_PERIOD.replace(" AND local_date", " AND a.local_date"),
        sent = crate::common::message_status("sent"),
        failed = crate::common::message_status("failed"),
        reminder = crate::common::message_kind("reminder")
    ))[0];
    assert_eq!(r["messages"]["sent"], n(&m[0]));
    assert_eq!(r["messages"]["delivered"], n(&m[1]));
    assert_eq!(r["messages"]["failed"], n(&m[2]));
    assert!(n(&m[0]) > 0, "the sweep sent reminders");
    assert!(n(&m[2]) > 0, "a reminder failed");
    let confirmed = n(&env.rows(&format!(
        "SELECT COUNT(DISTINCT e.appointment_id) FROM events e JOIN appointments a ON a.id = e.appointment_id \
         JOIN reminders m ON m.appointment_id = a.id AND m.kind = {} AND m.status = {} \
         WHERE e.{} AND m.sent_at <= e.created_at AND a.{}",
        crate::common::message_kind("reminder"),
        crate::common::message_status("sent"),
        crate::common::event_is("appointment.confirmed"),
        IN_PERIOD.replace(" AND local_date", " AND a.local_date")
    ))[0][0]);
    assert_eq!(r["messages"]["confirmed_after_reminder"], confirmed);
    assert_eq!(confirmed, 1);

    // The waitlist: offers of the period's freed times, and those the
    // patient offered the time booked (that doctor, that date, afterwards).
    let w = &env.rows(&format!(
        "SELECT COUNT(*), COUNT(CASE WHEN EXISTS (SELECT 1 FROM appointments b JOIN patients p \
         ON p.id = b.patient_id WHERE b.doctor_id = a.doctor_id AND b.local_date = a.local_date \
         AND b.{} AND b.created_at >= e.created_at \
         AND e.data LIKE '%' || {} || '%') THEN 1 END) \
         FROM events e JOIN appointments a ON a.id = e.appointment_id \
         WHERE e.{} AND a.{}",
        not_cancelled(),
        // The patient's ID as its text (kept as 16 bytes since schema 61).
        match env.url() {
            Some(_) => "CAST(p.id AS TEXT)".to_string(),
            None => crate::common::id_text("p.id"),
        },
        crate::common::event_is("appointment.slot_offered"),
        IN_PERIOD.replace(" AND local_date", " AND a.local_date")
    ))[0];
    assert_eq!(r["waitlist"]["offers_made"], n(&w[0]));
    assert_eq!(r["waitlist"]["offers_filled"], n(&w[1]));
    assert_eq!((n(&w[0]), n(&w[1])), (2, 1));

    // Recalls: the completed visits whose follow-up date is in the period.
    let rc = &env.rows(&format!(
        "SELECT COUNT(*) FROM appointments WHERE status = {} \
         AND follow_up_date >= '{FROM}' AND follow_up_date <= '{TO}'",
        status_code("completed")
    ))[0];
    assert_eq!(r["recalls"]["due"], n(&rc[0]));
    assert_eq!(r["recalls"]["due"], 1);

    // No patient in a report: neither a name, a phone nor an ID.
    let text = r.to_string();
    assert!(!text.contains("Paciente") && !text.contains("+503") && !text.contains("7000"));
    for p in env.rows("SELECT id FROM patients") {
        assert!(!text.contains(&p[0]), "a patient's ID in the report");
    }

    // The default period is the 28 days up to yesterday, and counts the same.
    let d = env.ok(&["report"]);
    assert_eq!((s(&d["from"]), s(&d["to"])), ("2026-05-30", "2026-06-26"));
    assert_eq!(d["no_show_rate"], r["no_show_rate"]);
    assert_eq!(d["sources"], r["sources"]);

    // One doctor: only their visits and their days.
    let g = env.ok(&["report", "--from", FROM, "--to", TO, "-d", "Dr. García"]);
    let garcia_id = &env.rows("SELECT id FROM doctors WHERE full_name = 'Dr. García'")[0][0];
    let garcia = &env.id_literal(garcia_id);
    let visits = n(&env.rows(&format!(
        "SELECT COUNT(*) FROM appointments WHERE {IN_PERIOD} AND doctor_id = {garcia}"
    ))[0][0]);
    let counted: i64 = g["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["bookings"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, visits);
    // The recalls of their visits: the history's one recall follows one of Dr. García's.
    let recalls = n(&env.rows(&format!(
        "SELECT COUNT(*) FROM appointments WHERE status = {} AND doctor_id = {garcia} \
         AND follow_up_date >= '{FROM}' AND follow_up_date <= '{TO}'",
        status_code("completed")
    ))[0][0]);
    assert_eq!((g["recalls"]["due"].as_i64(), recalls), (Some(1), 1));
    let lopez = env.ok(&["report", "--from", FROM, "--to", TO, "-d", "Dra. López"]);
    assert_eq!(lopez["recalls"]["due"], 0);
    assert!(g["utilisation"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["doctor"]["id"] == garcia_id.as_str()));
    // The closed Friday is not open.
    assert!(!g["utilisation"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == "2026-06-19"));
}

#[test]
fn an_empty_period_has_no_rates() {
    let mut env = Env::clinic();
    env.at(SAT_27);
    let r = env.ok(&["report", "--from", "2026-06-20", "--to", "2026-06-21"]);
    assert_eq!(r["no_show_rate"]["denominator"], 0);
    assert!(r["no_show_rate"]["rate"].is_null());
    assert!(r["late_cancellation_rate"]["rate"].is_null());
    assert_eq!(r["utilisation"]["open_minutes"], 0);
    assert!(r["utilisation"]["rate"].is_null());
    assert_eq!(r["lead_time"]["count"], 0);
    assert!(r["lead_time"]["median_days"].is_null());
    assert_eq!(r["busiest"], serde_json::json!([]));
    assert_eq!(r["sources"], serde_json::json!([]));
    let out = env
        .cmd()
        .args(["report", "--from", "2026-06-20", "--to", "2026-06-21"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No appointments"));
}

/// The keys of a period's figures as a whole, which `previous` carries.
const WHOLE: [&str; 8] = [
    "bookings",
    "no_show_rate",
    "late_cancellation_rate",
    "lead_time",
    "messages",
    "waitlist",
    "recalls",
    "utilisation",
];

/// Each figure beside the period before's (issue 64): `previous` holds the
/// figures of the report over the days just before (the months just before
/// a whole month), the terminal sets them side by side with the change at
/// 80 columns in both languages, and the page carries both values.
#[test]
fn each_figure_stands_beside_the_period_befores() {
    let env = history();
    let r = env.ok(&["report", "--from", "2026-06-22", "--to", "2026-06-26"]);
    let before = env.ok(&["report", "--from", "2026-06-17", "--to", "2026-06-21"]);
    let p = &r["previous"];
    assert_eq!((s(&p["from"]), s(&p["to"])), ("2026-06-17", "2026-06-21"));
    for k in WHOLE {
        let mut want = before[k].clone();
        if let Some(o) = want.as_object_mut() {
            // The whole, without its breakdowns.
            o.retain(|k, _| !k.starts_with("by_") && k != "days");
        }
        assert_eq!(p[k], want, "{k}");
    }
    let count = |from: &str, to: &str| {
        n(&env.rows(&format!(
            "SELECT COUNT(*) FROM appointments WHERE local_date >= {} AND local_date <= {}",
            day_number(from),
            day_number(to)
        ))[0][0])
    };
    let (now, then) = (
        count("2026-06-22", "2026-06-26"),
        count("2026-06-17", "2026-06-21"),
    );
    assert_eq!(r["bookings"], now);
    assert_eq!(p["bookings"], then, "{p}");
    assert!(now != then && then > 0, "a change to show: {now} {then}");
    // A month: the month before, May, when nothing happened.
    let june = env.ok(&["report", "--month", "2026-06"]);
    let may = &june["previous"];
    assert_eq!(
        (s(&may["from"]), s(&may["to"])),
        ("2026-05-01", "2026-05-31")
    );
    assert_eq!(may["bookings"], 0);
    assert_eq!(june["bookings"], 44);

    // The terminal, in both languages at 80 columns: a row per figure,
    // this period, the one before and the change.
    for (lang, heading, bookings, used) in [
        (
            "en",
            "Beside the period before, Wednesday 17 June 2026 to",
            "Bookings",
            "Hours booked",
        ),
        (
            "es",
            "Frente al periodo anterior, del miércoles 17 de junio de 2026",
            "Reservas",
            "Horario reservado",
        ),
    ] {
        let out = env
            .cmd()
            .env("APPT_LANG", lang)
            .args([
                "report",
                "--from",
                "2026-06-22",
                "--to",
                "2026-06-26",
                "--width",
                "80",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(heading), "{text}");
        let row = |label: &str| {
            text.lines()
                .find(|l| l.contains(&format!("│ {label} ")))
                .unwrap_or_else(|| panic!("no {label}:\n{text}"))
                .split(['│', '┆'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        let change = format!("{:+}", now - then);
        assert_eq!(
            row(bookings),
            [
                bookings.to_string(),
                now.to_string(),
                then.to_string(),
                change
            ],
            "{text}"
        );
        let pct = |v: &Value| format!("{:.1}%", v.as_f64().unwrap() * 100.0);
        let (a, b) = (&r["utilisation"]["rate"], &p["utilisation"]["rate"]);
        let points = (a.as_f64().unwrap() - b.as_f64().unwrap()) * 100.0;
        let unit = if lang == "en" { "pt" } else { "p. p." };
        let change = format!("{}{points:.1} {unit}", if points > 0.0 { "+" } else { "" });
        assert_eq!(
            row(used),
            [used.to_string(), pct(a), pct(b), change],
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    }

    // The page: the same figures, both values in its rows.
    let page = env.dir.path().join("r.html");
    env.ok(&[
        "report",
        "--from",
        "2026-06-22",
        "--to",
        "2026-06-26",
        "--html",
        page.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains(r#"<figure data-figure="previous">"#),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            r#"data-key="bookings" data-value="{now}" data-before="{then}""#
        )),
        "{html}"
    );
    assert!(html.contains(&format!(
        r#"data-key="utilisation.rate" data-value="{}" data-before="{}""#,
        r["utilisation"]["rate"], p["utilisation"]["rate"]
    )));
}

#[test]
fn a_clinic_with_one_doctor_reports_that_doctor() {
    let mut env = Env::clinic();
    let a = s(&env.book("2026-06-16", "09:00", "+50370001111")["id"]).to_string();
    env.at("2026-06-16T16:00:00Z");
    env.ok(&["status", &a, "completed", "--diagnosis", "J00"]);
    env.at(SAT_27);
    let r = env.ok(&["report", "--from", FROM, "--to", TO]);
    let days = r["utilisation"]["days"].as_array().unwrap();
    // Ten weekdays of 240 minutes; one visit of 30.
    assert_eq!(days.len(), 10);
    assert_eq!(r["utilisation"]["open_minutes"], 2400);
    assert_eq!(r["utilisation"]["booked_minutes"], 30);
    assert_eq!(r["no_show_rate"]["by_doctor"].as_array().unwrap().len(), 1);
    assert_eq!(r["no_show_rate"]["denominator"], 1);
    assert_eq!(r["lead_time"]["median_days"], 1);
    assert_eq!(r["no_show_rate"]["by_lead_time"][0]["key"], "within_week");
}

#[test]
fn a_bad_date_is_refused_and_changes_nothing() {
    let env = Env::clinic();
    let d = env.refused(&["report", "--from", "someday"], "VALIDATION_ERROR", 2);
    assert!(d.to_string().contains("from"), "{d}");
    env.refused(
        &["report", "--from", "2026-06-20", "--to", "2026-06-10"],
        "VALIDATION_ERROR",
        2,
    );
}

/// A month at a time (issue 64): `--month 2026-06`, `--month last`
/// (`--mes pasado`), the API's `month=`; with `--from` it is refused.
#[test]
fn a_report_takes_a_whole_month() {
    let mut env = Env::clinic();
    env.at("2026-07-03T16:00:00Z");
    for (args, from, to) in [
        (
            vec!["report", "--month", "2026-06"],
            "2026-06-01",
            "2026-06-30",
        ),
        (
            vec!["report", "--month", "06/2026"],
            "2026-06-01",
            "2026-06-30",
        ),
        (
            vec!["report", "--month", "last"],
            "2026-06-01",
            "2026-06-30",
        ),
        (
            vec!["report", "--mes", "pasado"],
            "2026-06-01",
            "2026-06-30",
        ),
        (
            vec!["report", "--month", "este"],
            "2026-07-01",
            "2026-07-31",
        ),
        (
            vec!["report", "--month", "2026-02"],
            "2026-02-01",
            "2026-02-28",
        ),
    ] {
        let r = env.ok(&args);
        assert_eq!((s(&r["from"]), s(&r["to"])), (from, to), "{args:?}");
    }
    // A month by its name: the latest such, up to this one.
    let r = env.ok(&["report", "--mes", "junio"]);
    assert_eq!((s(&r["from"]), s(&r["to"])), ("2026-06-01", "2026-06-30"));
    let r = env.ok(&["report", "--month", "December"]);
    assert_eq!((s(&r["from"]), s(&r["to"])), ("2025-12-01", "2025-12-31"));
    env.refused(&["report", "--month", "juno"], "VALIDATION_ERROR", 2);
    let (code, _) = env.err(&["report", "--month", "last", "--from", "2026-06-01"]);
    assert_eq!(code, 2);
    let t = crate::serve::token(&env, "dash", "reports:read", &[]);
    let srv = crate::serve::Server::start(&env, &[]);
    let r = srv.get("/v1/reports?month=2026-05", &t);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (s(&r.json()["from"]), s(&r.json()["to"])),
        ("2026-05-01", "2026-05-31")
    );
    let r = srv.get("/v1/reports?month=2026-05&from=2026-05-02", &t);
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "VALIDATION_ERROR"),
        "{}",
        r.body
    );
}

/// A clinic without a cancellation window has no late cancellations: the
/// report says why, not `0.0%` (terminal and page).
#[test]
fn without_a_cancellation_window_the_late_rate_says_why() {
    let mut env = Env::clinic();
    let a = s(&env.book("2026-06-16", "09:00", "+50370001111")["id"]).to_string();
    let b = s(&env.book("2026-06-16", "10:00", "+50370002222")["id"]).to_string();
    env.ok(&["cancel", &a, "--reason", "Viaje"]);
    env.at("2026-06-16T16:30:00Z");
    env.ok(&["status", &b, "completed", "--diagnosis", "J00"]);
    env.at(SAT_27);
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["report", "--from", FROM, "--to", TO, "--width", "80"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no tiene plazo de"), "{text}");
    assert!(
        text.contains("Tardías │\n") || text.contains("Tardías │"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("│ Todas") && l.trim_end().ends_with("┆ —       │")),
        "{text}"
    );
    let page = env.dir.path().join("r.html");
    env.ok(&[
        "report",
        "--from",
        FROM,
        "--to",
        TO,
        "--html",
        page.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("— Late cancellations: none counted"),
        "{html}"
    );
    // With a window, the rate is back.
    env.ok(&["clinic", "update", "Central", "--cancel-window", "24h"]);
    let out = env
        .cmd()
        .args(["report", "--from", FROM, "--to", TO])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("no cancellation window"));
}

/// The report in a real terminal (tmux) at 80×24 and 120×40, in English
/// and in Spanish, once with `NO_COLOR`: every line fits the terminal's
/// width (a wider one would come back wider, the terminal's wrapping undone),
/// the pictures are drawn, the words are the language's, and no colour is
/// needed to read them.
#[test]
fn the_terminal_report_fits_80x24_and_120x40_in_both_languages() {
    let env = history();
    let args = format!("report --from {FROM} --to {TO}");
    for (size, vars, words) in [
        (
            (80, 24),
            "APPT_LANG=es",
            &[
                "Ocupación",
                "Ausencias",
                "Tardías",
                "Antelación",
                "Origen",
                "Reservadas el mismo día",
                "lunes",
                "Más movimiento",
                "una por día",
            ][..],
        ),
        (
            (120, 40),
            "APPT_LANG=es NO_COLOR=1",
            &["Ocupación", "Lista de espera", "Reservas: ▒▒"][..],
        ),
        (
            (80, 24),
            "APPT_LANG=en NO_COLOR=1",
            &[
                "Utilisation",
                "No-shows",
                "Late",
                "Lead time",
                "Busiest:",
                "one a day",
                "Monday",
            ][..],
        ),
        (
            (120, 40),
            "APPT_LANG=en",
            &["Utilisation", "Waitlist: 2"][..],
        ),
    ] {
        let t = crate::prompts::Tmux::start_in(&env, size, vars, &args);
        let (_, code) = t.exit();
        assert_eq!(code, 0);
        let text = t.scrollback();
        let text = &text[..text.find("EXIT=").unwrap()];
        println!("{vars} {size:?}:\n{text}");
        let widest = text
            .lines()
            .map(|l| l.trim_end().chars().count())
            .max()
            .unwrap();
        assert!(widest <= size.0 as usize, "wider than {size:?}:\n{text}");
        // The pictures use the room there is.
        if size.0 == 120 {
            assert!(widest > 80, "the charts keep to 80 columns at 120:\n{text}");
        }
        for word in words {
            assert!(
                text.contains(word),
                "{word} missing at {size:?} ({vars}):\n{text}"
            );
        }
        // A bar, a sparkline's days, the heatmap's shades and its weekday rows.
        assert!(
            text.contains('█') && text.contains(['▁', '▂', '▃', '▄', '▅', '▆', '▇']),
            "{text}"
        );
        let heat = text.lines().filter(|l| l.contains(['░', '▒', '▓'])).count();
        assert!(heat >= 3, "no heatmap:\n{text}");
        assert!(!text.contains("Paciente"), "a patient's name in the report");
    }
}

#[test]
fn a_day_whose_clocks_change_counts_the_minutes_it_has() {
    // New York springs forward at 02:00 on Sunday 8 March 2026: a window of
    // 00:00–04:00 that day is three hours long, the one the day before four.
    let mut env = Env::new();
    env.at("2026-03-01T15:00:00Z");
    env.ok(&[
        "clinic",
        "add",
        "East",
        "--timezone",
        "America/New_York",
        "--notify",
        "off",
    ]);
    env.ok(&["doctor", "add", "Dr. Night"]);
    for date in ["2026-03-07", "2026-03-08"] {
        env.ok(&[
            "window",
            "add",
            "-d",
            "Dr. Night",
            "-D",
            date,
            "--from",
            "00:00",
            "--to",
            "04:00",
        ]);
    }
    env.ok(&[
        "book",
        "-d",
        "Dr. Night",
        "-D",
        "2026-03-08",
        "-t",
        "03:00",
        "-P",
        "+12125550100",
        "--name",
        "Paciente",
    ]);
    env.at("2026-03-10T15:00:00Z");
    let r = env.ok(&["report", "--from", "2026-03-07", "--to", "2026-03-08"]);
    let days: Vec<(String, i64, i64)> = r["utilisation"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                s(&d["date"]).to_string(),
                d["open_minutes"].as_i64().unwrap(),
                d["booked_minutes"].as_i64().unwrap(),
            )
        })
        .collect();
    let held = n(&env.rows(
        "SELECT (ends_at - starts_at) / 60 + buffer_before + buffer_after FROM appointments",
    )[0][0]);
    assert_eq!(
        days,
        vec![
            ("2026-03-07".to_string(), 240, 0),
            ("2026-03-08".to_string(), 180, held)
        ]
    );
    // 03:00 that day is the local hour the visit is binned at.
    assert_eq!(r["busiest"][0]["hour"], 3);
    assert_eq!(r["busiest"][0]["weekday"], "sun");
}

/// `--json`'s figures as the rows `--format csv` gives them: (figure, by,
/// key, doctor ID) → (count, of).
type Rows = BTreeMap<(String, String, String, String), (String, String)>;

/// Puts a row: figure, by, key, doctor → count, of.
fn put(
    want: &mut Rows,
    (f, by, key, doctor): (&str, &str, &str, &str),
    count: &Value,
    of: Option<&Value>,
) {
    let num = |v: &Value| {
        if v.is_null() {
            String::new()
        } else {
            v.to_string()
        }
    };
    want.insert(
        (
            f.to_string(),
            by.to_string(),
            key.to_string(),
            doctor.to_string(),
        ),
        (num(count), of.map(num).unwrap_or_default()),
    );
}

/// The rows of a period's figures as a whole (`doc`: the report, or its
/// `previous`), broken down `by` nothing.
fn whole_rows(want: &mut Rows, r: &Value, by: &str) {
    put(want, ("bookings", by, "", ""), &r["bookings"], None);
    let u = &r["utilisation"];
    put(
        want,
        ("utilisation", by, "", ""),
        &u["booked_minutes"],
        Some(&u["open_minutes"]),
    );
    for f in ["no_show_rate", "late_cancellation_rate"] {
        let x = &r[f];
        put(
            want,
            (f, by, "", ""),
            &x["numerator"],
            Some(&x["denominator"]),
        );
    }
    let l = &r["lead_time"];
    for k in ["count", "median_days", "p90_days"] {
        put(want, ("lead_time", by, k, ""), &l[k], None);
    }
    let m = &r["messages"];
    for k in ["sent", "failed", "confirmed_after_reminder"] {
        put(want, ("messages", by, k, ""), &m[k], None);
    }
    put(
        want,
        ("messages", by, "delivered", ""),
        &m["delivered"],
        Some(&m["sent"]),
    );
    let w = &r["waitlist"];
    put(
        want,
        ("waitlist", by, "offers_made", ""),
        &w["offers_made"],
        None,
    );
    put(
        want,
        ("waitlist", by, "offers_filled", ""),
        &w["offers_filled"],
        Some(&w["offers_made"]),
    );
    let rc = &r["recalls"];
    put(want, ("recalls", by, "due", ""), &rc["due"], None);
    for k in ["sent", "booked"] {
        put(want, ("recalls", by, k, ""), &rc[k], Some(&rc["due"]));
    }
}

fn json_rows(r: &Value) -> Rows {
    let mut want = BTreeMap::new();
    whole_rows(&mut want, r, "all");
    whole_rows(&mut want, &r["previous"], "previous");
    let u = &r["utilisation"];
    for d in u["days"].as_array().unwrap() {
        let id = s(&d["doctor"]["id"]);
        put(
            &mut want,
            ("utilisation", "day", s(&d["date"]), id),
            &d["booked_minutes"],
            Some(&d["open_minutes"]),
        );
    }
    for f in ["no_show_rate", "late_cancellation_rate"] {
        let x = &r[f];
        for (by, list) in [
            ("doctor", "by_doctor"),
            ("weekday", "by_weekday"),
            ("hour", "by_hour"),
            ("lead_time", "by_lead_time"),
        ] {
            for k in x[list].as_array().unwrap() {
                let (key, doctor) = match by {
                    "doctor" => (
                        String::new(),
                        k["doctor_id"].as_str().unwrap_or("").to_string(),
                    ),
                    _ => (
                        k["key"].as_str().map_or(k["key"].to_string(), String::from),
                        String::new(),
                    ),
                };
                put(
                    &mut want,
                    (f, by, &key, &doctor),
                    &k["numerator"],
                    Some(&k["denominator"]),
                );
            }
        }
    }
    for b in r["busiest"].as_array().unwrap() {
        let key = format!("{} {:02}", s(&b["weekday"]), b["hour"].as_i64().unwrap());
        put(
            &mut want,
            ("busiest", "weekday_hour", &key, ""),
            &b["bookings"],
            None,
        );
    }
    for src in r["sources"].as_array().unwrap() {
        put(
            &mut want,
            ("sources", s(&src["source"]), "all", ""),
            &src["bookings"],
            Some(&r["bookings"]),
        );
        for (status, n) in src["by_status"].as_object().unwrap() {
            put(
                &mut want,
                ("sources", s(&src["source"]), status, ""),
                n,
                Some(&src["bookings"]),
            );
        }
    }
    want
}

/// `--format csv` (to standard output) and `--format xlsx -o FILE` carry
/// every figure of `--json`, each count with what it is out of and its
/// rate; the spreadsheet (read by openpyxl) holds the CSV's rows, its header
/// in the clinic's language, counts as numbers and rates as percentages. A
/// file that cannot be written is an error, and leaves nothing behind.
#[test]
fn csv_and_xlsx_carry_every_figure_of_the_json() {
    let env = history();
    let period = ["--from", FROM, "--to", TO];
    let r = env.ok(&[&["report"][..], &period].concat());
    let out = env
        .cmd()
        .args([&["report", "--format", "csv"][..], &period].concat())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    assert_eq!(
        csv.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "figure",
            "by",
            "key",
            "doctor_id",
            "doctor",
            "count",
            "of",
            "rate"
        ]
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    let mut got = BTreeMap::new();
    for row in &rows {
        let (count, of, rate) = (&row[5], &row[6], &row[7]);
        // A rate is the count over what it is out of, where that is not 0.
        match (count.parse::<f64>(), of.parse::<f64>()) {
            (Ok(c), Ok(o)) if o > 0.0 => {
                assert!(
                    (rate.parse::<f64>().unwrap() - c / o).abs() < 1e-9,
                    "{row:?}"
                )
            }
            _ => assert_eq!(rate, "", "{row:?}"),
        }
        let key = (
            row[0].to_string(),
            row[1].to_string(),
            row[2].to_string(),
            row[3].to_string(),
        );
        assert!(
            got.insert(key, (count.to_string(), of.to_string()))
                .is_none(),
            "twice: {row:?}"
        );
    }
    assert_eq!(got, json_rows(&r));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Paciente") && !text.contains("+503"));

    // The spreadsheet, to a file.
    let path = env.dir.path().join("informe.xlsx");
    let w = env.ok(&[
        &["report", "--format", "xlsx", "-o", path.to_str().unwrap()][..],
        &period,
    ]
    .concat());
    assert_eq!(w["format"], "xlsx");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    if let Some(read) = crate::export::validate("check_xlsx.py", &[path.as_os_str()]) {
        let book: Value = serde_json::from_str(&read).unwrap();
        assert_eq!(book["sheet"], "Report");
        assert_eq!(book["header"][0], "Figure");
        let cells = book["rows"].as_array().unwrap();
        assert_eq!(cells.len(), rows.len());
        for (cell, row) in cells.iter().zip(&rows) {
            for i in 0..5 {
                assert_eq!(cell[i]["value"].as_str().unwrap_or(""), &row[i]);
            }
            for i in [5, 6] {
                match &row[i] {
                    "" => assert_eq!(cell[i]["type"], "empty"),
                    n => {
                        assert_eq!(cell[i]["type"], "number");
                        assert_eq!(
                            cell[i]["value"].as_str().unwrap().parse::<f64>().unwrap(),
                            n.parse::<f64>().unwrap()
                        );
                    }
                }
            }
            if !row[7].is_empty() {
                assert_eq!(cell[7]["format"], "0.0%");
                let x: f64 = cell[7]["value"].as_str().unwrap().parse().unwrap();
                assert!((x - row[7].parse::<f64>().unwrap()).abs() < 1e-12);
            }
        }
    }

    // A folder that is not there: an error, and no file.
    let nowhere = env.dir.path().join("no/such/informe.xlsx");
    let out = env
        .cmd()
        .args(
            [
                &[
                    "report",
                    "--format",
                    "xlsx",
                    "-o",
                    nowhere.to_str().unwrap(),
                ][..],
                &period,
            ]
            .concat(),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!nowhere.exists());
    // --output without --format is a usage error.
    let out = env.cmd().args(["report", "-o", "x.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
