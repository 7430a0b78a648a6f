//! A transaction on either engine ([`Tx`]): running a statement, reading
//! its rows, an attempt undone alone ([`Tx::attempt`]), and the openings of
//! each kind of transaction. What a transaction keeps of its answers is
//! [`super::memo`]'s, the writes it holds for later [`super::held`]'s.

use super::held::Held;
use super::memo::Memo;
use super::tables::{check, On};
use super::values::{pg_params, Row, Val};
use crate::error::{Error, Result};
use crate::store::pg_client::PgClient;
use std::any::Any;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;

/// Which engine a transaction runs on, for the few statements the dialects
/// write differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The most answers kept: past it, they are all let go of (a server asked
/// for more feeds than that between two changes reads them again).
pub(super) const MOST_LASTING: usize = 256;

/// What a connection keeps from one read transaction to the next
/// ([`Tx::lasting`], in `lasting.rs`): the state it last read in, and
/// what it kept then.
#[derive(Default)]
pub(in crate::store) struct Lasting {
    pub(super) kept: RefCell<Option<Box<(Mark, Kept)>>>,
}

/// The answers a connection kept, by their question.
pub(super) type Kept = HashMap<String, Box<dyn Any + Send>>;

/// The database's state as one connection sees it.
#[derive(Clone, PartialEq, Eq)]
pub(super) enum Mark {
    /// `PRAGMA data_version`, which another connection's commits move,
    /// and this connection's own count of rows changed.
    Sqlite(i64, u64),
    /// The read transaction's snapshot, as text ([`PgClient::snapshot`]).
    Postgres(String),
}

/// A transaction. Every read and write of a command happens inside one, so a
/// command sees one state of the database and commits all of its change or none.
pub struct Tx<'c> {
    pub(super) inner: TxInner<'c>,
    pub(super) memo: Memo,
    /// A savepoint left open by the last [`Tx::attempt`] that succeeded: the
    /// next one releases it as it opens its own, in one round trip.
    pub(super) savepoint: Cell<bool>,
    /// Writes [`Tx::insert_later`] queued (on SQLite only inside [`Tx::together`]).
    pub(super) pending: RefCell<Vec<Held>>,
    /// Inside [`Tx::together`]: attempts hold their writes.
    pub(super) held: Cell<bool>,
    /// An attempt inside [`Tx::together`] that has sent nothing yet: where
    /// its held writes start.
    pub(super) unsent: Cell<Option<usize>>,
    /// Writes held together were refused: [`Tx::together`] undoes them.
    pub(super) broken: Cell<bool>,
    /// [`Tx::together`]'s savepoint is open.
    pub(super) together_open: Cell<bool>,
    /// Statements sent: round trips on PostgreSQL, which the tests count.
    pub(super) sent: Cell<usize>,
    /// What a read transaction's connection keeps for the next ones
    /// ([`Tx::lasting`]); None in a write transaction and on a standby.
    pub(super) lasting: Option<&'c Lasting>,
    /// The state this read transaction reads, once known: it cannot change
    /// within it (another connection's commits are not seen, and a read
    /// transaction writes nothing).
    pub(super) mark: OnceCell<Mark>,
    /// The tables this transaction changed, as bits ([`super::changes`]):
    /// each one's count goes up by one as it commits.
    pub(super) changed_tables: Cell<u64>,
    /// Whether its commit counts them (not in a schema upgrade).
    pub(super) counting: bool,
}

