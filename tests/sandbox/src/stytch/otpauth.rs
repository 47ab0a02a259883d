//! TOTP secrets, their `otpauth://` URI and code checking (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step).

use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The issuer shown in authenticator apps. Stytch shows the project's name; the sandbox has none.
pub const ISSUER: &str = "Stytch Sandbox";
pub const STEP_SECONDS: u64 = 30;

/// A 160-bit secret, the size RFC 4226 recommends for HMAC-SHA-1.
pub fn new_secret() -> Vec<u8> {
    crate::common::ids::random_bytes::<20>().to_vec()
}

/// Base32 without padding, e.g. `BTGNX5RKJRMQWQFRQKTG34JCF6XDRHZS`.
pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32().trim_end_matches('=').to_owned()
}

pub fn uri(secret: &[u8], account: &str) -> String {
    let label = format!("{}:{}", encode(ISSUER), encode(account));
    format!(
        "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        base32(secret),
        encode(ISSUER)
    )
}

/// The 30-second step `code` is valid for at `unix_seconds` (one step of clock skew either way).
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: u64) -> Option<u64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret)?.check(code, unix_seconds)
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .build()
        .ok()
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(byte).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → the 6-digit code is 287082.
        let secret = b"12345678901234567890";
        assert_eq!(matching_step(secret, "287082", 59), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 30), Some(1), "one step of skew is accepted");
        assert_eq!(matching_step(secret, "287082", 59 + 90), None);
        assert_eq!(matching_step(secret, "28708", 59), None);
    }

    #[test]
    fn uri_shape() {
        let uri = uri(&[0u8; 20], "ada@example.com");
        assert!(uri.starts_with("otpauth://totp/Stytch%20Sandbox:ada%40example.com?secret=AAAAAAAA"));
        assert!(uri.contains("&issuer=Stytch%20Sandbox"));
    }
}
