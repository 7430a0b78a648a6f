//! Draws `appt board` (docs/board.md) on a ratatui frame: the header, the
//! grid of doctors and slot times, the queue and waitlist panes, the status
//! line and the keys. What is drawn is the day `app::board` read and the
//! board's state as the front end (`src/board/`) hands it over; nothing here
//! reads the database or a key.

use super::lang::{self, text_in, Lang};
use crate::app::board::{Cell, Day};
use crate::core::{time, Appointment, Status};
use crate::store::inbox::Inbound;
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;

/// What the front end hands over for one drawing.
pub struct Screen<'a> {
    pub day: &'a Day,
    pub now: DateTime<Utc>,
    pub lang: Lang,
    /// Colour on (off with `NO_COLOR`): symbols and reverse video say it all
    /// without it.
    pub color: bool,
    /// The selected cell: a column of `day.columns`, a row of `day.rows`.
    pub cursor: (usize, usize),
    /// An appointment being moved (`m`), shown until it lands.
    pub moving: Option<&'a Appointment>,
    /// The status line: what the last action did, or why it was refused.
    pub note: Option<&'a Note>,
    /// A question being answered: its label and what is typed so far.
    pub prompt: Option<(&'a str, &'a str)>,
    /// The question is answered yes or no (the footer says how).
    pub yes_no: bool,
    /// What a question offers to choose from, numbered (`/` finding
    /// several patients); empty when it offers nothing.
    pub choices: &'a [String],
    pub help: bool,
    /// The inbox pane with the focus: the message chosen, and whether it
    /// is open (shown whole).
    pub inbox: Option<(usize, bool)>,
    /// Who is at the board (once the database has staff): on the status
    /// line.
    pub who: Option<&'a str>,
}

/// The locked board (docs/board.md#people): whose PIN is asked (None: a
/// name is being typed), what is typed, and the last refusal.
pub struct Locked<'a> {
    pub lang: Lang,
    pub color: bool,
    pub name: Option<&'a str>,
    pub typed: &'a str,
    pub note: Option<&'a Note>,
}

/// Draws the locked board: nothing of the day, no patient's name; the
/// question, a PIN as dots.
pub fn render_locked(s: &Locked, area: Rect, buf: &mut Buffer) {
    let pen = Pen { color: s.color };
    Clear.render(area, buf);
    let l = s.lang;
    let asked = match s.name {
        Some(name) => format!(
            "{}: {}▏",
            lang::fill(l, "b-locked_pin", &[("name", name.to_string().into())]),
            "•".repeat(s.typed.chars().count())
        ),
        None => format!("{}: {}▏", text_in(l, "b-locked_name"), s.typed),
    };
    let mut lines = vec![
        (
            text_in(l, "b-locked").to_string(),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        (String::new(), Style::new()),
        (asked, Style::new()),
    ];
    if let Some(Note::Refused { code, message }) = s.note {
        lines.push((
            format!("{code}: {message}"),
            pen.fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    let top = area.y + area.height.saturating_sub(lines.len() as u16 + 2) / 2;
    for (i, (text, style)) in lines.iter().enumerate() {
        put(
            buf,
            area.x + 1,
            top + i as u16,
            text,
            area.width.saturating_sub(2) as usize,
            *style,
        );
    }
    let keys = text_in(l, "b-locked_keys");
    let bottom = area.y + area.height.saturating_sub(1);
    buf.set_stringn(area.x, bottom, keys, area.width as usize, pen.dim());
}

/// The status line's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Done(String),
    /// A refusal: its message and its stable code.
    Refused {
        code: &'static str,
        message: String,
    },
}

/// What stays from one drawing to the next: the first column and row shown,
/// moved only as far as keeps the cursor in view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub column: usize,
    pub row: usize,
}

/// The smallest terminal the board draws in (it asks for 80×24).
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 12;
/// The narrowest a doctor's column gets before the others scroll sideways.
const MIN_COLUMN: u16 = 20;
/// The panes go to the right from this width on, below the grid under it.
const SIDE_PANES_FROM: u16 = 110;
const SIDE_PANE: u16 = 34;
const BOTTOM_PANES: u16 = 6;

/// The symbol of a status, readable without colour.
pub fn symbol(s: Status) -> &'static str {
    match s {
        Status::Scheduled => "○",
        Status::Confirmed => "✓",
        Status::CheckedIn => "→",
        Status::InProgress => "▶",
        Status::Completed => "■",
        Status::NoShow => "✗",
        Status::Cancelled => "-",
    }
}

/// The mark after a visit's symbol when nobody arrived more than the
/// clinic's `--late-after` past its start (docs/rules.md#the-queue).
pub const LATE: &str = "!";

/// Is `a` late at the screen's time (`core::queue` decides)?
fn is_late(s: &Screen, a: &Appointment) -> bool {
    crate::core::queue::is_late(a, s.now, s.day.clinic.settings.late_after)
}

/// A status as the board says it, the words of its counts: `arrived`,
/// `done` (the commands' tables keep `checked_in`, `completed`).
pub fn status_word(l: Lang, s: Status) -> &'static str {
    text_in(l, &format!("b-is-{}", s.as_str()))
}

