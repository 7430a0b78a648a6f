//! What `appt check` looks for: SQLite's own integrity and foreign-key checks,
//! every stored value appt cannot read back (the columns each table module
//! parses, through the same parsers: `store::stored`), then appt's invariants
//! — no over-capacity active appointments, tokens unique per scope and date, a
//! booked event for every appointment, no pending reminder of a finished
//! appointment, every sealed national ID opening for its own patient. Each
//! finding names its rows. (`tokens` also flags a token above its date's
//! counter, which the next booking would hand out again.)
//!
//! Every query reads each table once, in storage order, or looks rows up
//! through an index: the check's time grows with the data, not faster (a
//! million appointments take seconds). A row with a damaged instant is listed
//! as damaged and left out of the invariants, which could only guess at it.

use super::db::{marks, Peek, Row as DbRow, Tx, Val};
use super::db::{Backend, On, Table};
use super::keys::{Keys, Unopened};
use super::stored::{self, Layout};
use super::{
    api_tokens, appointments as appts, clinics, closures, doctors, events, links, patients,
    reminders, services, waitlist, webhooks, windows, Store, ACTIVE,
};
use crate::core::check::{over_capacity, token_scope, Scope, Span};
use crate::core::message::{Kind as MessageKind, Status as MessageStatus};
use crate::core::zone::Tz;
use crate::core::EventKind;
use crate::error::Result;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// The statuses an appointment ends in (`Status::FINISHED`), as an SQL list.
const FINISHED: &str =
    super::columns::code_list!(crate::core::Status::codes(crate::core::Status::FINISHED));

pub use super::findings::{
    AppointmentRow, DamageRow, KeyRow, PatientRow, ReminderRow, Row, Violation,
};

const APPOINTMENT: &str = "SELECT a.id, a.clinic_id, c.name, c.timezone, a.doctor_id, d.full_name, \
    a.service_id, s.name, a.window_id, w.capacity, a.status, a.local_date, a.starts_at, a.ends_at, a.token_number, \
    a.buffer_before, a.buffer_after FROM appointments a LEFT JOIN clinics c ON c.id = a.clinic_id LEFT JOIN doctors d ON d.id = a.doctor_id \
    LEFT JOIN services s ON s.id = a.service_id LEFT JOIN windows w ON w.id = a.window_id";

/// The clinic's zone, for showing local times; UTC when the clinic is gone
/// or its zone is damaged (listed as such by the `damaged_value` check).
fn zone(name: Option<String>) -> Tz {
    name.and_then(|z| stored::zone(&z).ok())
        .unwrap_or(crate::core::zone::UTC)
}

/// A visit's stored status by its name; a number appt never wrote as
/// itself (the `damaged_value` check lists it).
fn status_shown(code: i64) -> String {
    <crate::core::Status as crate::core::Coded>::from_code(code)
        .map_or_else(|| code.to_string(), |s| s.as_str().to_string())
}

/// A visit's local date from its day number; a number out of appt's years
/// as itself (the `damaged_value` check lists it).
fn day_shown(n: i64) -> String {
    super::db::date_of_day(n).map_or_else(|| n.to_string(), |d| d.to_string())
}

/// None when an instant of the row is damaged.
fn appointment_row(r: &DbRow<'_>) -> Result<Option<AppointmentRow>> {
    let (Ok(starts_at), Ok(ends_at)) = (stored::instant(r.get(12)?), stored::instant(r.get(13)?))
    else {
        return Ok(None);
    };
    let tz = r.get(3)?;
    Ok(Some(AppointmentRow {
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
        status: status_shown(r.get(10)?),
        local_date: day_shown(r.get(11)?),
        starts_at,
        ends_at,
        token_number: r.get(14)?,
        buffer_before: buffer(r, 15),
        buffer_after: buffer(r, 16),
    }))
}

/// The appointments `rest` selects (a join, a WHERE; no ORDER BY, so that a
/// table is read in storage order), by start then ID.
fn appointments(conn: &Tx, rest: &str, args: &[Val]) -> Result<Vec<AppointmentRow>> {
    let mut rows: Vec<AppointmentRow> = conn
        .rows(
            On::SCAN,
            &format!("{APPOINTMENT} {rest}"),
            args,
            appointment_row,
        )?
        .into_iter()
        .flatten()
        .collect();
    rows.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
    Ok(rows)
}

