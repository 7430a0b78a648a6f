//! The `doctors` table.

use super::asked::Asked;
use super::db::{On, Table};
use super::db::{Row, Tx};
use super::stored::{col, opt, Kind, Layout, MINUTES, PER_DAY};
use super::{epoch, name_key, Lookup};
use crate::args;
use crate::core::Doctor;
use crate::error::{Error, Result};

pub const COLS: &str =
    "id, full_name, specialty, slot_minutes, active, created_at, updated_at, max_per_day, online, service_ids";
const LOOKUP: Lookup = Lookup {
    table: Table::Doctors,
    also: &[],
    what: crate::error::Entity::Doctor,
    by_name: true,
    filter: "",
    label: "full_name || coalesce(' — ' || specialty, '')",
    suggest: true,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "doctors",
    id: "id",
    cols: &[
        opt("slot_minutes", Kind::Range(MINUTES.0, MINUTES.1)),
        opt("max_per_day", Kind::Range(PER_DAY.0, PER_DAY.1)),
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
    ],
    rules: &[],
};

pub(super) fn from_row(r: &Row) -> Result<Doctor> {
    let f = r.of("doctors", 0)?;
    Ok(Doctor {
        id: f.id().to_string(),
        full_name: f.get(1)?,
        specialty: f.get(2)?,
        slot_minutes: f.opt_range(3, MINUTES)?,
        active: f.get(4)?,
        created_at: f.instant(5)?,
        updated_at: f.instant(6)?,
        max_per_day: f.opt_range(7, PER_DAY)?,
        online: f.get(8)?,
        services: services_from(f.get(9)?),
    })
}

/// The `services` column: the IDs separated by spaces, NULL for every service.
fn services_from(stored: Option<String>) -> Vec<String> {
    stored
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect()
}

fn services_to(ids: &[String]) -> Option<String> {
    (!ids.is_empty()).then(|| ids.join(" "))
}

pub fn insert(conn: &Tx, d: &Doctor) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Doctors]),
        &format!(
            "INSERT INTO doctors ({COLS}, name_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
        ),
        args![
            super::db::id(&d.id),
            d.full_name,
            d.specialty,
            d.slot_minutes,
            d.active,
            epoch(d.created_at),
            epoch(d.updated_at),
            d.max_per_day,
            d.online,
            services_to(&d.services),
            name_key(&d.full_name)
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Tx, d: &Doctor) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Doctors]),
        "UPDATE doctors SET full_name=?2, name_key=?3, specialty=?4, slot_minutes=?5, active=?6, updated_at=?7, \
         max_per_day=?8, online=?9, service_ids=?10 WHERE id=?1",
        args![super::db::id(&d.id), d.full_name, name_key(&d.full_name), d.specialty, d.slot_minutes, d.active, epoch(d.updated_at), d.max_per_day, d.online, services_to(&d.services)],
    )?;
    Ok(())
}

/// Refuses a name another doctor already has (ignoring case and accents).
pub fn ensure_unique(conn: &Tx, name: &str, except: &str) -> Result<()> {
    super::ensure_unique_name(conn, &LOOKUP, name, except)
        .map_err(|e| e.hint(crate::text::msg!("e-a_second_doctor_of_that_name_needs")))
}

pub fn get(conn: &Tx, id: &str) -> Result<Doctor> {
    // An ID no doctor has is kept too: `find` asks it first of whatever is
    // spelt like an ID (a prefix, a name of hex letters), then looks on.
    conn.memo(Asked::Doctor(id), || {
        conn.row(
            On::reads(&[Table::Doctors]),
            &format!("SELECT {COLS} FROM doctors WHERE id = ?1"),
            args![super::db::id(id)],
            from_row,
        )
    })?
    .ok_or_else(|| Error::not_found(crate::error::Entity::Doctor))
}

pub fn list(conn: &Tx) -> Result<Vec<Doctor>> {
    conn.rows(
        On::reads(&[Table::Doctors]),
        &format!("SELECT {COLS} FROM doctors ORDER BY name_key"),
        args![],
        from_row,
    )
}

pub fn find(conn: &Tx, input: &str) -> Result<Doctor> {
    super::lookup::find(conn, &LOOKUP, input, get)
}

