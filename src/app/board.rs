//! `appt board`'s day (docs/board.md): one clinic's day as a grid of doctors
//! and slot times, the queue of arrived patients, the day's waitlist and the
//! clinic's inbox, what became of each visit's last message, and finding a
//! patient's appointment. What the board *does* to an appointment
//! is the command's own use case (`book`, `change`), never a rule of its own.

use super::agenda::{day_sheet, Section};
use super::slots::Slot;
use crate::core::resources::{Given, Resource};
use crate::core::{queue, time, Appointment, Clinic, Status};
use crate::error::Result;
use crate::store::appointments::{self, Filter};
use crate::store::db::Tx;
use crate::store::inbox::{self, Inbound};
use crate::store::reminders::{self, Reminder};
use crate::store::resources;
use crate::store::waitlist::{self, Entry};
use crate::store::{channels, clinics, patients, Store};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// One clinic's day as the board shows it.
pub struct Day {
    pub clinic: Clinic,
    pub date: NaiveDate,
    /// Each doctor working that day (by name), then the clinic-wide windows.
    pub columns: Vec<Section>,
    /// The grid's rows: every slot start and appointment start of the day,
    /// in time order, once each.
    pub rows: Vec<DateTime<Utc>>,
    /// Arrived patients (`checked_in`), in the clinic's queue order
    /// (docs/rules.md#the-queue).
    pub queue: Vec<Appointment>,
    /// The day's waitlist, oldest first.
    pub waitlist: Vec<Entry>,
    /// The clinic's inbox (docs/rules.md#answers), newest first, as `appt
    /// inbox` lists it; None when the clinic has no channel (no pane).
    pub inbox: Option<Vec<Inbound>>,
    /// The last message about each appointment of the day that went out
    /// or failed for good, with the providers' receipts, by appointment ID.
    pub told: HashMap<String, Reminder>,
    pub counts: Counts,
    /// The names of the own calendars of the day's doctors that could not
    /// be read at their last sync (docs/calendars.md#when-a-calendar-fails).
    pub stale: Vec<String>,
}

/// At most this many of the inbox's messages are read for its pane.
const INBOX: i64 = 50;

/// The header's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Appointments not cancelled.
    pub booked: usize,
    /// Bookable slots.
    pub free: usize,
    pub arrived: usize,
    pub in_progress: usize,
    pub done: usize,
    pub no_show: usize,
    /// The clinic's recalls due today and not yet sent nor booked
    /// (docs/rules.md#recalls).
    pub recalls: usize,
}

/// What one cell of the grid holds.
pub enum Cell<'d> {
    /// Appointments starting then (more than one in a window of capacity > 1).
    Booked(Vec<&'d Appointment>),
    /// A bookable slot (its `services`: the one it implies, or the several
    /// the board asks among, docs/rules.md#who-does-what).
    Free(&'d Slot),
    /// A slot of the grid taken only by the buffer kept free around an
    /// appointment (docs/rules.md#buffers).
    Buffer,
    /// A slot held for a patient typing the booking page's code
    /// (docs/rules.md#holds).
    Held,
    /// A slot the doctor's own calendar says they are busy
    /// (docs/calendars.md): busy, never with what.
    Away,
    /// The doctor's day is closed (the reason is the column's).
    Closed,
    /// A slot of the grid that cannot be booked (past, or full by a longer
    /// appointment), or a time the doctor does not work.
    Nothing,
}

impl Day {
    /// The cell of `column` at `row`.
    pub fn cell(&self, column: usize, row: DateTime<Utc>) -> Cell<'_> {
        let Some(c) = self.columns.get(column) else {
            return Cell::Nothing;
        };
        let booked: Vec<&Appointment> = c
            .appointments
            .iter()
            .filter(|a| a.starts_at == row)
            .collect();
        if !booked.is_empty() {
            return Cell::Booked(booked);
        }
        if let Some(s) = c.free.iter().find(|s| s.start == row) {
            return Cell::Free(s);
        }
        if c.buffered.contains(&row) {
            return Cell::Buffer;
        }
        if c.held.contains(&row) {
            return Cell::Held;
        }
        if c.away.contains(&row) {
            return Cell::Away;
        }
        if c.closed.is_some() {
            return Cell::Closed;
        }
        Cell::Nothing
    }

    /// Where an appointment sits: its column and row.
    pub fn place_of(&self, id: &str) -> Option<(usize, usize)> {
        self.columns.iter().enumerate().find_map(|(ci, c)| {
            let a = c.appointments.iter().find(|a| a.id == id)?;
            let ri = self.rows.iter().position(|r| *r == a.starts_at)?;
            Some((ci, ri))
        })
    }
}

