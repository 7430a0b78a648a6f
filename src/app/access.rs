//! Who looked at a visit's clinical fields (docs/security.md#who-looked):
//! the looks a front end records before it shows them, and `access-log`,
//! which a manager reads.

use super::phones::{self, At};
use super::Store;
use crate::core::Actor;
use crate::error::Result;
use crate::store::access_log::{self, Entry, Filter};
use crate::store::{clinics, staff};
use chrono::{DateTime, Utc};

/// Records that `actor` (running as the OS user `os_user`) was shown the
/// clinical fields of each visit in `looks` (their IDs) by `command`, in
/// one write.
pub fn record(
    st: &mut Store,
    looks: &[String],
    actor: &Actor,
    os_user: &str,
    command: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if looks.is_empty() {
        return Ok(());
    }
    let who = actor.to_string();
    st.write(|tx| access_log::record(tx, looks, &who, os_user, command, now))
}

/// `appt access-log [--patient P] [--staff NAME] [--limit N]`, as typed.
#[derive(Debug, Clone, Default)]
pub struct LogRequest {
    pub clinic: Option<String>,
    pub patient: Option<String>,
    pub staff: Option<String>,
    pub limit: i64,
}

/// The looks asked for, latest first: a patient found as the desk finds
/// one (a phone, a name, an ID), a member of staff by name.
pub fn log(st: &mut Store, req: &LogRequest) -> Result<Vec<Entry>> {
    st.read(|tx| {
        let clinic_id = req
            .clinic
            .as_deref()
            .map(|c| clinics::find(tx, c))
            .transpose()?
            .map(|c| c.id);
        let at = At::Desk(req.clinic.as_deref());
        let patient_id = req
            .patient
            .as_deref()
            .map(|p| phones::find_patient(tx, at, p, None))
            .transpose()?
            .map(|p| p.patient.id.clone());
        let actor = req
            .staff
            .as_deref()
            .map(|n| staff::find(tx, n))
            .transpose()?
            .map(|m| Actor::Staff(m.person()).to_string());
        access_log::list(
            tx,
            &Filter {
                clinic_id,
                patient_id,
                actor,
                limit: req.limit,
            },
        )
    })
}
