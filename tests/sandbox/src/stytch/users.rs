//! `GET /v1/users/{user_id}` and `PUT /v1/users/{user_id}`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors::{StytchError, StytchResult};
use super::extract::StytchJson;
use super::metadata;
use super::respond::{object, ok};
use super::state::StytchState;

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
        let mut merged = user.name.as_object().cloned().unwrap_or_default();
        merged.extend(name);
        user.name = Value::Object(merged);
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
