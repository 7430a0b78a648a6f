//! `appt board` (docs/board.md): the front desk's live screen, a third front
//! end beside `cli` and `serve`. It owns the terminal (raw mode, the
//! alternate screen, always given back), reads keys, asks its questions in
//! the status line, hands every action to the command's own use case in
//! `app` (with actor `board:<OS user>`), and asks `output::board` to draw.
//! Its state (`state.rs`) changes with each key (`keys.rs`) and names what
//! must be done; the board here does it, through the use cases, and tells
//! the state what came of it.
//! It polls the database's change stamp (`Store::stamp`) a few times a
//! second and reads the day again when someone else wrote.

mod booking;
mod inbox;
mod keys;
mod state;
mod term;

use crate::app::board::{self as day_of, Columns, Day};
use crate::app::change::{self, CancelRequest, RescheduleRequest, StatusRequest, UpdateRequest};
use crate::app::schedule::WhenInput;
use crate::app::visit::VisitInput;
use crate::app::{Clock, Store};
use crate::core::staff::Person;
use crate::core::{time, Actor, Appointment};
use crate::error::{Code, Error, Result};
use crate::output::board::Note;
use crate::output::lang::{self, fill, Lang};
use chrono::{DateTime, NaiveDate};
use ratatui::crossterm::event::{self, Event, KeyEvent, KeyEventKind};
use ratatui::layout::Rect;
use state::{Effect, State, Then};
use std::sync::atomic::Ordering;
use std::time::Instant;
use term::{terminal_error, wait_for_terminal, Term, Tty, STOP};

/// How often the board asks whether someone else wrote: well within the
/// second a change must take to show, and idle enough (a few cheap
/// statements a second: docs/performance.md#board).
const POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// What the board needs from the command that starts it.
pub struct Options {
    pub store: Store,
    /// `--clinic` (or `$APPT_CLINIC`); None: the only clinic.
    pub clinic: Option<String>,
    /// The day to open on; None: today at the clinic.
    pub date: Option<String>,
    pub clock: Clock,
    /// `board:<OS user>`.
    pub actor: Actor,
    pub lang: Lang,
    /// Colour on: a terminal without `NO_COLOR`.
    pub color: bool,
    /// `$APPT_KEY`, for a new patient's sealed fields.
    pub key: Option<String>,
    /// The columns: the doctors, or the rooms and machines (`--by`).
    pub by: Columns,
    /// Once the database has staff: how long without a key before the
    /// board locks (`--lock-after`). None: it never locks.
    pub lock_after: Option<std::time::Duration>,
}

/// Runs the board until `q`, Ctrl-C or a signal to stop; the terminal is
/// given back however it ends (a panic included).
pub fn run(o: Options) -> Result<()> {
    // Everything that can fail before the screen is taken (no clinic, a bad
    // date) fails as any command does.
    let mut board = Board::open(o)?;
    let mut term = Term::enter()?;
    let result = board.run(&mut term);
    drop(term);
    result
}

/// Whether a key leaves the board.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Stay,
    Quit,
}

/// The board: its state, and what it reads and writes through.
pub struct Board {
    state: State,
    store: Store,
    clinic: Option<String>,
    by: Columns,
    clock: Clock,
    actor: Actor,
    key: Option<String>,
    stamp: String,
    /// The minute last drawn, so the clock and the marker move on.
    minute: i64,
    /// When the database last failed: from a second later, each tick
    /// connects again (a server lost, a standby promoted) until it answers.
    lost: Option<Instant>,
    /// How long without a key before the board locks; None: never.
    lock_after: Option<std::time::Duration>,
    /// When the last key was pressed.
    last_key: Instant,
}

/// How long the board waits after the database failed before it connects
/// again, and between tries.
const RECONNECT: std::time::Duration = std::time::Duration::from_secs(1);

impl Board {
    /// Reads the first day and places the cursor at the current time.
    pub fn open(o: Options) -> Result<Board> {
        let mut store = o.store;
        let now = o.clock.now();
        let date = match &o.date {
            None => None,
            Some(d) => {
                let c = day_of::clinic(&mut store, o.clinic.as_deref())?;
                Some(
                    time::parse_date(
                        d,
                        time::local_today(c.timezone, now),
                        c.settings.date_order(),
                    )
                    .map_err(|e| Error::field("date", e))?,
                )
            }
        };
        let day = day_of::day(&mut store, o.clinic.as_deref(), date, now, o.by)?;
        let stamp = store.stamp()?;
        let clinic = Some(day.clinic.id.clone());
        let mut state = State::new(day, o.lang, o.color, now);
        state.who = o.actor.person().map(|p| p.name.clone());
        state.select_own_column(o.actor.person().and_then(|p| p.doctor_id.as_deref()));
        Ok(Board {
            clinic,
            by: o.by,
            state,
            store,
            clock: o.clock,
            actor: o.actor,
            key: o.key,
            stamp,
            minute: now.timestamp() / 60,
            lost: None,
            lock_after: o.lock_after,
            last_key: Instant::now(),
        })
    }