fn status_colour(s: Status) -> Color {
    match s {
        Status::Scheduled => Color::Reset,
        Status::Confirmed => Color::Green,
        Status::CheckedIn => Color::Yellow,
        Status::InProgress => Color::Cyan,
        Status::Completed => Color::DarkGray,
        Status::NoShow => Color::Red,
        Status::Cancelled => Color::DarkGray,
    }
}

/// `Lucía Castro` → `Lucía C.`: the first name and the last name's initial.
/// An appointment's patient on the board: their [`short_name`], or an
/// erased patient's placeholder in the board's language (docs/privacy.md#erasure).
pub fn patient_short(l: Lang, a: &Appointment) -> String {
    if a.patient_erased {
        text_in(l, "patient-erased").to_string()
    } else {
        short_name(&a.patient_name)
    }
}

pub fn short_name(full: &str) -> String {
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, .., last] => {
            let initial: String = last.chars().take(1).collect();
            format!("{first} {initial}.")
        }
    }
}

struct Pen {
    color: bool,
}

impl Pen {
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }
    fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
}

/// Draws the whole screen, keeping `scroll` so that the cursor shows.
pub fn draw(frame: &mut Frame, s: &Screen, scroll: &mut Scroll) {
    let area = frame.area();
    render(s, scroll, area, frame.buffer_mut());
}

/// [`draw`] on a plain buffer (what the benchmark and the tests time and read).
pub fn render(s: &Screen, scroll: &mut Scroll, area: Rect, buf: &mut Buffer) {
    let pen = Pen { color: s.color };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        // Too small to be of use: say so, and draw again once it grows.
        let text = lang::fill(
            s.lang,
            "b-too_small",
            &[("width", MIN_WIDTH.into()), ("height", MIN_HEIGHT.into())],
        );
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .render(area, buf);
        return;
    }
    let [head, body, status, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(s, head, buf);
    let (grid_area, panes) = if area.width >= SIDE_PANES_FROM {
        let [g, p] =
            Layout::horizontal([Constraint::Min(20), Constraint::Length(SIDE_PANE)]).areas(body);
        (g, p)
    } else {
        let panes = BOTTOM_PANES.min(body.height / 2);
        let [g, p] = Layout::vertical([Constraint::Min(4), Constraint::Length(panes)]).areas(body);
        (g, p)
    };
    grid(s, &pen, scroll, grid_area, buf);
    side(s, &pen, panes, area.width >= SIDE_PANES_FROM, buf);
    status_line(s, &pen, status, buf);
    footer(s, &pen, keys, buf);
    if s.help {
        help(s, &pen, area, buf);
    }
    if let (Some((at, true)), Some(messages)) = (s.inbox, &s.day.inbox) {
        if let Some(m) = messages.get(at) {
            open_message(s, m, &pen, area, buf);
        }
    }
    if !s.choices.is_empty() {
        choices(s, &pen, area, buf);
    }
}

