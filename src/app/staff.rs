//! `appt staff add|list|update|remove|pin` (docs/security.md#staff): the
//! people at the desk. A PIN is hashed here (Argon2id, a new random salt
//! each time) before the write transaction opens, so the slow hash never
//! holds the database; the rules of who may be staff are `core::staff`'s,
//! asked of the whole staff as the change would leave it.

use super::values::check_name;
use crate::core::staff::{self, Role};
use crate::core::words;
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::staff::{self as members, Member};
use crate::store::{self, clinics, doctors, Store};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chacha20poly1305::aead::rand_core::RngCore as _;
use chacha20poly1305::aead::OsRng;
use chrono::{DateTime, Utc};

/// A new member as typed.
#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub name: String,
    /// `reception`, `doctor` or `manager`, in either language.
    pub role: String,
    /// The doctor they are (`--doctor`): required for the role `doctor`.
    pub doctor: Option<String>,
    /// The one clinic they work at; None: every clinic.
    pub clinic: Option<String>,
}

/// A member's fields as typed; None leaves one as it is. `none` as the
/// doctor or the clinic takes it away.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub name: Option<String>,
    pub role: Option<String>,
    pub doctor: Option<String>,
    pub clinic: Option<String>,
}

/// A role as typed, in either language (`recepción`, `gerente`).
fn role(typed: &str) -> Result<Role> {
    words::role(typed)
        .ok_or_else(|| Error::field("role", crate::text::msg!("e-unknown_role", s = typed)))
}

/// The doctor a reference names, or none for `none`.
fn doctor(tx: &Tx, typed: &str) -> Result<Option<String>> {
    if words::is_none(typed) {
        return Ok(None);
    }
    Ok(Some(doctors::find(tx, typed)?.id))
}

/// The clinic a reference names, or none (every clinic) for `none`.
fn clinic(tx: &Tx, typed: &str) -> Result<Option<String>> {
    if words::is_none(typed) || words::is_all(typed) {
        return Ok(None);
    }
    Ok(Some(clinics::find(tx, typed)?.id))
}

/// Refuses a change that would leave the staff without a manager, or a
/// `doctor` who is no doctor: `after` is the staff as it would be.
fn check(after: impl Iterator<Item = Member>) -> Result<()> {
    let standing: Vec<_> = after.map(|m| m.standing()).collect();
    staff::check_staff(&standing)
}

/// A PIN's Argon2id hash, in the PHC string format.
fn hash(pin: &str) -> Result<String> {
    staff::check_pin(pin)?;
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(internal)?;
    Ok(Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(internal)?
        .to_string())
}

/// Whether `pin` is the one `stored` is the hash of. A stored hash that
/// cannot be read matches nothing.
pub(crate) fn pin_matches(stored: &str, pin: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

/// The hash's own failure, which says nothing of the PIN.
fn internal(e: argon2::password_hash::Error) -> Error {
    Error::internal(crate::text::msg!(
        "e-the_pin_could_not_be_hashed",
        e = e.to_string()
    ))
}

/// Adds a member with their PIN. The first member of a database must be a
/// manager.
pub fn add(st: &mut Store, req: &AddRequest, pin: &str, now: DateTime<Utc>) -> Result<Member> {
    let role = role(&req.role)?;
    let name = check_name("name", &req.name)?;
    let pin_hash = hash(pin)?;
    st.write(|tx| {
        let mut m = Member {
            id: store::new_id(),
            name,
            role,
            doctor_id: req
                .doctor
                .as_deref()
                .map(|d| doctor(tx, d))
                .transpose()?
                .flatten(),
            doctor: None,
            clinic_id: req
                .clinic
                .as_deref()
                .map(|c| clinic(tx, c))
                .transpose()?
                .flatten(),
            clinic: None,
            created_at: now,
            updated_at: now,
        };
        check(members::list(tx)?.into_iter().chain([m.clone()]))?;
        members::insert(tx, &m, &pin_hash)?;
        m = members::get(tx, &m.id)?;
        Ok(m)
    })
}

pub fn list(st: &mut Store) -> Result<Vec<Member>> {
    st.read(members::list)
}

pub fn show(st: &mut Store, who: &str) -> Result<Member> {
    st.read(|tx| members::find(tx, who))
}

/// Renames a member, or changes their role, doctor or clinic.
pub fn update(st: &mut Store, who: &str, u: &Update, now: DateTime<Utc>) -> Result<Member> {
    let name = u
        .name
        .as_deref()
        .map(|n| check_name("name", n))
        .transpose()?;
    let new_role = u.role.as_deref().map(role).transpose()?;
    st.write(|tx| {
        let mut m = members::find(tx, who)?;
        if let Some(n) = &name {
            m.name = n.clone();
        }
        if let Some(r) = new_role {
            m.role = r;
        }
        if let Some(d) = &u.doctor {
            m.doctor_id = doctor(tx, d)?;
        }
        if let Some(c) = &u.clinic {
            m.clinic_id = clinic(tx, c)?;
        }
        m.updated_at = now;
        let id = m.id.clone();
        let others = members::list(tx)?.into_iter().filter(|o| o.id != id);
        check(others.chain([m.clone()]))?;
        members::update(tx, &m)?;
        members::get(tx, &id)
    })
}

/// Removes a member; the last manager stays.
pub fn remove(st: &mut Store, who: &str) -> Result<Member> {
    st.write(|tx| {
        let m = members::find(tx, who)?;
        check(members::list(tx)?.into_iter().filter(|o| o.id != m.id))?;
        members::remove(tx, &m.id)?;
        Ok(m)
    })
}

/// Sets a member's PIN.
pub fn set_pin(st: &mut Store, who: &str, pin: &str, now: DateTime<Utc>) -> Result<Member> {
    let pin_hash = hash(pin)?;
    st.write(|tx| {
        let mut m = members::find(tx, who)?;
        members::set_pin(tx, &m.id, &pin_hash, now)?;
        m.updated_at = now;
        Ok(m)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_kept_as_a_salted_hash_that_only_it_matches() {
        let a = hash("2468").unwrap();
        let b = hash("2468").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert!(!a.contains("2468"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(pin_matches(&a, "2468") && pin_matches(&b, "2468"));
        assert!(!pin_matches(&a, "2469") && !pin_matches(&a, ""));
        assert!(!pin_matches("not a hash", "2468"));
        assert_eq!(
            hash("12a4").unwrap_err().code,
            crate::error::Code::Validation
        );
    }
}
