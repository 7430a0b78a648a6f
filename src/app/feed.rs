//! Calendar feeds (docs/feeds.md): `appt feed add|list|revoke`, and what
//! `appt serve` reads for a feed's calendar (`/cal/<token>.ics`) and its
//! read-only CalDAV collection (`/dav/<name>/`). A feed's token is made
//! and kept as an API token is (shown once, stored as its SHA-256); the
//! calendar's ETag and Last-Modified come from one aggregate statement
//! (`store::feeds::signature`), so an unchanged calendar is answered
//! without reading a visit.

use super::schedule;
use super::token::{by_name_or_prefix, digest, not_saved, random_token, SHOWN_PREFIX};
use crate::core::feed::{self, Days, Show, TimeRange};
use crate::core::zone::Tz;
use crate::core::{Appointment, Language};
use crate::error::{Code, Error, Result};
use crate::store::appointments::{self, Filter};
use crate::store::db::Tx;
use crate::store::feeds::{self, Feed, Signature};
use crate::store::keys::to_hex;
use crate::store::{self, clinics, Store};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::cell::Cell;

/// What every feed's token starts with, so that a leaked one is
/// recognised. The rest is 32 random bytes (256 bits, as an API token's; a
/// patient's link carries 128).
pub const TOKEN_PREFIX: &str = "cal_";

/// `appt feed add NAME (--doctor D | --clinic C) [--show …] [--days-back N]
/// [--days-ahead N]`, as typed.
#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub name: String,
    pub doctor: Option<String>,
    pub clinic: Option<String>,
    pub show: Option<Show>,
    pub days_back: Option<i64>,
    pub days_ahead: Option<i64>,
}

/// A new feed: the only time its token exists outside its holder.
pub struct Added {
    /// `<public-url>/cal/<token>.ics`.
    pub url: String,
    /// The CalDAV collection's address, `<public-url>/dav/<name>/`.
    pub dav: String,
    pub token: String,
    pub feed: Feed,
}

impl std::fmt::Debug for Added {
    /// Never the token: a debug print may end up in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Added")
            .field("token", &format_args!("{}…", self.feed.prefix))
            .field("feed", &self.feed)
            .finish()
    }
}

/// Makes a feed and hands it to `deliver` (which shows its address) before
/// the change commits: when `deliver` fails, nothing is saved, so no feed
/// works whose address nobody saw.
pub fn add_then(
    st: &mut Store,
    req: &AddRequest,
    now: DateTime<Utc>,
    deliver: &mut dyn FnMut(&Added) -> Result<()>,
) -> Result<Added> {
    let name = feed::check_name(&req.name);
    let back = feed::check_days("days_back", req.days_back.unwrap_or(30), 0);
    let ahead = feed::check_days("days_ahead", req.days_ahead.unwrap_or(90), 1);
    let (name, days_back, days_ahead) = match (name, back, ahead) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (a, b, c) => {
            return Err(Error::of_fields(
                [a.err(), b.err(), c.err()].iter().flatten(),
            ))
        }
    };
    let shown = Cell::new(false);
    let outcome = st.write(|tx| {
        let target = schedule::target(tx, req.clinic.as_deref(), req.doctor.as_deref())?;
        let Some(base) = target.clinic.settings.public_url.clone() else {
            return Err(Error::field(
                "public_url",
                crate::text::msg!(
                    "e-feed_needs_public_url",
                    clinic = target.clinic.name.clone()
                ),
            ));
        };
        if feeds::active_by_name(tx, &name)?.is_some() {
            return Err(Error::field(
                "name",
                crate::text::msg!("e-feed_named_exists", name = name.clone()),
            ));
        }
        let token = random_token(TOKEN_PREFIX);
        let feed = Feed {
            id: store::new_id(),
            name: name.clone(),
            prefix: token.chars().take(SHOWN_PREFIX).collect(),
            clinic_id: target.clinic.id.clone(),
            doctor_id: target.doctor.as_ref().map(|d| d.id.clone()),
            show: req.show.unwrap_or_default(),
            days_back,
            days_ahead,
            created_at: now,
            revoked_at: None,
            clinic: target.clinic.name.clone(),
            doctor: target.doctor.map(|d| d.full_name),
            seen: None,
        };
        feeds::insert(tx, &feed, &digest(&token))?;
        let base = base.trim_end_matches('/');
        let added = Added {
            url: format!("{base}/cal/{token}.ics"),
            dav: format!("{base}/dav/{name}/"),
            token,
            feed,
        };
        deliver(&added)?;
        shown.set(true);
        Ok(added)
    });
    not_saved(outcome, shown.get(), |a| {
        crate::text::msg!("e-feed_was_not_saved", a = a)
    })
}

