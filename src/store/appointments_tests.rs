//! Unit tests of the appointments table (src/store/appointments.rs).

use super::appointment_busy::{busy_many_sql, busy_spans_sql, busy_sql, CLINIC_WIDE};
use super::*;
use crate::store::db::Val;
use crate::store::Store;

/// A patient's ID, kept as its 16 bytes (schema 61).
const PATIENT: &str = "00000000-0000-4000-8000-000000000001";

/// A clinic's, two doctors' and a service's IDs, kept as their 16 bytes
/// (schema 62).
const CLINIC: &str = "00000000-0000-4000-8000-00000000000c";
const DOCTOR: &str = "00000000-0000-4000-8000-00000000000d";
const OTHER_DOCTOR: &str = "00000000-0000-4000-8000-00000000000e";
const SERVICE: &str = "00000000-0000-4000-8000-00000000000f";

/// The query plan of `sql`, one line per step.
fn plan(conn: &rusqlite::Connection, sql: &str, n: usize) -> String {
    let args: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Null; n];
    let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows = st
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
}

fn assert_indexed(conn: &rusqlite::Connection, sql: &str, n: usize) {
    let p = plan(conn, sql, n);
    assert!(
        !p.contains("SCAN a") && !p.contains("SCAN appointments"),
        "full scan in\n{sql}\n{p}"
    );
}

/// Every combination of `list`'s filters (clinic, a day or a week,
/// status, doctor, patient, source), at least one given.
fn every_filter() -> Vec<Filter> {
    (1u32..128)
        .filter(|m| m & (1 << 6) == 0 || m & (1 << 1) != 0)
        .map(|m| {
            let on = |bit: u32| m & (1 << bit) != 0;
            let day = NaiveDate::from_ymd_opt(2026, 6, 15);
            let last = if on(6) {
                NaiveDate::from_ymd_opt(2026, 6, 21)
            } else {
                day
            };
            Filter {
                clinic_id: on(0).then(|| CLINIC.into()),
                from: if on(1) { day } else { None },
                to: if on(1) { last } else { None },
                status: on(2).then_some(crate::core::Status::Scheduled),
                doctor_id: on(3).then(|| DOCTOR.into()),
                patient_id: on(4).then(|| PATIENT.into()),
                source: on(5).then(|| "whatsapp".into()),
                ..Filter::default()
            }
        })
        .collect()
}

/// `list`'s page and its total, for a filter.
fn list_queries(f: &Filter, backend: Backend) -> [(String, Vec<Val>); 2] {
    let (clause, args) = f.clause();
    let n = args.len();
    let mut page = args.clone();
    page.extend_from_slice(args![50_i64, 0_i64]);
    [
        (page_sql(backend, f, &clause, n), page),
        (
            format!("SELECT count(*) FROM appointments a WHERE {clause}"),
            args,
        ),
    ]
}

/// Whether a plan looks a doctor's busy times up in their index (a walk
/// of the whole index would be covering too).
fn looks_busy_up(p: &str) -> bool {
    p.contains("SEARCH appointments USING COVERING INDEX appt_doctor_busy (doctor_id=")
        && !p.contains("SCAN appointments")
}

#[test]
fn front_desk_queries_read_only_indexed_rows() {
    let mut s = Store::in_memory().unwrap();
    let c = &s.sqlite().unwrap().conn;
    assert_indexed(c, &busy_sql("doctor_id = ?1"), 5);
    // A doctor's busy times come from the index alone (schema v15).
    let p = plan(c, &busy_sql("doctor_id = ?1"), 5);
    assert!(looks_busy_up(&p), "{p}");
    assert_indexed(c, &busy_sql(CLINIC_WIDE), 6);
    // A doctor's day: its busy times as alone, beside its closures.
    let p = plan(c, &super::super::ahead::day_sql(), 9);
    assert!(looks_busy_up(&p), "{p}");
    assert!(!p.contains("SCAN closures"), "{p}");
    for n in [1, 25] {
        let p = plan(c, &busy_many_sql(Backend::Sqlite, n), n + 3);
        assert!(looks_busy_up(&p), "{p}");
    }
    for n in [1, 2, 100] {
        let p = plan(c, &busy_spans_sql(n), 4 * n);
        assert!(looks_busy_up(&p) && !p.contains("appt_status"), "{p}");
    }

    for f in every_filter() {
        let narrow = f.narrow();
        for (sql, args) in list_queries(&f, Backend::Sqlite) {
            assert_indexed(c, &sql, args.len());
            // A status or a source (a fifth of the table or more) never
            // leads when a narrower filter is given.
            let p = plan(c, &sql, args.len());
            assert!(
                !narrow || !(p.contains("appt_status_start") || p.contains("appt_source_start")),
                "a broad index leads in\n{sql}\n{p}"
            );
        }
    }
    for (doctor, n) in [(false, 2), (true, 3)] {
        let p = plan(c, &day_sheet_sql(Backend::Sqlite, doctor), n);
        assert!(
            p.contains("USING INDEX appt_clinic_date")
                || p.contains("USING INDEX appt_doctor_date"),
            "{p}"
        );
    }
    assert_indexed(c, &by_refs_sql(Backend::Sqlite, 1), 1);
    // `count` reads an index alone, with or without a clinic: without,
    // each clinic's entries in turn.
    for clinic in [false, true] {
        let p = plan(c, &count_sql(clinic), 3 + usize::from(clinic));
        assert!(
            p.contains("USING COVERING INDEX appt_clinic_created (clinic_id=? AND created_at>?)"),
            "{p}"
        );
        assert!(!p.contains("SCAN a"), "{p}");
    }
    // Whether a booking's patient was seen before: by the patient, never
    // through every completed visit.
    let p = plan(c, crate::store::patient_visits::SEEN_BEFORE, 6);
    assert!(
        p.contains("USING INDEX appt_patient_date (patient_id=?)"),
        "{p}"
    );
    // An import's lines read ahead: each reference looked up.
    let p = plan(c, &by_refs_sql(Backend::Sqlite, 256), 256);
    assert!(p.contains("USING INDEX appt_external_ref"), "{p}");
    assert_indexed(
        c,
        &format!("SELECT id, service_id FROM appointments WHERE patient_id = ?1 AND local_date = ?2 AND status IN {ACTIVE}"),
        2,
    );
}

