//! Input rules for step-up. Reasons name the rule, never the value (a value may be a code).

use stytch_unit_common::http::{ApiError, FieldError};

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
    fn recovery_codes() {
        assert_eq!(recovery_code("r", " AB12-cd34-ef56 ").unwrap(), "ab12-cd34-ef56");
        assert!(recovery_code("r", "ab12 cd34").is_err());
    }

    #[test]
    fn reasons_never_hold_the_value() {
        let error = code("code", "98765x").unwrap_err();
        assert!(!format!("{error:?}").contains("98765"));
    }
}
