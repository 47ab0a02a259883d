//! The API's one set of address rules, as applications take them: a US address (Unit issues
//! cards to, and KYCs, US residents), a US state or territory code, a ZIP code, lines of at most
//! 255 characters. Reasons never repeat the value.

use super::Address;
use crate::http::FieldError;

const MAX_LINE_CHARS: usize = 255;

const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "UM",
];

/// A two-letter US state or territory code, upper-cased.
pub fn state(value: &str) -> Result<String, &'static str> {
    let state = value.trim().to_ascii_uppercase();
    if US_STATES.contains(&state.as_str()) { Ok(state) } else { Err("must be a two-letter US state code") }
}

/// `12345` or `12345-6789`.
pub fn postal_code(value: &str) -> Result<String, &'static str> {
    let value = value.trim();
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let ok = match bytes.len() {
        5 => digits(0..5),
        10 => digits(0..5) && bytes[5] == b'-' && digits(6..10),
        _ => false,
    };
    if ok { Ok(value.to_owned()) } else { Err("must be 5 digits or 5+4 digits (12345 or 12345-6789)") }
}

/// Only US addresses.
pub fn country(value: &str) -> Result<String, &'static str> {
    if value.trim().eq_ignore_ascii_case("US") { Ok("US".to_owned()) } else { Err("must be US") }
}

/// A line of 1 to 255 characters, trimmed.
pub fn line(value: &str) -> Result<String, &'static str> {
    let line = value.trim();
    if (1..=MAX_LINE_CHARS).contains(&line.chars().count()) && !line.chars().any(char::is_control) {
        Ok(line.to_owned())
    } else {
        Err("must be 1 to 255 characters on one line")
    }
}

/// `address` checked and normalised (trimmed, state and country upper-cased); each problem is
/// pushed onto `errors` as `<field>.<part>`.
pub fn check(address: &Address, field: &str, errors: &mut Vec<FieldError>) -> Option<Address> {
    let before = errors.len();
    let mut part = |name: &str, result: Result<String, &'static str>| {
        result.map_err(|reason| errors.push(FieldError::new(format!("{field}.{name}"), reason))).ok()
    };
    let street = part("street", line(&address.street));
    let street2 = address.street2.as_ref().map(|street2| part("street2", line(street2)));
    let city = part("city", line(&address.city));
    let state = part("state", state(&address.state));
    let postal_code = part("postalCode", postal_code(&address.postal_code));
    let country = part("country", country(&address.country));
    if errors.len() != before {
        return None;
    }
    Some(Address {
        street: street?,
        street2: street2.flatten(),
        city: city?,
        state: state?,
        postal_code: postal_code?,
        country: country?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(state: &str, country: &str, zip: &str) -> Address {
        Address {
            street: " 1 Main St ".into(),
            street2: None,
            city: "Springfield".into(),
            state: state.into(),
            postal_code: zip.into(),
            country: country.into(),
        }
    }

    #[test]
    fn a_us_address_is_normalised() {
        let checked = check(&address("il", "us", "62701-1234"), "shippingAddress", &mut Vec::new()).unwrap();
        assert_eq!(
            (checked.street.as_str(), checked.state.as_str(), checked.country.as_str()),
            ("1 Main St", "IL", "US")
        );
    }

    #[test]
    fn other_countries_made_up_states_and_bad_zips_are_refused() {
        let mut errors = Vec::new();
        assert!(check(&address("ZZ", "FR", "7500"), "shippingAddress", &mut errors).is_none());
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["shippingAddress.state", "shippingAddress.postalCode", "shippingAddress.country"]);
        assert!(errors.iter().all(|e| !e.reason.contains("ZZ") && !e.reason.contains("7500")));
    }
}
