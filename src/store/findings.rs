//! What `appt check` reports (`store::check`), and what the erasure's own
//! check (`store::erasure::traces`) reports in the same shape: each broken
//! rule with the rows that break it. A leaf below both.

use crate::core::time;
use crate::core::zone::Tz;
use chrono::{DateTime, Utc};

/// One broken rule and the rows that break it.
#[derive(Debug, Clone)]
pub struct Violation {
    /// `integrity`, `foreign_key`, `damaged_value`, `capacity`, `tokens`,
    /// `booked_event`, `pending_reminder`, `national_id`, `erased_patient`
    /// `window_services` or `missing_resource`.
    pub check: &'static str,
    pub message: crate::text::Msg,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub enum Row {
    Appointment(AppointmentRow),
    Reminder(ReminderRow),
    Key(KeyRow),
    Patient(PatientRow),
    Damage(DamageRow),
    /// Where an erased patient's personal data is still held.
    Trace(TraceRow),
    /// A line of SQLite's `integrity_check`.
    Problem(String),
}

/// An appointment as stored, with just enough around it to be recognised.
/// Read with outer joins: a broken reference must not hide the row.
#[derive(Debug, Clone)]
pub struct AppointmentRow {
    pub id: String,
    pub clinic_id: String,
    pub clinic_name: Option<String>,
    pub timezone: Tz,
    pub doctor_id: Option<String>,
    pub doctor_name: Option<String>,
    pub service_id: Option<String>,
    pub service_name: Option<String>,
    pub window_id: Option<String>,
    /// None when the window is gone.
    pub window_capacity: Option<i64>,
    pub status: String,
    pub local_date: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub token_number: i64,
    /// The buffers it was booked with, in minutes (docs/rules.md#buffers);
    /// 0 when damaged.
    pub buffer_before: i64,
    pub buffer_after: i64,
}

#[derive(Debug, Clone)]
pub struct ReminderRow {
    pub id: String,
    pub appointment_id: String,
    pub status: crate::core::message::Status,
    pub due_at: DateTime<Utc>,
    pub offset_minutes: i64,
    pub appointment_status: String,
    /// The clinic's, for local times.
    pub timezone: Tz,
}

/// A row whose foreign key points at nothing.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub table: String,
    pub rowid: Option<i64>,
    pub parent: String,
    pub column: Option<String>,
    pub value: Option<String>,
}

/// A patient whose sealed national ID does not open, and why.
#[derive(Debug, Clone)]
pub struct PatientRow {
    pub id: String,
    pub problem: crate::text::Msg,
}

/// A row that still holds something of an erased patient
/// (docs/privacy.md#erasure): which column, and whose.
#[derive(Debug, Clone)]
pub struct TraceRow {
    pub table: &'static str,
    pub id: String,
    pub column: &'static str,
    pub patient_id: String,
}

/// A stored value appt cannot read back.
#[derive(Debug, Clone)]
pub struct DamageRow {
    pub table: &'static str,
    pub id: String,
    pub column: &'static str,
    /// The value as stored (at most 40 characters of it); None for NULL.
    pub value: Option<String>,
    pub problem: crate::text::Msg,
}

impl AppointmentRow {
    /// Whose capacity and tokens it counts against, for messages.
    pub fn owner(&self) -> String {
        match (&self.doctor_id, &self.doctor_name) {
            (Some(_), Some(name)) => name.clone(),
            (Some(id), None) => format!("doctor {id}"),
            (None, _) => format!(
                "clinic-wide {} at {}",
                self.service_name.as_deref().unwrap_or("(no service)"),
                self.clinic_name.as_deref().unwrap_or(&self.clinic_id)
            ),
        }
    }

    /// `2026-06-15 10:00`, local to the clinic.
    pub fn local(&self, t: DateTime<Utc>) -> String {
        let (d, hm) = time::to_local(self.timezone, t);
        format!("{d} {hm}")
    }
}
