//! The appointment object, a reminder and a waitlist entry. The use cases
//! build event payloads and a reminder hook's input from these views; `output`
//! shows the same views, so what is stored and what is shown cannot drift.

use crate::core::access::{CLINICAL_CHANGES, CLINICAL_KEYS};
use crate::core::time::{fmt_utc, format_offset, to_local};
use crate::core::Appointment;
use crate::store::reminders::Reminder;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    fmt_utc(t)
}

pub(crate) fn opt_ts(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(fmt_utc)
}

/// A view as a JSON value. Views hold only strings, numbers and JSON values, so
/// serialising them cannot fail.
pub(crate) fn to_json(view: impl Serialize) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

pub(crate) fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

// The views a document may serialise straight to text (`agenda`, `list`)
// keep their fields in alphabetical order: the same text as through a
// `Value`, whose maps sort their keys.

#[derive(Serialize)]
struct PartyView<'a> {
    full_name: &'a str,
    id: &'a str,
    phone: &'a str,
}

#[derive(Serialize)]
pub(crate) struct DoctorRefView<'a> {
    pub(crate) full_name: &'a str,
    pub(crate) id: &'a str,
    pub(crate) specialty: Option<&'a str>,
}

#[derive(Serialize)]
struct ServiceRefView<'a> {
    duration_minutes: i64,
    id: &'a str,
    name: &'a str,
}

/// The appointment object of docs/commands.md#the-appointment-object: every field always present.
#[derive(Serialize)]
pub(crate) struct AppointmentView<'a> {
    batch: Option<&'a str>,
    cancellation_reason: Option<&'a str>,
    cancelled_at: Option<String>,
    checked_in_at: Option<String>,
    clinic_id: &'a str,
    completed_at: Option<String>,
    confirmed_at: Option<String>,
    created_at: String,
    date: String,
    diagnosis: Option<&'a str>,
    doctor: Option<DoctorRefView<'a>>,
    doctor_id: Option<&'a str>,
    duration_minutes: i64,
    end_time: String,
    ends_at: String,
    external_reference_id: Option<&'a str>,
    follow_up_date: Option<String>,
    follow_up_required: bool,
    id: &'a str,
    /// `in_person`, `telemedicine` or `home` (docs/rules.md#visits).
    modality: &'static str,
    no_show_at: Option<String>,
    notes: Option<&'a str>,
    patient: PartyView<'a>,
    patient_id: &'a str,
    /// Null, or `{"reason","by","rule"}` (docs/rules.md#overbooking).
    overbooked: Option<Value>,
    /// One of the clinic's payers, or null.
    payer: Option<&'a str>,
    prescription: Option<&'a str>,
    reason: Option<&'a str>,
    series_id: Option<&'a str>,
    service: Option<ServiceRefView<'a>>,
    service_id: Option<&'a str>,
    session: Option<&'a str>,
    source: &'a str,
    start_time: String,
    started_at: Option<String>,
    starts_at: String,
    status: &'a str,
    timezone: &'a str,
    token_number: i64,
    updated_at: String,
    /// `normal`, `urgent` or `emergency`.
    urgency: &'static str,
    /// `first` or `follow_up`.
    visit_type: &'static str,
}

pub fn appointment(a: &Appointment) -> Value {
    to_json(appointment_view(a))
}

/// Besides the clinical record ([`CLINICAL_KEYS`]), the keys of the
/// appointment object a message never needs, left out of the message view
/// (docs/commands.md#what-a-hook-receives): the desk's notes, and its
/// cancellation reason (internal: the patient is told only the reason
/// meant for them, the line's `reason`).
const DESK_ONLY: [&str; 2] = ["notes", "cancellation_reason"];

/// Every key the message view leaves out.
fn not_in_messages() -> impl Iterator<Item = &'static str> {
    CLINICAL_KEYS.into_iter().chain(DESK_ONLY)
}

/// Whether an update's `changed` list may name `field` to a message's
/// reader: not a clinical field, nor the notes.
fn changed_in_messages(field: &str) -> bool {
    !CLINICAL_CHANGES.contains(&field) && field != "notes"
}

