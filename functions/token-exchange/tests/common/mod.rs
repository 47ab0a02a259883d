//! The token-exchange router in-process against the local stack (test_support::functions).
#![allow(dead_code)]

use serde_json::Value;
pub use test_support::functions::{Answer, FunctionApi as Api, Side, assert_problem};

pub async fn start(extra_env: &[(&str, &str)]) -> Api {
    Api::start(token_exchange::router, extra_env).await
}

/// `POST /token` with this session JWT.
pub async fn token(api: &Api, jwt: &str, body: Value) -> Answer {
    api.call("POST", "/token", Some(jwt), Some(body)).await
}