/// On PostgreSQL (the suite's PostgreSQL run sets `APPT_TEST_PG`), the same
/// front-desk queries are served by indexes: with sequential scans
/// discouraged, a plan that still scans a table has no index to use.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn front_desk_queries_use_indexes_on_postgres() {
    crate::store::on_scratch_pg(|st| {
        let id = crate::store::db::id;
        let mut queries: Vec<(String, Vec<Val>)> = vec![
            (
                busy_sql("doctor_id = ?1"),
                args![id(DOCTOR), 2_i64, 0_i64, 1_i64, Val::Null].to_vec(),
            ),
            (
                busy_sql(CLINIC_WIDE),
                args![id(CLINIC), 2_i64, 0_i64, 1_i64, Val::Null, id(SERVICE)].to_vec(),
            ),
            (
                super::super::ahead::day_sql(),
                args![
                    id(DOCTOR),
                    2_i64,
                    0_i64,
                    1_i64,
                    Val::Null,
                    id(CLINIC),
                    "2026-06-15",
                    "2026-06-15",
                    id(DOCTOR)
                ]
                .to_vec(),
            ),
            (by_refs_sql(Backend::Postgres, 1), args!["r"].to_vec()),
            (
                format!("SELECT id, service_id FROM appointments WHERE patient_id = ?1 AND local_date = ?2 AND status IN {ACTIVE}"),
                args![crate::store::db::id(PATIENT), 20_619_i64].to_vec(),
            ),
            (
                by_refs_sql(Backend::Postgres, 3),
                args!["r1", "r2", "r3"].to_vec(),
            ),
            (
                busy_spans_sql(2),
                args![
                    id(DOCTOR),
                    2_i64,
                    0_i64,
                    1_i64,
                    id(OTHER_DOCTOR),
                    4_i64,
                    2_i64,
                    3_i64
                ]
                .to_vec(),
            ),
            (
                day_sheet_sql(Backend::Postgres, false),
                args![id(CLINIC), 20_619_i64].to_vec(),
            ),
            (
                day_sheet_sql(Backend::Postgres, true),
                args![id(CLINIC), 20_619_i64, id(DOCTOR)].to_vec(),
            ),
            // Without a source or status: with them, an empty table's
            // planner may as well take their own indexes.
            (count_sql(false), args![0_i64, Val::Null, Val::Null].to_vec()),
            (
                count_sql(true),
                args![0_i64, Val::Null, Val::Null, id(CLINIC)].to_vec(),
            ),
        ];
        for f in every_filter() {
            queries.extend(list_queries(&f, Backend::Postgres));
        }
        st.read(|tx| {
            tx.exec(On::NOTHING, "SET LOCAL enable_seqscan = off", &[])?;
            for (sql, args) in &queries {
                let plan: Vec<String> =
                    tx.rows(On::NOTHING, &format!("EXPLAIN {sql}"), args, |r| r.get(0))?;
                let plan = plan.join("\n");
                assert!(
                    !plan.contains("Seq Scan on appointments"),
                    "full scan in\n{sql}\n{plan}"
                );
                // One doctor's busy times from the index made for them
                // (several doctors' spans are left to the statistics,
                // which an empty table has none of).
                if sql.contains("WHERE doctor_id = ?1 AND starts_at") {
                    assert!(plan.contains("appt_doctor_busy"), "{sql}\n{plan}");
                }
                // `count` from a clinic's index, each clinic's in turn
                // without one (read alone where the table's pages are all
                // visible, which an empty table's are not: the bench
                // shows it).
                if sql.starts_with("SELECT count(*) FROM") && sql.contains("created_at >= ?1") {
                    assert!(plan.contains("appt_clinic_created"), "{sql}\n{plan}");
                }
            }
            Ok(())
        })
        .unwrap();
    });
}
