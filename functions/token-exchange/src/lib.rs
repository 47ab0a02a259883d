//! The `token-exchange` function: a verified Stytch session becomes a Unit customer token.
//!
//! - `POST /token` `{scopes, expiresIn?, verificationToken?, verificationCode?}` →
//!   `200 {token, expiresIn, scopes}`
//! - `POST /token/verification` `{channel?}` → `200 {verificationToken}`
//!
//! The Unit customer always comes from the verified session's `sub`, never from the body.

pub mod routes;
pub mod scopes;
pub mod validation;

use axum::{Router, routing::post};
use stytch_unit_common::{dependencies::Dependencies, http::router};

/// Every (method, path) this function serves.
pub const ROUTES: &[(&str, &str)] =
    &[("POST", "/token"), ("POST", "/token/verification"), ("GET", "/health/token-exchange")];

pub fn router(dependencies: Dependencies) -> Router {
    let api = dependencies.config.api.clone();
    let routes = router::health_route("token-exchange")
        .route("/token", post(routes::token::create))
        .route("/token/verification", post(routes::verification::create))
        .with_state(dependencies);
    router::finish(routes, &api)
}
