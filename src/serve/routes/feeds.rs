//! Calendar feeds over HTTP (docs/feeds.md): `GET /cal/<token>.ics`, the
//! calendar a phone subscribes to, and `/dav/…`, the same calendar as a
//! read-only CalDAV collection whose password is the feed's token. No API
//! token: the feed's token is the key. This reads the request (its
//! method, its conditional headers, a PROPFIND's or a REPORT's XML),
//! asks `app::feed` and has `output::feed` and `output::dav` write the
//! answer; which visits a feed holds, its ETag and whether the client
//! holds it already are `app::feed`'s.

use super::{Answer, Call};
use crate::app::feed::{self, Held, Key, Opened, Pick};
use crate::app::Store;
use crate::core::feed::TimeRange;
use crate::core::Appointment;
use crate::error::{Code, Error, Result};
use crate::output::dav::{self, Asked, Prop, Resource};
use chrono::{DateTime, Utc};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The XML a client sends: 1.0.
const V1: quick_xml::XmlVersion = quick_xml::XmlVersion::Implicit1_0;

const CALENDAR: &str = "text/calendar; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

/// What `OPTIONS` says of every `/dav/` resource.
const ALLOW: &str = "OPTIONS, GET, HEAD, PROPFIND, REPORT";

/// An HTTP date (RFC 9110 §5.6.7): `Wed, 25 Nov 2026 14:00:00 GMT`.
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `If-Modified-Since`'s date; anything else is as if not sent.
fn read_http_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What the client holds, from its conditional headers.
fn held(call: &Call) -> Held {
    Held {
        etags: call.headers.if_none_match.clone(),
        since: call
            .headers
            .if_modified_since
            .as_deref()
            .and_then(read_http_date),
    }
}

/// What the server keeps of the feeds it rendered, so that an unchanged
/// calendar is not rendered again and a changed one only where it changed:
/// - whole calendars by their ETag, a hash of all a calendar is made of
///   (its feed, days, visits and their sequences, the names it shows), so a
///   calendar found here is the one `app::feed` would have it render now;
///   the least recently used go first past [`RENDERED_BYTES`];
/// - each visit's event by the feed's view (what an event's text depends
///   on besides its visit: `app::feed::Opened::view`), the visit's ID and
///   its sequence (raised by every change); all are let go of past
///   [`EVENT_BYTES`].
#[derive(Default)]
pub struct Rendered {
    kept: Mutex<Vec<(String, Arc<Vec<u8>>)>>,
    events: Mutex<(HashMap<String, Arc<str>>, usize)>,
}

/// What the rendered calendars may take of the server's memory.
const RENDERED_BYTES: usize = 64 << 20;
/// What the rendered events may take (about 90,000 of them).
const EVENT_BYTES: usize = 32 << 20;

impl Rendered {
    fn get(&self, etag: &str) -> Option<Arc<Vec<u8>>> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let at = kept.iter().position(|(t, _)| t == etag)?;
        let hit = kept.remove(at);
        let body = Arc::clone(&hit.1);
        kept.push(hit);
        Some(body)
    }

    fn put(&self, etag: String, body: Arc<Vec<u8>>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|(t, _)| *t != etag);
        kept.push((etag, body));
        let mut total: usize = kept.iter().map(|(_, b)| b.len()).sum();
        while total > RENDERED_BYTES && kept.len() > 1 {
            total -= kept.remove(0).1.len();
        }
    }

    fn event_key(view: &str, id: &str, sequence: i64) -> String {
        format!("{view}:{id}:{sequence}")
    }

    fn event(&self, view: &str, id: &str, sequence: i64) -> Option<Arc<str>> {
        let events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        events.0.get(&Self::event_key(view, id, sequence)).cloned()
    }

    fn keep_event(&self, view: &str, id: &str, sequence: i64, text: Arc<str>) {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        if events.1 + text.len() > EVENT_BYTES {
            events.0.clear();
            events.1 = 0;
        }
        events.1 += text.len();
        events.0.insert(Self::event_key(view, id, sequence), text);
    }
}

