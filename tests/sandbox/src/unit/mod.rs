//! The Unit (unit.co) side of the sandbox: the part of Unit's JSON:API that the bundle uses, kept in
//! memory and behaving as Unit documents it. What is emulated, and every choice made where Unit's
//! references are silent, is written down in `tests/sandbox/UNIT.md`.
//!
//! One file per job:
//! - `state.rs`: the in-memory store and its records; `ids.rs`: numeric string ids.
//! - `jsonapi.rs`: the response envelope and Unit's `{"errors":[…]}` shape; `body.rs`: request bodies.
//! - `auth.rs`: org and customer bearer tokens, scopes; `pagination.rs`: `page[…]` and list `meta`.
//! - `fields.rs`: attribute validators shared by several resources (address, phone, tags, …).
//! - `decision.rs`: the SSN decision table for applications; `documents.rs`: the documents it asks for.
//! - `application_forms.rs`: the white-label application form, and the control that submits one.
//! - `hosted_form.rs`: the form's HTML page at its `url`, which redirects to `redirectUrl` once submitted.
//! - `applications.rs`, `customers.rs`, `tokens.rs`, `accounts.rs`, `cards.rs`: one resource each;
//!   `customer_list.rs`: `GET /customers` and its filters; `direct_customers.rs`: the control that
//!   creates a customer without an application; `card_status.rs` (freeze, lost, activate, …) and
//!   `card_extras.rs` (replace, limits, PIN status).
//! - `jwt.rs`: verifying an external IdP JWT (`jwtToken`) against a JWKS, as Unit does.
//! - `org_settings.rs`: org settings that change decisions (duplicate applications).
//! - `controls.rs`: the Unit-only test controls (revoking the org token, org settings).
//! - `webhooks.rs`: events, `GET /events`, and signed webhook delivery with its test controls.

mod accounts;
mod application_forms;
mod applications;
mod auth;
mod body;
mod card_extras;
mod card_status;
mod cards;
pub mod controls;
mod customer_list;
mod customers;
mod decision;
mod direct_customers;
mod documents;
mod fields;
mod hosted_form;
mod ids;
mod jsonapi;
mod jwt;
mod org_settings;
mod pagination;
mod state;
mod tokens;
pub mod webhooks;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post, put};

pub use jsonapi::UNIT_CONTENT_TYPE;
pub use org_settings::OrgSettings;

/// What the Unit side needs from the outside.
#[derive(Clone)]
pub struct UnitConfig {
    /// The org API token that the Unit side accepts as `Authorization: Bearer …`; it holds every scope.
    pub api_token: String,
    /// Where the Unit side fetches the JWKS that verifies `jwtToken` customer-token requests.
    pub jwks_url: String,
    /// The org settings the sandbox starts with, and returns to on reset.
    pub org_settings: OrgSettings,
}

// Hand-written so that the org token never reaches a log line through `{:?}`.
impl fmt::Debug for UnitConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitConfig")
            .field("api_token", &"<redacted>")
            .field("jwks_url", &self.jwks_url)
            .field("org_settings", &self.org_settings)
            .finish()
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
        let store = state::Store::with_settings(config.org_settings);
        Self { config: Arc::new(config), store: Arc::new(Mutex::new(store)), jwks }
    }

    /// Forget every application, customer, account, card, token and cached JWKS key; ids restart and
    /// the org settings return to the configured ones.
    pub fn reset(&self) {
        *self.store() = state::Store::with_settings(self.config.org_settings);
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

/// The Unit API routes. No fallback is set here so that `lib.rs` can merge this router with others
/// first; [`with_fallbacks`] then answers unknown routes and methods in Unit's error shape.
pub fn router(state: UnitState) -> Router {
    Router::new()
        .route("/applications", post(applications::create).get(applications::list))
        .route("/applications/{id}", get(applications::get_one))
        .route("/applications/{id}/cancel", post(applications::cancel))
        .route("/applications/{id}/documents", get(documents::list))
        .route(
            "/applications/{id}/documents/{document_id}/multipart",
            put(documents::upload_front).layer(documents::body_limit()),
        )
        .route(
            "/applications/{id}/documents/{document_id}/back/multipart",
            put(documents::upload_back).layer(documents::body_limit()),
        )
        .route("/application-forms", post(application_forms::create))
        .route("/application-forms/{id}", get(application_forms::get_one))
        .route("/sandbox/applications/{id}/approve", post(applications::sandbox_approve))
        .route("/sandbox/applications/{id}/deny", post(applications::sandbox_deny))
        .route("/customers", get(customer_list::list))
        .route("/customers/{id}", get(customers::get_one).patch(customers::patch))
        .route("/customers/{id}/token", post(tokens::create_token))
        .route("/customers/{id}/token/verification", post(tokens::create_verification))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/{id}", get(accounts::get_one))
        .route("/accounts/{id}/limits", get(accounts::limits))
        .route("/cards", get(cards::list).post(cards::create))
        .route("/cards/{id}", get(cards::get_one).patch(cards::patch))
        .route("/cards/{id}/freeze", post(card_status::freeze))
        .route("/cards/{id}/unfreeze", post(card_status::unfreeze))
        .route("/cards/{id}/close", post(card_status::close))
        .route("/cards/{id}/report-lost", post(card_status::report_lost))
        .route("/cards/{id}/report-stolen", post(card_status::report_stolen))
        .route("/cards/{id}/replace", post(card_extras::replace))
        .route("/cards/{id}/limits", get(card_extras::limits))
        .route("/cards/{id}/secure-data/pin/status", get(card_extras::pin_status))
        .route("/sandbox/cards/{id}/activate", post(card_status::sandbox_activate))
        .route("/events", get(webhooks::list))
        .route("/events/{id}", post(webhooks::fire))
        .with_state(state)
}

/// `app` with unknown routes answered 404 and known routes called with another method 405, both in
/// Unit's `{"errors": […]}` shape, so that a client reads a Unit error rather than an empty body.
/// Call it after every API route is added: the 405 handler applies to the routes present.
pub fn with_fallbacks(app: Router) -> Router {
    app.fallback(jsonapi::fallback).method_not_allowed_fallback(jsonapi::method_not_allowed)
}
