//! The patient's national ID is sealed with XChaCha20-Poly1305 (an AEAD) under
//! a key from `$APPT_KEY` or a key file created with mode 0600 beside the database.

use crate::error::{Error, Result};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;

pub struct Cipher(XChaCha20Poly1305);

const NONCE: usize = 24;

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

impl Cipher {
    /// `env_key` (64 hex characters) wins; else the key file, made on first use.
    pub fn load(env_key: Option<&str>, key_file: Option<&Path>) -> Result<Cipher> {
        if let Some(k) = env_key {
            let key = parse_hex_key(k).ok_or_else(|| {
                Error::field("APPT_KEY", "APPT_KEY must be 64 hex characters (32 bytes)")
            })?;
            return Ok(Cipher(XChaCha20Poly1305::new(&key.into())));
        }
        let Some(path) = key_file else {
            return Ok(Cipher(XChaCha20Poly1305::new(
                &XChaCha20Poly1305::generate_key(&mut OsRng),
            )));
        };
        let read = |path: &Path| -> Result<Cipher> {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::database(format!("cannot read key file {}: {e}", path.display()))
            })?;
            let key = parse_hex_key(&text).ok_or_else(|| {
                Error::database(format!("key file {} is damaged", path.display()))
            })?;
            Ok(Cipher(XChaCha20Poly1305::new(&key.into())))
        };
        match std::fs::symlink_metadata(path) {
            Ok(_) => return read(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::database(format!(
                    "cannot read key file {}: {e}",
                    path.display()
                )))
            }
        }
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(path) {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(to_hex(&key).as_bytes())?;
                f.sync_all()?;
                Ok(Cipher(XChaCha20Poly1305::new(&key)))
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path),
            Err(e) => Err(Error::internal(format!(
                "cannot create key file {}: {e}",
                path.display()
            ))),
        }
    }

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

    #[test]
    fn seals_and_opens_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let kf = dir.path().join("k.key");
        let c = Cipher::load(None, Some(&kf)).unwrap();
        let mut sealed = c.seal("0123456-7").unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("0123456-7"));
        // The key file persists: a second load opens the same data.
        assert_eq!(
            Cipher::load(None, Some(&kf))
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
        assert!(Cipher::load(Some("short"), None).is_err());
        // A key "file" that cannot be read is an error, not a loop.
        let dir_key = dir.path().join("d.key");
        std::fs::create_dir(&dir_key).unwrap();
        assert!(Cipher::load(None, Some(&dir_key)).is_err());
    }
}
