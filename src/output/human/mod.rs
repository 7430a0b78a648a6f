//! Human output: comfy-table tables, a card for `show`, one-line confirmations.
//! Times are shown in the clinic's local time.
//!
//! Split by command group, as the commands are: appointments, a clinic's
//! setup, patients, a day's slots and sheets, messages, and upkeep; what
//! they share (cleaning stored text, short IDs, colour) is here.

mod appointment;
mod calendars;
mod channels;
mod chart;
mod day;
mod feed;
mod inbox;
mod messages;
mod patient;
mod report;
mod resources;
mod setup;
mod staff;
mod upkeep;

pub use appointment::{
    appointment_card, appointments, appointments_page, confirm, count_groups, history, imported,
    series,
};
pub use calendars::{calendar, calendar_added, calendar_removed, calendars, synced};
pub use channels::channels;
pub use day::{agenda, day_slots, next_slots};
pub use feed::{feed_added, feed_revoked, feeds};
pub use inbox::{inbox, inbox_message};
pub use messages::{delivered, dry_sweep, kind_words, reminders_list, webhooks};
pub use patient::{erase_question, erased, patient_card, patient_visits, patients};
pub use report::report;
pub use resources::{
    kind as resource_kind, kind_id as resource_kind_id, needs, resource_closures, resource_hours,
    resources,
};
pub use setup::{
    clinic_added, clinic_card, clinics, closures, doctors, put_online, reminders, services, windows,
};
pub use staff::{looks, role, staff};
pub use upkeep::{check, installation, key_rotated, purged, token_added, token_revoked, tokens};

use super::fit::Item;
use super::lang;
use super::lang::tr;
use crate::core::time::local_hm;
use crate::core::Status;
use comfy_table::Color;

/// Stored text as a terminal may show it, on one line: control characters
/// (escape sequences, bells, carriage returns, line feeds, C1 codes) become
/// visible pictures (`␛`, `␇`, `␍`, `␤`), and characters that reorder or hide
/// text (bidirectional overrides and isolates, zero-width spaces, line and
/// paragraph separators) become `�` or `␤`, so a name can never drive the
/// terminal, spoof what is shown beside it or break a table or card.
pub fn clean(s: &str) -> String {
    s.chars().map(picture).collect()
}

/// A patient's name as a person reads it: an erased patient's in their
/// language (docs/privacy.md#erasure), anyone else's [`clean`]ed.
pub fn person(name: &str, erased: bool) -> String {
    if erased {
        lang::t("patient-erased").to_string()
    } else {
        clean(name)
    }
}

/// [`person`] for a patient.
pub fn patient_name(p: &crate::core::Patient) -> String {
    person(&p.full_name, p.erased_at.is_some())
}

/// [`person`] for an appointment's patient.
pub fn patient_of(a: &crate::core::Appointment) -> String {
    person(&a.patient_name, a.patient_erased)
}

/// Like [`clean`], for free text that may run over several lines (notes, a
/// diagnosis): its line breaks (`\n`, or `\r\n`) stay, and everything else
/// is neutralised as [`clean`] does.
pub fn clean_lines(s: &str) -> String {
    s.split('\n')
        .map(|line| clean(line.strip_suffix('\r').unwrap_or(line)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn picture(c: char) -> char {
    match c {
        '\t' => ' ',
        '\n' | '\u{2028}' | '\u{2029}' => '\u{2424}',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        '\u{200b}' | '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
        // The bidi marks (left-to-right, right-to-left, Arabic letter).
        '\u{200e}' | '\u{200f}' | '\u{061c}' => '\u{fffd}',
        _ => c,
    }
}

/// The last line of defence for everything printed for humans: every control
/// character neutralised as [`clean`] does, except the line feeds between
/// lines and, when `colour` is on, the SGR colour sequences (`ESC [ … m`)
/// that appt itself puts around statuses. Stored text is cleaned before it
/// gets here, so those are appt's own.
pub fn neutralise(text: &str, colour: bool) -> String {
    let mut out = String::with_capacity(text.len());
    // The start of the run of text kept as it is, copied at once.
    let mut kept = 0;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\u{1b}' && colour {
            if let Some(len) = sgr_len(&text[i..]) {
                // The sequence is ASCII: its other `len - 1` characters.
                chars.nth(len - 2);
                continue;
            }
        }
        let shown = if c == '\n' { c } else { picture(c) };
        if shown != c {
            out.push_str(&text[kept..i]);
            out.push(shown);
            kept = i + c.len_utf8();
        }
    }
    out.push_str(&text[kept..]);
    out
}

/// The length of the `ESC [ digits;… m` sequence `s` starts with, if it does.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let n = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (body.as_bytes().get(n) == Some(&b'm')).then_some(2 + n + 1)
}

pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Whether human output may be coloured: a terminal, and `NO_COLOR` unset.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none() && crate::output::fit::stdout_is_terminal()
}

