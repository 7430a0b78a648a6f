//! What the providers send `appt serve` (docs/rules.md#answers): WhatsApp's
//! verification of its webhook, and signed deliveries of the patients'
//! messages and the receipts of the messages sent. A request is taken only
//! once a channel's secret shows the provider signed it; then each receipt
//! updates its message, and each patient's message is kept once (a delivery
//! the provider tries again changes nothing) and, when it is an answer,
//! confirms or cancels its visit through the desk's own use cases with actor
//! `patient`, and is answered with one line on the same channel. Anything
//! else waits in the clinic's inbox (`app::inbox`).

use super::change::{self, CancelRequest, StatusRequest};
use super::outbox::reply::Reply;
use super::phones::{phone_holder, PhoneHolder};
use super::reply::{self as page, State};
use crate::core::channel::{Secrets, Settings};
use crate::core::inbound::{self, Delivery, Intent, Message, Outcome, Said};
use crate::core::message::date_words;
use crate::core::{time, Actor, Appointment, Clinic, Status};
use crate::error::{Code, Error, Result};
use crate::store::inbox::{self, Inbound};
use crate::store::{
    appointments, channels, clinics, new_id, patient_visits, patients, reminders, Store,
};
use chrono::{DateTime, Utc};

/// A channel that may have signed a request: its settings, its opened
/// secrets and its clinic.
struct Signer {
    name: String,
    settings: Settings,
    secrets: Secrets,
    clinic: Clinic,
}

/// Every clinic's channels of `kind`, their secrets opened with the
/// database's key (`$APPT_KEY` as `key`).
fn signers(st: &mut Store, key: Option<String>, kind: &str) -> Result<Vec<Signer>> {
    let keys = st.keys(key);
    st.read(|tx| {
        let stored = channels::of_kind(tx, kind)?;
        if stored.is_empty() {
            return Ok(Vec::new());
        }
        let ring = patients::opening_keys(tx, &keys)?;
        stored
            .into_iter()
            .map(|s| {
                Ok(Signer {
                    secrets: s.open(&ring)?,
                    clinic: clinics::get(tx, &s.clinic_id)?,
                    name: s.name,
                    settings: s.settings,
                })
            })
            .collect()
    })
}

/// A request no channel's secret signed: 403, nothing read from it.
fn unsigned() -> Error {
    Error::new(
        Code::BadSignature,
        crate::text::msg!("e-hook_signature_does_not_match"),
    )
}

