//! `appt report --format csv|xlsx` (docs/reports.md#csv-and-xlsx): every
//! figure of the report as rows of one table — which figure, broken down by
//! what, for which key, the doctor where there is one, the count, what it is
//! out of, and the rate — so a spreadsheet can sum, filter and chart them.
//! CSV's header is the columns' names, for programs; the spreadsheet's is in
//! the clinic's language, with counts as numbers and rates as percentages.
//! No patient is in any row (the report has none).

use super::lang::{text_in, Lang};
use super::out::Out;
use crate::app::report::Report;
use crate::core::report::{Rate, Rates, LEADS, WEEKDAYS};
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// The columns, in order.
pub const COLUMNS: [&str; 8] = [
    "figure",
    "by",
    "key",
    "doctor_id",
    "doctor",
    "count",
    "of",
    "rate",
];

/// One row: a count, out of what where that means something, and its rate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    pub figure: &'static str,
    pub by: String,
    pub key: String,
    pub doctor_id: Option<String>,
    pub doctor: Option<String>,
    pub count: Option<i64>,
    pub of: Option<i64>,
    pub rate: Option<f64>,
}

fn line(figure: &'static str, by: &str, key: &str, count: Option<i64>) -> Line {
    Line {
        figure,
        by: by.to_string(),
        key: key.to_string(),
        count,
        ..Line::default()
    }
}

fn out_of(mut l: Line, of: i64) -> Line {
    l.rate = Rate {
        numerator: l.count.unwrap_or(0),
        denominator: of,
    }
    .rate();
    l.of = Some(of);
    l
}

fn rate_lines(out: &mut Vec<Line>, figure: &'static str, r: &Rates, report: &Report) {
    let mut add = |by: &str, key: String, x: &Rate, doctor: Option<&String>| {
        let mut l = out_of(line(figure, by, &key, Some(x.numerator)), x.denominator);
        if let Some(id) = doctor {
            l.doctor_id = (!id.is_empty()).then(|| id.clone());
            l.doctor = Some(report.doctor_name(id).to_string());
        }
        out.push(l);
    };
    for (id, x) in &r.by_doctor {
        add("doctor", String::new(), x, Some(id));
    }
    for (d, x) in &r.by_weekday {
        add("weekday", WEEKDAYS[*d].to_string(), x, None);
    }
    for (h, x) in &r.by_hour {
        add("hour", h.to_string(), x, None);
    }
    for (l, x) in &r.by_lead {
        add("lead_time", LEADS[*l].to_string(), x, None);
    }
}

/// The figures of `r` as a whole, each a row broken down `by` nothing
/// (`all`, or `previous` for the period before), in the order of
/// `--json`'s keys.
fn totals(r: &Report, by: &str) -> Vec<Line> {
    let f = &r.figures;
    let (booked, open) = r.minutes();
    let rate = |figure, x: &Rate| out_of(line(figure, by, "", Some(x.numerator)), x.denominator);
    let lead = &f.lead_time;
    let (m, w, rc) = (&r.messages, &r.waitlist, &r.recalls);
    vec![
        line("bookings", by, "", Some(r.bookings())),
        out_of(line("utilisation", by, "", Some(booked)), open),
        rate("no_show_rate", &f.no_show.overall),
        rate("late_cancellation_rate", &f.late_cancellation.overall),
        line("lead_time", by, "count", Some(lead.count as i64)),
        line("lead_time", by, "median_days", lead.median),
        line("lead_time", by, "p90_days", lead.p90),
        line("messages", by, "sent", Some(m.sent)),
        out_of(line("messages", by, "delivered", Some(m.delivered)), m.sent),
        line("messages", by, "failed", Some(m.failed)),
        line(
            "messages",
            by,
            "confirmed_after_reminder",
            Some(m.confirmed_after),
        ),
        line("waitlist", by, "offers_made", Some(w.made)),
        out_of(
            line("waitlist", by, "offers_filled", Some(w.filled)),
            w.made,
        ),
        line("recalls", by, "due", Some(rc.due)),
        out_of(line("recalls", by, "sent", Some(rc.sent)), rc.due),
        out_of(line("recalls", by, "booked", Some(rc.booked)), rc.due),
    ]
}