/// Every feed, revoked ones too.
pub fn list(st: &mut Store) -> Result<Vec<Feed>> {
    st.read(feeds::list)
}

/// `feed revoke NAME|PREFIX`: its calendar and collection are 404 from the
/// next request.
pub fn revoke(st: &mut Store, name: &str, now: DateTime<Utc>) -> Result<Feed> {
    st.write(|tx| {
        let mut f = active(tx, name)?;
        feeds::revoke(tx, &f.id, now)?;
        f.revoked_at = Some(now);
        Ok(f)
    })
}

/// The active feed `feed revoke` would revoke, for its question.
pub fn find_active(st: &mut Store, name: &str) -> Result<Feed> {
    st.read(|tx| active(tx, name))
}

/// The active feed of that name, or the one whose prefix it is.
fn active(tx: &Tx, name: &str) -> Result<Feed> {
    let name = name.trim();
    let found = by_name_or_prefix(
        feeds::active_by_name(tx, name)?,
        || feeds::active_by_prefix(tx, name),
        |f| (f.name.as_str(), f.prefix.as_str()),
        |names| {
            crate::text::msg!(
                "e-several_feeds_have_the_prefix",
                prefix = name,
                names = names
            )
        },
    )?;
    found.ok_or_else(|| {
        Error::new(
            Code::NotFound,
            crate::text::msg!("e-no_active_feed_has_the_name_or_prefix", name = name),
        )
        .hint(crate::text::msg!("e-feed_list_shows_the_feeds"))
    })
}

/// How a request names its feed.
#[derive(Clone, Copy)]
pub enum Key<'a> {
    /// `/cal/<token>.ics`: the token is the feed.
    Token(&'a str),
    /// `/dav/<name>/`: the name, and the token as basic auth's password
    /// (`None`: none given).
    Login(&'a str, Option<&'a str>),
}

/// What a client already holds (`If-None-Match`, `If-Modified-Since`).
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub etags: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

/// Which of a feed's visits a request reads.
pub enum Pick<'a> {
    /// None: only what the calendar is (its ETag and Last-Modified).
    Nothing,
    /// Every visit of its days.
    All,
    /// Every visit of its days as `(ID, sequence)` ([`Opened::order`]), and
    /// of the visits themselves only those the caller does not hold as
    /// they are (`holds(ID, sequence)`): a server that kept each visit's
    /// event reads only what changed.
    Unheld(&'a dyn Fn(&str, i64) -> bool),
    /// Those overlapping a CalDAV query's time range.
    Range(TimeRange),
    /// These appointments, by ID (a multiget, an event's `GET`); one not
    /// the feed's is left out.
    Ids(Vec<String>),
}

/// A feed opened for a request: what its calendar is written with.
pub struct Opened {
    pub feed: Feed,
    pub zone: Tz,
    pub language: Language,
    pub days: Days,
    /// The path of the clinic's public URL (`/appt`, or empty), which
    /// CalDAV's hrefs start with.
    pub path: String,
    /// Quoted, as HTTP's `ETag` carries it.
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    /// Its visits in start order, with their sequences, as picked.
    pub visits: Vec<(Appointment, i64)>,
    /// With [`Pick::Unheld`]: every visit of its days as `(ID, sequence)`,
    /// by day and then ID (a calendar's events need no order).
    pub order: Vec<(String, i64)>,
    /// What an event's text depends on besides its visit (how the feed
    /// shows patients, whose feed it is, the names, the language), hashed:
    /// an event kept under it and its visit's ID and sequence is the one
    /// the feed would write now.
    pub view: String,
}

