//! The `closures` table.

use super::db::{marks, Row, ToVal, Tx};
use super::stored::{col, Kind, Table};
use super::{by_id, epoch, resolve, Lookup};
use crate::args;
use crate::core::Closure;
use crate::error::Result;
use chrono::NaiveDate;

pub const COLS: &str = "id, clinic_id, doctor_id, from_date, to_date, reason, created_at";
const LOOKUP: Lookup = Lookup {
    table: "closures",
    what: "Closure",
    by_name: false,
    filter: "",
    label: "from_date",
    suggest: false,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Table = Table {
    name: "closures",
    id: "id",
    cols: &[
        col("from_date", Kind::Date),
        col("to_date", Kind::Date),
        col("created_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Closure> {
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
        &format!("INSERT INTO closures ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7)"),
        args![
            c.id,
            c.clinic_id,
            c.doctor_id,
            c.from.to_string(),
            c.to.to_string(),
            c.reason,
            epoch(c.created_at)
        ],
    )?;
    Ok(())
}

pub fn list(conn: &Tx, clinic: Option<&str>, doctor: Option<&str>) -> Result<Vec<Closure>> {
    conn.rows(&format!(
        "SELECT {COLS} FROM closures WHERE (CAST(?1 AS TEXT) IS NULL OR clinic_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR doctor_id = ?2) \
         ORDER BY from_date, to_date"
    ), args![clinic, doctor], from_row)
}

pub fn find(conn: &Tx, input: &str) -> Result<Closure> {
    let id = resolve(conn, &LOOKUP, input)?;
    by_id(
        conn,
        &format!("SELECT {COLS} FROM closures WHERE id = ?1"),
        &id,
        "Closure",
        from_row,
    )
}

pub fn remove(conn: &Tx, id: &str) -> Result<()> {
    conn.exec("DELETE FROM closures WHERE id = ?1", args![id])?;
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
    let mut sql = format!(
        "SELECT {COLS}, 0 AS k FROM closures WHERE clinic_id = ?1 AND to_date >= ?2 AND from_date <= ?3"
    );
    if !doctor_ids.is_empty() {
        sql.push_str(&format!(
            " UNION ALL SELECT {COLS}, 1 FROM closures WHERE doctor_id IN ({}) \
             AND to_date >= ?2 AND from_date <= ?3",
            marks(4, doctor_ids.len())
        ));
    }
    sql.push_str(" ORDER BY k, from_date, id");
    let mut args = args![clinic_id, from.to_string(), to.to_string()].to_vec();
    args.extend(doctor_ids.iter().map(|d| d.to_val()));
    conn.memo("closures::touching", &args, || {
        conn.rows(&sql, &args, from_row)
    })
}
