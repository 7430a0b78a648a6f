//! Rooms and equipment (docs/rules.md#rooms-and-equipment): a clinic's
//! resources, what a service needs of them, and what a day of a clinic
//! holds of them for the rules to judge.

use super::values::{self, check_name};
use crate::core::resources::{Group, Held, Resource, ResourceKind};
use crate::core::zone::Tz;
use crate::core::{time, Clinic};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{self, clinics, resources, Store};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// A resource's fields as typed; on update, None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ResourceInput {
    pub name: Option<String>,
    /// `room` or `equipment` (`sala`, `equipo`).
    pub kind: Option<String>,
    pub capacity: Option<i64>,
    /// `yes` or `no` (update only): an inactive resource keeps its history
    /// and is given to no new visit.
    pub active: Option<String>,
}

fn kind(typed: &str) -> Result<ResourceKind> {
    ResourceKind::parse(typed).ok_or_else(|| {
        Error::field(
            "kind",
            crate::text::msg!("e-resource_kind", s = typed.to_string()),
        )
    })
}

fn capacity(n: i64) -> Result<i64> {
    if crate::core::limits::CAPACITY.contains(&n) {
        Ok(n)
    } else {
        Err(Error::field(
            "capacity",
            crate::text::msg!("e-capacity_must_be_between_1_and_1000"),
        ))
    }
}

pub fn add(
    st: &mut Store,
    clinic: Option<&str>,
    r: &ResourceInput,
    now: DateTime<Utc>,
) -> Result<Resource> {
    let name = check_name("name", r.name.as_deref().unwrap_or_default())?;
    let kind = kind(r.kind.as_deref().unwrap_or_default())?;
    let capacity = capacity(r.capacity.unwrap_or(1))?;
    st.write(|tx| {
        let res = Resource {
            id: store::new_id(),
            clinic_id: clinics::default(tx, clinic)?.id,
            name,
            kind,
            capacity,
            active: true,
            created_at: now,
            updated_at: now,
        };
        resources::insert(tx, &res)?;
        Ok(res)
    })
}

/// The resources of `clinic` (every clinic's when None).
pub fn list(st: &mut Store, clinic: Option<&str>) -> Result<Vec<Resource>> {
    st.read(|tx| {
        let id = clinic.map(|c| clinics::find(tx, c)).transpose()?;
        resources::list(tx, id.as_ref().map(|c| c.id.as_str()))
    })
}

pub fn show(st: &mut Store, resource: &str) -> Result<Resource> {
    st.read(|tx| resources::find(tx, resource))
}

pub fn update(
    st: &mut Store,
    resource: &str,
    u: &ResourceInput,
    now: DateTime<Utc>,
) -> Result<Resource> {
    st.write(|tx| {
        let mut r = resources::find(tx, resource)?;
        if let Some(n) = &u.name {
            r.name = check_name("name", n)?;
        }
        if let Some(k) = &u.kind {
            r.kind = kind(k)?;
        }
        if let Some(c) = u.capacity {
            r.capacity = capacity(c)?;
        }
        if let Some(a) = &u.active {
            r.active = values::parse_on_off(a).map_err(|e| Error::field("active", e))?;
        }
        r.updated_at = now;
        resources::update(tx, &r)?;
        Ok(r)
    })
}

/// Removes a resource no visit to come holds and no service needs; one a
/// past visit was given is kept for its history, made inactive instead.
/// Returns it, and whether it was kept.
pub fn remove(st: &mut Store, resource: &str, now: DateTime<Utc>) -> Result<(Resource, bool)> {
    st.write(|tx| {
        let mut r = resources::find(tx, resource)?;
        let (visits, services) = resources::uses(tx, &r.id, now)?;
        if visits > 0 || services > 0 {
            let mut e = Error::field(
                "resource",
                crate::text::msg!(
                    "e-resource_in_use",
                    name = r.name.clone(),
                    a = visits,
                    b = services
                ),
            );
            e.details["future_appointments"] = serde_json::json!(visits);
            e.details["services"] = serde_json::json!(services);
            return Err(e.hint(crate::text::msg!("e-resource_in_use_hint")));
        }
        if resources::ever_given(tx, &r.id)? {
            r.active = false;
            r.updated_at = now;
            resources::update(tx, &r)?;
            return Ok((r, true));
        }
        resources::remove(tx, &r.id)?;
        Ok((r, false))
    })
}

