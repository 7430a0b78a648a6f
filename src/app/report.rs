//! `appt report` (docs/reports.md): a clinic's figures over a period of
//! local dates, read in one transaction. The counting is `core::report`'s,
//! the reading `store::report`'s; the minutes open are the calendars'
//! (`schedule::Calendar`), as a booking reads them.

use super::schedule::{Calendar, Target};
use crate::core::report::{self, Figures};
use crate::core::{time, Clinic, Doctor};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::report::{Messages, Offers, Scope};
use crate::store::{clinics, doctors, recalls, services, Store};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

/// The longest period a report reads, in days.
pub const MAX_DAYS: i64 = 366;

/// `appt report`, as typed.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub clinic: Option<String>,
    /// The first date, as the desk types one; None: 28 days before `to`.
    pub from: Option<String>,
    /// The last date, included; None: yesterday.
    pub to: Option<String>,
    pub doctor: Option<String>,
    pub service: Option<String>,
    /// A whole month instead of `from` and `to` (`2026-11`, `junio`, `last`).
    pub month: Option<String>,
}

/// One doctor's day: minutes held over minutes open.
#[derive(Debug, Clone)]
pub struct DayUse {
    pub doctor_id: String,
    pub doctor_name: String,
    pub date: NaiveDate,
    pub booked: i64,
    pub open: i64,
}

/// Recalls whose follow-up date falls in the period: sent and booked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recalls {
    pub due: i64,
    pub sent: i64,
    pub booked: i64,
}

/// A resource's use over a report's period.
#[derive(Debug, Clone)]
pub struct RoomUse {
    pub resource: crate::core::resources::Resource,
    /// Minutes its visits held it (buffers included), cancelled ones aside.
    pub booked: i64,
    /// Its places' minutes open: its own hours, else the clinic's (every
    /// window there, overlaps once), times its capacity; none on a day it
    /// or the clinic is closed.
    pub open: i64,
}

/// What `appt report` shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub clinic: Clinic,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub doctor: Option<Doctor>,
    pub service_id: Option<String>,
    /// The doctors the period names (by ID: their names).
    pub doctors: Vec<(String, String)>,
    pub utilisation: Vec<DayUse>,
    /// Each room's and machine's use over the period
    /// (docs/reports.md#rooms): minutes held ÷ minutes open × capacity.
    pub rooms: Vec<RoomUse>,
    pub figures: Figures,
    pub messages: Messages,
    /// The waitlist's offers of the period's freed times.
    pub waitlist: Offers,
    pub recalls: Recalls,
    /// The same figures over the period before (`core::report::previous`),
    /// which the report sets them beside; None in that report itself.
    pub previous: Option<Box<Report>>,
}

impl Report {
    /// The period's bookings: its appointments, whatever became of them.
    pub fn bookings(&self) -> i64 {
        self.figures
            .sources
            .values()
            .flat_map(|by| by.values())
            .sum()
    }

    /// Minutes booked and minutes open over the period.
    pub fn minutes(&self) -> (i64, i64) {
        (
            self.utilisation.iter().map(|d| d.booked).sum(),
            self.utilisation.iter().map(|d| d.open).sum(),
        )
    }

    /// The doctor's name for an ID ("" for clinic-wide visits).
    pub fn doctor_name(&self, id: &str) -> &str {
        self.doctors
            .iter()
            .find(|(d, _)| d == id)
            .map_or("", |(_, n)| n.as_str())
    }
}

/// The period asked for at clinic `c`: dates in its order, default the 28
/// days up to yesterday there.
fn period(c: &Clinic, r: &ReportRequest, now: DateTime<Utc>) -> Result<(NaiveDate, NaiveDate)> {
    let today = time::local_today(c.timezone, now);
    let order = c.settings.date_order();
    let read = |field: &str, s: &Option<String>| {
        s.as_deref()
            .map(|s| time::parse_date(s, today, order).map_err(|e| Error::field(field, e)))
            .transpose()
    };
    if let Some(m) = &r.month {
        if r.from.is_some() || r.to.is_some() {
            return Err(Error::field(
                "month",
                crate::text::msg!("e-month_or_from_to"),
            ));
        }
        return crate::core::words::month(m, today).map_err(|e| Error::field("month", e));
    }
    let to = read("to", &r.to)?.unwrap_or(today - Duration::days(1));
    let from = read("from", &r.from)?.unwrap_or(to - Duration::days(27));
    if from > to {
        return Err(Error::field(
            "from",
            crate::text::msg!("e-report_from_after_to"),
        ));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(Error::field(
            "to",
            crate::text::msg!("e-report_too_long", a = MAX_DAYS),
        ));
    }
    Ok((from, to))
}

/// The report a request asks for, beside the period before it, both read
/// in one transaction.
pub fn report(st: &mut Store, r: &ReportRequest, now: DateTime<Utc>) -> Result<Report> {
    st.read(|tx| {
        let clinic = clinics::default(tx, r.clinic.as_deref())?;
        let (from, to) = period(&clinic, r, now)?;
        let doctor = r
            .doctor
            .as_deref()
            .map(|d| doctors::find(tx, d))
            .transpose()?;
        let service_id = r
            .service
            .as_deref()
            .map(|s| services::find(tx, s))
            .transpose()?
            .map(|s| s.id);
        let (before_from, before_to) = report::previous(from, to);
        let before = over(tx, &clinic, &doctor, &service_id, before_from, before_to)?;
        let mut report = over(tx, &clinic, &doctor, &service_id, from, to)?;
        report.previous = Some(Box::new(before));
        Ok(report)
    })
}

