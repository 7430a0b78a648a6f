//! A day for humans: the free slots of `slots`, the day sheet of `agenda`
//! and the first free slots of `next`.

use super::{clean, marks, or_dash, patient_of, short, span, status_or_late};
use crate::app::agenda::Agenda;
use crate::app::slots::{DaySlots, Slot};
use crate::core::time::local_hm;
use crate::core::Appointment;
use crate::output::fit::{col, join, text, width, Item, Sheet, Step};
use crate::output::lang::{self, tr};
use crate::output::phone::shown;

/// `slots`: a title and the free (or, with `all`, every) grid slot.
pub fn day_slots(d: &DaySlots, all: bool) -> String {
    let tz = d.target.clinic.timezone;
    let who = d
        .target
        .doctor
        .as_ref()
        .map(|x| clean(&x.full_name))
        .unwrap_or_else(|| tr!("h-clinic_wide"));
    let title = join(
        &[
            tr!(
                "h-slots_title",
                who = who,
                clinic = clean(&d.target.clinic.name)
            ),
            lang::date_short(d.date),
            format!("({})", tz.name()),
        ],
        width(),
    );
    let shown: Vec<&Slot> = d.slots.iter().filter(|s| all || s.offered).collect();
    if shown.is_empty() {
        // A sentence, wrapped at words like a message (a long closure reason).
        let why = format!("{title}: {}", crate::output::desk::why(d));
        return crate::output::fit::wrap_lines(&why.replace('\n', " "), width());
    }
    // A column of dashes only is left out: it would cut what matters.
    let services = shown.iter().any(|s| !s.services.is_empty());
    let sessions = shown.iter().any(|s| s.session.is_some());
    let batches = shown.iter().any(|s| s.batch.is_some());
    let mut cols = vec![col("Time"), col("Left")];
    if services {
        cols.push(text("Services", 16));
    }
    if sessions {
        cols.push(text("Session", 8));
    }
    if batches {
        cols.push(text("Batch", 5));
    }
    if all {
        cols.push(col("Available"));
    }
    let mut t = Sheet::new(cols).steps(&[Step::Drop("Batch"), Step::Drop("Session")]);
    for s in shown {
        let mut cells = vec![span(tz, s.start, s.end), s.remaining.to_string().into()];
        if services {
            cells.push(fitting(s).into());
        }
        if sessions {
            cells.push(or_dash(s.session.as_deref()).into());
        }
        if batches {
            cells.push(or_dash(s.batch.as_deref()).into());
        }
        if all {
            cells.push(crate::output::desk::availability(d, s.refusal).into());
        }
        t.row(cells);
    }
    format!("{title}\n{}", t.render())
}

/// The services that fit from a slot, by name (docs/rules.md#who-does-what).
fn fitting(s: &Slot) -> String {
    let names: Vec<String> = s.services.iter().map(|x| clean(&x.name)).collect();
    or_dash(Some(names.join(", ").as_str()).filter(|n| !n.is_empty()))
}

/// `agenda`: per doctor, appointments and free slots interleaved by time; a
/// closure or a doctor's leave with its reason.
/// A visit's service and the rooms and equipment it was given
/// (docs/rules.md#rooms-and-equipment): `Limpieza · Sillón 2`.
fn service_and_rooms(x: &crate::core::Appointment) -> String {
    let service = or_dash(x.service_name.as_deref());
    if x.resources.is_empty() {
        return service.to_string();
    }
    let rooms: Vec<String> = x.resources.iter().map(|r| clean(&r.name)).collect();
    format!("{service} · {}", rooms.join(", "))
}

