//! The questions a transaction keeps the answers to ([`Tx::memo`]): each
//! one's name, the key its answer is kept under, and the tables the answer
//! is read from, in one place. A read asks through its question, and a
//! look-ahead ([`super::ahead::Ahead`]) keeps its answers under the same
//! question, so the two cannot make different keys.

use super::db::{Table, ToVal, Val};
use super::epoch;
use crate::args;
use chrono::{DateTime, NaiveDate, Utc};

/// The key a kept answer is found by: the question's name and its
/// arguments (ordered, so that one question's answers with the same first
/// arguments sit together, [`super::db::Tx::amend_kept`]).
pub type Key = (&'static str, Vec<Val>);

/// A question whose answer a transaction keeps.
#[derive(Debug, Clone, Copy)]
pub enum Asked<'a> {
    /// A clinic by its whole ID.
    Clinic(&'a str),
    /// The clinics where a doctor has windows.
    ClinicsOfDoctor(&'a str),
    /// A doctor by its whole ID (kept as none when no doctor has it).
    Doctor(&'a str),
    /// A service by its whole ID.
    Service(&'a str),
    /// A window by its whole ID, with the services it takes.
    Window(&'a str),
    /// A doctor's windows.
    WindowsOfDoctor(&'a str),
    /// A clinic's clinic-wide windows.
    WindowsOfClinic(&'a str),
    /// The closures of a clinic, then of doctors, touching `from` to `to`.
    Closures {
        clinic: &'a str,
        doctors: &'a [&'a str],
        from: NaiveDate,
        to: NaiveDate,
    },
    /// A doctor's busy times over `[from, to)`.
    Busy {
        doctor: &'a str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// The last queue token given for a scope on a day (a counter the
    /// transaction counts on).
    LastToken { scope: &'a str, on: NaiveDate },
    /// The patient with a phone (E.164).
    PatientByPhone(&'a str),
    /// Every clinic's active appointments holding an external reference.
    ByExternalRef(&'a str),
    /// The ID an input names in a table ([`super::lookup::resolve`]).
    Resolve { table: Table, input: &'a str },
    /// The rooms and equipment a service needs, by its whole ID: read
    /// for every day a service is judged on (`next`, a day's grid).
    Needs(&'a str),
}

impl Asked<'_> {
    /// The key its answer is kept under.
    pub fn key(&self) -> Key {
        match *self {
            Asked::Clinic(id) => ("clinic", args![id].to_vec()),
            Asked::ClinicsOfDoctor(id) => ("clinics of doctor", args![id].to_vec()),
            Asked::Doctor(id) => ("doctor", args![id].to_vec()),
            Asked::Service(id) => ("service", args![id].to_vec()),
            Asked::Window(id) => ("window", args![id].to_vec()),
            Asked::WindowsOfDoctor(id) => ("windows of doctor", args![id].to_vec()),
            Asked::WindowsOfClinic(id) => ("windows of clinic", args![id].to_vec()),
            Asked::Closures {
                clinic,
                doctors,
                from,
                to,
            } => {
                let mut key = args![clinic, from.to_string(), to.to_string()].to_vec();
                key.extend(doctors.iter().map(|d| d.to_val()));
                ("closures", key)
            }
            Asked::Busy { doctor, from, to } => Asked::busy_of(doctor, &[epoch(from), epoch(to)]),
            Asked::LastToken { scope, on } => ("last token", args![scope, on.to_string()].to_vec()),
            Asked::PatientByPhone(phone) => ("patient by phone", args![phone].to_vec()),
            Asked::ByExternalRef(r) => ("by external reference", args![r].to_vec()),
            Asked::Resolve { table, input } => ("resolve", args![table.name(), input].to_vec()),
            Asked::Needs(id) => ("needs", args![id].to_vec()),
        }
    }

    /// The key of a doctor's busy times, from `rest` on: with none, the
    /// first part shared by every span of the doctor's.
    pub fn busy_of(doctor: &str, rest: &[i64]) -> Key {
        let mut key = args![doctor].to_vec();
        key.extend(rest.iter().map(|n| n.to_val()));
        ("busy", key)
    }

    /// The tables its answer is read from: a statement that writes one of
    /// them forgets it.
    pub fn on(&self) -> &'static [Table] {
        use Table::*;
        match self {
            Asked::Clinic(_) => &[Clinics],
            Asked::ClinicsOfDoctor(_) => &[Clinics, Windows],
            Asked::Doctor(_) => &[Doctors],
            Asked::Service(_) => &[Services],
            Asked::Window(_) | Asked::WindowsOfDoctor(_) | Asked::WindowsOfClinic(_) => {
                &[Windows, WindowServices]
            }
            Asked::Closures { .. } => &[Closures],
            Asked::Busy { .. } => &[Appointments],
            // Whole appointments, with their clinic, patient, doctor,
            // service and rooms.
            Asked::ByExternalRef(_) => &[
                AppointmentResources,
                Appointments,
                Resources,
                Clinics,
                Patients,
                Doctors,
                Services,
            ],
            Asked::LastToken { .. } => &[Tokens],
            Asked::PatientByPhone(_) => &[Patients],
            Asked::Resolve { table, .. } => table.alone(),
            Asked::Needs(_) => &[ServiceNeeds, Resources],
        }
    }
}
