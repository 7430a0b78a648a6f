//! `appt export`: appointments out to other programs — an iCalendar file, a
//! FHIR R4 Bundle, JSON Lines or CSV — streamed to standard output, or into a
//! file that is written whole or not at all.

use super::choice::{given, Kind, References};
use super::prompt::Ask;
use super::Ctx;
use crate::app::export::{self, ExportRequest};
use crate::error::{Error, Result};
use crate::output::export::{sink, Format, Options};
use crate::output::file::AtomicFile;
use crate::output::lang::tr;
use crate::output::{json, Report};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// iCalendar (RFC 5545), one event per appointment
    Ics,
    /// A FHIR R4 Bundle (collection) of Appointment, Patient and Practitioner resources
    Fhir,
    /// JSON Lines: one appointment object per line
    Jsonl,
    /// CSV (RFC 4180) with a header row
    Csv,
    /// An Excel spreadsheet (.xlsx) in the clinic's language, to --output FILE
    Xlsx,
}

impl FormatArg {
    const ALL: [FormatArg; 5] = [
        FormatArg::Ics,
        FormatArg::Fhir,
        FormatArg::Jsonl,
        FormatArg::Csv,
        FormatArg::Xlsx,
    ];

    fn name(self) -> &'static str {
        match self {
            FormatArg::Ics => "ics",
            FormatArg::Fhir => "fhir",
            FormatArg::Jsonl => "jsonl",
            FormatArg::Csv => "csv",
            FormatArg::Xlsx => "xlsx",
        }
    }

    fn format(self) -> Format {
        match self {
            FormatArg::Ics => Format::Ics,
            FormatArg::Fhir => Format::Fhir,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Csv => Format::Csv,
            FormatArg::Xlsx => Format::Xlsx,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    appt export --format ics --from today --to +30 --output clinic.ics\n  \
    appt export --format fhir -d 'Dr. García' --include-patient -o june.json\n  \
    appt export --format jsonl -S cancelled | jq -r .cancellation_reason\n  \
    appt export --format xlsx --from 2026-06-01 --to 2026-06-30 -o junio.xlsx")]
pub struct Args {
    /// What to write (required): ics (iCalendar), fhir (a FHIR R4 Bundle), jsonl (JSON Lines), csv or xlsx (a spreadsheet)
    #[arg(long, value_name = "FORMAT", value_enum, hide_possible_values = true)]
    pub format: Option<FormatArg>,
    /// From this local date (inclusive): YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, ayer)
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub from: Option<String>,
    /// To this local date (inclusive)
    #[arg(long, allow_negative_numbers = true, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this doctor's (name or ID)
    #[arg(short, long)]
    pub doctor: Option<String>,
    /// Only this status (scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish: confirmada, atendida, ausente…)
    #[arg(short = 'S', long)]
    pub status: Option<String>,
    /// Write to FILE (mode 0600, whole or not at all) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Put the patient's name, phone and ID into ics and fhir exports, their name and phone into xlsx (jsonl and csv always carry them)
    #[arg(long)]
    pub include_patient: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let ask = Ask::new(ctx);
    let format = match a.format {
        Some(f) => f,
        None if ask.interactive() => {
            let names: Vec<String> = FormatArg::ALL
                .iter()
                .map(|f| f.name().to_string())
                .collect();
            FormatArg::ALL[ask.pick(&tr!("p-format"), &names)?]
        }
        None => {
            return Err(Error::field(
                "format",
                crate::text::msg!("e-format_is_required"),
            ))
        }
    };
    let req = ExportRequest {
        clinic: ctx.clinic.clone(),
        zone: ctx.zone,
        from: a.from,
        to: a.to,
        doctor: a.doctor,
        status: a.status,
    };
    let opts = Options {
        now: ctx.now,
        include_patient: a.include_patient,
    };
    let mut store = ctx.open()?;
    let Some(path) = a.output.filter(|p| p.as_os_str() != "-") else {
        // A spreadsheet is bytes no terminal shows.
        if format == FormatArg::Xlsx && std::io::stdout().is_terminal() {
            return Err(Error::field(
                "output",
                crate::text::msg!("e-an_xlsx_export_is_a_file"),
            ));
        }
        let mut out = sink(
            format.format(),
            opts,
            std::io::stdout().lock(),
            "standard output",
        );
        export::export(&mut store, &req, ctx.now, out.as_mut())?;
        return Ok(Report::quiet());
    };
    let mut file = AtomicFile::create(&path)?;
    let n = {
        let mut out = sink(
            format.format(),
            opts,
            file.file(),
            path.display().to_string(),
        );
        export::export(&mut store, &req, ctx.now, out.as_mut())?
    };
    file.commit()?;
    let shown = path.display().to_string();
    Ok(ctx.report(
        || json::exported(format.name(), &shown, n as u64),
        || tr!("c-exported", n = n, shown = shown, format = format.name()),
    ))
}

impl References for Args {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        given([(Kind::Doctor, self.doctor.as_mut())])
    }
}
