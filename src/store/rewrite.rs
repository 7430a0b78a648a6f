//! The events' and the messages' stored form rewritten in batches, one
//! transaction each; how far a rewriting got is kept (in `meta`, or as the
//! copy's last row), so an upgrade killed half-way goes on from there, and
//! the database is whole after every batch.
//!
//! - Schema 21 ([`batch`]): the events an older appt stored whole (the
//!   appointment object with its patient's name and phone, at every change)
//!   rewritten in the form appt stores now (docs/rules.md#events); the
//!   events are read in either form meanwhile.
//! - Schema 50 ([`slim_bookings`]): a booking's event stops storing the
//!   fields it set: the row as it is now, every later change undone
//!   through the `was` each change stores, is the row as booked.
//! - Schema 56 ([`number_types`]): the events copied into a table that
//!   stores each one's type as its number, a batch at a time; the table
//!   copied into is its own cursor.
//! - Schema 57 ([`number_messages`]): the messages copied the same way,
//!   each one's status and kind as its number.
//! - Schema 58 ([`message_ids`]): the messages copied again, each one's
//!   ID as its 16 bytes.

use super::db::{Backend, On, Table, Tx};
use super::events::{self, Event};
use super::meta;
use crate::args;
use crate::core::changes::{self, Unreadable};
use crate::core::message::{Kind as MessageKind, Status as MessageStatus};
use crate::core::EventKind;
use crate::error::Result;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Events looked at per transaction.
const BATCH: i64 = 2_000;

/// Where the rewriting got to: the last event ID looked at.
const CURSOR: &str = "events_rewritten";

