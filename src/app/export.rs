//! `export`: the matching appointments handed, one at a time and in start
//! order, to a format writer (a [`Sink`]) inside one read transaction, so the
//! export is one consistent state of the database and memory stays flat
//! however many rows match. The writers themselves live in `output`.

use super::list::{date_range, read_scope};
use super::values::{check_status, Problems};
use crate::core::{Appointment, Language};
use crate::error::Result;
use crate::store::appointments::{self, Filter};
use crate::store::{clinics, doctors, Store};
use chrono::{DateTime, Utc};

pub use crate::store::appointments::{DoctorParty, PatientParty};

/// `export`'s filters, as typed.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub clinic: Option<String>,
    /// What relative dates mean without a clinic when there are several.
    pub zone: crate::core::zone::Tz,
    /// Local dates, inclusive: YYYY-MM-DD, today, tomorrow, +N…
    pub from: Option<String>,
    pub to: Option<String>,
    /// By name or ID.
    pub doctor: Option<String>,
    /// One status.
    pub status: Option<String>,
}

/// Where the exported appointments go: one format's writer. It is told to
/// begin only once the filters are checked, so a refused export writes nothing.
pub trait Sink {
    /// The language the file's words are in: the clinic's (or the one every
    /// clinic of the export shares), told before [`Sink::begin`]. A writer
    /// not told keeps the language of human output.
    fn language(&mut self, _l: Language) {}
    /// Whether the writer wants each doctor of the export, once, before the appointments.
    fn wants_doctors(&self) -> bool {
        false
    }
    /// Whether the writer wants each patient of the export, once, before the appointments.
    fn wants_patients(&self) -> bool {
        false
    }
    fn begin(&mut self) -> Result<()>;
    fn doctor(&mut self, _d: &DoctorParty) -> Result<()> {
        Ok(())
    }
    fn patient(&mut self, _p: &PatientParty) -> Result<()> {
        Ok(())
    }
    /// One appointment, with how many times it changed.
    fn appointment(&mut self, a: &Appointment, sequence: i64) -> Result<()>;
    fn end(&mut self) -> Result<()>;
}

/// Streams the appointments `req` selects into `sink`, in start order (after
/// the doctors and patients the sink asks for); returns how many were exported.
pub fn export(
    st: &mut Store,
    req: &ExportRequest,
    now: DateTime<Utc>,
    sink: &mut dyn Sink,
) -> Result<u64> {
    st.read(|tx| {
        // Dates are read as `list` reads them.
        let (clinic, today, order) = read_scope(tx, req.clinic.as_deref(), req.zone, now)?;
        let mut bad = Problems::default();
        let (from, to) = date_range(
            req.from.as_deref(),
            req.to.as_deref(),
            (today, order),
            &mut bad,
        );
        let status = check_status(req.status.as_deref(), &mut bad);
        bad.finish()?;
        let filter = Filter {
            clinic_id: clinic.as_ref().map(|c| c.id.clone()),
            from,
            to,
            status,
            doctor_id: req
                .doctor
                .as_deref()
                .map(|d| doctors::find(tx, d))
                .transpose()?
                .map(|d| d.id),
            ..Filter::default()
        };
        let language = match &clinic {
            Some(c) => Some(c.settings.language),
            None => {
                let mut all = clinics::list(tx)?.into_iter().map(|c| c.settings.language);
                let first = all.next();
                first.filter(|l| all.all(|o| o == *l))
            }
        };
        if let Some(l) = language {
            sink.language(l);
        }
        sink.begin()?;
        if sink.wants_doctors() {
            appointments::each_doctor(tx, &filter, |d| sink.doctor(d))?;
        }
        if sink.wants_patients() {
            appointments::each_patient(tx, &filter, |p| sink.patient(p))?;
        }
        let mut n = 0;
        appointments::each(tx, &filter, |a, sequence| {
            n += 1;
            sink.appointment(a, sequence)
        })?;
        sink.end()?;
        Ok(n)
    })
}
