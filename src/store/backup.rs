//! `appt backup FILE`: a consistent copy of a live database by SQLite's online
//! backup. All pages are copied in one step, under one read transaction, so
//! the copy is one committed state even while other processes keep writing
//! (WAL readers never block writers). The copy is written to a temporary file
//! beside FILE and renamed into place, so FILE is either the old one or a
//! whole new copy, never half of one. A backup holds its temporary file
//! locked while it runs; one killed midway leaves it unlocked, and the next
//! backup into the same FILE removes it.

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
    let refuse = |problem: crate::text::Msg| Error::field("file", problem);
    let Some(db) = store.sqlite() else {
        return Err(Error::field(
            "db",
            crate::text::msg!("e-appt_backup_copies_a_database_file_a"),
        )
        .hint(crate::text::msg!("e-back_up_a_server_with_pg_dump")));
    };
    let shown = target.display();
    if let Ok(existing) = std::fs::metadata(target) {
        let source = std::fs::metadata(&db.path)?;
        if (existing.dev(), existing.ino()) == (source.dev(), source.ino()) {
            return Err(refuse(crate::text::msg!(
                "e-is_the_database_itself",
                shown = shown
            )));
        }
        if existing.is_dir() {
            return Err(refuse(crate::text::msg!("e-is_a_folder", shown = shown)));
        }
        // Renaming the copy over a device or a FIFO would replace it.
        if !existing.is_file() {
            return Err(refuse(crate::text::msg!(
                "e-is_not_a_regular_file_a_device",
                shown = shown
            )));
        }
        if !force {
            return Err(refuse(crate::text::msg!(
                "e-already_exists_give_force_to_replace_it",
                shown = shown
            )));
        }
        // SQLite would replay a leftover -wal onto the new copy and damage it.
        if beside(target, "-wal").exists() {
            return Err(refuse(crate::text::msg!(
                "e-is_open_in_another_program_or_was",
                shown = shown
            )));
        }
    }
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| refuse(crate::text::msg!("e-is_not_a_file_name", shown = shown)))?;
    // Copies an earlier backup into this target left when it was killed midway.
    remove_stale_partials(&folder, name);
    let (tmp, lock) = claim_partial(&folder, name)?;

    let result = copy_into(db, &tmp).and_then(|sealed_ids| {
        std::fs::rename(&tmp, target).map_err(|e| {
            Error::internal(crate::text::msg!(
                "e-cannot_move_the_copy_into_place_at",
                shown = shown,
                e = e
            ))
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
        remove_partial(&tmp);
    }
    drop(lock);
    result
}

/// What a partial copy into `.NAME` is called after its `.NAME.` prefix:
/// `<32 hex>.partial` (today's), or `<pid>-<uuid>.tmp` (left by appt
/// before it locked them), each perhaps with SQLite's `-journal`, `-wal`
/// or `-shm` after it.
const PARTIAL: &str = ".partial";
const SQLITE_SUFFIXES: [&str; 3] = ["-journal", "-wal", "-shm"];

/// Removes a partial copy and SQLite's files beside it.
fn remove_partial(tmp: &Path) {
    let _ = std::fs::remove_file(tmp);
    for suffix in SQLITE_SUFFIXES {
        let _ = std::fs::remove_file(beside(tmp, suffix));
    }
}

/// Creates this backup's partial copy beside the target, private (0600),
/// and holds a lock on it while the backup runs: a partial copy nobody
/// holds locked was left by a backup that died, and the next backup into
/// the same target removes it ([`remove_stale_partials`]).
fn claim_partial(folder: &Path, name: &std::ffi::OsStr) -> Result<(PathBuf, std::fs::File)> {
    loop {
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}{PARTIAL}", uuid::Uuid::new_v4().simple()));
        let tmp = folder.join(tmp_name);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| {
                Error::internal(crate::text::msg!(
                    "e-cannot_create",
                    a = tmp.display(),
                    e = e
                ))
            })?;
        // Whatever the umask took away or let through, the copy is private.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        // Another backup may have found it unlocked in the instant before the
        // lock and removed it: then take another name.
        if try_lock(&file) && same_file(&file, &tmp) {
            return Ok((tmp, file));
        }
    }
}

