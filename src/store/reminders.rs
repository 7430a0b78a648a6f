//! The `reminders` table: scheduled with an appointment, swept by `remind due`.
//! A run claims a reminder (`claimed_until`) in a write transaction before it
//! delivers, so overlapping runs never deliver one twice; a run that dies leaves
//! its claim to lapse, and a later run retries.

use super::{epoch, instant, new_id, opt_instant};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, Row};

#[derive(Debug, Clone)]
pub struct Reminder {
    pub id: String,
    pub appointment_id: String,
    pub offset_minutes: i64,
    pub due_at: DateTime<Utc>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub const STATUSES: [&str; 5] = ["pending", "sent", "failed", "cancelled", "expired"];

const COLS: &str = "id, appointment_id, offset_minutes, due_at, status, attempts, next_attempt_at, sent_at, last_error";

fn from_row(r: &Row) -> rusqlite::Result<Reminder> {
    Ok(Reminder {
        id: r.get(0)?,
        appointment_id: r.get(1)?,
        offset_minutes: r.get(2)?,
        due_at: instant(r.get(3)?),
        status: r.get(4)?,
        attempts: r.get(5)?,
        next_attempt_at: opt_instant(r.get(6)?),
        sent_at: opt_instant(r.get(7)?),
        last_error: r.get(8)?,
    })
}

/// One pending reminder per offset whose due time is still ahead (SPEC §7).
pub fn schedule(
    conn: &Connection,
    appointment_id: &str,
    starts_at: DateTime<Utc>,
    offsets: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    for &offset in offsets {
        let due = starts_at - Duration::minutes(offset);
        if due > now {
            conn.execute(
                "INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
                params![new_id(), appointment_id, offset, epoch(due), epoch(now)],
            )?;
        }
    }
    Ok(())
}

/// Cancels the appointment's pending reminders.
pub fn cancel_pending(conn: &Connection, appointment_id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE reminders SET status = 'cancelled', updated_at = ?2 WHERE appointment_id = ?1 AND status = 'pending'",
        params![appointment_id, epoch(now)],
    )?;
    Ok(())
}

/// Reminders, by due time, optionally of one status.
pub fn list(conn: &Connection, status: Option<&str>, limit: i64) -> Result<Vec<Reminder>> {
    let (cond, args): (&str, Vec<&dyn rusqlite::ToSql>) = match &status {
        Some(s) => ("WHERE status = ?1", vec![s]),
        None => ("", vec![]),
    };
    let mut st = conn.prepare(&format!(
        "SELECT {COLS} FROM reminders {cond} ORDER BY due_at, id LIMIT {limit}"
    ))?;
    let rows = st.query_map(args.as_slice(), from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Pending reminders due by `now` that no live run has claimed and whose retry time has come.
pub fn due(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Reminder>> {
    let mut st = conn.prepare(&format!(
        "SELECT {COLS} FROM reminders WHERE status = 'pending' AND due_at <= ?1 \
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) AND (claimed_until IS NULL OR claimed_until <= ?1) \
         ORDER BY due_at, id"
    ))?;
    let rows = st.query_map([epoch(now)], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn set_status(conn: &Connection, id: &str, status: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE reminders SET status = ?2, claimed_until = NULL, updated_at = ?3 WHERE id = ?1",
        params![id, status, epoch(now)],
    )?;
    Ok(())
}

pub fn claim(conn: &Connection, id: &str, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE reminders SET claimed_until = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, epoch(until), epoch(now)],
    )?;
    Ok(())
}

pub fn mark_sent(conn: &Connection, id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE reminders SET status = 'sent', sent_at = ?2, attempts = attempts + 1, claimed_until = NULL, \
         last_error = NULL, updated_at = ?2 WHERE id = ?1",
        params![id, epoch(now)],
    )?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or `failed` for good when None.
pub fn mark_attempt_failed(
    conn: &Connection,
    id: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE reminders SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3, claimed_until = NULL, \
         status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE status END, updated_at = ?4 WHERE id = ?1",
        params![id, error, retry_at.map(epoch), epoch(now)],
    )?;
    Ok(())
}
