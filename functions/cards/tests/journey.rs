//! The whole path in-process: a Stytch sign-in, an approved Unit application, TOTP step-up, the
//! token exchange for card scopes, then the cards routes with the token it returned.

use axum::{Router, body::Body};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stytch_unit_common::{
    SecretString,
    config::SecretNeeds,
    customer_link,
    unit::{Address, FullName, NewIndividualApplication, Phone},
};
use test_support::stack::LocalStack;
use totp_rs::{Algorithm, Builder, Secret};
use tower::ServiceExt;

async fn call(app: &Router, uri: &str, bearer: &str, key: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(if body.is_some() || key.is_some() { "POST" } else { "GET" })
        .uri(uri)
        .header("authorization", format!("Bearer {bearer}"));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let response = app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn stytch_post(stack: &LocalStack, path: &str, body: Value) -> Value {
    let sandbox = &stack.sandbox;
    let response = stack
        .http
        .post(format!("{}{path}", sandbox.stytch_url))
        .basic_auth(&sandbox.project_id, Some(&sandbox.secret))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn sign_in_step_up_exchange_and_manage_a_card() {
    let stack = LocalStack::start().await;
    let exchange_deps =
        test_support::functions::cold_start(&stack, SecretNeeds { stytch: true, unit: true }, &[]).await;
    let exchange = token_exchange::router(exchange_deps.clone());
    let cards = cards::router(
        test_support::functions::cold_start(&stack, SecretNeeds { stytch: false, unit: true }, &[]).await,
    );

    let user = stack.sign_in("ada@example.com").await;
    let application = exchange_deps
        .unit()
        .unwrap()
        .create_application(&NewIndividualApplication {
            full_name: FullName { first: "Ada".into(), last: "Lovelace".into() },
            email: "ada@example.com".into(),
            phone: Phone { country_code: "1".into(), number: "5555550100".into() },
            date_of_birth: "1990-12-10".into(),
            address: Address {
                street: "20 Ingram St".into(),
                street2: None,
                city: "Forest Hills".into(),
                state: "NY".into(),
                postal_code: "11375".into(),
                country: "US".into(),
            },
            ssn: SecretString::from("123456789"),
            jwt_subject: user.user_id.clone(),
            idempotency_key: format!("application-{}", user.user_id),
        })
        .await
        .unwrap();
    customer_link::record(exchange_deps.stytch().unwrap(), &user.user_id, &application).await.unwrap();

    let scopes = json!({ "scopes": ["accounts", "cards", "cards-write"] });
    let (status, body) = call(&exchange, "/token", &user.session_jwt, None, Some(scopes.clone())).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("step_up_required")), "{body}");

    // Step up with TOTP, the code computed from the secret as an authenticator app would.
    let created = stytch_post(&stack, "/v1/totps", json!({ "user_id": user.user_id })).await;
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(created["secret"].as_str().unwrap()).unwrap())
        .build()
        .unwrap();
    let stepped_up = stytch_post(
        &stack,
        "/v1/totps/authenticate",
        json!({ "user_id": user.user_id, "totp_code": totp.generate_current().to_string(),
                "session_token": user.session_token }),
    )
    .await;
    let (status, body) =
        call(&exchange, "/token", stepped_up["session_jwt"].as_str().unwrap(), None, Some(scopes)).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();

    let (status, first) = call(&cards, "/cards", token, Some("demo-card-1"), None).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = call(&cards, "/cards", token, Some("demo-card-1"), None).await;
    assert_eq!((status.as_u16(), &again["id"]), (201, &first["id"]));
    let (status, list) = call(&cards, "/cards", token, None, None).await;
    assert_eq!((status.as_u16(), &list["total"]), (200, &json!(1)), "{list}");
    let card_id = first["id"].as_str().unwrap();
    let (status, frozen) = call(&cards, &format!("/cards/{card_id}/freeze"), token, None, Some(json!({}))).await;
    assert_eq!((status.as_u16(), frozen["status"].as_str()), (200, Some("Frozen")), "{frozen}");
}
