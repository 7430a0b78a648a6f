//! Phones as typed (docs/rules.md#phones): a phone typed without its `+` is a
//! local number of the clinic it is typed for, read in the clinic's country
//! code (`core::phone::normalize` decides); without one it is refused, with a
//! hint that says how to set it. The patient a phone (or an ID) finds is
//! looked up here too, as a caller that sees from one clinic may know them.

use super::schedule::target;
use crate::core::phone::{self, Problem};
use crate::core::Clinic;
use crate::error::{Code, Error, Result};
use crate::store::db::Tx;
use crate::store::{clinics, patients, Store};

/// Where a phone is typed: for one clinic, or at a command with no single
/// clinic of its own (a patient's card, `patient add`).
#[derive(Debug, Clone, Copy)]
pub enum At<'a> {
    Clinic(&'a Clinic),
    /// `--clinic` (or `$APPT_CLINIC`) when given; else the only clinic; else,
    /// with several, the country code they all share.
    Desk(Option<&'a str>),
}

/// The country code local numbers are read in, and what to tell the desk
/// when there is none.
#[derive(Debug, Clone, Default)]
pub struct Dialing {
    code: Option<String>,
    /// What to do about a local number when there is none.
    hint: Option<crate::text::Msg>,
}

/// A clinic's name as the shell needs it in a command line.
fn quoted(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace(['"', '\\', '$', '`'], ""))
    }
}

impl Dialing {
    /// The clinic's country code.
    pub fn of(c: &Clinic) -> Self {
        Dialing {
            code: c.settings.country_code.clone(),
            hint: Some(crate::text::msg!(
                "e-set_the_clinics_country_code",
                a = quoted(&c.name)
            )),
        }
    }

    /// Where `at` says (docs/rules.md#phones): the clinic, else the only one,
    /// else the code every clinic shares.
    pub fn at(tx: &Tx, at: At) -> Result<Self> {
        let given = match at {
            At::Clinic(c) => return Ok(Dialing::of(c)),
            At::Desk(given) => given,
        };
        if let Some(g) = given {
            return Ok(Dialing::of(&clinics::find(tx, g)?));
        }
        let all = clinics::list(tx)?;
        if let [only] = all.as_slice() {
            return Ok(Dialing::of(only));
        }
        let mut codes: Vec<Option<&str>> = all
            .iter()
            .map(|c| c.settings.country_code.as_deref())
            .collect();
        codes.sort();
        codes.dedup();
        Ok(match codes.as_slice() {
            [Some(code)] => Dialing {
                code: Some(code.to_string()),
                hint: None,
            },
            [] => Dialing {
                code: None,
                hint: Some(crate::text::msg!("e-add_a_clinic_with_country_code")),
            },
            [None] => Dialing {
                code: None,
                hint: Some(crate::text::msg!("e-set_the_clinics_country_codes")),
            },
            _ => Dialing {
                code: None,
                hint: Some(crate::text::msg!(
                    "e-clinics_differ_in_country_code",
                    a = codes
                        .iter()
                        .map(|c| c.unwrap_or("none"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
        })
    }

    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The phone in E.164: with its `+` as typed, else local to this code.
    pub fn read(&self, raw: &str) -> Result<String> {
        phone::normalize(raw, self.code()).map_err(|p| {
            let e = Error::field("phone", p.message(raw));
            match (p, &self.hint) {
                (Problem::NoCountryCode, Some(h)) => e.hint(h.clone()),
                _ => e,
            }
        })
    }

    /// The same, for a prompt: the problem and its hint in one line.
    pub fn check(&self, raw: &str) -> std::result::Result<(), crate::text::Msg> {
        self.read(raw).map(drop).map_err(|e| match e.hint {
            Some(h) => crate::text::msg!("e-problem_and_hint", a = e.msg, h = h),
            None => e.msg,
        })
    }
}

/// The country code a phone typed for a booking or a waitlist entry is
/// read in: the clinic of `doctor` (or the one `clinic` names), else the
/// desk's.
pub fn dialing(st: &mut Store, clinic: Option<&str>, doctor: Option<&str>) -> Result<Dialing> {
    st.read(|tx| match target(tx, clinic, doctor) {
        Ok(t) => Ok(Dialing::of(&t.clinic)),
        Err(_) => Dialing::at(tx, At::Desk(clinic)),
    })
}

/// A phone typed `at` a clinic, in E.164. The clinics are read only for a
/// local number.
pub fn phone(tx: &Tx, at: At, raw: &str) -> Result<String> {
    if phone::is_local(raw) {
        Dialing::at(tx, at)?.read(raw)
    } else {
        Dialing::default().read(raw)
    }
}

/// A patient by ID, unique prefix, or phone typed `at` a clinic (a local
/// number in its country code). A local number that finds no one where no
/// country code applies says how to set one. A caller that sees from one
/// clinic (`known_at`, an API token's) finds only the patients it knows.
pub fn find_patient(
    tx: &Tx,
    at: At,
    input: &str,
    known_at: Option<&str>,
) -> Result<patients::Stored> {
    if !phone::is_local(input) {
        return patients::find_known(tx, input, None, known_at);
    }
    let dialing = Dialing::at(tx, at)?;
    patients::find_known(tx, input, dialing.code(), known_at).map_err(|e| dialing.missed(e, input))
}

/// Who has `phone` (E.164) as a caller that sees from one clinic
/// (`known_at`) may know: a patient that clinic does not know is no one.
pub fn phone_holder(tx: &Tx, phone: &str, known_at: Option<&str>) -> Result<PhoneHolder> {
    Ok(match (patients::by_phone(tx, phone)?, known_at) {
        (None, _) => PhoneHolder::Nobody,
        (Some(p), None) => PhoneHolder::Known(p),
        (Some(p), Some(c)) if patients::knows(tx, c, &p.patient.id)? => PhoneHolder::Known(p),
        (Some(_), Some(_)) => PhoneHolder::Hidden,
    })
}

/// [`phone_holder`]'s answer.
pub enum PhoneHolder {
    Nobody,
    Known(patients::Stored),
    /// A patient of another clinic: to the caller, as if no one had the
    /// phone; a booking or an entry with it goes to that patient all the
    /// same (phones are unique), saying nothing of what was there.
    Hidden,
}

impl Dialing {
    /// `e`, the miss of a local number `input` looked up here: where no
    /// country code applies, its hint says how to set one (a number is no
    /// name to search for).
    pub fn missed(&self, e: Error, input: &str) -> Error {
        match (&self.code, &self.hint) {
            (None, Some(h)) if e.code == Code::NotFound => e.hint(crate::text::msg!(
                "e-reads_as_a_local_number",
                a = input.trim(),
                h = h
            )),
            _ => e,
        }
    }
}
