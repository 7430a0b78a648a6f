//! One appointment booked (docs/rules.md#booking-rules), rules 2 and on:
//! the request and its values after rule 1, the references found, the
//! patient written, the token, the row, the events and the messages. Below
//! both [`super::book`], which chooses one appointment or a series, and
//! [`super::series`], which books each occurrence through these.

use super::notify::{self, News};
use super::phones::{self, At, Dialing, PhoneHolder};
use super::repeat::{Repeat, RepeatInput};
use super::schedule::{
    self, parse_when, place, place_overbooked, place_walk_in, request, resolve_when, target,
    Placement, Target, WhenInput,
};
use super::values::Problems;
use super::visit::{VisitChecked, VisitInput};
use super::waitlist;
use crate::core::overbook::Overbooked;
use crate::core::slots::Request;
use crate::core::{
    time, Actor, Appointment, AppointmentRow, EventKind, Patient, Service, Status, VisitType,
};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::keys::Keys;
use crate::store::{
    self, appointments, events, patient_visits, patients, queue, reminders, services,
};
use crate::wire;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

/// A booking as asked for: values as typed, checked by [`book`].
#[derive(Debug, Clone, Default)]
pub struct BookRequest {
    /// `--clinic` (or `$APPT_CLINIC`).
    pub clinic: Option<String>,
    /// The doctor; None with `clinic_wide` books a clinic-wide window.
    pub doctor: Option<String>,
    pub clinic_wide: bool,
    pub when: WhenInput,
    /// An existing patient: ID, prefix or phone.
    pub patient: Option<String>,
    /// E.164, or a local number of the clinic (docs/rules.md#phones).
    pub phone: Option<String>,
    pub name: Option<String>,
    pub national_id: Option<String>,
    /// The patient's e-mail, and their preferred channel in either
    /// language's words (docs/rules.md#which-channel): each given replaces
    /// theirs.
    pub email: Option<String>,
    pub channel: Option<String>,
    pub service: Option<String>,
    pub duration: Option<i64>,
    pub session: Option<String>,
    pub reason: Option<String>,
    pub notes: Option<String>,
    pub source: String,
    pub external_ref: Option<String>,
    /// What kind of visit (docs/rules.md#visits), as typed in either
    /// language; None is the default (a visit type: derived).
    pub visit: VisitInput,
    /// `$APPT_KEY`, for sealing the national ID.
    pub key: Option<String>,
    /// A walk-in (docs/rules.md#walk-ins): now, checked in, no `when`.
    pub walk_in: bool,
    /// `--no-notify`: no confirmation message for the patient.
    pub no_notify: bool,
    /// `--repeat …`: a series (docs/rules.md#series) instead of one appointment.
    pub repeat: Option<RepeatInput>,
    /// `--overbook --reason`: the reason to fit the visit in where
    /// availability or capacity would refuse it (docs/rules.md#overbooking).
    /// The desk's and the API's with its scope; never a patient's.
    pub overbook: Option<String>,
    /// The clinic a caller limited to one sees from (an API token's,
    /// docs/security.md#clinics-apart): only the patients it knows are
    /// found, and another clinic's appointments are never named.
    pub seen_from: Option<String>,
    /// The booking page's hold on the time being booked (docs/rules.md#holds):
    /// it does not count against its own booking.
    pub hold: Option<String>,
    /// `--resource R`: the room or machine asked for, of a group the
    /// service needs (docs/rules.md#rooms-and-equipment).
    pub resource: Option<String>,
    /// `--overbook-resource`: an overbooking may overbook its rooms and
    /// machines too.
    pub overbook_resource: bool,
    /// The desk's `--force`: book even into a busy time of the doctor's
    /// own calendar (docs/calendars.md). Never a program's or a patient's.
    pub past_calendar: bool,
}

