//! Reads done ahead: what a use case will ask one by one, asked at once and
//! kept for the transaction under the same question ([`Asked`]) the read
//! it stands for keeps its answer under, so that read then sends nothing.
//! [`LookAhead`] holds an import's next lines' questions and asks each kind
//! in one statement; [`LookAhead::doctor`] and [`LookAhead::day`] read what
//! one request asks of a doctor, and of a doctor's day, at once. Every
//! query made ahead and every key it keeps under is here.

use super::appointment_busy::{self as busy_times, KeptBusy};
use super::appointments;
use super::asked::Asked;
use super::columns::{count, under};
use super::db::{marks, On, Table, ToVal, Tx, Val};
use super::{clinics, closures, doctors, lookup, patients, queue, windows};
use crate::args;
use crate::core::slots::Busy;
use crate::core::{Appointment, Clinic, Closure};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// The questions of an import's next lines, to be asked at once
/// ([`LookAhead::ask`]): one statement per kind (a few hundred keys each)
/// rather than one per line.
#[derive(Default)]
pub struct LookAhead<'a> {
    phones: Vec<&'a str>,
    references: Vec<&'a str>,
    busy: Vec<(&'a str, DateTime<Utc>, DateTime<Utc>)>,
    tokens: Vec<(&'a str, NaiveDate)>,
    closures: Vec<(&'a str, &'a str, NaiveDate)>,
}

impl<'a> LookAhead<'a> {
    /// Who has this phone (E.164), as [`patients::by_phone`] asks.
    pub fn phone(&mut self, phone: &'a str) {
        self.phones.push(phone);
    }

    /// Which appointments hold this external reference, as
    /// [`appointments::by_external_ref`] asks.
    pub fn reference(&mut self, reference: &'a str) {
        self.references.push(reference);
    }

    /// A doctor's day: the busy times over `[from, to)`
    /// ([`busy_times::busy_for_doctor`]), the last token of `scope` on
    /// `date` ([`queue::next_token`]) and the closures of the clinic and
    /// the doctor touching `date` ([`closures::touching`]).
    pub fn doctor_day(
        &mut self,
        clinic: &'a str,
        doctor: &'a str,
        token_scope: &'a str,
        date: NaiveDate,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
    ) {
        self.busy.push((doctor, from, to));
        self.tokens.push((token_scope, date));
        self.closures.push((clinic, doctor, date));
    }

    /// Asks every question held, but those the transaction has answered
    /// already, and keeps the answers.
    pub fn ask(&self, tx: &Tx) -> Result<()> {
        self.ask_phones(tx)?;
        self.ask_references(tx)?;
        self.ask_busy(tx)?;
        self.ask_tokens(tx)?;
        self.ask_closures(tx)
    }

    fn ask_phones(&self, tx: &Tx) -> Result<()> {
        tx.keep_grouped(
            On::reads(&[Table::Patients]),
            &self.phones,
            |k| Asked::PatientByPhone(k),
            |n| {
                format!(
                    "SELECT {} FROM patients WHERE phone IN ({})",
                    patients::COLS,
                    marks(1, n)
                )
            },
            patients::from_row,
            |s: &patients::Stored| Some(s.patient.phone.as_str()),
            |rows: Vec<patients::Stored>| rows.into_iter().next(),
        )
    }

    fn ask_references(&self, tx: &Tx) -> Result<()> {
        tx.keep_grouped(
            appointments::SELECTED,
            &self.references,
            |k| Asked::ByExternalRef(k),
            |n| appointments::by_refs_sql(tx.backend(), n),
            appointments::from_row,
            |a: &Appointment| a.external_reference_id.as_deref(),
            |holding: Vec<Appointment>| holding,
        )
    }

    fn ask_busy(&self, tx: &Tx) -> Result<()> {
        let mut days: Vec<_> = self
            .busy
            .iter()
            .filter(|(doctor, from, to)| {
                !tx.is_kept(&Asked::Busy {
                    doctor,
                    from: *from,
                    to: *to,
                })
            })
            .collect();
        days.sort_unstable();
        days.dedup();
        for chunk in days.chunks(100) {
            let mut args = Vec::with_capacity(chunk.len() * 4);
            for (d, from, to) in chunk {
                args.extend(
                    busy_times::busy_args(d, *from, *to, None)
                        .into_iter()
                        .take(4),
                );
            }
            let rows = tx.rows(
                On::reads(&[Table::Appointments]),
                &busy_times::busy_spans_sql(chunk.len()),
                &args,
                |r| Ok((r.get::<String>(6)?, busy_times::busy_row(r)?)),
            )?;
            for (doctor, from, to) in chunk {
                let busy = rows
                    .iter()
                    .filter(|(d, b)| d == doctor && b.holds(*from, *to))
                    .map(|(_, b)| b.clone())
                    .collect();
                let (from, to) = (*from, *to);
                let asked = Asked::Busy { doctor, from, to };
                tx.keep(asked, KeptBusy::new(from, to, busy));
            }
        }
        Ok(())
    }

    fn ask_tokens(&self, tx: &Tx) -> Result<()> {
        let mut days: Vec<_> = self
            .tokens
            .iter()
            .filter(|(scope, on)| !tx.is_kept(&Asked::LastToken { scope, on: *on }))
            .collect();
        days.sort_unstable();
        days.dedup();
        for chunk in days.chunks(200) {
            let sql = format!(
                "SELECT scope, local_date, last FROM tokens WHERE {}",
                (0..chunk.len())
                    .map(|i| format!("(scope = ?{} AND local_date = ?{})", 2 * i + 1, 2 * i + 2))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            );
            let args: Vec<Val> = chunk
                .iter()
                .flat_map(|(scope, on)| [scope.to_val(), on.to_val()])
                .collect();
            let found: HashMap<(String, String), i64> = tx
                .rows(On::reads(&[Table::Tokens]), &sql, &args, |r| {
                    Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
                })?
                .into_iter()
                .collect();
            for (scope, on) in chunk {
                let given = found.get(&(scope.to_string(), on.to_string())).copied();
                let kept = queue::last(given);
                tx.keep(Asked::LastToken { scope, on: *on }, kept);
            }
        }
        Ok(())
    }

    fn ask_closures(&self, tx: &Tx) -> Result<()> {
        let mut days: Vec<_> = self
            .closures
            .iter()
            .filter(|(clinic, doctor, on)| {
                !tx.is_kept(&Asked::Closures {
                    clinic,
                    doctors: &[doctor],
                    from: *on,
                    to: *on,
                })
            })
            .collect();
        days.sort_unstable();
        days.dedup();
        let (Some(first), Some(last)) = (
            days.iter().map(|d| d.2).min(),
            days.iter().map(|d| d.2).max(),
        ) else {
            return Ok(());
        };
        let mut clinic_ids: Vec<&str> = days.iter().map(|d| d.0).collect();
        clinic_ids.sort_unstable();
        clinic_ids.dedup();
        let mut doctor_ids: Vec<&str> = days.iter().map(|d| d.1).collect();
        doctor_ids.sort_unstable();
        doctor_ids.dedup();
        let sql = closures::touching_of(
            &format!("IN ({})", marks(3, clinic_ids.len())),
            Some(&format!(
                "IN ({})",
                marks(3 + clinic_ids.len(), doctor_ids.len())
            )),
            1,
        );
        let mut args = args![first, last].to_vec();
        args.extend(super::db::ids(&clinic_ids).chain(super::db::ids(&doctor_ids)));
        let mut rows = tx.rows(closures::READS, &sql, &args, |r| {
            Ok((r.get::<i64>(count(closures::COLS))?, closures::from_row(r)?))
        })?;
        closures::sort(&mut rows);
        for (clinic, doctor, on) in days {
            let touching: Vec<Closure> = rows
                .iter()
                .filter(|(k, c)| match k {
                    0 => c.clinic_id.as_deref() == Some(*clinic),
                    _ => c.doctor_id.as_deref() == Some(*doctor),
                })
                .filter(|(_, c)| c.to >= *on && c.from <= *on)
                .map(|(_, c)| c.clone())
                .collect();
            let asked = Asked::Closures {
                clinic,
                doctors: &[doctor],
                from: *on,
                to: *on,
            };
            tx.keep(asked, touching);
        }
        Ok(())
    }

    /// Reads the doctor whose whole ID is `id` together with its windows
    /// (with the services they take) and the clinics they are at, in one
    /// statement, and keeps the three as [`doctors::get`],
    /// [`windows::of_owner`] and [`clinics::of_doctor`] would: the API names
    /// a doctor by ID and its requests ask all three, two round trips less
    /// on PostgreSQL. When no doctor has that ID, only that is kept.
    pub fn doctor(tx: &Tx, id: &str) -> Result<()> {
        if !lookup::could_be_id(id) || tx.is_kept(&Asked::Doctor(id)) {
            return Ok(());
        }
        // A row per window and service, each with the doctor's columns first
        // and its clinic's last; one row of the doctor alone when it has none.
        let window_at = count(doctors::COLS);
        let clinic_at = window_at + count(windows::COLS) + 1;
        let mut doctor = None;
        let mut ws = Vec::new();
        let mut cs: Vec<Clinic> = Vec::new();
        tx.each(
            On::reads(&[
                Table::Doctors,
                Table::Windows,
                Table::WindowServices,
                Table::Clinics,
            ]),
            &format!(
                "SELECT * FROM (SELECT {} FROM doctors WHERE id = ?1) d \
                 LEFT JOIN ({} WHERE doctor_id = ?1) w ON 1 = 1 \
                 LEFT JOIN (SELECT {} FROM clinics) c ON c.id = w.clinic_id ORDER BY {}",
                doctors::COLS,
                windows::with_services(),
                clinics::COLS,
                under("w", windows::ORDER)
            ),
            args![super::db::id(id)],
            |r| {
                if doctor.is_none() {
                    doctor = Some(doctors::from_row(r)?);
                }
                if r.get::<Option<String>>(window_at)?.is_none() {
                    return Ok(());
                }
                windows::gather(&mut ws, &r.from(window_at))?;
                // Ordered by clinic first: each clinic's rows come together.
                let clinic = r.from(clinic_at);
                let clinic_id: String = clinic.get(0)?;
                if cs.last().is_none_or(|c| c.id != clinic_id) {
                    cs.push(clinics::from_row(&clinic)?);
                }
                Ok(())
            },
        )?;
        if doctor.is_some() {
            tx.keep(Asked::WindowsOfDoctor(id), ws);
            tx.keep(Asked::ClinicsOfDoctor(id), cs);
        }
        tx.keep(Asked::Doctor(id), doctor);
        Ok(())
    }

    /// Reads a doctor's busy times over `[from, to)` and the closures
    /// touching `date` (the clinic's and the doctor's) in one statement, and
    /// keeps both as [`busy_times::busy_for_doctor`] and
    /// [`closures::touching`] would: one doctor's day (`slots`, a booking)
    /// asks both, a round trip less on PostgreSQL. Nothing is read when
    /// either is kept already.
    pub fn day(
        tx: &Tx,
        clinic: &str,
        doctor: &str,
        date: NaiveDate,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<()> {
        let doctors = [doctor];
        let closed = Asked::Closures {
            clinic,
            doctors: &doctors,
            from: date,
            to: date,
        };
        let busy_asked = Asked::Busy { doctor, from, to };
        if tx.is_kept(&closed) || tx.is_kept(&busy_asked) {
            return Ok(());
        }
        let mut args = busy_times::busy_args(doctor, from, to, None);
        args.extend(closures::touching_args(clinic, &doctors, date, date));
        let sql = day_sql();
        // Where the busy time and the closure start in its rows (after
        // `one`, and after the busy time's columns).
        let (at_busy, at_closure) = (1, 1 + count(busy_times::BUSY_COLS));
        let mut busy: Vec<Busy> = Vec::new();
        let mut found: Vec<(i64, Closure)> = Vec::new();
        let on = On::reads(&[Table::Appointments, Table::Closures]);
        tx.each(on, &sql, &args, |r| {
            let (b, c) = (r.from(at_busy), r.from(at_closure));
            if let Some(id) = b.get::<Option<String>>(0)? {
                if !busy.iter().any(|x| x.id == id) {
                    busy.push(busy_times::busy_row(&b)?);
                }
            }
            if let Some(id) = c.get::<Option<String>>(0)? {
                if !found.iter().any(|(_, x)| x.id == id) {
                    found.push((c.get(count(closures::COLS))?, closures::from_row(&c)?));
                }
            }
            Ok(())
        })?;
        closures::sort(&mut found);
        let found: Vec<Closure> = found.into_iter().map(|(_, c)| c).collect();
        tx.keep(closed, found);
        tx.keep(busy_asked, KeptBusy::new(from, to, busy));
        Ok(())
    }
}

/// [`LookAhead::day`]'s statement: every busy time beside every closure (a
/// row of NULLs when there is neither; a day has few closures, mostly none).
pub(super) fn day_sql() -> String {
    format!(
        "SELECT * FROM (SELECT 1 AS one) o LEFT JOIN ({}) b ON 1 = 1 LEFT JOIN ({}) c ON 1 = 1",
        busy_times::busy_sql("doctor_id = ?1"),
        closures::touching_sql(6, 1)
    )
}
