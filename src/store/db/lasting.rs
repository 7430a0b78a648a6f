//! What a SQLite connection keeps from one read transaction to the next
//! ([`Tx::lasting`]): answers that cost more to read than to keep (a
//! calendar feed's signature reads every visit of its days, and its
//! phones ask again and again), kept while the database has not changed.
//! "Not changed" is SQLite's own word on it: `PRAGMA data_version`, which
//! moves with every commit of another connection, beside this
//! connection's own count of rows changed (`sqlite3_total_changes`), both
//! read inside the transaction, so that they are the ones of the state it
//! reads. PostgreSQL has no such mark to read for nothing: there every
//! transaction reads its answer again.

use super::tx::{Mark, Tx, TxInner, MOST_LASTING};
use crate::error::Result;
use std::collections::HashMap;

impl Tx<'_> {
    /// The answer `key` names, read by `read` once while the database is
    /// unchanged: on SQLite, in a read transaction, kept for the next ones
    /// until anyone writes; on PostgreSQL and in a write transaction, read
    /// each time. `key` names the question and every argument it is asked
    /// with.
    pub fn lasting<T: Clone + Send + 'static>(
        &self,
        key: String,
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let (Some(lasting), TxInner::Sqlite(t)) = (self.lasting, &self.inner) else {
            return read();
        };
        let mark: Mark = match self.mark.get() {
            Some(m) => m,
            None => {
                let m = (
                    t.prepare_cached("PRAGMA data_version")?
                        .query_row([], |r| r.get(0))?,
                    t.total_changes(),
                );
                self.mark.set(Some(m));
                m
            }
        };
        if let Some((at, kept)) = lasting.kept.borrow().as_deref() {
            if *at == mark {
                if let Some(v) = kept.get(&key).and_then(|v| v.downcast_ref::<T>()) {
                    return Ok(v.clone());
                }
            }
        }
        let value = read()?;
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
}
