//! `events`: the event log, oldest first, for scripts that follow along;
//! and every event as it is shown, rebuilt from what is stored: the
//! appointment as it was at each event, with its names (docs/rules.md#events).

use crate::core::changes;
use crate::core::zone::Tz;
use crate::core::Appointment;
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::events::{self, Event, TYPES};
use crate::store::{appointments, clinics, doctors, patients, services, stored, Store};
use crate::wire;
use serde_json::Value;
use std::collections::HashMap;

/// Events are read a page (one short read transaction) at a time and each
/// row is handed on as it is read, so memory stays flat however long the log.
const PAGE: i64 = 10_000;

/// Hands each event after `after` (of type `kind`, of the appointments of
/// clinic `clinic_id`, at most `limit`) to `each`, oldest first; stops at the
/// first error `each` returns.
pub fn stream(
    st: &mut Store,
    after: Option<i64>,
    kind: Option<&str>,
    limit: Option<i64>,
    clinic_id: Option<&str>,
    each: &mut dyn FnMut(&Event) -> Result<()>,
) -> Result<()> {
    let mut bad = Vec::new();
    if let Some(k) = kind {
        if !TYPES.contains(&k) {
            bad.push((
                "type".to_string(),
                crate::text::msg!("e-type_must_be_one_of", a = TYPES.join(", ")),
            ));
        }
    }
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
    while left > 0 {
        let want = left.min(PAGE);
        let (n, last) = st.read(|tx| {
            let mut page = Vec::with_capacity(want.min(1024) as usize);
            let (n, last) = events::each_after(tx, after, kind, clinic_id, want, &mut |e| {
                page.push(e);
                Ok(())
            })?;
            shown(tx, &mut page)?;
            page.iter().try_for_each(&mut *each)?;
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
    rebuild(tx, &mut Names::default(), a, &mut evs)?;
    Ok(evs)
}

/// Events read as stored (of any appointments, in any order) with their
/// data as shown: each appointment's later events are read to undo them.
pub fn shown(tx: &Tx, evs: &mut [Event]) -> Result<()> {
    let mut ids: Vec<&str> = evs
        .iter()
        .filter_map(|e| e.appointment_id.as_deref())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let now_as = appointments::get_many(tx, &ids)?;
    let from = evs.iter().map(|e| e.id).min().unwrap_or(0);
    let mut chains: HashMap<String, Vec<Event>> = HashMap::new();
    for e in events::of_appointments(tx, &ids, from)? {
        let a = e.appointment_id.clone().unwrap_or_default();
        chains.entry(a).or_default().push(e);
    }
    let mut names = Names::default();
    let mut data: HashMap<i64, Value> = HashMap::new();
    for (a, mut chain) in chains {
        let Some(current) = now_as.get(&a) else {
            continue;
        };
        chain.sort_by_key(|e| e.id);
        rebuild(tx, &mut names, current, &mut chain)?;
        data.extend(chain.into_iter().map(|e| (e.id, e.data)));
    }
    for e in evs.iter_mut() {
        if let Some(d) = data.remove(&e.id) {
            e.data = d;
        }
    }
    Ok(())
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
    patients: HashMap<String, (String, String)>,
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

    fn patient(&mut self, tx: &Tx, id: &str) -> Result<&(String, String)> {
        if !self.patients.contains_key(id) {
            let p = patients::get(tx, id)?.patient;
            self.patients.insert(id.to_string(), (p.full_name, p.phone));
        }
        Ok(&self.patients[id])
    }

    /// Gives `a` the names of what its (undone) IDs name.
    fn fill(&mut self, tx: &Tx, a: &mut Appointment) -> Result<()> {
        if !self.clinics.contains_key(&a.clinic_id) {
            let c = clinics::get(tx, &a.clinic_id)?;
            self.clinics.insert(c.id.clone(), (c.timezone, c.name));
        }
        (a.timezone, a.clinic_name) = self.clinics[&a.clinic_id].clone();
        (a.patient_name, a.patient_phone) = self.patient(tx, &a.row.patient_id.clone())?.clone();
        (a.doctor_name, a.doctor_specialty) = match a.doctor_id.clone() {
            Some(d) => {
                let (n, s) = self.doctor(tx, &d)?.clone();
                (Some(n), s)
            }
            None => (None, None),
        };
        (a.service_name, a.service_minutes) = match a.service_id.clone() {
            Some(s) => {
                let (n, m) = self.service(tx, &s)?.clone();
                (Some(n), Some(m))
            }
            None => (None, None),
        };
        Ok(())
    }

    /// A slot_offered event's waitlist entry, stored by IDs, with the
    /// names it shows.
    fn entry(&mut self, tx: &Tx, ids: &Value) -> Result<Value> {
        let id = |k: &str| ids.get(k).and_then(Value::as_str).map(str::to_string);
        let patient = match id("patient_id") {
            Some(p) => Some((p.clone(), self.patient(tx, &p)?.clone())),
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

/// The stored value of event `id` that cannot be read back.
fn unreadable(id: i64, what: &str) -> Error {
    stored::damaged(
        "events",
        &id.to_string(),
        "data",
        crate::text::msg!("e-holds_appt_cannot_read_back", a = what),
    )
}

/// Rebuilds the data of `evs`, the events of appointment `now_as` oldest
/// first (every one after the first kept: each is undone on the way back
/// from the row as it is now), into the data they show: the appointment as
/// it was at each, with its names (docs/rules.md#events). An event stored
/// whole, as appt stored them before schema 21, is shown as stored.
fn rebuild(tx: &Tx, names: &mut Names, now_as: &Appointment, evs: &mut [Event]) -> Result<()> {
    let mut state = now_as.clone();
    for e in evs.iter_mut().rev() {
        let Value::Object(stored) = &mut e.data else {
            continue;
        };
        if stored.contains_key("appointment") {
            continue;
        }
        if let Some(Value::Object(set)) = stored.remove("set") {
            changes::redo_booking(&mut state.row, &set, e.created_at)
                .map_err(|f| unreadable(e.id, &f.0))?;
            names.fill(tx, &mut state)?;
            stored.insert("appointment".into(), wire::appointment(&state));
        } else if let Some(Value::Object(was)) = stored.remove("was") {
            stored.insert("appointment".into(), wire::appointment(&state));
            changes::undo(&mut state.row, &was).map_err(|f| unreadable(e.id, &f.0))?;
            names.fill(tx, &mut state)?;
            if e.kind == "appointment.rescheduled" {
                stored.insert("previous".into(), wire::previous(&state));
            }
        } else if let Some(ids) = stored.get("waitlist") {
            let shown = names.entry(tx, ids)?;
            stored.insert("waitlist".into(), shown);
        }
    }
    Ok(())
}