/// `GET /hooks/whatsapp`: Meta's verification of the webhook. The challenge
/// when the mode is `subscribe` and the token is a WhatsApp channel's
/// verify token, else `BAD_SIGNATURE`.
pub fn verify_whatsapp(
    st: &mut Store,
    key: Option<String>,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Result<String> {
    let (Some("subscribe"), Some(token), Some(challenge)) = (mode, token, challenge) else {
        return Err(unsigned());
    };
    let known = signers(st, key, "whatsapp")?.iter().any(|s| {
        s.secrets
            .verify_token
            .as_deref()
            .is_some_and(|v| inbound::same(v.as_bytes(), token.as_bytes()))
    });
    if !known || challenge.len() > 256 || challenge.chars().any(char::is_control) {
        return Err(unsigned());
    }
    Ok(challenge.to_string())
}

/// What a delivery came to (for the tests and the log: the provider is
/// answered 200 whatever it held).
#[derive(Default)]
pub struct Taken {
    /// Patients' messages kept (a repeated one is not counted).
    pub messages: usize,
    /// Receipts that changed their message.
    pub receipts: usize,
    /// The one-line answers the patients are owed: sent by [`send_replies`]
    /// once the database is let go of (`appt serve` sends them after it
    /// gives back its write turn, so a slow provider holds up no one's
    /// booking), then recorded by [`record_replies`].
    pub replies: Vec<Reply>,
}

/// `POST /hooks/whatsapp`: a delivery signed with a WhatsApp channel's app
/// secret (`X-Hub-Signature-256`).
pub fn whatsapp(
    st: &mut Store,
    key: Option<String>,
    body: &[u8],
    signature: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Taken> {
    let signed: Vec<Signer> = signers(st, key, "whatsapp")?
        .into_iter()
        .filter(|s| {
            s.secrets
                .app_secret
                .as_deref()
                .is_some_and(|secret| inbound::whatsapp_signed(secret, body, signature))
        })
        .collect();
    if signed.is_empty() {
        return Err(unsigned());
    }
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| Error::field("body", crate::text::msg!("e-body_must_be_json_object")))?;
    let to_this = |to: &str| {
        signed.iter().find(|s| {
            matches!(&s.settings, Settings::WhatsApp { phone_number_id, .. } if phone_number_id == to)
        })
    };
    take(st, inbound::whatsapp(&json), to_this, now)
}

/// `POST /hooks/twilio/sms` and `/hooks/twilio/status`: a form signed with
/// an SMS channel's auth token (`X-Twilio-Signature`) over the whole URL
/// Twilio was given — the clinic's public URL, `path` and its `query`, as
/// Twilio signs it — so a webhook configured with a query is taken, and a
/// query added to a signed request is not.
pub fn twilio(
    st: &mut Store,
    key: Option<String>,
    (path, query): (&str, Option<&str>),
    form: &[u8],
    signature: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Taken> {
    let params: Vec<(String, String)> = form_urlencoded::parse(form)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let signed: Vec<Signer> = signers(st, key, "sms")?
        .into_iter()
        .filter(|s| {
            let Some(base) = s.clinic.settings.public_url.as_deref() else {
                return false;
            };
            let query = query.map_or(String::new(), |q| format!("?{q}"));
            let url = format!("{}{path}{query}", base.trim_end_matches('/'));
            inbound::twilio_signed(&s.secrets.token, &url, &params, signature)
        })
        .collect();
    if signed.is_empty() {
        return Err(unsigned());
    }
    let mut d = Delivery::default();
    if path.ends_with("/status") {
        d.receipts.extend(inbound::twilio_receipt(&params));
    } else {
        d.messages.extend(inbound::twilio_message(&params));
    }
    // `to` is `ACCOUNT_SID NUMBER`: the channel with that account and sender.
    let to_this = |to: &str| {
        signed.iter().find(|s| {
            matches!(&s.settings, Settings::Sms { account_sid, from, .. }
                if to.split_once(' ').is_some_and(|(sid, n)| sid == account_sid && n == from))
        })
    };
    take(st, d, to_this, now)
}

/// Each receipt and message of `d` to the channel `to_this` finds.
fn take<'a>(
    st: &mut Store,
    d: Delivery,
    to_this: impl Fn(&str) -> Option<&'a Signer>,
    now: DateTime<Utc>,
) -> Result<Taken> {
    let mut taken = Taken::default();
    for r in &d.receipts {
        let Some(s) = to_this(&r.to) else { continue };
        let at = r.at.filter(|at| *at <= now).unwrap_or(now);
        let changed =
            st.write(
                |tx| match reminders::by_provider_id(tx, &s.clinic.id, &r.provider_id)? {
                    Some(m) => {
                        reminders::record_receipt(tx, &m.id, r.state, r.error.as_deref(), at)
                    }
                    None => Ok(false),
                },
            )?;
        taken.receipts += usize::from(changed);
    }
    for m in &d.messages {
        let Some(s) = to_this(&m.to) else { continue };
        if receive(st, s, m, now, &mut taken.replies)? {
            taken.messages += 1;
        }
    }
    Ok(taken)
}

/// Keeps message `m` to channel `s` once, and acts on it when it is an
/// answer, adding the patient's answer to `replies`; false when it was
/// kept already.
fn receive(
    st: &mut Store,
    s: &Signer,
    m: &Message,
    now: DateTime<Utc>,
    replies: &mut Vec<Reply>,
) -> Result<bool> {
    let clinic = &s.clinic;
    let kept = st.write(|tx| {
        let patient = match phone_holder(tx, &m.from, Some(&clinic.id))? {
            PhoneHolder::Known(p) => Some(p.patient.id),
            PhoneHolder::Nobody | PhoneHolder::Hidden => None,
        };
        let row = Inbound {
            id: new_id(),
            clinic_id: clinic.id.clone(),
            channel: s.name.clone(),
            kind: s.settings.kind().as_str().to_string(),
            provider_id: m.id.clone(),
            sender: patient.is_none().then(|| m.from.clone()),
            patient_id: patient,
            body: clean(&m.text),
            received_at: m.at.filter(|at| *at <= now).unwrap_or(now),
            outcome: "inbox".into(),
            appointment_id: None,
            answer_status: None,
            answer_error: None,
            done_at: None,
            patient_name: None,
            patient_phone: None,
        };
        Ok(inbox::insert(tx, &row)?.then_some(row))
    })?;
    let Some(row) = kept else { return Ok(false) };
    let Some(patient) = &row.patient_id else {
        return Ok(true);
    };
    let Some((visit, asks)) = meant(st, clinic, patient, &row, m.said(), now)? else {
        return Ok(true);
    };
    let Some(outcome) = act(st, clinic, &visit, asks, s, now)? else {
        return Ok(true);
    };
    st.write(|tx| inbox::set_outcome(tx, &row.id, outcome.as_str(), Some(&visit.id)))?;
    replies.push(reply(s, &row, &visit, outcome, &m.from));
    Ok(true)
}

/// What a patient wrote, as it is kept: control characters as spaces, at
/// most 2,000 characters.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .take(2000)
        .collect()
}

