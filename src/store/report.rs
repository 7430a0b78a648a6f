//! What `appt report` reads (docs/reports.md): a period's visits of one
//! clinic, without their patients, and the counts of the reminders sent for
//! them. The local dates are the appointments' own `local_date` (the
//! clinic's), so a period is read exactly on both engines.

use super::coded::is;
use super::db::{Backend, On, Row, Table, Tx, Val};
use crate::core::message::{Kind as MessageKind, Status as MessageStatus};
use crate::core::report::Visit;
use crate::core::{Coded, EventKind, Status};
use crate::error::Result;
use chrono::NaiveDate;

/// Which of a clinic's visits a report counts.
pub struct Scope<'a> {
    pub clinic_id: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub doctor_id: Option<&'a str>,
    pub service_id: Option<&'a str>,
}

impl Scope<'_> {
    /// The WHERE over `a` (appointments) and its parameters: a doctor or a
    /// service is a condition only when asked, so no parameter is untyped.
    fn filter(&self) -> (String, Vec<Val>) {
        let mut sql = "a.clinic_id = ?1 AND a.local_date >= ?2 AND a.local_date <= ?3".to_string();
        let mut args = vec![
            super::db::id(self.clinic_id),
            super::db::day(self.from),
            super::db::day(self.to),
        ];
        for (column, value) in [
            ("a.doctor_id", self.doctor_id),
            ("a.service_id", self.service_id),
        ] {
            if let Some(v) = value {
                args.push(super::db::id(v));
                sql.push_str(&format!(" AND {column} = ?{}", args.len()));
            }
        }
        (sql, args)
    }
}

/// A closed set's value from its stored number (schema 60); a number appt
/// never wrote is a damaged database.
fn coded<T>(code: i64, read: fn(i64) -> Option<T>) -> Result<T> {
    read(code).ok_or_else(|| {
        crate::error::Error::database(crate::text::msg!(
            "e-not_a_value_appt_writes",
            a = code.to_string()
        ))
    })
}

fn visit(r: &Row) -> Result<Visit> {
    Ok(Visit {
        doctor_id: r.get(0)?,
        starts_at: r.get(1)?,
        ends_at: r.get(2)?,
        buffer_before: r.get(3)?,
        buffer_after: r.get(4)?,
        status: coded(r.get(5)?, Status::from_code)?,
        source: coded(r.get(6)?, crate::core::source_named)?.to_string(),
        created_at: r.get(7)?,
        cancelled_at: r.get(8)?,
    })
}

/// The period's visits, in order of their start.
pub fn visits(conn: &Tx, s: &Scope) -> Result<Vec<Visit>> {
    let (filter, args) = s.filter();
    conn.rows(
        On::reads(&[Table::Appointments]),
        &format!(
            "SELECT a.doctor_id, a.starts_at, a.ends_at, a.buffer_before, \
             a.buffer_after, a.status, a.source, a.created_at, a.cancelled_at \
             FROM appointments a WHERE {filter} ORDER BY a.starts_at, a.id"
        ),
        &args,
        visit,
    )
}

/// The reminders of the period's visits: sent, delivered (the provider said
/// so), failed, and how many of those visits were confirmed after a sent
/// reminder.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Messages {
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub confirmed_after: i64,
}