pub fn agenda(a: &Agenda) -> String {
    let tz = a.clinic.timezone;
    let mut out = join(
        &[
            format!("{} —", clean(&a.clinic.name)),
            lang::date_long(a.date),
            format!("({})", tz.name()),
        ],
        width(),
    );
    if a.sections.is_empty() {
        out.push_str(&format!("\n{}", tr!("h-agenda_empty")));
    }
    for s in &a.sections {
        let title = match &s.doctor {
            Some(d) => join(
                &[
                    clean(&d.full_name),
                    d.specialty
                        .as_deref()
                        .map(|s| format!("— {}", clean(s)))
                        .unwrap_or_default(),
                ],
                width(),
            ),
            None => tr!("h-clinic_wide_title"),
        };
        out.push_str(&format!("\n\n{title}"));
        if let Some(reason) = &s.closed {
            out.push_str(&format!(
                "\n{}",
                tr!("h-closed_reason", reason = clean(reason))
            ));
            if s.appointments.is_empty() {
                continue;
            }
        }
        let blank = || -> Vec<Item> { (0..4).map(|_| "".into()).collect() };
        let mut t = Sheet::new(vec![
            col("Tok"),
            col("Time").short("Start"),
            text("Patient", 14),
            col("Phone"),
            text("Service", 10),
            col("Status"),
            col("ID"),
        ])
        // The service tells a prenatal visit from a consultation: the short
        // ID goes first (the patient's name or phone finds the visit too).
        .steps(&[
            Step::Short("Time"),
            Step::Drop("ID"),
            Step::Drop("Phone"),
            Step::Drop("Service"),
        ]);
        let mut session: Option<String> = None;
        for line in agenda_lines(s) {
            // A label where the session changes (Morning, Afternoon…).
            if let Some(name) = line.session().filter(|n| session.as_deref() != Some(*n)) {
                session = Some(name.to_string());
                let mut label = vec!["".into(), "".into(), format!("— {} —", clean(name)).into()];
                label.extend(blank());
                t.row(label);
            }
            match line {
                Line::Visit(x) => t.row(vec![
                    format!("{}{}", x.token_number, marks(x)).into(),
                    span(tz, x.starts_at, x.ends_at),
                    patient_of(x).into(),
                    clean(&shown(&x.patient_phone)).into(),
                    service_and_rooms(x).into(),
                    status_or_late(x.status, a.is_late(x)),
                    short(&x.id).into(),
                ]),
                Line::Free(run) => {
                    let (first, last) = (run[0], run[run.len() - 1]);
                    let places: i64 = run.iter().map(|f| f.remaining).sum();
                    let n = run.len();
                    let free = match (n, places) {
                        (1, 1) => tr!("h-free"),
                        (1, p) => tr!("h-free_left", n = p),
                        (n, p) if p == n as i64 => tr!("h-free_run", n = n),
                        (n, p) => tr!("h-free_run_places", n = n, places = p),
                    };
                    let time: Item = if run.len() == 1 {
                        local_hm(tz, first.start).into()
                    } else {
                        span(tz, first.start, last.end)
                    };
                    let mut row = vec!["".into(), time, free.into()];
                    row.extend(blank());
                    t.row(row);
                }
                Line::Buffer(at) => {
                    let mut row = vec!["".into(), local_hm(tz, at).into(), tr!("h-buffer").into()];
                    row.extend(blank());
                    t.row(row);
                }
            }
        }
        out.push_str(&format!("\n{}", t.render()));
        if s.appointments.iter().any(|a| !marks(a).is_empty()) {
            out.push_str(&format!("\n{}", tr!("h-marks")));
        }
        // The day in one line: who is booked, who has come, what is left.
        let booked = s.appointments.len();
        let arrived = s
            .appointments
            .iter()
            .filter(|a| a.checked_in_at.is_some())
            .count();
        let places: i64 = s.free.iter().map(|f| f.remaining).sum();
        out.push_str(&format!(
            "\n{}",
            tr!(
                "h-day_summary",
                booked = booked,
                arrived = arrived,
                free = places
            )
        ));
    }
    out
}

/// A line of a doctor's day: a visit, a run of free slots with no visit
/// between them (one row: `09:40–12:00 · 7 free ·`), or a slot of the grid
/// held only by the buffer around a visit (docs/rules.md#buffers).
enum Line<'a> {
    Visit(&'a Appointment),
    Free(Vec<&'a crate::app::slots::Slot>),
    Buffer(chrono::DateTime<chrono::Utc>),
}

impl Line<'_> {
    fn session(&self) -> Option<&str> {
        match self {
            Line::Visit(a) => a.session.as_deref(),
            Line::Free(run) => run[0].session.as_deref(),
            Line::Buffer(_) => None,
        }
    }
}

/// A section's visits and free slots by start, runs of free slots of one
/// session merged.
fn agenda_lines(s: &crate::app::agenda::Section) -> Vec<Line<'_>> {
    let mut all: Vec<(chrono::DateTime<chrono::Utc>, Line)> = s
        .appointments
        .iter()
        .map(|a| (a.starts_at, Line::Visit(a)))
        .chain(s.free.iter().map(|f| (f.start, Line::Free(vec![f]))))
        .chain(s.buffered.iter().map(|b| (*b, Line::Buffer(*b))))
        .collect();
    all.sort_by_key(|(at, line)| (*at, !matches!(line, Line::Visit(_))));
    let mut lines: Vec<Line> = Vec::new();
    for (_, line) in all {
        match (lines.last_mut(), line) {
            (Some(Line::Free(run)), Line::Free(next))
                if run[run.len() - 1].end == next[0].start && run[0].session == next[0].session =>
            {
                run.extend(next)
            }
            (_, line) => lines.push(line),
        }
    }
    lines
}

/// `next`: the first free slots, earliest first.
pub fn next_slots(found: &crate::app::next::Found) -> String {
    let tz = found.clinic.timezone;
    if found.slots.is_empty() {
        return tr!("h-next_none", clinic = clean(&found.clinic.name));
    }
    let services = found.slots.iter().any(|f| !f.slot.services.is_empty());
    let sessions = found.slots.iter().any(|f| f.slot.session.is_some());
    let mut cols = vec![
        col("Date"),
        col("Time").short("Start"),
        text("Doctor", 12),
        col("Left"),
    ];
    if services {
        cols.push(text("Services", 12));
    }
    if sessions {
        cols.push(text("Session", 8));
    }
    let mut t = Sheet::new(cols).steps(&[
        Step::Drop("Session"),
        Step::Short("Time"),
        Step::Drop("Left"),
    ]);
    for f in &found.slots {
        let mut row: Vec<Item> = vec![
            lang::day_short(f.date).into(),
            span(tz, f.slot.start, f.slot.end),
            clean(&f.doctor.full_name).into(),
            f.slot.remaining.to_string().into(),
        ];
        if services {
            row.push(fitting(&f.slot).into());
        }
        if sessions {
            row.push(or_dash(f.slot.session.as_deref()).into());
        }
        t.row(row);
    }
    let title = join(
        &[
            tr!("h-next_title", clinic = clean(&found.clinic.name)),
            format!("({}):", tz.name()),
        ],
        width(),
    );
    format!("{title}\n{}", t.render())
}
