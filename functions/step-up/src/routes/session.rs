//! `POST /session/refresh` and `POST /session/logout`: the Stytch session past its 5-minute JWTs.
//!
//! A refresh takes the session token, which lives as long as the session, and asks Stytch for a
//! new JWT of the same session; no bearer is needed (the token is the credential). A logout
//! revokes the session at Stytch, after which every route that asks Stytch about it refuses it.
//! Session tokens are `SecretString`s: never logged, never repeated in an error.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Deserialize;
use stytch_unit_common::{
    SecretString,
    http::{ApiError, ApiJson, FieldError, StytchSession},
    session_response::{NO_STORE, SessionResponse},
    startup::Dependencies,
    stytch::{SessionAuthenticate, SessionRef, SessionRevoke, StytchErrorType},
};

use crate::validation;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshBody {
    session_token: SecretString,
    #[serde(default)]
    session_duration_minutes: Option<i64>,
}

/// `POST /session/refresh` `{sessionToken, sessionDurationMinutes?}` →
/// `200 {sessionJwt, sessionToken, sessionExpiresAt}`. With `sessionDurationMinutes` (5 to
/// `SESSION_DURATION_MINUTES`) the session then ends that long from now; without it, its end stays.
/// A revoked, expired or unknown session is `401 session_not_found`.
pub async fn refresh(
    State(dependencies): State<Dependencies>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<impl IntoResponse, ApiError> {
    let longest = dependencies.config.api.session_duration_minutes;
    let minutes =
        body.session_duration_minutes.map(|m| validation::session_minutes("sessionDurationMinutes", m, longest));
    let (token, minutes) =
        validation::both(validation::session_token("sessionToken", &body.session_token), minutes.transpose())?;
    let request =
        SessionAuthenticate { session_duration_minutes: minutes, ..SessionAuthenticate::new(SessionRef::Token(token)) };
    let refreshed = dependencies.stytch()?.session_authenticate(&request).await?;
    let response = SessionResponse::from_issued(&refreshed.issued)?;
    if let Some(session) = refreshed.session() {
        tracing::Span::current().record("user_id", session.user_id.as_str());
        tracing::info!(user_id = %session.user_id, extended = minutes.is_some(), "session refreshed");
    }
    Ok(([NO_STORE], Json(response)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoutBody {
    #[serde(default)]
    session_token: Option<SecretString>,
}

/// `POST /session/logout` with `Authorization: Bearer <session JWT>` (verified locally) or
/// `{sessionToken}` (when the JWT has expired) → `204`. A session that is already gone (a repeat,
/// an unknown token) is `204` too: the outcome the caller wants, and no oracle for tokens.
pub async fn logout(
    State(dependencies): State<Dependencies>,
    caller: Option<StytchSession>,
    body: Option<ApiJson<LogoutBody>>,
) -> Result<StatusCode, ApiError> {
    let token = body.and_then(|ApiJson(body)| body.session_token);
    let revoke = match (caller, token) {
        (Some(caller), None) => SessionRevoke::SessionId(caller.session.session_id),
        (None, Some(token)) => SessionRevoke::Session(SessionRef::Token(
            validation::session_token("sessionToken", &token).map_err(validation::refuse)?,
        )),
        (Some(_), Some(_)) => {
            return Err(validation::refuse(FieldError::new(
                "sessionToken",
                "send either the session token or the Authorization header, not both",
            )));
        }
        (None, None) => return Err(ApiError::MissingCredentials),
    };
    match dependencies.stytch()?.session_revoke(&revoke).await {
        Ok(_) => tracing::info!("session revoked"),
        Err(error) if error.error_type().is_some_and(StytchErrorType::is_session_gone) => {
            tracing::info!("logout of a session that had already ended");
        }
        Err(error) => return Err(error.into()),
    }
    Ok(StatusCode::NO_CONTENT)
}
