//! `POST /token/verification`: Unit texts (or calls) the customer a one-time code, the fallback
//! second factor for `POST /token` when the Stytch session has none.

use axum::{Json, extract::State, response::IntoResponse};
use http::header::CACHE_CONTROL;
use serde::{Deserialize, Serialize};
use stytch_unit_common::{
    ExposeSecret, customer_link,
    dependencies::Dependencies,
    http::{ApiError, ApiJson, StytchSession},
    unit::{VerificationChannel, unit_id},
};

/// The body may be left out; the channel defaults to SMS. Unknown fields are ignored.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct VerificationBody {
    #[serde(default)]
    pub channel: Option<VerificationChannel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationResponse {
    pub verification_token: String,
}

pub async fn create(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    body: Option<ApiJson<VerificationBody>>,
) -> Result<impl IntoResponse, ApiError> {
    let channel = body.and_then(|ApiJson(body)| body.channel).unwrap_or(VerificationChannel::Sms);
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    // A revoked session must not make Unit text or call anyone: ask Stytch first (its answer
    // carries the user, so no users.get).
    let user = caller.check_with_stytch(stytch).await?;
    let user_id = user.user_id.as_str();
    let customer_id = customer_link::customer_id_of(stytch, unit, &user).await?;
    // Unit texts the customer's phone without looking at jwtSubject: the link must hold first.
    customer_link::verified_customer(unit, user_id, &customer_id).await?;
    let token = unit.create_token_verification(&unit_id(&customer_id)?, channel).await?;
    tracing::info!(customer_id, ?channel, "Unit token verification sent");
    let body = VerificationResponse { verification_token: token.expose_secret().to_owned() };
    Ok(([(CACHE_CONTROL, "no-store")], Json(body)))
}
