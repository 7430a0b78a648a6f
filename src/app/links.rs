//! Patients' links (docs/security.md#patient-links): `<public-url>/p/<token>`
//! in a message, naming an appointment or a waitlist offer. A token is 32
//! bytes in base64url (43 characters): a random 16-byte nonce, which the
//! `patient_links` table maps to its target, and the first 16 bytes of its
//! HMAC-SHA256 under the database's link key. Nothing in it names the
//! appointment or the patient; only who holds the link key can make one.
//! Whether the target is still worth acting on (started, final, moved, the
//! slot taken) is for the page to judge, not for [`open`].

use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::keys;
use crate::store::links;
use crate::store::stored::damaged;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const NONCE: usize = 16;
const TAG: usize = 16;
/// What the MAC covers before the nonce: a key used for anything else one
/// day cannot be made to sign a link by accident.
const CONTEXT: &[u8] = b"appt patient link\0";

/// What a link names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An appointment, by its ID.
    Appointment(String),
    /// A waitlist offer, by the ID of its message (a `reminders` row of
    /// kind `waitlist_offer`).
    Offer(String),
}

impl Target {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Target::Appointment(id) => ("appointment", id),
            Target::Offer(id) => ("offer", id),
        }
    }
}

fn mac(key: &[u8; 32], nonce: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    m.update(CONTEXT);
    m.update(nonce);
    m
}

fn token_of(key: &[u8; 32], nonce: &[u8]) -> String {
    let tag = mac(key, nonce).finalize().into_bytes();
    let mut raw = nonce.to_vec();
    raw.extend_from_slice(&tag[..TAG]);
    URL_SAFE_NO_PAD.encode(raw)
}

/// Makes (or reuses) the link token of `target`: ≥ 128 bits, nothing a
/// reader could use (no ID, no name in clear), HMAC-SHA256 under the
/// database's link key. The same target always gets the same token.
pub fn issue(tx: &Tx, target: &Target, now: DateTime<Utc>) -> Result<String> {
    let key = links::key(tx)?;
    let (kind, id) = target.parts();
    let nonce = match links::nonce_of(tx, kind, id)? {
        Some(hex) => keys::from_hex(&hex)
            .filter(|n| n.len() == NONCE)
            .ok_or_else(|| {
                damaged(
                    "patient_links",
                    &hex,
                    "nonce",
                    crate::text::msg!("e-not_32_hex"),
                )
            })?,
        None => {
            let n = keys::random::<NONCE>().to_vec();
            links::insert(tx, &keys::to_hex(&n), kind, id, now)?;
            n
        }
    };
    Ok(token_of(&key, &nonce))
}

/// The target a presented token names; `NOT_FOUND` (one generic error,
/// never echoing the token) when it is forged, altered, truncated or
/// unknown. The MAC is checked first, in constant time (so the time taken
/// does not tell how much of a guess was right), and only then is the
/// nonce looked up.
pub fn open(tx: &Tx, token: &str) -> Result<Target> {
    let gone = || Error::not_found(crate::error::Entity::Link);
    let raw = URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .map_err(|_| gone())?;
    if raw.len() != NONCE + TAG {
        return Err(gone());
    }
    let key = links::key(tx)?;
    let (nonce, tag) = raw.split_at(NONCE);
    mac(&key, nonce)
        .verify_truncated_left(tag)
        .map_err(|_| gone())?;
    match links::target_of(tx, &keys::to_hex(nonce))? {
        Some((kind, id)) if kind == "appointment" => Ok(Target::Appointment(id)),
        Some((kind, id)) if kind == "offer" => Ok(Target::Offer(id)),
        _ => Err(gone()),
    }
}

/// `<public_url>/p/<token>`.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/p/{token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store() -> Store {
        Store::in_memory().unwrap()
    }

    #[test]
    fn a_token_is_opaque_long_enough_and_stable() {
        let mut st = store();
        let now = Utc::now();
        let id = "0190f0c2-7a51-7b3e-9d1a-5f0e2a4b6c8d".to_string();
        let (a, b, o) = st
            .write(|tx| {
                Ok((
                    issue(tx, &Target::Appointment(id.clone()), now)?,
                    issue(tx, &Target::Appointment(id.clone()), now)?,
                    issue(tx, &Target::Offer(id.clone()), now)?,
                ))
            })
            .unwrap();
        assert_eq!(a, b, "the same target gets the same token");
        assert_ne!(a, o, "an offer and an appointment of one ID differ");
        assert_eq!(a.len(), 43);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        // 128 bits of nonce, 128 of MAC: 256 bits, none of them the ID.
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert!(!a.contains(&id[..8]) && !a.contains(&id.replace('-', "")[..8]));
        let back = st.read(|tx| Ok((open(tx, &a)?, open(tx, &o)?))).unwrap();
        assert_eq!(back, (Target::Appointment(id.clone()), Target::Offer(id)));
        assert_eq!(
            url("https://citas.example/", &a),
            format!("https://citas.example/p/{a}")
        );
    }

    #[test]
    fn a_forged_altered_or_truncated_token_is_not_found() {
        let mut st = store();
        let token = st
            .write(|tx| issue(tx, &Target::Appointment(crate::store::new_id()), Utc::now()))
            .unwrap();
        let mut altered = token.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        // A nonce that was never issued, with a MAC made under another key.
        let forged = token_of(&[7; 32], &[1; NONCE]);
        for bad in [
            altered.as_str(),
            &token[..42],
            &token[..20],
            &forged,
            "",
            "not a token at all!",
            &format!("{token}A"),
        ] {
            let e = st.read(|tx| open(tx, bad)).unwrap_err();
            assert_eq!(e.code, crate::error::Code::NotFound, "{bad}");
            assert_eq!(e.message, "Link not found");
            assert!(bad.is_empty() || !e.message.contains(bad));
        }
    }
}
