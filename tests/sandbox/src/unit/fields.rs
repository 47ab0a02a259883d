//! Validators for attribute types shared by several Unit resources, following the schemas in
//! Unit's OpenAPI `types.json` (FullName, Email, Phone, Address, Tags, IdempotencyKey, …).
//!
//! Each validator takes the value, its JSON pointer and the problem list; it records what is wrong
//! and returns the cleaned value only when it is valid, so one request gets every problem at once.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::Date;
use time::macros::format_description;

use super::body::{escape, one_of};
use super::jsonapi::Problems;

/// ISO 3166-1 alpha-2 codes accepted by Unit's `Country` pattern.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// US state and territory codes accepted by Unit's `State` pattern.
const US_STATES: &str = "AK AL AR AS AZ CA CO CT DC DE FL FM GA GU HI IA ID IL IN KS KY LA MA MD ME MH MI MN MO MP MS MT NC ND NE NH NJ NM NV NY OH OK OR PA PR PW RI SC SD TN TX UT VA VI VT WA WI WV WY";

/// Records every key of `object` that the schema does not list (`additionalProperties: false`).
pub(crate) fn reject_unknown(object: &Map<String, Value>, allowed: &[&str], pointer: &str, problems: &mut Problems) {
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            problems.invalid(format!("{pointer}/{}", escape(key)), format!("`{key}` is not an allowed attribute"));
        }
    }
}

/// Records a missing required attribute.
pub(crate) fn require<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    pointer: &str,
    problems: &mut Problems,
) -> Option<&'a Value> {
    let value = object.get(key);
    if value.is_none() {
        problems.invalid(format!("{pointer}/{key}"), format!("`{key}` is required"));
    }
    value
}

/// A string whose length (in characters) lies in `min..=max`.
pub(crate) fn string(value: &Value, pointer: &str, min: usize, max: usize, problems: &mut Problems) -> Option<String> {
    let Some(text) = value.as_str() else {
        problems.invalid(pointer, "must be a string");
        return None;
    };
    let length = text.chars().count();
    if length < min || length > max {
        problems.invalid(pointer, format!("must be between {min} and {max} characters long"));
        return None;
    }
    Some(text.to_string())
}

/// A string from a fixed list (an OpenAPI `enum`).
pub(crate) fn one_of_strings(
    value: &Value,
    pointer: &str,
    allowed: &[&str],
    problems: &mut Problems,
) -> Option<String> {
    match value.as_str() {
        Some(text) if allowed.contains(&text) => Some(text.to_string()),
        _ => {
            problems.invalid(pointer, format!("must be {}", one_of(allowed)));
            None
        }
    }
}

pub(crate) fn boolean(value: &Value, pointer: &str, problems: &mut Problems) -> Option<bool> {
    let flag = value.as_bool();
    if flag.is_none() {
        problems.invalid(pointer, "must be a boolean");
    }
    flag
}

/// A string matched by `accept`, with `expected` describing the format in the error.
pub(crate) fn pattern(
    value: &Value,
    pointer: &str,
    expected: &str,
    accept: impl Fn(&str) -> bool,
    problems: &mut Problems,
) -> Option<String> {
    match value.as_str() {
        Some(text) if accept(text) => Some(text.to_string()),
        _ => {
            problems.invalid(pointer, format!("must be {expected}"));
            None
        }
    }
}

/// `FullName`: `{"first", "last"}`, each 1–255 characters.
pub(crate) fn full_name(value: &Value, pointer: &str, problems: &mut Problems) -> Option<Value> {
    let Some(object) = value.as_object() else {
        problems.invalid(pointer, "must be an object with `first` and `last`");
        return None;
    };
    let before = problems_len(problems);
    reject_unknown(object, &["first", "last"], pointer, problems);
    for key in ["first", "last"] {
        if let Some(part) = require(object, key, pointer, problems) {
            string(part, &format!("{pointer}/{key}"), 1, 255, problems);
        }
    }
    unchanged(problems, before).then(|| value.clone())
}

