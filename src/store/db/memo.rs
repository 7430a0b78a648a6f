//! What a transaction asks once and keeps ([`Tx::memo`]): the answers to
//! the questions of [`Asked`], each with the tables it was read from. A
//! statement that declares it writes one of those tables forgets the
//! answers read from it; an attempt undone forgets them all.

use super::tables::{On, Table};
use super::tx::Tx;
use super::values::{Row, ToVal, Val};
use crate::error::Result;
use crate::store::asked::{Asked, Key};
use std::rc::Rc;

/// The kept answers, by their key, in order (so that one question's
/// answers with the same first arguments are found together,
/// [`Tx::amend_kept`]), and in debug builds the tables each answer being
/// read has read so far.
#[derive(Default)]
pub(super) struct Memo {
    kept: std::cell::RefCell<std::collections::BTreeMap<Key, Kept>>,
    /// The tables some kept answer may have been read from: a write to
    /// none of them has nothing to forget, and looks at no answer (an
    /// import keeps thousands, and writes events and reminders on every
    /// line).
    tables_kept: std::cell::Cell<u64>,
    #[cfg(debug_assertions)]
    reading: std::cell::RefCell<Vec<Vec<Table>>>,
}

struct Kept {
    on: &'static [Table],
    value: Rc<dyn std::any::Any>,
}

