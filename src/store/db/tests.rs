//! The transaction layer on both engines: what it keeps, holds and sends.

use super::held::renumber;
use super::*;
use crate::args;
use crate::core::{Doctor, EventKind};
use crate::error::{Error, Result};
use crate::store::asked::Asked;
use crate::store::{doctors, queue, Store};
use chrono::NaiveDate;

#[test]
fn renumbered_parameters_follow_the_ones_before() {
    assert_eq!(
        renumber("INSERT INTO t VALUES (?1, '?2', ?12, ?1)", 3),
        "INSERT INTO t VALUES (?4, '?2', ?15, ?4)"
    );
    assert_eq!(renumber("SELECT 1", 7), "SELECT 1");
}

fn doctor(name: &str) -> Doctor {
    let now = chrono::Utc::now();
    Doctor {
        id: crate::store::new_id(),
        full_name: name.into(),
        specialty: None,
        slot_minutes: None,
        active: true,
        max_per_day: None,
        online: false,
        services: vec![],
        created_at: now,
        updated_at: now,
    }
}

/// A question kept on the doctors (its answer: how many there are).
fn doctors_kept(tx: &Tx) -> Result<i64> {
    let asked = Asked::Resolve {
        table: Table::Doctors,
        input: "how many",
    };
    tx.memo(asked, || {
        tx.one(
            On::reads(&[Table::Doctors]),
            "SELECT count(*) FROM doctors",
            args![],
        )
    })
}

fn meta(tx: &Tx, key: &str) -> Result<Option<String>> {
    let on = On::reads(&[Table::Meta]);
    tx.row(
        on,
        "SELECT value FROM meta WHERE key = ?1",
        args![key],
        |r| r.get(0),
    )
}

/// A row of `meta`.
const META: Insert = Insert {
    into: Table::Meta,
    columns: &["key, value"],
    upsert: "",
};

/// An event of no appointment.
const EVENT: Insert = Insert {
    into: Table::Events,
    columns: &["type, appointment_id, created_at, data, actor"],
    upsert: "",
};

/// What the transaction keeps and what it puts off, the same on either
/// engine (SQLite runs a kept write at once, PostgreSQL later).
fn kept_and_later(st: &mut Store) {
    st.write(|tx| {
        // A read kept is forgotten by a write to its table…
        assert_eq!(doctors_kept(tx)?, 0);
        doctors::insert(tx, &doctor("Dr. Uno"))?;
        assert_eq!(doctors_kept(tx)?, 1);
        // …and by an attempt undone, whatever it read meanwhile.
        let undone = tx.attempt(|tx| {
            doctors::insert(tx, &doctor("Dr. Dos"))?;
            assert_eq!(doctors_kept(tx)?, 2);
            Err::<(), _>(Error::field("x", crate::text::Msg::verbatim("undone")))
        });
        assert!(undone.is_err());
        assert_eq!(doctors_kept(tx)?, 1);

        // Writes put off run before the next read, together.
        tx.insert_later(&META, args!["a", "1"])?;
        tx.insert_later(&META, args!["b", "2"])?;
        assert_eq!(meta(tx, "b")?.as_deref(), Some("2"));
        // Two of one statement keep their order (an event log's IDs).
        let (booked, checked_in) = (EventKind::Booked.code(), EventKind::CheckedIn.code());
        for kind in [booked, checked_in] {
            let none: Option<&str> = None;
            tx.insert_later(&EVENT, args![kind, none, 0_i64, "{}", "test"])?;
        }
        let kinds: Vec<i64> = tx.rows(
            On::reads(&[Table::Events]),
            "SELECT type FROM events ORDER BY id",
            args![],
            |r| r.get(0),
        )?;
        assert_eq!(kinds, [booked, checked_in]);
        // One that fails fails its own attempt, which is undone alone.
        tx.attempt(|tx| tx.insert_later(&META, args!["c", "3"]))?;
        let clash = tx.attempt(|tx| {
            tx.insert_later(&META, args!["d", "4"])?;
            tx.insert_later(&META, args!["a", "5"])
        });
        // The same failure is the same answer on either engine.
        assert_eq!(
            clash.map_err(|e| e.code),
            Err(crate::error::Code::Internal),
            "a key taken twice"
        );
        assert_eq!(meta(tx, "a")?.as_deref(), Some("1"));
        assert_eq!(meta(tx, "c")?.as_deref(), Some("3"));
        assert_eq!(meta(tx, "d")?, None);

        // Tokens: counted on, two of one day with no read between them,
        // and one taken by an attempt undone is given again.
        let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        assert_eq!(queue::next_token(tx, "doc", day)?, 1);
        assert_eq!(queue::next_token(tx, "doc", day)?, 2);
        let undone = tx.attempt(|tx| {
            assert_eq!(queue::next_token(tx, "doc", day)?, 3);
            Err::<(), _>(Error::field("x", crate::text::Msg::verbatim("undone")))
        });
        assert!(undone.is_err());
        assert_eq!(queue::next_token(tx, "doc", day)?, 3);
        Ok(())
    })
    .unwrap();
    // Committed: another transaction goes on from the last one written.
    st.write(|tx| {
        let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        assert_eq!(queue::next_token(tx, "doc", day)?, 4);
        assert_eq!(meta(tx, "a")?.as_deref(), Some("1"));
        assert_eq!(doctors_kept(tx)?, 1);
        Ok(())
    })
    .unwrap();
}

