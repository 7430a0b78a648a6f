//! The ready text of a message to a patient (docs/rules.md#messages): the
//! built-in wording of each kind in each language, a clinic's own templates
//! (checked when set), and the date written the way the language writes it.
//!
//! A template is text with placeholders (`{patient}`, …, [`PLACEHOLDERS`]);
//! a part between `[` and `]` is left out when a placeholder inside it has
//! no value (a clinic without a phone, a message without a link); `{{`, `}}`,
//! `[[` and `]]` stand for the characters themselves.

use super::model::Language;
use chrono::{Datelike, NaiveDate};

super::coded::coded! {
    /// The kinds of message `remind due` delivers (docs/rules.md#reminders-and-notifications),
    /// shown by their names and stored as their numbers ([`Coded`](super::Coded)).
    #[derive(PartialOrd, Ord)]
    pub enum Kind {
        Reminder => "reminder" = 1,
        Confirmation => "confirmation" = 2,
        Rescheduled => "rescheduled" = 3,
        Cancelled => "cancelled" = 4,
        WaitlistOffer => "waitlist_offer" = 5,
        Recall => "recall" = 6,
    }
}

impl Kind {
    /// The patient notifications: the latest news about a booking.
    pub const NOTICES: [Kind; 3] = [Kind::Confirmation, Kind::Rescheduled, Kind::Cancelled];

    /// A patient notification: the news about a booking, one at a time.
    pub fn is_notice(self) -> bool {
        Kind::NOTICES.contains(&self)
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

super::coded::coded! {
    /// Where a message stands: waiting for its time, sent, failed for good,
    /// cancelled or expired (docs/rules.md#reminders-and-notifications); stored
    /// as its number ([`Coded`](super::Coded)).
    pub enum Status {
        Pending => "pending" = 1,
        Sent => "sent" = 2,
        Failed => "failed" = 3,
        Cancelled => "cancelled" = 4,
        Expired => "expired" = 5,
    }
}

/// What a template may name.
pub const PLACEHOLDERS: [&str; 12] = [
    "patient",
    "doctor",
    "clinic",
    "date",
    "time",
    "link",
    "clinic_phone",
    "previous_date",
    "previous_time",
    "reason",
    "series",
    "video_url",
];

/// A template longer than this is refused.
pub const TEMPLATE_LIMIT: usize = 1000;

/// The built-in text of `kind` in `lang` (None for a kind that is not one).
pub fn builtin(kind: Kind, lang: Language) -> &'static str {
    match (kind, lang) {
        (Kind::Reminder, Language::En) => {
            "Hello {patient}, this is a reminder of your appointment[ with {doctor}] at {clinic} \
             on {date} at {time}.[ Confirm, cancel or change it here: {link}][ To talk to us, \
             call {clinic_phone}.][ The visit is by video: {video_url}]"
        }
        (Kind::Confirmation, Language::En) => {
            "Hello {patient}, your appointment[ with {doctor}] at {clinic} is booked for {date} \
             at {time}[ ({series})].[ Confirm, cancel or change it here: {link}][ To talk to us, call \
             {clinic_phone}.][ The visit is by video: {video_url}]"
        }
        (Kind::Rescheduled, Language::En) => {
            "Hello {patient}, your appointment[ with {doctor}] at {clinic} has moved from \
             {previous_date} at {previous_time} to {date} at {time}[, with the rest of the series \
             ({series})].[ Confirm, cancel or change it here: {link}][ To talk to us, call {clinic_phone}.][ The visit is by video: {video_url}]"
        }
        (Kind::Cancelled, Language::En) => {
            "Hello {patient}, your appointment[ with {doctor}] at {clinic} on {date} at {time} \
             has been cancelled[ ({reason})].[ The rest of the series is cancelled with it \
             ({series}).][ To book another, call {clinic_phone}.]"
        }
        (Kind::WaitlistOffer, Language::En) => {
            "Hello {patient}, a time has come free[ with {doctor}] at {clinic}: {date} at \
             {time}.[ Book it here: {link}][ To book it by phone, call {clinic_phone}.]"
        }
        (Kind::Recall, Language::En) => {
            "Hello {patient}, it is time for your follow-up visit[ with {doctor}] at {clinic}.[ \
             Book it here: {link}][ To book it by phone, call {clinic_phone}.]"
        }
        (Kind::Reminder, Language::Es) => {
            "Hola {patient}, le recordamos su cita[ con {doctor}] en {clinic} el {date} a las \
             {time}.[ Para confirmar, cancelar o cambiar la hora: {link}][ Si tiene dudas, llame \
             al {clinic_phone}.][ La consulta es por video: {video_url}]"
        }
        (Kind::Confirmation, Language::Es) => {
            "Hola {patient}, su cita[ con {doctor}] en {clinic} quedó reservada para el {date} a \
             las {time}[ ({series})].[ Para confirmar, cancelar o cambiar la hora: {link}][ Si tiene dudas, \
             llame al {clinic_phone}.][ La consulta es por video: {video_url}]"
        }
        (Kind::Rescheduled, Language::Es) => {
            "Hola {patient}, su cita[ con {doctor}] en {clinic} cambió del {previous_date} a las \
             {previous_time} al {date} a las {time}[, junto con el resto de la serie ({series})].[ \
             Para confirmar, cancelar o cambiar la hora: {link}][ Si tiene dudas, llame al {clinic_phone}.][ La consulta es por video: {video_url}]"
        }
        (Kind::Cancelled, Language::Es) => {
            "Hola {patient}, su cita[ con {doctor}] en {clinic} del {date} a las {time} fue \
             cancelada[ (motivo: {reason})].[ Con ella se cancela el resto de la serie \
             ({series}).][ Para una nueva cita, llame al {clinic_phone}.]"
        }
        (Kind::WaitlistOffer, Language::Es) => {
            "Hola {patient}, se liberó una hora[ con {doctor}] en {clinic}: el {date} a las \
             {time}.[ Resérvela aquí: {link}][ Para reservarla por teléfono, llame al \
             {clinic_phone}.]"
        }
        (Kind::Recall, Language::Es) => {
            "Hola {patient}, ya le corresponde su control[ con {doctor}] en {clinic}.[ \
             Reserve su hora aquí: {link}][ Para reservarla por teléfono, llame al {clinic_phone}.]"
        }
    }
}

/// One piece of a template.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Var(&'static str),
    /// Left out when a placeholder inside has no value.
    Optional(Vec<Piece>),
}

