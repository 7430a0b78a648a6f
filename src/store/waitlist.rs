//! The `waitlist` table: patients who want a doctor on a date when nothing is
//! free, offered a freed time oldest first (docs/rules.md#walk-ins).

use super::db::{On, Table, ToVal};
use super::db::{Row, Tx};
use super::stored::{col, Kind, Layout};
use super::{by_id, epoch, resolve, Lookup};
use crate::args;
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};

/// One waiting patient, with the names the desk reads.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub clinic_id: String,
    pub doctor_id: String,
    pub patient_id: String,
    pub service_id: Option<String>,
    pub date: NaiveDate,
    /// How many freed times this entry has been offered.
    pub offers: i64,
    pub created_at: DateTime<Utc>,
    pub patient_name: String,
    pub patient_phone: String,
    pub doctor_name: String,
    pub doctor_specialty: Option<String>,
    pub service_name: Option<String>,
    pub service_minutes: Option<i64>,
    /// The name given by a clinic that did not know the patient
    /// (docs/api.md#another-clinics-patient): `patient_name` is this one.
    pub name_given: Option<String>,
}

const LOOKUP: Lookup = Lookup {
    table: Table::Waitlist,
    also: &[],
    what: crate::error::Entity::WaitlistEntry,
    by_name: false,
    filter: "",
    label: "local_date",
    suggest: false,
};

/// Every column of the table.
pub const COLS: &str =
    "id, clinic_id, doctor_id, patient_id, service_id, local_date, offers, created_at, seq, patient_name_given";

const SELECT: &str =
    "SELECT w.id, w.clinic_id, w.doctor_id, w.patient_id, w.service_id, w.local_date, w.offers, \
    w.created_at, coalesce(w.patient_name_given, p.full_name), p.phone, d.full_name, d.specialty, s.name, s.duration_minutes, \
    w.patient_name_given \
    FROM waitlist w JOIN patients p ON p.id = w.patient_id JOIN doctors d ON d.id = w.doctor_id \
    LEFT JOIN services s ON s.id = w.service_id";

/// What [`SELECT`] reads.
const SELECTED_ON: On = On::reads(&[
    Table::Waitlist,
    Table::Patients,
    Table::Doctors,
    Table::Services,
]);

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "waitlist",
    id: "id",
    cols: &[
        col("local_date", Kind::Date),
        col("created_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Entry> {
    let f = r.of("waitlist", 0)?;
    Ok(Entry {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        doctor_id: f.get(2)?,
        patient_id: f.get(3)?,
        service_id: f.get(4)?,
        date: f.date(5)?,
        offers: f.get(6)?,
        created_at: f.instant(7)?,
        patient_name: f.get(8)?,
        patient_phone: f.get(9)?,
        doctor_name: f.get(10)?,
        doctor_specialty: f.get(11)?,
        service_name: f.get(12)?,
        service_minutes: f.get(13)?,
        name_given: f.get(14)?,
    })
}

/// A new entry's fields.
pub struct New<'a> {
    pub id: &'a str,
    pub clinic_id: &'a str,
    pub doctor_id: &'a str,
    pub patient_id: &'a str,
    pub service_id: Option<&'a str>,
    pub date: NaiveDate,
    /// The name given by a clinic that did not know the patient
    /// (docs/api.md#another-clinics-patient).
    pub name_given: Option<&'a str>,
}

