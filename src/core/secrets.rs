//! Which values are secrets, decided in one place: the environment a hook
//! gets (appt's own, less every secret appt knows of), and URLs shown with
//! their password masked. What this protects is described in
//! `docs/security.md`.

use std::ffi::{OsStr, OsString};

/// Variables that carry a secret by their name: the national-ID key, the
/// link key, the database (on a server, its URL with the password), where
/// `transfer` copies to, libpq's password and password file, the
/// channels' tokens and password (`channel add`), and where a member of
/// staff's PIN and the terminals' sessions are kept (a hook that knew
/// the file could read the PIN in it).
pub const SECRET_VARS: [&str; 11] = [
    "APPT_KEY",
    "APPT_LINK_KEY",
    "APPT_DB",
    "APPT_TRANSFER_TO",
    "PGPASSWORD",
    "PGPASSFILE",
    "APPT_WHATSAPP_TOKEN",
    "APPT_TWILIO_AUTH_TOKEN",
    "APPT_SMTP_PASSWORD",
    "APPT_STAFF_PIN_FILE",
    "APPT_SESSIONS",
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

/// Where the user part of `url` lies (`user:password`), if it has one:
/// between `://` and the last `@` of the authority, which ends at the first
/// `/`, `?`, `#` or `\` (as URL parsers read it).
fn userinfo(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let authority = rest
        .find(['/', '?', '#', '\\'])
        .map_or(rest, |end| &rest[..end]);
    let at = authority.rfind('@')?;
    Some((start, start + at))
}

/// The password in `url`'s user part (`https://user:PASSWORD@host/…`), as written.
pub fn url_password(url: &str) -> Option<&str> {
    let (from, to) = userinfo(url)?;
    let (_, password) = url[from..to].split_once(':')?;
    Some(password)
}

/// `url` as it may be shown: a password in its user part becomes `***`
/// (`https://user:***@host/…`); everything else is kept.
pub fn mask_url(url: &str) -> String {
    match (userinfo(url), url_password(url)) {
        (Some((from, to)), Some(_)) => {
            let user = url[from..to].split_once(':').map_or("", |(u, _)| u);
            format!("{}{user}:***{}", &url[..from], &url[to..])
        }
        _ => url.to_string(),
    }
}

/// `text` with every appearance of `url`'s password (as written, and
/// percent-decoded) replaced by `***`: for messages that may quote the URL.
pub fn scrub(text: &str, url: &str) -> String {
    let Some(password) = url_password(url).filter(|p| !p.is_empty()) else {
        return text.to_string();
    };
    let mut out = text.replace(url, &mask_url(url));
    for p in [password.to_string(), percent_decode(password)] {
        if !p.is_empty() {
            out = out.replace(&p, "***");
        }
    }
    out
}

/// `%XX` escapes decoded (invalid ones, and bytes that are not UTF-8, kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// `sha256=<hex HMAC-SHA256 of body>`: how appt signs what its webhooks
/// send (`X-Appt-Signature`) and how Meta signs what it sends appt
/// (`X-Hub-Signature-256`).
/// Whether `a` and `b` are the same bytes, in a time that does not tell
/// how much of a guess was right.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn sha256_signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
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
            ("APPT_LINK_KEY", "11nk"),
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

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(
            mask_url("https://user:s3cret@crm.example/hooks?x=1"),
            "https://user:***@crm.example/hooks?x=1"
        );
        assert_eq!(mask_url("https://:s3cret@h/"), "https://:***@h/");
        assert_eq!(mask_url("https://user@h/p"), "https://user@h/p");
        assert_eq!(mask_url("https://h/users/@me:x"), "https://h/users/@me:x");
        assert_eq!(mask_url("https://u:p@ss@h/a"), "https://u:***@h/a");
        assert_eq!(mask_url("https://h:8080/a"), "https://h:8080/a");
        assert_eq!(mask_url("not a url"), "not a url");
        assert_eq!(url_password("https://u:p%40ss@h/"), Some("p%40ss"));
        assert_eq!(url_password("https://u@h/"), None);
    }

    #[test]
    fn messages_lose_the_password_in_any_spelling() {
        let url = "https://u:p%40ss@h/x";
        assert_eq!(
            scrub(&format!("{url}: Connection Failed"), url),
            "https://u:***@h/x: Connection Failed"
        );
        assert_eq!(
            scrub("https://u:p@ss@h/x: refused", url),
            "https://u:***@h/x: refused"
        );
        assert_eq!(scrub("HTTP 500", "https://h/x"), "HTTP 500");
    }
}
