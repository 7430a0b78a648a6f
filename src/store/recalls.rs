//! Recalls (docs/rules.md#recalls), read from the appointments: a
//! completed visit with a follow-up date, its one message (kind `recall`
//! in `reminders`, at most one a visit by a unique index) and the later
//! visit that booked it. Nothing of a recall is stored twice.

use super::db::{On, Row, Table, Tx};
use crate::args;
use crate::core::Status;
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};

/// One recall, with the names the desk reads.
#[derive(Debug, Clone)]
pub struct Recall {
    /// The completed visit's ID: a recall is named by the visit it follows.
    pub id: String,
    pub clinic_id: String,
    pub patient_id: String,
    pub patient_name: String,
    pub patient_phone: String,
    pub doctor_id: Option<String>,
    pub doctor_name: Option<String>,
    pub service_id: Option<String>,
    pub service_name: Option<String>,
    pub follow_up_date: NaiveDate,
    /// Its message, once made.
    pub message_id: Option<String>,
    /// When the message went (None while it waits or if it failed).
    pub sent_at: Option<DateTime<Utc>>,
    /// The patient's first later visit with that doctor or service, neither
    /// cancelled nor missed.
    pub booked_appointment_id: Option<String>,
}

impl Recall {
    pub fn status(&self) -> crate::core::recall::Status {
        crate::core::recall::Status::of(
            self.message_id.is_some(),
            self.booked_appointment_id.is_some(),
        )
    }
}

/// A recall's columns; `?1` and `?2` are its WHERE's. The later visit is
/// the first of the patient's at the clinic after the recalled one, with
/// its doctor or its service, neither cancelled nor a no-show. It is looked
/// for among the patient's appointments: the clinic is compared as
/// `coalesce(clinic_id, clinic_id)`, which no index serves (and which keeps
/// the ID's 16 bytes, where `clinic_id || ''` would make text that equals
/// none), because SQLite (without statistics, as appt's files are) took
/// the clinic's index for it and read every appointment of the clinic for
/// each recall (a year's report at one clinic of a million appointments
/// ran for minutes, docs/performance.md#reports).
fn select() -> &'static str {
    static SELECT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SELECT.get_or_init(|| {
        format!(
            "SELECT a.id, a.clinic_id, a.patient_id, coalesce(a.patient_name_given, p.full_name), p.phone, a.doctor_id, \
     d.full_name, a.service_id, s.name, a.follow_up_date, m.id, m.sent_at, \
     (SELECT b.id FROM appointments b WHERE b.patient_id = a.patient_id \
        AND coalesce(b.clinic_id, b.clinic_id) = a.clinic_id AND b.starts_at > a.starts_at \
        AND {} \
        AND (b.doctor_id = a.doctor_id OR b.service_id = a.service_id) \
      ORDER BY b.starts_at, b.id LIMIT 1) \
     FROM appointments a JOIN patients p ON p.id = a.patient_id \
     LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN services s ON s.id = a.service_id \
     LEFT JOIN reminders m ON m.appointment_id = a.id AND {} \
     WHERE {} AND a.follow_up_date IS NOT NULL AND p.erased_at IS NULL",
            super::coded::none_of("b.status", &[Status::Cancelled, Status::NoShow]),
            super::coded::is("m.kind", crate::core::message::Kind::Recall),
            super::coded::is("a.status", Status::Completed)
        )
    })
}

/// What [`select`] reads.
const SELECTED_ON: On = On::reads(&[
    Table::Appointments,
    Table::Patients,
    Table::Doctors,
    Table::Services,
    Table::Reminders,
]);

fn from_row(r: &Row) -> Result<Recall> {
    let f = r.of("appointments", 0)?;
    Ok(Recall {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        patient_id: f.get(2)?,
        patient_name: f.get(3)?,
        patient_phone: f.get(4)?,
        doctor_id: f.get(5)?,
        doctor_name: f.get(6)?,
        service_id: f.get(7)?,
        service_name: f.get(8)?,
        follow_up_date: f.date(9)?,
        message_id: f.get(10)?,
        sent_at: f.opt_instant(11)?,
        booked_appointment_id: f.get(12)?,
    })
}

/// The clinic's recalls whose follow-up date is before `before`, by date.
pub fn list(conn: &Tx, clinic_id: &str, before: NaiveDate) -> Result<Vec<Recall>> {
    conn.rows(
        SELECTED_ON,
        &format!(
            "{} AND a.clinic_id = ?1 AND a.follow_up_date < ?2 \
             ORDER BY a.follow_up_date, a.id",
            select()
        ),
        args![super::db::id(clinic_id), before.to_string()],
        from_row,
    )
}

/// The recall of one visit, if it is one.
pub fn of_visit(conn: &Tx, visit_id: &str) -> Result<Option<Recall>> {
    conn.row(
        SELECTED_ON,
        &format!("{} AND a.id = ?1", select()),
        args![super::db::id(visit_id)],
        from_row,
    )
}

/// The patient's recalls at every clinic (a patient's export).
pub fn of_patient(conn: &Tx, patient_id: &str) -> Result<Vec<Recall>> {
    conn.rows(
        SELECTED_ON,
        &format!(
            "{} AND a.patient_id = ?1 ORDER BY a.follow_up_date, a.id",
            select()
        ),
        args![super::db::id(patient_id)],
        from_row,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite_plan as plan;

    /// The later visit is looked for among the patient's appointments, not
    /// the clinic's: on a file without statistics SQLite took the clinic's
    /// index and read the whole clinic for each recall.
    #[test]
    fn the_later_visit_is_found_through_the_patients_index() {
        let sql = format!(
            "{} AND a.clinic_id = ?1 AND a.follow_up_date < ?2 \
             ORDER BY a.follow_up_date, a.id",
            select()
        );
        let clinic = crate::store::db::id("00000000-0000-4000-8000-00000000000c");
        let plan = plan(&sql, args![clinic, "2026-01-01"].to_vec());
        assert!(
            plan.iter()
                .any(|l| l.starts_with("SEARCH b USING INDEX appt_patient_date ")),
            "{plan:?}"
        );
    }
}
