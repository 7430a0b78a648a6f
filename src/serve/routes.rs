//! The API's endpoints (docs/api.md#endpoints): the table of routes, each
//! naming its handler, the scope a token needs, whether it reads a body,
//! whether it writes (and so takes the server's write turn) and whether its
//! answer carries clinical fields. One handler per route, in
//! [`read`] (the `GET`s), [`write`] (the changes), [`reports`] (a clinic's
//! report, its figures and its page) and [`pages`] (`/healthz`
//! and a patient's pages): each reads its request into the request struct
//! its command builds, which checks itself, calls the command's use case of
//! `app` and answers with the command's JSON view. No rule lives here: what
//! a token may see and do is checked before, and everything else is the use
//! case's.

mod booking;
mod calendars;
mod feeds;
mod hooks;
mod pages;
mod patient_export;
mod read;
mod reports;
mod write;

use super::input::{Body, Query};
use crate::app::outbox::reply::Reply;
use crate::app::{clinic, list, Store};
use crate::core::access::{Grant, Scope};
use crate::core::roles::Need;
use crate::core::Actor;
use crate::error::{Code, Error, Result};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// An endpoint of the API: the store, the request, and who asks.
pub type ApiFn = fn(&mut Store, &Call, &Caller) -> Result<Answer>;
/// An endpoint open to anyone: the store, the request, and now.
pub type OpenFn = fn(&mut Store, &Call, DateTime<Utc>) -> Result<Answer>;
/// A provider's request: the store, the request, now, and `$APPT_KEY`
/// (which opens the channels' secrets that sign it).
/// A provider's request: the answer, and the one-line answers owed to the
/// patients, sent once the write turn is given back.
pub type HookFn =
    fn(&mut Store, &Call, DateTime<Utc>, Option<String>) -> Result<(Answer, Vec<Reply>)>;
/// The booking page: the store, the request, and who asks; the page, and
/// the code to send once the write turn is given back.
pub type WebFn = fn(&mut Store, &Call, &Visitor) -> Result<(Answer, Vec<Reply>)>;

/// A calendar feed (`/cal/…`, `/dav/…`): the store, the request, now, and
/// the calendars the server rendered already.
pub type FeedFn = fn(&mut Store, &Call, DateTime<Utc>, &Rendered) -> Result<Answer>;

pub use feeds::Rendered;

/// A patient on the booking page: now, `$APPT_KEY` (which opens the
/// channel's secrets the code goes through) and their address (the limits').
pub struct Visitor {
    pub now: DateTime<Utc>,
    pub key: Option<String>,
    pub peer: std::net::IpAddr,
    /// `serve --exec CMD`: where a code goes when no channel takes it.
    pub exec: Option<String>,
}

/// Who may call a route, and what answers it.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// `/openapi.json`: the document itself, answered without a worker.
    Document,
    /// No token, a JSON answer (`/healthz`).
    Open(OpenFn),
    /// A patient's page: no token (its link is the key), a form posted to
    /// it, and HTML for every answer, a refusal's too.
    Page(OpenFn),
    /// A provider's request: no token; a channel's secret signs it.
    Hook(HookFn),
    /// The clinic's booking page: no token, HTML for every answer.
    Web(WebFn),
    /// A calendar feed: no API token (the feed's token is the key, in the
    /// path or as basic auth's password).
    Feed(FeedFn),
    /// A token with this scope.
    Api(Scope, ApiFn),
}

/// One endpoint: its method and path (`{id}` for an appointment's or a patient's ID), its
/// handler, and what the server must know of it before running it.
#[derive(Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: Handler,
    /// It reads a body (JSON; a form for a page): the size limit and the
    /// content type apply.
    pub body: bool,
    /// It may change the database: it takes the server's write turn, and is
    /// never begun once the server is stopping.
    pub writes: bool,
    /// Its answer may carry the clinical keys, which a token without the
    /// `clinical` scope never receives. A route that does not say so
    /// answers without them.
    pub clinical: bool,
    /// Its body is a form (a patient's page, Twilio's hooks), not JSON.
    pub form: bool,
    /// Its body is XML (a CalDAV request), not JSON.
    pub xml: bool,
    /// What it asks of the member of staff a token is tied to, where its
    /// scope's need is not all of it (docs/security.md#roles): the clinic's
    /// set-up and the whole event log are the manager's, as at the desk.
    pub need: Option<Need>,
}

