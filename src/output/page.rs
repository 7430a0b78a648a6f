//! The patient's page (docs/api.md#patient-links): one small HTML page in
//! the clinic's language, readable on a phone and usable without JavaScript,
//! rendered from `pages/patient.html` with minijinja, which escapes every
//! value (the template's name ends in `.html`). It shows the clinic, doctor,
//! service, date and time — never a diagnosis, notes, a phone of the patient
//! or a national ID: those are never handed to it.

use super::lang::{text_in, when_in, Lang};
use crate::app::reply::{Offer, State, Time, Visit};
use crate::core::Clinic;
use minijinja::{context, Environment};
use serde::Serialize;
use std::sync::LazyLock;

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.add_template("style.css", include_str!("pages/style.css"))
        .expect("the pages' style sheet parses");
    env.add_template("patient.html", include_str!("pages/patient.html"))
        .expect("the patient page's template parses");
    env
});

/// The words of the page in `lang`.
#[derive(Serialize)]
struct Words {
    doctor: &'static str,
    service: &'static str,
    when: &'static str,
    status: &'static str,
    confirm: &'static str,
    take: &'static str,
    another_time: &'static str,
    r#move: &'static str,
    cancel_why: &'static str,
    other_reason: &'static str,
    other_reason_text: &'static str,
    cancel: &'static str,
    pick_day: &'static str,
    show_times: &'static str,
    no_times_that_day: &'static str,
}

fn words(lang: Lang) -> Words {
    let t = |id| text_in(lang, id);
    Words {
        doctor: t("pg-doctor"),
        service: t("pg-service"),
        when: t("pg-when"),
        status: t("pg-status"),
        confirm: t("pg-confirm"),
        take: t("pg-take"),
        another_time: t("pg-another_time"),
        r#move: t("pg-move"),
        cancel_why: t("pg-cancel_why"),
        other_reason: t("pg-other_reason"),
        other_reason_text: t("pg-other_reason_text"),
        cancel: t("pg-cancel"),
        pick_day: t("pg-pick_day"),
        show_times: t("pg-show_times"),
        no_times_that_day: t("pg-no_times_that_day"),
    }
}

/// The reasons a patient may pick when cancelling, in `lang`.
pub fn reasons(lang: Lang) -> [&'static str; 3] {
    ["pg-reason_1", "pg-reason_2", "pg-reason_3"].map(|id| text_in(lang, id))
}

/// What the page says above the visit: a note, and whether it is bad news.
pub struct Note {
    pub key: &'static str,
    pub bad: bool,
}

/// The language a clinic's pages are in: its messages' (`--language`).
pub fn language(c: &Clinic) -> Lang {
    c.settings.language
}

/// The clinic's phone for its patients (`--phone`).
fn phone(c: &Clinic) -> Option<String> {
    c.settings.phone.clone()
}

/// A `tel:` link to `phone` as the clinic wrote it (`+503 2222-0000`):
/// its `+` and digits alone (RFC 3966's global number, no separators).
fn tel(phone: &str) -> String {
    let number: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{number}")
}

#[derive(Serialize)]
struct Choice {
    at: String,
    label: String,
}

/// The day a patient picked for another time, and the days they may pick.
pub struct Picked {
    pub day: Option<chrono::NaiveDate>,
    pub days: (chrono::NaiveDate, chrono::NaiveDate),
}

