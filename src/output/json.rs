//! JSON views of the domain's types (docs/commands.md, docs/commands.md#the-appointment-object).

use crate::app::agenda::Agenda;
use crate::app::slots::{DaySlots, Slot};
use crate::core::time::{format_days, format_duration, format_hhmm, format_offset, to_local};
use crate::core::{Appointment, Clinic, Closure, Doctor, Patient, Recurrence, Service, Window};
use crate::error::Code;
use crate::store::check::{Row as CheckRow, Violation};
use crate::store::events::Event;
use crate::store::webhooks::Webhook;
use crate::wire::{appointment_view, day, opt_ts, to_json, ts, AppointmentView, DoctorRefView};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::io::{self, Write};

// The shapes that are also stored or handed to hooks live in `wire`; they
// are shown as they are.
pub use crate::wire::{appointment, reminder, reminder_delivered, waitlist_entry};

/// A view written out as JSON text, to be embedded as it is.
fn raw(view: &impl Serialize) -> Box<RawValue> {
    // A view holds only strings, numbers and JSON values: writing it cannot
    // fail, and its text is valid JSON.
    serde_json::value::to_raw_value(view).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

#[derive(Serialize)]
struct ClinicView<'a> {
    id: &'a str,
    name: &'a str,
    timezone: &'a str,
    slot_minutes: i64,
    min_notice: String,
    horizon: String,
    cancel_window: String,
    reminders: Vec<String>,
    duplicate_check: bool,
    require_diagnosis: bool,
    notify: bool,
    country_code: Option<&'a str>,
    language: &'a str,
    phone: Option<&'a str>,
    public_url: Option<&'a str>,
    /// The clinic's own message texts, by kind (docs/rules.md#messages).
    templates: &'a std::collections::BTreeMap<String, String>,
    created_at: String,
    updated_at: String,
}

pub fn clinic(c: &Clinic) -> Value {
    let s = &c.settings;
    to_json(ClinicView {
        id: &c.id,
        name: &c.name,
        timezone: c.timezone.name(),
        slot_minutes: s.slot_minutes,
        min_notice: format_duration(s.min_notice),
        horizon: format_duration(s.horizon),
        cancel_window: format_duration(s.cancel_window),
        reminders: s.reminders.iter().map(|m| format_offset(*m)).collect(),
        duplicate_check: s.duplicate_check,
        require_diagnosis: s.require_diagnosis,
        notify: s.notify,
        country_code: s.country_code.as_deref(),
        language: s.language.as_str(),
        phone: s.phone.as_deref(),
        public_url: s.public_url.as_deref(),
        templates: &s.templates,
        created_at: ts(c.created_at),
        updated_at: ts(c.updated_at),
    })
}

#[derive(Serialize)]
struct DoctorView<'a> {
    id: &'a str,
    full_name: &'a str,
    specialty: Option<&'a str>,
    slot_minutes: Option<i64>,
    active: bool,
    max_per_day: Option<i64>,
    created_at: String,
    updated_at: String,
}

pub fn doctor(d: &Doctor) -> Value {
    to_json(DoctorView {
        id: &d.id,
        full_name: &d.full_name,
        specialty: d.specialty.as_deref(),
        slot_minutes: d.slot_minutes,
        active: d.active,
        max_per_day: d.max_per_day,
        created_at: ts(d.created_at),
        updated_at: ts(d.updated_at),
    })
}

#[derive(Serialize)]
struct ServiceView<'a> {
    id: &'a str,
    name: &'a str,
    duration_minutes: i64,
    max_per_day: Option<i64>,
    buffer_before: i64,
    buffer_after: i64,
    created_at: String,
    updated_at: String,
}

pub fn service(s: &Service) -> Value {
    to_json(ServiceView {
        id: &s.id,
        name: &s.name,
        duration_minutes: s.duration_minutes,
        max_per_day: s.max_per_day,
        buffer_before: s.buffer_before,
        buffer_after: s.buffer_after,
        created_at: ts(s.created_at),
        updated_at: ts(s.updated_at),
    })
}

#[derive(Serialize)]
struct WindowView<'a> {
    id: &'a str,
    clinic_id: &'a str,
    doctor_id: Option<&'a str>,
    clinic_wide: bool,
    days: Option<String>,
    date: Option<String>,
    from: String,
    to: String,
    slot_minutes: i64,
    capacity: i64,
    session: Option<&'a str>,
    batch: Option<&'a str>,
    services: &'a [String],
    valid_from: Option<String>,
    valid_to: Option<String>,
    status: &'a str,
    created_at: String,
}

