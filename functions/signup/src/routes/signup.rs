//! `POST /signup` (send a magic link) and `POST /signup/authenticate` (redeem it for a session).

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::{Deserialize, Serialize};
use stytch_unit_common::{
    http::{ApiError, ApiJson, FieldError},
    session_response::{NO_STORE, SessionResponse},
    startup::Dependencies,
    stytch::{MagicLinkAuthenticate, MagicLinkLoginOrCreate, StytchError},
};

use crate::validation;

/// The one answer to `POST /signup`, whether the address was new or known, so the response
/// cannot be used to find out who has an account.
pub const SENT: SignupResponse = SignupResponse { status: "sent" };

/// Longest magic-link token we pass on (Stytch's are 44 characters).
const MAX_TOKEN_CHARS: usize = 256;

#[derive(Deserialize)]
pub struct SignupBody {
    email: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SignupResponse {
    pub status: &'static str,
}

/// `POST /signup` `{email}` → `202 {"status":"sent"}`.
pub async fn send_magic_link(
    State(dependencies): State<Dependencies>,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<impl IntoResponse, ApiError> {
    let email = validation::email(&body.email)
        .map_err(|reason| ApiError::Validation(vec![FieldError::new("email", reason)]))?;
    let redirect = dependencies.config.api.magic_link_redirect_url.clone();
    let request = MagicLinkLoginOrCreate {
        login_magic_link_url: redirect.clone(),
        signup_magic_link_url: redirect,
        ..MagicLinkLoginOrCreate::new(email)
    };
    let sent = dependencies.stytch()?.magic_link_login_or_create(&request).await.map_err(|error| {
        if is_invalid_email(&error) {
            ApiError::Validation(vec![FieldError::new("email", "must be an email address")])
        } else {
            error.into()
        }
    })?;
    tracing::info!(user_id = %sent.user_id, user_created = sent.user_created, "magic link sent");
    Ok((StatusCode::ACCEPTED, Json(SENT)))
}

/// Stytch's own email check is stricter than ours in places; its verdict is the user's mistake.
fn is_invalid_email(error: &StytchError) -> bool {
    error.status() == Some(400) && error.error_type().is_some_and(|t| t.as_str() == "invalid_email")
}

#[derive(Deserialize)]
pub struct AuthenticateBody {
    token: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticateResponse {
    user_id: String,
    #[serde(flatten)]
    session: SessionResponse,
}

/// `POST /signup/authenticate` `{token}` → `200 {userId, sessionJwt, sessionToken, sessionExpiresAt}`.
pub async fn authenticate(
    State(dependencies): State<Dependencies>,
    ApiJson(body): ApiJson<AuthenticateBody>,
) -> Result<impl IntoResponse, ApiError> {
    let token = body.token.trim();
    if token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS || token.chars().any(char::is_whitespace) {
        return Err(ApiError::Validation(vec![FieldError::new("token", "must be the token of a magic link")]));
    }
    let request = MagicLinkAuthenticate {
        session_duration_minutes: Some(dependencies.config.api.session_duration_minutes),
        ..MagicLinkAuthenticate::new(token)
    };
    let authenticated = dependencies.stytch()?.magic_link_authenticate(&request).await?;
    let session = SessionResponse::from_issued(&authenticated.issued)?;
    tracing::info!(user_id = %authenticated.user_id, "magic link authenticated");
    Ok(([NO_STORE], Json(AuthenticateResponse { user_id: authenticated.user_id, session })))
}
