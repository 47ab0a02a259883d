//! Unit side: customer tokens by JWT and by verification code, 2FA scopes, expiry and scope checks.

mod unit_support;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use unit_support::{Key, ORG_TOKEN, SIGNER_KID, sign_jwt, start, token_body};

#[tokio::test]
async fn a_jwt_for_the_customers_subject_mints_a_working_token() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let jwt = sign_jwt("user-test-ada", 300, Key::Signer, SIGNER_KID);

    let reply = unit
        .post(
            &format!("/customers/{}/token", ada.customer_id),
            ORG_TOKEN,
            token_body("customers accounts cards cards-write", Some(&jwt)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    assert_eq!(reply.body["data"]["type"], "customerBearerToken");
    assert_eq!(reply.body["data"]["attributes"]["expiresIn"], 86_400);
    let token = reply.body["data"]["attributes"]["token"].as_str().expect("token");
    assert!(token.starts_with("v2.public."));

    let accounts = unit.get("/accounts", token).await;
    assert_eq!(accounts.status, StatusCode::OK);
    assert_eq!(accounts.body["data"][0]["id"], ada.account_id.as_str());
}

#[tokio::test]
async fn jwts_that_do_not_verify_or_do_not_match_are_refused() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let path = format!("/customers/{}/token", ada.customer_id);
    let attempt = |jwt: String| {
        let unit = &unit;
        let path = path.clone();
        async move { unit.post(&path, ORG_TOKEN, token_body("customers cards-write", Some(&jwt))).await }
    };

    let other_subject = attempt(sign_jwt("user-test-eve", 300, Key::Signer, SIGNER_KID)).await;
    assert_eq!(other_subject.status, StatusCode::FORBIDDEN);
    assert_eq!(other_subject.error_code(), "forbidden");

    let expired = attempt(sign_jwt("user-test-ada", -5, Key::Signer, SIGNER_KID)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.body["errors"][0]["detail"], "jwtToken has expired");

    let forged = attempt(sign_jwt("user-test-ada", 300, Key::Foreign, SIGNER_KID)).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

    let unknown_kid = attempt(sign_jwt("user-test-ada", 300, Key::Foreign, "someone-else")).await;
    assert_eq!(unknown_kid.status, StatusCode::UNAUTHORIZED);

    let garbage = attempt("not.a.jwt".to_string()).await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_customer_without_jwt_subject_cannot_use_a_jwt_until_patched() {
    let unit = start().await;
    let application = unit.apply(&unit_support::approved_ssn(), None).await;
    let customer_id =
        application.body["data"]["relationships"]["customer"]["data"]["id"].as_str().expect("customer").to_string();
    let jwt = sign_jwt("user-test-late", 300, Key::Signer, SIGNER_KID);
    let path = format!("/customers/{customer_id}/token");

    let before = unit.post(&path, ORG_TOKEN, token_body("cards-write", Some(&jwt))).await;
    assert_eq!(before.status, StatusCode::FORBIDDEN);

    let patched = unit
        .patch(
            &format!("/customers/{customer_id}"),
            ORG_TOKEN,
            json!({ "data": { "type": "individualCustomer", "attributes": { "jwtSubject": "user-test-late" } } }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let after = unit.post(&path, ORG_TOKEN, token_body("cards-write", Some(&jwt))).await;
    assert_eq!(after.status, StatusCode::CREATED, "{:#}", after.body);
}

#[tokio::test]
async fn two_factor_scopes_need_a_jwt_or_a_verification() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let path = format!("/customers/{}/token", ada.customer_id);

    for scope in [
        "cards-write",
        "cards-sensitive",
        "cards-sensitive-write",
        "payments-write-counterparty",
        "counterparties-write",
    ] {
        let reply = unit.post(&path, ORG_TOKEN, token_body(&format!("cards {scope}"), None)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{scope}");
        assert_eq!(reply.error_code(), "forbidden");
    }

    let plain = unit.post(&path, ORG_TOKEN, token_body("customers accounts cards payments transactions", None)).await;
    assert_eq!(plain.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_verification_path_accepts_000001_once_and_refuses_other_codes() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let verify = |channel: &'static str| {
        let unit = &unit;
        let path = format!("/customers/{}/token/verification", ada.customer_id);
        async move {
            unit.post(
                &path,
                ORG_TOKEN,
                json!({ "data": { "type": "customerTokenVerification", "attributes": { "channel": channel } } }),
            )
            .await
        }
    };
    let with_code = |verification_token: String, code: &'static str| {
        json!({ "data": { "type": "customerToken", "attributes": {
            "scope": "cards cards-write",
            "verificationToken": verification_token,
            "verificationCode": code,
        } } })
    };
    let token_path = format!("/customers/{}/token", ada.customer_id);

    let challenge = verify("sms").await;
    assert_eq!(challenge.status, StatusCode::CREATED, "{:#}", challenge.body);
    assert_eq!(challenge.body["data"]["type"], "customerTokenVerification");
    let verification_token =
        challenge.body["data"]["attributes"]["verificationToken"].as_str().expect("verificationToken").to_string();

    let wrong = unit.post(&token_path, ORG_TOKEN, with_code(verification_token.clone(), "123456")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    let right = unit.post(&token_path, ORG_TOKEN, with_code(verification_token.clone(), "000001")).await;
    assert_eq!(right.status, StatusCode::CREATED, "{:#}", right.body);

    let reused = unit.post(&token_path, ORG_TOKEN, with_code(verification_token, "000001")).await;
    assert_eq!(reused.status, StatusCode::FORBIDDEN, "a verification is single-use");

    let bad_channel = verify("pigeon").await;
    assert_eq!(bad_channel.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_channel.pointers(), ["/data/attributes/channel"]);
    let by_call = verify("call").await;
    assert_eq!(by_call.status, StatusCode::CREATED);
}

#[tokio::test]
async fn token_requests_are_validated() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let path = format!("/customers/{}/token", ada.customer_id);

    let mut too_long = token_body("customers", None);
    too_long["data"]["attributes"]["expiresIn"] = json!(86_401);
    let reply = unit.post(&path, ORG_TOKEN, too_long).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.pointers(), ["/data/attributes/expiresIn"]);

    let unknown_scope = unit.post(&path, ORG_TOKEN, token_body("customers teleport", None)).await;
    assert_eq!(unknown_scope.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_scope.pointers(), ["/data/attributes/scope"]);

    let mut short = token_body("customers", None);
    short["data"]["attributes"]["expiresIn"] = json!(600);
    let reply = unit.post(&path, ORG_TOKEN, short).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["data"]["attributes"]["expiresIn"], 600);

    let missing_customer = unit.post("/customers/999999/token", ORG_TOKEN, token_body("customers", None)).await;
    assert_eq!(missing_customer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customer_tokens_expire_and_cannot_mint_tokens() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let path = format!("/customers/{}/token", ada.customer_id);

    let mut body = token_body("customers accounts", None);
    body["data"]["attributes"]["expiresIn"] = json!(1);
    let reply = unit.post(&path, ORG_TOKEN, body).await;
    let token = reply.body["data"]["attributes"]["token"].as_str().expect("token").to_string();

    let minted = unit.post(&path, &token, token_body("customers", None)).await;
    assert_eq!(minted.status, StatusCode::FORBIDDEN);

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let expired = unit.get("/accounts", &token).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.error_code(), "unauthorized");
}

