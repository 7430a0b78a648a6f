//! A clinic's channels, decided without I/O: what a channel's settings may
//! hold and how they are checked, the request each provider documents for
//! one text message ([`Provider::request`]), and what its answer means
//! ([`Provider::classify`]): sent with the provider's message ID, a
//! temporary failure (429, 5xx, no answer) or a permanent one with the
//! provider's code and message (docs/commands.md#appt-channel); for e-mail,
//! what an SMTP URL holds and what an SMTP server's answer means
//! ([`smtp_outcome`]). `app::channel` sends the request and hands the answer
//! back here.

use super::inbound::{self, Intent};
use super::message::Fields;
use super::model::Language;
use crate::text::{msg, Msg};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The kinds of channel, as stored and typed.
pub const KINDS: [&str; 3] = ["whatsapp", "sms", "email"];

/// The WhatsApp Cloud API's base URL (Meta's Graph API, the version appt speaks).
pub const WHATSAPP_API: &str = "https://graph.facebook.com/v21.0";
/// Twilio's REST API.
pub const TWILIO_API: &str = "https://api.twilio.com";

/// A template's parameters when `--template` names none: the ready text's
/// placeholders in this order.
pub const DEFAULT_PLACEHOLDERS: [&str; 5] = ["patient", "date", "time", "doctor", "clinic"];

/// A name longer than this is refused.
const NAME_LIMIT: usize = 40;

/// What a channel sends through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    WhatsApp,
    Sms,
    Email,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::WhatsApp => "whatsapp",
            Kind::Sms => "sms",
            Kind::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "whatsapp" => Some(Kind::WhatsApp),
            "sms" => Some(Kind::Sms),
            "email" => Some(Kind::Email),
            _ => None,
        }
    }
}

/// The kind of the booking page's code message: a WhatsApp channel sends it
/// as its authentication template when it has one
/// (`--template verification=NAME:LANG`), the code its one parameter.
pub const VERIFICATION: &str = "verification";

/// A WhatsApp template a kind of message goes out as (`KIND=NAME:LANG[:P,…]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub kind: String,
    pub name: String,
    pub language: String,
    /// The ready text's placeholders, in the order the template declares them.
    pub placeholders: Vec<String>,
}

impl Template {
    /// `--template KIND=NAME:LANG[:PLACEHOLDER,…]`, checked.
    pub fn parse(s: &str) -> Result<Template, Msg> {
        let bad = || msg!("e-channel_template_shape", a = s.to_string());
        let (kind, rest) = s.split_once('=').ok_or_else(bad)?;
        let mut parts = rest.splitn(3, ':');
        let (name, language) = (parts.next().unwrap_or(""), parts.next().ok_or_else(bad)?);
        let placeholders: Vec<String> = match parts.next() {
            Some(list) => list.split(',').map(|p| p.trim().to_string()).collect(),
            None => DEFAULT_PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
        };
        let (kind, name, language) = (kind.trim(), name.trim(), language.trim());
        if !super::message::Kind::NAMES.contains(&kind) && kind != VERIFICATION {
            return Err(msg!(
                "e-channel_template_kind",
                a = kind.to_string(),
                b = format!("{}, {VERIFICATION}", super::message::Kind::NAMES.join(", "))
            ));
        }
        // An authentication template's one parameter is the code.
        let placeholders = if kind == VERIFICATION {
            Vec::new()
        } else {
            placeholders
        };
        let word = |w: &str, max: usize| {
            !w.is_empty()
                && w.len() <= max
                && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if !word(name, 512) || !word(language, 15) {
            return Err(bad());
        }
        if let Some(p) = placeholders
            .iter()
            .find(|p| !super::message::PLACEHOLDERS.contains(&p.as_str()))
        {
            return Err(msg!(
                "e-channel_template_placeholder",
                a = p.to_string(),
                b = super::message::PLACEHOLDERS.join(", ")
            ));
        }
        Ok(Template {
            kind: kind.to_string(),
            name: name.to_string(),
            language: language.to_string(),
            placeholders,
        })
    }
}

/// What a channel holds that may be shown (never a secret), by provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Settings {
    #[serde(rename = "whatsapp")]
    WhatsApp {
        phone_number_id: String,
        api_url: String,
        templates: Vec<Template>,
    },
    Sms {
        account_sid: String,
        from: String,
        api_url: String,
    },
    Email {
        smtp_url: String,
        from: String,
        reply_to: Option<String>,
    },
}

