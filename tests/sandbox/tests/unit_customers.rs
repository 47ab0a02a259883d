//! Unit side: reading and patching individual customers, including `jwtSubject`.

mod unit_support;

use reqwest::StatusCode;
use serde_json::json;
use unit_support::{ORG_TOKEN, start};

fn patch_body(attributes: serde_json::Value) -> serde_json::Value {
    json!({ "data": { "type": "individualCustomer", "attributes": attributes } })
}

#[tokio::test]
async fn patching_jwt_subject_sets_and_clears_it() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-old").await;
    let path = format!("/customers/{}", ada.customer_id);

    let patched = unit
        .patch(&path, ORG_TOKEN, patch_body(json!({ "jwtSubject": "user-test-new", "email": "ada@new.example" })))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:#}", patched.body);
    assert_eq!(patched.body["data"]["attributes"]["jwtSubject"], "user-test-new");
    assert_eq!(patched.body["data"]["attributes"]["email"], "ada@new.example");

    let fetched = unit.get(&path, ORG_TOKEN).await;
    assert_eq!(fetched.body["data"]["attributes"]["jwtSubject"], "user-test-new");
    // Untouched attributes stay as they were.
    assert_eq!(fetched.body["data"]["attributes"]["fullName"]["first"], "Ada");

    let cleared = unit.patch(&path, ORG_TOKEN, patch_body(json!({ "jwtSubject": null }))).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert!(cleared.body["data"]["attributes"].get("jwtSubject").is_none());
}

#[tokio::test]
async fn tags_are_merged_and_null_removes_a_key() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let path = format!("/customers/{}", ada.customer_id);
    unit.patch(&path, ORG_TOKEN, patch_body(json!({ "tags": { "plan": "gold", "ref": "x" } }))).await;
    let patched = unit.patch(&path, ORG_TOKEN, patch_body(json!({ "tags": { "ref": null, "team": "blue" } }))).await;
    assert_eq!(patched.body["data"]["attributes"]["tags"], json!({ "plan": "gold", "team": "blue" }));
}

#[tokio::test]
async fn invalid_patches_are_refused_and_change_nothing() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let path = format!("/customers/{}", ada.customer_id);
    let reply = unit
        .patch(
            &path,
            ORG_TOKEN,
            patch_body(json!({ "jwtSubject": "user-test-x", "fullName": { "first": "Eve", "last": "X" } })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.pointers(), ["/data/attributes/fullName"]);
    let fetched = unit.get(&path, ORG_TOKEN).await;
    assert_eq!(fetched.body["data"]["attributes"]["jwtSubject"], "user-test-ada");

    let wrong_type =
        unit.patch(&path, ORG_TOKEN, json!({ "data": { "type": "businessCustomer", "attributes": {} } })).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_type.pointers(), ["/data/type"]);
}

#[tokio::test]
async fn a_customer_token_sees_only_its_own_customer() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let bob = unit.approved_customer("user-test-bob").await;
    let ada_token = unit.customer_token(&ada, "customers").await;

    let own = unit.get(&format!("/customers/{}", ada.customer_id), &ada_token).await;
    assert_eq!(own.status, StatusCode::OK);

    let other = unit.get(&format!("/customers/{}", bob.customer_id), &ada_token).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.error_code(), "customer_not_found");

    // Reading does not grant writing.
    let write = unit
        .patch(
            &format!("/customers/{}", ada.customer_id),
            &ada_token,
            patch_body(json!({ "jwtSubject": "user-test-hijack" })),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);

    let unknown = unit.get("/customers/123", ORG_TOKEN).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let not_an_id = unit.get("/customers/abc", ORG_TOKEN).await;
    assert_eq!(not_an_id.status, StatusCode::NOT_FOUND);
}
