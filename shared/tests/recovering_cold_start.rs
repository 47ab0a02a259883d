//! A cold start that cannot read its secrets serves 503 `secrets_unavailable` instead of failing
//! the Lambda init, and serves normally once the secrets can be read.

use axum::{Router, body::Body};
use http::{Request, StatusCode, header};
use stytch_unit_common::{
    config::{Config, SecretNeeds},
    http::router,
    http_client,
    recovering::RETRY_INTERVAL,
    startup::{self, Dependencies},
    telemetry,
};
use test_support::{logs::CapturedLogs, moto::MotoServer};
use tower::ServiceExt;
use tracing::level_filters::LevelFilter;

fn health_only(dependencies: Dependencies) -> Router {
    let api = dependencies.config.api.clone();
    router::finish(router::health_route("probe").with_state(dependencies), &api)
}

async fn get_health(app: &Router) -> http::Response<Body> {
    app.clone().oneshot(Request::get("/health/probe").body(Body::empty()).unwrap()).await.unwrap()
}

#[tokio::test]
async fn unreadable_secrets_give_503_until_they_can_be_read() {
    let moto = MotoServer::start().await;
    let config = Config::from_lookup(SecretNeeds { stytch: false, unit: true }, |name| {
        (name == "UNIT_SECRET_ID").then(|| "recovering/unit".to_owned())
    })
    .unwrap();
    let http = http_client::build(&config.upstream);
    let app = startup::app(config, http, moto.client().await, health_only).await;

    let response = get_health(&app).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(response.headers()[header::RETRY_AFTER], RETRY_INTERVAL.as_secs().to_string().as_str());
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "secrets_unavailable");
    assert!(!problem.to_string().contains("recovering/unit"), "the secret id stays in the logs");

    // The secret appears; after the retry interval the next request finds it and is served.
    moto.create_secret("recovering/unit", r#"{"api_token":"v2.public.recovered","base_url":"http://127.0.0.1:9"}"#)
        .await;
    assert_eq!(get_health(&app).await.status(), StatusCode::SERVICE_UNAVAILABLE, "retries are rate limited");
    tokio::time::sleep(RETRY_INTERVAL + std::time::Duration::from_millis(200)).await;
    assert_eq!(get_health(&app).await.status(), StatusCode::OK);
    assert_eq!(get_health(&app).await.status(), StatusCode::OK);
}

/// A live Stytch project beside Unit's sandbox: the function refuses to serve (503, the reason in its
/// log) until the secrets agree, then serves without a redeploy.
#[tokio::test]
async fn a_live_stytch_project_with_unit_s_sandbox_is_refused_until_the_secrets_agree() {
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::INFO, logs.clone()));
    let moto = MotoServer::start().await;
    // A loopback base_url: the JWKS prefetch fails at once; the project id and secret say "live".
    let stytch = r#"{"project_id":"project-live-1","secret":"secret-live-abc","base_url":"http://127.0.0.1:9"}"#;
    moto.create_secret("env/stytch", stytch).await;
    moto.create_secret("env/unit", r#"{"api_token":"v2.public.org","base_url":"https://api.s.unit.sh"}"#).await;
    let config = Config::from_lookup(SecretNeeds { stytch: true, unit: true }, |name| match name {
        "STYTCH_SECRET_ID" => Some("env/stytch".to_owned()),
        "UNIT_SECRET_ID" => Some("env/unit".to_owned()),
        "VENDOR_ENVIRONMENT" => Some("live".to_owned()),
        _ => None,
    })
    .unwrap();
    let http = http_client::build(&config.upstream);
    let app = startup::app(config, http, moto.client().await, health_only).await;

    assert_eq!(get_health(&app).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    let log = logs.text();
    assert!(log.contains("the Unit secret env/unit's base_url is sandbox"), "{log}");
    assert!(log.contains("VENDOR_ENVIRONMENT is live"), "{log}");
    assert!(!log.contains("secret-live-abc") && !log.contains("v2.public.org"), "no credential in the log");

    moto.rotate_secret("env/unit", r#"{"api_token":"v2.public.org","base_url":"https://api.unit.co"}"#).await;
    tokio::time::sleep(RETRY_INTERVAL + std::time::Duration::from_millis(200)).await;
    assert_eq!(get_health(&app).await.status(), StatusCode::OK);
}
