//! A US Social Security number: the most sensitive value the API takes.

use secrecy::{ExposeSecret, SecretString};

use crate::http::FieldError;

/// Nine digits, dashes and spaces dropped. `Debug` shows no digit; only the Unit application
/// (`unit::NewIndividualApplication`) ever exposes it.
#[derive(Debug, Clone)]
pub struct Ssn(SecretString);

impl Ssn {
    pub const RULE: &str = "must be 9 digits (dashes allowed)";

    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let digits: String = value.trim().chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(SecretString::from(digits)))
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
    fn nine_digits_dashes_allowed_never_shown() {
        assert_eq!(Ssn::parse("ssn", " 123-45-6789 ").unwrap().expose(), "123456789");
        assert_eq!(Ssn::parse("ssn", "123 45 6789").unwrap().expose(), "123456789");
        for bad in ["", "987-65-432", "987-65-43210", "98765432a", "987_65_4321", "٩٨٧٦٥٤٣٢١"] {
            assert_eq!(Ssn::parse("ssn", bad).unwrap_err(), FieldError::new("ssn", Ssn::RULE), "{bad}");
        }
        assert!(!format!("{:?}", Ssn::parse("ssn", "123-45-6789").unwrap()).contains("6789"));
    }
}
