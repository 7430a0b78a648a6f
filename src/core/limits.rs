//! The ranges appt keeps its numbers in. Setup commands refuse a value
//! outside them; a stored value outside them is damage (`store::stored`).

use std::ops::RangeInclusive;

/// An appointment's length, and a slot's, as booking and setup accept them.
pub const MINUTES: RangeInclusive<i64> = 5..=480;

/// How many appointments a window takes at once.
pub const CAPACITY: RangeInclusive<i64> = 1..=1000;

/// A window's weekdays: a mask of bit 0 (Monday) to bit 6 (Sunday), at least one.
pub const WEEKDAYS: RangeInclusive<i64> = 1..=127;

/// A window's edges, in local minutes after midnight (its end may be 24:00).
pub const DAY_MINUTES: RangeInclusive<i64> = 0..=1440;

/// A daily limit: the most active appointments a doctor, or a service, takes
/// in a local day (docs/rules.md#daily-limits).
pub const PER_DAY: RangeInclusive<i64> = 1..=1000;

/// A service's buffer before or after each appointment, in minutes
/// (docs/rules.md#buffers).
pub const BUFFER: RangeInclusive<i64> = 0..=240;

/// How long the online booking page holds a time while the patient types
/// their code, in minutes (docs/commands.md#appt-clinic-addlistshowupdate).
pub const WEB_HOLD: RangeInclusive<i64> = 1..=60;
