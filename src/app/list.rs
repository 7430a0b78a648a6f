//! The read side: `list`, `count`, `show` and `history`.

use super::phones::{self, At};
use super::values::{check_source, check_status, Problems};
use super::visit::VisitInput;
use crate::core::zone::Tz;
use crate::core::{time, Appointment, Clinic, DateOrder};
use crate::error::{Error, Result};
use crate::store::appointments::{self, count_grouped, CountBy, Filter};
use crate::store::db::Tx;
use crate::store::events::Event;
use crate::store::{clinics, doctors, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// `list`'s filters and page, as typed.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub clinic: Option<String>,
    /// What relative dates mean without a clinic when there are several.
    pub zone: Tz,
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub status: Option<String>,
    pub doctor: Option<String>,
    pub patient: Option<String>,
    pub source: Option<String>,
    /// One series (its ID, a prefix, or an occurrence's ID).
    pub series: Option<String>,
    /// What kind of visit (docs/rules.md#visits), in either language.
    pub visit: VisitInput,
    /// The clinic a caller limited to one sees from (an API token's,
    /// docs/security.md#clinics-apart): only the patients it knows are
    /// found, and another clinic's appointments are never named.
    pub seen_from: Option<String>,
    pub page: i64,
    pub limit: i64,
}

/// One page of appointments.
pub struct Page {
    pub appointments: Vec<Appointment>,
    /// How many match in all.
    pub total: i64,
    pub page: i64,
    pub limit: i64,
}

/// The clinic a read names, the local date "today" is for it and how it
/// reads `4/12`: the clinic's, else the desk's (docs/commands.md#conventions).
pub(super) fn read_scope(
    tx: &Tx,
    clinic: Option<&str>,
    machine: Tz,
    now: DateTime<Utc>,
) -> Result<(Option<Clinic>, NaiveDate, DateOrder)> {
    let clinic = clinic.map(|c| clinics::find(tx, c)).transpose()?;
    let (tz, order) = match &clinic {
        Some(c) => (c.timezone, c.settings.date_order()),
        None => desk(tx, machine)?,
    };
    Ok((clinic, time::local_today(tz, now), order))
}

/// `--from`/`--to`, local dates relative to `today`, each checked; `to`
/// before `from` is refused.
pub(super) fn date_range(
    from: Option<&str>,
    to: Option<&str>,
    (today, order): (NaiveDate, DateOrder),
    bad: &mut Problems,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let from = from.and_then(|v| bad.take("from", time::parse_date(v, today, order)));
    let to = to.and_then(|v| bad.take("to", time::parse_date(v, today, order)));
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            bad.add("to", crate::text::msg!("e-to_must_not_be_before_from"));
        }
    }
    (from, to)
}

impl ListRequest {
    /// Rule 1 before anything is read: one date, or a range, not both.
    pub fn check(&self) -> Result<()> {
        if self.date.is_some() && (self.from.is_some() || self.to.is_some()) {
            return Err(Error::field(
                "date",
                crate::text::msg!("e-date_not_with_start_or_end"),
            ));
        }
        Ok(())
    }
}

