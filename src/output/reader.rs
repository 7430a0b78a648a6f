//! Who reads what appt prints (docs/security.md#roles): the member of
//! staff signed in, chosen once per process by the front end that knows
//! (the command line, the board), as the desk's country is. Every view of
//! a visit asks here whether it shows the visit's clinical fields; `core`
//! decides. Nobody chosen (no staff, the server, whose tokens carry their
//! own scopes): every field is shown.

use crate::core::staff::Person;
use std::sync::OnceLock;

static READER: OnceLock<Person> = OnceLock::new();

/// Sets who reads; the first choice stays.
pub fn choose(person: Person) {
    let _ = READER.set(person);
}

/// Whether the reader sees the clinical fields of a visit with the doctor
/// `doctor_id`.
pub fn sees_clinical(doctor_id: Option<&str>) -> bool {
    crate::core::roles::sees_clinical(READER.get(), doctor_id)
}
