//! Automatic failover by an existing engine (docs/operations.md#automatic-failover-with-pg_auto_failover):
//! pg_auto_failover (Debian's `postgresql-15-auto-failover`) — a monitor,
//! a primary and a secondary made with `pg_autoctl create monitor|postgres`,
//! all on this machine — given to appt as `pg_autoctl show uri` says; the
//! primary's node killed under two `serve` processes, four clients and two
//! `remind due` loops (`failover::under_load`); the monitor promotes the
//! secondary by itself and appt carries on: no acknowledged booking lost,
//! none twice, no reminder sent twice, the first booking within 30 s of the
//! kill.
//!
//! pg_auto_failover's defaults promote in about 50 s; the monitor's and the
//! keepers' timeouts are set as docs/operations.md shows, for about 15.

use crate::cluster::Cluster;
use crate::failover::{under_load, Goal, Pair, Switch};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// The goal: the first booking within 30 s of the primary's loss.
const FIRST_BOOKING_WITHIN: Duration = Duration::from_secs(30);

/// The monitor's settings (docs/operations.md), and the keepers' own.
const MONITOR: &[(&str, &str)] = &[
    ("pgautofailover.health_check_period", "1000"),
    ("pgautofailover.health_check_timeout", "1000"),
    ("pgautofailover.health_check_max_retries", "1"),
    ("pgautofailover.health_check_retry_delay", "500"),
    ("pgautofailover.node_considered_unhealthy_timeout", "4000"),
    ("pgautofailover.primary_demote_timeout", "8000"),
];
const KEEPER: &[(&str, &str)] = &[("timeout.network_partition_timeout", "6")];

/// A pg_auto_failover formation on 127.0.0.1: a monitor and two nodes,
/// run as `postgres` (as root; pg_autoctl refuses root), stopped (every
/// process killed) when dropped.
struct Formation {
    dir: tempfile::TempDir,
    ports: [u16; 3],
    running: Vec<Child>,
    as_postgres: bool,
}

impl Formation {
    /// The formation, once node 2 is node 1's secondary; None (said so)
    /// where pg_autoctl is not installed, never under CI.
    fn start() -> Option<Formation> {
        if Command::new("pg_autoctl")
            .arg("--version")
            .output()
            .is_err()
        {
            crate::common::missing_tool("pg_autoctl (Debian's postgresql-15-auto-failover)");
            return None;
        }
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::Builder::new()
            .prefix("appt-formation")
            .tempdir()
            .unwrap();
        let mut f = Formation {
            ports: free_ports(),
            dir,
            running: Vec::new(),
            as_postgres,
        };
        if as_postgres {
            let out = Command::new("chown")
                .arg("postgres:postgres")
                .arg(f.dir.path())
                .output()
                .unwrap();
            assert!(out.status.success());
        }
        let p = f.ports;
        f.ok(f.autoctl(&[
            "create",
            "monitor",
            "--pgdata",
            &f.data("monitor"),
            "--pgport",
            &p[0].to_string(),
            "--auth",
            "trust",
            "--no-ssl",
            "--hostname",
            "127.0.0.1",
        ]));
        let monitor = f.autoctl(&["run", "--pgdata", &f.data("monitor")]);
        f.spawn(monitor, "monitor");
        f.until("the monitor answers", Duration::from_secs(30), |f| {
            f.query(p[0], "pg_auto_failover", "SELECT 1").is_some()
        });
        for (name, value) in MONITOR {
            f.query(
                p[0],
                "pg_auto_failover",
                &format!("ALTER SYSTEM SET {name} = '{value}'"),
            )
            .expect("a monitor setting");
        }
        f.query(p[0], "pg_auto_failover", "SELECT pg_reload_conf()");
        let monitor_uri = format!(
            "postgres://autoctl_node@127.0.0.1:{}/pg_auto_failover?sslmode=disable",
            p[0]
        );
        for n in 1..=2 {
            let data = f.data(&format!("n{n}"));
            // Made (a secondary's base backup waits for a checkpoint, which
            // a quiet primary takes only every few minutes: asked for), set,
            // then run: a keeper is never signalled while it starts.
            let mut create = f.autoctl(&[
                "create",
                "postgres",
                "--pgdata",
                &data,
                "--pgport",
                &p[n].to_string(),
                "--auth",
                "trust",
                "--no-ssl",
                "--hostname",
                "127.0.0.1",
                "--dbname",
                "appt",
                "--monitor",
                &monitor_uri,
            ]);
            let log = std::fs::File::create(f.dir.path().join(format!("n{n}-create.log"))).unwrap();
            let mut making = create
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("pg_autoctl create postgres");
            let until = Instant::now() + Duration::from_secs(120);
            let made = loop {
                if let Some(status) = making.try_wait().unwrap() {
                    break status;
                }
                f.query(p[1], "postgres", "CHECKPOINT");
                assert!(
                    Instant::now() < until,
                    "node {n} was not made\n{}",
                    f.logs()
                );
                std::thread::sleep(Duration::from_millis(300));
            };
            assert!(made.success(), "node {n} was not made\n{}", f.logs());
            for (name, value) in KEEPER {
                f.ok(f.autoctl(&["config", "set", "--pgdata", &data, name, value]));
            }
            let run = f.autoctl(&["run", "--pgdata", &data]);
            f.spawn(run, &format!("n{n}"));
            f.until(&format!("node {n} runs"), Duration::from_secs(60), |f| {
                f.query(p[n], "postgres", "SELECT 1").is_some()
            });
        }
        f.until("node 2 is secondary", Duration::from_secs(120), |f| {
            f.query(p[1], "postgres", "CHECKPOINT");
            f.states() == ["primary", "secondary"]
        });
        Some(f)
    }