/// Where rewriting `key` got to: the last event ID it looked at.
fn cursor(tx: &Tx, key: &str) -> Result<i64> {
    Ok(meta::value(tx, key)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Keeps where rewriting `key` got to, or (None: done) forgets it. True
/// when done.
fn keep_cursor(tx: &Tx, key: &str, at: Option<i64>) -> Result<bool> {
    match at {
        Some(at) => meta::set(tx, key, &at.to_string())?,
        None => meta::forget(tx, key)?,
    }
    Ok(at.is_none())
}

/// The events' columns as [`events::from_row`] parses them, as the table
/// has them at schema 21: the account beside a member of staff (`os_user`)
/// came with schema 55, and the types stored as numbers with schema 56,
/// after this rewriting runs.
fn cols_21() -> String {
    format!(
        "id, {} AS type, appointment_id, created_at, data, actor, NULL",
        super::coded::code_of_name::<EventKind>("type")
    )
}

/// Rewrites the next batch; true once there is nothing left (the cursor is
/// then removed: the schema version says it is done).
pub fn batch(tx: &Tx) -> Result<bool> {
    let cursor = cursor(tx, CURSOR)?;
    let page = tx.rows(
        On::reads(&[Table::Events]),
        &format!(
            "SELECT {} FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
            cols_21()
        ),
        args![cursor, BATCH],
        events::from_row,
    )?;
    let (n, last) = (page.len() as i64, page.last().map_or(cursor, |e| e.id));
    let whole: Vec<&str> = page
        .iter()
        .filter(|e| stored_whole(&e.data))
        .filter_map(|e| e.appointment_id.as_deref())
        .collect();
    // Every event of those appointments: a change's previous values are
    // the difference from the event before it, whichever batch it is in.
    let mut chains: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    let of_them = tx.rows_in(
        On::reads(&[Table::Events]),
        &format!(
            "SELECT {} FROM events WHERE appointment_id IN ({{keys}})",
            cols_21()
        ),
        &[],
        &whole,
        events::from_row,
    )?;
    for e in of_them {
        chains
            .entry(e.appointment_id.clone().unwrap_or_default())
            .or_default()
            .push(e);
    }
    for chain in chains.values_mut() {
        chain.sort_by_key(|e| e.id);
        rewrite_chain(tx, chain)?;
    }
    keep_cursor(tx, CURSOR, (n == BATCH).then_some(last))
}

/// Events a batch of schema 50 looks at.
const SLIM_BATCH: i64 = 20_000;

/// Where schema 50 got to: the last event ID looked at.
const SLIMMED: &str = "bookings_slimmed";

/// Takes the next batch of events' bookings out of their `set` (schema
/// 50); true once there is nothing left (the cursor is then removed).
/// Only a booking holding a `set` is rewritten; what else it holds (a
/// renamed patient's previous name) stays.
pub fn slim_bookings(tx: &Tx) -> Result<bool> {
    let after = cursor(tx, SLIMMED)?;
    let (n, last) = tx
        .row(
            On::reads(&[Table::Events]),
            "SELECT count(*), max(id) FROM \
             (SELECT id FROM events WHERE id > ?1 ORDER BY id LIMIT ?2) AS b",
            args![after, SLIM_BATCH],
            |r| Ok((r.get::<i64>(0)?, r.get::<Option<i64>>(1)?)),
        )?
        .unwrap_or((0, None));
    let Some(last) = last else {
        return keep_cursor(tx, SLIMMED, None);
    };
    let (without_set, with_set) = match tx.backend() {
        Backend::Sqlite => (
            "json_remove(data, '$.set')",
            "json_type(data, '$.set') IS NOT NULL",
        ),
        Backend::Postgres => (
            "(data::jsonb - 'set')::text",
            "(data::jsonb -> 'set') IS NOT NULL",
        ),
    };
    tx.exec(
        On::writes(&[Table::Events]),
        &format!(
            "UPDATE events SET data = {without_set} \
             WHERE id > ?1 AND id <= ?2 AND type = ?3 AND {with_set}"
        ),
        // The types are names until schema 56.
        args![after, last, EventKind::Booked.as_str()],
    )?;
    keep_cursor(tx, SLIMMED, (n == SLIM_BATCH).then_some(last))
}

/// Whether an event's data is as an older appt stored it: a whole
/// appointment object, or an offer's whole waitlist entry.
fn stored_whole(data: &Value) -> bool {
    data.get("appointment").is_some()
        || data
            .get("waitlist")
            .is_some_and(|w| w.get("patient").is_some())
}

/// Rewrites the events of one appointment stored whole, oldest first.
fn rewrite_chain(tx: &Tx, chain: &[Event]) -> Result<()> {
    let mut before: Option<Map<String, Value>> = None;
    for e in chain {
        let Value::Object(data) = &e.data else {
            continue;
        };
        if !stored_whole(&e.data) {
            continue;
        }
        let bad = |f: Unreadable| {
            super::stored::damaged(
                "events",
                &e.id.to_string(),
                "data",
                crate::text::msg!("e-holds_appt_cannot_read_back", a = f.0),
            )
        };
        let mut new = data.clone();
        if let Some(Value::Object(object)) = new.remove("appointment") {
            if e.kind == EventKind::Booked {
                let set = changes::set_of_object(&object, e.created_at).map_err(bad)?;
                new.insert("set".into(), Value::Object(set));
            } else {
                // A first event that is a change: nothing before it to undo.
                let was = match &before {
                    Some(b) => changes::was_of_objects(b, &object).map_err(bad)?,
                    None => Map::new(),
                };
                new.insert("was".into(), Value::Object(was));
            }
            new.remove("previous");
            before = Some(object);
        }
        if let Some(Value::Object(entry)) = new.get_mut("waitlist") {
            for k in ["patient", "doctor", "service"] {
                entry.remove(k);
            }
        }
        tx.exec(
            On::writes(&[Table::Events]),
            "UPDATE events SET data = ?2 WHERE id = ?1",
            args![e.id, Value::Object(new).to_string()],
        )?;
    }
    Ok(())
}

/// Events copied per transaction by schema 56.
const NUMBER_BATCH: i64 = 20_000;

/// The table schema 56 copies the events into, until it takes their name.
const NUMBERED: &str = "events_56";

/// Copies the next batch of events into [`NUMBERED`], each one's type as
/// its number (schema 56); true once all are copied and the copy has
/// taken the events' place, their sequence of IDs and their indexes. The
/// first batch makes the table, after checking that every type is one
/// appt writes, and drops the old table's indexes: nothing but the copy
/// reads it meanwhile, and the copy is indexed at the end, in one sorted
/// pass (kept up row by row, a million events took minutes). Where the
/// copy got to is the copy's last ID.
pub fn number_types(tx: &Tx) -> Result<bool> {
    let backend = tx.backend();
    let made = exists(tx, NUMBERED)?;
    let code = super::coded::code_of_name::<EventKind>("type");
    if !made {
        let unknown = tx.row(
            On::reads(&[Table::Events]),
            &format!("SELECT id, type FROM events WHERE {code} IS NULL ORDER BY id LIMIT 1"),
            args![],
            |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)),
        )?;
        if let Some((id, name)) = unknown {
            return Err(super::stored::damaged(
                "events",
                &id.to_string(),
                "type",
                crate::text::msg!("e-not_a_value_appt_writes", a = super::stored::shown(&name)),
            ));
        }
        tx.script(&numbered_table(backend))?;
    }
    let copied = tx.exec(
        On::EVERYTHING,
        &format!(
            "INSERT INTO {NUMBERED} ({cols}) \
             SELECT id, {code}, appointment_id, created_at, data, actor, os_user FROM events \
             WHERE id > (SELECT coalesce(max(id), 0) FROM {NUMBERED}) ORDER BY id LIMIT ?1",
            cols = events::COLS
        ),
        args![NUMBER_BATCH],
    )?;
    if copied as i64 == NUMBER_BATCH {
        return Ok(false);
    }
    take_place(tx)?;
    Ok(true)
}

