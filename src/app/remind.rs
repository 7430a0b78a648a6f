//! `remind due`, what cron runs every few minutes, and `remind list`. `due`
//! decides the due reminders in one write transaction, then for each claims it
//! in a transaction just before delivering it (handed to the caller, or to a
//! hook run with `sh -c`) and records the outcome in another, only while its
//! claim still stands. So overlapping runs never deliver a reminder twice, a
//! long run never sits on reminders it has not reached, and a run that dies
//! leaves its one claim to be retried once it lapses (docs/rules.md#reminders-and-notifications).

use crate::core::channel::Outcome;
use crate::core::delivery::{self, triage, Verdict, CLAIM};
use crate::core::message::{Kind, Ready, Status};
use crate::core::{time, words, Appointment};
use crate::error::{Error, Result};
use crate::store::db::{Changes, Tx};
use crate::store::reminders::{self, Reminder};
use crate::store::{appointments, waitlist, Store};
use crate::wire;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Messages (reminders, offers, notifications) with their appointments, by
/// due time, optionally of one status and one kind, each typed as its code
/// or its word in either language (`enviado`, `recordatorio`).
pub fn list(
    st: &mut Store,
    status: Option<&str>,
    kind: Option<&str>,
    limit: i64,
) -> Result<Vec<(Reminder, Appointment)>> {
    let status = status
        .map(|s| {
            words::message_status(s).ok_or_else(|| {
                Error::field(
                    "status",
                    crate::text::msg!("e-unknown_message_status", s = s),
                )
            })
        })
        .transpose()?;
    let kind = kind
        .map(|k| {
            words::message_kind(k).ok_or_else(|| {
                Error::field(
                    "kind",
                    crate::text::msg!("e-unknown_message_kind_word", s = k),
                )
            })
        })
        .transpose()?;
    if !(1..=100_000).contains(&limit) {
        return Err(Error::field(
            "limit",
            crate::text::msg!("e-limit_must_be_between_1_and_100000"),
        ));
    }
    st.read(|tx| {
        let mut found = reminders::list(tx, status, kind, limit)?;
        super::waitlist::show_offers(tx, &mut found)?;
        let of: Vec<&str> = found.iter().map(|r| r.appointment_id.as_str()).collect();
        let appointments = appointments::get_many(tx, &of)?;
        found
            .into_iter()
            .map(|r| {
                let a = appointment_of(&appointments, &r)?.clone();
                Ok((r, a))
            })
            .collect()
    })
}

/// How one sweep is to deliver.
#[derive(Clone)]
pub struct DueRequest {
    /// `sh -c CMD` once per reminder; None hands each to the caller.
    pub exec: Option<String>,
    /// Decide and report, change nothing.
    pub dry_run: bool,
    /// Deliver at most this many.
    pub limit: Option<i64>,
    /// `$APPT_KEY`, to open the clinics' channels' secrets.
    pub key: Option<String>,
    /// How many messages go to the providers at once (`--concurrency`).
    pub concurrency: usize,
    /// Only messages of this kind (`recall send`: recalls); None: all.
    pub kind: Option<Kind>,
}

/// A sweep that hands every message to its caller: no hook, no key, all
/// kinds, at the usual concurrency.
impl Default for DueRequest {
    fn default() -> DueRequest {
        DueRequest {
            exec: None,
            dry_run: false,
            limit: None,
            key: None,
            concurrency: CONCURRENCY,
            kind: None,
        }
    }
}

/// `--concurrency N`, checked: 1 to [`MAX_CONCURRENCY`].
pub fn check_concurrency(n: usize) -> Result<usize> {
    if !(1..=MAX_CONCURRENCY).contains(&n) {
        return Err(Error::field(
            "concurrency",
            crate::text::msg!("e-concurrency_between", n = MAX_CONCURRENCY),
        ));
    }
    Ok(n)
}

pub use super::shortfall::ReminderFailure as Failure;

/// What a sweep did (or, dry, would do).
#[derive(Default)]
pub struct Sweep {
    pub sent: i64,
    pub failed: i64,
    pub expired: i64,
    pub cancelled: i64,
    pub failures: Vec<Failure>,
    /// A dry run: what would be delivered, each with its text as it would
    /// go (its link withheld: a dry run makes none).
    pub would_deliver: Vec<(Reminder, Appointment, String)>,
    /// What the clinics' retention removed after the sweep (or, dry, would
    /// remove): docs/privacy.md#retention.
    pub purged: Option<super::purge::Purged>,
}

