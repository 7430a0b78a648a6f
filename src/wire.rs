//! The appointment object, a reminder and a waitlist entry. The use cases
//! build event payloads and a reminder hook's input from these views; `output`
//! shows the same views, so what is stored and what is shown cannot drift.

use crate::core::access::{CLINICAL_CHANGES, CLINICAL_KEYS};
use crate::core::appointment_fields::{Field, Value as Stored};
use crate::core::time::{fmt_utc, format_offset, to_local};
use crate::core::Appointment;
use crate::store::reminders::Reminder;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use std::sync::OnceLock;

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

#[derive(Serialize)]
struct ResourceRefView<'a> {
    id: &'a str,
    kind: &'static str,
    name: &'a str,
}

/// A key of the appointment object: a stored field it shows, or what is
/// read or worked out with it.
#[derive(Clone, Copy)]
enum Key {
    Field(Field),
    StartTime,
    EndTime,
    Timezone,
    Patient,
    Doctor,
    Service,
    Resources,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Field(f) => f.object_key(),
            Key::StartTime => "start_time",
            Key::EndTime => "end_time",
            Key::Timezone => "timezone",
            Key::Patient => "patient",
            Key::Doctor => "doctor",
            Key::Service => "service",
            Key::Resources => "resources",
        }
    }

    /// Its columns in a CSV: a nested object's keys as `patient.phone`.
    fn columns(self) -> Vec<&'static str> {
        match self {
            Key::Patient => vec!["patient.id", "patient.full_name", "patient.phone"],
            Key::Doctor => vec!["doctor.id", "doctor.full_name", "doctor.specialty"],
            Key::Service => vec!["service.id", "service.name", "service.duration_minutes"],
            Key::Field(Field::Overbooked) => {
                vec!["overbooked.reason", "overbooked.by", "overbooked.rule"]
            }
            k => vec![k.name()],
        }
    }
}

/// The object's keys in the documented order (docs/commands.md#the-appointment-object):
/// the fields it shows in theirs, the local times after the date, the zone
/// after the end, and the patient, doctor, service and rooms after the
/// external reference.
fn documented() -> impl Iterator<Item = Key> {
    Field::ALL.into_iter().filter(|f| f.shown()).flat_map(|f| {
        let after: &[Key] = match f {
            Field::LocalDate => &[Key::StartTime, Key::EndTime],
            Field::EndsAt => &[Key::Timezone],
            Field::ExternalReferenceId => {
                &[Key::Patient, Key::Doctor, Key::Service, Key::Resources]
            }
            _ => &[],
        };
        std::iter::once(Key::Field(f)).chain(after.iter().copied())
    })
}

/// The CSV columns: every key of the object in the documented order, the
/// nested patient, doctor, service and overbooking flattened as `patient.phone`.
pub fn csv_columns() -> Vec<&'static str> {
    documented().flat_map(Key::columns).collect()
}

/// The appointment object of docs/commands.md#the-appointment-object: every
/// field always present, its keys in alphabetical order, as a `Value`'s map
/// sorts them.
/// Its clinical keys ([`CLINICAL_KEYS`]) only where the second field says
/// so.
pub(crate) struct AppointmentView<'a>(&'a Appointment, bool);

impl Serialize for AppointmentView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        static SORTED: OnceLock<Vec<Key>> = OnceLock::new();
        let keys = SORTED.get_or_init(|| {
            let mut keys: Vec<Key> = documented().collect();
            keys.sort_by_key(|k| k.name());
            keys
        });
        let (a, clinical) = (self.0, self.1);
        let values = a.values();
        let mut m = s.serialize_map(None)?;
        for &k in keys {
            let name = k.name();
            if !clinical && CLINICAL_KEYS.contains(&name) {
                continue;
            }
            match k {
                Key::Field(f) => match values[f as usize] {
                    Stored::Text(t) => m.serialize_entry(name, &t)?,
                    Stored::Int(n) => m.serialize_entry(name, &n)?,
                    Stored::Bool(b) => m.serialize_entry(name, &b)?,
                    Stored::Day(d) => m.serialize_entry(name, &day(d))?,
                    Stored::Instant(t) => m.serialize_entry(name, &opt_ts(t))?,
                    Stored::Overbooked(o) => m.serialize_entry(name, &o.map(|o| o.to_json()))?,
                },
                Key::StartTime => m.serialize_entry(name, &to_local(a.timezone, a.starts_at).1)?,
                Key::EndTime => m.serialize_entry(name, &to_local(a.timezone, a.ends_at).1)?,
                Key::Timezone => m.serialize_entry(name, a.timezone.name())?,
                Key::Patient => m.serialize_entry(
                    name,
                    &PartyView {
                        id: &a.patient_id,
                        full_name: &a.patient_name,
                        phone: &a.patient_phone,
                    },
                )?,
                Key::Doctor => m.serialize_entry(
                    name,
                    &a.doctor_id.as_deref().map(|id| DoctorRefView {
                        id,
                        full_name: a.doctor_name.as_deref().unwrap_or(""),
                        specialty: a.doctor_specialty.as_deref(),
                    }),
                )?,
                Key::Service => m.serialize_entry(
                    name,
                    &a.service_id.as_deref().map(|id| ServiceRefView {
                        id,
                        name: a.service_name.as_deref().unwrap_or(""),
                        duration_minutes: a.service_minutes.unwrap_or(a.duration_minutes),
                    }),
                )?,
                Key::Resources => m.serialize_entry(
                    name,
                    &a.resources
                        .iter()
                        .map(|r| ResourceRefView {
                            id: &r.id,
                            kind: r.kind.as_str(),
                            name: &r.name,
                        })
                        .collect::<Vec<_>>(),
                )?,
            }
        }
        m.end()
    }
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
    AppointmentView(a, true)
}

/// The appointment object with its clinical keys or without them.
pub(crate) fn appointment_view_as(a: &Appointment, clinical: bool) -> AppointmentView<'_> {
    AppointmentView(a, clinical)
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

/// Marks an entry stored by IDs whose clinic gave its patient a name of
/// its own (no copy of the name): once the entry is gone, no other name is
/// shown in its place.
pub const NAME_GIVEN: &str = "name_given";

/// A waitlist entry as an event stores it: the entry's own fields, its
/// patient, doctor and service by ID only.
pub fn waitlist_ids(e: &crate::store::waitlist::Entry) -> Value {
    let mut v = waitlist_entry(e);
    if let Value::Object(m) = &mut v {
        for k in WAITLIST_REFS {
            m.remove(k);
        }
        if e.name_given.is_some() {
            m.insert(NAME_GIVEN.into(), Value::Bool(true));
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
    m.remove(NAME_GIVEN);
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
