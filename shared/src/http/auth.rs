//! Bearer credentials as axum extractors.
//!
//! [`StytchSession`]: the caller's Stytch session JWT, verified locally; the verified `sub` is the
//! only place a handler may learn who the caller is. As `Option<StytchSession>`, for a route that
//! takes another credential instead: `None` only when there is no `Authorization` header at all
//! (one that is there must verify). [`UnitCustomerToken`]: a Unit customer token, passed through
//! to Unit untouched (Unit decides what it may do).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::{header::AUTHORIZATION, request::Parts};
use secrecy::SecretString;

use super::problem::ApiError;
use crate::{
    dependencies::Dependencies,
    session::VerifiedSession,
    stytch::{SessionAuthenticate, SessionRef, StytchClient, User},
};

/// A verified Stytch session and the JWT it came from (needed to hand to Unit and to Stytch).
pub struct StytchSession {
    pub session: VerifiedSession,
    pub jwt: SecretString,
}

impl StytchSession {
    /// Asks Stytch whether the session is still alive: the revocation check where money is at
    /// stake (a JWT verifies locally until `exp` even after a logout or an operator's revoke). A
    /// revoked or expired session is `401 session_not_found`. Stytch's answer carries the user
    /// with its `trusted_metadata`, so it replaces a `users.get`.
    pub async fn check_with_stytch(&self, stytch: &StytchClient) -> Result<User, ApiError> {
        let request = SessionAuthenticate::new(SessionRef::Jwt(self.jwt.clone()));
        let user = stytch.session_authenticate(&request).await?.user;
        match user {
            Some(user) if user.user_id == self.session.user_id => Ok(user),
            Some(_) => Err(ApiError::internal("Stytch answered a session check with another user")),
            None => Err(ApiError::internal("Stytch answered a session check without the user")),
        }
    }
}

/// A Unit customer token from `Authorization: Bearer`.
pub struct UnitCustomerToken(pub SecretString);

/// A bearer token longer than this is not one we issue or accept.
const MAX_BEARER_BYTES: usize = 16 * 1024;

fn bearer(parts: &Parts) -> Result<SecretString, ApiError> {
    let value = parts.headers.get(AUTHORIZATION).ok_or(ApiError::MissingCredentials)?;
    let value = value.to_str().map_err(|_| ApiError::MissingCredentials)?;
    let (scheme, token) = value.split_once(' ').ok_or(ApiError::MissingCredentials)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > MAX_BEARER_BYTES {
        return Err(ApiError::MissingCredentials);
    }
    Ok(SecretString::from(token.to_owned()))
}

impl FromRequestParts<Dependencies> for StytchSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, dependencies: &Dependencies) -> Result<Self, Self::Rejection> {
        use secrecy::ExposeSecret;
        let jwt = bearer(parts)?;
        let session = dependencies.verifier.verify(jwt.expose_secret()).await.map_err(|reason| {
            // The reason is for operators; the client gets a stable code only.
            tracing::info!(%reason, "session JWT refused");
            ApiError::from(reason)
        })?;
        tracing::Span::current().record("user_id", session.user_id.as_str());
        Ok(Self { session, jwt })
    }
}

impl OptionalFromRequestParts<Dependencies> for StytchSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        dependencies: &Dependencies,
    ) -> Result<Option<Self>, Self::Rejection> {
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Ok(None);
        }
        <Self as FromRequestParts<Dependencies>>::from_request_parts(parts, dependencies).await.map(Some)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for UnitCustomerToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        bearer(parts).map(UnitCustomerToken)
    }
}