impl Tx<'_> {
    /// The answer to `asked`, read by `read` once per transaction: the same
    /// clinic, doctor and windows asked by an import's lines or a series'
    /// occurrences are read once (on PostgreSQL, a round trip each). A write
    /// in the same transaction to a table the answer is read from
    /// ([`Asked::on`]) forgets it, and so does an [`Tx::attempt`] undone;
    /// another process cannot write meanwhile (a write transaction holds the
    /// write lock, a read one sees one snapshot).
    pub fn memo<T: Clone + 'static>(
        &self,
        asked: Asked,
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let key = asked.key();
        if let Some(kept) = self.memo.kept.borrow().get(&key) {
            if let Some(v) = kept.value.downcast_ref::<T>() {
                return Ok(v.clone());
            }
        }
        self.start_reading();
        let v = read();
        self.end_reading(asked.on(), &asked);
        let v = v?;
        self.keep(asked, v.clone());
        Ok(v)
    }

    /// Runs `read`, which reads only `tables`: in debug builds, a statement
    /// it runs on any other table fails the assertion (a part of a day read
    /// again only when its tables changed, `app::board::refresh`, would go
    /// stale past a change to a table it did not name).
    pub fn reading_only<T>(&self, tables: &[Table], read: impl FnOnce() -> Result<T>) -> Result<T> {
        self.start_reading();
        let v = read();
        self.end_reading(tables, &"a read of only these tables");
        v
    }

    /// Keeps `value` as the answer to `asked` (a look-up made for many at
    /// once, [`crate::store::ahead`]).
    pub fn keep<T: 'static>(&self, asked: Asked, value: T) {
        let tables = mask(asked.on());
        self.memo
            .tables_kept
            .set(self.memo.tables_kept.get() | tables);
        self.memo.kept.borrow_mut().insert(
            asked.key(),
            Kept {
                on: asked.on(),
                value: Rc::new(value),
            },
        );
    }

    /// Whether an answer to `asked` is kept.
    pub fn is_kept(&self, asked: &Asked) -> bool {
        self.memo.kept.borrow().contains_key(&asked.key())
    }

    /// Changes, with `change`, the kept answers whose key starts with
    /// `first` that `applies` picks: a write known to change them that way
    /// (a new appointment is one more busy time on its doctor's days) keeps
    /// them right rather than forgets them.
    pub fn amend_kept<T: Clone + 'static>(
        &self,
        first: Key,
        applies: impl Fn(&T) -> bool,
        mut change: impl FnMut(&mut T),
    ) {
        let mut kept = self.memo.kept.borrow_mut();
        let what = first.0;
        for ((w, args), k) in kept.range_mut(first.clone()..) {
            if *w != what || !args.starts_with(&first.1) {
                break;
            }
            if let Some(v) = k.value.downcast_ref::<T>().filter(|v| applies(v)) {
                let mut v = v.clone();
                change(&mut v);
                k.value = Rc::new(v);
            }
        }
    }

    /// Asks for many keys at once and keeps each one's rows as `answer`
    /// makes them, under the question `asked` makes of the key: the rows
    /// whose `key_of` is the key, in the order read, or none. `sql(n)` asks
    /// for `n` keys (`?1` to `?n`), a few hundred a statement (an import's
    /// next lines: one round trip for them all).
    #[allow(clippy::too_many_arguments)]
    pub fn keep_grouped<T, K: 'static>(
        &self,
        on: On,
        keys: &[&str],
        asked: impl for<'k> Fn(&'k str) -> Asked<'k>,
        sql: impl Fn(usize) -> String,
        from_row: impl Fn(&Row) -> Result<T>,
        key_of: impl Fn(&T) -> Option<&str>,
        answer: impl Fn(Vec<T>) -> K,
    ) -> Result<()> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        for chunk in keys.chunks(500) {
            let args: Vec<Val> = chunk.iter().map(|k| k.to_val()).collect();
            let mut found: std::collections::HashMap<String, Vec<T>> =
                std::collections::HashMap::new();
            for row in self.rows(on, &sql(chunk.len()), &args, &from_row)? {
                if let Some(k) = key_of(&row).map(str::to_string) {
                    found.entry(k).or_default().push(row);
                }
            }
            for k in chunk {
                let rows = found.remove(*k).unwrap_or_default();
                self.keep(asked(k), answer(rows));
            }
        }
        Ok(())
    }

    /// Forgets the kept answers read from a table `on` writes.
    pub(super) fn wrote(&self, on: On) {
        if mask(on.writes) & self.memo.tables_kept.get() == 0 {
            return;
        }
        let mut kept = self.memo.kept.borrow_mut();
        if !kept.is_empty() {
            kept.retain(|_, k| !k.on.iter().any(|t| on.writes.contains(t)));
        }
    }

    /// Forgets the answers to `changed` alone (a write that says which
    /// answers it changes: a new patient changes who has their phone).
    pub(super) fn changed(&self, changed: &[Asked]) {
        let mut kept = self.memo.kept.borrow_mut();
        for asked in changed {
            kept.remove(&asked.key());
        }
    }

    /// Forgets every kept answer (an attempt undone).
    pub(super) fn forget_all(&self) {
        self.memo.kept.borrow_mut().clear();
        self.memo.tables_kept.set(0);
    }

    /// In debug builds: a statement read `on` while an answer is being read.
    pub(super) fn read_from(&self, on: On) {
        #[cfg(debug_assertions)]
        for frame in self.memo.reading.borrow_mut().iter_mut() {
            frame.extend(on.reads.iter().chain(on.writes));
        }
        #[cfg(not(debug_assertions))]
        let _ = on;
    }

    fn start_reading(&self) {
        #[cfg(debug_assertions)]
        self.memo.reading.borrow_mut().push(Vec::new());
    }

    /// In debug builds: what was read since [`Tx::start_reading`] was read
    /// only from `on`, the tables `what` (a kept answer's question,
    /// [`Asked::on`], or a part read again only when they change) says, or
    /// a write to another would leave it stale.
    fn end_reading(&self, on: &[Table], what: &dyn std::fmt::Debug) {
        #[cfg(debug_assertions)]
        if let Some(read) = self.memo.reading.borrow_mut().pop() {
            assert!(
                read.iter().all(|t| on.contains(t)),
                "{what:?} is read from {on:?} but its reading read {read:?}"
            );
        }
        #[cfg(not(debug_assertions))]
        let _ = (on, what);
    }
}

/// `tables` as bits, one per table.
const _: () = assert!(Table::ALL.len() <= 64);
pub(super) fn mask(tables: &[Table]) -> u64 {
    tables.iter().fold(0, |m, t| m | 1 << (*t as u64))
}
