//! Rule 1 of docs/rules.md#booking and its kin for the setup commands: raw values as a
//! user or a file gives them, checked and normalised. Every bad field is
//! reported by name, so one `VALIDATION_ERROR` lists them all.

use crate::core::{
    limits, phone, words, DateOrder, Language, Modality, Preference, Status, Urgency, VisitType,
    SOURCES,
};
use crate::error::{Error, Result};
use crate::text::Msg;
use std::sync::OnceLock;

static DESK_ORDER: OnceLock<DateOrder> = OnceLock::new();

/// The front end says once which language its desk speaks: where no clinic
/// is known (a command that names none, among several), `4/12` is read
/// the way that language writes dates (docs/commands.md#spanish-input).
pub fn set_desk_language(lang: Language) {
    let _ = DESK_ORDER.set(DateOrder::of_language(lang));
}

/// How `4/12` is read where no clinic is known: the desk's language's
/// order, month first until a front end says otherwise.
pub fn desk_order() -> DateOrder {
    DESK_ORDER.get().copied().unwrap_or(DateOrder::Mdy)
}

/// The longest free text (reason, notes, diagnosis, prescription).
pub const MAX_TEXT: usize = 2000;

/// Field problems gathered while checking a request, and the hints of those
/// that have one.
#[derive(Debug, Default)]
pub struct Problems(Vec<(String, Msg)>, Vec<Msg>);

impl Problems {
    pub fn add(&mut self, field: &str, problem: impl Into<Msg>) {
        self.0.push((field.to_string(), problem.into()));
    }

    /// The value when `r` holds one; otherwise the problem is noted under `field`.
    pub fn take<T>(&mut self, field: &str, r: Result<T, crate::text::Msg>) -> Option<T> {
        r.map_err(|e| self.add(field, e)).ok()
    }

    /// Like [`Problems::take`] for a check that already built its error
    /// (its hint kept).
    pub fn check<T>(&mut self, field: &str, r: Result<T>) -> Option<T> {
        r.map_err(|e| {
            self.add(field, e.msg);
            self.1.extend(e.hint.map(|h| *h));
        })
        .ok()
    }

    /// Fails with every problem noted, if any.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else if self.1.is_empty() {
            Err(Error::fields(self.0))
        } else {
            Err(Error::fields(self.0).hint(Msg::joined(self.1)))
        }
    }
}

/// Who a booking or a waitlist entry is for: an existing patient, or a phone
/// (with a name for a new one). Returns the phone and name, checked.
pub fn check_patient(
    patient: Option<&str>,
    phone: Option<&str>,
    name: Option<&str>,
    bad: &mut Problems,
) -> (Option<String>, Option<String>) {
    if patient.is_none() && phone.is_none() {
        bad.add(
            "patient",
            crate::text::msg!("e-patient_or_phone_is_required_2"),
        );
    }
    let phone = phone.and_then(|p| bad.check("phone", check_phone(p)));
    let name = name.and_then(|n| bad.check("name", check_name("name", n)));
    (phone, name)
}

/// Refuses two fields given together that name the same thing two ways
/// (the command line's conflicting flags, checked here for every front end).
pub fn not_both(bad: &mut Problems, first: (&str, bool), second: (&str, bool)) {
    if first.1 && second.1 {
        let (first, second) = (first.0, second.0);
        bad.add(
            second,
            crate::text::msg!("e-cannot_both_be_given", first = first, second = second),
        );
    }
}

pub fn check_name(field: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::field(
            field,
            crate::text::msg!("e-must_not_be_empty", field = field),
        ));
    }
    if name.chars().count() > 200 {
        return Err(Error::field(
            field,
            crate::text::msg!("e-must_be_at_most_200_characters", field = field),
        ));
    }
    Ok(name.to_string())
}

/// Optional free text: blank is none; longer than [`MAX_TEXT`] is a problem.
pub fn check_text(field: &str, v: Option<&str>, bad: &mut Problems) -> Option<String> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > MAX_TEXT {
        bad.add(
            field,
            crate::text::msg!(
                "e-must_be_at_most_characters",
                field = field,
                MAX_TEXT = MAX_TEXT
            ),
        );
        return None;
    }
    Some(v.to_string())
}

pub fn parse_on_off(s: &str) -> Result<bool, crate::text::Msg> {
    crate::core::words::on_off(s).ok_or_else(|| crate::text::msg!("e-must_be_on_or_off_got", s = s))
}

/// A doctor's or a service's `--online` as typed (`yes`, `no`, `sí`, `on`,
/// `off` …): whether the online booking page offers it.
pub fn online(typed: &str) -> Result<bool> {
    parse_on_off(typed).map_err(|e| Error::field("online", e))
}

/// Whole minutes within `lo..=hi`.
/// An appointment's or a slot's length in minutes, within `limits::MINUTES`.
pub fn length_minutes(field: &str, m: i64) -> Result<i64, crate::text::Msg> {
    minutes_in(field, m, *limits::MINUTES.start(), *limits::MINUTES.end())
}

pub fn minutes_in(field: &str, m: i64, lo: i64, hi: i64) -> Result<i64, crate::text::Msg> {
    if (lo..=hi).contains(&m) {
        Ok(m)
    } else {
        Err(crate::text::msg!(
            "e-must_be_between_and_minutes",
            field = field,
            lo = lo,
            hi = hi
        ))
    }
}

