//! The `reminders` table: what booking schedules and changes cancel.

use super::{epoch, new_id};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection};

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
