//! `agenda`: the front desk's day sheet — per doctor (and the clinic-wide
//! windows), the day's appointments and free slots.

use super::schedule::{doctors_day, load_day, Calendar, DayData, Target};
use super::slots::{judged_for, Asked, Slot};
use crate::core::{queue, time, Appointment, Clinic, Doctor};
use crate::error::{Code, Error, Result};
use crate::store::appointments;
use crate::store::{clinics, doctors, windows, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// One section of the sheet: a doctor, or (None) the clinic-wide windows.
pub struct Section {
    pub doctor: Option<Doctor>,
    /// The room or machine whose day this is (`board --by resource`):
    /// then `doctor` is None and the section holds the visits given it.
    pub resource: Option<crate::core::resources::Given>,
    /// Why the day is closed for them (a clinic closure or the doctor's
    /// leave), or None when open. A closure without a reason reads "Closed".
    pub closed: Option<String>,
    /// The day's appointments but the cancelled ones, in start order.
    pub appointments: Vec<Appointment>,
    /// The slots offered (`slots`' own), in start order, each with the services that fit
    /// from it when its window takes only some (docs/rules.md#who-does-what):
    /// the board books the one, or asks which of several.
    pub free: Vec<Slot>,
    /// The start of every slot of the day's grid, past and taken ones too.
    pub grid: Vec<DateTime<Utc>>,
    /// The grid's slots taken only by the buffers around appointments
    /// (docs/rules.md#buffers), in start order.
    pub buffered: Vec<DateTime<Utc>>,
    /// The grid's slots free but for a hold of the booking page
    /// (docs/rules.md#holds), in start order.
    pub held: Vec<DateTime<Utc>>,
    /// The grid's slots the doctor's own calendar says they are busy
    /// (docs/calendars.md), in start order: shown busy, never with what.
    pub away: Vec<DateTime<Utc>>,
}

impl Section {
    /// A section of visits alone, none of its cells free: a room's day
    /// (`agenda --resource`, under each doctor) or a room's column
    /// (`board --by resource`).
    pub fn visits(
        doctor: Option<Doctor>,
        resource: Option<crate::core::resources::Given>,
        closed: Option<String>,
        appointments: Vec<Appointment>,
    ) -> Section {
        Section {
            doctor,
            resource,
            closed,
            appointments,
            free: Vec::new(),
            grid: Vec::new(),
            buffered: Vec::new(),
            held: Vec::new(),
            away: Vec::new(),
        }
    }
}

pub struct Agenda {
    pub clinic: Clinic,
    pub date: NaiveDate,
    /// Doctors by name, then the clinic-wide section.
    pub sections: Vec<Section>,
    /// When the sheet was read: what lateness is judged at.
    pub now: DateTime<Utc>,
}

impl Agenda {
    /// Is `a` late: nobody arrived more than the clinic's `--late-after`
    /// minutes past its start (docs/rules.md#the-queue)?
    pub fn is_late(&self, a: &Appointment) -> bool {
        queue::is_late(a, self.now, self.clinic.settings.late_after)
    }
}

/// The sheets of `days` consecutive days from `date` (default today).
pub fn agenda(
    st: &mut Store,
    clinic: Option<&str>,
    date: Option<&str>,
    doctor: Option<&str>,
    days: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Agenda>> {
    check_days(days)?;
    st.read(|tx| {
        let clinic = clinics::default(tx, clinic)?;
        let first = first_date(&clinic, date, now)?;
        let only = doctor.map(|d| doctors::find(tx, d)).transpose()?;
        (0..days)
            .map(|n| {
                day_sheet(
                    tx,
                    &clinic,
                    first + chrono::Duration::days(n),
                    only.as_ref(),
                    now,
                )
            })
            .collect()
    })
}

/// `--days`: 1 to 31.
fn check_days(days: i64) -> Result<()> {
    if (1..=31).contains(&days) {
        return Ok(());
    }
    Err(Error::field(
        "days",
        crate::text::msg!("e-days_must_be_between_1_and_31"),
    ))
}

/// The first day asked for (`--date`, today by default) at `clinic`.
fn first_date(clinic: &Clinic, date: Option<&str>, now: DateTime<Utc>) -> Result<NaiveDate> {
    time::parse_date(
        date.unwrap_or("today"),
        time::local_today(clinic.timezone, now),
        clinic.settings.date_order(),
    )
    .map_err(|e| Error::field("date", e))
}

/// A sheet's sections in its order: doctors by name, the clinic-wide last.
pub(super) fn sort_sections(sections: &mut [Section]) {
    sections.sort_by(|a, b| {
        let key = |s: &Section| {
            s.doctor
                .as_ref()
                .map(|d| (d.full_name.clone(), d.specialty.clone().unwrap_or_default()))
        };
        (a.doctor.is_none(), key(a)).cmp(&(b.doctor.is_none(), key(b)))
    });
}

/// A room's (or a machine's) days (docs/rules.md#rooms-and-equipment):
/// [`agenda`]'s sheets with only the visits given `resource`, under their
/// doctors; no free slots (they are the doctors').
pub fn of_resource(
    st: &mut Store,
    clinic: Option<&str>,
    date: Option<&str>,
    resource: &str,
    days: i64,
    now: DateTime<Utc>,
) -> Result<(crate::core::resources::Resource, Vec<Agenda>)> {
    check_days(days)?;
    st.read(|tx| {
        let r = crate::store::resources::find(tx, resource)?;
        let clinic = match clinic {
            Some(c) => clinics::find(tx, c)?,
            None => clinics::get(tx, &r.clinic_id)?,
        };
        let first = first_date(&clinic, date, now)?;
        let doctors = doctors::list(tx)?;
        let sheets = (0..days)
            .map(|n| {
                let date = first + chrono::Duration::days(n);
                let mut theirs: std::collections::BTreeMap<Option<String>, Vec<Appointment>> =
                    std::collections::BTreeMap::new();
                for a in appointments::day_sheet(tx, &clinic.id, date, None)? {
                    if a.resources.iter().any(|g| g.id == r.id) {
                        theirs.entry(a.doctor_id.clone()).or_default().push(a);
                    }
                }
                let mut sections: Vec<Section> = theirs
                    .into_iter()
                    .map(|(owner, appointments)| {
                        let doctor = owner.and_then(|id| doctors.iter().find(|d| d.id == id));
                        Section::visits(doctor.cloned(), None, None, appointments)
                    })
                    .collect();
                sort_sections(&mut sections);
                Ok(Agenda {
                    clinic: clinic.clone(),
                    date,
                    sections,
                    now,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((r, sheets))
    })
}

pub(super) fn day_sheet(
    tx: &crate::store::db::Tx,
    clinic: &Clinic,
    date: NaiveDate,
    only: Option<&Doctor>,
    now: DateTime<Utc>,
) -> Result<Agenda> {
    {
        let all = appointments::day_sheet(tx, &clinic.id, date, only.map(|d| d.id.as_str()))?;
        let ws = windows::list(tx, Some(&clinic.id), None)?;

        let mut owners: Vec<Option<String>> = ws
            .iter()
            .map(|w| w.doctor_id.clone())
            .chain(all.iter().map(|a| a.doctor_id.clone()))
            .filter(|o| only.is_none_or(|d| o.as_deref() == Some(d.id.as_str())))
            .collect();
        owners.sort();
        owners.dedup();
        // Every doctor's day in a few queries (`schedule::doctors_day`), not
        // a handful per doctor: a 50-doctor board reads its day in one go.
        let doctors = doctors::list(tx)?;
        let shared = std::sync::Arc::new(clinic.clone());
        let targets: Vec<Target> = owners
            .iter()
            .map(|o| {
                let doctor = o
                    .as_deref()
                    .map(|id| {
                        doctors
                            .iter()
                            .find(|d| d.id == id)
                            .cloned()
                            .ok_or_else(|| Error::not_found(crate::error::Entity::Doctor))
                    })
                    .transpose()?;
                Ok(Target {
                    clinic: std::sync::Arc::clone(&shared),
                    doctor,
                })
            })
            .collect::<Result<_>>()?;
        let (clinic_wide, of_doctors): (Vec<Target>, Vec<Target>) =
            targets.into_iter().partition(|t| t.doctor.is_none());
        let calendars = Calendar::of_doctors_among(tx, clinic, &ws, &of_doctors, date, date)?;
        let mut days: Vec<(&Target, DayData)> = of_doctors
            .iter()
            .zip(doctors_day(tx, &calendars, date, None, None)?)
            .collect();
        for t in &clinic_wide {
            days.push((t, load_day(tx, t, date, None, None)?));
        }
        let mut theirs: std::collections::HashMap<Option<String>, Vec<Appointment>> =
            std::collections::HashMap::new();
        for a in all {
            theirs.entry(a.doctor_id.clone()).or_default().push(a);
        }
        let mut sections = Vec::new();
        for (t, day) in days {
            let doc = t.doctor.clone();
            let owner = doc.as_ref().map(|d| d.id.clone());
            let closed = day
                .closure
                .clone()
                .map(|reason| reason.unwrap_or_else(|| "Closed".into()));
            let slots = judged_for(tx, &day, t, now, &Asked::default(), None, false)?;
            let grid: Vec<DateTime<Utc>> = slots.iter().map(|s| s.start).collect();
            let buffered: Vec<DateTime<Utc>> =
                slots.iter().filter(|s| s.buffer).map(|s| s.start).collect();
            let refused = |code: Code| -> Vec<DateTime<Utc>> {
                slots
                    .iter()
                    .filter(|s| s.refusal == Some(code))
                    .map(|s| s.start)
                    .collect()
            };
            let (held, away) = (refused(Code::SlotHeld), refused(Code::CalendarBusy));
            // The slots `slots` offers (bookable, and all together), so
            // that the sheet, the board and `slots` count the same.
            let free = if doc.as_ref().is_none_or(|d| d.active) {
                slots.into_iter().filter(|s| s.offered).collect()
            } else {
                vec![]
            };
            let appointments = theirs.remove(&owner).unwrap_or_default();
            // A doctor on leave is shown with the reason, and one working
            // that day even once every slot has passed.
            let works = doc.as_ref().is_none_or(|d| d.active) && !grid.is_empty();
            if appointments.is_empty() && !works && closed.is_none() {
                continue;
            }
            sections.push(Section {
                doctor: doc,
                resource: None,
                closed,
                appointments,
                free,
                grid,
                buffered,
                held,
                away,
            });
        }
        sort_sections(&mut sections);
        Ok(Agenda {
            clinic: clinic.clone(),
            date,
            sections,
            now,
        })
    }
}
