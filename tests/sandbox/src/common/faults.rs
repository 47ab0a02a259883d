//! Fault injection: the next `count` requests matching a method and a path prefix get an error status,
//! a delay, a dropped connection, or are served and then lose their answer (a dropped response). Controlled through `POST`/`DELETE /__sandbox/faults`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Marks a response that must never reach the client: the serving loop closes the connection instead.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// Renders the body of an injected error status in the shape of the API being faked.
pub type FaultRenderer = fn(StatusCode) -> Response;

/// What `POST /__sandbox/faults` accepts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// HTTP method to match; absent or `*` matches any.
    pub method: Option<String>,
    /// Path prefix to match; absent matches every path.
    pub path: Option<String>,
    /// How many matching requests get the fault; default 1.
    pub count: Option<u32>,
    pub status: Option<u16>,
    pub delay_ms: Option<u64>,
    pub drop: Option<bool>,
    /// Serve the request, then close the connection instead of answering: the change is made but
    /// the client never learns it (a lost response).
    pub drop_response: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Status(u16),
    DelayMs(u64),
    Drop(bool),
    DropResponse(bool),
}

/// One armed fault, as `GET /__sandbox/faults` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub method: Option<String>,
    pub path: String,
    pub remaining: u32,
    #[serde(flatten)]
    pub kind: FaultKind,
}

/// The armed faults of one port; clones share them.
#[derive(Clone)]
pub struct Faults {
    armed: Arc<Mutex<Vec<Fault>>>,
    render: FaultRenderer,
}

impl Faults {
    pub fn new(render: FaultRenderer) -> Self {
        Self { armed: Arc::default(), render }
    }

    /// Arms a fault after checking that exactly one effect was asked for.
    pub fn arm(&self, spec: FaultSpec) -> Result<Fault, String> {
        let kind = match (spec.status, spec.delay_ms, spec.drop, spec.drop_response) {
            (Some(status), None, None, None) => {
                if !(400..=599).contains(&status) {
                    return Err("status must be between 400 and 599".into());
                }
                FaultKind::Status(status)
            }
            (None, Some(delay), None, None) => {
                if delay > 600_000 {
                    return Err("delay_ms must be at most 600000".into());
                }
                FaultKind::DelayMs(delay)
            }
            (None, None, Some(true), None) => FaultKind::Drop(true),
            (None, None, None, Some(true)) => FaultKind::DropResponse(true),
            _ => {
                return Err(r#"give exactly one of "status", "delay_ms", "drop": true or "drop_response": true"#.into());
            }
        };
        let method = spec
            .method
            .map(|method| method.trim().to_ascii_uppercase())
            .filter(|method| method != "*" && !method.is_empty());
        if let Some(method) = &method {
            Method::from_bytes(method.as_bytes()).map_err(|_| format!("{method:?} is not an HTTP method"))?;
        }
        let count = spec.count.unwrap_or(1);
        if count == 0 {
            return Err("count must be at least 1".into());
        }
        let path = spec.path.unwrap_or_else(|| "/".into());
        if !path.starts_with('/') {
            return Err("path must start with /".into());
        }
        let fault = Fault { method, path, remaining: count, kind };
        self.lock().push(fault.clone());
        Ok(fault)
    }

    pub fn list(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Uses up one application of the first armed fault matching this request, if any.
    fn take(&self, method: &Method, path: &str) -> Option<FaultKind> {
        let mut armed = self.lock();
        let index = armed.iter().position(|fault| {
            fault.method.as_deref().is_none_or(|wanted| wanted == method.as_str()) && path.starts_with(&fault.path)
        })?;
        let fault = &mut armed[index];
        let kind = fault.kind.clone();
        fault.remaining -= 1;
        if fault.remaining == 0 {
            armed.remove(index);
        }
        Some(kind)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.armed.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Middleware applying armed faults to every request except the `/__sandbox/` controls themselves
/// (so that a fault on `/` cannot lock the tests out of clearing it).
pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/__sandbox/") {
        return next.run(request).await;
    }
    match faults.take(request.method(), path) {
        None => next.run(request).await,
        Some(FaultKind::DelayMs(delay)) => {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            next.run(request).await
        }
        Some(FaultKind::Drop(_)) => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
        Some(FaultKind::DropResponse(_)) => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(DropConnection);
            response
        }
        Some(FaultKind::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (faults.render)(status);
            *response.status_mut() = status;
            if status == StatusCode::TOO_MANY_REQUESTS {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            response
        }
    }
}
