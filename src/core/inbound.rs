//! What the providers send to `appt serve` (docs/rules.md#answers), decided
//! without I/O: whether a request is signed by the provider (WhatsApp's
//! `X-Hub-Signature-256`, Twilio's `X-Twilio-Signature`), the patients'
//! messages and the messages' receipts a request carries, and what a
//! patient's answer means: confirm, cancel, or words for the clinic's inbox.

use super::model::Language;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;

/// A reply button's payload: `appt:confirm:MESSAGE_ID`.
const PAYLOAD_PREFIX: &str = "appt:";

/// What a patient's message asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Confirm,
    Cancel,
    /// Anything else: words for the clinic's inbox.
    Other,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Confirm => "confirm",
            Intent::Cancel => "cancel",
            Intent::Other => "other",
        }
    }
}

/// What a typed answer means: `1`, `sí`, `si`, `confirmo`, `yes` (and
/// `confirm`, `confirmar`) confirm; `2`, `no`, `cancelar`, `cancel`
/// cancel; accents, case and punctuation around them aside. Anything else,
/// a sentence that merely contains one of them included, is for the inbox.
pub fn intent(text: &str) -> Intent {
    match super::text::fold(text).as_str() {
        "1" | "si" | "confirmo" | "yes" | "confirm" | "confirmar" | "ok" => Intent::Confirm,
        "2" | "no" | "cancelar" | "cancel" | "cancelo" => Intent::Cancel,
        _ => Intent::Other,
    }
}

/// The payload of a reply button that confirms or cancels what message
/// `id` was about.
pub fn payload(intent: Intent, id: &str) -> String {
    format!("{PAYLOAD_PREFIX}{}:{id}", intent.as_str())
}

/// A button's payload read back: what it asks and the message it names.
pub fn read_payload(p: &str) -> Option<(Intent, &str)> {
    let rest = p.strip_prefix(PAYLOAD_PREFIX)?;
    let (what, id) = rest.split_once(':')?;
    let intent = match what {
        "confirm" => Intent::Confirm,
        "cancel" => Intent::Cancel,
        _ => return None,
    };
    (!id.is_empty()).then_some((intent, id))
}

/// A reply button's title in the clinic's language.
pub fn button_title(intent: Intent, lang: Language) -> &'static str {
    match (intent, lang) {
        (Intent::Confirm, Language::Es) => "Confirmar",
        (Intent::Confirm, Language::En) => "Confirm",
        (Intent::Cancel, Language::Es) => "Cancelar",
        (Intent::Cancel, Language::En) => "Cancel",
        (Intent::Other, _) => "",
    }
}

/// The line an SMS reminder ends with, in the clinic's language.
pub fn sms_reply_line(lang: Language) -> &'static str {
    match lang {
        Language::Es => "Responda 1 para confirmar, 2 para cancelar.",
        Language::En => "Reply 1 to confirm, 2 to cancel.",
    }
}

/// Equal, in a time that does not depend on where they differ.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `header` (`sha256=HEX`) is WhatsApp's signature of `body` with
/// the app's secret: HMAC-SHA256 of the raw body.
pub fn whatsapp_signed(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    header.is_some_and(|h| {
        same(
            super::secrets::sha256_signature(app_secret, body).as_bytes(),
            h.trim().to_ascii_lowercase().as_bytes(),
        )
    })
}

/// Twilio's signature of a request to `url` with these POST parameters:
/// base64 of HMAC-SHA1 (the auth token) over the URL followed by each
/// parameter's name and value, sorted by name (empty values included).
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC takes any key");
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `header` is Twilio's signature of this request.
pub fn twilio_signed(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> bool {
    header.is_some_and(|h| {
        same(
            twilio_signature(auth_token, url, params).as_bytes(),
            h.trim().as_bytes(),
        )
    })
}

/// A patient's message, as a provider hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// WhatsApp's phone-number ID, or Twilio's account SID and our number:
    /// which channel it came to.
    pub to: String,
    /// The sender, E.164 with its `+`.
    pub from: String,
    /// The provider's ID of this message (a retried delivery has the same).
    pub id: String,
    /// What the patient wrote, or the button's title.
    pub text: String,
    /// A reply button's payload.
    pub payload: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

impl Message {
    /// How it answers: a button (what it asks, the message it names), a
    /// bare digit, a word, or none of these.
    pub fn said(&self) -> Said<'_> {
        if let Some((i, id)) = self.payload.as_deref().and_then(read_payload) {
            return Said::Button(i, id);
        }
        said(&self.text)
    }
}

