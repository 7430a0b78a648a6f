//! The times the appointments hold, buffers included, as the rules on
//! capacity read them (docs/rules.md#booking): a doctor's over a span, many
//! doctors' at once, a clinic's clinic-wide ones; kept by the transaction
//! (or, for many doctors, the connection) that read them.

use super::asked::Asked;
use super::db::{self, marks, Backend, On, Peek, Row, Table, Tx, Val};
use super::stored::{BUFFER, MINUTES};
use super::{epoch, ACTIVE};
use crate::args;
use crate::core::slots::Busy;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

/// The longest appointment (docs/rules.md#booking rule 1): bounds the index range that can overlap a time.
pub const MAX_MINUTES: i64 = MINUTES.1;

/// The longest buffer in seconds: how far past its own time an appointment holds (docs/rules.md#buffers).
const MAX_BUFFER_SECS: i64 = BUFFER.1 * 60;

/// The time an appointment holds, buffers included, meets `[?4, ?2)`; the index range on
/// `starts_at` is the widest that can: the longest appointment with the longest buffers.
pub(super) fn busy_sql(cond: &str) -> String {
    format!(
        "SELECT {BUSY_COLS} FROM appointments WHERE {cond} \
         AND starts_at < CAST(?2 AS BIGINT) + {MAX_BUFFER_SECS} AND starts_at > ?3 \
         AND starts_at - buffer_before * 60 < ?2 AND ends_at + buffer_after * 60 > ?4 \
         AND status IN {ACTIVE} AND id IS DISTINCT FROM ?5"
    )
}

/// [`busy_for_doctors`]' query for `n` doctors: through each doctor's
/// start times in the index of the active appointments' busy times. Given
/// many doctors, SQLite (no statistics gathered) would walk every active
/// appointment by status (`appt_status_start`) instead.
pub(super) fn busy_many_sql(backend: Backend, n: usize) -> String {
    let from = match backend {
        Backend::Sqlite => "appointments INDEXED BY appt_doctor_busy",
        Backend::Postgres => "appointments",
    };
    format!(
        "SELECT {BUSY_COLS}, doctor_id FROM {from} \
         WHERE doctor_id IN ({}) AND starts_at < CAST(?1 AS BIGINT) + {MAX_BUFFER_SECS} AND starts_at > ?2 \
         AND starts_at - buffer_before * 60 < ?1 AND ends_at + buffer_after * 60 > ?3 \
         AND status IN {ACTIVE}",
        marks(4, n)
    )
}

/// What [`busy_row`] reads of an appointment holding capacity.
pub(super) const BUSY_COLS: &str = "id, starts_at, ends_at, buffer_before, buffer_after, solo";

/// An appointment holding capacity: its ID, start, end, buffers and
/// whether it sits in a one-at-a-time window.
pub(super) fn busy_row(r: &Row) -> Result<Busy> {
    let f = r.of("appointments", 0)?;
    let mut b = Busy::new(
        f.id().to_string(),
        f.instant(1)?,
        f.instant(2)?,
        f.range(3, BUFFER)?,
        f.range(4, BUFFER)?,
    );
    b.solo = f.get::<i64>(5)? == 1;
    Ok(b)
}

fn busy(
    conn: &Tx,
    cond: &str,
    key: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
    extra: &[Val],
) -> Result<Vec<Busy>> {
    // starts_at > from - MAX bounds the index range: nothing longer (with
    // its buffer after) can reach `from`.
    let mut args = busy_args(key, from, to, except);
    args.extend_from_slice(extra);
    conn.rows(
        On::reads(&[Table::Appointments]),
        &busy_sql(cond),
        &args,
        busy_row,
    )
}

