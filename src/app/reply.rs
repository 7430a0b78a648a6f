//! A patient answering a message from its link (docs/api.md#patient-links):
//! what the link's page shows, and the answers it offers — confirm, cancel,
//! another time, or take a freed time offered from the waitlist. Each answer
//! is the desk's own use case (`change`, `book`) with actor `patient`, so
//! every booking rule holds as at the desk.

use super::book::{self, BookRequest, Booking};
use super::change::{self, CancelRequest, Changed, RescheduleRequest, StatusRequest};
use super::links::{self, Target};
use super::next::{self, NextRequest};
use super::schedule::WhenInput;
use crate::core::status as machine;
use crate::core::{time, Actor, Appointment, Clinic, Language, Status};
use crate::error::{Code, Error, Result};
use crate::store::{clinics, reminders, waitlist, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// How far ahead "another time" looks.
/// How many other times a page offers.
pub const OTHER_TIMES: i64 = 6;

/// What a link opens.
pub enum Opened {
    Visit(Box<Visit>),
    Offer(Box<Offer>),
}

/// An appointment as its patient's page shows it.
pub struct Visit {
    pub appointment: Appointment,
    pub clinic: Clinic,
    pub state: State,
}

/// A freed time offered to a waiting patient.
pub struct Offer {
    pub clinic: Clinic,
    pub doctor_name: String,
    pub service_name: Option<String>,
    pub date: NaiveDate,
    pub time: String,
    /// Still to be had: ahead, and the patient still waiting.
    pub open: bool,
}

/// What the patient may still do with a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Confirm, cancel, another time (`confirmed`: cancel and another time).
    Open,
    /// Inside the clinic's cancellation window: call the clinic instead.
    TooLate,
    /// Begun, past or final: nothing to do.
    Over,
}

/// A time another move could take.
pub struct Time {
    pub starts_at: DateTime<Utc>,
    pub date: NaiveDate,
    pub time: String,
}

fn gone() -> Error {
    Error::not_found(crate::error::Entity::Link)
}

/// What the link `token` opens, now.
/// The visit a patient's link opens (never an offer's) and how many times
/// it changed: what its calendar file carries ("add to calendar").
pub fn calendar(st: &mut Store, token: &str) -> Result<(Appointment, Language, i64)> {
    st.read(|tx| match links::open(tx, token)? {
        Target::Appointment(id) => {
            let a = crate::store::appointments::get(tx, &id)?;
            let lang = clinics::get(tx, &a.clinic_id)?.settings.language;
            let sequence = crate::store::appointments::sequence(tx, &id)?;
            Ok((a, lang, sequence))
        }
        Target::Offer(_) => Err(Error::not_found(crate::error::Entity::Link)),
    })
}

pub fn open(st: &mut Store, token: &str, now: DateTime<Utc>) -> Result<Opened> {
    st.read(|tx| match links::open(tx, token)? {
        Target::Appointment(id) => {
            let appointment = crate::store::appointments::get(tx, &id)?;
            let clinic = clinics::get(tx, &appointment.clinic_id)?;
            let state = state(&appointment, &clinic, now);
            Ok(Opened::Visit(Box::new(Visit {
                appointment,
                clinic,
                state,
            })))
        }
        Target::Offer(reminder_id) => {
            let r = reminders::get(tx, &reminder_id)?;
            let offer = &r.data.as_ref().ok_or_else(gone)?["offer"];
            let starts_at = offer["starts_at"]
                .as_str()
                .and_then(|s| time::parse_rfc3339(s).ok())
                .ok_or_else(gone)?;
            let freed = crate::store::appointments::get(tx, &r.appointment_id)?;
            let clinic = clinics::get(tx, &freed.clinic_id)?;
            let entry = r.waitlist_id.as_deref().map(|w| waitlist::get(tx, w));
            let waiting = matches!(entry, Some(Ok(_)));
            let (date, hm) = time::to_local(clinic.timezone, starts_at);
            Ok(Opened::Offer(Box::new(Offer {
                doctor_name: freed.doctor_name.clone().unwrap_or_default(),
                service_name: freed.service_name.clone(),
                date,
                time: hm,
                open: waiting && starts_at > now,
                clinic,
            })))
        }
    })
}