pub fn list(st: &mut Store, a: &ListRequest, now: DateTime<Utc>) -> Result<Page> {
    a.check()?;
    st.read(|tx| {
        let (clinic, today, order) = read_scope(tx, a.clinic.as_deref(), a.zone, now)?;
        let mut bad = Problems::default();
        let (from, to) = match &a.date {
            Some(d) => {
                let d = bad.take("date", time::parse_date(d, today, order));
                (d, d)
            }
            None => date_range(a.from.as_deref(), a.to.as_deref(), (today, order), &mut bad),
        };
        let status = check_status(a.status.as_deref(), &mut bad);
        let source = check_source(a.source.as_deref(), &mut bad);
        let visit = a.visit.check(&mut bad);
        if !(1..=500).contains(&a.limit) {
            bad.add(
                "limit",
                crate::text::msg!("e-limit_must_be_between_1_and_500"),
            );
        }
        // A page past the end is empty; one whose offset cannot be counted is refused.
        let offset = (a.page - 1).checked_mul(a.limit);
        if a.page < 1 {
            bad.add("page", crate::text::msg!("e-page_must_be_1_or_more"));
        } else if offset.is_none() {
            bad.add("page", crate::text::msg!("e-page_is_too_large"));
        }
        bad.finish()?;
        let doctor_id = a
            .doctor
            .as_deref()
            .map(|d| doctors::find(tx, d))
            .transpose()?
            .map(|d| d.id);
        // A local phone is the named clinic's, else the desk's (docs/rules.md#phones).
        let at = match &clinic {
            Some(c) => At::Clinic(c),
            None => At::Desk(None),
        };
        let patient_id = a
            .patient
            .as_deref()
            .map(|p| phones::find_patient(tx, at, p, a.seen_from.as_deref()))
            .transpose()?
            .map(|p| p.patient.id);
        // The clinic's spelling when it is named (any case then), else as typed.
        let payer = match (&clinic, a.visit.payer.as_deref()) {
            (Some(c), Some(p)) => crate::core::visit_kind::payer(p, &c.settings.payers)?,
            (None, Some(p)) => Some(p.trim().to_string()),
            (_, None) => None,
        };
        let f = Filter {
            clinic_id: clinic.map(|c| c.id),
            from,
            to,
            status,
            doctor_id,
            patient_id,
            source,
            series_id: a
                .series
                .as_deref()
                .map(|s| super::series::find(tx, s, a.seen_from.as_deref()))
                .transpose()?,
            urgency: visit.urgency,
            modality: visit.modality,
            visit_type: visit.visit_type,
            payer,
        };
        let (rows, total) = appointments::list(tx, &f, offset.unwrap_or(0), a.limit)?;
        Ok(Page {
            appointments: rows,
            total,
            page: a.page,
            limit: a.limit,
        })
    })
}

/// The zone relative dates are in when no clinic is named, and how `4/12`
/// is read: the only clinic's, else (several clinics, or none) the
/// machine's zone and the desk's language's order.
fn desk(tx: &Tx, machine: Tz) -> Result<(Tz, DateOrder)> {
    let all = clinics::list(tx)?;
    Ok(match all.as_slice() {
        [only] => (only.timezone, only.settings.date_order()),
        _ => (machine, super::values::desk_order()),
    })
}

/// `count`: appointments created since an instant or a date (default a day ago).
#[derive(Debug, Clone)]
pub struct CountRequest {
    /// Only this clinic's appointments (name or ID).
    pub clinic: Option<String>,
    /// An RFC 3339 instant, or a date (its local midnight).
    pub since: Option<String>,
    pub zone: Tz,
    pub source: Option<String>,
    pub status: Option<String>,
    /// `--by urgency|modality|visit_type|payer|doctor`: the count in groups.
    pub by: Option<String>,
    /// Only the overbooked appointments (docs/rules.md#overbooking).
    pub overbooked: bool,
}

/// What `count` counted: how many since when, and, with `--by`, in which
/// groups.
#[derive(Debug, Clone)]
pub struct Counted {
    pub count: i64,
    pub since: DateTime<Utc>,
    pub by: Option<CountBy>,
    pub groups: Vec<Group>,
}

/// One group of `count --by`.
#[derive(Debug, Clone)]
pub struct Group {
    /// The value stored (`urgent`, a payer, a doctor's ID); None: not set.
    pub key: Option<String>,
    /// A doctor's name, for a group of doctors.
    pub name: Option<String>,
    pub count: i64,
}

