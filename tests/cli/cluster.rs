//! A real PostgreSQL 15 primary and a streaming standby, made with
//! PostgreSQL's own tools (`initdb`, `pg_ctl`, `pg_basebackup -R -X stream`,
//! `pg_ctl promote`), for the tests of failover and of reads on a standby.
//!
//! Both servers listen on 127.0.0.1 at free ports and keep their sockets and
//! data in one temporary folder; TCP logins take a password (SCRAM), the
//! standby streams from the primary through the folder's Unix socket. With
//! `sync`, the primary waits for the standby on every commit; that is given on
//! the primary's command line alone, never in a file, so the promoted standby
//! (made from the primary's files) waits for no standby of its own. Dropping
//! the cluster stops both servers (SIGKILL of each postmaster and of the
//! processes it started, after `pg_ctl stop -m immediate`) and removes the
//! folder, also when a test panics. initdb and pg_ctl refuse to run as root:
//! as root (the CI runs so) every tool runs as the `postgres` user, which owns
//! the folder.
//!
//! The primary can be lost two ways: killed (`kill_primary`, a crash: its
//! connections are cut at once) or frozen (`freeze_primary`, a hung machine:
//! connections stay open and silent); then `promote` makes the standby the
//! primary.
//!
//! Clusters are started one at a time: a cluster holds a lock of the test
//! binary until it is dropped, so timings (a failover's) are not those of
//! another test's cluster starting on the same two cores.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Where Debian and Ubuntu install PostgreSQL's programs, a folder per
/// major version: 15's, else the newest there.
pub const BINS: &str = "/usr/lib/postgresql";