impl Sweep {
    /// The messages not delivered, as the error the sweep ends with.
    pub fn shortfall(&self) -> Option<super::shortfall::Shortfall<'_>> {
        (!self.failures.is_empty())
            .then_some(super::shortfall::Shortfall::Reminders(&self.failures))
    }

    pub fn busy(&self) -> bool {
        self.sent + self.failed + self.expired + self.cancelled > 0 || self.purged_any()
    }

    /// Whether the retention removed (or would remove) anything.
    pub fn purged_any(&self) -> bool {
        self.purged.as_ref().is_some_and(super::purge::Purged::any)
    }
}

/// The sweep's clock: "now" (`$APPT_NOW` or the system's) moving on with the
/// time the sweep has run, so the claims of a long sweep lapse 10 minutes after
/// they are taken, not after the sweep started.
struct Clock {
    start: DateTime<Utc>,
    began: Instant,
}

impl Clock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.began.elapsed()).unwrap_or_default();
        self.start + chrono::Duration::seconds(elapsed.num_seconds())
    }
}

/// How many due messages one transaction decides: a sweep of ten thousand
/// holds a page of them at a time, not all (docs/performance.md#delivery).
const PAGE: i64 = 500;

/// Where a sweep has got to in the due messages: the due time and ID of the
/// last one decided.
type Mark = (DateTime<Utc>, String);

/// A page of due messages, decided in one transaction.
struct Decided {
    /// The ones to deliver, each with its appointment.
    deliver: Vec<(Reminder, Appointment)>,
    /// The appointments they were decided on, as they were then…
    appointments: HashMap<String, Appointment>,
    /// …when the tables had been changed this many times.
    at: Changes,
}

impl Decided {
    /// The appointments of `ids` as they are now, in the transaction `tx`
    /// that claims their messages: the ones the page was decided on when
    /// nothing they are read from has changed since, else read again.
    fn appointments(&self, tx: &Tx, ids: &[&str]) -> Result<Cow<'_, HashMap<String, Appointment>>> {
        if ids.iter().all(|id| self.appointments.contains_key(*id))
            && appointments::unchanged(&self.at, &Changes::read(tx)?)
        {
            return Ok(Cow::Borrowed(&self.appointments));
        }
        Ok(Cow::Owned(appointments::get_many(tx, ids)?))
    }
}

