//! The `events` table: the audit trail (and, later, the webhook outbox).
//! IDs are integers that only grow, so a reader can resume after the last one.

use super::db::{marks, Insert, On, Table, ToVal, Val};
use super::db::{Row, Tx};
use super::epoch;
use super::stored::{col, Kind, Layout};
use crate::args;
use crate::core::{Actor, Coded, EventKind};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub appointment_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub data: Value,
    /// Who made the change (`cli:ana`, `import`, `system`, …); None for
    /// events recorded before appt named them.
    pub actor: Option<String>,
    /// The OS user beside a member of staff who made the change (schema
    /// 55); None for any other actor.
    pub os_user: Option<String>,
}

/// Every column of the table.
pub const COLS: &str = "id, type, appointment_id, created_at, data, actor, os_user";

/// Records that `actor` made the change `kind` to the appointment.
pub fn record(
    conn: &Tx,
    kind: EventKind,
    appointment_id: &str,
    data: &impl Serialize,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    insert(conn, kind, Some(appointment_id), data, actor, now)
}

/// Records that `actor` did `kind` (`patient.exported`, `patient.erased`)
/// to a patient as a whole: the event names no appointment, and its data
/// refers to the patient by ID (docs/privacy.md).
pub fn record_patient(
    conn: &Tx,
    kind: EventKind,
    data: &impl Serialize,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    insert(conn, kind, None, data, actor, now)
}

/// One event, with the account at the terminal beside a member of staff.
fn insert(
    conn: &Tx,
    kind: EventKind,
    appointment_id: Option<&str>,
    data: &impl Serialize,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    // Views hold only strings, numbers and JSON values: serialising cannot fail.
    let data = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    let os_user = actor.person().and_then(|p| p.os_user.as_deref());
    conn.insert_later(
        &INSERT,
        args![
            kind.code(),
            super::db::maybe_id(appointment_id),
            epoch(now),
            data,
            actor.to_string(),
            os_user
        ],
    )
}

/// A new event (its ID the database's next).
const INSERT: Insert = Insert {
    into: Table::Events,
    columns: &["type, appointment_id, created_at, data, actor, os_user"],
    upsert: "",
};

/// The columns [`from_row`] parses, for `appt check`. The type is stored
/// as its number (schema 56, [`EventKind::code`]).
pub const STORED: Layout = Layout {
    name: "events",
    id: "id",
    cols: &[
        col("type", Kind::Range(EventKind::CODES.0, EventKind::CODES.1)),
        col("created_at", Kind::Instant),
        col("data", Kind::Json),
    ],
    rules: &[],
};

pub(crate) fn from_row(r: &Row) -> Result<Event> {
    let f = r.of("events", 0)?;
    Ok(Event {
        id: f.get(0)?,
        kind: f.numbered(1, EventKind::CODES, EventKind::from_code)?,
        appointment_id: f.get(2)?,
        created_at: f.instant(3)?,
        data: f.json(4)?,
        actor: f.get(5)?,
        os_user: f.get(6)?,
    })
}

pub fn of_appointment(conn: &Tx, appointment_id: &str) -> Result<Vec<Event>> {
    conn.rows(
        On::reads(&[Table::Events]),
        &format!("SELECT {COLS} FROM events WHERE appointment_id = ?1 ORDER BY id"),
        args![super::db::id(appointment_id)],
        from_row,
    )
}

/// The events about the patient `patient_id` as a whole (`patient.*`,
/// recorded by [`record_patient`]), oldest first: read among the events of
/// no appointment (which sort together in `events_appt`), then each one's
/// `patient_id` checked.
pub fn of_patient(conn: &Tx, patient_id: &str) -> Result<Vec<Event>> {
    let named = format!(
        "%\"patient_id\":\"{}\"%",
        patient_id.replace(['%', '_'], "")
    );
    let found = conn.rows(
        On::reads(&[Table::Events]),
        &of_patient_sql(),
        args![named],
        from_row,
    )?;
    Ok(found
        .into_iter()
        .filter(|e| e.data["patient_id"] == patient_id)
        .collect())
}

