//! The whole path in-process: a Stytch sign-in, an approved Unit application, SMS step-up, the
//! token exchange for card scopes, then the cards routes with the token it returned.

use serde_json::json;
use stytch_unit_common::config::SecretNeeds;
use test_support::functions::{FunctionApi, applicant_phone};

#[tokio::test]
async fn sign_in_step_up_exchange_and_manage_a_card() {
    let exchange = FunctionApi::start(SecretNeeds { stytch: true, unit: true }, token_exchange::router, &[]).await;
    let cards = exchange.beside(SecretNeeds { stytch: false, unit: true }, cards::router, &[]).await;

    let user = exchange.stack.sign_in("ada@example.com").await;
    exchange.apply(&user.user_id, "123456789").await;

    let scopes = json!({ "scopes": ["accounts", "cards", "cards-write"] });
    let answer = exchange.post("/token", Some(&user.session_jwt), scopes.clone()).await;
    answer.assert_problem(403, "step_up_required");

    // Step up with the code texted to the phone on the application (the KYC phone).
    let stepped_up = exchange.stack.step_up_sms(&user, &applicant_phone("123456789").e164()).await;
    let answer = exchange.post("/token", Some(&stepped_up), scopes).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let token = answer.body["token"].as_str().unwrap();

    let create = || cards.call_with("POST", "/cards", Some(token), &[("idempotency-key", "demo-card-1")], None);
    let first = create().await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = create().await;
    assert_eq!((again.status.as_u16(), &again.body["id"]), (201, &first.body["id"]));
    let list = cards.get("/cards", Some(token)).await;
    assert_eq!((list.status.as_u16(), &list.body["total"]), (200, &json!(1)), "{}", list.text);
    let card_id = first.body["id"].as_str().unwrap();
    let frozen = cards.post(&format!("/cards/{card_id}/freeze"), Some(token), json!({})).await;
    assert_eq!((frozen.status.as_u16(), frozen.body["status"].as_str()), (200, Some("Frozen")), "{}", frozen.text);
}
