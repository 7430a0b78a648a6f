//! The clinic's booking page (docs/booking.md): `GET /b/<slug>` a step at a
//! time as the patient chooses (service, doctor or whoever is first free,
//! day, time), `POST` to hold the time and send the code, and to book with
//! it. Every answer is a page in the patient's language; what is decided is
//! `app::web`'s, what is drawn `output::booking`'s.

use super::{Answer, Call, Visitor};
use crate::app::outbox::reply::Reply;
use crate::app::web::{self, Held, HoldRequest, Page, Verified, WaitRequest};

use crate::app::Store;
use crate::error::{Code, Error, Result};
use crate::output::booking::{render, Step};
use crate::output::lang::Lang;
use crate::output::page;
use chrono::{DateTime, NaiveDate, Utc};

/// The parameters of a query or a form, by name.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn of(raw: &[u8]) -> Fields {
        Fields(
            form_urlencoded::parse(raw)
                .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// The page's language: the one asked for (`?lang=es|en`), else the clinic's.
fn language(f: &Fields, page: &Page) -> Lang {
    match f.get("lang") {
        Some("es") => Lang::Es,
        Some("en") => Lang::En,
        _ => page.clinic.settings.language,
    }
}

/// The page's own address, `/b/<slug>`.
fn path_of(page: &Page) -> String {
    page.clinic.settings.page_path(&page.clinic.name)
}

/// The code step of `held`, with `note` above, answered with `status`.
fn code_page(
    page: &Page,
    lang: Lang,
    held: &Held,
    note: (&str, bool),
    status: u16,
) -> Result<Answer> {
    let (Some(service), Some(doctor)) = (
        held.service_id.as_deref().and_then(|s| page.service(s)),
        page.doctor(&held.doctor_id),
    ) else {
        return Err(Error::not_found(crate::error::Entity::Page));
    };
    let step = Step::Code {
        service,
        doctor,
        start: held.starts_at,
        hold: &held.id,
        wait: held.kind == web::WAIT,
    };
    let body = render(page, lang, &path_of(page), "", &step, Some(note));
    Ok(Answer::html(status, body))
}

/// The clinic's page, or the page of a link that opens nothing.
fn open(
    st: &mut Store,
    call: &Call,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Page, Answer>> {
    match web::page(st, call.id(), now) {
        Ok(p) => Ok(Ok(p)),
        Err(e) if e.code == Code::NotFound => Ok(Err(Answer::html(404, page::gone()))),
        Err(e) => Err(e),
    }
}

/// `GET /b/<slug>`: the step the query has reached.
pub(super) fn show(st: &mut Store, call: &Call, v: &Visitor) -> Result<(Answer, Vec<Reply>)> {
    let page = match open(st, call, v.now)? {
        Ok(p) => p,
        Err(gone) => return Ok((gone, Vec::new())),
    };
    let raw = call.query.clone().unwrap_or_default();
    let f = Fields::of(raw.as_bytes());
    let lang = language(&f, &page);
    let date = f
        .get("date")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let body = choose(st, &page, lang, &raw, &f, date, None, v.now)?;
    Ok((Answer::html(200, body), Vec::new()))
}

/// The choosing steps, as far as `f` goes, with `note` above.
#[allow(clippy::too_many_arguments)]
fn choose(
    st: &mut Store,
    page: &Page,
    lang: Lang,
    query: &str,
    f: &Fields,
    date: Option<NaiveDate>,
    note: Option<(&str, bool)>,
    now: DateTime<Utc>,
) -> Result<String> {
    let path = path_of(page);
    let service = f.get("service").and_then(|id| page.service(id));
    let asked = f.get("doctor");
    // Only a doctor who does the service (docs/rules.md#who-does-what).
    let doctor = asked.and_then(|id| {
        let s = service?;
        page.doctors_for(&s.id).into_iter().find(|d| d.id == id)
    });
    // An unknown doctor is asked again, as no doctor.
    let asked = asked.filter(|d| *d == "any" || doctor.is_some());
    Ok(match (service, asked, date) {
        (None, ..) => render(page, lang, &path, query, &Step::Services, note),
        (Some(service), None, _) => {
            render(page, lang, &path, query, &Step::Doctors { service }, note)
        }
        (Some(service), Some(_), None) => {
            let days = web::days(st, page, service, doctor, now)?;
            let step = Step::Days {
                service,
                doctor,
                days: &days,
            };
            render(page, lang, &path, query, &step, note)
        }
        (Some(service), Some(_), Some(date)) => {
            let day = web::times(st, page, service, doctor, date, now)?;
            let step = Step::Times {
                service,
                doctor,
                date,
                day: &day,
            };
            render(page, lang, &path, query, &step, note)
        }
    })
}

/// `POST /b/<slug>`: `action=hold` holds the time picked and sends the
/// code; `action=verify` books with it.
pub(super) fn post(st: &mut Store, call: &Call, v: &Visitor) -> Result<(Answer, Vec<Reply>)> {
    let page = match open(st, call, v.now)? {
        Ok(p) => p,
        Err(gone) => return Ok((gone, Vec::new())),
    };
    let f = Fields::of(&call.body);
    let lang = language(&f, &page);
    let path = path_of(&page);
    // Only the page's own forms (docs/booking.md#forms): a page elsewhere
    // cannot have its visitors' browsers ask for codes.
    let from = crate::core::access::PostedFrom {
        origin: call.from.origin.as_deref(),
        fetch_site: call.from.fetch_site.as_deref(),
        host: call.from.host.as_deref(),
    };
    if !page.posted_here(f.get("form"), from, v.now) {
        let body = render(
            &page,
            lang,
            &path,
            "",
            &Step::Services,
            Some(("bk-elsewhere", true)),
        );
        return Ok((Answer::html(403, body), Vec::new()));
    }
    match f.get("action") {
        Some("hold") => hold(st, &page, lang, &f, v),
        Some("wait") => wait(st, &page, lang, &f, v),
        Some("verify") => verify(st, &page, lang, &path, &f, v),
        _ => Ok((
            Answer::html(
                400,
                render(
                    &page,
                    lang,
                    &path,
                    "",
                    &Step::Services,
                    Some(("bk-refused", true)),
                ),
            ),
            Vec::new(),
        )),
    }
}

fn hold(
    st: &mut Store,
    page: &Page,
    lang: Lang,
    f: &Fields,
    v: &Visitor,
) -> Result<(Answer, Vec<Reply>)> {
    let (doctor, at) = f
        .get("slot")
        .and_then(|s| s.split_once('|'))
        .unwrap_or_default();
    let r = HoldRequest {
        service: f.get("service").unwrap_or_default().to_string(),
        doctor: doctor.to_string(),
        at: at.to_string(),
        name: f.get("name").unwrap_or_default().to_string(),
        phone: f.get("phone").unwrap_or_default().to_string(),
        email: f.get("email").map(str::to_string),
        channel: f.get("channel").map(str::to_string),
        address: crate::core::access::counted_as(v.peer),
    };
    let date = DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| crate::core::time::to_local(page.clinic.timezone, t.with_timezone(&Utc)).0);
    let doctor = if r.doctor.is_empty() {
        "any"
    } else {
        &r.doctor
    };
    let sent = web::hold(st, page, &r, v.key.clone(), v.exec.as_deref(), v.now);
    code_or_again(st, page, lang, v, sent, (&r.service, doctor, date))
}

/// What asking for a code came to: the code page (and the message to
/// send), or the choice again (`again`: the service, doctor and day asked)
/// with why and the free times now.
fn code_or_again(
    st: &mut Store,
    page: &Page,
    lang: Lang,
    v: &Visitor,
    sent: Result<web::Hold>,
    (service, doctor, date): (&str, &str, Option<NaiveDate>),
) -> Result<(Answer, Vec<Reply>)> {
    match sent {
        Ok(h) => {
            let answer = code_page(page, lang, &h.held, ("bk-code_sent", false), 200)?;
            Ok((answer, h.send.into_iter().collect()))
        }
        Err(e) if matches!(e.code, Code::Database | Code::Internal) => Err(e),
        Err(e) => {
            let (note, status) = match e.code {
                Code::RateLimited if e.details.get("clinic_cap").is_some() => {
                    ("bk-codes_spent", 429)
                }
                Code::RateLimited => ("bk-too_many", 429),
                Code::Validation if e.details.get("countries").is_some() => {
                    ("bk-other_country", 400)
                }
                Code::AppointmentConflict
                | Code::SlotFull
                | Code::SlotHeld
                | Code::ResourceBusy
                | Code::CalendarBusy
                | Code::DuplicateBooking => ("bk-time_taken", 409),
                Code::Validation
                    if e.details.get("name").is_some() || e.details.get("phone").is_some() =>
                {
                    ("bk-check_details", 400)
                }
                _ => ("bk-refused", e.code.http_status()),
            };
            let query = format!("service={service}&doctor={doctor}");
            let q = Fields::of(query.as_bytes());
            let body = choose(st, page, lang, &query, &q, date, Some((note, true)), v.now)?;
            let mut answer = Answer::html(status, body);
            answer.retry_after = e.details["retry_after"].as_u64();
            Ok((answer, Vec::new()))
        }
    }
}

/// `action=wait`: the code that puts the patient on a full day's waitlist.
/// A refusal shows the day again, with why.
fn wait(
    st: &mut Store,
    page: &Page,
    lang: Lang,
    f: &Fields,
    v: &Visitor,
) -> Result<(Answer, Vec<Reply>)> {
    let r = WaitRequest {
        service: f.get("service").unwrap_or_default().to_string(),
        doctor: f.get("doctor").unwrap_or_default().to_string(),
        date: f.get("date").unwrap_or_default().to_string(),
        name: f.get("name").unwrap_or_default().to_string(),
        phone: f.get("phone").unwrap_or_default().to_string(),
        email: f.get("email").map(str::to_string),
        channel: f.get("channel").map(str::to_string),
        address: crate::core::access::counted_as(v.peer),
    };
    let date = NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").ok();
    let sent = web::wait(st, page, &r, v.key.clone(), v.exec.as_deref(), v.now);
    code_or_again(st, page, lang, v, sent, (&r.service, &r.doctor, date))
}

fn verify(
    st: &mut Store,
    page: &Page,
    lang: Lang,
    path: &str,
    f: &Fields,
    v: &Visitor,
) -> Result<(Answer, Vec<Reply>)> {
    let hold = f.get("hold").unwrap_or_default();
    let code = f.get("code").unwrap_or_default();
    let held = web::held(st, page, hold)?;
    match web::verify(st, page, hold, code, v.key.clone(), v.now) {
        Ok(Verified::Booked(b)) => {
            let a = &b.appointments()[0];
            let link = web::link(st, page, &a.id, v.now)?;
            let step = Step::Booked {
                appointment: a,
                link: &link,
            };
            let body = render(page, lang, path, "", &step, Some(("bk-booked", false)));
            Ok((Answer::html(200, body), Vec::new()))
        }
        Ok(Verified::Waiting(entry)) => {
            let step = Step::Waiting {
                service: entry.service_id.as_deref().and_then(|s| page.service(s)),
                doctor: &entry.doctor_name,
                date: entry.date,
            };
            let body = render(page, lang, path, "", &step, Some(("bk-waiting", false)));
            Ok((Answer::html(200, body), Vec::new()))
        }
        Ok(Verified::Wrong) => {
            let held = held.ok_or_else(|| Error::not_found(crate::error::Entity::Page))?;
            let answer = code_page(page, lang, &held, ("bk-code_wrong", true), 400)?;
            Ok((answer, Vec::new()))
        }
        Ok(Verified::Over) => {
            let body = render(
                page,
                lang,
                path,
                "",
                &Step::Services,
                Some(("bk-hold_over", true)),
            );
            Ok((Answer::html(409, body), Vec::new()))
        }
        Err(e) if matches!(e.code, Code::Database | Code::Internal) => Err(e),
        Err(e) => {
            let note = match e.code {
                Code::AppointmentConflict
                | Code::SlotFull
                | Code::DuplicateBooking
                | Code::ResourceBusy
                | Code::CalendarBusy => "bk-time_taken",
                _ => "bk-refused",
            };
            let body = render(page, lang, path, "", &Step::Services, Some((note, true)));
            Ok((Answer::html(e.code.http_status(), body), Vec::new()))
        }
    }
}
