//! The calendar feed's figures (docs/performance.md#calendar-feeds): a
//! feed of the busiest doctor of the workload's 90 days ahead (and 30
//! back), made with `appt feed add`, then `appt serve` under wrk: the whole
//! calendar (`GET /cal/TOKEN.ics`, unchanged: the server's rendered copy),
//! the same request from a phone that holds it (`If-None-Match`: a 304), a
//! CalDAV REPORT of one day (what an account asks when the doctor opens the
//! day), then, one at a time, the first request after each of 40 changes
//! (the changed visit read and its event rendered, the others' kept), the
//! server's first request (every event rendered), and beside them the API's
//! listing of the same visits, `GET /v1/appointments?doctor_id&start&end`
//! (its first page of 500, the most a page holds).
//! Each answer is checked once before it is timed (its visits counted
//! against the database); the feed is revoked after.

use super::*;
use std::io::{Read, Write};

/// Keep-alive connections: phones asking at once.
const FEED_CONNECTIONS: usize = 4;
/// The goals (issue 48): the whole 90-day feed's p99, and a 304's.
const FEED_P99_US: u64 = 20_000;
const NOT_MODIFIED_P99_US: u64 = 2_000;
/// Changes made, each followed by the first request after it.
const AFTER_CHANGES: usize = 40;

/// One request over a connection of its own: the status, the headers (as
/// text) and the body.
pub(super) fn ask(
    url: &str,
    method: &str,
    path: &str,
    headers: &[String],
    body: &str,
) -> Res<(u16, String, String)> {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).map_err(err)?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .map_err(err)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    write!(s, "{head}Content-Length: {}\r\n\r\n{body}", body.len()).map_err(err)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(err)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no HTTP status from {path}: {}", short(&text)))?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Ok((status, head.to_string(), body.to_string()))
}

