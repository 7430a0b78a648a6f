//! The keeper's commands for humans: `check`, `key rotate` and `token`.

use super::{clean, short};
use crate::core::time::{format_offset, to_local};
use crate::output::fit::{col, text, Sheet, Step};
use crate::output::lang::{self, tr};

/// `appt check --setup`: a line per finding (✓ or ✗, what it is about,
/// what was found), and under each that does not hold, what to do.
pub fn installation(found: &[crate::app::setup::Finding]) -> String {
    let mut lines = Vec::new();
    for f in found {
        use crate::app::setup::Aspect;
        let about = match f.aspect {
            Aspect::Database => tr!("h-setup_aspect_database"),
            Aspect::Key => tr!("h-setup_aspect_key"),
            Aspect::PublicUrl => tr!("h-setup_aspect_public_url"),
            Aspect::Channel => tr!("h-setup_aspect_channel"),
            Aspect::Reminders => tr!("h-setup_aspect_reminders"),
            Aspect::Backup => tr!("h-setup_aspect_backup"),
            Aspect::Disk => tr!("h-setup_aspect_disk"),
        };
        let about = match &f.subject {
            Some(s) => format!("{about} ({})", clean(s)),
            None => about,
        };
        let mark = if f.ok { "✓" } else { "✗" };
        let width = crate::output::fit::width();
        let head = format!("{mark} {about}: ");
        lines.push(crate::output::fit::wrap(
            &head,
            &lang::message(&f.said),
            width,
        ));
        if let Some(fix) = &f.fix {
            lines.push(crate::output::fit::wrap(
                "    → ",
                &lang::message(fix),
                width,
            ));
        }
    }
    let failing = found.iter().filter(|f| !f.ok).count();
    lines.push(match failing {
        0 => tr!("h-setup_all_hold"),
        n => tr!("h-setup_failing", n = n),
    });
    lines.join("\n")
}

/// `appt key rotate`: the new key's version, what was sealed again, and where
/// the key is (with `$APPT_KEY`: the key itself, to be stored now).
pub fn key_rotated(r: &crate::app::key::Rotated) -> String {
    let ids = |n: u64| tr!("h-national_ids", n = n);
    let mut lines = Vec::new();
    match (&r.key, &r.key_file) {
        (Some(key), _) => {
            lines.push(tr!("h-key_new", version = r.version));
            lines.push(key.clone());
            lines.push(tr!("h-key_resealed", ids = ids(r.resealed)));
        }
        (None, Some(file)) => {
            lines.push(tr!(
                "h-key_rotated",
                version = r.version,
                ids = ids(r.resealed)
            ));
            lines.push(tr!("h-key_file", file = file.display()));
            for k in &r.kept {
                lines.push(tr!("h-key_kept", file = k.display()));
            }
        }
        (None, None) => lines.push(tr!(
            "h-key_rotated",
            version = r.version,
            ids = ids(r.resealed)
        )),
    }
    if r.unreadable > 0 {
        lines.push(tr!("h-key_unreadable", ids = ids(r.unreadable)));
    }
    lines.join("\n")
}

/// `appt check`: one block per violation, each row on its own line (short
/// IDs, so a row fits 80 columns; the JSON has them whole).
pub fn check(
    found: &[crate::store::check::Violation],
    stale: &[crate::store::calendars::Stored],
) -> String {
    let mut out = violations(found);
    // A calendar that cannot be read is said, not counted: the database is sound.
    for c in stale {
        out.push('\n');
        out.push_str(&tr!(
            "h-check_stale_calendar",
            name = clean(&c.name),
            doctor = clean(&c.doctor),
            state = super::calendars::state(c)
        ));
    }
    out
}

