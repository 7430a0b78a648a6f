//! The fault harness: real `appt` processes — book, reschedule, cancel and
//! `remind due --exec` — SIGKILLed at pseudo-random instants, alone and side
//! by side, on one database. After every round `appt check` must find it
//! clean (docs/security.md: a command killed at any instant leaves the database
//! consistent) and a write must go through (no stale lock).
//!
//! The kill points come from a xorshift generator seeded from the clock; the
//! seed is printed, and `APPT_FAULT_SEED=N` replays a run's choices.

use crate::common::Env;
use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// At least this many processes must die mid-run…
const KILLS: usize = 100;
/// …before this long has passed. The loop stops at `KILLS`, so this is only a
/// ceiling for a machine busy with the rest of the suite (a few seconds on
/// SQLite and half a minute on PostgreSQL when it runs alone).
const BUDGET: Duration = Duration::from_secs(300);
/// A server round trip is slower than a file's: PostgreSQL gets longer.
const PG_BUDGET: Duration = Duration::from_secs(600);

/// xorshift64*: small, deterministic for a seed, no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick_of<T>(&mut self, mut items: Vec<T>) -> Option<T> {
        let i = self.below(items.len() as u64) as usize;
        (!items.is_empty()).then(|| items.swap_remove(i))
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Book,
    Reschedule,
    Cancel,
    Remind,
}

const KINDS: [Kind; 4] = [Kind::Book, Kind::Reschedule, Kind::Cancel, Kind::Remind];

const DATES: [&str; 4] = ["2026-06-16", "2026-06-17", "2026-06-18", "2026-06-19"];
const DOCTOR_TIMES: [&str; 8] = [
    "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
];
const WIDE_TIMES: [&str; 6] = ["14:00", "14:30", "15:00", "15:30", "16:00", "16:30"];
/// `remind due` runs later in the week, so reminders are due, some expired.
const SWEEP_NOW: [&str; 4] = [
    "2026-06-15T15:30:00Z",
    "2026-06-16T13:00:00Z",
    "2026-06-17T15:00:00Z",
    "2026-06-18T14:45:00Z",
];

/// Active appointments that can move or be cancelled: (id, clinic-wide).
fn movable(env: &Env) -> Vec<(String, bool)> {
    env.rows(&format!(
        "SELECT id, CASE WHEN doctor_id IS NULL THEN 1 ELSE 0 END FROM appointments \
         WHERE status IN {} AND patient_id NOT IN \
         (SELECT id FROM patients WHERE full_name = 'Sentinel') ORDER BY id",
        crate::common::status_codes(&["scheduled", "confirmed"])
    ))
    .into_iter()
    .map(|r| (r[0].clone(), r[1] == "1"))
    .collect()
}

fn when(rng: &mut Rng, wide: bool) -> Vec<String> {
    let times: &[&str] = if wide { &WIDE_TIMES } else { &DOCTOR_TIMES };
    vec![
        "--date".into(),
        rng.pick(&DATES).to_string(),
        "--time".into(),
        rng.pick(times).to_string(),
    ]
}

/// The arguments and clock of a random command of `kind`.
fn command(rng: &mut Rng, kind: Kind, env: &Env) -> (Vec<String>, &'static str) {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    match kind {
        Kind::Book => {
            let wide = rng.below(3) == 0;
            let mut args = strings(&["book"]);
            if wide {
                args.extend(strings(&["--clinic-wide", "--service", "General Checkup"]));
            } else {
                args.extend(strings(&["--doctor", "Dr. García"]));
            }
            args.extend(when(rng, wide));
            let n = rng.below(60);
            args.extend(strings(&[
                "--phone",
                &format!("+5037100{n:04}"),
                "--name",
                "Fault Patient",
            ]));
            (args, crate::common::MONDAY_8AM)
        }
        Kind::Reschedule | Kind::Cancel => match rng.pick_of(movable(env)) {
            Some((id, wide)) if kind == Kind::Reschedule => {
                let mut args = strings(&["reschedule", &id]);
                args.extend(when(rng, wide));
                (args, crate::common::MONDAY_8AM)
            }
            Some((id, _)) => (
                strings(&["cancel", &id, "--reason", "fault test"]),
                crate::common::MONDAY_8AM,
            ),
            // Nothing left to move: a read, killed all the same.
            None => (strings(&["list"]), crate::common::MONDAY_8AM),
        },
        Kind::Remind => {
            let hook = format!("sleep 0.0{}; true", 1 + rng.below(5));
            (
                strings(&["remind", "due", "--exec", &hook]),
                *rng.pick(&SWEEP_NOW),
            )
        }
    }
}

fn spawn(env: &Env, args: &[String], now: &str, log: &Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("appt"))
        .arg("--db")
        .arg(&env.db)
        .args(args)
        .env("APPT_NOW", now)
        .env_remove("APPT_CLINIC")
        .env_remove("APPT_DB")
        .env_remove("APPT_KEY")
        .stdin(Stdio::null())
        // Files, not pipes: a killed sweep's hook may outlive it holding them.
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log"))
        .spawn()
        .expect("spawn appt")
}