/// The message view of an appointment: the object without
/// [`CLINICAL_KEYS`] and the desk's own words. What a hook, a JSON line of `remind due` and a
/// webhook without `--clinical` receive.
pub fn message_appointment(a: &Appointment) -> Value {
    let mut v = appointment(a);
    if let Value::Object(map) = &mut v {
        for k in not_in_messages() {
            map.remove(k);
        }
    }
    v
}

/// An event's data as a webhook without `--clinical` receives it: its
/// appointment (and a previous one) in the message view, and an update's
/// `changed` list without the fields that view leaves out.
pub fn event_message_view(mut data: Value) -> Value {
    let Value::Object(map) = &mut data else {
        return data;
    };
    for (key, v) in map.iter_mut() {
        match (key.as_str(), v) {
            (_, Value::Object(inner)) if inner.contains_key("starts_at") => {
                for k in not_in_messages() {
                    inner.remove(k);
                }
            }
            ("changed", Value::Array(names)) => {
                names.retain(|n| n.as_str().is_none_or(changed_in_messages))
            }
            _ => {}
        }
    }
    data
}

pub(crate) fn appointment_view(a: &Appointment) -> AppointmentView<'_> {
    AppointmentView {
        id: &a.id,
        clinic_id: &a.clinic_id,
        doctor_id: a.doctor_id.as_deref(),
        patient_id: &a.patient_id,
        service_id: a.service_id.as_deref(),
        date: a.local_date.to_string(),
        start_time: to_local(a.timezone, a.starts_at).1,
        end_time: to_local(a.timezone, a.ends_at).1,
        duration_minutes: a.duration_minutes,
        starts_at: ts(a.starts_at),
        ends_at: ts(a.ends_at),
        timezone: a.timezone.name(),
        status: a.status.as_str(),
        token_number: a.token_number,
        source: &a.source,
        session: a.session.as_deref(),
        batch: a.batch.as_deref(),
        reason: a.reason.as_deref(),
        notes: a.notes.as_deref(),
        diagnosis: a.diagnosis.as_deref(),
        prescription: a.prescription.as_deref(),
        follow_up_required: a.follow_up_required,
        follow_up_date: day(a.follow_up_date),
        cancellation_reason: a.cancellation_reason.as_deref(),
        external_reference_id: a.external_reference_id.as_deref(),
        series_id: a.series_id.as_deref(),
        urgency: a.urgency.as_str(),
        modality: a.modality.as_str(),
        visit_type: a.visit_type.as_str(),
        payer: a.payer.as_deref(),
        overbooked: a.overbooked.as_ref().map(|o| o.to_json()),
        patient: PartyView {
            id: &a.patient_id,
            full_name: &a.patient_name,
            phone: &a.patient_phone,
        },
        doctor: a.doctor_id.as_deref().map(|id| DoctorRefView {
            id,
            full_name: a.doctor_name.as_deref().unwrap_or(""),
            specialty: a.doctor_specialty.as_deref(),
        }),
        service: a.service_id.as_deref().map(|id| ServiceRefView {
            id,
            name: a.service_name.as_deref().unwrap_or(""),
            duration_minutes: a.service_minutes.unwrap_or(a.duration_minutes),
        }),
        created_at: ts(a.created_at),
        updated_at: ts(a.updated_at),
        confirmed_at: opt_ts(a.confirmed_at),
        checked_in_at: opt_ts(a.checked_in_at),
        started_at: opt_ts(a.started_at),
        completed_at: opt_ts(a.completed_at),
        cancelled_at: opt_ts(a.cancelled_at),
        no_show_at: opt_ts(a.no_show_at),
    }
}

/// Where and when an appointment was before a move: a rescheduled event's
/// and message's `previous`.
pub fn previous(a: &Appointment) -> Value {
    serde_json::json!({
        "starts_at": ts(a.starts_at),
        "ends_at": ts(a.ends_at),
        "date": a.local_date.to_string(),
        "start_time": to_local(a.timezone, a.starts_at).1,
        "doctor_id": a.doctor_id,
        "token_number": a.token_number,
    })
}