fn violations(found: &[crate::store::check::Violation]) -> String {
    use crate::store::check::Row;
    if found.is_empty() {
        return tr!("h-check_ok");
    }
    let mut out = tr!("h-check_many", n = found.len());
    for v in found {
        out.push_str(&format!("\n\n[{}] {}", v.check, lang::message(&v.message)));
        for r in &v.rows {
            let line = match r {
                Row::Appointment(a) => {
                    let mut line = format!(
                        "{}  {}–{}  {}  {}  {}",
                        short(&a.id),
                        a.local(a.starts_at),
                        to_local(a.timezone, a.ends_at).1,
                        a.status,
                        tr!("h-token", token = a.token_number),
                        match a.window_capacity {
                            Some(c) => tr!("h-capacity", n = c),
                            None => tr!("h-window_gone"),
                        }
                    );
                    if a.buffer_before > 0 || a.buffer_after > 0 {
                        line.push_str(&format!(
                            "  {}",
                            tr!(
                                "h-check_buffers",
                                before = a.buffer_before,
                                after = a.buffer_after
                            )
                        ));
                    }
                    line
                }
                Row::Reminder(r) => {
                    let (d, hm) = to_local(r.timezone, r.due_at);
                    tr!(
                        "h-check_reminder",
                        id = short(&r.id),
                        offset = format_offset(r.offset_minutes),
                        due = format!("{d} {hm}"),
                        status = r.status.as_str(),
                        appointment = short(&r.appointment_id)
                    )
                }
                Row::Key(k) => tr!(
                    "h-check_key",
                    table = k.table,
                    rowid = k.rowid.map(|i| i.to_string()).unwrap_or_else(|| "—".into()),
                    column = k.column.as_deref().unwrap_or("?"),
                    value = k.value.as_deref().unwrap_or("NULL"),
                    parent = k.parent
                ),
                Row::Patient(p) => tr!(
                    "h-check_patient",
                    id = short(&p.id),
                    problem = lang::message(&p.problem)
                ),
                Row::Damage(d) => format!(
                    "{} {}: {} = {}",
                    d.table,
                    short(&d.id),
                    d.column,
                    d.value
                        .as_deref()
                        .map_or("NULL".into(), |v| format!("'{}'", clean(v)))
                ),
                Row::Trace(t) => tr!(
                    "h-check_trace",
                    table = t.table,
                    id = short(&t.id),
                    column = t.column,
                    patient = short(&t.patient_id)
                ),
                Row::Problem(p) => p.clone(),
            };
            out.push_str(&format!("\n  {line}"));
        }
    }
    out
}

/// `token add`: what the token may do, then the token alone on its last
/// line (shown this once).
pub fn token_added(a: &crate::app::token::Added) -> String {
    let t = &a.info;
    let mut lines = vec![tr!(
        "h-token_added",
        name = clean(&t.name),
        scopes = scopes(&t.scopes)
    )];
    if let Some(c) = &t.clinic {
        lines.push(tr!("h-token_clinic", clinic = clean(c)));
    }
    lines.push(match t.expires_at {
        Some(at) => tr!("h-token_expires", at = crate::core::time::fmt_utc(at)),
        None => tr!("h-token_never_expires"),
    });
    lines.push(tr!("h-token_shown_once"));
    lines.push(a.token.clone());
    lines.join("\n")
}

fn scopes(s: &[crate::core::access::Scope]) -> String {
    s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

/// `token list`: every token, revoked ones too, never the token itself.
pub fn tokens(
    all: &[crate::store::api_tokens::Token],
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    if all.is_empty() {
        return tr!("h-no_tokens");
    }
    let stamp = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(crate::core::time::fmt_utc).unwrap_or_default()
    };
    let mut t = Sheet::new(vec![
        text("Name", 8),
        col("Prefix"),
        text("Scopes", 10),
        text("Clinic", 8),
        col("Created"),
        col("Expires"),
        col("Last used"),
        col("Status"),
    ])
    .steps(&[
        Step::Drop("Created"),
        Step::Drop("Last used"),
        Step::Drop("Clinic"),
    ]);
    for k in all {
        let name = match &k.staff {
            // The member it acts for beside it.
            Some(p) => format!("{} ({})", clean(&k.name), clean(&p.name)),
            None => clean(&k.name),
        };
        t.row(vec![
            name.into(),
            clean(&k.prefix).into(),
            scopes(&k.scopes).into(),
            k.clinic
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| tr!("word-all_clinics"))
                .into(),
            stamp(Some(k.created_at)).into(),
            k.expires_at
                .map(crate::core::time::fmt_utc)
                .unwrap_or_else(|| tr!("word-never"))
                .into(),
            stamp(k.last_used_at).into(),
            match crate::app::token::status(k, now) {
                "revoked" => tr!("h-token_revoked"),
                "expired" => tr!("h-token_expired"),
                _ => tr!("h-token_active"),
            }
            .into(),
        ]);
    }
    t.render()
}

/// `token revoke`: which token, from when.
pub fn token_revoked(t: &crate::store::api_tokens::Token) -> String {
    tr!(
        "c-token_revoked",
        name = clean(&t.name),
        prefix = clean(&t.prefix)
    )
}

/// `appt purge` (and `remind due`'s retention): how many rows of each table
/// went, or with `--dry-run` would go.
pub fn purged(p: &crate::app::purge::Purged) -> String {
    let list = p
        .tables
        .iter()
        .map(|(table, n)| tr!(format!("purge-{table}"), n = n))
        .collect::<Vec<_>>()
        .join(", ");
    if p.dry_run {
        tr!("h-would_purge", list = list)
    } else {
        tr!("h-purged", list = list)
    }
}
