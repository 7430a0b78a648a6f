//! The `reminders` table: every message `remind due` delivers — reminders
//! scheduled with an appointment, waitlist offers and patient notifications
//! (`kind`, docs/rules.md#walk-ins, docs/rules.md#reminders-and-notifications).
//! A run claims one reminder (`claim` = the run's ID, until `claimed_until`) in
//! a write transaction just before delivering it, and records the outcome only
//! while that claim still stands, so overlapping runs never deliver one twice;
//! a run that dies leaves its claim to lapse, and a later run retries.

use super::coded::{is, one_of};
use super::db::{id, ids, marks, Backend, Row, ToVal, Tx, Val};
use super::db::{Insert, On, Table};
use super::stored::{col, opt, Kind, Layout, NOT_NEGATIVE};
use super::{epoch, new_id};
use crate::args;
use crate::core::message::{Kind as MessageKind, Status as MessageStatus};
use crate::core::Coded;
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone)]
pub struct Reminder {
    pub id: String,
    pub appointment_id: String,
    pub offset_minutes: i64,
    pub due_at: DateTime<Utc>,
    pub status: MessageStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub kind: MessageKind,
    /// The message's own fields (a move's previous time, an offer's slot).
    pub data: Option<serde_json::Value>,
    /// The waitlist entry an offer is for.
    pub waitlist_id: Option<String>,
    /// The clinic's channel it was sent through (its name then), if any.
    pub channel: Option<String>,
    /// The provider's ID of the message sent through `channel`, if it gave one.
    pub provider_id: Option<String>,
    /// When the provider said it reached the patient's phone.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the provider said the patient read it.
    pub read_at: Option<DateTime<Utc>>,
    /// When appt made it (a booking's confirmation, a reminder scheduled).
    pub created_at: DateTime<Utc>,
}

impl Reminder {
    pub fn is_reminder(&self) -> bool {
        self.kind == MessageKind::Reminder
    }

    /// Whom the message is for: an offer's waiting patient (no one, when
    /// the offer names none: never the patient who freed the time), else
    /// the appointment's patient (name, phone).
    pub fn recipient<'a>(&'a self, a: &'a crate::core::Appointment) -> (&'a str, &'a str) {
        if self.kind != MessageKind::WaitlistOffer {
            return (&a.patient_name, &a.patient_phone);
        }
        let waiting = self.offer().map(|o| &o["waitlist"]["patient"]);
        waiting
            .and_then(|p| Some((p["full_name"].as_str()?, p["phone"].as_str()?)))
            .unwrap_or(("", ""))
    }

    /// Whose message it is, by ID: an offer's waiting patient (None when
    /// the offer names none), else the appointment's patient.
    pub fn recipient_id<'a>(&'a self, a: &'a crate::core::Appointment) -> Option<&'a str> {
        if self.kind != MessageKind::WaitlistOffer {
            return Some(&a.patient_id);
        }
        let waiting = &self.offer()?["waitlist"];
        waiting["patient_id"]
            .as_str()
            .or_else(|| waiting["patient"]["id"].as_str())
    }

    /// A waitlist offer's own fields (the freed slot's `date`, `time`,
    /// `starts_at`, the `clinic_name`, the `waitlist` entry with its patient).
    pub fn offer(&self) -> Option<&serde_json::Value> {
        self.data.as_ref()?.get("offer")
    }

    /// A waitlist offer's slot: the freed time offered, never the time of
    /// the appointment that freed it (which may have moved since); in the
    /// offer's zone, else `a`'s. None when this is no offer or its
    /// `starts_at` is unreadable.
    pub fn offered_slot(&self, a: &crate::core::Appointment) -> Option<OfferedSlot> {
        let o = self.offer()?;
        let start = crate::core::time::parse_rfc3339(o["starts_at"].as_str()?).ok()?;
        let minutes = o["duration_minutes"].as_i64().unwrap_or(a.duration_minutes);
        let timezone = o["timezone"]
            .as_str()
            .and_then(|z| crate::core::time::parse_timezone(z).ok())
            .unwrap_or(a.timezone);
        Some(OfferedSlot {
            start,
            end: start + Duration::minutes(minutes),
            timezone,
        })
    }
}

/// The slot a waitlist offer offers (docs/rules.md#the-waitlist).
#[derive(Debug, Clone, Copy)]
pub struct OfferedSlot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub timezone: crate::core::zone::Tz,
}

