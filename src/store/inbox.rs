//! The `inbox` table: each message a clinic's channels received, once
//! (a provider's retried delivery is found by its ID), what appt did with
//! it, and whether the desk is done with it (docs/rules.md#answers).

use super::db::{On, Row, Table, Tx, Val};
use super::epoch;
use super::stored::{col, opt, Kind, Layout};
use crate::args;
use crate::core::channel::KINDS;
use chrono::{DateTime, Utc};

/// What appt did with a message received.
pub const OUTCOMES: [&str; 5] = ["inbox", "confirmed", "cancelled", "refused", "asked"];
/// What became of the answer sent back.
pub const ANSWERS: [&str; 2] = ["sent", "failed"];

/// A message received, with its patient's name and phone when it is theirs.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub id: String,
    pub clinic_id: String,
    /// The channel's name when it came.
    pub channel: String,
    /// `whatsapp`, `sms` or `email`.
    pub kind: String,
    pub provider_id: String,
    pub patient_id: Option<String>,
    /// The sender's phone, when no patient of the clinic has it.
    pub sender: Option<String>,
    pub body: String,
    pub received_at: DateTime<Utc>,
    pub outcome: String,
    pub appointment_id: Option<String>,
    pub answer_status: Option<String>,
    pub answer_error: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    /// The patient's name and phone (E.164), read with the row.
    pub patient_name: Option<String>,
    pub patient_phone: Option<String>,
}

/// The table's columns, as a transfer copies them.
pub const TABLE_COLS: &str = "id, clinic_id, channel, kind, provider_id, patient_id, sender, body, \
                              received_at, outcome, appointment_id, answer_status, answer_error, done_at";

const COLS: &str = "i.id, i.clinic_id, i.channel, i.kind, i.provider_id, i.patient_id, i.sender, \
                    i.body, i.received_at, i.outcome, i.appointment_id, i.answer_status, \
                    i.answer_error, i.done_at, p.full_name, p.phone";

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "inbox",
    id: "id",
    cols: &[
        col("kind", Kind::OneOf(&KINDS)),
        col("received_at", Kind::Instant),
        col("outcome", Kind::OneOf(&OUTCOMES)),
        opt("answer_status", Kind::OneOf(&ANSWERS)),
        opt("done_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> crate::error::Result<Inbound> {
    let f = r.of("inbox", 0)?;
    Ok(Inbound {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        channel: f.get(2)?,
        kind: f.one_of(3, &KINDS)?,
        provider_id: f.get(4)?,
        patient_id: f.get(5)?,
        sender: f.get(6)?,
        body: f.get(7)?,
        received_at: f.instant(8)?,
        outcome: f.one_of(9, &OUTCOMES)?,
        appointment_id: f.get(10)?,
        answer_status: f.get(11)?,
        answer_error: f.get(12)?,
        done_at: f.opt_instant(13)?,
        patient_name: f.get(14)?,
        patient_phone: f.get(15)?,
    })
}

const SELECT: &str = "FROM inbox i LEFT JOIN patients p ON p.id = i.patient_id";

/// The condition on `?1` for one clinic's messages, or every clinic's
/// (`?1` then unused but typed: PostgreSQL cannot type `?1 IS NULL`).
fn of_clinic(clinic_id: Option<&str>) -> &'static str {
    match clinic_id {
        Some(_) => "i.clinic_id = ?1",
        None => "?1 = ?1",
    }
}

/// What [`of_clinic`]'s `?1` is bound to: the clinic's ID as its 16 bytes
/// (schema 62), or, for every clinic's, an empty text (not NULL, which
/// `?1 = ?1` would not find equal).
fn clinic_arg(clinic_id: Option<&str>) -> Val {
    clinic_id.map_or_else(|| Val::Text(String::new()), super::db::id)
}

/// Keeps a message received; false when the provider's ID is already
/// there (a delivery the provider tried again): nothing is written.
pub fn insert(conn: &Tx, m: &Inbound) -> crate::error::Result<bool> {
    let n = conn.exec(
        On::writes(&[Table::Inbox]),
        "INSERT INTO inbox (id, clinic_id, channel, kind, provider_id, patient_id, sender, body, \
         received_at, outcome) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,'inbox') \
         ON CONFLICT (clinic_id, provider_id) DO NOTHING",
        args![
            m.id,
            super::db::id(&m.clinic_id),
            m.channel,
            m.kind,
            m.provider_id,
            super::db::maybe_id(m.patient_id.as_deref()),
            m.sender,
            m.body,
            epoch(m.received_at)
        ],
    )?;
    Ok(n == 1)
}

