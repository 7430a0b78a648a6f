//! `appt key rotate`: a new national-ID key, and every sealed ID sealed again
//! under it in one transaction, safe against a kill at any moment
//! (docs/security.md).
//!
//! With a key file: the old keys are first kept as `<key file>.<version>`;
//! the key file is then replaced (atomically) by one holding the old keys and
//! the new; the IDs are sealed again and the new key recorded in one
//! transaction; only after it commits is the key file replaced by the new key
//! alone. At every instant the key file on disk opens every ID.
//!
//! With `$APPT_KEY` (always on a server) there is no file to write: the new
//! key is handed to the caller (printed) inside the transaction, before it
//! commits, and a failure to print it rolls everything back. Killed before the
//! commit, nothing changed and the old key still opens every ID; after it, the
//! new key is out.

use crate::error::{Error, Result};
use crate::store::{channels, patients, Store};
use std::cell::Cell;
use std::path::PathBuf;

pub struct RotateRequest {
    /// `$APPT_KEY`: the key in use, which opens the IDs to seal again.
    pub key: Option<String>,
}

/// What a rotation did. (No `Debug`: it may hold the new key.)
pub struct Rotated {
    /// The new key's version.
    pub version: u32,
    /// IDs sealed again under the new key.
    pub resealed: u64,
    /// IDs the old key could not open (damaged, or another patient's): left
    /// as they are (`appt check` lists them).
    pub unreadable: u64,
    /// Channels whose secrets were sealed again under the new key.
    pub channels_resealed: u64,
    /// Channels whose secrets the old key could not open: left as they are.
    pub channels_unreadable: u64,
    /// The key file that now holds the new key (None with `$APPT_KEY`).
    pub key_file: Option<PathBuf>,
    /// Where the old keys are kept.
    pub kept: Vec<PathBuf>,
    /// With `$APPT_KEY`: the new key, for the operator to store.
    pub key: Option<String>,
    /// Something to tell that did not stop the rotation.
    pub warning: Option<Error>,
}

/// Rotates the national-ID key. `deliver` is handed the result once: with
/// `$APPT_KEY` before the commit (it must show the new key; if it fails,
/// nothing changes), with a key file when all is done.
pub fn rotate(
    st: &mut Store,
    r: &RotateRequest,
    deliver: &mut dyn FnMut(&Rotated) -> Result<()>,
) -> Result<Rotated> {
    let keys = st.keys(r.key.clone());
    let key_file = keys.key_file().map(PathBuf::from);
    let by_env = key_file.is_none();
    pause("start");
    let handed_over = Cell::new(false);
    let outcome = st.write(|tx| {
        keys.remove_leftovers();
        let state = patients::sealed_state(tx)?;
        let from = keys.for_rotation(&state)?;
        let to = from.next(state.version().unwrap_or(0));
        let kept = keys.keep_old(&from)?;
        pause("kept");
        keys.write_keyring(&to)?;
        pause("keyring");
        let done = patients::reseal_all(tx, &from, &to)?;
        // The channels' secrets and the doctors' own calendars' alike.
        let (mut channels_resealed, mut channels_unreadable) = (0, 0);
        for table in channels::SEALED {
            let (done, unreadable) = channels::reseal_all(tx, table, &from, &to)?;
            channels_resealed += done;
            channels_unreadable += unreadable;
        }
        patients::record_key(tx, &to)?;
        pause("resealed");
        let rotated = Rotated {
            version: to.version(),
            resealed: done.resealed,
            unreadable: done.unreadable,
            channels_resealed,
            channels_unreadable,
            key_file: key_file.clone(),
            kept,
            key: by_env.then(|| to.current_text()).transpose()?,
            warning: None,
        };
        if by_env {
            handed_over.set(true);
            deliver(&rotated)?;
            pause("printed");
        }
        Ok((to, rotated))
    });
    let (to, mut rotated) = match outcome {
        Ok(v) => v,
        Err(e) if handed_over.get() => {
            let message = format!(
                "{}; the rotation may not have been committed, so the new key may not be in use: \
                 keep both the old key and any new key printed until `appt check` passes with one of them",
                e.message
            );
            return Err(Error { message, ..e });
        }
        Err(e) => return Err(e),
    };
    pause("committed");
    if !by_env {
        // Under the write lock, so that no other rotation is between its
        // steps: the file is replaced only if it still holds what this one wrote.
        if !st.write(|_| keys.finish_rotation(&to))? {
            rotated.warning = Some(Error::database(crate::text::msg!(
                "e-the_key_file_changed_during_the_rotation",
                a = key_file
                    .as_deref()
                    .unwrap_or(std::path::Path::new(""))
                    .display(),
                b = rotated.version
            )));
        }
        pause("replaced");
        deliver(&rotated)?;
    }
    Ok(rotated)
}

/// A test hook: `APPT_TEST_PAUSE=key-rotate:STEP` stops the rotation at
/// STEP for a test to kill it there ([`super::test_pause`]).
fn pause(step: &str) {
    super::test_pause(&format!("key-rotate:{step}"));
}
