//! The clinic's booking page (docs/booking.md): one small HTML page a step
//! at a time, in the clinic's language or the one the patient switched to,
//! readable on a phone and usable without JavaScript (plain forms: GET to
//! choose, POST to hold and to book), rendered from `pages/booking.html`
//! with minijinja, which escapes every value. It never says whether a phone
//! belongs to a known patient.

use super::lang::{text_in, when_in, Lang};
use crate::app::web::{Day, Open, Page, Time};
use crate::core::{time, Appointment, Doctor, Service};
use chrono::{DateTime, NaiveDate, Utc};
use minijinja::{context, Environment};
use serde::Serialize;
use std::sync::LazyLock;

static PAGES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.add_template("style.css", include_str!("pages/style.css"))
        .expect("the pages' style sheet parses");
    env.add_template("booking.html", include_str!("pages/booking.html"))
        .expect("the booking page's template parses");
    env
});

/// Where the patient is on the page.
pub enum Step<'a> {
    Services,
    Doctors {
        service: &'a Service,
    },
    Days {
        service: &'a Service,
        doctor: Option<&'a Doctor>,
        days: &'a [(NaiveDate, Open)],
    },
    /// A day's free times; a full one offers its waitlist.
    Times {
        service: &'a Service,
        doctor: Option<&'a Doctor>,
        date: NaiveDate,
        day: &'a Day,
    },
    /// The code sent: for a time held at `start`, or (`wait`) for the
    /// waitlist of `start`'s day.
    Code {
        service: &'a Service,
        doctor: &'a Doctor,
        start: DateTime<Utc>,
        hold: &'a str,
        wait: bool,
    },
    /// On the doctor's waitlist for `date`.
    Waiting {
        service: Option<&'a Service>,
        doctor: &'a str,
        date: NaiveDate,
    },
    Booked {
        appointment: &'a Appointment,
        link: &'a str,
    },
}

/// The words of the page in `lang`.
#[derive(Serialize)]
struct Words {
    pick_service: &'static str,
    pick_doctor: &'static str,
    anyone: &'static str,
    pick_day: &'static str,
    full: &'static str,
    no_hours: &'static str,
    wait_intro: &'static str,
    wait_for: &'static str,
    join_waitlist: &'static str,
    join: &'static str,
    pick_time: &'static str,
    you: &'static str,
    name: &'static str,
    phone: &'static str,
    email: &'static str,
    channel: &'static str,
    channel_any: &'static str,
    by_email: &'static str,
    code_will_go: &'static str,
    send_code: &'static str,
    no_times: &'static str,
    other_day: &'static str,
    code: &'static str,
    book: &'static str,
    your_link: &'static str,
    next: &'static str,
    nothing_online: &'static str,
    start_over: &'static str,
    add_to_calendar: &'static str,
}

fn words(l: Lang) -> Words {
    let t = |id| text_in(l, id);
    Words {
        pick_service: t("bk-pick_service"),
        pick_doctor: t("bk-pick_doctor"),
        anyone: t("bk-anyone"),
        pick_day: t("bk-pick_day"),
        full: t("bk-full"),
        no_hours: t("bk-no_hours"),
        wait_intro: t("bk-wait_intro"),
        wait_for: t("bk-wait_for"),
        join_waitlist: t("bk-join_waitlist"),
        join: t("bk-join"),
        pick_time: t("bk-pick_time"),
        you: t("bk-you"),
        name: t("bk-name"),
        phone: t("bk-phone"),
        email: t("bk-email"),
        channel: t("bk-channel"),
        channel_any: t("bk-channel_any"),
        by_email: t("bk-by_email"),
        code_will_go: t("bk-code_will_go"),
        send_code: t("bk-send_code"),
        no_times: t("bk-no_times"),
        other_day: t("bk-other_day"),
        code: t("bk-code"),
        book: t("bk-book"),
        your_link: t("bk-your_link"),
        next: t("bk-next"),
        nothing_online: t("bk-nothing_online"),
        start_over: t("bk-start_over"),
        add_to_calendar: t("pg-add_to_calendar"),
    }
}

fn code(l: Lang) -> &'static str {
    match l {
        Lang::En => "en",
        Lang::Es => "es",
    }
}

fn other(l: Lang) -> Lang {
    match l {
        Lang::En => Lang::Es,
        Lang::Es => Lang::En,
    }
}

