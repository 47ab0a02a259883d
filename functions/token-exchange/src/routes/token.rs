//! `POST /token`: a Unit customer token for the caller's own customer.
//!
//! Two ways to prove the second factor that sensitive scopes need:
//! - the Stytch session itself (the default): it must pass the two-factor rule with a second
//!   factor no older than `STEP_UP_MAX_AGE_SECONDS`, checked here before anyone is called, and its
//!   JWT goes to Unit as `jwtToken`;
//! - Unit's own SMS code (`verificationToken` + `verificationCode`, after `POST /token/verification`):
//!   the fallback for sessions without a second factor; Unit's code is then the second factor.

use axum::{Json, extract::State, response::IntoResponse};
use http::header::CACHE_CONTROL;
use serde::Serialize;
use stytch_unit_common::{
    ExposeSecret,
    http::{ApiError, ApiJson, StytchSession},
    startup::Dependencies,
    unit::{CustomerTokenRequest, TokenProof, UnitError},
};
use time::OffsetDateTime;

use crate::{
    customer,
    error::RouteError,
    validation::{self, TokenBody},
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    pub token: String,
    pub expires_in: u64,
    pub scopes: Vec<String>,
}

pub async fn create(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<impl IntoResponse, RouteError> {
    let request = validation::validate(body)?;
    if request.needs_two_factor() && request.verification.is_none() {
        let max_age = dependencies.config.session.step_up_max_age;
        if let Err(shortfall) = caller.session.check_two_factor(max_age, OffsetDateTime::now_utc()) {
            tracing::info!(?shortfall, "sensitive scopes asked for without a recent second factor");
            return Err(ApiError::StepUpRequired.into());
        }
    }

    let user_id = caller.session.user_id.as_str();
    let customer_id = customer::linked_customer(&dependencies, user_id).await?;
    let proof = match &request.verification {
        Some(verification) => TokenProof::Verification { token: &verification.token, code: &verification.code },
        // Sent for every scope: Unit then checks the session belongs to this customer too.
        None => TokenProof::Jwt(&caller.jwt),
    };
    let by_verification = request.verification.is_some();
    let token = dependencies
        .unit()?
        .create_customer_token(
            &customer_id,
            &CustomerTokenRequest { scopes: &request.scopes, expires_in: Some(request.expires_in), proof },
        )
        .await
        .map_err(|error| refusal(error, by_verification))?;
    tracing::info!(
        customer_id,
        scopes = %request.scopes.join(" "),
        expires_in = token.expires_in,
        by_verification,
        "customer token issued"
    );
    let body = TokenResponse {
        token: token.token.expose_secret().to_owned(),
        expires_in: token.expires_in,
        scopes: request.scopes,
    };
    Ok(([(CACHE_CONTROL, "no-store")], Json(body)))
}

/// What Unit's "no" means for this route. Unit's 401/403 here are about the proof, not about our
/// org token (the client refetches a rotated org token itself).
fn refusal(error: UnitError, by_verification: bool) -> ApiError {
    match (error.status(), by_verification) {
        // Unit's sandbox and live API answer a wrong, expired or spent code with 403.
        (Some(400 | 401 | 403), true) => ApiError::Unauthorized {
            code: "invalid_verification_code",
            detail: "The verification code is wrong, or the verification expired or was used up. \
                     Request a new one with POST /token/verification.",
        },
        (Some(401), false) => {
            tracing::warn!("Unit refused the session JWT (expired, or Unit's JWT settings do not match Stytch)");
            ApiError::Unauthorized {
                code: "session_rejected_by_unit",
                detail: "Unit did not accept the session JWT. Refresh the session with Stytch and retry.",
            }
        }
        (Some(403), false) => {
            tracing::error!("Unit refused the session JWT's subject for this customer");
            ApiError::Forbidden {
                code: "customer_mismatch",
                detail: "Unit does not link this session's user to the customer.".into(),
            }
        }
        _ => error.into(),
    }
}
