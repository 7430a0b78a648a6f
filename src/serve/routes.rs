//! The API's endpoints (docs/api.md#endpoints): the table of routes, and for
//! each one what it reads from the request, which use case of `app` it calls
//! (the same as its command's), and which of the command's JSON views it
//! answers with. No rule lives here: what a token may see and do is checked
//! before, and everything else is the use case's.

use super::input::{Body, Query};
use crate::app::book::{self, BookRequest, Booking};
use crate::app::change::{
    self, CancelRequest, Changed, RescheduleRequest, StatusRequest, UpdateRequest,
};
use crate::app::list::{self, CountRequest, ListRequest};
use crate::app::next::{self, NextRequest};
use crate::app::schedule::WhenInput;
use crate::app::series::RepeatInput;
use crate::app::slots::{self, SlotsRequest};
use crate::app::{agenda, clinic, doctor, events, service, waitlist, Store};
use crate::core::access::{Grant, Scope};
use crate::core::Actor;
use crate::error::{Code, Error, Result};
use crate::output::json;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// What an endpoint does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Health,
    OpenApi,
    Clinics,
    Doctors,
    Services,
    Slots,
    Next,
    List,
    Count,
    Show,
    History,
    Agenda,
    Book,
    Reschedule,
    Cancel,
    Delete,
    Status,
    Update,
    Waitlist,
    Events,
    /// A patient's link: its page.
    PatientPage,
    /// A patient's link: an answer posted from its page.
    PatientAnswer,
}

/// One endpoint: its method, its path (`{id}` for an appointment's ID), the
/// scope a token needs (none: open to anyone) and whether it takes a body.
#[derive(Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub scope: Option<Scope>,
    pub body: bool,
    pub op: Op,
}

impl Route {
    /// Whether it may change the database: every method but `GET` (a `GET`
    /// never changes anything, a patient's page's included). A route that
    /// writes takes the server's write turn, whatever its scope.
    pub fn writes(&self) -> bool {
        self.method != "GET"
    }
}

const READ: Option<Scope> = Some(Scope::AppointmentsRead);
const WRITE: Option<Scope> = Some(Scope::AppointmentsWrite);

macro_rules! route {
    ($method:literal $path:literal, $scope:expr, $body:literal, $op:ident) => {
        Route {
            method: $method,
            path: $path,
            scope: $scope,
            body: $body,
            op: Op::$op,
        }
    };
}

/// Every endpoint; `/openapi.json` documents each one, and a test holds the
/// two together.
pub const ROUTES: &[Route] = &[
    route!("GET" "/healthz", None, false, Health),
    route!("GET" "/openapi.json", None, false, OpenApi),
    route!("GET" "/v1/clinics", READ, false, Clinics),
    route!("GET" "/v1/doctors", READ, false, Doctors),
    route!("GET" "/v1/services", READ, false, Services),
    route!("GET" "/v1/slots", READ, false, Slots),
    route!("GET" "/v1/next", READ, false, Next),
    route!("GET" "/v1/appointments", READ, false, List),
    route!("POST" "/v1/appointments", WRITE, true, Book),
    route!("GET" "/v1/appointments/count", READ, false, Count),
    route!("GET" "/v1/appointments/{id}", READ, false, Show),
    route!("PATCH" "/v1/appointments/{id}", WRITE, true, Update),
    route!("DELETE" "/v1/appointments/{id}", WRITE, false, Delete),
    route!("GET" "/v1/appointments/{id}/history", READ, false, History),
    route!("POST" "/v1/appointments/{id}/reschedule", WRITE, true, Reschedule),
    route!("POST" "/v1/appointments/{id}/cancel", WRITE, true, Cancel),
    route!("POST" "/v1/appointments/{id}/status", WRITE, true, Status),
    route!("GET" "/v1/agenda", READ, false, Agenda),
    route!("POST" "/v1/waitlist", WRITE, true, Waitlist),
    route!("GET" "/v1/events", READ, false, Events),
];

/// The patient's pages (docs/api.md#patient-links): HTML, no token, not
/// part of the API's document.
pub const PAGES: &[Route] = &[
    route!("GET" "/p/{token}", None, false, PatientPage),
    route!("POST" "/p/{token}", None, true, PatientAnswer),
];

