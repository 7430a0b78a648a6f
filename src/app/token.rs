//! API tokens for `appt serve` (docs/security.md#api-tokens): `add` makes
//! one (shown once, kept as its SHA-256), `list`, `revoke`, and
//! `authenticate`, which the server calls on every request.

use crate::core::access::{self, Grant, Scope};
use crate::error::{Code, Error, Result};
use crate::store::api_tokens::{self, Token};
use crate::store::keys::to_hex;
use crate::store::{self, clinics, Store};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::OsRng;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::cell::Cell;

/// What every token starts with, so a leaked one is recognised (by people
/// and by secret scanners).
pub const TOKEN_PREFIX: &str = "appt_";

/// Random bytes in a token: 256 bits from the operating system's generator.
const RANDOM_BYTES: usize = 32;

/// How many characters of a token are kept to tell tokens apart.
pub const SHOWN_PREFIX: usize = 8;

/// `last_used_at` is recorded at most this often (seconds) per token, so a
/// read does not become a write each time.
pub const TOUCH_EVERY: i64 = 60;

/// `appt token add NAME --scopes … [--clinic C] [--expires 90d]`, as typed.
#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub name: String,
    /// Each item one scope or several, comma-separated.
    pub scopes: Vec<String>,
    /// A clinic by name or ID: the token sees only that one.
    pub clinic: Option<String>,
    /// `90d`, `12h`, `2026-12-31` or an RFC 3339 time ([`access::expiry`]).
    pub expires: Option<String>,
    /// A member of staff by name: the token never does more than their
    /// role allows.
    pub staff: Option<String>,
}

/// A new token: the only time the token itself exists outside its holder.
pub struct Added {
    pub token: String,
    pub info: Token,
}

impl std::fmt::Debug for Added {
    /// Never the token: a debug print may end up in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Added")
            .field("token", &format_args!("{}…", self.info.prefix))
            .field("info", &self.info)
            .finish()
    }
}

/// The hex SHA-256 of a token (an API token, a calendar feed's), as the
/// database keeps it.
pub(crate) fn digest(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

/// A new secret: `prefix` and 32 random bytes from the operating system,
/// base64url without padding.
pub(crate) fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; RANDOM_BYTES];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A new token: `appt_` and 32 random bytes, base64url without padding.
fn new_token() -> String {
    random_token(TOKEN_PREFIX)
}

/// Makes a token and commits it. The front end that shows the token should
/// use [`add_then`], so a token nobody saw is never left working.
pub fn add(st: &mut Store, req: &AddRequest, now: DateTime<Utc>) -> Result<Added> {
    add_then(st, req, now, &mut |_| Ok(()))
}

/// Makes a token and hands it to `deliver` (which shows it) before the
/// change commits: when `deliver` fails, nothing is saved, so no token works
/// that nobody saw. When the commit fails after `deliver`, the error says
/// the token shown does not work.
pub fn add_then(
    st: &mut Store,
    req: &AddRequest,
    now: DateTime<Utc>,
    deliver: &mut dyn FnMut(&Added) -> Result<()>,
) -> Result<Added> {
    let name = access::check_name(req.name.trim());
    let scopes = Scope::parse_list(&req.scopes);
    let expires = req
        .expires
        .as_deref()
        .map(|e| access::expiry(e, now))
        .transpose();
    let (name, scopes, expires_at) = match (name, scopes, expires) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (a, b, c) => {
            return Err(Error::of_fields(
                [a.err(), b.err(), c.err()].iter().flatten(),
            ))
        }
    };
    let shown = Cell::new(false);
    let outcome = st.write(|tx| {
        let clinic = req
            .clinic
            .as_deref()
            .map(|c| clinics::find(tx, c))
            .transpose()?;
        let member = req
            .staff
            .as_deref()
            .map(|n| crate::store::staff::find(tx, n))
            .transpose()?;
        if let Some(m) = &member {
            // A scope beyond the role would never work: said now.
            if let Some(s) = scopes.iter().find(|s| !m.role.may(s.need())) {
                return Err(Error::field(
                    "scopes",
                    crate::text::msg!(
                        "e-scope_beyond_role",
                        scope = s.as_str(),
                        role = m.role.as_str()
                    ),
                ));
            }
        }
        if api_tokens::active_by_name(tx, &name)?.is_some() {
            return Err(Error::field(
                "name",
                crate::text::msg!("e-token_named_exists", name = name),
            ));
        }
        let token = new_token();
        let info = Token {
            id: store::new_id(),
            name: name.clone(),
            prefix: token.chars().take(SHOWN_PREFIX).collect(),
            scopes: scopes.clone(),
            clinic_id: clinic.as_ref().map(|c| c.id.clone()),
            clinic: clinic.map(|c| c.name),
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
            staff_id: member.as_ref().map(|m| m.id.clone()),
            staff: member.as_ref().map(|m| m.person()),
        };
        api_tokens::insert(tx, &info, &digest(&token))?;
        let added = Added { token, info };
        deliver(&added)?;
        shown.set(true);
        Ok(added)
    });
    not_saved(outcome, shown.get(), |a| {
        crate::text::msg!("e-token_was_not_saved", a = a)
    })
}

