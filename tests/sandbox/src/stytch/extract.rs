//! A JSON body extractor that answers bad input with a Stytch-shaped 400 instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::errors::StytchError;

/// Like `axum::Json`, but tolerant of a missing `Content-Type` (Stytch's SDKs always send one, curl users
/// often do not) and rejecting with `bad_request` (unparseable JSON) or `invalid_argument` (missing or
/// mistyped fields). An empty body counts as `{}`, so its missing fields are reported by name.
pub struct StytchJson<T>(pub T);

impl<S, T> FromRequest<S> for StytchJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = StytchError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| StytchError::bad_request("bad_request", "The request body could not be read."))?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        serde_json::from_slice(text).map(StytchJson).map_err(|error| {
            if error.is_data() {
                StytchError::bad_request("invalid_argument", format!("Invalid request body: {error}."))
            } else {
                StytchError::bad_request("bad_request", "The request body is not valid JSON.")
            }
        })
    }
}
