//! The whole path in-process: a Stytch sign-in, an approved Unit application, SMS step-up, the
//! token exchange for card scopes, then every cards route with the token it returned.
//!
//! Cards holds no org token (SECURITY.md). That it cannot make an org-token call is proved by the
//! types (its state is a `UnitCustomerClient`); this test proves it needs none: its cold start sees
//! only `UNIT_API_URL`, and the Unit secret is gone from Secrets Manager before it starts.

use cards::CardsDependencies;
use serde_json::json;
use test_support::{
    functions::{FunctionApi, applicant_phone, cards_environment},
    stack::UNIT_SECRET_ID,
};

#[tokio::test]
async fn sign_in_step_up_exchange_and_manage_a_card_with_no_secret_in_cards() {
    let exchange = FunctionApi::start(token_exchange::router, &[]).await;
    // The exchange has its copy (cached at its cold start); from now on nobody can read the secret.
    let moto = exchange.stack.moto.client().await;
    moto.delete_secret().secret_id(UNIT_SECRET_ID).force_delete_without_recovery(true).send().await.expect("deleted");
    let environment = cards_environment(&exchange.stack, &[]);
    assert!(environment.keys().all(|name| !name.ends_with("_SECRET_ID")), "{environment:?}");
    let cards = exchange.cards_beside(CardsDependencies::new, cards::router, &[]);

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
    let card = cards.get(&format!("/cards/{card_id}"), Some(token)).await;
    assert_eq!((card.status.as_u16(), &card.body), (200, &first.body), "{}", card.text);
    for (action, status) in [("freeze", "Frozen"), ("unfreeze", "Active"), ("close", "ClosedByCustomer")] {
        let answer = cards.post(&format!("/cards/{card_id}/{action}"), Some(token), json!({})).await;
        assert_eq!((answer.status.as_u16(), answer.body["status"].as_str()), (200, Some(status)), "{}", answer.text);
    }
}
