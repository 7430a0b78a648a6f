//! `book`: docs/rules.md#booking in order — values, references, idempotency, local time,
//! time rules, availability, duplicates, capacity — then one write. Every
//! front end (the command line, the API, the board, `import`) books through
//! [`book`] (or, inside a transaction of its own, [`book_in`]), which books
//! a series when the request repeats ([`super::series`]) and one
//! appointment otherwise.

pub(super) use super::book_one::{to_ask, ToAsk};
pub use super::book_one::{BookRequest, Booked, Checked};
use super::repeat;
use super::schedule::{parse_when, target};
use super::series::{self, SeriesBooked};
use super::values::{self, check_text, Problems};
use crate::core::{Actor, Appointment, SOURCES};
use crate::error::Result;
use crate::store::db::Tx;
use crate::store::keys::Keys;
use crate::store::Store;
use chrono::{DateTime, Utc};

/// What a booking made: one appointment, or the series a request with a
/// repeat asks for.
// Returned once per request and matched at once: boxing the one
// appointment would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Booking {
    One(Booked),
    Series(SeriesBooked),
}

impl Booking {
    /// The external reference was already booked: nothing was made.
    pub fn idempotent(&self) -> bool {
        match self {
            Booking::One(b) => b.idempotent,
            Booking::Series(s) => s.idempotent,
        }
    }

    /// The appointments it made (or found booked already): one, or the
    /// series' occurrences in date order.
    pub fn appointments(&self) -> &[Appointment] {
        match self {
            Booking::One(b) => std::slice::from_ref(&b.appointment),
            Booking::Series(s) => &s.appointments,
        }
    }
}

/// The payers of the clinic a booking with `doctor` (at `clinic`) goes
/// to, for a front end that offers them; none while that clinic cannot be
/// told (its refusal is the booking's own, later).
pub fn payers_for(st: &mut Store, clinic: Option<&str>, doctor: Option<&str>) -> Vec<String> {
    st.read(|tx| {
        Ok(target(tx, clinic, doctor)
            .map(|t| std::sync::Arc::unwrap_or_clone(t.clinic).settings.payers))
    })
    .ok()
    .and_then(|found| found.ok())
    .unwrap_or_default()
}

/// Books `r` for `actor` (who the events name, docs/rules.md#events): the
/// series its repeat asks for, else one appointment.
pub fn book(st: &mut Store, r: &BookRequest, actor: &Actor, now: DateTime<Utc>) -> Result<Booking> {
    let checked = check(r, now)?;
    let keys = st.keys(r.key.clone());
    st.write(|tx| book_in(tx, r, &checked, &keys, actor, now))
        .map_err(|e| super::seen::refusal(st, e, r.seen_from.as_deref()))
}

/// [`book`] inside the caller's write transaction (an import line's), for a
/// request that passed rule 1 ([`check`]): the checked repeat, not the
/// caller, chooses a series.
pub fn book_in(
    tx: &Tx,
    r: &BookRequest,
    c: &Checked,
    keys: &Keys,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Booking> {
    match &c.repeat {
        Some(repeat) => series::book_in(tx, r, c, repeat, keys, actor, now).map(Booking::Series),
        None => super::book_one::book_one(tx, r, c, keys, actor, now).map(Booking::One),
    }
}

/// Rule 1: values, every bad field named at once.
pub fn check(r: &BookRequest, now: DateTime<Utc>) -> Result<Checked> {
    let mut bad = Problems::default();
    if r.doctor.is_none() && !r.clinic_wide {
        bad.add(
            "doctor",
            crate::text::msg!("e-doctor_or_clinic_wide_is_required"),
        );
    }
    values::not_both(
        &mut bad,
        ("doctor", r.doctor.is_some()),
        ("clinic_wide", r.clinic_wide),
    );
    let patient = ("patient", r.patient.is_some());
    values::not_both(&mut bad, patient, ("phone", r.phone.is_some()));
    values::not_both(&mut bad, patient, ("name", r.name.is_some()));
    values::not_both(&mut bad, patient, ("national_id", r.national_id.is_some()));
    values::not_both(&mut bad, patient, ("email", r.email.is_some()));
    values::not_both(&mut bad, patient, ("channel", r.channel.is_some()));
    let when_given = r.when.at.is_some() || r.when.date.is_some() || r.when.time.is_some();
    if r.walk_in {
        if when_given {
            bad.add(
                "walk_in",
                crate::text::msg!("e-a_walk_in_is_booked_now_give"),
            );
        }
    } else if r.when.at.is_none() && (r.when.date.is_none() || r.when.time.is_none()) {
        bad.add(
            "time",
            crate::text::msg!("e-date_and_time_or_at_are_required"),
        );
    }
    let (phone, name) = values::check_patient(
        r.patient.as_deref(),
        r.phone.as_deref(),
        r.name.as_deref(),
        &mut bad,
    );
    let national_id = r
        .national_id
        .as_deref()
        .and_then(|n| bad.check("national_id", values::check_national_id(n)));
    let contact = values::check_contact(r.email.as_deref(), r.channel.as_deref(), &mut bad);
    let _ = parse_when(&r.when, now.date_naive(), None, &mut bad);
    let repeat = r
        .repeat
        .as_ref()
        .and_then(|rep| repeat::check(rep, r.walk_in, now.date_naive(), &mut bad));
    if let Some(d) = r.duration {
        bad.take("duration", values::length_minutes("duration", d));
    }
    if !SOURCES.contains(&r.source.as_str()) {
        bad.add(
            "source",
            crate::text::msg!("e-source_must_be_one_of", a = SOURCES.join(", ")),
        );
    }
    let reason = check_text("reason", r.reason.as_deref(), &mut bad);
    let notes = check_text("notes", r.notes.as_deref(), &mut bad);
    let external_ref = values::label(r.external_ref.as_deref());
    if external_ref
        .as_ref()
        .is_some_and(|r| r.chars().count() > 200)
    {
        bad.add(
            "external_ref",
            crate::text::msg!("e-external_ref_must_be_at_most_200"),
        );
    }
    let visit = r.visit.check(&mut bad);
    let overbook = r.overbook.as_deref().and_then(|why| {
        if why.trim().is_empty() {
            bad.add("overbook", crate::text::msg!("e-overbook_needs_a_reason"));
        }
        let why = check_text("overbook", Some(why), &mut bad);
        if r.walk_in || r.repeat.is_some() || r.clinic_wide {
            bad.add(
                "overbook",
                crate::text::msg!("e-overbook_one_visit_with_a_doctor"),
            );
        }
        why
    });
    bad.finish()?;
    Ok(Checked {
        phone,
        name,
        national_id,
        contact,
        reason,
        notes,
        external_ref,
        repeat,
        visit,
        overbook,
    })
}
