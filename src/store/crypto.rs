//! The patient's national ID is sealed with XChaCha20-Poly1305 (an AEAD) under
//! a key from `$APPT_KEY` or a key file created with mode 0600 beside the
//! database (SPEC §9).
//!
//! A key is made only while no sealed ID exists: a new key could never open the
//! IDs sealed under a lost one, and IDs sealed under it could not be read once the
//! old key came back. It is made atomically (a private temporary file, linked into
//! place), so processes racing to make it all end up with the one that won.

use super::db::Tx;
use super::{files, new_id, patients};
use crate::error::{Code, Error, Result};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Cipher(XChaCha20Poly1305);

const NONCE: usize = 24;

/// How many sealed IDs are tried to tell a wrong key from a damaged row.
const KEY_CHECK_SAMPLE: i64 = 8;

fn parse_hex_key(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the key comes from: `$APPT_KEY`, else the key file beside the database.
pub struct Keys {
    env: Option<String>,
    /// None for a database without a file (in memory, or a server).
    file: Option<PathBuf>,
    /// An in-memory database lives as long as this process: so may its key.
    ephemeral: bool,
}

impl Keys {
    pub fn new(env: Option<String>, file: Option<PathBuf>) -> Keys {
        Keys {
            env,
            file,
            ephemeral: false,
        }
    }

    /// For an in-memory database: without `$APPT_KEY`, a key for this process.
    pub fn ephemeral(env: Option<String>) -> Keys {
        Keys {
            env,
            file: None,
            ephemeral: true,
        }
    }

    /// For a server database, which has no file beside it: `$APPT_KEY` only.
    pub fn env_only(env: Option<String>) -> Keys {
        Keys {
            env,
            file: None,
            ephemeral: false,
        }
    }

    /// The key that seals a new ID. When there is none yet and no ID is sealed,
    /// it is made now. Call it inside the write transaction that stores the ID,
    /// so that no other process seals one in between.
    pub fn for_sealing(&self, conn: &Tx) -> Result<Cipher> {
        if let Some(c) = self.existing()? {
            self.check(conn, &c)?;
            return Ok(c);
        }
        let Some(path) = &self.file else {
            if self.ephemeral {
                return Ok(Cipher(XChaCha20Poly1305::new(
                    &XChaCha20Poly1305::generate_key(&mut OsRng),
                )));
            }
            return Err(self.missing());
        };
        if patients::any_sealed(conn)? {
            return Err(self.missing());
        }
        create_key_file(path)
    }

    /// The key that opens sealed IDs. It is never made: without it, or with a
    /// key that opens none of the sealed IDs, this is `DATABASE_ERROR`.
    pub fn for_opening(&self, conn: &Tx) -> Result<Cipher> {
        let c = self.existing()?.ok_or_else(|| self.missing())?;
        self.check(conn, &c)?;
        Ok(c)
    }

    /// The key to show a list of stored IDs with. A list never fails for want
    /// of the key: without it (or with a wrong one) every ID shows as unreadable,
    /// and the reason comes back as a warning.
    pub fn for_listing(&self, conn: &Tx) -> Result<(Option<Cipher>, Option<Error>)> {
        match self.for_opening(conn) {
            Ok(c) => Ok((Some(c), None)),
            Err(e) if e.code == Code::Database => Ok((None, Some(e))),
            Err(e) => Err(e),
        }
    }

    /// `$APPT_KEY`, else the key file if it exists.
    fn existing(&self) -> Result<Option<Cipher>> {
        if let Some(k) = &self.env {
            let key = parse_hex_key(k).ok_or_else(|| {
                Error::field("APPT_KEY", "APPT_KEY must be 64 hex characters (32 bytes)")
            })?;
            return Ok(Some(Cipher(XChaCha20Poly1305::new(&key.into()))));
        }
        match &self.file {
            Some(path) => read_key_file(path),
            None => Ok(None),
        }
    }

    /// A key that opens none of a few sealed IDs is the wrong key; one that opens
    /// any of them is right, and a row it cannot open is damaged.
    fn check(&self, conn: &Tx, c: &Cipher) -> Result<()> {
        let sample = patients::sealed_sample(conn, KEY_CHECK_SAMPLE)?;
        if sample.is_empty() || sample.iter().any(|s| c.open(s).is_ok()) {
            return Ok(());
        }
        let file = self.file_name();
        Err(key_error(
            self.file.as_deref(),
            if self.env.is_some() {
                format!(
                    "APPT_KEY does not open this database's national IDs; \
                     set APPT_KEY to the key they were sealed with, or unset it to use the key file {file}"
                )
            } else {
                format!(
                    "the key file {file} does not open this database's national IDs: \
                     it holds another key; restore the right key file, or set APPT_KEY to the right key"
                )
            },
        ))
    }

    fn missing(&self) -> Error {
        if self.file.is_none() {
            return key_error(
                None,
                "national IDs in a server database are sealed under APPT_KEY, which is not set; \
                 set APPT_KEY to the clinic group's key (64 hex characters): a server database has no key file"
                    .into(),
            );
        }
        let file = self.file_name();
        key_error(
            self.file.as_deref(),
            format!(
                "the national-ID key file {file} is missing, and this database holds IDs sealed \
                 with it; restore that file, or set APPT_KEY to its key \
                 (appt makes no new key while sealed IDs exist)"
            ),
        )
    }

    fn file_name(&self) -> String {
        self.file
            .as_deref()
            .map_or("(none: the database has no file)".into(), |p| {
                p.display().to_string()
            })
    }
}

fn key_error(file: Option<&Path>, message: String) -> Error {
    Error::database(message).details(json!({
        "key_file": file.map(|p| p.display().to_string())
    }))
}

/// The key in `path`, or None when there is no such file.
fn read_key_file(path: &Path) -> Result<Option<Cipher>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(key_error(
                Some(path),
                format!(
                    "cannot read the national-ID key file {}: {e}; or set APPT_KEY",
                    path.display()
                ),
            ))
        }
    };
    let key = std::str::from_utf8(&bytes)
        .ok()
        .and_then(parse_hex_key)
        .ok_or_else(|| {
            key_error(
                Some(path),
                format!(
                    "the national-ID key file {} is damaged (it must hold 64 hex characters); \
                     restore it from a backup, or set APPT_KEY to the key",
                    path.display()
                ),
            )
        })?;
    Ok(Some(Cipher(XChaCha20Poly1305::new(&key.into()))))
}

