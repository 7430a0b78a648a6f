//! The board's booking (docs/board.md#booking): Enter on a free cell
//! asks the phone, a new patient's name and, where several services are
//! possible there, which; then books through `app::book`. A refusal keeps
//! the answers given and asks again only the one it refuses.

use super::{Board, Booking, Then};
use crate::app::board::Cell;
use crate::app::book::{self, BookRequest};
use crate::app::patient;
use crate::app::schedule::WhenInput;
use crate::core::time;
use crate::error::{Code, Error, Result};
use crate::output::lang::fill;

/// An answer of a booking that booking refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Phone,
    Name,
    Service,
}

/// Which of a booking's answers `e` refuses, if one: a bad phone or name
/// (the fields the refusal names), or a service the time does not take.
fn wrong_answer(e: &Error) -> Option<Answer> {
    match e.code {
        Code::InvalidAppointmentType | Code::InvalidTimeSlot => Some(Answer::Service),
        Code::Validation => {
            let fields = e.named_fields();
            if fields.contains(&"phone") {
                Some(Answer::Phone)
            } else if fields.contains(&"name") {
                Some(Answer::Name)
            } else {
                None
            }
        }
        _ => None,
    }
}

impl Board {
    /// Whether a phone is a known patient's (a new one is asked their
    /// name); a phone that does not read as one is refused at once, as
    /// booking would refuse it.
    pub(super) fn known(&mut self, phone: &str) -> Result<bool> {
        let clinic = self.clinic.clone();
        let dialing = patient::dialing(&mut self.store, clinic.as_deref())?;
        patient::known_phone(&mut self.store, &dialing, phone)
    }

    pub(super) fn enter(&mut self) {
        let Some(at) = self.at() else { return };
        let cell = self.day.cell(self.cursor.0, at);
        // The services that fit from the slot (docs/rules.md#who-does-what).
        let free = match cell {
            Cell::Free(slot) => Some(
                slot.services
                    .iter()
                    .map(|s| s.name.clone())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        let doctor = self.column_doctor();
        if let Some(m) = self.moving.clone() {
            if free.is_none() {
                return self.refused(Error::new(
                    Code::Validation,
                    crate::text::Msg::new("b-no_free"),
                ));
            }
            return self.reschedule(m, doctor, at);
        }
        match free {
            Some(services) => {
                // One service fits: it is the booking's, unasked.
                let service = match services.as_slice() {
                    [one] => Some(one.clone()),
                    _ => None,
                };
                self.start_booking(Booking {
                    doctor,
                    at: Some(at),
                    services,
                    phone: None,
                    name: None,
                    known: false,
                    service,
                });
            }
            None => self.refused(Error::new(
                Code::Validation,
                crate::text::Msg::new("b-no_free"),
            )),
        }
    }

    /// Asks the booking's next missing answer, or books when none is.
    pub(super) fn start_booking(&mut self, mut b: Booking) {
        if b.phone.is_none() {
            return self.ask("b-ask_phone", Then::Book(b));
        }
        if b.name.is_none() && !b.known {
            return self.ask("b-ask_name", Then::Book(b));
        }
        if b.service.is_none() && b.services.len() > 1 {
            let label = fill(
                self.lang,
                "b-ask_service",
                &[
                    ("services", b.services.join(", ").into()),
                    ("first", b.services[0].clone().into()),
                ],
            );
            return self.ask_labelled(label, Then::Book(b));
        }
        // Enter on the question of several takes the first, as it says.
        if b.service.as_deref().is_some_and(str::is_empty) {
            b.service = b.services.first().cloned();
        }
        let clinic_wide = b.doctor.is_none();
        let req = BookRequest {
            clinic: self.clinic.clone(),
            doctor: b.doctor.clone(),
            clinic_wide,
            when: WhenInput {
                at: b.at.map(time::fmt_utc),
                ..WhenInput::default()
            },
            phone: b.phone.clone(),
            name: b.name.clone().filter(|n| !n.is_empty()),
            service: b.service.clone().filter(|s| !s.is_empty()),
            source: "manual".into(),
            key: self.key.clone(),
            walk_in: b.at.is_none(),
            ..BookRequest::default()
        };
        let now = self.clock.now();
        // The board asks no repeat: what it booked is one appointment.
        match book::book(&mut self.store, &req, &self.actor, now) {
            Ok(done) => {
                let a = done.appointments().first();
                let id = if req.walk_in {
                    "b-walked_in"
                } else {
                    "b-booked"
                };
                if let Some(a) = a {
                    self.done(id, &self.about(a));
                }
                self.after_write(a.map(|a| a.id.as_str()));
            }
            Err(e) => {
                // The answers given are kept: only the one refused is asked again
                // (docs/board.md#booking).
                let again = match wrong_answer(&e) {
                    Some(Answer::Phone) => {
                        b.phone = None;
                        b.known = false;
                        true
                    }
                    Some(Answer::Name) if !b.known => {
                        b.name = None;
                        true
                    }
                    Some(Answer::Service) if !b.services.is_empty() || b.service.is_some() => {
                        b.service = None;
                        if b.services.len() < 2 {
                            b.services.clear();
                        }
                        b.services.len() > 1
                    }
                    _ => false,
                };
                self.refused(e);
                if again {
                    self.start_booking(b);
                }
            }
        }
    }
}
