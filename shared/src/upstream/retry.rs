//! Retries with exponential backoff and full jitter, only where a repeat cannot do harm:
//! reads, and creates that carry an idempotency key. A connection that was never established
//! is retried for any request, since nothing reached the upstream. `Retry-After` is respected,
//! and the whole exchange stays within a time budget and within the request's deadline.

use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::{RequestBuilder, Response, StatusCode};

use super::{TransportError, retry_after, within_deadline};
use crate::{
    http::{Deadline, problem::Upstream},
    metrics::UpstreamCall,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GETs, and POSTs that carry an idempotency key: repeating them changes nothing.
    Safe,
    /// Anything else: retried only when the connection was never made.
    Unsafe,
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub budget: Duration,
    /// `UPSTREAM_TIMEOUT_MS`, the HTTP client's own timeout: inside a request, an attempt's
    /// timeout is this or what the request has left, whichever is smaller.
    pub attempt_timeout: Duration,
}

impl RetryPolicy {
    /// Up to 3 attempts, 100 ms to 2 s apart, within 12 s.
    pub fn new(attempt_timeout: Duration) -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            budget: Duration::from_secs(12),
            attempt_timeout,
        }
    }
}

fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Sends the request `build` makes, retrying as the policy allows. An error status that was not
/// retried (or ran out of retries) is returned as a response for the caller to interpret. The
/// whole exchange is one `UpstreamCall` (metrics and a log line) named `operation`.
pub async fn send_with_retries(
    upstream: Upstream,
    operation: &'static str,
    idempotency: Idempotency,
    policy: &RetryPolicy,
    build: impl Fn() -> RequestBuilder,
) -> Result<Response, TransportError> {
    let call = UpstreamCall::start(upstream, operation);
    let (result, attempts) = send_attempts(upstream, idempotency, policy, build).await;
    call.finish_exchange(&result, attempts);
    result
}

/// The attempts themselves, and how many were made.
async fn send_attempts(
    upstream: Upstream,
    idempotency: Idempotency,
    policy: &RetryPolicy,
    build: impl Fn() -> RequestBuilder,
) -> (Result<Response, TransportError>, u32) {
    let started = Instant::now();
    let deadline = Deadline::current();
    let mut attempt = 1;
    loop {
        let request = match within_deadline(build(), upstream, policy.attempt_timeout) {
            Ok(request) => request,
            Err(error) => return (Err(error), attempt - 1),
        };
        let outcome = request.send().await;
        let wait = match &outcome {
            Ok(response) if retryable_status(response.status()) && idempotency == Idempotency::Safe => {
                Some(retry_after(response.headers()).unwrap_or_else(|| backoff(policy, attempt)))
            }
            Ok(_) => None,
            Err(error) if error.is_connect() => Some(backoff(policy, attempt)),
            Err(_) if idempotency == Idempotency::Safe => Some(backoff(policy, attempt)),
            Err(_) => None,
        };
        let may_retry = attempt < policy.max_attempts;
        // A retry that could only start after the request's deadline would be cut before it began.
        let in_time = |wait: Duration| {
            started.elapsed() + wait < policy.budget && deadline.is_none_or(|d| wait < d.upstream_time_left())
        };
        match wait {
            Some(wait) if may_retry && in_time(wait) => {
                tracing::info!(
                    upstream = ?upstream,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                    "retrying upstream call"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            _ => return (outcome.map_err(|error| TransportError::classify(upstream, &error)), attempt),
        }
    }
}

/// Full jitter: uniformly random in [0, min(max, base · 2^(attempt-1))].
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let ceiling = policy.base_delay.saturating_mul(1 << (attempt - 1).min(16)).min(policy.max_delay);
    let millis = rand::rng().random_range(0..=ceiling.as_millis() as u64);
    Duration::from_millis(millis)
}