fn put(tx: &Tx, key: &str, value: &str) -> Result<()> {
    tx.insert_later(&META, args![key, value])
}

fn undone(_: &Tx) -> Result<()> {
    Err(Error::field("x", crate::text::msg!("e-refused_by_a_rule")))
}

/// Attempts inside [`Tx::together`], the same on either engine: each
/// one's writes stay or go with it, and what the database refuses is
/// found again attempt by attempt, as an import does.
fn held_together(st: &mut Store) {
    let pg = st
        .write(|tx| Ok(tx.backend() == Backend::Postgres))
        .unwrap();
    st.write(|tx| {
        put(tx, "taken", "0")?;
        // Twenty attempts, one refused by a rule: their writes are one
        // statement on PostgreSQL, after the savepoint.
        let before = tx.statements_sent();
        let out = tx.together(|tx| {
            Ok((0..20)
                .map(|i| {
                    tx.attempt(|tx| {
                        put(tx, &format!("k{i}"), "v")?;
                        put(tx, &format!("l{i}"), "w")?;
                        if i == 7 {
                            undone(tx)?;
                        }
                        Ok(())
                    })
                    .is_ok()
                })
                .collect::<Vec<_>>())
        })?;
        let oks = out.expect("nothing refused");
        assert_eq!(oks.iter().filter(|ok| !**ok).count(), 1);
        assert!(!oks[7]);
        if pg {
            // The savepoint (with the held "taken" before it) and one INSERT.
            assert_eq!(tx.statements_sent() - before, 3);
        }
        assert_eq!(meta(tx, "k6")?.as_deref(), Some("v"));
        assert_eq!(meta(tx, "l8")?.as_deref(), Some("w"));
        assert_eq!((meta(tx, "k7")?, meta(tx, "l7")?), (None, None));

        // One that must read sends the writes held before it, then its
        // own under a savepoint, which it rolls back to alone.
        let out = tx.together(|tx| {
            tx.attempt(|tx| put(tx, "e", "1"))?;
            let f = tx.attempt(|tx| {
                put(tx, "f", "1")?;
                assert_eq!(meta(tx, "e")?.as_deref(), Some("1"));
                assert_eq!(meta(tx, "f")?.as_deref(), Some("1"));
                undone(tx)
            });
            assert!(f.is_err());
            tx.attempt(|tx| put(tx, "g", "1"))
        })?;
        assert!(out.is_some());
        assert_eq!(meta(tx, "e")?.as_deref(), Some("1"));
        assert_eq!(meta(tx, "f")?, None);
        assert_eq!(meta(tx, "g")?.as_deref(), Some("1"));

        // The database refuses a held write: the whole of it is undone
        // and run again attempt by attempt, where only that one fails.
        let lines = |tx: &Tx| -> Result<Vec<bool>> {
            Ok(["h", "taken", "i"]
                .iter()
                .map(|k| tx.attempt(|tx| put(tx, k, "2")).is_ok())
                .collect())
        };
        assert!(tx.together(lines)?.is_none(), "met only once sent");
        assert_eq!(meta(tx, "h")?, None, "undone with the rest");
        let oks = lines(tx)?;
        assert_eq!(oks, [true, false, true]);
        // A read in an attempt sends the writes held before it; when
        // they are refused, the whole is undone too.
        let read_after_clash = |tx: &Tx| -> Result<()> {
            let _ = tx.attempt(|tx| put(tx, "taken", "3"));
            tx.attempt(|tx| meta(tx, "j").map(drop))
        };
        assert!(tx.together(read_after_clash)?.is_none());
        assert_eq!(meta(tx, "taken")?.as_deref(), Some("0"));
        Ok(())
    })
    .unwrap();
    st.write(|tx| {
        for (k, v) in [
            ("h", Some("2")),
            ("i", Some("2")),
            ("taken", Some("0")),
            ("k7", None),
        ] {
            assert_eq!(meta(tx, k)?.as_deref(), v, "{k}");
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn attempts_held_together_stay_or_go_each_with_its_own_writes() {
    held_together(&mut Store::in_memory().unwrap());
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn attempts_held_together_stay_or_go_each_with_its_own_writes_on_postgres() {
    crate::store::on_scratch_pg(held_together);
}

#[test]
fn a_transaction_forgets_what_it_kept_and_runs_what_it_put_off_in_time() {
    kept_and_later(&mut Store::in_memory().unwrap());
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_transaction_forgets_what_it_kept_and_runs_what_it_put_off_in_time_on_postgres() {
    crate::store::on_scratch_pg(kept_and_later);
}

/// A transaction's opening goes with its first statement, and a read's
/// `COMMIT` is not waited for: a read of two statements waits on the
/// server twice, a write of one statement twice (it, and its `COMMIT`),
/// and what ran inside them ran in the transaction they opened (a read's
/// snapshot, a write's lock taken before its first statement). A
/// transaction that sends nothing costs nothing.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_transactions_opening_goes_with_its_first_statement_on_postgres() {
    crate::store::on_scratch_pg(|st| {
        // Each statement is prepared at its first use (a round trip of
        // its own): what is counted is a second use.
        let read = |st: &mut Store| {
            st.read(|tx| {
                Ok((
                    tx.one::<String>(
                        On::NOTHING,
                        "SELECT current_setting('transaction_isolation')",
                        &[],
                    )?,
                    tx.one::<String>(
                        On::NOTHING,
                        "SELECT current_setting('transaction_read_only')",
                        &[],
                    )?,
                    // One transaction: its start, the same for both.
                    tx.one::<String>(On::NOTHING, "SELECT now()::text", &[])?,
                    {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        tx.one::<String>(On::NOTHING, "SELECT now()::text", &[])?
                    },
                ))
            })
            .unwrap()
        };
        read(st);
        let before = st.pg_waits();
        let (isolation, read_only, started, still) = read(st);
        assert_eq!(
            (isolation.as_str(), read_only.as_str()),
            ("repeatable read", "on")
        );
        assert_eq!(started, still, "both statements in one transaction");
        assert_eq!(
            st.pg_waits() - before,
            4,
            "four statements, four round trips"
        );

        let write = |st: &mut Store| {
            st.write(|tx| {
                tx.one::<i64>(
                    On::NOTHING,
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
                     AND pid = pg_backend_pid() AND granted",
                    &[],
                )
            })
            .unwrap()
        };
        write(st);
        let before = st.pg_waits();
        assert_eq!(
            write(st),
            1,
            "the write lock is held before the first statement"
        );
        assert_eq!(st.pg_waits() - before, 2, "the statement and the COMMIT");

        // A read that asks nothing, and a write that writes nothing.
        let before = st.pg_waits();
        st.read(|_| Ok(())).unwrap();
        st.write(|_| Ok(())).unwrap();
        assert_eq!(st.pg_waits(), before);

        // After a read left uncommitted by an error, and a rehearsal, the
        // connection is out of any transaction: their ROLLBACKs went first.
        // Were the rehearsal's still open, the read's opening would be
        // refused ("already a transaction in progress") and the read would
        // run in it: read committed, writable, the write lock held.
        let _ = st.read(|tx| {
            tx.one::<i64>(On::NOTHING, "SELECT 1", &[])?;
            Err::<(), _>(Error::internal(crate::text::Msg::verbatim("stop")))
        });
        st.rehearse(|tx| tx.one::<i64>(On::NOTHING, "SELECT 1", &[]))
            .unwrap();
        let (isolation, read_only, locks) = st
            .read(|tx| {
                tx.row(
                    On::NOTHING,
                    "SELECT current_setting('transaction_isolation'), \
                     current_setting('transaction_read_only'), \
                     (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
                      AND pid = pg_backend_pid())",
                    &[],
                    |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?)),
                )
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            (isolation.as_str(), read_only.as_str(), locks),
            ("repeatable read", "on", 0)
        );
    });
}

/// With `pool_mode=transaction`, nothing appt does outlives its
/// transaction on the server's session, which a pooler in transaction mode
/// (PgBouncer) hands to another client once it ends
/// (docs/operations.md#behind-pgbouncer): no statement is prepared by
/// name, the limit on each statement is the transaction's own (`SET
/// LOCAL`), not the session's, and no lock stays. And the first use of a
/// statement costs no round trip more than the next.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn nothing_outlives_a_transaction_on_the_session_on_postgres() {
    crate::store::on_scratch_pg_with("pool_mode=transaction", |st| {
        let before = st.pg_waits();
        st.read(|tx| tx.one::<i64>(On::NOTHING, "SELECT 41 + 1", &[]))
            .unwrap();
        assert_eq!(st.pg_waits() - before, 1, "one round trip, first use");
        let limit = |tx: &Tx| tx.one::<String>(On::NOTHING, "SHOW statement_timeout", &[]);
        st.write(|tx| {
            tx.one::<i64>(
                On::reads(&[Table::Clinics]),
                "SELECT count(*) FROM clinics",
                &[],
            )?;
            limit(tx)
        })
        .unwrap();
        let (prepared, inside) = st
            .read(|tx| {
                Ok((
                    tx.one::<i64>(
                        On::NOTHING,
                        "SELECT count(*) FROM pg_prepared_statements",
                        &[],
                    )?,
                    limit(tx)?,
                ))
            })
            .unwrap();
        assert_eq!(prepared, 0, "no statement prepared by name");
        assert_eq!(inside, "30s");
        // Outside any transaction: the server's default, as the session
        // began (the test cluster sets none).
        assert_eq!(st.pg_outside("SHOW statement_timeout"), "0");
        assert_eq!(
            st.pg_outside("SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"),
            "0"
        );
    });
}

/// A glance at names (completions, `Store::peek`) gives each statement 2 s,
/// in each of its transactions, where a command gives it 30 s.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_glances_statements_have_two_seconds_on_postgres() {
    crate::store::on_scratch_pg(|st| {
        let limit = |st: &mut Store| {
            st.read(|tx| tx.one::<String>(On::NOTHING, "SHOW statement_timeout", &[]))
                .unwrap()
        };
        assert_eq!(limit(st), "30s");
        let mut glance = Store::peek(&st.target).unwrap();
        assert_eq!(limit(&mut glance), "2s");
    });
}

/// A write forgets what was read from the tables it declares, and only
/// that: a doctor's windows are read with the services they take, so a
/// write to `window_services` alone forgets them (its text does not name
/// `windows`), and a write to `meta` forgets nothing.
#[test]
fn a_write_forgets_what_was_read_from_the_tables_it_declares() {
    let mut st = Store::in_memory().unwrap();
    st.write(|tx| {
        let asked = Asked::WindowsOfDoctor("d1");
        let read = |n: i64| tx.memo(asked, || Ok(n));
        assert_eq!(read(1)?, 1);
        assert_eq!(read(2)?, 1, "kept");
        tx.insert(&META, args!["k", "v"])?;
        assert_eq!(read(3)?, 1, "a write elsewhere forgets nothing");
        // A window's ID is bound as its 16 bytes (schema 62).
        tx.exec(
            On::writes(&[Table::WindowServices]),
            "DELETE FROM window_services WHERE window_id = ?1",
            args![super::id(&crate::store::new_id())],
        )?;
        assert_eq!(read(4)?, 4, "forgotten by a write to window_services");
        Ok(())
    })
    .unwrap();
}

/// A value read as the wrong type (a server's `sum()` of BIGINT is
/// NUMERIC) is appt's bug, `INTERNAL_ERROR`: never "PostgreSQL connection
/// failed", since the server answered.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_value_of_the_wrong_type_is_a_bug_not_a_lost_connection_on_postgres() {
    crate::store::on_scratch_pg(|st| {
        let e = st
            .read(|tx| tx.one::<i64>(On::NOTHING, "SELECT sum(1::bigint)", &[]))
            .unwrap_err();
        assert_eq!(e.code, crate::error::Code::Internal, "{e:?}");
        assert!(e.hint.is_none(), "no advice to check the server: {e:?}");
        // The store still answers afterwards.
        let n = st.read(|tx| tx.one::<i64>(On::NOTHING, "SELECT 1::bigint", &[]));
        assert_eq!(n.unwrap(), 1);
    });
}