/// Why a template is refused, with what to say in the error.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A placeholder that is not one of [`PLACEHOLDERS`].
    Unknown(String),
    /// A `{`, `}`, `[` or `]` without its other half.
    Unmatched(char),
    /// A `[` inside another.
    Nested,
    TooLong,
}

fn parse(text: &str) -> Result<Vec<Piece>, Refusal> {
    if text.chars().count() > TEMPLATE_LIMIT {
        return Err(Refusal::TooLong);
    }
    let mut top: Vec<Piece> = Vec::new();
    let mut inner: Option<Vec<Piece>> = None;
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    let flush = |lit: &mut String, into: &mut Vec<Piece>| {
        if !lit.is_empty() {
            into.push(Piece::Text(std::mem::take(lit)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' | '[' | ']' if chars.peek() == Some(&c) => {
                chars.next();
                lit.push(c);
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(n) if n != '{' => name.push(n),
                        _ => return Err(Refusal::Unmatched('{')),
                    }
                }
                let var = PLACEHOLDERS
                    .iter()
                    .find(|p| **p == name.trim())
                    .ok_or(Refusal::Unknown(name))?;
                let into = inner.as_mut().unwrap_or(&mut top);
                flush(&mut lit, into);
                into.push(Piece::Var(var));
            }
            '[' => {
                if inner.is_some() {
                    return Err(Refusal::Nested);
                }
                flush(&mut lit, &mut top);
                inner = Some(Vec::new());
            }
            ']' => {
                let Some(mut part) = inner.take() else {
                    return Err(Refusal::Unmatched(']'));
                };
                flush(&mut lit, &mut part);
                top.push(Piece::Optional(part));
            }
            '}' => return Err(Refusal::Unmatched('}')),
            _ => lit.push(c),
        }
    }
    if inner.is_some() {
        return Err(Refusal::Unmatched('['));
    }
    flush(&mut lit, &mut top);
    Ok(top)
}

