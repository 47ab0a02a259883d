//! The AWS SDK's HTTP transport: the function's own `reqwest` client.
//!
//! Out of the box the SDK builds a second HTTP stack of its own (hyper + rustls), which reads and
//! parses the system trust store again at the first Secrets Manager call: measured at about 6 ms of
//! every cold start on the bench machine, a third of the function's own start-up (BENCHMARKS.md).
//! Handing the SDK the client that Stytch, Unit and the JWKS already use means one trust store, one
//! connection pool and one set of timeouts (`UPSTREAM_CONNECT_TIMEOUT_MS`, `UPSTREAM_TIMEOUT_MS`).
//! Signing, retries, endpoint rules and typed errors stay the SDK's.

use aws_smithy_runtime_api::client::{
    http::{HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector},
    orchestrator::{HttpRequest, HttpResponse},
    result::ConnectorError,
    runtime_components::RuntimeComponents,
};
use aws_smithy_types::body::SdkBody;

/// An SDK [`HttpClient`] that sends every request with the given `reqwest::Client`.
#[derive(Debug, Clone)]
pub struct SdkHttpClient(reqwest::Client);

impl SdkHttpClient {
    pub fn new(http: reqwest::Client) -> Self {
        Self(http)
    }
}

impl HttpClient for SdkHttpClient {
    /// The SDK's connector settings (its default connect timeout) are not used: the client's own
    /// timeouts apply, as they do to every other upstream.
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for SdkHttpClient {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.0.clone();
        HttpConnectorFuture::new(async move {
            let request = request.try_into_http1x().map_err(|e| ConnectorError::user(e.into()))?;
            let (parts, body) = request.into_parts();
            // Secrets Manager requests are small JSON documents, held in memory by the SDK.
            let body = body
                .bytes()
                .map(bytes::Bytes::copy_from_slice)
                .ok_or_else(|| ConnectorError::user("streaming request bodies are not supported".into()))?;
            let mut response = client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(connector_error)?;
            let mut head = http::Response::builder().status(response.status()).version(response.version());
            if let Some(headers) = head.headers_mut() {
                *headers = std::mem::take(response.headers_mut());
            }
            let body = response.bytes().await.map_err(connector_error)?;
            let response = head.body(SdkBody::from(body)).map_err(|e| ConnectorError::other(e.into(), None))?;
            HttpResponse::try_from(response).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// Timeouts and I/O failures are told apart so that the SDK's retry policy treats them as it
/// treats those of its own client (both are retried as transient).
fn connector_error(error: reqwest::Error) -> ConnectorError {
    if error.is_timeout() {
        ConnectorError::timeout(error.into())
    } else if error.is_connect() || error.is_request() || error.is_body() {
        ConnectorError::io(error.into())
    } else {
        ConnectorError::other(error.into(), None)
    }
}
