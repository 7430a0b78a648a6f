//! The footprint (docs/performance.md#footprint): the bytes on disk per
//! appointment, split by table and index (SQLite's `dbstat`, PostgreSQL's
//! relation sizes); and the import's memory: the peak resident memory of
//! `appt import` of 1,000 lines into the workload's database, beside the
//! same 1,000 lines into an empty one (the workload's clinics, doctors and
//! windows and nothing else), which it must not outgrow.

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

/// What a table or index holds, in bytes, on each engine: (name, its
/// table, whether an index, bytes).
const SQLITE_SIZES: &str =
    "SELECT s.name, coalesce(m.tbl_name, s.name), m.type = 'index', sum(s.pgsize) \
     FROM dbstat s LEFT JOIN sqlite_schema m ON m.name = s.name GROUP BY s.name";
const PG_SIZES: &str = "SELECT c.relname::text, t.relname::text, (c.relkind = 'i')::text, \
     (CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END)::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
     LEFT JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = coalesce(i.indrelid, c.oid) \
     WHERE c.relkind IN ('r', 'i')";

/// The goal, bytes per appointment: 1.2 KB on SQLite, 2 KB on PostgreSQL.
fn goal(pg: bool) -> f64 {
    if pg {
        2000.0
    } else {
        1200.0
    }
}

impl Bench<'_> {
    /// The bytes on disk per appointment: the split by table (each with its
    /// indexes under it) is printed; the row is the whole.
    pub fn footprint(&self) -> Res<Row> {
        let e = self.engine;
        let rows: Vec<(String, String, bool, f64)> = match e {
            Engine::Sqlite(p) => {
                // dbstat is the shell's (Debian's sqlite3 has it).
                let mut c = std::process::Command::new("sqlite3");
                c.arg("-readonly").arg(p).arg(SQLITE_SIZES);
                run_ok(c)?
                    .lines()
                    .map(|l| {
                        let f: Vec<&str> = l.split('|').collect();
                        match f[..] {
                            [name, table, index, bytes] => Ok((
                                name.to_string(),
                                table.to_string(),
                                index == "1",
                                bytes.parse::<f64>().map_err(err)?,
                            )),
                            _ => Err(format!("dbstat: {l}")),
                        }
                    })
                    .collect::<Res<_>>()?
            }
            Engine::Pg(..) => e
                .table(PG_SIZES)?
                .into_iter()
                .map(|f| {
                    Ok((
                        f[0].clone(),
                        f[1].clone(),
                        f[2] == "true",
                        f[3].parse::<f64>().map_err(err)?,
                    ))
                })
                .collect::<Res<_>>()?,
        };
        let n = self.plan.appointments.max(1) as f64;
        let total: f64 = rows.iter().map(|r| r.3).sum();
        let mut tables: Vec<(&str, f64)> = Vec::new();
        for r in &rows {
            match tables.iter_mut().find(|t| t.0 == r.1) {
                Some(t) => t.1 += r.3,
                None => tables.push((&r.1, r.3)),
            }
        }
        tables.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let mb = |b: f64| b / 1e6;
        println!(
            "\n#### {}: bytes on disk, {} appointments\n",
            if e.pg() { "PostgreSQL" } else { "SQLite" },
            self.plan.appointments
        );
        println!("| table, and its indexes | MB | bytes per appointment |");
        println!("|---|---|---|");
        for (table, bytes) in tables.iter().filter(|t| t.1 / n >= 0.5) {
            println!(
                "| **{table}** (all) | {:.1} | {:.0} |",
                mb(*bytes),
                bytes / n
            );
            let mut own: Vec<_> = rows.iter().filter(|r| r.1 == *table).collect();
            own.sort_by(|a, b| a.2.cmp(&b.2).then(b.3.total_cmp(&a.3)));
            for r in own.iter().filter(|_| own.len() > 1) {
                let name = if r.2 {
                    format!("index {}", r.0)
                } else {
                    "rows".into()
                };
                println!("| {name} | {:.1} | {:.0} |", mb(r.3), r.3 / n);
            }
        }
        let rest: f64 = tables.iter().filter(|t| t.1 / n < 0.5).map(|t| t.1).sum();
        println!("| the other tables | {:.1} | {:.0} |", mb(rest), rest / n);
        println!("| **in all** | {:.1} | {:.0} |", mb(total), total / n);
        let goal = goal(e.pg());
        Ok(Row {
            figure: "footprint: bytes on disk per appointment".into(),
            appt: format!("{:.0} bytes ({:.0} MB)", total / n, mb(total)),
            reference: "—".into(),
            ratio: None,
            rss_kb: 0,
            goal: format!("≤ {goal:.0} bytes"),
            met: Some(total / n <= goal),
        })
    }

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
