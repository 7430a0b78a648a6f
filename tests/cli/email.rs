//! Tests: e-mail through a clinic's e-mail channel (docs/commands.md#appt-channel,
//! docs/rules.md#e-mail) against a real SMTP server, Python's aiosmtpd, with
//! TLS from a throwaway CA (`SSL_CERT_FILE`); what it received is read with
//! Python's `email` package and `icalendar` (tests/email/smtp.py), not with
//! anything appt wrote. Skipped where `$APPT_PYTHON` is not set, never under
//! CI.

use crate::channels::{add_sms, check_twilio, no_more, providers, secret_file, seen, twilio_sent};
use crate::common::{s, Env};
use crate::engines::Certificates;
use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const USER: &str = "desk@clinic.example";
const PASSWORD: &str = "smtp+PASSWORD/0secret";
const FROM: &str = "citas@clinica.example";
const REPLY_TO: &str = "recepcion@clinica.example";
const CLINIC: &str = "Clínica Ñandú Central";
/// Tuesday 2026-06-16 10:00 in El Salvador (16:00Z).
const TUE: &str = "2026-06-16";

/// `$APPT_PYTHON` with aiosmtpd and icalendar, or None where it is not set
/// (never under CI).
fn python() -> Option<PathBuf> {
    let Some(python) = std::env::var_os("APPT_PYTHON") else {
        crate::common::missing_tool("Python with aiosmtpd and icalendar ($APPT_PYTHON)");
        return None;
    };
    let has = Command::new(&python)
        .args(["-c", "import aiosmtpd, icalendar"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has,
        "aiosmtpd and icalendar in $APPT_PYTHON (.ci/run installs them)"
    );
    Some(PathBuf::from(python))
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/email/smtp.py")
}

/// aiosmtpd on 127.0.0.1, until dropped: what it logged and took is in `dir`.
struct Smtpd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Smtpd {
    /// `mode`: smtps, starttls or plain; `rcpt`: the reply to every RCPT
    /// instead of 250; `password`: the one it takes.
    fn start(python: &Path, mode: &str, certs: &Certificates, rcpt: Option<&str>) -> Smtpd {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Command::new(python);
        c.arg(script())
            .args(["serve", "--mode", mode, "--dir"])
            .arg(dir.path())
            .arg("--cert")
            .arg(&certs.cert)
            .arg("--key")
            .arg(&certs.key)
            .args(["--user", USER, "--password", PASSWORD]);
        if let Some(r) = rcpt {
            c.args(["--rcpt", r]);
        }
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("aiosmtpd did not start: {line:?}"));
        Smtpd { child, port, dir }
    }

    /// What it logged, one object per step.
    fn log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("log.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn events(&self, event: &str) -> Vec<Value> {
        self.log()
            .into_iter()
            .filter(|e| e["event"] == event)
            .collect()
    }

    /// The `n`th message it took, as the `email` package and `icalendar`
    /// read it.
    fn message(&self, python: &Path, n: usize) -> Value {
        let file = self.dir.path().join(format!("{n}.eml"));
        assert!(file.exists(), "message {n} was not taken: {:?}", self.log());
        let out = Command::new(python)
            .arg(script())
            .arg("read")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn taken(&self) -> usize {
        self.events("message").len()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The common clinic (notifications off) renamed with accents, in `lang`,
/// with a public URL (links in its messages).
fn clinic(lang: &str) -> Env {
    let env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--name",
        CLINIC,
        "--language",
        lang,
        "--public-url",
        "https://citas.example",
    ]);
    env
}

/// An e-mail channel to the server on `port`: `smtps://` or `smtp://`.
fn add_email(env: &Env, scheme: &str, port: u16, password: &str) -> Value {
    let pw = secret_file(env, "smtp.pw", password);
    env.ok(&[
        "channel",
        "add",
        "email",
        "--smtp-url",
        &format!("{scheme}://{USER}@localhost:{port}"),
        "--password-file",
        &pw,
        "--from",
        FROM,
        "--reply-to",
        REPLY_TO,
    ])
}

/// `appt ARGS` trusting `ca` alone: (exit code, stdout, stderr), neither
/// showing the password.
fn run(env: &Env, ca: &Path, args: &[&str], lang: Option<&str>) -> (i32, String, String) {
    let mut c = env.cmd();
    c.args(args)
        .env("SSL_CERT_FILE", ca)
        .env_remove("SSL_CERT_DIR");
    if let Some(l) = lang {
        c.env("APPT_LANG", l);
    }
    let out = c.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    for text in [&stdout, &stderr] {
        assert!(!text.contains(PASSWORD), "the password was shown: {text}");
    }
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// `channel test email --to ADDR --json`: (exit code, stdout's or stderr's JSON).
fn test_mail(env: &Env, ca: &Path, to: &str) -> (i32, Value) {
    let (code, out, err) = run(
        env,
        ca,
        &["channel", "test", "email", "--to", to, "--json"],
        None,
    );
    let text = if code == 0 { out } else { err };
    (code, serde_json::from_str(text.trim()).unwrap())
}

/// `remind due` trusting `ca`: (exit code, JSON lines, stderr).
fn remind_due(env: &Env, ca: &Path) -> (i32, Vec<Value>, String) {
    let (code, out, err) = run(env, ca, &["remind", "due"], None);
    (code, crate::common::json_lines(out.as_bytes()), err)
}

/// The parts' content types, in the order the message holds them.
fn types(m: &Value) -> Vec<&str> {
    m["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| s(&p["type"]))
        .collect()
}

fn part<'a>(m: &'a Value, kind: &str) -> &'a Value {
    m["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} part: {m}"))
}

