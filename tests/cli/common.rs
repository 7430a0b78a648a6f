//! Helpers shared by the integration tests.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;
use tempfile::TempDir;

/// Monday 2026-06-15 08:00 in El Salvador (UTC-6, no DST).
pub const MONDAY_8AM: &str = "2026-06-15T14:00:00Z";

pub struct Env {
    pub dir: TempDir,
    pub db: PathBuf,
    pub now: String,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("appt.db");
        Env {
            dir,
            db,
            now: MONDAY_8AM.to_string(),
        }
    }

    /// The same database seen at another instant.
    pub fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.to_string();
        self
    }

    /// `appt --db <temp> …` with `APPT_NOW` set and no inherited appt settings.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("appt").expect("binary");
        c.arg("--db").arg(&self.db);
        c.env("APPT_NOW", &self.now);
        for v in ["APPT_DB", "APPT_CLINIC", "APPT_KEY", "NO_COLOR"] {
            c.env_remove(v);
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
        for v in ["APPT_DB", "APPT_CLINIC", "APPT_KEY", "NO_COLOR"] {
            c.env_remove(v);
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

    /// A dump of every table, to show a failed command changed nothing.
    pub fn snapshot(&self) -> String {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        let mut out = String::new();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for t in tables {
            let mut st = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
                .unwrap();
            let n = st.column_count();
            let rows: Vec<String> = st
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            out.push_str(&format!("## {t}\n{}\n", rows.join("\n")));
        }
        out
    }

    /// A clinic in El Salvador, Dr. García with a Mon–Fri 09:00–13:00 window
    /// (30-minute slots), and a 30-minute "General Checkup" service.
    pub fn clinic() -> Self {
        let env = Env::new();
        env.ok(&[
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
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

    /// Books Dr. García for a patient at a local date and time; returns the appointment.
    pub fn book(&self, date: &str, time: &str, phone: &str) -> Value {
        self.ok(&[
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
        ])["appointment"]
            .clone()
    }
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}
