//! Patients: one per phone number, the national ID sealed at rest (docs/security.md).

use super::phones::{self, At, Dialing};
use super::values::{check_channel, check_email, check_name, check_national_id, check_phone};
use crate::core::{Appointment, Patient};
use crate::error::{Error, Result};
use crate::store::{self, appointments, patient_visits, patients, Store};
use chrono::{DateTime, Utc};

/// A patient's fields as typed; on update, None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PatientInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub national_id: Option<String>,
    /// Blank clears it (update).
    pub email: Option<String>,
    /// The preferred channel, in either language's words
    /// (docs/rules.md#which-channel); blank clears it (update).
    pub channel: Option<String>,
    /// `$APPT_KEY`.
    pub key: Option<String>,
    /// `--clinic` (or `$APPT_CLINIC`): whose country code a local phone is in
    /// (docs/rules.md#phones).
    pub clinic: Option<String>,
}

/// A patient, and why their national ID could not be shown, if it could not.
pub struct Shown<T> {
    pub value: T,
    pub warning: Option<Error>,
}

pub fn add(st: &mut Store, p: &PatientInput, now: DateTime<Utc>) -> Result<Patient> {
    let mut patient = Patient {
        id: store::new_id(),
        full_name: check_name("name", p.name.as_deref().unwrap_or_default())?,
        phone: check_phone(p.phone.as_deref().unwrap_or_default())?,
        national_id: p
            .national_id
            .as_deref()
            .map(check_national_id)
            .transpose()?,
        national_id_unreadable: false,
        email: p.email.as_deref().map(check_email).transpose()?,
        channel: p.channel.as_deref().map(check_channel).transpose()?,
        no_show_count: 0,
        created_at: now,
        updated_at: now,
        erased_at: None,
    };
    let keys = st.keys(p.key.clone());
    st.write(|tx| {
        patient.phone = phones::phone(tx, At::Desk(p.clinic.as_deref()), &patient.phone)?;
        let sealed = patient
            .national_id
            .as_deref()
            .map(|id| patients::sealing_keys(tx, &keys)?.seal(&patient.id, id))
            .transpose()?;
        patients::insert(tx, &patient, sealed.as_deref())
    })?;
    Ok(patient)
}

/// Patients whose name or phone contains `search` (all without it). A list
/// never fails for want of the key: IDs show as unreadable, with a warning.
pub fn list(
    st: &mut Store,
    search: Option<&str>,
    limit: i64,
    key: Option<String>,
) -> Result<Shown<Vec<Patient>>> {
    let keys = st.keys(key);
    st.read(|tx| {
        let found = patients::search(tx, search, limit.clamp(1, 10_000))?;
        let (ring, warning) = if found.iter().any(|s| s.has_sealed_id()) {
            patients::listing_keys(tx, &keys)?
        } else {
            (None, None)
        };
        let value = found.into_iter().map(|s| s.reveal(ring.as_ref())).collect();
        Ok(Shown { value, warning })
    })
}

/// Whether a phone (in any common spelling, a local number in `dialing`)
/// belongs to a known patient; one that does not read as a phone belongs to
/// nobody.
pub fn is_known_phone(st: &mut Store, dialing: &Dialing, phone: &str) -> Result<bool> {
    match known_phone(st, dialing, phone) {
        Err(e) if e.code == crate::error::Code::Validation => Ok(false),
        other => other,
    }
}

/// [`is_known_phone`], refusing a phone that does not read as one with the
/// error booking would give it (the board asks no name for it).
pub fn known_phone(st: &mut Store, dialing: &Dialing, phone: &str) -> Result<bool> {
    let phone = dialing.read(phone)?;
    st.read(|tx| Ok(patients::by_phone(tx, &phone)?.is_some()))
}

