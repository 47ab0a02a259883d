//! The step-up router in-process against the local stack (test_support::functions), and the
//! checks only step-up needs.

// Each test file uses a part of it.
#![allow(dead_code, unused_imports)]

use http::StatusCode;
use serde_json::{Value, json};
use stytch_unit_common::step_up::bound;
pub use test_support::functions::{Answer, FunctionApi as Api, Side, code, field_errors};
use test_support::{functions::applicant_phone, stack::SandboxSession};

pub async fn start(extra_env: &[(&str, &str)]) -> Api {
    Api::start(step_up::router, extra_env).await
}

/// Whether this JWT verifies and passes the whole step-up rule: a fresh second factor bound to
/// the user, as `POST /token` demands for sensitive scopes.
pub async fn is_stepped_up(api: &Api, jwt: &str) -> bool {
    let dependencies = &api.dependencies;
    let session = dependencies.verifier.verify(jwt).await.expect("the JWT verifies");
    let user = dependencies.stytch.get_user(&session.user_id).await.expect("the user").user;
    let bound = bound::load(&dependencies.stytch, &dependencies.unit, &user).await.expect("bound factors");
    session.check_bound(&bound, dependencies.config.session.step_up_max_age, time::OffsetDateTime::now_utc()).is_ok()
}

/// A signed-in user with an approved application (its phone is the KYC phone), and that phone.
pub async fn applicant(api: &Api, email: &str, ssn: &str) -> (SandboxSession, String) {
    let user = api.stack.sign_in(email).await;
    api.apply(&user.user_id, ssn).await;
    (user, applicant_phone(ssn).e164())
}

/// The newest code texted to `phone`.
pub async fn sms_code(api: &Api, phone: &str) -> String {
    let message = api.stack.outbox_latest(&api.stack.sandbox.stytch_url, phone).await;
    message["code"].as_str().expect("an SMS code").to_owned()
}

/// SMS step-up through the routes: the code goes to the KYC phone; the stepped-up JWT.
pub async fn sms_step_up(api: &Api, jwt: &str, phone: &str) -> String {
    let sent = api.call("POST", "/step-up/sms/send", Some(jwt), None).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
    let code = sms_code(api, phone).await;
    let answer = api.post("/step-up/sms/authenticate", Some(jwt), json!({ "code": code })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.body["sessionJwt"].as_str().expect("a session JWT").to_owned()
}

/// Enrols a TOTP for the caller through the route and returns the enrolment answer.
pub async fn enrol(api: &Api, jwt: &str) -> Answer {
    let answer = api.post("/step-up/totp", Some(jwt), Value::Null).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    answer
}

/// A code that differs from `code` in every digit.
pub fn wrong(code: &str) -> String {
    code.chars().map(|c| char::from(b'0' + (c.to_digit(10).unwrap() as u8 + 1) % 10)).collect()
}
