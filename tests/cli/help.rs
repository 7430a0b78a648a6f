//! Tests: help that teaches (docs/commands.md#conventions "Prompts": `--help` of every command
//! ends with examples). Walks every command and subcommand of the clap
//! definition: each `--help` ends with 2–4 examples that parse; `--version`
//! belongs to `appt` alone; value names come from one small set; a short
//! flag means one thing everywhere; `update` commands describe no defaults.

use crate::common::Env;
use appt::cli::Cli;
use clap::{CommandFactory, Parser};
use std::collections::BTreeMap;

/// Every value name a flag or argument may show.
const VALUE_NAMES: &[&str] = &[
    // what is referred to, by name or ID (a patient also by phone)
    "CLINIC",
    "DOCTOR",
    "SERVICE",
    "PATIENT", // by ID (or a unique prefix)
    "ID",
    "EVENT_ID", // dates and times
    "DATE",
    "TIME",
    "RFC3339",
    "DATE|RFC3339",
    "DURATION|DATE",
    "DURATION", // numbers
    "N",
    "MINUTES",
    "SECONDS", // text
    "NAME",
    "TEXT",
    "PHONE",
    "PHONE|EMAIL",
    "+CODE", // a country code
    "EMAIL",
    "NATIONAL_ID",
    "SPECIALTY",
    "SESSION",
    "BATCH",
    "REF",
    "SECRET",
    "USER", // one of a set
    "DIR",
    "STATUS",
    "SOURCE",
    "FORMAT",
    "SHELL",
    "TYPE",
    "ROLE",
    "on|off",
    "yes|no",
    "true|false", // lists
    "DAYS",
    "SERVICES",
    "RESOURCE",
    "RESOURCES",
    "COLUMNS",
    "TYPES",
    "SCOPES",
    "OFFSETS", // places and programs
    "FILE",
    "FILE|-",
    "PATH|URL",
    "URL",
    "TZ",
    "CMD",
    "KIND",
    "ADDR:PORT",
    "ADDR",
    "en|es",
    "dmy|mdy",
    "time|token",
    "daily|weekly",
    "none|initials|names",
    "KIND=TEXT",
    "URGENCY",
    "MODALITY",
    "CHANNEL",
    "PAYER",
    "PAYERS",
    "FIELD",
    "SLUG",
    "MONTH",
];

/// Every command as (its words after `appt`, the command), root first.
pub(crate) fn commands() -> Vec<(Vec<String>, clap::Command)> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, clap::Command)>) {
        out.push((path.clone(), cmd.clone()));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, Vec::new(), &mut out);
    out
}

/// An example line as the shell would split it, up to a pipe, a redirection
/// or a comment; `None` when it does not run `appt` itself.
fn words(example: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    // Inside `$( … )` a space does not end the word.
    let mut depth = 0;
    for c in example.trim().chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '(') if word.ends_with('$') => {
                depth += 1;
                word.push(c);
            }
            (None, ')') if depth > 0 => {
                depth -= 1;
                word.push(c);
            }
            (None, c) if depth > 0 => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, '|' | '>' | '#' | ';' | '&') => break,
            (None, ' ') => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    (out.first().map(String::as_str) == Some("appt")).then_some(out)
}

#[test]
fn every_help_ends_with_examples_that_parse() {
    let env = Env::new();
    for (path, _) in commands() {
        let out = env.cmd().args(&path).arg("--help").output().unwrap();
        assert!(out.status.success(), "appt {path:?} --help");
        let help = String::from_utf8_lossy(&out.stdout);
        let (_, tail) = help
            .rsplit_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("appt {path:?} --help has no Examples:\n{help}"));
        let examples: Vec<&str> = tail.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            (2..=4).contains(&examples.len()),
            "appt {path:?}: {} examples, want 2–4:\n{tail}",
            examples.len()
        );
        let mut ours = 0;
        for e in &examples {
            assert!(e.starts_with("  "), "appt {path:?}: not an example: {e:?}");
            assert!(
                e.chars().count() <= 80,
                "appt {path:?}: an example wider than 80 columns wraps: {e:?}"
            );
            let Some(w) = words(e) else { continue };
            if let Err(err) = Cli::try_parse_from(&w) {
                panic!("appt {path:?}: the example {e:?} does not parse:\n{err}");
            }
            // Another command may follow on (`demo`, then `list` in it).
            let mine = path.iter().all(|p| w.contains(p));
            ours += usize::from(mine);
        }
        assert!(
            ours >= 2,
            "appt {path:?}: fewer than 2 examples run this command:\n{tail}"
        );
    }
}

#[test]
fn version_only_on_appt_itself() {
    let env = Env::new();
    let out = env.cmd().arg("--version").output().unwrap();
    assert!(out.status.success());
    for (path, _) in commands().into_iter().skip(1) {
        let out = env.cmd().args(&path).arg("--version").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "appt {path:?} --version is refused"
        );
        let help = env.cmd().args(&path).arg("--help").output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(
            !help.contains("--version"),
            "appt {path:?} --help offers --version"
        );
    }
}

#[test]
fn value_names_come_from_one_set_and_short_flags_mean_one_thing() {
    let mut shorts: BTreeMap<char, (String, Vec<String>)> = BTreeMap::new();
    for (path, cmd) in commands() {
        for arg in cmd.get_arguments() {
            let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
            if takes_value {
                let names = arg
                    .get_value_names()
                    .map(|n| n.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                    .unwrap_or_else(|| vec![arg.get_id().as_str().to_uppercase()]);
                for n in names {
                    assert!(
                        VALUE_NAMES.contains(&n.as_str()),
                        "appt {path:?} {}: value name {n:?} is not one of {VALUE_NAMES:?}",
                        arg.get_id()
                    );
                }
            }
            if let (Some(s), Some(long)) = (arg.get_short(), arg.get_long()) {
                let (first, _) = shorts
                    .entry(s)
                    .or_insert_with(|| (long.to_string(), path.clone()));
                assert_eq!(
                    first, long,
                    "-{s} is --{first} elsewhere but --{long} in appt {path:?}"
                );
            }
        }
    }
    for (s, long) in [
        ('c', "clinic"),
        ('d', "doctor"),
        ('D', "date"),
        ('n', "limit"),
    ] {
        assert_eq!(
            shorts.get(&s).map(|x| x.0.as_str()),
            Some(long),
            "-{s} is --{long}"
        );
    }
}

#[test]
fn update_commands_describe_no_defaults() {
    for (path, cmd) in commands() {
        if path.last().map(String::as_str) != Some("update") {
            continue;
        }
        for arg in cmd.get_arguments().filter(|a| !a.is_global_set()) {
            let help = format!(
                "{} {}",
                arg.get_help().map(|h| h.to_string()).unwrap_or_default(),
                arg.get_long_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            );
            assert!(
                !help.to_lowercase().contains("default")
                    && (!arg.get_action().takes_values() || arg.get_default_values().is_empty()),
                "appt {path:?} --{}: an update changes only what is given, yet: {help}",
                arg.get_id()
            );
        }
    }
}

#[test]
fn demo_help_names_the_database_it_uses() {
    let env = Env::new();
    let out = env.cmd().args(["demo", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("demo.db"), "{help}");
}