/// The appointments of `ids`, by start then ID: the rows of findings, read
/// whole once the narrow query that found them is done.
fn appointments_by_id(conn: &Tx, ids: &[String]) -> Result<Vec<AppointmentRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        let args: Vec<Val> = chunk.iter().map(|id| super::db::id(id)).collect();
        rows.extend(appointments(
            conn,
            &format!("WHERE a.id IN ({})", marks(1, chunk.len())),
            &args,
        )?);
    }
    rows.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
    Ok(rows)
}

/// The IDs a narrow query finds.
fn ids(conn: &Tx, sql: &str) -> Result<Vec<String>> {
    conn.rows(On::SCAN, sql, &[], |r| r.get(0))
}

/// An appt invariant: every violation it finds.
type Check = fn(&Tx) -> Result<Vec<Violation>>;

/// One piece of the check, run on whichever connection is free.
#[derive(Clone, Copy)]
enum Job {
    /// SQLite's page check (quick_check, or integrity_check when full).
    Pages,
    ForeignKeys,
    /// One table's stored values.
    Damage(&'static Layout),
    Invariant(&'static str, Check),
    /// Every sealed national ID opens for its own patient (needs the key).
    NationalIds,
}

impl Job {
    fn name(self) -> &'static str {
        match self {
            Job::Pages => "integrity",
            Job::ForeignKeys => "foreign_key",
            Job::Damage(_) => "damaged_value",
            Job::Invariant(name, _) => name,
            Job::NationalIds => "national_id",
        }
    }

    fn run(self, store: &mut Store, full: bool, keys: &Keys) -> Result<Vec<Violation>> {
        match self {
            Job::Pages | Job::ForeignKeys => match store.sqlite() {
                Some(db) if matches!(self, Job::Pages) => integrity(&db.conn, full),
                Some(db) => foreign_keys(&db.conn),
                None => Ok(Vec::new()),
            },
            Job::Damage(t) => store.read(|tx| damaged_values(tx, t)),
            Job::Invariant(_, f) => store.read(f),
            Job::NationalIds => store.read(|tx| national_ids(tx, keys)),
        }
    }
}

/// Runs every check: SQLite's own (on a file), every stored value, then
/// appt's invariants, each on one snapshot of the database. A check that
/// cannot even run (a damaged file, no key for the sealed IDs) is itself
/// reported, and the others still run. Findings come in that order.
///
/// On a file, the pieces run on two connections at once (SQLite's page
/// check alone reads the whole file for as long as the rest takes), the
/// longest first. The page check is `quick_check` (every page and every
/// constraint) unless `full`, which makes it `integrity_check`: every index
/// entry checked against its table too (46 s rather than 11 s at a million
/// appointments).
pub fn run(store: &mut Store, keys: &Keys, full: bool) -> Result<Vec<Violation>> {
    let mut jobs = Vec::new();
    let file = store.sqlite().map(|db| db.path.clone());
    if file.is_some() {
        jobs.extend([Job::Pages, Job::ForeignKeys]);
    }
    jobs.extend(STORED.iter().map(|t| Job::Damage(t)));
    jobs.extend([
        Job::Invariant("capacity", capacity),
        Job::Invariant("tokens", tokens),
        Job::Invariant("booked_event", booked_events),
        Job::Invariant("pending_reminder", pending_reminders),
        Job::Invariant("erased_patient", super::erasure::traces),
        Job::Invariant("window_services", window_services),
        Job::Invariant("missing_resource", missing_resources),
        Job::NationalIds,
    ]);
    // The longest first, so that the two connections finish together.
    let rank = |j: &Job| match j {
        Job::Pages => 0,
        Job::Invariant("pending_reminder", _) => 1,
        Job::Invariant("tokens", _) => 2,
        Job::Damage(t) if t.name == "events" || t.name == "reminders" => 3,
        _ => 4,
    };
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| rank(&jobs[i]));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<Vec<Violation>>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let work = |store: &mut Store| {
        if let Some(db) = store.sqlite() {
            // The lookups go through the same few indexes (a million
            // appointment IDs): keep more of them in memory (16 MiB).
            let _ = db.conn.execute_batch("PRAGMA cache_size = -16384");
        }
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let Some(&i) = order.get(n) else { break };
            let r = jobs[i].run(store, full, keys);
            if let Ok(mut slot) = results[i].lock() {
                *slot = Some(r);
            }
        }
    };
    std::thread::scope(|threads| {
        if let Some(path) = file.filter(|p| p.as_os_str() != ":memory:") {
            // A second connection; should it not open, this one does it all.
            let work = &work;
            threads.spawn(move || {
                if let Ok(mut other) = Store::open(&path, crate::store::Create::Never) {
                    work(&mut other);
                }
            });
        }
        work(store);
    });
    let mut found = Vec::new();
    for (job, slot) in jobs.iter().zip(results) {
        match slot.into_inner().ok().flatten() {
            Some(Ok(v)) => found.extend(v),
            Some(Err(e)) => found.push(could_not_run(job.name(), e)),
            None => found.push(could_not_run(
                job.name(),
                crate::error::Error::internal(crate::text::msg!("e-it_stopped_unexpectedly")),
            )),
        }
    }
    Ok(found)
}