/// The choice a question offers, over the grid: one line each, cut with
/// `…` where the screen is narrow; the number is typed in the status line.
fn choices(s: &Screen, pen: &Pen, area: Rect, buf: &mut Buffer) {
    let w = area.width.min(78);
    let shown = (area.height.saturating_sub(6) as usize).min(s.choices.len());
    let h = shown as u16 + 2;
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + 2,
        width: w,
        height: h,
    };
    Clear.render(r, buf);
    let block = Block::bordered().title(text_in(s.lang, "b-choose_title"));
    let inner = block.inner(r);
    block.render(r, buf);
    for (i, line) in s.choices.iter().take(shown).enumerate() {
        put(
            buf,
            inner.x,
            inner.y + i as u16,
            line,
            inner.width as usize,
            pen.fg(Color::Reset),
        );
    }
}

fn header(s: &Screen, area: Rect, buf: &mut Buffer) {
    let l = s.lang;
    let d = s.day;
    let (_, clock) = time::to_local(d.clinic.timezone, s.now);
    let first = format!(
        "{} · {} · {}",
        d.clinic.name,
        lang::date_long_in(l, d.date),
        clock
    );
    let bold = Style::new().add_modifier(Modifier::BOLD);
    put(buf, area.x, area.y, &first, area.width as usize, bold);
    let c = &d.counts;
    let mut counts = lang::fill(
        l,
        "b-counts",
        &[
            ("booked", c.booked.into()),
            ("free", c.free.into()),
            ("arrived", c.arrived.into()),
            ("in_progress", c.in_progress.into()),
            ("done", c.done.into()),
            ("no_show", c.no_show.into()),
        ],
    );
    if c.recalls > 0 {
        counts.push_str(" · ");
        counts.push_str(&lang::fill(l, "b-recalls", &[("n", c.recalls.into())]));
    }
    put(
        buf,
        area.x,
        area.y + 1,
        &counts,
        area.width as usize,
        Style::new(),
    );
}

/// The time column's width: `▸10:15 `, or with the UTC offset on a day the
/// clocks change (`▸01:30 -04 `), where a local time may come twice.
fn time_width(s: &Screen) -> u16 {
    if time::clock_changes_on(s.day.clinic.timezone, s.day.date) {
        11
    } else {
        7
    }
}

/// The row the current-time marker is on: the last that starts at or before
/// now, when the day shown is today and now is within its rows.
fn now_row(s: &Screen) -> Option<usize> {
    let d = s.day;
    if time::local_today(d.clinic.timezone, s.now) != d.date {
        return None;
    }
    d.rows.iter().rposition(|r| *r <= s.now)
}

