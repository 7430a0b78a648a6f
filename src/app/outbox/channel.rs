//! A clinic's channels: `add` (the secrets sealed under the database's key in
//! the write that stores them), `list`, `remove`, `order` (the clinic's
//! fallback order) and `test`, which sends one short message now through
//! the provider. What each provider's request looks like and what its answer
//! means is `core::channel`'s; sending it is [`Channel::send`]'s, here, and
//! an e-mail's `Mail::mail`'s (`super::smtp`) (docs/commands.md#appt-channel).

use super::smtp::Mail;
use crate::core::channel::{
    self, Answer, Auth, Body, Outcome, Outgoing, Provider, Request, Secrets, Settings, Template,
};
use crate::core::Clinic;
use crate::error::{Code, Error, Result};
use crate::store::channels::{self, Stored};
use crate::store::{clinics, new_id, patients, Store};
use crate::text::{msg, Msg};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::json;

/// No answer within this long is a temporary failure.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A channel's settings as typed, before they are checked.
pub enum Input {
    WhatsApp {
        phone_number_id: String,
        api_url: Option<String>,
        templates: Vec<String>,
    },
    Sms {
        account_sid: String,
        from: String,
        api_url: Option<String>,
    },
    Email {
        smtp_url: String,
        from: String,
        reply_to: Option<String>,
    },
}

impl Input {
    fn kind(&self) -> &'static str {
        match self {
            Input::WhatsApp { .. } => "whatsapp",
            Input::Sms { .. } => "sms",
            Input::Email { .. } => "email",
        }
    }
}

pub struct AddRequest {
    /// `--clinic`, else the only clinic.
    pub clinic: Option<String>,
    /// `--name`, else the kind.
    pub name: Option<String>,
    pub input: Input,
    pub secrets: Secrets,
    /// `$APPT_KEY`.
    pub key: Option<String>,
}

/// A channel and its clinic's name.
pub struct Configured {
    pub stored: Stored,
    pub clinic: String,
}

/// Every problem of `input`, one per field, or the settings to store.
fn check(input: &Input) -> Result<Settings> {
    let mut bad: Vec<(String, Msg)> = Vec::new();
    let mut take = |field: &str, r: std::result::Result<String, Msg>| {
        r.map_err(|m| bad.push((field.to_string(), m)))
            .unwrap_or_default()
    };
    let api_url = |take: &mut dyn FnMut(&str, std::result::Result<String, Msg>) -> String,
                   given: &Option<String>,
                   default: &str| {
        take(
            "api_url",
            channel::check_api_url(given.as_deref().unwrap_or(default)),
        )
    };
    let settings = match input {
        Input::WhatsApp {
            phone_number_id,
            api_url: url,
            templates,
        } => {
            let phone_number_id = take(
                "phone_number_id",
                channel::check_phone_number_id(phone_number_id),
            );
            let api_url = api_url(&mut take, url, channel::WHATSAPP_API);
            let mut parsed: Vec<Template> = Vec::new();
            for t in templates {
                match Template::parse(t) {
                    Ok(t) if parsed.iter().any(|p| p.kind == t.kind) => bad.push((
                        "template".into(),
                        msg!("e-channel_template_twice", a = t.kind),
                    )),
                    Ok(t) => parsed.push(t),
                    Err(m) => bad.push(("template".into(), m)),
                }
            }
            Settings::WhatsApp {
                phone_number_id,
                api_url,
                templates: parsed,
            }
        }
        Input::Sms {
            account_sid,
            from,
            api_url: url,
        } => Settings::Sms {
            account_sid: take("account_sid", channel::check_account_sid(account_sid)),
            from: take("from", channel::check_sender(from)),
            api_url: api_url(&mut take, url, channel::TWILIO_API),
        },
        Input::Email {
            smtp_url,
            from,
            reply_to,
        } => Settings::Email {
            smtp_url: take("smtp_url", channel::check_smtp_url(smtp_url)),
            from: take("from", channel::check_address(from)),
            reply_to: reply_to
                .as_deref()
                .map(|r| take("reply_to", channel::check_address(r))),
        },
    };
    if bad.is_empty() {
        Ok(settings)
    } else {
        Err(Error::fields(bad))
    }
}

