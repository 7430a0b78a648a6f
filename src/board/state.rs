//! What the desk sees and where it is: the day shown, the cursor, the
//! question asked, the status line. No database and no clock here: a key
//! changes the state and names what the board must do ([`Effect`],
//! `keys.rs`); the board does it (`mod.rs`) and tells the state what came of
//! it.

use crate::app::board::{Cell, Day};
use crate::app::change::StatusRequest;
use crate::core::{time, Appointment};
use crate::error::Error;
use crate::output::board::{self as draw, Note, Screen, Scroll};
use crate::output::lang::{self, fill, text_in, Arg, Lang};
use chrono::{DateTime, NaiveDate, Utc};
use ratatui::layout::Rect;

/// Where the desk is in the inbox: the message chosen, and whether it is
/// open (shown whole over the day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct InPane {
    pub at: usize,
    pub open: bool,
}

/// A booking being asked for, one answer at a time.
#[derive(Debug, Clone)]
pub(super) struct Booking {
    /// The doctor's ID; None books the clinic-wide windows.
    pub doctor: Option<String>,
    /// The slot; None is a walk-in (now, checked in).
    pub at: Option<DateTime<Utc>>,
    /// The services that fit from the slot (names): the one it implies,
    /// or the several the board asks among (docs/rules.md#who-does-what).
    pub services: Vec<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub known: bool,
    pub service: Option<String>,
}

/// The board locked (docs/board.md#people): nothing of the day is shown
/// until a member of staff types their PIN.
#[derive(Debug, Clone, Default)]
pub(super) struct Lock {
    /// Whose PIN is asked; empty while a name is being typed (`p`).
    pub name: String,
    /// What is typed: the name, then the PIN (never shown, only counted).
    pub typed: String,
}

/// What the answer to the question asked goes to.
#[derive(Debug, Clone)]
pub(super) enum Then {
    Book(Booking),
    Cancel(String),
    /// Cancel inside the clinic's cancellation window all the same? (the
    /// appointment, the reason given).
    Force(String, String),
    Done(String),
    /// The urgency of this appointment, as typed in either language.
    Urgency(String),
    Find,
    /// Which of the patients `/` found (their appointments, numbered from 1).
    Pick(Vec<Appointment>),
    /// The desk's answer to this inbox message.
    Reply(String),
}

#[derive(Debug, Clone)]
pub(super) struct Question {
    pub label: String,
    pub typed: String,
    pub then: Then,
}

/// What a key asks the board to do: each reads or writes the database
/// through a use case, and its outcome goes back to the state.
#[derive(Debug)]
pub(super) enum Effect {
    Quit,
    /// Show another day, the cursor at the same doctor.
    GoTo(NaiveDate),
    /// `v`: the rooms and machines as the columns, or the doctors again
    /// (docs/board.md#rooms); the selection and a move under way kept.
    Columns,
    Status(StatusRequest),
    /// Cancel for a reason; `force` inside the cancellation window.
    Cancel {
        id: String,
        reason: String,
        force: bool,
    },
    /// An appointment's urgency, as typed.
    Urgency {
        id: String,
        typed: String,
    },
    /// Move the appointment being moved to a free cell.
    Reschedule {
        moving: Appointment,
        doctor: Option<String>,
        at: DateTime<Utc>,
    },
    /// `/`: find a patient's appointment.
    Find(String),
    /// Show an appointment found, on its day.
    JumpTo(Appointment),
    /// A booking's phone typed: is it a known patient's?
    Phone(Booking, String),
    /// A booking with every answer: book it.
    Book(Booking),
    /// An inbox message marked done.
    InboxDone(String),
    /// A member of staff's name and PIN, typed at the locked board.
    SignIn {
        name: String,
        pin: String,
    },
    /// The desk's answer to an inbox message.
    Reply(String, String),
}

/// Where the cursor was, to put it back after the day is read again: the
/// same appointment if it is still on the day, else the same doctor and time.
pub(super) struct Place {
    id: Option<String>,
    doctor: Option<String>,
    at: Option<DateTime<Utc>>,
}