/// Takes an exclusive lock on `file` if nobody holds one.
fn try_lock(file: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: flock(2) on a descriptor this File owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// Whether `path` still names the open `file`.
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Removes the partial copies into `.NAME` that backups killed midway left
/// in `folder`: today's when no running backup holds them locked, older
/// appts' (named after their process) when that process is gone. Best
/// effort: what cannot be removed is left for the next backup.
fn remove_stale_partials(folder: &Path, name: &std::ffi::OsStr) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let prefix = prefix.as_encoded_bytes().to_vec();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.as_encoded_bytes().strip_prefix(&prefix[..]) else {
            continue;
        };
        let Ok(rest) = std::str::from_utf8(rest) else {
            continue;
        };
        let path = entry.path();
        let bare = SQLITE_SUFFIXES
            .iter()
            .find_map(|s| rest.strip_suffix(s))
            .unwrap_or(rest);
        let main = if bare.len() == rest.len() {
            path.clone()
        } else {
            folder.join({
                let mut n = std::ffi::OsString::from(".");
                n.push(name);
                n.push(".");
                n.push(bare);
                n
            })
        };
        if let Some(id) = bare.strip_suffix(PARTIAL) {
            if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            if bare.len() != rest.len() {
                // SQLite's file beside a partial copy that is already gone.
                if std::fs::symlink_metadata(&main).is_err() {
                    let _ = std::fs::remove_file(&path);
                }
                continue;
            }
            remove_if_unlocked(&path);
        } else if let Some(pid) = legacy_writer(bare) {
            if !alive(pid) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// Removes the partial copy `path` (and SQLite's files beside it) unless a
/// running backup holds it locked. The lock is held while removing, so a
/// backup that just created it and has not locked it yet finds it gone and
/// takes another name.
fn remove_if_unlocked(path: &Path) {
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    else {
        return;
    };
    let regular = file.metadata().is_ok_and(|m| m.is_file());
    if regular && try_lock(&file) && same_file(&file, path) {
        remove_partial(path);
    }
}

/// The process that wrote a partial copy named `<pid>-<uuid>.tmp` (as
/// appt named them before it locked them).
fn legacy_writer(bare: &str) -> Option<i32> {
    let (pid, id) = bare.strip_suffix(".tmp")?.split_once('-')?;
    uuid::Uuid::parse_str(id).ok()?;
    pid.parse().ok().filter(|p| *p > 0)
}

/// Whether a process `pid` exists (one we may not signal still exists).
fn alive(pid: i32) -> bool {
    // SAFETY: kill(2) with signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Writes the whole database into `tmp` (created, private, by
/// [`claim_partial`]), synced to disk; returns how many sealed national IDs
/// it holds.
fn copy_into(db: &super::sqlite::Sqlite, tmp: &Path) -> Result<i64> {
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
                    return Err(Error::database(crate::text::msg!(
                        "e-the_database_stayed_locked_for_10_s"
                    )))
                }
                // StepResult is non-exhaustive.
                _ => {
                    return Err(Error::internal(crate::text::msg!(
                        "e-unexpected_result_from_sqlite_s_backup"
                    )))
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn only_partial_copies_nobody_is_writing_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let touch = |n: &str| std::fs::write(d.join(n), b"x").unwrap();
        let id = "0123456789abcdef0123456789abcdef";
        let uuid = "acc918a8-e78c-4f54-9f4d-90ce9028990a";
        // A backup running now holds its copy locked.
        let (live, lock) = claim_partial(d, OsStr::new("appt.db")).unwrap();
        let live = live.file_name().unwrap().to_string_lossy().into_owned();
        // Left by killed backups: a copy with its journal, a journal alone, and
        // an older appt's copy whose process is gone.
        touch(&format!(".appt.db.{id}.partial"));
        touch(&format!(".appt.db.{id}.partial-journal"));
        touch(".appt.db.fedcba9876543210fedcba9876543210.partial-journal");
        touch(&format!(".appt.db.{}-{uuid}.tmp", i32::MAX));
        touch(&format!(".appt.db.{}-{uuid}.tmp-journal", i32::MAX));
        // Kept: an older appt's copy whose process runs, another target's,
        // files that only look alike, and a link that is not followed.
        let running = format!(".appt.db.{}-{uuid}.tmp", std::process::id());
        touch(&running);
        let kept = [
            "appt.db",
            ".appt.db.notes",
            ".appt.db.1-x.tmp",
            ".appt.db.short.partial",
            &format!(".other.db.{id}.partial"),
            &format!(".appt.dbx.{id}.partial"),
        ];
        for n in kept {
            touch(n);
        }
        let link = format!(".appt.db.{}.partial", "a".repeat(32));
        std::os::unix::fs::symlink(d.join("appt.db"), d.join(&link)).unwrap();

        remove_stale_partials(d, OsStr::new("appt.db"));
        let mut want: Vec<String> = kept.iter().map(|n| n.to_string()).collect();
        want.extend([live.clone(), running, link]);
        want.sort();
        assert_eq!(names(d), want);
        assert_eq!(std::fs::read(d.join("appt.db")).unwrap(), b"x");

        // Once its backup is gone (its lock with it), the copy goes too.
        drop(lock);
        remove_stale_partials(d, OsStr::new("appt.db"));
        assert!(!names(d).contains(&live));
    }
}
