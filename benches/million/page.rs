//! The booking page's figure (docs/performance.md#booking-page): the first
//! clinic's page turned on through appt's own commands (`clinic update
//! --online-booking on --public-url … --slug centro`, `service update
//! --online yes`, `doctor update --online yes` for each of its doctors),
//! then `appt serve` under wrk with 100 keep-alive connections (issue 46's
//! 100 patients on the page at once): the time step (a day's free times)
//! with the doctor of the `slots` figure and with whoever is first free, the
//! day step with whoever is first free, and beside them the API's answer
//! to the time step's question for the one doctor, `GET /v1/slots`. Every
//! page is checked once before it is timed (200, with the times or days it
//! must offer); the page is turned off again after.

use super::*;

/// Keep-alive connections on the page: the patients on it at once.
const PAGE_CONNECTIONS: usize = 100;
/// The page's address ends so.
const PAGE_SLUG: &str = "centro";
/// The page's goal: p99 under this many microseconds (issue 46).
const PAGE_P99_US: u64 = 50_000;

/// One GET over a connection of its own: the status and the body.
fn get(url: &str, path: &str) -> Res<(u16, String)> {
    super::feed::ask(url, "GET", path, &[], "").map(|(status, _, body)| (status, body))
}

impl Bench<'_> {
    /// The booking page's figures, on a server of their own; the page is
    /// turned off again, and the API's token for the reference revoked,
    /// whatever they come to (a kept server database, `APPT_BENCH_PG_KEEP`,
    /// is taken again by the next run).
    pub(super) fn page(&self) -> Res<HttpFigures> {
        let on = self.page_on();
        let figures = on.and_then(|service| self.page_figures(&service));
        let off = run_ok(self.appt_args(&[
            "clinic",
            "update",
            &self.plan.clinic,
            "--online-booking",
            "off",
        ]));
        let revoked = run_ok(self.appt_args(&["token", "revoke", "bench-page"]));
        // A run that failed may have failed before the token was made.
        let figures = figures?;
        off?;
        revoked?;
        Ok(figures)
    }

    /// The first clinic's page on, its one service and every doctor with
    /// windows there on it: the service's ID.
    fn page_on(&self) -> Res<String> {
        let p = self.plan;
        run_ok(self.appt_args(&[
            "clinic",
            "update",
            &p.clinic,
            "--online-booking",
            "on",
            "--public-url",
            "https://citas.example.com",
            "--slug",
            PAGE_SLUG,
        ]))?;
        let out = run_ok(self.appt_args(&[
            "service",
            "update",
            "Consulta general",
            "--online",
            "yes",
            "--json",
        ]))?;
        let service = serde_json::from_str::<serde_json::Value>(&out)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_string))
            .ok_or_else(|| format!("service update printed no ID: {}", short(&out)))?;
        // A clinic's and a doctor's ID are kept as their 16 bytes.
        let doctors = self.engine.strings(&format!(
            "SELECT DISTINCT {} FROM windows WHERE clinic_id = {} ORDER BY 1",
            self.engine.id_text("doctor_id"),
            self.engine.id_literal(&p.clinic_id)
        ))?;
        for d in &doctors {
            run_ok(self.appt_args(&["doctor", "update", d, "--online", "yes"]))?;
        }
        eprintln!(
            "  the page of {} on: {} doctors, service {service}",
            p.clinic,
            doctors.len()
        );
        Ok(service)
    }

    /// The day the time step is asked for: the plan's (tomorrow) where the
    /// `slots` figure's doctor has a free time then, else the first day
    /// after it that has one. A workload may have filled that doctor's
    /// tomorrow, and a time step offering nothing is not the page a patient
    /// waits on (nor would its check below pass).
    fn page_day(&self, service: &str) -> Res<chrono::NaiveDate> {
        let p = self.plan;
        for ahead in 0..14 {
            let day = p.day + Duration::days(ahead);
            let out = run_ok(self.appt_args(&[
                "slots",
                "--doctor",
                &p.doctor,
                "--date",
                &day.to_string(),
                "--service",
                service,
                "--json",
            ]))?;
            let free = serde_json::from_str::<serde_json::Value>(&out)
                .ok()
                .and_then(|v| v["slots"].as_array().map(|s| !s.is_empty()))
                .ok_or_else(|| format!("slots printed no slots: {}", short(&out)))?;
            if free {
                return Ok(day);
            }
        }
        Err(format!(
            "{} has no free time in the 14 days from {}",
            p.doctor, p.day
        ))
    }

    fn page_figures(&self, service: &str) -> Res<HttpFigures> {
        let secs: u64 = (env_or("APPT_BENCH_HTTP_SECONDS", 60).max(3) / 3).max(3);
        let p = self.plan;
        let load_before = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load_before = load_before.split_whitespace().next().unwrap_or("?");
        let made = run_ok(self.appt_args(&[
            "token",
            "add",
            "bench-page",
            "--scopes",
            "appointments:read",
            "--json",
        ]))?;
        let token = serde_json::from_str::<serde_json::Value>(&made)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_string))
            .ok_or_else(|| format!("appt token add printed no token: {}", short(&made)))?;
        let day = self.page_day(service)?;
        let server = Server::start(self.engine, &self.file("serve-page.err"))?;
        let page = format!("/b/{PAGE_SLUG}?service={service}");
        let one = format!("{page}&doctor={}&date={day}", p.doctor);
        let any = format!("{page}&doctor=any&date={day}");
        let days = format!("{page}&doctor=any");
        let slots = format!("/v1/slots?doctor={}&date={day}&service={service}", p.doctor);
        // What each page must show before it is timed.
        let (status, body) = get(&server.url, &one)?;
        let offered = body.matches(&format!("{}|", p.doctor)).count();
        if status != 200 || offered == 0 {
            return Err(format!(
                "the time step answered {status} with {offered} free times: {}",
                short(&body)
            ));
        }
        let (status, body) = get(&server.url, &any)?;
        let offered_any = body.matches("|20").count();
        if status != 200 || offered_any < offered {
            return Err(format!(
                "the time step, anyone, answered {status} with {offered_any} free times: {}",
                short(&body)
            ));
        }
        let (status, body) = get(&server.url, &days)?;
        if status != 200 || !body.contains(&format!("value=\"{day}\"")) {
            return Err(format!(
                "the day step answered {status} without {day}: {}",
                short(&body)
            ));
        }
        eprintln!(
            "  the time step of {day} offers {offered} times with one doctor, {offered_any} with anyone"
        );
        // Warm-up: the pages read, the server's threads started.
        let url = |path: &str| format!("{}{path}", server.url);
        let health = "/healthz".to_string();
        run_wrk(wrk(3, PAGE_CONNECTIONS, None, "report.lua", &url(&one), &[]).0)?;
        let mut rows = Vec::new();
        let runs = [
            (
                "GET /b/SLUG?service&doctor&date: the time step, one doctor",
                &one,
                None,
                Some(PAGE_P99_US),
            ),
            (
                "GET /b/SLUG?service&doctor=any&date: the time step, whoever is first free",
                &any,
                None,
                Some(PAGE_P99_US),
            ),
            (
                "GET /b/SLUG?service&doctor=any: the day step (14 days), whoever is first free",
                &days,
                None,
                Some(PAGE_P99_US),
            ),
            (
                "reference: GET /v1/slots?doctor&date&service, the time step's question of the API",
                &slots,
                Some(token.as_str()),
                None,
            ),
            // The floor (issue 69): what the same server, clients and
            // cores answer when an answer costs nothing but a ping of the
            // store; how far a page is above it is appt's own.
            (
                "floor: GET /healthz, the same server answering a ping of its store",
                &health,
                None,
                None,
            ),
        ];
        for (figure, path, token, goal) in runs {
            let cmd = wrk(secs, PAGE_CONNECTIONS, token, "report.lua", &url(path), &[]);
            rows.push(wrk_row(
                figure,
                secs,
                cmd,
                &server,
                goal,
                "— (the API beside it)",
            )?);
        }
        server.stop()?;
        let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load = load.split_whitespace().next().unwrap_or("?");
        Ok(HttpFigures {
            title: "booking page".into(),
            connections: PAGE_CONNECTIONS,
            rows,
            load: format!("{load_before} before, {load} after"),
        })
    }
}
