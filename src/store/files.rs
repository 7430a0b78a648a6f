//! The files appt keeps beside each other — the database, its `-wal`/`-shm`,
//! the national-ID key — are private to their owner (docs/commands.md#conventions, docs/security.md): folders appt
//! creates are 0700 and files 0600 whatever the umask, and an existing file
//! with wider permissions is tightened (or refused: another user's file, or
//! one that cannot be changed). The key file is never tightened: one that
//! others could read is refused (see `keys`). Modes are set explicitly after creating,
//! because the umask may strip bits from the mode asked for at creation
//! (`umask 277` would leave a folder appt cannot write into).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub const FOLDER_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Creates every missing folder of `dir`, each with mode 0700. Folders that
/// already exist, or that another process creates meanwhile, are left as they are.
pub fn create_private_dirs(dir: &Path) -> Result<()> {
    let mut missing: Vec<PathBuf> = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur.filter(|d| !d.as_os_str().is_empty()) {
        match std::fs::symlink_metadata(d) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(d.to_path_buf()),
            Err(e) => return Err(folder_error(d, e)),
        }
        cur = d.parent();
    }
    for d in missing.iter().rev() {
        match std::fs::create_dir(d) {
            Ok(()) => set_mode(d, FOLDER_MODE).map_err(|e| folder_error(d, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(folder_error(d, e)),
        }
    }
    Ok(())
}

fn folder_error(d: &Path, e: std::io::Error) -> Error {
    Error::database(crate::text::msg!(
        "e-cannot_create_folder",
        a = d.display(),
        e = e
    ))
}

/// Creates `path` with mode 0600 unless it exists; the new file when this call made it.
pub fn create_private_file(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE);
    }
    match opts.open(path) {
        Ok(f) => {
            set_mode(path, FILE_MODE)?;
            Ok(Some(f))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}

/// Makes an existing file private: takes group and other permissions (and the
/// owner's execute bit) away. A file that group or others can use and that
/// belongs to another user is refused, never changed (its mode is its owner's
/// to set, even for root); so is one whose mode cannot be changed. A missing
/// file, or one that is not a regular file (a device), is left alone.
pub fn tighten(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            _ => return Ok(()),
        };
        let mode = meta.mode() & 0o7777;
        if mode & !FILE_MODE == 0 {
            return Ok(());
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            if mode & 0o077 == 0 {
                return Ok(());
            }
            return Err(Error::database(crate::text::msg!(
                "e-can_be_read_or_written_by_others",
                a = path.display(),
                mode = format!("{:04o}", mode),
                b = meta.uid(),
                c = path.display()
            )));
        }
        set_mode(path, mode & FILE_MODE).map_err(|e| {
            Error::database(crate::text::msg!(
                "e-can_be_read_or_written_by_others_2",
                a = path.display(),
                mode = format!("{:04o}", mode),
                e = e,
                b = path.display()
            ))
        })?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// `path` with `suffix` appended to its file name (`appt.db` → `appt.db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Makes a new directory entry durable (after creating or linking a file).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn only_created_folders_are_made_private() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let deep = dir.path().join("a/b/c");
        create_private_dirs(&deep).unwrap();
        for d in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode(&dir.path().join(d)), 0o700, "{d}");
        }
        assert_eq!(mode(dir.path()), 0o755, "an existing folder is left alone");
        create_private_dirs(&deep).unwrap();
    }

    #[test]
    fn wider_files_are_tightened_narrower_ones_left() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        assert!(create_private_file(&f).unwrap().is_some());
        assert!(create_private_file(&f).unwrap().is_none());
        assert_eq!(mode(&f), 0o600);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
        tighten(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o400)).unwrap();
        tighten(&f).unwrap();
        assert_eq!(mode(&f), 0o400);
        tighten(&dir.path().join("missing")).unwrap();
    }

    #[test]
    fn another_users_file_is_refused_never_changed() {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: only root can give a file to another user (CI runs as root)");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "x").unwrap();
        std::os::unix::fs::chown(&f, Some(65534), Some(65534)).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = tighten(&f).unwrap_err();
        assert!(
            e.message.contains("another user (uid 65534)"),
            "{}",
            e.message
        );
        assert!(e.message.contains("chmod 600"), "{}", e.message);
        assert_eq!(mode(&f), 0o644, "left as it was");
        // A private one (or one with only its owner's execute bit) is fine.
        for m in [0o600, 0o700] {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(m)).unwrap();
            tighten(&f).unwrap();
            assert_eq!(mode(&f), m);
        }
    }
}
