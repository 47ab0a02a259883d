//! `DELETE /v1/users/phone_numbers/{phone_id}` and `DELETE /v1/users/totps/{totp_id}`: a factor
//! removed from its user (stytch-node `lib/b2c/users.ts` `deletePhoneNumber`, `deleteTOTP`: the
//! answer is `{request_id, user_id, user, status_code}`; an unknown id is `phone_number_not_found`
//! or `totp_not_found`, 404). Sessions that already hold the factor keep it, as Stytch says
//! nothing of ending them.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::errors::{StytchError, StytchResult};
use super::respond::{object, ok};
use super::state::{Data, StytchState};
use super::user::User;

pub async fn delete_phone_number(
    State(state): State<StytchState>,
    Path(phone_id): Path<String>,
) -> StytchResult<Response> {
    let mut data = state.data();
    let user = owner(&mut data, |user| user.phone_numbers.iter().any(|phone| phone.phone_id == phone_id))
        .ok_or_else(|| StytchError::not_found("phone_number_not_found", "Phone number could not be found."))?;
    user.phone_numbers.retain(|phone| phone.phone_id != phone_id);
    Ok(answer(user))
}

pub async fn delete_totp(State(state): State<StytchState>, Path(totp_id): Path<String>) -> StytchResult<Response> {
    let mut data = state.data();
    let user = owner(&mut data, |user| user.totps.iter().any(|totp| totp.totp_id == totp_id))
        .ok_or_else(|| StytchError::not_found("totp_not_found", "TOTP could not be found."))?;
    user.totps.retain(|totp| totp.totp_id != totp_id);
    Ok(answer(user))
}

fn owner(data: &mut Data, holds: impl Fn(&User) -> bool) -> Option<&mut User> {
    data.users.values_mut().find(|user| holds(user))
}

fn answer(user: &User) -> Response {
    ok(object(json!({ "user_id": user.user_id, "user": user.to_json() })))
}
