//! What the unattended sweeps decide, without I/O: which due reminders of one
//! appointment are delivered, expired or cancelled (docs/rules.md#reminders-and-notifications), and when a failed
//! delivery is tried again.

use super::Status;
use chrono::{DateTime, Duration, Utc};

/// A delivery attempt's claim lasts this long; a run that dies leaves it to lapse.
pub const CLAIM: Duration = Duration::minutes(10);
/// A reminder is `failed` for good after this many attempts.
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Deliver,
    Expire,
    Cancel,
}

/// Whether the patient is already at the clinic (`checked_in`,
/// `in_progress`): nobody is reminded, or asked to confirm, in the waiting
/// room (docs/rules.md#reminders-and-notifications).
pub fn arrived(status: Status) -> bool {
    matches!(status, Status::CheckedIn | Status::InProgress)
}

/// The verdict for each due reminder (given by due time) of one appointment:
/// none delivered for an appointment no longer active or whose patient has
/// arrived (cancelled) or already started (expired); otherwise only the one nearest the appointment — the
/// latest due — is delivered and the rest expire: one message, not three.
pub fn triage(
    status: Status,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    due: &[DateTime<Utc>],
) -> Vec<Verdict> {
    if !status.is_active() || arrived(status) {
        return vec![Verdict::Cancel; due.len()];
    }
    if starts_at <= now {
        return vec![Verdict::Expire; due.len()];
    }
    let nearest = due
        .iter()
        .enumerate()
        .max_by_key(|(i, d)| (**d, *i))
        .map(|(i, _)| i);
    (0..due.len())
        .map(|i| {
            if Some(i) == nearest {
                Verdict::Deliver
            } else {
                Verdict::Expire
            }
        })
        .collect()
}

/// The verdict on one due patient notification (docs/rules.md#reminders-and-notifications): news of a booking
/// (`confirmation`, `rescheduled`) goes out while the appointment is active
/// and ahead, and while the patient has not arrived (a walk-in checked in is
/// not asked to confirm); a cancellation goes out while the time it
/// cancelled is ahead.
pub fn notice_verdict(
    kind: super::message::Kind,
    status: Status,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Verdict {
    if kind != super::message::Kind::Cancelled && (!status.is_active() || arrived(status)) {
        Verdict::Cancel
    } else if starts_at <= now {
        Verdict::Expire
    } else {
        Verdict::Deliver
    }
}

/// The verdict on one due waitlist offer: cancelled once the entry is gone
/// (booked or removed), expired once the offered time has come.
pub fn offer_verdict(waiting: bool, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> Verdict {
    if !waiting {
        Verdict::Cancel
    } else if starts_at <= now {
        Verdict::Expire
    } else {
        Verdict::Deliver
    }
}

/// How long after the `attempts`-th failure to try again: 5 min × 2^(attempts−1),
/// at most a day.
pub fn backoff(attempts: i64) -> Duration {
    let doublings = (attempts.max(1) - 1).min(12) as u32;
    (Duration::minutes(5) * 2i32.pow(doublings)).min(Duration::days(1))
}

/// When a reminder that has now failed `attempts` times is tried again, or None
/// when it has failed for good.
pub fn reminder_retry(now: DateTime<Utc>, attempts: i64) -> Option<DateTime<Utc>> {
    (attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts))
}

/// [`reminder_retry`] for a provider's temporary refusal: not before the
/// `retry_after` seconds it asked for (at most a day), when it asked.
pub fn channel_retry(
    now: DateTime<Utc>,
    attempts: i64,
    retry_after: Option<u64>,
) -> Option<DateTime<Utc>> {
    let asked = retry_after.map_or(
        Duration::zero(),
        |s| Duration::seconds(s.min(86_400) as i64),
    );
    reminder_retry(now, attempts).map(|at| at.max(now + asked))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + h * 3600, 0).unwrap()
    }

    #[test]
    fn a_providers_retry_after_puts_the_retry_later_never_sooner() {
        let now = t(0);
        assert_eq!(
            channel_retry(now, 1, None),
            Some(now + Duration::minutes(5))
        );
        assert_eq!(
            channel_retry(now, 1, Some(60)),
            Some(now + Duration::minutes(5))
        );
        assert_eq!(
            channel_retry(now, 1, Some(3600)),
            Some(now + Duration::hours(1))
        );
        assert_eq!(channel_retry(now, MAX_ATTEMPTS, Some(60)), None);
    }

    #[test]
    fn only_the_nearest_of_several_is_delivered() {
        let v = triage(Status::Scheduled, t(30), t(29), &[t(6), t(28)]);
        assert_eq!(v, [Verdict::Expire, Verdict::Deliver]);
        assert_eq!(
            triage(Status::Confirmed, t(30), t(29), &[t(28)]),
            [Verdict::Deliver]
        );
    }

    #[test]
    fn inactive_is_cancelled_and_started_is_expired() {
        assert_eq!(
            triage(Status::Cancelled, t(30), t(29), &[t(6), t(28)]),
            [Verdict::Cancel, Verdict::Cancel]
        );
        assert_eq!(
            triage(Status::NoShow, t(30), t(31), &[t(28)]),
            [Verdict::Cancel]
        );
        assert_eq!(
            triage(Status::Scheduled, t(30), t(30), &[t(28)]),
            [Verdict::Expire]
        );
        assert_eq!(
            triage(Status::Confirmed, t(30), t(31), &[t(28)]),
            [Verdict::Expire]
        );
    }

    #[test]
    fn an_arrived_patient_gets_no_reminder_and_no_request_to_confirm() {
        for st in [Status::CheckedIn, Status::InProgress] {
            assert_eq!(
                triage(st, t(30), t(29), &[t(6), t(28)]),
                [Verdict::Cancel, Verdict::Cancel]
            );
            for kind in [
                crate::core::message::Kind::Confirmation,
                crate::core::message::Kind::Rescheduled,
            ] {
                assert_eq!(notice_verdict(kind, st, t(30), t(29)), Verdict::Cancel);
            }
        }
        assert_eq!(
            notice_verdict(
                crate::core::message::Kind::Confirmation,
                Status::Confirmed,
                t(30),
                t(29)
            ),
            Verdict::Deliver
        );
    }

    #[test]
    fn backoff_doubles_from_five_minutes_and_gives_up_after_five() {
        assert_eq!(backoff(1), Duration::minutes(5));
        assert_eq!(backoff(2), Duration::minutes(10));
        assert_eq!(backoff(4), Duration::minutes(40));
        assert_eq!(backoff(40), Duration::days(1));
        let now = t(0);
        assert_eq!(reminder_retry(now, 1), Some(now + Duration::minutes(5)));
        assert_eq!(reminder_retry(now, 4), Some(now + Duration::minutes(40)));
        assert_eq!(reminder_retry(now, 5), None);
    }
}