/// How a patient's message answers (docs/rules.md#answers), before any
/// visit is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said<'a> {
    /// A reply button: what it asks, and the message it came with.
    Button(Intent, &'a str),
    /// A bare `1` or `2`: an answer only to a message that offered those
    /// numbers (a reminder).
    Digit(Intent),
    /// A word: `sí`, `confirmo`, `yes` confirm; `no`, `cancelar` ask to be
    /// sure first.
    Word(Intent),
    /// Anything else: for the inbox.
    Other,
}

/// [`Said`] of a typed text.
pub fn said(text: &str) -> Said<'static> {
    match super::text::fold(text).as_str() {
        "1" => Said::Digit(Intent::Confirm),
        "2" => Said::Digit(Intent::Cancel),
        _ => match intent(text) {
            Intent::Other => Said::Other,
            i => Said::Word(i),
        },
    }
}

/// What became of a message the provider took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Sent,
    Delivered,
    Read,
    Failed,
}

/// A receipt: the provider's ID of a message we sent, and its new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub to: String,
    pub provider_id: String,
    pub state: State,
    /// The provider's code and words for a failure.
    pub error: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// What one request from a provider carries.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub messages: Vec<Message>,
    pub receipts: Vec<Receipt>,
}

fn seconds(v: &Value) -> Option<DateTime<Utc>> {
    let s = v
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .or(v.as_i64())?;
    DateTime::from_timestamp(s, 0)
}

/// `+` and digits, from WhatsApp's `wa_id` form (digits alone).
fn e164(s: &str) -> Option<String> {
    let digits = s.trim().trim_start_matches('+');
    (!digits.is_empty() && digits.len() <= 15 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("+{digits}"))
}