pub fn window(w: &Window) -> Value {
    let (days, date) = match &w.recurrence {
        Recurrence::Weekly(m) => (Some(format_days(*m)), None),
        Recurrence::Date(d) => (None, Some(d.to_string())),
    };
    to_json(WindowView {
        id: &w.id,
        clinic_id: &w.clinic_id,
        doctor_id: w.doctor_id.as_deref(),
        clinic_wide: w.doctor_id.is_none(),
        days,
        date,
        from: format_hhmm(w.from),
        to: format_hhmm(w.to),
        slot_minutes: w.slot_minutes,
        capacity: w.capacity,
        session: w.session.as_deref(),
        batch: w.batch.as_deref(),
        services: &w.services,
        valid_from: day(w.valid_from),
        valid_to: day(w.valid_to),
        status: if w.open { "open" } else { "closed" },
        created_at: ts(w.created_at),
    })
}

#[derive(Serialize)]
struct ClosureView<'a> {
    id: &'a str,
    clinic_id: Option<&'a str>,
    doctor_id: Option<&'a str>,
    from: String,
    to: String,
    reason: Option<&'a str>,
    created_at: String,
}

pub fn closure(c: &Closure) -> Value {
    to_json(ClosureView {
        id: &c.id,
        clinic_id: c.clinic_id.as_deref(),
        doctor_id: c.doctor_id.as_deref(),
        from: c.from.to_string(),
        to: c.to.to_string(),
        reason: c.reason.as_deref(),
        created_at: ts(c.created_at),
    })
}

#[derive(Serialize)]
struct PatientView<'a> {
    id: &'a str,
    full_name: &'a str,
    phone: &'a str,
    national_id: Option<&'a str>,
    national_id_unreadable: bool,
    email: Option<&'a str>,
    no_show_count: i64,
    created_at: String,
    updated_at: String,
}

pub fn patient(p: &Patient) -> Value {
    to_json(patient_view(p))
}

fn patient_view(p: &Patient) -> PatientView<'_> {
    PatientView {
        id: &p.id,
        full_name: &p.full_name,
        phone: &p.phone,
        national_id: p.national_id.as_deref(),
        national_id_unreadable: p.national_id_unreadable,
        email: p.email.as_deref(),
        no_show_count: p.no_show_count,
        created_at: ts(p.created_at),
        updated_at: ts(p.updated_at),
    }
}

#[derive(Serialize)]
struct EventView<'a> {
    id: i64,
    #[serde(rename = "type")]
    kind: &'a str,
    appointment_id: Option<&'a str>,
    created_at: String,
    /// Who made the change (docs/rules.md#events); null before appt named them.
    actor: Option<&'a str>,
    data: &'a Value,
}

pub fn event(e: &Event) -> Value {
    to_json(EventView {
        id: e.id,
        kind: &e.kind,
        appointment_id: e.appointment_id.as_deref(),
        created_at: ts(e.created_at),
        actor: e.actor.as_deref(),
        data: &e.data,
    })
}

/// One event as a JSON Lines record, its stored data passed through as stored
/// (no tree is built): the same text as [`event`] gives, whose keys a
/// `Value` sorts.
pub fn event_line(e: &crate::store::events::Stored) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        actor: Option<&'a str>,
        appointment_id: Option<&'a str>,
        created_at: String,
        data: &'a RawValue,
        id: i64,
        #[serde(rename = "type")]
        kind: &'a str,
    }
    serde_json::to_string(&Line {
        actor: e.actor.as_deref(),
        appointment_id: e.appointment_id.as_deref(),
        created_at: ts(e.created_at),
        data: &e.data,
        id: e.id,
        kind: &e.kind,
    })
    .unwrap_or_default()
}

pub fn list(name: &str, items: Vec<Value>) -> Value {
    json!({ name: items })
}

#[derive(Serialize)]
struct WebhookView<'a> {
    id: &'a str,
    url: String,
    events: Option<&'a [String]>,
    has_secret: bool,
    clinical: bool,
    last_event_id: i64,
    delivered: i64,
    attempts: i64,
    next_attempt_at: Option<String>,
    last_error: Option<String>,
    created_at: String,
}