/// What a path and method found.
pub enum Found {
    Route(&'static Route, Option<String>),
    /// A known path asked with another method: its pattern, and the
    /// methods it has.
    Method(&'static str, Vec<&'static str>),
    Missing,
}

/// The route of `method` on `path`; `{id}` (or `{token}`) matches one segment.
pub fn find(method: &str, path: &str) -> Found {
    let segments: Vec<&str> = path.split('/').collect();
    let mut methods = Vec::new();
    let mut known = "";
    for r in ROUTES.iter().chain(PAGES) {
        let pattern: Vec<&str> = r.path.split('/').collect();
        if pattern.len() != segments.len() {
            continue;
        }
        let mut id = None;
        let same = pattern.iter().zip(&segments).all(|(p, s)| {
            if p.starts_with('{') {
                id = Some(s.to_string());
                !s.is_empty()
            } else {
                p == s
            }
        });
        if !same {
            continue;
        }
        if r.method == method {
            return Found::Route(r, id);
        }
        known = r.path;
        methods.push(r.method);
    }
    if methods.is_empty() {
        Found::Missing
    } else {
        Found::Method(known, methods)
    }
}

/// A request as an endpoint reads it.
pub struct Call {
    pub route: &'static Route,
    pub id: Option<String>,
    pub query: Option<String>,
    pub body: Vec<u8>,
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
}

/// Who asks, and the world they ask in.
pub struct Caller<'a> {
    pub grant: &'a Grant,
    pub now: DateTime<Utc>,
    /// The server's zone: what relative dates mean across clinics.
    pub zone: crate::core::zone::Tz,
    /// `$APPT_KEY`, the national-ID key, when the server was given one.
    pub key: Option<String>,
}

impl Caller<'_> {
    fn actor(&self) -> Actor {
        Actor::Api(self.grant.name.clone())
    }

    /// The clinic a request is about: the token's own when it is limited to
    /// one (a different one named is as missing), else the one named.
    fn clinic(&self, st: &mut Store, named: Option<String>) -> Result<Option<String>> {
        let Some(own) = &self.grant.clinic_id else {
            return Ok(named);
        };
        if let Some(n) = named {
            let same = clinic::show(st, &n).is_ok_and(|c| &c.id == own);
            if !same {
                return Err(Error::not_found("Clinic").details(serde_json::json!({"ref": n})));
            }
        }
        Ok(Some(own.clone()))
    }

    /// The appointment of the path: by its full ID only (a prefix, a phone or
    /// a name would put patient data in URLs and logs), and only in the
    /// token's clinic; anything else is as missing.
    fn appointment(&self, st: &mut Store, id: &str) -> Result<crate::core::Appointment> {
        let a = list::show(st, full_id(id)?, self.now)?;
        self.sees(&a, id)?;
        Ok(a)
    }

    /// Refuses (as missing) an appointment read for the path's `id` that
    /// is not that ID's, or is of another clinic than the token's.
    fn sees(&self, a: &crate::core::Appointment, id: &str) -> Result<()> {
        let other = self
            .grant
            .clinic_id
            .as_ref()
            .is_some_and(|c| c != &a.clinic_id);
        if other || a.id != id {
            return Err(missing(id));
        }
        Ok(())
    }

    /// Refuses a request that sets clinical fields without the scope.
    fn clinical(&self, body: &Body, fields: &[&str]) -> Result<()> {
        if !self.grant.has(Scope::Clinical) && fields.iter().any(|f| body.has(f)) {
            return Err(insufficient(Scope::Clinical));
        }
        Ok(())
    }
}

/// An appointment the path names that is not there (or not the token's to see).
fn missing(id: &str) -> Error {
    Error::not_found("Appointment").details(serde_json::json!({"ref": id}))
}

/// The path's `id` when it is a whole appointment ID, else as missing.
fn full_id(id: &str) -> Result<&str> {
    match uuid::Uuid::try_parse(id) {
        Ok(_) => Ok(id),
        Err(_) => Err(missing(id)),
    }
}

