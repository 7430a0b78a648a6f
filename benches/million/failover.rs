//! The failover figures (docs/performance.md#failover), run only when named
//! (`APPT_BENCH_ONLY=failover`), on a real PostgreSQL primary and
//! synchronous standby of their own (`tests/cli/cluster.rs`, the failover
//! test's, with `fsync` on and the default `shared_buffers`):
//!
//! 1. the `million` workload transferred into the primary (and streamed to
//!    the standby), then `GET /v1/slots` under wrk as the HTTP figures ask
//!    it, with the server's reads on the primary, then on the standby
//!    (`--read-db`, the same server otherwise);
//! 2. the primary killed (SIGKILL) under booking clients and the standby
//!    promoted (`pg_ctl promote`): the time from the promotion to the first
//!    booking the servers acknowledge, and the bookings refused meanwhile;
//!    once on the workload's cluster, then [`SMALL_FAILOVERS`] times on a
//!    small clinic's fresh cluster, for a spread.

use super::*;
use crate::cluster::Cluster;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Failovers of a small clinic's cluster, each on a fresh one.
const SMALL_FAILOVERS: usize = 5;
/// Clients booking at once through the failover, each through one of two
/// servers (and the other after a refusal).
const CLIENTS: usize = 4;
/// The goal (issue 49): the first booking within 5 s of the promotion.
const FIRST_BOOKING_GOAL: f64 = 5.0;
/// The cluster's settings beyond the test's: durable commits, and a
/// buffer cache of PostgreSQL's default size.
const CONF: &str = "fsync = on\nshared_buffers = 128MB\n";

/// The figures; true when one could not be taken or missed its goal.
pub(super) fn run(data: &Path, scale: f64) -> bool {
    eprintln!("\n== failover: a primary and a synchronous standby");
    match figures(data, scale) {
        Ok(met) => !met,
        Err(e) => {
            eprintln!("error: {e}");
            true
        }
    }
}

/// One failover: how long from `pg_ctl promote` to the first booking, how
/// long `pg_ctl promote -w` took, the bookings refused from the kill to that
/// first booking, and those acknowledged in all.
struct Switch {
    first: f64,
    promote: f64,
    refused: usize,
    acknowledged: usize,
}

