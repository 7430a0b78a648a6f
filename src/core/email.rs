//! An e-mail to a patient, decided without I/O (docs/rules.md#e-mail): its
//! subject, a text part and an HTML part in the clinic's language, each with
//! the message's ready text (the words `remind due` prints) and the
//! patient's link when there is one, and for a confirmation, a move or a
//! cancellation an invitation (`.ics`, RFC 5545 with iTIP's METHOD, RFC
//! 5546) that a calendar program adds, moves or removes. `app::channel`
//! turns it into MIME and sends it over SMTP.
//!
//! Nothing clinical goes in (docs/privacy.md#what-appt-keeps): no reason for the
//! visit, no notes; the invitation names the clinic and the doctor, as the
//! text does.

use super::ical;
use super::message::Kind;
use super::model::Language;
use super::zone::Tz;
use super::Status;
use crate::error::Result;
use chrono::{DateTime, Utc};
use icalendar::{Component, Event, EventLike, EventStatus, Property};

/// One e-mail, ready to be put in MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The sender's name beside the channel's address: the clinic's.
    pub from_name: String,
    pub date: DateTime<Utc>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub invitation: Option<Invitation>,
}

/// What an invitation asks of a calendar (iTIP, RFC 5546).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the event, or update it (a higher SEQUENCE).
    Request,
    /// Remove it.
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }

    /// The invitation a message of `kind` carries: a confirmation and a
    /// move ask to add (or move) the visit, a cancellation to remove it; a
    /// reminder and an offer carry none.
    pub fn of(kind: Kind) -> Option<Method> {
        match kind {
            Kind::Confirmation | Kind::Rescheduled => Some(Method::Request),
            Kind::Cancelled => Some(Method::Cancel),
            Kind::Reminder | Kind::WaitlistOffer | Kind::Recall => None,
        }
    }
}

/// A calendar invitation: its method and the calendar's text (CRLF lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub method: Method,
    pub ics: String,
}

/// The visit an invitation is about, as it is when the message goes out.
pub struct Visit<'a> {
    /// The appointment's ID: the event's UID, the same in every invitation
    /// (and in `export --format ics`), so a later one replaces the earlier.
    pub id: &'a str,
    /// How many times it has changed: the event's SEQUENCE.
    pub sequence: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: Tz,
    pub status: Status,
    pub doctor: Option<&'a str>,
    /// The channel's address (ORGANIZER) and the patient's (ATTENDEE).
    pub organizer: &'a str,
    pub attendee: &'a str,
}

/// The e-mail of a message of `kind`: `ready` is its text as `remind due`
/// writes it (with the clinic, the language, the date and time), `visit`
/// what its invitation is about (None: no invitation, whatever the kind).
pub fn compose(
    kind: Kind,
    ready: &super::message::Ready,
    visit: Option<&Visit>,
    now: DateTime<Utc>,
) -> Result<Email> {
    let lang = ready.language;
    let args = [
        ("clinic", ready.fields.clinic.clone().into()),
        ("date", ready.fields.date.clone().into()),
        ("time", ready.fields.time.clone().into()),
    ];
    let subject_id = match kind {
        Kind::Reminder => "email-subject_reminder",
        Kind::Confirmation => "email-subject_confirmation",
        Kind::Rescheduled => "email-subject_rescheduled",
        Kind::Cancelled => "email-subject_cancelled",
        Kind::Recall => "email-subject_recall",
        Kind::WaitlistOffer => "email-subject_waitlist_offer",
    };
    let label = match kind {
        Kind::WaitlistOffer => "email-link_offer",
        Kind::Recall => "email-link_recall",
        _ => "email-link_appointment",
    };
    let subject = one_line(&crate::text::render(lang, subject_id, &args));
    let link = ready
        .link
        .as_deref()
        .map(|l| (l, crate::text::render(lang, label, &[])));
    let invitation = match (Method::of(kind), visit) {
        (Some(method), Some(v)) => Some(Invitation {
            method,
            ics: invitation(method, v, ready, now)?,
        }),
        _ => None,
    };
    Ok(Email {
        from_name: one_line(&ready.fields.clinic),
        date: now,
        text: text_part(&ready.message, link.as_ref()),
        html: html_part(lang, &subject, &ready.message, link.as_ref()),
        subject,
        invitation,
    })
}

