//! `remind due` through a clinic's channels (docs/rules.md#reminders-and-notifications):
//! which channel can carry a message to its patient (a phone for WhatsApp
//! and SMS, WhatsApp only with a template for its kind or inside the
//! patient's 24 hours; an address for e-mail), and what the provider's
//! answer comes to. The claim and the record are `remind`'s, the same as a
//! hook's.

use super::channel::{Channel, Http, Mail};
use super::smtp::Smtp;
use crate::core::channel::{self as wire, Outcome, Outgoing, Secrets, Settings};
use crate::core::email::{self, Method, Visit};
use crate::core::message::Ready;
use crate::core::{Appointment, Clinic};
use crate::error::Result;
use crate::store::channels::{self, Stored};
use crate::store::reminders::Reminder;
use crate::store::{appointments, clinics, inbox, patients, Store};
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
    /// The messages' patients' e-mail addresses, by patient ID, as the
    /// sweep began (read when a clinic of theirs has an e-mail channel).
    emails: HashMap<String, String>,
    /// When each patient last wrote to a clinic's WhatsApp within the
    /// window, by (clinic, patient).
    wrote: HashMap<(String, String), DateTime<Utc>>,
    now: Option<DateTime<Utc>>,
}

impl Route {
    /// Where this channel reaches a patient with `phone` (E.164) and
    /// `email`: WhatsApp and SMS the phone, e-mail the address.
    fn reaches(&self, phone: Option<&str>, email: Option<&str>) -> Option<String> {
        match self.settings {
            Settings::Email { .. } => email,
            _ => phone,
        }
        .map(str::to_string)
    }

    /// Whether it can carry a message of `kind` now: WhatsApp needs a
    /// template for the kind outside the patient's 24 hours.
    fn carries(&self, kind: &str, window_open: bool) -> bool {
        match &self.settings {
            Settings::WhatsApp { templates, .. } => {
                wire::whatsapp_reaches(templates, kind, window_open)
            }
            _ => true,
        }
    }
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
            let mailing = |clinic: &str| {
                routes.by_clinic.get(clinic).is_some_and(|(_, found)| {
                    found
                        .iter()
                        .any(|r| matches!(r.settings, Settings::Email { .. }))
                })
            };
            let ids: Vec<&str> = due
                .iter()
                .filter(|(_, a)| mailing(&a.clinic_id))
                .filter_map(|(r, a)| r.recipient_id(a))
                .collect();
            if !ids.is_empty() {
                routes.emails = patients::emails(tx, &ids)?;
            }
            Ok(routes)
        })
    }

    /// The first channel of the message's clinic that can carry it to its
    /// patient, and where it sends to (a phone, E.164, or an address);
    /// None: the message is printed (or handed to the hook) as without
    /// channels.
    pub fn route(&self, r: &Reminder, a: &Appointment) -> Option<(&Route, String)> {
        let (dialing, found) = self.by_clinic.get(&a.clinic_id)?;
        let (_, phone) = r.recipient(a);
        let phone = Some(phone)
            .filter(|p| !p.trim().is_empty())
            .and_then(|p| dialing.read(p).ok());
        let email = r.recipient_id(a).and_then(|id| self.emails.get(id));
        let window = self.window_open(r, a);
        // The first in the clinic's order that can reach the patient and carry it.
        found.iter().find_map(|route| {
            if !route.carries(&r.kind, window) {
                return None;
            }
            route
                .reaches(phone.as_deref(), email.map(String::as_str))
                .map(|to| (route, to))
        })
    }

    /// Whether the message's patient wrote to the clinic's WhatsApp within
    /// the last 24 hours.
    fn window_open(&self, r: &Reminder, a: &Appointment) -> bool {
        let (Some(now), Some(patient)) = (self.now, r.recipient_id(a)) else {
            return false;
        };
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
            language: ready.language,
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

/// What an e-mail's invitation needs that the claim reads: the
/// appointment's change counter, for a confirmation, a move or a
/// cancellation through an e-mail channel (None otherwise).
pub fn sequence(
    st: &mut Store,
    route: &Route,
    r: &Reminder,
    a: &Appointment,
) -> Result<Option<i64>> {
    if !matches!(route.settings, Settings::Email { .. }) || Method::of(&r.kind).is_none() {
        return Ok(None);
    }
    st.read(|tx| appointments::sequence(tx, &a.id)).map(Some)
}

/// Sends message `r` about `a` to `to` through `route`: the shape its kind
/// and the channel call for, or the e-mail `core::email` writes of it,
/// whose invitation carries the appointment's `sequence` as it was at the
/// claim. No database here: this runs on a sending thread.
#[allow(clippy::too_many_arguments)]
pub fn send(
    routes: &Routes,
    route: &Route,
    to: &str,
    r: &Reminder,
    a: &Appointment,
    ready: &Ready,
    sequence: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if let Some(smtp) = Smtp::of(&route.settings, &route.secrets) {
        // Only a confirmation, a move or a cancellation invites: to the
        // patient's own visit (an offer's appointment is another patient's).
        let visit = sequence.map(|sequence| Visit {
            id: &a.id,
            sequence,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            timezone: a.timezone,
            status: a.status,
            doctor: a.doctor_name.as_deref(),
            organizer: smtp.from(),
            attendee: to,
        });
        let email = email::compose(&r.kind, ready, visit.as_ref(), now)?;
        return Ok(smtp.mail(to, &email));
    }
    Ok(match Http::of(&route.settings, &route.secrets) {
        Some(http) => http.send_message(to, &routes.outgoing(r, a, ready)),
        // An e-mail channel whose stored URL no longer reads.
        None => Outcome::Permanent {
            status: 0,
            code: None,
            message: "the channel's SMTP URL does not read".into(),
        },
    })
}
