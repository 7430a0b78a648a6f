//! The filters of `appt list` and the WHERE clause they make
//! ([`super::appointments::list`]).

use super::db::{day, On, Table, ToVal, Tx, Val};
use super::epoch;
use crate::args;
use crate::core::{Coded, Modality, Status, Urgency, VisitType};
use crate::error::Result;
use chrono::NaiveDate;
use chrono::{DateTime, Utc};

/// The filters of `appt list`.
#[derive(Debug, Default)]
pub struct Filter {
    pub clinic_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<Status>,
    pub doctor_id: Option<String>,
    pub patient_id: Option<String>,
    pub source: Option<String>,
    /// One series' occurrences (docs/rules.md#series).
    pub series_id: Option<String>,
    /// What kind of visit (docs/rules.md#visits): checked on the rows the
    /// other filters find (no index of their own).
    pub urgency: Option<Urgency>,
    pub modality: Option<Modality>,
    pub visit_type: Option<VisitType>,
    /// A payer, as the clinic spells it.
    pub payer: Option<String>,
}

impl Filter {
    /// Whether a filter narrower than a status or a source is given.
    pub(super) fn narrow(&self) -> bool {
        self.clinic_id.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.doctor_id.is_some()
            || self.patient_id.is_some()
            || self.series_id.is_some()
    }

    pub(super) fn one_day(&self) -> bool {
        self.from.is_some() && self.from == self.to
    }

    /// The list's order: by start. Within one day the date leads, so the
    /// day's index gives the order and no index merely sorted by start (a
    /// status's, a source's) looks cheaper to the planner than the day's.
    pub(super) fn order(&self) -> &'static str {
        if self.one_day() {
            "a.local_date, a.starts_at, a.token_number, a.id"
        } else {
            "a.starts_at, a.token_number, a.id"
        }
    }

    /// The WHERE clause of the filters given, and their values. Only present
    /// filters appear, so SQLite can pick an index for them.
    pub(super) fn clause(&self) -> (String, Vec<Val>) {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Val> = Vec::new();
        let mut add = |cond: &str, v: Option<Val>| {
            if let Some(v) = v {
                args.push(v);
                conds.push(format!("{cond} ?{}", args.len()));
            }
        };
        add(
            "a.clinic_id =",
            self.clinic_id.as_deref().map(super::db::id),
        );
        if self.one_day() {
            // One day is an equality: the index then hands rows over in
            // start order, so a page reads its rows only, with no sort.
            add("a.local_date =", self.from.map(day));
        } else {
            add("a.local_date >=", self.from.map(day));
            add("a.local_date <=", self.to.map(day));
        }
        // Status and source name a fifth of the table or more: with a
        // narrower filter given they are checked on its rows (`+ 0` keeps
        // the planner, which has no statistics, off their indexes).
        let (status, source) = if self.narrow() {
            ("a.status + 0 =", "a.source + 0 =")
        } else {
            ("a.status =", "a.source =")
        };
        add(status, self.status.map(|s| s.code().to_val()));
        add(
            "a.doctor_id =",
            self.doctor_id.as_deref().map(super::db::id),
        );
        add(
            "a.patient_id =",
            self.patient_id.as_deref().map(super::db::id),
        );
        add(
            source,
            self.source.as_deref().map(|v| source_code(v).to_val()),
        );
        add("a.series_id =", self.series_id.as_ref().map(|v| v.to_val()));
        add("a.urgency =", self.urgency.map(|v| v.number().to_val()));
        add("a.modality =", self.modality.map(|v| v.number().to_val()));
        add(
            "a.visit_type =",
            self.visit_type.map(|v| v.number().to_val()),
        );
        add("a.payer =", self.payer.as_ref().map(|v| v.to_val()));
        let clause = if conds.is_empty() {
            "1 = 1".to_string()
        } else {
            conds.join(" AND ")
        };
        (clause, args)
    }
}

/// What `count --by` groups appointments by (docs/commands.md#appt-count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountBy {
    Urgency,
    Modality,
    VisitType,
    Payer,
    Doctor,
}