fn figures(data: &Path, scale: f64) -> Res<bool> {
    let wl = WORKLOADS
        .iter()
        .find(|w| w.key == "million")
        .ok_or("no million workload")?;
    let schema = appt::store::SCHEMA_VERSION;
    let cached = data.join(format!(
        "{}-v{DATA_VERSION}-schema{schema}-s{scale}.db",
        wl.key
    ));
    if !cached.exists() {
        build::build(&cached, wl, scale)
            .map_err(|e| format!("building the database failed: {e}"))?;
    }
    let plan =
        Plan::read(&cached, wl, scale).map_err(|e| format!("reading the database failed: {e}"))?;
    let secs: u64 = env_or("APPT_BENCH_HTTP_SECONDS", 60).max(3);
    let out = data.join("out");
    fs::create_dir_all(&out).map_err(err)?;

    let mut cluster = Cluster::start_with(true, CONF);
    let (engine, name) = pg_database(&cluster.primary_url(), &cached, "failover")?;
    drop(engine);
    let on = |url: &str| format!("{}/{name}", &url[..url.rfind('/').unwrap_or(url.len())]);
    let (primary, standby) = (on(&cluster.primary_url()), on(&cluster.standby_url()));
    let both = format!(
        "{}?target_session_attrs=read-write",
        on(&cluster.both_url(""))
    );
    cluster.caught_up(std::time::Duration::from_secs(600));
    let token = token_on(&primary)?;

    // GET /v1/slots, its reads on the primary and then on the standby.
    let slots = format!("/v1/slots?doctor={}&date={}", plan.doctor, plan.day);
    let mut rows = Vec::new();
    for (label, extra) in [
        ("reads on the primary", vec![]),
        (
            "reads on the standby (--read-db)",
            vec!["--read-db", standby.as_str()],
        ),
    ] {
        let server = serve(&primary, &extra, &out.join("failover-serve.err"))?;
        let url = format!("{}{slots}", server.url);
        run_wrk(wrk(3, WRK_CONNECTIONS, Some(&token), "report.lua", &url, &[]).0)?;
        let row = wrk_row(
            &format!("GET /v1/slots, {label}"),
            secs,
            wrk(secs, WRK_CONNECTIONS, Some(&token), "report.lua", &url, &[]),
            &server,
            None,
            "",
        )?;
        server.stop()?;
        rows.push(row);
    }

    // The failover of the workload's cluster, booking its free times.
    let free: Vec<(String, String, String)> = plan
        .pool
        .iter()
        .map(|s| (s.doctor.clone(), s.date.to_string(), s.time.clone()))
        .collect();
    let big = failover(&mut cluster, &both, &token, &free, &out)?;
    drop(cluster);

    // A small clinic's failovers, each on a fresh cluster.
    let mut small = Vec::new();
    for _ in 0..SMALL_FAILOVERS {
        let mut cluster = Cluster::start_with(true, CONF);
        let primary = cluster.primary_url();
        let free = small_clinic(&primary)?;
        let token = token_on(&primary)?;
        let both = cluster.both_url("target_session_attrs=read-write");
        small.push(failover(&mut cluster, &both, &token, &free, &out)?);
    }

    println!(
        "\n### Failover (PostgreSQL 15, a primary and a synchronous standby on this machine)\n"
    );
    println!("| figure | requests/s | p50 | p99 | max | answers |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.figure, r.rate, r.latency[0], r.latency[1], r.latency[2], r.answers
        );
    }
    println!(
        "\n| failover | first booking after `pg_ctl promote` | `pg_ctl promote -w` | refused during the switch | acknowledged in all | goal | met |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut met = true;
    let mut line = |what: String, s: &Switch| {
        let ok = s.first < FIRST_BOOKING_GOAL;
        met &= ok;
        println!(
            "| {what} | {:.2} s | {:.2} s | {} | {} | < {FIRST_BOOKING_GOAL} s | {} |",
            s.first,
            s.promote,
            s.refused,
            s.acknowledged,
            if ok { "yes" } else { "no" }
        );
    };
    line(
        format!("{} ({} appointments)", wl.key, plan.appointments),
        &big,
    );
    for (i, s) in small.iter().enumerate() {
        line(format!("a small clinic, run {}", i + 1), s);
    }
    Ok(met)
}

/// An API token on `db` that may read and book.
fn token_on(db: &str) -> Res<String> {
    let made = run_ok({
        let mut c = appt(db);
        c.args([
            "token",
            "add",
            &format!("bench-failover-{}", Instant::now().elapsed().as_nanos()),
            "--scopes",
            "appointments:read,appointments:write",
            "--json",
        ]);
        c
    })?;
    serde_json::from_str::<serde_json::Value>(&made)
        .ok()
        .and_then(|v| v["token"].as_str().map(str::to_string))
        .ok_or_else(|| format!("appt token add printed no token: {}", short(&made)))
}

/// `appt serve` on `db` with `extra` flags, as the HTTP figures start it.
fn serve(db: &str, extra: &[&str], log: &Path) -> Res<Server> {
    Server::start_on(db, extra, log)
}

/// A clinic with one doctor working every day 08:00–18:00 on a 15-minute
/// grid; the free times of its next 30 days.
fn small_clinic(db: &str) -> Res<Vec<(String, String, String)>> {
    for args in [
        vec![
            "clinic",
            "add",
            "Central",
            "--timezone",
            "America/El_Salvador",
        ],
        vec!["doctor", "add", "Dr. García"],
        vec![
            "window",
            "add",
            "-d",
            "Dr. García",
            "--days",
            "mon-sun",
            "--from",
            "08:00",
            "--to",
            "18:00",
            "--slot-minutes",
            "15",
        ],
    ] {
        run_ok({
            let mut c = appt(db);
            c.args(&args);
            c
        })?;
    }
    let today = NaiveDate::parse_from_str(&NOW[..10], "%Y-%m-%d").map_err(err)?;
    let mut free = Vec::new();
    for d in 1..=30 {
        let date = today + chrono::Duration::days(d);
        for m in (8 * 60..18 * 60).step_by(15) {
            free.push((
                "Dr. García".to_string(),
                date.to_string(),
                format!("{:02}:{:02}", m / 60, m % 60),
            ));
        }
    }
    Ok(free)
}

