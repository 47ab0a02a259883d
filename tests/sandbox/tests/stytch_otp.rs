//! SMS one-time codes through the outbox, factors on a passed session, single use and sandbox values.

mod helpers;

use helpers::{Harness, assert_stytch_error};
use serde_json::json;

#[tokio::test]
async fn sms_code_adds_a_factor_to_a_session() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;

    let (status, sent) = harness
        .post("/v1/otps/sms/send", json!({ "phone_number": "+15555550123", "session_jwt": login.session_jwt }))
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["user_id"], login.user_id);
    let phone_id = sent["phone_id"].as_str().unwrap().to_owned();
    assert!(phone_id.starts_with("phone-number-test-"));

    let messages = harness.outbox("+15555550123").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["channel"], "sms");
    let code = messages[0]["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(messages[0].get("token").is_none());

    let wrong = if code == "999999" { "999998" } else { "999999" };
    let (status, body) = harness.post("/v1/otps/authenticate", json!({ "method_id": phone_id, "code": wrong })).await;
    assert_stytch_error(status, &body, 404, "otp_code_not_found");

    let (status, body) = harness
        .post(
            "/v1/otps/authenticate",
            json!({ "method_id": phone_id, "code": code, "session_token": login.session_token }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["method_id"], phone_id);
    let factors = helpers::factors(body["session_jwt"].as_str().unwrap());
    assert_eq!(factors.len(), 2);
    assert_eq!(factors[1]["type"], "otp");
    assert_eq!(factors[1]["delivery_method"], "sms");
    assert_eq!(factors[1]["phone_number_factor"], json!({ "phone_id": phone_id, "phone_number": "+15555550123" }));
    assert_eq!(body["user"]["phone_numbers"][0]["verified"], true);

    let (status, body) = harness.post("/v1/otps/authenticate", json!({ "method_id": phone_id, "code": code })).await;
    assert_stytch_error(status, &body, 401, "unable_to_auth_otp_code");
}

#[tokio::test]
async fn login_or_create_by_phone() {
    let harness = Harness::start().await;
    let (status, created) =
        harness.post("/v1/otps/sms/login_or_create", json!({ "phone_number": "+447700900123" })).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["user_created"], true);
    let code = harness.outbox("+447700900123").await[0]["code"].as_str().unwrap().to_owned();
    let (status, body) = harness
        .post(
            "/v1/otps/authenticate",
            json!({ "method_id": created["phone_id"], "code": code, "session_duration_minutes": 30 }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body["session_token"].as_str().unwrap().is_empty());

    let (_, again) = harness.post("/v1/otps/sms/login_or_create", json!({ "phone_number": "+447700900123" })).await;
    assert_eq!(again["user_created"], false);
    assert_eq!(again["user_id"], created["user_id"]);

    let (status, body) = harness.post("/v1/otps/sms/send", json!({ "phone_number": "+15555550999" })).await;
    assert_stytch_error(status, &body, 404, "phone_number_not_found");
    let (status, body) = harness.post("/v1/otps/sms/login_or_create", json!({ "phone_number": "555-0123" })).await;
    assert_stytch_error(status, &body, 400, "invalid_phone_number");
}

#[tokio::test]
async fn the_sandbox_phone_takes_000000_and_sends_nothing() {
    let harness = Harness::start().await;
    let (_, created) = harness.post("/v1/otps/sms/login_or_create", json!({ "phone_number": "+10000000000" })).await;
    assert!(harness.outbox("+10000000000").await.is_empty());
    for _ in 0..2 {
        let (status, body) =
            harness.post("/v1/otps/authenticate", json!({ "method_id": created["phone_id"], "code": "000000" })).await;
        assert_eq!(status, 200, "{body}");
    }
}
