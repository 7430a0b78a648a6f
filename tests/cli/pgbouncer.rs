//! Behind PgBouncer in transaction pooling (docs/operations.md#behind-pgbouncer):
//! a PgBouncer of the test's own (Debian's `pgbouncer`, pool size 2) in
//! front of the test server lends its two server connections to whichever
//! client starts a transaction, so anything appt left on a session (a
//! statement prepared by name, a `SET`, a session's advisory lock) would
//! reach another client or be missing on the next transaction. Through it:
//! processes upgrading an empty database at once, desks and API clients
//! racing for one slot, two reminder sweeps at once, completions, `check`.

use crate::cluster::postgres_tool;
use crate::common::*;
use crate::concurrency::race;
use crate::serve::{call_at, race_for_one_slot, token, Server};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A PgBouncer on 127.0.0.1 in front of the test server, killed when
/// dropped. Run as `postgres` when the tests run as root (it refuses root).
struct Bouncer {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

impl Bouncer {
    /// PgBouncer in transaction pooling with `pool` server connections per
    /// database, logging in to `server` (`postgres://USER:PASSWORD@HOST:PORT/…`)
    /// as its user; None (said so) where it is not installed, never under CI.
    fn start(server: &str, pool: u32) -> Option<Bouncer> {
        let program = Path::new("/usr/sbin/pgbouncer");
        if !program.exists() {
            missing_tool("pgbouncer (Debian's pgbouncer)");
            return None;
        }
        let (user, password, host, port) = parts(server);
        let dir = tempfile::Builder::new()
            .prefix("appt-pgbouncer")
            .tempdir()
            .unwrap();
        let listen = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let d = dir.path().display();
        std::fs::write(
            dir.path().join("pgbouncer.ini"),
            format!(
                "[databases]\n\
                 * = host={host} port={port} user={user} password={password}\n\
                 [pgbouncer]\n\
                 listen_addr = 127.0.0.1\n\
                 listen_port = {listen}\n\
                 unix_socket_dir =\n\
                 auth_type = trust\n\
                 auth_file = {d}/users.txt\n\
                 pool_mode = transaction\n\
                 default_pool_size = {pool}\n\
                 max_client_conn = 200\n\
                 logfile = {d}/pgbouncer.log\n"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("users.txt"),
            format!("\"{user}\" \"{password}\"\n"),
        )
        .unwrap();
        let as_postgres = unsafe { libc::geteuid() } == 0;
        if as_postgres {
            let out = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .output()
                .unwrap();
            assert!(out.status.success());
        }
        let child = postgres_tool(program, as_postgres, dir.path())
            .arg(dir.path().join("pgbouncer.ini"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let bouncer = Bouncer {
            dir,
            port: listen,
            child,
        };
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", listen)).is_err() {
            assert!(
                Instant::now() < until,
                "pgbouncer did not listen:\n{}",
                bouncer.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(bouncer)
    }

    /// The URL of database `name` through the pooler (it signs in anyone
    /// named in its user list; the server is signed in to as the test
    /// user), telling appt the pooler lends sessions one transaction at a
    /// time.
    fn url(&self, server: &str, name: &str) -> String {
        let (user, password, ..) = parts(server);
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{name}?pool_mode=transaction",
            self.port
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The user, password, host and port of `postgres://USER:PASSWORD@HOST:PORT/DB`.
fn parts(server: &str) -> (String, String, String, String) {
    let rest = server.split_once("://").expect("a URL").1;
    let (login, at) = rest.rsplit_once('@').expect("user and password in the URL");
    let (user, password) = login.split_once(':').expect("a password in the URL");
    let address = at.split('/').next().unwrap();
    let (host, port) = address.rsplit_once(':').unwrap_or((address, "5432"));
    (user.into(), password.into(), host.into(), port.into())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
#[cfg_attr(
    not(appt_test_pg),
    ignore = "PostgreSQL only: a PgBouncer in front of the test server"
)]
fn behind_pgbouncer_in_transaction_pooling_appt_works_as_against_the_server() {
    let server = pg_server().expect("APPT_TEST_PG names the test server");
    let Some(bouncer) = Bouncer::start(&server, 2) else {
        return;
    };
    let direct = new_pg_database(&server);
    let name = direct.rsplit('/').next().unwrap();
    let name = name.split('?').next().unwrap().to_string();
    let env = Env::on(&bouncer.url(&server, &name));

    // Four processes meet an empty database at once: the schema is made
    // once, each step in a transaction of its own that takes the upgrade's
    // lock (a session's lock, taken and released on two of the pooler's
    // connections, would have held the others up until they gave up).
    let list = ["clinic", "list"].map(String::from).to_vec();
    for o in race(&env, vec![list; 4]) {
        assert!(o.status.success(), "{}\n{}", text(&o.stderr), bouncer.log());
    }
    let env = env.with_clinic();

    // Twelve API clients (a server of four workers) and four desks race
    // for one slot: one wins, the others are refused as taken.
    let t = token(&env, "bot", "appointments:read,appointments:write", &[]);
    let srv = Arc::new(Server::start(&env, &["--threads", "4"]));
    race_for_one_slot(&env, &srv, &t);
    // The server's reads through the pooler, after the race.
    let day = call_at(
        &srv.addr,
        "GET",
        "/v1/appointments?date=2026-06-16",
        Some(&t),
        None,
    );
    assert_eq!(day.status, 200, "{}", day.body);
    assert_eq!(day.json()["total"], 1);

    // More bookings, then two sweeps at once: each reminder handed over once.
    for (i, time) in ["09:00", "09:30", "11:00", "11:30"].iter().enumerate() {
        env.book("2026-06-16", time, &format!("+5037200{i:04}"));
    }
    let mut env = env;
    env.at("2026-06-15T18:45:00Z");
    let log = env.dir.path().join("delivered.log");
    let hook = format!("sleep 0.2; echo $APPT_REMINDER_ID >> {}", log.display());
    let sweep = ["remind", "due", "--exec", &hook]
        .map(String::from)
        .to_vec();
    for o in race(&env, vec![sweep.clone(), sweep]) {
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let delivered = std::fs::read_to_string(&log).unwrap();
    let mut ids: Vec<&str> = delivered.lines().collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        (n, ids.len()),
        (5, 5),
        "each due reminder once:\n{delivered}"
    );

    // A completion's glance (2 s per statement, in its own transactions),
    // then the ordinary limit again for the next client of that connection.
    let out = Command::new(assert_cmd::cargo::cargo_bin("appt"))
        .args([
            "__complete",
            "bash",
            "--",
            "appt",
            "book",
            "--doctor",
            "garc",
        ])
        .env("APPT_DB", &env.db)
        .env("HOME", env.dir.path())
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "Dr. García\n", "{}", text(&out.stderr));
    let check: Value = env.ok(&["check"]);
    assert_eq!(check["ok"], true, "{check}");

    // The backup timer's script hands pg_dump the URL without appt's own
    // pool_mode, which pg_dump refuses (here the server's own URL given
    // with it, as APPT_DB would be).
    let backups = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/appt-backup");
    let out = Command::new("sh")
        .arg(&script)
        .env("APPT_DB", format!("{direct}?pool_mode=transaction"))
        .env("APPT_BACKUP_DIR", backups.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dumps = std::fs::read_dir(backups.path()).unwrap().count();
    assert_eq!(dumps, 1);

    // Nothing of appt's stayed on the server's sessions the pooler lends,
    // once no appt is left: a session's lock or an open transaction would
    // stay there for good, while the transactions of this database's last
    // clients (the server's calendar round included, killed at any
    // statement) end within moments. Only this database is asked: the
    // other tests' writers hold their own transactions' locks meanwhile.
    drop(srv);
    let mut c = pg_connect(&direct);
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let left = crate::cluster::simple_rows(
            &mut c,
            "SELECT (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())), \
             (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
              AND state LIKE 'idle in transaction%')",
        );
        if left == vec![vec!["0".to_string(), "0".to_string()]] {
            break;
        }
        assert!(
            Instant::now() < until,
            "advisory locks and open transactions left after 10 s: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
