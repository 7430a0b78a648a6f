//! SQLite: opening a file (refusing one that is not appt's before touching
//! it), its pragmas, and taking the schema's upgrades (`migrations.rs`),
//! counted in `PRAGMA user_version`.

use super::db::{On, Tx};
use super::migrations::{self, Step, SCHEMA_VERSION};
use super::{files, Create};
use crate::error::{Error, Result};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Stamped into the header of every database appt creates or upgrades
/// (`PRAGMA application_id`; "appt" in ASCII), so that appt's files can be told
/// from other programs' SQLite files.
pub const APPLICATION_ID: i64 = 0x6170_7074;

/// How long a command waits for other processes holding the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a glance ([`Sqlite::peek`]) waits for it: a shell is waiting.
const PEEK_TIMEOUT: Duration = Duration::from_millis(500);

thread_local! {
    /// The stop flag of the store whose write runs on this thread, which the
    /// busy handler reads (SQLite hands it no context but the count).
    static GIVE_UP: std::cell::RefCell<Option<Arc<AtomicBool>>> =
        const { std::cell::RefCell::new(None) };
}

/// While it lives, a write on this thread that waits for another process's
/// lock gives up as soon as `flag` is set (a server that is stopping).
pub(super) struct Watching(Option<Arc<AtomicBool>>);

pub(super) fn watching(flag: &Arc<AtomicBool>) -> Watching {
    Watching(GIVE_UP.with(|g| g.replace(Some(Arc::clone(flag)))))
}

impl Drop for Watching {
    fn drop(&mut self) {
        let before = self.0.take();
        GIVE_UP.with(|g| *g.borrow_mut() = before);
    }
}

/// SQLite's own busy handler (the same sleeps, 1 ms growing to 100 ms, for
/// at most [`BUSY_TIMEOUT`]), which also gives up, within one sleep, once
/// the store of the write under way is told to stop waiting
/// (`Stopper::stop`): SQLite's `sqlite3_interrupt` does not end a busy wait.
fn busy(count: i32) -> bool {
    const DELAYS: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    let stopped = || {
        GIVE_UP.with(|g| {
            g.borrow()
                .as_ref()
                .is_some_and(|f| f.load(Ordering::SeqCst))
        })
    };
    if stopped() {
        return false;
    }
    let count = count.max(0) as usize;
    let (delay, prior) = match DELAYS.get(count) {
        Some(d) => (*d, DELAYS[..count].iter().sum::<u64>()),
        None => (
            100,
            DELAYS.iter().sum::<u64>() + 100 * (count - DELAYS.len()) as u64,
        ),
    };
    let most = BUSY_TIMEOUT.as_millis() as u64;
    let delay = delay.min(most.saturating_sub(prior));
    if delay == 0 {
        return false;
    }
    std::thread::sleep(Duration::from_millis(delay));
    !stopped()
}

/// An open SQLite database file.
pub struct Sqlite {
    pub conn: Connection,
    pub path: PathBuf,
    /// The file's device and inode when it was opened (a file, not a glance).
    identity: Option<(u64, u64)>,
    /// What its read transactions keep for the next ones.
    pub(super) lasting: super::db::Lasting,
}

/// A path's device and inode, when it names a file.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// What a file's header and schema say, read before anything is written to it.
struct Identity {
    application_id: i64,
    user_version: i64,
    /// Names of its tables, SQLite's own left out.
    tables: Vec<String>,
    /// How many schema objects it has (tables, indexes, views, triggers).
    objects: usize,
}

/// What a path that is not a regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// A file appt may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// No schema at all (a new, empty file): appt creates its own.
    New,
    /// appt's schema at `version`; `stamped` once it carries appt's application ID
    /// (files made before the stamp existed have 0 there).
    Appt { version: i64, stamped: bool },
}