/// `Mon 15 Jun 2026 14:00–14:30`
pub fn when(a: &crate::core::Appointment) -> String {
    format!(
        "{} {}–{}",
        lang::date_short(a.local_date),
        local_hm(a.timezone, a.starts_at),
        local_hm(a.timezone, a.ends_at)
    )
}

/// `Mon 15 Jun 2026 14:00–14:30`, or `15 Jun 14:00` where the column is
/// short: the same form of date either way.
pub(super) fn when_item(a: &crate::core::Appointment) -> Item {
    Item::new(when(a)).or_short(format!(
        "{} {}",
        lang::day_month(a.local_date),
        local_hm(a.timezone, a.starts_at)
    ))
}

/// A status, coloured when colour is on.
pub fn status_item(s: Status) -> Item {
    let colour = colour().then_some(match s {
        Status::Scheduled => Color::Blue,
        Status::Confirmed => Color::Cyan,
        Status::CheckedIn | Status::InProgress => Color::Yellow,
        Status::Completed => Color::Green,
        Status::Cancelled | Status::NoShow => Color::Red,
    });
    Item::new(lang::status(s)).colour(colour)
}

/// A visit's status, or, when nobody arrived more than the clinic's
/// `--late-after` past its start, the status marked late
/// (docs/rules.md#the-queue).
pub fn status_or_late(s: Status, late: bool) -> Item {
    if !late {
        return status_item(s);
    }
    let colour = colour().then_some(Color::Magenta);
    Item::new(tr!("h-late", status = lang::status(s))).colour(colour)
}

/// The marks a visit carries beside its token, in the agenda and on the
/// board: `!` urgent, `!!` an emergency, `+` overbooked
/// (docs/rules.md#visits, docs/rules.md#overbooking).
pub fn marks(a: &crate::core::AppointmentRow) -> String {
    let urgency = match a.urgency {
        crate::core::Urgency::Normal => "",
        crate::core::Urgency::Urgent => "!",
        crate::core::Urgency::Emergency => "!!",
    };
    let overbooked = if a.overbooked.is_some() { "+" } else { "" };
    format!("{urgency}{overbooked}")
}

/// `14:00–14:30`, or `14:00` where the column is short.
fn span(
    tz: crate::core::zone::Tz,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
) -> Item {
    let from = local_hm(tz, start);
    Item::new(format!("{from}–{}", local_hm(tz, end))).or_short(from)
}

/// A card's label, padded: `  Doctor    `.
fn label(id: &str) -> String {
    format!("  {:<10}", lang::t(id))
}

fn or_dash(s: Option<&str>) -> String {
    clean(s.filter(|s| !s.is_empty()).unwrap_or("—"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_pictures() {
        assert_eq!(
            clean("Eve\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{9b}1m\u{7f}\tx\ny"),
            "Eve␛]0;pwned␇␛[2J␍\u{fffd}1m␡ x␤y"
        );
        assert_eq!(clean("José Pérez"), "José Pérez");
    }

    #[test]
    fn text_that_reorders_hides_or_breaks_lines_is_neutralised() {
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200b}', '\u{feff}', '\u{200e}', '\u{200f}', '\u{061c}',
        ] {
            assert_eq!(clean(&format!("a{c}b")), "a\u{fffd}b", "U+{:04X}", c as u32);
            assert_eq!(neutralise(&format!("a{c}b"), true), "a\u{fffd}b");
        }
        assert_eq!(clean("a\u{2028}b\u{2029}c\r\nd\ne"), "a␤b␤c␍␤d␤e");
        assert_eq!(neutralise("a\u{2028}b\nc", false), "a␤b\nc");
        // Free text keeps its lines (Windows' too), and nothing else.
        assert_eq!(
            clean_lines("one\r\ntwo\nthree\u{202e}"),
            "one\ntwo\nthree\u{fffd}"
        );
        // What scripts need to be written stays: joiners, accents, RTL letters.
        assert_eq!(clean("ناصر\u{200d}نور Ñúñez"), "ناصر\u{200d}نور Ñúñez");
    }

    #[test]
    fn only_colour_sequences_survive_and_only_with_colour() {
        let text = "\u{1b}[34mscheduled\u{1b}[39m \u{1b}]0;t\u{7} \u{1b}[2J";
        assert_eq!(
            neutralise(text, true),
            "\u{1b}[34mscheduled\u{1b}[39m ␛]0;t␇ ␛[2J"
        );
        assert_eq!(neutralise(text, false), "␛[34mscheduled␛[39m ␛]0;t␇ ␛[2J");
        // A lone ESC at the end, or an unfinished sequence, is neutralised.
        assert_eq!(neutralise("a\u{1b}", true), "a␛");
        assert_eq!(neutralise("\u{1b}[12", true), "␛[12");
    }
}
