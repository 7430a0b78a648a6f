//! The names the command line completes (docs/commands.md#appt-completions):
//! doctors, services, clinics and patients from the database, for what was
//! typed so far. Read through [`Store::peek`], so completing never makes a
//! database, never writes to one, and gives up quickly.

use super::Store;
use crate::core::text::{begins_with, completes, fold};
use crate::error::Result;
use crate::store::patients::{self, Typed};
use crate::store::{clinics, doctors, services};
use std::path::Path;

/// At most this many names are offered: a clinic may have 100 000 patients.
pub const LIMIT: usize = 50;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Doctor,
    Service,
    Clinic,
    Patient,
}

/// One name to offer: what goes on the command line, and a word about it
/// for the shells that show one (zsh, fish).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub help: String,
}

/// Opens the database `target` names only to read names from it.
pub fn open(target: &Path) -> Result<Store> {
    Store::peek(target)
}

/// The names of `kind` that what was `typed` may be the start of
/// (`core::text::completes`): those that begin with it first, then the
/// others, each group by name; at most [`LIMIT`].
pub fn candidates(st: &mut Store, kind: Kind, typed: &str) -> Result<Vec<Candidate>> {
    st.read(|tx| {
        let named: Vec<Candidate> = match kind {
            Kind::Doctor => doctors::list(tx)?
                .into_iter()
                .map(|d| Candidate {
                    value: d.full_name,
                    help: d.specialty.unwrap_or_default(),
                })
                .collect(),
            Kind::Service => services::list(tx)?
                .into_iter()
                .map(|s| Candidate {
                    value: s.name,
                    help: format!("{} min", s.duration_minutes),
                })
                .collect(),
            Kind::Clinic => clinics::list(tx)?
                .into_iter()
                .map(|c| Candidate {
                    value: c.name,
                    help: c.timezone.name().to_string(),
                })
                .collect(),
            Kind::Patient => return patient_candidates(tx, typed),
        };
        Ok(ranked(typed, named))
    })
}

/// `named` (in name order) filtered by what was typed, those that begin
/// with it first; each name once.
fn ranked(typed: &str, named: Vec<Candidate>) -> Vec<Candidate> {
    let (mut first, rest): (Vec<Candidate>, Vec<Candidate>) = named
        .into_iter()
        .filter(|c| completes(typed, &c.value))
        .partition(|c| begins_with(typed, &c.value));
    first.extend(rest);
    let mut seen = std::collections::HashSet::new();
    first.retain(|c| seen.insert(c.value.clone()));
    first.truncate(LIMIT);
    first
}

/// Patients by the words of their name, or by the digits of their phone
/// (what was typed holds digits and no letters). A name is offered as
/// itself; a name two patients share, as each one's phone (which `--patient`
/// takes), so that what is completed names one patient.
fn patient_candidates(tx: &crate::store::db::Tx, typed: &str) -> Result<Vec<Candidate>> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    if !digits.is_empty() && !typed.chars().any(char::is_alphabetic) {
        return Ok(
            patients::completing(tx, Typed::Digits(&digits), LIMIT as i64)?
                .into_iter()
                .map(|(name, phone)| Candidate {
                    value: phone,
                    help: name,
                })
                .collect(),
        );
    }
    let folded = fold(typed);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    // The query finds each word at the start of some word of the name; two
    // typed words on one word of the name are left out here, with room kept.
    let found = patients::completing(tx, Typed::Words(&words), (LIMIT * 2) as i64)?;
    let (first, rest): (Vec<_>, Vec<_>) = found
        .into_iter()
        .filter(|(name, _)| completes(typed, name))
        .partition(|(name, _)| begins_with(typed, name));
    let chosen: Vec<(String, String)> = first.into_iter().chain(rest).take(LIMIT).collect();
    let shared = |name: &str| {
        chosen
            .iter()
            .filter(|(other, _)| fold(other) == fold(name))
            .count()
            > 1
    };
    Ok(chosen
        .iter()
        .map(|(name, phone)| {
            if shared(name) {
                Candidate {
                    value: phone.clone(),
                    help: name.clone(),
                }
            } else {
                Candidate {
                    value: name.clone(),
                    help: phone.clone(),
                }
            }
        })
        .collect())
}