impl Route {
    const fn new(method: &'static str, path: &'static str, handler: Handler) -> Route {
        Route {
            method,
            path,
            handler,
            body: false,
            writes: false,
            clinical: false,
            form: false,
            xml: false,
            need: None,
        }
    }

    /// An endpoint of the API, for a token with `scope`.
    const fn api(method: &'static str, path: &'static str, scope: Scope, f: ApiFn) -> Route {
        Route::new(method, path, Handler::Api(scope, f))
    }

    const fn body(self) -> Route {
        Route { body: true, ..self }
    }

    const fn writes(self) -> Route {
        Route {
            writes: true,
            ..self
        }
    }

    const fn clinical(self) -> Route {
        Route {
            clinical: true,
            ..self
        }
    }

    const fn form(self) -> Route {
        Route { form: true, ..self }
    }

    const fn xml(self) -> Route {
        Route { xml: true, ..self }
    }

    /// For a manager's token alone, whatever its scope.
    const fn managers(self) -> Route {
        Route {
            need: Some(Need::Manage),
            ..self
        }
    }

    /// What a token tied to a member of staff must meet: the route's own
    /// need, else its scope's.
    pub fn need(&self, scope: Scope) -> Need {
        self.need.unwrap_or(scope.need())
    }

    /// The scope a token needs; None: no token is read.
    pub fn scope(&self) -> Option<Scope> {
        match self.handler {
            Handler::Api(scope, _) => Some(scope),
            Handler::Document
            | Handler::Open(_)
            | Handler::Page(_)
            | Handler::Hook(_)
            | Handler::Web(_)
            | Handler::Feed(_) => None,
        }
    }

    /// A patient's page, answered in HTML whatever happens.
    pub fn is_page(&self) -> bool {
        matches!(self.handler, Handler::Page(_) | Handler::Web(_))
    }
}

const READ: Scope = Scope::AppointmentsRead;
const WRITE: Scope = Scope::AppointmentsWrite;
const ERASE: Scope = Scope::PatientsErase;
const REPORTS: Scope = Scope::ReportsRead;
const CALENDARS: Scope = Scope::CalendarsAdmin;

/// Every endpoint; `/openapi.json` documents each one, and a test holds the
/// two together.
pub const ROUTES: &[Route] = &[
    Route::new("GET", "/healthz", Handler::Open(pages::health)),
    Route::new("GET", "/openapi.json", Handler::Document),
    Route::api("GET", "/v1/clinics", READ, read::clinics),
    Route::api("GET", "/v1/doctors", READ, read::doctors),
    Route::api("GET", "/v1/services", READ, read::services),
    Route::api("GET", "/v1/resources", READ, read::resources),
    Route::api("POST", "/v1/resources", WRITE, write::resource)
        .body()
        .writes()
        .managers(),
    Route::api("GET", "/v1/slots", READ, read::slots),
    Route::api("GET", "/v1/next", READ, read::next),
    Route::api("GET", "/v1/appointments", READ, read::list).clinical(),
    Route::api("POST", "/v1/appointments", WRITE, write::book)
        .body()
        .writes()
        .clinical(),
    Route::api("GET", "/v1/appointments/count", READ, read::count),
    Route::api("GET", "/v1/appointments/{id}", READ, read::show).clinical(),
    Route::api("PATCH", "/v1/appointments/{id}", WRITE, write::update)
        .body()
        .writes()
        .clinical(),
    Route::api("DELETE", "/v1/appointments/{id}", WRITE, write::delete)
        .writes()
        .clinical(),
    Route::api("GET", "/v1/appointments/{id}/history", READ, read::history).clinical(),
    Route::api(
        "POST",
        "/v1/appointments/{id}/reschedule",
        WRITE,
        write::reschedule,
    )
    .body()
    .writes()
    .clinical(),
    Route::api("POST", "/v1/appointments/{id}/cancel", WRITE, write::cancel)
        .body()
        .writes()
        .clinical(),
    Route::api("POST", "/v1/appointments/{id}/status", WRITE, write::status)
        .body()
        .writes()
        .clinical(),
    Route::api("GET", "/v1/agenda", READ, read::agenda).clinical(),
    Route::api("POST", "/v1/waitlist", WRITE, write::waitlist)
        .body()
        .writes(),
    Route::api("GET", "/v1/events", READ, read::events)
        .clinical()
        .managers(),
    // A read that is recorded: it writes its event.
    Route::api(
        "GET",
        "/v1/patients/{id}/export",
        Scope::PatientsExport,
        patient_export::export,
    )
    .writes()
    .clinical(),
    Route::api("POST", "/v1/patients/{id}/erase", ERASE, write::erase)
        .body()
        .writes(),
    Route::api("GET", "/v1/inbox", READ, read::inbox),
    Route::api("GET", "/v1/recalls", READ, read::recalls).clinical(),
    Route::api("GET", "/v1/reports", REPORTS, reports::figures),
    Route::api("GET", "/v1/calendars", CALENDARS, calendars::list),
    Route::api("POST", "/v1/calendars", CALENDARS, calendars::add)
        .body()
        .writes(),
    Route::api("GET", "/v1/calendars/{id}", CALENDARS, calendars::show),
    Route::api("DELETE", "/v1/calendars/{id}", CALENDARS, calendars::remove).writes(),
    Route::api(
        "POST",
        "/v1/calendars/{id}/sync",
        CALENDARS,
        calendars::sync,
    )
    .body()
    .writes(),
    // The same report as a page: HTML, for the same token.
    Route::api("GET", "/reports", REPORTS, reports::page),
];

