//! Everything SQL, and the only place that names a database driver: opening
//! the database (a SQLite file by default, or a PostgreSQL server for clinic
//! groups), its migrations (one list for both engines, `migrations.rs`, with
//! each engine's scripts in `schema/sqlite/` and `schema/postgres/`), and one
//! module per table. Every command's change is one serialised write
//! transaction (`BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL),
//! committed together or not at all.

pub(crate) mod access_log;
pub(crate) mod ahead;
pub(crate) mod api_tokens;
mod appointment_busy;
mod appointment_columns;
mod appointment_filter;
pub(crate) mod appointments;
pub(crate) mod asked;
pub(crate) mod auth_failures;
pub(crate) mod backup;
pub(crate) mod calendars;
pub(crate) mod channels;
pub(crate) mod check;
pub(crate) mod clinics;
pub(crate) mod closures;
mod coded;
mod columns;
pub mod db;
pub(crate) mod doctors;
pub(crate) mod erasure;
pub(crate) mod events;
pub(crate) mod feeds;
pub(crate) mod files;
pub(crate) mod findings;
pub(crate) mod holds;
pub(crate) mod inbox;
pub(crate) mod keys;
pub(crate) mod links;
mod lookup;
pub(crate) mod meta;
mod migrations;
mod patient_ids;
pub(crate) mod patient_visits;
pub(crate) mod patients;
mod pg;
mod pg_client;
mod pg_conninfo;
mod pg_net;
mod pg_stream;
pub(crate) mod queue;
pub(crate) mod recalls;
pub(crate) mod reminders;
pub(crate) mod report;
pub(crate) mod resources;
pub(crate) mod retention;
mod rewrite;
pub(crate) mod series;
pub(crate) mod services;
mod setup_ids;
mod sqlite;
pub(crate) mod staff;
mod standby;
pub(crate) mod stored;
pub(crate) mod transfer;
mod visit_codes;
mod visit_ids;
pub(crate) mod waitlist;

pub(crate) mod webhooks;
pub(crate) mod windows;

use crate::error::{Code, Error, Result};
use chrono::{DateTime, Utc};
use db::{Backend, Tx};
pub use lookup::{by_id, ensure_unique_name, name_key, resolve, Lookup};
pub use migrations::SCHEMA_VERSION;
pub use sqlite::APPLICATION_ID;
pub use standby::{ReadDb, MAX_LAG};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An open database, of either engine.
pub struct Store {
    db: Db,
    /// What it was opened on, to connect again ([`Store::reconnect`]): the
    /// file, or the connection string (which may hold a password: never shown).
    target: PathBuf,
    /// What to call it in messages: the file's path, or the server's URL
    /// without its password.
    pub location: String,
    /// What the user should hear of at once, though it stops nothing (a
    /// connection to a server over the network in clear).
    pub notices: Vec<crate::error::Error>,
    stop: Stopper,
    /// A standby for the reads that may lag ([`Store::may_lag`]).
    standby: Option<standby::Standby>,
    /// Whether the reads run now may be answered by the standby.
    lagging: bool,
}

/// Tells a store, from another thread, to wait no longer for the write
/// lock: a server that is stopping answers a write still waiting for it
/// rather than let it wait past its deadline (docs/api.md#starting-it).
#[derive(Clone, Default)]
pub struct Stopper {
    flag: Arc<AtomicBool>,
    /// Set while a write of the store is under way.
    writing: Arc<AtomicBool>,
    cancel: Option<pg_net::Cancel>,
}

/// A write under way, marked on its store's [`Stopper`] while it lives.
struct Writing<'a> {
    stop: &'a Stopper,
    _watching: sqlite::Watching,
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.stop.writing.store(false, Ordering::SeqCst);
    }
}

impl Stopper {
    fn new(cancel: Option<pg_net::Cancel>) -> Stopper {
        Stopper {
            cancel,
            ..Stopper::default()
        }
    }

