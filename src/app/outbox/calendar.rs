//! A doctor's own calendar over HTTP (docs/calendars.md): an ICS address
//! read with `GET` (`If-None-Match` its last ETag), or a CalDAV collection
//! asked with `PROPFIND` whether it changed (its `getctag` and
//! `sync-token`) and read with a `sync-collection` `REPORT` (what changed
//! since the sync-token of the last read) where it can be, else with a
//! `calendar-query` `REPORT` over the span.
//! Every request has a 10 s deadline; an answer over 10 MB is refused; a
//! redirect is followed at most 3 times, never to another scheme. What a
//! failure says never holds the address or the password.

use base64::Engine;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::io::Read as _;
use std::time::Duration;

/// The deadline of each request, connection to last byte.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// The longest a whole read may take: three requests (a CalDAV PROPFIND,
/// a sync-collection REPORT the server may refuse, a calendar-query
/// REPORT), each with its redirects; a claim to read lapses after it.
pub const DEADLINE_ALL: chrono::Duration = chrono::Duration::seconds(3 * 4 * 10 + 10);
/// The longest answer read.
pub const LIMIT: u64 = 10 * 1024 * 1024;
/// Redirects followed, at most.
const REDIRECTS: usize = 3;

const DAV: &str = "DAV:";
const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
const CALSERVER: &str = "http://calendarserver.org/ns/";

/// Where a calendar is and how to sign in (opened from its sealed secrets).
#[derive(Clone, Copy)]
pub struct Place<'a> {
    pub url: &'a str,
    pub user: Option<&'a str>,
    pub password: Option<&'a str>,
}

/// What a read found.
pub enum Read {
    /// The calendar is as it was (`304`, or the same getctag/sync-token).
    Unchanged,
    /// All its documents, each by its address (one ICS file, whose address
    /// is `""`, or each event of a collection), and what identifies this
    /// state of it.
    Whole {
        state: State,
        documents: Vec<(String, String)>,
    },
    /// What changed in a collection since the sync-token known: the events
    /// new or changed (by address) and the addresses of those deleted.
    Delta {
        state: State,
        changed: Vec<(String, String)>,
        gone: Vec<String>,
    },
}

/// What identifies a state of a calendar: its ETag (ICS) or its getctag
/// and sync-token (CalDAV); and a collection's sync-token alone, which a
/// `sync-collection` asks from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub tag: Option<String>,
    pub sync_token: Option<String>,
}

/// Why a read failed, in words for `calendar list` (never the address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server refused the user or password (401/403).
    Refused(u16),
    /// Another HTTP status.
    Status(u16),
    /// No answer within the deadline.
    TimedOut,
    /// No connection, or TLS failed.
    Transport(String),
    /// Over [`LIMIT`].
    TooLarge,
    /// A redirect to another scheme, or too many.
    Redirect,
    /// Not what a calendar answers (an HTML page, a broken XML).
    NotCalendar,
    /// The address is not https (nor http to this machine).
    Scheme,
}

impl Failure {
    /// As stored (`calendars.failure`): a word, and the status or cause.
    pub fn code(&self) -> String {
        match self {
            Failure::Refused(c) => format!("refused:{c}"),
            Failure::Status(c) => format!("status:{c}"),
            Failure::TimedOut => "timed_out".into(),
            Failure::Transport(why) => format!("transport:{why}"),
            Failure::TooLarge => "too_large".into(),
            Failure::Redirect => "redirect".into(),
            Failure::NotCalendar => "not_calendar".into(),
            Failure::Scheme => "scheme".into(),
        }
    }

    /// The failure stored as [`Failure::code`] wrote it.
    pub fn from_code(code: &str) -> Failure {
        let (word, rest) = code.split_once(':').unwrap_or((code, ""));
        let status = || rest.parse().unwrap_or(0);
        match word {
            "refused" => Failure::Refused(status()),
            "status" => Failure::Status(status()),
            "timed_out" => Failure::TimedOut,
            "too_large" => Failure::TooLarge,
            "redirect" => Failure::Redirect,
            "not_calendar" => Failure::NotCalendar,
            "scheme" => Failure::Scheme,
            _ => Failure::Transport(rest.to_string()),
        }
    }