/// A whole feed's calendar (`/cal/…`, `GET /dav/<name>/`): `304` when the
/// client holds it, else the calendar, kept whole per ETag and assembled
/// from the events kept per visit, reading only the visits that changed;
/// with its ETag and Last-Modified either way.
fn whole(
    st: &mut Store,
    key: Key,
    call: &Call,
    now: DateTime<Utc>,
    rendered: &Rendered,
) -> Result<Answer> {
    let o = feed::open(st, key, now, Pick::Nothing)?;
    let (status, body, o) = if o.held(&held(call), now) {
        (304, Arc::new(Vec::new()), o)
    } else if let Some(body) = rendered.get(&o.etag) {
        (200, body, o)
    } else {
        let (full, text) = assemble(st, key, now, rendered, &o.view)?;
        let body = Arc::new(text.into_bytes());
        rendered.put(full.etag.clone(), Arc::clone(&body));
        (200, body, full)
    };
    let mut a = Answer::text(status, CALENDAR, String::new());
    a.body = Arc::unwrap_or_clone(body);
    a.headers.push(("etag", o.etag.clone()));
    a.headers
        .push(("last-modified", http_date(o.last_modified)));
    Ok(a)
}

/// The whole calendar: each visit's event as kept under `view`, the
/// visits read (and their events kept) only where none is; rendered whole
/// when the view changed meanwhile.
fn assemble(
    st: &mut Store,
    key: Key,
    now: DateTime<Utc>,
    rendered: &Rendered,
    view: &str,
) -> Result<(Opened, String)> {
    let found: RefCell<HashMap<(String, i64), Arc<str>>> = RefCell::new(HashMap::new());
    let holds = |id: &str, seq: i64| match rendered.event(view, id, seq) {
        Some(text) => {
            found.borrow_mut().insert((id.to_string(), seq), text);
            true
        }
        None => false,
    };
    let full = feed::open(st, key, now, Pick::Unheld(&holds))?;
    if full.view != view {
        // In the order an assembled calendar has (by day, then ID), so that
        // one ETag is always the same bytes, whichever way they were made.
        let mut full = feed::open(st, key, now, Pick::All)?;
        full.visits
            .sort_by(|(a, _), (b, _)| (a.local_date, &a.id).cmp(&(b.local_date, &b.id)));
        let text = crate::output::feed::calendar(&full, &full.visits, true)?;
        return Ok((full, text));
    }
    let found = found.into_inner();
    let fresh: HashMap<&str, (&Appointment, i64)> = full
        .visits
        .iter()
        .map(|(a, seq)| (a.id.as_str(), (a, *seq)))
        .collect();
    let mut text = crate::output::feed::head(&full, true)?;
    for (id, seq) in &full.order {
        match found.get(&(id.clone(), *seq)) {
            Some(event) => text.push_str(event),
            None => {
                let Some((a, s)) = fresh.get(id.as_str()) else {
                    return Err(Error::internal(crate::text::msg!(
                        "e-request_failed_inside_appt"
                    )));
                };
                let event: Arc<str> = crate::output::feed::vevent(&full, a, *s)?.into();
                text.push_str(&event);
                rendered.keep_event(view, id, *seq, event);
            }
        }
    }
    text.push_str(&crate::output::feed::tail(&full));
    Ok((full, text))
}

/// `GET /cal/<token>.ics`: the calendar a phone subscribes to.
pub(super) fn calendar(
    st: &mut Store,
    call: &Call,
    now: DateTime<Utc>,
    rendered: &Rendered,
) -> Result<Answer> {
    let id = call.id();
    let token = id.strip_suffix(".ics").unwrap_or(id);
    whole(st, Key::Token(token), call, now, rendered)
}

/// `/.well-known/caldav` (RFC 6764): where a client given only the host
/// finds the collections.
pub(super) fn well_known(
    _: &mut Store,
    _: &Call,
    _: DateTime<Utc>,
    _: &Rendered,
) -> Result<Answer> {
    let mut a = Answer::text(301, "text/plain; charset=utf-8", String::new());
    a.location = Some("/dav/".into());
    Ok(a)
}

/// The methods that read; any other is a write, refused.
fn reads(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PROPFIND" | "REPORT" | "OPTIONS")
}

fn read_only() -> Error {
    Error::new(Code::ReadOnly, crate::text::msg!("e-feed_is_read_only"))
}

