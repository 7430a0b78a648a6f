//! `GET /v1/patients/{id}/export` (the `patients:export` scope): `patient
//! export` for a program (docs/api.md#a-patients-export). The path's `{id}`
//! is a whole patient ID; a patient the token's clinic does not know is as
//! missing, and a token limited to a clinic gets that clinic's part of the
//! record only. The export is recorded (`patient.exported`, actor
//! `api:<token name>`), so the route writes.

use super::{Answer, Call, Caller};
use crate::app::patient_export::{self, ExportRequest, Format};
use crate::app::Store;
use crate::error::Result;
use crate::output::export::patient_document;

pub(super) fn export(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let mut q = call.query();
    let format = q.text("format");
    let include_national_id = q.flag("include_national_id");
    q.finish()?;
    let req = ExportRequest {
        patient: call.id().to_string(),
        whole_id: true,
        format: Format::parse(format.as_deref())?,
        include_national_id,
        key: who.key.clone(),
        clinic: None,
        seen_from: who.grant.clinic_id.clone(),
    };
    let mut body = Vec::new();
    patient_export::export(st, &req, &who.actor(), who.now, |e| {
        body = patient_document(e, false)?;
        Ok(())
    })?;
    Ok(Answer::of(200, body, false))
}
