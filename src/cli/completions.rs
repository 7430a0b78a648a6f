//! `appt completions SHELL`: prints the completion script for SHELL on stdout,
//! the same text as the committed `completions/` file (see [`super::packaging`]).

use super::packaging;
use crate::error::Result;
use crate::output::{stdout_failed, Report};
use clap_complete::Shell;
use std::io::Write;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  appt completions bash > ~/.local/share/bash-completion/completions/appt
  appt completions zsh > ~/.zfunc/_appt        # a folder in $fpath
  appt completions fish > ~/.config/fish/completions/appt.fish")]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell
    #[arg(value_name = "SHELL", hide_possible_values = true)]
    pub shell: Shell,
}

/// The script goes to stdout byte for byte (human output's neutralising would
/// turn its tabs into spaces); with `--json`, inside `{"shell","file","script"}`.
pub fn run(json: bool, a: &Args) -> Result<Report> {
    let script = packaging::completion(a.shell);
    if json {
        return Ok(Report::new(
            crate::output::json::completion(
                &a.shell.to_string(),
                &packaging::completion_file_name(a.shell),
                &String::from_utf8_lossy(&script),
            ),
            String::new(),
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(stdout_failed)?;
    Ok(Report::quiet())
}
