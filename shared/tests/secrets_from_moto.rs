//! The secrets store against a real moto server: no mocked SDK.

use std::{sync::Arc, time::Duration};

use stytch_unit_common::{
    ExposeSecret,
    config::SecretsConfig,
    secrets::{SecretsError, SecretsStore},
};
use test_support::moto::MotoServer;

const STYTCH: &str = r#"{"project_id":"project-test-1","secret":"secret-test-first-value"}"#;
const UNIT: &str = r#"{"api_token":"v2.public.first-org-token","base_url":"http://127.0.0.1:9"}"#;

fn config(stytch: Option<&str>, unit: Option<&str>, ttl: Duration) -> SecretsConfig {
    SecretsConfig { stytch_secret_id: stytch.map(Into::into), unit_secret_id: unit.map(Into::into), cache_ttl: ttl }
}

async fn moto_with_both() -> MotoServer {
    let moto = MotoServer::start().await;
    moto.create_secret("app/stytch", STYTCH).await;
    moto.create_secret("app/unit", UNIT).await;
    moto
}

#[tokio::test]
async fn both_secrets_are_fetched_and_typed() {
    let moto = moto_with_both().await;
    let store = SecretsStore::load(
        moto.client().await,
        &config(Some("app/stytch"), Some("app/unit"), Duration::from_secs(300)),
    )
    .await
    .unwrap();
    let stytch = store.stytch().unwrap().get().await.unwrap();
    assert_eq!(stytch.project_id, "project-test-1");
    assert_eq!(stytch.secret.expose_secret(), "secret-test-first-value");
    assert_eq!(stytch.base_url.as_str(), "https://test.stytch.com/");
    let unit = store.unit().unwrap().get().await.unwrap();
    assert_eq!(unit.api_token.expose_secret(), "v2.public.first-org-token");
    assert_eq!(unit.base_url.as_str(), "http://127.0.0.1:9/");
}

#[tokio::test]
async fn a_second_read_is_served_from_the_cache() {
    let moto = moto_with_both().await;
    let store = SecretsStore::load(moto.client().await, &config(Some("app/stytch"), None, Duration::from_secs(300)))
        .await
        .unwrap();
    let first = store.stytch().unwrap().get().await.unwrap();
    // Changed in Secrets Manager, but the TTL has not run out: the cached value is served.
    moto.rotate_secret("app/stytch", r#"{"project_id":"project-test-1","secret":"secret-test-second"}"#).await;
    let second = store.stytch().unwrap().get().await.unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(second.secret.expose_secret(), "secret-test-first-value");
}

#[tokio::test]
async fn after_the_ttl_the_secret_is_fetched_again() {
    let moto = moto_with_both().await;
    let store = SecretsStore::load(moto.client().await, &config(Some("app/stytch"), None, Duration::from_secs(0)))
        .await
        .unwrap();
    moto.rotate_secret("app/stytch", r#"{"project_id":"project-test-1","secret":"secret-test-second"}"#).await;
    assert_eq!(store.stytch().unwrap().get().await.unwrap().secret.expose_secret(), "secret-test-second");
}

#[tokio::test]
async fn a_rejected_credential_is_refetched_once_after_rotation() {
    let moto = moto_with_both().await;
    let store = SecretsStore::load(moto.client().await, &config(None, Some("app/unit"), Duration::from_secs(300)))
        .await
        .unwrap();
    let unit = store.unit().unwrap();
    let old = unit.get().await.unwrap();

    moto.rotate_secret("app/unit", r#"{"api_token":"v2.public.second-org-token","base_url":"https://api.s.unit.sh"}"#)
        .await;
    let new = unit.refresh_after_rejection(&old).await.unwrap().expect("a new value after rotation");
    assert_eq!(new.api_token.expose_secret(), "v2.public.second-org-token");
    assert_eq!(unit.get().await.unwrap().api_token.expose_secret(), "v2.public.second-org-token");

    // A second 401 for the old value (a request that was in flight) does not fetch again.
    let again = unit.refresh_after_rejection(&old).await.unwrap().expect("the current value");
    assert!(Arc::ptr_eq(&again, &new));

    // The new value rejected too, and Secrets Manager still holds it: the caller must not retry.
    assert!(unit.refresh_after_rejection(&new).await.unwrap().is_none());
    // Rotated now, but within the recheck cooldown a rejected-and-unchanged value is not
    // fetched again on every request; the TTL refetch picks the rotation up.
    moto.rotate_secret("app/unit", r#"{"api_token":"v2.public.third-org-token","base_url":"https://api.s.unit.sh"}"#)
        .await;
    assert!(unit.refresh_after_rejection(&new).await.unwrap().is_none());
}

#[tokio::test]
async fn a_missing_secret_is_named() {
    let moto = MotoServer::start().await;
    let err = SecretsStore::load(moto.client().await, &config(Some("app/nowhere"), None, Duration::from_secs(300)))
        .await
        .err()
        .unwrap();
    assert!(matches!(&err, SecretsError::NotFound { secret_id } if secret_id == "app/nowhere"), "{err}");
    assert_eq!(err.to_string(), "secret app/nowhere was not found");
}

#[tokio::test]
async fn a_malformed_secret_names_the_id_and_field_but_not_the_contents() {
    let moto = MotoServer::start().await;
    moto.create_secret("app/not-json", "secret-test-plain-text-value").await;
    moto.create_secret("app/no-secret", r#"{"project_id":"project-test-1","secrett":"secret-test-typo-value"}"#).await;
    let client = moto.client().await;

    let err = SecretsStore::load(client.clone(), &config(Some("app/not-json"), None, Duration::from_secs(300)))
        .await
        .err()
        .unwrap();
    assert_eq!(err.to_string(), "secret app/not-json is not a JSON object");

    let err =
        SecretsStore::load(client, &config(Some("app/no-secret"), None, Duration::from_secs(300))).await.err().unwrap();
    assert_eq!(err.to_string(), "secret app/no-secret is missing the field `secret`");
    assert!(!format!("{err:?}").contains("typo-value"));
}
