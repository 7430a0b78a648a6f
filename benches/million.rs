//! `cargo bench --bench million`: appt at a million appointments, measured
//! against the limit — the `sqlite3` command-line shell (or `psql`, with
//! `APPT_BENCH_PG`) answering the same indexed question on the same file,
//! side by side, alternating runs. A measurement, not a test: a missed goal is
//! printed, never fatal; a command that errors makes the run exit 1.
//!
//! The database (50 doctors, weekday windows, three years, ~200,000 patients,
//! ~1,000,000 appointments with their reminders and events) is
//! built once and cached under `target/bench-data/`: clinics, doctors,
//! services and windows through real `appt` commands, the rest written the way
//! the store writes it, in one transaction. Every run works on a fresh copy.
//!
//! Environment: `APPT_BENCH_SCALE` (default 1.0) multiplies the data size;
//! `APPT_BENCH_RUNS` (default 15) the timed runs of each quick figure;
//! `APPT_BENCH_PG` (a server URL such as postgres://postgres:pw@localhost:5432/postgres)
//! runs the figures on PostgreSQL too, in a fresh database filled with
//! `appt transfer`; `APPT_BENCH_IDLE_SECONDS` (default 60) how long the
//! board sits idle in tmux while its CPU is read (docs/performance.md#board);
//! `APPT_BENCH_SERVE_THREADS` appt serve's `--threads` (default: its own, 8);
//! `APPT_BENCH_EVENTS` (default 100,000) the events `events --after` streams.
//! See docs/performance.md.

use appt::app::board::{self, Cell};
use appt::app::change::{self, StatusRequest, UpdateRequest};
use appt::app::{Clock, Create, Store};
use appt::board::{Board, Options};
use appt::core::zone::Tz;
use appt::core::{Actor, EventKind, MessageKind, MessageStatus, Status};
use appt::output::board::Note;
use appt::output::lang::Lang;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use rusqlite::Connection;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

// Building a workload's database, and the events written for each
// appointment, in files of their own.
#[path = "million/build.rs"]
mod build;
#[path = "million/events.rs"]
mod events;
// The footprint and the import's memory (docs/performance.md#footprint).
#[path = "million/footprint.rs"]
mod footprint;
// `remind due` through a channel (docs/performance.md#delivery).
#[path = "million/delivery.rs"]
mod delivery;
// The peers figure (docs/performance.md#peers), in a file of its own.
#[path = "million/peers.rs"]
mod peers;
// The booking page under 100 clients (docs/performance.md#booking-page).
#[path = "million/page.rs"]
mod page;
// A year's report against the SQL of the same aggregates
// (docs/performance.md#reports).
#[path = "million/report.rs"]
mod report;
// Slots and next for a service that needs a room (docs/performance.md#rooms).
#[path = "million/rooms.rs"]
mod rooms;
// Slots and next where every doctor has an own calendar (docs/performance.md#calendars).
#[path = "million/calendars.rs"]
mod calendars;
// The calendar feed's figures (docs/performance.md#calendar-feeds).
#[path = "million/feed.rs"]
mod feed;
// A real primary and standby: reads on the standby, and a failover
// (docs/performance.md#failover). The failover test's cluster, shared.
#[allow(dead_code)]
#[path = "../tests/cli/cluster.rs"]
mod cluster;
#[path = "million/failover.rs"]
mod failover;

/// Bump when the generated data changes, so a cached database is rebuilt
/// (a new schema version rebuilds it too).
const DATA_VERSION: u32 = 4;
/// The clock of every command: a Monday, 10:00 at both clinics (UTC-6, no DST),
/// in the middle of the three years.
const NOW: &str = "2025-07-07T16:00:00Z";
/// Both clinics' zones are six hours behind UTC all year, which is what the
/// reference queries use to show local times.
const UTC_OFFSET_HOURS: i64 = -6;
const SPAN_DAYS: f64 = 1096.0;

/// The shape of a clinic's data: every figure is taken on each.
struct Workload {
    /// The cached file's name and `APPT_BENCH_WORKLOAD`'s word for it.
    key: &'static str,
    title: &'static str,
    /// (name, zone): the doctors are shared out among them in order.
    clinics: &'static [(&'static str, &'static str)],
    /// Doctors in all, and patients (both at `APPT_BENCH_SCALE` 1).
    doctors: usize,
    patients: f64,
    /// Minutes of each slot, and of each appointment.
    slot: i64,
    /// Every doctor's weekday windows: (from, to, session).
    windows: &'static [(&'static str, &'static str, &'static str)],
    /// Whether a cancelled visit's slot is booked again (until a booking in
    /// it holds), as a busy clinic's are.
    rebook: bool,
    /// Run when `APPT_BENCH_WORKLOAD` names none.
    by_default: bool,
}

/// The two-clinic workload's grid, which the group's clinics share.
const MILLION_WINDOWS: &[(&str, &str, &str)] = &[
    ("08:00", "12:00", "Morning"),
    ("13:00", "17:00", "Afternoon"),
];

const WORKLOADS: [Workload; 3] = [
    Workload {
        key: "million",
        title: "two clinics of 25 doctors, 15-minute slots",
        clinics: &[
            ("Clínica Centro", "America/El_Salvador"),
            ("Clínica Norte", "America/Guatemala"),
        ],
        doctors: 50,
        patients: 200_000.0,
        slot: 15,
        windows: MILLION_WINDOWS,
        rebook: false,
        by_default: true,
    },
    Workload {
        key: "clinic",
        title: "one clinic of 50 doctors, 30-minute slots",
        clinics: &[("Clínica Centro", "America/El_Salvador")],
        doctors: 50,
        patients: 200_000.0,
        slot: 30,
        windows: &[
            ("07:00", "13:00", "Morning"),
            ("14:00", "20:00", "Afternoon"),
        ],
        rebook: true,
        by_default: true,
    },
    // A clinic group: five times the two-clinic workload side by side (ten
    // clinics of 25 doctors, the same grid, days and fill, five times the
    // patients), about 4.9 million appointments. Its first clinic is shaped
    // as the two-clinic workload's first, so a question about a clinic, a
    // doctor or a day asks the same of both, and what the group adds shows
    // as the difference (docs/performance.md#a-clinic-group-five-million-appointments).
    // Every zone is six hours behind UTC all year (Mexico's since 2022), as
    // the reference queries assume. Named only: building it and filling a
    // server took 33 minutes on two cores.
    Workload {
        key: "group",
        title: "a group of ten clinics of 25 doctors, 15-minute slots",
        clinics: &[
            ("Clínica Centro", "America/El_Salvador"),
            ("Clínica Norte", "America/Guatemala"),
            ("Clínica Sur", "America/Tegucigalpa"),
            ("Clínica Oriente", "America/Managua"),
            ("Clínica Occidente", "America/Costa_Rica"),
            ("Clínica Escalón", "America/Belize"),
            ("Clínica Merliot", "America/Regina"),
            ("Clínica San Miguel", "America/Swift_Current"),
            ("Clínica Santa Ana", "America/Mexico_City"),
            ("Clínica Soyapango", "America/Monterrey"),
        ],
        doctors: 250,
        patients: 1_000_000.0,
        slot: 15,
        windows: MILLION_WINDOWS,
        rebook: false,
        by_default: false,
    },
];

impl Workload {
    /// The local minutes of every slot of a doctor's day: (window, minute).
    fn day_slots(&self) -> Vec<(usize, i64)> {
        let minute = |hm: &str| -> i64 {
            let (h, m) = hm.split_once(':').expect("HH:MM");
            h.parse::<i64>().expect("an hour") * 60 + m.parse::<i64>().expect("a minute")
        };
        let mut v = Vec::new();
        for (w, (from, to, _)) in self.windows.iter().enumerate() {
            for m in (minute(from)..minute(to)).step_by(self.slot as usize) {
                v.push((w, m));
            }
        }
        v
    }

    /// The clinic (an index into `clinics`) of the doctor numbered `i`.
    fn clinic_of(&self, i: usize) -> usize {
        i * self.clinics.len() / self.doctors
    }
}
/// Reminders due at once for the `remind due` figure.
const DUE: usize = 1000;
/// An SQL expression of the name of the event type stored in `column` (its
/// number since schema 56), as `events` shows it.
fn event_name(column: &str) -> String {
    let whens: String = EventKind::ALL
        .iter()
        .map(|k| format!(" WHEN {} THEN '{}'", k.code(), k.as_str()))
        .collect();
    format!("CASE {column}{whens} END")
}