pub(super) enum TxInner<'c> {
    Sqlite(rusqlite::Transaction<'c>),
    // The driver's methods take `&mut`; a `Tx` is shared by reference.
    Postgres(RefCell<Pg<'c>>),
}

/// A PostgreSQL transaction, or statements sent into one the caller opened
/// ([`pg_within`]). A transaction's
/// opening is sent with its first statement, and its end as it ends
/// (see `pg_client`).
pub(super) struct Pg<'c> {
    pub(super) client: &'c mut PgClient,
    kind: PgKind,
    /// Committed, or nothing to end.
    done: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PgKind {
    /// Inside a transaction the caller opened and ends.
    Bare,
    /// A read-only snapshot: its `COMMIT` is not waited for.
    Read,
    /// A write: its `COMMIT` is waited for (it is when it is durable).
    Write,
}

impl<'c> Pg<'c> {
    /// `kind`'s transaction on `client`, opened with the first statement:
    /// `opening`, then the connection's limit on each statement
    /// ([`PgClient::statement_timeout`]), for this transaction only. Nothing
    /// is set on the session, which a pooler in transaction mode hands to
    /// another client once the transaction ends
    /// (docs/operations.md#behind-pgbouncer).
    /// With `snapshot`, the opening asks for the snapshot the transaction
    /// reads too ([`PgClient::defer_opening`]).
    fn begin(client: &'c mut PgClient, kind: PgKind, opening: &str, snapshot: bool) -> Self {
        let limit = client.statement_timeout().as_millis();
        client.defer_opening(
            &format!("{opening}; SET LOCAL statement_timeout = '{limit}ms'"),
            snapshot,
        );
        Pg {
            client,
            kind,
            done: false,
        }
    }

    fn bare(client: &'c mut PgClient) -> Self {
        Pg {
            client,
            kind: PgKind::Bare,
            done: true,
        }
    }

    /// Commits, `counted` (the tables' counts of changes, if it changed
    /// any) sent with the `COMMIT`, in the same round trip.
    fn commit(mut self, counted: Option<&str>) -> std::result::Result<(), tokio_postgres::Error> {
        self.done = true;
        // A transaction that sent no statement never began.
        if self.kind == PgKind::Bare || self.client.forget_deferred() {
            return Ok(());
        }
        match (self.kind, counted) {
            // It only read: nothing of it can fail to last.
            (PgKind::Read, _) => self.client.send("COMMIT"),
            (_, Some(sql)) => self.client.batch_execute(&format!("{sql}; COMMIT")),
            (_, None) => self.client.batch_execute("COMMIT"),
        }
    }
}

impl Drop for Pg<'_> {
    /// Ends a transaction not committed (an error, a rehearsal): its
    /// `ROLLBACK` goes ahead of the connection's next request.
    fn drop(&mut self) {
        if !self.done && !self.client.forget_deferred() {
            let _ = self.client.send("ROLLBACK");
        }
    }
}

impl<'c> Tx<'c> {
    fn new(inner: TxInner<'c>) -> Self {
        Tx {
            inner,
            memo: Memo::default(),
            savepoint: Default::default(),
            pending: Default::default(),
            held: Default::default(),
            unsent: Default::default(),
            broken: Default::default(),
            together_open: Default::default(),
            sent: Default::default(),
            lasting: None,
            mark: Default::default(),
            changed_tables: Default::default(),
            counting: true,
        }
    }

    pub(in crate::store) fn sqlite(inner: rusqlite::Transaction<'c>) -> Self {
        Tx::new(TxInner::Sqlite(inner))
    }

    /// A schema upgrade's step: it counts no change ([`super::changes`]).
    pub(in crate::store) fn upgrading(inner: rusqlite::Transaction<'c>) -> Self {
        Tx {
            counting: false,
            ..Tx::sqlite(inner)
        }
    }

    fn postgres(inner: Pg<'c>) -> Self {
        Tx::new(TxInner::Postgres(RefCell::new(inner)))
    }

    pub(in crate::store) fn commit(self) -> Result<()> {
        self.flush()?;
        let counted = self.count_changes();
        match self.inner {
            TxInner::Sqlite(t) => {
                if let Some(sql) = counted {
                    t.execute_batch(&sql)?;
                }
                Ok(t.commit()?)
            }
            TxInner::Postgres(t) => Ok(t.into_inner().commit(counted.as_deref())?),
        }
    }

    /// The file a SQLite transaction's database lives in (`""` in memory);
    /// None on a server.
    pub fn sqlite_file(&self) -> Option<String> {
        match &self.inner {
            TxInner::Sqlite(t) => Some(t.path().unwrap_or_default().to_string()),
            TxInner::Postgres(..) => None,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(..) => Backend::Postgres,
        }
    }

    /// Runs a statement that writes what `on` says; returns how many rows
    /// it changed.
    pub fn exec(&self, on: On, sql: &str, args: &[Val]) -> Result<usize> {
        check(on, sql);
        self.before_statement()?;
        self.wrote(on);
        let n = self.run(sql, args)?;
        if n > 0 {
            self.changing(on.writes);
        }
        Ok(n)
    }

