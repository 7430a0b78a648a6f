//! Who may do what over `appt serve` (docs/security.md#api-tokens): the
//! scopes a token carries, what a valid token grants, and the rules for a
//! token's name and expiry. Pure: the token's randomness and hash are the
//! use case's and the store's.

use crate::error::{Error, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;

/// The keys of the appointment object that hold the clinical record: what
/// the `clinical` scope reads, and what no message carries.
pub const CLINICAL_KEYS: [&str; 4] = [
    "diagnosis",
    "prescription",
    "follow_up_required",
    "follow_up_date",
];

/// The names an update's `changed` list gives the clinical fields.
pub const CLINICAL_CHANGES: [&str; 3] = ["diagnosis", "prescription", "follow_up"];

/// Removes the clinical keys from every object in `v` (an appointment's,
/// a recall's follow-up date), however deep, and the clinical fields from
/// every `changed` list (an update's event): a token without the scope
/// does not learn that they changed.
pub fn strip_clinical(v: &mut Value) {
    match v {
        Value::Object(map) => {
            strip_own(map);
            for (_, child) in map.iter_mut() {
                strip_clinical(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_clinical),
        _ => {}
    }
}

/// The visits whose clinical record `v` (an answer) holds: an object
/// naming its doctor (`doctor_id`, an appointment's) with a clinical key
/// that holds something, by its `id`; an object naming its visit
/// (`appointment_id`, an event's) with such a key anywhere within, by that.
/// Each once, in the order met.
pub fn clinical_visits(v: &Value) -> Vec<String> {
    /// Whether the object holds a clinical key with something in it.
    fn own(map: &serde_json::Map<String, Value>) -> bool {
        CLINICAL_KEYS.iter().any(|k| {
            map.get(*k)
                .is_some_and(|x| !x.is_null() && x != &Value::Bool(false))
        })
    }
    /// [`own`] of `v` or of anything within it.
    fn holds(v: &Value) -> bool {
        match v {
            Value::Object(map) => own(map) || map.values().any(holds),
            Value::Array(items) => items.iter().any(holds),
            _ => false,
        }
    }
    fn walk(v: &Value, seen: &mut std::collections::BTreeSet<String>, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                let found = match (map.get("id"), map.get("appointment_id")) {
                    (Some(Value::String(id)), _) if map.contains_key("doctor_id") && own(map) => {
                        Some(id)
                    }
                    (_, Some(Value::String(id))) if holds(v) => Some(id),
                    _ => None,
                };
                if let Some(id) = found.filter(|id| seen.insert((*id).clone())) {
                    out.push(id.clone());
                }
                map.values().for_each(|c| walk(c, seen, out));
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, seen, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut std::collections::BTreeSet::new(), &mut out);
    out
}

/// Removes the clinical keys of one object, and the clinical fields from
/// its `changed` list, leaving what it holds deeper.
pub fn strip_own(map: &mut serde_json::Map<String, Value>) {
    for k in CLINICAL_KEYS {
        map.remove(k);
    }
    if let Some(Value::Array(changed)) = map.get_mut("changed") {
        changed.retain(|c| c.as_str().is_none_or(|c| !CLINICAL_CHANGES.contains(&c)));
    }
}

/// What a token may do (docs/security.md#api-tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every GET but a report's and a patient's export.
    AppointmentsRead,
    /// Book, move, cancel, status, update, waitlist.
    AppointmentsWrite,
    /// Diagnosis, prescription and follow-up, read and written.
    Clinical,
    /// A patient's whole record, exported (docs/privacy.md#subject-access).
    PatientsExport,
    /// Erase a patient on request (docs/privacy.md#erasure).
    PatientsErase,
    /// Book with `overbook` (docs/rules.md#overbooking).
    AppointmentsOverbook,
    /// A clinic's report (`GET /v1/reports`, `GET /reports`;
    /// docs/reports.md): its figures and nothing else. No other scope
    /// grants it, and it grants nothing else.
    ReportsRead,
    /// The doctors' own calendars (`/v1/calendars`, docs/calendars.md):
    /// list, add, sync, remove. No other scope grants it.
    CalendarsAdmin,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Scope::AppointmentsRead,
        Scope::AppointmentsWrite,
        Scope::AppointmentsOverbook,
        Scope::Clinical,
        Scope::PatientsExport,
        Scope::PatientsErase,
        Scope::ReportsRead,
        Scope::CalendarsAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::AppointmentsRead => "appointments:read",
            Scope::AppointmentsWrite => "appointments:write",
            Scope::Clinical => "clinical",
            Scope::PatientsExport => "patients:export",
            Scope::PatientsErase => "patients:erase",
            Scope::AppointmentsOverbook => "appointments:overbook",
            Scope::ReportsRead => "reports:read",
            Scope::CalendarsAdmin => "calendars:admin",
        }
    }

    /// One scope as written (`appointments:read`); anything else is
    /// `VALIDATION_ERROR` naming `scopes`.
    pub fn parse(s: &str) -> Result<Scope> {
        let s = s.trim();
        Scope::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s)
            .ok_or_else(|| Error::field("scopes", crate::text::msg!("e-is_not_a_scope", s = s)))
    }

    /// A list of scopes as typed (`--scopes a,b`, or several values): at
    /// least one, each known, each once, in the order of [`Scope::ALL`].
    pub fn parse_list<S: AsRef<str>>(typed: &[S]) -> Result<Vec<Scope>> {
        let mut found = Vec::new();
        for item in typed {
            for part in item.as_ref().split(',').filter(|p| !p.trim().is_empty()) {
                found.push(Scope::parse(part)?);
            }
        }
        if found.is_empty() {
            return Err(Error::field(
                "scopes",
                crate::text::msg!("e-at_least_one_scope"),
            ));
        }
        Ok(Scope::ALL
            .into_iter()
            .filter(|s| found.contains(s))
            .collect())
    }
}