/// What booking did.
#[derive(Debug, Clone)]
pub struct Booked {
    pub appointment: Appointment,
    /// The external reference was already booked: this is that appointment.
    pub idempotent: bool,
    /// The name the patient had, when this booking's name replaced it.
    pub renamed_from: Option<String>,
}

/// A request's values after rule 1.
pub struct Checked {
    /// E.164, or a local number until the clinic is known (rule 2).
    pub(super) phone: Option<String>,
    pub(super) name: Option<String>,
    pub(super) national_id: Option<String>,
    pub(super) contact: patients::Contact,
    pub(super) reason: Option<String>,
    pub(super) notes: Option<String>,
    pub(super) external_ref: Option<String>,
    pub(super) repeat: Option<Repeat>,
    pub(super) visit: VisitChecked,
    /// The reason to overbook, when asked.
    pub(super) overbook: Option<String>,
}

impl Checked {
    /// The external reference given, if any.
    pub fn external_ref(&self) -> Option<&str> {
        self.external_ref.as_deref()
    }
}

/// Rules 2–9 for one appointment, inside the caller's write transaction.
pub(super) fn book_one(
    tx: &Tx,
    r: &BookRequest,
    c: &Checked,
    keys: &Keys,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Booked> {
    // Rule 2: references.
    let mut p = prepare(tx, r, c)?;
    // Rule 3: idempotency, whatever else the request says.
    if let Some(found) = already_booked(tx, c, &p)? {
        return Ok(Booked {
            appointment: found,
            idempotent: true,
            renamed_from: None,
        });
    }
    if p.service.is_none() {
        let start = match r.walk_in {
            true => Some((now, time::local_today(p.target.clinic.timezone, now))),
            false => asked_start(r, &p.target, now).ok(),
        };
        if let Some(start) = start {
            p.service = schedule::implied_service(tx, &p.target, start)?;
        }
    }
    // Rules 4–8 (an overbooking passing over 6 or 8).
    let spot = find_place(tx, r, c, &p, now)?;
    let overbooked = match (&c.overbook, spot.passed_over) {
        (Some(reason), Some(rule)) => Some(Overbooked {
            reason: reason.clone(),
            by: actor.to_string(),
            rule: rule.as_str().to_string(),
        }),
        _ => None,
    };
    // Rule 9: the write (the token first: on PostgreSQL the writes after
    // it are sent together, docs/performance.md).
    let token = token(tx, &p, &spot)?;
    let who = write_patient(tx, c, &p, keys, now)?;
    let saved = insert(tx, r, c, &p, (&spot, overbooked), token, &who, None, now)?;
    tell(tx, r, &saved, &who, true, actor, now)?;
    let send = p.target.clinic.settings.notify && !r.no_notify && !r.walk_in;
    notify::tell(tx, send, &saved, News::Booked { series: None }, now)?;
    as_stored(tx, std::slice::from_ref(&saved))?;
    Ok(Booked {
        appointment: saved,
        idempotent: false,
        renamed_from: who.renamed_from,
    })
}

/// A booking's references (rule 2): the clinic and doctor, the patient if
/// they exist, the phone given (in E.164) and the service.
pub(super) struct Prepared {
    pub target: Target,
    pub existing: Option<Patient>,
    phone: Option<String>,
    /// The phone's patient is not the caller's to know (their name stays unsaid).
    hidden: bool,
    pub service: Option<Service>,
    /// The payer named, as the clinic spells it.
    payer: Option<String>,
    /// The resource asked for, by ID.
    resource: Option<String>,
}

impl Prepared {
    /// What is asked for besides the start.
    pub fn request<'a>(&'a self, r: &'a BookRequest) -> Request<'a> {
        let mut req = request(r.duration, self.service.as_ref(), r.session.as_deref());
        req.resource = self.resource.as_deref();
        req.outside_ok = r.past_calendar;
        req
    }
}

/// `--resource R`: a resource of the clinic that a group of the service
/// needs, else `VALIDATION_ERROR` (an unknown one `NOT_FOUND`).
fn asked_resource(
    tx: &Tx,
    r: &BookRequest,
    target: &Target,
    service: Option<&Service>,
) -> Result<Option<String>> {
    let Some(name) = &r.resource else {
        return Ok(None);
    };
    let res = crate::store::resources::find(tx, name)?;
    let needed = match service {
        Some(s) => crate::store::resources::needs(tx, &s.id)?
            .iter()
            .flatten()
            .any(|n| n.id == res.id),
        None => false,
    };
    if !needed || res.clinic_id != target.clinic.id {
        return Err(Error::field(
            "resource",
            crate::text::msg!("e-resource_not_needed", name = res.name.clone()),
        ));
    }
    Ok(Some(res.id))
}

/// Rule 2.
pub(super) fn prepare(tx: &Tx, r: &BookRequest, c: &Checked) -> Result<Prepared> {
    let (target, who, service) = references(tx, r, c)?;
    let payer = c.visit.payer(&target.clinic)?;
    let resource = asked_resource(tx, r, &target, service.as_ref())?;
    Ok(Prepared {
        target,
        existing: who.existing,
        phone: who.phone,
        hidden: who.hidden,
        service,
        payer,
        resource,
    })
}

/// Rule 3: the active appointment already holding the request's external
/// reference at its clinic (another clinic's is another booking's).
pub(super) fn already_booked(tx: &Tx, c: &Checked, p: &Prepared) -> Result<Option<Appointment>> {
    match &c.external_ref {
        Some(reference) => appointments::by_external_ref(tx, &p.target.clinic.id, reference),
        None => Ok(None),
    }
}

/// The token number of a new appointment at `spot`.
pub(super) fn token(tx: &Tx, p: &Prepared, spot: &Placement) -> Result<i64> {
    let window = spot.window_id().unwrap_or_default();
    queue::next_token(tx, &p.target.token_scope(window), spot.date)
}

/// Rule 9 for one appointment at `spot` (and what it overbooked): its row (in `series` when one is
/// given, with `first` whether it is the series' first) and its reminders;
/// returns it as saved, made from what was written rather than read back (a
/// query less; test builds read it back and compare, [`as_stored`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn insert(
    tx: &Tx,
    r: &BookRequest,
    c: &Checked,
    p: &Prepared,
    (spot, overbooked): (&Placement, Option<Overbooked>),
    token: i64,
    who: &Written,
    series: Option<(&str, bool)>,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let t = &p.target;
    // Instants are stored to the second.
    let now_stored = now.trunc_subsecs(0);
    let mut row = new_row(
        r,
        c,
        t,
        p.service.as_ref(),
        spot,
        who.id.clone(),
        token,
        now_stored,
    );
    row.series_id = series.map(|(id, _)| id.to_string());
    row.urgency = c.visit.urgency.unwrap_or_default();
    row.modality = c.visit.modality.unwrap_or_default();
    row.payer = p.payer.clone();
    row.overbooked = overbooked;
    row.visit_type = match c.visit.visit_type {
        Some(v) => v,
        // A caller limited to a clinic judges by that clinic's visits: a
        // visit elsewhere is not its to learn of (docs/security.md#clinics-apart).
        None => {
            let here_only = r.seen_from.is_some();
            VisitType::derived(patient_visits::seen_before(tx, &row, here_only)?)
        }
    };
    if series.is_some_and(|(_, first)| !first) {
        // The external reference names a series through its first occurrence.
        row.external_reference_id = None;
    }
    appointments::insert(tx, &row, spot.solo())?;
    let given: Vec<&str> = spot.resources.iter().map(|r| r.id.as_str()).collect();
    if !given.is_empty() {
        crate::store::resources::give(tx, &row, &given, &spot.resources_overbooked)?;
    }
    if let Some(name) = &who.name_given {
        appointments::name_given(tx, &row.id, name)?;
    }
    reminders::schedule(
        tx,
        &row.id,
        row.starts_at,
        &t.clinic.settings.reminders,
        now,
    )?;
    let saved = Appointment {
        row,
        timezone: t.clinic.timezone,
        clinic_name: t.clinic.name.clone(),
        patient_name: who.name.clone(),
        patient_phone: who.phone.clone(),
        patient_erased: false,
        doctor_name: t.doctor.as_ref().map(|d| d.full_name.clone()),
        doctor_specialty: t.doctor.as_ref().and_then(|d| d.specialty.clone()),
        service_name: p.service.as_ref().map(|s| s.name.clone()),
        service_minutes: p.service.as_ref().map(|s| s.duration_minutes),
        resources: spot.resources.clone(),
    };
    Ok(saved)
}

