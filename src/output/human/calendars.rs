//! `appt calendar` for humans (docs/calendars.md): a doctor's own
//! calendars, what each read found and whether it is stale. Never the
//! address (only its host) nor the password.

use super::clean;
use crate::app::calendar::{Failure, Outcome, Synced};
use crate::output::fit::{col, text, Sheet, Step};
use crate::output::lang::tr;
use crate::store::calendars::Stored;

fn kind(c: &Stored) -> String {
    match c.source {
        crate::core::outside::Source::Ics => "ICS".into(),
        crate::core::outside::Source::CalDav if c.write_back => tr!("h-calendar_caldav_write"),
        crate::core::outside::Source::CalDav => "CalDAV".into(),
    }
}

/// Whether it is fresh, or since when (and why) it is stale.
pub(super) fn state(c: &Stored) -> String {
    match (&c.failed, c.synced_at) {
        (Some((at, why)), _) => tr!(
            "h-calendar_stale",
            at = crate::core::time::fmt_utc(*at),
            why = clean(&said(&Failure::from_code(why)))
        ),
        (None, Some(_)) => tr!("h-calendar_ok"),
        (None, None) => tr!("h-calendar_never"),
    }
}

fn said(f: &Failure) -> String {
    f.describe().render(crate::output::lang::current())
}

fn synced_at(c: &Stored) -> String {
    c.synced_at
        .map_or_else(|| "-".into(), crate::core::time::fmt_utc)
}

/// `calendar list`: a row per calendar, then a line for each stale one
/// (since when and why), whole at any width.
pub fn calendars(all: &[Stored]) -> String {
    if all.is_empty() {
        return tr!("h-no_calendars");
    }
    let mut t = Sheet::new(vec![
        col("Name"),
        text("Doctor", 16),
        col("Kind"),
        text("Host", 8),
        col("Busy"),
        col("Synced"),
        col("Status"),
    ])
    .steps(&[Step::Drop("Host"), Step::Drop("Synced"), Step::Drop("Kind")]);
    for c in all {
        let status = match (&c.failed, c.synced_at) {
            (Some(_), _) => tr!("h-calendar_stale_word"),
            (None, Some(_)) => tr!("h-calendar_ok"),
            (None, None) => tr!("h-calendar_never"),
        };
        t.row(vec![
            clean(&c.name).into(),
            clean(&c.doctor).into(),
            kind(c).into(),
            clean(&c.host).into(),
            c.busy_count.to_string().into(),
            synced_at(c).into(),
            status.into(),
        ]);
    }
    let mut out = t.render();
    let width = crate::output::fit::width();
    for c in all.iter().filter(|c| c.failed.is_some()) {
        let line = format!("{}: {}", clean(&c.name), state(c));
        out.push('\n');
        out.push_str(&crate::output::fit::wrap_lines(&line, width));
    }
    out
}

/// `calendar show`.
pub fn calendar(c: &Stored) -> String {
    tr!(
        "h-calendar_card",
        name = clean(&c.name),
        doctor = clean(&c.doctor),
        kind = kind(c),
        host = clean(&c.host),
        busy = c.busy_count,
        synced = synced_at(c),
        state = state(c)
    )
}

/// `calendar add`: the calendar, read once.
pub fn calendar_added(s: &Synced) -> String {
    let c = &s.calendar;
    tr!(
        "c-calendar_added",
        name = clean(&c.name),
        doctor = clean(&c.doctor),
        kind = kind(c),
        busy = c.busy_count
    )
}

/// `calendar remove`.
pub fn calendar_removed(c: &Stored) -> String {
    tr!(
        "c-calendar_removed",
        name = clean(&c.name),
        doctor = clean(&c.doctor)
    )
}

/// `calendar sync`: a line per calendar.
pub fn synced(done: &[Synced]) -> String {
    if done.is_empty() {
        return tr!("h-no_calendars");
    }
    done.iter()
        .map(|s| {
            let name = clean(&s.calendar.name);
            match &s.outcome {
                Outcome::Read => tr!("c-calendar_read", name = name, busy = s.calendar.busy_count),
                Outcome::Unchanged => tr!("c-calendar_unchanged", name = name),
                Outcome::Busy => tr!("c-calendar_busy_elsewhere", name = name),
                Outcome::Failed(f) => tr!("c-calendar_failed", name = name, why = said(f)),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