/// The value of a time to pick: its doctor and its start.
pub fn slot_value(t: &Time) -> String {
    format!("{}|{}", t.doctor_id, time::fmt_utc(t.start))
}

/// A step's name, its title and what the patient chose so far (service,
/// doctor, day or time), each a label and its value.
fn heading(page: &Page, lang: Lang, step: &Step) -> (&'static str, String, Vec<(String, String)>) {
    let tz = page.clinic.timezone;
    let when = |at: DateTime<Utc>| {
        let (d, hm) = time::to_local(tz, at);
        when_in(lang, d, &hm)
    };
    let t = |id| text_in(lang, id);
    let mut chosen: Vec<(String, String)> = Vec::new();
    let (name, title) = match step {
        Step::Services => ("services", t("bk-title_services")),
        Step::Doctors { service } => {
            chosen.push((t("bk-service").into(), service.name.clone()));
            ("doctors", t("bk-title_doctors"))
        }
        Step::Days {
            service, doctor, ..
        }
        | Step::Times {
            service, doctor, ..
        } => {
            chosen.push((t("bk-service").into(), service.name.clone()));
            chosen.push((
                t("bk-doctor").into(),
                doctor.map_or_else(|| t("bk-anyone").into(), |d| d.full_name.clone()),
            ));
            if let Step::Times { date, .. } = step {
                chosen.push((
                    t("bk-day").into(),
                    crate::core::message::date_words(lang, *date),
                ));
                ("times", t("bk-title_times"))
            } else {
                ("days", t("bk-title_days"))
            }
        }
        Step::Code {
            service,
            doctor,
            start,
            wait,
            ..
        } => {
            chosen.push((t("bk-service").into(), service.name.clone()));
            chosen.push((t("bk-doctor").into(), doctor.full_name.clone()));
            if *wait {
                let day = time::to_local(tz, *start).0;
                chosen.push((
                    t("bk-day").into(),
                    crate::core::message::date_words(lang, day),
                ));
            } else {
                chosen.push((t("bk-when").into(), when(*start)));
            }
            ("code", t("bk-title_code"))
        }
        Step::Waiting {
            service,
            doctor,
            date,
        } => {
            if let Some(s) = service {
                chosen.push((t("bk-service").into(), s.name.clone()));
            }
            chosen.push((t("bk-doctor").into(), doctor.to_string()));
            chosen.push((
                t("bk-day").into(),
                crate::core::message::date_words(lang, *date),
            ));
            ("waiting", t("bk-title_waiting"))
        }
        Step::Booked { appointment, .. } => {
            let a = appointment;
            if let Some(s) = &a.service_name {
                chosen.push((t("bk-service").into(), s.clone()));
            }
            chosen.push((
                t("bk-doctor").into(),
                a.doctor_name.clone().unwrap_or_default(),
            ));
            chosen.push((t("bk-when").into(), when(a.starts_at)));
            ("booked", t("bk-title_booked"))
        }
    };
    (name, title.to_string(), chosen)
}

