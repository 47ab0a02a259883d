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
    // stytch-node `UsersUpdateRequest.external_id`: alphanumerics, `.`, `_`, `-`, `|`, at most 128.
    let (status, body) = put(json!({ "external_id": "crm 42" })).await;
    assert_stytch_error(status, &body, 400, "invalid_external_id");
    let (status, body) = put(json!({ "external_id": "crm|42" })).await;
    assert_eq!((status, &body["user"]["external_id"]), (200, &json!("crm|42")), "{body}");
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

// stytch-node `lib/b2c/users.ts`: `UsersCreateRequest` (email or phone_number required, name, metadata,
// external_id, create_user_as_pending) and `UsersCreateResponse {user_id, email_id, phone_id, status,
// user}`; stytch-ruby's integration test expects `status_code` 201.
#[tokio::test]
async fn users_are_created_searched_and_deleted() {
    let harness = Harness::start().await;
    let (status, created) = harness
        .post(
            "/v1/users",
            json!({
                "email": "ada@example.com",
                "phone_number": "+15555550100",
                "name": { "first_name": "Ada", "last_name": "Lovelace" },
                "trusted_metadata": { "plan": "gold" },
                "external_id": "crm|42",
                "create_user_as_pending": true,
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status_code"], 201);
    assert_eq!(created["status"], "pending");
    let ada = created["user_id"].as_str().unwrap().to_owned();
    assert_eq!(created["user"]["user_id"], ada.as_str());
    assert_eq!(created["user"]["emails"][0]["email_id"], created["email_id"]);
    assert_eq!(created["user"]["phone_numbers"][0]["phone_id"], created["phone_id"]);
    assert_eq!(created["user"]["trusted_metadata"], json!({ "plan": "gold" }));
    assert!(harness.outbox("ada@example.com").await.is_empty(), "creating a user sends nothing");

    let (status, only_phone) = harness.post("/v1/users", json!({ "phone_number": "+15555550101" })).await;
    assert_eq!(status, 201, "{only_phone}");
    assert_eq!(only_phone["email_id"], "");
    assert_eq!(only_phone["status"], "active");

    let (status, body) = harness.post("/v1/users", json!({ "name": { "first_name": "Nobody" } })).await;
    assert_stytch_error(status, &body, 400, "invalid_argument");
    let (status, body) = harness.post("/v1/users", json!({ "email": "ADA@example.com" })).await;
    assert_stytch_error(status, &body, 400, "duplicate_email");
    let (status, body) = harness.post("/v1/users", json!({ "phone_number": "+15555550100" })).await;
    assert_stytch_error(status, &body, 400, "duplicate_phone_number");
    let (status, body) = harness.post("/v1/users", json!({ "email": "x@example.com", "external_id": "a b" })).await;
    assert_stytch_error(status, &body, 400, "invalid_external_id");

    // Search: `UsersSearchRequest {limit, query: {operator, operands}, cursor}` →
    // `{results, results_metadata: {total, next_cursor}}`.
    let search = |body: Value| harness.post("/v1/users/search", body);
    let by_email = json!({ "query": { "operator": "AND", "operands": [
        { "filter_name": "email_address", "filter_value": ["Ada@Example.com"] },
    ] } });
    let (status, found) = search(by_email).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["results"].as_array().unwrap().len(), 1);
    assert_eq!(found["results"][0]["user_id"], ada.as_str());
    assert_eq!(found["results_metadata"], json!({ "total": 1, "next_cursor": null }));

    let either = json!({ "query": { "operator": "OR", "operands": [
        { "filter_name": "full_name_fuzzy", "filter_value": "lovel" },
        { "filter_name": "phone_number_fuzzy", "filter_value": "550101" },
    ] } });
    let (_, found) = search(either).await;
    assert_eq!(found["results_metadata"]["total"], 2);
    let both = json!({ "query": { "operator": "AND", "operands": [
        { "filter_name": "status", "filter_value": "pending" },
        { "filter_name": "phone_number_fuzzy", "filter_value": "550101" },
    ] } });
    assert_eq!(search(both).await.1["results_metadata"]["total"], 0);

    let total = |operand: Value| {
        let body = json!({ "query": { "operator": "AND", "operands": [operand] } });
        async move { search(body).await.1["results_metadata"]["total"].clone() }
    };
    // Only the sandbox user has a verified email; Ada's is new and unverified.
    assert_eq!(total(json!({ "filter_name": "email_verified", "filter_value": true })).await, 1);
    assert_eq!(
        total(json!({ "filter_name": "created_at_greater_than", "filter_value": "2100-01-01T00:00:00Z" })).await,
        0
    );
    let since_2020 = json!({ "greater_than": "2020-01-01T00:00:00Z", "less_than": "2100-01-01T00:00:00Z" });
    // The sandbox user is created with the sandbox, like everyone else here.
    assert_eq!(total(json!({ "filter_name": "created_at_between", "filter_value": since_2020 })).await, 3);

    // Everyone (the sandbox user included), a page at a time.
    let (_, first) = search(json!({ "limit": 2 })).await;
    assert_eq!(first["results_metadata"]["total"], 3);
    let cursor = first["results_metadata"]["next_cursor"].as_str().expect("a next page").to_owned();
    let (_, second) = search(json!({ "limit": 2, "cursor": cursor })).await;
    assert_eq!(second["results"].as_array().unwrap().len(), 1);
    assert!(second["results_metadata"]["next_cursor"].is_null());

    let unknown = json!({ "query": { "operator": "AND", "operands": [
        { "filter_name": "oauth_provider", "filter_value": ["google"] },
    ] } });
    let (status, body) = search(unknown).await;
    assert_stytch_error(status, &body, 400, "invalid_argument");
    let (status, body) = search(json!({ "limit": 0 })).await;
    assert_stytch_error(status, &body, 400, "invalid_argument");

    // Delete: `UsersDeleteResponse {request_id, user_id, status_code}`; the user's sessions go too.
    let bob = harness.login("bob@example.com").await;
    let (status, deleted) = harness.stytch(reqwest::Method::DELETE, &format!("/v1/users/{}", bob.user_id), None).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["user_id"], bob.user_id.as_str());
    let (status, body) = harness.get(&format!("/v1/users/{}", bob.user_id)).await;
    assert_stytch_error(status, &body, 404, "user_not_found");
    let (status, body) = harness.post("/v1/sessions/authenticate", json!({ "session_token": bob.session_token })).await;
    assert_stytch_error(status, &body, 404, "session_not_found");
    let (status, body) = harness.stytch(reqwest::Method::DELETE, &format!("/v1/users/{}", bob.user_id), None).await;
    assert_stytch_error(status, &body, 404, "user_not_found");
}

#[tokio::test]
async fn a_phone_or_a_totp_is_removed_from_its_user_once() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;
    let (status, sent) = harness
        .post("/v1/otps/sms/send", json!({ "phone_number": "+15555550123", "session_jwt": login.session_jwt }))
        .await;
    assert_eq!(status, 200, "{sent}");
    let phone_id = sent["phone_id"].as_str().unwrap().to_owned();
    let (status, created) = harness.post("/v1/totps", json!({ "user_id": login.user_id })).await;
    assert_eq!(status, 200, "{created}");
    let totp_id = created["totp_id"].as_str().unwrap().to_owned();

    let harness = &harness;
    let delete = |path: String| async move { harness.stytch(reqwest::Method::DELETE, &path, None).await };
    let (status, body) = delete(format!("/v1/users/phone_numbers/{phone_id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], login.user_id);
    assert_eq!(body["user"]["phone_numbers"], json!([]));
    let (status, body) = delete(format!("/v1/users/phone_numbers/{phone_id}")).await;
    assert_stytch_error(status, &body, 404, "phone_number_not_found");

    let (status, body) = delete(format!("/v1/users/totps/{totp_id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["totps"], json!([]));
    let (status, body) = delete(format!("/v1/users/totps/{totp_id}")).await;
    assert_stytch_error(status, &body, 404, "totp_not_found");
    let (_, user) = harness.get(&format!("/v1/users/{}", login.user_id)).await;
    assert_eq!((&user["phone_numbers"], &user["totps"]), (&json!([]), &json!([])));
}
