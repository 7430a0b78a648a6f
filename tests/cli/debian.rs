//! Tests: the Debian package (`cargo deb`, docs/operations.md#installed-as-a-service),
//! installed for real with `apt-get install ./appt_….deb` on this machine
//! (`$APPT_DEB` names it; .ci/run builds it): the binary, the man pages, the
//! completions where the shells look, the units (`systemd-analyze verify`),
//! its own user; the reminder and backup units' commands run as systemd
//! runs them (their user, /etc/appt/appt.env); and `apt-get purge` taking
//! the package and leaving the data.
//!
//! The machine has no systemd running (a container), so no timer is seen
//! firing: each unit's `ExecStart` is run as its `User=` with its
//! `EnvironmentFile=`, which is what the timer would start.

use crate::common::{missing_tool, pg_server, Env, PG_KEY, PG_LINK_KEY};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where the hook the reminder unit is given writes what it was handed.
const SENT: &str = "/var/lib/appt/sent.txt";
const HOOK: &str = "/usr/local/lib/appt-test/hook";

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn sh(script: &str) -> String {
    let out = run(Command::new("sh").args(["-c", script]));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `/etc/appt/appt.env` as systemd reads it: `NAME=value` lines.
fn environment(file: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A unit's `ExecStart` as systemd expands it from its environment:
/// `${NAME}` is one word, `$NAME` splits into words.
fn exec_start(unit: &str, env: &BTreeMap<String, String>) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new("/usr/lib/systemd/system").join(unit)).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap_or_else(|| panic!("{unit} has no ExecStart"));
    let mut words = Vec::new();
    for w in line.split_whitespace() {
        if let Some(name) = w.strip_prefix("${").and_then(|n| n.strip_suffix('}')) {
            words.push(env.get(name).cloned().unwrap_or_default());
        } else if let Some(name) = w.strip_prefix('$') {
            let value = env.get(name).cloned().unwrap_or_default();
            words.extend(value.split_whitespace().map(String::from));
        } else {
            words.push(w.to_string());
        }
    }
    words
}

/// Runs `unit`'s command as its user (`appt`) with only its environment
/// file's variables, as systemd would.
fn run_unit(unit: &str) -> Output {
    let env = environment(Path::new("/etc/appt/appt.env"));
    let words = exec_start(unit, &env);
    let mut cmd = Command::new("runuser");
    cmd.args(["-u", "appt", "--", "env", "-i", "PATH=/usr/bin:/bin"]);
    for (k, v) in &env {
        cmd.arg(format!("{k}={v}"));
    }
    cmd.args(&words).current_dir("/");
    cmd.output().expect("runuser")
}

fn installed_deb() -> Option<PathBuf> {
    let Some(deb) = std::env::var_os("APPT_DEB") else {
        missing_tool("the Debian package ($APPT_DEB: `cargo deb` builds it, .ci/run sets it)");
        return None;
    };
    if !crate::common::as_root("install a Debian package") {
        return None;
    }
    Some(PathBuf::from(deb))
}

