//! `patient export`'s document (docs/commands.md#appt-patient-export):
//! everything appt holds about one patient, in views of its own so that its
//! shape never changes by accident, and the line that confirms a file.

use super::appointment::{event_view, EventView};
use super::patient::{patient_view, PatientView};
use super::shown_view;
use crate::app::patient_export::{Message, PatientExport, Visit};
use crate::core::time::format_offset;
use crate::store::links::Issued;
use crate::wire::{opt_ts, to_json, ts, waitlist_entry, AppointmentView};
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Serialize)]
struct DocumentView<'a> {
    exported_at: String,
    /// The clinic the export is limited to (an API token's); null: all.
    clinic_id: Option<&'a str>,
    national_id_included: bool,
    patient: PatientView<'a>,
    appointments: Vec<VisitView<'a>>,
    messages: Vec<MessageView<'a>>,
    waitlist: Vec<Value>,
    recalls: Vec<Value>,
    links: Vec<LinkView<'a>>,
    events: Vec<EventView<'a>>,
    /// What they wrote to the clinic's channels.
    inbox: Vec<InboxView<'a>>,
    /// The times the booking page holds (or held) for their phone.
    holds: Vec<HoldView<'a>>,
}

/// A message the patient wrote, as received.
#[derive(Serialize)]
struct InboxView<'a> {
    id: &'a str,
    clinic_id: &'a str,
    channel: &'a str,
    kind: &'a str,
    received_at: String,
    body: &'a str,
    outcome: &'a str,
    appointment_id: Option<&'a str>,
}

/// A time held on the booking page for the patient's phone, with what was
/// typed there; never its code's digest nor the address it came from.
#[derive(Serialize)]
struct HoldView<'a> {
    id: &'a str,
    clinic_id: &'a str,
    doctor_id: &'a str,
    service_id: Option<&'a str>,
    kind: &'a str,
    starts_at: String,
    ends_at: String,
    until: String,
    name: &'a str,
    phone: &'a str,
    email: Option<&'a str>,
    channel: Option<&'a str>,
    created_at: String,
}

#[derive(Serialize)]
struct VisitView<'a> {
    appointment: AppointmentView<'a>,
    events: Vec<EventView<'a>>,
}

#[derive(Serialize)]
struct MessageView<'a> {
    id: &'a str,
    kind: &'a str,
    /// The patient's appointment it is about; null for a waitlist offer.
    appointment_id: Option<&'a str>,
    /// The waitlist entry an offer was made to.
    waitlist_id: Option<&'a str>,
    /// A reminder's offset before the visit (`24h`).
    offset: Option<String>,
    due_at: String,
    status: &'a str,
    attempts: i64,
    sent_at: Option<String>,
    next_attempt_at: Option<String>,
    last_error: Option<&'a str>,
    /// The text as appt writes it now, the link withheld.
    text: &'a str,
    /// The message's own fields: `previous` (rescheduled), `reason`
    /// (cancelled), `series`, `offer` (waitlist_offer).
    data: Map<String, Value>,
}

/// A link issued: what it names and when, never its token.
#[derive(Serialize)]
struct LinkView<'a> {
    kind: &'a str,
    target_id: &'a str,
    created_at: String,
}

fn visit(v: &Visit) -> VisitView<'_> {
    VisitView {
        appointment: shown_view(&v.appointment),
        events: v.events.iter().map(event_view).collect(),
    }
}

fn message(m: &Message) -> MessageView<'_> {
    let r = &m.reminder;
    MessageView {
        id: &r.id,
        kind: r.kind.as_str(),
        appointment_id: m.appointment_id.as_deref(),
        waitlist_id: r.waitlist_id.as_deref(),
        offset: r.is_reminder().then(|| format_offset(r.offset_minutes)),
        due_at: ts(r.due_at),
        status: r.status.as_str(),
        attempts: r.attempts,
        sent_at: opt_ts(r.sent_at),
        next_attempt_at: opt_ts(r.next_attempt_at),
        last_error: r.last_error.as_deref(),
        text: &m.text,
        data: match &r.data {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        },
    }
}

fn link(l: &Issued) -> LinkView<'_> {
    LinkView {
        kind: &l.kind,
        target_id: &l.target_id,
        created_at: ts(l.created_at),
    }
}

/// `patient export`'s JSON document.
pub fn patient_export(e: &PatientExport) -> Value {
    to_json(DocumentView {
        exported_at: ts(e.exported_at),
        clinic_id: e.clinic_id.as_deref(),
        national_id_included: e.national_id_included,
        patient: patient_view(&e.patient),
        appointments: e.visits.iter().map(visit).collect(),
        messages: e.messages.iter().map(message).collect(),
        waitlist: e.waitlist.iter().map(waitlist_entry).collect(),
        recalls: e.recalls.iter().map(super::recall::recall).collect(),
        links: e.links.iter().map(link).collect(),
        events: e.events.iter().map(event_view).collect(),
        inbox: e
            .inbox
            .iter()
            .map(|m| InboxView {
                id: &m.id,
                clinic_id: &m.clinic_id,
                channel: &m.channel,
                kind: &m.kind,
                received_at: ts(m.received_at),
                body: &m.body,
                outcome: &m.outcome,
                appointment_id: m.appointment_id.as_deref(),
            })
            .collect(),
        holds: e
            .holds
            .iter()
            .map(|h| HoldView {
                id: &h.id,
                clinic_id: &h.clinic_id,
                doctor_id: &h.doctor_id,
                service_id: h.service_id.as_deref(),
                kind: h.kind,
                starts_at: ts(h.starts_at),
                ends_at: ts(h.ends_at),
                until: ts(h.until),
                name: &h.name,
                phone: &h.phone,
                email: h.email.as_deref(),
                channel: h.channel.as_deref(),
                created_at: ts(h.created_at),
            })
            .collect(),
    })
}

/// `patient export --output FILE --json`: what was written, and where.
pub fn patient_exported(e: &PatientExport, output: &str) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        patient_id: &'a str,
        format: &'a str,
        output: &'a str,
        appointments: usize,
        national_id_included: bool,
    }
    to_json(View {
        patient_id: &e.patient.id,
        format: e.format.as_str(),
        output,
        appointments: e.visits.len(),
        national_id_included: e.national_id_included,
    })
}
