//! Unit side: debit cards (idempotent create, status rules), cross-customer isolation and
//! pagination of accounts and cards. Status rules, replace, limits and PIN status: `unit_card_status.rs`.

mod unit_support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use unit_support::{ORG_TOKEN, card_body, start};

fn replace_body() -> Value {
    let address =
        json!({ "street": "1 Main St", "city": "Springfield", "state": "IL", "postalCode": "62701", "country": "US" });
    json!({ "data": { "type": "replaceCard", "attributes": { "shippingAddress": address } } })
}

fn tags_body(kind: &str) -> Value {
    json!({ "data": { "type": kind, "attributes": { "tags": { "purpose": "travel" } } } })
}

#[tokio::test]
async fn one_idempotency_key_creates_one_card() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let token = unit.customer_token(&ada, "cards cards-write").await;

    let first = unit.create_card(&token, &ada.account_id, Some("card-key-1")).await;
    let second = unit.create_card(&token, &ada.account_id, Some("card-key-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:#}", first.body);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.id(), second.id());
    // The org token retrying with the same key for the same customer gets the same card too.
    let by_org = unit.create_card(ORG_TOKEN, &ada.account_id, Some("card-key-1")).await;
    assert_eq!(by_org.id(), first.id());
    // Unit keeps one key space per org (UNIT.md, "Cards"): another customer sending the same key
    // gets Ada's card back, not a card of their own. That is why our cards function namespaces keys.
    let bob = unit.approved_customer("user-test-bob").await;
    let bob_token = unit.customer_token(&bob, "cards cards-write").await;
    let bobs = unit.create_virtual_card(&bob_token, &bob.account_id, Some("card-key-1")).await;
    assert_eq!(bobs.id(), first.id());

    let cards = unit.get("/cards", &token).await;
    assert_eq!(cards.body["meta"]["pagination"]["total"], 1);

    let card = &first.body["data"];
    assert_eq!(card["type"], "individualDebitCard");
    // Unit's cards guide: a physical card is Inactive until the cardholder activates it.
    assert_eq!(card["attributes"]["status"], "Inactive");
    let last4 = card["attributes"]["last4Digits"].as_str().expect("last4");
    assert!(last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()));
    let expiration = card["attributes"]["expirationDate"].as_str().expect("expirationDate");
    assert!(expiration.len() == 7 && expiration.as_bytes()[4] == b'-', "{expiration}");
    // Shipped to the customer's own address when none is given.
    assert_eq!(card["attributes"]["shippingAddress"]["postalCode"], "11375");
    assert_eq!(card["relationships"]["account"]["data"]["id"], ada.account_id.as_str());
    assert_eq!(card["relationships"]["customer"]["data"]["id"], ada.customer_id.as_str());

    let another = unit.create_card(&token, &ada.account_id, Some("card-key-2")).await;
    assert_ne!(another.id(), first.id());
}

#[tokio::test]
async fn freeze_unfreeze_and_close_follow_the_status_rules() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let token = unit.customer_token(&ada, "cards cards-write").await;
    let created = unit.create_virtual_card(&token, &ada.account_id, None).await;
    // Unit's cards guide: a virtual card needs no activation.
    assert_eq!(created.body["data"]["attributes"]["status"], "Active");
    let card_id = created.id();
    let action = |name: &'static str| {
        let unit = &unit;
        let path = format!("/cards/{card_id}/{name}");
        let token = token.clone();
        async move { unit.post_empty(&path, &token).await }
    };
    let status = |reply: &unit_support::Reply| reply.body["data"]["attributes"]["status"].as_str().map(str::to_string);

    let unfreeze_active = action("unfreeze").await;
    assert_eq!(unfreeze_active.status, StatusCode::BAD_REQUEST);
    assert_eq!(unfreeze_active.error_code(), "not_supported_for_card_status");

    let frozen = action("freeze").await;
    assert_eq!(frozen.status, StatusCode::OK);
    assert_eq!(status(&frozen).as_deref(), Some("Frozen"));
    let fetched = unit.get(&format!("/cards/{card_id}"), &token).await;
    assert_eq!(status(&fetched).as_deref(), Some("Frozen"));

    let freeze_again = action("freeze").await;
    assert_eq!(freeze_again.status, StatusCode::BAD_REQUEST);
    assert_eq!(freeze_again.error_code(), "not_supported_for_card_status");

    let thawed = action("unfreeze").await;
    assert_eq!(status(&thawed).as_deref(), Some("Active"));

    let closed = action("close").await;
    assert_eq!(status(&closed).as_deref(), Some("ClosedByCustomer"));
    for name in ["close", "freeze", "unfreeze"] {
        let refused = action(name).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name} after close");
    }
    let fetched = unit.get(&format!("/cards/{card_id}"), &token).await;
    assert_eq!(status(&fetched).as_deref(), Some("ClosedByCustomer"));

    // A frozen card can be closed directly.
    let second = unit.create_virtual_card(&token, &ada.account_id, None).await.id();
    unit.post_empty(&format!("/cards/{second}/freeze"), &token).await;
    let closed_frozen = unit.post_empty(&format!("/cards/{second}/close"), &token).await;
    assert_eq!(status(&closed_frozen).as_deref(), Some("ClosedByCustomer"));
}

