//! What every function's router gets: request ids, a body size limit, and problem+json for
//! unknown routes and methods.

use axum::{Json, Router, extract::DefaultBodyLimit, middleware, routing::get};
use serde_json::{Value, json};

use super::{problem::ApiError, request_id::request_id_layer};

/// Request bodies larger than this are refused with 413 before any handler runs.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn finish(router: Router) -> Router {
    router
        .fallback(|| async { ApiError::NotFound { code: "route_not_found", detail: "No such route.".into() } })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(request_id_layer))
}

/// `GET /health/{function}`: answers without calling anyone, for smoke tests and load balancers.
pub fn health_route<S: Clone + Send + Sync + 'static>(function: &'static str) -> Router<S> {
    Router::new().route(
        &format!("/health/{function}"),
        get(move || async move { Json::<Value>(json!({ "status": "ok", "function": function })) }),
    )
}