pub const COLS: &str = "id, appointment_id, offset_minutes, due_at, status, attempts, next_attempt_at, sent_at, last_error, \
                    kind, data, waitlist_id, channel, provider_id, delivered_at, read_at, created_at";

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "reminders",
    id: "id",
    cols: &[
        col(
            "offset_minutes",
            Kind::Range(NOT_NEGATIVE.0, NOT_NEGATIVE.1),
        ),
        col("due_at", Kind::Instant),
        col(
            "status",
            Kind::Range(MessageStatus::CODES.0, MessageStatus::CODES.1),
        ),
        opt("next_attempt_at", Kind::Instant),
        opt("sent_at", Kind::Instant),
        col(
            "kind",
            Kind::Range(MessageKind::CODES.0, MessageKind::CODES.1),
        ),
        opt("delivered_at", Kind::Instant),
        opt("read_at", Kind::Instant),
        opt("data", Kind::Json),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Reminder> {
    let f = r.of("reminders", 0)?;
    Ok(Reminder {
        id: f.id().to_string(),
        appointment_id: f.get(1)?,
        offset_minutes: f.range(2, NOT_NEGATIVE)?,
        due_at: f.instant(3)?,
        status: f.numbered(4, MessageStatus::CODES, MessageStatus::from_code)?,
        attempts: f.get(5)?,
        next_attempt_at: f.opt_instant(6)?,
        sent_at: f.opt_instant(7)?,
        last_error: f.get(8)?,
        kind: f.numbered(9, MessageKind::CODES, MessageKind::from_code)?,
        data: f.opt_json(10)?,
        waitlist_id: f.get(11)?,
        channel: f.get(12)?,
        provider_id: f.get(13)?,
        delivered_at: f.opt_instant(14)?,
        read_at: f.opt_instant(15)?,
        created_at: f.instant(16)?,
    })
}

/// One pending reminder per offset whose due time is still ahead (docs/rules.md#reminders-and-notifications).
pub fn schedule(
    conn: &Tx,
    appointment_id: &str,
    starts_at: DateTime<Utc>,
    offsets: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    // One statement for all of them (on PostgreSQL, one round trip).
    let mut args = Vec::new();
    for &offset in offsets {
        // An offset reaching back past any instant is never ahead.
        let due = Duration::try_minutes(offset).and_then(|o| starts_at.checked_sub_signed(o));
        if let Some(due) = due.filter(|due| *due > now) {
            let (new, now) = (new_id(), epoch(now));
            let none: Option<&str> = None;
            args.extend_from_slice(args![
                id(&new),
                id(appointment_id),
                offset,
                epoch(due),
                MessageStatus::Pending.code(),
                now,
                now,
                MessageKind::Reminder.code(),
                none,
                none
            ]);
        }
    }
    if args.is_empty() {
        return Ok(());
    }
    conn.insert_later(&INSERT, &args)
}

/// A new pending message: [`schedule`]'s reminders, [`notify`]'s notifications.
const INSERT: Insert = Insert {
    into: Table::Reminders,
    columns: &["id, appointment_id, offset_minutes, due_at, status, created_at, updated_at, kind, data, waitlist_id"],
    upsert: "",
};

/// Cancels the appointment's pending reminders (offers and notifications
/// have their own rules).
pub fn cancel_pending(conn: &Tx, appointment_id: &str, now: DateTime<Utc>) -> Result<()> {
    // SQLite (no statistics gathered) would otherwise pick an index of
    // kinds or statuses and walk every reminder of the kind ever scheduled,
    // or every pending one — about a second at a million appointments —
    // rather than the appointment's few.
    let table = match conn.backend() {
        Backend::Sqlite => "reminders INDEXED BY reminders_appt",
        Backend::Postgres => "reminders",
    };
    conn.exec(
        On::writes(&[Table::Reminders]),
        &format!(
            "UPDATE {table} SET status = {}, claim = NULL, claimed_until = NULL, updated_at = ?2 \
             WHERE appointment_id = ?1 AND {} AND {}",
            MessageStatus::Cancelled.code(),
            is("status", MessageStatus::Pending),
            is("kind", MessageKind::Reminder)
        ),
        args![id(appointment_id), epoch(now)],
    )?;
    Ok(())
}

/// Queues a message due at once: a notification or an offer.
pub fn queue(
    conn: &Tx,
    appointment_id: &str,
    kind: MessageKind,
    data: Option<&serde_json::Value>,
    waitlist_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let now = epoch(now);
    let data = data.map(|d| d.to_string());
    conn.insert_later(
        &INSERT,
        args![
            id(&new_id()),
            id(appointment_id),
            0_i64,
            now,
            MessageStatus::Pending.code(),
            now,
            now,
            kind.code(),
            data,
            waitlist_id
        ],
    )?;
    Ok(())
}

/// The appointment's notifications not yet delivered.
/// One message by its ID.
pub fn get(conn: &Tx, message: &str) -> Result<Reminder> {
    conn.row(
        On::reads(&[Table::Reminders]),
        &format!("SELECT {COLS} FROM reminders WHERE id = ?1"),
        args![id(message)],
        from_row,
    )?
    .ok_or_else(|| crate::error::Error::not_found(crate::error::Entity::Message))
}

pub fn pending_notices(conn: &Tx, appointment_id: &str) -> Result<Vec<Reminder>> {
    conn.rows(
        On::reads(&[Table::Reminders]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE appointment_id = ?1 AND {} \
             AND {} ORDER BY created_at, id",
            is("status", MessageStatus::Pending),
            one_of("kind", &MessageKind::NOTICES)
        ),
        args![id(appointment_id)],
        from_row,
    )
}

/// Withdraws a notification that newer news replaces. A run delivering it
/// right now keeps its claim, so the newer message waits until that run is
/// done: the patient never gets the news out of order.
pub fn supersede(conn: &Tx, message: &str, now: DateTime<Utc>) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Reminders]),
        &format!(
            "UPDATE reminders SET status = {}, updated_at = ?2 WHERE id = ?1 AND {}",
            MessageStatus::Cancelled.code(),
            is("status", MessageStatus::Pending)
        ),
        args![id(message), epoch(now)],
    )?;
    Ok(())
}

