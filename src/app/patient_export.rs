//! `patient export` and `GET /v1/patients/{id}/export`: everything appt
//! holds about one patient, gathered in one transaction and handed to the
//! front end's writer there, and the export recorded as an event
//! `patient.exported` in the same transaction (docs/privacy.md#subject-access).
//! The event commits only when the document was written: an export that
//! failed left no record of one that did not happen, and one that was
//! written is always on record.

use super::phones::{self, At};
use crate::core::{Actor, Appointment, Clinic, EventKind, Patient};
use crate::error::{Code, Error, Result};
use crate::store::appointments::{self, Filter};
use crate::store::db::Tx;
use crate::store::events::{self, Event};
use crate::store::links::{self, Issued};
use crate::store::reminders::{self, Reminder};
use crate::store::waitlist::{self, Entry};
use crate::store::{clinics, patients, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

/// What the document is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// appt's own document: everything it holds.
    Json,
    /// A FHIR R4 Bundle: the Patient and their Appointments.
    Fhir,
    /// A page to print and hand over, in the clinic's language.
    Html,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Fhir => "fhir",
            Format::Html => "html",
        }
    }

    /// A format as typed (`format=` of the API); absent is JSON.
    pub fn parse(typed: Option<&str>) -> Result<Format> {
        match typed.map(str::trim) {
            None | Some("json") => Ok(Format::Json),
            Some("fhir") => Ok(Format::Fhir),
            Some(_) => Err(Error::field(
                "format",
                crate::text::msg!("e-format_must_be_json_or_fhir"),
            )),
        }
    }
}

/// Whose data, in what form, and who asks.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The patient: an ID, a unique prefix, a phone or a name; with
    /// `whole_id`, a whole ID only.
    pub patient: String,
    /// A whole patient ID only (the API: a phone or a name must not travel
    /// in URLs and logs), anything else as missing.
    pub whole_id: bool,
    pub format: Format,
    /// Open the national ID and put it in (it needs the key, as `patient
    /// show` does); without it the key is never read.
    pub include_national_id: bool,
    /// `$APPT_KEY`.
    pub key: Option<String>,
    /// `--clinic`: whose country code a local phone is in.
    pub clinic: Option<String>,
    /// An API token's clinic: only a patient it knows is found (any other
    /// is as missing), and only that clinic's appointments, messages,
    /// waitlist entries and links are in the document.
    pub seen_from: Option<String>,
}

/// An appointment with its events, oldest first, as shown (docs/rules.md#events).
pub struct Visit {
    pub appointment: Appointment,
    pub events: Vec<Event>,
}

/// A message to the patient, with its text as appt writes it now (texts
/// are not stored), its link withheld ([`super::message::text`]).
pub struct Message {
    pub reminder: Reminder,
    pub text: String,
    /// The patient's own appointment it is about; None for a waitlist
    /// offer, which is about another patient's freed time.
    pub appointment_id: Option<String>,
}

/// Everything appt holds about one patient (docs/commands.md#appt-patient-export).
pub struct PatientExport {
    pub format: Format,
    pub exported_at: DateTime<Utc>,
    /// The clinic the export is limited to (an API token's), if any.
    pub clinic_id: Option<String>,
    /// The clinic that hands the export over ([`speaking`]): its name and
    /// language are the page's.
    pub clinic_name: Option<String>,
    pub language: crate::core::Language,
    /// Its time zone: the page's instants are written in it (UTC without).
    pub timezone: Option<crate::core::zone::Tz>,
    /// The patient; the national ID only when it was asked for.
    pub patient: Patient,
    pub national_id_included: bool,
    /// In start order.
    pub visits: Vec<Visit>,
    /// By due time: the messages about the patient's appointments, then the
    /// waitlist offers made to them.
    pub messages: Vec<Message>,
    pub waitlist: Vec<Entry>,
    /// The recalls of their completed visits (docs/rules.md#recalls).
    pub recalls: Vec<crate::store::recalls::Recall>,
    /// The links made for the patient's appointments and offers.
    pub links: Vec<Issued>,
    /// The events about the patient as a whole (earlier exports), oldest
    /// first; none in an export limited to one clinic.
    pub events: Vec<Event>,
    /// What the patient wrote to the clinic's channels, oldest first.
    pub inbox: Vec<crate::store::inbox::Inbound>,
    /// The times the booking page holds (or held) for their phone, with
    /// what they typed there, oldest first.
    pub holds: Vec<crate::store::holds::Held>,
}

