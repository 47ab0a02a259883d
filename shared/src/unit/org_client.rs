//! [`UnitClient`]: Unit with OUR org token from the Unit secret (applications, customers, customer
//! tokens). Its errors are [`UnitError`]s, whose 401 and 403 mean our token was refused: a
//! misconfiguration answered with 502, never blamed on the caller (see `error.rs`).

use std::sync::Arc;

use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

use super::{
    UnitError,
    transport::{Body, Call, Operation, Transport, read_response},
};
use crate::{
    secrets::{CachedSecret, UnitCredentials},
    upstream::RetryPolicy,
};

pub struct UnitClient {
    transport: Transport,
    credentials: Arc<CachedSecret<UnitCredentials>>,
    /// The org's deposit product for the accounts we open (`UNIT_DEPOSIT_PRODUCT`).
    pub(super) deposit_product: String,
}

/// The deposit product Unit's docs use, and every new org's default.
pub const DEFAULT_DEPOSIT_PRODUCT: &str = "checking";

impl UnitClient {
    pub fn new(http: reqwest::Client, credentials: Arc<CachedSecret<UnitCredentials>>, retry: RetryPolicy) -> Self {
        Self { transport: Transport::new(http, retry), credentials, deposit_product: DEFAULT_DEPOSIT_PRODUCT.into() }
    }

    /// Opens deposit accounts with this product (as named in Unit's dashboard) instead of `checking`.
    pub fn with_deposit_product(mut self, deposit_product: impl Into<String>) -> Self {
        self.deposit_product = deposit_product.into();
        self
    }

    /// One call with the org token and a JSON:API body (if any).
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        operation: Operation,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<T, UnitError> {
        self.send(Call { operation, path, query, body: body.map(Body::JsonApi) }).await
    }

    /// One call with the org token. A 401 triggers one refetch of the Unit secret (it may have
    /// been rotated) and, if the token changed, one more try.
    pub(super) async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, UnitError> {
        let mut credentials = self.credentials.get().await?;
        let mut rotated = false;
        loop {
            let response =
                self.transport.send(&credentials.base_url, credentials.api_token.expose_secret(), &call).await?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED && !rotated {
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