/// `Email`: a plausible address (the schema says `format: email`).
pub(crate) fn email(value: &Value, pointer: &str, problems: &mut Problems) -> Option<String> {
    pattern(value, pointer, "a valid email address", is_email, problems)
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && text.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

/// `Phone`: `{"countryCode", "number"}`. The schema only says "string"; Unit takes digits, so the
/// sandbox asks for 1–3 digits and 4–15 digits, which every real number satisfies.
pub(crate) fn phone(value: &Value, pointer: &str, problems: &mut Problems) -> Option<Value> {
    let Some(object) = value.as_object() else {
        problems.invalid(pointer, "must be an object with `countryCode` and `number`");
        return None;
    };
    let before = problems_len(problems);
    reject_unknown(object, &["countryCode", "number"], pointer, problems);
    if let Some(code) = require(object, "countryCode", pointer, problems) {
        pattern(code, &format!("{pointer}/countryCode"), "1 to 3 digits", |t| digits_between(t, 1, 3), problems);
    }
    if let Some(number) = require(object, "number", pointer, problems) {
        pattern(number, &format!("{pointer}/number"), "4 to 15 digits", |t| digits_between(t, 4, 15), problems);
    }
    unchanged(problems, before).then(|| value.clone())
}

/// `Address`: street, street2?, city, state, postalCode, country. For US addresses `state` must be
/// a US state or territory code, as Unit's `State` type lists them.
pub(crate) fn address(value: &Value, pointer: &str, problems: &mut Problems) -> Option<Value> {
    let Some(object) = value.as_object() else {
        problems.invalid(pointer, "must be an address object");
        return None;
    };
    let before = problems_len(problems);
    reject_unknown(object, &["street", "street2", "city", "state", "postalCode", "country"], pointer, problems);
    for key in ["street", "city"] {
        if let Some(part) = require(object, key, pointer, problems) {
            single_line(part, &format!("{pointer}/{key}"), problems);
        }
    }
    match object.get("street2") {
        None | Some(Value::Null) => {}
        Some(street2) => {
            single_line(street2, &format!("{pointer}/street2"), problems);
        }
    }
    if let Some(postal) = require(object, "postalCode", pointer, problems) {
        pattern(postal, &format!("{pointer}/postalCode"), "a US ZIP code (12345 or 12345-6789)", is_zip, problems);
    }
    let country = require(object, "country", pointer, problems)
        .and_then(|c| self::country(c, &format!("{pointer}/country"), problems));
    if let Some(state) = require(object, "state", pointer, problems) {
        let state_pointer = format!("{pointer}/state");
        if country.as_deref() == Some("US") {
            pattern(
                state,
                &state_pointer,
                "a two-letter US state code",
                |t| US_STATES.split(' ').any(|code| code == t),
                problems,
            );
        } else {
            string(state, &state_pointer, 1, 255, problems);
        }
    }
    unchanged(problems, before).then(|| value.clone())
}

/// `Country`: an ISO 3166-1 alpha-2 code.
pub(crate) fn country(value: &Value, pointer: &str, problems: &mut Problems) -> Option<String> {
    pattern(
        value,
        pointer,
        "an ISO 3166-1 alpha-2 country code",
        |t| t.len() == 2 && COUNTRIES.split(' ').any(|code| code == t),
        problems,
    )
}

/// `format: date` (`YYYY-MM-DD`); a date of birth must also lie in the past.
pub(crate) fn date_of_birth(value: &Value, pointer: &str, problems: &mut Problems) -> Option<String> {
    let format = format_description!("[year]-[month]-[day]");
    let Some(date) = value.as_str().filter(|text| text.len() == 10).and_then(|text| Date::parse(text, format).ok())
    else {
        problems.invalid(pointer, "must be a date formatted YYYY-MM-DD");
        return None;
    };
    if date >= time::OffsetDateTime::now_utc().date() {
        problems.invalid(pointer, "must be in the past");
        return None;
    }
    value.as_str().map(str::to_string)
}

/// `Tags`: at most 15 keys, each value a string of 1–255 characters.
pub(crate) fn tags(value: &Value, pointer: &str, problems: &mut Problems) -> Option<BTreeMap<String, String>> {
    let Some(object) = value.as_object() else {
        problems.invalid(pointer, "must be an object of string values");
        return None;
    };
    if object.len() > 15 {
        problems.invalid(pointer, "must have at most 15 tags");
        return None;
    }
    let before = problems_len(problems);
    let mut tags = BTreeMap::new();
    for (key, tag) in object {
        if let Some(text) = string(tag, &format!("{pointer}/{}", escape(key)), 1, 255, problems) {
            tags.insert(key.clone(), text);
        }
    }
    unchanged(problems, before).then_some(tags)
}

/// Tag changes of a `PATCH`: a string sets the key, `null` removes it; at most 15 keys.
pub(crate) fn tag_changes(value: &Value, pointer: &str, problems: &mut Problems) -> Vec<(String, Option<String>)> {
    let Some(object) = value.as_object() else {
        problems.invalid(pointer, "must be an object of string (or null) values");
        return Vec::new();
    };
    if object.len() > 15 {
        problems.invalid(pointer, "must have at most 15 tags");
        return Vec::new();
    }
    object
        .iter()
        .filter_map(|(key, value)| match value {
            Value::Null => Some((key.clone(), None)),
            other => string(other, &format!("{pointer}/{}", escape(key)), 1, 255, problems)
                .map(|text| (key.clone(), Some(text))),
        })
        .collect()
}

/// `Url` (`types.json`): a string matching `[-a-zA-Z0-9@:%._+~#=]{2,256}\.[a-z]{2,6}` somewhere
/// (Unit's pattern is not anchored, so only that core is required: a host-like name with a dot).
pub(crate) fn url(value: &Value, pointer: &str, problems: &mut Problems) -> Option<String> {
    let has_host = |text: &str| {
        let bytes = text.as_bytes();
        let name = |b: &u8| b.is_ascii_alphanumeric() || b"-@:%._+~#=".contains(b);
        bytes.iter().enumerate().any(|(dot, b)| {
            *b == b'.'
                && bytes[..dot].iter().rev().take_while(|b| name(b)).count() >= 2
                && bytes[dot + 1..].iter().take_while(|b| b.is_ascii_lowercase()).count() >= 2
        })
    };
    pattern(value, pointer, "a URL", has_host, problems)
}

/// `IdempotencyKey`: 1–255 characters.
pub(crate) fn idempotency_key(value: &Value, pointer: &str, problems: &mut Problems) -> Option<String> {
    string(value, pointer, 1, 255, problems)
}

/// `JwtSubject` (`types.json`): `{"type": "string", "nullable": true}`, with no length limit, so any
/// string or `null` (`Some(None)` means "cleared").
pub(crate) fn jwt_subject(value: &Value, pointer: &str, problems: &mut Problems) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(subject) => Some(Some(subject.clone())),
        _ => {
            problems.invalid(pointer, "must be a string or null");
            None
        }
    }
}

