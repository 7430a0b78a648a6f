//! Helpers shared by the integration tests.

use appt::core::Coded;
use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;
use tempfile::TempDir;

/// What no test inherits from the machine: its database, clinic, key,
/// colours, width, and language (docs/commands.md#language).
pub const UNSET: [&str; 14] = [
    "APPT_DB",
    "APPT_STAFF",
    "APPT_STAFF_PIN_FILE",
    "APPT_SESSIONS",
    "APPT_READ_DB",
    "APPT_CLINIC",
    "APPT_KEY",
    "APPT_LINK_KEY",
    "NO_COLOR",
    "COLUMNS",
    "APPT_LANG",
    "LANG",
    "LC_ALL",
    "LC_MESSAGES",
];

/// The keys of the appointment object the message view leaves out (what a
/// hook, a `remind due` line and a webhook without `--clinical` receive,
/// docs/commands.md#what-a-hook-receives).
pub const MESSAGE_VIEW_LEAVES_OUT: [&str; 6] = [
    "diagnosis",
    "prescription",
    "follow_up_required",
    "follow_up_date",
    "notes",
    "cancellation_reason",
];

/// Monday 2026-06-15 08:00 in El Salvador (UTC-6, no DST).
pub const MONDAY_8AM: &str = "2026-06-15T14:00:00Z";

pub struct Env {
    pub dir: TempDir,
    pub db: PathBuf,
    pub now: String,
    /// The member of staff each command runs as, and the file of their PIN
    /// (`APPT_STAFF`, `APPT_STAFF_PIN_FILE`), once the database has staff.
    pub staff: Option<(String, PathBuf)>,
}

/// The PostgreSQL server the suite runs against, when `APPT_TEST_PG` names one
/// (`postgres://USER:PASSWORD@HOST:PORT/postgres`); otherwise SQLite files.
pub fn pg_server() -> Option<String> {
    std::env::var("APPT_TEST_PG").ok().filter(|s| !s.is_empty())
}

/// The national-ID key of the test databases on PostgreSQL.
pub const PG_KEY: &str = "7e57000000000000000000000000000000000000000000000000000000007e57";

/// The link key of the test databases on PostgreSQL (docs/security.md#patient-links).
pub const PG_LINK_KEY: &str = "11e4000000000000000000000000000000000000000000000000000000000011";

/// Whether this run is on PostgreSQL. A test that covers only one engine is
/// not run on the other: it carries `#[cfg_attr(appt_test_pg, ignore = …)]`
/// (or its opposite), which `build.rs` sets from `APPT_TEST_PG`, so the run
/// reports it as ignored instead of passing it without a check.
pub fn on_postgres() -> bool {
    pg_server().is_some()
}

/// A plain client of the test server (or one of its databases), to look
/// at or hold what appt cannot show (appt's own `pool_mode` left out: the
/// driver does not know it).
pub fn pg_connect(url: &str) -> postgres::Client {
    let url = url.split_once("?pool_mode=").map_or(url, |(at, _)| at);
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"))
}

/// `server` with its database name replaced by `name`.
fn pg_url(server: &str, name: &str) -> String {
    let cut = server.rfind('/').expect("a database in the URL");
    format!("{}/{name}", &server[..cut])
}

/// A fresh, empty database on the test server; returns its URL. The
/// suite's run through PgBouncer (`.ci/pgbouncer-run`) sets
/// `APPT_TEST_PG_POOL=transaction`: the URL then tells appt so
/// (`pool_mode`, docs/operations.md#behind-pgbouncer).
pub fn new_pg_database(server: &str) -> String {
    let name = format!("appt_t_{}", uuid::Uuid::new_v4().simple());
    pg_connect(server)
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create test database");
    pooled(pg_url(server, &name))
}

/// A test database's URL as appt is given it: saying the pooler's mode
/// when the tests run behind one (`APPT_TEST_PG_POOL`).
fn pooled(url: String) -> String {
    match std::env::var("APPT_TEST_PG_POOL") {
        Ok(mode) if !mode.is_empty() => format!("{url}?pool_mode={mode}"),
        _ => url,
    }
}

