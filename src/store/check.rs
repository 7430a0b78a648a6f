//! What `appt check` looks for: SQLite's own integrity and foreign-key checks,
//! then appt's invariants (SPEC §10) — no over-capacity active appointments,
//! tokens unique per scope and date, a booked event for every appointment, no
//! pending reminder of a finished appointment. Each finding names its rows.
//! (`tokens` also flags a token above its date's counter, which the next
//! booking would hand out again; `national_id` flags every sealed ID that the
//! database's key does not open for its own patient.)

use super::crypto::{Keys, Unopened};
use super::db::{Row as DbRow, Tx};
use super::{instant, patients, Store};
use crate::core::check::{over_capacity, Span};
use crate::core::time;
use crate::error::Result;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;
use std::collections::BTreeMap;

const ACTIVE: &str = "('scheduled','confirmed','checked_in','in_progress')";
const FINISHED: &str = "('completed','cancelled','no_show')";

/// One broken rule and the rows that break it.
#[derive(Debug, Clone)]
pub struct Violation {
    /// `integrity`, `foreign_key`, `capacity`, `tokens`, `booked_event`,
    /// `pending_reminder` or `national_id`.
    pub check: &'static str,
    pub message: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub enum Row {
    Appointment(AppointmentRow),
    Reminder(ReminderRow),
    Key(KeyRow),
    Patient(PatientRow),
    /// A line of SQLite's `integrity_check`.
    Problem(String),
}

/// An appointment as stored, with just enough around it to be recognised.
/// Read with outer joins: a broken reference must not hide the row.
#[derive(Debug, Clone)]
pub struct AppointmentRow {
    pub id: String,
    pub clinic_id: String,
    pub clinic_name: Option<String>,
    pub timezone: Tz,
    pub doctor_id: Option<String>,
    pub doctor_name: Option<String>,
    pub service_id: Option<String>,
    pub service_name: Option<String>,
    pub window_id: Option<String>,
    /// None when the window is gone.
    pub window_capacity: Option<i64>,
    pub status: String,
    pub local_date: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub token_number: i64,
}

#[derive(Debug, Clone)]
pub struct ReminderRow {
    pub id: String,
    pub appointment_id: String,
    pub status: String,
    pub due_at: DateTime<Utc>,
    pub offset_minutes: i64,
    pub appointment_status: String,
    /// The clinic's, for local times.
    pub timezone: Tz,
}

/// A row whose foreign key points at nothing.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub table: String,
    pub rowid: Option<i64>,
    pub parent: String,
    pub column: Option<String>,
    pub value: Option<String>,
}

/// A patient whose sealed national ID does not open, and why.
#[derive(Debug, Clone)]
pub struct PatientRow {
    pub id: String,
    pub problem: String,
}

impl AppointmentRow {
    /// Whose capacity and tokens it counts against, for messages.
    pub fn owner(&self) -> String {
        match (&self.doctor_id, &self.doctor_name) {
            (Some(_), Some(name)) => name.clone(),
            (Some(id), None) => format!("doctor {id}"),
            (None, _) => format!(
                "clinic-wide {} at {}",
                self.service_name.as_deref().unwrap_or("(no service)"),
                self.clinic_name.as_deref().unwrap_or(&self.clinic_id)
            ),
        }
    }

    /// `2026-06-15 10:00`, local to the clinic.
    pub fn local(&self, t: DateTime<Utc>) -> String {
        let (d, hm) = time::to_local(self.timezone, t);
        format!("{d} {hm}")
    }
}

const APPOINTMENT: &str = "SELECT a.id, a.clinic_id, c.name, c.timezone, a.doctor_id, d.full_name, \
    a.service_id, s.name, a.window_id, w.capacity, a.status, a.local_date, a.starts_at, a.ends_at, a.token_number \
    FROM appointments a LEFT JOIN clinics c ON c.id = a.clinic_id LEFT JOIN doctors d ON d.id = a.doctor_id \
    LEFT JOIN services s ON s.id = a.service_id LEFT JOIN windows w ON w.id = a.window_id";

/// The clinic's zone; UTC when the clinic is gone or its zone unknown.
fn zone(name: Option<String>) -> Tz {
    name.and_then(|z| time::parse_timezone(&z).ok())
        .unwrap_or(chrono_tz::UTC)
}