/// A doctor's window in which nothing can be booked: the doctor does none
/// of the services it takes (docs/rules.md#who-does-what).
fn window_services(conn: &Tx) -> Result<Vec<Violation>> {
    let doctors = super::doctors::list(conn)?;
    Ok(super::windows::list(conn, None, None)?
        .iter()
        .filter_map(|w| {
            let d = doctors
                .iter()
                .find(|d| Some(&d.id) == w.doctor_id.as_ref())?;
            crate::core::offer::offered(&d.services, &w.services)
                .is_empty()
                .then(|| Violation {
                    check: "window_services",
                    message: crate::text::msg!(
                        "e-check_window_offers_nothing",
                        a = d.full_name.clone(),
                        window = w.id[..8.min(w.id.len())].to_string()
                    ),
                    rows: Vec::new(),
                })
        })
        .collect())
}

fn could_not_run(check: &'static str, e: crate::error::Error) -> Violation {
    Violation {
        check,
        message: crate::text::msg!("e-the_check_could_not_run", check = check, a = e.msg),
        rows: Vec::new(),
    }
}

fn integrity(conn: &Connection, full: bool) -> Result<Vec<Violation>> {
    let pragma = if full {
        "integrity_check"
    } else {
        "quick_check"
    };
    let mut st = conn.prepare(&format!("PRAGMA {pragma}"))?;
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
        message: crate::text::msg!(
            "e-sqlite_s_found_the_file_damaged",
            pragma = pragma,
            a = crate::text::msg!("e-problems", n = lines.len())
        ),
        rows: lines.into_iter().map(Row::Problem).collect(),
    }])
}

/// A name quoted for SQL.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every row whose foreign key points at nothing: what SQLite's
/// `foreign_key_check` finds, asked as one anti-join per key. Each walks the
/// child's index on the key where it has one, so the parent's keys are looked
/// up in order rather than at random row by row (at a million appointments,
/// 2 s rather than 8 s).
/// One anti-join per foreign key of the file's tables: (table, parent,
/// child column, statement selecting the rowid and value of each row that
/// points at nothing).
fn key_statements(conn: &Connection) -> Result<Vec<(String, String, String, String)>> {
    // (table, WITHOUT ROWID?, key, child column, parent, parent column), a
    // key's columns in order.
    let mut st = conn.prepare(
        "SELECT t.name, t.wr, f.id, f.\"from\", f.\"table\", f.\"to\" \
         FROM pragma_table_list t, pragma_foreign_key_list(t.name) f \
         WHERE t.schema = 'main' AND t.type = 'table' ORDER BY t.name, f.id, f.seq",
    )?;
    type KeyColumn = (String, bool, i64, String, String, Option<String>);
    let columns: Vec<KeyColumn> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    // Per (table, key): WITHOUT ROWID?, the parent, (child, parent) columns.
    type Key = (bool, String, Vec<(String, String)>);
    let mut keys: BTreeMap<(String, i64), Key> = BTreeMap::new();
    for (table, without_rowid, id, from, parent, to) in columns {
        let to = match to {
            Some(to) => to,
            // The parent's primary key (appt names its columns; others may not).
            None => conn.query_row(
                "SELECT name FROM pragma_table_info(?1) WHERE pk = 1",
                [&parent],
                |r| r.get(0),
            )?,
        };
        keys.entry((table, id))
            .or_insert_with(|| (without_rowid, parent, Vec::new()))
            .2
            .push((from, to));
    }
    Ok(keys
        .into_iter()
        .map(|((table, _), (without_rowid, parent, pairs))| {
            let present: Vec<String> = pairs
                .iter()
                .map(|(from, _)| format!("c.{} IS NOT NULL", quoted(from)))
                .collect();
            let matching: Vec<String> = pairs
                .iter()
                .map(|(from, to)| format!("p.{} = c.{}", quoted(to), quoted(from)))
                .collect();
            let sql = format!(
                "SELECT {}, c.{} FROM {} c WHERE {} \
                 AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
                if without_rowid { "NULL" } else { "c.rowid" },
                quoted(&pairs[0].0),
                quoted(&table),
                present.join(" AND "),
                quoted(&parent),
                matching.join(" AND "),
            );
            (table, parent, pairs[0].0.clone(), sql)
        })
        .collect())
}