/// The patient's pages (docs/api.md#patient-links): HTML, no token, not
/// part of the API's document.
pub const PAGES: &[Route] = &[
    Route::new("GET", "/p/{token}", Handler::Page(pages::open)),
    Route::new("POST", "/p/{token}", Handler::Page(pages::answer))
        .body()
        .form()
        .writes(),
    Route::new("GET", "/b/{id}", Handler::Web(booking::show)),
    Route::new("POST", "/b/{id}", Handler::Web(booking::post))
        .body()
        .form()
        .writes(),
];

/// The providers' requests (docs/api.md#provider-hooks): signed by a
/// channel's secret, not part of the API's document.
pub const HOOKS: &[Route] = &[
    Route::new(
        "GET",
        "/hooks/whatsapp",
        Handler::Hook(hooks::whatsapp_verify),
    ),
    Route::new("POST", "/hooks/whatsapp", Handler::Hook(hooks::whatsapp))
        .body()
        .writes(),
    Route::new("POST", "/hooks/twilio/sms", Handler::Hook(hooks::twilio))
        .body()
        .form()
        .writes(),
    Route::new("POST", "/hooks/twilio/status", Handler::Hook(hooks::twilio))
        .body()
        .form()
        .writes(),
];

/// The calendar feeds (docs/feeds.md): no API token, not part of the
/// API's document. `/dav/{path*}` takes every method (a write is refused
/// as read-only) and the rest of the path.
pub const FEEDS: &[Route] = &[
    Route::new("GET", "/cal/{token}", Handler::Feed(feeds::calendar)),
    Route::new("HEAD", "/cal/{token}", Handler::Feed(feeds::calendar)),
    Route::new("*", "/dav/{path*}", Handler::Feed(feeds::dav))
        .body()
        .xml(),
    Route::new("*", "/.well-known/caldav", Handler::Feed(feeds::well_known)),
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
    for r in ROUTES.iter().chain(PAGES).chain(HOOKS).chain(FEEDS) {
        let pattern: Vec<&str> = r.path.split('/').collect();
        // `{path*}` takes the rest of the path, slashes and all.
        if pattern.last() == Some(&"{path*}") {
            let head = pattern.len() - 1;
            if segments.len() > head && pattern[..head] == segments[..head] {
                if r.method == method || r.method == "*" {
                    return Found::Route(r, Some(segments[head..].join("/")));
                }
                known = r.path;
                methods.push(r.method);
            }
            continue;
        }
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
        if r.method == method || r.method == "*" {
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
    /// A provider's signature (`X-Hub-Signature-256`, `X-Twilio-Signature`).
    pub signature: Option<String>,
    /// What a calendar feed's requests carry besides.
    pub headers: FeedHeaders,
    /// Where a browser says a form was posted from: `Origin`,
    /// `Sec-Fetch-Site` and the `Host` asked (docs/booking.md#forms).
    pub from: Posted,
}

/// Where a browser says a request comes from.
#[derive(Debug, Default)]
pub struct Posted {
    pub origin: Option<String>,
    pub fetch_site: Option<String>,
    pub host: Option<String>,
}

/// The method and headers a calendar feed reads (docs/feeds.md).
#[derive(Debug, Default)]
pub struct FeedHeaders {
    pub method: String,
    /// Basic auth's password (the user name is not read).
    pub password: Option<String>,
    pub depth: Option<String>,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
}

impl std::fmt::Debug for Call {
    /// Never a password or a body: a debug print may end up in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("route", &self.route.path)
            .field("method", &self.headers.method)
            .finish()
    }
}

impl Call {
    /// The path's `{id}` (or `{token}`).
    fn id(&self) -> &str {
        self.id.as_deref().unwrap_or_default()
    }

    /// The query string, to be read parameter by parameter.
    fn query(&self) -> Query {
        Query::parse(self.query.as_deref())
    }

    /// The JSON body, to be read field by field, once the query is read
    /// and found to hold nothing (a route with a body takes no parameter).
    fn body(&self) -> Result<Body> {
        self.query().finish()?;
        Body::parse(&self.body)
    }
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
        Actor::Api(self.grant.name.clone(), self.grant.person.clone())
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
                return Err(Error::not_found(crate::error::Entity::Clinic)
                    .details(serde_json::json!({"ref": n})));
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

    /// Refuses a request that sets clinical fields without the scope, or
    /// for a member of staff whose role does not write them (whose visit
    /// it is, the use case asks).
    fn clinical(&self, body: &Body, fields: &[&str]) -> Result<()> {
        if !fields.iter().any(|f| body.has(f)) {
            return Ok(());
        }
        if !self.grant.has(Scope::Clinical) {
            return Err(insufficient(Scope::Clinical));
        }
        match &self.grant.person {
            Some(p) => crate::core::roles::allow(p.role, crate::core::roles::Need::Clinical),
            None => Ok(()),
        }
    }
}

/// An appointment the path names that is not there (or not the token's to see).
fn missing(id: &str) -> Error {
    Error::not_found(crate::error::Entity::Appointment).details(serde_json::json!({"ref": id}))
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
        crate::text::msg!("e-token_lacks_scope", scope = scope.as_str()),
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
    /// Another content type (a provider's hook's answer).
    pub content_type: Option<&'static str>,
    /// Seconds to wait before asking again (a page's `429`).
    pub retry_after: Option<u64>,
    /// Other headers (a feed's `ETag`, `Last-Modified`, `DAV`), by their
    /// names in lower case.
    pub headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn of(status: u16, body: Vec<u8>, html: bool) -> Answer {
        Answer {
            status,
            body,
            location: None,
            html,
            content_type: None,
            retry_after: None,
            headers: Vec::new(),
        }
    }

    /// Text of another type than JSON or HTML.
    pub fn text(status: u16, content_type: &'static str, body: String) -> Answer {
        Answer {
            content_type: Some(content_type),
            ..Answer::of(status, body.into_bytes(), false)
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

    /// `/openapi.json`'s answer.
    pub fn document() -> Answer {
        Answer::of(200, super::OPENAPI.as_bytes().to_vec(), false)
    }

    /// The answer of a route that declares clinical fields, for a token
    /// without the `clinical` scope: the clinical keys left out of every
    /// object (an appointment's, a recall's), and the clinical fields out
    /// of every `changed` list.
    pub fn without_clinical(&mut self) {
        if let Ok(mut v) = serde_json::from_slice::<Value>(&self.body) {
            strip_clinical(&mut v);
            self.body = v.to_string().into_bytes();
        }
    }

    /// The answer of a route that declares clinical fields, for a token
    /// tied to a member of staff: the clinical fields of every visit that
    /// is not theirs to see left out (docs/security.md#roles).
    pub fn without_unseen(&mut self, person: &crate::core::staff::Person) {
        if let Ok(mut v) = serde_json::from_slice::<Value>(&self.body) {
            crate::core::roles::strip_unseen(Some(person), &mut v);
            self.body = v.to_string().into_bytes();
        }
    }

    /// The visits whose clinical record the answer holds, by ID.
    pub fn clinical_visits(&self) -> Vec<String> {
        serde_json::from_slice::<Value>(&self.body)
            .map(|v| crate::core::access::clinical_visits(&v))
            .unwrap_or_default()
    }

    /// Whether the answer holds anything [`strip_clinical`] would take out:
    /// never for a route that does not declare clinical fields.
    pub fn carries_clinical(&self) -> bool {
        let Ok(v) = serde_json::from_slice::<Value>(&self.body) else {
            return false;
        };
        let mut stripped = v.clone();
        strip_clinical(&mut stripped);
        stripped != v
    }

    fn streamed(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<Answer> {
        let mut body = Vec::with_capacity(4096);
        f(&mut body)?;
        Ok(Answer::of(200, body, false))
    }
}

/// The keys a token without the `clinical` scope never receives.
pub use crate::core::access::{strip_clinical, CLINICAL_KEYS};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_writes_when_it_says_so_and_every_write_but_an_export_an_erasure_and_a_calendars_needs_the_write_scope(
    ) {
        for r in ROUTES.iter().chain(PAGES) {
            let at = format!("{} {}", r.method, r.path);
            // A GET changes nothing (a patient's page's included), every
            // other method may; but a patient's export, a read that is
            // recorded.
            let recorded = r.path == "/v1/patients/{id}/export";
            assert_eq!(r.writes, r.method != "GET" || recorded, "{at}");
            // The doctors' own calendars are changed with a scope of their
            // own, which reads and writes them alone.
            let calendars = r.path.starts_with("/v1/calendars");
            match r.scope() {
                Some(scope) if calendars => assert_eq!(scope, CALENDARS, "{at}"),
                Some(scope) => assert_eq!(
                    r.writes,
                    scope == WRITE || scope == ERASE || recorded,
                    "{at}"
                ),
                None => assert!(r.is_page() || !r.writes, "{at}"),
            }
        }
    }

    #[test]
    fn only_the_routes_that_answer_with_appointments_or_recalls_declare_clinical_fields() {
        let clinical: Vec<String> = ROUTES
            .iter()
            .chain(PAGES)
            .filter(|r| r.clinical)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert_eq!(
            clinical,
            [
                "GET /v1/appointments",
                "POST /v1/appointments",
                "GET /v1/appointments/{id}",
                "PATCH /v1/appointments/{id}",
                "DELETE /v1/appointments/{id}",
                "GET /v1/appointments/{id}/history",
                "POST /v1/appointments/{id}/reschedule",
                "POST /v1/appointments/{id}/cancel",
                "POST /v1/appointments/{id}/status",
                "GET /v1/agenda",
                "GET /v1/events",
                "GET /v1/patients/{id}/export",
                "GET /v1/recalls",
            ]
        );
        // Only an API route can: a page's HTML is never stripped.
        assert!(ROUTES
            .iter()
            .chain(PAGES)
            .all(|r| !r.clinical || r.scope().is_some()));
    }

    #[test]
    fn an_answer_carries_clinical_fields_in_an_appointment_a_recall_or_a_changed_list() {
        let with = |v: Value| Answer::ok(v).carries_clinical();
        let a = serde_json::json!({"starts_at": "x", "diagnosis": null});
        assert!(with(serde_json::json!({"appointment": a})));
        let recall = serde_json::json!({"id": "x", "follow_up_date": "2026-06-26"});
        assert!(with(serde_json::json!({"recalls": [recall]})));
        assert!(with(serde_json::json!({"changed": ["diagnosis"]})));
        assert!(!with(serde_json::json!({"changed": ["notes"]})));
        assert!(!with(serde_json::json!({"slots": [{"starts_at": "x"}]})));
        let mut stripped =
            Answer::ok(serde_json::json!({"events": [{"data": {"appointment": a}}]}));
        stripped.without_clinical();
        assert!(!stripped.carries_clinical());
    }
}
