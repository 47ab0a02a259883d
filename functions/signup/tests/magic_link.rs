//! `POST /signup` and `POST /signup/authenticate` through the real router, against the sandbox.

mod common;

use common::{Side, code, field_errors};
use http::{StatusCode, header};
use serde_json::json;
use stytch_unit_common::http::router::MAX_BODY_BYTES;

#[tokio::test]
async fn every_listed_route_is_routed() {
    let api = common::start(&[]).await;
    api.assert_routes_served(signup::ROUTES).await;
    assert_eq!(code(&api.get("/signup", None).await), "method_not_allowed");
    assert_eq!(api.get("/health/signup", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn signup_answers_the_same_for_a_new_and_a_known_address() {
    let api = common::start(&[]).await;
    let email = "grace@example.com";

    let first = api.post("/signup", None, json!({ "email": email })).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!(first.body, json!({ "status": "sent" }));
    let link = api.stack.outbox_latest(&api.stack.sandbox.stytch_url, email).await;
    assert!(link["token"].as_str().is_some_and(|t| !t.is_empty()));

    // The user now exists: the answer does not change.
    let second = api.post("/signup", None, json!({ "email": email, "extra": "ignored" })).await;
    assert_eq!((second.status, &second.text), (first.status, &first.text));
    let again = api.stack.outbox_latest(&api.stack.sandbox.stytch_url, email).await;
    assert_ne!(again["token"], link["token"], "a new link was sent");
}

#[tokio::test]
async fn bad_bodies_are_refused_before_stytch_is_called() {
    let api = common::start(&[]).await;
    // Stytch would fail the next call: a 400 below proves no call was made.
    api.fault(Side::Stytch, json!({ "path": "/v1/magic_links", "status": 500 })).await;

    let answer = api.post("/signup", None, json!({ "email": "not-an-email" })).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(field_errors(&answer), [("email".to_owned(), "must be an email address".to_owned())]);
    assert!(!answer.text.contains("not-an-email"));

    let answer = api.post("/signup", None, json!({})).await;
    assert_eq!(field_errors(&answer), [("email".to_owned(), "is required".to_owned())]);

    let answer = api.post("/signup", None, json!({ "email": 42 })).await;
    assert_eq!(field_errors(&answer)[0].0, "email");

    let request = http::Request::post("/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from("{\"email\":"))
        .unwrap();
    let answer = api.send(request).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_REQUEST, "invalid_body"));
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/problem+json");

    let request = http::Request::post("/signup").body(axum::body::Body::from("email=a@b.co")).unwrap();
    assert_eq!(api.send(request).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = json!({ "email": "a".repeat(MAX_BODY_BYTES) });
    assert_eq!(api.post("/signup", None, huge).await.status, StatusCode::PAYLOAD_TOO_LARGE);

    let answer = api.post("/signup/authenticate", None, json!({ "token": "" })).await;
    assert_eq!(field_errors(&answer)[0].0, "token");

    assert_eq!(api.armed_faults(Side::Stytch).await.len(), 1, "the fault is still armed: Stytch was never called");
}

#[tokio::test]
async fn a_magic_link_becomes_a_session_whose_jwt_verifies() {
    let api = common::start(&[]).await;
    let email = "katherine@example.com";
    assert_eq!(api.post("/signup", None, json!({ "email": email })).await.status, StatusCode::ACCEPTED);
    let token =
        api.stack.outbox_latest(&api.stack.sandbox.stytch_url, email).await["token"].as_str().unwrap().to_owned();

    let answer = api.post("/signup/authenticate", None, json!({ "token": token })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    let user_id = answer.body["userId"].as_str().unwrap();
    assert!(user_id.starts_with("user-test-"));
    assert!(answer.body["sessionToken"].as_str().is_some_and(|t| !t.is_empty()));
    let expires_at = answer.body["sessionExpiresAt"].as_str().unwrap();
    let expires_at = time::OffsetDateTime::parse(expires_at, &time::format_description::well_known::Rfc3339).unwrap();
    let minutes = (expires_at - time::OffsetDateTime::now_utc()).whole_minutes();
    assert!((55..=60).contains(&minutes), "the configured 60-minute session, got {minutes}");

    let jwt = answer.body["sessionJwt"].as_str().unwrap();
    let session = api.dependencies.verifier.verify(jwt).await.unwrap();
    assert_eq!(session.user_id, user_id);
    assert_eq!(session.factors.len(), 1, "one factor: the magic link");

    // Single use.
    let again = api.post("/signup/authenticate", None, json!({ "token": token })).await;
    assert_eq!((again.status, code(&again)), (StatusCode::UNAUTHORIZED, "invalid_magic_link"));
    let unknown = api
        .post("/signup/authenticate", None, json!({ "token": "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=" }))
        .await;
    assert_eq!((unknown.status, code(&unknown)), (StatusCode::UNAUTHORIZED, "invalid_magic_link"));
}

#[tokio::test]
async fn stytch_rate_limits_and_outages_are_passed_on() {
    let api = common::start(&[("UPSTREAM_TIMEOUT_MS", "300")]).await;
    let body = json!({ "email": "hedy@example.com" });

    api.fault(Side::Stytch, json!({ "path": "/v1/magic_links", "status": 429 })).await;
    let answer = api.post("/signup", None, body.clone()).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(answer.headers.contains_key(header::RETRY_AFTER));

    api.fault(Side::Stytch, json!({ "path": "/v1/magic_links", "status": 503 })).await;
    let answer = api.post("/signup", None, body.clone()).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_GATEWAY, "upstream_error"));

    api.fault(Side::Stytch, json!({ "path": "/v1/magic_links", "delay_ms": 2000 })).await;
    let answer = api.post("/signup", None, body.clone()).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"));

    api.fault(Side::Stytch, json!({ "path": "/v1/magic_links", "drop": true, "count": 3 })).await;
    let answer = api
        .post("/signup/authenticate", None, json!({ "token": "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=" }))
        .await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_GATEWAY, "upstream_error"));
}
