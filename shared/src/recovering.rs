//! What a function serves when its cold start could not read a secret: every request answers
//! `503 secrets_unavailable` (problem+json, `Retry-After`) while the cold start is retried, at
//! most once per interval, in the request path. Once it succeeds, requests go to the real router
//! and the execution environment carries on as if the first cold start had worked.
//!
//! The alternative, failing the Lambda init, gives the client API Gateway's bare 500 and costs a
//! new cold start per request until Secrets Manager is back.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{Router, extract::Request, response::IntoResponse, response::Response, routing::any};
use tokio::sync::{Mutex, OnceCell};
use tower::ServiceExt;

use crate::{
    config::Config,
    dependencies::ColdStart,
    http::router,
    http::{ApiError, Code},
};

/// How often a request may retry the cold start.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(5);

struct Recovering<S> {
    config: Config,
    http: reqwest::Client,
    secrets_client: aws_sdk_secretsmanager::Client,
    make_router: fn(S) -> Router,
    ready: OnceCell<Router>,
    last_attempt: Mutex<Option<Instant>>,
}

/// The stand-in router; `make_router` builds the real one once the dependencies can be built.
pub fn router<S: ColdStart>(
    config: Config,
    http: reqwest::Client,
    secrets_client: aws_sdk_secretsmanager::Client,
    make_router: fn(S) -> Router,
) -> Router {
    let api = config.api.clone();
    let state = Arc::new(Recovering {
        config,
        http,
        secrets_client,
        make_router,
        ready: OnceCell::new(),
        last_attempt: Mutex::new(None),
    });
    // Every path and method goes to `serve`, so the real router decides what is a 404 or 405.
    let routes = Router::new().route("/", any(serve::<S>)).route("/{*path}", any(serve::<S>)).with_state(state);
    router::finish(routes, &api)
}

async fn serve<S: ColdStart>(
    axum::extract::State(state): axum::extract::State<Arc<Recovering<S>>>,
    request: Request,
) -> Response {
    match state.real_router().await {
        Some(router) => match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => {
            ApiError::Unavailable { code: Code::SecretsUnavailable, retry_after: Some(RETRY_INTERVAL) }.into_response()
        }
    }
}

impl<S: ColdStart> Recovering<S> {
    async fn real_router(&self) -> Option<Router> {
        if let Some(router) = self.ready.get() {
            return Some(router.clone());
        }
        let mut last_attempt = self.last_attempt.lock().await;
        if let Some(router) = self.ready.get() {
            return Some(router.clone());
        }
        if last_attempt.is_some_and(|at| at.elapsed() < RETRY_INTERVAL) {
            return None;
        }
        *last_attempt = Some(Instant::now());
        match S::build(self.config.clone(), self.http.clone(), self.secrets_client.clone()).await {
            Ok(dependencies) => {
                tracing::info!("secrets readable again; the function is serving normally");
                Some(self.ready.get_or_init(|| async { (self.make_router)(dependencies) }).await.clone())
            }
            Err(error) => {
                tracing::error!(%error, "cold start still failing");
                None
            }
        }
    }
}
