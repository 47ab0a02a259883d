//! One error model for every route: [`ApiError`] is mapped to an RFC 9457
//! `application/problem+json` response in exactly one place, [`ApiError::to_problem`].
//!
//! Client errors say what is wrong with the request. Internal and upstream errors say nothing
//! about internals: the detail is logged (without secrets) and the client gets a stable `code`
//! and the `requestId` to quote.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use super::{code::Code, request_id::RequestId};
use crate::onboarding::{NextStep, NotReady, RequiredDocument};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Which upstream an error came from; named in `detail` so a frontend knows whom to blame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upstream {
    Stytch,
    Unit,
    SecretsManager,
}

impl Upstream {
    fn name(self) -> &'static str {
        match self {
            Upstream::Stytch => "Stytch",
            Upstream::Unit => "Unit",
            Upstream::SecretsManager => "AWS Secrets Manager",
        }
    }
}

/// A request field that failed validation, and why (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { field: field.into(), reason: reason.into() }
    }
}

/// Why a request failed on our side or upstream: kept for the log line, never shown to the client.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON, or not the JSON this route takes.
    #[error("invalid request body")]
    InvalidBody { detail: String },
    /// The body parsed but fields are invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Invalid fields under a code of their own, e.g. `400 unknown_scope`: a frontend can tell
    /// "asked for what we never issue" from a malformed body.
    #[error("invalid fields: {code}")]
    InvalidFields { code: Code, detail: String, errors: Vec<FieldError> },
    /// Any other refusal with its own stable code; the status is the code's (`Code::status`). A
    /// refused credential says why in the code (`invalid_session`, …); the reason stays in the logs.
    #[error("refused: {code}")]
    Refused { code: Code, detail: String },
    #[error("missing or malformed Authorization header")]
    MissingCredentials,
    #[error("step-up authentication required")]
    StepUpRequired,
    /// The user's Unit application has no customer yet: 409 with the stage's code, `nextStep` and
    /// any `requiredDocuments` (see `onboarding.rs`).
    #[error("onboarding not finished: {}", .0.code())]
    NotReady(Box<NotReady>),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("rate limited by {upstream:?}")]
    RateLimited { upstream: Upstream, retry_after: Option<Duration> },
    #[error("{upstream:?} did not answer in time")]
    UpstreamTimeout {
        upstream: Upstream,
        #[source]
        cause: Option<Cause>,
    },
    #[error("{upstream:?} failed")]
    UpstreamFailed {
        upstream: Upstream,
        #[source]
        cause: Option<Cause>,
    },
    /// The request's deadline passed before the handler finished (see `http::deadline`).
    #[error("request deadline passed")]
    RequestTimeout,
    /// A dependency we need before calling anyone (secrets, the JWKS) is unavailable.
    #[error("service unavailable: {code}")]
    Unavailable { code: Code, retry_after: Option<Duration> },
    /// Anything we did not expect. The cause is logged; the client learns nothing of it.
    #[error("internal error")]
    Internal(#[source] Cause),
}

/// The RFC 9457 body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: &'static str,
    pub request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// What the user can do about a `NotReady` (RFC 9457 extension member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<NextStep>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_documents: Vec<RequiredDocument>,
    #[serde(skip)]
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub fn internal(cause: impl Into<Cause>) -> Self {
        ApiError::Internal(cause.into())
    }

    /// `self`, its cause set to `cause` if it is an error of ours or upstream without one yet:
    /// how a translation of an upstream error keeps that error for the log line.
    pub fn caused_by(mut self, cause: impl Into<Cause>) -> Self {
        if let ApiError::UpstreamTimeout { cause: slot @ None, .. }
        | ApiError::UpstreamFailed { cause: slot @ None, .. } = &mut self
        {
            *slot = Some(cause.into());
        }
        self
    }

    /// The chain of causes behind `self`, for the log line ("" when there is none).
    fn causes(&self) -> String {
        let mut chain = Vec::new();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            chain.push(cause.to_string());
            source = cause.source();
        }
        chain.join(": ")
    }

    /// The status: always the code's, so that one code has one status across the API.
    pub fn status(&self) -> StatusCode {
        self.problem_code().status()
    }

    /// The stable, machine-readable code. Frontends switch on this, so never rename one.
    pub fn code(&self) -> &'static str {
        self.problem_code().as_str()
    }

    pub fn problem_code(&self) -> Code {
        match self {
            ApiError::InvalidBody { .. } => Code::InvalidBody,
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::InvalidFields { code, .. }
            | ApiError::Refused { code, .. }
            | ApiError::Unavailable { code, .. } => *code,
            ApiError::NotReady(not_ready) => not_ready.code(),
            ApiError::MissingCredentials => Code::MissingCredentials,
            ApiError::StepUpRequired => Code::StepUpRequired,
            ApiError::MethodNotAllowed => Code::MethodNotAllowed,
            ApiError::PayloadTooLarge => Code::PayloadTooLarge,
            ApiError::UnsupportedMediaType => Code::UnsupportedMediaType,
            ApiError::RateLimited { .. } => Code::RateLimited,
            ApiError::UpstreamTimeout { .. } => Code::UpstreamTimeout,
            ApiError::UpstreamFailed { .. } => Code::UpstreamError,
            ApiError::RequestTimeout => Code::RequestTimeout,
            ApiError::Internal(_) => Code::InternalError,
        }
    }

    fn detail(&self) -> Option<String> {
        Some(match self {
            ApiError::InvalidBody { detail }
            | ApiError::InvalidFields { detail, .. }
            | ApiError::Refused { detail, .. } => detail.clone(),
            ApiError::Validation(_) => "One or more fields are invalid; see `errors`.".into(),
            ApiError::NotReady(not_ready) => not_ready.detail().into(),
            ApiError::MissingCredentials => "Send `Authorization: Bearer <token>` with this request.".into(),
            ApiError::StepUpRequired => "This action needs a session with a recent second \
                 factor. Complete step-up (TOTP or SMS) and retry with the new session JWT."
                .into(),
            ApiError::MethodNotAllowed => "This route does not take that method.".into(),
            ApiError::PayloadTooLarge => "The request body is larger than this route accepts.".into(),
            ApiError::UnsupportedMediaType => "Send the body as `application/json`.".into(),
            ApiError::RateLimited { upstream, .. } => {
                format!("{} is rate limiting requests; retry later.", upstream.name())
            }
            ApiError::UpstreamTimeout { upstream, .. } => {
                format!("{} did not answer in time.", upstream.name())
            }
            ApiError::UpstreamFailed { upstream, .. } => {
                format!("{} answered with an error.", upstream.name())
            }
            ApiError::RequestTimeout => "The request could not be completed in time; retry shortly.".into(),
            ApiError::Unavailable { .. } => "A dependency is unavailable; retry shortly.".into(),
            ApiError::Internal(_) => return None,
        })
    }

    /// The single mapping from error to problem document.
    pub fn to_problem(&self, request_id: &RequestId) -> Problem {
        let status = self.status();
        let code = self.code();
        Problem {
            type_uri: format!("urn:stytch-unit-lambdas:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.detail(),
            code,
            request_id: request_id.to_string(),
            errors: match self {
                ApiError::Validation(errors) | ApiError::InvalidFields { errors, .. } => errors.clone(),
                _ => Vec::new(),
            },
            next_step: match self {
                ApiError::NotReady(not_ready) => Some(not_ready.0.next_step),
                _ => None,
            },
            required_documents: match self {
                ApiError::NotReady(not_ready) => not_ready.0.required_documents.clone(),
                _ => Vec::new(),
            },
            retry_after: match self {
                ApiError::RateLimited { retry_after, .. } | ApiError::Unavailable { retry_after, .. } => *retry_after,
                _ => None,
            },
        }
    }
}