#[test]
fn killed_commands_never_leave_the_database_inconsistent() {
    let seed = std::env::var("APPT_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1;
    // Shown with the failure (the test harness prints a failed test's output).
    eprintln!("fault harness seed: APPT_FAULT_SEED={seed}");
    let mut rng = Rng(seed);
    let env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--clinic-wide",
        "--days",
        "mon-fri",
        "--from",
        "14:00",
        "--to",
        "17:00",
        "--capacity",
        "3",
    ]);
    for (i, t) in ["09:00", "10:00", "11:00", "12:00"].iter().enumerate() {
        env.book(DATES[i], t, &format!("+5037200000{i}"));
    }
    // Work every sweep can do, whatever the random commands did before it:
    // visits no command moves or cancels (the Sentinel's), booked days ahead
    // with a 7-day reminder that is due at every sweep's clock and whose
    // visit has not begun by then.
    let early = |args: &[&str]| {
        let out = env
            .cmd()
            .env("APPT_NOW", "2026-06-10T14:00:00Z")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "appt {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    early(&["clinic", "update", "Central", "--reminders", "7d,24h,2h"]);
    for (i, t) in ["12:30", "11:30"].iter().enumerate() {
        let phone = format!("+503799999{i:02}");
        early(&[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            DATES[3],
            "--time",
            t,
            "--phone",
            &phone,
            "--name",
            "Sentinel",
        ]);
    }
    let logs = tempfile::tempdir().unwrap();
    // Per kind, the longest delay before the kill: it adapts so that about
    // half the runs die, spreading kill points over a run's whole life.
    let mut reach = [Duration::from_millis(20); 4];
    let mut kills = [0usize; 4];
    let mut finished = 0usize;
    let start = Instant::now();
    let mut round = 0;
    let budget = if crate::common::on_postgres() {
        PG_BUDGET
    } else {
        BUDGET
    };
    while kills.iter().sum::<usize>() < KILLS && start.elapsed() < budget {
        round += 1;
        let n = 1 + rng.below(3) as usize;
        let mut running = Vec::new();
        for j in 0..n {
            let kind = *rng.pick(&KINDS);
            let (args, now) = command(&mut rng, kind, &env);
            let k = KINDS.iter().position(|&x| x == kind).unwrap();
            // One in four is spared, so the work also gets done (a sweep
            // killed mid-delivery keeps its claim for ten minutes of the clock).
            let spared = rng.below(4) == 0;
            let delay = if spared {
                Duration::from_secs(90)
            } else {
                reach[k].mul_f64(rng.below(1001) as f64 / 1000.0)
            };
            let log = logs.path().join(format!("{round}-{j}.log"));
            running.push((
                spawn(&env, &args, now, &log),
                Instant::now() + delay,
                k,
                args,
                log,
                spared,
            ));
        }
        running.sort_by_key(|r| r.1);
        for (mut child, at, k, args, log, spared) in running {
            let status = if spared {
                loop {
                    if let Some(status) = child.try_wait().expect("try_wait") {
                        break status;
                    }
                    if Instant::now() > at {
                        let _ = child.kill();
                        panic!("seed {seed}: appt {args:?} hung");
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            } else {
                if let Some(wait) = at.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                match child.try_wait().expect("try_wait") {
                    Some(status) => status,
                    None => {
                        child.kill().expect("SIGKILL");
                        child.wait().expect("wait")
                    }
                }
            };
            // It may have ended by itself between the look and the kill.
            match status.signal() {
                Some(libc::SIGKILL) => {
                    kills[k] += 1;
                    reach[k] = reach[k].mul_f64(1.1).min(Duration::from_millis(400));
                }
                _ => {
                    finished += 1;
                    if !spared {
                        reach[k] = reach[k].mul_f64(0.9).max(Duration::from_millis(2));
                    }
                    // A run that ended by itself ended as the rules say: done,
                    // taken (4), refused (3, 5) — never a broken database or a bug.
                    let code = status.code().unwrap_or(-1);
                    assert!(
                        matches!(code, 0 | 3 | 4 | 5),
                        "seed {seed}: appt {args:?} exited {code}: {}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
            }
        }
        let out = env.cmd().args(["check", "--json"]).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        assert!(
            out.status.success() && report["ok"] == true,
            "seed {seed}, round {round}: check after the kills: {report}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A write goes through at once: no lock outlived its process.
        let out = env
            .cmd()
            .args([
                "clinic",
                "update",
                "Central",
                "--slot-minutes",
                "30",
                "--json",
            ])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "seed {seed}, round {round}: a write after the kills failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let total: usize = kills.iter().sum();
    eprintln!(
        "{total} kills (book {}, reschedule {}, cancel {}, remind {}), {finished} finished, {round} rounds, {:?}",
        kills[0],
        kills[1],
        kills[2],
        kills[3],
        start.elapsed()
    );
    assert!(
        total >= KILLS,
        "seed {seed}: only {total} kills in {budget:?}"
    );
    for (k, kind) in KINDS.iter().enumerate() {
        assert!(
            kills[k] >= 5,
            "seed {seed}: {kind:?} was killed only {} times",
            kills[k]
        );
    }
    // The sweeps did deliver, and some died holding claims (the case docs/rules.md#reminders-and-notifications retries).
    let counts = env.rows(&format!(
        "SELECT count(*) FILTER (WHERE status = {}), \
             count(*) FILTER (WHERE status = {} AND claimed_until IS NOT NULL) FROM reminders",
        crate::common::message_status("sent"),
        crate::common::message_status("pending")
    ));
    let (sent, claimed): (i64, i64) =
        (counts[0][0].parse().unwrap(), counts[0][1].parse().unwrap());
    eprintln!("reminders: {sent} sent, {claimed} pending under a dead run's claim");
    assert!(
        sent + claimed > 0,
        "seed {seed}: no sweep ever got to a delivery"
    );
    // The database still works as a whole: the front desk's list reads it all.
    let list = env.ok(&[
        "list",
        "--from",
        "2026-06-15",
        "--to",
        "2026-06-19",
        "--limit",
        "500",
    ]);
    assert!(list["total"].as_u64().unwrap() >= 1);
}
