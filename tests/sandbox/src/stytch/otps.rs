//! `POST /v1/otps/sms/send`, `/v1/otps/sms/login_or_create` and `/v1/otps/authenticate`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use time::Duration;

use super::errors::{StytchError, StytchResult};
use super::extract::StytchJson;
use super::recipient::{Contact, recipient};
use super::respond::{object, ok};
use super::sandbox_values as sandbox;
use super::session::{Attributes, Factor};
use super::session_binding::{self, Authenticated, SessionOptions};
use super::state::{Data, OtpCode, StytchState};
use super::user::User;
use super::validate;
use crate::common::{clock, ids};

const DEFAULT_EXPIRATION_MINUTES: i64 = 2;

#[derive(Deserialize)]
pub struct Send {
    phone_number: String,
    expiration_minutes: Option<i64>,
    user_id: Option<String>,
    session_token: Option<String>,
    session_jwt: Option<String>,
}

/// Sends a code to a phone of an existing user; with `user_id` or a session, attaches the phone to that
/// user first (unverified until its code is authenticated).
pub async fn send(State(state): State<StytchState>, StytchJson(request): StytchJson<Send>) -> StytchResult<Response> {
    let phone_number = validate::phone_number(&request.phone_number)?;
    let minutes = expiration(request.expiration_minutes)?;
    let mut data = state.data();

    let named = (&request.user_id, &request.session_token, &request.session_jwt);
    let (user_id, phone_id) = recipient(&state, &mut data, &Contact::Phone(&phone_number), named)?;
    deliver_code(&state, &mut data, &user_id, &phone_id, &phone_number, minutes);
    Ok(ok(object(json!({ "user_id": user_id, "phone_id": phone_id }))))
}

#[derive(Deserialize)]
pub struct LoginOrCreate {
    phone_number: String,
    expiration_minutes: Option<i64>,
    #[serde(default)]
    create_user_as_pending: bool,
}

pub async fn login_or_create(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<LoginOrCreate>,
) -> StytchResult<Response> {
    let phone_number = validate::phone_number(&request.phone_number)?;
    let minutes = expiration(request.expiration_minutes)?;
    let mut data = state.data();
    let (user_id, phone_id, user_created) = match data.user_id_by_phone(&phone_number) {
        Some((user_id, phone_id)) => (user_id, phone_id, false),
        None => {
            let mut user = User::new(ids::prefixed("user-test"), request.create_user_as_pending);
            let phone_id = user.add_phone(phone_number.clone());
            let user_id = user.user_id.clone();
            data.users.insert(user_id.clone(), user);
            (user_id, phone_id, true)
        }
    };
    deliver_code(&state, &mut data, &user_id, &phone_id, &phone_number, minutes);
    Ok(ok(object(json!({ "user_id": user_id, "phone_id": phone_id, "user_created": user_created }))))
}

#[derive(Deserialize)]
pub struct Authenticate {
    method_id: String,
    code: String,
    attributes: Option<Attributes>,
    #[serde(flatten)]
    session: SessionOptions,
}

pub async fn authenticate(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Authenticate>,
) -> StytchResult<Response> {
    session_binding::authenticate(&state, &request.session, request.attributes, |data| {
        let not_found = || StytchError::not_found("otp_code_not_found", "The OTP code could not be found.");
        let now = clock::now();

        let otp = data.otps.get_mut(&request.method_id).ok_or_else(not_found)?;
        if otp.code != request.code {
            return Err(not_found());
        }
        if otp.used || otp.expires_at <= now {
            return Err(StytchError::unauthorized(
                "unable_to_auth_otp_code",
                "The OTP code could not be authenticated because it was either already used or expired.",
            ));
        }
        let user_id = otp.user_id.clone();
        otp.used = !otp.reusable;

        let user = data.user_mut(&user_id)?;
        user.pending = false;
        let phone =
            user.phone_numbers.iter_mut().find(|phone| phone.phone_id == request.method_id).ok_or_else(not_found)?;
        phone.verified = true;
        let factor = Factor::new(
            "otp",
            "sms",
            "phone_number_factor",
            json!({ "phone_id": phone.phone_id, "phone_number": phone.phone_number }),
        );
        Ok(Authenticated {
            user_id,
            factor,
            fields: json!({ "method_id": request.method_id, "reset_sessions": false }),
        })
    })
}

fn expiration(minutes: Option<i64>) -> StytchResult<i64> {
    validate::minutes(minutes, DEFAULT_EXPIRATION_MINUTES, 1, 10, "expiration_minutes")
}

/// Stores a fresh code (replacing any earlier one for this phone) and puts it in the outbox. The
/// sandbox phone always gets `000000` and no message.
fn deliver_code(state: &StytchState, data: &mut Data, user_id: &str, phone_id: &str, phone_number: &str, minutes: i64) {
    let is_sandbox = phone_number == sandbox::PHONE;
    let code = if is_sandbox { sandbox::OTP_CODE.to_owned() } else { ids::numeric_code(6) };
    let expires_at =
        if is_sandbox { clock::now() + Duration::days(3650) } else { clock::now() + Duration::minutes(minutes) };
    data.otps.insert(
        phone_id.to_owned(),
        OtpCode { user_id: user_id.to_owned(), code: code.clone(), expires_at, used: false, reusable: is_sandbox },
    );
    if !is_sandbox {
        state.outbox().push_sms(phone_number, &code);
    }
}
