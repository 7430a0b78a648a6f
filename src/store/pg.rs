//! PostgreSQL: connecting to a server, and taking the schema's upgrades
//! (`migrations.rs`, the same list as SQLite's), counted in the
//! `appt_schema` table, each in a transaction that holds an advisory lock,
//! so that processes starting at once migrate exactly once.

use super::db::{pg_params, Val};
use super::migrations::{self, Migration, Step, SCHEMA_VERSION};
use super::pg_client::PgClient as Client;
use super::pg_conninfo::Target;
use super::pg_net::{self, reason, Connected, Patience};
use crate::error::{Error, Result};
use std::time::Duration;

/// The lock each upgrade's transaction takes first.
const MIGRATE_LOCK: i64 = 0x6170_7074_0002;

/// How long waiting for another process's migration may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to the server (see `pg_net`: TLS as `sslmode` asks, deadlines on
/// connecting and on every statement) and migrates its database to this
/// appt's schema. Of several servers, the first that takes writes, unless
/// the string's `target_session_attrs` says otherwise. What it returns
/// names the server without its password.
pub fn open(conn: &str) -> Result<Connected> {
    let mut connected = pg_net::connect(conn, Target::ReadWrite)?;
    migrate(&mut connected.client, &connected.shown, &connected.patience)?;
    Ok(connected)
}

/// Runs `f` with the patience of a schema upgrade ([`pg_net::MIGRATION`]
/// and the margin [`pg_net::SILENCE`] keeps over the server's own limit),
/// then gives the connection the patience it had back, whatever `f` did.
fn patiently<T>(patience: &Patience, f: impl FnOnce() -> T) -> T {
    let before = patience.get();
    patience.set(pg_net::MIGRATION + (pg_net::SILENCE - pg_net::STATEMENT));
    let out = f();
    patience.set(before);
    out
}

/// Vacuums `tables` after a bulk load ([`super::Store::settle`]), allowed as
/// long as a schema upgrade ([`pg_net::MIGRATION`]). `VACUUM` runs outside
/// any transaction, where no limit can be set for it alone (a `SET` would
/// stay on the session, and behind a pooler in transaction mode reach
/// another client, docs/operations.md#behind-pgbouncer): it skips a table
/// another session holds a lock on rather than wait for it
/// (`SKIP_LOCKED`), and the server's warning that it did is the error.
pub fn settle(client: &mut Client, patience: &Patience, tables: &[&str]) -> Result<()> {
    patiently(patience, || {
        client.batch_execute(&format!(
            "VACUUM (FREEZE, ANALYZE, SKIP_LOCKED) {}",
            tables.join(", ")
        ))
    })?;
    let skipped: Vec<&str> = client
        .notices()
        .iter()
        .filter(|n| *n.code() == tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE)
        .map(|n| n.message())
        .collect();
    if skipped.is_empty() {
        return Ok(());
    }
    Err(Error::database(crate::text::Msg::verbatim(
        skipped.join("; "),
    )))
}

/// How long a glance ([`peek`]) may take to connect, and each of its
/// statements: a shell is waiting.
const PEEK: Duration = Duration::from_secs(2);

/// Connects only to read, quickly (completing names,
/// docs/commands.md#appt-completions): at most [`PEEK`] to connect and per
/// statement, and no migration; a database not at this appt's schema version
/// is refused.
pub fn peek(conn: &str) -> Result<Connected> {
    let mut connected = at_schema(conn, Target::Any)?;
    connected.patience.set(PEEK);
    connected.client.set_statement_timeout(PEEK);
    Ok(connected)
}

/// Connects only to read, in at most [`PEEK`] per server, to the server of
/// `conn` that `target` takes (a standby's reads, `standby.rs`): no
/// migration, and a database not at this appt's schema version is refused.
pub fn at_schema(conn: &str, target: Target) -> Result<Connected> {
    let mut connected = pg_net::connect_within(conn, Some(PEEK), target)?;
    let v = version(&mut connected.client, &connected.shown)?;
    if v != SCHEMA_VERSION {
        return Err(Error::database(crate::text::msg!(
            "e-is_not_at_this_appts_schema_version",
            a = connected.shown,
            b = SCHEMA_VERSION
        )));
    }
    Ok(connected)
}

/// The schema version of the database, or None when it has none of appt's
/// tables; refuses a database that holds another program's tables. What an
/// extension made there (`pg_stat_statements`' views, which
/// `pg_autoctl create postgres` installs in the database it is given) is
/// the server's, not another program's.
fn version(client: &mut Client, shown: &str) -> Result<i64> {
    // One statement, so one snapshot: read apart, another process's first
    // migration could commit between "no appt_schema" and "some tables",
    // and appt would call its own fresh tables another program's.
    let row = client.query_one(
        "SELECT count(*) FILTER (WHERE c.relname = 'appt_schema'), count(*) \
         FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace \
         AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
         AND d.objid = c.oid AND d.deptype = 'e')",
        &[],
    )?;
    let (has_schema, tables): (i64, i64) = (row.get(0), row.get(1));
    if has_schema > 0 {
        return Ok(client
            .query_one("SELECT max(version) FROM appt_schema", &[])?
            .get::<_, Option<i64>>(0)
            .unwrap_or(0));
    }
    if tables > 0 {
        return Err(Error::database(crate::text::msg!(
            "e-is_not_an_appt_database_it_holds",
            shown = shown
        ))
        .hint(crate::text::msg!("e-give_db_an_empty_database_or_one")));
    }
    Ok(0)
}

