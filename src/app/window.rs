//! Windows: when bookings are possible (docs/rules.md#windows-and-slots).

use super::values::{self, minutes_in, Problems};
use crate::core::slots::{clash, clash_in_time, windows_on};
use crate::core::{time, Clinic, Doctor, Owner, Recurrence, Window};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{self, clinics, doctors, services, windows, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

/// A window as typed.
#[derive(Debug, Clone, Default)]
pub struct WindowInput {
    /// `--clinic` (or `$APPT_CLINIC`).
    pub clinic: Option<String>,
    /// The doctor; None for a clinic-wide window.
    pub doctor: Option<String>,
    pub days: Option<String>,
    pub date: Option<String>,
    pub from: String,
    pub to: String,
    pub slot_minutes: Option<i64>,
    pub capacity: Option<i64>,
    pub session: Option<String>,
    pub batch: Option<String>,
    /// Service names or IDs, comma-separated.
    pub services: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

/// `mon-fri 09:00-13:00` or `2026-06-15 09:00-13:00`.
/// A window's days and hours: `mon-fri 08:00-12:00` (`lun-vie` in Spanish).
pub fn describe(w: &Window) -> crate::text::Msg {
    let when = match &w.recurrence {
        Recurrence::Weekly(m) => crate::text::Arg::Days(time::format_days(*m)),
        Recurrence::Date(d) => crate::text::Arg::Text(d.to_string()),
    };
    crate::text::msg!(
        "h-window_span",
        when = when,
        from = time::format_hhmm(w.from),
        to = time::format_hhmm(w.to)
    )
}

/// A window added, with whose it is and where.
pub struct Added {
    pub window: Window,
    pub who: String,
    pub clinic: String,
    /// Said when the doctor does none of the services the window takes:
    /// nothing can be booked in it (docs/rules.md#who-does-what).
    pub warning: Option<Error>,
}

pub fn add(st: &mut Store, a: &WindowInput, now: DateTime<Utc>) -> Result<Added> {
    st.write(|tx| {
        let clinic = clinics::default(tx, a.clinic.as_deref())?;
        let doctor = a
            .doctor
            .as_deref()
            .map(|d| doctors::find(tx, d))
            .transpose()?;
        let today = time::local_today(clinic.timezone, now);
        let mut w = checked(a, &clinic, doctor.as_ref(), today, now)?;
        w.services = match &a.services {
            Some(list) => super::service::named(tx, list)?,
            None => vec![],
        };
        refuse_overlap(tx, &w, &clinic, today)?;
        windows::insert(tx, &w)?;
        let warning = doctor
            .as_ref()
            .filter(|d| crate::core::offer::offered(&d.services, &w.services).is_empty())
            .map(|d| offers_nothing(&d.full_name));
        Ok(Added {
            warning,
            window: w,
            who: doctor
                .map(|d| d.full_name)
                .unwrap_or_else(|| "clinic-wide".into()),
            clinic: clinic.name,
        })
    })
}

/// A doctor's window in which nothing is possible: they do none of the
/// services it takes (docs/rules.md#who-does-what).
pub fn offers_nothing(doctor: &str) -> Error {
    Error::new(
        crate::error::Code::Validation,
        crate::text::msg!("e-window_offers_nothing", a = doctor),
    )
    .hint(crate::text::msg!("e-window_offers_nothing_hint"))
}

/// The new window from what was typed, every bad value named at once
/// (its services are looked up after).
fn checked(
    a: &WindowInput,
    clinic: &Clinic,
    doctor: Option<&Doctor>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Window> {
    let mut bad = Problems::default();
    let order = clinic.settings.date_order();
    let from = bad.take("from", time::parse_hhmm(&a.from, false));
    let to = bad.take("to", time::parse_hhmm(&a.to, true));
    let recurrence = match (&a.days, &a.date) {
        (Some(d), _) => bad
            .take("days", time::parse_days(d))
            .map(Recurrence::Weekly),
        (None, Some(d)) => bad
            .take("date", time::parse_date(d, today, order))
            .map(Recurrence::Date),
        (None, None) => {
            bad.add("days", crate::text::msg!("e-days_or_date_is_required"));
            None
        }
    };
    let mut date_field = |field: &str, v: &Option<String>| {
        v.as_deref()
            .and_then(|v| bad.take(field, time::parse_date(v, today, order)))
    };
    let valid_from = date_field("valid_from", &a.valid_from);
    let valid_to = date_field("valid_to", &a.valid_to);
    let default_slot = doctor
        .and_then(|d| d.slot_minutes)
        .unwrap_or(clinic.settings.slot_minutes);
    let slot_minutes = bad.take(
        "slot_minutes",
        minutes_in(
            "slot_minutes",
            a.slot_minutes.unwrap_or(default_slot),
            5,
            480,
        ),
    );
    let capacity = a.capacity.unwrap_or(1);
    if !(1..=1000).contains(&capacity) {
        bad.add(
            "capacity",
            crate::text::msg!("e-capacity_must_be_between_1_and_1000"),
        );
    }
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            bad.add("to", crate::text::msg!("e-to_must_be_after_from"));
        }
    }
    if let (Some(f), Some(t)) = (valid_from, valid_to) {
        if f > t {
            bad.add(
                "valid_to",
                crate::text::msg!("e-valid_to_must_not_be_before_valid"),
            );
        }
    }
    bad.finish()?;
    Ok(Window {
        id: store::new_id(),
        clinic_id: clinic.id.clone(),
        doctor_id: doctor.map(|d| d.id.clone()),
        recurrence: recurrence.unwrap_or(Recurrence::Weekly(0)),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        slot_minutes: slot_minutes.unwrap_or(default_slot),
        capacity,
        session: values::label(a.session.as_deref()),
        batch: values::label(a.batch.as_deref()),
        services: Vec::new(),
        valid_from,
        valid_to,
        open: true,
        created_at: now,
    })
}

/// `WINDOW_OVERLAP` when `w` overlaps a window of the same doctor (at any
/// clinic) or, clinic-wide, of the same clinic.
fn refuse_overlap(tx: &Tx, w: &Window, clinic: &Clinic, today: NaiveDate) -> Result<()> {
    let owner = match &w.doctor_id {
        Some(d) => Owner::Doctor(d.clone()),
        None => Owner::ClinicWide(clinic.id.clone()),
    };
    for o in windows::of_owner(tx, &owner)? {
        // Same zone: local times. Another zone: real time.
        let tz = if o.clinic_id == clinic.id {
            clinic.timezone
        } else {
            clinics::get(tx, &o.clinic_id)?.timezone
        };
        let hit = if tz == clinic.timezone {
            clash(w, &o)
        } else {
            clash_in_time(w, clinic.timezone, &o, tz, today)
        };
        if hit {
            return Err(Error::new(
                Code::WindowOverlap,
                crate::text::msg!(
                    "e-overlaps_the_window",
                    a = describe(&o),
                    b = o.id.get(..8).unwrap_or(&o.id)
                ),
            )
            .details(json!({"window_id": o.id, "window": describe(&o).english()})));
        }
    }
    Ok(())
}

/// Windows, and each doctor's name by ID.
pub struct Listed {
    pub windows: Vec<Window>,
    pub names: Vec<(String, String)>,
    /// Each doctor's services (IDs; empty for every one), by doctor ID.
    pub doctor_services: Vec<(String, Vec<String>)>,
    /// Every service's name by ID, removed ones too.
    pub service_names: Vec<(String, String)>,
}

impl Listed {
    /// The services possible in `w` (docs/rules.md#who-does-what), by
    /// name: None when any service is.
    pub fn offers(&self, w: &Window) -> Option<Vec<String>> {
        let doctor = w
            .doctor_id
            .as_deref()
            .and_then(|d| self.doctor_services.iter().find(|(id, _)| id == d))
            .map_or(&[][..], |(_, s)| &s[..]);
        match crate::core::offer::offered(doctor, &w.services) {
            crate::core::offer::Offered::Any => None,
            crate::core::offer::Offered::Only(ids) => {
                Some(super::service::names_of(&ids, &self.service_names))
            }
        }
    }

    /// The doctor's name for an ID (the ID itself for a doctor gone).
    pub fn name_of(&self, id: &str) -> String {
        self.names
            .iter()
            .find(|(d, _)| d == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

/// Windows, optionally of one clinic, one doctor, or only those that apply on a date.
pub fn list(
    st: &mut Store,
    clinic: Option<&str>,
    doctor: Option<&str>,
    date: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Listed> {
    st.read(|tx| {
        let clinic = clinic.map(|c| clinics::find(tx, c)).transpose()?;
        let doctor = doctor.map(|d| doctors::find(tx, d)).transpose()?;
        let mut all = windows::list(
            tx,
            clinic.as_ref().map(|c| c.id.as_str()),
            doctor.as_ref().map(|d| d.id.as_str()),
        )?
        .to_vec();
        if let Some(date) = date {
            let (tz, order) = match &clinic {
                Some(c) => (c.timezone, c.settings.date_order()),
                None => {
                    let c = clinics::default(tx, None)?;
                    (c.timezone, c.settings.date_order())
                }
            };
            let on = time::parse_date(date, time::local_today(tz, now), order)
                .map_err(|e| Error::field("date", e))?;
            // Date windows replace weekly ones per owner (doctor, or clinic-wide per clinic).
            let mut owners: Vec<(String, Option<String>)> = all
                .iter()
                .map(|w| (w.clinic_id.clone(), w.doctor_id.clone()))
                .collect();
            owners.dedup();
            let mut kept = Vec::new();
            for (c, d) in owners {
                let mine: Vec<Window> = all
                    .iter()
                    .filter(|w| w.clinic_id == c && w.doctor_id == d)
                    .cloned()
                    .collect();
                kept.extend(windows_on(&mine, on).into_iter().cloned());
            }
            all = kept;
        }
        let doctors = doctors::list(tx)?;
        let names = doctors
            .iter()
            .map(|d| (d.id.clone(), d.full_name.clone()))
            .collect();
        let doctor_services = doctors.into_iter().map(|d| (d.id, d.services)).collect();
        let service_names = services::list(tx)?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        Ok(Listed {
            windows: all,
            names,
            doctor_services,
            service_names,
        })
    })
}

/// Opens or closes a window for bookings.
pub fn set_open(st: &mut Store, window: &str, open: bool) -> Result<Window> {
    st.write(|tx| {
        let mut w = windows::find(tx, window)?;
        windows::set_open(tx, &w.id, open)?;
        w.open = open;
        Ok(w)
    })
}

/// One window by ID or prefix (what `remove` would take).
pub fn find(st: &mut Store, window: &str) -> Result<Window> {
    st.read(|tx| windows::find(tx, window))
}

/// Removes a window that has no upcoming appointments.
pub fn remove(st: &mut Store, window: &str, now: DateTime<Utc>) -> Result<Window> {
    st.write(|tx| {
        let w = windows::find(tx, window)?;
        let n = windows::upcoming_bookings(tx, &w, store::epoch(now))?;
        if n > 0 {
            return Err(Error::field(
                "window",
                crate::text::msg!("e-the_window_has_upcoming_appointments_close_it", n = n),
            )
            .hint(crate::text::msg!(
                "e-close_it_with",
                a = w.id.get(..8).unwrap_or(&w.id)
            )));
        }
        windows::remove(tx, &w.id)?;
        Ok(w)
    })
}
