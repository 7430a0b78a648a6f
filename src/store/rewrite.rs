//! Schema 21: the events an older appt stored whole (the appointment object
//! with its patient's name and phone, at every change) rewritten in the form
//! appt stores now (docs/rules.md#events), a batch of events per transaction.
//! How far it got is kept in `meta` (`events_rewritten`), so an upgrade
//! killed half-way goes on from there; the events are read in either form
//! meanwhile, so the database is whole after every batch.

use super::db::{On, Table, Tx};
use super::events::{self, Event};
use crate::args;
use crate::core::changes::{self, Unreadable};
use crate::error::Result;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Events looked at per transaction.
const BATCH: i64 = 2_000;

/// Where the rewriting got to: the last event ID looked at.
const CURSOR: &str = "events_rewritten";

/// Rewrites the next batch; true once there is nothing left (the cursor is
/// then removed: the schema version says it is done).
pub fn batch(tx: &Tx) -> Result<bool> {
    let cursor: i64 = tx
        .row(
            On::reads(&[Table::Meta]),
            "SELECT value FROM meta WHERE key = ?1",
            args![CURSOR],
            |r| r.get::<String>(0),
        )?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut page = Vec::new();
    let (n, last) = events::each_after(tx, cursor, None, None, BATCH, &mut |e| {
        page.push(e);
        Ok(())
    })?;
    let whole: Vec<&str> = page
        .iter()
        .filter(|e| stored_whole(&e.data))
        .filter_map(|e| e.appointment_id.as_deref())
        .collect();
    // Every event of those appointments: a change's previous values are
    // the difference from the event before it, whichever batch it is in.
    let mut chains: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    for e in events::of_appointments(tx, &whole, 0)? {
        chains
            .entry(e.appointment_id.clone().unwrap_or_default())
            .or_default()
            .push(e);
    }
    for chain in chains.values_mut() {
        chain.sort_by_key(|e| e.id);
        rewrite_chain(tx, chain)?;
    }
    if n < BATCH {
        tx.exec(
            On::writes(&[Table::Meta]),
            "DELETE FROM meta WHERE key = ?1",
            args![CURSOR],
        )?;
        return Ok(true);
    }
    tx.exec(
        On::writes(&[Table::Meta]),
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![CURSOR, last.to_string()],
    )?;
    Ok(false)
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
            if e.kind == "appointment.booked" {
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
