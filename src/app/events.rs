//! `events`: the event log, oldest first, for scripts that follow along;
//! and every event as it is shown, rebuilt from what is stored: the
//! appointment as it was at each event, with its names (docs/rules.md#events).

use crate::core::changes;
use crate::core::zone::Tz;
use crate::core::{Appointment, EventKind};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::events::{self, Event};
use crate::store::{appointments, clinics, doctors, patients, services, stored, waitlist, Store};
use crate::wire;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Events are read a page (one short read transaction) at a time and each
/// row is handed on as it is read, so memory stays flat however long the log
/// (what one page carries to the next is bounded too: [`CARRIED`]); two a
/// page in the tests, so that appointments span pages.
const PAGE: i64 = if cfg!(test) { 2 } else { 10_000 };

/// Appointments a stream carries from page to page at most ([`Carried`]);
/// three in the tests, every appointment of theirs.
const CARRIED: usize = if cfg!(test) { 3 } else { 20_000 };

/// What [`stream`] hands each event to: the event, and its data as shown
/// where it was rebuilt.
pub type Each<'a> = dyn FnMut(&Event, Option<&[u8]>) -> Result<()> + 'a;

/// Hands each event after `after` (of type `kind`, of the appointments of
/// clinic `clinic_id`, at most `limit`) to `each`, oldest first, with its
/// data as shown where it was rebuilt (JSON text made by serde_json, so
/// UTF-8; else its `data` is shown as stored); stops at the first error
/// `each` returns.
pub fn stream(
    st: &mut Store,
    after: Option<i64>,
    kind: Option<&str>,
    limit: Option<i64>,
    clinic_id: Option<&str>,
    each: &mut Each,
) -> Result<()> {
    let mut bad = Vec::new();
    let kind = kind.and_then(|k| {
        let known = EventKind::parse(k);
        if known.is_none() {
            bad.push((
                "type".to_string(),
                crate::text::msg!("e-type_must_be_one_of", a = EventKind::names()),
            ));
        }
        known
    });
    if after.is_some_and(|x| x < 0) {
        bad.push((
            "after".into(),
            crate::text::msg!("e-after_must_be_an_event_id_0"),
        ));
    }
    if limit.is_some_and(|l| l < 1) {
        bad.push((
            "limit".into(),
            crate::text::msg!("e-limit_must_be_1_or_more"),
        ));
    }
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let (mut after, mut left) = (after.unwrap_or(0), limit.unwrap_or(i64::MAX));
    // What one page read for the next: the names, and the appointments
    // whose later events it read.
    let mut carried = Carried::new(Form::Text, kind.is_none());
    while left > 0 {
        let want = left.min(PAGE);
        let (n, last) = st.read(|tx| {
            let mut page = Vec::with_capacity(want.min(1024) as usize);
            let (n, last) = events::each_after(tx, after, kind, clinic_id, want, &mut |e| {
                page.push(e);
                Ok(())
            })?;
            let shown = carried.show(tx, &page)?;
            for e in &page {
                let text = match shown.get(&e.id) {
                    Some(Shown::Text(at)) => Some(&carried.making.buf[at.clone()]),
                    _ => None,
                };
                each(e, text)?;
            }
            Ok((n, last))
        })?;
        if n < want {
            break;
        }
        after = last;
        left -= n;
    }
    Ok(())
}

/// An appointment's events, oldest first, each with its data as shown.
pub fn of_appointment(tx: &Tx, a: &Appointment) -> Result<Vec<Event>> {
    let mut evs = events::of_appointment(tx, &a.id)?;
    let (Some(from), Some(to)) = (evs.first().map(|e| e.id), evs.last().map(|e| e.id)) else {
        return Ok(evs);
    };
    let mut shown = HashMap::new();
    let mut names = Names::default();
    let chain: Vec<&Event> = evs.iter().collect();
    // The name the row shows (one its clinic was given, or the patient's)
    // is the name while the patient is the same.
    let whose = (a.patient_id.clone(), a.patient_name.clone());
    names.given.insert(a.id.clone(), whose);
    rebuild(
        tx,
        &mut names,
        &mut Making::new(Form::Tree),
        a.clone(),
        &chain,
        from..=to,
        &mut shown,
    )?;
    put(&mut evs, shown);
    Ok(evs)
}

