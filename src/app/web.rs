//! The clinic's booking page (docs/booking.md): what a patient may book
//! there (the services and doctors the clinic put online, the free times
//! within the page's notice and horizon), the hold that keeps a time while
//! the patient types the 6-digit code sent to their phone, and the booking
//! the right code makes, through the desk's own rules with source `web`
//! and actor `web` (docs/rules.md#holds). The page's front end is
//! `serve`'s; nothing here knows HTML.

use super::away::AcrossDays;
use super::book::{self, BookRequest, Booking};
use super::outbox::reply::Reply;
use super::phones::Dialing;
use super::schedule::{
    doctors_day_of, place, request, target, Calendar, DayData, Target, WhenInput,
};
use super::slots;
use super::values::{check_email, check_name};
use crate::core::channel::Settings as ChannelSettings;
use crate::core::{time, Actor, Clinic, Doctor, Service};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::holds;
pub use crate::store::holds::{Held, WAIT};
use crate::store::{channels, clinics, doctors, patients, services, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};

/// A code is good this long after it was sent (and never past its hold).
pub const CODE_MINUTES: i64 = 10;
/// Wrong codes a hold takes before it ends.
pub const ATTEMPTS: i64 = 5;
/// Codes an hour: to one phone, from one address.
pub const CODES_PER_PHONE: i64 = 3;
pub const CODES_PER_ADDRESS: i64 = 20;
/// Live holds at once: of one phone, from one address.
pub const HOLDS_PER_PHONE: i64 = 2;
pub const HOLDS_PER_ADDRESS: i64 = 10;
/// How many days the page lists at once.
pub const DAYS: i64 = 14;

/// A clinic's page: the clinic and what it put online.
pub struct Page {
    pub clinic: Clinic,
    pub services: Vec<Service>,
    /// The doctors online with windows at the clinic, by name.
    pub doctors: Vec<Doctor>,
    /// Their windows at the clinic: which services each does there.
    windows: std::sync::Arc<[crate::core::Window]>,
    /// The token its forms carry, which a POST must bring back
    /// ([`Page::posted_here`], docs/booking.md#forms).
    pub form_token: String,
    /// The link key it is made with.
    form_key: [u8; 32],
}

impl Page {
    /// The doctors of the page who do `service` in one of their windows
    /// at the clinic (docs/rules.md#who-does-what), by name: the only
    /// ones the page offers once the service is chosen.
    pub fn doctors_for(&self, service: &str) -> Vec<&Doctor> {
        self.doctors
            .iter()
            .filter(|d| {
                let theirs = self
                    .windows
                    .iter()
                    .filter(|w| w.doctor_id.as_deref() == Some(d.id.as_str()));
                crate::core::offer::does(&d.services, theirs, service)
            })
            .collect()
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    pub fn doctor(&self, id: &str) -> Option<&Doctor> {
        self.doctors.iter().find(|d| d.id == id)
    }
}

/// The page of the clinic whose slug is `slug`: NOT_FOUND unless the
/// clinic takes bookings online and has a public URL (where its links
/// point).
pub fn page(st: &mut Store, slug: &str, now: DateTime<Utc>) -> Result<Page> {
    st.read(|tx| {
        let clinic = clinics::list(tx)?
            .into_iter()
            .find(|c| {
                c.settings.online_booking
                    && c.settings.public_url.is_some()
                    && c.settings.slug_or(&c.name) == slug
            })
            .ok_or_else(|| Error::not_found(crate::error::Entity::Page))?;
        let services = services::list(tx)?
            .into_iter()
            .filter(|s| s.online)
            .collect();
        let doctors = doctors::at_clinic(tx, &clinic.id)?
            .into_iter()
            .filter(|d| d.online)
            .collect();
        let windows = crate::store::windows::list(tx, Some(&clinic.id), None)?;
        let form_key = crate::store::links::key(tx)?;
        Ok(Page {
            form_token: form_token(&form_key, &clinic.id, hour_of(now)),
            clinic,
            services,
            doctors,
            windows,
            form_key,
        })
    })
}

/// The hour `now` falls in, counted from the epoch: a form token's age.
fn hour_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(3600)
}