impl Settings {
    pub fn kind(&self) -> Kind {
        match self {
            Settings::WhatsApp { .. } => Kind::WhatsApp,
            Settings::Sms { .. } => Kind::Sms,
            Settings::Email { .. } => Kind::Email,
        }
    }
}

/// A channel's secrets, sealed together at rest. `Debug` never shows them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secrets {
    /// WhatsApp's access token, or Twilio's auth token, or the SMTP password.
    pub token: String,
    /// WhatsApp's app secret (signs its webhooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<String>,
    /// WhatsApp's verify token (its webhook's verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_token: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

impl Secrets {
    /// Every secret it holds, to scrub from what a provider answers.
    pub fn all(&self) -> Vec<&str> {
        [
            Some(&self.token),
            self.app_secret.as_ref(),
            self.verify_token.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect()
    }

    /// `text` with every secret replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        self.all()
            .into_iter()
            .fold(text.to_string(), |t, s| t.replace(s, "***"))
    }
}

/// A channel's name: 1 to 40 characters, no control characters.
pub fn check_name(name: &str) -> Result<String, Msg> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_LIMIT || name.chars().any(char::is_control) {
        return Err(msg!("e-channel_name", n = NAME_LIMIT));
    }
    Ok(name.to_string())
}

/// A provider's base URL: http(s), a host, no password, no query; the
/// trailing `/` dropped.
pub fn check_api_url(url: &str) -> Result<String, Msg> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split('/').next().unwrap_or(""));
    match host {
        Some(h)
            if !h.is_empty()
                && !h.contains('@')
                && !url.contains(['?', '#'])
                && !url.chars().any(|c| c.is_whitespace() || c.is_control())
                && url.len() <= 2000 =>
        {
            Ok(url.to_string())
        }
        _ => Err(msg!("e-channel_api_url")),
    }
}

/// WhatsApp's phone-number ID: digits.
pub fn check_phone_number_id(id: &str) -> Result<String, Msg> {
    let id = id.trim();
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(msg!("e-channel_phone_number_id"));
    }
    Ok(id.to_string())
}

/// Twilio's account SID (`AC…`): letters and digits.
pub fn check_account_sid(sid: &str) -> Result<String, Msg> {
    let sid = sid.trim();
    if sid.is_empty() || sid.len() > 64 || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(msg!("e-channel_account_sid"));
    }
    Ok(sid.to_string())
}

/// An SMS sender: `+` and 8 to 15 digits.
pub fn check_sender(from: &str) -> Result<String, Msg> {
    let from = from.trim();
    let digits = from.strip_prefix('+').unwrap_or("");
    if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(msg!("e-channel_sms_from"));
    }
    Ok(from.to_string())
}

/// An e-mail address as a sender or a reply-to: one `@`, a dotted domain.
pub fn check_address(addr: &str) -> Result<String, Msg> {
    let addr = addr.trim();
    let ok = match addr.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && addr.len() <= 254
                && !addr
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ','))
        }
        None => false,
    };
    if ok {
        Ok(addr.to_string())
    } else {
        Err(msg!("e-channel_address", a = addr.to_string()))
    }
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://`: plain until STARTTLS, which is required.
    StartTls,
}

/// An e-mail channel's `--smtp-url`, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub tls: SmtpTls,
    /// As written: an account named by an address (`desk@clinic.example`)
    /// keeps its `@`, the host being after the last one.
    pub user: String,
    /// A name, an IPv4 address, or an IPv6 one without its brackets.
    pub host: String,
    pub port: u16,
}

