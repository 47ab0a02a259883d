//! `SANDBOX_RECORD=<file>`: every exchange served is appended to the file as one JSON line.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::faults::DropConnection;

/// Bodies larger than this are not buffered; the sandbox's own bodies are a few kilobytes at most.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Appends exchanges to one file; clones share the file, so both ports can write to it.
#[derive(Clone)]
pub struct Recorder {
    file: Arc<Mutex<File>>,
}

impl Recorder {
    /// Opens `path` for appending, creating it if needed.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self { file: Arc::new(Mutex::new(file)) })
    }

    fn append(&self, line: &Value) {
        let mut text = line.to_string();
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        // One write per line keeps lines whole even when both ports record at once.
        if let Err(error) = file.write_all(text.as_bytes()) {
            tracing::warn!(%error, "could not append to the record file");
        }
    }
}

/// State of the recording middleware on one port.
#[derive(Clone)]
pub struct RecordState {
    pub recorder: Recorder,
    /// `"stytch"` or `"unit"`, written into each line so a shared file can be split again.
    pub service: &'static str,
}

/// Middleware: buffers both bodies, serves the request, then appends the exchange.
pub async fn record(State(state): State<RecordState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(request_bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large or unreadable").into_response();
    };
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let request_headers = safe_headers(&parts.headers);
    let request_body = body_as_json(&request_bytes);

    let response = next.run(Request::from_parts(parts, Body::from(request_bytes))).await;

    let dropped = response.extensions().get::<DropConnection>().is_some();
    let (parts, body) = response.into_parts();
    let response_bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.unwrap_or_default();
    state.recorder.append(&json!({
        "service": state.service,
        "method": method,
        "path": path,
        "query": query,
        // A dropped connection never had a status on the wire.
        "status": if dropped { Value::Null } else { json!(parts.status.as_u16()) },
        "request_headers": request_headers,
        "request_body": request_body,
        "response_body": if dropped { Value::Null } else { body_as_json(&response_bytes) },
    }));
    Response::from_parts(parts, Body::from(response_bytes))
}

/// Request headers minus anything that carries a credential.
fn safe_headers(headers: &HeaderMap) -> Value {
    let mut kept = Map::new();
    for (name, value) in headers {
        let name = name.as_str();
        if is_credential_header(name) {
            continue;
        }
        kept.insert(name.to_owned(), Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()));
    }
    Value::Object(kept)
}

fn is_credential_header(name: &str) -> bool {
    matches!(name, "authorization" | "proxy-authorization" | "cookie" | "x-api-key")
        || ["token", "secret", "password", "credential"].iter().any(|word| name.contains(word))
}

/// JSON when the body parses as JSON, `null` when empty, otherwise the text.
fn body_as_json(bytes: &Bytes) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_left_out() {
        assert!(is_credential_header("authorization"));
        assert!(is_credential_header("x-session-token"));
        assert!(!is_credential_header("content-type"));
        assert!(!is_credential_header("idempotency-key"));
    }
}