/// Cancels the pending offers made to a waitlist entry.
pub fn cancel_offers(conn: &Tx, waitlist_id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Reminders]),
        &format!(
            "UPDATE reminders SET status = {}, claim = NULL, claimed_until = NULL, updated_at = ?2 \
             WHERE waitlist_id = ?1 AND {} AND {}",
            MessageStatus::Cancelled.code(),
            is("status", MessageStatus::Pending),
            is("kind", MessageKind::WaitlistOffer)
        ),
        args![waitlist_id, epoch(now)],
    )?;
    Ok(())
}

/// Every message about the appointments of `ids` (whole IDs), by due time:
/// what a patient's export shows (but the waitlist offers, which go to
/// another patient) and what a purge sorts out.
pub fn of_appointments(conn: &Tx, ids: &[&str]) -> Result<Vec<Reminder>> {
    about(conn, ids, "")
}

/// The messages about the appointments of `ids` that went out or failed
/// for good, by due time: what the board's status line tells of a visit.
pub fn told_of(conn: &Tx, ids: &[&str]) -> Result<Vec<Reminder>> {
    about(
        conn,
        ids,
        &format!(
            " AND {}",
            one_of("status", &[MessageStatus::Sent, MessageStatus::Failed])
        ),
    )
}

/// The messages about the appointments of `ids`, under condition `and`, by due time.
fn about(conn: &Tx, ids: &[&str], and: &str) -> Result<Vec<Reminder>> {
    let mut found = conn.rows_in_ids(
        On::reads(&[Table::Reminders]),
        &format!("SELECT {COLS} FROM reminders WHERE appointment_id IN ({{keys}}){and}"),
        &[],
        ids,
        from_row,
    )?;
    found.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
    Ok(found)
}

/// The last `limit` messages about the patient `patient_id`'s own visits
/// that went out or failed for good, latest first (`patient show`): an
/// offer is about another patient's visit, and is not among them.
pub fn latest_of_patient(conn: &Tx, patient_id: &str, limit: i64) -> Result<Vec<Reminder>> {
    conn.rows(
        On::reads(&[Table::Reminders, Table::Appointments]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE appointment_id IN \
             (SELECT id FROM appointments WHERE patient_id = ?1) \
             AND kind <> {} AND {} \
             ORDER BY COALESCE(sent_at, updated_at) DESC, id DESC LIMIT ?2",
            MessageKind::WaitlistOffer.code(),
            one_of("status", &[MessageStatus::Sent, MessageStatus::Failed])
        ),
        args![super::db::id(patient_id), limit],
        from_row,
    )
}

