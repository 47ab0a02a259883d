//! One log line per request: method, path, status, latency. Never queries, headers or bodies, which
//! carry tokens, codes and credentials.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path = %redact_path(&path),
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "served"
    );
    response
}

/// Ids in paths are not secrets, but a segment longer than 64 characters is more likely a token pasted
/// into a URL by mistake, so it is elided.
fn redact_path(path: &str) -> String {
    path.split('/').map(|segment| if segment.len() > 64 { "…" } else { segment }).collect::<Vec<_>>().join("/")
}
