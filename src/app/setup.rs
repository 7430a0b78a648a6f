//! `appt check --setup` (docs/operations.md#checking-an-installation): an
//! installation's health in one command. Each finding says what holds or
//! what does not, and what to do; none stops the others (a database that
//! does not open stops those that read it).

use super::outbox::channel::{self as channels, Probed};
use crate::error::Result;
use crate::store::{clinics, meta, patients, Store};
use crate::text::{msg, Msg};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::{Path, PathBuf};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aspect {
    /// The database opens and its schema is this appt's.
    Database,
    /// The national-ID key: there, private, and the database's.
    Key,
    /// A clinic's public URL answers `/healthz`.
    PublicUrl,
    /// A channel's provider takes its credentials.
    Channel,
    /// `remind due` ran lately (the timer, or cron).
    Reminders,
    /// The last backup is recent.
    Backup,
    /// Free disk space where the database and the backups are.
    Disk,
}

impl Aspect {
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Database => "database",
            Aspect::Key => "key",
            Aspect::PublicUrl => "public_url",
            Aspect::Channel => "channel",
            Aspect::Reminders => "reminders",
            Aspect::Backup => "backup",
            Aspect::Disk => "disk",
        }
    }
}

/// One thing checked: what it is about (and which, for a clinic's URL, a
/// channel or a folder), whether it holds, what was found, and what to do
/// when it does not.
pub struct Finding {
    pub aspect: Aspect,
    pub subject: Option<String>,
    pub ok: bool,
    pub said: Msg,
    pub fix: Option<Msg>,
}

impl Finding {
    fn ok(aspect: Aspect, subject: Option<String>, said: Msg) -> Finding {
        Finding {
            aspect,
            subject,
            ok: true,
            said,
            fix: None,
        }
    }

    fn not(aspect: Aspect, subject: Option<String>, said: Msg, fix: Msg) -> Finding {
        Finding {
            aspect,
            subject,
            ok: false,
            said,
            fix: Some(fix),
        }
    }
}

/// What `check --setup` is given.
pub struct SetupRequest {
    /// `$APPT_KEY`.
    pub key: Option<String>,
    /// Where the backups are (`--backup-dir`, else `$APPT_BACKUP_DIR`).
    pub backup_dir: PathBuf,
}

/// A sweep at least this recent: the timer runs every 5 minutes.
pub const SWEPT_WITHIN: Duration = Duration::minutes(15);
/// A backup at least this recent: a daily one, with room for its hour.
pub const BACKED_UP_WITHIN: Duration = Duration::hours(26);
/// Free space below this where the database or the backups are is a finding.
pub const FREE_AT_LEAST: u64 = 1024 * 1024 * 1024;
/// How long a public URL has to answer.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Every finding, in order: the database, the key, the clinics' public
/// URLs, the channels, the reminder sweeps, the backups, the disk.
pub fn check(
    open: impl FnOnce() -> Result<Store>,
    r: &SetupRequest,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut st = match open() {
        Ok(st) => st,
        Err(e) => {
            let fix = e
                .hint
                .map(|h| *h)
                .unwrap_or_else(|| msg!("h-setup_fix_database"));
            found.push(Finding::not(Aspect::Database, None, e.msg, fix));
            found.extend(backup(&r.backup_dir, now));
            found.extend(disk(&[r.backup_dir.as_path()]));
            return found;
        }
    };
    found.push(Finding::ok(
        Aspect::Database,
        None,
        msg!(
            "h-setup_database_ok",
            at = st.location.clone(),
            v = crate::store::SCHEMA_VERSION
        ),
    ));
    // A step that cannot read the database says so, and the others go on.
    let or_said = |r: Result<Vec<Finding>>| {
        r.unwrap_or_else(|e| {
            let fix = msg!("h-setup_fix_database");
            vec![Finding::not(Aspect::Database, None, e.msg, fix)]
        })
    };
    found.extend(or_said(key(&mut st, r.key.clone()).map(|f| vec![f])));
    found.extend(or_said(public_urls(&mut st)));
    found.extend(or_said(channel_findings(&mut st, r.key.clone())));
    found.extend(or_said(sweeps(&mut st, now).map(|f| vec![f])));
    found.extend(backup(&r.backup_dir, now));
    let file = st.read(|tx| Ok(tx.sqlite_file())).ok().flatten();
    let folder = file.as_deref().map(Path::new).and_then(Path::parent);
    let mut places: Vec<&Path> = folder.into_iter().collect();
    if !places.contains(&r.backup_dir.as_path()) {
        places.push(&r.backup_dir);
    }
    found.extend(disk(&places));
    found
}

