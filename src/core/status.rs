//! The forward-only status machine of docs/rules.md#statuses.

use super::{EventKind, Status};
use crate::error::{Code, Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

fn rank(s: Status) -> Option<u8> {
    match s {
        Status::Scheduled => Some(0),
        Status::Confirmed => Some(1),
        Status::CheckedIn => Some(2),
        Status::InProgress => Some(3),
        Status::Completed => Some(4),
        _ => None,
    }
}

fn refuse(from: Status, to: Status, msg: crate::text::Msg) -> Error {
    Error::new(Code::InvalidStateTransition, msg)
        .details(json!({"from": from.as_str(), "to": to.as_str()}))
}

/// May an appointment in `from` move to `to` (through `appt status`) at
/// `now`? The event the move records when it may.
pub fn check_transition(
    from: Status,
    to: Status,
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
) -> Result<EventKind> {
    if from.is_final() {
        return Err(refuse(
            from,
            to,
            crate::text::msg!(
                "e-cannot_update_a_appointment",
                a = crate::text::Arg::word("status-", from.as_str())
            ),
        ));
    }
    match to {
        Status::Cancelled => Err(Error::field(
            "status",
            crate::text::msg!("e-cancel_with_appt_cancel_id_reason_r"),
        )),
        Status::NoShow => {
            if !matches!(from, Status::Scheduled | Status::Confirmed) {
                return Err(refuse(
                    from,
                    to,
                    crate::text::msg!(
                        "e-cannot_mark_a_appointment_as_no_show",
                        a = crate::text::Arg::word("status-", from.as_str())
                    ),
                ));
            }
            if now < starts_at {
                return Err(refuse(
                    from,
                    to,
                    crate::text::msg!("e-an_appointment_can_be_marked_no_show"),
                ));
            }
            Ok(EventKind::NoShow)
        }
        _ => match (rank(from), rank(to), EventKind::of_status(to)) {
            (Some(a), Some(b), Some(kind)) if b > a => Ok(kind),
            _ => Err(refuse(
                from,
                to,
                crate::text::msg!(
                    "e-cannot_move_a_appointment_back_to",
                    a = crate::text::Arg::word("status-", from.as_str()),
                    b = crate::text::Arg::word("status-", to.as_str())
                ),
            )),
        },
    }
}

/// `checked_in`, `in_progress` and `completed` happen on or after the visit's
/// local date: a patient cannot arrive for next week's visit.
pub fn check_visit_day(from: Status, to: Status, visit: NaiveDate, today: NaiveDate) -> Result<()> {
    if matches!(
        to,
        Status::CheckedIn | Status::InProgress | Status::Completed
    ) && today < visit
    {
        return Err(refuse(
            from,
            to,
            crate::text::msg!(
                "e-the_visit_is_on_it_can_be",
                visit = visit,
                a = crate::text::Arg::word("status-", to.as_str())
            ),
        ));
    }
    Ok(())
}

/// Cancel is allowed from scheduled, confirmed and checked_in.
pub fn check_cancel(from: Status) -> Result<()> {
    match from {
        Status::Scheduled | Status::Confirmed | Status::CheckedIn => Ok(()),
        _ => Err(refuse(
            from,
            Status::Cancelled,
            crate::text::msg!(
                "e-cannot_cancel_a_appointment",
                a = crate::text::Arg::word("status-", from.as_str())
            ),
        )),
    }
}

/// Reschedule moves only scheduled and confirmed appointments.
pub fn check_reschedule(from: Status) -> Result<()> {
    match from {
        Status::Scheduled | Status::Confirmed => Ok(()),
        _ => Err(refuse(
            from,
            Status::Scheduled,
            crate::text::msg!(
                "e-cannot_reschedule_a_appointment",
                a = crate::text::Arg::word("status-", from.as_str())
            ),
        )),
    }
}

/// The cancellation window (docs/rules.md#reschedule-and-cancel): refused this close to the start unless forced.
pub fn check_cancel_window(
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    window_minutes: i64,
    force: bool,
) -> Result<()> {
    // A window too long for a duration holds every start.
    let within = chrono::Duration::try_minutes(window_minutes).is_none_or(|w| starts_at - now < w);
    if window_minutes > 0 && !force && within {
        return Err(Error::new(
            Code::CancellationWindow,
            crate::text::msg!(
                "e-the_appointment_starts_within_the_clinic_s",
                a = super::time::format_duration(window_minutes)
            ),
        )
        .details(json!({"cancel_window": super::time::format_duration(window_minutes)}))
        .hint(crate::text::msg!("e-add_force_to_do_it_anyway")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use Status::*;

    #[test]
    fn forward_only_with_skips() {
        let now = Utc::now();
        let start = now + Duration::hours(1);
        for (a, b) in [
            (Scheduled, Confirmed),
            (Scheduled, Completed),
            (Confirmed, InProgress),
            (CheckedIn, Completed),
        ] {
            assert!(check_transition(a, b, now, start).is_ok(), "{a:?}->{b:?}");
        }
        for (a, b) in [
            (Confirmed, Scheduled),
            (InProgress, CheckedIn),
            (Scheduled, Scheduled),
        ] {
            assert_eq!(
                check_transition(a, b, now, start).unwrap_err().code,
                Code::InvalidStateTransition
            );
        }
        for a in [Completed, Cancelled, NoShow] {
            let e = check_transition(a, Confirmed, now, start).unwrap_err();
            assert_eq!(e.code, Code::InvalidStateTransition);
        }
        assert_eq!(
            check_transition(Completed, Confirmed, now, start)
                .unwrap_err()
                .message,
            "Cannot update a completed appointment"
        );
    }

    #[test]
    fn no_show_only_after_start_and_from_early_states() {
        let now = Utc::now();
        assert!(check_transition(Scheduled, NoShow, now, now + Duration::minutes(1)).is_err());
        let (mon, tue) = (
            NaiveDate::from_ymd_opt(2026, 6, 15).unwrap(),
            NaiveDate::from_ymd_opt(2026, 6, 16).unwrap(),
        );
        for to in [CheckedIn, InProgress, Completed] {
            assert_eq!(
                check_visit_day(Scheduled, to, tue, mon).unwrap_err().code,
                Code::InvalidStateTransition
            );
            assert!(check_visit_day(Scheduled, to, tue, tue).is_ok());
            assert!(check_visit_day(Confirmed, to, mon, tue).is_ok());
        }
        assert!(check_visit_day(Scheduled, Confirmed, tue, mon).is_ok());
        assert!(check_transition(Scheduled, NoShow, now, now - Duration::minutes(1)).is_ok());
        assert!(check_transition(Confirmed, NoShow, now, now).is_ok());
        assert!(check_transition(CheckedIn, NoShow, now, now - Duration::hours(1)).is_err());
    }

    #[test]
    fn cancel_and_reschedule_sources() {
        assert!(check_cancel(CheckedIn).is_ok());
        assert!(check_cancel(InProgress).is_err());
        assert!(check_reschedule(Confirmed).is_ok());
        assert!(check_reschedule(CheckedIn).is_err());
    }

    #[test]
    fn cancellation_window() {
        let now = Utc::now();
        let soon = now + Duration::minutes(90);
        assert_eq!(
            check_cancel_window(now, soon, 120, false).unwrap_err().code,
            Code::CancellationWindow
        );
        assert!(check_cancel_window(now, soon, 120, true).is_ok());
        assert!(check_cancel_window(now, soon, 60, false).is_ok());
        assert!(check_cancel_window(now, soon, 0, false).is_ok());
    }
}