/// Adds a channel last in its clinic's order, its secrets sealed.
pub fn add(st: &mut Store, r: &AddRequest, now: DateTime<Utc>) -> Result<Configured> {
    let name = channel::check_name(r.name.as_deref().unwrap_or(r.input.kind()))
        .map_err(|m| Error::field("name", m));
    let settings = check(&r.input);
    let (name, settings) = match (name, settings) {
        (Ok(n), Ok(s)) => (n, s),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
        (Err(a), Err(b)) => {
            let mut details = b.details.clone();
            if let (Some(m), Some(n)) = (details.as_object_mut(), a.details.as_object()) {
                m.extend(n.clone());
            }
            return Err(
                Error::new(Code::Validation, Msg::joined(vec![a.msg, b.msg])).details(details),
            );
        }
    };
    if r.secrets.token.is_empty() {
        return Err(Error::field("token", msg!("e-channel_no_secret")));
    }
    let plain = serde_json::to_string(&r.secrets)
        .map_err(|e| Error::internal(Msg::verbatim(e.to_string())))?;
    let keys = st.keys(r.key.clone());
    st.write(|tx| {
        let clinic = clinics::default(tx, r.clinic.as_deref())?;
        let ring = patients::sealing_keys(tx, &keys)?;
        let id = new_id();
        let mut stored = Stored {
            sealed: ring.seal_secrets(&id, &plain)?,
            id,
            clinic_id: clinic.id.clone(),
            name,
            position: 0,
            settings,
            created_at: now,
        };
        channels::insert(tx, &mut stored)?;
        Ok(Configured {
            stored,
            clinic: clinic.name,
        })
    })
}

/// The clinic's channels, in its order.
pub fn list(st: &mut Store, clinic: Option<&str>) -> Result<Vec<Configured>> {
    st.read(|tx| {
        let c = clinics::default(tx, clinic)?;
        Ok(channels::list(tx, &c.id)?
            .into_iter()
            .map(|stored| Configured {
                stored,
                clinic: c.name.clone(),
            })
            .collect())
    })
}

/// The clinic's channel of this name (what `remove` would take).
pub fn find(st: &mut Store, clinic: Option<&str>, name: &str) -> Result<Configured> {
    st.read(|tx| {
        let c = clinics::default(tx, clinic)?;
        Ok(Configured {
            stored: channels::find(tx, &c.id, name)?,
            clinic: c.name,
        })
    })
}

pub fn remove(st: &mut Store, clinic: Option<&str>, name: &str) -> Result<Configured> {
    st.write(|tx| {
        let c = clinics::default(tx, clinic)?;
        let stored = channels::find(tx, &c.id, name)?;
        channels::remove(tx, &stored.id)?;
        Ok(Configured {
            stored,
            clinic: c.name,
        })
    })
}

/// Puts the named channels first, in this order (`N1,N2,…`); the others
/// follow as they were. Returns the clinic's channels in the new order.
pub fn order(st: &mut Store, clinic: Option<&str>, names: &str) -> Result<Vec<Configured>> {
    let names: Vec<&str> = names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err(Error::field("names", msg!("e-channel_order_empty")));
    }
    st.write(|tx| {
        let c = clinics::default(tx, clinic)?;
        let mut first = Vec::new();
        for n in &names {
            let found = channels::find(tx, &c.id, n)?;
            if first.iter().any(|f: &Stored| f.id == found.id) {
                return Err(Error::field(
                    "names",
                    msg!("e-channel_order_twice", a = found.name),
                ));
            }
            first.push(found);
        }
        let rest: Vec<Stored> = channels::list(tx, &c.id)?
            .into_iter()
            .filter(|s| !first.iter().any(|f| f.id == s.id))
            .collect();
        let mut all = Vec::new();
        for (i, mut s) in first.into_iter().chain(rest).enumerate() {
            s.position = i as i64 + 1;
            channels::set_position(tx, &s.id, s.position)?;
            all.push(Configured {
                stored: s,
                clinic: c.name.clone(),
            });
        }
        Ok(all)
    })
}

/// Sends a text message through a provider: the one seam to the outside
/// world, so that a sweep and a test share it (STYLE.md).
pub trait Channel {
    /// A plain text (`channel test`, an answer to a patient).
    fn send(&self, to: &str, text: &str) -> Outcome;
    /// A message to a patient, in the shape its kind and the channel call for.
    fn send_message(&self, to: &str, m: &Outgoing) -> Outcome;
    /// The booking page's code, `text` saying it (`core::channel::Provider::code`).
    fn send_code(&self, to: &str, text: &str, code: &str) -> Outcome;
}