/// A doctor who can take bookings: an inactive one is `NOT_FOUND` (docs/rules.md#booking rule 2).
pub fn find_active(conn: &Tx, input: &str) -> Result<Doctor> {
    let d = find(conn, input)?;
    if !d.active {
        return Err(Error::not_found(crate::error::Entity::Doctor)
            .hint(crate::text::msg!("e-is_inactive", a = d.full_name)));
    }
    Ok(d)
}

/// The doctors with windows at a clinic, by name.
pub fn at_clinic(conn: &Tx, clinic_id: &str) -> Result<Vec<Doctor>> {
    // Kept until the database changes: the booking page asks at every request.
    conn.lasting(format!("doctors::at_clinic {clinic_id}"), || {
        conn.rows(
            On::reads(&[Table::Doctors, Table::Windows]),
            &format!(
                "SELECT {COLS} FROM doctors WHERE id IN (SELECT doctor_id FROM windows WHERE clinic_id = ?1) \
                 ORDER BY name_key, id"
            ),
            args![super::db::id(clinic_id)],
            from_row,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::zone::Tz;
    use crate::core::{Clinic, Owner, Recurrence, Service, Settings, Window};
    use crate::store::ahead::LookAhead;
    use crate::store::{clinics, windows, Store};
    use chrono::DateTime;

    // IDs kept as their 16 bytes (schema 62) must be spelt as IDs; each
    // ends with the short name it stands for, in the same order.
    const C1: &str = "00000000-0000-4000-8000-0000000000c1";
    const C2: &str = "00000000-0000-4000-8000-0000000000c2";
    const C3: &str = "00000000-0000-4000-8000-0000000000c3";
    const D1: &str = "00000000-0000-4000-8000-0000000000d1";
    const D2: &str = "00000000-0000-4000-8000-0000000000d2";
    /// No doctor's.
    const DD: &str = "00000000-0000-4000-8000-0000000000dd";
    const S1: &str = "00000000-0000-4000-8000-0000000000e1";
    const S2: &str = "00000000-0000-4000-8000-0000000000e2";
    const A1: &str = "00000000-0000-4000-8000-0000000000a1";
    const A2: &str = "00000000-0000-4000-8000-0000000000a2";
    const A3: &str = "00000000-0000-4000-8000-0000000000a3";

    /// Three clinics, two services; Dr. Uno has windows at two of the
    /// clinics, Dr. Dos at none.
    fn seed(tx: &Tx) -> Result<()> {
        let at = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        for (id, name) in [(C2, "Sur"), (C1, "Norte"), (C3, "Este")] {
            clinics::insert(
                tx,
                &Clinic {
                    id: id.into(),
                    name: name.into(),
                    timezone: Tz::named("America/El_Salvador").unwrap(),
                    settings: Settings::default(),
                    created_at: at,
                    updated_at: at,
                },
            )?;
        }
        for (id, name) in [(D1, "Dr. Uno"), (D2, "Dr. Dos")] {
            insert(
                tx,
                &Doctor {
                    id: id.into(),
                    full_name: name.into(),
                    specialty: None,
                    slot_minutes: None,
                    active: true,
                    max_per_day: None,
                    online: false,
                    services: vec![],
                    created_at: at,
                    updated_at: at,
                },
            )?;
        }
        for (id, name) in [(S1, "s1"), (S2, "s2")] {
            crate::store::services::insert(
                tx,
                &Service {
                    id: id.into(),
                    name: name.into(),
                    duration_minutes: 30,
                    max_per_day: None,
                    buffer_before: 0,
                    buffer_after: 0,
                    online: false,
                    created_at: at,
                    updated_at: at,
                },
            )?;
        }
        // a3 takes two services: two rows of the joined read, one window.
        for (id, clinic, services) in [
            (A1, C2, vec![]),
            (A2, C1, vec![]),
            (A3, C2, vec![S2.into(), S1.into()]),
        ] {
            windows::insert(
                tx,
                &Window {
                    id: id.into(),
                    clinic_id: clinic.into(),
                    doctor_id: Some(D1.into()),
                    recurrence: Recurrence::Weekly(0b11111),
                    from: 540,
                    to: 720,
                    slot_minutes: 30,
                    capacity: 1,
                    session: None,
                    batch: None,
                    services,
                    valid_from: None,
                    valid_to: None,
                    open: true,
                    created_at: at,
                },
            )?;
        }
        Ok(())
    }

    fn ids(clinics: &[Clinic]) -> Vec<&str> {
        clinics.iter().map(|c| c.id.as_str()).collect()
    }

    fn window_ids(ws: &[Window]) -> Vec<&str> {
        ws.iter().map(|w| w.id.as_str()).collect()
    }

    /// One statement reads a doctor, its windows and their clinics, and the
    /// transaction answers `get`, `windows::of_owner` and
    /// `clinics::of_doctor` from it as they would answer.
    fn doctor_windows_and_clinics_at_once(st: &mut Store) {
        st.write(seed).unwrap();
        // What the separate reads answer, to compare with.
        let (apart, apart_clinics) = st
            .read(|tx| {
                let ws = windows::of_owner(tx, &Owner::Doctor(D1.into()))?;
                Ok((ws, clinics::of_doctor(tx, D1)?))
            })
            .unwrap();
        assert_eq!(window_ids(&apart), [A2, A1, A3]);
        st.read(|tx| {
            let before = tx.statements_sent();
            LookAhead::doctor(tx, D1)?;
            LookAhead::doctor(tx, D2)?;
            LookAhead::doctor(tx, DD)?;
            assert_eq!(tx.statements_sent() - before, 3);
            assert!(tx.is_kept(&Asked::Doctor(D1)));
            assert!(tx.is_kept(&Asked::ClinicsOfDoctor(D2)));
            let before = tx.statements_sent();
            assert_eq!(get(tx, D1)?.full_name, "Dr. Uno");
            assert_eq!(ids(&clinics::of_doctor(tx, D1)?), [C1, C2]);
            let ws = windows::of_owner(tx, &Owner::Doctor(D1.into()))?;
            assert_eq!(get(tx, D2)?.full_name, "Dr. Dos");
            assert!(clinics::of_doctor(tx, D2)?.is_empty());
            assert!(windows::of_owner(tx, &Owner::Doctor(D2.into()))?.is_empty());
            assert_eq!(tx.statements_sent(), before, "all six were kept");
            // The windows as the separate read gives them, in its order,
            // each with its services, their columns read where they start.
            assert_eq!(window_ids(&ws), window_ids(&apart));
            assert_eq!(format!("{ws:?}"), format!("{apart:?}"));
            assert_eq!(ws[2].services, [S1, S2]);
            assert_eq!(
                (ws[0].from, ws[0].to, ws[0].clinic_id.as_str()),
                (540, 720, C1)
            );
            // No doctor of that ID: only that is kept, and `get` says so
            // without asking again.
            assert!(tx.is_kept(&Asked::Doctor(DD)));
            assert!(!tx.is_kept(&Asked::ClinicsOfDoctor(DD)));
            let before = tx.statements_sent();
            assert_eq!(get(tx, DD).unwrap_err().code, crate::error::Code::NotFound);
            assert_eq!(tx.statements_sent(), before);
            // Each clinic's columns read from where they start in the row.
            let kept = clinics::of_doctor(tx, D1)?;
            assert_eq!(format!("{kept:?}"), format!("{apart_clinics:?}"));
            assert_eq!(
                (kept[0].name.as_str(), kept[1].name.as_str()),
                ("Norte", "Sur")
            );
            assert_eq!(kept[0].timezone.name(), "America/El_Salvador");
            Ok(())
        })
        .unwrap();
        // A name is not read this way: `find` looks it up as before.
        st.read(|tx| {
            LookAhead::doctor(tx, "Dr. Uno")?;
            assert!(!tx.is_kept(&Asked::ClinicsOfDoctor("Dr. Uno")));
            assert_eq!(find(tx, "Dr. Uno")?.id, D1);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_doctor_its_windows_and_clinics_are_read_in_one_statement() {
        doctor_windows_and_clinics_at_once(&mut Store::in_memory().unwrap());
    }

    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn a_doctor_its_windows_and_clinics_are_read_in_one_statement_on_postgres() {
        crate::store::on_scratch_pg(doctor_windows_and_clinics_at_once);
    }
}
