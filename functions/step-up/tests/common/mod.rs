//! The step-up router in-process against the local stack (test_support::functions), and the
//! checks only step-up needs.

#![allow(dead_code)]

use http::StatusCode;
use serde_json::Value;
use stytch_unit_common::config::SecretNeeds;
pub use test_support::functions::{Answer, FunctionApi as Api, Side, code, field_errors};

pub async fn start(extra_env: &[(&str, &str)]) -> Api {
    Api::start(SecretNeeds { stytch: true, unit: false }, step_up::router, extra_env).await
}

/// Whether this JWT verifies and passes the two-factor rule that sensitive scopes need.
pub async fn is_two_factor(api: &Api, jwt: &str) -> bool {
    let session = api.dependencies.verifier().expect("verifier").verify(jwt).await.expect("the JWT verifies");
    session.check_two_factor(api.dependencies.config.session.step_up_max_age, time::OffsetDateTime::now_utc()).is_ok()
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