impl Sqlite {
    /// Opens (creating it, and its folders, privately if need be) and upgrades the
    /// database. A file that is not appt's is refused before anything touches it.
    pub fn open(path: &Path, create: Create) -> Result<Sqlite> {
        let deadline = Instant::now() + BUSY_TIMEOUT;
        // A device, a FIFO or a folder is no database, and SQLite would
        // create its journal beside it (`/dev/null-journal`).
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() {
                return Err(Error::database(crate::text::msg!(
                    "e-is_not_a_database_file_it_is",
                    a = path.display(),
                    b = kind_of(&meta)
                ))
                .hint(crate::text::msg!("e-give_db_or_appt_db_the_path")));
            }
        }
        if std::fs::symlink_metadata(path).is_err() {
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            match create {
                Create::Never => {
                    return Err(Error::database(crate::text::msg!(
                        "e-there_is_no_database_at",
                        a = path.display()
                    ))
                    .hint(crate::text::msg!("e-run_appt_init_to_make_one_there")))
                }
                Create::File => {
                    if let Some(f) = folder.filter(|f| !f.is_dir()) {
                        return Err(Error::database(crate::text::msg!(
                            "e-cannot_make_database_there_is_no_folder",
                            a = path.display(),
                            b = f.display()
                        ))
                        .hint(crate::text::msg!("e-make_the_folder_first_or_give_db")));
                    }
                }
                Create::FileAndFolder => {
                    if let Some(f) = folder {
                        files::create_private_dirs(f)?;
                    }
                }
            }
        }
        files::create_private_file(path).map_err(|e| {
            Error::database(crate::text::msg!(
                "e-cannot_create_database",
                a = path.display(),
                e = e
            ))
        })?;
        // Before opening: a file replaced in between is found moved.
        let opened = identity(path);
        let conn = Connection::open(path).map_err(|e| {
            Error::database(crate::text::msg!(
                "e-cannot_open_database",
                a = path.display(),
                b = brief(&e)
            ))
        })?;
        let mut store = Self::setup(conn, path.to_path_buf(), deadline)?;
        store.identity = opened;
        Ok(store)
    }

    /// Whether the file at its path is no longer the one it opened (deleted,
    /// or replaced: a backup put back): what it reads is then no longer
    /// the database, and its descriptors keep the old file alive.
    pub fn moved(&self) -> bool {
        self.identity
            .is_some_and(|id| identity(&self.path) != Some(id))
    }

    /// Opens an existing file only to read it (completing names,
    /// docs/commands.md#appt-completions): never makes a file, a folder or a
    /// schema, nor upgrades one, and waits little for a busy file. A file
    /// that is not appt's, or not at this appt's schema version, is refused,
    /// left as it was. (It is opened for writing all the same, writing
    /// nothing: a read-only connection would leave the `-wal` and `-shm`
    /// files behind, which the last connection to close removes.)
    pub fn peek(path: &Path) -> Result<Sqlite> {
        let meta = std::fs::metadata(path).map_err(|e| {
            Error::database(crate::text::msg!(
                "e-cannot_read_database",
                a = path.display(),
                e = e
            ))
        })?;
        if !meta.is_file() {
            return Err(Error::database(crate::text::msg!(
                "e-is_not_a_database_file_it_is",
                a = path.display(),
                b = kind_of(&meta)
            )));
        }
        let path = path.to_path_buf();
        let unusable = |e: rusqlite::Error| unusable(&path, &e);
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(unusable)?;
        conn.busy_timeout(PEEK_TIMEOUT).map_err(unusable)?;
        // As `setup` does: another program's WAL stays unmerged.
        let no_checkpoint_on_close =
            |on: bool| conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, on);
        no_checkpoint_on_close(true).map_err(unusable)?;
        let identity = {
            let tx = conn.unchecked_transaction().map_err(unusable)?;
            let identity = identify(&tx).map_err(unusable)?;
            tx.commit().map_err(unusable)?;
            identity
        };
        match judge(&identity, &path)? {
            Verdict::Appt {
                version: SCHEMA_VERSION,
                ..
            } => {
                no_checkpoint_on_close(false).map_err(unusable)?;
                Ok(Sqlite {
                    conn,
                    path,
                    identity: None,
                    lasting: Default::default(),
                })
            }
            _ => Err(Error::database(crate::text::msg!(
                "e-is_not_at_this_appts_schema_version",
                a = path.display(),
                b = SCHEMA_VERSION
            ))),
        }
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Sqlite> {
        let deadline = Instant::now() + BUSY_TIMEOUT;
        Self::setup(
            Connection::open_in_memory()?,
            PathBuf::from(":memory:"),
            deadline,
        )
    }

    fn setup(conn: Connection, path: PathBuf, deadline: Instant) -> Result<Sqlite> {
        let mut store = Sqlite {
            conn,
            path,
            identity: None,
            lasting: Default::default(),
        };
        let unusable = |e: rusqlite::Error| unusable(&store.path, &e);
        store.conn.busy_handler(Some(busy)).map_err(unusable)?;
        // Every statement a command runs stays prepared for the command's life.
        store.conn.set_prepared_statement_cache_capacity(128);
        // Reads only, and first: `journal_mode=WAL` rewrites header bytes, and a
        // file that is not appt's must be left exactly as it was. That includes
        // another program's WAL file, which the last connection to close would
        // otherwise checkpoint into it. One read transaction, so that header and
        // schema come from one moment.
        let no_checkpoint_on_close = |on: bool| {
            store
                .conn
                .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, on)
        };
        no_checkpoint_on_close(true).map_err(unusable)?;
        let identity = busy_retry(deadline, || {
            let tx = store.conn.unchecked_transaction()?;
            let identity = identify(&tx)?;
            tx.commit()?;
            Ok(identity)
        })
        .map_err(unusable)?;
        let verdict = judge(&identity, &store.path)?;
        no_checkpoint_on_close(false).map_err(unusable)?;
        // The key file is not among them: one that others could read is
        // refused when the key is needed, never quietly tightened.
        if store.key_path().is_some() {
            for f in [
                store.path.clone(),
                files::with_suffix(&store.path, "-wal"),
                files::with_suffix(&store.path, "-shm"),
            ] {
                files::tighten(&f)?;
            }
        }
        // Switching to WAL writes the header under a write lock; a connection that
        // read first is told BUSY at once, without the busy handler, when another
        // one got the write lock in between. Wait as for any other write.
        let _: String = busy_retry(deadline, || {
            store
                .conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        })
        .map_err(unusable)?;
        store
            .conn
            .execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(unusable)?;
        store.migrate(verdict)?;
        Ok(store)
    }

    /// Creates or upgrades the schema, one migration per `BEGIN IMMEDIATE`
    /// transaction, and stamps appt's application ID. The usual case (a current,
    /// stamped database) takes no write lock at all.
    fn migrate(&mut self, first: Verdict) -> Result<()> {
        let current = Verdict::Appt {
            version: SCHEMA_VERSION,
            stamped: true,
        };
        if first == current {
            return Ok(());
        }
        let done = self.migrate_from(current);
        // A `Step::Rebuild` turns them off; they are on again however it ended.
        self.conn.execute_batch("PRAGMA foreign_keys=ON;")?;
        done
    }

    fn migrate_from(&mut self, current: Verdict) -> Result<()> {
        let path = self.path.clone();
        let mut keys_off = false;
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have created or upgraded it while we waited.
            let version = match judge(&identify(&tx)?, &path)? {
                v if v == current => return Ok(()),
                Verdict::New => 0,
                Verdict::Appt { version, .. } => version,
            };
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            let Some(m) = migrations::after(version) else {
                tx.commit()?;
                continue;
            };
            // Foreign keys turn off and on outside a transaction only.
            if matches!(m.step, Step::Rebuild(_)) != keys_off {
                drop(tx);
                keys_off = !keys_off;
                self.conn.pragma_update(None, "foreign_keys", !keys_off)?;
                continue;
            }
            tx.pragma_update(None, "user_version", m.version)?;
            let cannot = |why: String| {
                Error::database(crate::text::msg!(
                    "e-cannot_upgrade_to_schema_version",
                    shown = path.display(),
                    a = m.version,
                    b = why
                ))
            };
            match &m.step {
                Step::Sql { sqlite, .. } => {
                    tx.execute_batch(&migrations::script(sqlite))
                        .map_err(|e| cannot(brief(&e)))?;
                    tx.commit()?;
                }
                Step::Code(run) => {
                    let tx = Tx::upgrading(tx);
                    run(&tx).map_err(|e| cannot(e.message))?;
                    tx.commit()?;
                }
                Step::Batches(run) | Step::Rebuild(run) => {
                    // The version changes with the last batch only.
                    tx.pragma_update(None, "user_version", version)?;
                    let tx = Tx::upgrading(tx);
                    if run(&tx).map_err(|e| cannot(e.message))? {
                        tx.exec(
                            On::NOTHING,
                            &format!("PRAGMA user_version = {}", m.version),
                            crate::args![],
                        )?;
                    }
                    tx.commit()?;
                }
            }
        }
    }

    /// The key file beside the database (for the national ID).
    pub fn key_path(&self) -> Option<PathBuf> {
        if self.path.as_os_str() == ":memory:" {
            return None;
        }
        Some(files::with_suffix(&self.path, ".key"))
    }
}

