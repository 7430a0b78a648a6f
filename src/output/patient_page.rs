//! `patient export --format html` (docs/privacy.md#subject-access): what appt
//! holds about one patient as a page the clinic prints and hands over, in
//! the clinic's language. The same gathering as the JSON document
//! ([`crate::app::patient_export`]), written for a person: the record, the
//! visits with their clinical fields, what happened to each, the messages as
//! appt writes them, what the patient wrote and typed, waitlist entries,
//! recalls, links and earlier exports. Self-contained (its style inline, no
//! script, nothing fetched), rendered from `pages/patient_export.html` with
//! minijinja, which escapes every value.

use super::lang::{date_long_in, day_short_in, fill, text_in, Lang};
use crate::app::patient_export::PatientExport;
use crate::core::time::to_local;
use crate::core::zone::Tz;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use minijinja::{context, Environment};
use serde::Serialize;
use std::sync::LazyLock;

static PAGE: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.add_template(
        "patient_export.html",
        include_str!("pages/patient_export.html"),
    )
    .expect("the export page's template parses");
    env
});

/// One part of the page: a heading and a table (or a line saying it is empty).
#[derive(Serialize)]
struct Part {
    id: &'static str,
    heading: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The column holding free text (kept as written, line breaks and all).
    text_column: Option<usize>,
}

/// How the page writes an instant: in the clinic's zone, or UTC.
struct Clock {
    lang: Lang,
    zone: Option<Tz>,
}

impl Clock {
    fn at(&self, t: DateTime<Utc>) -> String {
        match self.zone {
            Some(tz) => {
                let (d, hm) = to_local(tz, t);
                format!("{} {hm}", self.day(d))
            }
            None => format!("{} {} UTC", self.day(t.date_naive()), t.format("%H:%M")),
        }
    }

    fn maybe(&self, t: Option<DateTime<Utc>>) -> String {
        t.map_or_else(|| "–".to_string(), |t| self.at(t))
    }

    fn day(&self, d: NaiveDate) -> String {
        format!("{} {}", day_short_in(self.lang, d), d.year())
    }
}

fn t(lang: Lang, id: &str) -> String {
    text_in(lang, id).to_string()
}

fn or_dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("–").to_string()
}

/// The page of export `e`.
pub fn page(e: &PatientExport) -> Vec<u8> {
    let lang = e.language;
    let clock = Clock {
        lang,
        zone: e.timezone,
    };
    let p = &e.patient;
    let mut patient = vec![
        (t(lang, "px-name"), p.full_name.clone()),
        (t(lang, "px-phone"), or_dash(Some(&p.phone))),
        (t(lang, "px-email"), or_dash(p.email.as_deref())),
        (
            t(lang, "px-channel"),
            or_dash(p.channel.map(|c| c.as_str())),
        ),
    ];
    if e.national_id_included {
        patient.push((t(lang, "px-national_id"), or_dash(p.national_id.as_deref())));
    }
    patient.push((t(lang, "px-no_shows"), p.no_show_count.to_string()));
    patient.push((t(lang, "px-since"), clock.at(p.created_at)));
    let parts = parts(e, &clock);
    let title = fill(lang, "px-title", &[("a", p.full_name.clone().into())]);
    let about = fill(
        lang,
        "px-about",
        &[
            (
                "clinic",
                e.clinic_name
                    .clone()
                    .unwrap_or_else(|| "appt".into())
                    .into(),
            ),
            (
                "date",
                date_long_in(lang, clock_date(&clock, e.exported_at)).into(),
            ),
            (
                "zone",
                e.timezone
                    .map_or("UTC".to_string(), |z| z.name().to_string())
                    .into(),
            ),
        ],
    );
    let html = PAGE
        .get_template("patient_export.html")
        .and_then(|tpl| {
            tpl.render(context! {
                lang => lang.as_str(),
                title => title,
                about => about,
                patient_heading => t(lang, "px-h_patient"),
                patient => patient,
                parts => parts,
                nothing => t(lang, "px-nothing"),
            })
        })
        .unwrap_or_else(|e| format!("<!doctype html><title>appt</title><p>{}</p>", e.kind()));
    html.into_bytes()
}

/// The local date of `t` where the clock is.
fn clock_date(c: &Clock, t: DateTime<Utc>) -> NaiveDate {
    c.zone.map_or(t.date_naive(), |tz| to_local(tz, t).0)
}

fn columns(lang: Lang, ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| t(lang, id)).collect()
}

fn parts(e: &PatientExport, clock: &Clock) -> Vec<Part> {
    let mut all = visit_parts(e, clock);
    all.extend(kept_parts(e, clock));
    all
}

