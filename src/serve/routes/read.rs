//! The endpoints that read (`GET`, the `appointments:read` scope): each
//! reads its query into its command's request and answers with the
//! command's JSON view.

use super::{full_id, Answer, Call, Caller};
use crate::app::list::{self, CountRequest, ListRequest};
use crate::app::next::{self, NextRequest};
use crate::app::slots::{self, SlotsRequest};
use crate::app::visit::VisitInput;
use crate::app::{agenda, clinic, doctor, events, service, Store};
use crate::error::{Error, Result};
use crate::output::json;

/// `GET /v1/clinics`: `clinic list` (a token limited to a clinic sees its own).
pub(super) fn clinics(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    call.query().finish()?;
    let all = clinic::list(st)?;
    let own = &who.grant.clinic_id;
    let items = all
        .iter()
        .filter(|c| own.as_ref().is_none_or(|o| o == &c.id))
        .map(json::clinic)
        .collect();
    Ok(Answer::ok(json::list("clinics", items)))
}

/// `GET /v1/doctors`: `doctor list`.
pub(super) fn doctors(st: &mut Store, call: &Call, _: &Caller) -> Result<Answer> {
    call.query().finish()?;
    let all = doctor::list(st)?;
    Ok(Answer::ok(json::list(
        "doctors",
        all.doctors.iter().map(json::doctor).collect(),
    )))
}

/// `GET /v1/resources`: `resource list` (a token limited to a clinic sees
/// its own clinic's).
pub(super) fn resources(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    call.query().finish()?;
    let all = crate::app::resource::list(st, None)?;
    let own = &who.grant.clinic_id;
    let items = all
        .iter()
        .filter(|r| own.as_ref().is_none_or(|o| o == &r.clinic_id))
        .map(json::resource)
        .collect();
    Ok(Answer::ok(json::list("resources", items)))
}

/// `GET /v1/services`: `service list`.
pub(super) fn services(st: &mut Store, call: &Call, _: &Caller) -> Result<Answer> {
    call.query().finish()?;
    let all = service::list(st)?;
    Ok(Answer::ok(json::list(
        "services",
        all.iter().map(json::service).collect(),
    )))
}

/// `GET /v1/slots`: `slots`.
pub(super) fn slots(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let named = q.text("clinic");
    let mut req = SlotsRequest {
        clinic: None,
        doctor: q.text("doctor"),
        clinic_wide: q.flag("clinic_wide"),
        date: q.text("date").unwrap_or_default(),
        service: q.text("service"),
        duration: q.int("duration"),
        session: q.text("session"),
        except: None,
        explain: false,
    };
    let all = q.flag("all");
    q.finish()?;
    // Its values before the clinic is looked up, as the use case checks them.
    req.check()?;
    req.clinic = who.clinic(st, named)?;
    let day = slots::day(st, &req, who.now)?;
    Ok(Answer::ok(json::day_slots(&day, all)))
}

/// `GET /v1/next`: `next`.
pub(super) fn next(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let named = q.text("clinic");
    let mut req = NextRequest {
        clinic: None,
        doctor: q.text("doctor"),
        specialty: q.text("specialty"),
        service: q.text("service"),
        after: q.text("after"),
        limit: q.int("limit"),
    };
    q.finish()?;
    req.clinic = who.clinic(st, named)?;
    let found = next::next(st, &req, who.now)?;
    Ok(Answer::ok(json::next_slots(&found)))
}

/// `GET /v1/appointments`: `list`, with the seed's names (`start`, `end`,
/// `doctor_id`).
pub(super) fn list(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let named = q.text("clinic");
    let mut req = ListRequest {
        clinic: None,
        zone: who.zone,
        date: q.text("date"),
        from: q.text("start"),
        to: q.text("end"),
        status: q.text("status"),
        doctor: q.text("doctor_id"),
        patient: q.text("patient"),
        source: q.text("source"),
        series: q.text("series"),
        visit: VisitInput {
            urgency: q.text("urgency"),
            modality: q.text("modality"),
            visit_type: q.text("visit_type"),
            payer: q.text("payer"),
        },
        page: q.int("page").unwrap_or(1),
        limit: q.int("limit").unwrap_or(50),
        seen_from: who.grant.clinic_id.clone(),
    };
    q.finish()?;
    req.check()?;
    req.clinic = who.clinic(st, named)?;
    let p = list::list(st, &req, who.now)?;
    Answer::streamed(|out| {
        json::appointments_page(&p.appointments, (p.total, p.page, p.limit), out, false)
    })
}