/// A webhook; the secret itself is never shown, nor a password in its URL.
pub fn webhook(w: &Webhook) -> Value {
    to_json(WebhookView {
        id: &w.id,
        url: w.shown_url(),
        events: w.events.as_deref(),
        has_secret: w.secret.is_some(),
        clinical: w.clinical,
        last_event_id: w.cursor,
        delivered: w.delivered,
        attempts: w.attempts,
        next_attempt_at: opt_ts(w.next_attempt_at),
        last_error: w.shown_error(),
        created_at: ts(w.created_at),
    })
}

#[derive(Serialize)]
struct KeyRotatedView<'a> {
    version: u32,
    resealed: u64,
    unreadable: u64,
    key_file: Option<String>,
    kept: Vec<String>,
    /// With `$APPT_KEY` only: the new key.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
}

/// `appt key rotate`: `{"version","resealed","unreadable","key_file","kept"}`,
/// and `"key"` with `$APPT_KEY`.
pub fn key_rotated(r: &crate::app::key::Rotated) -> Value {
    to_json(KeyRotatedView {
        version: r.version,
        resealed: r.resealed,
        unreadable: r.unreadable,
        key_file: r.key_file.as_ref().map(|p| p.display().to_string()),
        kept: r.kept.iter().map(|p| p.display().to_string()).collect(),
        key: r.key.as_deref(),
    })
}

#[derive(Serialize)]
struct CheckView<'a> {
    ok: bool,
    violations: Vec<ViolationView<'a>>,
}

#[derive(Serialize)]
struct ViolationView<'a> {
    check: &'a str,
    message: &'a str,
    rows: Vec<CheckRowView<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum CheckRowView<'a> {
    Appointment {
        appointment_id: &'a str,
        clinic_id: &'a str,
        doctor_id: Option<&'a str>,
        service_id: Option<&'a str>,
        window_id: Option<&'a str>,
        window_capacity: Option<i64>,
        status: &'a str,
        date: &'a str,
        start_time: String,
        end_time: String,
        starts_at: String,
        ends_at: String,
        token_number: i64,
        buffer_before: i64,
        buffer_after: i64,
    },
    Reminder {
        reminder_id: &'a str,
        appointment_id: &'a str,
        status: &'a str,
        offset: String,
        due_at: String,
        appointment_status: &'a str,
    },
    Key {
        table: &'a str,
        rowid: Option<i64>,
        column: Option<&'a str>,
        value: Option<&'a str>,
        parent: &'a str,
    },
    Patient {
        patient_id: &'a str,
        column: &'a str,
        problem: &'a str,
    },
    Damage {
        table: &'a str,
        id: &'a str,
        column: &'a str,
        value: Option<&'a str>,
        problem: &'a str,
    },
    Problem {
        problem: &'a str,
    },
}

fn check_row(r: &CheckRow) -> CheckRowView<'_> {
    match r {
        CheckRow::Appointment(a) => CheckRowView::Appointment {
            appointment_id: &a.id,
            clinic_id: &a.clinic_id,
            doctor_id: a.doctor_id.as_deref(),
            service_id: a.service_id.as_deref(),
            window_id: a.window_id.as_deref(),
            window_capacity: a.window_capacity,
            status: &a.status,
            date: &a.local_date,
            start_time: to_local(a.timezone, a.starts_at).1,
            end_time: to_local(a.timezone, a.ends_at).1,
            starts_at: ts(a.starts_at),
            ends_at: ts(a.ends_at),
            token_number: a.token_number,
            buffer_before: a.buffer_before,
            buffer_after: a.buffer_after,
        },
        CheckRow::Reminder(r) => CheckRowView::Reminder {
            reminder_id: &r.id,
            appointment_id: &r.appointment_id,
            status: &r.status,
            offset: format_offset(r.offset_minutes),
            due_at: ts(r.due_at),
            appointment_status: &r.appointment_status,
        },
        CheckRow::Key(k) => CheckRowView::Key {
            table: &k.table,
            rowid: k.rowid,
            column: k.column.as_deref(),
            value: k.value.as_deref(),
            parent: &k.parent,
        },
        CheckRow::Patient(p) => CheckRowView::Patient {
            patient_id: &p.id,
            column: "national_id",
            problem: &p.problem,
        },
        CheckRow::Damage(d) => CheckRowView::Damage {
            table: d.table,
            id: &d.id,
            column: d.column,
            value: d.value.as_deref(),
            problem: &d.problem,
        },
        CheckRow::Problem(p) => CheckRowView::Problem { problem: p },
    }
}

