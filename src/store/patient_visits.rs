//! A patient's visits, read from the `appointments` table: those to come
//! and those past, the next one at a clinic, and whether the patient was
//! seen before (what makes a booking a follow-up).

use super::appointments::{from_row, select, SELECTED};
use super::db::{marks, On, Table, ToVal, Tx, Val};
use super::{epoch, ACTIVE};
use crate::args;
use crate::core::{Appointment, AppointmentRow, Status};
use crate::error::Result;
use chrono::{DateTime, Utc};

/// The active appointments of `patients` that start from `since` on, in
/// start order (at most 50).
pub fn active_of(conn: &Tx, patients: &[String], since: DateTime<Utc>) -> Result<Vec<Appointment>> {
    if patients.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<Val> = vec![epoch(since).to_val()];
    args.extend(patients.iter().map(|p| super::db::id(p)));
    conn.rows(
        SELECTED,
        &format!(
            "{} WHERE a.patient_id IN ({}) AND a.starts_at >= ?1 AND a.status IN {ACTIVE} \
             ORDER BY a.starts_at, a.id LIMIT 50",
            select(),
            marks(2, patients.len())
        ),
        &args,
        from_row,
    )
}

/// A patient's active appointments from `now` on (earliest first), or all
/// of theirs before it (latest first): at most `limit`.
pub fn of_patient(
    conn: &Tx,
    patient_id: &str,
    now: DateTime<Utc>,
    upcoming: bool,
    limit: i64,
) -> Result<Vec<Appointment>> {
    // Upcoming visits are the ones still to come: a cancelled one is not.
    let (cond, order, active) = if upcoming {
        (">=", "ASC", format!(" AND a.status IN {ACTIVE}"))
    } else {
        ("<", "DESC", String::new())
    };
    conn.rows(
        SELECTED,
        &format!(
            "{} WHERE a.patient_id = ?1 AND a.starts_at {cond} ?2{active} ORDER BY a.starts_at {order} LIMIT ?3",
            select()
        ),
        args![super::db::id(patient_id), epoch(now), limit],
        from_row,
    )
}

/// The statuses of a visit still to be answered for: not yet arrived.
const AWAITED: &str =
    super::columns::code_list!(Status::codes([Status::Scheduled, Status::Confirmed]));

/// The patient's next scheduled or confirmed visit at clinic `clinic_id`
/// after `now`.
pub fn next_at(
    conn: &Tx,
    patient_id: &str,
    clinic_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Appointment>> {
    conn.row(
        SELECTED,
        &format!(
            "{} WHERE a.patient_id = ?1 AND a.clinic_id = ?2 AND a.starts_at > ?3 \
             AND a.status IN {AWAITED} ORDER BY a.starts_at LIMIT 1",
            select()
        ),
        args![
            super::db::id(patient_id),
            super::db::id(clinic_id),
            epoch(now)
        ],
        from_row,
    )
}

/// [`seen_before`]'s statement: no index takes the status or the start
/// (`+ 0`), or SQLite walks `appt_status_start` through most of
/// the table for each booking (docs/performance/house-rebuilt.md).
pub(super) const SEEN_BEFORE: &str =
    "SELECT EXISTS (SELECT 1 FROM appointments WHERE patient_id = ?1 AND status + 0 = ?2 \
     AND starts_at + 0 < ?3 AND (doctor_id = ?4 OR (?4 IS NULL AND clinic_id = ?5)) \
     AND (?6 = 0 OR clinic_id = ?5))";

/// Whether `a`'s patient has a completed visit that started before `a`
/// with `a`'s doctor, or, for a clinic-wide visit, at `a`'s clinic (with
/// `here_only`, at `a`'s clinic either way): what makes `a` a follow-up
/// when nobody says (docs/rules.md#visits), looked up among the patient's
/// appointments (`appt_patient_date`).
pub fn seen_before(conn: &Tx, a: &AppointmentRow, here_only: bool) -> Result<bool> {
    let completed = Status::Completed.code();
    conn.one(
        On::reads(&[Table::Appointments]),
        SEEN_BEFORE,
        args![
            super::db::id(&a.patient_id),
            completed,
            epoch(a.starts_at),
            super::db::maybe_id(a.doctor_id.as_deref()),
            super::db::id(&a.clinic_id),
            i64::from(here_only)
        ],
    )
}

/// How many of a patient's visits at `clinic` were marked no-shows (among
/// those still kept): the count a caller seeing from that clinic is given
/// in place of the patient's own, which counts every clinic's.
pub fn no_shows_at(conn: &Tx, patient_id: &str, clinic: &str) -> Result<i64> {
    conn.one(
        On::reads(&[Table::Appointments]),
        "SELECT count(*) FROM appointments WHERE patient_id = ?1 AND clinic_id = ?2 AND status = ?3",
        args![
            super::db::id(patient_id),
            super::db::id(clinic),
            Status::NoShow.code()
        ],
    )
}
