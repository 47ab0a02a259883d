//! The `step-up` function: the caller's Stytch session and its factors. It adds a second factor
//! (an SMS code to the phone on the user's Unit KYC record, the trusted authenticator app, or one
//! of its recovery codes) to the caller's session, so that session passes the step-up rule
//! (`stytch_unit_common::step_up`) for sensitive scopes; it keeps the session alive past its
//! 5-minute JWTs, ends it, and tells a frontend where it stands. It holds the Stytch secret (the
//! factors and sessions) and the Unit one (the KYC phone, the application's status).
//!
//! Every route needs `Authorization: Bearer <Stytch session JWT>`, except `POST /session/refresh`
//! (the session token in the body is its credential) and `POST /session/logout` (either).
//!
//! | route | success |
//! |---|---|
//! | `POST /step-up/sms/send` (no body) | `202 {phoneId, phoneNumber}` (masked) |
//! | `POST /step-up/sms/authenticate` `{code}` | `200 {sessionJwt, sessionToken?, sessionExpiresAt}` |
//! | `POST /step-up/totp` (stepped-up session) | `201 {totpId, secret, otpauthUri, qrCode, recoveryCodes}` |
//! | `POST /step-up/totp/authenticate` `{code}` | `200 {sessionJwt, sessionToken?, sessionExpiresAt}` |
//! | `POST /step-up/recover` `{recoveryCode}` | `200 {sessionJwt, sessionToken?, sessionExpiresAt}` |
//! | `GET /step-up/factors` (stepped-up) | `200 {phones, totps}` |
//! | `DELETE /step-up/factors/phones/{phoneId}` (stepped-up) | `204` |
//! | `POST /step-up/totp/replace` (stepped-up) | `201 {totpId, secret, otpauthUri, qrCode, recoveryCodes}` |
//! | `GET /step-up/totp/recovery-codes` (stepped-up) | `200 {totpId, recoveryCodes}` |
//! | `POST /session/refresh` `{sessionToken, sessionDurationMinutes?}` (no bearer) | `200 {sessionJwt, sessionToken, sessionExpiresAt}` |
//! | `POST /session/logout` (bearer, or `{sessionToken}`) | `204` |
//! | `GET /me` | `200 {userId, emails, phones, factors, stepUp, boundFactors, onboarding}` |

pub mod masking;
pub mod otpauth;
pub mod routes;
pub mod validation;

use axum::{
    Router,
    routing::{delete, get, post},
};
use stytch_unit_common::{http::router, startup::Dependencies};

/// Every (method, path) this function serves, for the infrastructure's route table.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/step-up/totp"),
    ("POST", "/step-up/totp/authenticate"),
    ("POST", "/step-up/sms/send"),
    ("POST", "/step-up/sms/authenticate"),
    ("POST", "/step-up/recover"),
    ("GET", "/step-up/factors"),
    ("DELETE", "/step-up/factors/phones/{phoneId}"),
    ("POST", "/step-up/totp/replace"),
    ("GET", "/step-up/totp/recovery-codes"),
    ("POST", "/session/refresh"),
    ("POST", "/session/logout"),
    ("GET", "/me"),
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
        .route("/step-up/factors", get(routes::factors::list))
        .route("/step-up/factors/phones/{phone_id}", delete(routes::factors::remove_phone))
        .route("/step-up/totp/replace", post(routes::factors::replace_totp))
        .route("/step-up/totp/recovery-codes", get(routes::factors::recovery_codes))
        .route("/session/refresh", post(routes::session::refresh))
        .route("/session/logout", post(routes::session::logout))
        .route("/me", get(routes::me::me))
        .merge(router::health_route("step-up"))
        .with_state(dependencies);
    router::finish(routes, &api)
}
