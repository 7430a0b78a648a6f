//! The endpoints that change appointments (the `appointments:write` scope),
//! and the erasure of a patient (`patients:erase`): each reads its body
//! (or, for `DELETE`, its query) into its command's request and calls the
//! command's one entry point, which chooses between one appointment and a
//! series from the request.

use super::{Answer, Call, Caller};
use crate::app::book::{self, BookRequest, Booking};
use crate::app::change::{
    self, CancelRequest, Changed, RescheduleRequest, StatusRequest, UpdateRequest,
};
use crate::app::erase::{self, EraseRequest};
use crate::app::repeat::RepeatInput;
use crate::app::schedule::WhenInput;
use crate::app::visit::VisitInput;
use crate::app::{waitlist, Store};
use crate::core::access::Scope;
use crate::error::{Error, Result};
use crate::output::json;

/// `POST /v1/appointments`: `book`, with `source` `api` unless given, the
/// `Idempotency-Key` header as the external reference, and
/// `send_notification: false` as `--no-notify`.
pub(super) fn book(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    let named = b.text("clinic");
    let external_ref = b.text("external_ref");
    let (overbook, overbook_resource) = overbook(&mut b)?;
    let mut req = BookRequest {
        clinic: None,
        doctor: b.text("doctor"),
        clinic_wide: b.flag("clinic_wide").unwrap_or(false),
        when: WhenInput {
            date: b.text("date"),
            time: b.text("time"),
            at: b.text("at"),
        },
        patient: b.text("patient"),
        phone: b.text("phone"),
        name: b.text("name"),
        national_id: b.text("national_id"),
        email: b.text("email"),
        channel: b.text("channel"),
        service: b.text("service"),
        duration: b.int("duration"),
        session: b.text("session"),
        reason: b.text("reason"),
        notes: b.text("notes"),
        source: b.text("source").unwrap_or_else(|| "api".into()),
        external_ref: None,
        key: who.key.clone(),
        walk_in: b.flag("walk_in").unwrap_or(false),
        no_notify: !b.flag("send_notification").unwrap_or(true),
        repeat: None,
        seen_from: who.grant.clinic_id.clone(),
        visit: visit(&mut b),
        overbook,
        hold: None,
        resource: b.text("resource"),
        overbook_resource,
        past_calendar: false,
    };
    if req.overbook.is_some() && !who.grant.has(Scope::AppointmentsOverbook) {
        return Err(super::insufficient(Scope::AppointmentsOverbook));
    }
    req.repeat = RepeatInput::given(
        b.text("repeat"),
        b.int("every"),
        b.int("count"),
        b.text("until"),
        b.flag("skip_conflicts").unwrap_or(false),
    );
    b.finish()?;
    req.external_ref = match (external_ref, call.idempotency_key.clone()) {
        (Some(body), Some(header)) if body != header => {
            return Err(Error::field(
                "external_ref",
                crate::text::msg!("e-external_ref_differs"),
            ))
        }
        (body, header) => header.or(body),
    };
    req.clinic = who.clinic(st, named)?;
    let booked = book::book(st, &req, &who.actor(), who.now)?;
    Ok(booked_answer(&booked))
}

/// The kind of visit a body names (docs/rules.md#visits): `urgency`,
/// `modality`, `visit_type`, `payer`, in either language.
fn visit(b: &mut crate::serve::input::Body) -> VisitInput {
    VisitInput {
        urgency: b.text("urgency"),
        modality: b.text("modality"),
        visit_type: b.text("visit_type"),
        payer: b.text("payer"),
    }
}

/// `"overbook": {"reason": …}` (docs/rules.md#overbooking): the reason,
/// blank when the object gives none (rule 1 refuses it).
/// A booking's `overbook`: its reason, and whether it may take a room or
/// machine past its capacity too (`"resources": true`, as
/// `--overbook-resource`).
fn overbook(b: &mut crate::serve::input::Body) -> Result<(Option<String>, bool)> {
    match b.object("overbook") {
        None => Ok((None, false)),
        Some(mut o) => {
            let reason = o.text("reason");
            let resources = o.flag("resources").unwrap_or(false);
            o.finish()?;
            Ok((Some(reason.unwrap_or_default()), resources))
        }
    }
}