    /// Whether the board is locked.
    pub fn locked(&self) -> bool {
        self.state.lock.is_some()
    }

    /// Who its changes name.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The day shown.
    pub fn day(&self) -> &Day {
        &self.state.day
    }

    /// The selected cell: column, row.
    pub fn cursor(&self) -> (usize, usize) {
        self.state.cursor
    }

    /// What the status line says.
    pub fn note(&self) -> Option<&Note> {
        self.state.note.as_ref()
    }

    /// Draws the screen on `buf` (the terminal's frame, or a test's).
    pub fn render(&mut self, area: Rect, buf: &mut ratatui::buffer::Buffer) {
        self.state.render(self.clock.now(), area, buf);
    }

    fn run(&mut self, term: &mut Term) -> Result<()> {
        let mut last_poll = Instant::now();
        loop {
            if STOP.load(Ordering::Relaxed) {
                return Ok(());
            }
            if self.state.dirty {
                term.terminal
                    .draw(|f| {
                        let area = f.area();
                        self.render(area, f.buffer_mut())
                    })
                    .map_err(terminal_error)?;
                self.state.dirty = false;
            }
            let wait = POLL.saturating_sub(last_poll.elapsed());
            // The board waits on the terminal itself, and asks crossterm for
            // events only when there is something to read: crossterm reads a
            // hung-up terminal again and again without returning (its
            // issue 793), so a closed window would leave the board spinning.
            match wait_for_terminal(wait)? {
                Tty::HungUp => return Ok(()),
                Tty::Ready | Tty::Quiet => {
                    // A resize arrives through crossterm's own signal pipe:
                    // ask without waiting, whatever woke the board.
                    while event::poll(std::time::Duration::ZERO).map_err(terminal_error)? {
                        match event::read().map_err(terminal_error)? {
                            Event::Key(k)
                                if k.kind != KeyEventKind::Release && self.key(k) == Flow::Quit =>
                            {
                                return Ok(());
                            }
                            Event::Resize(..) => term.resized(&mut self.state.dirty)?,
                            _ => {}
                        }
                    }
                }
            }
            if last_poll.elapsed() >= POLL {
                last_poll = Instant::now();
                // A resize whose signal came before anyone listened is
                // seen here, within a tick, key or no key.
                if term.size_changed()? {
                    term.resized(&mut self.state.dirty)?;
                }
                self.tick();
            }
        }
    }

    /// Answers one key: the state changes, and what it asks is done, each
    /// outcome perhaps asking the next (a phone known, then the booking).
    pub fn key(&mut self, k: KeyEvent) -> Flow {
        self.last_key = Instant::now();
        let mut next = self.state.key(k, self.clock.now());
        while let Some(effect) = next {
            next = match effect {
                Effect::Quit => return Flow::Quit,
                effect => self.perform(effect),
            };
        }
        Flow::Stay
    }

    /// Carries out `effect` through its use case; what it leads to, if anything.
    fn perform(&mut self, effect: Effect) -> Option<Effect> {
        match effect {
            Effect::Quit => return Some(Effect::Quit),
            Effect::GoTo(date) => self.go_to(date),
            Effect::Columns => {
                self.by = match self.by {
                    Columns::Doctors => Columns::Resources,
                    Columns::Resources => Columns::Doctors,
                };
                self.reload(false);
            }
            Effect::Status(req) => self.set_status(req),
            Effect::Cancel { id, reason, force } => self.cancel(id, reason, force),
            Effect::Urgency { id, typed } => self.urgency(id, typed),
            Effect::Reschedule { moving, doctor, at } => self.reschedule(moving, doctor, at),
            Effect::Find(typed) => return self.find(typed),
            Effect::JumpTo(a) => self.jump_to(a),
            Effect::Phone(b, typed) => return self.phone(b, typed),
            Effect::Book(b) => return self.book(b),
            Effect::InboxDone(id) => self.inbox_done(id),
            Effect::Reply(id, text) => self.reply(id, text),
            Effect::SignIn { name, pin } => self.sign_in(name, pin),
        }
        None
    }

