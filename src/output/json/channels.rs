//! A clinic's channels, as JSON: `channel add|list|remove|order|test`.
//! Never a secret, nor anything that tells its length.

use crate::app::inbox::Item;
use crate::app::outbox::channel::{Configured, Tested};
use crate::core::channel::Outcome;
use crate::store::inbox::Inbound;
use crate::wire::{to_json, ts};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct ChannelView<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
    clinic: &'a str,
    position: i64,
    /// The provider's settings that may be shown (by kind).
    settings: Value,
    created_at: String,
}

/// `{"id","name","kind","clinic","position","settings","created_at"}`.
pub fn channel(c: &Configured) -> Value {
    let mut settings = serde_json::to_value(&c.stored.settings).unwrap_or(Value::Null);
    if let Some(m) = settings.as_object_mut() {
        m.remove("kind");
    }
    to_json(ChannelView {
        id: &c.stored.id,
        name: &c.stored.name,
        kind: c.stored.settings.kind().as_str(),
        clinic: &c.clinic,
        position: c.stored.position,
        settings,
        created_at: ts(c.stored.created_at),
    })
}

/// The provider's message ID of a message it took.
pub fn provider_id(o: &Outcome) -> Option<String> {
    match o {
        Outcome::Sent { provider_id } => provider_id.clone(),
        _ => None,
    }
}

/// `channel test --json` once the provider took the message:
/// `{"channel","to","outcome":"sent","provider_id"}`.
pub fn channel_tested(t: &Tested) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        channel: &'a str,
        to: &'a str,
        outcome: &'static str,
        provider_id: Option<String>,
    }
    to_json(View {
        channel: &t.channel.stored.name,
        to: &t.to,
        outcome: "sent",
        provider_id: provider_id(&t.outcome),
    })
}

/// A message a clinic's channel received, as `appt inbox --json` and
/// `GET /v1/inbox` show it (docs/rules.md#answers): its patient (name and
/// phone) or, for someone who is no patient, the sender's phone; what appt
/// did with it; and the patient's next visit in the message view (no
/// clinical field).
pub fn inbox_item(item: &Item) -> Value {
    let m = &item.message;
    let patient = match (&m.patient_id, &m.patient_name, &m.patient_phone) {
        (Some(id), Some(name), Some(phone)) => {
            serde_json::json!({"id": id, "full_name": name, "phone": phone})
        }
        _ => Value::Null,
    };
    serde_json::json!({
        "id": m.id,
        "clinic_id": m.clinic_id,
        "channel": m.channel,
        "kind": m.kind,
        "received_at": ts(m.received_at),
        "patient": patient,
        "sender": m.sender,
        "text": m.body,
        "outcome": m.outcome,
        "appointment_id": m.appointment_id,
        "answer_status": m.answer_status,
        "answer_error": m.answer_error,
        "done_at": m.done_at.map(ts),
        "next_visit": item.next.as_ref().map(crate::wire::message_appointment),
    })
}

/// `appt inbox --json` and `GET /v1/inbox`: `{"messages":[…]}`.
pub fn inbox(items: &[Item]) -> Value {
    serde_json::json!({"messages": items.iter().map(inbox_item).collect::<Vec<_>>()})
}

/// `inbox done --json`: the message's ID and when it was marked done.
pub fn inbox_done(m: &Inbound) -> Value {
    serde_json::json!({"id": m.id, "done_at": m.done_at.map(ts)})
}
