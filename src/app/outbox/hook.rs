//! A hook run (`remind due --exec`, `serve --exec`): `sh -c CMD` with the
//! message as JSON on stdin and its `APPT_*` variables, appt's environment
//! less its secrets, killed past its time.

use crate::core::secrets;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A hook running longer than this is killed and counts as a failure.
const EXEC_LIMIT: Duration = Duration::from_secs(30);

/// Runs `sh -c cmd` with `input` on stdin and `vars` added to appt's
/// environment less its secrets; its output goes to our stderr so stdout
/// stays the sweep's own. Past the time limit its whole process group is killed.
pub fn run(cmd: &str, input: &Value, vars: &[(&str, String)]) -> Result<(), crate::text::Msg> {
    use std::os::fd::AsFd;
    use std::os::unix::process::CommandExt;
    let to_stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| crate::text::msg!("text", text = e))?;
    // The hook gets appt's environment less every secret (docs/security.md).
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env_clear()
        .envs(secrets::hook_env(std::env::vars_os(), vars))
        .stdin(Stdio::piped())
        .stdout(Stdio::from(to_stderr))
        .process_group(0)
        .spawn()
        .map_err(|e| crate::text::msg!("e-cannot_start_sh", e = e))?;
    if let Some(mut stdin) = child.stdin.take() {
        let body = input.to_string();
        // A hook that never reads its stdin must not block us past the limit.
        std::thread::spawn(move || {
            let _ = stdin.write_all(body.as_bytes());
        });
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(match status.code() {
                    Some(c) => crate::text::msg!("e-command_exited_with", c = c),
                    None => crate::text::msg!("e-command_was_killed_by_a_signal"),
                })
            }
            Ok(None) if start.elapsed() >= EXEC_LIMIT => {
                // SAFETY: kill(2) on the process group we created for the child.
                unsafe {
                    libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
                }
                let _ = child.wait();
                return Err(crate::text::msg!(
                    "e-command_ran_past_s_and_was_killed",
                    a = EXEC_LIMIT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(crate::text::msg!("text", text = e)),
        }
    }
}
