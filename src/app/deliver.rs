//! `remind due` through a clinic's channels (docs/rules.md#reminders-and-notifications):
//! which channel reaches a message's patient, and what the provider's answer
//! comes to. The claim and the record are `remind`'s, the same as a hook's.

use super::channel::{Channel, Http};
use crate::core::channel::{Outcome, Secrets, Settings};
use crate::core::Appointment;
use crate::error::Result;
use crate::store::channels::{self, Stored};
use crate::store::reminders::Reminder;
use crate::store::{clinics, patients, Store};
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
                routes.by_clinic.insert(
                    a.clinic_id.clone(),
                    (super::phones::Dialing::of(&clinic), found),
                );
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
        // WhatsApp and SMS both reach a phone: the first in the clinic's order.
        found.first().map(|route| (route, to))
    }
}

/// Sends `text` to `to` through `route` (WhatsApp as `type: text`).
pub fn send(route: &Route, to: &str, text: &str) -> Outcome {
    match Http::of(&route.settings, &route.secrets) {
        Some(http) => http.send(to, text),
        None => Outcome::Permanent {
            status: 0,
            code: None,
            message: "e-mail sending is not built".into(),
        },
    }
}
