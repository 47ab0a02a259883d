//! Users: fetch, and metadata merged at the top level with `null` deletes and Stytch's limits.

mod helpers;

use helpers::{Harness, assert_stytch_error};
use serde_json::{Map, Value, json};

#[tokio::test]
async fn metadata_merges_deletes_and_enforces_limits() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;
    let path = format!("/v1/users/{}", login.user_id);
    let put = |body: Value| harness.stytch(reqwest::Method::PUT, &path, Some(body));

    let (status, body) = put(json!({ "trusted_metadata": { "unit_customer_id": "42", "tier": { "a": 1 } } })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], login.user_id);
    let (status, body) = put(json!({ "trusted_metadata": { "tier": { "b": 2 }, "unit_customer_id": null, "x": true }, "untrusted_metadata": { "theme": "dark" } })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["trusted_metadata"], json!({ "tier": { "b": 2 }, "x": true }));

    let (status, user) = harness.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(user["status_code"], 200);
    assert_eq!(user["trusted_metadata"], json!({ "tier": { "b": 2 }, "x": true }));
    assert_eq!(user["untrusted_metadata"], json!({ "theme": "dark" }));
    assert_eq!(user["emails"][0]["email"], "ada@example.com");
    assert_eq!(user["status"], "active");

    let many: Map<String, Value> = (0..19).map(|i| (format!("k{i}"), json!(i))).collect();
    let (status, body) = put(json!({ "trusted_metadata": many })).await;
    assert_stytch_error(status, &body, 400, "metadata_too_many_keys");
    let (status, body) = put(json!({ "untrusted_metadata": { "blob": "x".repeat(4096) } })).await;
    assert_stytch_error(status, &body, 400, "metadata_too_large");
    let (_, user) = harness.get(&path).await;
    assert_eq!(user["trusted_metadata"], json!({ "tier": { "b": 2 }, "x": true }), "a refused update changes nothing");

    let (status, body) = put(json!({ "trusted_metadata": "not an object" })).await;
    assert_stytch_error(status, &body, 400, "invalid_argument");
}

#[tokio::test]
async fn unknown_users_are_not_found() {
    let harness = Harness::start().await;
    let (status, body) = harness.get("/v1/users/user-test-00000000-0000-0000-0000-000000000000").await;
    assert_stytch_error(status, &body, 404, "user_not_found");
    let (status, body) = harness
        .stytch(reqwest::Method::PUT, "/v1/users/user-test-nope", Some(json!({ "untrusted_metadata": {} })))
        .await;
    assert_stytch_error(status, &body, 404, "user_not_found");
}
