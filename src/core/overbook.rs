//! Overbooking (docs/rules.md#overbooking): the desk's audited way to fit a
//! patient in where the rules of availability (6) and capacity (8) would
//! refuse. Which refusals it may pass over, how many a doctor may have in a
//! day, and what it records.

use crate::error::{Code, Error, Result};
use serde_json::json;

/// The refusals an overbooking passes over: rule 6 (a closure, no window,
/// a closed window, off the grid, past the window's end, a service or
/// session the window does not take) and rule 8 (the time taken, the
/// window's places used up, a daily limit reached). Never the values
/// (1), references (2), the local time (4), the time itself (5: past,
/// notice, horizon) nor a duplicate (7).
pub const PASSES_OVER: [Code; 6] = [
    Code::OutsideAvailability,
    Code::SlotInactive,
    Code::InvalidTimeSlot,
    Code::AppointmentConflict,
    Code::SlotFull,
    Code::DailyLimit,
];

/// Whether an overbooking may pass over a refusal with this code.
pub fn passes_over(code: Code) -> bool {
    PASSES_OVER.contains(&code)
}

/// The clinic's default for `--max-overbook-per-day`.
pub const DEFAULT_MAX_PER_DAY: i64 = 2;

/// The most a clinic may allow a doctor in a day.
pub const MAX_PER_DAY: i64 = 50;

/// A clinic's `--max-overbook-per-day`, 0 (none) to [`MAX_PER_DAY`].
pub fn check_max(n: i64) -> Result<i64, crate::text::Msg> {
    if (0..=MAX_PER_DAY).contains(&n) {
        Ok(n)
    } else {
        Err(crate::text::msg!(
            "e-max_overbook_per_day_between",
            max = MAX_PER_DAY,
            n = n
        ))
    }
}

/// One more overbooking for a doctor who has `taken` active ones that day,
/// where the clinic allows `max`: `SLOT_FULL` with `max_overbook_per_day`
/// once they are used up.
pub fn check_allowance(taken: i64, max: i64) -> Result<()> {
    if taken < max {
        return Ok(());
    }
    Err(Error::new(
        Code::SlotFull,
        crate::text::msg!("e-overbookings_used_up", n = max),
    )
    .details(json!({"max_overbook_per_day": max, "overbooked": taken})))
}

/// What an overbooked appointment records: why, who, and the rule it passed
/// over (its code, `APPOINTMENT_CONFLICT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overbooked {
    pub reason: String,
    /// The actor as events name it (`cli:ana`, `api:bot`).
    pub by: String,
    pub rule: String,
}

impl Overbooked {
    pub fn to_json(&self) -> serde_json::Value {
        json!({"reason": self.reason, "by": self.by, "rule": self.rule})
    }

    /// As [`Overbooked::to_json`] wrote it; None for anything else.
    pub fn from_json(v: &serde_json::Value) -> Option<Overbooked> {
        let text = |k: &str| v.get(k)?.as_str().map(String::from);
        Some(Overbooked {
            reason: text("reason")?,
            by: text("by")?,
            rule: text("rule")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_availability_and_capacity_are_passed_over() {
        for code in PASSES_OVER {
            assert!(passes_over(code), "{code:?}");
        }
        for code in [
            Code::Validation,
            Code::NotFound,
            Code::PastAppointment,
            Code::InsufficientNotice,
            Code::BeyondHorizon,
            Code::NonexistentLocalTime,
            Code::DuplicateBooking,
            Code::InvalidAppointmentType,
        ] {
            assert!(!passes_over(code), "{code:?}");
        }
    }

    #[test]
    fn the_allowance_is_the_clinics_per_doctor_and_day() {
        assert!(check_allowance(0, 2).is_ok());
        assert!(check_allowance(1, 2).is_ok());
        let e = check_allowance(2, 2).unwrap_err();
        assert_eq!(e.code, Code::SlotFull);
        assert_eq!(e.details["max_overbook_per_day"], 2);
        assert!(check_allowance(0, 0).is_err(), "0 turns overbooking off");
    }

    #[test]
    fn what_is_recorded_reads_back_as_written() {
        let o = Overbooked {
            reason: "Dolor torácico".into(),
            by: "cli:ana".into(),
            rule: "APPOINTMENT_CONFLICT".into(),
        };
        assert_eq!(Overbooked::from_json(&o.to_json()), Some(o));
        assert_eq!(Overbooked::from_json(&json!({"reason": "x"})), None);
    }
}