    pub(super) fn run(&self, sql: &str, args: &[Val]) -> Result<usize> {
        self.sent.set(self.sent.get() + 1);
        match &self.inner {
            TxInner::Sqlite(t) => {
                let mut st = t.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(args))?)
            }
            TxInner::Postgres(t) => {
                let n = t.borrow_mut().client.execute(sql, &pg_params(args))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// [`Tx::run`] for a statement made of many held writes: not kept
    /// prepared (its text is one of many, seen once).
    pub(super) fn run_once(&self, sql: &str, args: &[Val]) -> Result<usize> {
        match &self.inner {
            TxInner::Postgres(t) => {
                self.sent.set(self.sent.get() + 1);
                let n = t.borrow_mut().client.execute_once(sql, &pg_params(args))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
            TxInner::Sqlite(_) => self.run(sql, args),
        }
    }

    /// What goes before a statement that answers with rows: its
    /// declaration checked, the writes held before it sent, what it writes
    /// (a `RETURNING`) forgotten, what it reads noted, and one more sent.
    fn asking(&self, on: On, sql: &str) -> Result<()> {
        check(on, sql);
        self.before_statement()?;
        self.wrote(on);
        self.changing(on.writes);
        self.read_from(on);
        self.sent.set(self.sent.get() + 1);
        Ok(())
    }

    /// Calls `f` on each row of a statement that reads (or, with
    /// `RETURNING`, writes) what `on` says, in order, without collecting them.
    pub fn each(
        &self,
        on: On,
        sql: &str,
        args: &[Val],
        mut f: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        self.asking(on, sql)?;
        match &self.inner {
            TxInner::Sqlite(t) => {
                let mut st = t.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(args))?;
                while let Some(r) = rows.next()? {
                    f(&Row::sqlite(r))?;
                }
            }
            TxInner::Postgres(t) => {
                let mut t = t.borrow_mut();
                let params = pg_params(args);
                let mut rows = t.client.query_raw(sql, &params)?;
                while let Some(r) = rows.next()? {
                    f(&Row::postgres(&r))?;
                }
            }
        }
        Ok(())
    }

    /// Every row, each turned into a `T` by `f`.
    pub fn rows<T>(
        &self,
        on: On,
        sql: &str,
        args: &[Val],
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(on, sql, args, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// [`rows`](Tx::rows) of `sql` for many keys: its `{keys}` is the
    /// placeholders of up to 500 of `keys` at a time, after those of
    /// `before`, one statement each 500, the rows of all in no set order.
    /// On PostgreSQL it is every key at once, as one array (`unnest`): one
    /// statement, prepared once, and one round trip.
    pub fn rows_in<T>(
        &self,
        on: On,
        sql: &str,
        before: &[Val],
        keys: &[&str],
        f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.rows_in_as(on, sql, before, keys, false, f)
    }

    /// [`rows_in`](Tx::rows_in) of keys that are IDs kept as their 16
    /// bytes ([`super::values::id`]); text that is no ID finds nothing.
    pub fn rows_in_ids<T>(
        &self,
        on: On,
        sql: &str,
        before: &[Val],
        keys: &[&str],
        f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.rows_in_as(on, sql, before, keys, true, f)
    }

    fn rows_in_as<T>(
        &self,
        on: On,
        sql: &str,
        before: &[Val],
        keys: &[&str],
        ids: bool,
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        use super::values::{id, marks, ToVal};
        let mut out = Vec::new();
        if let TxInner::Postgres(t) = &self.inner {
            use tokio_postgres::types::{ToSql, Type};
            // An ID's text that is no UUID matches nothing; PostgreSQL
            // would refuse it as a `uuid`.
            let uuids: Vec<uuid::Uuid> = if ids {
                keys.iter()
                    .filter_map(|k| uuid::Uuid::try_parse(k).ok())
                    .collect()
            } else {
                Vec::new()
            };
            let (array, ty, name): (&(dyn ToSql + Sync), _, _) = if ids {
                (&uuids, Type::UUID_ARRAY, "uuid[]")
            } else {
                (&keys, Type::TEXT_ARRAY, "TEXT[]")
            };
            let all = format!("SELECT unnest(CAST(?{} AS {name}))", before.len() + 1);
            let sql = sql.replace("{keys}", &all);
            self.asking(on, &sql)?;
            let mut t = t.borrow_mut();
            let mut params = pg_params(before);
            params.push((array, ty));
            let mut rows = t.client.query_raw(&sql, &params)?;
            while let Some(r) = rows.next()? {
                out.push(f(&Row::postgres(&r))?);
            }
            return Ok(out);
        }
        for chunk in keys.chunks(500) {
            let mut args = before.to_vec();
            args.extend(chunk.iter().map(|k| if ids { id(k) } else { k.to_val() }));
            let sql = sql.replace("{keys}", &marks(before.len() + 1, chunk.len()));
            out.extend(self.rows(on, &sql, &args, &mut f)?);
        }
        Ok(out)
    }

    /// The first row, if any.
    pub fn row<T>(
        &self,
        on: On,
        sql: &str,
        args: &[Val],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.asking(on, sql)?;
        match &self.inner {
            TxInner::Sqlite(t) => {
                let mut st = t.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(args))?;
                match rows.next()? {
                    Some(r) => Ok(Some(f(&Row::sqlite(r))?)),
                    None => Ok(None),
                }
            }
            TxInner::Postgres(t) => {
                let rows = t.borrow_mut().client.query(sql, &pg_params(args))?;
                match rows.first() {
                    Some(r) => Ok(Some(f(&Row::postgres(r))?)),
                    None => Ok(None),
                }
            }
        }
    }

    /// The first column of the first row (a count, an EXISTS, a RETURNING).
    pub fn one<T: super::values::Column>(&self, on: On, sql: &str, args: &[Val]) -> Result<T> {
        self.row(on, sql, args, |r| r.get(0))?
            .ok_or_else(|| Error::internal(crate::text::msg!("e-no_row_from", sql = sql)))
    }

    /// Runs `f` under a savepoint: what it wrote stays when it succeeds and is
    /// undone, alone, when it fails (one line of an import). The savepoint
    /// of one that succeeds is released by the next, or by the commit: what
    /// runs between them is never rolled back to it.
    ///
    /// Inside [`Tx::together`] it opens its savepoint only when it first
    /// sends a statement: one that sends none (all it reads was kept, all it
    /// writes held) leaves its writes held with the others when it succeeds,
    /// and drops them when it fails.
    pub fn attempt<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        if self.held.get() {
            self.unsent.set(Some(self.pending.borrow().len()));
            let out = f(self);
            match self.unsent.take() {
                Some(mark) => {
                    if out.is_err() {
                        self.pending.borrow_mut().truncate(mark);
                        // What it changed of the kept answers goes with it.
                        self.forget_all();
                    }
                    return out;
                }
                // Writes held before it were refused: together undoes them.
                None if self.broken.get() => return out,
                None => return self.judge(out),
            }
        }
        self.savepoints(self.opening("attempt"))?;
        self.judge(f(self))
    }

    /// How many statements it has sent.
    #[cfg(test)]
    pub(crate) fn statements_sent(&self) -> usize {
        self.sent.get()
    }

    /// Whether attempts hold their writes ([`Tx::together`]).
    pub fn holding(&self) -> bool {
        self.held.get()
    }

    /// What opens the savepoint `name`, releasing those a success left open.
    pub(super) fn opening(&self, name: &str) -> &'static str {
        let attempt = self.savepoint.replace(false);
        match (self.together_open.get(), name, attempt) {
            (true, "together", _) => "RELEASE SAVEPOINT together; SAVEPOINT together",
            (_, "together", true) => "RELEASE SAVEPOINT attempt; SAVEPOINT together",
            (_, "together", false) => "SAVEPOINT together",
            (_, _, true) => "RELEASE SAVEPOINT attempt; SAVEPOINT attempt",
            _ => "SAVEPOINT attempt",
        }
    }

