//! The doctors' own calendars (docs/calendars.md): `calendars`, whose
//! address, user and password are one JSON object sealed under the
//! database's key, bound to the calendar's ID (as a channel's secrets), and
//! `calendar_busy`, each busy time read from them (when and whose, nothing
//! of what), cut at UTC midnights ([`crate::core::outside::pieces`]).

use super::db::{On, Row, Table, Tx};
use super::keys::{Keyring, Unopened};
use super::stored::{col, opt, Kind, Layout};
use super::{epoch, name_key};
use crate::args;
use crate::core::outside::{Away, Source, SOURCES};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What is sealed of a calendar: where it is and how to sign in.
#[derive(Serialize, Deserialize)]
pub struct Secrets {
    pub url: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// A calendar as stored: its secrets still sealed.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: String,
    pub name: String,
    pub doctor_id: String,
    /// The doctor's name, to show.
    pub doctor: String,
    pub source: Source,
    /// What may be shown of the address: its scheme and host.
    pub host: String,
    pub sealed: Vec<u8>,
    /// `--write`: the doctor's visits are put into it (a CalDAV calendar).
    pub write_back: bool,
    /// What the last good read saw (an ETag, a getctag and sync-token).
    pub tag: Option<String>,
    /// A CalDAV collection's sync-token at the last good read, which the
    /// next asks what changed since.
    pub sync_token: Option<String>,
    /// The end of the span the last good read covered.
    pub read_to: Option<DateTime<Utc>>,
    pub synced_at: Option<DateTime<Utc>>,
    pub busy_count: i64,
    /// Stale since, and why (the first failure since the last good read).
    pub failed: Option<(DateTime<Utc>, String)>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl Stored {
    /// Its secrets, opened with `ring`; `DATABASE_ERROR` naming the
    /// calendar when they do not open (never the bytes).
    pub fn open(&self, ring: &Keyring) -> Result<Secrets> {
        let damaged =
            |why: crate::text::Msg| super::stored::damaged("calendars", &self.id, "secrets", why);
        let plain = ring
            .open_secrets(&self.id, &self.sealed)
            .map_err(|why| damaged(why.describe()))?;
        serde_json::from_str(&plain).map_err(|_| damaged(Unopened::Damaged.describe()))
    }
}

pub const COLS: &str = "id, name, name_key, doctor_id, kind, host, secrets, tag, \
                        read_to, synced_at, busy_count, failed_at, failure, due_at, created_at, \
                        reading_until, write_back, sync_token";
/// `calendar_writes`' columns.
pub const WRITE_COLS: &str = "calendar_id, appointment_id, sequence, digest, etag";
/// `calendar_busy`'s columns.
pub const BUSY_COLS: &str = "calendar_id, doctor_id, document, piece, starts_at, ends_at";

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "calendars",
    id: "id",
    cols: &[
        col("kind", Kind::OneOf(&SOURCES)),
        opt("read_to", Kind::Instant),
        opt("synced_at", Kind::Instant),
        opt("failed_at", Kind::Instant),
        opt("reading_until", Kind::Instant),
        col("due_at", Kind::Instant),
        col("created_at", Kind::Instant),
    ],
    rules: &[],
};

const SELECTED: On = On::reads(&[Table::Calendars, Table::Doctors]);

fn select(filter: &str) -> String {
    format!(
        "SELECT {}, d.full_name FROM calendars k JOIN doctors d ON d.id = k.doctor_id \
         {filter} ORDER BY d.full_name, k.name_key",
        super::columns::under("k", COLS)
    )
}

fn from_row(r: &Row) -> Result<Stored> {
    let f = r.of("calendars", 0)?;
    let failed = match (f.opt_instant(11)?, f.get::<Option<String>>(12)?) {
        (Some(at), why) => Some((at, why.unwrap_or_default())),
        (None, _) => None,
    };
    Ok(Stored {
        id: f.id().to_string(),
        name: f.get(1)?,
        doctor_id: f.get(3)?,
        source: f.code(4, Source::parse)?,
        host: f.get(5)?,
        sealed: f.get(6)?,
        tag: f.get(7)?,
        read_to: f.opt_instant(8)?,
        synced_at: f.opt_instant(9)?,
        busy_count: f.get(10)?,
        failed,
        due_at: f.instant(13)?,
        created_at: f.instant(14)?,
        write_back: f.get::<i64>(16)? == 1,
        sync_token: f.get(17)?,
        doctor: f.get(18)?,
    })
}

pub fn insert(tx: &Tx, c: &Stored) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Calendars]),
        &format!(
            "INSERT INTO calendars ({COLS}) VALUES \
             (?1,?2,?3,?4,?5,?6,?7,NULL,NULL,NULL,0,NULL,NULL,?8,?9,NULL,?10,NULL)"
        ),
        args![
            c.id,
            c.name,
            name_key(&c.name),
            super::db::id(&c.doctor_id),
            c.source.as_str(),
            c.host,
            c.sealed,
            epoch(c.due_at),
            epoch(c.created_at),
            i64::from(c.write_back)
        ],
    )?;
    Ok(())
}

