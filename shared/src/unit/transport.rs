//! One JSON:API exchange with Unit, whichever token it carries: the URL, the headers, retries,
//! and reading the answer into a typed document or a [`UnitError`]. Both clients send through
//! here; neither knows the other's token.

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use super::{UnitError, UnitErrorItem, jsonapi};
use crate::{
    http::Upstream,
    upstream::{Idempotency, RetryPolicy, TransportError, retry_after, send_with_retries},
};

/// What a client method does at Unit: its fixed name in metrics and logs (`cards.create`), its
/// HTTP method, and whether repeating it is harmless.
pub(super) struct Operation {
    pub name: &'static str,
    pub method: Method,
    pub idempotency: Idempotency,
}

impl Operation {
    /// A `GET`: safe to repeat.
    pub fn read(name: &'static str) -> Self {
        Self { name, method: Method::GET, idempotency: Idempotency::Safe }
    }

    pub fn write(name: &'static str, method: Method, idempotency: Idempotency) -> Self {
        Self { name, method, idempotency }
    }
}

/// What to send. The body is serialised once and resent as is on a retry.
pub(super) struct Call<'a> {
    pub operation: Operation,
    pub path: &'a str,
    pub query: &'a [(&'a str, String)],
    pub body: Option<Body>,
}

/// A request body, already encoded.
pub(super) enum Body {
    /// A JSON:API document (every call but file uploads).
    JsonApi(Vec<u8>),
    /// `multipart/form-data` with this boundary (application document uploads).
    Multipart { boundary: String, bytes: Vec<u8> },
}

/// The pooled HTTP client and the retry policy both clients share.
#[derive(Clone)]
pub(super) struct Transport {
    http: reqwest::Client,
    retry: RetryPolicy,
}

impl Transport {
    pub fn new(http: reqwest::Client, retry: RetryPolicy) -> Self {
        Self { http, retry }
    }

    /// Sends `call` to `base_url` with `token`; an error status comes back as a response.
    pub async fn send(&self, base_url: &Url, token: &str, call: &Call<'_>) -> Result<reqwest::Response, UnitError> {
        let url = format!("{}{}", base_url.as_str().trim_end_matches('/'), call.path);
        let operation = &call.operation;
        let response = send_with_retries(Upstream::Unit, operation.name, operation.idempotency, &self.retry, || {
            let request = self
                .http
                .request(operation.method.clone(), &url)
                .bearer_auth(token)
                .header(http::header::ACCEPT, jsonapi::CONTENT_TYPE)
                .query(call.query);
            match &call.body {
                Some(Body::JsonApi(bytes)) => {
                    request.header(http::header::CONTENT_TYPE, jsonapi::CONTENT_TYPE).body(bytes.clone())
                }
                Some(Body::Multipart { boundary, bytes }) => request
                    .header(http::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
                    .body(bytes.clone()),
                None => request,
            }
        })
        .await?;
        Ok(response)
    }
}

/// A success body as `T`, or Unit's error document as [`UnitError::Api`].
pub(super) async fn read_response<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, UnitError> {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let bytes = response
        .bytes()
        .await
        .map_err(|error| UnitError::Transport(TransportError::classify(Upstream::Unit, &error)))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|error| {
            // The body may hold card or customer data: log where parsing failed, not the body.
            tracing::warn!(
                status = status.as_u16(),
                line = error.line(),
                column = error.column(),
                "unexpected Unit body"
            );
            UnitError::UnexpectedBody { status: status.as_u16() }
        });
    }
    #[derive(serde::Deserialize)]
    struct ErrorDocument {
        #[serde(default)]
        errors: Vec<UnitErrorItem>,
    }
    let errors = serde_json::from_slice::<ErrorDocument>(&bytes).map(|d| d.errors).unwrap_or_default();
    let error = UnitError::Api { status: status.as_u16(), errors, retry_after };
    tracing::info!(status = status.as_u16(), %error, "Unit refused a call");
    Err(error)
}