/// `--needs` as typed, each a group of names or IDs separated by `|`, each
/// looked up; every resource of one clinic. An empty list needs nothing.
pub fn needs_named(tx: &Tx, clinic: Option<&str>, typed: &[String]) -> Result<Vec<Vec<String>>> {
    let mut groups = Vec::new();
    let mut at: Option<String> = clinic
        .map(|c| clinics::find(tx, c).map(|c| c.id))
        .transpose()?;
    for group in typed {
        let mut ids: Vec<String> = Vec::new();
        for name in group.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            let r = resources::find(tx, name)?;
            match &at {
                Some(c) if *c != r.clinic_id => {
                    return Err(Error::field(
                        "needs",
                        crate::text::msg!("e-resource_of_another_clinic", name = r.name.clone()),
                    ))
                }
                _ => at = Some(r.clinic_id.clone()),
            }
            if !ids.contains(&r.id) {
                ids.push(r.id);
            }
        }
        if !ids.is_empty() {
            groups.push(ids);
        }
    }
    Ok(groups)
}

/// A resource's own hours on `date` (None: it keeps the clinic's), none on
/// a day a closure covers.
fn open_on(
    id: &str,
    hours: &[(String, u8, i64, i64)],
    closed: &[(String, Option<String>)],
    date: NaiveDate,
    tz: Tz,
) -> Option<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    if closed.iter().any(|(c, _)| c == id) {
        return Some(Vec::new());
    }
    let own: Vec<&(String, u8, i64, i64)> = hours.iter().filter(|h| h.0 == id).collect();
    if own.is_empty() {
        return None;
    }
    let day = 1u8 << date.weekday().num_days_from_monday();
    Some(
        own.into_iter()
            .filter(|h| h.1 & day != 0)
            .map(|h| {
                (
                    time::window_edge(tz, date, h.2),
                    time::window_edge(tz, date, h.3),
                )
            })
            .collect(),
    )
}

/// What a visit of `service` at `clinic` needs, each resource with its
/// active visits and the booking page's holds over `[from, to)` but
/// `except` (a visit being moved, a hold being booked): the
/// groups of the clinic's resources, the inactive left out (a group left
/// with none has no room). A group none of whose resources is the clinic's
/// does not apply there.
pub fn needs_on(
    tx: &Tx,
    clinic: &Clinic,
    service: Option<&str>,
    (date, (from, to)): (NaiveDate, (DateTime<Utc>, DateTime<Utc>)),
    except: Option<&str>,
) -> Result<Vec<Group>> {
    let tz = clinic.timezone;
    let clinic = clinic.id.as_str();
    let Some(service) = service else {
        return Ok(Vec::new());
    };
    let needs = match resources::needs(tx, service) {
        Ok(n) => n,
        // An unknown service needs nothing; booking answers for it.
        Err(e) if e.code == Code::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let here: Vec<Vec<Resource>> = needs
        .into_iter()
        .map(|g| g.into_iter().filter(|r| r.clinic_id == clinic).collect())
        .filter(|g: &Vec<Resource>| !g.is_empty())
        .collect();
    if here.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = here.iter().flatten().map(|r| r.id.as_str()).collect();
    // Each resource's visits, moved to it (a day of twenty rooms is some
    // 1,500 rows); one named in two groups gets a copy in the second.
    let mut busy: std::collections::HashMap<String, Vec<crate::core::slots::Busy>> =
        Default::default();
    for (id, b) in resources::busy(tx, &ids, from, to, except)? {
        busy.entry(id).or_default().push(b);
    }
    let twice = |id: &str| ids.iter().filter(|i| **i == id).count() > 1;
    let held = resources::held_for_page(tx, &ids, from, to, except)?;
    let hours = resources::hours_of(tx, &ids)?;
    let closed = resources::closed_on(tx, &ids, date)?;
    Ok(here
        .iter()
        .map(|g| {
            g.iter()
                .filter(|r| r.active)
                .map(|r| Held {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    kind: r.kind,
                    capacity: r.capacity,
                    busy: match twice(&r.id) {
                        true => busy.get(&r.id).cloned(),
                        false => busy.remove(&r.id),
                    }
                    .unwrap_or_default(),
                    open: open_on(&r.id, &hours, &closed, date, tz),
                    holds: held
                        .iter()
                        .filter(|(id, _)| *id == r.id)
                        .map(|(_, h)| h.clone())
                        .collect(),
                })
                .collect()
        })
        .collect())
}

/// Hours of a resource as typed (`window add --resource R --days … --from
/// … --to …`): from then on it is free only within its hours.
pub struct HoursInput {
    pub resource: String,
    pub days: String,
    pub from: String,
    pub to: String,
}

/// Hours added: the resource, its weekdays and minutes, the new row's ID.
pub struct HoursAdded {
    pub id: String,
    pub resource: Resource,
    pub weekdays: u8,
    pub from: i64,
    pub to: i64,
}

pub fn add_hours(st: &mut Store, h: &HoursInput) -> Result<HoursAdded> {
    let mut bad = values::Problems::default();
    let weekdays = bad.take("days", time::parse_days(&h.days));
    let from = bad.take("from", time::parse_hhmm(&h.from, false));
    let to = bad.take("to", time::parse_hhmm(&h.to, true));
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            bad.add("to", crate::text::msg!("e-to_must_be_after_from"));
        }
    }
    bad.finish()?;
    let (weekdays, from, to) = (weekdays.unwrap_or(0), from.unwrap_or(0), to.unwrap_or(0));
    st.write(|tx| {
        let resource = resources::find(tx, &h.resource)?;
        let id = store::new_id();
        resources::add_hours(tx, &id, &resource.id, weekdays, from, to)?;
        Ok(HoursAdded {
            id,
            resource,
            weekdays,
            from,
            to,
        })
    })
}

