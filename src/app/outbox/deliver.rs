//! `remind due` through a clinic's channels (docs/rules.md#which-channel):
//! which channel can carry a message to its patient (a phone for WhatsApp
//! and SMS, WhatsApp only with a template for its kind or inside the
//! patient's 24 hours; an address for e-mail; the patient's preference
//! first, decided by `core::reach`), and what the provider's answer comes
//! to. The claim and the record are `remind`'s, the same as a
//! hook's.

use super::channel::{Channel, Http};
use super::smtp::Mail;
use super::smtp::Smtp;
use crate::core::channel::{self as wire, Kind, Outcome, Outgoing, Secrets, Settings};
use crate::core::email::{self, Method, Visit};
use crate::core::message::Ready;
use crate::core::{reach, Appointment, Clinic};
use crate::error::Result;
use crate::store::channels::{self, Stored};
use crate::store::patients::Contact;
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

/// The clinics' channels, in each clinic's order, and their dialling: a
/// sweep's, each clinic's read and its secrets opened once, as the first
/// page with a message of that clinic comes.
pub struct Routes {
    by_clinic: HashMap<String, (crate::app::phones::Dialing, Vec<Route>)>,
    clinics: HashMap<String, Clinic>,
    /// How the current page's patients are reached: their e-mail and
    /// preferred channel, by patient ID, as the page was decided.
    contacts: HashMap<String, Contact>,
    /// When each patient last wrote to a clinic's WhatsApp within the
    /// window, by (clinic, patient).
    wrote: HashMap<(String, String), DateTime<Utc>>,
    now: DateTime<Utc>,
    /// The database's keys (`$APPT_KEY`), and the ring they open, once a
    /// clinic with channels asked for it.
    keys: crate::store::keys::Keys,
    ring: Option<crate::store::keys::Keyring>,
    /// Whether any clinic has channels at all (None: not asked yet).
    any: Option<bool>,
}

impl Routes {
    /// No clinic's channels yet, their secrets to be opened with the
    /// database's key (`$APPT_KEY` as `key`).
    pub fn new(st: &Store, key: Option<String>, now: DateTime<Utc>) -> Routes {
        Routes {
            by_clinic: HashMap::new(),
            clinics: HashMap::new(),
            contacts: HashMap::new(),
            wrote: HashMap::new(),
            now,
            keys: st.keys(key),
            ring: None,
            any: None,
        }
    }

    /// Reads the channels of the clinics of `due` not read yet, their
    /// secrets opened with the key asked for only when one of these clinics
    /// has a channel to send through (a sweep of clinics without channels
    /// runs as it did before channels), and whom `due`'s messages are for.
    pub fn add(&mut self, st: &mut Store, due: &[(Reminder, Appointment)]) -> Result<()> {
        st.read(|tx| {
            self.contacts.clear();
            if due.is_empty() {
                return Ok(());
            }
            if self.any.is_none() {
                self.any = Some(channels::any(tx)?);
            }
            if self.any == Some(false) {
                return Ok(());
            }
            for (_, a) in due {
                if self.by_clinic.contains_key(&a.clinic_id) {
                    continue;
                }
                let clinic = clinics::get(tx, &a.clinic_id)?;
                let mut found = Vec::new();
                for s in channels::list(tx, &a.clinic_id)? {
                    if self.ring.is_none() {
                        self.ring = Some(patients::opening_keys(tx, &self.keys)?);
                    }
                    let Some(ring) = &self.ring else { continue };
                    let Stored { name, settings, .. } = &s;
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
                    let since = self.now - Duration::hours(wire::WHATSAPP_WINDOW_HOURS);
                    for (patient, at) in inbox::wrote_whatsapp_since(tx, &a.clinic_id, since)? {
                        self.wrote.insert((a.clinic_id.clone(), patient), at);
                    }
                }
                self.by_clinic.insert(
                    a.clinic_id.clone(),
                    (crate::app::phones::Dialing::of(&clinic), found),
                );
                self.clinics.insert(a.clinic_id.clone(), clinic);
            }
            // Whom each message is for, and how they like to be reached: one
            // query for the page (per 500), not one per message.
            let routed = due.iter().any(|(_, a)| {
                self.by_clinic
                    .get(&a.clinic_id)
                    .is_some_and(|(_, found)| !found.is_empty())
            });
            if routed {
                let mut ids: Vec<&str> =
                    due.iter().filter_map(|(r, a)| r.recipient_id(a)).collect();
                ids.sort_unstable();
                ids.dedup();
                self.contacts = patients::contacts(tx, &ids)?;
            }
            Ok(())
        })
    }

    /// The channel of the message's clinic that can carry it to its
    /// patient (an offer's: the waiting patient), their preference first,
    /// and the address it sends to (a phone in E.164, an e-mail address);
    /// None: the message is printed (or handed to the hook) as without
    /// channels.
    pub fn route(&self, r: &Reminder, a: &Appointment) -> Option<(&Route, String)> {
        let (dialing, found) = self.by_clinic.get(&a.clinic_id)?;
        let (_, phone) = r.recipient(a);
        let phone = Some(phone.trim())
            .filter(|p| !p.is_empty())
            .and_then(|p| dialing.read(p).ok());
        let contact = r.recipient_id(a).and_then(|id| self.contacts.get(id));
        let email = contact.and_then(|c| c.email.as_deref());
        let window = self.window_open(r, a);
        // Each channel in the clinic's order, and whether it can carry this
        // message to this patient: WhatsApp and SMS need a phone, e-mail an
        // address; WhatsApp, the patient's window or a template for its kind.
        let order: Vec<(Kind, bool)> = found
            .iter()
            .map(|route| {
                let kind = route.settings.kind();
                let carries = match &route.settings {
                    Settings::WhatsApp { templates, .. } => {
                        wire::whatsapp_reaches(templates, r.kind, window)
                    }
                    _ => true,
                };
                (
                    kind,
                    carries && reach::reaches(kind, phone.is_some(), email.is_some()),
                )
            })
            .collect();
        let preference = contact.and_then(|c| c.channel);
        let route = &found[reach::choose(&order, preference)?];
        let to = match route.settings.kind() {
            Kind::Email => email?.to_string(),
            Kind::WhatsApp | Kind::Sms => phone?,
        };
        Some((route, to))
    }

    /// Whether the message's patient wrote to the clinic's WhatsApp within
    /// the last 24 hours.
    fn window_open(&self, r: &Reminder, a: &Appointment) -> bool {
        let Some(patient) = r.recipient_id(a) else {
            return false;
        };
        self.wrote
            .get(&(a.clinic_id.clone(), patient.to_string()))
            .is_some_and(|at| self.now - *at < Duration::hours(wire::WHATSAPP_WINDOW_HOURS))
    }

    /// Message `r` as it goes out through a channel.
    pub fn outgoing<'a>(&self, r: &'a Reminder, a: &Appointment, ready: &'a Ready) -> Outgoing<'a> {
        let clinic = self.clinics.get(&a.clinic_id);
        Outgoing {
            kind: r.kind.as_str(),
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
    if !matches!(route.settings, Settings::Email { .. }) || Method::of(r.kind).is_none() {
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
        let email = email::compose(r.kind, ready, visit.as_ref(), now)?;
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
