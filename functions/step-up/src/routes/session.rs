//! `POST /session/refresh` and `POST /session/logout`: the Stytch session past its 5-minute JWTs.
//!
//! A refresh takes the session token, which lives as long as the session, and asks Stytch for a
//! new JWT of the same session; no bearer is needed (the token is the credential). A logout
//! revokes the session at Stytch, after which every route that asks Stytch about it refuses it.
//! Session tokens are `SecretString`s: never logged, never repeated in an error.
//!
//! In cookie mode (`SESSION_COOKIE`) the token is the `HttpOnly` session cookie instead of a body
//! field: a token in the body is refused (it would be one script can read), the cookie is renewed
//! with each refresh and cleared at logout, and a request whose credential is the cookie must pass
//! the CSRF check (`session_cookie::check_same_origin`).

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
};
use serde::Deserialize;
use stytch_unit_common::{
    SecretString,
    config::ApiConfig,
    http::{ApiError, ApiJson, FieldError, StytchSession},
    session_cookie,
    session_response::SessionResponse,
    startup::Dependencies,
    stytch::{SessionAuthenticate, SessionRef, SessionRevoke, StytchErrorType},
};

use crate::validation;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RefreshBody {
    #[serde(default)]
    session_token: Option<SecretString>,
    #[serde(default)]
    session_duration_minutes: Option<i64>,
}

/// `POST /session/refresh` `{sessionToken, sessionDurationMinutes?}` →
/// `200 {sessionJwt, sessionToken, sessionExpiresAt}`. With `sessionDurationMinutes` (5 to
/// `SESSION_DURATION_MINUTES`) the session then ends that long from now; without it, its end stays.
/// A revoked, expired or unknown session is `401 session_not_found`. In cookie mode the token is
/// the cookie's and is answered in a renewed cookie, not in the body.
pub async fn refresh(
    State(dependencies): State<Dependencies>,
    headers: HeaderMap,
    body: Option<ApiJson<RefreshBody>>,
) -> Result<impl IntoResponse, ApiError> {
    let api = &dependencies.config.api;
    let body = body.map(|ApiJson(body)| body).unwrap_or_default();
    let longest = api.session_duration_minutes;
    let minutes =
        body.session_duration_minutes.map(|m| validation::session_minutes("sessionDurationMinutes", m, longest));
    let token = session_token(api, &headers, body.session_token.as_ref())?;
    let (token, minutes) = validation::both(token, minutes.transpose())?;
    let request =
        SessionAuthenticate { session_duration_minutes: minutes, ..SessionAuthenticate::new(SessionRef::Token(token)) };
    let refreshed = dependencies.stytch()?.session_authenticate(&request).await?;
    let response = SessionResponse::respond(&refreshed.issued, api)?;
    if let Some(session) = refreshed.session() {
        tracing::Span::current().record("user_id", session.user_id.as_str());
        tracing::info!(user_id = %session.user_id, extended = minutes.is_some(), "session refreshed");
    }
    Ok(response)
}

/// The session token a refresh or logout names: the body's, or in cookie mode the cookie's (after
/// the CSRF check; a body token is refused there). `Ok(Err(_))` is a field error, reported with the
/// others; `Err(_)` ends the request.
fn session_token(
    api: &ApiConfig,
    headers: &HeaderMap,
    body_token: Option<&SecretString>,
) -> Result<Result<SecretString, FieldError>, ApiError> {
    if !api.session_cookie {
        return Ok(match body_token {
            Some(token) => validation::session_token("sessionToken", token),
            None => Err(FieldError::new("sessionToken", "is required")),
        });
    }
    if body_token.is_some() {
        return Ok(Err(FieldError::new("sessionToken", COOKIE_ONLY)));
    }
    let token = session_cookie::read(headers).ok_or(ApiError::MissingCredentials)?;
    session_cookie::check_same_origin(headers, &api.cors_allowed_origins)?;
    Ok(validation::session_token("sessionToken", &token))
}

const COOKIE_ONLY: &str = "is not accepted: this deployment keeps the session token in its HttpOnly cookie";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoutBody {
    #[serde(default)]
    session_token: Option<SecretString>,
}

/// `POST /session/logout` with `Authorization: Bearer <session JWT>` (verified locally) or
/// `{sessionToken}` (when the JWT has expired; in cookie mode, the cookie) → `204`, which in cookie
/// mode also clears the cookie. A session that is already gone (a repeat, an unknown token) is `204`
/// too: the outcome the caller wants, and no oracle for tokens.
pub async fn logout(
    State(dependencies): State<Dependencies>,
    headers: HeaderMap,
    caller: Option<StytchSession>,
    body: Option<ApiJson<LogoutBody>>,
) -> Result<impl IntoResponse, ApiError> {
    let api = &dependencies.config.api;
    let body_token = body.and_then(|ApiJson(body)| body.session_token);
    let revoke = match (caller, body_token) {
        (Some(_), Some(_)) => {
            return Err(validation::refuse(FieldError::new(
                "sessionToken",
                "send either the session token or the Authorization header, not both",
            )));
        }
        (Some(caller), None) => SessionRevoke::SessionId(caller.session.session_id),
        (None, None) if !api.session_cookie => return Err(ApiError::MissingCredentials),
        (None, token) => SessionRevoke::Session(SessionRef::Token(
            session_token(api, &headers, token.as_ref())?.map_err(validation::refuse)?,
        )),
    };
    match dependencies.stytch()?.session_revoke(&revoke).await {
        Ok(_) => tracing::info!("session revoked"),
        Err(error) if error.error_type().is_some_and(StytchErrorType::is_session_gone) => {
            tracing::info!("logout of a session that had already ended");
        }
        Err(error) => return Err(error.into()),
    }
    let mut answer = HeaderMap::new();
    if api.session_cookie {
        answer.insert(header::SET_COOKIE, session_cookie::clear());
    }
    Ok((StatusCode::NO_CONTENT, answer))
}
