//! Human output of the front desk's queue and waitlist (SPEC §5.7).

use super::human::{clean, short, status_cell, table};
use crate::app::queue::Queue;
use crate::core::time::to_local;
use crate::store::waitlist::Entry;
use comfy_table::Cell;

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
        let mut t = table(&["Token", "Time", "Patient", "Status", "ID"]);
        for a in &line.appointments {
            t.add_row(vec![
                Cell::new(a.token_number),
                Cell::new(to_local(a.timezone, a.starts_at).1),
                Cell::new(clean(&a.patient_name)),
                status_cell(a.status),
                Cell::new(short(&a.id)),
            ]);
        }
        out.push_str(&t.to_string());
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
    let mut t = table(&["Date", "Doctor", "Patient", "Phone", "Offers", "ID"]);
    for e in all {
        t.add_row(vec![
            e.date.to_string(),
            clean(&e.doctor_name),
            clean(&e.patient_name),
            clean(&e.patient_phone),
            e.offers.to_string(),
            short(&e.id).to_string(),
        ]);
    }
    t.to_string()
}
