//! What an event records (docs/rules.md#events): a closed set, shown by its
//! name (`appointment.booked`) and stored as its number ([`Coded`]).

use super::{Coded, Status};

super::coded::coded! {
    /// One kind of event. A number, once stored, never changes meaning: a
    /// new kind takes the next.
    pub enum EventKind {
        Booked => "appointment.booked" = 1,
        Rescheduled => "appointment.rescheduled" = 2,
        Cancelled => "appointment.cancelled" = 3,
        Confirmed => "appointment.confirmed" = 4,
        CheckedIn => "appointment.checked_in" = 5,
        InProgress => "appointment.in_progress" = 6,
        Completed => "appointment.completed" = 7,
        NoShow => "appointment.no_show" = 8,
        Updated => "appointment.updated" = 9,
        SlotOffered => "appointment.slot_offered" = 10,
        PatientExported => "patient.exported" = 11,
        PatientErased => "patient.erased" = 12,
    }
}

impl EventKind {
    /// The kind of a name, exactly as shown.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::from_name(name)
    }

    /// The event of a change of status to `to`; `None` for `scheduled`,
    /// which a change never goes back to.
    pub fn of_status(to: Status) -> Option<EventKind> {
        Some(match to {
            Status::Scheduled => return None,
            Status::Confirmed => EventKind::Confirmed,
            Status::CheckedIn => EventKind::CheckedIn,
            Status::InProgress => EventKind::InProgress,
            Status::Completed => EventKind::Completed,
            Status::Cancelled => EventKind::Cancelled,
            Status::NoShow => EventKind::NoShow,
        })
    }

    /// Whether the event is about a patient as a whole, not an appointment.
    pub fn of_patient(self) -> bool {
        matches!(self, EventKind::PatientExported | EventKind::PatientErased)
    }

    /// The names, for an error that lists them.
    pub fn names() -> String {
        EventKind::NAMES.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_own_number_in_order_and_its_own_name() {
        crate::core::coded::assert_numbered_in_order::<EventKind>();
        assert_eq!(EventKind::parse("appointment.Booked"), None);
    }

    #[test]
    fn a_change_of_status_records_the_event_named_after_it() {
        for s in Status::ALL {
            match EventKind::of_status(s) {
                Some(k) => assert_eq!(k.as_str(), format!("appointment.{}", s.as_str())),
                None => assert_eq!(s, Status::Scheduled),
            }
        }
    }
}
