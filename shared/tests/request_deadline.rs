//! One deadline per request (`shared/src/http/deadline.rs`), against a local listener that is busy
//! or never answers: an attempt's timeout is cut to what the request has left, no retry starts that
//! would cross the deadline, no call starts after it, the JWKS fetch keeps to it, and a handler
//! still running at the end is answered 504 `request_timeout`, with CORS headers, logged once.
//!
//! Every client and attempt here would wait 30 s without the deadline; the bounds are generous and
//! only prove that an answer comes, the statuses and counts prove why.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use test_support::api_config::api_config;

use axum::{Router, body::Body, extract::State, routing::get};
use http::{Request, StatusCode, header};
use stytch_unit_common::{
    http::{Deadline, Upstream, deadline::ANSWER_RESERVE, problem::PROBLEM_CONTENT_TYPE, router},
    session::{JwksCache, JwksSettings, VerifyError},
    telemetry,
    upstream::{Idempotency, RetryPolicy, TransportError, send_with_retries},
};
use test_support::logs::CapturedLogs;
use tower::ServiceExt;
use tracing::level_filters::LevelFilter;

/// What the HTTP client and each attempt allow on their own.
const LONG: Duration = Duration::from_secs(30);
/// The request's deadline in these tests.
const SHORT: Duration = Duration::from_secs(1);
/// Proves an answer came at all, not how fast.
const BOUND: Duration = Duration::from_secs(10);

/// A local upstream: `/busy` answers 503 with `Retry-After: 1`, `/stall` never answers.
struct Listener {
    base: String,
    hits: Arc<AtomicUsize>,
}

impl Listener {
    async fn start() -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route(
                "/busy",
                get(|State(hits): State<Arc<AtomicUsize>>| async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")])
                }),
            )
            .route(
                "/stall",
                get(|State(hits): State<Arc<AtomicUsize>>| async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<()>().await
                }),
            )
            .with_state(hits.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, hits }
    }

    fn hits(&self) -> usize {
        self.hits.swap(0, Ordering::SeqCst)
    }

    /// A read (retried on 503 and timeouts) through `send_with_retries`.
    async fn get(&self, path: &str) -> Result<reqwest::Response, TransportError> {
        let http = reqwest::Client::builder().timeout(LONG).build().unwrap();
        let url = format!("{}{path}", self.base);
        send_with_retries(Upstream::Stytch, Idempotency::Safe, &RetryPolicy::new(LONG), || http.get(&url)).await
    }
}

async fn within(deadline: Duration, future: impl Future<Output = Result<reqwest::Response, TransportError>>) -> String {
    let answer = tokio::time::timeout(BOUND, Deadline::starting_now(deadline, None).run(future))
        .await
        .expect("answered in bounded time")
        .expect("the upstream call gave up before the handler was cut");
    match answer {
        Ok(response) => response.status().to_string(),
        Err(error) => format!("{error:?}"),
    }
}

#[tokio::test]
async fn no_retry_starts_that_would_cross_the_deadline() {
    let upstream = Listener::start().await;
    // Outside a request, the 503 is retried after Retry-After: 1 s, twice.
    assert_eq!(upstream.get("/busy").await.unwrap().status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(upstream.hits(), 3);
    // With 1 s left, a retry 1 s away is not started: the 503 is the answer.
    assert_eq!(within(SHORT, upstream.get("/busy")).await, "503 Service Unavailable");
    assert_eq!(upstream.hits(), 1);
}

#[tokio::test]
async fn an_attempt_is_cut_to_what_the_request_has_left() {
    let upstream = Listener::start().await;
    assert_eq!(within(SHORT, upstream.get("/stall")).await, "Timeout(Stytch)");
    assert_eq!(upstream.hits(), 1, "the timed-out read is not retried past the deadline");
}

#[tokio::test]
async fn no_call_starts_once_the_deadline_has_passed() {
    let upstream = Listener::start().await;
    assert_eq!(within(ANSWER_RESERVE, upstream.get("/busy")).await, "Timeout(Stytch)");
    assert_eq!(upstream.hits(), 0);
}

#[tokio::test]
async fn the_jwks_fetch_keeps_to_the_deadline() {
    let upstream = Listener::start().await;
    let jwks = JwksCache::new(
        reqwest::Client::builder().timeout(LONG).build().unwrap(),
        format!("{}/stall", upstream.base).parse().unwrap(),
        JwksSettings { ttl: Duration::from_secs(600), refresh_cooldown: Duration::from_secs(30), fetch_timeout: LONG },
    );
    let key = tokio::time::timeout(BOUND, Deadline::starting_now(SHORT, None).run(jwks.key("kid")))
        .await
        .expect("answered in bounded time")
        .expect("the fetch gave up before the handler was cut");
    assert_eq!(key.err(), Some(VerifyError::JwksUnavailable));
}

#[tokio::test]
async fn a_handler_still_running_at_the_deadline_gets_504_request_timeout_with_cors_logged_once() {
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::INFO, logs.clone()));
    let origin = "http://localhost:3000";
    let api = api_config(&[origin], SHORT);
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
