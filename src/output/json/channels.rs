//! A clinic's channels, as JSON: `channel add|list|remove|order|test`.
//! Never a secret, nor anything that tells its length.

use crate::app::channel::{Configured, Tested};
use crate::core::channel::Outcome;
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