/// `appt check`: `{"ok":bool,"violations":[{"check","message","rows":[…]}]}`.
pub fn check(found: &[Violation]) -> Value {
    to_json(CheckView {
        ok: found.is_empty(),
        violations: found
            .iter()
            .map(|v| ViolationView {
                check: v.check,
                message: &v.message,
                rows: v.rows.iter().map(check_row).collect(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct SlotView<'a> {
    start_time: String,
    end_time: String,
    starts_at: String,
    ends_at: String,
    remaining: i64,
    window_id: &'a str,
    session: Option<&'a str>,
    batch: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    available: Option<bool>,
    /// Present (null when available) with `--all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Option<&'a str>>,
}

fn slot(s: &Slot, tz: crate::core::zone::Tz, all: bool) -> SlotView<'_> {
    SlotView {
        start_time: to_local(tz, s.start).1,
        end_time: to_local(tz, s.end).1,
        starts_at: ts(s.start),
        ends_at: ts(s.end),
        remaining: s.remaining,
        window_id: &s.window_id,
        session: s.session.as_deref(),
        batch: s.batch.as_deref(),
        available: all.then_some(s.refusal.is_none()),
        reason: all.then_some(s.refusal.map(Code::as_str)),
    }
}

/// `slots --json` (docs/rules.md#windows-and-slots): the free slots, or with `all` every grid slot.
pub fn day_slots(d: &DaySlots, all: bool) -> Value {
    let tz = d.target.clinic.timezone;
    json!({
        "doctor_id": d.target.doctor.as_ref().map(|x| &x.id),
        "clinic_id": d.target.clinic.id,
        "date": d.date.to_string(),
        "timezone": tz.name(),
        "duration_minutes": d.duration,
        "slots": d.slots.iter()
            .filter(|s| all || s.refusal.is_none())
            .map(|s| to_json(slot(s, tz, all)))
            .collect::<Vec<_>>(),
    })
}

/// `queue --json`: today's appointments per doctor (null: clinic-wide) in token order.
pub fn queue(q: &crate::app::queue::Queue) -> Value {
    json!({
        "date": q.date.to_string(),
        "clinic_id": q.clinic.id,
        "doctors": q.lines.iter().map(|l| json!({
            "doctor": l.doctor.as_ref().map(doctor),
            "appointments": l.appointments.iter().map(appointment).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

// A day sheet is written straight to text too: its views keep their fields
// in alphabetical order, as `wire`'s do.
#[derive(Serialize)]
struct AgendaView<'a> {
    clinic_id: &'a str,
    date: String,
    doctors: Vec<SectionView<'a>>,
    timezone: &'a str,
}

#[derive(Serialize)]
struct SectionView<'a> {
    appointments: Vec<Box<RawValue>>,
    closed: Option<&'a str>,
    doctor: Option<DoctorRefView<'a>>,
    free_slots: Vec<String>,
    rows: Vec<RowView>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum RowView {
    Appointment {
        appointment: Box<RawValue>,
        end_time: String,
        kind: &'static str,
        start_time: String,
        starts_at: String,
    },
    Free {
        end_time: String,
        ends_at: String,
        kind: &'static str,
        remaining: i64,
        start_time: String,
        starts_at: String,
    },
}

/// `agenda --json` (docs/commands.md#appt-list): per doctor, `closed` (null or the reason)
/// and `rows` — appointments and free slots in time order — plus the same
/// appointments and free start times on their own, as earlier versions gave.
fn agenda(a: &Agenda) -> AgendaView<'_> {
    let tz = a.clinic.timezone;
    AgendaView {
        clinic_id: &a.clinic.id,
        date: a.date.to_string(),
        timezone: tz.name(),
        doctors: a
            .sections
            .iter()
            .map(|s| {
                // Each appointment is written once and given twice (in `rows`
                // and in `appointments`): a big day holds thousands.
                let written: Vec<Box<RawValue>> = s
                    .appointments
                    .iter()
                    .map(|x| raw(&appointment_view(x)))
                    .collect();
                let mut rows: Vec<(DateTime<Utc>, RowView)> = s
                    .appointments
                    .iter()
                    .zip(&written)
                    .map(|(x, text)| {
                        let row = RowView::Appointment {
                            appointment: text.clone(),
                            end_time: to_local(tz, x.ends_at).1,
                            kind: "appointment",
                            start_time: to_local(tz, x.starts_at).1,
                            starts_at: ts(x.starts_at),
                        };
                        (x.starts_at, row)
                    })
                    .collect();
                rows.extend(s.free.iter().map(|f| {
                    let row = RowView::Free {
                        end_time: to_local(tz, f.end).1,
                        ends_at: ts(f.end),
                        kind: "free",
                        remaining: f.remaining,
                        start_time: to_local(tz, f.start).1,
                        starts_at: ts(f.start),
                    };
                    (f.start, row)
                }));
                rows.sort_by_key(|r| r.0);
                SectionView {
                    appointments: written,
                    closed: s.closed.as_deref(),
                    doctor: s.doctor.as_ref().map(|d| DoctorRefView {
                        full_name: &d.full_name,
                        id: &d.id,
                        specialty: d.specialty.as_deref(),
                    }),
                    free_slots: s.free.iter().map(|f| to_local(tz, f.start).1).collect(),
                    rows: rows.into_iter().map(|r| r.1).collect(),
                }
            })
            .collect(),
    }
}

/// One day sheet as a value, for a document that holds one (`demo`).
pub fn agenda_sheet(a: &Agenda) -> Value {
    to_json(agenda(a))
}

/// `agenda --json`, written straight from the views (a big day sheet never
/// becomes a tree of values): one day is the sheet itself, several are
/// `{"days":[…]}`.
pub fn agenda_days(days: &[Agenda], out: &mut dyn Write, indented: bool) -> io::Result<()> {
    #[derive(Serialize)]
    struct Days<'a> {
        days: Vec<AgendaView<'a>>,
    }
    match days {
        [one] => write_doc(out, indented, &agenda(one)),
        _ => write_doc(
            out,
            indented,
            &Days {
                days: days.iter().map(agenda).collect(),
            },
        ),
    }
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
            appointments: list.iter().map(appointment_view).collect(),
            limit,
            page,
            total,
        },
    )
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

/// `next --json`: `{"slots":[{…slot…, "doctor_id", "doctor", "date"}]}`.
pub fn next_slots(found: &crate::app::next::Found) -> Value {
    let tz = found.clinic.timezone;
    json!({
        "clinic_id": found.clinic.id,
        "timezone": tz.name(),
        "slots": found.slots.iter().map(|f| {
            let mut v = to_json(slot(&f.slot, tz, false));
            v["doctor_id"] = json!(f.doctor.id);
            v["doctor"] = json!({"id": f.doctor.id, "full_name": f.doctor.full_name, "specialty": f.doctor.specialty});
            v["date"] = json!(f.date.to_string());
            v
        }).collect::<Vec<_>>(),
    })
}

// ------------------------------------------------ one command's documents

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
        appointment: appointment_view(&b.appointment),
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
        appointments: list.iter().map(appointment_view).collect(),
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

/// `remind list --json`.
pub fn reminders(rows: &[(crate::store::reminders::Reminder, Appointment)]) -> Value {
    list(
        "reminders",
        rows.iter().map(|(r, a)| reminder(r, a)).collect(),
    )
}

/// `remind due --exec --json`: the sweep's counts.
pub fn sweep(s: &crate::app::remind::Sweep) -> Value {
    #[derive(Serialize)]
    struct View {
        sent: i64,
        failed: i64,
        expired: i64,
        cancelled: i64,
    }
    to_json(View {
        sent: s.sent,
        failed: s.failed,
        expired: s.expired,
        cancelled: s.cancelled,
    })
}

/// `webhook deliver --json`.
pub fn delivered(d: &crate::app::webhook::Delivered) -> Value {
    #[derive(Serialize)]
    struct View {
        delivered: i64,
        failed: usize,
    }
    to_json(View {
        delivered: d.delivered,
        failed: d.failures.len(),
    })
}

/// `count --json`.
pub fn count(n: i64, since: DateTime<Utc>) -> Value {
    #[derive(Serialize)]
    struct View {
        count: i64,
        since: String,
    }
    to_json(View {
        count: n,
        since: ts(since),
    })
}

/// `history --json`: an appointment's events, oldest first.
pub fn history(a: &Appointment, events: &[Event]) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        appointment_id: &'a str,
        events: Vec<Value>,
    }
    to_json(View {
        appointment_id: &a.id,
        events: events.iter().map(event).collect(),
    })
}

/// `patient show --json`: the patient, with upcoming and recent visits.
pub fn patient_card(card: &crate::app::patient::Card) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        #[serde(flatten)]
        patient: PatientView<'a>,
        upcoming: Vec<crate::wire::AppointmentView<'a>>,
        recent: Vec<crate::wire::AppointmentView<'a>>,
    }
    to_json(View {
        patient: patient_view(&card.patient),
        upcoming: card.upcoming.iter().map(appointment_view).collect(),
        recent: card.recent.iter().map(appointment_view).collect(),
    })
}

/// `init --json`.
pub fn initialized(path: &str) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        ok: bool,
        path: &'a str,
    }
    to_json(View { ok: true, path })
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

/// `backup --json`.
pub fn backup(done: &crate::store::backup::Copied, source: &str) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        ok: bool,
        path: String,
        source: &'a str,
        bytes: u64,
        sealed_national_ids: i64,
    }
    to_json(View {
        ok: true,
        path: done.path.display().to_string(),
        source,
        bytes: done.bytes,
        sealed_national_ids: done.sealed_ids,
    })
}

