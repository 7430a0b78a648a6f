//! The `appointments` table, read back with what its JSON object shows of the
//! clinic, patient, doctor and service.

use super::appointment_busy;
use super::appointment_columns::{self, overbooked};
use super::asked::Asked;
use super::columns::{assignments, count, place, under};
use super::db::{self, marks, Backend, Changes, Insert, On, Row, Table, ToVal, Tx};
use super::stored::{Fields, BUFFER, MINUTES};
use super::{epoch, resolve, Lookup, ACTIVE};
use crate::args;
use crate::core::slots::Busy;
use crate::core::{time, Appointment, AppointmentRow, Coded, Modality, Status, Urgency, VisitType};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::OnceLock;

pub use super::appointment_busy::{
    busy_clinic_wide, busy_for_doctor, busy_for_doctors, MAX_MINUTES,
};
pub use super::appointment_columns::STORED;
pub use super::appointment_filter::{count_grouped, CountBy, Filter};

const LOOKUP: Lookup = Lookup {
    table: Table::Appointments,
    also: &[],
    what: crate::error::Entity::Appointment,
    by_name: false,
    filter: "",
    label: "local_date",
    suggest: false,
};

/// The stored columns of an appointment (`core::appointment_fields`). The
/// table has three more for appt itself: `sequence` (changes, for exports),
/// `solo` (in a one-at-a-time window), `patient_name_given` ([`name_given`]).
pub const COLS: &str = "id, clinic_id, doctor_id, patient_id, service_id, window_id, local_date, \
    duration_minutes, starts_at, ends_at, status, token_number, source, session, batch, reason, notes, \
    diagnosis, prescription, follow_up_required, follow_up_date, cancellation_reason, external_reference_id, \
    created_at, updated_at, confirmed_at, checked_in_at, started_at, completed_at, cancelled_at, no_show_at, \
    series_id, buffer_before, buffer_after, urgency, modality, visit_type, payer, overbook_reason, \
    overbook_by, overbook_rule";

/// The table's own columns beyond the row's.
pub const MORE: &str = "sequence, solo, patient_name_given";

/// What an appointment's JSON object shows of its clinic, patient, doctor and
/// service, read with it, and its sequence: after [`COLS`] in [`select`].
/// The patient's name is the one given on the appointment, if any.
const JOINED: &str = "c.name, c.timezone, p.full_name, p.phone, d.full_name, d.specialty, s.name, \
    s.duration_minutes, a.sequence, p.erased_at, a.patient_name_given";

/// The place of a [`JOINED`] column in [`select`]'s rows.
macro_rules! joined {
    ($name:literal) => {
        const { count(COLS) + $crate::store::columns::at(JOINED, $name) }
    };
}

/// Appointments with their clinic, patient, doctor and service.
pub(super) fn select() -> &'static str {
    static SELECT: OnceLock<String> = OnceLock::new();
    SELECT.get_or_init(|| select_from("appointments a", PatientJoin::Plain))
}

/// What a statement of the appointments alone reads.
const OWN: On = On::reads(&[Table::Appointments]);

/// What [`select`] reads.
pub(super) const SELECTED: On = On::reads(&[
    Table::AppointmentResources,
    Table::Appointments,
    Table::Resources,
    Table::Clinics,
    Table::Patients,
    Table::Doctors,
    Table::Services,
]);

/// Whether appointments read by [`get_many`] when the tables had been
/// changed `then` times are still as they were at `now`: none of the tables
/// they are read from changed, nor the windows (removing one clears its
/// visits' window without writing the appointments themselves).
pub fn unchanged(then: &Changes, now: &Changes) -> bool {
    !then.moved(now, SELECTED.reads) && !then.moved(now, &[Table::Windows])
}

/// How [`select_from`] joins each appointment's patient.
#[derive(Clone, Copy)]
enum PatientJoin {
    /// A join the planner may make as it likes.
    Plain,
    /// A look-up of each patient by its key: PostgreSQL would rather hash
    /// every patient (a scan of the whole table, 30 ms at 200,000) than
    /// look a thousand up by their key (10 ms); a subquery it may not fold
    /// into the join keeps the look-ups.
    ByKey,
}

