//! Tests: `appt board` (docs/board.md), the front desk's live screen, run as
//! the real binary in a real terminal (tmux: send-keys, capture-pane,
//! resize-window), on either engine.
//!
//! Each board runs as `appt … board; echo EXIT=$?; echo STTY=…; sleep 60`
//! under `sh`: once it ends, the screen shows its exit code and the
//! terminal's mode as the shell got it back (`icanon` and `echo` on), and
//! tmux tells whether the alternate screen was left and the cursor shown.
//! Waits poll the screen (up to 20 s, for a loaded machine); what must be
//! quick (another desk's write showing) is timed on its own.

use crate::common::{on_postgres, s as text, Env, PG_KEY, PG_LINK_KEY, UNSET};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Monday 2026-06-15, 08:00 in El Salvador: before the day's first slot.
const EIGHT: &str = "2026-06-15T14:00:00Z";
/// The same Monday at 10:15: Dr. García's window (09:00–13:00) is open, its
/// 09:00 slot is over, the next free one is 10:30.
const TEN_15: &str = "2026-06-15T16:15:00Z";
/// How long any wait for the screen may take on a loaded machine.
const LIMIT: Duration = Duration::from_secs(20);
/// How soon another process's write must show (docs/board.md promises a
/// second; a loaded CI machine of 2 cores gets some slack).
const LIVE: Duration = Duration::from_secs(3);
/// The OS user the boards run as: their events' actor is `board:desk`.
const USER: &str = "desk";

/// A board (or any shell line) running in a tmux session of its own.
pub(crate) struct Board {
    name: String,
}

impl Board {
    /// `appt --db DB board ARGS` as user `desk` at `env.now`, in a terminal
    /// of `size` (columns, rows), with extra `VAR=value` settings `vars`.
    pub(crate) fn start(env: &Env, size: (u16, u16), vars: &str, args: &str) -> Board {
        let line = format!(
            "{} {vars} {} board {args}; echo EXIT=$?; \
             echo STTY=$(stty -a | tr ' ;' '\\n\\n' | grep -x -E -e '-?(icanon|echo)' | tr '\\n' ,); \
             sleep 60",
            prefix(env),
            appt(env),
        );
        Self::shell(size, &line)
    }

