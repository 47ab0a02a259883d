//! `X-Unit-Signature`: HMAC-SHA1 of the raw request body, keyed with the token set on the Unit
//! webhook, base64 (SECURITY.md, "Unit webhooks": the sources and why only base64 is accepted).

use aws_lc_rs::hmac;
use base64::{Engine, engine::general_purpose::STANDARD};
use http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};

pub const HEADER: &str = "x-unit-signature";

/// What the signature header says about a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// No header, or one that is not base64: nothing to check.
    Missing,
    /// A signature that no configured token produces.
    Invalid,
}

/// Checks the body against each token (current, then the previous one during a rotation). Every
/// token is tried whatever the first gave, and `hmac::verify` compares in constant time, so the
/// time taken says nothing about how close a forged signature came.
pub fn verify(headers: &HeaderMap, body: &[u8], tokens: &[&SecretString]) -> Verdict {
    let Some(signature) = headers.get(HEADER).and_then(|value| value.to_str().ok()) else {
        return Verdict::Missing;
    };
    let Ok(tag) = STANDARD.decode(signature.trim()) else {
        return Verdict::Missing;
    };
    let mut valid = false;
    for token in tokens {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, token.expose_secret().as_bytes());
        valid |= hmac::verify(&key, body, &tag).is_ok();
    }
    if valid { Verdict::Valid } else { Verdict::Invalid }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, signature.parse().unwrap());
        headers
    }

    // RFC 2202, test case 2: HMAC-SHA1 with key "Jefe".
    const BODY: &[u8] = b"what do ya want for nothing?";
    const RFC_2202_DIGEST: [u8; 20] = [
        0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a,
        0x7c, 0x79,
    ];

    #[test]
    fn the_rfc_2202_vector_verifies_in_base64_only() {
        let token = SecretString::from("Jefe");
        let base64 = STANDARD.encode(RFC_2202_DIGEST);
        assert_eq!(verify(&headers(&base64), BODY, &[&token]), Verdict::Valid);
        let hex: String = RFC_2202_DIGEST.iter().map(|b| format!("{b:02x}")).collect();
        assert_ne!(verify(&headers(&hex), BODY, &[&token]), Verdict::Valid, "hex is not accepted");
        assert_eq!(verify(&headers(&base64), b"what do ya want for nothing!", &[&token]), Verdict::Invalid);
        assert_eq!(verify(&HeaderMap::new(), BODY, &[&token]), Verdict::Missing);
    }

    #[test]
    fn either_token_of_a_rotation_verifies() {
        let (current, previous) = (SecretString::from("new"), SecretString::from("Jefe"));
        let base64 = STANDARD.encode(RFC_2202_DIGEST);
        assert_eq!(verify(&headers(&base64), BODY, &[&current, &previous]), Verdict::Valid);
        assert_eq!(verify(&headers(&base64), BODY, &[&current]), Verdict::Invalid);
    }
}
