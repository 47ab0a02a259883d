//! Errors in Stytch's shape: `status_code`, `request_id`, `error_type`, `error_message`, `error_url`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::common::ids;

#[derive(Debug, Clone)]
pub struct StytchError {
    pub status: StatusCode,
    pub error_type: &'static str,
    pub message: String,
}

pub type StytchResult<T = Response> = Result<T, StytchError>;

impl StytchError {
    pub fn new(status: StatusCode, error_type: &'static str, message: impl Into<String>) -> Self {
        Self { status, error_type, message: message.into() }
    }

    pub fn bad_request(error_type: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error_type, message)
    }

    pub fn unauthorized(error_type: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, error_type, message)
    }

    pub fn not_found(error_type: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, error_type, message)
    }

    pub fn unauthorized_credentials() -> Self {
        Self::unauthorized(
            "unauthorized_credentials",
            "Unauthorized credentials. Please check that your project_id and secret are correct.",
        )
    }

    pub fn user_not_found() -> Self {
        Self::not_found("user_not_found", "User could not be found.")
    }

    pub fn session_not_found() -> Self {
        Self::not_found("session_not_found", "Session could not be found.")
    }

    /// Body for a status injected by a fault, in Stytch's shape so clients parse it like a real error.
    pub fn injected(status: StatusCode) -> Self {
        let error_type = match status.as_u16() {
            429 => "too_many_requests",
            500 => "internal_server_error",
            503 => "service_unavailable",
            _ => "sandbox_injected_fault",
        };
        Self::new(status, error_type, "This error was injected by the sandbox's fault controls.")
    }
}

impl IntoResponse for StytchError {
    fn into_response(self) -> Response {
        let status = self.status.as_u16();
        let body = json!({
            "status_code": status,
            "request_id": ids::request_id(),
            "error_type": self.error_type,
            "error_message": self.message,
            "error_url": format!("https://stytch.com/docs/api/errors/{status}#{}", self.error_type),
        });
        (self.status, Json(body)).into_response()
    }
}

/// The renderer the fault layer of the Stytch port uses.
pub fn fault_response(status: StatusCode) -> Response {
    StytchError::injected(status).into_response()
}
