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
};
use test_support::moto::MotoServer;
use tower::ServiceExt;

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
    moto.create_secret("recovering/unit", r#"{"api_token":"v2.public.recovered"}"#).await;
    assert_eq!(get_health(&app).await.status(), StatusCode::SERVICE_UNAVAILABLE, "retries are rate limited");
    tokio::time::sleep(RETRY_INTERVAL + std::time::Duration::from_millis(200)).await;
    assert_eq!(get_health(&app).await.status(), StatusCode::OK);
    assert_eq!(get_health(&app).await.status(), StatusCode::OK);
}