/// `GET /v1/appointments/count`: `count`.
pub(super) fn count(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let named = q.text("clinic");
    let mut req = CountRequest {
        clinic: None,
        since: q.text("since"),
        zone: who.zone,
        source: q.text("source"),
        status: q.text("status"),
        by: q.text("by"),
        overbooked: q.flag("overbooked"),
    };
    q.finish()?;
    req.clinic = who.clinic(st, named)?;
    let counted = list::count(st, &req, who.now)?;
    Ok(Answer::ok(json::count(&counted)))
}

/// `GET /v1/appointments/{id}`: `show`.
pub(super) fn show(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    call.query().finish()?;
    let a = who.appointment(st, call.id())?;
    Ok(Answer::ok(json::appointment(&a)))
}

/// `GET /v1/appointments/{id}/history`: `history`.
pub(super) fn history(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    call.query().finish()?;
    let id = call.id();
    let h = list::history(st, full_id(id)?, who.now)?;
    who.sees(&h.appointment, id)?;
    Ok(Answer::ok(json::history(&h)))
}

/// `GET /v1/agenda`: `agenda` for one day, which the API must name (the
/// command's default, today, is the desk's).
pub(super) fn agenda(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let named = q.text("clinic");
    let date = q.text("date");
    let doctor = q.text("doctor");
    q.finish()?;
    let Some(date) = date else {
        return Err(Error::field(
            "date",
            crate::text::msg!("e-date_is_required"),
        ));
    };
    let clinic = who.clinic(st, named)?;
    let days = agenda::agenda(
        st,
        clinic.as_deref(),
        Some(&date),
        doctor.as_deref(),
        1,
        who.now,
    )?;
    Answer::streamed(|out| json::agenda_days(&days, out, false))
}

/// `GET /v1/events`: `events`, a page at a time (the command streams them
/// all): `{"events":[…],"last_id":N}`.
pub(super) fn events(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let after = q.int("after");
    let limit = q.int("limit").unwrap_or(100);
    let kind = q.text("type");
    q.finish()?;
    // A page is held whole before it is sent.
    if !(1..=1000).contains(&limit) {
        return Err(Error::field(
            "limit",
            crate::text::msg!("e-limit_between_1_and_1000"),
        ));
    }
    let mut lines = Vec::new();
    let mut last = after.unwrap_or(0);
    events::stream(
        st,
        after,
        kind.as_deref(),
        Some(limit),
        who.grant.clinic_id.as_deref(),
        &mut |e, text| {
            last = e.id;
            lines.push(json::event_line(e, text));
            Ok(())
        },
    )?;
    Ok(Answer::of(
        200,
        json::events_page(&lines, last).into_bytes(),
        false,
    ))
}

/// `GET /v1/inbox`: `appt inbox` (`all=true`: done ones too), a token
/// limited to a clinic seeing its own clinic's only.
pub(super) fn inbox(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let all = q.bool("all").unwrap_or(false);
    let clinic = q.text("clinic");
    q.finish()?;
    let items = crate::app::inbox::list(
        st,
        clinic.as_deref(),
        who.grant.clinic_id.as_deref(),
        all,
        who.now,
    )?;
    Ok(Answer::ok(json::inbox(&items)))
}

/// `GET /v1/recalls`: `recall list`, a token limited to a clinic seeing
/// its own clinic's only (another named is as missing).
pub(super) fn recalls(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let req = crate::app::recall::ListRequest {
        clinic: q.text("clinic"),
        due_before: q.text("due_before"),
        status: q.text("status"),
        seen_from: who.grant.clinic_id.clone(),
    };
    q.finish()?;
    let all = crate::app::recall::list(st, &req, who.now)?;
    Ok(Answer::ok(json::recalls(&all)))
}
