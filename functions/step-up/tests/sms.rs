//! SMS step-up through the real router, against the sandbox (codes are read from its outbox).

mod common;

use common::{Api, Side, code, field_errors, is_two_factor, wrong};
use http::StatusCode;
use serde_json::json;

const PHONE: &str = "+15005550006";

async fn sms_code(api: &Api, phone: &str) -> String {
    let message = api.stack.outbox_latest(&api.stack.sandbox.stytch_url, phone).await;
    message["code"].as_str().expect("an SMS code").to_owned()
}

#[tokio::test]
async fn an_sms_code_turns_the_sign_in_session_into_a_two_factor_one() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ada@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    let sent = api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": PHONE })).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
    let phone_id = sent.body["phoneId"].as_str().unwrap().to_owned();
    let phones = &api.stack.stytch_user(&user.user_id).await["phone_numbers"];
    assert_eq!(phones[0]["phone_id"], phone_id.as_str(), "the phone is attached to the session's user");

    let sent_code = sms_code(&api, PHONE).await;
    let wrong_code =
        api.post("/step-up/sms/authenticate", jwt, json!({ "code": wrong(&sent_code), "phoneId": phone_id })).await;
    assert_eq!((wrong_code.status, code(&wrong_code)), (StatusCode::UNAUTHORIZED, "invalid_code"));

    let answer = api.post("/step-up/sms/authenticate", jwt, json!({ "code": sent_code, "phoneId": phone_id })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(is_two_factor(&api, answer.body["sessionJwt"].as_str().unwrap()).await);
    assert!(!is_two_factor(&api, &user.session_jwt).await);
}

#[tokio::test]
async fn without_a_phone_id_the_phone_the_code_went_to_is_used() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("grace@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    let answer = api.post("/step-up/sms/authenticate", jwt, json!({ "code": "123456" })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "no_phone"));

    assert_eq!(api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": PHONE })).await.status, StatusCode::ACCEPTED);
    let answer = api.post("/step-up/sms/authenticate", jwt, json!({ "code": sms_code(&api, PHONE).await })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(is_two_factor(&api, answer.body["sessionJwt"].as_str().unwrap()).await);

    // The phone is verified now; a later session steps up with it again.
    let later = api.stack.sign_in("grace@example.com").await;
    let jwt = Some(later.session_jwt.as_str());
    assert_eq!(api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": PHONE })).await.status, StatusCode::ACCEPTED);
    let answer = api.post("/step-up/sms/authenticate", jwt, json!({ "code": sms_code(&api, PHONE).await })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(is_two_factor(&api, answer.body["sessionJwt"].as_str().unwrap()).await);
}

#[tokio::test]
async fn bad_phones_codes_and_phone_ids_are_refused() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("hedy@example.com").await;
    let other = api.stack.sign_in("mary@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    for bad in ["2025550199", "+0123456789", "+1 202 555 0199"] {
        let answer = api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": bad })).await;
        assert_eq!(field_errors(&answer)[0].0, "phoneNumber", "{bad}");
        assert!(!answer.text.contains(bad));
    }

    let answer = api.post("/step-up/sms/authenticate", jwt, json!({ "code": "12", "phoneId": "../x" })).await;
    let fields: Vec<String> = field_errors(&answer).into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["code", "phoneId"], "both listed");

    // Another user's phone.
    let others = api.post("/step-up/sms/send", Some(&other.session_jwt), json!({ "phoneNumber": PHONE })).await;
    let answer = api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": PHONE })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "phone_number_in_use"));
    let body = json!({ "code": sms_code(&api, PHONE).await, "phoneId": others.body["phoneId"] });
    let answer = api.post("/step-up/sms/authenticate", jwt, body).await;
    assert_eq!(field_errors(&answer)[0].0, "phoneId");
}

#[tokio::test]
async fn stytch_outages_are_passed_on() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ida@example.com").await;
    let jwt = Some(user.session_jwt.as_str());
    api.fault(Side::Stytch, json!({ "path": "/v1/otps/sms/send", "status": 503 })).await;
    let answer = api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": PHONE })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_GATEWAY, "upstream_error"));
    api.fault(Side::Stytch, json!({ "path": "/v1/otps/sms/send", "status": 429 })).await;
    let answer = api.post("/step-up/sms/send", jwt, json!({ "phoneNumber": PHONE })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}
