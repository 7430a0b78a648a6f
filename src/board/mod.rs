//! `appt board` (docs/board.md): the front desk's live screen, a third front
//! end beside `cli` and `serve`. It owns the terminal (raw mode, the
//! alternate screen, always given back), reads keys, asks its questions in
//! the status line, hands every action to the command's own use case in
//! `app` (with actor `board:<OS user>`), and asks `output::board` to draw.
//! It polls the database's change stamp (`Store::stamp`) a few times a
//! second and reads the day again when someone else wrote.

mod booking;
mod inbox;

use crate::app::board::{self as day_of, Cell, Day};
use crate::app::change::{self, CancelRequest, RescheduleRequest, StatusRequest, UpdateRequest};
use crate::app::schedule::WhenInput;
use crate::app::visit::VisitInput;
use crate::app::{Clock, Store};
use crate::core::{time, Actor, Appointment, Status};
use crate::error::{Code, Error, Result};
use crate::output::board::{self as draw, Note, Screen, Scroll};
use crate::output::lang::{self, fill, text_in, Arg, Lang};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::layout::Rect;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

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

/// A booking being asked for, one answer at a time.
#[derive(Debug, Clone)]
struct Booking {
    /// The doctor's ID; None books the clinic-wide windows.
    doctor: Option<String>,
    /// The slot; None is a walk-in (now, checked in).
    at: Option<DateTime<Utc>>,
    /// The services that fit from the slot (names): the one it implies,
    /// or the several the board asks among (docs/rules.md#who-does-what).
    services: Vec<String>,
    phone: Option<String>,
    name: Option<String>,
    known: bool,
    service: Option<String>,
}

#[derive(Debug, Clone)]
enum Then {
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
struct Question {
    label: String,
    typed: String,
    then: Then,
}

/// The board's state: the day shown and where the desk is in it.
pub struct Board {
    store: Store,
    clinic: Option<String>,
    clock: Clock,
    actor: Actor,
    lang: Lang,
    color: bool,
    key: Option<String>,
    day: Day,
    cursor: (usize, usize),
    scroll: Scroll,
    moving: Option<Appointment>,
    /// The inbox pane with the focus (`Tab`), and the message chosen there.
    in_pane: Option<inbox::InPane>,
    question: Option<Question>,
    note: Option<Note>,
    help: bool,
    stamp: String,
    /// The minute last drawn, so the clock and the marker move on.
    minute: i64,
    dirty: bool,
    /// When the database last failed: from a second later, each tick
    /// connects again (a server lost, a standby promoted) until it answers.
    lost: Option<Instant>,
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
        let day = day_of::day(&mut store, o.clinic.as_deref(), date, now)?;
        let stamp = store.stamp()?;
        let mut b = Board {
            store,
            clinic: Some(day.clinic.id.clone()),
            clock: o.clock,
            actor: o.actor,
            lang: o.lang,
            color: o.color,
            key: o.key,
            day,
            cursor: (0, 0),
            scroll: Scroll::default(),
            moving: None,
            in_pane: None,
            question: None,
            note: None,
            help: false,
            stamp,
            minute: now.timestamp() / 60,
            dirty: true,
            lost: None,
        };
        b.cursor.1 = b.now_row();
        Ok(b)
    }

    /// The day shown.
    pub fn day(&self) -> &Day {
        &self.day
    }

    /// The selected cell: column, row.
    pub fn cursor(&self) -> (usize, usize) {
        self.cursor
    }

    /// What the status line says.
    pub fn note(&self) -> Option<&Note> {
        self.note.as_ref()
    }

