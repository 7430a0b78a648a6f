//! Everything SQL: opening the database with its pragmas, the ordered schema
//! upgrades, and one module per table. Every write runs in a `BEGIN IMMEDIATE`
//! transaction so a command's whole change commits together or not at all.

pub mod appointments;
pub mod backup;
pub mod check;
pub mod clinics;
pub mod closures;
pub mod crypto;
pub mod doctors;
pub mod events;
pub mod meta;
pub mod patients;
pub mod reminders;
pub mod services;
pub mod webhooks;
pub mod windows;

use crate::error::{Code, Error, Result};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Schema upgrades, in order; `PRAGMA user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("schema/001_init.sql"),
    include_str!("schema/002_webhooks.sql"),
    include_str!("schema/003_reliability.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub struct Store {
    pub conn: Connection,
    pub path: PathBuf,
}

impl Store {
    /// Opens (creating with mode 0600 if need be) and upgrades the database.
    pub fn open(path: &Path) -> Result<Store> {
        create_private_file(path)?;
        let conn = Connection::open(path).map_err(|e| {
            Error::database(format!("cannot open database {}: {e}", path.display()))
        })?;
        Self::setup(conn, path.to_path_buf())
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn setup(conn: Connection, path: PathBuf) -> Result<Store> {
        let bad = |e: rusqlite::Error| {
            Error::database(format!(
                "{} is not a usable appt database: {e}",
                path.display()
            ))
        };
        conn.busy_timeout(Duration::from_secs(10)).map_err(bad)?;
        let _: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(bad)?;
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(bad)?;
        let mut store = Store { conn, path };
        store.migrate()?;
        Ok(store)
    }

    fn user_version(conn: &Connection) -> Result<i64> {
        Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let refuse_newer = |v: i64| {
            Error::database(format!(
                "the database has schema version {v}, newer than this appt knows ({SCHEMA_VERSION}); upgrade appt"
            ))
        };
        let v = Self::user_version(&self.conn)?;
        if v > SCHEMA_VERSION {
            return Err(refuse_newer(v));
        }
        while Self::user_version(&self.conn)? < SCHEMA_VERSION {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have migrated while we waited for the lock.
            let v = Self::user_version(&tx)?;
            if v > SCHEMA_VERSION {
                return Err(refuse_newer(v));
            }
            if v < SCHEMA_VERSION {
                tx.execute_batch(MIGRATIONS[v as usize])?;
                tx.execute_batch(&format!("PRAGMA user_version = {}", v + 1))?;
            }
            tx.commit()?;
        }
        Ok(())
    }

    /// A `BEGIN IMMEDIATE` transaction: the write lock is taken before the first
    /// read, so the rules checked inside it still hold at commit.
    pub fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// The key file beside the database (for the national ID).
    pub fn key_path(&self) -> Option<PathBuf> {
        if self.path.as_os_str() == ":memory:" {
            return None;
        }
        let mut p = self.path.clone().into_os_string();
        p.push(".key");
        Some(PathBuf::from(p))
    }
}

/// Creates the file (and its folder) with mode 0600 before SQLite opens it;
/// SQLite gives the `-wal` and `-shm` files the same mode as the database.
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::database(format!("cannot create folder {}: {e}", parent.display()))
        })?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::database(format!(
            "cannot create database {}: {e}",
            path.display()
        ))),
    }
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub fn instant(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

pub fn opt_instant(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.map(instant)
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// The name-matching key: case folded for all scripts, not only ASCII.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Refuses `name` when another row of the lookup's table already has it,
/// case-insensitively.
pub fn ensure_unique_name(conn: &Connection, l: &Lookup, name: &str, except: &str) -> Result<()> {
    let (table, what) = (l.table, l.what.to_lowercase());
    let filter = if l.filter.is_empty() {
        String::new()
    } else {
        format!(" AND {}", l.filter)
    };
    let taken: bool = conn.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE name_key = ?1 AND id <> ?2{filter})"),
        rusqlite::params![name_key(name), except],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::field(
            "name",
            format!("A {what} named '{name}' already exists"),
        ));
    }
    Ok(())
}

/// The row `sql` selects for `id`, or `NOT_FOUND` naming `what`.
pub fn by_id<T>(
    conn: &Connection,
    sql: &str,
    id: &str,
    what: &str,
    from_row: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<T> {
    conn.query_row(sql, [id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found(what))
}

/// What a reference may match in one table.
pub struct Lookup<'a> {
    pub table: &'a str,
    /// The entity's name in messages ("Doctor").
    pub what: &'a str,
    /// The column holding `name_key`, when the entity is also found by name.
    pub by_name: bool,
    /// Extra SQL condition, e.g. `removed_at IS NULL`.
    pub filter: &'a str,
    /// The column shown beside candidate IDs.
    pub label: &'a str,
}

/// Resolves an ID, a unique ID prefix of at least 4 characters, or a name.
pub fn resolve(conn: &Connection, l: &Lookup, input: &str) -> Result<String> {
    let input = input.trim();
    let filter = if l.filter.is_empty() {
        String::new()
    } else {
        format!(" AND {}", l.filter)
    };
    let exact: Option<String> = conn
        .query_row(
            &format!("SELECT id FROM {} WHERE id = ?1{filter}", l.table),
            [input],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = exact {
        return Ok(id);
    }
    let candidates = |sql: String, arg: String| -> Result<Vec<(String, String)>> {
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map([arg], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let mut found = Vec::new();
    if l.by_name {
        found = candidates(
            format!(
                "SELECT id, {} FROM {} WHERE name_key = ?1{filter} LIMIT 10",
                l.label, l.table
            ),
            name_key(input),
        )?;
    }
    if found.is_empty() {
        let prefix = input.to_ascii_lowercase();
        if prefix.len() >= 4 && prefix.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            // IDs are lowercase hex and dashes, all below 'g': a range scan on the key.
            found = candidates(
                format!(
                    "SELECT id, {} FROM {} WHERE id >= ?1 AND id < ?1 || 'g'{filter} ORDER BY id LIMIT 10",
                    l.label, l.table
                ),
                prefix,
            )?;
        } else if !l.by_name && prefix.len() < 4 {
            return Err(Error::field(
                "id",
                "An ID prefix needs at least 4 characters",
            ));
        }
    }
    match found.len() {
        0 => Err(Error::not_found(l.what).details(json!({"ref": input}))),
        1 => Ok(found.remove(0).0),
        _ => Err(Error::new(Code::AmbiguousId, format!("'{input}' matches several {}s", l.what.to_lowercase()))
            .details(json!({
                "ref": input,
                "candidates": found.iter().map(|(id, label)| json!({"id": id, "name": label})).collect::<Vec<_>>()
            }))
            .hint("give more characters of the ID")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_and_refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/appt.db");
        let s = Store::open(&path).unwrap();
        assert_eq!(Store::user_version(&s.conn).unwrap(), SCHEMA_VERSION);
        s.conn
            .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap();
        drop(s);
        let e = Store::open(&path).err().unwrap();
        assert_eq!(e.code, Code::Database);
    }

    #[test]
    fn every_connection_is_durable_and_checks_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("appt.db")).unwrap();
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
            .execute("INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, created_at, updated_at) VALUES ('r', 'nope', 1, 1, 'pending', 1, 1)", [])
            .unwrap_err();
        assert!(e.to_string().contains("FOREIGN KEY"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("appt.db");
        let s = Store::open(&path).unwrap();
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
        assert_eq!(Store::open(&path).err().unwrap().code, Code::Database);
    }
}
