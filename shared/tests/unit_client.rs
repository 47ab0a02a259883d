//! The Unit client against the local sandbox: every call, idempotency, the two token paths,
//! faults, and org-token rotation through a real moto Secrets Manager.

use std::sync::atomic::{AtomicU32, Ordering};

use secrecy::SecretString;
use serde_json::json;
use stytch_unit_common::{
    config::SecretsConfig,
    http::{ApiError, UnitCustomerToken},
    http_client,
    unit::{
        ApplicationStatus, CardAction, CardType, CustomerToken, CustomerTokenRequest, NewCard,
        NewIndividualApplication, Page, TokenProof, UnitClient, UnitCustomerClient, UnitError, VerificationChannel,
        unit_id,
    },
    upstream::RetryPolicy,
    validated::UnitId,
};
use test_support::{
    moto::load_secrets,
    stack::{LocalStack, UNIT_SECRET_ID},
};

fn upstream() -> stytch_unit_common::config::UpstreamConfig {
    stytch_unit_common::config::Config::from_lookup(Default::default(), |_| None).unwrap().upstream
}

fn http() -> reqwest::Client {
    http_client::build(&upstream())
}

fn retry() -> RetryPolicy {
    RetryPolicy::new(upstream().request_timeout)
}

async fn unit_client(stack: &LocalStack) -> UnitClient {
    let config = SecretsConfig {
        stytch_secret_id: None,
        unit_secret_id: Some(UNIT_SECRET_ID.into()),
        cache_ttl: std::time::Duration::from_secs(300),
    };
    let store = load_secrets(stack.moto.client().await, &config).await.unwrap();
    UnitClient::new(http(), store.unit().unwrap().clone(), retry())
}

/// What the cards function has: Unit's URL and its callers' tokens, no secret.
fn customer_client(stack: &LocalStack) -> UnitCustomerClient {
    UnitCustomerClient::new(http(), stack.sandbox.unit_url.parse().unwrap(), retry())
}

/// A fresh SSN per call that the sandbox approves (it decides on the last four digits).
fn approvable_ssn() -> SecretString {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst) + std::process::id() % 1000 * 10;
    SecretString::from(format!("7{:04}{:04}", n % 10_000, 1_000 + n % 8_000))
}

fn application(jwt_subject: &str, key: &str) -> NewIndividualApplication {
    NewIndividualApplication {
        ssn: approvable_ssn(),
        idempotency_key: key.into(),
        ..test_support::functions::individual_application(jwt_subject, "")
    }
}

async fn inject_fault(stack: &LocalStack, fault: serde_json::Value) {
    let response =
        stack.http.post(format!("{}/__sandbox/faults", stack.sandbox.unit_url)).json(&fault).send().await.unwrap();
    assert!(response.status().is_success());
}

const CARD_SCOPES: [&str; 4] = ["customers", "accounts", "cards", "cards-write"];

/// A customer token with the card scopes, bought with `proof`.
async fn card_token(
    unit: &UnitClient,
    customer_id: &str,
    expires_in: Option<u32>,
    proof: TokenProof<'_>,
) -> Result<CustomerToken, UnitError> {
    let scopes: Vec<String> = CARD_SCOPES.iter().map(|s| s.to_string()).collect();
    unit.create_customer_token(&id(customer_id), &CustomerTokenRequest { scopes: &scopes, expires_in, proof }).await
}

/// An id Unit gave us, as the clients take it.
fn id(text: &str) -> UnitId {
    unit_id(text).expect("a Unit id")
}

