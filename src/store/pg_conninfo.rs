//! Connection strings for a PostgreSQL server, in either form libpq takes
//! (a `postgres://` URL, or `key=value` pairs): which strings are one, the
//! form of one that may be shown (every password hidden, wherever it is
//! written), and the TLS keywords (`sslmode`, `sslrootcert`, `sslsni`) that
//! appt reads itself because the driver knows only part of them.

use std::ops::Range;

/// Every keyword libpq knows in a connection string (the driver reads some,
/// appt reads the TLS ones itself, the rest are refused by the driver by name).
const KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "keepalives_retries",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

/// The keywords whose values are secrets.
const SECRETS: &[&str] = &["password", "sslpassword"];

/// What stands in for a secret in anything shown.
const HIDDEN: &str = "***";

/// Whether `s` is a libpq `key=value` connection string (`host=db
/// dbname=clinic user=appt`): it starts with a keyword libpq knows and `=`.
/// A malformed one is still a connection string (refused as such, its
/// password hidden), never taken for a file name.
pub fn is_conninfo(s: &str) -> bool {
    let s = s.trim_start();
    let key_end = s
        .find(|c: char| c == '=' || c.is_whitespace())
        .unwrap_or(s.len());
    KEYWORDS.contains(&&s[..key_end]) && s[key_end..].trim_start().starts_with('=')
}

/// The connection string as it may be shown: every password, wherever it is
/// written (`user:PASSWORD@`, `?password=`, `&password=`, `password=` of the
/// `key=value` form), is `***`.
pub fn redact(conn: &str) -> String {
    match url_rest(conn) {
        Some(rest) => {
            let scheme = &conn[..conn.len() - rest.len()];
            format!("{scheme}{}", mask(rest, &url_secrets(rest)))
        }
        None => match pairs(conn) {
            Ok(found) => mask(conn, &pair_secrets(&found)),
            // Cut where it stops making sense: what follows may be a secret.
            Err(at) => {
                let found = pairs(&conn[..at]).unwrap_or_default();
                let good = mask(&conn[..at], &pair_secrets(&found));
                format!("{} {HIDDEN}", good.trim_end())
                    .trim_start()
                    .to_string()
            }
        },
    }
}

/// What follows `postgres://` or `postgresql://`, when `conn` is a URL.
pub(super) fn url_rest(conn: &str) -> Option<&str> {
    ["postgres://", "postgresql://"]
        .iter()
        .find_map(|p| conn.strip_prefix(p))
}