/// `/dav/…`: `OPTIONS` for anyone; everything else for the feed's token
/// as basic auth's password (any user name), a write refused.
pub(super) fn dav(
    st: &mut Store,
    call: &Call,
    now: DateTime<Utc>,
    rendered: &Rendered,
) -> Result<Answer> {
    let method = call.headers.method.as_str();
    if method == "OPTIONS" {
        let mut a = Answer::text(200, "text/plain; charset=utf-8", String::new());
        a.headers.push(("dav", "1, calendar-access".into()));
        a.headers.push(("allow", ALLOW.into()));
        return Ok(a);
    }
    let password = call.headers.password.as_deref();
    let rest = call.id();
    let (name, file) = match rest.split_once('/') {
        Some((n, f)) => (n, (!f.is_empty()).then_some(f)),
        None => (rest, None),
    };
    if name.is_empty() {
        // `/dav/`: the principal and the calendars' home, found by the
        // password alone.
        let token = password.ok_or_else(feed::unauthorized)?;
        let o = feed::open(st, Key::Token(token), now, Pick::Nothing).map_err(|e| {
            if e.code == Code::NotFound {
                feed::unauthorized()
            } else {
                e
            }
        })?;
        if !reads(method) {
            return Err(read_only());
        }
        if method != "PROPFIND" {
            return Err(Error::not_found(crate::error::Entity::Feed));
        }
        let asked = propfind(&call.body)?;
        let home = home(&o);
        let mut all = vec![Resource::Home { href: home.clone() }];
        if depth(call) > 0 {
            all.push(collection(&o));
        }
        return Ok(multistatus(&all, &asked, &home));
    }
    let login = Key::Login(name, password);
    if !reads(method) {
        // Who asks is checked first: a stranger learns nothing more.
        feed::open(st, login, now, Pick::Nothing)?;
        return Err(read_only());
    }
    match (method, file) {
        ("GET" | "HEAD", None) => whole(st, login, call, now, rendered),
        ("GET" | "HEAD", Some(f)) => {
            let o = feed::open(st, login, now, Pick::Ids(vec![id_of(f)]))?;
            let Some((a, seq)) = o.visits.first() else {
                return Err(Error::not_found(crate::error::Entity::Appointment));
            };
            let text = crate::output::feed::calendar(&o, &[(a.clone(), *seq)], false)?;
            let mut answer = Answer::text(200, CALENDAR, String::new());
            answer
                .headers
                .push(("etag", crate::output::feed::etag(&text)));
            answer.body = text.into_bytes();
            Ok(answer)
        }
        ("PROPFIND", None) => {
            let asked = propfind(&call.body)?;
            let pick = if depth(call) > 0 {
                Pick::All
            } else {
                Pick::Nothing
            };
            let o = feed::open(st, login, now, pick)?;
            let mut all = vec![collection(&o)];
            all.extend(events(&o, &o.visits)?);
            Ok(multistatus(&all, &asked, &home(&o)))
        }
        ("PROPFIND", Some(f)) => {
            let asked = propfind(&call.body)?;
            let o = feed::open(st, login, now, Pick::Ids(vec![id_of(f)]))?;
            let found = events(&o, &o.visits)?;
            if found.is_empty() {
                return Err(Error::not_found(crate::error::Entity::Appointment));
            }
            Ok(multistatus(&found, &asked, &home(&o)))
        }
        ("REPORT", None) => report(st, call, login, now),
        _ => Err(Error::not_found(crate::error::Entity::Feed)),
    }
}

/// A REPORT on the calendar: a calendar-query (its time range) or a
/// calendar-multiget (its hrefs, each answered, one not the feed's 404).
fn report(st: &mut Store, call: &Call, login: Key, now: DateTime<Utc>) -> Result<Answer> {
    match parse(&call.body)? {
        Dav::Query {
            asked,
            range,
            events: wanted,
        } => {
            let pick = if wanted {
                Pick::Range(range)
            } else {
                Pick::Nothing
            };
            let o = feed::open(st, login, now, pick)?;
            let found = events(&o, &o.visits)?;
            Ok(multistatus(&found, &asked, &home(&o)))
        }
        Dav::Multiget { asked, hrefs } => {
            let ids = hrefs.iter().map(|h| id_of(h)).collect();
            let o = feed::open(st, login, now, Pick::Ids(ids))?;
            let mut found = events(&o, &o.visits)?;
            for h in &hrefs {
                let id = id_of(h);
                let there = o.visits.iter().any(|(a, _)| a.id == id);
                if !there {
                    found.push(Resource::Missing { href: h.clone() });
                }
            }
            Ok(multistatus(&found, &asked, &home(&o)))
        }
        Dav::Propfind(_) => Err(not_dav("propfind")),
    }
}