/// Events read as stored (of any appointments, in any order) with their
/// data as shown: each appointment's later events are read to undo them.
pub fn shown(tx: &Tx, evs: &mut [Event]) -> Result<()> {
    let shown = Carried::new(Form::Tree, false).show(tx, evs)?;
    put(evs, shown);
    Ok(())
}

/// Gives each of `evs` its data as shown, where `shown` has it as a tree.
fn put(evs: &mut [Event], mut shown: HashMap<i64, Shown>) {
    for e in evs.iter_mut() {
        if let Some(Shown::Tree(d)) = shown.remove(&e.id) {
            e.data = d;
        }
    }
}

/// The form rebuilt data is made in: a tree, to be worked on, or JSON
/// text, to be written out as it is (no tree built and dropped per event).
#[derive(Clone, Copy)]
enum Form {
    Tree,
    Text,
}

/// How rebuilt data is made: its form, and the buffer a page's texts are
/// made in, one after the other (kept from page to page: no text is
/// allocated on its own).
struct Making {
    form: Form,
    buf: Vec<u8>,
}

impl Making {
    fn new(form: Form) -> Making {
        Making {
            form,
            buf: Vec::new(),
        }
    }
}

/// An event's data as shown, in its [`Form`].
enum Shown {
    Tree(Value),
    /// JSON text made by serde_json (so UTF-8, not checked again): where
    /// it is in [`Making`]'s buffer.
    Text(std::ops::Range<usize>),
}

/// What an event shows beside what it stores.
enum Added<'a> {
    Appointment(&'a Appointment),
    Value(Value),
    /// Already made in the stream's form: an appointment as it was before
    /// the change that is undone next (no copy of it kept to show later).
    Text(String),
}

impl Added<'_> {
    /// Appointment `a` in `form`, made now.
    fn made(form: Form, a: &Appointment) -> Result<Added<'static>> {
        Ok(match form {
            Form::Tree => Added::Value(wire::appointment(a)),
            Form::Text => Added::Text(serde_json::to_string(&wire::appointment_view(a))?),
        })
    }

    /// Writes itself as JSON text at the end of `buf`.
    fn write(&self, buf: &mut Vec<u8>) -> Result<()> {
        match self {
            Added::Appointment(a) => serde_json::to_writer(buf, &wire::appointment_view(a))?,
            Added::Value(v) => serde_json::to_writer(buf, v)?,
            Added::Text(t) => buf.extend_from_slice(t.as_bytes()),
        }
        Ok(())
    }
}