/// The form token of `clinic`'s page made in `hour`: HMAC-SHA256 under the
/// database's link key, cut to 128 bits, base64url.
fn form_token(key: &[u8; 32], clinic: &str, hour: i64) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut m = <hmac::Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    m.update(b"appt booking form\0");
    m.update(clinic.as_bytes());
    m.update(&hour.to_be_bytes());
    let tag = m.finalize().into_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&tag[..16])
}

impl Page {
    /// Whether a POST to the page came from the page itself
    /// (docs/booking.md#forms): no browser says it was sent from another
    /// site (`Sec-Fetch-Site: cross-site`, an `Origin` other than the
    /// clinic's public URL or the address asked), and it brings back a form
    /// token of the page made this hour or the last. A page elsewhere then
    /// cannot have its visitors' browsers ask for codes.
    pub fn posted_here(
        &self,
        token: Option<&str>,
        from: crate::core::access::PostedFrom,
        now: DateTime<Utc>,
    ) -> bool {
        let public = self.clinic.settings.public_url.as_deref();
        if !crate::core::access::same_site(from, public) {
            return false;
        }
        let hour = hour_of(now);
        token.is_some_and(|t| {
            [hour, hour - 1].into_iter().any(|h| {
                let want = form_token(&self.form_key, &self.clinic.id, h);
                crate::core::inbound::same(want.as_bytes(), t.as_bytes())
            })
        })
    }
}

/// A free time on the page.
#[derive(Debug, Clone)]
pub struct Time {
    pub doctor_id: String,
    pub start: DateTime<Utc>,
}

/// What a day holds on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// A free time at least.
    Free,
    /// Hours, but no free time: the page offers its waitlist.
    Full,
    /// No hours (a day off, a closure): nothing to wait for.
    Off,
}

/// A day on the page.
#[derive(Debug, Clone)]
pub struct Day {
    /// Its free times, in time order.
    pub times: Vec<Time>,
    pub open: Open,
    /// On a day with no free time, the doctors with hours for the service
    /// that day (by ID): whom a full day's waitlist may be for. Empty on a
    /// day with free times, which has no waitlist to offer.
    pub working: Vec<String>,
}