/// Test builds: each appointment a booking made is the appointment as
/// stored, read back once all of the booking's writes are done (so they are
/// sent to PostgreSQL together, as release builds send them).
pub(super) fn as_stored(tx: &Tx, made: &[Appointment]) -> Result<()> {
    // Not while writes are held together (an import's lines): reading would
    // send them one booking at a time, and those paths would go untested.
    if cfg!(debug_assertions) && !tx.holding() {
        for a in made {
            assert_eq!(
                wire::appointment(a),
                wire::appointment(&appointments::get(tx, &a.id)?),
                "a booking as made is the booking as stored"
            );
        }
    }
    Ok(())
}

/// Who a booking is for: the patient if they exist, and the phone given, in E.164.
struct Who {
    existing: Option<Patient>,
    phone: Option<String>,
    /// The phone is a patient's whom the caller may not know
    /// ([`phones::PhoneHolder::Hidden`]).
    hidden: bool,
}

/// What a booking will ask the database, as far as it can be told now (its
/// clinic and doctor found); for looking many up at once.
pub(super) struct ToAsk {
    /// Who has the phone (E.164).
    pub phone: Option<String>,
    /// The doctor's day: its closures, busy times and tokens.
    pub day: Option<DoctorDay>,
}

pub(super) fn to_ask(tx: &Tx, r: &BookRequest, c: &Checked, now: DateTime<Utc>) -> ToAsk {
    let Ok(t) = target(tx, r.clinic.as_deref(), r.doctor.as_deref()) else {
        return ToAsk {
            phone: None,
            day: None,
        };
    };
    ToAsk {
        phone: c
            .phone
            .as_deref()
            .and_then(|ph| Dialing::of(&t.clinic).read(ph).ok()),
        day: day_to_ask(tx, r, t, now),
    }
}

