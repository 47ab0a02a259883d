//! `POST /step-up/sms/send` and `POST /step-up/sms/authenticate`: a code texted to the user's
//! phone, added to the caller's session as the second factor.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::{Deserialize, Serialize};
use stytch_unit_common::{
    http::{ApiError, ApiJson, FieldError, StytchSession},
    session_response::{NO_STORE, SessionResponse},
    startup::Dependencies,
    stytch::{OtpAuthenticate, SmsSend, StytchError, StytchErrorType, UserPhoneNumber},
};

use super::this_session;
use crate::validation;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendBody {
    phone_number: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendResponse {
    phone_id: String,
}

/// `POST /step-up/sms/send` `{phoneNumber}` → `202 {phoneId}`. A phone the user does not have yet
/// is attached to them (unverified until its first code is authenticated).
pub async fn send(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    ApiJson(body): ApiJson<SendBody>,
) -> Result<impl IntoResponse, ApiError> {
    let phone_number = validation::phone_number("phoneNumber", &body.phone_number).map_err(validation::refuse)?;
    let request = SmsSend { session: Some(this_session(&caller)), ..SmsSend::new(phone_number) };
    let sent = dependencies.stytch()?.sms_send(&request).await.map_err(|error| {
        if error.is(&StytchErrorType::DuplicatePhoneNumber) {
            ApiError::Conflict {
                code: "phone_number_in_use",
                detail: "This phone number belongs to another user.".into(),
            }
        } else if error.is(&StytchErrorType::InvalidPhoneNumber) {
            ApiError::Validation(vec![FieldError::new("phoneNumber", "is not a phone number that can receive texts")])
        } else {
            error.into()
        }
    })?;
    tracing::info!(user_id = %caller.session.user_id, phone_id = %sent.phone_id, "SMS code sent");
    Ok((StatusCode::ACCEPTED, Json(SendResponse { phone_id: sent.phone_id })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticateBody {
    code: String,
    #[serde(default)]
    phone_id: Option<String>,
}

/// `POST /step-up/sms/authenticate` `{code, phoneId?}` → `200 {sessionJwt, sessionToken?, sessionExpiresAt}`.
/// Without `phoneId`, the phone the code was most likely sent to (see [`pick_phone`]).
pub async fn authenticate(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    ApiJson(body): ApiJson<AuthenticateBody>,
) -> Result<impl IntoResponse, ApiError> {
    let code = validation::code("code", &body.code);
    let phone_id = body.phone_id.as_deref().map(|id| validation::stytch_id("phoneId", id)).transpose();
    let (code, phone_id) = match (code, phone_id) {
        (Ok(code), Ok(phone_id)) => (code, phone_id),
        (code, phone_id) => {
            return Err(ApiError::Validation([code.err(), phone_id.err()].into_iter().flatten().collect()));
        }
    };
    let stytch = dependencies.stytch()?;
    let user_id = caller.session.user_id.as_str();
    let phone_id = match phone_id {
        Some(phone_id) => phone_id,
        None => pick_phone(&stytch.get_user(user_id).await?.user.phone_numbers)?,
    };
    let request = OtpAuthenticate {
        session: Some(this_session(&caller)),
        session_duration_minutes: Some(dependencies.config.api.session_duration_minutes),
        ..OtpAuthenticate::new(phone_id, code)
    };
    let authenticated = stytch.otp_authenticate(&request).await.map_err(phone_of_someone_else)?;
    tracing::info!(user_id, phone_id = %authenticated.method_id, "SMS code added to session");
    Ok(([NO_STORE], Json(SessionResponse::from_issued(&authenticated.issued)?)))
}

/// The phone a code was sent to when the client did not say: the newest unverified phone (a
/// send attaches a new phone unverified), else the user's only phone.
pub fn pick_phone(phones: &[UserPhoneNumber]) -> Result<String, ApiError> {
    if let Some(phone) = phones.iter().rev().find(|phone| !phone.verified) {
        return Ok(phone.phone_id.clone());
    }
    match phones {
        [] => Err(ApiError::Conflict {
            code: "no_phone",
            detail: "This user has no phone number. Send a code with POST /step-up/sms/send first.".into(),
        }),
        [only] => Ok(only.phone_id.clone()),
        _ => Err(ApiError::Validation(vec![FieldError::new(
            "phoneId",
            "is required when the user has several phone numbers; use the phoneId from POST /step-up/sms/send",
        )])),
    }
}

/// A `phoneId` of another user: Stytch refuses to mix it with this session.
fn phone_of_someone_else(error: StytchError) -> ApiError {
    if error.status() == Some(400) && error.error_type().is_some_and(|t| t.as_str() == "session_user_mismatch") {
        ApiError::Validation(vec![FieldError::new("phoneId", "is not a phone number of this user")])
    } else {
        error.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(id: &str, verified: bool) -> UserPhoneNumber {
        UserPhoneNumber { phone_id: id.into(), phone_number: "+15555550100".into(), verified }
    }

    #[test]
    fn picks_the_newest_unverified_phone_else_the_only_one() {
        assert_eq!(pick_phone(&[phone("a", true), phone("b", false)]).unwrap(), "b");
        assert_eq!(pick_phone(&[phone("a", false), phone("b", false)]).unwrap(), "b");
        assert_eq!(pick_phone(&[phone("a", true)]).unwrap(), "a");
        assert_eq!(pick_phone(&[]).unwrap_err().code(), "no_phone");
        assert_eq!(pick_phone(&[phone("a", true), phone("b", true)]).unwrap_err().code(), "validation_failed");
    }
}
