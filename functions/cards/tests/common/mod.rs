//! What the cards tests share: the cards function beside token-exchange, and customers with tokens.

use cards::CardsDependencies;
use serde_json::Value;
use stytch_unit_common::{
    ExposeSecret, SecretString,
    unit::{CustomerTokenRequest, TokenProof, VerificationChannel, unit_id},
};
use test_support::functions::{Answer, FunctionApi};

/// The cards function, and token-exchange beside it for what only our org token may do
/// (applications, customer tokens), since cards has no org token.
pub async fn start(extra_env: &[(&str, &str)]) -> (FunctionApi<CardsDependencies>, FunctionApi) {
    let org = FunctionApi::start(token_exchange::router, &[]).await;
    (org.cards_beside(CardsDependencies::new, cards::router, extra_env), org)
}

/// An approved customer and a customer token for it.
pub struct Customer {
    pub customer_id: String,
    pub token: String,
}

/// An application approved at once (the SSN decides), then a token through Unit's SMS path
/// (the sandbox passcode), as `POST /token` would return it.
pub async fn customer(org: &FunctionApi, subject: &str, ssn: &str, scopes: &[&str]) -> Customer {
    let customer_id = org.submit_application(subject, ssn).await.customer_id.expect("approved");
    let token = customer_token(org, &customer_id, scopes).await;
    Customer { customer_id, token }
}

pub async fn customer_token(org: &FunctionApi, customer_id: &str, scopes: &[&str]) -> String {
    let unit = &org.dependencies.unit;
    let verification =
        unit.create_token_verification(&unit_id(customer_id).unwrap(), VerificationChannel::Sms).await.unwrap();
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    let code = SecretString::from("000001");
    let request = CustomerTokenRequest {
        scopes: &scopes,
        expires_in: Some(600),
        proof: TokenProof::Verification { token: &verification, code: &code },
    };
    unit.create_customer_token(&unit_id(customer_id).unwrap(), &request).await.unwrap().token.expose_secret().to_owned()
}

/// `POST /cards` with this token and `Idempotency-Key`.
pub async fn create(h: &FunctionApi<CardsDependencies>, token: &str, key: &str, body: Value) -> Answer {
    h.call_with("POST", "/cards", Some(token), &[("idempotency-key", key)], Some(body)).await
}

pub const ALL: [&str; 3] = ["accounts", "cards", "cards-write"];