/// The days step's days: each its value, its words, what it holds (free,
/// full, off) and whether it is picked at first (the first free one).
fn days_of(lang: Lang, step: &Step) -> Vec<(String, String, &'static str, bool)> {
    let first_free = match step {
        Step::Days { days, .. } => days
            .iter()
            .find(|(_, open)| *open == Open::Free)
            .map(|(d, _)| *d),
        _ => None,
    };
    match step {
        Step::Days { days, .. } => days
            .iter()
            .map(|(d, open)| {
                (
                    d.to_string(),
                    crate::core::message::date_words(lang, *d),
                    match open {
                        Open::Free => "free",
                        Open::Full => "full",
                        Open::Off => "off",
                    },
                    Some(*d) == first_free,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The times step's times: each its value and its label (the time, and
/// the doctor's name when the patient asked for whoever is first free).
fn times_of(page: &Page, step: &Step) -> Vec<(String, String)> {
    let tz = page.clinic.timezone;
    let doctor_of = |id: &str| {
        page.doctor(id)
            .map(|d| d.full_name.clone())
            .unwrap_or_default()
    };
    match step {
        Step::Times { day, doctor, .. } => day
            .times
            .iter()
            .map(|x| {
                let (_, hm) = time::to_local(tz, x.start);
                let label = match doctor {
                    Some(_) => hm,
                    None => format!("{hm} · {}", doctor_of(&x.doctor_id)),
                };
                (slot_value(x), label)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The page at `step`, `note` (a message ID, and whether it is bad news)
/// above it. `path` is the page's own (`/b/<slug>`), `query` what the
/// patient chose so far (kept by the language switch).
pub fn render(
    page: &Page,
    lang: Lang,
    path: &str,
    query: &str,
    step: &Step,
    note: Option<(&str, bool)>,
) -> String {
    let (name, title, chosen) = heading(page, lang, step);
    let services: Vec<(String, String)> = page
        .services
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let (service, doctor) = match step {
        Step::Doctors { service } => (Some(service.id.clone()), None),
        Step::Days {
            service, doctor, ..
        }
        | Step::Times {
            service, doctor, ..
        } => (
            Some(service.id.clone()),
            Some(doctor.map_or_else(|| "any".to_string(), |d| d.id.clone())),
        ),
        _ => (None, None),
    };
    // Only the doctors who do the service chosen (docs/rules.md#who-does-what).
    let doctors: Vec<(String, String)> = match &service {
        Some(s) => page.doctors_for(s),
        None => page.doctors.iter().collect(),
    }
    .into_iter()
    .map(|d| (d.id.clone(), d.full_name.clone()))
    .collect();
    let days = days_of(lang, step);
    // A full day's waitlist: the day, and the doctors to pick from when
    // the patient asked for whoever is first free (those working that day).
    let (wait_date, wait_for) = match step {
        // Full: no free time (Open::Free when there is one).
        Step::Times {
            day:
                Day {
                    open: Open::Full,
                    working,
                    ..
                },
            date,
            doctor,
            ..
        } => (
            Some(date.to_string()),
            doctors
                .iter()
                .filter(|(id, _)| doctor.is_none() && working.contains(id))
                .cloned()
                .collect(),
        ),
        _ => (None, Vec::new()),
    };
    let times = times_of(page, step);
    let back = match (&service, &doctor) {
        (Some(s), Some(d)) => format!("{path}?lang={}&service={s}&doctor={d}", code(lang)),
        _ => path.to_string(),
    };
    let query: String = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "lang")
        .fold(
            form_urlencoded::Serializer::new(String::new()),
            |mut s, (k, v)| {
                s.append_pair(&k, &v);
                s
            },
        )
        .finish();
    let other_lang = other(lang);
    let other_href = if query.is_empty() {
        format!("{path}?lang={}", code(other_lang))
    } else {
        format!("{path}?lang={}&{query}", code(other_lang))
    };
    let (hold, link) = match step {
        Step::Code { hold, .. } => (Some(*hold), None),
        Step::Booked { link, .. } => (None, Some(*link)),
        _ => (None, None),
    };
    let start_over =
        (!matches!(step, Step::Services)).then(|| format!("{path}?lang={}", code(lang)));
    let rendered = PAGES.get_template("booking.html").and_then(|tpl| {
        tpl.render(context! {
            lang => code(lang),
            other_lang => code(other_lang),
            other_lang_name => text_in(other_lang, "bk-this_language"),
            other_lang_href => other_href,
            t => words(lang),
            title => title,
            clinic => &page.clinic.name,
            // A note may name the clinic's phone (to call instead).
            note => note.map(|(id, _)| {
                let phone = page
                    .clinic
                    .settings
                    .phone
                    .as_deref()
                    .map(|p| crate::core::phone::shown(p, page.clinic.settings.country_code.as_deref()))
                    .unwrap_or_else(|| "none".to_string());
                crate::output::lang::fill(lang, id, &[("phone", phone.into())])
            }),
            bad => note.is_some_and(|(_, bad)| bad),
            chosen => chosen,
            step => name,
            action => path,
            form => page.form_token,
            services => services,
            doctors => doctors,
            service => service,
            doctor => doctor,
            days => days,
            times => times,
            back => back,
            hold => hold,
            link => link,
            start_over => start_over,
            wait_date => wait_date,
            wait_code => matches!(step, Step::Code { wait: true, .. }),
            wait_for => wait_for,
        })
    });
    rendered.unwrap_or_else(|e| format!("<!doctype html><title>appt</title><p>{}</p>", e.kind()))
}
