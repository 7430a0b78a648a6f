//! The `access_log` table: who looked at a visit's clinical fields, and
//! when (docs/security.md#who-looked). It names the patient and the visit
//! by ID alone: their name is the patients table's, so an erasure leaves
//! each row (and the count) naming nobody.

use super::db::{On, Row, Table, Tx};
use super::epoch;
use crate::args;
use crate::error::Result;
use chrono::{DateTime, Utc};

/// One look, as recorded: the visit, its clinic and its patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    pub clinic_id: String,
    pub patient_id: String,
    pub appointment_id: String,
}

/// One row as `access-log` shows it: the look, when, by whom, how, and
/// the patient's name now (the placeholder once erased).
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub look: Look,
    pub patient: String,
    pub erased: bool,
    /// `staff:Marta`, or an API token's `api:<name>`.
    pub actor: String,
    /// `cli:recepcion`: the OS account, or the server's, it ran under.
    pub os_user: String,
    /// The command or route that showed it (`show`, `GET /v1/appointments/{id}`).
    pub command: String,
}

/// The columns, as copied.
pub const COLS: &str = "id, at, clinic_id, patient_id, appointment_id, actor, os_user, command";

/// Records that `actor` (as `os_user`) was shown the clinical record of
/// each visit of `appointment_ids` by `command` at `at`: its clinic and
/// patient read with it.
pub fn record(
    tx: &Tx,
    appointment_ids: &[String],
    actor: &str,
    os_user: &str,
    command: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    for id in appointment_ids {
        tx.exec(
            On {
                reads: &[Table::Appointments],
                writes: &[Table::AccessLog],
            },
            &format!(
                "INSERT INTO access_log ({COLS}) \
                 SELECT ?1, ?2, clinic_id, patient_id, id, ?3, ?4, ?5 FROM appointments WHERE id = ?6"
            ),
            args![
                super::new_id(),
                epoch(at),
                actor,
                os_user,
                command,
                super::db::id(id)
            ],
        )?;
    }
    Ok(())
}

/// What `access-log` asks for: a clinic, a patient, who.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub clinic_id: Option<String>,
    pub patient_id: Option<String>,
    /// `staff:Marta`.
    pub actor: Option<String>,
    pub limit: i64,
}

/// The looks `f` asks for, latest first. The clinic's and the patient's
/// IDs are compared before they are asked whether they are NULL:
/// PostgreSQL takes a parameter's type from its first use, and `IS NULL`
/// gives it none.
pub fn list(tx: &Tx, f: &Filter) -> Result<Vec<Entry>> {
    tx.rows(
        On::reads(&[Table::AccessLog, Table::Patients]),
        "SELECT l.at, l.clinic_id, l.patient_id, l.appointment_id, l.actor, l.os_user, \
         l.command, p.full_name, p.erased_at IS NOT NULL \
         FROM access_log l JOIN patients p ON p.id = l.patient_id \
         WHERE (l.clinic_id = ?1 OR ?1 IS NULL) \
         AND (l.patient_id = ?2 OR ?2 IS NULL) \
         AND (CAST(?3 AS TEXT) IS NULL OR l.actor = ?3) \
         ORDER BY l.at DESC, l.id LIMIT ?4",
        args![
            super::db::maybe_id(f.clinic_id.as_deref()),
            super::db::maybe_id(f.patient_id.as_deref()),
            f.actor,
            f.limit
        ],
        from_row,
    )
}

fn from_row(r: &Row) -> Result<Entry> {
    let at: i64 = r.get(0)?;
    Ok(Entry {
        at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
        look: Look {
            clinic_id: r.get(1)?,
            patient_id: r.get(2)?,
            appointment_id: r.get(3)?,
        },
        actor: r.get(4)?,
        os_user: r.get(5)?,
        command: r.get(6)?,
        patient: r.get(7)?,
        erased: r.get(8)?,
    })
}

/// Forgets the looks at `clinic_id`'s visits recorded before `before`: the
/// clinic's retention. How many went.
pub fn purge(tx: &Tx, clinic_id: &str, before: DateTime<Utc>) -> Result<usize> {
    tx.exec(
        On::writes(&[Table::AccessLog]),
        "DELETE FROM access_log WHERE clinic_id = ?1 AND at < ?2",
        args![super::db::id(clinic_id), epoch(before)],
    )
}

/// How many looks [`purge`] would forget.
pub fn count_before(tx: &Tx, clinic_id: &str, before: DateTime<Utc>) -> Result<usize> {
    let n: i64 = tx.one(
        On::reads(&[Table::AccessLog]),
        "SELECT count(*) FROM access_log WHERE clinic_id = ?1 AND at < ?2",
        args![super::db::id(clinic_id), epoch(before)],
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}
