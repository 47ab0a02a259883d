//! One upstream exchange (its retries included) as metrics and one log line: vendor, operation,
//! outcome, status, latency and attempts. Nothing else: no URL (it may hold an id), no header,
//! no body.
//!
//! A log line, not a span of its own: the JSON log layer prints the innermost span's fields, and
//! every line must keep the request span's `request_id` and `trace_id` (README, "Observability").

use std::time::Instant;

use super::catalogue::{self, Outcome};
use crate::{http::problem::Upstream, upstream::TransportError};

pub(crate) struct UpstreamCall {
    vendor: &'static str,
    operation: &'static str,
    started: Instant,
}

impl UpstreamCall {
    pub fn start(vendor: Upstream, operation: &'static str) -> Self {
        let vendor = match vendor {
            Upstream::Stytch => "stytch",
            Upstream::Unit => "unit",
            Upstream::SecretsManager => "secretsmanager",
        };
        Self { vendor, operation, started: Instant::now() }
    }

    /// Records how an HTTP exchange ended (after `attempts` attempts).
    pub fn finish_exchange(self, result: &Result<reqwest::Response, TransportError>, attempts: u32) {
        let status = result.as_ref().ok().map(|response| response.status().as_u16());
        let outcome = match result {
            Ok(_) => Outcome::of_status(status.unwrap_or_default()),
            Err(TransportError::Timeout(_)) => Outcome::Timeout,
            Err(TransportError::Unreachable(_)) => Outcome::Unreachable,
            Err(TransportError::UnreadableBody(_)) => Outcome::UnreadableBody,
        };
        self.finish(outcome, status, attempts);
    }

    /// Records how the exchange ended: `status` is the last answer's, if there was one.
    pub fn finish(self, outcome: Outcome, status: Option<u16>, attempts: u32) {
        let latency = self.started.elapsed();
        catalogue::upstream_call(self.vendor, self.operation, outcome, latency);
        tracing::info!(
            vendor = self.vendor,
            operation = self.operation,
            outcome = outcome.as_str(),
            status,
            latency_ms = latency.as_millis() as u64,
            attempts,
            "upstream call"
        );
    }
}
