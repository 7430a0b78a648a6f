//! The `meta` table: facts about the database file itself. `demo` = '1' marks a
//! database made by `appt demo`, the only kind `appt demo` may replace;
//! `national_id_key` holds the check value of the key the national IDs are
//! sealed under (hex), which tells a wrong key from damaged rows;
//! `swept_at` when `appt remind due` last began a sweep (UTC seconds),
//! which `appt check --setup` reads to tell the timer or cron runs.

use super::db::Tx;
use super::db::{On, Table};
use crate::error::Result;
use rusqlite::OpenFlags;
use std::path::Path;

/// Every column of the table.
pub const COLS: &str = "key, value";

/// The value kept under `key`, if any.
pub fn value(conn: &Tx, key: &str) -> Result<Option<String>> {
    conn.row(
        On::reads(&[Table::Meta]),
        "SELECT value FROM meta WHERE key = ?1",
        crate::args![key],
        |r| r.get(0),
    )
}

/// Keeps `value` under `key`, in place of what was there.
pub fn set(conn: &Tx, key: &str, value: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Meta]),
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        crate::args![key, value],
    )?;
    Ok(())
}

/// Forgets what was kept under `key`.
pub fn forget(conn: &Tx, key: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Meta]),
        "DELETE FROM meta WHERE key = ?1",
        crate::args![key],
    )?;
    Ok(())
}

/// Marks the database as a demo database that `appt demo` may replace.
pub fn mark_demo(conn: &Tx) -> Result<()> {
    set(conn, "demo", "1")
}

/// The recorded national-ID key check value, as stored (hex).
pub fn key_check(conn: &Tx) -> Result<Option<String>> {
    value(conn, "national_id_key")
}

/// Records the check value of the key the national IDs are sealed under.
pub fn set_key_check(conn: &Tx, hex: &str) -> Result<()> {
    set(conn, "national_id_key", hex)
}

/// Records that a reminder sweep began at `at` (UTC seconds).
pub fn set_swept_at(conn: &Tx, at: i64) -> Result<()> {
    set(conn, "swept_at", &at.to_string())
}

/// When the last reminder sweep began (UTC seconds), if one ever did.
pub fn swept_at(conn: &Tx) -> Result<Option<i64>> {
    Ok(value(conn, "swept_at")?.and_then(|v| v.parse().ok()))
}

/// Whether the file at `path` is a database marked by `appt demo`. Anything
/// else (another program's file, an unmarked appt database, an empty file,
/// an unreadable one) is not. The file is only read: never opened for writing,
/// and no `-wal`/`-shm` file is created beside it unless one is already there.
pub fn is_demo_file(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    let sqlite = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok_and(|()| &header == b"SQLite format 3\0");
    if !sqlite {
        return false;
    }
    // Even a read-only connection creates the `-wal` and `-shm` files of a WAL
    // database. Without a `-wal`, every committed page is in the main file, so
    // it can be read as immutable: no locks, no files made.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let immutable = !Path::new(&wal).exists();
    let uri = format!(
        "file:{}?mode=ro{}",
        uri_path(path),
        if immutable { "&immutable=1" } else { "" }
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = rusqlite::Connection::open_with_flags(uri, flags) else {
        return false;
    };
    conn.query_row("SELECT value FROM meta WHERE key = 'demo'", [], |r| {
        r.get::<_, String>(0)
    })
    .is_ok_and(|v| v == "1")
}

/// The path as a `file:` URI path: every byte but unreserved ones and `/`
/// percent-encoded, so `?`, `#` and `%` in a file name mean themselves.
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .as_os_str()
        .as_bytes()
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn only_a_marked_database_is_a_demo_and_reading_makes_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("we?ird #1%.db");
        let s = Store::open(&odd, crate::store::Create::File).unwrap();
        drop(s);
        assert!(!is_demo_file(&odd));
        let mut s = Store::open(&odd, crate::store::Create::Never).unwrap();
        s.write(mark_demo).unwrap();
        drop(s);
        assert_eq!(files(dir.path()), ["we?ird #1%.db"]);
        assert!(is_demo_file(&odd));
        assert_eq!(files(dir.path()), ["we?ird #1%.db"]);
        // Still open elsewhere, with the mark only in the WAL.
        let mut s = Store::open(&odd, crate::store::Create::Never).unwrap();
        s.sqlite()
            .unwrap()
            .conn
            .execute_batch("PRAGMA wal_autocheckpoint=0; DELETE FROM meta;")
            .unwrap();
        assert!(!is_demo_file(&odd));
        s.write(mark_demo).unwrap();
        assert!(is_demo_file(&odd));
        drop(s);
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        assert!(!is_demo_file(&empty));
        assert!(!is_demo_file(&dir.path().join("missing")));
        assert!(!is_demo_file(dir.path()));
    }
}