/// An event's file name (or href), `<appointment ID>.ics`, as the ID.
fn id_of(href: &str) -> String {
    let last = href.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    last.strip_suffix(".ics").unwrap_or(last).to_string()
}

/// `Depth`: 0, 1, or (`infinity`, none) as 1: a collection holds no other.
fn depth(call: &Call) -> u8 {
    match call.headers.depth.as_deref().map(str::trim) {
        Some("0") => 0,
        _ => 1,
    }
}

/// The principal's and the home's href: `<public path>/dav/`.
fn home(o: &Opened) -> String {
    format!("{}/dav/", o.path)
}

fn collection(o: &Opened) -> Resource {
    Resource::Calendar {
        href: format!("{}/dav/{}/", o.path, o.feed.name),
        title: crate::output::feed::title(o),
        tag: o.etag.clone(),
    }
}

/// Each visit as a resource: its own calendar, and that text's ETag.
fn events(o: &Opened, visits: &[(Appointment, i64)]) -> Result<Vec<Resource>> {
    visits
        .iter()
        .map(|(a, seq)| {
            let data = crate::output::feed::calendar(o, &[(a.clone(), *seq)], false)?;
            Ok(Resource::Event {
                href: format!("{}/dav/{}/{}.ics", o.path, o.feed.name, a.id),
                etag: crate::output::feed::etag(&data),
                data,
            })
        })
        .collect()
}

fn multistatus(all: &[Resource], asked: &Asked, home: &str) -> Answer {
    Answer::text(207, XML, dav::multistatus(all, asked, home))
}

/// A body appt does not read as DAV.
fn not_dav(what: &str) -> Error {
    Error::new(
        Code::Validation,
        crate::text::msg!("e-feed_body_is_not_dav", a = what.to_string()),
    )
}

/// A DAV request's body, as read.
#[derive(Debug, PartialEq)]
enum Dav {
    Propfind(Asked),
    Query {
        asked: Asked,
        range: TimeRange,
        /// False when the filter asks for components other than events
        /// (tasks): the calendar holds none.
        events: bool,
    },
    Multiget {
        asked: Asked,
        hrefs: Vec<String>,
    },
}

/// A PROPFIND's body: none is `allprop` (RFC 4918 §9.1).
fn propfind(body: &[u8]) -> Result<Asked> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Asked::All);
    }
    match parse(body)? {
        Dav::Propfind(asked) => Ok(asked),
        _ => Err(not_dav("report")),
    }
}

