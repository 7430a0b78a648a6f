//! The files generated from the clap definition: shell completions
//! (clap_complete) and man pages (clap_mangen). `appt completions SHELL`
//! prints one script; the repository's `completions/` and `man/` folders are
//! written by [`write_completions`] and [`write_man_pages`], and a test
//! (`tests/cli/packaging.rs`) fails when they differ from what these produce.
//! `APPT_REGENERATE=1 cargo test --test cli packaging` rewrites them.

use super::Cli;
use clap::CommandFactory;
use clap_complete::{Generator, Shell};
use std::path::{Path, PathBuf};

/// The name the scripts complete and the man pages describe.
pub const BIN: &str = "appt";

/// Every shell `completions/` holds a script for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// The date printed in every man page's title line. Fixed, so that the pages
/// are the same whoever generates them and whenever: move it forward when the
/// command line changes enough to matter to a reader.
pub const MAN_DATE: &str = "2026-11-22";

/// The completion script for `shell`: clap's, which completes commands and
/// flags, with the lines that complete names from the database added for
/// bash, zsh and fish ([`super::complete::with_names`]).
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    let script = String::from_utf8(out).expect("clap writes its scripts in UTF-8");
    super::complete::with_names(shell, script).into_bytes()
}

/// The file name a shell looks for: `appt.bash`, `_appt` (zsh), `appt.fish`,
/// `appt.elv`, `_appt.ps1`.
pub fn completion_file_name(shell: Shell) -> String {
    shell.file_name(BIN)
}

/// Every completion script as (file name, contents).
pub fn completions() -> Vec<(String, Vec<u8>)> {
    SHELLS
        .iter()
        .map(|&s| (completion_file_name(s), completion(s)))
        .collect()
}

/// Every man page as (file name, contents): `appt.1`, then one page per
/// command, named by its path (`appt-book.1`, `appt-clinic.1`,
/// `appt-clinic-add.1`), in the order the commands are defined.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    // `appt help` is clap's, not a command of ours: no page for it (as
    // clap_mangen's own generate_to does).
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = Vec::new();
    collect_man_pages(root, &mut pages);
    pages
}

fn collect_man_pages(cmd: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
    let root = pages.is_empty();
    let subcommands: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let title = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_uppercase();
    let source = format!("{BIN} {}", env!("CARGO_PKG_VERSION"));
    let man = clap_mangen::Man::new(cmd)
        .title(title)
        .date(MAN_DATE)
        .source(source)
        .manual("General Commands Manual");
    let mut page = Vec::new();
    man.render(&mut page)
        .expect("writing to a Vec<u8> cannot fail");
    let mut page = tidy_roff(&String::from_utf8_lossy(&page));
    if root {
        page = with_root_sections(&page);
    }
    pages.push((man.get_filename(), page.into_bytes()));
    for sub in subcommands {
        collect_man_pages(sub, pages);
    }
}

/// The longest text line `mandoc -Tlint` accepts without a style warning.
const ROFF_LINE: usize = 80;

/// Makes clap_mangen's page pass `mandoc -man -Tlint` without a word, and
/// read like a man page, without changing what it says:
/// - no whitespace at the end of a line (the synopsis ends with one);
/// - text lines longer than 80 bytes are broken at spaces (in fill mode a
///   line break is a space, so the rendered page is the same);
/// - `--help`'s closing text (clap_mangen's `EXTRA` section) becomes a
///   `NOTES` section, set as typed (its columns kept), and its "Examples:"
///   an `EXAMPLES` section whose examples are an `.EX` block, one to a
///   line: neither filled nor justified, so each can be pasted as it reads.
fn tidy_roff(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + page.len() / 16);
    let mut lines = page.lines().peekable();
    let mut no_fill = false;
    let mut tag_next = false;
    while let Some(line) = lines.next() {
        let line = trim_end_unescaped(line);
        if line == ".SH EXTRA" {
            let mut extra = Vec::new();
            while let Some(l) = lines.next_if(|l| !l.starts_with(".SH")) {
                extra.push(trim_end_unescaped(l));
            }
            out.push_str(&extra_sections(&extra));
            continue;
        }
        let control = line.starts_with('.') || line.starts_with('\'');
        if control {
            match line.split_whitespace().next() {
                Some(".nf" | ".EX") => no_fill = true,
                Some(".fi" | ".EE") => no_fill = false,
                _ => {}
            }
            // The line after `.TP` is the tag: it must stay one line.
            tag_next = line.split_whitespace().next() == Some(".TP");
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if no_fill || tag_next || roff_len(line) <= ROFF_LINE || line.starts_with([' ', '\\']) {
            tag_next = false;
            out.push_str(line);
            out.push('\n');
            continue;
        }
        for (i, piece) in wrap_text_line(line).into_iter().enumerate() {
            // A piece that starts a line with `.` or `'` would be read as a request.
            if i > 0 && piece.starts_with(['.', '\'']) {
                out.push_str("\\&");
            }
            out.push_str(piece);
            out.push('\n');
        }
    }
    out
}

