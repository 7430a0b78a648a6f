//! The generated, committed files (README.md): `completions/` and `man/` are
//! exactly what the clap definition produces, the completions work in real
//! bash, zsh and fish, every man page passes `mandoc -Tlint` without a word,
//! and `appt completions SHELL` prints the committed script.
//!
//! In bash, zsh and fish the scripts complete doctor, service, clinic and
//! patient names from the database (docs/commands.md#appt-completions): typed
//! in real shells on a terminal (tmux), and asked of `appt __complete`
//! directly. Those tests read the test's database, a file or (with
//! `APPT_TEST_PG`) a PostgreSQL database; the rest touch none.
//!
//! The shells, tmux and mandoc must be installed (`.ci/run` installs them).
//! Outside CI a missing one skips its test with a note; under CI (`CI` set)
//! it fails.
//!
//! When the command line changes, regenerate the files and commit them:
//! `APPT_REGENERATE=1 cargo test --test cli packaging`.

use crate::common::Env;
use appt::cli::packaging;
use clap::CommandFactory;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const REGENERATE: &str = "APPT_REGENERATE=1 cargo test --test cli packaging";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn completions_dir() -> PathBuf {
    repo().join("completions")
}

fn man_dir() -> PathBuf {
    repo().join("man")
}

/// The committed file for `shell`.
fn committed_script(shell: &str) -> PathBuf {
    let name = match shell {
        "bash" => "appt.bash",
        "zsh" => "_appt",
        "fish" => "appt.fish",
        "elvish" => "appt.elv",
        "powershell" => "_appt.ps1",
        _ => panic!("no completion file for {shell}"),
    };
    completions_dir().join(name)
}

/// The path of `name` on `PATH`, if it is installed. Under CI a missing tool
/// fails the test; elsewhere the test is skipped with a note.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        crate::common::missing_tool(name);
    }
    found
}

/// Runs `cmd` to completion with its output captured, killing it after
/// `limit` (a shell waiting on a terminal must not hang the suite).
fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} did not finish within {limit:?}; it printed: {}",
                String::from_utf8_lossy(&stdout.join().unwrap_or_default())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `appt ARGS` with no appt settings from the environment.
fn appt(args: &[&str]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("appt"));
    c.args(args);
    for v in ["APPT_DB", "APPT_CLINIC", "APPT_KEY", "APPT_NOW", "NO_COLOR"] {
        c.env_remove(v);
    }
    c
}

/// The files of `dir` by name.
fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// What differs between the committed `dir` and freshly generated `fresh`.
fn differences(dir: &Path, fresh: &Path) -> Vec<String> {
    let (old, new) = (files(dir), files(fresh));
    let mut found = Vec::new();
    for name in new.difference(&old) {
        found.push(format!("missing: {}", dir.join(name).display()));
    }
    for name in old.difference(&new) {
        found.push(format!("no longer generated: {}", dir.join(name).display()));
    }
    for name in old.intersection(&new) {
        if std::fs::read(dir.join(name)).ok() != std::fs::read(fresh.join(name)).ok() {
            found.push(format!("out of date: {}", dir.join(name).display()));
        }
    }
    found
}

/// Rewrites `dir` with exactly the generated files: each is overwritten in
/// place (the other tests may be reading them), then any file no longer
/// generated (the page of a removed command) is removed.
fn regenerate(dir: &Path, write: fn(&Path) -> std::io::Result<Vec<PathBuf>>) {
    let written: BTreeSet<String> = write(dir)
        .expect("write the generated files")
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    for stale in files(dir).difference(&written) {
        std::fs::remove_file(dir.join(stale)).expect("remove a file no longer generated");
    }
}

#[test]
fn committed_completions_and_man_pages_are_what_the_code_generates() {
    if std::env::var_os("APPT_REGENERATE").is_some_and(|v| v == "1") {
        regenerate(&completions_dir(), packaging::write_completions);
        regenerate(&man_dir(), packaging::write_man_pages);
    }
    let fresh = tempfile::tempdir().expect("tempdir");
    packaging::write_completions(&fresh.path().join("completions")).expect("completions");
    packaging::write_man_pages(&fresh.path().join("man")).expect("man pages");
    let mut found = differences(&completions_dir(), &fresh.path().join("completions"));
    found.extend(differences(&man_dir(), &fresh.path().join("man")));
    assert!(
        found.is_empty(),
        "the committed completions/ and man/ differ from what the command line generates:\n  {}\n\
         regenerate them with `{REGENERATE}` and commit the result",
        found.join("\n  ")
    );
}

