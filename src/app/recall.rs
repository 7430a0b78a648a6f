//! Recalls (docs/rules.md#recalls): `recall list`, `GET /v1/recalls`, the
//! board's count, and `recall send` (and `remind due` for a clinic with
//! `--recalls on`), which makes each due recall's one message for the
//! sweep to deliver as it delivers a reminder.

use crate::core::recall::{self, Status};
use crate::core::{time, Clinic};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::recalls::{self, Recall};
use crate::store::{clinics, reminders, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// `recall list`, as typed.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// A clinic by name or ID; None: every clinic (or the one `seen_from`).
    pub clinic: Option<String>,
    /// Only recalls whose follow-up date is before this date (exclusive),
    /// as the desk types a date; None: up to today, included.
    pub due_before: Option<String>,
    /// `due`, `sent` or `booked`.
    pub status: Option<String>,
    /// The clinic a caller limited to one sees from (an API token's): only
    /// its recalls, and another clinic named is as missing.
    pub seen_from: Option<String>,
}

/// The clinics a request names, as a caller limited to one may see them.
fn clinics_of(tx: &Tx, named: Option<&str>, seen_from: Option<&str>) -> Result<Vec<Clinic>> {
    match (named, seen_from) {
        (Some(n), own) => {
            let c = clinics::find(tx, n)?;
            if own.is_some_and(|o| o != c.id) {
                return Err(Error::not_found(crate::error::Entity::Clinic)
                    .details(serde_json::json!({"ref": n})));
            }
            Ok(vec![c])
        }
        (None, Some(own)) => Ok(vec![clinics::get(tx, own)?]),
        (None, None) => clinics::list(tx),
    }
}

/// The recalls asked for, by follow-up date: those whose date has come
/// (or, with `due_before`, is before that date), of one status if asked.
pub fn list(st: &mut Store, r: &ListRequest, now: DateTime<Utc>) -> Result<Vec<Recall>> {
    let status = r
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                Error::field(
                    "status",
                    crate::text::msg!(
                        "e-must_be_one_of",
                        field = "status",
                        a = recall::STATUSES.join(", ")
                    ),
                )
            })
        })
        .transpose()?;
    st.read(|tx| {
        let mut out = Vec::new();
        for c in clinics_of(tx, r.clinic.as_deref(), r.seen_from.as_deref())? {
            let before = before(&c, r.due_before.as_deref(), now)?;
            out.extend(
                recalls::list(tx, &c.id, before)?
                    .into_iter()
                    .filter(|x| status.is_none_or(|s| x.status() == s)),
            );
        }
        out.sort_by(|a, b| (a.follow_up_date, &a.id).cmp(&(b.follow_up_date, &b.id)));
        Ok(out)
    })
}

/// The first date a list leaves out at clinic `c`: the date typed (in the
/// clinic's date order), else tomorrow there.
fn before(c: &Clinic, typed: Option<&str>, now: DateTime<Utc>) -> Result<NaiveDate> {
    let today = time::local_today(c.timezone, now);
    match typed {
        Some(s) => time::parse_date(s, today, c.settings.date_order())
            .map_err(|e| Error::field("due_before", e)),
        None => Ok(recall::default_before(today)),
    }
}

/// How many of clinic `clinic_id`'s recalls are due today: the board's count.
pub fn due_count(tx: &Tx, c: &Clinic, now: DateTime<Utc>) -> Result<usize> {
    let before = recall::default_before(time::local_today(c.timezone, now));
    Ok(recalls::list(tx, &c.id, before)?
        .iter()
        .filter(|r| r.status() == Status::Due)
        .count())
}

/// Which clinics' recalls a sending takes.
#[derive(Clone, Copy)]
pub enum Clinics<'a> {
    /// `recall send`: the clinic named, else every one.
    Asked(Option<&'a str>),
    /// `remind due`: those with `--recalls on`.
    TurnedOn,
}

/// Makes the message of each recall due at `now` in `which` clinics: a
/// recall gets one, ever (the store's unique index says so too). The sweep
/// delivers them. Read first, so that a run with nothing due (cron's usual
/// one) writes nothing; what is due is judged again in the write
/// transaction that makes the messages. Returns how many were made.
pub fn queue_due(st: &mut Store, which: Clinics, now: DateTime<Utc>) -> Result<usize> {
    let due = |tx: &Tx| -> Result<Vec<String>> {
        let chosen = match which {
            Clinics::Asked(named) => clinics_of(tx, named, None)?,
            Clinics::TurnedOn => clinics::list(tx)?
                .into_iter()
                .filter(|c| c.settings.recalls)
                .collect(),
        };
        let mut ids = Vec::new();
        for c in chosen {
            let before = recall::default_before(time::local_today(c.timezone, now));
            ids.extend(
                recalls::list(tx, &c.id, before)?
                    .into_iter()
                    .filter(|r| r.status() == Status::Due)
                    .map(|r| r.id),
            );
        }
        Ok(ids)
    };
    if st.read(due)?.is_empty() {
        return Ok(0);
    }
    st.write(|tx| {
        let ids = due(tx)?;
        for id in &ids {
            reminders::queue(tx, id, crate::core::message::Kind::Recall, None, None, now)?;
        }
        Ok(ids.len())
    })
}

/// Whether the recall of visit `visit_id` is still to be sent: not booked
/// since its message was made (nor gone: the follow-up taken away, the
/// patient erased).
pub fn verdict(tx: &Tx, visit_id: &str) -> Result<crate::core::delivery::Verdict> {
    let booked = recalls::of_visit(tx, visit_id)?.is_none_or(|r| r.booked_appointment_id.is_some());
    Ok(recall::verdict(booked))
}

/// The booking page's address for a recall of `r` at clinic `c`: preset to
/// its doctor and service. None while the clinic has no public URL or its
/// page is off.
pub fn page_link(c: &Clinic, doctor: Option<&str>, service: Option<&str>) -> Option<String> {
    let base = c.settings.public_url.as_deref()?;
    if !c.settings.online_booking {
        return None;
    }
    let mut url = format!(
        "{}{}",
        base.trim_end_matches('/'),
        c.settings.page_path(&c.name)
    );
    let mut sep = '?';
    for (key, id) in [("service", service), ("doctor", doctor)] {
        if let Some(id) = id {
            url.push_str(&format!("{sep}{key}={id}"));
            sep = '&';
        }
    }
    Some(url)
}