pub fn count(st: &mut Store, c: &CountRequest, now: DateTime<Utc>) -> Result<Counted> {
    st.read(|tx| {
        let mut bad = Problems::default();
        let since = match &c.since {
            Some(s) => {
                let (tz, order) = desk(tx, c.zone)?;
                bad.take(
                    "since",
                    time::parse_since(s, tz, time::local_today(tz, now), order),
                )
            }
            None => Some(now - Duration::hours(24)),
        };
        let status = check_status(c.status.as_deref(), &mut bad);
        let source = check_source(c.source.as_deref(), &mut bad);
        let by = c.by.as_deref().and_then(|b| {
            let by = CountBy::parse(b);
            if by.is_none() {
                let listed: Vec<&str> = CountBy::ALL.iter().map(|b| b.as_str()).collect();
                bad.add(
                    "by",
                    crate::text::msg!("e-count_by_one_of", s = b, a = listed.join(", ")),
                );
            }
            by
        });
        bad.finish()?;
        let clinic_id = match &c.clinic {
            Some(name) => Some(clinics::find(tx, name)?.id),
            None => None,
        };
        let since = since.unwrap_or(now);
        let (source, clinic_id) = (source.as_deref(), clinic_id.as_deref());
        if by.is_none() && !c.overbooked {
            let count = appointments::count_created(tx, since, source, status, clinic_id)?;
            return Ok(Counted {
                count,
                since,
                by,
                groups: Vec::new(),
            });
        }
        let grouped_by = by.unwrap_or(CountBy::Doctor);
        let found = count_grouped(
            tx,
            since,
            source,
            status,
            clinic_id,
            grouped_by,
            c.overbooked,
        )?;
        let mut groups = Vec::with_capacity(found.len());
        for (key, count) in found {
            let name = match (grouped_by, &key) {
                (CountBy::Doctor, Some(id)) => Some(doctors::get(tx, id)?.full_name),
                _ => None,
            };
            groups.push(Group { key, name, count });
        }
        Ok(Counted {
            count: groups.iter().map(|g| g.count).sum(),
            since,
            by,
            groups: if by.is_some() { groups } else { Vec::new() },
        })
    })
}

pub fn show(st: &mut Store, id: &str, now: DateTime<Utc>) -> Result<Appointment> {
    st.read(|tx| super::appointment_ref::find(tx, id, now))
}

/// An appointment and its events, oldest first.
pub fn history(st: &mut Store, id: &str, now: DateTime<Utc>) -> Result<History> {
    st.read(|tx| {
        let a = super::appointment_ref::find(tx, id, now)?;
        let events = super::events::of_appointment(tx, &a)?;
        // The patient's own messages: an offer of this time went to another.
        let email = crate::store::patients::get(tx, &a.patient_id)?
            .patient
            .email;
        let messages = crate::store::reminders::of_appointments(tx, &[a.id.as_str()])?
            .into_iter()
            .filter(|m| m.kind != crate::core::message::Kind::WaitlistOffer)
            .map(|m| Sent::to_patient(tx, m, &a, email.as_deref()))
            .collect::<Result<_>>()?;
        Ok(History {
            appointment: a,
            events,
            messages,
        })
    })
}

/// An appointment's history: its events and the messages about it, with
/// what the providers said of each (docs/rules.md#answers).
pub struct History {
    pub appointment: Appointment,
    pub events: Vec<Event>,
    pub messages: Vec<Sent>,
}

/// A message about a patient's own visit, and where it goes: their e-mail
/// for one sent through an e-mail channel, else their phone (E.164).
pub struct Sent {
    pub message: crate::store::reminders::Reminder,
    pub to: String,
}

impl Sent {
    pub(super) fn to_patient(
        tx: &crate::store::db::Tx,
        message: crate::store::reminders::Reminder,
        a: &Appointment,
        email: Option<&str>,
    ) -> Result<Sent> {
        let by_email = match &message.channel {
            Some(name) => crate::store::channels::by_name(tx, &a.clinic_id, name)?
                .is_some_and(|c| c.settings.kind() == crate::core::channel::Kind::Email),
            None => false,
        };
        let to = match (by_email, email) {
            (true, Some(e)) => e.to_string(),
            _ => a.patient_phone.clone(),
        };
        Ok(Sent { message, to })
    }
}