    /// Runs the shell line `line` in a new tmux session of `size`.
    fn shell((columns, rows): (u16, u16), line: &str) -> Board {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "appt-board-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        // Tests start sessions side by side: the first ones race to start the
        // tmux server, and a loser is told so; it tries again.
        let mut tries = 0;
        loop {
            let ok = Command::new("tmux")
                .args(["new-session", "-d", "-s", &name, "-e"])
                .arg(format!("APPT_TEST_TMUX={name}"))
                .arg("-x")
                .arg(columns.to_string())
                .arg("-y")
                .arg(rows.to_string())
                .arg(line)
                .status()
                .expect("tmux must be installed for the board tests (.ci/run installs it)");
            tries += 1;
            if ok.success() {
                break;
            }
            assert!(tries < 10, "tmux new-session failed {tries} times");
            std::thread::sleep(Duration::from_millis(200));
        }
        Board { name }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(args).output().expect("tmux runs");
        assert!(out.status.success(), "tmux {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format of the pane (`#{alternate_on}`, `#{cursor_flag}`).
    fn flag(&self, format: &str) -> String {
        self.tmux(&["display", "-p", "-t", &self.name, format])
            .trim()
            .to_string()
    }

    pub(crate) fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &self.name])
    }

    /// The screen with its colours and attributes as escape sequences.
    fn screen_with_escapes(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", &self.name])
    }

    /// Presses keys by their tmux names (`Enter`, `Down`, `C-c`, `j`).
    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types `text` as it is, then Enter: an answer to the status line's question.
    pub(crate) fn answer(&self, text: &str) {
        if !text.is_empty() {
            self.tmux(&["send-keys", "-t", &self.name, "-l", text]);
        }
        self.keys(&["Enter"]);
    }

    /// Waits until the screen satisfies `ok` and is drawn whole (the same
    /// on a second look: a capture may catch the board halfway through
    /// drawing); the screen.
    pub(crate) fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                std::thread::sleep(Duration::from_millis(50));
                if self.screen() == s {
                    return s;
                }
                continue;
            }
            assert!(start.elapsed() < LIMIT, "never saw {what}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen shows `text`; the screen.
    pub(crate) fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until the status line (the line above the keys) reads `text`
    /// (from its start); the screen.
    pub(crate) fn wait_status(&self, text: &str) -> String {
        self.wait_until(&format!("the status line {text:?}"), |s| {
            status_line(s).starts_with(text)
        })
    }

    /// Waits until the board has drawn its first screen (the header's counts).
    pub(crate) fn ready(&self) -> String {
        self.wait_for(" booked · ")
    }

    /// Waits for the board to end: its exit code, and the screen after it.
    pub(crate) fn exit(&self) -> (i32, String) {
        let s = self.wait_for("STTY=");
        let code = s
            .split("EXIT=")
            .nth(1)
            .map(|t| {
                t.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no exit code on the screen:\n{s}"));
        (code, s)
    }

    /// Asserts the terminal is the shell's again: the main screen, the
    /// cursor shown, cooked mode with echo.
    fn assert_given_back(&self, how: &str) {
        let (_, s) = self.exit();
        assert_eq!(
            self.flag("#{alternate_on}"),
            "0",
            "{how}: alternate screen left\n{s}"
        );
        assert_eq!(self.flag("#{cursor_flag}"), "1", "{how}: cursor shown\n{s}");
        assert!(
            s.contains("STTY=icanon,echo,"),
            "{how}: the terminal is back in cooked mode with echo:\n{s}"
        );
    }

    /// The board's process, while it runs: `appt … board` with this
    /// session's name in its environment (the shell around it is not).
    fn process(&self) -> Option<String> {
        let bin = assert_cmd::cargo::cargo_bin("appt").display().to_string();
        let mark = format!("APPT_TEST_TMUX={}", self.name);
        std::fs::read_dir("/proc")
            .ok()?
            .flatten()
            .find_map(|entry| {
                let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
                let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
                let board = args.first() == Some(&bin.as_bytes()) && args.contains(&&b"board"[..]);
                let environ = std::fs::read(entry.path().join("environ")).ok()?;
                let ours = environ.split(|b| *b == 0).any(|v| v == mark.as_bytes());
                (board && ours).then(|| entry.file_name().to_string_lossy().into_owned())
            })
    }

    /// The board's process ID, waiting for it to start.
    fn pid(&self) -> String {
        let start = Instant::now();
        loop {
            if let Some(pid) = self.process() {
                return pid;
            }
            assert!(start.elapsed() < LIMIT, "no board process in {}", self.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Resizes the terminal, as a user dragging the window's corner.
    fn resize(&self, columns: u16, rows: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            &self.name,
            "-x",
            &columns.to_string(),
            "-y",
            &rows.to_string(),
        ]);
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        // A board still running when its test ends (it failed) is killed
        // outright: one whose terminal closes may never end on its own
        // (/work/notes/board-bugs.md #4).
        if let Some(pid) = self.process() {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

/// `env …`: what no board inherits from the tmux server's environment (its
/// database, language, colours), the desk's user, the key a server needs,
/// and the env's clock.
fn prefix(env: &Env) -> String {
    let mut p = String::from("env");
    for v in UNSET
        .iter()
        .chain(&["APPT_BOARD_TEST_PANIC", "LOGNAME", "RUST_BACKTRACE"])
    {
        p.push_str(&format!(" -u {v}"));
    }
    p.push_str(&format!(" USER={USER} TERM=screen-256color"));
    if on_postgres() {
        p.push_str(&format!(" APPT_KEY={PG_KEY} APPT_LINK_KEY={PG_LINK_KEY}"));
    }
    p.push_str(&format!(" APPT_NOW={}", env.now));
    p
}

/// `appt --db DB`, quoted for the shell.
fn appt(env: &Env) -> String {
    format!(
        "{} --db '{}'",
        assert_cmd::cargo::cargo_bin("appt").display(),
        env.db.display()
    )
}

/// The status line: the last line but one of the board (the keys are last).
fn status_line(screen: &str) -> String {
    let lines: Vec<&str> = screen.trim_end_matches('\n').lines().collect();
    lines
        .len()
        .checked_sub(2)
        .map(|i| lines[i].trim_end().to_string())
        .unwrap_or_default()
}

/// The grid's line for the local time `hm` (`10:30`), marked now or not.
fn row<'s>(screen: &'s str, hm: &str) -> &'s str {
    screen
        .lines()
        .find(|l| {
            let mut rest = l.chars();
            rest.next(); // the marker of now, or a space
            rest.as_str().starts_with(hm)
        })
        .unwrap_or_else(|| panic!("no {hm} row:\n{screen}"))
}

/// Books Dr. García at 08:00 (before the day starts), for a named patient
/// given a local phone; the appointment.
fn book(env: &Env, date: &str, time: &str, phone: &str, name: &str) -> Value {
    let out = env
        .cmd()
        .env("APPT_NOW", EIGHT)
        .args([
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            date,
            "--time",
            time,
            "--phone",
            phone,
            "--name",
            name,
            "--json",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "book {name}: {out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["appointment"].clone()
}

/// The test clinic (`Env::clinic`) with local numbers in +503, the
/// clock at 10:15 on Monday 15 June, and three appointments booked at 08:00:
/// Ana López at 09:00 (#1, over), Bruno Díaz at 10:30 (#2), and Carla Ruiz
/// on Tuesday at 09:30 (that day's #1). Returns the env and their IDs.
fn day() -> (Env, [String; 3]) {
    let mut env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    let ana = book(&env, "2026-06-15", "09:00", "70000001", "Ana López");
    let bruno = book(&env, "2026-06-15", "10:30", "70000002", "Bruno Díaz");
    let carla = book(&env, "2026-06-16", "09:30", "70000003", "Carla Ruiz");
    env.at(TEN_15);
    let ids = [&ana, &bruno, &carla].map(|a| text(&a["id"]).to_string());
    (env, ids)
}

/// One appointment as `show` gives it.
fn show(env: &Env, id: &str) -> Value {
    env.ok(&["show", id])
}

/// Monday's appointments (cancelled ones too) as `list` gives them.
fn monday(env: &Env) -> Vec<Value> {
    env.ok(&["list", "--date", "2026-06-15"])["appointments"]
        .as_array()
        .expect("appointments")
        .clone()
}

/// The ID of the last event so far (0 when none).
fn last_event(env: &Env) -> u64 {
    env.lines(&["events"])
        .last()
        .map(|e| e["id"].as_u64().expect("an event ID"))
        .unwrap_or(0)
}

/// The events after `after`: (type, actor, appointment ID).
fn events_after(env: &Env, after: u64) -> Vec<(String, String, String)> {
    env.lines(&["events", "--after", &after.to_string()])
        .iter()
        .map(|e| {
            (
                text(&e["type"]).to_string(),
                text(&e["actor"]).to_string(),
                e["appointment_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Whether `screen` sets a foreground or background colour (SGR 30–38,
/// 40–48, 90–97, 100–107; 39 and 49 only reset them).
fn has_colour(screen: &str) -> bool {
    screen.split("\x1b[").skip(1).any(|seq| {
        let Some(end) = seq.find(|c: char| c.is_ascii_alphabetic()) else {
            return false;
        };
        if &seq[end..end + 1] != "m" {
            return false;
        }
        seq[..end].split(';').any(|p| {
            matches!(p.parse::<u16>(), Ok(n) if (30..=38).contains(&n)
                || (40..=48).contains(&n)
                || (90..=97).contains(&n)
                || (100..=107).contains(&n))
        })
    })
}

// ---------------------------------------------------------------------------
// No terminal.

/// docs/board.md: without a terminal on stdin and stdout the board is
/// `VALIDATION_ERROR` (exit 2), with `--json` too, and nothing changes.
#[test]
fn without_a_terminal_the_board_is_a_validation_error() {
    let (env, _) = day();
    // Neither is a terminal: JSON on stderr, exit 2, the database as it was.
    env.refused(&["board"], "VALIDATION_ERROR", 2);
    let before = env.snapshot();
    let out = env
        .raw(&["board"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("appt board needs a terminal"), "{err}");
    // One of the two is a terminal, the other not; and --json on a terminal.
    let line = format!(
        "{p} {a} board </dev/null; echo NO_STDIN=$?; \
         {p} {a} board >/dev/null; echo NO_STDOUT=$?; \
         {p} {a} board --json; echo JSON=$?; sleep 60",
        p = prefix(&env),
        a = appt(&env),
    );
    let t = Board::shell((120, 40), &line);
    let screen = t.wait_for("JSON=");
    for said in ["NO_STDIN=2", "NO_STDOUT=2", "JSON=2"] {
        assert!(screen.contains(said), "{said}:\n{screen}");
    }
    assert!(screen.contains(r#""code":"VALIDATION_ERROR""#), "{screen}");
    assert_eq!(t.flag("#{alternate_on}"), "0", "{screen}");
    assert!(
        !screen.contains(" booked · "),
        "no board was drawn:\n{screen}"
    );
    assert_eq!(env.snapshot(), before, "a board without a terminal wrote");
}

// ---------------------------------------------------------------------------
// Booking.

/// docs/board.md: Enter on a free cell asks the phone, then the name of a new
/// patient, and books through the use case of `appt book`, as `board:<user>`;
/// a known patient is not asked their name.
#[test]
fn enter_on_a_free_cell_books_a_new_or_known_patient_as_the_desk() {
    let (env, _) = day();
    env.ok(&[
        "patient", "add", "--name", "Dora Paz", "--phone", "70000004",
    ]);
    let after = last_event(&env);
    let t = Board::start(&env, (120, 40), "", "");
    let s = t.ready();
    assert!(
        s.starts_with("Central · Monday 15 June 2026 · 10:15"),
        "{s}"
    );
    assert!(s.contains("2 booked · 4 free · 0 arrived"), "{s}");
    assert!(s.contains("Dr. García"), "{s}");
    assert!(s.contains("Medicina General"), "{s}");
    // Nobody came for 09:00 by 10:15: late (docs/rules.md#the-queue).
    assert!(row(&s, "09:00").contains("#1 ○! Ana L."), "{s}");
    assert!(row(&s, "10:30").contains("#2 ○ Bruno D."), "{s}");
    assert!(row(&s, "11:00").contains("· free"), "{s}");
    // The marker is on the current time's row, and the cursor starts there.
    assert!(row(&s, "10:00").starts_with("▸10:00"), "{s}");
    assert_eq!(status_line(&s), "10:00", "{s}");

    t.keys(&["j", "j"]);
    t.wait_status("11:00 free (1 left): Enter books");
    t.keys(&["Enter"]);
    t.wait_status("Phone: ");
    t.answer("7000 0005");
    t.wait_status("Name (new patient): ");
    t.answer("Elsa Vega");
    let s = t.wait_status("Booked #3 Elsa V. at 11:00.");
    assert!(row(&s, "11:00").contains("#3 ○ Elsa V."), "{s}");
    assert!(s.contains("3 booked · 3 free"), "{s}");

    // Dora is known: no name asked.
    t.keys(&["j"]);
    t.wait_status("11:30 free");
    t.keys(&["Enter"]);
    t.wait_status("Phone: ");
    t.answer("70000004");
    let s = t.wait_status("Booked #4 Dora P. at 11:30.");
    assert!(row(&s, "11:30").contains("#4 ○ Dora P."), "{s}");

    let list = monday(&env);
    let at = |hm: &str| {
        list.iter()
            .find(|a| a["start_time"] == hm)
            .unwrap_or_else(|| panic!("nothing at {hm}: {list:?}"))
            .clone()
    };
    let elsa = at("11:00");
    assert_eq!(elsa["patient"]["full_name"], "Elsa Vega");
    assert_eq!(elsa["patient"]["phone"], "+50370000005");
    assert_eq!(elsa["status"], "scheduled");
    assert_eq!(elsa["source"], "manual");
    assert_eq!(elsa["token_number"], 3);
    let dora = at("11:30");
    assert_eq!(dora["patient"]["full_name"], "Dora Paz");
    assert_eq!(dora["patient"]["phone"], "+50370000004");
    let booked: Vec<_> = events_after(&env, after)
        .into_iter()
        .filter(|e| e.0 == "appointment.booked")
        .collect();
    assert_eq!(
        booked,
        [
            (
                "appointment.booked".into(),
                "board:desk".into(),
                text(&elsa["id"]).into()
            ),
            (
                "appointment.booked".into(),
                "board:desk".into(),
                text(&dora["id"]).into()
            ),
        ]
    );
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

// ---------------------------------------------------------------------------
// An appointment's day.

/// docs/board.md, docs/rules.md#statuses: `n` no-show (a start time gone
/// by), `c` confirm, `a` arrived (into the Arrived pane), `s` start, `d`
/// done (asking the diagnosis the clinic requires), `x` cancel (asking the
/// reason: the cell is free again); each the command's use case, as the desk.
#[test]
fn the_keys_walk_an_appointment_through_its_day() {
    let (env, [ana, bruno, _]) = day();
    let fran = text(&book(&env, "2026-06-15", "11:00", "70000006", "Fran Soto")["id"]).to_string();
    let after = last_event(&env);
    let t = Board::start(&env, (120, 40), "", "");
    t.ready();

    // Ana's 09:00 is over: a no-show.
    t.keys(&["k", "k"]);
    t.wait_status("09:00 #1 Ana López · 7000-0001 · scheduled");
    t.keys(&["n"]);
    let s = t.wait_status("#1 Ana L.: no-show.");
    assert!(row(&s, "09:00").contains("#1 ✗ Ana L."), "{s}");
    assert!(s.contains("0 done · 1 no-show"), "{s}");
    assert_eq!(show(&env, &ana)["status"], "no_show");

    t.keys(&["j", "j", "j"]);
    t.wait_status("10:30 #2 Bruno Díaz");
    t.keys(&["c"]);
    let s = t.wait_status("#2 Bruno D.: confirmed.");
    assert!(row(&s, "10:30").contains("#2 ✓ Bruno D."), "{s}");
    assert_eq!(show(&env, &bruno)["status"], "confirmed");

    t.keys(&["a"]);
    let s = t.wait_status("#2 Bruno D.: arrived.");
    assert!(row(&s, "10:30").contains("#2 → Bruno D."), "{s}");
    assert!(s.contains("┌Arrived (1)"), "{s}");
    assert!(s.contains("│#2 → Bruno D.  Dr. G."), "the queue pane:\n{s}");
    assert!(s.contains(" 1 arrived · 0 in progress"), "{s}");
    assert_eq!(show(&env, &bruno)["status"], "checked_in");

    t.keys(&["s"]);
    let s = t.wait_status("#2 Bruno D.: in progress.");
    assert!(row(&s, "10:30").contains("#2 ▶ Bruno D."), "{s}");
    assert!(s.contains("┌Arrived (0)"), "{s}");
    assert!(s.contains(" 0 arrived · 1 in progress"), "{s}");
    assert_eq!(show(&env, &bruno)["status"], "in_progress");

    // The clinic requires a diagnosis (the default): `d` asks it.
    t.keys(&["d"]);
    t.wait_status("Diagnosis: ");
    t.answer("Influenza");
    let s = t.wait_status("#2 Bruno D.: done.");
    assert!(row(&s, "10:30").contains("#2 ■ Bruno D."), "{s}");
    assert!(s.contains(" 1 done · 1 no-show"), "{s}");
    let b = show(&env, &bruno);
    assert_eq!(b["status"], "completed");
    assert_eq!(b["diagnosis"], "Influenza");

    t.keys(&["j"]);
    t.wait_status("11:00 #3 Fran Soto");
    t.keys(&["x"]);
    t.wait_status("Reason to cancel: ");
    t.answer("Patient called");
    let s = t.wait_status("Cancelled #3 Fran S.");
    assert!(
        row(&s, "11:00").contains("· free"),
        "the cell is free again:\n{s}"
    );
    assert!(!row(&s, "11:00").contains("Fran"), "{s}");
    let f = show(&env, &fran);
    assert_eq!(f["status"], "cancelled");
    assert_eq!(f["cancellation_reason"], "Patient called");
    // The cursor stayed on the freed cell.
    t.keys(&["k", "j"]);
    t.wait_status("11:00 free (1 left)");

    let events = events_after(&env, after);
    let want: Vec<(String, String, String)> = [
        ("appointment.no_show", &ana),
        ("appointment.confirmed", &bruno),
        ("appointment.checked_in", &bruno),
        ("appointment.in_progress", &bruno),
        ("appointment.completed", &bruno),
        ("appointment.cancelled", &fran),
    ]
    .iter()
    .map(|(kind, id)| (kind.to_string(), "board:desk".to_string(), id.to_string()))
    .collect();
    assert_eq!(events, want);
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

/// docs/board.md: a refusal shows its code and message in the status line
/// and changes nothing; the board goes on.
#[test]
fn a_refusal_shows_its_code_and_changes_nothing() {
    let (env, _) = day();
    let t = Board::start(&env, (120, 40), "", "");
    t.ready();
    // Each: the keys, what the status line then starts with.
    let refusals: [(&[&str], &str); 9] = [
        // Bruno's 10:30 has not started: no no-show yet (docs/rules.md#statuses).
        (
            &["j", "n"],
            "INVALID_STATE_TRANSITION: An appointment can be marked a no-show only after its start time",
        ),
        // An empty reason to cancel.
        (&["x", "Enter"], "VALIDATION_ERROR: "),
        // Nothing selected: a free cell.
        (&["j", "c"], "VALIDATION_ERROR: No appointment selected."),
        // A phone that is no phone, refused before any name is asked: the
        // phone is asked again, the refusal in sight below the question.
        (&["Enter", "1", "2", "Enter"], "Phone: "),
        // Ana has a booking that day already (docs/rules.md#booking).
        (
            &["7", "0", "0", "0", "0", "0", "0", "1", "Enter"],
            "DUPLICATE_BOOKING: ",
        ),
        // Enter on a booked cell.
        (&["k", "Enter"], "VALIDATION_ERROR: Not a free cell"),
        // Moving onto a taken cell: Bruno onto himself.
        (&["m", "Enter"], "VALIDATION_ERROR: Not a free cell"),
        // Tuesday's visit cannot arrive on Monday.
        (
            &["Escape", "]", "j", "a"],
            "INVALID_STATE_TRANSITION: The visit is on Tuesday 16 June 2026",
        ),
        // Nobody found.
        (&["/", "z", "z", "z", "Enter"], "NOT_FOUND: Nobody found for \"zzz\"."),
    ];
    for (keys, said) in refusals {
        let before = env.snapshot();
        for k in keys {
            t.keys(&[*k]);
            // Esc must not run into the next key (it would read as Alt+key).
            if *k == "Escape" {
                t.wait_until("the move given up", |s| {
                    !status_line(s).starts_with("VALIDATION_ERROR")
                        && !s.contains("Esc stop moving")
                });
            }
        }
        if said == "Phone: " {
            // "Phone: 12" shows before Enter is read: wait for the refusal
            // itself, below the question asked again.
            t.wait_until("the phone refused below the question", |s| {
                let footer = s.trim_end_matches('\n').lines().last().unwrap_or_default();
                status_line(s).starts_with(said)
                    && footer.starts_with(
                        "VALIDATION_ERROR: '12' is too short for a phone number of +503",
                    )
            });
        } else {
            t.wait_status(said);
        }
        assert_eq!(env.snapshot(), before, "{keys:?} was refused but wrote");
    }
    // Still running and answering.
    t.keys(&["t"]);
    t.wait_for("Central · Monday 15 June 2026");
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

/// docs/board.md: `d` asks the diagnosis when the clinic requires one, and
/// docs/rules.md#statuses lets an arrived patient be done straight away.
#[test]
fn done_on_an_arrived_patient_asks_the_diagnosis() {
    let (env, [_, bruno, _]) = day();
    env.ok(&["status", &bruno, "checked_in"]);
    let t = Board::start(&env, (120, 40), "", "");
    t.ready();
    t.keys(&["j"]);
    t.wait_status("10:30 #2 Bruno Díaz");
    t.keys(&["d"]);
    t.wait_status("Diagnosis: ");
    t.answer("Influenza");
    t.wait_status("#2 Bruno D.: done.");
    let b = show(&env, &bruno);
    assert_eq!(b["status"], "completed");
    assert_eq!(b["diagnosis"], "Influenza");
}

// ---------------------------------------------------------------------------
// Live.

/// docs/board.md: another process's write to the day shows within a second
/// without a key, and the selection stays: the same cell, or the same
/// appointment when it moves.
#[test]
fn another_desks_writes_show_without_a_key_and_keep_the_selection() {
    let (env, [_, bruno, _]) = day();
    let t = Board::start(&env, (120, 40), "", "");
    t.ready();
    t.keys(&["j", "j"]);
    t.wait_status("11:00 free (1 left): Enter books");

    // A booking elsewhere on the day.
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "12:00",
        "--phone",
        "70000007",
        "--name",
        "Gabo Ríos",
    ]);
    let start = Instant::now();
    let s = t.wait_until("Gabo at 12:00", |s| row(s, "12:00").contains("Gabo R."));
    let took = start.elapsed();
    assert!(took < LIVE, "another desk's booking took {took:?} to show");
    assert!(row(&s, "12:00").contains("#3 ○ Gabo R."), "{s}");
    assert_eq!(status_line(&s), "11:00 free (1 left): Enter books", "{s}");

    // A booking in the selected cell: the cursor stays on it.
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "11:00",
        "--phone",
        "70000008",
        "--name",
        "Hugo Mena",
    ]);
    let start = Instant::now();
    let s = t.wait_status("11:00 #4 Hugo Mena · 7000-0008 · scheduled");
    assert!(start.elapsed() < LIVE, "{:?}", start.elapsed());
    assert!(row(&s, "11:00").contains("#4 ○ Hugo M."), "{s}");

    // Hugo moved by another desk: the selection follows him.
    let hugo = s_id(&monday(&env), "Hugo Mena");
    env.ok(&["reschedule", &hugo, "--time", "12:30"]);
    let start = Instant::now();
    let s = t.wait_status("12:30 #4 Hugo Mena");
    assert!(start.elapsed() < LIVE, "{:?}", start.elapsed());
    assert!(row(&s, "11:00").contains("· free"), "{s}");

    // A cancellation, an arrival and the waitlist, all from elsewhere.
    env.ok(&["cancel", &bruno, "--reason", "Travel"]);
    env.ok(&["status", &s_id(&monday(&env), "Gabo Ríos"), "checked_in"]);
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--phone",
        "70000009",
        "--name",
        "Iris Luna",
    ]);
    let start = Instant::now();
    let s = t.wait_until("the other desk's changes", |s| {
        row(s, "10:30").contains("· free")
            && s.contains("┌Arrived (1)")
            && s.contains("│#3 → Gabo R.")
            && s.contains("┌Waitlist (1)")
            && s.contains("│Iris L.  Dr. G.")
    });
    assert!(start.elapsed() < LIVE, "{:?}", start.elapsed());
    assert!(status_line(&s).starts_with("12:30 #4 Hugo Mena"), "{s}");
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

/// The server drops the board's connection (as a failover does, or a
/// restart): the board says so, connects again by itself, and shows a
/// booking made meanwhile without a key (docs/board.md#live).
#[test]
#[cfg_attr(
    not(appt_test_pg),
    ignore = "PostgreSQL only: a server's dropped connection"
)]
fn a_dropped_connection_is_made_again_and_the_day_follows() {
    let (env, _) = day();
    let t = Board::start(&env, (120, 40), "", "");
    t.ready();
    let url = env.url().expect("a server");
    let dropped = crate::common::pg_connect(&url)
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .len();
    assert!(dropped >= 1, "the board held no connection");
    t.wait_until("the refusal", |s| status_line(s).contains("DATABASE_ERROR"));
    shows_a_booking_once_connected_again(&env, &t, "the connection made again");
}

/// The board on a primary and its standby, both named: the primary is
/// killed and the standby promoted (docs/operations.md#failover); the
/// board connects to the new primary by itself and shows a booking made
/// there, without a key.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: a real failover")]
fn after_a_failover_the_board_follows_the_new_primary() {
    let mut cluster = crate::cluster::Cluster::start(true);
    let mut env = Env::on(&cluster.both_url("target_session_attrs=read-write")).with_clinic();
    env.ok(&["clinic", "update", "Central", "--country-code", "+503"]);
    book(&env, "2026-06-15", "09:00", "70000001", "Ana López");
    env.at(TEN_15);
    let t = Board::start(&env, (120, 40), "", "");
    t.ready();
    cluster.kill_primary();
    t.wait_until("the refusal", |s| status_line(s).contains("DATABASE_ERROR"));
    cluster.promote();
    shows_a_booking_once_connected_again(&env, &t, "on the new primary");
}

/// Books Gabo Ríos at 12:00 elsewhere; the board, which lost its
/// connection, shows him without a key and says it connected again; then
/// quits.
fn shows_a_booking_once_connected_again(env: &Env, t: &Board, after: &str) {
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--time",
        "12:00",
        "--phone",
        "70000007",
        "--name",
        "Gabo Ríos",
    ]);
    let s = t.wait_until(&format!("Gabo at 12:00, {after}"), |s| {
        row(s, "12:00").contains("Gabo R.")
    });
    assert_eq!(status_line(&s), "Connected to the database again.", "{s}");
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

/// The ID of `name`'s appointment in `list`.
fn s_id(list: &[Value], name: &str) -> String {
    let a = list
        .iter()
        .find(|a| a["patient"]["full_name"] == name)
        .unwrap_or_else(|| panic!("no {name}: {list:?}"));
    text(&a["id"]).to_string()
}

// ---------------------------------------------------------------------------
// Moving about.

/// docs/board.md: `m` then Enter on a free cell reschedules; `/` finds a
/// patient by name or local phone and jumps to their appointment, on its
/// day; `]` `[` `t` change the day; `w` books a walk-in for the column's
/// doctor, checked in.
#[test]
fn move_find_days_and_a_walk_in() {
    let (env, [_, bruno, carla]) = day();
    let after = last_event(&env);
    let t = Board::start(&env, (120, 40), "", "");
    t.ready();
    // `?` shows the keys and the symbols; the next key only closes it.
    t.keys(&["?"]);
    let s = t.wait_for("┌Keys");
    assert!(s.contains("Arrows or h j k l  move"), "{s}");
    assert!(s.contains("○ scheduled") && s.contains("✗ no-show"), "{s}");
    t.keys(&["j"]);
    let s = t.wait_until("the help closed", |s| !s.contains("┌Keys"));
    assert_eq!(status_line(&s), "10:00", "the key did not move:\n{s}");

    t.keys(&["j"]);
    t.wait_status("10:30 #2 Bruno Díaz");
    t.keys(&["m"]);
    let s = t.wait_status("Moving #2 Bruno D.: Enter on a free cell puts it there");
    assert!(s.contains("Enter put it here  Esc stop moving"), "{s}");
    t.keys(&["j", "Enter"]);
    let s = t.wait_status("Moved #2 Bruno D. to 11:00.");
    assert!(row(&s, "10:30").contains("· free"), "{s}");
    assert!(row(&s, "11:00").contains("#2 ○ Bruno D."), "{s}");
    let b = show(&env, &bruno);
    assert_eq!(b["start_time"], "11:00");
    assert_eq!(b["date"], "2026-06-15");

    // By name: Carla's visit is on Tuesday.
    t.keys(&["/"]);
    t.wait_status("Find (name or phone): ");
    t.answer("carla");
    let s = t.wait_status("#1 Carla R. on Tuesday 16 June 2026 at 09:30.");
    assert!(
        s.starts_with("Central · Tuesday 16 June 2026 · 10:15"),
        "{s}"
    );
    assert!(row(&s, "09:30").contains("#1 ○ Carla R."), "{s}");
    // The cursor is on her: `c` confirms her.
    t.keys(&["c"]);
    t.wait_status("#1 Carla R.: confirmed.");
    assert_eq!(show(&env, &carla)["status"], "confirmed");

    // Today again, then by local phone.
    t.keys(&["t"]);
    t.wait_for("Central · Monday 15 June 2026 · 10:15");
    t.keys(&["/"]);
    t.answer("7000-0001");
    let s = t.wait_status("#1 Ana L. on Monday 15 June 2026 at 09:00.");
    assert!(s.starts_with("Central · Monday 15 June 2026"), "{s}");
    t.keys(&["j"]);
    t.wait_status("09:30");
    // By the end of a phone, as read off a screen: Bruno's ends in 0002.
    t.keys(&["/"]);
    t.answer("0002");
    t.wait_status("#2 Bruno D. on Monday 15 June 2026 at 11:00.");
    // The middle all three share: the desk picks among them.
    t.keys(&["/"]);
    t.answer("7000");
    t.wait_status("3 patients match: the number of one");
    t.answer("3");
    t.wait_status("#1 Carla R. on Tuesday 16 June 2026 at 09:30.");
    t.keys(&["t"]);
    t.wait_for("Central · Monday 15 June 2026 · 10:15");

    // Day after, day before, and Sunday, when nobody works.
    t.keys(&["]"]);
    t.wait_for("Central · Tuesday 16 June 2026 · 10:15");
    t.keys(&["["]);
    t.wait_for("Central · Monday 15 June 2026 · 10:15");
    t.keys(&["["]);
    let s = t.wait_for("Central · Sunday 14 June 2026 · 10:15");
    assert!(s.contains("Nobody works this day."), "{s}");
    t.keys(&["t"]);
    let s = t.wait_for("Central · Monday 15 June 2026 · 10:15");
    assert!(row(&s, "10:00").starts_with("▸10:00"), "{s}");

    // A walk-in for Dr. García: the first free slot from now, checked in.
    t.keys(&["w"]);
    t.wait_status("Phone: ");
    t.answer("70000010");
    t.wait_status("Name (new patient): ");
    t.answer("Juan Cruz");
    let s = t.wait_status("Walk-in #3 Juan C., checked in.");
    assert!(row(&s, "10:30").contains("#3 → Juan C."), "{s}");
    assert!(s.contains("│#3 → Juan C.  Dr. G."), "{s}");
    let list = monday(&env);
    let juan = list
        .iter()
        .find(|a| a["patient"]["full_name"] == "Juan Cruz")
        .expect("the walk-in");
    assert_eq!(juan["status"], "checked_in");
    assert_eq!(juan["source"], "walk_in");
    assert_eq!(juan["start_time"], "10:30");

    let kinds: Vec<(String, String)> = events_after(&env, after)
        .into_iter()
        .map(|(kind, actor, _)| (kind, actor))
        .collect();
    let want: Vec<(String, String)> = [
        "appointment.rescheduled",
        "appointment.confirmed",
        "appointment.booked",
        "appointment.checked_in",
    ]
    .iter()
    .map(|k| (k.to_string(), "board:desk".to_string()))
    .collect();
    assert_eq!(kinds, want);
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

// ---------------------------------------------------------------------------
// The screen.

/// docs/board.md: fits 80×24 (panes under the grid, doctors that do not
/// fit behind a marker), follows a resize to 120×40 (panes beside the grid)
/// and back.
#[test]
fn fits_80_by_24_and_follows_resizes() {
    let (env, _) = day();
    for doctor in ["Dr. Alba", "Dr. Mora", "Dr. Zeta", "Dr. Ruiz"] {
        env.ok(&["doctor", "add", doctor]);
        env.ok(&[
            "window", "add", "--doctor", doctor, "--days", "mon-fri", "--from", "09:00", "--to",
            "13:00",
        ]);
    }
    env.ok(&[
        "waitlist",
        "add",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-15",
        "--phone",
        "70000009",
        "--name",
        "Iris Luna",
    ]);
    let t = Board::start(&env, (80, 24), "", "");
    let fits = |s: &str, columns: usize, rows: usize| {
        let lines: Vec<&str> = s.trim_end_matches('\n').lines().collect();
        assert_eq!(lines.len(), rows, "{rows} rows:\n{s}");
        for l in &lines {
            assert!(
                l.chars().count() <= columns,
                "wider than {columns}: {l:?}\n{s}"
            );
        }
        assert!(
            lines[rows - 1].starts_with("Enter book") && lines[rows - 1].ends_with("q quit"),
            "the keys, whole, on the last line:\n{s}"
        );
        lines.iter().map(|l| l.to_string()).collect::<Vec<_>>()
    };
    let s = t.ready();
    let lines = fits(&s, 80, 24);
    assert_eq!(lines[0], "Central · Monday 15 June 2026 · 10:15");
    assert!(
        lines[1].starts_with("2 booked · 24 free · 0 arrived"),
        "{s}"
    );
    // Three doctors of five fit; a marker says two more are to the right.
    assert!(
        lines[2].contains("Dr. Alba") && lines[2].contains("Dr. García"),
        "{s}"
    );
    assert!(
        lines[2].contains("Dr. Mora") && !s.contains("Dr. Zeta"),
        "{s}"
    );
    assert!(lines[3].trim_end().ends_with("2▸"), "{s}");
    // The panes under the grid, side by side, whole.
    let top = lines
        .iter()
        .position(|l| l.starts_with("┌Arrived (0)"))
        .unwrap_or_else(|| panic!("the queue pane at the left:\n{s}"));
    assert!(top > 10, "under the grid:\n{s}");
    assert!(lines[top].contains("┌Waitlist (1)"), "{s}");
    assert!(lines[top + 1].contains("│Iris L.  Dr. G."), "{s}");
    assert!(lines[top + 5].starts_with('└'), "{s}");
    // Sideways: the cursor on the fourth doctor, a marker for the first.
    t.keys(&["l", "l", "l"]);
    let s = t.wait_for("Dr. Ruiz");
    let lines = fits(&s, 80, 24);
    assert!(lines[2].starts_with("◂1"), "{s}");
    assert!(!lines[2].contains("Dr. Alba"), "{s}");

    t.resize(120, 40);
    let s = t.wait_until("the panes beside the grid", |s| {
        s.lines().nth(2).is_some_and(|l| l.contains("┌Arrived (0)"))
    });
    let lines = fits(&s, 120, 40);
    assert!(lines[2].contains("Dr. Ruiz"), "{s}");
    assert!(lines.iter().any(|l| l.contains("┌Waitlist (1)")), "{s}");
    let arrived = lines[2].find("┌Arrived").expect("the pane");
    assert!(
        lines[2][..arrived].contains("Dr."),
        "grid left, panes right:\n{s}"
    );

    t.resize(80, 24);
    let s = t.wait_until("the panes under the grid again", |s| {
        s.lines().any(|l| l.starts_with("┌Arrived (0)"))
    });
    fits(&s, 80, 24);
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

/// docs/board.md: a resize that comes in the board's first moments (a
/// tiling window manager sizes a new terminal at once) is followed without
/// a key: the board does not keep the size it started with.
#[test]
fn follows_a_resize_in_its_first_moments_before_any_key() {
    let (env, _) = day();
    let t = Board::start(&env, (80, 24), "", "");
    // Resized the moment the first screen shows, before the board has
    // waited for anything.
    let start = Instant::now();
    while !t.screen().contains(" booked · ") {
        assert!(start.elapsed() < LIMIT, "never drawn:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(5));
    }
    t.resize(120, 40);
    let s = t.wait_until("the 120×40 layout (the panes beside the grid)", |s| {
        s.lines().nth(2).is_some_and(|l| l.contains("┌Arrived"))
    });
    let lines: Vec<&str> = s.trim_end_matches('\n').lines().collect();
    assert_eq!(lines.len(), 40, "{s}");
    assert!(lines[39].starts_with("Enter book"), "{s}");
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

/// docs/board.md: `NO_COLOR` takes the colours away, never the symbols.
#[test]
fn no_color_draws_without_colours() {
    let (env, _) = day();
    let coloured = Board::start(&env, (120, 40), "", "");
    let plain = Board::start(&env, (120, 40), "NO_COLOR=1", "");
    coloured.ready();
    plain.ready();
    let c = coloured.screen_with_escapes();
    let p = plain.screen_with_escapes();
    assert!(has_colour(&c), "colours on a terminal:\n{c:?}");
    assert!(!has_colour(&p), "no colour with NO_COLOR:\n{p:?}");
    let p = plain.screen();
    assert!(row(&p, "10:30").contains("#2 ○ Bruno D."), "{p}");
    assert!(row(&p, "11:00").contains("· free"), "{p}");
    for t in [coloured, plain] {
        t.keys(&["q"]);
        assert_eq!(t.exit().0, 0);
    }
}

/// docs/board.md: the board speaks the desk's language.
#[test]
fn in_spanish_the_board_speaks_spanish() {
    let (env, _) = day();
    let t = Board::start(&env, (120, 40), "APPT_LANG=es", "");
    let s = t.wait_for(" citas · ");
    assert!(
        s.starts_with("Central · lunes 15 de junio de 2026 · 10:15"),
        "{s}"
    );
    // Arrived patients are `en sala`; `lista de espera` is the waitlist alone.
    assert!(s.contains("2 citas · 4 libres · 0 en sala"), "{s}");
    assert!(row(&s, "11:00").contains("· libre"), "{s}");
    assert!(
        s.contains("┌En sala (0)") && s.contains("┌Lista de espera (0)"),
        "{s}"
    );
    assert!(s.contains("q salir"), "{s}");
    t.keys(&["j", "j"]);
    // One place is `1 cupo` (CLDR plural), never `1 cupos`.
    t.wait_status("11:00 libre (1 cupo): Enter reserva");
    t.keys(&["Enter"]);
    t.wait_status("Teléfono: ");
    t.keys(&["Escape"]);
    t.wait_until("the question closed", |s| {
        !status_line(s).starts_with("Teléfono")
    });
    t.keys(&["/"]);
    t.wait_status("Buscar (nombre o teléfono): ");
    t.answer("zzz");
    t.wait_status("NOT_FOUND: Nadie encontrado para \"zzz\".");
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

// ---------------------------------------------------------------------------
// The terminal given back.

/// docs/board.md: the terminal is always given back: the main screen, the
/// cursor, cooked mode with echo; after `q`, Ctrl-C, SIGTERM, SIGINT and
/// SIGHUP (exit 0), and after a panic (exit 101; a debug build's test hook).
#[test]
fn the_terminal_is_given_back_however_the_board_ends() {
    let (env, _) = day();
    let ways = ["q", "C-c", "TERM", "INT", "HUP", "panic"];
    let boards: Vec<Board> = ways
        .iter()
        .map(|how| {
            let vars = if *how == "panic" {
                "APPT_BOARD_TEST_PANIC=1"
            } else {
                ""
            };
            Board::start(&env, (80, 24), vars, "")
        })
        .collect();
    for (how, t) in ways.iter().zip(&boards) {
        t.ready();
        // While the board runs it holds the terminal: these are what change back.
        assert_eq!(t.flag("#{alternate_on}"), "1", "{how}");
        assert_eq!(t.flag("#{cursor_flag}"), "0", "{how}");
        match *how {
            "q" | "C-c" => t.keys(&[how]),
            "panic" => t.keys(&["!"]),
            signal => {
                let pid = t.pid();
                let ok = Command::new("kill")
                    .args([&format!("-{signal}"), &pid])
                    .status()
                    .expect("kill");
                assert!(ok.success(), "kill -{signal} {pid}");
            }
        }
        let (code, s) = t.exit();
        let want = if *how == "panic" { 101 } else { 0 };
        assert_eq!(code, want, "{how}:\n{s}");
        t.assert_given_back(how);
    }
}

/// docs/board.md: after a panic the terminal is given back with the panic's
/// message readable on it, not overwritten by what the shell prints next.
#[test]
fn after_a_panic_its_message_stays_readable() {
    let (env, _) = day();
    let t = Board::start(&env, (80, 24), "APPT_BOARD_TEST_PANIC=1", "");
    t.ready();
    t.keys(&["!"]);
    let (code, s) = t.exit();
    assert_eq!(code, 101, "{s}");
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("thread 'main'") && l.contains("panicked at"))
        .unwrap_or_else(|| panic!("the panic's first line, whole:\n{s}"));
    assert_eq!(lines[at + 1], "a panic the board's tests asked for", "{s}");
    let exit = lines
        .iter()
        .position(|l| *l == "EXIT=101")
        .unwrap_or_else(|| panic!("the exit code on a line of its own:\n{s}"));
    assert!(exit > at + 1, "the shell printed after the message:\n{s}");
}

/// docs/board.md: the board follows resizes; a window made very small (a
/// few rows) must not crash it, and it draws again when it grows back.
#[test]
fn a_tiny_terminal_does_not_crash_the_board() {
    let (env, _) = day();
    let t = Board::start(&env, (80, 24), "", "");
    t.ready();
    for (columns, rows) in [(80, 7), (80, 6), (40, 3), (12, 4), (1, 1)] {
        t.resize(columns, rows);
        std::thread::sleep(Duration::from_millis(300));
        t.resize(80, 24);
        let s = t.wait_until("the board drawn again, or its end", |s| {
            s.contains("Central · Monday 15 June 2026") || s.contains("EXIT=")
        });
        assert!(
            !s.contains("EXIT="),
            "the board ended at {columns}×{rows}:\n{s}"
        );
    }
    t.keys(&["q"]);
    assert_eq!(t.exit().0, 0);
}

/// docs/board.md: SIGHUP ends the board; so does its terminal going away
/// (a closed window, a dropped SSH connection), which sends it.
#[test]
fn closing_the_terminal_ends_the_board() {
    let (env, _) = day();
    let t = Board::start(&env, (80, 24), "", "");
    t.ready();
    let pid = t.pid();
    t.tmux(&["kill-session", "-t", &t.name]);
    let start = Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        if start.elapsed() > Duration::from_secs(5) {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("the board (pid {pid}) still runs 5 s after its terminal closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn with_staff_it_asks_who_is_there_names_them_and_locks_on_p() {
    let (env, _) = day();
    crate::sessions::add_manager(&env);
    let sessions = env.dir.path().join("sessions");
    let vars = format!("APPT_SESSIONS={}", sessions.display());
    let b = Board::start(&env, (100, 30), &vars, "");
    // Nobody is signed in at this terminal: the board asks who is there.
    b.wait_for("Who is at the board? Your name");
    b.answer("marta");
    b.wait_for("PIN");
    b.answer("2468");
    let s = b.ready();
    assert!(!s.contains("2468"), "{s}");
    b.wait_status("Marta · ");
    // `p`: locked, nothing of the day in sight, until a PIN is typed.
    b.keys(&["p"]);
    let locked = b.wait_for("Who is at the board? Your name");
    assert!(
        !locked.contains("Bruno") && !locked.contains(" booked · "),
        "{locked}"
    );
    b.answer("Marta");
    b.wait_for("Marta's PIN");
    b.answer("2468");
    b.ready();
    b.keys(&["q"]);
    let (code, _) = b.exit();
    assert_eq!(code, 0);
}