fn grid(s: &Screen, pen: &Pen, scroll: &mut Scroll, area: Rect, buf: &mut Buffer) {
    let d = s.day;
    let l = s.lang;
    if area.height < 3 || area.width < 10 {
        return;
    }
    let tw = time_width(s);
    if d.columns.is_empty() {
        let msg = text_in(l, "b-nobody");
        buf.set_stringn(area.x, area.y + 2, msg, area.width as usize, pen.dim());
        return;
    }
    // Columns: as many as fit at MIN_COLUMN, sharing the width.
    let room = area.width.saturating_sub(tw);
    let fit = usize::from((room / MIN_COLUMN).max(1)).min(d.columns.len());
    let (col, row) = s.cursor;
    if col < scroll.column {
        scroll.column = col;
    }
    if col >= scroll.column + fit {
        scroll.column = col + 1 - fit;
    }
    scroll.column = scroll.column.min(d.columns.len() - fit);
    let width = room / fit as u16;
    // Two header lines, then one line a row; a marker line when some
    // columns are out of sight.
    let hidden_left = scroll.column;
    let hidden_right = d.columns.len() - scroll.column - fit;
    let body_top = area.y + 2;
    let body_height = area.height.saturating_sub(2) as usize;
    let rows = d.rows.len();
    if row < scroll.row {
        scroll.row = row;
    }
    if body_height > 0 && row >= scroll.row + body_height {
        scroll.row = row + 1 - body_height;
    }
    scroll.row = scroll.row.min(rows.saturating_sub(body_height));
    if hidden_left > 0 {
        buf.set_stringn(
            area.x,
            area.y,
            format!("◂{hidden_left}"),
            tw as usize,
            pen.fg(Color::Yellow),
        );
    }
    if hidden_right > 0 {
        let mark = format!("{hidden_right}▸");
        let x = area.x + area.width - mark.chars().count() as u16;
        buf.set_stringn(x, area.y + 1, &mark, 4, pen.fg(Color::Yellow));
    }
    for (i, c) in d.columns.iter().enumerate().skip(scroll.column).take(fit) {
        let x = area.x + tw + (i - scroll.column) as u16 * width;
        let w = width.saturating_sub(1) as usize;
        let (name, second) = match (&c.doctor, &c.resource) {
            (Some(doc), _) => (
                doc.full_name.clone(),
                doc.specialty.clone().unwrap_or_default(),
            ),
            (None, Some(r)) => (
                r.name.clone(),
                text_in(l, super::human::resource_kind_id(r.kind)).to_string(),
            ),
            (None, None) => (text_in(l, "b-clinic_wide").to_string(), String::new()),
        };
        let second = match &c.closed {
            Some(reason) => closed_label(l, reason),
            None => second,
        };
        let bold = Style::new().add_modifier(Modifier::BOLD);
        put(buf, x, area.y, &name, w, bold);
        let style = if c.closed.is_some() {
            pen.fg(Color::Magenta)
        } else {
            pen.dim()
        };
        put(buf, x, area.y + 1, &second, w, style);
    }
    if rows == 0 {
        let msg = match d.columns.iter().find_map(|c| c.closed.as_deref()) {
            Some(reason) => closed_label(l, reason),
            None => text_in(l, "b-no_slots").to_string(),
        };
        buf.set_stringn(area.x + tw, body_top, &msg, room as usize, pen.dim());
        return;
    }
    let marker = now_row(s);
    let tz = d.clinic.timezone;
    for (ri, at) in d.rows.iter().enumerate().skip(scroll.row).take(body_height) {
        let y = body_top + (ri - scroll.row) as u16;
        // On a day the clocks change, with its UTC offset (`01:30 -04`).
        let label = time::local_hm(tz, *at);
        let (mark, style) = if marker == Some(ri) {
            ("▸", pen.fg(Color::Yellow).add_modifier(Modifier::BOLD))
        } else {
            (" ", pen.dim())
        };
        buf.set_stringn(area.x, y, format!("{mark}{label}"), tw as usize, style);
        for ci in scroll.column..scroll.column + fit {
            let x = area.x + tw + (ci - scroll.column) as u16 * width;
            let w = width.saturating_sub(1) as usize;
            let (text, mut style) = cell_text(s, pen, ci, *at);
            if s.moving
                .is_some_and(|m| m.starts_at == *at && in_column(d, ci, &m.id))
            {
                style = style.add_modifier(Modifier::UNDERLINED);
            }
            if (ci, ri) == s.cursor {
                style = style.add_modifier(Modifier::REVERSED);
                // The whole cell shows the selection, not only its text.
                buf.set_stringn(x, y, " ".repeat(w), w, style);
            }
            put(buf, x, y, &text, w, style);
        }
    }
}

