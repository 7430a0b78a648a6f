//! `appt remind due|list`. `due` is what cron runs every few minutes: it claims
//! the due reminders in one write transaction, then delivers each (a JSON line
//! on stdout, or `--exec CMD`) and records the outcome in another, so
//! overlapping runs never deliver a reminder twice and a run that dies leaves
//! its claims to be retried once they lapse.

use super::Ctx;
use crate::core::delivery::{self, triage, Verdict, CLAIM};
use crate::core::{time, Appointment};
use crate::error::{Code, Error, Result};
use crate::output::{emit_line, human, json, Report};
use crate::store::appointments;
use crate::store::reminders::{self, Reminder, STATUSES};
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
            a.patient_name.clone(),
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

fn due(ctx: &Ctx, exec: Option<&str>, dry_run: bool, limit: Option<i64>) -> Result<Report> {
    if limit.is_some_and(|l| l < 1) {
        return Err(Error::field("limit", "limit must be 1 or more"));
    }
    let mut st = ctx.open()?;
    let mut tally = Tally::default();
    let mut deliver: Vec<(Reminder, Appointment)> = Vec::new();

    // Claim: decide every due reminder and claim the ones to deliver, at once.
    let tx = st.write()?;
    let due = reminders::due(&tx, ctx.now)?;
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
    for (appointment_id, rs) in groups {
        let a = appointments::get(&tx, &appointment_id)?;
        let due_ats: Vec<_> = rs.iter().map(|r| r.due_at).collect();
        for (r, verdict) in rs
            .into_iter()
            .zip(triage(a.status, a.starts_at, ctx.now, &due_ats))
        {
            match verdict {
                Verdict::Cancel => {
                    tally.cancelled += 1;
                    reminders::set_status(&tx, &r.id, "cancelled", ctx.now)?;
                }
                Verdict::Expire => {
                    tally.expired += 1;
                    reminders::set_status(&tx, &r.id, "expired", ctx.now)?;
                }
                // Past the limit it stays pending for the next run.
                Verdict::Deliver if limit.is_some_and(|l| deliver.len() as i64 >= l) => {}
                Verdict::Deliver => {
                    reminders::claim(&tx, &r.id, ctx.now + CLAIM, ctx.now)?;
                    deliver.push((r, a.clone()));
                }
            }
        }
    }
    if dry_run {
        tx.rollback()?;
        for (r, a) in &deliver {
            emit_line(&json::reminder(r, a));
        }
        return Ok(Report::quiet());
    }
    tx.commit()?;

    // Deliver, recording each outcome as it happens.
    let mut failures = Vec::new();
    for (r, a) in &deliver {
        let outcome = match exec {
            None => {
                let mut sent = r.clone();
                sent.status = "sent".into();
                sent.attempts += 1;
                sent.sent_at = Some(ctx.now);
                emit_line(&json::reminder(&sent, a));
                Ok(())
            }
            Some(cmd) => run_hook(cmd, &json::reminder(r, a), &hook_env(r, a)),
        };
        let tx = st.write()?;
        match outcome {
            Ok(()) => {
                reminders::mark_sent(&tx, &r.id, ctx.now)?;
                tally.sent += 1;
            }
            Err(why) => {
                let retry = delivery::reminder_retry(ctx.now, r.attempts + 1);
                reminders::mark_attempt_failed(&tx, &r.id, &why, retry, ctx.now)?;
                tally.failed += 1;
                failures.push(json!({"reminder_id": r.id, "error": why, "retry_at": retry.map(time::fmt_utc)}));
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