/// [`busy_sql`]'s first five parameters.
pub(super) fn busy_args(
    key: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Vec<Val> {
    let lower = epoch(from) - MAX_MINUTES * 60 - MAX_BUFFER_SECS;
    args![
        db::id(key),
        epoch(to),
        lower,
        epoch(from),
        db::maybe_id(except)
    ]
    .to_vec()
}

/// A doctor's active appointments (at any clinic) overlapping `[from, to)`.
/// Read once per transaction for the same doctor and span ([`Tx::memo`], [`Asked::Busy`]):
/// an appointment written in it adds itself ([`kept_with`]); any other write
/// to `appointments` forgets them.
pub fn busy_for_doctor(
    conn: &Tx,
    doctor_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<Busy>> {
    let read = || busy(conn, "doctor_id = ?1", doctor_id, from, to, except, &[]);
    if except.is_some() {
        return read();
    }
    let asked = Asked::Busy {
        doctor: doctor_id,
        from,
        to,
    };
    let kept = conn.memo(asked, || {
        Ok(KeptBusy {
            from,
            to,
            busy: read()?,
        })
    })?;
    Ok(kept.busy)
}

/// A doctor's busy times over a span, as kept.
#[derive(Clone)]
pub(super) struct KeptBusy {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    busy: Vec<Busy>,
}

impl KeptBusy {
    pub(super) fn new(from: DateTime<Utc>, to: DateTime<Utc>, busy: Vec<Busy>) -> Self {
        KeptBusy { from, to, busy }
    }
}

/// The busy times of `n` doctors' spans (`?1`: `n` doctors, spans and
/// bounds, four parameters each, as [`busy_args`] begins), each span
/// through the doctor's start times in the index of the active
/// appointments' busy times: each span says it asks for the active ones,
/// as that index holds (said once for all, it would have SQLite walk every
/// active appointment by status instead; and SQLite's `INDEXED BY` would
/// walk the whole index rather than look each span up).
pub(super) fn busy_spans_sql(n: usize) -> String {
    let one = |i: usize| {
        let (d, to, lower, from) = (4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4);
        format!(
            "(doctor_id = ?{d} AND starts_at < CAST(?{to} AS BIGINT) + {MAX_BUFFER_SECS} AND starts_at > ?{lower} \
             AND starts_at - buffer_before * 60 < ?{to} AND ends_at + buffer_after * 60 > ?{from} \
             AND status IN {ACTIVE})"
        )
    };
    format!(
        "SELECT {BUSY_COLS}, doctor_id FROM appointments WHERE {}",
        (0..n).map(one).collect::<Vec<_>>().join(" OR ")
    )
}

/// The active appointments of several doctors (at any clinic) overlapping
/// `[from, to)`: each doctor's, in the order of `doctor_ids`. Kept by the
/// connection until the database changes ([`Tx::lasting`]): the
/// booking page's patients ask the same day of the same doctors again and
/// again.
pub fn busy_for_doctors(
    conn: &Tx,
    doctor_ids: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<std::sync::Arc<[Busy]>>> {
    if doctor_ids.is_empty() {
        return Ok(Vec::new());
    }
    let asked = format!(
        "appointments::busy_for_doctors {} {} {}",
        epoch(from),
        epoch(to),
        doctor_ids.join(" ")
    );
    // Kept shared: each request takes the doctors' lists, not copies.
    conn.lasting(asked, || {
        let read = read_busy_for_doctors(conn, doctor_ids, from, to)?;
        Ok(read.into_iter().map(Into::into).collect::<Vec<_>>())
    })
}

/// [`busy_for_doctors`], read.
fn read_busy_for_doctors(
    conn: &Tx,
    doctor_ids: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Vec<Busy>>> {
    let mut out: Vec<Vec<Busy>> = doctor_ids.iter().map(|_| Vec::new()).collect();
    let sql = busy_many_sql(conn.backend(), doctor_ids.len());
    let lower = epoch(from) - MAX_MINUTES * 60 - MAX_BUFFER_SECS;
    let mut args = args![epoch(to), lower, epoch(from)].to_vec();
    // Kept as their 16 bytes: each row's doctor is told by them.
    let keys: Vec<Val> = doctor_ids.iter().map(|d| db::id(d)).collect();
    args.extend(keys.iter().cloned());
    // A doctor's rows come together through their index: the doctor is
    // looked up again only when it changes, and never copied.
    let mut at = 0;
    conn.each(On::reads(&[Table::Appointments]), &sql, &args, |r| {
        let doctor = match r.peek(6)? {
            Peek::Id(d) => Val::Id(d),
            _ => Val::Null,
        };
        if keys[at] != doctor {
            at = keys.iter().position(|d| *d == doctor).ok_or_else(|| {
                Error::internal(crate::text::msg!("e-busy_time_of_a_doctor_not_asked_for"))
            })?;
        }
        out[at].push(busy_row(r)?);
        Ok(())
    })?;
    Ok(out)
}

/// A clinic's clinic-wide active appointments of one service (None is a
/// service of its own), whichever window row they were booked in.
pub fn busy_clinic_wide(
    conn: &Tx,
    clinic_id: &str,
    service_id: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<Busy>> {
    busy(
        conn,
        CLINIC_WIDE,
        clinic_id,
        from,
        to,
        except,
        args![db::maybe_id(service_id)],
    )
}

/// The clinic-wide capacity scope: `doctor_id IS NULL` with the time range uses `appt_doctor_busy`.
pub(super) const CLINIC_WIDE: &str =
    "clinic_id = ?1 AND doctor_id IS NULL AND service_id IS NOT DISTINCT FROM ?6";

/// Adds `b`, an active appointment just written, to the busy times of
/// `doctor` kept in this transaction whose span it meets.
pub(super) fn kept_with(conn: &Tx, doctor: &str, b: &Busy) {
    conn.amend_kept(
        Asked::busy_of(doctor, &[]),
        |day: &KeptBusy| b.holds(day.from, day.to),
        |day| day.busy.push(b.clone()),
    );
}