/// Reads a PROPFIND, a calendar-query or a calendar-multiget, whatever
/// prefixes the client chose.
fn parse(body: &[u8]) -> Result<Dav> {
    let text = std::str::from_utf8(body).map_err(|_| not_dav("utf-8"))?;
    let mut r = NsReader::from_str(text);
    // The open elements, as (namespace, local name).
    let mut open: Vec<(String, String)> = Vec::new();
    let mut root = None;
    let mut props: Vec<Prop> = Vec::new();
    let mut all = false;
    let mut names = false;
    let mut range = TimeRange::default();
    let mut events = true;
    let mut hrefs = Vec::new();
    let mut href = None::<String>;
    loop {
        let (ns, ev) = r
            .read_resolved_event()
            .map_err(|e| not_dav(&e.to_string()))?;
        let ns = match ns {
            ResolveResult::Bound(n) => n.as_ref().to_string(),
            _ => String::new(),
        };
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name().as_ref().to_string();
                let parent = open.last().map(|(n, l)| (n.as_str(), l.as_str()));
                match (ns.as_str(), local.as_str()) {
                    _ if open.is_empty() => root = Some((ns.clone(), local.clone())),
                    _ if parent == Some((dav::DAV, "prop")) && open.len() == 2 => {
                        props.push(Prop::new(&ns, &local))
                    }
                    (dav::DAV, "allprop") if open.len() == 1 => all = true,
                    (dav::DAV, "propname") if open.len() == 1 => names = true,
                    (dav::CALDAV, "time-range") => {
                        for a in e.attributes().flatten() {
                            let v = a
                                .normalized_value(V1)
                                .map(|v| v.into_owned())
                                .unwrap_or_default();
                            match a.key.local_name().as_ref() {
                                "start" => range.start = TimeRange::instant(&v),
                                "end" => range.end = TimeRange::instant(&v),
                                _ => {}
                            }
                        }
                    }
                    (dav::CALDAV, "comp-filter") => {
                        let named = e.attributes().flatten().find_map(|a| {
                            (a.key.local_name().as_ref() == "name")
                                .then(|| a.normalized_value(V1).map(|v| v.into_owned()).ok())
                                .flatten()
                        });
                        if named.is_some_and(|n| {
                            !n.eq_ignore_ascii_case("VCALENDAR")
                                && !n.eq_ignore_ascii_case("VEVENT")
                        }) {
                            events = false;
                        }
                    }
                    (dav::DAV, "href") if matches!(ev, Event::Start(_)) => {
                        href = Some(String::new())
                    }
                    _ => {}
                }
                if matches!(ev, Event::Start(_)) {
                    open.push((ns, local));
                }
            }
            Event::Text(t) => {
                if let Some(h) = href.as_mut() {
                    h.push_str(&t.xml_content(V1));
                }
            }
            Event::GeneralRef(g) => {
                if let Some(h) = href.as_mut() {
                    match g.resolve_char_ref().map_err(|e| not_dav(&e.to_string()))? {
                        Some(c) => h.push(c),
                        None => h.push_str(match g.xml_content(V1).as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        }),
                    }
                }
            }
            Event::End(_) => {
                if let Some((n, l)) = open.pop() {
                    if n == dav::DAV && l == "href" {
                        if let Some(h) = href.take() {
                            hrefs.push(h.trim().to_string());
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let asked = if all {
        Asked::All
    } else if names {
        Asked::Names
    } else {
        Asked::These(props)
    };
    match root {
        Some((ns, l)) if ns == dav::DAV && l == "propfind" => Ok(Dav::Propfind(asked)),
        Some((ns, l)) if ns == dav::CALDAV && l == "calendar-query" => Ok(Dav::Query {
            asked,
            range,
            events,
        }),
        Some((ns, l)) if ns == dav::CALDAV && l == "calendar-multiget" => {
            Ok(Dav::Multiget { asked, hrefs })
        }
        Some((_, l)) => Err(not_dav(&l)),
        None => Err(not_dav("")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_read_whatever_its_prefixes() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data><c:comp name="VCALENDAR"/></c:calendar-data></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="20261201T000000Z" end="20261202T000000Z"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>"#;
        let Dav::Query {
            asked,
            range,
            events,
        } = parse(body).unwrap()
        else {
            panic!("not a query")
        };
        assert_eq!(
            asked,
            Asked::These(vec![
                Prop::new(dav::DAV, "getetag"),
                Prop::new(dav::CALDAV, "calendar-data")
            ])
        );
        assert_eq!(range.start, TimeRange::instant("20261201T000000Z"));
        assert_eq!(range.end, TimeRange::instant("20261202T000000Z"));
        assert!(events);
        let todo = br#"<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns="DAV:"><prop><getetag/></prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter></C:calendar-query>"#;
        assert!(matches!(
            parse(todo).unwrap(),
            Dav::Query { events: false, .. }
        ));
    }

    #[test]
    fn a_multiget_names_its_hrefs_and_a_propfind_its_properties() {
        let body = br#"<C:calendar-multiget xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><prop><getetag/></prop><href>/dav/ana/a&amp;b.ics</href><href> /dav/ana/c.ics </href></C:calendar-multiget>"#;
        assert_eq!(
            parse(body).unwrap(),
            Dav::Multiget {
                asked: Asked::These(vec![Prop::new(dav::DAV, "getetag")]),
                hrefs: vec!["/dav/ana/a&b.ics".into(), "/dav/ana/c.ics".into()],
            }
        );
        assert_eq!(propfind(b"  ").unwrap(), Asked::All);
        let p = br#"<propfind xmlns="DAV:"><allprop/></propfind>"#;
        assert_eq!(propfind(p).unwrap(), Asked::All);
        let p = br#"<x:propfind xmlns:x="DAV:" xmlns:cs="http://calendarserver.org/ns/"><x:prop><cs:getctag/><x:resourcetype/></x:prop></x:propfind>"#;
        assert_eq!(
            propfind(p).unwrap(),
            Asked::These(vec![
                Prop::new(dav::CALSERVER, "getctag"),
                Prop::new(dav::DAV, "resourcetype")
            ])
        );
        for bad in [&b"<nonsense"[..], b"<a/>", b"\xff"] {
            assert_eq!(propfind(bad).unwrap_err().code, Code::Validation);
        }
        assert_eq!(id_of("/appt/dav/ana/3f2a.ics"), "3f2a");
    }
}
