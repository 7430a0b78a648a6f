//! A day as JSON: the slots of `slots` and `next`, `queue`, the day sheet
//! of `agenda`, and `demo`, which shows a day.

use super::shown_view;
use super::{appointment, doctor, raw, write_doc};
use crate::app::agenda::Agenda;
use crate::app::slots::{DaySlots, Slot};
use crate::core::time::to_local;
use crate::error::Code;
use crate::wire::{to_json, ts, DoctorRefView};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::io::{self, Write};

#[derive(Serialize)]
struct SlotView<'a> {
    start_time: String,
    end_time: String,
    starts_at: String,
    ends_at: String,
    remaining: i64,
    window_id: &'a str,
    session: Option<&'a str>,
    batch: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    available: Option<bool>,
    /// Present (null when available) with `--all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Option<&'a str>>,
    /// With `--all`, on a `RESOURCE_BUSY` slot: the rooms and equipment taken.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    busy_resources: &'a [String],
    /// When no service was named and the window takes only some: the
    /// services that fit from the slot (docs/rules.md#who-does-what).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<ServiceRef<'a>>,
}

/// A service named where it fits.
#[derive(Serialize)]
struct ServiceRef<'a> {
    id: &'a str,
    name: &'a str,
    duration_minutes: i64,
}

fn services(s: &Slot) -> Vec<ServiceRef<'_>> {
    s.services
        .iter()
        .map(|x| ServiceRef {
            id: &x.id,
            name: &x.name,
            duration_minutes: x.duration_minutes,
        })
        .collect()
}

fn slot(s: &Slot, tz: crate::core::zone::Tz, all: bool) -> SlotView<'_> {
    SlotView {
        start_time: to_local(tz, s.start).1,
        end_time: to_local(tz, s.end).1,
        starts_at: ts(s.start),
        ends_at: ts(s.end),
        remaining: s.remaining,
        window_id: &s.window_id,
        session: s.session.as_deref(),
        batch: s.batch.as_deref(),
        available: all.then_some(s.refusal.is_none()),
        reason: all.then_some(s.refusal.map(Code::as_str)),
        busy_resources: &s.busy_resources,
        services: services(s),
    }
}

/// `slots --json` (docs/rules.md#windows-and-slots): the free slots, or with `all` every grid slot.
pub fn day_slots(d: &DaySlots, all: bool) -> Value {
    let tz = d.target.clinic.timezone;
    json!({
        "doctor_id": d.target.doctor.as_ref().map(|x| &x.id),
        "clinic_id": d.target.clinic.id,
        "date": d.date.to_string(),
        "timezone": tz.name(),
        "duration_minutes": d.duration,
        "slots": d.slots.iter()
            .filter(|s| all || s.offered)
            .map(|s| to_json(slot(s, tz, all)))
            .collect::<Vec<_>>(),
    })
}

