//! Identifiers and opaque secrets in the shapes the upstream APIs use.

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use rand::Rng;

/// `<prefix>-<uuid v4>`, e.g. `user-test-6b0c…`; Stytch ids look like this in a test project.
pub fn prefixed(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

/// A Stytch request id, `request-id-test-<uuid>`.
pub fn request_id() -> String {
    prefixed("request-id-test")
}

/// 44 URL-safe characters from 33 random bytes, the look of a Stytch session token.
pub fn session_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<33>())
}

/// 44 URL-safe characters ending in `=` from 32 random bytes, the look of a Stytch magic-link token.
pub fn magic_link_token() -> String {
    URL_SAFE.encode(random_bytes::<32>())
}

/// A numeric code with `digits` digits (leading zeros kept).
pub fn numeric_code(digits: usize) -> String {
    let mut rng = rand::rng();
    (0..digits).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

/// Lower-case letters and digits, `len` of them.
pub fn alphanumeric_lower(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill(&mut bytes[..]);
    bytes
}