    /// An attempt's end, its savepoint open: what it kept for later is part
    /// of it, run before it is judged.
    fn judge<T>(&self, out: Result<T>) -> Result<T> {
        match out.and_then(|v| self.flush().map(|()| v)) {
            Ok(v) => {
                self.savepoint.set(true);
                Ok(v)
            }
            Err(e) => {
                // What was read inside it may have been undone with it.
                self.forget_all();
                self.pending.borrow_mut().clear();
                self.savepoints("ROLLBACK TO SAVEPOINT attempt; RELEASE SAVEPOINT attempt")?;
                Err(e)
            }
        }
    }

    /// Runs `f`, whose [`Tx::attempt`]s hold their writes, and sends them
    /// together at its end, under one savepoint (the writes of an import's
    /// lines read ahead: on PostgreSQL a few statements for them all rather
    /// than one a line, and on either engine no savepoint a line, whose
    /// journal copies every page a line touches on SQLite). Returns None
    /// when the database refused them: all `f` did is undone, and the caller
    /// runs it again, attempt by attempt, to find which one it refuses.
    pub fn together<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<Option<T>> {
        self.savepoints(self.opening("together"))?;
        self.together_open.set(true);
        self.held.set(true);
        let out = f(self);
        self.held.set(false);
        let refused = if self.broken.get() {
            true
        } else if out.is_err() {
            return out.map(Some);
        } else {
            self.flush().is_err()
        };
        if refused {
            self.broken.set(false);
            self.forget_all();
            self.pending.borrow_mut().clear();
            self.savepoint.set(false);
            self.together_open.set(false);
            self.savepoints("ROLLBACK TO SAVEPOINT together; RELEASE SAVEPOINT together")?;
            return Ok(None);
        }
        Ok(out.ok())
    }

