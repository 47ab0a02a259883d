//! A phone number as applications take it: a country calling code and a national number, both
//! normalised to digits (Unit's `phone`; `+<countryCode><number>` for Stytch).

use super::fields::{Fields, Object};
use crate::{http::FieldError, unit::Phone};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    country_code: String,
    number: String,
}

impl PhoneNumber {
    /// `countryCode` and `number` of `phone`, each problem recorded in `fields`.
    pub fn read(fields: &mut Fields, phone: &Object) -> Option<Self> {
        let country_code = fields.required(phone, "countryCode", country_code);
        let number = fields.required(phone, "number", national_number);
        Some(Self { country_code: country_code?, number: number? })
    }

    /// `+<countryCode><number>`, the form Stytch uses.
    pub fn e164(&self) -> String {
        format!("+{}{}", self.country_code, self.number)
    }
}

impl From<PhoneNumber> for Phone {
    fn from(phone: PhoneNumber) -> Self {
        Phone { country_code: phone.country_code, number: phone.number }
    }
}

/// 1–3 digits; a leading `+` is accepted and dropped.
fn country_code(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let digits = value.strip_prefix('+').unwrap_or(value);
    if (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits.to_owned())
    } else {
        Err(FieldError::new(field, "must be 1 to 3 digits"))
    }
}

/// 4–15 digits; spaces, dashes, dots and parentheses are accepted and dropped.
fn national_number(field: &str, value: &str) -> Result<String, FieldError> {
    let digits: String = value.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    if (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(FieldError::new(field, "must be 4 to 15 digits"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(phone: serde_json::Value) -> (Option<PhoneNumber>, Vec<FieldError>) {
        let mut fields = Fields::default();
        let object = fields.object_at(&phone, "phone");
        (PhoneNumber::read(&mut fields, &object), fields.into_errors())
    }

    #[test]
    fn digits_are_kept_and_punctuation_dropped() {
        let (phone, errors) = read(json!({"countryCode": " +1", "number": "(555) 555-0123\n"}));
        assert_eq!((phone.unwrap().e164(), errors), ("+15555550123".to_owned(), vec![]));
    }

    #[test]
    fn each_part_is_refused_by_name() {
        let (phone, errors) = read(json!({"countryCode": "+1234", "number": "555-01a3"}));
        assert_eq!(phone, None);
        assert_eq!(
            errors,
            [
                FieldError::new("phone.countryCode", "must be 1 to 3 digits"),
                FieldError::new("phone.number", "must be 4 to 15 digits")
            ]
        );
        let (_, errors) = read(json!({"countryCode": "", "number": "123"}));
        assert_eq!(errors.len(), 2);
    }
}
