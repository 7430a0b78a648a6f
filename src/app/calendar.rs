//! A doctor's own calendars (docs/calendars.md): `appt calendar
//! add|list|show|sync|remove` and `appt serve`'s sync every 5 minutes. A
//! calendar is read outside any transaction (the network's 10 s deadline
//! never holds the write lock); what it read is saved in one.

pub use super::outbox::calendar::Failure;
use super::outbox::calendar::{self as http, Cond, Place, Read, State};
use crate::core::outside::{self, Away, Source};
use crate::error::{Code, Entity, Error, Result};
use crate::store::appointments::{self, Filter};
use crate::store::calendars::{self, Secrets, Stored, Written};
use crate::store::db::Tx;
use crate::store::keys::Keys;
use crate::store::{self, clinics, doctors, patients, Store};
use crate::text::msg;
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};

/// How often `appt serve` reads each calendar.
pub const PERIOD: Duration = Duration::minutes(5);

/// `appt calendar add NAME --doctor D --url URL [--user U] [password]`.
pub struct AddRequest {
    pub name: String,
    pub doctor: String,
    pub url: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// `--write`: the doctor's visits are put into it (CalDAV only).
    pub write: bool,
    pub key: Option<String>,
}

/// What a sync of one calendar came to.
pub enum Outcome {
    /// Read (the calendar's `busy_count` says how many busy times it has).
    Read,
    /// The server said nothing changed.
    Unchanged,
    /// It failed; its last good busy times stay.
    Failed(Failure),
    /// Another process is syncing it.
    Busy,
}

/// One calendar synced: as it is now, and what came of it.
pub struct Synced {
    pub calendar: Stored,
    pub outcome: Outcome,
}

/// Which calendars `calendar sync` reads.
pub enum Which {
    All,
    Named(String),
    Doctor(String),
}

/// Adds a calendar once it has been read: what it is (an ICS address or a
/// CalDAV collection) is asked of its server, and its busy times saved
/// with it. A calendar that cannot be read is not added (`DELIVERY_FAILED`,
/// saying why).
pub fn add(st: &mut Store, r: &AddRequest, now: DateTime<Utc>) -> Result<Synced> {
    let name = outside::check_name(&r.name);
    let url = http::address(&r.url).map_err(|f| Error::field("url", f.describe()));
    let (name, (_, host)) = match (name, url) {
        (Ok(n), Ok(u)) => (n, u),
        (a, b) => return Err(Error::of_fields([a.err(), b.err()].iter().flatten())),
    };
    let secrets = Secrets {
        url: r.url.trim().to_string(),
        user: r.user.clone(),
        password: r.password.clone(),
    };
    let (doctor, zone, span) = st.read(|tx| {
        name_free(tx, &name)?;
        let d = doctors::find(tx, &r.doctor)?;
        let (zone, span) = reach(tx, &d.id, now)?;
        Ok((d, zone, span))
    })?;
    let place = place(&secrets);
    let state = http::caldav_state(&place).map_err(|f| unreadable(&name, &f))?;
    let source = match state {
        Some(_) => Source::CalDav,
        None => Source::Ics,
    };
    if r.write && source != Source::CalDav {
        return Err(Error::field("write", msg!("e-calendar_write_needs_caldav")));
    }
    // Read under the state just asked (no second PROPFIND). A new calendar
    // holds none of the visits appt writes: nothing is ours yet.
    let got = match state {
        Some(state) => http::query_caldav(&place, state, utc_span(span).as_pair()),
        None => http::read_ics(&place, None),
    };
    let read = match got.and_then(|g| busy_in(g, &zone, span, &|_| false)) {
        Ok(Some(read)) => read,
        Ok(None) => Found {
            state: State::default(),
            busy: Vec::new(),
            only: None,
        },
        Err(f) => return Err(unreadable(&name, &f)),
    };
    let plain = serde_json::to_string(&secrets)
        .map_err(|e| Error::internal(crate::text::Msg::verbatim(e.to_string())))?;
    let keys = st.keys(r.key.clone());
    st.write(|tx| {
        name_free(tx, &name)?;
        let ring = patients::sealing_keys(tx, &keys)?;
        let id = store::new_id();
        let c = Stored {
            sealed: ring.seal_secrets(&id, &plain)?,
            id,
            name: name.clone(),
            doctor_id: doctor.id.clone(),
            doctor: doctor.full_name.clone(),
            source,
            host: host.clone(),
            write_back: r.write,
            tag: None,
            sync_token: None,
            read_to: None,
            synced_at: None,
            busy_count: 0,
            failed: None,
            due_at: now + PERIOD,
            created_at: now,
        };
        calendars::insert(tx, &c)?;
        calendars::save(tx, &c, &read.saved(Some(span.1)), now)?;
        Ok(Synced {
            calendar: found(tx, &c.name)?,
            outcome: Outcome::Read,
        })
    })
    .and_then(|added| {
        if !added.calendar.write_back {
            return Ok(added);
        }
        // The doctor's visits go in at once; a failure leaves it added,
        // stale, for the next sync to finish.
        let outcome = match write_visits(st, &added.calendar, &place, span, now)? {
            Ok(()) => added.outcome,
            Err(f) => {
                st.write(|tx| calendars::failed(tx, &added.calendar.id, now, &f.code()))?;
                Outcome::Failed(f)
            }
        };
        Ok(Synced {
            calendar: find(st, &added.calendar.name)?,
            outcome,
        })
    })
}

