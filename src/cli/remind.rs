//! `appt remind due|list`. `due` is what cron runs every few minutes: it
//! decides the due reminders in one write transaction, then for each claims it
//! in a transaction just before delivering it (a JSON line on stdout, or
//! `--exec CMD`) and records the outcome in another, only while its claim still
//! stands. So overlapping runs never deliver a reminder twice, a long run never
//! sits on reminders it has not reached, and a run that dies leaves its one
//! claim to be retried once it lapses.

use super::Ctx;
use crate::core::delivery::{self, triage, Verdict, CLAIM};
use crate::core::{time, Appointment};
use crate::error::{Code, Error, Result};
use crate::output::{emit_line, human, json, Report};
use crate::store::reminders::{self, Reminder, STATUSES};
use crate::store::{appointments, Store};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A hook running longer than this is killed and counts as a failure.
const EXEC_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Deliver the reminders that are due (cron runs this every few minutes)
    Due {
        /// Run `sh -c CMD` once per reminder, with its JSON on stdin and APPT_* variables; exit 0 = sent
        #[arg(long, value_name = "CMD")]
        exec: Option<String>,
        /// Print what would be delivered and change nothing
        #[arg(long)]
        dry_run: bool,
        /// Deliver at most this many in this run
        #[arg(long, value_name = "N")]
        limit: Option<i64>,
    },
    /// List reminders
    List {
        /// Only this status: pending, sent, failed, cancelled, expired
        #[arg(long)]
        status: Option<String>,
        /// At most this many
        #[arg(long, default_value_t = 500)]
        limit: i64,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Due {
            exec,
            dry_run,
            limit,
        } => due(ctx, exec.as_deref(), dry_run, limit),
        Cmd::List { status, limit } => list(ctx, status, limit),
    }
}

fn list(ctx: &Ctx, status: Option<String>, limit: i64) -> Result<Report> {
    if let Some(s) = &status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(Error::field(
                "status",
                format!("status must be one of {}", STATUSES.join(", ")),
            ));
        }
    }
    if !(1..=100_000).contains(&limit) {
        return Err(Error::field("limit", "limit must be between 1 and 100000"));
    }
    let st = ctx.open()?;
    let rows = reminders::list(&st.conn, status.as_deref(), limit)?;
    let mut views = Vec::new();
    let mut t = human::table(&[
        "Due",
        "Offset",
        "Status",
        "Tries",
        "Patient",
        "Appointment",
        "ID",
    ]);
    for r in &rows {
        let a = appointments::get(&st.conn, &r.appointment_id)?;
        let (d, hm) = time::to_local(a.timezone, r.due_at);
        t.add_row(vec![
            format!("{d} {hm}"),
            time::format_offset(r.offset_minutes),
            r.status.clone(),
            r.attempts.to_string(),
            human::clean(&a.patient_name),
            human::when(&a),
            human::short(&r.id).to_string(),
        ]);
        views.push(json::reminder(r, &a));
    }
    let text = if rows.is_empty() {
        "No reminders.".to_string()
    } else {
        t.to_string()
    };
    Ok(Report::new(json!({ "reminders": views }), text))
}

#[derive(Default)]
struct Tally {
    sent: i64,
    failed: i64,
    expired: i64,
    cancelled: i64,
}

/// The sweep's clock: "now" (`$APPT_NOW` or the system's) moving on with the
/// time the sweep has run, so the claims of a long sweep lapse 10 minutes after
/// they are taken, not after the sweep started.
struct Clock {
    start: DateTime<Utc>,
    began: Instant,
}

impl Clock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.began.elapsed()).unwrap_or_default();
        self.start + chrono::Duration::seconds(elapsed.num_seconds())
    }
}

