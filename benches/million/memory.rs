//! The import's memory (docs/performance.md#footprint): the peak resident
//! memory of `appt import` of 1,000 lines into the workload's database,
//! beside the same 1,000 lines into an empty one (the workload's clinics,
//! doctors and windows and nothing else). It must not grow with the
//! database.

use super::{appt, err, measure_ok, pg_drop, run_ok, Bench, Engine, Res, Row, Slot};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Lines of each import.
pub const LINES: usize = 1000;

/// The workload's empty database: the cached file as `appt` made it
/// before anything else was written (its clinics, service, doctors and
/// windows, with the same IDs), kept beside it by the build.
pub fn empty(cached: &Path) -> PathBuf {
    let stem = cached.file_stem().unwrap_or_default().to_string_lossy();
    cached.with_file_name(format!("{stem}-empty.db"))
}

/// An import's lines booking `slots`, numbered from `from`.
fn lines(slots: &[Slot], from: usize) -> String {
    let mut body = String::new();
    for (i, s) in slots.iter().enumerate() {
        let n = from + i;
        let _ = writeln!(
            body,
            "{}",
            serde_json::json!({
                "doctor": s.doctor, "date": s.date.to_string(), "time": s.time,
                "phone": format!("+50365{n:06}"), "name": format!("Paciente Memoria {n}"),
                "source": "web", "external_ref": format!("bench-memory-{n}"),
            })
        );
    }
    body
}

impl Bench<'_> {
    /// `runs` imports of 1,000 lines each into this database (each run
    /// other free slots) and as many into a fresh copy of the empty one
    /// (the same lines each time), alternating: the peak of each side.
    pub fn import_memory(&self, empty: &Path, slots: &[Slot], runs: usize) -> Res<Row> {
        if !empty.exists() {
            return Err(format!(
                "{} is missing: remove the cached database to build both again",
                empty.display()
            ));
        }
        let (mut full_kb, mut empty_kb) = (0i64, 0i64);
        let (mut full_s, mut empty_s) = (Vec::new(), Vec::new());
        let file = self.file("memory.jsonl");
        for (i, chunk) in slots.chunks(LINES).take(runs).enumerate() {
            if chunk.len() < LINES {
                return Err("not enough free slots for the import's memory".into());
            }
            fs::write(&file, lines(chunk, i * LINES)).map_err(err)?;
            let f = file.to_string_lossy().into_owned();
            let r = self.booked(self.appt_args(&["import", &f, "--json"]))?;
            full_kb = full_kb.max(r.rss_kb);
            full_s.push(r.secs);
            let (db, drop_db) = self.fresh_empty(empty)?;
            let mut c = appt(&db);
            c.args(["import", &f, "--json"]);
            let r = self.booked(c);
            if let Some(drop_db) = drop_db {
                drop_db()?;
            }
            let r = r?;
            empty_kb = empty_kb.max(r.rss_kb);
            empty_s.push(r.secs);
        }
        let mb = |kb: i64| kb as f64 / 1024.0;
        let ratio = full_kb as f64 / empty_kb.max(1) as f64;
        Ok(Row {
            figure: format!("import {LINES} lines: peak RSS, this database beside an empty one"),
            appt: format!(
                "{:.1} MB ({})",
                mb(full_kb),
                super::ms(super::median(&mut full_s))
            ),
            reference: format!(
                "{:.1} MB on an empty database ({})",
                mb(empty_kb),
                super::ms(super::median(&mut empty_s))
            ),
            ratio: Some(ratio),
            rss_kb: full_kb,
            goal: "≤ 1.1× the empty database's".into(),
            met: Some(ratio <= 1.1),
        })
    }

    /// Runs an import that must book every line.
    fn booked(&self, cmd: std::process::Command) -> Res<super::Run> {
        let out = self.file("memory.out");
        let r = measure_ok(cmd, &out)?;
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&out).map_err(err)?).map_err(err)?;
        if summary["booked"].as_u64() != Some(LINES as u64) {
            return Err(format!("import did not book every line: {summary}"));
        }
        Ok(r)
    }

    /// A fresh copy of the empty database on this engine: a file, or a
    /// server database (with what drops it).
    #[allow(clippy::type_complexity)]
    fn fresh_empty(&self, empty: &Path) -> Res<(String, Option<Box<dyn FnOnce() -> Res<()>>>)> {
        match self.engine {
            Engine::Sqlite(_) => {
                let copy = self.file("empty.db");
                for ext in ["", "-wal", "-shm"] {
                    let _ = fs::remove_file(format!("{}{ext}", copy.display()));
                }
                fs::copy(empty, &copy).map_err(err)?;
                Ok((copy.to_string_lossy().into_owned(), None))
            }
            Engine::Pg(..) => {
                let server = std::env::var("APPT_BENCH_PG").map_err(err)?;
                let name = format!("appt_bench_{}_empty", std::process::id());
                let (path, options) = server.split_once('?').unwrap_or((&server, ""));
                let base = &path[..path
                    .rfind('/')
                    .ok_or("APPT_BENCH_PG needs a /database part")?];
                let url = match options {
                    "" => format!("{base}/{name}"),
                    o => format!("{base}/{name}?{o}"),
                };
                let mut admin = postgres::Client::connect(&server, postgres::NoTls).map_err(err)?;
                for sql in [
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    format!("CREATE DATABASE {name}"),
                ] {
                    admin.batch_execute(&sql).map_err(err)?;
                }
                let copy = self.file("empty-transfer.db");
                fs::copy(empty, &copy).map_err(err)?;
                run_ok({
                    let mut c = appt(&copy.to_string_lossy());
                    c.args(["transfer", "--to", &url]);
                    c
                })?;
                Ok((url, Some(Box::new(move || pg_drop(&server, &name)))))
            }
        }
    }
}