/// Each message the server took came over TLS, after AUTH with the
/// channel's user and password over TLS, and no AUTH was ever said in clear.
fn all_over_tls_after_auth(srv: &Smtpd) {
    let auths = srv.events("auth");
    assert!(!auths.is_empty(), "{:?}", srv.log());
    for a in &auths {
        assert_eq!(a["login"], USER, "{a}");
        assert_eq!(a["ok"], true, "{a}");
        assert_eq!(a["tls"], true, "{a}");
    }
    for m in srv.events("message") {
        assert_eq!(m["tls"], true, "{m}");
        assert_eq!(m["authenticated"], true, "{m}");
        assert_eq!(m["mail_from"], FROM);
    }
}

#[test]
fn channel_test_sends_an_email_over_smtps_and_over_starttls_in_the_clinics_language() {
    let Some(py) = python() else { return };
    let certs = Certificates::new();
    for (mode, scheme, lang) in [("smtps", "smtps", "es"), ("starttls", "smtp", "en")] {
        let srv = Smtpd::start(&py, mode, &certs, None);
        let env = clinic(lang);
        add_email(&env, scheme, srv.port, PASSWORD);
        let (code, v) = test_mail(&env, &certs.ca, "lucia@example.com");
        assert_eq!(code, 0, "{mode}: {v}");
        assert_eq!(v["outcome"], "sent");
        assert_eq!(v["to"], "lucia@example.com");
        all_over_tls_after_auth(&srv);
        // STARTTLS: a first EHLO in clear, then one over TLS; smtps: TLS throughout.
        let tls: Vec<bool> = srv
            .events("ehlo")
            .iter()
            .map(|e| e["tls"].as_bool().unwrap())
            .collect();
        match mode {
            "smtps" => assert_eq!(tls, [true]),
            _ => assert_eq!(tls, [false, true]),
        }
        let m = srv.message(&py, 1);
        assert_eq!(m["message_id"], v["provider_id"], "{m}");
        assert!(s(&m["message_id"]).ends_with("@clinica.example>"), "{m}");
        assert_eq!(
            types(&m),
            ["multipart/alternative", "text/plain", "text/html"]
        );
        for kind in ["text/plain", "text/html"] {
            assert_eq!(part(&m, kind)["charset"], "utf-8", "{m}");
        }
        // Every header and part encoded: the bytes are ASCII, the words are not.
        assert_eq!(m["ascii"], true);
        let (subject, text) = match lang {
            "es" => (
                "Mensaje de prueba de Clínica Ñandú Central",
                "Mensaje de prueba de Clínica Ñandú Central: este canal funciona.",
            ),
            _ => (
                "Test message from Clínica Ñandú Central",
                "Test message from Clínica Ñandú Central: this channel works.",
            ),
        };
        assert_eq!(m["subject"], subject);
        assert_eq!(s(&m["text"]).trim_end(), text);
        assert!(s(&m["html"]).contains(text), "{m}");
        assert!(s(&m["html"]).contains(&format!("lang=\"{lang}\"")));
        assert_eq!(m["from"], format!("{CLINIC} <{FROM}>"));
        assert_eq!(m["to"], "lucia@example.com");
        assert_eq!(m["reply_to"], REPLY_TO);
        assert_eq!(m["calendars"], serde_json::json!([]));

        // The desk's words, in its language.
        let (code, out, err) = run(
            &env,
            &certs.ca,
            &["channel", "test", "email", "--to", "lucia@example.com"],
            Some(lang),
        );
        assert_eq!(code, 0, "{err}");
        let said = match lang {
            "es" => "Mensaje de prueba enviado por email a lucia@example.com",
            _ => "Sent a test message through email to lucia@example.com",
        };
        assert!(out.contains(said), "{out}");
        assert_eq!(srv.taken(), 2);
        // An address is what an e-mail channel is tested with.
        let d = env.refused(
            &["channel", "test", "email", "--to", "+50370001111"],
            "VALIDATION_ERROR",
            2,
        );
        assert!(d.get("to").is_some(), "{d}");
    }
}