#[test]
fn there_is_a_completion_per_shell_and_a_man_page_per_command_at_every_level() {
    assert_eq!(
        files(&completions_dir()),
        ["_appt", "_appt.ps1", "appt.bash", "appt.elv", "appt.fish"]
            .map(String::from)
            .into(),
    );
    fn pages(cmd: &clap::Command, path: &str, into: &mut BTreeSet<String>) {
        into.insert(format!("{path}.1"));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            pages(sub, &format!("{path}-{}", sub.get_name()), into);
        }
    }
    let mut expected = BTreeSet::new();
    pages(&appt::cli::Cli::command(), "appt", &mut expected);
    let man = files(&man_dir());
    assert_eq!(man, expected);
    // Nested commands have their own page, and the help subcommand has none.
    for page in [
        "appt.1",
        "appt-book.1",
        "appt-clinic.1",
        "appt-clinic-add.1",
    ] {
        assert!(man.contains(page), "{page} missing from man/");
    }
    assert!(!man.iter().any(|p| p.contains("help")), "{man:?}");
}

#[test]
fn appt_completions_prints_the_committed_script_for_each_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("appt.db");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        // Needs no database and no clock: a bad APPT_NOW does not stop it.
        let mut cmd = appt(&["completions", shell]);
        cmd.env("APPT_DB", &db).env("APPT_NOW", "not a time");
        let out = output_within(cmd, Duration::from_secs(60));
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{shell}: {}", text(&out.stderr));
        let committed = std::fs::read(committed_script(shell)).expect("committed script");
        assert!(
            out.stdout == committed,
            "`appt completions {shell}` differs from {}",
            committed_script(shell).display()
        );
    }
    assert!(!db.exists(), "appt completions created a database");
}

#[test]
fn appt_completions_with_json_an_unknown_shell_or_a_failed_write() {
    let out = output_within(
        appt(&["completions", "fish", "--json"]),
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["shell"], "fish");
    assert_eq!(v["file"], "appt.fish");
    let committed = std::fs::read_to_string(committed_script("fish")).expect("appt.fish");
    assert!(
        v["script"].as_str() == Some(committed.as_str()),
        "--json's script differs from {}",
        committed_script("fish").display()
    );

    let out = output_within(
        appt(&["completions", "tcsh", "--json"]),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let e: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(e["error"]["code"], "USAGE_ERROR");

    // docs/commands.md#conventions: a failed write to stdout is exit 1, never a silent success.
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh", "--json"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = appt(args).stdout(full).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "appt {args:?}: {out:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("cannot write to standard output") || err.contains("INTERNAL_ERROR"),
            "appt {args:?}: {err}"
        );
    }
}