/// Whether the database has a table named `name`.
pub(super) fn exists(tx: &Tx, name: &str) -> Result<bool> {
    tx.one(
        On::NOTHING,
        match tx.backend() {
            Backend::Sqlite => {
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)"
            }
            Backend::Postgres => "SELECT to_regclass(?1) IS NOT NULL",
        },
        args![name],
    )
}

/// The table of schema 56, the old table's indexes gone.
fn numbered_table(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => format!(
            "DROP INDEX IF EXISTS events_appt; DROP INDEX IF EXISTS events_offered;
             CREATE TABLE {NUMBERED} (
                 id             INTEGER PRIMARY KEY AUTOINCREMENT,
                 type           INTEGER NOT NULL,
                 appointment_id TEXT REFERENCES appointments(id),
                 created_at     INTEGER NOT NULL,
                 data           TEXT NOT NULL,
                 actor          TEXT,
                 os_user        TEXT
             ) STRICT;"
        ),
        Backend::Postgres => format!(
            "DROP INDEX IF EXISTS events_appt; DROP INDEX IF EXISTS events_offered;
             CREATE TABLE {NUMBERED} (
                 id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                 type           SMALLINT NOT NULL,
                 appointment_id TEXT COLLATE \"C\" REFERENCES appointments(id),
                 created_at     BIGINT NOT NULL,
                 data           TEXT COLLATE \"C\" NOT NULL,
                 actor          TEXT COLLATE \"C\",
                 os_user        TEXT COLLATE \"C\"
             );"
        ),
    }
}

/// The copy takes the events' name and their indexes, and their IDs go on
/// from the last one ever given (an event deleted since included), as
/// before.
fn take_place(tx: &Tx) -> Result<()> {
    let offered = super::coded::is("type", EventKind::SlotOffered);
    let given = sequence_given(tx)?;
    match tx.backend() {
        Backend::Sqlite => tx.script(&format!(
            "DROP TABLE events; ALTER TABLE {NUMBERED} RENAME TO events;
             CREATE INDEX events_appt ON events(appointment_id, id, type);
             CREATE INDEX events_offered ON events(id) WHERE {offered};"
        ))?,
        Backend::Postgres => tx.script(&format!(
            "DROP TABLE events; ALTER TABLE {NUMBERED} RENAME TO events;
             ALTER TABLE events RENAME CONSTRAINT {NUMBERED}_pkey TO events_pkey;
             ALTER TABLE events RENAME CONSTRAINT {NUMBERED}_appointment_id_fkey
                 TO events_appointment_id_fkey;
             CREATE INDEX events_appt ON events(appointment_id, id) INCLUDE (type);
             CREATE INDEX events_offered ON events(id) WHERE {offered};"
        ))?,
    }
    keep_sequence(tx, NUMBERED, given)
}

/// The last event ID ever given, an event deleted since included.
pub(super) fn sequence_given(tx: &Tx) -> Result<Option<i64>> {
    match tx.backend() {
        Backend::Sqlite => Ok(tx
            .row(
                On::NOTHING,
                "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
                args![],
                |r| r.get(0),
            )?
            .flatten()),
        Backend::Postgres => tx.one(
            On::NOTHING,
            "SELECT pg_sequence_last_value(pg_get_serial_sequence('events', 'id')::regclass)",
            args![],
        ),
    }
}

/// Once the events' copy `copy` has taken their name, their IDs go on from
/// `given` ([`sequence_given`] before the copy took the name); on
/// PostgreSQL the copy's sequence takes the events' name too.
pub(super) fn keep_sequence(tx: &Tx, copy: &str, given: Option<i64>) -> Result<()> {
    match tx.backend() {
        Backend::Sqlite => {
            if let Some(given) = given {
                tx.exec(
                    On::NOTHING,
                    "DELETE FROM sqlite_sequence WHERE name = 'events'",
                    args![],
                )?;
                tx.exec(
                    On::NOTHING,
                    "INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?1)",
                    args![given],
                )?;
            }
        }
        Backend::Postgres => {
            tx.script(&format!(
                "ALTER SEQUENCE {copy}_id_seq RENAME TO events_id_seq"
            ))?;
            if let Some(given) = given {
                tx.one::<i64>(
                    On::NOTHING,
                    "SELECT setval(pg_get_serial_sequence('events', 'id'), ?1)",
                    args![given],
                )?;
            }
        }
    }
    Ok(())
}

