//! A picker's choice and the field of the command it goes into. On a
//! terminal, a reference that found several rows or a name that found none
//! is picked from a list ([`super::prompt::recover`]); the row's ID then
//! takes the place of what was typed in the parsed command's own field —
//! a doctor picked goes into `--doctor`, never into another value spelt
//! the same (a patient's `--name García`) — and the command runs again.

use super::{change, clinic, closure, doctor, patient, queue, service};
use super::{waitlist, webhook, window, Cli, Command};
use crate::error::{Code, Error};

/// What a reference names: the kind of row a lookup looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Clinic,
    Doctor,
    Service,
    Patient,
    Appointment,
    Window,
    Closure,
    Webhook,
    WaitlistEntry,
}

impl Kind {
    /// The kind of row a reference that failed was looked for in: the
    /// lookup names it (`details.what`). An ambiguity that names none is
    /// the several appointments a patient's phone or name found
    /// (`app::appointment_ref`), the only one whose candidates carry IDs.
    pub fn of(e: &Error) -> Option<Kind> {
        Some(match e.details["what"].as_str() {
            Some("clinic") => Kind::Clinic,
            Some("doctor") => Kind::Doctor,
            Some("service") => Kind::Service,
            Some("patient") => Kind::Patient,
            Some("appointment") => Kind::Appointment,
            Some("window") => Kind::Window,
            Some("closure") => Kind::Closure,
            Some("webhook") => Kind::Webhook,
            Some("waitlist entry") => Kind::WaitlistEntry,
            None if e.code == Code::AmbiguousId => Kind::Appointment,
            _ => return None,
        })
    }
}

/// A row picked for a reference: what it is, what was typed, its ID.
#[derive(Debug, Clone)]
pub struct Choice {
    pub kind: Kind,
    pub typed: String,
    pub id: String,
}

impl Cli {
    /// Puts `choice` into the field of this command that holds a reference
    /// of its kind and what was typed; false when none does (the reference
    /// came from the environment or a prompt, and the error stands).
    pub(super) fn take(&mut self, choice: &Choice) -> bool {
        let typed = choice.typed.trim();
        let field = references(self)
            .into_iter()
            .find(|(kind, value)| *kind == choice.kind && value.trim() == typed);
        match field {
            Some((_, value)) => {
                value.clone_from(&choice.id);
                true
            }
            None => false,
        }
    }
}

/// The fields of the command line that hold references, with their kinds:
/// the command's own first, the global `--clinic` last.
fn references(cli: &mut Cli) -> Vec<(Kind, &mut String)> {
    use Kind::*;
    let fields: Vec<(Kind, Option<&mut String>)> = match &mut cli.command {
        Command::Book(a) => vec![
            (Doctor, a.doctor.as_mut()),
            (Patient, a.patient.as_mut()),
            (Service, a.service.as_mut()),
        ],
        Command::Slots(a) => vec![(Doctor, a.doctor.as_mut()), (Service, a.service.as_mut())],
        Command::Next(a) => vec![(Doctor, a.doctor.as_mut()), (Service, a.service.as_mut())],
        Command::Agenda(a) => vec![(Doctor, a.doctor.as_mut())],
        Command::Queue(a) => match &mut a.cmd {
            Some(queue::Cmd::Next { doctor }) => vec![(Doctor, doctor.as_mut())],
            None => vec![(Doctor, a.doctor.as_mut())],
        },
        Command::List(a) => vec![(Doctor, a.doctor.as_mut()), (Patient, a.patient.as_mut())],
        Command::Export(a) => vec![(Doctor, a.doctor.as_mut())],
        Command::Reschedule(a) => vec![(Appointment, a.id.as_mut()), (Doctor, a.doctor.as_mut())],
        Command::Cancel(change::CancelArgs { id, .. })
        | Command::Status(change::StatusArgs { id, .. })
        | Command::Update(change::UpdateArgs { id, .. }) => vec![(Appointment, id.as_mut())],
        Command::Show(a) | Command::History(a) => vec![(Appointment, a.id.as_mut())],
        Command::Clinic(clinic::Cmd::Show { clinic } | clinic::Cmd::Update { clinic, .. }) => {
            vec![(Clinic, Some(clinic))]
        }
        Command::Doctor(doctor::Cmd::Show { doctor } | doctor::Cmd::Update { doctor, .. }) => {
            vec![(Doctor, Some(doctor))]
        }
        Command::Service(
            service::Cmd::Update { service, .. } | service::Cmd::Remove { service, .. },
        ) => vec![(Service, Some(service))],
        Command::Patient(
            patient::Cmd::Show { patient }
            | patient::Cmd::Update { patient, .. }
            | patient::Cmd::Export(super::patient_export::Args { patient, .. }),
        ) => vec![(Patient, Some(patient))],
        Command::Window(window::Cmd::Add(a)) => {
            vec![(Doctor, a.doctor.as_mut()), (Service, a.services.as_mut())]
        }
        Command::Window(window::Cmd::List { doctor, .. })
        | Command::Closure(closure::Cmd::Add { doctor, .. } | closure::Cmd::List { doctor }) => {
            vec![(Doctor, doctor.as_mut())]
        }
        Command::Window(
            window::Cmd::Close { window }
            | window::Cmd::Open { window }
            | window::Cmd::Remove { window, .. },
        ) => vec![(Window, Some(window))],
        Command::Closure(closure::Cmd::Remove { closure, .. }) => vec![(Closure, Some(closure))],
        Command::Waitlist(waitlist::Cmd::Add {
            doctor,
            patient,
            service,
            ..
        }) => vec![
            (Doctor, doctor.as_mut()),
            (Patient, patient.as_mut()),
            (Service, service.as_mut()),
        ],
        Command::Waitlist(waitlist::Cmd::Remove { entry, .. }) => {
            vec![(WaitlistEntry, Some(entry))]
        }
        Command::Webhook(webhook::Cmd::Remove { webhook, .. }) => vec![(Webhook, Some(webhook))],
        _ => Vec::new(),
    };
    fields
        .into_iter()
        .chain([(Clinic, cli.clinic.as_mut())])
        .filter_map(|(kind, value)| Some((kind, value?)))
        .collect()
}
