//! The endpoints open to anyone: `/healthz`, and a patient's pages
//! (docs/api.md#patient-links), whose link is their key.

use super::{Answer, Call};
use crate::app::reply::{self, Opened, State};
use crate::app::Store;
use crate::error::{Code, Error, Result};
use crate::output::json;
use crate::output::page::{self, Note};
use chrono::{DateTime, Utc};

/// `GET /healthz`: whether the database answers.
pub(super) fn health(st: &mut Store, _: &Call, _: DateTime<Utc>) -> Result<Answer> {
    st.ping()?;
    Ok(Answer::ok(json::health()))
}

/// `GET /p/{token}`: the page of what a patient's link opens;
/// `/p/{token}.ics`, its visit as a calendar file ("add to calendar").
pub(super) fn open(st: &mut Store, call: &Call, now: DateTime<Utc>) -> Result<Answer> {
    let token = call.id();
    if let Some(token) = token.strip_suffix(".ics") {
        return match reply::calendar(st, token) {
            Ok((a, lang, sequence)) => Ok(Answer::text(
                200,
                "text/calendar; charset=utf-8",
                crate::output::ics::one(&a, sequence, lang, now)?,
            )),
            Err(e) if e.code == Code::NotFound => Ok(Answer::html(404, page::gone())),
            Err(e) => Err(e),
        };
    }
    // A day the patient picked for another time (`?day=YYYY-MM-DD`); one
    // that does not read is as none.
    let day = call
        .query()
        .text("day")
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    show(st, token, &format!("/p/{token}"), day, None, 200, now)
}

/// `POST /p/{token}`: an answer posted from a patient's page, and the page
/// saying what happened. Every refusal is a page in the clinic's language,
/// with the status of its code; a link that opens nothing is the same 404
/// page whatever was wrong with it.
pub(super) fn answer(st: &mut Store, call: &Call, now: DateTime<Utc>) -> Result<Answer> {
    let token = call.id();
    let action = format!("/p/{token}");
    let form: Vec<(String, String)> = form_urlencoded::parse(&call.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let done = |key| Note { key, bad: false };
    let mut reason = field("reason");
    if reason.is_empty() {
        reason = field("reason_other");
    }
    let result = match field("action").as_str() {
        "confirm" => reply::confirm(st, token, now).map(|_| done("pg-confirmed")),
        "cancel" => reply::cancel(st, token, &reason, now).map(|_| done("pg-cancelled")),
        "move" => reply::move_to(st, token, &field("at"), now).map(|_| done("pg-moved")),
        "take" => reply::take(st, token, now).map(|_| done("pg-taken")),
        _ => Err(Error::field(
            "action",
            crate::text::msg!("e-action_must_be"),
        )),
    };
    match result {
        Ok(note) => show(st, token, &action, None, Some(note), 200, now),
        Err(e) => {
            let key = match e.code {
                Code::NotFound => return Ok(Answer::html(404, page::gone())),
                Code::Database | Code::Internal => return Err(e),
                // A freed time taken meanwhile closes its offer.
                Code::AppointmentConflict | Code::SlotFull | Code::DuplicateBooking
                    if field("action") == "take" =>
                {
                    "pg-offer_closed"
                }
                // A time another visit, a room or the doctor's own calendar
                // holds: taken, as the patient sees it.
                Code::AppointmentConflict
                | Code::SlotFull
                | Code::DuplicateBooking
                | Code::ResourceBusy
                | Code::CalendarBusy => "pg-time_taken",
                Code::CancellationWindow => "pg-too_late",
                Code::InsufficientNotice | Code::BeyondHorizon => "pg-out_of_reach",
                Code::InvalidStateTransition | Code::PastAppointment => "pg-over",
                Code::SlotInactive => "pg-offer_closed",
                Code::Validation if e.details.get("reason").is_some() && reason.is_empty() => {
                    "pg-no_reason"
                }
                Code::Validation if e.details.get("reason").is_some() => "pg-bad_reason",
                _ => "pg-refused",
            };
            let status = e.code.http_status();
            show(
                st,
                token,
                &action,
                None,
                Some(Note { key, bad: true }),
                status,
                now,
            )
        }
    }
}

/// The page of what `token` opens now, with `note` above it.
fn show(
    st: &mut Store,
    token: &str,
    action: &str,
    day: Option<chrono::NaiveDate>,
    note: Option<Note>,
    status: u16,
    now: DateTime<Utc>,
) -> Result<Answer> {
    match reply::open(st, token, now) {
        Err(e) if e.code == Code::NotFound => Ok(Answer::html(404, page::gone())),
        Err(e) => Err(e),
        Ok(Opened::Visit(v)) => {
            let times = if v.state == State::Open {
                reply::other_times(st, &v, day, now)?
            } else {
                Vec::new()
            };
            let days = reply::days_offered(&v, now);
            let picked = page::Picked { day, days };
            Ok(Answer::html(
                status,
                page::visit(&v, &times, &picked, action, note),
            ))
        }
        Ok(Opened::Offer(o)) => Ok(Answer::html(status, page::offer(&o, action, note))),
    }
}
