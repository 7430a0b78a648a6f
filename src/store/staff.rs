//! The `staff` table: the people at the desk (docs/security.md#staff). A
//! PIN is never stored, only its hash, which leaves this module only to be
//! checked against a PIN typed (`pin_hash`).

use super::db::{On, Row, Table, ToVal, Tx};
use super::stored::{col, Kind, Layout};
use super::{by_id, ensure_unique_name, epoch, name_key, resolve, Lookup};
use crate::args;
use crate::core::staff::{Person, Role, Standing, ROLES};
use crate::error::{Entity, Result};
use chrono::{DateTime, Utc};

/// A member of staff as they may be shown: never their PIN's hash.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub doctor_id: Option<String>,
    /// That doctor's name, to show.
    pub doctor: Option<String>,
    /// The one clinic they work at; `None`: every clinic.
    pub clinic_id: Option<String>,
    /// That clinic's name, to show.
    pub clinic: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Member {
    /// What a rule of `core::staff` sees of them.
    pub fn standing(&self) -> Standing {
        Standing {
            role: self.role,
            doctor: self.doctor_id.is_some(),
        }
    }

    /// The member at work, as the rules and the events see them.
    pub fn person(&self) -> Person {
        Person {
            name: self.name.clone(),
            role: self.role,
            doctor_id: self.doctor_id.clone(),
            os_user: None,
        }
    }
}

pub const COLS: &str = "id, name, role, doctor_id, clinic_id, pin_hash, created_at, updated_at";

const LOOKUP: Lookup = Lookup {
    table: Table::Staff,
    also: &[],
    what: Entity::Staff,
    by_name: true,
    filter: "",
    label: "name",
    suggest: true,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "staff",
    id: "id",
    cols: &[
        col("role", Kind::OneOf(&ROLES)),
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
    ],
    rules: &[],
};

/// A member's row with their doctor's and clinic's names, read by [`from_row`].
const SELECTED: On = On::reads(&[Table::Staff, Table::Doctors, Table::Clinics]);

fn select(filter: &str) -> String {
    format!(
        "SELECT s.id, s.name, s.role, s.doctor_id, s.clinic_id, s.created_at, s.updated_at, \
         d.full_name, c.name FROM staff s LEFT JOIN doctors d ON d.id = s.doctor_id \
         LEFT JOIN clinics c ON c.id = s.clinic_id {filter}"
    )
}

fn from_row(r: &Row) -> Result<Member> {
    let f = r.of("staff", 0)?;
    Ok(Member {
        id: f.id().to_string(),
        name: f.get(1)?,
        role: f.named(2, &ROLES, Role::parse)?,
        doctor_id: f.get(3)?,
        clinic_id: f.get(4)?,
        created_at: f.instant(5)?,
        updated_at: f.instant(6)?,
        doctor: f.get(7)?,
        clinic: f.get(8)?,
    })
}

/// Adds a member, with their PIN's hash.
pub fn insert(tx: &Tx, m: &Member, pin_hash: &str) -> Result<()> {
    ensure_unique_name(tx, &LOOKUP, &m.name, &m.id)?;
    tx.exec(
        On::writes(&[Table::Staff]),
        &format!("INSERT INTO staff ({COLS}, name_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        args![
            m.id,
            m.name,
            m.role.as_str(),
            super::db::maybe_id(m.doctor_id.as_deref()),
            super::db::maybe_id(m.clinic_id.as_deref()),
            pin_hash,
            epoch(m.created_at),
            epoch(m.updated_at),
            name_key(&m.name)
        ],
    )?;
    Ok(())
}

/// Writes a member's name, role, doctor and clinic.
pub fn update(tx: &Tx, m: &Member) -> Result<()> {
    ensure_unique_name(tx, &LOOKUP, &m.name, &m.id)?;
    tx.exec(
        On::writes(&[Table::Staff]),
        "UPDATE staff SET name = ?2, name_key = ?3, role = ?4, doctor_id = ?5, clinic_id = ?6, \
         updated_at = ?7 WHERE id = ?1",
        args![
            m.id,
            m.name,
            name_key(&m.name),
            m.role.as_str(),
            super::db::maybe_id(m.doctor_id.as_deref()),
            super::db::maybe_id(m.clinic_id.as_deref()),
            epoch(m.updated_at)
        ],
    )?;
    Ok(())
}

