//! `appt patient export`: everything appt holds about one patient, for a
//! patient who asks for it (docs/privacy.md#subject-access): to standard
//! output, or into a private file written whole or not at all. The export
//! is recorded only once the document is written.

use super::Ctx;
use crate::app::patient_export::{self, ExportRequest, Format};
use crate::error::{Error, Result};
use crate::output::export::patient_document;
use crate::output::file::AtomicFile;
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Everything appt holds: the record, appointments with their events,
    /// messages, waitlist entries and links
    Json,
    /// A FHIR R4 Bundle (collection): the Patient and their Appointments
    Fhir,
    /// A page to print and hand over, in the clinic's language
    Html,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    appt patient export +50370123456 -o ana.json\n  \
    appt patient export \"Ana López\" --include-national-id -o ana.json\n  \
    appt patient export 4f1c --format fhir > ana-fhir.json\n  \
    appt patient export +50370123456 --format html -o ana.html")]
pub struct Args {
    /// Patient ID, prefix, phone or name
    pub patient: String,
    /// Write to FILE (mode 0600, whole or not at all) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// json (everything appt holds), fhir (a FHIR R4 Bundle of the Patient and their Appointments) or html (a page to print, in the clinic's language)
    #[arg(
        long,
        value_name = "FORMAT",
        value_enum,
        default_value = "json",
        hide_possible_values = true
    )]
    pub format: FormatArg,
    /// Put the national ID in (it is opened with the key, as `patient show` does)
    #[arg(long)]
    pub include_national_id: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let req = ExportRequest {
        patient: a.patient,
        whole_id: false,
        format: match a.format {
            FormatArg::Json => Format::Json,
            FormatArg::Fhir => Format::Fhir,
            FormatArg::Html => Format::Html,
        },
        include_national_id: a.include_national_id,
        key: ctx.key()?,
        clinic: ctx.clinic.clone(),
        seen_from: None,
    };
    let mut st = ctx.open()?;
    let Some(path) = a.output.filter(|p| p.as_os_str() != "-") else {
        let done = patient_export::export(&mut st, &req, &ctx.actor(), ctx.now, |e| {
            let doc = patient_document(e, true)?;
            let mut out = std::io::stdout().lock();
            out.write_all(&doc).and_then(|()| out.flush()).map_err(|e| {
                Error::internal(crate::text::msg!(
                    "e-cannot_write_to_standard_output",
                    e = e
                ))
            })
        })?;
        return Ok(Report::quiet().made("patient exported", &done.patient.id));
    };
    // Made first: a folder that is not there fails before anything is read
    // or recorded.
    let file = AtomicFile::create(&path)?;
    let done = patient_export::export(&mut st, &req, &ctx.actor(), ctx.now, |e| {
        let doc = patient_document(e, true)?;
        let mut file = file;
        file.file().write_all(&doc).map_err(|e| {
            Error::internal(crate::text::msg!(
                "e-cannot_write_to",
                a = path.display(),
                e = e
            ))
        })?;
        file.commit()
    })?;
    let shown = path.display().to_string();
    Ok(ctx
        .report(
            || json::patient_exported(&done, &shown),
            || {
                tr!(
                    "c-patient_exported",
                    a = human::clean(&done.patient.full_name),
                    shown = shown,
                    format = done.format.as_str()
                )
            },
        )
        .made("patient exported", &done.patient.id))
}