/// Checks a clinic's template: every placeholder known, every bracket matched.
pub fn check(text: &str) -> Result<(), Refusal> {
    parse(text).map(drop)
}

/// A message as it goes out: its text, and its link when the clinic has a
/// public URL and the kind carries one; and what an e-mail's subject says
/// besides (`core::email`): the language it is written in, the clinic, and
/// the date and time as the text writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ready {
    pub message: String,
    pub link: Option<String>,
    /// The clinic's language.
    pub language: Language,
    /// The values its placeholders had (the clinic, the date and time; a
    /// WhatsApp template's parameters, an e-mail's subject).
    pub fields: Fields,
}

/// The values of one message's placeholders; None (or empty) is "no value".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub patient: String,
    pub doctor: Option<String>,
    pub clinic: String,
    pub date: String,
    pub time: String,
    pub link: Option<String>,
    pub clinic_phone: Option<String>,
    pub previous_date: Option<String>,
    pub previous_time: Option<String>,
    pub reason: Option<String>,
    /// A series the message covers (docs/rules.md#series): [`series_words`].
    pub series: Option<String>,
    /// The clinic's video link, for a telemedicine visit only
    /// (docs/rules.md#visits).
    pub video_url: Option<String>,
}

impl Fields {
    /// The value of placeholder `name`, if it has one.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name)
    }

    fn get(&self, name: &str) -> Option<&str> {
        let v = match name {
            "patient" => Some(&self.patient),
            "doctor" => self.doctor.as_ref(),
            "clinic" => Some(&self.clinic),
            "date" => Some(&self.date),
            "time" => Some(&self.time),
            "link" => self.link.as_ref(),
            "clinic_phone" => self.clinic_phone.as_ref(),
            "previous_date" => self.previous_date.as_ref(),
            "previous_time" => self.previous_time.as_ref(),
            "reason" => self.reason.as_ref(),
            "series" => self.series.as_ref(),
            "video_url" => self.video_url.as_ref(),
            _ => None,
        };
        v.map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

fn write(pieces: &[Piece], f: &Fields, out: &mut String) {
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(v) => out.push_str(f.get(v).unwrap_or_default()),
            Piece::Optional(part) => {
                let all = part.iter().all(|p| match p {
                    Piece::Var(v) => f.get(v).is_some(),
                    _ => true,
                });
                if all {
                    write(part, f, out);
                }
            }
        }
    }
}

/// The text of a message of `kind`: the clinic's own template when it has
/// one (checked when it was set; one that no longer parses falls back to
/// the built-in text), else the built-in text in `lang`.
pub fn render(kind: Kind, lang: Language, own: Option<&str>, f: &Fields) -> String {
    let pieces = own
        .and_then(|t| parse(t).ok())
        .or_else(|| parse(builtin(kind, lang)).ok())
        .unwrap_or_default();
    let mut out = String::new();
    write(&pieces, f, &mut out);
    out
}

/// A local date as `lang` writes it in a message: `Monday 15 June`,
/// `lunes 15 de junio`.
pub fn date_words(lang: Language, d: NaiveDate) -> String {
    let day = weekday_name(lang, d.weekday().num_days_from_monday() as usize);
    let month = month_name(lang, d.month());
    match lang {
        Language::En => format!("{day} {} {month}", d.day()),
        Language::Es => format!("{day} {} de {month}", d.day()),
    }
}

/// What a message says of the series it covers: how many visits and the
/// last one's date (`10 visits, the last on Tuesday 5 May`).
pub fn series_words(lang: Language, count: i64, last: NaiveDate) -> String {
    let last = date_words(lang, last);
    match (lang, count) {
        (Language::En, 1) => format!("1 visit, on {last}"),
        (Language::En, n) => format!("{n} visits, the last on {last}"),
        (Language::Es, 1) => format!("1 cita, el {last}"),
        (Language::Es, n) => format!("{n} citas, la última el {last}"),
    }
}

