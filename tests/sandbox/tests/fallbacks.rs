//! Routes and methods neither API serves are answered in that API's error shape, never with an
//! empty body: SDKs parse every error body as JSON (stytch-node `lib/shared/index.ts` reads the body of
//! any status >= 400; Unit's SDKs read `errors[]`, as Unit's `UnitErrorPayload` in its OpenAPI spec
//! `types.json` defines every error response).

mod helpers;

use helpers::{Harness, assert_stytch_error};
use reqwest::Method;
use serde_json::Value;

/// A request to the Unit port with the org token; status, content type and JSON body.
async fn unit(harness: &Harness, method: Method, path: &str) -> (u16, String, Value) {
    let response = harness
        .http
        .request(method, format!("{}{path}", harness.sandbox.unit_url))
        .bearer_auth(&harness.sandbox.unit_api_token)
        .send()
        .await
        .expect("the Unit port answers");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = response.json().await.expect("a JSON body");
    (status, content_type, body)
}

fn assert_unit_error(reply: &(u16, String, Value), status: u16, code: &str) {
    let (actual, content_type, body) = reply;
    assert_eq!(*actual, status, "{body}");
    assert_eq!(content_type, sandbox::unit::UNIT_CONTENT_TYPE);
    // Unit's `UnitError`: `status` is the HTTP status as a string.
    assert_eq!(body["errors"][0]["status"], status.to_string(), "{body}");
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    assert!(body["errors"][0]["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
}

#[tokio::test]
async fn unknown_unit_routes_and_methods_answer_unit_errors() {
    let harness = Harness::start().await;
    assert_unit_error(&unit(&harness, Method::GET, "/no-such-resource").await, 404, "not_found");
    assert_unit_error(&unit(&harness, Method::POST, "/payments").await, 404, "not_found");
    assert_unit_error(&unit(&harness, Method::DELETE, "/cards").await, 405, "method_not_allowed");
    assert_unit_error(&unit(&harness, Method::PUT, "/customers/200001").await, 405, "method_not_allowed");
    // A served route still answers as before.
    let (status, _, body) = unit(&harness, Method::GET, "/applications").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn unknown_stytch_routes_and_methods_answer_stytch_errors() {
    let harness = Harness::start().await;
    let (status, body) = harness.get("/v1/no_such_route").await;
    assert_stytch_error(status, &body, 404, "not_found");
    let (status, body) = harness.get("/v1/magic_links/authenticate").await;
    assert_stytch_error(status, &body, 405, "method_not_allowed");
    let (status, body) = harness.stytch(Method::DELETE, "/v1/sessions/jwks/whatever", None).await;
    assert_stytch_error(status, &body, 405, "method_not_allowed");
}