/// A new database on the test server made from `template` (its copy, as
/// it is now); returns its name. The server may not yet have seen the last
/// connection to the template close, so a refusal is tried again for 5 s.
fn database_from(server: &str, template: &str) -> String {
    let name = format!("appt_t_{}", uuid::Uuid::new_v4().simple());
    let sql = format!("CREATE DATABASE {name} TEMPLATE {template}");
    let mut tries = 0;
    while let Err(e) = pg_connect(server).batch_execute(&sql) {
        tries += 1;
        assert!(tries < 50, "copy {template}: {e}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    name
}

/// A new database on the test server at this appt's schema and holding
/// nothing else; returns its URL. Each test process upgrades one empty
/// database from nothing (`appt init`) and copies it for each test: the
/// upgrade's steps took about half a second a test. An upgrade that
/// fails fails every test; a test of what appt finds in a database it has
/// not yet made its own takes [`Env::empty`], and processes meeting an
/// empty database at once are `pgbouncer.rs`'s test.
/// Behind PgBouncer (`APPT_TEST_PG_POOL`) the pooler keeps its connection
/// to the upgraded database open, and a database with a connection cannot
/// be copied, so each test there upgrades its own.
fn migrated_pg_database(server: &str) -> String {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if std::env::var("APPT_TEST_PG_POOL").is_ok_and(|m| !m.is_empty()) {
        return new_pg_database(server);
    }
    let template = TEMPLATE.get_or_init(|| {
        let url = new_pg_database(server);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("appt"))
            .args(["--db", &url, "init"])
            .env("APPT_NOW", MONDAY_8AM)
            .env("APPT_KEY", PG_KEY)
            .env("APPT_LINK_KEY", PG_LINK_KEY)
            .output()
            .expect("run appt init");
        assert!(out.status.success(), "appt init: {out:?}");
        url.rsplit('/').next().unwrap_or_default().to_string()
    });
    pg_url(server, &database_from(server, template))
}

impl Env {
    /// A new database holding nothing: a file in a temporary folder, or
    /// (with `APPT_TEST_PG`) a database of its own on the test server, at
    /// this appt's schema.
    pub fn new() -> Self {
        Env::made_by(migrated_pg_database)
    }

    /// A new database without even appt's tables: no file yet, or an empty
    /// database on the test server (what a clinic's administrator gives
    /// appt the first time).
    pub fn empty() -> Self {
        Env::made_by(new_pg_database)
    }

    /// An env whose database, on the test server, `make` makes.
    fn made_by(make: fn(&str) -> String) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = match pg_server() {
            Some(server) => PathBuf::from(make(&server)),
            None => dir.path().join("appt.db"),
        };
        Env {
            dir,
            db,
            now: MONDAY_8AM.to_string(),
            staff: None,
        }
    }

    /// A copy of this env's database, as it is now, in an env of its own
    /// (a file copied; on PostgreSQL, a database made from it as a
    /// template), at the same instant and as the same member of staff.
    pub fn copy(&self) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = match (pg_server(), self.url()) {
            (Some(server), Some(url)) => {
                let from = url.rsplit('/').next().unwrap_or_default();
                let from = from.split('?').next().unwrap_or_default();
                PathBuf::from(pooled(pg_url(&server, &database_from(&server, from))))
            }
            _ => {
                let to = dir.path().join("appt.db");
                // The national-ID key file lives beside the database.
                for ext in ["", "-wal", ".key"] {
                    let from = PathBuf::from(format!("{}{ext}", self.db.display()));
                    if from.exists() {
                        std::fs::copy(&from, format!("{}{ext}", to.display())).expect("copy");
                    }
                }
                to
            }
        };
        Env {
            dir,
            db,
            now: self.now.clone(),
            staff: self.staff.clone(),
        }
    }

    /// The database's URL when it is on a server.
    pub fn url(&self) -> Option<String> {
        let db = self.db.to_string_lossy();
        db.starts_with("postgres").then(|| db.into_owned())
    }

    /// Runs SQL statements (no parameters) straight on the database, either engine.
    pub fn exec(&self, sql: &str) {
        match self.url() {
            Some(url) => pg_connect(&url).batch_execute(sql).expect("exec"),
            None => rusqlite::Connection::open(&self.db)
                .expect("open")
                .execute_batch(sql)
                .expect("exec"),
        }
    }

    /// Runs SQL straight on the database; the engine's error when it refuses.
    pub fn try_exec(&self, sql: &str) -> Result<(), String> {
        match self.url() {
            Some(url) => pg_connect(&url)
                .batch_execute(sql)
                .map_err(|e| format!("{e:?}")),
            None => rusqlite::Connection::open(&self.db)
                .expect("open")
                .execute_batch(sql)
                .map_err(|e| e.to_string()),
        }
    }

    /// Row `id` of `table` as its key is written in SQL: as
    /// [`Env::id_literal`] writes it where the table keeps its IDs as 16
    /// bytes ([`SIXTEEN_BYTE_IDS`]), else as text.
    pub fn key_literal(&self, table: &str, id: &str) -> String {
        if SIXTEEN_BYTE_IDS.contains(&format!("{table}.id").as_str()) {
            self.id_literal(id)
        } else {
            format!("'{id}'")
        }
    }

    /// An SQL literal of ID `id` for a column that keeps IDs as their 16
    /// bytes: a BLOB on SQLite, text the server reads as a `uuid` on
    /// PostgreSQL.
    pub fn id_literal(&self, id: &str) -> String {
        match self.url() {
            Some(_) => format!("'{id}'"),
            None => format!("x'{}'", id.replace('-', "")),
        }
    }

    /// The rows of a query, each value as text (NULL as "NULL"), either engine.
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match self.url() {
            Some(url) => pg_connect(&url)
                .simple_query(sql)
                .expect("query")
                .into_iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => Some(
                        (0..r.len())
                            .map(|i| r.get(i).unwrap_or("NULL").to_string())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect(),
            None => {
                let conn = rusqlite::Connection::open(&self.db).expect("open");
                let mut st = conn.prepare(sql).expect("prepare");
                let n = st.column_count();
                st.query_map([], |r| {
                    Ok((0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Null => "NULL".to_string(),
                            rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                            rusqlite::types::ValueRef::Real(v) => v.to_string(),
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            // An ID kept as its 16 bytes, as appt shows it.
                            rusqlite::types::ValueRef::Blob(b) => match uuid::Uuid::from_slice(b) {
                                Ok(id) => id.to_string(),
                                Err(_) => format!("{b:?}"),
                            },
                        })
                        .collect())
                })
                .expect("query")
                .map(Result::unwrap)
                .collect()
            }
        }
    }

    /// The same database seen at another instant.
    pub fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.to_string();
        self
    }

    /// `appt --db <temp> …` with `APPT_NOW` set and no inherited appt settings
    /// (nor `COLUMNS`: human output is whole unless a test asks for a width)
    /// (on PostgreSQL, the national-ID key from `APPT_KEY`, as a server needs).
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("appt").expect("binary");
        c.arg("--db").arg(&self.db);
        c.env("APPT_NOW", &self.now);
        for v in UNSET {
            c.env_remove(v);
        }
        if self.url().is_some() {
            c.env("APPT_KEY", PG_KEY);
            c.env("APPT_LINK_KEY", PG_LINK_KEY);
        }
        if let Some((name, pin)) = &self.staff {
            c.env("APPT_STAFF", name).env("APPT_STAFF_PIN_FILE", pin);
        }
        c
    }

    /// `appt --db <temp> ARGS` as a std Command (its stdout can be redirected).
    pub fn raw(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("appt"));
        c.arg("--db")
            .arg(&self.db)
            .args(args)
            .env("APPT_NOW", &self.now);
        for v in UNSET {
            c.env_remove(v);
        }
        if self.url().is_some() {
            c.env("APPT_LINK_KEY", PG_LINK_KEY);
        }
        if let Some((name, pin)) = &self.staff {
            c.env("APPT_STAFF", name).env("APPT_STAFF_PIN_FILE", pin);
        }
        c
    }

    /// Runs with `--json`, expects exit 0 and nothing on stderr but warnings; returns stdout's JSON.
    pub fn ok(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).arg("--json").output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "appt {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("appt {args:?}: bad JSON {e}: {stdout}"))
    }

    /// Runs with `--json`, expects failure with nothing on stdout; returns (exit code, error object).
    pub fn err(&self, args: &[&str]) -> (i32, Value) {
        let out = self.cmd().args(args).arg("--json").output().expect("run");
        assert!(
            !out.status.success(),
            "appt {args:?} should fail but printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            out.stdout.is_empty(),
            "appt {args:?} wrote to stdout on failure: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let v: Value = serde_json::from_str(stderr.trim())
            .unwrap_or_else(|e| panic!("appt {args:?}: stderr is not JSON ({e}): {stderr}"));
        (out.status.code().unwrap_or(-1), v["error"].clone())
    }

    /// Expects failure with `code` and exit `exit`; returns the error's details.
    pub fn fails(&self, args: &[&str], code: &str, exit: i32) -> Value {
        let (got_exit, e) = self.err(args);
        assert_eq!(e["code"], code, "appt {args:?}: {e}");
        assert_eq!(got_exit, exit, "appt {args:?}: exit code for {code}");
        e["details"].clone()
    }

    /// Expects failure with `code` and exit `exit` and the database left exactly
    /// as it was; returns the error's details.
    pub fn refused(&self, args: &[&str], code: &str, exit: i32) -> Value {
        let before = self.snapshot();
        let d = self.fails(args, code, exit);
        assert_eq!(
            self.snapshot(),
            before,
            "appt {args:?} was refused with {code} but changed the database"
        );
        d
    }

    /// `remind due` without --exec at the env's clock: one JSON line per
    /// message it delivered.
    pub fn sweep_lines(&self) -> Vec<Value> {
        self.lines(&["remind", "due"])
    }

    /// A command that streams JSON Lines (`events`, `export --format jsonl`,
    /// `remind due`): expects exit 0, returns each line parsed.
    pub fn lines(&self, args: &[&str]) -> Vec<Value> {
        let out = self.cmd().args(args).output().expect("run");
        assert!(out.status.success(), "appt {args:?}: {out:?}");
        json_lines(&out.stdout)
    }

    /// A dump of every table, to show a failed command changed nothing.
    pub fn snapshot(&self) -> String {
        // Failed authentications are the limiter's count, which a refused
        // request adds to by design (tokens.rs and serve.rs test it): not
        // data a refusal may change. Nor are the tables' counts of changes
        // (`changes`), which follow the writes to the others: a change to
        // any data shows in its own table.
        let tables = match self.url() {
            Some(_) => self.rows(
                "SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = current_schema() \
                 AND table_name NOT IN ('auth_failures', 'changes') ORDER BY table_name",
            ),
            None => self.rows(
                "SELECT name FROM sqlite_master WHERE type='table' \
                 AND name NOT IN ('auth_failures', 'changes') ORDER BY name",
            ),
        };
        if self.url().is_some() {
            // One query for every table: a connection per table is slow.
            let parts: Vec<String> = tables
                .iter()
                .map(|r| {
                    let t = &r[0];
                    format!(
                        "SELECT '{t}' AS tbl, 0 AS k, '## {t}' AS line \
                         UNION ALL SELECT '{t}', 1, x::text FROM \"{t}\" x"
                    )
                })
                .collect();
            let sql = format!(
                "SELECT coalesce(string_agg(line, E'\\n' ORDER BY tbl, k, line), '') FROM ({}) s",
                parts.join(" UNION ALL ")
            );
            return self.rows(&sql).remove(0).remove(0);
        }
        let mut out = String::new();
        for t in tables.iter().map(|r| &r[0]) {
            let rows: Vec<String> = self
                .rows(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
                .into_iter()
                .map(|r| r.join("|"))
                .collect();
            out.push_str(&format!("## {t}\n{}\n", rows.join("\n")));
        }
        out
    }

    /// A clinic in El Salvador, Dr. García with a Mon–Fri 09:00–13:00 window
    /// (30-minute slots), and a 30-minute "General Checkup" service. Patient
    /// notifications are off, so the sweeps deliver reminders alone; the
    /// notification tests turn them on (`notify.rs`).
    pub fn clinic() -> Self {
        Env::new().with_clinic()
    }

    /// An env on the database `db` (a server of a test's own, such as a
    /// primary and its standby: `cluster.rs`), empty.
    pub fn on(db: &str) -> Self {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
            db: db.into(),
            now: MONDAY_8AM.to_string(),
            staff: None,
        }
    }

    /// [`Env::clinic`]'s clinic, made in this env's database.
    pub fn with_clinic(self) -> Self {
        let env = self;
        env.ok(&[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
            "--notify",
            "off",
        ]);
        env.ok(&[
            "doctor",
            "add",
            "Dr. García",
            "--specialty",
            "Medicina General",
        ]);
        env.ok(&["service", "add", "General Checkup", "--minutes", "30"]);
        env.ok(&[
            "window",
            "add",
            "--doctor",
            "Dr. García",
            "--days",
            "mon-fri",
            "--from",
            "09:00",
            "--to",
            "13:00",
            "--session",
            "Morning",
        ]);
        env
    }

    /// A second clinic, `name`, in El Salvador with notifications off,
    /// where Dr. García works Mon–Fri from `from` to `to`.
    pub fn second_clinic(&self, name: &str, from: &str, to: &str) {
        self.ok(&[
            "clinic",
            "add",
            name,
            "--timezone",
            "America/El_Salvador",
            "--notify",
            "off",
        ]);
        self.ok(&[
            "window",
            "add",
            "-c",
            name,
            "-d",
            "Dr. García",
            "--days",
            "mon-fri",
            "--from",
            from,
            "--to",
            to,
        ]);
    }

    /// Books Dr. García for a patient at a local date and time; returns the appointment.
    pub fn book(&self, date: &str, time: &str, phone: &str) -> Value {
        self.book_with(date, time, phone, &[])
    }

    /// [`Env::book`] with more of `book`'s options (`--source web`, …).
    pub fn book_with(&self, date: &str, time: &str, phone: &str, more: &[&str]) -> Value {
        let mut args = vec![
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            date,
            "--time",
            time,
            "--phone",
            phone,
            "--name",
            "Test Patient",
        ];
        args.extend_from_slice(more);
        self.ok(&args)["appointment"].clone()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let (Some(server), Some(url)) = (pg_server(), self.url()) {
            if !url.contains("/appt_t_") {
                return;
            }
            let name = url.rsplit('/').next().unwrap_or_default();
            let name = name.split('?').next().unwrap_or_default();
            let _ = pg_connect(&server)
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A sender program for the example hook (`WHATSAPP_SEND`) that appends
/// `PHONE|MESSAGE` lines to an outbox: (sender, outbox, the example hook).
pub fn fake_sender(dir: &std::path::Path) -> (PathBuf, PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let sender = dir.join("fake-sender");
    let outbox = dir.join("outbox.txt");
    std::fs::write(
        &sender,
        format!(
            "#!/bin/sh\nprintf '%s|%s\\n' \"$1\" \"$2\" >> {}\n",
            outbox.display()
        ),
    )
    .expect("sender");
    std::fs::set_permissions(&sender, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let hook = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/remind-whatsapp.sh");
    (sender, outbox, hook)
}

/// Under CI (`$CI` set, as `.ci/run` and the CI machine set it).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// What a test needs is missing (`what`: a tool, a variable naming one):
/// under CI the test fails; elsewhere it says loudly that it did not run
/// and what to install (README, "the tests need"; `.ci/run` installs it
/// all). The one place that decides, for every test that drives another
/// program.
pub fn missing_tool(what: &str) {
    assert!(
        !in_ci(),
        "{what} is not installed: under CI this test must run (.ci/run installs it)"
    );
    eprintln!(
        "SKIPPED — this test did not run: {what} is not installed (see README; .ci/run installs it)"
    );
}

/// Whether this test runs as root, which it needs for `why`: under CI it
/// must (the CI machine runs as root); elsewhere it is skipped loudly.
pub fn as_root(why: &str) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        assert!(!in_ci(), "under CI this test runs as root: {why}");
        eprintln!("SKIPPED — this test did not run: only root can {why}");
    }
    root
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Each line of JSON Lines output, parsed.
pub fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Gives `a` a diagnosis, a prescription, a follow-up and notes (an
/// `appointment.updated` event); returns those words, none of which a
/// message may carry.
pub fn write_clinical_record(env: &Env, a: &Value) -> [&'static str; 4] {
    let words = [
        "Embarazo de 20 semanas, G2P1",
        "Ácido fólico 5 mg",
        "2026-07-01",
        "Paga en efectivo",
    ];
    env.ok(&[
        "update",
        s(&a["id"]),
        "--diagnosis",
        words[0],
        "--prescription",
        words[1],
        "--follow-up",
        words[2],
        "--notes",
        words[3],
    ]);
    words
}

/// The schema version `env`'s database is at, as text.
pub fn schema_version(env: &Env) -> String {
    env.rows(if on_postgres() {
        "SELECT version FROM appt_schema"
    } else {
        "PRAGMA user_version"
    })[0][0]
        .clone()
}

/// Whether `env`'s database has a table called `name` (an upgrade's copy,
/// say), either engine.
pub fn has_table(env: &Env, name: &str) -> bool {
    let sql = if on_postgres() {
        format!("SELECT count(*) FROM information_schema.tables WHERE table_name = '{name}'")
    } else {
        format!("SELECT count(*) FROM sqlite_master WHERE name = '{name}'")
    };
    env.rows(&sql)[0][0] != "0"
}

/// Marks `env`'s database as of schema `version`, for tests of older
/// databases: the next command upgrades it from there.
pub fn set_schema_version(env: &Env, version: i64) {
    env.exec(&if on_postgres() {
        format!("UPDATE appt_schema SET version = {version}")
    } else {
        format!("PRAGMA user_version = {version}")
    });
}

/// The names of `env`'s indexes whose name meets `condition` (`LIKE
/// 'appt%'`, `IN ('a', 'b')`), in order, on either engine.
pub fn index_names(env: &Env, condition: &str) -> Vec<String> {
    env.rows(&if on_postgres() {
        format!("SELECT indexname FROM pg_indexes WHERE indexname {condition} ORDER BY 1")
    } else {
        format!(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name {condition} ORDER BY 1"
        )
    })
    .concat()
}

/// Takes schema 22's change (a patient's erasure, docs/privacy.md#erasure)
/// out of `env`'s database, for tests of older databases: no `erased_at`,
/// and the search index of every patient.
pub fn undo_schema_22(env: &Env) {
    env.exec("DROP INDEX patients_search");
    env.exec(if env.url().is_some() {
        "CREATE INDEX patients_search ON patients(name_key, phone) INCLUDE (id)"
    } else {
        "CREATE INDEX patients_search ON patients(name_key, phone)"
    });
    env.exec("ALTER TABLE patients DROP COLUMN erased_at");
}

/// Takes schema 28's change (visits as clinics count them: an
/// appointment's urgency, modality, visit type and payer, a clinic's payers
/// and video link) out of `env`'s database, for tests of older databases.
pub fn undo_schema_28(env: &Env) {
    undo_schema_29(env);
    for column in ["urgency", "modality", "visit_type", "payer"] {
        env.exec(&format!("ALTER TABLE appointments DROP COLUMN {column}"));
    }
    for column in ["payers", "video_url"] {
        env.exec(&format!("ALTER TABLE clinics DROP COLUMN {column}"));
    }
}

/// Takes schema 29's change (audited overbooking: an appointment's
/// overbooking, a clinic's allowance) out of `env`'s database, for tests
/// of older databases.
pub fn undo_schema_29(env: &Env) {
    undo_schema_30(env);
    for column in ["overbook_reason", "overbook_by", "overbook_rule"] {
        env.exec(&format!("ALTER TABLE appointments DROP COLUMN {column}"));
    }
    env.exec("ALTER TABLE clinics DROP COLUMN max_overbook_per_day");
}

/// Takes schema 30's change (a clinic's channels) out of `env`'s database,
/// for tests of older databases.
pub fn undo_schema_30(env: &Env) {
    undo_schema_31(env);
    env.exec("DROP TABLE channels");
}

/// Takes schema 31's change (the channel a message was sent through and
/// the provider's ID) out of `env`'s database, for tests of older databases.
pub fn undo_schema_31(env: &Env) {
    undo_schema_32(env);
    env.exec("ALTER TABLE reminders DROP COLUMN channel");
    env.exec("ALTER TABLE reminders DROP COLUMN provider_id");
}

/// Takes schema 32's change (the receipts of the messages sent, and the
/// inbox of the messages received) out of `env`'s database.
pub fn undo_schema_32(env: &Env) {
    undo_schema_33(env);
    env.exec("DROP TABLE inbox");
    env.exec("DROP INDEX reminders_provider");
    env.exec("ALTER TABLE reminders DROP COLUMN delivered_at");
    env.exec("ALTER TABLE reminders DROP COLUMN read_at");
}

/// Takes schema 33's change (a patient's preferred channel) out of
/// `env`'s database, for tests of older databases.
pub fn undo_schema_33(env: &Env) {
    undo_schema_34(env);
    env.exec("ALTER TABLE patients DROP COLUMN channel");
}

/// Takes schema 34's change (the settings of a clinic's online booking
/// page, and which doctors and services it offers) out of `env`'s
/// database, for tests of older databases.
pub fn undo_schema_34(env: &Env) {
    undo_schema_35(env);
    for column in [
        "online_booking",
        "slug",
        "web_horizon",
        "web_notice",
        "web_hold",
    ] {
        env.exec(&format!("ALTER TABLE clinics DROP COLUMN {column}"));
    }
    env.exec("ALTER TABLE doctors DROP COLUMN online");
    env.exec("ALTER TABLE services DROP COLUMN online");
}

/// Takes schema 35's change (the booking page's holds and codes) out of
/// `env`'s database, for tests of older databases.
pub fn undo_schema_35(env: &Env) {
    undo_schema_36(env);
    env.exec("DROP TABLE holds");
    env.exec("DROP TABLE web_codes");
}

/// Takes schema 36's change (recalls: their message's index, the
/// follow-up dates' index and the clinic's setting) out of `env`'s
/// database, for tests of older databases. The wider CHECK of the
/// messages' kinds stays: it refuses nothing an older appt writes.
pub fn undo_schema_36(env: &Env) {
    undo_schema_37(env);
    env.exec("DROP INDEX reminders_recall");
    env.exec("DROP INDEX appt_follow_up");
    env.exec("ALTER TABLE clinics DROP COLUMN recalls");
}

/// Takes schema 37's change (the booking page's holds for a waitlist)
/// out of `env`'s database, for tests of older databases.
pub fn undo_schema_37(env: &Env) {
    undo_schema_38(env);
    env.exec("ALTER TABLE holds DROP COLUMN kind");
}

/// Takes schema 38's change (calendar feeds) out of `env`'s database, for
/// tests of older databases.
pub fn undo_schema_38(env: &Env) {
    undo_schema_39(env);
    env.exec("DROP INDEX appt_doctor_feed");
    env.exec("DROP TABLE feeds");
}

/// Takes schema 39's change (failed authentications counted in the
/// database) out of `env`'s database, for tests of older databases.
pub fn undo_schema_39(env: &Env) {
    undo_schema_40(env);
    env.exec("DROP TABLE auth_failures");
}

/// Takes schema 40's change (the services each doctor does) out of `env`'s
/// database, for tests of older databases.
pub fn undo_schema_40(env: &Env) {
    undo_schema_41(env);
    env.exec("ALTER TABLE doctors DROP COLUMN service_ids");
}

/// Takes schema 41's change (what the booking page's codes may cost a
/// clinic) out of `env`'s database, for tests of older databases.
pub fn undo_schema_41(env: &Env) {
    undo_schema_42(env);
    env.exec("DROP INDEX web_codes_clinic");
    env.exec("ALTER TABLE web_codes DROP COLUMN clinic_id");
    env.exec("ALTER TABLE clinics DROP COLUMN web_countries");
    env.exec("ALTER TABLE clinics DROP COLUMN web_codes_per_hour");
}

/// Takes schema 42's change (the name a clinic was given for another
/// clinic's patient) out of `env`'s database, for tests of older databases.
pub fn undo_schema_42(env: &Env) {
    undo_schema_43(env);
    env.exec("ALTER TABLE appointments DROP COLUMN patient_name_given");
    env.exec("ALTER TABLE waitlist DROP COLUMN patient_name_given");
}

/// Takes schema 43's change (an answer's outcome `asked`) out of `env`'s
/// database, for tests of older databases: nothing to take on a database
/// that never asked (the wider CHECK holds the older rows).
pub fn undo_schema_43(env: &Env) {
    undo_schema_44(env);
}

/// Takes schema 44's change (rooms and equipment) out of `env`'s database,
/// for tests of older databases: dropping a table drops its trigger.
pub fn undo_schema_44(env: &Env) {
    undo_schema_45(env);
    env.exec(
        "DROP TABLE appointment_resources; DROP TABLE service_needs; \
         DROP TABLE resource_hours; DROP TABLE resource_closures; DROP TABLE resources;",
    );
    if env.url().is_some() {
        env.exec("DROP FUNCTION appt_resource_guard()");
    }
}

/// Takes schema 45's change (the rooms a booking page's hold keeps) out
/// of `env`'s database, for tests of older databases.
pub fn undo_schema_45(env: &Env) {
    undo_schema_46(env);
    env.exec("DROP TABLE hold_resources");
}

/// Takes schema 46's change (the doctors' own calendars) out of `env`'s
/// database, for tests of older databases.
pub fn undo_schema_46(env: &Env) {
    undo_schema_47(env);
    env.exec("DROP TABLE calendar_busy; DROP TABLE calendars;");
}

/// Takes schema 47's change (what appt writes into a doctor's calendar)
/// out of `env`'s database, for tests of older databases.
pub fn undo_schema_47(env: &Env) {
    undo_schema_48(env);
    env.exec("DROP TABLE calendar_writes; ALTER TABLE calendars DROP COLUMN write_back;");
}

/// Takes schema 48's change (a busy time's document, a collection's
/// sync-token) out of `env`'s database, for tests of older databases.
pub fn undo_schema_48(env: &Env) {
    undo_schema_49(env);
    let (text, int, strict) = match env.url() {
        Some(_) => ("TEXT COLLATE \"C\"", "BIGINT", ""),
        None => ("TEXT", "INTEGER", " STRICT"),
    };
    env.exec(&format!(
        "CREATE TABLE calendar_busy_47 (\
             calendar_id {text} NOT NULL REFERENCES calendars(id) ON DELETE CASCADE, \
             doctor_id {text} NOT NULL, starts_at {int} NOT NULL, ends_at {int} NOT NULL, \
             PRIMARY KEY (calendar_id, starts_at, ends_at)){strict}; \
         INSERT INTO calendar_busy_47 SELECT DISTINCT calendar_id, doctor_id, starts_at, ends_at \
             FROM calendar_busy; \
         DROP TABLE calendar_busy; \
         ALTER TABLE calendar_busy_47 RENAME TO calendar_busy; \
         CREATE INDEX calendar_busy_doctor ON calendar_busy(doctor_id, starts_at, ends_at); \
         ALTER TABLE calendars DROP COLUMN sync_token;"
    ));
}

/// Takes schema 49's change (each table's count of changes) out of
/// `env`'s database, for tests of older databases.
pub fn undo_schema_49(env: &Env) {
    undo_schema_50(env);
    env.exec("DROP TABLE changes");
}

/// Schema 50 changed no table: a booking's event stopped storing the
/// fields it set, which an older appt reads as well. Here to keep the chain
/// of the steps whole (a test of the step itself writes those fields back):
/// it takes out the steps after it.
pub fn undo_schema_50(env: &Env) {
    undo_schema_51(env);
}

/// Takes schema 51's change (the staff) out of `env`'s database, for tests
/// of older databases.
pub fn undo_schema_51(env: &Env) {
    undo_schema_52(env);
    env.exec("DROP TABLE staff_sessions; DROP TABLE staff;");
}

/// Takes schema 53's change (the record of who looked) out of `env`'s
/// database, for tests of older databases.
pub fn undo_schema_53(env: &Env) {
    undo_schema_54(env);
    env.exec("DROP TABLE access_log;");
}

/// Takes schema 54's change (a clinic's `--session-hours`) out of `env`'s
/// database, for tests of older databases.
pub fn undo_schema_54(env: &Env) {
    undo_schema_55(env);
    env.exec("ALTER TABLE clinics DROP COLUMN session_hours;");
}

/// Takes schema 55's change (the OS user beside a member of staff in the
/// events) out of `env`'s database, for tests of older databases.
pub fn undo_schema_55(env: &Env) {
    undo_schema_56(env);
    env.exec("ALTER TABLE events DROP COLUMN os_user;");
}

/// Takes schema 56's change (each event's type stored as its number) out
/// of `env`'s database, for tests of older databases: the types named
/// again, the index of offers on the name, the IDs given kept.
pub fn undo_schema_56(env: &Env) {
    undo_schema_57(env);
    let named = event_name("type");
    let offered =
        "CREATE INDEX events_offered ON events(id) WHERE type = 'appointment.slot_offered'";
    if env.url().is_some() {
        env.exec(&format!(
            "DROP INDEX events_offered; \
             ALTER TABLE events ALTER COLUMN type TYPE TEXT COLLATE \"C\" USING ({named}); \
             {offered};"
        ));
    } else {
        env.exec(&format!(
            "CREATE TABLE events_55 (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, \
                 appointment_id TEXT REFERENCES appointments(id), created_at INTEGER NOT NULL, \
                 data TEXT NOT NULL, actor TEXT, os_user TEXT) STRICT; \
             INSERT INTO events_55 SELECT id, {named}, appointment_id, created_at, data, actor, os_user \
                 FROM events; \
             CREATE TEMP TABLE given AS SELECT seq FROM sqlite_sequence WHERE name = 'events'; \
             DROP TABLE events; \
             ALTER TABLE events_55 RENAME TO events; \
             UPDATE sqlite_sequence SET seq = (SELECT seq FROM given) WHERE name = 'events'; \
             CREATE INDEX events_appt ON events(appointment_id, id, type); \
             {offered};"
        ));
    }
}

/// The indexes of the messages at schema 56, on their names.
const MESSAGE_INDEXES_56: &str =
    "CREATE INDEX reminders_appt ON reminders(appointment_id, status); \
     CREATE INDEX reminders_due_at ON reminders(due_at); \
     CREATE INDEX reminders_due ON reminders(status, due_at) \
         WHERE status = 'pending' OR status = 'failed' OR status = 'expired'; \
     CREATE INDEX reminders_kind ON reminders(kind, due_at) \
         WHERE kind = 'waitlist_offer' OR kind = 'confirmation' OR kind = 'rescheduled' \
         OR kind = 'cancelled' OR kind = 'recall'; \
     CREATE INDEX reminders_provider ON reminders(provider_id) WHERE provider_id IS NOT NULL; \
     CREATE UNIQUE INDEX reminders_recall ON reminders(appointment_id) WHERE kind = 'recall';";

/// The messages' statuses and kinds as schema 56 held them to names.
const MESSAGE_CHECKS_56: [(&str, &str); 2] = [
    ("status", "'pending','sent','failed','cancelled','expired'"),
    (
        "kind",
        "'reminder','waitlist_offer','confirmation','rescheduled','cancelled','recall'",
    ),
];

/// Takes schema 57's change (each message's status and kind stored as its
/// number) out of `env`'s database, for tests of older databases: the
/// names stored again, in the table and indexes schema 56 had.
pub fn undo_schema_57(env: &Env) {
    undo_schema_58(env);
    let (status, kind) = (
        name_of_number::<appt::core::MessageStatus>("status"),
        name_of_number::<appt::core::MessageKind>("kind"),
    );
    let [(_, statuses), (_, kinds)] = MESSAGE_CHECKS_56;
    if env.url().is_some() {
        env.exec(&format!(
            "DROP INDEX reminders_appt, reminders_due_at, reminders_due, reminders_kind, \
                 reminders_provider, reminders_recall; \
             ALTER TABLE reminders ALTER COLUMN status TYPE TEXT COLLATE \"C\" USING ({status}), \
                 ALTER COLUMN kind TYPE TEXT COLLATE \"C\" USING ({kind}), \
                 ALTER COLUMN kind SET DEFAULT 'reminder', \
                 ADD CONSTRAINT reminders_status_check CHECK (status IN ({statuses})), \
                 ADD CONSTRAINT reminders_kind_check CHECK (kind IN ({kinds})); \
             {MESSAGE_INDEXES_56}"
        ));
    } else {
        env.exec(&format!(
            "CREATE TABLE reminders_56 ( \
                 id TEXT PRIMARY KEY NOT NULL, \
                 appointment_id TEXT NOT NULL REFERENCES appointments(id), \
                 offset_minutes INTEGER NOT NULL, due_at INTEGER NOT NULL, \
                 status TEXT NOT NULL CHECK (status IN ({statuses})), \
                 attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER, \
                 claimed_until INTEGER, sent_at INTEGER, last_error TEXT, \
                 created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, claim TEXT, \
                 kind TEXT NOT NULL DEFAULT 'reminder' CHECK (kind IN ({kinds})), \
                 data TEXT, waitlist_id TEXT, channel TEXT, provider_id TEXT, \
                 delivered_at INTEGER, read_at INTEGER) STRICT; \
             INSERT INTO reminders_56 SELECT id, appointment_id, offset_minutes, due_at, {status}, \
                 attempts, next_attempt_at, claimed_until, sent_at, last_error, created_at, \
                 updated_at, claim, {kind}, data, waitlist_id, channel, provider_id, \
                 delivered_at, read_at FROM reminders; \
             DROP TABLE reminders; \
             ALTER TABLE reminders_56 RENAME TO reminders; \
             {MESSAGE_INDEXES_56}"
        ));
    }
}

/// The columns that keep an ID as its 16 bytes: a BLOB on SQLite, a
/// `uuid` on PostgreSQL (docs/rules.md#reminders-and-notifications,
/// docs/performance.md#footprint).
pub const SIXTEEN_BYTE_IDS: [&str; 47] = [
    "reminders.id",
    "appointments.id",
    "events.appointment_id",
    "reminders.appointment_id",
    "inbox.appointment_id",
    "appointment_resources.appointment_id",
    "calendar_writes.appointment_id",
    "access_log.appointment_id",
    "patient_links.target_id",
    "patients.id",
    "appointments.patient_id",
    "waitlist.patient_id",
    "inbox.patient_id",
    "access_log.patient_id",
    "clinics.id",
    "doctors.id",
    "services.id",
    "windows.id",
    "windows.clinic_id",
    "windows.doctor_id",
    "window_services.window_id",
    "window_services.service_id",
    "closures.clinic_id",
    "closures.doctor_id",
    "staff.doctor_id",
    "staff.clinic_id",
    "api_tokens.clinic_id",
    "channels.clinic_id",
    "holds.clinic_id",
    "holds.doctor_id",
    "holds.service_id",
    "feeds.clinic_id",
    "feeds.doctor_id",
    "resources.clinic_id",
    "service_needs.service_id",
    "calendars.doctor_id",
    "calendar_busy.doctor_id",
    "appointments.clinic_id",
    "appointments.doctor_id",
    "appointments.window_id",
    "appointments.service_id",
    "waitlist.clinic_id",
    "waitlist.doctor_id",
    "waitlist.service_id",
    "inbox.clinic_id",
    "access_log.clinic_id",
    "web_codes.clinic_id",
];

/// The columns schema 59 keeps as 16 bytes: every appointment's ID, and a
/// link's target.
pub const VISIT_IDS_59: &[&str] = SIXTEEN_BYTE_IDS.split_at(1).1.split_at(8).0;

/// The columns schema 61 keeps as 16 bytes: every patient's ID.
pub const PATIENT_IDS_61: &[&str] = SIXTEEN_BYTE_IDS.split_at(9).1.split_at(5).0;

/// The columns schema 62 keeps as 16 bytes: every clinic's, doctor's,
/// service's and window's ID.
pub const SETUP_IDS_62: &[&str] = SIXTEEN_BYTE_IDS.split_at(14).1;

/// The tables schema 62 makes again, each after those it refers to.
const SETUP_TABLES_62: [&str; 20] = [
    "clinics",
    "doctors",
    "services",
    "windows",
    "window_services",
    "closures",
    "staff",
    "api_tokens",
    "channels",
    "holds",
    "feeds",
    "resources",
    "service_needs",
    "calendars",
    "calendar_busy",
    "appointments",
    "waitlist",
    "inbox",
    "access_log",
    "web_codes",
];

/// Takes schema 62's change (every clinic's, doctor's, service's and
/// window's ID as its 16 bytes) out of `env`'s database, for tests of
/// older databases: the IDs as text again, each table's indexes, triggers
/// and references as they were.
pub fn undo_schema_62(env: &Env) {
    if env.url().is_some() {
        let parents = "'clinics'::regclass, 'doctors'::regclass, 'services'::regclass, \
                       'windows'::regclass";
        let refs = env.rows(&format!(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE contype = 'f' AND confrelid IN ({parents})"
        ));
        let mut sql = String::new();
        for r in &refs {
            sql += &format!("ALTER TABLE {} DROP CONSTRAINT {}; ", r[0], r[1]);
        }
        for c in SETUP_IDS_62 {
            let (t, c) = c.split_once('.').unwrap();
            sql += &format!(
                "ALTER TABLE {t} ALTER COLUMN {c} TYPE TEXT COLLATE \"C\" USING CAST({c} AS TEXT); "
            );
        }
        for r in &refs {
            sql += &format!("ALTER TABLE {} ADD CONSTRAINT {} {}; ", r[0], r[1], r[2]);
        }
        env.exec(&sql);
        return;
    }
    // SQLite renames a table only while every trigger's tables are there.
    let triggers = env.rows(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' \
         AND tbl_name = 'appointment_resources'",
    );
    let mut sql = String::from("PRAGMA foreign_keys = OFF; ");
    for t in &triggers {
        sql += &format!("DROP TRIGGER {}; ", t[0]);
    }
    for t in SETUP_TABLES_62 {
        sql += &ids_as_text(env, t, SETUP_IDS_62, "61");
    }
    for t in &triggers {
        sql += &format!("{}; ", t[1]);
    }
    sql += "PRAGMA foreign_keys = ON;";
    env.exec(&sql);
}

/// The tables that refer to the patients, whose references schema 61 makes.
const PATIENT_REFS_61: [&str; 4] = ["appointments", "waitlist", "inbox", "access_log"];

/// Takes schema 61's change (every patient's ID as its 16 bytes) out of
/// `env`'s database, for tests of older databases: the IDs as text again,
/// each table's indexes and triggers as they were.
pub fn undo_schema_61(env: &Env) {
    undo_schema_62(env);
    if env.url().is_some() {
        env.exec(&pg_ids_as_text(
            &PATIENT_REFS_61,
            ("patient_id", "patients"),
            PATIENT_IDS_61,
        ));
        return;
    }
    let mut sql = String::from("PRAGMA foreign_keys = OFF; ");
    for t in std::iter::once("patients").chain(PATIENT_REFS_61) {
        sql += &ids_as_text(env, t, PATIENT_IDS_61, "60");
    }
    sql += "PRAGMA foreign_keys = ON;";
    env.exec(&sql);
}

/// The appointments' columns schema 60 keeps as numbers, and an SQL
/// expression of the name each number stands for.
fn visit_sets_60() -> [(&'static str, String); 5] {
    [
        ("status", status_name("status")),
        ("source", source_name("source")),
        ("urgency", name_of_number::<appt::core::Urgency>("urgency")),
        (
            "modality",
            name_of_number::<appt::core::Modality>("modality"),
        ),
        (
            "visit_type",
            name_of_number::<appt::core::VisitType>("visit_type"),
        ),
    ]
}

/// Takes schema 60's change (an appointment's status, source and kind of
/// visit as numbers, its local date as a day number) out of `env`'s
/// database, for tests of older databases: the names and dates as text
/// again, the indexes and constraints that name a status by its name.
pub fn undo_schema_60(env: &Env) {
    undo_schema_61(env);
    let active = "'scheduled','confirmed','checked_in','in_progress'";
    if env.url().is_some() {
        let made: Vec<String> = env
            .rows(
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i \
                 WHERE i.indrelid = 'appointments'::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%status =%' \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            )
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        let names: Vec<String> = env
            .rows(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 WHERE i.indrelid = 'appointments'::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%status =%' \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            )
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        let texts = |sql: &str| {
            sql.replace(
                "ARRAY[1, 2, 3, 4]",
                "ARRAY['scheduled'::text, 'confirmed'::text, 'checked_in'::text, 'in_progress'::text]",
            )
            .replace("(status = 5)", "(status = 'completed'::text)")
        };
        let mut sql =
            String::from("ALTER TABLE appointments DROP CONSTRAINT appt_doctor_no_overlap; ");
        for n in &names {
            sql += &format!("DROP INDEX {n}; ");
        }
        for (c, _) in visit_sets_60() {
            sql += &format!(
                "ALTER TABLE appointments DROP CONSTRAINT appointments_{c}_check; \
                 ALTER TABLE appointments ALTER COLUMN {c} DROP DEFAULT; "
            );
        }
        for (c, name) in visit_sets_60() {
            sql += &format!(
                "ALTER TABLE appointments ALTER COLUMN {c} TYPE TEXT COLLATE \"C\" USING {name}; "
            );
        }
        sql += "ALTER TABLE appointments ALTER COLUMN local_date TYPE TEXT COLLATE \"C\" \
                USING to_char(DATE '1970-01-01' + local_date, 'YYYY-MM-DD'); ";
        sql += &format!(
            "ALTER TABLE appointments ALTER COLUMN urgency SET DEFAULT 'normal', \
                 ALTER COLUMN modality SET DEFAULT 'in_person', \
                 ALTER COLUMN visit_type SET DEFAULT 'first', \
                 ADD CONSTRAINT appointments_status_check CHECK (status IN ({active},'completed','cancelled','no_show')), \
                 ADD CONSTRAINT appointments_urgency_check CHECK (urgency IN ('normal', 'urgent', 'emergency')), \
                 ADD CONSTRAINT appointments_modality_check CHECK (modality IN ('in_person', 'telemedicine', 'home')), \
                 ADD CONSTRAINT appointments_visit_type_check CHECK (visit_type IN ('first', 'follow_up')), \
                 ADD CONSTRAINT appt_doctor_no_overlap EXCLUDE USING gist (doctor_id WITH =, \
                     int8range(starts_at - buffer_before * 60, ends_at + buffer_after * 60) WITH &&) \
                     WHERE (solo = 1 AND doctor_id IS NOT NULL AND status IN ({active})); "
        );
        for m in &made {
            sql += &texts(m);
            sql += "; ";
        }
        env.exec(&sql);
        return;
    }
    let table = env
        .rows("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'appointments'")[0][0]
        .clone();
    let mut shape = table.replacen("\"appointments\"", "appointments_59", 1);
    for (from, to) in [
        ("local_date            INTEGER NOT NULL", "local_date TEXT NOT NULL".to_string()),
        ("status                INTEGER NOT NULL CHECK (status >= 1 AND status <= 7)", format!("status TEXT NOT NULL CHECK (status IN ({active},'completed','cancelled','no_show'))")),
        ("source                INTEGER NOT NULL CHECK (source >= 1 AND source <= 7)", "source TEXT NOT NULL".to_string()),
        ("urgency               INTEGER NOT NULL DEFAULT 1 CHECK (urgency >= 1 AND urgency <= 3)", "urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'emergency'))".to_string()),
        ("modality              INTEGER NOT NULL DEFAULT 1 CHECK (modality >= 1 AND modality <= 3)", "modality TEXT NOT NULL DEFAULT 'in_person' CHECK (modality IN ('in_person', 'telemedicine', 'home'))".to_string()),
        ("visit_type            INTEGER NOT NULL DEFAULT 1 CHECK (visit_type >= 1 AND visit_type <= 2)", "visit_type TEXT NOT NULL DEFAULT 'first' CHECK (visit_type IN ('first', 'follow_up'))".to_string()),
    ] {
        assert!(shape.contains(from), "{from}");
        shape = shape.replace(from, &to);
    }
    let indexes: Vec<String> = env
        .rows("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'appointments' AND sql IS NOT NULL")
        .into_iter()
        .map(|r| {
            r[0].replace("status IN (1,2,3,4)", &format!("status IN ({active})"))
                .replace("status = 5", "status = 'completed'")
        })
        .collect();
    let cols: Vec<String> = env
        .rows("SELECT name FROM pragma_table_info('appointments') ORDER BY cid")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let mut sets = visit_sets_60().to_vec();
    sets.push((
        "local_date",
        "date(local_date * 86400, 'unixepoch')".to_string(),
    ));
    let from: Vec<String> = cols
        .iter()
        .map(|c| {
            sets.iter()
                .find(|(s, _)| s == c)
                .map_or_else(|| c.clone(), |(_, name)| name.clone())
        })
        .collect();
    env.exec(&format!(
        "PRAGMA foreign_keys = OFF; {shape}; \
         INSERT INTO appointments_59 ({}) SELECT {} FROM appointments; \
         DROP TABLE appointments; ALTER TABLE appointments_59 RENAME TO appointments; {}; \
         PRAGMA foreign_keys = ON;",
        cols.join(", "),
        from.join(", "),
        indexes.join("; ")
    ));
}

/// Takes schema 59's change (every appointment's ID as its 16 bytes) out
/// of `env`'s database, for tests of older databases: the IDs as text
/// again, each table's indexes and triggers as they were.
pub fn undo_schema_59(env: &Env) {
    undo_schema_60(env);
    if env.url().is_some() {
        let refs = [
            "events",
            "reminders",
            "inbox",
            "appointment_resources",
            "access_log",
        ];
        env.exec(&pg_ids_as_text(
            &refs,
            ("appointment_id", "appointments"),
            VISIT_IDS_59,
        ));
        return;
    }
    let mut sql = String::from(
        "PRAGMA foreign_keys = OFF; CREATE TEMP TABLE IF NOT EXISTS given AS \
         SELECT seq FROM sqlite_sequence WHERE name = 'events'; ",
    );
    for t in [
        "appointments",
        "events",
        "reminders",
        "inbox",
        "appointment_resources",
        "calendar_writes",
        "access_log",
        "patient_links",
    ] {
        sql += &ids_as_text(env, t, VISIT_IDS_59, "58");
    }
    sql += "UPDATE sqlite_sequence SET seq = (SELECT seq FROM given) WHERE name = 'events'; \
            PRAGMA foreign_keys = ON;";
    env.exec(&sql);
}

/// On PostgreSQL, the statements that keep the columns `ids`
/// (`table.column`) as text: the references of the tables `refs` through
/// their `column` to `parent` dropped, and made again once they are.
fn pg_ids_as_text(refs: &[&str], (column, parent): (&str, &str), ids: &[&str]) -> String {
    let mut sql = String::new();
    for t in refs {
        sql += &format!("ALTER TABLE {t} DROP CONSTRAINT {t}_{column}_fkey; ");
    }
    for c in ids {
        let (t, c) = c.split_once('.').unwrap();
        sql += &format!(
            "ALTER TABLE {t} ALTER COLUMN {c} TYPE TEXT COLLATE \"C\" USING CAST({c} AS TEXT); "
        );
    }
    for t in refs {
        sql += &format!(
            "ALTER TABLE {t} ADD CONSTRAINT {t}_{column}_fkey \
             FOREIGN KEY ({column}) REFERENCES {parent}(id); "
        );
    }
    sql
}

/// On SQLite, the statements that make table `t` again with its columns
/// among `ids` (`table.column`) kept as text, through a copy named after
/// schema `version`: its indexes and triggers as they were.
fn ids_as_text(env: &Env, t: &str, ids: &[&str], version: &str) -> String {
    let made = |kind: &str| -> Vec<String> {
        env.rows(&format!(
            "SELECT sql FROM sqlite_master WHERE type = '{kind}' AND tbl_name = '{t}' \
             AND sql IS NOT NULL"
        ))
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
    };
    let copy = format!("{t}_{version}");
    let table = made("table").remove(0);
    let ids: Vec<&str> = ids
        .iter()
        .filter_map(|c| c.strip_prefix(&format!("{t}.")))
        .collect();
    let mut shape = table.replacen(&format!("\"{t}\""), &copy, 1);
    if !shape.contains(&copy) {
        shape = shape.replacen(&format!("TABLE {t} "), &format!("TABLE {copy} "), 1);
    }
    for c in &ids {
        shape = as_text(&shape, c);
    }
    let cols: Vec<String> = env
        .rows(&format!(
            "SELECT name FROM pragma_table_info('{t}') ORDER BY cid"
        ))
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let from: Vec<String> = cols
        .iter()
        .map(|c| {
            if ids.contains(&c.as_str()) {
                format!("CASE WHEN {c} IS NULL THEN NULL ELSE {} END", id_text(c))
            } else {
                c.clone()
            }
        })
        .collect();
    format!(
        "{shape}; INSERT INTO {copy} ({}) SELECT {} FROM {t}; \
         DROP TABLE {t}; ALTER TABLE {copy} RENAME TO {t}; {}; ",
        cols.join(", "),
        from.join(", "),
        made("index")
            .into_iter()
            .chain(made("trigger"))
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// `shape` (a table's SQL) with column `column` declared TEXT, not BLOB.
fn as_text(shape: &str, column: &str) -> String {
    let mut out = String::new();
    let mut rest = shape;
    while let Some(at) = rest.find(column) {
        let (before, after) = rest.split_at(at);
        out += before;
        let boundary = before
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let tail = &after[column.len()..];
        let blob = tail.trim_start().strip_prefix("BLOB");
        match blob {
            Some(more) if boundary && tail.starts_with(char::is_whitespace) => {
                out += column;
                out += &tail[..tail.len() - tail.trim_start().len()];
                out += "TEXT";
                rest = more;
            }
            _ => {
                out += column;
                rest = tail;
            }
        }
    }
    out + rest
}

/// Takes schema 58's change (each message's ID as its 16 bytes) out of
/// `env`'s database, for tests of older databases: the IDs as text again,
/// the table's indexes as they were.
pub fn undo_schema_58(env: &Env) {
    undo_schema_59(env);
    if env.url().is_some() {
        env.exec(
            "ALTER TABLE reminders ALTER COLUMN id TYPE TEXT COLLATE \"C\" USING CAST(id AS TEXT)",
        );
        return;
    }
    let indexes: Vec<String> = env
        .rows(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reminders' \
             AND sql IS NOT NULL",
        )
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    env.exec(&format!(
        "CREATE TABLE reminders_57 (offset_minutes INTEGER NOT NULL, due_at INTEGER NOT NULL, \
             attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER, claimed_until INTEGER, \
             sent_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, \
             delivered_at INTEGER, read_at INTEGER, status INTEGER NOT NULL, kind INTEGER NOT NULL, \
             id TEXT PRIMARY KEY NOT NULL, \
             appointment_id TEXT NOT NULL REFERENCES appointments(id), last_error TEXT, \
             claim TEXT, data TEXT, waitlist_id TEXT, channel TEXT, provider_id TEXT) STRICT; \
         INSERT INTO reminders_57 SELECT offset_minutes, due_at, attempts, next_attempt_at, \
             claimed_until, sent_at, created_at, updated_at, delivered_at, read_at, status, kind, \
             {}, appointment_id, last_error, claim, data, waitlist_id, channel, provider_id \
             FROM reminders; \
         DROP TABLE reminders; \
         ALTER TABLE reminders_57 RENAME TO reminders; \
         {};",
        id_text("id"),
        indexes.join("; ")
    ));
}

/// SQLite's text of the ID whose 16 bytes are in `column`, as appt shows it.
pub fn id_text(column: &str) -> String {
    format!(
        "lower(substr(hex({column}), 1, 8) || '-' || substr(hex({column}), 9, 4) || '-' || \
         substr(hex({column}), 13, 4) || '-' || substr(hex({column}), 17, 4) || '-' || \
         substr(hex({column}), 21))"
    )
}

/// `type = N`: the events of the type named `name`, as the table stores
/// it (its number, since schema 56).
pub fn event_is(name: &str) -> String {
    format!("type = {}", event_code(name))
}

/// The number the events table stores for the type named `name`.
pub fn event_code(name: &str) -> i64 {
    appt::core::EventKind::parse(name)
        .unwrap_or_else(|| panic!("no event type {name}"))
        .code()
}

/// An SQL expression of the name of the type stored in `column`.
pub fn event_name(column: &str) -> String {
    name_of_number::<appt::core::EventKind>(column)
}

/// The number the appointments table stores for the status named `name`
/// (since schema 60).
pub fn status_code(name: &str) -> i64 {
    appt::core::Status::parse(name)
        .unwrap_or_else(|| panic!("no status {name}"))
        .code()
}

/// The SQL list `(N, …)` of the statuses named.
pub fn status_codes(names: &[&str]) -> String {
    let codes: Vec<String> = names.iter().map(|n| status_code(n).to_string()).collect();
    format!("({})", codes.join(", "))
}

/// The active statuses as the appointments table stores them.
pub fn active_codes() -> String {
    status_codes(&["scheduled", "confirmed", "checked_in", "in_progress"])
}

/// An SQL expression of the name of the status stored in `column`.
pub fn status_name(column: &str) -> String {
    name_of_number::<appt::core::Status>(column)
}

/// An SQL expression of the name of the source stored in `column`.
pub fn source_name(column: &str) -> String {
    let whens: String = appt::core::SOURCES
        .iter()
        .map(|n| format!(" WHEN {} THEN '{n}'", source_code(n)))
        .collect();
    format!("CASE {column}{whens} END")
}

/// The day number the appointments table stores for the local date
/// `date` (`YYYY-MM-DD`, since schema 60): days from 1970-01-01.
pub fn day_number(date: &str) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date");
    (d - chrono::NaiveDate::default()).num_days()
}

/// The date (`YYYY-MM-DD`) of a day number read from the appointments table.
pub fn date_of_day(n: &str) -> String {
    let n: i64 = n.parse().expect("a day number");
    (chrono::NaiveDate::default() + chrono::Duration::days(n)).to_string()
}

/// The number the appointments table stores for the source named `name`.
pub fn source_code(name: &str) -> i64 {
    appt::core::source_code(name).unwrap_or_else(|| panic!("no source {name}"))
}

/// An SQL expression of the name of a value of `T` stored as its number
/// in `column`.
pub fn name_of_number<T: Coded>(column: &str) -> String {
    let whens: String = T::ALL
        .iter()
        .map(|v| format!(" WHEN {} THEN '{}'", v.code(), v.name()))
        .collect();
    format!("CASE {column}{whens} END")
}

/// An SQL expression of the number of a value of `T` stored by its name
/// in `column`: what an upgrade killed half-way had copied.
pub fn number_of_name<T: Coded>(column: &str) -> String {
    let whens: String = T::ALL
        .iter()
        .map(|v| format!(" WHEN '{}' THEN {}", v.name(), v.code()))
        .collect();
    format!("CASE {column}{whens} END")
}

/// The number the reminders table stores for the message status named
/// `name` (since schema 57).
pub fn message_status(name: &str) -> i64 {
    appt::core::MessageStatus::from_name(name)
        .unwrap_or_else(|| panic!("no message status {name}"))
        .code()
}

/// The number the reminders table stores for the message kind named
/// `name` (since schema 57).
pub fn message_kind(name: &str) -> i64 {
    appt::core::MessageKind::from_name(name)
        .unwrap_or_else(|| panic!("no message kind {name}"))
        .code()
}

/// Takes schema 52's change (a token tied to a member of staff) out of
/// `env`'s database, for tests of older databases.
pub fn undo_schema_52(env: &Env) {
    undo_schema_53(env);
    env.exec("DROP INDEX api_tokens_staff; ALTER TABLE api_tokens DROP COLUMN staff_id;");
}

/// Takes schema 26's change (a clinic's `--date-order`) out of `env`'s
/// database, for tests of older databases.
pub fn undo_schema_26(env: &Env) {
    undo_schema_27(env);
    env.exec("ALTER TABLE clinics DROP COLUMN date_order");
}

/// Takes schema 25's change (the index of offered times) out of `env`'s
/// database, for tests of older databases.
pub fn undo_schema_25(env: &Env) {
    undo_schema_26(env);
    env.exec("DROP INDEX events_offered");
}

/// Takes schema 27's change (a clinic's queue order and lateness) out of
/// `env`'s database, for tests of older databases. (Step 26 holds its
/// place: it changes nothing here.)
pub fn undo_schema_27(env: &Env) {
    undo_schema_28(env);
    env.exec("ALTER TABLE clinics DROP COLUMN queue_order");
    env.exec("ALTER TABLE clinics DROP COLUMN late_after");
}

/// Takes schema 24's change (the footprint's indexes) out of `env`'s
/// database, for tests of older databases: the indexes it dropped or
/// narrowed come back as they were.
pub fn undo_schema_24(env: &Env) {
    undo_schema_25(env);
    let pg = env.url().is_some();
    for index in [
        "appt_doctor_busy",
        "events_appt",
        "reminders_due",
        "reminders_kind",
    ] {
        env.exec(&format!("DROP INDEX {index}"));
    }
    let (busy, created) = if pg {
        (
            "(doctor_id, starts_at) INCLUDE (ends_at, buffer_before, buffer_after, solo, status, id)",
            "(created_at) INCLUDE (source, status)",
        )
    } else {
        (
            "(doctor_id, starts_at, ends_at, buffer_before, buffer_after, solo, status, id)",
            "(created_at, source, status)",
        )
    };
    for sql in [
        format!("CREATE INDEX appt_doctor_busy ON appointments{busy}"),
        "CREATE INDEX appt_window_start ON appointments(window_id, starts_at)".into(),
        format!("CREATE INDEX appt_created ON appointments{created}"),
        "CREATE INDEX events_appt ON events(appointment_id, id)".into(),
        "CREATE INDEX events_type ON events(type, id)".into(),
        "CREATE INDEX events_booked ON events(appointment_id, type) WHERE type = 'appointment.booked'"
            .into(),
        "CREATE INDEX reminders_due ON reminders(status, due_at)".into(),
        "CREATE INDEX reminders_kind ON reminders(kind, due_at)".into(),
    ] {
        env.exec(&sql);
    }
}

/// Takes schema 23's change (a clinic's `--retain-messages`) and every
/// later one's out of `env`'s database, for tests of older databases.
/// (Step 21 changes no table.)
pub fn undo_schema_23(env: &Env) {
    undo_schema_24(env);
    env.exec("ALTER TABLE clinics DROP COLUMN retain_messages");
    undo_schema_22(env);
}

/// Takes schema 20's change (four text columns of PostgreSQL compared byte
/// by byte) and every later one's out of `env`'s database, for tests of
/// older databases: they compare by the server's collation again. SQLite's
/// schema has nothing of it.
pub fn undo_schema_20(env: &Env) {
    undo_schema_23(env);
    if env.url().is_some() {
        for (table, column) in [
            ("reminders", "claim"),
            ("clinics", "phone"),
            ("clinics", "templates"),
            ("appointments", "series_id"),
        ] {
            env.exec(&format!(
                "ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT COLLATE \"default\""
            ));
        }
    }
}

/// Takes schema 19 and 20 out of `env`'s database, for tests of older
/// databases: schema 19 changed no table, and an appt of schema 18 marked
/// each database it opened as having its names folded.
pub fn undo_schema_19(env: &Env) {
    undo_schema_20(env);
    env.exec("INSERT INTO meta (key, value) VALUES ('name_fold', '1')");
}

/// Takes schema 18's change (a webhook's `clinical`) and every later one's
/// out of `env`'s database, for tests of older databases.
pub fn undo_schema_18(env: &Env) {
    undo_schema_19(env);
    env.exec("ALTER TABLE webhooks DROP COLUMN clinical");
}

/// Takes schema 17's change (an external reference is one clinic's) out of
/// `env`'s database, for tests of older databases: one active appointment
/// per reference in the whole database again.
pub fn undo_schema_17(env: &Env) {
    undo_schema_18(env);
    env.exec("DROP INDEX appt_external_ref");
    env.exec(
        "CREATE UNIQUE INDEX appt_external_ref ON appointments(external_reference_id) \
         WHERE external_reference_id IS NOT NULL \
         AND status IN ('scheduled','confirmed','checked_in','in_progress')",
    );
}

/// Takes schema 16's change (`count`'s indexes) and every later one's out
/// of `env`'s database, for tests of older databases: the index it
/// replaced comes back.
pub fn undo_schema_16(env: &Env) {
    undo_schema_17(env);
    env.exec("DROP INDEX appt_clinic_created");
    env.exec("DROP INDEX appt_created");
    env.exec("CREATE INDEX appt_created ON appointments(created_at)");
}

/// Takes schema 15's change (the busy times' covering index) and every
/// later one's out of `env`'s database, for tests of older databases: the
/// index it replaced comes back.
pub fn undo_schema_15(env: &Env) {
    undo_schema_16(env);
    env.exec("DROP INDEX appt_doctor_busy");
    env.exec("CREATE INDEX appt_doctor_start ON appointments(doctor_id, starts_at)");
}

/// Takes schema 14's additions (series and buffers) and schema 15's out of
/// `env`'s database, for tests of older databases: on PostgreSQL the
/// exclusion constraint goes back to v4's, without buffers.
pub fn undo_schema_14(env: &Env) {
    undo_schema_15(env);
    let pg = env.url().is_some();
    if pg {
        env.exec("ALTER TABLE appointments DROP CONSTRAINT appt_doctor_no_overlap");
    }
    for sql in [
        "DROP INDEX appointments_series",
        "ALTER TABLE appointments DROP COLUMN series_id",
        "ALTER TABLE appointments DROP COLUMN buffer_before",
        "ALTER TABLE appointments DROP COLUMN buffer_after",
        "ALTER TABLE services DROP COLUMN buffer_before",
        "ALTER TABLE services DROP COLUMN buffer_after",
    ] {
        env.exec(sql);
    }
    if pg {
        env.exec(
            "ALTER TABLE appointments ADD CONSTRAINT appt_doctor_no_overlap \
             EXCLUDE USING gist (doctor_id WITH =, int8range(starts_at, ends_at) WITH &&) \
             WHERE (solo = 1 AND doctor_id IS NOT NULL \
             AND status IN ('scheduled','confirmed','checked_in','in_progress'))",
        );
    }
}

/// Takes schema 13's additions (the daily limits) and every later one's out
/// of `env`'s database, for tests of older databases.
pub fn undo_schema_13(env: &Env) {
    undo_schema_14(env);
    for sql in [
        "ALTER TABLE services DROP COLUMN max_per_day",
        "ALTER TABLE doctors DROP COLUMN max_per_day",
    ] {
        env.exec(sql);
    }
}

/// Takes schema 12's additions (the clinics' message settings, the
/// patients' links) and every later one's out of `env`'s database, for tests
/// of older databases.
pub fn undo_schema_12(env: &Env) {
    undo_schema_13(env);
    for sql in [
        "DROP TABLE patient_links",
        "ALTER TABLE clinics DROP COLUMN templates",
        "ALTER TABLE clinics DROP COLUMN public_url",
        "ALTER TABLE clinics DROP COLUMN phone",
        "ALTER TABLE clinics DROP COLUMN language",
    ] {
        env.exec(sql);
    }
}

/// Waits until `child` (run with `APPT_TEST_PAUSE=STEP`, stdout and stderr
/// piped) says it stopped at `step`, then SIGKILLs it; returns what it had
/// printed on stdout.
pub fn kill_at(mut child: std::process::Child, step: &str) -> String {
    use std::io::{BufRead, Read};
    let stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    for line in std::io::BufReader::new(stderr).lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        if line.contains(&format!("paused at {step}")) {
            child.kill().unwrap();
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            child.wait().unwrap();
            return out;
        }
    }
    panic!("never reached {step}: {seen} {:?}", child.wait());
}