/// Makes the key file: the key is written whole to a private temporary file
/// beside it, flushed to disk, then hard-linked into place. Linking fails when
/// the file exists, so a process that loses the race reads the winner's key and
/// nobody ever reads a half-written one.
fn create_key_file(path: &Path) -> Result<Cipher> {
    let key = XChaCha20Poly1305::generate_key(&mut OsRng);
    let tmp = files::with_suffix(path, &format!(".{}.tmp", new_id()));
    let cannot = |e: std::io::Error| {
        key_error(
            Some(path),
            format!(
                "cannot create the national-ID key file {}: {e}; or set APPT_KEY",
                path.display()
            ),
        )
    };
    let written = (|| {
        let mut f = files::create_private_file(&tmp)?.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "temporary file exists")
        })?;
        f.write_all(to_hex(&key).as_bytes())?;
        f.sync_all()?;
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                files::sync_dir(dir);
            }
            Ok(Cipher(XChaCha20Poly1305::new(&key)))
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path)?
            .ok_or_else(|| cannot(std::io::Error::other("it vanished while being made"))),
        Err(e) => Err(cannot(e)),
    }
}

impl Cipher {
    pub fn seal(&self, plain: &str) -> Result<Vec<u8>> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.0
                .encrypt(&nonce, plain.as_bytes())
                .map_err(|_| Error::internal("encryption failed"))?,
        );
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<String> {
        if sealed.len() < NONCE {
            return Err(Error::database("a sealed national ID is damaged"));
        }
        let (nonce, body) = sealed.split_at(NONCE);
        let plain = self
            .0
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| {
                Error::database("cannot decrypt a national ID: wrong APPT_KEY or key file")
            })?;
        String::from_utf8(plain).map_err(|_| Error::database("a decrypted national ID is not text"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Keys {
        fn for_sealing_in(&self, s: &mut Store) -> Result<Cipher> {
            s.read(|tx| self.for_sealing(tx))
        }
        fn for_opening_in(&self, s: &mut Store) -> Result<Cipher> {
            s.read(|tx| self.for_opening(tx))
        }
    }
    use crate::store::Store;

    fn keys(kf: &Path) -> Keys {
        Keys::new(None, Some(kf.to_path_buf()))
    }

    #[test]
    fn seals_and_opens_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let kf = dir.path().join("k.key");
        let mut s = Store::in_memory().unwrap();
        let c = keys(&kf).for_sealing_in(&mut s).unwrap();
        let mut sealed = c.seal("0123456-7").unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("0123456-7"));
        // The key file persists: a second load opens the same data.
        assert_eq!(
            keys(&kf)
                .for_opening_in(&mut s)
                .unwrap()
                .open(&sealed)
                .unwrap(),
            "0123456-7"
        );
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(c.open(&sealed).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&kf).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let short = Keys::new(Some("short".into()), None).for_sealing_in(&mut s);
        assert_eq!(short.err().unwrap().code, Code::Validation);
        // A key "file" that cannot be read is an error, not a loop.
        let dir_key = dir.path().join("d.key");
        std::fs::create_dir(&dir_key).unwrap();
        let e = keys(&dir_key).for_sealing_in(&mut s).err().unwrap();
        assert_eq!(e.code, Code::Database);
        // Only the key file is left: no temporary files.
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["d.key", "k.key"]);
    }

    #[test]
    fn opening_never_makes_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let kf = dir.path().join("k.key");
        let mut s = Store::in_memory().unwrap();
        assert_eq!(
            keys(&kf).for_opening_in(&mut s).err().unwrap().code,
            Code::Database
        );
        assert!(!kf.exists());
    }

    #[test]
    fn racing_makers_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let kf = dir.path().join("k.key");
        let sealed: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| create_key_file(&kf).unwrap().seal("x").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let c = read_key_file(&kf).unwrap().unwrap();
        for s in &sealed {
            assert_eq!(c.open(s).unwrap(), "x");
        }
    }
}
