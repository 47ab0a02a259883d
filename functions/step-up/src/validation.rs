//! Input rules for step-up. Reasons name the rule, never the value (a value may be a code).

use stytch_unit_common::{
    ExposeSecret, SecretString,
    http::{ApiError, FieldError},
    validated::OneTimeCode,
};

const MAX_RECOVERY_CODE_CHARS: usize = 64;
/// Stytch's session tokens are 44 characters; anything much longer is not one.
const MAX_SESSION_TOKEN_CHARS: usize = 256;
/// Stytch's shortest session.
const MIN_SESSION_MINUTES: i64 = 5;

fn invalid(field: &str, reason: &str) -> FieldError {
    FieldError::new(field, reason)
}

/// One bad field as the 400 answer.
pub fn refuse(error: FieldError) -> ApiError {
    ApiError::Validation(vec![error])
}

/// Every bad field of two checks as the 400 answer, or both values.
pub fn both<A, B>(a: Result<A, FieldError>, b: Result<B, FieldError>) -> Result<(A, B), ApiError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(ApiError::Validation(a.err().into_iter().chain(b.err()).collect())),
    }
}

/// A six-digit one-time code (TOTP or SMS), surrounding spaces dropped (typed from an app).
pub fn code(field: &str, value: &str) -> Result<OneTimeCode, FieldError> {
    OneTimeCode::parse(field, value.trim())
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

/// A Stytch session token (opaque: printable ASCII, no spaces), surrounding spaces dropped.
pub fn session_token(field: &str, value: &SecretString) -> Result<SecretString, FieldError> {
    let token = value.expose_secret().trim();
    if !token.is_empty() && token.len() <= MAX_SESSION_TOKEN_CHARS && token.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(SecretString::from(token))
    } else {
        Err(invalid(field, "must be the sessionToken Stytch issued at login"))
    }
}

/// How long a refreshed session may last from now: 5 minutes to `max`, the configured
/// `SESSION_DURATION_MINUTES` (a refresh never grants a longer session than a login does).
pub fn session_minutes(field: &str, value: i64, max: u32) -> Result<u32, FieldError> {
    match u32::try_from(value) {
        Ok(minutes) if value >= MIN_SESSION_MINUTES && minutes <= max => Ok(minutes),
        _ => Err(invalid(field, &format!("must be a whole number of minutes from {MIN_SESSION_MINUTES} to {max}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(code("code", " 012345 ").unwrap().expose(), "012345");
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
    fn session_tokens() {
        let token = |value: &str| session_token("sessionToken", &SecretString::from(value));
        assert_eq!(token(" mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q ").unwrap().expose_secret().len(), 44);
        for bad in ["", "   ", "two words", "tab\there", "é", &"a".repeat(257)] {
            assert!(token(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_minutes_stay_within_five_and_the_configured_duration() {
        assert_eq!(session_minutes("m", 5, 60), Ok(5));
        assert_eq!(session_minutes("m", 60, 60), Ok(60));
        for bad in [4, 61, 0, -5, i64::MAX] {
            assert!(session_minutes("m", bad, 60).is_err(), "{bad}");
        }
        assert_eq!(session_minutes("m", 61, 60).unwrap_err().reason, "must be a whole number of minutes from 5 to 60");
    }

    #[test]
    fn reasons_never_hold_the_value() {
        let error = code("code", "98765x").unwrap_err();
        assert!(!format!("{error:?}").contains("98765"));
        let error = session_token("sessionToken", &SecretString::from("secret token value")).unwrap_err();
        assert!(!format!("{error:?}").contains("secret"));
    }
}