    /// From now on no write of the store begins, and one waiting for the
    /// write lock gives up (on SQLite within 100 ms; on PostgreSQL its wait
    /// is cancelled, and so is whatever it runs then): it fails with
    /// `DATABASE_ERROR` and writes nothing. A write that gets its answer
    /// from the database first has done what it did. Whether a write was
    /// under way: called again while one is, it cancels again on
    /// PostgreSQL (a request that came between two statements cancelled
    /// nothing). A read is never cancelled.
    pub fn stop(&self) -> bool {
        self.flag.store(true, Ordering::SeqCst);
        let writing = self.writing.load(Ordering::SeqCst);
        if let Some(c) = self.cancel.as_ref().filter(|_| writing) {
            c.send();
        }
        writing
    }

    /// Marks a write under way, or refuses it before it begins.
    fn begin(&self) -> Result<Writing<'_>> {
        self.writing.store(true, Ordering::SeqCst);
        let marked = Writing {
            stop: self,
            _watching: sqlite::watching(&self.flag),
        };
        if self.flag.load(Ordering::SeqCst) {
            return Err(Error::database(crate::text::msg!(
                "e-write_not_begun_stopping"
            )));
        }
        Ok(marked)
    }
}

enum Db {
    Sqlite(sqlite::Sqlite),
    /// The connection (its prepared statements with it), its patience with a
    /// silent server (raised for the rare statement allowed to run long), and
    /// what its reads keep while the server is unchanged ([`db::Tx::lasting`]).
    Postgres(Box<pg_client::PgClient>, pg_net::Patience, db::Lasting),
}

/// Whether `--db` names a PostgreSQL server rather than a file: a
/// `postgres://` URL, or libpq's `key=value` form (`host=db dbname=clinic`).
pub fn is_url(target: &Path) -> bool {
    target.to_str().is_some_and(|t| {
        t.starts_with("postgres://")
            || t.starts_with("postgresql://")
            || pg_conninfo::is_conninfo(t)
    })
}

/// What opening a SQLite database may make when its file is not there
/// (docs/operations.md#the-database): only the commands that make a
/// database make one, so a mistyped path never shows an empty clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// The file must exist: `DATABASE_ERROR` naming the path otherwise.
    Never,
    /// A new file (mode 0600) in a folder that exists.
    File,
    /// A new file, and its folders (mode 0700): the default location's.
    FileAndFolder,
}

impl Store {
    /// Opens the database `target` names: a `postgres://` URL, else a SQLite
    /// file (made privately when `create` allows it). Either is migrated to
    /// this appt's schema; one that is not appt's, or is newer, is refused
    /// before anything touches it.
    pub fn open(target: &Path, create: Create) -> Result<Store> {
        let shown = match target.to_str().filter(|_| is_url(target)) {
            Some(url) => pg_conninfo::redact(url),
            None => target.display().to_string(),
        };
        Self::connect(target, create).map_err(|e| named(e, &shown))
    }

    /// Opens an existing database only to glance at it (completing names on
    /// the command line, docs/commands.md#appt-completions): it never makes a file,
    /// never migrates or writes, and waits little for a busy file or a slow
    /// server. A database not at this appt's schema version is refused; what
    /// a connection would tell the user (in clear over a network) is kept to
    /// itself.
    pub fn peek(target: &Path) -> Result<Store> {
        let store = if let Some(url) = target.to_str().filter(|_| is_url(target)) {
            let connected = pg::peek(url)?;
            Store::on(
                target,
                Db::Postgres(
                    Box::new(connected.client),
                    connected.patience,
                    Default::default(),
                ),
                connected.shown,
                Stopper::new(Some(connected.cancel)),
            )
        } else {
            Store::on(
                target,
                Db::Sqlite(sqlite::Sqlite::peek(target)?),
                target.display().to_string(),
                Stopper::default(),
            )
        };
        Ok(store)
    }

    fn connect(target: &Path, create: Create) -> Result<Store> {
        Ok(
            if let Some(url) = target.to_str().filter(|_| is_url(target)) {
                let connected = pg::open(url)?;
                let mut st = Store::on(
                    target,
                    Db::Postgres(
                        Box::new(connected.client),
                        connected.patience,
                        Default::default(),
                    ),
                    connected.shown,
                    Stopper::new(Some(connected.cancel)),
                );
                st.notices = connected.notice.into_iter().collect();
                st
            } else {
                Store::on(
                    target,
                    Db::Sqlite(sqlite::Sqlite::open(target, create)?),
                    target.display().to_string(),
                    Stopper::default(),
                )
            },
        )
    }