/// The table schema 57 copies the messages into, until it takes their name.
const MESSAGES: &str = "reminders_57";

/// The messages' columns, in the order of schema 57's table.
const MESSAGE_COLS: &str = "offset_minutes, due_at, attempts, next_attempt_at, claimed_until, sent_at, \
     created_at, updated_at, delivered_at, read_at, status, kind, id, appointment_id, last_error, claim, \
     data, waitlist_id, channel, provider_id";

/// Copies the next batch of messages into [`MESSAGES`], each one's status
/// and kind as its number (schema 57); true once all are copied and the
/// copy has taken the messages' place and their indexes. As
/// [`number_types`] does: the first batch makes the table and drops the
/// old one's indexes, the copy is indexed at the end, and where it got to
/// is the copy's last ID (IDs compare byte by byte on both engines). The
/// old table's `CHECK`s held each status and kind to a name appt writes,
/// so every one has its number.
pub fn number_messages(tx: &Tx) -> Result<bool> {
    if !exists(tx, MESSAGES)? {
        tx.script(&messages_table(tx.backend(), MESSAGES, false))?;
    }
    let status = super::coded::code_of_name::<MessageStatus>("status");
    let kind = super::coded::code_of_name::<MessageKind>("kind");
    let from = MESSAGE_COLS.replace("status, kind", &format!("{status}, {kind}"));
    let copied = tx.exec(
        On::EVERYTHING,
        &format!(
            "INSERT INTO {MESSAGES} ({MESSAGE_COLS}) SELECT {from} FROM reminders \
             WHERE id > (SELECT coalesce(max(id), '') FROM {MESSAGES}) ORDER BY id LIMIT ?1"
        ),
        args![NUMBER_BATCH],
    )?;
    if copied as i64 == NUMBER_BATCH {
        return Ok(false);
    }
    take_messages_place(tx, MESSAGES)?;
    Ok(true)
}

/// The table schema 58 copies the messages into, until it takes their name.
const MESSAGE_IDS: &str = "reminders_58";

/// Copies the next batch of messages into [`MESSAGE_IDS`], each one's ID
/// as its 16 bytes (schema 58: a BLOB on SQLite, a `uuid` on PostgreSQL);
/// true once all are copied and the copy has taken the messages' place
/// and their indexes, as [`number_messages`] does. Where it got to is the
/// copy's last ID: the text of IDs sorts as their bytes do. An ID that is
/// no UUID (appt never wrote one) stops the upgrade with the engine's
/// error, the batch undone.
pub fn message_ids(tx: &Tx) -> Result<bool> {
    if !exists(tx, MESSAGE_IDS)? {
        tx.script(&messages_table(tx.backend(), MESSAGE_IDS, true))?;
    }
    let last: Option<String> = tx.row(
        On::EVERYTHING,
        &format!("SELECT id FROM {MESSAGE_IDS} ORDER BY id DESC LIMIT 1"),
        args![],
        |r| r.get(0),
    )?;
    let bytes = match tx.backend() {
        Backend::Sqlite => "unhex(replace(id, '-', ''))",
        Backend::Postgres => "CAST(id AS uuid)",
    };
    let from = MESSAGE_COLS.replace(" id,", &format!(" {bytes},"));
    let copied = tx.exec(
        On::EVERYTHING,
        &format!(
            "INSERT INTO {MESSAGE_IDS} ({MESSAGE_COLS}) SELECT {from} FROM reminders \
             WHERE id > ?1 ORDER BY id LIMIT ?2"
        ),
        args![last.unwrap_or_default(), NUMBER_BATCH],
    )?;
    if copied as i64 == NUMBER_BATCH {
        return Ok(false);
    }
    take_messages_place(tx, MESSAGE_IDS)?;
    Ok(true)
}