impl CountBy {
    pub const ALL: [CountBy; 5] = [
        CountBy::Urgency,
        CountBy::Modality,
        CountBy::VisitType,
        CountBy::Payer,
        CountBy::Doctor,
    ];

    /// As typed and as JSON names it.
    pub fn as_str(self) -> &'static str {
        match self {
            CountBy::Urgency => "urgency",
            CountBy::Modality => "modality",
            CountBy::VisitType => "visit_type",
            CountBy::Payer => "payer",
            CountBy::Doctor => "doctor",
        }
    }

    pub fn parse(s: &str) -> Option<CountBy> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        CountBy::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// A group's value as shown, from its column's: a kind's number as its
    /// name (an unknown number as itself), the rest as they are.
    fn shown(self, v: Val) -> Option<String> {
        let named = |code: i64| -> Option<&'static str> {
            match self {
                CountBy::Urgency => Urgency::from_code(code).map(Urgency::as_str),
                CountBy::Modality => Modality::from_code(code).map(Modality::as_str),
                CountBy::VisitType => VisitType::from_code(code).map(VisitType::as_str),
                CountBy::Payer | CountBy::Doctor => None,
            }
        };
        match v {
            Val::Null => None,
            Val::Int(code) => Some(named(code).map_or_else(|| code.to_string(), str::to_string)),
            Val::Text(t) => Some(t),
            // A doctor, kept as its 16 bytes.
            Val::Id(b) => Some(super::db::shown_id(b)),
            other => Some(format!("{other:?}")),
        }
    }

    /// The column grouped by.
    pub(super) fn column(self) -> &'static str {
        match self {
            CountBy::Urgency => "a.urgency",
            CountBy::Modality => "a.modality",
            CountBy::VisitType => "a.visit_type",
            CountBy::Payer => "a.payer",
            CountBy::Doctor => "a.doctor_id",
        }
    }
}

/// [`super::appointments::count_created`]'s appointments in groups (`count --by`), and only
/// the overbooked ones when asked: each group's value (None: not set) and
/// count, largest first, then by the value as shown, the unset last (sorted
/// here: the engines sort NULL apart, and a kind's number is not its
/// name's order). Reads the rows themselves: the grouped column is in no index.
#[allow(clippy::too_many_arguments)]
pub fn count_grouped(
    conn: &Tx,
    since: DateTime<Utc>,
    source: Option<&str>,
    status: Option<Status>,
    clinic_id: Option<&str>,
    by: CountBy,
    overbooked: bool,
) -> Result<Vec<(Option<String>, i64)>> {
    let status = status.map(Status::code);
    let source = source.map(source_code);
    let sql = format!(
        "SELECT {col}, count(*) FROM appointments a WHERE a.created_at >= ?1 \
         AND (CAST(?2 AS SMALLINT) IS NULL OR a.source = ?2) \
         AND (CAST(?3 AS SMALLINT) IS NULL OR a.status = ?3) \
         AND (a.clinic_id = ?4 OR ?4 IS NULL) {over} GROUP BY {col}",
        col = by.column(),
        over = if overbooked {
            "AND a.overbook_rule IS NOT NULL"
        } else {
            ""
        },
    );
    let mut groups: Vec<(Option<String>, i64)> = conn.rows(
        On::reads(&[Table::Appointments]),
        &sql,
        args![epoch(since), source, status, super::db::maybe_id(clinic_id)],
        |r| Ok((by.shown(r.get(0)?), r.get(1)?)),
    )?;
    // Largest first, then by the value as shown, the unset last.
    groups.sort_by(|(a, m), (b, n)| n.cmp(m).then(a.is_none().cmp(&b.is_none())).then(a.cmp(b)));
    Ok(groups)
}

/// The number a source is stored as (schema 60); a name that is no source
/// is 0, which no visit has, so it finds none.
pub(super) fn source_code(name: &str) -> i64 {
    crate::core::source_code(name).unwrap_or(0)
}