/// The last message sent to patient `patient_id` about one of their own
/// visits at `clinic_id`: what a bare `1` or `2` answers.
pub fn last_sent_to(conn: &Tx, patient_id: &str, clinic_id: &str) -> Result<Option<Reminder>> {
    conn.row(
        On::reads(&[Table::Reminders, Table::Appointments]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE appointment_id IN \
             (SELECT id FROM appointments WHERE patient_id = ?1 AND clinic_id = ?2) \
             AND kind <> {} AND sent_at IS NOT NULL \
             ORDER BY sent_at DESC, id DESC LIMIT 1",
            MessageKind::WaitlistOffer.code()
        ),
        args![super::db::id(patient_id), id(clinic_id)],
        from_row,
    )
}

/// The waitlist offers made to the patient `patient_id`, by due time: an
/// offer names its waiting patient in its own fields, and outlives the
/// entry it was made to (read through `reminders_kind`, then each offer's
/// patient checked).
pub fn offers_to(conn: &Tx, patient_id: &str) -> Result<Vec<Reminder>> {
    let named = format!(
        "%\"patient_id\":\"{}\"%",
        patient_id.replace(['%', '_'], "")
    );
    let offers = conn.rows(
        On::reads(&[Table::Reminders]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE {} AND data LIKE ?1 \
             ORDER BY due_at, id",
            is("kind", MessageKind::WaitlistOffer)
        ),
        args![named],
        from_row,
    )?;
    Ok(offers
        .into_iter()
        .filter(|r| {
            r.offer()
                .is_some_and(|o| o["waitlist"]["patient_id"] == patient_id)
        })
        .collect())
}

/// Messages, by due time, optionally of one status and of one kind.
pub fn list(
    conn: &Tx,
    status: Option<MessageStatus>,
    kind: Option<MessageKind>,
    limit: i64,
) -> Result<Vec<Reminder>> {
    let sql = list_query(status, kind, limit);
    conn.rows(On::reads(&[Table::Reminders]), &sql, &[], from_row)
}

/// [`list`]'s statement: only the filters given, so that one of them picks
/// its index (`reminders_due` for a status still to deliver or failed,
/// `reminders_kind` for a kind but the reminders', both ordered by due
/// time; the others walk `reminders_due_at`, where they are most of the
/// rows). The status and the kind are written into the statement, so that
/// a plan made once for any value (PostgreSQL's generic plan) still sees
/// which index holds its rows.
fn list_query(status: Option<MessageStatus>, kind: Option<MessageKind>, limit: i64) -> String {
    let conds: Vec<String> = [status.map(|s| is("status", s)), kind.map(|k| is("kind", k))]
        .into_iter()
        .flatten()
        .collect();
    let cond = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    format!("SELECT {COLS} FROM reminders {cond} ORDER BY due_at, id LIMIT {limit}")
}

/// The condition for a reminder a run may take at `?1`: pending, due, its retry
/// time come, and no live claim on it; a notification also waits while
/// another notification of its appointment is being delivered (news in order).
fn takeable() -> &'static str {
    static TAKEABLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAKEABLE.get_or_init(|| {
        let (notices, their_notices) = (one_of("kind", &MessageKind::NOTICES), one_of("o.kind", &MessageKind::NOTICES));
        format!(
            "{} AND due_at <= ?1 \
             AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) AND (claimed_until IS NULL OR claimed_until <= ?1) \
             AND (NOT {notices} OR NOT EXISTS (\
             SELECT 1 FROM reminders o WHERE o.appointment_id = reminders.appointment_id AND o.id <> reminders.id \
             AND {their_notices} AND o.claimed_until > ?1))",
            is("status", MessageStatus::Pending)
        )
    })
}