    fn on(target: &Path, db: Db, location: String, stop: Stopper) -> Store {
        Store {
            db,
            target: target.to_path_buf(),
            location,
            notices: Vec::new(),
            stop,
            standby: None,
            lagging: false,
        }
    }

    /// A private in-memory SQLite database, for tests.
    pub fn in_memory() -> Result<Store> {
        Ok(Store::on(
            Path::new(":memory:"),
            Db::Sqlite(sqlite::Sqlite::in_memory()?),
            ":memory:".into(),
            Stopper::default(),
        ))
    }

    /// Connects again to what it was opened on, keeping its standby: after
    /// the server was lost, the server that now takes writes (a standby
    /// promoted, docs/operations.md#failover), or the file as it is now.
    /// What this store's [`Stopper`] was told still holds.
    pub fn reconnect(&mut self) -> Result<()> {
        if self.location == ":memory:" {
            return Ok(());
        }
        let fresh = Store::open(&self.target, Create::Never)?;
        self.db = fresh.db;
        self.location = fresh.location;
        self.notices.extend(fresh.notices);
        self.stop.cancel = fresh.stop.cancel;
        if let Some(s) = &mut self.standby {
            s.lost();
        }
        Ok(())
    }

    /// Sends the reads that may lag to `reads`, a standby
    /// (docs/operations.md#standby-reads). A SQLite file has no standby:
    /// `USAGE_ERROR`.
    pub fn with_standby(&mut self, reads: ReadDb) -> Result<()> {
        if self.backend() != Backend::Postgres {
            return Err(Error::new(
                Code::Usage,
                crate::text::msg!("e-read_db_needs_a_postgresql_db"),
            ));
        }
        self.standby = Some(standby::Standby::new(reads));
        Ok(())
    }

    /// Whether the reads from now on need not see the latest write (the
    /// board's polling, `agenda`, `slots`, a server's `GET`): with a standby
    /// ([`Store::with_standby`]), they go there while it is close enough
    /// behind. Writes, and reads inside a write, always go to the primary.
    pub fn may_lag(&mut self, yes: bool) {
        self.lagging = yes;
    }

    /// What tells this store, from another thread, to wait no longer for
    /// the write lock.
    pub fn stopper(&self) -> Stopper {
        self.stop.clone()
    }

    /// Whether the database file was deleted or replaced since it was
    /// opened: a long-lived connection (a server's) then opens it again,
    /// closing the old file's descriptors. Always false on PostgreSQL.
    pub fn moved(&self) -> bool {
        match &self.db {
            Db::Sqlite(s) => s.moved(),
            Db::Postgres(..) => false,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(..) => Backend::Postgres,
        }
    }

