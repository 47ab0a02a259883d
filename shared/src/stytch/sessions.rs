//! `POST /v1/sessions/authenticate`, `POST /v1/sessions/revoke` and
//! `GET /v1/sessions/jwks/{project_id}`.

use reqwest::Method;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};

use super::{
    Auth, Call, StytchClient, StytchError,
    types::{IssuedSession, Session, SessionRef, User},
};
use crate::upstream::Idempotency;

/// Checks a session remotely and returns a fresh JWT (an expired JWT of a live session is
/// accepted: this is how JWTs are refreshed). `session_duration_minutes` extends the session.
#[derive(Debug, Clone, Serialize)]
pub struct SessionAuthenticate {
    /// Exactly one of token or JWT, as Stytch requires.
    #[serde(flatten)]
    pub session: SessionRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_duration_minutes: Option<u32>,
}

impl SessionAuthenticate {
    pub fn new(session: SessionRef) -> Self {
        Self { session, session_duration_minutes: None }
    }
}

/// `session` is always present here; `session_token` only when authenticated with the token.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionAuthenticateResponse {
    pub request_id: String,
    #[serde(flatten)]
    pub issued: IssuedSession,
    #[serde(default)]
    pub user: Option<User>,
}

impl SessionAuthenticateResponse {
    /// The session, which Stytch always returns on success.
    pub fn session(&self) -> Option<&Session> {
        self.issued.session.as_ref()
    }
}

/// Ends a session; all of its tokens and JWTs stop working at Stytch at once (JWTs already
/// issued still verify locally until their `exp`).
#[derive(Debug, Clone)]
pub enum SessionRevoke {
    SessionId(String),
    Session(SessionRef),
}

impl Serialize for SessionRevoke {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            SessionRevoke::SessionId(id) => map.serialize_entry("session_id", id)?,
            SessionRevoke::Session(SessionRef::Token(token)) => {
                map.serialize_entry("session_token", token.expose_secret())?
            }
            SessionRevoke::Session(SessionRef::Jwt(jwt)) => map.serialize_entry("session_jwt", jwt.expose_secret())?,
        }
        map.end()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SessionRevokeResponse {
    pub request_id: String,
}

/// The project's session-signing keys.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub kid: String,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub key_use: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
}

impl StytchClient {
    pub async fn session_authenticate(
        &self,
        request: &SessionAuthenticate,
    ) -> Result<SessionAuthenticateResponse, StytchError> {
        // Safe: consumes nothing and sends nothing; a repeat checks the same session again
        // and, at most, extends it to the same "now + duration" and issues another JWT.
        self.post("sessions.authenticate", &["v1", "sessions", "authenticate"], request, Idempotency::Safe).await
    }

    /// A repeat of a revoke that did go through answers `session_not_found`; for a logout that
    /// outcome means the same as success.
    pub async fn session_revoke(&self, request: &SessionRevoke) -> Result<SessionRevokeResponse, StytchError> {
        // Safe: revoking is idempotent in effect (the session ends either way), and a logout
        // that gave up on a 503 would leave the session alive.
        self.post("sessions.revoke", &["v1", "sessions", "revoke"], request, Idempotency::Safe).await
    }

    /// The JWKS of the project whose credentials this client holds. No credentials are sent.
    pub async fn jwks(&self) -> Result<Jwks, StytchError> {
        let project_id = self.credentials.get().await?.project_id.clone();
        self.call(Call {
            operation: "sessions.jwks",
            method: Method::GET,
            path: &["v1", "sessions", "jwks", &project_id],
            body: None,
            // Safe: a read.
            idempotency: Idempotency::Safe,
            auth: Auth::None,
        })
        .await
    }
}
