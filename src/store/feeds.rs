//! The `feeds` table: the calendars `appt serve` publishes
//! (docs/feeds.md). As with an API token, a feed's token is never stored,
//! only its SHA-256 (hex), by which a request's token is found, and its
//! first 8 characters. A revoked feed stays, marked with when it was
//! revoked. Also here: the one statement that tells whether a feed's
//! calendar changed ([`signature`]), so that an unchanged one is answered
//! without reading its visits.

use super::columns::{self, place};
use super::db::{On, Row, Table, Tx};
use super::epoch;
use super::keys::to_hex;
use super::stored::{col, opt, Kind, Layout};
use crate::args;
use crate::core::feed::{Days, Show};
use crate::error::Result;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// One feed as it may be shown: never the token, never its hash.
#[derive(Debug, Clone)]
pub struct Feed {
    pub id: String,
    pub name: String,
    /// The token's first 8 characters.
    pub prefix: String,
    pub clinic_id: String,
    /// `None`: the whole clinic's visits.
    pub doctor_id: Option<String>,
    pub show: Show,
    pub days_back: i64,
    pub days_ahead: i64,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The clinic's name and the doctor's, to show.
    pub clinic: String,
    pub doctor: Option<String>,
    /// The calendar's ETag when it was last asked for, and since when it
    /// has been that (its Last-Modified).
    pub seen: Option<(String, DateTime<Utc>)>,
}

pub const COLS: &str = "id, name, prefix, hash, clinic_id, doctor_id, show, days_back, \
                        days_ahead, created_at, revoked_at, etag, etag_at";

const SHOWS: &[&str] = &["none", "initials", "names"];

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "feeds",
    id: "id",
    cols: &[
        col("show", Kind::OneOf(SHOWS)),
        col("days_back", Kind::Range(0, 366)),
        col("days_ahead", Kind::Range(1, 366)),
        col("created_at", Kind::Instant),
        opt("revoked_at", Kind::Instant),
        opt("etag_at", Kind::Instant),
    ],
    rules: &[],
};

/// What [`select`] reads.
const SELECTED: On = On::reads(&[Table::Feeds, Table::Clinics, Table::Doctors]);

fn select(filter: &str) -> String {
    format!(
        "SELECT {}, c.name, d.full_name FROM feeds f JOIN clinics c ON c.id = f.clinic_id \
         LEFT JOIN doctors d ON d.id = f.doctor_id {filter}",
        columns::under("f", COLS)
    )
}

fn from_row(r: &Row) -> Result<Feed> {
    let f = r.of("feeds", place!(COLS, "id"))?;
    let n = const { columns::count(COLS) };
    Ok(Feed {
        id: f.id().to_string(),
        name: f.get(place!(COLS, "name"))?,
        prefix: f.get(place!(COLS, "prefix"))?,
        clinic_id: f.get(place!(COLS, "clinic_id"))?,
        doctor_id: f.get(place!(COLS, "doctor_id"))?,
        show: Show::parse(&f.one_of(place!(COLS, "show"), SHOWS)?).unwrap_or_default(),
        days_back: f.get(place!(COLS, "days_back"))?,
        days_ahead: f.get(place!(COLS, "days_ahead"))?,
        created_at: f.instant(place!(COLS, "created_at"))?,
        revoked_at: f.opt_instant(place!(COLS, "revoked_at"))?,
        clinic: f.get(n)?,
        doctor: f.get(n + 1)?,
        seen: match (
            f.get::<Option<String>>(place!(COLS, "etag"))?,
            f.opt_instant(place!(COLS, "etag_at"))?,
        ) {
            (Some(tag), Some(at)) => Some((tag, at)),
            _ => None,
        },
    })
}

/// Adds a feed, kept as its token's hash (hex SHA-256 of the whole token).
pub fn insert(tx: &Tx, f: &Feed, hash: &str) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Feeds]),
        &format!(
            "INSERT INTO feeds ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,NULL,NULL,NULL)"
        ),
        args![
            f.id,
            f.name,
            f.prefix,
            hash,
            super::db::id(&f.clinic_id),
            super::db::maybe_id(f.doctor_id.as_deref()),
            f.show.as_str(),
            f.days_back,
            f.days_ahead,
            epoch(f.created_at)
        ],
    )?;
    Ok(())
}

