//! Signing in (docs/security.md#signing-in): who is at the desk, once a
//! database has staff. A person is named by a session opened at this
//! terminal (`appt login`), or, for scripts, by a name and its PIN. Each
//! PIN tried is counted before it is checked, in its own write
//! transaction: five wrong in a row lock the name for 15 minutes, however
//! many terminals try at once (`core::staff::try_pin`).

use super::token::{digest, random_token};
use crate::core::staff::{self, Try};
use crate::error::{Code, Error, Result};
use crate::store::staff::{self as members, Member};
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};

/// What a command was given to say who runs it.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Nothing: nobody can be named.
    Nobody,
    /// The secret of this terminal's session file, and the terminal.
    Session { secret: String, terminal: String },
    /// A name and its PIN (`APPT_STAFF`, `APPT_STAFF_PIN_FILE`).
    Pin { name: String, pin: String },
}

/// `SIGN_IN_REQUIRED`, saying how to sign in.
fn sign_in_required() -> Error {
    Error::new(
        Code::SignInRequired,
        crate::text::msg!("e-sign_in_required"),
    )
    .hint(crate::text::msg!("h-sign_in_required"))
}

/// Whether the database has staff: until it does, nobody signs in and
/// appt runs as it always has.
pub fn staff_exist(st: &mut Store) -> Result<bool> {
    st.read(members::any)
}

/// The member `c` names, or `SIGN_IN_REQUIRED`.
pub fn person(st: &mut Store, c: &Credentials, now: DateTime<Utc>) -> Result<Member> {
    match c {
        Credentials::Nobody => Err(sign_in_required()),
        Credentials::Pin { name, pin } => check_pin(st, name, pin, now),
        Credentials::Session { secret, terminal } => {
            let hash = digest(secret);
            st.read(|tx| match members::session(tx, &hash)? {
                Some((id, at, end)) if &at == terminal && end > now => members::get(tx, &id),
                _ => Err(sign_in_required()),
            })
        }
    }
}

/// The member named `name` if `pin` is theirs. The try is counted first
/// (and the name locked at the fifth wrong one); a right PIN sets the
/// count back.
pub fn check_pin(st: &mut Store, name: &str, pin: &str, now: DateTime<Utc>) -> Result<Member> {
    let (m, hash, failed) = st.write(|tx| {
        // A name that is no one's (or several people's) says so without
        // naming anyone: whoever asks is not signed in yet.
        let m = members::find(tx, name).map_err(|e| match e.code {
            Code::NotFound | Code::AmbiguousId => {
                Error::new(Code::SignInRequired, crate::text::msg!("e-no_member_named"))
            }
            _ => e,
        })?;
        let lock = members::lock(tx, &m.id)?;
        match staff::try_pin(lock.failed, lock.locked_until, now) {
            Try::Locked(until) => Err(locked(&m, until)),
            Try::Counted {
                failed,
                locked_until,
            } => {
                members::set_lock(tx, &m.id, failed, locked_until)?;
                Ok((m, lock.pin_hash, failed))
            }
        }
    })?;
    if !super::staff::pin_matches(&hash, pin) {
        let left = (staff::TRIES - failed).max(0);
        return Err(Error::new(
            Code::SignInRequired,
            crate::text::msg!("e-wrong_pin", name = m.name.clone(), left = left),
        )
        .details(serde_json::json!({"tries_left": left})));
    }
    st.write(|tx| members::set_lock(tx, &m.id, 0, None))?;
    Ok(m)
}

fn locked(m: &Member, until: DateTime<Utc>) -> Error {
    Error::new(
        Code::SignInRequired,
        crate::text::msg!(
            "e-name_locked",
            name = m.name.clone(),
            until = crate::core::time::fmt_utc(until)
        ),
    )
    .details(serde_json::json!({"locked_until": crate::wire::ts(until)}))
}

/// A session opened at a terminal: its member, its secret (for the
/// terminal's session file, never stored) and its end.
pub struct Opened {
    pub member: Member,
    pub secret: String,
    pub expires_at: DateTime<Utc>,
}

/// `appt login`: checks the PIN and opens a session at `terminal` for
/// `hours` (1–24), closing any other there.
pub fn login(
    st: &mut Store,
    name: &str,
    pin: &str,
    terminal: &str,
    hours: Option<i64>,
    clinic: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Opened> {
    if hours.is_some_and(|h| !(1..=staff::SESSION_HOURS.1).contains(&h)) {
        return Err(Error::field(
            "for",
            crate::text::msg!("e-a_session_lasts_1_to_hours", hi = staff::SESSION_HOURS.1),
        ));
    }
    let member = check_pin(st, name, pin, now)?;
    let hours = match hours {
        Some(h) => h,
        None => st.read(|tx| desk_hours(tx, member.clinic_id.as_deref().or(clinic)))?,
    };
    let secret = random_token("appt_session_");
    let expires_at = now + Duration::hours(hours);
    st.write(|tx| {
        members::open_session(tx, &digest(&secret), &member.id, terminal, now, expires_at)
    })?;
    Ok(Opened {
        member,
        secret,
        expires_at,
    })
}

/// How long a session lasts unasked: the clinic's `--session-hours` (the
/// member's own clinic, else the one named, else the only one), else 8.
fn desk_hours(tx: &crate::store::db::Tx, clinic: Option<&str>) -> Result<i64> {
    let found = match clinic {
        Some(c) => Some(crate::store::clinics::find(tx, c)?),
        None => {
            let all = crate::store::clinics::list(tx)?;
            match <[_; 1]>::try_from(all) {
                Ok([one]) => Some(one),
                Err(_) => None,
            }
        }
    };
    Ok(found.map_or(staff::SESSION_HOURS.0, |c| c.settings.session_hours))
}

/// `appt logout`: closes the session whose secret this is; whether there was one.
pub fn logout(st: &mut Store, secret: &str) -> Result<bool> {
    st.write(|tx| members::close_session(tx, &digest(secret)))
}