    /// Draws the screen on `buf` (the terminal's frame, or a test's).
    pub fn render(&mut self, area: Rect, buf: &mut ratatui::buffer::Buffer) {
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
            now: self.clock.now(),
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
        };
        draw::render(&screen, &mut self.scroll, area, buf);
    }

    fn run(&mut self, term: &mut Term) -> Result<()> {
        let mut last_poll = Instant::now();
        loop {
            if STOP.load(Ordering::Relaxed) {
                return Ok(());
            }
            if self.dirty {
                term.terminal
                    .draw(|f| {
                        let area = f.area();
                        self.render(area, f.buffer_mut())
                    })
                    .map_err(terminal_error)?;
                self.dirty = false;
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
                            Event::Resize(..) => term.resized(&mut self.dirty)?,
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
                    term.resized(&mut self.dirty)?;
                }
                self.tick();
            }
        }
    }

    /// What the board does between keys: follow others' writes, and the
    /// clock: each new minute reads the day again, as slots pass and free
    /// cells stop being bookable (and on PostgreSQL a change to windows or
    /// closures, which the stamp does not see, shows within the minute).
    pub fn tick(&mut self) {
        if let Some(at) = self.lost {
            if at.elapsed() < RECONNECT {
                return;
            }
            match self.store.reconnect() {
                Ok(()) => {
                    self.lost = None;
                    // Whatever was written meanwhile is read at once.
                    self.stamp.clear();
                    self.done("b-reconnected", &[]);
                }
                Err(e) => return self.refused(e),
            }
        }
        let minute = self.clock.now().timestamp() / 60;
        match self.store.stamp() {
            Ok(stamp) if stamp != self.stamp || minute != self.minute => {
                self.stamp = stamp;
                self.minute = minute;
                self.reload();
            }
            Ok(_) => {}
            Err(e) => self.refused(e),
        }
    }

    /// Reads the shown day again, keeping the selection: the same
    /// appointment if it is still on the day, else the same doctor and time.
    fn reload(&mut self) {
        let keep_id = self.selected().map(|a| a.id.clone());
        let keep_doctor = self.column_doctor();
        let keep_at = self.day.rows.get(self.cursor.1).copied();
        if !self.read_day(self.day.date) {
            return;
        }
        if let Some(place) = keep_id.and_then(|id| self.day.place_of(&id)) {
            self.cursor = place;
        } else {
            self.cursor.0 = self.column_of(keep_doctor.as_deref());
            self.cursor.1 = keep_at
                .and_then(|at| self.day.rows.iter().position(|r| *r >= at))
                .unwrap_or(self.day.rows.len().saturating_sub(1));
        }
        self.clamp();
        self.dirty = true;
    }

    /// Reads `date` into the board; a failure goes to the status line and
    /// leaves the day shown as it was (false).
    fn read_day(&mut self, date: NaiveDate) -> bool {
        let now = self.clock.now();
        match day_of::day(&mut self.store, self.clinic.as_deref(), Some(date), now) {
            Ok(day) => {
                self.day = day;
                true
            }
            Err(e) => {
                self.refused(e);
                false
            }
        }
    }

    fn go_to(&mut self, date: NaiveDate) {
        let doctor = self.column_doctor();
        if !self.read_day(date) {
            return;
        }
        self.cursor = (self.column_of(doctor.as_deref()), self.now_row());
        self.scroll = Scroll::default();
        self.clamp();
        self.dirty = true;
    }

    fn now_row(&self) -> usize {
        let now = self.clock.now();
        if time::local_today(self.day.clinic.timezone, now) != self.day.date {
            return 0;
        }
        self.day.rows.iter().rposition(|r| *r <= now).unwrap_or(0)
    }

    fn column_doctor(&self) -> Option<String> {
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

    fn clamp(&mut self) {
        self.cursor.0 = self.cursor.0.min(self.day.columns.len().saturating_sub(1));
        self.cursor.1 = self.cursor.1.min(self.day.rows.len().saturating_sub(1));
    }

    fn at(&self) -> Option<DateTime<Utc>> {
        self.day.rows.get(self.cursor.1).copied()
    }

    /// The appointment under the cursor (the first, where a slot holds more).
    fn selected(&self) -> Option<&Appointment> {
        match self.day.cell(self.cursor.0, self.at()?) {
            Cell::Booked(list) => list.first().copied(),
            _ => None,
        }
    }

    fn refused(&mut self, e: Error) {
        if e.code == Code::Database {
            self.lost = Some(Instant::now());
        }
        self.note = Some(Note::Refused {
            code: e.code.as_str(),
            message: lang::message_in(self.lang, &e.msg),
        });
        self.dirty = true;
    }

    fn done(&mut self, id: &str, args: &[(&'static str, Arg)]) {
        self.note = Some(Note::Done(fill(self.lang, id, args)));
        self.dirty = true;
    }

    fn t(&self, id: &str) -> &'static str {
        text_in(self.lang, id)
    }

    /// Answers one key.
    pub fn key(&mut self, k: KeyEvent) -> Flow {
        self.dirty = true;
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            return Flow::Quit;
        }
        if self.question.is_some() {
            self.answer(k);
            return Flow::Stay;
        }
        if self.help {
            self.help = false;
            return Flow::Stay;
        }
        self.note = None;
        if self.in_pane.is_some() {
            return self.inbox_key(k);
        }
        match k.code {
            KeyCode::Char('q') => return Flow::Quit,
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
            KeyCode::Char('[') => self.go_to(self.day.date - Duration::days(1)),
            KeyCode::Char(']') => self.go_to(self.day.date + Duration::days(1)),
            KeyCode::Char('t') => {
                let today = time::local_today(self.day.clinic.timezone, self.clock.now());
                self.go_to(today);
            }
            KeyCode::Char('?') => self.help = true,
            KeyCode::Enter => self.enter(),
            KeyCode::Char('c') => self.status(Status::Confirmed),
            KeyCode::Char('a') => self.status(Status::CheckedIn),
            KeyCode::Char('s') => self.status(Status::InProgress),
            KeyCode::Char('n') => self.status(Status::NoShow),
            KeyCode::Char('d') => self.complete(),
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
                Some(doctor) => self.start_booking(Booking {
                    doctor: Some(doctor),
                    at: None,
                    services: vec![],
                    phone: None,
                    name: None,
                    known: false,
                    service: None,
                }),
                None => self.refused(Error::new(
                    Code::Validation,
                    crate::text::Msg::new("b-no_doctor"),
                )),
            },
            KeyCode::Char('/') => self.ask("b-ask_find", Then::Find),
            #[cfg(debug_assertions)]
            KeyCode::Char('!') if std::env::var_os("APPT_BOARD_TEST_PANIC").is_some() => {
                // Only in a debug build, and only when a test asks: proves
                // the terminal is given back after a panic (tests/cli/board.rs).
                panic!("a panic the board's tests asked for");
            }
            _ => {}
        }
        self.clamp();
        Flow::Stay
    }

    fn nothing_selected(&mut self) {
        self.refused(Error::new(
            Code::Validation,
            crate::text::Msg::new("b-no_appointment"),
        ));
    }

    fn ask(&mut self, label: &str, then: Then) {
        self.ask_labelled(self.t(label).to_string(), then);
    }

    fn ask_labelled(&mut self, label: String, then: Then) {
        self.question = Some(Question {
            label,
            typed: String::new(),
            then,
        });
    }

    fn answer(&mut self, k: KeyEvent) {
        let Some(q) = self.question.as_mut() else {
            return;
        };
        match k.code {
            KeyCode::Esc => self.question = None,
            KeyCode::Backspace => {
                q.typed.pop();
            }
            KeyCode::Char(c) if !c.is_control() => q.typed.push(c),
            KeyCode::Enter => {
                let Some(q) = self.question.take() else {
                    return;
                };
                let typed = q.typed.trim().to_string();
                let q_again = q.clone();
                match q.then {
                    Then::Book(mut b) => {
                        if b.phone.is_none() {
                            match self.known(&typed) {
                                Ok(known) => b.known = known,
                                // Asked again, the booking's other answers kept.
                                Err(e) => {
                                    self.refused(e);
                                    return self.start_booking(b);
                                }
                            }
                            b.phone = Some(typed);
                        } else if b.name.is_none() && !b.known {
                            b.name = Some(typed);
                        } else {
                            b.service = Some(typed);
                        }
                        self.start_booking(b);
                    }
                    Then::Cancel(id) => self.cancel(id, typed, false),
                    Then::Force(id, reason) => match crate::core::words::answer(&typed) {
                        Some(true) => self.cancel(id, reason, true),
                        Some(false) => self.done("b-kept", &[]),
                        // Neither: asked again.
                        None => {
                            self.question = Some(Question {
                                typed: String::new(),
                                ..q_again
                            });
                        }
                    },
                    Then::Done(id) => self.finish(id, Some(typed)),
                    Then::Urgency(id) => self.urgency(id, typed),
                    Then::Find => self.find(typed),
                    Then::Reply(id) => self.reply(id, typed),
                    Then::Pick(found) => {
                        match typed
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| found.get(n.wrapping_sub(1)))
                        {
                            Some(a) => self.jump_to(a.clone()),
                            // Not one of the numbers: asked again.
                            None => {
                                self.question = Some(Question {
                                    typed: String::new(),
                                    ..q_again
                                });
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The words of a confirmation about `a`.
    fn about(&self, a: &Appointment) -> Vec<(&'static str, Arg)> {
        vec![
            ("token", a.token_number.into()),
            ("patient", draw::patient_short(self.lang, a).into()),
            ("time", time::local_hm(a.timezone, a.starts_at).into()),
            ("date", lang::date_long_in(self.lang, a.local_date).into()),
            ("status", draw::status_word(self.lang, a.status).into()),
        ]
    }

    /// After the board's own write: read the day again (its stamp too, so
    /// the write is not taken for someone else's) and select `id`.
    fn after_write(&mut self, id: Option<&str>) {
        if let Ok(stamp) = self.store.stamp() {
            self.stamp = stamp;
        }
        self.reload();
        if let Some(place) = id.and_then(|id| self.day.place_of(id)) {
            self.cursor = place;
        }
    }

    fn status(&mut self, to: Status) {
        let Some(a) = self.selected() else {
            return self.nothing_selected();
        };
        let req = StatusRequest {
            id: a.id.clone(),
            status: to.as_str().into(),
            ..StatusRequest::default()
        };
        self.set_status(req);
    }

    fn set_status(&mut self, req: StatusRequest) {
        let now = self.clock.now();
        match change::set_status(&mut self.store, &req, &self.actor, now) {
            Ok(set) if set.already => {
                let a = set.appointment;
                self.done("b-already", &self.about(&a));
            }
            Ok(set) => {
                let a = set.appointment;
                self.done("b-changed", &self.about(&a));
                self.after_write(Some(&a.id));
            }
            Err(e) => self.refused(e),
        }
    }

    /// `d`: done, asking the diagnosis first where the clinic requires one.
    fn complete(&mut self) {
        let Some(a) = self.selected() else {
            return self.nothing_selected();
        };
        let id = a.id.clone();
        // Asked where the clinic requires one and none was recorded yet
        // (docs/rules.md#statuses); any active visit may be marked done.
        if self.day.clinic.settings.require_diagnosis
            && a.diagnosis.is_none()
            && a.status.is_active()
        {
            return self.ask("b-ask_diagnosis", Then::Done(id));
        }
        self.finish(id, None);
    }

    fn finish(&mut self, id: String, diagnosis: Option<String>) {
        self.set_status(StatusRequest {
            id,
            status: Status::Completed.as_str().into(),
            diagnosis: diagnosis.filter(|d| !d.is_empty()),
            ..StatusRequest::default()
        });
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
                    self.done("b-cancelled", &self.about(a));
                }
                self.after_write(None);
            }
            Err(e) if e.code == Code::CancellationWindow && !force => {
                let why = lang::message_in(self.lang, &e.msg);
                let label = fill(self.lang, "b-ask_force", &[("why", why.into())]);
                self.ask_labelled(label, Then::Force(id, reason));
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
                self.done("b-urgency_set", &self.about(&a));
                self.after_write(Some(&a.id));
            }
            Err(e) => self.refused(e),
        }
    }

    fn reschedule(&mut self, m: Appointment, doctor: Option<String>, at: DateTime<Utc>) {
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
                self.moving = None;
                let a = done.appointments().first();
                if let Some(a) = a {
                    self.done("b-moved", &self.about(a));
                }
                self.after_write(a.map(|a| a.id.as_str()));
            }
            Err(e) => self.refused(e),
        }
    }

    /// `/`: jumps to the appointment of the one patient found, or, when
    /// several match, asks which (never one chosen for the desk).
    fn find(&mut self, typed: String) {
        let clinic = self.day.clinic.clone();
        match day_of::find(&mut self.store, &clinic, &typed, self.day.date) {
            Ok(found) if found.len() > 1 => {
                let label = fill(self.lang, "b-ask_pick", &[("n", found.len().into())]);
                self.ask_labelled(label, Then::Pick(found));
            }
            Ok(found) => match found.into_iter().next() {
                Some(a) => self.jump_to(a),
                None => self.refused(Error::new(
                    Code::NotFound,
                    crate::text::msg!("b-not_found", typed = typed),
                )),
            },
            Err(e) => self.refused(e),
        }
    }

    fn jump_to(&mut self, a: Appointment) {
        if a.local_date != self.day.date {
            self.go_to(a.local_date);
        }
        if let Some(place) = self.day.place_of(&a.id) {
            self.cursor = place;
        }
        self.done("b-found", &self.about(&a));
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

/// What the terminal (standard input) has after a wait.
enum Tty {
    /// Something to read: keys, or the end of the input.
    Ready,
    /// Nothing within the wait, or a signal cut it short.
    Quiet,
    /// The terminal is gone (its window closed): nothing to restore.
    HungUp,
}

/// Waits up to `wait` for standard input, the terminal the board reads.
fn wait_for_terminal(wait: std::time::Duration) -> Result<Tty> {
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd, for the length given.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        return match e.kind() {
            std::io::ErrorKind::Interrupted => Ok(Tty::Quiet),
            _ => Err(terminal_error(e)),
        };
    }
    if fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return Ok(Tty::HungUp);
    }
    Ok(if n > 0 { Tty::Ready } else { Tty::Quiet })
}

