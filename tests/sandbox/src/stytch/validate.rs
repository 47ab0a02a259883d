//! Input checks shared by several endpoints.

use super::errors::{StytchError, StytchResult};

/// A deliberately loose address check: one `@`, something before it, a dot in the domain, no spaces.
pub fn email(email: &str) -> StytchResult<String> {
    let email = email.trim();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email.to_owned())
    } else {
        Err(StytchError::bad_request("invalid_email", "Email format is invalid."))
    }
}

/// E.164: `+`, a non-zero digit, then 6 to 14 more digits.
pub fn phone_number(phone: &str) -> StytchResult<String> {
    let phone = phone.trim();
    let digits = phone.strip_prefix('+').unwrap_or("");
    let valid =
        (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0');
    if valid {
        Ok(phone.to_owned())
    } else {
        Err(StytchError::bad_request(
            "invalid_phone_number",
            "Phone number format is invalid; use E.164, e.g. +15555550123.",
        ))
    }
}

/// `external_id`: letters, digits, `.`, `_`, `-` or `|`, at most 128 characters (stytch-node
/// `UsersCreateRequest.external_id`).
pub fn external_id(external_id: &str) -> StytchResult<()> {
    let valid = !external_id.is_empty()
        && external_id.len() <= 128
        && external_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '|'));
    if valid {
        Ok(())
    } else {
        Err(StytchError::bad_request(
            "invalid_external_id",
            "external_id must be 1 to 128 letters, digits, '.', '_', '-' or '|'.",
        ))
    }
}

/// `value` (or `default`) when within `min..=max`, else 400 `invalid_expiration_minutes`.
pub fn minutes(value: Option<i64>, default: i64, min: i64, max: i64, field: &str) -> StytchResult<i64> {
    let minutes = value.unwrap_or(default);
    if (min..=max).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(StytchError::bad_request("invalid_expiration_minutes", format!("{field} must be between {min} and {max}.")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones() {
        assert!(email("ada@example.com").is_ok());
        assert!(email("ada@example").is_err());
        assert!(email("a da@example.com").is_err());
        assert!(phone_number("+15555550123").is_ok());
        assert!(phone_number("+10000000000").is_ok());
        assert!(phone_number("15555550123").is_err());
        assert!(phone_number("+0555").is_err());
    }
}