/// [`select`] of the appointments of `from`, a table or a subquery named
/// `a` (an index named for it, a page chosen first).
fn select_from(from: &str, patient: PatientJoin) -> String {
    let patient = match patient {
        PatientJoin::Plain => "JOIN patients p ON p.id = a.patient_id",
        PatientJoin::ByKey => {
            "JOIN LATERAL (SELECT full_name, phone, erased_at FROM patients WHERE id = a.patient_id OFFSET 0) p ON true"
        }
    };
    format!(
        "SELECT {}, {JOINED}, {} FROM {from} JOIN clinics c ON c.id = a.clinic_id \
         {patient} LEFT JOIN doctors d ON d.id = a.doctor_id \
         LEFT JOIN services s ON s.id = a.service_id",
        under("a", COLS),
        super::resources::GIVEN
    )
}

pub(super) fn from_row(r: &Row) -> Result<Appointment> {
    let f = r.of("appointments", place!(COLS, "id"))?;
    let row = row_of(&f)?;
    // An erased patient's phone column holds a placeholder, no phone.
    let patient_erased = f.get::<Option<i64>>(joined!("p.erased_at"))?.is_some();
    Ok(Appointment {
        row,
        timezone: r
            .of("clinics", place!(COLS, "clinic_id"))?
            .zone(joined!("c.timezone"))?,
        clinic_name: f.get(joined!("c.name"))?,
        patient_name: match f.get(joined!("a.patient_name_given"))? {
            Some(given) => given,
            None => f.get(joined!("p.full_name"))?,
        },
        patient_phone: if patient_erased {
            String::new()
        } else {
            f.get(joined!("p.phone"))?
        },
        patient_erased,
        doctor_name: f.get(joined!("d.full_name"))?,
        doctor_specialty: f.get(joined!("d.specialty"))?,
        service_name: f.get(joined!("s.name"))?,
        service_minutes: f.get(joined!("s.duration_minutes"))?,
        resources: super::resources::given_read(f.get(const { count(COLS) + count(JOINED) })?),
    })
}

/// The numbers a source is stored as (`core::SOURCES`' places, from 1).
const SOURCE_CODES: (i64, i64) = (1, crate::core::SOURCES.len() as i64);

/// An appointment's own columns ([`COLS`] first in a row).
fn row_of(f: &Fields) -> Result<AppointmentRow> {
    let starts_at = f.instant(place!(COLS, "starts_at"))?;
    let ends_at = f.instant(place!(COLS, "ends_at"))?;
    if ends_at <= starts_at {
        return Err(f.damaged(
            place!(COLS, "ends_at"),
            crate::text::msg!("e-is_not_after_starts_at"),
        ));
    }
    Ok(AppointmentRow {
        id: f.id().to_string(),
        clinic_id: f.get(place!(COLS, "clinic_id"))?,
        doctor_id: f.get(place!(COLS, "doctor_id"))?,
        patient_id: f.get(place!(COLS, "patient_id"))?,
        service_id: f.get(place!(COLS, "service_id"))?,
        window_id: f.get(place!(COLS, "window_id"))?,
        local_date: f.day(place!(COLS, "local_date"))?,
        starts_at,
        ends_at,
        duration_minutes: f.range(place!(COLS, "duration_minutes"), MINUTES)?,
        status: f.numbered(place!(COLS, "status"), Status::CODES, Status::from_code)?,
        token_number: f.get(place!(COLS, "token_number"))?,
        source: f
            .numbered(
                place!(COLS, "source"),
                SOURCE_CODES,
                crate::core::source_named,
            )?
            .to_string(),
        session: f.get(place!(COLS, "session"))?,
        batch: f.get(place!(COLS, "batch"))?,
        reason: f.get(place!(COLS, "reason"))?,
        notes: f.get(place!(COLS, "notes"))?,
        diagnosis: f.get(place!(COLS, "diagnosis"))?,
        prescription: f.get(place!(COLS, "prescription"))?,
        follow_up_required: f.get(place!(COLS, "follow_up_required"))?,
        follow_up_date: f.opt_date(place!(COLS, "follow_up_date"))?,
        cancellation_reason: f.get(place!(COLS, "cancellation_reason"))?,
        external_reference_id: f.get(place!(COLS, "external_reference_id"))?,
        created_at: f.instant(place!(COLS, "created_at"))?,
        updated_at: f.instant(place!(COLS, "updated_at"))?,
        confirmed_at: f.opt_instant(place!(COLS, "confirmed_at"))?,
        checked_in_at: f.opt_instant(place!(COLS, "checked_in_at"))?,
        started_at: f.opt_instant(place!(COLS, "started_at"))?,
        completed_at: f.opt_instant(place!(COLS, "completed_at"))?,
        cancelled_at: f.opt_instant(place!(COLS, "cancelled_at"))?,
        no_show_at: f.opt_instant(place!(COLS, "no_show_at"))?,
        series_id: f.get(place!(COLS, "series_id"))?,
        buffer_before: f.range(place!(COLS, "buffer_before"), BUFFER)?,
        buffer_after: f.range(place!(COLS, "buffer_after"), BUFFER)?,
        urgency: f.numbered(place!(COLS, "urgency"), Urgency::CODES, Urgency::from_code)?,
        modality: f.numbered(
            place!(COLS, "modality"),
            Modality::CODES,
            Modality::from_code,
        )?,
        visit_type: f.numbered(
            place!(COLS, "visit_type"),
            VisitType::CODES,
            VisitType::from_code,
        )?,
        payer: f.get(place!(COLS, "payer"))?,
        overbooked: overbooked(
            f.get(place!(COLS, "overbook_reason"))?,
            f.get(place!(COLS, "overbook_by"))?,
            f.get(place!(COLS, "overbook_rule"))?,
        ),
    })
}