/// [`Messages`], counted in SQL.
pub fn messages(conn: &Tx, s: &Scope) -> Result<Messages> {
    let (filter, args) = s.filter();
    let (was_sent, reminder) = (
        is("m.status", MessageStatus::Sent),
        is("m.kind", MessageKind::Reminder),
    );
    let counts = conn.row(
        On::reads(&[Table::Appointments, Table::Reminders]),
        &format!(
            "SELECT COUNT(CASE WHEN {was_sent} THEN 1 END), \
             COUNT(m.delivered_at), COUNT(CASE WHEN {} THEN 1 END) \
             FROM reminders m JOIN appointments a ON a.id = m.appointment_id \
             WHERE {reminder} AND {filter}",
            is("m.status", MessageStatus::Failed)
        ),
        &args,
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let (sent, delivered, failed) = counts.unwrap_or((0, 0, 0));
    let confirmed_after = conn.one(
        On::reads(&[Table::Appointments, Table::Reminders, Table::Events]),
        &format!(
            "SELECT COUNT(*) FROM appointments a WHERE {filter} AND EXISTS \
             (SELECT 1 FROM events e JOIN reminders m ON m.appointment_id = e.appointment_id \
              WHERE e.appointment_id = a.id AND {} \
              AND {reminder} AND {was_sent} AND m.sent_at <= e.created_at)",
            is("e.type", EventKind::Confirmed)
        ),
        &args,
    )?;
    Ok(Messages {
        sent,
        delivered,
        failed,
        confirmed_after,
    })
}

/// The waitlist's offers of the period's freed times, and how many of them
/// were filled (docs/reports.md#waitlist).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Offers {
    pub made: i64,
    pub filled: i64,
}

/// The statement of [`offers`] over a scope's `filter`.
fn offers_sql(backend: Backend, filter: &str) -> String {
    format!(
        "SELECT COUNT(*), COUNT(CASE WHEN EXISTS (SELECT 1 FROM appointments b \
              WHERE b.clinic_id = a.clinic_id AND b.doctor_id = a.doctor_id \
              AND b.local_date = a.local_date AND {} \
              AND +b.created_at >= e.created_at \
              AND e.data LIKE '%\"patient_id\":\"' || {} || '\"%') THEN 1 END) \
             FROM events e CROSS JOIN appointments a \
             WHERE a.id = e.appointment_id AND {} AND {filter}",
        super::coded::is_not("b.status", crate::core::Status::Cancelled),
        super::db::shown_id_sql(backend, "b.patient_id"),
        is("e.type", EventKind::SlotOffered)
    )
}

/// [`Offers`], counted in SQL: an offer is an `appointment.slot_offered`
/// event of a freed visit in the period; it is filled when the patient it
/// was offered to (the entry's `patient_id` in the event's data) booked that
/// doctor on that date at or after the offer, and that booking stands.
///
/// Read from the offers (the events' partial index), each joined to its
/// visit: SQLite's `CROSS JOIN` keeps that order, where it would otherwise
/// look up the events of each of the period's visits (403,211 lookups in a
/// year of the benchmark's clinic, docs/performance.md#reports); the later
/// booking is found by its clinic and date (`+` keeps SQLite off the index
/// by creation time, which would read every later booking of the clinic).
pub fn offers(conn: &Tx, s: &Scope) -> Result<Offers> {
    let (filter, args) = s.filter();
    let counts = conn.row(
        On::reads(&[Table::Appointments, Table::Events]),
        &offers_sql(conn.backend(), &filter),
        &args,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (made, filled) = counts.unwrap_or((0, 0));
    Ok(Offers { made, filled })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite_plan as plan;

    #[test]
    fn offers_are_read_from_the_offers_not_from_each_visit() {
        let scope = Scope {
            clinic_id: "00000000-0000-4000-8000-00000000000c",
            from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            doctor_id: None,
            service_id: None,
        };
        let (filter, args) = scope.filter();
        let plan = plan(&offers_sql(Backend::Sqlite, &filter), args);
        assert!(
            plan.iter()
                .any(|l| l.starts_with("SCAN e USING INDEX events_offered")),
            "{plan:?}"
        );
        // Each offer's later booking is looked up by doctor, clinic and
        // day: the feed's index (schema v38) holds all three.
        assert!(
            plan.iter().any(|l| l
                == "SEARCH b USING INDEX appt_doctor_feed (doctor_id=? AND clinic_id=? AND local_date=?)"),
            "{plan:?}"
        );
    }
}
