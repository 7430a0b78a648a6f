//! What erasing a patient writes (docs/privacy.md#erasure), in the caller's
//! write transaction: their messages blanked and the pending ones
//! cancelled, their links and waitlist entries gone, their name and phone
//! out of every event, the clinical record blanked when asked, and their
//! row anonymised. Also what `appt check` reads to find a trace an erasure
//! left (or a later write put back).

use super::coded::is;
use super::db::{On, Table, Tx};
use super::epoch;
use super::findings::{Row, TraceRow, Violation};
use crate::args;
use crate::core::erasure::{self, ERASED_NAME};
use crate::core::message::{Kind as MessageKind, Status as MessageStatus};
use crate::core::EventKind;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashSet;

/// The appointments of patient `?1`.
const THEIR_APPOINTMENTS: &str = "SELECT id FROM appointments WHERE patient_id = ?1";

/// What erasing one patient changed, row by row.
#[derive(Debug, Default, Clone, Copy)]
pub struct Erasure {
    pub messages: usize,
    pub links: usize,
    pub waitlist: usize,
    pub events: usize,
    pub clinical: usize,
}

/// How many appointments patient `id` has (they stay, anonymised); with
/// `at`, at that clinic.
pub fn appointments(tx: &Tx, id: &str, at: Option<&str>) -> Result<i64> {
    tx.one(
        On::reads(&[Table::Appointments]),
        "SELECT count(*) FROM appointments WHERE patient_id = ?1 \
         AND (clinic_id = ?2 OR ?2 IS NULL)",
        args![super::db::id(id), super::db::maybe_id(at)],
    )
}

/// Everything but the patient's own row: messages, links, waitlist
/// entries, events and (with `clinical`) the clinical record of their
/// appointments. What is already as it should be is left untouched, so
/// erasing again writes nothing.
pub fn erase_traces(tx: &Tx, id: &str, clinical: bool, now: DateTime<Utc>) -> Result<Erasure> {
    let mut done = Erasure::default();
    let offers = offers(tx, id)?;
    done.messages = own_messages(tx, id, now)? + blank_offers(tx, &offers, now)?;
    // What they wrote to the clinic's channels is theirs: it goes.
    done.messages += tx.exec(
        On::writes(&[Table::Inbox]),
        "DELETE FROM inbox WHERE patient_id = ?1",
        args![super::db::id(id)],
    )?;
    done.links = links(tx, id, &offers)?;
    done.waitlist = tx.exec(
        On::writes(&[Table::Waitlist]),
        "DELETE FROM waitlist WHERE patient_id = ?1",
        args![super::db::id(id)],
    )?;
    done.events = events(tx, id, clinical)?;
    // A name another clinic was given for them (the appointment stays).
    tx.exec(
        On::writes(&[Table::Appointments]),
        "UPDATE appointments SET patient_name_given = NULL \
         WHERE patient_id = ?1 AND patient_name_given IS NOT NULL",
        args![super::db::id(id)],
    )?;
    if clinical {
        done.clinical = tx.exec(
            On::writes(&[Table::Appointments]),
            "UPDATE appointments SET diagnosis = NULL, prescription = NULL, follow_up_required = 0, \
             follow_up_date = NULL WHERE patient_id = ?1 AND (diagnosis IS NOT NULL \
             OR prescription IS NOT NULL OR follow_up_required <> 0 OR follow_up_date IS NOT NULL)",
            args![super::db::id(id)],
        )?;
    }
    Ok(done)
}

/// The patient's visits that their erasure at `erased_at` cancelled (each
/// cancelled at that instant), in start order: what every answer of the
/// erasure names, however often it is asked; with `at`, those at that
/// clinic.
pub fn cancelled_with(
    tx: &Tx,
    id: &str,
    erased_at: DateTime<Utc>,
    at: Option<&str>,
) -> Result<Vec<String>> {
    tx.rows(
        On::reads(&[Table::Appointments]),
        "SELECT id FROM appointments WHERE patient_id = ?1 AND status = ?3 \
         AND cancelled_at = ?2 AND (clinic_id = ?4 OR ?4 IS NULL) \
         ORDER BY starts_at, id",
        args![
            super::db::id(id),
            epoch(erased_at),
            crate::core::Status::Cancelled.code(),
            super::db::maybe_id(at)
        ],
        |r| r.get(0),
    )
}