    /// Runs `f` in one serialised write transaction and commits what it wrote
    /// when it succeeds (nothing when it fails): the write lock is taken before
    /// the first read, so the rules checked inside still hold at commit.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.write_marked(true, f)
    }

    /// [`Store::write`], for bookkeeping that no read waits for (a token's
    /// last use, a failed authentication): with a standby, the reads that
    /// follow are not held back until it has this write.
    pub fn write_aside<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.write_marked(false, f)
    }

    fn write_marked<T>(&mut self, mark: bool, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let stop = self.stop.clone();
        let _writing = stop.begin()?;
        let out = match &mut self.db {
            Db::Sqlite(s) => db::write(&mut s.conn, true, f),
            Db::Postgres(c, ..) => {
                let out = db::pg_write(c, true, f);
                if let (Ok(_), Some(standby), true) = (&out, &self.standby, mark) {
                    standby.wrote(c);
                }
                out
            }
        };
        out.map_err(|e| self.names_itself(e))
    }

    /// A mark that changes when another connection commits a change (the
    /// board's live refresh polls it, docs/board.md#live): on SQLite
    /// `PRAGMA data_version`, which moves with any commit by another
    /// connection, without reading a table; on PostgreSQL the sum of the
    /// tables' counts of changes ([`db::Changes`]), one small table read.
    pub fn stamp(&mut self) -> Result<String> {
        match &mut self.db {
            Db::Sqlite(s) => Ok(s
                .conn
                .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))?
                .to_string()),
            Db::Postgres(..) => self.read(|tx| {
                tx.one::<String>(
                    db::On::reads(&[db::Table::Changes]),
                    "SELECT coalesce(sum(n), 0)::text FROM changes",
                    crate::args![],
                )
            }),
        }
    }

    /// Whether the database answers (a server's health check): one read.
    pub fn ping(&mut self) -> Result<()> {
        self.read(|tx| {
            tx.one::<i64>(
                db::On::reads(&[db::Table::Clinics]),
                "SELECT count(*) FROM clinics",
                crate::args![],
            )
            .map(|_| ())
        })
    }

    /// How many times this connection has waited for the server: its round
    /// trips (0 on SQLite).
    #[cfg(test)]
    pub(crate) fn pg_waits(&self) -> usize {
        match &self.db {
            Db::Postgres(c, ..) => c.waits(),
            Db::Sqlite(_) => 0,
        }
    }

    /// The one text value `sql` answers with, asked on the session itself,
    /// outside any transaction: what a transaction left on the session.
    #[cfg(test)]
    pub(crate) fn pg_outside(&mut self, sql: &str) -> String {
        match &mut self.db {
            Db::Postgres(c, ..) => c.query_one(sql, &[]).unwrap().get(0),
            Db::Sqlite(_) => unreachable!("PostgreSQL only"),
        }
    }

    fn names_itself(&self, e: Error) -> Error {
        named(e, &self.location)
    }

    /// Prepares for writes that take personal data out (an erasure,
    /// docs/privacy.md#erasure): on SQLite, what they delete or replace is
    /// overwritten with zeros (`secure_delete`), so the old text does not
    /// linger in the file's free space once the log is checkpointed.
    /// PostgreSQL's old row versions go at its next vacuum.
    pub fn for_erasure(&mut self) -> Result<()> {
        if let Db::Sqlite(s) = &mut self.db {
            s.conn.execute_batch("PRAGMA secure_delete = ON")?;
        }
        Ok(())
    }

    /// Writes what SQLite's write-ahead log holds into the file and
    /// empties the log (`wal_checkpoint(TRUNCATE)`): after an erasure, no
    /// copy of what was erased stays in it (docs/privacy.md#erasure). A
    /// reader still using the log keeps it for now; the next checkpoint
    /// takes it. Nothing to do on PostgreSQL.
    pub fn checkpoint(&mut self) -> Result<()> {
        if let Db::Sqlite(s) = &mut self.db {
            s.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Runs `f` exactly as [`Store::write`] does, every rule checked against
    /// what it writes as it goes, then rolls all of it back (a dry run).
    pub fn rehearse<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let stop = self.stop.clone();
        let _writing = stop.begin()?;
        match &mut self.db {
            Db::Sqlite(s) => db::write(&mut s.conn, false, f),
            Db::Postgres(c, ..) => db::pg_write(c, false, f),
        }
        .map_err(|e| self.names_itself(e))
    }

    /// The standby's connection, when the reads run now may lag and it is
    /// close enough behind.
    fn on_standby(&mut self) -> Option<&mut pg_client::PgClient> {
        if !self.lagging {
            return None;
        }
        self.standby.as_mut()?.ready()
    }

    /// A standby's answer; after a failure its connection is let go, so the
    /// next read goes to the primary until it is back.
    fn standby_answer<T>(&mut self, out: Result<T>) -> Result<T> {
        if let (Err(e), Some(s)) = (&out, &mut self.standby) {
            if e.code == Code::Database {
                s.lost();
            }
        }
        out
    }

    /// After a bulk load into `tables` (a transfer into a server): on
    /// PostgreSQL `VACUUM (FREEZE, ANALYZE)` of them, outside any transaction
    /// and allowed minutes, so the visibility map is set and index-only
    /// scans read no table from the first query, and autovacuum finds
    /// nothing to do in the first hours of use. A SQLite file needs nothing.
    pub fn settle(&mut self, tables: &[&str]) -> Result<()> {
        match &mut self.db {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(c, patience, _) => pg::settle(c, patience, tables),
        }
        .map_err(|e| self.names_itself(e))
    }

    /// Runs `f` in one read transaction: one consistent state of the database.
    pub fn read<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        if let Some(c) = self.on_standby() {
            // A standby's snapshot is not the primary's: it keeps nothing.
            let out = db::pg_read(c, None, f);
            return self.standby_answer(out);
        }
        match &mut self.db {
            Db::Sqlite(s) => db::read(&mut s.conn, &s.lasting, f),
            Db::Postgres(c, _, lasting) => db::pg_read(c, Some(lasting), f),
        }
        .map_err(|e| self.names_itself(e))
    }

    /// Where the national-ID key comes from: `env` (`$APPT_KEY`), else the key
    /// file beside a database file. A server has no file beside it: there the
    /// key comes from `$APPT_KEY` only.
    pub fn keys(&self, env: Option<String>) -> keys::Keys {
        match &self.db {
            Db::Sqlite(s) if s.path.as_os_str() == ":memory:" => keys::Keys::ephemeral(env),
            Db::Sqlite(_) => keys::Keys::new(env, self.key_path()),
            Db::Postgres(..) => keys::Keys::env_only(env),
        }
    }

    /// The key file beside a database file (for the national ID).
    pub fn key_path(&self) -> Option<PathBuf> {
        match &self.db {
            Db::Sqlite(s) => s.key_path(),
            Db::Postgres(..) => None,
        }
    }

    /// The SQLite file, for what only SQLite has (online backup, its own checks).
    pub(crate) fn sqlite(&mut self) -> Option<&mut sqlite::Sqlite> {
        match &mut self.db {
            Db::Sqlite(s) => Some(s),
            Db::Postgres(..) => None,
        }
    }
}