/// What a patient's message asks of which visit (docs/rules.md#answers),
/// or None when it is for the inbox:
/// - a button: what it says, of its message's visit;
/// - a bare `1`/`2`: only when the last message sent to them here was a
///   reminder, which offered those numbers, and of its visit;
/// - a `sí` right after appt asked whether to cancel: the cancel of that
///   visit; a `no` then keeps it (nothing done);
/// - a `no`/`cancelar` otherwise: the question first ([`Asks::Question`]);
/// - a `sí`, `confirmo`: confirms their next visit.
fn meant(
    st: &mut Store,
    clinic: &Clinic,
    patient: &str,
    row: &Inbound,
    said: Said,
    now: DateTime<Utc>,
) -> Result<Option<(Appointment, Asks)>> {
    let word = match said {
        Said::Other => return Ok(None),
        Said::Button(i, id) => {
            return Ok(visit_of(st, clinic, patient, Some(id), now)?.map(|v| (v, Asks::Now(i))))
        }
        Said::Digit(i) => {
            let offered = st.read(|tx| reminders::last_sent_to(tx, patient, &clinic.id))?;
            return Ok(match offered.filter(|m| m.is_reminder()) {
                Some(m) => {
                    visit_of(st, clinic, patient, Some(&m.id), now)?.map(|v| (v, Asks::Now(i)))
                }
                None => None,
            });
        }
        Said::Word(i) => i,
    };
    let since = now - chrono::Duration::hours(QUESTION_HOURS);
    let asked = st.read(|tx| {
        let ids = inbox::asked(tx, patient, &clinic.id, &row.id, since)?;
        let visits =
            appointments::get_many(tx, &ids.iter().map(String::as_str).collect::<Vec<_>>())?;
        // The latest question whose visit may still be cancelled.
        Ok(ids
            .iter()
            .filter_map(|id| visits.get(id))
            .find(|v| v.status.is_active())
            .cloned())
    })?;
    if let Some(v) = asked {
        return Ok(match word {
            Intent::Confirm => Some((v, Asks::Now(Intent::Cancel))),
            _ => None,
        });
    }
    let asks = match word {
        Intent::Cancel => Asks::Question,
        i => Asks::Now(i),
    };
    Ok(visit_of(st, clinic, patient, None, now)?.map(|v| (v, asks)))
}

/// How long appt's question whether to cancel waits for its `sí`.
const QUESTION_HOURS: i64 = 24;

/// What an answer asks of its visit.
#[derive(Debug, Clone, Copy)]
enum Asks {
    /// Done now: a button, a digit in answer to a reminder, a word.
    Now(Intent),
    /// A typed cancel: asked back whether to cancel; nothing changes yet.
    Question,
}