/// The visits, what happened to each, and the messages about them.
fn visit_parts(e: &PatientExport, clock: &Clock) -> Vec<Part> {
    let lang = clock.lang;
    let visits = Part {
        id: "appointments",
        heading: t(lang, "px-h_appointments"),
        columns: columns(
            lang,
            &[
                "px-when",
                "px-clinic",
                "px-doctor",
                "px-service",
                "px-status",
                "px-reason",
                "px-diagnosis",
                "px-prescription",
                "px-follow_up",
            ],
        ),
        rows: e
            .visits
            .iter()
            .map(|v| {
                let a = &v.appointment;
                vec![
                    Clock {
                        lang,
                        zone: Some(a.timezone),
                    }
                    .at(a.starts_at),
                    a.clinic_name.clone(),
                    or_dash(a.doctor_name.as_deref()),
                    or_dash(a.service_name.as_deref()),
                    t(lang, &format!("status-{}", a.status.as_str())),
                    or_dash(a.reason.as_deref().or(a.cancellation_reason.as_deref())),
                    or_dash(a.diagnosis.as_deref()),
                    or_dash(a.prescription.as_deref()),
                    a.follow_up_date.map_or("–".into(), |d| clock.day(d)),
                ]
            })
            .collect(),
        text_column: None,
    };
    let history = Part {
        id: "history",
        heading: t(lang, "px-h_history"),
        columns: columns(lang, &["px-when", "px-appointment", "px-what", "px-by"]),
        rows: e
            .visits
            .iter()
            .flat_map(|v| {
                v.events.iter().map(|ev| {
                    vec![
                        clock.at(ev.created_at),
                        clock.day(v.appointment.local_date),
                        ev.kind.as_str().to_string(),
                        or_dash(ev.actor.as_deref()),
                    ]
                })
            })
            .collect(),
        text_column: None,
    };
    let messages = Part {
        id: "messages",
        heading: t(lang, "px-h_messages"),
        columns: columns(
            lang,
            &["px-due", "px-kind", "px-status", "px-sent", "px-text"],
        ),
        rows: e
            .messages
            .iter()
            .map(|m| {
                let r = &m.reminder;
                let status = format!("reminder-{}", crate::wire::message_status(r));
                vec![
                    clock.at(r.due_at),
                    super::human::kind_words(lang, r),
                    t(lang, &status),
                    clock.maybe(r.sent_at),
                    m.text.clone(),
                ]
            })
            .collect(),
        text_column: Some(4),
    };
    vec![visits, history, messages]
}

/// What else is kept of the patient: their messages to the clinic, the
/// booking page's holds, the waitlist, recalls, links and earlier exports.
fn kept_parts(e: &PatientExport, clock: &Clock) -> Vec<Part> {
    let lang = clock.lang;
    let inbox = Part {
        id: "inbox",
        heading: t(lang, "px-h_inbox"),
        columns: columns(lang, &["px-received", "px-channel", "px-text"]),
        rows: e
            .inbox
            .iter()
            .map(|m| vec![clock.at(m.received_at), m.kind.clone(), m.body.clone()])
            .collect(),
        text_column: Some(2),
    };
    let holds = Part {
        id: "holds",
        heading: t(lang, "px-h_holds"),
        columns: columns(
            lang,
            &["px-when", "px-name", "px-phone", "px-email", "px-until"],
        ),
        rows: e
            .holds
            .iter()
            .map(|h| {
                vec![
                    clock.at(h.starts_at),
                    h.name.clone(),
                    h.phone.clone(),
                    or_dash(h.email.as_deref()),
                    clock.at(h.until),
                ]
            })
            .collect(),
        text_column: None,
    };
    let waitlist = Part {
        id: "waitlist",
        heading: t(lang, "px-h_waitlist"),
        columns: columns(
            lang,
            &["px-day_wanted", "px-doctor", "px-service", "px-since"],
        ),
        rows: e
            .waitlist
            .iter()
            .map(|w| {
                vec![
                    clock.day(w.date),
                    w.doctor_name.clone(),
                    or_dash(w.service_name.as_deref()),
                    clock.at(w.created_at),
                ]
            })
            .collect(),
        text_column: None,
    };
    let recalls = Part {
        id: "recalls",
        heading: t(lang, "px-h_recalls"),
        columns: columns(
            lang,
            &["px-follow_up", "px-doctor", "px-service", "px-sent"],
        ),
        rows: e
            .recalls
            .iter()
            .map(|r| {
                vec![
                    clock.day(r.follow_up_date),
                    or_dash(r.doctor_name.as_deref()),
                    or_dash(r.service_name.as_deref()),
                    clock.maybe(r.sent_at),
                ]
            })
            .collect(),
        text_column: None,
    };
    let links = Part {
        id: "links",
        heading: t(lang, "px-h_links"),
        columns: columns(lang, &["px-kind", "px-made"]),
        rows: e
            .links
            .iter()
            .map(|l| vec![l.kind.clone(), clock.at(l.created_at)])
            .collect(),
        text_column: None,
    };
    let events = Part {
        id: "events",
        heading: t(lang, "px-h_events"),
        columns: columns(lang, &["px-when", "px-what", "px-by"]),
        rows: e
            .events
            .iter()
            .map(|ev| {
                vec![
                    clock.at(ev.created_at),
                    ev.kind.as_str().to_string(),
                    or_dash(ev.actor.as_deref()),
                ]
            })
            .collect(),
        text_column: None,
    };
    vec![inbox, holds, waitlist, recalls, links, events]
}
