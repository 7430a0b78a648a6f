//! The appointment a reference means, wherever one is expected: its ID or
//! a unique prefix, else a patient's phone or name, meaning that patient's
//! active appointment today, else their next one (docs/commands.md#references).

use super::phones::{At, Dialing};
use crate::core::{phone, visits, Appointment};
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{appointments, patient_visits, patients};
use chrono::{DateTime, Duration, Utc};

pub fn find(tx: &Tx, input: &str, now: DateTime<Utc>) -> Result<Appointment> {
    let by_id = match appointments::find(tx, input) {
        // An ID, or several appointments a prefix matched.
        Ok(a) => return Ok(a),
        Err(e) if e.code == Code::AmbiguousId => return Err(e),
        Err(e) => e,
    };
    // A local number: the only clinic's country code, or the one every
    // clinic shares (docs/rules.md#phones).
    let dialing = if phone::is_local(input) {
        Some(Dialing::at(tx, At::Desk(None))?)
    } else {
        None
    };
    let people = patients::matching(tx, input, dialing.as_ref().and_then(Dialing::code))?;
    if people.is_empty() {
        return Err(match dialing {
            Some(d) => d.missed(by_id, input),
            None => by_id,
        });
    }
    // From a day back: today's visits that have begun count too.
    let active = patient_visits::active_of(tx, &people, now - Duration::hours(26))?;
    let mut meant = visits::meant(&active, now);
    match meant.len() {
        1 => Ok(meant.remove(0).clone()),
        0 => Err(Error::not_found(crate::error::Entity::Appointment)
            .details(serde_json::json!({"ref": input}))
            .hint(crate::text::msg!(
                "e-has_no_active_appointment_today_or_later",
                input = input
            ))),
        _ => Err(Error::new(
            Code::AmbiguousId,
            crate::text::msg!("e-has_several_appointments", input = input),
        )
        .about(crate::error::Entity::Appointment)
        .details(serde_json::json!({
            "ref": input,
            "candidates": meant.iter().map(|a| appointments::candidate(a)).collect::<Vec<_>>(),
        }))
        .hint(crate::text::msg!("e-give_the_appointment_s_id"))),
    }
}
