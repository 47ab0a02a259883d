//! The `cards` function: a customer's debit cards, with the Unit customer token from
//! `POST /token` (`Authorization: Bearer <Unit customer token>`), passed through to Unit.
//!
//! - `GET /cards?limit=&offset=` → `{cards: [...], total}`
//! - `GET /cards/{cardId}` → card
//! - `POST /cards` (`Idempotency-Key` required) `{type?, shippingAddress?, design?, limits?, accountId?}` → `201` card
//! - `POST /cards/{cardId}/freeze` | `/unfreeze` | `/close` | `/report-lost` | `/report-stolen` → card
//! - `POST /cards/{cardId}/replace` (`Idempotency-Key` required) `{shippingAddress?}` → `201` the new card
//! - `GET /cards/{cardId}/limits` → limits and totals; `GET /cards/{cardId}/pin-status` → `{pinStatus}`
//!
//! A card is `{id, type, status, last4Digits, expirationDate, accountId, createdAt}`. Unit decides
//! what the token may see and do: another customer's card is 404, a missing scope 403. The
//! function has no org token (see [`CardsDependencies`]).

mod dependencies;
pub mod errors;
pub mod routes;
pub mod status_rules;
pub mod validation;

pub use dependencies::CardsDependencies;

use axum::{
    Router,
    routing::{get, post},
};
use stytch_unit_common::http::router;

/// Every (method, path) this function serves.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/cards"),
    ("POST", "/cards"),
    ("GET", "/cards/{cardId}"),
    ("POST", "/cards/{cardId}/freeze"),
    ("POST", "/cards/{cardId}/unfreeze"),
    ("POST", "/cards/{cardId}/close"),
    ("POST", "/cards/{cardId}/report-lost"),
    ("POST", "/cards/{cardId}/report-stolen"),
    ("POST", "/cards/{cardId}/replace"),
    ("GET", "/cards/{cardId}/limits"),
    ("GET", "/cards/{cardId}/pin-status"),
    ("GET", "/health/cards"),
];

/// Path parameters are named as in `ROUTES` and the OpenAPI: the matched template is the `Route` of
/// the request metrics (`stytch_unit_common::metrics`).
pub fn router(dependencies: CardsDependencies) -> Router {
    let routes = router::health_route("cards")
        .route("/cards", get(routes::list::list).post(routes::create::create))
        .route("/cards/{cardId}", get(routes::get::get))
        .route("/cards/{cardId}/freeze", post(routes::actions::freeze))
        .route("/cards/{cardId}/unfreeze", post(routes::actions::unfreeze))
        .route("/cards/{cardId}/close", post(routes::actions::close))
        .route("/cards/{cardId}/report-lost", post(routes::actions::report_lost))
        .route("/cards/{cardId}/report-stolen", post(routes::actions::report_stolen))
        .route("/cards/{cardId}/replace", post(routes::replace::replace))
        .route("/cards/{cardId}/limits", get(routes::details::limits))
        .route("/cards/{cardId}/pin-status", get(routes::details::pin_status))
        .with_state(dependencies.unit);
    router::finish(routes, &dependencies.api)
}