/// The visits appt asked patient `patient_id` whether to cancel (outcome
/// `asked`) at `clinic_id` since `since`, in questions nothing else they
/// wrote there came after (but message `answer`, the one answering):
/// what a `sí` now answers, latest first.
pub fn asked(
    conn: &Tx,
    patient_id: &str,
    clinic_id: &str,
    answer: &str,
    since: DateTime<Utc>,
) -> crate::error::Result<Vec<String>> {
    conn.rows(
        On::reads(&[Table::Inbox]),
        "SELECT q.appointment_id FROM inbox q WHERE q.patient_id = ?1 AND q.clinic_id = ?2 \
         AND q.outcome = 'asked' AND q.id <> ?3 AND q.received_at >= ?4 \
         AND q.appointment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM inbox l \
           WHERE l.patient_id = ?1 AND l.clinic_id = ?2 AND l.id <> ?3 \
           AND l.received_at > q.received_at) \
         ORDER BY q.received_at DESC, q.id",
        args![
            super::db::id(patient_id),
            super::db::id(clinic_id),
            answer,
            epoch(since)
        ],
        |r| r.get(0),
    )
}

/// What an answer did to its visit.
pub fn set_outcome(
    conn: &Tx,
    id: &str,
    outcome: &str,
    appointment_id: Option<&str>,
) -> crate::error::Result<()> {
    conn.exec(
        On::writes(&[Table::Inbox]),
        "UPDATE inbox SET outcome = ?2, appointment_id = ?3 WHERE id = ?1",
        args![id, outcome, super::db::maybe_id(appointment_id)],
    )?;
    Ok(())
}

/// What became of the answer sent back.
pub fn set_answer(
    conn: &Tx,
    id: &str,
    status: &str,
    error: Option<&str>,
) -> crate::error::Result<()> {
    conn.exec(
        On::writes(&[Table::Inbox]),
        "UPDATE inbox SET answer_status = ?2, answer_error = ?3 WHERE id = ?1",
        args![id, status, error],
    )?;
    Ok(())
}

/// The messages of `clinic_id` (every clinic's when None) the desk is to
/// read: kept for the inbox, or answered where the answer could not be
/// sent; with `all`, every message received, done ones too. Newest first.
pub fn list(
    conn: &Tx,
    clinic_id: Option<&str>,
    all: bool,
    limit: i64,
) -> crate::error::Result<Vec<Inbound>> {
    let open = if all {
        ""
    } else {
        " AND i.done_at IS NULL AND (i.outcome = 'inbox' OR i.answer_status = 'failed')"
    };
    conn.rows(
        On::reads(&[Table::Inbox, Table::Patients]),
        &format!(
            "SELECT {COLS} {SELECT} WHERE {}{open} \
             ORDER BY i.received_at DESC, i.id DESC LIMIT ?2",
            of_clinic(clinic_id)
        ),
        args![clinic_arg(clinic_id), limit],
        from_row,
    )
}

/// What the patient `patient_id` wrote to `clinic_id`'s channels (every
/// clinic's when None), oldest first: their subject access
/// (docs/privacy.md#subject-access).
pub fn of_patient(
    conn: &Tx,
    patient_id: &str,
    clinic_id: Option<&str>,
) -> crate::error::Result<Vec<Inbound>> {
    conn.rows(
        On::reads(&[Table::Inbox, Table::Patients]),
        &format!(
            "SELECT {COLS} {SELECT} WHERE {} AND i.patient_id = ?2 \
             ORDER BY i.received_at, i.id",
            of_clinic(clinic_id)
        ),
        args![clinic_arg(clinic_id), super::db::id(patient_id)],
        from_row,
    )
}

/// One message received, by its ID (or the start of it, at least 4
/// characters) among `clinic_id`'s (every clinic's when None).
pub fn find(conn: &Tx, clinic_id: Option<&str>, id: &str) -> crate::error::Result<Vec<Inbound>> {
    conn.rows(
        On::reads(&[Table::Inbox, Table::Patients]),
        &format!(
            "SELECT {COLS} {SELECT} WHERE {} \
             AND substr(i.id, 1, length(?2)) = ?2 ORDER BY i.id LIMIT 2",
            of_clinic(clinic_id)
        ),
        args![clinic_arg(clinic_id), id],
        from_row,
    )
}

/// Marks a message done: the inbox no longer shows it.
pub fn done(conn: &Tx, id: &str, at: DateTime<Utc>) -> crate::error::Result<()> {
    conn.exec(
        On::writes(&[Table::Inbox]),
        "UPDATE inbox SET done_at = ?2 WHERE id = ?1 AND done_at IS NULL",
        args![id, epoch(at)],
    )?;
    Ok(())
}

/// The patients who wrote to one of `clinic_id`'s WhatsApp channels since
/// `since`, and when they last did (WhatsApp's 24-hour window for free text).
pub fn wrote_whatsapp_since(
    conn: &Tx,
    clinic_id: &str,
    since: DateTime<Utc>,
) -> crate::error::Result<Vec<(String, DateTime<Utc>)>> {
    let rows: Vec<(String, i64)> = conn.rows(
        On::reads(&[Table::Inbox]),
        "SELECT patient_id, max(received_at) FROM inbox WHERE clinic_id = ?1 \
         AND kind = 'whatsapp' AND received_at >= ?2 AND patient_id IS NOT NULL \
         GROUP BY patient_id",
        args![super::db::id(clinic_id), epoch(since)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    rows.into_iter()
        .map(|(p, at)| {
            super::stored::instant(at)
                .map(|at| (p, at))
                .map_err(crate::error::Error::database)
        })
        .collect()
}
