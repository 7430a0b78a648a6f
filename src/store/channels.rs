//! The `channels` table: a clinic's channels, in its fallback order. What
//! may be shown is a JSON object (`settings`); the secrets are one JSON
//! object sealed under the database's key, bound to the channel's ID
//! (`keys::Keyring::seal_secrets`), and opened only to send.

use super::db::{On, Table};
use super::db::{Row, Tx};
use super::keys::{Keyring, Unopened};
use super::stored::{col, Kind, Layout};
use super::{epoch, name_key};
use crate::args;
use crate::core::channel::{Secrets, Settings, KINDS};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

/// A channel as stored: its secrets still sealed. (No `Debug` of the
/// secrets: they are sealed bytes here, and opened only by [`Stored::open`].)
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    pub clinic_id: String,
    pub name: String,
    pub position: i64,
    pub settings: Settings,
    pub sealed: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

impl Stored {
    /// Its secrets, opened with `ring`; `DATABASE_ERROR` naming the channel
    /// when they do not open (never the bytes).
    pub fn open(&self, ring: &Keyring) -> Result<Secrets> {
        let damaged =
            |why: crate::text::Msg| super::stored::damaged("channels", &self.id, "secrets", why);
        let plain = ring
            .open_secrets(&self.id, &self.sealed)
            .map_err(|why| damaged(why.describe()))?;
        serde_json::from_str(&plain).map_err(|_| damaged(Unopened::Damaged.describe()))
    }
}

pub const COLS: &str =
    "id, clinic_id, name, name_key, kind, position, settings, secrets, created_at";

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "channels",
    id: "id",
    cols: &[
        col("kind", Kind::OneOf(&KINDS)),
        col("settings", Kind::Json),
        col("created_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Stored> {
    let f = r.of("channels", 0)?;
    let kind = f.one_of(4, &KINDS)?;
    let settings: Settings = serde_json::from_value(f.json(6)?)
        .ok()
        .filter(|s: &Settings| s.kind().as_str() == kind)
        .ok_or_else(|| f.damaged(6, crate::text::msg!("e-channel_settings_damaged")))?;
    Ok(Stored {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        name: f.get(2)?,
        position: f.get(5)?,
        settings,
        sealed: f.get(7)?,
        created_at: f.instant(8)?,
    })
}

/// Whether any channel is stored (its secrets sealed under the key).
pub fn any(conn: &Tx) -> Result<bool> {
    let one: Option<i64> = conn.row(
        On::reads(&[Table::Channels]),
        "SELECT 1 FROM channels LIMIT 1",
        args![],
        |r| r.get(0),
    )?;
    Ok(one.is_some())
}

/// Adds a channel last in its clinic's order; a name the clinic has
/// already (case and accents aside) is refused.
pub fn insert(conn: &Tx, c: &mut Stored) -> Result<()> {
    if by_name(conn, &c.clinic_id, &c.name)?.is_some() {
        return Err(Error::field(
            "name",
            crate::text::msg!(
                "e-a_named_already_exists",
                a = "channel",
                name = c.name.clone()
            ),
        ));
    }
    c.position = conn.one(
        On::reads(&[Table::Channels]),
        "SELECT coalesce(max(position), 0) + 1 FROM channels WHERE clinic_id = ?1",
        args![c.clinic_id],
    )?;
    let settings = serde_json::to_string(&c.settings)
        .map_err(|e| Error::internal(crate::text::Msg::verbatim(e.to_string())))?;
    conn.exec(
        On::writes(&[Table::Channels]),
        &format!("INSERT INTO channels ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        args![
            c.id,
            c.clinic_id,
            c.name,
            name_key(&c.name),
            c.settings.kind().as_str(),
            c.position,
            settings,
            c.sealed,
            epoch(c.created_at)
        ],
    )?;
    Ok(())
}

/// A clinic's channels in its order.
pub fn list(conn: &Tx, clinic_id: &str) -> Result<Vec<Stored>> {
    conn.rows(
        On::reads(&[Table::Channels]),
        &format!("SELECT {COLS} FROM channels WHERE clinic_id = ?1 ORDER BY position, name_key"),
        args![clinic_id],
        from_row,
    )
}

/// The clinic's channel of this name (case and accents aside).
pub fn by_name(conn: &Tx, clinic_id: &str, name: &str) -> Result<Option<Stored>> {
    conn.row(
        On::reads(&[Table::Channels]),
        &format!("SELECT {COLS} FROM channels WHERE clinic_id = ?1 AND name_key = ?2"),
        args![clinic_id, name_key(name)],
        from_row,
    )
}

/// The clinic's channel of this name, or `NOT_FOUND`.
pub fn find(conn: &Tx, clinic_id: &str, name: &str) -> Result<Stored> {
    by_name(conn, clinic_id, name)?.ok_or_else(|| Error::not_found(crate::error::Entity::Channel))
}

pub fn remove(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Channels]),
        "DELETE FROM channels WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

pub fn set_position(conn: &Tx, id: &str, position: i64) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Channels]),
        "UPDATE channels SET position = ?2 WHERE id = ?1",
        args![id, position],
    )?;
    Ok(())
}

fn set_sealed(conn: &Tx, id: &str, sealed: &[u8]) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Channels]),
        "UPDATE channels SET secrets = ?2 WHERE id = ?1",
        args![id, sealed],
    )?;
    Ok(())
}

/// Every channel's secrets opened with `from` and sealed again with `to`
/// (`key rotate`), in the caller's transaction; returns (sealed again,
/// left as they were because `from` did not open them).
pub fn reseal_all(conn: &Tx, from: &Keyring, to: &Keyring) -> Result<(u64, u64)> {
    let (mut done, mut unreadable) = (0, 0);
    for (id, sealed) in sealed_all(conn)? {
        match from.open_secrets(&id, &sealed) {
            Ok(plain) => {
                set_sealed(conn, &id, &to.seal_secrets(&id, &plain)?)?;
                done += 1;
            }
            Err(_) => unreadable += 1,
        }
    }
    Ok((done, unreadable))
}

/// Each channel whose secrets `ring` does not open, and why (`check`).
pub fn unopened(conn: &Tx, ring: &Keyring) -> Result<Vec<(String, Unopened)>> {
    Ok(sealed_all(conn)?
        .into_iter()
        .filter_map(|(id, s)| ring.open_secrets(&id, &s).err().map(|why| (id, why)))
        .collect())
}

/// Every channel's ID and sealed secrets (a clinic has a handful).
fn sealed_all(conn: &Tx) -> Result<Vec<(String, Vec<u8>)>> {
    conn.rows(
        On::reads(&[Table::Channels]),
        "SELECT id, secrets FROM channels ORDER BY id",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Every clinic's channels of `kind`, in each clinic's order.
pub fn of_kind(conn: &Tx, kind: &str) -> Result<Vec<Stored>> {
    conn.rows(
        On::reads(&[Table::Channels]),
        &format!(
            "SELECT {COLS} FROM channels WHERE kind = ?1 ORDER BY clinic_id, position, name_key"
        ),
        args![kind],
        from_row,
    )
}
