//! Test controls on the Stytch port: `POST /__sandbox/sessions/jwt` (a JWT with claims overridden, or
//! signed by a key outside the JWKS) and `POST /__sandbox/keys/rotate`.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::jwt;
use super::state::StytchState;
use crate::common::clock;
use crate::common::controls::control_error;

pub fn router(state: StytchState) -> Router {
    Router::new()
        .route("/__sandbox/sessions/jwt", post(forge_jwt))
        .route("/__sandbox/keys/rotate", post(rotate_keys))
        .with_state(state)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForgeRequest {
    session_token: String,
    #[serde(default)]
    claims: Map<String, Value>,
    #[serde(default)]
    foreign_key: bool,
}

/// A JWT for a live session, its claims overridden one by one (`null` removes a claim).
async fn forge_jwt(State(state): State<StytchState>, body: Result<Json<ForgeRequest>, JsonRejection>) -> Response {
    let request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => return control_error(StatusCode::BAD_REQUEST, &rejection.body_text()),
    };
    let mut claims = {
        let mut data = state.data();
        let Ok(session_id) = data.session_id_by_token(&request.session_token) else {
            return control_error(StatusCode::NOT_FOUND, "no live session has that session_token");
        };
        match data.live_session_mut(&session_id) {
            Ok(session) => jwt::claims(&state.config().project_id, session, clock::now()),
            Err(_) => {
                return control_error(StatusCode::NOT_FOUND, "no live session has that session_token");
            }
        }
    };
    for (name, value) in request.claims {
        if value.is_null() {
            claims.remove(&name);
        } else {
            claims.insert(name, value);
        }
    }
    let key = {
        let mut keys = state.keys();
        if request.foreign_key { keys.foreign() } else { Ok(keys.current()) }
    };
    let key = match key {
        Ok(key) => key,
        Err(message) => return control_error(StatusCode::INTERNAL_SERVER_ERROR, &message),
    };
    match jwt::sign(&key, &claims) {
        Ok(session_jwt) => Json(json!({ "session_jwt": session_jwt })).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Publishes a new signing key; the JWKS then serves the old and the new one.
async fn rotate_keys(State(state): State<StytchState>) -> Response {
    let rotated = state.keys().rotate();
    match rotated {
        Ok(key) => {
            let kids: Vec<String> = state.keys().published().iter().map(|key| key.kid.clone()).collect();
            Json(json!({ "kid": key.kid, "kids": kids })).into_response()
        }
        Err(message) => control_error(StatusCode::INTERNAL_SERVER_ERROR, &message),
    }
}
