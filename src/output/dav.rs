//! A feed's read-only CalDAV collection as XML (RFC 4918's multistatus,
//! RFC 4791's properties; docs/feeds.md#caldav): the answer to a
//! `PROPFIND` on the home (`/dav/`), on the calendar or on an event, and to
//! a `REPORT` (calendar-query, calendar-multiget). Each property asked for
//! is given in a `200` propstat when the resource has it, else named in a
//! `404` one, as RFC 4918 §9.1 says.

use quick_xml::escape::escape;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";

/// A property: its namespace and its local name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prop {
    pub ns: String,
    pub name: String,
}

impl Prop {
    pub fn new(ns: &str, name: &str) -> Prop {
        Prop {
            ns: ns.to_string(),
            name: name.to_string(),
        }
    }
}

/// What a request asks of each resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// `allprop`, or no body: every property the resource has (but an
    /// event's calendar data).
    All,
    /// `propname`: the names alone.
    Names,
    /// These properties.
    These(Vec<Prop>),
}

/// A resource of the collection, as a multistatus shows it.
pub enum Resource {
    /// `/dav/`: the principal, and the home holding the calendar.
    Home { href: String },
    /// `/dav/<name>/`: the calendar; `tag` is the calendar's ETag.
    Calendar {
        href: String,
        title: String,
        tag: String,
    },
    /// `/dav/<name>/<id>.ics`: one visit, its text and that text's ETag.
    Event {
        href: String,
        etag: String,
        data: String,
    },
    /// A multiget's href that is not one of the feed's events.
    Missing { href: String },
}

/// Every property a resource has, with its value as XML (prefixes `D`,
/// `C` and `CS` are declared on the multistatus).
fn props(r: &Resource, home: &str) -> Vec<(Prop, String)> {
    let href = |h: &str| format!("<D:href>{}</D:href>", escape(h));
    let read_only = "<D:privilege><D:read/></D:privilege>".to_string();
    let reports = "<D:supported-report><D:report><C:calendar-query/></D:report></D:supported-report>\
                   <D:supported-report><D:report><C:calendar-multiget/></D:report></D:supported-report>"
        .to_string();
    let p = |ns: &str, name: &str, v: String| (Prop::new(ns, name), v);
    match r {
        Resource::Home { .. } => vec![
            p(DAV, "resourcetype", "<D:collection/><D:principal/>".into()),
            p(DAV, "displayname", "appt".into()),
            p(DAV, "current-user-principal", href(home)),
            p(DAV, "principal-URL", href(home)),
            p(CALDAV, "calendar-home-set", href(home)),
            p(DAV, "current-user-privilege-set", read_only),
        ],
        Resource::Calendar { title, tag, .. } => vec![
            p(DAV, "resourcetype", "<D:collection/><C:calendar/>".into()),
            p(DAV, "displayname", escape(title.as_str()).into_owned()),
            p(
                CALSERVER,
                "getctag",
                escape(tag.trim_matches('"')).into_owned(),
            ),
            p(DAV, "getetag", escape(tag.as_str()).into_owned()),
            p(
                CALDAV,
                "supported-calendar-component-set",
                "<C:comp name=\"VEVENT\"/>".into(),
            ),
            p(DAV, "current-user-principal", href(home)),
            p(DAV, "principal-URL", href(home)),
            p(CALDAV, "calendar-home-set", href(home)),
            p(DAV, "current-user-privilege-set", read_only),
            p(DAV, "supported-report-set", reports),
        ],
        Resource::Event { etag, data, .. } => vec![
            p(DAV, "resourcetype", String::new()),
            p(DAV, "getetag", escape(etag.as_str()).into_owned()),
            p(
                DAV,
                "getcontenttype",
                "text/calendar; charset=utf-8; component=VEVENT".into(),
            ),
            p(CALDAV, "calendar-data", escape(data.as_str()).into_owned()),
            p(DAV, "current-user-privilege-set", read_only),
        ],
        Resource::Missing { .. } => Vec::new(),
    }
}

