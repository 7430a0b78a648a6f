//! An appointment's stored values, column by column: what is bound to a
//! statement follows a column list ([`super::appointments::COLS`], its
//! `SAVED`), never a count of parameters kept by hand.

use super::db::{ToVal, Val};
use super::epoch;
use super::stored::{col, opt, Kind, Layout, BUFFER, DAYS, MINUTES};
use crate::core::appointment_fields::{Field, Value};
use crate::core::overbook::Overbooked;
use crate::core::{AppointmentRow, Coded, Modality, Status, Urgency, VisitType};
use crate::error::{Error, Result};

/// The columns `appointments::from_row` parses, for `appt check` (the clinic's time zone
/// is the clinics table's).
pub const STORED: Layout = Layout {
    name: "appointments",
    id: "id",
    cols: &[
        col("local_date", Kind::Range(DAYS.0, DAYS.1)),
        col("starts_at", Kind::Instant),
        col("ends_at", Kind::Instant),
        col("duration_minutes", Kind::Range(MINUTES.0, MINUTES.1)),
        col("status", Kind::Range(Status::CODES.0, Status::CODES.1)),
        col("source", Kind::Range(1, crate::core::SOURCES.len() as i64)),
        col("urgency", Kind::Range(Urgency::CODES.0, Urgency::CODES.1)),
        col(
            "modality",
            Kind::Range(Modality::CODES.0, Modality::CODES.1),
        ),
        col(
            "visit_type",
            Kind::Range(VisitType::CODES.0, VisitType::CODES.1),
        ),
        col("buffer_before", Kind::Range(BUFFER.0, BUFFER.1)),
        col("buffer_after", Kind::Range(BUFFER.0, BUFFER.1)),
        opt("follow_up_date", Kind::Date),
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
        opt("confirmed_at", Kind::Instant),
        opt("checked_in_at", Kind::Instant),
        opt("started_at", Kind::Instant),
        opt("completed_at", Kind::Instant),
        opt("cancelled_at", Kind::Instant),
        opt("no_show_at", Kind::Instant),
    ],
    rules: &[(
        "ends_at",
        "ends_at <= starts_at",
        "e-is_not_after_starts_at",
    )],
};

/// The values of `cols` (some of [`super::appointments::COLS`]) of `a`, in their order: what is
/// bound follows the list, never a count kept by hand.
pub(super) fn bind(a: &AppointmentRow, cols: &str) -> Result<Vec<Val>> {
    // Every field's value once, for all the columns asked.
    let values = a.values();
    cols.split(',')
        .map(|c| column(a, &values, c.trim()))
        .collect()
}

/// The three columns that store an overbooking: its reason, by whom, its rule.
const OVERBOOKED: [&str; 3] = ["overbook_reason", "overbook_by", "overbook_rule"];

/// The stored value of `a`'s column `name`: its field's, instants as
/// seconds since the epoch, the local date as its day number, other dates
/// as text, closed sets as their numbers, an overbooking in [`OVERBOOKED`].
fn column(a: &AppointmentRow, values: &[Value], name: &str) -> Result<Val> {
    // Kept as their 16 bytes (docs/performance.md#footprint).
    match name {
        "id" => return Ok(super::db::id(&a.id)),
        "patient_id" => return Ok(super::db::id(&a.patient_id)),
        "clinic_id" => return Ok(super::db::id(&a.clinic_id)),
        "doctor_id" => return Ok(super::db::maybe_id(a.doctor_id.as_deref())),
        "service_id" => return Ok(super::db::maybe_id(a.service_id.as_deref())),
        "window_id" => return Ok(super::db::maybe_id(a.window_id.as_deref())),
        _ => {}
    }
    if let Some(code) = coded(a, name)? {
        return Ok(Val::Int(code));
    }
    // Kept as its day number (schema 60, docs/performance.md#footprint).
    if name == "local_date" {
        return Ok(super::db::day(a.local_date));
    }
    if let Some(part) = OVERBOOKED.iter().position(|c| *c == name) {
        let o = a.overbooked.as_ref();
        return Ok(o
            .map(|o| [&o.reason, &o.by, &o.rule][part].as_str())
            .to_val());
    }
    Ok(match Field::named(name).map(|f| values[f as usize]) {
        Some(Value::Text(t)) => t.to_val(),
        Some(Value::Int(n)) => n.to_val(),
        Some(Value::Bool(b)) => b.to_val(),
        Some(Value::Day(d)) => d.map(|d| d.to_string()).to_val(),
        Some(Value::Instant(t)) => t.map(epoch).to_val(),
        Some(Value::Overbooked(_)) | None => {
            return Err(Error::internal(crate::text::msg!(
                "e-no_appointment_column",
                name = name
            )))
        }
    })
}

/// The number column `name` stores of `a`'s closed sets (schema 60,
/// docs/performance.md#footprint): its status, source and kind of visit.
fn coded(a: &AppointmentRow, name: &str) -> Result<Option<i64>> {
    Ok(Some(match name {
        "status" => a.status.code(),
        "source" => crate::core::source_code(&a.source).ok_or_else(|| {
            Error::field(
                "source",
                crate::text::msg!(
                    "e-source_must_be_one_of",
                    a = crate::core::SOURCES.join(", ")
                ),
            )
        })?,
        "urgency" => a.urgency.number(),
        "modality" => a.modality.number(),
        "visit_type" => a.visit_type.number(),
        _ => return Ok(None),
    }))
}

/// An overbooking as its three columns hold it: all set, or none.
pub(super) fn overbooked(
    reason: Option<String>,
    by: Option<String>,
    rule: Option<String>,
) -> Option<Overbooked> {
    Some(Overbooked {
        reason: reason?,
        by: by?,
        rule: rule?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row's columns are its fields' columns, in their order: a field
    /// added to the row is a column to add to the table and its list.
    #[test]
    fn the_column_list_is_every_fields_columns_in_order() {
        let fields: Vec<&str> = Field::ALL
            .into_iter()
            .flat_map(|f| match f {
                Field::Overbooked => OVERBOOKED.to_vec(),
                f => vec![f.name()],
            })
            .collect();
        let cols: Vec<&str> = super::super::appointments::COLS
            .split(',')
            .map(str::trim)
            .collect();
        assert_eq!(cols, fields);
        let row = AppointmentRow::sample("a", chrono::Utc::now());
        assert_eq!(
            bind(&row, super::super::appointments::COLS).unwrap().len(),
            cols.len()
        );
        assert!(bind(&row, "id, nope").is_err());
    }
}
