//! The session part of our answers after a Stytch authentication (magic link, TOTP, SMS OTP,
//! recovery code): `{sessionJwt, sessionToken?, sessionExpiresAt}`.
//!
//! The JWT and token are credentials the client asked for, so they are in the body (in cookie mode,
//! the token is in an `HttpOnly` cookie instead: [`SessionResponse::for_client`]); they never go
//! to a log (`Debug` is redacted), and responses carrying them are sent with `Cache-Control: no-store`.

use std::fmt;

use http::{HeaderMap, HeaderValue, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{
    config::ApiConfig,
    http::{ApiError, Upstream},
    session_cookie,
    stytch::IssuedSession,
};

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionResponse {
    pub session_jwt: String,
    /// Stytch returns the session token only for a new session (or when the caller presented the
    /// token). After a step-up with the JWT it is absent: the session, and so the token the client
    /// already holds, stay the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub session_expires_at: OffsetDateTime,
}

impl SessionResponse {
    /// The issued session of an authenticate call that was asked for one. A success without a
    /// session JWT or session object is not the documented answer: 502.
    pub fn from_issued(issued: &IssuedSession) -> Result<Self, ApiError> {
        let (Some(jwt), Some(session)) = (&issued.session_jwt, &issued.session) else {
            tracing::error!("Stytch authenticated without issuing a session");
            return Err(ApiError::UpstreamFailed { upstream: Upstream::Stytch });
        };
        Ok(Self {
            session_jwt: jwt.expose_secret().to_owned(),
            session_token: issued.session_token.as_ref().map(|token| token.expose_secret().to_owned()),
            session_expires_at: session.expires_at,
        })
    }
}

impl SessionResponse {
    /// The answer to an authenticate call that issued a session, as [`for_client`](Self::for_client) sends it.
    pub fn respond(issued: &IssuedSession, api: &ApiConfig) -> Result<(HeaderMap, axum::Json<Self>), ApiError> {
        let (headers, body) = Self::from_issued(issued)?.for_client(api);
        Ok((headers, axum::Json(body)))
    }

    /// The headers and body to send: `Cache-Control: no-store` and, in cookie mode, the session
    /// token moved from the body to the `Set-Cookie` header.
    pub fn for_client(mut self, api: &ApiConfig) -> (HeaderMap, Self) {
        let mut headers = HeaderMap::from_iter([NO_STORE]);
        if api.session_cookie
            && let Some(token) = self.session_token.take()
        {
            headers
                .insert(header::SET_COOKIE, session_cookie::set(&SecretString::from(token), self.session_expires_at));
        }
        (headers, self)
    }
}

impl fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionResponse")
            .field("session_jwt", &"[REDACTED]")
            .field("session_token", &self.session_token.as_ref().map(|_| "[REDACTED]"))
            .field("session_expires_at", &self.session_expires_at)
            .finish()
    }
}

/// `Cache-Control: no-store`, for every response that carries a credential.
pub const NO_STORE: (header::HeaderName, HeaderValue) = (header::CACHE_CONTROL, HeaderValue::from_static("no-store"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_without_jwt_is_an_upstream_error_and_debug_is_redacted() {
        let issued: IssuedSession = serde_json::from_str(r#"{"session_token":"","session_jwt":""}"#).unwrap();
        assert!(matches!(SessionResponse::from_issued(&issued), Err(ApiError::UpstreamFailed { .. })));

        let issued: IssuedSession = serde_json::from_str(
            r#"{"session_token":"","session_jwt":"eyJ.secret-jwt.sig","session":{"session_id":"s","user_id":"u",
                "expires_at":"2030-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        let response = SessionResponse::from_issued(&issued).unwrap();
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"sessionJwt": "eyJ.secret-jwt.sig", "sessionExpiresAt": "2030-01-01T00:00:00Z"})
        );
        assert!(!format!("{response:?}").contains("secret-jwt"));
    }
}