/// The messages and statuses of a WhatsApp webhook's body (Meta's
/// `whatsapp_business_account` notifications): text, a template's quick
/// reply (`button`) and an interactive reply (`button_reply`); anything else
/// a patient sends (an image, a location) is kept as `[type]`.
pub fn whatsapp(body: &Value) -> Delivery {
    let mut d = Delivery::default();
    let empty = Vec::new();
    for entry in body["entry"].as_array().unwrap_or(&empty) {
        for change in entry["changes"].as_array().unwrap_or(&empty) {
            let value = &change["value"];
            let to = value["metadata"]["phone_number_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            for m in value["messages"].as_array().unwrap_or(&empty) {
                let (Some(from), Some(id)) = (m["from"].as_str().and_then(e164), m["id"].as_str())
                else {
                    continue;
                };
                let kind = m["type"].as_str().unwrap_or_default();
                let (text, payload) = match kind {
                    "text" => (m["text"]["body"].as_str().unwrap_or_default(), None),
                    "button" => (
                        m["button"]["text"].as_str().unwrap_or_default(),
                        m["button"]["payload"].as_str(),
                    ),
                    "interactive" => {
                        let r = &m["interactive"]["button_reply"];
                        (r["title"].as_str().unwrap_or_default(), r["id"].as_str())
                    }
                    _ => ("", None),
                };
                let text = if text.is_empty() && payload.is_none() {
                    format!("[{kind}]")
                } else {
                    text.to_string()
                };
                d.messages.push(Message {
                    to: to.clone(),
                    from,
                    id: id.to_string(),
                    text,
                    payload: payload.map(str::to_string),
                    at: seconds(&m["timestamp"]),
                });
            }
            for s in value["statuses"].as_array().unwrap_or(&empty) {
                let state = match s["status"].as_str() {
                    Some("sent") => State::Sent,
                    Some("delivered") => State::Delivered,
                    Some("read") => State::Read,
                    Some("failed") => State::Failed,
                    _ => continue,
                };
                let Some(id) = s["id"].as_str() else { continue };
                let error = s["errors"][0].as_object().map(|e| {
                    let code = e.get("code").map(|c| c.to_string()).unwrap_or_default();
                    let words = e
                        .get("title")
                        .or_else(|| e.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    format!("{code} {words}").trim().to_string()
                });
                d.receipts.push(Receipt {
                    to: to.clone(),
                    provider_id: id.to_string(),
                    state,
                    error,
                    at: seconds(&s["timestamp"]),
                });
            }
        }
    }
    d
}

/// A form's value.
fn field<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Twilio's inbound SMS (`/hooks/twilio/sms`): `From`, `To`, `Body`,
/// `MessageSid`; `to` is `ACCOUNT_SID TO`.
pub fn twilio_message(params: &[(String, String)]) -> Option<Message> {
    let sid = field(params, "MessageSid").or_else(|| field(params, "SmsSid"))?;
    Some(Message {
        to: format!(
            "{} {}",
            field(params, "AccountSid")?,
            field(params, "To").unwrap_or_default()
        ),
        from: e164(field(params, "From")?)?,
        id: sid.to_string(),
        text: field(params, "Body").unwrap_or_default().to_string(),
        payload: None,
        at: None,
    })
}

/// Twilio's `StatusCallback` (`/hooks/twilio/status`): `MessageSid`,
/// `MessageStatus`, `ErrorCode`; the states before `sent` change nothing.
pub fn twilio_receipt(params: &[(String, String)]) -> Option<Receipt> {
    let state = match field(params, "MessageStatus")? {
        "sent" => State::Sent,
        "delivered" => State::Delivered,
        "read" => State::Read,
        "failed" | "undelivered" => State::Failed,
        _ => return None,
    };
    Some(Receipt {
        to: format!(
            "{} {}",
            field(params, "AccountSid")?,
            field(params, "From").unwrap_or_default()
        ),
        provider_id: field(params, "MessageSid")?.to_string(),
        state,
        error: field(params, "ErrorCode")
            .filter(|c| !c.is_empty())
            .map(|c| {
                format!("{c} {}", field(params, "ErrorMessage").unwrap_or_default())
                    .trim()
                    .to_string()
            }),
        at: None,
    })
}

/// What an answer came to, as the patient is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Confirmed,
    Cancelled,
    /// A cancel inside the cancellation window: refused, call the clinic.
    Refused,
    /// A typed cancel: the patient is asked to say yes first.
    Asked,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Cancelled => "cancelled",
            Outcome::Refused => "refused",
            Outcome::Asked => "asked",
        }
    }
}