#[derive(Serialize)]
struct ReminderView<'a> {
    id: &'a str,
    kind: &'a str,
    appointment_id: &'a str,
    offset: Option<String>,
    due_at: String,
    status: &'a str,
    attempts: i64,
    sent_at: Option<String>,
    next_attempt_at: Option<String>,
    last_error: Option<&'a str>,
    appointment: Value,
    /// The ready text, as delivered (docs/rules.md#messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    /// The patient's link, when the clinic has a public URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    /// The clinic's channel it was sent through, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<&'a str>,
    /// The provider's message ID, when it was sent through a channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_id: Option<&'a str>,
    /// When the provider said it reached the phone, and was read
    /// (docs/rules.md#answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    delivered_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_at: Option<String>,
    /// The message's own fields: `previous` (rescheduled), `reason`
    /// (cancelled), `offer` (waitlist_offer).
    #[serde(flatten)]
    data: serde_json::Map<String, Value>,
}

/// A reminder as docs/rules.md#reminders-and-notifications shows it, with its appointment in the
/// message view ([`message_appointment`]); a notification with
/// its own fields; an offer with its slot and waitlist entry instead of the
/// appointment that freed it (another patient's).
pub fn reminder(r: &Reminder, a: &Appointment) -> Value {
    reminder_view(r, a, None)
}

/// A message as it is delivered: [`reminder`] with its ready text and link
/// (docs/rules.md#messages).
pub fn reminder_delivered(
    r: &Reminder,
    a: &Appointment,
    ready: &crate::core::message::Ready,
) -> Value {
    reminder_view(r, a, Some(ready))
}

/// A message a dry run would deliver: [`reminder`] with the text it would
/// go with (its link withheld).
pub fn reminder_would(r: &Reminder, a: &Appointment, text: &str) -> Value {
    let mut v = reminder_view(r, a, None);
    v["message"] = Value::from(text);
    v
}

/// A message's status as shown: a sent message the provider reported
/// delivered or read says so (docs/rules.md#answers).
pub fn message_status(r: &Reminder) -> &'static str {
    use crate::core::message::Status;
    match (r.status, r.delivered_at, r.read_at) {
        (Status::Sent, _, Some(_)) => "read",
        (Status::Sent, Some(_), None) => "delivered",
        (s, ..) => s.as_str(),
    }
}

fn reminder_view(
    r: &Reminder,
    a: &Appointment,
    ready: Option<&crate::core::message::Ready>,
) -> Value {
    let data = match &r.data {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    to_json(ReminderView {
        id: &r.id,
        kind: r.kind.as_str(),
        appointment_id: &r.appointment_id,
        offset: r.is_reminder().then(|| format_offset(r.offset_minutes)),
        due_at: ts(r.due_at),
        status: message_status(r),
        attempts: r.attempts,
        sent_at: opt_ts(r.sent_at),
        next_attempt_at: opt_ts(r.next_attempt_at),
        last_error: r.last_error.as_deref(),
        appointment: if r.kind == crate::core::message::Kind::WaitlistOffer {
            Value::Null
        } else {
            message_appointment(a)
        },
        message: ready.map(|m| m.message.as_str()),
        link: ready.and_then(|m| m.link.as_deref()),
        channel: r.channel.as_deref(),
        provider_id: r.provider_id.as_deref(),
        delivered_at: opt_ts(r.delivered_at),
        read_at: opt_ts(r.read_at),
        data,
    })
}

#[derive(Serialize)]
struct WaitlistView<'a> {
    id: &'a str,
    clinic_id: &'a str,
    doctor_id: &'a str,
    patient_id: &'a str,
    service_id: Option<&'a str>,
    date: String,
    offers: i64,
    created_at: String,
    patient: PartyView<'a>,
    doctor: DoctorRefView<'a>,
    service: Option<ServiceRefView<'a>>,
}

/// The keys of a waitlist entry that name its patient, doctor and service:
/// what an event's entry leaves to be looked up on reading.
const WAITLIST_REFS: [&str; 3] = ["patient", "doctor", "service"];

/// A waitlist entry as an event stores it: the entry's own fields, its
/// patient, doctor and service by ID only.
pub fn waitlist_ids(e: &crate::store::waitlist::Entry) -> Value {
    let mut v = waitlist_entry(e);
    if let Value::Object(m) = &mut v {
        for k in WAITLIST_REFS {
            m.remove(k);
        }
    }
    v
}

