//! The database itself: `check` (SQLite's checks and appt's invariants) and
//! `backup` (a consistent copy while others keep working).

use crate::error::Result;
use crate::store::backup::{self, Copied};
use crate::store::check::{self, Violation};
use crate::store::Store;
use std::path::Path;

/// Every check; `full` adds SQLite's index-by-index integrity_check.
pub fn check(st: &mut Store, full: bool) -> Result<Vec<Violation>> {
    check::run(st, full)
}

pub fn backup(st: &mut Store, target: &Path, force: bool) -> Result<Copied> {
    backup::backup(st, target, force)
}

/// Copies every row of `st` into the empty database `to` (a file or a
/// `postgres://` URL, created or migrated first); returns rows per table.
pub fn transfer(st: &mut Store, to: &Path) -> Result<(String, Vec<(&'static str, i64)>)> {
    let mut target = Store::open(to)?;
    let copied = crate::store::transfer::transfer(st, &mut target)?;
    Ok((target.location.clone(), copied))
}
