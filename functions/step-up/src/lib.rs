//! The `step-up` function: adds a second factor (an SMS code to the phone on the user's Unit KYC
//! record, the trusted authenticator app, or one of its recovery codes) to the caller's Stytch
//! session, so that session passes the step-up rule (`stytch_unit_common::step_up`) for sensitive
//! scopes. Every route needs `Authorization: Bearer <Stytch session JWT>`.
//!
//! | route | success |
//! |---|---|
//! | `POST /step-up/sms/send` (no body) | `202 {phoneId, phoneNumber}` (masked) |
//! | `POST /step-up/sms/authenticate` `{code}` | `200 {sessionJwt, sessionToken?, sessionExpiresAt}` |
//! | `POST /step-up/totp` (stepped-up session) | `201 {totpId, secret, otpauthUri, qrCode, recoveryCodes}` |
//! | `POST /step-up/totp/authenticate` `{code}` | `200 {sessionJwt, sessionToken?, sessionExpiresAt}` |
//! | `POST /step-up/recover` `{recoveryCode}` | `200 {sessionJwt, sessionToken?, sessionExpiresAt}` |

pub mod otpauth;
pub mod routes;
pub mod validation;

use axum::{Router, routing::post};
use stytch_unit_common::{http::router, startup::Dependencies};

/// Every (method, path) this function serves, for the infrastructure's route table.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/step-up/totp"),
    ("POST", "/step-up/totp/authenticate"),
    ("POST", "/step-up/sms/send"),
    ("POST", "/step-up/sms/authenticate"),
    ("POST", "/step-up/recover"),
    ("GET", "/health/step-up"),
];

pub fn router(dependencies: Dependencies) -> Router {
    let api = dependencies.config.api.clone();
    let routes = Router::new()
        .route("/step-up/totp", post(routes::totp::enrol))
        .route("/step-up/totp/authenticate", post(routes::totp::authenticate))
        .route("/step-up/sms/send", post(routes::sms::send))
        .route("/step-up/sms/authenticate", post(routes::sms::authenticate))
        .route("/step-up/recover", post(routes::totp::recover))
        .merge(router::health_route("step-up"))
        .with_state(dependencies);
    router::finish(routes, &api)
}