/// A stored event's data without its key `drop`, with `added`, made as
/// `making` says.
fn shown_as(
    making: &mut Making,
    stored: &Map<String, Value>,
    drop: &str,
    mut added: Vec<(&'static str, Added)>,
) -> Result<Shown> {
    let buf = &mut making.buf;
    match making.form {
        Form::Tree => {
            let mut d: Map<String, Value> = stored
                .iter()
                .filter(|(k, _)| k.as_str() != drop)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in added {
                let v = match v {
                    Added::Appointment(a) => wire::appointment(a),
                    Added::Value(v) => v,
                    Added::Text(t) => serde_json::from_str(&t)?,
                };
                d.insert(k.into(), v);
            }
            Ok(Shown::Tree(Value::Object(d)))
        }
        Form::Text => {
            // The keys in order, as the tree's map keeps them: the stored
            // ones (in order already) and the added ones merged, an added
            // one in place of a stored one of its name.
            added.sort_unstable_by_key(|(k, _)| *k);
            let mut added = added.into_iter().peekable();
            let start = buf.len();
            buf.push(b'{');
            let key = |buf: &mut Vec<u8>, k: &str| -> Result<()> {
                if buf.len() > start + 1 {
                    buf.push(b',');
                }
                serde_json::to_writer(&mut *buf, k)?;
                buf.push(b':');
                Ok(())
            };
            for (k, v) in stored.iter().filter(|(k, _)| k.as_str() != drop) {
                while let Some((a, v)) = added.next_if(|(a, _)| *a < k.as_str()) {
                    key(buf, a)?;
                    v.write(buf)?;
                }
                if added.peek().is_some_and(|(a, _)| a == k) {
                    continue;
                }
                key(buf, k)?;
                serde_json::to_writer(&mut *buf, v)?;
            }
            for (a, v) in added {
                key(buf, a)?;
                v.write(buf)?;
            }
            buf.push(b'}');
            Ok(Shown::Text(start..buf.len()))
        }
    }
}

/// What a stream carries from one page to the next, so that each
/// appointment, patient, doctor and service is read once however many pages
/// its events span (docs/performance.md#the-event-stream): the names, and
/// each appointment met whose events go on past the page, with its row and
/// its events as read then. Rebuilding from an earlier read is rebuilding
/// the same past; an event written since is not among them, and its
/// appointment is read again.
struct Carried {
    making: Making,
    /// Whether each page holds every event within it (no `--type`).
    whole: bool,
    names: Names,
    ahead: HashMap<String, Chain>,
}

/// An appointment as read, and its events from the first page that met it on.
struct Chain {
    now_as: Appointment,
    events: Vec<Event>,
}

impl Carried {
    fn new(form: Form, whole: bool) -> Carried {
        Carried {
            making: Making::new(form),
            whole,
            names: Names::default(),
            ahead: HashMap::new(),
        }
    }

    /// The data as shown of `evs` (of any appointments, in any order), by
    /// event ID: texts in the making's buffer, emptied first.
    fn show(&mut self, tx: &Tx, evs: &[Event]) -> Result<HashMap<i64, Shown>> {
        self.making.buf.clear();
        let (Some(from), Some(to)) = (
            evs.iter().map(|e| e.id).min(),
            evs.iter().map(|e| e.id).max(),
        ) else {
            return Ok(HashMap::new());
        };
        // An event that came after its appointment was read: read it again.
        for e in evs.iter() {
            let Some(a) = &e.appointment_id else { continue };
            if let Some(c) = self.ahead.get(a) {
                if c.events.binary_search_by_key(&e.id, |x| x.id).is_err() {
                    self.ahead.remove(a);
                }
            }
        }
        let mut new: Vec<&str> = evs
            .iter()
            .filter_map(|e| e.appointment_id.as_deref())
            .filter(|a| !self.ahead.contains_key(*a))
            .collect();
        new.sort_unstable();
        new.dedup();
        if !new.is_empty() {
            // Each row alone: its names are those the stream holds.
            let bare = appointments::bare_many(tx, &new)?;
            let patients: Vec<&str> = bare.iter().map(|b| b.row.patient_id.as_str()).collect();
            self.names.read_patients(tx, &patients)?;
            let mut chains: HashMap<String, Vec<Event>> = HashMap::new();
            // A page of every type holds each of its appointments' events
            // within it: only those after it are read (and kept).
            let read_from = if self.whole { to + 1 } else { from };
            for e in events::of_appointments(tx, &new, read_from)? {
                let a = e.appointment_id.clone().unwrap_or_default();
                chains.entry(a).or_default().push(e);
            }
            for b in bare {
                let now_as = self.names.appointment(tx, b)?;
                let mut events = chains.remove(&now_as.row.id).unwrap_or_default();
                events.sort_by_key(|e| e.id);
                self.ahead
                    .insert(now_as.row.id.clone(), Chain { now_as, events });
            }
        }
        // Each appointment's events within the page, oldest first: those of
        // one first met here are not among what it carries.
        let mut met: HashMap<&str, Vec<&Event>> = HashMap::new();
        for e in evs.iter() {
            if let Some(a) = e.appointment_id.as_deref() {
                met.entry(a).or_default().push(e);
            }
        }
        let mut shown = HashMap::with_capacity(evs.len());
        for (a, mut within) in met {
            let Some(goes_on) = self
                .ahead
                .get(a)
                .map(|c| c.events.last().is_some_and(|e| e.id > to))
            else {
                continue;
            };
            if !(self.whole && new.binary_search(&a).is_ok()) {
                within.clear();
            }
            let (names, making) = (&mut self.names, &mut self.making);
            if goes_on {
                // Carried on: rebuilt from a copy of its row.
                let c = &self.ahead[a];
                let mut chain = within;
                chain.extend(c.events.iter());
                let now_as = c.now_as.clone();
                rebuild(tx, names, making, now_as, &chain, from..=to, &mut shown)?;
            } else if let Some(Chain { now_as, events }) = self.ahead.remove(a) {
                // Nothing of it after the page: its row is not copied.
                let mut chain = within;
                chain.extend(events.iter());
                rebuild(tx, names, making, now_as, &chain, from..=to, &mut shown)?;
            }
        }
        // What the stream has passed is not needed again.
        self.ahead.retain(|_, c| {
            c.events.retain(|e| e.id > to);
            !c.events.is_empty()
        });
        // Past the bound, those whose next event is furthest off go, and
        // are read again when met: memory stays bounded however the log
        // interleaves its appointments.
        if self.ahead.len() > CARRIED {
            let mut next: Vec<(i64, String)> = self
                .ahead
                .iter()
                .map(|(a, c)| (c.events[0].id, a.clone()))
                .collect();
            next.sort_unstable();
            for (_, a) in next.into_iter().skip(CARRIED) {
                self.ahead.remove(&a);
            }
        }
        Ok(shown)
    }
}

/// A waitlist entry stored by IDs (an offer's message keeps it so, as a
/// slot_offered event does) with the names it shows, as they are now; an
/// entry stored whole is shown as stored.
pub fn waitlist_entry(tx: &Tx, ids: &Value) -> Result<Value> {
    Names::default().entry(tx, ids)
}

/// The names an event's object shows beside the IDs it stores, each read
/// once per rebuilding.
#[derive(Default)]
struct Names {
    doctors: HashMap<String, (String, Option<String>)>,
    services: HashMap<String, (String, i64)>,
    clinics: HashMap<String, (Tz, String)>,
    /// Each patient's name and phone, and whether they were erased.
    patients: HashMap<String, (String, String, bool)>,
    /// The name an appointment's clinic was given for its patient, by
    /// appointment: what it shows while that patient is its own.
    given: HashMap<String, (String, String)>,
}

impl Names {
    fn doctor(&mut self, tx: &Tx, id: &str) -> Result<&(String, Option<String>)> {
        if !self.doctors.contains_key(id) {
            let d = doctors::get(tx, id)?;
            self.doctors
                .insert(id.to_string(), (d.full_name, d.specialty));
        }
        Ok(&self.doctors[id])
    }

    fn service(&mut self, tx: &Tx, id: &str) -> Result<&(String, i64)> {
        if !self.services.contains_key(id) {
            let s = services::get(tx, id)?;
            self.services
                .insert(id.to_string(), (s.name, s.duration_minutes));
        }
        Ok(&self.services[id])
    }

    /// Reads the names of those of `ids` not known yet, in one go.
    fn read_patients(&mut self, tx: &Tx, ids: &[&str]) -> Result<()> {
        let mut unknown: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !self.patients.contains_key(*id))
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        for p in patients::get_many(tx, &unknown)? {
            let p = p.patient;
            let erased = p.erased_at.is_some();
            self.patients.insert(p.id, (p.full_name, p.phone, erased));
        }
        Ok(())
    }

    fn patient(&mut self, tx: &Tx, id: &str) -> Result<&(String, String, bool)> {
        if !self.patients.contains_key(id) {
            let p = patients::get(tx, id)?.patient;
            let erased = p.erased_at.is_some();
            self.patients
                .insert(id.to_string(), (p.full_name, p.phone, erased));
        }
        Ok(&self.patients[id])
    }

    fn clinic(&mut self, tx: &Tx, id: &str) -> Result<&(Tz, String)> {
        if !self.clinics.contains_key(id) {
            let c = clinics::get(tx, id)?;
            self.clinics.insert(c.id, (c.timezone, c.name));
        }
        Ok(&self.clinics[id])
    }

    /// Appointment `b` as it is now, with its names.
    fn appointment(&mut self, tx: &Tx, b: appointments::Bare) -> Result<Appointment> {
        if let Some(given) = b.name_given {
            let whose = (b.row.patient_id.clone(), given);
            self.given.insert(b.row.id.clone(), whose);
        }
        let (timezone, clinic_name) = self.clinic(tx, &b.row.clinic_id)?.clone();
        let mut a = Appointment {
            row: b.row,
            timezone,
            clinic_name,
            patient_name: String::new(),
            patient_phone: String::new(),
            patient_erased: false,
            doctor_name: None,
            doctor_specialty: None,
            service_name: None,
            service_minutes: None,
            resources: b.resources,
        };
        self.fill(tx, &mut a)?;
        Ok(a)
    }

    /// Gives `a` the names of what its (undone) IDs name, each copied
    /// into the string `a` holds already (no allocation where it fits).
    fn fill(&mut self, tx: &Tx, a: &mut Appointment) -> Result<()> {
        let (zone, clinic) = self.clinic(tx, &a.row.clinic_id)?;
        a.timezone = *zone;
        a.clinic_name.clone_from(clinic);
        let given = self
            .given
            .get(&a.row.id)
            .filter(|(patient, _)| *patient == a.row.patient_id)
            .map(|(_, name)| name.clone());
        let (name, phone, erased) = self.patient(tx, &a.row.patient_id)?;
        a.patient_name.clone_from(given.as_ref().unwrap_or(name));
        a.patient_phone.clone_from(phone);
        a.patient_erased = *erased;
        match &a.row.doctor_id {
            Some(d) => {
                let (name, specialty) = self.doctor(tx, d)?;
                copy_into(&mut a.doctor_name, name);
                a.doctor_specialty.clone_from(specialty);
            }
            None => (a.doctor_name, a.doctor_specialty) = (None, None),
        }
        match &a.row.service_id {
            Some(s) => {
                let (name, minutes) = self.service(tx, s)?;
                copy_into(&mut a.service_name, name);
                a.service_minutes = Some(*minutes);
            }
            None => (a.service_name, a.service_minutes) = (None, None),
        }
        Ok(())
    }

    /// A slot_offered event's waitlist entry, stored by IDs, with the
    /// names it shows.
    fn entry(&mut self, tx: &Tx, ids: &Value) -> Result<Value> {
        let id = |k: &str| ids.get(k).and_then(Value::as_str).map(str::to_string);
        let patient = match id("patient_id") {
            Some(p) => {
                let (name, phone, _) = self.patient(tx, &p)?.clone();
                // The name the entry's clinic gave, while the entry is
                // there; once it is gone, none rather than the record's.
                let given = match id("id") {
                    Some(w) => waitlist::name_given(tx, &w)?,
                    None => None,
                };
                let name = match given {
                    Some(Some(given)) => given,
                    None if ids.get(wire::NAME_GIVEN) == Some(&Value::Bool(true)) => String::new(),
                    _ => name,
                };
                Some((p, (name, phone)))
            }
            None => None,
        };
        let doctor = match id("doctor_id") {
            Some(d) => Some((d.clone(), self.doctor(tx, &d)?.clone())),
            None => None,
        };
        let service = match id("service_id") {
            Some(s) => Some((s.clone(), self.service(tx, &s)?.clone())),
            None => None,
        };
        Ok(wire::waitlist_with_names(ids, patient, doctor, service))
    }
}