/// A booking's answer: `book --json`'s document, `201` with where it lives
/// when it was made now (`200` when its external reference found it).
fn booked_answer(booked: &Booking) -> Answer {
    let (mut a, location) = match booked {
        Booking::One(b) => (
            Answer::ok(json::booked(b)),
            format!("/v1/appointments/{}", b.appointment.id),
        ),
        Booking::Series(s) => (
            Answer::ok(json::series(
                &s.series_id,
                &s.appointments,
                &s.skipped,
                Some(s.idempotent),
            )),
            format!("/v1/appointments?series={}", s.series_id),
        ),
    };
    if !booked.idempotent() {
        a.status = 201;
        a.location = Some(location);
    }
    a
}

/// A move's or a cancellation's answer: the appointment, or for a series
/// `{"series_id","appointments"}`.
fn changed_answer(changed: &Changed) -> Answer {
    match changed {
        Changed::One(a) => Answer::ok(json::appointment(a)),
        Changed::Series(s) => Answer::ok(json::series(&s.series_id, &s.appointments, &[], None)),
    }
}

/// `POST /v1/appointments/{id}/reschedule`: `reschedule`.
pub(super) fn reschedule(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    let named = b.text("clinic");
    let mut req = RescheduleRequest {
        id: String::new(),
        clinic: None,
        when: WhenInput {
            date: b.text("date"),
            time: b.text("time"),
            at: b.text("at"),
        },
        doctor: b.text("doctor"),
        duration: b.int("duration"),
        reason: b.text("reason"),
        force: b.flag("force").unwrap_or(false),
        past_calendar: false,
        no_notify: !b.flag("send_notification").unwrap_or(true),
        seen_from: who.grant.clinic_id.clone(),
        series: b.flag("series").unwrap_or(false),
        visit: visit(&mut b),
    };
    b.finish()?;
    req.id = who.appointment(st, call.id())?.id.clone();
    req.clinic = who.clinic(st, named)?;
    let moved = change::reschedule(st, &req, &who.actor(), who.now)?;
    Ok(changed_answer(&moved))
}

/// `POST /v1/appointments/{id}/cancel`: `cancel`.
pub(super) fn cancel(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    let req = CancelRequest {
        id: String::new(),
        reason: b.text("reason"),
        tell_patient: b.text("tell_patient"),
        force: b.flag("force").unwrap_or(false),
        no_notify: !b.flag("send_notification").unwrap_or(true),
        series: b.flag("series").unwrap_or(false),
        seen_from: who.grant.clinic_id.clone(),
    };
    b.finish()?;
    cancelled(st, call, who, req)
}

/// `DELETE /v1/appointments/{id}`: `cancel`, its fields in the query.
pub(super) fn delete(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let req = CancelRequest {
        id: String::new(),
        reason: q.text("reason"),
        tell_patient: q.text("tell_patient"),
        force: q.flag("force"),
        no_notify: !q.bool("send_notification").unwrap_or(true),
        series: q.flag("series"),
        seen_from: who.grant.clinic_id.clone(),
    };
    q.finish()?;
    cancelled(st, call, who, req)
}

/// Cancels the path's appointment (one the token may see) as `req` asks.
fn cancelled(st: &mut Store, call: &Call, who: &Caller, mut req: CancelRequest) -> Result<Answer> {
    req.id = who.appointment(st, call.id())?.id.clone();
    let done = change::cancel(st, &req, &who.actor(), who.now)?;
    Ok(changed_answer(&done))
}