/// What the file says about itself; the caller holds a transaction, so that
/// all of it comes from one moment.
fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0));
    let mut st = conn.prepare("SELECT type, name FROM sqlite_master")?;
    let objects: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Identity {
        application_id: pragma("application_id")?,
        user_version: pragma("user_version")?,
        tables: objects
            .iter()
            .filter(|(t, n)| t == "table" && !n.starts_with("sqlite_"))
            .map(|(_, n)| n.clone())
            .collect(),
        objects: objects.len(),
    })
}

/// appt's file, or `DATABASE_ERROR` saying why not (never the schema's SQL).
fn judge(id: &Identity, path: &Path) -> Result<Verdict> {
    let not_appt = |why: crate::text::Msg| {
        Error::database(crate::text::msg!(
            "e-is_not_an_appt_database_appt_leaves",
            a = path.display(),
            why = why
        ))
        .hint(crate::text::msg!("e-give_db_the_path_of_an_appt"))
    };
    let v = id.user_version;
    let stamped = match id.application_id {
        APPLICATION_ID => true,
        0 => false,
        other => {
            return Err(not_appt(crate::text::msg!(
                "e-it_belongs_to_another_program_application_id",
                other = other
            )))
        }
    };
    if v < 0 {
        return Err(not_appt(crate::text::msg!("e-its_user_version_is", v = v)));
    }
    if v == 0 {
        return if id.objects == 0 {
            Ok(Verdict::New)
        } else {
            Err(not_appt(crate::text::msg!(
                "e-it_holds_another_program_s_tables"
            )))
        };
    }
    if v > SCHEMA_VERSION {
        return Err(if stamped {
            Error::database(crate::text::msg!(
                "e-has_schema_version_newer_than_this_appt",
                shown = path.display(),
                v = v,
                target = SCHEMA_VERSION
            ))
        } else {
            not_appt(crate::text::msg!("e-its_user_version_is", v = v))
        });
    }
    // A file from before the stamp must hold exactly appt's tables of its version.
    if !stamped {
        let mut have = id.tables.clone();
        have.sort();
        if have != tables_at(v)? {
            return Err(not_appt(crate::text::msg!(
                "e-it_holds_another_program_s_tables"
            )));
        }
    }
    Ok(Verdict::Appt {
        version: v,
        stamped,
    })
}

