//! The key files (docs/security.md#keys): the national-ID key file and
//! the link key file, read only when private to their owner, written
//! private, made on first use; an in-memory database's key for the life of
//! the process. The sealing itself is [`super`]'s.

use super::{parse_hex_key, parse_keys, to_hex, Key};
use crate::error::{Error, Result};
use crate::store::{files, new_id};
use chacha20poly1305::aead::OsRng;
use serde_json::json;
use std::io::{Read, Write};
use std::path::Path;

/// An in-memory database's key: one for the life of the process.
pub(super) fn ephemeral_key() -> Key {
    static KEY: std::sync::OnceLock<Key> = std::sync::OnceLock::new();
    KEY.get_or_init(|| Key::generate(1)).clone()
}

pub(super) fn key_error(file: Option<&Path>, message: impl Into<crate::text::Msg>) -> Error {
    Error::database(message).details(json!({
        "key_file": file.map(|p| p.display().to_string())
    }))
}

/// `what`: the message (`e-key_cannot_write`) saying what could not be
/// done to `path`; the system's own words about why are its argument.
pub(super) fn key_io_error(
    key_file: &Path,
    what: &'static str,
    path: &Path,
    e: std::io::Error,
) -> Error {
    key_error(
        Some(key_file),
        crate::text::msg!(what, a = path.display(), e = e),
    )
}

/// Why a key file with this owner and mode may not be used, if it may not:
/// another user's file, or one that group or others can read or write. `me`
/// is the effective user.
pub fn refusal(path: &Path, owner: u32, mode: u32, me: u32) -> Option<crate::text::Msg> {
    let file = path.display();
    if owner != me {
        // uids as written, never as numbers a language would group (1.000).
        return Some(crate::text::msg!(
            "e-key_file_of_another_user",
            file = file,
            owner = owner.to_string(),
            me = me.to_string()
        ));
    }
    if mode & 0o077 != 0 {
        return Some(crate::text::msg!(
            "e-key_file_not_private",
            file = file,
            mode = format!("{:04o}", mode & 0o7777)
        ));
    }
    None
}

/// What stood between appt and a key file's bytes.
pub(super) enum Unreadable {
    /// The file could not be opened or read, or it is not a regular file.
    Io(std::io::Error),
    /// It is another user's, or others may read or write it: its owner and
    /// mode, and why the national-ID key file would be refused
    /// ([`refusal`], the one judge of both key files).
    NotPrivate {
        owner: u32,
        mode: u32,
        why: crate::text::Msg,
    },
}

/// The first `limit` bytes of the key file at `path` (the national-ID key
/// file, a link key file), or None when there is no such file. It must be
/// a regular file, the running user's own, that nobody else may read or
/// write; the file opened is the file judged.
pub(super) fn read_private(
    path: &Path,
    limit: u64,
) -> std::result::Result<Option<Vec<u8>>, Unreadable> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO planted there must not hang appt before it is looked at.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let f = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Unreadable::Io(e)),
    };
    // The file opened is the file judged: nothing can be swapped in between.
    let meta = f.metadata().map_err(Unreadable::Io)?;
    if !meta.is_file() {
        return Err(Unreadable::Io(std::io::Error::other(crate::text::msg!(
            "e-it_is_not_a_regular_file"
        ))));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        let (owner, mode) = (meta.uid(), meta.mode());
        if let Some(why) = refusal(path, owner, mode, me) {
            return Err(Unreadable::NotPrivate { owner, mode, why });
        }
    }
    let mut bytes = Vec::new();
    f.take(limit)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    Ok(Some(bytes))
}

/// The keys in `path`, or None when there is no such file. A file that is
/// not the running user's own, private, regular file is refused.
pub(super) fn read_key_file(path: &Path) -> Result<Option<Vec<Key>>> {
    let bytes = match read_private(path, 64 * 1024) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(Unreadable::NotPrivate { why, .. }) => return Err(key_error(Some(path), why)),
        Err(Unreadable::Io(e)) => {
            return Err(key_error(
                Some(path),
                crate::text::msg!(
                    "e-cannot_read_the_national_id_key_file",
                    a = path.display(),
                    e = e
                ),
            ))
        }
    };
    let keys = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| parse_keys(t).ok())
        .ok_or_else(|| {
            key_error(
                Some(path),
                crate::text::msg!("e-the_national_id_key_file_is_damaged", a = path.display()),
            )
        })?;
    Ok(Some(keys))
}

