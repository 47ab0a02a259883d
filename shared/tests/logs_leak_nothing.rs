//! With real credentials and tokens in play — secrets fetched from moto, session JWTs verified and
//! refused, credentials formatted with `{:?}`, errors rendered — the JSON logs, at the most verbose
//! level, hold none of them, nor any 12-character piece of them.

use std::time::Duration;
use test_support::api_config::api_config;

use axum::{Router, body::Body, routing::get};
use http::Request;
use serde_json::json;
use stytch_unit_common::{
    config::SecretsConfig,
    http::{ApiError, Code, router},
    telemetry,
};
use test_support::{
    jwks_server::JwksServer,
    jwt::{PROJECT_ID, SessionToken},
    keys::{SIGNING_KID, jwks_document},
    logs::{CapturedLogs, leaked_fragments},
    moto::{MotoServer, load_secrets},
};
use tower::ServiceExt;
use tracing::level_filters::LevelFilter;

const STYTCH_SECRET: &str = "secret-test-Zq8vN3pL6wR1tY5uI9oP2aS4dF7gH0jK";
const UNIT_TOKEN: &str = "v2.public.eyJyb2xlIjoib3JnIiwidXNlcklkIjoiMTIzIn0.Xk9pQ2RtR3lWbHhTZm9OdWxsQ3J5cHQ";
const SESSION_TOKEN: &str = "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q";
const UNIT_CUSTOMER_TOKEN: &str = "v2.public.eyJjdXN0b21lcklkIjoiOTk5In0.Q3VzdG9tZXJUb2tlblNpZ25hdHVyZQ";

#[tokio::test]
async fn no_credential_or_token_appears_in_any_log_line() {
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::TRACE, logs.clone()));

    // Secrets fetched from a real Secrets Manager API, and printed the careless way.
    let moto = MotoServer::start().await;
    moto.create_secret("app/stytch", &json!({"project_id": PROJECT_ID, "secret": STYTCH_SECRET}).to_string()).await;
    moto.create_secret(
        "app/unit",
        &json!({"api_token": UNIT_TOKEN, "base_url": "https://api.s.unit.sh", "webhook_secret": "whsec_Lk3jH5gF7dS9aP1oI"})
            .to_string(),
    )
    .await;
    let store = load_secrets(
        moto.client().await,
        &SecretsConfig {
            stytch_secret_id: Some("app/stytch".into()),
            unit_secret_id: Some("app/unit".into()),
            cache_ttl: Duration::from_secs(0),
        },
    )
    .await
    .unwrap();
    let stytch = store.stytch().unwrap().get().await.unwrap();
    let unit = store.unit().unwrap().get().await.unwrap();
    tracing::debug!(?stytch, ?unit, "credentials loaded");

    // Session JWTs, honest and forged, through the verifier.
    let jwks = JwksServer::start(jwks_document(SIGNING_KID)).await;
    let verifier = jwks.verifier();
    let honest = SessionToken::honest().encode();
    let forged = SessionToken::honest().signed_by_foreign_key().encode();
    let session = verifier.verify(&honest).await.unwrap();
    tracing::info!(?session, "session verified");
    let refused = verifier.verify(&forged).await.unwrap_err();
    tracing::info!(%refused, ?refused, "session refused");

    // Requests carrying every kind of credential through a real router, some refused.
    let api = api_config(&[], Duration::from_secs(25));
    let app = router::finish(
        Router::new().route(
            "/protected",
            get(|| async {
                Err::<(), _>(ApiError::Refused {
                    code: Code::InvalidSession,
                    detail: "The session JWT is not valid.".into(),
                })
            }),
        ),
        &api,
    );
    for credential in [honest.as_str(), forged.as_str(), SESSION_TOKEN, UNIT_CUSTOMER_TOKEN] {
        for path in ["/protected", "/nowhere"] {
            let request =
                Request::get(path).header("authorization", format!("Bearer {credential}")).body(Body::empty()).unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            assert!(response.status().is_client_error());
        }
    }

    let text = logs.text();
    assert!(text.lines().count() >= 5, "the scenario logged something to check:\n{text}");
    assert!(text.lines().all(|line| serde_json::from_str::<serde_json::Value>(line).is_ok()), "every line is JSON");
    assert!(text.contains("\"request_id\""), "request lines carry the request id:\n{text}");
    for secret in
        [STYTCH_SECRET, UNIT_TOKEN, "whsec_Lk3jH5gF7dS9aP1oI", SESSION_TOKEN, UNIT_CUSTOMER_TOKEN, &honest, &forged]
    {
        let leaks = leaked_fragments(&text, secret);
        assert!(leaks.is_empty(), "leaked {leaks:?} into the logs:\n{text}");
    }
}
