//! The `channels` table: a clinic's channels, in its fallback order. What
//! may be shown is a JSON object (`settings`); the secrets are one JSON
//! object sealed under the database's key, bound to the channel's ID
//! (`keys::Keyring::seal_secrets`), and opened only to send.

use super::db::{On, Table};
use super::db::{Row as DbRow, Tx};
use super::findings::{DamageRow, Row, Violation};
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

fn from_row(r: &DbRow) -> Result<Stored> {
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

/// Whether any row of [`SEALED`] (a channel, a doctor's own calendar) is
/// stored, its secrets sealed under the key.
pub fn any_secrets(conn: &Tx) -> Result<bool> {
    for table in SEALED {
        let one: Option<i64> = conn.row(
            On::reads(table.alone()),
            &format!("SELECT 1 FROM {} LIMIT 1", table.name()),
            args![],
            |r| r.get(0),
        )?;
        if one.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
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
        args![super::db::id(&c.clinic_id)],
    )?;
    let settings = serde_json::to_string(&c.settings)
        .map_err(|e| Error::internal(crate::text::Msg::verbatim(e.to_string())))?;
    conn.exec(
        On::writes(&[Table::Channels]),
        &format!("INSERT INTO channels ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        args![
            c.id,
            super::db::id(&c.clinic_id),
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
        args![super::db::id(clinic_id)],
        from_row,
    )
}

/// The clinic's channel of this name (case and accents aside).
pub fn by_name(conn: &Tx, clinic_id: &str, name: &str) -> Result<Option<Stored>> {
    conn.row(
        On::reads(&[Table::Channels]),
        &format!("SELECT {COLS} FROM channels WHERE clinic_id = ?1 AND name_key = ?2"),
        args![super::db::id(clinic_id), name_key(name)],
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

/// The tables whose `secrets` column is sealed as a channel's is (bound
/// to the row's ID under the secrets' context): the channels', and the
/// doctors' own calendars'.
pub const SEALED: [Table; 2] = [Table::Channels, Table::Calendars];

fn set_sealed(conn: &Tx, table: Table, id: &str, sealed: &[u8]) -> Result<()> {
    conn.exec(
        On::writes(table.alone()),
        &format!("UPDATE {} SET secrets = ?2 WHERE id = ?1", table.name()),
        args![id, sealed],
    )?;
    Ok(())
}

/// Every row's secrets of `table` (one of [`SEALED`]) opened with `from`
/// and sealed again with `to` (`key rotate`), in the caller's
/// transaction; returns (sealed again, left as they were because `from`
/// did not open them).
pub fn reseal_all(conn: &Tx, table: Table, from: &Keyring, to: &Keyring) -> Result<(u64, u64)> {
    let (mut done, mut unreadable) = (0, 0);
    for (id, sealed) in sealed_all(conn, table)? {
        match from.open_secrets(&id, &sealed) {
            Ok(plain) => {
                set_sealed(conn, table, &id, &to.seal_secrets(&id, &plain)?)?;
                done += 1;
            }
            Err(_) => unreadable += 1,
        }
    }
    Ok((done, unreadable))
}

/// Each row of `table` (one of [`SEALED`]) whose secrets `ring` does not
/// open, and why (`check`).
pub fn unopened(conn: &Tx, table: Table, ring: &Keyring) -> Result<Vec<(String, Unopened)>> {
    Ok(sealed_all(conn, table)?
        .into_iter()
        .filter_map(|(id, s)| ring.open_secrets(&id, &s).err().map(|why| (id, why)))
        .collect())
}

/// Every row's ID and sealed secrets (a clinic has a handful).
fn sealed_all(conn: &Tx, table: Table) -> Result<Vec<(String, Vec<u8>)>> {
    conn.rows(
        On::reads(table.alone()),
        &format!("SELECT id, secrets FROM {} ORDER BY id", table.name()),
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

/// `check`: every channel's and calendar's secrets open, for their own
/// row, under the database's key; one that does not is reported with its channel (never
/// the sealed bytes).
pub fn check_secrets(conn: &Tx, ring: &Keyring) -> Result<Vec<Violation>> {
    let mut found = Vec::new();
    for table in SEALED {
        let bad = unopened(conn, table, ring)?;
        if bad.is_empty() {
            continue;
        }
        let rows: Vec<Row> = bad
            .into_iter()
            .map(|(id, why)| {
                Row::Damage(DamageRow {
                    table: table.name(),
                    id,
                    column: "secrets",
                    value: None,
                    problem: why.describe(),
                })
            })
            .collect();
        found.push(Violation {
            check: "channel_secret",
            message: match table {
                Table::Calendars => {
                    crate::text::msg!("e-calendar_secrets_unreadable", n = rows.len())
                }
                _ => crate::text::msg!("e-channel_secrets_unreadable", n = rows.len()),
            },
            rows,
        });
    }
    Ok(found)
}
