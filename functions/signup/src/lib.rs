//! The `signup` function: email magic-link sign-up and login, and the Unit account application.
//!
//! | route | auth | success |
//! |---|---|---|
//! | `POST /signup` `{email}` | none | `202 {"status":"sent"}`, the same for new and known addresses |
//! | `POST /signup/authenticate` `{token}` | none | `200 {userId, sessionJwt, sessionToken, sessionExpiresAt}` |
//! | `POST /applications` | Stytch session | `201 {applicationId, status, customerId?}`; `200` if one exists |
//! | `GET /applications/current` | Stytch session | `200 {applicationId, status, customerId?}` |

pub mod routes;
pub mod validation;

use axum::{
    Router,
    routing::{get, post},
};
use stytch_unit_common::{http::router, startup::Dependencies};

/// Every (method, path) this function serves, for the infrastructure's route table.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/signup"),
    ("POST", "/signup/authenticate"),
    ("POST", "/applications"),
    ("GET", "/applications/current"),
    ("GET", "/health/signup"),
];

pub fn router(dependencies: Dependencies) -> Router {
    let api = dependencies.config.api.clone();
    let routes = Router::new()
        .route("/signup", post(routes::signup::send_magic_link))
        .route("/signup/authenticate", post(routes::signup::authenticate))
        .route("/applications", post(routes::applications::submit))
        .route("/applications/current", get(routes::applications::current))
        .merge(router::health_route("signup"))
        .with_state(dependencies);
    router::finish(routes, &api)
}