#[tokio::test]
async fn a_customer_token_cannot_see_or_touch_another_customers_cards() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let bob = unit.approved_customer("user-test-bob").await;
    let ada_token = unit.customer_token(&ada, "accounts cards cards-write").await;
    let bob_token = unit.customer_token(&bob, "accounts cards cards-write").await;
    let ada_card = unit.create_card(&ada_token, &ada.account_id, None).await.id();
    let bob_card = unit.create_card(&bob_token, &bob.account_id, None).await.id();

    let peek = unit.get(&format!("/cards/{ada_card}"), &bob_token).await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND);
    assert_eq!(peek.error_code(), "card_not_found");
    let freeze = unit.post_empty(&format!("/cards/{ada_card}/freeze"), &bob_token).await;
    assert_eq!(freeze.status, StatusCode::NOT_FOUND);
    let still_inactive = unit.get(&format!("/cards/{ada_card}"), ORG_TOKEN).await;
    assert_eq!(still_inactive.body["data"]["attributes"]["status"], "Inactive");
    for (method, path) in [(Method::POST, "report-lost"), (Method::POST, "report-stolen"), (Method::GET, "limits")] {
        let reply = unit.send(method, &format!("/cards/{ada_card}/{path}"), Some(&bob_token), None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    let replace = unit.post(&format!("/cards/{ada_card}/replace"), &bob_token, replace_body()).await;
    assert_eq!(replace.status, StatusCode::NOT_FOUND);
    let patch = unit.patch(&format!("/cards/{ada_card}"), &bob_token, tags_body("individualDebitCard")).await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);

    let on_adas_account = unit.create_card(&bob_token, &ada.account_id, None).await;
    assert_eq!(on_adas_account.status, StatusCode::BAD_REQUEST);
    assert_eq!(on_adas_account.pointers(), ["/data/relationships/account/data/id"]);

    let bobs_cards = unit.get("/cards", &bob_token).await;
    let ids: Vec<&str> =
        bobs_cards.body["data"].as_array().expect("cards").iter().filter_map(|card| card["id"].as_str()).collect();
    assert_eq!(ids, [bob_card.as_str()]);
    // Filtering for another customer's cards finds nothing rather than leaking them.
    let filtered = unit.get(&format!("/cards?filter[customerId]={}", ada.customer_id), &bob_token).await;
    assert_eq!(filtered.body["meta"]["pagination"]["total"], 0);

    let bobs_accounts = unit.get("/accounts", &bob_token).await;
    assert_eq!(bobs_accounts.body["meta"]["pagination"]["total"], 1);
    assert_eq!(bobs_accounts.body["data"][0]["id"], bob.account_id.as_str());
    let adas_account = unit.get(&format!("/accounts/{}", ada.account_id), &bob_token).await;
    assert_eq!(adas_account.status, StatusCode::NOT_FOUND);

    let all = unit.get("/cards", ORG_TOKEN).await;
    assert_eq!(all.body["meta"]["pagination"]["total"], 2);
}

#[tokio::test]
async fn lists_paginate_with_limit_offset_and_meta() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(unit.create_card(ORG_TOKEN, &ada.account_id, None).await.id());
    }

    let first_page = unit.get("/cards?page[limit]=2", ORG_TOKEN).await;
    assert_eq!(first_page.status, StatusCode::OK);
    assert_eq!(first_page.body["meta"]["pagination"], json!({ "total": 3, "limit": 2, "offset": 0 }));
    let ids = |reply: &unit_support::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|card| card["id"].as_str().map(str::to_string))
            .collect()
    };
    // Newest first by default.
    assert_eq!(ids(&first_page), [created[2].clone(), created[1].clone()]);

    let second_page = unit.get("/cards?page[limit]=2&page[offset]=2", ORG_TOKEN).await;
    assert_eq!(ids(&second_page), [created[0].clone()]);
    assert_eq!(second_page.body["meta"]["pagination"]["offset"], 2);

    let oldest_first = unit.get("/cards?sort=createdAt", ORG_TOKEN).await;
    assert_eq!(ids(&oldest_first), created);

    let too_big = unit.get("/cards?page[limit]=1001", ORG_TOKEN).await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_big.body["errors"][0]["source"]["parameter"], "page[limit]");

    let accounts = unit.get("/accounts?page[limit]=1&page[offset]=5", ORG_TOKEN).await;
    assert_eq!(accounts.body["data"], json!([]));
    assert_eq!(accounts.body["meta"]["pagination"]["total"], 1);
}

