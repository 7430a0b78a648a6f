//! The settings of a clinic's online booking page (docs/commands.md#appt-clinic-addlistshowupdate):
//! the slug its address ends in, and the bounds of what it offers. Pure
//! functions over values: which slug is valid, the slug a clinic's name
//! gives, how long the page may hold a time.

use super::limits;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// How far ahead the page offers times by default: 30 days, in minutes.
pub const DEFAULT_HORIZON: i64 = 30 * 24 * 60;

/// The least notice a web booking takes by default: 2 hours, in minutes.
pub const DEFAULT_NOTICE: i64 = 120;

/// How long a time is held for a patient typing their code by default, in minutes.
pub const DEFAULT_HOLD: i64 = 10;

/// Whether the page may hold one more time on a doctor's day that has
/// `free` free times (the held ones counted free) and `live` live holds:
/// at most a third of them, rounded up, are held at once
/// (docs/rules.md#holds), so that phones nobody owns cannot empty a day.
pub fn may_hold(live: usize, free: usize) -> bool {
    live < free.div_ceil(3)
}

/// The most codes a clinic's page sends in an hour by default.
pub const DEFAULT_CODES_PER_HOUR: i64 = 60;

/// The highest `--web-codes-per-hour` a clinic may set.
pub const MAX_CODES_PER_HOUR: i64 = 100_000;

/// Whether the page sends a code to `phone` (E.164) of a clinic whose
/// country code is `own` and whose page also takes `others`
/// (docs/booking.md#codes): its country code is one of them. A clinic
/// that names no country at all sends to any.
pub fn sends_to(phone: &str, own: Option<&str>, others: &[String]) -> bool {
    let mut codes = own
        .into_iter()
        .chain(others.iter().map(String::as_str))
        .peekable();
    if codes.peek().is_none() {
        return true;
    }
    let country = super::phone::country_of(phone);
    codes.any(|c| country.as_deref() == Some(c))
}

/// `--web-countries` as typed: country codes separated by commas (`+502,
/// +504`), each a country's, or `none` for no other than the clinic's.
pub fn countries(typed: &str) -> Result<Vec<String>, crate::text::Msg> {
    let t = typed.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut out: Vec<String> = Vec::new();
    for part in t.split(',') {
        let code = super::phone::country_code(part)?
            .ok_or_else(|| crate::text::msg!("e-country_code_of_no_country", t = part.trim()))?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// `--web-codes-per-hour`: 1 to [`MAX_CODES_PER_HOUR`].
pub fn check_codes_per_hour(n: i64) -> Result<i64, crate::text::Msg> {
    if (1..=MAX_CODES_PER_HOUR).contains(&n) {
        Ok(n)
    } else {
        Err(crate::text::msg!(
            "e-web_codes_per_hour_between",
            max = MAX_CODES_PER_HOUR,
            n = n
        ))
    }
}

/// The longest a slug may be, in characters.
pub const SLUG_MAX: usize = 60;

/// Whether `s` is a slug appt takes: 1 to [`SLUG_MAX`] of `a-z`, `0-9` and
/// `-`, neither starting nor ending with `-`.
pub fn is_slug(s: &str) -> bool {
    (1..=SLUG_MAX).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A `--slug` as typed: the slug (trimmed), or None for `none`, which
/// gives the clinic back the slug of its name.
pub fn slug(typed: &str) -> Result<Option<String>, crate::text::Msg> {
    let t = typed.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    if is_slug(t) {
        Ok(Some(t.to_string()))
    } else {
        Err(crate::text::msg!(
            "e-slug_must_be",
            raw = typed,
            max = SLUG_MAX
        ))
    }
}

/// The slug a clinic's name gives (its page's address when it sets none):
/// lower case, accents dropped (`á` is `a`, `ñ` is `n`), each run of other
/// characters one `-`, no `-` at either end, at most [`SLUG_MAX`]
/// characters. A name with no letter or digit of `a-z`, `0-9` gives `clinic`.
pub fn of_name(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out.truncate(SLUG_MAX);
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "clinic".into()
    } else {
        out.to_string()
    }
}

/// A `--web-hold` in minutes: [`limits::WEB_HOLD`] (1 to 60).
pub fn check_hold(m: i64) -> Result<i64, crate::text::Msg> {
    if limits::WEB_HOLD.contains(&m) {
        Ok(m)
    } else {
        Err(crate::text::msg!(
            "e-web_hold_between",
            lo = *limits::WEB_HOLD.start(),
            hi = *limits::WEB_HOLD.end(),
            m = m
        ))
    }
}

#[cfg(test)]
mod tests {

    /// A fourth hold on a day of nine free times is one too many; a day
    /// of one free time may still hold it.
    #[test]
    fn a_third_of_a_days_free_times_may_be_held() {
        assert!(super::may_hold(2, 9));
        assert!(!super::may_hold(3, 9));
        assert!(super::may_hold(0, 1));
        assert!(!super::may_hold(1, 1));
        assert!(super::may_hold(2, 8) && !super::may_hold(3, 8));
        assert!(!super::may_hold(0, 0));
    }

    use super::*;

    #[test]
    fn a_names_slug_is_its_words_in_plain_lower_case() {
        assert_eq!(of_name("Clínica San Benito"), "clinica-san-benito");
        assert_eq!(of_name("  Niños & Cía.  (Sur) "), "ninos-cia-sur");
        assert_eq!(of_name("Pingüino 24/7"), "pinguino-24-7");
        assert_eq!(of_name("ÁRBOL"), "arbol");
        assert_eq!(of_name("東京"), "clinic");
        assert_eq!(of_name("---"), "clinic");
        let long = of_name(&"ab ".repeat(40));
        assert!(long.len() <= SLUG_MAX && is_slug(&long), "{long}");
        // Every name gives a slug appt would take.
        for n in ["a", "Dr. X", "x-", "-x", "a  b", "Ωmega 9"] {
            assert!(is_slug(&of_name(n)), "{n}: {}", of_name(n));
        }
    }

    #[test]
    fn a_given_slug_is_lower_case_letters_digits_and_dashes() {
        assert_eq!(slug("san-benito").unwrap().as_deref(), Some("san-benito"));
        assert_eq!(slug(" sb2 ").unwrap().as_deref(), Some("sb2"));
        assert!(slug("None").unwrap().is_none());
        for bad in [
            "",
            "-sb",
            "sb-",
            "San",
            "san benito",
            "clínica",
            "a_b",
            "a/b",
        ] {
            assert!(slug(bad).is_err(), "{bad:?}");
        }
        assert!(slug(&"a".repeat(60)).is_ok());
        assert!(slug(&"a".repeat(61)).is_err());
    }

    #[test]
    fn a_hold_is_one_minute_to_an_hour() {
        assert_eq!(check_hold(1).ok(), Some(1));
        assert_eq!(check_hold(60).ok(), Some(60));
        assert!(check_hold(0).is_err());
        assert!(check_hold(61).is_err());
    }
}