    /// A member of staff's PIN typed at the locked board: right, the board
    /// is theirs (its changes name them); wrong, it stays locked and the try
    /// counts towards the lock of their name, as at `appt login`.
    fn sign_in(&mut self, name: String, pin: String) {
        use crate::app::session::{self, Credentials};
        let now = self.clock.now();
        match session::person(&mut self.store, &Credentials::Pin { name, pin }, now) {
            Ok(m) => {
                // Another person starts on their own column; the same one
                // finds the board where they left it.
                let another = self.state.who.as_deref() != Some(m.name.as_str());
                self.state.who = Some(m.name.clone());
                self.state.lock = None;
                self.state
                    .done("b-signed_in", &[("name", m.name.clone().into())]);
                // At the same terminal, as the same account.
                let os_user = self.actor.person().and_then(|p| p.os_user.clone());
                self.actor = Actor::Staff(Person {
                    os_user,
                    ..m.person()
                });
                self.last_key = Instant::now();
                self.reload(true);
                if another {
                    self.state.select_own_column(m.doctor_id.as_deref());
                }
            }
            Err(e) => self.state.refused(&e),
        }
    }

    /// What the board does between keys: follow others' writes, and the
    /// clock: each new minute reads the day again, as slots pass and free
    /// cells stop being bookable (and on PostgreSQL a change to windows or
    /// closures, which the stamp does not see, shows within the minute).
    pub fn tick(&mut self) {
        let idle = self
            .lock_after
            .is_some_and(|after| self.last_key.elapsed() >= after);
        if idle && self.state.lock.is_none() {
            self.state.lock(false);
        }
        if let Some(at) = self.lost {
            if at.elapsed() < RECONNECT {
                return;
            }
            match self.store.reconnect() {
                Ok(()) => {
                    self.lost = None;
                    // Whatever was written meanwhile is read at once.
                    self.stamp.clear();
                    self.state.done("b-reconnected", &[]);
                }
                Err(e) => return self.refused(e),
            }
        }
        let minute = self.clock.now().timestamp() / 60;
        match self.store.stamp() {
            Ok(_) if minute != self.minute => {
                self.minute = minute;
                self.reload(true);
            }
            Ok(stamp) if stamp != self.stamp => {
                self.stamp = stamp;
                self.refresh();
            }
            Ok(_) => {}
            Err(e) => self.refused(e),
        }
    }

    /// Reads the shown day again, keeping the selection: the same
    /// appointment if it is still on the day, else the same doctor and
    /// time. `whole`: the count of recalls due too (the minute's read).
    fn reload(&mut self, whole: bool) {
        if let Ok(stamp) = self.store.stamp() {
            self.stamp = stamp;
        }
        let place = self.state.place();
        let (now, date) = (self.clock.now(), self.state.day.date);
        let read = match whole {
            true => day_of::day(
                &mut self.store,
                self.clinic.as_deref(),
                Some(date),
                now,
                self.by,
            ),
            false => day_of::other_day(&mut self.store, &self.state.day, date, now, self.by),
        };
        match read {
            Ok(day) => {
                self.state.day = day;
                self.state.put_back(place);
            }
            Err(e) => self.refused(e),
        }
    }

    /// Reads again what changed of the shown day since it was read
    /// (`day_of::refresh`), keeping the selection as [`Board::reload`] does.
    fn refresh(&mut self) {
        let place = self.state.place();
        let now = self.clock.now();
        match day_of::refresh(&mut self.store, &mut self.state.day, now, self.by) {
            Ok(true) => self.state.put_back(place),
            Ok(false) => {}
            Err(e) => self.refused(e),
        }
    }

    fn go_to(&mut self, date: NaiveDate) {
        let now = self.clock.now();
        match day_of::other_day(&mut self.store, &self.state.day, date, now, self.by) {
            Ok(day) => self.state.went_to(day, now),
            Err(e) => self.refused(e),
        }
    }

    /// A refusal on the status line; a database's failure also has the
    /// board connect again on its next ticks.
    fn refused(&mut self, e: Error) {
        if e.code == Code::Database {
            self.lost = Some(Instant::now());
        }
        self.state.refused(&e);
    }

    /// After the board's own write: read the day again (its stamp too, so
    /// the write is not taken for someone else's) and select `id`.
    fn after_write(&mut self, id: Option<&str>) {
        if let Ok(stamp) = self.store.stamp() {
            self.stamp = stamp;
        }
        self.refresh();
        if let Some(id) = id {
            self.state.select(id);
        }
    }

