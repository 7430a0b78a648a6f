//! Webhooks: `add`, `list`, `remove`, and `deliver` (cron), which POSTs each
//! event recorded since a webhook was added, in order, signed with
//! HMAC-SHA256 when the webhook has a secret; a failure holds back that
//! webhook's later events until a retry, with backoff, succeeds (docs/rules.md#events).

use crate::core::delivery::{backoff, CLAIM};
use crate::core::time;
use crate::core::{secrets, EventKind};
use crate::error::{Error, Result};
use crate::store::events::Event;
use crate::store::webhooks::{self, Webhook};
use crate::store::{self, Store};
use crate::wire;
use chrono::{DateTime, Utc};
use serde_json::json;

/// No answer within this long counts as a failed delivery.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub fn add(
    st: &mut Store,
    url: &str,
    events: Option<&str>,
    secret: Option<&str>,
    clinical: bool,
    now: DateTime<Utc>,
) -> Result<Webhook> {
    let url = url.trim().to_string();
    let mut bad = Vec::new();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    // Parsed as delivery will parse it, so the part shown masked as the
    // password is the one sent as the password.
    if host.is_empty()
        || host.starts_with('/')
        || url.chars().any(char::is_whitespace)
        || url.len() > 2000
        || ureq::post(&url).request_url().is_err()
    {
        bad.push((
            "url".to_string(),
            crate::text::msg!("e-url_must_be_an_http_or_https"),
        ));
    }
    let events = events.map(|list| {
        let types: Vec<String> = list
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if types.is_empty() || types.iter().any(|t| EventKind::parse(t).is_none()) {
            bad.push((
                "events".into(),
                crate::text::msg!("e-events_must_be_some_of", a = EventKind::names()),
            ));
        }
        types
    });
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let mut w = Webhook {
        id: store::new_id(),
        url,
        events,
        secret: secret.filter(|s| !s.is_empty()).map(str::to_string),
        cursor: 0,
        attempts: 0,
        next_attempt_at: None,
        claimed_until: None,
        last_error: None,
        delivered: 0,
        created_at: now,
        clinical,
    };
    st.write(|tx| webhooks::insert(tx, &mut w))?;
    Ok(w)
}

pub fn list(st: &mut Store) -> Result<Vec<Webhook>> {
    st.read(webhooks::list)
}

/// One webhook by ID or prefix (what `remove` would take).
pub fn find(st: &mut Store, webhook: &str) -> Result<Webhook> {
    st.read(|tx| webhooks::find(tx, webhook))
}

pub fn remove(st: &mut Store, webhook: &str) -> Result<Webhook> {
    st.write(|tx| {
        let w = webhooks::find(tx, webhook)?;
        webhooks::remove(tx, &w.id)?;
        Ok(w)
    })
}

fn post(agent: &ureq::Agent, w: &Webhook, e: &Event, body: &str) -> Result<(), crate::text::Msg> {
    let mut req = agent
        .post(&w.url)
        .set("Content-Type", "application/json")
        .set("X-Appt-Event", e.kind.as_str())
        .set("X-Appt-Delivery", &e.id.to_string());
    if let Some(secret) = &w.secret {
        req = req.set(
            "X-Appt-Signature",
            &crate::core::secrets::sha256_signature(secret, body.as_bytes()),
        );
    }
    match req.send_string(body) {
        Ok(resp) if (200..300).contains(&resp.status()) => Ok(()),
        Ok(resp) => Err(crate::text::msg!("e-http", code = resp.status())),
        Err(ureq::Error::Status(code, _)) => Err(crate::text::msg!("e-http", code = code)),
        Err(ureq::Error::Transport(t)) => Err(crate::text::Msg::verbatim(secrets::scrub(
            &super::transport_error(&t),
            &w.url,
        ))),
    }
}

pub use crate::app::shortfall::WebhookFailure as Failure;

/// What one `deliver` run did.
#[derive(Default)]
pub struct Delivered {
    pub delivered: i64,
    pub failures: Vec<Failure>,
}

impl Delivered {
    /// The events not delivered, as the error the run ends with.
    pub fn shortfall(&self) -> Option<crate::app::shortfall::Shortfall<'_>> {
        (!self.failures.is_empty())
            .then_some(crate::app::shortfall::Shortfall::Webhooks(&self.failures))
    }
}

pub fn deliver(st: &mut Store, now: DateTime<Utc>) -> Result<Delivered> {
    let agent = ureq::AgentBuilder::new()
        .timeout(TIMEOUT)
        .redirects(0)
        .build();
    let mut done = Delivered::default();
    for hook in st.read(webhooks::list)? {
        // Claim the webhook so an overlapping run leaves it alone.
        let claimed = st.write(|tx| webhooks::claim(tx, &hook.id, now, now + CLAIM))?;
        let Some(mut w) = claimed else { continue };
        while let Some(e) = st.read(|tx| {
            let Some(e) = webhooks::next_event(tx, &w)? else {
                return Ok(None);
            };
            let mut one = [e];
            crate::app::events::shown(tx, &mut one)?;
            let [e] = one;
            Ok(Some(e))
        })? {
            // The message view unless the webhook was added `--clinical`.
            let data = if w.clinical {
                e.data.clone()
            } else {
                wire::event_message_view(e.data.clone())
            };
            let mut body = json!({"id": e.id, "type": e.kind.as_str(), "created_at": time::fmt_utc(e.created_at), "actor": e.actor, "data": data});
            // The account beside a member of staff, as `events` has it.
            if let Some(os_user) = &e.os_user {
                body["os_user"] = json!(os_user);
            }
            let body = body.to_string();
            match post(&agent, &w, &e, &body).map_err(|m| m.english()) {
                Ok(()) => {
                    st.write(|tx| webhooks::delivered(tx, &w.id, e.id))?;
                    w.cursor = e.id;
                    w.attempts = 0;
                    done.delivered += 1;
                }
                Err(why) => {
                    let retry = now + backoff(w.attempts + 1);
                    st.write(|tx| webhooks::failed(tx, &w.id, &why, retry))?;
                    done.failures.push(Failure {
                        webhook_id: w.id.clone(),
                        event_id: e.id,
                        error: why,
                        retry_at: retry,
                    });
                    break;
                }
            }
        }
        st.write(|tx| webhooks::release(tx, &w.id))?;
    }
    Ok(done)
}