/// [`of_patient`]'s statement: `?1` the pattern of the patient's ID.
fn of_patient_sql() -> String {
    let kinds: Vec<String> = EventKind::ALL
        .iter()
        .filter(|k| k.of_patient())
        .map(|k| k.code().to_string())
        .collect();
    format!(
        "SELECT {COLS} FROM events WHERE type IN ({}) \
         AND appointment_id IS NULL AND data LIKE ?1 ORDER BY id",
        kinds.join(", ")
    )
}

/// The events of the appointments `ids` (at most a purge's batch), each
/// its ID and data, for a purge to empty of personal fields.
pub fn data_of(conn: &Tx, ids: &[&str]) -> Result<Vec<(i64, Value)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let args: Vec<Val> = super::db::ids(ids).collect();
    conn.rows(
        On::reads(&[Table::Events]),
        &format!(
            "SELECT id, data FROM events WHERE appointment_id IN ({}) ORDER BY id",
            marks(1, ids.len())
        ),
        &args,
        |r| {
            let f = r.of("events", 0)?;
            Ok((f.get(0)?, f.json(1)?))
        },
    )
}

/// Replaces an event's data (a purge's, with the personal fields taken out).
pub fn set_data(conn: &Tx, id: i64, data: &Value) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Events]),
        "UPDATE events SET data = ?2 WHERE id = ?1",
        args![id, data.to_string()],
    )?;
    Ok(())
}

/// The last event's ID (0 when there is none).
pub fn last_id(conn: &Tx) -> Result<i64> {
    conn.one(
        On::reads(&[Table::Events]),
        "SELECT coalesce(max(id), 0) FROM events",
        args![],
    )
}