    /// The failure as `calendar list` shows it.
    pub fn describe(&self) -> crate::text::Msg {
        use crate::text::msg;
        match self {
            Failure::Refused(code) => msg!("cal-refused", code = *code),
            Failure::Status(code) => msg!("e-http", code = *code),
            Failure::TimedOut => msg!("cal-timed_out", s = DEADLINE.as_secs()),
            Failure::Transport(why) => msg!("cal-transport", why = why.clone()),
            Failure::TooLarge => msg!("cal-too_large", mb = LIMIT / 1024 / 1024),
            Failure::Redirect => msg!("cal-redirect"),
            Failure::NotCalendar => msg!("cal-not_calendar"),
            Failure::Scheme => msg!("cal-scheme"),
        }
    }
}

/// `webcal://` is `https://`; only https is read, or http to this machine
/// (a calendar server beside appt, as the tests run one). Returns the
/// address to ask and what may be shown of it (scheme and host).
pub fn address(url: &str) -> Result<(String, String), Failure> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let url = if let Some(rest) = lower
        .strip_prefix("webcals://")
        .or(lower.strip_prefix("webcal://"))
        .map(|_| &url[url.find("://").unwrap_or(0) + 3..])
    {
        format!("https://{rest}")
    } else {
        url.to_string()
    };
    let parsed = url::Url::parse(&url).map_err(|_| Failure::Scheme)?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    match parsed.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err(Failure::Scheme),
    }
    let shown = format!("{}://{}", parsed.scheme(), host);
    Ok((url, shown))
}

fn agent() -> ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT
        .get_or_init(|| {
            ureq::AgentBuilder::new()
                .timeout(DEADLINE)
                .redirects(0)
                .build()
        })
        .clone()
}

/// An answer read whole (up to [`LIMIT`]).
struct Answer {
    status: u16,
    etag: Option<String>,
    body: String,
}

/// One request, its redirects followed (at most 3, same scheme).
fn ask(
    p: &Place,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Answer, Failure> {
    let (mut url, _) = address(p.url)?;
    let scheme = |u: &str| u.split("://").next().unwrap_or("").to_ascii_lowercase();
    let first = scheme(&url);
    for _ in 0..=REDIRECTS {
        let mut req = agent().request(method, &url);
        if let Some(user) = p.user {
            let both = format!("{user}:{}", p.password.unwrap_or(""));
            let basic = base64::engine::general_purpose::STANDARD.encode(both);
            req = req.set("Authorization", &format!("Basic {basic}"));
        }
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let sent = match body {
            Some(b) if method == "PUT" => req
                .set("Content-Type", "text/calendar; charset=utf-8")
                .send_string(b),
            Some(b) => req
                .set("Content-Type", "application/xml; charset=utf-8")
                .send_string(b),
            None => req.call(),
        };
        let resp = match sent {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(transport(&t)),
        };
        let status = resp.status();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let to = resp.header("Location").ok_or(Failure::Redirect)?;
            let next = url::Url::parse(resp.get_url())
                .and_then(|b| b.join(to))
                .map(String::from)
                .map_err(|_| Failure::Redirect)?;
            if scheme(&next) != first {
                return Err(Failure::Redirect);
            }
            url = next;
            continue;
        }
        let etag = resp.header("ETag").map(str::to_string);
        let mut bytes = Vec::new();
        resp.into_reader()
            .take(LIMIT + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_failure(&e))?;
        if bytes.len() as u64 > LIMIT {
            return Err(Failure::TooLarge);
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        return Ok(Answer { status, etag, body });
    }
    Err(Failure::Redirect)
}

fn io_failure(e: &std::io::Error) -> Failure {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Failure::TimedOut,
        _ => Failure::Transport(e.kind().to_string()),
    }
}

fn transport(t: &ureq::Transport) -> Failure {
    if super::timed_out(t) {
        return Failure::TimedOut;
    }
    Failure::Transport(super::transport_error(t))
}

/// A status that is not a success, as a failure.
fn refused(status: u16) -> Failure {
    match status {
        401 | 403 => Failure::Refused(status),
        _ => Failure::Status(status),
    }
}

const PROPFIND: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<d:propfind xmlns:d=\"DAV:\" xmlns:cs=\"http://calendarserver.org/ns/\">\
<d:prop><d:resourcetype/><cs:getctag/><d:sync-token/></d:prop></d:propfind>";