/// The tables appt's schema has at `version`, sorted.
fn tables_at(version: i64) -> Result<Vec<String>> {
    let conn = Connection::open_in_memory()?;
    for m in migrations::up_to(version) {
        if let Step::Sql { sqlite, .. } = m.step {
            conn.execute_batch(&migrations::script(sqlite))?;
        }
    }
    let mut tables = identify(&conn)?.tables;
    tables.sort();
    Ok(tables)
}

/// Runs `f` again while another process holds the database, until `deadline`.
fn busy_retry<T>(
    deadline: Instant,
    mut f: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    loop {
        match f() {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            r => return r,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// SQLite's own words for `e`, without the SQL text it may carry.
fn brief(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    }
}

/// `DATABASE_ERROR` for a file that cannot be opened or read as a database.
fn unusable(path: &Path, e: &rusqlite::Error) -> Error {
    let path = path.display();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Error::database(crate::text::msg!(
                "e-is_locked_by_another_process_past_the",
                path = path,
                a = BUSY_TIMEOUT.as_secs()
            ))
            .hint(crate::text::msg!(
                "e-another_appt_or_another_program_is_writing"
            ))
        }
        Some(ErrorCode::NotADatabase) => Error::database(crate::text::msg!(
            "e-is_not_an_appt_database_not_an",
            path = path
        )),
        _ => Error::database(crate::text::msg!(
            "e-is_not_a_usable_appt_database",
            path = path,
            a = brief(e)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn migrates_and_refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/appt.db");
        let s = Sqlite::open(&path, Create::FileAndFolder).unwrap();
        let id = identify(&s.conn).unwrap();
        assert_eq!(id.user_version, SCHEMA_VERSION);
        assert_eq!(id.application_id, APPLICATION_ID);
        s.conn
            .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap();
        drop(s);
        let e = Sqlite::open(&path, Create::Never).err().unwrap();
        assert_eq!(e.code, Code::Database);
    }

    #[test]
    fn only_a_command_that_makes_a_database_makes_its_file_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo/appt.db");
        let e = Sqlite::open(&path, Create::Never).err().unwrap();
        assert_eq!(e.code, Code::Database);
        assert!(
            e.message.contains(&path.display().to_string()),
            "{}",
            e.message
        );
        assert!(e.hint.unwrap().english().contains("appt init"));
        let e = Sqlite::open(&path, Create::File).err().unwrap();
        assert_eq!(e.code, Code::Database);
        assert!(e.message.contains("no folder"), "{}", e.message);
        assert!(!dir.path().join("typo").exists(), "nothing was made");
        Sqlite::open(&path, Create::FileAndFolder).unwrap();
        assert!(path.is_file());
        // Once it is there, every command opens it.
        Sqlite::open(&path, Create::Never).unwrap();
    }

    #[test]
    fn every_connection_is_durable_and_checks_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let s = Sqlite::open(&dir.path().join("appt.db"), Create::File).unwrap();
        let sync: i64 = s
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = s
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let e = s
            .conn
            .execute("INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, kind, created_at, updated_at) VALUES (x'00112233445566778899aabbccddeeff', x'ffeeddccbbaa99887766554433221100', 1, 1, 1, 1, 1, 1)", [])
            .unwrap_err();
        assert!(e.to_string().contains("FOREIGN KEY"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("appt.db");
        let s = Sqlite::open(&path, Create::FileAndFolder).unwrap();
        s.conn
            .execute_batch("CREATE TABLE t(x) STRICT; INSERT INTO t VALUES (1);")
            .ok();
        for f in ["appt.db", "appt.db-wal", "appt.db-shm"] {
            let mode = std::fs::metadata(dir.path().join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }

    #[test]
    fn garbage_is_a_database_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.db");
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
        assert_eq!(
            Sqlite::open(&path, Create::Never).err().unwrap().code,
            Code::Database
        );
    }
}