/// Events streamed by the `events --after` figure, unless
/// `APPT_BENCH_EVENTS` says how many.
fn events_streamed() -> i64 {
    env_or("APPT_BENCH_EVENTS", 100_000)
}
const IMPORT_LINES: usize = 20_000;
/// Bookings each process makes in the concurrency figure.
const PER_PROCESS: usize = 24;
const PROCESSES: usize = 8;
/// The active statuses as the appointments table stores them (their
/// numbers, since schema 60).
const ACTIVE: &str = "(1, 2, 3, 4)";
/// wrk's threads and keep-alive connections in the HTTP figures.
const WRK_THREADS: usize = 2;
const WRK_CONNECTIONS: usize = 8;
/// Free slots handed to the HTTP booking figure, at most.
const HTTP_BOOKINGS: usize = 40_000;
/// Phones of the patients the HTTP booking figure books for: this prefix
/// and six digits.
const HTTP_PHONES: &str = "+50367";

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "--launch") {
        launch(&args[1..]);
    }
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let scale: f64 = env_or("APPT_BENCH_SCALE", 1.0);
    let runs: usize = env_or("APPT_BENCH_RUNS", 15);
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    fs::create_dir_all(&data).expect("cannot create target/bench-data");
    // `APPT_BENCH_WORKLOAD`: which workloads, by key (the default ones
    // unless named).
    let chosen = std::env::var("APPT_BENCH_WORKLOAD").unwrap_or_default();
    let selected: Vec<&Workload> = WORKLOADS
        .iter()
        .filter(|w| {
            if chosen.trim().is_empty() {
                w.by_default
            } else {
                chosen.split(',').any(|c| c.trim() == w.key)
            }
        })
        .collect();
    // The group is compared with the two clinics, run for run: both kept.
    // The comparison runs whatever `APPT_BENCH_ONLY` says, and no figure is
    // named "group": `APPT_BENCH_ONLY=group` runs the comparison alone.
    let compare = ["million", "group"]
        .iter()
        .all(|k| selected.iter().any(|w| w.key == *k));
    let mut failed = false;
    // The delivery figure needs no workload: it builds its own small files.
    let only = std::env::var("APPT_BENCH_ONLY").unwrap_or_default();
    let words: Vec<&str> = only
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.contains(&"delivery") {
        failed |= delivery::run(&data);
    }
    if words == ["delivery"] {
        std::process::exit(i32::from(failed));
    }
    // The failover figures build their own servers, run only when named.
    if words.contains(&"failover") {
        failed |= failover::run(&data, scale);
        if words == ["failover"] {
            std::process::exit(i32::from(failed));
        }
    }
    let mut kept: Vec<Prepared> = Vec::new();
    for wl in selected {
        match prepare(wl, &data, scale) {
            Ok(p) => {
                failed |= p.figures(runs, &data);
                if compare && matches!(wl.key, "million" | "group") {
                    kept.push(p);
                } else {
                    p.close();
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if let [one, group] = &kept[..] {
        failed |= compare_group(one, group, runs, &data);
    }
    for p in kept {
        p.close();
    }
    if failed {
        std::process::exit(1);
    }
}

/// A workload's data, ready for figures: the plan, a fresh copy of the
/// file, and (with `APPT_BENCH_PG`) a fresh database on the server.
struct Prepared {
    wl: &'static Workload,
    plan: Plan,
    sqlite: Engine,
    /// The engine, the server's URL and the database's name (to drop).
    pg: Option<(Engine, String, String)>,
}

/// Builds (or finds) the workload's cached file and copies it for the
/// figures, to a file of its own and to the server.
fn prepare(wl: &'static Workload, data: &Path, scale: f64) -> Res<Prepared> {
    eprintln!("\n== workload: {}", wl.title);
    let schema = appt::store::SCHEMA_VERSION;
    let cached = data.join(format!(
        "{}-v{DATA_VERSION}-schema{schema}-s{scale}.db",
        wl.key
    ));
    if cached.exists() {
        eprintln!("using the cached database {}", cached.display());
    } else {
        let t = Instant::now();
        build::build(&cached, wl, scale)
            .map_err(|e| format!("building the database failed: {e}"))?;
        eprintln!(
            "built {} in {:.1} s",
            cached.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let work = data.join(format!("work-{}.db", wl.key));
    for ext in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", work.display()));
    }
    fs::copy(&cached, &work).map_err(|e| format!("cannot copy the cached database: {e}"))?;
    // On disk before any figure: otherwise the first figure to fsync the
    // file (a booking's checkpoint) waits for the copy's 1.7 GB to be written.
    File::open(&work)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot write the copy of the database to disk: {e}"))?;
    let plan =
        Plan::read(&cached, wl, scale).map_err(|e| format!("reading the database failed: {e}"))?;
    eprintln!(
        "{} appointments, {} patients, {} reminders, {} events; {} free slots kept for writes",
        plan.appointments,
        plan.patients,
        plan.reminders,
        plan.events,
        plan.pool.len()
    );
    let pg = match std::env::var("APPT_BENCH_PG") {
        Ok(server) => {
            let (engine, name) = pg_database(&server, &cached, wl.key)
                .map_err(|e| format!("preparing PostgreSQL failed: {e}"))?;
            Some((engine, server, name))
        }
        Err(_) => None,
    };
    Ok(Prepared {
        wl,
        plan,
        sqlite: Engine::Sqlite(work),
        pg,
    })
}

impl Prepared {
    /// The engines, each with the reference client's name.
    /// `APPT_BENCH_ENGINE=postgres` leaves SQLite's figures out (a run on
    /// the server alone), `sqlite` the server's.
    fn engines(&self) -> Vec<(&'static str, &Engine, &'static str)> {
        let only = std::env::var("APPT_BENCH_ENGINE").unwrap_or_default();
        let mut v = Vec::new();
        if only != "postgres" {
            v.push(("SQLite", &self.sqlite, "sqlite3"));
        }
        if let Some((e, _, _)) = self.pg.as_ref().filter(|_| only != "sqlite") {
            v.push(("PostgreSQL", e, "psql"));
        }
        v
    }

    fn bench<'a>(&'a self, engine: &'a Engine, runs: usize, data: &Path) -> Bench<'a> {
        Bench {
            engine,
            plan: &self.plan,
            runs,
            out: data.join("out"),
        }
    }

    /// Every figure, on each engine. True when a command failed.
    fn figures(&self, runs: usize, data: &Path) -> bool {
        let mut failed = false;
        for (name, engine, reference) in self.engines() {
            failed |= self
                .bench(engine, runs, data)
                .all(&format!("{name}, {}", self.wl.title), reference);
        }
        failed
    }

    /// Drops the server's database, unless `APPT_BENCH_PG_KEEP` keeps it
    /// (the file copy is left for the next run to replace).
    fn close(self) {
        if let Some((engine, server, name)) = self.pg {
            drop(engine);
            if pg_keep() {
                eprintln!("kept the server database {name} (APPT_BENCH_PG_KEEP)");
            } else if let Err(e) = pg_drop(&server, &name) {
                eprintln!("warning: could not drop {name}: {e}");
            }
        }
    }
}

/// The group's front-desk figures against the two clinics', on each engine
/// both have: appt on one and appt on the other, alternating run for run,
/// the same question of each (its clinic, doctor, day and appointment), so
/// that what the machine does meanwhile falls on both alike. A question
/// about a clinic, a doctor, a day or an appointment must cost within 1.2×
/// of what it costs at a million (issue 22's goal for a group's scale).
/// True when a command failed.
fn compare_group(one: &Prepared, group: &Prepared, runs: usize, data: &Path) -> bool {
    let mut failed = false;
    let none: Prepare = &|_| Ok(());
    for ((engine, a, reference), (_, b, _)) in one.engines().into_iter().zip(group.engines()) {
        let (x, y) = (one.bench(a, runs, data), group.bench(b, runs, data));
        eprintln!(
            "\n{engine}: the group beside the two clinics ({runs} runs each after 2 warm-ups)"
        );
        let mut rows = Vec::new();
        for figure in FRONT_DESK {
            let p = x.pair(
                (2, runs),
                &|_| x.appt_figure(figure),
                &|_| y.appt_figure(figure),
                none,
            );
            // The floor: the reference asking the same of each (`next` has
            // none of its own).
            let floor = (figure != "next")
                .then(|| {
                    x.pair(
                        (2, runs),
                        &|_| x.reference_figure(figure),
                        &|_| y.reference_figure(figure),
                        none,
                    )
                })
                .transpose();
            match p.and_then(|p| Ok((p, floor?))) {
                Ok((p, floor)) => {
                    eprintln!(
                        "  {figure}: {} at a million, {} in the group ({:.2}×; the reference {})",
                        ms(p.appt),
                        ms(p.reference),
                        p.reference / p.appt,
                        floor
                            .as_ref()
                            .map_or("—".into(), |f| format!("{:.2}×", f.reference / f.appt))
                    );
                    rows.push((figure, p, floor));
                }
                Err(why) => {
                    eprintln!("error: {figure}: {why}");
                    failed = true;
                }
            }
        }
        println!(
            "\n### {engine}: the group ({} appointments) beside the two clinics ({})\n",
            group.plan.appointments, one.plan.appointments
        );
        println!(
            "| figure | two clinics (median) | group (median) | group / two clinics | {reference}: group / two clinics | goal | met |"
        );
        println!("|---|---|---|---|---|---|---|");
        for (f, p, floor) in rows {
            let r = p.reference / p.appt;
            println!(
                "| {f} | {} | {} | {r:.2}× | {} | ≤ 1.2× | {} |",
                ms(p.appt),
                ms(p.reference),
                floor.map_or("—".into(), |f| format!(
                    "{:.2}× ({} → {})",
                    f.reference / f.appt,
                    ms(f.appt),
                    ms(f.reference)
                )),
                if r <= 1.2 { "yes" } else { "**no**" }
            );
        }
    }
    failed
}

/// Whether `APPT_BENCH_PG_KEEP` asks to keep the server's databases.
fn pg_keep() -> bool {
    std::env::var("APPT_BENCH_PG_KEEP").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .expect("NOW is RFC 3339")
        .with_timezone(&Utc)
}

type Res<T> = std::result::Result<T, String>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

// ---------------------------------------------------------------- processes

/// The release `appt` built for this bench, on `db`, at the bench's clock.
fn appt(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_appt"));
    c.arg("--db")
        .arg(db)
        .arg("--no-input")
        .env("APPT_NOW", NOW)
        .env("NO_COLOR", "1")
        .env_remove("APPT_DB")
        .env_remove("APPT_CLINIC");
    // A server database takes its link key from the environment alone (a
    // file has one beside it): without one, the booking page answers 503.
    // The bench's own, the same for every process, unless one is set.
    if db.starts_with("postgres") && std::env::var_os("APPT_LINK_KEY").is_none() {
        c.env("APPT_LINK_KEY", BENCH_LINK_KEY);
    }
    c
}

/// The link key of the bench's server databases: 32 bytes as hex, no
/// secret (the bench's links reach nobody).
const BENCH_LINK_KEY: &str = "6170707462656e63686c696e6b6b6579206e6f7420612073656372657421212e";

/// One finished process: wall time, peak resident memory, exit code.
struct Run {
    secs: f64,
    rss_kb: i64,
    code: i32,
}

/// Runs `cmd` with stdout to `out` (stderr beside it) and measures it.
///
/// The peak memory is the kernel's `ru_maxrss` of that one process. Linux
/// counts in it the peak of the memory the process had before `exec` — its
/// parent's, as spawned — so a command spawned by this (large) bench would
/// show the bench's peak. Every command is therefore started by a small
/// launcher (this binary with `--launch`, a few MB) that times it and reads
/// its `ru_maxrss` with `wait4`.
fn measure(cmd: Command, out: &Path) -> Res<Run> {
    let so = File::create(out).map_err(err)?;
    let se = File::create(out.with_extension("err")).map_err(err)?;
    let report = out.with_extension("rusage");
    let _ = fs::remove_file(&report);
    let mut l = Command::new(std::env::current_exe().map_err(err)?);
    l.arg("--launch")
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => l.env(k, v),
            None => l.env_remove(k),
        };
    }
    l.stdin(Stdio::null()).stdout(so).stderr(se);
    l.status()
        .map_err(|e| format!("cannot start the launcher: {e}"))?;
    let text = fs::read_to_string(&report)
        .map_err(|e| format!("cannot start {}: {e}", short(&format!("{cmd:?}"))))?;
    let f: Vec<&str> = text.split_whitespace().collect();
    match f.as_slice() {
        [secs, rss, code] => Ok(Run {
            secs: secs.parse().map_err(err)?,
            rss_kb: rss.parse().map_err(err)?,
            code: code.parse().map_err(err)?,
        }),
        _ => Err(format!("bad launcher report: {text}")),
    }
}

/// The launcher: `--launch REPORT PROGRAM ARGS…` runs the program with this
/// process's stdio and environment, and writes "seconds peak-KB exit-code"
/// to REPORT.
fn launch(args: &[std::ffi::OsString]) -> ! {
    let [report, program, rest @ ..] = args else {
        eprintln!("usage: --launch REPORT PROGRAM [ARGS…]");
        std::process::exit(2);
    };
    let t = Instant::now();
    let child = match Command::new(program).args(rest).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot start {program:?}: {e}");
            std::process::exit(127);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is valid; wait4 reaps the child we spawned.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let secs = t.elapsed().as_secs_f64();
    if r != pid {
        eprintln!("wait4 failed: {}", std::io::Error::last_os_error());
        std::process::exit(1);
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if let Err(e) = fs::write(report, format!("{secs} {} {code}", ru.ru_maxrss)) {
        eprintln!("cannot write the report: {e}");
        std::process::exit(1);
    }
    std::process::exit(code.max(0))
}

/// Runs `cmd` (measured) and fails unless it exits 0.
fn measure_ok(cmd: Command, out: &Path) -> Res<Run> {
    let what = format!("{cmd:?}");
    let r = measure(cmd, out)?;
    if r.code != 0 {
        let stderr = fs::read_to_string(out.with_extension("err")).unwrap_or_default();
        return Err(format!(
            "{} exited {}: {}",
            short(&what),
            r.code,
            stderr.trim()
        ));
    }
    Ok(r)
}

fn short(s: &str) -> String {
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Runs a setup command and returns its stdout; fails unless it exits 0.
fn run_ok(mut cmd: Command) -> Res<String> {
    let o = cmd.output().map_err(err)?;
    if !o.status.success() {
        return Err(format!(
            "{} failed: {}",
            short(&format!("{cmd:?}")),
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

// --------------------------------------------------------------- random data

/// SplitMix64: small, fast and the same on every machine, so the data is too.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n.max(1) as u64) as i64
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as i64) as usize]
    }
    /// A random (v4) UUID, as the store makes them.
    fn uuid(&mut self) -> String {
        uuid::Uuid::from_bytes(self.uuid_bytes()).to_string()
    }
    /// A random (v4) UUID's 16 bytes, as a message's ID is kept.
    fn uuid_bytes(&mut self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid().into_bytes()
    }
}

const FIRST: [&str; 24] = [
    "María",
    "José",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "Carlos",
    "Rosa",
    "Jorge",
    "Lucía",
    "Miguel",
    "Sofía",
    "Andrés",
    "Elena",
    "Pedro",
    "Marta",
    "Raúl",
    "Inés",
    "Óscar",
    "Julia",
    "Tomás",
    "Paula",
    "Iván",
    "Verónica",
];
const LAST: [&str; 24] = [
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Cruz",
    "Morales",
    "Reyes",
    "Jiménez",
    "Ruiz",
    "Álvarez",
    "Castillo",
    "Ortiz",
    "Mejía",
    "Peña",
    "Muñoz",
];
const SPECIALTIES: [&str; 5] = [
    "Medicina General",
    "Pediatría",
    "Ginecología",
    "Cardiología",
    "Dermatología",
];
const REASONS: [&str; 6] = [
    "Control anual",
    "Dolor de cabeza",
    "Fiebre",
    "Seguimiento",
    "Revisión de exámenes",
    "Tos persistente",
];
const CANCEL_REASONS: [&str; 3] = ["Paciente no puede asistir", "Reprogramará", "Enfermedad"];

// ------------------------------------------------------------------ building

/// The local minutes of every slot of a doctor's day at the board's
/// figures (08:00–12:00 and 13:00–17:00, 15-minute slots).
fn board_slots() -> Vec<(usize, i64)> {
    let mut v = Vec::new();
    for (w, from) in [(0usize, 8 * 60), (1, 13 * 60)] {
        for m in (from..from + 4 * 60).step_by(15) {
            v.push((w, m));
        }
    }
    v
}

fn span(scale: f64) -> (NaiveDate, NaiveDate) {
    let days = ((SPAN_DAYS * scale).round() as i64).max(7);
    let today = now().date_naive();
    (
        today - Duration::days(days / 2),
        today + Duration::days(days - days / 2),
    )
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn instant_of(tz: Tz, d: NaiveDate, minute: i64) -> DateTime<Utc> {
    let t = d
        .and_hms_opt((minute / 60) as u32, (minute % 60) as u32, 0)
        .expect("a time");
    tz.from_local_datetime(&t)
        .single()
        .expect("no DST in the bench's zones")
        .with_timezone(&Utc)
}

// ---------------------------------------------------------------- the plan

/// A free slot for the figures that write: doctor ID, local date, HH:MM.
#[derive(Clone)]
struct Slot {
    doctor: String,
    date: NaiveDate,
    time: String,
}

impl Slot {
    /// `appt book` of this slot for a new patient.
    fn book_args(&self, phone: &str, name: &str) -> Vec<String> {
        [
            "book",
            "--doctor",
            &self.doctor,
            "--date",
            &self.date.to_string(),
            "--time",
            &self.time,
            "--phone",
            phone,
            "--name",
            name,
            "--json",
        ]
        .map(String::from)
        .to_vec()
    }
}

/// What the figures ask about, read once from the pristine database.
struct Plan {
    appointments: i64,
    patients: i64,
    reminders: i64,
    events: i64,
    /// The clinic of the day figures, and another.
    clinic: String,
    clinic_id: String,
    doctor: String,
    /// The day of the list, agenda and slots figures.
    day: NaiveDate,
    show_id: String,
    due_ids: Vec<String>,
    events_after: i64,
    /// Free slots, far ahead, for book, import and the concurrent bookings.
    pool: Vec<Slot>,
    /// The cached database's file name without `.db`: what depends on the
    /// data alone (the peers') is kept under it.
    stem: String,
    /// The workload's empty database (its clinics, doctors and windows).
    empty: PathBuf,
    /// The period of the report figure: a calendar year of the data.
    year: (NaiveDate, NaiveDate),
}

impl Plan {
    fn read(file: &Path, wl: &Workload, scale: f64) -> Res<Plan> {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let c = Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(err)?;
        let one = |sql: &str| -> Res<i64> { c.query_row(sql, [], |r| r.get(0)).map_err(err) };
        let text = |sql: &str| -> Res<String> { c.query_row(sql, [], |r| r.get(0)).map_err(err) };
        let now = now();
        let day = now.date_naive() + Duration::days(1);
        // A clinic's and a doctor's ID are kept as their 16 bytes.
        let shown = |b: [u8; 16]| uuid::Uuid::from_bytes(b).to_string();
        let clinic: [u8; 16] = c
            .query_row("SELECT id FROM clinics ORDER BY name LIMIT 1", [], |r| {
                r.get(0)
            })
            .map_err(err)?;
        let doctor = c
            .query_row(
                "SELECT doctor_id FROM windows WHERE clinic_id = ?1 ORDER BY doctor_id LIMIT 1",
                [clinic],
                |r| r.get(0).map(shown),
            )
            .map_err(err)?;
        let clinic_id = shown(clinic);
        let mut st = c
            .prepare(&format!(
                "SELECT id FROM reminders WHERE status = {} AND due_at <= {} ORDER BY id",
                MessageStatus::Pending.code(),
                now.timestamp()
            ))
            .map_err(err)?;
        // A message's ID is kept as its 16 bytes.
        let due_ids = st
            .query_map([], |r| r.get::<_, [u8; 16]>(0))
            .map_err(err)?
            .map(|b| b.map(|b| uuid::Uuid::from_bytes(b).to_string()))
            .collect::<Result<Vec<String>, _>>()
            .map_err(err)?;
        let events = one("SELECT count(*) FROM events")?;
        let max_event = one("SELECT coalesce(max(id), 0) FROM events")?;
        // Free slots on the last weekdays of the span, latest first.
        let (_, last) = span(scale);
        let from = last - Duration::days(120);
        let mut taken = HashSet::new();
        let mut st = c
            .prepare(&format!(
                "SELECT doctor_id, starts_at FROM appointments WHERE local_date >= ?1 AND status IN {ACTIVE}"
            ))
            .map_err(err)?;
        for r in st
            .query_map([day_no(from)], |r| {
                Ok((shown(r.get(0)?), r.get::<_, i64>(1)?))
            })
            .map_err(err)?
        {
            taken.insert(r.map_err(err)?);
        }
        let mut st = c
            .prepare("SELECT DISTINCT w.doctor_id, c.timezone FROM windows w JOIN clinics c ON c.id = w.clinic_id ORDER BY w.doctor_id")
            .map_err(err)?;
        let docs = st
            .query_map([], |r| Ok((shown(r.get(0)?), r.get::<_, String>(1)?)))
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut pool = Vec::new();
        let mut d = last;
        while d >= from.max(now.date_naive() + Duration::days(2)) {
            if is_weekday(d) {
                for (doc, tz) in &docs {
                    let tz: Tz = tz.parse().map_err(err)?;
                    for (_, m) in wl.day_slots() {
                        let at = instant_of(tz, d, m).timestamp();
                        if !taken.contains(&(doc.clone(), at)) {
                            pool.push(Slot {
                                doctor: doc.clone(),
                                date: d,
                                time: format!("{:02}:{:02}", m / 60, m % 60),
                            });
                        }
                    }
                }
            }
            d -= Duration::days(1);
        }
        Ok(Plan {
            appointments: one("SELECT count(*) FROM appointments")?,
            patients: one("SELECT count(*) FROM patients")?,
            reminders: one("SELECT count(*) FROM reminders")?,
            events,
            clinic: text("SELECT name FROM clinics ORDER BY name LIMIT 1")?,
            show_id: text(&format!(
                "SELECT {} FROM appointments WHERE local_date = {} ORDER BY starts_at LIMIT 1 OFFSET 7",
                sqlite_id_text("id"),
                day_no(day)
            ))?,
            clinic_id,
            doctor,
            day,
            due_ids,
            events_after: (max_event - events_streamed()).max(0),
            pool,
            stem,
            empty: footprint::empty(file),
            year: report::period(scale),
        })
    }
}

// ------------------------------------------------------------------- engines

/// Where the figures run: appt's `--db`, the reference client, and the
/// dialect of the reference queries.
enum Engine {
    Sqlite(PathBuf),
    Pg(String, Box<std::cell::RefCell<postgres::Client>>),
}

impl Engine {
    fn db(&self) -> String {
        match self {
            Engine::Sqlite(p) => p.to_string_lossy().into_owned(),
            Engine::Pg(url, _) => url.clone(),
        }
    }

    fn pg(&self) -> bool {
        matches!(self, Engine::Pg(..))
    }

    /// The reference client answering `sql`, printing rows as plain lines.
    fn reference(&self, sql: &str) -> Command {
        match self {
            Engine::Sqlite(p) => {
                let mut c = Command::new("sqlite3");
                c.arg("-bail").arg(p).arg(sql);
                c
            }
            Engine::Pg(url, _) => {
                let mut c = Command::new("psql");
                c.args([
                    "-X",
                    "-q",
                    "-A",
                    "-t",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    url,
                    "-c",
                    sql,
                ]);
                c
            }
        }
    }

    /// A literal of the ID `id` where IDs are kept as their 16 bytes (a
    /// message's, an appointment's, a patient's, and since schema 62 a
    /// clinic's, a doctor's, a service's and a window's, wherever a column
    /// names one): a BLOB on SQLite, a `uuid` on PostgreSQL.
    fn id_literal(&self, id: &str) -> String {
        if self.pg() {
            format!("'{id}'")
        } else {
            format!("x'{}'", id.replace('-', ""))
        }
    }

    /// The text of the ID of 16 bytes in `col`, as appt shows it (NULL
    /// where it is NULL).
    fn id_text(&self, col: &str) -> String {
        if self.pg() {
            format!("{col}::text")
        } else {
            sqlite_id_text(col)
        }
    }

    fn obj(&self) -> &'static str {
        if self.pg() {
            "json_build_object"
        } else {
            "json_object"
        }
    }

    /// An epoch-seconds column as RFC 3339 UTC.
    fn ts(&self, col: &str) -> String {
        if self.pg() {
            format!(
                "to_char(to_timestamp({col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
            )
        } else {
            format!("strftime('%Y-%m-%dT%H:%M:%SZ', {col}, 'unixepoch')")
        }
    }

    /// An epoch-seconds column as local HH:MM.
    fn hm(&self, col: &str) -> String {
        let off = UTC_OFFSET_HOURS * 3600;
        if self.pg() {
            format!("to_char(to_timestamp({col} + {off}) AT TIME ZONE 'UTC', 'HH24:MI')")
        } else {
            format!("strftime('%H:%M', {col} + {off}, 'unixepoch')")
        }
    }

    /// The `YYYY-MM-DD` of a day number (an appointment's local date).
    fn date_text(&self, col: &str) -> String {
        if self.pg() {
            format!("to_char(DATE '1970-01-01' + {col}, 'YYYY-MM-DD')")
        } else {
            format!("date({col} * 86400, 'unixepoch')")
        }
    }

    fn json_text(&self, col: &str) -> String {
        if self.pg() {
            format!("{col}::json")
        } else {
            format!("json({col})")
        }
    }

    /// The appointment object of docs/commands.md#the-appointment-object, built by the reference client.
    fn appointment_json(&self) -> String {
        let o = self.obj();
        let ts = |c: &str| self.ts(c);
        format!(
            "{o}('id',{id},'clinic_id',{clinic_id},'doctor_id',{doctor_id},'patient_id',{patient_id},\
             'service_id',{service_id},'date',{date},'start_time',{st},'end_time',{et},\
             'duration_minutes',a.duration_minutes,'starts_at',{sa},'ends_at',{ea},'timezone',c.timezone,\
             'status',{status},'token_number',a.token_number,'source',{source},'session',a.session,\
             'batch',a.batch,'reason',a.reason,'notes',a.notes,'diagnosis',a.diagnosis,\
             'prescription',a.prescription,'follow_up_required',a.follow_up_required <> 0,\
             'follow_up_date',a.follow_up_date,'cancellation_reason',a.cancellation_reason,\
             'external_reference_id',a.external_reference_id,\
             'patient',{o}('id',{pid},'full_name',p.full_name,'phone',p.phone),\
             'doctor',CASE WHEN d.id IS NULL THEN NULL ELSE {o}('id',{did},'full_name',d.full_name,'specialty',d.specialty) END,\
             'service',CASE WHEN s.id IS NULL THEN NULL ELSE {o}('id',{sid},'name',s.name,'duration_minutes',s.duration_minutes) END,\
             'created_at',{ca},'updated_at',{ua},'confirmed_at',{cf},'checked_in_at',{ci},\
             'started_at',{sd},'completed_at',{cd},'cancelled_at',{cc},'no_show_at',{ns})",
            id = self.id_text("a.id"),
            clinic_id = self.id_text("a.clinic_id"),
            doctor_id = self.id_text("a.doctor_id"),
            patient_id = self.id_text("a.patient_id"),
            service_id = self.id_text("a.service_id"),
            pid = self.id_text("p.id"),
            did = self.id_text("d.id"),
            sid = self.id_text("s.id"),
            date = self.date_text("a.local_date"),
            status = status_name("a.status"),
            source = source_name("a.source"),
            st = self.hm("a.starts_at"),
            et = self.hm("a.ends_at"),
            sa = ts("a.starts_at"),
            ea = ts("a.ends_at"),
            ca = ts("a.created_at"),
            ua = ts("a.updated_at"),
            cf = ts("a.confirmed_at"),
            ci = ts("a.checked_in_at"),
            sd = ts("a.started_at"),
            cd = ts("a.completed_at"),
            cc = ts("a.cancelled_at"),
            ns = ts("a.no_show_at"),
        )
    }

    /// What was written before a figure is written out before it is timed:
    /// a server still flushing a load (its checkpoint, the kernel's dirty
    /// pages) stalls reads for tens of milliseconds through the next minute
    /// (docs/performance.md#the-servers-first-minute-after-a-load). On
    /// PostgreSQL a `CHECKPOINT`, on SQLite a checkpoint of the WAL, then
    /// `sync`: this machine's, the server's when it runs beside the bench.
    fn settle(&self, what: &str) -> Res<()> {
        let t = Instant::now();
        match self {
            Engine::Sqlite(_) => self.exec("PRAGMA wal_checkpoint(TRUNCATE)")?,
            Engine::Pg(..) => self.exec("CHECKPOINT")?,
        }
        let synced = Command::new("sync").status().map_err(err)?;
        if !synced.success() {
            return Err(format!("sync exited {synced}"));
        }
        eprintln!(
            "{what} settled (checkpoint, sync): {:.1} s",
            t.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// Runs bookkeeping SQL (outside any timing).
    fn exec(&self, sql: &str) -> Res<()> {
        match self {
            Engine::Sqlite(p) => {
                let c = Connection::open(p).map_err(err)?;
                c.busy_timeout(std::time::Duration::from_secs(10))
                    .map_err(err)?;
                c.execute_batch(sql).map_err(err)
            }
            Engine::Pg(_, client) => client.borrow_mut().batch_execute(sql).map_err(err),
        }
    }

    /// The rows of `sql`, every column read as text.
    fn table(&self, sql: &str) -> Res<Vec<Vec<String>>> {
        match self {
            Engine::Sqlite(p) => {
                let c = Connection::open(p).map_err(err)?;
                let mut st = c.prepare(sql).map_err(err)?;
                let n = st.column_count();
                // An ID kept as its 16 bytes, as its text.
                let cell = |r: &rusqlite::Row, i: usize| match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Blob(b) if b.len() == 16 => {
                        Ok(uuid::Uuid::from_slice(b).unwrap_or_default().to_string())
                    }
                    _ => r.get::<_, String>(i),
                };
                let rows = st
                    .query_map([], |r| (0..n).map(|i| cell(r, i)).collect())
                    .map_err(err)?;
                rows.collect::<Result<Vec<Vec<String>>, _>>().map_err(err)
            }
            Engine::Pg(_, client) => {
                let rows = client.borrow_mut().query(sql, &[]).map_err(err)?;
                let cell = |r: &postgres::Row, i: usize| {
                    if *r.columns()[i].type_() == postgres::types::Type::UUID {
                        r.get::<_, uuid::Uuid>(i).to_string()
                    } else {
                        r.get::<_, String>(i)
                    }
                };
                Ok(rows
                    .iter()
                    .map(|r| (0..r.len()).map(|i| cell(r, i)).collect())
                    .collect())
            }
        }
    }

    /// The first column of `sql`'s rows, as text.
    fn strings(&self, sql: &str) -> Res<Vec<String>> {
        Ok(self
            .table(sql)?
            .into_iter()
            .filter_map(|r| r.into_iter().next())
            .collect())
    }

    fn count(&self, sql: &str) -> Res<i64> {
        match self {
            Engine::Sqlite(p) => {
                let c = Connection::open(p).map_err(err)?;
                c.query_row(sql, [], |r| r.get(0)).map_err(err)
            }
            Engine::Pg(_, client) => client
                .borrow_mut()
                .query_one(sql, &[])
                .map(|r| r.get::<_, i64>(0))
                .map_err(err),
        }
    }
}

const JOINS: &str = "FROM appointments a JOIN clinics c ON c.id = a.clinic_id JOIN patients p ON p.id = a.patient_id \
    LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN services s ON s.id = a.service_id";

/// A fresh database on the server, filled from the pristine file by `appt transfer`.
fn pg_database(server: &str, pristine: &Path, key: &str) -> Res<(Engine, String)> {
    // `APPT_BENCH_PG_KEEP`: one database per cached file, kept after the
    // run and taken again by the next (as the last run left it: a run of
    // figures that write leaves their writes), so that a group's half hour
    // of transfer is paid once while developing.
    let keep = pg_keep();
    let name = if keep {
        let stem = pristine.file_stem().unwrap_or_default().to_string_lossy();
        format!(
            "appt_bench_{}",
            stem.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        )
    } else {
        format!("appt_bench_{}_{key}", std::process::id())
    };
    // The URL's options (`?sslmode=disable`: plain TCP) go with it.
    let (path, options) = server.split_once('?').unwrap_or((server, ""));
    let base = &path[..path
        .rfind('/')
        .ok_or("APPT_BENCH_PG needs a /database part")?];
    let url = match options {
        "" => format!("{base}/{name}"),
        o => format!("{base}/{name}?{o}"),
    };
    let mut admin = postgres::Client::connect(server, postgres::NoTls).map_err(err)?;
    if keep {
        let kept = admin
            .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .map_err(err)?;
        // A transfer is one transaction: a kept database is whole or empty.
        let filled = !kept.is_empty()
            && postgres::Client::connect(&url, postgres::NoTls)
                .and_then(|mut c| c.query_one("SELECT count(*) > 0 FROM clinics", &[]))
                .is_ok_and(|r| r.get::<_, bool>(0));
        if filled {
            eprintln!("using the kept server database {name}");
            let client = postgres::Client::connect(&url, postgres::NoTls).map_err(err)?;
            return Ok((
                Engine::Pg(url, Box::new(std::cell::RefCell::new(client))),
                name,
            ));
        }
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .map_err(err)?;
    }
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(err)?;
    let copy = pristine.with_extension("transfer.db");
    fs::copy(pristine, &copy).map_err(err)?;
    let t = Instant::now();
    let r = run_ok({
        let mut c = appt(&copy.to_string_lossy());
        c.args(["transfer", "--to", &url]);
        c
    });
    let _ = fs::remove_file(&copy);
    for ext in ["-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", copy.display()));
    }
    r?;
    eprintln!(
        "appt transfer to {name}: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let client = postgres::Client::connect(&url, postgres::NoTls).map_err(err)?;
    let engine = Engine::Pg(url, Box::new(std::cell::RefCell::new(client)));
    engine.settle("the server")?;
    Ok((engine, name))
}

fn pg_drop(server: &str, name: &str) -> Res<()> {
    let mut admin = postgres::Client::connect(server, postgres::NoTls).map_err(err)?;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .map_err(err)
}

// ------------------------------------------------------------------- figures

/// One line of the table.
struct Row {
    figure: String,
    appt: String,
    reference: String,
    ratio: Option<f64>,
    rss_kb: i64,
    goal: String,
    met: Option<bool>,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ms(secs: f64) -> String {
    if secs >= 10.0 {
        format!("{secs:.1} s")
    } else if secs >= 1.0 {
        format!("{secs:.2} s")
    } else {
        format!("{:.1} ms", secs * 1000.0)
    }
}

/// Medians of alternating runs, and appt's peak memory.
struct Pair {
    appt: f64,
    reference: f64,
    rss_kb: i64,
}

struct Bench<'a> {
    engine: &'a Engine,
    plan: &'a Plan,
    runs: usize,
    out: PathBuf,
}

type Prepare<'b> = &'b dyn Fn(usize) -> Res<()>;

impl Bench<'_> {
    fn appt(&self) -> Command {
        appt(&self.engine.db())
    }

    fn appt_args(&self, args: &[&str]) -> Command {
        let mut c = self.appt();
        c.args(args);
        c
    }

    /// appt asking a front-desk figure's question ([`front_desk_args`]).
    fn appt_figure(&self, figure: &str) -> Command {
        let mut c = self.appt();
        c.args(front_desk_args(self.plan, figure));
        c
    }

    /// The reference asking a front-desk figure's question: the same rows
    /// through the same indexes (for `next`, appt's own `slots`).
    fn reference_figure(&self, figure: &str) -> Command {
        let (p, e) = (self.plan, self.engine);
        let aj = e.appointment_json();
        let day = p.day.to_string();
        // The appointments keep their local date as its day number.
        let day_n = day_no(p.day);
        // A clinic's and a doctor's ID are kept as their 16 bytes.
        let clinic_id = e.id_literal(&p.clinic_id);
        let doc = e.id_literal(&p.doctor);
        let day_start = instant_of(appt::core::zone::el_salvador(), p.day, 0).timestamp();
        let day_end = day_start + 86400;
        // list, one day: the page's total and its first 50.
        let list = |cond: &str| {
            format!(
                "SELECT count(*) FROM appointments a WHERE {cond}; \
                 SELECT {aj} {JOINS} WHERE {cond} ORDER BY a.starts_at, a.token_number, a.id LIMIT 50;"
            )
        };
        let sql = match figure {
            "list --date (all clinics)" => list(&format!(
                "a.clinic_id IN (SELECT id FROM clinics) AND a.local_date = {day_n}"
            )),
            "list --date --clinic" => list(&format!(
                "a.clinic_id = {clinic_id} AND a.local_date = {day_n}"
            )),
            "list --date --clinic --status" => list(&format!(
                "a.clinic_id = {clinic_id} AND a.local_date = {day_n} AND a.status = {}",
                Status::Confirmed.code()
            )),
            "list --date --doctor" => list(&format!(
                "a.doctor_id = {doc} AND a.starts_at >= {} AND a.starts_at < {} AND a.local_date = {day_n}",
                day_start - 86400,
                day_end + 86400
            )),
            "list --date --clinic --source" => list(&format!(
                "a.clinic_id = {clinic_id} AND a.local_date = {day_n} AND a.source = {}",
                source("whatsapp")
            )),
            // The day's appointments, windows, doctors and closures.
            "agenda --date" => format!(
                "SELECT {aj} {JOINS} WHERE a.clinic_id = {clinic_id} AND a.local_date = {day_n} \
                   AND a.status <> {cancelled} ORDER BY a.starts_at, a.token_number, a.id; \
                 SELECT {wid}, {wdoc}, w.start_minute, w.end_minute, w.slot_minutes, w.capacity, d.full_name, d.specialty \
                   FROM windows w LEFT JOIN doctors d ON d.id = w.doctor_id WHERE w.clinic_id = {clinic_id} AND w.open = 1; \
                 SELECT id, reason FROM closures WHERE (clinic_id = {clinic_id} OR doctor_id IN \
                   (SELECT doctor_id FROM windows WHERE clinic_id = {clinic_id})) AND from_date <= '{day}' AND to_date >= '{day}';",
                cancelled = Status::Cancelled.code(),
                wid = e.id_text("w.id"),
                wdoc = e.id_text("w.doctor_id"),
            ),
            // The doctor's windows and busy times that day.
            "slots --doctor --date" => format!(
                "SELECT {wid}, start_minute, end_minute, slot_minutes, capacity, session FROM windows \
                   WHERE doctor_id = {doc} AND open = 1; \
                 SELECT id, reason FROM closures WHERE (doctor_id = {doc} OR clinic_id = {clinic_id}) \
                   AND from_date <= '{day}' AND to_date >= '{day}'; \
                 SELECT id, starts_at, ends_at FROM appointments WHERE doctor_id = {doc} AND starts_at < {day_end} \
                   AND starts_at > {lo} AND ends_at > {day_start} AND status IN {ACTIVE};",
                wid = e.id_text("id"),
                lo = day_start - 480 * 60,
            ),
            "show ID" => format!(
                "SELECT {aj} {JOINS} WHERE a.id = {};",
                e.id_literal(&p.show_id)
            ),
            // Each clinic's through its index, as appt asks (schema v24
            // keeps no index of the whole database's bookings by time).
            "count" => format!(
                "SELECT count(*) FROM clinics c CROSS JOIN appointments a \
                 WHERE a.clinic_id = c.id AND a.created_at >= {};",
                now().timestamp() - 86400
            ),
            "count --clinic" => format!(
                "SELECT count(*) FROM appointments WHERE clinic_id = {clinic_id} AND created_at >= {};",
                now().timestamp() - 86400
            ),
            "patient list --search" => format!(
                "SELECT {o}('id',id,'full_name',full_name,'phone',phone,'email',email,'no_show_count',no_show_count,\
                   'created_at',{ca},'updated_at',{ua}) FROM patients WHERE name_key LIKE '%garcia%' ESCAPE '\\' \
                   OR phone LIKE NULL ORDER BY name_key, phone LIMIT 200;",
                o = e.obj(),
                ca = e.ts("created_at"),
                ua = e.ts("updated_at"),
            ),
            "next" => return self.appt_figure("slots --doctor --date"),
            _ => unreachable!("{figure} is no front-desk figure"),
        };
        e.reference(&sql)
    }

    /// Whether a figure runs: all of them, or those whose name starts with
    /// one of `APPT_BENCH_ONLY`'s comma-separated words (`import,list`).
    fn wanted(&self, figure: &str) -> bool {
        std::env::var("APPT_BENCH_ONLY").map_or(true, |only| {
            only.split(',')
                .any(|w| !w.trim().is_empty() && figure.starts_with(w.trim()))
        })
    }

    fn file(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }

    /// Alternates appt and the reference, `warm` warm-ups each then `runs`
    /// timed runs; `before(i)` prepares run `i` (untimed, both sides).
    fn pair(
        &self,
        (warm, runs): (usize, usize),
        appt_cmd: &dyn Fn(usize) -> Command,
        ref_cmd: &dyn Fn(usize) -> Command,
        before: Prepare,
    ) -> Res<Pair> {
        let (mut a, mut r, mut rss) = (Vec::new(), Vec::new(), 0);
        for i in 0..runs + warm {
            before(2 * i)?;
            let x = measure_ok(appt_cmd(2 * i), &self.file("appt.out"))?;
            before(2 * i + 1)?;
            let y = measure_ok(ref_cmd(2 * i + 1), &self.file("ref.out"))?;
            if i >= warm {
                a.push(x.secs);
                r.push(y.secs);
                rss = rss.max(x.rss_kb);
            }
        }
        Ok(Pair {
            appt: median(&mut a),
            reference: median(&mut r),
            rss_kb: rss,
        })
    }

    fn ratio_row(&self, figure: &str, p: &Pair, goal: f64, against: &str) -> Row {
        let ratio = p.appt / p.reference;
        Row {
            figure: figure.into(),
            appt: ms(p.appt),
            reference: ms(p.reference),
            ratio: Some(ratio),
            rss_kb: p.rss_kb,
            goal: format!("≤ {goal}× {against}"),
            met: Some(ratio <= goal),
        }
    }

    /// Runs every figure; prints the table. True when a command failed.
    fn all(&self, engine_name: &str, reference: &str) -> bool {
        fs::create_dir_all(&self.out).expect("cannot create the output folder");
        let p = self.plan;
        let e = self.engine;
        let aj = e.appointment_json();
        let mut rows: Vec<Row> = Vec::new();
        let mut failed = false;
        let mut note = |name: &str, r: Res<Row>| match r {
            Ok(row) => {
                eprintln!(
                    "  {name}: appt {} ref {} {}",
                    row.appt,
                    row.reference,
                    row.ratio.map_or(String::new(), |r| format!("({r:.2}×)"))
                );
                rows.push(row);
            }
            Err(why) => {
                eprintln!("error: {name}: {why}");
                failed = true;
            }
        };
        eprintln!(
            "\n{engine_name}: figures ({} runs each after 2 warm-ups)",
            self.runs
        );
        let none: Prepare = &|_| Ok(());

        // The bytes on disk, on the copy as built (first: the figures after
        // it write).
        if self.wanted("footprint") {
            let r = self.footprint();
            note("footprint", r);
        }

        // The front desk's questions, each against the reference asking it
        // ([`Bench::reference_figure`]); `next` against appt's own `slots`.
        for figure in FRONT_DESK.iter().filter(|f| self.wanted(f)) {
            let r = self.pair(
                (2, self.runs),
                &|_| self.appt_figure(figure),
                &|_| self.reference_figure(figure),
                none,
            );
            let r = if *figure == "next" {
                r.map(|x| {
                    let mut row = self.ratio_row("next (vs appt slots)", &x, 2.0, "appt slots");
                    row.reference = format!("{} (appt slots)", ms(x.reference));
                    row
                })
            } else {
                r.map(|x| self.ratio_row(figure, &x, 1.5, reference))
            };
            note(figure, r);
        }

        if self.wanted("events") {
            // events --after: the last 100,000 events as JSON Lines. The
            // reference joins each event to its appointment, patient,
            // doctor and service, as JSON (the appointment as it is now: an
            // event shows it as it was, rebuilt from what is stored).
            let events_ref = format!(
                "SELECT {o}('id',e.id,'type',{ty},'appointment_id',{visit},'created_at',{ca},\
                 'actor',e.actor,'data',{data},'appointment',{aj}) \
                 FROM events e JOIN appointments a ON a.id = e.appointment_id \
                 JOIN clinics c ON c.id = a.clinic_id JOIN patients p ON p.id = a.patient_id \
                 LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN services s ON s.id = a.service_id \
                 WHERE e.id > {after} ORDER BY e.id;",
                o = e.obj(),
                ty = event_name("e.type"),
                visit = e.id_text("e.appointment_id"),
                ca = e.ts("e.created_at"),
                data = e.json_text("e.data"),
                aj = e.appointment_json(),
                after = p.events_after,
            );
            let streamed = (p.events - p.events_after.min(p.events)).min(events_streamed());
            let after = p.events_after.to_string();
            let r = self
                .pair(
                    (1, self.runs.min(5)),
                    &|_| self.appt_args(&["events", "--after", &after]),
                    &|_| e.reference(&events_ref),
                    none,
                )
                .map(|x| {
                    self.ratio_row(
                        &format!("events --after ({streamed} events)"),
                        &x,
                        1.5,
                        reference,
                    )
                });
            note("events", r);
        }

        // A year's report, before the figures that write.
        if self.wanted("report") {
            let r = self.report(reference);
            note("report", r);
        }

        // Rooms: the figures that write the rooms in first.
        if self.wanted("rooms") {
            for (name, r) in self.rooms() {
                note(name, r);
            }
        }
        if self.wanted("calendars") {
            for (name, r) in self.calendars() {
                note(name, r);
            }
        }

        let begin = if e.pg() {
            "BEGIN"
        } else {
            "PRAGMA synchronous=FULL; BEGIN IMMEDIATE"
        };
        // remind due: the same reminders made due again before every run.
        if self.wanted("remind") {
            let ids = p
                .due_ids
                .iter()
                .map(|i| e.id_literal(i))
                .collect::<Vec<_>>()
                .join(",");
            let reset = format!(
                "UPDATE reminders SET status = {pending}, attempts = 0, sent_at = NULL, claim = NULL, \
                 claimed_until = NULL, next_attempt_at = NULL, last_error = NULL, updated_at = created_at \
                 WHERE id IN ({ids});",
                pending = MessageStatus::Pending.code()
            );
            let n = now().timestamp();
            let remind_ref = format!(
                "{begin}; SELECT {o}('id',{id},'appointment_id',{visit},'offset_minutes',r.offset_minutes,\
                   'due_at',{due},'status','sent','attempts',r.attempts + 1,'appointment',{aj}) \
                   FROM reminders r JOIN appointments a ON a.id = r.appointment_id \
                   JOIN clinics c ON c.id = a.clinic_id JOIN patients p ON p.id = a.patient_id \
                   LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN services s ON s.id = a.service_id \
                   WHERE r.status = {pending} AND r.due_at <= {n} ORDER BY r.due_at, r.id; \
                 UPDATE reminders SET status = {sent}, attempts = attempts + 1, sent_at = {n}, updated_at = {n} \
                   WHERE status = {pending} AND due_at <= {n}; COMMIT;",
                o = e.obj(),
                pending = MessageStatus::Pending.code(),
                sent = MessageStatus::Sent.code(),
                due = e.ts("r.due_at"),
                id = e.id_text("r.id"),
                visit = e.id_text("r.appointment_id"),
            );
            let due_n = p.due_ids.len();
            let r = self
                .pair(
                    (1, self.runs.min(5)),
                    &|_| self.appt_args(&["remind", "due"]),
                    &|_| e.reference(&remind_ref),
                    &|_| e.exec(&reset),
                )
                .and_then(|x| {
                    let lines = fs::read_to_string(self.file("appt.out")).unwrap_or_default();
                    let sent = lines.lines().count();
                    if sent != due_n {
                        return Err(format!("remind due delivered {sent}, expected {due_n}"));
                    }
                    Ok(self.ratio_row(
                        &format!("remind due ({due_n} due)"),
                        &x,
                        2.0,
                        &format!("{reference} select+update"),
                    ))
                });
            note("remind due", r);
            for (name, r) in self.remind_steps(&reset, due_n) {
                note(&name, r);
            }
        }

        // book: distinct free slots; the reference commits one insert.
        let mut pool = p.pool.iter().cloned();
        let book_runs = self.runs + 2;
        let book_slots: Vec<Slot> = pool.by_ref().take(book_runs).collect();
        if self.wanted("book") {
            let template = format!(
                "SELECT 'x', clinic_id, doctor_id, window_id, patient_id, service_id, local_date, starts_at, ends_at, \
                 duration_minutes, {}, 0, source, created_at, updated_at FROM appointments WHERE id = {}",
                Status::Cancelled.code(),
                e.id_literal(&p.show_id)
            );
            let book_ref = |i: usize| {
                let sql = format!(
                    "{begin}; INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, service_id, \
                     local_date, starts_at, ends_at, duration_minutes, status, token_number, source, created_at, updated_at) \
                     {}; COMMIT;",
                    template.replacen("'x'", &e.id_literal(&reference_id(i)), 1)
                );
                e.reference(&sql)
            };
            let r = if book_slots.len() < book_runs {
                Err("not enough free slots for book".to_string())
            } else {
                self.pair(
                    (2, self.runs),
                    &|i| {
                        let phone = format!("+50362{:06}", i / 2);
                        let mut c = self.appt();
                        c.args(book_slots[i / 2].book_args(&phone, "Paciente Nuevo"));
                        c
                    },
                    &book_ref,
                    none,
                )
                .map(|x| {
                    self.ratio_row(
                        "book",
                        &x,
                        2.0,
                        &format!(
                            "{reference} one insert, {}",
                            if e.pg() {
                                "commit"
                            } else {
                                "WAL, synchronous=FULL"
                            }
                        ),
                    )
                })
            };
            let _ = e.exec(&delete_references(e));
            note("book", r);
        }

        // A 52-week series (docs/rules.md#series).
        if self.wanted("series") {
            let r = self.series(begin);
            note("series", r);
        }

        // import: N lines of bookings into free slots, every rule.
        let n_import = IMPORT_LINES.min(p.pool.len().saturating_sub(book_runs + 400));
        if self.wanted("import") {
            let lines: Vec<Slot> = pool.by_ref().take(n_import).collect();
            let r = self.import(&lines);
            note("import", r);
        }

        // The import's peak memory beside an empty database's.
        if self.wanted("memory") {
            let runs = self.runs.min(3);
            let slots: Vec<Slot> = pool.by_ref().take(footprint::LINES * runs).collect();
            let r = self.import_memory(&p.empty, &slots, runs);
            note("memory", r);
        }

        // 8 processes booking at once.
        if self.wanted("concurrent") {
            let r = self.concurrency(&mut pool);
            note("concurrent book", r);
        }

        // The HTTP API under wrk, on the free slots left, once what the
        // figures before it wrote (20,000 lines of import, the bookings) is
        // on disk: a minute of the server's own load, not theirs.
        let http = self.wanted("http").then(|| {
            let slots: Vec<Slot> = pool.by_ref().take(HTTP_BOOKINGS).collect();
            self.engine.settle("the database")?;
            self.http(&slots)
        });

        // The calendar feed under wrk, on a server of its own, once what
        // the figures before it wrote is on disk.
        let feed = self.wanted("feed").then(|| {
            self.engine.settle("the database")?;
            self.feed()
        });

        // The booking page under 100 clients, on a server of its own, once
        // what the figures before it wrote is on disk.
        let page = self.wanted("page").then(|| {
            self.engine.settle("the database")?;
            self.page()
        });

        if self.wanted("export") {
            // export: every row, streamed; time and peak memory.
            let export_file = self.file("export.jsonl");
            let export_ref =
                format!("SELECT {aj} {JOINS} ORDER BY a.starts_at, a.token_number, a.id;");
            let r = self
                .pair(
                    (0, self.runs.min(2)),
                    &|_| {
                        let _ = fs::remove_file(&export_file);
                        let f = export_file.to_string_lossy().into_owned();
                        self.appt_args(&["export", "--format", "jsonl", "--output", &f])
                    },
                    &|_| e.reference(&export_ref),
                    none,
                )
                .map(|x| {
                    let mb = x.rss_kb as f64 / 1024.0;
                    Row {
                        figure: format!("export jsonl ({} rows)", p.appointments),
                        appt: ms(x.appt),
                        reference: ms(x.reference),
                        ratio: Some(x.appt / x.reference),
                        rss_kb: x.rss_kb,
                        goal: "peak RSS < 32 MB".into(),
                        met: Some(mb < 32.0),
                    }
                });
            let _ = fs::remove_file(&export_file);
            note("export", r);
        }

        // calcurse and khal showing the day (docs/performance.md#peers), on
        // SQLite only: the peers' data does not depend on the engine.
        if !e.pg() && self.wanted("peers") {
            for (name, r) in self.peers() {
                note(&name, r);
            }
        }

        // The board (docs/performance.md#board): after the figures above,
        // as it adds a day of its own to the data.
        if self.wanted("board") {
            for (name, r) in self.board() {
                note(&name, r);
            }
        }

        // check: last, over all the figures before it wrote.
        if self.wanted("check") {
            let r = self.check(reference);
            note("check", r);
        }

        print_table(engine_name, reference, p, &rows);
        match http {
            Some(Ok(figures)) => print_http_table(engine_name, &figures),
            Some(Err(why)) => {
                eprintln!("error: http: {why}");
                failed = true;
            }
            None => {}
        }
        match page {
            Some(Ok(figures)) => print_http_table(engine_name, &figures),
            Some(Err(why)) => {
                eprintln!("error: page: {why}");
                failed = true;
            }
            None => {}
        }
        match feed {
            Some(Ok(figures)) => print_http_table(engine_name, &figures),
            Some(Err(why)) => {
                eprintln!("error: feed: {why}");
                failed = true;
            }
            None => {}
        }
        failed
    }

    /// `appt check` of the whole database, which must be clean: every
    /// appointment carries its events. The reference is SQLite's own
    /// `PRAGMA quick_check`, the page check that check runs beside its other
    /// checks (`check --full` runs integrity_check instead); on PostgreSQL,
    /// where check has no such step, `psql` asking check's own questions
    /// (every appointment's booked event, tokens held twice, every event's
    /// data read as JSON).
    fn check(&self, reference: &str) -> Res<Row> {
        let e = self.engine;
        let booked = format!(
            "NOT EXISTS (SELECT 1 FROM events v WHERE v.appointment_id = a.id AND v.type = {})",
            EventKind::Booked.code()
        );
        let events = e.count("SELECT count(*) FROM events")?;
        let reference_sql = if e.pg() {
            format!(
                "SELECT count(*) FROM appointments a WHERE {booked}; \
                 SELECT count(*) FROM (SELECT doctor_id, local_date, token_number FROM appointments \
                   GROUP BY 1, 2, 3 HAVING count(*) > 1) d; \
                 SELECT count(*) FROM events WHERE data::json IS NULL;"
            )
        } else {
            "PRAGMA quick_check;".to_string()
        };
        let x = self.pair(
            (1, self.runs.min(3)),
            &|_| self.appt_args(&["check", "--json"]),
            &|_| e.reference(&reference_sql),
            &|_| Ok(()),
        )?;
        Ok(Row {
            figure: format!(
                "check ({} appointments, {events} events)",
                self.plan.appointments
            ),
            appt: ms(x.appt),
            reference: format!(
                "{} ({})",
                ms(x.reference),
                if e.pg() {
                    "check's questions"
                } else {
                    "quick_check alone"
                }
            ),
            ratio: Some(x.appt / x.reference),
            rss_kb: x.rss_kb,
            goal: format!("clean, ≤ 2× {reference}"),
            met: Some(x.appt <= 2.0 * x.reference),
        })
    }

    fn import(&self, lines: &[Slot]) -> Res<Row> {
        let file = self.file("import.jsonl");
        let mut body = String::new();
        for (i, s) in lines.iter().enumerate() {
            let _ = writeln!(
                body,
                "{}",
                serde_json::json!({
                    "doctor": s.doctor, "date": s.date.to_string(), "time": s.time,
                    "phone": format!("+50363{i:06}"), "name": format!("Paciente Importado {i}"),
                    "source": "web", "external_ref": format!("bench-import-{i}"),
                })
            );
        }
        fs::write(&file, body).map_err(err)?;
        let f = file.to_string_lossy().into_owned();
        let r = measure_ok(
            self.appt_args(&["import", &f, "--json"]),
            &self.file("import.out"),
        )?;
        let summary: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(self.file("import.out")).map_err(err)?)
                .map_err(err)?;
        if summary["booked"].as_u64() != Some(lines.len() as u64) {
            return Err(format!("import did not book every line: {summary}"));
        }
        let rate = lines.len() as f64 / r.secs;
        let floor = self.insert_floor(lines.len(), 1)?;
        // appt commits every 2 seconds so that a desk can book meanwhile:
        // the same rows committed as often show what those commits cost.
        let commits = (r.secs / appt::app::import::BATCH_TIME.as_secs_f64())
            .ceil()
            .max(1.0) as usize;
        let floor_commits = self.insert_floor(lines.len(), commits)?;
        eprintln!(
            "  import: appt {}, the floor {} in one transaction, {} in {commits} \
             ({:.2}× and {:.2}×)",
            ms(r.secs),
            ms(floor),
            ms(floor_commits),
            r.secs / floor,
            r.secs / floor_commits
        );
        let goal = if self.engine.pg() { 3.0 } else { 1.3 };
        Ok(Row {
            figure: format!("import ({} lines)", lines.len()),
            appt: format!("{} ({rate:.0} lines/s)", ms(r.secs)),
            reference: format!(
                "{} ({:.0} lines/s, rows only); committed as often as appt \
                 ({commits} transactions): {}, appt {:.2}× that",
                ms(floor),
                lines.len() as f64 / floor,
                ms(floor_commits),
                r.secs / floor_commits
            ),
            ratio: Some(r.secs / floor),
            rss_kb: r.rss_kb,
            // The floor of this schema (random v4 keys, a durable commit) is
            // the goal's measure: 20,000 lines a second sat above it.
            goal: format!("≤ {goal}× the floor (rows only)"),
            met: Some(r.secs / floor <= goal),
        })
    }

    /// The floor under `import`: the reference client inserting, for `n`
    /// lines, exactly the rows appt's import wrote for one line (a patient,
    /// the appointment, its reminders and notices, its events), with fresh
    /// random v4 keys, in `transactions` durable transactions of as many
    /// lines each (synchronous=FULL on SQLite), no rule checked. Seconds;
    /// the rows are deleted afterwards.
    fn insert_floor(&self, n: usize, transactions: usize) -> Res<f64> {
        let e = self.engine;
        // On SQLite, with SQLite's own page cache and temporary store, as
        // appt's import keeps them (src/app/import.rs): the same means.
        let (phone, setup, begin) = if e.pg() {
            ("'+50398' || lpad(f.n::text, 6, '0')", "", "BEGIN")
        } else {
            (
                "'+50398' || printf('%06d', f.n)",
                "PRAGMA synchronous=FULL;",
                "BEGIN IMMEDIATE",
            )
        };
        // A message's, an appointment's and a patient's ID are kept as their
        // 16 bytes.
        let message_id = if e.pg() {
            "gen_random_uuid()"
        } else {
            "randomblob(16)"
        };
        let one = "(SELECT id FROM appointments WHERE external_reference_id = 'bench-import-0')";
        let now = now().timestamp();
        let pending = MessageStatus::Pending.code();
        // The keys are drawn before the first transaction, in a temporary
        // table (not in the file); each transaction writes its share.
        let mut sql = format!(
            "{setup} CREATE TEMP TABLE floor_ids AS SELECT s.id AS src, {message_id} AS aid, {message_id} AS pid, \
               row_number() OVER () AS n FROM (SELECT id FROM appointments ORDER BY starts_at DESC LIMIT {n}) s; "
        );
        let (scheduled, web) = (Status::Scheduled.code(), source("web"));
        let each = n.div_ceil(transactions.max(1));
        for (lo, hi) in (0..n)
            .step_by(each.max(1))
            .map(|lo| (lo, (lo + each).min(n)))
        {
            let f = format!("floor_ids f WHERE f.n > {lo} AND f.n <= {hi}");
            let _ = write!(
                sql,
                "{begin}; \
                 INSERT INTO patients (id, full_name, name_key, phone, created_at, updated_at) \
                   SELECT f.pid, 'Paciente Referencia ' || f.n, 'paciente referencia ' || f.n, {phone}, {now}, {now} \
                   FROM {f}; \
                 INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, service_id, local_date, \
                   starts_at, ends_at, duration_minutes, status, token_number, source, external_reference_id, \
                   created_at, updated_at) \
                   SELECT f.aid, a.clinic_id, a.doctor_id, a.window_id, f.pid, a.service_id, a.local_date, \
                   a.starts_at, a.ends_at, a.duration_minutes, {scheduled}, 0, {web}, 'bench-floor-' || f.n, {now}, {now} \
                   FROM floor_ids f JOIN appointments a ON a.id = f.src WHERE f.n > {lo} AND f.n <= {hi}; \
                 INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, kind, data, created_at, updated_at) \
                   SELECT {message_id}, f.aid, r.offset_minutes, r.due_at, {pending}, r.kind, r.data, {now}, {now} \
                   FROM (SELECT offset_minutes, due_at, kind, data FROM reminders WHERE appointment_id = {one}) r, {f}; \
                 INSERT INTO events (type, appointment_id, created_at, data) \
                   SELECT v.type, f.aid, {now}, v.data \
                   FROM (SELECT type, data FROM events WHERE appointment_id = {one}) v, {f}; \
                 COMMIT; "
            );
        }
        let r = measure_ok(e.reference(&sql), &self.file("ref.out"))?;
        e.exec(
            "DELETE FROM events WHERE appointment_id IN \
               (SELECT id FROM appointments WHERE external_reference_id LIKE 'bench-floor-%'); \
             DELETE FROM reminders WHERE appointment_id IN \
               (SELECT id FROM appointments WHERE external_reference_id LIKE 'bench-floor-%'); \
             DELETE FROM appointments WHERE external_reference_id LIKE 'bench-floor-%'; \
             DELETE FROM patients WHERE full_name LIKE 'Paciente Referencia %';",
        )?;
        Ok(r.secs)
    }

    /// One process booking K slots, then 8 at once (pairs racing for some
    /// slots): bookings per second, refusals, errors, and no double booking.
    fn concurrency(&self, pool: &mut dyn Iterator<Item = Slot>) -> Res<Row> {
        let k = PER_PROCESS;
        let shared = k / 4;
        let single: Vec<Slot> = (&mut *pool).take(k).collect();
        let own: Vec<Vec<Slot>> = (0..PROCESSES)
            .map(|_| (&mut *pool).take(k - shared).collect())
            .collect();
        let contested: Vec<Vec<Slot>> = (0..PROCESSES / 2)
            .map(|_| (&mut *pool).take(shared).collect())
            .collect();
        if single.len() < k || contested.last().is_none_or(|c| c.len() < shared) {
            return Err("not enough free slots for the concurrency figure".into());
        }
        let db = self.engine.db();
        let book = |s: &Slot, phone: String, out: &Path| -> Res<i32> {
            let mut cmd = appt(&db);
            cmd.args(s.book_args(&phone, "Paciente Concurrente"));
            let r = measure(cmd, out)?;
            if r.code == 4 {
                let e = fs::read_to_string(out.with_extension("err")).unwrap_or_default();
                if !(e.contains("APPOINTMENT_CONFLICT") || e.contains("SLOT_FULL")) {
                    return Err(format!("book refused unexpectedly: {}", e.trim()));
                }
            } else if r.code != 0 {
                let e = fs::read_to_string(out.with_extension("err")).unwrap_or_default();
                return Err(format!("book exited {}: {}", r.code, e.trim()));
            }
            Ok(r.code)
        };
        let t = Instant::now();
        for (i, s) in single.iter().enumerate() {
            book(s, format!("+50364{i:06}"), &self.file("conc-1.out"))?;
        }
        let one = k as f64 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        let results: Vec<Res<(usize, usize)>> = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..PROCESSES)
                .map(|w| {
                    let mut mine = own[w].clone();
                    // Contested slots interleaved, in the same order for both racers.
                    for (j, s) in contested[w / 2].iter().enumerate() {
                        mine.insert((j * 4).min(mine.len()), s.clone());
                    }
                    let out = self.file(&format!("conc-{w}.out"));
                    let book = &book;
                    sc.spawn(move || {
                        let (mut ok, mut refused) = (0, 0);
                        for (i, s) in mine.iter().enumerate() {
                            match book(s, format!("+50365{w}{i:05}"), &out)? {
                                0 => ok += 1,
                                _ => refused += 1,
                            }
                        }
                        Ok((ok, refused))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("a worker panicked".into())))
                .collect()
        });
        let secs = t.elapsed().as_secs_f64();
        let (mut ok, mut refused) = (0, 0);
        for r in results {
            let (o, f) = r?;
            ok += o;
            refused += f;
        }
        let many = (ok + refused) as f64 / secs;
        let expected = PROCESSES * (k - shared) + (PROCESSES / 2) * shared;
        if ok != expected {
            return Err(format!(
                "{ok} bookings succeeded, expected {expected} (one per distinct slot)"
            ));
        }
        // No double booking: no two active appointments of a doctor overlap on these days.
        let mut days: Vec<String> = own
            .iter()
            .chain(contested.iter())
            .flatten()
            .map(|s| day_no(s.date).to_string())
            .collect();
        days.sort();
        days.dedup();
        let overlaps = self.engine.count(&format!(
            "SELECT count(*) FROM appointments a JOIN appointments b ON b.doctor_id = a.doctor_id \
             AND b.id > a.id AND b.starts_at < a.ends_at AND a.starts_at < b.ends_at \
             WHERE a.local_date IN ({d}) AND b.local_date IN ({d}) \
             AND a.status IN {ACTIVE} AND b.status IN {ACTIVE}",
            d = days.join(",")
        ))?;
        if overlaps > 0 {
            return Err(format!(
                "{overlaps} double bookings after the concurrent run"
            ));
        }
        Ok(Row {
            figure: format!("{PROCESSES} processes booking at once"),
            appt: format!(
                "{many:.1}/s ({ok} booked, {refused} refused as taken, 0 errors, 0 double)"
            ),
            reference: format!("{one:.1}/s (1 process)"),
            ratio: Some(many / one),
            rss_kb: 0,
            goal: "≥ 0.7× one process".into(),
            met: Some(many / one >= 0.7),
        })
    }
}

// ----------------------------------------------------------------- HTTP API

/// `appt serve` on the bench's database: the release binary, its `--threads`
/// default, a free port; its request log goes to a file.
impl Bench<'_> {
    /// `book --repeat weekly --count 52`: a doctor added to the first clinic
    /// for it (so every week is free; the million appointments, their
    /// indexes and the other doctors are all still there), each run at
    /// another time, beside the reference client inserting 52 appointments
    /// in one transaction.
    fn series(&self, begin: &str) -> Res<Row> {
        let p = self.plan;
        let e = self.engine;
        let doctor = format!("Dr. Serie {}", std::process::id());
        run_ok(self.appt_args(&["doctor", "add", &doctor]))?;
        run_ok(self.appt_args(&[
            "--clinic",
            &p.clinic,
            "window",
            "add",
            "--doctor",
            &doctor,
            "--days",
            "mon-fri",
            "--from",
            "08:00",
            "--to",
            "12:00",
            "--slot-minutes",
            "15",
        ]))?;
        let first = now().date_naive() + Duration::days(7);
        let template = format!(
            "SELECT 'x', clinic_id, doctor_id, window_id, patient_id, service_id, local_date, starts_at, ends_at, \
             duration_minutes, {}, 0, source, created_at, updated_at FROM appointments WHERE id = {}",
            Status::Cancelled.code(),
            self.engine.id_literal(&p.show_id)
        );
        let n = self.runs + 2;
        let (mut a, mut r) = (Vec::new(), Vec::new());
        for i in 0..n {
            // 16 times a morning, then the next weekday.
            let mut date = first + Duration::days((i / 16) as i64);
            while !is_weekday(date) {
                date += Duration::days(1);
            }
            let m = 8 * 60 + 15 * (i % 16) as i64;
            let time = format!("{:02}:{:02}", m / 60, m % 60);
            let phone = format!("+50363{i:06}");
            let x = measure_ok(
                self.appt_args(&[
                    "book",
                    "--doctor",
                    &doctor,
                    "--date",
                    &date.to_string(),
                    "--time",
                    &time,
                    "--phone",
                    &phone,
                    "--name",
                    "Paciente Serie",
                    "--repeat",
                    "weekly",
                    "--count",
                    "52",
                    "--json",
                ]),
                &self.file("appt.out"),
            )?;
            let out = fs::read_to_string(self.file("appt.out")).map_err(err)?;
            let booked: serde_json::Value = serde_json::from_str(&out).map_err(err)?;
            let count = booked["appointments"].as_array().map_or(0, Vec::len);
            if count != 52 {
                return Err(format!("the series booked {count} of 52: {}", short(&out)));
            }
            let inserts: String = (0..52)
                .map(|k| {
                    format!(
                        "INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, service_id, \
                         local_date, starts_at, ends_at, duration_minutes, status, token_number, source, created_at, \
                         updated_at) {}; ",
                        template.replacen("'x'", &e.id_literal(&reference_id(1 << 20 | i << 8 | k)), 1)
                    )
                })
                .collect();
            let y = measure_ok(
                e.reference(&format!("{begin}; {inserts}COMMIT;")),
                &self.file("ref.out"),
            )?;
            if i >= 2 {
                a.push(x.secs);
                r.push(y.secs);
            }
        }
        let _ = e.exec(&delete_references(e));
        let (appt, reference) = (median(&mut a), median(&mut r));
        Ok(Row {
            figure: "book --repeat weekly --count 52 (a 52-week series)".into(),
            appt: ms(appt),
            reference: format!("{} (52 inserts, one transaction)", ms(reference)),
            ratio: Some(appt / reference),
            rss_kb: 0,
            goal: "< 100 ms".into(),
            met: Some(appt < 0.1),
        })
    }
}

struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    fn start(engine: &Engine, log: &Path) -> Res<Server> {
        Server::start_on(&engine.db(), &[], log)
    }

    /// `appt serve` on `db`, with `extra` flags after the others.
    fn start_on(db: &str, extra: &[&str], log: &Path) -> Res<Server> {
        use std::io::BufRead;
        let mut cmd = appt(db);
        // wrk's clients all come from 127.0.0.1, a clinic's patients from
        // as many addresses: past 64 connections from one address (the
        // default) the server closes them at once, and the booking page's
        // 100 clients measured refused connections (issue 63's limit).
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--json"]);
        cmd.args(["--max-connections-per-address", "1024"]);
        cmd.args(extra);
        if let Some(n) = serve_threads() {
            cmd.args(["--threads", &n.to_string()]);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(log).map_err(err)?);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start appt serve: {e}"))?;
        let mut first = String::new();
        let read = child.stdout.take().map(|out| {
            let mut out = std::io::BufReader::new(out);
            out.read_line(&mut first)
        });
        let url = serde_json::from_str::<serde_json::Value>(&first)
            .ok()
            .and_then(|v| v["url"].as_str().map(str::to_string));
        let mut server = Server {
            child,
            url: String::new(),
        };
        match (read, url) {
            (Some(Ok(_)), Some(url)) => {
                server.url = url;
                Ok(server)
            }
            _ => {
                drop(server);
                let log = fs::read_to_string(log).unwrap_or_default();
                Err(format!(
                    "appt serve did not say where it listens ({:?}): {}",
                    first.trim(),
                    log.trim()
                ))
            }
        }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// A line of /proc/PID/status in kB: `VmRSS` (resident now) or `VmHWM`
    /// (the peak).
    fn memory_kb(&self, field: &str) -> Res<i64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid())).map_err(err)?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no {field} in /proc/{}/status", self.pid()))
    }

    /// SIGTERM, as a service manager stops it: it must exit 0 within its
    /// drain time.
    fn stop(mut self) -> Res<()> {
        // SAFETY: signals our own child, which has not been reaped yet.
        unsafe { libc::kill(self.pid(), libc::SIGTERM) };
        let t = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().map_err(err)? {
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!("appt serve exited {status} on SIGTERM"))
                };
            }
            if t.elapsed().as_secs() > 15 {
                return Err("appt serve did not stop within 15 s of SIGTERM".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What benches/wrk/report.lua says of a run.
struct WrkResult {
    requests: u64,
    seconds: f64,
    p50_us: u64,
    p99_us: u64,
    max_us: u64,
    /// Socket errors and timeouts.
    errors: u64,
    non2xx: u64,
    /// `201:N,409:N`, or `-` when only non-2xx were counted.
    statuses: String,
}

impl WrkResult {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    fn status(&self, code: u16) -> u64 {
        self.statuses
            .split(',')
            .filter_map(|p| p.split_once(':'))
            .find(|(c, _)| c.parse() == Ok(code))
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or(0)
    }

    fn parse(out: &str) -> Res<WrkResult> {
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix("wrk-result "))
            .ok_or_else(|| format!("wrk printed no result: {}", short(out.trim())))?;
        let field = |name: &str| -> Res<&str> {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("no {name} in wrk's result: {line}"))
        };
        let num = |name: &str| -> Res<u64> { field(name)?.parse().map_err(err) };
        Ok(WrkResult {
            requests: num("requests")?,
            seconds: field("seconds")?.parse().map_err(err)?,
            p50_us: num("p50_us")?,
            p99_us: num("p99_us")?,
            max_us: num("max_us")?,
            errors: num("errors")?,
            non2xx: num("non2xx")?,
            statuses: field("statuses")?.to_string(),
        })
    }
}