/// A page of the pending messages due by `now` that no live run has
/// claimed and whose retry time has come: at most `page` of them, by due
/// time and ID, after `after` (the last of the page before).
pub fn due_page(
    conn: &Tx,
    now: DateTime<Utc>,
    after: Option<(DateTime<Utc>, &str)>,
    kind: Option<MessageKind>,
    page: i64,
) -> Result<Vec<Reminder>> {
    let mut args = vec![epoch(now).to_val(), page.to_val()];
    let mut past = String::new();
    if let Some((at, last)) = after {
        args.push(epoch(at).to_val());
        args.push(id(last));
        past.push_str(" AND (due_at > ?3 OR (due_at = ?3 AND id > ?4))");
    }
    if let Some(kind) = kind {
        past.push_str(&format!(" AND {}", is("kind", kind)));
    }
    conn.rows(
        On::reads(&[Table::Reminders]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE {}{past} ORDER BY due_at, id LIMIT ?2",
            takeable()
        ),
        &args,
        from_row,
    )
}

/// The reminders (kind `reminder`) of `appointments` a run may take at
/// `now`, whichever page their due times fall in: a page decides all of an
/// appointment's due reminders at once.
pub fn due_reminders_of(
    conn: &Tx,
    now: DateTime<Utc>,
    appointments: &[&str],
) -> Result<Vec<Reminder>> {
    if appointments.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![epoch(now).to_val()];
    args.extend(self::ids(appointments));
    conn.rows(
        On::reads(&[Table::Reminders]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE {} AND appointment_id IN ({}) AND {} \
             ORDER BY due_at, id",
            is("kind", MessageKind::Reminder),
            marks(2, appointments.len()),
            takeable()
        ),
        &args,
        from_row,
    )
}

/// Those of `ids` a run may still take at `now`, in the order of `ids`
/// (another run may have delivered, claimed or cancelled some since the
/// sweep looked).
pub fn takeable_many(conn: &Tx, ids: &[&str], now: DateTime<Utc>) -> Result<Vec<Reminder>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![epoch(now).to_val()];
    args.extend(self::ids(ids));
    let mut found = conn.rows(
        On::reads(&[Table::Reminders]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE id IN ({}) AND {}",
            marks(2, ids.len()),
            takeable()
        ),
        &args,
        from_row,
    )?;
    found.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(found)
}

/// Claims each of `ids` for run `run` until `until`.
pub fn claim_many(
    conn: &Tx,
    ids: &[&str],
    run: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut args: Vec<Val> = args![run, epoch(until), epoch(now)].to_vec();
    args.extend(self::ids(ids));
    conn.exec(
        On::writes(&[Table::Reminders]),
        &format!(
            "{} reminders SET claim = ?1, claimed_until = ?2, updated_at = ?3 WHERE id IN ({})",
            update_many(conn),
            marks(4, ids.len())
        ),
        &args,
    )?;
    Ok(())
}

/// The verb of an `UPDATE` of many rows. On SQLite `UPDATE OR FAIL`: a
/// plain `UPDATE` of many rows first copies each page it changes to a
/// temporary file, to undo the statement alone should a later row break a
/// constraint; a statement that fails here fails its whole transaction,
/// which is rolled back, so that copy is never used
/// (docs/performance/issue-69.md#the-sweep-its-visits-read-once-its-updates-without-a-journal).
fn update_many(conn: &Tx) -> &'static str {
    match conn.backend() {
        Backend::Sqlite => "UPDATE OR FAIL",
        Backend::Postgres => "UPDATE",
    }
}

/// Records the delivery of each of `ids` whose claim by run `run` still
/// stands; returns how many (the others were taken over by another run or
/// cancelled meanwhile). A notification superseded while this run delivered
/// it keeps the claim: it did go out.
pub fn mark_sent_many(conn: &Tx, ids: &[&str], run: &str, now: DateTime<Utc>) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut args: Vec<Val> = args![run, epoch(now)].to_vec();
    args.extend(self::ids(ids));
    let sql = sent_sql(update_many(conn), ids.len());
    conn.exec(On::writes(&[Table::Reminders]), &sql, &args)
}

/// Marks message `id` sent through channel `channel` (the provider's
/// message ID `provider_id`), if run `run`'s claim on it still stands;
/// true when it did.
pub fn mark_sent_via(
    conn: &Tx,
    message: &str,
    run: &str,
    now: DateTime<Utc>,
    channel: &str,
    provider_id: Option<&str>,
) -> Result<bool> {
    Ok(conn.exec(
        On::writes(&[Table::Reminders]),
        &format!(
            "UPDATE reminders SET status = {}, sent_at = ?3, attempts = attempts + 1, claim = NULL, \
             claimed_until = NULL, last_error = NULL, channel = ?4, provider_id = ?5, updated_at = ?3 \
             WHERE id = ?1 AND claim = ?2 AND {}",
            MessageStatus::Sent.code(),
            one_of("status", &[MessageStatus::Pending, MessageStatus::Cancelled])
        ),
        args![id(message), run, epoch(now), channel, provider_id],
    )? == 1)
}

