//! The database itself: `check` (SQLite's checks and appt's invariants) and
//! `backup` (a consistent copy while others keep working).

use crate::error::Result;
use crate::store::backup::{self, Copied};
use crate::store::check::{self, Violation};
use crate::store::Store;
use std::path::Path;

/// Every check; `key` (`$APPT_KEY`, else the key file) opens the sealed IDs;
/// `full` adds SQLite's index-by-index integrity_check.
pub fn check(st: &mut Store, key: Option<String>, full: bool) -> Result<Vec<Violation>> {
    let keys = st.keys(key);
    check::run(st, &keys, full)
}

pub fn backup(st: &mut Store, target: &Path, force: bool) -> Result<Copied> {
    backup::backup(st, target, force)
}

/// Copies every row of `st` into the empty, open database `target` (a file
/// or a server, created or migrated when it was opened); returns rows per table.
pub fn transfer(st: &mut Store, target: &mut Store) -> Result<(String, Vec<(&'static str, i64)>)> {
    let copied = crate::store::transfer::transfer(st, target)?;
    Ok((target.location.clone(), copied))
}