/// The patient Lucía Peña, +503 7000-9999, with an e-mail address; returns
/// her appointment on Tuesday at 10:00 (a reason and notes, which no e-mail
/// may carry).
fn lucia_books(env: &Env) -> Value {
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Lucía Peña",
        "-P",
        "+50370009999",
        "--email",
        "lucia@example.com",
    ]);
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--time",
        "10:00",
        "--patient",
        "+50370009999",
        "--reason",
        "Dolor torácico",
        "--notes",
        "Antecedentes cardíacos",
    ])["appointment"]
        .clone()
}

/// The one calendar event of message `m` (the inline part and the
/// attachment hold the same calendar): (METHOD, the event).
fn invitation(m: &Value) -> (String, Value) {
    let cals = m["calendars"].as_array().unwrap();
    assert_eq!(cals.len(), 2, "{m}");
    let kinds: Vec<&str> = cals.iter().map(|c| s(&c["type"])).collect();
    assert_eq!(kinds, ["text/calendar", "application/ics"]);
    let strip = |c: &Value| {
        let mut c = c.clone();
        c.as_object_mut().unwrap().remove("type");
        c
    };
    assert_eq!(strip(&cals[0]), strip(&cals[1]));
    assert_eq!(cals[0]["zones"], serde_json::json!(["America/El_Salvador"]));
    let events = cals[0]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    (s(&cals[0]["method"]).to_string(), events[0].clone())
}

