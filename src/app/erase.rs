//! `patient erase`: a patient erased on request (docs/privacy.md#erasure),
//! in one write transaction. Their appointments stay (dates, doctor,
//! service, status: the clinic's counts and reports), under the
//! placeholder name; everything else that could tell who they were goes.
//! Erasing again answers the same and records nothing more.

use super::phones::{At, Dialing};
use super::values::{check_text, Problems};
use crate::core::{Actor, Appointment, EventKind, Patient};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::{erasure, events, patient_visits, patients, Store};
use chrono::{DateTime, Utc};
use serde_json::json;

/// `patient erase`, as typed.
#[derive(Debug, Clone, Default)]
pub struct EraseRequest {
    /// ID, unique prefix or phone (an erased patient: their whole ID).
    pub patient: String,
    /// Why (a patient's request, its date): recorded, never shown to patients.
    pub reason: Option<String>,
    /// The clinical record of their appointments goes too.
    pub clinical: bool,
    /// `--clinic` (or `$APPT_CLINIC`): whose country code a local phone is in.
    pub clinic: Option<String>,
    /// The clinic a caller limited to one sees from (an API token's): a
    /// patient it does not know is not found (docs/security.md#clinics-apart).
    pub seen_from: Option<String>,
}

/// What an erasure answers: the same however many times it is asked.
#[derive(Debug, Clone)]
pub struct Erased {
    /// The patient as they now are: the placeholder name, no phone.
    pub patient: Patient,
    pub erased_at: DateTime<Utc>,
    /// The reason recorded with the last erasure.
    pub reason: String,
    /// Whether their clinical record was erased.
    pub clinical: bool,
    /// Their appointments, kept (a caller limited to a clinic: there).
    pub appointments: i64,
    /// Their visits still to come, cancelled with the erasure (IDs; a
    /// caller limited to a clinic is told of that clinic's only).
    pub cancelled: Vec<String>,
}

/// Erases the patient `r` names, made by `actor` at `now`.
pub fn erase(
    st: &mut Store,
    r: &EraseRequest,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Erased> {
    let mut bad = Problems::default();
    let reason = check_text("reason", r.reason.as_deref(), &mut bad);
    bad.finish()?;
    let reason = reason.ok_or_else(|| {
        Error::field("reason", crate::text::msg!("e-reason_is_required"))
            .hint(crate::text::msg!("e-give_the_reason"))
    })?;
    st.for_erasure()?;
    let erased = st.write(|tx| {
        let found = find(tx, r)?;
        let id = found.patient.id.clone();
        let before = erasure::recorded(tx, &id)?;
        // Erased already, and nothing more asked: the same answer and no
        // event (whatever a trace left since is taken out all the same).
        let again = found.patient.erased_at.is_some()
            && (!r.clinical || before.as_ref().is_some_and(|(_, clinical)| *clinical));
        // Their visits still to come are cancelled with it: a time kept for
        // nobody would be lost to every other patient. They are not told:
        // the erasure was their request (docs/privacy.md#erasure).
        loop {
            let coming = patient_visits::active_of(tx, std::slice::from_ref(&id), now)?;
            if coming.is_empty() {
                break;
            }
            for a in coming {
                let quiet = super::change_one::Notice {
                    send: false,
                    series: None,
                };
                super::change_one::cancel_one(tx, a, &reason, None, true, 0, quiet, actor, now)?;
            }
        }
        // The booking page's holds of their phone, with the name typed
        // there, and the codes it was sent go too.
        let phone = &found.patient.phone;
        if !phone.is_empty() {
            // Codes are counted by the phone's digest under the link key:
            // without one (a server given none) the page recorded none.
            let key = super::web::phone_key(tx, phone).ok();
            erasure::forget_phone(tx, phone, key.as_deref())?;
        }
        erasure::erase_traces(tx, &id, r.clinical, now)?;
        erasure::anonymise(tx, &id, now)?;
        if !again {
            events::record_patient(
                tx,
                EventKind::PatientErased,
                &json!({"patient_id": id, "reason": reason, "clinical": r.clinical}),
                actor,
                now,
            )?;
        }
        answer(tx, &id, r.seen_from.as_deref())
    })?;
    // What the write-ahead log still held of them goes with it.
    st.checkpoint()?;
    Ok(erased)
}

/// The visits still to come of the patient `r` names, which an erasure
/// cancels: listed before the question (docs/privacy.md#erasure).
pub fn coming(st: &mut Store, patient_id: &str, now: DateTime<Utc>) -> Result<Vec<Appointment>> {
    st.read(|tx| patient_visits::active_of(tx, &[patient_id.to_string()], now))
}

/// The patient `r` names, as they are now (for a question before erasing).
pub fn who(st: &mut Store, r: &EraseRequest) -> Result<Patient> {
    st.read(|tx| Ok(find(tx, r)?.patient))
}

/// The patient an erasure is for: found as the patient commands find one
/// (a local phone in the desk's country code), or erased already and named
/// by their whole ID.
fn find(tx: &Tx, r: &EraseRequest) -> Result<patients::Stored> {
    let seen_from = r.seen_from.as_deref();
    if !crate::core::phone::is_local(&r.patient) {
        return patients::find_erasing(tx, &r.patient, None, seen_from);
    }
    let dialing = Dialing::at(tx, At::Desk(r.clinic.as_deref()))?;
    patients::find_erasing(tx, &r.patient, dialing.code(), seen_from)
        .map_err(|e| dialing.missed(e, &r.patient))
}

/// The erasure as it is stored: the patient's row, their erasures' events;
/// of their appointments, those a caller seeing from clinic `seen_from`
/// may know of (docs/security.md#clinics-apart).
fn answer(tx: &Tx, id: &str, seen_from: Option<&str>) -> Result<Erased> {
    let mut patient = patients::get(tx, id)?.patient;
    super::seen::patient(tx, &mut patient, seen_from)?;
    let patient_erased_at = patient.erased_at.unwrap_or(patient.updated_at);
    let (reason, clinical) = erasure::recorded(tx, id)?.unwrap_or_default();
    Ok(Erased {
        erased_at: patient.erased_at.unwrap_or(patient.updated_at),
        appointments: erasure::appointments(tx, id, seen_from)?,
        patient,
        reason,
        clinical,
        cancelled: erasure::cancelled_with(tx, id, patient_erased_at, seen_from)?,
    })
}