impl Opened {
    /// Whether what the client holds is this calendar ([`holds`]).
    pub fn held(&self, held: &Held, now: DateTime<Utc>) -> bool {
        holds(held, &self.etag, self.last_modified, now)
    }
}

/// A feed's token that is no feed's (or a revoked one's), as missing.
fn no_feed() -> Error {
    Error::not_found(crate::error::Entity::Feed)
}

/// A CalDAV login whose password is not the feed's.
pub fn unauthorized() -> Error {
    Error::new(
        Code::Unauthorized,
        crate::text::msg!("e-feed_password_is_its_token"),
    )
}

/// Opens the feed `key` names and reads what `pick` asks for, in one
/// transaction: the ETag and the visits cannot disagree. A calendar that
/// is not what it was when last asked for is recorded as such, so that its
/// Last-Modified is when it changed (as far as anyone asked: a write that
/// fails is tried again at the next request, and meanwhile the calendar is
/// as new as now).
pub fn open(st: &mut Store, key: Key, now: DateTime<Utc>, pick: Pick) -> Result<Opened> {
    let opened = st.read(|tx| {
        let feed = match key {
            Key::Token(t) => feeds::active_by_hash(tx, &digest(t))?.ok_or_else(no_feed)?,
            Key::Login(name, password) => {
                // Without a valid login, a name that is a feed's and one
                // that is none are answered alike (docs/security.md): the
                // password is looked up by its digest, as a token is.
                let named = feeds::active_by_name(tx, name)?;
                let given = match password {
                    Some(p) => feeds::active_by_hash(tx, &digest(p))?,
                    None => None,
                };
                match (named, given) {
                    (Some(f), Some(g)) if g.id == f.id => f,
                    _ => return Err(unauthorized()),
                }
            }
        };
        let clinic = clinics::get(tx, &feed.clinic_id)?;
        let zone = clinic.timezone;
        let days = Days::on(zone, now, feed.days_back, feed.days_ahead);
        let sig = feeds::signature(tx, &feed, days)?;
        let etag = etag(&feed, days, &sig);
        let last_modified = match &feed.seen {
            Some((tag, at)) if *tag == etag => *at,
            _ => now,
        };
        // What an event's text depends on besides its visit.
        let view = hash_of(&[
            feed.show.as_str(),
            feed.doctor_id.as_deref().unwrap_or("clinic"),
            clinic.settings.language.as_str(),
            &sig.patients,
            &sig.names,
        ]);
        let mut order = Vec::new();
        let visits = match pick {
            Pick::Nothing => Vec::new(),
            Pick::All => visits(tx, &feed, days, |_| true)?,
            Pick::Unheld(holds) => {
                order = feeds::order(tx, &feed, days)?;
                let wanted: Vec<&str> = order
                    .iter()
                    .filter(|(id, seq)| !holds(id, *seq))
                    .map(|(id, _)| id.as_str())
                    .collect();
                appointments::those(tx, &wanted)?
            }
            Pick::Range(r) => match days.within(zone, &r) {
                Some(d) => visits(tx, &feed, d, |a| r.overlaps(a.starts_at, a.ends_at))?,
                None => Vec::new(),
            },
            Pick::Ids(ids) => {
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                let mut found = appointments::those(tx, &refs)?;
                found.retain(|(a, _)| belongs(&feed, days, a));
                found.sort_by(|x, y| (x.0.starts_at, &x.0.id).cmp(&(y.0.starts_at, &y.0.id)));
                found
            }
        };
        Ok(Opened {
            feed,
            zone,
            language: clinic.settings.language,
            days,
            path: clinic
                .settings
                .public_url
                .as_deref()
                .map(feed::path_of)
                .unwrap_or_default(),
            etag,
            last_modified,
            visits,
            order,
            view,
        })
    })?;
    if opened
        .feed
        .seen
        .as_ref()
        .is_none_or(|(tag, _)| *tag != opened.etag)
    {
        let _ = st.write(|tx| feeds::saw(tx, &opened.feed.id, &opened.etag, now));
    }
    Ok(opened)
}

