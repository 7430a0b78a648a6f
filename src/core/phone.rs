//! Phone numbers in E.164, and local numbers read in a clinic's country code
//! (docs/rules.md#phones).

/// What the desk may type between the digits: spaces, dashes, dots and
/// parentheses (`+503 7765-4321`, `(212) 555.0100`).
fn cleaned(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\t'))
        .collect()
}

use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, Region, ValidationError, PHONE_NUMBER_UTIL};

/// Why a typed phone is not a number appt can store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Neither E.164 nor a local number (letters, too long, too short).
    NotAPhone,
    /// A local number (digits without `+`) with no country code to read it in.
    NoCountryCode,
    /// Too short for its country (`7788` at +503), by libphonenumber's
    /// lengths; `like` is a number of that country as the desk would type it.
    TooShort { code: String, like: String },
    /// Too long for its country.
    TooLong { code: String, like: String },
    /// The right length but no number of its country (`+50399999999`: no
    /// number of El Salvador starts with 9).
    NotOfCountry { code: String, like: String },
}

impl Problem {
    /// The problem in words, naming what was typed.
    pub fn message(&self, raw: &str) -> crate::text::Msg {
        let raw = raw.trim();
        match self {
            Problem::NotAPhone => crate::text::msg!("e-not_a_phone_number", raw = raw),
            Problem::NoCountryCode => crate::text::msg!("e-has_no_country_code", raw = raw),
            Problem::TooShort { code, like } => crate::text::msg!(
                "e-too_short_for_a_phone_number_of",
                raw = raw,
                code = code,
                like = like
            ),
            Problem::TooLong { code, like } => crate::text::msg!(
                "e-too_long_for_a_phone_number_of",
                raw = raw,
                code = code,
                like = like
            ),
            Problem::NotOfCountry { code, like } => crate::text::msg!(
                "e-not_a_phone_number_of",
                raw = raw,
                code = code,
                like = like
            ),
        }
    }
}

/// The calling code of `code` as typed (`+503` → 503).
fn calling_code(code: &str) -> Option<i32> {
    code.trim().strip_prefix('+')?.parse().ok()
}

/// Why `n`, parsed from what the desk typed, is not a number of its
/// country; `local`: it was typed without its `+`, so the example is
/// written the same way.
fn judged(n: &PhoneNumber, local: bool) -> Result<(), Problem> {
    if n.is_valid() {
        return Ok(());
    }
    let code = format!("+{}", n.country_code);
    let like = PHONE_NUMBER_UTIL
        .get_region_for_country_code(n.country_code)
        .and_then(|r| PHONE_NUMBER_UTIL.get_example_number(r).ok())
        .map(|e| {
            if local {
                national(&e)
            } else {
                e.format_as(PhoneNumberFormat::International).into_owned()
            }
        });
    let Some(like) = like else {
        return Err(Problem::NotAPhone);
    };
    Err(match n.is_possible_with_reason() {
        Err(ValidationError::TooShort) => Problem::TooShort { code, like },
        Err(ValidationError::TooLong) => Problem::TooLong { code, like },
        _ => Problem::NotOfCountry { code, like },
    })
}

/// A phone as the desk types it, in E.164, once spaces, dashes, dots and
/// parentheses are removed: with its `+`, a number of the country its code
/// names (`+503 7765-4321` → `+50377654321`); without, a number of the
/// clinic's country, `country` its code (`7765-4321` at `+503` →
/// `+50377654321`, `(212) 555.0100` at `+1` → `+12125550100`). Either way
/// it must be a number of that country by libphonenumber's rules (its
/// lengths and leading digits): `7788` at `+503` is too short.
pub fn normalize(raw: &str, country: Option<&str>) -> Result<String, Problem> {
    let cleaned = cleaned(raw);
    let (digits, region) = match cleaned.strip_prefix('+') {
        Some(d) => (d, None),
        None => (cleaned.as_str(), Some(())),
    };
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::NotAPhone);
    }
    let parsed = match region {
        None => PHONE_NUMBER_UTIL.parse(&cleaned, None),
        Some(()) => {
            let Some(code) = country else {
                // Too long for any country code: not a phone, whatever the clinic.
                return Err(if digits.len() > 14 {
                    Problem::NotAPhone
                } else {
                    Problem::NoCountryCode
                });
            };
            let region = calling_code(code)
                .and_then(|c| PHONE_NUMBER_UTIL.get_region_for_country_code(c))
                .ok_or(Problem::NotAPhone)?;
            PHONE_NUMBER_UTIL.parse(digits, Some(region))
        }
    };
    let n = parsed.map_err(|_| Problem::NotAPhone)?;
    judged(&n, region.is_some())?;
    Ok(n.format_as(PhoneNumberFormat::E164).into_owned())
}