/// Decides a page of the messages due at `now` after `after`, in one
/// transaction: the ones of appointments no longer active are cancelled, of
/// started ones expired, and of several due for one appointment only the
/// nearest is kept (all of an appointment's due reminders are decided with
/// the first of them, whichever page the others fall in). Returns the ones
/// to deliver (at most `limit`), with their appointments as they are now,
/// and where the next page starts (None: this was the last). A dry run
/// (`r.dry_run`) decides the same and writes nothing; `r.kind` keeps to
/// one kind of message.
fn triage_due(
    st: &mut Store,
    now: DateTime<Utc>,
    after: Option<&Mark>,
    limit: Option<i64>,
    r: &DueRequest,
    ahead: &mut HashSet<String>,
    tally: &mut Sweep,
) -> Result<(Decided, Option<Mark>)> {
    let (dry_run, kind) = (r.dry_run, r.kind);
    let decide = |tx: &Tx| {
        let at = Changes::read(tx)?;
        let mut page = reminders::due_page(
            tx,
            now,
            after.map(|(at, id)| (*at, id.as_str())),
            kind,
            PAGE,
        )?;
        let next = (page.len() as i64 == PAGE)
            .then(|| page.last().map(|r| (r.due_at, r.id.clone())))
            .flatten();
        // Decided with an earlier page (still pending: a dry run, or left for the next run).
        page.retain(|r| !ahead.contains(&r.id));
        // The page's reminders and the others of their appointments due now.
        let mut of: Vec<&str> = page
            .iter()
            .filter(|r| r.is_reminder())
            .map(|r| r.appointment_id.as_str())
            .collect();
        of.sort_unstable();
        of.dedup();
        let mut others = reminders::due_reminders_of(tx, now, &of)?;
        let known: HashSet<&str> = page.iter().map(|r| r.id.as_str()).collect();
        others.retain(|r| !known.contains(r.id.as_str()) && !ahead.contains(&r.id));
        ahead.extend(others.iter().map(|r| r.id.clone()));
        page.extend(others);
        super::waitlist::show_offers(tx, &mut page)?;
        let (due, messages): (Vec<Reminder>, Vec<Reminder>) =
            page.into_iter().partition(Reminder::is_reminder);
        let mut deliver = Vec::new();
        let mut end = |r: &Reminder,
                       verdict: Verdict,
                       deliver: &mut Vec<(Reminder, Appointment)>,
                       a: &Appointment|
         -> Result<()> {
            // Past the limit it stays pending for the next run.
            if settle(tx, r, verdict, now, dry_run, tally)?
                && limit.is_none_or(|l| (deliver.len() as i64) < l)
            {
                deliver.push((r.clone(), a.clone()));
            }
            Ok(())
        };
        let of: Vec<&str> = messages
            .iter()
            .chain(&due)
            .map(|r| r.appointment_id.as_str())
            .collect();
        let appointments = appointments::get_many(tx, &of)?;
        // Offers and notifications first: each is news of its own, due at once.
        for m in &messages {
            let a = appointment_of(&appointments, m)?;
            let verdict = judge_message(tx, m, a, now)?;
            end(m, verdict, &mut deliver, a)?;
        }
        // Reminders grouped by appointment, in order of each appointment's first due reminder.
        let mut groups: Vec<Vec<Reminder>> = Vec::new();
        let mut slot: HashMap<String, usize> = HashMap::new();
        for r in due {
            let i = *slot.entry(r.appointment_id.clone()).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[i].push(r);
        }
        for mut rs in groups {
            rs.sort_by(|x, y| (x.due_at, &x.id).cmp(&(y.due_at, &y.id)));
            let a = appointment_of(&appointments, &rs[0])?;
            let due_ats: Vec<_> = rs.iter().map(|r| r.due_at).collect();
            for (r, verdict) in rs.iter().zip(triage(a.status, a.starts_at, now, &due_ats)) {
                end(r, verdict, &mut deliver, a)?;
            }
        }
        let decided = Decided {
            deliver,
            appointments,
            at,
        };
        Ok((decided, next))
    };
    if dry_run {
        st.read(decide)
    } else {
        st.write(decide)
    }
}

/// Carries out a verdict that ends a message undelivered (`cancelled` or
/// `expired`: tallied, and recorded unless `dry`); true when it is to be
/// delivered.
fn settle(
    tx: &Tx,
    r: &Reminder,
    verdict: Verdict,
    now: DateTime<Utc>,
    dry: bool,
    tally: &mut Sweep,
) -> Result<bool> {
    let ended = match verdict {
        Verdict::Deliver => return Ok(true),
        Verdict::Cancel => {
            tally.cancelled += 1;
            Status::Cancelled
        }
        Verdict::Expire => {
            tally.expired += 1;
            Status::Expired
        }
    };
    if !dry {
        reminders::set_status(tx, &r.id, ended, now)?;
    }
    Ok(false)
}

/// The appointment of message `r` among those read for it.
fn appointment_of<'a>(
    read: &'a HashMap<String, Appointment>,
    r: &Reminder,
) -> Result<&'a Appointment> {
    read.get(&r.appointment_id)
        .ok_or_else(|| Error::not_found(crate::error::Entity::Appointment))
}

/// The verdict on an offer or a notification, as things are at `now`: an
/// offer whose entry is gone is cancelled, one whose time has come expires;
/// a notification follows its appointment; a recall goes unless the
/// patient booked meanwhile (docs/rules.md#walk-ins,
/// docs/rules.md#reminders-and-notifications, docs/rules.md#recalls).
fn judge_message(tx: &Tx, m: &Reminder, a: &Appointment, now: DateTime<Utc>) -> Result<Verdict> {
    if m.kind == Kind::Recall {
        return super::recall::verdict(tx, &m.appointment_id);
    }
    if m.kind == Kind::WaitlistOffer {
        let waiting = match &m.waitlist_id {
            Some(w) => waitlist::exists(tx, w)?,
            None => false,
        };
        let starts = m.offered_slot(a).map_or(now, |s| s.start);
        return Ok(delivery::offer_verdict(waiting, starts, now));
    }
    Ok(delivery::notice_verdict(m.kind, a.status, a.starts_at, now))
}