/// The feed of this name that is not revoked, if any.
pub fn active_by_name(tx: &Tx, name: &str) -> Result<Option<Feed>> {
    tx.row(
        SELECTED,
        &select("WHERE f.name = ?1 AND f.revoked_at IS NULL"),
        args![name],
        from_row,
    )
}

/// The feeds not revoked whose kept prefix is this one, oldest first.
pub fn active_by_prefix(tx: &Tx, prefix: &str) -> Result<Vec<Feed>> {
    tx.rows(
        SELECTED,
        &select("WHERE f.prefix = ?1 AND f.revoked_at IS NULL ORDER BY f.created_at, f.id"),
        args![prefix],
        from_row,
    )
}

/// The feed not revoked whose hash this is: one look-up in the unique
/// index on the hash.
pub fn active_by_hash(tx: &Tx, hash: &str) -> Result<Option<Feed>> {
    tx.row(
        SELECTED,
        &select("WHERE f.hash = ?1 AND f.revoked_at IS NULL"),
        args![hash],
        from_row,
    )
}

/// Every feed, revoked ones too, oldest first.
pub fn list(tx: &Tx) -> Result<Vec<Feed>> {
    tx.rows(
        SELECTED,
        &select("ORDER BY f.created_at, f.name, f.id"),
        args![],
        from_row,
    )
}

pub fn revoke(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Feeds]),
        "UPDATE feeds SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        args![id, epoch(now)],
    )?;
    Ok(())
}

/// Records that the feed's calendar is `etag` since `now` (when it was
/// another before): its Last-Modified from then on.
pub fn saw(tx: &Tx, id: &str, etag: &str, now: DateTime<Utc>) -> Result<()> {
    tx.exec(
        On::writes(&[Table::Feeds]),
        "UPDATE feeds SET etag = ?2, etag_at = ?3 WHERE id = ?1 AND etag IS DISTINCT FROM ?2",
        args![id, etag, epoch(now)],
    )?;
    Ok(())
}

/// What a feed's calendar is made of on its `days`: whatever changes the
/// calendar changes one of these, within the same second too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Signature {
    /// Its visits, each `ID:sequence`: a visit booked, moved in or out, or
    /// changed in any way (every change raises its sequence) changes it. On
    /// SQLite the SHA-256 of their list in the feed index's order; on
    /// PostgreSQL their count and the sum of their hashes, so that the
    /// server sends a few characters rather than a hundred kilobytes.
    pub visits: String,
    /// How many times a patient's name was changed or erased, anywhere
    /// (`meta`'s `patient_names`), when the feed shows patients; else empty.
    /// A feed does not look each of its patients up to tell.
    pub patients: String,
    /// The names an event or the calendar shows besides: every service's,
    /// every doctor's, and the clinic's with its zone and language.
    pub names: String,
}

/// The key in `meta` of the count of patients' name changes.
pub const PATIENT_NAMES: &str = "patient_names";

