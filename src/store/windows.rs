//! The `windows` table and its services allow-list.

use super::db::{Row, Tx, Val};
use super::{date, epoch, instant, resolve, Lookup};
use crate::args;
use crate::core::{Owner, Recurrence, Window};
use crate::error::{Error, Result};

const COLS: &str =
    "id, clinic_id, doctor_id, weekdays, date, start_minute, end_minute, slot_minutes, capacity, \
                    session, batch, valid_from, valid_to, open, created_at";
const LOOKUP: Lookup = Lookup {
    table: "windows",
    what: "Window",
    by_name: false,
    filter: "",
    label: "clinic_id",
    suggest: false,
};

fn from_row(r: &Row) -> Result<Window> {
    let weekdays: Option<i64> = r.get(3)?;
    let on: Option<String> = r.get(4)?;
    let vf: Option<String> = r.get(11)?;
    let vt: Option<String> = r.get(12)?;
    Ok(Window {
        id: r.get(0)?,
        clinic_id: r.get(1)?,
        doctor_id: r.get(2)?,
        recurrence: match (weekdays, on) {
            (Some(m), _) => Recurrence::Weekly(m as u8),
            (None, d) => Recurrence::Date(date(&d.unwrap_or_default())),
        },
        from: r.get(5)?,
        to: r.get(6)?,
        slot_minutes: r.get(7)?,
        capacity: r.get(8)?,
        session: r.get(9)?,
        batch: r.get(10)?,
        services: Vec::new(),
        valid_from: vf.as_deref().map(date),
        valid_to: vt.as_deref().map(date),
        open: r.get(13)?,
        created_at: instant(r.get(14)?),
    })
}

fn with_services(conn: &Tx, mut ws: Vec<Window>) -> Result<Vec<Window>> {
    for w in &mut ws {
        w.services = conn.rows(
            "SELECT service_id FROM window_services WHERE window_id = ?1 ORDER BY service_id",
            args![w.id],
            |r| r.get(0),
        )?;
    }
    Ok(ws)
}

fn query(conn: &Tx, cond: &str, args: &[Val]) -> Result<Vec<Window>> {
    let rows = conn.rows(
        &format!(
            "SELECT {COLS} FROM windows WHERE {cond} ORDER BY clinic_id, doctor_id, date, weekdays, start_minute"
        ),
        args,
        from_row,
    )?;
    with_services(conn, rows)
}

pub fn insert(conn: &Tx, w: &Window) -> Result<()> {
    let (weekdays, on) = match &w.recurrence {
        Recurrence::Weekly(m) => (Some(*m as i64), None),
        Recurrence::Date(d) => (None, Some(d.to_string())),
    };
    conn.exec(
        &format!("INSERT INTO windows ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"),
        args![
            w.id, w.clinic_id, w.doctor_id, weekdays, on, w.from, w.to, w.slot_minutes, w.capacity, w.session,
            w.batch, w.valid_from.map(|d| d.to_string()), w.valid_to.map(|d| d.to_string()), w.open,
            epoch(w.created_at)
        ],
    )?;
    for s in &w.services {
        conn.exec(
            "INSERT INTO window_services (window_id, service_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            args![w.id, s],
        )?;
    }
    Ok(())
}

pub fn get(conn: &Tx, id: &str) -> Result<Window> {
    query(conn, "id = ?1", args![id])?
        .pop()
        .ok_or_else(|| Error::not_found("Window"))
}

pub fn find(conn: &Tx, input: &str) -> Result<Window> {
    get(conn, &resolve(conn, &LOOKUP, input)?)
}

/// Every window of a doctor (at any clinic), or a clinic's clinic-wide windows.
pub fn of_owner(conn: &Tx, owner: &Owner) -> Result<Vec<Window>> {
    match owner {
        Owner::Doctor(d) => query(conn, "doctor_id = ?1", args![d]),
        Owner::ClinicWide(c) => query(conn, "clinic_id = ?1 AND doctor_id IS NULL", args![c]),
    }
}

pub fn list(conn: &Tx, clinic: Option<&str>, doctor: Option<&str>) -> Result<Vec<Window>> {
    query(
        conn,
        "(CAST(?1 AS TEXT) IS NULL OR clinic_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR doctor_id = ?2)",
        args![clinic, doctor],
    )
}

pub fn set_open(conn: &Tx, id: &str, open: bool) -> Result<()> {
    conn.exec(
        "UPDATE windows SET open = ?2 WHERE id = ?1",
        args![id, open],
    )?;
    Ok(())
}

/// Active appointments booked into the window from `now` on.
pub fn upcoming_bookings(conn: &Tx, id: &str, now: i64) -> Result<i64> {
    conn.one(
        "SELECT count(*) FROM appointments WHERE window_id = ?1 AND starts_at >= ?2 \
         AND status IN ('scheduled','confirmed','checked_in','in_progress')",
        args![id, now],
    )
}

pub fn remove(conn: &Tx, id: &str) -> Result<()> {
    conn.exec("DELETE FROM windows WHERE id = ?1", args![id])?;
    Ok(())
}