#[tokio::test]
async fn scopes_limit_what_a_customer_token_may_do() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let accounts_only = unit.customer_token(&ada, "accounts").await;

    assert_eq!(unit.get("/accounts", &accounts_only).await.status, StatusCode::OK);
    let cards = unit.get("/cards", &accounts_only).await;
    assert_eq!(cards.status, StatusCode::FORBIDDEN);
    assert_eq!(cards.body["errors"][0]["status"], "403");
    let customer = unit.get(&format!("/customers/{}", ada.customer_id), &accounts_only).await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    let create = unit.create_card(&accounts_only, &ada.account_id, None).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);

    let cards_read = unit.customer_token(&ada, "cards").await;
    let create = unit.create_card(&cards_read, &ada.account_id, None).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN, "cards does not imply cards-write");
}

#[tokio::test]
async fn an_authorized_users_jwt_subject_is_accepted_too() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let patched = unit
        .patch(
            &format!("/customers/{}", ada.customer_id),
            ORG_TOKEN,
            json!({ "data": { "type": "individualCustomer", "attributes": { "authorizedUsers": [{
                "fullName": { "first": "Bea", "last": "Lovelace" },
                "email": "bea@example.com",
                "phone": { "countryCode": "1", "number": "5555550102" },
                "jwtSubject": "user-test-bea"
            }] } } }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:#}", patched.body);

    let jwt = sign_jwt("user-test-bea", 300, Key::Signer, SIGNER_KID);
    let reply = unit
        .post(&format!("/customers/{}/token", ada.customer_id), ORG_TOKEN, token_body("cards-write", Some(&jwt)))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
}

#[tokio::test]
async fn a_token_limited_to_resources_sees_only_those() {
    let unit = start().await;
    let ada = unit.approved_customer("user-test-ada").await;
    let first = unit.create_card(ORG_TOKEN, &ada.account_id, None).await.id();
    let second = unit.create_card(ORG_TOKEN, &ada.account_id, None).await.id();

    let mut body = token_body("cards", None);
    body["data"]["attributes"]["resources"] = json!([{ "type": "card", "ids": [first] }]);
    let reply = unit.post(&format!("/customers/{}/token", ada.customer_id), ORG_TOKEN, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    let token = reply.body["data"]["attributes"]["token"].as_str().expect("token");

    let cards = unit.get("/cards", token).await;
    assert_eq!(cards.body["meta"]["pagination"]["total"], 1);
    assert_eq!(cards.body["data"][0]["id"], first.as_str());
    let hidden = unit.get(&format!("/cards/{second}"), token).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}
