//! [`UnitCustomerClient`]: Unit with our caller's customer token (cards, accounts).
//!
//! It is built from an HTTP client and a base URL only: it has no secret, no org token and no way
//! to reach one, so code holding it can make no org-token call. That is the compile-time
//! guarantee behind "cards holds no org token": the cards function's state is this client and
//! nothing else (SECURITY.md). Its errors are [`UnitCustomerError`]s, whose 401 and 403 are the
//! caller's (`invalid_unit_token`, `insufficient_scope`). Nothing is refetched on a 401: the token
//! is the caller's to renew with `POST /token`.

use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use url::Url;

use super::{
    UnitCustomerError,
    transport::{Body, Call, Operation, Transport, read_response},
};
use crate::{http::UnitCustomerToken, upstream::RetryPolicy};

#[derive(Clone)]
pub struct UnitCustomerClient {
    transport: Transport,
    base_url: Url,
}

impl UnitCustomerClient {
    pub fn new(http: reqwest::Client, base_url: Url, retry: RetryPolicy) -> Self {
        Self { transport: Transport::new(http, retry), base_url }
    }

    /// One call with the caller's token.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        token: &UnitCustomerToken,
        operation: Operation,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<T, UnitCustomerError> {
        let call = Call { operation, path, query, body: body.map(Body::JsonApi) };
        let answer = async {
            let response = self.transport.send(&self.base_url, token.0.expose_secret(), &call).await?;
            read_response(response).await
        };
        // Wrapped here and nowhere else, so an org call's error never becomes a caller's 401 or 403.
        answer.await.map_err(UnitCustomerError)
    }
}
