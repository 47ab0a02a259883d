//! PKCE for magic links (RFC 7636, S256 only, as Stytch takes it): the client keeps a random
//! `codeVerifier` and sends `base64url(SHA-256(codeVerifier))` as `codeChallenge` with
//! `POST /signup`; the link's token then authenticates only together with that verifier. Both are
//! checked for shape here (reasons name the rule, never the value) and passed to Stytch, which
//! compares them.

use stytch_unit_common::SecretString;

/// A SHA-256 digest, base64url without padding.
const CHALLENGE_CHARS: usize = 43;
/// RFC 7636 §4.1.
const VERIFIER_CHARS: std::ops::RangeInclusive<usize> = 43..=128;

fn base64url(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A `codeChallenge`: 43 base64url characters (the S256 of a verifier).
pub fn challenge(value: &str) -> Result<String, &'static str> {
    let value = value.trim();
    if value.len() == CHALLENGE_CHARS && base64url(value) {
        Ok(value.to_owned())
    } else {
        Err("must be the S256 code challenge: base64url(SHA-256(codeVerifier)) without padding, 43 characters")
    }
}

/// A `codeVerifier`: 43 to 128 of RFC 7636's unreserved characters.
pub fn verifier(value: &str) -> Result<SecretString, &'static str> {
    let value = value.trim();
    let unreserved = value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if VERIFIER_CHARS.contains(&value.len()) && unreserved {
        Ok(SecretString::from(value))
    } else {
        Err("must be the PKCE code verifier: 43 to 128 letters, digits, '-', '.', '_' or '~'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stytch_unit_common::ExposeSecret;

    #[test]
    fn challenges_are_43_base64url_characters() {
        // RFC 7636 appendix B.
        assert_eq!(challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap().len(), 43);
        for bad in ["", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"] {
            assert!(challenge(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn verifiers_are_43_to_128_unreserved_characters() {
        assert!(verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap().expose_secret().len() == 43);
        assert!(verifier(&"a.b~c_d-".repeat(16)).is_ok());
        for bad in [
            "short",
            &"a".repeat(129),
            "dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "dBjftJeZ4CVP/mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        ] {
            assert!(verifier(bad).is_err(), "{bad}");
        }
    }
}
