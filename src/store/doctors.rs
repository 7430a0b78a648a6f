//! The `doctors` table.

use super::db::{Row, Tx};
use super::stored::{col, opt, Kind, Table, MINUTES, PER_DAY};
use super::{by_id, epoch, name_key, Lookup};
use crate::args;
use crate::core::Doctor;
use crate::error::{Error, Result};

pub const COLS: &str =
    "id, full_name, specialty, slot_minutes, active, created_at, updated_at, max_per_day";
const LOOKUP: Lookup = Lookup {
    table: "doctors",
    what: "Doctor",
    by_name: true,
    filter: "",
    label: "full_name || coalesce(' — ' || specialty, '')",
    suggest: true,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Table = Table {
    name: "doctors",
    id: "id",
    cols: &[
        opt("slot_minutes", Kind::Range(MINUTES.0, MINUTES.1)),
        opt("max_per_day", Kind::Range(PER_DAY.0, PER_DAY.1)),
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Doctor> {
    let f = r.of("doctors", 0)?;
    Ok(Doctor {
        id: f.id().to_string(),
        full_name: f.get(1)?,
        specialty: f.get(2)?,
        slot_minutes: f.opt_range(3, MINUTES)?,
        active: f.get(4)?,
        created_at: f.instant(5)?,
        updated_at: f.instant(6)?,
        max_per_day: f.opt_range(7, PER_DAY)?,
    })
}

pub fn insert(conn: &Tx, d: &Doctor) -> Result<()> {
    conn.exec(
        &format!("INSERT INTO doctors ({COLS}, name_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        args![
            d.id,
            d.full_name,
            d.specialty,
            d.slot_minutes,
            d.active,
            epoch(d.created_at),
            epoch(d.updated_at),
            d.max_per_day,
            name_key(&d.full_name)
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Tx, d: &Doctor) -> Result<()> {
    conn.exec(
        "UPDATE doctors SET full_name=?2, name_key=?3, specialty=?4, slot_minutes=?5, active=?6, updated_at=?7, \
         max_per_day=?8 WHERE id=?1",
        args![d.id, d.full_name, name_key(&d.full_name), d.specialty, d.slot_minutes, d.active, epoch(d.updated_at), d.max_per_day],
    )?;
    Ok(())
}

/// Refuses a name another doctor already has (ignoring case and accents).
pub fn ensure_unique(conn: &Tx, name: &str, except: &str) -> Result<()> {
    super::ensure_unique_name(conn, &LOOKUP, name, except).map_err(|e| {
        e.hint(
            "a second doctor of that name needs --same-name (and a --specialty to tell them apart)",
        )
    })
}

pub fn get(conn: &Tx, id: &str) -> Result<Doctor> {
    conn.memo("doctors::get", args![id], || {
        by_id(
            conn,
            &format!("SELECT {COLS} FROM doctors WHERE id = ?1"),
            id,
            "Doctor",
            from_row,
        )
    })
}

pub fn list(conn: &Tx) -> Result<Vec<Doctor>> {
    conn.rows(
        &format!("SELECT {COLS} FROM doctors ORDER BY name_key"),
        args![],
        from_row,
    )
}

pub fn find(conn: &Tx, input: &str) -> Result<Doctor> {
    super::lookup::find(conn, &LOOKUP, input, get)
}

/// A doctor who can take bookings: an inactive one is `NOT_FOUND` (docs/rules.md#booking rule 2).
pub fn find_active(conn: &Tx, input: &str) -> Result<Doctor> {
    let d = find(conn, input)?;
    if !d.active {
        return Err(Error::not_found("Doctor").hint(format!("{} is inactive", d.full_name)));
    }
    Ok(d)
}

/// The doctors with windows at a clinic, by name.
pub fn at_clinic(conn: &Tx, clinic_id: &str) -> Result<Vec<Doctor>> {
    conn.rows(
        &format!(
            "SELECT {COLS} FROM doctors WHERE id IN (SELECT doctor_id FROM windows WHERE clinic_id = ?1) \
             ORDER BY name_key, id"
        ),
        args![clinic_id],
        from_row,
    )
}
