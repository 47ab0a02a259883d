//! The cards routes through the real router against the local stack, with real Unit customer
//! tokens minted by the sandbox.

mod common;

use axum::body::Body;
use common::{ALL, create, customer, customer_token, start};
use http::Request;
use serde_json::json;
use test_support::functions::{Answer, Side, address, assert_problem};

#[tokio::test]
async fn every_listed_route_is_routed() {
    let (h, _org) = start(&[]).await;
    h.assert_routes_served(cards::ROUTES).await;
    let Answer { status, body, .. } = h.call("DELETE", "/cards/400001", None, None).await;
    assert_problem(status, &body, 405, "method_not_allowed");
}

#[tokio::test]
async fn a_customer_creates_lists_and_manages_cards() {
    let (h, org) = start(&[]).await;
    let ada = customer(&org, "user-test-ada", "123456789", &ALL).await;
    let token = ada.token.as_str();

    // The Idempotency-Key is required and checked before Unit is called.
    let Answer { status, body, .. } = h.call("POST", "/cards", Some(token), Some(json!({}))).await;
    assert_problem(status, &body, 400, "idempotency_key_required");
    let Answer { status, body, .. } = create(&h, token, &"k".repeat(256), json!({})).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");

    // One key, two requests (the second with another body, even another type): one card. No body
    // at all is fine: a virtual card.
    let Answer { status, body: first, .. } =
        h.call_with("POST", "/cards", Some(token), &[("idempotency-key", "key-1")], None).await;
    assert_eq!(status, 201, "{first}");
    let Answer { status, body: again, .. } =
        create(&h, token, "key-1", json!({ "type": "physical", "shippingAddress": address() })).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["id"], first["id"]);
    let mut keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["accountId", "createdAt", "expirationDate", "id", "last4Digits", "status", "type"]);
    assert_eq!((first["type"].as_str(), first["status"].as_str()), (Some("virtual"), Some("Active")));
    let card_id = first["id"].as_str().unwrap().to_owned();
    let account_id = first["accountId"].as_str().unwrap().to_owned();

    // Another key, with the account named: a second card.
    let Answer { status, body: second, .. } = create(&h, token, "key-2", json!({ "accountId": account_id })).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], first["id"]);

    let Answer { status, body: list, .. } = h.call("GET", "/cards", Some(token), None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 2);
    assert_eq!(list["cards"].as_array().unwrap().len(), 2);
    let Answer { status, body: page, .. } = h.call("GET", "/cards?limit=1&offset=1", Some(token), None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!((page["total"].as_u64(), page["cards"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(page["cards"][0]["id"], first["id"], "newest first");

    let Answer { status, body: card, .. } = h.call("GET", &format!("/cards/{card_id}"), Some(token), None).await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card, first);

    let action = |name: &str| format!("/cards/{card_id}/{name}");
    let Answer { status, body: card, .. } = h.call("POST", &action("freeze"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Frozen")), "{card}");
    // Freezing a frozen card answers with the card: it is where the caller wanted it.
    let Answer { status, body: card, .. } = h.call("POST", &action("freeze"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Frozen")), "{card}");
    let Answer { status, body: card, .. } = h.call("POST", &action("unfreeze"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Active")), "{card}");
    let Answer { status, body: card, .. } = h.call("POST", &action("close"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("ClosedByCustomer")), "{card}");
    let Answer { status, body, .. } = h.call("POST", &action("unfreeze"), Some(token), None).await;
    assert_problem(status, &body, 409, "card_closed");

    // Another customer: Ada's card does not exist for them, and the same key is theirs alone. The
    // sandbox, like Unit, keeps one key space per org: without our namespacing by account, Grace's
    // "key-1" would answer with Ada's card.
    let grace = customer(&org, "user-test-grace", "223456789", &ALL).await;
    for (method, path) in [("GET", format!("/cards/{card_id}")), ("POST", action("freeze")), ("POST", action("close"))]
    {
        let Answer { status, body, .. } = h.call(method, &path, Some(&grace.token), None).await;
        assert_problem(status, &body, 404, "card_not_found");
    }
    // A smuggled customerId (Ada's) is ignored: the card is Grace's, on Grace's account.
    let Answer { status, body: card, .. } =
        create(&h, &grace.token, "key-1", json!({ "customerId": ada.customer_id, "customer": ada.customer_id })).await;
    assert_eq!(status, 201, "{card}");
    assert_ne!(card["id"], first["id"]);
    assert_ne!(card["accountId"].as_str(), Some(account_id.as_str()));
    let Answer { body: list, .. } = h.call("GET", "/cards", Some(&grace.token), None).await;
    assert_eq!(list["total"], 1);
    // Naming Ada's account does not work either.
    let Answer { status, body, .. } = create(&h, &grace.token, "key-3", json!({ "accountId": account_id })).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "accountId");

    // Card ids that cannot be Unit ids are not found, without asking Unit.
    h.fault(Side::Unit, json!({ "status": 500, "count": 1 })).await;
    let Answer { status, body, .. } = h.call("GET", "/cards/abc", Some(token), None).await;
    assert_problem(status, &body, 404, "card_not_found");
    let Answer { status, body, .. } = h.call("POST", "/cards/0123/freeze", Some(token), None).await;
    assert_problem(status, &body, 404, "card_not_found");
    assert_eq!(h.armed_faults(Side::Unit).await[0]["remaining"], 1);
}

#[tokio::test]
async fn tokens_and_scopes_are_unit_s_to_judge() {
    let (h, org) = start(&[]).await;
    let Answer { status, body, .. } = h.call("GET", "/cards", None, None).await;
    assert_problem(status, &body, 401, "missing_credentials");
    let Answer { status, body, .. } = h.call("GET", "/cards", Some("v2.public.not-a-real-token"), None).await;
    assert_problem(status, &body, 401, "invalid_unit_token");

    let reader = customer(&org, "user-test-reader", "323456789", &["cards"]).await;
    let Answer { status, body, .. } = h.call("GET", "/cards", Some(&reader.token), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "cards": [], "total": 0 }));
    // Creating needs cards-write (and, without accountId, accounts to find the account).
    let Answer { status, body, .. } = create(&h, &reader.token, "key-1", json!({})).await;
    assert_problem(status, &body, 403, "insufficient_scope");
    let writer = customer_token(&org, &reader.customer_id, &["accounts", "cards"]).await;
    let Answer { status, body, .. } = create(&h, &writer, "key-1", json!({})).await;
    assert_problem(status, &body, 403, "insufficient_scope");
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_named() {
    let (h, org) = start(&[]).await;
    let ada = customer(&org, "user-test-ada", "423456789", &ALL).await;
    let token = ada.token.as_str();
    h.fault(Side::Unit, json!({ "status": 500, "count": 1 })).await;

    for query in ["limit=0", "limit=101", "limit=ten", "offset=-1", "limit=5&limit=6"] {
        let Answer { status, body, .. } = h.call("GET", &format!("/cards?{query}"), Some(token), None).await;
        assert_problem(status, &body, 400, "validation_failed");
    }
    let Answer { status, body, .. } = h.call("GET", "/cards?limit=0&offset=x", Some(token), None).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);

    let Answer { status, body, .. } = create(
        &h,
        token,
        "key-1",
        json!({ "accountId": "acc-1", "shippingAddress": { "street": "", "city": "X", "state": "New York",
                    "postalCode": "1137", "country": "usa" } }),
    )
    .await;
    assert_problem(status, &body, 400, "validation_failed");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        [
            "accountId",
            "shippingAddress.street",
            "shippingAddress.state",
            "shippingAddress.postalCode",
            "shippingAddress.country",
            "shippingAddress"
        ]
    );
    // The same rules and messages as an application's address (one `UsAddress`).
    assert_eq!(body["errors"][1]["reason"], "must be 1 to 255 characters on one line");
    assert_eq!(body["errors"][2]["reason"], "must be a two-letter US state code");
    let Answer { status, body, .. } =
        create(&h, token, "key-1", json!({ "shippingAddress": { "street": "1 Main St", "city": "X" } })).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "shippingAddress.state");
    let Answer { status, body, .. } = create(&h, token, "key-1", json!({ "accountId": 300001 })).await;
    assert_problem(status, &body, 400, "validation_failed");

    let bad_json = Request::post("/cards")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", "key-1")
        .header("content-type", "application/json")
        .body(Body::from("{\"accountId\":"))
        .unwrap();
    let Answer { status, body, .. } = h.send(bad_json).await;
    assert_problem(status, &body, 400, "invalid_body");
    let untyped = Request::post("/cards")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", "key-1")
        .body(Body::from("{}"))
        .unwrap();
    let Answer { status, body, .. } = h.send(untyped).await;
    assert_problem(status, &body, 415, "unsupported_media_type");

    assert_eq!(h.armed_faults(Side::Unit).await[0]["remaining"], 1, "Unit was not called");
}

#[tokio::test]
async fn unit_down_is_502_slow_is_504_and_429_is_passed_on() {
    let (h, org) = start(&[("UPSTREAM_TIMEOUT_MS", "300")]).await;
    let ada = customer(&org, "user-test-ada", "523456789", &ALL).await;
    let token = ada.token.as_str();

    h.fault(Side::Unit, json!({ "status": 503, "count": 10 })).await;
    let Answer { status, body, .. } = h.call("GET", "/cards", Some(token), None).await;
    assert_problem(status, &body, 502, "upstream_error");
    h.clear_faults(Side::Unit).await;

    h.fault(Side::Unit, json!({ "path": "/cards", "delay_ms": 2000, "count": 10 })).await;
    let Answer { status, body, .. } = create(&h, token, "key-1", json!({})).await;
    assert_problem(status, &body, 504, "upstream_timeout");
    h.clear_faults(Side::Unit).await;

    h.fault(Side::Unit, json!({ "status": 429, "count": 10 })).await;
    let answer = h.get("/cards", Some(token)).await;
    answer.assert_problem(429, "rate_limited");
    assert!(answer.headers.contains_key("retry-after"));
    h.clear_faults(Side::Unit).await;

    // The timed-out create is safe to repeat with the same key: still one card.
    let Answer { status, body: first, .. } = create(&h, token, "key-1", json!({})).await;
    assert_eq!(status, 201, "{first}");
    let Answer { body: again, .. } = create(&h, token, "key-1", json!({})).await;
    assert_eq!(again["id"], first["id"]);
    let Answer { body: list, .. } = h.call("GET", "/cards", Some(token), None).await;
    assert_eq!(list["total"], 1);
}