/// [`mark_sent_many`]'s statement for `n` IDs. The `+ 0` keeps the status
/// out of the index choice: with a long ID list SQLite would otherwise walk
/// every pending reminder by status instead of looking the IDs up.
fn sent_sql(update: &str, n: usize) -> String {
    format!(
        "{update} reminders SET status = {}, sent_at = ?2, attempts = attempts + 1, claim = NULL, \
         claimed_until = NULL, last_error = NULL, updated_at = ?2 \
         WHERE id IN ({}) AND claim = ?1 AND {}",
        MessageStatus::Sent.code(),
        marks(3, n),
        one_of(
            "(status + 0)",
            &[MessageStatus::Pending, MessageStatus::Cancelled]
        )
    )
}

/// Deletes the messages `ids` if they are no longer pending (a purge's, which
/// never takes a message still to deliver); returns how many went.
pub fn delete_finished(conn: &Tx, ids: &[&str]) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let args: Vec<Val> = self::ids(ids).collect();
    conn.exec(
        On::writes(&[Table::Reminders]),
        &format!(
            "DELETE FROM reminders WHERE id IN ({}) AND status <> {}",
            marks(1, ids.len()),
            MessageStatus::Pending.code()
        ),
        &args,
    )
}

/// Ends a pending reminder undelivered (`cancelled` or `expired`).
pub fn set_status(
    conn: &Tx,
    message: &str,
    status: MessageStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Reminders]),
        "UPDATE reminders SET status = ?2, claim = NULL, claimed_until = NULL, updated_at = ?3 WHERE id = ?1",
        args![id(message), status.code(), epoch(now)],
    )?;
    Ok(())
}

/// Gives the claim back untouched (the run could not deliver, through no fault of the reminder's).
pub fn release(conn: &Tx, message: &str, run: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Reminders]),
        "UPDATE reminders SET claim = NULL, claimed_until = NULL WHERE id = ?1 AND claim = ?2",
        args![id(message), run],
    )?;
    Ok(())
}

/// Records a failed attempt (retried at `retry_at`, or `failed` for good when
/// None), if run `run`'s claim still stands.
pub fn mark_attempt_failed(
    conn: &Tx,
    message: &str,
    run: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(conn.exec(
        On::writes(&[Table::Reminders]),
        &format!(
            "UPDATE reminders SET attempts = attempts + 1, last_error = ?3, next_attempt_at = ?4, claim = NULL, \
             claimed_until = NULL, status = CASE WHEN CAST(?4 AS BIGINT) IS NULL THEN {} ELSE status END, \
             updated_at = ?5 WHERE id = ?1 AND claim = ?2 AND {}",
            MessageStatus::Failed.code(),
            is("status", MessageStatus::Pending)
        ),
        args![id(message), run, error, retry_at.map(epoch), epoch(now)],
    )? == 1)
}

/// The message sent through a channel of `clinic_id` that the provider
/// knows as `provider_id`.
pub fn by_provider_id(conn: &Tx, clinic_id: &str, provider_id: &str) -> Result<Option<Reminder>> {
    conn.row(
        On::reads(&[Table::Reminders, Table::Appointments]),
        &format!(
            "SELECT {COLS} FROM reminders WHERE provider_id = ?1 AND EXISTS \
             (SELECT 1 FROM appointments a WHERE a.id = reminders.appointment_id \
             AND a.clinic_id = ?2)"
        ),
        args![provider_id, id(clinic_id)],
        from_row,
    )
}