/// The event's data: who and what, never a personal field.
#[derive(Serialize)]
struct Recorded<'a> {
    patient_id: &'a str,
    format: &'static str,
    national_id_included: bool,
}

/// Gathers everything held about `r`'s patient, hands it to `write` (the
/// front end's writer: a file, standard output, an HTTP answer) and records
/// the export as `actor`'s, all in one transaction: when `write` fails,
/// nothing is recorded.
pub fn export(
    st: &mut Store,
    r: &ExportRequest,
    actor: &Actor,
    now: DateTime<Utc>,
    write: impl FnOnce(&PatientExport) -> Result<()>,
) -> Result<PatientExport> {
    let keys = st.keys(r.key.clone());
    st.write(|tx| {
        let found = find(tx, r)?;
        let patient = if r.include_national_id && found.has_sealed_id() {
            let ring = patients::opening_keys(tx, &keys)?;
            found.reveal(Some(&ring))
        } else {
            found.patient
        };
        let done = gather(tx, r, patient, now)?;
        events::record_patient(
            tx,
            EventKind::PatientExported,
            &Recorded {
                patient_id: &done.patient.id,
                format: r.format.as_str(),
                national_id_included: r.include_national_id,
            },
            actor,
            now,
        )?;
        write(&done)?;
        Ok(done)
    })
}

/// The patient `r` names, as the caller may find them.
fn find(tx: &Tx, r: &ExportRequest) -> Result<patients::Stored> {
    let seen_from = r.seen_from.as_deref();
    if !r.whole_id {
        return phones::find_patient(tx, At::Desk(r.clinic.as_deref()), &r.patient, seen_from);
    }
    // A missing patient and another clinic's answer alike.
    let missing =
        || Error::not_found(crate::error::Entity::Patient).details(json!({"ref": r.patient}));
    if uuid::Uuid::try_parse(&r.patient).is_err() {
        return Err(missing());
    }
    let found = match patients::get(tx, &r.patient) {
        Err(e) if e.code == Code::NotFound => return Err(missing()),
        other => other?,
    };
    match seen_from {
        Some(c) if !patients::knows(tx, c, &found.patient.id)? => Err(missing()),
        // Found by nothing else, as on the command line (docs/privacy.md#erasure).
        _ if found.patient.erased_at.is_some() => Err(patients::was_erased(&r.patient)),
        _ => Ok(found),
    }
}

fn gather(
    tx: &Tx,
    r: &ExportRequest,
    mut patient: Patient,
    now: DateTime<Utc>,
) -> Result<PatientExport> {
    let clinic = r.seen_from.as_deref();
    super::seen::patient(tx, &mut patient, clinic)?;
    let mut visits = Vec::new();
    let filter = Filter {
        patient_id: Some(patient.id.clone()),
        clinic_id: clinic.map(str::to_string),
        ..Filter::default()
    };
    appointments::each(tx, &filter, |a, _| {
        visits.push(Visit {
            appointment: a.clone(),
            events: Vec::new(),
        });
        Ok(())
    })?;
    for v in &mut visits {
        v.events = super::events::of_appointment(tx, &v.appointment)?
            .into_iter()
            .map(|e| own_event(e, &patient.id))
            .collect();
    }
    let messages = messages(tx, &patient, &visits, clinic)?;
    let appointment_ids: Vec<&str> = visits.iter().map(|v| v.appointment.id.as_str()).collect();
    let offer_ids: Vec<&str> = messages
        .iter()
        .filter(|m| m.appointment_id.is_none())
        .map(|m| m.reminder.id.as_str())
        .collect();
    let mut issued = links::issued(tx, "appointment", &appointment_ids)?;
    issued.extend(links::issued(tx, "offer", &offer_ids)?);
    let speaker = speaking(tx, r, &visits)?;
    Ok(PatientExport {
        format: r.format,
        exported_at: now,
        clinic_id: clinic.map(str::to_string),
        clinic_name: speaker.as_ref().map(|c| c.name.clone()),
        timezone: speaker.as_ref().map(|c| c.timezone),
        language: speaker.map(|c| c.settings.language).unwrap_or_default(),
        national_id_included: r.include_national_id,
        visits,
        messages,
        waitlist: waitlist::entries_of(tx, &patient.id, clinic)?,
        recalls: crate::store::recalls::of_patient(tx, &patient.id)?
            .into_iter()
            .filter(|r| clinic.is_none_or(|c| r.clinic_id == c))
            .collect(),
        links: issued,
        events: match clinic {
            Some(_) => Vec::new(),
            None => events::of_patient(tx, &patient.id)?,
        },
        inbox: crate::store::inbox::of_patient(tx, &patient.id, clinic)?,
        holds: crate::store::holds::of_phone(tx, &patient.phone, clinic)?,
        patient,
    })
}