/// An appointment's or a grid's length: 5–480 minutes.
pub fn duration(field: &str, m: i64) -> Result<i64> {
    length_minutes(field, m).map_err(|e| Error::field(field, e))
}

/// A service's buffer before or after each appointment
/// (docs/rules.md#buffers): [`limits::BUFFER`] minutes.
pub fn buffer(field: &str, m: i64) -> Result<i64> {
    minutes_in(field, m, *limits::BUFFER.start(), *limits::BUFFER.end())
        .map_err(|e| Error::field(field, e))
}

/// A daily limit as typed (docs/rules.md#daily-limits): a whole number of
/// [`limits::PER_DAY`], or `none` to take the cap away (Some(None)). Not 0:
/// "no appointments that day" is a closure, and 0 read as "no cap" would
/// mean the opposite of what it says.
pub fn max_per_day(raw: &str) -> Result<Option<i64>> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if limits::PER_DAY.contains(&n) => Ok(Some(n)),
        _ => Err(Error::field(
            "max_per_day",
            crate::text::msg!(
                "e-max_per_day_must_be",
                a = limits::PER_DAY.start(),
                b = limits::PER_DAY.end(),
                raw = raw
            ),
        )),
    }
}

/// Rule 1's phone: E.164 once cleaned, or a local number, kept as typed
/// until the clinic whose country code it is in is known
/// ([`super::phones`], docs/rules.md#phones).
pub fn check_phone(raw: &str) -> Result<String> {
    match phone::normalize(raw, None) {
        Ok(p) => Ok(p),
        Err(phone::Problem::NoCountryCode) => Ok(raw.trim().to_string()),
        Err(p) => Err(Error::field("phone", p.message(raw))),
    }
}

pub fn check_email(e: &str) -> Result<String> {
    let e = e.trim();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        })
        && !e.contains(char::is_whitespace);
    if ok {
        Ok(e.to_string())
    } else {
        Err(Error::field(
            "email",
            crate::text::msg!("e-email_must_look_like_name_example_com"),
        ))
    }
}

/// A preferred channel as typed, in either language (`whatsapp`, `sms`,
/// `correo`, `ninguno`): `core::words::preference`.
pub fn check_channel(s: &str) -> Result<Preference> {
    words::preference(s).ok_or_else(|| {
        Error::field(
            "channel",
            crate::text::msg!("e-unknown_channel_preference", s = s.trim().to_string()),
        )
    })
}

/// How a patient given with a booking or a waitlist entry is reached: the
/// e-mail and the preferred channel given, checked (docs/rules.md#which-channel).
pub fn check_contact(
    email: Option<&str>,
    channel: Option<&str>,
    bad: &mut Problems,
) -> crate::store::patients::Contact {
    crate::store::patients::Contact {
        email: email.and_then(|e| bad.check("email", check_email(e))),
        channel: channel.and_then(|c| bad.check("channel", check_channel(c))),
    }
}

pub fn check_national_id(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 64 {
        return Err(Error::field(
            "national_id",
            crate::text::msg!("e-national_id_must_be_1_to_64"),
        ));
    }
    Ok(s.to_string())
}

/// A status as typed, in either language (`confirmada`, `llegó`,
/// `checked_in`): `core::words::status`.
pub fn check_status(s: Option<&str>, bad: &mut Problems) -> Option<Status> {
    let s = s?;
    words::status(s).or_else(|| {
        bad.add("status", crate::text::msg!("e-unknown_status", s = s));
        None
    })
}

/// An urgency as typed, in either language (`urgente`, `emergency`):
/// `core::words::urgency`.
pub fn check_urgency(s: Option<&str>, bad: &mut Problems) -> Option<Urgency> {
    let s = s?;
    words::urgency(s).or_else(|| {
        bad.add("urgency", crate::text::msg!("e-unknown_urgency", s = s));
        None
    })
}

/// A modality as typed, in either language (`telemedicina`, `home`):
/// `core::words::modality`.
pub fn check_modality(s: Option<&str>, bad: &mut Problems) -> Option<Modality> {
    let s = s?;
    words::modality(s).or_else(|| {
        bad.add("modality", crate::text::msg!("e-unknown_modality", s = s));
        None
    })
}

/// A visit type as typed, in either language (`primera vez`, `control`):
/// `core::words::visit_type`.
pub fn check_visit_type(s: Option<&str>, bad: &mut Problems) -> Option<VisitType> {
    let s = s?;
    words::visit_type(s).or_else(|| {
        bad.add(
            "visit_type",
            crate::text::msg!("e-unknown_visit_type", s = s),
        );
        None
    })
}

pub fn check_source(s: Option<&str>, bad: &mut Problems) -> Option<String> {
    let s = s?;
    if SOURCES.contains(&s) {
        Some(s.to_string())
    } else {
        bad.add(
            "source",
            crate::text::msg!("e-source_must_be_one_of", a = SOURCES.join(", ")),
        );
        None
    }
}

/// An optional label (session, batch, specialty): trimmed, blank is none.
pub fn label(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::limits;

    /// What setup accepts is what the store reads back (a stored value
    /// outside `core::limits` is damage): the two ranges must agree.
    #[test]
    fn lengths_accepted_are_the_lengths_read_back() {
        let (lo, hi) = (*limits::MINUTES.start(), *limits::MINUTES.end());
        assert!(duration("minutes", lo).is_ok() && duration("minutes", hi).is_ok());
        assert!(duration("minutes", lo - 1).is_err() && duration("minutes", hi + 1).is_err());
    }
}
