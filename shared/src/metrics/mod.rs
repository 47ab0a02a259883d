//! Metrics in CloudWatch's embedded metric format (EMF): JSON lines on stdout that CloudWatch Logs
//! turns into metrics in the namespace `METRICS_NAMESPACE` (the template's
//! `stytch-unit-lambdas/<stack>`), where the alarms read them.
//!
//! - [`catalogue`]: every metric, its dimensions, and the functions that record them.
//! - [`request_metrics_layer`]: per route and problem `code`, and the flush at the end of each request.
//! - `upstream`: per vendor and operation, timed around the retries, with one log line per exchange.
//! - [`install`]: the sink, built once per cold start.
//!
//! Recorded through the `metrics` facade into `metrics_cloudwatch_embedded`, which aggregates per
//! flush and writes valid EMF with serde_json: four small crates in all. AWS's `metrique` was weighed and
//! set aside: its EMF writer brings ~35 crates (a second `syn` major, `darling`, `metrics-util`,
//! `crossbeam`) and a background queue that Lambda's freeze between invocations would have to be
//! drained around; a hand-written EMF writer would repeat what the small crate does.

pub mod catalogue;
mod request;
mod sink;
mod upstream;

pub use request::request_metrics_layer;
pub use sink::{install, install_with_writer};
pub(crate) use upstream::UpstreamCall;