/// Every row whose foreign key points at nothing: what SQLite's
/// `foreign_key_check` finds, asked as one anti-join per key. Each walks the
/// child's index on the key where it has one, so the parent's keys are looked
/// up in order rather than at random row by row (at a million appointments,
/// 2 s rather than 8 s).
fn foreign_keys(conn: &Connection) -> Result<Vec<Violation>> {
    let mut broken = Vec::new();
    for (table, parent, column, sql) in key_statements(conn)? {
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map([], |r| {
            use rusqlite::types::ValueRef;
            // The value as appt shows it: an ID kept as its 16 bytes as its text.
            let value = match r.get_ref(1)? {
                ValueRef::Null => None,
                ValueRef::Integer(i) => Some(i.to_string()),
                ValueRef::Real(f) => Some(f.to_string()),
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Some(
                    super::db::stored_id(b)
                        .map_or_else(|| format!("{} bytes", b.len()), super::db::shown_id),
                ),
            };
            Ok((r.get::<_, Option<i64>>(0)?, value))
        })?;
        for row in rows {
            let (rowid, value) = row?;
            broken.push((
                table.clone(),
                rowid,
                parent.clone(),
                Some(column.clone()),
                value,
            ));
        }
    }
    // One finding per (table, column, parent), with every row that breaks it.
    let mut groups: BTreeMap<(String, Option<String>, String), Vec<Row>> = BTreeMap::new();
    for (table, rowid, parent, column, value) in broken {
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
            message: crate::text::msg!(
                "e-rows_of_point_at_that_do_not",
                n = rows.len(),
                table = table,
                parent = parent,
                c = column.as_deref().unwrap_or("?")
            ),
            rows,
        })
        .collect())
}

/// The tables whose stored values commands parse, and which columns.
const STORED: [&Layout; 19] = [
    &super::channels::STORED,
    &super::inbox::STORED,
    &clinics::STORED,
    &doctors::STORED,
    &services::STORED,
    &super::resources::STORED,
    &windows::STORED,
    &closures::STORED,
    &patients::STORED,
    &appts::STORED,
    &reminders::STORED,
    &events::STORED,
    &waitlist::STORED,
    &webhooks::STORED,
    &api_tokens::STORED,
    &super::feeds::STORED,
    &super::calendars::STORED,
    &super::staff::STORED,
    &links::STORED,
];

/// Every stored value of `t` a command would refuse to read: one violation
/// per row and column, the table read once in storage order.
fn damaged_values(conn: &Tx, t: &Layout) -> Result<Vec<Violation>> {
    let mut damage = Vec::new();
    let names: Vec<&str> = t.cols.iter().map(|c| c.name).collect();
    conn.each(
        On::SCAN,
        &format!("SELECT {}, {} FROM {}", t.id, names.join(", "), t.name),
        &[],
        |r| {
            for (i, c) in t.cols.iter().enumerate() {
                let v = r.peek(i + 1)?;
                if let Err(problem) = c.kind.check(v, c.null) {
                    damage.push(damage_row(t, r, c.name, v, problem)?);
                }
            }
            Ok(())
        },
    )?;
    for (column, cond, problem) in t.rules {
        conn.each(
            On::SCAN,
            &format!("SELECT {}, {column} FROM {} WHERE {cond}", t.id, t.name),
            &[],
            |r| {
                damage.push(damage_row(
                    t,
                    r,
                    column,
                    r.peek(1)?,
                    crate::text::Msg::new(*problem),
                )?);
                Ok(())
            },
        )?;
    }
    damage.sort_by(|a, b| (&a.id, a.column).cmp(&(&b.id, b.column)));
    Ok(damage
        .into_iter()
        .map(|d| Violation {
            check: "damaged_value",
            message: stored::damaged(d.table, &d.id, d.column, &d.problem).msg,
            rows: vec![Row::Damage(d)],
        })
        .collect())
}