#[test]
fn remind_due_emails_the_news_of_a_visit_with_one_invitation_moved_then_cancelled() {
    let Some(py) = python() else { return };
    let certs = Certificates::new();
    let srv = Smtpd::start(&py, "starttls", &certs, None);
    let env = clinic("es");
    env.ok(&["clinic", "update", CLINIC, "--notify", "on"]);
    add_email(&env, "smtp", srv.port, PASSWORD);
    let a = lucia_books(&env);
    let id = s(&a["id"]).to_string();

    let mut sequences = Vec::new();
    let steps: [(&[&str], &str, &str, &str, &str); 3] = [
        (
            &[],
            "confirmation",
            "Cita reservada en Clínica Ñandú Central: martes 16 de junio a las 10:00",
            "REQUEST",
            "2026-06-16T16:00:00Z",
        ),
        (
            &["reschedule", &id, "--time", "11:00"],
            "rescheduled",
            "Cita cambiada en Clínica Ñandú Central: martes 16 de junio a las 11:00",
            "REQUEST",
            "2026-06-16T17:00:00Z",
        ),
        (
            &[
                "cancel",
                &id,
                "--reason",
                "Agenda interna",
                "--tell-patient",
                "El doctor viaja",
            ],
            "cancelled",
            "Cita cancelada en Clínica Ñandú Central: martes 16 de junio a las 11:00",
            "CANCEL",
            "2026-06-16T17:00:00Z",
        ),
    ];
    for (n, (change, kind, subject, method, start)) in steps.into_iter().enumerate() {
        if !change.is_empty() {
            env.ok(change);
        }
        let (code, lines, err) = remind_due(&env, &certs.ca);
        assert_eq!(code, 0, "{kind}: {err}");
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = &lines[0];
        assert_eq!(
            (line["kind"].as_str(), line["channel"].as_str()),
            (Some(kind), Some("email"))
        );
        let m = srv.message(&py, n + 1);
        assert_eq!(m["message_id"], line["provider_id"], "{m}");
        assert_eq!(m["to"], "lucia@example.com");
        assert_eq!(m["subject"], subject);
        assert_eq!(
            types(&m),
            [
                "multipart/mixed",
                "multipart/alternative",
                "text/plain",
                "text/html",
                "text/calendar",
                "application/ics"
            ],
            "{m}"
        );
        for t in ["text/plain", "text/html", "text/calendar"] {
            assert_eq!(part(&m, t)["charset"], "utf-8", "{t}: {m}");
        }
        assert_eq!(part(&m, "text/calendar")["method"], method);
        let file = part(&m, "application/ics");
        assert_eq!(
            (file["disposition"].as_str(), file["filename"].as_str()),
            (Some("attachment"), Some("invite.ics"))
        );
        // The words `remind due` printed, accents intact, and the link.
        let message = s(&line["message"]);
        assert!(message.contains("Lucía"), "{message}");
        assert_eq!(s(&m["text"]).trim_end(), message);
        match line["link"].as_str() {
            Some(link) => {
                assert!(link.starts_with("https://citas.example/p/"), "{link}");
                assert!(s(&m["text"]).contains(link));
                assert!(
                    m["links"].as_array().unwrap().iter().any(|l| l == link),
                    "{m}"
                );
            }
            // A cancellation offers nothing to act on.
            None => assert_eq!(kind, "cancelled"),
        }
        let (got_method, event) = invitation(&m);
        assert_eq!(got_method, method);
        assert_eq!(event["uid"], id.as_str());
        assert_eq!(event["tzid"], "America/El_Salvador");
        assert_eq!(event["dtstart"], start);
        assert_eq!(event["organizer"], format!("mailto:{FROM}"));
        assert_eq!(event["attendee"], "mailto:lucia@example.com");
        if method == "CANCEL" {
            assert_eq!(event["status"], "CANCELLED");
        }
        sequences.push(event["sequence"].as_i64().unwrap());
        // Nothing clinical, nor the desk's own reason for a cancellation.
        let all = m.to_string();
        for secret in ["Dolor torácico", "Antecedentes", "Agenda interna"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        // Recorded as sent through the channel under its Message-ID.
        let r = env.ok(&["remind", "list"])["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .cloned()
            .unwrap();
        assert_eq!(
            (r["status"].as_str(), r["channel"].as_str()),
            (Some("sent"), Some("email"))
        );
        assert_eq!(r["provider_id"], line["provider_id"]);
    }
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "SEQUENCE rises with each change: {sequences:?}"
    );
    all_over_tls_after_auth(&srv);
    // Sent once each.
    assert_eq!(remind_due(&env, &certs.ca).1.len(), 0);
    assert_eq!(srv.taken(), 3);
    // `history` says where each went: her address, not her phone.
    let h = env.ok(&["history", &id]);
    let to: Vec<&Value> = h["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["channel"] == "email")
        .map(|m| &m["to"])
        .collect();
    assert_eq!(to.len(), 3, "{h}");
    assert!(to.iter().all(|t| *t == "lucia@example.com"), "{h}");
}

#[test]
fn a_patient_without_an_address_is_reached_by_the_next_channel_in_the_order() {
    let Some(py) = python() else { return };
    let certs = Certificates::new();
    let srv = Smtpd::start(&py, "smtps", &certs, None);
    let mut env = clinic("en");
    add_email(&env, "smtps", srv.port, PASSWORD);
    let (api, rx) = providers(vec![twilio_sent("SM0101")]);
    add_sms(&env, &api);
    let a = lucia_books(&env);
    // No address: the SMS channel, next in the clinic's order.
    let b = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        TUE,
        "--time",
        "10:30",
        "--phone",
        "+50370001111",
        "--name",
        "Beto Ruiz",
    ])["appointment"]
        .clone();
    env.at("2026-06-15T16:30:00Z");
    let (code, lines, err) = remind_due(&env, &certs.ca);
    assert_eq!(code, 0, "{err}");
    let via = |appt: &Value| {
        lines
            .iter()
            .find(|l| l["appointment"]["id"] == appt["id"])
            .map(|l| s(&l["channel"]).to_string())
    };
    assert_eq!(via(&a).as_deref(), Some("email"), "{lines:?}");
    assert_eq!(via(&b).as_deref(), Some("sms"), "{lines:?}");
    check_twilio(&seen(&rx));
    no_more(&rx);
    let m = srv.message(&py, 1);
    assert_eq!(
        m["subject"],
        "Reminder: your appointment at Clínica Ñandú Central, Tuesday 16 June at 10:00"
    );
    // A reminder invites to nothing: no calendar.
    assert_eq!(
        types(&m),
        ["multipart/alternative", "text/plain", "text/html"]
    );
    assert_eq!(srv.taken(), 1);
}