/// `INSUFFICIENT_SCOPE` naming the scope that was needed.
pub fn insufficient(scope: Scope) -> Error {
    Error::new(
        Code::InsufficientScope,
        format!("This token lacks the {} scope", scope.as_str()),
    )
    .details(serde_json::json!({"required": scope.as_str()}))
}

/// An endpoint's answer: its status, its document, and where a new
/// appointment lives.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub location: Option<String>,
    /// A page (HTML), not a JSON document.
    pub html: bool,
}

impl Answer {
    fn of(status: u16, body: Vec<u8>, html: bool) -> Answer {
        Answer {
            status,
            body,
            location: None,
            html,
        }
    }

    pub fn json(status: u16, v: Value) -> Answer {
        Answer::of(status, v.to_string().into_bytes(), false)
    }

    pub fn html(status: u16, page: String) -> Answer {
        Answer::of(status, page.into_bytes(), true)
    }

    fn ok(v: Value) -> Answer {
        Answer::json(200, v)
    }

    /// Leaves the clinical keys out of every appointment object, for a
    /// token without the `clinical` scope.
    pub fn without_clinical(&mut self) {
        let names = |key: &[u8]| self.body.windows(key.len()).any(|w| w == key);
        if !names(b"\"diagnosis\"") && !names(b"\"changed\"") {
            return;
        }
        if let Ok(mut v) = serde_json::from_slice::<Value>(&self.body) {
            strip_clinical(&mut v);
            self.body = v.to_string().into_bytes();
        }
    }