/// What a valid token may do.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The token's name: events record `api:<name>`.
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The one clinic the token sees; `None`: every clinic.
    pub clinic_id: Option<String>,
    /// The member of staff it is tied to, whose role it never exceeds
    /// (docs/security.md#roles).
    pub person: Option<super::staff::Person>,
}

impl Grant {
    pub fn has(&self, s: Scope) -> bool {
        self.scopes.contains(&s)
    }
}

/// The longest token name.
pub const NAME_MAX: usize = 64;

/// A token's name: 1 to 64 letters, digits, `.`, `_` or `-` (it appears in
/// every event the token makes, `api:<name>`, and in the server's log).
pub fn check_name(name: &str) -> Result<String> {
    if is_name(name, NAME_MAX) {
        Ok(name.to_string())
    } else {
        Err(Error::field(
            "name",
            crate::text::msg!("e-token_name_must_be", n = NAME_MAX),
        ))
    }
}

/// Whether `name` is 1 to `max` ASCII letters, digits, `.`, `_` or `-`:
/// a name that stands as it is in a path or a log (an API token's, a
/// calendar feed's).
pub fn is_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The longest lifetime `--expires` takes: about 100 years.
const MAX_DAYS: i64 = 36_500;

/// When a token given `--expires` stops working: `90d` (days from now),
/// `12h` (hours from now), a date `YYYY-MM-DD` (its start, 00:00 UTC) or an
/// RFC 3339 instant. It must be later than `now`.
pub fn expiry(typed: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let t = typed.trim();
    let bad = || Error::field("expires", crate::text::msg!("e-is_not_an_expiry", t = t));
    let count = |digits: &str, per_day: i64| -> Result<DateTime<Utc>> {
        let n: i64 = digits.parse().map_err(|_| bad())?;
        if n < 1 || n > MAX_DAYS * per_day {
            return Err(Error::field(
                "expires",
                crate::text::msg!("e-expires_must_be_between", n = MAX_DAYS),
            ));
        }
        Ok(now + Duration::hours(n * 24 / per_day))
    };
    let at = if let Some(d) = t.strip_suffix('d').filter(|d| is_digits(d)) {
        count(d, 1)?
    } else if let Some(h) = t.strip_suffix('h').filter(|h| is_digits(h)) {
        count(h, 24)?
    } else if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        day.and_hms_opt(0, 0, 0).ok_or_else(bad)?.and_utc()
    } else {
        super::time::parse_rfc3339(t).map_err(|_| bad())?
    };
    if at <= now {
        return Err(Error::field(
            "expires",
            crate::text::msg!("e-expires_is_not_in_the_future", t = t),
        ));
    }
    if at > now + Duration::days(MAX_DAYS) {
        return Err(Error::field(
            "expires",
            crate::text::msg!("e-expires_must_be_between", n = MAX_DAYS),
        ));
    }
    Ok(at)
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a token expiring at `expires_at` still works at `now`.
/// Failed authentications from one address within [`FAILURE_WINDOW`]
/// after which it is refused (`RATE_LIMITED`), whatever it presents.
pub const MAX_FAILURES: i64 = 20;

/// How far back failed authentications count.
pub const FAILURE_WINDOW: chrono::Duration = chrono::Duration::seconds(60);

