//! The Unit (unit.co) side of the sandbox: the part of Unit's JSON:API that the bundle uses, kept in
//! memory and behaving as Unit documents it. What is emulated, and every choice made where Unit's
//! references are silent, is written down in `tests/sandbox/UNIT.md`.
//!
//! One file per job:
//! - `state.rs`: the in-memory store and its records; `ids.rs`: numeric string ids.
//! - `jsonapi.rs`: the response envelope and Unit's `{"errors":[…]}` shape; `body.rs`: request bodies.
//! - `auth.rs`: org and customer bearer tokens, scopes; `pagination.rs`: `page[…]` and list `meta`.
//! - `fields.rs`: attribute validators shared by several resources (address, phone, tags, …).
//! - `decision.rs`: the SSN decision table for applications.
//! - `applications.rs`, `customers.rs`, `tokens.rs`, `accounts.rs`, `cards.rs`: one resource each.
//! - `jwt.rs`: verifying an external IdP JWT (`jwtToken`) against a JWKS, as Unit does.
//! - `controls.rs`: the Unit-only test control (revoking the org token).
//! - `webhooks.rs`: events, `GET /events`, and signed webhook delivery with its test controls.

mod accounts;
mod applications;
mod auth;
mod body;
mod cards;
pub mod controls;
mod customers;
mod decision;
mod fields;
mod ids;
mod jsonapi;
mod jwt;
mod pagination;
mod state;
mod tokens;
pub mod webhooks;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post};

pub use jsonapi::{UNIT_CONTENT_TYPE, fallback, method_not_allowed};

/// What the Unit side needs from the outside.
#[derive(Clone)]
pub struct UnitConfig {
    /// The org API token that the Unit side accepts as `Authorization: Bearer …`; it holds every scope.
    pub api_token: String,
    /// Where the Unit side fetches the JWKS that verifies `jwtToken` customer-token requests.
    pub jwks_url: String,
}

// Hand-written so that the org token never reaches a log line through `{:?}`.
impl fmt::Debug for UnitConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitConfig").field("api_token", &"<redacted>").field("jwks_url", &self.jwks_url).finish()
    }
}

/// All Unit-side state; cheap to clone (every clone shares the same store).
#[derive(Clone)]
pub struct UnitState {
    config: Arc<UnitConfig>,
    store: Arc<Mutex<state::Store>>,
    jwks: jwt::JwksCache,
}

impl fmt::Debug for UnitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitState").field("config", &self.config).finish_non_exhaustive()
    }
}

impl UnitState {
    pub fn new(config: UnitConfig) -> Self {
        let jwks = jwt::JwksCache::new(config.jwks_url.clone());
        Self { config: Arc::new(config), store: Arc::new(Mutex::new(state::Store::default())), jwks }
    }

    /// Forget every application, customer, account, card, token and cached JWKS key; ids restart.
    pub fn reset(&self) {
        *self.store() = state::Store::default();
        self.jwks.clear();
    }

    /// The store, locked. A panic while holding the lock cannot leave a record half-written in a way
    /// that matters to a sandbox, so a poisoned lock is simply taken over rather than propagated.
    pub(crate) fn store(&self) -> MutexGuard<'_, state::Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn config(&self) -> &UnitConfig {
        &self.config
    }

    pub(crate) fn jwks(&self) -> &jwt::JwksCache {
        &self.jwks
    }
}

/// The Unit API routes. No fallback is set here so that `lib.rs` can merge this router with others;
/// it may use [`fallback`] and [`method_not_allowed`] to answer unknown routes in Unit's error shape.
pub fn router(state: UnitState) -> Router {
    Router::new()
        .route("/applications", post(applications::create).get(applications::list))
        .route("/applications/{id}", get(applications::get_one))
        .route("/sandbox/applications/{id}/approve", post(applications::sandbox_approve))
        .route("/sandbox/applications/{id}/deny", post(applications::sandbox_deny))
        .route("/customers/{id}", get(customers::get_one).patch(customers::patch))
        .route("/customers/{id}/token", post(tokens::create_token))
        .route("/customers/{id}/token/verification", post(tokens::create_verification))
        .route("/accounts", get(accounts::list))
        .route("/accounts/{id}", get(accounts::get_one))
        .route("/cards", get(cards::list).post(cards::create))
        .route("/cards/{id}", get(cards::get_one))
        .route("/cards/{id}/freeze", post(cards::freeze))
        .route("/cards/{id}/unfreeze", post(cards::unfreeze))
        .route("/cards/{id}/close", post(cards::close))
        .route("/events", get(webhooks::list))
        .route("/events/{id}", post(webhooks::fire))
        .with_state(state)
}
