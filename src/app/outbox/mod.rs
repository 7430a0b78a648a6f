//! Everything that leaves appt (docs/channels.md): the providers' HTTP
//! (WhatsApp, Twilio) and SMTP through a clinic's channels
//! ([`channel`], [`smtp`]), `remind due`'s delivery of each message
//! ([`deliver`]), the webhooks' deliveries ([`webhook`]), a hook run
//! ([`hook`]), and the one-line replies a request owes ([`reply`]). The use
//! cases hand it messages; it imports none of them.

pub(crate) mod calendar;
pub(crate) mod channel;
pub(crate) mod deliver;
pub(crate) mod hook;
pub(crate) mod reply;
pub(crate) mod smtp;
pub(crate) mod webhook;

/// Why a request failed, without the URL (ureq's own text starts with it,
/// password included).
pub fn transport_error(t: &ureq::Transport) -> String {
    let mut text = t.kind().to_string();
    if let Some(m) = t.message() {
        text.push_str(&format!(": {m}"));
    }
    if let Some(cause) = std::error::Error::source(t) {
        text.push_str(&format!(": {cause}"));
    }
    text
}

/// Whether a transport failure is a deadline that passed (else no
/// connection, a reset, TLS).
pub fn timed_out(t: &ureq::Transport) -> bool {
    let mut cause = std::error::Error::source(t);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                return true;
            }
        }
        cause = c.source();
    }
    false
}
