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
        created_at: now,
        updated_at: now,
    };
    st.write(|tx| services::insert(tx, &s))?;
    Ok(s)
}

pub fn list(st: &mut Store) -> Result<Vec<Service>> {
    st.read(services::list)
}

pub fn update(
    st: &mut Store,
    service: &str,
    name: Option<&str>,
    minutes: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Service> {
    st.write(|tx| {
        let mut s = services::find(tx, service)?;
        if let Some(n) = name {
            s.name = check_name("name", n)?;
        }
        if let Some(m) = minutes {
            s.duration_minutes = values::duration("minutes", m)?;
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
