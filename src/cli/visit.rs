//! The flags that say what kind of visit an appointment is
//! (docs/rules.md#visits): `book`'s, with their defaults, and the same
//! flags for `reschedule` and `update`, which change only what is given.

use crate::app::visit::VisitInput;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct VisitArgs {
    /// How soon the patient must be seen: normal, urgent or emergency (in
    /// Spanish urgente, emergencia) [default: normal]
    #[arg(long, value_name = "URGENCY")]
    pub urgency: Option<String>,
    /// Where the visit happens: in_person, telemedicine or home (in Spanish
    /// presencial, telemedicina, domicilio) [default: in_person]
    #[arg(long, value_name = "MODALITY")]
    pub modality: Option<String>,
    /// first or follow_up (in Spanish "primera vez", control, seguimiento)
    /// [default: follow_up when the patient has an earlier completed visit
    /// with the doctor, else first]
    #[arg(long, value_name = "TYPE")]
    pub visit_type: Option<String>,
    /// Who pays: one of the clinic's --payers (e.g. ISSS)
    #[arg(long, value_name = "PAYER")]
    pub payer: Option<String>,
}

impl From<VisitArgs> for VisitInput {
    fn from(a: VisitArgs) -> Self {
        VisitInput {
            urgency: a.urgency,
            modality: a.modality,
            visit_type: a.visit_type,
            payer: a.payer,
        }
    }
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct VisitChangeArgs {
    /// New urgency: normal, urgent or emergency (in Spanish urgente, emergencia)
    #[arg(long, value_name = "URGENCY")]
    pub urgency: Option<String>,
    /// New modality: in_person, telemedicine or home (in Spanish presencial,
    /// telemedicina, domicilio)
    #[arg(long, value_name = "MODALITY")]
    pub modality: Option<String>,
    /// New visit type: first or follow_up (in Spanish "primera vez", control,
    /// seguimiento)
    #[arg(long, value_name = "TYPE")]
    pub visit_type: Option<String>,
    /// New payer: one of the clinic's --payers; "" clears it
    #[arg(long, value_name = "PAYER")]
    pub payer: Option<String>,
}

impl From<VisitChangeArgs> for VisitInput {
    fn from(a: VisitChangeArgs) -> Self {
        VisitInput {
            urgency: a.urgency,
            modality: a.modality,
            visit_type: a.visit_type,
            payer: a.payer,
        }
    }
}
