//! `POST /v1/totps`, `/v1/totps/authenticate`, `/v1/totps/recover` and `/v1/totps/recovery_codes`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use time::Duration;

use super::errors::{StytchError, StytchResult};
use super::extract::StytchJson;
use super::otpauth;
use super::qr;
use super::respond::{object, ok};
use super::sandbox_values as sandbox;
use super::session::{Attributes, Factor};
use super::session_binding::{self, Authenticated, SessionOptions};
use super::state::StytchState;
use super::user::{RecoveryCode, Totp, User};
use super::validate;
use crate::common::{clock, ids};

const RECOVERY_CODES: usize = 10;

#[derive(Deserialize)]
pub struct Create {
    user_id: String,
    expiration_minutes: Option<i64>,
}

pub async fn create(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Create>,
) -> StytchResult<Response> {
    let minutes = validate::minutes(request.expiration_minutes, 1440, 5, 1440, "expiration_minutes")?;
    let now = clock::now();
    let mut data = state.data();
    let user = data.user_mut(&request.user_id)?;
    let is_sandbox_user = user.user_id == sandbox::USER_ID;
    // The sandbox user may enrol any number of times, as on Stytch's Test environment.
    if !is_sandbox_user && user.totps.iter().any(|totp| totp.verified) {
        return Err(StytchError::bad_request(
            "active_totp_exists",
            "The user already has an active TOTP; only one is allowed.",
        ));
    }

    let secret = otpauth::new_secret();
    let uri = otpauth::uri(&secret, &account_name(user));
    let qr_code = qr::png_data_url(&uri)
        .map_err(|message| StytchError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", message))?;
    let totp = Totp {
        totp_id: ids::prefixed("totp-test"),
        secret: secret.clone(),
        verified: false,
        expires_at: now + Duration::minutes(minutes),
        recovery_codes: (0..RECOVERY_CODES)
            .map(|_| RecoveryCode { id: ids::prefixed("totp-recovery-code-test"), code: recovery_code(), used: false })
            .collect(),
        last_used_step: None,
    };
    let mut body = object(json!({
        "totp_id": totp.totp_id,
        "secret": otpauth::base32(&secret),
        "qr_code": qr_code,
        "recovery_codes": totp.recovery_codes.iter().map(|code| code.code.clone()).collect::<Vec<_>>(),
        "user_id": user.user_id,
    }));
    if !is_sandbox_user {
        // A new enrolment replaces an unfinished one rather than failing with `pending_totp_exists`.
        user.totps.retain(|existing| existing.verified);
        user.totps.push(totp);
    }
    body.insert("user".into(), user.to_json());
    Ok(ok(body))
}

#[derive(Deserialize)]
pub struct Authenticate {
    user_id: String,
    totp_code: String,
    attributes: Option<Attributes>,
    #[serde(flatten)]
    session: SessionOptions,
}

pub async fn authenticate(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Authenticate>,
) -> StytchResult<Response> {
    session_binding::authenticate(&state, &request.session, request.attributes, |data| {
        let now = clock::now();
        let user = data.user_mut(&request.user_id)?;

        let totp_id = if user.user_id == sandbox::USER_ID && request.totp_code == sandbox::TOTP_CODE {
            sandbox::TOTP_ID.to_owned()
        } else {
            if request.totp_code.len() != 6 || !request.totp_code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(StytchError::bad_request("invalid_totp_code", "totp_code must be 6 digits."));
            }
            // Prefer the active TOTP; fall back to an enrolment still waiting for its first code.
            let totp = user
                .totps
                .iter_mut()
                .filter(|totp| totp.verified || totp.expires_at > now)
                .max_by_key(|totp| totp.verified)
                .ok_or_else(|| StytchError::not_found("totp_not_found", "The user has no TOTP registration."))?;
            let unix = u64::try_from(now.unix_timestamp()).unwrap_or_default();
            let step = otpauth::matching_step(&totp.secret, &request.totp_code, unix).ok_or_else(|| {
                StytchError::unauthorized("unable_to_authenticate_totp", "The TOTP code is incorrect.")
            })?;
            if totp.last_used_step.is_some_and(|last| step <= last) {
                return Err(StytchError::unauthorized(
                    "totp_code_already_authenticated",
                    "This TOTP code was already used; wait for the next one.",
                ));
            }
            totp.last_used_step = Some(step);
            totp.verified = true;
            totp.totp_id.clone()
        };
        user.pending = false;

        let factor =
            Factor::new("totp", "authenticator_app", "authenticator_app_factor", json!({ "totp_id": totp_id }));
        Ok(Authenticated { user_id: request.user_id.clone(), factor, fields: json!({ "totp_id": totp_id }) })
    })
}

