//! Stytch session JWTs for tests: [`SessionToken::honest`] is what Stytch issues; the builder
//! methods bend it into every forgery a verifier must refuse.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::keys::{FOREIGN_KEY_PEM, SIGNING_KEY_PEM, SIGNING_KID, SIGNING_PUBLIC_KEY_PEM};

pub const PROJECT_ID: &str = "project-test-11111111-2222-4333-8444-555555555555";
pub const USER_ID: &str = "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd";

#[derive(Debug, Clone)]
pub struct SessionToken {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    signer: Signer,
}

#[derive(Debug, Clone)]
enum Signer {
    Fixture,
    Foreign,
    /// HS256 keyed with the RSA public key's PEM bytes (the key-confusion attack).
    HmacWithPublicKey,
    /// `alg: none`, empty signature.
    Unsigned,
}

pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).expect("formats")
}

pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A factor as Stytch puts it in the session claim.
pub fn factor(kind: &str, delivery: &str, seconds_ago: i64) -> Value {
    let at = rfc3339(OffsetDateTime::now_utc() - time::Duration::seconds(seconds_ago));
    let mut factor = json!({ "type": kind, "delivery_method": delivery, "last_authenticated_at": at });
    match kind {
        "magic_link" => {
            factor["email_factor"] = json!({"email_id": "email-test-1", "email_address": "sandbox@stytch.com"})
        }
        "totp" => factor["authenticator_app_factor"] = json!({"totp_id": "totp-test-1"}),
        "otp" => {
            factor["phone_number_factor"] = json!({"phone_id": "phone-number-test-1", "phone_number": "+10000000000"})
        }
        _ => {}
    }
    factor
}

impl SessionToken {
    /// A one-factor (magic link) session JWT issued now, exactly as Stytch shapes it.
    pub fn honest() -> Self {
        let iat = now();
        let header = json!({ "alg": "RS256", "kid": SIGNING_KID, "typ": "JWT" });
        let claims = json!({
            "aud": [PROJECT_ID],
            "exp": iat + 300,
            "https://stytch.com/session": {
                "id": "session-test-fe6c042b-6286-479f-8a4f-b046a6c46509",
                "started_at": rfc3339(OffsetDateTime::now_utc() - time::Duration::minutes(10)),
                "last_accessed_at": rfc3339(OffsetDateTime::now_utc()),
                "expires_at": rfc3339(OffsetDateTime::now_utc() + time::Duration::hours(1)),
                "attributes": { "user_agent": "", "ip_address": "" },
                "authentication_factors": [factor("magic_link", "email", 600)],
            },
            "iat": iat,
            "iss": format!("stytch.com/{PROJECT_ID}"),
            "nbf": iat,
            "sub": USER_ID,
        });
        Self { header: as_map(header), claims: as_map(claims), signer: Signer::Fixture }
    }

    pub fn claim(mut self, name: &str, value: Value) -> Self {
        self.claims.insert(name.to_owned(), value);
        self
    }

    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    pub fn header(mut self, name: &str, value: Value) -> Self {
        self.header.insert(name.to_owned(), value);
        self
    }

    pub fn factors(mut self, factors: Vec<Value>) -> Self {
        self.claims["https://stytch.com/session"]["authentication_factors"] = Value::Array(factors);
        self
    }

    pub fn signed_by_foreign_key(mut self) -> Self {
        self.signer = Signer::Foreign;
        self
    }

    pub fn hmac_with_public_key(mut self) -> Self {
        self.signer = Signer::HmacWithPublicKey;
        self.header.insert("alg".into(), json!("HS256"));
        self
    }

    pub fn unsigned(mut self) -> Self {
        self.signer = Signer::Unsigned;
        self.header.insert("alg".into(), json!("none"));
        self
    }

    pub fn encode(&self) -> String {
        let signing_input = format!("{}.{}", b64(&self.header), b64(&self.claims));
        let signature = match self.signer {
            Signer::Unsigned => String::new(),
            Signer::Fixture => rs256(&signing_input, SIGNING_KEY_PEM),
            Signer::Foreign => rs256(&signing_input, FOREIGN_KEY_PEM),
            Signer::HmacWithPublicKey => jsonwebtoken::crypto::sign(
                signing_input.as_bytes(),
                &EncodingKey::from_secret(SIGNING_PUBLIC_KEY_PEM.as_bytes()),
                Algorithm::HS256,
            )
            .expect("HMAC signs"),
        };
        format!("{signing_input}.{signature}")
    }
}

fn rs256(signing_input: &str, pem: &str) -> String {
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("fixture key parses");
    jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, Algorithm::RS256).expect("RSA signs")
}

fn b64(value: &Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("serialises"))
}

fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("built as an object"),
    }
}

/// The decoded payload of a compact JWT (no verification).
pub fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("a compact JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("a JSON payload")
}

/// Keeps `Header` in the public API honest: an RS256 header as `jsonwebtoken` would build it.
pub fn standard_header() -> Header {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(SIGNING_KID.into());
    header
}