impl SmtpUrl {
    /// `smtp://USER@HOST:PORT` (STARTTLS) or `smtps://…` (TLS from the
    /// first byte), without a password; None when it is not one.
    pub fn parse(url: &str) -> Option<SmtpUrl> {
        let url = url.trim();
        let (tls, rest) = match url.strip_prefix("smtps://") {
            Some(r) => (SmtpTls::Implicit, r),
            None => (SmtpTls::StartTls, url.strip_prefix("smtp://")?),
        };
        let r = rest.trim_end_matches('/');
        let (user, hostport) = r.rsplit_once('@')?;
        let (host, port) = hostport.rsplit_once(':')?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = port.parse::<u16>().ok().filter(|p| *p > 0)?;
        let fine = !user.is_empty()
            && !user.contains(':')
            && !host.is_empty()
            && !host.contains(['/', '[', ']', '@'])
            && !r.chars().any(|c| c.is_whitespace() || c.is_control());
        fine.then(|| SmtpUrl {
            tls,
            user: user.to_string(),
            host: host.to_string(),
            port,
        })
    }
}

/// `smtp://USER@HOST:PORT` (STARTTLS) or `smtps://…` (TLS from the first
/// byte), without a password: that comes from a file or the environment.
pub fn check_smtp_url(url: &str) -> Result<String, Msg> {
    match SmtpUrl::parse(url) {
        Some(_) => Ok(url.trim().trim_end_matches('/').to_string()),
        None => Err(msg!("e-channel_smtp_url")),
    }
}

/// How a request proves who sends it.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer TOKEN`.
    Bearer(String),
    /// `Authorization: Basic base64(USER:PASSWORD)`.
    Basic { user: String, password: String },
}

/// What a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `application/json`.
    Json(Value),
    /// `application/x-www-form-urlencoded`, fields in this order.
    Form(Vec<(String, String)>),
    /// None: the request is a `GET` ([`Provider::probe`]).
    Empty,
}

/// One HTTP POST (a `GET` without a body), as the provider documents it.
#[derive(Clone)]
pub struct Request {
    pub url: String,
    pub auth: Auth,
    pub body: Body,
}

/// What came back from a provider.
#[derive(Debug, Clone)]
pub enum Answer {
    /// An HTTP answer: its status, its `Retry-After`, its body.
    Http {
        status: u16,
        retry_after: Option<String>,
        body: String,
    },
    /// No answer within the deadline.
    TimedOut,
    /// No connection, or the answer broke off (the reason, without the URL).
    Unreachable(String),
}

/// What a send came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted: the provider's message ID, when its answer names one.
    Sent { provider_id: Option<String> },
    /// Try again later (429, 5xx, no answer): after `retry_after` seconds
    /// when the provider said so.
    Temporary {
        status: Option<u16>,
        retry_after: Option<u64>,
        reason: String,
    },
    /// Refused for good (4xx other than 429): the provider's code and message.
    Permanent {
        status: u16,
        code: Option<String>,
        message: String,
    },
}

impl Outcome {
    /// The outcome with every secret of the channel replaced by `***`: whatever
    /// a provider or a server echoes back, a secret never goes further.
    pub fn scrubbed(self, secrets: &Secrets) -> Outcome {
        match self {
            Outcome::Temporary {
                status,
                retry_after,
                reason,
            } => Outcome::Temporary {
                status,
                retry_after,
                reason: secrets.scrub(&reason),
            },
            Outcome::Permanent {
                status,
                code,
                message,
            } => Outcome::Permanent {
                status,
                code: code.map(|c| secrets.scrub(&c)),
                message: secrets.scrub(&message),
            },
            sent => sent,
        }
    }

    pub fn sent(&self) -> bool {
        matches!(self, Outcome::Sent { .. })
    }

    /// Why it was not sent, as a message's error keeps it: a temporary
    /// failure's reason, a refusal's code (else its status) and message.
    pub fn why(&self) -> Option<String> {
        match self {
            Outcome::Sent { .. } => None,
            Outcome::Temporary { reason, .. } => Some(reason.clone()),
            Outcome::Permanent {
                status,
                code,
                message,
            } => Some(format!(
                "{} {message}",
                code.clone().unwrap_or_else(|| status.to_string())
            )),
        }
    }
}

/// Whether a message of this kind asks the patient to answer (reply
/// buttons on WhatsApp, "reply 1 or 2" on SMS): a reminder does.
pub fn asks_answer(kind: &str) -> bool {
    kind == "reminder"
}

