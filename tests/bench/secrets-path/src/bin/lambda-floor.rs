//! The floor under every cold start figure: a function that does nothing of its own. The same
//! current-thread runtime, Lambda runtime client and axum router as the functions, one route that
//! answers 200, and no configuration, logging, TLS, SDK or secret. Measured by `make bench`'s
//! cold part beside the five functions, through the same harness, so that what is left after
//! subtracting it is what our own cold start work costs.

use axum::{Router, routing::get};
use stytch_unit_common::startup;

fn main() -> Result<(), startup::StartupError> {
    startup::block_on(startup::serve(Router::new().route("/health/{function}", get(|| async { "ok" }))))
}
