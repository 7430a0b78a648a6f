//! A doctor's own calendars over HTTP (docs/api.md#calendars,
//! docs/calendars.md), for a token with `calendars:admin`: `appt calendar
//! list|show|add|sync|remove`. The password comes in the body, never the
//! URL; no answer holds the address or the password. A calendar holds no
//! patient: a token limited to a clinic sees every doctor's, as it sees
//! every doctor.

use super::{Answer, Call, Caller};
use crate::app::calendar::{self, AddRequest, Which};
use crate::app::Store;
use crate::error::Result;
use crate::output::json;

/// `GET /v1/calendars`: `calendar list`.
pub(super) fn list(st: &mut Store, call: &Call, _: &Caller) -> Result<Answer> {
    call.query().finish()?;
    let all = calendar::list(st)?;
    Ok(Answer::ok(json::list(
        "calendars",
        all.iter().map(json::calendar).collect(),
    )))
}

/// `GET /v1/calendars/{name}`: `calendar show`.
pub(super) fn show(st: &mut Store, call: &Call, _: &Caller) -> Result<Answer> {
    call.query().finish()?;
    Ok(Answer::ok(json::calendar(&calendar::find(st, call.id())?)))
}

/// `POST /v1/calendars`: `calendar add`, read at once (201), or
/// `DELIVERY_FAILED` saying why it could not be, and nothing added.
pub(super) fn add(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut b = call.body()?;
    let req = AddRequest {
        name: b.text("name").unwrap_or_default(),
        doctor: b.text("doctor").unwrap_or_default(),
        url: b.text("url").unwrap_or_default(),
        user: b.text("user"),
        password: b.text("password"),
        write: b.flag("write").unwrap_or(false),
        key: who.key.clone(),
    };
    b.finish()?;
    let added = calendar::add(st, &req, who.now)?;
    let mut a = Answer::ok(json::calendar(&added.calendar));
    a.status = 201;
    Ok(a)
}

/// `POST /v1/calendars/{name}/sync`: `calendar sync NAME`; a calendar
/// that could not be read is `DELIVERY_FAILED`, its last busy times kept.
pub(super) fn sync(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    call.body()?.finish()?;
    let which = Which::Named(call.id().to_string());
    let done = calendar::sync(st, &which, who.key.clone(), who.now)?;
    if let Some(e) = calendar::shortfall(&done) {
        return Err(e);
    }
    Ok(Answer::ok(json::synced(&done)))
}

/// `DELETE /v1/calendars/{name}`: `calendar remove`.
pub(super) fn remove(st: &mut Store, call: &Call, _: &Caller) -> Result<Answer> {
    call.query().finish()?;
    Ok(Answer::ok(json::calendar(&calendar::remove(
        st,
        call.id(),
    )?)))
}