/// `VALIDATION_ERROR` when a calendar has the name already (case and
/// accents aside): asked before the server is, and again under the write
/// lock.
fn name_free(tx: &Tx, name: &str) -> Result<()> {
    match calendars::by_name(tx, name)? {
        None => Ok(()),
        Some(_) => Err(Error::field(
            "name",
            msg!("e-calendar_named_exists", name = name.to_string()),
        )),
    }
}

/// `DELIVERY_FAILED`: the calendar could not be read, and why.
fn unreadable(name: &str, f: &Failure) -> Error {
    Error::new(
        Code::DeliveryFailed,
        msg!(
            "e-calendar_unreadable",
            name = name.to_string(),
            why = f.describe()
        ),
    )
    .details(serde_json::json!({"calendar": name, "reason": f.describe().english()}))
}

fn place(s: &Secrets) -> Place<'_> {
    Place {
        url: &s.url,
        user: s.user.as_deref(),
        password: s.password.as_deref(),
    }
}

/// A span of time: from, to.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// What a read found: the calendar's new state and the busy times of the
/// documents read, each by its [`document`].
struct Found {
    state: State,
    busy: Vec<(String, Away)>,
    /// A `sync-collection`'s: the documents it replaces (changed or
    /// deleted); the others stay as they were. None: the whole calendar.
    only: Option<Vec<String>>,
}

impl Found {
    fn saved(&self, read_to: Option<DateTime<Utc>>) -> calendars::Saved<'_> {
        calendars::Saved {
            tag: self.state.tag.as_deref(),
            sync_token: self.state.sync_token.as_deref(),
            read_to,
            busy: &self.busy,
            only: self.only.as_deref(),
        }
    }
}

/// The zone floating times of the doctor's calendar are read in (their
/// clinic's, else the first clinic's), and the span a read covers: from
/// yesterday to a week past the longest horizon of the clinics.
fn reach(tx: &Tx, doctor_id: &str, now: DateTime<Utc>) -> Result<(String, Span)> {
    let all = clinics::list(tx)?;
    let zone = match super::schedule::target(tx, None, Some(doctor_id)) {
        Ok(t) => t.clinic.timezone.name().to_string(),
        Err(_) => all
            .first()
            .map_or_else(|| "UTC".to_string(), |c| c.timezone.name().to_string()),
    };
    let horizon = all.iter().map(|c| c.settings.horizon).max().unwrap_or(0);
    let to = now + Duration::minutes(horizon) + Duration::days(7);
    Ok((zone, (now - Duration::days(1), to)))
}

/// Reads a calendar: None when it is as `known` said. The events whose
/// UID is `ours` (the visits appt wrote there) are not busy times.
fn read(
    p: &Place,
    source: Source,
    known: Option<&State>,
    zone: &str,
    span: Span,
    ours: &dyn Fn(&str) -> bool,
) -> std::result::Result<Option<Found>, Failure> {
    let got = match source {
        Source::Ics => http::read_ics(p, known)?,
        Source::CalDav => http::read_caldav(p, known, utc_span(span).as_pair())?,
    };
    busy_in(got, zone, span, ours)
}

/// A span as CalDAV writes its time range (`20260301T000000Z`).
struct UtcSpan(String, String);

