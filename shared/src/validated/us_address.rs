//! The API's one address: applications and card shipping take the same type, with the same rules
//! and messages. A US address (Unit issues cards to, and KYCs, US residents), a US state or
//! territory code, a ZIP code, lines of at most 255 characters. Reasons never repeat the value.

use super::{
    fields::{Fields, Object},
    one_line::{one_line, rule},
};
use crate::{http::FieldError, unit::Address};

const MAX_LINE_CHARS: usize = 255;

const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "UM",
];

/// A checked US address: lines trimmed, the state upper-cased. Unit's wire [`Address`] is built
/// from it (`Address::from`), with `country` `US`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsAddress {
    street: String,
    street2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
}

impl UsAddress {
    /// The parts of `address` (`street`, `street2?`, `city`, `state`, `postalCode`, `country`),
    /// each problem recorded in `fields` as `<address>.<part>`.
    pub fn read(fields: &mut Fields, address: &Object) -> Option<Self> {
        let street = fields.required(address, "street", line);
        let street2 = fields.optional(address, "street2", line);
        let city = fields.required(address, "city", line);
        let state = fields.required(address, "state", state);
        let postal_code = fields.required(address, "postalCode", postal_code);
        let country = fields.required(address, "country", country);
        country?;
        Some(Self { street: street?, street2: street2?, city: city?, state: state?, postal_code: postal_code? })
    }

    pub fn state(&self) -> &str {
        &self.state
    }
}

impl From<UsAddress> for Address {
    fn from(address: UsAddress) -> Self {
        Address {
            street: address.street,
            street2: address.street2,
            city: address.city,
            state: address.state,
            postal_code: address.postal_code,
            country: "US".to_owned(),
        }
    }
}

/// A line of 1 to 255 characters, trimmed.
fn line(field: &str, value: &str) -> Result<String, FieldError> {
    one_line(value, MAX_LINE_CHARS).map(str::to_owned).ok_or_else(|| FieldError::new(field, rule(MAX_LINE_CHARS)))
}

/// A two-letter US state or territory code, upper-cased.
fn state(field: &str, value: &str) -> Result<String, FieldError> {
    let state = value.trim().to_ascii_uppercase();
    if US_STATES.contains(&state.as_str()) {
        Ok(state)
    } else {
        Err(FieldError::new(field, "must be a two-letter US state code"))
    }
}

/// `12345` or `12345-6789`.
fn postal_code(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let ok = match bytes.len() {
        5 => digits(0..5),
        10 => digits(0..5) && bytes[5] == b'-' && digits(6..10),
        _ => false,
    };
    if ok {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(field, "must be 5 digits or 5+4 digits (12345 or 12345-6789)"))
    }
}

/// Only US addresses.
fn country(field: &str, value: &str) -> Result<(), FieldError> {
    if value.trim().eq_ignore_ascii_case("US") { Ok(()) } else { Err(FieldError::new(field, "must be US")) }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn read(address: Value) -> (Option<UsAddress>, Vec<FieldError>) {
        let mut fields = Fields::default();
        let object = fields.object_at(&address, "shippingAddress");
        (UsAddress::read(&mut fields, &object), fields.into_errors())
    }

    #[test]
    fn a_us_address_is_normalised() {
        let (address, errors) = read(json!({"street": " 1 Main St ", "city": "Springfield", "state": "il",
            "postalCode": "62701-1234", "country": "us"}));
        assert_eq!(errors, []);
        let wire = Address::from(address.unwrap());
        assert_eq!(
            (wire.street.as_str(), wire.street2, wire.state.as_str(), wire.country.as_str()),
            ("1 Main St", None, "IL", "US")
        );
    }

    #[test]
    fn other_countries_made_up_states_bad_zips_and_broken_lines_are_refused() {
        let (address, errors) = read(json!({"street": "1 Main St\n2", "street2": "", "city": "x".repeat(256),
            "state": "ZZ", "postalCode": "7500", "country": "FR"}));
        assert_eq!(address, None);
        let line = "must be 1 to 255 characters on one line";
        assert_eq!(
            errors,
            [
                FieldError::new("shippingAddress.street", line),
                FieldError::new("shippingAddress.street2", line),
                FieldError::new("shippingAddress.city", line),
                FieldError::new("shippingAddress.state", "must be a two-letter US state code"),
                FieldError::new("shippingAddress.postalCode", "must be 5 digits or 5+4 digits (12345 or 12345-6789)"),
                FieldError::new("shippingAddress.country", "must be US"),
            ]
        );
    }

    #[test]
    fn missing_parts_are_required_and_street2_is_optional() {
        let (address, errors) = read(json!({"street": "1 Main St", "street2": null, "city": "X"}));
        assert_eq!(address, None);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["shippingAddress.state", "shippingAddress.postalCode", "shippingAddress.country"]);
        assert!(errors.iter().all(|e| e.reason == "is required"));
    }
}