/// What the board's columns are (`board --by`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Columns {
    /// Each doctor working that day, then the clinic-wide windows.
    #[default]
    Doctors,
    /// Each of the clinic's active rooms and machines, with the visits
    /// given it (docs/rules.md#rooms-and-equipment).
    Resources,
}

impl Columns {
    /// As typed, in either language (`--by doctor|resource`; `médico`,
    /// `recurso`, `sala`).
    pub fn parse(s: &str) -> Option<Columns> {
        match crate::core::text::fold(s.trim()).as_str() {
            "doctor" | "doctors" | "medico" | "medicos" => Some(Columns::Doctors),
            "resource" | "resources" | "room" | "rooms" | "recurso" | "recursos" | "sala"
            | "salas" => Some(Columns::Resources),
            _ => None,
        }
    }
}

/// The day `date` of the clinic `clinic` (its name or ID; None: the only
/// one), in columns `by`: the header's counts, the queue and the rows are
/// the doctors' day whichever they are.
pub fn day(
    st: &mut Store,
    clinic: Option<&str>,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    by: Columns,
) -> Result<Day> {
    st.read(|tx| {
        let clinic = clinics::default(tx, clinic)?;
        let date = date.unwrap_or_else(|| time::local_today(clinic.timezone, now));
        let sheet = day_sheet(tx, &clinic, date, None, now)?;
        let columns = sheet.sections;
        let mut rows: Vec<DateTime<Utc>> = columns
            .iter()
            .flat_map(|c| {
                // A closed day's grid is not offered: only what was booked.
                let grid = if c.closed.is_some() {
                    &[][..]
                } else {
                    &c.grid[..]
                };
                grid.iter()
                    .copied()
                    .chain(c.appointments.iter().map(|a| a.starts_at))
            })
            .collect();
        rows.sort();
        rows.dedup();
        let all = || columns.iter().flat_map(|c| &c.appointments);
        let of = |s: Status| all().filter(|a| a.status == s).count();
        let counts = Counts {
            booked: all().count(),
            free: columns.iter().map(|c| c.free.len()).sum(),
            arrived: of(Status::CheckedIn),
            in_progress: of(Status::InProgress),
            done: of(Status::Completed),
            no_show: of(Status::NoShow),
            recalls: super::recall::due_count(tx, &clinic, now)?,
        };
        let mut queue: Vec<Appointment> = all()
            .filter(|a| a.status == Status::CheckedIn)
            .cloned()
            .collect();
        queue::sort(&mut queue, clinic.settings.queue_order);
        let waitlist = waitlist::list(tx, &clinic.id, date)?
            .into_iter()
            .filter(|e| e.date == date)
            .collect();
        let ids: Vec<&str> = all().map(|a| a.id.as_str()).collect();
        let mut told: HashMap<String, Reminder> = HashMap::new();
        for m in reminders::told_of(tx, &ids)? {
            let at = |m: &Reminder| (m.sent_at.unwrap_or(m.due_at), m.due_at);
            if told.get(&m.appointment_id).is_none_or(|t| at(t) <= at(&m)) {
                told.insert(m.appointment_id.clone(), m);
            }
        }
        let inbox = if channels::list(tx, &clinic.id)?.is_empty() {
            None
        } else {
            Some(inbox::list(tx, Some(&clinic.id), false, INBOX)?)
        };
        let doctors: Vec<&str> = columns
            .iter()
            .filter_map(|c| c.doctor.as_ref().map(|d| d.id.as_str()))
            .collect();
        let stale = crate::store::calendars::list(tx)?
            .into_iter()
            .filter(|k| k.failed.is_some() && doctors.contains(&k.doctor_id.as_str()))
            .map(|k| k.name)
            .collect();
        let columns = match by {
            Columns::Doctors => columns,
            Columns::Resources => by_resource(tx, &clinic, date, &columns)?,
        };
        Ok(Day {
            clinic,
            date,
            columns,
            rows,
            queue,
            waitlist,
            inbox,
            told,
            counts,
            stale,
        })
    })
}

