//! Where credentials must never appear, and the check that they do not.
//!
//! Long credentials are looked for in every 12-character piece (as `leaked_fragments` does), through
//! an index of the haystack's 12-byte windows so that a load run's megabytes of logs stay cheap to
//! search. Digit-only credentials (SSNs, codes) must not stand as a whole number, and no run of 13
//! to 19 digits (a card number's length) may appear at all.

use std::collections::HashSet;

use serde_json::Value;
use test_support::logs::leaked_fragments;

const WINDOW: usize = 12;

/// The fields of a successful answer that carry a credential the client is meant to hold.
/// (`otpauthUri` and `qrCode` carry the same TOTP secret as `secret`.)
const CREDENTIAL_FIELDS: &[&str] =
    &["sessionJwt", "sessionToken", "secret", "token", "verificationToken", "recoveryCodes"];

/// Adds every credential handed out in `text` (a successful answer's body) to `credentials`.
pub fn harvest(text: &str, credentials: &mut Vec<String>) {
    let Ok(Value::Object(body)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    for field in CREDENTIAL_FIELDS {
        match body.get(*field) {
            Some(Value::String(value)) if !value.is_empty() => credentials.push(value.clone()),
            Some(Value::Array(values)) => {
                credentials.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            _ => {}
        }
    }
}

/// Panics naming the first credential (by its leaked pieces) found in `haystack`.
pub fn assert_absent(place: &str, haystack: &str, credentials: &[String]) {
    let windows: HashSet<&[u8]> = haystack.as_bytes().windows(WINDOW).collect();
    for credential in credentials {
        let leaked = if credential.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            stands_as_a_number(haystack, credential) || stands_as_a_number(haystack, &credential.replace('-', ""))
        } else if credential.len() < WINDOW {
            haystack.contains(credential.as_str())
        } else {
            credential.as_bytes().windows(WINDOW).any(|w| windows.contains(w))
        };
        assert!(
            !leaked,
            "a credential reached the {place}: pieces {:?}",
            leaked_fragments(haystack, credential).into_iter().take(3).collect::<Vec<_>>()
        );
    }
    if let Some(run) = long_digit_run(haystack) {
        panic!("something shaped like a card number reached the {place}: {run}");
    }
}

/// `number` occurs with no digit right before or after it.
fn stands_as_a_number(haystack: &str, number: &str) -> bool {
    if number.is_empty() {
        return false;
    }
    let bytes = haystack.as_bytes();
    haystack.match_indices(number).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + number.len()).copied();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

/// The first run of 13 to 19 digits (a PAN's length), if any.
fn long_digit_run(haystack: &str) -> Option<&str> {
    let bytes = haystack.as_bytes();
    let mut start = None;
    for (i, b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if (13..=19).contains(&(i - s)) {
                    return Some(&haystack[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_count_only_as_whole_numbers() {
        assert!(stands_as_a_number("ssn=745671234.", "745671234"));
        assert!(!stands_as_a_number("t=17456712345", "745671234"));
        assert_eq!(long_digit_run("card 4111111111111111 x"), Some("4111111111111111"));
        assert_eq!(long_digit_run("id 400001 at 2025"), None);
    }

    #[test]
    #[should_panic(expected = "reached the logs")]
    fn a_piece_of_a_token_is_found() {
        assert_absent("logs", "…eyJhbGciOiJSUzI1NiIs…", &["xxeyJhbGciOiJSUzI1NiIsyy".to_owned()]);
    }
}
