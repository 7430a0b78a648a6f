//! The `tokens` table: the queue's numbers, the last one given per doctor
//! (or clinic-wide window) and local date.

use super::asked::Asked;
use super::db::{Insert, On, Table, Tx};
use crate::args;
use crate::error::Result;
use chrono::NaiveDate;
use std::cell::Cell;
use std::rc::Rc;

/// The table's columns.
pub const COLS: &str = "scope, local_date, last";

/// The new last token of a day, over the old.
const SET_LAST: Insert = Insert {
    into: Table::Tokens,
    columns: &[COLS],
    upsert: "ON CONFLICT (scope, local_date) DO UPDATE SET last = excluded.last",
};

/// The last token given, as kept: counted on in place.
pub(super) type Last = Rc<Cell<i64>>;

/// `last` (0 when none was given that day), to be kept and counted on.
pub(super) fn last(given: Option<i64>) -> Last {
    Rc::new(Cell::new(given.unwrap_or(0)))
}

/// The next token of a doctor (or clinic-wide window) on a local date; never
/// reused. A write transaction holds the write lock, so the last one given
/// is read once per transaction and counted on here ([`Tx::memo`], forgotten
/// with what an undone [`Tx::attempt`] wrote), and the new last is written
/// with the booking's other writes ([`Tx::insert_later_keyed`]): an import's
/// lines for one doctor's day ask once, and on PostgreSQL a booking's
/// writes stay one round trip.
pub fn next_token(conn: &Tx, scope: &str, on: NaiveDate) -> Result<i64> {
    let asked = Asked::LastToken { scope, on };
    let last: Last = conn.memo(asked, || {
        let last: Option<i64> = conn.row(
            On::reads(&[Table::Tokens]),
            "SELECT last FROM tokens WHERE scope = ?1 AND local_date = ?2",
            args![scope, on],
            |r| r.get(0),
        )?;
        Ok(self::last(last))
    })?;
    let next = last.get() + 1;
    last.set(next);
    // Only the last of a day's held writes need go (several lines of an import).
    conn.insert_later_keyed(&SET_LAST, asked, args![scope, on, next])?;
    Ok(next)
}