impl Bench<'_> {
    /// The feed's figures, on a server of their own; the feed is revoked
    /// again whatever they come to.
    pub(super) fn feed(&self) -> Res<HttpFigures> {
        let figures = self.feed_figures();
        let revoked = run_ok(self.appt_args(&["feed", "revoke", "bench-feed"]));
        let figures = figures?;
        revoked?;
        Ok(figures)
    }

    fn feed_figures(&self) -> Res<HttpFigures> {
        let secs: u64 = (env_or("APPT_BENCH_HTTP_SECONDS", 60).max(3) / 3).max(3);
        let p = self.plan;
        let load_before = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load_before = load_before.split_whitespace().next().unwrap_or("?");
        // The feed's days, as appt counts them from NOW in El Salvador.
        let today = NaiveDate::parse_from_str(&NOW[..10], "%Y-%m-%d").map_err(err)?;
        let from = today - chrono::Duration::days(30);
        let to = today + chrono::Duration::days(90);
        // A clinic's and a doctor's ID are kept as their 16 bytes.
        let clinic_id = self.engine.id_literal(&p.clinic_id);
        let busiest = self.engine.strings(&format!(
            "SELECT {} FROM appointments WHERE clinic_id = {clinic_id} \
             AND local_date BETWEEN {} AND {} GROUP BY doctor_id \
             ORDER BY count(*) DESC, doctor_id LIMIT 1",
            self.engine.id_text("doctor_id"),
            super::day_no(from),
            super::day_no(to)
        ))?;
        let doctor = busiest
            .first()
            .ok_or("no doctor has visits in the feed's days")?
            .clone();
        let doctor = doctor.as_str();
        let doctor_id = self.engine.id_literal(doctor);
        let visits = self.engine.count(&format!(
            "SELECT count(*) FROM appointments WHERE clinic_id = {clinic_id} AND doctor_id = {doctor_id} \
             AND local_date BETWEEN {} AND {}",
            super::day_no(from),
            super::day_no(to)
        ))? as usize;
        let server = Server::start(self.engine, &self.file("serve-feed.err"))?;
        run_ok(self.appt_args(&["clinic", "update", &p.clinic, "--public-url", &server.url]))?;
        let made = run_ok(self.appt_args(&[
            "feed",
            "add",
            "bench-feed",
            "-c",
            &p.clinic,
            "-d",
            doctor,
            "--json",
        ]))?;
        let token = serde_json::from_str::<serde_json::Value>(&made)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_string))
            .ok_or_else(|| format!("appt feed add printed no token: {}", short(&made)))?;
        let api = run_ok(self.appt_args(&[
            "token",
            "add",
            "bench-feed-api",
            "--scopes",
            "appointments:read",
            "--json",
        ]))?;
        let api = serde_json::from_str::<serde_json::Value>(&api)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_string))
            .ok_or_else(|| format!("appt token add printed no token: {}", short(&api)))?;
        let cal = format!("/cal/{token}.ics");
        // What the feed must hold before it is timed: every visit of its
        // days. The server's first answer renders every event.
        let first = Instant::now();
        let (status, head, body) = ask(&server.url, "GET", &cal, &[], "")?;
        let first = first.elapsed().as_micros() as u64;
        let events = body.matches("BEGIN:VEVENT").count();
        let size = body.len();
        if status != 200 || events != visits {
            return Err(format!(
                "the feed answered {status} with {events} events of {visits}: {}",
                short(&body)
            ));
        }
        let etag = head
            .lines()
            .find_map(|l| l.strip_prefix("etag: "))
            .ok_or("the feed has no ETag")?
            .trim()
            .to_string();
        let held = format!("If-None-Match: {etag}");
        let (status, ..) = ask(&server.url, "GET", &cal, std::slice::from_ref(&held), "")?;
        if status != 304 {
            return Err(format!("the feed with its own ETag answered {status}"));
        }
        let day = p.day;
        let next = day + chrono::Duration::days(1);
        let range = format!(
            "{}T060000Z {}T060000Z",
            day.format("%Y%m%d"),
            next.format("%Y%m%d")
        );
        let login = format!(
            "Authorization: Basic {}",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                format!("phone:{token}")
            )
        );
        let query = dav_query(&range);
        let (status, _, body) = ask(
            &server.url,
            "REPORT",
            "/dav/bench-feed/",
            &[login.clone(), "Content-Type: application/xml".into()],
            &query,
        )?;
        let in_day = self.engine.count(&format!(
            "SELECT count(*) FROM appointments WHERE doctor_id = {doctor_id} AND clinic_id = {clinic_id} \
             AND local_date = {}",
            super::day_no(day)
        ))?;
        let day_events = body.matches("<D:response>").count();
        if status != 207 || in_day != day_events as i64 {
            return Err(format!(
                "the day's REPORT answered {status} with {day_events} events of {in_day}: {}",
                short(&body)
            ));
        }
        let list = format!("/v1/appointments?doctor_id={doctor}&start={from}&end={to}&limit=500");
        let (status, ..) = ask(
            &server.url,
            "GET",
            &list,
            &[format!("Authorization: Bearer {api}")],
            "",
        )?;
        if status != 200 {
            return Err(format!("the API's list answered {status}"));
        }
        eprintln!(
            "  the feed of doctor {doctor}: {visits} visits from {from} to {to}, {size} bytes; {day_events} on {day}"
        );
        let url = |path: &str| format!("{}{path}", server.url);
        run_wrk(wrk_with(3, FEED_CONNECTIONS, &[], "report.lua", &url(&cal), &[]).0)?;
        let mut rows = Vec::new();
        let dav_script = self.file("dav-body.xml");
        fs::write(&dav_script, &query).map_err(err)?;
        let dav_body = dav_script.to_string_lossy().into_owned();
        let run = |figure: &'static str, target: String, headers: Vec<String>, goal| WrkRun {
            figure,
            target,
            headers,
            script: "report.lua",
            args: Vec::new(),
            connections: FEED_CONNECTIONS,
            goal,
        };
        let runs = [
            run(
                "GET /cal/TOKEN.ics: a busy doctor's 90 days, unchanged since it was rendered",
                url(&cal),
                vec![],
                Some(FEED_P99_US),
            ),
            run(
                "GET /cal/TOKEN.ics with If-None-Match: 304, unchanged",
                url(&cal),
                vec![held.clone()],
                Some(NOT_MODIFIED_P99_US),
            ),
            WrkRun {
                script: "dav.lua",
                args: vec![dav_body.clone()],
                ..run(
                    "REPORT /dav/NAME/ calendar-query: one day",
                    url("/dav/bench-feed/"),
                    vec![login.clone()],
                    None,
                )
            },
            run(
                "reference: GET /v1/appointments?doctor_id&start&end&limit=500, the first 500 of the same visits as JSON",
                url(&list),
                vec![format!("Authorization: Bearer {api}")],
                None,
            ),
            WrkRun {
                connections: 1,
                ..run(
                    "GET /cal/TOKEN.ics with If-None-Match: 304, one phone (one connection)",
                    url(&cal),
                    vec![held.clone()],
                    Some(NOT_MODIFIED_P99_US),
                )
            },
            // The floor (issue 69): the same server, clients and cores
            // when an answer costs nothing but a ping of the store.
            run(
                "floor: GET /healthz, the same server answering a ping of its store",
                url("/healthz"),
                vec![],
                None,
            ),
        ];
        for WrkRun {
            figure,
            target,
            headers,
            script,
            args,
            connections,
            goal,
        } in runs
        {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let cmd = wrk_with(secs, connections, &headers, script, &target, &args);
            rows.push(wrk_row(figure, secs, cmd, &server, goal, "—")?);
        }
        // The first request after each change: the calendar rendered anew
        // (a visit's note written, which raises its sequence), one at a
        // time, as a phone meets it.
        let visit = self.engine.strings(&format!(
            "SELECT id FROM appointments WHERE doctor_id = {doctor_id} AND clinic_id = {clinic_id} \
             AND local_date = {} ORDER BY id LIMIT 1",
            super::day_no(day)
        ))?;
        let visit = visit.first().ok_or("no visit on the day")?;
        let mut after: Vec<u64> = Vec::new();
        for i in 0..AFTER_CHANGES {
            run_ok(self.appt_args(&["update", visit, "--notes", &format!("bench {i}")]))?;
            let t = Instant::now();
            let (status, _, body) = ask(&server.url, "GET", &cal, &[], "")?;
            after.push(t.elapsed().as_micros() as u64);
            if status != 200 || body.matches("BEGIN:VEVENT").count() != visits {
                return Err(format!("after a change the feed answered {status}"));
            }
        }
        after.sort_unstable();
        let nth =
            |q: f64| after[((after.len() as f64 * q).ceil() as usize).clamp(1, after.len()) - 1];
        eprintln!(
            "  after a change: p50 {}, p99 {}, max {}",
            us(nth(0.5)),
            us(nth(0.99)),
            us(nth(1.0))
        );
        rows.push(HttpRow {
            figure: format!(
                "GET /cal/TOKEN.ics after a change: the changed visit read and rendered ({AFTER_CHANGES} changes, one connection)"
            ),
            rate: "—".into(),
            latency: [nth(0.5), nth(0.99), nth(1.0)].map(us),
            answers: format!("{AFTER_CHANGES} × 200"),
            memory: format!("{} peak", mb(server.memory_kb("VmHWM")?)),
            goal: format!("p99 < {} ms", FEED_P99_US / 1000),
            met: Some(nth(0.99) < FEED_P99_US),
        });
        rows.push(HttpRow {
            figure: "GET /cal/TOKEN.ics, the server's first: every event rendered (one request)"
                .into(),
            rate: "—".into(),
            latency: [first, first, first].map(us),
            answers: "1 × 200".into(),
            memory: "—".into(),
            goal: "—".into(),
            met: None,
        });
        server.stop()?;
        run_ok(self.appt_args(&["token", "revoke", "bench-feed-api"]))?;
        let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load = load.split_whitespace().next().unwrap_or("?");
        Ok(HttpFigures {
            title: format!("calendar feed ({visits} visits)"),
            connections: FEED_CONNECTIONS,
            rows,
            load: format!("{load_before} before, {load} after"),
        })
    }
}

/// One wrk run of the figure.
struct WrkRun {
    figure: &'static str,
    target: String,
    headers: Vec<String>,
    script: &'static str,
    args: Vec<String>,
    connections: usize,
    goal: Option<u64>,
}

/// A calendar-query for `range` ("START END", UTC), as a phone sends it.
fn dav_query(range: &str) -> String {
    let (start, end) = range.split_once(' ').unwrap_or((range, range));
    format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{start}" end="{end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
    )
}
