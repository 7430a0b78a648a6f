//! `appt serve` keeps the doctors' own calendars fresh
//! (docs/calendars.md): a thread of its own, with its own connection,
//! reads every calendar due (each every 5 minutes, staggered by its ID),
//! claimed in the database so that several `serve` processes read each
//! once. A read is never inside a request, and never holds the write lock
//! while the network answers. A failure is logged (never the address) and
//! the calendar keeps its last busy times.

use crate::app::calendar::{self, Outcome};
use crate::app::{Clock, Create, Store};
use std::path::PathBuf;
use std::time::Duration;

/// How often the thread looks for calendars due.
const LOOK: Duration = Duration::from_secs(15);

/// Starts the thread; it ends when `closing` is set.
pub(super) fn start(
    db: PathBuf,
    clock: Clock,
    key: Option<String>,
    closing: impl Fn() -> bool + Send + 'static,
    log: fn(&str),
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("appt-calendars".into())
        .spawn(move || {
            while !closing() {
                // A connection for the round alone: between rounds nothing
                // is held (a database file replaced is let go of at once,
                // as the workers do).
                if let Ok(mut st) = Store::open(&db, Create::Never) {
                    let keys = st.keys(key.clone());
                    match calendar::sync_due(&mut st, &keys, clock.now()) {
                        Ok(done) => {
                            for (name, s) in done {
                                let why = match s.map(|s| s.outcome) {
                                    Ok(Outcome::Failed(f)) => f.describe().english(),
                                    Err(e) => e.message,
                                    Ok(_) => continue,
                                };
                                log(&format!("calendar {name}: {why}; its last busy times stay"));
                            }
                        }
                        Err(e) => log(&format!("calendars: {}", e.message)),
                    }
                }
                let until = std::time::Instant::now() + LOOK;
                while std::time::Instant::now() < until && !closing() {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        })
        .map(|_| ())
}
