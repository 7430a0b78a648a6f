//! JSON views of the domain's types (docs/commands.md, docs/commands.md#the-appointment-object).
//!
//! Split by command group, as the human views are: appointments, a
//! clinic's setup, patients, a day's slots and sheets, messages, and
//! upkeep; what they share (writing a document, a named list) is here.

mod appointment;
mod calendars;
mod channels;
mod day;
mod feed;
mod messages;
mod patient;
mod patient_export;
mod recall;
mod report;
mod resources;
mod setup;
mod staff;
mod upkeep;

pub use appointment::{
    appointments_page, booked, count, event_line, event_line_in, events_page, history, imported,
    series,
};
pub use calendars::{calendar, synced};
pub use channels::{channel, channel_tested, inbox, inbox_done, provider_id};
pub use day::{agenda_days, day_slots, demo, next_slots, queue};
pub use feed::{feed, feed_added};
pub use messages::{delivered, reminders, sweep, webhook};
pub use patient::{erased, patient, patient_card};
pub use patient_export::{patient_export, patient_exported};
pub use recall::recalls;
pub use report::{report, report_written};
pub use resources::{resource, resource_closure, resource_hours, service_needing};
pub use setup::{clinic, closure, doctor, service, window};
pub use staff::{looks, nobody_signs_in, signed_in, signed_out, staff_member};
pub use upkeep::{
    backup, check, completion, exported, health, initialized, installation, key_rotated, purged,
    serving, token, token_added, transferred,
};

use crate::wire::to_json;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::io::{self, Write};

// The shapes that are also stored or handed to hooks live in `wire`; they
// are shown as they are.
pub use crate::wire::{reminder, reminder_delivered, reminder_would, waitlist_entry};

/// The appointment object as its reader may see it
/// ([`super::reader`]).
pub fn appointment(a: &crate::core::Appointment) -> serde_json::Value {
    crate::wire::to_json(shown_view(a))
}

/// The appointment object's view as its reader may see it: what every
/// JSON answer shows of a visit.
pub(crate) fn shown_view(a: &crate::core::Appointment) -> crate::wire::AppointmentView<'_> {
    let clinical = super::reader::shows_clinical(a, false);
    crate::wire::appointment_view_as(a, clinical)
}

/// A view written out as JSON text, to be embedded as it is.
fn raw(view: &impl Serialize) -> Box<RawValue> {
    // A view holds only strings, numbers and JSON values: writing it cannot
    // fail, and its text is valid JSON.
    serde_json::value::to_raw_value(view).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

pub fn list(name: &str, items: Vec<Value>) -> Value {
    json!({ name: items })
}

/// One document, compact or indented. Indented (for a person at a terminal)
/// it goes through a tree, so that the parts written ahead as text (a day
/// sheet's appointments) are indented too.
fn write_doc(out: &mut dyn Write, indented: bool, doc: &impl Serialize) -> io::Result<()> {
    if indented {
        let tree: Value = serde_json::from_slice(&serde_json::to_vec(doc)?)?;
        serde_json::to_writer_pretty(out, &tree)?;
    } else {
        serde_json::to_writer(out, doc)?;
    }
    Ok(())
}

/// A question answered no: nothing changed.
pub fn declined() -> Value {
    #[derive(Serialize)]
    struct View {
        ok: bool,
        declined: bool,
    }
    to_json(View {
        ok: false,
        declined: true,
    })
}
