//! The `signup` function: email magic-link sign-up and login, and the Unit account application.
//!
//! | route | auth | success |
//! |---|---|---|
//! | `POST /signup` `{email, codeChallenge?}` | none | `202 {"status":"sent"}`, the same for new and known addresses |
//! | `POST /signup/authenticate` `{token, codeVerifier?}` | none | `200 {userId, sessionJwt, sessionToken, sessionExpiresAt}` |
//! | `POST /applications` | Stytch session | `201 {applicationId, status, customerId?, code?, nextStep}`; `200` if a live one exists |
//! | `POST /application-forms` | Stytch session | `201 {applicationFormId, url, stage}`; `200` with the form already handed out |
//! | `GET /applications/current` | Stytch session | `200 {applicationId, status, customerId?, code?, nextStep, requiredDocuments?}` |
//! | `GET /applications/current/documents` | Stytch session | `200 {requiredDocuments}` |
//! | `PUT /applications/current/documents/{documentId}` | Stytch session | `200 {documentId, documentType, status}` |
//! | `POST /customers/link` | Stytch session | `202 {verificationToken}` (Unit texts the customer's phone); `200 {status}` if linked |
//! | `POST /customers/link/verify` `{verificationToken, verificationCode}` | Stytch session | `200 {"status":"linked"}` |

pub mod pkce;
pub mod routes;
pub mod validation;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post, put},
};
use stytch_unit_common::{http::router, startup::Dependencies};

/// Every (method, path) this function serves, for the infrastructure's route table.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/signup"),
    ("POST", "/signup/authenticate"),
    ("POST", "/applications"),
    ("POST", "/application-forms"),
    ("GET", "/applications/current"),
    ("GET", "/applications/current/documents"),
    ("PUT", "/applications/current/documents/{documentId}"),
    ("POST", "/customers/link"),
    ("POST", "/customers/link/verify"),
    ("GET", "/health/signup"),
];

pub fn router(dependencies: Dependencies) -> Router {
    let api = dependencies.config.api.clone();
    let routes = Router::new()
        .route("/signup", post(routes::signup::send_magic_link))
        .route("/signup/authenticate", post(routes::signup::authenticate))
        .route("/applications", post(routes::applications::submit))
        .route("/application-forms", post(routes::application_form::create))
        .route("/applications/current", get(routes::applications::current))
        .route("/applications/current/documents", get(routes::documents::list))
        .route(
            "/applications/current/documents/{document_id}",
            put(routes::documents::upload).layer(DefaultBodyLimit::max(routes::documents::MAX_DOCUMENT_BYTES)),
        )
        .route("/customers/link", post(routes::link::start))
        .route("/customers/link/verify", post(routes::link::verify))
        .merge(router::health_route("signup"))
        .with_state(dependencies);
    router::finish(routes, &api)
}