/// `channel test`'s e-mail, in the clinic's language: `test_text` in both
/// parts, no link, no invitation.
pub fn test(lang: Language, clinic: &str, test_text: &str, now: DateTime<Utc>) -> Email {
    let subject = one_line(&crate::text::render(
        lang,
        "email-subject_test",
        &[("clinic", clinic.to_string().into())],
    ));
    Email {
        from_name: one_line(clinic),
        date: now,
        text: text_part(test_text, None),
        html: html_part(lang, &subject, test_text, None),
        subject,
        invitation: None,
    }
}

/// A header's text on one line: a line break a clinic's name or template
/// holds becomes a space.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text part: the ready text, and the link under its label when the
/// text (a clinic's own template) leaves it out.
fn text_part(message: &str, link: Option<&(&str, String)>) -> String {
    let mut out = message.trim_end().to_string();
    if let Some((url, label)) = link {
        if !message.contains(url) {
            out.push_str(&format!("\n\n{label}:\n{url}"));
        }
    }
    out.push('\n');
    out
}

/// `s` escaped for HTML text and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The HTML part: the ready text escaped (its link made a link, its line
/// breaks kept), then the link under its label.
fn html_part(
    lang: Language,
    subject: &str,
    message: &str,
    link: Option<&(&str, String)>,
) -> String {
    let mut body = escape(message.trim_end());
    if let Some((url, _)) = link {
        let u = escape(url);
        body = body.replace(&u, &format!("<a href=\"{u}\">{u}</a>"));
    }
    let body = body.replace('\n', "<br>\n");
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n<p>{body}</p>\n",
        lang.as_str(),
        escape(subject)
    );
    if let Some((url, label)) = link {
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>\n",
            escape(url),
            escape(label)
        ));
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// A parameter value as a content line may hold it: no `"` and no control
/// characters (the crate quotes one with `:`, `;` or `,`).
fn param(s: &str) -> String {
    one_line(s).replace('"', "'")
}

