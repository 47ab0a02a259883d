//! With X-Ray active, every log line of a request carries its trace id beside the request id, so a log
//! line leads to its trace and back.

use axum::{Router, body::Body, routing::get};
use http::Request;
use stytch_unit_common::{http::router, telemetry};
use test_support::api_config::api_config;
use test_support::logs::CapturedLogs;
use tower::ServiceExt;
use tracing::level_filters::LevelFilter;

async fn handler() -> &'static str {
    tracing::info!("handler ran");
    "ok"
}

fn app() -> Router {
    let api = api_config(&[], std::time::Duration::from_secs(25));
    router::finish(Router::new().route("/probe", get(handler)), &api)
}

fn handler_line(logs: &CapturedLogs) -> serde_json::Value {
    let text = logs.text();
    let line = text.lines().find(|line| line.contains("handler ran")).expect("the handler logged");
    serde_json::from_str(line).unwrap()
}

#[tokio::test]
async fn every_line_of_a_traced_invocation_carries_its_x_ray_trace_id() {
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::INFO, logs.clone()));
    let mut context = lambda_http::Context::default();
    context.request_id = "req-7".into();
    context.xray_trace_id = Some("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".into());
    let mut request = Request::get("/probe").body(Body::empty()).unwrap();
    request.extensions_mut().insert(context);
    app().oneshot(request).await.unwrap();

    let span = &handler_line(&logs)["span"];
    assert_eq!(span["request_id"], "req-7");
    assert_eq!(span["trace_id"], "1-5759e988-bd862e3fe1be46a994272793", "the Root id X-Ray's console searches by");
}

#[tokio::test]
async fn an_untraced_request_has_no_trace_id() {
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::INFO, logs.clone()));
    app().oneshot(Request::get("/probe").body(Body::empty()).unwrap()).await.unwrap();
    assert!(handler_line(&logs)["span"].get("trace_id").is_none());
}
