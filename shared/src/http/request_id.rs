//! One id per request, the Lambda request id when running in Lambda, so that the `requestId` a
//! client quotes from an error is the id on every log line of that invocation.

use std::fmt;

use axum::{extract::Request, middleware::Next, response::Response};
use tracing::Instrument;

tokio::task_local! {
    static CURRENT: RequestId;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The id of the request being served, or `unknown` outside one (e.g. in a unit test).
    pub fn current() -> Self {
        CURRENT.try_with(Clone::clone).unwrap_or_else(|_| RequestId("unknown".into()))
    }

    fn for_request(request: &Request) -> Self {
        let from_lambda = request
            .extensions()
            .get::<lambda_http::Context>()
            .map(|context| context.request_id.clone())
            .filter(|id| !id.is_empty());
        RequestId(from_lambda.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for RequestId {
    fn from(value: &str) -> Self {
        RequestId(value.to_owned())
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The X-Ray trace of the invocation (its `Root=` id), when Lambda traces it (`Tracing: Active`).
fn trace_id(request: &Request) -> Option<String> {
    let header = request.extensions().get::<lambda_http::Context>()?.xray_trace_id.as_deref()?;
    let root = header.split(';').find_map(|part| part.trim().strip_prefix("Root=")).unwrap_or(header);
    Some(root.to_owned()).filter(|root| !root.is_empty())
}

/// Axum middleware: makes the id current for the handler and puts it on a span, so every log line
/// written while serving the request carries `request_id` (and `trace_id`, to find its X-Ray trace).
pub async fn request_id_layer(request: Request, next: Next) -> Response {
    let id = RequestId::for_request(&request);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        trace_id = tracing::field::Empty,
        method = %request.method(),
        route = %request.uri().path(),
        // Filled in once the session is verified: who, never with what.
        user_id = tracing::field::Empty,
    );
    if let Some(trace_id) = trace_id(&request) {
        span.record("trace_id", trace_id.as_str());
    }
    CURRENT.scope(id, next.run(request).instrument(span)).await
}
