//! Which visit a patient's phone or name means where an appointment is
//! expected (docs/commands.md#references): their active appointment today,
//! in its clinic's zone, else their next active one.

use super::{time, Appointment};
use chrono::{DateTime, Utc};

/// The appointments of `active` (the matched patients' active ones, in
/// start order) that a reference to those patients means at `now`: today's,
/// else each patient's next. More than one is for the desk to choose.
pub fn meant(active: &[Appointment], now: DateTime<Utc>) -> Vec<&Appointment> {
    let today: Vec<&Appointment> = active
        .iter()
        .filter(|a| a.local_date == time::local_today(a.timezone, now))
        .collect();
    if !today.is_empty() {
        return today;
    }
    let mut next: Vec<&Appointment> = Vec::new();
    for a in active.iter().filter(|a| a.starts_at >= now) {
        if !next.iter().any(|n| n.patient_id == a.patient_id) {
            next.push(a);
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::AppointmentRow;
    use chrono::NaiveDate;

    fn visit(patient: &str, date: &str, hour: u32) -> Appointment {
        let local_date: NaiveDate = date.parse().unwrap();
        // El Salvador is UTC-6 all year.
        let starts_at = local_date.and_hms_opt(hour + 6, 0, 0).unwrap().and_utc();
        Appointment {
            row: AppointmentRow {
                patient_id: patient.into(),
                ..AppointmentRow::sample(&format!("{patient}-{date}-{hour}"), starts_at)
            },
            timezone: crate::core::zone::el_salvador(),
            clinic_name: "Central".into(),
            patient_name: patient.into(),
            patient_phone: String::new(),
            patient_erased: false,
            doctor_name: None,
            doctor_specialty: None,
            resources: Vec::new(),
            service_name: None,
            service_minutes: None,
        }
    }

    fn ids(v: Vec<&Appointment>) -> Vec<&str> {
        v.into_iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn today_first_even_when_it_has_begun_else_the_next() {
        // 2026-06-15 10:00 in El Salvador.
        let now: DateTime<Utc> = "2026-06-15T16:00:00Z".parse().unwrap();
        let earlier_today = visit("ana", "2026-06-15", 8);
        let tomorrow = visit("ana", "2026-06-16", 9);
        let later = visit("ana", "2026-06-20", 9);
        assert_eq!(
            ids(meant(&[earlier_today.clone(), tomorrow.clone()], now)),
            ["ana-2026-06-15-8"]
        );
        assert_eq!(
            ids(meant(&[tomorrow.clone(), later.clone()], now)),
            ["ana-2026-06-16-9"]
        );
        // Two patients of one name: each one's next, for the desk to choose.
        let other = visit("ana2", "2026-06-17", 9);
        assert_eq!(
            ids(meant(&[tomorrow, other, later], now)),
            ["ana-2026-06-16-9", "ana2-2026-06-17-9"]
        );
        assert!(meant(&[], now).is_empty());
    }

    #[test]
    fn today_is_the_clinics_day_not_utcs() {
        // 23:30 on the 15th in El Salvador is already the 16th in UTC.
        let now: DateTime<Utc> = "2026-06-16T05:30:00Z".parse().unwrap();
        let tonight = visit("ana", "2026-06-15", 17);
        assert_eq!(ids(meant(&[tonight], now)), ["ana-2026-06-15-17"]);
    }
}
