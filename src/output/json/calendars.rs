//! `appt calendar` as JSON (docs/calendars.md): a calendar as every
//! command shows it (never its address, user or password), and what a
//! sync came to.

use crate::app::calendar::{Failure, Outcome, Synced};
use crate::store::calendars::Stored;
use crate::wire::{opt_ts, to_json, ts};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct View<'a> {
    name: &'a str,
    doctor_id: &'a str,
    doctor: &'a str,
    kind: &'static str,
    host: &'a str,
    write: bool,
    busy_times: i64,
    synced_at: Option<String>,
    stale: bool,
    stale_since: Option<String>,
    reason: Option<String>,
    created_at: String,
}

/// A calendar: `{"name","doctor_id","doctor","kind","host","write",
/// "busy_times","synced_at","stale","stale_since","reason","created_at"}`.
pub fn calendar(c: &Stored) -> Value {
    to_json(View {
        name: &c.name,
        doctor_id: &c.doctor_id,
        doctor: &c.doctor,
        kind: c.source.as_str(),
        host: &c.host,
        write: c.write_back,
        busy_times: c.busy_count,
        synced_at: opt_ts(c.synced_at),
        stale: c.failed.is_some(),
        stale_since: opt_ts(c.failed.as_ref().map(|(at, _)| *at)),
        reason: c
            .failed
            .as_ref()
            .map(|(_, why)| Failure::from_code(why).describe().english()),
        created_at: ts(c.created_at),
    })
}

/// `calendar sync`: `{"calendars": [{…calendar, "outcome": "read" |
/// "unchanged" | "failed" | "claimed"}]}`.
pub fn synced(done: &[Synced]) -> Value {
    let items = done
        .iter()
        .map(|s| {
            let mut v = calendar(&s.calendar);
            let outcome = match &s.outcome {
                Outcome::Read => "read",
                Outcome::Unchanged => "unchanged",
                Outcome::Failed(_) => "failed",
                Outcome::Busy => "claimed",
            };
            v["outcome"] = outcome.into();
            v
        })
        .collect();
    super::list("calendars", items)
}
