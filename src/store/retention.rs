//! What a purge reads to find the visits that are over
//! (docs/privacy.md#retention): a clinic's appointments day by day, a page
//! at a time, through the index on the clinic and the local date; and, for
//! the retention `remind due` applies, where its last run stopped (a mark in
//! `meta`), so that a run reads only what ended or changed since.

use super::db::{On, Table, Tx};
use crate::args;
use crate::error::Result;
use chrono::NaiveDate;

/// An appointment a purge looks at: its ID, start and end (epoch seconds).
#[derive(Debug, Clone)]
pub struct Visit {
    pub id: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// The first local date after `after` (any, when None) and not after
/// `last` on which clinic `clinic_id` has an appointment.
pub fn next_day(
    tx: &Tx,
    clinic_id: &str,
    after: Option<NaiveDate>,
    last: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let after = after.map_or(super::stored::DAYS.0 - 1, super::db::day_number);
    let day: Option<i64> = tx.one(
        On::reads(&[Table::Appointments]),
        NEXT_DAY,
        args![super::db::id(clinic_id), after, super::db::day(last)],
    )?;
    Ok(day.and_then(super::db::date_of_day))
}

const NEXT_DAY: &str = "SELECT min(local_date) FROM appointments \
                        WHERE clinic_id = ?1 AND local_date > ?2 AND local_date <= ?3";

/// Where a page of a day starts: after this start and ID.
pub type After<'a> = Option<(i64, &'a str)>;

/// At most `limit` of the appointments of clinic `clinic_id` on local date
/// `day` that ended in [`from`, `before`), in order of start and ID, after
/// `after`.
pub fn visits_of_day(
    tx: &Tx,
    clinic_id: &str,
    day: NaiveDate,
    (from, before): (i64, i64),
    after: After,
    limit: i64,
) -> Result<Vec<Visit>> {
    let (start, id) = after.unwrap_or((i64::MIN, ""));
    tx.rows(
        On::reads(&[Table::Appointments]),
        VISITS_OF_DAY,
        args![
            super::db::id(clinic_id),
            super::db::day(day),
            from,
            before,
            start,
            super::db::id(id),
            limit
        ],
        |r| {
            Ok(Visit {
                id: r.get(0)?,
                starts_at: r.get(1)?,
                ends_at: r.get(2)?,
            })
        },
    )
}

const VISITS_OF_DAY: &str = "SELECT id, starts_at, ends_at FROM appointments \
     WHERE clinic_id = ?1 AND local_date = ?2 AND ends_at >= ?3 AND ends_at < ?4 \
     AND (starts_at > ?5 OR (starts_at = ?5 AND id > ?6)) \
     ORDER BY starts_at, id LIMIT ?7";

/// Where the retention of a clinic last stopped: everything of the visits
/// that ended before `before` is purged, as of the event `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub before: i64,
    pub event: i64,
}

fn key(clinic_id: &str) -> String {
    format!("retention:{clinic_id}")
}

/// The clinic's mark, if its retention ever finished a run.
pub fn mark(tx: &Tx, clinic_id: &str) -> Result<Option<Mark>> {
    let text = super::meta::value(tx, &key(clinic_id))?;
    // A mark that does not read is as none: the next run reads everything.
    Ok(text.and_then(|t| {
        let (before, event) = t.split_once(',')?;
        Some(Mark {
            before: before.parse().ok()?,
            event: event.parse().ok()?,
        })
    }))
}

/// Records where the clinic's retention stopped.
pub fn set_mark(tx: &Tx, clinic_id: &str, m: Mark) -> Result<()> {
    super::meta::set(tx, &key(clinic_id), &format!("{},{}", m.before, m.event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::Val;
    use crate::store::sqlite_plan as plan;

    fn text(s: &str) -> Val {
        Val::Text(s.into())
    }

    /// A clinic's ID, kept as its 16 bytes (schema 62).
    fn clinic() -> Val {
        crate::store::db::id("00000000-0000-4000-8000-00000000000c")
    }

    /// A purge reads a clinic's days through the index on the clinic and the
    /// local date, never the whole table.
    #[test]
    fn a_purge_walks_a_clinics_days_through_their_index() {
        let p = plan(NEXT_DAY, vec![clinic(), Val::Int(0), Val::Int(20_624)]);
        assert_eq!(
            p,
            ["SEARCH appointments USING COVERING INDEX appt_clinic_date (clinic_id=? AND local_date>? AND local_date<?)"]
        );
        let p = plan(
            VISITS_OF_DAY,
            vec![
                clinic(),
                Val::Int(20_620),
                Val::Int(0),
                Val::Int(1),
                Val::Int(0),
                text(""),
                Val::Int(500),
            ],
        );
        assert!(
            p[0].starts_with(
                "SEARCH appointments USING INDEX appt_clinic_date (clinic_id=? AND local_date=?"
            ),
            "{p:?}"
        );
    }
}
