//! What every function's router gets: request ids, one deadline per request, a body size limit,
//! and problem+json for unknown routes and methods.

use axum::{Json, Router, extract::DefaultBodyLimit, middleware, routing::get};
use serde_json::{Value, json};
use tower::ServiceBuilder;

use http::{HeaderName, HeaderValue, Method, header};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    set_header::SetResponseHeaderLayer,
};

use super::{code::Code, deadline::deadline_layer, problem::ApiError, request_id::request_id_layer};
use crate::{config::ApiConfig, metrics, session_cookie};

/// Browsers on the configured origins may call the API; with none configured, no CORS headers
/// are sent and browsers on other origins are refused by their own same-origin policy. In cookie
/// mode those origins (never `*`: the list is explicit) may send credentials, the session cookie.
fn cors(config: &ApiConfig) -> CorsLayer {
    let origins: Vec<HeaderValue> =
        config.cors_allowed_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(session_cookie::CSRF_HEADER),
        ])
        // As the deployed API Gateway does (infra/template.yaml): a browser may read when to retry a 429/503.
        .expose_headers([header::RETRY_AFTER])
        .allow_credentials(config.session_cookie)
        .max_age(std::time::Duration::from_secs(600))
}

/// Request bodies larger than this are refused with 413 before any handler runs.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The first layer listed is the outermost: the deadline's 504 is answered inside the request id's
/// span (so it carries the id) and counted by the request metrics, and CORS headers are added to it
/// as to any other answer. One `ServiceBuilder` stack, applied once: each `Router::layer` call wraps
/// every route again (a third of step-up's router build, at every cold start, with six calls).
pub fn finish(router: Router, config: &ApiConfig) -> Router {
    let layers = ServiceBuilder::new()
        .layer(cors(config))
        // Every answer is about one user (their session, application, cards) or an error: no cache keeps it.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(middleware::from_fn(request_id_layer))
        .layer(middleware::from_fn(metrics::request_metrics_layer))
        .layer(middleware::from_fn_with_state(config.request_deadline, deadline_layer))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    router
        .fallback(|| async { ApiError::Refused { code: Code::RouteNotFound, detail: "No such route.".into() } })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(layers)
}

/// `GET /health/{function}`: answers without calling anyone, for smoke tests and load balancers.
pub fn health_route<S: Clone + Send + Sync + 'static>(function: &'static str) -> Router<S> {
    Router::new().route(
        &format!("/health/{function}"),
        get(move || async move { Json::<Value>(json!({ "status": "ok", "function": function })) }),
    )
}