fn in_column(d: &Day, ci: usize, id: &str) -> bool {
    d.columns
        .get(ci)
        .is_some_and(|c| c.appointments.iter().any(|a| a.id == id))
}

/// A closed day as the board says it: `Closed: Holiday`, or `Closed` when
/// the closure gave no reason (`app::agenda` stores it as `Closed`).
fn closed_label(l: Lang, reason: &str) -> String {
    let closed = text_in(l, "b-closed");
    if reason == "Closed" {
        closed.to_string()
    } else {
        format!("{closed}: {reason}")
    }
}

fn cell_text(s: &Screen, pen: &Pen, column: usize, at: DateTime<Utc>) -> (String, Style) {
    let l = s.lang;
    match s.day.cell(column, at) {
        Cell::Booked(list) => {
            let a = list[0];
            let late = is_late(s, a);
            let mut text = format!(
                "#{}{} {}{} {}",
                a.token_number,
                super::human::marks(a),
                symbol(a.status),
                if late { LATE } else { "" },
                patient_short(l, a)
            );
            if list.len() > 1 {
                text = format!("{text} +{}", list.len() - 1);
            }
            // An occurrence of a series (docs/rules.md#series).
            if a.series_id.is_some() {
                text.push_str(" ↻");
            }
            let colour = if late {
                Color::LightRed
            } else {
                status_colour(a.status)
            };
            (text, pen.fg(colour))
        }
        Cell::Free(slot) => {
            let word = if slot.services.len() > 1 {
                text_in(l, "b-free_service")
            } else {
                text_in(l, "b-free")
            };
            (format!("· {word}"), pen.dim())
        }
        Cell::Buffer => (format!("· {}", text_in(l, "b-buffer")), pen.fg(Color::Cyan)),
        Cell::Held => (format!("· {}", text_in(l, "b-held")), pen.fg(Color::Cyan)),
        Cell::Away => (
            format!("· {}", text_in(l, "b-away")),
            pen.fg(Color::Magenta),
        ),
        Cell::Closed => ("░".to_string(), pen.fg(Color::Magenta)),
        Cell::Nothing => (String::new(), Style::new()),
    }
}

/// The panes: the queue and the waitlist, and the inbox when the clinic
/// has channels (each a half, or a third).
fn side(s: &Screen, pen: &Pen, area: Rect, beside: bool, buf: &mut Buffer) {
    let l = s.lang;
    let parts = if s.day.inbox.is_some() { 3 } else { 2 };
    let split = vec![Constraint::Ratio(1, parts); parts as usize];
    let areas = if beside {
        Layout::vertical(split).split(area)
    } else {
        Layout::horizontal(split).split(area)
    };
    let (q, w) = (areas[0], areas[1]);
    if let (Some(messages), Some(&i)) = (&s.day.inbox, areas.get(2)) {
        inbox_pane(s, messages, pen, i, buf);
    }
    let queue: Vec<String> = s
        .day
        .queue
        .iter()
        .map(|a| {
            let doctor = a.doctor_name.as_deref().map(short_name).unwrap_or_default();
            format!(
                "#{} {} {}  {}",
                a.token_number,
                symbol(a.status),
                patient_short(l, a),
                doctor
            )
        })
        .collect();
    pane(
        &format!("{} ({})", text_in(l, "b-queue"), queue.len()),
        &queue,
        text_in(l, "b-queue_empty"),
        pen,
        q,
        buf,
    );
    let waiting: Vec<String> = s
        .day
        .waitlist
        .iter()
        .map(|e| {
            format!(
                "{}  {}",
                short_name(&e.patient_name),
                short_name(&e.doctor_name)
            )
        })
        .collect();
    pane(
        &format!("{} ({})", text_in(l, "b-waitlist"), waiting.len()),
        &waiting,
        text_in(l, "b-waitlist_empty"),
        pen,
        w,
        buf,
    );
}

