//! Tests: a doctor's CalDAV calendar on Radicale, a real CalDAV server
//! (PyPI, in `$APPT_CALDAV_PYTHON`'s venv: .ci/run), started by the test —
//! read, changed, refused, gone (docs/calendars.md).

use crate::common::{s, Env};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USER: &str = "ana";
const PASSWORD: &str = "c0rrect-horse-radicale";

struct Radicale {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Radicale {
    /// Radicale on a free port of 127.0.0.1, one user (plain htpasswd),
    /// or None where `$APPT_CALDAV_PYTHON` is not set (never under CI).
    fn start() -> Option<Radicale> {
        let Some(python) = std::env::var_os("APPT_CALDAV_PYTHON") else {
            crate::common::missing_tool("Radicale ($APPT_CALDAV_PYTHON)");
            return None;
        };
        let python = PathBuf::from(python);
        let has = Command::new(&python)
            .args(["-c", "import radicale"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(has, "radicale in $APPT_CALDAV_PYTHON (.ci/run installs it)");
        let dir = tempfile::tempdir().unwrap();
        let users = dir.path().join("users");
        std::fs::write(&users, format!("{USER}:{PASSWORD}\n")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&python)
            .args(["-m", "radicale", "--server-hosts"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--storage-filesystem-folder")
            .arg(dir.path().join("collections"))
            .args(["--auth-type", "htpasswd", "--auth-htpasswd-filename"])
            .arg(&users)
            .args([
                "--auth-htpasswd-encryption",
                "plain",
                "--logging-level",
                "debug",
            ])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("log")).unwrap())
            .spawn()
            .expect("radicale");
        let r = Radicale {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let until = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "radicale did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(r)
    }

    /// What Radicale logged (at its debug level) so far.
    fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("log")).unwrap_or_default()
    }

    fn send(&self, method: &str, path: &str, body: &str) -> u16 {
        use base64::Engine;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
        let r = ureq::request(method, &format!("{}{path}", self.base))
            .set("Authorization", &format!("Basic {auth}"))
            .set("Content-Type", "text/calendar; charset=utf-8")
            .send_string(body);
        match r {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r.status(),
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    /// A calendar collection `/ana/NAME/`; its address.
    fn calendar(&self, name: &str) -> String {
        let path = format!("/{USER}/{name}/");
        assert_eq!(self.send("MKCALENDAR", &path, ""), 201);
        format!("{}{path}", self.base)
    }

    fn event(&self, calendar: &str, uid: &str, body: &str) {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
             DTSTAMP:20260601T000000Z\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let status = self.send("PUT", &format!("/{USER}/{calendar}/{uid}.ics"), &ics);
        assert!(status == 201 || status == 204, "PUT {uid}: {status}");
    }
}

fn add(env: &Env, name: &str, url: &str, password: &str) -> std::process::Output {
    env.cmd()
        .args([
            "calendar",
            "add",
            name,
            "-d",
            "García",
            "--url",
            url,
            "--user",
            USER,
            "--password-stdin",
            "--json",
        ])
        .write_stdin(format!("{password}\n"))
        .output()
        .unwrap()
}

fn reason_at(env: &Env, date: &str, time: &str) -> Value {
    let day = env.ok(&["slots", "-d", "García", "-D", date, "--all"]);
    day["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["start_time"] == time)
        .map(|x| x["reason"].clone())
        .unwrap_or_else(|| panic!("no {time} on {date}: {day}"))
}

#[test]
fn a_caldav_calendar_on_radicale_is_read_kept_fresh_and_refuses_a_wrong_password_or_a_stall() {
    let Some(radicale) = Radicale::start() else {
        return;
    };
    let env = Env::clinic();
    let url = radicale.calendar("personal");
    // The hospital's shift, every Tuesday 10:00–11:00 (UTC-6), but the 23rd.
    radicale.event(
        "personal",
        "shift",
        "DTSTART:20260609T160000Z\r\nDTEND:20260609T170000Z\r\nRRULE:FREQ=WEEKLY\r\n\
         EXDATE:20260623T160000Z\r\nSUMMARY:Turno hospital\r\n",
    );
    let out = add(&env, "garcia-nube", &url, PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["kind"], "caldav");
    assert_eq!(added["host"], "http://127.0.0.1");
    assert!(added["busy_times"].as_i64().unwrap() >= 8, "{added}");
    assert_eq!(reason_at(&env, "2026-06-16", "10:00"), "CALENDAR_BUSY");
    assert_eq!(reason_at(&env, "2026-06-23", "10:00"), Value::Null);
    assert_eq!(reason_at(&env, "2026-06-30", "10:30"), "CALENDAR_BUSY");

    // Unchanged: its getctag and sync-token say so.
    let synced = env.ok(&["calendar", "sync", "garcia-nube"]);
    assert_eq!(synced["calendars"][0]["outcome"], "unchanged", "{synced}");

    // A surgery on Wednesday, and a cancelled meeting, are read at the
    // next sync.
    radicale.event(
        "personal",
        "surgery",
        "DTSTART:20260617T150000Z\r\nDTEND:20260617T153000Z\r\nSUMMARY:Cirugía\r\n",
    );
    radicale.event(
        "personal",
        "meeting",
        "DTSTART:20260617T170000Z\r\nDTEND:20260617T180000Z\r\nSTATUS:CANCELLED\r\n",
    );
    let synced = env.ok(&["calendar", "sync", "--doctor", "García"]);
    assert_eq!(synced["calendars"][0]["outcome"], "read", "{synced}");
    assert_eq!(reason_at(&env, "2026-06-17", "09:00"), "CALENDAR_BUSY");
    assert_eq!(reason_at(&env, "2026-06-17", "11:00"), Value::Null);

    // A wrong password: refused, saying so, and nothing added.
    let other = radicale.calendar("otro");
    let out = add(&env, "garcia-otro", &other, "wrong");
    assert_eq!(out.status.code(), Some(7));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "DELIVERY_FAILED");
    assert!(s(&e["error"]["message"]).contains("401"), "{e}");
    assert!(!e.to_string().contains("wrong"), "{e}");
    assert_eq!(
        env.ok(&["calendar", "list"])["calendars"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The server stalls (stopped: it takes the connection and never
    // answers): given up after 10 seconds, stale, the busy times kept.
    let pid = radicale.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .unwrap()
        .success());
    let started = Instant::now();
    let out = env
        .cmd()
        .args(["calendar", "sync", "--json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(Command::new("kill")
        .args(["-CONT", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(out.status.code(), Some(7));
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let c = &env.ok(&["calendar", "show", "garcia-nube"]);
    assert!(s(&c["reason"]).contains("10 seconds"), "{c}");
    assert_eq!(reason_at(&env, "2026-06-16", "10:00"), "CALENDAR_BUSY");

    // The server gone: stale, the busy times kept.
    drop(radicale);
    let out = env
        .cmd()
        .args(["calendar", "sync", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let c = &env.ok(&["calendar", "show", "garcia-nube"]);
    assert_eq!(c["stale"], true);
    assert!(s(&c["reason"]).starts_with("no connection"), "{c}");
    assert_eq!(reason_at(&env, "2026-06-16", "10:00"), "CALENDAR_BUSY");
}

/// How many `sync-collection` reports Radicale was asked, and how many
/// of their sync-tokens it no longer knew.
fn sync_reports(radicale: &Radicale) -> (usize, usize) {
    let log = radicale.log();
    (
        log.matches("Client provided sync token: 'http").count(),
        log.matches("invalid sync token").count(),
    )
}

#[test]
fn a_changed_collection_is_read_by_its_changes_and_whole_when_its_token_is_forgotten() {
    let Some(radicale) = Radicale::start() else {
        return;
    };
    let env = Env::clinic();
    let url = radicale.calendar("personal");
    // Tuesdays 10:00–11:00 (UTC-6) at the hospital; a surgery on Wednesday.
    radicale.event(
        "personal",
        "shift",
        "DTSTART:20260609T160000Z\r\nDTEND:20260609T170000Z\r\nRRULE:FREQ=WEEKLY\r\n",
    );
    radicale.event(
        "personal",
        "surgery",
        "DTSTART:20260617T150000Z\r\nDTEND:20260617T153000Z\r\n",
    );
    let out = add(&env, "garcia-nube", &url, PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    let before = added["busy_times"].as_i64().unwrap();
    assert_eq!(sync_reports(&radicale), (0, 0), "the first read is whole");

    // The surgery is cancelled (deleted), a meeting on Thursday is added.
    assert_eq!(
        radicale.send("DELETE", "/ana/personal/surgery.ics", ""),
        200
    );
    radicale.event(
        "personal",
        "meeting",
        "DTSTART:20260618T160000Z\r\nDTEND:20260618T170000Z\r\n",
    );
    let synced = env.ok(&["calendar", "sync", "garcia-nube"]);
    assert_eq!(synced["calendars"][0]["outcome"], "read", "{synced}");
    assert_eq!(sync_reports(&radicale), (1, 0), "read by its changes");
    assert_eq!(reason_at(&env, "2026-06-17", "09:00"), Value::Null);
    assert_eq!(reason_at(&env, "2026-06-18", "10:00"), "CALENDAR_BUSY");
    // The shift, which did not change, still blocks.
    assert_eq!(reason_at(&env, "2026-06-16", "10:00"), "CALENDAR_BUSY");
    assert_eq!(reason_at(&env, "2026-06-30", "10:30"), "CALENDAR_BUSY");
    let c = env.ok(&["calendar", "show", "garcia-nube"]);
    assert_eq!(c["busy_times"].as_i64(), Some(before), "{c}");

    // The shift moves to 12:00: its old times are gone with it.
    radicale.event(
        "personal",
        "shift",
        "DTSTART:20260609T180000Z\r\nDTEND:20260609T190000Z\r\nRRULE:FREQ=WEEKLY\r\n",
    );
    env.ok(&["calendar", "sync", "garcia-nube"]);
    assert_eq!(sync_reports(&radicale), (2, 0));
    assert_eq!(reason_at(&env, "2026-06-16", "10:00"), Value::Null);
    assert_eq!(reason_at(&env, "2026-06-16", "12:00"), "CALENDAR_BUSY");

    // Radicale forgets the sync-tokens it gave: it refuses the one appt
    // knows, and the collection is read whole, as it is now.
    let cache = radicale
        ._dir
        .path()
        .join("collections/collection-root/ana/personal/.Radicale.cache/sync-token");
    std::fs::remove_dir_all(&cache).unwrap();
    assert_eq!(
        radicale.send("DELETE", "/ana/personal/meeting.ics", ""),
        200
    );
    let synced = env.ok(&["calendar", "sync", "garcia-nube"]);
    assert_eq!(synced["calendars"][0]["outcome"], "read", "{synced}");
    assert_eq!(sync_reports(&radicale), (3, 1));
    assert_eq!(reason_at(&env, "2026-06-18", "10:00"), Value::Null);
    assert_eq!(reason_at(&env, "2026-06-16", "12:00"), "CALENDAR_BUSY");
    assert_eq!(reason_at(&env, "2026-06-16", "10:00"), Value::Null);
    assert_eq!(env.ok(&["check"])["ok"], true);
}

/// The events of the collection `name`, as Radicale holds them: each
/// resource's path and text.
fn events(radicale: &Radicale, name: &str) -> Vec<(String, String)> {
    let dir = radicale
        ._dir
        .path()
        .join("collections/collection-root")
        .join(USER)
        .join(name);
    let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "ics"))
                .map(|e| {
                    let text = std::fs::read_to_string(e.path()).unwrap();
                    (e.file_name().to_string_lossy().into_owned(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[test]
fn with_write_the_doctors_visits_are_written_moved_and_deleted_once_each() {
    let Some(radicale) = Radicale::start() else {
        return;
    };
    let env = Env::clinic();
    let url = radicale.calendar("consultas");
    let out = env
        .cmd()
        .args([
            "calendar",
            "add",
            "garcia-consultas",
            "-d",
            "García",
            "--url",
            &url,
            "--user",
            USER,
            "--password-stdin",
            "--write",
            "--json",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(added["write"], true);
    let a = env.ok(&[
        "book",
        "-d",
        "García",
        "-D",
        "2026-06-16",
        "-t",
        "10:00",
        "-P",
        "+503 7012-3456",
        "--name",
        "Lucía Castro",
        "-r",
        "Dolor de cabeza",
        "--notes",
        "alergia a penicilina",
    ]);
    let id = s(&a["appointment"]["id"]).to_string();
    env.ok(&["calendar", "sync", "garcia-consultas"]);
    let written = events(&radicale, "consultas");
    assert_eq!(written.len(), 1, "{written:?}");
    let (file, text) = &written[0];
    assert_eq!(file, &format!("{id}.ics"));
    assert!(text.contains(&format!("UID:{id}")), "{text}");
    assert!(text.contains("SUMMARY:L. C.: Appointment"), "{text}");
    assert!(text.contains("DTSTART:20260616T160000Z"), "{text}");
    for secret in ["Lucía", "Castro", "7012", "Dolor", "penicilina"] {
        assert!(!text.contains(secret), "{secret} written: {text}");
    }
    // Read back, it is not a busy time of the doctor's: the slot after it
    // is free, and the calendar holds none.
    let c = env.ok(&["calendar", "show", "garcia-consultas"]);
    assert_eq!(c["busy_times"], 0, "{c}");

    // Synced again: nothing written twice, and the visit, read back among
    // the collection's changes, is still not a busy time.
    env.ok(&["calendar", "sync", "garcia-consultas"]);
    assert_eq!(events(&radicale, "consultas").len(), 1);
    let c = env.ok(&["calendar", "show", "garcia-consultas"]);
    assert_eq!(c["busy_times"], 0, "{c}");

    // A lost answer: appt did not hear the server took it, so it writes
    // it again; the event is there once, as it is now.
    env.exec("DELETE FROM calendar_writes");
    env.ok(&["reschedule", &id, "-t", "11:30"]);
    env.ok(&["calendar", "sync", "garcia-consultas"]);
    let written = events(&radicale, "consultas");
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(
        written[0].1.contains("DTSTART:20260616T173000Z"),
        "{}",
        written[0].1
    );

    // A patient erased: their visit's event no longer names them, or is
    // gone with the visit.
    let b = env.ok(&[
        "book",
        "-d",
        "García",
        "-D",
        "2026-06-17",
        "-t",
        "09:00",
        "-P",
        "+503 7012-9999",
        "--name",
        "Mario Ruiz",
    ]);
    env.ok(&["calendar", "sync", "garcia-consultas"]);
    let theirs = |r: &Radicale| {
        events(r, "consultas")
            .into_iter()
            .find(|(f, _)| f.starts_with(s(&b["appointment"]["id"])))
    };
    assert!(theirs(&radicale).is_some_and(|(_, t)| t.contains("M. R.")));
    env.ok(&[
        "patient",
        "erase",
        "+503 7012-9999",
        "--reason",
        "solicitud 7",
    ]);
    env.ok(&["calendar", "sync", "garcia-consultas"]);
    if let Some((_, t)) = theirs(&radicale) {
        assert!(!t.contains("M. R."), "{t}");
    }

    // Cancelled: deleted there.
    env.ok(&["cancel", &id, "-r", "Paciente llamó", "-y"]);
    env.ok(&["calendar", "sync", "garcia-consultas"]);
    let left = events(&radicale, "consultas");
    assert!(left.iter().all(|(f, _)| !f.starts_with(&id)), "{left:?}");
    assert_eq!(
        env.rows(&format!(
            "SELECT count(*) FROM calendar_writes WHERE appointment_id = {}",
            env.id_literal(&id)
        ))[0][0],
        "0"
    );

    // An ICS address cannot be written; nothing is added.
    let ics = crate::calendars::Server::ics("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n");
    env.refused(
        &[
            "calendar", "add", "x", "-d", "García", "--url", &ics.url, "--write",
        ],
        "VALIDATION_ERROR",
        2,
    );
}
