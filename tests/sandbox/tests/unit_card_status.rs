//! Unit side: a card's life, physical and virtual: activation, freeze, lost, stolen, close and
//! replace, with the moves Unit refuses; a card's limits and PIN status.

mod unit_support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use unit_support::{ORG_TOKEN, Reply, start};

fn status(reply: &Reply) -> String {
    reply.body["data"]["attributes"]["status"].as_str().unwrap_or("?").to_string()
}

fn replace_body() -> Value {
    let address =
        json!({ "street": "1 Main St", "city": "Springfield", "state": "IL", "postalCode": "62701", "country": "US" });
    json!({ "data": { "type": "replaceCard", "attributes": { "shippingAddress": address } } })
}

#[tokio::test]
async fn a_physical_card_is_inactive_until_activated_then_lost_is_final() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let token = unit.customer_token(&ada, "cards cards-write").await;
    let card = unit.create_card(&token, &ada.account_id, None).await.id();
    let path = |action: &str| format!("/cards/{card}/{action}");

    // Unit's cards guide: an Inactive physical card cannot be frozen before activation.
    let freeze = unit.post_empty(&path("freeze"), &token).await;
    assert_eq!((freeze.status, freeze.error_code()), (StatusCode::BAD_REQUEST, "not_supported_for_card_status"));

    // Activation is the cardholder's (Unit's components); in the sandbox, an org-only simulation.
    let by_customer = unit.post_empty(&format!("/sandbox{}", path("activate")), &token).await;
    assert_eq!(by_customer.status, StatusCode::FORBIDDEN);
    let activated = unit.post_empty(&format!("/sandbox{}", path("activate")), ORG_TOKEN).await;
    assert_eq!(activated.status, StatusCode::CREATED, "{:#}", activated.body);
    assert_eq!(status(&activated), "Active");
    let again = unit.post_empty(&format!("/sandbox{}", path("activate")), ORG_TOKEN).await;
    assert_eq!(again.error_code(), "not_supported_for_card_status");

    let frozen = unit.post_empty(&path("freeze"), &token).await;
    assert_eq!(status(&frozen), "Frozen");
    // A frozen card can be reported lost; Lost is final (unit-api.md §4, Unit's cards guide).
    let lost = unit.post_empty(&path("report-lost"), &token).await;
    assert_eq!((lost.status, status(&lost)), (StatusCode::OK, "Lost".to_string()));
    for action in ["report-lost", "report-stolen", "freeze", "unfreeze", "close"] {
        let refused = unit.post_empty(&path(action), &token).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{action} after lost");
        assert_eq!(refused.error_code(), "not_supported_for_card_status", "{action}");
    }
    assert_eq!(status(&unit.get(&format!("/cards/{card}"), &token).await), "Lost");

    // An Inactive card can be reported stolen or closed directly.
    let second = unit.create_card(&token, &ada.account_id, None).await.id();
    let stolen = unit.post_empty(&format!("/cards/{second}/report-stolen"), &token).await;
    assert_eq!(status(&stolen), "Stolen");
    let closed = unit.post_empty(&format!("/cards/{second}/close"), &token).await;
    assert_eq!(closed.error_code(), "not_supported_for_card_status");
    let third = unit.create_card(&token, &ada.account_id, None).await.id();
    assert_eq!(status(&unit.post_empty(&format!("/cards/{third}/close"), &token).await), "ClosedByCustomer");
}

