//! What kind of visit an appointment is, as a front end hands it over
//! (docs/rules.md#visits): the urgency, modality, visit type and payer as
//! typed, in either language, checked by `core`'s rules. Booking, moving,
//! updating and importing take the same [`VisitInput`].

use super::values::{check_modality, check_urgency, check_visit_type, Problems};
use crate::core::{visit_kind, AppointmentRow, Clinic, Modality, Urgency, VisitType};
use crate::error::Result;

/// The four fields as typed; None leaves each as it is (at a booking: its
/// default, and the visit type derived).
#[derive(Debug, Clone, Default)]
pub struct VisitInput {
    pub urgency: Option<String>,
    pub modality: Option<String>,
    pub visit_type: Option<String>,
    /// One of the clinic's payers; blank (at an update) clears it.
    pub payer: Option<String>,
}

impl VisitInput {
    /// Nothing given.
    pub fn is_empty(&self) -> bool {
        self.urgency.is_none()
            && self.modality.is_none()
            && self.visit_type.is_none()
            && self.payer.is_none()
    }

    /// Rule 1: the words read, every bad one named in `bad`. The payer is
    /// checked once the clinic is known ([`VisitChecked::payer`]).
    pub fn check(&self, bad: &mut Problems) -> VisitChecked {
        VisitChecked {
            urgency: check_urgency(self.urgency.as_deref(), bad),
            modality: check_modality(self.modality.as_deref(), bad),
            visit_type: check_visit_type(self.visit_type.as_deref(), bad),
            payer: self.payer.clone(),
        }
    }
}

/// [`VisitInput`] after rule 1.
#[derive(Debug, Clone, Default)]
pub struct VisitChecked {
    pub urgency: Option<Urgency>,
    pub modality: Option<Modality>,
    pub visit_type: Option<VisitType>,
    payer: Option<String>,
}

impl VisitChecked {
    /// The payer named, as `clinic` spells it (None: none named, or blank).
    pub fn payer(&self, clinic: &Clinic) -> Result<Option<String>> {
        self.payer
            .as_deref()
            .map(|p| visit_kind::payer(p, &clinic.settings.payers))
            .transpose()
            .map(Option::flatten)
    }

    /// Whether a payer was named (blank included: it clears it).
    pub fn names_payer(&self) -> bool {
        self.payer.is_some()
    }

    /// Puts what was given onto `row` (the payer already checked: `payer`).
    pub fn apply(&self, row: &mut AppointmentRow, payer: Option<String>) {
        if let Some(u) = self.urgency {
            row.urgency = u;
        }
        if let Some(m) = self.modality {
            row.modality = m;
        }
        if let Some(v) = self.visit_type {
            row.visit_type = v;
        }
        if self.names_payer() {
            row.payer = payer;
        }
    }
}