/// `transfer --json`: rows copied per table.
pub fn transferred(from: &str, to: &str, copied: &[(&str, i64)]) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        ok: bool,
        from: &'a str,
        to: &'a str,
        rows: std::collections::BTreeMap<&'a str, i64>,
    }
    to_json(View {
        ok: true,
        from,
        to,
        rows: copied.iter().copied().collect(),
    })
}

/// `export --output FILE --json`: what was written where.
pub fn exported(format: &str, output: &str, appointments: u64) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        format: &'a str,
        output: &'a str,
        appointments: u64,
    }
    to_json(View {
        format,
        output,
        appointments,
    })
}

/// `completions SHELL --json`.
pub fn completion(shell: &str, file: &str, script: &str) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        shell: &'a str,
        file: &'a str,
        script: &'a str,
    }
    to_json(View {
        shell,
        file,
        script,
    })
}

/// `demo --json`: where it is, what was booked, today's sheet and
/// tomorrow's free slots.
pub fn demo(db: &str, booked: usize, sheet: &Agenda, tomorrow: &[DaySlots]) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        db: &'a str,
        booked: usize,
        agenda: Value,
        tomorrow: Vec<Value>,
    }
    to_json(View {
        db,
        booked,
        agenda: agenda_sheet(sheet),
        tomorrow: tomorrow.iter().map(|d| day_slots(d, false)).collect(),
    })
}