/// Rule 2: the clinic and doctor, the patient if they exist (a local phone
/// read in the clinic's country code, docs/rules.md#phones), the service.
fn references(tx: &Tx, r: &BookRequest, c: &Checked) -> Result<(Target, Who, Option<Service>)> {
    let t = target(tx, r.clinic.as_deref(), r.doctor.as_deref())?;
    let phone = c
        .phone
        .as_deref()
        .map(|ph| Dialing::of(&t.clinic).read(ph))
        .transpose()?;
    let seen_from = r.seen_from.as_deref();
    let mut hidden = false;
    let existing = match (&r.patient, &phone) {
        (Some(p), _) => {
            Some(phones::find_patient(tx, At::Clinic(&t.clinic), p, seen_from)?.patient)
        }
        (None, Some(ph)) => match phones::phone_holder(tx, ph, seen_from)? {
            PhoneHolder::Known(s) => Some(s.patient),
            PhoneHolder::Hidden => {
                hidden = true;
                None
            }
            PhoneHolder::Nobody => None,
        },
        _ => None,
    };
    if existing.is_none() && c.name.is_none() {
        return Err(Error::field(
            "name",
            crate::text::msg!("e-name_is_required_for_a_new_patient"),
        ));
    }
    let service = r
        .service
        .as_deref()
        .map(|s| services::find_for_booking(tx, s))
        .transpose()?;
    Ok((
        t,
        Who {
            existing,
            phone,
            hidden,
        },
        service,
    ))
}

