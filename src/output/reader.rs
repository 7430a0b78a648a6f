//! Who reads what appt prints (docs/security.md#roles): the member of
//! staff signed in, chosen once per process by the front end that knows
//! (the command line, the board), as the desk's country is. Every view of
//! a visit asks here whether it shows the visit's clinical fields; `core`
//! decides. Nobody chosen (no staff, the server, whose tokens carry their
//! own scopes): every field is shown, and nothing is noted.
//!
//! What a person was shown is noted here, a visit at a time, for the
//! front end to record before it prints (docs/security.md#who-looked).

use crate::core::staff::Person;
use crate::core::AppointmentRow;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

static READER: OnceLock<Person> = OnceLock::new();

/// The visits shown to the reader with their clinical fields, not yet
/// recorded.
static SHOWN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Sets who reads; the first choice stays.
pub fn choose(person: Person) {
    let _ = READER.set(person);
}

/// Whether the reader sees the clinical fields of a visit with the doctor
/// `doctor_id`.
pub fn sees_clinical(doctor_id: Option<&str>) -> bool {
    crate::core::roles::sees_clinical(READER.get(), doctor_id)
}

/// Whether a view of `a` shows its clinical fields; when it does and they
/// hold something (or `always`: a history, whose events may hold what the
/// visit no longer does), the look is noted.
pub fn shows_clinical(a: &AppointmentRow, always: bool) -> bool {
    let sees = sees_clinical(a.doctor_id.as_deref());
    if sees && is_person() && (always || crate::core::roles::holds_clinical(a)) {
        note(&a.id);
    }
    sees
}

/// Whether a person reads: what they are shown of clinical records is
/// noted.
pub fn is_person() -> bool {
    READER.get().is_some()
}

/// Notes that the reader, a person, was shown the clinical record of the
/// visit `appointment_id`.
pub fn note(appointment_id: &str) {
    if !is_person() {
        return;
    }
    let mut shown = SHOWN.lock().unwrap_or_else(|p| p.into_inner());
    if !shown.contains(appointment_id) {
        shown.insert(appointment_id.to_string());
    }
}

/// The visits noted since the last call, by ID.
pub fn take_shown() -> Vec<String> {
    let shown = std::mem::take(&mut *SHOWN.lock().unwrap_or_else(|p| p.into_inner()));
    shown.into_iter().collect()
}