fn appointment_row(r: &DbRow<'_>) -> Result<AppointmentRow> {
    let tz = r.get(3)?;
    Ok(AppointmentRow {
        id: r.get(0)?,
        clinic_id: r.get(1)?,
        clinic_name: r.get(2)?,
        timezone: zone(tz),
        doctor_id: r.get(4)?,
        doctor_name: r.get(5)?,
        service_id: r.get(6)?,
        service_name: r.get(7)?,
        window_id: r.get(8)?,
        window_capacity: r.get(9)?,
        status: r.get(10)?,
        local_date: r.get(11)?,
        starts_at: instant(r.get(12)?),
        ends_at: instant(r.get(13)?),
        token_number: r.get(14)?,
    })
}

fn appointments(conn: &Tx, rest: &str) -> Result<Vec<AppointmentRow>> {
    conn.rows(&format!("{APPOINTMENT} {rest}"), &[], appointment_row)
}

/// An appt invariant: every violation it finds.
type Check = fn(&Tx) -> Result<Vec<Violation>>;

/// Who shares capacity: a doctor, or a clinic's clinic-wide service.
type Scope<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// Runs every check: SQLite's own (on a file), then appt's invariants on one
/// snapshot of the database. A check that cannot even run (a damaged file, no
/// key for the sealed IDs) is itself reported, and the others still run.
pub fn run(store: &mut Store, keys: &Keys) -> Result<Vec<Violation>> {
    let mut found = Vec::new();
    let mut note = |check: &'static str, r: Result<Vec<Violation>>| match r {
        Ok(v) => found.extend(v),
        Err(e) => found.push(Violation {
            check,
            message: format!("the {check} check could not run: {}", e.message),
            rows: Vec::new(),
        }),
    };
    if let Some(db) = store.sqlite() {
        note("integrity", integrity(&db.conn));
        note("foreign_key", foreign_keys(&db.conn));
    }
    let checks: [(&'static str, Check); 4] = [
        ("capacity", capacity),
        ("tokens", tokens),
        ("booked_event", booked_events),
        ("pending_reminder", pending_reminders),
    ];
    for (check, f) in checks {
        note(check, store.read(f));
    }
    note("national_id", store.read(|tx| national_ids(tx, keys)));
    Ok(found)
}

fn integrity(conn: &Connection) -> Result<Vec<Violation>> {
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let lines: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if lines.iter().all(|l| l == "ok") {
        return Ok(Vec::new());
    }
    // One result may hold several problems, one a line, under a header.
    let lines: Vec<String> = lines
        .iter()
        .flat_map(|l| l.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("*** in database"))
        .map(String::from)
        .collect();
    Ok(vec![Violation {
        check: "integrity",
        message: format!(
            "SQLite's integrity_check found the file damaged ({} problem{})",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        ),
        rows: lines.into_iter().map(Row::Problem).collect(),
    }])
}