/// Records a provider's receipt of a message sent (docs/rules.md#answers):
/// delivered and read keep their first time (a read message was delivered);
/// a failure after it was taken marks it `failed` with the provider's
/// reason, never to be retried, unless it was already delivered (a late or
/// out-of-order failure does not undo what the phone said). True when the
/// message changed.
pub fn record_receipt(
    conn: &Tx,
    message: &str,
    state: crate::core::inbound::State,
    error: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool> {
    use crate::core::inbound::State;
    let at = epoch(at);
    let sent = is("status", MessageStatus::Sent);
    let n = match state {
        State::Sent => 0,
        State::Delivered => conn.exec(
            On::writes(&[Table::Reminders]),
            &format!(
                "UPDATE reminders SET delivered_at = ?2, updated_at = ?2 \
                 WHERE id = ?1 AND {sent} AND delivered_at IS NULL"
            ),
            args![id(message), at],
        )?,
        State::Read => conn.exec(
            On::writes(&[Table::Reminders]),
            &format!(
                "UPDATE reminders SET read_at = ?2, delivered_at = coalesce(delivered_at, ?2), \
                 updated_at = ?2 WHERE id = ?1 AND {sent} AND read_at IS NULL"
            ),
            args![id(message), at],
        )?,
        State::Failed => conn.exec(
            On::writes(&[Table::Reminders]),
            &format!(
                "UPDATE reminders SET status = {}, last_error = ?3, next_attempt_at = NULL, \
                 updated_at = ?2 WHERE id = ?1 AND {sent} AND delivered_at IS NULL",
                MessageStatus::Failed.code()
            ),
            args![id(message), at, error.unwrap_or("failed")],
        )?,
    };
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::sqlite_plan as plan;

    #[test]
    fn remind_list_finds_a_status_or_a_kind_through_its_index() {
        for (status, kind, index) in [
            (Some(MessageStatus::Failed), None, "reminders_due"),
            (None, Some(MessageKind::Confirmation), "reminders_kind"),
        ] {
            let plan = plan(&list_query(status, kind, 100), vec![]);
            assert!(
                plan[0].starts_with(&format!("SEARCH reminders USING INDEX {index} ")),
                "{plan:?}"
            );
        }
    }

    /// On PostgreSQL too, where each index holds only the statuses or the
    /// kinds looked up (schema v24).
    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn remind_list_finds_a_status_or_a_kind_through_its_index_on_postgres() {
        crate::store::on_scratch_pg(|st| {
            st.read(|tx| {
                tx.exec(On::NOTHING, "SET LOCAL enable_seqscan = off", &[])?;
                for (status, kind, index) in [
                    (Some(MessageStatus::Failed), None, "reminders_due"),
                    (Some(MessageStatus::Pending), None, "reminders_due"),
                    (None, Some(MessageKind::Confirmation), "reminders_kind"),
                    (None, Some(MessageKind::WaitlistOffer), "reminders_kind"),
                ] {
                    let sql = list_query(status, kind, 100);
                    let plan: Vec<String> =
                        tx.rows(On::NOTHING, &format!("EXPLAIN {sql}"), &[], |r| r.get(0))?;
                    let plan = plan.join("\n");
                    assert!(plan.contains(index), "{sql}\n{plan}");
                }
                Ok(())
            })
            .unwrap();
        });
    }

    /// A message asked for by text that is no ID (kept as 16 bytes) is
    /// not found, and changes nothing, as an unknown ID: never a database
    /// error (PostgreSQL would refuse the text as a `uuid`).
    fn text_that_is_no_id_finds_no_message(st: &mut crate::store::Store) {
        let now = Utc::now();
        st.write(|tx| {
            for asked in ["r-1", "0c65dd4b", ""] {
                let e = get(tx, asked).unwrap_err();
                assert_eq!(e.code, crate::error::Code::NotFound, "{asked}: {e:?}");
                set_status(tx, asked, MessageStatus::Cancelled, now)?;
                assert!(!record_receipt(
                    tx,
                    asked,
                    crate::core::inbound::State::Read,
                    None,
                    now
                )?);
                assert_eq!(delete_finished(tx, &[asked])?, 0);
            }
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn text_that_is_no_id_finds_no_message_on_sqlite() {
        text_that_is_no_id_finds_no_message(&mut crate::store::Store::in_memory().unwrap());
    }

    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn text_that_is_no_id_finds_no_message_on_postgres() {
        crate::store::on_scratch_pg(text_that_is_no_id_finds_no_message);
    }

    #[test]
    fn recording_a_batch_looks_its_reminders_up_by_id() {
        for n in [1, 2, 16, 256] {
            assert_eq!(
                plan(&sent_sql("UPDATE OR FAIL", n), vec![Val::Null; n + 2]),
                ["SEARCH reminders USING INDEX sqlite_autoindex_reminders_1 (id=?)"],
                "{n} IDs"
            );
        }
    }
}
