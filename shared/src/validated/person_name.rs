//! A part of a person's name (first, last), as an application takes it.

use super::one_line::{one_line, rule};
use crate::http::FieldError;

const MAX_CHARS: usize = 100;

/// One line of 1 to 100 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        one_line(value, MAX_CHARS)
            .map(|name| Self(name.to_owned()))
            .ok_or_else(|| FieldError::new(field, rule(MAX_CHARS)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_trimmed_line_of_at_most_100_characters() {
        assert_eq!(PersonName::parse("fullName.first", " Ada ").unwrap().as_str(), "Ada");
        assert!(PersonName::parse("fullName.first", &"a".repeat(100)).is_ok());
        for bad in [String::new(), "  ".into(), "a".repeat(101), "Ada\nLovelace".into()] {
            assert_eq!(
                PersonName::parse("fullName.first", &bad).unwrap_err(),
                FieldError::new("fullName.first", "must be 1 to 100 characters on one line")
            );
        }
    }
}