/// `queue --json`: today's appointments per doctor (null: clinic-wide) in
/// the clinic's queue order, each with `late` (docs/rules.md#the-queue).
pub fn queue(q: &crate::app::queue::Queue) -> Value {
    json!({
        "date": q.date.to_string(),
        "clinic_id": q.clinic.id,
        "doctors": q.lines.iter().map(|l| json!({
            "doctor": l.doctor.as_ref().map(doctor),
            "appointments": l.appointments.iter().map(|a| {
                let mut v = appointment(a);
                v["late"] = json!(q.is_late(a));
                v
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

// A day sheet is written straight to text too: its views keep their fields
// in alphabetical order, as `wire`'s do.
#[derive(Serialize)]
struct AgendaView<'a> {
    clinic_id: &'a str,
    date: String,
    doctors: Vec<SectionView<'a>>,
    timezone: &'a str,
}

#[derive(Serialize)]
struct SectionView<'a> {
    appointments: Vec<Box<RawValue>>,
    closed: Option<&'a str>,
    doctor: Option<DoctorRefView<'a>>,
    free_slots: Vec<String>,
    rows: Vec<RowView<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum RowView<'a> {
    Appointment {
        appointment: Box<RawValue>,
        end_time: String,
        kind: &'static str,
        /// Nobody arrived, more than the clinic's `--late-after` past its start.
        late: bool,
        start_time: String,
        starts_at: String,
    },
    Free {
        end_time: String,
        ends_at: String,
        kind: &'static str,
        remaining: i64,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        services: Vec<ServiceRef<'a>>,
        start_time: String,
        starts_at: String,
    },
}

/// `agenda --json` (docs/commands.md#appt-list): per doctor, `closed` (null or the reason)
/// and `rows` — appointments and free slots in time order — plus the same
/// appointments and free start times on their own, as earlier versions gave.
fn agenda(a: &Agenda) -> AgendaView<'_> {
    let tz = a.clinic.timezone;
    AgendaView {
        clinic_id: &a.clinic.id,
        date: a.date.to_string(),
        timezone: tz.name(),
        doctors: a
            .sections
            .iter()
            .map(|s| {
                // Each appointment is written once and given twice (in `rows`
                // and in `appointments`): a big day holds thousands.
                let written: Vec<Box<RawValue>> =
                    s.appointments.iter().map(|x| raw(&shown_view(x))).collect();
                let mut rows: Vec<(DateTime<Utc>, RowView)> = s
                    .appointments
                    .iter()
                    .zip(&written)
                    .map(|(x, text)| {
                        let row = RowView::Appointment {
                            appointment: text.clone(),
                            end_time: to_local(tz, x.ends_at).1,
                            kind: "appointment",
                            late: a.is_late(x),
                            start_time: to_local(tz, x.starts_at).1,
                            starts_at: ts(x.starts_at),
                        };
                        (x.starts_at, row)
                    })
                    .collect();
                rows.extend(s.free.iter().map(|f| {
                    let row = RowView::Free {
                        end_time: to_local(tz, f.end).1,
                        ends_at: ts(f.end),
                        kind: "free",
                        remaining: f.remaining,
                        services: services(f),
                        start_time: to_local(tz, f.start).1,
                        starts_at: ts(f.start),
                    };
                    (f.start, row)
                }));
                rows.sort_by_key(|r| r.0);
                SectionView {
                    appointments: written,
                    closed: s.closed.as_deref(),
                    doctor: s.doctor.as_ref().map(|d| DoctorRefView {
                        full_name: &d.full_name,
                        id: &d.id,
                        specialty: d.specialty.as_deref(),
                    }),
                    free_slots: s.free.iter().map(|f| to_local(tz, f.start).1).collect(),
                    rows: rows.into_iter().map(|r| r.1).collect(),
                }
            })
            .collect(),
    }
}

/// One day sheet as a value, for a document that holds one (`demo`).
pub fn agenda_sheet(a: &Agenda) -> Value {
    to_json(agenda(a))
}

/// `agenda --json`, written straight from the views (a big day sheet never
/// becomes a tree of values): one day is the sheet itself, several are
/// `{"days":[…]}`.
pub fn agenda_days(days: &[Agenda], out: &mut dyn Write, indented: bool) -> io::Result<()> {
    #[derive(Serialize)]
    struct Days<'a> {
        days: Vec<AgendaView<'a>>,
    }
    match days {
        [one] => write_doc(out, indented, &agenda(one)),
        _ => write_doc(
            out,
            indented,
            &Days {
                days: days.iter().map(agenda).collect(),
            },
        ),
    }
}

/// `next --json`: `{"slots":[{…slot…, "doctor_id", "doctor", "date"}]}`.
pub fn next_slots(found: &crate::app::next::Found) -> Value {
    let tz = found.clinic.timezone;
    json!({
        "clinic_id": found.clinic.id,
        "timezone": tz.name(),
        "slots": found.slots.iter().map(|f| {
            let mut v = to_json(slot(&f.slot, tz, false));
            v["doctor_id"] = json!(f.doctor.id);
            v["doctor"] = json!({"id": f.doctor.id, "full_name": f.doctor.full_name, "specialty": f.doctor.specialty});
            v["date"] = json!(f.date.to_string());
            v
        }).collect::<Vec<_>>(),
    })
}

/// `demo --json`: where it is, what was booked, today's sheet and
/// tomorrow's free slots.
pub fn demo(db: &str, booked: usize, sheet: &Agenda, tomorrow: &[DaySlots]) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        db: &'a str,
        booked: usize,
        agenda: Value,
        tomorrow: Vec<Value>,
    }
    to_json(View {
        db,
        booked,
        agenda: agenda_sheet(sheet),
        tomorrow: tomorrow.iter().map(|d| day_slots(d, false)).collect(),
    })
}
