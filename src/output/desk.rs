//! Human output of the front desk's queue and waitlist (docs/rules.md#walk-ins).

use super::fit::{col, text, Sheet, Step};
use super::human::{clean, short, status_item};
use crate::app::queue::Queue;
use crate::app::slots::{DaySlots, Reason};
use crate::core::time::local_hm;
use crate::error::Code;
use crate::store::waitlist::Entry;

/// Today's queue: per doctor, in token order, with each status.
pub fn queue(q: &Queue) -> String {
    let mut out = format!(
        "Queue for {} at {}",
        q.date.format("%a %d %b %Y"),
        clean(&q.clinic.name)
    );
    if q.lines.is_empty() {
        out.push_str("\nNobody is booked today.");
    }
    for line in &q.lines {
        let who = line
            .doctor
            .as_ref()
            .map_or("Clinic-wide".to_string(), |d| clean(&d.full_name));
        out.push_str(&format!("\n\n{who}\n"));
        if line.appointments.is_empty() {
            out.push_str("Nobody is booked today.");
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
                clean(&a.patient_name).into(),
                status_item(a.status),
                short(&a.id).into(),
            ]);
        }
        out.push_str(&t.render());
    }
    out
}

/// One entry in a line: `Waiting 1a2b3c4d: Ana López for Dr. García on 2026-06-16`.
pub fn waiting(verb: &str, e: &Entry) -> String {
    format!(
        "{verb} {}: {} ({}) for {} on {}",
        short(&e.id),
        clean(&e.patient_name),
        clean(&e.patient_phone),
        clean(&e.doctor_name),
        e.date
    )
}

pub fn waitlist(all: &[Entry]) -> String {
    if all.is_empty() {
        return "Nobody is waiting.".into();
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
            e.date.to_string().into(),
            clean(&e.doctor_name).into(),
            clean(&e.patient_name).into(),
            clean(&e.patient_phone).into(),
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
        return "no free slots".into();
    };
    let mut text = match &why.reason {
        Reason::Closed(Some(r)) => format!("closed: {}", clean(r)),
        Reason::Closed(None) => "closed".into(),
        Reason::DayOff(days) if days.is_empty() => "no hours at this clinic".into(),
        Reason::DayOff(days) => format!("not working on {}s (works {days})", d.date.format("%A")),
        Reason::NeedsService(names) => format!(
            "these hours take only {}: give --service",
            names
                .iter()
                .map(|n| clean(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Reason::Full => "no free slots".into(),
    };
    if let Some((day, start)) = why.next_free {
        let tz = d.target.clinic.timezone;
        text.push_str(&format!(
            "; next free day {} at {}",
            day.format("%a %d %b %Y"),
            local_hm(tz, start)
        ));
    }
    text
}

/// What `slots --all` says of a slot: `yes`, or why not in words.
pub fn availability(d: &DaySlots, refusal: Option<Code>) -> String {
    let closed = match d.why.as_ref().map(|w| &w.reason) {
        Some(Reason::Closed(r)) => Some(
            r.as_deref()
                .map_or("closed".into(), |r| format!("closed: {}", clean(r))),
        ),
        _ => None,
    };
    match refusal {
        None => "yes".into(),
        Some(Code::OutsideAvailability) => closed.unwrap_or_else(|| "outside hours".into()),
        Some(Code::AppointmentConflict) => "taken".into(),
        Some(Code::SlotFull) => "full".into(),
        Some(Code::SlotInactive) => "window closed".into(),
        Some(Code::PastAppointment) => "past".into(),
        Some(Code::InsufficientNotice) => "too soon".into(),
        Some(Code::BeyondHorizon) => "too far ahead".into(),
        Some(Code::InvalidTimeSlot) => "not for this service or length".into(),
        Some(code) => code.as_str().to_lowercase(),
    }
}

/// One appointment as a picker shows it: time, patient, doctor, status.
pub fn appointment_choice(a: &crate::core::Appointment) -> String {
    let who = a
        .doctor_name
        .as_deref()
        .map_or("clinic-wide".to_string(), clean);
    format!(
        "{}  {} — {who}  [{}]",
        local_hm(a.timezone, a.starts_at),
        clean(&a.patient_name),
        a.status.as_str()
    )
}
