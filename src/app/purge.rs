//! `appt purge` and the retention `remind due` applies
//! (docs/privacy.md#retention): for the visits that are over, what a clinic
//! need not keep goes — messages no longer to deliver, patients' links, the
//! personal fields of events — while appointments, their statuses and
//! clinical record stay. The purge is a list of steps, one per table
//! ([`STEPS`]), done together for each batch of visits in a transaction of
//! its own, so a purge killed half-way leaves every batch whole and a second
//! run finds only what was left.

use crate::core::{time, Clinic};
use crate::error::{Error, Result};
use crate::store::access_log;
use crate::store::db::Tx;
use crate::store::retention::{self, Mark, Visit};
use crate::store::{clinics, events, links, reminders, Store};
use crate::wire;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The most visits one transaction of a purge takes: each is a few
/// messages, a link and a few events, so a batch holds the write lock for
/// milliseconds, never a whole purge's time (in debug builds,
/// `APPT_TEST_BATCH`: a test that kills a purge half-way needs many
/// batches of a small database).
const BATCH: i64 = 500;

/// One table's part of a purge, done to a batch of visits that are over.
/// Issue 45's holds and codes and issue 46's inbox items are to be steps of
/// this list when they exist.
struct Step {
    /// The table it empties, as `--json` names it.
    table: &'static str,
    run: fn(&Tx, &Batch, &mut Tally) -> Result<()>,
}

/// The steps, in the order each batch takes them.
const STEPS: [Step; 3] = [
    Step {
        table: "reminders",
        run: messages,
    },
    Step {
        table: "patient_links",
        run: visit_links,
    },
    Step {
        table: "events",
        run: event_fields,
    },
];

/// `appt purge --before DATE [--clinic C] [--dry-run]`, as typed.
#[derive(Debug, Clone)]
pub struct PurgeRequest {
    /// The first day kept: what ended before it goes (`YYYY-MM-DD`,
    /// `today`, `-90`, …, in each clinic's zone).
    pub before: String,
    /// One clinic (name or ID); None: every clinic.
    pub clinic: Option<String>,
    /// Count what would go, change nothing.
    pub dry_run: bool,
}

/// What a purge removed (or, dry, would remove): how many rows of each
/// table went or were emptied, in the order of [`STEPS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    pub tables: Vec<(&'static str, i64)>,
    pub dry_run: bool,
}

impl Purged {
    fn new(dry_run: bool) -> Self {
        Purged {
            tables: STEPS.iter().map(|s| (s.table, 0)).collect(),
            dry_run,
        }
    }

    fn add(&mut self, table: &'static str, n: usize) {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        match self.tables.iter_mut().find(|(t, _)| *t == table) {
            Some((_, total)) => *total += n,
            None => self.tables.push((table, n)),
        }
    }

    /// Whether anything went (or would go).
    pub fn any(&self) -> bool {
        self.tables.iter().any(|(_, n)| *n > 0)
    }
}

/// A batch of visits that are over, and where the purge cuts.
struct Batch<'a> {
    visits: &'a [Visit],
    /// What ended before this instant (epoch seconds) goes.
    cut: i64,
    dry: bool,
}

impl Batch<'_> {
    fn ids(&self) -> Vec<&str> {
        self.visits.iter().map(|v| v.id.as_str()).collect()
    }
}

/// What a purge has done so far.
struct Tally {
    purged: Purged,
    /// The earliest end of a visit something was kept of (a message still
    /// to deliver, an offer whose time has not passed): where the next
    /// retention run starts again.
    kept: Option<i64>,
    /// Batches done (for the test hook that stops a purge half-way).
    batches: usize,
}

impl Tally {
    fn keep(&mut self, ends_at: i64) {
        self.kept = Some(self.kept.map_or(ends_at, |k| k.min(ends_at)));
    }
}

/// Messages: each one no longer pending goes with its row (its text,
/// recipient and provider payload with it), and a waitlist offer's link
/// with it; a message still to deliver stays, and so does an offer whose
/// time is not over. A recall's message stays for good: it is what says
/// the recall was sent, and it names nobody (docs/rules.md#recalls).
fn messages(tx: &Tx, b: &Batch, t: &mut Tally) -> Result<()> {
    let all = reminders::of_appointments(tx, &b.ids())?;
    let mut gone = Vec::new();
    let mut offers = Vec::new();
    for r in all
        .iter()
        .filter(|r| r.kind != crate::core::message::Kind::Recall)
    {
        if r.status != crate::core::message::Status::Pending && offer_over(r, b.cut) {
            gone.push(r.id.as_str());
            if r.kind == crate::core::message::Kind::WaitlistOffer {
                offers.push(r.id.as_str());
            }
        } else if let Some(v) = b.visits.iter().find(|v| v.id == r.appointment_id) {
            t.keep(v.ends_at);
        }
    }
    if b.dry {
        t.purged
            .add("patient_links", links::count_to(tx, "offer", &offers)?);
        t.purged.add("reminders", gone.len());
    } else {
        t.purged
            .add("patient_links", links::delete_to(tx, "offer", &offers)?);
        t.purged
            .add("reminders", reminders::delete_finished(tx, &gone)?);
    }
    Ok(())
}