/// Every calendar, by doctor and name.
pub fn list(tx: &Tx) -> Result<Vec<Stored>> {
    tx.rows(SELECTED, &select(""), args![], from_row)
}

/// The calendar of this name (case and accents aside), if any.
pub fn by_name(tx: &Tx, name: &str) -> Result<Option<Stored>> {
    tx.row(
        SELECTED,
        &select("WHERE k.name_key = ?1"),
        args![name_key(name)],
        from_row,
    )
}

/// The doctor's calendars.
pub fn of_doctor(tx: &Tx, doctor_id: &str) -> Result<Vec<Stored>> {
    tx.rows(
        SELECTED,
        &select("WHERE k.doctor_id = ?1"),
        args![super::db::id(doctor_id)],
        from_row,
    )
}

/// Removes a calendar, its busy times and what it wrote (the events stay
/// on the server).
pub fn remove(tx: &Tx, id: &str) -> Result<()> {
    for table in [Table::CalendarBusy, Table::CalendarWrites] {
        tx.exec(
            On::writes(table.alone()),
            &format!("DELETE FROM {} WHERE calendar_id = ?1", table.name()),
            args![id],
        )?;
    }
    tx.exec(
        On::writes(&[Table::Calendars]),
        "DELETE FROM calendars WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

/// Claims the calendar for one read, until `reading` (when the claim
/// lapses, should the process die), its next sync due at `next`: true
/// when no other process is reading it and (with `due`) it was due at
/// `now`.
pub fn claim(
    tx: &Tx,
    id: &str,
    (now, due): (DateTime<Utc>, bool),
    reading: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<bool> {
    let n = tx.exec(
        On::writes(&[Table::Calendars]),
        "UPDATE calendars SET due_at = ?4, reading_until = ?3 WHERE id = ?1 \
         AND (reading_until IS NULL OR reading_until <= ?2) AND (?5 = 0 OR due_at <= ?2)",
        args![id, epoch(now), epoch(reading), epoch(next), i64::from(due)],
    )?;
    Ok(n == 1)
}

/// What a good read saw: the calendar's state (its ETag, or getctag and
/// sync-token), the end of the span it has read, and the busy times of the
/// documents read, each by its document (a digest of an event's address,
/// `""` for an ICS file).
pub struct Saved<'a> {
    pub tag: Option<&'a str>,
    pub sync_token: Option<&'a str>,
    pub read_to: Option<DateTime<Utc>>,
    pub busy: &'a [(String, Away)],
    /// The documents whose busy times `busy` replaces (a CalDAV
    /// `sync-collection`'s changes); None: the calendar's, all of them.
    pub only: Option<&'a [String]>,
}

/// A good read: the busy times of the documents it read become `r.busy`
/// (in pieces), its state is `r`'s; it is no longer stale. `busy_count`
/// counts the busy times kept (their first pieces).
pub fn save(tx: &Tx, c: &Stored, r: &Saved, now: DateTime<Utc>) -> Result<()> {
    match r.only {
        None => {
            tx.exec(
                On::writes(&[Table::CalendarBusy]),
                "DELETE FROM calendar_busy WHERE calendar_id = ?1",
                args![c.id],
            )?;
        }
        Some(only) => {
            for chunk in only.chunks(200) {
                let marks: Vec<String> = (0..chunk.len()).map(|i| format!("?{}", i + 2)).collect();
                let mut values = args![c.id].to_vec();
                values.extend(chunk.iter().map(crate::store::db::ToVal::to_val));
                tx.exec(
                    On::writes(&[Table::CalendarBusy]),
                    &format!(
                        "DELETE FROM calendar_busy WHERE calendar_id = ?1 AND document IN ({})",
                        marks.join(", ")
                    ),
                    &values,
                )?;
            }
        }
    }
    // Two busy times of a document may share a piece (both run past
    // midnight): kept once, as the first piece it is of either.
    let mut pieces: std::collections::BTreeMap<(&str, Away), i64> = Default::default();
    for (document, a) in r.busy {
        for (i, p) in crate::core::outside::pieces(*a).into_iter().enumerate() {
            let at = pieces.entry((document.as_str(), p)).or_insert(i as i64);
            *at = (*at).min(i as i64);
        }
    }
    let pieces: Vec<_> = pieces.into_iter().collect();
    for chunk in pieces.chunks(150) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| {
                let at = 3 + 4 * i;
                format!("(?1, ?2, ?{}, ?{}, ?{}, ?{})", at, at + 1, at + 2, at + 3)
            })
            .collect();
        let mut values = args![c.id, super::db::id(&c.doctor_id)].to_vec();
        for ((document, a), piece) in chunk {
            values.extend_from_slice(args![*document, *piece, epoch(a.start), epoch(a.end)]);
        }
        tx.exec(
            On::writes(&[Table::CalendarBusy]),
            &format!(
                "INSERT INTO calendar_busy ({BUSY_COLS}) VALUES {}",
                marks.join(", ")
            ),
            &values,
        )?;
    }
    tx.exec(
        On::writes(&[Table::Calendars]).reading(&[Table::CalendarBusy]),
        "UPDATE calendars SET tag = ?2, sync_token = ?3, read_to = ?4, synced_at = ?5, \
         busy_count = (SELECT COUNT(*) FROM calendar_busy WHERE calendar_id = ?1 AND piece = 0), \
         failed_at = NULL, failure = NULL, reading_until = NULL WHERE id = ?1",
        args![c.id, r.tag, r.sync_token, r.read_to.map(epoch), epoch(now)],
    )?;
    Ok(())
}

