//! `remind due` through a channel (docs/performance.md#delivery): due
//! messages sent through a fake Twilio that answers each in 50 ms, as fast
//! as the sweep takes them, at the default `--concurrency` (8) and at 32;
//! the sweep's peak memory at 1,000 and at 10,000 messages; and a provider
//! that is down (503) through one sweep: the messages wait for the backoff
//! and go once it is up, none lost, none twice. SQLite only (the claims and
//! records are the same statements on PostgreSQL; what is measured here is
//! the sweep's pipeline, not the engine).

use super::{appt, err, measure, Res};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A Monday; the visits are booked from Wednesday on (a 24-hour reminder
/// is scheduled only while its time is ahead).
const NOW: &str = "2026-06-01T15:00:00Z";
const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "benchTWILIOtoken";
/// How long the fake provider takes to answer.
const ANSWER: Duration = Duration::from_millis(50);
/// Twenty doctors, 07:00–19:00 on a 15-minute grid: 960 visits a weekday.
const DOCTORS: usize = 20;

/// What the fake provider saw: the accepted messages per recipient, and
/// every request.
#[derive(Default)]
struct Seen {
    sent: HashMap<String, u32>,
    requests: u64,
}

/// A Twilio on 127.0.0.1: every request answered `ANSWER` later on a
/// thread of its own, 201 with a message SID, or 503 while `down`.
fn fake(seen: Arc<Mutex<Seen>>, down: Arc<AtomicBool>) -> Res<String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(err)?;
    let url = format!("http://{}", listener.local_addr().map_err(err)?);
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { continue };
            let (seen, down) = (Arc::clone(&seen), Arc::clone(&down));
            std::thread::spawn(move || {
                let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                let body = loop {
                    let Ok(k) = conn.read(&mut buf) else { return };
                    if k == 0 {
                        return;
                    }
                    raw.extend_from_slice(&buf[..k]);
                    let text = String::from_utf8_lossy(&raw).to_string();
                    if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                        let length: usize = head
                            .lines()
                            .filter_map(|l| l.split_once(':'))
                            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                            .and_then(|(_, v)| v.trim().parse().ok())
                            .unwrap_or(0);
                        if rest.len() >= length {
                            break rest.to_string();
                        }
                    }
                };
                std::thread::sleep(ANSWER);
                let to = form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == "To")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let refused = down.load(Ordering::SeqCst);
                {
                    let mut s = seen.lock().unwrap();
                    s.requests += 1;
                    if !refused {
                        *s.sent.entry(to).or_default() += 1;
                    }
                }
                let answer = if refused {
                    "HTTP/1.1 503 Unavailable\r\nContent-Type: application/json\r\nRetry-After: 60\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_string()
                } else {
                    let b = format!("{{\"sid\":\"SM{n:08}\",\"status\":\"queued\"}}");
                    format!(
                        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
                        b.len()
                    )
                };
                let _ = conn.write_all(answer.as_bytes());
            });
        }
    });
    Ok(url)
}

/// A fresh database of `n` visits whose 24-hour reminders are due at
/// [`NOW`], and an SMS channel to `api`.
fn database(dir: &Path, n: usize, api: &str) -> Res<String> {
    let db = dir.join(format!("delivery-{n}.db"));
    for ext in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", db.display()));
    }
    let db = db.to_string_lossy().into_owned();
    let run = |args: &[&str]| -> Res<()> {
        let out = appt(&db)
            .env("APPT_NOW", NOW)
            .env("APPT_TWILIO_AUTH_TOKEN", TOKEN)
            .args(args)
            .output()
            .map_err(err)?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "appt {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
        "--notify",
        "off",
    ])?;
    for d in 0..DOCTORS {
        let name = format!("Dra. Bench {d:02}");
        run(&["doctor", "add", &name])?;
        run(&[
            "window",
            "add",
            "--doctor",
            &name,
            "--days",
            "mon-fri",
            "--from",
            "07:00",
            "--to",
            "19:00",
            "--slot-minutes",
            "15",
        ])?;
    }
    // Weekdays from Tuesday on, each doctor's slots in turn.
    let mut lines = String::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 6, 3).expect("a date");
    let mut i = 0;
    'days: loop {
        if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            for d in 0..DOCTORS {
                for slot in 0..48 {
                    if i == n {
                        break 'days;
                    }
                    let time = format!("{:02}:{:02}", 7 + slot / 4, (slot % 4) * 15);
                    let _ = writeln!(
                        lines,
                        "{}",
                        serde_json::json!({"doctor": format!("Dra. Bench {d:02}"),
                            "date": day.to_string(), "time": time,
                            "phone": format!("+50371{i:06}"), "name": format!("Paciente {i}")})
                    );
                    i += 1;
                }
            }
        }
        day = day.succ_opt().expect("a date");
    }
    let file = dir.join(format!("delivery-{n}.jsonl"));
    fs::write(&file, lines).map_err(err)?;
    run(&["import", &file.to_string_lossy()])?;
    run(&[
        "channel",
        "add",
        "sms",
        "--account-sid",
        SID,
        "--from",
        "+15550001111",
        "--api-url",
        api,
    ])?;
    // Every 24-hour reminder due now; the 2-hour ones stay ahead.
    let c = rusqlite::Connection::open(&db).map_err(err)?;
    let now = chrono::DateTime::parse_from_rfc3339(NOW)
        .map_err(err)?
        .timestamp();
    let due = c
        .execute(
            "UPDATE reminders SET due_at = ?1 WHERE kind = ?2 AND offset_minutes = 1440",
            [now - 60, appt::core::MessageKind::Reminder.code()],
        )
        .map_err(err)?;
    if due != n {
        return Err(format!("{due} reminders made due, not {n}"));
    }
    Ok(db)
}

