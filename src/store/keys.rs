//! appt's keys and their files: the national-ID key, which seals the
//! patients' national IDs, and the key of the patients' links (its file;
//! `links.rs` signs with it). Both key files are read by one function,
//! which refuses a file that is not the running user's own private file.
//!
//! The patient's national ID is sealed with XChaCha20-Poly1305 (an AEAD) under
//! a key from `$APPT_KEY` or a key file beside the database (docs/security.md).
//!
//! A sealed value starts with a header — its format and its key's version —
//! and is bound to its patient: the header and the patient's ID are the AEAD's
//! associated data, so a value copied onto another patient does not open.
//! Values sealed by an appt from before the header existed were marked format 0
//! by the schema upgrade: they open without a binding only until the database
//! records its key (a sealed check value in `meta`), which first binds them all.
//!
//! A key is made only while no sealed ID exists: a new key could never open the
//! IDs sealed under a lost one. It is made atomically (a private temporary
//! file, linked into place), so processes racing to make it all end up with
//! the one that won. A key file that others can read or write, or that another
//! user owns, is refused, never used (nor "fixed": its key may have been read).
//!
//! This module is the key policy and the key files' I/O; what it needs to know
//! of the database comes in as a [`SealedState`], so it knows no SQL.

use super::{files, new_id};
mod key_files;
use crate::error::{Code, Error, Result};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use key_files::*;
pub use key_files::{link_key_file, parse_link_key, random};
use std::path::{Path, PathBuf};

const NONCE: usize = 24;
/// Format byte and key version (big-endian), at the start of a bound value.
const HEADER: usize = 5;
/// Sealed by an appt before values named their key: no header, no binding.
const FORMAT_UNBOUND: u8 = 0;
/// A header, and bound to its patient.
const FORMAT_BOUND: u8 = 1;
/// The associated data of a national ID starts with this, then the header,
/// then the patient's ID; a key check value's with the other, then the header.
const ID_CONTEXT: &[u8] = b"appt patients.national_id\0";
/// A channel's secrets are bound to their channel as an ID is to its
/// patient, under a context of their own: neither opens as the other.
const SECRETS_CONTEXT: &[u8] = b"appt channels.secrets\0";
const CHECK_CONTEXT: &[u8] = b"appt key check\0";
const CHECK_TEXT: &[u8] = b"appt";

/// How many sealed IDs are tried to tell a wrong key from a damaged row, in a
/// database that has not recorded its key yet.
pub const KEY_CHECK_SAMPLE: i64 = 8;

fn parse_hex_key(s: &str) -> Option<[u8; 32]> {
    let bytes = from_hex(s)?;
    bytes.try_into().ok()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex text (either case); None when it is not hex.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One key and its version.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    version: u32,
    bytes: [u8; 32],
}

/// Shows the version only: a key never reaches a log or a message.
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(version {})", self.version)
    }
}

impl Key {
    fn generate(version: u32) -> Key {
        Key {
            version,
            bytes: XChaCha20Poly1305::generate_key(&mut OsRng).into(),
        }
    }

    fn aead(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.bytes.into())
    }

    /// As written in a key file or `$APPT_KEY`: 64 hex characters for version 1
    /// (as appt has always written them), `N:` and 64 hex characters for later ones.
    pub fn text(&self) -> String {
        if self.version == 1 {
            to_hex(&self.bytes)
        } else {
            format!("{}:{}", self.version, to_hex(&self.bytes))
        }
    }
}

