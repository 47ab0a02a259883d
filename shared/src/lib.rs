//! What every function of the Stytch → Unit bundle shares.
//!
//! - [`config`]: environment variables, parsed once per cold start.
//! - [`environment`]: sandbox or live; Stytch, Unit and the stack must agree.
//! - [`secrets`]: the Stytch and Unit credentials from AWS Secrets Manager, cached.
//! - [`session`]: local verification of Stytch session JWTs against the project's JWKS.
//! - [`customer_link`], [`onboarding`]: the Stytch user's Unit application, customer and account, and
//!   where onboarding stands (one code and next step per application status).
//! - [`step_up`]: the step-up rule: which second factors count, and which are bound to the user.
//! - [`http`]: the one error model (RFC 9457 problem+json), request ids, JSON extraction.
//! - [`telemetry`]: JSON logs for CloudWatch.
//! - [`metrics`]: metrics as CloudWatch embedded metric format, per route, upstream call and business event.
//! - [`http_client`]: the one outbound HTTP client, with timeouts.
//! - [`dependencies`]: what each function that reads secrets builds at cold start, by type.
//! - [`validated`]: request values parsed once into types that cannot be invalid.
//! - [`startup`]: the cold-start sequence a function's `main.rs` runs; [`cold_start`] times its phases.

pub mod cold_start;
pub mod config;
pub mod customer_link;
pub mod dependencies;
pub mod environment;
pub mod http;
pub mod http_client;
pub mod metrics;
pub mod onboarding;
pub mod recovering;
pub mod secrets;
pub mod session;
pub mod session_cookie;
pub mod session_response;
pub mod startup;
pub mod step_up;
pub mod stytch;
pub mod telemetry;
pub mod unit;
pub mod upstream;
pub mod validated;

pub use secrecy::{ExposeSecret, SecretString};