fn damage_row(
    t: &Layout,
    r: &DbRow,
    column: &'static str,
    v: Peek,
    problem: crate::text::Msg,
) -> Result<DamageRow> {
    let id = match r.peek(0)? {
        Peek::Int(i) => i.to_string(),
        Peek::Text(s) => s.to_string(),
        Peek::Id(b) => super::db::shown_id(b),
        other => other.what().to_string(),
    };
    let value = match v {
        Peek::Null => None,
        Peek::Int(i) => Some(i.to_string()),
        Peek::Text(s) => Some(s.chars().take(40).collect()),
        Peek::Id(b) => Some(super::db::shown_id(b)),
        other => Some(format!("({})", other.what())),
    };
    Ok(DamageRow {
        table: t.name,
        id,
        column,
        value,
        problem,
    })
}

/// What capacity needs of each active appointment (found by status): its
/// scope, instants, window's capacity and buffers; whole rows only for findings.
fn active_spans() -> String {
    format!(
        "SELECT a.id, a.doctor_id, a.clinic_id, a.service_id, a.starts_at, a.ends_at, w.capacity, \
         a.buffer_before, a.buffer_after \
         FROM appointments a LEFT JOIN windows w ON w.id = a.window_id WHERE a.status IN {ACTIVE} \
         AND a.overbook_rule IS NULL"
    )
}

/// A buffer as stored; 0 when damaged (the `damaged_value` check lists it).
fn buffer(r: &DbRow<'_>, i: usize) -> i64 {
    r.get::<i64>(i)
        .ok()
        .filter(|b| (stored::BUFFER.0..=stored::BUFFER.1).contains(b))
        .unwrap_or(0)
}

fn capacity(conn: &Tx) -> Result<Vec<Violation>> {
    let mut scopes: BTreeMap<Scope, Vec<(String, Span)>> = BTreeMap::new();
    conn.each(On::SCAN, &active_spans(), &[], |r| {
        let (Ok(start), Ok(end)) = (stored::instant(r.get(4)?), stored::instant(r.get(5)?)) else {
            // Damaged: listed as such, and left out here.
            return Ok(());
        };
        let key = Scope::of(r.get(1)?, r.get(2)?, r.get(3)?);
        let span = Span::held(start, end, (buffer(r, 7), buffer(r, 8)), r.get(6)?);
        scopes.entry(key).or_default().push((r.get(0)?, span));
        Ok(())
    })?;
    let mut found = Vec::new();
    for members in scopes.values_mut() {
        members.sort_by(|a, b| (a.1.start, &a.0).cmp(&(b.1.start, &b.0)));
        let spans: Vec<Span> = members.iter().map(|m| m.1).collect();
        for e in over_capacity(&spans) {
            let ids: Vec<String> = e.members.iter().map(|&m| members[m].0.clone()).collect();
            let rows = appointments_by_id(conn, &ids)?;
            let Some(first) = rows.first() else {
                continue;
            };
            let at = first.local(stored::instant(e.at).unwrap_or(first.starts_at));
            let message = if rows
                .iter()
                .any(|r| r.buffer_before > 0 || r.buffer_after > 0)
            {
                crate::text::msg!(
                    "e-active_appointments_at_once_buffers_included",
                    a = first.owner(),
                    b = e.peak,
                    c = at,
                    d = e.capacity
                )
            } else {
                crate::text::msg!(
                    "e-active_appointments_at_once_at_over_the",
                    a = first.owner(),
                    b = e.peak,
                    c = at,
                    d = e.capacity
                )
            };
            found.push(Violation {
                check: "capacity",
                message,
                rows: rows.into_iter().map(Row::Appointment).collect(),
            });
        }
    }
    Ok(found)
}

