//! Completing names from the database (docs/commands.md#appt-completions): the
//! hidden `appt __complete SHELL -- WORDS…` that the completion scripts run
//! on TAB, and the few lines each script (bash, zsh, fish) gets to run it.
//!
//! WORDS is the command line up to the cursor, the last one the word being
//! completed. When that word is a doctor, a service, a clinic or a patient
//! (the value of `--doctor`, `--service`, `--clinic` or `--patient` wherever
//! they appear, long, short, `--doctor=…` or `-d…`, or an argument of that
//! name such as `doctor show DOCTOR`), appt prints the names from the
//! database the line points at (`--db` on it, else `$APPT_DB`, else the
//! default) and exits 0: nothing at all when there is no such database or it
//! cannot be read, so a missing database completes nothing and is never made.
//! Anywhere else it prints nothing and exits 1, and the script completes
//! commands and flags as clap generated it.
//!
//! It is answered before clap parses the command line: it is no command
//! anyone types, so it has no `--help`, man page or completion of its own.

use super::Cli;
use crate::app::names::{self, Candidate, Kind};
use clap::{Arg, CommandFactory};
use clap_complete::Shell;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

/// The hidden command's name.
pub const HIDDEN: &str = "__complete";

/// Answers `appt __complete …` (`args` is the whole argv) with its exit
/// code; `None` for any other command line.
pub fn answer(args: &[OsString]) -> Option<i32> {
    if args.get(1)?.to_str()? != HIDDEN {
        return None;
    }
    Some(run(&args[2..]))
}

fn run(args: &[OsString]) -> i32 {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let shell = match args.first().map(String::as_str) {
        Some("bash") => Shell::Bash,
        Some("zsh") => Shell::Zsh,
        Some("fish") => Shell::Fish,
        _ => return 1,
    };
    if args.get(1).map(String::as_str) != Some("--") || args.len() < 4 {
        return 1;
    }
    let words = plain_words(shell, &args[2..]);
    let Some(spot) = spot(&words) else {
        return 1;
    };
    // A name is due: from here on, exit 0 whatever happens, printing names or
    // nothing.
    let Some(found) = database(spot.db.as_deref())
        .and_then(|db| names::open(&db).ok())
        .and_then(|mut st| names::candidates(&mut st, spot.kind, &spot.typed).ok())
    else {
        return 0;
    };
    let _ = std::io::stdout()
        .lock()
        .write_all(format(shell, &spot, &found).as_bytes());
    0
}

/// The words as the user meant them. bash and zsh hand them over as typed
/// (quotes and backslashes in them; the last without its opening quote),
/// and bash splits `--doctor=Ana` into `--doctor`, `=`, `Ana`; fish hands
/// over all but the last already unquoted.
fn plain_words(shell: Shell, raw: &[String]) -> Vec<String> {
    let last = raw.len() - 1;
    let mut words: Vec<String> = Vec::with_capacity(raw.len());
    let mut glue = false;
    for (i, w) in raw.iter().enumerate() {
        let w = if shell == Shell::Fish && i < last {
            w.clone()
        } else {
            unquote(w)
        };
        let after_long = words
            .last()
            .is_some_and(|p| p.starts_with("--") && !p.contains('=') && p.len() > 2);
        if shell == Shell::Bash && w == "=" && after_long {
            words.last_mut().expect("a word before").push('=');
            glue = true;
            continue;
        }
        if glue {
            words.last_mut().expect("a word before").push_str(&w);
            glue = false;
            continue;
        }
        words.push(w);
    }
    words
}

