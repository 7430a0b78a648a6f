//! `appt webhook add|list|remove|deliver`. `deliver` (cron) POSTs each event
//! recorded since a webhook was added, in order, signed with HMAC-SHA256 when
//! the webhook has a secret; a failure holds back that webhook's later events
//! until a retry, with backoff, succeeds.

use super::prompt::Ask;
use super::Ctx;
use crate::core::delivery::{backoff, CLAIM};
use crate::core::time;
use crate::error::{Code, Error, Result};
use crate::output::{human, json, Report};
use crate::store::crypto::to_hex;
use crate::store::events::{Event, TYPES};
use crate::store::webhooks::{self, Webhook};
use crate::store::{self};
use clap::Subcommand;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

/// No answer within this long counts as a failed delivery.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a webhook: events recorded from now on are POSTed to URL
    Add {
        /// http:// or https:// address
        url: Option<String>,
        /// Only these event types (comma-separated) [default: all]
        #[arg(long, value_name = "T1,T2")]
        events: Option<String>,
        /// Sign each body: X-Appt-Signature: sha256=<hex HMAC-SHA256>
        #[arg(long)]
        secret: Option<String>,
    },
    /// List webhooks and how their deliveries stand
    List,
    /// Remove a webhook
    Remove {
        /// Webhook ID (or unique prefix)
        webhook: String,
    },
    /// POST every undelivered event (cron runs this every few minutes)
    Deliver,
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            url,
            events,
            secret,
        } => add(ctx, url, events, secret),
        Cmd::List => {
            let st = ctx.open()?;
            let all = webhooks::list(&st.conn)?;
            let mut t = human::table(&[
                "URL",
                "Events",
                "Signed",
                "Delivered",
                "Last event",
                "Retry at",
                "Last error",
                "ID",
            ]);
            for w in &all {
                t.add_row(vec![
                    w.url.clone(),
                    w.events
                        .as_ref()
                        .map(|e| e.join(","))
                        .unwrap_or_else(|| "all".into()),
                    if w.secret.is_some() { "yes" } else { "no" }.into(),
                    w.delivered.to_string(),
                    w.cursor.to_string(),
                    w.next_attempt_at.map(time::fmt_utc).unwrap_or_default(),
                    w.last_error.clone().unwrap_or_default(),
                    human::short(&w.id).to_string(),
                ]);
            }
            let text = if all.is_empty() {
                "No webhooks.".to_string()
            } else {
                t.to_string()
            };
            Ok(Report::new(
                json::list("webhooks", all.iter().map(json::webhook).collect()),
                text,
            ))
        }
        Cmd::Remove { webhook } => {
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let w = webhooks::find(&tx, &webhook)?;
            webhooks::remove(&tx, &w.id)?;
            tx.commit()?;
            Ok(Report::new(
                json::webhook(&w),
                format!("Removed webhook {} ({})", human::short(&w.id), w.url),
            ))
        }
        Cmd::Deliver => deliver(ctx),
    }
}

fn add(
    ctx: &Ctx,
    url: Option<String>,
    events: Option<String>,
    secret: Option<String>,
) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    let url = ask.text(url, "url", "URL", "Webhook URL")?;
    ask.finish()?;
    let url = url.unwrap_or_default().trim().to_string();
    let mut bad = Vec::new();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty()
        || host.starts_with('/')
        || url.chars().any(char::is_whitespace)
        || url.len() > 2000
    {
        bad.push((
            "url".to_string(),
            "URL must be an http:// or https:// address".to_string(),
        ));
    }
    let events = match events {
        None => None,
        Some(list) => {
            let types: Vec<String> = list
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            if types.is_empty() || types.iter().any(|t| !TYPES.contains(&t.as_str())) {
                bad.push((
                    "events".into(),
                    format!("events must be some of {}", TYPES.join(", ")),
                ));
            }
            Some(types)
        }
    };
    let secret = secret.filter(|s| !s.is_empty());
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let mut w = Webhook {
        id: store::new_id(),
        url,
        events,
        secret,
        cursor: 0,
        attempts: 0,
        next_attempt_at: None,
        claimed_until: None,
        last_error: None,
        delivered: 0,
        created_at: ctx.now,
    };
    let mut st = ctx.open()?;
    let tx = st.write()?;
    webhooks::insert(&tx, &mut w)?;
    tx.commit()?;
    Ok(Report::new(
        json::webhook(&w),
        format!("Added webhook {} → {}", human::short(&w.id), w.url),
    ))
}

/// `sha256=<hex HMAC-SHA256 of the exact body>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(body);
    format!("sha256={}", to_hex(&mac.finalize().into_bytes()))
}

fn post(agent: &ureq::Agent, w: &Webhook, e: &Event, body: &str) -> Result<(), String> {
    let mut req = agent
        .post(&w.url)
        .set("Content-Type", "application/json")
        .set("X-Appt-Event", &e.kind)
        .set("X-Appt-Delivery", &e.id.to_string());
    if let Some(secret) = &w.secret {
        req = req.set("X-Appt-Signature", &signature(secret, body.as_bytes()));
    }
    match req.send_string(body) {
        Ok(resp) if (200..300).contains(&resp.status()) => Ok(()),
        Ok(resp) => Err(format!("HTTP {}", resp.status())),
        Err(ureq::Error::Status(code, _)) => Err(format!("HTTP {code}")),
        Err(e) => Err(e.to_string()),
    }
}

fn deliver(ctx: &Ctx) -> Result<Report> {
    let mut st = ctx.open()?;
    let agent = ureq::AgentBuilder::new()
        .timeout(TIMEOUT)
        .redirects(0)
        .build();
    let (mut delivered, mut failures) = (0i64, Vec::new());
    for hook in webhooks::list(&st.conn)? {
        // Claim the webhook so an overlapping run leaves it alone.
        let tx = st.write()?;
        let claimed = webhooks::claim(&tx, &hook.id, ctx.now, ctx.now + CLAIM)?;
        tx.commit()?;
        let Some(mut w) = claimed else { continue };
        while let Some(e) = webhooks::next_event(&st.conn, &w)? {
            let body = json!({"id": e.id, "type": e.kind, "created_at": time::fmt_utc(e.created_at), "data": e.data})
                .to_string();
            let outcome = post(&agent, &w, &e, &body);
            let tx = st.write()?;
            match outcome {
                Ok(()) => {
                    webhooks::delivered(&tx, &w.id, e.id)?;
                    tx.commit()?;
                    w.cursor = e.id;
                    w.attempts = 0;
                    delivered += 1;
                }
                Err(why) => {
                    let retry = ctx.now + backoff(w.attempts + 1);
                    webhooks::failed(&tx, &w.id, &why, retry)?;
                    tx.commit()?;
                    failures.push(json!({"webhook_id": w.id, "event_id": e.id, "error": why, "retry_at": time::fmt_utc(retry)}));
                    break;
                }
            }
        }
        let tx = st.write()?;
        webhooks::release(&tx, &w.id)?;
        tx.commit()?;
    }
    let failed = failures.len() as i64;
    let mut report = if delivered + failed == 0 {
        Report::quiet()
    } else {
        Report::new(
            json!({"delivered": delivered, "failed": failed}),
            format!("Webhooks: {delivered} delivered, {failed} failed"),
        )
    };
    if failed > 0 {
        report.partial = Some(
            Error::new(
                Code::DeliveryFailed,
                format!("{failed} webhook deliveries failed; they are retried on a later run"),
            )
            .details(json!({"failed": failures})),
        );
    }
    Ok(report)
}
