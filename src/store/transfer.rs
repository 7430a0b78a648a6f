//! `appt transfer --to DB`: every row of one database copied into an empty
//! one, of either engine, in one transaction, and the counts verified — how a
//! clinic moves from its file to a server, or takes a server's data back.

use super::db::{marks, Backend, Tx, Val};
use super::db::{On, Table};
use super::{
    api_tokens, appointments, clinics, closures, columns, doctors, events, links, meta, patients,
    reminders, services, waitlist, webhooks, windows, Store,
};
use crate::args;
use crate::error::{Error, Result};

/// Every table, parents before children (foreign keys hold at every
/// insert), with its columns: the list its module reads and writes, and the
/// columns that module fills by itself (a name's search key, a sequence).
/// The same on both engines.
const TABLES: &[(&str, &str, &str)] = &[
    ("clinics", clinics::COLS, "name_key"),
    ("resources", super::resources::COLS, "name_key"),
    ("resource_hours", super::resources::HOURS_COLS, ""),
    ("resource_closures", super::resources::CLOSURE_COLS, ""),
    ("channels", super::channels::COLS, ""),
    ("doctors", doctors::COLS, "name_key"),
    ("services", services::COLS, "name_key, removed_at"),
    ("service_needs", super::resources::NEED_COLS, ""),
    ("windows", windows::COLS, ""),
    ("window_services", windows::SERVICE_COLS, ""),
    ("closures", closures::COLS, ""),
    ("patients", patients::COLS, "name_key"),
    ("appointments", appointments::COLS, appointments::MORE),
    ("appointment_resources", super::resources::GIVEN_COLS, ""),
    ("tokens", super::queue::COLS, ""),
    ("waitlist", waitlist::COLS, ""),
    (
        "reminders",
        reminders::COLS,
        "claimed_until, updated_at, claim",
    ),
    ("patient_links", links::COLS, ""),
    ("inbox", super::inbox::TABLE_COLS, ""),
    ("holds", super::holds::COLS, ""),
    ("hold_resources", super::resources::HOLD_COLS, ""),
    ("web_codes", super::holds::CODE_COLS, ""),
    ("events", events::COLS, ""),
    ("access_log", super::access_log::COLS, ""),
    ("webhooks", webhooks::COLS, ""),
    (
        "staff",
        super::staff::COLS,
        "name_key, failed_pins, locked_until",
    ),
    ("staff_sessions", super::staff::SESSION_COLS, ""),
    // After the staff a token may be tied to.
    ("api_tokens", api_tokens::COLS, ""),
    ("auth_failures", super::auth_failures::COLS, ""),
    ("feeds", super::feeds::COLS, ""),
    ("calendars", super::calendars::COLS, ""),
    ("calendar_busy", super::calendars::BUSY_COLS, ""),
    ("calendar_writes", super::calendars::WRITE_COLS, ""),
    ("meta", meta::COLS, ""),
];

/// Rows per insert statement: within both engines' limits on parameters
/// (the widest table has 33 columns).
const ROWS_PER_INSERT: usize = 250;

fn count(tx: &Tx, table: &str) -> Result<i64> {
    tx.one(On::SCAN, &format!("SELECT count(*) FROM {table}"), args![])
}

/// The indexes (but the keys and the unique constraints) and PostgreSQL's
/// exclusion constraints that are made once every row is in, each as the
/// statement that drops it and the one that makes it again. An index
/// grown a row at a time in an order not its own is split as it goes, and
/// left 43 to 82% full on PostgreSQL; made from the rows at once it is
/// packed, and sooner made (docs/performance/issue-69.md). A table with
/// triggers keeps its indexes while it is filled, since a trigger may read
/// them.
fn made_later(tx: &Tx) -> Result<Vec<(String, String)>> {
    let mut later = Vec::new();
    for (table, ..) in TABLES {
        if super::visit_ids::triggers(tx, table)?.is_empty() {
            later.extend(super::visit_ids::indexes(tx, table)?);
        }
    }
    Ok(later)
}