impl UtcSpan {
    fn as_pair(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

fn utc_span(span: Span) -> UtcSpan {
    let f = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    UtcSpan(f(span.0), f(span.1))
}

/// How a busy time's document is kept: a digest of the event's address
/// in its collection (never the address, which a client may name after the
/// event), `""` for an ICS file's one document.
fn document(href: &str) -> String {
    match href {
        "" => String::new(),
        h => super::token::digest(h),
    }
}

/// The busy times a read found over `span` (None: unchanged), but `ours`.
fn busy_in(
    got: Read,
    zone: &str,
    span: Span,
    ours: &dyn Fn(&str) -> bool,
) -> std::result::Result<Option<Found>, Failure> {
    let (state, documents, only) = match got {
        Read::Unchanged => return Ok(None),
        Read::Whole { state, documents } => (state, documents, None),
        Read::Delta {
            state,
            changed,
            gone,
        } => {
            let only = changed.iter().map(|(h, _)| h).chain(&gone);
            let only = only.map(|h| document(h)).collect();
            (state, changed, Some(only))
        }
    };
    let mut busy = Vec::new();
    for (href, d) in &documents {
        let times = outside::busy_times(d, zone, span, ours).map_err(|_| Failure::NotCalendar)?;
        let key = document(href);
        busy.extend(times.into_iter().map(|a| (key.clone(), a)));
    }
    busy.sort();
    busy.dedup();
    Ok(Some(Found { state, busy, only }))
}

fn found(tx: &Tx, name: &str) -> Result<Stored> {
    calendars::by_name(tx, name)?.ok_or_else(|| Error::not_found(Entity::Calendar))
}

/// Every calendar, by doctor.
pub fn list(st: &mut Store) -> Result<Vec<Stored>> {
    st.read(calendars::list)
}

/// The calendars that could not be read at their last sync (`check`).
pub fn stale(st: &mut Store) -> Result<Vec<Stored>> {
    Ok(list(st)?
        .into_iter()
        .filter(|c| c.failed.is_some())
        .collect())
}

/// The calendar of this name.
pub fn find(st: &mut Store, name: &str) -> Result<Stored> {
    st.read(|tx| found(tx, name))
}

/// Removes a calendar and the busy times read from it.
pub fn remove(st: &mut Store, name: &str) -> Result<Stored> {
    st.write(|tx| {
        let c = found(tx, name)?;
        calendars::remove(tx, &c.id)?;
        Ok(c)
    })
}

/// `appt calendar sync`: reads the calendars asked for now, due or not
/// (each claimed, so that a `serve` syncing it meanwhile is not doubled).
pub fn sync(
    st: &mut Store,
    which: &Which,
    key: Option<String>,
    now: DateTime<Utc>,
) -> Result<Vec<Synced>> {
    let chosen = st.read(|tx| match which {
        Which::All => calendars::list(tx),
        Which::Named(n) => Ok(vec![found(tx, n)?]),
        Which::Doctor(d) => {
            let d = doctors::find(tx, d)?;
            calendars::of_doctor(tx, &d.id)
        }
    })?;
    let keys = st.keys(key);
    chosen
        .into_iter()
        .map(|c| sync_one(st, &keys, c, now, true))
        .collect()
}

/// `DELIVERY_FAILED` naming the calendars a sync could not read (they
/// keep their last busy times), if any.
pub fn shortfall(done: &[Synced]) -> Option<Error> {
    let failed: Vec<&str> = done
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
        .map(|s| s.calendar.name.as_str())
        .collect();
    (!failed.is_empty()).then(|| {
        Error::new(
            Code::DeliveryFailed,
            msg!("e-calendar_sync_failed", a = failed.join(", ")),
        )
        .details(serde_json::json!({ "failed": failed }))
    })
}

/// `appt serve`'s round: every calendar due at `now`, each read by one
/// process (claimed in the database). One that cannot be synced at all
/// (its secrets do not open, the database failed meanwhile) is answered
/// with its error, and the others are synced all the same.
pub fn sync_due(
    st: &mut Store,
    keys: &Keys,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Result<Synced>)>> {
    let due: Vec<Stored> = st
        .read(calendars::list)?
        .into_iter()
        .filter(|c| c.due_at <= now)
        .collect();
    Ok(due
        .into_iter()
        .map(|c| (c.name.clone(), sync_one(st, keys, c, now, false)))
        .collect())
}

/// Claims, reads and saves one calendar. `asked` (`calendar sync`): read
/// whether due or not, unless another process is reading it.
fn sync_one(
    st: &mut Store,
    keys: &Keys,
    c: Stored,
    now: DateTime<Utc>,
    asked: bool,
) -> Result<Synced> {
    // The next sync is a period on, staggered by the calendar's own
    // offset, so that many calendars are not all read in the same second.
    let reading = now + http::DEADLINE_ALL;
    let next = now + PERIOD + stagger(&c.id);
    let claimed = st.write(|tx| calendars::claim(tx, &c.id, (now, !asked), reading, next))?;
    if !claimed {
        return Ok(Synced {
            calendar: c,
            outcome: Outcome::Busy,
        });
    }
    let (secrets, zone, span, ours) = st.read(|tx| {
        let ring = patients::opening_keys(tx, keys)?;
        let (zone, span) = reach(tx, &c.doctor_id, now)?;
        let ours = match c.write_back {
            true => visits_of(tx, &c.id, &c.doctor_id, span, now)?.ids,
            false => HashSet::new(),
        };
        Ok((c.open(&ring)?, zone, span, ours))
    })?;
    // The last read's state holds while it covered the span asked now
    // (then a sync-collection's changes are all there is to read).
    let known = State {
        tag: c.tag.clone(),
        sync_token: c.sync_token.clone(),
    };
    let covered = c.read_to.is_some_and(|t| t >= span.1 - Duration::days(7));
    let known = Some(&known).filter(|_| covered);
    let p = place(&secrets);
    let result = read(&p, c.source, known, &zone, span, &|uid| ours.contains(uid));
    // The visits are written once the calendar was read (and whatever the
    // read found is saved all the same when a write fails).
    let wrote = match (&result, c.write_back) {
        (Ok(_), true) => write_visits(st, &c, &p, span, now)?,
        _ => Ok(()),
    };
    st.write(|tx| {
        let mut outcome = match result {
            // A whole read covers the span; changes alone leave it as the
            // last whole read did.
            Ok(Some(read)) => {
                let to = match read.only {
                    None => Some(span.1),
                    Some(_) => c.read_to,
                };
                calendars::save(tx, &c, &read.saved(to), now)?;
                Outcome::Read
            }
            Ok(None) => {
                calendars::unchanged(tx, &c.id, now)?;
                Outcome::Unchanged
            }
            Err(f) => {
                calendars::failed(tx, &c.id, now, &f.code())?;
                Outcome::Failed(f)
            }
        };
        if let Err(f) = wrote.clone() {
            calendars::failed(tx, &c.id, now, &f.code())?;
            outcome = Outcome::Failed(f);
        }
        Ok(Synced {
            calendar: found(tx, &c.name)?,
            outcome,
        })
    })
}

/// The doctor's visits a `--write` calendar holds: each active one from
/// yesterday to the span's end, as its event (by appointment ID, with its
/// sequence), and every ID that is or was one of them there (`ids`: what
/// a read leaves out as the clinic's own).
struct Visits {
    /// Each event: what is recorded once written (its digest), and its text.
    events: Vec<(Written, String)>,
    ids: HashSet<String>,
}

fn visits_of(
    tx: &Tx,
    calendar_id: &str,
    doctor_id: &str,
    span: Span,
    now: DateTime<Utc>,
) -> Result<Visits> {
    let filter = Filter {
        doctor_id: Some(doctor_id.to_string()),
        from: Some((now - Duration::days(2)).date_naive()),
        to: Some(span.1.date_naive()),
        ..Filter::default()
    };
    let mut clinics: HashMap<String, crate::core::Clinic> = HashMap::new();
    let mut events = Vec::new();
    let mut ids: HashSet<String> = calendars::written(tx, calendar_id)?
        .into_iter()
        .map(|w| w.appointment_id)
        .collect();
    let mut all = Vec::new();
    appointments::each(tx, &filter, |a, seq| {
        all.push((a.clone(), seq));
        Ok(())
    })?;
    for (a, seq) in all {
        ids.insert(a.id.clone());
        if !a.status.is_active() || a.ends_at <= now - Duration::days(1) {
            continue;
        }
        if !clinics.contains_key(&a.clinic_id) {
            clinics.insert(a.clinic_id.clone(), clinics::get(tx, &a.clinic_id)?);
        }
        let lang = clinics[&a.clinic_id].settings.language;
        let text = visit_event(&a, seq, lang)?;
        let w = Written {
            appointment_id: a.id.clone(),
            sequence: seq,
            digest: super::token::digest(&text),
            etag: None,
        };
        events.push((w, text));
    }
    Ok(Visits { events, ids })
}

/// A visit's event as the doctor's calendar holds it: the patient by
/// initials (none once erased), the service, the clinic; nothing clinical.
/// Stamped with the appointment's last change, so that the same visit
/// reads the same until it changes.
fn visit_event(
    a: &crate::core::Appointment,
    sequence: i64,
    lang: crate::core::Language,
) -> Result<String> {
    let service = a
        .service_name
        .clone()
        .unwrap_or_else(|| crate::text::render(lang, "ics-appointment", &[]));
    let summary = match a.patient_erased {
        true => service,
        false => crate::text::render(
            lang,
            "ics-for",
            &[
                (
                    "patient",
                    crate::core::feed::initials(&a.patient_name).into(),
                ),
                ("summary", service.into()),
            ],
        ),
    };
    let v = outside::Visit {
        id: &a.id,
        start: a.starts_at,
        end: a.ends_at,
        sequence,
        summary: &summary,
        location: &a.clinic_name,
    };
    outside::visit_event(&v, a.updated_at)
}

/// Writes the doctor's visits into a `--write` calendar: a new one with
/// `If-None-Match: *`, one whose event reads otherwise now (moved, its
/// service renamed, its patient erased) with `If-Match` its ETag, and
/// deletes the events of visits no longer theirs to come. Each event is
/// named by its appointment's ID, so a write retried after a lost answer
/// lands on the same event: `412` to a new one says it is there already
/// (the lost answer's), and it is written again over it, never twice.
/// Each write is recorded as soon as the server took it.
fn write_visits(
    st: &mut Store,
    c: &Stored,
    p: &Place,
    span: Span,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), Failure>> {
    let (want, had) = st.read(|tx| {
        let v = visits_of(tx, &c.id, &c.doctor_id, span, now)?;
        Ok((v.events, calendars::written(tx, &c.id)?))
    })?;
    for (w, body) in &want {
        let id = w.appointment_id.as_str();
        let before = had.iter().find(|h| h.appointment_id == id);
        if before.is_some_and(|h| h.digest == w.digest) {
            continue;
        }
        let first = match before.and_then(|h| h.etag.as_deref()) {
            None if before.is_none() => http::put_event(p, id, body, Cond::New),
            None => Ok(Err(412)),
            Some(tag) => http::put_event(p, id, body, Cond::Was(tag)),
        };
        let etag = match first {
            Ok(Ok(tag)) => tag,
            // There already (a lost answer's), or changed there: written over
            // as it is now, by its ETag.
            Ok(Err(_)) => match over(p, id, body) {
                Ok(tag) => tag,
                Err(f) => return Ok(Err(f)),
            },
            Err(f) => return Ok(Err(f)),
        };
        let done = Written { etag, ..w.clone() };
        st.write(|tx| calendars::wrote(tx, &c.id, &done))?;
    }
    let gone = had.iter().filter(|h| {
        !want
            .iter()
            .any(|(w, _)| w.appointment_id == h.appointment_id)
    });
    for h in gone {
        if let Err(f) = http::delete_event(p, &h.appointment_id) {
            return Ok(Err(f));
        }
        st.write(|tx| calendars::unwrote(tx, &c.id, &h.appointment_id))?;
    }
    Ok(Ok(()))
}

/// Writes a visit's event over the one the collection holds, conditioned
/// on the ETag it has now (or, gone meanwhile, as a new one).
fn over(p: &Place, id: &str, body: &str) -> std::result::Result<Option<String>, Failure> {
    let cond = match http::event_tag(p, id)? {
        Some(tag) => http::put_event(p, id, body, Cond::Was(&tag))?,
        None => http::put_event(p, id, body, Cond::New)?,
    };
    cond.map_err(Failure::Status)
}

/// A calendar's own offset within the period (0 to 59 s), by its ID.
fn stagger(id: &str) -> Duration {
    let n = id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    Duration::seconds(i64::from(n % 60))
}
