//! Tests: `appt events`, the event log as JSON Lines.

use crate::common::{s, Env};
use serde_json::Value;
use std::process::Stdio;

fn stream(env: &Env, args: &[&str]) -> Vec<Value> {
    env.lines(&[&["events"], args].concat())
}

#[test]
fn events_stream_oldest_first_and_resume_after_an_id() {
    let env = Env::clinic();
    assert!(stream(&env, &[]).is_empty());
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    let id = s(&a["id"]).to_string();
    env.ok(&["status", &id, "confirmed"]);
    env.ok(&["reschedule", &id, "--date", "2026-06-16", "--time", "11:00"]);
    let b = env.book("2026-06-16", "12:00", "+50370000002");
    env.ok(&["cancel", s(&b["id"]), "--reason", "x"]);
    let all = stream(&env, &[]);
    let types: Vec<&str> = all.iter().map(|e| s(&e["type"])).collect();
    assert_eq!(
        types,
        [
            "appointment.booked",
            "appointment.confirmed",
            "appointment.rescheduled",
            "appointment.booked",
            "appointment.cancelled"
        ]
    );
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
    for e in &all {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 5, "{keys:?}");
        assert!(e["data"]["appointment"]["id"].is_string());
    }
    assert_eq!(all[2]["data"]["previous"]["start_time"], "10:00");
    // Each line is the event as every other document writes one: keys in
    // order, as `history` has it.
    let out = env.cmd().arg("events").output().unwrap();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(line, v.to_string());
    }
    // History shows the same events of one appointment.
    let history = env.ok(&["history", &id])["events"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(history, all[..3].to_vec());
    // Resume after the second: the rest, in order.
    let after = ids[1].to_string();
    let rest = stream(&env, &["--after", &after]);
    assert_eq!(rest, all[2..].to_vec());
    assert_eq!(
        stream(&env, &["--after", &after, "--limit", "2"]),
        all[2..4].to_vec()
    );
    let booked = stream(&env, &["--type", "appointment.booked"]);
    assert_eq!(booked.len(), 2);
    assert!(stream(&env, &["--after", &ids[4].to_string()]).is_empty());
}

#[test]
fn events_refuse_bad_filters() {
    let env = Env::clinic();
    env.fails(
        &["events", "--type", "appointment.exploded"],
        "VALIDATION_ERROR",
        2,
    );
    env.fails(&["events", "--after=-1"], "VALIDATION_ERROR", 2);
    env.fails(&["events", "--limit", "0"], "VALIDATION_ERROR", 2);
    let (code, e) = env.err(&["events", "--after", "abc"]);
    assert_eq!((code, e["code"].as_str()), (2, Some("USAGE_ERROR")));
}

/// Writes `n` `appointment.updated` events of appointment `id` straight into
/// the log: a long log without thousands of commands.
fn add_updates(env: &Env, id: &str, n: i64) {
    let values: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "('appointment.updated', '{id}', {}, '{{}}')",
                1_781_532_000 + i
            )
        })
        .collect();
    env.exec(&format!(
        "INSERT INTO events (type, appointment_id, created_at, data) VALUES {}",
        values.join(",")
    ));
}

#[test]
fn a_long_log_streams_across_pages() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    // 1,200 updates: more than one page of the stream.
    add_updates(&env, s(&a["id"]), 1200);
    let all = stream(&env, &[]);
    assert_eq!(all.len(), 1201);
    assert!(all
        .windows(2)
        .all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()));
    assert_eq!(stream(&env, &["--limit", "1100"]).len(), 1100);
}

#[test]
fn a_failed_write_to_stdout_is_an_error_not_a_silent_success() {
    // docs/commands.md#conventions: a full disk or a closed pipe is exit 1, for streams and for
    // one-shot output alike.
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        &["events"][..],
        &["events", "--json"],
        &["list", "--date", "2026-06-16"],
        &["list", "--date", "2026-06-16", "--json"],
        &["doctor", "list"],
    ] {
        let out = env.raw(args).stdout(full()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "appt {args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("INTERNAL_ERROR") || err.contains("cannot write to standard output"),
            "appt {args:?}: {err}"
        );
    }
}

#[test]
fn a_closed_pipe_is_an_error_not_a_silent_success() {
    // A reader that closes the pipe at once must not pass for one that read
    // the stream to the end: exit 1 and the error on stderr, as for a full
    // disk.
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370000001");
    // 3,000 lines, some 400 KB: more than a pipe holds (64 KiB), so appt is
    // still writing when it finds the reader gone.
    add_updates(&env, s(&a["id"]), 3000);
    for args in [&["events"][..], &["events", "--json"]] {
        let mut child = env
            .raw(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "appt {args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("cannot write to standard output"),
            "appt {args:?}: {err}"
        );
        if args.contains(&"--json") {
            let e: Value = serde_json::from_str(err.trim()).expect("a JSON error");
            assert_eq!(e["error"]["code"], "INTERNAL_ERROR", "{e}");
        }
    }
}