/// Whether an appointment is one of the feed's on its days.
fn belongs(feed: &Feed, days: Days, a: &Appointment) -> bool {
    a.clinic_id == feed.clinic_id
        && (feed.doctor_id.is_none() || a.doctor_id == feed.doctor_id)
        && a.local_date >= days.from
        && a.local_date <= days.to
}

/// The feed's visits on `days` that `keep` keeps, in start order.
fn visits(
    tx: &Tx,
    feed: &Feed,
    days: Days,
    keep: impl Fn(&Appointment) -> bool,
) -> Result<Vec<(Appointment, i64)>> {
    let filter = Filter {
        clinic_id: Some(feed.clinic_id.clone()),
        doctor_id: feed.doctor_id.clone(),
        from: Some(days.from),
        to: Some(days.to),
        ..Filter::default()
    };
    let mut all = Vec::new();
    appointments::each(tx, &filter, |a, seq| {
        if keep(a) {
            all.push((a.clone(), seq));
        }
        Ok(())
    })?;
    Ok(all)
}

/// The calendar's ETag: what it is made of on its days (its visits and
/// their sequences, the names it shows), how it shows them, and appt's
/// version, hashed.
fn etag(feed: &Feed, days: Days, sig: &Signature) -> String {
    let hash = hash_of(&[
        feed.id.as_str(),
        feed.show.as_str(),
        &days.from.to_string(),
        &days.to.to_string(),
        crate::core::ical::PRODID,
        &sig.visits,
        &sig.patients,
        &sig.names,
    ]);
    format!("\"{hash}\"")
}

/// The first 128 bits of the SHA-256 of `parts`, each ended by a NUL (so
/// that no two lists of parts run together), in hex.
fn hash_of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    to_hex(&h.finalize())[..32].to_string()
}

/// Whether what the client holds is this calendar: an `If-None-Match`
/// naming its ETag (or `*`); else, when none is given, an
/// `If-Modified-Since` at or after its Last-Modified (RFC 9110 §13.2.2),
/// unless that is this very second: an HTTP date counts whole seconds, and
/// a calendar that changed within the second a client last asked in is
/// not the one it holds.
fn holds(held: &Held, etag: &str, last_modified: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    match &held.etags {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag),
        None => held.since.is_some_and(|s| {
            last_modified.timestamp() <= s.timestamp()
                && last_modified.timestamp() < now.timestamp()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_client_holds_the_calendar_by_its_etag_before_its_date() {
        let lm = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let etag = "\"abc\"";
        let held = |etags: Option<&str>, since: Option<i64>| Held {
            etags: etags.map(str::to_string),
            since: since.map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        };
        let now = Utc.timestamp_opt(1_700_000_060, 0).unwrap();
        assert!(holds(&held(Some("\"x\", W/\"abc\""), None), etag, lm, now));
        assert!(holds(&held(Some("*"), None), etag, lm, now));
        // A stale ETag is not outweighed by a date.
        assert!(!holds(
            &held(Some("\"x\""), Some(1_800_000_000)),
            etag,
            lm,
            now
        ));
        assert!(holds(&held(None, Some(1_700_000_000)), etag, lm, now));
        assert!(!holds(&held(None, Some(1_699_999_999)), etag, lm, now));
        assert!(!holds(&held(None, None), etag, lm, now));
        // Changed within this second: a date cannot tell.
        assert!(!holds(&held(None, Some(1_700_000_000)), etag, lm, lm));
    }
}