fn migrate(client: &mut Client, shown: &str, patience: &Patience) -> Result<()> {
    let target = SCHEMA_VERSION;
    let refuse_newer = |v: i64| {
        Error::database(crate::text::msg!(
            "e-has_schema_version_newer_than_this_appt",
            shown = shown,
            v = v,
            target = target
        ))
    };
    match version(client, shown)? {
        v if v == target => return Ok(()),
        v if v > target => return Err(refuse_newer(v)),
        _ => {}
    }
    // An upgrade may rebuild an index over every row: more time for it.
    patiently(patience, || loop {
        match next_step(client, shown)? {
            Found::Stepped => {}
            Found::Current => return Ok(()),
            Found::Newer(v) => return Err(refuse_newer(v)),
        }
    })
}

/// What [`next_step`] found under the lock.
enum Found {
    /// A step (or a batch of one) was taken.
    Stepped,
    /// The schema is this appt's: nothing left to take.
    Current,
    /// The schema is newer than this appt's.
    Newer(i64),
}

/// Takes the next step of the upgrade, if any, in a transaction of its own
/// that first takes [`MIGRATE_LOCK`] (waiting at most [`TIMEOUT`] for
/// another process's step) and reads the version again under it: each step
/// is taken once, whoever started first, and the lock goes with the
/// transaction (no session outlives it, docs/operations.md#behind-pgbouncer).
fn next_step(client: &mut Client, shown: &str) -> Result<Found> {
    client.batch_execute(&format!(
        "BEGIN; SET LOCAL statement_timeout = '{}s'; SET LOCAL lock_timeout = '{}s'",
        pg_net::MIGRATION.as_secs(),
        TIMEOUT.as_secs()
    ))?;
    let found = (|| {
        client.execute(
            "SELECT pg_advisory_xact_lock($1)",
            &pg_params(&[Val::Int(MIGRATE_LOCK)]),
        )?;
        let v = version(client, shown)?;
        if v > SCHEMA_VERSION {
            return Ok(Found::Newer(v));
        }
        match migrations::after(v) {
            Some(m) => step(client, m, shown).map(|()| Found::Stepped),
            None => Ok(Found::Current),
        }
    })();
    match found {
        Ok(Found::Stepped) => {
            client.batch_execute("COMMIT")?;
            Ok(Found::Stepped)
        }
        // Nothing written, or a step's changes undone (a broken connection
        // has nothing to undo).
        other => {
            let _ = client.send("ROLLBACK");
            other
        }
    }
}

/// Takes step `m` inside [`next_step`]'s transaction, with the version's
/// change; of a step of batches one batch, the version changed with the
/// last.
fn step(client: &mut Client, m: &Migration, shown: &str) -> Result<()> {
    let failed = |why: crate::text::Msg| {
        Error::database(crate::text::msg!(
            "e-cannot_upgrade_to_schema_version",
            shown = shown,
            a = m.version,
            b = why
        ))
    };
    let done = match &m.step {
        Step::Sql { postgres, .. } => {
            client
                .batch_execute(&migrations::script(postgres))
                .map_err(|e| {
                    failed(crate::text::Msg::verbatim(reason(&e))).hint(crate::text::msg!(
                        "e-the_server_needs_the_btree_gist_extension"
                    ))
                })?;
            true
        }
        // The code's statements go inside the transaction begun above.
        Step::Code(run) => {
            super::db::pg_within(client, run).map_err(|e| failed(e.msg))?;
            true
        }
        Step::Batches(run) | Step::Rebuild(run) => {
            super::db::pg_within(client, run).map_err(|e| failed(e.msg))?
        }
    };
    if !done {
        return Ok(());
    }
    if m.version == 1 {
        client.batch_execute("CREATE TABLE appt_schema (version BIGINT NOT NULL)")?;
    }
    client.execute("DELETE FROM appt_schema", &[])?;
    client.execute(
        "INSERT INTO appt_schema (version) VALUES ($1)",
        &pg_params(&[Val::Int(m.version)]),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patiently_gives_back_the_patience_it_found() {
        // A glance's store (`peek`) is less patient than the everyday one.
        let patience = Patience::new(PEEK);
        let during = patiently(&patience, || patience.get());
        assert_eq!(
            during,
            pg_net::MIGRATION + (pg_net::SILENCE - pg_net::STATEMENT)
        );
        assert_eq!(patience.get(), PEEK);
    }
}
