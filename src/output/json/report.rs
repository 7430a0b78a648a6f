//! `appt report --json` (docs/reports.md#json): the figures with the counts
//! behind each. Keys are stable; a rate is null when nothing was due.

use crate::app::report::Report;
use crate::core::report::{Rate, Rates, LEADS, WEEKDAYS};
use crate::wire::to_json;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct View<'a> {
    clinic: Named<'a>,
    from: String,
    to: String,
    timezone: &'static str,
    doctor: Option<Named<'a>>,
    service_id: Option<&'a str>,
    bookings: i64,
    utilisation: Utilisation<'a>,
    /// Each room's and machine's use (docs/reports.md#rooms).
    rooms: Vec<RoomView<'a>>,
    no_show_rate: RatesView,
    late_cancellation_rate: RatesView,
    lead_time: LeadTimeView,
    busiest: Vec<Busy>,
    sources: Vec<Source<'a>>,
    messages: Messages,
    waitlist: Waitlist,
    recalls: Recalls,
    /// The period before, its figures as a whole (docs/reports.md#beside-the-previous-period).
    previous: Option<Summary>,
}

#[derive(Serialize)]
struct RoomView<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'static str,
    capacity: i64,
    booked_minutes: i64,
    open_minutes: i64,
    rate: Option<f64>,
}

/// A period's figures as a whole, without their breakdowns: the keys of
/// [`View`] that carry them.
#[derive(Serialize)]
struct Summary {
    from: String,
    to: String,
    bookings: i64,
    utilisation: Total,
    no_show_rate: RateView,
    late_cancellation_rate: RateView,
    lead_time: LeadTimeView,
    messages: Messages,
    waitlist: Waitlist,
    recalls: Recalls,
}

#[derive(Serialize)]
struct Total {
    booked_minutes: i64,
    open_minutes: i64,
    rate: Option<f64>,
}

fn summary(r: &Report) -> Summary {
    let (booked, open) = r.minutes();
    Summary {
        from: r.from.to_string(),
        to: r.to.to_string(),
        bookings: r.bookings(),
        utilisation: Total {
            booked_minutes: booked,
            open_minutes: open,
            rate: share(booked, open),
        },
        no_show_rate: rate(&r.figures.no_show.overall),
        late_cancellation_rate: rate(&r.figures.late_cancellation.overall),
        lead_time: lead_time(r),
        messages: messages(r),
        waitlist: waitlist(r),
        recalls: recalls(r),
    }
}

#[derive(Serialize)]
struct Named<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Utilisation<'a> {
    booked_minutes: i64,
    open_minutes: i64,
    rate: Option<f64>,
    days: Vec<DayView<'a>>,
}

#[derive(Serialize)]
struct DayView<'a> {
    date: String,
    doctor: Named<'a>,
    booked_minutes: i64,
    open_minutes: i64,
    rate: Option<f64>,
}

#[derive(Serialize)]
struct RateView {
    numerator: i64,
    denominator: i64,
    rate: Option<f64>,
}

fn rate(r: &Rate) -> RateView {
    RateView {
        numerator: r.numerator,
        denominator: r.denominator,
        rate: r.rate(),
    }
}

#[derive(Serialize)]
struct Keyed<K: Serialize> {
    key: K,
    #[serde(flatten)]
    rate: RateView,
}

#[derive(Serialize)]
struct ByDoctor {
    doctor_id: Option<String>,
    doctor: String,
    #[serde(flatten)]
    rate: RateView,
}

#[derive(Serialize)]
struct RatesView {
    #[serde(flatten)]
    overall: RateView,
    by_doctor: Vec<ByDoctor>,
    by_weekday: Vec<Keyed<&'static str>>,
    by_hour: Vec<Keyed<u32>>,
    by_lead_time: Vec<Keyed<&'static str>>,
}