    fn streamed(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<Answer> {
        let mut body = Vec::with_capacity(4096);
        f(&mut body)?;
        Ok(Answer::of(200, body, false))
    }
}

use crate::core::access::CLINICAL_CHANGES;
/// The keys a token without the `clinical` scope never receives.
pub use crate::core::access::CLINICAL_KEYS;

/// Removes the clinical keys from every appointment object in `v` (one
/// with a `starts_at` and a `diagnosis`), however deep, and the clinical
/// fields from every `changed` list (an update's event): a token without
/// the scope does not learn that they changed.
pub fn strip_clinical(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.contains_key("starts_at") && map.contains_key("diagnosis") {
                for k in CLINICAL_KEYS {
                    map.remove(k);
                }
            }
            if let Some(Value::Array(changed)) = map.get_mut("changed") {
                changed.retain(|c| c.as_str().is_none_or(|c| !CLINICAL_CHANGES.contains(&c)));
            }
            for (_, child) in map.iter_mut() {
                strip_clinical(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_clinical),
        _ => {}
    }
}

/// `/healthz`: whether the database answers.
pub fn health(st: &mut Store) -> Result<Answer> {
    st.ping()?;
    Ok(Answer::ok(json::health()))
}

/// Runs an endpoint that needs the database.
pub fn answer(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = Query::parse(call.query.as_deref());
    let id = call.id.as_deref().unwrap_or_default();
    match call.route.op {
        // Answered before the token is read (and the document without a
        // worker): here only for completeness.
        Op::Health | Op::OpenApi => health(st),
        Op::PatientPage | Op::PatientAnswer => page(st, call, who.now),
        Op::Clinics => {
            q.finish()?;
            let all = clinic::list(st)?;
            let own = &who.grant.clinic_id;
            let items = all
                .iter()
                .filter(|c| own.as_ref().is_none_or(|o| o == &c.id))
                .map(json::clinic)
                .collect();
            Ok(Answer::ok(json::list("clinics", items)))
        }
        Op::Doctors => {
            q.finish()?;
            let all = doctor::list(st)?;
            Ok(Answer::ok(json::list(
                "doctors",
                all.iter().map(json::doctor).collect(),
            )))
        }
        Op::Services => {
            q.finish()?;
            let all = service::list(st)?;
            Ok(Answer::ok(json::list(
                "services",
                all.iter().map(json::service).collect(),
            )))
        }
        Op::Slots => {
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
            req.check()?;
            req.clinic = who.clinic(st, named)?;
            let day = slots::day(st, &req, who.now)?;
            Ok(Answer::ok(json::day_slots(&day, all)))
        }
        Op::Next => {
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
        Op::List => {
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
        Op::Count => {
            let named = q.text("clinic");
            let mut req = CountRequest {
                clinic: None,
                since: q.text("since"),
                zone: who.zone,
                source: q.text("source"),
                status: q.text("status"),
            };
            q.finish()?;
            req.clinic = who.clinic(st, named)?;
            let (n, since) = list::count(st, &req, who.now)?;
            Ok(Answer::ok(json::count(n, since)))
        }
        Op::Show => {
            q.finish()?;
            let a = who.appointment(st, id)?;
            Ok(Answer::ok(json::appointment(&a)))
        }
        Op::History => {
            q.finish()?;
            let (a, evs) = list::history(st, full_id(id)?, who.now)?;
            who.sees(&a, id)?;
            Ok(Answer::ok(json::history(&a, &evs)))
        }
        Op::Agenda => {
            let named = q.text("clinic");
            let date = q.text("date");
            let doctor = q.text("doctor");
            q.finish()?;
            let Some(date) = date else {
                return Err(Error::field("date", "date is required"));
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
        Op::Book => book_one(st, call, who, q),
        Op::Reschedule => {
            q.finish()?;
            let mut b = Body::parse(&call.body)?;
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
                no_notify: !b.flag("send_notification").unwrap_or(true),
                seen_from: who.grant.clinic_id.clone(),
                series: b.flag("series").unwrap_or(false),
            };
            b.finish()?;
            let a = who.appointment(st, id)?;
            req.id = a.id.clone();
            req.clinic = who.clinic(st, named)?;
            let moved = change::reschedule(st, &req, &who.actor(), who.now)?;
            Ok(changed_answer(&moved))
        }
        Op::Cancel | Op::Delete => {
            let mut req = CancelRequest::default();
            if call.route.op == Op::Delete {
                req.reason = q.text("reason");
                req.tell_patient = q.text("tell_patient");
                req.force = q.flag("force");
                req.no_notify = !q.bool("send_notification").unwrap_or(true);
                req.series = q.flag("series");
                q.finish()?;
            } else {
                q.finish()?;
                let mut b = Body::parse(&call.body)?;
                req.reason = b.text("reason");
                req.tell_patient = b.text("tell_patient");
                req.force = b.flag("force").unwrap_or(false);
                req.no_notify = !b.flag("send_notification").unwrap_or(true);
                req.series = b.flag("series").unwrap_or(false);
                b.finish()?;
            }
            req.id = who.appointment(st, id)?.id.clone();
            let cancelled = change::cancel(st, &req, &who.actor(), who.now)?;
            Ok(changed_answer(&cancelled))
        }
        Op::Status => {
            q.finish()?;
            let mut b = Body::parse(&call.body)?;
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
            req.check()?;
            req.id = who.appointment(st, id)?.id.clone();
            let a = change::set_status(st, &req, &who.actor(), who.now)?;
            Ok(Answer::ok(json::appointment(&a)))
        }
        Op::Update => {
            q.finish()?;
            let mut b = Body::parse(&call.body)?;
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
            };
            b.finish()?;
            req.id = who.appointment(st, id)?.id.clone();
            let a = change::update(st, &req, &who.actor(), who.now)?;
            Ok(Answer::ok(json::appointment(&a)))
        }
        Op::Waitlist => {
            q.finish()?;
            let mut b = Body::parse(&call.body)?;
            let named = b.text("clinic");
            let mut req = waitlist::AddRequest {
                clinic: None,
                doctor: b.text("doctor").unwrap_or_default(),
                date: b.text("date").unwrap_or_default(),
                patient: b.text("patient"),
                phone: b.text("phone"),
                name: b.text("name"),
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
        Op::Events => {
            let after = q.int("after");
            let limit = q.int("limit").unwrap_or(100);
            let kind = q.text("type");
            q.finish()?;
            if !(1..=1000).contains(&limit) {
                return Err(Error::field("limit", "limit must be between 1 and 1000"));
            }
            let mut lines = Vec::new();
            let mut last = after.unwrap_or(0);
            events::stream(
                st,
                after,
                kind.as_deref(),
                Some(limit),
                who.grant.clinic_id.as_deref(),
                &mut |e| {
                    last = e.id;
                    lines.push(json::event_line(e));
                    Ok(())
                },
            )?;
            Ok(Answer::of(
                200,
                json::events_page(&lines, last).into_bytes(),
                false,
            ))
        }
    }
}

/// A move's or a cancellation's answer: the appointment, or for a series
/// `{"series_id","appointments"}`.
fn changed_answer(changed: &Changed) -> Answer {
    match changed {
        Changed::One(a) => Answer::ok(json::appointment(a)),
        Changed::Series(s) => Answer::ok(json::series(&s.series_id, &s.appointments, &[], None)),
    }
}

/// `POST /v1/appointments`: `book`, with `source` `api` unless given, the
/// `Idempotency-Key` header as the external reference, and
/// `send_notification: false` as `--no-notify`.
fn book_one(st: &mut Store, call: &Call, who: &Caller, q: Query) -> Result<Answer> {
    q.finish()?;
    let mut b = Body::parse(&call.body)?;
    let named = b.text("clinic");
    let external_ref = b.text("external_ref");
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
    };
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
                "external_ref differs from the Idempotency-Key header",
            ))
        }
        (body, header) => header.or(body),
    };
    req.clinic = who.clinic(st, named)?;
    let booked = book::book(st, &req, &who.actor(), who.now)?;
    let (mut a, location) = match &booked {
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
    Ok(a)
}

/// A patient's link: its page, or an answer posted from it and the page
/// saying what happened (docs/api.md#patient-links). Every refusal is a page
/// in the clinic's language, with the status of its code; a link that opens
/// nothing is the same 404 page whatever was wrong with it.
pub fn page(st: &mut Store, call: &Call, now: DateTime<Utc>) -> Result<Answer> {
    use crate::app::reply;
    use crate::output::page::Note;
    let token = call.id.as_deref().unwrap_or_default();
    let action = format!("/p/{token}");
    if call.route.op == Op::PatientPage {
        return show(st, token, &action, None, 200, now);
    }
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
        "confirm" => reply::confirm(st, token, now).map(|_| done("pg.confirmed")),
        "cancel" => reply::cancel(st, token, &reason, now).map(|_| done("pg.cancelled")),
        "move" => reply::move_to(st, token, &field("at"), now).map(|_| done("pg.moved")),
        "take" => reply::take(st, token, now).map(|_| done("pg.taken")),
        _ => Err(Error::field(
            "action",
            "action must be confirm, cancel, move or take",
        )),
    };
    match result {
        Ok(note) => show(st, token, &action, Some(note), 200, now),
        Err(e) => {
            let key = match e.code {
                Code::NotFound => return Ok(Answer::html(404, crate::output::page::gone())),
                Code::Database | Code::Internal => return Err(e),
                // A freed time taken meanwhile closes its offer.
                Code::AppointmentConflict | Code::SlotFull | Code::DuplicateBooking
                    if field("action") == "take" =>
                {
                    "pg.offer_closed"
                }
                Code::AppointmentConflict | Code::SlotFull | Code::DuplicateBooking => {
                    "pg.time_taken"
                }
                Code::CancellationWindow => "pg.too_late",
                Code::InvalidStateTransition | Code::PastAppointment => "pg.over",
                Code::SlotInactive => "pg.offer_closed",
                Code::Validation if e.details.get("reason").is_some() && reason.is_empty() => {
                    "pg.no_reason"
                }
                Code::Validation if e.details.get("reason").is_some() => "pg.bad_reason",
                _ => "pg.refused",
            };
            let status = e.code.http_status();
            show(
                st,
                token,
                &action,
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
    note: Option<crate::output::page::Note>,
    status: u16,
    now: DateTime<Utc>,
) -> Result<Answer> {
    use crate::app::reply::{self, Opened, State};
    use crate::output::page;
    match reply::open(st, token, now) {
        Err(e) if e.code == Code::NotFound => Ok(Answer::html(404, page::gone())),
        Err(e) => Err(e),
        Ok(Opened::Visit(v)) => {
            let times = if v.state == State::Open {
                reply::other_times(st, &v, now)?
            } else {
                Vec::new()
            };
            Ok(Answer::html(status, page::visit(&v, &times, action, note)))
        }
        Ok(Opened::Offer(o)) => Ok(Answer::html(status, page::offer(&o, action, note))),
    }
}
