//! The waiting room (docs/rules.md#the-queue): the order a clinic calls its
//! checked-in patients in, and when a visit nobody arrived for is late.
//! `queue`, `queue next` and the board all read these, so they cannot
//! disagree about who is next.

use super::{AppointmentRow, QueueOrder, Status};
use chrono::{DateTime, Duration, Utc};

/// What a walk-in's source is stored as.
const WALK_IN: &str = "walk_in";

/// When an appointment takes its place in a queue called by time: its start,
/// or a walk-in's arrival (a walk-in's start is only the slot it was put in).
pub fn place_time(a: &AppointmentRow) -> DateTime<Utc> {
    if a.source == WALK_IN {
        a.checked_in_at.unwrap_or(a.starts_at)
    } else {
        a.starts_at
    }
}

/// The key a queue of `order` sorts by: by time, the place's time then the
/// token; by token, the token then the time.
pub fn key(a: &AppointmentRow, order: QueueOrder) -> (i64, DateTime<Utc>, i64) {
    match order {
        QueueOrder::Time => (0, place_time(a), a.token_number),
        QueueOrder::Token => (a.token_number, place_time(a), 0),
    }
}

/// Sorts one doctor's appointments into the clinic's queue order.
pub fn sort<T: std::ops::Deref<Target = AppointmentRow>>(list: &mut [T], order: QueueOrder) {
    list.sort_by_key(|a| key(a, order));
}

/// Whom the doctor calls next: the first checked-in appointment of `list`
/// in the clinic's order.
pub fn next<T: std::ops::Deref<Target = AppointmentRow>>(
    list: &[T],
    order: QueueOrder,
) -> Option<&T> {
    list.iter()
        .filter(|a| a.status == Status::CheckedIn)
        .min_by_key(|a| key(a, order))
}

/// Is the visit late at `now`: still waiting for its patient (scheduled or
/// confirmed) more than `late_after` minutes past its start?
pub fn is_late(a: &AppointmentRow, now: DateTime<Utc>, late_after: i64) -> bool {
    matches!(a.status, Status::Scheduled | Status::Confirmed)
        && now > a.starts_at + Duration::minutes(late_after.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 6, 15)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_utc()
    }

    fn row(
        token: i64,
        start: DateTime<Utc>,
        source: &str,
        arrived: Option<DateTime<Utc>>,
    ) -> AppointmentRow {
        AppointmentRow {
            status: if arrived.is_some() {
                Status::CheckedIn
            } else {
                Status::Scheduled
            },
            token_number: token,
            source: source.into(),
            checked_in_at: arrived,
            ..AppointmentRow::sample(&format!("a{token}"), start)
        }
    }

    #[test]
    fn by_time_the_earliest_appointment_is_called_first_and_a_walk_in_at_its_arrival() {
        // Token 1 booked late in the morning, token 2 early, token 3 a walk-in
        // who arrived at 09:10 and was put in the 11:30 slot.
        let list = [
            row(1, at(11, 0), "cli", Some(at(8, 0))),
            row(2, at(9, 0), "cli", Some(at(8, 50))),
            row(3, at(11, 30), WALK_IN, Some(at(9, 10))),
        ];
        let mut by_time: Vec<&AppointmentRow> = list.iter().collect();
        sort(&mut by_time, QueueOrder::Time);
        let tokens: Vec<i64> = by_time.iter().map(|a| a.token_number).collect();
        assert_eq!(tokens, [2, 3, 1]);
        let refs: Vec<&AppointmentRow> = list.iter().collect();
        assert_eq!(next(&refs, QueueOrder::Time).unwrap().token_number, 2);
        assert_eq!(next(&refs, QueueOrder::Token).unwrap().token_number, 1);
        let mut by_token = refs;
        sort(&mut by_token, QueueOrder::Token);
        let tokens: Vec<i64> = by_token.iter().map(|a| a.token_number).collect();
        assert_eq!(tokens, [1, 2, 3]);
    }

    #[test]
    fn only_a_checked_in_patient_is_called() {
        let list = [
            row(1, at(9, 0), "cli", None),
            row(2, at(10, 0), "cli", Some(at(9, 0))),
        ];
        let refs: Vec<&AppointmentRow> = list.iter().collect();
        assert_eq!(next(&refs, QueueOrder::Time).unwrap().token_number, 2);
        let none: Vec<&AppointmentRow> = refs[..1].to_vec();
        assert!(next(&none, QueueOrder::Time).is_none());
    }

    #[test]
    fn a_visit_is_late_past_its_start_and_the_clinics_minutes_without_arrival() {
        let a = row(1, at(9, 0), "cli", None);
        assert!(!is_late(&a, at(9, 10), 10), "ten minutes are allowed");
        assert!(is_late(&a, at(9, 11), 10));
        assert!(is_late(&a, at(9, 1), 0));
        let arrived = row(2, at(9, 0), "cli", Some(at(9, 20)));
        assert!(!is_late(&arrived, at(9, 30), 10), "arrived is never late");
        let mut missed = row(3, at(9, 0), "cli", None);
        missed.status = Status::NoShow;
        assert!(
            !is_late(&missed, at(9, 30), 10),
            "a no-show is marked as that"
        );
    }
}