/// Whether message `r`, if it is a waitlist offer, offered a time that
/// ended before `cut` (the appointment that freed it may have moved
/// earlier since); any other message is over with its visit.
fn offer_over(r: &reminders::Reminder, cut: i64) -> bool {
    let Some(o) = r.offer() else {
        return true;
    };
    let start = o["starts_at"]
        .as_str()
        .and_then(|s| time::parse_rfc3339(s).ok());
    let minutes = o["duration_minutes"].as_i64().unwrap_or(0);
    start.is_none_or(|s| s.timestamp() + minutes * 60 < cut)
}

/// The visits' own links: a link to a visit that is over opens nothing
/// (docs/security.md#patient-links).
fn visit_links(tx: &Tx, b: &Batch, t: &mut Tally) -> Result<()> {
    let ids = b.ids();
    let n = if b.dry {
        links::count_to(tx, "appointment", &ids)?
    } else {
        links::delete_to(tx, "appointment", &ids)?
    };
    t.purged.add("patient_links", n);
    Ok(())
}

/// Events stay, each emptied of the patient's personal fields
/// ([`wire::forget_patient`]): the log keeps what happened and who did it.
fn event_fields(tx: &Tx, b: &Batch, t: &mut Tally) -> Result<()> {
    let mut n = 0;
    for (id, mut data) in events::data_of(tx, &b.ids())? {
        if wire::forget_patient(&mut data) {
            n += 1;
            if !b.dry {
                events::set_data(tx, id, &data)?;
            }
        }
    }
    t.purged.add("events", n);
    Ok(())
}

/// Runs `f` in a transaction of its own: a write, or for a dry run a read.
fn batch<T>(st: &mut Store, dry: bool, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
    if dry {
        st.read(f)
    } else {
        st.write(f)
    }
}

/// Where a purge of one clinic goes.
struct Scope<'a> {
    clinic: &'a Clinic,
    /// What ended before it goes.
    cut: DateTime<Utc>,
    /// Only what ended at or after this (epoch seconds): where the last
    /// retention run stopped. None: from the first visit.
    from: Option<i64>,
    /// The events of IDs in (after, upto]: what changed since the last
    /// retention run, whose visits it had passed already.
    touched: Option<(i64, i64)>,
}

/// Purges one clinic: the visits over, day by day, then those changed since
/// the last run passed them.
fn purge_clinic(st: &mut Store, scope: &Scope, dry: bool, t: &mut Tally) -> Result<()> {
    days(st, scope, dry, t)?;
    touched(st, scope, dry, t)?;
    looks(st, scope, dry, t)
}

/// The record of who looked at the clinic's visits, older than the cut
/// (docs/security.md#who-looked): by when it was recorded, not by the
/// visit. Named in the result only when some went.
fn looks(st: &mut Store, scope: &Scope, dry: bool, t: &mut Tally) -> Result<()> {
    let n = batch(st, dry, |tx| {
        if dry {
            access_log::count_before(tx, &scope.clinic.id, scope.cut)
        } else {
            access_log::purge(tx, &scope.clinic.id, scope.cut)
        }
    })?;
    if n > 0 {
        t.purged.add("access_log", n);
    }
    Ok(())
}

/// Takes every step for one batch of visits, in the batch's transaction.
/// A test may stop the purge there, before the batch commits (debug builds:
/// `APPT_TEST_PAUSE=purge:N` stops inside the Nth).
fn take_steps(tx: &Tx, b: &Batch, t: &mut Tally) -> Result<()> {
    for step in &STEPS {
        (step.run)(tx, b, t)?;
    }
    super::test_pause(&format!("purge:{}", t.batches + 1));
    t.batches += 1;
    Ok(())
}

