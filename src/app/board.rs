//! `appt board`'s day (docs/board.md): one clinic's day as a grid of doctors
//! and slot times, the queue of arrived patients, the day's waitlist and the
//! clinic's inbox, what became of each visit's last message, and finding a
//! patient's appointment. What the board *does* to an appointment
//! is the command's own use case (`book`, `change`), never a rule of its own.

use super::agenda::{day_sheet, sort_sections, Section};
use super::slots::Slot;
use crate::core::resources::{Given, Resource};
use crate::core::{queue, time, Appointment, Clinic, Status};
use crate::error::Result;
use crate::store::appointments::{self, Filter};
use crate::store::db::{Changes, Table, Tx};
use crate::store::inbox::{self, Inbound};
use crate::store::reminders::{self, Reminder};
use crate::store::resources;
use crate::store::waitlist::{self, Entry};
use crate::store::{channels, clinics, events, patients, Store};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};

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
    /// The doctors' columns when `columns` are the rooms' (None: they are
    /// `columns`): what the counts, the queue and the messages are of.
    doctors: Option<Vec<Section>>,
    /// The tables' counts of changes it was read at ([`refresh`]).
    read_at: Changes,
    /// The event log's last ID when it was read.
    last_event: i64,
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

    /// The IDs of the day's visits (in the doctors' columns).
    fn ids(&self) -> Vec<&str> {
        visits(self.doctors()).map(|a| a.id.as_str()).collect()
    }

    fn doctors(&self) -> &[Section] {
        self.doctors.as_deref().unwrap_or(&self.columns)
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
/// the doctors' day whichever they are. All of it is read, the clinic's
/// recalls due included.
pub fn day(
    st: &mut Store,
    clinic: Option<&str>,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    by: Columns,
) -> Result<Day> {
    read_day(st, clinic, date, now, by, None)
}

/// Another day of the clinic of `shown`, all of it read but the count of
/// recalls due, which is the clinic's today whichever day is shown: the
/// one `shown` was read with ([`refresh`] says why).
pub fn other_day(
    st: &mut Store,
    shown: &Day,
    date: NaiveDate,
    now: DateTime<Utc>,
    by: Columns,
) -> Result<Day> {
    let clinic = Some(shown.clinic.id.as_str());
    read_day(st, clinic, Some(date), now, by, Some(shown.counts.recalls))
}

/// [`day`], with the count of recalls due `recalls` when known.
fn read_day(
    st: &mut Store,
    clinic: Option<&str>,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    by: Columns,
    recalls: Option<usize>,
) -> Result<Day> {
    st.read(|tx| {
        let read_at = Changes::read(tx)?;
        let last_event = events::last_id(tx)?;
        let clinic = clinics::default(tx, clinic)?;
        let date = date.unwrap_or_else(|| time::local_today(clinic.timezone, now));
        let sheet = sheet(tx, &clinic, date, now)?;
        let (rows, queue, counts) = tally(&clinic, &sheet);
        let ids: Vec<&str> = visits(&sheet).map(|a| a.id.as_str()).collect();
        let told = told(tx, &ids, &HashMap::new(), &[])?;
        let inbox = inbox(tx, &clinic)?;
        let waitlist = waitlist(tx, &clinic, date)?;
        let stale = stale(tx, &doctor_ids(&sheet).collect::<Vec<_>>())?;
        let recalls = match recalls {
            Some(n) => n,
            None => super::recall::due_count(tx, &clinic, now)?,
        };
        let (columns, doctors) = match by {
            Columns::Doctors => (sheet, None),
            Columns::Resources => (by_resource(tx, &clinic, date, &sheet)?, Some(sheet)),
        };
        Ok(Day {
            counts: Counts { recalls, ..counts },
            rows,
            queue,
            doctors,
            clinic,
            date,
            columns,
            waitlist,
            inbox,
            told,
            stale,
            read_at,
            last_event,
        })
    })
}

/// The tables none of the day's grid is read from: the parts of the day
/// that are read from some of them ([`refresh`]), and those the day never
/// reads.
const NOT_THE_GRID: [Table; 13] = [
    Table::Reminders,
    Table::Inbox,
    Table::Waitlist,
    Table::Changes,
    Table::Events,
    Table::Meta,
    Table::AuthFailures,
    Table::WebCodes,
    Table::ApiTokens,
    Table::Webhooks,
    Table::Feeds,
    Table::CalendarWrites,
    Table::PatientLinks,
];

/// `day` read again where the database changed since it was read, and
/// nowhere else (docs/board.md#live): each part of it is read again only
/// when a table it is read from was changed since (the tables' counts of
/// changes, [`Changes`]). The grid (the doctors' visits and free slots, the
/// queue, the rows and the counts) when any table it reads moved: when only
/// the visits did, the columns of the doctors of the visits the event log
/// names since (where they were, and where they are); the last
/// message of each visit when the messages moved (else only the visits new
/// to the day are read); the inbox, the waitlist, the stale calendars when
/// theirs did. The count of recalls due is the one [`day`] read: it counts
/// every completed visit of the clinic's past with a follow-up (97 ms of a
/// 125 ms day at 200,000 appointments), and the board reads the whole day
/// once a minute. False when nothing moved.
pub fn refresh(st: &mut Store, day: &mut Day, now: DateTime<Utc>, by: Columns) -> Result<bool> {
    let was = day.read_at;
    let read = st.read(|tx| {
        let at = Changes::read(tx)?;
        if at == was {
            return Ok(None);
        }
        let moved = |tables: &[Table]| was.moved(&at, tables);
        let grid: Vec<Table> = Table::ALL
            .into_iter()
            .filter(|t| !NOT_THE_GRID.contains(t))
            .collect();
        // The grid: the columns of the doctors whose visits changed, when
        // nothing else of it did; else all of it.
        let (sheet, last_event) = match moved(&grid) {
            false => (None, day.last_event),
            true => {
                let (changed, last) = events::appointments_after(tx, day.last_event)?;
                let alone = !changed.is_empty()
                    && grid
                        .iter()
                        .all(|t| VISITS_ALONE.contains(t) || !moved(&[*t]));
                let some = match alone {
                    true => tx.reading_only(&grid, || columns_of(tx, day, &changed, now))?,
                    false => None,
                };
                let grid = match some {
                    Some(columns) => Grid::Doctors(columns),
                    None => Grid::Whole(
                        tx.reading_only(&grid, || sheet(tx, &day.clinic, day.date, now))?,
                    ),
                };
                (Some(grid), last)
            }
        };
        // The visits' last messages, of the columns as they will be.
        let after = columns_after(day, &sheet);
        let ids: Vec<&str> = after
            .iter()
            .flat_map(|c| &c.appointments)
            .map(|a| a.id.as_str())
            .collect();
        let told = match (&sheet, moved(&[Table::Reminders])) {
            (_, true) => Some(told(tx, &ids, &HashMap::new(), &[])?),
            (Some(_), false) => Some(told(tx, &ids, &day.told, &day.ids())?),
            (None, false) => None,
        };
        // The calendars of the doctors with a column once the grid is read.
        let stale = match sheet.is_some() || moved(&[Table::Calendars]) {
            true => Some(stale(tx, &doctor_ids(after).collect::<Vec<_>>())?),
            false => None,
        };
        // Each part's tables: those its statements read.
        let inbox = match moved(&[Table::Inbox, Table::Channels, Table::Patients]) {
            true => Some(inbox(tx, &day.clinic)?),
            false => None,
        };
        let waitlist = match moved(&[
            Table::Waitlist,
            Table::Patients,
            Table::Doctors,
            Table::Services,
        ]) {
            true => Some(waitlist(tx, &day.clinic, day.date)?),
            false => None,
        };
        let rooms = match (&sheet, by) {
            (Some(Grid::Whole(columns)), Columns::Resources) => {
                Some(by_resource(tx, &day.clinic, day.date, columns)?)
            }
            _ => None,
        };
        Ok(Some((
            at, last_event, sheet, rooms, told, inbox, waitlist, stale,
        )))
    })?;
    let Some((at, last_event, sheet, rooms, told, inbox, waitlist, stale)) = read else {
        return Ok(false);
    };
    day.read_at = at;
    day.last_event = last_event;
    let grid_read = sheet.is_some();
    match sheet {
        Some(Grid::Whole(columns)) => {
            (day.columns, day.doctors) = match rooms {
                Some(rooms) => (rooms, Some(columns)),
                None => (columns, None),
            };
        }
        Some(Grid::Doctors(again)) => {
            // Only a clinic without rooms comes here: the rooms' view of it
            // has no column to change.
            let columns = day.doctors.as_mut().unwrap_or(&mut day.columns);
            columns.retain(|c| !read_again(&again, c));
            columns.extend(again.into_iter().filter_map(|(_, c)| c));
            sort_sections(columns);
        }
        None => {}
    }
    if grid_read {
        let (rows, queue, counts) = tally(&day.clinic, day.doctors());
        day.counts = Counts {
            recalls: day.counts.recalls,
            ..counts
        };
        day.rows = rows;
        day.queue = queue;
    }
    if let Some(t) = told {
        day.told = t;
    }
    if let Some(i) = inbox {
        day.inbox = i;
    }
    if let Some(w) = waitlist {
        day.waitlist = w;
    }
    if let Some(s) = stale {
        day.stale = s;
    }
    Ok(true)
}

fn visits(columns: &[Section]) -> impl Iterator<Item = &Appointment> {
    columns.iter().flat_map(|c| &c.appointments)
}

/// The doctors' columns of the day: the whole grid.
fn sheet(tx: &Tx, clinic: &Clinic, date: NaiveDate, now: DateTime<Utc>) -> Result<Vec<Section>> {
    Ok(day_sheet(tx, clinic, date, None, now)?.sections)
}

/// What is counted from the doctors' columns: the grid's rows, the queue,
/// and the header's counts (without the recalls).
fn tally(clinic: &Clinic, columns: &[Section]) -> (Vec<DateTime<Utc>>, Vec<Appointment>, Counts) {
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
    let of = |s: Status| visits(columns).filter(|a| a.status == s).count();
    let counts = Counts {
        booked: visits(columns).count(),
        free: columns.iter().map(|c| c.free.len()).sum(),
        arrived: of(Status::CheckedIn),
        in_progress: of(Status::InProgress),
        done: of(Status::Completed),
        no_show: of(Status::NoShow),
        recalls: 0,
    };
    let mut queue: Vec<Appointment> = visits(columns)
        .filter(|a| a.status == Status::CheckedIn)
        .cloned()
        .collect();
    queue::sort(&mut queue, clinic.settings.queue_order);
    (rows, queue, counts)
}

/// The tables a change to the day's visits alone writes (a status, a
/// note, a move, a cancellation): each such change records an event
/// naming its visit (docs/rules.md#events), so the columns of
/// the doctors of those visits are all that it changed.
const VISITS_ALONE: [Table; 2] = [Table::Appointments, Table::Tokens];

/// The columns of the doctors whose visits `changed` names, read again:
/// each doctor's new column, or None where they no longer have one that
/// day. None when the change may reach further: a visit of the clinic-wide
/// windows, or a clinic with rooms and machines (a visit's room is
/// another doctor's slot).
fn columns_of(
    tx: &Tx,
    day: &Day,
    changed: &[String],
    now: DateTime<Utc>,
) -> Result<Option<Vec<Column>>> {
    if !resources::list(tx, Some(&day.clinic.id))?.is_empty() {
        return Ok(None);
    }
    let mut owners: Vec<Option<String>> = Vec::new();
    for id in changed {
        // Where it was, and where it is now.
        if let Some(c) = day
            .doctors()
            .iter()
            .find(|c| c.appointments.iter().any(|a| a.id == *id))
        {
            owners.push(c.doctor.as_ref().map(|d| d.id.clone()));
        }
    }
    let ids: Vec<&str> = changed.iter().map(String::as_str).collect();
    for (a, _) in appointments::those(tx, &ids)? {
        if a.clinic_id == day.clinic.id && a.local_date == day.date {
            owners.push(a.doctor_id.clone());
        }
    }
    owners.sort();
    owners.dedup();
    let mut columns = Vec::new();
    for owner in owners {
        let Some(id) = owner else { return Ok(None) };
        let doctor = crate::store::doctors::get(tx, &id)?;
        let mut sections = day_sheet(tx, &day.clinic, day.date, Some(&doctor), now)?.sections;
        columns.push((id, sections.pop()));
    }
    Ok(Some(columns))
}

/// A doctor's column read again, by the doctor's ID: None when they no
/// longer have one that day.
type Column = (String, Option<Section>);

/// The doctors' columns of `day` once `grid` (read again, if at all) is
/// put in.
fn columns_after<'a>(day: &'a Day, grid: &'a Option<Grid>) -> Vec<&'a Section> {
    match grid {
        Some(Grid::Whole(columns)) => columns.iter().collect(),
        Some(Grid::Doctors(again)) => day
            .doctors()
            .iter()
            .filter(|c| !read_again(again, c))
            .chain(again.iter().filter_map(|(_, c)| c.as_ref()))
            .collect(),
        None => day.doctors().iter().collect(),
    }
}

/// Whether `column` is one of the doctors' columns `again` replaces.
fn read_again(again: &[Column], column: &Section) -> bool {
    column
        .doctor
        .as_ref()
        .is_some_and(|d| again.iter().any(|(id, _)| *id == d.id))
}

/// What [`refresh`] read again of the grid.
enum Grid {
    /// All of it.
    Whole(Vec<Section>),
    /// Some doctors' columns.
    Doctors(Vec<Column>),
}

/// The last message about each of the visits `ids` that went out or failed
/// for good: those of `known` (read before, while no message changed) are
/// kept as they were, and only the others are read.
fn told(
    tx: &Tx,
    ids: &[&str],
    kept: &HashMap<String, Reminder>,
    known: &[&str],
) -> Result<HashMap<String, Reminder>> {
    let known: HashSet<&str> = known.iter().copied().collect();
    let (old, new): (Vec<&str>, Vec<&str>) = ids.iter().partition(|id| known.contains(*id));
    let mut told: HashMap<String, Reminder> = old
        .iter()
        .filter_map(|id| kept.get(*id).map(|m| (id.to_string(), m.clone())))
        .collect();
    for m in reminders::told_of(tx, &new)? {
        let at = |m: &Reminder| (m.sent_at.unwrap_or(m.due_at), m.due_at);
        if told.get(&m.appointment_id).is_none_or(|t| at(t) <= at(&m)) {
            told.insert(m.appointment_id.clone(), m);
        }
    }
    Ok(told)
}

/// The clinic's inbox for its pane; None when the clinic has no channel.
fn inbox(tx: &Tx, clinic: &Clinic) -> Result<Option<Vec<Inbound>>> {
    Ok(match channels::list(tx, &clinic.id)?.is_empty() {
        true => None,
        false => Some(inbox::list(tx, Some(&clinic.id), false, INBOX)?),
    })
}

fn waitlist(tx: &Tx, clinic: &Clinic, date: NaiveDate) -> Result<Vec<Entry>> {
    Ok(waitlist::list(tx, &clinic.id, date)?
        .into_iter()
        .filter(|e| e.date == date)
        .collect())
}

/// The own calendars of `doctors` that failed at their last read.
fn stale(tx: &Tx, doctors: &[&str]) -> Result<Vec<String>> {
    Ok(crate::store::calendars::list(tx)?
        .into_iter()
        .filter(|k| k.failed.is_some() && doctors.contains(&k.doctor_id.as_str()))
        .map(|k| k.name)
        .collect())
}

/// The IDs of the doctors of `columns`.
fn doctor_ids<'a>(columns: impl IntoIterator<Item = &'a Section>) -> impl Iterator<Item = &'a str> {
    columns
        .into_iter()
        .filter_map(|c| c.doctor.as_ref().map(|d| d.id.as_str()))
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
