//! A card's life through the real router: virtual and physical cards, activation (Unit's sandbox
//! simulation), report lost or stolen, replace, limits and PIN status; every action idempotent from
//! the caller's view, every refused move a 409 naming the card's status.

mod common;

use common::{ALL, create, customer, customer_token, start};
use reqwest::Method;
use serde_json::{Value, json};
use test_support::functions::{Answer, Side, address, assert_problem};

/// `POST /cards/{id}/replace` with `Idempotency-Key`.
async fn replace(
    h: &test_support::functions::FunctionApi<cards::CardsDependencies>,
    token: &str,
    card_id: &str,
    key: &str,
    body: Option<Value>,
) -> Answer {
    h.call_with("POST", &format!("/cards/{card_id}/replace"), Some(token), &[("idempotency-key", key)], body).await
}

#[tokio::test]
async fn a_physical_card_is_ordered_inactive_then_activated_replaced_and_reported_lost() {
    let (h, org) = start(&[]).await;
    let ada = customer(&org, "user-test-ada", "123456780", &ALL).await;
    let token = ada.token.as_str();
    let action = |id: &str, name: &str| format!("/cards/{id}/{name}");

    let Answer { status, body: card, .. } =
        create(&h, token, "order-1", json!({ "type": "physical", "shippingAddress": address(), "design": "classic" }))
            .await;
    assert_eq!(status, 201, "{card}");
    // Unit's cards guide: a physical card is Inactive until the cardholder activates it.
    assert_eq!((card["type"].as_str(), card["status"].as_str()), (Some("physical"), Some("Inactive")));
    let old = card["id"].as_str().unwrap().to_owned();
    let Answer { status, body, .. } = h.call("POST", &action(&old, "freeze"), Some(token), None).await;
    assert_problem(status, &body, 409, "card_inactive");
    // Only a card in use can be replaced.
    let Answer { status, body, .. } = replace(&h, token, &old, "replace-1", None).await;
    assert_problem(status, &body, 409, "card_inactive");

    // The cardholder activates it with Unit's component; in the sandbox, Unit's simulation.
    h.stack.unit_org(Method::POST, &format!("/sandbox/cards/{old}/activate")).await;
    let Answer { status, body: card, .. } = h.call("POST", &action(&old, "freeze"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Frozen")), "{card}");

    // Replace (the old card's shipping address by default), twice with one key: one new card.
    let Answer { status, body: new, .. } = replace(&h, token, &old, "replace-1", None).await;
    assert_eq!(status, 201, "{new}");
    assert_eq!((new["type"].as_str(), new["status"].as_str()), (Some("physical"), Some("Inactive")));
    let new_id = new["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, old);
    let Answer { status, body: again, .. } =
        replace(&h, token, &old, "replace-1", Some(json!({ "shippingAddress": address() }))).await;
    assert_eq!((status.as_u16(), &again["id"]), (201, &new["id"]), "{again}");
    let Answer { body: list, .. } = h.call("GET", "/cards", Some(token), None).await;
    assert_eq!(list["total"], 2, "{list}");
    // Another key is another replacement.
    let Answer { status, body: third, .. } = replace(&h, token, &old, "replace-2", None).await;
    assert_eq!(status, 201, "{third}");
    assert_ne!(third["id"], new["id"]);

    // Lost: final. Reporting it again answers with the card; anything else is 409 card_lost.
    for _ in 0..2 {
        let Answer { status, body: card, .. } = h.call("POST", &action(&old, "report-lost"), Some(token), None).await;
        assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Lost")), "{card}");
    }
    for name in ["freeze", "unfreeze", "close", "report-stolen"] {
        let Answer { status, body, .. } = h.call("POST", &action(&old, name), Some(token), None).await;
        assert_problem(status, &body, 409, "card_lost");
        assert!(body["detail"].as_str().unwrap().contains("Lost"), "{body}");
    }
    let Answer { status, body, .. } = replace(&h, token, &old, "replace-3", None).await;
    assert_problem(status, &body, 409, "card_lost");

    // An Inactive card can be reported stolen; a closed one cannot be reported lost.
    let Answer { status, body: stolen, .. } =
        h.call("POST", &action(&new_id, "report-stolen"), Some(token), None).await;
    assert_eq!((status.as_u16(), stolen["status"].as_str()), (200, Some("Stolen")), "{stolen}");
    let third = third["id"].as_str().unwrap();
    h.call("POST", &action(third, "close"), Some(token), None).await;
    let Answer { status, body, .. } = h.call("POST", &action(third, "report-lost"), Some(token), None).await;
    assert_problem(status, &body, 409, "card_closed");
}

#[tokio::test]
async fn virtual_cards_take_no_address_and_cannot_be_replaced() {
    let (h, org) = start(&[]).await;
    let ada = customer(&org, "user-test-ada", "223456780", &ALL).await;
    let token = ada.token.as_str();

    let Answer { status, body, .. } =
        create(&h, token, "v-1", json!({ "type": "virtual", "shippingAddress": address(), "design": "x" })).await;
    assert_problem(status, &body, 400, "validation_failed");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["shippingAddress", "design"]);
    let Answer { status, body, .. } = create(&h, token, "v-1", json!({ "type": "plastic" })).await;
    assert_problem(status, &body, 400, "validation_failed");

    let Answer { status, body: card, .. } =
        create(&h, token, "v-1", json!({ "type": "virtual", "limits": { "dailyPurchase": 20000 } })).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (201, Some("Active")), "{card}");
    let id = card["id"].as_str().unwrap();
    let Answer { status, body, .. } = replace(&h, token, id, "r-1", None).await;
    assert_problem(status, &body, 409, "card_not_physical");

    // Limits (scope cards): the card's own, and totals (0 in the sandbox: no money moves).
    let Answer { status, body: limits, .. } = h.call("GET", &format!("/cards/{id}/limits"), Some(token), None).await;
    assert_eq!(status, 200, "{limits}");
    assert_eq!(limits["limits"], json!({ "dailyPurchase": 20000 }));
    assert_eq!(limits["dailyTotals"]["purchases"], 0);
    assert!(limits["monthlyTotals"].is_object(), "{limits}");

    // PIN status is secure data: cards-sensitive, which this token lacks.
    let pin = format!("/cards/{id}/pin-status");
    let Answer { status, body, .. } = h.call("GET", &pin, Some(token), None).await;
    assert_problem(status, &body, 403, "insufficient_scope");
    let sensitive = customer_token(&org, &ada.customer_id, &["cards", "cards-sensitive"]).await;
    let Answer { status, body, .. } = h.call("GET", &pin, Some(&sensitive), None).await;
    assert_eq!((status.as_u16(), body), (200, json!({ "pinStatus": "NotSet" })));
}

#[tokio::test]
async fn a_repeat_after_a_lost_answer_is_the_card_not_a_conflict() {
    let (h, org) = start(&[]).await;
    let ada = customer(&org, "user-test-ada", "323456780", &ALL).await;
    let token = ada.token.as_str();
    let Answer { body: card, .. } = create(&h, token, "lost-1", json!({})).await;
    let id = card["id"].as_str().unwrap();

    // Unit freezes the card but the answer is lost; our retry meets Unit's 400
    // not_supported_for_card_status, and the card, read again, is Frozen: 200.
    let freeze = format!("/cards/{id}/freeze");
    h.fault(Side::Unit, json!({ "method": "POST", "path": freeze, "drop_response": true })).await;
    let Answer { status, body: card, .. } = h.call("POST", &freeze, Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Frozen")), "{card}");
    assert!(h.armed_faults(Side::Unit).await.is_empty(), "the lost answer happened");

    // Already frozen: no second Unit write (the armed 500 on the write stays unused).
    h.fault(Side::Unit, json!({ "method": "POST", "path": freeze, "status": 500 })).await;
    let Answer { status, body: card, .. } = h.call("POST", &freeze, Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Frozen")), "{card}");
    assert_eq!(h.armed_faults(Side::Unit).await[0]["remaining"], 1);
    h.clear_faults(Side::Unit).await;

    // The same for report-lost, whose answer is lost too.
    let lost = format!("/cards/{id}/report-lost");
    h.fault(Side::Unit, json!({ "method": "POST", "path": lost, "drop_response": true })).await;
    let Answer { status, body: card, .. } = h.call("POST", &lost, Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Lost")), "{card}");
}

#[tokio::test]
async fn another_customers_card_is_not_found_on_every_new_route() {
    let (h, org) = start(&[]).await;
    let ada = customer(&org, "user-test-ada", "423456780", &ALL).await;
    let grace =
        customer(&org, "user-test-grace", "523456780", &["accounts", "cards", "cards-write", "cards-sensitive"]).await;
    let Answer { body: card, .. } =
        create(&h, &ada.token, "a-1", json!({ "type": "physical", "shippingAddress": address() })).await;
    let id = card["id"].as_str().unwrap();
    for (method, route) in
        [("POST", "report-lost"), ("POST", "report-stolen"), ("GET", "limits"), ("GET", "pin-status")]
    {
        let Answer { status, body, .. } =
            h.call(method, &format!("/cards/{id}/{route}"), Some(&grace.token), None).await;
        assert_problem(status, &body, 404, "card_not_found");
    }
    let Answer { status, body, .. } = replace(&h, &grace.token, id, "g-1", None).await;
    assert_problem(status, &body, 404, "card_not_found");
    let Answer { body: card, .. } = h.call("GET", &format!("/cards/{id}"), Some(&ada.token), None).await;
    assert_eq!(card["status"], "Inactive", "untouched");
}