/// `text` with each range (merged where they overlap or touch) replaced by `***`.
fn mask(text: &str, ranges: &[Range<usize>]) -> String {
    let mut ranges: Vec<Range<usize>> = ranges.iter().filter(|r| !r.is_empty()).cloned().collect();
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in merged {
        out.push_str(&text[at..r.start]);
        out.push_str(HIDDEN);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where a URL (after its scheme) may hold a password. The driver takes the
/// user information up to the first `@`; a password typed with a raw `@`,
/// `/` or `?` in it means something else to a person, so every reading is
/// hidden: each `@` that could end the user information, and every
/// `password=` parameter up to the next parameter appt knows.
fn url_secrets(rest: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let first_q = rest.find('?').unwrap_or(rest.len());
    let ats: Vec<usize> = rest.match_indices('@').map(|(i, _)| i).collect();
    let before_q: Vec<usize> = ats.iter().copied().filter(|&i| i < first_q).collect();
    let ends = if before_q.is_empty() { ats } else { before_q };
    for at in ends {
        if let Some(colon) = rest[..at].find(':') {
            out.push(colon + 1..at);
        }
    }
    // Parameters: after any `?` or `&`.
    let starts = rest
        .match_indices(['?', '&'])
        .map(|(i, _)| i + 1)
        .collect::<Vec<_>>();
    for &s in &starts {
        let Some(eq) = rest[s..].find('=').map(|e| s + e) else {
            continue;
        };
        let key = &rest[s..eq];
        if key.contains(['&', '?']) || !SECRETS.contains(&decode(key).as_str()) {
            continue;
        }
        // The value runs to the next `&keyword=` (a raw `&` in a password
        // stays hidden), else to the end.
        let end = starts
            .iter()
            .copied()
            .filter(|&n| n > eq)
            .find(|&n| {
                rest[n..]
                    .find('=')
                    .map(|e| &rest[n..n + e])
                    .is_some_and(|k| KEYWORDS.contains(&decode(k).as_str()))
            })
            .map_or(rest.len(), |n| n - 1);
        out.push(eq + 1..end);
    }
    out
}

/// Percent-decoding, as the driver reads a URL's parts.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One `key=value` of the libpq form, with where it is in the string.
#[derive(Debug)]
struct Pair {
    key: String,
    value: String,
    /// The whole `key = value`.
    span: Range<usize>,
    /// The value as written (quotes included).
    raw: Range<usize>,
}

fn pair_secrets(found: &[Pair]) -> Vec<Range<usize>> {
    found
        .iter()
        .filter(|p| SECRETS.contains(&p.key.as_str()))
        .map(|p| p.raw.clone())
        .collect()
}

/// The pairs of a `key=value` string, read as the driver reads them
/// (whitespace between pairs, values in single quotes or bare, `\` escaping
/// the next character); on a malformed string, the byte where the last good
/// pair ended.
fn pairs(s: &str) -> std::result::Result<Vec<Pair>, usize> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ws = |c: u8| c.is_ascii_whitespace();
    loop {
        let good = out.last().map_or(0, |p: &Pair| p.span.end);
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        if i == b.len() {
            return Ok(out);
        }
        let start = i;
        while i < b.len() && !ws(b[i]) && b[i] != b'=' {
            i += 1;
        }
        let key = &s[start..i];
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        if key.is_empty() || i == b.len() || b[i] != b'=' {
            return Err(good);
        }
        i += 1;
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        let vstart = i;
        let mut value = Vec::new();
        if i < b.len() && b[i] == b'\'' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(good),
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if i + 1 < b.len() => {
                        value.push(b[i + 1]);
                        i += 2;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !ws(b[i]) {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                value.push(b[i]);
                i += 1;
            }
            if value.is_empty() {
                return Err(good);
            }
        }
        out.push(Pair {
            key: key.to_string(),
            value: String::from_utf8_lossy(&value).into_owned(),
            span: start..i,
            raw: vstart..i,
        });
    }
}

/// `sslmode` as libpq reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Mode {
    pub(super) fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "disable" => Mode::Disable,
            "allow" => Mode::Allow,
            "prefer" => Mode::Prefer,
            "require" => Mode::Require,
            "verify-ca" => Mode::VerifyCa,
            "verify-full" => Mode::VerifyFull,
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Mode::Disable => "disable",
            Mode::Allow => "allow",
            Mode::Prefer => "prefer",
            Mode::Require => "require",
            Mode::VerifyCa => "verify-ca",
            Mode::VerifyFull => "verify-full",
        }
    }
}

/// `target_session_attrs` as libpq reads it: which of the servers a
/// connection string names will do (docs/operations.md#failover).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Any,
    ReadWrite,
    ReadOnly,
    Primary,
    Standby,
    PreferStandby,
}

impl Target {
    pub(super) fn parse(s: &str) -> Option<Target> {
        Some(match s {
            "any" => Target::Any,
            "read-write" => Target::ReadWrite,
            "read-only" => Target::ReadOnly,
            "primary" => Target::Primary,
            "standby" => Target::Standby,
            "prefer-standby" => Target::PreferStandby,
            _ => return None,
        })
    }
}

/// `pool_mode`, appt's own keyword: how the connection's server session is
/// lent when a pooler stands between (docs/operations.md#behind-pgbouncer),
/// named as PgBouncer names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// The session is appt's while it is connected (no pooler, or one in
    /// session pooling): statements are prepared once, by name.
    Session,
    /// The session is lent for one transaction at a time: nothing is kept
    /// on it, not even a prepared statement.
    Transaction,
}

impl Pool {
    pub(super) fn parse(s: &str) -> Option<Pool> {
        Some(match s {
            "session" => Pool::Session,
            "transaction" => Pool::Transaction,
            _ => return None,
        })
    }
}

