//! Reads on a standby (`--read-db`, docs/operations.md#standby-reads): on a
//! real primary and streaming standby ([`Cluster`]), with the standby's
//! replay paused so that what it has not yet replayed tells which server a
//! read went to. The reads that may lag go to the standby while it is close
//! enough behind; a desk's own write is read from the primary until the
//! standby has it; a server's `GET` follows the same rules.

use crate::cluster::Cluster;
use crate::common::*;
use crate::serve::{token, Server};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// `appt ARGS --max-lag LAG --json` as `desk` (its own state folder, so
/// its own last write), with the standby when given; the document.
fn as_desk(env: &Env, desk: &Path, reads: Option<&str>, lag: &str, args: &[&str]) -> Value {
    let mut c = env.cmd();
    c.env("XDG_STATE_HOME", desk);
    if let Some(url) = reads {
        c.env("APPT_READ_DB", url);
    }
    let out = c
        .args(args)
        .args(["--max-lag", lag, "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The appointments `list` shows on Monday, as `desk` with the standby
/// and `--max-lag LAG`.
fn monday(env: &Env, desk: &Path, reads: Option<&str>, lag: &str) -> usize {
    let v = as_desk(env, desk, reads, lag, &["list", "-D", "2026-06-15"]);
    v["appointments"].as_array().expect("appointments").len()
}

/// Books Dr. García on Monday at `time` as `desk`, with the standby named.
fn book_as(env: &Env, desk: &Path, reads: &str, time: &str, phone: &str) {
    let out = env
        .cmd()
        .env("XDG_STATE_HOME", desk)
        .env("APPT_READ_DB", reads)
        .args([
            "book",
            "-d",
            "Dr. García",
            "-D",
            "2026-06-15",
            "-t",
            time,
            "-P",
            phone,
            "--name",
            "Ana López",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: a real standby")]
fn reads_that_may_lag_go_to_the_standby_and_a_desk_sees_its_own_write() {
    let cluster = Cluster::start(false);
    let env = Env {
        dir: tempfile::tempdir().expect("tempdir"),
        db: cluster.primary_url().into(),
        now: MONDAY_8AM.to_string(),
        staff: None,
    };
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["doctor", "add", "Dr. García"]);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dr. García",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let t = token(&env, "bot", "appointments:read,appointments:write", &[]);
    cluster.caught_up(Duration::from_secs(30));
    let standby = cluster.standby_url();
    let (a, b) = (env.dir.path().join("desk-a"), env.dir.path().join("desk-b"));

    cluster.pause_replay(true);
    book_as(&env, &a, &standby, "10:00", "+50370000001");
    // Desk A sees its own booking at once: the standby has not replayed
    // it, so A's read goes to the primary, however lax the limit.
    assert_eq!(monday(&env, &a, Some(&standby), "3600"), 1);
    // Desk B reads the standby, within the limit: not there yet.
    assert_eq!(monday(&env, &b, Some(&standby), "3600"), 0);
    // Behind by more than the limit: the primary.
    assert_eq!(monday(&env, &b, Some(&standby), "0"), 1);
    // Without a standby: the primary.
    assert_eq!(monday(&env, &b, None, "3600"), 1);
    // `count` reads the standby too.
    let count = |reads| as_desk(&env, &b, reads, "3600", &["count"])["count"].clone();
    assert_eq!((count(Some(&standby)), count(None)), (json!(0), json!(1)));

    // A server's GET reads the standby too, and its own write from the primary.
    let srv = Server::start(&env, &["--read-db", &standby, "--max-lag", "3600"]);
    let listed = |srv: &Server| {
        let r = srv.get("/v1/appointments?date=2026-06-15", &t);
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["appointments"].as_array().unwrap().len()
    };
    assert_eq!(listed(&srv), 0, "the GET was not read from the standby");
    let r = srv.post(
        "/v1/appointments",
        &t,
        json!({"doctor": "Dr. García", "date": "2026-06-15", "time": "11:00",
               "phone": "+50370000002", "name": "Berta Ruiz"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(listed(&srv), 2, "the server's own write was not seen");

    // Replayed: desk B sees both on the standby.
    cluster.pause_replay(false);
    cluster.caught_up(Duration::from_secs(30));
    assert_eq!(monday(&env, &b, Some(&standby), "3600"), 2);
}

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: a standby's address")]
fn a_standby_that_cannot_be_reached_leaves_the_reads_on_the_primary() {
    let env = Env::clinic();
    env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-15",
        "-t",
        "10:00",
        "-P",
        "+50370000001",
        "--name",
        "Ana López",
    ]);
    // Nothing listens on port 1.
    let nobody = "postgres://postgres@127.0.0.1:1/appt?connect_timeout=2";
    let started = Instant::now();
    assert_eq!(monday(&env, env.dir.path(), Some(nobody), "5"), 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only: a file has no standby")]
fn a_file_has_no_standby() {
    let env = Env::clinic();
    let out = env
        .cmd()
        .args(["list", "--read-db", "postgres://db.example/appt", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "USAGE_ERROR");
    let out = env
        .cmd()
        .args(["list", "--read-db", "replica.db", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