pub fn get(conn: &Tx, id: &str) -> Result<Appointment> {
    conn.row(
        SELECTED,
        &format!("{} WHERE a.id = ?1", select()),
        args![db::id(id)],
        from_row,
    )?
    .ok_or_else(|| Error::not_found(crate::error::Entity::Appointment))
}

/// How many times appointment `id` has changed (its `sequence`): an
/// invitation's SEQUENCE, which a calendar program reads to know the later
/// of two (docs/rules.md#e-mail).
pub fn sequence(conn: &Tx, id: &str) -> Result<i64> {
    conn.row(
        On::reads(&[Table::Appointments]),
        "SELECT sequence FROM appointments WHERE id = ?1",
        args![db::id(id)],
        |r| r.get(0),
    )?
    .ok_or_else(|| Error::not_found(crate::error::Entity::Appointment))
}

/// The appointments of `ids` (whole IDs), by ID, in one query per few
/// hundred: a sweep reads a thousand reminders' appointments at once.
pub fn get_many(conn: &Tx, ids: &[&str]) -> Result<HashMap<String, Appointment>> {
    let mut found = HashMap::new();
    let mut ids: Vec<&str> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let sql = format!("{} WHERE a.id IN ({{keys}})", select());
    for a in conn.rows_in_ids(SELECTED, &sql, &[], &ids, from_row)? {
        found.insert(a.id.clone(), a);
    }
    // An ID that is not there is answered as `get` answers it.
    for id in ids {
        if !found.contains_key(id) {
            found.insert(id.to_string(), get(conn, id)?);
        }
    }
    Ok(found)
}

/// An appointment as stored, without what it shows of its clinic,
/// patient, doctor and service: for a reader that holds those already (the
/// event stream reads each of them once, not once an appointment).
pub struct Bare {
    pub row: AppointmentRow,
    /// The name its clinic was given for the patient ([`name_given`]).
    pub name_given: Option<String>,
    pub resources: Vec<crate::core::resources::Given>,
}

/// What [`bare_many`] reads.
const BARE: On = On::reads(&[
    Table::AppointmentResources,
    Table::Appointments,
    Table::Resources,
]);

/// The appointments of `ids` (whole IDs) as stored ([`Bare`]), in one
/// query per few hundred; an ID that is not there is answered as [`get`]
/// answers it.
pub fn bare_many(conn: &Tx, ids: &[&str]) -> Result<Vec<Bare>> {
    let mut ids: Vec<&str> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let sql = format!(
        "SELECT {}, a.patient_name_given, {} FROM appointments a WHERE a.id IN ({{keys}})",
        under("a", COLS),
        super::resources::GIVEN
    );
    let found = conn.rows_in_ids(BARE, &sql, &[], &ids, |r| {
        let f = r.of("appointments", place!(COLS, "id"))?;
        Ok(Bare {
            row: row_of(&f)?,
            name_given: f.get(const { count(COLS) })?,
            resources: super::resources::given_read(f.get(const { count(COLS) + 1 })?),
        })
    })?;
    if found.len() < ids.len() {
        let there: std::collections::HashSet<&str> =
            found.iter().map(|b| b.row.id.as_str()).collect();
        for id in ids.iter().filter(|id| !there.contains(*id)) {
            get(conn, id)?;
        }
    }
    Ok(found)
}

