//! What a connection keeps from one read transaction to the next
//! ([`Tx::lasting`]): answers that cost more to read than to keep (a
//! calendar feed's signature reads every visit of its days, and its
//! phones ask again and again), kept while the database has not changed.
//! "Not changed" is the database's own word on it, read inside the
//! transaction so that it is the one of the state it reads:
//! - SQLite: `PRAGMA data_version`, which moves with every commit of
//!   another connection, beside this connection's own count of rows
//!   changed (`sqlite3_total_changes`);
//! - PostgreSQL: the read transaction's snapshot (`pg_current_snapshot()`,
//!   asked with its opening, in the round trip of its first statement):
//!   two snapshots alike see the same committed transactions. Any write
//!   to the server moves it, appt's or anyone's, in any of its databases.
//!   A standby's reads keep nothing.

use super::tx::{Mark, Tx, TxInner, MOST_LASTING};
use crate::error::Result;
use std::collections::HashMap;

impl Tx<'_> {
    /// The answer `key` names, read by `read` once while the database is
    /// unchanged: in a read transaction, kept for the next ones until
    /// anyone writes; in a write transaction, read each time. `key` names
    /// the question and every argument it is asked with.
    pub fn lasting<T: Clone + Send + 'static>(
        &self,
        key: String,
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let Some(lasting) = self.lasting else {
            return read();
        };
        let known = self.mark()?;
        if let (Some(mark), Some((at, kept))) = (&known, lasting.kept.borrow().as_deref()) {
            if at == mark {
                if let Some(v) = kept.get(&key).and_then(|v| v.downcast_ref::<T>()) {
                    return Ok(v.clone());
                }
            }
        }
        let value = read()?;
        // On PostgreSQL, a transaction's first statement is sent with its
        // opening, which asks for its snapshot: known once it is answered.
        let mark = match known {
            Some(m) => m,
            None => match self.mark()? {
                Some(m) => m,
                None => return Ok(value),
            },
        };
        let mut kept = lasting.kept.borrow_mut();
        match kept.as_deref_mut() {
            Some((at, answers)) if *at == mark && answers.len() < MOST_LASTING => {
                answers.insert(key, Box::new(value.clone()));
            }
            _ => {
                *kept = Some(Box::new((
                    mark,
                    HashMap::from([(key, Box::new(value.clone()) as _)]),
                )));
            }
        }
        Ok(value)
    }

    /// The state this read transaction reads: on SQLite read now (once),
    /// on PostgreSQL its snapshot, once its opening was answered (None
    /// before its first statement).
    fn mark(&self) -> Result<Option<Mark>> {
        if let Some(m) = self.mark.get() {
            return Ok(Some(m.clone()));
        }
        let m = match &self.inner {
            TxInner::Sqlite(t) => Mark::Sqlite(
                t.prepare_cached("PRAGMA data_version")?
                    .query_row([], |r| r.get(0))?,
                t.total_changes(),
            ),
            TxInner::Postgres(pg) => match pg.borrow().client.snapshot() {
                Some(s) => Mark::Postgres(s.to_owned()),
                None => return Ok(None),
            },
        };
        Ok(Some(self.mark.get_or_init(|| m).clone()))
    }
}
