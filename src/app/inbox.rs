//! The clinic's inbox (docs/rules.md#answers): what patients wrote to its
//! channels that appt did not act on by itself, and answers whose reply
//! could not be sent, each with the patient's next visit; `done` hides one.

use super::outbox::reply::{record_replies, send_replies, Reply};
use crate::core::channel::Kind;
use crate::core::Appointment;
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::inbox::{self, Inbound};
use crate::store::{channels, clinics, patients, Store};
use chrono::{DateTime, Utc};

/// At most this many messages are listed.
pub const LIMIT: i64 = 200;

/// A message received, and its patient's next active visit at the clinic.
pub struct Item {
    pub message: Inbound,
    pub next: Option<Appointment>,
    /// The clinic's zone, which its times are shown in.
    pub zone: crate::core::zone::Tz,
}

/// The clinic a request names (`--clinic`), within what the caller sees
/// (`seen_from`, an API token's clinic): its ID, or None for every clinic.
fn clinic_of(
    tx: &crate::store::db::Tx,
    named: Option<&str>,
    seen_from: Option<&str>,
) -> Result<Option<String>> {
    match (named, seen_from) {
        (None, own) => Ok(own.map(str::to_string)),
        (Some(n), own) => {
            let c = clinics::find(tx, n)?;
            if own.is_some_and(|o| o != c.id) {
                return Err(Error::not_found(crate::error::Entity::Clinic));
            }
            Ok(Some(c.id))
        }
    }
}

/// The messages for the desk (with `all`, every message received), newest
/// first, each with the patient's next visit.
pub fn list(
    st: &mut Store,
    clinic: Option<&str>,
    seen_from: Option<&str>,
    all: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Item>> {
    st.read(|tx| {
        let clinic = clinic_of(tx, clinic, seen_from)?;
        let rows = inbox::list(tx, clinic.as_deref(), all, LIMIT)?;
        let mut items = Vec::with_capacity(rows.len());
        let mut zones = std::collections::HashMap::new();
        for m in rows {
            if !zones.contains_key(&m.clinic_id) {
                zones.insert(
                    m.clinic_id.clone(),
                    clinics::get(tx, &m.clinic_id)?.timezone,
                );
            }
            let zone = zones[&m.clinic_id];
            let next = match &m.patient_id {
                Some(p) => super::inbound::next_visit(tx, p, &m.clinic_id, now)?,
                None => None,
            };
            items.push(Item {
                message: m,
                next,
                zone,
            });
        }
        Ok(items)
    })
}

/// Marks message `id` (or the start of its ID) done.
pub fn done(
    st: &mut Store,
    id: &str,
    seen_from: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Inbound> {
    st.write(|tx| {
        let mut m = one(tx, seen_from, id)?;
        inbox::done(tx, &m.id, now)?;
        m.done_at.get_or_insert(now);
        Ok(m)
    })
}

/// One message, whole, with the patient's next visit (`inbox show ID`).
pub fn show(st: &mut Store, id: &str, seen_from: Option<&str>, now: DateTime<Utc>) -> Result<Item> {
    st.read(|tx| {
        let message = one(tx, seen_from, id)?;
        let next = match &message.patient_id {
            Some(p) => super::inbound::next_visit(tx, p, &message.clinic_id, now)?,
            None => None,
        };
        Ok(Item {
            zone: clinics::get(tx, &message.clinic_id)?.timezone,
            next,
            message,
        })
    })
}

/// The message `id` (or the start of its ID, 4 characters at least) names.
fn one(tx: &Tx, seen_from: Option<&str>, id: &str) -> Result<Inbound> {
    let id = id.trim();
    if id.chars().count() < 4 {
        return Err(Error::field(
            "id",
            crate::text::msg!("e-inbox_id_too_short"),
        ));
    }
    let mut found = inbox::find(tx, seen_from, id)?;
    match found.len() {
        0 => Err(Error::not_found(crate::error::Entity::Message)),
        1 => Ok(found.remove(0)),
        _ => Err(Error::new(
            Code::AmbiguousId,
            crate::text::msg!("e-inbox_id_ambiguous", a = id.to_string()),
        )),
    }
}

/// The longest answer the desk sends (one SMS is 160 characters; a few
/// lines is what an answer needs).
const REPLY_MAX: usize = 1000;

/// What [`reply`] sent: the message answered (now done), and where the
/// answer went.
pub struct Answered {
    pub message: Inbound,
    pub to: String,
}

/// `inbox reply ID TEXT` and the board's `r`: the desk's answer to a
/// patient's message, after the clinic's name, through the channel it came by (WhatsApp only within
/// 24 hours of the patient's last message there; an e-mail is answered
/// from the clinic's mail). Sent, the message is done; not sent,
/// `DELIVERY_FAILED` with the provider's reason, and it stays in the inbox
/// with the failure shown.
pub fn reply(
    st: &mut Store,
    id: &str,
    text: &str,
    seen_from: Option<&str>,
    key: Option<String>,
    now: DateTime<Utc>,
) -> Result<Answered> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > REPLY_MAX {
        return Err(Error::field(
            "text",
            crate::text::msg!("e-reply_text", max = REPLY_MAX),
        ));
    }
    let keys = st.keys(key);
    let (m, stored, secrets, to, said) = st.read(|tx| {
        let m = one(tx, seen_from, id)?;
        let stored = channels::by_name(tx, &m.clinic_id, &m.channel)?
            .ok_or_else(|| Error::not_found(crate::error::Entity::Channel))?;
        match stored.settings.kind() {
            Kind::Email => {
                return Err(Error::field(
                    "channel",
                    crate::text::msg!("e-reply_by_email"),
                ))
            }
            Kind::WhatsApp => {
                let since = now - chrono::Duration::hours(24);
                // This message, or a later one of the patient's there.
                let wrote = m.received_at >= since
                    || match &m.patient_id {
                        Some(p) => inbox::wrote_whatsapp_since(tx, &m.clinic_id, since)?
                            .iter()
                            .any(|(q, _)| q == p),
                        None => false,
                    };
                if !wrote {
                    return Err(Error::field(
                        "channel",
                        crate::text::msg!("e-reply_whatsapp_window"),
                    ));
                }
            }
            Kind::Sms => {}
        }
        let to = match (&m.patient_id, &m.sender) {
            (Some(p), _) => patients::get(tx, p)?.patient.phone,
            (None, Some(sender)) => sender.clone(),
            (None, None) => return Err(Error::not_found(crate::error::Entity::Patient)),
        };
        let ring = patients::opening_keys(tx, &keys)?;
        let secrets = stored.open(&ring)?;
        // Named, as appt's own answers are: a patient may hear from several clinics.
        let said = format!("{}: {text}", clinics::get(tx, &m.clinic_id)?.name);
        Ok((m, stored, secrets, to, said))
    })?;
    let answer = Reply::answer(&m.id, stored.settings.clone(), secrets, &to, said);
    let replied = send_replies(vec![answer]);
    record_replies(st, &replied)?;
    let Some(sent) = replied.first() else {
        return Err(Error::internal(crate::text::msg!(
            "e-reply_not_sent",
            a = stored.name.clone(),
            why = String::new()
        )));
    };
    if let Some(why) = sent.sent.why() {
        return Err(Error::new(
            Code::DeliveryFailed,
            crate::text::msg!(
                "e-reply_not_sent",
                a = stored.name.clone(),
                why = why.clone()
            ),
        )
        .details(serde_json::json!({"channel": stored.name, "reason": why})));
    }
    let message = done(st, &m.id, seen_from, now)?;
    Ok(Answered { message, to })
}
