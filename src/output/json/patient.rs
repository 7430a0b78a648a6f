//! Patients as JSON: `patient list`, `patient show` and `patient erase`.

use super::shown_view;
use crate::core::Patient;
use crate::wire::{to_json, ts};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub(super) struct PatientView<'a> {
    id: &'a str,
    full_name: &'a str,
    phone: &'a str,
    national_id: Option<&'a str>,
    national_id_unreadable: bool,
    email: Option<&'a str>,
    /// The preferred channel's code; null: none set (the clinic's order).
    channel: Option<&'static str>,
    no_show_count: i64,
    created_at: String,
    updated_at: String,
}

pub fn patient(p: &Patient) -> Value {
    to_json(patient_view(p))
}

pub(super) fn patient_view(p: &Patient) -> PatientView<'_> {
    PatientView {
        id: &p.id,
        full_name: &p.full_name,
        phone: &p.phone,
        national_id: p.national_id.as_deref(),
        national_id_unreadable: p.national_id_unreadable,
        email: p.email.as_deref(),
        channel: p.channel.map(|c| c.as_str()),
        no_show_count: p.no_show_count,
        created_at: ts(p.created_at),
        updated_at: ts(p.updated_at),
    }
}

/// `patient show --json`: the patient, with upcoming and recent visits
/// and the last messages about them.
pub fn patient_card(card: &crate::app::patient::Card) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        #[serde(flatten)]
        patient: PatientView<'a>,
        upcoming: Vec<crate::wire::AppointmentView<'a>>,
        recent: Vec<crate::wire::AppointmentView<'a>>,
        messages: Vec<Value>,
    }
    to_json(View {
        patient: patient_view(&card.patient),
        upcoming: card.upcoming.iter().map(shown_view).collect(),
        recent: card.recent.iter().map(shown_view).collect(),
        messages: card
            .messages
            .iter()
            .map(|(m, _)| super::appointment::message(m))
            .collect(),
    })
}

/// `patient erase --json` (and `POST /v1/patients/{id}/erase`): the
/// patient as erased, when, why, whether the clinical record went, and
/// how many appointments stay. The same document however many times.
pub fn erased(e: &crate::app::erase::Erased) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        patient: PatientView<'a>,
        erased_at: String,
        reason: &'a str,
        clinical: bool,
        appointments: i64,
        /// Their visits still to come, cancelled with the erasure.
        cancelled: &'a [String],
    }
    to_json(View {
        patient: patient_view(&e.patient),
        erased_at: ts(e.erased_at),
        reason: &e.reason,
        clinical: e.clinical,
        appointments: e.appointments,
        cancelled: &e.cancelled,
    })
}
