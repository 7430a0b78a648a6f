//! The `closures` table.

use super::asked::Asked;
use super::db::{marks, Row, ToVal, Tx, Val};
use super::db::{On, Table};
use super::stored::{col, Kind, Layout};
use super::{by_id, epoch, resolve, Lookup};
use crate::args;
use crate::core::Closure;
use crate::error::Result;
use chrono::NaiveDate;

pub const COLS: &str = "id, clinic_id, doctor_id, from_date, to_date, reason, created_at";
const LOOKUP: Lookup = Lookup {
    table: Table::Closures,
    also: &[],
    what: crate::error::Entity::Closure,
    by_name: false,
    filter: "",
    label: "from_date",
    suggest: false,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "closures",
    id: "id",
    cols: &[
        col("from_date", Kind::Date),
        col("to_date", Kind::Date),
        col("created_at", Kind::Instant),
    ],
    rules: &[],
};

pub(super) fn from_row(r: &Row) -> Result<Closure> {
    let f = r.of("closures", 0)?;
    Ok(Closure {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        doctor_id: f.get(2)?,
        from: f.date(3)?,
        to: f.date(4)?,
        reason: f.get(5)?,
        created_at: f.instant(6)?,
    })
}

pub fn insert(conn: &Tx, c: &Closure) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Closures]),
        &format!("INSERT INTO closures ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7)"),
        args![
            c.id,
            super::db::maybe_id(c.clinic_id.as_deref()),
            super::db::maybe_id(c.doctor_id.as_deref()),
            c.from.to_string(),
            c.to.to_string(),
            c.reason,
            epoch(c.created_at)
        ],
    )?;
    Ok(())
}

pub fn list(conn: &Tx, clinic: Option<&str>, doctor: Option<&str>) -> Result<Vec<Closure>> {
    conn.rows(On::reads(&[Table::Closures]), &format!(
        "SELECT {COLS} FROM closures WHERE (clinic_id = ?1 OR ?1 IS NULL) AND (doctor_id = ?2 OR ?2 IS NULL) \
         ORDER BY from_date, to_date"
    ), args![super::db::maybe_id(clinic), super::db::maybe_id(doctor)], from_row)
}

pub fn find(conn: &Tx, input: &str) -> Result<Closure> {
    let id = resolve(conn, &LOOKUP, input)?;
    by_id(
        conn,
        READS,
        &format!("SELECT {COLS} FROM closures WHERE id = ?1"),
        id.to_val(),
        crate::error::Entity::Closure,
        from_row,
    )
}

pub fn remove(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Closures]),
        "DELETE FROM closures WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

/// The closures of this clinic, then of these doctors, that touch the days
/// `from` to `to`.
pub fn touching(
    conn: &Tx,
    clinic_id: &str,
    doctor_ids: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Closure>> {
    let sql = format!(
        "{} ORDER BY k, from_date, id",
        touching_sql(1, doctor_ids.len())
    );
    let args = touching_args(clinic_id, doctor_ids, from, to);
    let asked = Asked::Closures {
        clinic: clinic_id,
        doctors: doctor_ids,
        from,
        to,
    };
    // Kept, besides, until the database changes: the booking page asks at
    // every request.
    let lasting = format!(
        "closures::touching {clinic_id} {from} {to} {}",
        doctor_ids.join(" ")
    );
    conn.memo(asked, || {
        conn.lasting(lasting, || conn.rows(READS, &sql, &args, from_row))
    })
}

/// [`touching`]'s statement, unordered, its parameters ([`touching_args`])
/// numbered from `first`: [`COLS`], then `k`, 0 for the clinic's closures
/// and 1 for the doctors'.
pub(super) fn touching_sql(first: usize, doctors: usize) -> String {
    let of_doctors = (doctors > 0).then(|| format!("IN ({})", marks(first + 3, doctors)));
    touching_of(&format!("= ?{first}"), of_doctors.as_deref(), first + 1)
}

/// The closures of the clinics `clinics` names (`= ?1`, `IN (…)`), then of
/// the doctors `doctors` names, touching the days from `?{from}` to the
/// next parameter: [`COLS`], then `k` (0 a clinic's, 1 a doctor's). One
/// doctor's day ([`touching_sql`]) and an import's next lines
/// ([`super::ahead`]) ask it alike.
pub(super) fn touching_of(clinics: &str, doctors: Option<&str>, from: usize) -> String {
    let days = format!("to_date >= ?{from} AND from_date <= ?{}", from + 1);
    let mut sql =
        format!("SELECT {COLS}, 0 AS k FROM closures WHERE clinic_id {clinics} AND {days}");
    if let Some(doctors) = doctors {
        sql.push_str(&format!(
            " UNION ALL SELECT {COLS}, 1 FROM closures WHERE doctor_id {doctors} AND {days}"
        ));
    }
    sql
}

/// Orders closures read with their `k` as [`touching`] gives them.
pub(super) fn sort(read: &mut [(i64, Closure)]) {
    read.sort_by(|(k, a), (l, b)| (k, a.from, &a.id).cmp(&(l, b.from, &b.id)));
}

/// What the closures' reads read.
pub(super) const READS: On = On::reads(&[Table::Closures]);

pub(super) fn touching_args(
    clinic_id: &str,
    doctor_ids: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Val> {
    let mut args = args![super::db::id(clinic_id), from.to_string(), to.to_string()].to_vec();
    args.extend(super::db::ids(doctor_ids));
    args
}
