//! The providers' requests (docs/api.md#provider-hooks): no token — a
//! channel's secret signs each one, which `app::inbound` checks before
//! anything is read from it. The provider is answered as it expects:
//! Meta's challenge as plain text, an empty TwiML document for Twilio.

use super::{Answer, Call};
use crate::app::inbound;
use crate::app::outbox::reply::Reply;
use crate::app::Store;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// What Twilio is told to do with a message: nothing (the answer, if any,
/// goes out through the API as every other message does).
const TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

/// `GET /hooks/whatsapp`: Meta's verification of the webhook.
pub(super) fn whatsapp_verify(
    st: &mut Store,
    call: &Call,
    _: DateTime<Utc>,
    key: Option<String>,
) -> Result<(Answer, Vec<Reply>)> {
    let q: Vec<(String, String)> =
        form_urlencoded::parse(call.query.as_deref().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let get = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let challenge = inbound::verify_whatsapp(
        st,
        key,
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
    )?;
    Ok((
        Answer::text(200, "text/plain; charset=utf-8", challenge),
        Vec::new(),
    ))
}

/// `POST /hooks/whatsapp`: messages and statuses, signed.
pub(super) fn whatsapp(
    st: &mut Store,
    call: &Call,
    now: DateTime<Utc>,
    key: Option<String>,
) -> Result<(Answer, Vec<Reply>)> {
    let taken = inbound::whatsapp(st, key, &call.body, call.signature.as_deref(), now)?;
    Ok((
        Answer::json(200, serde_json::json!({"ok": true})),
        taken.replies,
    ))
}

/// `POST /hooks/twilio/sms` and `/hooks/twilio/status`: signed forms.
pub(super) fn twilio(
    st: &mut Store,
    call: &Call,
    now: DateTime<Utc>,
    key: Option<String>,
) -> Result<(Answer, Vec<Reply>)> {
    let taken = inbound::twilio(
        st,
        key,
        (call.route.path, call.query.as_deref()),
        &call.body,
        call.signature.as_deref(),
        now,
    )?;
    Ok((
        Answer::text(200, "text/xml", TWIML.to_string()),
        taken.replies,
    ))
}
