//! Phone numbers in E.164.

/// Removes spaces, dashes, dots and parentheses and checks the result is E.164
/// (`+503 7765-4321` → `+50377654321`).
pub fn normalize(raw: &str) -> Result<String, String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\t'))
        .collect();
    let digits = cleaned.strip_prefix('+').unwrap_or("");
    let ok = cleaned.starts_with('+')
        && (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(cleaned)
    } else {
        Err("Phone must be in E.164 format, e.g. +50377654321".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_separators() {
        assert_eq!(normalize("+503 7765-4321").unwrap(), "+50377654321");
        assert_eq!(normalize("+1 (212) 555.0100").unwrap(), "+12125550100");
    }

    #[test]
    fn refuses_non_e164() {
        for bad in [
            "77654321",
            "+",
            "+0123456789",
            "+503 7765-43x1",
            "",
            "+1234567890123456",
        ] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
    }
}