fn href_of(r: &Resource) -> &str {
    match r {
        Resource::Home { href }
        | Resource::Calendar { href, .. }
        | Resource::Event { href, .. }
        | Resource::Missing { href } => href,
    }
}

/// An element of `p` with `inner` in it, its namespace declared on it
/// unless it is one of the multistatus's own.
fn element(p: &Prop, inner: &str) -> String {
    let prefix = match p.ns.as_str() {
        DAV => Some("D"),
        CALDAV => Some("C"),
        CALSERVER => Some("CS"),
        _ => None,
    };
    let name = escape(p.name.as_str());
    match prefix {
        Some(x) if inner.is_empty() => format!("<{x}:{name}/>"),
        Some(x) => format!("<{x}:{name}>{inner}</{x}:{name}>"),
        None => format!("<X:{name} xmlns:X=\"{}\"/>", escape(p.ns.as_str())),
    }
}

/// The multistatus answering `asked` of `resources`; `home` is the
/// principal's and the home's href.
pub fn multistatus(resources: &[Resource], asked: &Asked, home: &str) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\" \
         xmlns:C=\"urn:ietf:params:xml:ns:caldav\" xmlns:CS=\"http://calendarserver.org/ns/\">",
    );
    for r in resources {
        x.push_str(&format!(
            "<D:response><D:href>{}</D:href>",
            escape(href_of(r))
        ));
        if matches!(r, Resource::Missing { .. }) {
            x.push_str("<D:status>HTTP/1.1 404 Not Found</D:status></D:response>");
            continue;
        }
        let has = props(r, home);
        let (found, missing): (Vec<(Prop, String)>, Vec<Prop>) = match asked {
            Asked::All => (
                has.into_iter()
                    .filter(|(p, _)| p.name != "calendar-data")
                    .collect(),
                Vec::new(),
            ),
            Asked::Names => (
                has.into_iter().map(|(p, _)| (p, String::new())).collect(),
                Vec::new(),
            ),
            Asked::These(wanted) => {
                let mut found = Vec::new();
                let mut missing = Vec::new();
                for w in wanted {
                    match has.iter().find(|(p, _)| p == w) {
                        Some(pv) => found.push(pv.clone()),
                        None => missing.push(w.clone()),
                    }
                }
                (found, missing)
            }
        };
        if !found.is_empty() {
            x.push_str("<D:propstat><D:prop>");
            for (p, v) in &found {
                x.push_str(&element(p, v));
            }
            x.push_str("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
        }
        if !missing.is_empty() {
            x.push_str("<D:propstat><D:prop>");
            for p in &missing {
                x.push_str(&element(p, ""));
            }
            x.push_str("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
        }
        x.push_str("</D:response>");
    }
    x.push_str("</D:multistatus>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_property_asked_is_found_or_named_missing() {
        let r = [Resource::Calendar {
            href: "/dav/ana/".into(),
            title: "Dra. Ana <García>".into(),
            tag: "\"abc\"".into(),
        }];
        let asked = Asked::These(vec![
            Prop::new(DAV, "displayname"),
            Prop::new(CALSERVER, "getctag"),
            Prop::new("http://apple.com/ns/ical/", "calendar-color"),
        ]);
        let x = multistatus(&r, &asked, "/dav/");
        assert!(
            x.contains("<D:displayname>Dra. Ana &lt;García&gt;</D:displayname>"),
            "{x}"
        );
        assert!(x.contains("<CS:getctag>abc</CS:getctag>"), "{x}");
        assert!(x.contains(
            "<D:propstat><D:prop><X:calendar-color xmlns:X=\"http://apple.com/ns/ical/\"/></D:prop><D:status>HTTP/1.1 404 Not Found"
        ), "{x}");
        assert!(!x.contains("resourcetype"), "{x}");
    }
}
