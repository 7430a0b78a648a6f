//! The keeper's commands as JSON: `init`, `check`, `backup`, `transfer`,
//! `key rotate`, `token`, `export --output`, `completions`, and `serve`'s
//! own answers.

use crate::core::time::{format_offset, to_local};
use crate::store::check::{Row as CheckRow, Violation};
use crate::wire::{opt_ts, to_json, ts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

/// `check --setup --json`: `{"ok", "findings": [{"check", "subject",
/// "ok", "message", "fix"}]}`, `ok` only when every finding holds.
pub fn installation(found: &[crate::app::setup::Finding]) -> Value {
    let findings: Vec<Value> = found
        .iter()
        .map(|f| {
            json!({
                "check": f.aspect.as_str(),
                "subject": f.subject,
                "ok": f.ok,
                "message": f.said.english(),
                "fix": f.fix.as_ref().map(|m| m.english()),
            })
        })
        .collect();
    json!({"ok": found.iter().all(|f| f.ok), "findings": findings})
}

/// `init --json`.
pub fn initialized(path: &str) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        ok: bool,
        path: &'a str,
    }
    to_json(View { ok: true, path })
}

/// `backup --json`.
pub fn backup(done: &crate::store::backup::Copied, source: &str) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        ok: bool,
        path: String,
        source: &'a str,
        bytes: u64,
        sealed_national_ids: i64,
    }
    to_json(View {
        ok: true,
        path: done.path.display().to_string(),
        source,
        bytes: done.bytes,
        sealed_national_ids: done.sealed_ids,
    })
}

/// `transfer --json`: rows copied per table.
pub fn transferred(from: &str, to: &str, copied: &[(&str, i64)]) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        ok: bool,
        from: &'a str,
        to: &'a str,
        rows: std::collections::BTreeMap<&'a str, i64>,
    }
    to_json(View {
        ok: true,
        from,
        to,
        rows: copied.iter().copied().collect(),
    })
}

/// `export --output FILE --json`: what was written where.
pub fn exported(format: &str, output: &str, appointments: u64) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        format: &'a str,
        output: &'a str,
        appointments: u64,
    }
    to_json(View {
        format,
        output,
        appointments,
    })
}

/// `completions SHELL --json`.
pub fn completion(shell: &str, file: &str, script: &str) -> Value {
    #[derive(Serialize)]
    struct View<'a> {
        shell: &'a str,
        file: &'a str,
        script: &'a str,
    }
    to_json(View {
        shell,
        file,
        script,
    })
}

/// `serve --json`, once listening: where to call.
pub fn serving(url: &str) -> Value {
    json!({ "url": url })
}

/// `GET /healthz`: the database answers.
pub fn health() -> Value {
    json!({ "status": "ok" })
}

#[derive(Serialize)]
struct KeyRotatedView<'a> {
    version: u32,
    resealed: u64,
    unreadable: u64,
    channels_resealed: u64,
    channels_unreadable: u64,
    key_file: Option<String>,
    kept: Vec<String>,
    /// With `$APPT_KEY` only: the new key.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
}

/// `appt key rotate`: `{"version","resealed","unreadable","channels_resealed",
/// "channels_unreadable","key_file","kept"}`,
/// and `"key"` with `$APPT_KEY`.
pub fn key_rotated(r: &crate::app::key::Rotated) -> Value {
    to_json(KeyRotatedView {
        version: r.version,
        resealed: r.resealed,
        unreadable: r.unreadable,
        channels_resealed: r.channels_resealed,
        channels_unreadable: r.channels_unreadable,
        key_file: r.key_file.as_ref().map(|p| p.display().to_string()),
        kept: r.kept.iter().map(|p| p.display().to_string()).collect(),
        key: r.key.as_deref(),
    })
}

#[derive(Serialize)]
struct CheckView<'a> {
    ok: bool,
    violations: Vec<ViolationView<'a>>,
    /// The doctors' own calendars that could not be read at their last
    /// sync (not a violation: the database is sound).
    stale_calendars: Vec<Value>,
}

#[derive(Serialize)]
struct ViolationView<'a> {
    check: &'a str,
    message: String,
    rows: Vec<CheckRowView<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum CheckRowView<'a> {
    Appointment {
        appointment_id: &'a str,
        clinic_id: &'a str,
        doctor_id: Option<&'a str>,
        service_id: Option<&'a str>,
        window_id: Option<&'a str>,
        window_capacity: Option<i64>,
        status: &'a str,
        date: &'a str,
        start_time: String,
        end_time: String,
        starts_at: String,
        ends_at: String,
        token_number: i64,
        buffer_before: i64,
        buffer_after: i64,
    },
    Reminder {
        reminder_id: &'a str,
        appointment_id: &'a str,
        status: &'a str,
        offset: String,
        due_at: String,
        appointment_status: &'a str,
    },
    Key {
        table: &'a str,
        rowid: Option<i64>,
        column: Option<&'a str>,
        value: Option<&'a str>,
        parent: &'a str,
    },
    Patient {
        patient_id: &'a str,
        column: &'a str,
        problem: String,
    },
    Damage {
        table: &'a str,
        id: &'a str,
        column: &'a str,
        value: Option<&'a str>,
        problem: String,
    },
    Trace {
        table: &'a str,
        id: &'a str,
        column: &'a str,
        patient_id: &'a str,
    },
    Problem {
        problem: String,
    },
}

