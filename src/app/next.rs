//! `next`: the first free slots from now (or a date) on, across days and,
//! without a doctor, across every doctor of the clinic — "when is the first
//! time anyone can see this patient?" (docs/commands.md#appt-list).

use super::schedule::{doctors_day, Calendar, Target};
use super::slots::{self, Slot};
use crate::core::{text, time, Doctor};
use crate::error::{Error, Result};
use crate::store::{clinics, doctors, services, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};

#[derive(Debug, Clone, Default)]
pub struct NextRequest {
    pub clinic: Option<String>,
    pub doctor: Option<String>,
    /// Only doctors of this specialty (ignoring case and accents).
    pub specialty: Option<String>,
    pub service: Option<String>,
    /// From this local date on, instead of now.
    pub after: Option<String>,
    /// How many slots; default 5.
    pub limit: Option<i64>,
}

/// A free slot and whose it is.
pub struct Free {
    pub doctor: Doctor,
    pub date: NaiveDate,
    pub slot: Slot,
}

/// The clinic searched and the first free slots, earliest first.
pub struct Found {
    pub clinic: crate::core::Clinic,
    pub slots: Vec<Free>,
}

/// How far ahead `next` looks at most (the clinic's horizon stops it sooner).
const MAX_DAYS: i64 = 400;

impl NextRequest {
    /// Rule 1: the number of slots asked for, and one way of naming whose.
    pub fn check(&self) -> Result<i64> {
        let mut bad = super::values::Problems::default();
        let limit = self.limit.unwrap_or(5);
        if !(1..=100).contains(&limit) {
            bad.add(
                "limit",
                crate::text::msg!("e-limit_must_be_between_1_and_100"),
            );
        }
        let doctor = ("doctor", self.doctor.is_some());
        super::values::not_both(&mut bad, doctor, ("specialty", self.specialty.is_some()));
        bad.finish()?;
        Ok(limit)
    }
}

pub fn next(st: &mut Store, r: &NextRequest, now: DateTime<Utc>) -> Result<Found> {
    let limit = r.check()?;
    st.read(|tx| {
        let clinic = match (&r.clinic, &r.doctor) {
            (Some(c), _) => clinics::find(tx, c)?,
            (None, Some(d)) => {
                let doctor = doctors::find_active(tx, d)?;
                std::sync::Arc::unwrap_or_clone(
                    super::schedule::target(tx, None, Some(&doctor.id))?.clinic,
                )
            }
            (None, None) => clinics::default(tx, None)?,
        };
        let today = time::local_today(clinic.timezone, now);
        let first = match &r.after {
            Some(d) => time::parse_date(d, today, clinic.settings.date_order())
                .map_err(|e| Error::field("after", e))?,
            None => today,
        };
        let candidates: Vec<Doctor> = match &r.doctor {
            Some(d) => vec![doctors::find_active(tx, d)?],
            None => {
                let here = doctors::at_clinic(tx, &clinic.id)?;
                let wanted = r.specialty.as_deref().map(text::fold);
                here.into_iter()
                    .filter(|d| d.active)
                    .filter(|d| {
                        wanted.as_ref().is_none_or(|w| {
                            d.specialty.as_deref().map(text::fold).as_ref() == Some(w)
                        })
                    })
                    .collect()
            }
        };
        if candidates.is_empty() {
            let what = r
                .specialty
                .as_deref()
                .map_or(String::new(), |s| format!(" of {s}"));
            return Err(
                Error::not_found(crate::error::Entity::Doctor).hint(crate::text::msg!(
                    "e-no_active_doctor_has_windows_at",
                    what = what,
                    a = clinic.name
                )),
            );
        }
        let service = r
            .service
            .as_deref()
            .map(|s| services::find_for_booking(tx, s))
            .transpose()?;
        let asked = slots::Asked {
            service: service.as_ref(),
            ..slots::Asked::default()
        };
        let req = asked.request();
        let last = time::date_after_minutes(today, clinic.settings.horizon) + Duration::days(1);
        // Each doctor's windows and closures, read once for every day looked at.
        let until = last.min(first + Duration::days(MAX_DAYS - 1));
        let shared = std::sync::Arc::new(clinic.clone());
        let targets: Vec<Target> = candidates
            .iter()
            .map(|d| Target {
                clinic: std::sync::Arc::clone(&shared),
                doctor: Some(d.clone()),
            })
            .collect();
        let calendars = Calendar::of_doctors(tx, &clinic, &targets, first, until)?;
        let mut found = Vec::new();
        let mut day = first;
        while found.len() < limit as usize && day <= until {
            let mut free: Vec<Free> = Vec::new();
            // A slot before now is refused whatever it meets; one from now
            // on meets no appointment held only until before its buffer
            // (the longest any service has, when none is named).
            let before = match service {
                Some(_) => req.buffer_before,
                None => *crate::core::limits::BUFFER.end(),
            };
            let held_from = now - Duration::minutes(before);
            let days = doctors_day(tx, &calendars, day, req.service_id, Some(held_from))?;
            for ((d, t), data) in candidates.iter().zip(&targets).zip(&days) {
                free.extend(
                    slots::judged_for(tx, data, t, now, &asked, None, true)?
                        .into_iter()
                        .map(|slot| Free {
                            doctor: (*d).clone(),
                            date: day,
                            slot,
                        }),
                );
            }
            free.sort_by(|a, b| {
                (a.slot.start, &a.doctor.full_name).cmp(&(b.slot.start, &b.doctor.full_name))
            });
            found.extend(free.into_iter().take(limit as usize - found.len()));
            day += Duration::days(1);
        }
        Ok(Found {
            clinic,
            slots: found,
        })
    })
}
