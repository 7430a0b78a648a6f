//! Tests: reminders scheduled with appointments and `appt remind due`, the cron sweep.

use crate::common::{json_lines, s, write_clinical_record, Env, MESSAGE_VIEW_LEAVES_OUT};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// Tuesday 2026-06-16 10:00 in El Salvador is 16:00Z: the 24h reminder is due
/// Monday 16:00Z, the 2h one Tuesday 14:00Z.
const TUE: &str = "2026-06-16";
const DAY_BEFORE: &str = "2026-06-15T16:00:00Z";

fn reminders(env: &Env) -> Vec<Value> {
    env.ok(&["remind", "list"])["reminders"]
        .as_array()
        .unwrap()
        .clone()
}

fn by_offset<'a>(rs: &'a [Value], offset: &str) -> &'a Value {
    rs.iter()
        .find(|r| r["offset"] == offset)
        .unwrap_or_else(|| panic!("no {offset} reminder in {rs:?}"))
}

/// Runs `remind due` with extra args (no --json added) at the env's clock.
fn sweep(env: &Env, args: &[&str]) -> Output {
    env.cmd()
        .args(["remind", "due"])
        .args(args)
        .output()
        .unwrap()
}

/// Runs a command with `--json`, its upgrade's batches two rows each
/// (`APPT_TEST_BATCH`, debug builds only): a small database's upgrade in
/// many batches.
fn in_batches_of_two(env: &Env, args: &[&str]) -> Output {
    env.cmd()
        .env("APPT_TEST_BATCH", "2")
        .args(args)
        .arg("--json")
        .output()
        .expect("run")
}

/// Runs `args` with upgrades copying two rows a batch: the upgrade stops
/// with `DATABASE_ERROR` (exit 6), the database still at schema `at`.
fn upgrade_stops(env: &Env, args: &[&str], at: &str) {
    let out = in_batches_of_two(env, args);
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "DATABASE_ERROR", "{e}");
    assert_eq!(crate::common::schema_version(env), at);
}

#[test]
fn booking_schedules_one_reminder_per_offset_still_ahead() {
    let env = Env::clinic();
    assert_eq!(
        env.ok(&["clinic", "show", "Central"])["reminders"],
        serde_json::json!(["24h", "2h"])
    );
    let tue = env.book(TUE, "10:00", "+50370000001");
    // Today 11:00: the 24h reminder would be due yesterday, so only the 2h one
    // (09:00, still ahead of 08:00) exists. At 10:00 the 2h one would be due
    // right now, which is not ahead either.
    let today = env.book("2026-06-15", "11:00", "+50370000002");
    env.book("2026-06-15", "10:00", "+50370000003");
    let rs = reminders(&env);
    assert_eq!(rs.len(), 3);
    let tue_rs: Vec<&Value> = rs
        .iter()
        .filter(|r| r["appointment_id"] == tue["id"])
        .collect();
    assert_eq!(tue_rs.len(), 2);
    let r24 = by_offset(&rs, "24h");
    assert_eq!(r24["due_at"], DAY_BEFORE);
    assert_eq!(r24["status"], "pending");
    assert_eq!(r24["attempts"], 0);
    assert_eq!(r24["sent_at"], Value::Null);
    assert_eq!(r24["appointment"]["id"], tue["id"]);
    let today_rs: Vec<&Value> = rs
        .iter()
        .filter(|r| r["appointment_id"] == today["id"])
        .collect();
    assert_eq!(today_rs.len(), 1);
    assert_eq!(today_rs[0]["offset"], "2h");
    for f in [
        "id",
        "appointment_id",
        "offset",
        "due_at",
        "status",
        "attempts",
        "sent_at",
        "appointment",
    ] {
        assert!(r24.get(f).is_some(), "missing {f}");
    }
}

#[test]
fn reminders_none_schedules_nothing_and_list_filters_by_status() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--reminders", "none"]);
    env.book(TUE, "10:00", "+50370000001");
    assert!(reminders(&env).is_empty());
    env.ok(&["clinic", "update", "Central", "--reminders", "24h,2h"]);
    let a = env.book(TUE, "11:00", "+50370000002");
    env.ok(&["cancel", s(&a["id"]), "--reason", "x"]);
    assert_eq!(
        env.ok(&["remind", "list", "--status", "cancelled"])["reminders"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        env.ok(&["remind", "list", "--status", "pending"])["reminders"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The desk types the words the list shows, in Spanish too.
    let both = env.ok(&[
        "remind",
        "list",
        "--status",
        "cancelled",
        "--kind",
        "reminder",
    ]);
    assert_eq!(
        env.ok(&[
            "remind",
            "list",
            "-S",
            "Cancelado",
            "--kind",
            "recordatorio"
        ]),
        both
    );
    env.fails(
        &["remind", "list", "--status", "lost"],
        "VALIDATION_ERROR",
        2,
    );
}

#[test]
fn reschedule_replaces_pending_and_no_show_cancels() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370000001");
    let id = s(&a["id"]).to_string();
    env.ok(&["reschedule", &id, "--date", "2026-06-17", "--time", "11:00"]);
    let rs = reminders(&env);
    let pending: Vec<&Value> = rs.iter().filter(|r| r["status"] == "pending").collect();
    assert_eq!(pending.len(), 2);
    assert!(pending
        .iter()
        .any(|r| r["due_at"] == "2026-06-16T17:00:00Z"));
    assert_eq!(rs.iter().filter(|r| r["status"] == "cancelled").count(), 2);
    env.at("2026-06-17T17:05:00Z");
    env.ok(&["status", &id, "no_show"]);
    assert!(reminders(&env).iter().all(|r| r["status"] != "pending"));
}

#[test]
fn due_without_exec_prints_one_json_line_each_and_marks_them_sent_once() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370000001");
    env.book(TUE, "11:00", "+50370000002");
    env.at(DAY_BEFORE);
    let out = sweep(&env, &[]);
    assert!(out.status.success());
    let got = json_lines(&out.stdout);
    assert_eq!(
        got.len(),
        1,
        "only the 10:00 appointment's 24h reminder is due"
    );
    assert_eq!(got[0]["appointment_id"], a["id"]);
    assert_eq!(got[0]["offset"], "24h");
    assert_eq!(got[0]["status"], "sent");
    assert_eq!(got[0]["appointment"]["patient"]["phone"], "+50370000001");
    // A second run at the same time, and one later the same day, deliver nothing and say nothing.
    for now in [DAY_BEFORE, "2026-06-15T16:04:00Z"] {
        env.at(now);
        let again = sweep(&env, &[]);
        assert!(again.status.success());
        assert!(
            again.stdout.is_empty() && again.stderr.is_empty(),
            "quiet: {:?}",
            again
        );
    }
    let r = by_offset(&reminders(&env), "24h").clone();
    assert_eq!(r["status"], "sent");
    assert_eq!(r["sent_at"], DAY_BEFORE);
}

#[test]
fn quiet_when_nothing_is_due_even_with_exec_and_json() {
    let env = Env::clinic();
    env.book(TUE, "10:00", "+50370000001");
    for args in [&[][..], &["--exec", "true"], &["--exec", "true", "--json"]] {
        let out = sweep(&env, args);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stdout.is_empty() && out.stderr.is_empty(),
            "{args:?}: {out:?}"
        );
    }
}

#[test]
fn after_downtime_only_the_nearest_is_delivered() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370000001");
    env.at("2026-06-16T15:00:00Z"); // both due, one hour before the visit
    let out = sweep(&env, &["--exec", "cat > /dev/null", "--json"]);
    assert!(out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary,
        serde_json::json!({"sent": 1, "failed": 0, "expired": 1, "cancelled": 0})
    );
    let rs = reminders(&env);
    assert_eq!(by_offset(&rs, "2h")["status"], "sent");
    assert_eq!(by_offset(&rs, "24h")["status"], "expired");
    assert!(rs.iter().all(|r| r["appointment_id"] == a["id"]));
}

#[test]
fn completing_cancels_pending_reminders() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370000001");
    let other = env.book(TUE, "11:00", "+50370000002");
    // Tuesday 07:00: the visit's day, before its 2-hour reminders are due.
    env.at("2026-06-16T13:00:00Z");
    env.ok(&["status", s(&a["id"]), "completed", "--diagnosis", "ok"]);
    for r in reminders(&env) {
        let want = if r["appointment_id"] == a["id"] {
            "cancelled"
        } else {
            "pending"
        };
        assert_eq!(r["status"], want, "{r}");
    }
    assert!(reminders(&env)
        .iter()
        .any(|r| r["appointment_id"] == other["id"]));
}