/// The clinic's visits that ended in [`scope.from`, `scope.cut`), a day
/// at a time and a page of a day at a time.
fn days(st: &mut Store, scope: &Scope, dry: bool, t: &mut Tally) -> Result<()> {
    let (tz, clinic) = (scope.clinic.timezone, scope.clinic.id.as_str());
    let cut = scope.cut.timestamp();
    let from = scope.from.unwrap_or(i64::MIN);
    if from >= cut {
        return Ok(());
    }
    // A visit that ended before the cut started on the cut's local date or
    // before; one that ended after `from` started at most a day before it
    // (a day and a clock change: the days after the two days before).
    let last = time::local_today(tz, scope.cut);
    let mut lower = scope
        .from
        .and_then(|f| DateTime::from_timestamp(f, 0))
        .map(|f| time::local_today(tz, f) - Duration::days(3));
    let limit = crate::store::batch_size(BATCH);
    let (mut day, mut page): (Option<NaiveDate>, Option<(i64, String)>) = (None, None);
    loop {
        let found = batch(st, dry, |tx| {
            let d = match day {
                Some(d) => d,
                None => match retention::next_day(tx, clinic, lower, last)? {
                    Some(d) => d,
                    None => return Ok(None),
                },
            };
            let after = page.as_ref().map(|(s, id)| (*s, id.as_str()));
            let visits = retention::visits_of_day(tx, clinic, d, (from, cut), after, limit)?;
            take_steps(
                tx,
                &Batch {
                    visits: &visits,
                    cut,
                    dry,
                },
                t,
            )?;
            Ok(Some((d, visits)))
        })?;
        let Some((d, visits)) = found else {
            return Ok(());
        };
        if (visits.len() as i64) < limit {
            (lower, day, page) = (Some(d), None, None);
        } else {
            page = visits.last().map(|v| (v.starts_at, v.id.clone()));
            day = Some(d);
        }
    }
}

/// The visits that ended before `scope.from` (already passed) and changed
/// since: read from the events recorded since, a page of IDs at a time.
fn touched(st: &mut Store, scope: &Scope, dry: bool, t: &mut Tally) -> Result<()> {
    let (Some((mut after, upto)), Some(from)) = (scope.touched, scope.from) else {
        return Ok(());
    };
    let cut = scope.cut.timestamp();
    let before = from.min(cut);
    let limit = crate::store::batch_size(BATCH);
    while after < upto {
        let to = after.saturating_add(limit).min(upto);
        batch(st, dry, |tx| {
            let visits = events::touched(tx, &scope.clinic.id, after, to, before)?;
            take_steps(
                tx,
                &Batch {
                    visits: &visits,
                    cut,
                    dry,
                },
                t,
            )
        })?;
        after = to;
    }
    Ok(())
}

/// `appt purge`: for every clinic (or the one asked for), what ended before
/// the start of DATE in its zone (and before now) goes.
pub fn purge(st: &mut Store, req: &PurgeRequest, now: DateTime<Utc>) -> Result<Purged> {
    // The date is checked before anything is read: a bad one changes nothing.
    time::parse_date_either(
        &req.before,
        time::local_today(crate::core::zone::UTC, now),
        super::values::desk_order(),
    )
    .map_err(|e| Error::field("before", e))?;
    let clinics = st.read(|tx| match &req.clinic {
        Some(c) => Ok(vec![clinics::find(tx, c)?]),
        None => clinics::list(tx),
    })?;
    let mut t = Tally {
        purged: Purged::new(req.dry_run),
        kept: None,
        batches: 0,
    };
    for clinic in &clinics {
        let tz = clinic.timezone;
        let day = time::parse_date(
            &req.before,
            time::local_today(tz, now),
            clinic.settings.date_order(),
        )
        .map_err(|e| Error::field("before", e))?;
        let scope = Scope {
            clinic,
            cut: time::window_edge(tz, day, 0).min(now),
            from: None,
            touched: None,
        };
        purge_clinic(st, &scope, req.dry_run, &mut t)?;
    }
    Ok(t.purged)
}

/// The retention `remind due` applies after its sweep: for each clinic with
/// `--retain-messages`, what ended longer ago than that goes. Each run
/// starts where the last one stopped (a mark per clinic), so a run reads
/// only the visits that ended since and those changed since.
pub fn retain(st: &mut Store, now: DateTime<Utc>, dry: bool) -> Result<Purged> {
    let clinics = st.read(clinics::list)?;
    let mut t = Tally {
        purged: Purged::new(dry),
        kept: None,
        batches: 0,
    };
    for clinic in &clinics {
        let Some(minutes) = clinic.settings.retain_messages else {
            continue;
        };
        let cut = Duration::try_minutes(minutes)
            .and_then(|d| now.checked_sub_signed(d))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let (mark, upto) =
            st.read(|tx| Ok((retention::mark(tx, &clinic.id)?, events::last_id(tx)?)))?;
        let scope = Scope {
            clinic,
            cut,
            from: mark.map(|m| m.before),
            touched: mark.map(|m| (m.event, upto)),
        };
        t.kept = None;
        purge_clinic(st, &scope, dry, &mut t)?;
        if !dry {
            let before = t.kept.map_or(cut.timestamp(), |k| k.min(cut.timestamp()));
            let m = Mark {
                before,
                event: upto,
            };
            st.write(|tx| retention::set_mark(tx, &clinic.id, m))?;
        }
    }
    Ok(t.purged)
}
