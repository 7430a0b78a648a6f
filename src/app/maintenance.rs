//! The database itself: `check` (SQLite's checks and appt's invariants) and
//! `backup` (a consistent copy while others keep working).

use crate::error::Result;
use crate::store::backup::{self, Copied};
use crate::store::check::{self, Violation};
use crate::store::Store;
use std::path::Path;

pub fn check(st: &mut Store) -> Result<Vec<Violation>> {
    check::run(st)
}

pub fn backup(st: &mut Store, target: &Path, force: bool) -> Result<Copied> {
    backup::backup(st, target, force)
}