/// The appointments of these whole IDs that are there, each with its
/// sequence (as [`each`] hands them); an ID not there is left out.
pub fn those(conn: &Tx, ids: &[&str]) -> Result<Vec<(Appointment, i64)>> {
    let sql = format!("{} WHERE a.id IN ({{keys}})", select());
    conn.rows_in_ids(SELECTED, &sql, &[], ids, |r| {
        Ok((from_row(r)?, r.get(joined!("a.sequence"))?))
    })
}

/// An appointment by ID or unique prefix. Candidates of an ambiguous prefix
/// carry what tells them apart: patient, doctor and local date and time.
pub fn find(conn: &Tx, input: &str) -> Result<Appointment> {
    match resolve(conn, &LOOKUP, input) {
        Ok(id) => get(conn, &id),
        Err(mut e) if e.code == crate::error::Code::AmbiguousId => {
            let ids: Vec<String> = e.details["candidates"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|x| x["id"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let mut candidates = Vec::new();
            for id in ids {
                candidates.push(candidate(&get(conn, &id)?));
            }
            e.details["candidates"] = serde_json::Value::Array(candidates);
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// An appointment among several a reference matched: what tells it apart
/// (patient, doctor, local date and time).
pub fn candidate(a: &Appointment) -> serde_json::Value {
    let (date, hm) = time::to_local(a.timezone, a.starts_at);
    let who = a
        .doctor_name
        .clone()
        .unwrap_or_else(|| "clinic-wide".into());
    serde_json::json!({
        "id": a.id,
        "name": format!("{} with {who}, {date} {hm}", a.patient_name),
        "patient": a.patient_name,
        "doctor": a.doctor_name,
        "date": date.to_string(),
        "start_time": hm,
        "status": a.status.as_str(),
    })
}

/// How many active overbooked appointments the doctor has at `clinic` on a
/// local date (docs/rules.md#overbooking): the clinic's allowance counts
/// its own; another clinic's are neither counted nor learnt of.
pub fn overbooked_on(conn: &Tx, doctor: &str, clinic: &str, date: NaiveDate) -> Result<i64> {
    conn.one(
        OWN,
        &format!(
            "SELECT count(*) FROM appointments WHERE doctor_id = ?1 AND clinic_id = ?3 \
             AND local_date = ?2 AND overbook_rule IS NOT NULL AND status IN {ACTIVE}"
        ),
        args![db::id(doctor), db::day(date), db::id(clinic)],
    )
}

/// How many active appointments of a service start at or after `from`:
/// a service they take is not removed (docs/rules.md#who-does-what).
pub fn active_of_service_from(conn: &Tx, service: &str, from: DateTime<Utc>) -> Result<i64> {
    conn.one(
        OWN,
        &format!(
            "SELECT count(*) FROM appointments WHERE service_id = ?1 AND starts_at >= ?2 \
             AND status IN {ACTIVE}"
        ),
        args![db::id(service), epoch(from)],
    )
}

/// The active appointment holding an external reference at `clinic`
/// (idempotency): a reference belongs to the clinic it was booked at, so
/// another clinic's is none of this one's (docs/security.md#clinics-apart).
pub fn by_external_ref(conn: &Tx, clinic: &str, reference: &str) -> Result<Option<Appointment>> {
    let holding: Vec<Appointment> = conn.memo(Asked::ByExternalRef(reference), || {
        conn.rows(
            SELECTED,
            &by_refs_sql(conn.backend(), 1),
            args![reference],
            from_row,
        )
    })?;
    Ok(holding.into_iter().find(|a| a.clinic_id == clinic))
}

/// The active appointments holding any of `n` references.
pub(super) fn by_refs_sql(backend: Backend, n: usize) -> String {
    // Given a list, SQLite (no statistics gathered) would walk every active
    // appointment by status rather than look each reference up in the index
    // made for it.
    let from = match backend {
        Backend::Sqlite => "appointments a INDEXED BY appt_external_ref",
        Backend::Postgres => "appointments a",
    };
    format!(
        "{} WHERE a.external_reference_id IN ({}) AND a.status IN {ACTIVE}",
        select_from(from, PatientJoin::Plain),
        marks(1, n)
    )
}

/// Records on appointment `id` the name its clinic was given for a patient
/// it did not know (docs/api.md#another-clinics-patient): the patient's
/// record is not theirs to change, and this name is what the appointment
/// shows.
pub fn name_given(conn: &Tx, id: &str, name: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Appointments]),
        "UPDATE appointments SET patient_name_given = ?2 WHERE id = ?1",
        args![db::id(id), name],
    )?;
    Ok(())
}

/// Inserts a new appointment; `solo` when its window takes one at a time (on
/// PostgreSQL an exclusion constraint then backs the capacity rule).
pub fn insert(conn: &Tx, a: &AppointmentRow, solo: bool) -> Result<()> {
    let changes: Vec<Asked> = a
        .external_reference_id
        .iter()
        .map(|r| Asked::ByExternalRef(r))
        .collect();
    if a.status.is_active() {
        // One more busy time on the doctor's days kept that it meets.
        let mut b = Busy::new(
            a.id.clone(),
            a.starts_at,
            a.ends_at,
            a.buffer_before,
            a.buffer_after,
        );
        b.solo = solo;
        if let Some(doctor) = &a.doctor_id {
            appointment_busy::kept_with(conn, doctor, &b);
        }
    }
    let mut args = appointment_columns::bind(a, COLS)?;
    args.push(solo.to_val());
    conn.insert_later_changing(&INSERT, &args, &changes)
}

/// [`insert`]'s statement: every column of [`COLS`], and `solo`.
const INSERT: Insert = Insert {
    into: Table::Appointments,
    columns: &[COLS, "solo"],
    upsert: "",
};

/// Records whether the appointment now sits in a one-at-a-time window.
pub fn set_solo(conn: &Tx, id: &str, solo: bool) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Appointments]),
        "UPDATE appointments SET solo = ?2 WHERE id = ?1",
        args![db::id(id), solo],
    )?;
    Ok(())
}

