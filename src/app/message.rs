//! The ready text of each message `remind due` delivers
//! (docs/rules.md#messages), built in the transaction that claims it, so it
//! says what is true at that moment: the clinic's language, phone and
//! template as they are now, the appointment's time as it is now, and the
//! link (issued then, and the same for every message about one target).
//! A patient's export shows each message's text again ([`text`]): as it
//! reads now, with no link issued.

use super::links::{self, Target};
use crate::core::message::Kind;
use crate::core::message::{self, Fields, Ready};
use crate::core::{time, Appointment, Clinic, Modality};
use crate::error::Result;
use crate::store::clinics;
use crate::store::db::Tx;
use crate::store::reminders::Reminder;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

/// The text (and link) of message `r` about `a`; for a waitlist offer, the
/// waiting patient and the freed slot.
pub fn ready(tx: &Tx, r: &Reminder, a: &Appointment, now: DateTime<Utc>) -> Result<Ready> {
    let (mut f, target, clinic) = fields(tx, r, a)?;
    let link = match (&clinic.settings.public_url, target) {
        (Some(base), Some(t)) => Some(links::url(base, &links::issue(tx, &t, now)?)),
        _ => page_link(r, a, &clinic),
    };
    f.link = link.clone();
    let own = clinic
        .settings
        .templates
        .get(r.kind.as_str())
        .map(String::as_str);
    Ok(Ready {
        message: message::render(r.kind, clinic.settings.language, own, &f),
        link,
        language: clinic.settings.language,
        fields: f,
    })
}

/// What stands for a link in a message shown again (a patient's export,
/// docs/privacy.md#subject-access): the clinic's address, not the token,
/// which is a key to the appointment rather than a fact about the patient.
pub const LINK_WITHHELD: &str = "/p/…";

/// The text of message `r` about `a` as [`ready`] writes it now, with the
/// link (when the message carries one) as the clinic's address and
/// [`LINK_WITHHELD`]: nothing is issued or written.
pub fn text(tx: &Tx, r: &Reminder, a: &Appointment) -> Result<String> {
    let (mut f, target, clinic) = fields(tx, r, a)?;
    f.link = match (&clinic.settings.public_url, target) {
        (Some(base), Some(_)) => Some(format!("{}{LINK_WITHHELD}", base.trim_end_matches('/'))),
        _ => page_link(r, a, &clinic),
    };
    let own = clinic
        .settings
        .templates
        .get(r.kind.as_str())
        .map(String::as_str);
    Ok(message::render(r.kind, clinic.settings.language, own, &f))
}

/// A recall's link: the clinic's booking page with the visit's doctor and
/// service chosen (no key to anything: the page asks for the phone's code).
fn page_link(r: &Reminder, a: &Appointment, clinic: &Clinic) -> Option<String> {
    (r.kind == crate::core::message::Kind::Recall)
        .then(|| super::recall::page_link(clinic, a.doctor_id.as_deref(), a.service_id.as_deref()))
        .flatten()
}

/// The placeholders of message `r` about `a` but its link, what the link
/// would name, and the clinic that sends it.
fn fields(tx: &Tx, r: &Reminder, a: &Appointment) -> Result<(Fields, Option<Target>, Clinic)> {
    let clinic = clinics::get(tx, &a.clinic_id)?;
    let lang = clinic.settings.language;
    let text = |v: &Value| v.as_str().map(str::to_string).filter(|s| !s.is_empty());
    let day = |d: NaiveDate| message::date_words(lang, d);
    let data = r.data.clone().unwrap_or(Value::Null);
    let (name, _) = r.recipient(a);
    let mut f = Fields {
        patient: message::first_name(name),
        doctor: a.doctor_name.clone(),
        clinic: clinic.name.clone(),
        // docs/rules.md#phones: the clinic's own number as its patients dial it.
        clinic_phone: clinic
            .settings
            .phone
            .as_deref()
            .map(|p| crate::core::phone::written(p, clinic.settings.country_code.as_deref())),
        ..Default::default()
    };
    let target = match r.kind {
        Kind::WaitlistOffer => {
            let o = r.offer().cloned().unwrap_or(Value::Null);
            f.doctor = text(&o["waitlist"]["doctor"]["full_name"]).or(f.doctor);
            let (start, tz) = r
                .offered_slot(a)
                .map_or((a.starts_at, a.timezone), |s| (s.start, s.timezone));
            let (date, hm) = time::to_local(tz, start);
            (f.date, f.time) = (day(date), hm);
            Some(Target::Offer(r.id.clone()))
        }
        // A recall names no time (nor the visit's follow-up date, which is
        // clinical): the patient picks one on the page.
        Kind::Recall => None,
        kind => {
            // A telemedicine visit's messages carry the clinic's video link.
            f.video_url = clinic
                .settings
                .video_url
                .clone()
                .filter(|_| a.modality == Modality::Telemedicine);
            let (date, hm) = time::to_local(a.timezone, a.starts_at);
            (f.date, f.time) = (day(date), hm);
            let previous = &data["previous"];
            f.previous_date = text(&previous["date"])
                .and_then(|d| d.parse::<NaiveDate>().ok())
                .map(day);
            f.previous_time = text(&previous["start_time"]);
            f.reason = text(&data["reason"]);
            let series = &data["series"];
            f.series = series["count"]
                .as_i64()
                .zip(text(&series["last_date"]).and_then(|d| d.parse::<NaiveDate>().ok()))
                .map(|(n, last)| message::series_words(lang, n, last));
            // A cancellation offers nothing to act on.
            (kind != Kind::Cancelled).then(|| Target::Appointment(a.id.clone()))
        }
    };
    Ok((f, target, clinic))
}
