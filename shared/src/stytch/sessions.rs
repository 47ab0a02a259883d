//! `POST /v1/sessions/authenticate` and `POST /v1/sessions/revoke`. The JWKS is read by
//! [`crate::session::JwksCache`].

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};

use super::{
    StytchClient, StytchError,
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
}
