//! The SDK's transport is the function's own `reqwest` client (`secrets::SdkHttpClient`, set up by
//! `test_support::moto::sdk_client`): what it sends reaches Secrets Manager (moto), and its failures
//! reach the SDK as the kind of error they are.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use stytch_unit_common::{ExposeSecret, config::SecretsConfig, secrets::SecretsError};
use test_support::moto::{MotoServer, RetryConfig, load_secrets, sdk_client};

fn stytch_only() -> SecretsConfig {
    SecretsConfig {
        stytch_secret_id: Some("app/stytch".into()),
        unit_secret_id: None,
        cache_ttl: Duration::from_secs(300),
    }
}

#[tokio::test]
async fn the_sdk_sends_through_the_given_client() {
    let moto = MotoServer::start().await;
    moto.create_secret("app/stytch", r#"{"project_id":"project-test-1","secret":"secret-test-via-reqwest"}"#).await;
    let port = url::Url::parse(&moto.endpoint).unwrap().port().unwrap();
    // A host name that only this reqwest client resolves: any other HTTP stack would fail to reach it.
    let http = reqwest::Client::builder()
        .resolve("secretsmanager.test", SocketAddr::from(([127, 0, 0, 1], port)))
        .build()
        .unwrap();
    let client = sdk_client(http, &format!("http://secretsmanager.test:{port}"), RetryConfig::disabled()).await;

    let store = load_secrets(client, &stytch_only()).await.unwrap();
    let credentials = store.stytch().unwrap().get().await.unwrap();
    assert_eq!(credentials.project_id, "project-test-1");
    assert_eq!(credentials.secret.expose_secret(), "secret-test-via-reqwest");
}

#[tokio::test]
async fn an_upstream_error_status_keeps_its_typed_sdk_error() {
    let moto = MotoServer::start().await;
    let client = sdk_client(reqwest::Client::new(), &moto.endpoint, RetryConfig::disabled()).await;
    let err = load_secrets(client, &stytch_only()).await.err().unwrap();
    assert!(matches!(&err, SecretsError::NotFound { secret_id } if secret_id == "app/stytch"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_is_an_io_failure_named_by_secret() {
    let dead = format!("http://127.0.0.1:{}", test_support::free_port());
    let client = sdk_client(reqwest::Client::new(), &dead, RetryConfig::standard()).await;
    let err = load_secrets(client, &stytch_only()).await.err().unwrap();
    let SecretsError::Unreachable { cause, .. } = &err else { panic!("{err}") };
    assert!(cause.contains("io error"), "an I/O failure, which the SDK retries: {cause}");
    assert!(err.to_string().starts_with("secret app/stytch could not be fetched"), "{err}");
}

#[tokio::test]
async fn a_silent_upstream_times_out_with_the_clients_timeout() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let http = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let client = sdk_client(http, &format!("http://127.0.0.1:{port}"), RetryConfig::disabled()).await;

    let started = Instant::now();
    let err = load_secrets(client, &stytch_only()).await.err().unwrap();
    let SecretsError::Unreachable { cause, .. } = &err else { panic!("{err}") };
    assert!(cause.contains("timeout"), "{cause}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}
