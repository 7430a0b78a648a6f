//! The generated, committed files (README.md): `completions/` and `man/` are
//! exactly what the clap definition produces, the completions work in real
//! bash, zsh and fish, every man page passes `mandoc -Tlint` without a word,
//! and `appt completions SHELL` prints the committed script.
//!
//! The shells and mandoc must be installed (`.ci/run` installs them). Outside
//! CI a missing one skips its test with a note; under CI (`CI` set) it fails.
//! None of this touches a database: the same on SQLite and PostgreSQL.
//!
//! When the command line changes, regenerate the files and commit them:
//! `APPT_REGENERATE=1 cargo test --test cli packaging`.

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
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("{name} is not installed: under CI this test must run (.ci/run installs it)");
        }
        eprintln!("note: {name} is not installed; skipping (install it, or run .ci/run)");
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
    assert_eq!(bash_completes(&bash_path, "appt bo"), ["book"]);
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
    // `appt bo<TAB><Enter>` runs `appt book` (appt being a function that
    // prints its arguments). `${(U):-args}` prints ARGS, which the echoed
    // keystrokes never contain.
    let script = format!(
        r#"
zmodload zsh/zpty || exit 9
zpty z zsh -f -i
zpty -w z '{setup}'
zpty -w z 'appt() {{ print -r -- "${{(U):-args}}=[$*]" }}'
zpty -w -n z $'appt bo\t\n'
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
    assert_eq!(complete("appt bo"), ["book"]);
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