/// Writes `contents` whole to a private temporary file beside `path`, flushed
/// to disk, then puts it in place: renamed over `path` (`replace`), or
/// hard-linked, which fails when `path` exists (then false, and `path` is left
/// alone). Nobody ever reads a half-written file.
pub(super) fn write_private(path: &Path, contents: &[u8], replace: bool) -> std::io::Result<bool> {
    let tmp = files::with_suffix(path, &format!(".{}.tmp", new_id()));
    let written = (|| {
        let mut f = files::create_private_file(&tmp)?.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                crate::text::msg!("e-temporary_file_exists"),
            )
        })?;
        f.write_all(contents)?;
        f.sync_all()?;
        if replace {
            std::fs::rename(&tmp, path)
        } else {
            std::fs::hard_link(&tmp, path)
        }
    })();
    let _ = std::fs::remove_file(&tmp);
    let made = match written {
        Ok(()) => true,
        Err(e) if !replace && e.kind() == std::io::ErrorKind::AlreadyExists => false,
        Err(e) => return Err(e),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        files::sync_dir(dir);
    }
    Ok(made)
}

/// Makes the key file (version 1). When another process made it first, its
/// key is the one: read back.
pub(super) fn create_key_file(path: &Path) -> Result<Vec<Key>> {
    let key = Key::generate(1);
    let cannot = |e: std::io::Error| {
        key_error(
            Some(path),
            crate::text::msg!(
                "e-cannot_create_the_national_id_key_file",
                a = path.display(),
                e = e
            ),
        )
    };
    if write_private(path, (key.text() + "\n").as_bytes(), false).map_err(cannot)? {
        return Ok(vec![key]);
    }
    read_key_file(path)?.ok_or_else(|| {
        cannot(std::io::Error::other(crate::text::msg!(
            "e-it_vanished_while_being_made"
        )))
    })
}

/// `N` random bytes from the operating system.
pub fn random<const N: usize>() -> [u8; N] {
    use chacha20poly1305::aead::rand_core::RngCore;
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}

/// The link key (docs/security.md#patient-links): 32 bytes, written as 64
/// hex characters.
pub fn parse_link_key(text: &str) -> Option<[u8; 32]> {
    parse_hex_key(text)
}

/// The link key kept in `path`, beside a database file: read, or made when
/// there is none (atomically: processes racing to make it agree on one). A
/// file that is not the running user's own private file is refused, like
/// the national-ID key file.
pub fn link_key_file(path: &Path) -> Result<[u8; 32]> {
    if let Some(k) = read_link_key(path)? {
        return Ok(k);
    }
    let key: [u8; 32] = random();
    let made = write_private(path, (to_hex(&key) + "\n").as_bytes(), false).map_err(|e| {
        link_key_error(
            path,
            crate::text::msg!("e-link_key_cannot_create", a = path.display(), e = e),
        )
    })?;
    if made {
        return Ok(key);
    }
    read_link_key(path)?.ok_or_else(|| {
        link_key_error(
            path,
            crate::text::msg!("e-link_key_vanished", a = path.display()),
        )
    })
}

pub(super) fn link_key_error(path: &Path, message: impl Into<crate::text::Msg>) -> Error {
    Error::database(message).details(json!({ "link_key_file": path.display().to_string() }))
}

pub(super) fn read_link_key(path: &Path) -> Result<Option<[u8; 32]>> {
    let bytes = match read_private(path, 4096) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(Unreadable::NotPrivate { owner, mode, .. }) => {
            return Err(link_key_error(
                path,
                crate::text::msg!(
                    "e-link_key_not_private",
                    a = path.display(),
                    b = owner,
                    c = format!("{:04o}", mode & 0o7777)
                ),
            ))
        }
        Err(Unreadable::Io(e)) => {
            return Err(link_key_error(
                path,
                crate::text::msg!("e-link_key_cannot_read", a = path.display(), e = e),
            ))
        }
    };
    let key = std::str::from_utf8(&bytes)
        .ok()
        .and_then(parse_hex_key)
        .ok_or_else(|| {
            link_key_error(
                path,
                crate::text::msg!("e-link_key_damaged", a = path.display()),
            )
        })?;
    Ok(Some(key))
}