/// The patient's next scheduled or confirmed visit at `clinic_id`: what
/// the inbox shows beside a message, and what an answer acts on when its
/// message names no visit.
pub(super) fn next_visit(
    tx: &crate::store::db::Tx,
    patient: &str,
    clinic_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Appointment>> {
    patient_visits::next_at(tx, patient, clinic_id, now)
}

/// The visit an answer is about: the one its button's message was about
/// (when that message is the patient's, at this clinic), else the
/// patient's next active visit at the clinic.
fn visit_of(
    st: &mut Store,
    clinic: &Clinic,
    patient: &str,
    about: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Appointment>> {
    st.read(|tx| {
        // The button's message's visit, when it is the sender's at this clinic.
        let named = about
            .and_then(|id| reminders::get(tx, id).ok())
            .and_then(|m| appointments::get(tx, &m.appointment_id).ok())
            .filter(|a| a.patient_id == patient && a.clinic_id == clinic.id);
        match named {
            Some(a) => Ok(Some(a)),
            None => next_visit(tx, patient, &clinic.id, now),
        }
    })
}

/// Confirms or cancels `a` as the patient's page would, with actor
/// `patient`; None when the visit is over or the desk's rules refused it
/// for another reason (the message stays in the inbox).
fn act(
    st: &mut Store,
    clinic: &Clinic,
    a: &Appointment,
    asks: Asks,
    s: &Signer,
    now: DateTime<Utc>,
) -> Result<Option<Outcome>> {
    let intent = match asks {
        Asks::Now(i) => i,
        Asks::Question => {
            return Ok(match page::state(a, clinic, now) {
                State::Over => None,
                State::TooLate => Some(Outcome::Refused),
                _ => Some(Outcome::Asked),
            })
        }
    };
    match (page::state(a, clinic, now), intent) {
        (State::Over, _) => Ok(None),
        (_, Intent::Confirm) if a.status == Status::Confirmed => Ok(Some(Outcome::Confirmed)),
        (_, Intent::Confirm) => {
            let req = StatusRequest {
                id: a.id.clone(),
                status: Status::Confirmed.as_str().into(),
                diagnosis: None,
                prescription: None,
                follow_up: None,
                notes: None,
            };
            settle(change::set_status(st, &req, &Actor::Patient, now).map(|_| Outcome::Confirmed))
        }
        (State::TooLate, Intent::Cancel) => Ok(Some(Outcome::Refused)),
        (_, Intent::Cancel) => {
            let req = CancelRequest {
                id: a.id.clone(),
                reason: Some(cancel_reason(clinic, s)),
                tell_patient: None,
                force: false,
                // The patient's answer on the channel is the news.
                no_notify: true,
                series: false,
                seen_from: None,
            };
            settle(change::cancel(st, &req, &Actor::Patient, now).map(|_| Outcome::Cancelled))
        }
        (_, Intent::Other) => Ok(None),
    }
}

/// A refusal by the desk's rules leaves the message in the inbox; the
/// cancellation window is told to the patient; a database's failure stops
/// here (the provider is answered 503 and delivers again).
fn settle(r: Result<Outcome>) -> Result<Option<Outcome>> {
    match r {
        Ok(o) => Ok(Some(o)),
        Err(e) if e.code == Code::CancellationWindow => Ok(Some(Outcome::Refused)),
        Err(e) if matches!(e.code, Code::Database | Code::Internal) => Err(e),
        Err(_) => Ok(None),
    }
}

/// The reason a cancellation by answer keeps, in the clinic's language.
fn cancel_reason(clinic: &Clinic, s: &Signer) -> String {
    let via = match s.settings.kind() {
        crate::core::channel::Kind::WhatsApp => "WhatsApp",
        crate::core::channel::Kind::Sms => "SMS",
        crate::core::channel::Kind::Email => "email",
    };
    match clinic.settings.language {
        crate::core::Language::Es => format!("el paciente respondió por {via}"),
        crate::core::Language::En => format!("the patient answered by {via}"),
    }
}

/// The one line saying what the patient's answer did, to go on the
/// channel it came by.
fn reply(s: &Signer, row: &Inbound, a: &Appointment, outcome: Outcome, to: &str) -> Reply {
    let lang = s.clinic.settings.language;
    let (date, hm) = time::to_local(a.timezone, a.starts_at);
    let phone = s
        .clinic
        .settings
        .phone
        .as_deref()
        .map(|p| crate::core::phone::written(p, s.clinic.settings.country_code.as_deref()));
    let text = inbound::answer_text(
        outcome,
        lang,
        &s.clinic.name,
        &date_words(lang, date),
        &hm,
        phone.as_deref(),
    );
    Reply::answer(&row.id, s.settings.clone(), s.secrets.clone(), to, text)
}