/// `AuthorizedUser[]`: each with fullName, email, phone and an optional jwtSubject.
pub(crate) fn authorized_users(value: &Value, pointer: &str, problems: &mut Problems) -> Option<Value> {
    let Some(users) = value.as_array() else {
        problems.invalid(pointer, "must be an array of authorized users");
        return None;
    };
    let before = problems_len(problems);
    for (index, user) in users.iter().enumerate() {
        let user_pointer = format!("{pointer}/{index}");
        let Some(object) = user.as_object() else {
            problems.invalid(user_pointer, "must be an object");
            continue;
        };
        reject_unknown(object, &["fullName", "email", "phone", "jwtSubject"], &user_pointer, problems);
        if let Some(name) = require(object, "fullName", &user_pointer, problems) {
            full_name(name, &format!("{user_pointer}/fullName"), problems);
        }
        if let Some(mail) = require(object, "email", &user_pointer, problems) {
            email(mail, &format!("{user_pointer}/email"), problems);
        }
        if let Some(number) = require(object, "phone", &user_pointer, problems) {
            phone(number, &format!("{user_pointer}/phone"), problems);
        }
        if let Some(subject) = object.get("jwtSubject") {
            jwt_subject(subject, &format!("{user_pointer}/jwtSubject"), problems);
        }
    }
    unchanged(problems, before).then(|| value.clone())
}

fn single_line(value: &Value, pointer: &str, problems: &mut Problems) -> Option<String> {
    let text = string(value, pointer, 1, 255, problems)?;
    if text.contains(['\n', '\r']) {
        problems.invalid(pointer, "must be a single line");
        return None;
    }
    Some(text)
}

fn is_zip(text: &str) -> bool {
    match text.split_once('-') {
        None => digits_between(text, 5, 5),
        Some((zip, plus4)) => digits_between(zip, 5, 5) && digits_between(plus4, 4, 4),
    }
}

pub(crate) fn digits_between(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

fn problems_len(problems: &Problems) -> usize {
    problems.len()
}

fn unchanged(problems: &Problems, before: usize) -> bool {
    problems.len() == before
}
