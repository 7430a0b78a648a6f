//! The `webhooks` table, and reading the event log after a webhook's cursor.

use super::db::{On, Table, ToVal};
use super::db::{Row, Tx};
use super::events::Event;
use super::stored::{col, opt, Kind, Layout};
use super::{by_id, epoch, resolve, Lookup};
use crate::args;
use crate::core::{secrets, EventKind};
use crate::error::Result;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// None: every event type.
    pub events: Option<Vec<String>>,
    pub secret: Option<String>,
    pub cursor: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub delivered: i64,
    pub created_at: DateTime<Utc>,
    /// Added with `--clinical`: it receives the whole appointment object;
    /// otherwise the message view (docs/security.md#what-leaves-appt).
    pub clinical: bool,
}

impl Webhook {
    /// The URL as it may be shown: a password in it masked (`user:***@host`).
    pub fn shown_url(&self) -> String {
        secrets::mask_url(&self.url)
    }

    /// The last delivery error as it may be shown: one recorded by an older
    /// appt may quote the URL, password and all.
    pub fn shown_error(&self) -> Option<String> {
        self.last_error
            .as_deref()
            .map(|e| secrets::scrub(e, &self.url))
    }
}

pub const COLS: &str =
    "id, url, events, secret, cursor, attempts, next_attempt_at, claimed_until, last_error, delivered, created_at, clinical";
const LOOKUP: Lookup = Lookup {
    table: Table::Webhooks,
    also: &[],
    what: crate::error::Entity::Webhook,
    by_name: false,
    filter: "",
    label: "url",
    suggest: false,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "webhooks",
    id: "id",
    cols: &[
        opt("next_attempt_at", Kind::Instant),
        opt("claimed_until", Kind::Instant),
        col("created_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Webhook> {
    let f = r.of("webhooks", 0)?;
    let events: Option<String> = f.get(2)?;
    Ok(Webhook {
        id: f.id().to_string(),
        url: f.get(1)?,
        events: events.map(|e| e.split(',').map(str::to_string).collect()),
        secret: f.get(3)?,
        cursor: f.get(4)?,
        attempts: f.get(5)?,
        next_attempt_at: f.opt_instant(6)?,
        claimed_until: f.opt_instant(7)?,
        last_error: f.get(8)?,
        delivered: f.get(9)?,
        created_at: f.instant(10)?,
        clinical: f.get(11)?,
    })
}

/// Adds a webhook that will see only events recorded from now on.
pub fn insert(conn: &Tx, w: &mut Webhook) -> Result<()> {
    w.cursor = conn.one(
        On::reads(&[Table::Events]),
        "SELECT coalesce(max(id), 0) FROM events",
        args![],
    )?;
    conn.exec(
        On::writes(&[Table::Webhooks]),
        &format!("INSERT INTO webhooks ({COLS}) VALUES (?1,?2,?3,?4,?5,0,NULL,NULL,NULL,0,?6,?7)"),
        args![
            w.id,
            w.url,
            w.events.as_ref().map(|e| e.join(",")),
            w.secret,
            w.cursor,
            epoch(w.created_at),
            w.clinical
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Tx, id: &str) -> Result<Webhook> {
    by_id(
        conn,
        On::reads(&[Table::Webhooks]),
        &format!("SELECT {COLS} FROM webhooks WHERE id = ?1"),
        id.to_val(),
        crate::error::Entity::Webhook,
        from_row,
    )
}

pub fn find(conn: &Tx, input: &str) -> Result<Webhook> {
    let id = resolve(conn, &LOOKUP, input).map_err(|mut e| {
        // Several matched: their URLs are listed, each without its password.
        if let Some(list) = e
            .details
            .get_mut("candidates")
            .and_then(|c| c.as_array_mut())
        {
            for c in list {
                if let Some(url) = c["name"].as_str() {
                    c["name"] = secrets::mask_url(url).into();
                }
            }
        }
        e
    })?;
    get(conn, &id)
}

pub fn list(conn: &Tx) -> Result<Vec<Webhook>> {
    conn.rows(
        On::reads(&[Table::Webhooks]),
        &format!("SELECT {COLS} FROM webhooks ORDER BY created_at, id"),
        args![],
        from_row,
    )
}

pub fn remove(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Webhooks]),
        "DELETE FROM webhooks WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

/// Claims the webhook for one run until `until`, unless another run holds it or
/// its retry time has not come. Returns the claimed webhook.
pub fn claim(
    conn: &Tx,
    id: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<Webhook>> {
    let w = get(conn, id)?;
    let busy =
        w.claimed_until.is_some_and(|t| t > now) || w.next_attempt_at.is_some_and(|t| t > now);
    if busy {
        return Ok(None);
    }
    conn.exec(
        On::writes(&[Table::Webhooks]),
        "UPDATE webhooks SET claimed_until = ?2 WHERE id = ?1",
        args![id, epoch(until)],
    )?;
    Ok(Some(w))
}

/// The first event after the cursor of a type the webhook subscribes to
/// (its names kept as given, the events' types by their numbers).
pub fn next_event(conn: &Tx, w: &Webhook) -> Result<Option<Event>> {
    let types = w.events.as_ref().map(|e| {
        e.iter()
            .filter_map(|name| EventKind::parse(name))
            .map(|k| k.code().to_string())
            .collect::<Vec<_>>()
            .join(",")
    });
    conn.row(
        On::reads(&[Table::Events]),
        &format!(
            "SELECT {} FROM events WHERE id > ?1 \
             AND (CAST(?2 AS TEXT) IS NULL OR ',' || ?2 || ',' LIKE '%,' || type || ',%') ORDER BY id LIMIT 1",
            super::events::COLS
        ),
        args![w.cursor, types],
        super::events::from_row,
    )
}

pub fn delivered(conn: &Tx, id: &str, event_id: i64) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Webhooks]),
        "UPDATE webhooks SET cursor = ?2, attempts = 0, next_attempt_at = NULL, last_error = NULL, \
         delivered = delivered + 1 WHERE id = ?1",
        args![id, event_id],
    )?;
    Ok(())
}

pub fn failed(conn: &Tx, id: &str, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Webhooks]),
        "UPDATE webhooks SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3, claimed_until = NULL \
         WHERE id = ?1",
        args![id, error, epoch(retry_at)],
    )?;
    Ok(())
}

pub fn release(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Webhooks]),
        "UPDATE webhooks SET claimed_until = NULL WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}