/// A token's scope, as bookings count them ([`token_scope`]), in SQL: the
/// doctor's or the window's ID, kept as its 16 bytes, as its text.
fn scope_sql(backend: Backend) -> String {
    format!(
        "CASE WHEN a.doctor_id IS NOT NULL THEN {} ELSE 'window:' || {} END",
        super::db::shown_id_sql(backend, "a.doctor_id"),
        super::db::shown_id_sql(backend, "a.window_id")
    )
}

/// The appointments holding a token another holds too (one pass to group
/// every appointment, then a lookup by date for the few duplicates).
fn tokens_twice(backend: Backend) -> String {
    let scope = scope_sql(backend);
    format!(
        "SELECT a.id FROM appointments a JOIN (SELECT {scope} AS scope, a.local_date AS day, a.token_number AS token FROM appointments a \
         WHERE a.doctor_id IS NOT NULL OR a.window_id IS NOT NULL \
         GROUP BY 1, 2, 3 HAVING count(*) > 1) dup \
         ON dup.scope = {scope} AND dup.day = a.local_date AND dup.token = a.token_number"
    )
}

/// The appointments whose token is above their date's counter (each
/// counter looked up by its key, whose date is text where the visit's is
/// a day number).
fn tokens_ahead(backend: Backend) -> String {
    let date = match backend {
        Backend::Sqlite => "date(a.local_date * 86400, 'unixepoch')",
        Backend::Postgres => "to_char(DATE '1970-01-01' + a.local_date, 'YYYY-MM-DD')",
    };
    let scope = scope_sql(backend);
    format!(
        "SELECT a.id FROM appointments a LEFT JOIN tokens t ON t.scope = {scope} AND t.local_date = {date} \
         WHERE (a.doctor_id IS NOT NULL OR a.window_id IS NOT NULL) \
         AND a.token_number > coalesce(t.last, 0)"
    )
}

fn tokens(conn: &Tx) -> Result<Vec<Violation>> {
    // Every appointment, whatever its status: a token is never handed out
    // twice on a date, nor left above the counter that hands them out. A
    // clinic-wide appointment whose window is gone has lost its scope and is
    // left out.
    let rows = appointments_by_id(conn, &ids(conn, &tokens_twice(conn.backend()))?)?;
    // Grouped by scope, date and token, as the query's scope reads them.
    let key = |a: &AppointmentRow| {
        (
            token_scope(a.doctor_id.as_deref(), a.window_id.as_deref().unwrap_or("")),
            a.local_date.clone(),
            a.token_number,
        )
    };
    let mut rows = rows;
    rows.sort_by_cached_key(|a| (key(a), a.starts_at, a.id.clone()));
    let mut found: Vec<Violation> = Vec::new();
    let mut last = None;
    for a in rows {
        let k = key(&a);
        match found.last_mut() {
            Some(v) if last.as_ref() == Some(&k) => v.rows.push(Row::Appointment(a)),
            _ => {
                found.push(Violation {
                    check: "tokens",
                    message: crate::text::Msg::verbatim(""),
                    rows: vec![Row::Appointment(a)],
                });
                last = Some(k);
            }
        }
    }
    for v in &mut found {
        if let Some(Row::Appointment(a)) = v.rows.first() {
            v.message = crate::text::msg!(
                "e-token_on_is_held_by_appointments",
                a = a.owner(),
                b = a.token_number,
                c = a.local_date,
                d = v.rows.len()
            );
        }
    }
    // A token above its date's counter would be handed out again by the next booking.
    let ahead = appointments_by_id(conn, &ids(conn, &tokens_ahead(conn.backend()))?)?;
    found.extend(ahead.into_iter().map(|a| Violation {
        check: "tokens",
        message: crate::text::msg!(
            "e-token_on_is_above_the_date_s",
            a = a.owner(),
            b = a.token_number,
            c = a.local_date
        ),
        rows: vec![Row::Appointment(a)],
    }));
    Ok(found)
}

/// Appointments without their booked event: each looked up among its own
/// events in their index (`events_appt`, which holds their types), not
/// among every booked event.
fn booked_missing() -> String {
    format!(
        "SELECT a.id FROM appointments a WHERE NOT EXISTS \
         (SELECT 1 FROM events e WHERE e.appointment_id = a.id AND {})",
        super::coded::is("e.type", EventKind::Booked)
    )
}

