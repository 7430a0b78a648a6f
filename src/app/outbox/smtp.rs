//! E-mail through a clinic's SMTP account (docs/commands.md#appt-channel):
//! the e-mail `core::email` decided, put in MIME and sent with lettre's
//! SMTP client. `smtps://` is TLS from the first byte; `smtp://` must
//! become TLS through STARTTLS before anything else is said, the password
//! above all: a server that does not offer it is left at once. Every peer
//! is verified against the system's trust store (which honours
//! `SSL_CERT_FILE`). What the server answers is `core::channel`'s to judge
//! ([`smtp_outcome`]).

use crate::core::channel::{
    smtp_outcome, Outcome, Secrets, Settings, SmtpAnswer, SmtpTls, SmtpUrl,
};
use crate::core::email::Email;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, Message};
use std::time::{Duration, Instant};

/// The connection, the server's greeting and each answer must come within
/// this long, and the rest of the conversation (STARTTLS, AUTH, the
/// message) within this long in all: past it, a temporary failure.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The file name of an invitation's attachment.
const INVITE: &str = "invite.ics";

/// A clinic's SMTP account, ready to send.
pub struct Smtp<'a> {
    url: SmtpUrl,
    from: &'a str,
    reply_to: Option<&'a str>,
    secrets: &'a Secrets,
}

impl<'a> Smtp<'a> {
    /// The channel's SMTP account; None for a channel of another kind.
    pub fn of(settings: &'a Settings, secrets: &'a Secrets) -> Option<Smtp<'a>> {
        let Settings::Email {
            smtp_url,
            from,
            reply_to,
        } = settings
        else {
            return None;
        };
        Some(Smtp {
            url: SmtpUrl::parse(smtp_url)?,
            from,
            reply_to: reply_to.as_deref(),
            secrets,
        })
    }

    /// The address e-mails come from (an invitation's organizer).
    pub fn from(&self) -> &str {
        self.from
    }

    /// A new Message-ID under the sender's domain: what a sent e-mail is
    /// recorded by (its provider ID).
    fn message_id(&self) -> String {
        let domain = self
            .from
            .rsplit_once('@')
            .map_or("appt.invalid", |(_, d)| d);
        format!("<{}@{domain}>", uuid::Uuid::new_v4().simple())
    }

    /// `email` to `to` in MIME: multipart/alternative, text then HTML, both
    /// UTF-8; with an invitation, that and a `text/calendar` part with its
    /// method inside, and the same calendar attached as `invite.ics`
    /// (multipart/mixed), as calendar programs send invitations.
    fn message(&self, to: &str, email: &Email, id: &str) -> Result<Message, String> {
        let address = |a: &str| a.parse::<Address>().map_err(|e| format!("{a}: {e}"));
        let mut b = Message::builder()
            .from(Mailbox::new(
                Some(email.from_name.clone()),
                address(self.from)?,
            ))
            .to(Mailbox::new(None, address(to)?))
            .subject(email.subject.clone())
            .message_id(Some(id.to_string()))
            .date(email.date.into());
        if let Some(r) = self.reply_to {
            b = b.reply_to(Mailbox::new(None, address(r)?));
        }
        let alternative = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(email.text.clone()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(email.html.clone()),
            );
        let body =
            match &email.invitation {
                None => alternative,
                Some(inv) => {
                    let kind = |s: &str| ContentType::parse(s).map_err(|e| e.to_string());
                    let calendar = kind(&format!(
                        "text/calendar; charset=utf-8; method={}",
                        inv.method.as_str()
                    ))?;
                    MultiPart::mixed()
                        .multipart(alternative.singlepart(
                            SinglePart::builder().header(calendar).body(inv.ics.clone()),
                        ))
                        .singlepart(
                            Attachment::new(INVITE.to_string())
                                .body(inv.ics.clone(), kind("application/ics")?),
                        )
                }
            };
        b.multipart(body).map_err(|e| e.to_string())
    }

    /// Whether the server takes the account: the conversation up to AUTH,
    /// then QUIT; nothing is sent (`appt check --setup`). `Sent` when it
    /// does.
    pub fn probe(&self) -> Outcome {
        let answer = match self.converse(None) {
            Ok(()) => SmtpAnswer::Accepted,
            Err(f) => f.answer(),
        };
        smtp_outcome(&answer, "").scrubbed(self.secrets)
    }

    /// The conversation: connect (TLS at once for `smtps://`), STARTTLS for
    /// `smtp://` (none offered: stop before AUTH), AUTH, the message (if
    /// any), QUIT.
    fn converse(&self, m: Option<&Message>) -> Result<(), Failure> {
        let tls = TlsParameters::builder(self.url.host.clone()).build_rustls()?;
        let hello = ClientId::default();
        let implicit = self.url.tls == SmtpTls::Implicit;
        let mut conn = SmtpConnection::connect(
            (self.url.host.as_str(), self.url.port),
            Some(TIMEOUT),
            &hello,
            implicit.then_some(&tls),
            None,
        )?;
        let deadline = Instant::now() + TIMEOUT;
        let step = |conn: &mut SmtpConnection| -> Result<(), Failure> {
            let left = deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
                .ok_or(Failure::TimedOut)?;
            conn.set_timeout(Some(left)).map_err(|_| Failure::TimedOut)
        };
        let said = (|| {
            if !implicit {
                if !conn.can_starttls() {
                    return Err(Failure::NoStartTls);
                }
                step(&mut conn)?;
                conn.starttls(&tls, &hello)?;
            }
            step(&mut conn)?;
            conn.auth(
                &[Mechanism::Plain, Mechanism::Login],
                &Credentials::new(self.url.user.clone(), self.secrets.token.clone()),
            )?;
            if let Some(m) = m {
                step(&mut conn)?;
                conn.send(m.envelope(), &m.formatted())?;
            }
            Ok(())
        })();
        match said {
            Ok(()) => {
                // Taken: whatever QUIT meets changes nothing.
                let _ = conn.quit();
            }
            Err(_) => conn.abort(),
        }
        said
    }
}

