//! The terminal while the board holds it: raw mode and the alternate
//! screen taken, and given back however the board ends (a signal, a hung-up
//! terminal, a panic).

use crate::error::{Error, Result};
use ratatui::crossterm::{cursor, event, execute, terminal};
use std::sync::atomic::{AtomicBool, Ordering};

/// What the terminal (standard input) has after a wait.
pub(super) enum Tty {
    /// Something to read: keys, or the end of the input.
    Ready,
    /// Nothing within the wait, or a signal cut it short.
    Quiet,
    /// The terminal is gone (its window closed): nothing to restore.
    HungUp,
}

/// Waits up to `wait` for standard input, the terminal the board reads.
pub(super) fn wait_for_terminal(wait: std::time::Duration) -> Result<Tty> {
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd, for the length given.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        return match e.kind() {
            std::io::ErrorKind::Interrupted => Ok(Tty::Quiet),
            _ => Err(terminal_error(e)),
        };
    }
    if fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return Ok(Tty::HungUp);
    }
    Ok(if n > 0 { Tty::Ready } else { Tty::Quiet })
}

pub(super) fn terminal_error(e: std::io::Error) -> Error {
    Error::internal(crate::text::msg!("e-the_terminal_failed", e = e))
}

/// Set by SIGTERM, SIGINT or SIGHUP: the loop ends and the terminal is given back.
pub(super) static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// The terminal while the board holds it; dropping it gives it back.
pub(super) struct Term {
    pub(super) terminal: ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>,
}

impl Term {
    pub(super) fn enter() -> Result<Term> {
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            // SAFETY: the handler only stores to an atomic, which is
            // async-signal-safe.
            unsafe {
                libc::signal(sig, on_signal as *const () as libc::sighandler_t);
            }
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        HELD.store(true, Ordering::SeqCst);
        terminal::enable_raw_mode().map_err(terminal_error)?;
        let mut out = std::io::stdout();
        if let Err(e) = execute!(out, terminal::EnterAlternateScreen, cursor::Hide) {
            restore();
            return Err(terminal_error(e));
        }
        // crossterm starts listening for resizes (SIGWINCH) at its first
        // look for events: looking now, before the size is read, leaves no
        // moment in which a resize is lost (a tiling window manager resizes
        // a new terminal at once).
        if let Err(e) = event::poll(std::time::Duration::ZERO) {
            restore();
            return Err(terminal_error(e));
        }
        let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
        match ratatui::Terminal::new(backend) {
            Ok(terminal) => Ok(Term { terminal }),
            Err(e) => {
                restore();
                Err(terminal_error(e))
            }
        }
    }
}

impl Term {
    /// Takes the terminal's new size and draws the screen again whole: a
    /// terminal that shrank and grew back between two looks keeps its size
    /// but not what it showed, which a drawing of only the differences would
    /// leave as it is.
    pub(super) fn resized(&mut self, dirty: &mut bool) -> Result<()> {
        self.terminal.autoresize().map_err(terminal_error)?;
        self.terminal.clear().map_err(terminal_error)?;
        *dirty = true;
        Ok(())
    }

    /// Whether the terminal's size is not the one last drawn at.
    pub(super) fn size_changed(&mut self) -> Result<bool> {
        let now = self.terminal.size().map_err(terminal_error)?;
        let drawn = self.terminal.get_frame().area();
        Ok(now.width != drawn.width || now.height != drawn.height)
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        restore();
    }
}

/// Whether the board holds the terminal: set when it takes it, cleared by
/// whichever gives it back first (the panic hook, then `Term`'s drop while
/// unwinding), since leaving the alternate screen twice would move the
/// cursor back above the panic's message.
static HELD: AtomicBool = AtomicBool::new(false);

/// Gives the terminal back, once: the main screen, the cursor, cooked mode.
fn restore() {
    if !HELD.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = execute!(
        std::io::stdout(),
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}