/// The active visits without a resource of a group their service needs at
/// their clinic (docs/rules.md#rooms-and-equipment): booked before the
/// service needed it, or written past appt.
fn missing_sql() -> String {
    format!(
        "SELECT a.id FROM appointments a WHERE a.status IN {ACTIVE} AND a.service_id IS NOT NULL \
         AND EXISTS (SELECT 1 FROM service_needs n JOIN resources r ON r.id = n.resource_id \
           WHERE n.service_id = a.service_id AND r.clinic_id = a.clinic_id \
           AND NOT EXISTS (SELECT 1 FROM appointment_resources g JOIN service_needs m \
             ON m.resource_id = g.resource_id AND m.service_id = n.service_id AND m.grp = n.grp \
             WHERE g.appointment_id = a.id AND g.active = 1))"
    )
}

fn missing_resources(conn: &Tx) -> Result<Vec<Violation>> {
    let rows = appointments_by_id(conn, &ids(conn, &missing_sql())?)?;
    Ok(rows
        .into_iter()
        .map(|a| Violation {
            check: "missing_resource",
            message: crate::text::msg!(
                "e-visit_missing_resource",
                a = a.owner(),
                b = a.local(a.starts_at)
            ),
            rows: vec![Row::Appointment(a)],
        })
        .collect())
}

fn booked_events(conn: &Tx) -> Result<Vec<Violation>> {
    let rows = appointments_by_id(conn, &ids(conn, &booked_missing())?)?;
    Ok(rows
        .into_iter()
        .map(|a| Violation {
            check: "booked_event",
            message: crate::text::msg!(
                "e-the_appointment_has_no_appointment_booked_event",
                a = a.owner(),
                b = a.local(a.starts_at)
            ),
            rows: vec![Row::Appointment(a)],
        })
        .collect())
}

/// The pending reminders (found by status) of finished appointments.
fn pending_sql() -> String {
    format!(
        "SELECT r.id, r.appointment_id, r.due_at, r.offset_minutes, a.status, c.timezone \
         FROM reminders r JOIN appointments a ON a.id = r.appointment_id LEFT JOIN clinics c ON c.id = a.clinic_id \
         WHERE {} AND {} AND a.status IN {FINISHED}",
        super::coded::is("r.status", MessageStatus::Pending),
        super::coded::is("r.kind", MessageKind::Reminder)
    )
}