/// The country code (`+503`) of a number in E.164, by libphonenumber's
/// tables (`+1 900 …` is `+1`); None when it reads as no number.
pub fn country_of(e164: &str) -> Option<String> {
    PHONE_NUMBER_UTIL
        .parse(e164, None)
        .ok()
        .map(|n| format!("+{}", n.country_code))
}

/// The stored form a typed phone would be looked up by: a number with its
/// `+` as it is once cleaned (a lookup needs no rules: a number no one has
/// finds no one, and libphonenumber's metadata, some milliseconds to load, is
/// left unread), a local number read in `country` as [`normalize`] reads it.
pub fn lookup_key(raw: &str, country: Option<&str>) -> Option<String> {
    let cleaned = cleaned(raw);
    match cleaned.strip_prefix('+') {
        Some(d) => ((1..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
            .then_some(cleaned),
        None => normalize(raw, country).ok(),
    }
}

/// The digits a desk typed as part of a phone, its end or its middle as
/// read off a screen or said aloud (`7555`, `70-12`): four to fifteen
/// digits and the separators a phone is written with, nothing else. None
/// for anything else (fewer digits find too many to be of use).
pub fn fragment(raw: &str) -> Option<String> {
    let c = cleaned(raw);
    ((4..=15).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit())).then_some(c)
}

/// Countries whose desks write a national number's groups with hyphens
/// (`7012-3456`) where libphonenumber writes spaces (`7012 3456`): the
/// Central American ones of eight digits in two groups of four.
const HYPHENATED: [i32; 6] = [502, 503, 504, 505, 506, 507];

/// `n` in its national form, as its country's desks write it.
fn national(n: &PhoneNumber) -> String {
    let s = n.format_as(PhoneNumberFormat::National).into_owned();
    let groups_only = s.bytes().all(|b| b.is_ascii_digit() || b == b' ');
    if HYPHENATED.contains(&n.country_code) && groups_only {
        s.replace(' ', "-")
    } else {
        s
    }
}

/// A stored phone (E.164) as a person reads it (docs/rules.md#phones): a
/// number of `home`'s country (the clinic's code) in its national form
/// (`+50370123456` at `+503` → `7012-3456`), any other in international
/// form (`+1 212-555-0100`). Where there is no home country (a clinic
/// without a country code), every number is as stored, in E.164: no form
/// is the desk's. What is no number (an erased patient's empty phone) is
/// shown as it is.
pub fn shown(e164: &str, home: Option<&str>) -> String {
    if !e164.starts_with('+') || home.is_none() {
        return e164.to_string();
    }
    let Ok(n) = PHONE_NUMBER_UTIL.parse(e164, None) else {
        return e164.to_string();
    };
    if home.and_then(calling_code) == Some(n.country_code) {
        national(&n)
    } else {
        n.format_as(PhoneNumberFormat::International).into_owned()
    }
}

/// Whether `raw` is written as a local number: digits (and separators)
/// without a `+`.
pub fn is_local(raw: &str) -> bool {
    let c = cleaned(raw);
    !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit())
}