/// The keywords appt reads itself: TLS (the driver refuses `verify-ca`,
/// `verify-full` and `sslrootcert`), `target_session_attrs` (the driver
/// knows only `any`, `read-write` and `read-only`) and `pool_mode` (its
/// own).
#[derive(Debug, Default, Clone)]
pub(super) struct TlsWords {
    pub mode: Option<Mode>,
    pub rootcert: Option<String>,
    pub sni: Option<bool>,
    pub target: Option<Target>,
    pub pool: Option<Pool>,
}

const OURS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "sslsni",
    "target_session_attrs",
    "pool_mode",
];

/// Splits the keywords appt reads itself off `conn`: what is left for the
/// driver, and them.
pub(super) fn split_tls(conn: &str) -> std::result::Result<(String, TlsWords), crate::text::Msg> {
    let mut words = TlsWords::default();
    let mut take = |key: &str, value: &str| -> std::result::Result<(), crate::text::Msg> {
        match key {
            "sslmode" => {
                words.mode = Some(Mode::parse(value).ok_or_else(|| {
                    crate::text::msg!("e-sslmode_is_not_one_of_disable_allow", value = value)
                })?)
            }
            "sslrootcert" => words.rootcert = Some(value.to_string()),
            "target_session_attrs" => {
                words.target = Some(Target::parse(value).ok_or_else(|| {
                    crate::text::msg!("e-target_session_attrs_is_not_one_of", value = value)
                })?)
            }
            "pool_mode" => {
                words.pool =
                    Some(Pool::parse(value).ok_or_else(|| {
                        crate::text::msg!("e-pool_mode_is_not_one_of", value = value)
                    })?)
            }
            _ => words.sni = Some(value != "0"),
        }
        Ok(())
    };
    if let Some(rest) = url_rest(conn) {
        let scheme = &conn[..conn.len() - rest.len()];
        let Some(q) = url_query(rest) else {
            return Ok((conn.to_string(), words));
        };
        let mut kept = Vec::new();
        for param in rest[q + 1..].split('&') {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            let key = decode(key);
            if OURS.contains(&key.as_str()) {
                take(&key, &decode(value))?;
            } else {
                kept.push(param);
            }
        }
        let mut driver = format!("{scheme}{}", &rest[..q]);
        if !kept.is_empty() {
            driver.push('?');
            driver.push_str(&kept.join("&"));
        }
        Ok((driver, words))
    } else {
        let found =
            pairs(conn).map_err(|_| crate::text::msg!("e-write_it_as_key_value_pairs_a"))?;
        let mut kept = Vec::new();
        for p in &found {
            if OURS.contains(&p.key.as_str()) {
                take(&p.key, &p.value)?;
            } else {
                kept.push(&conn[p.span.clone()]);
            }
        }
        Ok((kept.join(" "), words))
    }
}