/// What a `PROPFIND` of the address says: whether it is a CalDAV calendar
/// collection, and its state (getctag and sync-token) if so. An address
/// that does not speak WebDAV (an ICS file's: 405, 404, 200) is not one.
fn propfind(p: &Place) -> Result<Option<State>, Failure> {
    let a = ask(p, "PROPFIND", &[("Depth", "0")], Some(PROPFIND))?;
    match a.status {
        207 => {}
        401 | 403 => return Err(refused(a.status)),
        _ => return Ok(None),
    }
    let found = elements(
        &a.body,
        &[
            (DAV, "resourcetype"),
            (CALSERVER, "getctag"),
            (DAV, "sync-token"),
        ],
    )?;
    if !found.calendar {
        return Ok(None);
    }
    let tag: Vec<&str> = found.texts.iter().map(|t| t.text.trim()).collect();
    let sync_token = found
        .texts
        .iter()
        .find(|t| t.which == 2 && !t.text.trim().is_empty())
        .map(|t| t.text.trim().to_string());
    Ok(Some(State {
        tag: Some(tag.join(" ")),
        sync_token,
    }))
}

/// Whether `p` is a CalDAV calendar collection (else an ICS address):
/// its state (getctag and sync-token) if it is, which [`query_caldav`]
/// then reads under.
pub fn caldav_state(p: &Place) -> Result<Option<State>, Failure> {
    propfind(p)
}

/// An ICS address: its document, unless its ETag is still `known`'s.
pub fn read_ics(p: &Place, known: Option<&State>) -> Result<Read, Failure> {
    let known = known.and_then(|k| k.tag.as_deref());
    let mut headers = vec![("Accept", "text/calendar")];
    if let Some(tag) = known {
        headers.push(("If-None-Match", tag));
    }
    let a = ask(p, "GET", &headers, None)?;
    match a.status {
        304 if known.is_some() => Ok(Read::Unchanged),
        200 => {
            if !a.body.trim_start().starts_with("BEGIN:VCALENDAR") {
                return Err(Failure::NotCalendar);
            }
            Ok(Read::Whole {
                state: State {
                    tag: a.etag,
                    sync_token: None,
                },
                documents: vec![(String::new(), a.body)],
            })
        }
        s => Err(refused(s)),
    }
}

/// A CalDAV collection: unless its state is still `known`, what changed
/// since `known`'s sync-token where the server can say (a
/// `sync-collection`), else its events over `[from, to)` (UTC, as CalDAV
/// writes them: `20260301T000000Z`).
pub fn read_caldav(
    p: &Place,
    known: Option<&State>,
    (from, to): (&str, &str),
) -> Result<Read, Failure> {
    let Some(state) = propfind(p)? else {
        return Err(Failure::NotCalendar);
    };
    let Some(known) = known else {
        return query_caldav(p, state, (from, to));
    };
    if known.tag == state.tag && state.tag.as_deref().is_some_and(|t| !t.is_empty()) {
        return Ok(Read::Unchanged);
    }
    match (&known.sync_token, &state.sync_token) {
        (Some(since), Some(_)) => match sync_collection(p, since)? {
            Some(c) => Ok(Read::Delta {
                state: State {
                    tag: state.tag,
                    sync_token: Some(c.token),
                },
                changed: c.changed,
                gone: c.gone,
            }),
            None => query_caldav(p, state, (from, to)),
        },
        _ => query_caldav(p, state, (from, to)),
    }
}

/// What changed in the collection `p` since the sync-token `since` (one
/// `sync-collection` `REPORT`, RFC 6578, its events' data with it): None
/// when the server cannot say so in one answer — it refuses the token (no
/// longer valid, RFC 6578's `403`; or `409`), or the report (`400`,
/// `501`), or its answer was cut short (`507`), or leaves out an event's
/// data — and the whole collection is read instead. A refused password is
/// a failure.
fn sync_collection(p: &Place, since: &str) -> Result<Option<Changes>, Failure> {
    let report = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<d:sync-collection xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">\
<d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level>\
<d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>",
        quick_xml::escape::escape(since)
    );
    let a = ask(p, "REPORT", &[("Depth", "0")], Some(&report))?;
    match a.status {
        207 => {}
        401 => return Err(refused(a.status)),
        _ => return Ok(None),
    }
    changes(&a.body)
}