/// A clinic's country code as typed: `+` and 1–3 digits, the first not 0
/// (`+503`, `+1`), the calling code of a country by libphonenumber's
/// tables (`+999` is none; nor is a code of no country, such as `+800`'s
/// freephone numbers, since a clinic's local numbers are read in it).
/// `none` or blank clears it (None).
pub fn country_code(raw: &str) -> Result<Option<String>, crate::text::Msg> {
    let Some(code) = country_code_written(raw)? else {
        return Ok(None);
    };
    match calling_code(&code).and_then(|c| PHONE_NUMBER_UTIL.get_region_for_country_code(c)) {
        Some(region) if region != Region::World => Ok(Some(code)),
        _ => Err(crate::text::msg!("e-country_code_of_no_country", t = code)),
    }
}

/// A country code's form alone: `+` and 1–3 digits, the first not 0. What a
/// clinic stored is read by its form, so that a code written before appt
/// knew every country's never makes the clinic unreadable.
pub fn country_code_written(raw: &str) -> Result<Option<String>, crate::text::Msg> {
    let t = raw.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let digits = t.strip_prefix('+').unwrap_or("");
    if (1..=3).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
    {
        Ok(Some(t.to_string()))
    } else {
        Err(crate::text::msg!("e-country_code_must_be", t = t))
    }
}