/// The messages' copy `copy` takes their table's name, and is indexed.
fn take_messages_place(tx: &Tx, copy: &str) -> Result<()> {
    let (pending, failed, expired) = (
        super::coded::is("status", MessageStatus::Pending),
        super::coded::is("status", MessageStatus::Failed),
        super::coded::is("status", MessageStatus::Expired),
    );
    let not_reminders: Vec<String> = MessageKind::ALL
        .iter()
        .filter(|k| **k != MessageKind::Reminder)
        .map(|k| super::coded::is("kind", *k))
        .collect();
    let recall = super::coded::is("kind", MessageKind::Recall);
    let renamed = match tx.backend() {
        Backend::Sqlite => String::new(),
        Backend::Postgres => format!(
            "ALTER TABLE reminders RENAME CONSTRAINT {copy}_pkey TO reminders_pkey;
             ALTER TABLE reminders RENAME CONSTRAINT {copy}_appointment_id_fkey
                 TO reminders_appointment_id_fkey;"
        ),
    };
    tx.script(&format!(
        "DROP TABLE reminders; ALTER TABLE {copy} RENAME TO reminders;
         {renamed}
         CREATE INDEX reminders_appt ON reminders(appointment_id, status);
         CREATE INDEX reminders_due_at ON reminders(due_at);
         CREATE INDEX reminders_due ON reminders(status, due_at)
             WHERE {pending} OR {failed} OR {expired};
         CREATE INDEX reminders_kind ON reminders(kind, due_at) WHERE {};
         CREATE INDEX reminders_provider ON reminders(provider_id) WHERE provider_id IS NOT NULL;
         CREATE UNIQUE INDEX reminders_recall ON reminders(appointment_id) WHERE {recall};",
        not_reminders.join(" OR ")
    ))
}

/// The messages' table, called `{name}`: its own ID of type
/// `{message_id}`, its visit's of type `{visit_id}`, referring to the
/// table `{appointments}`; the instants first, then the two numbers, then
/// the IDs and the text, so that PostgreSQL pads nothing between them.
/// Schema 57 makes it with both IDs as text, 58 with its own as 16 bytes,
/// 59 with both ([`typed`] gives each type its engine's name).
pub(super) const MESSAGES_SHAPE: &str = "CREATE TABLE {name} (
    offset_minutes  {int} NOT NULL,
    due_at          {int} NOT NULL,
    attempts        {int} NOT NULL DEFAULT 0,
    next_attempt_at {int},
    claimed_until   {int},
    sent_at         {int},
    created_at      {int} NOT NULL,
    updated_at      {int} NOT NULL,
    delivered_at    {int},
    read_at         {int},
    status          {small} NOT NULL,
    kind            {small} NOT NULL,
    id              {message_id} PRIMARY KEY NOT NULL,
    appointment_id  {visit_id} NOT NULL REFERENCES {appointments}(id),
    last_error      {text},
    claim           {text},
    data            {text},
    waitlist_id     {text},
    channel         {text},
    provider_id     {text}
){strict};";

/// `shape` with each column type in its engine's words: `{int}`,
/// `{small}`, `{text}`, `{blob}`, `{id}` (an ID kept as its 16 bytes), `{serial}`
/// (an event's ID, given in order), and `{strict}` after the table.
pub(super) fn typed(backend: Backend, shape: &str) -> String {
    let (int, small, day, text, blob, id, serial, strict) = match backend {
        Backend::Sqlite => (
            "INTEGER",
            "INTEGER",
            "INTEGER",
            "TEXT",
            "BLOB",
            "BLOB",
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            " STRICT",
        ),
        Backend::Postgres => (
            "BIGINT",
            "SMALLINT",
            "INTEGER",
            "TEXT COLLATE \"C\"",
            "BYTEA",
            "uuid",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "",
        ),
    };
    shape
        .replace("{int}", int)
        .replace("{small}", small)
        .replace("{day}", day)
        .replace("{text}", text)
        .replace("{blob}", blob)
        .replace("{id}", id)
        .replace("{serial}", serial)
        .replace("{strict}", strict)
}

/// The messages' table as schema 57 made it (its ID as text), or as schema
/// 58 makes it (`id_bytes`: its ID as its 16 bytes), called `name`, the
/// old table's indexes gone.
fn messages_table(backend: Backend, name: &str, id_bytes: bool) -> String {
    let shape = MESSAGES_SHAPE
        .replace("{name}", name)
        .replace("{message_id}", if id_bytes { "{id}" } else { "{text}" })
        .replace("{visit_id}", "{text}")
        .replace("{appointments}", "appointments");
    format!(
        "DROP INDEX IF EXISTS reminders_appt; DROP INDEX IF EXISTS reminders_due_at;
         DROP INDEX IF EXISTS reminders_due; DROP INDEX IF EXISTS reminders_kind;
         DROP INDEX IF EXISTS reminders_provider; DROP INDEX IF EXISTS reminders_recall;
         {}",
        typed(backend, &shape)
    )
}