/// The folder of the PostgreSQL programs the cluster runs (see [`BINS`]).
pub(crate) fn bin() -> PathBuf {
    let fifteen = Path::new(BINS).join("15/bin");
    if fifteen.join("initdb").exists() {
        return fifteen;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(BINS)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(v, b): &(u32, PathBuf)| *v >= 15 && b.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map_or(fifteen, |(_, b)| b)
}

/// The superuser's password over TCP (both servers: the standby is a copy).
pub const PASSWORD: &str = "f41l0ver-s3cret-7e57";

/// The database appt uses on the cluster (created before the base backup,
/// so the standby has it too).
pub const DATABASE: &str = "appt";

/// The standby's `application_name` on the primary (`pg_stat_replication`,
/// `synchronous_standby_names`).
const STANDBY_NAME: &str = "appt_standby";

/// One cluster at a time in this test binary.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// One server of the cluster.
struct Node {
    name: &'static str,
    data: PathBuf,
    port: u16,
    log: PathBuf,
    running: bool,
}

/// A primary and its streaming standby.
pub struct Cluster {
    dir: TempDir,
    sockets: PathBuf,
    primary: Node,
    standby: Node,
    /// Whether the primary waits for the standby on each commit.
    pub sync: bool,
    /// Run the tools as `postgres` (we are root).
    as_postgres: bool,
    // Last: released after the servers are stopped.
    _turn: MutexGuard<'static, ()>,
}

impl Cluster {
    /// The turn a test that starts servers of its own takes, as a cluster
    /// does, so that no two start at once on the same two cores.
    pub fn one_at_a_time() -> MutexGuard<'static, ()> {
        ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a primary (database [`DATABASE`] created) and a standby made
    /// from its base backup; returns once the standby streams (and, with
    /// `sync`, is the primary's synchronous standby).
    pub fn start(sync: bool) -> Cluster {
        Cluster::start_with(sync, "")
    }

    /// [`Cluster::start`], with `conf` (lines of `postgresql.conf`) after
    /// the cluster's own settings, on both servers (the benchmark's
    /// `shared_buffers`, `fsync = on`).
    pub fn start_with(sync: bool, conf: &str) -> Cluster {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let began = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("appt-cluster")
            .tempdir()
            .expect("tempdir");
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let sockets = dir.path().join("s");
        std::fs::create_dir(&sockets).expect("sockets folder");
        if as_postgres {
            for p in [dir.path(), &sockets] {
                chown_to_postgres(p);
            }
        }
        let [primary_port, standby_port] = free_ports();
        let node = |name: &'static str, port: u16| Node {
            name,
            data: dir.path().join(name),
            port,
            log: dir.path().join(format!("{name}.log")),
            running: false,
        };
        let mut cluster = Cluster {
            primary: node("primary", primary_port),
            standby: node("standby", standby_port),
            sockets,
            sync,
            as_postgres,
            dir,
            _turn: turn,
        };
        cluster.init_primary(conf);
        cluster.make_standby();
        cluster.wait_streaming();
        eprintln!(
            "cluster: primary :{} and {} standby :{} up in {:.1} s",
            cluster.primary.port,
            if sync { "synchronous" } else { "asynchronous" },
            cluster.standby.port,
            began.elapsed().as_secs_f64()
        );
        cluster
    }

    /// The primary as it was started (a single-host URL, with the password).
    pub fn primary_url(&self) -> String {
        self.url(&[self.primary.port], "")
    }

    /// The standby (after [`Cluster::promote`], the new primary).
    pub fn standby_url(&self) -> String {
        self.url(&[self.standby.port], "")
    }

    /// Both servers in one URL, the standby FIRST and the primary second,
    /// with the query `QUERY` (`target_session_attrs=read-write`, more
    /// parameters joined by `&`): `postgres://u:p@h:S,h:P/appt?QUERY`.
    pub fn both_url(&self, query: &str) -> String {
        self.url(&[self.standby.port, self.primary.port], query)
    }

    /// [`Cluster::both_url`] with the primary first.
    pub fn both_url_primary_first(&self, query: &str) -> String {
        self.url(&[self.primary.port, self.standby.port], query)
    }

    /// [`Cluster::both_url`] in libpq's `key=value` form, the standby first,
    /// `WORDS` after the rest (`target_session_attrs=read-write`):
    /// `host=h,h port=S,P user=… password=… dbname=appt WORDS`.
    pub fn both_conninfo(&self, words: &str) -> String {
        format!(
            "host=127.0.0.1,127.0.0.1 port={},{} user=postgres password={PASSWORD} \
             dbname={DATABASE} {words}",
            self.standby.port, self.primary.port
        )
    }

    fn url(&self, ports: &[u16], query: &str) -> String {
        let hosts: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!(
            "postgres://postgres:{PASSWORD}@{}/{DATABASE}{query}",
            hosts.join(",")
        )
    }

    /// The rows of `sql` on the server at `url` (one of this cluster's), each
    /// value as text (NULL as "NULL").
    pub fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
        let mut c = postgres::Client::connect(url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the cluster's server: {e}"));
        simple_rows(&mut c, sql)
    }

    /// Waits, at most `within`, until the standby has replayed everything
    /// the primary has written (the log is the cluster's, whatever the
    /// database).
    pub fn caught_up(&self, within: Duration) {
        let written = Cluster::rows(&self.primary_url(), "SELECT pg_current_wal_lsn()::text")
            .remove(0)
            .remove(0);
        let until = Instant::now() + within;
        loop {
            let behind = Cluster::rows(
                &self.standby_url(),
                &format!("SELECT pg_last_wal_replay_lsn() < '{written}'::pg_lsn"),
            );
            if behind[0][0] == "f" {
                return;
            }
            assert!(Instant::now() < until, "the standby never caught up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops (true) or resumes the standby's replay of what it receives:
    /// what it shows meanwhile, it shows from before.
    pub fn pause_replay(&self, pause: bool) {
        let f = if pause {
            "pg_wal_replay_pause"
        } else {
            "pg_wal_replay_resume"
        };
        Cluster::rows(&self.standby_url(), &format!("SELECT {f}()"));
    }

    /// Loses the primary as a crashed machine would: SIGKILL to its
    /// postmaster and to every process it started (no shutdown, no
    /// checkpoint, no last words to the standby). Its clients' connections
    /// are cut.
    pub fn kill_primary(&mut self) {
        let pid = postmaster_pid(&self.primary.data)
            .unwrap_or_else(|| panic!("the primary is not running: {}", self.log(true)));
        let children = children_of(pid);
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        for c in &children {
            unsafe {
                libc::kill(*c, libc::SIGKILL);
            }
        }
        let until = Instant::now() + Duration::from_secs(10);
        while std::iter::once(pid)
            .chain(children.iter().copied())
            .any(alive)
        {
            assert!(
                Instant::now() < until,
                "the primary's processes outlived SIGKILL"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        self.primary.running = false;
    }

    /// Loses the primary as a machine that stops answering would (a hang, a
    /// cable pulled): SIGSTOP to its postmaster and every process it started.
    /// Its clients' connections stay open and silent, and a new connection
    /// is accepted by the kernel but never answered.
    pub fn freeze_primary(&mut self) {
        let pid = postmaster_pid(&self.primary.data)
            .unwrap_or_else(|| panic!("the primary is not running: {}", self.log(true)));
        for p in std::iter::once(pid).chain(children_of(pid)) {
            unsafe {
                libc::kill(p, libc::SIGSTOP);
            }
        }
    }

    /// Promotes the standby (`pg_ctl promote -w`): returns once it takes
    /// writes.
    pub fn promote(&mut self) {
        let mut c = self.tool("pg_ctl");
        c.arg("-D")
            .arg(&self.standby.data)
            .args(["promote", "-w", "-t", "30"]);
        self.run(c, "pg_ctl promote");
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let open = postgres::Client::connect(&self.standby_url(), postgres::NoTls)
                .ok()
                .and_then(|mut c| {
                    c.query_one("SELECT pg_is_in_recovery()", &[])
                        .ok()
                        .map(|r| !r.get::<_, bool>(0))
                });
            if open == Some(true) {
                return;
            }
            assert!(
                Instant::now() < until,
                "the standby was not promoted: {}",
                self.log(false)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's log (the primary's or the standby's), for a failure's message.
    pub fn log(&self, primary: bool) -> String {
        let node = if primary {
            &self.primary
        } else {
            &self.standby
        };
        std::fs::read_to_string(&node.log).unwrap_or_default()
    }

    fn init_primary(&mut self, more: &str) {
        let pwfile = self.dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).expect("password file");
        if self.as_postgres {
            chown_to_postgres(&pwfile);
        }
        let mut c = self.tool("initdb");
        c.arg("-D")
            .arg(&self.primary.data)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()));
        self.run(c, "initdb");
        let conf = format!(
            "\n# appt's failover tests\n\
             listen_addresses = '127.0.0.1'\n\
             port = {}\n\
             unix_socket_directories = '{}'\n\
             wal_level = replica\n\
             hot_standby = on\n\
             max_wal_senders = 4\n\
             max_connections = 100\n\
             shared_buffers = 16MB\n\
             wal_keep_size = 64MB\n\
             fsync = off\n\
             logging_collector = off\n{more}\n",
            self.primary.port,
            self.sockets.display()
        );
        append(&self.primary.data.join("postgresql.conf"), &conf);
        // Synchronous replication on the command line alone (see the module's comment).
        let options = if self.sync {
            format!("-c synchronous_standby_names={STANDBY_NAME} -c synchronous_commit=on")
        } else {
            String::new()
        };
        self.start_node(true, &options);
        // The setup's own commits wait for no standby: there is none yet.
        let mut admin = self.admin(self.primary.port);
        admin
            .batch_execute("SET synchronous_commit = local")
            .expect("synchronous_commit");
        admin
            .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
            .expect("create the database");
    }

    fn make_standby(&mut self) {
        let mut c = self.tool("pg_basebackup");
        c.arg("-D")
            .arg(&self.standby.data)
            .arg("-d")
            .arg(format!(
                "host={} port={} user=postgres application_name={STANDBY_NAME}",
                self.sockets.display(),
                self.primary.port
            ))
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"]);
        self.run(c, "pg_basebackup");
        let auto = std::fs::read_to_string(self.standby.data.join("postgresql.auto.conf"))
            .expect("the standby's postgresql.auto.conf");
        assert!(
            auto.contains("primary_conninfo") && auto.contains(STANDBY_NAME),
            "pg_basebackup -R wrote no primary_conninfo naming the standby: {auto}"
        );
        assert!(self.standby.data.join("standby.signal").exists());
        append(
            &self.standby.data.join("postgresql.conf"),
            &format!("port = {}\n", self.standby.port),
        );
        self.start_node(false, "");
    }

    /// Waits until the primary sees the standby streaming (and, with `sync`,
    /// as its synchronous standby).
    fn wait_streaming(&self) {
        let want = if self.sync { "sync" } else { "async" };
        let until = Instant::now() + Duration::from_secs(30);
        let mut admin = self.admin(self.primary.port);
        loop {
            let rows = simple_rows(
                &mut admin,
                &format!(
                    "SELECT state, sync_state FROM pg_stat_replication \
                     WHERE application_name = '{STANDBY_NAME}'"
                ),
            );
            if rows == [vec!["streaming".to_string(), want.to_string()]] {
                return;
            }
            assert!(
                Instant::now() < until,
                "the standby does not stream ({rows:?}); primary:\n{}\nstandby:\n{}",
                self.log(true),
                self.log(false)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn start_node(&mut self, primary: bool, options: &str) {
        let node = if primary {
            &self.primary
        } else {
            &self.standby
        };
        let mut c = self.tool("pg_ctl");
        c.arg("-D")
            .arg(&node.data)
            .arg("-l")
            .arg(&node.log)
            .args(["-w", "-t", "60"]);
        if !options.is_empty() {
            c.args(["-o", options]);
        }
        c.arg("start");
        let what = format!("pg_ctl start ({})", node.name);
        let out = self.output(c);
        // Whatever pg_ctl started is stopped on drop, even when it failed.
        if primary {
            self.primary.running = true;
        } else {
            self.standby.running = true;
        }
        if !out.status.success() {
            panic!(
                "{what} failed: {}{}\nlog:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.log(primary)
            );
        }
    }

    /// A superuser's connection to the server at `port`, over TCP with the password.
    fn admin(&self, port: u16) -> postgres::Client {
        let url = format!("postgres://postgres:{PASSWORD}@127.0.0.1:{port}/postgres");
        postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the server at :{port}: {e}"))
    }

    /// A PostgreSQL program, run as `postgres` when we are root, in the
    /// cluster's folder, without the PG* variables of the test's environment.
    fn tool(&self, name: &str) -> Command {
        postgres_tool(&bin().join(name), self.as_postgres, self.dir.path())
    }

    fn output(&self, mut c: Command) -> Output {
        c.output().unwrap_or_else(|e| {
            panic!("cannot run {c:?}: {e} (is PostgreSQL 15 or newer installed in {BINS}?)")
        })
    }

    fn run(&self, c: Command, what: &str) {
        let out = self.output(c);
        assert!(
            out.status.success(),
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops a running server at once (`pg_ctl stop -m immediate`), then
    /// SIGKILLs whatever of it is left.
    fn stop(&mut self, primary: bool) {
        let node = if primary {
            &self.primary
        } else {
            &self.standby
        };
        if !node.running {
            return;
        }
        let Some(pid) = postmaster_pid(&node.data) else {
            return;
        };
        let children = children_of(pid);
        // A frozen server is woken to be stopped.
        for &p in std::iter::once(&pid).chain(&children) {
            unsafe {
                libc::kill(p, libc::SIGCONT);
            }
        }
        let mut c = self.tool("pg_ctl");
        c.arg("-D")
            .arg(&node.data)
            .args(["stop", "-m", "immediate", "-w", "-t", "10"]);
        let _ = c.stdout(Stdio::null()).stderr(Stdio::null()).status();
        let all: Vec<i32> = std::iter::once(pid).chain(children).collect();
        for &p in &all {
            if alive(p) {
                unsafe {
                    libc::kill(p, libc::SIGKILL);
                }
            }
        }
        let until = Instant::now() + Duration::from_secs(10);
        while all.iter().any(|&p| alive(p)) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        if primary {
            self.primary.running = false;
        } else {
            self.standby.running = false;
        }
    }
}

impl Drop for Cluster {
    /// Both servers stopped before their folder is removed (the lock of
    /// the test binary is released last).
    fn drop(&mut self) {
        self.stop(true);
        self.stop(false);
    }
}

/// Each row of a simple query, its values as text.
pub(crate) fn simple_rows(c: &mut postgres::Client, sql: &str) -> Vec<Vec<String>> {
    try_simple_rows(c, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// [`simple_rows`], or the server's refusal.
pub(crate) fn try_simple_rows(
    c: &mut postgres::Client,
    sql: &str,
) -> Result<Vec<Vec<String>>, postgres::Error> {
    Ok(c.simple_query(sql)?
        .into_iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("NULL").to_string())
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

/// `program`, run as `postgres` when `as_postgres` (we are root:
/// PostgreSQL's tools refuse root), in `dir`, without the PG* variables of
/// the test's environment.
pub(crate) fn postgres_tool(program: &Path, as_postgres: bool, dir: &Path) -> Command {
    let mut c = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    c.current_dir(dir).stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            c.env_remove(key);
        }
    }
    c
}

/// Two TCP ports on 127.0.0.1 that nothing listens on (held while both are
/// picked, so they differ).
fn free_ports() -> [u16; 2] {
    let a = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let b = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    [
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    ]
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn chown_to_postgres(path: &Path) {
    let name = CString::new("postgres").unwrap();
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    assert!(
        !pw.is_null(),
        "running as root, the tests need a `postgres` user to run PostgreSQL as"
    );
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    let c = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    let rc = unsafe { libc::chown(c.as_ptr(), uid, gid) };
    assert_eq!(rc, 0, "chown {}", path.display());
}

/// The postmaster's PID, from its `postmaster.pid`, while that file exists.
fn postmaster_pid(data: &Path) -> Option<i32> {
    std::fs::read_to_string(data.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// The processes whose parent is `pid` (from /proc).
pub(crate) fn children_of(pid: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|stat| {
                    // After the command's parenthesised name: state, then the parent.
                    let rest = &stat[stat.rfind(')')? + 1..];
                    rest.split_whitespace().nth(1)?.parse::<i32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

/// Whether a process `pid` exists and is not a zombie.
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}
