//! The `appt` binary: parse, run, print the result or the error, exit with its code.

use appt::cli::{self, Cli};
use appt::error::{Code, Error};
use clap::Parser;
use std::io::{IsTerminal, Write};

/// The binary's allocator: the C library's (glibc's) for every command,
/// mimalloc's for a bulk one (`Cli::is_bulk`) once it is known to be one.
/// The event stream spent about a quarter of its time in glibc's malloc and
/// free, merging free chunks; mimalloc takes a fraction of that. A server
/// keeps glibc's, whose `malloc_trim` gives a flood's memory back, which
/// mimalloc does not (docs/performance/issue-69.md#two-allocators).
///
/// A block goes back to the allocator that made it: each free asks
/// mimalloc whether the block is in its memory, and only once mimalloc has
/// been used at all.
struct Allocator;

/// Whether new blocks come from mimalloc: set once, before the bulk
/// command runs, never unset.
static BULK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn bulk() -> bool {
    BULK.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether mimalloc made `p` (never, before it was first used).
fn mimallocs(p: *mut u8) -> bool {
    // SAFETY: mi_is_in_heap_region only compares the address with
    // mimalloc's own reservations; it reads nothing at `p`.
    bulk() && unsafe { libmimalloc_sys::mi_is_in_heap_region(p.cast()) }
}

// SAFETY: each block is made by one allocator and given back to the same
// (mimallocs), with the layout it was made with.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if bulk() {
            libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
        } else {
            std::alloc::System.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if bulk() {
            libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        } else {
            std::alloc::System.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: std::alloc::Layout) {
        if mimallocs(p) {
            libmimalloc_sys::mi_free(p.cast());
        } else {
            std::alloc::System.dealloc(p, layout);
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        if mimallocs(p) {
            libmimalloc_sys::mi_realloc_aligned(p.cast(), size, layout.align()).cast()
        } else {
            std::alloc::System.realloc(p, layout, size)
        }
    }
}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // What the completion scripts ask on TAB: answered before parsing.
    if let Some(code) = cli::complete::answer(&args) {
        std::process::exit(code);
    }
    let code = match Cli::try_parse_from(&args) {
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                let _ = e.print();
                0
            }
            // A command run with nothing to go on shows its help, which
            // stays English (docs/commands.md#language).
            clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                let _ = e.print();
                Code::Usage.exit_code()
            }
            _ => {
                let err = cli::usage::error(&e, &args);
                if wants_json(&args) {
                    // clap's own words, as scripts have always read them.
                    print_error(&err, true);
                } else if cli::choose_language() == appt::text::Lang::Es {
                    print_error(&err, false);
                } else {
                    let _ = e.print();
                }
                err.code.exit_code()
            }
        },
        Ok(cli) => {
            if cli.is_bulk() {
                BULK.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            let json = cli.json;
            match cli::run_args(&args, cli) {
                Ok(mut report) => {
                    if let Err(e) = print_report(&mut report, json) {
                        let e = match &report.made {
                            Some(made) => appt::output::made_but_not_shown(e, made),
                            None => e,
                        };
                        print_error(&e, json);
                        e.code.exit_code()
                    } else {
                        for w in &report.warnings {
                            print_warning(w, json);
                        }
                        match report.partial {
                            Some(e) => {
                                print_error(&e, json);
                                e.code.exit_code()
                            }
                            None => 0,
                        }
                    }
                }
                Err(e) => {
                    print_error(&e, json);
                    e.code.exit_code()
                }
            }
        }
    };
    std::process::exit(code)
}

/// Whether a command line that clap refused asked for `--json`, read as
/// clap reads a command line: a `--json` after `--` is a value, not the
/// switch, and so is one given to an option that takes values starting with
/// `-`; any other `--json` is the switch, even after an option still waiting
/// for its value (clap reports that value as missing).
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    let mut tokens = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(t) = tokens.next() {
        match t.as_ref() {
            "--" => return false,
            "--json" => return true,
            _ => {}
        }
        let option = if let Some(long) = t.strip_prefix("--") {
            cmd.get_arguments()
                .find(|a| !long.contains('=') && a.get_long() == Some(long))
        } else if t.starts_with('-') && t.chars().count() == 2 {
            cmd.get_arguments()
                .find(|a| a.get_short().is_some_and(|c| t.ends_with(c)))
        } else {
            None
        };
        match option {
            Some(a) if a.get_action().takes_values() && a.is_allow_hyphen_values_set() => {
                tokens.next();
            }
            Some(_) => {}
            None => {
                if let Some(sub) = cmd.find_subcommand(t.as_ref()).cloned() {
                    cmd = sub;
                    cmd.build();
                }
            }
        }
    }
    false
}

/// Prints a command's result in the chosen format. A failed write (a full
/// disk, a closed pipe) is an error, never a silent success.
fn print_report(report: &mut appt::output::Report, json: bool) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let written = if let (true, Some(stream)) = (json, report.json_stream.take()) {
        // A person reads it indented, as every other document.
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut out);
        stream(&mut buffered, std::io::stdout().is_terminal())
            .and_then(|()| writeln!(buffered))
            .and_then(|()| buffered.flush())
    } else if json && !report.json.is_null() {
        let text = if std::io::stdout().is_terminal() {
            serde_json::to_string_pretty(&report.json)
        } else {
            serde_json::to_string(&report.json)
        };
        writeln!(out, "{}", text.unwrap_or_default())
    } else if json || report.human.is_empty() {
        Ok(())
    } else {
        // A confirmation's long lines wrap to the terminal (a table fits it already).
        let colour = appt::output::human::colour();
        let shown = appt::output::human::neutralise(&report.human, colour);
        writeln!(
            out,
            "{}",
            appt::output::fit::wrap_lines(&shown, appt::output::fit::width())
        )
    };
    written
        .and_then(|()| out.flush())
        .map_err(appt::output::stdout_failed)
}

/// Writes `text` and a newline to stderr. A stderr that is closed or full
/// loses the line, but never panics: the exit code still tells what happened.
fn to_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}").and_then(|()| err.flush());
}

fn print_warning(w: &Error, json: bool) {
    to_stderr(&appt::output::warning_text(w, json));
}

fn print_error(e: &Error, json: bool) {
    to_stderr(&appt::output::error_text(e, json));
}
