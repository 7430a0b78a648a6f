//! The people at the desk (docs/security.md#staff): their roles, and the
//! rules for a member's PIN and for the managers a database keeps. Pure: a
//! PIN's hash and salt are the use case's.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

/// What a member of staff may do (docs/security.md#roles), each role all
/// that the one before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Books, moves, cancels, checks in; reads the day and patients' cards
    /// without clinical fields.
    Reception,
    /// Sees and writes the clinical fields of their own doctor's visits.
    Doctor,
    /// Everything: settings, staff, channels, tokens, feeds, reports,
    /// exports and erasures.
    Manager,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Reception, Role::Doctor, Role::Manager];

    /// The code as stored and as JSON shows it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Reception => "reception",
            Role::Doctor => "doctor",
            Role::Manager => "manager",
        }
    }

    /// The code as stored, nothing else.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == code)
    }
}

/// A member of staff at work, as the rules see them: the events name
/// them, their role says what they may do, and a doctor's link says whose
/// visits' clinical fields are theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub role: Role,
    pub doctor_id: Option<String>,
    /// The account at the terminal they signed in at (the OS user), which
    /// their events keep beside their name; None over HTTP, where a token
    /// says who.
    pub os_user: Option<String>,
}

/// The codes as stored, for `appt check`.
pub const ROLES: [&str; 3] = ["reception", "doctor", "manager"];

/// The shortest and longest PIN.
pub const PIN_DIGITS: (usize, usize) = (4, 8);

/// A PIN is 4 to 8 digits (0–9), nothing else.
pub fn check_pin(pin: &str) -> Result<()> {
    let (lo, hi) = PIN_DIGITS;
    if (lo..=hi).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::field(
            "pin",
            crate::text::msg!("e-a_pin_is_to_digits", lo = lo, hi = hi),
        ))
    }
}

/// Wrong PINs in a row that lock a name, and for how long.
pub const TRIES: i64 = 5;
pub const LOCKED_MINUTES: i64 = 15;

/// Where a name stands before a PIN is checked against it: locked (until
/// when), or its try counted (`failed` tries so far, this one among them:
/// counted before the PIN is checked, so tries at once from several
/// terminals are all counted) and the name locked as of this try when it
/// is the last one allowed. A right PIN then sets the count back to 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Try {
    Locked(DateTime<Utc>),
    Counted {
        failed: i64,
        locked_until: Option<DateTime<Utc>>,
    },
}

/// The try a name with `failed` wrong PINs, `locked_until`, gets at `now`.
pub fn try_pin(failed: i64, locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Try {
    match locked_until {
        Some(until) if until > now => Try::Locked(until),
        _ => {
            // A lock that ran out starts the count again.
            let failed = if locked_until.is_some() {
                1
            } else {
                failed + 1
            };
            Try::Counted {
                failed,
                locked_until: (failed >= TRIES)
                    .then(|| now + chrono::Duration::minutes(LOCKED_MINUTES)),
            }
        }
    }
}

/// The longest session `login --for` opens, and the one it opens unasked.
pub const SESSION_HOURS: (i64, i64) = (8, 24);

/// A session's length as typed (`--for`, `--session-hours`): hours, bare
/// or with `h` (`8`, `12h`), 1 to 24.
pub fn session_hours(typed: &str) -> std::result::Result<i64, crate::text::Msg> {
    typed
        .trim()
        .trim_end_matches(['h', 'H'])
        .trim()
        .parse()
        .ok()
        .filter(|h| (1..=SESSION_HOURS.1).contains(h))
        .ok_or_else(|| crate::text::msg!("e-a_session_lasts_1_to_hours", hi = SESSION_HOURS.1))
}

/// A member as a rule sees them: their role and whether they are a doctor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub doctor: bool,
}

/// Whether a database may hold these members: a `doctor` is linked to a
/// doctor, and once there is staff at least one of them is a manager (the
/// first member added is one; the last cannot be removed or made another
/// role), so that someone can always manage the rest.
pub fn check_staff(members: &[Standing]) -> Result<()> {
    if members.iter().any(|m| m.role == Role::Doctor && !m.doctor) {
        return Err(Error::field(
            "doctor",
            crate::text::msg!("e-a_member_of_staff_with_the_role_doctor"),
        ));
    }
    if !members.is_empty() && !members.iter().any(|m| m.role == Role::Manager) {
        return Err(Error::field(
            "role",
            crate::text::msg!("e-staff_needs_a_manager"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(role: Role, doctor: bool) -> Standing {
        Standing { role, doctor }
    }

    #[test]
    fn a_pin_is_four_to_eight_digits() {
        for good in ["0000", "1234", "12345678"] {
            assert!(check_pin(good).is_ok(), "{good}");
        }
        for bad in ["", "123", "123456789", "12a4", " 1234", "１２３４", "12.4"] {
            let e = check_pin(bad).unwrap_err();
            assert_eq!(e.code, crate::error::Code::Validation, "{bad}");
            assert!(e.details.get("pin").is_some(), "{bad}");
        }
    }

    #[test]
    fn staff_keeps_a_manager_and_doctors_are_doctors() {
        assert!(check_staff(&[]).is_ok());
        assert!(check_staff(&[m(Role::Manager, false)]).is_ok());
        assert!(check_staff(&[m(Role::Manager, false), m(Role::Doctor, true)]).is_ok());
        for bad in [
            vec![m(Role::Reception, false)],
            vec![m(Role::Doctor, true)],
            vec![m(Role::Manager, false), m(Role::Doctor, false)],
        ] {
            assert_eq!(
                check_staff(&bad).unwrap_err().code,
                crate::error::Code::Validation,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_fifth_wrong_pin_locks_the_name_for_fifteen_minutes() {
        let now: DateTime<Utc> = "2026-06-15T14:00:00Z".parse().unwrap();
        let mut failed = 0;
        let mut until = None;
        for n in 1..=5 {
            let Try::Counted {
                failed: f,
                locked_until,
            } = try_pin(failed, until, now)
            else {
                panic!("try {n} refused")
            };
            assert_eq!(f, n);
            assert_eq!(locked_until.is_some(), n == 5);
            (failed, until) = (f, locked_until);
        }
        let later = now + chrono::Duration::minutes(14);
        assert_eq!(try_pin(failed, until, later), Try::Locked(until.unwrap()));
        let after = now + chrono::Duration::minutes(15);
        assert_eq!(
            try_pin(failed, until, after),
            Try::Counted {
                failed: 1,
                locked_until: None
            }
        );
    }

    #[test]
    fn a_role_is_read_back_as_stored() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(ROLES.map(Role::parse), Role::ALL.map(Some));
        assert_eq!(Role::parse("Manager"), None);
    }
}