/// Every figure of `r` as rows: the period's as a whole, then each one's
/// breakdowns in the order of `--json`'s keys, then the period before's
/// as a whole (`by` = `previous`).
pub fn lines(r: &Report) -> Vec<Line> {
    let f = &r.figures;
    let mut out = totals(r, "all");
    for d in &r.utilisation {
        let mut l = out_of(
            line("utilisation", "day", &d.date.to_string(), Some(d.booked)),
            d.open,
        );
        l.doctor_id = Some(d.doctor_id.clone());
        l.doctor = Some(d.doctor_name.clone());
        out.push(l);
    }
    // Each room's and machine's minutes held out of its places' minutes
    // open (docs/reports.md#rooms), by its name.
    for u in &r.rooms {
        out.push(out_of(
            line("rooms", "resource", &u.resource.name, Some(u.booked)),
            u.open,
        ));
    }
    rate_lines(&mut out, "no_show_rate", &f.no_show, r);
    rate_lines(&mut out, "late_cancellation_rate", &f.late_cancellation, r);
    for ((d, h), n) in &f.busiest {
        out.push(line(
            "busiest",
            "weekday_hour",
            &format!("{} {h:02}", WEEKDAYS[*d]),
            Some(*n),
        ));
    }
    let all = r.bookings();
    for (source, by) in &f.sources {
        let total: i64 = by.values().sum();
        out.push(out_of(line("sources", source, "all", Some(total)), all));
        for (status, n) in by {
            out.push(out_of(line("sources", source, status, Some(*n)), total));
        }
    }
    if let Some(before) = &r.previous {
        out.extend(totals(before, "previous"));
    }
    out
}

/// Writes `r` as `format` to `out`, whose failures name `what`.
pub fn write<W: Write>(format: Format, r: &Report, out: W, what: String) -> Result<()> {
    let mut out = Out::new(out, what);
    let rows = lines(r);
    match format {
        Format::Csv => csv(&rows, &mut out)?,
        Format::Xlsx => {
            let lang: Lang = r.clinic.settings.language;
            let bytes = xlsx(&rows, lang).map_err(failed)?;
            out.put(&bytes)?;
        }
    }
    out.finish()
}

fn csv<W: Write>(rows: &[Line], out: &mut Out<W>) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let n = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
    let mut record = |fields: [String; 8]| {
        w.write_record(fields).map_err(|e| {
            Error::internal(crate::text::msg!(
                "e-cannot_write_a_csv_row",
                other = format!("{:?}", e.into_kind())
            ))
        })
    };
    record(COLUMNS.map(String::from))?;
    for l in rows {
        record([
            l.figure.to_string(),
            l.by.clone(),
            l.key.clone(),
            l.doctor_id.clone().unwrap_or_default(),
            l.doctor.clone().unwrap_or_default(),
            n(l.count),
            n(l.of),
            l.rate.map(|x| x.to_string()).unwrap_or_default(),
        ])?;
    }
    // A report is a few hundred rows: made in memory, written at once.
    let bytes = w.into_inner().map_err(|e| out.failed(e.into_error()))?;
    out.put(&bytes)
}

fn failed(e: XlsxError) -> Error {
    Error::internal(crate::text::msg!("e-cannot_write_the_spreadsheet", e = e))
}

/// The spreadsheet: one sheet, its header in `lang`, counts as numbers and
/// rates as percentages; text cells are never run as formulas.
fn xlsx(rows: &[Line], lang: Lang) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(text_in(lang, "xr-sheet"))?;
    let bold = CellFormat::new().set_bold();
    let percent = CellFormat::new().set_num_format("0.0%");
    for (i, c) in COLUMNS.iter().enumerate() {
        let col = i as u16;
        ws.write_string_with_format(0, col, text_in(lang, &format!("xr-{c}")), &bold)?;
        ws.set_column_width(col, if i < 5 { 16.0 } else { 9.0 })?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (i, l) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let texts = [
            l.figure.to_string(),
            l.by.clone(),
            l.key.clone(),
            l.doctor_id.clone().unwrap_or_default(),
            l.doctor.clone().unwrap_or_default(),
        ];
        for (col, t) in texts.iter().enumerate() {
            if !t.is_empty() {
                ws.write_string(row, col as u16, t)?;
            }
        }
        for (col, n) in [(5, l.count), (6, l.of)] {
            if let Some(n) = n {
                ws.write_number(row, col, n as f64)?;
            }
        }
        if let Some(x) = l.rate {
            ws.write_number_with_format(row, 7, x, &percent)?;
        }
    }
    book.save_to_buffer()
}
