//! `POST /v1/users`, `GET /v1/users/{user_id}`, `PUT /v1/users/{user_id}` and
//! `DELETE /v1/users/{user_id}` (shapes: stytch-node `lib/b2c/users.ts`, `UsersCreateRequest`,
//! `UsersCreateResponse`, `UsersDeleteResponse`). Search is in `user_search.rs`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors::{StytchError, StytchResult};
use super::extract::StytchJson;
use super::metadata;
use super::respond::{object, ok, with_status};
use super::state::StytchState;
use super::user::User;
use super::validate;
use crate::common::ids;

pub async fn get(State(state): State<StytchState>, Path(user_id): Path<String>) -> StytchResult<Response> {
    let data = state.data();
    let user = data.user(&user_id)?;
    Ok(ok(object(user.to_json())))
}

#[derive(Deserialize)]
pub struct Update {
    name: Option<Map<String, Value>>,
    trusted_metadata: Option<Map<String, Value>>,
    untrusted_metadata: Option<Map<String, Value>>,
    external_id: Option<String>,
}

/// Emails and phone numbers cannot change here, as on Stytch; everything is checked before anything
/// is stored.
pub async fn update(
    State(state): State<StytchState>,
    Path(user_id): Path<String>,
    StytchJson(request): StytchJson<Update>,
) -> StytchResult<Response> {
    let mut data = state.data();
    let user = data.user(&user_id)?;
    let trusted = match &request.trusted_metadata {
        Some(update) => Some(metadata::merged(&user.trusted_metadata, update, "trusted_metadata")?),
        None => None,
    };
    let untrusted = match &request.untrusted_metadata {
        Some(update) => Some(metadata::merged(&user.untrusted_metadata, update, "untrusted_metadata")?),
        None => None,
    };
    if let Some(external_id) = &request.external_id {
        validate::external_id(external_id)?;
    }
    if let Some(external_id) = &request.external_id
        && data
            .users
            .values()
            .any(|other| other.user_id != user_id && other.external_id.as_deref() == Some(external_id))
    {
        return Err(StytchError::bad_request("duplicate_external_id", "Another user already has that external_id."));
    }

    let user = data.user_mut(&user_id)?;
    if let Some(trusted) = trusted {
        user.trusted_metadata = trusted;
    }
    if let Some(untrusted) = untrusted {
        user.untrusted_metadata = untrusted;
    }
    if let Some(name) = request.name {
        user.merge_name(name);
    }
    if request.external_id.is_some() {
        user.external_id = request.external_id;
    }
    let view = user.to_json();
    Ok(ok(object(json!({
        "user_id": user_id,
        "emails": view["emails"],
        "phone_numbers": view["phone_numbers"],
        "crypto_wallets": view["crypto_wallets"],
        "user": view,
    }))))
}

#[derive(Deserialize)]
pub struct Create {
    email: Option<String>,
    phone_number: Option<String>,
    name: Option<Map<String, Value>>,
    #[serde(default)]
    create_user_as_pending: bool,
    trusted_metadata: Option<Map<String, Value>>,
    untrusted_metadata: Option<Map<String, Value>>,
    external_id: Option<String>,
}

/// `POST /v1/users` → 201 (stytch-ruby's integration test expects `status_code` 201). An email or a
/// phone number is required; one already held by a user is refused, as `login_or_create` would find
/// that user instead.
pub async fn create(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Create>,
) -> StytchResult<Response> {
    let email = request.email.as_deref().map(validate::email).transpose()?;
    let phone_number = request.phone_number.as_deref().map(validate::phone_number).transpose()?;
    if email.is_none() && phone_number.is_none() {
        return Err(StytchError::bad_request("invalid_argument", "An email or a phone_number is required."));
    }
    let empty = Map::new();
    let trusted = match &request.trusted_metadata {
        Some(given) => metadata::merged(&empty, given, "trusted_metadata")?,
        None => Map::new(),
    };
    let untrusted = match &request.untrusted_metadata {
        Some(given) => metadata::merged(&empty, given, "untrusted_metadata")?,
        None => Map::new(),
    };
    if let Some(external_id) = &request.external_id {
        validate::external_id(external_id)?;
    }

    let mut data = state.data();
    if email.as_deref().is_some_and(|email| data.user_id_by_email(email).is_some()) {
        return Err(StytchError::bad_request("duplicate_email", "A user with that email address already exists."));
    }
    if phone_number.as_deref().is_some_and(|phone| data.user_id_by_phone(phone).is_some()) {
        return Err(StytchError::bad_request(
            "duplicate_phone_number",
            "A user with that phone number already exists.",
        ));
    }
    if request.external_id.is_some() && data.users.values().any(|user| user.external_id == request.external_id) {
        return Err(StytchError::bad_request("duplicate_external_id", "Another user already has that external_id."));
    }

    let mut user = User::new(ids::prefixed("user-test"), request.create_user_as_pending);
    let email_id = email.map(|email| user.add_email(email));
    let phone_id = phone_number.map(|phone_number| user.add_phone(phone_number));
    if let Some(name) = request.name {
        user.merge_name(name);
    }
    user.trusted_metadata = trusted;
    user.untrusted_metadata = untrusted;
    user.external_id = request.external_id;
    let view = user.to_json();
    let user_id = user.user_id.clone();
    data.users.insert(user_id.clone(), user);
    Ok(with_status(
        StatusCode::CREATED,
        object(json!({
            "user_id": user_id,
            "email_id": email_id.unwrap_or_default(),
            "phone_id": phone_id.unwrap_or_default(),
            "status": view["status"],
            "user": view,
        })),
    ))
}

/// `DELETE /v1/users/{user_id}`: the user goes, and with it its sessions, magic links and codes.
pub async fn delete(State(state): State<StytchState>, Path(user_id): Path<String>) -> StytchResult<Response> {
    let mut data = state.data();
    data.users.remove(&user_id).ok_or_else(StytchError::user_not_found)?;
    let sessions: Vec<String> =
        data.sessions.values().filter(|session| session.user_id == user_id).map(|s| s.session_id.clone()).collect();
    for session_id in sessions {
        data.remove_session(&session_id);
    }
    data.magic_links.retain(|_, link| link.user_id != user_id);
    data.otps.retain(|_, otp| otp.user_id != user_id);
    Ok(ok(object(json!({ "user_id": user_id }))))
}
