//! JSON logs for CloudWatch: one object per line, with the current request's span fields
//! (`request_id`) on every line written while serving it.
//!
//! The AWS SDK and HTTP stack are held at `warn` whatever `LOG_LEVEL` says: their debug output
//! describes requests in a detail we never want next to credentials.

use tracing::{Subscriber, level_filters::LevelFilter};
use tracing_subscriber::{filter::Targets, fmt::MakeWriter, layer::SubscriberExt};

const QUIET_DEPENDENCIES: &[&str] = &[
    "aws_config",
    "aws_runtime",
    "aws_sdk_secretsmanager",
    "aws_sigv4",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "h2",
    "hyper",
    "hyper_util",
    "reqwest",
    "rustls",
    "tower",
    "lambda_runtime",
    "lambda_runtime_api_client",
    "lambda_http",
];

/// A subscriber writing JSON lines to `writer`; tests pass a capturing writer.
pub fn subscriber<W>(level: LevelFilter, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let mut filter = Targets::new().with_default(level);
    for target in QUIET_DEPENDENCIES {
        filter = filter.with_target(*target, level.min(LevelFilter::WARN));
    }
    let json = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(true)
        .with_ansi(false)
        .with_writer(writer);
    tracing_subscriber::registry().with(json).with(filter)
}

/// Installs the stdout subscriber for this process. A second call is a no-op.
pub fn init(level: LevelFilter) {
    let _ = tracing::subscriber::set_global_default(subscriber(level, std::io::stdout));
}