/// `app::channel::Channel`'s sibling for e-mail, which is more than a text: sends
/// `email` to the address `to` ([`Smtp`]).
pub trait Mail {
    fn mail(&self, to: &str, email: &Email) -> Outcome;
}

impl Mail for Smtp<'_> {
    fn mail(&self, to: &str, email: &Email) -> Outcome {
        let id = self.message_id();
        let answer = match self.message(to, email, &id) {
            Ok(m) => match self.converse(Some(&m)) {
                Ok(()) => SmtpAnswer::Accepted,
                Err(f) => f.answer(),
            },
            // An address lettre cannot write: no server would take it.
            Err(why) => {
                return Outcome::scrubbed(
                    Outcome::Permanent {
                        status: 0,
                        code: None,
                        message: why,
                    },
                    self.secrets,
                )
            }
        };
        smtp_outcome(&answer, &id).scrubbed(self.secrets)
    }
}

/// Why a conversation ended before the message was taken.
enum Failure {
    Smtp(lettre::transport::smtp::Error),
    /// An `smtp://` server that does not offer STARTTLS.
    NoStartTls,
    /// The deadline passed between steps.
    TimedOut,
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(e: lettre::transport::smtp::Error) -> Failure {
        Failure::Smtp(e)
    }
}

impl Failure {
    fn answer(&self) -> SmtpAnswer {
        let e =
            match self {
                Failure::TimedOut => return SmtpAnswer::TimedOut,
                Failure::NoStartTls => return SmtpAnswer::Unreachable(
                    "the server does not offer STARTTLS (smtp:// requires it; nothing was sent)"
                        .into(),
                ),
                Failure::Smtp(e) => e,
            };
        if let Some(code) = e.status() {
            let text = std::error::Error::source(e).map_or(String::new(), |s| s.to_string());
            return SmtpAnswer::Reply {
                code: code.into(),
                text,
            };
        }
        // A read past its deadline is WouldBlock on Unix, TimedOut elsewhere.
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            if let Some(io) = c.downcast_ref::<std::io::Error>() {
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) {
                    return SmtpAnswer::TimedOut;
                }
            }
            cause = c.source();
        }
        SmtpAnswer::Unreachable(e.to_string())
    }
}