/// The `code` of the problem a response carries, for the request metrics (`metrics::request_metrics_layer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemCode(pub &'static str);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.extensions_mut().insert(ProblemCode(self.code));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
        if let Some(after) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(after.as_secs().max(1)));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = RequestId::current();
        // Client mistakes are routine; what went wrong on our side or upstream is logged with the
        // cause. Neither log line carries a token or a body.
        if self.status().is_server_error() {
            tracing::error!(code = self.code(), error = %self, cause = self.causes(), "request failed");
        } else {
            tracing::info!(code = self.code(), status = self.status().as_u16(), "request refused");
        }
        self.to_problem(&request_id).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(error: ApiError) -> serde_json::Value {
        serde_json::to_value(error.to_problem(&RequestId::from("req-1"))).unwrap()
    }

    #[test]
    fn problem_has_every_rfc9457_member_and_our_code() {
        let p = problem(ApiError::StepUpRequired);
        assert_eq!(p["status"], 403);
        assert_eq!(p["code"], "step_up_required");
        assert_eq!(p["title"], "Forbidden");
        assert_eq!(p["requestId"], "req-1");
        assert!(p["type"].as_str().unwrap().ends_with(":step_up_required"));
        assert!(p["detail"].as_str().is_some());
    }

    #[test]
    fn internal_errors_reveal_nothing() {
        let p = problem(ApiError::internal("db password is hunter2 at 10.0.0.1"));
        assert_eq!(p["status"], 500);
        assert_eq!(p["code"], "internal_error");
        assert!(p.get("detail").is_none());
        assert!(!p.to_string().contains("hunter2"));
    }

    #[test]
    fn the_cause_is_kept_for_the_log_line_and_never_shown() {
        let error = ApiError::UpstreamFailed { upstream: Upstream::Unit, cause: None }.caused_by("Unit answered 500");
        assert_eq!(error.causes(), "Unit answered 500");
        assert!(!problem(error).to_string().contains("answered 500"));
        // The first cause stays; an error the client caused takes none.
        assert_eq!(ApiError::internal("first").caused_by("second").causes(), "first");
        assert_eq!(ApiError::StepUpRequired.caused_by("x").causes(), "");
    }

    #[test]
    fn validation_lists_each_field() {
        let p = problem(ApiError::Validation(vec![
            FieldError::new("email", "must be an email address"),
            FieldError::new("ssn", "must be 9 digits"),
        ]));
        assert_eq!(p["status"], 400);
        assert_eq!(p["errors"][1]["field"], "ssn");
    }

    #[test]
    fn upstream_errors_map_to_gateway_statuses() {
        let cases = [
            (ApiError::UpstreamTimeout { upstream: Upstream::Unit, cause: None }, 504, "upstream_timeout"),
            (ApiError::UpstreamFailed { upstream: Upstream::Stytch, cause: None }, 502, "upstream_error"),
            (ApiError::RequestTimeout, 504, "request_timeout"),
            (ApiError::RateLimited { upstream: Upstream::Unit, retry_after: None }, 429, "rate_limited"),
        ];
        for (error, status, code) in cases {
            let p = problem(error);
            assert_eq!((p["status"].as_u64().unwrap(), p["code"].as_str().unwrap()), (status, code));
        }
    }

    #[test]
    fn response_is_problem_json_with_retry_after() {
        let response = ApiError::RateLimited { upstream: Upstream::Unit, retry_after: Some(Duration::from_secs(7)) }
            .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_CONTENT_TYPE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    }
}
