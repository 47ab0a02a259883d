//! `POST /token`: a Unit customer token for the caller's own customer.
//!
//! Two ways to prove the second factor that sensitive scopes need:
//! - the Stytch session itself (the default): it must pass the step-up rule
//!   (`stytch_unit_common::step_up`): a fresh second factor bound to the user (the KYC phone or the
//!   trusted TOTP) beside a factor of another category. Its JWT goes to Unit as `jwtToken`.
//! - Unit's own SMS code (`verificationToken` + `verificationCode`, after `POST /token/verification`):
//!   Unit texts the customer's KYC phone, so it pairs with a session whose factor is not a phone.
//!
//! Every request checks the session with Stytch first (revocation), and sensitive tokens are
//! capped at `SENSITIVE_TOKEN_MAX_SECONDS`: Unit cannot revoke a customer token once issued.

use axum::{Json, extract::State, response::IntoResponse};
use http::header::CACHE_CONTROL;
use serde::Serialize;
use stytch_unit_common::{
    ExposeSecret, customer_link,
    dependencies::Dependencies,
    http::{ApiError, ApiJson, Code, StytchSession},
    metrics::catalogue::{self, ScopeClass},
    session::VerifyError,
    step_up::{BoundFactors, KycRecord, StepUpShortfall},
    unit::{CustomerTokenRequest, TokenProof, UnitError, unit_id},
};
use time::OffsetDateTime;

use crate::validation::{self, TokenBody};

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
) -> Result<impl IntoResponse, ApiError> {
    let request = validation::validate(body)?;
    let config = &dependencies.config.session;
    let now = OffsetDateTime::now_utc();
    let by_session = request.needs_two_factor() && request.verification.is_none();
    // What the JWT alone rules out is refused before anyone upstream is called.
    if by_session {
        caller.session.check_two_factor(config.step_up_max_age, now).map_err(step_up_required)?;
    }

    // Unit checks `exp` with no leeway: a JWT it would refuse is the caller's to refresh, not a
    // 401 from Unit on our org-token call.
    if caller.session.jwt_expires_at <= now {
        return Err(VerifyError::Expired.into());
    }
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    let user = caller.check_with_stytch(stytch).await?;
    let customer_id = customer_link::customer_id_of(stytch, unit, &user).await?;
    let customer = customer_link::verified_customer(unit, &user.user_id, &customer_id).await?;
    let bound = BoundFactors::new(&user, KycRecord::of(&customer));
    if by_session {
        caller.session.check_bound(&bound, config.step_up_max_age, now).map_err(step_up_required)?;
    }
    // Unit texts the KYC phone: its code pairs only with a bound factor that is not a phone.
    if request.verification.is_some() && !caller.session.can_pair_with_unit_sms(&bound) {
        return Err(step_up_required(StepUpShortfall::UnboundSecondFactor));
    }

    let expires_in = request.lifetime(config.sensitive_token_max_lifetime);
    let proof = match &request.verification {
        Some(verification) => TokenProof::Verification { token: &verification.token, code: &verification.code },
        // Sent for every scope: Unit then checks the session belongs to this customer too.
        None => TokenProof::Jwt(&caller.jwt),
    };
    let by_verification = request.verification.is_some();
    let token = unit
        .create_customer_token(
            &unit_id(&customer_id)?,
            &CustomerTokenRequest { scopes: &request.scopes, expires_in: Some(expires_in), proof },
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
    catalogue::token_minted(if request.needs_two_factor() { ScopeClass::Sensitive } else { ScopeClass::ReadOnly });
    let body = TokenResponse {
        token: token.token.expose_secret().to_owned(),
        expires_in: token.expires_in,
        scopes: request.scopes,
    };
    Ok(([(CACHE_CONTROL, "no-store")], Json(body)))
}

fn step_up_required(shortfall: StepUpShortfall) -> ApiError {
    tracing::info!(?shortfall, "sensitive scopes asked for without a recent bound second factor");
    ApiError::StepUpRequired
}

/// What Unit's "no" means for this route. The call carries our org token, so a 401/403 is ours to
/// fix (a revoked token, `customer-token-write` missing, Unit's JWT settings not trusting Stytch: we
/// verified the JWT and its subject ourselves first): `UnitError`'s own mapping makes it a 502 with
/// an error log. Only Unit's verification code is the caller's, and Unit answers a wrong, expired or
/// spent one with 403.
fn refusal(error: UnitError, by_verification: bool) -> ApiError {
    match (error.status(), by_verification) {
        (Some(400 | 403), true) => ApiError::Refused {
            code: Code::InvalidVerificationCode,
            detail: "The verification code is wrong, or the verification expired or was used up. \
                     Request a new one with POST /token/verification."
                .into(),
        },
        _ => error.into(),
    }
}