#[tokio::test]
async fn the_whole_customer_journey_through_the_client() {
    let stack = LocalStack::start().await;
    let unit = unit_client(&stack).await;
    let user = stack.sign_in("ada@example.com").await;

    // An application is created once per idempotency key, and approval links the customer.
    let new = application(&user.user_id, &format!("application-{}", user.user_id));
    let created = unit.create_application(&new).await.unwrap();
    assert_eq!(created.status, ApplicationStatus::Approved);
    assert_eq!(created.jwt_subject.as_deref(), Some(user.user_id.as_str()));
    let customer_id = created.customer_id.clone().expect("approved applications have a customer");
    // Unit opens no account on approval; one key opens one account, however often it is sent.
    let account = unit.open_deposit_account(&id(&customer_id), "account-key-1").await.unwrap();
    let again = unit.open_deposit_account(&id(&customer_id), "account-key-1").await.unwrap();
    assert_eq!((account.kind.as_str(), &again.id), ("depositAccount", &account.id));
    assert_eq!(account.customer_id.as_deref(), Some(customer_id.as_str()));
    assert_eq!(unit.create_application(&new).await.unwrap().id, created.id, "same key, same application");
    assert_eq!(unit.get_application(&id(&created.id)).await.unwrap(), created);

    let customer = unit.get_customer(&id(&customer_id)).await.unwrap();
    assert_eq!(customer.jwt_subject.as_deref(), Some(user.user_id.as_str()));
    let patched = unit.set_customer_jwt_subject(&id(&customer_id), &user.user_id).await.unwrap();
    assert_eq!(patched.jwt_subject, customer.jwt_subject);

    // The Stytch session JWT buys a customer token with card scopes.
    let jwt = SecretString::from(user.session_jwt.clone());
    let token = card_token(&unit, &customer_id, Some(600), TokenProof::Jwt(&jwt)).await.unwrap();
    assert_eq!(token.expires_in, 600);
    assert!(!format!("{token:?}").contains("v2.public"), "Debug hides the token");
    let auth = &UnitCustomerToken(token.token);
    let unit = customer_client(&stack);

    let accounts = unit.list_accounts(auth).await.unwrap();
    assert_eq!(accounts.len(), 1);
    let account_id = &id(&accounts[0].id);

    // One idempotency key, one card.
    let new_card = NewCard {
        card_type: CardType::Virtual,
        account_id,
        shipping_address: None,
        design: None,
        limits: None,
        idempotency_key: "card-key-1",
    };
    let card = unit.create_card(auth, &new_card).await.unwrap();
    assert_eq!(unit.create_card(auth, &new_card).await.unwrap().id, card.id);
    let list = unit.list_cards(auth, Page { limit: 10, offset: 0 }).await.unwrap();
    assert_eq!((list.total, list.cards.len()), (1, 1));
    assert_eq!(list.cards[0].account_id.as_deref(), Some(account_id.as_str()));
    assert_eq!(list.cards[0].last4_digits.as_ref().map(String::len), Some(4));
    assert_eq!(unit.get_card(auth, &id(&card.id)).await.unwrap(), list.cards[0]);

    assert_eq!(unit.card_action(auth, &id(&card.id), CardAction::Freeze).await.unwrap().status, "Frozen");
    assert_eq!(unit.card_action(auth, &id(&card.id), CardAction::Unfreeze).await.unwrap().status, "Active");
    assert_eq!(unit.card_action(auth, &id(&card.id), CardAction::Close).await.unwrap().status, "ClosedByCustomer");
    let refused = unit.card_action(auth, &id(&card.id), CardAction::Freeze).await.unwrap_err();
    assert_eq!(ApiError::from(refused).code(), "card_status_conflict");
}

#[tokio::test]
async fn a_jwt_of_another_user_buys_nothing() {
    let stack = LocalStack::start().await;
    let unit = unit_client(&stack).await;
    let owner = stack.sign_in("owner@example.com").await;
    let intruder = stack.sign_in("intruder@example.com").await;
    let created = unit.create_application(&application(&owner.user_id, "app-owner")).await.unwrap();
    let jwt = SecretString::from(intruder.session_jwt);
    let err =
        card_token(&unit, created.customer_id.as_deref().unwrap(), None, TokenProof::Jwt(&jwt)).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
}

#[tokio::test]
async fn the_sms_verification_path_is_the_fallback() {
    let stack = LocalStack::start().await;
    let unit = unit_client(&stack).await;
    let created = unit.create_application(&application("user-test-verification", "app-verification")).await.unwrap();
    let customer_id = created.customer_id.unwrap();

    let verification = unit.create_token_verification(&id(&customer_id), VerificationChannel::Sms).await.unwrap();
    let wrong = SecretString::from("123456".to_owned());
    let err = card_token(&unit, &customer_id, None, TokenProof::Verification { token: &verification, code: &wrong })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));

    let sandbox_code = SecretString::from("000001".to_owned());
    let token =
        card_token(&unit, &customer_id, None, TokenProof::Verification { token: &verification, code: &sandbox_code })
            .await
            .unwrap();
    assert_eq!(token.expires_in, 86_400);
}

