//! Linking an existing Unit customer (Unit's Patch Customer path) through the real router, against
//! the sandbox: found by the user's verified email, proved by Unit's SMS code to the phone on the
//! customer's record (the sandbox's code is `000001`, Unit's documented sandbox passcode).

mod common;

use common::{Api, code};
use http::{Method, StatusCode};
use serde_json::{Value, json};

/// A customer created directly at Unit (no application), as a bank's existing customers are.
async fn existing_customer(api: &Api, email: &str, jwt_subject: Option<&str>) -> String {
    let mut body = json!({ "email": email, "phone": { "countryCode": "1", "number": "5553330101" } });
    if let Some(subject) = jwt_subject {
        body["jwtSubject"] = json!(subject);
    }
    let url = format!("{}/__sandbox/customers", api.stack.sandbox.unit_url);
    let answer: Value = api.stack.http.post(url).json(&body).send().await.unwrap().json().await.unwrap();
    answer["data"]["id"].as_str().expect("customer id").to_owned()
}

async fn customer(api: &Api, id: &str) -> Value {
    api.stack.unit_org(Method::GET, &format!("/customers/{id}")).await
}

fn proof(token: &Value, code: &str) -> Value {
    json!({ "verificationToken": token, "verificationCode": code })
}

#[tokio::test]
async fn an_existing_customer_is_linked_by_email_and_unit_sms_then_has_an_account() {
    let api = common::start(&[]).await;
    let customer_id = existing_customer(&api, "old@bank.example", None).await;
    let user = api.stack.sign_in("old@bank.example").await;
    let jwt = Some(user.session_jwt.as_str());

    let started = api.post("/customers/link", jwt, json!({})).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text);
    assert!(!started.text.contains(&customer_id), "the customer id is not revealed");
    let token = &started.body["verificationToken"];

    // A wrong code changes nothing.
    let wrong = api.post("/customers/link/verify", jwt, proof(token, "999999")).await;
    assert_eq!((wrong.status, code(&wrong)), (StatusCode::UNAUTHORIZED, "invalid_verification_code"));
    assert!(customer(&api, &customer_id).await["data"]["attributes"].get("jwtSubject").is_none());

    let started = api.post("/customers/link", jwt, json!({})).await;
    let linked = api.post("/customers/link/verify", jwt, proof(&started.body["verificationToken"], "000001")).await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.text);
    assert_eq!(customer(&api, &customer_id).await["data"]["attributes"]["jwtSubject"], user.user_id.as_str());
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_customer_id"], customer_id.as_str());
    assert!(metadata["unit_account_id"].is_string(), "an account to put cards on: {metadata}");
    assert!(metadata.get("unit_link_customer_id").is_none_or(Value::is_null), "the pending link is cleared");
    assert_eq!(metadata["kyc_phone"], "+15553330101", "SMS step-up texts the phone on the customer's record");

    // Linked: asking again is refused as done.
    let again = api.post("/customers/link", jwt, json!({})).await;
    assert_eq!((again.status, code(&again)), (StatusCode::CONFLICT, "already_onboarded"));
}

#[tokio::test]
async fn a_customer_of_another_login_none_or_several_are_refused() {
    let api = common::start(&[]).await;
    existing_customer(&api, "taken@bank.example", Some("user-test-someone-else")).await;
    let taken = api.stack.sign_in("taken@bank.example").await;
    let answer = api.post("/customers/link", Some(&taken.session_jwt), json!({})).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "customer_linked_to_another_user"));

    let nobody = api.stack.sign_in("new@bank.example").await;
    let answer = api.post("/customers/link", Some(&nobody.session_jwt), json!({})).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::NOT_FOUND, "no_customer_to_link"));

    existing_customer(&api, "twice@bank.example", None).await;
    existing_customer(&api, "twice@bank.example", None).await;
    let twice = api.stack.sign_in("twice@bank.example").await;
    let answer = api.post("/customers/link", Some(&twice.session_jwt), json!({})).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "several_customers_match"));

    // Verifying without a started link, or with a malformed code, is refused before Unit is asked.
    let answer = api.post("/customers/link/verify", Some(&nobody.session_jwt), proof(&json!("t"), "000001")).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "no_link_pending"));
    let answer = api.post("/customers/link/verify", Some(&nobody.session_jwt), proof(&json!("t"), "12")).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_REQUEST, "validation_failed"));
}

#[tokio::test]
async fn a_customer_linked_to_someone_else_between_the_steps_is_not_taken_over() {
    let api = common::start(&[]).await;
    let customer_id = existing_customer(&api, "race@bank.example", None).await;
    let user = api.stack.sign_in("race@bank.example").await;
    let started = api.post("/customers/link", Some(&user.session_jwt), json!({})).await;
    // The bank links it to another login meanwhile.
    let patch = json!({ "data": { "type": "individualCustomer", "attributes": { "jwtSubject": "user-test-other" } } });
    let url = format!("{}/customers/{customer_id}", api.stack.sandbox.unit_url);
    let org_token = &api.stack.sandbox.unit_api_token;
    let response = api.stack.http.patch(url).bearer_auth(org_token).header("content-type", "application/vnd.api+json");
    assert!(response.body(patch.to_string()).send().await.unwrap().status().is_success());

    let answer = api
        .post("/customers/link/verify", Some(&user.session_jwt), proof(&started.body["verificationToken"], "000001"))
        .await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "customer_linked_to_another_user"));
    assert_eq!(customer(&api, &customer_id).await["data"]["attributes"]["jwtSubject"], "user-test-other");
}

#[tokio::test]
async fn a_customer_already_naming_this_user_is_linked_at_once() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("mine@bank.example").await;
    let customer_id = existing_customer(&api, "mine@bank.example", Some(&user.user_id)).await;
    let answer = api.post("/customers/link", Some(&user.session_jwt), json!({})).await;
    assert_eq!((answer.status, &answer.body["status"]), (StatusCode::OK, &json!("linked")), "{}", answer.text);
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_customer_id"], customer_id.as_str());
}