/// One message to a patient as it goes out through a channel.
pub struct Outgoing<'a> {
    /// The message's kind (`reminder`, `confirmation`, …).
    pub kind: &'a str,
    /// The message's ID, which a reply button's payload names.
    pub id: &'a str,
    /// Its ready text.
    pub text: &'a str,
    /// The clinic's language.
    pub language: Language,
    /// The values of its placeholders, for a WhatsApp template's parameters.
    pub fields: &'a Fields,
    /// The patient wrote to this WhatsApp number within the last 24 hours:
    /// free text may go without a template.
    pub window_open: bool,
    /// Where Twilio reports what became of an SMS (the clinic's public URL
    /// and `/hooks/twilio/status`), when the clinic has a public URL.
    pub status_callback: Option<String>,
}

/// WhatsApp's window for free text after a patient's own message.
pub const WHATSAPP_WINDOW_HOURS: i64 = 24;

/// What an SMTP server made of one e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmtpAnswer {
    /// The message's data was taken (a 2xx reply).
    Accepted,
    /// A negative reply at any step (greeting, STARTTLS, AUTH, MAIL, RCPT,
    /// DATA): its code and its text.
    Reply { code: u16, text: String },
    /// No answer within the deadline.
    TimedOut,
    /// No safe connection: refused, a certificate not trusted, STARTTLS not
    /// offered, an answer that broke off (the reason).
    Unreachable(String),
}

/// What an SMTP answer means, as a provider's answer does: accepted is
/// sent, under the Message-ID appt gave it; a 4xx reply, no connection or
/// no answer in time is temporary; a 5xx reply is permanent, with its code
/// and text.
pub fn smtp_outcome(answer: &SmtpAnswer, message_id: &str) -> Outcome {
    match answer {
        SmtpAnswer::Accepted => Outcome::Sent {
            provider_id: Some(message_id.to_string()),
        },
        SmtpAnswer::Reply { code, text } if (500..600).contains(code) => Outcome::Permanent {
            status: *code,
            code: Some(code.to_string()),
            message: text.clone(),
        },
        SmtpAnswer::Reply { code, text } => Outcome::Temporary {
            status: Some(*code),
            retry_after: None,
            reason: format!("{code} {text}").trim().to_string(),
        },
        SmtpAnswer::TimedOut => Outcome::Temporary {
            status: None,
            retry_after: None,
            reason: "timeout".into(),
        },
        SmtpAnswer::Unreachable(why) => Outcome::Temporary {
            status: None,
            retry_after: None,
            reason: why.clone(),
        },
    }
}

/// A provider's wire shape: the request for one text message, and what its
/// answer means. One implementation per provider; the transport is `app`'s.
pub trait Provider {
    /// The request that sends `text` to `to` (E.164, with its `+`).
    fn request(&self, to: &str, text: &str) -> Request;
    /// The request that sends message `m` to `to`; None when this channel
    /// cannot carry it (WhatsApp outside the 24-hour window without a
    /// template for its kind).
    fn message(&self, to: &str, m: &Outgoing) -> Option<Request> {
        Some(self.request(to, m.text))
    }
    /// The request that sends the booking page's `code` to `to`, `text`
    /// saying it: the text, but for a channel with a template for it.
    fn code(&self, to: &str, text: &str, code: &str) -> Request {
        let _ = code;
        self.request(to, text)
    }
    /// A request that proves the channel's account and credentials work
    /// and sends nothing (`appt check --setup`): the account read back.
    fn probe(&self) -> Request;
    /// The message ID of an accepted message's answer.
    fn message_id(&self, body: &Value) -> Option<String>;
    /// The provider's code and message of a refusal's answer.
    fn refusal(&self, body: &Value) -> (Option<String>, Option<String>);

    /// What `answer` means (the same rule for every provider).
    fn classify(&self, answer: &Answer) -> Outcome {
        let (status, retry_after, body) = match answer {
            Answer::TimedOut => {
                return Outcome::Temporary {
                    status: None,
                    retry_after: None,
                    reason: "timeout".into(),
                }
            }
            Answer::Unreachable(why) => {
                return Outcome::Temporary {
                    status: None,
                    retry_after: None,
                    reason: why.clone(),
                }
            }
            Answer::Http {
                status,
                retry_after,
                body,
            } => (*status, retry_after, body),
        };
        let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        match status {
            200..=299 => Outcome::Sent {
                provider_id: self.message_id(&json),
            },
            429 | 500..=599 => Outcome::Temporary {
                status: Some(status),
                retry_after: retry_after.as_deref().and_then(|s| s.trim().parse().ok()),
                reason: self
                    .refusal(&json)
                    .1
                    .unwrap_or_else(|| format!("HTTP {status}")),
            },
            _ => {
                let (code, message) = self.refusal(&json);
                Outcome::Permanent {
                    status,
                    code,
                    message: message.unwrap_or_else(|| format!("HTTP {status}")),
                }
            }
        }
    }
}

