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
    fn http_connector(&self, settings: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        // The connect timeout is the client's own; an SDK read timeout, when one is set, bounds each request.
        SharedHttpConnector::new(Connector { http: self.0.clone(), read_timeout: settings.read_timeout() })
    }
}

#[derive(Debug)]
struct Connector {
    http: reqwest::Client,
    read_timeout: Option<std::time::Duration>,
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let http = self.http.clone();
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let request = request.try_into_http1x().map_err(|e| ConnectorError::user(e.into()))?;
            let (parts, body) = request.into_parts();
            // Secrets Manager requests are small JSON documents, held in memory by the SDK.
            let body = body
                .bytes()
                .map(bytes::Bytes::copy_from_slice)
                .ok_or_else(|| ConnectorError::user("streaming request bodies are not supported".into()))?;
            let mut builder = http.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body);
            if let Some(timeout) = read_timeout {
                builder = builder.timeout(timeout);
            }
            let response = builder.send().await.map_err(connector_error)?;
            let mut head = http::Response::builder().status(response.status()).version(response.version());
            if let Some(headers) = head.headers_mut() {
                *headers = response.headers().clone();
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
