//! Services (appointment types). A removed service stays for the
//! appointments that name it but is no longer listed or bookable.

use super::values::{self, check_name};
use crate::core::Service;
use crate::error::Result;
use crate::store::{self, services, Store};
use chrono::{DateTime, Utc};

pub fn add(st: &mut Store, name: &str, minutes: i64, now: DateTime<Utc>) -> Result<Service> {
    let s = Service {
        id: store::new_id(),
        name: check_name("name", name)?,
        duration_minutes: values::duration("minutes", minutes)?,
        max_per_day: None,
        buffer_before: 0,
        buffer_after: 0,
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
        s.updated_at = now;
        services::update(tx, &s)?;
        Ok(s)
    })
}

/// One service by name or ID (what `remove` would take).
pub fn find(st: &mut Store, service: &str) -> Result<Service> {
    st.read(|tx| services::find(tx, service))
}

pub fn remove(st: &mut Store, service: &str, now: DateTime<Utc>) -> Result<Service> {
    st.write(|tx| {
        let s = services::find(tx, service)?;
        services::remove(tx, &s.id, now)?;
        Ok(s)
    })
}
