//! The Unit API client: JSON:API over HTTPS, with the org token from Secrets Manager or a
//! customer token passed through from our caller.

mod accounts;
mod applications;
mod cards;
mod customers;
mod error;
pub mod jsonapi;
mod tokens;

use std::sync::Arc;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

pub use accounts::Account;
pub use applications::{Address, Application, ApplicationStatus, FullName, NewIndividualApplication, Phone};
pub use cards::{Card, CardList, NewDebitCard, Page};
pub use customers::Customer;
pub use error::{UnitError, UnitErrorItem};
pub use tokens::{CustomerToken, CustomerTokenRequest, TokenProof, VerificationChannel};

use crate::{
    http::Upstream,
    secrets::{CachedSecret, UnitCredentials},
    upstream::{Idempotency, RetryPolicy, TransportError, retry_after, send_with_retries},
};

/// Whose token a call carries.
#[derive(Clone, Copy)]
pub enum UnitAuth<'a> {
    /// The org token from the Unit secret (applications, customers, customer tokens).
    Org,
    /// A customer token that our caller got from `POST /token` (cards, accounts).
    Customer(&'a SecretString),
}

pub struct UnitClient {
    http: reqwest::Client,
    credentials: Arc<CachedSecret<UnitCredentials>>,
    retry: RetryPolicy,
}

impl UnitClient {
    pub fn new(http: reqwest::Client, credentials: Arc<CachedSecret<UnitCredentials>>, retry: RetryPolicy) -> Self {
        Self { http, credentials, retry }
    }

    /// One Unit call. The body is serialised once and resent as is on a retry. An org-token 401
    /// triggers one refetch of the Unit secret (it may have been rotated) and one more try.
    async fn call<T: DeserializeOwned>(
        &self,
        auth: UnitAuth<'_>,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
    ) -> Result<T, UnitError> {
        let mut credentials = self.credentials.get().await?;
        let mut rotated = false;
        loop {
            let token = match auth {
                UnitAuth::Org => credentials.api_token.expose_secret(),
                UnitAuth::Customer(token) => token.expose_secret(),
            };
            let url = format!("{}{}", credentials.base_url.as_str().trim_end_matches('/'), path);
            let response = send_with_retries(Upstream::Unit, idempotency, &self.retry, || {
                let request = self
                    .http
                    .request(method.clone(), &url)
                    .bearer_auth(token)
                    .header(http::header::ACCEPT, jsonapi::CONTENT_TYPE)
                    .query(query);
                match &body {
                    Some(bytes) => {
                        request.header(http::header::CONTENT_TYPE, jsonapi::CONTENT_TYPE).body(bytes.clone())
                    }
                    None => request,
                }
            })
            .await?;
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && matches!(auth, UnitAuth::Org) && !rotated {
                rotated = true;
                if let Some(fresh) = self.credentials.refresh_after_rejection(&credentials).await? {
                    credentials = fresh;
                    continue;
                }
            }
            return read_response(response).await;
        }
    }
}

async fn read_response<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, UnitError> {
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

/// Unit ids are positive integers as strings. Anything else never reaches a URL path.
fn checked_id(id: &str) -> Result<&str, UnitError> {
    let numeric = !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0');
    if numeric { Ok(id) } else { Err(UnitError::InvalidId) }
}

fn to_body(document: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(document).expect("request documents serialise")
}
