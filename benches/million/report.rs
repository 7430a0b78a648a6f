//! The report's figure (docs/performance.md#reports): `appt report --from
//! --to --json` over a calendar year of the workload's data against the SQL
//! that computes the same aggregates, on the same copy (`sqlite3`, or
//! `psql` on the server's): the minutes booked per doctor and day; no-shows
//! and late cancellations overall and by doctor, weekday, hour and lead
//! bucket; the lead time's count, median and 90th percentile by nearest
//! rank; bookings by weekday × hour; sources × status; the reminders sent,
//! delivered and failed and the visits confirmed after one. Local times are
//! the clinic's (six hours behind UTC all year, integer arithmetic in SQL).
//! The minutes open (appt's calendars: windows and closures) and the
//! recalls have no counterpart in the reference.
//!
//! The clinic's cancellation window is set to 2 hours for the figure (the
//! workload's clinics have none, and a window of 0 makes no cancellation
//! late) and put back after. Every figure the reference prints is checked
//! against appt's JSON of the last timed run: a difference fails the run.

use super::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// The cancellation window of the figure, in minutes.
const WINDOW: i64 = 120;

/// The period: the calendar year the data holds whole that holds `NOW`,
/// else the latest it holds whole, else (a small `APPT_BENCH_SCALE`) the
/// span's first 366 days at most.
pub(super) fn period(scale: f64) -> (NaiveDate, NaiveDate) {
    let (first, last) = span(scale);
    let year = |y: i32| {
        (
            NaiveDate::from_ymd_opt(y, 1, 1).expect("a date"),
            NaiveDate::from_ymd_opt(y, 12, 31).expect("a date"),
        )
    };
    let whole = |(a, b): (NaiveDate, NaiveDate)| a >= first && b <= last;
    let now_year = year(now().year());
    if whole(now_year) {
        return now_year;
    }
    if let Some(y) = (first.year()..=last.year())
        .rev()
        .map(year)
        .find(|p| whole(*p))
    {
        return y;
    }
    (first, last.min(first + Duration::days(365)))
}

/// The reference: one statement per figure, each row labelled with what it
/// is so that the output reads back whatever the client. A clinic's and a
/// doctor's ID are kept as their 16 bytes: the doctors' are shown as text,
/// as appt's JSON shows them.
fn reference_sql(e: &Engine, clinic_id: &str, from: NaiveDate, to: NaiveDate) -> String {
    let off = UTC_OFFSET_HOURS * 3600;
    let f = format!(
        "a.clinic_id = {} AND a.local_date >= {} AND a.local_date <= {}",
        e.id_literal(clinic_id),
        super::day_no(from),
        super::day_no(to)
    );
    let (doctor, rate_doctor) = (e.id_text("a.doctor_id"), e.id_text("d"));
    let date = e.date_text("a.local_date");
    let day = |col: &str| format!("(({col} + {off}) / 86400)");
    let wd = format!("(({} + 3) % 7)", day("a.starts_at"));
    let hr = format!("(((a.starts_at + {off}) % 86400) / 3600)");
    let lead = format!("({} - {})", day("a.starts_at"), day("a.created_at"));
    let (cancelled, no_show) = (Status::Cancelled.code(), Status::NoShow.code());
    let (status, source) = (
        super::status_name("a.status"),
        super::source_name("a.source"),
    );
    let late = format!(
        "(a.status = {cancelled} AND a.cancelled_at IS NOT NULL AND a.starts_at - a.cancelled_at <= {})",
        WINDOW * 60
    );
    let due = format!("a.status IN ({}, {no_show})", Status::Completed.code());
    let confirmed = EventKind::Confirmed.code();
    let (sent, failed, reminder) = (
        MessageStatus::Sent.code(),
        MessageStatus::Failed.code(),
        MessageKind::Reminder.code(),
    );
    format!(
        "SELECT 'booked', {doctor}, {date}, \
           sum((a.ends_at - a.starts_at) / 60 + a.buffer_before + a.buffer_after) \
           FROM appointments a WHERE {f} AND a.status <> {cancelled} GROUP BY a.doctor_id, a.local_date; \
         WITH r AS (SELECT a.doctor_id AS d, {wd} AS wd, {hr} AS hr, \
             CASE WHEN {lead} <= 0 THEN 'same_day' WHEN {lead} <= 7 THEN 'within_week' ELSE 'later' END AS lb, \
             count(CASE WHEN a.status = {no_show} THEN 1 END) AS ns, \
             count(CASE WHEN {due} THEN 1 END) AS due, \
             count(CASE WHEN {late} THEN 1 END) AS late \
           FROM appointments a WHERE {f} AND ({due} OR {late}) GROUP BY 1, 2, 3, 4) \
         SELECT 'rates', 'overall', '', sum(ns), sum(due), sum(late), sum(due + late) FROM r \
         UNION ALL SELECT 'rates', 'doctor', {rate_doctor}, sum(ns), sum(due), sum(late), sum(due + late) FROM r GROUP BY d \
         UNION ALL SELECT 'rates', 'weekday', CAST(wd AS TEXT), sum(ns), sum(due), sum(late), sum(due + late) FROM r GROUP BY wd \
         UNION ALL SELECT 'rates', 'hour', CAST(hr AS TEXT), sum(ns), sum(due), sum(late), sum(due + late) FROM r GROUP BY hr \
         UNION ALL SELECT 'rates', 'lead', lb, sum(ns), sum(due), sum(late), sum(due + late) FROM r GROUP BY lb; \
         WITH h AS (SELECT {lead} AS days, count(*) AS n FROM appointments a \
             WHERE {f} AND a.status <> {cancelled} GROUP BY 1), \
           c AS (SELECT days, sum(n) OVER (ORDER BY days) AS cum, sum(n) OVER () AS total FROM h) \
         SELECT 'lead', max(total), min(CASE WHEN 2 * cum >= total THEN days END), \
           min(CASE WHEN 10 * cum >= 9 * total THEN days END) FROM c; \
         SELECT 'busiest', {wd}, {hr}, count(*) FROM appointments a \
           WHERE {f} AND a.status <> {cancelled} GROUP BY 2, 3; \
         SELECT 'sources', {source}, {status}, count(*) FROM appointments a WHERE {f} GROUP BY a.source, a.status; \
         SELECT 'messages', COUNT(CASE WHEN m.status = {sent} THEN 1 END), COUNT(m.delivered_at), \
           COUNT(CASE WHEN m.status = {failed} THEN 1 END) \
           FROM reminders m JOIN appointments a ON a.id = m.appointment_id WHERE m.kind = {reminder} AND {f}; \
         SELECT 'confirmed', COUNT(*) FROM appointments a WHERE {f} AND EXISTS \
           (SELECT 1 FROM events e JOIN reminders m ON m.appointment_id = e.appointment_id \
            WHERE e.appointment_id = a.id AND e.type = {confirmed} \
            AND m.kind = {reminder} AND m.status = {sent} AND m.sent_at <= e.created_at);"
    )
}