/// Replaces a member's PIN's hash.
pub fn set_pin(tx: &Tx, id: &str, pin_hash: &str, now: DateTime<Utc>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Staff]),
        "UPDATE staff SET pin_hash = ?2, updated_at = ?3 WHERE id = ?1",
        args![id, pin_hash, epoch(now)],
    )?;
    Ok(())
}

/// Removes a member; their sessions and tokens go with them (the
/// schema's cascades).
pub fn remove(tx: &Tx, id: &str) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Staff]),
        "DELETE FROM staff WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

pub fn get(tx: &Tx, id: &str) -> Result<Member> {
    by_id(
        tx,
        SELECTED,
        &select("WHERE s.id = ?1"),
        id.to_val(),
        Entity::Staff,
        from_row,
    )
}

/// The member a reference names: an ID, its prefix or their name.
pub fn find(tx: &Tx, input: &str) -> Result<Member> {
    get(tx, &resolve(tx, &LOOKUP, input)?)
}

/// Every member, by name.
pub fn list(tx: &Tx) -> Result<Vec<Member>> {
    tx.rows(SELECTED, &select("ORDER BY s.name_key"), args![], from_row)
}

/// Whether the database has any staff: until it does, nobody signs in.
pub fn any(tx: &Tx) -> Result<bool> {
    let one: Option<i64> = tx.row(
        On::reads(&[Table::Staff]),
        "SELECT 1 FROM staff LIMIT 1",
        args![],
        |r| r.get(0),
    )?;
    Ok(one.is_some())
}

/// What a PIN is checked against: the member's hash, their wrong PINs in a
/// row and the end of their lock.
pub struct Lock {
    pub pin_hash: String,
    pub failed: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

pub fn lock(tx: &Tx, id: &str) -> Result<Lock> {
    let row: Option<(String, i64, Option<i64>)> = tx.row(
        On::reads(&[Table::Staff]),
        "SELECT pin_hash, failed_pins, locked_until FROM staff WHERE id = ?1",
        args![id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let (pin_hash, failed, until) =
        row.ok_or_else(|| crate::error::Error::not_found(Entity::Staff))?;
    Ok(Lock {
        pin_hash,
        failed,
        locked_until: until.and_then(|s| DateTime::from_timestamp(s, 0)),
    })
}

/// Writes a member's wrong PINs in a row and the end of their lock.
pub fn set_lock(tx: &Tx, id: &str, failed: i64, until: Option<DateTime<Utc>>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Staff]),
        "UPDATE staff SET failed_pins = ?2, locked_until = ?3 WHERE id = ?1",
        args![id, failed, until.map(epoch)],
    )?;
    Ok(())
}

pub const SESSION_COLS: &str = "hash, staff_id, terminal, opened_at, expires_at";

/// Opens a session at `terminal`, closing any other there.
pub fn open_session(
    tx: &Tx,
    hash: &str,
    staff_id: &str,
    terminal: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    tx.exec(
        On::writes(&[Table::StaffSessions]),
        "DELETE FROM staff_sessions WHERE terminal = ?1 OR expires_at <= ?2",
        args![terminal, epoch(now)],
    )?;
    tx.exec(
        On::writes(&[Table::StaffSessions]),
        &format!("INSERT INTO staff_sessions ({SESSION_COLS}) VALUES (?1,?2,?3,?4,?5)"),
        args![hash, staff_id, terminal, epoch(now), epoch(expires_at)],
    )?;
    Ok(())
}

/// A session by its secret's hash: its member's ID, terminal and end.
pub fn session(tx: &Tx, hash: &str) -> Result<Option<(String, String, DateTime<Utc>)>> {
    let row: Option<(String, String, i64)> = tx.row(
        On::reads(&[Table::StaffSessions]),
        "SELECT staff_id, terminal, expires_at FROM staff_sessions WHERE hash = ?1",
        args![hash],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(row.map(|(id, t, end)| (id, t, DateTime::from_timestamp(end, 0).unwrap_or_default())))
}

/// Closes the session with this hash; whether there was one.
pub fn close_session(tx: &Tx, hash: &str) -> Result<bool> {
    let n = tx.exec(
        On::writes(&[Table::StaffSessions]),
        "DELETE FROM staff_sessions WHERE hash = ?1",
        args![hash],
    )?;
    Ok(n > 0)
}
