//! What goes out, for humans: `remind list`, `remind due --dry-run` and
//! `webhook list`.

use super::when_item;
use super::{clean, person, short};
use crate::core::message::Kind;
use crate::core::time::{format_offset, local_hm, to_local};
use crate::core::Appointment;
use crate::output::fit::{col, text, Item, Sheet, Step};
use crate::output::lang::{self, tr};
use crate::output::phone::shown;

/// Whether a message's recipient is an erased patient: the placeholder
/// name and no phone (docs/privacy.md#erasure).
fn erased(name: &str, phone: &str) -> bool {
    phone.is_empty() && name == crate::core::erasure::ERASED_NAME
}

/// A message's recipient's name as a person reads it.
fn recipient(r: &crate::store::reminders::Reminder, a: &Appointment) -> String {
    let (name, phone) = r.recipient(a);
    person(name, erased(name, phone))
}

/// `remind list`.
pub fn reminders_list(rows: &[(crate::store::reminders::Reminder, Appointment)]) -> String {
    if rows.is_empty() {
        return tr!("h-no_reminders");
    }
    let mut t = Sheet::new(vec![
        col("Due"),
        col("Message").short("Kind"),
        col("Status"),
        col("Tries"),
        text("Patient", 12),
        col("Appointment"),
        col("ID"),
    ])
    .steps(&[
        Step::Drop("Tries"),
        Step::Short("Message"),
        Step::Short("Due"),
        Step::Short("Appointment"),
    ]);
    for (r, a) in rows {
        let (d, hm) = (
            to_local(a.timezone, r.due_at).0,
            local_hm(a.timezone, r.due_at),
        );
        t.row(vec![
            due_item(d, &hm),
            message_kind(r),
            lang::t(&format!("reminder-{}", crate::wire::message_status(r))).into(),
            r.attempts.to_string().into(),
            recipient(r, a).into(),
            message_when(r, a),
            short(&r.id).into(),
        ]);
    }
    t.render()
}

/// What a message is: `reminder 24h`, `confirmation`, `waitlist offer`, …;
/// shortly `24h`, `confirm`, `offer` where the column is narrow.
pub(super) fn message_kind(r: &crate::store::reminders::Reminder) -> Item {
    let offset = format_offset(r.offset_minutes);
    let short = match r.kind {
        Kind::Reminder => offset.clone(),
        Kind::WaitlistOffer => tr!("kind-offer"),
        Kind::Confirmation => tr!("kind-confirm"),
        Kind::Rescheduled => tr!("kind-moved"),
        Kind::Cancelled => tr!("kind-cancel"),
        Kind::Recall => tr!("kind-recall"),
    };
    Item::new(kind_words(lang::current(), r)).or_short(short)
}

/// What a message is, in words of `l`: `reminder 24h`, `confirmation`,
/// `waitlist offer`, … (the board's status line says it too).
pub fn kind_words(l: lang::Lang, r: &crate::store::reminders::Reminder) -> String {
    let id = match r.kind {
        Kind::Reminder => {
            return lang::fill(
                l,
                "kind-reminder",
                &[("offset", format_offset(r.offset_minutes).into())],
            )
        }
        Kind::WaitlistOffer => "kind-waitlist_offer",
        Kind::Confirmation => "kind-confirmation",
        Kind::Rescheduled => "kind-rescheduled",
        Kind::Cancelled => "kind-cancelled",
        Kind::Recall => "kind-recall",
    };
    lang::text_in(l, id).into()
}

/// The visit a message is about, as [`when_item`] shows it: a waitlist
/// offer's offered slot (docs/rules.md#the-waitlist), never the time of the
/// appointment that freed it, which may have moved since (a receptionist
/// calling from the table would offer a taken time); else its appointment's.
fn message_when(r: &crate::store::reminders::Reminder, a: &Appointment) -> Item {
    if r.offer().is_none() {
        return when_item(a);
    }
    let Some(slot) = r.offered_slot(a) else {
        return "—".into();
    };
    let tz = slot.timezone;
    let (date, from) = (to_local(tz, slot.start).0, local_hm(tz, slot.start));
    Item::new(format!(
        "{} {from}–{}",
        lang::date_short(date),
        local_hm(tz, slot.end)
    ))
    .or_short(format!("{} {from}", lang::day_month(date)))
}

