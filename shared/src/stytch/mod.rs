//! The typed Stytch consumer-API client: HTTP Basic `project_id:secret` from Secrets Manager,
//! JSON bodies, bounded retries where a repeat is harmless, and one refetch of the secret when
//! Stytch rejects it (rotation).
//!
//! Built once per cold start. Logs carry the operation, status, `error_type` and Stytch's
//! `request_id` only: never a body, a token or a secret.

mod error;
mod magic_links;
mod otps;
mod sessions;
mod totps;
mod types;
mod users;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use url::Url;

pub use error::{StytchError, StytchErrorType};
pub use magic_links::{
    MagicLinkAuthenticate, MagicLinkAuthenticateResponse, MagicLinkLoginOrCreate, MagicLinkLoginOrCreateResponse,
};
pub use otps::{OtpAuthenticate, OtpAuthenticateResponse, SmsSend, SmsSendResponse};
pub use sessions::{SessionAuthenticate, SessionAuthenticateResponse, SessionRevoke, SessionRevokeResponse};
pub use totps::{
    TotpAuthenticate, TotpAuthenticateResponse, TotpCreate, TotpCreateResponse, TotpRecover, TotpRecoverResponse,
    TotpRecoveryCodes, TotpRecoveryCodesResponse, TotpWithRecoveryCodes,
};
pub use types::{
    AuthenticationFactor, IssuedSession, MethodAuthenticateResponse, Session, SessionRef, User, UserEmail,
    UserPhoneNumber, UserTotp,
};
pub use users::{DeleteFactorResponse, GetUserResponse, UpdateUser, UpdateUserResponse};

use crate::{
    http::Upstream,
    secrets::{CachedSecret, StytchCredentials},
    upstream::{Idempotency, RetryPolicy, TransportError, retry_after, send_with_retries},
};

pub struct StytchClient {
    http: reqwest::Client,
    credentials: Arc<CachedSecret<StytchCredentials>>,
    retry: RetryPolicy,
}

/// One Stytch call, described for [`StytchClient::call`].
struct Call<'a> {
    /// For logs, e.g. `"totps.authenticate"`.
    operation: &'static str,
    method: Method,
    /// Path segments after the base URL; each is percent-encoded on its own.
    path: &'a [&'a str],
    body: Option<Vec<u8>>,
    idempotency: Idempotency,
}

impl StytchClient {
    pub fn new(http: reqwest::Client, credentials: Arc<CachedSecret<StytchCredentials>>, retry: RetryPolicy) -> Self {
        Self { http, credentials, retry }
    }

    /// A JSON `POST` with the project credentials: what most Stytch calls are.
    async fn post<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &[&str],
        body: &impl Serialize,
        idempotency: Idempotency,
    ) -> Result<T, StytchError> {
        self.call(Call { operation, method: Method::POST, path, body: Some(json_body(body)), idempotency }).await
    }

    /// Sends one call and reads its answer. The body is serialised once and resent as is on a
    /// retry. A 401 `unauthorized_credentials` triggers one refetch of the Stytch secret and,
    /// if it changed (rotation), exactly one more try: Stytch did nothing with a request it
    /// refused to authenticate, so even an unsafe call may be sent again.
    async fn call<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, StytchError> {
        let mut credentials = self.credentials.get().await?;
        let mut rotated = false;
        loop {
            let url = endpoint(&credentials.base_url, call.path);
            let response = send_with_retries(Upstream::Stytch, call.operation, call.idempotency, &self.retry, || {
                let request = self.http.request(call.method.clone(), url.clone());
                let request = request.basic_auth(&credentials.project_id, Some(credentials.secret.expose_secret()));
                match &call.body {
                    Some(bytes) => request.header(http::header::CONTENT_TYPE, "application/json").body(bytes.clone()),
                    None => request,
                }
            })
            .await?;
            match read_response(call.operation, response).await {
                Err(error) if !rotated && error.is(&StytchErrorType::UnauthorizedCredentials) => {
                    rotated = true;
                    match self.credentials.refresh_after_rejection(&credentials).await {
                        Ok(Some(fresh)) => credentials = fresh,
                        Ok(None) => {
                            tracing::error!(
                                operation = call.operation,
                                "Stytch rejects the project credentials and Secrets Manager has no newer secret"
                            );
                            return Err(error);
                        }
                        Err(secrets) => {
                            tracing::error!(operation = call.operation, error = %secrets, "could not refetch the Stytch secret");
                            return Err(error);
                        }
                    }
                }
                outcome => return outcome,
            }
        }
    }
}

/// `{base}/{segments…}`, keeping any path the base URL has (a custom domain may have one).
fn endpoint(base_url: &Url, segments: &[&str]) -> Url {
    let mut url = base_url.clone();
    url.path_segments_mut().expect("an http(s) URL has path segments").pop_if_empty().extend(segments);
    url
}

fn json_body(request: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(request).expect("request bodies serialise")
}

/// Stytch's error document; every field optional so that a partial one is still read.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
}

async fn read_response<T: DeserializeOwned>(
    operation: &'static str,
    response: reqwest::Response,
) -> Result<T, StytchError> {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let bytes = response.bytes().await.map_err(|error| TransportError::classify(Upstream::Stytch, &error))?;
    if status.is_success() {
        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        return serde_path_to_error::deserialize(deserializer).map_err(|error| {
            // serde's message may quote a value (a token); the path names only fields.
            tracing::warn!(operation, status = status.as_u16(), path = %error.path(), "unexpected Stytch body");
            StytchError::UnexpectedBody { status: status.as_u16() }
        });
    }
    let error = match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(ErrorBody { error_type: Some(error_type), error_message, request_id }) => StytchError::Api {
            status: status.as_u16(),
            error_type: StytchErrorType::from(error_type.as_str()),
            error_message: error_message.unwrap_or_default(),
            request_id,
            retry_after,
        },
        // Not Stytch's document (a proxy's error page, say). A 429 keeps its Retry-After.
        _ if status == StatusCode::TOO_MANY_REQUESTS => StytchError::Api {
            status: status.as_u16(),
            error_type: StytchErrorType::TooManyRequests,
            error_message: String::new(),
            request_id: None,
            retry_after,
        },
        _ => StytchError::UnexpectedBody { status: status.as_u16() },
    };
    log_refusal(operation, &error);
    Err(error)
}

fn log_refusal(operation: &'static str, error: &StytchError) {
    let StytchError::Api { status, error_type, request_id, .. } = error else {
        tracing::warn!(operation, status = error.status(), "Stytch answered an error with an unexpected body");
        return;
    };
    if *status >= 500 {
        tracing::warn!(
            operation,
            status,
            error_type = error_type.as_str(),
            request_id = request_id.as_deref(),
            "Stytch failed"
        );
    } else {
        tracing::info!(
            operation,
            status,
            error_type = error_type.as_str(),
            request_id = request_id.as_deref(),
            "Stytch refused the call"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_the_base_path_and_encode_segments() {
        let base = Url::parse("http://127.0.0.1:4010/").unwrap();
        assert_eq!(endpoint(&base, &["v1", "totps"]).as_str(), "http://127.0.0.1:4010/v1/totps");
        let custom = Url::parse("https://login.example.com/stytch").unwrap();
        assert_eq!(
            endpoint(&custom, &["v1", "users", "user-test-1/../x?y"]).as_str(),
            "https://login.example.com/stytch/v1/users/user-test-1%2F..%2Fx%3Fy"
        );
    }
}