/// A shell word without its quoting: `'…'` as it is, `"…"` with `\"`, `\\`,
/// `\$` and `` \` `` unescaped, a backslash elsewhere escaping the next
/// character. An unclosed quote runs to the end (the word is being typed).
fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            (Some('"'), '\\') => match chars.peek() {
                Some(&next @ ('"' | '\\' | '$' | '`')) => {
                    out.push(next);
                    chars.next();
                }
                _ => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

/// Where on the line the cursor is, when a name is due there.
#[derive(Debug, PartialEq, Eq)]
struct Spot {
    kind: Kind,
    /// What was typed of the name.
    typed: String,
    /// What precedes the name in the word being completed: `--doctor=` or `-d`.
    lead: String,
    /// The lead is `--name=` (bash and fish complete after the `=` themselves).
    long_lead: bool,
    /// `--db` as given on the line.
    db: Option<String>,
}

/// The kind of name an argument takes, by its name: `doctor`, `service`,
/// `clinic` or `patient`, a flag or a positional alike.
fn kind_of(arg: &Arg) -> Option<Kind> {
    match arg.get_id().as_str() {
        "doctor" => Some(Kind::Doctor),
        "service" => Some(Kind::Service),
        "clinic" => Some(Kind::Clinic),
        "patient" => Some(Kind::Patient),
        _ => None,
    }
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

fn long<'c>(cmd: &'c clap::Command, name: &str) -> Option<&'c Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|all| all.contains(&name))
    })
}

fn short(cmd: &clap::Command, c: char) -> Option<&Arg> {
    cmd.get_arguments().find(|a| {
        a.get_short() == Some(c)
            || a.get_all_short_aliases()
                .is_some_and(|all| all.contains(&c))
    })
}

/// Reads the line as clap would, up to the word being completed (the last
/// of `words`, the first being the program): which command it is in, the
/// option waiting for a value, how many positionals came, `--db`. Then says
/// whether that word is a name, and of what.
fn spot(words: &[String]) -> Option<Spot> {
    let (current, done) = words.split_last()?;
    let mut cmd = Cli::command();
    cmd.build();
    let mut pending: Option<Arg> = None;
    let mut positionals = 0usize;
    let mut only_positionals = false;
    let mut db: Option<String> = None;
    for w in done.iter().skip(1) {
        if let Some(a) = pending.take() {
            if a.get_id() == "db" {
                db = Some(w.clone());
            }
            continue;
        }
        if !only_positionals && w == "--" {
            only_positionals = true;
        } else if !only_positionals && w.starts_with("--") {
            let (name, value) = match w[2..].split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (&w[2..], None),
            };
            if let Some(a) = long(&cmd, name).filter(|a| takes_value(a)) {
                match value {
                    Some(v) if a.get_id() == "db" => db = Some(v.to_string()),
                    Some(_) => {}
                    None => pending = Some(a.clone()),
                }
            }
        } else if !only_positionals && w.starts_with('-') && w.len() > 1 {
            for (i, c) in w.char_indices().skip(1) {
                let Some(a) = short(&cmd, c) else { break };
                if takes_value(a) {
                    if i + c.len_utf8() == w.len() {
                        pending = Some(a.clone());
                    }
                    break;
                }
            }
        } else if positionals == 0 && cmd.has_subcommands() {
            let sub = cmd.find_subcommand(w)?.clone();
            cmd = sub;
        } else {
            positionals += 1;
        }
    }
    let spot = |arg: &Arg, typed: &str, lead: &str, long_lead: bool| {
        Some(Spot {
            kind: kind_of(arg)?,
            typed: typed.to_string(),
            lead: lead.to_string(),
            long_lead,
            db: db.clone(),
        })
    };
    if let Some(a) = pending {
        return spot(&a, current, "", false);
    }
    if !only_positionals && current.starts_with("--") {
        let (name, typed) = current[2..].split_once('=')?;
        let a = long(&cmd, name).filter(|a| takes_value(a))?;
        return spot(a, typed, &current[..name.len() + 3], true);
    }
    if !only_positionals && current.starts_with('-') {
        for (i, c) in current.char_indices().skip(1) {
            let a = short(&cmd, c)?;
            if takes_value(a) {
                let rest = i + c.len_utf8();
                if rest == current.len() {
                    // `-d` itself: the flag is being completed, not its value.
                    return None;
                }
                return spot(a, &current[rest..], &current[..rest], false);
            }
        }
        return None;
    }
    if cmd.has_subcommands() && positionals == 0 {
        return None;
    }
    let mut args: Vec<&Arg> = cmd.get_positionals().collect();
    args.sort_by_key(|a| a.get_index());
    let arg = args.get(positionals).or_else(|| {
        args.last()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
    })?;
    spot(arg, current, "", false)
}