/// `wrk -t2 -cCONNECTIONS -dSECSs --latency` with the token (if any),
/// one of benches/wrk/'s scripts, the URL and the script's arguments; and
/// the same command line as the docs show it (the token left out).
fn wrk(
    secs: u64,
    connections: usize,
    token: Option<&str>,
    script: &str,
    url: &str,
    args: &[&str],
) -> (Command, String) {
    let headers: Vec<String> = token
        .map(|t| format!("Authorization: Bearer {t}"))
        .into_iter()
        .collect();
    wrk_with(secs, connections, &headers, script, url, args)
}

/// One wrk run of an HTTP figure, printed and made a row of its table:
/// `goal` a p99 in microseconds (every answer under 400 besides), else
/// `beside` says why the row has none.
fn wrk_row(
    figure: &str,
    secs: u64,
    (cmd, shown): (Command, String),
    server: &Server,
    goal: Option<u64>,
    beside: &str,
) -> Res<HttpRow> {
    eprintln!("  {shown}");
    let r = run_wrk(cmd)?;
    let peak = server.memory_kb("VmHWM")?;
    eprintln!(
        "  {figure}: {:.0}/s, p50 {}, p99 {}, max {}",
        r.rate(),
        us(r.p50_us),
        us(r.p99_us),
        us(r.max_us)
    );
    let clean = r.non2xx == 0 && r.errors == 0;
    Ok(HttpRow {
        figure: format!("{figure} ({secs} s)"),
        rate: format!("{:.0}", r.rate()),
        latency: [r.p50_us, r.p99_us, r.max_us].map(us),
        answers: format!(
            "{} answered; {} over 399, {} socket errors",
            r.requests - r.non2xx,
            r.non2xx,
            r.errors
        ),
        memory: format!("{} peak", mb(peak)),
        goal: goal.map_or(beside.to_string(), |g| {
            format!("p99 < {} ms, every answer under 400", g as f64 / 1000.0)
        }),
        met: goal.map(|g| clean && r.p99_us < g),
    })
}

