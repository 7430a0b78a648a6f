//! The `api_tokens` table: the API tokens `appt serve` accepts
//! (docs/security.md#api-tokens). A token itself is never stored, only its
//! SHA-256 (hex), by which a request's token is found, and its first 8
//! characters. A revoked token stays, marked with when it was revoked.
//! (The `tokens` table is another thing: the queue's numbers of a day.)

use super::columns::{self, place};
use super::db::{On, Table};
use super::db::{Row, Tx};
use super::epoch;
use super::stored::{col, opt, Kind, Layout};
use crate::args;
use crate::core::access::Scope;
use crate::core::staff::{Person, Role, ROLES};
use crate::error::Result;
use chrono::{DateTime, Utc};

/// One API token as it may be shown: never the token, never its hash.
#[derive(Debug, Clone)]
pub struct Token {
    pub id: String,
    pub name: String,
    /// The token's first 8 characters (`appt_` and 3 more).
    pub prefix: String,
    pub scopes: Vec<Scope>,
    /// The one clinic it sees; `None`: every clinic.
    pub clinic_id: Option<String>,
    /// That clinic's name, to show.
    pub clinic: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The member of staff it is tied to (`token add --staff`), as they
    /// are now: it never does more than their role allows.
    pub staff_id: Option<String>,
    pub staff: Option<Person>,
}

pub const COLS: &str = "id, name, prefix, hash, scopes, clinic_id, created_at, expires_at, \
                        last_used_at, revoked_at, staff_id";

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "api_tokens",
    id: "id",
    cols: &[
        col("scopes", Kind::Scopes),
        col("created_at", Kind::Instant),
        opt("expires_at", Kind::Instant),
        opt("last_used_at", Kind::Instant),
        opt("revoked_at", Kind::Instant),
    ],
    rules: &[],
};

/// A token's row, its clinic's name and its member of staff, read by
/// [`from_row`]. What [`select`] reads.
const SELECTED: On = On::reads(&[Table::ApiTokens, Table::Clinics, Table::Staff]);

/// What [`from_row`] reads after the token's own columns.
const JOINED: &str = "c.name, s.name, s.role, s.doctor_id";

/// The joins [`JOINED`] reads through.
const JOINS: &str =
    "LEFT JOIN clinics c ON c.id = t.clinic_id LEFT JOIN staff s ON s.id = t.staff_id";

fn select(filter: &str) -> String {
    format!(
        "SELECT {}, {JOINED} FROM api_tokens t {JOINS} {filter}",
        columns::under("t", COLS)
    )
}

fn from_row(r: &Row) -> Result<Token> {
    let f = r.of("api_tokens", place!(COLS, "id"))?;
    let at = const { columns::count(COLS) };
    let staff = match f.get::<Option<String>>(at + 1)? {
        Some(name) => Some(Person {
            name,
            role: f.named(at + 2, &ROLES, Role::parse)?,
            doctor_id: f.get(at + 3)?,
            os_user: None,
        }),
        None => None,
    };
    Ok(Token {
        id: f.id().to_string(),
        name: f.get(place!(COLS, "name"))?,
        prefix: f.get(place!(COLS, "prefix"))?,
        scopes: f.scopes(place!(COLS, "scopes"))?,
        clinic_id: f.get(place!(COLS, "clinic_id"))?,
        clinic: f.get(at)?,
        created_at: f.instant(place!(COLS, "created_at"))?,
        expires_at: f.opt_instant(place!(COLS, "expires_at"))?,
        last_used_at: f.opt_instant(place!(COLS, "last_used_at"))?,
        revoked_at: f.opt_instant(place!(COLS, "revoked_at"))?,
        staff_id: f.get(place!(COLS, "staff_id"))?,
        staff,
    })
}

/// `appointments:read,clinical`, as stored.
fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Adds a token, kept as its hash (hex SHA-256 of the whole token).
pub fn insert(tx: &Tx, t: &Token, hash: &str) -> Result<()> {
    tx.exec(
        On::writes(&[Table::ApiTokens]),
        &format!("INSERT INTO api_tokens ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,NULL,NULL,?9)"),
        args![
            t.id,
            t.name,
            t.prefix,
            hash,
            scopes_text(&t.scopes),
            super::db::maybe_id(t.clinic_id.as_deref()),
            epoch(t.created_at),
            t.expires_at,
            t.staff_id
        ],
    )?;
    Ok(())
}

/// The token of this name that is not revoked, if any.
pub fn active_by_name(tx: &Tx, name: &str) -> Result<Option<Token>> {
    tx.row(
        SELECTED,
        &select("WHERE t.name = ?1 AND t.revoked_at IS NULL"),
        args![name],
        from_row,
    )
}

/// The tokens not revoked whose kept prefix (the token's first characters,
/// as `token list` shows them) is this one, oldest first.
pub fn active_by_prefix(tx: &Tx, prefix: &str) -> Result<Vec<Token>> {
    tx.rows(
        SELECTED,
        &select("WHERE t.prefix = ?1 AND t.revoked_at IS NULL ORDER BY t.created_at, t.id"),
        args![prefix],
        from_row,
    )
}

/// The token whose hash this is (revoked and expired ones too, one look-up
/// in the unique index on the hash), and how many authentications from `address` failed after
/// `since` and when the oldest of them was: one statement (always a row),
/// so that a request's token and its address's limit cost one round trip.
pub fn by_hash_from(
    tx: &Tx,
    hash: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<(Option<Token>, i64, Option<DateTime<Utc>>)> {
    let at = const { columns::count(COLS) + 4 };
    let found = tx.row(
        On::reads(&[
            Table::ApiTokens,
            Table::Clinics,
            Table::Staff,
            Table::AuthFailures,
        ]),
        &format!(
            "SELECT {}, {JOINED}, f.n, f.oldest FROM \
             (SELECT count(*) AS n, min(at) AS oldest FROM auth_failures \
              WHERE address = ?2 AND at > ?3) f \
             LEFT JOIN api_tokens t ON t.hash = ?1 {JOINS}",
            columns::under("t", COLS)
        ),
        args![hash, address, epoch(since)],
        |r| {
            let token = match r.get::<Option<String>>(0)? {
                Some(_) => Some(from_row(r)?),
                None => None,
            };
            let oldest: Option<i64> = r.get(at + 1)?;
            Ok((
                token,
                r.get::<i64>(at)?,
                oldest.and_then(|s| DateTime::from_timestamp(s, 0)),
            ))
        },
    )?;
    Ok(found.unwrap_or((None, 0, None)))
}

/// Every token, revoked ones too, oldest first.
pub fn list(tx: &Tx) -> Result<Vec<Token>> {
    tx.rows(
        SELECTED,
        &select("ORDER BY t.created_at, t.name, t.id"),
        args![],
        from_row,
    )
}

pub fn revoke(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::ApiTokens]),
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        args![id, epoch(now)],
    )?;
    Ok(())
}

/// Records that the token was used at `now`, unless that was recorded less
/// than `every` seconds ago (by this process or another): whether it wrote.
pub fn touch(tx: &Tx, id: &str, now: DateTime<Utc>, every: i64) -> Result<bool> {
    let n = tx.exec(
        On::writes(&[Table::ApiTokens]),
        "UPDATE api_tokens SET last_used_at = ?2 \
         WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?3)",
        args![id, epoch(now), epoch(now) - every],
    )?;
    Ok(n > 0)
}