/// What a `sync-collection`'s multistatus says changed: None when it is
/// cut short (`507` on the collection), leaves out an event's data, or
/// gives no new sync-token.
fn changes(body: &str) -> Result<Option<Changes>, Failure> {
    let found = elements(
        body,
        &[
            (DAV, "href"),
            (DAV, "status"),
            (CALDAV, "calendar-data"),
            (DAV, "sync-token"),
        ],
    )?;
    let Some(token) = found
        .texts
        .iter()
        .find(|t| t.which == 3 && t.response == 0)
        .map(|t| t.text.trim().to_string())
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let (mut changed, mut gone) = (Vec::new(), Vec::new());
    for m in members(&found) {
        match (m.status, m.data) {
            (Some(507), _) => return Ok(None),
            (Some(404 | 410), _) => gone.push(m.href),
            (_, Some(data)) => changed.push((m.href, data)),
            (_, None) => return Ok(None),
        }
    }
    Ok(Some(Changes {
        token,
        changed,
        gone,
    }))
}

/// What a `sync-collection` said changed: the collection's new sync-token,
/// the events new or changed (address, data), the addresses deleted.
struct Changes {
    token: String,
    changed: Vec<(String, String)>,
    gone: Vec<String>,
}

/// A CalDAV collection in `state` (its `PROPFIND`'s): its events over
/// `[from, to)`, one `calendar-query` `REPORT`.
pub fn query_caldav(p: &Place, state: State, (from, to): (&str, &str)) -> Result<Read, Failure> {
    let query = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<c:calendar-query xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">\
<d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name=\"VCALENDAR\">\
<c:comp-filter name=\"VEVENT\"><c:time-range start=\"{from}\" end=\"{to}\"/></c:comp-filter>\
</c:comp-filter></c:filter></c:calendar-query>"
    );
    let a = ask(p, "REPORT", &[("Depth", "1")], Some(&query))?;
    if a.status != 207 {
        return Err(refused(a.status));
    }
    let found = elements(
        &a.body,
        &[(DAV, "href"), (DAV, "status"), (CALDAV, "calendar-data")],
    )?;
    let documents = members(&found)
        .into_iter()
        .filter_map(|m| Some((m.href, m.data?)))
        .collect();
    Ok(Read::Whole { state, documents })
}

/// The address of a visit's event in a CalDAV collection: the
/// appointment's ID, `.ics`.
fn event_url(collection: &str, appointment_id: &str) -> String {
    format!("{}/{appointment_id}.ics", collection.trim_end_matches('/'))
}

/// How a write is conditioned: a new event's `If-None-Match: *` (never
/// over another), or `If-Match` the ETag it has.
pub enum Cond<'a> {
    New,
    Was(&'a str),
}

/// Writes a visit's event into the collection `p` (`PUT`, conditioned as
/// `cond` says): its new ETag (if the server gave one) once written, or
/// `Ok(Err(412))` when the condition failed (it exists already, or
/// changed), which the caller answers.
pub fn put_event(
    p: &Place,
    appointment_id: &str,
    body: &str,
    cond: Cond,
) -> Result<Result<Option<String>, u16>, Failure> {
    let url = event_url(p.url, appointment_id);
    let at = Place { url: &url, ..*p };
    let header = match cond {
        Cond::New => ("If-None-Match", "*"),
        Cond::Was(tag) => ("If-Match", tag),
    };
    let a = ask(&at, "PUT", &[header], Some(body))?;
    match a.status {
        200 | 201 | 204 => Ok(Ok(a.etag)),
        412 => Ok(Err(412)),
        s => Err(refused(s)),
    }
}

/// The ETag a visit's event has in the collection `p` now (`HEAD`): what
/// a write over it conditions on (`If-Match: *` is not read alike by every
/// server). None when it is not there.
pub fn event_tag(p: &Place, appointment_id: &str) -> Result<Option<String>, Failure> {
    let url = event_url(p.url, appointment_id);
    let at = Place { url: &url, ..*p };
    let a = ask(&at, "HEAD", &[], None)?;
    match a.status {
        200 | 204 => Ok(a.etag),
        404 | 410 => Ok(None),
        s => Err(refused(s)),
    }
}

/// Deletes a visit's event from the collection `p`: done when it is gone
/// (`404`, `410` included: already deleted).
pub fn delete_event(p: &Place, appointment_id: &str) -> Result<(), Failure> {
    let url = event_url(p.url, appointment_id);
    let at = Place { url: &url, ..*p };
    let a = ask(&at, "DELETE", &[], None)?;
    match a.status {
        200 | 202 | 204 | 404 | 410 => Ok(()),
        s => Err(refused(s)),
    }
}

