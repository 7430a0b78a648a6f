//! How many times each table was changed ([`Changes`]): a write
//! transaction counts the tables it changed as it runs, and adds one to
//! each one's row of `changes` as it commits (on PostgreSQL in the
//! `COMMIT`'s round trip). A reader that stays open, the board, compares
//! two readings and reads again only what depends on a table that moved
//! (docs/board.md#live). A schema upgrade counts nothing: the table may
//! not exist yet, and no reader follows an upgrade.

use super::memo::mask;
use super::tables::{On, Table};
use super::tx::Tx;
use crate::args;
use crate::error::Result;

/// Each table's count of the write transactions that changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changes([i64; Table::ALL.len()]);

impl Default for Changes {
    fn default() -> Self {
        Changes([0; Table::ALL.len()])
    }
}

impl Changes {
    /// Whether any of `tables` was changed between `self` and `now`.
    pub fn moved(&self, now: &Changes, tables: &[Table]) -> bool {
        tables
            .iter()
            .any(|t| self.0[*t as usize] != now.0[*t as usize])
    }

    /// Every table's count, as read now.
    pub fn read(tx: &Tx) -> Result<Changes> {
        let mut c = Changes::default();
        for (name, n) in tx.rows(
            On::reads(&[Table::Changes]),
            "SELECT name, n FROM changes",
            args![],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
        )? {
            if let Some(t) = Table::named(&name) {
                c.0[t as usize] = n;
            }
        }
        Ok(c)
    }
}

impl Tx<'_> {
    /// `tables` were changed (or may have been: a write held for later, a
    /// `RETURNING`).
    pub(super) fn changing(&self, tables: &[Table]) {
        self.changed_tables
            .set(self.changed_tables.get() | mask(tables));
    }

    /// The statement that counts what this transaction changed, if it
    /// changed anything (the count's own table aside). The names are
    /// appt's own, written into the text.
    pub(super) fn count_changes(&self) -> Option<String> {
        if !self.counting {
            return None;
        }
        let bits = self.changed_tables.get() & !mask(&[Table::Changes]);
        let rows: Vec<String> = Table::ALL
            .iter()
            .filter(|t| bits & mask(t.alone()) != 0)
            .map(|t| format!("('{}', 1)", t.name()))
            .collect();
        (!rows.is_empty()).then(|| {
            format!(
                "INSERT INTO changes (name, n) VALUES {} \
                 ON CONFLICT (name) DO UPDATE SET n = changes.n + 1",
                rows.join(", ")
            )
        })
    }
}
