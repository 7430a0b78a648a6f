//! Doctors.

use super::values::{self, check_name};
use crate::core::Doctor;
use crate::error::{Error, Result};
use crate::store::{self, doctors, Store};
use chrono::{DateTime, Utc};

/// A doctor's fields as typed; on update, None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct DoctorInput {
    pub name: Option<String>,
    pub specialty: Option<String>,
    pub slot_minutes: Option<i64>,
    /// `true` or `false` (update only).
    pub active: Option<String>,
    /// Add (or rename to) a name another doctor already has.
    pub same_name: bool,
    /// The daily limit as typed: a number, or `none` to take it away.
    pub max_per_day: Option<String>,
    /// `yes` or `no` (`sí`, `on`, `off` …): whether the online booking page
    /// offers the doctor; None is no on `add`.
    pub online: Option<String>,
    /// The services the doctor does, as typed: names or IDs separated by
    /// commas, or `all` (docs/rules.md#who-does-what); None is `all` on
    /// `add` and leaves them as they are on `update`.
    pub services: Option<String>,
}

fn slot(m: Option<i64>) -> Result<Option<i64>> {
    m.map(|m| values::duration("slot_minutes", m)).transpose()
}

pub fn add(st: &mut Store, d: &DoctorInput, now: DateTime<Utc>) -> Result<Doctor> {
    let doctor = Doctor {
        id: store::new_id(),
        full_name: check_name("name", d.name.as_deref().unwrap_or_default())?,
        specialty: values::label(d.specialty.as_deref()),
        slot_minutes: slot(d.slot_minutes)?,
        active: true,
        max_per_day: d
            .max_per_day
            .as_deref()
            .map(values::max_per_day)
            .transpose()?
            .flatten(),
        online: d
            .online
            .as_deref()
            .map(values::online)
            .transpose()?
            .unwrap_or(false),
        services: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    st.write(|tx| {
        let mut doctor = doctor;
        if let Some(list) = &d.services {
            doctor.services = super::service::named(tx, list)?;
        }
        if !d.same_name {
            doctors::ensure_unique(tx, &doctor.full_name, &doctor.id)?;
        }
        doctors::insert(tx, &doctor)?;
        Ok(doctor)
    })
}

/// Doctors, and the names of the services they do.
pub struct Doctors {
    pub doctors: Vec<Doctor>,
    /// Every service's name by ID.
    names: Vec<(String, String)>,
}

impl Doctors {
    fn read(tx: &crate::store::db::Tx, doctors: Vec<Doctor>) -> Result<Doctors> {
        let names = crate::store::services::list(tx)?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        Ok(Doctors { doctors, names })
    }

    /// The services `d` does, by name; None for every service
    /// (docs/rules.md#who-does-what).
    pub fn services_of(&self, d: &Doctor) -> Option<Vec<String>> {
        (!d.services.is_empty()).then(|| super::service::names_of(&d.services, &self.names))
    }
}

pub fn list(st: &mut Store) -> Result<Doctors> {
    st.read(|tx| Doctors::read(tx, doctors::list(tx)?))
}

pub fn show(st: &mut Store, doctor: &str) -> Result<Doctors> {
    st.read(|tx| Doctors::read(tx, vec![doctors::find(tx, doctor)?]))
}

pub fn update(st: &mut Store, doctor: &str, u: &DoctorInput, now: DateTime<Utc>) -> Result<Doctor> {
    st.write(|tx| {
        let mut d = doctors::find(tx, doctor)?;
        if let Some(n) = &u.name {
            d.full_name = check_name("name", n)?;
            if !u.same_name {
                doctors::ensure_unique(tx, &d.full_name, &d.id)?;
            }
        }
        if let Some(s) = &u.specialty {
            d.specialty = values::label(Some(s));
        }
        if u.slot_minutes.is_some() {
            d.slot_minutes = slot(u.slot_minutes)?;
        }
        if let Some(a) = &u.active {
            d.active = match a.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => true,
                "false" | "no" | "off" => false,
                _ => {
                    return Err(Error::field(
                        "active",
                        crate::text::msg!("e-active_must_be_true_or_false"),
                    ))
                }
            };
        }
        if let Some(m) = &u.max_per_day {
            d.max_per_day = values::max_per_day(m)?;
        }
        if let Some(o) = &u.online {
            d.online = values::online(o)?;
        }
        if let Some(list) = &u.services {
            d.services = super::service::named(tx, list)?;
        }
        d.updated_at = now;
        doctors::update(tx, &d)?;
        Ok(d)
    })
}
