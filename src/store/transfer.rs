//! `appt transfer --to DB`: every row of one database copied into an empty
//! one, of either engine, in one transaction, and the counts verified — how a
//! clinic moves from its file to a server, or takes a server's data back.

use super::db::{marks, Backend, Tx, Val};
use super::Store;
use crate::args;
use crate::error::{Error, Result};

/// Every table and its columns, parents before children (foreign keys hold at
/// every insert). The same on both engines.
const TABLES: &[(&str, &str)] = &[
    ("clinics", "id, name, name_key, timezone, slot_minutes, min_notice, horizon, cancel_window, reminders, duplicate_check, require_diagnosis, created_at, updated_at, notify"),
    ("doctors", "id, full_name, name_key, specialty, slot_minutes, active, created_at, updated_at"),
    ("services", "id, name, name_key, duration_minutes, removed_at, created_at, updated_at"),
    ("windows", "id, clinic_id, doctor_id, weekdays, date, start_minute, end_minute, slot_minutes, capacity, session, batch, valid_from, valid_to, open, created_at"),
    ("window_services", "window_id, service_id"),
    ("closures", "id, clinic_id, doctor_id, from_date, to_date, reason, created_at"),
    ("patients", "id, full_name, name_key, phone, national_id, email, no_show_count, created_at, updated_at"),
    ("appointments", "id, clinic_id, doctor_id, window_id, patient_id, service_id, local_date, starts_at, ends_at, duration_minutes, status, token_number, source, session, batch, reason, notes, diagnosis, prescription, follow_up_required, follow_up_date, cancellation_reason, external_reference_id, sequence, created_at, updated_at, confirmed_at, checked_in_at, started_at, completed_at, cancelled_at, no_show_at, solo"),
    ("tokens", "scope, local_date, last"),
    ("waitlist", "id, clinic_id, doctor_id, patient_id, service_id, local_date, offers, created_at, seq"),
    ("reminders", "id, appointment_id, offset_minutes, due_at, status, attempts, next_attempt_at, claimed_until, sent_at, last_error, created_at, updated_at, claim, kind, data, waitlist_id"),
    ("events", "id, type, appointment_id, created_at, data"),
    ("webhooks", "id, url, events, secret, cursor, attempts, next_attempt_at, claimed_until, last_error, delivered, created_at"),
    ("meta", "key, value"),
];

/// Rows per insert statement: within both engines' limits on parameters
/// (the widest table has 33 columns).
const ROWS_PER_INSERT: usize = 250;

fn count(tx: &Tx, table: &str) -> Result<i64> {
    tx.one(&format!("SELECT count(*) FROM {table}"), args![])
}

/// Copies everything in `from` into `to`, which must hold no rows; returns
/// each table with the rows copied. Nothing is written unless every count
/// matches.
pub fn transfer(from: &mut Store, to: &mut Store) -> Result<Vec<(&'static str, i64)>> {
    let target = to.location.clone();
    from.read(|src| {
        to.write(|dst| {
            // `meta` holds facts about the file itself (made on opening it): it
            // takes the source's facts instead.
            for (table, _) in TABLES.iter().filter(|(t, _)| *t != "meta") {
                if count(dst, table)? > 0 {
                    return Err(Error::field(
                        "to",
                        format!("{target} is not empty (its {table} has rows); transfer copies into an empty database only"),
                    ));
                }
            }
            dst.exec("DELETE FROM meta", &[])?;
            let mut copied = Vec::new();
            for (table, cols) in TABLES {
                let n = cols.split(',').count();
                // Rows go over in multi-row inserts: one round trip to a
                // server per few hundred rows, not per row.
                let insert = |values: &[Val]| -> Result<()> {
                    let rows: Vec<String> = (0..values.len() / n)
                        .map(|r| format!("({})", marks(r * n + 1, n)))
                        .collect();
                    dst.exec(
                        &format!("INSERT INTO {table} ({cols}) VALUES {}", rows.join(", ")),
                        values,
                    )?;
                    Ok(())
                };
                let mut pending: Vec<Val> = Vec::with_capacity(ROWS_PER_INSERT * n);
                src.each(&format!("SELECT {cols} FROM {table}"), &[], |row| {
                    for i in 0..n {
                        pending.push(row.get::<Val>(i)?);
                    }
                    if pending.len() == ROWS_PER_INSERT * n {
                        insert(&pending)?;
                        pending.clear();
                    }
                    Ok(())
                })?;
                if !pending.is_empty() {
                    insert(&pending)?;
                }
                let (had, has) = (count(src, table)?, count(dst, table)?);
                if had != has {
                    return Err(Error::database(format!(
                        "transfer of {table} copied {has} rows of {had}; nothing was written"
                    )));
                }
                copied.push((*table, has));
            }
            if dst.backend() == Backend::Postgres {
                // Event IDs were copied as they were: new ones follow the last.
                dst.exec(
                    "SELECT setval(pg_get_serial_sequence('events', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM events",
                    &[],
                )?;
                // The planner's statistics, so the first queries on the copy
                // use the indexes rather than guess.
                dst.script("ANALYZE")?;
            }
            Ok(copied)
        })
    })
}