/// A provider over HTTP, with a 10-second deadline and no redirects.
pub struct Http<'a> {
    agent: ureq::Agent,
    provider: Box<dyn Provider + 'a>,
    secrets: &'a Secrets,
}

impl<'a> Http<'a> {
    /// The channel's provider; `None` for e-mail (`super::smtp::Smtp`).
    pub fn of(settings: &'a Settings, secrets: &'a Secrets) -> Option<Http<'a>> {
        Some(Http {
            agent: agent(),
            provider: channel::provider(settings, secrets)?,
            secrets,
        })
    }
}

impl Http<'_> {
    /// Whether the provider takes the channel's account and credentials,
    /// sending nothing ([`Provider::probe`]): `Sent` when it does.
    pub fn probe(&self) -> Outcome {
        self.deliver(&self.provider.probe())
    }

    /// Sends `r` and classifies the answer, scrubbed of the channel's secrets.
    fn deliver(&self, r: &Request) -> Outcome {
        let answer = post(&self.agent, r);
        self.provider.classify(&answer).scrubbed(self.secrets)
    }
}

impl Channel for Http<'_> {
    fn send(&self, to: &str, text: &str) -> Outcome {
        self.deliver(&self.provider.request(to, text))
    }

    fn send_code(&self, to: &str, text: &str, code: &str) -> Outcome {
        self.deliver(&self.provider.code(to, text, code))
    }

    fn send_message(&self, to: &str, m: &Outgoing) -> Outcome {
        match self.provider.message(to, m) {
            Some(r) => self.deliver(&r),
            // Routing passes such a channel over; should it be asked all the
            // same, nothing is sent and the message is not retried.
            None => Outcome::Permanent {
                status: 0,
                code: None,
                message: format!(
                    "no WhatsApp template for {} outside the 24-hour window",
                    m.kind
                ),
            },
        }
    }
}

/// The one HTTP agent every provider's request goes through, built once
/// per process: building one reads the system's trust store, which a sweep
/// of thousands of messages would otherwise read for each. It holds no
/// secret (each request carries its own authorisation), and its pool of
/// connections is shared by the sending threads.
fn agent() -> ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT
        .get_or_init(|| {
            ureq::AgentBuilder::new()
                .timeout(TIMEOUT)
                .redirects(0)
                .build()
        })
        .clone()
}

/// Longest answer body read from a provider.
const ANSWER_LIMIT: u64 = 64 * 1024;

fn post(agent: &ureq::Agent, r: &Request) -> Answer {
    let authorization = match &r.auth {
        Auth::Bearer(token) => format!("Bearer {token}"),
        Auth::Basic { user, password } => format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        ),
    };
    let method = match r.body {
        Body::Empty => "GET",
        _ => "POST",
    };
    let req = agent
        .request(method, &r.url)
        .set("Authorization", &authorization);
    let sent = match &r.body {
        Body::Empty => req.call(),
        Body::Json(v) => req
            .set("Content-Type", "application/json")
            .send_string(&v.to_string()),
        Body::Form(fields) => {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            req.send_form(&pairs)
        }
    };
    let resp = match sent {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
        Err(ureq::Error::Transport(t)) => return transport(&t),
    };
    let status = resp.status();
    let retry_after = resp.header("Retry-After").map(str::to_string);
    let mut body = String::new();
    let _ = std::io::Read::read_to_string(
        &mut std::io::Read::take(resp.into_reader(), ANSWER_LIMIT),
        &mut body,
    );
    Answer::Http {
        status,
        retry_after,
        body,
    }
}

/// A transport failure: a deadline passed, or no connection (said without
/// the URL).
fn transport(t: &ureq::Transport) -> Answer {
    if super::timed_out(t) {
        return Answer::TimedOut;
    }
    Answer::Unreachable(super::transport_error(t))
}

pub struct TestRequest {
    pub clinic: Option<String>,
    pub name: String,
    /// The phone to send to, as typed (read in the clinic's country code),
    /// or for an e-mail channel the address.
    pub to: String,
    /// `$APPT_KEY`.
    pub key: Option<String>,
}

/// What `channel test` did.
pub struct Tested {
    pub channel: Configured,
    /// The phone sent to, E.164, or the address.
    pub to: String,
    pub outcome: Outcome,
}

