//! SMS step-up through the real router, against the sandbox (codes are read from its outbox). The
//! code goes only to the phone on the user's Unit KYC record.

mod common;

use common::{Side, applicant, code, field_errors, is_stepped_up, sms_code, wrong};
use http::{Method, StatusCode};
use serde_json::json;

const ATTACKER_PHONE: &str = "+15005550006";

#[tokio::test]
async fn the_code_goes_to_the_kyc_phone_and_steps_the_session_up() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "ada@example.com", "712340100").await;
    let jwt = Some(user.session_jwt.as_str());

    // No body and `{}` both send to the phone on record.
    for body in [None, Some(json!({}))] {
        let sent = api.call("POST", "/step-up/sms/send", jwt, body).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
        assert_eq!(sent.body["phoneNumber"], format!("********{}", &kyc_phone[8..]), "masked");
    }
    let phones = &api.stack.stytch_user(&user.user_id).await["phone_numbers"];
    assert_eq!(phones[0]["phone_number"], kyc_phone.as_str(), "the KYC phone is attached to the session's user");

    let sent_code = sms_code(&api, &kyc_phone).await;
    let wrong_code = api.post("/step-up/sms/authenticate", jwt, json!({ "code": wrong(&sent_code) })).await;
    assert_eq!((wrong_code.status, code(&wrong_code)), (StatusCode::UNAUTHORIZED, "invalid_code"));

    // A phoneId naming something else is ignored: the code is checked against the KYC phone.
    let body = json!({ "code": sent_code, "phoneId": "phone-number-test-elsewhere" });
    let answer = api.post("/step-up/sms/authenticate", jwt, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(is_stepped_up(&api, answer.body["sessionJwt"].as_str().unwrap()).await);
    assert!(!is_stepped_up(&api, &user.session_jwt).await);

    // A later session steps up with the same phone again.
    let later = api.stack.sign_in("ada@example.com").await;
    let stepped_up = common::sms_step_up(&api, &later.session_jwt, &kyc_phone).await;
    assert!(is_stepped_up(&api, &stepped_up).await);
}

#[tokio::test]
async fn a_phone_number_from_the_request_is_never_texted() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "grace@example.com", "712340200").await;
    let jwt = Some(user.session_jwt.as_str());

    for phone in [json!(ATTACKER_PHONE), json!(kyc_phone), json!(42)] {
        let answer = api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": phone })).await;
        answer.assert_problem(400, "phone_number_not_accepted");
    }
    let stack = &api.stack;
    assert!(stack.outbox(&stack.sandbox.stytch_url, ATTACKER_PHONE).await.is_empty(), "nothing was texted");
    assert!(stack.outbox(&stack.sandbox.stytch_url, &kyc_phone).await.is_empty());
    assert_eq!(stack.stytch_user(&user.user_id).await["phone_numbers"], json!([]), "nothing was attached");
}

#[tokio::test]
async fn without_an_application_there_is_no_phone_to_text() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("hedy@example.com").await;
    let jwt = Some(user.session_jwt.as_str());
    api.call("POST", "/step-up/sms/send", jwt, None).await.assert_problem(409, "no_bound_phone");
    let answer = api.post("/step-up/sms/authenticate", jwt, json!({ "code": "123456" })).await;
    answer.assert_problem(409, "no_bound_phone");

    api.apply(&user.user_id, "712340300").await;
    let answer = api.post("/step-up/sms/authenticate", jwt, json!({ "code": "123456" })).await;
    answer.assert_problem(409, "no_code_sent");
    for bad in [json!({ "code": "12" }), json!({ "code": 123456 }), json!({})] {
        let answer = api.post("/step-up/sms/authenticate", jwt, bad).await;
        assert_eq!(field_errors(&answer)[0].0, "code");
    }
}

#[tokio::test]
async fn the_unit_customer_record_is_the_authority_for_the_phone() {
    let api = common::start(&[]).await;
    let (user, old_phone) = applicant(&api, "mary@example.com", "712340400").await;
    let link = api.stack.stytch_user(&user.user_id).await["trusted_metadata"].clone();
    assert_eq!(link["kyc_phone"], old_phone.as_str(), "recorded at submit");
    let customer_id = link["unit_customer_id"].as_str().unwrap().to_owned();

    // The bank's operations team changes the customer's phone at Unit.
    let new_phone = "+15555559999";
    let patch = json!({ "data": { "type": "individualCustomer",
                                  "attributes": { "phone": { "countryCode": "1", "number": "5555559999" } } } });
    let stack = &api.stack;
    let response = stack
        .http
        .request(Method::PATCH, format!("{}/customers/{customer_id}", stack.sandbox.unit_url))
        .bearer_auth(&stack.sandbox.unit_api_token)
        .header("content-type", "application/vnd.api+json")
        .body(patch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let stepped_up = common::sms_step_up(&api, &user.session_jwt, new_phone).await;
    assert!(is_stepped_up(&api, &stepped_up).await);
    assert!(stack.outbox(&stack.sandbox.stytch_url, &old_phone).await.is_empty(), "the old phone got nothing");
}

#[tokio::test]
async fn an_approval_that_came_later_and_a_phone_changed_since_are_seen() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("joan@example.com").await;
    let application = api.apply(&user.user_id, "712359001").await;
    assert!(application.customer_id.is_none(), "pending");
    let stack = &api.stack;
    let unit = |method: Method, path: String, body: serde_json::Value| {
        stack
            .http
            .request(method, format!("{}{path}", stack.sandbox.unit_url))
            .bearer_auth(&stack.sandbox.unit_api_token)
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string())
            .send()
    };
    // Unit approves later (nobody asked us since), then the bank changes the customer's phone.
    let approved = stack.unit_org(Method::POST, &format!("/sandbox/applications/{}/approve", application.id)).await;
    let customer_id = approved["data"]["relationships"]["customer"]["data"]["id"].as_str().unwrap().to_owned();
    let patch = json!({ "data": { "type": "individualCustomer",
                                  "attributes": { "phone": { "countryCode": "1", "number": "5555558888" } } } });
    assert_eq!(unit(Method::PATCH, format!("/customers/{customer_id}"), patch).await.unwrap().status(), 200);

    let stepped_up = common::sms_step_up(&api, &user.session_jwt, "+15555558888").await;
    assert!(is_stepped_up(&api, &stepped_up).await);
    let old_phone = test_support::functions::applicant_phone("712359001").e164();
    assert!(stack.outbox(&stack.sandbox.stytch_url, &old_phone).await.is_empty(), "the old phone got nothing");
}

#[tokio::test]
async fn stytch_outages_are_passed_on() {
    let api = common::start(&[]).await;
    let (user, _) = applicant(&api, "ida@example.com", "712340500").await;
    let jwt = Some(user.session_jwt.as_str());
    api.fault(Side::Stytch, json!({ "path": "/v1/otps/sms/send", "status": 503 })).await;
    let answer = api.call("POST", "/step-up/sms/send", jwt, None).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_GATEWAY, "upstream_error"));
    api.fault(Side::Stytch, json!({ "path": "/v1/otps/sms/send", "status": 429 })).await;
    let answer = api.call("POST", "/step-up/sms/send", jwt, None).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}