/// Reads `key` through [`Tx::lasting`] in a read transaction of its own,
/// counting in `asked` each time the database is asked.
fn lasting_count(st: &mut Store, asked: &std::cell::Cell<u32>) -> i64 {
    lasting_count_after(st, asked, false)
}

/// [`lasting_count`] behind another statement, which sends the read
/// transaction's opening: on PostgreSQL, its snapshot is known from then on.
fn lasting_count_later(st: &mut Store, asked: &std::cell::Cell<u32>) -> i64 {
    lasting_count_after(st, asked, true)
}

fn lasting_count_after(st: &mut Store, asked: &std::cell::Cell<u32>, later: bool) -> i64 {
    st.read(|tx| {
        if later {
            tx.one::<i64>(On::NOTHING, "SELECT 1::bigint", &[])?;
        }
        tx.lasting("how many doctors".into(), || {
            asked.set(asked.get() + 1);
            tx.one(
                On::reads(&[Table::Doctors]),
                "SELECT count(*) FROM doctors",
                args![],
            )
        })
    })
    .unwrap()
}

/// On SQLite, an answer kept from one read transaction to the next is read
/// again once anyone wrote: another connection (its commit), or this one.
#[test]
fn a_lasting_answer_is_read_again_after_any_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lasting.db");
    let mut st = Store::open(&path, crate::store::Create::File).unwrap();
    let mut other = Store::open(&path, crate::store::Create::Never).unwrap();
    let asked = std::cell::Cell::new(0);
    assert_eq!(lasting_count(&mut st, &asked), 0);
    assert_eq!(lasting_count(&mut st, &asked), 0);
    assert_eq!(asked.get(), 1, "kept while nothing changed");
    other
        .write(|tx| doctors::insert(tx, &doctor("Dr. Otro")))
        .unwrap();
    assert_eq!(lasting_count(&mut st, &asked), 1);
    assert_eq!(asked.get(), 2, "another connection's commit");
    st.write(|tx| doctors::insert(tx, &doctor("Dr. Propio")))
        .unwrap();
    assert_eq!(lasting_count(&mut st, &asked), 2);
    assert_eq!(asked.get(), 3, "this connection's own write");
    assert_eq!(lasting_count(&mut st, &asked), 2);
    assert_eq!(asked.get(), 3);
    // A write transaction asks each time (kept, it would answer 2).
    assert_eq!(
        st.write(|tx| tx.lasting("how many doctors".into(), || Ok(99i64)))
            .unwrap(),
        99
    );
}