/// Copies everything in `from` into `to`, which must hold no rows; returns
/// each table with the rows copied. Nothing is written unless every count
/// matches.
pub fn transfer(from: &mut Store, to: &mut Store) -> Result<Vec<(&'static str, i64)>> {
    let target = to.location.clone();
    let copied = from.read(|src| {
        to.write(|dst| {
            // `meta` holds facts about the file itself (made on opening it): it
            // takes the source's facts instead.
            for (table, ..) in TABLES.iter().filter(|(t, ..)| *t != "meta") {
                if count(dst, table)? > 0 {
                    return Err(Error::field(
                        "to",
                        crate::text::msg!("e-is_not_empty_its_table_has_rows", target = target, table = table),
                    ));
                }
            }
            dst.exec(On::writes(&[Table::Meta]), "DELETE FROM meta", &[])?;
            let later = made_later(dst)?;
            for (drop, _) in &later {
                dst.script(drop)?;
            }
            let mut copied = Vec::new();
            for (table, cols, more) in TABLES {
                let cols = columns::and(cols, more);
                let n = columns::count(&cols);
                // Rows go over in multi-row inserts: one round trip to a
                // server per few hundred rows, not per row.
                let insert = |values: &[Val]| -> Result<()> {
                    let rows: Vec<String> = (0..values.len() / n)
                        .map(|r| format!("({})", marks(r * n + 1, n)))
                        .collect();
                    dst.exec(
                        // A copy into a new database: nothing is kept yet.
                        On::EVERYTHING,
                        &format!("INSERT INTO {table} ({cols}) VALUES {}", rows.join(", ")),
                        values,
                    )?;
                    Ok(())
                };
                let mut pending: Vec<Val> = Vec::with_capacity(ROWS_PER_INSERT * n);
                src.each(On::SCAN, &format!("SELECT {cols} FROM {table}"), &[], |row| {
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
                    return Err(Error::database(crate::text::msg!("e-transfer_of_copied_rows_of_nothing_was", table = table, has = has, had = had)));
                }
                copied.push((*table, has));
            }
            for (_, make) in &later {
                dst.script(make)?;
            }
            if dst.backend() == Backend::Postgres {
                // Event IDs were copied as they were: new ones follow the last.
                dst.exec(
                    On::reads(&[Table::Events]),
                    "SELECT setval(pg_get_serial_sequence('events', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM events",
                    &[],
                )?;
            }
            Ok(copied)
        })
    })?;
    // The planner's statistics and the visibility map, so the first
    // queries on a server's copy use the indexes alone rather than guess
    // (docs/operations.md#moving-between-engines). The rows are committed by
    // now: a failure here loses nothing, and is told, not returned.
    let tables: Vec<&str> = TABLES.iter().map(|(t, ..)| *t).collect();
    if let Err(e) = to.settle(&tables) {
        to.notices.push(
            Error::database(crate::text::msg!(
                "e-every_row_was_copied_but_vacuuming_the",
                a = e.msg
            ))
            .hint(crate::text::msg!(
                "e-run_vacuum_freeze_analyze_on_its_tables"
            )),
        );
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column added by a migration and missing here would be left behind
    /// by every transfer. The tables' counts of changes (`changes`) are not
    /// copied: they are the database's own, and a new one counts its own
    /// writes from the start.
    #[test]
    fn the_lists_name_every_column_of_every_table() {
        let mut st = Store::in_memory().unwrap();
        let tables: Vec<String> = st
            .read(|tx| {
                tx.rows(
                    On::SCAN,
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                     AND name <> 'changes' ORDER BY name",
                    &[],
                    |r| r.get(0),
                )
            })
            .unwrap();
        let mut listed: Vec<String> = TABLES.iter().map(|(t, ..)| t.to_string()).collect();
        listed.sort();
        assert_eq!(listed, tables);
        for (table, cols, more) in TABLES {
            let mut have: Vec<String> = st
                .read(|tx| {
                    tx.rows(
                        On::SCAN,
                        &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY name"),
                        &[],
                        |r| r.get(0),
                    )
                })
                .unwrap();
            let mut named: Vec<String> = columns::and(cols, more)
                .split(',')
                .map(|c| c.trim().to_string())
                .collect();
            named.sort();
            have.sort();
            assert_eq!(named, have, "{table}");
        }
    }
}
