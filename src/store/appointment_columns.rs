//! An appointment's stored values, column by column: what is bound to a
//! statement follows a column list ([`super::appointments::COLS`], its
//! `SAVED`), never a count of parameters kept by hand.

use super::db::{ToVal, Val};
use super::epoch;
use crate::core::AppointmentRow;
use crate::error::{Error, Result};
use chrono::NaiveDate;

/// The values of `cols` (some of [`super::appointments::COLS`]) of `a`, in their order: what is
/// bound follows the list, never a count kept by hand.
pub(super) fn bind(a: &AppointmentRow, cols: &str) -> Result<Vec<Val>> {
    cols.split(',').map(|c| column(a, c.trim())).collect()
}

/// The stored value of `a`'s column `name`.
fn column(a: &AppointmentRow, name: &str) -> Result<Val> {
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    Ok(match name {
        "id" => a.id.to_val(),
        "clinic_id" => a.clinic_id.to_val(),
        "doctor_id" => a.doctor_id.to_val(),
        "patient_id" => a.patient_id.to_val(),
        "service_id" => a.service_id.to_val(),
        "window_id" => a.window_id.to_val(),
        "local_date" => a.local_date.to_string().to_val(),
        "starts_at" => epoch(a.starts_at).to_val(),
        "ends_at" => epoch(a.ends_at).to_val(),
        "duration_minutes" => a.duration_minutes.to_val(),
        "status" => a.status.as_str().to_val(),
        "token_number" => a.token_number.to_val(),
        "source" => a.source.to_val(),
        "session" => a.session.to_val(),
        "batch" => a.batch.to_val(),
        "reason" => a.reason.to_val(),
        "notes" => a.notes.to_val(),
        "diagnosis" => a.diagnosis.to_val(),
        "prescription" => a.prescription.to_val(),
        "follow_up_required" => a.follow_up_required.to_val(),
        "follow_up_date" => day(a.follow_up_date).to_val(),
        "cancellation_reason" => a.cancellation_reason.to_val(),
        "external_reference_id" => a.external_reference_id.to_val(),
        "created_at" => epoch(a.created_at).to_val(),
        "updated_at" => epoch(a.updated_at).to_val(),
        "confirmed_at" => a.confirmed_at.map(epoch).to_val(),
        "checked_in_at" => a.checked_in_at.map(epoch).to_val(),
        "started_at" => a.started_at.map(epoch).to_val(),
        "completed_at" => a.completed_at.map(epoch).to_val(),
        "cancelled_at" => a.cancelled_at.map(epoch).to_val(),
        "no_show_at" => a.no_show_at.map(epoch).to_val(),
        "series_id" => a.series_id.to_val(),
        "buffer_before" => a.buffer_before.to_val(),
        "buffer_after" => a.buffer_after.to_val(),
        "urgency" => a.urgency.as_str().to_val(),
        "modality" => a.modality.as_str().to_val(),
        "visit_type" => a.visit_type.as_str().to_val(),
        "payer" => a.payer.to_val(),
        "overbook_reason" => a.overbooked.as_ref().map(|o| o.reason.as_str()).to_val(),
        "overbook_by" => a.overbooked.as_ref().map(|o| o.by.as_str()).to_val(),
        "overbook_rule" => a.overbooked.as_ref().map(|o| o.rule.as_str()).to_val(),
        _ => {
            return Err(Error::internal(crate::text::msg!(
                "e-no_appointment_column",
                name = name
            )))
        }
    })
}

/// An overbooking as its three columns hold it: all set, or none.
pub(super) fn overbooked(
    reason: Option<String>,
    by: Option<String>,
    rule: Option<String>,
) -> Option<crate::core::overbook::Overbooked> {
    Some(crate::core::overbook::Overbooked {
        reason: reason?,
        by: by?,
        rule: rule?,
    })
}