/// A `DATABASE_ERROR` names the database it came from (a server's URL
/// without its password): the front desk may have several.
fn named(e: Error, location: &str) -> Error {
    if e.code != Code::Database || e.details.get("database").is_some() {
        return e;
    }
    e.detail("database", location)
}

/// The active statuses (`Status::ACTIVE`) as an SQL list of their stored
/// numbers (schema 60), for every query, index and constraint that counts
/// active appointments.
pub(crate) const ACTIVE: &str =
    columns::code_list!(crate::core::Status::codes(crate::core::Status::ACTIVE));

/// The same statuses by their names, as the steps before schema 60 stored
/// them: the migrations write `{ACTIVE}` where it goes ([`migrations::script`]).
pub(crate) const ACTIVE_NAMES: &str =
    columns::sql_list!(crate::core::Status::names(crate::core::Status::ACTIVE));

/// `batch`, or in debug builds `APPT_TEST_BATCH`: a test that stops a
/// step of many batches half-way needs many batches of a small database.
pub fn batch_size(batch: i64) -> i64 {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("APPT_TEST_BATCH")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    batch
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// Runs `f` on a database of its own on the suite's PostgreSQL server
/// (`APPT_TEST_PG`, which a test calling it requires), dropped afterwards.
#[cfg(test)]
pub(crate) fn on_scratch_pg(f: impl FnOnce(&mut Store)) {
    let pool = std::env::var("APPT_TEST_PG_POOL").unwrap_or_default();
    let query = match pool.as_str() {
        "" => String::new(),
        mode => format!("pool_mode={mode}"),
    };
    on_scratch_pg_with(&query, f)
}

/// [`on_scratch_pg`], with `query` (`key=value&…`, appt's own keywords)
/// added to the database's URL. The suite's run through PgBouncer
/// (`.ci/pgbouncer-run`) sets `APPT_TEST_PG_POOL=transaction`, which every
/// scratch database's URL then says as `pool_mode`.
#[cfg(test)]
pub(crate) fn on_scratch_pg_with(query: &str, f: impl FnOnce(&mut Store)) {
    let server = std::env::var("APPT_TEST_PG").expect("APPT_TEST_PG");
    let name = format!("appt_u_{}", uuid::Uuid::new_v4().simple());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let mut url = format!("{}/{name}", &server[..server.rfind('/').unwrap()]);
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let mut st = Store::open(std::path::Path::new(&url), Create::Never).unwrap();
    f(&mut st);
    drop(st);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}

/// SQLite's plan for `sql` with `args` bound, on a fresh database: a line
/// per step (`EXPLAIN QUERY PLAN`).
#[cfg(test)]
pub(crate) fn sqlite_plan(sql: &str, args: Vec<db::Val>) -> Vec<String> {
    let mut s = Store::in_memory().unwrap();
    let c = &s.sqlite().unwrap().conn;
    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    st.query_map(rusqlite::params_from_iter(args), |r| r.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}
