//! `appt report`: a clinic's figures over a period (docs/reports.md), as
//! tables, as JSON, or as one web page written to a file (`--html`).

use super::Ctx;
use crate::app::report::{self, ReportRequest};
use crate::error::Result;
use crate::output::file::AtomicFile;
use crate::output::lang::tr;
use crate::output::{human, json, report_page, Report};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  appt report\n  appt report --from 2026-06-01 --to 2026-06-30\n  appt report -d \"Dra. Ana García\" --json\n  appt report --from 2026-06-01 --to 2026-06-30 --html junio.html"
)]
pub struct Args {
    /// The first date of the period [default: 28 days before --to]
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub from: Option<String>,
    /// The last date of the period, included [default: yesterday]
    #[arg(long, value_name = "DATE", allow_negative_numbers = true)]
    pub to: Option<String>,
    /// Only this doctor's visits
    #[arg(short, long)]
    pub doctor: Option<String>,
    /// Only this service's visits
    #[arg(long)]
    pub service: Option<String>,
    /// Write the report as one web page to FILE (charts inline, nothing fetched; written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let req = ReportRequest {
        clinic: ctx.clinic.clone(),
        from: a.from,
        to: a.to,
        doctor: a.doctor,
        service: a.service,
    };
    let r = report::report(&mut ctx.open()?, &req, ctx.now)?;
    if let Some(path) = a.html {
        return html(ctx, &r, &path);
    }
    Ok(ctx.report(|| json::report(&r), || human::report(&r)))
}

/// `--html FILE`: the page, in place whole or not at all.
fn html(ctx: &Ctx, r: &report::Report, path: &std::path::Path) -> Result<Report> {
    use std::io::Write;
    let page = report_page::page(r);
    let mut file = AtomicFile::create(path)?;
    file.file().write_all(page.as_bytes()).map_err(|e| {
        crate::error::Error::internal(crate::text::msg!(
            "e-cannot_write_to",
            a = path.display(),
            e = e
        ))
    })?;
    file.commit()?;
    let shown = path.display().to_string();
    Ok(ctx.report(
        || json::report_written("html", &shown),
        || tr!("c-report_written", shown = shown.clone()),
    ))
}
