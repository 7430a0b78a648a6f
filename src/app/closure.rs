//! Closures: dates when a doctor or a whole clinic takes no bookings.

use super::values;
use crate::core::{time, Closure};
use crate::error::{Error, Result};
use crate::store::{self, clinics, closures, doctors, Store};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default)]
pub struct ClosureInput {
    /// `--clinic` (or `$APPT_CLINIC`): the clinic closed when no doctor is given.
    pub clinic: Option<String>,
    pub doctor: Option<String>,
    pub from: String,
    pub to: Option<String>,
    pub reason: Option<String>,
}

/// A closure and the name of who is closed.
pub struct Closed {
    pub closure: Closure,
    /// Whose closure: a doctor's name, or a clinic's (`Central (clinic)`).
    pub who: crate::text::Msg,
}

pub fn add(st: &mut Store, c: &ClosureInput, now: DateTime<Utc>) -> Result<Closed> {
    st.write(|tx| {
        let doctor = c
            .doctor
            .as_deref()
            .map(|d| doctors::find(tx, d))
            .transpose()?;
        let clinic = match &doctor {
            Some(_) => None,
            None => Some(clinics::default(tx, c.clinic.as_deref())?),
        };
        let (tz, order) = match &clinic {
            Some(c) => (c.timezone, c.settings.date_order()),
            None => clinics::default(tx, c.clinic.as_deref())
                .map(|c| (c.timezone, c.settings.date_order()))
                .unwrap_or((crate::core::zone::UTC, super::values::desk_order())),
        };
        let today = time::local_today(tz, now);
        let from = time::parse_date(&c.from, today, order).map_err(|e| Error::field("from", e))?;
        let to = match &c.to {
            Some(t) => time::parse_date(t, today, order).map_err(|e| Error::field("to", e))?,
            None => from,
        };
        if to < from {
            return Err(Error::field(
                "to",
                crate::text::msg!("e-to_must_not_be_before_from"),
            ));
        }
        let closure = Closure {
            id: store::new_id(),
            clinic_id: clinic.as_ref().map(|c| c.id.clone()),
            doctor_id: doctor.as_ref().map(|d| d.id.clone()),
            from,
            to,
            reason: values::label(c.reason.as_deref()),
            created_at: now,
        };
        closures::insert(tx, &closure)?;
        let who = doctor
            .map(|d| crate::text::Msg::verbatim(d.full_name))
            .or(clinic.map(|c| crate::text::Msg::verbatim(c.name)))
            .unwrap_or_else(|| crate::text::Msg::verbatim(""));
        Ok(Closed { closure, who })
    })
}

/// Closures (of one clinic, or one doctor) with who each closes.
pub fn list(st: &mut Store, clinic: Option<&str>, doctor: Option<&str>) -> Result<Vec<Closed>> {
    st.read(|tx| {
        let clinic = clinic.map(|c| clinics::find(tx, c)).transpose()?;
        let doctor = doctor.map(|d| doctors::find(tx, d)).transpose()?;
        let (c, d) = (
            clinic.as_ref().map(|c| c.id.as_str()),
            doctor.as_ref().map(|d| d.id.as_str()),
        );
        // A doctor filter alone shows that doctor's closures; a clinic filter alone the clinic's.
        let all = closures::list(tx, if d.is_some() { None } else { c }, d)?;
        let (cl, ds) = (clinics::list(tx)?, doctors::list(tx)?);
        Ok(all
            .into_iter()
            .map(|x| {
                let who = x
                    .doctor_id
                    .as_ref()
                    .and_then(|id| {
                        ds.iter()
                            .find(|d| &d.id == id)
                            .map(|d| crate::text::Msg::verbatim(d.full_name.clone()))
                    })
                    .or_else(|| {
                        x.clinic_id.as_ref().and_then(|id| {
                            cl.iter()
                                .find(|c| &c.id == id)
                                .map(|c| crate::text::msg!("h-clinic_closure", name = c.name))
                        })
                    })
                    .unwrap_or_else(|| crate::text::Msg::verbatim(""));
                Closed { closure: x, who }
            })
            .collect())
    })
}

/// One closure by ID or prefix (what `remove` would take).
pub fn find(st: &mut Store, closure: &str) -> Result<Closure> {
    st.read(|tx| closures::find(tx, closure))
}

pub fn remove(st: &mut Store, closure: &str) -> Result<Closure> {
    st.write(|tx| {
        let c = closures::find(tx, closure)?;
        closures::remove(tx, &c.id)?;
        Ok(c)
    })
}