/// A weekday's name in `lang`, Monday = 0: `Monday`, `lunes`
/// ([`crate::text::weekday_name`], the one table of names).
pub fn weekday_name(lang: Language, monday0: usize) -> &'static str {
    crate::text::weekday_name(lang, monday0)
}

/// A month's name in `lang`, January = 1: `June`, `junio`.
pub fn month_name(lang: Language, month: u32) -> &'static str {
    crate::text::month_name(lang, month)
}

/// A clinic's phone as it is to be read in messages, trimmed: digits with
/// spaces, `-`, `.`, `(`, `)` and a leading `+`, 3 to 20 digits; `none` (or
/// blank) is no phone.
pub fn clinic_phone(raw: &str) -> Result<Option<String>, crate::text::Msg> {
    let t = raw.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let shape = t
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0));
    if !shape || !(3..=20).contains(&digits) {
        return Err(crate::text::msg!("e-clinic_phone_must_be", a = raw));
    }
    Ok(Some(t.to_string()))
}

/// A clinic's public URL: `http://` or `https://`, a host, an optional
/// path; no user part, query or fragment; the trailing `/` trimmed. `none`
/// (or blank) is no URL.
pub fn public_url(raw: &str) -> Result<Option<String>, crate::text::Msg> {
    let t = raw.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let bad = || crate::text::msg!("e-public_url_must_be", a = raw);
    let lower = t.to_ascii_lowercase();
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|s| lower.starts_with(s).then(|| &t[s.len()..]))
        .ok_or_else(bad)?;
    let host = rest.split('/').next().unwrap_or_default();
    let clean = !host.is_empty()
        && !host.contains('@')
        && !rest.contains(['?', '#', '\\'])
        && t.chars().all(|c| c.is_ascii_graphic());
    if !clean {
        return Err(bad());
    }
    Ok(Some(t.trim_end_matches('/').to_string()))
}

/// A clinic's video link for telemedicine visits (`{video_url}`): http://
/// or https://, a host, and whatever path or query the video service gives
/// (a room's password often rides in it); blank or `none` clears it.
pub fn video_url(raw: &str) -> Result<Option<String>, crate::text::Msg> {
    let t = raw.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let lower = t.to_ascii_lowercase();
    let host = ["https://", "http://"]
        .iter()
        .find_map(|s| lower.starts_with(s).then(|| &t[s.len()..]))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let clean = host.is_some_and(|h| !h.is_empty() && !h.contains('@'))
        && t.chars().all(|c| c.is_ascii_graphic());
    if !clean {
        return Err(crate::text::msg!("e-video_url_must_be", raw = raw));
    }
    Ok(Some(t.to_string()))
}

