//! `events`: the event log, oldest first, for scripts that follow along.

use crate::core::Appointment;
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::events::{self, Event, Stored, TYPES};
use crate::store::Store;

/// Events are read a page (one short read transaction) at a time and each
/// row is handed on as it is read, so memory stays flat however long the log.
const PAGE: i64 = 10_000;

/// Hands each event after `after` (of type `kind`, of the appointments of
/// clinic `clinic_id`, at most `limit`) to `each`, oldest first; stops at the
/// first error `each` returns.
pub fn stream(
    st: &mut Store,
    after: Option<i64>,
    kind: Option<&str>,
    limit: Option<i64>,
    clinic_id: Option<&str>,
    each: &mut dyn FnMut(&Stored) -> Result<()>,
) -> Result<()> {
    let mut bad = Vec::new();
    if let Some(k) = kind {
        if !TYPES.contains(&k) {
            bad.push((
                "type".to_string(),
                format!("type must be one of {}", TYPES.join(", ")),
            ));
        }
    }
    if after.is_some_and(|x| x < 0) {
        bad.push((
            "after".into(),
            "after must be an event ID (0 or more)".into(),
        ));
    }
    if limit.is_some_and(|l| l < 1) {
        bad.push(("limit".into(), "limit must be 1 or more".into()));
    }
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let (mut after, mut left) = (after.unwrap_or(0), limit.unwrap_or(i64::MAX));
    while left > 0 {
        let want = left.min(PAGE);
        let (n, last) = st.read(|tx| events::each_after(tx, after, kind, clinic_id, want, each))?;
        if n < want {
            break;
        }
        after = last;
        left -= n;
    }
    Ok(())
}

/// An appointment's events, oldest first, each with its data as shown
/// (docs/rules.md#events).
pub fn of_appointment(tx: &Tx, a: &Appointment) -> Result<Vec<Event>> {
    events::of_appointment(tx, &a.id)
}