/// The appointments with an event of ID after `after`, each once, and the
/// last event's ID (`after` when there is none): what changed since a
/// reader that stays open (the board) read up to `after`.
pub fn appointments_after(conn: &Tx, after: i64) -> Result<(Vec<String>, i64)> {
    let mut last = after;
    let mut ids: Vec<String> = Vec::new();
    conn.each(
        On::reads(&[Table::Events]),
        "SELECT id, appointment_id FROM events WHERE id > ?1 ORDER BY id",
        args![after],
        |r| {
            last = r.get(0)?;
            if let Some(id) = r.get::<Option<String>>(1)? {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Ok(())
        },
    )?;
    Ok((ids, last))
}

/// The appointments of clinic `clinic_id` that ended before `before`
/// (epoch seconds) with an event of ID in (`after`, `upto`]: what changed
/// since a purge last passed them.
pub fn touched(
    conn: &Tx,
    clinic_id: &str,
    after: i64,
    upto: i64,
    before: i64,
) -> Result<Vec<super::retention::Visit>> {
    conn.rows(
        On::reads(&[Table::Events, Table::Appointments]),
        TOUCHED,
        args![after, upto, super::db::id(clinic_id), before],
        |r| {
            Ok(super::retention::Visit {
                id: r.get(0)?,
                starts_at: r.get(1)?,
                ends_at: r.get(2)?,
            })
        },
    )
}

/// [`touched`]'s statement. `CROSS JOIN` keeps SQLite (which gathers no
/// statistics) reading the few events of the range first: otherwise it
/// walks every appointment of the clinic and looks for events of each.
const TOUCHED: &str = "SELECT DISTINCT a.id, a.starts_at, a.ends_at \
     FROM events e CROSS JOIN appointments a \
     WHERE a.id = e.appointment_id AND e.id > ?1 AND e.id <= ?2 \
     AND a.clinic_id = ?3 AND a.ends_at < ?4 ORDER BY a.id";

/// [`each_after`]'s statement: the events after `?1` in the order of their
/// IDs, the type numbered `?2` (or any, given 0), at most `?3`, of the clinic `?4`'s
/// appointments when `clinic`. They are read on from the cursor by ID, as a
/// follower reads them, each one's appointment looked up by its key: no
/// index of types is kept (schema v24), and a clinic's appointments are
/// not gathered first (at a million appointments, 10,000 events took 1.9 s
/// that way, against 0.09 s).
fn after_sql(clinic: bool) -> String {
    let of_clinic = if clinic {
        "AND EXISTS (SELECT 1 FROM appointments a WHERE a.id = events.appointment_id AND a.clinic_id = ?4)"
    } else {
        "AND ?4 = ''"
    };
    format!(
        "SELECT {COLS} FROM events WHERE id > ?1 AND (?2 = 0 OR type = ?2) {of_clinic} \
         ORDER BY id LIMIT ?3"
    )
}

/// Hands each event after `after` (of type `kind`, of the appointments of
/// clinic `clinic_id`), at most `limit`, to `each` as stored, oldest first;
/// returns how many and the last ID.
pub fn each_after(
    conn: &Tx,
    after: i64,
    kind: Option<EventKind>,
    clinic_id: Option<&str>,
    limit: i64,
    each: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<(i64, i64)> {
    let on = match clinic_id {
        Some(_) => On::reads(&[Table::Events, Table::Appointments]),
        None => On::reads(&[Table::Events]),
    };
    let (mut n, mut last) = (0, after);
    conn.each(
        on,
        &after_sql(clinic_id.is_some()),
        args![
            after,
            kind.map_or(0, EventKind::code),
            limit,
            // Without a clinic, `?4 = ''` (text) keeps the parameter typed.
            clinic_id.map_or_else(|| "".to_val(), super::db::id)
        ],
        |r| {
            let e = from_row(r)?;
            n += 1;
            last = e.id;
            each(e)
        },
    )?;
    Ok((n, last))
}

/// The events of appointments `ids` from event `from` on, as stored, in
/// one query per few hundred appointments (in no order).
pub fn of_appointments(conn: &Tx, ids: &[&str], from: i64) -> Result<Vec<Event>> {
    conn.rows_in_ids(
        On::reads(&[Table::Events]),
        &format!("SELECT {COLS} FROM events WHERE id >= ?1 AND appointment_id IN ({{keys}})"),
        &[from.to_val()],
        ids,
        from_row,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite_plan as plan;

    /// What changed since a retention run is read from the events' IDs,
    /// whatever the size of the clinic.
    #[test]
    fn what_changed_since_a_retention_run_is_read_from_the_events_ids() {
        let p = plan(
            TOUCHED,
            vec![
                Val::Int(0),
                Val::Int(500),
                crate::store::db::id("00000000-0000-4000-8000-00000000000c"),
                Val::Int(1),
            ],
        );
        assert_eq!(
            p[..2],
            [
                "SEARCH e USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
                "SEARCH a USING INDEX sqlite_autoindex_appointments_1 (id=?)"
            ],
            "{p:?}"
        );
    }

    /// A stream reads on from its cursor by ID, whatever the type asked
    /// for; a clinic's, with each event's appointment looked up by its key.
    #[test]
    fn a_stream_reads_on_from_its_cursor() {
        for clinic in [false, true] {
            let p = plan(&after_sql(clinic), vec![Val::Null; 4]);
            assert_eq!(
                p[0], "SEARCH events USING INTEGER PRIMARY KEY (rowid>?)",
                "{p:?}"
            );
            assert!(!p.iter().any(|l| l.starts_with("SCAN")), "{p:?}");
        }
    }

    /// A patient's own events are read among the events of no appointment,
    /// never among every event (schema v24 keeps no index of types).
    #[test]
    fn a_patients_events_are_read_through_an_index() {
        let p = plan(&of_patient_sql(), vec![Val::Null]);
        assert_eq!(
            p[0], "SEARCH events USING INDEX events_appt (appointment_id=?)",
            "{p:?}"
        );
        assert!(!p.iter().any(|l| l.starts_with("SCAN")), "{p:?}");
    }

    /// The same on PostgreSQL, with sequential scans discouraged.
    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn a_patients_events_are_read_through_an_index_on_postgres() {
        crate::store::on_scratch_pg(|st| {
            st.read(|tx| {
                tx.exec(On::NOTHING, "SET LOCAL enable_seqscan = off", &[])?;
                let sql = format!("EXPLAIN {}", of_patient_sql());
                let plan: Vec<String> = tx.rows(On::NOTHING, &sql, args!["%p%"], |r| r.get(0))?;
                let plan = plan.join("\n");
                assert!(plan.contains("events_appt"), "{plan}");
                assert!(!plan.contains("Seq Scan"), "{plan}");
                Ok(())
            })
            .unwrap();
        });
    }
}