/// A patient's card: the patient and their upcoming and last visits.
pub struct Card {
    pub patient: Patient,
    /// From now on, earliest first.
    pub upcoming: Vec<Appointment>,
    /// Before now, latest first.
    pub recent: Vec<Appointment>,
    /// The last messages about the patient's visits that went out (with
    /// the providers' receipts) or failed, latest first, each with its visit.
    pub messages: Vec<(super::list::Sent, Appointment)>,
}

/// How many visits each side of now a card shows.
const VISITS: i64 = 5;

/// The country code phones typed at the desk are read in: `clinic`'s, else
/// the only clinic's, else the one every clinic shares (docs/rules.md#phones).
pub fn dialing(st: &mut Store, clinic: Option<&str>) -> Result<Dialing> {
    st.read(|tx| Dialing::at(tx, At::Desk(clinic)))
}

/// One patient with their visits; showing a stored ID needs the key (a
/// missing or wrong one is an error). `clinic` is whose country code a local
/// phone is in.
pub fn show(
    st: &mut Store,
    patient: &str,
    clinic: Option<&str>,
    key: Option<String>,
    now: DateTime<Utc>,
) -> Result<Card> {
    let keys = st.keys(key);
    st.read(|tx| {
        let found = phones::find_patient(tx, At::Desk(clinic), patient, None)?;
        let ring = if found.has_sealed_id() {
            Some(patients::opening_keys(tx, &keys)?)
        } else {
            None
        };
        let patient = found.reveal(ring.as_ref());
        let sent = crate::store::reminders::latest_of_patient(tx, &patient.id, VISITS)?;
        let of: Vec<&str> = sent.iter().map(|m| m.appointment_id.as_str()).collect();
        let visits = appointments::get_many(tx, &of)?;
        let email = patient.email.as_deref();
        let messages = sent
            .into_iter()
            .filter_map(|m| visits.get(&m.appointment_id).cloned().map(|a| (m, a)))
            .map(|(m, a)| Ok((super::list::Sent::to_patient(tx, m, &a, email)?, a)))
            .collect::<Result<_>>()?;
        Ok(Card {
            upcoming: patient_visits::of_patient(tx, &patient.id, now, true, VISITS)?,
            recent: patient_visits::of_patient(tx, &patient.id, now, false, VISITS)?,
            messages,
            patient,
        })
    })
}

pub fn update(
    st: &mut Store,
    patient: &str,
    u: &PatientInput,
    now: DateTime<Utc>,
) -> Result<Shown<Patient>> {
    let national_id = u
        .national_id
        .as_deref()
        .map(check_national_id)
        .transpose()?;
    let keys = st.keys(u.key.clone());
    st.write(|tx| {
        let at = At::Desk(u.clinic.as_deref());
        let found = phones::find_patient(tx, at, patient, None)?;
        let sealed = national_id
            .as_deref()
            .map(|id| patients::sealing_keys(tx, &keys)?.seal(&found.patient.id, id))
            .transpose()?;
        // Changing other fields does not need the key: without it the stored
        // ID shows as unreadable, with a warning.
        let (ring, warning) = if national_id.is_none() && found.has_sealed_id() {
            patients::listing_keys(tx, &keys)?
        } else {
            (None, None)
        };
        let mut p = found.reveal(ring.as_ref());
        if let Some(n) = &u.name {
            p.full_name = check_name("name", n)?;
        }
        if let Some(ph) = &u.phone {
            p.phone = phones::phone(tx, at, ph)?;
        }
        if let Some(e) = &u.email {
            p.email = if e.trim().is_empty() {
                None
            } else {
                Some(check_email(e)?)
            };
        }
        if let Some(c) = &u.channel {
            p.channel = if c.trim().is_empty() {
                None
            } else {
                Some(check_channel(c)?)
            };
        }
        if national_id.is_some() {
            p.national_id = national_id.clone();
            p.national_id_unreadable = false;
        }
        p.updated_at = now;
        patients::update(tx, &p, sealed.as_deref())?;
        Ok(Shown { value: p, warning })
    })
}
