//! The desk's keys (docs/board.md#keys): each changes the state and names
//! the [`Effect`] the board must carry out, if any. Nothing here reads the
//! database or the clock: `now` is handed in.

use super::state::{Booking, Effect, Question, State, Then};
use crate::app::board::Cell;
use crate::app::change::StatusRequest;
use crate::core::{time, Status};
use crate::error::Code;
use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl State {
    /// Answers one key at `now`: what the board must do next, if anything.
    pub fn key(&mut self, k: KeyEvent, now: DateTime<Utc>) -> Option<Effect> {
        self.dirty = true;
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            return Some(Effect::Quit);
        }
        if self.lock.is_some() {
            return self.locked_key(k);
        }
        if self.question.is_some() {
            return self.answer(k);
        }
        if self.help {
            self.help = false;
            return None;
        }
        self.note = None;
        if self.in_pane.is_some() {
            return self.inbox_key(k);
        }
        let effect = self.day_key(k, now);
        self.clamp();
        effect
    }

    /// A key on the day (the inbox pane without the focus, no question).
    fn day_key(&mut self, k: KeyEvent, now: DateTime<Utc>) -> Option<Effect> {
        match k.code {
            KeyCode::Char('q') => return Some(Effect::Quit),
            KeyCode::Tab => self.focus_inbox(),
            KeyCode::Esc => self.moving = None,
            KeyCode::Left | KeyCode::Char('h') => {
                self.cursor.0 = self.cursor.0.saturating_sub(1);
            }
            KeyCode::Right | KeyCode::Char('l') => self.cursor.0 += 1,
            KeyCode::Up | KeyCode::Char('k') => self.cursor.1 = self.cursor.1.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.cursor.1 += 1,
            KeyCode::PageUp => self.cursor.1 = self.cursor.1.saturating_sub(10),
            KeyCode::PageDown => self.cursor.1 += 10,
            KeyCode::Home => self.cursor.1 = 0,
            KeyCode::End => self.cursor.1 = usize::MAX,
            KeyCode::Char('[') => return Some(Effect::GoTo(self.day.date - Duration::days(1))),
            KeyCode::Char(']') => return Some(Effect::GoTo(self.day.date + Duration::days(1))),
            KeyCode::Char('t') => {
                let today = time::local_today(self.day.clinic.timezone, now);
                return Some(Effect::GoTo(today));
            }
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char('v') => return Some(Effect::Columns),
            KeyCode::Enter => return self.enter(),
            KeyCode::Char('c') => return self.status(Status::Confirmed),
            KeyCode::Char('a') => return self.status(Status::CheckedIn),
            KeyCode::Char('s') => return self.status(Status::InProgress),
            KeyCode::Char('n') => return self.status(Status::NoShow),
            KeyCode::Char('d') => return self.complete(),
            KeyCode::Char('x') => match self.selected() {
                Some(a) => {
                    let id = a.id.clone();
                    self.ask("b-ask_reason", Then::Cancel(id));
                }
                None => self.nothing_selected(),
            },
            KeyCode::Char('u') => match self.selected() {
                Some(a) => {
                    let id = a.id.clone();
                    self.ask("b-ask_urgency", Then::Urgency(id));
                }
                None => self.nothing_selected(),
            },
            KeyCode::Char('m') => match self.selected() {
                Some(a) => self.moving = Some(a.clone()),
                None => self.nothing_selected(),
            },
            KeyCode::Char('w') => match self.column_doctor() {
                Some(doctor) => {
                    return self.next_booking(Booking {
                        doctor: Some(doctor),
                        at: None,
                        services: vec![],
                        phone: None,
                        name: None,
                        known: false,
                        service: None,
                    })
                }
                None => self.refuse(Code::Validation, "b-no_doctor"),
            },
            KeyCode::Char('/') => self.ask("b-ask_find", Then::Find),
            // Another person at the board: locked until they sign in.
            KeyCode::Char('p') if self.who.is_some() => self.lock(true),
            #[cfg(debug_assertions)]
            KeyCode::Char('!') if std::env::var_os("APPT_BOARD_TEST_PANIC").is_some() => {
                // Only in a debug build, and only when a test asks: proves
                // the terminal is given back after a panic (tests/cli/board.rs).
                panic!("a panic the board's tests asked for");
            }
            _ => {}
        }
        None
    }

    /// A key at the locked board: a name typed (when switching person),
    /// then the PIN, digits alone; Enter hands them to the board.
    fn locked_key(&mut self, k: KeyEvent) -> Option<Effect> {
        let lock = self.lock.as_mut()?;
        let asking_name = lock.name.is_empty();
        match k.code {
            KeyCode::Esc => lock.typed.clear(),
            // Another person: their name first.
            KeyCode::Tab => {
                lock.name.clear();
                lock.typed.clear();
            }
            KeyCode::Backspace => {
                lock.typed.pop();
            }
            KeyCode::Char(c)
                if asking_name && !c.is_control() && lock.typed.chars().count() < 64 =>
            {
                lock.typed.push(c);
            }
            KeyCode::Char(c)
                if !asking_name
                    && c.is_ascii_digit()
                    && lock.typed.len() < crate::core::staff::PIN_DIGITS.1 =>
            {
                lock.typed.push(c);
            }
            KeyCode::Enter if asking_name => {
                let name = lock.typed.trim().to_string();
                if !name.is_empty() {
                    lock.name = name;
                    lock.typed.clear();
                    self.note = None;
                }
            }
            KeyCode::Enter => {
                let pin = std::mem::take(&mut lock.typed);
                let name = lock.name.clone();
                return Some(Effect::SignIn { name, pin });
            }
            _ => {}
        }
        None
    }

    fn nothing_selected(&mut self) {
        self.refuse(Code::Validation, "b-no_appointment");
    }

    /// A key while a question is asked: typing, and Enter's answer.
    fn answer(&mut self, k: KeyEvent) -> Option<Effect> {
        let q = self.question.as_mut()?;
        match k.code {
            KeyCode::Esc => self.question = None,
            KeyCode::Backspace => {
                q.typed.pop();
            }
            KeyCode::Char(c) if !c.is_control() => q.typed.push(c),
            KeyCode::Enter => {
                let q = self.question.take()?;
                return self.answered(q);
            }
            _ => {}
        }
        None
    }

    /// What the answer typed to `q` leads to.
    fn answered(&mut self, q: Question) -> Option<Effect> {
        let typed = q.typed.trim().to_string();
        let ask_again = |s: &mut State, q: Question| {
            s.question = Some(Question {
                typed: String::new(),
                ..q
            });
            None
        };
        match q.then.clone() {
            Then::Book(mut b) => {
                if b.phone.is_none() {
                    return Some(Effect::Phone(b, typed));
                }
                if b.name.is_none() && !b.known {
                    b.name = Some(typed);
                } else {
                    b.service = Some(typed);
                }
                self.next_booking(b)
            }
            Then::Cancel(id) => Some(Effect::Cancel {
                id,
                reason: typed,
                force: false,
            }),
            Then::Force(id, reason) => match crate::core::words::answer(&typed) {
                Some(true) => Some(Effect::Cancel {
                    id,
                    reason,
                    force: true,
                }),
                Some(false) => {
                    self.done("b-kept", &[]);
                    None
                }
                // Neither: asked again.
                None => ask_again(self, q),
            },
            Then::Done(id) => Some(finish(id, Some(typed))),
            Then::Urgency(id) => Some(Effect::Urgency { id, typed }),
            Then::Find => Some(Effect::Find(typed)),
            Then::Reply(id) => Some(Effect::Reply(id, typed)),
            Then::Pick(found) => {
                let picked = typed
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| found.get(n.wrapping_sub(1)));
                match picked {
                    Some(a) => Some(Effect::JumpTo(a.clone())),
                    // Not one of the numbers: asked again.
                    None => ask_again(self, q),
                }
            }
        }
    }

    /// Enter on the day: a free cell books (or takes the appointment being
    /// moved); anything else is refused.
    fn enter(&mut self) -> Option<Effect> {
        let at = self.at()?;
        // The services that fit from the slot (docs/rules.md#who-does-what).
        let free = match self.day.cell(self.cursor.0, at) {
            Cell::Free(slot) => Some(
                slot.services
                    .iter()
                    .map(|s| s.name.clone())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        let Some(services) = free else {
            self.refuse(Code::Validation, "b-no_free");
            return None;
        };
        let doctor = self.column_doctor();
        if let Some(moving) = self.moving.clone() {
            return Some(Effect::Reschedule { moving, doctor, at });
        }
        // One service fits: it is the booking's, unasked.
        let service = match services.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        self.next_booking(Booking {
            doctor,
            at: Some(at),
            services,
            phone: None,
            name: None,
            known: false,
            service,
        })
    }

    /// A status key on the selected appointment.
    fn status(&mut self, to: Status) -> Option<Effect> {
        let Some(a) = self.selected() else {
            self.nothing_selected();
            return None;
        };
        Some(Effect::Status(StatusRequest {
            id: a.id.clone(),
            status: to.as_str().into(),
            ..StatusRequest::default()
        }))
    }

    /// `d`: done, asking the diagnosis first where the clinic requires one.
    fn complete(&mut self) -> Option<Effect> {
        let Some(a) = self.selected() else {
            self.nothing_selected();
            return None;
        };
        let id = a.id.clone();
        // Asked where the clinic requires one and none was recorded yet
        // (docs/rules.md#statuses); any active visit may be marked done.
        if self.day.clinic.settings.require_diagnosis
            && a.diagnosis.is_none()
            && a.status.is_active()
        {
            self.ask("b-ask_diagnosis", Then::Done(id));
            return None;
        }
        Some(finish(id, None))
    }
}

/// Marking `id` done, with the diagnosis typed, if any.
fn finish(id: String, diagnosis: Option<String>) -> Effect {
    Effect::Status(StatusRequest {
        id,
        status: Status::Completed.as_str().into(),
        diagnosis: diagnosis.filter(|d| !d.is_empty()),
        ..StatusRequest::default()
    })
}
