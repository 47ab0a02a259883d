//! `Option<ApiJson<T>>`: for routes whose body may be left out entirely (every field optional).
//!
//! No body at all (no `Content-Type` and zero bytes) is `None`. Anything else goes through
//! [`ApiJson`]'s rules: a body without a JSON `Content-Type` is 415, bad JSON is 400.

use axum::{
    body::Bytes,
    extract::{FromRequest, OptionalFromRequest, Request},
};
use http::header;
use serde::de::DeserializeOwned;

use super::{json::ApiJson, problem::ApiError};

impl<S, T> OptionalFromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        if request.headers().contains_key(header::CONTENT_TYPE) {
            return <ApiJson<T> as FromRequest<S>>::from_request(request, state).await.map(Some);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::InvalidBody { detail: "The request body could not be read.".into() }
            }
        })?;
        if bytes.is_empty() { Ok(None) } else { Err(ApiError::UnsupportedMediaType) }
    }
}