#[tokio::test]
async fn card_requests_are_validated() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;

    let no_account =
        unit.post("/cards", ORG_TOKEN, json!({ "data": { "type": "individualDebitCard", "attributes": {} } })).await;
    assert_eq!(no_account.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_account.pointers(), ["/data/relationships/account"]);

    let mut bad = card_body(&ada.account_id, None);
    bad["data"]["attributes"]["shippingAddress"] = json!({ "street": "1 Main St" });
    bad["data"]["attributes"]["pin"] = json!("1234");
    let reply = unit.post("/cards", ORG_TOKEN, bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let pointers = reply.pointers();
    assert!(pointers.contains(&"/data/attributes/pin".to_string()));
    assert!(pointers.contains(&"/data/attributes/shippingAddress/city".to_string()));

    let unknown_account = unit.create_card(ORG_TOKEN, "999999", None).await;
    assert_eq!(unknown_account.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_account.error_code(), "account_not_found");

    let mut virtual_card = card_body(&ada.account_id, None);
    virtual_card["data"]["type"] = json!("individualVirtualDebitCard");
    let reply = unit.post("/cards", ORG_TOKEN, virtual_card).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["data"]["type"], "individualVirtualDebitCard");
    assert!(reply.body["data"]["attributes"].get("shippingAddress").is_none());

    let missing = unit.get("/cards/424242", ORG_TOKEN).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_filter_by_tags_and_status_and_refuse_unknown_filters() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let token = unit.customer_token(&ada, "cards cards-write").await;
    let physical = unit.create_card(&token, &ada.account_id, None).await.id();
    let virtual_card = unit.create_virtual_card(&token, &ada.account_id, None).await.id();
    let ids = |reply: &unit_support::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|c| c["id"].as_str().map(str::to_string))
            .collect()
    };

    // PATCH /cards/{id} sets tags (merged key by key, null removes one: UNIT.md).
    let tagged = unit.patch(&format!("/cards/{virtual_card}"), &token, tags_body("individualVirtualDebitCard")).await;
    assert_eq!(tagged.status, StatusCode::OK, "{:#}", tagged.body);
    assert_eq!(tagged.body["data"]["attributes"]["tags"], json!({ "purpose": "travel" }));
    let wrong_type = unit.patch(&format!("/cards/{virtual_card}"), &token, tags_body("individualDebitCard")).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    let mut address_on_virtual = tags_body("individualVirtualDebitCard");
    address_on_virtual["data"]["attributes"]["shippingAddress"] =
        replace_body()["data"]["attributes"]["shippingAddress"].clone();
    let refused = unit.patch(&format!("/cards/{virtual_card}"), &token, address_on_virtual).await;
    assert_eq!(refused.pointers(), ["/data/attributes/shippingAddress"]);

    // Unit's spec (cardPaths, getCardsList): filter[tags] is an object of strings, filter[status] an array.
    let by_tag = unit.get(r#"/cards?filter[tags]={"purpose":"travel"}"#, &token).await;
    assert_eq!(ids(&by_tag), [virtual_card.as_str()]);
    let no_match = unit.get(r#"/cards?filter[tags]={"purpose":"work"}"#, &token).await;
    assert_eq!(ids(&no_match), Vec::<String>::new());
    let inactive = unit.get("/cards?filter[status][0]=Inactive", &token).await;
    assert_eq!(ids(&inactive), [physical.as_str()]);
    let both = unit.get("/cards?filter[status][0]=Inactive&filter[status][1]=Active", &token).await;
    assert_eq!(ids(&both), [virtual_card.clone(), physical]);

    let untag =
        json!({ "data": { "type": "individualVirtualDebitCard", "attributes": { "tags": { "purpose": null } } } });
    unit.patch(&format!("/cards/{virtual_card}"), &token, untag).await;
    let after = unit.get(r#"/cards?filter[tags]={"purpose":"travel"}"#, &token).await;
    assert_eq!(after.body["meta"]["pagination"]["total"], 0);

    for bad in ["filter[color]=red", "filter[status][0]=Melted", "filter[tags]=travel", r#"filter[tags]={"a":1}"#] {
        let reply = unit.get(&format!("/cards?{bad}"), &token).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            reply.body["errors"][0]["source"]["parameter"].as_str().is_some_and(|p| p.starts_with("filter[")),
            "{bad}"
        );
    }
}