/// What `appt.1` says beyond the command line, before its examples: how
/// appt exits (docs/errors.md), what it reads from the environment and the
/// files it keeps (docs/commands.md#global-options, docs/operations.md).
const ROOT_SECTIONS: &str = r#".SH "EXIT STATUS"
Every failure has a stable code, printed on stderr (as JSON with
\fB\-\-json\fR), and the exit status of its class:
.TP
\fB0\fR
Success, an idempotent replay included.
.TP
\fB1\fR
An internal error, or output that could not be written (INTERNAL_ERROR).
.TP
\fB2\fR
A bad invocation or an invalid value (USAGE_ERROR, VALIDATION_ERROR,
AMBIGUOUS_ID).
.TP
\fB3\fR
Not found (NOT_FOUND).
.TP
\fB4\fR
Taken: a time, a capacity, a day or a duplicate (APPOINTMENT_CONFLICT,
SLOT_FULL, SLOT_INACTIVE, DUPLICATE_BOOKING, WINDOW_OVERLAP, DAILY_LIMIT,
SERIES_REFUSED).
.TP
\fB5\fR
Refused by a scheduling rule (PAST_APPOINTMENT, INSUFFICIENT_NOTICE,
BEYOND_HORIZON, OUTSIDE_AVAILABILITY, INVALID_TIME_SLOT,
NONEXISTENT_LOCAL_TIME, INVALID_APPOINTMENT_TYPE, INVALID_STATE_TRANSITION,
CANCELLATION_WINDOW).
.TP
\fB6\fR
The database is unusable, or \fBappt check\fR found problems
(DATABASE_ERROR).
.TP
\fB7\fR
A sweep finished but some deliveries failed; they are retried on a later
run (DELIVERY_FAILED).
.SH ENVIRONMENT
.TP
\fBAPPT_DB\fR
The database, as \fB\-\-db\fR: a SQLite file or a postgres:// URL.
.TP
\fBAPPT_CLINIC\fR
The clinic, as \fB\-\-clinic\fR.
.TP
\fBAPPT_KEY\fR
The national\-ID key, 64 hex characters; else the key file (FILES).
.TP
\fBAPPT_LINK_KEY\fR
The key that signs patients' links, 64 hex characters; else the link key
file (FILES).
.TP
\fBAPPT_TRANSFER_TO\fR
The target of \fBappt transfer\fR, as \fB\-\-to\fR.
.TP
\fBAPPT_NOW\fR
An RFC 3339 instant that replaces the clock: for tests, demos and replays.
.TP
\fBAPPT_LANG\fR, \fBLC_ALL\fR, \fBLC_MESSAGES\fR, \fBLANG\fR
The language of messages, en or es, in that order.
.TP
\fBCOLUMNS\fR
The width of human output, as \fB\-\-width\fR.
.TP
\fBNO_COLOR\fR
No colour, even on a terminal.
.TP
\fBTZ\fR
The machine's zone, for commands that span several clinics.
.SH FILES
.TP
\fI~/.local/share/appt/appt.db\fR
The database when neither \fB\-\-db\fR nor \fBAPPT_DB\fR names one (the
user's data folder), with its \fI\-wal\fR and \fI\-shm\fR files; mode 0600.
.TP
\fIDATABASE.key\fR
The national\-ID key beside the database, mode 0600, made when the first
national ID is sealed; never in a backup.
.TP
\fIDATABASE.key.VERSION\fR
A key replaced by \fBappt key rotate\fR, kept.
.TP
\fIDATABASE.link\-key\fR
The key that signs patients' links, mode 0600.
"#;

/// `appt.1` with [`ROOT_SECTIONS`] before its examples.
fn with_root_sections(page: &str) -> String {
    match page.find(".SH EXAMPLES\n") {
        Some(at) => format!("{}{ROOT_SECTIONS}{}", &page[..at], &page[at..]),
        None => format!("{page}{ROOT_SECTIONS}"),
    }
}

/// The `EXTRA` section's lines as `NOTES` (what comes before "Examples:",
/// set without filling) and `EXAMPLES` (one example to a line, in `.EX`).
fn extra_sections(extra: &[&str]) -> String {
    // A text line that starts with `.` or `'` would be read as a request.
    let text = |l: &str| match l.starts_with(['.', '\'']) {
        true => format!("\\&{l}\n"),
        false => format!("{l}\n"),
    };
    let at = extra.iter().position(|l| *l == "Examples:");
    let (notes, examples) = match at {
        Some(i) => (&extra[..i], &extra[i + 1..]),
        None => (extra, &extra[..0]),
    };
    let mut out = String::new();
    let notes: Vec<&str> = {
        let first = notes
            .iter()
            .position(|l| !l.is_empty())
            .unwrap_or(notes.len());
        let last = notes
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(first, |i| i + 1);
        notes[first..last].to_vec()
    };
    if !notes.is_empty() {
        out.push_str(".SH NOTES\n.nf\n");
        for l in notes {
            match l.is_empty() {
                true => out.push_str(".sp\n"),
                false => out.push_str(&text(l)),
            }
        }
        out.push_str(".fi\n");
    }
    let examples: Vec<&str> = examples
        .iter()
        .map(|l| l.trim_start())
        .filter(|l| !l.is_empty())
        .collect();
    if !examples.is_empty() {
        out.push_str(".SH EXAMPLES\n.EX\n");
        for l in examples {
            out.push_str(&text(l));
        }
        out.push_str(".EE\n");
    }
    out
}

/// `line` without trailing blanks, except one that is escaped (`\ `).
fn trim_end_unescaped(line: &str) -> &str {
    let mut end = line.len();
    while end > 0 && matches!(line.as_bytes()[end - 1], b' ' | b'\t') {
        if end >= 2 && line.as_bytes()[end - 2] == b'\\' {
            break;
        }
        end -= 1;
    }
    &line[..end]
}

/// A line's length as mandoc measures it: a character beyond ASCII counts as
/// the `\[uXXXX]` escape mandoc reads it as.
fn roff_len(text: &str) -> usize {
    text.chars().map(roff_char_len).sum()
}

fn roff_char_len(c: char) -> usize {
    match c as u32 {
        0..=0x7f => 1,
        0x80..=0xffff => 8,
        0x10000..=0xfffff => 9,
        _ => 10,
    }
}

/// A long text line cut at spaces into pieces of at most [`ROFF_LINE`] bytes
/// as mandoc counts them (a single longer word stays whole). A cut is made
/// only at the first of a run of spaces, so no piece ends in one, and never at
/// a space after a backslash, which is part of an escape.
fn wrap_text_line(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while roff_len(rest) > ROFF_LINE {
        let mut width = 0;
        let mut cut = None;
        let mut prev = None;
        for (i, c) in rest.char_indices() {
            if c == ' ' && i > 0 && !matches!(prev, Some(' ' | '\\')) {
                if width > ROFF_LINE && cut.is_some() {
                    break;
                }
                cut = Some(i);
            }
            width += roff_char_len(c);
            prev = Some(c);
        }
        match cut {
            Some(i) => {
                pieces.push(&rest[..i]);
                rest = rest[i..].trim_start_matches(' ');
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Writes every completion script into `dir` (created if missing); returns
/// the paths written.
pub fn write_completions(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    write_all(dir, completions())
}

/// Writes every man page into `dir` (created if missing); returns the paths
/// written.
pub fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    write_all(dir, man_pages())
}

fn write_all(dir: &Path, files: Vec<(String, Vec<u8>)>) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    files
        .into_iter()
        .map(|(name, body)| {
            let path = dir.join(name);
            std::fs::write(&path, body)?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_lines_are_cut_at_spaces_into_lines_mandoc_accepts() {
        let line = "word ".repeat(40);
        let line = line.trim_end();
        let pieces = wrap_text_line(line);
        assert!(pieces.len() > 1, "{pieces:?}");
        assert!(pieces.iter().all(|p| p.len() <= ROFF_LINE), "{pieces:?}");
        assert!(pieces
            .iter()
            .all(|p| !p.ends_with(' ') && !p.starts_with(' ')));
        assert_eq!(pieces.join(" "), line);
    }

    #[test]
    fn characters_beyond_ascii_count_as_mandoc_escapes() {
        // 10 arrows are 30 bytes of UTF-8 but 80 bytes to mandoc (`\[u2192]`).
        let line = format!("{} and more", "→".repeat(10));
        assert_eq!(roff_len(&line), 89);
        assert_eq!(wrap_text_line(&line).len(), 2);
    }

    #[test]
    fn an_escaped_space_is_never_a_cut_nor_trimmed() {
        let line = format!("{}\\ {}", "a".repeat(70), "b".repeat(20));
        assert_eq!(wrap_text_line(&line), vec![line.as_str()]);
        assert_eq!(trim_end_unescaped("x\\ "), "x\\ ");
        assert_eq!(trim_end_unescaped("x  "), "x");
    }

    #[test]
    fn a_cut_that_would_start_a_request_is_escaped_and_tags_stay_whole() {
        let long = format!("{} .hidden {}", "a ".repeat(38), "b");
        let tag = format!("\\fB\\-\\-x\\fR {}", "c ".repeat(50));
        let page = format!(".TP\n{tag}\n{long}\n.SH EXTRA\nExamples:\n  appt x \n");
        let tidy = tidy_roff(&page);
        assert!(
            tidy.contains(&format!(".TP\n{}\n", tag.trim_end())),
            "{tidy}"
        );
        assert!(tidy.contains("\n\\&.hidden b\n"), "{tidy}");
        assert!(tidy.ends_with(".SH EXAMPLES\n.EX\nappt x\n.EE\n"), "{tidy}");
    }
}
