//! The board's booking (docs/board.md#booking): Enter on a free cell
//! asks the phone, a new patient's name and, where several services are
//! possible there, which; then books through `app::book`. A refusal keeps
//! the answers given and asks again only the one it refuses.

use super::state::{Booking, Effect, State, Then};
use super::Board;
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

impl Booking {
    /// Forgets the answer `e` refuses, if one, so that it is asked again
    /// (docs/board.md#booking); whether one is.
    fn forget_refused(&mut self, e: &Error) -> bool {
        match wrong_answer(e) {
            Some(Answer::Phone) => {
                self.phone = None;
                self.known = false;
                true
            }
            Some(Answer::Name) if !self.known => {
                self.name = None;
                true
            }
            Some(Answer::Service) if !self.services.is_empty() || self.service.is_some() => {
                self.service = None;
                if self.services.len() < 2 {
                    self.services.clear();
                }
                self.services.len() > 1
            }
            _ => false,
        }
    }
}

impl State {
    /// Asks the booking's next missing answer, or, when none is, books it.
    pub(super) fn next_booking(&mut self, mut b: Booking) -> Option<Effect> {
        if b.phone.is_none() {
            self.ask("b-ask_phone", Then::Book(b));
            return None;
        }
        if b.name.is_none() && !b.known {
            self.ask("b-ask_name", Then::Book(b));
            return None;
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
            self.ask_labelled(label, Then::Book(b));
            return None;
        }
        // Enter on the question of several takes the first, as it says.
        if b.service.as_deref().is_some_and(str::is_empty) {
            b.service = b.services.first().cloned();
        }
        Some(Effect::Book(b))
    }
}

impl Board {
    /// Whether a phone is a known patient's (a new one is asked their
    /// name); a phone that does not read as one is refused at once, as
    /// booking would refuse it.
    fn known(&mut self, phone: &str) -> Result<bool> {
        let clinic = self.clinic.clone();
        let dialing = patient::dialing(&mut self.store, clinic.as_deref())?;
        patient::known_phone(&mut self.store, &dialing, phone)
    }

    /// A booking's phone typed: known, the name is not asked.
    pub(super) fn phone(&mut self, mut b: Booking, typed: String) -> Option<Effect> {
        match self.known(&typed) {
            Ok(known) => {
                b.known = known;
                b.phone = Some(typed);
            }
            // Asked again, the booking's other answers kept.
            Err(e) => self.refused(e),
        }
        self.state.next_booking(b)
    }

    /// Books `b`, every answer given; a refusal asks again the answer it
    /// refuses.
    pub(super) fn book(&mut self, mut b: Booking) -> Option<Effect> {
        let req = BookRequest {
            clinic: self.clinic.clone(),
            doctor: b.doctor.clone(),
            clinic_wide: b.doctor.is_none(),
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
                    self.state.done(id, &self.state.about(a));
                }
                self.after_write(a.map(|a| a.id.as_str()));
                None
            }
            Err(e) => {
                let again = b.forget_refused(&e);
                self.refused(e);
                if again {
                    self.state.next_booking(b)
                } else {
                    None
                }
            }
        }
    }
}