/// How many seconds an address must wait at `now`, given its `failures`
/// since `now - FAILURE_WINDOW` and when the oldest of them was: None while
/// it has failed fewer than [`MAX_FAILURES`] times.
pub fn must_wait(failures: i64, oldest: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u64> {
    if failures < MAX_FAILURES {
        return None;
    }
    let frees = oldest.unwrap_or(now) + FAILURE_WINDOW;
    Some((frees - now).num_seconds().max(1) as u64)
}

pub fn expired(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    expires_at.is_some_and(|e| e <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-15T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn scopes_read_as_written_and_nothing_else() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()).unwrap(), s);
        }
        for bad in ["", "read", "Clinical", "appointments:*", "appointments"] {
            let e = Scope::parse(bad).unwrap_err();
            assert_eq!(e.code, crate::error::Code::Validation);
            assert!(e.details.get("scopes").is_some(), "{bad}");
        }
    }

    #[test]
    fn a_list_needs_one_scope_and_keeps_each_once() {
        assert_eq!(
            Scope::parse_list(&["clinical,appointments:read", "clinical"]).unwrap(),
            [Scope::AppointmentsRead, Scope::Clinical]
        );
        assert!(Scope::parse_list(&[" , "]).is_err());
        assert!(Scope::parse_list::<&str>(&[]).is_err());
        assert!(Scope::parse_list(&["appointments:read,nope"]).is_err());
    }

    #[test]
    fn a_grant_has_only_its_scopes() {
        let g = Grant {
            name: "bot".into(),
            scopes: vec![Scope::AppointmentsRead],
            clinic_id: None,
            person: None,
        };
        assert!(g.has(Scope::AppointmentsRead));
        assert!(!g.has(Scope::AppointmentsWrite));
        assert!(!g.has(Scope::Clinical));
    }

    #[test]
    fn names_are_short_plain_words() {
        assert_eq!(check_name("whatsapp-bot_2.0").unwrap(), "whatsapp-bot_2.0");
        for bad in ["", "a b", "bot\n", "señal", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn expiry_in_days_hours_a_date_or_an_instant() {
        assert_eq!(expiry("90d", now()).unwrap(), now() + Duration::days(90));
        assert_eq!(expiry("12h", now()).unwrap(), now() + Duration::hours(12));
        assert_eq!(
            expiry("2026-12-31", now()).unwrap(),
            DateTime::parse_from_rfc3339("2026-12-31T00:00:00Z").unwrap()
        );
        assert_eq!(
            expiry("2026-06-15T13:00:00-06:00", now()).unwrap(),
            DateTime::parse_from_rfc3339("2026-06-15T19:00:00Z").unwrap()
        );
        for bad in [
            "0d",
            "-1d",
            "90",
            "d",
            "1w",
            "2026-06-15",
            "2026-01-01",
            "36501d",
            "9999999999d",
            "",
        ] {
            let e = expiry(bad, now()).unwrap_err();
            assert!(e.details.get("expires").is_some(), "{bad}: {e:?}");
        }
    }

    #[test]
    fn a_token_expires_at_its_instant() {
        assert!(!expired(None, now()));
        assert!(!expired(Some(now() + Duration::seconds(1)), now()));
        assert!(expired(Some(now()), now()));
    }
}

/// The client's address for the limits and the log: the connection's,
/// unless it comes from one of `trusted` (a proxy of the clinic's own, `appt
/// serve --trusted-proxy`), in which case the rightmost address of its
/// `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends
/// the address it was reached from; what a client wrote before that is not
/// believed). A header missing or unreadable leaves the connection's.
pub fn client_address(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(list) = forwarded_for else {
        return peer;
    };
    for part in list.rsplit(',') {
        match part.trim().parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

/// Where a browser says a form was posted from (docs/booking.md#forms).
#[derive(Debug, Clone, Copy, Default)]
pub struct PostedFrom<'a> {
    /// The `Origin` header.
    pub origin: Option<&'a str>,
    /// `Sec-Fetch-Site`.
    pub fetch_site: Option<&'a str>,
    /// The `Host` the request asked for.
    pub host: Option<&'a str>,
}

/// Whether a POST is not from another site: no `Sec-Fetch-Site:
/// cross-site`, and an `Origin`, when the browser sends one, that is the
/// `public_url`'s (scheme, host and port) or the very host asked (the
/// page reached at its own address). A client that sends neither (a
/// script, an old browser) is left to the form token; so is an `Origin` of
/// `null`, which a browser sends for its own page's form under the page's
/// `Referrer-Policy: no-referrer` (and with `Sec-Fetch-Site` saying where
/// it came from, which is judged).
pub fn same_site(from: PostedFrom, public_url: Option<&str>) -> bool {
    if from
        .fetch_site
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("cross-site"))
    {
        return false;
    }
    let Some(origin) = from
        .origin
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| *o != "null")
    else {
        return true;
    };
    let public = public_url.map(origin_of);
    let asked = from.host.map(|h| h.trim());
    let of_host = |o: &str| {
        asked.is_some_and(|h| {
            o.strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"))
                .is_some_and(|rest| rest.eq_ignore_ascii_case(h))
        })
    };
    public.is_some_and(|p| p.eq_ignore_ascii_case(origin)) || of_host(origin)
}