/// A phone a clinic wrote for its patients (its own, `--phone`), as a
/// message to them writes it: a number of `home`'s country in its national
/// form (`+503 2222-3333` → `2222-3333`), another in international form; what
/// is no number of any country (an extension, a short code) as written.
pub fn written(raw: &str, home: Option<&str>) -> String {
    match normalize(raw, home) {
        Ok(e164) => shown(&e164, home),
        Err(_) => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_separators() {
        assert_eq!(normalize("+503 7765-4321", None).unwrap(), "+50377654321");
        assert_eq!(
            normalize("+1 (212) 555.0100", None).unwrap(),
            "+12125550100"
        );
        // A number with its + ignores the clinic's code.
        assert_eq!(
            normalize("+1 212 555 0100", Some("+503")).unwrap(),
            "+12125550100"
        );
    }

    #[test]
    fn a_fragment_is_four_or_more_digits_and_separators_only() {
        assert_eq!(fragment("7555").as_deref(), Some("7555"));
        assert_eq!(fragment(" 70-12 ").as_deref(), Some("7012"));
        for not in ["755", "+7555", "75a5", "ana 7555", ""] {
            assert_eq!(fragment(not), None, "{not:?}");
        }
    }

    #[test]
    fn refuses_non_e164() {
        for bad in [
            "+",
            "+0123456789",
            "+503 7765-43x1",
            "",
            "  ",
            "+1234567890123456",
            "abc",
            "7765-43x1",
            "++50377654321",
        ] {
            assert_eq!(normalize(bad, None), Err(Problem::NotAPhone), "{bad}");
            assert_eq!(
                normalize(bad, Some("+503")),
                Err(Problem::NotAPhone),
                "{bad}"
            );
        }
    }

    /// docs/rules.md#phones: without `+`, the digits follow the clinic's code.
    #[test]
    fn a_local_number_is_read_in_the_clinics_country_code() {
        assert_eq!(
            normalize("7765-4321", Some("+503")).unwrap(),
            "+50377654321"
        );
        assert_eq!(
            normalize("(212) 555.0100", Some("+1")).unwrap(),
            "+12125550100"
        );
        assert_eq!(
            normalize(" 7765 43 21 ", Some("+503")).unwrap(),
            "+50377654321"
        );
        // Too long, or too short, for the country.
        assert!(matches!(
            normalize("1234567890123", Some("+503")),
            Err(Problem::TooLong { .. })
        ));
        assert!(normalize("12", Some("+503")).is_err());
    }

    /// Issue 43: `7788` at a +503 clinic was stored as `+5037788`;
    /// El Salvador's numbers have eight digits.
    #[test]
    fn a_number_too_short_or_not_of_its_country_is_refused() {
        let short = normalize("7788", Some("+503")).unwrap_err();
        assert_eq!(
            short,
            Problem::TooShort {
                code: "+503".into(),
                like: "2123-4567".into()
            }
        );
        assert_eq!(
            short.message("7788").english(),
            "'7788' is too short for a phone number of +503: they are written like 2123-4567"
        );
        assert!(matches!(
            normalize("+5037788", None),
            Err(Problem::TooShort { .. })
        ));
        // Eight digits, but no number of El Salvador starts with 9.
        assert!(matches!(
            normalize("+50399999999", None),
            Err(Problem::NotOfCountry { .. })
        ));
        assert!(matches!(
            normalize("+15550000001", Some("+503")),
            Err(Problem::NotOfCountry { .. })
        ));
    }

    #[test]
    fn a_number_is_shown_national_at_home_and_international_elsewhere() {
        assert_eq!(shown("+50370123456", Some("+503")), "7012-3456");
        assert_eq!(shown("+50322223333", Some("+503")), "2222-3333");
        assert_eq!(shown("+12125550100", Some("+503")), "+1 212-555-0100");
        assert_eq!(shown("+12125550100", Some("+1")), "(212) 555-0100");
        assert_eq!(shown("+50370123456", None), "+50370123456");
        assert_eq!(shown("+50370123456", Some("+1")), "+503 7012 3456");
        assert_eq!(shown("", Some("+503")), "");
        assert_eq!(shown("+5037788", Some("+503")), "7788");
        assert_eq!(
            lookup_key("+503 7012-3456", None).as_deref(),
            Some("+50370123456")
        );
        assert_eq!(
            lookup_key("7012-3456", Some("+503")).as_deref(),
            Some("+50370123456")
        );
        assert_eq!(lookup_key("Ana", Some("+503")), None);
        // The clinic's own phone, in its messages.
        assert_eq!(written("+503 2222-3333", Some("+503")), "2222-3333");
        assert_eq!(written("2222 3333", Some("+503")), "2222-3333");
        assert_eq!(written("(212) 555-0100", Some("+503")), "(212) 555-0100");
        assert_eq!(written("+1 212 555 0100", Some("+503")), "+1 212-555-0100");
    }

    #[test]
    fn a_local_number_without_a_country_code_is_refused_as_such() {
        assert_eq!(normalize("7765-4321", None), Err(Problem::NoCountryCode));
        assert_eq!(normalize("77654321", None), Err(Problem::NoCountryCode));
        assert_eq!(
            normalize("123456789012345", None),
            Err(Problem::NotAPhone),
            "longer than any local number"
        );
        assert!(Problem::NoCountryCode
            .message("7765-4321")
            .english()
            .contains("E.164"));
        assert!(is_local("7765-4321") && is_local("(212) 555.0100"));
        assert!(!is_local("+50377654321") && !is_local("4f1c") && !is_local(""));
    }

    #[test]
    fn a_country_code_is_a_plus_and_one_to_three_digits() {
        assert_eq!(country_code("+503").unwrap().as_deref(), Some("+503"));
        assert_eq!(country_code(" +1 ").unwrap().as_deref(), Some("+1"));
        assert_eq!(country_code("none").unwrap(), None);
        assert_eq!(country_code("NONE").unwrap(), None);
        assert_eq!(country_code("").unwrap(), None);
        for bad in ["503", "+", "+5030", "+0", "+05", "+50a", "++50", "+ 503"] {
            assert!(country_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_country_code_names_a_country() {
        for good in ["+1", "+34", "+52", "+503", "+598", "+44"] {
            assert_eq!(country_code(good).unwrap().as_deref(), Some(good));
        }
        // No country's: never given out, or a service of no country.
        for bad in ["+999", "+99", "+2", "+800", "+882"] {
            let e = country_code(bad).unwrap_err();
            assert_eq!(e.id, "e-country_code_of_no_country", "{bad}");
        }
        // What a clinic stored is read by its form alone.
        assert_eq!(
            country_code_written("+999").unwrap().as_deref(),
            Some("+999")
        );
    }
}
