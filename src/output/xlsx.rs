//! `export --format xlsx`: the CSV's columns as a spreadsheet
//! (docs/commands.md#appt-export), for a desk whose spreadsheet opens a CSV as
//! one column (a Spanish Excel reads `;`). The header row is in the clinic's
//! language; dates, times and instants are date-formatted cells (instants in
//! the clinic's local time, as the `timezone` column names it); numbers are
//! numbers; everything else, phones included, is text — a text cell is never
//! run as a formula, so nothing needs defusing. The patient's name and phone
//! are columns only with `--include-patient`.
//!
//! rust_xlsxwriter keeps the sheet in memory and writes the file at the end:
//! an export is a clinic's appointments, far under a sheet's 1,048,576 rows.

use super::json;
use super::lang::{self, text_in, Lang};
use super::out::{Options, Out};
use super::rows::COLUMNS;
use crate::app::export::Sink;
use crate::core::{Appointment, Language};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde_json::Value;
use std::io::Write;

/// How a column's values are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Boolean,
    Date,
    Time,
    /// An instant (RFC 3339 in UTC), written as the clinic's local time.
    Instant,
    /// A code (a status, an urgency, …), written as the clinic's word for
    /// it: the catalogue's `<prefix>-<code>`.
    Word(&'static str),
}

fn kind(column: &str) -> Kind {
    match column {
        "date" | "follow_up_date" => Kind::Date,
        "start_time" | "end_time" => Kind::Time,
        "duration_minutes" | "token_number" | "service.duration_minutes" => Kind::Number,
        "follow_up_required" => Kind::Boolean,
        "status" => Kind::Word("status"),
        "urgency" => Kind::Word("urgency"),
        "modality" => Kind::Word("modality"),
        "visit_type" => Kind::Word("visit_type"),
        c if c.ends_with("_at") => Kind::Instant,
        _ => Kind::Text,
    }
}

/// The columns of an export: the CSV's, without the patient's name and
/// phone unless they were asked for.
fn columns(include_patient: bool) -> Vec<&'static str> {
    COLUMNS
        .iter()
        .copied()
        .filter(|c| include_patient || !matches!(*c, "patient.full_name" | "patient.phone"))
        .collect()
}

fn failed(e: XlsxError) -> Error {
    Error::internal(crate::text::msg!("e-cannot_write_the_spreadsheet", e = e))
}

pub struct Sheet<W: Write> {
    out: Out<W>,
    lang: Lang,
    columns: Vec<&'static str>,
    book: Workbook,
    row: u32,
    formats: [Format; 3],
}

impl<W: Write> Sheet<W> {
    pub fn new(out: Out<W>, opts: Options) -> Self {
        Sheet {
            out,
            lang: lang::current(),
            columns: columns(opts.include_patient),
            book: Workbook::new(),
            row: 0,
            formats: [Format::new(), Format::new(), Format::new()],
        }
    }

    /// The date, time and date-and-time formats of `self.lang`: day first
    /// in Spanish, ISO in English.
    fn choose_formats(&mut self) {
        let (date, when) = match self.lang {
            Lang::Es => ("dd/mm/yyyy", "dd/mm/yyyy hh:mm"),
            Lang::En => ("yyyy-mm-dd", "yyyy-mm-dd hh:mm"),
        };
        self.formats = [
            Format::new().set_num_format(date),
            Format::new().set_num_format("hh:mm"),
            Format::new().set_num_format(when),
        ];
    }

    fn sheet(&mut self) -> Result<&mut Worksheet> {
        self.book.worksheet_from_index(0).map_err(failed)
    }
}

/// One cell of `v` (the appointment object) at `(row, col)`.
fn cell(
    ws: &mut Worksheet,
    formats: &[Format; 3],
    (row, col): (u32, u16),
    column: &str,
    v: &Value,
    a: &Appointment,
    l: Lang,
) -> std::result::Result<(), XlsxError> {
    let field = column.split('.').try_fold(v, |v, k| v.get(k));
    let Some(field) = field.filter(|f| !f.is_null()) else {
        return Ok(());
    };
    let text = field.as_str().unwrap_or_default();
    match kind(column) {
        Kind::Date => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => ws
                .write_datetime_with_format(row, col, d, &formats[0])
                .map(drop),
            Err(_) => ws.write_string(row, col, text).map(drop),
        },
        Kind::Time => match NaiveTime::parse_from_str(text, "%H:%M") {
            Ok(t) => ws
                .write_datetime_with_format(row, col, t, &formats[1])
                .map(drop),
            Err(_) => ws.write_string(row, col, text).map(drop),
        },
        Kind::Instant => match text.parse::<DateTime<Utc>>() {
            Ok(t) => {
                let local = t.with_timezone(&a.timezone).naive_local();
                ws.write_datetime_with_format(row, col, local, &formats[2])
                    .map(drop)
            }
            Err(_) => ws.write_string(row, col, text).map(drop),
        },
        Kind::Number => match field.as_f64() {
            Some(n) => ws.write_number(row, col, n).map(drop),
            None => ws.write_string(row, col, field.to_string()).map(drop),
        },
        Kind::Boolean => ws
            .write_boolean(row, col, field.as_bool().unwrap_or(false))
            .map(drop),
        Kind::Word(prefix) => ws
            .write_string(row, col, text_in(l, &format!("{prefix}-{text}")))
            .map(drop),
        Kind::Text => match field {
            Value::String(s) => ws.write_string(row, col, s).map(drop),
            other => ws.write_string(row, col, other.to_string()).map(drop),
        },
    }
}

impl<W: Write> Sink for Sheet<W> {
    fn language(&mut self, l: Language) {
        self.lang = l;
    }

    fn begin(&mut self) -> Result<()> {
        self.choose_formats();
        let l = self.lang;
        let columns = self.columns.clone();
        let bold = Format::new().set_bold();
        self.book.add_worksheet();
        let ws = self.sheet()?;
        ws.set_name(text_in(l, "x-sheet")).map_err(failed)?;
        for (i, c) in columns.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            let head = text_in(l, &format!("x-{}", c.replace('.', "-")));
            ws.write_string_with_format(0, col, head, &bold)
                .map_err(failed)?;
            let wide = match kind(c) {
                Kind::Instant => 17.0,
                Kind::Date => 11.0,
                Kind::Time | Kind::Number | Kind::Boolean => 8.0,
                Kind::Word(_) | Kind::Text => 14.0,
            };
            ws.set_column_width(col, wide).map_err(failed)?;
        }
        ws.set_freeze_panes(1, 0).map_err(failed)?;
        self.row = 1;
        Ok(())
    }

    fn appointment(&mut self, a: &Appointment, _sequence: i64) -> Result<()> {
        let v = json::appointment(a);
        let (row, l) = (self.row, self.lang);
        let columns = self.columns.clone();
        let formats = self.formats.clone();
        let ws = self.sheet()?;
        for (i, c) in columns.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            cell(ws, &formats, (row, col), c, &v, a, l).map_err(failed)?;
        }
        self.row += 1;
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        let bytes = self.book.save_to_buffer().map_err(failed)?;
        self.out.put(&bytes)?;
        self.out.finish()
    }
}
