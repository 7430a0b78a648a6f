//! Phone numbers in E.164, and local numbers read in a clinic's country code
//! (docs/rules.md#phones).

/// What the desk may type between the digits: spaces, dashes, dots and
/// parentheses (`+503 7765-4321`, `(212) 555.0100`).
fn cleaned(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\t'))
        .collect()
}

/// Why a typed phone is not a number appt can store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Neither E.164 nor a local number (letters, too long, too short).
    NotAPhone,
    /// A local number (digits without `+`) with no country code to read it in.
    NoCountryCode,
}

impl Problem {
    /// The problem in words, naming what was typed.
    pub fn message(&self, raw: &str) -> crate::text::Msg {
        let raw = raw.trim();
        match self {
            Problem::NotAPhone => crate::text::msg!("e-not_a_phone_number", raw = raw),
            Problem::NoCountryCode => crate::text::msg!("e-has_no_country_code", raw = raw),
        }
    }
}

/// A phone as the desk types it, in E.164, once spaces, dashes, dots and
/// parentheses are removed: with its `+` as it is (`+503 7765-4321` →
/// `+50377654321`); without, a local number, its digits after `country`, the
/// clinic's country code (`7765-4321` at `+503` → `+50377654321`). Either
/// way the result is `+` and 7–15 digits, the first not 0.
pub fn normalize(raw: &str, country: Option<&str>) -> Result<String, Problem> {
    let cleaned = cleaned(raw);
    let full = match cleaned.strip_prefix('+') {
        Some(_) => cleaned,
        None if cleaned.is_empty() || !cleaned.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(Problem::NotAPhone)
        }
        None => match country {
            Some(code) => format!("{code}{cleaned}"),
            // Too long for any country code: not a phone, whatever the clinic.
            None if cleaned.len() > 14 => return Err(Problem::NotAPhone),
            None => return Err(Problem::NoCountryCode),
        },
    };
    let digits = &full[1..];
    let ok = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(full)
    } else {
        Err(Problem::NotAPhone)
    }
}

/// Whether `raw` is written as a local number: digits (and separators)
/// without a `+`.
pub fn is_local(raw: &str) -> bool {
    let c = cleaned(raw);
    !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit())
}

/// A clinic's country code as typed: `+` and 1–3 digits, the first not 0
/// (`+503`, `+1`). `none` or blank clears it (None).
pub fn country_code(raw: &str) -> Result<Option<String>, crate::text::Msg> {
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
        // Too long, or too short, once the code is in front.
        assert_eq!(
            normalize("1234567890123", Some("+503")),
            Err(Problem::NotAPhone)
        );
        assert_eq!(normalize("12", Some("+503")), Err(Problem::NotAPhone));
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
}
