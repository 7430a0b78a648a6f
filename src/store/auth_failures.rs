//! The `auth_failures` table: each failed authentication by the address it
//! came from, so that the limit on an address (`core::access::limited`)
//! holds across every `appt serve` sharing the database.

use super::db::{On, Table, Tx};
use super::epoch;
use crate::args;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// The columns, as copied.
pub const COLS: &str = "id, address, at";

/// How many authentications from `address` failed after `since`, and when
/// the oldest of them was.
pub fn since(tx: &Tx, address: &str, since: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>)> {
    let (n, oldest): (i64, Option<i64>) = tx
        .row(
            On::reads(&[Table::AuthFailures]),
            "SELECT count(*), min(at) FROM auth_failures WHERE address = ?1 AND at > ?2",
            args![address, epoch(since)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .unwrap_or((0, None));
    Ok((n, oldest.and_then(|s| DateTime::from_timestamp(s, 0))))
}

/// Records a failure from `address` at `at`, and forgets every failure
/// (of any address) from `before` or earlier: they no longer count.
pub fn add(tx: &Tx, address: &str, at: DateTime<Utc>, before: DateTime<Utc>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::AuthFailures]),
        "DELETE FROM auth_failures WHERE at <= ?1",
        args![epoch(before)],
    )?;
    tx.exec(
        On::writes(&[Table::AuthFailures]),
        "INSERT INTO auth_failures (id, address, at) VALUES (?1, ?2, ?3)",
        args![super::new_id(), address, epoch(at)],
    )?;
    Ok(())
}
