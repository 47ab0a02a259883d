//! `POST /step-up/totp` (enrol an authenticator app), `POST /step-up/totp/authenticate` and
//! `POST /step-up/recover` (add the TOTP or a recovery code to the caller's session).
//!
//! Enrolling needs a session that already passed step-up (the KYC-phone SMS first), and records
//! the new TOTP as the user's trusted one. A TOTP or recovery code that is not the trusted one is
//! refused with `403 factor_not_bound` and no session JWT.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
};
use serde::{Deserialize, Serialize};
use stytch_unit_common::{
    ExposeSecret,
    dependencies::Dependencies,
    http::{ApiError, ApiJson, Code, StytchSession},
    session_response::{NO_STORE, SessionResponse},
    step_up::{BoundFactors, KycRecord, TotpProof, bound},
    stytch::{
        StytchClient, StytchError, StytchErrorType, TotpAuthenticate, TotpAuthenticateResponse, TotpCreate, TotpRecover,
    },
};

use super::{require_step_up, this_session, totp_not_enrolled};
use crate::{otpauth, validation};

/// The one response that carries a TOTP secret and recovery codes, by design: the user needs
/// them once to set up the app. No `Debug`, never logged, never cached.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolResponse {
    pub(super) totp_id: String,
    secret: String,
    otpauth_uri: String,
    qr_code: String,
    recovery_codes: Vec<String>,
}

/// `POST /step-up/totp` → `201 {totpId, secret, otpauthUri, qrCode, recoveryCodes}`;
/// `403 step_up_required` unless the session passed step-up (checked with Stytch, so a revoked
/// session cannot enrol); `409 totp_already_enrolled` when the user has an active TOTP.
pub async fn enrol(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (user, _) = require_step_up(&dependencies, &caller).await?;
    let created = create_trusted(&dependencies.stytch, &caller, &user.user_id).await?;
    tracing::info!(user_id = %user.user_id, totp_id = %created.totp_id, "TOTP enrolment started");
    Ok((StatusCode::CREATED, [NO_STORE], Json(created)))
}

/// Creates a TOTP for `user_id` and records it as the trusted one; the answer the user needs.
pub(super) async fn create_trusted(
    stytch: &StytchClient,
    caller: &StytchSession,
    user_id: &str,
) -> Result<EnrolResponse, ApiError> {
    let created = stytch.totp_create(&TotpCreate::new(user_id)).await?;
    bound::trust_totp(stytch, user_id, &created.totp_id).await?;
    // The account name in the app: the email the user signed in with, else the user id.
    let account = caller
        .session
        .factors
        .iter()
        .find_map(|factor| factor.email_factor.as_ref().map(|email| email.email_address.clone()))
        .unwrap_or_else(|| user_id.to_owned());
    Ok(EnrolResponse {
        otpauth_uri: otpauth::uri(created.secret.expose_secret(), &account),
        secret: created.secret.expose_secret().to_owned(),
        qr_code: created.qr_code.expose_secret().to_owned(),
        recovery_codes: created.recovery_codes.iter().map(|code| code.expose_secret().to_owned()).collect(),
        totp_id: created.totp_id,
    })
}

#[derive(Deserialize)]
pub struct CodeBody {
    code: String,
}

/// `POST /step-up/totp/authenticate` `{code}` → `200 {sessionJwt, sessionToken?, sessionExpiresAt}`,
/// the caller's session now holding the TOTP factor. The first code also activates an enrolment.
pub async fn authenticate(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<impl IntoResponse, ApiError> {
    let code = validation::code("code", &body.code).map_err(validation::refuse)?;
    let user_id = caller.session.user_id.as_str();
    let request = TotpAuthenticate {
        session: Some(this_session(&caller)),
        session_duration_minutes: Some(dependencies.config.api.session_duration_minutes),
        ..TotpAuthenticate::new(user_id, code.expose())
    };
    let authenticated = dependencies.stytch.totp_authenticate(&request).await.map_err(no_totp_is_a_conflict)?;
    respond_if_trusted(&dependencies, user_id, &authenticated, TotpProof::Code).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoverBody {
    recovery_code: String,
}

/// `POST /step-up/recover` `{recoveryCode}` → `200 {sessionJwt, sessionToken?, sessionExpiresAt}`.
/// Each recovery code works once.
pub async fn recover(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    ApiJson(body): ApiJson<RecoverBody>,
) -> Result<impl IntoResponse, ApiError> {
    let recovery_code = validation::recovery_code("recoveryCode", &body.recovery_code).map_err(validation::refuse)?;
    let user_id = caller.session.user_id.as_str();
    let request = TotpRecover {
        session: Some(this_session(&caller)),
        session_duration_minutes: Some(dependencies.config.api.session_duration_minutes),
        ..TotpRecover::new(user_id, recovery_code)
    };
    let recovered = dependencies.stytch.totp_recover(&request).await.map_err(no_totp_is_a_conflict)?;
    respond_if_trusted(&dependencies, user_id, &recovered, TotpProof::RecoveryCode).await
}

/// The log lines of a refused and an accepted TOTP proof.
fn log_text(proof: TotpProof) -> (&'static str, &'static str) {
    match proof {
        TotpProof::Code => ("a TOTP that was never trusted", "TOTP added to session"),
        TotpProof::RecoveryCode => {
            ("a recovery code of a TOTP that was never trusted", "recovery code added to session")
        }
    }
}

/// The session JWT with the TOTP factor when the step-up rule trusts the TOTP Stytch matched
/// ([`BoundFactors::trusts_totp`]), else `403 factor_not_bound`.
async fn respond_if_trusted(
    dependencies: &Dependencies,
    user_id: &str,
    authenticated: &TotpAuthenticateResponse,
    proof: TotpProof,
) -> Result<(HeaderMap, Json<SessionResponse>), ApiError> {
    let bound = bound_factors(&dependencies.stytch, authenticated).await?;
    let totp_id = authenticated.totp_id.as_str();
    let (refused, added) = log_text(proof);
    if !bound.trusts_totp(totp_id, proof) {
        tracing::warn!(user_id, totp_id, "{refused}");
        return Err(factor_not_bound());
    }
    tracing::info!(user_id, totp_id, "{added}");
    SessionResponse::respond(&authenticated.issued, &dependencies.config.api)
}

/// The user's bound TOTP, from the user Stytch sent back with the authentication (else read).
async fn bound_factors(
    stytch: &StytchClient,
    authenticated: &TotpAuthenticateResponse,
) -> Result<BoundFactors, ApiError> {
    Ok(match &authenticated.user {
        Some(user) => BoundFactors::new(user, KycRecord::default()),
        None => BoundFactors::new(&stytch.get_user(&authenticated.user_id).await?.user, KycRecord::default()),
    })
}

fn factor_not_bound() -> ApiError {
    ApiError::Refused {
        code: Code::FactorNotBound,
        detail: "This authenticator app was not enrolled through a stepped-up session, so it cannot prove \
                 a second factor. Step up with the SMS code to your phone, then enrol it again."
            .into(),
    }
}

fn no_totp_is_a_conflict(error: StytchError) -> ApiError {
    if error.is(&StytchErrorType::TotpNotFound) || error.is(&StytchErrorType::NoActiveRecoveryCodeBackedFactor) {
        totp_not_enrolled()
    } else {
        error.into()
    }
}