/// The active one (a token, a feed) found by its name (`by_name`), else
/// the one found by its prefix (`by_prefix`): none found is `Ok(None)`, several with
/// the prefix `AMBIGUOUS_ID` (`several` says it from their names), with
/// `details.candidates`, each `{"name","prefix"}` (`label`).
pub(crate) fn by_name_or_prefix<T>(
    by_name: Option<T>,
    by_prefix: impl FnOnce() -> Result<Vec<T>>,
    label: impl Fn(&T) -> (&str, &str),
    several: impl Fn(String) -> crate::text::Msg,
) -> Result<Option<T>> {
    if by_name.is_some() {
        return Ok(by_name);
    }
    let mut found = by_prefix()?;
    if found.len() > 1 {
        let names: Vec<&str> = found.iter().map(|t| label(t).0).collect();
        return Err(
            Error::new(Code::AmbiguousId, several(names.join(", "))).details(serde_json::json!({
                "candidates": found
                    .iter()
                    .map(|t| serde_json::json!({"name": label(t).0, "prefix": label(t).1}))
                    .collect::<Vec<_>>()
            })),
        );
    }
    Ok(found.pop())
}

/// A secret's making that failed after `shown` (printed, then not
/// committed): its error said with `say`, which tells that the secret
/// shown does not work.
pub(crate) fn not_saved<T>(
    outcome: Result<T>,
    shown: bool,
    say: impl Fn(crate::text::Msg) -> crate::text::Msg,
) -> Result<T> {
    match outcome {
        Err(e) if shown => {
            let msg = say(e.msg.clone());
            Err(Error {
                message: msg.english(),
                msg,
                ..e
            })
        }
        other => other,
    }
}

pub fn status(t: &Token, now: DateTime<Utc>) -> &'static str {
    if t.revoked_at.is_some() {
        "revoked"
    } else if access::expired(t.expires_at, now) {
        "expired"
    } else {
        "active"
    }
}

/// Every token, revoked ones too (docs/security.md#api-tokens).
pub fn list(st: &mut Store) -> Result<Vec<Token>> {
    st.read(api_tokens::list)
}

/// Revokes the active token of this name, else of this prefix (the first
/// characters `token list` shows): the next request with it is refused. `NOT_FOUND` when no active token answers to it,
/// `AMBIGUOUS_ID` when several share the prefix.
pub fn revoke(st: &mut Store, name: &str, now: DateTime<Utc>) -> Result<Token> {
    let name = name.trim();
    st.write(|tx| {
        let found = by_name_or_prefix(
            api_tokens::active_by_name(tx, name)?,
            || api_tokens::active_by_prefix(tx, name),
            |t| (t.name.as_str(), t.prefix.as_str()),
            |names| {
                crate::text::msg!(
                    "e-several_active_tokens_have_the_prefix",
                    prefix = name,
                    names = names
                )
            },
        )
        .map_err(|e| e.hint(crate::text::msg!("e-give_the_tokens_name")))?;
        let Some(mut t) = found else {
            return Err(Error::new(
                Code::NotFound,
                crate::text::msg!("e-no_active_token_has_the_name_or_prefix", name = name),
            )
            .hint(crate::text::msg!("e-token_list_shows_the_tokens")));
        };
        api_tokens::revoke(tx, &t.id, now)?;
        t.revoked_at = Some(now);
        Ok(t)
    })
}

/// The refusal of a request without a valid token: one message whatever
/// the reason (missing, unknown, revoked or expired), naming no token.
pub fn unauthorized() -> Error {
    Error::new(
        Code::Unauthorized,
        crate::text::msg!("e-a_valid_api_token_is_required"),
    )
}