/// [`wrk`] with these request headers (a secret one shown by its name alone).
fn wrk_with(
    secs: u64,
    connections: usize,
    headers: &[String],
    script: &str,
    url: &str,
    args: &[&str],
) -> (Command, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/wrk");
    let mut c = Command::new("wrk");
    let common = [
        format!("-t{}", WRK_THREADS.min(connections)),
        format!("-c{connections}"),
        format!("-d{secs}s"),
        "--latency".into(),
    ];
    c.args(&common);
    let mut shown = format!("wrk {}", common.join(" "));
    for h in headers {
        c.arg("-H").arg(h);
        let name = h.split(':').next().unwrap_or(h);
        match name {
            "Authorization" => {
                let scheme = h.split_whitespace().nth(1).unwrap_or("");
                let _ = write!(shown, " -H 'Authorization: {scheme} TOKEN'");
            }
            _ => {
                let _ = write!(shown, " -H '{h}'");
            }
        }
    }
    c.arg("-s").arg(dir.join(script)).arg(url);
    let _ = write!(shown, " -s benches/wrk/{script} '{url}'");
    if !args.is_empty() {
        c.arg("--").args(args);
        shown.push_str(" -- ");
        shown.push_str(&args.join(" "));
    }
    c.stdin(Stdio::null());
    (c, shown)
}