/// What the patient may do with `a` at `now`.
pub fn state(a: &Appointment, clinic: &Clinic, now: DateTime<Utc>) -> State {
    if a.starts_at <= now
        || machine::check_cancel(a.status).is_err()
        || a.status == Status::CheckedIn
    {
        return State::Over;
    }
    if machine::check_cancel_window(now, a.starts_at, clinic.settings.cancel_window, false).is_err()
    {
        return State::TooLate;
    }
    State::Open
}

/// The visit of a link, refused (`INVALID_STATE_TRANSITION`) when it is over.
fn visit(st: &mut Store, token: &str, now: DateTime<Utc>) -> Result<Visit> {
    match open(st, token, now)? {
        Opened::Visit(v) if v.state != State::Over => Ok(*v),
        Opened::Visit(v) => Err(Error::new(
            Code::InvalidStateTransition,
            crate::text::msg!("e-appointment_no_longer_changed"),
        )
        .details(serde_json::json!({"status": v.appointment.status.as_str()}))),
        Opened::Offer(_) => Err(gone()),
    }
}

/// Confirm: `scheduled` → `confirmed` (a confirmed visit stays as it is).
pub fn confirm(st: &mut Store, token: &str, now: DateTime<Utc>) -> Result<Appointment> {
    let v = visit(st, token, now)?;
    if v.appointment.status == Status::Confirmed {
        return Ok(v.appointment);
    }
    let req = StatusRequest {
        id: v.appointment.id.clone(),
        status: Status::Confirmed.as_str().into(),
        diagnosis: None,
        prescription: None,
        follow_up: None,
        notes: None,
    };
    change::set_status(st, &req, &Actor::Patient, now).map(|set| set.appointment)
}

/// Cancel, with the reason the patient picked or typed.
pub fn cancel(st: &mut Store, token: &str, reason: &str, now: DateTime<Utc>) -> Result<Changed> {
    let v = visit(st, token, now)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::field(
            "reason",
            crate::text::msg!("e-say_why_you_cancel"),
        ));
    }
    // As typed on a phone: no NUL (which PostgreSQL cannot keep) nor any
    // other control character reaches the record or the desk's screen.
    if reason.chars().any(char::is_control) {
        return Err(Error::field(
            "reason",
            crate::text::msg!("e-reason_no_control_characters"),
        ));
    }
    let reason: String = reason.chars().take(200).collect();
    // The patient's own reason is theirs: it is told back to them.
    let req = CancelRequest {
        id: v.appointment.id.clone(),
        tell_patient: Some(reason.clone()),
        reason: Some(reason),
        force: false,
        no_notify: false,
        series: false,
        seen_from: None,
    };
    change::cancel(st, &req, &Actor::Patient, now)
}