/// The invitation's calendar: one VEVENT, its UID the appointment's ID,
/// its SEQUENCE the appointment's, in the clinic's local time with the
/// zone's VTIMEZONE; the clinic as organizer (the channel's address), the
/// patient as attendee. Its only words are the summary (the clinic and the
/// doctor, in the clinic's language) and the link.
fn invitation(
    method: Method,
    v: &Visit,
    ready: &super::message::Ready,
    now: DateTime<Utc>,
) -> Result<String> {
    let lang = ready.language;
    let summary = match v.doctor {
        Some(d) => crate::text::render(
            lang,
            "email-summary_with",
            &[
                ("doctor", d.to_string().into()),
                ("clinic", ready.fields.clinic.clone().into()),
            ],
        ),
        None => crate::text::render(
            lang,
            "email-summary",
            &[("clinic", ready.fields.clinic.clone().into())],
        ),
    };
    let mut cal = String::from("BEGIN:VCALENDAR\r\n");
    cal.push_str(&ical::line("VERSION", "2.0")?);
    cal.push_str(&ical::line("PRODID", ical::PRODID)?);
    cal.push_str(&ical::line("CALSCALE", "GREGORIAN")?);
    cal.push_str(&ical::line("METHOD", method.as_str())?);
    let mut e = Event::new();
    e.uid(v.id)
        .timestamp(now)
        .starts(ical::local(v.timezone, v.starts_at))
        .ends(ical::local(v.timezone, v.ends_at))
        .sequence(u32::try_from(v.sequence.max(0)).unwrap_or(u32::MAX))
        .summary(&ical::text(&summary))
        .location(&ical::text(&ready.fields.clinic));
    let status = match method {
        Method::Cancel => Some(EventStatus::Cancelled),
        Method::Request => ical::status(v.status),
    };
    if let Some(s) = status {
        e.status(s);
    }
    if let Some(link) = &ready.link {
        e.description(&ical::text(link));
        e.add_property("URL", link);
    }
    e.append_property(
        Property::new("ORGANIZER", format!("mailto:{}", v.organizer))
            .add_parameter("CN", &param(&ready.fields.clinic))
            .done(),
    );
    e.append_property(
        Property::new("ATTENDEE", format!("mailto:{}", v.attendee))
            .add_parameter("ROLE", "REQ-PARTICIPANT")
            .add_parameter("RSVP", "FALSE")
            .done(),
    );
    e.fmt_write(&mut cal).map_err(ical::formatting_failed)?;
    cal.push_str(&ical::vtimezone(v.timezone, v.starts_at, v.ends_at));
    cal.push_str("END:VCALENDAR\r\n");
    Ok(cal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::message::Ready;

    fn ready(lang: Language, link: Option<&str>) -> Ready {
        Ready {
            message: "Hola Lucía, su cita con Dra. Peña en Clínica Ñandú <Centro> quedó reservada. Para confirmar: https://c.example/p/tok&x".into(),
            link: link.map(str::to_string),
            language: lang,
            fields: super::super::message::Fields {
                clinic: "Clínica Ñandú <Centro>".into(),
                date: "martes 16 de junio".into(),
                time: "10:00".into(),
                ..Default::default()
            },
        }
    }

    fn visit() -> Visit<'static> {
        Visit {
            id: "appt-1",
            sequence: 3,
            starts_at: "2026-06-16T16:00:00Z".parse().unwrap(),
            ends_at: "2026-06-16T16:30:00Z".parse().unwrap(),
            timezone: crate::core::time::parse_timezone("America/El_Salvador").unwrap(),
            status: Status::Scheduled,
            doctor: Some("Dra. Peña"),
            organizer: "desk@clinic.example",
            attendee: "lucia@example.com",
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-06-15T14:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_email_says_the_ready_text_in_the_clinics_language_escaped_in_html() {
        let r = ready(Language::Es, Some("https://c.example/p/tok&x"));
        let e = compose(Kind::Confirmation, &r, Some(&visit()), now()).unwrap();
        assert_eq!(
            e.subject,
            "Cita reservada en Clínica Ñandú <Centro>: martes 16 de junio a las 10:00"
        );
        assert!(e.text.starts_with("Hola Lucía"));
        // The text already holds the link: not twice.
        assert_eq!(e.text.matches("https://c.example/p/tok&x").count(), 1);
        assert!(
            e.html.contains("Clínica Ñandú &lt;Centro&gt;"),
            "{}",
            e.html
        );
        assert!(!e.html.contains("<Centro>"));
        assert!(e
            .html
            .contains("<a href=\"https://c.example/p/tok&amp;x\">"));
        assert!(e.html.contains("Confirmar, cancelar o cambiar su cita"));
        assert!(e.html.contains("<html lang=\"es\">"));
        let inv = e.invitation.unwrap();
        assert_eq!(inv.method, Method::Request);
        for l in [
            "METHOD:REQUEST\r\n",
            "UID:appt-1\r\n",
            "SEQUENCE:3\r\n",
            "DTSTART;TZID=America/El_Salvador:20260616T100000\r\n",
            "STATUS:TENTATIVE\r\n",
            "BEGIN:VTIMEZONE\r\n",
            "mailto:lucia@example.com\r\n",
        ] {
            assert!(inv.ics.contains(l), "{l} in {}", inv.ics);
        }
        assert!(inv
            .ics
            .contains("ORGANIZER;CN=Clínica Ñandú <Centro>:mailto:desk@clinic.example"));
    }

    #[test]
    fn a_cancellation_cancels_and_a_reminder_or_an_offer_invites_to_nothing() {
        let r = ready(Language::En, None);
        let e = compose(Kind::Cancelled, &r, Some(&visit()), now()).unwrap();
        let inv = e.invitation.unwrap();
        assert_eq!(inv.method, Method::Cancel);
        assert!(inv.ics.contains("METHOD:CANCEL\r\n") && inv.ics.contains("STATUS:CANCELLED\r\n"));
        assert!(e.subject.starts_with("Appointment cancelled at"));
        for kind in [Kind::Reminder, Kind::WaitlistOffer] {
            assert!(compose(kind, &r, Some(&visit()), now())
                .unwrap()
                .invitation
                .is_none());
        }
    }

    #[test]
    fn a_link_the_template_leaves_out_is_added_under_its_label() {
        let mut r = ready(Language::En, Some("https://c.example/p/zz"));
        r.message = "Hello Ana, a time has come free.".into();
        let e = compose(Kind::WaitlistOffer, &r, None, now()).unwrap();
        assert!(
            e.text
                .ends_with("Book this time:\nhttps://c.example/p/zz\n"),
            "{}",
            e.text
        );
        assert!(e
            .html
            .contains("<a href=\"https://c.example/p/zz\">Book this time</a>"));
    }

    #[test]
    fn a_header_never_carries_a_line_break() {
        let mut r = ready(Language::En, None);
        r.fields.clinic = "Central\r\nBcc: x@y.z".into();
        let e = compose(Kind::Reminder, &r, None, now()).unwrap();
        assert!(!e.subject.contains(['\r', '\n']));
        assert!(!e.from_name.contains(['\r', '\n']));
    }
}