    fn data(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// A program, as `postgres` when we are root, without the PG*
    /// variables of the test's environment, PostgreSQL's own programs first
    /// on its PATH (pg_autoctl runs pg_ctl and initdb).
    fn tool(&self, program: &str) -> Command {
        let mut c = crate::cluster::postgres_tool(
            std::path::Path::new(program),
            self.as_postgres,
            self.dir.path(),
        );
        let path = std::env::var("PATH").unwrap_or_default();
        c.env(
            "PATH",
            format!("{}:{path}", crate::cluster::bin().display()),
        );
        c
    }

    fn autoctl(&self, args: &[&str]) -> Command {
        let mut c = self.tool("pg_autoctl");
        c.args(args);
        c
    }

    fn ok(&self, mut c: Command) -> Output {
        let out = c.output().expect("pg_autoctl");
        assert!(
            out.status.success(),
            "{c:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn spawn(&mut self, mut c: Command, name: &str) {
        let log = std::fs::File::create(self.dir.path().join(format!("{name}.log"))).unwrap();
        let child = c
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("pg_autoctl");
        self.running.push(child);
    }

    fn until(&self, what: &str, within: Duration, done: impl Fn(&Formation) -> bool) {
        let until = Instant::now() + within;
        while !done(self) {
            assert!(
                Instant::now() < until,
                "{what}: not within {within:?}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// What every pg_autoctl process logged.
    fn logs(&self) -> String {
        ["monitor", "n1-create", "n1", "n2-create", "n2"]
            .iter()
            .map(|n| {
                let log = std::fs::read_to_string(self.dir.path().join(format!("{n}.log")))
                    .unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                format!(
                    "== {n}\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `sql` on the server at `port` (as `postgres`, trusted), None when it
    /// cannot be reached or refuses.
    fn query(&self, port: u16, db: &str, sql: &str) -> Option<Vec<Vec<String>>> {
        let url = format!("postgres://postgres@127.0.0.1:{port}/{db}?connect_timeout=2");
        let mut c = postgres::Client::connect(&url, postgres::NoTls).ok()?;
        crate::cluster::try_simple_rows(&mut c, sql).ok()
    }

    /// The nodes' reported states, by node ID, as the monitor has them.
    fn states(&self) -> Vec<String> {
        self.query(
            self.ports[0],
            "pg_auto_failover",
            "SELECT reportedstate FROM pgautofailover.node ORDER BY nodeid",
        )
        .unwrap_or_default()
        .concat()
    }

    /// Whether the server at `port` takes writes now, as appt asks
    /// (`target_session_attrs=read-write`: not read only; pg_auto_failover
    /// keeps a node read only a while after its promotion).
    fn writable(&self, port: u16) -> bool {
        self.query(
            port,
            "appt",
            "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only')::bool",
        )
        .is_some_and(|r| r == [["f"]])
    }
}

impl Pair for Formation {
    /// `pg_autoctl show uri --formation default`, as a clinic group gives
    /// it to appt (the user added: the nodes trust `postgres` here).
    fn url(&self) -> String {
        let out = self.ok(self.autoctl(&[
            "show",
            "uri",
            "--formation",
            "default",
            "--pgdata",
            &self.data("monitor"),
        ]));
        let uri = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(uri.contains("target_session_attrs=read-write"), "{uri}");
        uri.replacen("postgres://", "postgres://postgres@", 1)
    }

    fn primary_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/appt", self.ports[1])
    }

    fn standby_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/appt", self.ports[2])
    }

    /// Kills node 1 whole (its keeper and its PostgreSQL: the machine
    /// lost), then waits, without a hand on it, for node 2 to take writes.
    fn switch(&mut self) -> Switch {
        let killing = Instant::now();
        // The node's whole tree: the keeper (pg_autoctl renames its
        // processes), its PostgreSQL and every backend, at once.
        let tree = tree(self.running[1].id() as i32);
        assert!(tree.len() > 3, "node 1 is not running: {tree:?}");
        for pid in &tree {
            unsafe {
                libc::kill(*pid, libc::SIGKILL);
            }
        }
        let killed = Instant::now();
        let mut promoting = killed;
        let until = killed + Duration::from_secs(60);
        while !self.writable(self.ports[2]) {
            promoting = Instant::now();
            assert!(
                promoting < until,
                "the monitor did not promote node 2 within 60 s\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let promoted = Instant::now();
        eprintln!(
            "pg_auto_failover: node 2 took writes {:.2} s after node 1 was killed",
            (promoted - killed).as_secs_f64()
        );
        Switch {
            killing,
            killed,
            promoting,
            promoted,
        }
    }
}

impl Drop for Formation {
    fn drop(&mut self) {
        let trees: Vec<i32> = self
            .running
            .iter()
            .flat_map(|c| tree(c.id() as i32))
            .collect();
        for pid in trees {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        for c in &mut self.running {
            let _ = c.kill();
            let _ = c.wait();
        }
        for n in ["monitor", "n1", "n2"] {
            let pid = std::fs::read_to_string(self.dir.path().join(n).join("postmaster.pid"))
                .ok()
                .and_then(|t| t.lines().next()?.trim().parse::<i32>().ok());
            if let Some(pid) = pid {
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

/// `pid` and every process under it.
fn tree(pid: i32) -> Vec<i32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        all.extend(crate::cluster::children_of(all[i]));
        i += 1;
    }
    all
}

fn free_ports() -> [u16; 3] {
    let held: Vec<std::net::TcpListener> = (0..3)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port"))
        .collect();
    let port = |i: usize| held[i].local_addr().unwrap().port();
    [port(0), port(1), port(2)]
}

#[test]
#[cfg_attr(
    not(appt_test_pg),
    ignore = "PostgreSQL only: a pg_auto_failover formation of its own"
)]
fn under_pg_auto_failover_the_monitor_promotes_and_appt_carries_on() {
    let _turn = Cluster::one_at_a_time();
    let Some(mut formation) = Formation::start() else {
        return;
    };
    under_load(&mut formation, Goal::AfterLoss(FIRST_BOOKING_WITHIN));
}