/// The one line a patient gets back on the channel they answered on,
/// naming the clinic (a patient may hear from several).
pub fn answer_text(
    outcome: Outcome,
    lang: Language,
    clinic: &str,
    date: &str,
    time: &str,
    clinic_phone: Option<&str>,
) -> String {
    let es = lang == Language::Es;
    let call = match clinic_phone {
        Some(p) if es => format!(" Llame al {p}."),
        Some(p) => format!(" Please call {p}."),
        None if es => " Llame a la clínica.".to_string(),
        None => " Please call the clinic.".to_string(),
    };
    match (outcome, es) {
        (Outcome::Confirmed, true) => {
            format!("{clinic}: su cita del {date} a las {time} quedó confirmada. ¡Gracias!")
        }
        (Outcome::Confirmed, false) => {
            format!("{clinic}: your appointment on {date} at {time} is confirmed. Thank you!")
        }
        (Outcome::Cancelled, true) => {
            format!("{clinic}: su cita del {date} a las {time} quedó cancelada.")
        }
        (Outcome::Cancelled, false) => {
            format!("{clinic}: your appointment on {date} at {time} is cancelled.")
        }
        (Outcome::Refused, true) => format!(
            "{clinic}: su cita del {date} a las {time} ya no se puede cancelar por mensaje.{call}"
        ),
        (Outcome::Refused, false) => format!(
            "{clinic}: your appointment on {date} at {time} can no longer be cancelled by message.{call}"
        ),
        (Outcome::Asked, true) => format!(
            "{clinic}: ¿cancelar su cita del {date} a las {time}? Responda SÍ para cancelarla."
        ),
        (Outcome::Asked, false) => format!(
            "{clinic}: cancel your appointment on {date} at {time}? Reply YES to cancel it."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_read_in_both_languages_accents_and_case_aside() {
        for t in ["1", "Sí", "si", "SI", " confirmo ", "Yes", "sí."] {
            assert_eq!(intent(t), Intent::Confirm, "{t}");
        }
        for t in ["2", "No", "CANCELAR", "cancel", "no!"] {
            assert_eq!(intent(t), Intent::Cancel, "{t}");
        }
        for t in [
            "",
            "3",
            "sí, pero llego tarde",
            "¿puedo cambiar la hora?",
            "12",
        ] {
            assert_eq!(intent(t), Intent::Other, "{t}");
        }
        let p = payload(Intent::Cancel, "abc-1");
        assert_eq!(read_payload(&p), Some((Intent::Cancel, "abc-1")));
        assert_eq!(read_payload("appt:drop:x"), None);
        assert_eq!(read_payload("appt:confirm:"), None);
    }

    #[test]
    fn signatures_are_checked_as_the_providers_document_them() {
        // Twilio's own example (its docs' "Validating signatures" page).
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            twilio_signature("12345", url, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert!(twilio_signed(
            "12345",
            url,
            &params,
            Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        ));
        assert!(!twilio_signed(
            "12346",
            url,
            &params,
            Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        ));
        assert!(!twilio_signed("12345", url, &params, None));
        // HMAC-SHA256("It's a Secret to Everybody", "Hello, World!"), GitHub's
        // documented example of the same scheme.
        let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(whatsapp_signed(
            "It's a Secret to Everybody",
            b"Hello, World!",
            Some(sig)
        ));
        assert!(!whatsapp_signed("other", b"Hello, World!", Some(sig)));
        assert!(!whatsapp_signed(
            "It's a Secret to Everybody",
            b"Hello, World!",
            Some(&sig[7..])
        ));
    }

    #[test]
    fn whatsapp_notifications_are_read_as_meta_documents_them() {
        let body = json!({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
        "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"123"},
        "contacts":[{"profile":{"name":"Ana"},"wa_id":"50370001111"}],
        "messages":[
            {"from":"50370001111","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"hola"}},
            {"from":"50370001111","id":"wamid.B","timestamp":"1700000001","type":"button","button":{"payload":"appt:confirm:m1","text":"Confirmar"}},
            {"from":"50370001111","id":"wamid.C","timestamp":"1700000002","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"appt:cancel:m2","title":"Cancelar"}}},
            {"from":"50370001111","id":"wamid.D","timestamp":"1700000003","type":"image","image":{"id":"x"}}
        ],
        "statuses":[
            {"id":"wamid.S","status":"read","timestamp":"1700000100","recipient_id":"50370001111"},
            {"id":"wamid.T","status":"failed","timestamp":"1700000101","errors":[{"code":131026,"title":"Message undeliverable"}]}
        ]}}]}]});
        let d = whatsapp(&body);
        assert_eq!(d.messages.len(), 4);
        assert_eq!(d.messages[0].from, "+50370001111");
        assert_eq!(d.messages[0].said(), Said::Other);
        assert_eq!(d.messages[1].said(), Said::Button(Intent::Confirm, "m1"));
        assert_eq!(d.messages[2].said(), Said::Button(Intent::Cancel, "m2"));
        assert_eq!(said(" 1 "), Said::Digit(Intent::Confirm));
        assert_eq!(said("2."), Said::Digit(Intent::Cancel));
        assert_eq!(said("Cancelar"), Said::Word(Intent::Cancel));
        assert_eq!(said("sí"), Said::Word(Intent::Confirm));
        assert_eq!(d.messages[3].text, "[image]");
        assert_eq!(d.receipts[0].state, State::Read);
        assert_eq!(
            d.receipts[1].error.as_deref(),
            Some("131026 Message undeliverable")
        );
        assert_eq!(d.receipts[1].to, "123");
    }
}
