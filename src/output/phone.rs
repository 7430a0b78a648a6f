//! Phones as a person reads them (docs/rules.md#phones): a number of the
//! desk's own country in its national form (`7012-3456` at a +503 clinic),
//! any other in international form (`+1 212-555-0100`). JSON and the
//! exports keep E.164; only human output goes through here.
//!
//! The desk's country is chosen once per process by the front end, as the
//! language is: the country code of the clinic the command is for, else the
//! one every clinic shares.

use std::sync::OnceLock;

static HOME: OnceLock<Option<String>> = OnceLock::new();

/// Sets the desk's country code (`+503`); the first choice stays.
pub fn choose(code: Option<String>) {
    let _ = HOME.set(code);
}

/// `e164` as the desk reads it.
pub fn shown(e164: &str) -> String {
    let home = HOME.get().and_then(|c| c.as_deref());
    crate::core::phone::shown(e164, home)
}