/// Runs a bash script with the committed completion sourced; returns stdout.
fn bash(bash: &Path, script: &str) -> String {
    let mut cmd = Command::new(bash);
    cmd.args(["--norc", "--noprofile", "-c"])
        .arg(format!(
            "set -u; source {:?} || exit 9\n{script}",
            committed_script("bash")
        ))
        .env("HOME", std::env::temp_dir());
    let out = output_within(cmd, Duration::from_secs(60));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "bash: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The words bash's completion function offers for `line` (the last word
/// being completed), as bash would call it on TAB.
fn bash_completes(bash_path: &Path, line: &str) -> Vec<String> {
    let out = bash(
        bash_path,
        &format!(
            r#"
line={line:?}
read -r -a COMP_WORDS <<< "$line"
[[ "$line" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="$line"; COMP_POINT=${{#line}}
prev=""; (( COMP_CWORD > 0 )) && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
_appt appt "${{COMP_WORDS[COMP_CWORD]}}" "$prev"
printf '%s\n' "${{COMPREPLY[@]}}"
"#
        ),
    );
    out.lines().map(String::from).collect()
}

#[test]
fn bash_loads_the_completion_and_completes_commands_and_values() {
    let Some(bash_path) = tool("bash") else {
        return;
    };
    let spec = bash(&bash_path, "complete -p appt");
    assert!(
        spec.contains("-F _appt") && spec.trim_end().ends_with(" appt"),
        "complete -p appt: {spec}"
    );
    assert_eq!(bash_completes(&bash_path, "appt boo"), ["book"]);
    assert_eq!(bash_completes(&bash_path, "appt clinic a"), ["add"]);
    let shells = bash_completes(&bash_path, "appt completions ");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(shells.iter().any(|w| w == shell), "{shell}: {shells:?}");
    }
    let flags = bash_completes(&bash_path, "appt book --pat");
    assert_eq!(flags, ["--patient"]);
}

#[test]
fn zsh_loads_the_completion_with_compinit_and_completes_on_tab() {
    let Some(zsh) = tool("zsh") else {
        return;
    };
    let fpath = tempfile::tempdir().expect("tempdir");
    std::fs::copy(committed_script("zsh"), fpath.path().join("_appt")).expect("copy _appt");
    let setup = format!(
        "fpath=({:?} $fpath); autoload -Uz compinit; compinit -u -D",
        fpath.path()
    );

    // compinit finds `_appt` by its `#compdef appt` line and binds it to appt;
    // loading the function body must not fail.
    let mut cmd = Command::new(&zsh);
    cmd.args(["-f", "-c"])
        .arg(format!(
            "{setup}\nprint -r -- \"comp=$_comps[appt]\"\nautoload +X _appt && print -r -- \"$(whence -w _appt)\""
        ))
        .env("HOME", fpath.path());
    let out = output_within(cmd, Duration::from_secs(60));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "zsh: {:?}\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "comp=_appt\n_appt: function\n");

    // A real completion: an interactive zsh on a pseudo-terminal (zpty), where
    // `appt boo<TAB><Enter>` runs `appt book` (appt being a function that
    // prints its arguments). `${(U):-args}` prints ARGS, which the echoed
    // keystrokes never contain.
    let script = format!(
        r#"
zmodload zsh/zpty || exit 9
zpty z zsh -f -i
zpty -w z '{setup}'
zpty -w z 'appt() {{ print -r -- "${{(U):-args}}=[$*]" }}'
zpty -w -n z $'appt boo\t\n'
zpty -r z out '*ARGS=\[*\]*'
zpty -d z
print -r -- "${{${{out##*ARGS=\[}}%%\]*}}"
"#
    );
    let mut cmd = Command::new(&zsh);
    cmd.args(["-f", "-c", &script]).env("HOME", fpath.path());
    let out = output_within(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "zsh: {:?}\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout).trim(), "book", "{}", text(&out.stderr));
}

#[test]
fn fish_completes_commands_from_the_committed_script() {
    let Some(fish) = tool("fish") else {
        return;
    };
    let home = tempfile::tempdir().expect("tempdir");
    let complete = |line: &str| {
        let mut cmd = Command::new(&fish);
        cmd.args(["--no-config", "-c"])
            .arg(format!(
                "source {:?}; or exit 9; complete -C {line:?}",
                committed_script("fish")
            ))
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"));
        let out = output_within(cmd, Duration::from_secs(60));
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "fish {line:?}: {:?}\n{}\n{}",
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        );
        // Each candidate is `word<TAB>description`.
        text(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(complete("appt boo"), ["book"]);
    assert_eq!(complete("appt clinic a"), ["add"]);
    assert_eq!(complete("appt book --pat"), ["--patient"]);
}

#[test]
fn every_man_page_is_clean_under_mandoc_lint() {
    let Some(mandoc) = tool("mandoc") else {
        return;
    };
    let pages = files(&man_dir());
    assert!(pages.len() > 1, "{pages:?}");
    for page in &pages {
        let path = man_dir().join(page);
        let mut cmd = Command::new(&mandoc);
        cmd.args(["-man", "-Tlint"]).arg(&path);
        let out = output_within(cmd, Duration::from_secs(60));
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "mandoc -man -Tlint {}: {:?}\n{}{}",
            path.display(),
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    // And it renders: the title line and the command's own name.
    let mut cmd = Command::new(&mandoc);
    cmd.args(["-man", "-Tascii"])
        .arg(man_dir().join("appt-clinic-add.1"));
    let out = output_within(cmd, Duration::from_secs(60));
    // Bold and underline are overstrikes (`X\bX`): keep the last of each.
    let mut page = String::new();
    for c in text(&out.stdout).chars() {
        if c == '\u{8}' {
            page.pop();
        } else {
            page.push(c);
        }
    }
    assert!(page.contains("APPT-CLINIC-ADD(1)"), "{page}");
    assert!(page.contains("--timezone"), "{page}");
}

/// `page` rendered by mandoc at 80 columns, overstrikes (bold, underline)
/// taken out.
fn rendered(mandoc: &Path, page: &Path) -> String {
    let mut cmd = Command::new(mandoc);
    cmd.args(["-man", "-Tutf8", "-O", "width=80"]).arg(page);
    let out = output_within(cmd, Duration::from_secs(60));
    assert!(out.status.success(), "mandoc {}: {out:?}", page.display());
    let mut shown = String::new();
    for c in text(&out.stdout).chars() {
        if c == '\u{8}' {
            shown.pop();
        } else {
            shown.push(c);
        }
    }
    shown
}

/// The lines of section `name` of a rendered page (without its heading).
fn section<'p>(page: &'p str, name: &str) -> Vec<&'p str> {
    page.lines()
        .skip_while(|l| *l != name)
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect()
}

/// Every command's `--help` examples, by its man page's file name.
fn examples_by_page() -> Vec<(String, Vec<String>)> {
    fn walk(cmd: &clap::Command, name: &str, into: &mut Vec<(String, Vec<String>)>) {
        let help = cmd
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        let examples = help
            .lines()
            .skip_while(|l| l.trim() != "Examples:")
            .skip(1)
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        into.push((format!("{name}.1"), examples));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            if sub.get_name() != "help" {
                walk(sub, &format!("{name}-{}", sub.get_name()), into);
            }
        }
    }
    let mut all = Vec::new();
    walk(&appt::cli::Cli::command(), "appt", &mut all);
    all
}

/// docs/README: the man pages carry EXAMPLES that can be pasted (each on
/// one line, unjustified, at 80 columns), and `appt.1` says how appt exits,
/// what it reads from the environment and the files it keeps.
#[test]
fn every_man_pages_examples_render_one_to_a_line_as_typed_at_80_columns() {
    let Some(mandoc) = tool("mandoc") else {
        return;
    };
    let mut bad = Vec::new();
    for (page, examples) in examples_by_page() {
        let shown = rendered(&mandoc, &man_dir().join(&page));
        for l in shown.lines() {
            if l.chars().count() > 80 {
                bad.push(format!("{page}: wider than 80 columns: {l:?}"));
            }
        }
        if examples.is_empty() {
            bad.push(format!("{page}: no examples in --help"));
            continue;
        }
        let lines: Vec<&str> = section(&shown, "EXAMPLES")
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let got: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
        if got != examples {
            bad.push(format!(
                "{page}: EXAMPLES rendered as\n    {}\n  not, one to a line as typed,\n    {}",
                lines.join("\n    "),
                examples.join("\n    ")
            ));
        }
    }
    let root = rendered(&mandoc, &man_dir().join("appt.1"));
    for name in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"] {
        if section(&root, name).iter().all(|l| l.trim().is_empty()) {
            bad.push(format!("appt.1: no {name} section"));
        }
    }
    let status = section(&root, "EXIT STATUS").join("\n");
    for code in ["0", "1", "2", "3", "4", "5", "6", "7"] {
        if !status
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{code} ")))
        {
            bad.push(format!("appt.1: exit status {code} not described"));
        }
    }
    let environment = section(&root, "ENVIRONMENT").join("\n");
    for var in [
        "APPT_DB",
        "APPT_CLINIC",
        "APPT_KEY",
        "APPT_LINK_KEY",
        "APPT_NOW",
        "APPT_LANG",
        "NO_COLOR",
    ] {
        if !environment.contains(var) {
            bad.push(format!("appt.1: {var} not in ENVIRONMENT"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

// ---------------------------------------------------------------------------
// Names from the database (docs/commands.md#appt-completions)

/// A clinic whose names need quoting: titles, spaces and accents.
fn named_clinic() -> Env {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Clínica Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&[
        "doctor",
        "add",
        "Dra. Ana García",
        "--specialty",
        "Medicina General",
    ]);
    env.ok(&[
        "doctor",
        "add",
        "Dr. José Núñez",
        "--specialty",
        "Pediatría",
    ]);
    env.ok(&["service", "add", "Consulta General", "--minutes", "30"]);
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Pedro Ruiz",
        "-P",
        "+50370000001",
    ]);
    for phone in ["+50377881122", "+50377881133"] {
        env.ok(&["patient", "add", "--name", "Lucía Castro", "-P", phone]);
    }
    env
}

/// `appt __complete SHELL -- appt WORDS…` with `APPT_DB` set to `db` (when
/// given) and `HOME` to `home`: its exit code and stdout; it must print
/// nothing on stderr.
fn ask(shell: &str, db: Option<&Path>, home: &Path, words: &[&str]) -> (i32, String) {
    let mut cmd = appt(&["__complete", shell, "--", "appt"]);
    cmd.args(words)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME");
    if let Some(db) = db {
        cmd.env("APPT_DB", db);
    }
    let out = output_within(cmd, Duration::from_secs(30));
    assert!(
        out.stderr.is_empty(),
        "appt __complete {shell} {words:?} wrote to stderr: {}",
        text(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text(&out.stdout))
}

#[test]
fn appt_complete_prints_the_names_due_where_the_cursor_is() {
    let env = named_clinic();
    let home = tempfile::tempdir().expect("tempdir");
    let db = Some(env.db.as_path());
    let names = |shell: &str, words: &[&str]| {
        let (code, out) = ask(shell, db, home.path(), words);
        assert_eq!(code, 0, "{shell} {words:?}: {out}");
        out
    };
    // Each typed word starts a word of the name, in any order, accents
    // ignored; bash gets the names alone, zsh and fish a description too.
    for typed in ["Ana", "garcia", "dra a", "GARCÍA ana", "\"Dra"] {
        assert_eq!(
            names("bash", &["book", "--doctor", typed]),
            "Dra. Ana García\n",
            "{typed}"
        );
    }
    assert_eq!(
        names("zsh", &["book", "-d", ""]),
        "Dr. José Núñez\tPediatría\nDra. Ana García\tMedicina General\n"
    );
    assert_eq!(
        names("fish", &["reschedule", "3f2a", "-d", "nu"]),
        "Dr. José Núñez\tPediatría\n"
    );
    // A backslash-escaped space, as bash and zsh hand the word over.
    assert_eq!(
        names("bash", &["agenda", "--doctor", r"Dra.\ A"]),
        "Dra. Ana García\n"
    );
    // `--doctor=` and `-d` in the word: zsh replaces the whole word, bash
    // and fish complete after the `=` themselves.
    assert_eq!(
        names("zsh", &["slots", "--doctor=ana"]),
        "--doctor=Dra. Ana García\tMedicina General\n"
    );
    assert_eq!(
        names("fish", &["slots", "--doctor=ana"]),
        "Dra. Ana García\tMedicina General\n"
    );
    assert_eq!(
        names("bash", &["slots", "--doctor", "=", "ana"]),
        "Dra. Ana García\n"
    );
    assert_eq!(names("bash", &["book", "-dana"]), "-dDra. Ana García\n");
    // Services, clinics (the global flag, anywhere), patients, and the
    // arguments that name one.
    assert_eq!(
        names("zsh", &["book", "--service", "con"]),
        "Consulta General\t30 min\n"
    );
    assert_eq!(
        names("zsh", &["--clinic", "cen"]),
        "Clínica Central\tAmerica/El_Salvador\n"
    );
    assert_eq!(names("bash", &["list", "-c", "cl"]), "Clínica Central\n");
    assert_eq!(
        names("bash", &["doctor", "show", "jos"]),
        "Dr. José Núñez\n"
    );
    assert_eq!(
        names("bash", &["doctor", "update", "Ana"]),
        "Dra. Ana García\n"
    );
    assert_eq!(
        names("bash", &["service", "remove", "g"]),
        "Consulta General\n"
    );
    assert_eq!(
        names("bash", &["clinic", "update", "c"]),
        "Clínica Central\n"
    );
    assert_eq!(
        names("zsh", &["book", "--patient", "ped"]),
        "Pedro Ruiz\t+50370000001\n"
    );
    assert_eq!(names("bash", &["patient", "show", "ruiz"]), "Pedro Ruiz\n");
    // By the phone's digits; a name two patients share, as their phones.
    assert_eq!(
        names("zsh", &["waitlist", "add", "-p", "7788"]),
        "+50377881122\tLucía Castro\n+50377881133\tLucía Castro\n"
    );
    assert_eq!(
        names("bash", &["list", "--patient", "lucia"]),
        "+50377881122\n+50377881133\n"
    );
    // Nothing that matches: nothing, and still exit 0 (no file names instead).
    assert_eq!(names("bash", &["book", "--doctor", "zz"]), "");

    // Anywhere else: exit 1 and nothing, so that the script completes
    // commands and flags as clap generated it.
    for words in [
        &["boo"][..],
        &["book", ""],
        &["book", "--doc"],
        &["book", "--date", ""],
        &["book", "--doctor", "Ana", ""],
        &["doctor", "show", "Ana", ""],
        &["doctor", "add", ""],
        &["show", ""],
    ] {
        assert_eq!(
            ask("bash", db, home.path(), words),
            (1, String::new()),
            "{words:?}"
        );
    }
    for shell in ["tcsh", "elvish", ""] {
        assert_eq!(ask(shell, db, home.path(), &["book", "-d", ""]).0, 1);
    }
}

#[test]
fn appt_complete_reads_the_database_the_line_points_at() {
    let env = named_clinic();
    let other = Env::new();
    other.ok(&["clinic", "add", "Otra", "--timezone", "America/El_Salvador"]);
    other.ok(&["doctor", "add", "Dr. Otro Médico"]);
    let home = tempfile::tempdir().expect("tempdir");
    let db = env.db.to_string_lossy().into_owned();
    let other_db = other.db.to_string_lossy().into_owned();
    // `--db` on the line, wherever it is, before APPT_DB.
    for words in [
        &["--db", db.as_str(), "book", "-d", "Ana"][..],
        &["book", "--db", db.as_str(), "-d", "Ana"],
        &["book", &format!("--db={db}"), "-d", "Ana"],
    ] {
        assert_eq!(
            ask("bash", Some(&other.db), home.path(), words),
            (0, "Dra. Ana García\n".to_string()),
            "{words:?}"
        );
    }
    assert_eq!(
        ask("bash", Some(&other.db), home.path(), &["book", "-d", ""]),
        (0, "Dr. Otro Médico\n".to_string())
    );
    assert_eq!(
        ask(
            "bash",
            None,
            home.path(),
            &["--db", &other_db, "book", "-d", ""]
        ),
        (0, "Dr. Otro Médico\n".to_string())
    );
    // Neither: the default location under HOME, which is not there.
    assert_eq!(
        ask("bash", None, home.path(), &["book", "-d", ""]),
        (0, String::new())
    );
    assert_eq!(
        std::fs::read_dir(home.path()).expect("home").count(),
        0,
        "completing made something in HOME"
    );
}

#[test]
fn completing_never_makes_a_database_and_prints_nothing_when_it_cannot_read_one() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("typo").join("appt.db");
    let bare = dir.path().join("appt.db");
    let not_appt = dir.path().join("notes.txt");
    std::fs::write(&not_appt, "not a database\n").expect("write");
    let started = Instant::now();
    for db in [
        missing.as_path(),
        bare.as_path(),
        not_appt.as_path(),
        dir.path(),
        // A server that is not there: nothing, and at once.
        Path::new("postgres://appt:secret@127.0.0.1:1/appt"),
    ] {
        for shell in ["bash", "zsh", "fish"] {
            assert_eq!(
                ask(shell, Some(db), home.path(), &["book", "--doctor", "Ana"]),
                (0, String::new()),
                "{shell} {}",
                db.display()
            );
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(!missing.parent().expect("folder").exists());
    assert!(!bare.exists());
    assert_eq!(
        std::fs::read_to_string(&not_appt).expect("read"),
        "not a database\n"
    );
    assert_eq!(files(dir.path()).len(), 1, "{:?}", files(dir.path()));
}

#[test]
#[cfg_attr(appt_test_pg, ignore = "SQLite only")]
fn completing_leaves_a_database_file_as_it_was() {
    let env = named_clinic();
    let home = tempfile::tempdir().expect("tempdir");
    let folder = env.db.parent().expect("folder").to_path_buf();
    let before = files(&folder);
    let bytes = std::fs::read(&env.db).expect("read");
    let (code, out) = ask("bash", Some(&env.db), home.path(), &["book", "-d", "Ana"]);
    assert_eq!((code, out.as_str()), (0, "Dra. Ana García\n"));
    // No `-wal` or `-shm` left behind, not a byte changed.
    assert_eq!(files(&folder), before);
    assert!(std::fs::read(&env.db).expect("read") == bytes);
}

#[test]
fn a_tab_never_upgrades_a_database() {
    let env = named_clinic();
    let home = tempfile::tempdir().expect("tempdir");
    let (version, older) = if env.url().is_some() {
        (
            "SELECT max(version) FROM appt_schema",
            "DELETE FROM appt_schema WHERE version = (SELECT max(version) FROM appt_schema)",
        )
    } else {
        (
            "SELECT user_version FROM pragma_user_version",
            "PRAGMA user_version = 7",
        )
    };
    let current = env.rows(version);
    env.exec(older);
    let before = env.rows(version);
    assert_ne!(before, current);
    // An older schema gives no names, and stays as it is.
    assert_eq!(
        ask("bash", Some(&env.db), home.path(), &["book", "-d", "Ana"]),
        (0, String::new())
    );
    assert_eq!(env.rows(version), before);
}

#[test]
fn patients_complete_from_what_was_typed_at_most_50_and_fast() {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Central",
        "--timezone",
        "America/El_Salvador",
    ]);
    // Each patient's ID is 16 bytes: the number, in hex.
    let rows = "'Ana Paciente ' || i, 'ana paciente ' || i, '+503' || (70000000 + i), 0, 0";
    let insert = "INSERT INTO patients (id, full_name, name_key, phone, created_at, updated_at)";
    env.exec(&if env.url().is_some() {
        format!(
            "{insert} SELECT CAST(lpad(to_hex(i), 32, '0') AS uuid), {rows} \
             FROM generate_series(1, 100000) AS i"
        )
    } else {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
             {insert} SELECT unhex(printf('%032x', i)), {rows} FROM n"
        )
    });
    env.ok(&[
        "patient",
        "add",
        "--name",
        "Zoë Úrsula Peña",
        "-P",
        "+50379999999",
    ]);
    let home = tempfile::tempdir().expect("tempdir");
    let lines = |typed: &str| {
        let started = Instant::now();
        let (code, out) = ask("bash", Some(&env.db), home.path(), &["book", "-p", typed]);
        // A debug build on a shared machine; a release build takes milliseconds.
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{typed:?} took {:?}",
            started.elapsed()
        );
        assert_eq!(code, 0);
        out.lines().map(String::from).collect::<Vec<_>>()
    };
    let many = lines("ana");
    assert_eq!(many.len(), 50);
    assert!(
        many.iter().all(|l| l.starts_with("Ana Paciente ")),
        "{many:?}"
    );
    assert_eq!(lines("").len(), 50);
    assert_eq!(lines("700001").len(), 50);
    assert_eq!(lines("pac 99999"), ["Ana Paciente 99999"]);
    assert_eq!(lines("ursula"), ["Zoë Úrsula Peña"]);
    assert_eq!(lines("pena zoe"), ["Zoë Úrsula Peña"]);
    assert_eq!(lines("+503 7999"), ["+50379999999"]);
    assert!(lines("qq").is_empty());
}

/// An interactive shell on a terminal of its own (tmux), with appt on its
/// `PATH` and `APPT_DB` set, started in `cwd`.
struct Terminal {
    name: String,
}

impl Terminal {
    fn start(shell: &[&str], db: &Path, home: &Path, cwd: &Path) -> Terminal {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "appt-complete-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let bin = assert_cmd::cargo::cargo_bin("appt");
        let path = format!(
            "{}:{}",
            bin.parent().expect("a folder").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut tries = 0;
        loop {
            let ok = Command::new("tmux")
                .arg("-u")
                .args([
                    "new-session",
                    "-d",
                    "-s",
                    &name,
                    "-x",
                    "150",
                    "-y",
                    "30",
                    "-c",
                ])
                .arg(cwd)
                .arg("env")
                .args(["-u", "APPT_CLINIC", "-u", "APPT_KEY", "-u", "XDG_DATA_HOME"])
                .arg(format!("PATH={path}"))
                .arg(format!("HOME={}", home.display()))
                .arg(format!("XDG_CONFIG_HOME={}", home.join("config").display()))
                .arg("LANG=C.UTF-8")
                .arg(format!("APPT_DB={}", db.display()))
                .args(shell)
                .status()
                .expect("tmux must be installed for the completion tests (.ci/run installs it)");
            tries += 1;
            if ok.success() {
                break;
            }
            assert!(tries < 10, "tmux new-session failed {tries} times");
            std::thread::sleep(Duration::from_millis(200));
        }
        Terminal { name }
    }

    fn keys(&self, keys: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.name])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(ok.success());
    }

    /// Types `text` as it is.
    fn type_text(&self, text: &str) {
        self.keys(&["-l", text]);
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture");
        text(&out.stdout)
    }

    /// Waits until the screen shows `wanted`; the screen, or None after `limit`.
    fn wait(&self, wanted: &str, limit: Duration) -> Option<String> {
        let started = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(wanted) {
                return Some(s);
            }
            if started.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn must_show(&self, wanted: &str) -> String {
        self.wait(wanted, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("never saw {wanted:?}; screen:\n{}", self.screen()))
    }

    /// Runs `line` (its setup), then clears the screen.
    fn setup(&self, line: &str) {
        self.type_text(line);
        self.keys(&["Enter"]);
        self.type_text("echo READY-'4''2'");
        self.keys(&["Enter"]);
        self.must_show("READY-42");
        self.clear();
    }

    fn clear(&self) {
        self.keys(&["C-l"]);
        let started = Instant::now();
        while self.screen().contains("ARGS=") || self.screen().contains("READY-42") {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the screen does not clear:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `line`, presses TAB (waiting to see `shows`, when the completion
    /// puts it on the line), then Enter; returns the arguments `appt` got (a
    /// shell function in place of appt prints them as `ARGS=[a][b]<`).
    fn tab_and_run(&self, line: &str, shows: Option<&str>) -> String {
        self.type_text(line);
        self.keys(&["Tab"]);
        match shows {
            Some(text) => {
                self.must_show(text);
            }
            // Nothing to see: give the completion time to put anything
            // there — until no `appt __complete` runs (a busy machine may take
            // longer than any fixed wait; Enter pressed while fish still
            // completes was lost under load), then a moment for the shell.
            None => {
                std::thread::sleep(Duration::from_millis(300));
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(20)
                    && Command::new("pgrep")
                        .args(["-f", "appt __complete"])
                        .output()
                        .is_ok_and(|o| o.status.success())
                {
                    std::thread::sleep(Duration::from_millis(100));
                }
                std::thread::sleep(Duration::from_millis(700));
            }
        }
        self.keys(&["Enter"]);
        // The stand-in prints `ARGS=`, its arguments and a closing `<` in
        // writes of their own (fish's printf wrote `[book]` before
        // `[--patient]`, and a screen read between them under CI's load
        // held `[book]` alone): the line is whole once it ends with `<`.
        let started = Instant::now();
        let line = loop {
            let screen = self.must_show("ARGS=");
            let line = screen
                .lines()
                .find(|l| l.starts_with("ARGS="))
                .expect("the ARGS line")
                .trim_end()
                .to_string();
            if let Some(whole) = line.strip_suffix('<') {
                break whole.to_string();
            }
            if started.elapsed() > Duration::from_secs(20) {
                break line;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        self.clear();
        line.trim_start_matches("ARGS=").to_string()
    }

    /// Types `line` and presses TAB `tabs` times (bash lists the choices on
    /// the second): the screen, listing them. The line is then given up.
    fn list(&self, line: &str, tabs: usize, shows: &str) -> String {
        self.type_text(line);
        for _ in 0..tabs {
            self.keys(&["Tab"]);
            std::thread::sleep(Duration::from_millis(300));
        }
        let screen = self.must_show(shows);
        self.keys(&["C-c"]);
        // A busy machine may take a while over the C-c, or lose it to a
        // completion still running (fish on PostgreSQL under load): until the
        // given-up line is gone from a cleared screen, C-c again, or the next
        // line would be typed onto its end.
        let started = Instant::now();
        loop {
            if self.screen().contains(line) {
                self.keys(&["C-c"]);
                std::thread::sleep(Duration::from_millis(150));
            }
            self.keys(&["C-l"]);
            std::thread::sleep(Duration::from_millis(150));
            if !self.screen().contains(line) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the line is not given up:\n{}",
                self.screen()
            );
        }
        self.clear();
        screen
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

/// What each shell is shown and must do: TAB completes a name as one word,
/// quoted; a missing database completes nothing (no file names either, and
/// `Ana.txt` is there to be offered), and is not made.
fn names_complete_on_tab(term: &Terminal, missing: &Path, lists_both: impl Fn(&Terminal)) {
    let run = |line: &str, shows: Option<&str>| term.tab_and_run(line, shows);
    assert_eq!(
        run("appt book --doctor Ana", Some("García")),
        "[book][--doctor][Dra. Ana García]"
    );
    // Up to the closing quote: the line completed, not only the name
    // somewhere on the screen (this one failed once under the full suite).
    assert_eq!(
        run("appt book --doctor \"Dra", Some("García\"")),
        "[book][--doctor][Dra. Ana García]"
    );
    assert_eq!(
        run("appt book -D today --service Con", Some("General")),
        "[book][-D][today][--service][Consulta General]"
    );
    assert_eq!(
        run("appt list --clinic Cl", Some("Central")),
        "[list][--clinic][Clínica Central]"
    );
    assert_eq!(
        run("appt book --patient Ped", Some("Ruiz")),
        "[book][--patient][Pedro Ruiz]"
    );
    assert_eq!(
        run("appt doctor show Dr.\\ Jos", Some("Núñez")),
        "[doctor][show][Dr. José Núñez]"
    );
    lists_both(term);
    // Commands and flags as before.
    assert_eq!(run("appt boo", Some("book")), "[book]");
    assert_eq!(
        run("appt book --pat", Some("--patient")),
        "[book][--patient]"
    );
    let missing = missing.display().to_string();
    assert_eq!(
        run(&format!("appt --db {missing} book --doctor Ana"), None),
        format!("[--db][{missing}][book][--doctor][Ana]")
    );
    assert!(!Path::new(&missing).parent().expect("folder").exists());
}

/// A shell in a folder holding `Ana.txt`, for `clinic`'s database, and a
/// missing database's path.
fn shell_for(shell: &[&str], env: &Env) -> (Terminal, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cwd = dir.path().join("work");
    std::fs::create_dir_all(&cwd).expect("mkdir");
    std::fs::write(cwd.join("Ana.txt"), "").expect("write");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("mkdir");
    let term = Terminal::start(shell, &env.db, &home, &cwd);
    let missing = dir.path().join("typo").join("appt.db");
    (term, dir, missing)
}

#[test]
fn bash_completes_names_from_the_database_on_tab() {
    let (Some(_), Some(_)) = (tool("bash"), tool("tmux")) else {
        return;
    };
    let env = named_clinic();
    let (term, _dir, missing) = shell_for(&["bash", "--norc", "--noprofile", "-i"], &env);
    term.setup(&format!(
        "source {:?}; appt() {{ printf 'AR''GS='; printf '[%s]' \"$@\"; echo '<'; }}",
        committed_script("bash")
    ));
    names_complete_on_tab(&term, &missing, |t| {
        let screen = t.list("appt book --doctor \"Dr", 2, "Dra. Ana García");
        assert!(screen.contains("Dr. José Núñez"), "{screen}");
    });
}

#[test]
fn zsh_completes_names_from_the_database_on_tab() {
    let (Some(_), Some(_)) = (tool("zsh"), tool("tmux")) else {
        return;
    };
    let env = named_clinic();
    let (term, dir, missing) = shell_for(&["zsh", "-f", "-i"], &env);
    let fpath = dir.path().join("fpath");
    std::fs::create_dir_all(&fpath).expect("mkdir");
    std::fs::copy(committed_script("zsh"), fpath.join("_appt")).expect("copy _appt");
    term.setup(&format!(
        "fpath=({:?} $fpath); autoload -Uz compinit; compinit -u -D; appt() {{ print -rn -- AR''GS=; printf '[%s]' \"$@\"; echo '<' }}",
        fpath
    ));
    names_complete_on_tab(&term, &missing, |t| {
        // zsh lists the choices with their descriptions.
        let screen = t.list(
            "appt book --doctor \"Dr",
            1,
            "Dra. Ana García  -- Medicina General",
        );
        assert!(screen.contains("Dr. José Núñez  -- Pediatría"), "{screen}");
    });
}

#[test]
fn fish_completes_names_from_the_database_on_tab() {
    let (Some(_), Some(_)) = (tool("fish"), tool("tmux")) else {
        return;
    };
    let env = named_clinic();
    let (term, _dir, missing) = shell_for(&["fish", "--no-config", "--private"], &env);
    term.setup(&format!(
        "set -g fish_autosuggestion_enabled 0; source {:?}; function appt; printf 'AR''GS='; printf '[%s]' $argv; echo '<'; end",
        committed_script("fish")
    ));
    names_complete_on_tab(&term, &missing, |t| {
        let screen = t.list("appt book --doctor \"Dr", 1, "Medicina General");
        assert!(screen.contains("Pediatría"), "{screen}");
    });
}