/// One sweep at `now`: (seconds, peak KB, JSON lines printed, exit code).
fn sweep(dir: &Path, db: &str, now: &str, concurrency: usize) -> Res<(f64, i64, usize, i32)> {
    let mut c = appt(db);
    c.env("APPT_NOW", now)
        .args(["remind", "due", "--concurrency", &concurrency.to_string()]);
    let out = dir.join("delivery.out");
    let r = measure(c, &out)?;
    let lines = fs::read_to_string(&out).map_err(err)?.lines().count();
    Ok((r.secs, r.rss_kb, lines, r.code))
}

/// Runs the figure; true when a goal was missed or something failed.
pub fn run(data: &Path) -> bool {
    match figures(data) {
        Ok(missed) => missed,
        Err(e) => {
            eprintln!("error: delivery: {e}");
            true
        }
    }
}

fn figures(data: &Path) -> Res<bool> {
    let dir = data.join("delivery");
    fs::create_dir_all(&dir).map_err(err)?;
    let mut missed = false;
    println!("\n## remind due through a channel (a fake Twilio answering in 50 ms)\n");
    println!("| messages | --concurrency | took | delivered/s | peak memory | sent once each |");
    println!("|---|---|---|---|---|---|");
    let mut peaks = Vec::new();
    for (n, width) in [(1_000, 8), (10_000, 8), (10_000, 32)] {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let api = fake(Arc::clone(&seen), Arc::new(AtomicBool::new(false)))?;
        let db = database(&dir, n, &api)?;
        let (secs, kb, lines, code) = sweep(&dir, &db, NOW, width)?;
        let s = seen.lock().unwrap();
        let once = s.sent.len() == n && s.sent.values().all(|&k| k == 1);
        let rate = n as f64 / secs;
        println!(
            "| {n} | {width} | {secs:.1} s | {rate:.0} | {:.1} MB | {} |",
            kb as f64 / 1024.0,
            if once { "yes" } else { "NO" }
        );
        if code != 0 || lines != n || !once || s.requests != n as u64 {
            eprintln!(
                "  delivery: exit {code}, {lines} lines, {} requests, {} recipients",
                s.requests,
                s.sent.len()
            );
            missed = true;
        }
        if width == 32 && rate < 200.0 {
            eprintln!("  delivery: goal missed, {rate:.0}/s under 200/s");
            missed = true;
        }
        if width == 8 {
            peaks.push(kb);
        }
    }
    if let [small, large] = peaks[..] {
        println!(
            "\nPeak memory at 10,000 messages is {:.2}× that at 1,000.",
            large as f64 / small as f64
        );
        if large as f64 > small as f64 * 1.5 {
            eprintln!("  delivery: goal missed, the sweep's memory grows with the due messages");
            missed = true;
        }
    }

    // Down through the first sweep: every message fails for now, and goes
    // once the backoff has passed and the provider is up.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let down = Arc::new(AtomicBool::new(true));
    let api = fake(Arc::clone(&seen), Arc::clone(&down))?;
    let n = 1_000;
    let db = database(&dir, n, &api)?;
    let (secs_down, _, _, code_down) = sweep(&dir, &db, NOW, 8)?;
    down.store(false, Ordering::SeqCst);
    // A minute later nothing is due yet (the first retry waits 5 minutes).
    let (_, _, early, _) = sweep(&dir, &db, "2026-06-01T15:01:00Z", 8)?;
    let (secs_up, _, lines, code) = sweep(&dir, &db, "2026-06-01T15:05:30Z", 8)?;
    let s = seen.lock().unwrap();
    let once = s.sent.len() == n && s.sent.values().all(|&k| k == 1);
    println!(
        "\nA provider down (503, Retry-After: 60) through the first sweep: {n} messages \
         failed for now in {secs_down:.1} s (exit {code_down}); a sweep a minute later sent \
         {early}; the sweep after the 5-minute backoff sent {lines} in {secs_up:.1} s; each \
         patient got one: {}.",
        if once { "yes" } else { "NO" }
    );
    if code_down != 7 || early != 0 || code != 0 || lines != n || !once {
        missed = true;
    }
    Ok(missed)
}