pub fn insert(conn: &Tx, e: &New, now: DateTime<Utc>) -> Result<()> {
    let New {
        id,
        clinic_id,
        doctor_id,
        patient_id,
        service_id,
        date: on,
        name_given,
    } = *e;
    conn.exec(
        On::writes(&[Table::Waitlist]),
        // Writers are serialised, so the next number is never handed out twice.
        &format!(
            "INSERT INTO waitlist ({COLS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, (SELECT coalesce(max(seq), 0) + 1 FROM waitlist), ?8)"
        ),
        args![
            id,
            super::db::id(clinic_id),
            super::db::id(doctor_id),
            super::db::id(patient_id),
            super::db::maybe_id(service_id),
            on.to_string(),
            epoch(now),
            name_given
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Tx, id: &str) -> Result<Entry> {
    by_id(
        conn,
        SELECTED_ON,
        &format!("{SELECT} WHERE w.id = ?1"),
        id.to_val(),
        crate::error::Entity::WaitlistEntry,
        from_row,
    )
}

/// An entry by ID or unique prefix.
pub fn find(conn: &Tx, input: &str) -> Result<Entry> {
    let id = resolve(conn, &LOOKUP, input)?;
    get(conn, &id)
}

/// Whether the entry is still waiting (not booked, not removed).
pub fn exists(conn: &Tx, id: &str) -> Result<bool> {
    let one: Option<i64> = conn.row(
        On::reads(&[Table::Waitlist]),
        "SELECT 1 FROM waitlist WHERE id = ?1",
        args![id],
        |r| r.get(0),
    )?;
    Ok(one.is_some())
}

/// The name entry `id` was given by a clinic that did not know its patient
/// ([`Entry::name_given`]): None when the entry is gone, `Some(None)` when
/// it was given none.
pub fn name_given(conn: &Tx, id: &str) -> Result<Option<Option<String>>> {
    conn.row(
        On::reads(&[Table::Waitlist]),
        "SELECT patient_name_given FROM waitlist WHERE id = ?1",
        args![id],
        |r| r.get(0),
    )
}

/// The patient's entry for that doctor and date at `clinic` (a patient
/// may wait at two clinics, and neither learns of the other's entry).
pub fn of_patient_at(
    conn: &Tx,
    clinic_id: &str,
    patient_id: &str,
    doctor_id: &str,
    on: NaiveDate,
) -> Result<Option<Entry>> {
    conn.row(
        SELECTED_ON,
        &format!(
            "{SELECT} WHERE w.patient_id = ?1 AND w.doctor_id = ?2 AND w.local_date = ?3 \
             AND w.clinic_id = ?4"
        ),
        args![
            super::db::id(patient_id),
            super::db::id(doctor_id),
            on.to_string(),
            super::db::id(clinic_id)
        ],
        from_row,
    )
}

/// Every entry of the patient `patient_id` (at `clinic` only, when given),
/// by date then oldest first.
pub fn entries_of(conn: &Tx, patient_id: &str, clinic: Option<&str>) -> Result<Vec<Entry>> {
    conn.rows(
        SELECTED_ON,
        &format!(
            "{SELECT} WHERE w.patient_id = ?1 AND (w.clinic_id = ?2 OR ?2 IS NULL) \
             ORDER BY w.local_date, w.seq"
        ),
        args![super::db::id(patient_id), super::db::maybe_id(clinic)],
        from_row,
    )
}

/// A clinic's entries from `from` on, by date then oldest first.
pub fn list(conn: &Tx, clinic_id: &str, from: NaiveDate) -> Result<Vec<Entry>> {
    conn.rows(
        SELECTED_ON,
        &format!(
            "{SELECT} WHERE w.clinic_id = ?1 AND w.local_date >= ?2 \
             ORDER BY w.local_date, w.seq"
        ),
        args![super::db::id(clinic_id), from.to_string()],
        from_row,
    )
}

/// Who is offered a time freed on this doctor's date at this clinic: the
/// entry there offered the fewest times so far, oldest first — never the
/// patient who freed it, nor anyone waiting at another clinic of the doctor.
pub fn next_in_line(
    conn: &Tx,
    clinic_id: &str,
    doctor_id: &str,
    on: NaiveDate,
    except_patient: &str,
) -> Result<Option<Entry>> {
    conn.row(
        SELECTED_ON,
        &format!(
            "{SELECT} WHERE w.doctor_id = ?1 AND w.local_date = ?2 AND w.patient_id <> ?3 \
             AND w.clinic_id = ?4 ORDER BY w.offers, w.seq LIMIT 1"
        ),
        args![
            super::db::id(doctor_id),
            on.to_string(),
            super::db::id(except_patient),
            super::db::id(clinic_id)
        ],
        from_row,
    )
}

pub fn count_offer(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Waitlist]),
        "UPDATE waitlist SET offers = offers + 1 WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

pub fn remove(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Waitlist]),
        "DELETE FROM waitlist WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}