/// An answer that said nothing changed: synced now, not stale.
pub fn unchanged(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Calendars]),
        "UPDATE calendars SET synced_at = ?2, failed_at = NULL, failure = NULL, \
         reading_until = NULL WHERE id = ?1",
        args![id, epoch(now)],
    )?;
    Ok(())
}

/// A failed read: the busy times stay; stale since the first failure.
pub fn failed(tx: &Tx, id: &str, now: DateTime<Utc>, why: &str) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Calendars]),
        "UPDATE calendars SET failed_at = COALESCE(failed_at, ?2), failure = ?3, \
         reading_until = NULL WHERE id = ?1",
        args![id, epoch(now), why],
    )?;
    Ok(())
}

/// One visit's event as appt wrote it into a calendar.
#[derive(Debug, Clone)]
pub struct Written {
    pub appointment_id: String,
    /// The appointment's sequence when written.
    pub sequence: i64,
    /// The event's text, hashed (SHA-256, hex).
    pub digest: String,
    /// The server's ETag of it, when it gave one.
    pub etag: Option<String>,
}

/// What appt wrote into the calendar, by appointment ID.
pub fn written(tx: &Tx, calendar_id: &str) -> Result<Vec<Written>> {
    tx.rows(
        On::reads(&[Table::CalendarWrites]),
        "SELECT appointment_id, sequence, digest, etag FROM calendar_writes \
         WHERE calendar_id = ?1 ORDER BY appointment_id",
        args![calendar_id],
        |r| {
            Ok(Written {
                appointment_id: r.get(0)?,
                sequence: r.get(1)?,
                digest: r.get(2)?,
                etag: r.get(3)?,
            })
        },
    )
}

/// A visit's event written: what it was and the server's ETag kept.
pub fn wrote(tx: &Tx, calendar_id: &str, w: &Written) -> Result<()> {
    tx.exec(
        On::writes(&[Table::CalendarWrites]),
        &format!(
            "INSERT INTO calendar_writes ({WRITE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (calendar_id, appointment_id) DO UPDATE SET \
             sequence = excluded.sequence, digest = excluded.digest, etag = excluded.etag"
        ),
        args![
            calendar_id,
            super::db::id(&w.appointment_id),
            w.sequence,
            w.digest,
            w.etag
        ],
    )?;
    Ok(())
}

/// A visit's event deleted from the calendar.
pub fn unwrote(tx: &Tx, calendar_id: &str, appointment_id: &str) -> Result<()> {
    tx.exec(
        On::writes(&[Table::CalendarWrites]),
        "DELETE FROM calendar_writes WHERE calendar_id = ?1 AND appointment_id = ?2",
        args![calendar_id, super::db::id(appointment_id)],
    )?;
    Ok(())
}

/// Whether a busy time `a` is one [`busy_of`] reads for `[from, to)`: the
/// same condition as its query, for a caller that read a wider span once
/// and takes each narrower one from it (`app::away::AcrossDays`).
pub fn busy_meets(a: &Away, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    a.start > from - Duration::days(1) && a.start < to && a.end > from
}

/// The busy times of the doctors `doctors` that meet `[from, to)`, each
/// with its doctor, by start.
pub fn busy_of(
    tx: &Tx,
    doctors: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, Away)>> {
    if doctors.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..doctors.len()).map(|i| format!("?{}", i + 4)).collect();
    let mut values = args![epoch(from - Duration::days(1)), epoch(to), epoch(from)].to_vec();
    values.extend(super::db::ids(doctors));
    tx.rows(
        On::reads(&[Table::CalendarBusy]),
        &format!(
            "SELECT doctor_id, starts_at, ends_at FROM calendar_busy \
             WHERE doctor_id IN ({}) AND starts_at > ?1 AND starts_at < ?2 AND ends_at > ?3 \
             ORDER BY starts_at",
            marks.join(", ")
        ),
        &values,
        |r| {
            let f = r.of("calendar_busy", 0)?;
            Ok((
                f.get(0)?,
                Away {
                    start: f.instant(1)?,
                    end: f.instant(2)?,
                },
            ))
        },
    )
}