fn rates(r: &Rates, report: &Report) -> RatesView {
    RatesView {
        overall: rate(&r.overall),
        by_doctor: r
            .by_doctor
            .iter()
            .map(|(id, x)| ByDoctor {
                doctor_id: (!id.is_empty()).then(|| id.clone()),
                doctor: report.doctor_name(id).to_string(),
                rate: rate(x),
            })
            .collect(),
        by_weekday: r
            .by_weekday
            .iter()
            .map(|(d, x)| Keyed {
                key: WEEKDAYS[*d],
                rate: rate(x),
            })
            .collect(),
        by_hour: r
            .by_hour
            .iter()
            .map(|(h, x)| Keyed {
                key: *h,
                rate: rate(x),
            })
            .collect(),
        by_lead_time: r
            .by_lead
            .iter()
            .map(|(l, x)| Keyed {
                key: LEADS[*l],
                rate: rate(x),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct LeadTimeView {
    count: usize,
    median_days: Option<i64>,
    p90_days: Option<i64>,
}

#[derive(Serialize)]
struct Busy {
    weekday: &'static str,
    hour: u32,
    bookings: i64,
}

#[derive(Serialize)]
struct Source<'a> {
    source: &'a str,
    bookings: i64,
    by_status: &'a BTreeMap<String, i64>,
}

#[derive(Serialize)]
struct Messages {
    sent: i64,
    delivered: i64,
    failed: i64,
    confirmed_after_reminder: i64,
}

#[derive(Serialize)]
struct Waitlist {
    offers_made: i64,
    offers_filled: i64,
}

#[derive(Serialize)]
struct Recalls {
    due: i64,
    sent: i64,
    booked: i64,
}

fn lead_time(r: &Report) -> LeadTimeView {
    let l = &r.figures.lead_time;
    LeadTimeView {
        count: l.count,
        median_days: l.median,
        p90_days: l.p90,
    }
}

fn messages(r: &Report) -> Messages {
    let m = &r.messages;
    Messages {
        sent: m.sent,
        delivered: m.delivered,
        failed: m.failed,
        confirmed_after_reminder: m.confirmed_after,
    }
}

fn waitlist(r: &Report) -> Waitlist {
    Waitlist {
        offers_made: r.waitlist.made,
        offers_filled: r.waitlist.filled,
    }
}

fn recalls(r: &Report) -> Recalls {
    Recalls {
        due: r.recalls.due,
        sent: r.recalls.sent,
        booked: r.recalls.booked,
    }
}

fn share(num: i64, den: i64) -> Option<f64> {
    Rate {
        numerator: num,
        denominator: den,
    }
    .rate()
}

/// `appt report --json`.
pub fn report(r: &Report) -> Value {
    let f = &r.figures;
    let (booked, open) = r.minutes();
    to_json(&View {
        clinic: Named {
            id: &r.clinic.id,
            name: &r.clinic.name,
        },
        from: r.from.to_string(),
        to: r.to.to_string(),
        timezone: r.clinic.timezone.name(),
        doctor: r.doctor.as_ref().map(|d| Named {
            id: &d.id,
            name: &d.full_name,
        }),
        service_id: r.service_id.as_deref(),
        bookings: r.bookings(),
        utilisation: Utilisation {
            booked_minutes: booked,
            open_minutes: open,
            rate: share(booked, open),
            days: r
                .utilisation
                .iter()
                .map(|d| DayView {
                    date: d.date.to_string(),
                    doctor: Named {
                        id: &d.doctor_id,
                        name: &d.doctor_name,
                    },
                    booked_minutes: d.booked,
                    open_minutes: d.open,
                    rate: share(d.booked, d.open),
                })
                .collect(),
        },
        rooms: r
            .rooms
            .iter()
            .map(|u| RoomView {
                id: &u.resource.id,
                name: &u.resource.name,
                kind: u.resource.kind.as_str(),
                capacity: u.resource.capacity,
                booked_minutes: u.booked,
                open_minutes: u.open,
                rate: share(u.booked, u.open),
            })
            .collect(),
        no_show_rate: rates(&f.no_show, r),
        late_cancellation_rate: rates(&f.late_cancellation, r),
        lead_time: lead_time(r),
        busiest: f
            .busiest
            .iter()
            .map(|((d, h), n)| Busy {
                weekday: WEEKDAYS[*d],
                hour: *h,
                bookings: *n,
            })
            .collect(),
        sources: f
            .sources
            .iter()
            .map(|(s, by)| Source {
                source: s,
                bookings: by.values().sum(),
                by_status: by,
            })
            .collect(),
        messages: messages(r),
        waitlist: waitlist(r),
        recalls: recalls(r),
        previous: r.previous.as_deref().map(summary),
    })
}

/// `appt report --html FILE` or `--format F --output FILE`, with `--json`:
/// what was written, and where.
pub fn report_written(format: &str, output: &str) -> Value {
    #[derive(Serialize)]
    struct Written<'a> {
        format: &'a str,
        output: &'a str,
    }
    to_json(Written { format, output })
}
