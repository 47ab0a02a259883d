//! Every cold start logs how long it waited on its upstream reads — in the production JSON format,
//! since CloudWatch queries and `make bench` read `elapsed_ms` from it — and nothing secret.

use serde_json::Value;
use stytch_unit_common::{dependencies::Dependencies, telemetry};
use test_support::{functions::cold_start, logs::CapturedLogs, stack::LocalStack};
use tracing::level_filters::LevelFilter;

#[tokio::test]
async fn the_cold_start_logs_its_upstream_wait_once_and_nothing_secret() {
    let stack = LocalStack::start().await;
    let logs = CapturedLogs::default();
    let guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::INFO, logs.clone()));
    let _: Dependencies = cold_start(&stack, &[]).await;
    drop(guard);

    let text = logs.text();
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"] == "upstream reads at cold start done")
        .collect();
    assert_eq!(lines.len(), 1, "one line per cold start: {text}");
    let line = &lines[0];
    assert!(line["elapsed_ms"].as_f64().is_some_and(|ms| ms > 0.0), "elapsed_ms is a positive number: {line}");
    assert_eq!(line["level"], "INFO", "{line}");
    assert_eq!(line["jwks"], true, "{line}");
    for secret in [&stack.sandbox.secret, &stack.sandbox.unit_api_token] {
        assert!(!text.contains(secret.as_str()), "a credential reached the logs");
    }
}
