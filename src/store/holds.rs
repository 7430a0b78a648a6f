//! The `holds` and `web_codes` tables: the times held for patients typing
//! the code the booking page sent them, and the codes sent, for the page's
//! limits (docs/rules.md#holds).

use super::db::{marks, On, Row, Table, ToVal, Tx};
use super::epoch;
use crate::args;
use crate::core::slots::Hold;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// The columns of `holds`, as read and copied.
pub const COLS: &str = "id, clinic_id, doctor_id, service_id, starts_at, ends_at, until, name, \
                        phone, email, channel, code_hash, attempts, address, created_at, kind";
/// The columns of `web_codes`, as copied.
pub const CODE_COLS: &str = "id, phone_hash, address, sent_at, clinic_id";

/// A hold as stored: the time, and what the patient typed.
#[derive(Debug, Clone)]
pub struct Held {
    pub id: String,
    pub clinic_id: String,
    pub doctor_id: String,
    pub service_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub name: String,
    /// In E.164.
    pub phone: String,
    pub email: Option<String>,
    pub channel: Option<String>,
    pub code_hash: String,
    pub attempts: i64,
    pub address: String,
    pub created_at: DateTime<Utc>,
    /// What it is for: `time` keeps a time ([`TIME`]); `wait` (its
    /// starts_at and ends_at the day's local midnights) waits to join the
    /// doctor's waitlist for that day ([`WAIT`]), and keeps no time.
    pub kind: &'static str,
}

/// A hold of a time: it takes a place of the doctor's time.
pub const TIME: &str = "time";
/// A hold for a day's waitlist: it takes nothing.
pub const WAIT: &str = "wait";

fn from_row(r: &Row) -> Result<Held> {
    let f = r.of("holds", 0)?;
    Ok(Held {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        doctor_id: f.get(2)?,
        service_id: f.get(3)?,
        starts_at: f.instant(4)?,
        ends_at: f.instant(5)?,
        until: f.instant(6)?,
        name: f.get(7)?,
        phone: f.get(8)?,
        email: f.get(9)?,
        channel: f.get(10)?,
        code_hash: f.get(11)?,
        attempts: f.get(12)?,
        address: f.get(13)?,
        created_at: f.instant(14)?,
        kind: match f.one_of(15, &[TIME, WAIT])?.as_str() {
            WAIT => WAIT,
            _ => TIME,
        },
    })
}

pub fn insert(conn: &Tx, h: &Held) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Holds]),
        &format!("INSERT INTO holds ({COLS}) VALUES ({})", marks(1, 16)),
        args![
            h.id,
            super::db::id(&h.clinic_id),
            super::db::id(&h.doctor_id),
            super::db::maybe_id(h.service_id.as_deref()),
            epoch(h.starts_at),
            epoch(h.ends_at),
            epoch(h.until),
            h.name,
            h.phone,
            h.email,
            h.channel,
            h.code_hash,
            h.attempts,
            h.address,
            epoch(h.created_at),
            h.kind
        ],
    )?;
    Ok(())
}

/// The holds made for `phone` (at `clinic_id` only, when given), live or
/// not, oldest first: their subject access (docs/privacy.md#subject-access).
pub fn of_phone(conn: &Tx, phone: &str, clinic_id: Option<&str>) -> Result<Vec<Held>> {
    conn.rows(
        On::reads(&[Table::Holds]),
        &format!(
            "SELECT {COLS} FROM holds WHERE phone = ?1 AND (clinic_id = ?2 OR ?2 IS NULL) \
             ORDER BY created_at, id"
        ),
        args![phone, super::db::maybe_id(clinic_id)],
        from_row,
    )
}

/// The hold `id`, whether or not it is still live.
pub fn get(conn: &Tx, id: &str) -> Result<Option<Held>> {
    conn.row(
        On::reads(&[Table::Holds]),
        &format!("SELECT {COLS} FROM holds WHERE id = ?1"),
        args![id],
        from_row,
    )
}

/// Ends a hold: booked, or given up.
pub fn delete(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Holds]),
        "DELETE FROM holds WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

/// Counts a wrong code against the hold; returns the attempts so far.
pub fn failed_attempt(conn: &Tx, id: &str) -> Result<i64> {
    conn.exec(
        On::writes(&[Table::Holds]),
        "UPDATE holds SET attempts = attempts + 1 WHERE id = ?1",
        args![id],
    )?;
    conn.one(
        On::reads(&[Table::Holds]),
        "SELECT attempts FROM holds WHERE id = ?1",
        args![id],
    )
}