/// The figures of the days `from` to `to` at `clinic`, for `doctor` and
/// the service `service_id` where given.
fn over(
    tx: &Tx,
    clinic: &Clinic,
    doctor: &Option<Doctor>,
    service_id: &Option<String>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Report> {
    let scope = Scope {
        clinic_id: &clinic.id,
        from,
        to,
        doctor_id: doctor.as_ref().map(|d| d.id.as_str()),
        service_id: service_id.as_deref(),
    };
    let visits = crate::store::report::visits(tx, &scope)?;
    let figures = report::figures(clinic.timezone, clinic.settings.cancel_window, &visits);
    let messages = crate::store::report::messages(tx, &scope)?;
    let waitlist = crate::store::report::offers(tx, &scope)?;

    // The doctors: those with windows here, and any a visit names.
    let mut all = doctors::at_clinic(tx, &clinic.id)?;
    for v in &visits {
        if let Some(id) = &v.doctor_id {
            if !all.iter().any(|d| &d.id == id) {
                all.push(doctors::get(tx, id)?);
            }
        }
    }
    if let Some(d) = doctor {
        all.retain(|x| x.id == d.id);
    }
    let shared = std::sync::Arc::new(clinic.clone());
    let targets: Vec<Target> = all
        .iter()
        .map(|d| Target {
            clinic: std::sync::Arc::clone(&shared),
            doctor: Some(d.clone()),
        })
        .collect();
    let calendars = Calendar::of_doctors(tx, clinic, &targets, from, to)?;
    let mut utilisation = Vec::new();
    for cal in &calendars {
        let Some(d) = &cal.target.doctor else {
            continue;
        };
        let mut date = from;
        while date <= to {
            // A service asked for narrows what is booked, not what is open.
            let open = cal.open_minutes(date);
            let booked = figures
                .booked
                .get(&(d.id.clone(), date))
                .copied()
                .unwrap_or(0);
            if open > 0 || booked > 0 {
                utilisation.push(DayUse {
                    doctor_id: d.id.clone(),
                    doctor_name: d.full_name.clone(),
                    date,
                    booked,
                    open,
                });
            }
            date += Duration::days(1);
        }
    }
    utilisation.sort_by(|a, b| (a.date, &a.doctor_name).cmp(&(b.date, &b.doctor_name)));
    let rooms = rooms_used(tx, clinic, (from, to))?;

    // A recall follows a visit: a doctor or a service asked for keeps
    // the recalls of its visits.
    let mut recalls = Recalls::default();
    let asked = |want: Option<&str>, got: Option<&str>| want.is_none_or(|w| got == Some(w));
    for x in recalls::list(tx, &clinic.id, to + Duration::days(1))? {
        if x.follow_up_date >= from
            && asked(scope.doctor_id, x.doctor_id.as_deref())
            && asked(scope.service_id, x.service_id.as_deref())
        {
            recalls.due += 1;
            recalls.sent += i64::from(x.sent_at.is_some());
            recalls.booked += i64::from(x.booked_appointment_id.is_some());
        }
    }
    Ok(Report {
        doctors: all
            .iter()
            .map(|d| (d.id.clone(), d.full_name.clone()))
            .collect(),
        clinic: clinic.clone(),
        from,
        to,
        doctor: doctor.clone(),
        service_id: service_id.clone(),
        utilisation,
        rooms,
        figures,
        messages,
        waitlist,
        recalls,
        previous: None,
    })
}

/// Each of the clinic's resources' use over `[from, to]`
/// (docs/reports.md#rooms).
fn rooms_used(
    tx: &crate::store::db::Tx,
    clinic: &Clinic,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<RoomUse>> {
    use crate::store::resources;
    let all = resources::list(tx, Some(&clinic.id))?;
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    let held = resources::held_minutes(tx, &clinic.id, (from, to))?;
    let hours = resources::hours_of(tx, &ids)?;
    let closed = resources::closures_touching(tx, &ids, (from, to))?;
    let windows = crate::store::windows::list(tx, Some(&clinic.id), None)?;
    let shut = crate::store::closures::touching(tx, &clinic.id, &[], from, to)?;
    let tz = clinic.timezone;
    let edge = |date| move |m| time::window_edge(tz, date, m);
    let mut out = Vec::new();
    for r in all {
        let mut open = 0;
        let mut date = from;
        while date <= to {
            let closed_here = shut
                .iter()
                .any(|c| c.doctor_id.is_none() && c.from <= date && date <= c.to)
                || closed
                    .iter()
                    .any(|(id, a, b)| *id == r.id && *a <= date && date <= *b);
            if !closed_here {
                let day = 1u8 << date.weekday().num_days_from_monday();
                let own: Vec<(i64, i64)> = hours
                    .iter()
                    .filter(|h| h.0 == r.id && h.1 & day != 0)
                    .map(|h| (h.2, h.3))
                    .collect();
                let spans = if hours.iter().any(|h| h.0 == r.id) {
                    own
                } else {
                    crate::core::slots::windows_on(windows.iter(), date)
                        .into_iter()
                        .filter(|w| w.open)
                        .map(|w| (w.from, w.to))
                        .collect()
                };
                open += crate::core::report::open_minutes(spans, edge(date)) * r.capacity;
            }
            date += Duration::days(1);
        }
        let booked = held
            .iter()
            .find(|(id, _)| *id == r.id)
            .map_or(0, |(_, m)| *m);
        out.push(RoomUse {
            resource: r,
            booked,
            open,
        });
    }
    Ok(out)
}
