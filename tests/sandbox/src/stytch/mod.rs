//! The Stytch side: the consumer-API routes under `/v1/` this bundle uses, plus Stytch-only test controls.

mod auth;
pub mod controls;
pub mod errors;
mod extract;
mod factors;
pub mod jwt;
pub mod keys;
mod magic_links;
mod metadata;
mod otpauth;
mod otps;
mod qr;
mod recipient;
mod respond;
pub mod sandbox_values;
pub mod session;
mod session_binding;
mod sessions;
pub mod state;
mod totps;
pub mod user;
mod user_search;
mod users;
mod validate;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};

pub use errors::fault_response;
pub use state::{StytchConfig, StytchState};

/// Every `/v1/` route; all but the JWKS require HTTP Basic `project_id:secret`.
pub fn router(state: StytchState) -> Router {
    let authenticated = Router::new()
        .route("/v1/magic_links/email/login_or_create", post(magic_links::login_or_create))
        .route("/v1/magic_links/email/send", post(magic_links::send))
        .route("/v1/magic_links/authenticate", post(magic_links::authenticate))
        .route("/v1/totps", post(totps::create))
        .route("/v1/totps/authenticate", post(totps::authenticate))
        .route("/v1/totps/recover", post(totps::recover))
        .route("/v1/totps/recovery_codes", post(totps::recovery_codes))
        .route("/v1/otps/sms/send", post(otps::send))
        .route("/v1/otps/sms/login_or_create", post(otps::login_or_create))
        .route("/v1/otps/authenticate", post(otps::authenticate))
        .route("/v1/sessions", get(sessions::list))
        .route("/v1/sessions/authenticate", post(sessions::authenticate))
        .route("/v1/sessions/revoke", post(sessions::revoke))
        .route("/v1/users", post(users::create))
        .route("/v1/users/search", post(user_search::search))
        .route("/v1/users/phone_numbers/{phone_id}", delete(factors::delete_phone_number))
        .route("/v1/users/totps/{totp_id}", delete(factors::delete_totp))
        .route("/v1/users/{user_id}", get(users::get).put(users::update).delete(users::delete))
        .route_layer(from_fn_with_state(state.clone(), auth::require_basic_auth));
    Router::new().merge(authenticated).route("/v1/sessions/jwks/{project_id}", get(sessions::jwks)).with_state(state)
}

/// `app` with unknown routes answered 404 `not_found` and known routes called with another method 405
/// `method_not_allowed`, in Stytch's error shape (so SDKs read a Stytch error, not an empty body).
/// Call it after every API route is added: the 405 handler applies to the routes present.
pub fn with_fallbacks(app: Router) -> Router {
    app.fallback(not_found).method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> axum::response::Response {
    errors::StytchError::not_found("not_found", "This route does not exist in the sandbox.").into_response()
}

async fn method_not_allowed() -> axum::response::Response {
    errors::StytchError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This method is not supported on this route.",
    )
    .into_response()
}