/// Runs wrk to the end; its result.
fn run_wrk(mut c: Command) -> Res<WrkResult> {
    let o = c
        .output()
        .map_err(|e| format!("cannot run wrk (the Debian package wrk): {e}"))?;
    let out = String::from_utf8_lossy(&o.stdout);
    if !o.status.success() {
        return Err(format!(
            "wrk exited {}: {} {}",
            o.status,
            out.trim(),
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    WrkResult::parse(&out)
}

/// One line of the HTTP table.
struct HttpRow {
    figure: String,
    rate: String,
    /// p50, p99, max.
    latency: [String; 3],
    answers: String,
    memory: String,
    goal: String,
    /// None for a figure shown beside the others, with no goal of its own.
    met: Option<bool>,
}

/// The HTTP figures, and the machine's load average around them (the load
/// generator shares the cores with the server and whatever else runs).
struct HttpFigures {
    /// What the table shows: "HTTP API", "booking page".
    title: String,
    /// wrk's keep-alive connections.
    connections: usize,
    rows: Vec<HttpRow>,
    load: String,
}

fn us(v: u64) -> String {
    if v >= 10_000 {
        format!("{:.0} ms", v as f64 / 1000.0)
    } else {
        format!("{:.1} ms", v as f64 / 1000.0)
    }
}

fn mb(kb: i64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

impl Bench<'_> {
    /// The HTTP figures (docs/performance.md#http-api): `appt serve` on the
    /// database, a token made with `appt token add`, then wrk over 8
    /// keep-alive connections: `GET /v1/slots` for
    /// `APPT_BENCH_HTTP_SECONDS` (default 60), the server's VmRSS sampled 1 s
    /// in, half-way and 1 s before the end; then `POST /v1/appointments`
    /// for a third of that, every request a new patient booking a free
    /// time. Each booking must be one appointment, and none may overlap.
    fn http(&self, free: &[Slot]) -> Res<HttpFigures> {
        let secs: u64 = env_or("APPT_BENCH_HTTP_SECONDS", 60).max(3);
        let book_secs = (secs / 3).max(2);
        let e = self.engine;
        let p = self.plan;
        let load_before = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load_before = load_before.split_whitespace().next().unwrap_or("?");
        let made = run_ok({
            let mut c = self.appt();
            c.args([
                "token",
                "add",
                "bench-http",
                "--scopes",
                "appointments:read,appointments:write",
                "--json",
            ]);
            c
        })?;
        let token = serde_json::from_str::<serde_json::Value>(&made)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_string))
            .ok_or_else(|| format!("appt token add printed no token: {}", short(&made)))?;
        let server = Server::start(e, &self.file("serve.err"))?;
        let slots_url = format!("{}/v1/slots?doctor={}&date={}", server.url, p.doctor, p.day);
        // Warm-up: every worker's connection opened, the pages read.
        run_wrk(
            wrk(
                3,
                WRK_CONNECTIONS,
                Some(&token),
                "report.lua",
                &slots_url,
                &[],
            )
            .0,
        )?;

        let (cmd, shown) = wrk(
            secs,
            WRK_CONNECTIONS,
            Some(&token),
            "report.lua",
            &slots_url,
            &[],
        );
        eprintln!("  {shown}");
        let run = self.file("wrk-slots.out");
        let mut child = {
            let mut cmd = cmd;
            cmd.stdout(File::create(&run).map_err(err)?)
                .spawn()
                .map_err(|e| format!("cannot run wrk (the Debian package wrk): {e}"))?
        };
        let t = Instant::now();
        let mut rss = Vec::new();
        for at in [1.0, secs as f64 / 2.0, secs as f64 - 1.0] {
            let wait = at - t.elapsed().as_secs_f64();
            if wait > 0.0 {
                std::thread::sleep(std::time::Duration::from_secs_f64(wait));
            }
            rss.push(server.memory_kb("VmRSS")?);
        }
        let status = child.wait().map_err(err)?;
        let out = fs::read_to_string(&run).map_err(err)?;
        if !status.success() {
            return Err(format!("wrk exited {status}: {}", short(out.trim())));
        }
        let slots = WrkResult::parse(&out)?;
        let peak_slots = server.memory_kb("VmHWM")?;
        eprintln!(
            "  GET /v1/slots: {:.0}/s, p50 {}, p99 {}, max {}; VmRSS {:?} kB",
            slots.rate(),
            us(slots.p50_us),
            us(slots.p99_us),
            us(slots.max_us),
            rss
        );

        // Bookings: a free time and a new patient each.
        let list = self.file("http-slots.txt");
        let mut text = String::new();
        for (i, s) in free.iter().enumerate() {
            let _ = writeln!(
                text,
                "{} {} {} {HTTP_PHONES}{i:06}",
                s.doctor, s.date, s.time
            );
        }
        fs::write(&list, text).map_err(err)?;
        let by_api = format!(
            "SELECT count(*) FROM appointments WHERE source = {}",
            source("api")
        );
        let api_before = e.count(&by_api)?;
        let threads = WRK_THREADS.to_string();
        let list_arg = list.to_string_lossy().into_owned();
        let book_url = format!("{}/v1/appointments", server.url);
        let (cmd, shown) = wrk(
            book_secs,
            WRK_CONNECTIONS,
            Some(&token),
            "book.lua",
            &book_url,
            &[&list_arg, &threads],
        );
        eprintln!("  {shown}");
        let book = run_wrk(cmd)?;
        let peak = server.memory_kb("VmHWM")?;
        server.stop()?;
        let booked = e.count(&by_api)? - api_before;
        let created = book.status(201);
        eprintln!(
            "  POST /v1/appointments: {:.0}/s, p50 {}, p99 {}, max {}; statuses {}; {booked} booked",
            book.rate(),
            us(book.p50_us),
            us(book.p99_us),
            us(book.max_us),
            book.statuses
        );
        // wrk stops counting at the end of the run: the requests then in
        // flight still book (one a connection at most).
        if booked < created as i64 || booked > (created + WRK_CONNECTIONS as u64) as i64 {
            return Err(format!(
                "wrk saw {created} bookings answered 201, the database holds {booked} new ones"
            ));
        }
        if created as usize + WRK_CONNECTIONS >= free.len() {
            eprintln!(
                "warning: the booking run used up its {} free slots: its rate is too low",
                free.len()
            );
        }
        let mut days: Vec<String> = free[..(booked as usize).min(free.len())]
            .iter()
            .map(|s| day_no(s.date).to_string())
            .collect();
        days.sort();
        days.dedup();
        let overlaps = if days.is_empty() {
            0
        } else {
            e.count(&format!(
                "SELECT count(*) FROM appointments a JOIN appointments b ON b.doctor_id = a.doctor_id \
                 AND b.id > a.id AND b.starts_at < a.ends_at AND a.starts_at < b.ends_at \
                 WHERE a.local_date IN ({d}) AND b.local_date IN ({d}) \
                 AND a.status IN {ACTIVE} AND b.status IN {ACTIVE}",
                d = days.join(",")
            ))?
        };
        if overlaps > 0 {
            return Err(format!(
                "{overlaps} double bookings after the HTTP bookings"
            ));
        }

        let answers = |r: &WrkResult| {
            let shown = if r.statuses == "-" {
                format!("{} × 2xx", r.requests - r.non2xx)
            } else {
                r.statuses.replace(',', ", ").replace(':', " × ")
            };
            format!("{shown}; {} non-2xx, {} socket errors", r.non2xx, r.errors)
        };
        let growth = rss[2] - rss[0];
        let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load = load.split_whitespace().next().unwrap_or("?");
        Ok(HttpFigures {
            rows: vec![
                HttpRow {
                    figure: format!("GET /v1/slots?doctor&date ({secs} s)"),
                    rate: format!("{:.0}", slots.rate()),
                    latency: [slots.p50_us, slots.p99_us, slots.max_us].map(us),
                    answers: answers(&slots),
                    memory: format!("{} peak", mb(peak_slots)),
                    goal: "≥ 2000 req/s, p99 < 10 ms".into(),
                    met: Some(
                        slots.rate() >= 2000.0
                            && slots.p99_us < 10_000
                            && slots.non2xx == 0
                            && slots.errors == 0,
                    ),
                },
                HttpRow {
                    figure: format!("server memory over those {secs} s"),
                    rate: "—".into(),
                    latency: ["—".into(), "—".into(), "—".into()],
                    answers: format!(
                        "VmRSS at {} s",
                        [1, secs / 2, secs - 1].map(|s| s.to_string()).join(", ")
                    ),
                    memory: format!(
                        "{} → {} → {} ({}{})",
                        mb(rss[0]),
                        mb(rss[1]),
                        mb(rss[2]),
                        if growth >= 0 { "+" } else { "−" },
                        mb(growth.abs())
                    ),
                    goal: "flat: grows < 1 MB".into(),
                    met: Some(growth < 1024),
                },
                HttpRow {
                    figure: format!("POST /v1/appointments, new bookings ({book_secs} s)"),
                    rate: format!("{:.0}", book.rate()),
                    latency: [book.p50_us, book.p99_us, book.max_us].map(us),
                    answers: format!("{}; {booked} booked, 0 double", answers(&book)),
                    memory: format!("{} peak", mb(peak)),
                    goal: "p99 < 50 ms, every answer 201".into(),
                    met: Some(book.p99_us < 50_000 && book.non2xx == 0 && book.errors == 0),
                },
            ],
            title: "HTTP API".into(),
            connections: WRK_CONNECTIONS,
            load: format!("{load_before} before, {load} after"),
        })
    }
}

/// `APPT_BENCH_SERVE_THREADS`: appt serve's `--threads`, when not its default.
fn serve_threads() -> Option<usize> {
    let v = std::env::var("APPT_BENCH_SERVE_THREADS").ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        // A typo would measure the default under another name.
        Err(_) => {
            eprintln!("error: APPT_BENCH_SERVE_THREADS={v:?} is not a number of workers");
            std::process::exit(2);
        }
    }
}

/// The HTTP figures, as the figures' table shows its own.
fn print_http_table(engine: &str, f: &HttpFigures) {
    let threads = serve_threads().map_or(String::new(), |n| format!(" --threads {n}"));
    println!(
        "\n### {engine}: {} (appt serve{threads}, wrk -t{WRK_THREADS} -c{}, keep-alive; load average {})\n",
        f.title, f.connections, f.load
    );
    println!("| figure | requests/s | p50 | p99 | max | answers | server RSS | goal | met |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &f.rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.figure,
            r.rate,
            r.latency[0],
            r.latency[1],
            r.latency[2],
            r.answers,
            r.memory,
            r.goal,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            }
        );
    }
}

/// The front-desk figures, whose cost must not grow with the group.
const FRONT_DESK: [&str; 12] = [
    "list --date (all clinics)",
    "list --date --clinic",
    "list --date --clinic --status",
    "list --date --doctor",
    "list --date --clinic --source",
    "agenda --date",
    "slots --doctor --date",
    "show ID",
    "count",
    "count --clinic",
    "patient list --search",
    "next",
];

/// The arguments of appt for a front-desk figure ([`FRONT_DESK`]) on the
/// plan's clinic, doctor, day and appointment.
fn front_desk_args(p: &Plan, figure: &str) -> Vec<String> {
    let day = p.day.to_string();
    let clinic = ["--clinic", p.clinic.as_str()];
    let v: Vec<&str> = match figure {
        "list --date (all clinics)" => vec!["list", "--date", &day],
        "list --date --clinic" => [&clinic[..], &["list", "--date", &day]].concat(),
        "list --date --clinic --status" => [
            &clinic[..],
            &["list", "--date", &day, "--status", "confirmed"],
        ]
        .concat(),
        "list --date --doctor" => vec!["list", "--date", &day, "--doctor", &p.doctor],
        "list --date --clinic --source" => [
            &clinic[..],
            &["list", "--date", &day, "--source", "whatsapp"],
        ]
        .concat(),
        "agenda --date" => [&clinic[..], &["agenda", "--date", &day]].concat(),
        "slots --doctor --date" => vec!["slots", "--doctor", &p.doctor, "--date", &day],
        "show ID" => vec!["show", &p.show_id],
        "count" => vec!["count"],
        "count --clinic" => [&clinic[..], &["count"]].concat(),
        "patient list --search" => vec!["patient", "list", "--search", "garcia"],
        "next" => [&clinic[..], &["next"]].concat(),
        _ => unreachable!("{figure} is no front-desk figure"),
    };
    v.into_iter()
        .map(String::from)
        .chain(["--json".into()])
        .collect()
}

fn print_table(engine: &str, reference: &str, p: &Plan, rows: &[Row]) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "\n### {engine}: {} appointments, {} patients, {} reminders, {} events ({cores} cores)\n",
        p.appointments, p.patients, p.reminders, p.events
    );
    println!(
        "| figure | appt (median) | {reference} (median) | ratio | appt peak RSS | goal | met |"
    );
    println!("|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.figure,
            r.appt,
            r.reference,
            r.ratio.map_or("—".into(), |x| format!("{x:.2}×")),
            if r.rss_kb > 0 {
                format!("{:.1} MB", r.rss_kb as f64 / 1024.0)
            } else {
                "—".into()
            },
            r.goal,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            }
        );
    }
}

// ----------------------------------------------------------------- the board

/// The board figures' clock (docs/performance.md#board): Saturday 12 July
/// 2025, 10:00 at the clinics, the Saturday after `NOW`. No weekly window
/// opens on a Saturday, so that day is made the busiest a board of this data
/// can show: each of the 50 doctors gets two date windows at the first
/// clinic (08:00–12:00, 13:00–17:00, 15-minute slots), nine slots in ten
/// are booked through `appt import`, and the morning is moved along
/// through `appt status`'s use case (see `board_day`). The day before is a
/// weekday of the generated data (25 doctors).
const BOARD_NOW: &str = "2025-07-12T16:00:00Z";
const BOARD_FILL: f64 = 0.9;
/// The day's messages: a reminder sent to this many of its visits.
const BOARD_MESSAGES: usize = 1_000;
/// Timed redraws of each size, after 20 untimed ones.
const BOARD_DRAWS: usize = 200;
/// The board's terminal in the figures that press keys.
const BOARD_SIZE: (u16, u16) = (120, 40);
/// What the idle board's connection calls itself on PostgreSQL, so that
/// its server backend can be found (and its CPU read).
const BOARD_APP_NAME: &str = "appt-bench-board";

fn board_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(BOARD_NOW)
        .expect("BOARD_NOW is RFC 3339")
        .with_timezone(&Utc)
}

/// A short duration, to the microsecond under a millisecond.
fn fine(secs: f64) -> String {
    if secs < 0.001 {
        format!("{:.0} µs", secs * 1e6)
    } else if secs < 0.01 {
        format!("{:.2} ms", secs * 1000.0)
    } else {
        ms(secs)
    }
}

/// The median and the 95th percentile of in-process timings.
#[derive(Clone, Copy)]
struct Spread {
    median: f64,
    p95: f64,
}

impl Spread {
    fn of(v: &mut [f64]) -> Spread {
        let median = median(v);
        let n = v.len();
        let p95 = if n == 0 {
            0.0
        } else {
            // `median` sorted them.
            v[((n as f64 * 0.95).ceil() as usize).clamp(1, n) - 1]
        };
        Spread { median, p95 }
    }

    fn show(&self) -> String {
        format!("{} (p95 {})", fine(self.median), fine(self.p95))
    }
}

/// A terminal that only counts the bytes it is sent: the board's frames go
/// through ratatui's crossterm backend, escape sequences and all, as they
/// would to a real one; only the write to a tty is left out.
struct Tty {
    area: Rect,
    shown: Buffer,
    backend: CrosstermBackend<Counted>,
    sent: Counted,
}

/// The bytes written, shared with whoever holds a clone.
#[derive(Default, Clone)]
struct Counted(std::rc::Rc<std::cell::Cell<usize>>);

impl std::io::Write for Counted {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + b.len());
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Tty {
    fn new((w, h): (u16, u16)) -> Tty {
        let area = Rect::new(0, 0, w, h);
        let sent = Counted::default();
        Tty {
            area,
            shown: Buffer::empty(area),
            backend: CrosstermBackend::new(sent.clone()),
            sent,
        }
    }

    /// One frame as `ratatui::Terminal::draw` makes it in the board's loop:
    /// the board drawn on a new buffer, then the cells that differ from the
    /// screen's sent (`full`: every cell, as on a blank screen after a
    /// resize). The bytes sent.
    fn frame(&mut self, board: &mut Board, full: bool) -> Res<usize> {
        let mut next = Buffer::empty(self.area);
        board.render(self.area, &mut next);
        if full {
            self.shown = Buffer::empty(self.area);
        }
        let before = self.sent.0.get();
        {
            let updates = self.shown.diff(&next);
            self.backend.draw(updates.into_iter()).map_err(err)?;
        }
        Backend::flush(&mut self.backend).map_err(err)?;
        self.shown = next;
        Ok(self.sent.0.get() - before)
    }
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::from(c)
}

/// Moves the board's cursor down its column, then on to the next column
/// from the top, until it rests on a scheduled appointment.
fn seek_scheduled(board: &mut Board) -> Res<()> {
    for _ in 0..100_000 {
        let (c, r) = board.cursor();
        let d = board.day();
        let scheduled = d.rows.get(r).is_some_and(|at| {
            matches!(d.cell(c, *at), Cell::Booked(list) if list[0].status == Status::Scheduled)
        });
        if scheduled {
            return Ok(());
        }
        board.key(key(KeyCode::Down));
        if board.cursor() == (c, r) {
            board.key(key(KeyCode::Right));
            board.key(key(KeyCode::Home));
            if board.cursor().0 == c {
                return Err("no scheduled appointment left on the board".into());
            }
        }
    }
    Err("no scheduled appointment found on the board".into())
}