/// The key: not needed while nothing is sealed and there is none; else it
/// must open what is (the key file private and the runner's, or
/// `$APPT_KEY`, and the database's).
fn key(st: &mut Store, env: Option<String>) -> Result<Finding> {
    let keys = st.keys(env.clone());
    let (sealed, opened) = st.read(|tx| {
        let sealed = patients::sealed_state(tx)?.any_sealed;
        Ok((sealed, patients::opening_keys(tx, &keys)))
    })?;
    let file = keys.key_file().map(Path::to_path_buf);
    let there = env.is_some() || file.as_deref().is_some_and(Path::exists);
    let shown = match (&env, &file) {
        (None, Some(f)) => f.display().to_string(),
        _ => "APPT_KEY".to_string(),
    };
    Ok(match opened {
        Ok(_) => Finding::ok(Aspect::Key, None, msg!("h-setup_key_ok", key = shown)),
        Err(_) if !sealed && !there => {
            Finding::ok(Aspect::Key, None, msg!("h-setup_key_none_needed"))
        }
        Err(e) => {
            let fix = e
                .hint
                .map(|h| *h)
                .unwrap_or_else(|| msg!("h-setup_fix_key"));
            Finding::not(Aspect::Key, None, e.msg, fix)
        }
    })
}

/// Each clinic's public URL answers `GET /healthz` with 200 within 10 s.
fn public_urls(st: &mut Store) -> Result<Vec<Finding>> {
    let all = st.read(clinics::list)?;
    let agent = ureq::AgentBuilder::new()
        .timeout(ANSWER_WITHIN)
        .redirects(0)
        .build();
    let mut found = Vec::new();
    for c in all {
        let Some(url) = c.settings.public_url.clone() else {
            continue;
        };
        let at = format!("{url}/healthz");
        let answer = match agent.get(&at).call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => Ok(r.status()),
            Err(ureq::Error::Transport(t)) => Err(super::outbox::transport_error(&t)),
        };
        found.push(match answer {
            Ok(200) => Finding::ok(
                Aspect::PublicUrl,
                Some(c.name.clone()),
                msg!("h-setup_url_ok", url = at),
            ),
            Ok(status) => Finding::not(
                Aspect::PublicUrl,
                Some(c.name.clone()),
                msg!("h-setup_url_status", url = at, status = status.to_string()),
                msg!("h-setup_fix_url"),
            ),
            Err(why) => Finding::not(
                Aspect::PublicUrl,
                Some(c.name.clone()),
                msg!("h-setup_url_unreachable", url = at, why = why),
                msg!("h-setup_fix_url"),
            ),
        });
    }
    Ok(found)
}

/// Each channel's provider takes its credentials (nothing is sent).
fn channel_findings(st: &mut Store, key: Option<String>) -> Result<Vec<Finding>> {
    let probed = channels::probe_all(st, key)?;
    Ok(probed
        .into_iter()
        .map(|Probed { channel, outcome }| {
            let subject = Some(format!("{}/{}", channel.clinic, channel.stored.name));
            match outcome.why() {
                None => Finding::ok(Aspect::Channel, subject, msg!("h-setup_channel_ok")),
                Some(why) => Finding::not(
                    Aspect::Channel,
                    subject,
                    msg!("h-setup_channel_refused", why = why),
                    msg!("h-setup_fix_channel", name = channel.stored.name.clone()),
                ),
            }
        })
        .collect())
}

