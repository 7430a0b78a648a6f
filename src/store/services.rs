//! The `services` table. A removed service stays for the appointments that
//! name it but is no longer listed, found by name, or bookable.

use super::asked::Asked;
use super::db::{On, Table};
use super::db::{Row, Tx};
use super::stored::{col, opt, Kind, Layout, BUFFER, MINUTES, PER_DAY};
use super::{by_id, ensure_unique_name, epoch, name_key, resolve, Lookup};
use crate::args;
use crate::core::Service;
use crate::error::{Code, Error, Result};

pub const COLS: &str =
    "id, name, duration_minutes, created_at, updated_at, max_per_day, buffer_before, buffer_after, online";
const LOOKUP: Lookup = Lookup {
    table: Table::Services,
    also: &[],
    what: crate::error::Entity::Service,
    by_name: true,
    filter: "removed_at IS NULL",
    label: "name",
    suggest: true,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "services",
    id: "id",
    cols: &[
        col("duration_minutes", Kind::Range(MINUTES.0, MINUTES.1)),
        opt("max_per_day", Kind::Range(PER_DAY.0, PER_DAY.1)),
        col("buffer_before", Kind::Range(BUFFER.0, BUFFER.1)),
        col("buffer_after", Kind::Range(BUFFER.0, BUFFER.1)),
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Service> {
    let f = r.of("services", 0)?;
    Ok(Service {
        id: f.id().to_string(),
        name: f.get(1)?,
        duration_minutes: f.range(2, MINUTES)?,
        created_at: f.instant(3)?,
        updated_at: f.instant(4)?,
        max_per_day: f.opt_range(5, PER_DAY)?,
        buffer_before: f.range(6, BUFFER)?,
        buffer_after: f.range(7, BUFFER)?,
        online: f.get(8)?,
    })
}

pub fn insert(conn: &Tx, s: &Service) -> Result<()> {
    ensure_unique_name(conn, &LOOKUP, &s.name, &s.id)?;
    conn.exec(
        On::writes(&[Table::Services]),
        &format!("INSERT INTO services ({COLS}, name_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"),
        args![
            super::db::id(&s.id),
            s.name,
            s.duration_minutes,
            epoch(s.created_at),
            epoch(s.updated_at),
            s.max_per_day,
            s.buffer_before,
            s.buffer_after,
            s.online,
            name_key(&s.name)
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Tx, s: &Service) -> Result<()> {
    ensure_unique_name(conn, &LOOKUP, &s.name, &s.id)?;
    conn.exec(
        On::writes(&[Table::Services]),
        "UPDATE services SET name=?2, name_key=?3, duration_minutes=?4, updated_at=?5, max_per_day=?6, \
         buffer_before=?7, buffer_after=?8, online=?9 WHERE id=?1",
        args![
            super::db::id(&s.id),
            s.name,
            name_key(&s.name),
            s.duration_minutes,
            epoch(s.updated_at),
            s.max_per_day,
            s.buffer_before,
            s.buffer_after,
            s.online
        ],
    )?;
    Ok(())
}

pub fn remove(conn: &Tx, id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Services]),
        "UPDATE services SET removed_at = ?2 WHERE id = ?1",
        args![super::db::id(id), epoch(now)],
    )?;
    Ok(())
}

pub fn get(conn: &Tx, id: &str) -> Result<Service> {
    conn.memo(Asked::Service(id), || {
        by_id(
            conn,
            On::reads(&[Table::Services]),
            &format!("SELECT {COLS} FROM services WHERE id = ?1"),
            super::db::id(id),
            crate::error::Entity::Service,
            from_row,
        )
    })
}

pub fn list(conn: &Tx) -> Result<Vec<Service>> {
    // Kept until the database changes: the booking page asks at every request.
    conn.lasting("services::list".into(), || {
        conn.rows(
            On::reads(&[Table::Services]),
            &format!("SELECT {COLS} FROM services WHERE removed_at IS NULL ORDER BY name_key"),
            args![],
            from_row,
        )
    })
}

pub fn find(conn: &Tx, input: &str) -> Result<Service> {
    get(conn, &resolve(conn, &LOOKUP, input)?)
}

/// A service as booking names it: an unknown one is `INVALID_APPOINTMENT_TYPE`.
pub fn find_for_booking(conn: &Tx, input: &str) -> Result<Service> {
    find(conn, input).map_err(|e| match e.code {
        Code::NotFound => Error::new(
            Code::InvalidAppointmentType,
            crate::text::msg!("e-unknown_appointment_type", input = input),
        )
        .details(serde_json::json!({"service": input})),
        _ => e,
    })
}
