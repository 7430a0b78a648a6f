//! The `patient_links` table and the link key (docs/security.md#patient-links).
//! A link names its target by a random nonce; the token a patient holds is
//! the nonce and its HMAC under the link key, which is kept apart from the
//! database: `$APPT_LINK_KEY`, else the file `<database>.link-key` beside a
//! database file, made the first time a link is.

use super::db::{marks, On, Table, ToVal, Tx, Val};
use super::stored::{col, Kind, Layout};
use super::{epoch, files, keys};
use crate::args;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

/// A link's target is an appointment's ID or a message's, kept as its 16
/// bytes either way (docs/performance.md#footprint).
pub const COLS: &str = "nonce, kind, target_id, created_at";

/// What a link may name: an appointment, or a waitlist offer's message.
pub const KINDS: [&str; 2] = ["appointment", "offer"];

/// The variable that holds the link key (required on a server database).
pub const ENV: &str = "APPT_LINK_KEY";

/// The columns appt parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "patient_links",
    id: "nonce",
    cols: &[
        col("kind", Kind::OneOf(&KINDS)),
        col("created_at", Kind::Instant),
    ],
    rules: &[],
};

/// The nonce (hex) of the link to `kind`/`target`, if one was made.
pub fn nonce_of(tx: &Tx, kind: &str, target: &str) -> Result<Option<String>> {
    tx.row(
        On::reads(&[Table::PatientLinks]),
        "SELECT nonce FROM patient_links WHERE kind = ?1 AND target_id = ?2",
        args![kind, super::db::id(target)],
        |r| r.get(0),
    )
}

pub fn insert(tx: &Tx, nonce: &str, kind: &str, target: &str, now: DateTime<Utc>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::PatientLinks]),
        &format!("INSERT INTO patient_links ({COLS}) VALUES (?1, ?2, ?3, ?4)"),
        args![nonce, kind, super::db::id(target), epoch(now)],
    )?;
    Ok(())
}

/// A link as a patient's export shows it: what it names and when it was
/// made, never its nonce (with the link key, the token itself).
#[derive(Debug, Clone)]
pub struct Issued {
    pub kind: String,
    pub target_id: String,
    pub created_at: DateTime<Utc>,
}

/// The links made to the targets `ids` (whole IDs) of `kind`, oldest first.
pub fn issued(tx: &Tx, kind: &str, ids: &[&str]) -> Result<Vec<Issued>> {
    let mut found = tx.rows_in_ids(
        On::reads(&[Table::PatientLinks]),
        "SELECT kind, target_id, created_at FROM patient_links \
         WHERE kind = ?1 AND target_id IN ({keys})",
        &[kind.to_val()],
        ids,
        |r| {
            let f = r.of("patient_links", 1)?;
            Ok(Issued {
                kind: f.get(0)?,
                target_id: f.get(1)?,
                created_at: f.instant(2)?,
            })
        },
    )?;
    found.sort_by(|a, b| (a.created_at, &a.target_id).cmp(&(b.created_at, &b.target_id)));
    Ok(found)
}

/// How many links of `kind` name one of `targets` (a purge's dry run).
pub fn count_to(tx: &Tx, kind: &str, targets: &[&str]) -> Result<usize> {
    if targets.is_empty() {
        return Ok(0);
    }
    let n: i64 = tx.one(
        On::reads(&[Table::PatientLinks]),
        &format!(
            "SELECT count(*) FROM patient_links WHERE kind = ?1 AND target_id IN ({})",
            marks(2, targets.len())
        ),
        &to_args(kind, targets),
    )?;
    Ok(usize::try_from(n).unwrap_or_default())
}

/// Deletes the links of `kind` to `targets` (a purge's: the visit is over,
/// the offer gone); returns how many went.
pub fn delete_to(tx: &Tx, kind: &str, targets: &[&str]) -> Result<usize> {
    if targets.is_empty() {
        return Ok(0);
    }
    tx.exec(
        On::writes(&[Table::PatientLinks]),
        &format!(
            "DELETE FROM patient_links WHERE kind = ?1 AND target_id IN ({})",
            marks(2, targets.len())
        ),
        &to_args(kind, targets),
    )
}

fn to_args(kind: &str, targets: &[&str]) -> Vec<Val> {
    std::iter::once(kind.to_val())
        .chain(super::db::ids(targets))
        .collect()
}

/// The target (kind, ID) the link of `nonce` names, if there is one.
pub fn target_of(tx: &Tx, nonce: &str) -> Result<Option<(String, String)>> {
    tx.row(
        On::reads(&[Table::PatientLinks]),
        "SELECT kind, target_id FROM patient_links WHERE nonce = ?1",
        args![nonce],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The link key of the database `tx` is on: `$APPT_LINK_KEY`, else the
/// key file beside a database file (made when missing); a database in
/// memory has one for the life of the process. Never shown anywhere.
pub fn key(tx: &Tx) -> Result<[u8; 32]> {
    if let Some(text) = std::env::var_os(ENV) {
        return text.to_str().and_then(keys::parse_link_key).ok_or_else(|| {
            Error::field(ENV, crate::text::msg!("e-appt_link_key_must_be"))
                .hint(crate::text::msg!("e-make_a_link_key"))
        });
    }
    match tx.sqlite_file() {
        Some(path) if !path.is_empty() => keys::link_key_file(&files::with_suffix(
            std::path::Path::new(&path),
            ".link-key",
        )),
        Some(_) => {
            static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
            Ok(*KEY.get_or_init(keys::random))
        }
        None => Err(Error::database(crate::text::msg!("e-server_link_key"))
            .hint(crate::text::msg!("e-make_a_link_key"))),
    }
}