fn pending_reminders(conn: &Tx) -> Result<Vec<Violation>> {
    let rows: Vec<Option<ReminderRow>> = conn.rows(On::SCAN, &pending_sql(), &[], |r| {
        let Ok(due_at) = stored::instant(r.get(2)?) else {
            return Ok(None);
        };
        Ok(Some(ReminderRow {
            id: r.get(0)?,
            appointment_id: r.get(1)?,
            status: MessageStatus::Pending,
            due_at,
            offset_minutes: r.get(3)?,
            appointment_status: status_shown(r.get(4)?),
            timezone: zone(r.get(5)?),
        }))
    })?;
    let mut rows: Vec<ReminderRow> = rows.into_iter().flatten().collect();
    rows.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
    Ok(rows
        .into_iter()
        .map(|r| Violation {
            check: "pending_reminder",
            message: crate::text::msg!(
                "e-a_reminder_is_still_pending_but_its",
                a = r.appointment_status
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
    let mut found = super::channels::check_secrets(conn, &ring)?;
    let bad = patients::unopened(conn, &ring)?;
    if bad.is_empty() {
        return Ok(found);
    }
    // A value that does not open for its patient may open for another: it
    // was copied (or swapped) from that patient's row.
    let mut origin: Vec<Option<String>> = vec![None; bad.len()];
    let strays: Vec<usize> = (0..bad.len())
        .filter(|&i| bad[i].2 == Unopened::NotForPatient)
        .collect();
    let patients_count: i64 = conn.one(
        On::reads(&[Table::Patients]),
        "SELECT count(*) FROM patients",
        &[],
    )?;
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
                crate::text::msg!("e-sealed_for_patient_copied", other = other),
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
    found.extend(groups.into_iter().map(|(kind, rows)| {
        let n = rows.len();
        Violation {
            check: "national_id",
            message: crate::text::msg!("e-national_ids_unreadable", n = n, kind = kind),
            rows,
        }
    }));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statement `check` runs on a table of appointments, reminders or events.
    fn statements() -> Vec<String> {
        let mut all = vec![
            active_spans(),
            tokens_twice(Backend::Sqlite),
            tokens_ahead(Backend::Sqlite),
            booked_missing(),
            pending_sql(),
            format!("{APPOINTMENT} WHERE a.id IN ({})", marks(1, 500)),
        ];
        for t in STORED {
            let names: Vec<&str> = t.cols.iter().map(|c| c.name).collect();
            all.push(format!(
                "SELECT {}, {} FROM {}",
                t.id,
                names.join(", "),
                t.name
            ));
            for (column, cond, _) in t.rules {
                all.push(format!(
                    "SELECT {}, {column} FROM {} WHERE {cond}",
                    t.id, t.name
                ));
            }
        }
        all
    }

    /// SQLite's plan: (id, parent, step) a line.
    fn plan(conn: &Connection, sql: &str) -> Vec<(i64, i64, String)> {
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let nulls = vec![rusqlite::types::Value::Null; st.parameter_count()];
        st.query_map(rusqlite::params_from_iter(nulls), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    /// What made `check` take 157 s at 20,000 appointments: a step repeated
    /// for each row that itself walks many rows. Each statement reads a table
    /// at most once per level (a second SCAN beside the first is a nested
    /// loop over a whole table), and what runs for each row (a correlated
    /// subquery) is an index search; the booked event, among the
    /// appointment's own events in their index alone.
    #[test]
    fn check_reads_each_table_once_and_looks_the_rest_up() {
        let mut s = Store::in_memory().unwrap();
        let c = &s.sqlite().unwrap().conn;
        let keys = key_statements(c).unwrap();
        assert!(keys.len() >= 17, "every foreign key: {}", keys.len());
        for (table, _, column, sql) in &keys {
            // The big children are walked in key order, through their index.
            let index = match (table.as_str(), column.as_str()) {
                ("reminders", "appointment_id") => Some("reminders_appt"),
                ("events", "appointment_id") => Some("events_appt"),
                ("appointments", "patient_id") => Some("appt_patient_date"),
                _ => None,
            };
            if let Some(index) = index {
                let p = plan(c, sql);
                let walk = p[0].2.split_once(' ').map_or("", |w| w.1);
                assert!(
                    walk.starts_with(&format!("c USING COVERING INDEX {index}")),
                    "{sql}\n{p:?}"
                );
            }
        }
        for sql in statements()
            .into_iter()
            .chain(keys.into_iter().map(|k| k.3))
        {
            let p = plan(c, &sql);
            let text = p
                .iter()
                .map(|l| l.2.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let mut scans: BTreeMap<i64, usize> = BTreeMap::new();
            for (_, parent, step) in &p {
                if step.starts_with("SCAN ") {
                    *scans.entry(*parent).or_default() += 1;
                }
                let correlated = p
                    .iter()
                    .any(|(id, _, s)| id == parent && s.starts_with("CORRELATED"));
                assert!(
                    !correlated || step.starts_with("SEARCH") && step.contains("COVERING INDEX"),
                    "a walk for each row in\n{sql}\n{text}"
                );
            }
            assert!(
                scans.values().all(|&n| n <= 1),
                "a table read for each row of another in\n{sql}\n{text}"
            );
            // The ORDER BY is done on the findings, not by walking a table in
            // an index's order (a random read of every row).
            assert!(!text.contains("USING INDEX appt_start"), "{sql}\n{text}");
        }
        let booked = plan(c, &booked_missing());
        assert!(
            booked
                .iter()
                .any(|l| l.2 == "SEARCH e USING COVERING INDEX events_appt (appointment_id=?)"),
            "{booked:?}"
        );
    }

    /// On PostgreSQL, with sequential scans discouraged, the booked events
    /// are looked up among each appointment's events in their index, never
    /// read from the events table.
    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn check_looks_booked_events_up_in_their_index_on_postgres() {
        crate::store::on_scratch_pg(|st| {
            st.read(|tx| {
                tx.exec(On::NOTHING, "SET LOCAL enable_seqscan = off", &[])?;
                let plan: Vec<String> = tx.rows(
                    On::SCAN,
                    &format!("EXPLAIN {}", booked_missing()),
                    &[],
                    |r| r.get(0),
                )?;
                let plan = plan.join("\n");
                assert!(plan.contains("events_appt"), "{plan}");
                assert!(!plan.contains("Seq Scan on events"), "{plan}");
                Ok(())
            })
            .unwrap();
        });
    }
}