/// A URL's origin: its scheme, host and port (`https://a.example:8443`).
fn origin_of(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{authority}")
}

/// A client as the limits count it (docs/security.md#what-holds): an IPv4
/// address as it is, an IPv6 one by its /64 — a host is handed a whole /64
/// and could otherwise take a fresh address for every request. An IPv4
/// address written as IPv6 (`::ffff:a.b.c.d`) is its IPv4 address.
pub fn counted_as(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod client_address_tests {
    use super::{client_address, counted_as, must_wait, MAX_FAILURES};

    /// A form posted from another site is refused; the page's own is
    /// taken, at its public URL or at the address it was reached at.
    #[test]
    fn a_post_from_another_site_is_told_apart() {
        use super::{same_site, PostedFrom};
        let public = Some("https://citas.central.example/");
        let from = |origin, fetch_site, host| PostedFrom {
            origin,
            fetch_site,
            host,
        };
        let host = Some("127.0.0.1:8080");
        assert!(same_site(
            from(Some("https://citas.central.example"), None, host),
            public
        ));
        assert!(same_site(
            from(Some("http://127.0.0.1:8080"), Some("same-origin"), host),
            public
        ));
        assert!(same_site(from(None, None, None), public));
        assert!(!same_site(
            from(Some("https://evil.example"), None, host),
            public
        ));
        assert!(!same_site(from(None, Some("cross-site"), host), public));
        assert!(!same_site(
            from(Some("https://citas.central.example.evil"), None, host),
            public
        ));
        // A page under `no-referrer` posts with `Origin: null`: where it
        // came from is `Sec-Fetch-Site`'s to say.
        assert!(same_site(
            from(Some("null"), Some("same-origin"), host),
            public
        ));
        assert!(!same_site(
            from(Some("null"), Some("cross-site"), host),
            public
        ));
    }

    /// One IPv6 host is counted once, whatever address of its /64 it
    /// takes; an IPv4 one by its address.
    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a = counted_as(ip("2001:db8:1:2::1"));
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(counted_as(ip("2001:db8:1:2:ffff:1:2:3")), a);
        assert_ne!(counted_as(ip("2001:db8:1:3::1")), a);
        assert_eq!(counted_as(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(counted_as(ip("::ffff:203.0.113.9")), "203.0.113.9");
    }
    use chrono::{DateTime, Utc};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_for_what_it_appended() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        // Not from the proxy: the header is anyone's to write.
        assert_eq!(
            client_address(ip("203.0.113.9"), Some("198.51.100.1"), &trusted),
            ip("203.0.113.9")
        );
        // From the proxy: the address it appended, past the proxies.
        assert_eq!(
            client_address(proxy, Some("198.51.100.1, 203.0.113.7"), &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(proxy, Some("203.0.113.7, 10.0.0.3"), &trusted),
            ip("203.0.113.7")
        );
        // Nothing readable: the proxy's own.
        assert_eq!(client_address(proxy, None, &trusted), proxy);
        assert_eq!(client_address(proxy, Some("nonsense"), &trusted), proxy);
        assert_eq!(client_address(proxy, Some("10.0.0.3"), &trusted), proxy);
    }

    #[test]
    fn an_address_waits_from_its_twentieth_failure_until_the_oldest_is_a_minute_old() {
        let now = DateTime::parse_from_rfc3339("2026-06-15T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let oldest = Some(now - chrono::Duration::seconds(45));
        assert_eq!(must_wait(MAX_FAILURES - 1, oldest, now), None);
        assert_eq!(must_wait(MAX_FAILURES, oldest, now), Some(15));
        // Never less than a second, even as the oldest ages out.
        let old = Some(now - chrono::Duration::seconds(60));
        assert_eq!(must_wait(MAX_FAILURES, old, now), Some(1));
    }
}