/// The board's state: the day shown and where the desk is in it.
pub(super) struct State {
    pub lang: Lang,
    pub color: bool,
    pub day: Day,
    pub cursor: (usize, usize),
    pub scroll: Scroll,
    pub moving: Option<Appointment>,
    /// The inbox pane with the focus (`Tab`), and the message chosen there.
    pub in_pane: Option<InPane>,
    pub question: Option<Question>,
    pub note: Option<Note>,
    pub help: bool,
    pub dirty: bool,
    /// Who is at the board, once the database has staff: their name, on
    /// the status line.
    pub who: Option<String>,
    /// Locked: nothing of the day shown until a PIN is typed.
    pub lock: Option<Lock>,
}

impl State {
    /// The state of a board opened on `day` at `now`: the cursor at the
    /// current time.
    pub fn new(day: Day, lang: Lang, color: bool, now: DateTime<Utc>) -> State {
        let mut s = State {
            lang,
            color,
            day,
            cursor: (0, 0),
            scroll: Scroll::default(),
            moving: None,
            in_pane: None,
            question: None,
            note: None,
            help: false,
            dirty: true,
            who: None,
            lock: None,
        };
        s.cursor.1 = s.now_row(now);
        s
    }

    /// Draws the screen on `buf` at `now`: while locked, the lock alone.
    pub fn render(&mut self, now: DateTime<Utc>, area: Rect, buf: &mut ratatui::buffer::Buffer) {
        if let Some(lock) = &self.lock {
            let screen = draw::Locked {
                lang: self.lang,
                color: self.color,
                name: (!lock.name.is_empty()).then_some(lock.name.as_str()),
                typed: &lock.typed,
                note: self.note.as_ref(),
            };
            return draw::render_locked(&screen, area, buf);
        }
        let q = self.question.as_ref();
        let choices: Vec<String> = match q.map(|q| &q.then) {
            Some(Then::Pick(found)) => found
                .iter()
                .enumerate()
                .map(|(i, a)| self.choice(i + 1, a))
                .collect(),
            _ => Vec::new(),
        };
        let screen = Screen {
            day: &self.day,
            now,
            lang: self.lang,
            color: self.color,
            cursor: self.cursor,
            moving: self.moving.as_ref(),
            note: self.note.as_ref(),
            prompt: q.map(|q| (q.label.as_str(), q.typed.as_str())),
            yes_no: matches!(q.map(|q| &q.then), Some(Then::Force(..))),
            choices: &choices,
            help: self.help,
            inbox: self.in_pane.map(|p| (p.at, p.open)),
            who: self.who.as_deref(),
        };
        draw::render(&screen, &mut self.scroll, area, buf);
    }

    /// Locks the board: the PIN of whoever is at it is asked, or (`switch`)
    /// a name first.
    pub fn lock(&mut self, switch: bool) {
        let name = match switch {
            true => String::new(),
            false => self.who.clone().unwrap_or_default(),
        };
        self.lock = Some(Lock {
            name,
            typed: String::new(),
        });
        self.question = None;
        self.help = false;
        self.note = None;
        self.dirty = true;
    }

    /// Where the cursor is, to put it back once the day is read again.
    pub fn place(&self) -> Place {
        Place {
            id: self.selected().map(|a| a.id.clone()),
            doctor: self.column_doctor(),
            at: self.at(),
        }
    }

    /// The day read again (in whole or in part), the cursor put back at
    /// `place`.
    pub fn put_back(&mut self, place: Place) {
        if let Some(cell) = place.id.and_then(|id| self.day.place_of(&id)) {
            self.cursor = cell;
        } else {
            self.cursor.0 = self.column_of(place.doctor.as_deref());
            self.cursor.1 = place
                .at
                .and_then(|at| self.day.rows.iter().position(|r| *r >= at))
                .unwrap_or(self.day.rows.len().saturating_sub(1));
        }
        self.clamp();
        self.dirty = true;
    }

    /// Another day shown at `now`: the same doctor's column, the current
    /// time's row (the first on another day).
    pub fn went_to(&mut self, day: Day, now: DateTime<Utc>) {
        let doctor = self.column_doctor();
        self.day = day;
        self.cursor = (self.column_of(doctor.as_deref()), self.now_row(now));
        self.scroll = Scroll::default();
        self.clamp();
        self.dirty = true;
    }

