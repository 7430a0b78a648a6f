//! The `windows` table and its services allow-list.

use super::asked::Asked;
use super::columns::count;
use super::db::{On, Table};
use super::db::{Row, Tx, Val};
use super::stored::{col, opt, Kind, Layout, CAPACITY, MINUTES};
use super::{epoch, resolve, Lookup, ACTIVE};
use crate::args;
use crate::core::{limits, Owner, Recurrence, Window};
use crate::error::{Error, Result};
use std::sync::Arc;

pub const COLS: &str =
    "id, clinic_id, doctor_id, weekdays, date, start_minute, end_minute, slot_minutes, capacity, \
                    session, batch, valid_from, valid_to, open, created_at";
/// The `window_services` table: the services a window takes.
pub const SERVICE_COLS: &str = "window_id, service_id";

const LOOKUP: Lookup = Lookup {
    table: Table::Windows,
    also: &[],
    what: crate::error::Entity::Window,
    by_name: false,
    filter: "",
    label: "clinic_id",
    suggest: false,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "windows",
    id: "id",
    cols: &[
        opt("weekdays", Kind::Range(WEEKDAYS.0, WEEKDAYS.1)),
        opt("date", Kind::Date),
        col(
            "start_minute",
            Kind::Range(DAY_MINUTES.0, DAY_MINUTES.1 - 1),
        ),
        col("end_minute", Kind::Range(DAY_MINUTES.0 + 1, DAY_MINUTES.1)),
        col("slot_minutes", Kind::Range(MINUTES.0, MINUTES.1)),
        col("capacity", Kind::Range(CAPACITY.0, CAPACITY.1)),
        opt("valid_from", Kind::Date),
        opt("valid_to", Kind::Date),
        col("created_at", Kind::Instant),
    ],
    rules: &[
        (
            "date",
            "(weekdays IS NULL) = (date IS NULL)",
            "e-and_weekdays_are_both_given_or_both",
        ),
        (
            "end_minute",
            "end_minute <= start_minute",
            "e-is_not_after_start_minute",
        ),
    ],
};

const WEEKDAYS: (i64, i64) = (*limits::WEEKDAYS.start(), *limits::WEEKDAYS.end());
const DAY_MINUTES: (i64, i64) = (*limits::DAY_MINUTES.start(), *limits::DAY_MINUTES.end());

fn from_row(r: &Row) -> Result<Window> {
    let f = r.of("windows", 0)?;
    let weekdays = f.opt_range(3, WEEKDAYS)?;
    let on = f.opt_date(4)?;
    let recurrence = match (weekdays, on) {
        // Within 1..=127, so a mask of seven bits.
        (Some(m), None) => Recurrence::Weekly(m as u8),
        (None, Some(d)) => Recurrence::Date(d),
        _ => {
            return Err(f.damaged(
                4,
                crate::text::msg!("e-and_weekdays_are_both_given_or_both"),
            ))
        }
    };
    let from = f.range(5, (DAY_MINUTES.0, DAY_MINUTES.1 - 1))?;
    let to = f.range(6, (DAY_MINUTES.0 + 1, DAY_MINUTES.1))?;
    if to <= from {
        return Err(f.damaged(6, crate::text::msg!("e-is_not_after_start_minute")));
    }
    Ok(Window {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        doctor_id: f.get(2)?,
        recurrence,
        from,
        to,
        slot_minutes: f.range(7, MINUTES)?,
        capacity: f.range(8, CAPACITY)?,
        session: f.get(9)?,
        batch: f.get(10)?,
        services: Vec::new(),
        valid_from: f.opt_date(11)?,
        valid_to: f.opt_date(12)?,
        open: f.get(13)?,
        created_at: f.instant(14)?,
    })
}

