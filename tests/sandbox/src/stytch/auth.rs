//! HTTP Basic `project_id:secret`, required on every Stytch route but the JWKS.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::errors::StytchError;
use super::state::StytchState;

pub async fn require_basic_auth(State(state): State<StytchState>, request: Request, next: Next) -> Response {
    let presented =
        request.headers().get(header::AUTHORIZATION).and_then(|value| value.to_str().ok()).and_then(decode_basic);
    let config = state.config();
    match presented {
        Some((project_id, secret)) if project_id == config.project_id && secret == config.secret => {
            next.run(request).await
        }
        _ => StytchError::unauthorized_credentials().into_response(),
    }
}

/// `Basic base64(user:password)` → `(user, password)`.
fn decode_basic(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_basic_credentials() {
        let value = format!("Basic {}", STANDARD.encode("project-test-1:secret:with:colons"));
        assert_eq!(decode_basic(&value), Some(("project-test-1".into(), "secret:with:colons".into())));
        assert_eq!(decode_basic("Bearer abc"), None);
        assert_eq!(decode_basic("Basic !!!"), None);
    }
}