/// `serve --json`, once listening: where to call.
pub fn serving(url: &str) -> Value {
    json!({ "url": url })
}

/// `GET /healthz`: the database answers.
pub fn health() -> Value {
    json!({ "status": "ok" })
}

/// `GET /v1/events`: a page of the event log (each line already the JSON of
/// `events`) and the last ID it covered, to ask for the next page after.
pub fn events_page(lines: &[String], last_id: i64) -> String {
    format!("{{\"events\":[{}],\"last_id\":{last_id}}}", lines.join(","))
}

#[derive(Serialize)]
struct TokenView<'a> {
    name: &'a str,
    prefix: &'a str,
    scopes: Vec<&'static str>,
    clinic_id: Option<&'a str>,
    clinic: Option<&'a str>,
    status: &'static str,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

/// An API token as `token list` and `token revoke` show it (never the token
/// nor its hash): `status` is `active`, `expired` or `revoked` at `now`.
pub fn token(t: &crate::store::api_tokens::Token, now: DateTime<Utc>) -> Value {
    to_json(TokenView {
        name: &t.name,
        prefix: &t.prefix,
        scopes: t.scopes.iter().map(|s| s.as_str()).collect(),
        clinic_id: t.clinic_id.as_deref(),
        clinic: t.clinic.as_deref(),
        status: crate::app::token::status(t, now),
        created_at: ts(t.created_at),
        expires_at: opt_ts(t.expires_at),
        last_used_at: opt_ts(t.last_used_at),
        revoked_at: opt_ts(t.revoked_at),
    })
}

#[derive(Serialize)]
struct TokenAddedView<'a> {
    name: &'a str,
    prefix: &'a str,
    scopes: Vec<&'static str>,
    clinic_id: Option<&'a str>,
    expires_at: Option<String>,
    token: &'a str,
}

/// `token add`: `{"name","prefix","scopes","clinic_id","expires_at","token"}`,
/// the only document that holds a token.
pub fn token_added(a: &crate::app::token::Added) -> Value {
    to_json(TokenAddedView {
        name: &a.info.name,
        prefix: &a.info.prefix,
        scopes: a.info.scopes.iter().map(|s| s.as_str()).collect(),
        clinic_id: a.info.clinic_id.as_deref(),
        expires_at: opt_ts(a.info.expires_at),
        token: &a.token,
    })
}