#[tokio::test]
async fn ids_that_cannot_be_unit_ids_never_reach_unit() {
    // The clients take only a `UnitId` where an id goes into a URL path; text becomes one here or not at all.
    for id in ["../customers/1", "1/freeze", "", "0", "abc", "1?x=1"] {
        assert!(matches!(unit_id(id), Err(UnitError::InvalidId)), "{id:?}");
    }
}

#[tokio::test]
async fn faults_are_retried_when_safe_and_surfaced_otherwise() {
    let stack = LocalStack::start().await;
    let unit = unit_client(&stack).await;
    let created = unit.create_application(&application("user-test-faults", "app-faults")).await.unwrap();
    let customer_id = created.customer_id.unwrap();
    unit.open_deposit_account(&id(&customer_id), "account-key-faults").await.unwrap();

    // A 503 on a read is retried.
    inject_fault(&stack, json!({"method": "GET", "path": "/applications", "count": 1, "status": 503})).await;
    assert_eq!(unit.get_application(&id(&created.id)).await.unwrap().id, created.id);

    // A dropped connection on a create with an idempotency key is retried, and makes one card.
    let verification = unit.create_token_verification(&id(&customer_id), VerificationChannel::Sms).await.unwrap();
    let code = SecretString::from("000001".to_owned());
    let token = card_token(&unit, &customer_id, None, TokenProof::Verification { token: &verification, code: &code })
        .await
        .unwrap();
    let auth = &UnitCustomerToken(token.token);
    let cards = customer_client(&stack);
    let account_id = id(&cards.list_accounts(auth).await.unwrap().remove(0).id);
    inject_fault(&stack, json!({"method": "POST", "path": "/cards", "count": 1, "drop": true})).await;
    let new_card = NewCard {
        card_type: CardType::Physical,
        account_id: &account_id,
        shipping_address: None,
        design: None,
        limits: None,
        idempotency_key: "drop-key",
    };
    cards.create_card(auth, &new_card).await.unwrap();
    assert_eq!(cards.list_cards(auth, Page { limit: 10, offset: 0 }).await.unwrap().total, 1);

    // A 429 on a call that spends a proof is not retried: it is passed on with Retry-After.
    inject_fault(&stack, json!({"method": "POST", "path": "/customers", "count": 1, "status": 429})).await;
    let err = unit.create_token_verification(&id(&customer_id), VerificationChannel::Sms).await.unwrap_err();
    match ApiError::from(err) {
        ApiError::RateLimited { retry_after, .. } => assert_eq!(retry_after, Some(std::time::Duration::from_secs(1))),
        other => panic!("expected RateLimited, got {other:?}"),
    }

    // Persistent 5xx on a read ends as a bad gateway after the retries.
    inject_fault(&stack, json!({"method": "GET", "path": "/applications", "count": 5, "status": 500})).await;
    let err = unit.get_application(&id(&created.id)).await.unwrap_err();
    assert_eq!(ApiError::from(err).status(), 502);
}

#[tokio::test]
async fn a_rotated_org_token_is_picked_up_after_one_401() {
    let stack = LocalStack::start().await;
    // Secrets Manager still holds an old token when the function starts…
    stack.moto.rotate_secret(UNIT_SECRET_ID, &LocalStack::unit_secret(&stack.sandbox, "v2.public.revoked")).await;
    let unit = unit_client(&stack).await;
    // …then the operator rotates it to the one Unit accepts.
    stack
        .moto
        .rotate_secret(UNIT_SECRET_ID, &LocalStack::unit_secret(&stack.sandbox, &stack.sandbox.unit_api_token))
        .await;
    let created = unit.create_application(&application("user-test-rotation", "app-rotation")).await.unwrap();
    assert_eq!(created.status, ApplicationStatus::Approved);
}
