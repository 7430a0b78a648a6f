//! Which values are secrets, decided in one place: the environment a hook
//! gets is appt's own, less every secret appt knows of. What this protects
//! is described in `docs/security.md`.

use std::ffi::{OsStr, OsString};

/// Variables that carry a secret by their name: the national-ID key, the
/// database (on a server, its URL with the password), where `transfer`
/// copies to, and libpq's password and password file.
pub const SECRET_VARS: [&str; 5] = [
    "APPT_KEY",
    "APPT_DB",
    "APPT_TRANSFER_TO",
    "PGPASSWORD",
    "PGPASSFILE",
];

/// The variables appt itself sets for a hook, one message's worth. Any of
/// them inherited from appt's own environment is dropped first, so a hook
/// never mistakes a stale value for the message's.
pub const MESSAGE_VARS: [&str; 17] = [
    "APPT_KIND",
    "APPT_REMINDER_ID",
    "APPT_APPOINTMENT_ID",
    "APPT_WAITLIST_ID",
    "APPT_PATIENT_NAME",
    "APPT_PATIENT_PHONE",
    "APPT_DOCTOR_NAME",
    "APPT_CLINIC_NAME",
    "APPT_STARTS_AT",
    "APPT_LOCAL_DATE",
    "APPT_LOCAL_TIME",
    "APPT_OFFSET",
    "APPT_PREVIOUS_DATE",
    "APPT_PREVIOUS_TIME",
    "APPT_CANCELLATION_REASON",
    "APPT_MESSAGE",
    "APPT_LINK",
];

/// Whether `value` is a PostgreSQL URL (which may carry a password in its
/// user part or as `?password=`), whatever variable holds it.
fn is_database_url(value: &OsStr) -> bool {
    let bytes = value.as_encoded_bytes();
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let v = &bytes[start..];
    ["postgres://", "postgresql://"].iter().any(|scheme| {
        v.len() >= scheme.len() && v[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
    })
}

/// Whether the variable `name` with `value` is a secret a hook must not see.
pub fn is_secret_var(name: &OsStr, value: &OsStr) -> bool {
    SECRET_VARS.iter().any(|s| OsStr::new(s) == name) || is_database_url(value)
}

/// The environment of a hook: `parent` (appt's own) less every secret and
/// every inherited message variable, plus the message's `vars`.
pub fn hook_env(
    parent: impl IntoIterator<Item = (OsString, OsString)>,
    vars: &[(&str, String)],
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = parent
        .into_iter()
        .filter(|(k, v)| !is_secret_var(k, v) && !MESSAGE_VARS.iter().any(|m| OsStr::new(m) == k))
        .collect();
    env.extend(
        vars.iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v))),
    );
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect()
    }

    #[test]
    fn a_hook_gets_no_secret_and_keeps_the_rest() {
        let parent = env(&[
            ("APPT_KEY", "7e57"),
            ("APPT_DB", "/srv/appt/clinic.db"),
            ("APPT_TRANSFER_TO", "copy.db"),
            ("PGPASSWORD", "pw"),
            ("PGPASSFILE", "/root/.pgpass"),
            ("DATABASE_URL", "postgres://u:pw@db/x"),
            ("OTHER", "  PostgreSQL://db/x?password=pw"),
            ("APPT_OFFSET", "stale"),
            ("APPT_NOW", "2026-06-15T14:00:00Z"),
            ("APPT_CLINIC", "Central"),
            ("PATH", "/usr/bin:/bin"),
            ("http_proxy", "http://user:pw@proxy:3128"),
            ("NOTE", "not postgres://, just text"),
        ]);
        let got = hook_env(parent, &[("APPT_KIND", "reminder".into())]);
        let names: Vec<&str> = got.iter().map(|(k, _)| k.to_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "APPT_NOW",
                "APPT_CLINIC",
                "PATH",
                "http_proxy",
                "NOTE",
                "APPT_KIND"
            ]
        );
        assert_eq!(got.last().unwrap().1, "reminder");
    }

    #[test]
    fn every_named_secret_is_one() {
        for name in SECRET_VARS {
            assert!(is_secret_var(OsStr::new(name), OsStr::new("x")), "{name}");
        }
        assert!(!is_secret_var(OsStr::new("HOME"), OsStr::new("/root")));
        assert!(is_secret_var(
            OsStr::new("X"),
            OsStr::new("postgresql://appt@db/clinics")
        ));
    }
}
