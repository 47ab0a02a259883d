//! Input rules for step-up. Reasons name the rule, never the value (a value may be a code).

use stytch_unit_common::http::{ApiError, FieldError};

const MAX_ID_CHARS: usize = 128;
const MAX_RECOVERY_CODE_CHARS: usize = 64;

fn invalid(field: &str, reason: &str) -> FieldError {
    FieldError::new(field, reason)
}

/// One bad field as the 400 answer.
pub fn refuse(error: FieldError) -> ApiError {
    ApiError::Validation(vec![error])
}

/// A six-digit one-time code (TOTP or SMS), surrounding spaces dropped.
pub fn code(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(invalid(field, "must be 6 digits"))
    }
}

/// E.164: `+`, then 7 to 15 digits, the first not 0.
pub fn phone_number(field: &str, value: &str) -> Result<String, FieldError> {
    let number = value.trim();
    let digits = number.strip_prefix('+').unwrap_or_default();
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0') {
        Ok(number.to_owned())
    } else {
        Err(invalid(field, "must be an E.164 phone number such as +14155550100"))
    }
}

/// A Stytch id (`phone-number-test-…`): letters, digits, `-` and `_`.
pub fn stytch_id(field: &str, value: &str) -> Result<String, FieldError> {
    let id = value.trim();
    if !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id.to_owned())
    } else {
        Err(invalid(field, "must be a phone id returned by POST /step-up/sms/send"))
    }
}

/// A TOTP recovery code (`xxxx-xxxx-xxxx`), lower-cased as Stytch issues them.
pub fn recovery_code(field: &str, value: &str) -> Result<String, FieldError> {
    let code = value.trim();
    if !code.is_empty()
        && code.len() <= MAX_RECOVERY_CODE_CHARS
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(code.to_ascii_lowercase())
    } else {
        Err(invalid(field, "must be a recovery code such as abcd-1234-efgh"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(code("code", " 012345 ").unwrap(), "012345");
        for bad in ["", "12345", "1234567", "12345a", "12 345"] {
            assert!(code("code", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers() {
        assert!(phone_number("p", "+14155550100").is_ok());
        assert!(phone_number("p", "+10000000000").is_ok());
        for bad in ["14155550100", "+0123456789", "+123456", "+1234567890123456", "+1 415 555 0100", ""] {
            assert!(phone_number("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_and_recovery_codes() {
        assert!(stytch_id("phoneId", "phone-number-test-0b5e").is_ok());
        assert!(stytch_id("phoneId", "../users").is_err());
        assert_eq!(recovery_code("r", " AB12-cd34-ef56 ").unwrap(), "ab12-cd34-ef56");
        assert!(recovery_code("r", "ab12 cd34").is_err());
    }

    #[test]
    fn reasons_never_hold_the_value() {
        let error = code("code", "98765x").unwrap_err();
        assert!(!format!("{error:?}").contains("98765"));
    }
}
