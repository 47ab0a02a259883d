//! The webhooks router in-process against the local stack (test_support::functions), and signed
//! deliveries: the signature is computed here on its own (HMAC-SHA1 of the body, base64), not with
//! the function's code.

#![allow(dead_code)]

use aws_lc_rs::hmac;
use axum::body::Body;
use base64::{Engine, engine::general_purpose::STANDARD};
use http::{Method, Request};
use serde_json::{Value, json};
use stytch_unit_common::dependencies::WebhookDependencies;
pub use test_support::functions::{Answer, Side};

pub type Api = test_support::functions::FunctionApi<WebhookDependencies>;

pub async fn start(extra_env: &[(&str, &str)]) -> Api {
    Api::start(webhooks::router, extra_env).await
}

pub fn sign(token: &str, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, token.as_bytes());
    STANDARD.encode(hmac::sign(&key, body).as_ref())
}

/// The token the local stack's Unit secret holds as `webhook_secret`.
pub fn token(api: &Api) -> String {
    api.stack.sandbox.unit_webhook_secret.clone()
}

/// `POST /webhooks/unit` with this raw body and `X-Unit-Signature` when given.
pub async fn deliver_raw(api: &Api, body: &[u8], signature: Option<&str>) -> Answer {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/webhooks/unit")
        .header("content-type", "application/vnd.api+json");
    if let Some(signature) = signature {
        request = request.header("x-unit-signature", signature);
    }
    api.send(request.body(Body::from(body.to_vec())).expect("a valid request")).await
}

/// A batch of `events`, signed with the stack's webhook token.
pub async fn deliver(api: &Api, events: &[Value]) -> Answer {
    let body = json!({ "data": events }).to_string();
    deliver_raw(api, body.as_bytes(), Some(&sign(&token(api), body.as_bytes()))).await
}

/// Every event the sandbox's Unit recorded (`GET /events`), oldest first.
pub async fn unit_events(api: &Api) -> Vec<Value> {
    api.stack.unit_org(Method::GET, "/events").await["data"].as_array().expect("a list").clone()
}

/// The recorded events about `application_id`, oldest first.
pub async fn events_of(api: &Api, application_id: &str) -> Vec<Value> {
    unit_events(api)
        .await
        .into_iter()
        .filter(|event| event["relationships"]["application"]["data"]["id"] == application_id)
        .collect()
}

/// The event of `kind` about `application_id`.
pub async fn event(api: &Api, application_id: &str, kind: &str) -> Value {
    events_of(api, application_id)
        .await
        .into_iter()
        .find(|event| event["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} event for application {application_id}"))
}

/// The Stytch user's trusted metadata.
pub async fn metadata(api: &Api, user_id: &str) -> Value {
    api.stack.stytch_user(user_id).await["trusted_metadata"].clone()
}
