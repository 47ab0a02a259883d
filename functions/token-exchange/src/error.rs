//! The routes' error type: every [`ApiError`], plus `400 unknown_scope`, which carries field
//! errors like `validation_failed` but has its own code so a frontend can tell "you asked for a
//! scope we never issue" from a malformed body.

use axum::response::{IntoResponse, Response};
use stytch_unit_common::{
    http::{ApiError, FieldError, RequestId},
    unit::UnitError,
};

use crate::scopes;

#[derive(Debug)]
pub enum RouteError {
    Api(ApiError),
    /// At least one requested scope is not one this API issues; lists every bad field.
    UnknownScope(Vec<FieldError>),
}

impl From<ApiError> for RouteError {
    fn from(error: ApiError) -> Self {
        RouteError::Api(error)
    }
}

impl From<UnitError> for RouteError {
    fn from(error: UnitError) -> Self {
        RouteError::Api(error.into())
    }
}

pub const UNKNOWN_SCOPE: &str = "unknown_scope";

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        match self {
            RouteError::Api(error) => error.into_response(),
            RouteError::UnknownScope(errors) => {
                let mut problem = ApiError::Validation(errors).to_problem(&RequestId::current());
                problem.code = UNKNOWN_SCOPE;
                problem.type_uri = format!("urn:stytch-unit-lambdas:problem:{UNKNOWN_SCOPE}");
                problem.detail = Some(format!(
                    "Ask only for scopes this API issues: {}. See `errors` for the ones refused.",
                    scopes::SUPPORTED.join(", ")
                ));
                tracing::info!(code = UNKNOWN_SCOPE, status = 400, "request refused");
                problem.into_response()
            }
        }
    }
}