/// The booking page's holds of `phone` (each with the name and e-mail
/// typed there) and the codes sent to it (`phone_key`, the phone's digest
/// as the limits count it): an erased patient leaves none behind
/// (docs/privacy.md#erasure).
pub fn forget_phone(tx: &Tx, phone: &str, phone_key: Option<&str>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Holds]),
        "DELETE FROM holds WHERE phone = ?1",
        args![phone],
    )?;
    if let Some(k) = phone_key {
        tx.exec(
            On::writes(&[Table::WebCodes]),
            "DELETE FROM web_codes WHERE phone_hash = ?1",
            args![k],
        )?;
    }
    Ok(())
}

/// The patient's row: the placeholder name and phone (the number free for
/// a new patient), no name key (no search finds it), no e-mail, no
/// preferred channel, no national ID, and when it was erased (the first time). A row erased
/// already is left as it is.
pub fn anonymise(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<()> {
    super::patients::name_changed(tx, id, Some(ERASED_NAME))?;
    tx.exec(
        On::writes(&[Table::Patients]),
        "UPDATE patients SET full_name = ?2, name_key = '', phone = ?3, email = NULL, \
         channel = NULL, national_id = NULL, erased_at = coalesce(erased_at, ?4), updated_at = ?4 \
         WHERE id = ?1 AND (erased_at IS NULL OR full_name <> ?2 OR name_key <> '' OR phone <> ?3 \
         OR email IS NOT NULL OR channel IS NOT NULL OR national_id IS NOT NULL)",
        args![
            super::db::id(id),
            ERASED_NAME,
            erasure::placeholder_phone(id),
            epoch(now)
        ],
    )?;
    Ok(())
}

/// The messages of the patient's own appointments (not the offers of a
/// time they freed, which are another patient's): pending ones cancelled,
/// their data (a move's previous time, a reason, what a provider said)
/// and last error gone.
fn own_messages(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<usize> {
    tx.exec(
        On::writes(&[Table::Reminders]).reading(&[Table::Appointments]),
        &format!(
            "UPDATE reminders SET {}, \
             claim = NULL, claimed_until = NULL, data = NULL, last_error = NULL, updated_at = ?2 \
             WHERE appointment_id IN ({THEIR_APPOINTMENTS}) AND kind <> {} \
             AND ({} OR data IS NOT NULL OR last_error IS NOT NULL OR claim IS NOT NULL)",
            pending_cancelled(),
            MessageKind::WaitlistOffer.code(),
            is("status", MessageStatus::Pending)
        ),
        args![super::db::id(id), epoch(now)],
    )
}

/// A message's status set to `cancelled` if it was `pending`.
fn pending_cancelled() -> String {
    format!(
        "status = CASE WHEN {} THEN {} ELSE status END",
        is("status", MessageStatus::Pending),
        MessageStatus::Cancelled.code()
    )
}

/// A waitlist offer made to the patient: (ID, whether pending, data, last error).
type Offer = (String, bool, Option<String>, Option<String>);

/// The offers made to the patient: those whose data names them, and those
/// of their entries still waiting (whatever their data holds).
fn offers(tx: &Tx, id: &str) -> Result<Vec<Offer>> {
    tx.rows(
        On::reads(&[Table::Reminders, Table::Waitlist]),
        &format!(
            "SELECT id, {}, data, last_error FROM reminders WHERE {} \
             AND (data LIKE ?2 OR waitlist_id IN (SELECT id FROM waitlist WHERE patient_id = ?1))",
            is("status", MessageStatus::Pending),
            is("kind", MessageKind::WaitlistOffer)
        ),
        args![super::db::id(id), format!("%{id}%")],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

/// The offers made to the patient: pending ones cancelled, their entry by
/// IDs only (shown as erased), no last error.
fn blank_offers(tx: &Tx, offers: &[Offer], now: DateTime<Utc>) -> Result<usize> {
    let mut n = 0;
    for (offer, pending, data, last_error) in offers {
        let mut data: Option<Value> = data.as_deref().and_then(|d| serde_json::from_str(d).ok());
        let by_ids = data.as_mut().is_some_and(erasure::offer_by_ids);
        if !by_ids && !pending && last_error.is_none() {
            continue;
        }
        n += tx.exec(
            On::writes(&[Table::Reminders]),
            &format!(
                "UPDATE reminders SET {}, \
                 claim = NULL, claimed_until = NULL, data = ?2, last_error = NULL, updated_at = ?3 \
                 WHERE id = ?1",
                pending_cancelled()
            ),
            args![
                super::db::id(offer),
                data.map(|d| d.to_string()),
                epoch(now)
            ],
        )?;
    }
    Ok(n)
}

/// The patient's links: those of their appointments and of the offers made to them.
fn links(tx: &Tx, id: &str, offers: &[Offer]) -> Result<usize> {
    let mut n = tx.exec(
        On::writes(&[Table::PatientLinks]).reading(&[Table::Appointments]),
        &format!(
            "DELETE FROM patient_links WHERE kind = 'appointment' AND target_id IN ({THEIR_APPOINTMENTS})"
        ),
        args![super::db::id(id)],
    )?;
    for (offer, ..) in offers {
        n += tx.exec(
            On::writes(&[Table::PatientLinks]),
            "DELETE FROM patient_links WHERE kind = 'offer' AND target_id = ?1",
            args![super::db::id(offer)],
        )?;
    }
    Ok(n)
}

/// The patient's name and phone out of every event that holds them: those
/// of their appointments (with `clinical`, their clinical record too), and
/// the offers of other patients' freed times made to them.
fn events(tx: &Tx, id: &str, clinical: bool) -> Result<usize> {
    let event = |r: &super::db::Row| Ok((r.get::<i64>(0)?, r.get::<String>(1)?));
    let own = tx.rows(
        On::reads(&[Table::Events, Table::Appointments]),
        &format!("SELECT id, data FROM events WHERE appointment_id IN ({THEIR_APPOINTMENTS})"),
        args![super::db::id(id)],
        event,
    )?;
    // Their ID in the data: an offer's entry names its patient by ID.
    let offered = tx.rows(
        On::reads(&[Table::Events]),
        &offered(),
        args![format!("%{id}%")],
        event,
    )?;
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    for (theirs, (event, data)) in own
        .into_iter()
        .map(|e| (true, e))
        .chain(offered.into_iter().map(|e| (false, e)))
    {
        if !seen.insert(event) {
            continue;
        }
        let Ok(mut data) = serde_json::from_str::<Value>(&data) else {
            continue;
        };
        if erasure::scrub(&mut data, id, clinical && theirs) {
            n += tx.exec(
                On::writes(&[Table::Events]),
                "UPDATE events SET data = ?2 WHERE id = ?1",
                args![event, data.to_string()],
            )?;
        }
    }
    Ok(n)
}

/// The offers of freed times whose data holds `?1`, read among the offers
/// alone (`events_offered`, schema v25).
fn offered() -> String {
    format!(
        "SELECT id, data FROM events WHERE {} AND data LIKE ?1",
        is("type", EventKind::SlotOffered)
    )
}

/// The erasures of patient `id` recorded: the last one's reason, and
/// whether any of them took the clinical record; None before the first.
pub fn recorded(tx: &Tx, id: &str) -> Result<Option<(String, bool)>> {
    let all: Vec<String> = tx.rows(
        On::reads(&[Table::Events]),
        &format!(
            "SELECT data FROM events WHERE {} AND appointment_id IS NULL \
             AND data LIKE ?1 ORDER BY id",
            is("type", EventKind::PatientErased)
        ),
        args![format!("%{id}%")],
        |r| r.get(0),
    )?;
    let mut found = None;
    let mut clinical = false;
    for data in all {
        let Ok(v) = serde_json::from_str::<Value>(&data) else {
            continue;
        };
        if v["patient_id"].as_str() != Some(id) {
            continue;
        }
        clinical |= v["clinical"].as_bool().unwrap_or(false);
        found = Some(v["reason"].as_str().unwrap_or_default().to_string());
    }
    Ok(found.map(|reason| (reason, clinical)))
}

/// `appt check`: every trace of an erased patient's personal data left in
/// any table — their row not the placeholder's, an event or a message
/// naming them, a message still pending or holding data, a link, a
/// waitlist entry. The name itself is gone, so the check looks at where
/// it could be, not for it. One finding per table.
pub fn traces(tx: &Tx) -> Result<Vec<Violation>> {
    let erased: HashSet<String> = tx
        .rows(
            On::reads(&[Table::Patients]),
            "SELECT id FROM patients WHERE erased_at IS NOT NULL",
            args![],
            |r| r.get(0),
        )?
        .into_iter()
        .collect();
    if erased.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut add = |id: &'static str, rows: Vec<TraceRow>| {
        if !rows.is_empty() {
            found.push(Violation {
                check: "erased_patient",
                message: crate::text::Msg::new(id),
                rows: rows.into_iter().map(Row::Trace).collect(),
            });
        }
    };
    let mut rows = patient_rows(tx)?;
    rows.extend(names_given(tx)?);
    add("e-an_erased_patients_row_holds_more", rows);
    add(
        "e-events_still_hold_an_erased_patients",
        event_rows(tx, &erased)?,
    );
    let mut messages = message_rows(tx, &erased)?;
    messages.extend(inbox_rows(tx)?);
    add("e-messages_of_an_erased_patient_are_still", messages);
    add(
        "e-links_to_an_erased_patients_appointments",
        link_rows(tx, &erased)?,
    );
    add("e-an_erased_patient_is_still_on_the", waitlist_rows(tx)?);
    Ok(found)
}

/// Messages an erased patient sent to a clinic's channels, still kept.
fn inbox_rows(tx: &Tx) -> Result<Vec<TraceRow>> {
    let rows: Vec<(String, String)> = tx.rows(
        On::reads(&[Table::Inbox, Table::Patients]),
        "SELECT i.id, i.patient_id FROM inbox i JOIN patients p ON p.id = i.patient_id \
         WHERE p.erased_at IS NOT NULL ORDER BY i.id",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, patient)| trace("inbox", id, "body", &patient))
        .collect())
}

fn trace(table: &'static str, id: String, column: &'static str, patient: &str) -> TraceRow {
    TraceRow {
        table,
        id,
        column,
        patient_id: patient.to_string(),
    }
}

/// Erased patients whose row holds more than the placeholder.
fn patient_rows(tx: &Tx) -> Result<Vec<TraceRow>> {
    type Kept = (String, String, String, String, bool, bool, bool);
    let rows: Vec<Kept> = tx.rows(
        On::reads(&[Table::Patients]),
        "SELECT id, full_name, name_key, phone, email IS NOT NULL, national_id IS NOT NULL, \
         channel IS NOT NULL FROM patients WHERE erased_at IS NOT NULL ORDER BY id",
        args![],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for (id, name, key, phone, email, national_id, channel) in rows {
        let kept = [
            ("full_name", name != ERASED_NAME),
            ("name_key", !key.is_empty()),
            ("phone", !erasure::is_placeholder(&id, &phone)),
            ("email", email),
            ("channel", channel),
            ("national_id", national_id),
        ];
        for (column, _) in kept.into_iter().filter(|(_, k)| *k) {
            out.push(trace("patients", id.clone(), column, &id));
        }
    }
    Ok(out)
}

/// Events that still name an erased patient: those of their appointments,
/// and the offers made to them of other patients' freed times.
fn event_rows(tx: &Tx, erased: &HashSet<String>) -> Result<Vec<TraceRow>> {
    let mut out = Vec::new();
    tx.each(
        On::reads(&[Table::Events, Table::Appointments, Table::Patients]),
        "SELECT e.id, e.data, a.patient_id FROM events e JOIN appointments a ON a.id = e.appointment_id \
         JOIN patients p ON p.id = a.patient_id WHERE p.erased_at IS NOT NULL ORDER BY e.id",
        args![],
        |r| {
            let (id, data, patient): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if holds(&data, &patient) {
                out.push(trace("events", id.to_string(), "data", &patient));
            }
            Ok(())
        },
    )?;
    tx.each(
        On::reads(&[Table::Events]),
        &format!(
            "SELECT id, data FROM events WHERE {} ORDER BY id",
            is("type", EventKind::SlotOffered)
        ),
        args![],
        |r| {
            let (id, data): (i64, String) = (r.get(0)?, r.get(1)?);
            if let Some(p) = waiting(&data, "/waitlist").filter(|p| erased.contains(p)) {
                if holds(&data, &p) {
                    out.push(trace("events", id.to_string(), "data", &p));
                }
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// Messages of erased patients still pending or holding data: those of
/// their appointments, and the offers made to them.
fn message_rows(tx: &Tx, erased: &HashSet<String>) -> Result<Vec<TraceRow>> {
    let mut out = Vec::new();
    let mut each = |id: String, patient: &str, pending: bool, data: bool, error: bool| {
        for (column, kept) in [("status", pending), ("data", data), ("last_error", error)] {
            if kept {
                out.push(trace("reminders", id.clone(), column, patient));
            }
        }
    };
    tx.each(
        On::reads(&[Table::Reminders, Table::Appointments, Table::Patients]),
        &format!(
            "SELECT r.id, a.patient_id, {pending}, r.data IS NOT NULL, r.last_error IS NOT NULL \
             FROM reminders r JOIN appointments a ON a.id = r.appointment_id JOIN patients p ON p.id = a.patient_id \
             WHERE p.erased_at IS NOT NULL AND r.kind <> {} \
             AND ({pending} OR r.data IS NOT NULL OR r.last_error IS NOT NULL) ORDER BY r.id",
            MessageKind::WaitlistOffer.code(),
            pending = is("r.status", MessageStatus::Pending)
        ),
        args![],
        |r| {
            let patient: String = r.get(1)?;
            each(r.get(0)?, &patient, r.get(2)?, r.get(3)?, r.get(4)?);
            Ok(())
        },
    )?;
    for (id, patient, pending, data, error) in offers_to(tx, erased)? {
        let named = data.as_deref().is_some_and(|d| {
            serde_json::from_str::<Value>(d).is_ok_and(|mut v| erasure::offer_by_ids(&mut v))
        });
        each(id, &patient, pending, named, error.is_some());
    }
    Ok(out)
}

/// A waitlist offer made to an erased patient: (ID, patient, whether
/// pending, data, last error).
type OfferTo = (String, String, bool, Option<String>, Option<String>);

/// The waitlist offers made to erased patients.
fn offers_to(tx: &Tx, erased: &HashSet<String>) -> Result<Vec<OfferTo>> {
    let mut out = Vec::new();
    tx.each(
        On::reads(&[Table::Reminders]),
        &format!(
            "SELECT id, {}, data, last_error FROM reminders WHERE {} ORDER BY id",
            is("status", MessageStatus::Pending),
            is("kind", MessageKind::WaitlistOffer)
        ),
        args![],
        |r| {
            let data: Option<String> = r.get(2)?;
            let patient = data.as_deref().and_then(|d| waiting(d, "/offer/waitlist"));
            if let Some(p) = patient.filter(|p| erased.contains(p)) {
                out.push((r.get(0)?, p, r.get(1)?, data, r.get(3)?));
            }
            Ok(())
        },
    )?;
    Ok(out)
}

/// Links still open to an erased patient's appointments or offers.
fn link_rows(tx: &Tx, erased: &HashSet<String>) -> Result<Vec<TraceRow>> {
    let mut out: Vec<TraceRow> = tx.rows(
        On::reads(&[Table::PatientLinks, Table::Appointments, Table::Patients]),
        "SELECT l.target_id, a.patient_id FROM patient_links l JOIN appointments a \
         ON l.kind = 'appointment' AND a.id = l.target_id JOIN patients p ON p.id = a.patient_id \
         WHERE p.erased_at IS NOT NULL ORDER BY l.target_id",
        args![],
        |r| {
            Ok(trace(
                "patient_links",
                r.get(0)?,
                "target_id",
                &r.get::<String>(1)?,
            ))
        },
    )?;
    for (offer, patient, ..) in offers_to(tx, erased)? {
        let open: Option<i64> = tx.row(
            On::reads(&[Table::PatientLinks]),
            "SELECT 1 FROM patient_links WHERE kind = 'offer' AND target_id = ?1",
            args![super::db::id(&offer)],
            |r| r.get(0),
        )?;
        if open.is_some() {
            out.push(trace("patient_links", offer, "target_id", &patient));
        }
    }
    Ok(out)
}

/// Appointments of erased patients still holding a name given for them
/// (docs/api.md#another-clinics-patient).
fn names_given(tx: &Tx) -> Result<Vec<TraceRow>> {
    let rows: Vec<(String, String)> = tx.rows(
        On::reads(&[Table::Appointments, Table::Patients]),
        "SELECT a.id, a.patient_id FROM appointments a JOIN patients p ON p.id = a.patient_id \
         WHERE p.erased_at IS NOT NULL AND a.patient_name_given IS NOT NULL ORDER BY a.id",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, patient)| trace("appointments", id, "patient_name_given", &patient))
        .collect())
}

/// Waitlist entries of erased patients.
fn waitlist_rows(tx: &Tx) -> Result<Vec<TraceRow>> {
    tx.rows(
        On::reads(&[Table::Waitlist, Table::Patients]),
        "SELECT w.id, w.patient_id FROM waitlist w JOIN patients p ON p.id = w.patient_id \
         WHERE p.erased_at IS NOT NULL ORDER BY w.id",
        args![],
        |r| {
            Ok(trace(
                "waitlist",
                r.get(0)?,
                "patient_id",
                &r.get::<String>(1)?,
            ))
        },
    )
}

/// Whether `data` (an event's, as stored) holds the patient's name or phone.
fn holds(data: &str, patient: &str) -> bool {
    serde_json::from_str::<Value>(data).is_ok_and(|v| erasure::traces(&v, patient))
}

/// The patient of the waitlist entry at `pointer` in `data`: by ID, or in
/// a view written whole.
fn waiting(data: &str, pointer: &str) -> Option<String> {
    let v: Value = serde_json::from_str(data).ok()?;
    let entry = v.pointer(pointer)?;
    entry["patient_id"]
        .as_str()
        .or(entry["patient"]["id"].as_str())
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::Val;

    /// An erasure reads the offers naming the patient among the offers
    /// alone, never among every event.
    #[test]
    fn the_offers_naming_a_patient_are_read_among_the_offers() {
        let p = crate::store::sqlite_plan(&offered(), vec![Val::Null]);
        assert_eq!(p, ["SCAN events USING INDEX events_offered"], "{p:?}");
    }

    /// The same on PostgreSQL, with sequential scans discouraged.
    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn the_offers_naming_a_patient_are_read_among_the_offers_on_postgres() {
        crate::store::on_scratch_pg(|st| {
            st.read(|tx| {
                tx.exec(On::NOTHING, "SET LOCAL enable_seqscan = off", &[])?;
                let sql = format!("EXPLAIN {}", offered());
                let plan: Vec<String> = tx.rows(On::NOTHING, &sql, args!["%p%"], |r| r.get(0))?;
                let plan = plan.join("\n");
                assert!(plan.contains("events_offered"), "{plan}");
                Ok(())
            })
            .unwrap();
        });
    }
}