/// Takes each of `ids` (of the page `page`) for this run just before
/// delivering it, in the write transaction `tx`: still takeable (no other
/// run delivered or claimed it meanwhile) and its appointment, as it is at
/// this moment, still worth telling of. Returns what to deliver.
fn take(
    tx: &Tx,
    ids: &[&str],
    page: &Decided,
    run: &str,
    now: DateTime<Utc>,
    tally: &mut Sweep,
) -> Result<Vec<(Reminder, Appointment, Ready)>> {
    let mut found = reminders::takeable_many(tx, ids, now)?;
    super::waitlist::show_offers(tx, &mut found)?;
    let of: Vec<&str> = found.iter().map(|r| r.appointment_id.as_str()).collect();
    let appointments = page.appointments(tx, &of)?;
    let mut taken = Vec::new();
    // One notification of an appointment at a time, as `reminders::takeable` keeps it
    // across runs: the patient never gets the news out of order.
    let mut telling = HashSet::new();
    for r in found {
        if r.kind.is_notice() && !telling.insert(r.appointment_id.clone()) {
            continue;
        }
        let a = appointment_of(&appointments, &r)?;
        let verdict = if r.is_reminder() {
            triage(a.status, a.starts_at, now, &[r.due_at])[0]
        } else {
            judge_message(tx, &r, a, now)?
        };
        if settle(tx, &r, verdict, now, false, tally)? {
            // The text as things are now, and the link issued with the claim.
            let ready = super::message::ready(tx, &r, a, now)?;
            taken.push((r, a.clone(), ready));
        }
    }
    let claims: Vec<&str> = taken.iter().map(|(r, ..)| r.id.as_str()).collect();
    reminders::claim_many(tx, &claims, run, now + CLAIM, now)?;
    Ok(taken)
}

/// Printing claims this many at once at most…
const MAX_BATCH: usize = 256;
/// …and only while a batch is printed within this long (a reader that keeps
/// up); a slow reader gets them one by one, so no claim waits long.
const QUICK: Duration = Duration::from_secs(1);

/// Runs one sweep at `now` ([`sweep`]), then the clinics' retention
/// (docs/privacy.md#retention): what ended longer ago than a clinic keeps
/// goes, never a message still to deliver; and the booking page's ended
/// holds and hour-old codes.
pub fn due(
    st: &mut Store,
    r: &DueRequest,
    now: DateTime<Utc>,
    deliver: &mut dyn FnMut(&Reminder, &Appointment, &Ready) -> Result<()>,
) -> Result<Sweep> {
    if !r.dry_run {
        for (_, step) in BEFORE {
            step(st, now)?;
        }
    }
    let mut tally = sweep(st, r, now, deliver)?;
    // The clinics' retention: counted on a dry run too, and reported.
    tally.purged = Some(super::purge::retain(st, now, r.dry_run)?);
    if !r.dry_run {
        for (_, step) in AFTER {
            step(st, now)?;
        }
    }
    Ok(tally)
}

