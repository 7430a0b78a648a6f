//! Appointments as JSON: `book`, a series, `list`'s pages, `count`,
//! `history` and the event log, and what `import` booked.

use super::shown_view;
use super::write_doc;
use crate::core::Appointment;
use crate::store::events::Event;
use crate::wire::{to_json, ts, AppointmentView};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// `book --json`: the appointment, and whether this was a replay.
pub fn booked(b: &crate::app::book::Booked) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        idempotent: bool,
        appointment: crate::wire::AppointmentView<'a>,
        patient_previous_name: Option<&'a str>,
    }
    to_json(View {
        idempotent: b.idempotent,
        appointment: shown_view(&b.appointment),
        patient_previous_name: b.renamed_from.as_deref(),
    })
}

/// A series booked, moved or cancelled (docs/rules.md#series): a booking
/// says whether it was booked before (`idempotent`) and what it skipped.
pub fn series(
    series_id: &str,
    list: &[Appointment],
    skipped: &[crate::app::series::Skipped],
    idempotent: Option<bool>,
) -> Value {
    #[derive(Serialize)]
    struct Left<'a> {
        date: String,
        code: &'a str,
        message: &'a str,
    }
    #[derive(Serialize)]
    struct View<'a> {
        series_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        idempotent: Option<bool>,
        appointments: Vec<AppointmentView<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<Vec<Left<'a>>>,
    }
    to_json(View {
        series_id,
        idempotent,
        appointments: list.iter().map(shown_view).collect(),
        skipped: idempotent.map(|_| {
            skipped
                .iter()
                .map(|s| Left {
                    date: s.date.to_string(),
                    code: s.error.code.as_str(),
                    message: &s.error.message,
                })
                .collect()
        }),
    })
}

/// `history --json`: an appointment's events, oldest first.
pub fn history(h: &crate::app::list::History) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        appointment_id: &'a str,
        events: Vec<Value>,
        messages: Vec<Value>,
    }
    // Its events hold the visit's clinical fields as they changed.
    let clinical = crate::output::reader::shows_clinical(&h.appointment, true);
    to_json(View {
        appointment_id: &h.appointment.id,
        events: h
            .events
            .iter()
            .map(|e| {
                let mut v = event(e);
                if !clinical {
                    crate::core::access::strip_clinical(&mut v["data"]);
                }
                v
            })
            .collect(),
        messages: h.messages.iter().map(message).collect(),
    })
}

/// A message about an appointment as `history` lists it
/// (docs/rules.md#answers): its kind, the channel it went through and the
/// provider's ID, its status with the providers' receipts, and its times.
pub fn message(sent: &crate::app::list::Sent) -> Value {
    let m = &sent.message;
    serde_json::json!({
        "id": m.id,
        "kind": m.kind,
        "channel": m.channel,
        "to": sent.to,
        "status": crate::wire::message_status(m),
        "provider_id": m.provider_id,
        "attempts": m.attempts,
        "error": m.last_error,
        "due_at": crate::wire::ts(m.due_at),
        "created_at": crate::wire::ts(m.created_at),
        "sent_at": m.sent_at.map(crate::wire::ts),
        "delivered_at": m.delivered_at.map(crate::wire::ts),
        "read_at": m.read_at.map(crate::wire::ts),
        "appointment_id": m.appointment_id,
    })
}

/// `count --json`.
pub fn count(c: &crate::app::list::Counted) -> Value {
    #[derive(Serialize)]
    struct GroupView<'a> {
        key: Option<&'a str>,
        /// A doctor's name, for `--by doctor`.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<&'a str>,
        count: i64,
    }
    #[derive(Serialize)]
    struct View<'a> {
        count: i64,
        since: String,
        /// With `--by`: what it grouped by, and the groups, largest first.
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        groups: Option<Vec<GroupView<'a>>>,
    }
    to_json(View {
        count: c.count,
        since: ts(c.since),
        by: c.by.map(|b| b.as_str()),
        groups: c.by.map(|_| {
            c.groups
                .iter()
                .map(|g| GroupView {
                    key: g.key.as_deref(),
                    name: g.name.as_deref(),
                    count: g.count,
                })
                .collect()
        }),
    })
}

/// A page of `list --json`, written straight from the views.
pub fn appointments_page(
    list: &[Appointment],
    (total, page, limit): (i64, i64, i64),
    out: &mut dyn Write,
    indented: bool,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Page<'a> {
        appointments: Vec<AppointmentView<'a>>,
        limit: i64,
        page: i64,
        total: i64,
    }
    write_doc(
        out,
        indented,
        &Page {
            appointments: list.iter().map(shown_view).collect(),
            limit,
            page,
            total,
        },
    )
}

