//! `POST /signup` (send a magic link) and `POST /signup/authenticate` (redeem it for a session).

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::{Deserialize, Serialize};
use stytch_unit_common::{
    dependencies::Dependencies,
    http::{ApiError, ApiJson, FieldError},
    session_response::SessionResponse,
    stytch::{MagicLinkAuthenticate, MagicLinkLoginOrCreate, StytchError},
    validated::Email,
};

use crate::pkce;

/// The one answer to `POST /signup`, whether the address was new or known, so the response
/// cannot be used to find out who has an account.
pub const SENT: SignupResponse = SignupResponse { status: "sent" };

/// Longest magic-link token we pass on (Stytch's are 44 characters).
const MAX_TOKEN_CHARS: usize = 256;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupBody {
    email: String,
    #[serde(default)]
    code_challenge: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SignupResponse {
    pub status: &'static str,
}

/// `POST /signup` `{email, codeChallenge?}` → `202 {"status":"sent"}`. With `REQUIRE_PKCE`, a
/// missing `codeChallenge` is a field error.
pub async fn send_magic_link(
    State(dependencies): State<Dependencies>,
    ApiJson(body): ApiJson<SignupBody>,
) -> Result<impl IntoResponse, ApiError> {
    let email = Email::parse("email", &body.email);
    let challenge = match body.code_challenge.as_deref() {
        Some(challenge) => pkce::challenge(challenge).map(Some),
        None if dependencies.config.api.require_pkce => Err(PKCE_REQUIRED),
        None => Ok(None),
    }
    .map_err(|reason| FieldError::new("codeChallenge", reason));
    let (email, code_challenge) = match (email, challenge) {
        (Ok(email), Ok(challenge)) => (email, challenge),
        (email, challenge) => {
            return Err(ApiError::Validation(email.err().into_iter().chain(challenge.err()).collect()));
        }
    };
    let redirect = dependencies.config.api.magic_link_redirect_url.clone();
    let request = MagicLinkLoginOrCreate {
        login_magic_link_url: redirect.clone(),
        signup_magic_link_url: redirect,
        code_challenge,
        ..MagicLinkLoginOrCreate::new(email.into_string())
    };
    let sent = dependencies.stytch.magic_link_login_or_create(&request).await.map_err(|error| {
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

const PKCE_REQUIRED: &str = "is required: this deployment accepts only magic links sent with PKCE";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticateBody {
    token: String,
    #[serde(default)]
    code_verifier: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticateResponse {
    user_id: String,
    #[serde(flatten)]
    session: SessionResponse,
}

/// `POST /signup/authenticate` `{token, codeVerifier?}` →
/// `200 {userId, sessionJwt, sessionToken, sessionExpiresAt}`. A link sent with a `codeChallenge`
/// needs its verifier: a wrong or missing one is `401 pkce_mismatch` (Stytch's verdict).
pub async fn authenticate(
    State(dependencies): State<Dependencies>,
    ApiJson(body): ApiJson<AuthenticateBody>,
) -> Result<impl IntoResponse, ApiError> {
    let token = body.token.trim();
    let token_error =
        (token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS || token.chars().any(char::is_whitespace))
            .then(|| FieldError::new("token", "must be the token of a magic link"));
    let verifier = match body.code_verifier.as_deref() {
        Some(verifier) => pkce::verifier(verifier).map(Some),
        None if dependencies.config.api.require_pkce => Err(PKCE_REQUIRED),
        None => Ok(None),
    }
    .map_err(|reason| FieldError::new("codeVerifier", reason));
    let code_verifier = match (token_error, verifier) {
        (None, Ok(verifier)) => verifier,
        (token_error, verifier) => {
            return Err(ApiError::Validation(token_error.into_iter().chain(verifier.err()).collect()));
        }
    };
    let request = MagicLinkAuthenticate {
        session_duration_minutes: Some(dependencies.config.api.session_duration_minutes),
        code_verifier,
        ..MagicLinkAuthenticate::new(token)
    };
    let authenticated = dependencies.stytch.magic_link_authenticate(&request).await?;
    let (headers, session) = SessionResponse::from_issued(&authenticated.issued)?.for_client(&dependencies.config.api);
    tracing::info!(user_id = %authenticated.user_id, "magic link authenticated");
    Ok((headers, Json(AuthenticateResponse { user_id: authenticated.user_id, session })))
}
