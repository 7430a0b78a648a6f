// STUB (lead's local build only; replaced by the token branch)
use crate::core::access::{Grant, Scope};
use crate::error::{Code, Error, Result};
use crate::store::Store;
use chrono::{DateTime, Utc};
pub fn authenticate(_st: &mut Store, presented: &str, _now: DateTime<Utc>) -> Result<Grant> {
    let scopes = match presented {
        "appt_all" => vec![
            Scope::AppointmentsRead,
            Scope::AppointmentsWrite,
            Scope::Clinical,
        ],
        "appt_read" => vec![Scope::AppointmentsRead],
        "appt_rw" => vec![Scope::AppointmentsRead, Scope::AppointmentsWrite],
        _ => return Err(Error::new(Code::Unauthorized, "Invalid token")),
    };
    Ok(Grant {
        name: presented.into(),
        scopes,
        clinic_id: None,
    })
}
