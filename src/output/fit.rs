//! Human tables that fit the width they are shown in (docs/commands.md#conventions "Output"): IDs,
//! dates and times never wrap. When a table is too wide, each table's own
//! list of steps is applied in order — drop a less important column, or show
//! a shorter form of one (a start time instead of a range) — and free text
//! (names, reasons) is cut with an ellipsis, widest first, down to a readable
//! floor. Nothing is ever wrapped inside a cell.
//!
//! The width: `$COLUMNS` when it is a positive number, else the terminal's
//! when stdout is one, else none (a pipe or a file gets every column whole).

use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
use std::io::IsTerminal;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

static WIDTH: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// `--width N`: what tables and messages fit, whatever the terminal says.
pub fn set_width(columns: usize) {
    let _ = WIDTH.set(columns);
}

/// Whether stdout is a terminal, asked once: a table of a thousand rows
/// asks at each row.
pub fn stdout_is_terminal() -> bool {
    static TERMINAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TERMINAL.get_or_init(|| std::io::stdout().is_terminal())
}

/// Whether stderr is a terminal, asked once.
fn stderr_is_terminal() -> bool {
    static TERMINAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TERMINAL.get_or_init(|| std::io::stderr().is_terminal())
}

/// `--width`, else a positive `$COLUMNS`.
fn given_width() -> Option<usize> {
    WIDTH.get().copied().or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
    })
}

/// The width human output must fit, if any: `--width`, `$COLUMNS`, else
/// the terminal's — stdout's, or stderr's when stdout is piped into a pager
/// from a terminal (`appt agenda | less`).
pub fn width() -> Option<usize> {
    if let Some(n) = given_width() {
        return Some(n);
    }
    if stdout_is_terminal() {
        // comfy-table asks the terminal for its size when stdout is one.
        return Table::new().width().map(usize::from);
    }
    stderr_width()
}

/// The width messages, hints and questions on stderr wrap at: `--width`,
/// `$COLUMNS`, else stderr's terminal; None (no wrapping) off a terminal.
pub fn message_width() -> Option<usize> {
    given_width().or_else(stderr_width)
}