/// A step `remind due` runs beside its sweep, its feature's own (none on a
/// dry run), by the name the benchmark times it under.
pub type Step = (&'static str, fn(&mut Store, DateTime<Utc>) -> Result<()>);

/// Before the sweep: that it began (`appt check --setup` asks when the
/// timer or cron last ran one), and the due recalls of the clinics that
/// send them join it (docs/rules.md#recalls).
pub const BEFORE: [Step; 2] = [
    ("the sweep's time", |st, now| {
        st.write(|tx| crate::store::meta::set_swept_at(tx, now.timestamp()))
    }),
    ("recalls queued", |st, now| {
        super::recall::queue_due(st, super::recall::Clinics::TurnedOn, now).map(|_| ())
    }),
];

/// After it: what patients typed on the booking page goes with their ended
/// holds, even when nobody uses the page again (docs/booking.md).
pub const AFTER: [Step; 1] = [("booking page's ended holds", super::web::forget_ended)];

/// `recall send`: makes the message of each recall due at `now` in
/// `clinic` (None: every clinic), then delivers the recalls' messages as
/// [`due`] delivers all (a dry run makes none and shows those already
/// made). Nothing else is swept or purged.
pub fn recalls(
    st: &mut Store,
    clinic: Option<&str>,
    r: &DueRequest,
    now: DateTime<Utc>,
    deliver: &mut dyn FnMut(&Reminder, &Appointment, &Ready) -> Result<()>,
) -> Result<Sweep> {
    if !r.dry_run {
        super::recall::queue_due(st, super::recall::Clinics::Asked(clinic), now)?;
    }
    let only = DueRequest {
        kind: Some(Kind::Recall),
        ..r.clone()
    };
    sweep(st, &only, now, deliver)
}

/// Runs one sweep at `now`. Without `exec`, each reminder is handed to
/// `deliver` (which prints it) as it will be recorded: it becomes `sent` only
/// once `deliver` succeeded; if it fails the reminder stays pending and the
/// sweep stops with that error. Printed reminders are claimed a batch at a
/// time while stdout keeps up (one, two, four…), and the transaction that
/// records a printed batch claims the next; a hook gets one reminder per
/// claim.
pub fn sweep(
    st: &mut Store,
    r: &DueRequest,
    now: DateTime<Utc>,
    deliver: &mut dyn FnMut(&Reminder, &Appointment, &Ready) -> Result<()>,
) -> Result<Sweep> {
    if r.limit.is_some_and(|l| l < 1) {
        return Err(Error::field(
            "limit",
            crate::text::msg!("e-limit_must_be_1_or_more"),
        ));
    }
    let clock = Clock {
        start: now,
        began: Instant::now(),
    };
    let mut tally = Sweep::default();
    // Each reminder is claimed just before its delivery and its outcome recorded
    // only while the claim stands: a sweep that outlives its claims leaves the
    // rest to the next cron run rather than delivering them a second time.
    let run = crate::store::new_id();
    let mut routes = super::outbox::deliver::Routes::new(st, r.key.clone(), now);
    // A page at a time: decided, then delivered.
    let (mut after, mut ahead, mut left) = (None, HashSet::new(), r.limit);
    // How many printed lines one transaction claims: it grows while stdout
    // keeps up, from one page to the next.
    let mut batch = 1;
    loop {
        let (due, next) = triage_due(st, now, after.as_ref(), left, r, &mut ahead, &mut tally)?;
        if let Some(l) = &mut left {
            *l -= due.deliver.len() as i64;
        }
        if r.dry_run {
            for (m, a) in due.deliver {
                let text = st.read(|tx| super::message::text(tx, &m, &a))?;
                tally.would_deliver.push((m, a, text));
            }
        } else {
            let page = Page {
                routes: &mut routes,
                run: &run,
                clock: &clock,
                batch: &mut batch,
            };
            deliver_page(st, r, &due, page, &mut tally, deliver)?;
        }
        match next {
            Some(mark) if left.is_none_or(|l| l > 0) => after = Some(mark),
            _ => return Ok(tally),
        }
    }
}

/// What a sweep carries from one page of due messages to the next.
struct Page<'s> {
    routes: &'s mut super::outbox::deliver::Routes,
    /// The run's claim.
    run: &'s str,
    clock: &'s Clock,
    /// How many printed lines the next transaction claims.
    batch: &'s mut usize,
}

