//! The `webhooks` function: Unit's webhook deliveries. Unit decides applications asynchronously
//! and says so with events; each event is a trigger to re-read the application (or customer) from
//! Unit and record it for the Stytch user its `jwtSubject` names, never a fact taken from the body.
//!
//! | route | auth | success |
//! |---|---|---|
//! | `POST /webhooks/unit` | `X-Unit-Signature`: HMAC-SHA1 of the body with the webhook token, base64 | `200 {"status":"processed"}` once every event is recorded |

pub mod payload;
pub mod receive;
pub mod signature;
mod sync;

use axum::{Router, extract::DefaultBodyLimit, routing::post};
use stytch_unit_common::{dependencies::WebhookDependencies, http::router};

/// Every (method, path) this function serves, for the infrastructure's route table.
pub const ROUTES: &[(&str, &str)] = &[("POST", "/webhooks/unit"), ("GET", "/health/webhooks")];

/// A batched delivery holds many events of a few hundred bytes each; larger bodies are refused
/// (413) before the signature is even computed.
pub const MAX_WEBHOOK_BODY_BYTES: usize = 256 * 1024;

pub fn router(dependencies: WebhookDependencies) -> Router {
    let api = dependencies.config.api.clone();
    let routes = Router::new()
        .route("/webhooks/unit", post(receive::unit).layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY_BYTES)))
        .merge(router::health_route("webhooks"))
        .with_state(dependencies);
    router::finish(routes, &api)
}
