//! `cargo bench --bench million`: appt at a million appointments, measured
//! against the limit — the `sqlite3` command-line shell (or `psql`, with
//! `APPT_BENCH_PG`) answering the same indexed question on the same file,
//! side by side, alternating runs. A measurement, not a test: a missed goal is
//! printed, never fatal; a command that errors makes the run exit 1.
//!
//! The database (50 doctors, weekday windows, three years, ~200,000 patients,
//! ~1,000,000 appointments with reminders, events for the latest ones) is
//! built once and cached under `target/bench-data/`: clinics, doctors,
//! services and windows through real `appt` commands, the rest written the way
//! the store writes it, in one transaction. Every run works on a fresh copy.
//!
//! Environment: `APPT_BENCH_SCALE` (default 1.0) multiplies the data size;
//! `APPT_BENCH_RUNS` (default 15) the timed runs of each quick figure;
//! `APPT_BENCH_PG` (a server URL such as postgres://postgres:pw@localhost:5432/postgres)
//! runs the figures on PostgreSQL too, in a fresh database filled with
//! `appt transfer`. See docs/performance.md.

use appt::core::{Appointment, AppointmentRow, Status};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rusqlite::{params, Connection};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Bump when the generated data changes, so a cached database is rebuilt
/// (a new schema version rebuilds it too).
const DATA_VERSION: u32 = 3;
/// The clock of every command: a Monday, 10:00 at both clinics (UTC-6, no DST),
/// in the middle of the three years.
const NOW: &str = "2025-07-07T16:00:00Z";
/// Both clinics' zones are six hours behind UTC all year, which is what the
/// reference queries use to show local times.
const UTC_OFFSET_HOURS: i64 = -6;
const DOCTORS: usize = 50;
const SPAN_DAYS: f64 = 1096.0;
const PATIENTS: f64 = 200_000.0;
const SLOT_MINUTES: i64 = 15;
/// Reminders due at once for the `remind due` figure.
const DUE: usize = 1000;
/// Appointments created this many days before now (or later) carry events.
const EVENT_DAYS: i64 = 14;
/// Events streamed by the `events --after` figure.
const EVENTS_STREAMED: i64 = 100_000;
const IMPORT_LINES: usize = 20_000;
/// Bookings each process makes in the concurrency figure.
const PER_PROCESS: usize = 24;
const PROCESSES: usize = 8;
const ACTIVE: &str = "('scheduled','confirmed','checked_in','in_progress')";
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
    let schema = appt::store::SCHEMA_VERSION;
    let cached = data.join(format!(
        "million-v{DATA_VERSION}-schema{schema}-s{scale}.db"
    ));
    if cached.exists() {
        eprintln!("using the cached database {}", cached.display());
    } else {
        let t = Instant::now();
        if let Err(e) = build(&cached, scale) {
            eprintln!("error: building the database failed: {e}");
            std::process::exit(1);
        }
        eprintln!(
            "built {} in {:.1} s",
            cached.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let mut failed = false;
    let work = data.join("work.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", work.display()));
    }
    fs::copy(&cached, &work).expect("cannot copy the cached database");
    // On disk before any figure: otherwise the first figure to fsync the
    // file (a booking's checkpoint) waits for the copy's 1.7 GB to be written.
    File::open(&work)
        .and_then(|f| f.sync_all())
        .expect("cannot write the copy of the database to disk");
    let sqlite = Engine::Sqlite(work.clone());
    let plan = match Plan::read(&cached, scale) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: reading the database failed: {e}");
            std::process::exit(1);
        }
    };
    eprintln!(
        "{} appointments, {} patients, {} reminders, {} events; {} free slots kept for writes",
        plan.appointments,
        plan.patients,
        plan.reminders,
        plan.events,
        plan.pool.len()
    );
    let bench = Bench {
        engine: &sqlite,
        plan: &plan,
        runs,
        out: data.join("out"),
    };
    failed |= bench.all("SQLite", "sqlite3");

    if let Ok(server) = std::env::var("APPT_BENCH_PG") {
        match pg_database(&server, &cached) {
            Ok((engine, name)) => {
                let bench = Bench {
                    engine: &engine,
                    plan: &plan,
                    runs,
                    out: data.join("out"),
                };
                failed |= bench.all("PostgreSQL", "psql");
                drop(engine);
                if let Err(e) = pg_drop(&server, &name) {
                    eprintln!("warning: could not drop {name}: {e}");
                }
            }
            Err(e) => {
                eprintln!("error: preparing PostgreSQL failed: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
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
    c
}

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
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
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

struct Clinic {
    id: String,
    name: String,
    tz: Tz,
}

struct Doctor {
    id: String,
    name: String,
    specialty: String,
    clinic: usize,
    /// The Morning and Afternoon windows: (id, start minute, session).
    windows: Vec<(String, i64, String)>,
}

/// The local minutes of every slot of a doctor's day.
fn day_slots() -> Vec<(usize, i64)> {
    let mut v = Vec::new();
    for (w, from) in [(0usize, 8 * 60), (1, 13 * 60)] {
        for m in (from..from + 4 * 60).step_by(SLOT_MINUTES as usize) {
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

/// Builds the database at `target` (through a temporary file, so a build
/// that stops half-way leaves nothing behind).
fn build(target: &Path, scale: f64) -> Res<()> {
    let tmp = target.with_extension("building");
    for ext in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", tmp.display()));
    }
    let db = tmp.to_string_lossy().into_owned();
    let t = Instant::now();
    // What appt makes itself: the file, its schema and stamps, and the setup.
    run_ok({
        let mut c = appt(&db);
        c.arg("init");
        c
    })?;
    for (name, tz) in [
        ("Clínica Centro", "America/El_Salvador"),
        ("Clínica Norte", "America/Guatemala"),
    ] {
        run_ok({
            let mut c = appt(&db);
            c.args(["clinic", "add", name, "--timezone", tz, "--horizon", "730d"]);
            c
        })?;
    }
    run_ok({
        let mut c = appt(&db);
        c.args(["service", "add", "Consulta general", "--minutes", "15"]);
        c
    })?;
    let mut names = Vec::new();
    for i in 0..DOCTORS {
        let name = format!(
            "Dr. {} {}",
            FIRST[i % FIRST.len()],
            LAST[(i * 7 + i / FIRST.len()) % LAST.len()]
        );
        let clinic = if i < DOCTORS / 2 {
            "Clínica Centro"
        } else {
            "Clínica Norte"
        };
        run_ok({
            let mut c = appt(&db);
            c.args([
                "doctor",
                "add",
                &name,
                "--specialty",
                SPECIALTIES[i % SPECIALTIES.len()],
                "--slot-minutes",
                "15",
            ]);
            c
        })?;
        for (from, to, session) in [
            ("08:00", "12:00", "Morning"),
            ("13:00", "17:00", "Afternoon"),
        ] {
            run_ok({
                let mut c = appt(&db);
                c.args([
                    "--clinic",
                    clinic,
                    "window",
                    "add",
                    "--doctor",
                    &name,
                    "--days",
                    "mon-fri",
                    "--from",
                    from,
                    "--to",
                    to,
                    "--slot-minutes",
                    "15",
                    "--session",
                    session,
                ]);
                c
            })?;
        }
        names.push(name);
    }
    eprintln!("setup through appt: {:.1} s", t.elapsed().as_secs_f64());

    let mut conn = Connection::open(&tmp).map_err(err)?;
    // Bulk load: no journal (a failed build is thrown away), a large cache.
    conn.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1500000; \
         PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;",
    )
    .map_err(err)?;
    let clinics: Vec<Clinic> = {
        let mut st = conn
            .prepare("SELECT id, name, timezone FROM clinics ORDER BY name")
            .map_err(err)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(err)?;
        rows.map(|r| {
            let (id, name, tz) = r.map_err(err)?;
            Ok(Clinic {
                id,
                name,
                tz: tz.parse().map_err(err)?,
            })
        })
        .collect::<Res<_>>()?
    };
    let mut doctors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (id, specialty): (String, String) = conn
            .query_row(
                "SELECT id, specialty FROM doctors WHERE full_name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(err)?;
        let clinic = if i < DOCTORS / 2 { 0 } else { 1 };
        let mut st = conn
            .prepare("SELECT id, start_minute, session FROM windows WHERE doctor_id = ?1 ORDER BY start_minute")
            .map_err(err)?;
        let windows = st
            .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        doctors.push(Doctor {
            id,
            name: name.clone(),
            specialty,
            clinic,
            windows,
        });
    }
    let (service_id, service_name): (String, String) = conn
        .query_row("SELECT id, name FROM services", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(err)?;

    let t = Instant::now();
    let tx = conn.transaction().map_err(err)?;
    let mut rng = Rng(0x5EED_0000 + DATA_VERSION as u64);
    let now = now();
    let (first, last) = span(scale);

    // Patients: names from common Spanish names (accents and all), E.164 phones.
    let n_patients = ((PATIENTS * scale) as i64).max(5000);
    let mut patients: Vec<(String, String, String)> = Vec::with_capacity(n_patients as usize);
    {
        let mut st = tx
            .prepare(
                "INSERT INTO patients (id, full_name, name_key, phone, national_id, email, no_show_count, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, NULL, ?5, 0, ?6, ?6)",
            )
            .map_err(err)?;
        let since = instant_of(clinics[0].tz, first, 0).timestamp() - 400 * 86400;
        for i in 0..n_patients {
            let name = format!(
                "{} {} {}",
                rng.pick(&FIRST),
                rng.pick(&LAST),
                rng.pick(&LAST)
            );
            let phone = format!("+503{}", 70_000_000 + i);
            let email = (rng.below(10) < 4).then(|| format!("paciente{i}@example.com"));
            let id = rng.uuid();
            let created = since + rng.below(400 * 86400);
            st.execute(params![
                id,
                name,
                appt::store::name_key(&name),
                phone,
                email,
                created
            ])
            .map_err(err)?;
            patients.push((id, name, phone));
        }
    }

    let mut ins_appt = tx
        .prepare(
            "INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, service_id, local_date, \
             starts_at, ends_at, duration_minutes, status, token_number, source, session, batch, reason, notes, \
             diagnosis, prescription, follow_up_required, follow_up_date, cancellation_reason, \
             external_reference_id, sequence, created_at, updated_at, confirmed_at, checked_in_at, started_at, \
             completed_at, cancelled_at, no_show_at, solo) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,NULL,?15,NULL,?16,?17,?18,?19,?20,NULL,?21,\
             ?22,?23,?24,?25,?26,?27,?28,?29,1)",
        )
        .map_err(err)?;
    let mut ins_rem = tx
        .prepare(
            "INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, attempts, sent_at, \
             created_at, updated_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'reminder')",
        )
        .map_err(err)?;
    let mut ins_tok = tx
        .prepare("INSERT INTO tokens (scope, local_date, last) VALUES (?1, ?2, ?3)")
        .map_err(err)?;
    let slots = day_slots();
    let future_days = (last - now.date_naive()).num_days().max(1) as f64;
    let mut events: Vec<(i64, &'static str, String, String)> = Vec::new();
    let mut due_left = DUE;
    let mut n_appts = 0i64;
    let mut day = first;
    let mut day_no = 0i64;
    while day <= last {
        if !is_weekday(day) {
            day += Duration::days(1);
            continue;
        }
        day_no += 1;
        // Near days are nearly full, far ones emptier; the past stayed busy.
        let ahead = (day - now.date_naive()).num_days();
        let fill = if ahead < 0 {
            0.85
        } else {
            0.95 - 0.5 * (ahead as f64 / future_days)
        };
        let mut k = 0i64;
        for d in &doctors {
            let clinic = &clinics[d.clinic];
            let mut token = 0i64;
            for &(w, minute) in &slots {
                if rng.unit() >= fill {
                    continue;
                }
                token += 1;
                let p = &patients[((day_no * 7919 + k * 104_729) % n_patients) as usize];
                k += 1;
                let starts = instant_of(clinic.tz, day, minute);
                let ends = starts + Duration::minutes(SLOT_MINUTES);
                let past = starts < now;
                let mut created = starts - Duration::seconds(3600 + rng.below(45 * 86400));
                if created > now - Duration::seconds(60) {
                    created = now - Duration::seconds(60 + rng.below(45 * 86400));
                }
                let span_s = |a: DateTime<Utc>, b: DateTime<Utc>, rng: &mut Rng| {
                    a + Duration::seconds(rng.below((b - a).num_seconds().max(1)))
                };
                let roll = rng.below(100);
                let status = if past {
                    match roll {
                        0..=44 => Status::Cancelled,
                        45..=89 => Status::Completed,
                        _ => Status::NoShow,
                    }
                } else {
                    match roll {
                        0..=19 => Status::Cancelled,
                        20..=49 => Status::Confirmed,
                        _ => Status::Scheduled,
                    }
                };
                let mut a = Appointment {
                    row: AppointmentRow {
                        id: rng.uuid(),
                        clinic_id: clinic.id.clone(),
                        doctor_id: Some(d.id.clone()),
                        patient_id: p.0.clone(),
                        service_id: None,
                        window_id: Some(d.windows[w].0.clone()),
                        local_date: day,
                        starts_at: starts,
                        ends_at: ends,
                        duration_minutes: SLOT_MINUTES,
                        status: Status::Scheduled,
                        token_number: token,
                        source: rng
                            .pick(&[
                                "manual", "manual", "manual", "phone", "phone", "whatsapp",
                                "whatsapp", "whatsapp", "web", "web", "import", "api",
                            ])
                            .to_string(),
                        session: Some(d.windows[w].2.clone()),
                        batch: None,
                        reason: (rng.below(2) == 0).then(|| rng.pick(&REASONS).to_string()),
                        notes: None,
                        diagnosis: None,
                        prescription: None,
                        follow_up_required: false,
                        follow_up_date: None,
                        cancellation_reason: None,
                        external_reference_id: None,
                        created_at: created,
                        updated_at: created,
                        confirmed_at: None,
                        checked_in_at: None,
                        started_at: None,
                        completed_at: None,
                        cancelled_at: None,
                        no_show_at: None,
                    },
                    clinic_name: clinic.name.clone(),
                    timezone: clinic.tz,
                    patient_name: p.1.clone(),
                    patient_phone: p.2.clone(),
                    doctor_name: Some(d.name.clone()),
                    doctor_specialty: Some(d.specialty.clone()),
                    service_name: None,
                    service_minutes: None,
                };
                if rng.below(10) < 6 {
                    a.service_id = Some(service_id.clone());
                    a.service_name = Some(service_name.clone());
                    a.service_minutes = Some(SLOT_MINUTES);
                }
                let with_events = created >= now - Duration::days(EVENT_DAYS);
                if with_events {
                    events.push((
                        created.timestamp(),
                        "appointment.booked",
                        a.id.clone(),
                        serde_json::json!({"appointment": appt::output::json::appointment(&a)})
                            .to_string(),
                    ));
                }
                let limit = if past { starts } else { now };
                let mut sequence = 0;
                let kind = match status {
                    Status::Confirmed => {
                        a.confirmed_at = Some(span_s(created, limit, &mut rng));
                        sequence = 1;
                        "appointment.confirmed"
                    }
                    Status::Cancelled => {
                        let at = span_s(created, limit, &mut rng);
                        a.cancelled_at = Some(at);
                        a.cancellation_reason = Some(rng.pick(&CANCEL_REASONS).to_string());
                        sequence = 1;
                        "appointment.cancelled"
                    }
                    Status::Completed => {
                        a.checked_in_at = Some(starts - Duration::minutes(10));
                        a.started_at = Some(starts);
                        a.completed_at = Some(ends.min(now));
                        a.diagnosis = Some("Evolución favorable".into());
                        if rng.below(3) == 0 {
                            a.prescription = Some("Paracetamol 500 mg cada 8 h".into());
                        }
                        if rng.below(10) == 0 {
                            a.follow_up_required = true;
                            a.follow_up_date = Some(day + Duration::days(30));
                        }
                        sequence = 3;
                        "appointment.completed"
                    }
                    Status::NoShow => {
                        a.no_show_at = Some((ends + Duration::minutes(30)).min(now));
                        sequence = 1;
                        "appointment.no_show"
                    }
                    _ => "",
                };
                a.status = status;
                a.updated_at = [a.confirmed_at, a.cancelled_at, a.completed_at, a.no_show_at]
                    .into_iter()
                    .flatten()
                    .max()
                    .unwrap_or(created);
                if with_events && !kind.is_empty() {
                    events.push((
                        a.updated_at.timestamp(),
                        kind,
                        a.id.clone(),
                        serde_json::json!({"appointment": appt::output::json::appointment(&a)})
                            .to_string(),
                    ));
                }
                let ts = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp());
                ins_appt
                    .execute(params![
                        a.id,
                        a.clinic_id,
                        a.doctor_id,
                        a.window_id,
                        a.patient_id,
                        a.service_id,
                        day.to_string(),
                        starts.timestamp(),
                        ends.timestamp(),
                        SLOT_MINUTES,
                        status.as_str(),
                        token,
                        a.source,
                        a.session,
                        a.reason,
                        a.diagnosis,
                        a.prescription,
                        a.follow_up_required,
                        a.follow_up_date.map(|d| d.to_string()),
                        a.cancellation_reason,
                        sequence,
                        created.timestamp(),
                        a.updated_at.timestamp(),
                        ts(a.confirmed_at),
                        ts(a.checked_in_at),
                        ts(a.started_at),
                        ts(a.completed_at),
                        ts(a.cancelled_at),
                        ts(a.no_show_at),
                    ])
                    .map_err(err)?;
                n_appts += 1;
                // Reminders 24 h and 2 h before, made at booking when still ahead.
                for offset in [1440i64, 120] {
                    let due = starts - Duration::minutes(offset);
                    if due <= created {
                        continue;
                    }
                    let (state, sent, updated) = match a.cancelled_at {
                        Some(c) if due > c => ("cancelled", None, c),
                        _ if due > now => ("pending", None, created),
                        _ if offset == 1440
                            && starts > now
                            && status.is_active()
                            && due_left > 0 =>
                        {
                            // One of the reminders the `remind due` figure finds due.
                            due_left -= 1;
                            ("pending", None, created)
                        }
                        _ => ("sent", Some(due), due),
                    };
                    ins_rem
                        .execute(params![
                            rng.uuid(),
                            a.id,
                            offset,
                            due.timestamp(),
                            state,
                            i64::from(sent.is_some()),
                            sent.map(|s| s.timestamp()),
                            created.timestamp(),
                            updated.timestamp(),
                        ])
                        .map_err(err)?;
                }
            }
            if token > 0 {
                ins_tok
                    .execute(params![d.id, day.to_string(), token])
                    .map_err(err)?;
            }
        }
        day += Duration::days(1);
    }
    drop((ins_appt, ins_rem, ins_tok));
    events.sort_by(|a, b| {
        (a.0, a.1 != "appointment.booked").cmp(&(b.0, b.1 != "appointment.booked"))
    });
    {
        let mut st = tx
            .prepare("INSERT INTO events (type, appointment_id, created_at, data) VALUES (?1, ?2, ?3, ?4)")
            .map_err(err)?;
        for (at, kind, id, data) in &events {
            st.execute(params![kind, id, at, data]).map_err(err)?;
        }
    }
    tx.commit().map_err(err)?;
    conn.execute_batch("PRAGMA journal_mode=WAL;")
        .map_err(err)?;
    drop(conn);
    eprintln!(
        "wrote {n_appts} appointments, {} patients, {} events in {:.1} s",
        patients.len(),
        events.len(),
        t.elapsed().as_secs_f64()
    );
    // appt must take the file as its own.
    run_ok({
        let mut c = appt(&db);
        c.args(["--clinic", "Clínica Centro", "count", "--json"]);
        c
    })?;
    fs::rename(&tmp, target).map_err(err)?;
    let _ = fs::remove_file(format!("{}-wal", tmp.display()));
    let _ = fs::remove_file(format!("{}-shm", tmp.display()));
    Ok(())
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
}

impl Plan {
    fn read(file: &Path, scale: f64) -> Res<Plan> {
        let c = Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(err)?;
        let one = |sql: &str| -> Res<i64> { c.query_row(sql, [], |r| r.get(0)).map_err(err) };
        let text = |sql: &str| -> Res<String> { c.query_row(sql, [], |r| r.get(0)).map_err(err) };
        let now = now();
        let day = now.date_naive() + Duration::days(1);
        let clinic_id = text("SELECT id FROM clinics ORDER BY name LIMIT 1")?;
        let doctor = text(&format!(
            "SELECT doctor_id FROM windows WHERE clinic_id = '{clinic_id}' ORDER BY doctor_id LIMIT 1"
        ))?;
        let mut st = c
            .prepare(&format!(
                "SELECT id FROM reminders WHERE status = 'pending' AND due_at <= {} ORDER BY id",
                now.timestamp()
            ))
            .map_err(err)?;
        let due_ids = st
            .query_map([], |r| r.get(0))
            .map_err(err)?
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
            .query_map([from.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(err)?
        {
            taken.insert(r.map_err(err)?);
        }
        let mut st = c
            .prepare("SELECT DISTINCT w.doctor_id, c.timezone FROM windows w JOIN clinics c ON c.id = w.clinic_id ORDER BY w.doctor_id")
            .map_err(err)?;
        let docs = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut pool = Vec::new();
        let mut d = last;
        while d >= from.max(now.date_naive() + Duration::days(2)) {
            if is_weekday(d) {
                for (doc, tz) in &docs {
                    let tz: Tz = tz.parse().map_err(err)?;
                    for (_, m) in day_slots() {
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
                "SELECT id FROM appointments WHERE local_date = '{day}' ORDER BY starts_at LIMIT 1 OFFSET 7"
            ))?,
            clinic_id,
            doctor,
            day,
            due_ids,
            events_after: (max_event - EVENTS_STREAMED).max(0),
            pool,
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
            "{o}('id',a.id,'clinic_id',a.clinic_id,'doctor_id',a.doctor_id,'patient_id',a.patient_id,\
             'service_id',a.service_id,'date',a.local_date,'start_time',{st},'end_time',{et},\
             'duration_minutes',a.duration_minutes,'starts_at',{sa},'ends_at',{ea},'timezone',c.timezone,\
             'status',a.status,'token_number',a.token_number,'source',a.source,'session',a.session,\
             'batch',a.batch,'reason',a.reason,'notes',a.notes,'diagnosis',a.diagnosis,\
             'prescription',a.prescription,'follow_up_required',a.follow_up_required <> 0,\
             'follow_up_date',a.follow_up_date,'cancellation_reason',a.cancellation_reason,\
             'external_reference_id',a.external_reference_id,\
             'patient',{o}('id',p.id,'full_name',p.full_name,'phone',p.phone),\
             'doctor',CASE WHEN d.id IS NULL THEN NULL ELSE {o}('id',d.id,'full_name',d.full_name,'specialty',d.specialty) END,\
             'service',CASE WHEN s.id IS NULL THEN NULL ELSE {o}('id',s.id,'name',s.name,'duration_minutes',s.duration_minutes) END,\
             'created_at',{ca},'updated_at',{ua},'confirmed_at',{cf},'checked_in_at',{ci},\
             'started_at',{sd},'completed_at',{cd},'cancelled_at',{cc},'no_show_at',{ns})",
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
fn pg_database(server: &str, pristine: &Path) -> Res<(Engine, String)> {
    let name = format!("appt_bench_{}", std::process::id());
    let mut admin = postgres::Client::connect(server, postgres::NoTls).map_err(err)?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(err)?;
    let base = &server[..server
        .rfind('/')
        .ok_or("APPT_BENCH_PG needs a /database part")?];
    let url = format!("{base}/{name}");
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
    Ok((
        Engine::Pg(url, Box::new(std::cell::RefCell::new(client))),
        name,
    ))
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
        let day = p.day.to_string();
        let clinic_id = &p.clinic_id;
        let day_start = instant_of(chrono_tz::America::El_Salvador, p.day, 0).timestamp();
        let day_end = day_start + 86400;
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

        // list, one day.
        let list_ref = |cond: &str| {
            format!(
                "SELECT count(*) FROM appointments a WHERE {cond}; \
                 SELECT {aj} {JOINS} WHERE {cond} ORDER BY a.starts_at, a.token_number, a.id LIMIT 50;"
            )
        };
        let lists: Vec<(String, Vec<String>, String)> = vec![
            (
                "list --date (all clinics)".into(),
                vec!["list".into(), "--date".into(), day.clone()],
                format!("a.clinic_id IN (SELECT id FROM clinics) AND a.local_date = '{day}'"),
            ),
            (
                "list --date --clinic".into(),
                vec!["--clinic".into(), p.clinic.clone(), "list".into(), "--date".into(), day.clone()],
                format!("a.clinic_id = '{clinic_id}' AND a.local_date = '{day}'"),
            ),
            (
                "list --date --clinic --status".into(),
                vec![
                    "--clinic".into(), p.clinic.clone(), "list".into(), "--date".into(), day.clone(),
                    "--status".into(), "confirmed".into(),
                ],
                format!("a.clinic_id = '{clinic_id}' AND a.local_date = '{day}' AND a.status = 'confirmed'"),
            ),
            (
                "list --date --doctor".into(),
                vec!["list".into(), "--date".into(), day.clone(), "--doctor".into(), p.doctor.clone()],
                format!(
                    "a.doctor_id = '{}' AND a.starts_at >= {} AND a.starts_at < {} AND a.local_date = '{day}'",
                    p.doctor,
                    day_start - 86400,
                    day_end + 86400
                ),
            ),
            (
                "list --date --clinic --source".into(),
                vec![
                    "--clinic".into(), p.clinic.clone(), "list".into(), "--date".into(), day.clone(),
                    "--source".into(), "whatsapp".into(),
                ],
                format!("a.clinic_id = '{clinic_id}' AND a.local_date = '{day}' AND a.source = 'whatsapp'"),
            ),
        ];
        for (name, args, cond) in lists.iter().filter(|l| self.wanted(&l.0)) {
            let sql = list_ref(cond);
            let r = self
                .pair(
                    (2, self.runs),
                    &|_| {
                        let mut c = self.appt();
                        c.args(args).arg("--json");
                        c
                    },
                    &|_| e.reference(&sql),
                    none,
                )
                .map(|x| self.ratio_row(name, &x, 1.5, reference));
            note(name, r);
        }

        if self.wanted("agenda") {
            // agenda, one day: the day's appointments, windows, doctors and closures.
            let agenda_ref = format!(
                "SELECT {aj} {JOINS} WHERE a.clinic_id = '{clinic_id}' AND a.local_date = '{day}' \
                   AND a.status <> 'cancelled' ORDER BY a.starts_at, a.token_number, a.id; \
                 SELECT w.id, w.doctor_id, w.start_minute, w.end_minute, w.slot_minutes, w.capacity, d.full_name, d.specialty \
                   FROM windows w LEFT JOIN doctors d ON d.id = w.doctor_id WHERE w.clinic_id = '{clinic_id}' AND w.open = 1; \
                 SELECT id, reason FROM closures WHERE (clinic_id = '{clinic_id}' OR doctor_id IN \
                   (SELECT doctor_id FROM windows WHERE clinic_id = '{clinic_id}')) AND from_date <= '{day}' AND to_date >= '{day}';"
            );
            let r = self
                .pair(
                    (2, self.runs),
                    &|_| {
                        self.appt_args(&["--clinic", &p.clinic, "agenda", "--date", &day, "--json"])
                    },
                    &|_| e.reference(&agenda_ref),
                    none,
                )
                .map(|x| self.ratio_row("agenda --date", &x, 1.5, reference));
            note("agenda", r);
        }

        // slots: the doctor's windows and busy times that day.
        let slots_ref = format!(
            "SELECT id, start_minute, end_minute, slot_minutes, capacity, session FROM windows \
               WHERE doctor_id = '{doc}' AND open = 1; \
             SELECT id, reason FROM closures WHERE (doctor_id = '{doc}' OR clinic_id = '{clinic_id}') \
               AND from_date <= '{day}' AND to_date >= '{day}'; \
             SELECT id, starts_at, ends_at FROM appointments WHERE doctor_id = '{doc}' AND starts_at < {day_end} \
               AND starts_at > {lo} AND ends_at > {day_start} AND status IN {ACTIVE};",
            doc = p.doctor,
            lo = day_start - 480 * 60,
        );
        let slots_cmd =
            |_: usize| self.appt_args(&["slots", "--doctor", &p.doctor, "--date", &day, "--json"]);
        if self.wanted("slots") {
            let slots = self.pair(
                (2, self.runs),
                &slots_cmd,
                &|_| e.reference(&slots_ref),
                none,
            );
            note(
                "slots",
                slots.map(|x| self.ratio_row("slots --doctor --date", &x, 1.5, reference)),
            );
        }

        if self.wanted("show") {
            // show, count.
            let show_ref = format!("SELECT {aj} {JOINS} WHERE a.id = '{}';", p.show_id);
            let r = self
                .pair(
                    (2, self.runs),
                    &|_| self.appt_args(&["show", &p.show_id, "--json"]),
                    &|_| e.reference(&show_ref),
                    none,
                )
                .map(|x| self.ratio_row("show ID", &x, 1.5, reference));
            note("show", r);
        }
        if self.wanted("count") {
            let count_ref = format!(
                "SELECT count(*) FROM appointments WHERE created_at >= {};",
                now().timestamp() - 86400
            );
            let r = self
                .pair(
                    (2, self.runs),
                    &|_| self.appt_args(&["count", "--json"]),
                    &|_| e.reference(&count_ref),
                    none,
                )
                .map(|x| self.ratio_row("count", &x, 1.5, reference));
            note("count", r);
        }

        if self.wanted("patient") {
            // patient list --search.
            let search_ref = format!(
                "SELECT {o}('id',id,'full_name',full_name,'phone',phone,'email',email,'no_show_count',no_show_count,\
                   'created_at',{ca},'updated_at',{ua}) FROM patients WHERE name_key LIKE '%garcia%' ESCAPE '\\' \
                   OR phone LIKE NULL ORDER BY name_key, phone LIMIT 200;",
                o = e.obj(),
                ca = e.ts("created_at"),
                ua = e.ts("updated_at"),
            );
            let r = self
                .pair(
                    (2, self.runs),
                    &|_| self.appt_args(&["patient", "list", "--search", "garcia", "--json"]),
                    &|_| e.reference(&search_ref),
                    none,
                )
                .map(|x| self.ratio_row("patient list --search", &x, 1.5, reference));
            note("patient search", r);
        }

        if self.wanted("next") {
            // next, against appt's own slots.
            let r = self
                .pair(
                    (2, self.runs),
                    &|_| self.appt_args(&["--clinic", &p.clinic, "next", "--json"]),
                    &slots_cmd,
                    none,
                )
                .map(|x| {
                    let mut row = self.ratio_row("next (vs appt slots)", &x, 2.0, "appt slots");
                    row.reference = format!("{} (appt slots)", ms(x.reference));
                    row
                });
            note("next", r);
        }

        if self.wanted("events") {
            // events --after: the last 100,000 events as JSON Lines.
            let events_ref = format!(
                "SELECT {o}('id',id,'type',type,'appointment_id',appointment_id,'created_at',{ca},'data',{data}) \
                   FROM events WHERE id > {after} ORDER BY id;",
                o = e.obj(),
                ca = e.ts("created_at"),
                data = e.json_text("data"),
                after = p.events_after,
            );
            let streamed = (p.events - p.events_after.min(p.events)).min(EVENTS_STREAMED);
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
                .map(|i| format!("'{i}'"))
                .collect::<Vec<_>>()
                .join(",");
            let reset = format!(
                "UPDATE reminders SET status = 'pending', attempts = 0, sent_at = NULL, claim = NULL, \
                 claimed_until = NULL, next_attempt_at = NULL, last_error = NULL, updated_at = created_at \
                 WHERE id IN ({ids});"
            );
            let n = now().timestamp();
            let remind_ref = format!(
                "{begin}; SELECT {o}('id',r.id,'appointment_id',r.appointment_id,'offset_minutes',r.offset_minutes,\
                   'due_at',{due},'status','sent','attempts',r.attempts + 1,'appointment',{aj}) \
                   FROM reminders r JOIN appointments a ON a.id = r.appointment_id \
                   JOIN clinics c ON c.id = a.clinic_id JOIN patients p ON p.id = a.patient_id \
                   LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN services s ON s.id = a.service_id \
                   WHERE r.status = 'pending' AND r.due_at <= {n} ORDER BY r.due_at, r.id; \
                 UPDATE reminders SET status = 'sent', attempts = attempts + 1, sent_at = {n}, updated_at = {n} \
                   WHERE status = 'pending' AND due_at <= {n}; COMMIT;",
                o = e.obj(),
                due = e.ts("r.due_at"),
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
        }

        // book: distinct free slots; the reference commits one insert.
        let mut pool = p.pool.iter().cloned();
        let book_runs = self.runs + 2;
        let book_slots: Vec<Slot> = pool.by_ref().take(book_runs).collect();
        if self.wanted("book") {
            let template = format!(
                "SELECT 'x', clinic_id, doctor_id, window_id, patient_id, service_id, local_date, starts_at, ends_at, \
                 duration_minutes, 'cancelled', 0, source, created_at, updated_at FROM appointments WHERE id = '{}'",
                p.show_id
            );
            let book_ref = |i: usize| {
                let sql = format!(
                    "{begin}; INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, service_id, \
                     local_date, starts_at, ends_at, duration_minutes, status, token_number, source, created_at, updated_at) \
                     {}; COMMIT;",
                    template.replacen("'x'", &format!("'bench-ref-{i}'"), 1)
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
            let _ = e.exec("DELETE FROM appointments WHERE id LIKE 'bench-ref-%';");
            note("book", r);
        }

        // import: N lines of bookings into free slots, every rule.
        let n_import = IMPORT_LINES.min(p.pool.len().saturating_sub(book_runs + 400));
        if self.wanted("import") {
            let lines: Vec<Slot> = pool.by_ref().take(n_import).collect();
            let r = self.import(&lines);
            note("import", r);
        }

        // 8 processes booking at once.
        if self.wanted("concurrent") {
            let r = self.concurrency(&mut pool);
            note("concurrent book", r);
        }

        // The HTTP API under wrk, on the free slots left.
        let http = self.wanted("http").then(|| {
            let slots: Vec<Slot> = pool.by_ref().take(HTTP_BOOKINGS).collect();
            self.http(&slots)
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

        // check: last, as it first completes the data (see `check`).
        if self.wanted("check") {
            let r = self.check(&aj, reference);
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
        failed
    }

    /// `appt check` of the whole database, which must be clean. The
    /// generator leaves out the events of appointments booked before the last
    /// two weeks (to keep the file small), so their booked events, each with
    /// its full appointment object, are written first (untimed): the check
    /// then reads as many events as a real database of that size holds. The
    /// reference is SQLite's own `PRAGMA quick_check`, the page check that
    /// check runs beside its other checks (`check --full` runs
    /// integrity_check instead); on PostgreSQL, where check has no such step,
    /// `psql` asking check's own questions (every appointment's booked event,
    /// tokens held twice, every event's data read as JSON).
    fn check(&self, aj: &str, reference: &str) -> Res<Row> {
        let e = self.engine;
        let booked = "NOT EXISTS (SELECT 1 FROM events v WHERE v.appointment_id = a.id \
                      AND v.type = 'appointment.booked')";
        let t = Instant::now();
        e.exec(&format!(
            "INSERT INTO events (type, appointment_id, created_at, data) \
             SELECT 'appointment.booked', a.id, a.created_at, {o}('appointment', {aj}){cast} {JOINS} \
             WHERE {booked};",
            o = e.obj(),
            cast = if e.pg() { "::text" } else { "" },
        ))?;
        let events = e.count("SELECT count(*) FROM events")?;
        eprintln!(
            "  (check: booked events written, {events} events in all, in {:.1} s)",
            t.elapsed().as_secs_f64()
        );
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
        let floor = self.insert_floor(lines.len())?;
        Ok(Row {
            figure: format!("import ({} lines)", lines.len()),
            appt: format!("{} ({rate:.0} lines/s)", ms(r.secs)),
            reference: format!(
                "{} ({:.0} lines/s, rows only)",
                ms(floor),
                lines.len() as f64 / floor
            ),
            ratio: Some(r.secs / floor),
            rss_kb: r.rss_kb,
            goal: "≥ 20000 lines/s".into(),
            met: Some(rate >= 20_000.0),
        })
    }

    /// The floor under `import`: the reference client inserting, for `n`
    /// lines, exactly the rows appt's import wrote for one line (a patient,
    /// the appointment, its reminders and notices, its events), with fresh
    /// random v4 keys, in one transaction, durably (synchronous=FULL on
    /// SQLite), no rule checked. Seconds; the rows are deleted afterwards.
    fn insert_floor(&self, n: usize) -> Res<f64> {
        let e = self.engine;
        let (uuid, phone, begin) = if e.pg() {
            (
                "gen_random_uuid()::text".to_string(),
                "'+50398' || lpad(f.n::text, 6, '0')",
                "BEGIN",
            )
        } else {
            let h = |b: u8| format!("hex(randomblob({b}))");
            (
                format!(
                    "lower({} || '-' || {} || '-4' || substr({}, 2) || '-' || \
                     substr('89ab', 1 + abs(random()) % 4, 1) || substr({}, 2) || '-' || {})",
                    h(4),
                    h(2),
                    h(2),
                    h(2),
                    h(6)
                ),
                "'+50398' || printf('%06d', f.n)",
                "PRAGMA synchronous=FULL; BEGIN IMMEDIATE",
            )
        };
        let one = "(SELECT id FROM appointments WHERE external_reference_id = 'bench-import-0')";
        let now = now().timestamp();
        let sql = format!(
            "{begin}; \
             CREATE TEMP TABLE floor_ids AS SELECT s.id AS src, {uuid} AS aid, {uuid} AS pid, \
               row_number() OVER () AS n FROM (SELECT id FROM appointments ORDER BY starts_at DESC LIMIT {n}) s; \
             INSERT INTO patients (id, full_name, name_key, phone, created_at, updated_at) \
               SELECT f.pid, 'Paciente Referencia ' || f.n, 'paciente referencia ' || f.n, {phone}, {now}, {now} \
               FROM floor_ids f; \
             INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, service_id, local_date, \
               starts_at, ends_at, duration_minutes, status, token_number, source, external_reference_id, \
               created_at, updated_at) \
               SELECT f.aid, a.clinic_id, a.doctor_id, a.window_id, f.pid, a.service_id, a.local_date, \
               a.starts_at, a.ends_at, a.duration_minutes, 'scheduled', 0, 'web', 'bench-floor-' || f.n, {now}, {now} \
               FROM floor_ids f JOIN appointments a ON a.id = f.src; \
             INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, kind, data, created_at, updated_at) \
               SELECT {uuid}, f.aid, r.offset_minutes, r.due_at, 'pending', r.kind, r.data, {now}, {now} \
               FROM floor_ids f, (SELECT offset_minutes, due_at, kind, data FROM reminders WHERE appointment_id = {one}) r; \
             INSERT INTO events (type, appointment_id, created_at, data) \
               SELECT v.type, f.aid, {now}, v.data \
               FROM floor_ids f, (SELECT type, data FROM events WHERE appointment_id = {one}) v; \
             COMMIT;"
        );
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
            .map(|s| format!("'{}'", s.date))
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
struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    fn start(engine: &Engine, log: &Path) -> Res<Server> {
        use std::io::BufRead;
        let mut cmd = appt(&engine.db());
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--json"])
            .stdin(Stdio::null())
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

/// `wrk -t2 -c8 -dSECSs --latency` with the token, one of benches/wrk/'s
/// scripts, the URL and the script's arguments; and the same command line
/// as the docs show it (the token left out).
fn wrk(secs: u64, token: &str, script: &str, url: &str, args: &[&str]) -> (Command, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/wrk");
    let mut c = Command::new("wrk");
    let common = [
        format!("-t{WRK_THREADS}"),
        format!("-c{WRK_CONNECTIONS}"),
        format!("-d{secs}s"),
        "--latency".into(),
    ];
    c.args(&common)
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .arg("-s")
        .arg(dir.join(script))
        .arg(url);
    let mut shown = format!(
        "wrk {} -H 'Authorization: Bearer TOKEN' -s benches/wrk/{script} '{url}'",
        common.join(" ")
    );
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
    met: bool,
}

/// The HTTP figures, and the machine's load average around them (the load
/// generator shares the cores with the server and whatever else runs).
struct HttpFigures {
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
        run_wrk(wrk(3, &token, "report.lua", &slots_url, &[]).0)?;

        let (cmd, shown) = wrk(secs, &token, "report.lua", &slots_url, &[]);
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
        let api_before = e.count("SELECT count(*) FROM appointments WHERE source = 'api'")?;
        let threads = WRK_THREADS.to_string();
        let list_arg = list.to_string_lossy().into_owned();
        let book_url = format!("{}/v1/appointments", server.url);
        let (cmd, shown) = wrk(
            book_secs,
            &token,
            "book.lua",
            &book_url,
            &[&list_arg, &threads],
        );
        eprintln!("  {shown}");
        let book = run_wrk(cmd)?;
        let peak = server.memory_kb("VmHWM")?;
        server.stop()?;
        let booked =
            e.count("SELECT count(*) FROM appointments WHERE source = 'api'")? - api_before;
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
            .map(|s| format!("'{}'", s.date))
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
                    met: slots.rate() >= 2000.0
                        && slots.p99_us < 10_000
                        && slots.non2xx == 0
                        && slots.errors == 0,
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
                    met: growth < 1024,
                },
                HttpRow {
                    figure: format!("POST /v1/appointments, new bookings ({book_secs} s)"),
                    rate: format!("{:.0}", book.rate()),
                    latency: [book.p50_us, book.p99_us, book.max_us].map(us),
                    answers: format!("{}; {booked} booked, 0 double", answers(&book)),
                    memory: format!("{} peak", mb(peak)),
                    goal: "p99 < 50 ms, every answer 201".into(),
                    met: book.p99_us < 50_000 && book.non2xx == 0 && book.errors == 0,
                },
            ],
            load: format!("{load_before} before, {load} after"),
        })
    }
}

/// The HTTP figures, as the figures' table shows its own.
fn print_http_table(engine: &str, f: &HttpFigures) {
    println!(
        "\n### {engine}: HTTP API (appt serve, wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, keep-alive; load average {})\n",
        f.load
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
            if r.met { "yes" } else { "**no**" }
        );
    }
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