/// Figures keyed alike on both sides ("no_show weekday mon numerator" →
/// 12), zeros left out.
type Figures = BTreeMap<String, i64>;

/// The reference's output read back.
fn from_reference(out: &str) -> Res<Figures> {
    let mut f = Figures::new();
    let num = |s: &str| -> Res<i64> {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("not a number in the reference's output: {s:?}"))
    };
    let mut put = |k: String, v: i64| {
        if v != 0 {
            *f.entry(k).or_default() += v;
        }
    };
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let c: Vec<&str> = line.split('|').collect();
        match c.as_slice() {
            ["booked", doctor, date, minutes] => {
                put(format!("booked {doctor} {date}"), num(minutes)?)
            }
            ["rates", by, key, ns, due, late, late_due] => {
                let key = match *by {
                    "weekday" => WEEKDAY_NAMES[num(key)? as usize].to_string(),
                    _ => key.to_string(),
                };
                put(format!("no_show {by} {key} numerator"), num(ns)?);
                put(format!("no_show {by} {key} denominator"), num(due)?);
                put(format!("late {by} {key} numerator"), num(late)?);
                put(format!("late {by} {key} denominator"), num(late_due)?);
            }
            ["lead", count, median, p90] => {
                put(
                    "lead count".into(),
                    if count.is_empty() { 0 } else { num(count)? },
                );
                if !median.is_empty() {
                    put("lead median".into(), num(median)? + 1);
                    put("lead p90".into(), num(p90)? + 1);
                }
            }
            ["busiest", wd, hr, n] => put(
                format!("busiest {} {}", WEEKDAY_NAMES[num(wd)? as usize], num(hr)?),
                num(n)?,
            ),
            ["sources", source, status, n] => put(format!("sources {source} {status}"), num(n)?),
            ["messages", sent, delivered, failed] => {
                put("messages sent".into(), num(sent)?);
                put("messages delivered".into(), num(delivered)?);
                put("messages failed".into(), num(failed)?);
            }
            ["confirmed", n] => put("messages confirmed_after_reminder".into(), num(n)?),
            _ => return Err(format!("unexpected line from the reference: {line}")),
        }
    }
    Ok(f)
}

const WEEKDAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The same figures from appt's JSON.
fn from_appt(out: &str) -> Res<Figures> {
    let v: Value = serde_json::from_str(out).map_err(|e| format!("report --json: {e}"))?;
    let mut f = Figures::new();
    let mut put = |k: String, v: &Value| -> Res<()> {
        let n = v
            .as_i64()
            .ok_or_else(|| format!("{k}: not a number: {v}"))?;
        if n != 0 {
            *f.entry(k).or_default() += n;
        }
        Ok(())
    };
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    for d in list(&v["utilisation"]["days"]) {
        put(
            format!("booked {} {}", text(&d["doctor"]["id"]), text(&d["date"])),
            &d["booked_minutes"],
        )?;
    }
    for (name, json) in [
        ("no_show", "no_show_rate"),
        ("late", "late_cancellation_rate"),
    ] {
        let r = &v[json];
        for part in ["numerator", "denominator"] {
            put(format!("{name} overall  {part}"), &r[part])?;
            for (by, list_key, key) in [
                ("doctor", "by_doctor", "doctor_id"),
                ("weekday", "by_weekday", "key"),
                ("hour", "by_hour", "key"),
                ("lead", "by_lead_time", "key"),
            ] {
                for x in list(&r[list_key]) {
                    put(format!("{name} {by} {} {part}", text(&x[key])), &x[part])?;
                }
            }
        }
    }
    let lt = &v["lead_time"];
    put("lead count".into(), &lt["count"])?;
    // One more, so that a median of 0 days is not left out as a zero.
    for (k, json) in [("lead median", "median_days"), ("lead p90", "p90_days")] {
        if let Some(n) = lt[json].as_i64() {
            put(k.into(), &Value::from(n + 1))?;
        }
    }
    for b in list(&v["busiest"]) {
        put(
            format!("busiest {} {}", text(&b["weekday"]), text(&b["hour"])),
            &b["bookings"],
        )?;
    }
    for s in list(&v["sources"]) {
        if let Some(by) = s["by_status"].as_object() {
            for (status, n) in by {
                put(format!("sources {} {status}", text(&s["source"])), n)?;
            }
        }
    }
    for k in ["sent", "delivered", "failed", "confirmed_after_reminder"] {
        put(format!("messages {k}"), &v["messages"][k])?;
    }
    Ok(f)
}

/// Where two sets of figures differ, a few lines of it.
fn differences(appt: &Figures, reference: &Figures) -> Vec<String> {
    let keys: std::collections::BTreeSet<&String> = appt.keys().chain(reference.keys()).collect();
    keys.into_iter()
        .filter(|k| appt.get(*k) != reference.get(*k))
        .map(|k| {
            format!(
                "{k}: appt {:?}, reference {:?}",
                appt.get(k),
                reference.get(k)
            )
        })
        .collect()
}

impl Bench<'_> {
    /// The report's figure, the clinic's cancellation window set for it and
    /// put back after, whatever it comes to.
    pub(super) fn report(&self, reference: &str) -> Res<Row> {
        let clinic = &self.plan.clinic;
        let set =
            |w: &str| run_ok(self.appt_args(&["clinic", "update", clinic, "--cancel-window", w]));
        set(&format!("{WINDOW}m"))?;
        let row = self.report_figure(reference);
        let back = set("0m");
        let row = row?;
        back?;
        Ok(row)
    }

    fn report_figure(&self, reference: &str) -> Res<Row> {
        let p = self.plan;
        let (from, to) = p.year;
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let in_period = self.engine.count(&format!(
            "SELECT count(*) FROM appointments WHERE clinic_id = {} AND local_date >= {} \
             AND local_date <= {}",
            self.engine.id_literal(&p.clinic_id),
            super::day_no(from),
            super::day_no(to)
        ))?;
        let sql = reference_sql(self.engine, &p.clinic_id, from, to);
        let x = self.pair(
            (1, self.runs.min(5)),
            &|_| {
                self.appt_args(&[
                    "--clinic", &p.clinic, "report", "--from", &from_s, "--to", &to_s, "--json",
                ])
            },
            &|_| self.engine.reference(&sql),
            &|_| Ok(()),
        )?;
        // The last timed runs' outputs: the same figures on both sides.
        let a = from_appt(&fs::read_to_string(self.file("appt.out")).map_err(err)?)?;
        let r = from_reference(&fs::read_to_string(self.file("ref.out")).map_err(err)?)?;
        let diff = differences(&a, &r);
        if !diff.is_empty() {
            return Err(format!(
                "appt report and the reference differ in {} figures: {}",
                diff.len(),
                diff.iter().take(8).cloned().collect::<Vec<_>>().join("; ")
            ));
        }
        eprintln!(
            "  report {from}..{to}: {in_period} appointments; {} figures equal on both sides \
             (booked minutes {}, no-shows {}/{}, sources {})",
            a.len(),
            a.iter()
                .filter(|(k, _)| k.starts_with("booked "))
                .map(|(_, v)| v)
                .sum::<i64>(),
            a.get("no_show overall  numerator").unwrap_or(&0),
            a.get("no_show overall  denominator").unwrap_or(&0),
            a.iter()
                .filter(|(k, _)| k.starts_with("sources "))
                .map(|(_, v)| v)
                .sum::<i64>(),
        );
        Ok(self.ratio_row(
            &format!("report --from {from} --to {to} --json ({in_period} appointments)"),
            &x,
            2.0,
            &format!("{reference}, the same aggregates"),
        ))
    }
}
