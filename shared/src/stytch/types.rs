//! What several Stytch calls share: the Session and User objects, the session a factor is added
//! to, the session fields of authenticate responses, and serde helpers for credentials.
//!
//! Every credential (session tokens and JWTs, codes, TOTP secrets) is a [`SecretString`], so
//! `Debug` prints `[REDACTED]` and a request or response can be logged without leaking one.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};
use serde_json::{Map, Value};
use time::OffsetDateTime;

pub use crate::session::AuthenticationFactor;

/// An existing session, named by its token or its JWT (never both: Stytch refuses that).
#[derive(Debug, Clone)]
pub enum SessionRef {
    Token(SecretString),
    Jwt(SecretString),
}

impl SessionRef {
    pub fn token(token: impl Into<String>) -> Self {
        SessionRef::Token(SecretString::from(token.into()))
    }

    pub fn jwt(jwt: impl Into<String>) -> Self {
        SessionRef::Jwt(SecretString::from(jwt.into()))
    }
}

/// `{"session_token": …}` or `{"session_jwt": …}`; flattened into request bodies.
impl Serialize for SessionRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            SessionRef::Token(token) => map.serialize_entry("session_token", token.expose_secret())?,
            SessionRef::Jwt(jwt) => map.serialize_entry("session_jwt", jwt.expose_secret())?,
        }
        map.end()
    }
}

/// The session part of an authenticate response. Without a session (no `session_duration_minutes`
/// and no session passed) Stytch sends empty strings and `null`: those become `None`.
/// Authenticating with a JWT gives no `session_token` back.
#[derive(Debug, Clone, Deserialize)]
pub struct IssuedSession {
    #[serde(default, deserialize_with = "secret_serde::non_empty")]
    pub session_token: Option<SecretString>,
    #[serde(default, deserialize_with = "secret_serde::non_empty")]
    pub session_jwt: Option<SecretString>,
    #[serde(default)]
    pub session: Option<Session>,
}

/// Stytch's answer to a link or code sent to an email or a phone: `POST /v1/magic_links/authenticate`
/// and `POST /v1/otps/authenticate` answer in this one shape.
#[derive(Debug, Clone, Deserialize)]
pub struct MethodAuthenticateResponse {
    pub request_id: String,
    pub user_id: String,
    /// The `email_id` the link, or the `phone_id` the code, was sent to.
    pub method_id: String,
    #[serde(flatten)]
    pub issued: IssuedSession,
    #[serde(default)]
    pub user: Option<User>,
    #[serde(default)]
    pub reset_sessions: bool,
}

/// Stytch's Session object.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub user_id: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_accessed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(default)]
    pub authentication_factors: Vec<AuthenticationFactor>,
    #[serde(default)]
    pub custom_claims: Map<String, Value>,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Stytch's User object, the fields this bundle reads.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub user_id: String,
    /// `active` or `pending`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub emails: Vec<UserEmail>,
    #[serde(default)]
    pub phone_numbers: Vec<UserPhoneNumber>,
    #[serde(default)]
    pub totps: Vec<UserTotp>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub trusted_metadata: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub untrusted_metadata: Map<String, Value>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserEmail {
    pub email_id: String,
    pub email: String,
    #[serde(default)]
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserPhoneNumber {
    pub phone_id: String,
    pub phone_number: String,
    #[serde(default)]
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserTotp {
    pub totp_id: String,
    #[serde(default)]
    pub verified: bool,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::<Map<String, Value>>::deserialize(deserializer)?.unwrap_or_default())
}

pub(super) mod secret_serde {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn expose<S: Serializer>(value: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.expose_secret())
    }

    /// For `skip_serializing_if = "Option::is_none"` fields: only `Some` is ever serialised.
    pub fn expose_option<S: Serializer>(value: &Option<SecretString>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => expose(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// An absent, `null` or empty string is no credential at all.
    pub fn non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<SecretString>, D::Error> {
        let value = Option::<String>::deserialize(deserializer)?;
        Ok(value.filter(|value| !value.is_empty()).map(SecretString::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_session_fields_become_none() {
        let issued: IssuedSession =
            serde_json::from_str(r#"{"session_token":"","session_jwt":"","session":null}"#).unwrap();
        assert!(issued.session_token.is_none() && issued.session_jwt.is_none() && issued.session.is_none());
        let issued: IssuedSession = serde_json::from_str("{}").unwrap();
        assert!(issued.session_token.is_none());
        let issued: IssuedSession =
            serde_json::from_str(r#"{"session_token":"tok-very-secret","session_jwt":"eyJ.x.y"}"#).unwrap();
        assert_eq!(issued.session_token.as_ref().unwrap().expose_secret(), "tok-very-secret");
        assert!(!format!("{issued:?}").contains("very-secret"));
    }

    #[test]
    fn a_session_ref_serialises_as_one_field() {
        #[derive(Serialize)]
        struct Body {
            user_id: &'static str,
            #[serde(flatten)]
            session: Option<SessionRef>,
        }
        let body = Body { user_id: "u", session: Some(SessionRef::jwt("eyJ.a.b")) };
        assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"user_id": "u", "session_jwt": "eyJ.a.b"}));
        let body = Body { user_id: "u", session: None };
        assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"user_id": "u"}));
        assert!(!format!("{:?}", SessionRef::token("tok-very-secret")).contains("very-secret"));
    }
}