/// The database the line points at: `--db` on it, else `$APPT_DB`, else the
/// default location (as every command finds it, docs/operations.md#the-database).
fn database(on_line: Option<&str>) -> Option<PathBuf> {
    let home = |p: &str| match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(p),
    };
    match on_line {
        Some(p) if !p.is_empty() => Some(home(p)),
        Some(_) => None,
        None => match std::env::var_os("APPT_DB").filter(|p| !p.is_empty()) {
            Some(p) => Some(PathBuf::from(p)),
            None => super::default_db().ok(),
        },
    }
}

/// One name a line: bash takes the words alone (it shows no descriptions,
/// and quotes them itself as file names); zsh and fish a word, a tab and its
/// description. A name that would break a line (a control character in it)
/// is left out.
fn format(shell: Shell, spot: &Spot, found: &[Candidate]) -> String {
    let lead = match shell {
        Shell::Zsh => spot.lead.as_str(),
        _ if spot.long_lead => "",
        _ => spot.lead.as_str(),
    };
    let mut out = String::new();
    for c in found {
        if c.value.chars().any(char::is_control) {
            continue;
        }
        out.push_str(lead);
        out.push_str(&c.value);
        if shell != Shell::Bash && !c.help.is_empty() {
            out.push('\t');
            out.extend(
                c.help
                    .chars()
                    .map(|ch| if ch.is_control() { ' ' } else { ch }),
            );
        }
        out.push('\n');
    }
    out
}

/// The first comment line of each script's own part.
const SAYS: &str = "# Doctor, service, clinic and patient names come from the database the line\n\
# points at, through `appt __complete` (docs/commands.md#appt-completions).\n";

/// clap's script for `shell` with the names added: bash, zsh and fish ask
/// `appt __complete` first on every TAB and fall back on clap's completion
/// where it exits 1. Other shells complete commands and flags only. Panics
/// when clap's script no longer has the shape this expects (the packaging
/// test then fails, before any script is committed).
pub fn with_names(shell: Shell, script: String) -> String {
    match shell {
        Shell::Bash => bash(script),
        Shell::Zsh => zsh(script),
        Shell::Fish => fish(script),
        _ => script,
    }
}

/// clap's `_appt` becomes `_appt_clap`; the new `_appt` runs it unless a name
/// is due. Names go in as file names do, so bash quotes them (`Dra.\ Ana\
/// García`, or inside the quote the user opened), and no file names are
/// offered instead of none.
fn bash(script: String) -> String {
    let clap = "_appt() {\n";
    assert!(
        script.starts_with(clap) && script.matches("complete -F _appt ").count() == 2,
        "clap's bash script has changed shape: see src/cli/complete.rs"
    );
    let mut out = script.replacen(clap, "_appt_clap() {\n", 1);
    out.push('\n');
    out.push_str(SAYS);
    out.push_str(
        r#"_appt() {
    local names line
    names=$(command appt __complete bash -- "${COMP_WORDS[@]:0:COMP_CWORD}" "$2" 2>/dev/null) || {
        _appt_clap "$@"
        return
    }
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -n $line ]] && COMPREPLY+=("$line")
    done <<< "$names"
    compopt -o filenames +o default +o bashdefault 2>/dev/null
    return 0
}
"#,
    );
    out
}