/// Decides every due reminder at `now` in one transaction: the ones of
/// appointments no longer active are cancelled, of started ones expired, and
/// of several due for one appointment only the nearest is kept. Returns the
/// ones to deliver (at most `limit`), with their appointments as they are now.
/// A dry run decides the same and writes nothing.
fn triage_due(
    st: &mut Store,
    now: DateTime<Utc>,
    limit: Option<i64>,
    dry_run: bool,
    tally: &mut Tally,
) -> Result<Vec<(Reminder, Appointment)>> {
    let tx = st.write()?;
    let due = reminders::due(&tx, now)?;
    // Grouped by appointment, in order of each appointment's first due reminder.
    let mut groups: Vec<(String, Vec<Reminder>)> = Vec::new();
    let mut slot: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for r in due {
        let i = *slot.entry(r.appointment_id.clone()).or_insert_with(|| {
            groups.push((r.appointment_id.clone(), Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(r);
    }
    let mut deliver = Vec::new();
    for (appointment_id, rs) in groups {
        let a = appointments::get(&tx, &appointment_id)?;
        let due_ats: Vec<_> = rs.iter().map(|r| r.due_at).collect();
        for (r, verdict) in rs
            .into_iter()
            .zip(triage(a.status, a.starts_at, now, &due_ats))
        {
            match verdict {
                Verdict::Cancel => {
                    tally.cancelled += 1;
                    reminders::set_status(&tx, &r.id, "cancelled", now)?;
                }
                Verdict::Expire => {
                    tally.expired += 1;
                    reminders::set_status(&tx, &r.id, "expired", now)?;
                }
                // Past the limit it stays pending for the next run.
                Verdict::Deliver if limit.is_some_and(|l| deliver.len() as i64 >= l) => {}
                Verdict::Deliver => deliver.push((r, a.clone())),
            }
        }
    }
    if dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(deliver)
}

/// Takes one reminder for this run just before delivering it: still takeable
/// (no other run delivered or claimed it meanwhile) and its appointment, as it
/// is at this moment, still worth reminding of. Returns what to deliver.
fn take(
    st: &mut Store,
    id: &str,
    run: &str,
    now: DateTime<Utc>,
    tally: &mut Tally,
) -> Result<Option<(Reminder, Appointment)>> {
    let tx = st.write()?;
    let Some(r) = reminders::takeable(&tx, id, now)? else {
        return Ok(None);
    };
    let a = appointments::get(&tx, &r.appointment_id)?;
    let taken = match triage(a.status, a.starts_at, now, &[r.due_at])[0] {
        Verdict::Cancel => {
            tally.cancelled += 1;
            reminders::set_status(&tx, &r.id, "cancelled", now)?;
            None
        }
        Verdict::Expire => {
            tally.expired += 1;
            reminders::set_status(&tx, &r.id, "expired", now)?;
            None
        }
        Verdict::Deliver => {
            reminders::claim(&tx, &r.id, run, now + CLAIM, now)?;
            Some((r, a))
        }
    };
    tx.commit()?;
    Ok(taken)
}

fn due(ctx: &Ctx, exec: Option<&str>, dry_run: bool, limit: Option<i64>) -> Result<Report> {
    if limit.is_some_and(|l| l < 1) {
        return Err(Error::field("limit", "limit must be 1 or more"));
    }
    let clock = Clock {
        start: ctx.now,
        began: Instant::now(),
    };
    let mut st = ctx.open()?;
    let mut tally = Tally::default();

    let deliver = triage_due(&mut st, ctx.now, limit, dry_run, &mut tally)?;
    if dry_run {
        for (r, a) in &deliver {
            emit_line(&json::reminder(r, a))?;
        }
        return Ok(Report::quiet());
    }

    // Each reminder is claimed just before its delivery and its outcome recorded
    // only while the claim stands: a sweep that outlives its claims leaves the
    // rest to the next cron run rather than delivering them a second time.
    let run = crate::store::new_id();
    let mut failures = Vec::new();
    for (r, _) in &deliver {
        let Some((r, a)) = take(&mut st, &r.id, &run, clock.now(), &mut tally)? else {
            continue;
        };
        let outcome = match exec {
            None => {
                let mut sent = r.clone();
                sent.status = "sent".into();
                sent.attempts += 1;
                sent.sent_at = Some(clock.now());
                if let Err(e) = emit_line(&json::reminder(&sent, &a)) {
                    // Not written, not sent: it stays pending for the next run.
                    let tx = st.write()?;
                    reminders::release(&tx, &r.id, &run)?;
                    tx.commit()?;
                    return Err(e);
                }
                Ok(())
            }
            Some(cmd) => run_hook(cmd, &json::reminder(&r, &a), &hook_env(&r, &a)),
        };
        let now = clock.now();
        let tx = st.write()?;
        match outcome {
            Ok(()) => {
                reminders::mark_sent(&tx, &r.id, &run, now)?;
                tally.sent += 1;
            }
            Err(why) => {
                let retry = delivery::reminder_retry(now, r.attempts + 1);
                if reminders::mark_attempt_failed(&tx, &r.id, &run, &why, retry, now)? {
                    tally.failed += 1;
                    failures.push(json!({"reminder_id": r.id, "error": why, "retry_at": retry.map(time::fmt_utc)}));
                }
            }
        }
        tx.commit()?;
    }

    let summary = json!({"sent": tally.sent, "failed": tally.failed, "expired": tally.expired, "cancelled": tally.cancelled});
    let busy = tally.sent + tally.failed + tally.expired + tally.cancelled > 0;
    let mut report = match exec {
        // Without --exec, stdout is the reminders themselves.
        None => Report::quiet(),
        Some(_) if !busy => Report::quiet(),
        Some(_) => Report::new(
            summary,
            format!(
                "Reminders: {} sent, {} failed, {} expired, {} cancelled",
                tally.sent, tally.failed, tally.expired, tally.cancelled
            ),
        ),
    };
    if tally.failed > 0 {
        report.partial = Some(
            Error::new(
                Code::DeliveryFailed,
                format!(
                    "{} reminder deliveries failed; they are retried on a later run",
                    tally.failed
                ),
            )
            .details(json!({"failed": failures})),
        );
    }
    Ok(report)
}

/// The variables a hook sees (SPEC §7).
fn hook_env(r: &Reminder, a: &Appointment) -> Vec<(&'static str, String)> {
    let (date, hm) = time::to_local(a.timezone, a.starts_at);
    vec![
        ("APPT_REMINDER_ID", r.id.clone()),
        ("APPT_APPOINTMENT_ID", a.id.clone()),
        ("APPT_PATIENT_NAME", a.patient_name.clone()),
        ("APPT_PATIENT_PHONE", a.patient_phone.clone()),
        (
            "APPT_DOCTOR_NAME",
            a.doctor_name.clone().unwrap_or_default(),
        ),
        ("APPT_CLINIC_NAME", a.clinic_name.clone()),
        ("APPT_STARTS_AT", time::fmt_utc(a.starts_at)),
        ("APPT_LOCAL_DATE", date.to_string()),
        ("APPT_LOCAL_TIME", hm),
        ("APPT_OFFSET", time::format_offset(r.offset_minutes)),
    ]
}

/// Runs `sh -c cmd` with `input` on stdin; its output goes to our stderr so
/// stdout stays the sweep's own. Past the time limit its whole process group is killed.
fn run_hook(cmd: &str, input: &Value, vars: &[(&str, String)]) -> Result<(), String> {
    use std::os::fd::AsFd;
    use std::os::unix::process::CommandExt;
    let to_stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| e.to_string())?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .envs(vars.iter().map(|(k, v)| (*k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::from(to_stderr))
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start sh: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let body = input.to_string();
        // A hook that never reads its stdin must not block us past the limit.
        std::thread::spawn(move || {
            let _ = stdin.write_all(body.as_bytes());
        });
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(match status.code() {
                    Some(c) => format!("command exited with {c}"),
                    None => "command was killed by a signal".into(),
                })
            }
            Ok(None) if start.elapsed() >= EXEC_LIMIT => {
                // SAFETY: kill(2) on the process group we created for the child.
                unsafe {
                    libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
                }
                let _ = child.wait();
                return Err(format!(
                    "command ran past {}s and was killed",
                    EXEC_LIMIT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    }
}
