//! Recalls (docs/rules.md#recalls): a completed visit with a follow-up date
//! puts its patient on the clinic's recall list from that date, until they
//! have a later visit there with the same doctor or service. What a recall
//! is, as the list shows it, and what becomes of its message.

use super::delivery::Verdict;
use chrono::{Duration, NaiveDate};

/// Where a recall stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Its date has come (or comes before the date asked) and nothing was
    /// sent: `recall send` sends it.
    Due,
    /// Its one message was sent (or is on its way).
    Sent,
    /// The patient has a later visit with that doctor or service, active or
    /// held: nothing is to be sent.
    Booked,
}

/// The statuses, as typed and shown.
pub const STATUSES: [&str; 3] = ["due", "sent", "booked"];

impl Status {
    /// A recall's status from whether its message was made and whether a
    /// later visit booked it: booked first, whatever was sent.
    pub fn of(sent: bool, booked: bool) -> Status {
        match (sent, booked) {
            (_, true) => Status::Booked,
            (true, false) => Status::Sent,
            (false, false) => Status::Due,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Due => "due",
            Status::Sent => "sent",
            Status::Booked => "booked",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s.trim().to_lowercase().as_str() {
            "due" | "pendiente" => Some(Status::Due),
            "sent" | "enviado" | "enviada" => Some(Status::Sent),
            "booked" | "reservado" | "reservada" => Some(Status::Booked),
            _ => None,
        }
    }
}

/// The first date a list "due before" leaves out when none is asked: the
/// day after `today`, so that today's recalls are on it.
pub fn default_before(today: NaiveDate) -> NaiveDate {
    today + Duration::days(1)
}

/// The verdict on a recall's message when it is to go: once the patient
/// has booked, it is not sent.
pub fn verdict(booked: bool) -> Verdict {
    if booked {
        Verdict::Cancel
    } else {
        Verdict::Deliver
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booked_wins_over_sent_and_due_is_neither() {
        assert_eq!(Status::of(false, false), Status::Due);
        assert_eq!(Status::of(true, false), Status::Sent);
        assert_eq!(Status::of(true, true), Status::Booked);
        assert_eq!(Status::of(false, true), Status::Booked);
        for s in STATUSES {
            assert_eq!(Status::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(Status::parse("Pendiente"), Some(Status::Due));
        assert_eq!(Status::parse("later"), None);
    }

    #[test]
    fn a_booked_recall_is_not_sent_and_today_is_on_the_list() {
        assert_eq!(verdict(true), Verdict::Cancel);
        assert_eq!(verdict(false), Verdict::Deliver);
        let today = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(
            default_before(today),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
    }
}