#[test]
fn inactive_appointments_cancel_and_started_ones_expire() {
    let mut env = Env::clinic();
    let done = env.book(TUE, "10:00", "+50370000001");
    let late = env.book(TUE, "09:00", "+50370000002");
    // An older appt left reminders pending on finished appointments: the sweep
    // cancels them instead of delivering.
    env.exec(&format!(
        "UPDATE appointments SET status = {} WHERE id = {}",
        crate::common::status_code("completed"),
        env.id_literal(s(&done["id"]))
    ));
    env.at("2026-06-16T15:30:00Z"); // 09:30 local: 09:00 has started, 10:00 has not
    let out = sweep(&env, &["--exec", "true", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["sent"], 0);
    assert_eq!(summary["cancelled"], 2);
    assert_eq!(summary["expired"], 2);
    for r in reminders(&env) {
        let want = if r["appointment_id"] == done["id"] {
            "cancelled"
        } else {
            "expired"
        };
        assert_eq!(r["status"], want, "{r}");
    }
    assert!(reminders(&env)
        .iter()
        .any(|r| r["appointment_id"] == late["id"]));
}

#[test]
fn a_patient_already_checked_in_or_in_consultation_gets_no_reminder() {
    let mut env = Env::clinic();
    let early = env.book(TUE, "11:00", "+50370000001");
    let seen = env.book(TUE, "12:00", "+50370000002");
    let waiting = env.book(TUE, "12:30", "+50370000003");
    // Cron missed the morning: at 10:10 the first walks in early, the second
    // is already with the doctor; the third has not come yet.
    env.at("2026-06-16T16:10:00Z");
    env.ok(&["status", s(&early["id"]), "checked_in"]);
    env.ok(&["status", s(&seen["id"]), "in_progress"]);
    env.at("2026-06-16T16:15:00Z");
    let lines = env.sweep_lines();
    let told: Vec<&Value> = lines.iter().map(|l| &l["appointment_id"]).collect();
    assert_eq!(told, [&waiting["id"]], "{lines:?}");
    for r in reminders(&env) {
        if r["appointment_id"] != waiting["id"] {
            assert_eq!(r["status"], "cancelled", "{r}");
        }
    }
}

#[test]
fn exec_gets_the_json_on_stdin_and_the_appt_variables() {
    let mut env = Env::clinic();
    let a = env.book(TUE, "10:00", "+50370000001");
    let dir = env.dir.path().to_path_buf();
    let hook = format!(
        "cat > {d}/stdin.json; env | grep '^APPT_' | grep -v -e APPT_NOW -e APPT_DB | sort > {d}/env.txt",
        d = dir.display()
    );
    env.at(DAY_BEFORE);
    let out = sweep(&env, &["--exec", &hook]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Reminders: 1 sent, 0 failed, 0 expired, 0 cancelled"
    );
    let stdin: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("stdin.json")).unwrap()).unwrap();
    assert_eq!(stdin["appointment_id"], a["id"]);
    assert_eq!(stdin["offset"], "24h");
    let mut view = env.ok(&["show", s(&a["id"])]);
    for k in MESSAGE_VIEW_LEAVES_OUT {
        view.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(stdin["appointment"], view, "the message view");
    assert_eq!(stdin["status"], "pending");
    let vars = std::fs::read_to_string(dir.join("env.txt")).unwrap();
    let reminder = by_offset(&reminders(&env), "24h").clone();
    for want in [
        format!("APPT_REMINDER_ID={}", s(&reminder["id"])),
        format!("APPT_APPOINTMENT_ID={}", s(&a["id"])),
        "APPT_PATIENT_NAME=Test Patient".into(),
        "APPT_PATIENT_PHONE=+50370000001".into(),
        "APPT_DOCTOR_NAME=Dr. García".into(),
        "APPT_CLINIC_NAME=Central".into(),
        "APPT_STARTS_AT=2026-06-16T16:00:00Z".into(),
        "APPT_LOCAL_DATE=2026-06-16".into(),
        "APPT_LOCAL_TIME=10:00".into(),
        "APPT_OFFSET=24h".into(),
    ] {
        assert!(vars.lines().any(|l| l == want), "{want} not in\n{vars}");
    }
    assert_eq!(reminder["status"], "sent");
}

/// The sweep decides a page of due messages, then claims each just before
/// delivering it: a visit changed in between (here a patient's name, by
/// another desk while the sweep's hook runs) is delivered as it is at the
/// claim, not as it was when the page was decided.
#[test]
fn a_visit_changed_while_the_sweep_runs_is_delivered_as_it_is_at_its_claim() {
    let mut env = Env::clinic();
    let first = env.book(TUE, "10:00", "+50370000001");
    let second = env.book(TUE, "11:00", "+50370000002");
    let dir = env.dir.path().to_path_buf();
    let bin = assert_cmd::cargo::cargo_bin("appt");
    // The first delivery renames the second visit's patient, once.
    let hook = format!(
        "echo \"$APPT_APPOINTMENT_ID $APPT_PATIENT_NAME\" >> {d}/seen.txt; \
         [ -e {d}/renamed ] || {{ touch {d}/renamed; \
         '{bin}' --db '{db}' --no-input patient update +50370000002 --name 'Rosa Nueva'; }}",
        d = dir.display(),
        bin = bin.display(),
        db = env.db.display(),
    );
    // Both 24-hour reminders due at once.
    env.at("2026-06-15T17:00:00Z");
    let out = sweep(&env, &["--exec", &hook]);
    assert!(out.status.success(), "{out:?}");
    let seen = std::fs::read_to_string(dir.join("seen.txt")).unwrap();
    let seen: Vec<&str> = seen.lines().collect();
    assert_eq!(
        seen,
        [
            format!("{} Test Patient", s(&first["id"])),
            format!("{} Rosa Nueva", s(&second["id"])),
        ],
        "the second visit as it is at its claim"
    );
}

#[test]
fn a_hook_and_a_json_line_never_carry_the_clinical_record() {
    let mut env = Env::clinic();
    let by_hook = env.book(TUE, "10:00", "+50370000001");
    let by_line = env.book(TUE, "11:00", "+50370000002");
    let words = write_clinical_record(&env, &by_hook);
    write_clinical_record(&env, &by_line);
    let dir = env.dir.path().to_path_buf();
    let hook = format!("cat > {d}/stdin.json; env > {d}/env.txt", d = dir.display());
    // The 24-hour reminder of 10:00 goes to the hook, the one of 11:00 an
    // hour later as a JSON line.
    env.at(DAY_BEFORE);
    let out = sweep(&env, &["--exec", &hook]);
    assert!(out.status.success(), "{out:?}");
    env.at("2026-06-15T17:00:00Z");
    let lines = env.sweep_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let stdin = std::fs::read_to_string(dir.join("stdin.json")).unwrap();
    let vars = std::fs::read_to_string(dir.join("env.txt")).unwrap();
    let listed = env.ok(&["remind", "list"]).to_string();
    for (what, text) in [
        ("the hook's stdin", stdin.as_str()),
        ("the hook's environment", vars.as_str()),
        ("a JSON line", &lines[0].to_string()),
        ("remind list", listed.as_str()),
    ] {
        for w in words {
            assert!(!text.contains(w), "{w:?} in {what}: {text}");
        }
    }
    let stdin: Value = serde_json::from_str(&stdin).unwrap();
    for view in [&stdin["appointment"], &lines[0]["appointment"]] {
        let keys = view.as_object().unwrap();
        for k in MESSAGE_VIEW_LEAVES_OUT {
            assert!(!keys.contains_key(k), "{k} in {view}");
        }
        assert_eq!(view["patient"]["full_name"], "Test Patient");
    }
    assert_eq!(stdin["appointment"]["id"], by_hook["id"]);
    assert_eq!(lines[0]["appointment"]["id"], by_line["id"]);
}

/// The password in a URL's user part (`postgres://user:PASSWORD@host/…`).
fn password_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let auth = rest.split('/').next()?.rsplit_once('@')?.0;
    Some(auth.split_once(':')?.1).filter(|p| !p.is_empty())
}

#[test]
fn a_hook_gets_no_secret_in_its_environment() {
    // docs/rules.md#reminders-and-notifications: appt's environment less every secret it knows of, plus the
    // message's variables. On PostgreSQL APPT_DB is the URL with its password.
    let mut env = Env::clinic();
    env.book(TUE, "10:00", "+50370000001");
    let dir = env.dir.path().to_path_buf();
    let db = env.db.to_string_lossy().into_owned();
    let key = crate::common::PG_KEY;
    let hook = format!("env > {}/env.txt", dir.display());
    env.at(DAY_BEFORE);
    let mut secrets = vec![
        key.to_string(),
        db.clone(),
        "pgpass-s3cret".to_string(),
        "/root/.pgpass-file".to_string(),
        "postgres://appt:url-s3cret@db.example/clinics".to_string(),
        "transfer-target-s3cret".to_string(),
        // A script's member of staff: where their PIN is, and the PIN.
        dir.join("pin").display().to_string(),
        "24680".to_string(),
        dir.join("sessions").display().to_string(),
    ];
    std::fs::write(dir.join("pin"), "24680\n").unwrap();
    if let Some(p) = password_of(&db) {
        secrets.push(p.to_string());
    }
    let out = env
        .cmd()
        .env("APPT_KEY", key)
        .env("APPT_DB", &db)
        .env("PGPASSWORD", "pgpass-s3cret")
        .env("PGPASSFILE", "/root/.pgpass-file")
        .env(
            "REPORTS_DATABASE_URL",
            "postgres://appt:url-s3cret@db.example/clinics",
        )
        .env("APPT_TRANSFER_TO", "transfer-target-s3cret")
        .env("APPT_STAFF_PIN_FILE", dir.join("pin"))
        .env("APPT_SESSIONS", dir.join("sessions"))
        .env("APPT_OFFSET", "stale")
        .env("KEEP_ME", "kept")
        .args(["remind", "due", "--exec", &hook])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let seen = std::fs::read_to_string(dir.join("env.txt")).unwrap();
    for secret in &secrets {
        assert!(
            !seen.contains(secret.as_str()),
            "the hook saw {secret:?} in\n{seen}"
        );
    }
    let names: Vec<&str> = seen
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k)
        .collect();
    for gone in [
        "APPT_KEY",
        "APPT_DB",
        "PGPASSWORD",
        "PGPASSFILE",
        "APPT_TRANSFER_TO",
        "REPORTS_DATABASE_URL",
        "APPT_STAFF_PIN_FILE",
        "APPT_SESSIONS",
    ] {
        assert!(!names.contains(&gone), "{gone} reached the hook:\n{seen}");
    }
    for kept in [
        "KEEP_ME=kept",
        "APPT_KIND=reminder",
        "APPT_OFFSET=24h",
        "APPT_LOCAL_TIME=10:00",
    ] {
        assert!(seen.lines().any(|l| l == kept), "{kept} not in\n{seen}");
    }
    assert!(!seen.contains("APPT_OFFSET=stale"), "{seen}");
}