fn foreign_keys(conn: &Connection) -> Result<Vec<Violation>> {
    let mut st = conn.prepare("PRAGMA foreign_key_check")?;
    let broken: Vec<(String, Option<i64>, String, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    // One finding per (table, column, parent), with every row that breaks it.
    let mut groups: BTreeMap<(String, Option<String>, String), Vec<Row>> = BTreeMap::new();
    for (table, rowid, parent, fkid) in broken {
        let column: Option<String> = conn
            .prepare("SELECT \"from\" FROM pragma_foreign_key_list(?1) WHERE id = ?2 ORDER BY seq LIMIT 1")?
            .query_row(rusqlite::params![table, fkid], |r| r.get(0))
            .ok();
        let value = match (&column, rowid) {
            (Some(c), Some(id)) => conn
                .query_row(
                    &format!(
                        "SELECT CAST(\"{}\" AS TEXT) FROM \"{}\" WHERE rowid = ?1",
                        c.replace('"', "\"\""),
                        table.replace('"', "\"\"")
                    ),
                    [id],
                    |r| r.get(0),
                )
                .ok(),
            _ => None,
        };
        groups
            .entry((table.clone(), column.clone(), parent.clone()))
            .or_default()
            .push(Row::Key(KeyRow {
                table,
                rowid,
                parent,
                column,
                value,
            }));
    }
    Ok(groups
        .into_iter()
        .map(|((table, column, parent), rows)| Violation {
            check: "foreign_key",
            message: format!(
                "{} row{} of {table} point{} at {parent} that do{} not exist (column {})",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                if rows.len() == 1 { "s" } else { "" },
                if rows.len() == 1 { "es" } else { "" },
                column.as_deref().unwrap_or("?")
            ),
            rows,
        })
        .collect())
}

fn capacity(conn: &Tx) -> Result<Vec<Violation>> {
    let rows = appointments(
        conn,
        &format!("WHERE a.status IN {ACTIVE} ORDER BY a.starts_at, a.id"),
    )?;
    // A doctor's appointments count together at every clinic; clinic-wide
    // ones per clinic and service, whichever window row they were booked in.
    let mut scopes: BTreeMap<Scope, Vec<&AppointmentRow>> = BTreeMap::new();
    for a in &rows {
        let key = match &a.doctor_id {
            Some(d) => (Some(d.as_str()), None, None),
            None => (None, Some(a.clinic_id.as_str()), a.service_id.as_deref()),
        };
        scopes.entry(key).or_default().push(a);
    }
    let mut found = Vec::new();
    for members in scopes.values() {
        let spans: Vec<Span> = members
            .iter()
            .map(|a| Span {
                start: a.starts_at.timestamp(),
                end: a.ends_at.timestamp(),
                // A window that is gone allowed one at a time.
                capacity: a.window_capacity.unwrap_or(1),
            })
            .collect();
        for e in over_capacity(&spans) {
            let first = members[e.members[0]];
            found.push(Violation {
                check: "capacity",
                message: format!(
                    "{}: {} active appointments at once at {}, over the window's capacity of {}",
                    first.owner(),
                    e.peak,
                    first.local(instant(e.at)),
                    e.capacity
                ),
                rows: e
                    .members
                    .iter()
                    .map(|&m| Row::Appointment(members[m].clone()))
                    .collect(),
            });
        }
    }
    Ok(found)
}

fn tokens(conn: &Tx) -> Result<Vec<Violation>> {
    // Every appointment, whatever its status: a token is never handed out
    // twice on a date, nor left above the counter that hands them out. A clinic-wide appointment whose window is gone has lost
    // its scope and is left out.
    let scope =
        "CASE WHEN a.doctor_id IS NOT NULL THEN a.doctor_id ELSE 'window:' || a.window_id END";
    let rows = appointments(
        conn,
        &format!(
            "JOIN (SELECT {scope} AS scope, a.local_date AS day, a.token_number AS token FROM appointments a \
             WHERE a.doctor_id IS NOT NULL OR a.window_id IS NOT NULL \
             GROUP BY 1, 2, 3 HAVING count(*) > 1) dup \
             ON dup.scope = {scope} AND dup.day = a.local_date AND dup.token = a.token_number \
             ORDER BY dup.scope, dup.day, dup.token, a.starts_at, a.id"
        ),
    )?;
    let mut found: Vec<Violation> = Vec::new();
    let mut last: Option<(Option<String>, Option<String>, String, i64)> = None;
    for a in rows {
        let key = (
            a.doctor_id.clone(),
            a.doctor_id.is_none().then(|| a.window_id.clone()).flatten(),
            a.local_date.clone(),
            a.token_number,
        );
        match found.last_mut() {
            Some(v) if last.as_ref() == Some(&key) => v.rows.push(Row::Appointment(a)),
            _ => {
                found.push(Violation {
                    check: "tokens",
                    message: String::new(),
                    rows: vec![Row::Appointment(a)],
                });
                last = Some(key);
            }
        }
    }
    for v in &mut found {
        if let Some(Row::Appointment(a)) = v.rows.first() {
            v.message = format!(
                "{}: token {} on {} is held by {} appointments",
                a.owner(),
                a.token_number,
                a.local_date,
                v.rows.len()
            );
        }
    }
    // A token above its date's counter would be handed out again by the next booking.
    let ahead = appointments(
        conn,
        &format!(
            "LEFT JOIN tokens t ON t.scope = {scope} AND t.local_date = a.local_date \
             WHERE (a.doctor_id IS NOT NULL OR a.window_id IS NOT NULL) \
             AND a.token_number > coalesce(t.last, 0) ORDER BY a.starts_at, a.id"
        ),
    )?;
    found.extend(ahead.into_iter().map(|a| Violation {
        check: "tokens",
        message: format!(
            "{}: token {} on {} is above the date's token counter, so the next booking would get it again",
            a.owner(),
            a.token_number,
            a.local_date
        ),
        rows: vec![Row::Appointment(a)],
    }));
    Ok(found)
}

fn booked_events(conn: &Tx) -> Result<Vec<Violation>> {
    let rows = appointments(
        conn,
        "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.appointment_id = a.id AND e.type = 'appointment.booked') \
         ORDER BY a.starts_at, a.id",
    )?;
    Ok(rows
        .into_iter()
        .map(|a| Violation {
            check: "booked_event",
            message: format!(
                "{}, {}: the appointment has no appointment.booked event",
                a.owner(),
                a.local(a.starts_at)
            ),
            rows: vec![Row::Appointment(a)],
        })
        .collect())
}

fn pending_reminders(conn: &Tx) -> Result<Vec<Violation>> {
    let rows: Vec<ReminderRow> = conn.rows(
        &format!(
            "SELECT r.id, r.appointment_id, r.status, r.due_at, r.offset_minutes, a.status, c.timezone \
             FROM reminders r JOIN appointments a ON a.id = r.appointment_id LEFT JOIN clinics c ON c.id = a.clinic_id \
             WHERE r.status = 'pending' AND r.kind = 'reminder' AND a.status IN {FINISHED} ORDER BY r.due_at, r.id"
        ),
        &[],
        |r| {
            Ok(ReminderRow {
                id: r.get(0)?,
                appointment_id: r.get(1)?,
                status: r.get(2)?,
                due_at: instant(r.get(3)?),
                offset_minutes: r.get(4)?,
                appointment_status: r.get(5)?,
                timezone: zone(r.get(6)?),
            })
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|r| Violation {
            check: "pending_reminder",
            message: format!(
                "a reminder is still pending, but its appointment is {}",
                r.appointment_status
            ),
            rows: vec![Row::Reminder(r)],
        })
        .collect())
}

/// How many tries the search for where a stray sealed ID came from may take
/// (each is one decryption, about a microsecond).
const ORIGIN_SEARCH: usize = 1_000_000;

/// Every sealed national ID opens, for its own patient, under the database's
/// key. One that does not is reported with its patient: damaged, sealed under
/// a key version the key does not hold, or copied from another patient's row
/// (that patient named, when a short search finds them).
fn national_ids(conn: &Tx, keys: &Keys) -> Result<Vec<Violation>> {
    if !patients::any_sealed(conn)? {
        return Ok(Vec::new());
    }
    let ring = patients::opening_keys(conn, keys)?;
    let bad = patients::unopened(conn, &ring)?;
    if bad.is_empty() {
        return Ok(Vec::new());
    }
    // A value that does not open for its patient may open for another: it
    // was copied (or swapped) from that patient's row.
    let mut origin: Vec<Option<String>> = vec![None; bad.len()];
    let strays: Vec<usize> = (0..bad.len())
        .filter(|&i| bad[i].2 == Unopened::NotForPatient)
        .collect();
    let patients_count: i64 = conn.one("SELECT count(*) FROM patients", &[])?;
    if !strays.is_empty()
        && strays
            .len()
            .saturating_mul(usize::try_from(patients_count).unwrap_or(usize::MAX))
            <= ORIGIN_SEARCH
    {
        patients::each_id(conn, |id| {
            for &i in &strays {
                if origin[i].is_none() && id != bad[i].0 && ring.open(id, &bad[i].1).is_ok() {
                    origin[i] = Some(id.to_string());
                }
            }
        })?;
    }
    // One finding per kind of problem, with every patient it touches.
    let mut groups: BTreeMap<u8, Vec<Row>> = BTreeMap::new();
    for ((id, _, why), from) in bad.into_iter().zip(origin) {
        let (kind, problem) = match (&why, from) {
            (_, Some(other)) => (
                0,
                format!("sealed for patient {other}: copied from that patient's row"),
            ),
            (Unopened::NotForPatient, None) => (1, why.describe()),
            (Unopened::Unbound, None) => (2, why.describe()),
            (Unopened::UnknownVersion(_), None) => (3, why.describe()),
            (Unopened::Damaged, None) => (4, why.describe()),
        };
        groups
            .entry(kind)
            .or_default()
            .push(Row::Patient(PatientRow { id, problem }));
    }
    Ok(groups
        .into_iter()
        .map(|(kind, rows)| {
            let n = rows.len();
            let whose = if n == 1 {
                "1 patient's national ID".to_string()
            } else {
                format!("{n} patients' national IDs")
            };
            // (one patient, several)
            let (one, many) = match kind {
                0 => ("belongs", "belong"),
                1 => ("does not open", "do not open"),
                _ => ("is", "are"),
            };
            let what = match kind {
                0 => "to another patient: sealed for that patient's row and copied (or swapped) onto this one",
                1 => "for their patient: damaged, or copied from another patient's row",
                2 => "in an older appt's unbound format, though this database's IDs were bound to their patients: copied in from an old copy",
                3 => "sealed under a key version the database's key does not hold",
                _ => "damaged: not a sealed value appt can read",
            };
            Violation {
                check: "national_id",
                message: format!(
                    "{whose} {} {what}; an ID shows as unreadable until it is given again \
                     (`appt patient update PATIENT --national-id ID`)",
                    if n == 1 { one } else { many }
                ),
                rows,
            }
        })
        .collect())
}