/// The [`Signature`] of `feed` on `days`, in one statement: an aggregate
/// over the doctor's (or the clinic's) visits on its days, through the
/// day's index, and the few names of the clinic's setup. Kept by the
/// connection until the database changes ([`Tx::lasting`]): a
/// phone asking again for a calendar it holds, with nothing changed, is
/// answered without reading a visit.
pub fn signature(tx: &Tx, feed: &Feed, days: Days) -> Result<Signature> {
    let pg = matches!(tx.backend(), super::db::Backend::Postgres);
    let named = feed.show != Show::None;
    let doctor = feed.doctor_id.as_deref();
    let asked = format!(
        "feeds::signature {} {} {} {} {named}",
        feed.clinic_id,
        days.from,
        days.to,
        doctor.unwrap_or("-")
    );
    tx.lasting(asked, || {
        let on = if named { SIGNED_NAMED } else { SIGNED };
        let sql = signature_sql(pg, doctor.is_some(), named);
        let (from, to) = (super::db::day(days.from), super::db::day(days.to));
        let row = |r: &Row| {
            let visits: String = r.get(0)?;
            Ok(Signature {
                // SQLite's list of every visit, made short once here rather
                // than hashed again with the ETag at every request.
                visits: if pg {
                    visits
                } else {
                    to_hex(&Sha256::digest(visits.as_bytes()))
                },
                patients: r.get(1)?,
                names: r.get(2)?,
            })
        };
        let clinic = super::db::id(&feed.clinic_id);
        match doctor {
            Some(d) => tx.row(on, &sql, args![clinic, from, to, super::db::id(d)], row),
            None => tx.row(on, &sql, args![clinic, from, to], row),
        }
        .map(Option::unwrap_or_default)
    })
}

/// [`signature`]'s statement: on PostgreSQL or SQLite, for a doctor's
/// feed (`?4`) or a clinic's, with the count of patients' name changes
/// when the feed names patients.
fn signature_sql(pg: bool, doctor: bool, named: bool) -> String {
    let who = if doctor {
        "a.doctor_id = ?4 AND a.clinic_id = ?1"
    } else {
        "a.clinic_id = ?1"
    };
    // SQLite reads them in the order of the feed's index, the same from one
    // request to the next (sorting them cost more than the rest of the
    // statement). PostgreSQL's plans may vary the order, and sorting and
    // sending a hundred kilobytes cost it more than the statement: it adds
    // up each visit's hash instead (`hashtext`, its own hash of a text),
    // which no order changes, beside their count.
    let visits = if pg {
        "count(*) || ':' || coalesce(sum(hashtext(a.id || ':' || a.sequence)), 0)"
    } else {
        "coalesce(string_agg(hex(a.id) || ':' || a.sequence, ','), '')"
    };
    let patients = if named {
        format!("coalesce((SELECT m.value FROM meta m WHERE m.key = '{PATIENT_NAMES}'), '0')")
    } else {
        "''".to_string()
    };
    // The services' and doctors' IDs, kept as their 16 bytes (schema 62),
    // as the text they were before: the ETag does not change with them.
    // Ordered by their bytes, which order as their text does.
    let backend = if pg {
        super::db::Backend::Postgres
    } else {
        super::db::Backend::Sqlite
    };
    let (service, doctor) = (
        super::db::shown_id_sql(backend, "s.id"),
        super::db::shown_id_sql(backend, "d.id"),
    );
    format!(
        "SELECT {visits}, {patients}, \
         (SELECT coalesce(string_agg({service} || ':' || s.name, '|' ORDER BY s.id), '') FROM services s) \
         || '#' || (SELECT coalesce(string_agg({doctor} || ':' || d.full_name, '|' ORDER BY d.id), '') \
         FROM doctors d) || '#' || (SELECT c.name || ':' || c.timezone || ':' || c.language \
         FROM clinics c WHERE c.id = ?1) \
         FROM appointments a WHERE {who} AND a.local_date BETWEEN ?2 AND ?3"
    )
}

/// [`order`]'s statement for a doctor's feed.
const DOCTOR_ORDER: &str = "SELECT a.id, a.sequence FROM appointments a WHERE a.doctor_id = ?4 \
     AND a.clinic_id = ?1 AND a.local_date BETWEEN ?2 AND ?3 ORDER BY a.local_date, a.id";

/// The feed's visits on `days` as `(ID, sequence)`, by day and then ID:
/// the order of the doctor's feed index, read from it alone.
pub fn order(tx: &Tx, feed: &Feed, days: Days) -> Result<Vec<(String, i64)>> {
    let (from, to) = (super::db::day(days.from), super::db::day(days.to));
    let row = |r: &Row| Ok((r.get(0)?, r.get(1)?));
    let on = On::reads(&[Table::Appointments]);
    match &feed.doctor_id {
        Some(d) => tx.rows(
            on,
            DOCTOR_ORDER,
            args![super::db::id(&feed.clinic_id), from, to, super::db::id(d)],
            row,
        ),
        None => tx.rows(
            on,
            "SELECT a.id, a.sequence FROM appointments a WHERE a.clinic_id = ?1 \
             AND a.local_date BETWEEN ?2 AND ?3 ORDER BY a.local_date, a.id",
            args![super::db::id(&feed.clinic_id), from, to],
            row,
        ),
    }
}