#[derive(Deserialize)]
pub struct Recover {
    user_id: String,
    recovery_code: String,
    attributes: Option<Attributes>,
    #[serde(flatten)]
    session: SessionOptions,
}

pub async fn recover(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Recover>,
) -> StytchResult<Response> {
    session_binding::authenticate(&state, &request.session, request.attributes, |data| {
        let user = data.user_mut(&request.user_id)?;
        let code = request.recovery_code.trim().to_ascii_lowercase();

        let (totp_id, recovery_code_id) = if user.user_id == sandbox::USER_ID && code == sandbox::TOTP_RECOVERY_CODE {
            (sandbox::TOTP_ID.to_owned(), sandbox::TOTP_RECOVERY_CODE_ID.to_owned())
        } else {
            let totp = user.totps.iter_mut().find(|totp| totp.verified).ok_or_else(|| {
                StytchError::bad_request(
                    "no_active_recovery_code_backed_factor",
                    "The user has no active TOTP with recovery codes.",
                )
            })?;
            let recovery =
                totp.recovery_codes.iter_mut().find(|candidate| candidate.code == code).ok_or_else(|| {
                    StytchError::unauthorized("invalid_recovery_code", "The recovery code is incorrect.")
                })?;
            if recovery.used {
                return Err(StytchError::unauthorized(
                    "unable_to_authenticate_recovery_code",
                    "The recovery code was already used.",
                ));
            }
            recovery.used = true;
            (totp.totp_id.clone(), recovery.id.clone())
        };

        let factor = Factor::new(
            "recovery_codes",
            "recovery_code",
            "recovery_code_factor",
            json!({ "totp_recovery_code_id": recovery_code_id }),
        );
        Ok(Authenticated { user_id: request.user_id.clone(), factor, fields: json!({ "totp_id": totp_id }) })
    })
}

#[derive(Deserialize)]
pub struct RecoveryCodes {
    user_id: String,
}

/// The unused recovery codes of each of the user's TOTPs.
pub async fn recovery_codes(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<RecoveryCodes>,
) -> StytchResult<Response> {
    let data = state.data();
    let user = data.user(&request.user_id)?;
    let totps: Vec<_> = user
        .live_totps(clock::now())
        .map(|totp| {
            json!({
                "totp_id": totp.totp_id,
                "verified": totp.verified,
                "recovery_codes": totp.recovery_codes.iter().filter(|code| !code.used).map(|code| code.code.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(ok(object(json!({ "user_id": user.user_id, "totps": totps }))))
}

/// `xxxx-xxxx-xxxx` in lower-case letters and digits, like `a1b2-c3d4-e5f6`.
fn recovery_code() -> String {
    [ids::alphanumeric_lower(4), ids::alphanumeric_lower(4), ids::alphanumeric_lower(4)].join("-")
}

/// Who the authenticator app shows the code for: the first email, else the first phone, else the id.
fn account_name(user: &User) -> String {
    user.emails
        .first()
        .map(|email| email.email.clone())
        .or_else(|| user.phone_numbers.first().map(|phone| phone.phone_number.clone()))
        .unwrap_or_else(|| user.user_id.clone())
}