/// clap's `_appt` becomes `_appt_clap`; the new `_appt`, defined before the
/// file's last lines run it (or bind it), runs it unless a name is due. The
/// names are added as appt matched them (`-U`: any word of the name, accents
/// ignored), zsh quoting them.
fn zsh(script: String) -> String {
    let clap = "\n_appt() {\n";
    let tail = "\nif [ \"$funcstack[1]\" = \"_appt\" ]; then";
    assert!(
        script.matches(clap).count() == 1 && script.matches(tail).count() == 1,
        "clap's zsh script has changed shape: see src/cli/complete.rs"
    );
    let ours = format!(
        "\n{SAYS}{}",
        r#"_appt() {
    local out line
    local -a values shown
    out=$(command appt __complete zsh -- "${(@)words[1,CURRENT-1]}" "$PREFIX" 2>/dev/null) || {
        _appt_clap "$@"
        return
    }
    for line in "${(@f)out}"; do
        [[ -n $line ]] || continue
        values+=("${line%%$'\t'*}")
        if [[ $line == *$'\t'* ]]; then
            shown+=("${line%%$'\t'*}  -- ${line#*$'\t'}")
        else
            shown+=("$line")
        fi
    done
    (( ${#values} )) || return 1
    compadd -U -l -d shown -a values
}
"#
    );
    script
        .replacen(clap, "\n_appt_clap() {\n", 1)
        .replacen(tail, &format!("{ours}{tail}"), 1)
}

/// Every clap line for `--doctor`, `--service`, `--clinic` or `--patient`
/// takes its values from `__appt_names`, and no file names: fish offers only
/// an option's own values after it. One more rule offers the names wherever
/// else appt says they are due (`doctor show DOCTOR`; `appt --clinic`, where
/// clap's rule does not apply), from what its condition kept, so that appt
/// is asked once. fish quotes what it inserts, and keeps only the names that
/// match what was typed by its own rules (case ignored, but not accents).
fn fish(script: String) -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut flags = std::collections::BTreeSet::new();
    collect(&cmd, &mut flags);
    let mut out = String::new();
    let mut patched = std::collections::BTreeSet::new();
    for line in script.lines() {
        out.push_str(line);
        let words: Vec<&str> = line.split(' ').collect();
        if let Some(l) = flags.iter().find(|l| {
            line.starts_with("complete -c appt ") && words.windows(2).any(|w| w == ["-l", l])
        }) {
            out.push_str(" -f -a \"(__appt_names)\"");
            patched.insert(l.clone());
        }
        out.push('\n');
    }
    assert!(
        patched == flags,
        "clap's fish script has changed shape: see src/cli/complete.rs"
    );
    out.push('\n');
    out.push_str(SAYS);
    out.push_str(
        r#"function __appt_names
    command -q appt; or return 1
    command appt __complete fish -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token --cut-at-cursor) 2>/dev/null
end
function __appt_names_due
    set -g __appt_names_found (__appt_names)
end
complete -c appt -n __appt_names_due -f -a "(string join \n -- \$__appt_names_found)"
"#,
    );
    out
}