/// Delivers a page of due messages `decided`: to the hook, through the
/// clinics' channels, or printed.
fn deliver_page(
    st: &mut Store,
    r: &DueRequest,
    decided: &Decided,
    page: Page,
    tally: &mut Sweep,
    deliver: &mut dyn FnMut(&Reminder, &Appointment, &Ready) -> Result<()>,
) -> Result<()> {
    let Page {
        routes,
        run,
        clock,
        batch,
    } = page;
    let due = &decided.deliver;
    let ids: Vec<&str> = due.iter().map(|(d, _)| d.id.as_str()).collect();
    if let Some(cmd) = &r.exec {
        // A hook gets one reminder per claim.
        for id in &ids {
            let taken = st.write(|tx| take(tx, &[id], decided, run, clock.now(), tally))?;
            for (rem, a, ready) in &taken {
                let outcome = super::outbox::hook::run(
                    cmd,
                    &wire::reminder_delivered(rem, a, ready),
                    &hook_env(rem, a, ready),
                )
                .map(|()| None)
                .map_err(|m| Failed {
                    why: m.english(),
                    retry_after: None,
                });
                record(st, rem, run, outcome, clock.now(), tally)?;
            }
        }
        return Ok(());
    }
    // Through the clinic's channels: each message claimed just before it is
    // sent, several sent at once (`concurrency`), each outcome recorded as
    // it comes.
    routes.add(st, due)?;
    let routes = &*routes;
    let (routed, printed): (Vec<_>, Vec<_>) =
        due.iter().partition(|(d, a)| routes.route(d, a).is_some());
    if !routed.is_empty() {
        let ids: Vec<&str> = routed.iter().map(|(d, _)| d.id.as_str()).collect();
        let width = r.concurrency.clamp(1, MAX_CONCURRENCY).min(ids.len());
        send_through_channels(st, routes, &ids, decided, width, run, clock, tally, deliver)?;
    }
    let ids: Vec<&str> = printed.iter().map(|(d, _)| d.id.as_str()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    // Printed: each write transaction records the batch just printed and
    // claims the next one.
    let mut next = (*batch).min(ids.len());
    let mut taken = st.write(|tx| take(tx, &ids[..next], decided, run, clock.now(), tally))?;
    loop {
        let started = Instant::now();
        let mut printed = Vec::new();
        let mut failed = None;
        for (rem, a, ready) in &taken {
            let mut sent = rem.clone();
            sent.status = crate::core::message::Status::Sent;
            sent.attempts += 1;
            sent.sent_at = Some(clock.now());
            match deliver(&sent, a, ready) {
                Ok(()) => printed.push(rem.id.as_str()),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let chunk: &[&str] = if failed.is_some() {
            &[]
        } else {
            *batch = if started.elapsed() < QUICK {
                (*batch * 2).min(MAX_BATCH)
            } else {
                1
            };
            &ids[next..(next + *batch).min(ids.len())]
        };
        next += chunk.len();
        let at = clock.now();
        let following = st.write(|tx| {
            tally.sent += reminders::mark_sent_many(tx, &printed, run, at)? as i64;
            for (rem, ..) in &taken[printed.len()..] {
                // Not written, not sent: it stays pending for the next run.
                reminders::release(tx, &rem.id, run)?;
            }
            take(tx, chunk, decided, run, at, tally)
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        if chunk.is_empty() {
            return Ok(());
        }
        taken = following;
    }
}

/// At most this many messages in flight at once (`--concurrency`).
pub const MAX_CONCURRENCY: usize = 64;
/// Several at a time unless told otherwise.
pub const CONCURRENCY: usize = 8;

/// A message claimed and on its way to the provider.
struct InFlight<'r> {
    rem: Reminder,
    a: Appointment,
    ready: Ready,
    route: &'r super::outbox::deliver::Route,
    to: String,
    /// An e-mail invitation's sequence, read at the claim.
    sequence: Option<i64>,
}

/// Sends the messages `ids` (of the page `decided`) through their channels, `width` at a time on
/// as many threads: this thread claims each just before handing it over
/// (as many as there are free threads, in one transaction), and records
/// each outcome, then prints its line, as it comes back.
#[allow(clippy::too_many_arguments)]
fn send_through_channels(
    st: &mut Store,
    routes: &super::outbox::deliver::Routes,
    ids: &[&str],
    decided: &Decided,
    width: usize,
    run: &str,
    clock: &Clock,
    tally: &mut Sweep,
    deliver: &mut dyn FnMut(&Reminder, &Appointment, &Ready) -> Result<()>,
) -> Result<()> {
    use std::sync::{mpsc, Mutex};
    let (to_send, queue) = mpsc::channel::<InFlight>();
    let queue = Mutex::new(queue);
    let (back, results) = mpsc::channel::<(InFlight, Outcome)>();
    std::thread::scope(|scope| {
        for _ in 0..width {
            let (queue, back) = (&queue, back.clone());
            scope.spawn(move || loop {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok(m) = next else { return };
                let outcome = super::outbox::deliver::send(
                    routes,
                    m.route,
                    &m.to,
                    &m.rem,
                    &m.a,
                    &m.ready,
                    m.sequence,
                    clock.now(),
                )
                .unwrap_or_else(|e| Outcome::Permanent {
                    status: 0,
                    code: None,
                    message: e.message,
                });
                if back.send((m, outcome)).is_err() {
                    return;
                }
            });
        }
        drop(back);
        let (mut next, mut flying) = (0, 0);
        let outcome = (|| -> Result<()> {
            loop {
                if flying < width && next < ids.len() {
                    let chunk = &ids[next..(next + width - flying).min(ids.len())];
                    next += chunk.len();
                    let taken = st.write(|tx| take(tx, chunk, decided, run, clock.now(), tally))?;
                    for (rem, a, ready) in taken {
                        // The appointment as it is at the claim; no channel reaches it now: next run.
                        let Some((route, to)) = routes.route(&rem, &a) else {
                            st.write(|tx| reminders::release(tx, &rem.id, run))?;
                            continue;
                        };
                        let sequence = super::outbox::deliver::sequence(st, route, &rem, &a)?;
                        flying += 1;
                        let m = InFlight {
                            rem,
                            a,
                            ready,
                            route,
                            to,
                            sequence,
                        };
                        if to_send.send(m).is_err() {
                            return Err(Error::internal(crate::text::msg!(
                                "e-request_failed_inside_appt"
                            )));
                        }
                    }
                    continue;
                }
                if flying == 0 {
                    return Ok(());
                }
                let Ok((m, outcome)) = results.recv() else {
                    return Ok(());
                };
                flying -= 1;
                settle_sent(st, m, outcome, run, clock, tally, deliver)?;
            }
        })();
        // The threads end once the queue is closed; what is still in
        // flight is recorded first (an error stops new claims, not those).
        drop(to_send);
        while flying > 0 {
            let Ok((m, o)) = results.recv() else { break };
            flying -= 1;
            if outcome.is_ok() {
                settle_sent(st, m, o, run, clock, tally, deliver)?;
            } else {
                let _ = st.write(|tx| reminders::release(tx, &m.rem.id, run));
            }
        }
        outcome
    })
}

/// Records what the provider said of message `m`, and prints its line
/// once it is recorded sent.
fn settle_sent(
    st: &mut Store,
    m: InFlight,
    outcome: Outcome,
    run: &str,
    clock: &Clock,
    tally: &mut Sweep,
    deliver: &mut dyn FnMut(&Reminder, &Appointment, &Ready) -> Result<()>,
) -> Result<()> {
    let name = &m.route.name;
    let why = outcome
        .why()
        .map(|w| format!("{name}: {w}"))
        .unwrap_or_default();
    let outcome = match outcome {
        Outcome::Sent { provider_id } => Ok(Some((name.clone(), provider_id))),
        Outcome::Temporary { retry_after, .. } => Err(Failed {
            why,
            retry_after: Some(Some(retry_after.unwrap_or(0))),
        }),
        Outcome::Permanent { .. } => Err(Failed {
            why,
            retry_after: Some(None),
        }),
    };
    let via = outcome.as_ref().ok().cloned().flatten();
    let at = clock.now();
    if record(st, &m.rem, run, outcome, at, tally)? {
        if let Some((channel, provider_id)) = via {
            let mut sent = m.rem.clone();
            sent.status = crate::core::message::Status::Sent;
            sent.attempts += 1;
            sent.sent_at = Some(at);
            sent.channel = Some(channel);
            sent.provider_id = provider_id;
            deliver(&sent, &m.a, &m.ready)?;
        }
    }
    Ok(())
}

/// A delivery that did not happen: why, and when to try again — `None`:
/// the usual backoff; `Some(None)`: never (a provider's refusal for good);
/// `Some(Some(s))`: the backoff, but not before the `s` seconds a provider asked for.
struct Failed {
    why: String,
    retry_after: Option<Option<u64>>,
}

/// Records a hook's or a channel's outcome (sent: through which channel,
/// with which provider ID), if this run's claim still stands; true when it
/// was recorded sent. The message has gone: a record cut by a lost server
/// is made again once the store reaches a server that takes writes (a
/// standby promoted, docs/operations.md#failover), rather than left for the
/// claim to lapse and the message to go twice.
fn record(
    st: &mut Store,
    rem: &Reminder,
    run: &str,
    outcome: Result<Option<(String, Option<String>)>, Failed>,
    at: DateTime<Utc>,
    tally: &mut Sweep,
) -> Result<bool> {
    let recorded = super::again(st, |st| {
        st.write(|tx| match &outcome {
            Ok(via) => {
                let marked = match via {
                    None => reminders::mark_sent_many(tx, &[rem.id.as_str()], run, at)? == 1,
                    Some((channel, id)) => {
                        reminders::mark_sent_via(tx, &rem.id, run, at, channel, id.as_deref())?
                    }
                };
                if !marked {
                    reminders::release(tx, &rem.id, run)?;
                }
                Ok(marked.then_some(None))
            }
            Err(Failed { why, retry_after }) => {
                let retry = match retry_after {
                    None => delivery::reminder_retry(at, rem.attempts + 1),
                    Some(None) => None,
                    Some(Some(s)) => delivery::channel_retry(at, rem.attempts + 1, Some(*s)),
                };
                if reminders::mark_attempt_failed(tx, &rem.id, run, why, retry, at)? {
                    return Ok(Some(Some(Failure {
                        reminder_id: rem.id.clone(),
                        error: why.clone(),
                        retry_at: retry,
                    })));
                }
                // Withdrawn while it was tried: the claim goes, nothing is retried.
                reminders::release(tx, &rem.id, run)?;
                Ok(None)
            }
        })
    })?;
    // Counted once committed.
    match recorded {
        Some(None) => {
            tally.sent += 1;
            Ok(true)
        }
        Some(Some(failure)) => {
            tally.failed += 1;
            tally.failures.push(failure);
            Ok(false)
        }
        None => Ok(false),
    }
}

/// The variables a hook sees (docs/rules.md#reminders-and-notifications): `APPT_KIND` tells the messages
/// apart; a move adds the previous local time, a cancellation its reason,
/// and an offer is about the waiting patient and the freed time.
fn hook_env(r: &Reminder, a: &Appointment, ready: &Ready) -> Vec<(&'static str, String)> {
    let mut vars = message_vars(r, a);
    vars.push(("APPT_MESSAGE", ready.message.clone()));
    if let Some(link) = &ready.link {
        vars.push(("APPT_LINK", link.clone()));
    }
    vars
}

/// The variables that describe the message and its visit.
fn message_vars(r: &Reminder, a: &Appointment) -> Vec<(&'static str, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let data = r.data.as_ref().unwrap_or(&Value::Null);
    if let Some(o) = r.offer() {
        let w = &o["waitlist"];
        let (name, phone) = r.recipient(a);
        return vec![
            ("APPT_KIND", r.kind.as_str().to_string()),
            ("APPT_REMINDER_ID", r.id.clone()),
            ("APPT_WAITLIST_ID", text(&w["id"])),
            ("APPT_PATIENT_NAME", name.to_string()),
            ("APPT_PATIENT_PHONE", phone.to_string()),
            ("APPT_DOCTOR_NAME", text(&w["doctor"]["full_name"])),
            ("APPT_CLINIC_NAME", text(&o["clinic_name"])),
            ("APPT_STARTS_AT", text(&o["starts_at"])),
            ("APPT_LOCAL_DATE", text(&o["date"])),
            ("APPT_LOCAL_TIME", text(&o["time"])),
        ];
    }
    let (date, hm) = time::to_local(a.timezone, a.starts_at);
    let mut vars = vec![
        ("APPT_KIND", r.kind.as_str().to_string()),
        ("APPT_REMINDER_ID", r.id.clone()),
        ("APPT_APPOINTMENT_ID", a.id.clone()),
        ("APPT_PATIENT_NAME", a.patient_name.clone()),
        ("APPT_PATIENT_PHONE", a.patient_phone.clone()),
        (
            "APPT_DOCTOR_NAME",
            a.doctor_name.clone().unwrap_or_default(),
        ),
        ("APPT_CLINIC_NAME", a.clinic_name.clone()),
        ("APPT_STARTS_AT", time::fmt_utc(a.starts_at)),
        ("APPT_LOCAL_DATE", date.to_string()),
        ("APPT_LOCAL_TIME", hm),
    ];
    match r.kind {
        Kind::Reminder => vars.push(("APPT_OFFSET", time::format_offset(r.offset_minutes))),
        Kind::Rescheduled => {
            vars.push(("APPT_PREVIOUS_DATE", text(&data["previous"]["date"])));
            vars.push(("APPT_PREVIOUS_TIME", text(&data["previous"]["start_time"])));
        }
        // Only the reason meant for the patient, and only when there is one.
        Kind::Cancelled if data["reason"].is_string() => {
            vars.push(("APPT_CANCELLATION_REASON", text(&data["reason"])))
        }
        _ => {}
    }
    vars
}
