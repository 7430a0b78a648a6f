//! The `reminders` table: scheduled with an appointment, swept by `remind due`.
//! A run claims one reminder (`claim` = the run's ID, until `claimed_until`) in
//! a write transaction just before delivering it, and records the outcome only
//! while that claim still stands, so overlapping runs never deliver one twice;
//! a run that dies leaves its claim to lapse, and a later run retries.

use super::db::{Row, Tx};
use super::{epoch, instant, new_id, opt_instant};
use crate::args;
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};

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

fn from_row(r: &Row) -> Result<Reminder> {
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
    conn: &Tx,
    appointment_id: &str,
    starts_at: DateTime<Utc>,
    offsets: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    for &offset in offsets {
        let due = starts_at - Duration::minutes(offset);
        if due > now {
            conn.exec(
                "INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
                args![new_id(), appointment_id, offset, epoch(due), epoch(now)],
            )?;
        }
    }
    Ok(())
}

/// Cancels the appointment's pending reminders.
pub fn cancel_pending(conn: &Tx, appointment_id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.exec(
        "UPDATE reminders SET status = 'cancelled', claim = NULL, claimed_until = NULL, updated_at = ?2 \
         WHERE appointment_id = ?1 AND status = 'pending'",
        args![appointment_id, epoch(now)],
    )?;
    Ok(())
}

/// Reminders, by due time, optionally of one status.
pub fn list(conn: &Tx, status: Option<&str>, limit: i64) -> Result<Vec<Reminder>> {
    let (cond, args) = match status {
        Some(s) => ("WHERE status = ?1", args![s].to_vec()),
        None => ("", vec![]),
    };
    conn.rows(
        &format!("SELECT {COLS} FROM reminders {cond} ORDER BY due_at, id LIMIT {limit}"),
        &args,
        from_row,
    )
}

/// The condition for a reminder a run may take at `?1`: pending, due, its retry
/// time come, and no live claim on it.
const TAKEABLE: &str = "status = 'pending' AND due_at <= ?1 \
    AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) AND (claimed_until IS NULL OR claimed_until <= ?1)";

/// Pending reminders due by `now` that no live run has claimed and whose retry time has come.
pub fn due(conn: &Tx, now: DateTime<Utc>) -> Result<Vec<Reminder>> {
    conn.rows(
        &format!("SELECT {COLS} FROM reminders WHERE {TAKEABLE} ORDER BY due_at, id"),
        args![epoch(now)],
        from_row,
    )
}

/// The reminder, if a run may still take it at `now` (another run may have
/// delivered, claimed or cancelled it since the sweep looked).
pub fn takeable(conn: &Tx, id: &str, now: DateTime<Utc>) -> Result<Option<Reminder>> {
    conn.row(
        &format!("SELECT {COLS} FROM reminders WHERE id = ?2 AND {TAKEABLE}"),
        args![epoch(now), id],
        from_row,
    )
}

/// Ends a pending reminder undelivered (`cancelled` or `expired`).
pub fn set_status(conn: &Tx, id: &str, status: &str, now: DateTime<Utc>) -> Result<()> {
    conn.exec(
        "UPDATE reminders SET status = ?2, claim = NULL, claimed_until = NULL, updated_at = ?3 WHERE id = ?1",
        args![id, status, epoch(now)],
    )?;
    Ok(())
}

/// Claims the reminder for run `run` until `until`.
pub fn claim(
    conn: &Tx,
    id: &str,
    run: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.exec(
        "UPDATE reminders SET claim = ?2, claimed_until = ?3, updated_at = ?4 WHERE id = ?1",
        args![id, run, epoch(until), epoch(now)],
    )?;
    Ok(())
}

/// Gives the claim back untouched (the run could not deliver, through no fault of the reminder's).
pub fn release(conn: &Tx, id: &str, run: &str) -> Result<()> {
    conn.exec(
        "UPDATE reminders SET claim = NULL, claimed_until = NULL WHERE id = ?1 AND claim = ?2",
        args![id, run],
    )?;
    Ok(())
}

/// Records the delivery, if run `run`'s claim still stands; false when another
/// run took the reminder over or it was cancelled meanwhile.
pub fn mark_sent(conn: &Tx, id: &str, run: &str, now: DateTime<Utc>) -> Result<bool> {
    Ok(conn.exec(
        "UPDATE reminders SET status = 'sent', sent_at = ?3, attempts = attempts + 1, claim = NULL, \
         claimed_until = NULL, last_error = NULL, updated_at = ?3 \
         WHERE id = ?1 AND claim = ?2 AND status = 'pending'",
        args![id, run, epoch(now)],
    )? == 1)
}

/// Records a failed attempt (retried at `retry_at`, or `failed` for good when
/// None), if run `run`'s claim still stands.
pub fn mark_attempt_failed(
    conn: &Tx,
    id: &str,
    run: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(conn.exec(
        "UPDATE reminders SET attempts = attempts + 1, last_error = ?3, next_attempt_at = ?4, claim = NULL, \
         claimed_until = NULL, status = CASE WHEN CAST(?4 AS BIGINT) IS NULL THEN 'failed' ELSE status END, updated_at = ?5 \
         WHERE id = ?1 AND claim = ?2 AND status = 'pending'",
        args![id, run, error, retry_at.map(epoch), epoch(now)],
    )? == 1)
}