/// What [`elements`] found.
struct Found {
    /// The text of each element asked for, in the order met.
    texts: Vec<Text>,
    /// A `resourcetype` holds CalDAV's `calendar`.
    calendar: bool,
}

/// The text of an element asked for.
struct Text {
    /// Which of those asked for it is (its place in the list).
    which: usize,
    /// The multistatus `response` it is in, counted from 1 (0: none).
    response: usize,
    /// It is in a `propstat` (a property's status, not the response's).
    in_propstat: bool,
    text: String,
}

/// One `response` of a multistatus: its address, its own status code (a
/// deleted event's `404`), its event's data.
struct Member {
    href: String,
    status: Option<u16>,
    data: Option<String>,
}

/// The responses in what [`elements`] found when asked for `href`,
/// `status` and `calendar-data` (first, second and third).
fn members(found: &Found) -> Vec<Member> {
    let mut out: Vec<(usize, Member)> = Vec::new();
    for t in found.texts.iter().filter(|t| t.response > 0) {
        if out.last().is_none_or(|(r, _)| *r != t.response) {
            let blank = Member {
                href: String::new(),
                status: None,
                data: None,
            };
            out.push((t.response, blank));
        }
        let Some((_, m)) = out.last_mut() else {
            continue;
        };
        match (t.which, t.in_propstat) {
            (0, _) => m.href = t.text.trim().to_string(),
            // `HTTP/1.1 404 Not Found`
            (1, false) => {
                m.status = t
                    .text
                    .split_whitespace()
                    .nth(1)
                    .and_then(|c| c.parse().ok())
            }
            (2, _) if !t.text.trim().is_empty() => m.data = Some(t.text.clone()),
            _ => {}
        }
    }
    out.into_iter().map(|(_, m)| m).collect()
}

/// The text of the elements `wanted` (namespace, local name) in an XML
/// answer, whatever prefixes the server chose.
fn elements(body: &str, wanted: &[(&str, &str)]) -> Result<Found, Failure> {
    let mut r = NsReader::from_str(body);
    let mut found = Found {
        texts: Vec::new(),
        calendar: false,
    };
    let mut inside: Option<(usize, String)> = None;
    let mut in_type = false;
    let (mut responses, mut response, mut in_propstat) = (0, 0, false);
    loop {
        let (ns, ev) = r.read_resolved_event().map_err(|_| Failure::NotCalendar)?;
        let ns = match ns {
            ResolveResult::Bound(n) => n.as_ref().to_string(),
            _ => String::new(),
        };
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name().as_ref().to_string();
                let start = matches!(ev, Event::Start(_));
                match (ns == DAV, local.as_str()) {
                    (true, "resourcetype") => in_type = start,
                    (true, "response") if start => {
                        responses += 1;
                        response = responses;
                    }
                    (true, "propstat") => in_propstat = start,
                    _ if in_type && ns == CALDAV && local == "calendar" => found.calendar = true,
                    _ => {}
                }
                let at = wanted.iter().position(|(n, l)| *n == ns && *l == local);
                if let (Some(i), true) = (at, start) {
                    inside = Some((i, String::new()));
                }
            }
            Event::Text(t) => {
                if let Some((_, s)) = inside.as_mut() {
                    s.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            Event::CData(t) => {
                if let Some((_, s)) = inside.as_mut() {
                    s.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(g) => {
                if let Some((_, s)) = inside.as_mut() {
                    match g.resolve_char_ref().ok().flatten() {
                        Some(c) => s.push(c),
                        None => s.push_str(
                            match g.xml_content(quick_xml::XmlVersion::Implicit1_0).as_ref() {
                                "amp" => "&",
                                "lt" => "<",
                                "gt" => ">",
                                "quot" => "\"",
                                "apos" => "'",
                                _ => "",
                            },
                        ),
                    }
                }
            }
            Event::End(ref e) => {
                let local = e.local_name().as_ref().to_string();
                if let Some((i, _)) = &inside {
                    if wanted[*i] == (ns.as_str(), local.as_str()) {
                        if let Some((which, text)) = inside.take() {
                            found.texts.push(Text {
                                which,
                                response,
                                in_propstat,
                                text,
                            });
                        }
                    }
                }
                match (ns == DAV, local.as_str()) {
                    (true, "resourcetype") => in_type = false,
                    (true, "response") => response = 0,
                    (true, "propstat") => in_propstat = false,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
