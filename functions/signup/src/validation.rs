//! Input rules for signup and applications. Every rule names the field and why it failed, never
//! the value (a value may be an SSN). All problems of one body are reported together.

use secrecy::SecretString;
use serde_json::{Map, Value};
use stytch_unit_common::{
    http::{ApiError, FieldError},
    unit::{Address, FullName, Phone, us_address},
};
use time::{Date, OffsetDateTime, macros::format_description};

/// Applicants must be adults.
pub const MIN_AGE_YEARS: i32 = 18;
/// Older than this is a typo.
const MAX_AGE_YEARS: i32 = 125;
const MAX_TEXT_CHARS: usize = 255;
const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;

/// A plausible email address, trimmed: one `@`, a non-empty local part, a dotted domain, no
/// spaces. Deliverability is for Stytch (and the user's mailbox) to prove.
pub fn email(value: &str) -> Result<String, &'static str> {
    let email = value.trim();
    if email.is_empty() {
        return Err("must not be empty");
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err("must be at most 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("must be an email address");
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.len() > 64 || !domain_ok || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("must be an email address");
    }
    Ok(email.to_owned())
}

/// A validated application, ready for Unit. Built only by [`application`].
pub struct ValidApplication {
    pub full_name: FullName,
    pub email: String,
    pub phone: Phone,
    pub date_of_birth: String,
    pub address: Address,
    /// Nine digits, dashes removed.
    pub ssn: SecretString,
}

/// Walks a JSON body, collecting every problem instead of stopping at the first.
struct Checker<'a> {
    errors: Vec<FieldError>,
    root: &'a Map<String, Value>,
}

impl<'a> Checker<'a> {
    fn fail(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// The object at `field` of `parent`; `None` (with one error) if missing or not an object,
    /// and `None` silently when the parent itself was already refused.
    fn object(
        &mut self,
        parent: Option<&'a Map<String, Value>>,
        name: &str,
        field: &str,
    ) -> Option<&'a Map<String, Value>> {
        match parent?.get(name) {
            None | Some(Value::Null) => {
                self.fail(field, "is required");
                None
            }
            Some(Value::Object(object)) => Some(object),
            Some(_) => {
                self.fail(field, "has the wrong type: expected an object");
                None
            }
        }
    }

    /// The trimmed string at `field`; `Ok(None)` when absent and optional.
    fn text(&mut self, parent: Option<&Map<String, Value>>, name: &str, field: &str, required: bool) -> Option<String> {
        match parent?.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(field, "is required");
                }
                None
            }
            Some(Value::String(text)) => {
                let text = text.trim();
                if text.is_empty() {
                    if required {
                        self.fail(field, "must not be empty");
                    }
                    return None;
                }
                if text.chars().any(char::is_control) {
                    self.fail(field, "must not contain control characters");
                    return None;
                }
                Some(text.to_owned())
            }
            Some(_) => {
                self.fail(field, "has the wrong type: expected a string");
                None
            }
        }
    }

    fn limited(&mut self, value: Option<String>, field: &str, max: usize) -> Option<String> {
        let value = value?;
        if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
            return None;
        }
        Some(value)
    }

    /// Applies `rule` to a present value, recording its reason on failure.
    fn rule<T>(
        &mut self,
        value: Option<String>,
        field: &str,
        rule: impl FnOnce(&str) -> Result<T, &'static str>,
    ) -> Option<T> {
        match rule(&value?) {
            Ok(valid) => Some(valid),
            Err(reason) => {
                self.fail(field, reason);
                None
            }
        }
    }
}