/// `import --json`: what was booked, and the rejected lines kept.
pub fn imported(done: &crate::app::import::Imported, dry_run: bool) -> Value {
    #[derive(Serialize)]
    struct Rejection<'a> {
        line: usize,
        code: &'a str,
        message: &'a str,
    }
    #[derive(Serialize)]
    struct View<'a> {
        booked: usize,
        rejected: usize,
        idempotent: usize,
        errors: Vec<Rejection<'a>>,
        dry_run: bool,
    }
    to_json(View {
        booked: done.booked,
        rejected: done.rejected_count,
        idempotent: done.idempotent,
        errors: done
            .rejected
            .iter()
            .map(|r| Rejection {
                line: r.line,
                code: r.error.code.as_str(),
                message: &r.error.message,
            })
            .collect(),
        dry_run,
    })
}

#[derive(Serialize)]
pub(super) struct EventView<'a> {
    id: i64,
    #[serde(rename = "type")]
    kind: &'a str,
    appointment_id: Option<&'a str>,
    created_at: String,
    /// Who made the change (docs/rules.md#events); null before appt named them.
    actor: Option<&'a str>,
    /// The OS user beside a member of staff who made it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    os_user: Option<&'a str>,
    data: &'a Value,
}

pub fn event(e: &Event) -> Value {
    to_json(event_view(e))
}

pub(super) fn event_view(e: &Event) -> EventView<'_> {
    EventView {
        id: e.id,
        kind: e.kind.as_str(),
        appointment_id: e.appointment_id.as_deref(),
        created_at: ts(e.created_at),
        actor: e.actor.as_deref(),
        os_user: e.os_user.as_deref(),
        data: &e.data,
    }
}

/// One event as a JSON Lines record, its data as shown passed through as
/// it came (`text`, where a stream made it: no tree built), else as
/// stored: the same text as [`event`] gives, whose keys a `Value` sorts.
pub fn event_line(e: &crate::store::events::Event, text: Option<&[u8]>) -> String {
    let mut buf = Vec::new();
    event_line_in(e, text, &mut buf).to_string()
}

/// [`event_line`] written into `buf` (emptied first): a stream writes every
/// line through one buffer.
pub fn event_line_in<'b>(
    e: &crate::store::events::Event,
    text: Option<&[u8]>,
    buf: &'b mut Vec<u8>,
) -> &'b str {
    buf.clear();
    if write_event_line(e, text, buf).is_err() {
        buf.clear();
    }
    let line = std::str::from_utf8(buf).unwrap_or_default();
    // A person shown a visit's clinical field in its event is noted
    // (docs/security.md#who-looked): a key of them in the line's text
    // (a note that quotes one is noted too, never one missed).
    if let Some(id) = e.appointment_id.as_deref() {
        let keys = crate::core::access::CLINICAL_KEYS;
        if crate::output::reader::is_person()
            && keys.iter().any(|k| line.contains(&format!("\"{k}\"")))
        {
            crate::output::reader::note(id);
        }
    }
    line
}

/// Writes event `e`'s line into `buf`: the keys in the order [`event`]'s
/// `Value` sorts them, written one by one so that the data as shown, text
/// already, goes in as it is.
fn write_event_line(
    e: &crate::store::events::Event,
    text: Option<&[u8]>,
    buf: &mut Vec<u8>,
) -> serde_json::Result<()> {
    buf.extend_from_slice(b"{\"actor\":");
    serde_json::to_writer(&mut *buf, &e.actor)?;
    buf.extend_from_slice(b",\"appointment_id\":");
    serde_json::to_writer(&mut *buf, &e.appointment_id)?;
    buf.extend_from_slice(b",\"created_at\":");
    serde_json::to_writer(&mut *buf, &ts(e.created_at))?;
    buf.extend_from_slice(b",\"data\":");
    match text {
        Some(text) => buf.extend_from_slice(text),
        None => serde_json::to_writer(&mut *buf, &e.data)?,
    }
    buf.extend_from_slice(b",\"id\":");
    serde_json::to_writer(&mut *buf, &e.id)?;
    if let Some(os_user) = &e.os_user {
        buf.extend_from_slice(b",\"os_user\":");
        serde_json::to_writer(&mut *buf, os_user)?;
    }
    buf.extend_from_slice(b",\"type\":");
    serde_json::to_writer(&mut *buf, e.kind.as_str())?;
    buf.push(b'}');
    Ok(())
}

/// `GET /v1/events`: a page of the event log (each line already the JSON of
/// `events`) and the last ID it covered, to ask for the next page after.
pub fn events_page(lines: &[String], last_id: i64) -> String {
    format!("{{\"events\":[{}],\"last_id\":{last_id}}}", lines.join(","))
}