/// The long names of every flag that takes a name.
fn collect(cmd: &clap::Command, flags: &mut std::collections::BTreeSet<String>) {
    for a in cmd.get_arguments().filter(|a| kind_of(a).is_some()) {
        if let Some(l) = a.get_long() {
            flags.insert(l.to_string());
        }
    }
    for sub in cmd.get_subcommands() {
        collect(sub, flags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        let mut w: Vec<String> = line.split(' ').map(String::from).collect();
        if line.ends_with(' ') {
            w.pop();
            w.push(String::new());
        }
        w
    }

    fn at(line: &str) -> Option<(Kind, String, String)> {
        spot(&words(line)).map(|s| (s.kind, s.typed, s.lead))
    }

    #[test]
    fn a_name_is_due_after_each_name_flag_and_argument() {
        let due = |line: &str, kind: Kind, typed: &str| {
            assert_eq!(
                at(line),
                Some((kind, typed.to_string(), String::new())),
                "{line}"
            );
        };
        due("appt book --doctor Ana", Kind::Doctor, "Ana");
        due("appt book -d ", Kind::Doctor, "");
        due("appt book -D today -s Gen", Kind::Service, "Gen");
        due("appt book --json -p +503", Kind::Patient, "+503");
        due("appt --clinic Cen", Kind::Clinic, "Cen");
        due("appt agenda -c ", Kind::Clinic, "");
        due("appt list --patient Lu", Kind::Patient, "Lu");
        due("appt doctor show Dra", Kind::Doctor, "Dra");
        due("appt --db x.db doctor update ", Kind::Doctor, "");
        due("appt service remove Gen", Kind::Service, "Gen");
        due("appt clinic show ", Kind::Clinic, "");
        due("appt patient show 7788", Kind::Patient, "7788");
        due("appt waitlist add --json -d ", Kind::Doctor, "");
        due("appt queue next --doctor ", Kind::Doctor, "");
    }

    #[test]
    fn nowhere_else() {
        for line in [
            "appt ",
            "appt bo",
            "appt book ",
            "appt book --doc",
            "appt book -d",
            "appt book --date ",
            "appt book --doctor Ana --time ",
            "appt book --doctor Ana ",
            "appt doctor ",
            "appt doctor add ",
            "appt doctor show Ana ",
            "appt doctor update Ana --name ",
            "appt show ",
            "appt book -- ",
            "appt nosuch ",
            "appt completions ",
        ] {
            assert_eq!(at(line), None, "{line:?}");
        }
    }

    #[test]
    fn a_name_in_the_same_word_as_its_flag() {
        assert_eq!(
            at("appt book --doctor=Dra"),
            Some((Kind::Doctor, "Dra".into(), "--doctor=".into()))
        );
        assert_eq!(
            at("appt book -dDra"),
            Some((Kind::Doctor, "Dra".into(), "-d".into()))
        );
        assert_eq!(
            at("appt slots -sGen"),
            Some((Kind::Service, "Gen".into(), "-s".into()))
        );
    }

    #[test]
    fn the_database_on_the_line_wherever_it_is() {
        for line in [
            "appt --db /x/a.db book --doctor ",
            "appt book --db /x/a.db --doctor ",
            "appt book --doctor=Ana --db=/x/a.db -s ",
        ] {
            let s = spot(&words(line)).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(s.db.as_deref(), Some("/x/a.db"), "{line}");
        }
    }

    #[test]
    fn words_are_read_as_the_shell_means_them() {
        assert_eq!(unquote(r#""/a b/c""#), "/a b/c");
        assert_eq!(unquote(r"Dra.\ A"), "Dra. A");
        assert_eq!(unquote(r#"'it''s'"#), "its");
        assert_eq!(unquote(r#""say \"hi\" \n""#), r#"say "hi" \n"#);
        assert_eq!(unquote("\"Dr"), "Dr");
        let raw = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        // bash splits at `=`; the pieces are put back together.
        assert_eq!(
            plain_words(Shell::Bash, &raw(&["appt", "book", "--doctor", "=", "'Dr"])),
            ["appt", "book", "--doctor=Dr"]
        );
        assert_eq!(
            plain_words(
                Shell::Bash,
                &raw(&["appt", "--db", "=", "\"/a b\"", "book", "-d", ""])
            ),
            ["appt", "--db=/a b", "book", "-d", ""]
        );
        // fish has unquoted all but the word under the cursor.
        assert_eq!(
            plain_words(Shell::Fish, &raw(&["appt", "--db", "it's.db", "\"Dr"])),
            ["appt", "--db", "it's.db", "Dr"]
        );
    }

    #[test]
    fn each_shell_gets_its_own_lines() {
        let found = [
            Candidate {
                value: "Dra. Ana García".into(),
                help: "Medicina\tGeneral".into(),
            },
            Candidate {
                value: "bad\nname".into(),
                help: String::new(),
            },
        ];
        let spot = |lead: &str, long_lead: bool| Spot {
            kind: Kind::Doctor,
            typed: String::new(),
            lead: lead.into(),
            long_lead,
            db: None,
        };
        assert_eq!(
            format(Shell::Bash, &spot("", false), &found),
            "Dra. Ana García\n"
        );
        assert_eq!(
            format(Shell::Zsh, &spot("--doctor=", true), &found),
            "--doctor=Dra. Ana García\tMedicina General\n"
        );
        assert_eq!(
            format(Shell::Fish, &spot("--doctor=", true), &found),
            "Dra. Ana García\tMedicina General\n"
        );
        assert_eq!(
            format(Shell::Bash, &spot("-d", false), &found),
            "-dDra. Ana García\n"
        );
    }
}