/// When a message is due, in the same form as the visit beside it
/// (`Mon 15 Jun 2026 14:00`, short `15 Jun 14:00`): one form of date a table.
fn due_item(d: chrono::NaiveDate, hm: &str) -> Item {
    Item::new(format!("{} {hm}", lang::date_short(d)))
        .or_short(format!("{} {hm}", lang::day_month(d)))
}

/// `remind due --dry-run`: what would be delivered, and a one-line summary.
pub fn dry_sweep(sweep: &crate::app::remind::Sweep) -> String {
    let mut out = String::new();
    if !sweep.would_deliver.is_empty() {
        let mut t = Sheet::new(vec![
            col("Due"),
            col("Message").short("Kind"),
            text("Patient", 12),
            col("Phone"),
            col("Appointment"),
            col("ID"),
        ])
        .steps(&[
            Step::Short("Message"),
            Step::Short("Due"),
            Step::Short("Appointment"),
            Step::Drop("Phone"),
        ]);
        for (r, a, _) in &sweep.would_deliver {
            let (d, hm) = (
                to_local(a.timezone, r.due_at).0,
                local_hm(a.timezone, r.due_at),
            );
            let (name, phone) = r.recipient(a);
            t.row(vec![
                due_item(d, &hm),
                message_kind(r),
                person(name, erased(name, phone)).into(),
                clean(&shown(phone)).into(),
                message_when(r, a),
                short(&r.id).into(),
            ]);
        }
        out = format!("{}\n", t.render());
    }
    // Each text as it would go, so a clinic checks a template first.
    for (r, a, text) in &sweep.would_deliver {
        let (name, phone) = r.recipient(a);
        out.push_str(&format!(
            "{} {} · {}:\n{}\n",
            short(&r.id),
            kind_words(lang::current(), r),
            person(name, erased(name, phone)),
            crate::output::fit::wrap("  ", &clean(text), crate::output::fit::width())
        ));
    }
    out.push_str(&tr!(
        "h-dry_sweep",
        send = sweep.would_deliver.len(),
        expire = sweep.expired,
        cancel = sweep.cancelled
    ));
    if let Some(p) = sweep.purged.as_ref().filter(|p| p.any()) {
        out.push('\n');
        out.push_str(&super::purged(p));
    }
    out
}

/// `webhook list`; the secret itself is never shown, nor a password in a URL.
pub fn webhooks(all: &[crate::store::webhooks::Webhook]) -> String {
    if all.is_empty() {
        return tr!("h-no_webhooks");
    }
    let mut t = Sheet::new(vec![
        text("URL", 20),
        text("Events", 8),
        col("Signed"),
        col("Delivered"),
        col("Last event"),
        col("Retry at"),
        text("Last error", 10),
        col("ID"),
    ])
    .steps(&[
        Step::Drop("Signed"),
        Step::Drop("Last event"),
        Step::Drop("Last error"),
        Step::Drop("Delivered"),
    ]);
    for w in all {
        t.row(vec![
            clean(&w.shown_url()).into(),
            clean(
                &w.events
                    .as_ref()
                    .map(|e| e.join(","))
                    .unwrap_or_else(|| tr!("word-all")),
            )
            .into(),
            lang::yes_no(w.secret.is_some()).into(),
            w.delivered.to_string().into(),
            w.cursor.to_string().into(),
            w.next_attempt_at
                .map(crate::core::time::fmt_utc)
                .unwrap_or_default()
                .into(),
            clean(&w.shown_error().unwrap_or_default()).into(),
            short(&w.id).into(),
        ]);
    }
    t.render()
}

/// A message `remind due` printed at a terminal, for a person: when, what,
/// for whom, and its text (a script reads JSON Lines instead).
pub fn delivered(r: &crate::store::reminders::Reminder, a: &Appointment, text: &str) -> String {
    let (name, phone) = r.recipient(a);
    let (d, hm) = (
        to_local(a.timezone, r.due_at).0,
        local_hm(a.timezone, r.due_at),
    );
    format!(
        "{} {hm} · {} · {} {}\n{}",
        lang::day_short(d),
        kind_words(lang::current(), r),
        person(name, erased(name, phone)),
        clean(&shown(phone)),
        crate::output::fit::wrap("  ", &clean(text), crate::output::fit::width())
    )
}