/// A waitlist entry stored by IDs ([`waitlist_ids`]) with the names it
/// shows: its patient's (ID, name and phone), doctor's and service's. An
/// entry stored whole, before schema 21, is shown as stored.
pub fn waitlist_with_names(
    ids: &Value,
    patient: Option<(String, (String, String))>,
    doctor: Option<(String, (String, Option<String>))>,
    service: Option<(String, (String, i64))>,
) -> Value {
    let mut v = ids.clone();
    let Value::Object(m) = &mut v else {
        return v;
    };
    if m.contains_key("patient") {
        return v;
    }
    let view = |x: Option<Value>| x.unwrap_or(Value::Null);
    m.insert(
        "patient".into(),
        view(patient.map(|(id, (full_name, phone))| {
            to_json(PartyView {
                full_name: &full_name,
                id: &id,
                phone: &phone,
            })
        })),
    );
    m.insert(
        "doctor".into(),
        view(doctor.map(|(id, (full_name, specialty))| {
            to_json(DoctorRefView {
                full_name: &full_name,
                id: &id,
                specialty: specialty.as_deref(),
            })
        })),
    );
    m.insert(
        "service".into(),
        view(service.map(|(id, (name, duration_minutes))| {
            to_json(ServiceRefView {
                duration_minutes,
                id: &id,
                name: &name,
            })
        })),
    );
    v
}

/// A waitlist entry (docs/rules.md#walk-ins).
pub fn waitlist_entry(e: &crate::store::waitlist::Entry) -> Value {
    to_json(WaitlistView {
        id: &e.id,
        clinic_id: &e.clinic_id,
        doctor_id: &e.doctor_id,
        patient_id: &e.patient_id,
        service_id: e.service_id.as_deref(),
        date: e.date.to_string(),
        offers: e.offers,
        created_at: ts(e.created_at),
        patient: PartyView {
            id: &e.patient_id,
            full_name: &e.patient_name,
            phone: &e.patient_phone,
        },
        doctor: DoctorRefView {
            id: &e.doctor_id,
            full_name: &e.doctor_name,
            specialty: e.doctor_specialty.as_deref(),
        },
        service: match (&e.service_id, &e.service_name) {
            (Some(id), Some(name)) => Some(ServiceRefView {
                id,
                name,
                duration_minutes: e.service_minutes.unwrap_or_default(),
            }),
            _ => None,
        },
    })
}

/// The keys of a stored event that hold a patient's personal data: the
/// name a booking replaced at the top, and the name, phone and e-mail of
/// each `patient` an object inside names (an appointment's, a waitlist
/// entry's, in events recorded before the log kept IDs alone).
const PERSONAL: [&str; 3] = ["full_name", "phone", "email"];

/// Takes the patient's personal fields out of an event's stored data
/// (docs/privacy.md#retention), leaving the patient by ID; true when there
/// was something to take.
pub fn forget_patient(data: &mut Value) -> bool {
    let Value::Object(map) = data else {
        return false;
    };
    let mut changed = map.remove("patient_previous_name").is_some();
    for (key, v) in map.iter_mut() {
        if let (Value::Object(inner), "patient") = (&mut *v, key.as_str()) {
            for k in PERSONAL {
                changed |= inner.remove(k).is_some();
            }
        } else {
            changed |= forget_patient(v);
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::forget_patient;
    use serde_json::json;

    #[test]
    fn an_event_forgets_the_patient_at_every_depth_and_keeps_the_rest() {
        let mut old = json!({
            "appointment": {"id": "a", "patient": {"id": "p", "full_name": "Ana", "phone": "+503"},
                            "doctor": {"id": "d", "full_name": "Dr. García"}, "notes": "phone her"},
            "patient_previous_name": "Anita",
            "waitlist": {"patient": {"id": "q", "full_name": "Beto", "phone": "+504"}},
        });
        assert!(forget_patient(&mut old));
        assert_eq!(
            old,
            json!({
                "appointment": {"id": "a", "patient": {"id": "p"},
                                "doctor": {"id": "d", "full_name": "Dr. García"}, "notes": "phone her"},
                "waitlist": {"patient": {"id": "q"}},
            })
        );
        // Forgotten once, there is nothing more to forget.
        assert!(!forget_patient(&mut old));
        let mut compact = json!({"was": {"status": "scheduled"}, "forced": false});
        assert!(!forget_patient(&mut compact));
    }
}
