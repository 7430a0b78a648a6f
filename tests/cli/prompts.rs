//! Tests: prompts in a real terminal, driven through tmux (send-keys / capture-pane).

use crate::common::Env;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `appt` running in a tmux session: a real terminal of a known size.
pub struct Tmux {
    name: String,
}

impl Tmux {
    fn start(env: &Env, args: &str) -> Tmux {
        Self::start_with(env, "", args)
    }

    /// Starts `appt ARGS` in a new tmux session with extra `VAR=value` settings.
    fn start_with(env: &Env, vars: &str, args: &str) -> Tmux {
        Self::start_sized(env, 120, vars, args)
    }

    /// Starts `appt ARGS` in a new `columns`-wide tmux session with extra
    /// `VAR=value` settings.
    pub fn start_sized(env: &Env, columns: u16, vars: &str, args: &str) -> Tmux {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "appt-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let bin = assert_cmd::cargo::cargo_bin("appt");
        let cmd = format!(
            "env {vars} APPT_NOW={} {} --db {} {args}; echo EXIT=$?; sleep 60",
            env.now,
            bin.display(),
            env.db.display()
        );
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &columns.to_string(),
                "-y",
                "40",
                &cmd,
            ])
            .status()
            .expect("tmux must be installed for the prompt tests (.ci/run installs it)");
        assert!(ok.success());
        Tmux { name }
    }

    pub fn screen(&self) -> String {
        self.capture(false)
    }

    /// The screen; with `escapes`, keeping colour escape sequences.
    fn capture(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", &self.name];
        if escapes {
            args.push("-e");
        }
        let out = Command::new("tmux").args(&args).output().expect("capture");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never saw {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux")
            .args(&args)
            .status()
            .expect("send-keys")
            .success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

#[test]
fn book_asks_for_doctor_date_slot_and_patient() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. Zeta"]);
    env.book("2026-06-15", "09:00", "+50370000001");
    let t = Tmux::start(&env, "book");
    t.wait_for("Doctor");
    t.keys(&["Enter"]); // Dr. García is first by name
    t.wait_for("Date [today]");
    t.keys(&["Enter"]);
    let s = t.wait_for("Free slot");
    assert!(!s.contains("09:00"), "a booked slot is not offered:\n{s}");
    t.keys(&["Down", "Enter"]); // 09:30 is first, 10:00 second
    t.wait_for("Patient phone");
    t.keys(&["+503 7111-2222", "Enter"]);
    t.wait_for("full name");
    t.keys(&["Lucía Campos", "Enter"]);
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
    let list = env.ok(&["list", "--date", "2026-06-15", "--patient", "+50371112222"]);
    assert_eq!(list["total"], 1);
    assert_eq!(list["appointments"][0]["start_time"], "10:00");
    assert_eq!(
        list["appointments"][0]["patient"]["full_name"],
        "Lucía Campos"
    );
}

#[test]
fn cancel_asks_for_the_reason() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let id = a["id"].as_str().unwrap()[..8].to_string();
    let t = Tmux::start(&env, &format!("cancel {id}"));
    t.wait_for("Cancellation reason");
    t.keys(&["Patient called", "Enter"]);
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
    let shown = env.ok(&["show", &id]);
    assert_eq!(shown["status"], "cancelled");
    assert_eq!(shown["cancellation_reason"], "Patient called");
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let env = Env::clinic();
    env.book("2026-06-15", "10:00", "+50370000001");
    let esc = "\u{1b}[";
    let coloured = Tmux::start(&env, "list --date 2026-06-15");
    coloured.wait_for("EXIT=0");
    let s = coloured.capture(true);
    assert!(s.contains(esc), "a status is coloured on a terminal:\n{s}");
    let plain = Tmux::start_with(&env, "NO_COLOR=1", "list --date 2026-06-15");
    plain.wait_for("EXIT=0");
    let s = plain.capture(true);
    assert!(
        s.contains("scheduled") && !s.contains(esc),
        "NO_COLOR turns colour off:\n{s}"
    );
    let piped = env
        .cmd()
        .args(["list", "--date", "2026-06-15"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&piped.stdout).contains(esc),
        "no colour into a pipe"
    );
}