/// `remind due` began a sweep within [`SWEPT_WITHIN`].
fn sweeps(st: &mut Store, now: DateTime<Utc>) -> Result<Finding> {
    let last = st.read(meta::swept_at)?;
    let last = last.and_then(|t| Utc.timestamp_opt(t, 0).single());
    Ok(match last {
        Some(at) if now - at <= SWEPT_WITHIN => Finding::ok(
            Aspect::Reminders,
            None,
            msg!("h-setup_swept_ok", at = stamp(at)),
        ),
        Some(at) => Finding::not(
            Aspect::Reminders,
            None,
            msg!(
                "h-setup_swept_long_ago",
                at = stamp(at),
                minutes = (now - at).num_minutes()
            ),
            msg!("h-setup_fix_sweeps"),
        ),
        None => Finding::not(
            Aspect::Reminders,
            None,
            msg!("h-setup_never_swept"),
            msg!("h-setup_fix_sweeps"),
        ),
    })
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The newest backup in `dir` (a file named `appt-…`, as appt-backup and
/// the cron line of docs/operations.md name them) is within
/// [`BACKED_UP_WITHIN`].
fn backup(dir: &Path, now: DateTime<Utc>) -> Vec<Finding> {
    let subject = Some(dir.display().to_string());
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return vec![Finding::not(
                Aspect::Backup,
                subject,
                msg!("h-setup_backup_no_folder", e = e),
                msg!("h-setup_fix_backup"),
            )]
        }
    };
    let newest = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("appt-"))
        .filter_map(|e| e.metadata().ok().filter(|m| m.is_file())?.modified().ok())
        .max()
        .map(DateTime::<Utc>::from);
    vec![match newest {
        Some(at) if now - at <= BACKED_UP_WITHIN => Finding::ok(
            Aspect::Backup,
            subject,
            msg!("h-setup_backup_ok", at = stamp(at)),
        ),
        Some(at) => Finding::not(
            Aspect::Backup,
            subject,
            msg!(
                "h-setup_backup_old",
                at = stamp(at),
                hours = (now - at).num_hours()
            ),
            msg!("h-setup_fix_backup"),
        ),
        None => Finding::not(
            Aspect::Backup,
            subject,
            msg!("h-setup_backup_none"),
            msg!("h-setup_fix_backup"),
        ),
    }]
}

/// At least [`FREE_AT_LEAST`] free in each of `places` (that exists).
fn disk(places: &[&Path]) -> Vec<Finding> {
    places
        .iter()
        .filter_map(|p| Some(room(p, free_bytes(p)?)))
        .collect()
}

/// What `free` bytes in `place` come to.
fn room(place: &Path, free: u64) -> Finding {
    let subject = Some(place.display().to_string());
    let mib = (free / (1024 * 1024)).to_string();
    match free >= FREE_AT_LEAST {
        true => Finding::ok(Aspect::Disk, subject, msg!("h-setup_disk_ok", mib = mib)),
        false => Finding::not(
            Aspect::Disk,
            subject,
            msg!("h-setup_disk_low", mib = mib),
            msg!("h-setup_fix_disk"),
        ),
    }
}

/// The bytes an unprivileged user may still write in the file system of
/// `path`; None when it cannot be asked (no such folder).
fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a NUL-terminated path and `s` room for one statvfs,
    // which the call fills when it returns 0.
    let done = unsafe { libc::statvfs(c.as_ptr(), s.as_mut_ptr()) };
    if done != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `s`.
    let s = unsafe { s.assume_init() };
    #[allow(clippy::unnecessary_cast)]
    Some(s.f_bavail as u64 * s.f_frsize as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Below 1 GiB free is a finding, with what to do; the machine's own
    /// disks are read by `statvfs` (tests/cli/check_setup.rs).
    #[test]
    fn less_than_a_gibibyte_free_is_a_finding() {
        let at = Path::new("/var/lib/appt");
        let low = room(at, 10 * 1024 * 1024);
        assert!(!low.ok && low.fix.is_some());
        assert_eq!(low.said.english(), "only 10 MiB free");
        assert!(room(at, FREE_AT_LEAST).ok);
        assert_eq!(free_bytes(Path::new("/no/such/folder")), None);
        assert!(free_bytes(Path::new("/")).is_some_and(|b| b > 0));
    }
}
