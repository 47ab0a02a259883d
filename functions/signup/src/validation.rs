//! Input rules for signup and applications: the body parsed into the shared validated types
//! (`stytch_unit_common::validated`). Every rule names the field and why it failed, never the
//! value (a value may be an SSN). All problems of one body are reported together.

use serde_json::Value;
use stytch_unit_common::{
    http::ApiError,
    unit::FullName,
    validated::{DateOfBirth, Email, Fields, PersonName, PhoneNumber, Ssn, UsAddress},
};
use time::{Date, OffsetDateTime};

/// A validated application, ready for Unit. Built only by [`application`].
pub struct ValidApplication {
    pub first: PersonName,
    pub last: PersonName,
    pub email: Email,
    pub phone: PhoneNumber,
    pub date_of_birth: DateOfBirth,
    pub address: UsAddress,
    pub ssn: Ssn,
}

impl ValidApplication {
    pub fn full_name(&self) -> FullName {
        FullName { first: self.first.as_str().to_owned(), last: self.last.as_str().to_owned() }
    }
}

/// Validates a `POST /applications` body. Unknown fields are ignored (a smuggled `jwtSubject`
/// or `customerId` has no effect: the subject comes from the verified session only).
pub fn application(body: &Value, today: Date) -> Result<ValidApplication, ApiError> {
    let root = Fields::body(body)?;
    let mut fields = Fields::default();

    let full_name = fields.object(&root, "fullName");
    let first = fields.required(&full_name, "first", PersonName::parse);
    let last = fields.required(&full_name, "last", PersonName::parse);
    let email = fields.required(&root, "email", Email::parse);
    let phone = fields.object(&root, "phone");
    let phone = PhoneNumber::read(&mut fields, &phone);
    let date_of_birth = fields.required(&root, "dateOfBirth", |field, value| DateOfBirth::parse(field, value, today));
    let address = fields.object(&root, "address");
    let address = UsAddress::read(&mut fields, &address);
    let ssn = fields.required(&root, "ssn", Ssn::parse);

    let valid = || {
        Some(ValidApplication {
            first: first?,
            last: last?,
            email: email?,
            phone: phone?,
            date_of_birth: date_of_birth?,
            address: address?,
            ssn: ssn?,
        })
    };
    fields.finish(valid())
}

/// Today in UTC, for the age rule.
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use stytch_unit_common::{
        http::FieldError,
        unit::{Address, Phone},
    };
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn body() -> Value {
        json!({
            "fullName": {"first": " Ada ", "last": "Lovelace"},
            "email": "ada@example.com",
            "phone": {"countryCode": "+1", "number": "(555) 555-0123"},
            "dateOfBirth": "1990-12-10",
            "address": {"street": "1 Main St", "city": "Springfield", "state": "il", "postalCode": "62701-1234", "country": "us"},
            "ssn": "123-45-6789",
        })
    }

    fn errors(body: &Value) -> Vec<FieldError> {
        match application(body, TODAY) {
            Err(ApiError::Validation(errors)) => errors,
            Err(other) => panic!("unexpected {other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn a_good_application_is_normalised() {
        let valid = application(&body(), TODAY).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(valid.full_name().first, "Ada");
        assert_eq!(Phone::from(valid.phone), Phone { country_code: "1".into(), number: "5555550123".into() });
        assert_eq!(valid.date_of_birth.to_string(), "1990-12-10");
        let address = Address::from(valid.address);
        assert_eq!(address.state, "IL");
        assert_eq!(address.country, "US");
        assert_eq!(address.street2, None);
        assert_eq!(valid.ssn.expose(), "123456789");
    }

    #[test]
    fn every_missing_field_is_listed() {
        let fields: Vec<String> = errors(&json!({})).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["fullName", "email", "phone", "dateOfBirth", "address", "ssn"]);
        let fields: Vec<String> =
            errors(&json!({"fullName": {}, "phone": {}, "address": {}})).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "fullName.first",
                "fullName.last",
                "email",
                "phone.countryCode",
                "phone.number",
                "dateOfBirth",
                "address.street",
                "address.city",
                "address.state",
                "address.postalCode",
                "address.country",
                "ssn"
            ]
        );
    }

    #[test]
    fn bad_values_are_named_without_their_values() {
        let mut bad = body();
        bad["ssn"] = json!("987-65-432");
        bad["dateOfBirth"] = json!("1990-02-30");
        bad["address"]["postalCode"] = json!("1234");
        bad["address"]["state"] = json!("XX");
        bad["email"] = json!("not-an-email");
        bad["fullName"]["last"] = json!(42);
        let errors = errors(&bad);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["fullName.last", "email", "dateOfBirth", "address.state", "address.postalCode", "ssn"]);
        let text = format!("{errors:?}");
        assert!(!text.contains("98765432") && !text.contains("65-432") && !text.contains("1990"), "{text}");
    }

    #[test]
    fn the_address_rules_are_the_card_shipping_rules() {
        let mut bad = body();
        bad["address"]["street"] = json!("1 Main St\nSpringfield");
        bad["address"]["street2"] = json!(" ");
        bad["fullName"]["first"] = json!("");
        let line = |max| format!("must be 1 to {max} characters on one line");
        assert_eq!(
            errors(&bad),
            [
                FieldError::new("fullName.first", line(100)),
                FieldError::new("address.street", line(255)),
                FieldError::new("address.street2", line(255))
            ]
        );
    }

    #[test]
    fn only_an_object_is_an_application() {
        assert_eq!(errors(&json!([1])), [FieldError::new("(body)", "must be a JSON object")]);
    }
}