/// `to` set to `from`, into the string it holds already if any.
fn copy_into(to: &mut Option<String>, from: &str) {
    match to {
        Some(s) => {
            s.clear();
            s.push_str(from);
        }
        None => *to = Some(from.to_string()),
    }
}

/// The stored value of event `id` that cannot be read back.
fn unreadable(id: i64, what: &str) -> Error {
    stored::damaged(
        "events",
        &id.to_string(),
        "data",
        crate::text::msg!("e-holds_appt_cannot_read_back", a = what),
    )
}

/// Rebuilds the data that those of `evs` within `show` show into `shown`:
/// `evs` are events of appointment `now_as` oldest first, every one after
/// the first of `show` kept (each is undone on the way back from the row as
/// it is now); each shows the appointment as it was at it, with its names
/// (docs/rules.md#events). A booking stored with its `set` (before schema
/// 50) is shown from it; one without, as the row is once every later
/// change is undone. An event stored whole, as appt stored them before
/// schema 21, is shown as stored. Names are looked up only for what
/// is shown.
fn rebuild(
    tx: &Tx,
    names: &mut Names,
    making: &mut Making,
    now_as: Appointment,
    evs: &[&Event],
    show: std::ops::RangeInclusive<i64>,
    shown: &mut HashMap<i64, Shown>,
) -> Result<()> {
    let mut state = now_as;
    // Whose names `state` holds: the row as read has its own; an undo asks
    // for them again the first time, and then only when it puts back an ID
    // they are read by.
    #[derive(Clone, Copy)]
    enum Named {
        Row,
        Read,
        Stale,
    }
    let mut named = Named::Row;
    for e in evs.iter().rev() {
        if e.id < *show.start() {
            break;
        }
        let wanted = show.contains(&e.id);
        let Value::Object(stored) = &e.data else {
            continue;
        };
        if stored.contains_key("appointment") {
            continue;
        }
        let mut name = |state: &mut Appointment, named: &mut Named| -> Result<()> {
            if let Named::Stale = named {
                names.fill(tx, state)?;
                *named = Named::Read;
            }
            Ok(())
        };
        if let Some(Value::Object(set)) = stored.get("set") {
            changes::redo_booking(&mut state.row, set, e.created_at)
                .map_err(|f| unreadable(e.id, &f.0))?;
            named = Named::Stale;
            if wanted {
                name(&mut state, &mut named)?;
                let added = vec![("appointment", Added::Appointment(&state))];
                shown.insert(e.id, shown_as(making, stored, "set", added)?);
            }
        } else if let Some(Value::Object(was)) = stored.get("was") {
            // The appointment after the change is shown before the change is
            // undone; a move shows where it was too, once undone, so the
            // appointment after it is made first.
            let mut moved = None;
            if wanted {
                name(&mut state, &mut named)?;
                if e.kind == EventKind::Rescheduled {
                    moved = Some(Added::made(making.form, &state)?);
                } else {
                    let added = vec![("appointment", Added::Appointment(&state))];
                    shown.insert(e.id, shown_as(making, stored, "was", added)?);
                }
            }
            let renamed = changes::undo(&mut state.row, was).map_err(|f| unreadable(e.id, &f.0))?;
            named = match named {
                Named::Read if !renamed => Named::Read,
                _ => Named::Stale,
            };
            if let Some(after) = moved {
                name(&mut state, &mut named)?;
                let added = vec![
                    ("appointment", after),
                    ("previous", Added::Value(wire::previous(&state))),
                ];
                shown.insert(e.id, shown_as(making, stored, "was", added)?);
            }
        } else if let Some(ids) = stored.get("waitlist") {
            if wanted {
                let added = vec![("waitlist", Added::Value(names.entry(tx, ids)?))];
                shown.insert(e.id, shown_as(making, stored, "", added)?);
            }
        } else if e.kind == EventKind::Booked && wanted {
            // A booking that stores nothing of its row: every later change
            // undone, the row is as it was booked.
            name(&mut state, &mut named)?;
            let added = vec![("appointment", Added::Appointment(&state))];
            shown.insert(e.id, shown_as(making, stored, "", added)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::book;
    use crate::app::change::{self, CancelRequest, StatusRequest};
    use crate::app::tests::{desk, monday_8am, move_request, one, request, set_up};
    use crate::store::Create;

    fn confirm(st: &mut Store, id: &str) {
        let s = StatusRequest {
            id: id.into(),
            status: "confirmed".into(),
            diagnosis: None,
            prescription: None,
            follow_up: None,
            notes: None,
        };
        change::set_status(st, &s, &desk(), monday_8am()).unwrap();
    }

    fn move_to(st: &mut Store, id: &str, time: &str) {
        let r = move_request(id, time);
        change::reschedule(st, &r, &desk(), monday_8am()).unwrap();
    }

    /// An event's data as written out: its text where the stream made it.
    fn line(e: &Event, text: Option<&[u8]>) -> String {
        match text {
            Some(t) => String::from_utf8(t.to_vec()).unwrap(),
            None => e.data.to_string(),
        }
    }

    /// Every appointment's events as `history` shows them (rebuilt from
    /// its row alone), their data's text by event ID.
    fn as_history(st: &mut Store, ids: &[String]) -> HashMap<i64, String> {
        st.read(|tx| {
            let mut lines = HashMap::new();
            for id in ids {
                let a = appointments::get(tx, id)?;
                for e in of_appointment(tx, &a)? {
                    lines.insert(e.id, line(&e, None));
                }
            }
            Ok(lines)
        })
        .unwrap()
    }

    /// The stream carries each appointment from page to page (two events a
    /// page here): every line it writes is the line `history` shows, an
    /// appointment's events spanning many pages and read once; and an event
    /// written after its appointment was carried is rebuilt all the same.
    #[test]
    fn the_stream_shows_each_event_as_its_history_does_across_pages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("appt.db");
        let mut st = Store::open(&path, Create::File).unwrap();
        set_up(&mut st);
        let mut ids = Vec::new();
        for (time, phone) in [
            ("10:00", "+50370000001"),
            ("10:30", "+50370000002"),
            ("11:00", "+50370000003"),
        ] {
            let b = book::book(&mut st, &request(time, phone), &desk(), monday_8am()).unwrap();
            ids.push(one(b).appointment.id.clone());
        }
        // Interleaved, so that each appointment's events lie pages apart.
        confirm(&mut st, &ids[0]);
        move_to(&mut st, &ids[1], "11:30");
        confirm(&mut st, &ids[2]);
        move_to(&mut st, &ids[1], "12:30");
        let cancel = CancelRequest {
            id: ids[2].clone(),
            reason: Some("No puede venir".into()),
            ..CancelRequest::default()
        };
        change::cancel(&mut st, &cancel, &desk(), monday_8am()).unwrap();
        // The ninth event, the first appointment's last: a page of its own
        // until the desk's below joins it.
        move_to(&mut st, &ids[0], "12:00");

        let mut streamed = Vec::new();
        stream(&mut st, None, None, None, None, &mut |e, text| {
            streamed.push((e.id, line(e, text)));
            Ok(())
        })
        .unwrap();
        let history = as_history(&mut st, &ids);
        assert_eq!(streamed.len(), 9);
        assert_eq!(streamed.len(), history.len());
        for (id, line) in &streamed {
            assert_eq!(Some(line), history.get(id), "event {id}");
            assert!(!line.contains("\"was\""), "rebuilt, not as stored: {line}");
        }

        // A desk moves the first appointment while a script streams: its
        // new event, in the page of its last carried one, is past what the
        // stream carried of it.
        let mut desk_st = Store::open(&path, Create::Never).unwrap();
        let mut seen = Vec::new();
        let mut moved = false;
        stream(&mut st, None, None, None, None, &mut |e, text| {
            if !moved {
                move_to(&mut desk_st, &ids[0], "09:30");
                moved = true;
            }
            seen.push((e.id, line(e, text)));
            Ok(())
        })
        .unwrap();
        let history = as_history(&mut st, &ids);
        assert_eq!(seen.len(), history.len(), "the new event is streamed too");
        for (id, line) in &seen {
            assert_eq!(Some(line), history.get(id), "event {id}");
        }
    }
}
