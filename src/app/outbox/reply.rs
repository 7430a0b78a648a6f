//! The one-line messages appt sends while it answers a request: the
//! answer to a patient's message, on the channel it came by, and the
//! booking page's code. Made inside the request's transaction, sent once
//! its write is done ([`send_replies`]), and recorded after
//! ([`record_replies`]).

use super::channel::{Channel, Http};
use crate::core::channel::{Outcome as Sent, Secrets, Settings};
use crate::error::Result;
use crate::store::{inbox, Store};

/// A one-line message to a patient through a channel: the answer to their
/// message, on the channel it came by, or the booking page's code.
pub struct Reply {
    /// The inbox row of the patient's message (None: not an answer).
    row: Option<String>,
    via: Via,
    to: String,
    text: String,
}

/// How a [`Reply`] goes: through a channel, or a hook (`serve --exec`).
enum Via {
    Channel {
        settings: Settings,
        secrets: Secrets,
        /// A booking page's code, which a channel may send in a shape of
        /// its own (a WhatsApp authentication template).
        code: Option<String>,
    },
    Hook {
        cmd: String,
        input: serde_json::Value,
        vars: Vec<(&'static str, String)>,
    },
}

impl Reply {
    /// `text` to `to` through the channel of `settings` and `secrets`.
    pub fn text(settings: Settings, secrets: Secrets, to: &str, text: String) -> Reply {
        Reply {
            row: None,
            via: Via::Channel {
                settings,
                secrets,
                code: None,
            },
            to: to.to_string(),
            text,
        }
    }

    /// The desk's own answer `text` to the patient's message `row`, to
    /// `to` through the channel it came by (`inbox reply`, the board's `r`).
    pub fn answer(
        row: &str,
        settings: Settings,
        secrets: Secrets,
        to: &str,
        text: String,
    ) -> Reply {
        Reply {
            row: Some(row.to_string()),
            ..Reply::text(settings, secrets, to, text)
        }
    }

    /// The booking page's `code` to `to` through the channel of `settings`
    /// and `secrets`, `text` saying it.
    pub fn code(settings: Settings, secrets: Secrets, to: &str, text: String, code: &str) -> Reply {
        Reply {
            row: None,
            via: Via::Channel {
                settings,
                secrets,
                code: Some(code.to_string()),
            },
            to: to.to_string(),
            text,
        }
    }

    /// `text` to `to` through the hook `cmd` (`sh -c`, as `remind due
    /// --exec` runs one): `input` on its stdin, `vars` in its environment.
    pub fn hook(
        cmd: &str,
        input: serde_json::Value,
        vars: Vec<(&'static str, String)>,
        to: &str,
        text: String,
    ) -> Reply {
        Reply {
            row: None,
            via: Via::Hook {
                cmd: cmd.to_string(),
                input,
                vars,
            },
            to: to.to_string(),
            text,
        }
    }
}

/// What became of a [`Reply`]: sent, or the provider's reason it was not.
pub struct Replied {
    row: Option<String>,
    pub sent: Sent,
}

/// Sends each reply through its channel. No database here.
pub fn send_replies(replies: Vec<Reply>) -> Vec<Replied> {
    replies
        .into_iter()
        .map(|r| {
            let sent = match &r.via {
                Via::Channel {
                    settings,
                    secrets,
                    code,
                } => match Http::of(settings, secrets) {
                    Some(http) => match code {
                        Some(code) => http.send_code(&r.to, &r.text, code),
                        None => http.send(&r.to, &r.text),
                    },
                    None => Sent::Permanent {
                        status: 0,
                        code: None,
                        message: "no sending through this channel".into(),
                    },
                },
                Via::Hook { cmd, input, vars } => match super::hook::run(cmd, input, vars) {
                    Ok(()) => Sent::Sent { provider_id: None },
                    Err(m) => Sent::Permanent {
                        status: 0,
                        code: None,
                        message: m.english(),
                    },
                },
            };
            Replied { row: r.row, sent }
        })
        .collect()
}

/// Records on each patient's message whether its answer went (and the
/// provider's reason when it did not).
pub fn record_replies(st: &mut Store, replied: &[Replied]) -> Result<()> {
    if replied.iter().all(|r| r.row.is_none()) {
        return Ok(());
    }
    st.write(|tx| {
        for r in replied {
            let Some(row) = &r.row else { continue };
            let status = if r.sent.sent() { "sent" } else { "failed" };
            inbox::set_answer(tx, row, status, r.sent.why().as_deref())?;
        }
        Ok(())
    })
}
