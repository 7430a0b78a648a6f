//! `appt report`: a clinic's figures over a period (docs/reports.md), as
//! tables, as JSON, or as one web page written to a file (`--html`).

use super::Ctx;
use crate::app::report::{self, ReportRequest};
use crate::error::{Error, Result};
use crate::output::file::AtomicFile;
use crate::output::lang::tr;
use crate::output::report_file::{self, Format};
use crate::output::{human, json, report_page, Report};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// CSV (RFC 4180): every figure a row, with a header row
    Csv,
    /// An Excel spreadsheet (.xlsx) in the clinic's language, to --output FILE
    Xlsx,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt report\n  appt report -d \"Dra. Ana García\" --json\n  appt report --month last --html octubre.html\n  appt report --format xlsx --from 2026-06-01 --to 2026-06-30 -o junio.xlsx"
)]
pub struct Args {
    /// The first date of the period [default: 28 days before --to]
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub from: Option<String>,
    /// The last date of the period, included [default: yesterday]
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub to: Option<String>,
    /// A whole month instead: 2026-11, 11/2026, June (junio), last or this (pasado, este)
    #[arg(long, visible_alias = "mes", value_name = "MONTH", conflicts_with_all = ["from", "to"])]
    pub month: Option<String>,
    /// Only this doctor's visits
    #[arg(short, long)]
    pub doctor: Option<String>,
    /// Only this service's visits
    #[arg(long)]
    pub service: Option<String>,
    /// The figures as rows: csv or xlsx (a spreadsheet)
    #[arg(long, value_name = "FORMAT", value_enum, hide_possible_values = true)]
    pub format: Option<FormatArg>,
    /// Write --format's rows to FILE (mode 0600, whole or not at all) instead of standard output
    #[arg(short, long, value_name = "FILE", requires = "format")]
    pub output: Option<PathBuf>,
    /// Write the report as one web page to FILE (charts inline, nothing fetched; written whole or not at all)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["format", "output"])]
    pub html: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let req = ReportRequest {
        clinic: ctx.clinic.clone(),
        from: a.from,
        to: a.to,
        doctor: a.doctor,
        service: a.service,
        month: a.month,
    };
    // A spreadsheet is bytes no terminal shows: refused before anything is read.
    let to_stdout = a.output.as_ref().is_none_or(|p| p.as_os_str() == "-");
    if a.format == Some(FormatArg::Xlsx) && to_stdout && std::io::stdout().is_terminal() {
        return Err(Error::field(
            "output",
            crate::text::msg!("e-an_xlsx_export_is_a_file"),
        ));
    }
    let r = report::report(&mut ctx.open_to_read()?, &req, ctx.now)?;
    if let Some(path) = a.html {
        return written(ctx, &path, "html", |file| {
            use std::io::Write;
            file.write_all(report_page::page(&r).as_bytes())
                .map_err(|e| {
                    Error::internal(crate::text::msg!(
                        "e-cannot_write_to",
                        a = path.display(),
                        e = e
                    ))
                })
        });
    }
    let Some(format) = a.format else {
        return Ok(ctx.report(|| json::report(&r), || human::report(&r)));
    };
    let (format, name) = match format {
        FormatArg::Csv => (Format::Csv, "csv"),
        FormatArg::Xlsx => (Format::Xlsx, "xlsx"),
    };
    match a.output.filter(|p| p.as_os_str() != "-") {
        None => {
            let out = std::io::stdout().lock();
            report_file::write(format, &r, out, "standard output".into())?;
            Ok(Report::quiet())
        }
        Some(path) => written(ctx, &path, name, |file| {
            report_file::write(format, &r, file, path.display().to_string())
        }),
    }
}

/// A file `write` fills, in place whole or not at all (mode 0600), and
/// where it went, as `format`.
fn written(
    ctx: &Ctx,
    path: &Path,
    format: &'static str,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<Report> {
    let mut file = AtomicFile::create(path)?;
    write(file.file())?;
    file.commit()?;
    let shown = path.display().to_string();
    Ok(ctx.report(
        || json::report_written(format, &shown),
        || tr!("c-report_written", shown = shown.clone(), format = format),
    ))
}
