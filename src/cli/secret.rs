//! Reading a secret (a webhook's signing secret, a channel's token or
//! password) from a file or standard input, never from the command line,
//! where other users of the machine could read it (ps).

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// A secret longer than this is refused (and a file that never ends, such
/// as a device, is not read past it).
const SECRET_LIMIT: u64 = 4096;

/// The secret in `path` (`-`: standard input), trailing line breaks
/// trimmed. Empty is a mistake, not "none"; a problem names `field`.
pub fn read(field: &str, path: &Path) -> Result<String> {
    let (from, read) = if path == Path::new("-") {
        (
            "standard input".to_string(),
            read_limited(std::io::stdin().lock()),
        )
    } else {
        (
            path.display().to_string(),
            std::fs::File::open(path).and_then(read_limited),
        )
    };
    let bytes = read.map_err(|e| {
        Error::field(
            field,
            crate::text::msg!("e-cannot_read_the_secret_from", from = from, e = e),
        )
    })?;
    if bytes.len() as u64 > SECRET_LIMIT {
        return Err(Error::field(
            field,
            crate::text::msg!(
                "e-the_secret_in_is_longer_than_bytes",
                from = from,
                SECRET_LIMIT = SECRET_LIMIT
            ),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::field(
            field,
            crate::text::msg!("e-the_secret_in_is_not_utf_8", from = from),
        )
    })?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() {
        return Err(Error::field(
            field,
            crate::text::msg!("e-the_secret_in_is_empty", from = from),
        ));
    }
    Ok(text.to_string())
}

/// At most one byte past [`SECRET_LIMIT`] of `r`.
fn read_limited(r: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.take(SECRET_LIMIT + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}