/// The clinic's active rooms and machines as columns, by name: each with
/// the visits of `doctors`' columns given it, closed on a day it is closed;
/// no cell of theirs is free (the desk books in a doctor's column).
fn by_resource(
    tx: &Tx,
    clinic: &Clinic,
    date: NaiveDate,
    doctors: &[Section],
) -> Result<Vec<Section>> {
    let all: Vec<Resource> = resources::list(tx, Some(&clinic.id))?
        .into_iter()
        .filter(|r| r.active)
        .collect();
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    let closed = resources::closed_on(tx, &ids, date)?;
    Ok(all
        .iter()
        .map(|r| {
            let mut appointments: Vec<Appointment> = doctors
                .iter()
                .flat_map(|c| &c.appointments)
                .filter(|a| a.resources.iter().any(|g| g.id == r.id))
                .cloned()
                .collect();
            appointments.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
            let given = Given {
                id: r.id.clone(),
                name: r.name.clone(),
                kind: r.kind,
            };
            // As a doctor's closed day reads: its reason, else "Closed".
            let closed = closed
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, why)| why.clone().unwrap_or_else(|| "Closed".into()));
            Section::visits(None, Some(given), closed, appointments)
        })
        .collect())
}

/// The appointments `/` may jump to for the patients found by `typed` (a
/// name as people say it, or a phone, local numbers read in the clinic's
/// country, or four or more of a phone's digits, its end or middle): for each patient, their first on `date`, else their next one
/// after it, else their latest before it; cancelled ones only when there is
/// nothing else. One a patient, the best placed first; empty when nobody
/// matches or they have no appointment at this clinic. Several are for the
/// desk to choose from.
pub fn find(
    st: &mut Store,
    clinic: &Clinic,
    typed: &str,
    date: NaiveDate,
) -> Result<Vec<Appointment>> {
    st.read(|tx| {
        let country = clinic.settings.country_code.as_deref();
        let rank = |a: &Appointment| {
            let day = a.local_date;
            (
                a.status == Status::Cancelled,
                day < date,
                // The day asked for first, then forwards; before it, backwards.
                if day < date {
                    (date - day).num_days()
                } else {
                    (day - date).num_days()
                },
                a.starts_at,
            )
        };
        let mut people = patients::matching(tx, typed, country)?;
        if people.is_empty() {
            if let Some(digits) = crate::core::phone::fragment(typed) {
                people = patients::holding_digits(tx, &digits)?;
            }
        }
        let mut found: Vec<Appointment> = Vec::new();
        for id in people {
            let f = Filter {
                clinic_id: Some(clinic.id.clone()),
                patient_id: Some(id),
                ..Filter::default()
            };
            let theirs = appointments::list(tx, &f, 0, 10_000)?.0;
            found.extend(theirs.into_iter().min_by_key(rank));
        }
        found.sort_by_key(rank);
        Ok(found)
    })
}

/// The clinic `clinic` names (None: the only one).
pub fn clinic(st: &mut Store, clinic: Option<&str>) -> Result<Clinic> {
    st.read(|tx| clinics::default(tx, clinic))
}