/// The windows `asked` asks for, each with the services it takes: one
/// statement however many windows match (a 50-doctor clinic has a hundred
/// or more, and on PostgreSQL each statement is a round trip), and none
/// when the transaction has asked already.
fn query(conn: &Tx, asked: Asked) -> Result<Vec<Window>> {
    let (cond, id) = match asked {
        Asked::Window(id) => ("id = ?1", id),
        Asked::WindowsOfDoctor(d) => ("doctor_id = ?1", d),
        Asked::WindowsOfClinic(c) => ("clinic_id = ?1 AND doctor_id IS NULL", c),
        _ => {
            return Err(Error::internal(crate::text::msg!(
                "e-is_not_a_question_of_windows",
                asked = format!("{:?}", asked)
            )))
        }
    };
    conn.memo(asked, || read(conn, cond, args![super::db::id(id)]))
}

/// What a read of windows with their services reads.
pub(super) const WITH_SERVICES: On = On::reads(&[Table::Windows, Table::WindowServices]);

fn read(conn: &Tx, cond: &str, args: &[Val]) -> Result<Vec<Window>> {
    let mut ws: Vec<Window> = Vec::new();
    conn.each(
        WITH_SERVICES,
        &format!("{} WHERE {cond} ORDER BY {ORDER}", with_services()),
        args,
        |r| gather(&mut ws, r),
    )?;
    Ok(ws)
}

/// A row per window and service it takes (one for a window that names
/// none): [`COLS`], then the service. Ordered by [`ORDER`], a window's rows
/// come together.
pub(super) fn with_services() -> String {
    format!(
        "SELECT {COLS}, s.service_id FROM windows \
         LEFT JOIN window_services s ON s.window_id = windows.id"
    )
}

/// The order [`with_services`]'s rows are read in (and windows listed in).
pub(super) const ORDER: &str = "clinic_id, doctor_id, date, weekdays, start_minute, id, service_id";

/// Reads one of [`with_services`]'s rows into `ws`: a new window, or one
/// more service of the last.
pub(super) fn gather(ws: &mut Vec<Window>, r: &Row) -> Result<()> {
    let id: String = r.get(0)?;
    let service: Option<String> = r.get(const { count(COLS) })?;
    if ws.last().is_none_or(|w| w.id != id) {
        ws.push(from_row(r)?);
    }
    if let (Some(w), Some(s)) = (ws.last_mut(), service) {
        w.services.push(s);
    }
    Ok(())
}

pub fn insert(conn: &Tx, w: &Window) -> Result<()> {
    let (weekdays, on) = match &w.recurrence {
        Recurrence::Weekly(m) => (Some(*m as i64), None),
        Recurrence::Date(d) => (None, Some(d.to_string())),
    };
    conn.exec(
        On::writes(&[Table::Windows]),
        &format!("INSERT INTO windows ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"),
        args![
            super::db::id(&w.id), super::db::id(&w.clinic_id), super::db::maybe_id(w.doctor_id.as_deref()), weekdays, on, w.from, w.to, w.slot_minutes, w.capacity, w.session,
            w.batch, w.valid_from.map(|d| d.to_string()), w.valid_to.map(|d| d.to_string()), w.open,
            epoch(w.created_at)
        ],
    )?;
    for s in &w.services {
        conn.exec(
            On::writes(&[Table::WindowServices]),
            &format!("INSERT INTO window_services ({SERVICE_COLS}) VALUES (?1, ?2) ON CONFLICT DO NOTHING"),
            args![super::db::id(&w.id), super::db::id(s)],
        )?;
    }
    Ok(())
}

pub fn get(conn: &Tx, id: &str) -> Result<Window> {
    query(conn, Asked::Window(id))?
        .pop()
        .ok_or_else(|| Error::not_found(crate::error::Entity::Window))
}

pub fn find(conn: &Tx, input: &str) -> Result<Window> {
    get(conn, &resolve(conn, &LOOKUP, input)?)
}

/// Every window of a doctor (at any clinic), or a clinic's clinic-wide windows.
pub fn of_owner(conn: &Tx, owner: &Owner) -> Result<Vec<Window>> {
    match owner {
        Owner::Doctor(d) => query(conn, Asked::WindowsOfDoctor(d)),
        Owner::ClinicWide(c) => query(conn, Asked::WindowsOfClinic(c)),
    }
}