/// The holds of times of the doctors `doctor_ids` that meet `[from, to)`,
/// live or not (the day decides at its `now`), but `except` (the hold
/// being booked): each with its doctor. A hold for a waitlist keeps no
/// time and is not among them.
pub fn of_doctors(
    conn: &Tx,
    doctor_ids: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<(String, Hold)>> {
    if doctor_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![
        epoch(from).to_val(),
        epoch(to).to_val(),
        except.unwrap_or_default().to_val(),
    ];
    args.extend(super::db::ids(doctor_ids));
    conn.rows(
        On::reads(&[Table::Holds]),
        &format!(
            "SELECT doctor_id, id, starts_at, ends_at, until FROM holds \
             WHERE starts_at < ?2 AND ends_at > ?1 AND id <> ?3 AND kind = 'time' AND doctor_id IN ({}) \
             ORDER BY starts_at, id",
            marks(4, doctor_ids.len())
        ),
        &args,
        |r| owned_hold(r, "holds"),
    )
}

/// A row of (whose, the hold's ID, start, end, until) from `table`: the
/// hold of a doctor's time, or of a resource's (`hold_resources`).
pub(super) fn owned_hold(r: &Row, table: &'static str) -> Result<(String, Hold)> {
    let f = r.of(table, 1)?;
    Ok((
        f.get(0)?,
        Hold {
            id: f.id().to_string(),
            start: f.instant(2)?,
            end: f.instant(3)?,
            until: f.instant(4)?,
        },
    ))
}

/// How many holds are live at `now` for `phone`, and for `address`.
pub fn live(conn: &Tx, phone: &str, address: &str, now: DateTime<Utc>) -> Result<(i64, i64)> {
    let count = |col: &str, v: &str| -> Result<i64> {
        conn.one(
            On::reads(&[Table::Holds]),
            &format!("SELECT count(*) FROM holds WHERE {col} = ?1 AND until > ?2"),
            args![v, epoch(now)],
        )
    };
    Ok((count("phone", phone)?, count("address", address)?))
}

/// How many codes went to `phone_hash`, and to `address`, since `since`.
pub fn codes_since(
    conn: &Tx,
    phone_hash: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let count = |col: &str, v: &str| -> Result<i64> {
        conn.one(
            On::reads(&[Table::WebCodes]),
            &format!("SELECT count(*) FROM web_codes WHERE {col} = ?1 AND sent_at > ?2"),
            args![v, epoch(since)],
        )
    };
    Ok((count("phone_hash", phone_hash)?, count("address", address)?))
}

/// The oldest code sent to `phone_hash` or `address` since `since`: when
/// the limit it makes lets go.
pub fn oldest_code_since(
    conn: &Tx,
    phone_hash: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let oldest: Option<i64> = conn.one(
        On::reads(&[Table::WebCodes]),
        "SELECT min(sent_at) FROM web_codes WHERE (phone_hash = ?1 OR address = ?2) AND sent_at > ?3",
        args![phone_hash, address, epoch(since)],
    )?;
    Ok(oldest.and_then(|s| DateTime::from_timestamp(s, 0)))
}

pub fn record_code(
    conn: &Tx,
    clinic_id: &str,
    phone_hash: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.exec(
        On::writes(&[Table::WebCodes]),
        "INSERT INTO web_codes (id, phone_hash, address, sent_at, clinic_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![
            super::new_id(),
            phone_hash,
            address,
            epoch(at),
            super::db::id(clinic_id)
        ],
    )?;
    Ok(())
}

/// How many codes the page of `clinic_id` sent since `since`, and when the
/// oldest of them went: its hourly cap (docs/booking.md#codes).
pub fn clinic_codes_since(
    conn: &Tx,
    clinic_id: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>)> {
    let (n, oldest): (i64, Option<i64>) = conn
        .row(
            On::reads(&[Table::WebCodes]),
            "SELECT count(*), min(sent_at) FROM web_codes WHERE clinic_id = ?1 AND sent_at > ?2",
            args![super::db::id(clinic_id), epoch(since)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .unwrap_or((0, None));
    Ok((n, oldest.and_then(|s| DateTime::from_timestamp(s, 0))))
}

/// Whether a hold has ended by `now` or a code was sent before `codes_before`.
pub fn any_ended(conn: &Tx, now: DateTime<Utc>, codes_before: DateTime<Utc>) -> Result<bool> {
    let holds: Option<String> = conn.row(
        On::reads(&[Table::Holds]),
        "SELECT id FROM holds WHERE until <= ?1 LIMIT 1",
        args![epoch(now)],
        |r| r.get(0),
    )?;
    let codes: Option<String> = conn.row(
        On::reads(&[Table::WebCodes]),
        "SELECT id FROM web_codes WHERE sent_at <= ?1 LIMIT 1",
        args![epoch(codes_before)],
        |r| r.get(0),
    )?;
    Ok(holds.is_some() || codes.is_some())
}

/// Deletes the holds ended by `now` (what a patient typed goes with them)
/// and the codes older than `codes_before`.
pub fn purge(conn: &Tx, now: DateTime<Utc>, codes_before: DateTime<Utc>) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Holds]),
        "DELETE FROM holds WHERE until <= ?1",
        args![epoch(now)],
    )?;
    conn.exec(
        On::writes(&[Table::WebCodes]),
        "DELETE FROM web_codes WHERE sent_at <= ?1",
        args![epoch(codes_before)],
    )?;
    Ok(())
}
