//! `remind due` through a clinic's channels (docs/rules.md#reminders-and-notifications):
//! which channel reaches a message's patient, and what the provider's answer
//! comes to. The claim and the record are `remind`'s, the same as a hook's.

use super::channel::{Channel, Http};
use crate::core::channel::{self as wire, Outcome, Outgoing, Secrets, Settings};
use crate::core::message::Ready;
use crate::core::{Appointment, Clinic};
use crate::error::Result;
use crate::store::channels::{self, Stored};
use crate::store::reminders::Reminder;
use crate::store::{clinics, inbox, patients, Store};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// A channel ready to send: its settings and its opened secrets.
pub struct Route {
    pub name: String,
    pub settings: Settings,
    pub secrets: Secrets,
}

/// The clinics' channels, in each clinic's order, and their dialling.
#[derive(Default)]
pub struct Routes {
    by_clinic: HashMap<String, (super::phones::Dialing, Vec<Route>)>,
    clinics: HashMap<String, Clinic>,
    /// When each patient last wrote to a clinic's WhatsApp within the
    /// window, by (clinic, patient).
    wrote: HashMap<(String, String), DateTime<Utc>>,
    now: Option<DateTime<Utc>>,
}

impl Routes {
    /// The channels of the clinics of `due`, their secrets opened with the
    /// database's key (`$APPT_KEY` as `key`), asked for only when one of
    /// these clinics has a channel to send through: a sweep of clinics
    /// without channels runs as it did before channels.
    pub fn of(
        st: &mut Store,
        key: Option<String>,
        due: &[(Reminder, Appointment)],
        now: DateTime<Utc>,
    ) -> Result<Routes> {
        let keys = st.keys(key);
        st.read(|tx| {
            let mut routes = Routes {
                now: Some(now),
                ..Routes::default()
            };
            if due.is_empty() || !channels::any(tx)? {
                return Ok(routes);
            }
            // The key is asked for only when a clinic of these messages has channels.
            let mut ring = None;
            for (_, a) in due {
                if routes.by_clinic.contains_key(&a.clinic_id) {
                    continue;
                }
                let clinic = clinics::get(tx, &a.clinic_id)?;
                let mut found = Vec::new();
                for s in channels::list(tx, &a.clinic_id)? {
                    let Stored { name, settings, .. } = &s;
                    // E-mail sending is not built: such a channel reaches no one yet.
                    if matches!(settings, Settings::Email { .. }) {
                        continue;
                    }
                    if ring.is_none() {
                        ring = Some(patients::opening_keys(tx, &keys)?);
                    }
                    let Some(ring) = &ring else { continue };
                    found.push(Route {
                        secrets: s.open(ring)?,
                        name: name.clone(),
                        settings: settings.clone(),
                    });
                }
                if found
                    .iter()
                    .any(|r| matches!(r.settings, Settings::WhatsApp { .. }))
                {
                    let since = now - Duration::hours(wire::WHATSAPP_WINDOW_HOURS);
                    for (patient, at) in inbox::wrote_whatsapp_since(tx, &a.clinic_id, since)? {
                        routes.wrote.insert((a.clinic_id.clone(), patient), at);
                    }
                }
                routes.by_clinic.insert(
                    a.clinic_id.clone(),
                    (super::phones::Dialing::of(&clinic), found),
                );
                routes.clinics.insert(a.clinic_id.clone(), clinic);
            }
            Ok(routes)
        })
    }

    /// The first channel of the message's clinic that reaches its patient,
    /// and the phone (E.164) it sends to; None: the message is printed (or
    /// handed to the hook) as without channels.
    pub fn route(&self, r: &Reminder, a: &Appointment) -> Option<(&Route, String)> {
        let (dialing, found) = self.by_clinic.get(&a.clinic_id)?;
        let (_, phone) = r.recipient(a);
        if phone.trim().is_empty() {
            return None;
        }
        let to = dialing.read(phone).ok()?;
        let window = self.window_open(r, a);
        // The first in the clinic's order that can carry it: SMS always,
        // WhatsApp inside the patient's window or with a template for its kind.
        found
            .iter()
            .find(|route| match &route.settings {
                Settings::WhatsApp { templates, .. } => {
                    wire::whatsapp_reaches(templates, &r.kind, window)
                }
                _ => true,
            })
            .map(|route| (route, to))
    }

    /// Whether the message's patient wrote to the clinic's WhatsApp within
    /// the last 24 hours.
    fn window_open(&self, r: &Reminder, a: &Appointment) -> bool {
        let Some(now) = self.now else { return false };
        let patient = recipient_id(r, a);
        self.wrote
            .get(&(a.clinic_id.clone(), patient.to_string()))
            .is_some_and(|at| now - *at < Duration::hours(wire::WHATSAPP_WINDOW_HOURS))
    }

    /// Message `r` as it goes out through a channel.
    pub fn outgoing<'a>(&self, r: &'a Reminder, a: &Appointment, ready: &'a Ready) -> Outgoing<'a> {
        let clinic = self.clinics.get(&a.clinic_id);
        Outgoing {
            kind: &r.kind,
            id: &r.id,
            text: &ready.message,
            language: clinic.map(|c| c.settings.language).unwrap_or_default(),
            fields: &ready.fields,
            window_open: self.window_open(r, a),
            status_callback: clinic
                .and_then(|c| c.settings.public_url.as_deref())
                .map(|u| format!("{}{TWILIO_STATUS}", u.trim_end_matches('/'))),
        }
    }
}

/// Where Twilio reports an SMS's states (`appt serve`'s path).
pub const TWILIO_STATUS: &str = "/hooks/twilio/status";

/// The patient a message is for: an offer's waiting patient, else the
/// appointment's.
fn recipient_id<'a>(r: &'a Reminder, a: &'a Appointment) -> &'a str {
    r.offer()
        .and_then(|o| o["waitlist"]["patient_id"].as_str())
        .unwrap_or(&a.patient_id)
}

/// Sends message `m` to `to` through `route`.
pub fn send(route: &Route, to: &str, m: &Outgoing) -> Outcome {
    match Http::of(&route.settings, &route.secrets) {
        Some(http) => http.send_message(to, m),
        None => Outcome::Permanent {
            status: 0,
            code: None,
            message: "e-mail sending is not built".into(),
        },
    }
}
