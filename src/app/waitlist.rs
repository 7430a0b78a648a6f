//! The waitlist (docs/rules.md#walk-ins): patients who want a doctor on a date when nothing
//! is free. When an appointment of that doctor on that date is cancelled or
//! moved away, the next waiting entry is offered the freed time: an
//! `appointment.slot_offered` event and a message for `remind due`.

use super::phones::{self, At, Dialing, PhoneHolder};
use super::schedule::target;
use super::values::{self, Problems};
use crate::core::{time, Actor, Appointment, AppointmentRow, EventKind};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::waitlist::{self, Entry};
use crate::store::{self, clinics, events, patients, reminders, services, Store};
use crate::wire;
use chrono::{DateTime, Utc};
use serde_json::json;

/// `waitlist add`, as typed.
#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub clinic: Option<String>,
    pub doctor: String,
    pub date: String,
    /// An existing patient: ID, prefix, phone or name.
    pub patient: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    /// The patient's e-mail, and their preferred channel in either
    /// language's words (docs/rules.md#which-channel): each given replaces
    /// theirs.
    pub email: Option<String>,
    pub channel: Option<String>,
    pub service: Option<String>,
    /// The clinic a caller limited to one sees from (an API token's,
    /// docs/security.md#clinics-apart): only the patients it knows are
    /// found, and another clinic's appointments are never named.
    pub seen_from: Option<String>,
}

/// Adds the entry; a patient already waiting for that doctor and date keeps
/// their place (the entry is returned with `existing`).
pub fn add(st: &mut Store, r: &AddRequest, now: DateTime<Utc>) -> Result<(Entry, bool)> {
    let checked = check(r)?;
    st.write(|tx| add_in(tx, r, &checked, now))
}

/// What [`check`] read of a request: its phone, name and contact.
pub(super) struct Checked {
    phone: Option<String>,
    name: Option<String>,
    contact: crate::store::patients::Contact,
}

/// Rule 1 of an entry: the values, before the database is touched.
pub(super) fn check(r: &AddRequest) -> Result<Checked> {
    let mut bad = Problems::default();
    let patient = ("patient", r.patient.is_some());
    values::not_both(&mut bad, patient, ("phone", r.phone.is_some()));
    values::not_both(&mut bad, patient, ("name", r.name.is_some()));
    values::not_both(&mut bad, patient, ("email", r.email.is_some()));
    values::not_both(&mut bad, patient, ("channel", r.channel.is_some()));
    let (phone, name) = values::check_patient(
        r.patient.as_deref(),
        r.phone.as_deref(),
        r.name.as_deref(),
        &mut bad,
    );
    let contact = values::check_contact(r.email.as_deref(), r.channel.as_deref(), &mut bad);
    bad.finish()?;
    Ok(Checked {
        phone,
        name,
        contact,
    })
}

/// [`add`] inside the write transaction `tx` (the booking page's, once its
/// code is right).
pub(super) fn add_in(
    tx: &Tx,
    r: &AddRequest,
    c: &Checked,
    now: DateTime<Utc>,
) -> Result<(Entry, bool)> {
    let Checked {
        phone,
        name,
        contact,
    } = c;
    let seen_from = r.seen_from.as_deref();
    let t = target(tx, r.clinic.as_deref(), Some(&r.doctor))?;
    let doctor = t.doctor.expect("a doctor was given");
    // A local phone is the clinic's (docs/rules.md#phones).
    let phone = phone
        .as_deref()
        .map(|ph| Dialing::of(&t.clinic).read(ph))
        .transpose()?;
    let today = time::local_today(t.clinic.timezone, now);
    let on = time::parse_date(&r.date, today, t.clinic.settings.date_order())
        .map_err(|e| Error::field("date", e))?;
    if on < today {
        return Err(Error::field(
            "date",
            crate::text::msg!("e-has_passed", on = on),
        ));
    }
    let service = r
        .service
        .as_deref()
        .map(|s| services::find_for_booking(tx, s))
        .transpose()?;
    let mut name_given = None;
    let patient_id = match (&r.patient, &phone) {
        (Some(p), _) => {
            phones::find_patient(tx, At::Clinic(&t.clinic), p, seen_from)?
                .patient
                .id
        }
        (None, Some(ph)) => match (phones::phone_holder(tx, ph, seen_from)?, &name) {
            (PhoneHolder::Known(s), _) => {
                patients::set_contact(tx, &s.patient.id, ph, contact, now)?;
                s.patient.id
            }
            (PhoneHolder::Hidden, Some(n)) => {
                // Another clinic's patient: the phone is theirs, so the
                // entry is too, but their record is not this caller's to
                // change; the entry keeps the name given
                // (docs/api.md#another-clinics-patient).
                let owner = patients::PhoneOwner::Another;
                let done = patients::upsert_by_phone(tx, n, ph, owner, None, contact, now)?;
                name_given = (!done.created).then_some(n.as_str());
                done.id
            }
            (_, Some(n)) => {
                let owner = patients::PhoneOwner::Asked(None);
                patients::upsert_by_phone(tx, n, ph, owner, None, contact, now)?.id
            }
            (_, None) => {
                return Err(Error::field(
                    "name",
                    crate::text::msg!("e-name_is_required_for_a_new_patient"),
                ))
            }
        },
        (None, None) => unreachable!("checked above"),
    };
    if let Some(e) = waitlist::of_patient_at(tx, &t.clinic.id, &patient_id, &doctor.id, on)? {
        return Ok((e, true));
    }
    let id = store::new_id();
    let entry = waitlist::New {
        id: &id,
        clinic_id: &t.clinic.id,
        doctor_id: &doctor.id,
        patient_id: &patient_id,
        service_id: service.as_ref().map(|s| s.id.as_str()),
        date: on,
        name_given,
    };
    waitlist::insert(tx, &entry, now)?;
    Ok((waitlist::get(tx, &id)?, false))
}