/// Where a URL's parameters start (its `?`), read as the driver reads it:
/// the user information ends at the first `@`, the hosts at `/` or `?`.
fn url_query(rest: &str) -> Option<usize> {
    let from = rest.find('@').map_or(0, |i| i + 1);
    let after = &rest[from..];
    let q = match after.find(['/', '?']) {
        Some(i) if after.as_bytes()[i] == b'/' => after[i..].find('?').map(|j| i + j),
        other => other,
    }?;
    Some(from + q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_hidden_wherever_the_url_has_it() {
        for (url, shown) in [
            (
                "postgres://appt:s3cret@db.example:5432/clinic",
                "postgres://appt:***@db.example:5432/clinic",
            ),
            (
                "postgresql://appt@localhost/clinic",
                "postgresql://appt@localhost/clinic",
            ),
            ("postgres://u:p@ss@host/db", "postgres://u:***@host/db"),
            (
                "postgres://appt@db/clinic?password=s3cret",
                "postgres://appt@db/clinic?password=***",
            ),
            (
                "postgres://appt@db/clinic?sslmode=require&password=s3cret&connect_timeout=5",
                "postgres://appt@db/clinic?sslmode=require&password=***&connect_timeout=5",
            ),
            (
                "postgres://db/clinic?password=p@ss&user=appt",
                "postgres://db/clinic?password=***&user=appt",
            ),
            (
                "postgres://appt:pw@db/clinic?password=p@ss",
                "postgres://appt:***@db/clinic?password=***",
            ),
            ("postgres://u:pa/ss@host/db", "postgres://u:***@host/db"),
            ("postgres://u:p?x@host/db", "postgres://u:***@host/db"),
            (
                "postgres://db/c?password=a&b&user=u",
                "postgres://db/c?password=***&user=u",
            ),
            (
                "postgres://db/c?pass%77ord=zz",
                "postgres://db/c?pass%77ord=***",
            ),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }

    #[test]
    fn a_password_is_hidden_in_a_key_value_string() {
        for (conn, shown) in [
            (
                "host=db user=appt password=s3cret dbname=clinic",
                "host=db user=appt password=*** dbname=clinic",
            ),
            (
                "host=db password = 'se cr\\'et' dbname=clinic",
                "host=db password = *** dbname=clinic",
            ),
            ("host=db password='unterminated", "host=db ***"),
            ("host=db sslpassword=k3y", "host=db sslpassword=***"),
        ] {
            assert_eq!(redact(conn), shown, "{conn}");
        }
        assert!(is_conninfo("host=db dbname=clinic"));
        assert!(is_conninfo("dbname = 'my clinic'"));
        assert!(!is_conninfo("clinic.db"));
        assert!(!is_conninfo("/var/lib/appt/appt.db"));
        assert!(!is_conninfo("notakeyword=1"));
        assert!(!is_conninfo("host"));
        assert!(is_conninfo("host=db password='unterminated"));
        assert!(!is_conninfo(""));
    }

    #[test]
    fn the_tls_words_are_read_by_appt_and_the_rest_left_to_the_driver() {
        let (driver, words) = split_tls(
            "postgres://u:p@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(driver, "postgres://u:p@h/db?application_name=x");
        assert_eq!(words.mode, Some(Mode::VerifyFull));
        assert_eq!(words.rootcert.as_deref(), Some("/tmp/ca.pem"));
        let (driver, words) = split_tls("postgres://h/db?sslmode=require").unwrap();
        assert_eq!(driver, "postgres://h/db");
        assert_eq!(words.mode, Some(Mode::Require));
        let (driver, words) =
            split_tls("host=h sslmode=verify-ca sslrootcert='/tmp/my ca.pem' dbname=d").unwrap();
        assert_eq!(driver, "host=h dbname=d");
        assert_eq!(words.mode, Some(Mode::VerifyCa));
        assert_eq!(words.rootcert.as_deref(), Some("/tmp/my ca.pem"));
        assert!(split_tls("postgres://h/db?sslmode=always").is_err());
        let (driver, words) =
            split_tls("postgres://u@a:5432,b:5433/db?target_session_attrs=prefer-standby&load_balance_hosts=random")
                .unwrap();
        assert_eq!(
            driver,
            "postgres://u@a:5432,b:5433/db?load_balance_hosts=random"
        );
        assert_eq!(words.target, Some(Target::PreferStandby));
        let (driver, words) =
            split_tls("host=a,b port=5432,5433 target_session_attrs=primary").unwrap();
        assert_eq!(driver, "host=a,b port=5432,5433");
        assert_eq!(words.target, Some(Target::Primary));
        assert!(split_tls("host=a target_session_attrs=master").is_err());
        let (driver, words) =
            split_tls("postgres://u@pooler:6432/db?pool_mode=transaction").unwrap();
        assert_eq!(driver, "postgres://u@pooler:6432/db");
        assert_eq!(words.pool, Some(Pool::Transaction));
        let (_, words) = split_tls("host=pooler pool_mode=session").unwrap();
        assert_eq!(words.pool, Some(Pool::Session));
        assert_eq!(split_tls("host=h").unwrap().1.pool, None);
        assert!(split_tls("host=h pool_mode=statement").is_err());
        assert_eq!(url_query("u:p?x@h/db?a=b"), Some(10));
        assert_eq!(url_query("h/db"), None);
    }
}
