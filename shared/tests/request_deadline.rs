//! One deadline per request (`shared/src/http/deadline.rs`): a handler still running at the end is
//! answered 504 `request_timeout`, with CORS headers, logged once.
//!
//! Without the deadline the handler here would never answer; the bound is generous and only proves
//! that an answer comes, the status and the log prove why.

use std::time::Duration;

use axum::{Router, body::Body, routing::get};
use http::{Request, StatusCode, header};
use stytch_unit_common::{
    config::ApiConfig,
    http::{problem::PROBLEM_CONTENT_TYPE, router},
    telemetry,
};
use test_support::logs::CapturedLogs;
use tower::ServiceExt;
use tracing::level_filters::LevelFilter;

/// The request's deadline in these tests.
const SHORT: Duration = Duration::from_secs(1);
/// Proves an answer came at all, not how fast.
const BOUND: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_handler_still_running_at_the_deadline_gets_504_request_timeout_with_cors_logged_once() {
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::INFO, logs.clone()));
    let origin = "http://localhost:3000";
    let api = ApiConfig {
        cors_allowed_origins: vec![origin.into()],
        magic_link_redirect_url: None,
        session_duration_minutes: 60,
        request_deadline: SHORT,
    };
    let app = router::finish(Router::new().route("/slow", get(std::future::pending::<()>)), &api);
    let request = Request::get("/slow").header(header::ORIGIN, origin).body(Body::empty()).unwrap();
    let response = tokio::time::timeout(BOUND, app.oneshot(request)).await.expect("answered in bounded time").unwrap();

    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_CONTENT_TYPE);
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], origin);
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((problem["status"].as_u64(), problem["code"].as_str()), (Some(504), Some("request_timeout")));
    let request_id = problem["requestId"].as_str().unwrap();
    let lines: Vec<String> =
        logs.text().lines().filter(|line| line.contains("request_timeout")).map(Into::into).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains(request_id), "the log line carries the request id: {}", lines[0]);
}
