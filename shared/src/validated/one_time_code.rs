//! A six-digit one-time code: a TOTP, Stytch's SMS code or Unit's SMS verification code.

use secrecy::{ExposeSecret, SecretString};

use crate::http::FieldError;

/// Six ASCII digits. `Debug` shows no digit: a code is a credential until it is spent.
#[derive(Debug, Clone)]
pub struct OneTimeCode(SecretString);

impl OneTimeCode {
    pub const RULE: &str = "must be 6 digits";

    /// `value` as a code, or the field error for `field`.
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(SecretString::from(value)))
        } else {
            Err(FieldError::new(field, Self::RULE))
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_and_nothing_else() {
        assert_eq!(OneTimeCode::parse("code", "012345").unwrap().expose(), "012345");
        for bad in ["", "12345", "1234567", "12345a", " 12345", "١٢٣٤٥٦"] {
            assert_eq!(
                OneTimeCode::parse("code", bad).unwrap_err(),
                FieldError::new("code", OneTimeCode::RULE),
                "{bad}"
            );
        }
        assert!(!format!("{:?}", OneTimeCode::parse("code", "012345").unwrap()).contains("012345"));
    }
}