/// The clinic's inbox: who wrote (the patient's short name, or the phone
/// of someone the clinic does not know) and their words on one line.
fn inbox_pane(s: &Screen, messages: &[Inbound], pen: &Pen, area: Rect, buf: &mut Buffer) {
    let l = s.lang;
    let lines: Vec<String> = messages
        .iter()
        .map(|m| {
            let who = match (&m.patient_name, &m.sender) {
                (Some(name), _) => short_name(name),
                (None, Some(phone)) => super::phone::shown(phone),
                (None, None) => String::new(),
            };
            let words: String = m
                .body
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            format!("{who}  {}", words.trim())
        })
        .collect();
    let title = format!("{} ({})", text_in(l, "b-inbox"), lines.len());
    let Some((at, _)) = s.inbox else {
        return pane(&title, &lines, text_in(l, "b-inbox_empty"), pen, area, buf);
    };
    // With the focus: the chosen message in reverse video, kept in sight.
    let block = Block::bordered()
        .title(title)
        .border_style(Style::new().add_modifier(Modifier::BOLD));
    let inner = block.inner(area);
    block.render(area, buf);
    let shown = inner.height as usize;
    let first = (at + 1).saturating_sub(shown);
    for (i, line) in lines.iter().enumerate().skip(first).take(shown) {
        let style = if i == at {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        put(
            buf,
            inner.x,
            inner.y + (i - first) as u16,
            line,
            inner.width as usize,
            style,
        );
    }
}

/// An inbox message shown whole over the day (`Enter` in the inbox): who
/// wrote, when, by which channel, and every word, wrapped.
fn open_message(s: &Screen, m: &Inbound, pen: &Pen, area: Rect, buf: &mut Buffer) {
    let l = s.lang;
    let who = match (&m.patient_name, &m.patient_phone, &m.sender) {
        (Some(name), Some(phone), _) => format!("{name} {}", super::phone::shown(phone)),
        (_, _, Some(phone)) => super::phone::shown(phone),
        _ => String::new(),
    };
    let (date, hm) = crate::core::time::to_local(s.day.clinic.timezone, m.received_at);
    let title = format!(
        "{who} · {} {hm} · {}",
        lang::day_short_in(l, date),
        m.channel
    );
    let text = format!("{}\n\n{}", m.body, text_in(l, "b-keys_message"));
    let w = area.width.min(78);
    let h = area.height.min(text.lines().count() as u16 + 6).max(6);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    Clear.render(r, buf);
    Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .style(pen.fg(Color::Reset))
        .block(Block::bordered().title(cut(&title, w.saturating_sub(4) as usize)))
        .render(r, buf);
}

fn pane(title: &str, lines: &[String], empty: &str, pen: &Pen, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered().title(title.to_string());
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    if lines.is_empty() {
        buf.set_stringn(inner.x, inner.y, empty, inner.width as usize, pen.dim());
        return;
    }
    let shown = inner.height as usize;
    for (i, line) in lines.iter().take(shown).enumerate() {
        let last = i + 1 == shown && lines.len() > shown;
        let text = if last {
            format!("+{}", lines.len() - i)
        } else {
            line.clone()
        };
        put(
            buf,
            inner.x,
            inner.y + i as u16,
            &text,
            inner.width as usize,
            Style::new(),
        );
    }
}

fn status_line(s: &Screen, pen: &Pen, area: Rect, buf: &mut Buffer) {
    let l = s.lang;
    if let Some((label, typed)) = s.prompt {
        let text = format!("{label}: {typed}▏");
        let style = Style::new().add_modifier(Modifier::BOLD);
        if fits(&text, area.width) {
            buf.set_stringn(area.x, area.y, text, area.width as usize, style);
            return;
        }
        // Too long for the line: the whole question wraps upwards over the
        // day, its choices and the answer typed in sight.
        let lines = crate::output::fit::wrap("", &text, Some(area.width as usize));
        let n = lines.lines().count() as u16;
        let top = area.y.saturating_sub(n.saturating_sub(1));
        let r = Rect {
            x: area.x,
            y: top,
            width: area.width,
            height: area.y - top + 1,
        };
        Clear.render(r, buf);
        for (i, line) in lines.lines().enumerate() {
            buf.set_stringn(area.x, top + i as u16, line, area.width as usize, style);
        }
        return;
    }
    let (text, style) = match (s.note, s.moving) {
        (Some(Note::Refused { code, message }), _) => (
            format!("{code}: {message}"),
            pen.fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        (Some(Note::Done(text)), _) => (text.clone(), pen.fg(Color::Green)),
        (None, Some(m)) => (
            lang::fill(
                l,
                "b-moving",
                &[
                    ("token", m.token_number.into()),
                    ("patient", patient_short(l, m).into()),
                ],
            ),
            pen.fg(Color::Yellow),
        ),
        // A stale calendar is said first, until it is read again.
        (None, None) if !s.day.stale.is_empty() => (
            format!(
                "{} · {}",
                lang::fill(l, "b-stale", &[("names", s.day.stale.join(", ").into())]),
                selected_text(s)
            ),
            pen.fg(Color::Yellow),
        ),
        (None, None) => (selected_text(s), Style::new()),
    };
    // Who is at the board, first.
    let text = match s.who {
        Some(who) => format!("{who} · {text}"),
        None => text,
    };
    put(buf, area.x, area.y, &text, area.width as usize, style);
}

/// The selected cell in words: the appointment's patient, service and
/// status, or the free time.
fn selected_text(s: &Screen) -> String {
    let l = s.lang;
    let (ci, ri) = s.cursor;
    let Some(at) = s.day.rows.get(ri) else {
        return String::new();
    };
    let hm = time::local_hm(s.day.clinic.timezone, *at);
    match s.day.cell(ci, *at) {
        Cell::Booked(list) => list
            .iter()
            .map(|a| {
                let service = a
                    .service_name
                    .as_deref()
                    .map(|n| format!(" · {n}"))
                    .unwrap_or_default();
                // Its rooms and machines, after the service (in a room's
                // column, the others).
                let column = s.day.columns[ci].resource.as_ref();
                let rooms: Vec<&str> = a
                    .resources
                    .iter()
                    .filter(|r| column.is_none_or(|c| c.id != r.id))
                    .map(|r| r.name.as_str())
                    .collect();
                // In a room's column, whose visit it is, before its rooms.
                let service = match (column, &a.doctor_name) {
                    (Some(_), Some(d)) => format!("{service} · {d}"),
                    _ => service,
                };
                let service = match rooms.is_empty() {
                    true => service,
                    false => format!("{service} · {}", rooms.join(", ")),
                };
                let series = match a.series_id {
                    Some(_) => format!(" · {}", text_in(l, "b-in_series")),
                    None => String::new(),
                };
                let late = if is_late(s, a) {
                    format!(" · {}", text_in(l, "b-late"))
                } else {
                    String::new()
                };
                // What a mark beside the token stands for, in words.
                let urgency = match a.urgency {
                    crate::core::Urgency::Normal => String::new(),
                    u => format!(" · {}", text_in(l, &format!("urgency-{}", u.as_str()))),
                };
                let series = match a.overbooked {
                    Some(_) => format!("{series} · {}", text_in(l, "b-overbooked")),
                    None => series,
                };
                // What became of the last message about it: `reminder 24h read`.
                let series = match s.day.told.get(&a.id) {
                    Some(m) => format!(
                        "{series} · {} {}",
                        super::human::kind_words(l, m),
                        text_in(l, &format!("reminder-{}", crate::wire::message_status(m)))
                    ),
                    None => series,
                };
                format!(
                    "{hm} #{} {} · {}{service} · {}{late}{urgency}{series}",
                    a.token_number,
                    if a.patient_erased {
                        text_in(l, "patient-erased")
                    } else {
                        &a.patient_name
                    },
                    super::phone::shown(&a.patient_phone),
                    status_word(l, a.status)
                )
            })
            .collect::<Vec<_>>()
            .join("  |  "),
        Cell::Free(slot) => {
            // The services that fit from it, when its window takes only some.
            let names: Vec<&str> = slot.services.iter().map(|s| s.name.as_str()).collect();
            let id = if names.is_empty() {
                "b-free_at"
            } else {
                "b-free_at_service"
            };
            lang::fill(
                l,
                id,
                &[
                    ("time", hm.into()),
                    ("places", slot.remaining.into()),
                    ("services", names.join(", ").into()),
                ],
            )
        }
        Cell::Buffer => lang::fill(l, "b-buffer_at", &[("time", hm.into())]),
        Cell::Held => lang::fill(l, "b-held_at", &[("time", hm.into())]),
        Cell::Away => lang::fill(l, "b-away_at", &[("time", hm.into())]),
        Cell::Closed | Cell::Nothing => hm,
    }
}

fn footer(s: &Screen, pen: &Pen, area: Rect, buf: &mut Buffer) {
    let l = s.lang;
    // A question asked again after a refusal: the refusal stays in sight
    // below it, in the keys' place.
    if let (Some(_), Some(Note::Refused { code, message })) = (s.prompt, s.note) {
        let style = pen.fg(Color::Red).add_modifier(Modifier::BOLD);
        put(
            buf,
            area.x,
            area.y,
            &format!("{code}: {message}"),
            area.width as usize,
            style,
        );
        return;
    }
    let keys = if s.prompt.is_some() && s.yes_no {
        text_in(l, "b-keys_yes_no")
    } else if s.prompt.is_some() {
        text_in(l, "b-keys_prompt")
    } else if s.inbox.is_some() {
        text_in(l, "b-keys_inbox")
    } else if s.moving.is_some() {
        text_in(l, "b-keys_moving")
    } else if fits(text_in(l, "b-keys"), area.width) {
        text_in(l, "b-keys")
    } else {
        text_in(l, "b-keys_short")
    };
    buf.set_stringn(area.x, area.y, keys, area.width as usize, pen.dim());
}

fn fits(text: &str, width: u16) -> bool {
    unicode_width::UnicodeWidthStr::width(text) <= usize::from(width)
}

/// `text` cut to `width` columns, ending with `…` when it was cut, so the
/// desk sees that a name goes on (`Dra. Ana Garcí…`).
pub fn cut(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Writes `text` at `x, y` within `width` columns, cut with `…` ([`cut`]).
fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, width: usize, style: Style) {
    buf.set_stringn(x, y, cut(text, width), width, style);
}

fn help(s: &Screen, pen: &Pen, area: Rect, buf: &mut Buffer) {
    let l = s.lang;
    let mut text = lang::fill(l, "b-help", &[]);
    text.push_str("\n\n");
    // The legend, three statuses a line, so that no name is cut in two.
    let legend = [
        Status::Scheduled,
        Status::Confirmed,
        Status::CheckedIn,
        Status::InProgress,
        Status::Completed,
        Status::NoShow,
    ];
    for three in legend.chunks(3) {
        let words: Vec<String> = three
            .iter()
            .map(|st| {
                let name = status_word(l, *st);
                format!("{} {name}", symbol(*st))
            })
            .collect();
        text.push_str(&words.join("   "));
        text.push('\n');
    }
    text.push_str(&format!("○{LATE} {}\n", text_in(l, "b-late")));
    let w = area.width.min(78);
    let h = area.height.min(text.lines().count() as u16 + 3);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    Clear.render(r, buf);
    Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .style(pen.fg(Color::Reset))
        .block(Block::bordered().title(text_in(l, "b-help_title")))
        .render(r, buf);
}
