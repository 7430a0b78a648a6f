//! Tests: many `appt` processes at once on one database file.

use crate::common::{s, Env};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// Starts every command before waiting for any, so they race for the write lock.
pub fn race(env: &Env, runs: Vec<Vec<String>>) -> Vec<Output> {
    let bin = assert_cmd::cargo::cargo_bin("appt");
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            Command::new(&bin)
                .arg("--db")
                .arg(&env.db)
                .args(args)
                .arg("--json")
                .env("APPT_NOW", &env.now)
                .env_remove("APPT_CLINIC")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

fn booking(time: &str, n: usize) -> Vec<String> {
    [
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        time,
        "--phone",
        &format!("+5037000{n:04}"),
        "--name",
        &format!("Patient {n}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn one_slot_many_processes_exactly_one_wins() {
    let env = Env::clinic();
    env.ok(&["init"]);
    let outs = race(&env, (0..12).map(|n| booking("10:00", n)).collect());
    let winners: Vec<&Output> = outs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(winners.len(), 1, "exactly one booking wins");
    for o in outs.iter().filter(|o| !o.status.success()) {
        assert_eq!(
            o.status.code(),
            Some(4),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.stdout.is_empty());
        let e: Value = serde_json::from_slice(&o.stderr).expect("JSON error");
        assert_eq!(e["error"]["code"], "APPOINTMENT_CONFLICT");
    }
    let list = env.ok(&["list", "--date", "2026-06-15"]);
    assert_eq!(list["total"], 1);
    assert_eq!(list["appointments"][0]["token_number"], 1);
}

#[test]
fn distinct_slots_all_succeed_with_gapless_tokens() {
    let env = Env::clinic();
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. García",
        "--days",
        "mon-fri",
        "--from",
        "13:00",
        "--to",
        "16:00",
        "--session",
        "Afternoon",
    ]);
    let times: Vec<String> = (0..12)
        .map(|i| format!("{:02}:{:02}", 9 + i / 2, (i % 2) * 30))
        .collect();
    let outs = race(
        &env,
        times
            .iter()
            .enumerate()
            .map(|(n, t)| booking(t, n))
            .collect(),
    );
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut tokens: Vec<i64> = outs
        .iter()
        .map(|o| {
            serde_json::from_slice::<Value>(&o.stdout).expect("JSON")["appointment"]["token_number"]
                .as_i64()
                .expect("token")
        })
        .collect();
    tokens.sort_unstable();
    assert_eq!(
        tokens,
        (1..=12).collect::<Vec<_>>(),
        "tokens 1..N, no gaps, no repeats"
    );
    let list = env.ok(&["list", "--date", "2026-06-15", "--limit", "100"]);
    assert_eq!(list["total"], 12);
    let starts: Vec<&str> = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["start_time"]))
        .collect();
    assert_eq!(starts, times.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn first_use_by_many_processes_at_once_creates_one_schema() {
    let env = Env::new();
    // `clinic add` makes the database when it is not there yet.
    let runs = (0..8)
        .map(|i| {
            let name = format!("Clinic {i}");
            ["clinic", "add", &name, "--timezone", "America/El_Salvador"]
                .map(String::from)
                .to_vec()
        })
        .collect();
    let outs = race(&env, runs);
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(
        env.ok(&["clinic", "list"])["clinics"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
}
