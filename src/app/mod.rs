//! The use cases: what every front end calls — the command line (`cli`),
//! `import` (a file's lines, each booked as `book` books it), the HTTP API
//! (`serve`) and the patients' pages it serves, and the desk's board
//! (`board`). Each takes a plain request (no clap, no prompts), the store
//! and "now", asks `core` to decide inside one transaction, tells `store`
//! what to write, and returns typed results — never JSON or display text.

pub(crate) mod access;
pub(crate) mod agenda;
pub(crate) mod appointment_ref;
pub mod away;
pub mod board;
pub mod book;
pub(crate) mod book_one;
pub(crate) mod calendar;
pub mod change;
pub(crate) mod change_one;
pub mod clinic;
pub(crate) mod closure;
pub mod day_windows;
pub(crate) mod demo;
pub mod doctor;
pub(crate) mod erase;
pub(crate) mod events;
pub(crate) mod export;
pub(crate) mod feed;
pub mod import;
pub(crate) mod inbound;
pub(crate) mod inbox;
pub(crate) mod key;
pub(crate) mod links;
pub mod list;
pub mod maintenance;
pub(crate) mod message;
pub(crate) mod names;
pub(crate) mod next;
pub(crate) mod notify;
pub(crate) mod outbox;
pub(crate) mod patient;
pub(crate) mod patient_export;
pub(crate) mod phones;
pub mod purge;
pub(crate) mod queue;
pub(crate) mod recall;
pub mod remind;
pub(crate) mod repeat;
pub(crate) mod reply;
pub(crate) mod report;
pub mod resource;
pub mod schedule;
pub(crate) mod seen;
pub(crate) mod series;
pub mod service;
pub mod session;
pub mod setup;
pub(crate) mod shortfall;
pub mod slots;
pub mod staff;
pub mod token;
pub(crate) mod values;
pub(crate) mod visit;
pub(crate) mod waitlist;
pub(crate) mod web;
pub mod window;

/// What a statement declares it reads and writes, and an ID bound where
/// it is kept as its 16 bytes: for the tests of a front end that read its
/// database as it is.
pub use crate::store::db::{id as bound_id, On, Table};
pub use crate::store::{Create, ReadDb, Stopper, Store, MAX_LAG};

/// How long a step that must not be given up (a message's record once it
/// went) waits for a database that takes writes again: a standby's
/// promotion takes seconds (docs/operations.md#failover).
const SURVIVE: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `f`, and after a `DATABASE_ERROR` connects again and runs it again,
/// for at most [`SURVIVE`]: for a step that is safe to run twice and costly
/// to lose. The last error when the database never came back.
pub(crate) fn again<T>(
    st: &mut Store,
    mut f: impl FnMut(&mut Store) -> crate::error::Result<T>,
) -> crate::error::Result<T> {
    let started = std::time::Instant::now();
    loop {
        match f(st) {
            Err(e) if e.code == crate::error::Code::Database && started.elapsed() < SURVIVE => {
                std::thread::sleep(std::time::Duration::from_millis(500));
                // Not reached yet: the next round tries again.
                let _ = st.reconnect();
            }
            other => return other,
        }
    }
}

use chrono::{DateTime, Utc};

/// Where a long-running front end (`serve`, `board`) reads "now": fixed by
/// `$APPT_NOW`, else the system clock, read afresh each time, to the second.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    Fixed(DateTime<Utc>),
    System,
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::Fixed(t) => t,
            Clock::System => {
                use chrono::Timelike;
                let t = Utc::now();
                t.with_nanosecond(0).unwrap_or(t)
            }
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_ahead;

/// A test hook, in debug builds only: with `APPT_TEST_PAUSE=STEP` the process
/// stops at STEP (saying `paused at STEP` on stderr) for a test to kill it
/// there (a key rotation's steps, a series inside its transaction).
pub(crate) fn test_pause(step: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("APPT_TEST_PAUSE").is_ok_and(|v| v == step) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "paused at {step}");
        std::thread::sleep(std::time::Duration::from_secs(120));
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}