/// Rules 4–8: a walk-in's place now, or the asked-for local time's (an
/// overbooking's where 6 or 8 would refuse it).
fn find_place(
    tx: &Tx,
    r: &BookRequest,
    c: &Checked,
    p: &Prepared,
    now: DateTime<Utc>,
) -> Result<Placement> {
    let (t, req) = (&p.target, &p.request(r));
    let patient_id = p.existing.as_ref().map(|p| p.id.as_str());
    if r.walk_in {
        return place_walk_in(tx, now, t, req, patient_id);
    }
    let start = asked_start(r, t, now)?;
    match c.overbook {
        Some(_) => place_overbooked(tx, now, t, start, req, (patient_id, r.overbook_resource)),
        None => place(tx, now, t, start, req, patient_id, r.hold.as_deref()),
    }
}

/// Rule 4: the start asked for, an instant and its local date.
fn asked_start(
    r: &BookRequest,
    t: &Target,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, NaiveDate)> {
    let today = time::local_today(t.clinic.timezone, now);
    let mut none = Problems::default();
    let when = parse_when(
        &r.when,
        today,
        Some(t.clinic.settings.date_order()),
        &mut none,
    );
    none.finish()?;
    let when = when
        .ok_or_else(|| Error::field("time", crate::text::msg!("e-date_and_time_are_required")))?;
    resolve_when(&t.clinic, when)
}

/// The doctor's day a booking at `t` will read the closures, busy times
/// and tokens of, when it can be told now (its time read).
fn day_to_ask(tx: &Tx, r: &BookRequest, t: Target, now: DateTime<Utc>) -> Option<DoctorDay> {
    if r.walk_in || r.repeat.is_some() {
        return None;
    }
    let (_, date) = asked_start(r, &t, now).ok()?;
    let (doctor, (from, to)) = schedule::doctor_day(tx, &t, date).ok()??;
    Some(DoctorDay {
        // A doctor's, whichever window.
        token_scope: t.token_scope(""),
        clinic: t.clinic.id.clone(),
        doctor,
        date,
        from,
        to,
    })
}