/// The clinic handing the export over: the token's, the one named
/// (`--clinic`), the clinic of the patient's latest visit, or the only
/// clinic; none when none of these tells.
fn speaking(tx: &Tx, r: &ExportRequest, visits: &[Visit]) -> Result<Option<Clinic>> {
    if let Some(id) = &r.seen_from {
        return clinics::get(tx, id).map(Some);
    }
    if let Some(named) = &r.clinic {
        return clinics::find(tx, named).map(Some);
    }
    if let Some(v) = visits.last() {
        return clinics::get(tx, &v.appointment.clinic_id).map(Some);
    }
    Ok(match clinics::list(tx)?.as_mut_slice() {
        [only] => Some(only.clone()),
        _ => None,
    })
}

/// An event of the patient's appointment as their export shows it: a
/// freed time offered to someone waiting keeps its slot, but not the
/// waiting patient's entry (another patient's).
fn own_event(mut e: Event, patient_id: &str) -> Event {
    if let Value::Object(data) = &mut e.data {
        let other = data
            .get("waitlist")
            .is_some_and(|w| w["patient_id"] != patient_id);
        if other {
            data.remove("waitlist");
        }
    }
    e
}

/// The messages about the patient's appointments (their offers of a freed
/// time to others left out), then the offers made to the patient while
/// they waited (at `clinic` only, when given), each with its text.
fn messages(
    tx: &Tx,
    patient: &Patient,
    visits: &[Visit],
    clinic: Option<&str>,
) -> Result<Vec<Message>> {
    let ids: Vec<&str> = visits.iter().map(|v| v.appointment.id.as_str()).collect();
    let mut out = Vec::new();
    // An offer of one of these times went to another patient.
    let about = reminders::of_appointments(tx, &ids)?;
    for r in about
        .into_iter()
        .filter(|r| r.kind != crate::core::message::Kind::WaitlistOffer)
    {
        let Some(v) = visits.iter().find(|v| v.appointment.id == r.appointment_id) else {
            continue;
        };
        out.push(Message {
            text: super::message::text(tx, &r, &v.appointment)?,
            appointment_id: Some(r.appointment_id.clone()),
            reminder: r,
        });
    }
    let mut offers = reminders::offers_to(tx, &patient.id)?;
    // Their entry named, as their message is written (the offer keeps IDs).
    super::waitlist::show_offers(tx, &mut offers)?;
    let freed: Vec<&str> = offers.iter().map(|r| r.appointment_id.as_str()).collect();
    let freed = appointments::get_many(tx, &freed)?;
    for r in offers {
        let Some(a) = freed.get(&r.appointment_id) else {
            continue;
        };
        if clinic.is_some_and(|c| c != a.clinic_id) {
            continue;
        }
        // The freed time was another patient's: the text is written for
        // this one whatever the offer's own fields still say.
        let mut a = a.clone();
        a.patient_id.clone_from(&patient.id);
        a.patient_name.clone_from(&patient.full_name);
        a.patient_phone.clone_from(&patient.phone);
        out.push(Message {
            text: super::message::text(tx, &r, &a)?,
            appointment_id: None,
            reminder: r,
        });
    }
    Ok(out)
}
