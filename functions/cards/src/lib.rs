//! The `cards` function: a customer's debit cards, with the Unit customer token from
//! `POST /token` (`Authorization: Bearer <Unit customer token>`), passed through to Unit.
//!
//! - `GET /cards?limit=&offset=` → `{cards: [...], total}`
//! - `GET /cards/{cardId}` → card
//! - `POST /cards` (`Idempotency-Key` required) `{shippingAddress?, accountId?}` → `201` card
//! - `POST /cards/{cardId}/freeze` | `/unfreeze` | `/close` → card
//!
//! A card is `{id, status, last4Digits, expirationDate, accountId, createdAt}`. Unit decides what
//! the token may see and do: another customer's card is 404, a missing scope 403. The function
//! has no org token (see [`CardsDependencies`]).

mod dependencies;
pub mod errors;
pub mod routes;
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
    ("GET", "/health/cards"),
];

pub fn router(dependencies: CardsDependencies) -> Router {
    let routes = router::health_route("cards")
        .route("/cards", get(routes::list::list).post(routes::create::create))
        .route("/cards/{card_id}", get(routes::get::get))
        .route("/cards/{card_id}/freeze", post(routes::actions::freeze))
        .route("/cards/{card_id}/unfreeze", post(routes::actions::unfreeze))
        .route("/cards/{card_id}/close", post(routes::actions::close))
        .with_state(dependencies.unit);
    router::finish(routes, &dependencies.api)
}
