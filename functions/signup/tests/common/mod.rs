//! The signup router in-process against the local stack (test_support::functions).

#![allow(dead_code, unused_imports)]

pub use test_support::functions::{FunctionApi as Api, Side, code, field_errors};

pub async fn start(extra_env: &[(&str, &str)]) -> Api {
    Api::start(signup::router, extra_env).await
}