/// `s` quoted for `sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// CPU seconds a process has used: its threads' (`schedstat`, in
/// nanoseconds) and its waited-for children's (`cutime` + `cstime` of
/// `stat`, in clock ticks; a child's own children are in them once reaped).
fn cpu_secs(pid: i32) -> Res<f64> {
    let mut ns: u64 = 0;
    for task in fs::read_dir(format!("/proc/{pid}/task")).map_err(err)? {
        let task = task.map_err(err)?;
        let text = fs::read_to_string(task.path().join("schedstat")).map_err(err)?;
        ns += text
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| format!("bad schedstat of {pid}: {text}"))?;
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).map_err(err)?;
    let after = stat.rfind(')').ok_or("bad /proc stat")? + 1;
    let f: Vec<&str> = stat[after..].split_whitespace().collect();
    // f[0] is field 3 (state): cutime is field 16, cstime 17.
    let tick = |i: usize| -> Res<u64> {
        f.get(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("bad /proc/{pid}/stat: {stat}"))
    };
    // SAFETY: sysconf only reads a constant of the system.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Ok(ns as f64 / 1e9 + (tick(13)? + tick(14)?) as f64 / hz)
}

/// The parent of a process.
fn parent(pid: i32) -> Res<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).map_err(err)?;
    let after = stat.rfind(')').ok_or("bad /proc stat")? + 1;
    stat[after..]
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("bad /proc/{pid}/stat: {stat}"))
}

/// A line of /proc/PID/status in kB (`VmHWM`: the peak resident memory).
fn status_kb(pid: i32, field: &str) -> Res<i64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).map_err(err)?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
}

/// A tmux server of the bench's own (its own socket, no configuration),
/// killed when dropped, with what it started.
struct Tmux {
    socket: String,
    started: std::cell::RefCell<Vec<i32>>,
}

impl Tmux {
    fn new() -> Tmux {
        Tmux {
            socket: format!("appt-bench-{}", std::process::id()),
            started: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn run(&self, args: &[&str]) -> Res<String> {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]).args(args);
        run_ok(c).map_err(|e| format!("{e} (tmux is the Debian package tmux)"))
    }