/// A closure of a resource (`closure add --resource R`).
pub struct ClosureAdded {
    pub id: String,
    pub resource: Resource,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: Option<String>,
}

pub fn add_closure(
    st: &mut Store,
    resource: &str,
    (from, to): (&str, Option<&str>),
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ClosureAdded> {
    st.write(|tx| {
        let resource = resources::find(tx, resource)?;
        let clinic = clinics::get(tx, &resource.clinic_id)?;
        let today = time::local_today(clinic.timezone, now);
        let order = clinic.settings.date_order();
        let day = |field: &str, typed: &str| {
            time::parse_date(typed, today, order).map_err(|e| Error::field(field, e))
        };
        let first = day("from", from)?;
        let last = match to {
            Some(t) => day("to", t)?,
            None => first,
        };
        if last < first {
            return Err(Error::field(
                "to",
                crate::text::msg!("e-to_must_not_be_before_from"),
            ));
        }
        let reason = values::label(reason);
        let id = store::new_id();
        resources::add_closure(tx, &id, &resource.id, (first, last), reason.as_deref())?;
        Ok(ClosureAdded {
            id,
            resource,
            from: first,
            to: last,
            reason,
        })
    })
}

/// A resource's own hours and closures (`window list --resource`,
/// `closure list --resource`).
pub struct OwnTime {
    pub resource: Resource,
    pub hours: Vec<HoursAdded>,
    pub closures: Vec<ClosureAdded>,
}

pub fn own_time(st: &mut Store, resource: &str) -> Result<OwnTime> {
    st.read(|tx| {
        let resource = resources::find(tx, resource)?;
        let hours = resources::hours_rows(tx, &resource.id)?
            .into_iter()
            .map(|h| hours_of(h, resource.clone()))
            .collect();
        let closures = resources::closure_rows(tx, &resource.id)?
            .into_iter()
            .map(|c| closure_of(c, resource.clone()))
            .collect();
        Ok(OwnTime {
            resource,
            hours,
            closures,
        })
    })
}

fn hours_of((id, _, weekdays, from, to): resources::HoursRow, resource: Resource) -> HoursAdded {
    HoursAdded {
        id,
        resource,
        weekdays,
        from,
        to,
    }
}

fn closure_of(
    (id, _, from, to, reason): resources::ClosureRow,
    resource: Resource,
) -> ClosureAdded {
    ClosureAdded {
        id,
        resource,
        from,
        to,
        reason,
    }
}

/// The resource's hours `input` names (an ID or a unique prefix), or None
/// (`window remove` then answers for the doctors' windows).
pub fn find_hours(st: &mut Store, input: &str) -> Result<Option<HoursAdded>> {
    st.read(|tx| {
        let Some(h) = resources::find_hours(tx, input)? else {
            return Ok(None);
        };
        let resource = resources::get(tx, &h.1)?;
        Ok(Some(hours_of(h, resource)))
    })
}

/// Removes a resource's hours: from then on it keeps its clinic's hours
/// where it has no other of its own.
pub fn remove_hours(st: &mut Store, id: &str) -> Result<HoursAdded> {
    st.write(|tx| {
        let h = resources::find_hours(tx, id)?
            .ok_or_else(|| Error::new(Code::NotFound, crate::text::msg!("e-window_not_found")))?;
        resources::remove_hours(tx, &h.0)?;
        let resource = resources::get(tx, &h.1)?;
        Ok(hours_of(h, resource))
    })
}

/// The resource's closure `input` names, or None (`closure remove` then
/// answers for the clinics' and doctors' closures).
pub fn find_closure(st: &mut Store, input: &str) -> Result<Option<ClosureAdded>> {
    st.read(|tx| {
        let Some(c) = resources::find_closure(tx, input)? else {
            return Ok(None);
        };
        let resource = resources::get(tx, &c.1)?;
        Ok(Some(closure_of(c, resource)))
    })
}

/// Removes a resource's closure: it is free again on those days.
pub fn remove_closure(st: &mut Store, id: &str) -> Result<ClosureAdded> {
    st.write(|tx| {
        let c = resources::find_closure(tx, id)?
            .ok_or_else(|| Error::new(Code::NotFound, crate::text::msg!("e-closure_not_found")))?;
        resources::remove_closure(tx, &c.0)?;
        let resource = resources::get(tx, &c.1)?;
        Ok(closure_of(c, resource))
    })
}