/// A JSON value as a code: a number or a string.
fn code_of(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The WhatsApp Cloud API (Graph API `POST /{phone-number-id}/messages`).
pub struct WhatsApp<'a> {
    pub api_url: &'a str,
    pub phone_number_id: &'a str,
    pub token: &'a str,
    /// The approved templates business-initiated messages go out as.
    pub templates: &'a [Template],
}

/// WhatsApp's limit on an interactive message's body.
const INTERACTIVE_BODY: usize = 1024;

impl WhatsApp<'_> {
    fn post(&self, body: Value) -> Request {
        Request {
            url: format!("{}/{}/messages", self.api_url, self.phone_number_id),
            auth: Auth::Bearer(self.token.to_string()),
            body: Body::Json(body),
        }
    }

    /// The template that `kind` goes out as, if the channel has one.
    pub fn template(&self, kind: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.kind == kind)
    }
}

/// Whether a WhatsApp channel can carry a message of `kind` now: inside the
/// patient's 24-hour window anything can go; outside it only a template.
pub fn whatsapp_reaches(
    templates: &[Template],
    kind: super::message::Kind,
    window_open: bool,
) -> bool {
    window_open || templates.iter().any(|t| t.kind == kind.as_str())
}

impl Provider for WhatsApp<'_> {
    /// The phone number's own record (Graph API `GET /{phone-number-id}`).
    fn probe(&self) -> Request {
        Request {
            url: format!("{}/{}?fields=id", self.api_url, self.phone_number_id),
            auth: Auth::Bearer(self.token.to_string()),
            body: Body::Empty,
        }
    }

    fn request(&self, to: &str, text: &str) -> Request {
        self.post(json!({
            "messaging_product": "whatsapp",
            "to": to.trim_start_matches('+'),
            "type": "text",
            "text": {"body": text},
        }))
    }

    /// Inside the patient's window: the text, with reply buttons when the
    /// message asks an answer (an interactive message); outside it: the
    /// kind's template, its body's parameters the placeholders it names in
    /// its order, and for a message that asks an answer its quick-reply
    /// buttons' payloads (index 0 confirms, 1 cancels).
    fn message(&self, to: &str, m: &Outgoing) -> Option<Request> {
        let to = to.trim_start_matches('+');
        let buttons = asks_answer(m.kind);
        if m.window_open {
            if !buttons {
                return Some(self.request(to, m.text));
            }
            let body: String = m.text.chars().take(INTERACTIVE_BODY).collect();
            let button = |i: Intent| {
                json!({"type": "reply", "reply": {
                    "id": inbound::payload(i, m.id),
                    "title": inbound::button_title(i, m.language),
                }})
            };
            return Some(self.post(json!({
                "messaging_product": "whatsapp",
                "to": to,
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": body},
                    "action": {"buttons": [button(Intent::Confirm), button(Intent::Cancel)]},
                },
            })));
        }
        let t = self.template(m.kind)?;
        // WhatsApp refuses an empty parameter: a placeholder without a value is a dash.
        let parameters: Vec<Value> = t
            .placeholders
            .iter()
            .map(|p| {
                let v = m.fields.value(p).unwrap_or("-");
                json!({"type": "text", "text": v})
            })
            .collect();
        let mut components = vec![json!({"type": "body", "parameters": parameters})];
        if buttons {
            for (index, i) in [(0, Intent::Confirm), (1, Intent::Cancel)] {
                components.push(json!({
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": index.to_string(),
                    "parameters": [{"type": "payload", "payload": inbound::payload(i, m.id)}],
                }));
            }
        }
        Some(self.post(json!({
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {
                "name": t.name,
                "language": {"code": t.language},
                "components": components,
            },
        })))
    }

    /// With a `verification` template, Meta's authentication template: the
    /// code as the body's parameter and as its copy-code button's (which
    /// every authentication template has); without, the text, which reaches
    /// a patient only inside their 24 hours.
    fn code(&self, to: &str, text: &str, code: &str) -> Request {
        let Some(t) = self.template(VERIFICATION) else {
            return self.request(to, text);
        };
        self.post(json!({
            "messaging_product": "whatsapp",
            "to": to.trim_start_matches('+'),
            "type": "template",
            "template": {
                "name": t.name,
                "language": {"code": t.language},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": code}]},
                    {"type": "button", "sub_type": "url", "index": "0",
                     "parameters": [{"type": "text", "text": code}]},
                ],
            },
        }))
    }

    fn message_id(&self, body: &Value) -> Option<String> {
        body["messages"][0]["id"].as_str().map(str::to_string)
    }

    fn refusal(&self, body: &Value) -> (Option<String>, Option<String>) {
        let e = &body["error"];
        (
            code_of(&e["code"]),
            e["message"].as_str().map(str::to_string),
        )
    }
}

/// Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`).
pub struct Twilio<'a> {
    pub api_url: &'a str,
    pub account_sid: &'a str,
    pub from: &'a str,
    pub token: &'a str,
}

impl Provider for Twilio<'_> {
    /// The account's own record (`GET /2010-04-01/Accounts/{sid}.json`).
    fn probe(&self) -> Request {
        Request {
            url: format!(
                "{}/2010-04-01/Accounts/{}.json",
                self.api_url, self.account_sid
            ),
            auth: Auth::Basic {
                user: self.account_sid.to_string(),
                password: self.token.to_string(),
            },
            body: Body::Empty,
        }
    }

    fn request(&self, to: &str, text: &str) -> Request {
        Request {
            url: format!(
                "{}/2010-04-01/Accounts/{}/Messages.json",
                self.api_url, self.account_sid
            ),
            auth: Auth::Basic {
                user: self.account_sid.to_string(),
                password: self.token.to_string(),
            },
            body: Body::Form(vec![
                ("To".into(), to.to_string()),
                ("From".into(), self.from.to_string()),
                ("Body".into(), text.to_string()),
            ]),
        }
    }

    /// The ready text; a message that asks an answer ends with the line
    /// saying how ("Reply 1 to confirm, 2 to cancel"); `StatusCallback`
    /// when the clinic can be reached.
    fn message(&self, to: &str, m: &Outgoing) -> Option<Request> {
        let mut r = match asks_answer(m.kind) {
            true => self.request(
                to,
                &format!("{}\n{}", m.text, inbound::sms_reply_line(m.language)),
            ),
            false => self.request(to, m.text),
        };
        if let (Some(url), Body::Form(fields)) = (&m.status_callback, &mut r.body) {
            fields.push(("StatusCallback".into(), url.clone()));
        }
        Some(r)
    }

    fn message_id(&self, body: &Value) -> Option<String> {
        body["sid"].as_str().map(str::to_string)
    }

    fn refusal(&self, body: &Value) -> (Option<String>, Option<String>) {
        (
            code_of(&body["code"]),
            body["message"].as_str().map(str::to_string),
        )
    }
}

/// The HTTP provider a channel sends through; `None` for e-mail, which goes
/// over SMTP (`app::channel::Smtp`, with [`smtp_outcome`]).
pub fn provider<'a>(
    settings: &'a Settings,
    secrets: &'a Secrets,
) -> Option<Box<dyn Provider + 'a>> {
    match settings {
        Settings::WhatsApp {
            phone_number_id,
            api_url,
            templates,
        } => Some(Box::new(WhatsApp {
            api_url,
            phone_number_id,
            token: &secrets.token,
            templates,
        })),
        Settings::Sms {
            account_sid,
            from,
            api_url,
        } => Some(Box::new(Twilio {
            api_url,
            account_sid,
            from,
            token: &secrets.token,
        })),
        Settings::Email { .. } => None,
    }
}

/// `channel test`'s message, in the clinic's language.
pub fn test_text(lang: Language, clinic: &str) -> String {
    match lang {
        Language::Es => format!("Mensaje de prueba de {clinic}: este canal funciona."),
        Language::En => format!("Test message from {clinic}: this channel works."),
    }
}

#[cfg(test)]
#[path = "channel_tests.rs"]
mod tests;
