//! Fixed RSA-2048 keys: `signing` is the one the fixture JWKS publishes, `foreign` is not.

use serde_json::{Value, json};

pub const SIGNING_KEY_PEM: &str = include_str!("../fixtures/signing-key.pem");
pub const SIGNING_PUBLIC_KEY_PEM: &str = include_str!("../fixtures/signing-key.pub.pem");
pub const FOREIGN_KEY_PEM: &str = include_str!("../fixtures/foreign-key.pem");
const SIGNING_COMPONENTS: &str = include_str!("../fixtures/signing-key.components.json");

pub const SIGNING_KID: &str = "jwk-test-fixture-signing";

/// A Stytch-shaped JWKS document holding the signing key under `kid`.
pub fn jwks_document(kid: &str) -> Value {
    let components: Value = serde_json::from_str(SIGNING_COMPONENTS).expect("fixture parses");
    json!({
        "keys": [{
            "kty": "RSA", "use": "sig", "key_ops": ["verify"], "alg": "RS256", "kid": kid,
            "n": components["n"], "e": components["e"],
        }],
        "request_id": "request-id-test-fixture",
        "status_code": 200,
    })
}