#[tokio::test]
async fn replacing_a_physical_card_ships_an_inactive_one_that_closes_the_old_when_activated() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let token = unit.customer_token(&ada, "cards cards-write").await;
    let virtual_card = unit.create_virtual_card(&token, &ada.account_id, None).await.id();
    let refused = unit.post(&format!("/cards/{virtual_card}/replace"), &token, replace_body()).await;
    assert_eq!((refused.status, refused.error_code()), (StatusCode::BAD_REQUEST, "not_supported_for_card_type"));

    let old = unit.create_card(&token, &ada.account_id, None).await;
    let old_id = old.id();
    let inactive = unit.post(&format!("/cards/{old_id}/replace"), &token, replace_body()).await;
    assert_eq!(inactive.error_code(), "not_supported_for_card_status");
    unit.post_empty(&format!("/sandbox/cards/{old_id}/activate"), ORG_TOKEN).await;

    // Unit's spec (replaceCard.json): shippingAddress is required.
    let no_address = json!({ "data": { "type": "replaceCard", "attributes": {} } });
    let reply = unit.post(&format!("/cards/{old_id}/replace"), &token, no_address).await;
    assert_eq!(reply.pointers(), ["/data/attributes/shippingAddress"]);

    let new = unit.post(&format!("/cards/{old_id}/replace"), &token, replace_body()).await;
    assert_eq!(new.status, StatusCode::OK, "{:#}", new.body);
    let new_id = new.id();
    assert_ne!(new_id, old_id);
    assert_eq!(status(&new), "Inactive");
    assert_eq!(new.body["data"]["type"], "individualDebitCard");
    assert_eq!(new.body["data"]["attributes"]["last4Digits"], old.body["data"]["attributes"]["last4Digits"]);
    assert_eq!(new.body["data"]["attributes"]["shippingAddress"]["city"], "Springfield");
    assert_eq!(status(&unit.get(&format!("/cards/{old_id}"), &token).await), "Active");

    unit.post_empty(&format!("/sandbox/cards/{new_id}/activate"), ORG_TOKEN).await;
    assert_eq!(status(&unit.get(&format!("/cards/{old_id}"), &token).await), "ClosedByCustomer");
    assert_eq!(status(&unit.get(&format!("/cards/{new_id}"), &token).await), "Active");
}

#[tokio::test]
async fn limits_and_pin_status_have_plausible_values_and_their_scopes() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let token = unit.customer_token(&ada, "cards cards-write").await;
    let plain = unit.create_virtual_card(&token, &ada.account_id, None).await.id();
    let mut body = unit_support::card_body(&ada.account_id, None);
    body["data"]["type"] = json!("individualVirtualDebitCard");
    body["data"]["attributes"]["limits"] = json!({ "dailyPurchase": 10_000 });
    let limited = unit.post("/cards", &token, body).await.id();

    // Unit's spec (UnitCardLimitsResponse): type `limits`, totals required.
    let limits = unit.get(&format!("/cards/{plain}/limits"), &token).await;
    assert_eq!(limits.status, StatusCode::OK, "{:#}", limits.body);
    assert_eq!(limits.body["data"]["type"], "limits");
    assert!(limits.body["data"]["attributes"]["limits"]["dailyPurchase"].as_u64().is_some_and(|cents| cents > 0));
    let zero = json!({ "withdrawals": 0, "deposits": 0, "purchases": 0, "cardTransactions": 0 });
    assert_eq!(limits.body["data"]["attributes"]["dailyTotals"], zero);
    assert_eq!(limits.body["data"]["attributes"]["monthlyTotals"], zero);
    let own = unit.get(&format!("/cards/{limited}/limits"), &token).await;
    assert_eq!(own.body["data"]["attributes"]["limits"], json!({ "dailyPurchase": 10_000 }));

    // Secure data needs cards-sensitive; a token with only cards is refused.
    let pin = format!("/cards/{plain}/secure-data/pin/status");
    assert_eq!(unit.get(&pin, &token).await.status, StatusCode::FORBIDDEN);
    let sensitive = unit.customer_token(&ada, "cards cards-sensitive").await;
    let status = unit.get(&pin, &sensitive).await;
    assert_eq!(status.status, StatusCode::OK, "{:#}", status.body);
    assert_eq!(status.body["data"], json!({ "type": "pinStatus", "attributes": { "status": "NotSet" } }));
    let limits_scope = unit.customer_token(&ada, "accounts").await;
    assert_eq!(unit.get(&format!("/cards/{plain}/limits"), &limits_scope).await.status, StatusCode::FORBIDDEN);
}