    fn set_status(&mut self, req: StatusRequest) {
        let now = self.clock.now();
        match change::set_status(&mut self.store, &req, &self.actor, now) {
            Ok(set) if set.already => {
                self.state
                    .done("b-already", &self.state.about(&set.appointment));
            }
            Ok(set) => {
                let a = set.appointment;
                self.state.done("b-changed", &self.state.about(&a));
                self.after_write(Some(&a.id));
            }
            Err(e) => self.refused(e),
        }
    }

    /// `x`: cancels `id` for `reason`; inside the clinic's cancellation
    /// window, says why and asks whether to cancel all the same (`force`,
    /// which the event records, as `cancel --force` does).
    fn cancel(&mut self, id: String, reason: String, force: bool) {
        let req = CancelRequest {
            id: id.clone(),
            reason: Some(reason.clone()).filter(|r| !r.is_empty()),
            force,
            ..CancelRequest::default()
        };
        let now = self.clock.now();
        match change::cancel(&mut self.store, &req, &self.actor, now) {
            Ok(done) => {
                if let Some(a) = done.appointments().first() {
                    self.state.done("b-cancelled", &self.state.about(a));
                }
                self.after_write(None);
            }
            Err(e) if e.code == Code::CancellationWindow && !force => {
                let lang = self.state.lang;
                let why = lang::message_in(lang, &e.msg);
                let label = fill(lang, "b-ask_force", &[("why", why.into())]);
                self.state.ask_labelled(label, Then::Force(id, reason));
            }
            Err(e) => self.refused(e),
        }
    }

    /// `u`: the selected visit's urgency, through `update`'s use case (the
    /// words of either language, docs/rules.md#visits).
    fn urgency(&mut self, id: String, typed: String) {
        let req = UpdateRequest {
            id,
            visit: VisitInput {
                urgency: Some(typed),
                ..VisitInput::default()
            },
            ..UpdateRequest::default()
        };
        match change::update(&mut self.store, &req, &self.actor, self.clock.now()) {
            Ok(a) => {
                self.state.done("b-urgency_set", &self.state.about(&a));
                self.after_write(Some(&a.id));
            }
            Err(e) => self.refused(e),
        }
    }

    fn reschedule(&mut self, m: Appointment, doctor: Option<String>, at: DateTime<chrono::Utc>) {
        let req = RescheduleRequest {
            id: m.id.clone(),
            clinic: self.clinic.clone(),
            when: WhenInput {
                at: Some(time::fmt_utc(at)),
                ..WhenInput::default()
            },
            doctor: doctor.filter(|d| Some(d) != m.doctor_id.as_ref()),
            ..RescheduleRequest::default()
        };
        let now = self.clock.now();
        match change::reschedule(&mut self.store, &req, &self.actor, now) {
            Ok(done) => {
                self.state.moving = None;
                let a = done.appointments().first();
                if let Some(a) = a {
                    self.state.done("b-moved", &self.state.about(a));
                }
                self.after_write(a.map(|a| a.id.as_str()));
            }
            Err(e) => self.refused(e),
        }
    }

    /// `/`: jumps to the appointment of the one patient found, or, when
    /// several match, asks which (never one chosen for the desk).
    fn find(&mut self, typed: String) -> Option<Effect> {
        let clinic = self.state.day.clinic.clone();
        match day_of::find(&mut self.store, &clinic, &typed, self.state.day.date) {
            Ok(found) if found.len() > 1 => {
                let label = fill(self.state.lang, "b-ask_pick", &[("n", found.len().into())]);
                self.state.ask_labelled(label, Then::Pick(found));
                None
            }
            Ok(found) => match found.into_iter().next() {
                Some(a) => Some(Effect::JumpTo(a)),
                None => {
                    self.refused(Error::new(
                        Code::NotFound,
                        crate::text::msg!("b-not_found", typed = typed),
                    ));
                    None
                }
            },
            Err(e) => {
                self.refused(e);
                None
            }
        }
    }

    fn jump_to(&mut self, a: Appointment) {
        if a.local_date != self.state.day.date {
            self.go_to(a.local_date);
        }
        self.state.select(&a.id);
        self.state.done("b-found", &self.state.about(&a));
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
impl Board {
    /// As if no key had been pressed for `idle`: what a tick then does
    /// (the tests' clock for the lock).
    pub fn idle_for(&mut self, idle: std::time::Duration) {
        if let Some(at) = Instant::now().checked_sub(idle) {
            self.last_key = at;
        }
        self.tick();
    }
}