/// The free times of the same doctor and service a visit's page offers,
/// the visit's own time left out: within the clinic's web notice and
/// horizon (`Settings::web_bounds`, as the booking page), the next
/// [`OTHER_TIMES`] of them, or with `day` that day's (the patient picked it).
pub fn other_times(
    st: &mut Store,
    v: &Visit,
    day: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Vec<Time>> {
    let a = &v.appointment;
    let Some(doctor) = a.doctor_id.clone() else {
        return Ok(Vec::new());
    };
    let (from, to) = v.clinic.settings.web_bounds(now);
    let first = time::to_local(v.clinic.timezone, from).0;
    let after = day.map_or(first, |d| d.max(first));
    let req = NextRequest {
        clinic: Some(a.clinic_id.clone()),
        doctor: Some(doctor),
        specialty: None,
        service: a.service_id.clone(),
        after: Some(after.to_string()),
        limit: Some(DAY_TIMES),
    };
    let found = match next::next(st, &req, now) {
        Ok(f) => f,
        // No hours ahead at all: nothing to offer, not an error for the page.
        Err(e) if e.code != Code::Database && e.code != Code::Internal => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let wanted = if day.is_some() {
        DAY_TIMES
    } else {
        OTHER_TIMES
    };
    Ok(found
        .slots
        .into_iter()
        .filter(|f| f.slot.start >= from && f.slot.start <= to && f.slot.start != a.starts_at)
        .filter(|f| day.is_none_or(|d| f.date == d))
        .take(wanted as usize)
        .map(|f| {
            let (date, time) = time::to_local(v.clinic.timezone, f.slot.start);
            Time {
                starts_at: f.slot.start,
                date,
                time,
            }
        })
        .collect())
}

/// The most times a picked day shows.
const DAY_TIMES: i64 = 48;

/// The first and last days a visit's page lets the patient pick.
pub fn days_offered(v: &Visit, now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let (from, to) = v.clinic.settings.web_bounds(now);
    (
        time::to_local(v.clinic.timezone, from).0,
        time::to_local(v.clinic.timezone, to).0,
    )
}

/// Another time: moves the visit to `at` (an instant from its page), through
/// every rule of `reschedule`.
pub fn move_to(st: &mut Store, token: &str, at: &str, now: DateTime<Utc>) -> Result<Changed> {
    let v = visit(st, token, now)?;
    let starts_at = time::parse_rfc3339(at).map_err(|m| Error::field("at", m))?;
    // The page's own bounds, whatever was posted: the web notice and horizon.
    let web = v.clinic.settings.web_rules();
    crate::core::booking::check_time(now, starts_at, &web)?;
    let req = RescheduleRequest {
        id: v.appointment.id.clone(),
        clinic: Some(v.appointment.clinic_id.clone()),
        when: WhenInput {
            date: None,
            time: None,
            at: Some(time::fmt_utc(starts_at)),
        },
        ..RescheduleRequest::default()
    };
    change::reschedule(st, &req, &Actor::Patient, now)
}

/// Takes a freed time offered from the waitlist: books it for the waiting
/// patient if it is still free (every booking rule applies).
pub fn take(st: &mut Store, token: &str, now: DateTime<Utc>) -> Result<Booking> {
    let (r, entry) = st.read(|tx| {
        let Target::Offer(id) = links::open(tx, token)? else {
            return Err(gone());
        };
        let r = reminders::get(tx, &id)?;
        let entry = waitlist::get(tx, r.waitlist_id.as_deref().ok_or_else(gone)?)
            .map_err(|_| offer_gone())?;
        Ok((r, entry))
    })?;
    let offer = &r.data.as_ref().ok_or_else(gone)?["offer"];
    let at = offer["starts_at"].as_str().ok_or_else(gone)?.to_string();
    let req = BookRequest {
        clinic: Some(entry.clinic_id.clone()),
        doctor: Some(entry.doctor_id.clone()),
        clinic_wide: false,
        when: WhenInput {
            date: None,
            time: None,
            at: Some(at),
        },
        // An entry made with a name given for another clinic's patient is
        // booked as it was made: by phone, from its clinic, under that name
        // (docs/api.md#another-clinics-patient).
        patient: entry.name_given.is_none().then(|| entry.patient_id.clone()),
        phone: entry
            .name_given
            .is_some()
            .then(|| entry.patient_phone.clone()),
        name: entry.name_given.clone(),
        national_id: None,
        email: None,
        channel: None,
        service: entry.service_id.clone(),
        duration: offer["duration_minutes"].as_i64(),
        session: None,
        reason: None,
        repeat: None,
        notes: None,
        source: "web".into(),
        external_ref: None,
        key: None,
        walk_in: false,
        no_notify: false,
        overbook: None,
        seen_from: entry.name_given.as_ref().map(|_| entry.clinic_id.clone()),
        visit: Default::default(),
        hold: None,
        resource: None,
        overbook_resource: false,
        past_calendar: false,
    };
    book::book(st, &req, &Actor::Patient, now)
}

fn offer_gone() -> Error {
    Error::new(
        Code::SlotInactive,
        crate::text::msg!("e-offer_no_longer_open"),
    )
}