    /// A session `name` of `w`×`h` running `sh -c command`; its process ID.
    fn start(&self, name: &str, (w, h): (u16, u16), command: &str) -> Res<i32> {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            command,
        ])?;
        let pid = self
            .run(&["display-message", "-p", "-t", name, "#{pane_pid}"])?
            .trim()
            .parse()
            .map_err(err)?;
        self.started.borrow_mut().push(pid);
        Ok(pid)
    }

    /// Waits until the session's screen shows `text`.
    fn wait_for(&self, name: &str, text: &str, secs: u64) -> Res<()> {
        let t = Instant::now();
        loop {
            let screen = self.run(&["capture-pane", "-p", "-t", name])?;
            if screen.contains(text) {
                return Ok(());
            }
            if t.elapsed().as_secs() >= secs {
                return Err(format!(
                    "{name} did not show {text:?} within {secs} s: {}",
                    short(screen.trim())
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // A process still running is killed first: a crossterm program
        // whose terminal goes away can spin on it (crossterm-rs/crossterm#793)
        // rather than exit.
        for &pid in self.started.borrow().iter() {
            if Path::new(&format!("/proc/{pid}")).exists() {
                // SAFETY: signals a process this bench started.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(Stdio::null())
            .status();
    }
}

/// The board's day, once set up.
struct BoardDay {
    date: NaiveDate,
    now: DateTime<Utc>,
    doctors: usize,
    booked: usize,
}

impl Bench<'_> {
    /// appt at the board's clock.
    fn board_cmd(&self, args: &[&str]) -> Command {
        let mut c = self.appt_args(args);
        c.env("APPT_NOW", BOARD_NOW);
        c
    }

    /// Each step of `remind due` on its own (issue 69), timed in this
    /// process on the workload's store (no process to start, no output), the
    /// due reminders made due again before each run (untimed): the steps it
    /// runs before and after the sweep (`app::remind::BEFORE`, `AFTER`), the
    /// sweep delivering to nobody, and the clinics' retention counted as on
    /// a dry run (run for real it would delete the workload's ended visits).
    /// No reference: together they are the figure above less its process.
    fn remind_steps(&self, reset: &str, due: usize) -> Vec<(String, Res<Row>)> {
        use appt::app::{purge, remind};
        type Timed<'s> = Box<dyn Fn(&mut Store) -> Result<(), String> + 's>;
        let at = now();
        let request = remind::DueRequest::default();
        let step = |f: fn(&mut Store, DateTime<Utc>) -> appt::error::Result<()>| -> Timed {
            Box::new(move |st: &mut Store| f(st, at).map_err(err))
        };
        let mut steps: Vec<(String, Timed)> = remind::BEFORE
            .iter()
            .map(|(name, f)| (name.to_string(), step(*f)))
            .collect();
        steps.push((
            "messages swept".into(),
            Box::new(|st: &mut Store| {
                let tally = remind::sweep(st, &request, at, &mut |_, _, _| Ok(())).map_err(err)?;
                match tally.sent as usize == due {
                    true => Ok(()),
                    false => Err(format!(
                        "the sweep delivered {}, expected {due}",
                        tally.sent
                    )),
                }
            }),
        ));
        steps.push((
            "retention (counted)".into(),
            Box::new(move |st: &mut Store| purge::retain(st, at, true).map(|_| ()).map_err(err)),
        ));
        steps.extend(
            remind::AFTER
                .iter()
                .map(|(name, f)| (name.to_string(), step(*f))),
        );
        let mut st = match self.store() {
            Ok(st) => st,
            Err(e) => return vec![("remind due: its steps".into(), Err(e))],
        };
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); steps.len()];
        // One warm-up run, then the timed ones.
        for run in 0..=self.runs {
            if let Err(e) = self.engine.exec(reset) {
                return vec![("remind due: its steps".into(), Err(e))];
            }
            for (i, (name, f)) in steps.iter().enumerate() {
                let t = Instant::now();
                if let Err(e) = f(&mut st) {
                    return vec![(format!("remind due: {name}"), Err(e))];
                }
                if run > 0 {
                    times[i].push(t.elapsed().as_secs_f64());
                }
            }
        }
        steps
            .iter()
            .zip(times.iter_mut())
            .map(|((name, _), t)| {
                let figure = format!("remind due, one step: {name}");
                let row = Row {
                    figure: figure.clone(),
                    appt: ms(median(t)),
                    reference: "— (in process)".into(),
                    ratio: None,
                    rss_kb: 0,
                    goal: "—".into(),
                    met: None,
                };
                (figure, Ok(row))
            })
            .collect()
    }

    fn store(&self) -> Res<Store> {
        Store::open(Path::new(&self.engine.db()), Create::Never).map_err(err)
    }

    /// The board's figures: its day set up (untimed), then each figure.
    fn board(&self) -> Vec<(String, Res<Row>)> {
        let t = Instant::now();
        let day = match self.board_day() {
            Ok(d) => d,
            Err(e) => return vec![("board".into(), Err(format!("setting up its day: {e}")))],
        };
        eprintln!(
            "  (board: {} appointments of {} doctors on {} set up in {:.1} s)",
            day.booked,
            day.doctors,
            day.date,
            t.elapsed().as_secs_f64()
        );
        let mut out: Vec<(String, Res<Row>)> = Vec::new();
        let read = self.board_read(&day);
        let read_median = read.as_ref().ok().map(|(s, _)| s.median);
        out.push(("board read".into(), read.map(|(_, row)| row)));
        match self.open_board(&day) {
            Err(e) => out.push(("board".into(), Err(e))),
            Ok(mut board) => {
                for size in [BOARD_SIZE, (80, 24)] {
                    out.push((
                        format!("board redraw {}x{}", size.0, size.1),
                        self.board_redraw(&mut board, &day, size, read_median),
                    ));
                }
                out.push(("board key c".into(), self.board_confirm(&mut board, &day)));
                out.push(("board key x".into(), self.board_cancel(&mut board, &day)));
                out.push(("board key ]".into(), self.board_next_day(&mut board, &day)));
                out.push(("board live".into(), self.board_live(&mut board, &day)));
            }
        }
        out.push(("board idle".into(), self.board_idle(&day)));
        out
    }

    /// The Saturday of `BOARD_NOW` at the first clinic, made a 50-doctor day.
    fn board_day(&self) -> Res<BoardDay> {
        let e = self.engine;
        let p = self.plan;
        let now = board_now();
        // A clinic's and a doctor's ID are kept as their 16 bytes.
        let clinic_id = e.id_literal(&p.clinic_id);
        let tz: Tz = e
            .strings(&format!(
                "SELECT timezone FROM clinics WHERE id = {clinic_id}"
            ))?
            .first()
            .ok_or("no clinic")?
            .parse()
            .map_err(err)?;
        let date = now.with_timezone(&tz).date_naive();
        let day = date.to_string();
        // The appointments keep their local date as its day number.
        let day_n = day_no(date);
        let doctors = e.strings(&format!(
            "SELECT {} FROM doctors ORDER BY id",
            e.id_text("id")
        ))?;
        for d in &doctors {
            for (from, to, session) in [
                ("08:00", "12:00", "Morning"),
                ("13:00", "17:00", "Afternoon"),
            ] {
                run_ok(self.appt_args(&[
                    "--clinic",
                    &p.clinic,
                    "window",
                    "add",
                    "--doctor",
                    d,
                    "--date",
                    &day,
                    "--from",
                    from,
                    "--to",
                    to,
                    "--slot-minutes",
                    "15",
                    "--session",
                    session,
                ]))?;
            }
        }
        // Nine slots in ten, each for a patient of the data (no two the same).
        let mut rng = Rng(0xB0A2D);
        let mut lines = String::new();
        let mut booked = 0usize;
        for d in &doctors {
            for (_, m) in board_slots() {
                if rng.unit() >= BOARD_FILL {
                    continue;
                }
                let i = (booked as i64 * 7919 + 11) % p.patients.max(1);
                let _ = writeln!(
                    lines,
                    "{}",
                    serde_json::json!({
                        "doctor": d, "date": day, "time": format!("{:02}:{:02}", m / 60, m % 60),
                        "phone": format!("+503{}", 70_000_000 + i),
                        "source": rng.pick(&["manual", "phone", "whatsapp", "web"]),
                        "notify": false,
                    })
                );
                booked += 1;
            }
        }
        let file = self.file("board-import.jsonl");
        fs::write(&file, lines).map_err(err)?;
        let f = file.to_string_lossy().into_owned();
        // Booked that morning at 06:00, before the first slot.
        let early = board_time(instant_of(tz, date, 6 * 60));
        let summary = run_ok({
            let mut c = self.appt_args(&["--clinic", &p.clinic, "import", &f, "--json"]);
            c.env("APPT_NOW", &early);
            c
        })?;
        let summary: serde_json::Value = serde_json::from_str(&summary).map_err(err)?;
        if summary["booked"].as_u64() != Some(booked as u64) {
            return Err(format!(
                "the board's day did not book every line: {summary}"
            ));
        }
        // 10:00: the 09:30 visits in progress, the 09:45 ones arrived; in
        // the first four columns (the ones the screen shows) the visits
        // before 09:30 done, one in eight a no-show. Only there: at a
        // million appointments each of those takes a second or more on
        // SQLite (see `board_cancel`).
        let mut store = self.store()?;
        let shown: Vec<String> = board::day(
            &mut store,
            Some(&p.clinic),
            Some(date),
            now,
            board::Columns::Doctors,
        )
        .map_err(err)?
        .columns
        .iter()
        .take(4)
        .filter_map(|c| c.doctor.as_ref().map(|d| d.id.clone()))
        .collect();
        let actor = Actor::Board("bench".into());
        let midnight = instant_of(tz, date, 0).timestamp();
        let rows = e.table(&format!(
            "SELECT id, CAST(starts_at AS TEXT), {} FROM appointments \
             WHERE clinic_id = {clinic_id} AND local_date = {day_n} ORDER BY doctor_id, starts_at",
            e.id_text("doctor_id")
        ))?;
        let mut done = 0;
        for r in &rows {
            let at: i64 = r[1].parse().map_err(err)?;
            let (status, diagnosis) = match (at - midnight) / 60 {
                m if m < 9 * 60 + 30 && shown.contains(&r[2]) => {
                    done += 1;
                    if done % 8 == 0 {
                        ("no_show", None)
                    } else {
                        ("completed", Some("Evolución favorable".to_string()))
                    }
                }
                570 => ("in_progress", None),
                585 => ("checked_in", None),
                _ => continue,
            };
            let req = StatusRequest {
                id: r[0].clone(),
                status: status.into(),
                diagnosis,
                ..StatusRequest::default()
            };
            change::set_status(&mut store, &req, &actor, now)
                .map_err(|e| format!("{status} for {}: {e}", r[0]))?;
        }
        // The day's messages (issue 69): a reminder sent the day before
        // to BOARD_MESSAGES of its visits, through WhatsApp; the provider
        // said delivered for most, read for some (by the ID's first digit).
        e.exec(&format!(
            "INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, attempts, \
             sent_at, created_at, updated_at, kind, channel, provider_id, delivered_at, read_at) \
             SELECT {message_id}, id, 1440, starts_at - 86400, {sent}, 1, starts_at - 86400, \
             starts_at - 90000, starts_at - 86400, {reminder}, 'whatsapp', 'wamid.' || {text}, \
             CASE WHEN substr({text}, 1, 1) < 'c' THEN starts_at - 86340 END, \
             CASE WHEN substr({text}, 1, 1) < '6' THEN starts_at - 86000 END \
             FROM appointments WHERE clinic_id = {clinic_id} AND local_date = {day_n} \
             ORDER BY id LIMIT {BOARD_MESSAGES}",
            sent = MessageStatus::Sent.code(),
            reminder = MessageKind::Reminder.code(),
            // Each message's ID the 16 bytes of its visit's (a message's own
            // are kept so; unique among the messages as the visits' are).
            message_id = "id",
            text = e.id_text("id"),
        ))?;
        Ok(BoardDay {
            date,
            now,
            doctors: doctors.len(),
            booked,
        })
    }

    /// The board on its day, as `appt board` opens it.
    fn open_board(&self, day: &BoardDay) -> Res<Board> {
        let board = Board::open(Options {
            store: self.store()?,
            clinic: Some(self.plan.clinic.clone()),
            date: None,
            clock: Clock::Fixed(day.now),
            actor: Actor::Board("bench".into()),
            lang: Lang::En,
            color: true,
            key: None,
            by: board::Columns::Doctors,
            lock_after: None,
        })
        .map_err(err)?;
        let columns = board.day().columns.len();
        if columns != day.doctors || board.day().date != day.date {
            return Err(format!(
                "the board opened on {} with {columns} columns, not {} with {}",
                board.day().date,
                day.date,
                day.doctors
            ));
        }
        Ok(board)
    }

    /// Reading the day (`app::board::day`, what every key that changes
    /// something does again), three times in process for each `appt
    /// agenda` of the same day run beside it.
    fn board_read(&self, day: &BoardDay) -> Res<(Spread, Row)> {
        let p = self.plan;
        let mut store = self.store()?;
        let date = day.date.to_string();
        let (mut a, mut r) = (Vec::new(), Vec::new());
        for i in 0..self.runs + 2 {
            for _ in 0..3 {
                let t = Instant::now();
                let d = board::day(
                    &mut store,
                    Some(&p.clinic),
                    Some(day.date),
                    day.now,
                    board::Columns::Doctors,
                )
                .map_err(err)?;
                let s = t.elapsed().as_secs_f64();
                if d.columns.len() != day.doctors {
                    return Err(format!("the day has {} columns", d.columns.len()));
                }
                if i >= 2 {
                    a.push(s);
                }
            }
            let x = measure_ok(
                self.board_cmd(&["--clinic", &p.clinic, "agenda", "--date", &date]),
                &self.file("ref.out"),
            )?;
            if i >= 2 {
                r.push(x.secs);
            }
        }
        let s = Spread::of(&mut a);
        let reference = median(&mut r);
        Ok((
            s,
            Row {
                figure: format!(
                    "board: read the day ({} doctors, {} appointments, {BOARD_MESSAGES} messages)",
                    day.doctors, day.booked
                ),
                appt: s.show(),
                reference: format!("{} (appt agenda --date, a process)", ms(reference)),
                ratio: Some(s.median / reference),
                rss_kb: 0,
                goal: "— (a part of a key that reads)".into(),
                met: None,
            },
        ))
    }

    /// A redraw of the whole screen: drawn, and sent to a blank terminal.
    fn board_redraw(
        &self,
        board: &mut Board,
        day: &BoardDay,
        size: (u16, u16),
        read: Option<f64>,
    ) -> Res<Row> {
        let mut tty = Tty::new(size);
        let area = tty.area;
        let (mut drawn, mut sent, mut bytes) = (Vec::new(), Vec::new(), 0);
        for i in 0..BOARD_DRAWS + 20 {
            let mut buf = Buffer::empty(area);
            let t = Instant::now();
            board.render(area, &mut buf);
            let d = t.elapsed().as_secs_f64();
            let t = Instant::now();
            bytes = tty.frame(board, true)?;
            let s = t.elapsed().as_secs_f64();
            if i >= 20 {
                drawn.push(d);
                sent.push(s);
            }
        }
        let drawn = Spread::of(&mut drawn);
        let sent = Spread::of(&mut sent);
        Ok(Row {
            figure: format!(
                "board: redraw {}×{}, {} doctors",
                size.0, size.1, day.doctors
            ),
            appt: format!(
                "{}; sent: {} ({:.1} KB)",
                drawn.show(),
                sent.show(),
                bytes as f64 / 1024.0
            ),
            reference: read.map_or("—".into(), |m| format!("{} (reading the day)", fine(m))),
            ratio: read.map(|m| sent.median / m),
            rss_kb: 0,
            goal: "< 16 ms (p95, sent)".into(),
            met: Some(sent.p95 < 0.016),
        })
    }

    /// Scheduled appointments of the board's day from now on, of two of its
    /// last columns (`skip` columns before the last): for the references,
    /// which the board's own walk from its first column never reaches.
    fn reference_ids(&self, board: &Board, day: &BoardDay, skip: usize) -> Res<Vec<String>> {
        let doctors: Vec<String> = board
            .day()
            .columns
            .iter()
            .rev()
            .skip(skip)
            .take(2)
            .filter_map(|c| c.doctor.as_ref().map(|d| self.engine.id_literal(&d.id)))
            .collect();
        self.engine.strings(&format!(
            "SELECT {} FROM appointments WHERE doctor_id IN ({}) AND local_date = {} \
             AND status = {} AND starts_at >= {} ORDER BY starts_at, id",
            self.engine.id_text("id"),
            doctors.join(","),
            day_no(day.date),
            Status::Scheduled.code(),
            day.now.timestamp()
        ))
    }

    /// `x`, a reason typed, Enter: the cancellation written (the visit's
    /// pending reminders cancelled with it), the day read again, the frame
    /// sent, timed from Enter; beside `appt cancel ID --reason R`. Fewer
    /// runs: each takes seconds on SQLite (see docs/performance.md#board).
    fn board_cancel(&self, board: &mut Board, day: &BoardDay) -> Res<Row> {
        const REASON: &str = "Paciente llamó";
        let mut tty = Tty::new(BOARD_SIZE);
        tty.frame(board, true)?;
        let ids = self.reference_ids(board, day, 2)?;
        let (warm, runs) = (1, self.runs.min(5));
        if ids.len() < warm + runs {
            return Err(format!(
                "{} scheduled appointments for the reference, {} needed",
                ids.len(),
                warm + runs
            ));
        }
        let (mut a, mut r) = (Vec::new(), Vec::new());
        for (i, id) in ids.iter().take(warm + runs).enumerate() {
            seek_scheduled(board)?;
            board.key(key(KeyCode::Char('x')));
            for c in REASON.chars() {
                board.key(key(KeyCode::Char(c)));
            }
            tty.frame(board, false)?;
            let t = Instant::now();
            board.key(key(KeyCode::Enter));
            tty.frame(board, false)?;
            let s = t.elapsed().as_secs_f64();
            if !matches!(board.note(), Some(Note::Done(_))) {
                return Err(format!("x on the board: {:?}", board.note()));
            }
            let x = measure_ok(
                self.board_cmd(&["cancel", id, "--reason", REASON]),
                &self.file("ref.out"),
            )?;
            if i >= warm {
                a.push(s);
                r.push(x.secs);
            }
        }
        let s = Spread::of(&mut a);
        let reference = median(&mut r);
        Ok(Row {
            figure: "board: key x, a reason, Enter (cancel: write, read the day again, redraw)"
                .into(),
            appt: s.show(),
            reference: format!("{} (appt cancel ID --reason)", ms(reference)),
            ratio: Some(s.median / reference),
            rss_kb: 0,
            goal: "< 50 ms (p95)".into(),
            met: Some(s.p95 < 0.05),
        })
    }

    /// `c` on a scheduled appointment: the status written, the day read
    /// again, the frame sent; beside `appt status ID confirmed` of another
    /// doctor's appointment.
    fn board_confirm(&self, board: &mut Board, day: &BoardDay) -> Res<Row> {
        let mut tty = Tty::new(BOARD_SIZE);
        tty.frame(board, true)?;
        let ids = self.reference_ids(board, day, 0)?;
        let n = self.runs + 2;
        if ids.len() < n {
            return Err(format!(
                "{} scheduled appointments for the reference, {n} needed",
                ids.len()
            ));
        }
        let (mut a, mut r) = (Vec::new(), Vec::new());
        for (i, id) in ids.iter().take(n).enumerate() {
            seek_scheduled(board)?;
            tty.frame(board, false)?;
            let t = Instant::now();
            board.key(key(KeyCode::Char('c')));
            tty.frame(board, false)?;
            let s = t.elapsed().as_secs_f64();
            if !matches!(board.note(), Some(Note::Done(_))) {
                return Err(format!("c on the board: {:?}", board.note()));
            }
            let x = measure_ok(
                self.board_cmd(&["status", id, "confirmed"]),
                &self.file("ref.out"),
            )?;
            if i >= 2 {
                a.push(s);
                r.push(x.secs);
            }
        }
        let s = Spread::of(&mut a);
        let reference = median(&mut r);
        Ok(Row {
            figure: "board: key c (confirm: write, read the day again, redraw)".into(),
            appt: s.show(),
            reference: format!("{} (appt status ID confirmed)", ms(reference)),
            ratio: Some(s.median / reference),
            rss_kb: 0,
            goal: "< 50 ms (p95)".into(),
            met: Some(s.p95 < 0.05),
        })
    }

    /// `]` from the day before: the 50-doctor day read and sent; beside
    /// `appt agenda --date` of it.
    fn board_next_day(&self, board: &mut Board, day: &BoardDay) -> Res<Row> {
        let p = self.plan;
        let mut tty = Tty::new(BOARD_SIZE);
        tty.frame(board, true)?;
        let date = day.date.to_string();
        let before = day.date - Duration::days(1);
        let (mut a, mut r) = (Vec::new(), Vec::new());
        for i in 0..self.runs + 2 {
            board.key(key(KeyCode::Char('[')));
            tty.frame(board, false)?;
            if board.day().date != before {
                return Err(format!(
                    "[ went to {}: {:?}",
                    board.day().date,
                    board.note()
                ));
            }
            let t = Instant::now();
            board.key(key(KeyCode::Char(']')));
            tty.frame(board, false)?;
            let s = t.elapsed().as_secs_f64();
            if board.day().date != day.date {
                return Err(format!(
                    "] went to {}: {:?}",
                    board.day().date,
                    board.note()
                ));
            }
            let x = measure_ok(
                self.board_cmd(&["--clinic", &p.clinic, "agenda", "--date", &date]),
                &self.file("ref.out"),
            )?;
            if i >= 2 {
                a.push(s);
                r.push(x.secs);
            }
        }
        let s = Spread::of(&mut a);
        let reference = median(&mut r);
        Ok(Row {
            figure: format!(
                "board: key ] (the next day, {} doctors: read, redraw)",
                day.doctors
            ),
            appt: s.show(),
            reference: format!("{} (appt agenda --date, a process)", ms(reference)),
            ratio: Some(s.median / reference),
            rss_kb: 0,
            goal: "< 50 ms (p95)".into(),
            met: Some(s.p95 < 0.05),
        })
    }

    /// Another desk (a connection of its own, through `appt update`'s use
    /// case, which records an event as every change does) writes a note on
    /// an appointment of the day; the board's next poll reads the day again
    /// and sends the frame. Beside it, a poll that finds nothing.
    fn board_live(&self, board: &mut Board, day: &BoardDay) -> Res<Row> {
        let mut tty = Tty::new(BOARD_SIZE);
        tty.frame(board, true)?;
        // A scheduled appointment of the middle column, which neither key
        // figure reaches.
        let columns = &board.day().columns;
        let target = columns[columns.len() / 2]
            .appointments
            .iter()
            .find(|a| a.status == Status::Scheduled)
            .map(|a| a.id.clone())
            .ok_or("no scheduled appointment in the middle column")?;
        let mut desk = self.store()?;
        let actor = Actor::Cli("bench-desk".into());
        let mut a = Vec::new();
        for i in 0..self.runs + 2 {
            let notes = format!("bench {i}");
            let req = UpdateRequest {
                id: target.clone(),
                notes: Some(notes.clone()),
                ..UpdateRequest::default()
            };
            change::update(&mut desk, &req, &actor, day.now).map_err(err)?;
            let t = Instant::now();
            board.tick();
            tty.frame(board, false)?;
            let s = t.elapsed().as_secs_f64();
            let seen = board
                .day()
                .columns
                .iter()
                .flat_map(|c| &c.appointments)
                .find(|a| a.id == target)
                .and_then(|a| a.notes.clone());
            if seen.as_deref() != Some(notes.as_str()) {
                return Err(format!(
                    "the board's poll did not read the write again ({seen:?}, {:?})",
                    board.note()
                ));
            }
            if i >= 2 {
                a.push(s);
            }
        }
        let mut idle = Vec::new();
        for _ in 0..BOARD_DRAWS {
            let t = Instant::now();
            board.tick();
            idle.push(t.elapsed().as_secs_f64());
        }
        if let Some(Note::Refused { code, message }) = board.note() {
            return Err(format!("the board's poll failed: {code}: {message}"));
        }
        let s = Spread::of(&mut a);
        let idle = Spread::of(&mut idle);
        Ok(Row {
            figure: "board: another's write seen (poll, read the day again, redraw)".into(),
            appt: s.show(),
            reference: format!("{} (a poll that finds nothing)", idle.show()),
            ratio: None,
            rss_kb: 0,
            goal: "on screen < 1 s (250 ms poll + p95)".into(),
            met: Some(0.25 + s.p95 < 1.0),
        })
    }

    /// The real `appt board` (release binary) idle in tmux at 120×40 on the
    /// board's day, on the machine's clock (so that the clock's minute and
    /// whatever the board does then is in it): the CPU it uses over
    /// `APPT_BENCH_IDLE_SECONDS` (default 60, a whole minute) from /proc,
    /// and on PostgreSQL its server backend's too; beside `watch -n 1 appt
    /// agenda` of the same day over as long (and on PostgreSQL the backends
    /// its runs had, which their postmaster reaped).
    fn board_idle(&self, day: &BoardDay) -> Res<Row> {
        let e = self.engine;
        let p = self.plan;
        let secs: u64 = env_or("APPT_BENCH_IDLE_SECONDS", 60).max(2);
        let db = match e {
            Engine::Pg(url, _) => format!(
                "{url}{}application_name={BOARD_APP_NAME}",
                if url.contains('?') { '&' } else { '?' }
            ),
            Engine::Sqlite(_) => e.db(),
        };
        // Scripts, so that neither tmux nor watch quotes anything.
        let script = |name: &str, args: &[&str]| -> Res<PathBuf> {
            use std::os::unix::fs::PermissionsExt;
            let path = self.file(name);
            let mut text = format!(
                "#!/bin/sh\nexec env -u NO_COLOR -u APPT_DB -u APPT_CLINIC -u APPT_NOW {}",
                sh_quote(env!("CARGO_BIN_EXE_appt"))
            );
            for a in args {
                text.push(' ');
                text.push_str(&sh_quote(a));
            }
            text.push('\n');
            fs::write(&path, text).map_err(err)?;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).map_err(err)?;
            Ok(path)
        };
        let date = day.date.to_string();
        let board_sh = script(
            "board.sh",
            &["--db", &db, "--clinic", &p.clinic, "board", "--date", &date],
        )?;
        let agenda_sh = script(
            "agenda.sh",
            &[
                "--db",
                &e.db(),
                "--no-input",
                "--clinic",
                &p.clinic,
                "agenda",
                "--date",
                &date,
            ],
        )?;
        let result = self.idle_figures(day, secs, &board_sh, &agenda_sh);
        let _ = fs::remove_file(&board_sh);
        let _ = fs::remove_file(&agenda_sh);
        let (board, backend, rss, reference) = result?;
        let total = board + backend.unwrap_or(0.0);
        Ok(Row {
            figure: format!(
                "board: idle in tmux {}×{} ({secs} s)",
                BOARD_SIZE.0, BOARD_SIZE.1
            ),
            appt: match backend {
                Some(b) => format!(
                    "{total:.2}% of a core (the board {board:.2}%, its server backend {b:.2}%)"
                ),
                None => format!("{total:.2}% of a core"),
            },
            reference: format!(
                "{reference:.2}% (watch -n 1 appt agenda{})",
                if e.pg() { ", with its backends" } else { "" }
            ),
            ratio: Some(total / reference),
            rss_kb: rss,
            goal: "< 1% of a core".into(),
            met: Some(total < 1.0),
        })
    }

    /// The board's CPU % (and its backend's), its peak RSS, and the
    /// reference's CPU %.
    fn idle_figures(
        &self,
        day: &BoardDay,
        secs: u64,
        board_sh: &Path,
        agenda_sh: &Path,
    ) -> Res<(f64, Option<f64>, i64, f64)> {
        let e = self.engine;
        let p = self.plan;
        let tmux = Tmux::new();
        let pct = |a: f64, b: f64, wall: f64| (b - a) / wall * 100.0;
        let pid = tmux.start(
            "board",
            BOARD_SIZE,
            &format!("exec {}", sh_quote(&board_sh.to_string_lossy())),
        )?;
        tmux.wait_for("board", &p.clinic, 30)?;
        std::thread::sleep(std::time::Duration::from_secs(1));
        let backend = match e {
            Engine::Pg(_, client) => {
                let rows = client
                    .borrow_mut()
                    .query(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
                        &[&BOARD_APP_NAME],
                    )
                    .map_err(err)?;
                match rows.as_slice() {
                    [one] => Some(one.get::<_, i32>(0)),
                    _ => return Err(format!("{} backends of the board", rows.len())),
                }
            }
            Engine::Sqlite(_) => None,
        };
        let (b0, k0) = (cpu_secs(pid)?, backend.map(cpu_secs).transpose()?);
        let t = Instant::now();
        std::thread::sleep(std::time::Duration::from_secs(secs));
        let (b1, k1) = (cpu_secs(pid)?, backend.map(cpu_secs).transpose()?);
        let wall = t.elapsed().as_secs_f64();
        let rss = status_kb(pid, "VmHWM")?;
        // q leaves it.
        tmux.run(&["send-keys", "-t", "board", "q"])?;
        let t = Instant::now();
        while Path::new(&format!("/proc/{pid}")).exists() {
            if t.elapsed().as_secs() > 10 {
                return Err("the board did not quit on q".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let board = pct(b0, b1, wall);
        let backend = k0.zip(k1).map(|(a, b)| pct(a, b, wall));

        // The reference: the day sheet again every second.
        let watch = tmux.start(
            "agenda",
            BOARD_SIZE,
            &format!("exec watch -n 1 {}", sh_quote(&agenda_sh.to_string_lossy())),
        )?;
        tmux.wait_for("agenda", &day.date.format("%d %B %Y").to_string(), 30)?;
        std::thread::sleep(std::time::Duration::from_secs(1));
        // On PostgreSQL each run's backend exits with it: its CPU is in the
        // cutime of the postmaster, the parent of every backend.
        let postmaster = match e {
            Engine::Pg(_, client) => {
                let me: i32 = client
                    .borrow_mut()
                    .query_one("SELECT pg_backend_pid()", &[])
                    .map_err(err)?
                    .get(0);
                Some(parent(me)?)
            }
            Engine::Sqlite(_) => None,
        };
        let (w0, m0) = (cpu_secs(watch)?, postmaster.map(cpu_secs).transpose()?);
        let t = Instant::now();
        std::thread::sleep(std::time::Duration::from_secs(secs));
        let (w1, m1) = (cpu_secs(watch)?, postmaster.map(cpu_secs).transpose()?);
        let wall = t.elapsed().as_secs_f64();
        let reference = pct(w0, w1, wall) + m0.zip(m1).map_or(0.0, |(a, b)| pct(a, b, wall));
        Ok((board, backend, rss, reference))
    }
}

/// An instant as `APPT_NOW` takes it.
fn board_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The ID of the reference's `i`th booking (its rows are deleted by their
/// source afterwards).
fn reference_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

/// Deletes every appointment a reference booked ([`reference_id`]'s).
fn delete_references(e: &Engine) -> String {
    format!(
        "DELETE FROM appointments WHERE id >= {} AND id <= {};",
        e.id_literal("00000000-0000-4000-8000-000000000000"),
        e.id_literal("00000000-0000-4000-8000-ffffffffffff")
    )
}

/// The number a source is stored as (schema 60).
fn source(name: &str) -> i64 {
    appt::core::source_code(name).expect("a source appt knows")
}

/// The day number an appointment's local date is stored as (schema 60).
fn day_no(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

/// SQL naming the closed set stored as a number in `col`: `(code, name)` each.
fn named(col: &str, names: impl Iterator<Item = (i64, &'static str)>) -> String {
    let whens: String = names
        .map(|(c, n)| format!(" WHEN {c} THEN '{n}'"))
        .collect();
    format!("CASE {col}{whens} END")
}

/// SQL of the name of the status stored in `col`.
fn status_name(col: &str) -> String {
    named(col, Status::ALL.iter().map(|s| (s.code(), s.as_str())))
}

/// SQL of the name of the source stored in `col`.
fn source_name(col: &str) -> String {
    named(col, appt::core::SOURCES.iter().map(|n| (source(n), *n)))
}

/// SQLite's text of the ID of 16 bytes in `col`, as appt shows it; NULL
/// where it is NULL (a visit's doctor, window or service may be), as
/// PostgreSQL's `::text` gives (`hex` of NULL is '', which would read `----`).
fn sqlite_id_text(col: &str) -> String {
    let h = format!("hex({col})");
    format!(
        "CASE WHEN {col} IS NOT NULL THEN lower(substr({h}, 1, 8) || '-' || substr({h}, 9, 4) \
         || '-' || substr({h}, 13, 4) || '-' || substr({h}, 17, 4) || '-' || substr({h}, 21)) END"
    )
}