#[test]
fn a_failing_hook_is_retried_with_backoff_then_failed_for_good() {
    let mut env = Env::clinic();
    env.book("2026-06-19", "10:00", "+50370000001");
    // The 24h reminder is due Thursday 16:00Z; the appointment is Friday 16:00Z.
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-06-18T16:00:00Z").unwrap();
    let at = |mins: i64| {
        (t0 + chrono::Duration::minutes(mins)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let mut elapsed = 0;
    // Failures 1..5 happen at +0, +5, +15, +35, +75 minutes (5 × 2^(n−1) after each).
    for (n, wait) in [(1, 0), (2, 5), (3, 10), (4, 20), (5, 40)] {
        elapsed += wait;
        if wait > 0 {
            // One minute before the retry time nothing happens.
            env.at(&at(elapsed - 1));
            let early = sweep(&env, &["--exec", "exit 3"]);
            assert_eq!(
                early.status.code(),
                Some(0),
                "attempt {n} too early: {early:?}"
            );
            assert!(early.stdout.is_empty());
        }
        env.at(&at(elapsed));
        let out = env
            .cmd()
            .args(["remind", "due", "--exec", "exit 3", "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(7), "attempt {n}");
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["failed"], 1);
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], "DELIVERY_FAILED");
        let r = by_offset(&reminders(&env), "24h").clone();
        assert_eq!(r["attempts"], n);
        assert_eq!(r["status"], if n < 5 { "pending" } else { "failed" });
    }
    env.at(&at(elapsed + 600));
    let after = sweep(&env, &["--exec", "true"]);
    assert!(
        after.status.success() && after.stdout.is_empty(),
        "a failed reminder is not retried: {after:?}"
    );
}

#[test]
fn dry_run_lists_and_changes_nothing_and_limit_caps_a_run() {
    let mut env = Env::clinic();
    env.book(TUE, "10:00", "+50370000001");
    env.book(TUE, "11:00", "+50370000002");
    env.book(TUE, "12:00", "+50370000003");
    env.at("2026-06-15T18:30:00Z"); // all three 24h reminders due
    let before = env.snapshot();
    let dry = sweep(&env, &["--dry-run", "--exec", "exit 1", "--json"]);
    assert!(dry.status.success());
    assert_eq!(json_lines(&dry.stdout).len(), 3);
    assert!(json_lines(&dry.stdout)
        .iter()
        .all(|r| r["status"] == "pending"));
    assert_eq!(env.snapshot(), before);
    // For a person: a table and a one-line summary (docs/rules.md#reminders-and-notifications).
    let text = String::from_utf8(sweep(&env, &["--dry-run"]).stdout).unwrap();
    assert!(text.contains("+50370000002"), "{text}");
    assert!(
        text.trim_end()
            .ends_with("Would send 3, expire 0, cancel 0 (dry run: nothing changed)"),
        "{text}"
    );
    assert_eq!(env.snapshot(), before);
    let first = sweep(&env, &["--limit", "2"]);
    assert_eq!(json_lines(&first.stdout).len(), 2);
    let second = sweep(&env, &["--limit", "2"]);
    assert_eq!(json_lines(&second.stdout).len(), 1);
    let ids: std::collections::HashSet<String> = json_lines(&first.stdout)
        .iter()
        .chain(json_lines(&second.stdout).iter())
        .map(|r| s(&r["id"]).to_string())
        .collect();
    assert_eq!(ids.len(), 3);
    env.fails(&["remind", "due", "--limit", "0"], "VALIDATION_ERROR", 2);
}

/// Starts `remind due` processes that all run at once.
pub(crate) fn race(env: &Env, n: usize, hook: &str) -> Vec<Output> {
    let bin = assert_cmd::cargo::cargo_bin("appt");
    let kids: Vec<_> = (0..n)
        .map(|_| {
            Command::new(&bin)
                .arg("--db")
                .arg(&env.db)
                .args(["remind", "due", "--exec", hook])
                .env("APPT_NOW", &env.now)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    kids.into_iter()
        .map(|k| k.wait_with_output().unwrap())
        .collect()
}

#[test]
fn overlapping_runs_deliver_each_reminder_exactly_once() {
    let mut env = Env::clinic();
    let times = [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
    ];
    for (i, t) in times.iter().enumerate() {
        env.book(TUE, t, &format!("+5037000{i:04}"));
    }
    env.at("2026-06-15T18:45:00Z");
    let log = env.dir.path().join("delivered.log");
    let hook = format!("sleep 0.2; echo $APPT_REMINDER_ID >> {}", log.display());
    let outs = race(&env, 6, &hook);
    for o in &outs {
        assert!(o.status.success(), "{o:?}");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let mut ids: Vec<&str> = text.lines().collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(n, ids.len(), "a reminder was delivered twice:\n{text}");
    assert_eq!(n, 8, "every due reminder delivered");
    assert!(reminders(&env)
        .iter()
        .filter(|r| r["offset"] == "24h")
        .all(|r| r["status"] == "sent"));
}

#[test]
fn a_run_killed_mid_delivery_is_retried_after_ten_minutes() {
    let mut env = Env::clinic();
    env.book(TUE, "10:00", "+50370000001");
    env.at(DAY_BEFORE);
    let bin = assert_cmd::cargo::cargo_bin("appt");
    let started = env.dir.path().join("started");
    let hook = format!("touch {}; sleep 30", started.display());
    let mut run = Command::new(&bin)
        .arg("--db")
        .arg(&env.db)
        .args(["remind", "due", "--exec", &hook])
        .env("APPT_NOW", &env.now)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = std::time::Instant::now();
    while !started.exists() {
        assert!(t.elapsed().as_secs() < 20, "hook never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    run.kill().unwrap(); // the sweep dies mid-delivery
    run.wait().unwrap();
    let log = env.dir.path().join("delivered.log");
    let hook = format!("echo $APPT_REMINDER_ID >> {}", log.display());
    // Still claimed: a run soon after leaves it alone.
    env.at("2026-06-15T16:09:00Z");
    assert!(sweep(&env, &["--exec", &hook]).status.success());
    assert!(!log.exists(), "delivered while another run still held it");
    assert_eq!(by_offset(&reminders(&env), "24h")["status"], "pending");
    // Ten minutes on the claim has lapsed: delivered, once.
    env.at("2026-06-15T16:11:00Z");
    assert!(sweep(&env, &["--exec", &hook]).status.success());
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 1);
    assert_eq!(by_offset(&reminders(&env), "24h")["status"], "sent");
}

#[test]
fn a_hook_past_thirty_seconds_is_killed_and_counts_as_failed() {
    let mut env = Env::clinic();
    env.book(TUE, "10:00", "+50370000001");
    env.at(DAY_BEFORE);
    let t = std::time::Instant::now();
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", "sleep 45", "--json"])
        .output()
        .unwrap();
    let took = t.elapsed().as_secs();
    assert!((29..44).contains(&took), "took {took}s");
    assert_eq!(out.status.code(), Some(7));
    let r = by_offset(&reminders(&env), "24h").clone();
    assert_eq!(r["attempts"], 1);
    assert_eq!(r["status"], "pending");
    assert!(s(&r["last_error"]).contains("killed"), "{r}");
}

#[test]
fn the_readme_whatsapp_hook_hands_the_message_to_the_sender() {
    let mut env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--language", "es"]);
    env.book(TUE, "10:00", "+50370000001");
    let dir = env.dir.path();
    let (sender, outbox, hook) = crate::common::fake_sender(dir);
    env.at(DAY_BEFORE);
    let out = env
        .cmd()
        .args(["remind", "due", "--exec", &hook.display().to_string()])
        .env("WHATSAPP_SEND", &sender)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let sent = std::fs::read_to_string(&outbox).unwrap();
    assert_eq!(
        sent.trim(),
        "+50370000001|Hola Test, le recordamos su cita con Dr. García en Central el martes 16 de junio a las \
         10:00."
    );
    // A sender that fails leaves the reminder to be retried.
    let mut env2 = Env::clinic();
    env2.book(TUE, "10:00", "+50370000001");
    env2.at(DAY_BEFORE);
    let out = env2
        .cmd()
        .args(["remind", "due", "--exec", &hook.display().to_string()])
        .env("WHATSAPP_SEND", "false")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(by_offset(&reminders(&env2), "24h")["status"], "pending");
}

/// Starts `remind due --exec hook` in the background at the env's clock.
pub(crate) fn spawn_sweep(env: &Env, hook: &str) -> std::process::Child {
    env.raw(&["remind", "due", "--exec", hook])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until the file has at least `n` lines; returns them.
pub(crate) fn wait_lines(path: &std::path::Path, n: usize) -> Vec<String> {
    let t = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(String::from).collect();
        if lines.len() >= n {
            return lines;
        }
        assert!(t.elapsed().as_secs() < 30, "only {lines:?} after 30 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_sweep_that_outlives_its_claims_leaves_the_rest_to_the_next_run() {
    // docs/rules.md#reminders-and-notifications: a run claims each reminder just before delivering it. A slow run
    // (a hook at its time limit, say) never sits on reminders it has not reached,
    // so the next cron run takes those, and the slow run skips them.
    let mut env = Env::clinic();
    let times = [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
    ];
    for (i, t) in times.iter().enumerate() {
        env.book(TUE, t, &format!("+5037000{i:04}"));
    }
    env.at("2026-06-15T18:45:00Z");
    let log = env.dir.path().join("delivered.log");
    let slow = format!("echo $APPT_REMINDER_ID >> {}; sleep 0.6", log.display());
    let mut first = spawn_sweep(&env, &slow);
    let in_flight = wait_lines(&log, 1).remove(0);
    // Eleven minutes later by the clock, cron starts the next run.
    env.at("2026-06-15T18:56:00Z");
    let fast = format!("echo $APPT_REMINDER_ID >> {}", log.display());
    let next = sweep(&env, &["--exec", &fast, "--json"]);
    assert!(next.status.success(), "{next:?}");
    assert!(first.wait().unwrap().success());

    let text = std::fs::read_to_string(&log).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for id in text.lines() {
        *counts.entry(id).or_insert(0) += 1;
    }
    assert_eq!(counts.len(), 8, "every due reminder delivered:\n{text}");
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.iter().all(|(id, n)| **id == in_flight && **n == 2),
        "only the reminder in flight may go out twice: {twice:?}\n{text}"
    );
    assert!(reminders(&env)
        .iter()
        .filter(|r| r["offset"] == "24h")
        .all(|r| r["status"] == "sent"));
}

#[test]
fn each_delivery_uses_the_appointment_as_it_is_at_that_moment() {
    let mut env = Env::clinic();
    let appts: Vec<Value> = ["09:00", "09:30", "10:00", "10:30"]
        .iter()
        .enumerate()
        .map(|(i, t)| env.book(TUE, t, &format!("+5037100{i:04}")))
        .collect();
    env.at("2026-06-15T18:45:00Z");
    let log = env.dir.path().join("delivered.log");
    let hook = format!(
        "echo \"$APPT_APPOINTMENT_ID $APPT_LOCAL_TIME $APPT_PATIENT_NAME\" >> {}; sleep 0.5",
        log.display()
    );
    let mut run = spawn_sweep(&env, &hook);
    let first = wait_lines(&log, 1).remove(0);
    assert!(first.starts_with(s(&appts[0]["id"])), "{first}");
    // While the sweep runs: the visit in flight is cancelled, the next patient
    // is renamed, the third visit moves and the fourth is cancelled.
    env.ok(&["cancel", s(&appts[0]["id"]), "--reason", "Ya no viene"]);
    env.ok(&[
        "patient",
        "update",
        "+50371000001",
        "--name",
        "Nombre Nuevo",
    ]);
    env.ok(&[
        "reschedule",
        s(&appts[2]["id"]),
        "--date",
        TUE,
        "--time",
        "11:30",
    ]);
    env.ok(&["cancel", s(&appts[3]["id"]), "--reason", "Viaje"]);
    assert!(run.wait().unwrap().success());

    let lines = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        lines[1],
        format!("{} 09:30 Nombre Nuevo", s(&appts[1]["id"])),
        "the current name, not the one at the sweep's start"
    );
    let rs = reminders(&env);
    let day_before = |a: &Value| {
        rs.iter()
            .find(|r| r["appointment_id"] == a["id"] && r["offset"] == "24h")
            .unwrap()["status"]
            .clone()
    };
    // Cancelled while its hook ran: cancelled, never recorded as sent.
    assert_eq!(day_before(&appts[0]), "cancelled");
    assert_eq!(day_before(&appts[1]), "sent");
    assert_eq!(day_before(&appts[2]), "cancelled");
    assert_eq!(day_before(&appts[3]), "cancelled");
}

#[test]
fn a_failed_write_to_stdout_leaves_reminders_pending_and_exits_1() {
    let mut env = Env::clinic();
    for (i, t) in ["09:00", "09:30", "10:00"].iter().enumerate() {
        env.book(TUE, t, &format!("+5037200{i:04}"));
    }
    env.at("2026-06-15T18:45:00Z");
    let pending = |env: &Env| {
        reminders(env)
            .iter()
            .filter(|r| r["offset"] == "24h" && r["status"] == "pending")
            .count()
    };
    // A full disk.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = env
        .raw(&["remind", "due", "--json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let e: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(e["error"]["code"], "INTERNAL_ERROR");
    assert_eq!(pending(&env), 3);
    // A closed pipe.
    let mut child = env
        .raw(&["remind", "due"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(1));
    assert_eq!(pending(&env), 3);
    // Nothing was lost: the next run delivers all three, once.
    let out = sweep(&env, &[]);
    assert!(out.status.success());
    assert_eq!(json_lines(&out.stdout).len(), 3);
    assert_eq!(pending(&env), 0);
}

/// A sweep decides its due messages a page at a time (500), yet all of an
/// appointment's due reminders at once: 600 visits whose 24-hour and 2-hour
/// reminders are both due put the 24-hour ones of the first 500 visits in
/// the first page and their 2-hour ones in the second, and each visit still
/// gets one reminder, the nearest, in a dry run and in a real one.
#[test]
fn a_sweep_pages_its_messages_and_sends_each_visit_one_reminder() {
    let mut env = Env::clinic();
    env.ok(&["doctor", "add", "Dra. Página"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dra. Página",
        "--days",
        "mon-fri",
        "--from",
        "07:00",
        "--to",
        "19:00",
        "--slot-minutes",
        "5",
    ]);
    // Wednesday 17 June on, 144 slots a weekday.
    let mut lines = String::new();
    let days = [
        "2026-06-17",
        "2026-06-18",
        "2026-06-19",
        "2026-06-22",
        "2026-06-23",
    ];
    for i in 0..600 {
        let minutes = 7 * 60 + (i % 144) * 5;
        lines.push_str(&format!(
            "{}\n",
            serde_json::json!({"doctor": "Dra. Página", "date": days[i / 144],
                "time": format!("{:02}:{:02}", minutes / 60, minutes % 60),
                "phone": format!("+503710{i:05}"), "name": format!("Paciente {i}")})
        ));
    }
    let file = env.dir.path().join("visits.jsonl");
    std::fs::write(&file, lines).unwrap();
    let done = env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(done["booked"], 600, "{done}");
    // Monday 16:00Z: every 24-hour reminder due two minutes ago, every 2-hour one a minute ago.
    env.at("2026-06-15T16:00:00Z");
    let now = 1_781_539_200; // 2026-06-15T16:00:00Z
    env.exec(&format!(
        "UPDATE reminders SET due_at = {} WHERE offset_minutes = 1440",
        now - 120
    ));
    env.exec(&format!(
        "UPDATE reminders SET due_at = {} WHERE offset_minutes = 120",
        now - 60
    ));
    let dry = sweep(&env, &["--dry-run", "--json"]);
    assert!(dry.status.success(), "{dry:?}");
    let would = json_lines(&dry.stdout);
    assert_eq!(would.len(), 600, "one reminder a visit");
    assert!(would.iter().all(|r| r["offset"] == "2h"));
    let out = sweep(&env, &["--json"]);
    assert!(out.status.success(), "{out:?}");
    let sent = json_lines(&out.stdout);
    assert_eq!(sent.len(), 600);
    let mut visits: Vec<&str> = sent
        .iter()
        .map(|r| r["appointment"]["id"].as_str().unwrap())
        .collect();
    visits.sort_unstable();
    visits.dedup();
    assert_eq!(visits.len(), 600, "no visit told twice");
    let count = |status: &str| {
        env.ok(&["remind", "list", "--status", status, "--limit", "5000"])["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["offset"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let sent = count("sent");
    assert_eq!(sent.len(), 600);
    assert!(sent.iter().all(|o| o == "2h"));
    assert_eq!(count("expired").len(), 600);
}

/// A clinic whose messages are of every status: two visits on Tuesday (one
/// cancelled), one on Friday, a sweep the day before, and on Thursday a
/// sweep whose hook fails (Tuesday's 2-hour reminder expires unsent, the
/// Friday visit's 24-hour one fails once, to be retried). The messages
/// sent carry a link to their visit. With the first visit's ID.
fn messages_of_every_status() -> (Env, String) {
    let mut env = Env::clinic();
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--notify",
        "on",
        "--public-url",
        "https://citas.example/",
    ]);
    let a = s(&env.book(TUE, "10:00", "+50370000001")["id"]).to_string();
    let b = s(&env.book(TUE, "11:00", "+50370000002")["id"]).to_string();
    env.book("2026-06-19", "10:00", "+50370000003");
    env.ok(&["cancel", &b, "--reason", "Viaje"]);
    env.at(DAY_BEFORE);
    assert!(sweep(&env, &["--exec", "true"]).status.success());
    // Thursday: Tuesday's 2-hour reminder expires unsent, and the Friday
    // visit's 24-hour one fails once, to be retried.
    env.at("2026-06-18T16:00:00Z");
    assert_eq!(sweep(&env, &["--exec", "exit 3"]).status.code(), Some(7));
    (env, a)
}

/// After an upgrade that copied the messages into `copy`: the messages'
/// six indexes back, no `copy` left, `check` clean, and the sweep going on
/// (the retry found by its ID, taken, and sent).
fn the_copy_took_the_messages_place(env: &mut Env, copy: &str) {
    assert_eq!(
        crate::common::index_names(
            env,
            "IN ('reminders_appt', 'reminders_due', 'reminders_due_at', 'reminders_kind', \
             'reminders_provider', 'reminders_recall')"
        ),
        [
            "reminders_appt",
            "reminders_due",
            "reminders_due_at",
            "reminders_kind",
            "reminders_provider",
            "reminders_recall"
        ]
    );
    assert!(!crate::common::has_table(env, copy));
    assert_eq!(env.ok(&["check"])["ok"], true);
    env.at("2026-06-18T16:10:00Z");
    let out = sweep(env, &["--exec", "true", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["sent"], 1, "{summary}");
}

/// What the first batch of schema 57 leaves: the messages' indexes gone,
/// the table they are copied into holding those whose ID is at most
/// `upto`, as if the upgrade had been killed after it.
fn messages_numbered_up_to(env: &Env, upto: &str) {
    let (status, kind) = (
        crate::common::number_of_name::<appt::core::MessageStatus>("status"),
        crate::common::number_of_name::<appt::core::MessageKind>("kind"),
    );
    let text = match env.url() {
        Some(_) => "TEXT COLLATE \"C\"",
        None => "TEXT",
    };
    messages_copied_up_to(env, "reminders_57", text, [&status, &kind, "id"], upto);
}

/// What the first batch of a copy of the messages into table `copy`
/// leaves (schemas 57 and 58): the messages' indexes gone, `copy` (its ID
/// of type `id`) holding those whose ID is at most `upto`, its status,
/// kind and ID taken as `taken` says.
fn messages_copied_up_to(env: &Env, copy: &str, id: &str, taken: [&str; 3], upto: &str) {
    let (int, small, text, strict) = match env.url() {
        Some(_) => ("BIGINT", "SMALLINT", "TEXT COLLATE \"C\"", ""),
        None => ("INTEGER", "INTEGER", "TEXT", " STRICT"),
    };
    let [status, kind, taken_id] = taken;
    env.exec(&format!(
        "DROP INDEX reminders_appt; DROP INDEX reminders_due_at; DROP INDEX reminders_due; \
         DROP INDEX reminders_kind; DROP INDEX reminders_provider; DROP INDEX reminders_recall; \
         CREATE TABLE {copy} (offset_minutes {int} NOT NULL, due_at {int} NOT NULL, \
             attempts {int} NOT NULL DEFAULT 0, next_attempt_at {int}, claimed_until {int}, \
             sent_at {int}, created_at {int} NOT NULL, updated_at {int} NOT NULL, \
             delivered_at {int}, read_at {int}, status {small} NOT NULL, kind {small} NOT NULL, \
             id {id} PRIMARY KEY NOT NULL, \
             appointment_id {text} NOT NULL REFERENCES appointments(id), last_error {text}, \
             claim {text}, data {text}, waitlist_id {text}, channel {text}, provider_id {text}){strict}; \
         INSERT INTO {copy} (offset_minutes, due_at, attempts, next_attempt_at, claimed_until, \
             sent_at, created_at, updated_at, delivered_at, read_at, status, kind, id, appointment_id, \
             last_error, claim, data, waitlist_id, channel, provider_id) \
         SELECT offset_minutes, due_at, attempts, next_attempt_at, claimed_until, sent_at, created_at, \
             updated_at, delivered_at, read_at, {status}, {kind}, {taken_id}, appointment_id, last_error, \
             claim, data, waitlist_id, channel, provider_id FROM reminders WHERE id <= '{upto}';"
    ));
}

/// A database of schema 56 takes schema 57 on its next command: its
/// messages copied, a batch per transaction, into a table that stores each
/// one's status and kind as its number (an upgrade stopped half-way goes on
/// from where it got), every message shown and found as before, and the
/// sweep going on from there.
#[test]
fn message_statuses_and_kinds_stored_as_names_are_numbered_and_shown_the_same() {
    let (mut env, a) = messages_of_every_status();
    let list = |env: &Env, filter: &[&str]| {
        let mut args = vec!["remind", "list", "--limit", "1000"];
        args.extend_from_slice(filter);
        env.ok(&args)["reminders"].clone()
    };
    let all = list(&env, &[]);
    // Each field's distinct values, in order.
    let distinct = |field: &str| -> Vec<&str> {
        let set: std::collections::BTreeSet<&str> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|r| s(&r[field]))
            .collect();
        set.into_iter().collect()
    };
    assert_eq!(
        distinct("status"),
        ["cancelled", "expired", "pending", "sent"],
        "{all}"
    );
    assert_eq!(
        distinct("kind"),
        ["cancelled", "confirmation", "reminder"],
        "{all}"
    );
    let sent = list(&env, &["--status", "sent"]);
    let confirmations = list(&env, &["--kind", "confirmation"]);
    let history = env.ok(&["history", &a]);

    crate::common::undo_schema_57(&env);
    crate::common::set_schema_version(&env, 56);
    let named = env.rows("SELECT DISTINCT status, kind FROM reminders ORDER BY 1, 2");
    assert!(
        named
            .iter()
            .all(|r| r.iter().all(|v| v.parse::<i64>().is_err())),
        "{named:?}"
    );
    // Killed after a first batch of three.
    let ids = env.rows("SELECT id FROM reminders ORDER BY id");
    assert!(ids.len() > 3, "{ids:?}");
    messages_numbered_up_to(&env, &ids[2][0]);

    // The next command upgrades it, and shows every message as before.
    assert_eq!(list(&env, &[]), all);
    assert_eq!(list(&env, &["--status", "sent"]), sent);
    assert_eq!(list(&env, &["--kind", "confirmation"]), confirmations);
    assert_eq!(env.ok(&["history", &a]), history);
    let numbered = env.rows("SELECT DISTINCT status, kind FROM reminders ORDER BY 1, 2");
    assert!(
        numbered
            .iter()
            .all(|r| r.iter().all(|v| v.parse::<i64>().is_ok())),
        "{numbered:?}"
    );
    assert_eq!(
        env.rows("SELECT count(*) FROM reminders")[0][0],
        ids.len().to_string()
    );
    the_copy_took_the_messages_place(&mut env, "reminders_57");
    assert_eq!(
        list(&env, &["--status", "sent"]).as_array().unwrap().len(),
        sent.as_array().unwrap().len() + 1
    );
}

/// What the first batch of schema 58 leaves: [`messages_copied_up_to`],
/// each ID as its 16 bytes.
fn message_ids_copied_up_to(env: &Env, upto: &str) {
    let (id, bytes) = match env.url() {
        Some(_) => ("uuid", "CAST(id AS uuid)"),
        None => ("BLOB", "unhex(replace(id, '-', ''))"),
    };
    messages_copied_up_to(env, "reminders_58", id, ["status", "kind", bytes], upto);
}

/// How `env`'s database keeps its messages' IDs: SQLite's storage class of
/// each, PostgreSQL's type of the column.
fn message_id_types(env: &Env) -> Vec<Vec<String>> {
    env.rows(match env.url() {
        Some(_) => {
            "SELECT data_type FROM information_schema.columns \
             WHERE table_name = 'reminders' AND column_name = 'id'"
        }
        None => "SELECT DISTINCT typeof(id) || ' ' || length(id) FROM reminders",
    })
}

/// A database of schema 57 takes schema 58 on its next command: its
/// messages copied, a batch per transaction, into a table that keeps each
/// one's ID as its 16 bytes (an upgrade stopped half-way goes on from where
/// it got), every message shown and found by its ID as before, and the
/// sweep going on from there.
#[test]
fn message_ids_stored_as_text_are_kept_as_sixteen_bytes_and_shown_the_same() {
    let (mut env, a) = messages_of_every_status();
    let list = |env: &Env| env.ok(&["remind", "list", "--limit", "1000"])["reminders"].clone();
    let all = list(&env);
    let history = env.ok(&["history", &a]);
    let bytes = match env.url() {
        Some(_) => vec![vec!["uuid".to_string()]],
        None => vec![vec!["blob 16".to_string()]],
    };
    assert_eq!(message_id_types(&env), bytes);

    crate::common::undo_schema_58(&env);
    crate::common::set_schema_version(&env, 57);
    let text = match env.url() {
        Some(_) => vec![vec!["text".to_string()]],
        None => vec![vec!["text 36".to_string()]],
    };
    assert_eq!(message_id_types(&env), text);
    // Killed after a first batch of three.
    let ids = env.rows("SELECT id FROM reminders ORDER BY id");
    assert!(ids.len() > 3, "{ids:?}");
    message_ids_copied_up_to(&env, &ids[2][0]);

    // The next command upgrades it, and shows every message as before.
    assert_eq!(list(&env), all);
    assert_eq!(env.ok(&["history", &a]), history);
    assert_eq!(message_id_types(&env), bytes);
    assert_eq!(env.rows("SELECT id FROM reminders ORDER BY id"), ids);
    the_copy_took_the_messages_place(&mut env, "reminders_58");
}

/// A message whose ID is no UUID (appt never wrote one) stops schema 58
/// before the batch that holds it is kept: `DATABASE_ERROR`, the database
/// at schema 57 as it was, the messages' IDs still text.
#[test]
fn a_message_id_that_is_no_uuid_stops_the_upgrade_and_changes_nothing() {
    let env = Env::clinic();
    env.book(TUE, "10:00", "+50370000001");
    crate::common::undo_schema_58(&env);
    crate::common::set_schema_version(&env, 57);
    env.exec("UPDATE reminders SET id = 'r-1' WHERE id = (SELECT min(id) FROM reminders)");
    let before = env.rows("SELECT id, status FROM reminders ORDER BY id");
    let (code, e) = env.err(&["remind", "list"]);
    assert_eq!((code, s(&e["code"])), (6, "DATABASE_ERROR"), "{e}");
    assert_eq!(
        env.rows("SELECT id, status FROM reminders ORDER BY id"),
        before
    );
    let text = match env.url() {
        Some(_) => "text",
        None => "text 36",
    };
    assert!(message_id_types(&env).iter().any(|r| r[0] == text));
    assert_eq!(crate::common::schema_version(&env), "57");
}

/// How `env`'s database keeps the appointments' IDs, column by column:
/// SQLite's storage class and length of the values there, PostgreSQL's
/// type of the column.
fn visit_id_types(env: &Env) -> Vec<Vec<String>> {
    id_types(env, crate::common::VISIT_IDS_59)
}

/// How `env`'s database keeps the columns `cols` (`table.column`):
/// SQLite's storage class and length of the values there, PostgreSQL's
/// type of the column.
fn id_types(env: &Env, cols: &[&str]) -> Vec<Vec<String>> {
    let each: Vec<String> = cols
        .iter()
        .map(|tc| {
            let (t, c) = tc.split_once('.').unwrap();
            match env.url() {
                Some(_) => format!(
                    "SELECT '{tc} ' || data_type FROM information_schema.columns \
                     WHERE table_name = '{t}' AND column_name = '{c}'"
                ),
                None => format!(
                    "SELECT DISTINCT '{tc} ' || typeof({c}) || ' ' || length({c}) FROM {t} \
                     WHERE {c} IS NOT NULL"
                ),
            }
        })
        .collect();
    env.rows(&format!("{} ORDER BY 1", each.join(" UNION ALL ")))
}

/// The tables schema 59 copies, as the database describes them
/// ([`described`]).
fn visit_tables(env: &Env) -> Vec<Vec<String>> {
    described(
        env,
        "'appointments', 'events', 'reminders', 'inbox', 'appointment_resources', \
         'calendar_writes', 'access_log', 'patient_links'",
    )
}

/// The tables `tables` (an SQL list of names), as the database describes
/// them: SQLite's own SQL of each table, index and trigger, PostgreSQL's
/// of each index, trigger and constraint, the other tables' references to
/// them too.
fn described(env: &Env, tables: &str) -> Vec<Vec<String>> {
    env.rows(&match env.url() {
        Some(_) => format!(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({tables}) \
             UNION ALL SELECT conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE conrelid IN (SELECT oid FROM pg_class WHERE relname IN ({tables})) \
             OR confrelid IN (SELECT oid FROM pg_class WHERE relname IN ({tables})) \
             UNION ALL SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger \
             WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relname IN ({tables})) \
             AND NOT tgisinternal ORDER BY 1, 2"
        ),
        None => format!(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master \
             WHERE tbl_name IN ({tables}) ORDER BY 2"
        ),
    })
}

/// A database of schema 58 takes schema 59 on its next command: every
/// table that names an appointment copied, a batch per transaction, into
/// one that keeps the appointment's ID as its 16 bytes. A link whose
/// target is no ID (appt never wrote one) stops it in the last table's
/// batch, the batches before kept; without it, the next command goes on
/// from there. Every visit, message and event is shown and found by its
/// ID (or a prefix) as before, the tables are as a new database's, and
/// the sweep and the events' IDs go on.
#[test]
fn appointment_ids_stored_as_text_are_kept_as_sixteen_bytes_and_shown_the_same() {
    let (mut env, a) = messages_of_every_status();
    let seen = |env: &Env| {
        [
            env.ok(&["remind", "list", "--limit", "1000"]),
            env.ok(&["history", &a]),
            env.ok(&["show", &a[..8]]),
            env.ok(&["list", "--date", TUE]),
            Value::Array(env.lines(&["events", "--after", "0"])),
        ]
    };
    let before = seen(&env);
    let links = env.rows("SELECT count(*) FROM patient_links");
    assert_ne!(links[0][0], "0", "the sweep made links");
    let types = visit_id_types(&env);
    let tables = visit_tables(&env);
    let last_event = env.rows("SELECT max(id) FROM events")[0][0].clone();
    for t in &types {
        assert!(
            t[0].ends_with(" uuid") || t[0].ends_with(" blob 16"),
            "{t:?}"
        );
    }

    crate::common::undo_schema_59(&env);
    crate::common::set_schema_version(&env, 58);
    for t in visit_id_types(&env) {
        assert!(
            t[0].ends_with(" text") || t[0].ends_with(" text 36"),
            "{t:?}"
        );
    }
    env.exec(
        "INSERT INTO patient_links (nonce, kind, target_id, created_at) \
         VALUES ('00', 'appointment', 'no-id', 0)",
    );
    upgrade_stops(&env, &["remind", "list"], "58");
    // The batches before it were kept: every visit and message copied.
    for t in ["appointments", "reminders"] {
        assert_eq!(
            env.rows(&format!("SELECT count(*) FROM {t}_59")),
            env.rows(&format!("SELECT count(*) FROM {t}"))
        );
    }
    // The batch that met the link was undone: its copy too.
    assert!(!crate::common::has_table(&env, "patient_links_59"));

    env.exec("DELETE FROM patient_links WHERE nonce = '00'");
    let out = in_batches_of_two(&env, &["check"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(seen(&env), before);
    assert_eq!(visit_id_types(&env), types);
    assert_eq!(visit_tables(&env), tables);
    for t in crate::common::VISIT_IDS_59 {
        let table = t.split_once('.').unwrap().0;
        assert!(!crate::common::has_table(&env, &format!("{table}_59")));
    }
    // The sweep goes on, and the events' IDs from the last one given.
    env.at("2026-06-18T16:10:00Z");
    let out = sweep(&env, &["--exec", "true", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["sent"], 1, "{summary}");
    let b = s(&env.book("2026-06-19", "11:00", "+50370000004")["id"]).to_string();
    let first: i64 = env.rows(&format!(
        "SELECT min(id) FROM events WHERE appointment_id = {}",
        env.id_literal(&b)
    ))[0][0]
        .parse()
        .unwrap();
    assert!(first > last_event.parse::<i64>().unwrap());
}

/// How `env`'s database keeps an appointment's closed sets and its local
/// date, column by column: SQLite's storage classes of the values there,
/// PostgreSQL's type of the column.
fn visit_set_types(env: &Env) -> Vec<Vec<String>> {
    let each: Vec<String> = [
        "status",
        "source",
        "urgency",
        "modality",
        "visit_type",
        "local_date",
    ]
    .iter()
    .map(|c| match env.url() {
        Some(_) => format!(
            "SELECT '{c} ' || data_type FROM information_schema.columns \
                 WHERE table_name = 'appointments' AND column_name = '{c}'"
        ),
        None => format!("SELECT DISTINCT '{c} ' || typeof({c}) FROM appointments"),
    })
    .collect();
    env.rows(&format!("{} ORDER BY 1", each.join(" UNION ALL ")))
}

/// A database of schema 59 takes schema 60 on its next command: the
/// appointments copied, a batch per transaction, into a table that keeps
/// each visit's status, source, urgency, modality and kind of visit as its
/// number and its local date as its day number. A source appt never wrote,
/// or a date that is none, stops it in that row's batch, the batches before
/// kept; so does a copy short of a row written behind its cursor. Mended,
/// the next command goes on from there. Every
/// visit reads, is counted and is filtered as before; the table, its
/// indexes and constraints and the references to it are as a new
/// database's; and the database still refuses what it refused.
#[test]
fn a_visits_status_source_kind_and_date_are_kept_as_numbers_and_shown_the_same() {
    let (mut env, a) = messages_of_every_status();
    // Six statuses (all but in_progress), three sources and every kind of visit.
    env.ok(&["status", &a, "no_show"]);
    let book = |env: &Env, time: &str, phone: &str, more: &[&str]| -> String {
        s(&env.book_with("2026-06-18", time, phone, more)["id"]).to_string()
    };
    let urgent = book(
        &env,
        "10:30",
        "+50370000011",
        &[
            "--source",
            "phone",
            "--urgency",
            "urgente",
            "--modality",
            "telemedicina",
        ],
    );
    let home = book(
        &env,
        "11:00",
        "+50370000012",
        &[
            "--source",
            "web",
            "--urgency",
            "emergencia",
            "--modality",
            "a domicilio",
        ],
    );
    let seen_again = book(&env, "11:30", "+50370000013", &["--visit-type", "control"]);
    env.ok(&["status", &urgent, "confirmed"]);
    env.ok(&["status", &home, "checked_in"]);
    env.ok(&["status", &seen_again, "checked_in"]);
    env.ok(&["status", &seen_again, "in_progress"]);
    env.ok(&["status", &seen_again, "completed", "--diagnosis", "Sano"]);
    let seen = |env: &Env| {
        let mut out = vec![
            env.ok(&["list", "--from", TUE, "--to", "2026-06-19"]),
            env.ok(&["list", "--date", "2026-06-18", "--status", "checked_in"]),
            env.ok(&["list", "--date", "2026-06-18", "--source", "web"]),
            env.ok(&["count", "--since", TUE, "--source", "phone"]),
            env.ok(&["count", "--since", TUE, "--status", "no_show"]),
            env.ok(&["agenda", "--date", "2026-06-18"]),
            env.ok(&["report", "--from", TUE, "--to", "2026-06-19"]),
        ];
        for by in ["urgency", "modality", "visit_type"] {
            out.push(env.ok(&["count", "--since", TUE, "--by", by]));
        }
        out
    };
    let before = seen(&env);
    // Groups of one size go by name, not by their numbers (normal 1,
    // urgent 2, emergency 3): one visit each since Tuesday.
    let urgency = &before[7]["groups"];
    assert_eq!(
        urgency,
        &serde_json::json!([
            {"key": "emergency", "count": 1},
            {"key": "normal", "count": 1},
            {"key": "urgent", "count": 1}
        ])
    );
    let statuses: Vec<&str> = before[0]["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["status"].as_str().unwrap())
        .collect();
    for st in [
        "scheduled",
        "confirmed",
        "checked_in",
        "completed",
        "cancelled",
        "no_show",
    ] {
        assert!(statuses.contains(&st), "{st}: {statuses:?}");
    }
    let types = visit_set_types(&env);
    let tables = visit_tables(&env);
    for t in &types {
        assert!(
            t[0].ends_with(" smallint") || t[0].ends_with(" integer"),
            "{t:?}"
        );
    }

    crate::common::undo_schema_60(&env);
    crate::common::set_schema_version(&env, 59);
    for t in visit_set_types(&env) {
        assert!(t[0].ends_with(" text"), "{t:?}");
    }
    // A source appt never wrote, on the third visit in the copy's order.
    let ids = env.rows("SELECT id FROM appointments ORDER BY id");
    let bad = &ids[2][0];
    let kept = env.rows(&format!(
        "SELECT source, local_date FROM appointments WHERE id = {}",
        env.id_literal(bad)
    ))[0]
        .clone();
    env.exec(&format!(
        "UPDATE appointments SET source = 'fax' WHERE id = {}",
        env.id_literal(bad)
    ));
    let stops = |env: &Env| {
        upgrade_stops(env, &["list"], "59");
        // The batch before it was kept; the one that met it was undone.
        assert_eq!(env.rows("SELECT count(*) FROM appointments_60"), [["2"]]);
    };
    stops(&env);
    // A date that is none, the source mended.
    env.exec(&format!(
        "UPDATE appointments SET source = '{}', local_date = '2026-02-30' WHERE id = {}",
        kept[0],
        env.id_literal(bad)
    ));
    stops(&env);

    env.exec(&format!(
        "UPDATE appointments SET local_date = '{}' WHERE id = {}",
        kept[1],
        env.id_literal(bad)
    ));
    // A visit written behind the copy's cursor meanwhile (as an older appt
    // still writing would): the copy falls short, and the table is not
    // given up for it.
    let behind = env.id_literal("00000000-0000-4000-8000-000000000001");
    env.exec(&format!(
        "INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, local_date, \
         starts_at, ends_at, duration_minutes, status, token_number, source, created_at, updated_at) \
         SELECT {behind}, clinic_id, doctor_id, window_id, patient_id, local_date, starts_at, \
         ends_at, duration_minutes, 'cancelled', 0, source, created_at, updated_at \
         FROM appointments WHERE id = {}",
        env.id_literal(bad)
    ));
    upgrade_stops(&env, &["list"], "59");
    assert!(crate::common::has_table(&env, "appointments_60"));
    env.exec(&format!("DELETE FROM appointments WHERE id = {behind}"));
    let out = in_batches_of_two(&env, &["check"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(seen(&env), before);
    assert_eq!(visit_set_types(&env), types);
    assert_eq!(visit_tables(&env), tables);
    assert!(!crate::common::has_table(&env, "appointments_60"));
    // The database refuses as it did: a status it does not know, and (by
    // its references) a visit's events without the visit.
    assert!(env
        .try_exec(&format!(
            "UPDATE appointments SET status = 9 WHERE id = {}",
            env.id_literal(&a)
        ))
        .is_err());
    refused_for_references(
        &env,
        &format!("DELETE FROM appointments WHERE id = {}", env.id_literal(&a)),
    );
    // And the desk goes on: a visit booked, moved on and cancelled.
    env.at("2026-06-18T16:10:00Z");
    let late = book(&env, "12:00", "+50370000014", &["--source", "whatsapp"]);
    env.ok(&["status", &late, "confirmed"]);
    env.ok(&["cancel", &late, "--reason", "Viaje"]);
    let c = env.ok(&[
        "count",
        "--since",
        TUE,
        "--source",
        "whatsapp",
        "--status",
        "cancelled",
    ]);
    assert_eq!(c["count"], 1, "{c}");
}

/// `sql` is refused by a foreign key (SQLite's turned on for it).
fn refused_for_references(env: &Env, sql: &str) {
    let sql = match env.url() {
        Some(_) => sql.to_string(),
        None => format!("PRAGMA foreign_keys = ON; {sql}"),
    };
    let e = env.try_exec(&sql).expect_err(&sql);
    assert!(e.to_lowercase().contains("foreign key"), "{e}");
}

/// A database of schema 60 takes schema 61 on its next command: the
/// patients, and every table that names one (the appointments, the
/// waitlist, the inbox, the access log), copied a batch per transaction
/// into tables that keep the patient's ID as its 16 bytes. A patient whose
/// ID is no UUID stops it with `DATABASE_ERROR`, the batches before kept;
/// so does a patient written behind the copy's cursor. Then everything reads
/// as before.
#[test]
fn patient_ids_stored_as_text_are_kept_as_sixteen_bytes_and_shown_the_same() {
    let env = Env::clinic();
    let mut ids = Vec::new();
    for (i, phone) in [
        "+50370000021",
        "+50370000022",
        "+50370000023",
        "+50370000024",
    ]
    .iter()
    .enumerate()
    {
        let a = env.book(TUE, &format!("{}:00", 9 + i), phone);
        ids.push(s(&a["patient_id"]).to_string());
        if i == 0 {
            env.ok(&["status", s(&a["id"]), "confirmed"]);
        }
    }
    env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        TUE,
        "-P",
        "+50370000022",
    ]);
    let visit = env.rows("SELECT id FROM appointments ORDER BY starts_at")[1][0].clone();
    env.exec(&format!(
        "INSERT INTO inbox (id, clinic_id, channel, kind, provider_id, patient_id, body, \
         received_at, outcome) SELECT 'in-1', clinic_id, 'sms', 'sms', 'SM9', patient_id, \
         'No puedo ir', 1781539300, 'inbox' FROM appointments WHERE id = {v}; \
         INSERT INTO access_log (id, at, clinic_id, patient_id, appointment_id, actor, os_user, \
         command) SELECT 'l-1', 1781539300, clinic_id, patient_id, id, 'staff:Marta', 'desk', \
         'show' FROM appointments WHERE id = {v}",
        v = env.id_literal(&visit)
    ));
    let who = &ids[1];
    let seen = |env: &Env| {
        vec![
            env.ok(&["patient", "show", who]),
            env.ok(&["patient", "show", &who[..6]]),
            env.ok(&["patient", "list", "--search", "7000002"]),
            // An export records itself: what it holds, without its events.
            {
                let mut export = env.ok(&["patient", "export", who]);
                export["events"] = Value::Null;
                export
            },
            env.ok(&["list", "--date", TUE]),
            env.ok(&["waitlist", "list"]),
            env.ok(&["inbox"]),
            env.ok(&["access-log", "--patient", who]),
            env.ok(&["report", "--from", TUE, "--to", TUE]),
        ]
    };
    let before = seen(&env);
    // The waitlist, the inbox and the access log name the patient.
    assert_eq!(
        before[5]["waitlist"][0]["patient_id"],
        who.as_str(),
        "{}",
        before[5]
    );
    for named in &before[6..8] {
        assert!(named.to_string().contains(who.as_str()), "{named}");
    }
    let types = id_types(&env, crate::common::PATIENT_IDS_61);
    let sixteen = if env.url().is_some() {
        " uuid"
    } else {
        " blob 16"
    };
    assert_eq!(types.len(), 5, "{types:?}");
    for t in &types {
        assert!(t[0].ends_with(sixteen), "{t:?}");
    }
    let tables = described(
        &env,
        "'patients', 'appointments', 'waitlist', 'inbox', 'access_log'",
    );

    crate::common::undo_schema_61(&env);
    crate::common::set_schema_version(&env, 60);
    for t in id_types(&env, crate::common::PATIENT_IDS_61) {
        assert!(
            t[0].ends_with(" text") || t[0].ends_with(" text 36"),
            "{t:?}"
        );
    }
    // A patient whose ID is no UUID, third in the copy's order.
    let mut sorted = ids.clone();
    sorted.sort();
    let bad = format!("{}x", sorted[1]);
    env.exec(&format!(
        "INSERT INTO patients (id, full_name, name_key, phone, created_at, updated_at) \
         VALUES ('{bad}', 'Nadie', 'nadie', '+50370000099', 0, 0)"
    ));
    upgrade_stops(&env, &["list"], "60");
    // The batch before it was kept; the one that met it was undone.
    assert_eq!(env.rows("SELECT count(*) FROM patients_61"), [["2"]]);
    env.exec(&format!("DELETE FROM patients WHERE id = '{bad}'"));
    // A patient written behind the copy's cursor meanwhile (as an older
    // appt still writing would): the copy falls short, and the tables are
    // not given up for it.
    stops_behind_the_copy(
        &env,
        "patients",
        "(id, full_name, name_key, phone, created_at, updated_at) \
         VALUES ('{id}', 'Nadie', 'nadie', '+50370000099', 0, 0)",
        "60",
    );
    // And on through schema 62.
    goes_on_as_before(&env, "62", &seen, &before);
    assert_eq!(id_types(&env, crate::common::PATIENT_IDS_61), types);
    assert_eq!(
        described(
            &env,
            "'patients', 'appointments', 'waitlist', 'inbox', 'access_log'",
        ),
        tables
    );
    assert!(!crate::common::has_table(&env, "patients_61"));
    // The database refuses as it did: (by its references) a patient's
    // visits without the patient.
    refused_for_references(
        &env,
        &format!("DELETE FROM patients WHERE id = {}", env.id_literal(who)),
    );
    // And the desk goes on: a new patient booked, found by a prefix of
    // their ID, waiting, and erased.
    let new = env.book(TUE, "12:30", "+50370000025");
    let new_id = s(&new["patient_id"]).to_string();
    let shown = env.ok(&["patient", "show", &new_id[..6]]);
    assert_eq!(shown["id"], new_id.as_str(), "{shown}");
    env.ok(&["patient", "erase", who, "--reason", "asked", "--yes"]);
    assert_eq!(
        env.rows(&format!(
            "SELECT count(*) FROM waitlist WHERE patient_id = {}",
            env.id_literal(who)
        )),
        [["0"]]
    );
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// A row of `table` written behind its copy's cursor (as an older appt
/// still writing would; `row` is its columns and values, `{id}` its ID):
/// the copy falls short, and the upgrade stops at schema `at` without
/// giving the tables up for it. The row goes again after.
fn stops_behind_the_copy(env: &Env, table: &str, row: &str, at: &str) {
    let id = "00000000-0000-4000-8000-000000000001";
    env.exec(&format!("INSERT INTO {table} {}", row.replace("{id}", id)));
    upgrade_stops(env, &["list"], at);
    let copy = format!("{table}_{}", at.parse::<i64>().unwrap() + 1);
    assert!(crate::common::has_table(env, &copy));
    env.exec(&format!("DELETE FROM {table} WHERE id = '{id}'"));
}

/// The upgrade goes on to schema `to` in batches of two, and the commands
/// `seen` runs answer as they did (`before`).
fn goes_on_as_before(env: &Env, to: &str, seen: &dyn Fn(&Env) -> Vec<Value>, before: &[Value]) {
    let out = in_batches_of_two(env, &["check"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(crate::common::schema_version(env), to);
    for (i, (now, then)) in seen(env).iter().zip(before).enumerate() {
        assert_eq!(now, then, "{i}");
    }
}

/// A database of schema 61 takes schema 62 on its next command: the
/// clinics, doctors, services and windows, and every table that names one,
/// copied a batch per transaction into tables that keep those IDs as their
/// 16 bytes. A doctor whose ID is no UUID stops the upgrade, the database
/// as it was and the batches before it kept; a row written behind a copy's
/// cursor stops it; then it goes on where it stopped, and every command
/// answers as it did.
#[test]
fn schema_62_keeps_the_setups_ids_as_sixteen_bytes_copied_in_batches() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dra. López", "--specialty", "Pediatría"]);
    env.ok(&["service", "add", "Control", "--minutes", "20"]);
    env.ok(&[
        "resource",
        "add",
        "Rayos",
        "--kind",
        "sala",
        "--capacity",
        "2",
    ]);
    env.ok(&[
        "closure",
        "add",
        "--doctor",
        "Dr. García",
        "--from",
        "2026-06-18",
        "--reason",
        "Congreso",
    ]);
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.example.com",
    ]);
    env.ok(&["feed", "add", "garcia", "-d", "Dr. García"]);
    env.ok(&["token", "add", "bot", "--scopes", "appointments:read"]);
    for (i, phone) in ["+50370000031", "+50370000032", "+50370000033"]
        .iter()
        .enumerate()
    {
        env.book(TUE, &format!("{}:00", 9 + i), phone);
    }
    env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        TUE,
        "-P",
        "+50370000032",
    ]);
    let seen = |env: &Env| {
        [
            vec!["list", "--date", TUE],
            vec!["agenda", "--date", TUE],
            vec!["slots", "-d", "Dr. García", "-D", TUE],
            vec!["waitlist", "list"],
            vec!["doctor", "list"],
            vec!["service", "list"],
            vec!["window", "list"],
            vec!["closure", "list"],
            vec!["feed", "list"],
            vec!["token", "list"],
            vec!["resource", "list"],
            vec!["report", "--from", TUE, "--to", TUE],
        ]
        .iter()
        .map(|args| env.ok(args))
        .collect::<Vec<Value>>()
    };
    let before = seen(&env);
    let sixteen = if env.url().is_some() {
        " uuid"
    } else {
        " blob 16"
    };
    let types = id_types(&env, crate::common::SETUP_IDS_62);
    // On SQLite, the columns that hold a value here.
    assert!(types.len() >= 15, "{types:?}");
    for t in &types {
        assert!(t[0].ends_with(sixteen), "{t:?}");
    }
    let listed: Vec<String> = crate::common::SETUP_IDS_62
        .iter()
        .map(|c| format!("'{}'", c.split_once('.').unwrap().0))
        .collect();
    let tables = described(&env, &listed.join(", "));

    crate::common::undo_schema_62(&env);
    crate::common::set_schema_version(&env, 61);
    let as_text = id_types(&env, crate::common::SETUP_IDS_62);
    assert_eq!(as_text.len(), types.len(), "{as_text:?}");
    for t in as_text {
        assert!(
            t[0].ends_with(" text") || t[0].ends_with(" text 36"),
            "{t:?}"
        );
    }
    // A doctor whose ID is no UUID, after the others in the copy's order.
    let bad = "ffffffff-ffff-4fff-bfff-fffffffffffx";
    env.exec(&format!(
        "INSERT INTO doctors (id, full_name, name_key, specialty, slot_minutes, active, \
         created_at, updated_at) VALUES ('{bad}', 'Nadie', 'nadie', '', 30, 1, 0, 0)"
    ));
    upgrade_stops(&env, &["list"], "61");
    // The clinics' copy and the doctors' first batch were kept; the batch
    // that met it was undone.
    assert_eq!(env.rows("SELECT count(*) FROM clinics_62"), [["1"]]);
    assert_eq!(env.rows("SELECT count(*) FROM doctors_62"), [["2"]]);
    env.exec(&format!("DELETE FROM doctors WHERE id = '{bad}'"));
    // A doctor written behind the copy's cursor meanwhile (as an older
    // appt still writing would): the copy falls short, and the tables are
    // not given up for it.
    stops_behind_the_copy(
        &env,
        "doctors",
        "(id, full_name, name_key, specialty, slot_minutes, active, created_at, updated_at) \
         VALUES ('{id}', 'Nadie', 'nadie', '', 30, 1, 0, 0)",
        "61",
    );
    goes_on_as_before(&env, "62", &seen, &before);
    assert_eq!(id_types(&env, crate::common::SETUP_IDS_62), types);
    assert_eq!(described(&env, &listed.join(", ")), tables);
    for t in &listed {
        assert!(!crate::common::has_table(
            &env,
            &format!("{}_62", t.trim_matches('\''))
        ));
    }
    // The database refuses as it did: (by its references) a clinic's
    // visits without the clinic.
    let clinic = env.ok(&["clinic", "show", "Central"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    refused_for_references(
        &env,
        &format!("DELETE FROM clinics WHERE id = {}", env.id_literal(&clinic)),
    );
    // And the desk goes on: a doctor found by a prefix of their ID, a
    // visit booked with them, the day as it is.
    let lopez = env.ok(&["doctor", "show", "Dra. López"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = env.ok(&["doctor", "show", &lopez[..6]]);
    assert_eq!(shown["id"], lopez.as_str(), "{shown}");
    env.book(TUE, "12:30", "+50370000034");
    assert_eq!(
        env.ok(&["list", "--date", TUE])["appointments"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
}