#[test]
fn an_smtp_url_to_a_server_without_starttls_is_left_before_any_password() {
    let Some(py) = python() else { return };
    let certs = Certificates::new();
    let srv = Smtpd::start(&py, "plain", &certs, None);
    let env = clinic("en");
    add_email(&env, "smtp", srv.port, PASSWORD);
    let (code, e) = test_mail(&env, &certs.ca, "lucia@example.com");
    assert_eq!(code, 7, "{e}");
    assert_eq!(e["error"]["code"], "DELIVERY_FAILED");
    let d = &e["error"]["details"];
    assert_eq!(d["outcome"], "temporary");
    assert!(s(&d["reason"]).contains("STARTTLS"), "{d}");
    // It said EHLO, heard no STARTTLS, and left: no AUTH, no message.
    assert_eq!(srv.events("ehlo").len(), 1, "{:?}", srv.log());
    assert!(srv.events("auth").is_empty(), "{:?}", srv.log());
    assert!(srv.events("rcpt").is_empty());
    assert_eq!(srv.taken(), 0);
}

#[test]
fn a_certificate_the_trust_store_does_not_hold_is_refused() {
    let Some(py) = python() else { return };
    let certs = Certificates::new();
    for (mode, scheme) in [("smtps", "smtps"), ("starttls", "smtp")] {
        let srv = Smtpd::start(&py, mode, &certs, None);
        let env = clinic("en");
        add_email(&env, scheme, srv.port, PASSWORD);
        // The server's CA is not the one trusted.
        let (code, e) = test_mail(&env, &certs.other_ca, "lucia@example.com");
        assert_eq!(code, 7, "{mode}: {e}");
        let d = &e["error"]["details"];
        assert_eq!(d["outcome"], "temporary", "{d}");
        assert!(
            s(&d["reason"]).to_lowercase().contains("certificate"),
            "{mode}: {d}"
        );
        assert!(srv.events("auth").is_empty(), "{mode}: {:?}", srv.log());
        assert_eq!(srv.taken(), 0);
        // The same server, its CA trusted: taken.
        assert_eq!(test_mail(&env, &certs.ca, "lucia@example.com").0, 0);
        assert_eq!(srv.taken(), 1);
    }
}

#[test]
fn a_5xx_answer_is_permanent_and_a_4xx_temporary_for_a_test_and_a_sweep() {
    let Some(py) = python() else { return };
    let certs = Certificates::new();
    let rejected = "550 5.1.1 <lucia@example.com>: Recipient address rejected";
    let greylisted = "451 4.7.1 Greylisted, try again later";
    for (rcpt, outcome) in [(rejected, "permanent"), (greylisted, "temporary")] {
        let srv = Smtpd::start(&py, "starttls", &certs, Some(rcpt));
        let mut env = clinic("en");
        add_email(&env, "smtp", srv.port, PASSWORD);
        let (code, e) = test_mail(&env, &certs.ca, "lucia@example.com");
        assert_eq!(code, 7, "{e}");
        let d = &e["error"]["details"];
        assert_eq!(d["outcome"], outcome, "{d}");
        let (status, text) = rcpt.split_once(' ').unwrap();
        assert_eq!(d["status"], status.parse::<u16>().unwrap());
        match outcome {
            "permanent" => {
                assert_eq!(d["code"], status);
                assert_eq!(d["message"], text);
            }
            _ => assert_eq!(d["reason"], rcpt),
        }
        // A sweep: the 550 fails the message for good, the 451 is retried.
        lucia_books(&env);
        env.at("2026-06-15T16:00:00Z");
        let (code, lines, err) = remind_due(&env, &certs.ca);
        assert_eq!((code, lines.len()), (7, 0), "{err}");
        let r = env.ok(&["remind", "list", "--kind", "reminder"])["reminders"][0].clone();
        assert_eq!(r["last_error"], format!("email: {rcpt}"), "{r}");
        match outcome {
            "permanent" => assert_eq!(r["status"], "failed", "{r}"),
            _ => assert_eq!(
                (r["status"].as_str(), r["attempts"].as_i64()),
                (Some("pending"), Some(1)),
                "{r}"
            ),
        }
        let tried = srv.events("rcpt").len();
        env.at("2026-06-15T16:20:00Z");
        remind_due(&env, &certs.ca);
        let again = srv.events("rcpt").len() - tried;
        assert_eq!(again, usize::from(outcome == "temporary"), "{outcome}");
        assert_eq!(srv.taken(), 0);
    }
    // A wrong password: the server's 535, permanent, and the password nowhere.
    let srv = Smtpd::start(&py, "smtps", &certs, None);
    let env = clinic("en");
    add_email(&env, "smtps", srv.port, "not-the-password");
    let (code, e) = test_mail(&env, &certs.ca, "lucia@example.com");
    assert_eq!(code, 7, "{e}");
    let d = &e["error"]["details"];
    assert_eq!(
        (d["outcome"].as_str(), d["code"].as_str()),
        (Some("permanent"), Some("535")),
        "{d}"
    );
    assert!(!e.to_string().contains("not-the-password"), "{e}");
    let auths = srv.events("auth");
    assert_eq!((auths.len(), auths[0]["ok"].as_bool()), (1, Some(false)));
}

