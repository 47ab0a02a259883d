//! `POST /step-up/sms/send` and `POST /step-up/sms/authenticate`: a code texted to the phone on the
//! user's Unit KYC record (the only phone bound to them), added to the caller's session as the
//! second factor. A number from the request is never texted: a second factor the caller chose
//! inside the session being checked would prove nothing (and would make us an SMS relay).

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::{Deserialize, Serialize, de::IgnoredAny};
use stytch_unit_common::{
    http::{ApiError, ApiJson, StytchSession},
    session_response::SessionResponse,
    startup::Dependencies,
    step_up::bound,
    stytch::{OtpAuthenticate, SmsSend, StytchClient, StytchErrorType, User},
    unit::UnitClient,
};

use super::this_session;
use crate::{masking, validation};

/// The body may be left out. `phoneNumber` is refused with a code that says why.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SendBody {
    #[serde(default)]
    phone_number: Option<IgnoredAny>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendResponse {
    phone_id: String,
    /// The last four digits only, for "we texted the number ending in 0100".
    phone_number: String,
}

/// `POST /step-up/sms/send` (no body, or `{}`) → `202 {phoneId, phoneNumber}` (masked).
pub async fn send(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    body: Option<ApiJson<SendBody>>,
) -> Result<impl IntoResponse, ApiError> {
    if body.is_some_and(|ApiJson(body)| body.phone_number.is_some()) {
        return Err(ApiError::BadRequest {
            code: "phone_number_not_accepted",
            detail: "Step-up codes go only to the phone on the user's account application. Send no body.".into(),
        });
    }
    let (stytch, unit) = (dependencies.stytch()?, dependencies.unit()?);
    let user_id = caller.session.user_id.as_str();
    let (_, phone) = user_and_kyc_phone(stytch, unit, user_id).await?;
    let request = SmsSend { session: Some(this_session(&caller)), ..SmsSend::new(phone.clone()) };
    let sent = stytch.sms_send(&request).await.map_err(|error| {
        if error.is(&StytchErrorType::DuplicatePhoneNumber) {
            tracing::warn!(user_id, "the KYC phone belongs to another Stytch user");
            ApiError::Conflict {
                code: "phone_number_in_use",
                detail: "The phone on this account's application belongs to another login.".into(),
            }
        } else {
            error.into()
        }
    })?;
    tracing::info!(user_id, phone_id = %sent.phone_id, "SMS code sent to the KYC phone");
    Ok((StatusCode::ACCEPTED, Json(SendResponse { phone_id: sent.phone_id, phone_number: masking::phone(&phone) })))
}

#[derive(Deserialize)]
pub struct AuthenticateBody {
    code: String,
}

/// `POST /step-up/sms/authenticate` `{code}` → `200 {sessionJwt, sessionToken?, sessionExpiresAt}`.
pub async fn authenticate(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    ApiJson(body): ApiJson<AuthenticateBody>,
) -> Result<impl IntoResponse, ApiError> {
    let code = validation::code("code", &body.code).map_err(validation::refuse)?;
    let (stytch, unit) = (dependencies.stytch()?, dependencies.unit()?);
    let user_id = caller.session.user_id.as_str();
    let (user, phone) = user_and_kyc_phone(stytch, unit, user_id).await?;
    let phone_id = user.phone_numbers.iter().find(|p| p.phone_number == phone).map(|p| p.phone_id.clone()).ok_or(
        ApiError::Conflict {
            code: "no_code_sent",
            detail: "No code was sent to this user's phone yet. Send one with POST /step-up/sms/send.".into(),
        },
    )?;
    let request = OtpAuthenticate {
        session: Some(this_session(&caller)),
        session_duration_minutes: Some(dependencies.config.api.session_duration_minutes),
        ..OtpAuthenticate::new(phone_id, code)
    };
    let authenticated = stytch.otp_authenticate(&request).await?;
    tracing::info!(user_id, phone_id = %authenticated.method_id, "SMS code added to session");
    SessionResponse::respond(&authenticated.issued, &dependencies.config.api)
}

/// The Stytch user and the phone bound to them; `409 no_bound_phone` before any application.
async fn user_and_kyc_phone(
    stytch: &StytchClient,
    unit: &UnitClient,
    user_id: &str,
) -> Result<(User, String), ApiError> {
    let user = stytch.get_user(user_id).await?.user;
    let phone = bound::load(stytch, unit, &user).await?.kyc_phone.ok_or(ApiError::Conflict {
        code: "no_bound_phone",
        detail: "This user has no phone on record yet. Submit an application with POST /applications first.".into(),
    })?;
    Ok((user, phone))
}