/// On PostgreSQL, an answer is kept while the read transactions' snapshot
/// stays the same, and read again once anyone wrote: this connection,
/// another of appt's, or a client that is not appt, which counts no
/// change of its own (the mark is the server's, not appt's `changes`). The
/// snapshot comes with a transaction's first statement: an answer asked
/// first is read, and kept for the transactions after it.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_lasting_answer_is_read_again_after_any_write_on_postgres() {
    crate::store::on_scratch_pg(|st| {
        let asked = std::cell::Cell::new(0);
        assert_eq!(lasting_count(st, &asked), 0);
        assert_eq!(lasting_count(st, &asked), 0);
        assert_eq!(asked.get(), 2, "asked first: before its snapshot is known");
        assert_eq!(lasting_count_later(st, &asked), 0);
        assert_eq!(lasting_count_later(st, &asked), 0);
        assert_eq!(asked.get(), 2, "kept while nothing changed");
        st.write(|tx| doctors::insert(tx, &doctor("Dr. Propio")))
            .unwrap();
        assert_eq!(lasting_count_later(st, &asked), 1);
        assert_eq!(asked.get(), 3, "this connection's own write");
        let mut other = Store::open(&st.target, crate::store::Create::Never).unwrap();
        other
            .write(|tx| doctors::insert(tx, &doctor("Dr. Otro")))
            .unwrap();
        assert_eq!(lasting_count_later(st, &asked), 2);
        assert_eq!(asked.get(), 4, "another connection's commit");
        let url = st.target.to_str().unwrap();
        let url = &url[..url.find('?').unwrap_or(url.len())];
        let mut outside = postgres::Client::connect(url, postgres::NoTls).unwrap();
        outside
            .batch_execute("DELETE FROM doctors WHERE full_name = 'Dr. Otro'")
            .unwrap();
        assert_eq!(lasting_count_later(st, &asked), 1);
        assert_eq!(asked.get(), 5, "a write not appt's");
        // Reads, this connection's and the other's, leave it kept.
        other.read(doctors_kept).unwrap();
        assert_eq!(lasting_count(st, &asked), 1);
        assert_eq!(lasting_count_later(st, &asked), 1);
        assert_eq!(asked.get(), 6);
        // A write transaction asks each time (kept, it would answer 1).
        assert_eq!(
            st.write(|tx| tx.lasting("how many doctors".into(), || Ok(99i64)))
                .unwrap(),
            99
        );
    });
}

