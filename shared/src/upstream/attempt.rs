//! One upstream attempt inside the request's deadline (`http::deadline`): its timeout is the
//! smaller of `UPSTREAM_TIMEOUT_MS` and what the request has left, so that several calls in a row
//! cannot add up past the point where API Gateway or Lambda give up on the request.

use std::time::Duration;

use reqwest::RequestBuilder;

use super::TransportError;
use crate::http::{Deadline, problem::Upstream};

/// `request` with its timeout cut to what the current request has left (at most `cap`, the HTTP
/// client's own timeout, which the request's would otherwise replace), or a timeout error, without
/// sending, once nothing is left. Outside a request (the cold start) it goes as built.
pub(crate) fn within_deadline(
    request: RequestBuilder,
    upstream: Upstream,
    cap: Duration,
) -> Result<RequestBuilder, TransportError> {
    let Some(deadline) = Deadline::current() else {
        return Ok(request);
    };
    let left = deadline.upstream_time_left();
    if left.is_zero() {
        tracing::info!(upstream = ?upstream, "request deadline reached; upstream not called");
        return Err(TransportError::Timeout(upstream));
    }
    Ok(request.timeout(left.min(cap)))
}
