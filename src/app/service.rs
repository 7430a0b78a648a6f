//! Services (appointment types). A removed service stays for the
//! appointments that name it but is no longer listed or bookable.

use super::values::{self, check_name};
use crate::core::resources::Resource;
use crate::core::Service;
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{self, resources, services, Store};
use chrono::{DateTime, Utc};

pub fn add(st: &mut Store, name: &str, minutes: i64, now: DateTime<Utc>) -> Result<Service> {
    add_with(st, name, minutes, &Buffers::default(), now)
}

/// A service's buffers as typed, in minutes (docs/rules.md#buffers): None
/// is none on `add`, and leaves the buffer as it is on `update`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Buffers {
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// [`add`] with buffers before and after each appointment.
pub fn add_with(
    st: &mut Store,
    name: &str,
    minutes: i64,
    buffers: &Buffers,
    now: DateTime<Utc>,
) -> Result<Service> {
    add_limited(st, name, minutes, buffers, None, None, now)
}

/// [`add_with`] and a daily limit as typed (docs/rules.md#daily-limits): a
/// number, or `none` (as None) for no limit — what `service update` takes;
/// and whether the online booking page offers it, as typed (`yes`, `no`;
/// None is no).
pub fn add_limited(
    st: &mut Store,
    name: &str,
    minutes: i64,
    buffers: &Buffers,
    max_per_day: Option<&str>,
    online: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Service> {
    let s = Service {
        id: store::new_id(),
        name: check_name("name", name)?,
        duration_minutes: values::duration("minutes", minutes)?,
        max_per_day: max_per_day.map(values::max_per_day).transpose()?.flatten(),
        buffer_before: buffers
            .before
            .map_or(Ok(0), |m| values::buffer("buffer_before", m))?,
        buffer_after: buffers
            .after
            .map_or(Ok(0), |m| values::buffer("buffer_after", m))?,
        online: online.map(values::online).transpose()?.unwrap_or(false),
        created_at: now,
        updated_at: now,
    };
    st.write(|tx| services::insert(tx, &s))?;
    Ok(s)
}

pub fn list(st: &mut Store) -> Result<Vec<Service>> {
    st.read(services::list)
}

/// A service's fields as typed; None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ServiceUpdate {
    pub name: Option<String>,
    pub minutes: Option<i64>,
    /// The daily limit: a number, or `none` to take it away.
    pub max_per_day: Option<String>,
    /// For appointments booked from now on: those booked keep theirs
    /// (docs/rules.md#buffers).
    pub buffers: Buffers,
    /// `yes` or `no`: whether the online booking page offers the service.
    pub online: Option<String>,
    /// What it needs (docs/rules.md#rooms-and-equipment): each a group of
    /// resources by name separated by `|`, any one of which will do; `none`
    /// alone needs nothing. None leaves them as they are.
    pub needs: Option<Vec<String>>,
    /// The clinic whose resources `needs` names (`--clinic`).
    pub clinic: Option<String>,
}

pub fn update(
    st: &mut Store,
    service: &str,
    u: &ServiceUpdate,
    now: DateTime<Utc>,
) -> Result<Service> {
    st.write(|tx| {
        let mut s = services::find(tx, service)?;
        if let Some(n) = &u.name {
            s.name = check_name("name", n)?;
        }
        if let Some(m) = u.minutes {
            s.duration_minutes = values::duration("minutes", m)?;
        }
        if let Some(m) = &u.max_per_day {
            s.max_per_day = values::max_per_day(m)?;
        }
        if let Some(m) = u.buffers.before {
            s.buffer_before = values::buffer("buffer_before", m)?;
        }
        if let Some(m) = u.buffers.after {
            s.buffer_after = values::buffer("buffer_after", m)?;
        }
        if let Some(o) = &u.online {
            s.online = values::online(o)?;
        }
        if let Some(needs) = &u.needs {
            let none = matches!(&needs[..], [one] if crate::core::words::is_none(one));
            let groups = if none {
                Vec::new()
            } else {
                super::resource::needs_named(tx, u.clinic.as_deref(), needs)?
            };
            resources::set_needs(tx, &s.id, &groups)?;
        }
        s.updated_at = now;
        services::update(tx, &s)?;
        Ok(s)
    })
}

/// Every service with what it needs, each group's resources in order.
pub fn list_needing(st: &mut Store) -> Result<Vec<(Service, Vec<Vec<Resource>>)>> {
    st.read(|tx| {
        services::list(tx)?
            .into_iter()
            .map(|s| Ok((resources::needs(tx, &s.id)?, s)))
            .map(|r: Result<_>| r.map(|(n, s)| (s, n)))
            .collect()
    })
}

/// What service `id` needs.
pub fn needs(st: &mut Store, id: &str) -> Result<Vec<Vec<Resource>>> {
    st.read(|tx| resources::needs(tx, id))
}

/// One service by name or ID (what `remove` would take).
pub fn find(st: &mut Store, service: &str) -> Result<Service> {
    st.read(|tx| services::find(tx, service))
}

/// Refuses to remove a service a doctor does, a window takes or a visit
/// still to come takes (docs/rules.md#who-does-what), with how many of each.
pub fn remove(st: &mut Store, service: &str, now: DateTime<Utc>) -> Result<Service> {
    st.write(|tx| {
        let s = services::find(tx, service)?;
        let doctors = crate::store::doctors::list(tx)?
            .into_iter()
            .filter(|d| d.services.contains(&s.id))
            .count() as i64;
        let visits = crate::store::appointments::active_of_service_from(tx, &s.id, now)?;
        // A window taking it would imply a service no longer bookable.
        let windows = crate::store::windows::list(tx, None, None)?
            .iter()
            .filter(|w| w.services.contains(&s.id))
            .count() as i64;
        if doctors > 0 || visits > 0 || windows > 0 {
            let problem = crate::text::msg!(
                "e-service_in_use",
                name = s.name.clone(),
                a = doctors,
                b = visits,
                c = windows
            );
            let mut e = Error::field("service", problem);
            e.details["doctors"] = serde_json::json!(doctors);
            e.details["future_appointments"] = serde_json::json!(visits);
            e.details["windows"] = serde_json::json!(windows);
            return Err(e.hint(crate::text::msg!("e-service_in_use_hint")));
        }
        services::remove(tx, &s.id, now)?;
        Ok(s)
    })
}

/// The names of the services `ids`, by the `(ID, name)` pairs `names`
/// (an ID no pair names is shown as itself).
pub fn names_of(ids: &[String], names: &[(String, String)]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            names
                .iter()
                .find(|(s, _)| s == id)
                .map_or_else(|| id.clone(), |(_, n)| n.clone())
        })
        .collect()
}

/// A list of services as typed (`--services`): names or IDs separated by
/// commas, each looked up, an unknown one `NOT_FOUND` naming it; `all` (or
/// nothing) is every service, the empty list.
pub fn named(tx: &Tx, list: &str) -> Result<Vec<String>> {
    if crate::core::words::is_all(list) {
        return Ok(Vec::new());
    }
    let mut ids: Vec<String> = Vec::new();
    for typed in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let id = services::find(tx, typed)
            .map_err(|e| match e.code {
                Code::NotFound => Error::new(
                    Code::NotFound,
                    crate::text::msg!("e-no_service_named", input = typed),
                )
                .details(serde_json::json!({"service": typed}))
                .hint(crate::text::msg!("e-see_service_list")),
                _ => e,
            })?
            .id;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}
