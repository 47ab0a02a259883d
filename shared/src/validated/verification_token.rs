//! The token Unit answers when it texts a customer a verification code
//! (`POST /customers/{id}/token/verification`), sent back with that code. `POST /token` and
//! `POST /customers/link/verify` take it with the same rule.

use secrecy::{ExposeSecret, SecretString};

/// Unit's are far shorter; anything longer is not one.
const MAX_BYTES: usize = 2_048;

/// Not blank, at most 2 048 bytes. Opaque otherwise: Unit judges it. `Debug` hides it.
#[derive(Debug, Clone)]
pub struct VerificationToken(SecretString);

impl VerificationToken {
    /// `value` as a token, or `None`: the route's refusal says where a token comes from.
    pub fn new(value: SecretString) -> Option<Self> {
        let text = value.expose_secret();
        (!text.trim().is_empty() && text.len() <= MAX_BYTES).then_some(Self(value))
    }

    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_blank_and_not_too_long() {
        let token = |text: &str| VerificationToken::new(SecretString::from(text));
        assert_eq!(token("vt-1").unwrap().into_secret().expose_secret(), "vt-1");
        assert!(token(&"v".repeat(MAX_BYTES)).is_some());
        for bad in [String::new(), " \n".into(), "v".repeat(MAX_BYTES + 1)] {
            assert!(token(&bad).is_none(), "{} bytes", bad.len());
        }
        assert!(!format!("{:?}", token("vt-secret").unwrap()).contains("vt-secret"));
    }
}