fn check_row(r: &CheckRow) -> CheckRowView<'_> {
    match r {
        CheckRow::Appointment(a) => CheckRowView::Appointment {
            appointment_id: &a.id,
            clinic_id: &a.clinic_id,
            doctor_id: a.doctor_id.as_deref(),
            service_id: a.service_id.as_deref(),
            window_id: a.window_id.as_deref(),
            window_capacity: a.window_capacity,
            status: &a.status,
            date: &a.local_date,
            start_time: to_local(a.timezone, a.starts_at).1,
            end_time: to_local(a.timezone, a.ends_at).1,
            starts_at: ts(a.starts_at),
            ends_at: ts(a.ends_at),
            token_number: a.token_number,
            buffer_before: a.buffer_before,
            buffer_after: a.buffer_after,
        },
        CheckRow::Reminder(r) => CheckRowView::Reminder {
            reminder_id: &r.id,
            appointment_id: &r.appointment_id,
            status: r.status.as_str(),
            offset: format_offset(r.offset_minutes),
            due_at: ts(r.due_at),
            appointment_status: &r.appointment_status,
        },
        CheckRow::Key(k) => CheckRowView::Key {
            table: &k.table,
            rowid: k.rowid,
            column: k.column.as_deref(),
            value: k.value.as_deref(),
            parent: &k.parent,
        },
        CheckRow::Patient(p) => CheckRowView::Patient {
            patient_id: &p.id,
            column: "national_id",
            problem: p.problem.english(),
        },
        CheckRow::Damage(d) => CheckRowView::Damage {
            table: d.table,
            id: &d.id,
            column: d.column,
            value: d.value.as_deref(),
            problem: d.problem.english(),
        },
        CheckRow::Trace(t) => CheckRowView::Trace {
            table: t.table,
            id: &t.id,
            column: t.column,
            patient_id: &t.patient_id,
        },
        CheckRow::Problem(p) => CheckRowView::Problem { problem: p.clone() },
    }
}

/// `appt check`: `{"ok":bool,"violations":[{"check","message","rows":[…]}]}`.
pub fn check(found: &[Violation], stale: &[crate::store::calendars::Stored]) -> Value {
    to_json(CheckView {
        stale_calendars: stale.iter().map(super::calendar).collect(),
        ok: found.is_empty(),
        violations: found
            .iter()
            .map(|v| ViolationView {
                check: v.check,
                message: v.message.english(),
                rows: v.rows.iter().map(check_row).collect(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct TokenView<'a> {
    name: &'a str,
    prefix: &'a str,
    scopes: Vec<&'static str>,
    clinic_id: Option<&'a str>,
    clinic: Option<&'a str>,
    status: &'static str,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
    /// The member of staff it acts for, by name.
    staff: Option<&'a str>,
}

/// An API token as `token list` and `token revoke` show it (never the token
/// nor its hash): `status` is `active`, `expired` or `revoked` at `now`.
pub fn token(t: &crate::store::api_tokens::Token, now: DateTime<Utc>) -> Value {
    to_json(TokenView {
        name: &t.name,
        prefix: &t.prefix,
        scopes: t.scopes.iter().map(|s| s.as_str()).collect(),
        clinic_id: t.clinic_id.as_deref(),
        clinic: t.clinic.as_deref(),
        status: crate::app::token::status(t, now),
        created_at: ts(t.created_at),
        expires_at: opt_ts(t.expires_at),
        last_used_at: opt_ts(t.last_used_at),
        revoked_at: opt_ts(t.revoked_at),
        staff: t.staff.as_ref().map(|p| p.name.as_str()),
    })
}

#[derive(Serialize)]
struct TokenAddedView<'a> {
    name: &'a str,
    prefix: &'a str,
    scopes: Vec<&'static str>,
    clinic_id: Option<&'a str>,
    expires_at: Option<String>,
    staff: Option<&'a str>,
    token: &'a str,
}

/// `token add`: `{"name","prefix","scopes","clinic_id","expires_at","staff","token"}`,
/// the only document that holds a token.
pub fn token_added(a: &crate::app::token::Added) -> Value {
    to_json(TokenAddedView {
        name: &a.info.name,
        prefix: &a.info.prefix,
        scopes: a.info.scopes.iter().map(|s| s.as_str()).collect(),
        clinic_id: a.info.clinic_id.as_deref(),
        expires_at: opt_ts(a.info.expires_at),
        staff: a.info.staff.as_ref().map(|p| p.name.as_str()),
        token: &a.token,
    })
}

/// `purge --json`: `{"purged":{"<table>":N,…},"dry_run":bool}`.
pub fn purged(p: &crate::app::purge::Purged) -> Value {
    let tables: serde_json::Map<String, Value> = p
        .tables
        .iter()
        .map(|(t, n)| (t.to_string(), json!(n)))
        .collect();
    json!({"purged": tables, "dry_run": p.dry_run})
}