/// What each write transaction changed is counted as it commits, table by
/// table: a statement that changed no row counts nothing, a write held for
/// later counts as it is held, and a transaction undone counts nothing.
fn changes_counted(st: &mut Store) {
    let read = |st: &mut Store| st.read(Changes::read).unwrap();
    let start = read(st);
    st.write(|tx| put(tx, "counted", "1")).unwrap();
    let one = read(st);
    assert!(start.moved(&one, &[Table::Meta]));
    assert!(!start.moved(&one, &[Table::Doctors, Table::Appointments, Table::Changes]));
    // An UPDATE that meets no row changes nothing (a doctor's ID bound as
    // its 16 bytes, schema 62: no doctor's).
    st.write(|tx| {
        tx.exec(
            On::writes(&[Table::Doctors]),
            "UPDATE doctors SET full_name = 'x' WHERE id = ?1",
            args![super::id(&crate::store::new_id())],
        )
    })
    .unwrap();
    assert_eq!(read(st), one);
    // Undone: nothing counted.
    let refused = st.write(|tx| {
        doctors::insert(tx, &doctor("Ana Uno"))?;
        undone(tx)
    });
    assert!(refused.is_err());
    assert_eq!(read(st), one);
    st.write(|tx| doctors::insert(tx, &doctor("Ana Dos")))
        .unwrap();
    let two = read(st);
    assert!(one.moved(&two, &[Table::Doctors]));
    assert!(!one.moved(&two, &[Table::Meta, Table::Appointments]));
    // A read changes nothing.
    st.read(doctors_kept).unwrap();
    assert_eq!(read(st), two);
}

#[test]
fn a_commit_counts_the_tables_it_changed() {
    changes_counted(&mut Store::in_memory().unwrap());
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_commit_counts_the_tables_it_changed_on_postgres() {
    crate::store::on_scratch_pg(changes_counted);
}
