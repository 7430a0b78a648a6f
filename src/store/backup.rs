//! `appt backup FILE`: a consistent copy of a live database by SQLite's online
//! backup. All pages are copied in one step, under one read transaction, so
//! the copy is one committed state even while other processes keep writing
//! (WAL readers never block writers). The copy is written to a temporary file
//! beside FILE and renamed into place, so FILE is either the old one or a
//! whole new copy, never half of one.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct Copied {
    pub path: PathBuf,
    pub bytes: u64,
    /// Patients whose national ID is sealed: the copy needs the same key.
    pub sealed_ids: i64,
}

/// A file beside `path` named `path` + `suffix`.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Copies the database to `target`; an existing `target` is replaced only when `force`.
pub fn backup(store: &mut Store, target: &Path, force: bool) -> Result<Copied> {
    let refuse = |problem: String| Error::field("file", problem);
    let Some(db) = store.sqlite() else {
        return Err(Error::field(
            "db",
            "appt backup copies a database file; a PostgreSQL database is backed up with pg_dump",
        )
        .hint("pg_dump --format=custom --file=FILE 'postgres://USER@HOST/DBNAME'"));
    };
    let shown = target.display();
    if let Ok(existing) = std::fs::metadata(target) {
        let source = std::fs::metadata(&db.path)?;
        if (existing.dev(), existing.ino()) == (source.dev(), source.ino()) {
            return Err(refuse(format!("{shown} is the database itself")));
        }
        if existing.is_dir() {
            return Err(refuse(format!("{shown} is a folder")));
        }
        if !force {
            return Err(refuse(format!(
                "{shown} already exists; give --force to replace it"
            )));
        }
        // SQLite would replay a leftover -wal onto the new copy and damage it.
        if beside(target, "-wal").exists() {
            return Err(refuse(format!(
                "{shown} is open in another program or was not closed cleanly ({shown}-wal exists); not replacing it"
            )));
        }
    }
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| refuse(format!("{shown} is not a file name")))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}-{}.tmp", std::process::id(), super::new_id()));
    let tmp = folder.join(tmp_name);

    let result = copy_into(db, &tmp).and_then(|sealed_ids| {
        std::fs::rename(&tmp, target).map_err(|e| {
            Error::internal(format!("cannot move the copy into place at {shown}: {e}"))
        })?;
        // The rename itself is durable once the folder is synced.
        std::fs::File::open(&folder).and_then(|d| d.sync_all())?;
        Ok(Copied {
            path: target.to_path_buf(),
            bytes: std::fs::metadata(target)?.len(),
            sealed_ids,
        })
    });
    if result.is_err() {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(beside(&tmp, suffix));
        }
    }
    result
}

/// Writes the whole database into `tmp` (created here, mode 0600), synced to
/// disk; returns how many sealed national IDs it holds.
fn copy_into(db: &super::sqlite::Sqlite, tmp: &Path) -> Result<i64> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", tmp.display())))?;
    // Whatever the umask took away or let through, the copy is private.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    drop(file);
    let mut dest = Connection::open(tmp)?;
    {
        let copy = Backup::new(&db.conn, &mut dest)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        // -1: every page in one step, so the copy is one snapshot.
        loop {
            match copy.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                StepResult::Busy | StepResult::Locked => {
                    return Err(Error::database(
                        "the database stayed locked for 10 s; no backup was written",
                    ))
                }
                // StepResult is non-exhaustive.
                _ => return Err(Error::internal("unexpected result from SQLite's backup")),
            }
        }
    }
    let sealed: i64 = dest.query_row(
        "SELECT count(*) FROM patients WHERE national_id IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    dest.close().map_err(|(_, e)| Error::from(e))?;
    std::fs::File::open(tmp)?.sync_all()?;
    Ok(sealed)
}