/// `RATE_LIMITED`, with the seconds to wait, when `address` failed to
/// authenticate too often lately: counted in the database, so that every
/// server sharing it counts the same failures (docs/api.md#tokens).
pub fn not_limited(st: &mut Store, address: &str, now: DateTime<Utc>) -> Result<()> {
    let since = now - access::FAILURE_WINDOW;
    let (n, oldest) = st.read(|tx| crate::store::auth_failures::since(tx, address, since))?;
    limit(n, oldest, now)
}

/// `RATE_LIMITED` past the limit on `n` failures, the oldest at `oldest`.
fn limit(n: i64, oldest: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<()> {
    match access::must_wait(n, oldest, now) {
        None => Ok(()),
        Some(wait) => Err(Error::new(
            Code::RateLimited,
            crate::text::msg!("e-too_many_failed_authentications"),
        )
        .details(serde_json::json!({"retry_after": wait}))),
    }
}

/// Counts a failed authentication from `address`.
pub fn failed(st: &mut Store, address: &str, now: DateTime<Utc>) -> Result<()> {
    let before = now - access::FAILURE_WINDOW;
    st.write_aside(|tx| crate::store::auth_failures::add(tx, address, now, before))
}

/// The grant of a bearer token presented from `address`, read from the
/// database each time (a revoked token is refused from the next request),
/// with the address's failures in the same statement: `RATE_LIMITED` past
/// their limit ([`not_limited`]), whatever the token; `UNAUTHORIZED`, and
/// one failure more, when it is unknown, revoked or expired. Records
/// `last_used_at` at most once a minute per token; a failure to record it
/// refuses nothing.
pub fn authenticate(
    st: &mut Store,
    presented: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Grant> {
    let hash = digest(presented);
    let since = now - access::FAILURE_WINDOW;
    let (found, n, oldest) = st.read(|tx| api_tokens::by_hash_from(tx, &hash, address, since))?;
    limit(n, oldest, now)?;
    let t = match found {
        Some(t) if t.revoked_at.is_none() && !access::expired(t.expires_at, now) => t,
        _ => {
            failed(st, address, now)?;
            return Err(unauthorized());
        }
    };
    if t.last_used_at
        .is_none_or(|at| now - at >= Duration::seconds(TOUCH_EVERY))
    {
        let _ = st.write_aside(|tx| api_tokens::touch(tx, &t.id, now, TOUCH_EVERY));
    }
    Ok(Grant {
        name: t.name,
        scopes: t.scopes,
        clinic_id: t.clinic_id,
        person: t.staff,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the tests' tokens are presented from.
    const ADDRESS: &str = "192.0.2.1";
    use crate::app::clinic;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn now() -> DateTime<Utc> {
        at("2026-06-15T12:00:00Z")
    }

    fn request(name: &str, scopes: &str) -> AddRequest {
        AddRequest {
            name: name.into(),
            scopes: vec![scopes.into()],
            ..AddRequest::default()
        }
    }

    fn last_used(st: &mut Store, name: &str) -> Option<DateTime<Utc>> {
        list(st)
            .unwrap()
            .into_iter()
            .find(|t| t.name == name && t.revoked_at.is_none())
            .and_then(|t| t.last_used_at)
    }

    #[test]
    fn a_token_is_appt_and_43_base64url_characters_and_kept_as_its_hash() {
        let mut st = Store::in_memory().unwrap();
        let a = add(&mut st, &request("bot", "appointments:read"), now()).unwrap();
        let rest = a.token.strip_prefix("appt_").expect("appt_ prefix");
        assert!(rest.len() >= 43, "{rest}");
        assert!(rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(URL_SAFE_NO_PAD.decode(rest).unwrap().len(), 32);
        assert_eq!(a.info.prefix, a.token[..8]);
        assert!(!format!("{a:?}").contains(&a.token));
        let stored: Vec<(String, String)> = st
            .read(|tx| {
                tx.rows(
                    crate::store::db::On::reads(&[crate::store::db::Table::ApiTokens]),
                    "SELECT hash, prefix FROM api_tokens",
                    &[],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .unwrap();
        assert_eq!(stored, [(digest(&a.token), a.token[..8].to_string())]);
        let b = add(&mut st, &request("other", "clinical"), now()).unwrap();
        assert_ne!(a.token, b.token);
    }

    #[test]
    fn a_valid_token_grants_its_scopes_and_clinic() {
        let mut st = Store::in_memory().unwrap();
        let c = clinic::add(
            &mut st,
            "Central",
            &clinic::SettingsInput {
                timezone: Some("America/El_Salvador".into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
        let mut req = request("bot", "appointments:write,appointments:read");
        req.clinic = Some("central".into());
        let a = add(&mut st, &req, now()).unwrap();
        let g = authenticate(&mut st, &a.token, ADDRESS, now()).unwrap();
        assert_eq!(g.name, "bot");
        assert_eq!(
            g.scopes,
            [Scope::AppointmentsRead, Scope::AppointmentsWrite]
        );
        assert!(!g.has(Scope::Clinical));
        assert_eq!(g.clinic_id.as_deref(), Some(c.id.as_str()));
    }

    #[test]
    fn unknown_revoked_and_expired_tokens_are_refused_alike() {
        let mut st = Store::in_memory().unwrap();
        let a = add(&mut st, &request("bot", "appointments:read"), now()).unwrap();
        let mut req = request("brief", "appointments:read");
        req.expires = Some("1h".into());
        let brief = add(&mut st, &req, now()).unwrap();
        assert!(authenticate(&mut st, &brief.token, ADDRESS, now()).is_ok());
        let refusals = [
            authenticate(&mut st, "appt_nothing", ADDRESS, now()).unwrap_err(),
            authenticate(&mut st, "", ADDRESS, now()).unwrap_err(),
            authenticate(&mut st, &a.token[..20], ADDRESS, now()).unwrap_err(),
            authenticate(&mut st, &brief.token, ADDRESS, now() + Duration::hours(1)).unwrap_err(),
            {
                revoke(&mut st, "bot", now()).unwrap();
                authenticate(&mut st, &a.token, ADDRESS, now()).unwrap_err()
            },
        ];
        for e in refusals {
            assert_eq!(e.code, Code::Unauthorized);
            assert_eq!(e.message, unauthorized().message);
            assert!(!e.message.contains(&a.token[..8]) && !e.details.to_string().contains("appt_"));
        }
    }

    #[test]
    fn last_use_is_recorded_at_most_once_a_minute() {
        let mut st = Store::in_memory().unwrap();
        let a = add(&mut st, &request("bot", "appointments:read"), now()).unwrap();
        assert_eq!(last_used(&mut st, "bot"), None);
        authenticate(&mut st, &a.token, ADDRESS, now()).unwrap();
        assert_eq!(last_used(&mut st, "bot"), Some(now()));
        authenticate(&mut st, &a.token, ADDRESS, now() + Duration::seconds(59)).unwrap();
        assert_eq!(last_used(&mut st, "bot"), Some(now()));
        let later = now() + Duration::seconds(60);
        authenticate(&mut st, &a.token, ADDRESS, later).unwrap();
        assert_eq!(last_used(&mut st, "bot"), Some(later));
        // Another process that recorded it meanwhile is not overwritten.
        let wrote = st
            .write(|tx| {
                api_tokens::touch(tx, &a.info.id, later + Duration::seconds(30), TOUCH_EVERY)
            })
            .unwrap();
        assert!(!wrote);
    }

    #[test]
    fn a_token_that_cannot_be_handed_over_is_not_saved() {
        let mut st = Store::in_memory().unwrap();
        let e = add_then(
            &mut st,
            &request("bot", "appointments:read"),
            now(),
            &mut |_| {
                Err(Error::internal(crate::text::Msg::verbatim(
                    "cannot write to standard output: closed",
                )))
            },
        )
        .unwrap_err();
        assert_eq!(e.code, Code::Internal);
        assert!(list(&mut st).unwrap().is_empty());
    }

    #[test]
    fn a_revoked_name_may_be_given_again_and_stays_listed() {
        let mut st = Store::in_memory().unwrap();
        add(&mut st, &request("bot", "appointments:read"), now()).unwrap();
        let e = add(&mut st, &request("bot", "clinical"), now()).unwrap_err();
        assert_eq!(e.code, Code::Validation);
        assert!(e.details.get("name").is_some());
        revoke(&mut st, "bot", now()).unwrap();
        assert_eq!(
            revoke(&mut st, "bot", now()).unwrap_err().code,
            Code::NotFound
        );
        let again = add(&mut st, &request("bot", "clinical"), now()).unwrap();
        let all = list(&mut st).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all.iter().filter(|t| t.revoked_at.is_some()).count(), 1);
        assert!(authenticate(&mut st, &again.token, ADDRESS, now()).is_ok());
    }
}
