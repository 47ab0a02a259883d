//! Managing the user's factors: `GET /step-up/factors`, `DELETE /step-up/factors/phones/{phoneId}`,
//! `POST /step-up/totp/replace` and `GET /step-up/totp/recovery-codes`.
//!
//! Each needs a session that passes step-up now (`require_step_up`): whoever holds a one-factor
//! session (a read mailbox) must not be able to swap the second factor for their own. Each change
//! is recorded in `trusted_metadata`, where the step-up rule reads the bound factors, before Stytch
//! forgets the factor: a failure in between leaves the factor unusable, never trusted by mistake.

use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
    http::StatusCode,
    response::IntoResponse,
};
use serde::Serialize;
use stytch_unit_common::{
    ExposeSecret,
    http::{ApiError, StytchSession},
    session_response::NO_STORE,
    startup::Dependencies,
    step_up::{BoundFactors, bound},
    stytch::{StytchError, StytchErrorType, TotpRecoveryCodes, User},
};

use super::{require_step_up, totp::create_trusted, totp_not_enrolled};
use crate::masking;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FactorsResponse {
    phones: Vec<PhoneView>,
    totps: Vec<TotpView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhoneView {
    phone_id: String,
    /// Masked.
    phone_number: String,
    verified: bool,
    /// The phone on the user's Unit record, which SMS step-up texts.
    kyc_phone: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TotpView {
    totp_id: String,
    /// Verified with its first code.
    active: bool,
    /// Enrolled through a stepped-up session: it can step a session up.
    trusted: bool,
}

/// `GET /step-up/factors` → `200 {phones: [{phoneId, phoneNumber, verified, kycPhone}],
/// totps: [{totpId, active, trusted}]}`.
pub async fn list(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (user, bound) = require_step_up(&dependencies, &caller).await?;
    let phones = user
        .phone_numbers
        .iter()
        .map(|phone| PhoneView {
            phone_id: phone.phone_id.clone(),
            phone_number: masking::phone(&phone.phone_number),
            verified: phone.verified,
            kyc_phone: bound.kyc_phone.as_deref() == Some(phone.phone_number.as_str()),
        })
        .collect();
    let totps = user
        .totps
        .iter()
        .map(|totp| TotpView {
            totp_id: totp.totp_id.clone(),
            active: totp.verified,
            trusted: bound.trusted_totp_id.as_deref() == Some(totp.totp_id.as_str()),
        })
        .collect();
    Ok(([NO_STORE], Json(FactorsResponse { phones, totps })))
}

/// `DELETE /step-up/factors/phones/{phoneId}` → `204`. The KYC phone (lost, stolen) is recorded as
/// unbound first, so SMS to it no longer steps up, and only while the trusted TOTP is active
/// (`409 last_second_factor`): otherwise the user could never step up again. A phone that is not the
/// user's is `404 factor_not_found`.
pub async fn remove_phone(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let not_found = || ApiError::NotFound {
        code: "factor_not_found",
        detail: "This user has no phone with that phoneId. GET /step-up/factors lists them.".into(),
    };
    // axum's rejection (a segment that is not UTF-8) is plain text: no phone of anybody's, as ours.
    let Ok(Path(phone_id)) = path else {
        return Err(not_found());
    };
    let (user, bound) = require_step_up(&dependencies, &caller).await?;
    let stytch = dependencies.stytch()?;
    let phone = user.phone_numbers.iter().find(|phone| phone.phone_id == phone_id).ok_or_else(not_found)?;
    if bound.kyc_phone.as_deref() == Some(phone.phone_number.as_str()) {
        if !bound.trusted_totp_is_active(&user) {
            return Err(ApiError::Conflict {
                code: "last_second_factor",
                detail: "This phone is the only second factor left. Enrol an authenticator app first.".into(),
            });
        }
        bound::unbind_kyc_phone(stytch, &user.user_id, &phone.phone_number).await?;
    }
    forget(stytch.delete_phone_number(&phone_id).await, StytchErrorType::PhoneNumberNotFound)?;
    tracing::info!(user_id = %user.user_id, %phone_id, "phone removed");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /step-up/totp/replace` → `201 {totpId, secret, otpauthUri, qrCode, recoveryCodes}`: a new
/// authenticator app, trusted, with new recovery codes. Stytch keeps one active TOTP per user (a
/// create beside it is `active_totp_exists`), so the old one is untrusted and deleted first; the
/// KYC phone still steps up meanwhile. `409 totp_not_enrolled` without an active trusted TOTP.
pub async fn replace_totp(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (user, bound) = require_step_up(&dependencies, &caller).await?;
    if !bound.trusted_totp_is_active(&user) {
        return Err(totp_not_enrolled());
    }
    let stytch = dependencies.stytch()?;
    bound::untrust_totp(stytch, &user.user_id).await?;
    for totp in &user.totps {
        forget(stytch.delete_totp(&totp.totp_id).await, StytchErrorType::TotpNotFound)?;
    }
    let created = create_trusted(stytch, &caller, &user.user_id).await?;
    tracing::info!(user_id = %user.user_id, totp_id = %created.totp_id, "TOTP replaced");
    Ok((StatusCode::CREATED, [NO_STORE], Json(created)))
}

/// The unused recovery codes of the trusted TOTP. Stytch can read them but not issue new ones:
/// a new set comes with a new TOTP (`POST /step-up/totp/replace`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodesResponse {
    totp_id: String,
    recovery_codes: Vec<String>,
}

/// `GET /step-up/totp/recovery-codes` → `200 {totpId, recoveryCodes}`; `409 totp_not_enrolled`
/// without an active trusted TOTP.
pub async fn recovery_codes(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (user, bound) = require_step_up(&dependencies, &caller).await?;
    let trusted = trusted_active_totp(&user, &bound).ok_or_else(totp_not_enrolled)?;
    let request = TotpRecoveryCodes { user_id: user.user_id.clone() };
    let answer = dependencies.stytch()?.totp_recovery_codes(&request).await?;
    let codes = answer.totps.into_iter().find(|totp| totp.totp_id == trusted).map(|totp| totp.recovery_codes);
    let recovery_codes = codes.unwrap_or_default().iter().map(|code| code.expose_secret().to_owned()).collect();
    tracing::info!(user_id = %user.user_id, totp_id = %trusted, "recovery codes shown");
    Ok(([NO_STORE], Json(RecoveryCodesResponse { totp_id: trusted, recovery_codes })))
}

fn trusted_active_totp(user: &User, bound: &BoundFactors) -> Option<String> {
    bound.trusted_totp_is_active(user).then(|| bound.trusted_totp_id.clone()).flatten()
}

/// A deletion Stytch answers "not found" to is done already (a repeat, a concurrent removal).
fn forget<T>(result: Result<T, StytchError>, gone: StytchErrorType) -> Result<(), ApiError> {
    match result {
        Ok(_) => Ok(()),
        Err(error) if error.is(&gone) => Ok(()),
        Err(error) => Err(error.into()),
    }
}