/// A server that takes the connection and never greets: the 10-second
/// deadline, a temporary failure. (No Python: a socket that says nothing.)
#[test]
fn an_smtp_server_that_never_answers_is_a_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let c = listener.accept();
        std::thread::sleep(std::time::Duration::from_secs(12));
        drop(c);
    });
    let env = clinic("en");
    add_email(&env, "smtp", port, PASSWORD);
    let started = std::time::Instant::now();
    let (code, e) = test_mail(&env, Path::new("/nonexistent-ca.pem"), "lucia@example.com");
    assert_eq!(code, 7, "{e}");
    let d = &e["error"]["details"];
    assert_eq!(
        (d["outcome"].as_str(), d["reason"].as_str()),
        (Some("temporary"), Some("timeout")),
        "{d}"
    );
    let took = started.elapsed().as_secs();
    assert!((9..12).contains(&took), "{took} s");
    hold.join().unwrap();
}

/// `check --setup` asks the SMTP server whether it takes the account: over
/// STARTTLS, AUTH, QUIT; no message. A wrong password is a finding with the
/// server's 535, the password nowhere.
#[test]
fn check_setup_signs_in_to_the_smtp_server_and_sends_nothing() {
    let Some(py) = python() else { return };
    let certs = Certificates::new();
    let backups = tempfile::tempdir().unwrap();
    let backups = backups.path().to_str().unwrap().to_string();
    let channel_finding = |env: &Env| -> Value {
        let args = ["check", "--setup", "--json", "--backup-dir", &backups];
        let (_, out, _) = run(env, &certs.ca, &args, None);
        let report: Value = serde_json::from_str(&out).unwrap();
        let found: Vec<Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "channel")
            .cloned()
            .collect();
        assert_eq!(found.len(), 1, "{report}");
        found[0].clone()
    };
    let srv = Smtpd::start(&py, "starttls", &certs, None);
    let env = clinic("en");
    add_email(&env, "smtp", srv.port, PASSWORD);
    let f = channel_finding(&env);
    assert_eq!(
        (f["ok"].as_bool(), f["subject"].as_str()),
        (Some(true), Some("Clínica Ñandú Central/email")),
        "{f}"
    );
    all_over_tls_after_auth(&srv);
    let auths = srv.events("auth");
    assert_eq!((auths.len(), auths[0]["ok"].as_bool()), (1, Some(true)));
    assert_eq!(srv.taken(), 0, "nothing was sent");
    assert!(srv.events("rcpt").is_empty());

    let srv = Smtpd::start(&py, "smtps", &certs, None);
    let env = clinic("en");
    add_email(&env, "smtps", srv.port, "not-the-password");
    let f = channel_finding(&env);
    assert_eq!(f["ok"], false, "{f}");
    assert!(s(&f["message"]).contains("535"), "{f}");
    assert!(!f.to_string().contains("not-the-password"), "{f}");
    assert_eq!(srv.taken(), 0);
}
