//! The `clinics` table.

use super::db::{Row, Tx};
use super::{by_id, ensure_unique_name, epoch, instant, name_key, resolve, Lookup};
use crate::args;
use crate::core::{time, Clinic, Settings};
use crate::error::{Error, Result};

const COLS: &str =
    "id, name, timezone, slot_minutes, min_notice, horizon, cancel_window, reminders, \
                    duplicate_check, require_diagnosis, created_at, updated_at, notify";

const LOOKUP: Lookup = Lookup {
    table: "clinics",
    what: "Clinic",
    by_name: true,
    filter: "",
    label: "name",
    suggest: true,
};

fn from_row(r: &Row) -> Result<Clinic> {
    let tz: String = r.get(2)?;
    let reminders: String = r.get(7)?;
    Ok(Clinic {
        id: r.get(0)?,
        name: r.get(1)?,
        timezone: time::parse_timezone(&tz).unwrap_or(chrono_tz::UTC),
        settings: Settings {
            slot_minutes: r.get(3)?,
            min_notice: r.get(4)?,
            horizon: r.get(5)?,
            cancel_window: r.get(6)?,
            reminders: reminders
                .split(',')
                .filter_map(|m| m.parse().ok())
                .collect(),
            duplicate_check: r.get(8)?,
            require_diagnosis: r.get(9)?,
            notify: r.get(12)?,
        },
        created_at: instant(r.get(10)?),
        updated_at: instant(r.get(11)?),
    })
}

fn reminders_text(s: &Settings) -> String {
    s.reminders
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn insert(conn: &Tx, c: &Clinic) -> Result<()> {
    ensure_unique_name(conn, &LOOKUP, &c.name, &c.id)?;
    let s = &c.settings;
    conn.exec(
        &format!("INSERT INTO clinics ({COLS}, name_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"),
        args![
            c.id, c.name, c.timezone.name(), s.slot_minutes, s.min_notice, s.horizon, s.cancel_window,
            reminders_text(s), s.duplicate_check, s.require_diagnosis, epoch(c.created_at), epoch(c.updated_at),
            s.notify, name_key(&c.name)
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Tx, c: &Clinic) -> Result<()> {
    ensure_unique_name(conn, &LOOKUP, &c.name, &c.id)?;
    let s = &c.settings;
    conn.exec(
        "UPDATE clinics SET name=?2, name_key=?3, timezone=?4, slot_minutes=?5, min_notice=?6, horizon=?7, \
         cancel_window=?8, reminders=?9, duplicate_check=?10, require_diagnosis=?11, updated_at=?12, notify=?13 WHERE id=?1",
        args![
            c.id, c.name, name_key(&c.name), c.timezone.name(), s.slot_minutes, s.min_notice, s.horizon,
            s.cancel_window, reminders_text(s), s.duplicate_check, s.require_diagnosis, epoch(c.updated_at),
            s.notify
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Tx, id: &str) -> Result<Clinic> {
    by_id(
        conn,
        &format!("SELECT {COLS} FROM clinics WHERE id = ?1"),
        id,
        "Clinic",
        from_row,
    )
}

pub fn list(conn: &Tx) -> Result<Vec<Clinic>> {
    conn.rows(
        &format!("SELECT {COLS} FROM clinics ORDER BY name_key"),
        args![],
        from_row,
    )
}

pub fn find(conn: &Tx, input: &str) -> Result<Clinic> {
    get(conn, &resolve(conn, &LOOKUP, input)?)
}

/// The clinic named on the command line (or `$APPT_CLINIC`), else the only one.
pub fn default(conn: &Tx, given: Option<&str>) -> Result<Clinic> {
    if let Some(g) = given {
        return find(conn, g);
    }
    let mut all = list(conn)?;
    match all.len() {
        1 => Ok(all.remove(0)),
        0 => {
            Err(Error::not_found("Clinic")
                .hint("create one with `appt clinic add NAME --timezone TZ`"))
        }
        _ => Err(Error::field(
            "clinic",
            "Several clinics exist: give --clinic NAME (or set APPT_CLINIC)",
        )),
    }
}

pub fn has_appointments(conn: &Tx, id: &str) -> Result<bool> {
    conn.one(
        "SELECT EXISTS (SELECT 1 FROM appointments WHERE clinic_id = ?1)",
        args![id],
    )
}