/// The free times of `service` on `date` with `doctor` (None: every
/// doctor of the page, "whoever is first free"), in time order, and what
/// the day holds: the time step, in one read.
pub fn times(
    st: &mut Store,
    page: &Page,
    service: &Service,
    doctor: Option<&Doctor>,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Day> {
    let mut days = free_times(st, page, service, doctor, (date, date), false, now)?;
    Ok(days.pop().unwrap_or(Day {
        times: Vec::new(),
        open: Open::Off,
        working: Vec::new(),
    }))
}

/// The next [`DAYS`] days from today at the clinic, each with what it
/// holds for `service` with `doctor` (None: anyone): the day step, in one
/// read.
pub fn days(
    st: &mut Store,
    page: &Page,
    service: &Service,
    doctor: Option<&Doctor>,
    now: DateTime<Utc>,
) -> Result<Vec<(NaiveDate, Open)>> {
    let today = time::local_today(page.clinic.timezone, now);
    let last = today + Duration::days(DAYS - 1);
    let free = free_times(st, page, service, doctor, (today, last), true, now)?;
    Ok(free
        .into_iter()
        .zip(0..)
        .map(|(day, n)| (today + Duration::days(n), day.open))
        .collect())
}

/// The free times of `service` with `doctor` (None: every doctor of the
/// page) on each date of `dates` (first and last), within the page's
/// notice and horizon, each date's in time order (one a time without a
/// doctor named: the first doctor's by ID), and what the date holds (free,
/// full: one of them has hours but no free time, or off); with `any`, only
/// whether a date has one: its doctors are judged until one has a free
/// time, the first of whose is all the date holds. One read transaction: the
/// doctors' windows and closures read once for all the dates, then each
/// date's appointments and holds of all the doctors together
/// (`schedule::doctors_day`, as `next` reads them), each doctor's day
/// judged as `slots` judges it (the slots it offers).
fn free_times(
    st: &mut Store,
    page: &Page,
    service: &Service,
    doctor: Option<&Doctor>,
    (from, to): (NaiveDate, NaiveDate),
    any: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Day>> {
    let dates = (to - from).num_days() + 1;
    let (first, last) = page.clinic.settings.web_bounds(now);
    // An inactive doctor takes no bookings (rule 2), online or not.
    let clinic = std::sync::Arc::new(page.clinic.clone());
    let targets: Vec<Target> = match doctor {
        Some(d) => vec![d],
        None => page.doctors_for(&service.id),
    }
    .into_iter()
    .filter(|d| d.active)
    .map(|d| Target {
        clinic: std::sync::Arc::clone(&clinic),
        doctor: Some(d.clone()),
    })
    .collect();
    if targets.is_empty() {
        let off = Day {
            times: Vec::new(),
            open: Open::Off,
            working: Vec::new(),
        };
        return Ok((0..dates).map(|_| off.clone()).collect());
    }
    let asked = slots::Asked {
        service: Some(service),
        ..slots::Asked::default()
    };
    let req = asked.request();
    st.read(|tx| {
        // The page's own windows, read with its doctors: not read again
        // (on PostgreSQL, a query a request).
        let calendars =
            Calendar::of_doctors_among(tx, &page.clinic, &page.windows, &targets, from, to)?;
        // The day step's fourteen days: their holds and outside busy
        // times in one query each, not one a day.
        let across = match dates {
            1 => None,
            _ => {
                let ids: Vec<&str> = targets
                    .iter()
                    .filter_map(|t| t.doctor.as_ref().map(|d| d.id.as_str()))
                    .collect();
                Some(AcrossDays::read(tx, &page.clinic, &ids, from, to)?)
            }
        };
        (0..dates)
            .map(|n| {
                let date = from + Duration::days(n);
                let days =
                    doctors_day_of(tx, &calendars, date, req.service_id, None, across.as_ref())?;
                let mut found: Vec<Time> = Vec::new();
                for (t, data) in targets.iter().zip(&days) {
                    let id = t.doctor.as_ref().map(|d| d.id.clone()).unwrap_or_default();
                    found.extend(
                        slots::judged_for(tx, data, t, now, &asked, None, true)?
                            .into_iter()
                            .filter(|s| s.start >= first && s.start <= last)
                            .map(|s| Time {
                                doctor_id: id.clone(),
                                start: s.start,
                            })
                            .take(if any { 1 } else { usize::MAX }),
                    );
                    if any && !found.is_empty() {
                        break;
                    }
                }
                found.sort_by(|a, b| (a.start, &a.doctor_id).cmp(&(b.start, &b.doctor_id)));
                found.dedup_by(|a, b| a.start == b.start && doctor.is_none());
                // Full: a doctor has hours for the service that day within
                // the page's notice and horizon, though none free.
                let edge = |m| time::window_edge(page.clinic.timezone, date, m);
                let hours = |d: &DayData| {
                    d.closure.is_none()
                        && d.windows.iter().any(|w| {
                            d.offered(&w.id).allows(Some(&service.id))
                                && edge(w.from) <= last
                                && edge(w.to) > first
                        })
                };
                // Asked only of a day with nothing free: a day step of
                // fourteen days and fifty doctors would judge each doctor's
                // windows again for nothing.
                let working: Vec<String> = match found.is_empty() {
                    false => Vec::new(),
                    true => targets
                        .iter()
                        .zip(&days)
                        .filter(|(_, d)| hours(d))
                        .filter_map(|(t, _)| t.doctor.as_ref().map(|d| d.id.clone()))
                        .collect(),
                };
                let open = match (found.is_empty(), working.is_empty()) {
                    (false, _) => Open::Free,
                    (true, false) => Open::Full,
                    (true, true) => Open::Off,
                };
                Ok(Day {
                    times: found,
                    open,
                    working,
                })
            })
            .collect()
    })
}

/// What a patient asks the page to hold.
pub struct HoldRequest {
    pub service: String,
    pub doctor: String,
    /// The start, as the page gave it (UTC, RFC 3339).
    pub at: String,
    pub name: String,
    /// The clinic's local form accepted.
    pub phone: String,
    pub email: Option<String>,
    /// The preferred channel, in either language's words.
    pub channel: Option<String>,
    /// The client's IP address.
    pub address: String,
}

/// A time held, and the message carrying its code.
pub struct Hold {
    pub held: Held,
    /// The message carrying it, once the write is over; None when the
    /// clinic has no channel that reaches a phone.
    pub send: Option<Reply>,
}

/// The code's digest as stored: SHA-256 of the hold's ID and the code.
fn digest(hold: &str, code: &str) -> String {
    let d = Sha256::digest(format!("{hold}:{code}").as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A phone as the limits count it: an HMAC-SHA256 of it under the
/// database's link key, never the number, nor a plain digest that a list
/// of the country's numbers would reverse in seconds (docs/privacy.md).
pub(super) fn phone_key(tx: &Tx, phone: &str) -> Result<String> {
    use hmac::Mac;
    let key = crate::store::links::key(tx)?;
    let mut m = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key");
    m.update(b"appt phone\0");
    m.update(phone.as_bytes());
    let tag = m.finalize().into_bytes();
    Ok(tag.iter().map(|b| format!("{b:02x}")).collect())
}

/// Six random digits.
fn new_code() -> String {
    let n = u32::from_le_bytes(crate::store::keys::random::<4>()) % 1_000_000;
    format!("{n:06}")
}

/// `RATE_LIMITED`, to be tried again `retry_after` seconds later.
fn limited(retry_after: i64) -> Error {
    let wait = retry_after.max(1);
    Error::new(
        Code::RateLimited,
        crate::text::msg!("e-web_too_many", n = wait),
    )
    .details(serde_json::json!({"retry_after": wait}))
}

/// What a patient typed on the page, checked: their name, phone (the
/// clinic's local form read in its country), e-mail and channel.
struct Typed {
    name: String,
    phone: String,
    email: Option<String>,
    channel: Option<String>,
}

fn typed(
    c: &Clinic,
    name: &str,
    phone: &str,
    email: Option<&str>,
    channel: Option<&str>,
) -> Result<Typed> {
    let phone = Dialing::of(c).read(phone)?;
    // Codes go only to phones of the clinic's countries: a code sent to
    // an international or premium number costs the clinic money
    // (docs/booking.md#codes).
    let s = &c.settings;
    if !crate::core::booking_page::sends_to(&phone, s.country_code.as_deref(), &s.web_countries) {
        let codes: Vec<&str> = s
            .country_code
            .iter()
            .map(String::as_str)
            .chain(s.web_countries.iter().map(String::as_str))
            .collect();
        let mut e = Error::field(
            "phone",
            crate::text::msg!("e-web_phone_elsewhere", codes = codes.join(", ")),
        );
        e.details["countries"] = serde_json::json!(codes);
        return Err(e);
    }
    Ok(Typed {
        name: check_name("name", name)?,
        phone,
        email: email.map(check_email).transpose()?,
        channel: channel
            .map(|v| {
                crate::core::reach::Preference::parse(v)
                    .map(|p| p.as_str().to_string())
                    .ok_or_else(|| Error::field("channel", crate::text::msg!("e-web_pick_channel")))
            })
            .transpose()?,
    })
}

/// The page's limits, in the write transaction that holds: the ended
/// holds and hour-old codes forgotten first, then at most
/// [`CODES_PER_PHONE`] and [`CODES_PER_ADDRESS`] codes an hour and
/// [`HOLDS_PER_PHONE`] and [`HOLDS_PER_ADDRESS`] live holds (of times or
/// for a waitlist); `RATE_LIMITED` past them, with when to try again.
fn within_limits(
    tx: &Tx,
    c: &Clinic,
    phone: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let hour_ago = now - Duration::hours(1);
    holds::purge(tx, now, hour_ago)?;
    let key = phone_key(tx, phone)?;
    let (by_phone, by_address) = holds::codes_since(tx, &key, address, hour_ago)?;
    if by_phone >= CODES_PER_PHONE || by_address >= CODES_PER_ADDRESS {
        let oldest = holds::oldest_code_since(tx, &key, address, hour_ago)?.unwrap_or(now);
        return Err(limited((oldest + Duration::hours(1) - now).num_seconds()));
    }
    let (live_phone, live_address) = holds::live(tx, phone, address, now)?;
    if live_phone >= HOLDS_PER_PHONE || live_address >= HOLDS_PER_ADDRESS {
        return Err(limited(c.settings.web_hold * 60));
    }
    // The clinic's own cap, whoever asks: past it the page offers the
    // clinic's phone (docs/booking.md#codes).
    let (sent, oldest) = holds::clinic_codes_since(tx, &c.id, hour_ago)?;
    if sent >= c.settings.web_codes_per_hour {
        let wait = (oldest.unwrap_or(now) + Duration::hours(1) - now).num_seconds();
        let msg = match &c.settings.phone {
            Some(p) => crate::text::msg!(
                "e-web_codes_spent_call",
                phone = crate::core::phone::shown(p, c.settings.country_code.as_deref())
            ),
            None => crate::text::msg!("e-web_codes_spent"),
        };
        let mut e = limited(wait);
        e.msg = msg;
        e.message = e.msg.english();
        e.details["clinic_cap"] = serde_json::json!(c.settings.web_codes_per_hour);
        return Err(e);
    }
    Ok(())
}

/// Holds the time asked for on `page`, as long as the clinic's
/// `--web-hold`, and makes the code that books it: refused with the
/// desk's own codes when the time cannot be booked (taken, held, outside
/// the page's notice or horizon), `RATE_LIMITED` past the limits. The
/// message with the code is for the caller to send once the write is over
/// (`key` opens the channel's secrets).
pub fn hold(
    st: &mut Store,
    page: &Page,
    r: &HoldRequest,
    key: Option<String>,
    exec: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Hold> {
    let c = &page.clinic;
    let (service, doctor) = chosen(page, &r.service, &r.doctor)?;
    let start = DateTime::parse_from_rfc3339(&r.at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Error::field("at", crate::text::msg!("e-web_pick_time")))?;
    let who = typed(
        c,
        &r.name,
        &r.phone,
        r.email.as_deref(),
        r.channel.as_deref(),
    )?;
    let (first, last) = c.settings.web_bounds(now);
    if start < first {
        return Err(Error::new(
            Code::InsufficientNotice,
            crate::text::msg!("e-web_too_soon"),
        ));
    }
    if start > last {
        return Err(Error::new(
            Code::BeyondHorizon,
            crate::text::msg!("e-web_too_far"),
        ));
    }
    let asked = Asked {
        service,
        doctor,
        who,
        address: &r.address,
        kind: holds::TIME,
    };
    issue(st, c, asked, key, exec, now, |tx| {
        // The desk's rules, the holds included: a time held or taken is refused.
        let t = target(tx, Some(&c.id), Some(&doctor.id))?;
        let req = request(None, Some(service), None);
        let date = time::to_local(c.timezone, start).0;
        let spot = place(tx, now, &t, (start, date), &req, None, None)?;
        // At most a third of the doctor's day held at once, the held times
        // counted free (docs/rules.md#holds).
        let mut day = super::schedule::load_day(tx, &t, date, Some(&service.id), None)?;
        let live = day.holds.iter().filter(|h| h.until > now).count();
        day.holds.clear();
        let asked = slots::Asked {
            service: Some(service),
            ..slots::Asked::default()
        };
        let free = slots::judged_for(tx, &day, &t, now, &asked, None, true)?.len();
        if !crate::core::booking_page::may_hold(live, free) {
            return Err(limited(c.settings.web_hold * 60));
        }
        let rooms: Vec<String> = spot.resources.iter().map(|g| g.id.clone()).collect();
        Ok(Keeps {
            starts_at: spot.start,
            ends_at: spot.end,
            until: now + Duration::minutes(c.settings.web_hold),
            rooms: (!rooms.is_empty()).then(|| (rooms, req.held(spot.start, spot.end))),
        })
    })
}

/// What a patient asks the page for a day without free times: to wait for
/// one, on the doctor's waitlist for that day (docs/rules.md#the-waitlist).
pub struct WaitRequest {
    pub service: String,
    pub doctor: String,
    /// The day, `YYYY-MM-DD`, one of the page's.
    pub date: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub channel: Option<String>,
    /// The client's IP address.
    pub address: String,
}

/// Makes the code that puts the patient on `doctor`'s waitlist for the
/// day asked, as [`hold`] makes one that books a time, under the same
/// limits: a hold of kind `wait`, which keeps no time (its starts and ends
/// are the day's local midnights) and lives [`CODE_MINUTES`]. The day is
/// one of the page's [`DAYS`]; whether it has free times is not asked
/// again (a time freed meanwhile is offered to the waiting, as at the
/// desk).
pub fn wait(
    st: &mut Store,
    page: &Page,
    r: &WaitRequest,
    key: Option<String>,
    exec: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Hold> {
    let c = &page.clinic;
    let (service, doctor) = chosen(page, &r.service, &r.doctor)?;
    let today = time::local_today(c.timezone, now);
    let date = r
        .date
        .parse::<NaiveDate>()
        .ok()
        .filter(|d| *d >= today && *d < today + Duration::days(DAYS))
        .ok_or_else(|| Error::field("date", crate::text::msg!("e-web_pick_day")))?;
    let who = typed(
        c,
        &r.name,
        &r.phone,
        r.email.as_deref(),
        r.channel.as_deref(),
    )?;
    let asked = Asked {
        service,
        doctor,
        who,
        address: &r.address,
        kind: holds::WAIT,
    };
    issue(st, c, asked, key, exec, now, |_| {
        Ok(Keeps {
            starts_at: time::window_edge(c.timezone, date, 0),
            ends_at: time::window_edge(c.timezone, date + Duration::days(1), 0),
            until: now + Duration::minutes(CODE_MINUTES),
            rooms: None,
        })
    })
}

/// The service and doctor a form names, among the page's.
fn chosen<'p>(page: &'p Page, service: &str, doctor: &str) -> Result<(&'p Service, &'p Doctor)> {
    let service = page
        .service(service)
        .ok_or_else(|| Error::field("service", crate::text::msg!("e-web_pick_service")))?;
    let doctor = page
        .doctor(doctor)
        .ok_or_else(|| Error::field("doctor", crate::text::msg!("e-web_pick_doctor")))?;
    Ok((service, doctor))
}

/// What a hold is for: the service and doctor, who asks and from where,
/// and its kind ([`holds::TIME`] or [`holds::WAIT`]).
struct Asked<'a> {
    service: &'a Service,
    doctor: &'a Doctor,
    who: Typed,
    address: &'a str,
    kind: &'static str,
}

/// What a hold keeps: its time and end of life, and the rooms and
/// equipment its visit would get (IDs, one per group) with the time they
/// would hold, buffers included (docs/rules.md#holds).
struct Keeps {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    until: DateTime<Utc>,
    rooms: Option<(Vec<String>, Span)>,
}

/// A stretch of time: from, to.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// Writes the hold `a` asks for, within the page's limits, its start, end
/// and end of life from `span` (run in the write transaction, after the
/// limits), with a new code kept as its digest; and makes the message
/// carrying the code, for the caller to send once the write is over
/// (`key` opens the channel's secrets).
fn issue(
    st: &mut Store,
    c: &Clinic,
    a: Asked,
    key: Option<String>,
    exec: Option<&str>,
    now: DateTime<Utc>,
    span: impl FnOnce(&Tx) -> Result<Keeps>,
) -> Result<Hold> {
    let keys = st.keys(key);
    let code = new_code();
    let id = crate::store::new_id();
    let held = st.write(|tx| {
        within_limits(tx, c, &a.who.phone, a.address, now)?;
        let Keeps {
            starts_at,
            ends_at,
            until,
            rooms,
        } = span(tx)?;
        let held = Held {
            id: id.clone(),
            clinic_id: c.id.clone(),
            doctor_id: a.doctor.id.clone(),
            service_id: Some(a.service.id.clone()),
            starts_at,
            ends_at,
            until,
            name: a.who.name,
            phone: a.who.phone,
            email: a.who.email,
            channel: a.who.channel,
            code_hash: digest(&id, &code),
            attempts: 0,
            address: a.address.to_string(),
            created_at: now,
            kind: a.kind,
        };
        holds::insert(tx, &held)?;
        if let Some((ids, time)) = rooms {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            crate::store::resources::hold(tx, &id, &ids, time)?;
        }
        holds::record_code(tx, &c.id, &phone_key(tx, &held.phone)?, a.address, now)?;
        Ok(held)
    })?;
    let send = code_message(st, c, &held, &code, &keys, exec)?;
    Ok(Hold { held, send })
}

/// The message carrying the code: through the clinic's first channel that
/// reaches a phone (SMS; WhatsApp as its `verification` template when it
/// has one, else as text, which reaches a patient only inside their 24
/// hours), else through the hook `exec` (`serve --exec`), in the clinic's
/// language.
fn code_message(
    st: &mut Store,
    c: &Clinic,
    h: &Held,
    code: &str,
    keys: &crate::store::keys::Keys,
    exec: Option<&str>,
) -> Result<Option<Reply>> {
    let text = crate::text::render(
        c.settings.language,
        if h.kind == holds::WAIT {
            "w-code_wait"
        } else {
            "w-code"
        },
        &[
            ("clinic", c.name.clone().into()),
            ("code", code.to_string().into()),
            ("minutes", CODE_MINUTES.into()),
        ],
    );
    st.read(|tx| {
        let Some(stored) = channels::list(tx, &c.id)?.into_iter().find(|s| {
            matches!(
                s.settings,
                ChannelSettings::Sms { .. } | ChannelSettings::WhatsApp { .. }
            )
        }) else {
            return Ok(exec.map(|cmd| hook(cmd, c, h, text.clone())));
        };
        let ring = patients::opening_keys(tx, keys)?;
        let secrets = stored.open(&ring)?;
        Ok(Some(Reply::code(
            stored.settings,
            secrets,
            &h.phone,
            text,
            code,
        )))
    })
}

/// The code's message through the hook `cmd`, as `remind due --exec`
/// hands a message to one (docs/rules.md#reminders-and-notifications): a
/// JSON object on stdin and the same in the environment, `kind`
/// `verification`, the text with the code in `APPT_MESSAGE`.
fn hook(cmd: &str, c: &Clinic, h: &Held, text: String) -> Reply {
    let input = serde_json::json!({
        "kind": "verification",
        "clinic_name": c.name,
        "patient_name": h.name,
        "patient_phone": h.phone,
        "starts_at": time::fmt_utc(h.starts_at),
        "expires_at": time::fmt_utc(h.until),
        "message": text,
    });
    let vars = vec![
        ("APPT_KIND", "verification".to_string()),
        ("APPT_CLINIC_NAME", c.name.clone()),
        ("APPT_PATIENT_NAME", h.name.clone()),
        ("APPT_PATIENT_PHONE", h.phone.clone()),
        ("APPT_STARTS_AT", time::fmt_utc(h.starts_at)),
        ("APPT_MESSAGE", text.clone()),
    ];
    Reply::hook(cmd, input, vars, &h.phone, text)
}

/// What a code came to.
pub enum Verified {
    Booked(Box<Booking>),
    /// On the doctor's waitlist for the day (already, or now).
    Waiting(Box<crate::store::waitlist::Entry>),
    /// Wrong, with tries left.
    Wrong,
    /// The hold is over (expired, booked, or out of tries).
    Over,
}

/// Books the hold `hold` when `code` is its code and it is still live: the
/// patient (an existing one of the phone at the clinic keeps their record),
/// through the desk's rules, source `web`, actor `web`; the hold ends with
/// it. A wrong code counts against the hold, which ends at the fifth.
pub fn verify(
    st: &mut Store,
    page: &Page,
    hold: &str,
    code: &str,
    key: Option<String>,
    now: DateTime<Utc>,
) -> Result<Verified> {
    let keys = st.keys(key.clone());
    st.write(|tx| {
        let Some(h) = holds::get(tx, hold)?.filter(|h| h.clinic_id == page.clinic.id) else {
            return Ok(Verified::Over);
        };
        let expired = h.until <= now || now - h.created_at >= Duration::minutes(CODE_MINUTES);
        if expired || h.attempts >= ATTEMPTS {
            holds::delete(tx, &h.id)?;
            return Ok(Verified::Over);
        }
        let right = crate::core::secrets::same(
            digest(&h.id, code.trim()).as_bytes(),
            h.code_hash.as_bytes(),
        );
        if !right {
            let tried = holds::failed_attempt(tx, &h.id)?;
            if tried >= ATTEMPTS {
                holds::delete(tx, &h.id)?;
                return Ok(Verified::Over);
            }
            return Ok(Verified::Wrong);
        }
        if h.kind == holds::WAIT {
            let (entry, _already) = join_waitlist(tx, &h, now)?;
            holds::delete(tx, &h.id)?;
            return Ok(Verified::Waiting(Box::new(entry)));
        }
        let r = BookRequest {
            clinic: Some(h.clinic_id.clone()),
            doctor: Some(h.doctor_id.clone()),
            when: WhenInput {
                at: Some(time::fmt_utc(h.starts_at)),
                ..WhenInput::default()
            },
            phone: Some(h.phone.clone()),
            name: Some(h.name.clone()),
            email: h.email.clone(),
            channel: h.channel.clone(),
            service: h.service_id.clone(),
            source: "web".into(),
            key: key.clone(),
            hold: Some(h.id.clone()),
            resource: None,
            overbook_resource: false,
            // A patient only another clinic knows keeps that clinic's
            // record; the name typed goes on this clinic's appointment.
            seen_from: Some(h.clinic_id.clone()),
            ..BookRequest::default()
        };
        let checked = book::check(&r, now)?;
        let booked = book::book_in(tx, &r, &checked, &keys, &Actor::Web, now)?;
        holds::delete(tx, &h.id)?;
        Ok(Verified::Booked(Box::new(booked)))
    })
}

/// Puts the patient of hold `h` (kind `wait`) on its doctor's waitlist for
/// its day, as `waitlist add` does: an existing patient of the phone keeps
/// their record (their e-mail and channel updated when typed).
fn join_waitlist(
    tx: &Tx,
    h: &Held,
    now: DateTime<Utc>,
) -> Result<(crate::store::waitlist::Entry, bool)> {
    let clinic = clinics::get(tx, &h.clinic_id)?;
    let r = super::waitlist::AddRequest {
        clinic: Some(h.clinic_id.clone()),
        doctor: h.doctor_id.clone(),
        date: time::to_local(clinic.timezone, h.starts_at).0.to_string(),
        patient: None,
        phone: Some(h.phone.clone()),
        name: Some(h.name.clone()),
        email: h.email.clone(),
        channel: h.channel.clone(),
        service: h.service_id.clone(),
        seen_from: Some(h.clinic_id.clone()),
    };
    let checked = super::waitlist::check(&r)?;
    super::waitlist::add_in(tx, &r, &checked, now)
}

/// The patient's link to the visit booked (`<public-url>/p/<token>`).
pub fn link(st: &mut Store, page: &Page, appointment: &str, now: DateTime<Utc>) -> Result<String> {
    let base = page.clinic.settings.public_url.clone().unwrap_or_default();
    st.write(|tx| {
        let token = super::links::issue(
            tx,
            &super::links::Target::Appointment(appointment.to_string()),
            now,
        )?;
        Ok(super::links::url(&base, &token))
    })
}

/// The hold `id` of the page's clinic, whether or not it is still live.
pub fn held(st: &mut Store, page: &Page, id: &str) -> Result<Option<Held>> {
    st.read(|tx| Ok(holds::get(tx, id)?.filter(|h| h.clinic_id == page.clinic.id)))
}

/// Deletes the holds ended by `now`, with what the patients typed, and the
/// codes sent over an hour ago (`remind due` runs it after each sweep).
/// A sweep with nothing to forget writes nothing.
pub fn forget_ended(st: &mut Store, now: DateTime<Utc>) -> Result<()> {
    let hour_ago = now - Duration::hours(1);
    if st.read(|tx| holds::any_ended(tx, now, hour_ago))? {
        st.write(|tx| holds::purge(tx, now, hour_ago))?;
    }
    Ok(())
}
