//! What the Stytch and Unit clients share: sending with bounded retries, and the failures of
//! talking to an upstream at all (as opposed to an upstream's own error answer).

mod attempt;
mod retry;

use std::time::Duration;

use url::Url;

use crate::http::{ApiError, problem::Upstream};

pub(crate) use attempt::within_deadline;
pub use retry::{Idempotency, RetryPolicy, send_with_retries};

/// The request never produced a usable HTTP answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("{0:?} did not answer in time")]
    Timeout(Upstream),
    #[error("{0:?} could not be reached or dropped the connection")]
    Unreachable(Upstream),
    #[error("{0:?} answered with a body we could not read")]
    UnreadableBody(Upstream),
}

impl TransportError {
    pub(crate) fn classify(upstream: Upstream, error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            TransportError::Timeout(upstream)
        } else if error.is_decode() {
            TransportError::UnreadableBody(upstream)
        } else {
            TransportError::Unreachable(upstream)
        }
    }
}

impl From<TransportError> for ApiError {
    fn from(error: TransportError) -> Self {
        let cause = Some(error.clone().into());
        match error {
            TransportError::Timeout(upstream) => ApiError::UpstreamTimeout { upstream, cause },
            TransportError::Unreachable(upstream) | TransportError::UnreadableBody(upstream) => {
                ApiError::UpstreamFailed { upstream, cause }
            }
        }
    }
}

/// An upstream's base URL: https only, except on loopback (the local sandbox), so that credentials
/// never travel in clear text. The reason on error never repeats the value.
pub fn base_url(raw: &str) -> Result<Url, &'static str> {
    let url = Url::parse(raw.trim().trim_end_matches('/')).map_err(|_| "must be a URL")?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err("must be an https:// URL (http:// only for loopback)"),
    }
}

/// `Retry-After` in seconds (the form Stytch, Unit and our sandbox use); HTTP dates are ignored.
pub fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The mapping every upstream error status shares: 429 passes on, 5xx is a bad gateway. Other
/// statuses are for the caller to interpret, so they come back as `None`.
pub fn common_status_error(
    upstream: Upstream,
    status: http::StatusCode,
    headers: &http::HeaderMap,
) -> Option<ApiError> {
    if status == http::StatusCode::TOO_MANY_REQUESTS {
        return Some(ApiError::RateLimited { upstream, retry_after: retry_after(headers) });
    }
    if status == http::StatusCode::REQUEST_TIMEOUT || status == http::StatusCode::GATEWAY_TIMEOUT {
        return Some(ApiError::UpstreamTimeout { upstream, cause: None });
    }
    status.is_server_error().then_some(ApiError::UpstreamFailed { upstream, cause: None })
}