    /// Several statements with no parameters that may write anything (a
    /// migration): every kept answer is forgotten.
    pub fn script(&self, sql: &str) -> Result<()> {
        self.before_statement()?;
        self.wrote(On::EVERYTHING);
        self.changing(On::EVERYTHING.writes);
        self.batch(sql)
    }

    /// Opens, releases or rolls back savepoints: the transaction's own
    /// business, which writes no table.
    pub(super) fn savepoints(&self, sql: &str) -> Result<()> {
        self.before_statement()?;
        self.batch(sql)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.sent.set(self.sent.get() + 1);
        match &self.inner {
            TxInner::Sqlite(t) => Ok(t.execute_batch(sql)?),
            TxInner::Postgres(t) => Ok(t.borrow_mut().client.batch_execute(sql)?),
        }
    }
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before
/// the first read, so the rules checked inside it still hold at commit.
/// With `keep` false it is rolled back whatever `f` did (a dry run).
pub(in crate::store) fn write<T>(
    conn: &mut rusqlite::Connection,
    keep: bool,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let tx = Tx::sqlite(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?);
    let out = f(&tx)?;
    if keep {
        tx.commit()?;
    }
    Ok(out)
}

/// Runs `f` in a read transaction: one consistent state of the database,
/// and what `lasting` kept of the last ones while it was the same.
pub(in crate::store) fn read<T>(
    conn: &mut rusqlite::Connection,
    lasting: &Lasting,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let mut tx =
        Tx::sqlite(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?);
    tx.lasting = Some(lasting);
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// The one advisory lock every PostgreSQL write transaction takes first:
/// writers are serialised as `BEGIN IMMEDIATE` serialises them on SQLite.
const WRITE_LOCK: i64 = 0x6170_7074_0001;

/// Runs `f` in a READ COMMITTED transaction that first takes the write lock
/// (waiting at most 10 s), so the rules checked inside it still hold at
/// commit. The opening, its lock timeout and the lock go with the first
/// statement, in its round trip, and run before it. The lock is the
/// transaction's (`pg_advisory_xact_lock`): it goes with the commit, and
/// no session outlives the transaction holding it.
pub(in crate::store) fn pg_write<T>(
    client: &mut PgClient,
    keep: bool,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let opening = format!(
        "START TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = '10s'; \
         SELECT pg_advisory_xact_lock({WRITE_LOCK})"
    );
    let tx = Tx::postgres(Pg::begin(client, PgKind::Write, &opening, false));
    let out = f(&tx)?;
    if keep {
        tx.commit()?;
    } else {
        // A rehearsal meets what the writes kept for later would meet.
        tx.flush()?;
    }
    Ok(out)
}

/// Runs `f` in a read-only REPEATABLE READ transaction: one snapshot (taken
/// by its first statement, which its opening goes with). It waits on the
/// server once per statement: its `COMMIT` is not waited for. With
/// `lasting`, the opening asks for the snapshot too, and answers kept
/// while it stays the same are not read again ([`Tx::lasting`]).
pub(in crate::store) fn pg_read<'c, T>(
    client: &'c mut PgClient,
    lasting: Option<&'c Lasting>,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let opening = "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    let mut tx = Tx::postgres(Pg::begin(client, PgKind::Read, opening, lasting.is_some()));
    tx.lasting = lasting;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Runs `f`'s statements inside the transaction the caller opened on
/// `client` and will end (a schema upgrade's step, `pg.rs`).
pub(in crate::store) fn pg_within<T>(
    client: &mut PgClient,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let tx = Tx {
        counting: false,
        ..Tx::postgres(Pg::bare(client))
    };
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}