pub fn list(conn: &Tx, clinic: Option<&str>, doctor: Option<&str>) -> Result<Arc<[Window]>> {
    // Kept by the connection until the database changes, and handed
    // out shared: the booking page reads its clinic's windows at every
    // request.
    let asked = format!(
        "windows::list {} {}",
        clinic.unwrap_or("-"),
        doctor.unwrap_or("-")
    );
    conn.lasting(asked, || {
        read(
            conn,
            "(clinic_id = ?1 OR ?1 IS NULL) AND (doctor_id = ?2 OR ?2 IS NULL)",
            args![super::db::maybe_id(clinic), super::db::maybe_id(doctor)],
        )
        .map(Arc::from)
    })
}

pub fn set_open(conn: &Tx, id: &str, open: bool) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Windows]),
        "UPDATE windows SET open = ?2 WHERE id = ?1",
        args![super::db::id(id), open],
    )?;
    Ok(())
}

/// Active appointments booked into the window from `now` on: among its
/// doctor's (or, for a clinic-wide window, the clinic's without a doctor)
/// busy times, whose index holds the active ones (schema v24).
pub fn upcoming_bookings(conn: &Tx, w: &Window, now: i64) -> Result<i64> {
    conn.one(
        On::reads(&[Table::Appointments]),
        &upcoming_sql(w.doctor_id.is_some()),
        args![
            super::db::id(&w.id),
            now,
            super::db::id(w.doctor_id.as_deref().unwrap_or(&w.clinic_id))
        ],
    )
}

/// [`upcoming_bookings`]' statement, for a doctor's window (`?3` the
/// doctor) or a clinic-wide one (`?3` the clinic).
fn upcoming_sql(doctor: bool) -> String {
    let owner = if doctor {
        "doctor_id = ?3"
    } else {
        "doctor_id IS NULL AND clinic_id = ?3"
    };
    format!(
        "SELECT count(*) FROM appointments WHERE {owner} AND starts_at >= ?2 \
         AND status IN {ACTIVE} AND window_id = ?1"
    )
}

pub fn remove(conn: &Tx, id: &str) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Windows]),
        "DELETE FROM windows WHERE id = ?1",
        args![super::db::id(id)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite_plan as plan;

    /// A window's upcoming bookings are read among its doctor's busy times
    /// (schema v24 left no index of windows' appointments); a clinic-wide
    /// window's, through an index too.
    #[test]
    fn upcoming_bookings_are_read_through_an_index() {
        let p = plan(&upcoming_sql(true), vec![Val::Null; 3]);
        assert!(
            p[0].starts_with(
                "SEARCH appointments USING INDEX appt_doctor_busy (doctor_id=? AND starts_at>?)"
            ),
            "{p:?}"
        );
        let p = plan(&upcoming_sql(false), vec![Val::Null; 3]);
        assert!(p[0].starts_with("SEARCH appointments USING"), "{p:?}");
    }

    /// The same on PostgreSQL, with sequential scans discouraged.
    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn upcoming_bookings_are_read_through_an_index_on_postgres() {
        crate::store::on_scratch_pg(|st| {
            st.read(|tx| {
                tx.exec(On::NOTHING, "SET LOCAL enable_seqscan = off", &[])?;
                for doctor in [true, false] {
                    let sql = format!("EXPLAIN {}", upcoming_sql(doctor));
                    // IDs kept as their 16 bytes (schema 62): a `uuid` here.
                    let (w, d) = (crate::store::new_id(), crate::store::new_id());
                    let plan: Vec<String> = tx.rows(
                        On::NOTHING,
                        &sql,
                        args![crate::store::db::id(&w), 0_i64, crate::store::db::id(&d)],
                        |r| r.get(0),
                    )?;
                    let plan = plan.join("\n");
                    assert!(!plan.contains("Seq Scan"), "{plan}");
                    assert!(!doctor || plan.contains("appt_doctor_busy"), "{plan}");
                }
                Ok(())
            })
            .unwrap();
        });
    }
}
