//! A clinic's setup as JSON: `clinic`, `doctor`, `service`, `window` and
//! `closure`.

use crate::core::time::{format_days, format_duration, format_hhmm, format_offset};
use crate::core::{Clinic, Closure, Doctor, Recurrence, Service, Window};
use crate::wire::{day, to_json, ts};
use serde::Serialize;
use serde_json::Value;

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
    /// How `4/12` is read: `dmy` or `mdy` (its language's when not set).
    date_order: &'static str,
    phone: Option<&'a str>,
    public_url: Option<&'a str>,
    /// The clinic's own message texts, by kind (docs/rules.md#messages).
    templates: &'a std::collections::BTreeMap<String, String>,
    /// How long messages are kept after a visit (`90d`); null: for ever
    /// (docs/privacy.md#retention).
    retain_messages: Option<String>,
    /// `time` or `token`: the order the queue is called in
    /// (docs/rules.md#the-queue).
    queue_order: &'a str,
    /// Minutes past its start after which a visit nobody arrived for is late.
    late_after: i64,
    /// Who may pay for a visit (docs/rules.md#visits).
    payers: &'a [String],
    /// The link a telemedicine visit's messages give.
    video_url: Option<&'a str>,
    /// How many overbooked visits a doctor may have in a day
    /// (docs/rules.md#overbooking).
    max_overbook_per_day: i64,
    /// Whether `appt serve` offers the clinic's online booking page.
    online_booking: bool,
    /// The end of the booking page's address: the clinic's own, else its
    /// name's.
    slug: String,
    /// How far ahead the booking page offers times (`30d`).
    web_horizon: String,
    /// The least notice a booking on the page takes (`2h`).
    web_notice: String,
    /// How long the page holds a time while the patient types their code (`10m`).
    web_hold: String,
    /// Whether `remind due` sends the clinic's due recalls.
    recalls: bool,
    /// The country codes besides the clinic's own the page sends codes to.
    web_countries: &'a [String],
    /// The most codes the page sends in an hour.
    web_codes_per_hour: i64,
    /// How many hours a session at the desk lasts.
    session_hours: i64,
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
        date_order: s.date_order().as_str(),
        phone: s.phone.as_deref(),
        public_url: s.public_url.as_deref(),
        templates: &s.templates,
        retain_messages: s.retain_messages.map(format_duration),
        queue_order: s.queue_order.as_str(),
        late_after: s.late_after,
        payers: &s.payers,
        video_url: s.video_url.as_deref(),
        max_overbook_per_day: s.max_overbook_per_day,
        online_booking: s.online_booking,
        slug: s.slug_or(&c.name),
        web_horizon: format_duration(s.web_horizon),
        web_notice: format_duration(s.web_notice),
        web_hold: format_duration(s.web_hold),
        recalls: s.recalls,
        web_countries: &s.web_countries,
        web_codes_per_hour: s.web_codes_per_hour,
        session_hours: s.session_hours,
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
    /// Whether the online booking page offers the doctor.
    online: bool,
    /// The services the doctor does (IDs); empty for every service.
    services: &'a [String],
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
        online: d.online,
        services: &d.services,
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
    /// Whether the online booking page offers the service.
    online: bool,
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
        online: s.online,
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