/// `POST /v1/appointments/{id}/status`: `status`; its clinical fields need
/// the `clinical` scope.
pub(super) fn status(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    who.clinical(&b, &["diagnosis", "prescription", "follow_up"])?;
    let mut req = StatusRequest {
        id: String::new(),
        status: b.text("status").unwrap_or_default(),
        diagnosis: b.text("diagnosis"),
        prescription: b.text("prescription"),
        follow_up: b.text("follow_up"),
        notes: b.text("notes"),
    };
    b.finish()?;
    // Its values before the appointment is looked up, as the use case checks them.
    req.check()?;
    req.id = who.appointment(st, call.id())?.id.clone();
    let set = change::set_status(st, &req, &who.actor(), who.now)?;
    Ok(Answer::ok(json::appointment(&set.appointment)))
}

/// `PATCH /v1/appointments/{id}`: `update`; its clinical fields need the
/// `clinical` scope.
pub(super) fn update(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    who.clinical(
        &b,
        &["diagnosis", "prescription", "follow_up", "no_follow_up"],
    )?;
    let mut req = UpdateRequest {
        id: String::new(),
        reason: b.text("reason"),
        notes: b.text("notes"),
        diagnosis: b.text("diagnosis"),
        prescription: b.text("prescription"),
        follow_up: b.text("follow_up"),
        no_follow_up: b.flag("no_follow_up").unwrap_or(false),
        visit: visit(&mut b),
    };
    b.finish()?;
    req.id = who.appointment(st, call.id())?.id.clone();
    let a = change::update(st, &req, &who.actor(), who.now)?;
    Ok(Answer::ok(json::appointment(&a)))
}

/// `POST /v1/waitlist`: `waitlist add`; `201` when added, `200` when the
/// patient was already waiting.
pub(super) fn waitlist(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    let named = b.text("clinic");
    let mut req = waitlist::AddRequest {
        clinic: None,
        doctor: b.text("doctor").unwrap_or_default(),
        date: b.text("date").unwrap_or_default(),
        patient: b.text("patient"),
        phone: b.text("phone"),
        name: b.text("name"),
        email: b.text("email"),
        channel: b.text("channel"),
        service: b.text("service"),
        seen_from: who.grant.clinic_id.clone(),
    };
    b.finish()?;
    req.clinic = who.clinic(st, named)?;
    let (e, existing) = waitlist::add(st, &req, who.now)?;
    let mut a = Answer::ok(json::waitlist_entry(&e));
    if !existing {
        a.status = 201;
    }
    Ok(a)
}

/// `POST /v1/resources`: `resource add`, at the token's clinic (or the
/// one named, for a token of every clinic).
pub(super) fn resource(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    let named = b.text("clinic");
    let input = crate::app::resource::ResourceInput {
        name: b.text("name"),
        kind: b.text("kind"),
        capacity: b.int("capacity"),
        active: None,
    };
    b.finish()?;
    let clinic = who.clinic(st, named)?;
    let r = crate::app::resource::add(st, clinic.as_deref(), &input, who.now)?;
    let mut a = Answer::ok(json::resource(&r));
    a.status = 201;
    Ok(a)
}

/// `POST /v1/patients/{id}/erase`: `patient erase`, the patient by their
/// whole ID only (no phone or name in a URL), and only one the token's
/// clinic knows: any other is as missing. Erasing the clinical record
/// (`"clinical": true`) needs the `clinical` scope too.
pub(super) fn erase(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    let req = EraseRequest {
        patient: String::new(),
        reason: b.text("reason"),
        clinical: b.flag("clinical").unwrap_or(false),
        clinic: None,
        seen_from: who.grant.clinic_id.clone(),
    };
    b.finish()?;
    if req.clinical && !who.grant.has(Scope::Clinical) {
        return Err(super::insufficient(Scope::Clinical));
    }
    let id = call.id();
    if uuid::Uuid::try_parse(id).is_err() {
        return Err(
            Error::not_found(crate::error::Entity::Patient).details(serde_json::json!({"ref": id}))
        );
    }
    let done = erase::erase(
        st,
        &EraseRequest {
            patient: id.to_string(),
            ..req
        },
        &who.actor(),
        who.now,
    )?;
    Ok(Answer::ok(json::erased(&done)))
}