/// A visit's page: the actions its state allows, the other times offered
/// (the next ones, or those of the day picked) and a day to pick.
pub fn visit(
    v: &Visit,
    times: &[Time],
    picked: &Picked,
    action: &str,
    note: Option<Note>,
) -> String {
    let lang = language(&v.clinic);
    let a = &v.appointment;
    let open = v.state == State::Open;
    // Inside the cancellation window only cancelling and moving give way
    // to the clinic's phone, a link a phone can call; confirming stays.
    let too_late = v.state == State::TooLate;
    let phone = phone(&v.clinic).filter(|_| too_late);
    let call = too_late.then(|| match phone {
        Some(_) => text_in(lang, "pg-call"),
        None => text_in(lang, "pg-call_no_phone"),
    });
    let note = note.or(match v.state {
        State::TooLate => Some(Note {
            key: "pg-too_late",
            bad: false,
        }),
        State::Over => Some(Note {
            key: "pg-over",
            bad: false,
        }),
        State::Open => None,
    });
    let (date, time) = crate::core::time::to_local(v.clinic.timezone, a.starts_at);
    let choices: Vec<Choice> = if open {
        times
            .iter()
            .map(|t| Choice {
                at: crate::core::time::fmt_utc(t.starts_at),
                label: when_in(lang, t.date, &t.time),
            })
            .collect()
    } else {
        Vec::new()
    };
    // "These are the next free ones" only above some.
    let note = note.map(|n| match n.key {
        "pg-time_taken" if choices.is_empty() => Note {
            key: "pg-time_taken_none",
            ..n
        },
        _ => n,
    });
    render(context! {
        lang => code(lang),
        t => words(lang),
        title => text_in(lang, "pg-title_visit"),
        clinic => &v.clinic.name,
        doctor => a.doctor_name.as_deref().unwrap_or(&v.clinic.name),
        service => a.service_name.as_deref(),
        when => when_in(lang, date, &time),
        status => text_in(lang, &format!("status-{}", a.status.as_str())),
        note => note.as_ref().map(|n| text_in(lang, n.key)),
        bad => note.as_ref().is_some_and(|n| n.bad),
        can_confirm => (open || too_late) && a.status == crate::core::Status::Scheduled,
        can_cancel => open,
        times => choices,
        // Another day: the patient picks it (a date field), within the
        // page's notice and horizon.
        pick => open.then(|| context! {
            min => picked.days.0.to_string(),
            max => picked.days.1.to_string(),
            value => picked.day.map(|d| d.to_string()),
            shown => picked.day.map(|d| crate::output::lang::date_long_in(lang, d)),
        }),
        reasons => reasons(lang),
        call => call,
        tel => phone.as_deref().map(tel),
        phone => phone,
        action => action,
        // A visit still to come can go in the patient's calendar.
        calendar => (v.state != State::Over).then(|| text_in(lang, "pg-add_to_calendar")),
    })
}

/// A waitlist offer's page: book the freed time while it is open.
pub fn offer(o: &Offer, action: &str, note: Option<Note>) -> String {
    let lang = language(&o.clinic);
    let note = note.or((!o.open).then_some(Note {
        key: "pg-offer_closed",
        bad: true,
    }));
    render(context! {
        lang => code(lang),
        t => words(lang),
        title => text_in(lang, "pg-title_offer"),
        clinic => &o.clinic.name,
        doctor => &o.doctor_name,
        service => o.service_name.as_deref(),
        when => when_in(lang, o.date, &o.time),
        note => note.as_ref().map(|n| text_in(lang, n.key)),
        bad => note.as_ref().is_some_and(|n| n.bad),
        can_take => o.open,
        action => action,
    })
}

/// The page of a link that opens nothing (forged, altered, unknown): in both
/// languages, since it names no clinic.
pub fn gone() -> String {
    let both = |id| format!("{} / {}", text_in(Lang::Es, id), text_in(Lang::En, id));
    render(context! {
        lang => "es",
        title => both("pg-title_gone"),
        note => both("pg-gone"),
        bad => true,
    })
}

/// The page of a server that could not answer (its database did not):
/// try again, or call.
pub fn trouble() -> String {
    let both = |id| format!("{} / {}", text_in(Lang::Es, id), text_in(Lang::En, id));
    render(context! {
        lang => "es",
        title => both("pg-title_trouble"),
        note => both("pg-trouble"),
        bad => true,
    })
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Es => "es",
    }
}

fn render(ctx: minijinja::Value) -> String {
    PAGES
        .get_template("patient.html")
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| format!("<!doctype html><title>appt</title><p>{}</p>", e.kind()))
}
