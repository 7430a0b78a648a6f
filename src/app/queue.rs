//! The day's queue (docs/rules.md#the-queue): today's patients per doctor in
//! the clinic's queue order, and `queue next`, the doctor calling the next
//! checked-in patient in that order. The order is `core::queue`'s.

use super::change::{advance, Filled};
use super::schedule::target;
use crate::core::{queue, time, Actor, Appointment, Clinic, Doctor, Status};
use crate::error::{Error, Result};
use crate::store::appointments::{self, Filter};
use crate::store::{doctors, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// One doctor's line (None: the clinic-wide windows).
pub struct Line {
    pub doctor: Option<Doctor>,
    pub appointments: Vec<Appointment>,
}

pub struct Queue {
    pub clinic: Clinic,
    pub date: NaiveDate,
    pub lines: Vec<Line>,
    /// When it was read: what lateness is judged at.
    pub now: DateTime<Utc>,
}

impl Queue {
    /// Is `a` late: nobody arrived more than the clinic's `--late-after`
    /// minutes past its start (docs/rules.md#the-queue)?
    pub fn is_late(&self, a: &Appointment) -> bool {
        queue::is_late(a, self.now, self.clinic.settings.late_after)
    }
}

/// Today's appointments (all but cancelled) of the clinic, or of one doctor,
/// per doctor in the clinic's queue order.
pub fn today(
    st: &mut Store,
    clinic: Option<&str>,
    doctor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Queue> {
    st.read(|tx| {
        let t = target(tx, clinic, doctor)?;
        let date = time::local_today(t.clinic.timezone, now);
        let f = Filter {
            clinic_id: Some(t.clinic.id.clone()),
            from: Some(date),
            to: Some(date),
            doctor_id: t.doctor.as_ref().map(|d| d.id.clone()),
            ..Filter::default()
        };
        let (mut all, _) = appointments::list(tx, &f, 0, i64::MAX)?;
        all.retain(|a| a.status != Status::Cancelled);
        let order = t.clinic.settings.queue_order;
        all.sort_by(|a, b| {
            (&a.doctor_name, &a.doctor_id, queue::key(a, order)).cmp(&(
                &b.doctor_name,
                &b.doctor_id,
                queue::key(b, order),
            ))
        });
        let mut lines: Vec<Line> = Vec::new();
        if let Some(d) = &t.doctor {
            lines.push(Line {
                doctor: Some(d.clone()),
                appointments: Vec::new(),
            });
        }
        for a in all {
            let same = lines
                .last()
                .is_some_and(|l| l.doctor.as_ref().map(|d| &d.id) == a.doctor_id.as_ref());
            if !same {
                let doctor = a
                    .doctor_id
                    .as_deref()
                    .map(|d| doctors::get(tx, d))
                    .transpose()?;
                lines.push(Line {
                    doctor,
                    appointments: Vec::new(),
                });
            }
            if let Some(l) = lines.last_mut() {
                l.appointments.push(a);
            }
        }
        Ok(Queue {
            clinic: std::sync::Arc::unwrap_or_clone(t.clinic),
            date,
            lines,
            now,
        })
    })
}

/// The doctor calls the next patient: the first `checked_in` appointment of
/// today in the clinic's queue order moves to `in_progress`.
pub fn next(
    st: &mut Store,
    clinic: Option<&str>,
    doctor: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    st.write(|tx| {
        let t = target(tx, clinic, Some(doctor))?;
        let d = t.doctor.as_ref().expect("a doctor was given");
        let date = time::local_today(t.clinic.timezone, now);
        let f = Filter {
            clinic_id: Some(t.clinic.id.clone()),
            from: Some(date),
            to: Some(date),
            doctor_id: Some(d.id.clone()),
            status: Some(Status::CheckedIn),
            ..Filter::default()
        };
        let (waiting, _) = appointments::list(tx, &f, 0, i64::MAX)?;
        let first = queue::next(&waiting, t.clinic.settings.queue_order)
            .cloned()
            .ok_or_else(|| {
                Error::not_found(crate::error::Entity::CheckedInPatient).hint(crate::text::msg!(
                    "e-nobody_is_waiting_for_today",
                    a = d.full_name
                ))
            })?;
        advance(tx, first, Status::InProgress, Filled::default(), actor, now)
    })
}
