//! Reads on a standby (`--read-db`, docs/operations.md#standby-reads): a
//! second connection, to a PostgreSQL standby, that a store sends the reads
//! its front end marked as free to lag ([`super::Store::may_lag`]) while the
//! standby is no further behind than `--max-lag` and has replayed this
//! desk's own last write. Everything else stays on the primary.

use super::pg_client::PgClient;
use super::pg_conninfo::Target;
use super::pg_net::Patience;
use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How far behind a standby may be by default (`--max-lag`).
pub const MAX_LAG: Duration = Duration::from_secs(5);

/// How long a standby that could not be reached (or is not at this appt's
/// schema) is left alone before it is tried again; its reads go to the
/// primary meanwhile.
const REST: Duration = Duration::from_secs(5);

/// Where a front end's reads may go, and how stale they may be. Cloned into
/// each of a server's workers, which then share what the server wrote last.
#[derive(Clone)]
pub struct ReadDb {
    /// The connection string (it may hold a password: never shown).
    conn: String,
    max_lag: Duration,
    /// The primary's WAL position just after the last write this desk (or
    /// this server) made, in bytes: a standby that has not replayed that
    /// far is passed over. 0: none known.
    written: Arc<AtomicI64>,
    /// The file that keeps [`ReadDb::written`] from one command to the
    /// next of the same desk (the same OS user on the same machine).
    mark: Option<PathBuf>,
}

impl ReadDb {
    /// Reads that may lag go to `conn` while it is at most `max_lag` behind.
    /// `remember`: keep this desk's last write in a file beside appt's other
    /// state, so that the desk's next command sees it too.
    pub fn new(conn: &str, max_lag: Duration, remember: bool) -> Result<ReadDb> {
        if !super::is_url(std::path::Path::new(conn)) {
            return Err(Error::field(
                "read-db",
                crate::text::msg!("e-read_db_must_name_a_postgresql_server"),
            ));
        }
        let mark = if remember {
            mark_file(&super::pg_conninfo::redact(conn))
        } else {
            None
        };
        let written = mark
            .as_ref()
            .and_then(|m| std::fs::read_to_string(m).ok())
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        Ok(ReadDb {
            conn: conn.to_string(),
            max_lag,
            written: Arc::new(AtomicI64::new(written)),
            mark,
        })
    }
}

/// The file that keeps a desk's last write position for the standby shown
/// as `shown`: in the user's state folder, named by a hash of the address.
fn mark_file(shown: &str) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let dirs = directories::ProjectDirs::from("", "", "appt")?;
    let dir = dirs.state_dir().unwrap_or(dirs.cache_dir());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    shown.hash(&mut h);
    Some(dir.join(format!("written-{:016x}", h.finish())))
}

/// A store's standby: its settings and, once used, its connection.
pub(super) struct Standby {
    pub(super) settings: ReadDb,
    open: Option<(Box<PgClient>, Patience)>,
    /// Not tried again before this.
    resting_until: Option<Instant>,
}

impl Standby {
    pub(super) fn new(settings: ReadDb) -> Standby {
        Standby {
            settings,
            open: None,
            resting_until: None,
        }
    }

    /// The standby's connection when a read may go there now: reachable,
    /// at this appt's schema, no further behind than the limit, and past
    /// this desk's last write. None sends the read to the primary.
    pub(super) fn ready(&mut self) -> Option<&mut PgClient> {
        if self.resting_until.is_some_and(|t| Instant::now() < t) {
            return None;
        }
        if self.open.is_none() {
            match super::pg::at_schema(&self.settings.conn, Target::PreferStandby) {
                Ok(c) => self.open = Some((Box::new(c.client), c.patience)),
                Err(_) => {
                    self.resting_until = Some(Instant::now() + REST);
                    return None;
                }
            }
        }
        let (client, _) = self.open.as_mut()?;
        match behind(client) {
            Ok((lag, replayed)) => {
                let written = self.settings.written.load(Ordering::Relaxed);
                if lag > self.settings.max_lag || replayed < written {
                    return None;
                }
            }
            Err(_) => {
                self.lost();
                return None;
            }
        }
        let (client, _) = self.open.as_mut()?;
        Some(client)
    }

    /// Lets the connection go (it failed): the next read tries again after a rest.
    pub(super) fn lost(&mut self) {
        self.open = None;
        self.resting_until = Some(Instant::now() + REST);
    }

    /// After a write committed on `primary`: where its log is now, so that
    /// the standby is read again only once it has replayed that far.
    pub(super) fn wrote(&self, primary: &mut PgClient) {
        let Ok(row) =
            primary.query_one("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint", &[])
        else {
            // Not known: every read goes to the primary until one is.
            self.settings.written.store(i64::MAX, Ordering::Relaxed);
            return;
        };
        let at: i64 = row.get(0);
        self.settings.written.fetch_max(at, Ordering::Relaxed);
        if let Some(mark) = &self.settings.mark {
            if let Some(dir) = mark.parent() {
                let _ = super::files::create_private_dirs(dir);
            }
            let _ = std::fs::write(mark, at.to_string());
        }
    }
}

/// How far behind the standby is, and how far it has replayed (bytes of
/// log). A server no longer in recovery (a standby promoted) is behind by
/// nothing; a standby whose WAL receiver is not running cannot tell how far
/// behind it is, and counts as too far.
fn behind(client: &mut PgClient) -> std::result::Result<(Duration, i64), tokio_postgres::Error> {
    let row = client.query_one(
        "SELECT CASE \
           WHEN NOT pg_is_in_recovery() THEN 0 \
           WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 1e9 \
           WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
           ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1e9) \
         END::float8, \
         (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() \
               ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::bigint",
        &[],
    )?;
    let lag: f64 = row.get(0);
    let replayed: i64 = row.get(1);
    Ok((Duration::from_secs_f64(lag.clamp(0.0, 1e9)), replayed))
}
