//! What keeps a doctor's time from being offered beside their bookings:
//! the holds patients made on the booking page and the busy times of the
//! doctor's own calendars, read for one day's span (`schedule`) or once
//! for a run of days ([`AcrossDays`]).

use crate::core::outside::Away;
use crate::core::slots::Hold;
use crate::core::time;
use crate::core::Clinic;
use crate::error::Result;
use crate::store::calendars;
use crate::store::db::Tx;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The holds on some doctors' time and their busy times in their own
/// calendars, each with its doctor.
pub type DoctorsAway = (Vec<(String, Hold)>, Vec<(String, Away)>);

/// The holds on the time of the doctors `doctors` over `[from, to)` but
/// `except` (the hold being booked): read only where the clinic takes
/// bookings from its page, the one place holds are made.
pub fn holds_of(
    conn: &Tx,
    clinic: &Clinic,
    doctors: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<(String, Hold)>> {
    if !clinic.settings.online_booking {
        return Ok(Vec::new());
    }
    crate::store::holds::of_doctors(conn, doctors, from, to, except)
}

/// The holds on the time of some doctors of one clinic and their busy
/// times in their own calendars, over a run of days, read once: the
/// booking page asks fourteen days of fifty doctors, and
/// `schedule::doctors_day_of` takes each day's from them rather than
/// reading its own.
pub struct AcrossDays {
    first: NaiveDate,
    last: NaiveDate,
    holds: Vec<(String, Hold)>,
    outside: Vec<(String, Away)>,
}

impl AcrossDays {
    /// What the days `first` to `last` of `doctors` at `clinic` could ask
    /// for: from the day before the first to two days after the last,
    /// wider than any day's span (its windows, their longest appointment
    /// and buffers).
    pub fn read(
        conn: &Tx,
        clinic: &Clinic,
        doctors: &[&str],
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<AcrossDays> {
        let from = time::window_edge(clinic.timezone, first - Duration::days(1), 0);
        let to = time::window_edge(clinic.timezone, last + Duration::days(2), 0);
        Ok(AcrossDays {
            first,
            last,
            holds: holds_of(conn, clinic, doctors, from, to, None)?,
            outside: calendars::busy_of(conn, doctors, from, to)?,
        })
    }

    /// Whether `date` is one of its days.
    pub fn holds_date(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// What [`holds_of`] and [`calendars::busy_of`] would answer for the
    /// doctors `asked` over `[from, to)`, by the same conditions (a hold
    /// meeting the span; [`calendars::busy_meets`]).
    pub fn of(&self, asked: &[&str], (from, to): (DateTime<Utc>, DateTime<Utc>)) -> DoctorsAway {
        let theirs = |of: &String| asked.contains(&of.as_str());
        (
            self.holds
                .iter()
                .filter(|(of, h)| theirs(of) && h.start < to && h.end > from)
                .cloned()
                .collect(),
            self.outside
                .iter()
                .filter(|(of, a)| theirs(of) && calendars::busy_meets(a, from, to))
                .cloned()
                .collect(),
        )
    }
}