    /// Puts the cursor on doctor `own`'s column, when the day has one: a
    /// doctor at the board starts on their own day (docs/board.md#people).
    pub fn select_own_column(&mut self, own: Option<&str>) {
        if let Some(c) = own.and_then(|d| {
            self.day
                .columns
                .iter()
                .position(|c| c.doctor.as_ref().is_some_and(|x| x.id == d))
        }) {
            self.cursor.0 = c;
            self.dirty = true;
        }
    }

    /// Selects appointment `id`, when the day shows it.
    pub fn select(&mut self, id: &str) {
        if let Some(cell) = self.day.place_of(id) {
            self.cursor = cell;
        }
    }

    pub fn now_row(&self, now: DateTime<Utc>) -> usize {
        if time::local_today(self.day.clinic.timezone, now) != self.day.date {
            return 0;
        }
        self.day.rows.iter().rposition(|r| *r <= now).unwrap_or(0)
    }

    pub fn column_doctor(&self) -> Option<String> {
        self.day
            .columns
            .get(self.cursor.0)
            .and_then(|c| c.doctor.as_ref().map(|d| d.id.clone()))
    }

    fn column_of(&self, doctor: Option<&str>) -> usize {
        self.day
            .columns
            .iter()
            .position(|c| c.doctor.as_ref().map(|d| d.id.as_str()) == doctor)
            .unwrap_or(0)
    }

    pub fn clamp(&mut self) {
        self.cursor.0 = self.cursor.0.min(self.day.columns.len().saturating_sub(1));
        self.cursor.1 = self.cursor.1.min(self.day.rows.len().saturating_sub(1));
    }

    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.day.rows.get(self.cursor.1).copied()
    }

    /// The appointment under the cursor (the first, where a slot holds more).
    pub fn selected(&self) -> Option<&Appointment> {
        match self.day.cell(self.cursor.0, self.at()?) {
            Cell::Booked(list) => list.first().copied(),
            _ => None,
        }
    }

    /// A refusal on the status line, in the desk's language.
    pub fn refused(&mut self, e: &Error) {
        self.note = Some(Note::Refused {
            code: e.code.as_str(),
            message: lang::message_in(self.lang, &e.msg),
        });
        self.dirty = true;
    }

    /// A refusal of the board's own: message `id`.
    pub fn refuse(&mut self, code: crate::error::Code, id: &'static str) {
        self.refused(&Error::new(code, crate::text::Msg::new(id)));
    }

    /// What was done, on the status line.
    pub fn done(&mut self, id: &str, args: &[(&'static str, Arg)]) {
        self.note = Some(Note::Done(fill(self.lang, id, args)));
        self.dirty = true;
    }

    pub fn t(&self, id: &str) -> &'static str {
        text_in(self.lang, id)
    }

    pub fn ask(&mut self, label: &str, then: Then) {
        self.ask_labelled(self.t(label).to_string(), then);
    }

    pub fn ask_labelled(&mut self, label: String, then: Then) {
        self.question = Some(Question {
            label,
            typed: String::new(),
            then,
        });
    }

    /// The words of a confirmation about `a`.
    pub fn about(&self, a: &Appointment) -> Vec<(&'static str, Arg)> {
        vec![
            ("token", a.token_number.into()),
            ("patient", draw::patient_short(self.lang, a).into()),
            ("time", time::local_hm(a.timezone, a.starts_at).into()),
            ("date", lang::date_long_in(self.lang, a.local_date).into()),
            ("status", draw::status_word(self.lang, a.status).into()),
        ]
    }

    /// One line of `/`'s choice: its number, the patient's whole name (what
    /// tells two apart), the day, time, token and doctor.
    fn choice(&self, n: usize, a: &Appointment) -> String {
        let who = if a.patient_erased {
            self.t("patient-erased").to_string()
        } else {
            a.patient_name.clone()
        };
        format!(
            "{n}  {who} · {} {} · #{} · {}",
            lang::day_short_in(self.lang, a.local_date),
            time::local_hm(a.timezone, a.starts_at),
            a.token_number,
            a.doctor_name.as_deref().unwrap_or_default()
        )
    }
}