/// Each waitlist offer of `found` with its entry's view as its message and
/// `remind list` show it: the entry's patient, doctor and service named
/// from the IDs the offer keeps ([`wire::waitlist_ids`]), as they are now
/// (an erased patient as erased). An offer written before appt kept IDs
/// only shows the view it holds.
pub fn show_offers(tx: &Tx, found: &mut [reminders::Reminder]) -> Result<()> {
    for r in found
        .iter_mut()
        .filter(|r| r.kind == crate::core::message::Kind::WaitlistOffer)
    {
        if let Some(o) = r.data.as_mut().and_then(|d| d.get_mut("offer")) {
            if o["waitlist"].is_object() {
                o["waitlist"] = super::events::waitlist_entry(tx, &o["waitlist"])?;
            }
        }
    }
    Ok(())
}

/// Entries still ahead (today included, in each clinic's zone), by date then oldest first.
pub fn list(st: &mut Store, clinic: Option<&str>, now: DateTime<Utc>) -> Result<Vec<Entry>> {
    st.read(|tx| {
        let chosen = match clinic {
            Some(c) => vec![clinics::find(tx, c)?],
            None => clinics::list(tx)?,
        };
        let mut out = Vec::new();
        for c in chosen {
            out.extend(waitlist::list(
                tx,
                &c.id,
                time::local_today(c.timezone, now),
            )?);
        }
        out.sort_by_key(|e| e.date);
        Ok(out)
    })
}

/// One entry by ID or prefix (what `remove` would take).
pub fn find(st: &mut Store, id: &str) -> Result<Entry> {
    st.read(|tx| waitlist::find(tx, id))
}

/// Removes an entry (and withdraws any offer not yet delivered); returns it.
pub fn remove(st: &mut Store, id: &str, now: DateTime<Utc>) -> Result<Entry> {
    st.write(|tx| {
        let e = waitlist::find(tx, id)?;
        drop_entry(tx, &e.id, now)?;
        Ok(e)
    })
}

fn drop_entry(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<()> {
    waitlist::remove(tx, id)?;
    reminders::cancel_offers(tx, id, now)
}

/// A booking `a` of a waiting patient with that doctor on that date ends
/// their wait at its clinic; an entry at another clinic is that clinic's.
pub fn booked(tx: &Tx, a: &AppointmentRow, now: DateTime<Utc>) -> Result<()> {
    if let Some(d) = a.doctor_id.as_deref() {
        let (clinic, patient, on) = (&a.clinic_id, &a.patient_id, a.local_date);
        if let Some(e) = waitlist::of_patient_at(tx, clinic, patient, d, on)? {
            drop_entry(tx, &e.id, now)?;
        }
    }
    Ok(())
}

/// Offers the time `freed` had (before it was cancelled or moved away) to the
/// next waiting entry for its doctor and date, if the time is still ahead.
pub fn offer_freed(tx: &Tx, freed: &Appointment, now: DateTime<Utc>) -> Result<()> {
    let Some(doctor_id) = freed.doctor_id.as_deref() else {
        return Ok(());
    };
    if freed.starts_at <= now {
        return Ok(());
    }
    let (clinic, day) = (&freed.clinic_id, freed.local_date);
    let Some(entry) = waitlist::next_in_line(tx, clinic, doctor_id, day, &freed.patient_id)? else {
        return Ok(());
    };
    waitlist::count_offer(tx, &entry.id)?;
    let entry = waitlist::get(tx, &entry.id)?;
    let slot = json!({
        "date": freed.local_date.to_string(),
        "time": time::to_local(freed.timezone, freed.starts_at).1,
        "starts_at": time::fmt_utc(freed.starts_at),
        "duration_minutes": freed.duration_minutes,
        "timezone": freed.timezone.name(),
    });
    // The entry by IDs (its patient's name and phone are shown on reading).
    let mut data = json!({ "waitlist": wire::waitlist_ids(&entry) });
    if let (Some(d), Some(s)) = (data.as_object_mut(), slot.as_object()) {
        d.extend(s.clone());
    }
    // appt offers the time by itself, whoever freed it (docs/rules.md#events).
    events::record(
        tx,
        EventKind::SlotOffered,
        &freed.id,
        &data,
        &Actor::System,
        now,
    )?;
    let mut offer = slot;
    offer["clinic_name"] = json!(freed.clinic_name);
    // The entry by IDs: the message keeps no copy of the patient's name
    // or phone ([`show_offers`] names them on reading).
    offer["waitlist"] = wire::waitlist_ids(&entry);
    reminders::queue(
        tx,
        &freed.id,
        crate::core::message::Kind::WaitlistOffer,
        Some(&json!({ "offer": offer })),
        Some(&entry.id),
        now,
    )
}