/// The columns of the terminal on stderr, if it is one.
fn stderr_width() -> Option<usize> {
    if !stderr_is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ only fills in the winsize it is handed.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// `text` wrapped at word boundaries to `width` columns: a word, a time or
/// an ID is never split (one longer than the line stands alone on its own);
/// a wrapped line goes on indented by two spaces. Lines that fit, a table's
/// lines (fitted already, perhaps coloured) and all text when `width` is
/// None are left as they are.
pub fn wrap_lines(text: &str, width: Option<usize>) -> String {
    let Some(width) = width.filter(|w| *w >= 20) else {
        return text.to_string();
    };
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let table =
            line.contains('\u{1b}') || line.starts_with(['│', '┌', '└', '╞', '├', '╰', '╭']);
        if table || UnicodeWidthStr::width(line) <= width {
            out.push(line.to_string());
            continue;
        }
        let mut current = String::new();
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let needed =
                UnicodeWidthStr::width(current.as_str()) + 1 + UnicodeWidthStr::width(word);
            if !current.trim().is_empty() && needed > width {
                out.push(std::mem::take(&mut current));
                current.push_str("  ");
            } else if !current.is_empty() && !current.ends_with("  ") {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(current);
    }
    out.join("\n")
}

/// The narrowest a cut column gets when even every step leaves the table too wide.
const HARD_FLOOR: usize = 4;

/// A column: its header and, for free text, how far it may be cut.
pub struct Col {
    header: &'static str,
    /// The header when the column shows its short form.
    short_header: Option<&'static str>,
    /// Free text: may be cut with an ellipsis down to this many characters.
    cut_to: Option<usize>,
}

/// A column that is never cut (IDs, dates, times, codes, numbers).
pub fn col(header: &'static str) -> Col {
    Col {
        header,
        short_header: None,
        cut_to: None,
    }
}

/// A free-text column that may be cut with an ellipsis down to `floor` characters.
pub fn text(header: &'static str, floor: usize) -> Col {
    Col {
        header,
        short_header: None,
        cut_to: Some(floor),
    }
}

impl Col {
    /// The header shown with the column's short form.
    pub fn short(mut self, header: &'static str) -> Col {
        self.short_header = Some(header);
        self
    }
}

/// One cell: its text, a shorter form where the column has one, a colour.
pub struct Item {
    text: String,
    short: Option<String>,
    colour: Option<Color>,
}

impl Item {
    pub fn new(text: impl ToString) -> Item {
        Item {
            text: text.to_string(),
            short: None,
            colour: None,
        }
    }

    /// The text shown when the column is in its short form.
    pub fn or_short(mut self, short: impl ToString) -> Item {
        self.short = Some(short.to_string());
        self
    }

    pub fn colour(mut self, colour: Option<Color>) -> Item {
        self.colour = colour;
        self
    }

    fn shown(&self, short: bool) -> &str {
        match (&self.short, short) {
            (Some(s), true) => s,
            _ => &self.text,
        }
    }

    /// The text as a fitted table shows it: one line (a cell with line
    /// breaks shows its first line and an ellipsis).
    fn line(&self, short: bool) -> String {
        let text = self.shown(short);
        match text.split_once('\n') {
            Some((first, _)) => format!("{first}…"),
            None => text.to_string(),
        }
    }
}

impl From<String> for Item {
    fn from(text: String) -> Item {
        Item::new(text)
    }
}

impl From<&str> for Item {
    fn from(text: &str) -> Item {
        Item::new(text)
    }
}

/// What a table gives up, in order, when it is too wide.
#[derive(Clone, Copy)]
pub enum Step {
    /// Leave this column out.
    Drop(&'static str),
    /// Show this column's short form.
    Short(&'static str),
}

/// A table to be fitted to a width.
pub struct Sheet {
    cols: Vec<Col>,
    rows: Vec<Vec<Item>>,
    steps: Vec<Step>,
}

impl Sheet {
    pub fn new(cols: Vec<Col>) -> Sheet {
        Sheet {
            cols,
            rows: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// What to give up, in order, when the table is too wide.
    pub fn steps(mut self, steps: &[Step]) -> Sheet {
        self.steps = steps.to_vec();
        self
    }

    pub fn row(&mut self, items: Vec<Item>) {
        self.rows.push(items);
    }

    /// The table fitted to [`width`].
    pub fn render(&self) -> String {
        self.render_at(width())
    }

    /// The table fitted to `width` columns (`None`: every column whole).
    pub fn render_at(&self, width: Option<usize>) -> String {
        let n = self.cols.len();
        let mut shown = vec![true; n];
        let mut short = vec![false; n];
        let Some(width) = width else {
            return self.build(&shown, &short, &vec![None; n], false);
        };
        let mut steps = self.steps.iter();
        loop {
            let natural = self.natural(&shown, &short);
            let visible = shown.iter().filter(|s| **s).count();
            let room = width.saturating_sub(3 * visible + 1);
            let total: usize = natural.iter().sum();
            if total <= room {
                return self.build(&shown, &short, &vec![None; n], true);
            }
            let floor = |i: usize| match self.cols[i].cut_to {
                Some(f) => natural[i].min(f.max(self.header(i, short[i]).width())),
                None => natural[i],
            };
            let floored: usize = (0..n).filter(|i| shown[*i]).map(floor).sum();
            let next = if floored <= room { None } else { steps.next() };
            match next {
                Some(Step::Drop(h)) => self.find(h).into_iter().for_each(|i| shown[i] = false),
                Some(Step::Short(h)) => self.find(h).into_iter().for_each(|i| short[i] = true),
                None => {
                    let mut widths = natural.clone();
                    let soft: Vec<usize> = (0..n).map(floor).collect();
                    let hard: Vec<usize> = (0..n)
                        .map(|i| match self.cols[i].cut_to {
                            Some(_) => natural[i].min(HARD_FLOOR),
                            None => natural[i],
                        })
                        .collect();
                    for least in [&soft, &hard] {
                        shrink(&mut widths, least, &shown, room);
                    }
                    let cut: Vec<Option<usize>> = (0..n)
                        .map(|i| (shown[i] && widths[i] < natural[i]).then_some(widths[i]))
                        .collect();
                    return self.build(&shown, &short, &cut, true);
                }
            }
        }
    }

    fn find(&self, header: &str) -> Option<usize> {
        self.cols.iter().position(|c| c.header == header)
    }

    fn header(&self, i: usize, short: bool) -> &'static str {
        super::lang::heading(match (self.cols[i].short_header, short) {
            (Some(h), true) => h,
            _ => self.cols[i].header,
        })
    }

    /// Each column's widest content as the terminal shows it (0 when hidden).
    fn natural(&self, shown: &[bool], short: &[bool]) -> Vec<usize> {
        (0..self.cols.len())
            .map(|i| match shown[i] {
                false => 0,
                true => self
                    .rows
                    .iter()
                    .map(|r| r[i].line(short[i]).width())
                    .fold(self.header(i, short[i]).width(), usize::max)
                    .max(1),
            })
            .collect()
    }

    fn build(
        &self,
        shown: &[bool],
        short: &[bool],
        cut: &[Option<usize>],
        one_line: bool,
    ) -> String {
        let idx: Vec<usize> = (0..self.cols.len()).filter(|i| shown[*i]).collect();
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(idx.iter().map(|&i| match cut[i] {
                Some(w) => ellipsis(self.header(i, short[i]), w),
                None => self.header(i, short[i]).to_string(),
            }));
        for r in &self.rows {
            t.add_row(idx.iter().map(|&i| {
                let text = match (one_line, cut[i]) {
                    (false, _) => r[i].shown(short[i]).to_string(),
                    (true, None) => r[i].line(short[i]),
                    (true, Some(w)) => ellipsis(&r[i].line(short[i]), w),
                };
                match r[i].colour {
                    Some(c) => Cell::new(text).fg(c),
                    None => Cell::new(text),
                }
            }));
        }
        t.to_string()
    }
}

/// Narrows the widest shown column that is above its `least` width, one
/// character at a time, until the columns fit in `room` or none can give more.
fn shrink(widths: &mut [usize], least: &[usize], shown: &[bool], room: usize) {
    loop {
        let total: usize = (0..widths.len())
            .filter(|i| shown[*i])
            .map(|i| widths[i])
            .sum();
        if total <= room {
            return;
        }
        let widest = (0..widths.len())
            .filter(|i| shown[*i] && widths[*i] > least[*i])
            .max_by_key(|i| (widths[*i], std::cmp::Reverse(*i)));
        match widest {
            Some(i) => widths[i] -= 1,
            None => return,
        }
    }
}

/// Parts joined by spaces, broken onto indented lines between parts where
/// the line would pass `width`. A part is never broken (a date, a time),
/// unless it is wider than a line by itself: free text (a long name) is then
/// broken between its words.
pub fn join(parts: &[String], width: Option<usize>) -> String {
    let pieces: Vec<&str> = parts
        .iter()
        .flat_map(|p| match width {
            Some(w) if p.width() + 2 > w => p.split(' ').collect::<Vec<_>>(),
            _ => vec![p.as_str()],
        })
        .collect();
    let mut out = String::new();
    let mut line = 0;
    for p in pieces.into_iter().filter(|p| !p.is_empty()) {
        let len = p.width();
        if line == 0 {
            out.push_str(p);
            line = len;
        } else if width.is_some_and(|w| line + 1 + len > w) {
            out.push_str("\n  ");
            out.push_str(p);
            line = 2 + len;
        } else {
            out.push(' ');
            out.push_str(p);
            line += 1 + len;
        }
    }
    out
}

/// `label` then `text`, its words carried onto lines indented under the
/// text's start where a line would pass `width` (a word is never broken).
pub fn wrap(label: &str, text: &str, width: Option<usize>) -> String {
    let indent = label.width();
    let Some(w) = width else {
        // Unwrapped, but each further line of the text still under the label's column.
        let indented = format!("\n{}", " ".repeat(indent));
        return format!("{label}{}", text.replace('\n', &indented));
    };
    let mut out = label.to_string();
    let mut line = indent;
    for (n, para) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            line = indent;
        }
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let len = word.width();
            if line > indent && line + 1 + len > w {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                line = indent;
            } else if line > indent {
                out.push(' ');
                line += 1;
            }
            out.push_str(word);
            line += len;
        }
    }
    out
}

/// `s` cut to at most `max` terminal columns, ending in an ellipsis when cut.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    // A cut right after a space would leave it before the ellipsis.
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_wrap_between_words_never_inside_one() {
        let text =
            "No free slot on Tuesday 16 June 2026 08:00-12:00; the next free day is Wednesday";
        let wrapped = wrap_lines(text, Some(30));
        for line in wrapped.lines() {
            assert!(UnicodeWidthStr::width(line) <= 30, "{line:?}");
        }
        assert!(wrapped.contains("08:00-12:00"), "{wrapped}");
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("  ")),
            "{wrapped}"
        );
        // A word longer than the line is kept whole.
        let id = "3f2a1b4c-0000-4000-8000-000000000000";
        assert!(wrap_lines(&format!("see {id} now"), Some(20))
            .lines()
            .any(|l| l.trim() == id));
        // Nothing to fit: as it is.
        assert_eq!(wrap_lines(text, None), text);
        assert_eq!(wrap_lines("short\nlines", Some(40)), "short\nlines");
    }

    fn sheet() -> Sheet {
        let mut s = Sheet::new(vec![
            col("Date"),
            col("Time").short("Start"),
            text("Patient", 8),
            col("Phone"),
            col("ID"),
        ])
        .steps(&[Step::Drop("Phone"), Step::Short("Time")]);
        s.row(vec![
            "2026-06-15".into(),
            Item::new("08:00–08:30").or_short("08:00"),
            "María José Fernández de la Peña".into(),
            "+50370123456".into(),
            "1ca48b8e".into(),
        ]);
        s
    }

    fn widest(s: &str) -> usize {
        s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn without_a_width_every_column_is_whole() {
        let s = sheet().render_at(None);
        assert!(s.contains("María José Fernández de la Peña") && s.contains("+50370123456"));
    }

    #[test]
    fn steps_apply_in_order_then_text_is_cut() {
        let wide = sheet().render_at(Some(200));
        assert!(
            wide.contains("+50370123456") && wide.contains("08:00–08:30"),
            "{wide}"
        );
        let mid = sheet().render_at(Some(60));
        assert!(widest(&mid) <= 60, "{mid}");
        assert!(!mid.contains("+5037"), "{mid}");
        assert!(mid.contains("08:00–08:30"), "{mid}");
        let narrow = sheet().render_at(Some(40));
        assert!(widest(&narrow) <= 40, "{narrow}");
        for whole in ["2026-06-15", "08:00", "1ca48b8e", "Start"] {
            assert!(narrow.contains(whole), "{whole}:\n{narrow}");
        }
        assert!(narrow.contains('…'), "{narrow}");
        assert_eq!(narrow.lines().count(), 5, "one line a row:\n{narrow}");
    }

    #[test]
    fn join_breaks_between_parts_only() {
        let parts = [
            "Booked 1ca48b8e: Ana with Dr. García,",
            "Mon 15 Jun 2026 14:00–14:30,",
            "token 1",
        ]
        .map(String::from);
        assert_eq!(join(&parts, None).lines().count(), 1);
        let j = join(&parts, Some(50));
        assert!(j.lines().all(|l| l.chars().count() <= 50), "{j}");
        assert!(j.contains("Mon 15 Jun 2026 14:00–14:30"), "{j}");
    }

    #[test]
    fn ellipsis_cuts_by_characters() {
        assert_eq!(ellipsis("Dr. Luis Martínez", 10), "Dr. Luis…");
        assert_eq!(ellipsis("Ana", 10), "Ana");
    }
}