/// How a message greets the patient: the first word of the full name.
pub fn first_name(full: &str) -> String {
    full.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Coded;

    #[test]
    fn each_status_and_kind_has_its_own_number_in_order_and_its_own_name() {
        crate::core::coded::assert_numbered_in_order::<Status>();
        crate::core::coded::assert_numbered_in_order::<Kind>();
        assert_eq!(Status::from_name("Sent"), None);
        assert_eq!(Kind::from_name("waitlist-offer"), None);
    }

    fn fields() -> Fields {
        Fields {
            patient: "Ana".into(),
            doctor: Some("Dra. García".into()),
            clinic: "Central".into(),
            date: date_words(Language::Es, NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()),
            time: "14:00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn kinds_and_statuses_read_back_their_names() {
        // Each name read back as its own value, and NAMES in ALL's order.
        for (&k, &name) in Kind::ALL.iter().zip(Kind::NAMES) {
            assert_eq!((k.as_str(), Kind::from_name(name)), (name, Some(k)));
        }
        for (&st, &name) in Status::ALL.iter().zip(Status::NAMES) {
            assert_eq!((st.as_str(), Status::from_name(name)), (name, Some(st)));
        }
        assert_eq!(Kind::from_name("Reminder"), None);
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        assert_eq!(date_words(Language::Es, d), "lunes 15 de junio");
        assert_eq!(date_words(Language::En, d), "Monday 15 June");
        let d = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
        assert_eq!(date_words(Language::Es, d), "miércoles 4 de noviembre");
        assert_eq!(date_words(Language::En, d), "Wednesday 4 November");
    }

    #[test]
    fn every_kind_has_a_builtin_text_in_each_language_that_parses() {
        for &kind in Kind::ALL {
            for lang in Language::ALL {
                let t = builtin(kind, lang);
                assert_eq!(check(t), Ok(()), "{kind:?} {lang:?}");
            }
        }
    }

    #[test]
    fn optional_parts_go_when_a_placeholder_inside_has_no_value() {
        let mut f = fields();
        let text = render(Kind::Reminder, Language::Es, None, &f);
        assert_eq!(
            text,
            "Hola Ana, le recordamos su cita con Dra. García en Central el lunes 15 de junio a las 14:00."
        );
        f.doctor = None;
        f.link = Some("https://citas.example/p/abc".into());
        f.clinic_phone = Some("2222-3333".into());
        assert_eq!(
            render(Kind::Reminder, Language::Es, None, &f),
            "Hola Ana, le recordamos su cita en Central el lunes 15 de junio a las 14:00. Para \
             confirmar, cancelar o cambiar la hora: https://citas.example/p/abc Si tiene dudas, \
             llame al 2222-3333."
        );
    }

    #[test]
    fn a_clinics_template_is_checked_and_rendered() {
        let f = fields();
        assert_eq!(
            render(
                Kind::Reminder,
                Language::En,
                Some("{{Hi}} {patient} [[{date}]] [x{reason}]"),
                &f
            ),
            "{Hi} Ana [lunes 15 de junio] "
        );
        assert_eq!(check("Hi {name}"), Err(Refusal::Unknown("name".into())));
        assert_eq!(check("Hi {patient"), Err(Refusal::Unmatched('{')));
        assert_eq!(check("Hi patient}"), Err(Refusal::Unmatched('}')));
        assert_eq!(check("Hi [patient"), Err(Refusal::Unmatched('[')));
        assert_eq!(check("Hi patient]"), Err(Refusal::Unmatched(']')));
        assert_eq!(check("[a [b] c]"), Err(Refusal::Nested));
        assert_eq!(
            check(&"x".repeat(TEMPLATE_LIMIT + 1)),
            Err(Refusal::TooLong)
        );
        assert_eq!(check(&"x".repeat(TEMPLATE_LIMIT)), Ok(()));
    }

    #[test]
    fn a_clinics_phone_and_public_url_are_checked() {
        assert_eq!(
            clinic_phone(" +503 2222-3333 ").unwrap().as_deref(),
            Some("+503 2222-3333")
        );
        assert_eq!(
            clinic_phone("(555) 010.2000").unwrap().as_deref(),
            Some("(555) 010.2000")
        );
        assert_eq!(clinic_phone("none").unwrap(), None);
        for bad in ["12", "call us", "503+2222", &"1".repeat(21)] {
            assert!(clinic_phone(bad).is_err(), "{bad}");
        }
        assert_eq!(
            public_url("https://citas.example/clinica/")
                .unwrap()
                .as_deref(),
            Some("https://citas.example/clinica")
        );
        assert_eq!(
            public_url("HTTP://10.0.0.5:8080").unwrap().as_deref(),
            Some("HTTP://10.0.0.5:8080")
        );
        assert_eq!(public_url(" none ").unwrap(), None);
        for bad in [
            "citas.example",
            "ftp://citas.example",
            "https://",
            "https:///p",
            "https://u:pw@citas.example",
            "https://citas.example/?a=1",
            "https://citas.example/#x",
            "https://citas example",
        ] {
            assert!(public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_first_name_greets() {
        assert_eq!(first_name("  María José Pérez "), "María");
        assert_eq!(first_name(""), "");
    }
}