/// [`day_to_ask`]'s answer: a doctor's day at a clinic, and the span of
/// time whose appointments compete with it.
pub(super) struct DoctorDay {
    pub token_scope: String,
    pub clinic: String,
    pub doctor: String,
    pub date: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The patient a booking is for, as written.
pub(super) struct Written {
    pub id: String,
    pub name: String,
    pub phone: String,
    /// The name a new one replaced.
    pub renamed_from: Option<String>,
    /// Made by this booking: no waitlist entry can be theirs.
    pub created: bool,
    /// The name given for another clinic's patient, which their record
    /// does not take: the appointment keeps it.
    pub name_given: Option<String>,
}

/// The patient the booking is for: found, made or renamed by phone (the
/// national ID sealed inside the write, against the IDs as they are now).
pub(super) fn write_patient(
    tx: &Tx,
    c: &Checked,
    p: &Prepared,
    keys: &Keys,
    now: DateTime<Utc>,
) -> Result<Written> {
    let existing = p.existing.as_ref();
    match (p.phone.as_deref(), existing) {
        (Some(ph), _) => {
            let n = c
                .name
                .as_deref()
                .or(existing.map(|p| p.full_name.as_str()))
                .unwrap_or_default();
            let ring = c
                .national_id
                .as_ref()
                .map(|_| patients::sealing_keys(tx, keys))
                .transpose()?;
            let id = c.national_id.as_deref().zip(ring.as_ref());
            // Who has the phone is known when no one was found (the phone
            // was asked, `references`) or the one found has it (phones are
            // unique); a patient found by reference with another phone is not.
            // A patient of another clinic is not, and is not the caller's
            // to change: their record stays as it is, and the name given
            // goes on the appointment (docs/api.md#another-clinics-patient).
            let owner = match existing {
                _ if p.hidden => patients::PhoneOwner::Another,
                Some(e) if e.phone != ph => patients::PhoneOwner::Unasked,
                _ => patients::PhoneOwner::Asked(existing),
            };
            let done = patients::upsert_by_phone(tx, n, ph, owner, id, &c.contact, now)?;
            Ok(Written {
                name_given: (p.hidden && !done.created).then(|| n.to_string()),
                id: done.id,
                name: n.to_string(),
                phone: ph.to_string(),
                renamed_from: done.renamed_from,
                created: done.created,
            })
        }
        (None, Some(p)) => Ok(Written {
            name_given: None,
            id: p.id.clone(),
            name: p.full_name.clone(),
            phone: p.phone.clone(),
            renamed_from: None,
            created: false,
        }),
        (None, None) => Err(Error::field(
            "patient",
            crate::text::msg!("e-patient_or_phone_is_required"),
        )),
    }
}

/// The new appointment as it will be stored.
#[allow(clippy::too_many_arguments)]
fn new_row(
    r: &BookRequest,
    c: &Checked,
    t: &Target,
    service: Option<&Service>,
    spot: &Placement,
    patient_id: String,
    token: i64,
    now: DateTime<Utc>,
) -> AppointmentRow {
    AppointmentRow {
        id: store::new_id(),
        clinic_id: t.clinic.id.clone(),
        doctor_id: t.doctor.as_ref().map(|d| d.id.clone()),
        patient_id,
        service_id: service.map(|s| s.id.clone()),
        window_id: spot.window_id().map(String::from),
        local_date: spot.date,
        starts_at: spot.start,
        ends_at: spot.end,
        duration_minutes: spot.duration,
        status: if r.walk_in {
            Status::CheckedIn
        } else {
            Status::Scheduled
        },
        token_number: token,
        source: if r.walk_in {
            "walk_in".into()
        } else {
            r.source.clone()
        },
        session: spot.session().or(r.session.clone()),
        batch: spot.batch(),
        reason: c.reason.clone(),
        notes: c.notes.clone(),
        diagnosis: None,
        prescription: None,
        follow_up_required: false,
        follow_up_date: None,
        cancellation_reason: None,
        external_reference_id: c.external_ref.clone(),
        created_at: now,
        updated_at: now,
        confirmed_at: None,
        checked_in_at: r.walk_in.then_some(now),
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        no_show_at: None,
        series_id: None,
        buffer_before: service.map_or(0, |s| s.buffer_before),
        buffer_after: service.map_or(0, |s| s.buffer_after),
        urgency: Default::default(),
        modality: Default::default(),
        visit_type: Default::default(),
        payer: None,
        overbooked: None,
    }
}

/// What follows a booking: its events (docs/rules.md#events: the appointment
/// as its JSON object, and, on a series' `first` or a booking, the name the
/// booking replaced) and the waitlist. The patient's confirmation is the
/// caller's: one for a booking, one for a whole series.
pub(super) fn tell(
    tx: &Tx,
    r: &BookRequest,
    saved: &Appointment,
    who: &Written,
    first: bool,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    // Nothing of the row is stored: it is the row as it is now, every later
    // change undone (docs/rules.md#events).
    #[derive(serde::Serialize)]
    struct Booked<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        patient_previous_name: Option<&'a str>,
    }
    let data = Booked {
        patient_previous_name: who.renamed_from.as_deref().filter(|_| first),
    };
    events::record(tx, EventKind::Booked, &saved.id, &data, actor, now)?;
    if r.walk_in {
        // Booked and arrived at once: the booking stored it arrived, so this
        // event changed nothing more.
        let data = serde_json::json!({ "was": {} });
        events::record(tx, EventKind::CheckedIn, &saved.id, &data, actor, now)?;
    }
    if who.created {
        return Ok(());
    }
    waitlist::booked(tx, saved, now)
}