/// Two servers on `both` (the cluster's two servers, `read-write`), and
/// [`CLIENTS`] clients booking `free` times one after another, each with
/// its own `Idempotency-Key`, sent again after a refusal or a lost answer
/// (through the other server); after 2 s the primary is killed, after 1 s
/// more the standby promoted, and the clients go on until a booking is
/// acknowledged after the promotion (and 1 s more).
fn failover(
    cluster: &mut Cluster,
    both: &str,
    token: &str,
    free: &[(String, String, String)],
    out: &Path,
) -> Res<Switch> {
    let servers = [
        serve(both, &[], &out.join("failover-a.err"))?,
        serve(both, &[], &out.join("failover-b.err"))?,
    ];
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let free = Arc::new(free.to_vec());
    // Each answer: when, and whether it booked (201 or 200), was refused
    // (503 or no answer), or lost the slot (409).
    let answers: Arc<Mutex<Vec<(Instant, u16)>>> = Arc::default();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (urls, next, stop, free, answers, token) = (
                urls.clone(),
                next.clone(),
                stop.clone(),
                free.clone(),
                answers.clone(),
                token.to_string(),
            );
            std::thread::spawn(move || {
                let mut via = c % 2;
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((doctor, date, time)) = free.get(i) else {
                        return;
                    };
                    let body = serde_json::json!({
                        "doctor": doctor, "date": date, "time": time,
                        "phone": format!("+503{:08}", 60_000_000 + i), "name": "Ana López",
                    })
                    .to_string();
                    let key = format!("Idempotency-Key: failover-{i}");
                    loop {
                        let answer = feed::ask(
                            &urls[via],
                            "POST",
                            "/v1/appointments",
                            &[
                                format!("Authorization: Bearer {token}"),
                                "Content-Type: application/json".into(),
                                key.clone(),
                            ],
                            &body,
                        );
                        let status = answer.map_or(0, |(s, _, _)| s);
                        answers.lock().unwrap().push((Instant::now(), status));
                        if matches!(status, 0 | 503) && !stop.load(Ordering::Relaxed) {
                            via = 1 - via;
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            continue;
                        }
                        break;
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let killed = Instant::now();
    cluster.kill_primary();
    std::thread::sleep(std::time::Duration::from_secs(1));
    let promoting = Instant::now();
    cluster.promote();
    let promoted = promoting.elapsed().as_secs_f64();
    let t = Instant::now();
    let first = loop {
        let booked = answers
            .lock()
            .unwrap()
            .iter()
            .find(|(at, s)| *at >= promoting && matches!(s, 200 | 201))
            .map(|(at, _)| *at);
        if let Some(at) = booked {
            break at;
        }
        if t.elapsed().as_secs() > 60 {
            stop.store(true, Ordering::Relaxed);
            return Err("no booking within 60 s of the promotion".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    std::thread::sleep(std::time::Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        let _ = c.join();
    }
    let all = answers.lock().unwrap();
    let odd: Vec<u16> = all
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| !matches!(s, 0 | 200 | 201 | 409 | 503))
        .collect();
    if !odd.is_empty() {
        return Err(format!("answers other than 200, 201, 409, 503: {odd:?}"));
    }
    let switch = Switch {
        first: first.duration_since(promoting).as_secs_f64(),
        promote: promoted,
        refused: all
            .iter()
            .filter(|(at, s)| *at >= killed && *at <= first && matches!(s, 0 | 503))
            .count(),
        acknowledged: all.iter().filter(|(_, s)| matches!(s, 200 | 201)).count(),
    };
    eprintln!(
        "  failover: first booking {:.2} s after pg_ctl promote (which took {:.2} s), {} refused, {} acknowledged",
        switch.first, switch.promote, switch.refused, switch.acknowledged
    );
    for s in servers {
        s.stop()?;
    }
    Ok(switch)
}
