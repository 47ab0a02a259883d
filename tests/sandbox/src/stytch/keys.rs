//! RS256 signing keys: the published ring served by the JWKS (newest signs) and a foreign key that
//! is never published, for testing verifiers.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Value, json};

use crate::common::ids;

/// One RSA key pair with its `kid`. Its `Debug` shows only the `kid`.
pub struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// Modulus and exponent, base64url without padding, as a JWK carries them.
    n: String,
    e: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh 2048-bit key; aws-lc's key generation takes tens of milliseconds even in debug builds.
    pub fn generate() -> Result<Self, String> {
        Self::generate_with_kid(ids::prefixed("jwk-test"))
    }

    pub fn generate_with_kid(kid: String) -> Result<Self, String> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| "RSA key generation failed".to_owned())?;
        let pkcs8 = pair.as_der().map_err(|_| "RSA key export failed".to_owned())?;
        let public = pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|error| error.to_string())?;
        // aws-lc exports PKCS#8 only, while `EncodingKey::from_rsa_der` wants PKCS#1; the PEM loader
        // unwraps PKCS#8 itself.
        let encoding =
            EncodingKey::from_rsa_pem(pkcs8_pem(pkcs8.as_ref()).as_bytes()).map_err(|error| error.to_string())?;
        Ok(Self { kid, encoding, decoding, n, e })
    }

    /// The public half as Stytch's JWKS lists it.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "key_ops": ["verify"],
            "alg": "RS256",
            "kid": self.kid,
            "n": self.n,
            "e": self.e,
        })
    }
}

/// `-----BEGIN PRIVATE KEY-----` armour around PKCS#8 DER.
fn pkcs8_pem(der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let lines: Vec<&str> = base64.as_bytes().chunks(64).filter_map(|chunk| std::str::from_utf8(chunk).ok()).collect();
    format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"))
}

/// The published keys, oldest first; the last one signs. Rotation appends, so verifiers holding an
/// older JWKS can still check tokens signed before the rotation.
pub struct KeyRing {
    published: Vec<Arc<SigningKey>>,
    foreign: Option<Arc<SigningKey>>,
}

impl KeyRing {
    pub fn new() -> Result<Self, String> {
        Ok(Self { published: vec![Arc::new(SigningKey::generate()?)], foreign: None })
    }

    pub fn current(&self) -> Arc<SigningKey> {
        // `new` publishes one key and nothing ever removes keys, so the ring is never empty.
        Arc::clone(self.published.last().expect("the key ring always holds a key"))
    }

    pub fn find(&self, kid: &str) -> Option<Arc<SigningKey>> {
        self.published.iter().find(|key| key.kid == kid).cloned()
    }

    pub fn published(&self) -> &[Arc<SigningKey>] {
        &self.published
    }

    /// Publishes a new key, which signs from now on.
    pub fn rotate(&mut self) -> Result<Arc<SigningKey>, String> {
        let key = Arc::new(SigningKey::generate()?);
        self.published.push(Arc::clone(&key));
        Ok(key)
    }

    /// A key that is not in the JWKS but carries the current `kid`, so a verifier must reject its
    /// signatures on the signature itself, not on an unknown `kid`. Generated once, on first use.
    pub fn foreign(&mut self) -> Result<Arc<SigningKey>, String> {
        let current_kid = self.current().kid.clone();
        if let Some(foreign) = &self.foreign
            && foreign.kid == current_kid
        {
            return Ok(Arc::clone(foreign));
        }
        let key = Arc::new(SigningKey::generate_with_kid(current_kid)?);
        self.foreign = Some(Arc::clone(&key));
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_signs_tokens_its_jwk_verifies() {
        let key = SigningKey::generate().unwrap();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        let token =
            jsonwebtoken::encode(&header, &json!({ "sub": "x", "exp": 4_000_000_000u64 }), &key.encoding).unwrap();
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.jwk()).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_aud = false;
        let decoded =
            jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation).unwrap();
        assert_eq!(decoded.claims["sub"], "x");
    }
}