fn terminal_error(e: std::io::Error) -> Error {
    Error::internal(crate::text::msg!("e-the_terminal_failed", e = e))
}

/// Set by SIGTERM, SIGINT or SIGHUP: the loop ends and the terminal is given back.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// The terminal while the board holds it; dropping it gives it back.
struct Term {
    terminal: ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>,
}

impl Term {
    fn enter() -> Result<Term> {
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            // SAFETY: the handler only stores to an atomic, which is
            // async-signal-safe.
            unsafe {
                libc::signal(sig, on_signal as *const () as libc::sighandler_t);
            }
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        HELD.store(true, Ordering::SeqCst);
        terminal::enable_raw_mode().map_err(terminal_error)?;
        let mut out = std::io::stdout();
        if let Err(e) = execute!(out, terminal::EnterAlternateScreen, cursor::Hide) {
            restore();
            return Err(terminal_error(e));
        }
        // crossterm starts listening for resizes (SIGWINCH) at its first
        // look for events: looking now, before the size is read, leaves no
        // moment in which a resize is lost (a tiling window manager resizes
        // a new terminal at once).
        if let Err(e) = event::poll(std::time::Duration::ZERO) {
            restore();
            return Err(terminal_error(e));
        }
        let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
        match ratatui::Terminal::new(backend) {
            Ok(terminal) => Ok(Term { terminal }),
            Err(e) => {
                restore();
                Err(terminal_error(e))
            }
        }
    }
}

impl Term {
    /// Takes the terminal's new size and draws the screen again whole: a
    /// terminal that shrank and grew back between two looks keeps its size
    /// but not what it showed, which a drawing of only the differences would
    /// leave as it is.
    fn resized(&mut self, dirty: &mut bool) -> Result<()> {
        self.terminal.autoresize().map_err(terminal_error)?;
        self.terminal.clear().map_err(terminal_error)?;
        *dirty = true;
        Ok(())
    }

    /// Whether the terminal's size is not the one last drawn at.
    fn size_changed(&mut self) -> Result<bool> {
        let now = self.terminal.size().map_err(terminal_error)?;
        let drawn = self.terminal.get_frame().area();
        Ok(now.width != drawn.width || now.height != drawn.height)
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        restore();
    }
}

/// Whether the board holds the terminal: set when it takes it, cleared by
/// whichever gives it back first (the panic hook, then `Term`'s drop while
/// unwinding), since leaving the alternate screen twice would move the
/// cursor back above the panic's message.
static HELD: AtomicBool = AtomicBool::new(false);

/// Gives the terminal back, once: the main screen, the cursor, cooked mode.
fn restore() {
    if !HELD.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = execute!(
        std::io::stdout(),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

#[cfg(test)]
mod tests;