const SIGNED: On = On::reads(&[
    Table::Appointments,
    Table::Clinics,
    Table::Doctors,
    Table::Services,
]);
const SIGNED_NAMED: On = On::reads(&[
    Table::Appointments,
    Table::Clinics,
    Table::Doctors,
    Table::Meta,
    Table::Services,
]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// SQLite's plan of `sql`, one line per step.
    fn plan(conn: &rusqlite::Connection, sql: &str, n: usize) -> String {
        let args = vec![rusqlite::types::Value::Null; n];
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = st
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn a_doctors_feed_is_told_apart_from_its_index_alone() {
        let mut s = Store::in_memory().unwrap();
        let c = &s.sqlite().unwrap().conn;
        for named in [false, true] {
            let p = plan(c, &signature_sql(false, true, named), 4);
            assert!(
                p.contains("SEARCH a USING COVERING INDEX appt_doctor_feed (doctor_id=? AND clinic_id=? AND local_date>? AND local_date<?)"),
                "{p}"
            );
            assert!(!p.contains("patients"), "{p}");
        }
        let p = plan(c, DOCTOR_ORDER, 4);
        assert!(p.contains("COVERING INDEX appt_doctor_feed"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "no sort: {p}");
    }

    /// The names an ETag signs write each service's and doctor's ID as its
    /// text, as they were before their IDs were kept as 16 bytes (schema
    /// 62): a phone's ETag is not changed by the upgrade.
    #[test]
    fn the_names_signed_hold_the_ids_as_text() {
        let mut s = Store::in_memory().unwrap();
        let c = &s.sqlite().unwrap().conn;
        let (clinic, doctor, service) = (
            "00000000-0000-4000-8000-00000000000c",
            "00000000-0000-4000-8000-00000000000d",
            "00000000-0000-4000-8000-00000000000e",
        );
        let bytes = |id: &str| uuid::Uuid::parse_str(id).unwrap().into_bytes().to_vec();
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        c.execute(
            "INSERT INTO services (id, name, name_key, duration_minutes, created_at, updated_at) \
             VALUES (?1, 'Consulta', 'consulta', 30, 0, 0)",
            [bytes(service)],
        )
        .unwrap();
        c.execute(
            "INSERT INTO doctors (id, full_name, name_key, created_at, updated_at) \
             VALUES (?1, 'Dra. Ruiz', 'ruiz', 0, 0)",
            [bytes(doctor)],
        )
        .unwrap();
        c.execute(
            "INSERT INTO clinics (id, name, name_key, timezone, slot_minutes, min_notice, horizon, \
             cancel_window, reminders, duplicate_check, require_diagnosis, created_at, updated_at) \
             VALUES (?1, 'Centro', 'centro', 'America/El_Salvador', 30, 0, 0, 0, '', 0, 0, 0, 0)",
            [bytes(clinic)],
        )
        .unwrap();
        c.execute(
            "INSERT INTO appointments (id, clinic_id, patient_id, local_date, starts_at, ends_at, \
             duration_minutes, status, token_number, source, created_at, updated_at) \
             VALUES (?1, ?2, ?1, 10, 1, 2, 30, 1, 1, 1, 0, 0)",
            [bytes(doctor), bytes(clinic)],
        )
        .unwrap();
        let names: String = c
            .query_row(
                &signature_sql(false, false, true),
                rusqlite::params![bytes(clinic), 0, 20],
                |r| r.get(2),
            )
            .unwrap();
        assert!(
            names == format!("{service}:Consulta#{doctor}:Dra. Ruiz#Centro:America/El_Salvador:en"),
            "{names}"
        );
    }
}
