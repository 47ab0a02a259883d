//! The `/__sandbox/` routes both ports serve: outbox, faults and reset. No authentication: the sandbox
//! listens on loopback only.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::faults::{FaultSpec, Faults};
use super::outbox::Outbox;

/// Puts every piece of state on both sides back to empty.
pub type ResetAll = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
pub struct ControlState {
    pub outbox: Outbox,
    /// The faults of the port these routes are served on.
    pub faults: Faults,
    pub reset: ResetAll,
}

pub fn router(state: ControlState) -> Router {
    Router::new()
        .route("/__sandbox/outbox", get(outbox))
        .route("/__sandbox/faults", get(list_faults).post(arm_fault).delete(clear_faults))
        .route("/__sandbox/reset", post(reset))
        .with_state(state)
}

#[derive(Deserialize)]
struct OutboxQuery {
    to: Option<String>,
}

async fn outbox(State(state): State<ControlState>, Query(query): Query<OutboxQuery>) -> Response {
    // An unencoded `+` in `?to=+1555…` arrives as a space; a phone number never starts with one.
    let to = query.to.map(|to| match to.strip_prefix(' ') {
        Some(rest) => format!("+{rest}"),
        None => to,
    });
    Json(state.outbox.messages_to(to.as_deref())).into_response()
}

async fn list_faults(State(state): State<ControlState>) -> Response {
    Json(state.faults.list()).into_response()
}

async fn arm_fault(State(state): State<ControlState>, body: Result<Json<FaultSpec>, JsonRejection>) -> Response {
    let spec = match body {
        Ok(Json(spec)) => spec,
        Err(rejection) => return control_error(StatusCode::BAD_REQUEST, &rejection.body_text()),
    };
    match state.faults.arm(spec) {
        Ok(fault) => (StatusCode::CREATED, Json(fault)).into_response(),
        Err(message) => control_error(StatusCode::BAD_REQUEST, &message),
    }
}

async fn clear_faults(State(state): State<ControlState>) -> Response {
    state.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn reset(State(state): State<ControlState>) -> Response {
    (state.reset)();
    tracing::info!("sandbox state reset");
    StatusCode::NO_CONTENT.into_response()
}

/// Errors of the control routes: a plain `{"error": "…"}`, since they belong to neither upstream API.
pub fn control_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
