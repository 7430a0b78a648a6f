//! A series' appointments (docs/rules.md#series): its occurrences, and
//! series found by a prefix of their ID. Read from the appointments table,
//! as [`super::appointments`] reads it.

use super::appointments::{from_row, select, SELECTED};
use super::db::{On, Table, Tx};
use super::{epoch, ACTIVE};
use crate::args;
use crate::core::Appointment;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// A series' occurrences (docs/rules.md#series) in start order: all of them,
/// or the active ones starting at `from` or later.
pub fn of_series(
    conn: &Tx,
    series_id: &str,
    from: Option<DateTime<Utc>>,
) -> Result<Vec<Appointment>> {
    match from {
        None => conn.rows(
            SELECTED,
            &format!(
                "{} WHERE a.series_id = ?1 ORDER BY a.starts_at, a.id",
                select()
            ),
            args![series_id],
            from_row,
        ),
        Some(t) => conn.rows(
            SELECTED,
            &format!(
                "{} WHERE a.series_id = ?1 AND a.starts_at >= ?2 AND a.status IN {ACTIVE} \
                 ORDER BY a.starts_at, a.id",
                select()
            ),
            args![series_id, epoch(t)],
            from_row,
        ),
    }
}

/// The series IDs that start with `prefix` (at most `limit`), for finding a
/// series by its ID or a prefix of it; with `at`, those of that clinic's
/// appointments only.
pub fn series_like(conn: &Tx, prefix: &str, at: Option<&str>, limit: i64) -> Result<Vec<String>> {
    conn.rows(
        On::reads(&[Table::Appointments]),
        "SELECT DISTINCT series_id FROM appointments WHERE series_id IS NOT NULL \
         AND substr(series_id, 1, length(CAST(?1 AS TEXT))) = CAST(?1 AS TEXT) \
         AND (clinic_id = ?3 OR ?3 IS NULL) ORDER BY series_id LIMIT ?2",
        args![prefix, limit, super::db::maybe_id(at)],
        |r| r.get(0),
    )
}
