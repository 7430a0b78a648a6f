//! Tests: prompts in a real terminal, driven through tmux (send-keys / capture-pane).

use crate::common::{on_postgres, s, Env, PG_KEY};
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
        Self::start_in(env, (columns, 40), vars, args)
    }

    /// Starts `appt ARGS` in a new tmux session of `columns` × `rows` with
    /// extra `VAR=value` settings.
    pub fn start_in(env: &Env, size: (u16, u16), vars: &str, args: &str) -> Tmux {
        let db = format!("--db {}", env.db.display());
        Self::spawn(env, size, vars, &format!("{db} {args}"))
    }

    /// Starts `appt ARGS` (no `--db` of the test's own) in a new tmux session.
    fn start_bare(env: &Env, args: &str) -> Tmux {
        Self::spawn(env, (120, 40), "", args)
    }

    fn spawn(env: &Env, (columns, rows): (u16, u16), vars: &str, args: &str) -> Tmux {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "appt-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let bin = assert_cmd::cargo::cargo_bin("appt");
        // A server keeps national IDs only with a key, as `Env::cmd` gives it
        // (after `vars`, which may start with `env` options such as `-u`).
        let key = if on_postgres() {
            format!("APPT_KEY={PG_KEY}")
        } else {
            String::new()
        };
        let cmd = format!(
            "env -u APPT_DB -u APPT_CLINIC {vars} {key} APPT_NOW={} {} {args}; echo EXIT=$?; sleep 60",
            env.now,
            bin.display(),
        );
        // Tests start sessions side by side: the first ones race to start the
        // tmux server, and a loser is told so; it tries again.
        let mut tries = 0;
        loop {
            let ok = Command::new("tmux")
                .args([
                    "new-session",
                    "-d",
                    "-s",
                    &name,
                    "-x",
                    &columns.to_string(),
                    "-y",
                    &rows.to_string(),
                    &cmd,
                ])
                .status()
                .expect("tmux must be installed for the prompt tests (.ci/run installs it)");
            tries += 1;
            if ok.success() {
                break;
            }
            assert!(tries < 10, "tmux new-session failed {tries} times");
            std::thread::sleep(Duration::from_millis(200));
        }
        Tmux { name }
    }

    /// Whether the terminal shows its cursor (a picker hides it while it runs).
    fn cursor_shown(&self) -> bool {
        let out = Command::new("tmux")
            .args(["display", "-p", "-t", &self.name, "#{cursor_flag}"])
            .output()
            .expect("tmux display");
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Everything the command wrote, scrolled off the screen or not, each
    /// line as the terminal drew it (`-J`: a line the terminal wrapped is
    /// one line again, so one too wide for it shows as wider).
    pub fn scrollback(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", &self.name])
            .output()
            .expect("capture");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Waits for the command to end; returns the screen and its exit code.
    pub fn exit(&self) -> (String, i32) {
        let s = self.wait_for("EXIT=");
        let code = s
            .split("EXIT=")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no exit code on screen:\n{s}"));
        (s, code)
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
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until `done` holds for the screen (`what` names it in a failure).
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            // 30 s: on two cores running the PostgreSQL suite beside it, a
            // picker session once took longer than 20 s to draw in CI.
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never saw {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The command's process (the pane's shell runs it as its child).
    fn command_pid(&self) -> Option<String> {
        let out = Command::new("tmux")
            .args(["display", "-p", "-t", &self.name, "#{pane_pid}"])
            .output()
            .expect("tmux display");
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let children =
            std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).ok()?;
        children.split_whitespace().next().map(str::to_string)
    }

    /// Waits until the command is blocked reading its terminal (the `read`
    /// system call on its standard input). A PIN's prompt throws away what
    /// was typed before it read, so a key sent as soon as its text is on the
    /// screen may be lost: the text is drawn before the terminal is read.
    pub fn wait_reading(&self) {
        const READ: &str = if cfg!(target_arch = "aarch64") {
            "63"
        } else {
            "0"
        };
        let start = Instant::now();
        loop {
            let call = self
                .command_pid()
                .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/syscall")).ok())
                .unwrap_or_default();
            let mut fields = call.split_whitespace();
            if fields.next() == Some(READ) && fields.next() == Some("0x0") {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "appt never read its terminal ({call:?}); screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen shows `text` and appt reads its terminal:
    /// what is typed then is read, not thrown away ([`Tmux::wait_reading`]).
    pub fn wait_asked(&self, text: &str) {
        self.wait_for(text);
        self.wait_reading();
    }

    /// Whether the terminal echoes what is typed, as `stty` reads it.
    fn echoes(&self) -> bool {
        let out = Command::new("tmux")
            .args(["display", "-p", "-t", &self.name, "#{pane_tty}"])
            .output()
            .expect("tmux display");
        let tty = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let out = Command::new("stty")
            .args(["-F", &tty, "-a"])
            .output()
            .expect("stty");
        let modes = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "stty -F {tty}: {modes}");
        modes.split_whitespace().any(|m| m == "echo")
    }

    pub fn keys(&self, keys: &[&str]) {
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
    t.wait_for("Free slot");
    let s = t.wait_for("12:30"); // the list's last row: all of it is drawn
    assert!(!s.contains("09:00"), "a booked slot is not offered:\n{s}");
    t.keys(&["Down", "Enter"]); // 09:30 is first, 10:00 second
    t.wait_for("Patient phone");
    t.keys(&["+503 7111-2222", "Enter"]);
    t.wait_for("full name");
    t.keys(&["Lucía Campos", "Enter"]);
    t.wait_for("email (Enter for none)");
    t.keys(&["Enter"]);
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

/// A new patient's e-mail is asked, optional: a wrong one is asked again,
/// Enter leaves none; a known patient is asked neither name nor e-mail.
#[test]
fn book_asks_a_new_patients_email_and_asks_again_for_a_wrong_one() {
    let env = Env::clinic();
    let t = Tmux::start(&env, "book -d García -D 2026-06-15 -t 10:00");
    t.wait_for("Patient phone");
    t.keys(&["+503 7111-2222", "Enter"]);
    t.wait_for("full name");
    t.keys(&["Lucía Campos", "Enter"]);
    t.wait_for("email (Enter for none)");
    t.keys(&["lucia-at-example", "Enter"]);
    t.wait_for("must look like name@example.com");
    t.keys(&["C-u", "lucia@example.org", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let p = env.ok(&["patient", "show", "+50371112222"]);
    assert_eq!(p["email"], "lucia@example.org", "{p}");
    let t = Tmux::start(&env, "book -d García -D 2026-06-16 -t 11:00");
    t.wait_for("Patient phone");
    t.keys(&["+503 7111-2222", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(!s.contains("full name") && !s.contains("email"), "{s}");
    // In Spanish, and Enter for none.
    let t = Tmux::start_with(&env, "APPT_LANG=es", "patient add");
    t.wait_for("Nombre completo");
    t.keys(&["Rosa Pérez", "Enter"]);
    t.wait_for("Teléfono");
    t.keys(&["+503 7000-0009", "Enter"]);
    t.wait_for("Correo (Enter si no tiene)");
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert_eq!(
        env.ok(&["patient", "show", "+50370000009"])["email"],
        serde_json::Value::Null
    );
}

#[test]
fn book_asks_who_pays_where_the_clinic_keeps_payers() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--payers", "Privado,ISSS"]);
    let t = Tmux::start(&env, "book -d García -D 2026-06-15 -t 10:00");
    t.wait_for("Patient phone");
    t.keys(&["+503 7111-2222", "Enter"]);
    t.wait_for("full name");
    t.keys(&["Lucía Campos", "Enter"]);
    t.wait_for("email (Enter for none)");
    t.keys(&["Enter"]);
    // The picker's heading may be drawn before its choices: wait for both.
    let s = t.wait_for("(none of these)");
    assert!(s.contains("Who pays"), "{s}");
    // Typed as the desk says it: the filter finds ISSS.
    t.keys(&["isss", "Enter"]);
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
    let list = env.ok(&["list", "--date", "2026-06-15", "--patient", "+50371112222"]);
    assert_eq!(list["appointments"][0]["payer"], "ISSS");
    // Given as a flag, it is not asked.
    let t = Tmux::start(
        &env,
        "book -d García -D 2026-06-15 -t 10:30 -P +50371113333 --name Luis --payer privado",
    );
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0") && !s.contains("Who pays"), "{s}");
}

#[test]
fn cancel_asks_for_the_reason() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let id = a["id"].as_str().unwrap()[..8].to_string();
    let t = Tmux::start(&env, &format!("cancel {id}"));
    // Which visit is said before its reason is asked.
    let s = t.wait_for("Cancellation reason");
    assert!(
        s.contains(&format!("Cancelling {id}: Test Patient with Dr. García")),
        "{s}"
    );
    t.keys(&["Patient called", "Enter"]);
    t.wait_for("[y/N]");
    t.keys(&["y", "Enter"]);
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

/// Adds Dr. Zeta, who works Saturdays 08:00–10:00 for vaccinations only.
fn with_saturday_vaccinations(env: &Env) {
    env.ok(&["doctor", "add", "Dr. Zeta"]);
    env.ok(&["service", "add", "Vacuna", "--minutes", "15"]);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dr. Zeta",
        "--days",
        "sat",
        "--from",
        "08:00",
        "--to",
        "10:00",
        "--services",
        "Vacuna",
    ]);
}

#[test]
fn slots_picks_the_doctor_and_the_date_and_the_one_service_the_hours_take_is_implied() {
    let env = Env::clinic();
    with_saturday_vaccinations(&env);
    let t = Tmux::start(&env, "slots");
    t.wait_for("Doctor");
    t.keys(&["Down", "Enter"]); // Dr. Zeta, after Dr. García
    t.wait_for("Date [today]");
    // A typo and a day the calendar lacks are asked again, not fatal.
    t.keys(&["tomorow", "Enter"]);
    t.wait_for("Date must be YYYY-MM-DD");
    t.keys(&["2026-02-30", "Enter"]);
    t.wait_for("does not exist");
    t.keys(&["2026-06-20", "Enter"]);
    // The hours take only vaccinations: nothing more to ask.
    let (s, code) = t.exit();
    assert!(!s.contains("Service ("), "{s}");
    assert!(s.contains("Vacuna"), "{s}");
    assert_eq!(code, 0, "{s}");
    assert!(
        s.contains("Dr. Zeta") && s.contains("Sat 20 Jun 2026") && s.contains("08:00–08:15"),
        "the Saturday's vaccination slots:\n{s}"
    );
}

#[test]
fn reschedule_offers_the_days_free_slots() {
    let env = Env::clinic();
    env.book("2026-06-15", "09:30", "+50370000002");
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let id = a["id"].as_str().unwrap()[..8].to_string();
    let t = Tmux::start(&env, &format!("reschedule {id}"));
    t.wait_for("New date [2026-06-15]"); // its own date
    t.keys(&["Enter"]);
    // The list is drawn after its title: wait for its marked row, not the title.
    let s = t.wait_for("(its time now)");
    assert!(
        s.contains("09:00") && !s.contains("09:30"),
        "a taken slot is not offered:\n{s}"
    );
    assert!(
        s.contains("10:00  (its time now)"),
        "its own place is free to keep:\n{s}"
    );
    t.keys(&["Down", "Enter"]); // the list starts at its own time: one down is 10:30
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let shown = env.ok(&["show", &id]);
    assert_eq!(shown["start_time"], "10:30");
    assert_eq!(shown["date"], "2026-06-15");
}

#[test]
fn reschedule_to_a_day_without_free_slots_asks_for_another_date() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let id = a["id"].as_str().unwrap()[..8].to_string();
    let t = Tmux::start(&env, &format!("reschedule {id}"));
    t.wait_for("New date");
    t.keys(&["2026-06-20", "Enter"]); // a Saturday: Dr. García works mon-fri
    let s = t.wait_for("Date [2026-06-22]"); // the next free day
    assert!(s.contains("No free slots on Sat 20 Jun 2026"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Free slot");
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let shown = env.ok(&["show", &id]);
    assert_eq!(shown["date"], "2026-06-22");
    assert_eq!(shown["start_time"], "09:00");
}

#[test]
fn window_add_picks_the_doctor_and_asks_again_for_wrong_days_and_times() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. Zeta"]);
    let t = Tmux::start(&env, "window add");
    let s = t.wait_for("Doctor");
    assert!(s.contains("The whole clinic"), "{s}");
    t.keys(&["Down", "Enter"]); // Dr. Zeta
    t.wait_for("Repeats");
    t.keys(&["Enter"]); // every week
    t.wait_for("Days (mon-fri");
    t.keys(&["funday", "Enter"]);
    t.wait_for("Days must be");
    t.keys(&["sat", "Enter"]);
    t.wait_for("From (HH:MM)");
    t.keys(&["9xm", "Enter"]);
    t.wait_for("Write a time as 09:30, 9, 9am, 9:30 pm or 14h");
    t.keys(&["08:00", "Enter"]);
    t.wait_for("To (HH:MM)");
    t.keys(&["07:00", "Enter"]);
    t.wait_for("to must be after from");
    t.keys(&["12:00", "Enter"]);
    // The slot length, the usual one offered; a wrong one asked again.
    t.wait_for("Slot length in minutes [30]");
    t.keys(&["BSpace", "BSpace", "2", "Enter"]);
    t.wait_for("between 5 and 480");
    t.keys(&["BSpace", "20", "Enter"]);
    t.wait_for("Session name");
    t.keys(&["Sábado", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let ws = env.ok(&["window", "list", "--doctor", "Dr. Zeta"]);
    let w = &ws["windows"][0];
    assert_eq!(w["slot_minutes"], 20, "{ws}");
    assert_eq!(w["session"], "Sábado", "{ws}");
    assert_eq!(w["days"], "sat", "{ws}");
    assert_eq!(w["from"], "08:00", "{ws}");
    assert_eq!(w["to"], "12:00", "{ws}");
}

#[test]
fn a_phone_that_is_not_e164_is_asked_again() {
    let env = Env::clinic();
    let t = Tmux::start(&env, "patient add");
    t.wait_for("Full name");
    t.keys(&["Ana López", "Enter"]);
    t.wait_for("Phone");
    t.keys(&["7012", "Enter"]);
    t.wait_for("E.164");
    t.keys(&["+503 7012-3456", "Enter"]);
    t.wait_for("Email (Enter for none)");
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let p = env.ok(&["patient", "show", "+50370123456"]);
    assert_eq!(p["full_name"], "Ana López", "{p}");
}

#[test]
fn cancel_asks_for_confirmation_unless_yes() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let id = a["id"].as_str().unwrap()[..8].to_string();
    // No: nothing changes, and that is no failure.
    let before = env.snapshot();
    let t = Tmux::start(&env, &format!("cancel {id} -r Duplicate"));
    let s = t.wait_for("[y/N]");
    assert!(
        s.contains(&format!("Cancel {id}: Test Patient with Dr. García")),
        "the question says what is cancelled:\n{s}"
    );
    t.keys(&["n", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("Nothing changed"), "{s}");
    assert_eq!(env.snapshot(), before, "declining changed the database");
    // Enter takes the default, no.
    let t = Tmux::start(&env, &format!("cancel {id} -r Duplicate"));
    t.wait_for("[y/N]");
    t.keys(&["Enter"]);
    assert_eq!(t.exit().1, 0);
    assert_eq!(env.snapshot(), before, "Enter is no");
    // --yes (and -y) skips the question.
    let t = Tmux::start(&env, &format!("cancel {id} -r Duplicate --yes"));
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(!s.contains("[y/N]"), "--yes asks nothing:\n{s}");
    assert_eq!(env.ok(&["show", &id])["status"], "cancelled");
}

#[test]
fn no_input_and_pipes_never_ask_for_confirmation() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let b = env.book("2026-06-15", "10:30", "+50370000002");
    let t = Tmux::start(
        &env,
        &format!("--no-input cancel {} -r Duplicate", s(&a["id"])),
    );
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert_eq!(env.ok(&["show", s(&a["id"])])["status"], "cancelled");
    // Scripts: no terminal, no question.
    env.ok(&["cancel", s(&b["id"]), "-r", "Duplicate"]);
    assert_eq!(env.ok(&["show", s(&b["id"])])["status"], "cancelled");
}

#[test]
fn every_remove_asks_for_confirmation_unless_yes() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Vacuna", "--minutes", "15"]);
    let w = env.ok(&[
        "window",
        "add",
        "-d",
        "Dr. García",
        "--days",
        "sat",
        "--from",
        "08:00",
        "--to",
        "10:00",
    ]);
    let c = env.ok(&[
        "closure",
        "add",
        "-d",
        "Dr. García",
        "--from",
        "2026-07-01",
        "-r",
        "Leave",
    ]);
    let h = env.ok(&["webhook", "add", "https://crm.example/hook"]);
    let e = env.ok(&[
        "waitlist",
        "add",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-P",
        "+50370001111",
        "--name",
        "Ana",
    ]);
    let cases = [
        ("service", "Vacuna".to_string(), "Remove service Vacuna?"),
        ("window", s(&w["id"])[..8].to_string(), "Remove window"),
        (
            "closure",
            s(&c["id"])[..8].to_string(),
            "(Wed 01 Jul 2026…Wed 01 Jul 2026, Leave)?",
        ),
        (
            "webhook",
            s(&h["id"])[..8].to_string(),
            "(https://crm.example/hook)?",
        ),
        (
            "waitlist",
            s(&e["id"])[..8].to_string(),
            "Take Ana (+50370001111) off the waitlist",
        ),
    ];
    for (i, (group, id, question)) in cases.iter().enumerate() {
        let before = env.snapshot();
        let t = Tmux::start(&env, &format!("{group} remove {id}"));
        let screen = t.wait_for("[y/N]");
        assert!(
            screen.contains(question),
            "{group} remove asks {question:?}:\n{screen}"
        );
        t.keys(&["n", "Enter"]);
        let (screen, code) = t.exit();
        assert_eq!(code, 0, "{screen}");
        assert!(screen.contains("Nothing changed"), "{screen}");
        assert_eq!(
            env.snapshot(),
            before,
            "{group} remove declined changed the database"
        );
        // Yes at the prompt for some, -y for the others.
        let t = if i % 2 == 0 {
            let t = Tmux::start(&env, &format!("{group} remove {id}"));
            t.wait_for("[y/N]");
            t.keys(&["y", "Enter"]);
            t
        } else {
            Tmux::start(&env, &format!("{group} remove {id} -y"))
        };
        let (screen, code) = t.exit();
        assert_eq!(code, 0, "{screen}");
        assert!(screen.contains("Removed"), "{group} remove:\n{screen}");
        assert_ne!(env.snapshot(), before, "{group} remove removed nothing");
    }
}

#[test]
fn demo_over_an_earlier_demo_asks_first() {
    let env = Env::new();
    let file = env.dir.path().join("demo.db");
    let db = file.display();
    // A new file: nothing to lose, nothing asked.
    let t = Tmux::start_bare(&env, &format!("--db {db} demo"));
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    let demo = |args: &[&str]| {
        let out = Command::new(assert_cmd::cargo::cargo_bin("appt"))
            .arg("--db")
            .arg(&file)
            .args(args)
            .arg("--json")
            .env("APPT_NOW", &env.now)
            .output()
            .unwrap();
        assert!(out.status.success(), "appt {args:?}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let doctors = |_: &Env| {
        demo(&["doctor", "list"])["doctors"]
            .as_array()
            .unwrap()
            .len()
    };
    demo(&["doctor", "add", "Dr. Added"]);
    assert_eq!(doctors(&env), 3);
    let t = Tmux::start_bare(&env, &format!("--db {db} demo"));
    let screen = t.wait_for("[y/N]");
    assert!(screen.contains("Replace the demo database"), "{screen}");
    t.keys(&["n", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Nothing changed"), "{screen}");
    assert_eq!(doctors(&env), 3, "declining kept the demo as it was");
    let t = Tmux::start_bare(&env, &format!("--db {db} demo --yes"));
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert_eq!(doctors(&env), 2, "a fresh demo");
}

#[test]
fn ctrl_c_in_a_picker_shows_the_cursor_again() {
    let env = Env::clinic();
    let t = Tmux::start(&env, "book");
    t.wait_for("Doctor");
    assert!(!t.cursor_shown(), "the picker hides the cursor");
    t.keys(&["C-c"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 130, "Ctrl-C ends with 130:\n{screen}");
    assert!(t.cursor_shown(), "the cursor is shown again:\n{screen}");
    assert_eq!(env.ok(&["list", "--date", "2026-06-15"])["total"], 0);
}

#[test]
fn import_shows_its_progress_on_a_terminal_and_clears_it_at_the_end() {
    let env = Env::clinic();
    let fifo = env.dir.path().join("bookings.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let t = Tmux::start(&env, &format!("import - < {}", fifo.display()));
    // Opening the FIFO waits for the shell in tmux to open its end.
    let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let line = |time: &str, phone: &str| {
        format!(
            "{{\"doctor\":\"Dr. García\",\"date\":\"2026-06-16\",\"time\":\"{time}\",\"phone\":\"{phone}\",\"name\":\"Paciente\"}}\n"
        )
    };
    use std::io::Write;
    w.write_all(line("09:00", "+50374000001").as_bytes())
        .unwrap();
    w.flush().unwrap();
    // The first line is booked while the second has not come yet.
    t.wait_for("line 1");
    w.write_all(line("09:30", "+50374000002").as_bytes())
        .unwrap();
    drop(w);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("Booked 2, already booked 0, rejected 0"), "{s}");
    assert!(
        !s.contains("line 2"),
        "the progress line is cleared at the end:\n{s}"
    );
}

/// docs/rules.md#phones: at a clinic with a country code the prompt takes
/// the local number, and stores it in E.164.
#[test]
fn a_local_number_is_taken_at_the_prompt_of_a_clinic_with_a_country_code() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    let t = Tmux::start(&env, "patient add");
    t.wait_for("Full name");
    t.keys(&["Ana López", "Enter"]);
    t.wait_for("local to +503");
    t.keys(&["70x2", "Enter"]);
    t.wait_for("is not a phone number");
    t.keys(&["7012-3456", "Enter"]);
    t.wait_for("Email (Enter for none)");
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("+50370123456"), "{s}");
    let p = env.ok(&["patient", "show", "7012 3456"]);
    assert_eq!(p["phone"], "+50370123456", "{p}");
}

/// A zone typed at the prompt in any case, with spaces; a miss is asked
/// again with the closest zones.
#[test]
fn a_missed_zone_at_the_prompt_names_the_closest_and_is_asked_again() {
    let env = Env::new();
    let t = Tmux::start(&env, "clinic add Norte");
    t.wait_for("Time zone");
    t.keys(&["america/el_salvadr", "Enter"]);
    t.wait_for("did you mean America/El_Salvador");
    t.keys(&["C-u", "america/el salvador", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert_eq!(
        env.ok(&["clinic", "show", "Norte"])["timezone"],
        "America/El_Salvador"
    );
}

/// `book`'s phone prompt reads a local number in the booking clinic's
/// country code: a known patient's is not asked their name again.
#[test]
fn book_takes_a_known_patients_local_number_at_the_prompt() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    let first = env.book("2026-06-15", "09:00", "+50370000001");
    let t = Tmux::start(&env, "book -d \"Dr. García\" -D 2026-06-16 -t 10:00");
    t.wait_for("Patient phone");
    t.keys(&["7000-0001", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(!s.contains("full name"), "{s}");
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    assert_eq!(
        list["appointments"][0]["patient_id"], first["patient_id"],
        "{list}"
    );
}

#[test]
fn a_name_that_finds_nobody_opens_the_picker_and_the_command_runs_with_the_choice() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. Zeta"]);
    let t = Tmux::start(&env, "doctor show Garsia");
    let s = t.wait_for("Did you mean");
    assert!(s.contains("No doctor is called 'Garsia'"), "{s}");
    t.keys(&["zet"]);
    t.wait_for("zet"); // the filter drawn (the names are capitalised)
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("Dr. Zeta"), "{s}");
}

#[test]
fn a_name_that_finds_several_is_picked_from_them() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. Ana Ruiz"]);
    env.ok(&["doctor", "add", "Dr. Ana Soto"]);
    let t = Tmux::start(&env, "doctor show ana");
    t.wait_for("Which one");
    t.wait_for("Ana Soto");
    t.keys(&["Down", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let after = s.split("Which one").last().unwrap_or_default();
    assert!(after.contains("Dr. Ana Soto"), "{s}");
}

/// A patient's export takes the patient as `patient show` does: a name two
/// patients share is picked, and the one picked is exported and recorded.
#[test]
fn patient_export_picks_the_patient_a_name_finds_several_of() {
    let env = Env::clinic();
    env.ok(&["patient", "add", "--name", "Ana Ruiz", "-P", "+50370000001"]);
    let soto = env.ok(&["patient", "add", "--name", "Ana Soto", "-P", "+50370000002"]);
    let file = env.dir.path().join("ana.json");
    let t = Tmux::start(
        &env,
        &format!("patient export ana --output {}", file.display()),
    );
    t.wait_for("Which one");
    t.wait_for("Ana Soto");
    t.keys(&["Down", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["patient"]["id"], soto["id"], "{screen}");
    let recorded = env.lines(&["events", "--type", "patient.exported"]);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["data"]["patient_id"], soto["id"]);
}

/// The doctor picked goes into the booking's doctor, not into the first
/// argument that reads like what was typed: here the patient's name, the
/// same word. Asked once; the patient keeps the name typed.
#[test]
fn a_doctor_picked_for_a_name_the_patient_shares_is_the_doctor_booked() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    env.ok(&[
        "doctor",
        "update",
        "Dr. García",
        "--name",
        "Dra. Ana García",
    ]);
    env.ok(&["doctor", "add", "Dr. Luis García"]);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dr. Luis García",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let t = Tmux::start(
        &env,
        "book --name García -d García -D tomorrow -t 09:00 -P 7000-0001",
    );
    t.wait_for("Which one");
    let s = t.wait_for("Luis García");
    let choices = s.split("Which one").last().unwrap_or_default();
    // Dr. Luis García, wherever the picker lists him.
    let picked = "Dr. Luis García";
    if choices.find("Luis García") > choices.find("Ana García") {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    let s = t.wait_until("the command to end or ask again", |s| {
        s.contains("EXIT=") || s.matches("Which one").count() > 1
    });
    assert_eq!(s.matches("Which one").count(), 1, "asked once:\n{s}");
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    assert_eq!(list["total"], 1, "{list}");
    let booked = &list["appointments"][0];
    assert_eq!(booked["doctor"]["full_name"], picked, "{list}");
    assert_eq!(booked["patient"]["full_name"], "García", "{list}");
    assert_eq!(booked["patient"]["phone"], "+50370000001", "{list}");
}

/// A name two patients share finds two of today's visits: one is picked
/// (the appointment given). A clinic is picked into `--clinic`.
#[test]
fn an_appointment_and_a_clinic_are_picked_into_their_own_places() {
    let env = Env::clinic();
    env.book("2026-06-15", "09:00", "+50370000001");
    env.book("2026-06-15", "11:30", "+50370000002");
    let t = Tmux::start(&env, "show \"Test Patient\"");
    t.wait_for("Which one");
    let s = t.wait_for("11:30");
    let choices = s.split("Which one").last().unwrap_or_default();
    if choices.find("11:30") > choices.find("09:00") {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let shown = s.split("Which one").last().unwrap_or_default();
    assert!(shown.contains("11:30") && !shown.contains("09:00"), "{s}");

    let t = Tmux::start(&env, "--clinic Sentral agenda");
    t.wait_for("Did you mean");
    t.keys(&["cen"]);
    t.wait_for("cen"); // the filter drawn (the names are capitalised)
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("Dr. García"), "{s}");
}

#[test]
fn status_picks_the_appointment_and_the_status_and_asks_the_diagnosis() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "09:00", "+50370000001");
    let id = s(&a["id"]).to_string();
    env.ok(&["status", &id, "checked_in"]);
    env.ok(&["status", &id, "in_progress"]);
    let t = Tmux::start(&env, "status");
    t.wait_for("Appointment");
    t.wait_for("Test Patient");
    t.keys(&["Enter"]);
    t.wait_for("New status");
    t.wait_for("no_show");
    t.keys(&["Down", "Down", "Down", "Enter"]); // completed
    t.wait_for("Diagnosis");
    t.keys(&["Gripe común", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    let shown = env.ok(&["show", &id]);
    assert_eq!(shown["status"], "completed");
    assert_eq!(shown["diagnosis"], "Gripe común");
}

#[test]
fn queue_next_asks_the_doctor() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. Zeta"]);
    let a = env.book("2026-06-15", "09:00", "+50370000001");
    env.ok(&["status", s(&a["id"]), "checked_in"]);
    let t = Tmux::start(&env, "queue next");
    t.wait_for("Doctor");
    t.wait_for("Dr. Zeta");
    t.keys(&["Enter"]); // Dr. García, first by name
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(env.ok(&["show", s(&a["id"])])["status"], "in_progress");
}

#[test]
fn waitlist_add_asks_like_book_and_a_long_picker_filters_as_you_type() {
    let env = Env::clinic();
    for n in [
        "Uno", "Dos", "Tres", "Cuatro", "Cinco", "Seis", "Siete", "Ocho",
    ] {
        env.ok(&["doctor", "add", &format!("Dr. {n}")]);
    }
    let t = Tmux::start(&env, "waitlist add");
    t.wait_for("Doctor");
    t.keys(&["ocho"]);
    t.wait_for("ocho"); // the filter drawn (the names are capitalised)
    t.keys(&["Enter"]);
    t.wait_for("Date wanted [tomorrow]");
    t.keys(&["Enter"]);
    t.wait_for("Patient phone");
    t.keys(&["+50370000009", "Enter"]);
    t.wait_for("full name");
    t.keys(&["Rosa Pérez", "Enter"]);
    t.wait_for("email (Enter for none)");
    t.keys(&["Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    let w = env.ok(&["waitlist", "list"]);
    assert_eq!(w["waitlist"][0]["doctor"]["full_name"], "Dr. Ocho", "{w}");
    assert_eq!(w["waitlist"][0]["date"], "2026-06-16", "{w}");
}

#[test]
fn closure_add_offers_the_whole_clinic_which_is_the_only_one() {
    let env = Env::clinic();
    let t = Tmux::start(&env, "closure add");
    t.wait_for("Doctor");
    t.wait_for("The whole clinic");
    t.keys(&["Down", "Enter"]);
    t.wait_for("First closed date");
    t.keys(&["2026-06-18", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    let c = env.ok(&["closure", "list"]);
    assert_eq!(
        c["closures"][0]["doctor_id"],
        serde_json::Value::Null,
        "{c}"
    );
    assert_eq!(c["closures"][0]["from"], "2026-06-18", "{c}");
    // Off a terminal, no doctor closes the only clinic too.
    env.ok(&["closure", "add", "--from", "2026-06-19"]);
}

/// The screen's text lines, right-trimmed (tmux pads nothing, but be sure).
fn lines_of(screen: &str) -> Vec<&str> {
    screen.lines().map(str::trim_end).collect()
}

#[test]
fn messages_and_hints_wrap_between_words_at_the_terminals_width() {
    let env = Env::clinic();
    // The whole message, unwrapped, as a script sees it.
    let (_, e) = env.err(&["--no-input", "book", "--name", "Ana"]);
    let message = s(&e["message"]).to_string();
    assert!(message.chars().count() > 50, "{message}");
    let t = Tmux::start_sized(&env, 50, "", "--no-input book --name Ana");
    let (screen, code) = t.exit();
    assert_eq!(code, 2, "{screen}");
    let shown: Vec<&str> = lines_of(&screen)
        .into_iter()
        .take_while(|l| !l.starts_with("EXIT="))
        .collect();
    for l in &shown {
        assert!(l.chars().count() <= 50, "{l:?} in\n{screen}");
    }
    // Every word whole, in order: the wrap fell between words.
    let words: Vec<&str> = shown
        .iter()
        .flat_map(|l| l.split_whitespace())
        .skip(1) // "error:"
        .take(message.split_whitespace().count())
        .collect();
    assert_eq!(
        words,
        message.split_whitespace().collect::<Vec<_>>(),
        "{screen}"
    );
}

#[test]
fn a_long_cancel_question_is_asked_once_and_fits() {
    let env = Env::clinic();
    let a = env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "10:00",
        "--phone",
        "+50370000001",
        "--name",
        "María de los Ángeles Hernández Villalobos",
    ])["appointment"]
        .clone();
    let id = s(&a["id"])[..8].to_string();
    let t = Tmux::start_sized(&env, 60, "", &format!("cancel {id} -r Viaje"));
    let screen = t.wait_for("[y/N]");
    assert_eq!(
        screen.matches("Cancel ").count(),
        1,
        "asked once:\n{screen}"
    );
    for l in lines_of(&screen) {
        assert!(l.chars().count() <= 60, "{l:?} in\n{screen}");
    }
    t.keys(&["y", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
}

#[test]
fn piped_into_a_pager_a_table_fits_the_terminal_and_width_overrides() {
    let env = Env::clinic();
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "10:00",
        "--phone",
        "+50370000001",
        "--name",
        "María de los Ángeles Hernández Villalobos",
        "--reason",
        "Control de presión arterial y revisión de exámenes de laboratorio",
    ]);
    let longest = |screen: &str| {
        lines_of(screen)
            .into_iter()
            .take_while(|l| !l.starts_with("EXIT="))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    // stdout is a pipe, stderr the 70-column terminal: the table fits it.
    let t = Tmux::start_sized(&env, 70, "", "agenda -D 2026-06-15 | cat");
    let (screen, _) = t.exit();
    assert!(screen.contains("María"), "{screen}");
    assert!(longest(&screen) <= 70, "{screen}");
    // --width wins over the terminal.
    let t = Tmux::start_sized(&env, 120, "", "--width 60 list -D 2026-06-15 | cat");
    let (screen, _) = t.exit();
    assert!(screen.contains("scheduled"), "{screen}");
    assert!(longest(&screen) <= 60, "{screen}");
}

/// Issue 43: typing `s` and Enter at `cancel`'s question in Spanish said
/// "No se cambió nada" — the desk believed it had cancelled.
#[test]
fn in_spanish_s_and_enter_answers_yes() {
    let env = Env::clinic();
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let id = s(&a["id"])[..8].to_string();
    let t = Tmux::start_with(&env, "APPT_LANG=es", &format!("cancel {id} -r Viaje"));
    let screen = t.wait_for("¿Cancelar");
    assert!(!screen.contains("[y/N]"), "{screen}");
    t.keys(&["s", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("No se cambió nada"), "{screen}");
    assert_eq!(env.ok(&["show", &id])["status"], "cancelled", "{screen}");
}

/// Every yes/no question takes both languages' answers (docs/commands.md#spanish-input),
/// and an answer it does not know is asked again, never taken as no.
#[test]
fn a_confirmation_takes_either_languages_answers_and_asks_again_otherwise() {
    let env = Env::clinic();
    for (i, (lang, answers, cancelled)) in [
        ("APPT_LANG=es", &["sí"][..], true),
        ("APPT_LANG=es", &["SI"][..], true),
        ("APPT_LANG=es", &["y"][..], true),
        ("APPT_LANG=es", &["quizás", "n"][..], false),
        ("APPT_LANG=en", &["s"][..], true),
        ("APPT_LANG=en", &["sí"][..], true),
        ("APPT_LANG=en", &["yes"][..], true),
        ("APPT_LANG=en", &["maybe", "no"][..], false),
    ]
    .into_iter()
    .enumerate()
    {
        let time = format!("{:02}:{:02}", 9 + i / 2, i % 2 * 30);
        let a = env.book("2026-06-16", &time, &format!("+5037000010{i}"));
        let id = s(&a["id"])[..8].to_string();
        let t = Tmux::start_with(&env, lang, &format!("cancel {id} -r Viaje"));
        t.wait_for(if lang.ends_with("es") {
            "[s/N]"
        } else {
            "[y/N]"
        });
        for (n, answer) in answers.iter().enumerate() {
            t.keys(&[answer, "Enter"]);
            if n + 1 < answers.len() {
                let screen = t.wait_for(if lang.ends_with("es") {
                    "Responda sí o no"
                } else {
                    "Answer yes or no"
                });
                assert!(!screen.contains("EXIT="), "{lang} {answer}: {screen}");
            }
        }
        let (screen, code) = t.exit();
        assert_eq!(code, 0, "{lang} {answers:?}: {screen}");
        let status = env.ok(&["show", &id])["status"].clone();
        let want = if cancelled { "cancelled" } else { "scheduled" };
        assert_eq!(status, want, "{lang} {answers:?}: {screen}");
    }
}

#[test]
fn in_spanish_the_diagnosis_the_date_wanted_and_a_windows_date_are_asked_in_spanish() {
    let env = Env::clinic();
    // A diagnosis, which a clinic requires unless told otherwise.
    let a = env.book("2026-06-15", "09:00", "+50370000001");
    let id = s(&a["id"])[..8].to_string();
    env.ok(&["status", &id, "checked_in"]);
    env.ok(&["status", &id, "in_progress"]);
    let t = Tmux::start_with(&env, "APPT_LANG=es", &format!("status {id} completed"));
    let screen = t.wait_for("Diagnóstico");
    assert!(!screen.contains("Diagnosis"), "{screen}");
    t.keys(&["Gripe común", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(env.ok(&["show", &id])["diagnosis"], "Gripe común");

    // The date a waitlisted patient (known by phone) wants.
    let t = Tmux::start_with(
        &env,
        "APPT_LANG=es",
        "waitlist add -d García -P +50370000001",
    );
    let screen = t.wait_for("Fecha deseada [mañana]");
    assert!(
        !screen.contains("Date wanted") && !screen.contains("[tomorrow]"),
        "{screen}"
    );
    t.keys(&["Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(
        env.ok(&["waitlist", "list"])["waitlist"][0]["date"],
        "2026-06-16"
    );

    // A window on one date.
    let t = Tmux::start_with(
        &env,
        "APPT_LANG=es",
        "window add -d García --from 14:00 --to 15:00",
    );
    t.wait_for("Cada semana");
    t.keys(&["Down", "Enter"]);
    let screen = t.wait_for("Fecha [hoy]");
    assert!(!screen.contains("[today]"), "{screen}");
    t.keys(&["2026-06-20", "Enter"]);
    t.wait_for("Duración de cada cupo, en minutos [30]");
    t.keys(&["Enter"]);
    t.wait_for("Nombre de la jornada");
    t.keys(&["Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    // The usual length is left to the window's default.
    let ws = env.ok(&["window", "list", "--doctor", "García"]);
    let dated = ws["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["date"] == "2026-06-20")
        .unwrap();
    assert_eq!(dated["slot_minutes"], 30, "{ws}");
}

#[test]
fn patient_erase_asks_the_reason_then_names_whom_it_erases() {
    let env = Env::clinic();
    env.book("2026-06-15", "10:00", "+50370000001");
    // No: nothing changes.
    let before = env.snapshot();
    let t = Tmux::start(&env, "patient erase +50370000001");
    t.wait_for("Reason for the erasure");
    t.keys(&["request 4", "Enter"]);
    let s = t.wait_for("[y/N]");
    assert!(
        s.contains("Erase Test Patient (+50370000001) for good?"),
        "the question names the patient:\n{s}"
    );
    t.keys(&["n", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("Nothing changed"), "{s}");
    assert_eq!(env.snapshot(), before, "declining changed the database");
    // Yes: erased.
    let t = Tmux::start(&env, "patient erase +50370000001 --reason 'request 4'");
    t.wait_for("[y/N]");
    t.keys(&["y", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("Erased patient"), "{s}");
    let n = env.rows("SELECT count(*) FROM patients WHERE erased_at IS NOT NULL");
    assert_eq!(n[0][0], "1");
}

/// The prompts take the words the flags take (docs/commands.md#spanish-input):
/// a date wanted typed `viernes`, a window's days `lun,mié,vie`, and a
/// word they do not know asked again in the desk's language.
#[test]
fn prompts_take_spanish_dates_and_days() {
    let env = Env::clinic();
    let t = Tmux::start_with(
        &env,
        "APPT_LANG=es",
        "waitlist add -d García -P +50370000001 --name Ana",
    );
    t.wait_for("Fecha deseada");
    t.keys(&["BSpace"; 8]);
    t.keys(&["el otro viernes", "Enter"]);
    let screen = t.wait_for("La fecha debe ser");
    assert!(screen.contains("mañana"), "{screen}");
    t.keys(&["BSpace"; 20]);
    t.keys(&["viernes", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(
        env.ok(&["waitlist", "list"])["waitlist"][0]["date"],
        "2026-06-19"
    );
    let t = Tmux::start_with(
        &env,
        "APPT_LANG=es",
        "window add -d García --from 14:00 --to 16:00 --session Tarde",
    );
    t.wait_for("Cada semana");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Días (lun-vie, lun,mié,vie) [lun-vie]");
    assert!(!screen.contains("mon"), "{screen}");
    t.keys(&["lun,mié,vie", "Enter"]);
    t.wait_for("Duración de cada cupo");
    t.keys(&["Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    let ws = env.ok(&["window", "list", "--doctor", "García"]);
    let days: Vec<&str> = ws["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| s(&w["days"]))
        .collect();
    assert!(days.contains(&"mon,wed,fri"), "{ws}");
}

// ---------------------------------------------------------------------------
// Issue 43 item 2: prompts never choose for the desk.

#[test]
fn a_short_picker_filters_and_enter_on_a_filter_that_finds_nothing_does_nothing() {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dr. José Núñez"]);
    env.ok(&["doctor", "add", "Dra. Ana López"]);
    env.ok(&[
        "window", "add", "-d", "López", "--days", "mon-fri", "--from", "09:00", "--to", "12:00",
    ]);
    let t = Tmux::start(&env, "book");
    t.wait_for("Doctor");
    // Nobody is called Pérez: Enter must not take the first doctor.
    t.keys(&["perez"]);
    t.wait_for("perez");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(500));
    let s = t.screen();
    assert!(!s.contains("Date"), "Enter on no match went on:\n{s}");
    assert!(!s.contains("EXIT="), "{s}");
    // One at a time, each seen before the next: under load, backspaces
    // sent together were seen to go missing (pelopez), which is noted for
    // the picker's key reading to be looked at.
    for left in (0..5).rev() {
        t.keys(&["BSpace"]);
        let typed = &"perez"[..left];
        t.wait_until("the filter to shrink", |s| {
            s.lines()
                .any(|l| l.trim_end() == format!("Doctor: {typed}").trim_end())
        });
    }
    // Typed without its accent, as a desk types it.
    t.keys(&["lopez"]);
    let s = t.wait_for("> Dra. Ana López");
    assert!(!s.contains("Núñez") && !s.contains("García"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Date [today]");
    t.keys(&["Enter"]);
    t.wait_for("Free slot");
    t.keys(&["Enter"]);
    t.wait_for("Patient phone");
    t.keys(&["+503 7111-2222", "Enter"]);
    t.wait_for("full name");
    t.keys(&["Lucía Campos", "Enter"]);
    t.wait_for("email (Enter for none)");
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let a = &env.ok(&["list", "--patient", "+50371112222"])["appointments"][0];
    assert_eq!(a["doctor"]["full_name"], "Dra. Ana López", "{a}");
}

#[test]
fn book_asks_the_service_of_a_clinic_with_several_and_offers_slots_of_its_length() {
    let env = Env::clinic();
    env.ok(&["service", "add", "Prenatal", "--minutes", "40"]);
    let t = Tmux::start(&env, "book -d García");
    t.wait_for("Date [today]");
    t.keys(&["Enter"]);
    let s = t.wait_for("Prenatal (40 min)");
    assert!(s.contains("General Checkup (30 min)"), "{s}");
    t.keys(&["pren", "Enter"]);
    t.wait_for("Free slot");
    let s = t.wait_for("12:00");
    assert!(s.contains("10:00") && s.contains("11:00"), "{s}");
    assert!(
        !s.contains("09:30") && !s.contains("12:30"),
        "40-minute slots that can all be booked:\n{s}"
    );
    t.keys(&["Down", "Enter"]); // 10:00
    t.wait_for("Patient phone");
    t.keys(&["+503 7111-2222", "Enter"]);
    t.wait_for("full name");
    t.keys(&["Ana Prenatal", "Enter"]);
    t.wait_for("email (Enter for none)");
    t.keys(&["Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    let a = &env.ok(&["list", "--patient", "+50371112222"])["appointments"][0];
    assert_eq!(a["start_time"], "10:00");
    assert_eq!(a["end_time"], "10:40");
    assert_eq!(a["service"]["name"], "Prenatal", "{a}");
}

#[test]
fn reschedule_lists_only_visits_that_can_move_and_says_the_window_before_asking_the_time() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--cancel-window", "2h"]);
    let book = |time: &str, phone: &str, name: &str| {
        env.ok(&[
            "book",
            "-d",
            "García",
            "-D",
            "2026-06-15",
            "-t",
            time,
            "-P",
            phone,
            "--name",
            name,
        ])["appointment"]
            .clone()
    };
    let soon = book("09:30", "+50370000001", "Ana Pronto");
    let came = book("10:00", "+50370000002", "Berta Llegó");
    env.ok(&["status", s(&came["id"]), "checked_in"]);
    let t = Tmux::start(&env, "reschedule");
    let screen = t.wait_for("Ana Pronto");
    assert!(
        !screen.contains("Berta"),
        "an arrived visit cannot move:\n{screen}"
    );
    t.keys(&["Enter"]);
    // 09:30 is within the clinic's 2 h: said before the date is asked.
    let screen = t.wait_for("[y/N]");
    assert!(screen.contains("cancellation window"), "{screen}");
    assert!(screen.contains("Move it all the same"), "{screen}");
    assert!(!screen.contains("New date"), "{screen}");
    t.keys(&["n", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Nothing changed"), "{screen}");
    let id = s(&soon["id"])[..8].to_string();
    let t = Tmux::start(&env, &format!("reschedule {id}"));
    t.wait_for("[y/N]");
    t.keys(&["y", "Enter"]);
    t.wait_for("New date");
    t.keys(&["Enter"]);
    t.wait_for("(its time now)");
    t.keys(&["Down", "Enter"]);
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    let shown = env.ok(&["show", &id]);
    assert_eq!(shown["start_time"], "10:30", "{shown}");
    let events = env.ok(&["history", &id])["events"].clone();
    let moved = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "appointment.rescheduled")
        .unwrap();
    assert!(moved.to_string().contains("force"), "{moved}");
}

#[test]
fn in_spanish_reschedule_says_the_cancellation_window_and_cancel_which_visit() {
    let env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--cancel-window", "2h"]);
    let a = env.book("2026-06-15", "09:30", "+50370000001");
    let id = s(&a["id"])[..8].to_string();
    let t = Tmux::start_with(&env, "APPT_LANG=es", &format!("reschedule {id}"));
    let screen = t.wait_for("¿Moverla de todos modos (como --force)?");
    assert!(screen.contains("plazo de cancelación"), "{screen}");
    assert!(!screen.contains("cancellation window"), "{screen}");
    t.keys(&["Enter"]); // No, the first answer
    let (screen, code) = t.exit();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("No se cambió nada"), "{screen}");
    assert_eq!(env.ok(&["show", &id])["start_time"], "09:30");
    let t = Tmux::start_with(&env, "APPT_LANG=es", &format!("cancel {id} --force"));
    let screen = t.wait_for("Motivo");
    assert!(
        screen.contains(&format!("Se cancela {id}: Test Patient")),
        "{screen}"
    );
}

// ---------------------------------------------------------------------------
// Issue 62 item 4: the picker picks what was typed.

/// Each picker — doctors, patients, services, visits — ranks a word that
/// starts with what was typed first, then an item containing it, then one
/// holding its letters in order, in both languages: Enter takes the marked
/// (best) one, and the screen says which.
#[test]
fn the_picker_ranks_what_was_typed_and_enter_takes_the_best() {
    let env = Env::clinic();
    for name in [
        "Dr. Carlos Méndez",
        "Dra. Rosa Ramírez",
        "Dr. Jorge Alvarado",
        "Dra. Valeria Salinas",
    ] {
        env.ok(&["doctor", "add", name]);
        env.ok(&[
            "window", "add", "-d", name, "--days", "mon-fri", "--from", "13:00", "--to", "17:00",
        ]);
    }
    env.ok(&["service", "add", "Evaluación cardiaca", "--minutes", "30"]);
    env.ok(&["service", "add", "Vacuna", "--minutes", "30"]);
    let book = |doctor: &str, time: &str, phone: &str, name: &str| {
        env.ok(&[
            "book",
            "-d",
            doctor,
            "-D",
            "2026-06-15",
            "-t",
            time,
            "-P",
            phone,
            "--name",
            name,
            "-s",
            "Vacuna",
        ]);
    };
    book("Méndez", "13:00", "+50370000001", "Rosa María Gómez");
    book("Ramírez", "13:30", "+50370000002", "Rosa Ramos");
    // (what runs, what is typed, the item Enter takes); `book` goes on to
    // ask the time once the service is taken.
    let cases: [(&str, &str, &str); 5] = [
        ("doctor show Ramiro", "ram", "Dra. Rosa Ramírez"),
        ("doctor show Mendes", "men", "Dr. Carlos Méndez"),
        ("doctor show Albarado", "alv", "Dr. Jorge Alvarado"),
        ("patient show rosa", "ram", "Rosa Ramos"),
        ("book -d Méndez -D 2026-06-16", "vac", "Vacuna"),
    ];
    for lang in ["en", "es"] {
        for (args, typed, taken) in cases {
            let t = Tmux::start_with(&env, &format!("APPT_LANG={lang}"), args);
            t.wait_until("the picker", |s| s.lines().any(|l| l.starts_with("> ")));
            t.keys(&[typed]);
            // The filter typed is shown, and the item marked under it: an
            // item marked before the keys arrive (the first of the list) is
            // not yet the answer to them.
            let filter = format!(": {typed}");
            t.wait_until(
                &format!("{taken} marked under the filter {typed:?} ({lang})"),
                |s| {
                    s.lines().any(|l| l.trim_end().ends_with(&filter))
                        && s.lines().any(|l| l.starts_with("> ") && l.contains(taken))
                },
            );
            t.keys(&["Enter"]);
            let taken_line = |s: &str| {
                s.lines()
                    .any(|l| !l.starts_with("> ") && l.contains(": ") && l.contains(taken))
            };
            if args.starts_with("book") {
                t.wait_until("the service taken", taken_line);
                t.keys(&["C-c"]);
                continue;
            }
            let (s, code) = t.exit();
            assert_eq!(code, 0, "{args} ({lang}):\n{s}");
            assert!(
                taken_line(&s),
                "the screen says what was taken ({lang}):\n{s}"
            );
        }
        // A visit: `status` with no ID picks among the day's, `ram` the one
        // with Rosa Ramos and Dra. Ramírez, not Rosa María Gómez's (whose
        // letters hold r-a-m in order).
        let t = Tmux::start_with(&env, &format!("APPT_LANG={lang}"), "status");
        t.wait_until("the picker", |s| s.lines().any(|l| l.starts_with("> ")));
        t.keys(&["ram"]);
        t.wait_until("Rosa Ramos marked", |s| {
            s.lines()
                .any(|l| l.starts_with("> ") && l.contains("Rosa Ramos"))
        });
        t.keys(&["Enter"]);
        t.wait_until("the visit taken", |s| {
            s.lines()
                .any(|l| !l.starts_with("> ") && l.contains(": ") && l.contains("Rosa Ramos"))
        });
        t.keys(&["C-c"]);
    }
}

/// `staff add` and `staff pin` on a terminal ask the PIN twice and never
/// show it (docs/security.md#staff): a PIN that is not 4 to 8 digits, or a
/// second that differs, is asked again, and nothing is saved until both
/// agree. The PIN is in no argument, so no other user's `ps` sees it.
#[test]
fn a_pin_is_asked_twice_and_never_shown() {
    let env = Env::clinic();
    let t = Tmux::start_with(&env, "APPT_LANG=es", "staff add Marta --role gerente");
    // Each PIN is typed once appt reads it: what is typed before is thrown
    // away (and was shown, before echo was held off for the whole asking).
    let typed = |text: &str, keys: &str| {
        t.wait_asked(text);
        assert!(!t.echoes(), "the terminal echoes at {text:?}");
        t.keys(&[keys, "Enter"]);
    };
    typed("PIN (de 4 a 8 dígitos)", "12a");
    typed("Un PIN tiene de 4 a 8 dígitos", "2468");
    typed("El mismo PIN otra vez", "2469");
    t.wait_for("Los dos PIN no coinciden");
    assert_eq!(env.rows("SELECT count(*) FROM staff")[0][0], "0");
    typed("PIN (de 4 a 8 dígitos)", "2468");
    typed("El mismo PIN otra vez", "2468");
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(s.contains("Se agregó a Marta al personal (gerente)"), "{s}");
    assert!(t.echoes(), "the terminal was left without echo");
    let seen = t.scrollback();
    for pin in ["12a", "2468", "2469"] {
        assert!(!seen.contains(pin), "{pin} was shown:\n{seen}");
    }
    let hash = &env.rows("SELECT pin_hash FROM staff")[0][0];
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    // A new PIN, the same way (now that there is staff, as Marta).
    let pin = env.dir.path().join("pin");
    std::fs::write(&pin, "2468\n").unwrap();
    let vars = format!("APPT_STAFF=Marta APPT_STAFF_PIN_FILE={}", pin.display());
    let t = Tmux::start_with(&env, &vars, "staff pin marta");
    t.wait_asked("PIN (4 to 8 digits)");
    t.keys(&["97531", "Enter"]);
    t.wait_asked("The same PIN again");
    t.keys(&["97531", "Enter"]);
    let (s, code) = t.exit();
    assert_eq!(code, 0, "{s}");
    assert!(!t.scrollback().contains("97531"));
    assert_ne!(&env.rows("SELECT pin_hash FROM staff")[0][0], hash);
}

/// Ctrl-C while a PIN is asked leaves the terminal echoing again: a shell
/// that does not set its own modes (sh, dash) showed nothing typed after it.
#[test]
fn ctrl_c_at_a_pin_gives_the_terminal_its_echo_back() {
    let env = Env::clinic();
    let t = Tmux::start(&env, "staff add Marta --role manager");
    t.wait_asked("PIN (4 to 8 digits)");
    assert!(!t.echoes());
    // The signal to appt alone, as the terminal sends it to its foreground
    // job (the pane's shell must live on to print the exit code).
    let pid = t.command_pid().expect("appt runs");
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let (s, code) = t.exit();
    assert_eq!(code, 130, "{s}");
    assert!(t.echoes(), "the terminal was left without echo:\n{s}");
    assert_eq!(env.rows("SELECT count(*) FROM staff")[0][0], "0");
}