/// Validates a `POST /applications` body. Unknown fields are ignored (a smuggled `jwtSubject`
/// or `customerId` has no effect: the subject comes from the verified session only).
pub fn application(body: &Value, today: Date) -> Result<ValidApplication, ApiError> {
    let Value::Object(root) = body else {
        return Err(ApiError::Validation(vec![FieldError::new("(body)", "must be a JSON object")]));
    };
    let mut c = Checker { errors: Vec::new(), root };
    let root = Some(c.root);

    let full_name = c.object(root, "fullName", "fullName");
    let first = c.text(full_name, "first", "fullName.first", true);
    let first = c.limited(first, "fullName.first", MAX_NAME_CHARS);
    let last = c.text(full_name, "last", "fullName.last", true);
    let last = c.limited(last, "fullName.last", MAX_NAME_CHARS);

    let email_value = c.text(root, "email", "email", true);
    let email_value = c.rule(email_value, "email", email);

    let phone = c.object(root, "phone", "phone");
    let country_code = c.text(phone, "countryCode", "phone.countryCode", true);
    let country_code = c.rule(country_code, "phone.countryCode", phone_country_code);
    let number = c.text(phone, "number", "phone.number", true);
    let number = c.rule(number, "phone.number", phone_number);

    let date_of_birth = c.text(root, "dateOfBirth", "dateOfBirth", true);
    let date_of_birth = c.rule(date_of_birth, "dateOfBirth", |value| self::date_of_birth(value, today));

    let address = c.object(root, "address", "address");
    let street = c.text(address, "street", "address.street", true);
    let street = c.limited(street, "address.street", MAX_TEXT_CHARS);
    let street2 = c.text(address, "street2", "address.street2", false);
    let street2 = c.limited(street2, "address.street2", MAX_TEXT_CHARS);
    let city = c.text(address, "city", "address.city", true);
    let city = c.limited(city, "address.city", MAX_TEXT_CHARS);
    let state = c.text(address, "state", "address.state", true);
    let state = c.rule(state, "address.state", us_address::state);
    let postal_code = c.text(address, "postalCode", "address.postalCode", true);
    let postal_code = c.rule(postal_code, "address.postalCode", us_address::postal_code);
    let country = c.text(address, "country", "address.country", true);
    let country = c.rule(country, "address.country", us_address::country);

    let ssn = c.text(root, "ssn", "ssn", true);
    let ssn = c.rule(ssn, "ssn", self::ssn);

    match (
        first,
        last,
        email_value,
        country_code,
        number,
        date_of_birth,
        street,
        city,
        state,
        postal_code,
        country,
        ssn,
    ) {
        (
            Some(first),
            Some(last),
            Some(email),
            Some(country_code),
            Some(number),
            Some(date_of_birth),
            Some(street),
            Some(city),
            Some(state),
            Some(postal_code),
            Some(country),
            Some(ssn),
        ) if c.errors.is_empty() => Ok(ValidApplication {
            full_name: FullName { first, last },
            email,
            phone: Phone { country_code, number },
            date_of_birth,
            address: Address { street, street2, city, state, postal_code, country },
            ssn,
        }),
        _ => Err(ApiError::Validation(c.errors)),
    }
}

/// 1–3 digits; a leading `+` is accepted and dropped.
fn phone_country_code(value: &str) -> Result<String, &'static str> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits.to_owned())
    } else {
        Err("must be 1 to 3 digits")
    }
}

/// 4–15 digits; spaces, dashes, dots and parentheses are accepted and dropped.
fn phone_number(value: &str) -> Result<String, &'static str> {
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    if (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err("must be 4 to 15 digits")
    }
}

/// `YYYY-MM-DD`, a real date, and an adult no older than plausible.
fn date_of_birth(value: &str, today: Date) -> Result<String, &'static str> {
    let format = format_description!("[year]-[month]-[day]");
    let date = Date::parse(value, &format).map_err(|_| "must be a real date as YYYY-MM-DD")?;
    if date > today {
        return Err("must not be in the future");
    }
    if age_on(date, today) < MIN_AGE_YEARS {
        return Err("the applicant must be at least 18 years old");
    }
    if age_on(date, today) > MAX_AGE_YEARS {
        return Err("must be a plausible date of birth");
    }
    Ok(value.to_owned())
}

/// Completed years between `born` and `today`.
fn age_on(born: Date, today: Date) -> i32 {
    let had_birthday = (today.month() as u8, today.day()) >= (born.month() as u8, born.day());
    today.year() - born.year() - i32::from(!had_birthday)
}

/// Nine digits; dashes and spaces are accepted and dropped.
fn ssn(value: &str) -> Result<SecretString, &'static str> {
    let digits: String = value.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(SecretString::from(digits))
    } else {
        Err("must be 9 digits (dashes allowed)")
    }
}

/// Today in UTC, for the age rule.
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;
    use serde_json::json;
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
        assert_eq!(valid.full_name.first, "Ada");
        assert_eq!(valid.phone, Phone { country_code: "1".into(), number: "5555550123".into() });
        assert_eq!(valid.address.state, "IL");
        assert_eq!(valid.address.country, "US");
        assert_eq!(valid.address.street2, None);
        assert_eq!(valid.ssn.expose_secret(), "123456789");
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
    fn dates_of_birth() {
        assert!(date_of_birth("2008-03-15", TODAY).is_ok(), "18 today");
        assert!(date_of_birth("2008-03-16", TODAY).is_err(), "18 tomorrow");
        assert!(date_of_birth("2027-01-01", TODAY).is_err());
        assert!(date_of_birth("1890-01-01", TODAY).is_err());
        assert!(date_of_birth("1990-1-1", TODAY).is_err());
        assert!(date_of_birth("2000-02-29", TODAY).is_ok());
        assert!(date_of_birth("2001-02-29", TODAY).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email("  Ada@Example.com ").unwrap(), "Ada@Example.com");
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@exa..mple.com"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }
}
