//! The clinic's inbox (docs/rules.md#answers): what patients wrote to its
//! channels that appt did not act on by itself, and answers whose reply
//! could not be sent, each with the patient's next visit; `done` hides one.

use crate::core::{Appointment, Status};
use crate::error::{Code, Error, Result};
use crate::store::inbox::{self, Inbound};
use crate::store::{appointments, clinics, Store};
use chrono::{DateTime, Utc};

/// At most this many messages are listed.
pub const LIMIT: i64 = 200;

/// A message received, and its patient's next active visit at the clinic.
pub struct Item {
    pub message: Inbound,
    pub next: Option<Appointment>,
    /// The clinic's zone, which its times are shown in.
    pub zone: crate::core::zone::Tz,
}

/// The clinic a request names (`--clinic`), within what the caller sees
/// (`seen_from`, an API token's clinic): its ID, or None for every clinic.
fn clinic_of(
    tx: &crate::store::db::Tx,
    named: Option<&str>,
    seen_from: Option<&str>,
) -> Result<Option<String>> {
    match (named, seen_from) {
        (None, own) => Ok(own.map(str::to_string)),
        (Some(n), own) => {
            let c = clinics::find(tx, n)?;
            if own.is_some_and(|o| o != c.id) {
                return Err(Error::not_found("Clinic"));
            }
            Ok(Some(c.id))
        }
    }
}

/// The messages for the desk (with `all`, every message received), newest
/// first, each with the patient's next visit.
pub fn list(
    st: &mut Store,
    clinic: Option<&str>,
    seen_from: Option<&str>,
    all: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Item>> {
    st.read(|tx| {
        let clinic = clinic_of(tx, clinic, seen_from)?;
        let rows = inbox::list(tx, clinic.as_deref(), all, LIMIT)?;
        let mut items = Vec::with_capacity(rows.len());
        let mut zones = std::collections::HashMap::new();
        for m in rows {
            if !zones.contains_key(&m.clinic_id) {
                zones.insert(
                    m.clinic_id.clone(),
                    clinics::get(tx, &m.clinic_id)?.timezone,
                );
            }
            let zone = zones[&m.clinic_id];
            let next = match &m.patient_id {
                Some(p) => next_visit(tx, p, &m.clinic_id, now)?,
                None => None,
            };
            items.push(Item {
                message: m,
                next,
                zone,
            });
        }
        Ok(items)
    })
}

/// The patient's next scheduled or confirmed visit at `clinic_id` (among
/// their next 20 active ones): what the inbox shows beside a message, and
/// what an answer acts on when its message names no visit.
pub(super) fn next_visit(
    tx: &crate::store::db::Tx,
    patient: &str,
    clinic_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Appointment>> {
    Ok(appointments::of_patient(tx, patient, now, true, 20)?
        .into_iter()
        .find(|a| {
            a.clinic_id == clinic_id
                && a.starts_at > now
                && matches!(a.status, Status::Scheduled | Status::Confirmed)
        }))
}

/// Marks message `id` (or the start of its ID) done.
pub fn done(
    st: &mut Store,
    id: &str,
    seen_from: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Inbound> {
    let id = id.trim();
    if id.chars().count() < 4 {
        return Err(Error::field(
            "id",
            crate::text::msg!("e-inbox_id_too_short"),
        ));
    }
    st.write(|tx| {
        let mut found = inbox::find(tx, seen_from, id)?;
        match found.len() {
            0 => Err(Error::not_found("Message")),
            1 => {
                let mut m = found.remove(0);
                inbox::done(tx, &m.id, now)?;
                m.done_at.get_or_insert(now);
                Ok(m)
            }
            _ => Err(Error::new(
                Code::AmbiguousId,
                crate::text::msg!("e-inbox_id_ambiguous", a = id.to_string()),
            )),
        }
    })
}
