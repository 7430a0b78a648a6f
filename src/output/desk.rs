//! Human output of the front desk's queue and waitlist (docs/rules.md#walk-ins).

use super::fit::{col, text, Item, Sheet, Step};
use super::human::{self, clean, short};
use super::lang::{self, tr};
use crate::app::queue::Queue;
use crate::app::slots::{DaySlots, Reason};
use crate::core::slots::LimitScope;
use crate::core::time::local_hm;
use crate::error::Code;
use crate::output::phone::shown;
use crate::store::recalls::Recall;
use crate::store::waitlist::Entry;

/// Today's queue: per doctor, in token order, with each status.
pub fn queue(q: &Queue) -> String {
    let mut out = tr!(
        "d-queue_title",
        date = lang::date_short(q.date),
        clinic = clean(&q.clinic.name)
    );
    if q.lines.is_empty() {
        out.push_str(&format!("\n{}", tr!("d-nobody_booked")));
    }
    for line in &q.lines {
        let who = line
            .doctor
            .as_ref()
            .map_or(tr!("h-clinic_wide_title"), |d| clean(&d.full_name));
        out.push_str(&format!("\n\n{who}\n"));
        if line.appointments.is_empty() {
            out.push_str(&tr!("d-nobody_booked"));
            continue;
        }
        let mut t = Sheet::new(vec![
            col("Token"),
            col("Time"),
            text("Patient", 12),
            col("Status"),
            col("ID"),
        ]);
        for a in &line.appointments {
            t.row(vec![
                a.token_number.to_string().into(),
                local_hm(a.timezone, a.starts_at).into(),
                human::patient_of(a).into(),
                human::status_or_late(a.status, q.is_late(a)),
                short(&a.id).into(),
            ]);
        }
        out.push_str(&t.render());
    }
    out
}

/// One entry in a line: `Waiting 1a2b3c4d: Ana López for Dr. García on 2026-06-16`.
/// A sentence, wrapped at words to the width.
pub fn waiting(verb: &lang::Msg, e: &Entry) -> String {
    let line = tr!(
        "d-waiting",
        verb = lang::message(verb),
        id = short(&e.id),
        patient = clean(&e.patient_name),
        phone = clean(&shown(&e.patient_phone)),
        doctor = clean(&e.doctor_name),
        date = lang::date_short(e.date)
    );
    super::fit::wrap_lines(&line, super::fit::width())
}

pub fn waitlist(all: &[Entry]) -> String {
    if all.is_empty() {
        return tr!("d-nobody_waiting");
    }
    let mut t = Sheet::new(vec![
        col("Date"),
        text("Doctor", 12),
        text("Patient", 12),
        col("Phone"),
        col("Offers"),
        col("ID"),
    ])
    .steps(&[Step::Drop("Offers"), Step::Drop("Phone")]);
    for e in all {
        t.row(vec![
            // As `list` writes a day: `Tue 16 Jun 2026`, `mar 16 jun 2026`.
            Item::new(lang::date_short(e.date)).or_short(lang::day_short(e.date)),
            clean(&e.doctor_name).into(),
            clean(&e.patient_name).into(),
            clean(&shown(&e.patient_phone)).into(),
            e.offers.to_string().into(),
            short(&e.id).into(),
        ]);
    }
    t.render()
}

/// Why a day offers nothing, for a person: `closed: Holiday; next free day
/// Mon 22 Jun 2026 at 09:00`.
pub fn why(d: &DaySlots) -> String {
    let Some(why) = &d.why else {
        return tr!("d-no_free_slots");
    };
    let mut text = match &why.reason {
        Reason::Closed(Some(r)) => tr!("d-closed_reason", reason = clean(r)),
        Reason::Closed(None) => tr!("d-closed"),
        Reason::DayOff(days) if days.is_empty() => tr!("d-no_hours"),
        Reason::DayOff(days) => tr!(
            "d-day_off",
            weekday = lang::weekday_of(d.date),
            days = lang::days_named(days)
        ),
        Reason::NeedsService(names) => tr!(
            "d-needs_service",
            services = names
                .iter()
                .map(|n| clean(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Reason::DailyLimit(l) => match (l.scope, l.limit) {
            (LimitScope::Doctor, n) => tr!("d-doctor_limit", limit = n),
            (LimitScope::Service, _) => tr!("d-service_limit", limit = l.limit),
        },
        Reason::Full => tr!("d-no_free_slots"),
    };
    if let Some((day, start)) = why.next_free {
        let tz = d.target.clinic.timezone;
        text.push_str(&tr!(
            "d-next_free",
            date = lang::date_short(day),
            time = local_hm(tz, start)
        ));
    }
    text
}

/// What `slots --all` says of a slot: `yes`, or why not in words.
pub fn availability(d: &DaySlots, refusal: Option<Code>) -> String {
    let closed = match d.why.as_ref().map(|w| &w.reason) {
        Some(Reason::Closed(r)) => Some(r.as_deref().map_or(tr!("d-closed"), |r| {
            tr!("d-closed_reason", reason = clean(r))
        })),
        _ => None,
    };
    match refusal {
        None => tr!("word-yes"),
        Some(Code::OutsideAvailability) => closed.unwrap_or_else(|| tr!("d-outside_hours")),
        Some(Code::AppointmentConflict) => tr!("d-taken"),
        Some(Code::SlotFull) => tr!("d-full"),
        Some(Code::DailyLimit) => tr!("d-day_full"),
        Some(Code::SlotInactive) => tr!("d-window_closed"),
        Some(Code::PastAppointment) => tr!("d-past"),
        Some(Code::InsufficientNotice) => tr!("d-too_soon"),
        Some(Code::BeyondHorizon) => tr!("d-too_far"),
        Some(Code::InvalidTimeSlot) => tr!("d-not_for_service"),
        Some(Code::ResourceBusy) => tr!("d-resource_busy"),
        Some(Code::CalendarBusy) => tr!("d-calendar_busy"),
        Some(code) => code.as_str().to_lowercase(),
    }
}

/// One appointment as a picker shows it: time, patient, doctor, status.
pub fn appointment_choice(a: &crate::core::Appointment) -> String {
    let who = a
        .doctor_name
        .as_deref()
        .map_or_else(|| tr!("h-clinic_wide"), clean);
    format!(
        "{}  {} — {who}  [{}]",
        local_hm(a.timezone, a.starts_at),
        human::patient_of(a),
        crate::output::lang::status(a.status)
    )
}

/// The recall list: each recall's follow-up date, patient, doctor and where
/// it stands (docs/rules.md#recalls).
pub fn recalls(all: &[Recall]) -> String {
    if all.is_empty() {
        return tr!("d-no_recalls");
    }
    let mut t = Sheet::new(vec![
        col("Date"),
        text("Patient", 12),
        col("Phone"),
        text("Doctor", 12),
        col("Status"),
        col("ID"),
    ])
    .steps(&[Step::Drop("Phone")]);
    for r in all {
        let doctor = r
            .doctor_name
            .as_deref()
            .or(r.service_name.as_deref())
            .unwrap_or_default();
        t.row(vec![
            r.follow_up_date.to_string().into(),
            clean(&r.patient_name).into(),
            clean(&shown(&r.patient_phone)).into(),
            clean(doctor).into(),
            lang::t(&format!("recall-{}", r.status().as_str())).into(),
            short(&r.id).into(),
        ]);
    }
    t.render()
}
