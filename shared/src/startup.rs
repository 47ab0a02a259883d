//! The cold start of the functions that read secrets (signup, step-up, token-exchange, webhooks),
//! run once: configuration, logging, the HTTP client, then the function's state
//! ([`ColdStart`]), reused by every invocation of the execution environment. Cards reads no secret
//! and builds its own state, then [`serve`]s it. Every function's `main` runs on [`block_on`].

use std::{fmt, future::Future};

use crate::{
    cold_start::Phases,
    config::{Config, ConfigError},
    dependencies::ColdStart,
    http_client, metrics, recovering, secrets, telemetry,
};

/// Why a cold start failed. `Debug` is `Display`, so `main` returning it prints one clear line.
#[derive(thiserror::Error)]
pub enum StartupError {
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    #[error("lambda runtime error: {0}")]
    Runtime(String),
}

impl fmt::Debug for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Runs a function's `main` on a current-thread Tokio runtime: no worker thread is started.
///
/// A Lambda execution environment hands out one event at a time, and everything a function does
/// while handling it is waiting on an upstream: there is nothing for a second worker to run. The
/// default multi-threaded runtime started a worker per vCPU at every cold start, and moved tasks
/// between them with cross-thread wake-ups (BENCHMARKS.md, "Our own cold start"). Blocking work
/// (the DNS lookups of reqwest's resolver) still gets the blocking pool, started on first use.
pub fn block_on(main: impl Future<Output = Result<(), StartupError>>) -> Result<(), StartupError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| StartupError::Runtime(error.to_string()))?
        .block_on(main)
}

/// What a function serves after its cold start: the real router, or — when a secret cannot be
/// read — the [`recovering`](crate::recovering) stand-in that answers 503 and retries. A
/// configuration error is not retried: it needs a deployment to fix.
pub async fn app<S: ColdStart>(
    config: Config,
    http: reqwest::Client,
    secrets_client: aws_sdk_secretsmanager::Client,
    make_router: fn(S) -> axum::Router,
) -> axum::Router {
    match S::build(config.clone(), http.clone(), secrets_client.clone()).await {
        Ok(dependencies) => make_router(dependencies),
        Err(error) => {
            tracing::error!(%error, "cold start could not read its secrets; answering 503 until it can");
            recovering::router(config, http, secrets_client, make_router)
        }
    }
}

/// A function's whole `main`: configuration and logging, the cold start, then the Lambda runtime.
pub async fn run<S: ColdStart>(make_router: fn(S) -> axum::Router) -> Result<(), StartupError> {
    let mut phases = Phases::start();
    let config = Config::from_env(S::NEEDS)?;
    phases.end("config");
    telemetry::init(config.log_level);
    phases.end("tracing");
    metrics::install(&config.metrics_namespace);
    phases.end("metrics");
    // One HTTP client for Secrets Manager, Stytch, Unit and the JWKS: one trust store, one pool.
    let http = http_client::build(&config.upstream);
    phases.end("http_client");
    let secrets_client = secrets::client(&http).await;
    phases.end("sdk_client");
    let router = app(config, http, secrets_client, make_router).await;
    phases.end("upstream_reads_and_router");
    phases.log();
    serve(router).await
}

/// Hands `router` to the Lambda runtime for the life of the execution environment. A function that
/// builds its own state (cards) calls this after its own cold start.
pub async fn serve(router: axum::Router) -> Result<(), StartupError> {
    lambda_http::run(router).await.map_err(|error| StartupError::Runtime(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_runs_on_a_current_thread_runtime_and_its_error_comes_back() {
        let on_current_thread = std::cell::Cell::new(false);
        let outcome = block_on(async {
            let flavor = tokio::runtime::Handle::current().runtime_flavor();
            on_current_thread.set(flavor == tokio::runtime::RuntimeFlavor::CurrentThread);
            Err(StartupError::Runtime("stopped".into()))
        });
        assert!(on_current_thread.get(), "main must run on a current-thread runtime");
        assert_eq!(outcome.unwrap_err().to_string(), "lambda runtime error: stopped");
    }
}
