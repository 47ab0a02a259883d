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

// Unit's OpenAPI `types.json#/components/schemas/JwtSubject` is `{"type": "string", "nullable": true}`
// with no length limit; `updateCustomer.json` refers to it.
#[tokio::test]
async fn jwt_subject_is_any_string_or_null_as_the_spec_types_it() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let path = format!("/customers/{}", ada.customer_id);

    let long = "user-test-".to_string() + &"x".repeat(300);
    let patched = unit.patch(&path, ORG_TOKEN, patch_body(json!({ "jwtSubject": long }))).await;
    assert_eq!(patched.status, StatusCode::OK, "{:#}", patched.body);
    assert_eq!(patched.body["data"]["attributes"]["jwtSubject"], long.as_str());

    for wrong in [json!(42), json!(["user-test-ada"]), json!({ "sub": "user-test-ada" }), json!(true)] {
        let reply = unit.patch(&path, ORG_TOKEN, patch_body(json!({ "jwtSubject": wrong }))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{wrong}");
        assert_eq!(reply.pointers(), ["/data/attributes/jwtSubject"]);
        assert_eq!(reply.error_code(), "invalid_value");
    }
    let fetched = unit.get(&path, ORG_TOKEN).await;
    assert_eq!(fetched.body["data"]["attributes"]["jwtSubject"], long.as_str(), "refused patches change nothing");
}

/// An approved customer with this email and tags; returns its id.
async fn customer_with(unit: &unit_support::Harness, first: &str, email: &str, tags: serde_json::Value) -> String {
    let mut body = unit_support::application_body(&unit_support::approved_ssn(), None, None);
    body["data"]["attributes"]["email"] = json!(email);
    body["data"]["attributes"]["fullName"]["first"] = json!(first);
    body["data"]["attributes"]["tags"] = tags;
    let reply = unit.post("/applications", ORG_TOKEN, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    reply.body["data"]["relationships"]["customer"]["data"]["id"].as_str().expect("customer").to_string()
}

fn ids(reply: &unit_support::Reply) -> Vec<String> {
    reply.body["data"].as_array().expect("a list").iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

// Unit's OpenAPI `customerPaths.json#/listCustomers`: `page`, `filter[query|status|email|tags]`, `sort`,
// answered with `data: Customer[]` and `meta.pagination`.
#[tokio::test]
async fn customers_are_listed_newest_first_and_filtered() {
    let unit = start().await;
    let ada = customer_with(&unit, "Ada", "ada@example.com", json!({ "plan": "gold", "team": "a" })).await;
    let bob = customer_with(&unit, "Bob", "Bob@Example.com", json!({ "plan": "gold" })).await;
    let cy = customer_with(&unit, "Cy", "cy@example.com", json!({})).await;

    let all = unit.get("/customers", ORG_TOKEN).await;
    assert_eq!(all.status, StatusCode::OK, "{:#}", all.body);
    assert_eq!(ids(&all), [cy.as_str(), bob.as_str(), ada.as_str()]);
    assert_eq!(all.body["meta"]["pagination"], json!({ "total": 3, "limit": 100, "offset": 0 }));
    assert_eq!(all.body["data"][0]["type"], "individualCustomer");

    let oldest = unit.get("/customers?sort=createdAt&page[limit]=1&page[offset]=1", ORG_TOKEN).await;
    assert_eq!(ids(&oldest), [bob.as_str()]);
    assert_eq!(oldest.body["meta"]["pagination"], json!({ "total": 3, "limit": 1, "offset": 1 }));

    // The whole address, whatever its case; a part of it finds nothing.
    assert_eq!(ids(&unit.get("/customers?filter[email]=bob@EXAMPLE.com", ORG_TOKEN).await), [bob.as_str()]);
    assert!(ids(&unit.get("/customers?filter[email]=bob@example", ORG_TOKEN).await).is_empty());
    let plus = unit.get("/customers?filter[email]=nobody%2Btag@example.com", ORG_TOKEN).await;
    assert_eq!((plus.status, ids(&plus).len()), (StatusCode::OK, 0));

    // Every customer is Active in the sandbox; the status filter takes Unit's two statuses only.
    assert_eq!(ids(&unit.get("/customers?filter[status][0]=Active", ORG_TOKEN).await).len(), 3);
    assert!(ids(&unit.get("/customers?filter[status][0]=Archived", ORG_TOKEN).await).is_empty());
    let bad = unit.get("/customers?filter[status][0]=Closed", ORG_TOKEN).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errors"][0]["source"]["parameter"], "filter[status]");

    let gold = unit.get("/customers?filter[tags]=%7B%22plan%22%3A%22gold%22%7D", ORG_TOKEN).await;
    assert_eq!(ids(&gold), [bob.as_str(), ada.as_str()]);
    let team =
        unit.get("/customers?filter[tags]=%7B%22plan%22%3A%22gold%22%2C%22team%22%3A%22a%22%7D", ORG_TOKEN).await;
    assert_eq!(ids(&team), [ada.as_str()]);
    let bad = unit.get("/customers?filter[tags]=plan", ORG_TOKEN).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errors"][0]["source"]["parameter"], "filter[tags]");

    assert_eq!(ids(&unit.get("/customers?filter[query]=ada%20lovelace", ORG_TOKEN).await), [ada.as_str()]);
    assert_eq!(ids(&unit.get("/customers?filter[query]=example.com", ORG_TOKEN).await).len(), 3);
    assert!(ids(&unit.get("/customers?filter[query]=ada%20bob", ORG_TOKEN).await).is_empty());

    let bad_page = unit.get("/customers?page[limit]=0", ORG_TOKEN).await;
    assert_eq!(bad_page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_customer_token_lists_only_its_own_customer() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    unit.approved_customer("user-test-bob").await;
    let token = unit.customer_token(&ada, "customers").await;
    let listed = unit.get("/customers", &token).await;
    assert_eq!(listed.status, StatusCode::OK, "{:#}", listed.body);
    assert_eq!(ids(&listed), [ada.customer_id.as_str()]);
    assert_eq!(listed.body["meta"]["pagination"]["total"], 1);

    let without_scope = unit.customer_token(&ada, "accounts").await;
    assert_eq!(unit.get("/customers", &without_scope).await.status, StatusCode::FORBIDDEN);
    assert_eq!(unit.get("/customers", "v2.public.unknown").await.status, StatusCode::UNAUTHORIZED);
}
