//! An appointment's stored fields, declared once. The store binds them by
//! their column, an event keeps the shown ones (docs/rules.md#events), the
//! appointment object and its CSV columns show them
//! (docs/commands.md#the-appointment-object): each reads [`AppointmentRow::values`],
//! which names every field of [`AppointmentRow`], so a field added there and
//! not here does not compile, and a [`Field`] added here is in all four.

use super::model::AppointmentRow;
use super::overbook::Overbooked;
use chrono::{DateTime, NaiveDate, Utc};

/// What a field holds, and so how each form writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Bool,
    Day,
    Instant,
    Overbooked,
}

macro_rules! fields {
    ($($variant:ident $name:literal $kind:ident $shown:literal,)*) => {
        /// One stored field of an appointment, in the appointment object's order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Field { $($variant),* }

        impl Field {
            /// Every field, in [`AppointmentRow::values`]'s order.
            pub const ALL: [Field; [$($name),*].len()] = [$(Field::$variant),*];

            /// Its name: its column, its key in an event and in the object
            /// (but [`Field::object_key`]).
            pub const fn name(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }

            pub const fn kind(self) -> Kind {
                match self { $(Field::$variant => Kind::$kind),* }
            }

            /// Whether the appointment object shows it (and so an event
            /// keeps it): not the window or buffers appt keeps for itself.
            pub const fn shown(self) -> bool {
                match self { $(Field::$variant => $shown),* }
            }
        }
    };
}

fields! {
    Id "id" Text true,
    ClinicId "clinic_id" Text true,
    DoctorId "doctor_id" Text true,
    PatientId "patient_id" Text true,
    ServiceId "service_id" Text true,
    WindowId "window_id" Text false,
    LocalDate "local_date" Day true,
    DurationMinutes "duration_minutes" Int true,
    StartsAt "starts_at" Instant true,
    EndsAt "ends_at" Instant true,
    Status "status" Text true,
    TokenNumber "token_number" Int true,
    Source "source" Text true,
    Session "session" Text true,
    Batch "batch" Text true,
    Reason "reason" Text true,
    Notes "notes" Text true,
    Diagnosis "diagnosis" Text true,
    Prescription "prescription" Text true,
    FollowUpRequired "follow_up_required" Bool true,
    FollowUpDate "follow_up_date" Day true,
    CancellationReason "cancellation_reason" Text true,
    ExternalReferenceId "external_reference_id" Text true,
    CreatedAt "created_at" Instant true,
    UpdatedAt "updated_at" Instant true,
    ConfirmedAt "confirmed_at" Instant true,
    CheckedInAt "checked_in_at" Instant true,
    StartedAt "started_at" Instant true,
    CompletedAt "completed_at" Instant true,
    CancelledAt "cancelled_at" Instant true,
    NoShowAt "no_show_at" Instant true,
    SeriesId "series_id" Text true,
    BufferBefore "buffer_before" Int false,
    BufferAfter "buffer_after" Int false,
    Urgency "urgency" Text true,
    Modality "modality" Text true,
    VisitType "visit_type" Text true,
    Payer "payer" Text true,
    Overbooked "overbooked" Overbooked true,
}

impl Field {
    /// Its key in the appointment object: the local date is `date`.
    pub const fn object_key(self) -> &'static str {
        match self {
            Field::LocalDate => "date",
            f => f.name(),
        }
    }

    /// The field named `name`, if any.
    pub fn named(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A field's value, as the row holds it; each form writes it its own way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Text(Option<&'a str>),
    Int(i64),
    Bool(bool),
    Day(Option<NaiveDate>),
    Instant(Option<DateTime<Utc>>),
    Overbooked(Option<&'a Overbooked>),
}

impl AppointmentRow {
    /// Every field's value, in [`Field::ALL`]'s order. It names each field
    /// of the row: one added to the row and not here does not compile.
    pub fn values(&self) -> [Value<'_>; Field::ALL.len()] {
        use Value::{Bool, Day, Instant, Int, Text};
        let AppointmentRow {
            id,
            clinic_id,
            doctor_id,
            patient_id,
            service_id,
            window_id,
            local_date,
            starts_at,
            ends_at,
            duration_minutes,
            status,
            token_number,
            source,
            session,
            batch,
            reason,
            notes,
            diagnosis,
            prescription,
            follow_up_required,
            follow_up_date,
            cancellation_reason,
            external_reference_id,
            created_at,
            updated_at,
            confirmed_at,
            checked_in_at,
            started_at,
            completed_at,
            cancelled_at,
            no_show_at,
            series_id,
            buffer_before,
            buffer_after,
            urgency,
            modality,
            visit_type,
            payer,
            overbooked,
        } = self;
        [
            Text(Some(id)),
            Text(Some(clinic_id)),
            Text(doctor_id.as_deref()),
            Text(Some(patient_id)),
            Text(service_id.as_deref()),
            Text(window_id.as_deref()),
            Day(Some(*local_date)),
            Int(*duration_minutes),
            Instant(Some(*starts_at)),
            Instant(Some(*ends_at)),
            Text(Some(status.as_str())),
            Int(*token_number),
            Text(Some(source)),
            Text(session.as_deref()),
            Text(batch.as_deref()),
            Text(reason.as_deref()),
            Text(notes.as_deref()),
            Text(diagnosis.as_deref()),
            Text(prescription.as_deref()),
            Bool(*follow_up_required),
            Day(*follow_up_date),
            Text(cancellation_reason.as_deref()),
            Text(external_reference_id.as_deref()),
            Instant(Some(*created_at)),
            Instant(Some(*updated_at)),
            Instant(*confirmed_at),
            Instant(*checked_in_at),
            Instant(*started_at),
            Instant(*completed_at),
            Instant(*cancelled_at),
            Instant(*no_show_at),
            Text(series_id.as_deref()),
            Int(*buffer_before),
            Int(*buffer_after),
            Text(Some(urgency.as_str())),
            Text(Some(modality.as_str())),
            Text(Some(visit_type.as_str())),
            Text(payer.as_deref()),
            Value::Overbooked(overbooked.as_ref()),
        ]
    }

    /// The value of field `f`.
    pub fn value(&self, f: Field) -> Value<'_> {
        self.values()[f as usize]
    }
}

impl Value<'_> {
    /// The kind of value it is, to hold against its field's.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Text(_) => Kind::Text,
            Value::Int(_) => Kind::Int,
            Value::Bool(_) => Kind::Bool,
            Value::Day(_) => Kind::Day,
            Value::Instant(_) => Kind::Instant,
            Value::Overbooked(_) => Kind::Overbooked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_its_fields_kind_and_names_are_one_each() {
        let row = AppointmentRow::sample("a", chrono::Utc::now());
        for (f, v) in Field::ALL.into_iter().zip(row.values()) {
            assert_eq!(f.kind(), v.kind(), "{f:?}");
            assert_eq!(Field::named(f.name()), Some(f));
        }
        assert_eq!(row.value(Field::Id), Value::Text(Some("a")));
        assert_eq!(row.value(Field::DoctorId), Value::Text(Some("d")));
        assert_eq!(Field::LocalDate.object_key(), "date");
        assert_eq!(Field::named("nope"), None);
    }
}