#[test]
fn the_package_installs_runs_its_units_as_its_own_user_and_purges_leaving_the_data() {
    let Some(deb) = installed_deb() else {
        return;
    };
    // A clinic with a visit on Tuesday at 10:00, its reminder due Monday
    // at 16:00Z; on a server when the suite runs on one.
    let env = Env::clinic();
    env.book("2026-06-16", "10:00", "+50370000001");
    let server = pg_server().is_some();

    // What a run cut short left (its configuration above all) goes first.
    let _ = Command::new("apt-get")
        .args(["purge", "-y", "-q", "appt"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output();
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .arg(&deb)
        .env("DEBIAN_FRONTEND", "noninteractive"));

    // What it installed, and where.
    assert!(sh("appt --version").starts_with("appt "));
    assert!(sh("man -w appt").contains("/usr/share/man/man1/appt.1"));
    assert!(sh("man -P cat appt-remind-due 2>/dev/null").contains("remind"));
    let spec = sh(
        "bash --norc -c 'source /usr/share/bash-completion/completions/appt && complete -p appt'",
    );
    assert!(spec.contains("appt"), "{spec}");
    for file in [
        "/usr/share/zsh/vendor-completions/_appt",
        "/usr/share/fish/vendor_completions.d/appt.fish",
        "/usr/share/doc/appt/docs/operations.md",
    ] {
        assert!(Path::new(file).is_file(), "{file}");
    }
    assert!(sh(
        "fish -c 'source /usr/share/fish/vendor_completions.d/appt.fish; complete -C\"appt boo\"'"
    )
    .contains("book"));
    // Its own user, its data folder, its configuration readable by them only.
    assert_eq!(sh("id -un appt").trim(), "appt");
    assert_eq!(sh("stat -c '%U %a' /var/lib/appt").trim(), "appt 700");
    assert_eq!(
        sh("stat -c '%U:%G %a' /etc/appt/appt.env").trim(),
        "root:appt 640"
    );

    // Each unit passes systemd's own check.
    let units = [
        "appt-serve.service",
        "appt-remind.service",
        "appt-remind.timer",
        "appt-backup.service",
        "appt-backup.timer",
    ];
    let mut verify = Command::new("systemd-analyze");
    verify.arg("verify");
    for u in units {
        verify.arg(format!("/usr/lib/systemd/system/{u}"));
    }
    let out = verify.output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !said.contains("appt"),
        "systemd-analyze verify: {said}"
    );
    let serve = std::fs::read_to_string("/usr/lib/systemd/system/appt-serve.service").unwrap();
    for line in [
        "User=appt",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/appt",
        "PrivateTmp=yes",
        "Restart=on-failure",
    ] {
        assert!(serve.lines().any(|l| l == line), "{line}");
    }

    // The configuration a clinic writes: its database, and a hook.
    std::fs::create_dir_all(Path::new(HOOK).parent().unwrap()).unwrap();
    std::fs::write(
        HOOK,
        format!("#!/bin/sh\ncat >/dev/null\necho \"$APPT_KIND\" >> {SENT}\n"),
    )
    .unwrap();
    sh(&format!(
        "chmod 755 {HOOK}; rm -f {SENT} /var/backups/appt/appt-*"
    ));
    let db = match env.url() {
        Some(url) => url,
        None => {
            env.ok(&["backup", "/var/lib/appt/appt.db", "--force"]);
            sh("chown appt:appt /var/lib/appt/appt.db");
            "/var/lib/appt/appt.db".to_string()
        }
    };
    // The database the units use, seen from here.
    let installed = Env {
        db: PathBuf::from(&db),
        dir: tempfile::tempdir().unwrap(),
        now: "2026-06-15T16:00:00Z".into(),
        staff: None,
    };
    let mut conf = std::fs::read_to_string("/etc/appt/appt.env").unwrap();
    conf = conf.replace("APPT_DB=/var/lib/appt/appt.db", &format!("APPT_DB={db}"));
    conf = conf.replace(
        "APPT_REMIND_ARGS=",
        &format!("APPT_REMIND_ARGS=--exec {HOOK}"),
    );
    conf = conf.replace("APPT_BACKUP_KEEP=14", "APPT_BACKUP_KEEP=1");
    conf.push_str("APPT_NOW=2026-06-15T16:00:00Z\n");
    if server {
        conf.push_str(&format!("APPT_KEY={PG_KEY}\nAPPT_LINK_KEY={PG_LINK_KEY}\n"));
    }
    std::fs::write("/etc/appt/appt.env", conf).unwrap();

    // The reminder timer's service, run twice: the reminder handed to the
    // hook once.
    for _ in 0..2 {
        let out = run_unit("appt-remind.service");
        assert!(out.status.success(), "{out:?}");
    }
    let sent = std::fs::read_to_string(SENT).expect("the hook ran");
    assert_eq!(
        sent.lines().filter(|k| *k == "reminder").count(),
        1,
        "{sent}"
    );
    let reminders = installed.ok(&["remind", "list", "--status", "sent"]);
    assert_eq!(
        reminders["reminders"].as_array().unwrap().len(),
        1,
        "{reminders}"
    );

    // The backup timer's service, twice a second apart, keeping 1.
    for _ in 0..2 {
        let out = run_unit("appt-backup.service");
        assert!(out.status.success(), "{out:?}");
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let kept = sh("ls /var/backups/appt");
    let ext = if server { ".dump" } else { ".db" };
    assert_eq!(
        kept.lines().filter(|f| f.ends_with(ext)).count(),
        1,
        "{kept}"
    );
    assert_eq!(sh("stat -c %U /var/backups/appt/appt-*").trim(), "appt");

    // Purged: the package and its configuration go; the data stays.
    run(Command::new("apt-get")
        .args(["purge", "-y", "-q", "appt"])
        .env("DEBIAN_FRONTEND", "noninteractive"));
    assert!(!Path::new("/usr/bin/appt").exists());
    assert!(!Path::new("/etc/appt/appt.env").exists());
    assert!(!Path::new("/usr/lib/systemd/system/appt-serve.service").exists());
    assert!(sh("ls /var/backups/appt").contains(ext));
    if !server {
        assert!(Path::new("/var/lib/appt/appt.db").is_file());
    }
}