/// What a change can touch, which [`save`] writes back.
const SAVED: &str = "clinic_id, doctor_id, window_id, local_date, starts_at, ends_at, duration_minutes, \
    status, token_number, session, batch, reason, notes, diagnosis, prescription, follow_up_required, \
    follow_up_date, cancellation_reason, updated_at, confirmed_at, checked_in_at, started_at, \
    completed_at, cancelled_at, no_show_at, urgency, modality, visit_type, payer, overbook_reason, \
    overbook_by, overbook_rule";

/// Writes back every field a change can touch ([`SAVED`]), and bumps the sequence.
pub fn save(conn: &Tx, a: &AppointmentRow) -> Result<()> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = SQL.get_or_init(|| {
        format!(
            "UPDATE appointments SET {}, sequence = sequence + 1 WHERE id = ?1",
            assignments(SAVED, 2)
        )
    });
    let mut args = vec![db::id(&a.id)];
    args.extend(appointment_columns::bind(a, SAVED)?);
    conn.exec(On::writes(&[Table::Appointments]), sql, &args)?;
    // Its rooms and equipment follow its time and status.
    super::resources::follow(conn, a)
}

/// The patient's active appointments on a local date: (id, service_id).
pub fn same_day(
    conn: &Tx,
    patient_id: &str,
    on: NaiveDate,
    except: Option<&str>,
) -> Result<Vec<(String, Option<String>)>> {
    conn.rows(
        On::reads(&[Table::Appointments]),
        &format!(
            "SELECT id, service_id FROM appointments WHERE patient_id = ?1 AND local_date = ?2 \
         AND status IN {ACTIVE} AND id IS DISTINCT FROM ?3 ORDER BY starts_at"
        ),
        args![db::id(patient_id), db::day(on), db::maybe_id(except)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// What a day's limits count (docs/rules.md#daily-limits): the cap of
/// `service_id` (None without a service, or when it has none), and the active
/// appointments on local date `on` of the doctor (at any clinic) — or, with
/// no doctor, of the clinic's clinic-wide windows — in all, and of that
/// service (`except` one being moved, which does not count against itself).
pub fn day_counts(
    conn: &Tx,
    doctor_id: Option<&str>,
    clinic_id: &str,
    service_id: Option<&str>,
    on: NaiveDate,
    except: Option<&str>,
) -> Result<(Option<i64>, i64, i64)> {
    let (owner, key) = match doctor_id {
        Some(d) => ("doctor_id = ?1", d),
        None => ("clinic_id = ?1 AND doctor_id IS NULL", clinic_id),
    };
    let sql = format!(
        "SELECT (SELECT max_per_day FROM services WHERE id = ?3), n.every, n.of_service FROM \
         (SELECT count(*) AS every, count(CASE WHEN service_id = ?3 THEN 1 END) AS of_service \
          FROM appointments WHERE {owner} AND local_date = ?2 AND status IN {ACTIVE} \
          AND id IS DISTINCT FROM ?4) n"
    );
    let reads = On::reads(&[Table::Services, Table::Appointments]);
    let rows = conn.rows(
        reads,
        &sql,
        args![
            db::id(key),
            db::day(on),
            db::maybe_id(service_id),
            db::maybe_id(except)
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(rows.into_iter().next().unwrap_or((None, 0, 0)))
}

/// At most `limit` appointments in start order after skipping `offset`, and
/// how many match in all.
pub fn list(conn: &Tx, f: &Filter, offset: i64, limit: i64) -> Result<(Vec<Appointment>, i64)> {
    let (clause, mut args) = f.clause();
    let total: i64 = conn.one(
        On::reads(&[Table::Appointments]),
        &format!("SELECT count(*) FROM appointments a WHERE {clause}"),
        &args,
    )?;
    let n = args.len();
    args.extend_from_slice(args![limit, offset]);
    let rows = conn.rows(
        SELECTED,
        &page_sql(conn.backend(), f, &clause, n),
        &args,
        from_row,
    )?;
    Ok((rows, total))
}

/// A page of [`list`]: the rows of `clause` in order, the page's limit and
/// offset its parameters `n + 1` and `n + 2`. On PostgreSQL the page is
/// chosen from the appointments first and only its rows are joined: where
/// a day's rows lie far apart in the table (a clinic among ten), the
/// planner would rather sort the day than walk its index in order, and
/// joined every row of the day to its patient before the sort
/// (docs/performance.md#a-clinic-group-five-million-appointments).
fn page_sql(backend: Backend, f: &Filter, clause: &str, n: usize) -> String {
    let order = f.order();
    let page = format!("ORDER BY {order} LIMIT ?{} OFFSET ?{}", n + 1, n + 2);
    match backend {
        Backend::Sqlite => format!("{} WHERE {clause} {page}", select()),
        Backend::Postgres => format!(
            "{} ORDER BY {order}",
            select_from(
                &format!("(SELECT * FROM appointments a WHERE {clause} {page}) a"),
                PatientJoin::Plain
            )
        ),
    }
}

/// A day sheet's query: a clinic's (or one doctor's there) appointments of
/// one local date but the cancelled ones, in start order, through the
/// clinic's day index (the doctor's day index with a doctor).
fn day_sheet_sql(backend: Backend, doctor: bool) -> String {
    // A 50-doctor clinic's day is a thousand rows or more.
    let select = match backend {
        Backend::Sqlite => select().to_string(),
        Backend::Postgres => select_from("appointments a", PatientJoin::ByKey),
    };
    format!(
        "{select} WHERE a.clinic_id = ?1 AND a.local_date = ?2{} AND {} \
         ORDER BY a.local_date, a.starts_at, a.token_number, a.id",
        if doctor { " AND a.doctor_id = ?3" } else { "" },
        super::coded::is_not("(a.status + 0)", Status::Cancelled)
    )
}

/// The day sheet's appointments (`agenda`, the board): a clinic's (or one
/// doctor's there) appointments of `date` but the cancelled ones, in start
/// order. Unlike [`list`], no count and no cancelled row is read: on a busy
/// clinic's day a third of the rows are cancelled visits whose slot was
/// booked again.
pub fn day_sheet(
    conn: &Tx,
    clinic_id: &str,
    date: NaiveDate,
    doctor_id: Option<&str>,
) -> Result<Vec<Appointment>> {
    let mut args = args![db::id(clinic_id), db::day(date)].to_vec();
    args.extend(doctor_id.map(db::id));
    conn.rows(
        SELECTED,
        &day_sheet_sql(conn.backend(), doctor_id.is_some()),
        &args,
        from_row,
    )
}

/// Hands every matching appointment to `each` in start order, with how many
/// times it changed (its `sequence`), one row at a time: nothing is collected,
/// so memory stays flat however many rows match.
pub fn each(
    conn: &Tx,
    f: &Filter,
    mut each: impl FnMut(&Appointment, i64) -> Result<()>,
) -> Result<()> {
    let (clause, args) = f.clause();
    conn.each(
        SELECTED,
        &format!("{} WHERE {clause} ORDER BY {}", select(), f.order()),
        &args,
        |r| each(&from_row(r)?, r.get(joined!("a.sequence"))?),
    )
}

/// A patient of the matching appointments, as an export shows them.
pub struct PatientParty {
    pub id: String,
    pub full_name: String,
    pub phone: String,
}

/// A doctor of the matching appointments, as an export shows them.
pub struct DoctorParty {
    pub id: String,
    pub full_name: String,
}

/// Hands each patient of the matching appointments to `each` once, streamed.
pub fn each_patient(
    conn: &Tx,
    f: &Filter,
    mut each: impl FnMut(&PatientParty) -> Result<()>,
) -> Result<()> {
    let (clause, args) = f.clause();
    conn.each(
        On::reads(&[Table::Patients, Table::Appointments]),
        &format!(
            "SELECT p.id, p.full_name, p.phone, p.erased_at FROM patients p WHERE p.id IN \
             (SELECT a.patient_id FROM appointments a WHERE {clause}) ORDER BY p.id"
        ),
        &args,
        |r| {
            // An erased patient's phone column holds a placeholder, no phone.
            let erased = r.get::<Option<i64>>(3)?.is_some();
            each(&PatientParty {
                id: r.get(0)?,
                full_name: r.get(1)?,
                phone: if erased { String::new() } else { r.get(2)? },
            })
        },
    )
}

/// Hands each doctor of the matching appointments to `each` once, streamed.
pub fn each_doctor(
    conn: &Tx,
    f: &Filter,
    mut each: impl FnMut(&DoctorParty) -> Result<()>,
) -> Result<()> {
    let (clause, args) = f.clause();
    conn.each(
        On::reads(&[Table::Doctors, Table::Appointments]),
        &format!(
            "SELECT d.id, d.full_name FROM doctors d WHERE d.id IN \
             (SELECT a.doctor_id FROM appointments a WHERE {clause}) ORDER BY d.id"
        ),
        &args,
        |r| {
            each(&DoctorParty {
                id: r.get(0)?,
                full_name: r.get(1)?,
            })
        },
    )
}

/// Appointments created since an instant, optionally of one source or
/// status, and of one clinic: read from `appt_clinic_created`, which holds
/// the source and status too, so that no row is read (schema v16); without
/// a clinic, each clinic's in turn (schema v24).
pub fn count_created(
    conn: &Tx,
    since: DateTime<Utc>,
    source: Option<&str>,
    status: Option<Status>,
    clinic_id: Option<&str>,
) -> Result<i64> {
    let status = status.map(Status::code);
    let source = source.map(super::appointment_filter::source_code);
    match clinic_id {
        Some(c) => conn.one(
            OWN,
            &count_sql(true),
            args![epoch(since), source, status, db::id(c)],
        ),
        None => conn.one(
            On::reads(&[Table::Clinics, Table::Appointments]),
            &count_sql(false),
            args![epoch(since), source, status],
        ),
    }
}

/// [`count_created`]'s statement: the clinic named as such when there is
/// one (an `IS NULL OR` would leave its index unused), else every clinic's
/// appointments, a clinic at a time through the same index (a `CROSS
/// JOIN` is SQLite's word for taking the clinics first, which it does not
/// know are few; PostgreSQL reads it as a plain join).
fn count_sql(clinic: bool) -> String {
    let (from, clinic) = if clinic {
        ("appointments a", "a.clinic_id = ?4")
    } else {
        ("clinics c CROSS JOIN appointments a", "a.clinic_id = c.id")
    };
    format!(
        "SELECT count(*) FROM {from} WHERE {clinic} AND a.created_at >= ?1 \
         AND (CAST(?2 AS SMALLINT) IS NULL OR a.source = ?2) \
         AND (CAST(?3 AS SMALLINT) IS NULL OR a.status = ?3)"
    )
}

#[cfg(test)]
#[path = "appointments_tests.rs"]
mod tests;
