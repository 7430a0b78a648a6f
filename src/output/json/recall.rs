//! The recall list's JSON (docs/commands.md#appt-recall-listsend): what
//! `recall list` and `GET /v1/recalls` answer.

use crate::store::recalls::Recall;
use crate::wire::{opt_ts, to_json};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct RecallView<'a> {
    id: &'a str,
    clinic_id: &'a str,
    patient: Party<'a>,
    doctor: Option<Named<'a>>,
    service: Option<Named<'a>>,
    follow_up_date: String,
    status: &'static str,
    sent_at: Option<String>,
    booked_appointment_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Party<'a> {
    id: &'a str,
    full_name: &'a str,
    phone: &'a str,
}

#[derive(Serialize)]
struct Named<'a> {
    id: &'a str,
    name: &'a str,
}

fn named<'a>(id: &'a Option<String>, name: &'a Option<String>) -> Option<Named<'a>> {
    Some(Named {
        id: id.as_deref()?,
        name: name.as_deref()?,
    })
}

/// One recall: the visit it follows (`id`), its patient, doctor and
/// service, the date, where it stands, when its message went and the
/// visit that booked it.
pub fn recall(r: &Recall) -> Value {
    to_json(RecallView {
        id: &r.id,
        clinic_id: &r.clinic_id,
        patient: Party {
            id: &r.patient_id,
            full_name: &r.patient_name,
            phone: &r.patient_phone,
        },
        doctor: named(&r.doctor_id, &r.doctor_name),
        service: named(&r.service_id, &r.service_name),
        follow_up_date: r.follow_up_date.to_string(),
        status: r.status().as_str(),
        sent_at: opt_ts(r.sent_at),
        booked_appointment_id: r.booked_appointment_id.as_deref(),
    })
}

/// `{"recalls":[…]}`.
pub fn recalls(all: &[Recall]) -> Value {
    super::list("recalls", all.iter().map(recall).collect())
}
