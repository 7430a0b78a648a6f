//! A file written whole or not at all: the bytes go to a private temporary
//! file beside the target (mode 0600 whatever the umask), which is synced and
//! renamed over the target only once everything is written. Until then the
//! target is untouched; a failure (or dropping the file unfinished) removes
//! the temporary file.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: File,
    done: bool,
}

fn failed(path: &Path, e: std::io::Error) -> Error {
    Error::internal(crate::text::msg!(
        "e-cannot_write_to",
        a = path.display(),
        e = e
    ))
}

impl AtomicFile {
    /// Opens a new temporary file beside `target`. A symbolic link is
    /// followed (the file it points to is replaced, the link kept); a target
    /// that is not a regular file (a device, a folder, a pipe) is refused,
    /// since renaming over it would replace it.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let target = match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => {
                std::fs::canonicalize(target).map_err(|e| failed(target, e))?
            }
            _ => target.to_path_buf(),
        };
        if let Ok(m) = std::fs::metadata(&target) {
            if !m.is_file() {
                return Err(Error::field(
                    "output",
                    crate::text::msg!("e-is_not_a_regular_file_leave_out", a = target.display()),
                ));
            }
        }
        let target = target.as_path();
        let name = target
            .file_name()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                Error::field("output", crate::text::msg!("e-output_must_name_a_file"))
            })?;
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
        let temp = dir.join(temp_name);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(&temp).map_err(|e| failed(target, e))?;
        let f = AtomicFile {
            target: target.to_path_buf(),
            temp,
            file,
            done: false,
        };
        // The umask may have taken bits away, never added them; set the mode
        // explicitly anyway so the file is exactly 0600.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.file
                .set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| failed(&f.target, e))?;
        }
        Ok(f)
    }

    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Makes the written bytes durable and puts them in place of the target.
    pub fn commit(mut self) -> Result<()> {
        self.file.sync_all().map_err(|e| failed(&self.target, e))?;
        std::fs::rename(&self.temp, &self.target).map_err(|e| failed(&self.target, e))?;
        self.done = true;
        // The rename itself is durable once the folder is synced.
        #[cfg(unix)]
        if let Some(dir) = self.temp.parent() {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_target_appears_whole_and_private_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.ics");
        std::fs::write(&target, "old").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.file().write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn links_are_followed_and_devices_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.ics");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.ics");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut f = AtomicFile::create(&link).unwrap();
        f.file().write_all(b"new").unwrap();
        f.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        for p in ["/dev/null", "/dev/full"] {
            let e = AtomicFile::create(Path::new(p)).unwrap_err();
            assert_eq!(e.code, crate::error::Code::Validation, "{p}");
        }
        let e = AtomicFile::create(dir.path()).unwrap_err();
        assert_eq!(e.code, crate::error::Code::Validation);
    }

    #[test]
    fn an_unfinished_file_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let mut f = AtomicFile::create(&target).unwrap();
        f.file().write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let missing = dir.path().join("no/such/folder/out.csv");
        assert_eq!(
            AtomicFile::create(&missing).unwrap_err().code,
            crate::error::Code::Internal
        );
    }
}