/// Keys as written: one or more, separated by white space or commas, each
/// `HEX` (version 1) or `N:HEX`. Never echoes the text in its error.
pub fn parse_keys(text: &str) -> std::result::Result<Vec<Key>, crate::text::Msg> {
    let mut keys: Vec<Key> = Vec::new();
    for word in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
    {
        let (version, hex) = match word.split_once(':') {
            Some((v, hex)) => (
                v.parse::<u32>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or(crate::text::msg!("e-a_key_s_version_before_must_be"))?,
                hex,
            ),
            None => (1, word),
        };
        let bytes =
            parse_hex_key(hex).ok_or(crate::text::msg!("e-a_key_must_be_64_hex_characters"))?;
        match keys.iter().find(|k| k.version == version) {
            Some(k) if k.bytes == bytes => {}
            Some(_) => {
                return Err(crate::text::msg!(
                    "e-two_different_keys_claim_version",
                    version = version
                ))
            }
            None => keys.push(Key { version, bytes }),
        }
    }
    if keys.is_empty() {
        return Err(crate::text::msg!("e-no_key_in_it"));
    }
    keys.sort_by_key(|k| k.version);
    Ok(keys)
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unopened {
    /// Not a value appt writes (too short, an unknown format).
    Damaged,
    /// Sealed under a key version the keys at hand do not include.
    UnknownVersion(u32),
    /// An older appt's unbound value in a database whose IDs are all bound:
    /// copied in from an old copy of the database.
    Unbound,
    /// The key and the patient do not fit it: damaged, or another patient's.
    NotForPatient,
}

impl Unopened {
    pub fn describe(&self) -> crate::text::Msg {
        use crate::text::msg;
        match self {
            Unopened::Damaged => msg!("e-unopened_damaged"),
            Unopened::UnknownVersion(v) => msg!("e-unopened_unknown_version", v = v),
            Unopened::Unbound => msg!("e-unopened_unbound"),
            Unopened::NotForPatient => msg!("e-unopened_not_for_patient"),
        }
    }
}

/// The format and key version a sealed value names; None when it names none.
pub fn sealed_version(sealed: &[u8]) -> Option<u32> {
    match *sealed.first()? {
        FORMAT_UNBOUND => Some(1),
        FORMAT_BOUND if sealed.len() >= HEADER => {
            Some(u32::from_be_bytes(sealed[1..HEADER].try_into().ok()?))
        }
        _ => None,
    }
}

/// The keys to seal and open national IDs with: every key at hand, and the one
/// that seals (the database's current version).
pub struct Keyring {
    keys: Vec<Key>,
    current: u32,
    /// The database's IDs are bound: an unbound (format 0) value is refused.
    bound: bool,
    /// This key is not (yet) recorded as the database's: who seals with it
    /// first binds the unbound IDs and records it.
    record: bool,
}

impl Keyring {
    fn new(keys: Vec<Key>, current: u32, bound: bool, record: bool) -> Keyring {
        Keyring {
            keys,
            current,
            bound,
            record,
        }
    }

    /// The version new values are sealed under.
    pub fn version(&self) -> u32 {
        self.current
    }

    /// Every version it holds, oldest first.
    pub fn versions(&self) -> Vec<u32> {
        self.keys.iter().map(|k| k.version).collect()
    }

    fn key(&self, version: u32) -> Option<&Key> {
        self.keys.iter().find(|k| k.version == version)
    }

    fn current_key(&self) -> Result<&Key> {
        self.key(self.current).ok_or_else(|| {
            Error::internal(crate::text::msg!("e-the_keyring_lacks_its_current_key"))
        })
    }

    /// The key that seals, as written (`$APPT_KEY`'s value).
    pub fn current_text(&self) -> Result<String> {
        Ok(self.current_key()?.text())
    }

    /// Every key, one a line (a key file's contents).
    pub fn text(&self) -> String {
        self.keys.iter().map(|k| k.text() + "\n").collect()
    }

    /// Whether the sealer must bind the unbound IDs and record this key.
    pub fn needs_record(&self) -> bool {
        self.record
    }

    /// The database's IDs are bound from now on (after binding and recording).
    pub fn mark_recorded(&mut self) {
        self.record = false;
        self.bound = true;
    }

    /// `plain` sealed for the patient `patient_id` under the current key.
    pub fn seal(&self, patient_id: &str, plain: &str) -> Result<Vec<u8>> {
        self.seal_bound(ID_CONTEXT, patient_id, plain)
    }

    /// A channel's secrets (`plain`) sealed for the channel `channel_id`
    /// under the current key, as an ID is for its patient.
    pub fn seal_secrets(&self, channel_id: &str, plain: &str) -> Result<Vec<u8>> {
        self.seal_bound(SECRETS_CONTEXT, channel_id, plain)
    }

    /// The secrets `sealed` holds, if it opens for the channel `channel_id`.
    pub fn open_secrets(
        &self,
        channel_id: &str,
        sealed: &[u8],
    ) -> std::result::Result<String, Unopened> {
        if sealed.first() != Some(&FORMAT_BOUND) || sealed.len() < HEADER {
            return Err(Unopened::Damaged);
        }
        let plain = self.open_bound(SECRETS_CONTEXT, channel_id, sealed)?;
        String::from_utf8(plain).map_err(|_| Unopened::Damaged)
    }

    fn seal_bound(&self, context: &[u8], owner: &str, plain: &str) -> Result<Vec<u8>> {
        let key = self.current_key()?;
        let mut out = vec![FORMAT_BOUND];
        out.extend(key.version.to_be_bytes());
        let aad = [context, &out[..HEADER], owner.as_bytes()].concat();
        seal_into(key, out, plain.as_bytes(), &aad)
    }

    /// A bound value's plain bytes (its header read, its key found).
    fn open_bound(
        &self,
        context: &[u8],
        owner: &str,
        sealed: &[u8],
    ) -> std::result::Result<Vec<u8>, Unopened> {
        let version = sealed_version(sealed).ok_or(Unopened::Damaged)?;
        let key = self.key(version).ok_or(Unopened::UnknownVersion(version))?;
        let aad = [context, &sealed[..HEADER], owner.as_bytes()].concat();
        open_body(key, &sealed[HEADER..], &aad)
    }

    /// The national ID `sealed` holds, if it opens for `patient_id`.
    pub fn open(&self, patient_id: &str, sealed: &[u8]) -> std::result::Result<String, Unopened> {
        let plain = match sealed.first() {
            Some(&FORMAT_UNBOUND) => {
                if self.bound {
                    return Err(Unopened::Unbound);
                }
                let key = self.key(1).ok_or(Unopened::UnknownVersion(1))?;
                open_body(key, &sealed[1..], &[])?
            }
            Some(&FORMAT_BOUND) if sealed.len() >= HEADER => {
                self.open_bound(ID_CONTEXT, patient_id, sealed)?
            }
            _ => return Err(Unopened::Damaged),
        };
        String::from_utf8(plain).map_err(|_| Unopened::Damaged)
    }

    /// A value only the current key opens, recorded in the database so that a
    /// wrong key is told from damaged rows exactly, whatever the rows hold.
    pub fn check_value(&self) -> Result<Vec<u8>> {
        let key = self.current_key()?;
        let mut out = vec![FORMAT_BOUND];
        out.extend(key.version.to_be_bytes());
        let aad = [CHECK_CONTEXT, &out[..HEADER]].concat();
        seal_into(key, out, CHECK_TEXT, &aad)
    }

    /// Whether it holds the key that made `check`.
    fn opens_check(&self, check: &[u8]) -> bool {
        let Some(key) = sealed_version(check)
            .filter(|_| check.first() == Some(&FORMAT_BOUND))
            .and_then(|v| self.key(v))
        else {
            return false;
        };
        let aad = [CHECK_CONTEXT, &check[..HEADER]].concat();
        open_body(key, &check[HEADER..], &aad).is_ok_and(|p| p == CHECK_TEXT)
    }

    /// These keys and a new one of the next version, which seals.
    pub fn next(&self, at_least: u32) -> Keyring {
        let version = self
            .keys
            .iter()
            .map(|k| k.version)
            .max()
            .unwrap_or(0)
            .max(at_least)
            + 1;
        let mut keys = self.keys.clone();
        keys.push(Key::generate(version));
        Keyring::new(keys, version, true, false)
    }

    /// The current key alone.
    pub fn current_only(&self) -> Result<Keyring> {
        Ok(Keyring::new(
            vec![self.current_key()?.clone()],
            self.current,
            self.bound,
            self.record,
        ))
    }

    fn same_keys(&self, keys: &[Key]) -> bool {
        self.keys == keys
    }
}

fn seal_into(key: &Key, mut out: Vec<u8>, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    out.extend_from_slice(&nonce);
    out.extend(
        key.aead()
            .encrypt(&nonce, Payload { msg: plain, aad })
            .map_err(|_| Error::internal(crate::text::msg!("e-encryption_failed")))?,
    );
    Ok(out)
}

fn open_body(key: &Key, body: &[u8], aad: &[u8]) -> std::result::Result<Vec<u8>, Unopened> {
    if body.len() < NONCE {
        return Err(Unopened::Damaged);
    }
    let (nonce, ct) = body.split_at(NONCE);
    key.aead()
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map_err(|_| Unopened::NotForPatient)
}

/// What the key policy needs to know of the database's sealed IDs, read in
/// the transaction that uses the key.
#[derive(Debug, Default, Clone)]
pub struct SealedState {
    /// The key check value the database recorded, if any (hex-decoded; empty
    /// when the recorded text is not hex).
    pub check: Option<Vec<u8>>,
    /// Whether any patient has a sealed national ID.
    pub any_sealed: bool,
    /// Up to [`KEY_CHECK_SAMPLE`] sealed IDs with their patients' IDs, read
    /// when no usable check value is recorded (databases of an older appt).
    pub sample: Vec<(String, Vec<u8>)>,
}

impl SealedState {
    /// Whether a check value appt could have written is recorded (without
    /// one, a key is tried on the [sample](SealedState::sample)).
    pub fn has_usable_check(&self) -> bool {
        self.usable_check().is_some()
    }

    /// The recorded check value, when it is one appt could have written.
    fn usable_check(&self) -> Option<(u32, &[u8])> {
        let c = self.check.as_deref()?;
        (c.first() == Some(&FORMAT_BOUND))
            .then(|| sealed_version(c))
            .flatten()
            .map(|v| (v, c))
    }

    /// The key version the database's IDs are sealed under, as far as it says.
    pub fn version(&self) -> Option<u32> {
        if let Some((v, _)) = self.usable_check() {
            return Some(v);
        }
        self.sample
            .iter()
            .filter_map(|(_, s)| sealed_version(s))
            .max()
    }
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

    /// The key file in use: None when the key comes from `$APPT_KEY` (or the
    /// database has no file).
    pub fn key_file(&self) -> Option<&Path> {
        match self.env {
            Some(_) => None,
            None => self.file.as_deref(),
        }
    }

    /// The keyring that seals new IDs. When there is no key yet and no ID is
    /// sealed, a key is made now. Call it inside the write transaction that
    /// stores the ID, so that no other process seals one in between; when the
    /// keyring [needs recording](Keyring::needs_record), the caller binds the
    /// unbound IDs and records it in that transaction.
    pub fn for_sealing(&self, db: &SealedState) -> Result<Keyring> {
        if let Some(keys) = self.existing_or_ephemeral()? {
            return self.verify(keys, db);
        }
        let Some(path) = &self.file else {
            return Err(self.missing());
        };
        if db.any_sealed {
            return Err(self.missing());
        }
        let keys = create_key_file(path)?;
        self.verify(keys, db)
    }

    /// The keyring that opens sealed IDs. It is never made: without a key,
    /// or with one that is not the database's, this is `DATABASE_ERROR`.
    pub fn for_opening(&self, db: &SealedState) -> Result<Keyring> {
        let keys = self
            .existing_or_ephemeral()?
            .ok_or_else(|| self.missing())?;
        self.verify(keys, db)
    }

    /// The keyring to show a list of stored IDs with. A list never fails for
    /// want of the key: without it (or with a wrong or refused one) every ID
    /// shows as unreadable, and the reason comes back as a warning.
    pub fn for_listing(&self, db: &SealedState) -> Result<(Option<Keyring>, Option<Error>)> {
        match self.for_opening(db) {
            Ok(c) => Ok((Some(c), None)),
            Err(e) if e.code == Code::Database => Ok((None, Some(e))),
            Err(e) => Err(e),
        }
    }

    /// The keyring a rotation starts from: the database's keys, checked; an
    /// empty one when there is no key and nothing is sealed (the rotation
    /// makes the first).
    pub fn for_rotation(&self, db: &SealedState) -> Result<Keyring> {
        match self.existing_or_ephemeral()? {
            Some(keys) => self.verify(keys, db),
            None if db.any_sealed => Err(self.missing()),
            None => Ok(Keyring::new(Vec::new(), 0, true, false)),
        }
    }

    /// Keeps each key of `ring` in a file of its own beside the key file,
    /// `<key file>.<version>` (never over another key: a different one there
    /// leaves this one in `<key file>.<version>.<random>`). Returns the files.
    pub fn keep_old(&self, ring: &Keyring) -> Result<Vec<PathBuf>> {
        let Some(path) = self.key_file() else {
            return Ok(Vec::new());
        };
        let mut kept = Vec::new();
        for key in &ring.keys {
            let mut target = files::with_suffix(path, &format!(".{}", key.version));
            loop {
                let text = key.text() + "\n";
                if write_private(&target, text.as_bytes(), false)
                    .map_err(|e| key_io_error(path, "e-key_cannot_keep_old", &target, e))?
                {
                    break;
                }
                // One is there already: the same key is fine, another is kept.
                match read_key_file(&target) {
                    Ok(Some(there)) if there.len() == 1 && there[0] == *key => break,
                    _ => {
                        target = files::with_suffix(
                            path,
                            &format!(".{}.{}", key.version, &new_id()[..8]),
                        )
                    }
                }
            }
            kept.push(target);
        }
        Ok(kept)
    }

    /// Replaces the key file with `ring`'s keys, atomically (a private
    /// temporary file renamed over it): at every instant the file holds the
    /// old keys or the new ones, whole.
    pub fn write_keyring(&self, ring: &Keyring) -> Result<()> {
        let Some(path) = self.key_file() else {
            return Ok(());
        };
        write_private(path, ring.text().as_bytes(), true)
            .map(|_| ())
            .map_err(|e| key_io_error(path, "e-key_cannot_write", path, e))
    }

    /// The end of a rotation: the key file, which holds `to`'s keys (old and
    /// new), is replaced by the new key alone. When the file holds anything
    /// else by now (another rotation, a hand), it is left as it is: false.
    pub fn finish_rotation(&self, to: &Keyring) -> Result<bool> {
        let Some(path) = self.key_file() else {
            return Ok(true);
        };
        match read_key_file(path)? {
            Some(keys) if to.same_keys(&keys) => {}
            _ => return Ok(false),
        }
        write_private(path, to.current_only()?.text().as_bytes(), true)
            .map_err(|e| key_io_error(path, "e-key_cannot_write", path, e))?;
        Ok(true)
    }

    /// Temporary files a killed key write left beside the key file (each
    /// holds a key): removed.
    pub fn remove_leftovers(&self) {
        let Some(path) = self.key_file() else {
            return;
        };
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let prefix = format!("{}.", name.to_string_lossy());
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            let Some(middle) = n.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp")) else {
                continue;
            };
            if uuid::Uuid::parse_str(middle).is_ok() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    /// `$APPT_KEY`, else the key file if it exists.
    fn existing(&self) -> Result<Option<Vec<Key>>> {
        if let Some(k) = &self.env {
            let keys = parse_keys(k).map_err(|why| {
                Error::field(
                    "APPT_KEY",
                    crate::text::msg!("e-appt_key_must_be_64_hex_characters", why = why),
                )
            })?;
            return Ok(Some(keys));
        }
        match &self.file {
            Some(path) => read_key_file(path),
            None => Ok(None),
        }
    }

    fn existing_or_ephemeral(&self) -> Result<Option<Vec<Key>>> {
        match self.existing()? {
            Some(k) => Ok(Some(k)),
            None if self.ephemeral => Ok(Some(vec![ephemeral_key()])),
            None => Ok(None),
        }
    }

    /// The keyring for the database: the recorded check value says exactly
    /// whether the keys hold the database's key; without one (an older
    /// appt's database), a key that opens none of a few sealed IDs is wrong,
    /// one that opens any of them is right and a row it cannot open is damaged.
    fn verify(&self, keys: Vec<Key>, db: &SealedState) -> Result<Keyring> {
        let highest = keys.last().map_or(1, |k| k.version);
        let probe = Keyring::new(keys, highest, false, true);
        if let Some((version, check)) = db.usable_check() {
            if probe.opens_check(check) {
                return Ok(Keyring::new(probe.keys, version, true, false));
            }
            if !db.any_sealed {
                // Nothing is sealed: another key may take over (and is recorded).
                return Ok(Keyring::new(probe.keys, highest, true, true));
            }
            return Err(self.not_the_key(&probe, Some(version)));
        }
        if db.sample.is_empty() || db.sample.iter().any(|(id, s)| probe.open(id, s).is_ok()) {
            return Ok(probe);
        }
        Err(self.not_the_key(&probe, db.version()))
    }

    /// `DATABASE_ERROR`: the keys at hand are not the database's.
    fn not_the_key(&self, have: &Keyring, wanted: Option<u32>) -> Error {
        use crate::text::msg;
        let versions = have.versions();
        let holds = msg!(
            "e-key_versions",
            n = versions.len(),
            list = versions
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let file = self.file_name();
        let source = if self.env.is_some() {
            msg!("e-key_source_env", holds = holds)
        } else {
            msg!("e-key_source_file", file = file, holds = holds)
        };
        let message = match wanted {
            Some(v) if !versions.contains(&v) => {
                let newest = versions.iter().copied().max().unwrap_or(0);
                let what = if v > newest {
                    msg!("e-key_sealed_newer", source = source, v = v)
                } else {
                    msg!("e-key_sealed_older", source = source, v = v)
                };
                let kept = self
                    .file
                    .as_deref()
                    .map(|p| files::with_suffix(p, &format!(".{v}")))
                    .filter(|p| p.exists());
                match (&self.env, kept) {
                    (Some(_), _) => msg!("e-key_want_env", what = what, v = v, file = file),
                    (None, Some(k)) => msg!(
                        "e-key_want_kept",
                        what = what,
                        v = v,
                        kept = k.display(),
                        file = file
                    ),
                    (None, None) => msg!("e-key_want_restore", what = what),
                }
            }
            _ if self.env.is_some() => msg!("e-key_env_opens_nothing", file = file),
            _ => msg!("e-key_file_opens_nothing", file = file),
        };
        // The key file's troubles are the operator's, in the desk's words.
        key_error(self.file.as_deref(), message)
    }

    fn missing(&self) -> Error {
        if self.file.is_none() {
            return key_error(
                None,
                crate::text::msg!("e-national_ids_in_a_server_database_are"),
            );
        }
        let file = self.file_name();
        key_error(
            self.file.as_deref(),
            crate::text::msg!("e-key_file_missing", file = file),
        )
    }

    /// The key file's path, or a word saying that there is none.
    fn file_name(&self) -> crate::text::Arg {
        match self.file.as_deref() {
            Some(p) => crate::text::Arg::Text(p.display().to_string()),
            None => crate::text::msg!("e-key_no_file").into(),
        }
    }
}

#[cfg(test)]
mod tests;
