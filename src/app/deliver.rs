//! `remind due` through a clinic's channels (docs/rules.md#reminders-and-notifications):
//! which channel reaches a message's patient (a phone for WhatsApp and SMS,
//! an address for e-mail), and what the provider's answer comes to. The
//! claim and the record are `remind`'s, the same as a hook's.

use super::channel::{Channel, Http, Mail};
use super::smtp::Smtp;
use crate::core::channel::{Outcome, Secrets, Settings};
use crate::core::email::{self, Method, Visit};
use crate::core::message::Ready;
use crate::core::Appointment;
use crate::error::Result;
use crate::store::channels::{self, Stored};
use crate::store::reminders::Reminder;
use crate::store::{appointments, clinics, patients, Store};
use chrono::{DateTime, Utc};
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
    /// The messages' patients' e-mail addresses, by patient ID, as the
    /// sweep began (read when a clinic of theirs has an e-mail channel).
    emails: HashMap<String, String>,
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
    ) -> Result<Routes> {
        let keys = st.keys(key);
        st.read(|tx| {
            let mut routes = Routes::default();
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
                routes.by_clinic.insert(
                    a.clinic_id.clone(),
                    (super::phones::Dialing::of(&clinic), found),
                );
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

    /// The first channel of the message's clinic that reaches its patient,
    /// and where it sends to (a phone, E.164, or an address); None: the
    /// message is printed (or handed to the hook) as without channels.
    pub fn route(&self, r: &Reminder, a: &Appointment) -> Option<(&Route, String)> {
        let (dialing, found) = self.by_clinic.get(&a.clinic_id)?;
        let (_, phone) = r.recipient(a);
        let phone = Some(phone)
            .filter(|p| !p.trim().is_empty())
            .and_then(|p| dialing.read(p).ok());
        let email = r.recipient_id(a).and_then(|id| self.emails.get(id));
        // The first in the clinic's order that can reach the patient.
        found.iter().find_map(|route| {
            route
                .reaches(phone.as_deref(), email.map(String::as_str))
                .map(|to| (route, to))
        })
    }
}

/// Sends message `r` about `a` to `to` through `route`: its ready text
/// (WhatsApp as `type: text`), or the e-mail `core::email` writes of it,
/// whose invitation carries the appointment's sequence as it is now.
pub fn send(
    st: &mut Store,
    route: &Route,
    to: &str,
    r: &Reminder,
    a: &Appointment,
    ready: &Ready,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if let Some(smtp) = Smtp::of(&route.settings, &route.secrets) {
        // Only a confirmation, a move or a cancellation invites: to the
        // patient's own visit (an offer's appointment is another patient's).
        let sequence = match Method::of(&r.kind) {
            Some(_) => Some(st.read(|tx| appointments::sequence(tx, &a.id))?),
            None => None,
        };
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
        Some(http) => http.send(to, &ready.message),
        // An e-mail channel whose stored URL no longer reads.
        None => Outcome::Permanent {
            status: 0,
            code: None,
            message: "the channel's SMTP URL does not read".into(),
        },
    })
}