impl Tested {
    /// `DELIVERY_FAILED` when the provider did not take the message: the
    /// outcome in the details.
    pub fn failure(&self) -> Option<Error> {
        let name = self.channel.stored.name.clone();
        match &self.outcome {
            Outcome::Sent { .. } => None,
            Outcome::Temporary {
                status,
                retry_after,
                reason,
            } => Some(
                Error::new(
                    Code::DeliveryFailed,
                    msg!("e-channel_test_temporary", a = name, why = reason.clone()),
                )
                .details(
                    json!({"channel": self.channel.stored.name, "outcome": "temporary",
                    "status": status, "retry_after": retry_after, "reason": reason}),
                ),
            ),
            Outcome::Permanent {
                status,
                code,
                message,
            } => Some(
                Error::new(
                    Code::DeliveryFailed,
                    msg!(
                        "e-channel_test_permanent",
                        a = name,
                        code = code.clone().unwrap_or_else(|| status.to_string()),
                        why = message.clone()
                    ),
                )
                .details(
                    json!({"channel": self.channel.stored.name, "outcome": "permanent",
                    "status": status, "code": code, "message": message}),
                ),
            ),
        }
    }
}

/// A channel, and whether its provider took its credentials.
pub struct Probed {
    pub channel: Configured,
    /// `Sent` when it did; else why not, as a send's failure says it.
    pub outcome: Outcome,
}

/// Asks each channel's provider (of every clinic) whether it takes the
/// channel's account and credentials, sending nothing: an HTTP provider's
/// account read back, an SMTP server's AUTH (`appt check --setup`).
pub fn probe_all(st: &mut Store, key: Option<String>) -> Result<Vec<Probed>> {
    let keys = st.keys(key);
    let all = st.read(|tx| {
        let mut all = Vec::new();
        for c in clinics::list(tx)? {
            for stored in channels::list(tx, &c.id)? {
                all.push((c.name.clone(), stored));
            }
        }
        let opened = match all.is_empty() {
            true => Vec::new(),
            false => {
                let ring = patients::opening_keys(tx, &keys)?;
                let mut opened = Vec::new();
                for (clinic, stored) in all {
                    let secrets = stored.open(&ring)?;
                    opened.push((clinic, stored, secrets));
                }
                opened
            }
        };
        Ok(opened)
    })?;
    Ok(all
        .into_iter()
        .map(|(clinic, stored, secrets)| {
            let outcome = match (
                Http::of(&stored.settings, &secrets),
                super::smtp::Smtp::of(&stored.settings, &secrets),
            ) {
                (Some(http), _) => http.probe(),
                (None, Some(smtp)) => smtp.probe(),
                (None, None) => Outcome::Permanent {
                    status: 0,
                    code: None,
                    message: msg!("e-channel_smtp_url").english(),
                },
            };
            Probed {
                channel: Configured { stored, clinic },
                outcome,
            }
        })
        .collect())
}

/// Sends `channel test`'s short message now through the channel: a text
/// to a phone, or an e-mail to an address.
pub fn test(st: &mut Store, r: &TestRequest, now: DateTime<Utc>) -> Result<Tested> {
    let keys = st.keys(r.key.clone());
    let (clinic, stored, secrets): (Clinic, Stored, Secrets) = st.read(|tx| {
        let clinic = clinics::default(tx, r.clinic.as_deref())?;
        let stored = channels::find(tx, &clinic.id, &r.name)?;
        let ring = patients::opening_keys(tx, &keys)?;
        let secrets = stored.open(&ring)?;
        Ok((clinic, stored, secrets))
    })?;
    let lang = clinic.settings.language;
    let text = channel::test_text(lang, &clinic.name);
    let (to, outcome) = if let Some(smtp) = super::smtp::Smtp::of(&stored.settings, &secrets) {
        let to = channel::check_address(&r.to).map_err(|m| Error::field("to", m))?;
        let email = crate::core::email::test(lang, &clinic.name, &text, now);
        let outcome = smtp.mail(&to, &email);
        (to, outcome)
    } else if let Some(http) = Http::of(&stored.settings, &secrets) {
        let to = crate::app::phones::Dialing::of(&clinic)
            .read(&r.to)
            .map_err(|e| Error::field("to", e.msg))?;
        let outcome = http.send(&to, &text);
        (to, outcome)
    } else {
        // An e-mail channel whose stored URL no longer reads.
        return Err(Error::field("smtp_url", msg!("e-channel_smtp_url")));
    };
    Ok(Tested {
        channel: Configured {
            stored,
            clinic: clinic.name,
        },
        to,
        outcome,
    })
}
